//! The hash chain: the audit log is one chain of SHA-256 seals, and it seals
//! the archive too.
//!
//! Every audit event carries the seal of the event before it (`prev`) and its
//! own `seal`: SHA-256 over its canonical form (below), which includes `prev`.
//! Filing a dossier and appending an addendum write, in the same transaction,
//! an event whose `digest` holds SHA-256 of the dossier or addendum *as stored*
//! — so every archived record is sealed by the chain, and the chain by its head.
//!
//! Canonical form of an event: the ASCII tag `beian-audit-1`, then the fields
//! seq, time, actor, action, entity, summary, digest, prev, each as an 8-byte
//! big-endian length followed by its bytes (seq as 8 bytes big-endian, time as
//! RFC 3339 in UTC with nanoseconds). Unambiguous, and independent of JSON.
//!
//! [`verify_parts`] recomputes everything from the stored bytes and reports the
//! first broken link: a missing or reordered event, a changed byte (an event
//! must also be stored exactly as beian writes it), a dossier or addendum that
//! is changed, missing, or not sealed by any event (forged), and, given an
//! expected head `SEQ:HASH` kept outside the system, a truncated or rewritten
//! history. What it cannot see without such an anchor: someone with write
//! access to the files rewriting the whole chain after the point last anchored.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::model::{AuditEvent, Id, IdKind};

const TAG: &[u8] = b"beian-audit-1";

pub fn hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(HEX[(b >> 4) as usize] as char);
        s.push(HEX[(b & 15) as usize] as char);
    }
    s
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// The seal of `ev`: SHA-256 over its canonical form (`ev.seal` itself excluded).
pub fn seal_of(ev: &AuditEvent) -> String {
    let mut h = Sha256::new();
    h.update(TAG);
    let mut field = |b: &[u8]| {
        h.update((b.len() as u64).to_be_bytes());
        h.update(b);
    };
    field(&ev.seq.to_be_bytes());
    field(ev.time.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true).as_bytes());
    field(ev.actor.as_bytes());
    field(ev.action.as_bytes());
    field(ev.entity.as_bytes());
    field(ev.summary.as_bytes());
    field(ev.digest.as_bytes());
    field(ev.prev.as_bytes());
    hex(&h.finalize())
}

/// The last event of the chain: supervisors keep it outside the system.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainHead {
    pub seq: u64,
    pub seal: String,
}

impl std::fmt::Display for ChainHead {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.seq, self.seal)
    }
}

impl std::str::FromStr for ChainHead {
    type Err = String;

    /// `SEQ:HASH`, as `beian verify --head` prints it.
    fn from_str(s: &str) -> Result<Self, String> {
        let (seq, seal) = s.trim().split_once(':').ok_or("SEQ:HASH")?;
        let seq = seq.trim().parse().map_err(|_| "SEQ:HASH (SEQ a number)")?;
        let seal = seal.trim().to_ascii_lowercase();
        if seal.len() != 64 || !seal.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err("SEQ:HASH (HASH 64 hex digits)".into());
        }
        Ok(ChainHead { seq, seal })
    }
}

/// What is wrong at the first broken link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Broken {
    /// The event is not readable (not JSON, or not an event).
    Unreadable,
    /// The event is readable but not stored as beian writes it.
    NotCanonical,
    /// Events are missing here (deleted, or the log reordered).
    Gap { expected: u64 },
    /// The event names another sequence number than its place.
    WrongSeq { found: u64 },
    /// The event does not follow the one before it.
    WrongPrev,
    /// The event's content does not match its seal.
    WrongSeal,
    /// The database's own record of the head disagrees with the log.
    HeadMismatch { head: ChainHead },
    /// The record differs from what its event sealed.
    DigestMismatch { seq: u64 },
    /// The record is not sealed by any event: inserted outside beian.
    NotSealed,
    /// The record sealed by this event is gone.
    Missing { seq: u64 },
    /// The log ends before the expected head.
    Truncated { expected: u64 },
    /// The event at the expected head has another seal.
    Rewritten { expected: String, found: String },
}

/// The first broken link: where (`audit #17`, `FILE-2026-0003`, `FILE-2026-0003#2`) and what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    pub at: String,
    pub broken: Broken,
}

impl Problem {
    /// What is wrong, in the user's language.
    pub fn message(&self) -> String {
        use crate::i18n::t;
        let short = |s: &str| s.chars().take(16).collect::<String>();
        match &self.broken {
            Broken::Unreadable => t("verify.unreadable", &[]),
            Broken::NotCanonical => t("verify.not_canonical", &[]),
            Broken::Gap { expected } => t("verify.gap", &[("seq", expected.to_string())]),
            Broken::WrongSeq { found } => t("verify.wrong_seq", &[("seq", found.to_string())]),
            Broken::WrongPrev => t("verify.wrong_prev", &[]),
            Broken::WrongSeal => t("verify.wrong_seal", &[]),
            Broken::HeadMismatch { head } => t("verify.head_mismatch", &[("head", head.to_string())]),
            Broken::DigestMismatch { seq } => t("verify.digest_mismatch", &[("seq", seq.to_string())]),
            Broken::NotSealed => t("verify.not_sealed", &[]),
            Broken::Missing { seq } => t("verify.missing", &[("seq", seq.to_string())]),
            Broken::Truncated { expected } => t("verify.truncated", &[("seq", expected.to_string())]),
            Broken::Rewritten { expected, found } => t(
                "verify.rewritten",
                &[("expected", short(expected)), ("found", short(found))],
            ),
        }
    }

    /// As an error (exit 6).
    pub fn to_error(&self) -> crate::error::Error {
        crate::error::Error::Integrity {
            at: self.at.clone(),
            detail: self.message(),
        }
    }
}

/// What `beian verify` found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifyReport {
    pub events: u64,
    pub dossiers: u64,
    pub addenda: u64,
    pub head: ChainHead,
    pub problem: Option<Problem>,
}

impl VerifyReport {
    pub fn ok(&self) -> bool {
        self.problem.is_none()
    }
}

/// The name of an addendum in the chain: `FILE-2026-0003#2`.
pub fn addendum_ref(dossier: Id, no: u32) -> String {
    format!("{dossier}#{no}")
}

/// The `digest` entry of an event sealing `what` stored as `bytes`.
pub fn digest_entry(what: &str, bytes: &[u8]) -> String {
    format!("{what}:{}", sha256_hex(bytes))
}

type Kv = (Vec<u8>, Vec<u8>);

/// Verify a chain from its stored parts: the audit tree (key: seq big-endian),
/// the dossiers (key: id key), the addenda (key: dossier key + number), the
/// head the database records, and optionally the head expected from outside.
pub fn verify_parts(
    audit: impl IntoIterator<Item = Kv>,
    dossiers: impl IntoIterator<Item = Kv>,
    addenda: impl IntoIterator<Item = Kv>,
    recorded_head: Option<ChainHead>,
    expect: Option<&ChainHead>,
) -> VerifyReport {
    let mut report = VerifyReport::default();
    let fail = |report: &mut VerifyReport, at: String, broken: Broken| {
        report.problem = Some(Problem { at, broken });
    };
    let mut sealed: HashMap<String, (String, u64)> = HashMap::new();
    let mut prev = String::new();
    let mut at_expected: Option<String> = None;
    for (k, v) in audit {
        let next = report.head.seq + 1;
        let at = format!("audit #{next}");
        let key_seq = k.as_slice().try_into().ok().map(u64::from_be_bytes);
        if key_seq != Some(next) {
            fail(&mut report, at, Broken::Gap { expected: next });
            return report;
        }
        let ev: AuditEvent = match serde_json::from_slice(&v) {
            Ok(ev) => ev,
            Err(_) => {
                fail(&mut report, at, Broken::Unreadable);
                return report;
            }
        };
        let broken = if ev.seq != next {
            Some(Broken::WrongSeq { found: ev.seq })
        } else if super::enc(&ev) != v {
            Some(Broken::NotCanonical)
        } else if ev.prev != prev {
            Some(Broken::WrongPrev)
        } else if seal_of(&ev) != ev.seal {
            Some(Broken::WrongSeal)
        } else {
            None
        };
        if let Some(b) = broken {
            fail(&mut report, at, b);
            return report;
        }
        for entry in ev.digest.split_whitespace() {
            if let Some((what, digest)) = entry.rsplit_once(':') {
                sealed.insert(what.to_string(), (digest.to_string(), ev.seq));
            }
        }
        if expect.is_some_and(|e| e.seq == ev.seq) {
            at_expected = Some(ev.seal.clone());
        }
        prev = ev.seal;
        report.head = ChainHead {
            seq: ev.seq,
            seal: prev.clone(),
        };
        report.events += 1;
    }
    if let Some(h) = recorded_head {
        if h != report.head {
            let at = format!("audit #{}", report.head.seq);
            fail(&mut report, at, Broken::HeadMismatch { head: h });
            return report;
        }
    }
    for (k, v) in dossiers {
        let what = Id::from_key(IdKind::Dossier, &k)
            .map(|id| id.to_string())
            .unwrap_or_else(|| hex(&k));
        if let Some(b) = check_sealed(&mut sealed, &what, &v) {
            fail(&mut report, what, b);
            return report;
        }
        report.dossiers += 1;
    }
    for (k, v) in addenda {
        let what = match (
            k.len().checked_sub(4),
            Id::from_key(IdKind::Dossier, &k[..k.len().saturating_sub(4)]),
        ) {
            (Some(n), Some(id)) => addendum_ref(id, u32::from_be_bytes(k[n..].try_into().unwrap_or_default())),
            _ => hex(&k),
        };
        if let Some(b) = check_sealed(&mut sealed, &what, &v) {
            fail(&mut report, what, b);
            return report;
        }
        report.addenda += 1;
    }
    if let Some((what, (_, seq))) = sealed.into_iter().min_by_key(|(_, (_, seq))| *seq) {
        fail(&mut report, what, Broken::Missing { seq });
        return report;
    }
    if let Some(e) = expect {
        match at_expected {
            None => fail(
                &mut report,
                format!("audit #{}", e.seq),
                Broken::Truncated { expected: e.seq },
            ),
            Some(found) if found != e.seal => fail(
                &mut report,
                format!("audit #{}", e.seq),
                Broken::Rewritten {
                    expected: e.seal.clone(),
                    found,
                },
            ),
            Some(_) => {}
        }
    }
    report
}

fn check_sealed(sealed: &mut HashMap<String, (String, u64)>, what: &str, bytes: &[u8]) -> Option<Broken> {
    match sealed.remove(what) {
        None => Some(Broken::NotSealed),
        Some((digest, seq)) if digest != sha256_hex(bytes) => Some(Broken::DigestMismatch { seq }),
        Some(_) => None,
    }
}

/// Migration 1 → 2: seal the events written before the chain existed, in
/// order, and seal the dossiers and addenda filed before it with one event.
/// Safe to run again after an interruption: seals are recomputed from scratch
/// and the sealing event is only appended once.
pub(super) fn migrate_v1(db: &sled::Db) -> sled::Result<()> {
    let audit = db.open_tree("audit")?;
    let meta = db.open_tree("meta")?;
    let mut prev = String::new();
    let mut last_seq = 0;
    let mut last_action = String::new();
    for kv in audit.iter() {
        let (k, v) = kv?;
        let Ok(mut ev) = serde_json::from_slice::<AuditEvent>(&v) else {
            // Not readable: left as it is, for verify to report.
            continue;
        };
        ev.prev = prev;
        ev.seal = seal_of(&ev);
        prev = ev.seal.clone();
        last_seq = ev.seq;
        last_action = ev.action.clone();
        audit.insert(k, super::enc(&ev))?;
    }
    if last_action != MIGRATE_ACTION {
        let mut digest = Vec::new();
        for kv in db.open_tree("dossiers")?.iter() {
            let (k, v) = kv?;
            if let Some(id) = Id::from_key(IdKind::Dossier, &k) {
                digest.push(digest_entry(&id.to_string(), &v));
            }
        }
        let dossiers = digest.len();
        for kv in db.open_tree("addenda")?.iter() {
            let (k, v) = kv?;
            if k.len() >= 4 {
                if let Some(id) = Id::from_key(IdKind::Dossier, &k[..k.len() - 4]) {
                    let no = u32::from_be_bytes(k[k.len() - 4..].try_into().unwrap_or_default());
                    digest.push(digest_entry(&addendum_ref(id, no), &v));
                }
            }
        }
        let mut ev = AuditEvent {
            seq: last_seq + 1,
            time: chrono::Utc::now(),
            actor: "beian".into(),
            action: MIGRATE_ACTION.into(),
            entity: "archive".into(),
            summary: format!(
                "schema 1 → 2: hash chain; {dossiers} dossiers, {} addenda sealed",
                digest.len() - dossiers
            ),
            digest: digest.join(" "),
            prev,
            seal: String::new(),
        };
        ev.seal = seal_of(&ev);
        audit.insert(ev.seq.to_be_bytes(), super::enc(&ev))?;
        let mut k = b"archive".to_vec();
        k.push(0);
        k.extend_from_slice(&ev.seq.to_be_bytes());
        db.open_tree("audit_entity")?.insert(k, &[][..])?;
        meta.insert("audit_seq", &ev.seq.to_be_bytes())?;
        prev = ev.seal;
    }
    meta.insert(HEAD_KEY, prev.as_bytes())?;
    Ok(())
}

/// The action of the event a migration appends.
pub const MIGRATE_ACTION: &str = "schema.migrate";

/// Where `meta` keeps the seal of the last event (its seq is `audit_seq`).
pub(super) const HEAD_KEY: &str = "audit_head";

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(seq: u64, prev: &str) -> AuditEvent {
        let mut e = AuditEvent {
            seq,
            time: chrono::DateTime::from_timestamp(1_800_000_000 + seq as i64, 5).unwrap(),
            actor: "张三".into(),
            action: "plan.file".into(),
            entity: format!("FILE-2026-{seq:04}"),
            summary: "归档".into(),
            digest: String::new(),
            prev: prev.into(),
            seal: String::new(),
        };
        e.seal = seal_of(&e);
        e
    }

    #[test]
    fn a_seal_covers_every_field() {
        let e = ev(1, "");
        assert_eq!(e.seal.len(), 64);
        let mut changed = e.clone();
        changed.summary.push('。');
        assert_ne!(seal_of(&changed), e.seal);
        let mut changed = e.clone();
        changed.prev = "0".repeat(64);
        assert_ne!(seal_of(&changed), e.seal);
        // Field boundaries count: moving a character from one field to the next changes the seal.
        let mut a = e.clone();
        a.actor = "张三p".into();
        a.action = "lan.file".into();
        assert_ne!(seal_of(&a), e.seal);
    }

    #[test]
    fn heads_parse_as_printed() {
        let h = ChainHead {
            seq: 42,
            seal: "ab".repeat(32),
        };
        assert_eq!(h.to_string().parse::<ChainHead>(), Ok(h));
        assert!("42".parse::<ChainHead>().is_err());
        assert!("x:ab".parse::<ChainHead>().is_err());
        assert!("1:abc".parse::<ChainHead>().is_err());
    }

    #[test]
    fn a_chain_verifies_and_a_gap_does_not() {
        let e1 = ev(1, "");
        let e2 = ev(2, &e1.seal);
        let kv = |e: &AuditEvent| (e.seq.to_be_bytes().to_vec(), crate::store::enc(e));
        let full = verify_parts([kv(&e1), kv(&e2)], [], [], None, None);
        assert!(full.ok(), "{full:?}");
        assert_eq!(full.head.seq, 2);
        let r = verify_parts([kv(&e2)], [], [], None, None);
        assert_eq!(r.problem.unwrap().broken, Broken::Gap { expected: 1 });
        let r = verify_parts([kv(&e1)], [], [], None, Some(&full.head));
        assert_eq!(r.problem.unwrap().broken, Broken::Truncated { expected: 2 });
        let r = verify_parts([kv(&e1), kv(&e2)], [], [], None, Some(&full.head));
        assert!(r.ok());
    }
}
