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
//! RFC 3339 in UTC with nanoseconds). An event that records the fields it
//! changed (old → new) continues with the field `changes`, their number, and
//! for each its field, item, enum, old and new value, the same way; an event
//! without changes ends at `prev`, so every event written before changes were
//! recorded keeps its seal. Unambiguous, and independent of JSON.
//!
//! [`verify_parts`] recomputes everything from the stored bytes and reports the
//! first broken link: a missing or reordered event, a changed byte (an event
//! must also be stored exactly as beian writes it), a dossier or addendum that
//! is changed, missing, or not sealed by any event (forged), one sealed a
//! second time (the digest recorded when a record was filed is the only one
//! that counts for it: a later event — even a correctly sealed one appended at
//! the head — never re-seals it), and, given an expected head `SEQ:HASH` kept
//! outside the system, a truncated or rewritten history. What it cannot see
//! without such an anchor: someone with write access to the files rewriting
//! the whole chain after the point last anchored.
//!
//! Schema 1 had no chain. Its migration ([`migrate_v1`]) seals what schema 1
//! could not: every event, and each dossier and addendum the schema-1 log
//! shows being filed. A database or backup that says schema 1 but whose log
//! carries seals, digests or a recorded head was written by schema 2 and
//! marked as older (a downgrade, which would have the migration re-seal
//! whatever it finds): it is refused ([`check_schema_agrees`]).

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
    if !ev.changes.is_empty() {
        field(b"changes");
        field(&(ev.changes.len() as u64).to_be_bytes());
        for c in &ev.changes {
            for part in [&c.field, &c.item, &c.of, &c.old, &c.new] {
                field(part.as_bytes());
            }
        }
    }
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
    /// A second digest for a record already sealed when it was filed: only
    /// the first counts, so a later event cannot re-seal a changed record.
    Resealed { first: u64, again: u64 },
    /// The records say schema `schema` (no chain), but the log carries what
    /// only a later schema writes: a seal, a digest, a recorded head.
    Downgrade { schema: u32 },
    /// An attached file's content no longer has the SHA-256 it was attached
    /// (and sealed) with: a chunk was changed (issue 18).
    AttachmentChanged { name: String, sha256: String },
    /// An attached file, or one of its chunks, or the record of an attachment
    /// a dossier sealed, is gone.
    AttachmentMissing { name: String, sha256: String },
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
            Broken::Resealed { first, again } => t(
                "verify.resealed",
                &[("first", first.to_string()), ("again", again.to_string())],
            ),
            Broken::Downgrade { schema } => t("verify.downgrade", &[("schema", schema.to_string())]),
            Broken::AttachmentChanged { name, sha256 } => t(
                "verify.attachment_changed",
                &[("name", crate::sanitize::clean_line(name)), ("sha", short(sha256))],
            ),
            Broken::AttachmentMissing { name, sha256 } => t(
                "verify.attachment_missing",
                &[("name", crate::sanitize::clean_line(name)), ("sha", short(sha256))],
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
    /// Attached files whose content was checked against its SHA-256.
    #[serde(default)]
    pub attachments: u64,
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
    // The head of an empty log is #0 with no seal: a database expected to be
    // empty of events is (compacting a new database checks exactly that).
    let mut at_expected: Option<String> = expect.filter(|e| e.seq == 0).map(|_| String::new());
    for (k, v) in audit {
        let next = report.head.seq + 1;
        let at = format!("audit #{next}");
        let ev = match check_event(next, &k, &v, &prev) {
            Ok(ev) => ev,
            Err(b) => {
                fail(&mut report, at, b);
                return report;
            }
        };
        for entry in ev.digest.split_whitespace() {
            if let Some((what, digest)) = entry.rsplit_once(':') {
                // The digest recorded when the record was filed is the only
                // one that counts: a second one is a re-sealing.
                if let Some((_, first)) = sealed.get(what) {
                    let first = *first;
                    fail(&mut report, what.to_string(), Broken::Resealed { first, again: ev.seq });
                    return report;
                }
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

/// One stored event, expected to be number `next` after the seal `prev`: its
/// key, its number, its canonical form, its link and its own seal.
fn check_event(next: u64, k: &[u8], v: &[u8], prev: &str) -> Result<AuditEvent, Broken> {
    let key_seq = k.try_into().ok().map(u64::from_be_bytes);
    if key_seq != Some(next) {
        return Err(Broken::Gap { expected: next });
    }
    let ev: AuditEvent = serde_json::from_slice(v).map_err(|_| Broken::Unreadable)?;
    if ev.seq != next {
        Err(Broken::WrongSeq { found: ev.seq })
    } else if super::enc(&ev) != v {
        Err(Broken::NotCanonical)
    } else if ev.prev != prev {
        Err(Broken::WrongPrev)
    } else if seal_of(&ev) != ev.seal {
        Err(Broken::WrongSeal)
    } else {
        Ok(ev)
    }
}

/// The start-up check (issue 16): the chain from a head verified before —
/// by [`verify_parts`] or by an earlier call of this — to the head the
/// database records. Each event after `from` is checked as the full walk
/// checks it, and each record those events seal (`sealed(what)`: the stored
/// bytes of a dossier or an addendum) must match its digest. What it does not
/// see — a change to an event or a record sealed before `from` — is the full
/// walk's (`beian verify`, the nightly backup). The counts are of the events
/// and records checked now.
pub fn verify_since(
    from: &ChainHead,
    audit_after: impl IntoIterator<Item = Kv>,
    mut sealed: impl FnMut(&str) -> Option<Vec<u8>>,
    recorded_head: ChainHead,
) -> VerifyReport {
    let mut report = VerifyReport {
        head: from.clone(),
        ..VerifyReport::default()
    };
    let fail = |report: &mut VerifyReport, at: String, broken: Broken| {
        report.problem = Some(Problem { at, broken });
    };
    for (k, v) in audit_after {
        let next = report.head.seq + 1;
        let ev = match check_event(next, &k, &v, &report.head.seal) {
            Ok(ev) => ev,
            Err(b) => {
                fail(&mut report, format!("audit #{next}"), b);
                return report;
            }
        };
        for entry in ev.digest.split_whitespace() {
            if let Some((what, digest)) = entry.rsplit_once(':') {
                let broken = match sealed(what) {
                    None => Some(Broken::Missing { seq: ev.seq }),
                    Some(bytes) if sha256_hex(&bytes) != digest => Some(Broken::DigestMismatch { seq: ev.seq }),
                    Some(_) => None,
                };
                if let Some(b) = broken {
                    fail(&mut report, what.to_string(), b);
                    return report;
                }
                if what.contains('#') {
                    report.addenda += 1;
                } else {
                    report.dossiers += 1;
                }
            }
        }
        report.head = ChainHead {
            seq: ev.seq,
            seal: ev.seal,
        };
        report.events += 1;
    }
    if recorded_head != report.head {
        let at = format!("audit #{}", report.head.seq);
        fail(&mut report, at, Broken::HeadMismatch { head: recorded_head });
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

/// The fields only events of schema 2 and later have.
const CHAIN_FIELDS: [&str; 3] = ["digest", "prev", "seal"];

/// The audit actions that file a dossier and append an addendum: in a
/// schema-1 log they show which records were filed (and so may be sealed).
pub const FILE_ACTION: &str = "plan.file";
pub const ADDENDUM_ACTION: &str = "dossier.addendum";

/// Whether records that say schema `schema` agree with what their log shows.
/// Schema 1 wrote no chain: an event carrying a seal, a previous seal or a
/// digest, or a recorded head, was written by a later schema and marked as
/// older — refused, or migration 1 → 2 would re-seal whatever it finds. From
/// schema 2 on the chain itself is checked, by [`verify_parts`].
pub fn check_schema_agrees(
    schema: u32,
    audit: impl IntoIterator<Item = Kv>,
    recorded_head: bool,
) -> Result<(), Problem> {
    if schema >= 2 {
        return Ok(());
    }
    let downgrade = |at: String| Problem {
        at,
        broken: Broken::Downgrade { schema },
    };
    for (k, v) in audit {
        // An unreadable event is left for verify to report.
        let Ok(serde_json::Value::Object(ev)) = serde_json::from_slice(&v) else {
            continue;
        };
        if CHAIN_FIELDS.iter().any(|f| ev.contains_key(*f)) {
            let seq = k.as_slice().try_into().map(u64::from_be_bytes).unwrap_or_default();
            return Err(downgrade(format!("audit #{seq}")));
        }
    }
    if recorded_head {
        return Err(downgrade(HEAD_KEY.to_string()));
    }
    Ok(())
}

/// What migration 1 → 2 writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigratedV1 {
    /// Every readable event, sealed in order, then the sealing event (key, value).
    pub audit: Vec<Kv>,
    /// The sealing event's seq and seal: the new head.
    pub head: ChainHead,
    pub dossiers: usize,
    pub addenda: usize,
}

/// Migration 1 → 2 computed from the stored parts of a schema-1 database:
/// seal the events in order, then append one event sealing each dossier and
/// addendum that the schema-1 log shows being filed (a `plan.file` event
/// naming the dossier; the n-th `dossier.addendum` event of a dossier for its
/// addendum n). Those are the records schema 1 could not seal; a record the
/// log does not show being filed is left unsealed, for verify to name. Refused
/// (a downgrade) if the parts carry anything of a chain already.
pub fn migrate_v1_parts(
    audit: Vec<Kv>,
    dossiers: impl IntoIterator<Item = Kv>,
    addenda: impl IntoIterator<Item = Kv>,
    recorded_head: bool,
    now: crate::model::Time,
) -> Result<MigratedV1, Problem> {
    check_schema_agrees(1, audit.iter().cloned(), recorded_head)?;
    let mut out = Vec::with_capacity(audit.len() + 1);
    let mut prev = String::new();
    let mut last_seq = 0;
    let mut filed = std::collections::HashSet::new();
    let mut addenda_filed: HashMap<String, u32> = HashMap::new();
    for (k, v) in audit {
        if let Some(seq) = k.as_slice().try_into().ok().map(u64::from_be_bytes) {
            last_seq = last_seq.max(seq);
        }
        let Ok(mut ev) = serde_json::from_slice::<AuditEvent>(&v) else {
            // Not readable: left as it is, for verify to report.
            continue;
        };
        match ev.action.as_str() {
            FILE_ACTION => filed.extend(ev.entity.split_whitespace().map(str::to_string)),
            ADDENDUM_ACTION => {
                if let Some(d) = ev.entity.split_whitespace().next() {
                    *addenda_filed.entry(d.to_string()).or_default() += 1;
                }
            }
            _ => {}
        }
        ev.prev = prev;
        ev.seal = seal_of(&ev);
        prev = ev.seal.clone();
        out.push((k, super::enc(&ev)));
    }
    let mut digest = Vec::new();
    for (k, v) in dossiers {
        if let Some(id) = Id::from_key(IdKind::Dossier, &k) {
            if filed.contains(&id.to_string()) {
                digest.push(digest_entry(&id.to_string(), &v));
            }
        }
    }
    let dossiers = digest.len();
    for (k, v) in addenda {
        if k.len() < 4 {
            continue;
        }
        if let Some(id) = Id::from_key(IdKind::Dossier, &k[..k.len() - 4]) {
            let no = u32::from_be_bytes(k[k.len() - 4..].try_into().unwrap_or_default());
            if no >= 1 && no <= addenda_filed.get(&id.to_string()).copied().unwrap_or(0) {
                digest.push(digest_entry(&addendum_ref(id, no), &v));
            }
        }
    }
    let addenda = digest.len() - dossiers;
    let mut ev = AuditEvent {
        seq: last_seq + 1,
        time: now,
        actor: "beian".into(),
        action: MIGRATE_ACTION.into(),
        entity: "archive".into(),
        summary: format!("schema 1 → 2: hash chain; {dossiers} dossiers, {addenda} addenda sealed"),
        changes: Vec::new(),
        digest: digest.join(" "),
        prev,
        seal: String::new(),
    };
    ev.seal = seal_of(&ev);
    out.push((ev.seq.to_be_bytes().to_vec(), super::enc(&ev)));
    Ok(MigratedV1 {
        audit: out,
        head: ChainHead {
            seq: ev.seq,
            seal: ev.seal,
        },
        dossiers,
        addenda,
    })
}

/// Migration 1 → 2 ([`migrate_v1_parts`]), written in one transaction together
/// with the new schema version: there is no half-migrated database (which
/// would look like a downgrade).
pub(super) fn migrate_v1(db: &sled::Db) -> crate::error::Result<()> {
    use sled::transaction::TransactionError;
    use sled::Transactional;
    let tree = |name: &str| db.open_tree(name).map_err(super::storage);
    let (audit, meta, entity) = (tree("audit")?, tree("meta")?, tree("audit_entity")?);
    let read = |t: &sled::Tree| {
        t.iter()
            .map(|r| r.map(|(k, v)| (k.to_vec(), v.to_vec())))
            .collect::<sled::Result<Vec<Kv>>>()
            .map_err(super::storage)
    };
    let recorded_head = meta.get(HEAD_KEY).map_err(super::storage)?.is_some();
    let m = migrate_v1_parts(
        read(&audit)?,
        read(&tree("dossiers")?)?,
        read(&tree("addenda")?)?,
        recorded_head,
        chrono::Utc::now(),
    )
    .map_err(|p| p.to_error())?;
    let mut entity_key = b"archive".to_vec();
    entity_key.push(0);
    entity_key.extend_from_slice(&m.head.seq.to_be_bytes());
    (&audit, &meta, &entity)
        .transaction(|(a, me, e)| {
            for (k, v) in &m.audit {
                a.insert(k.as_slice(), v.as_slice())?;
            }
            e.insert(entity_key.as_slice(), &[][..])?;
            me.insert("audit_seq", &m.head.seq.to_be_bytes())?;
            me.insert(HEAD_KEY, m.head.seal.as_bytes())?;
            me.insert("schema", &2u32.to_be_bytes())?;
            Ok(())
        })
        .map_err(|e: TransactionError<()>| match e {
            TransactionError::Abort(()) => super::storage("migration aborted"),
            TransactionError::Storage(e) => super::storage(e),
        })?;
    db.flush().map_err(super::storage)?;
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
            changes: Vec::new(),
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

    /// The old → new values are sealed with the event; an event without them
    /// keeps the seal it had before they were recorded (the canonical form of
    /// the events already written does not change).
    #[test]
    fn changes_are_sealed_and_old_events_keep_their_seal() {
        let e = ev(1, "");
        // The seal of this event as schema 2 wrote it before changes existed.
        let mut h = Sha256::new();
        h.update(TAG);
        for b in [
            &1u64.to_be_bytes()[..],
            e.time.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true).as_bytes(),
            e.actor.as_bytes(),
            e.action.as_bytes(),
            e.entity.as_bytes(),
            e.summary.as_bytes(),
            e.digest.as_bytes(),
            e.prev.as_bytes(),
        ] {
            h.update((b.len() as u64).to_be_bytes());
            h.update(b);
        }
        assert_eq!(e.seal, hex(&h.finalize()));
        let mut with = e.clone();
        with.changes.push(crate::model::FieldChange {
            field: "priority".into(),
            item: String::new(),
            of: "Priority".into(),
            old: "normal".into(),
            new: "high".into(),
        });
        let sealed = seal_of(&with);
        assert_ne!(sealed, e.seal);
        for edit in [
            |c: &mut crate::model::FieldChange| c.old = "low".into(),
            |c: &mut crate::model::FieldChange| c.new = "urgent".into(),
            |c: &mut crate::model::FieldChange| c.field = "status".into(),
            |c: &mut crate::model::FieldChange| c.item = "D1".into(),
            |c: &mut crate::model::FieldChange| c.of = String::new(),
        ] {
            let mut forged = with.clone();
            edit(&mut forged.changes[0]);
            assert_ne!(seal_of(&forged), sealed, "{:?}", forged.changes);
        }
        // Moving text between the old and the new value changes the seal too.
        let mut moved = with.clone();
        moved.changes[0].old = "normalh".into();
        moved.changes[0].new = "igh".into();
        assert_ne!(seal_of(&moved), sealed);
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

    #[test]
    fn a_record_is_sealed_once() {
        let d = Id::new(IdKind::Dossier, 2026, 1);
        let (v1, v2) = (b"{\"a\":1}".to_vec(), b"{\"a\":2}".to_vec());
        let mut e1 = ev(1, "");
        e1.digest = digest_entry(&d.to_string(), &v1);
        e1.seal = seal_of(&e1);
        let mut e2 = ev(2, &e1.seal);
        e2.digest = digest_entry(&d.to_string(), &v2);
        e2.seal = seal_of(&e2);
        let kv = |e: &AuditEvent| (e.seq.to_be_bytes().to_vec(), crate::store::enc(e));
        let dossier = |v: &[u8]| vec![(d.key().to_vec(), v.to_vec())];
        assert!(verify_parts([kv(&e1)], dossier(&v1), [], None, None).ok());
        // The later digest matches the record as it is now; it does not count.
        let r = verify_parts([kv(&e1), kv(&e2)], dossier(&v2), [], None, None);
        let p = r.problem.unwrap();
        assert_eq!(p.at, d.to_string());
        assert_eq!(p.broken, Broken::Resealed { first: 1, again: 2 });
        // Sealing the same bytes again is a second digest too.
        e2.digest = digest_entry(&d.to_string(), &v1);
        e2.seal = seal_of(&e2);
        let r = verify_parts([kv(&e1), kv(&e2)], dossier(&v1), [], None, None);
        assert_eq!(r.problem.unwrap().broken, Broken::Resealed { first: 1, again: 2 });
    }

    #[test]
    fn the_filing_actions_are_the_commands_names() {
        let names: Vec<&str> = crate::workflow::command::Command::TABLE
            .iter()
            .map(|(n, _)| *n)
            .collect();
        assert!(names.contains(&FILE_ACTION) && names.contains(&ADDENDUM_ACTION));
    }

    #[test]
    fn migration_seals_only_what_the_schema_1_log_shows_filed() {
        let v1 = |seq: u64, action: &str, entity: &str| {
            let json = format!(
                r#"{{"seq":{seq},"time":"2026-03-02T04:0{seq}:00Z","actor":"wang","action":"{action}","entity":"{entity}","summary":"s"}}"#
            );
            (seq.to_be_bytes().to_vec(), json.into_bytes())
        };
        let (d1, d2) = (Id::new(IdKind::Dossier, 2026, 1), Id::new(IdKind::Dossier, 2026, 2));
        let audit = vec![
            v1(1, FILE_ACTION, &format!("PLAN-2026-0001 {d1}")),
            v1(2, ADDENDUM_ACTION, &d1.to_string()),
        ];
        let dossiers = vec![(d1.key().to_vec(), b"{}".to_vec()), (d2.key().to_vec(), b"{}".to_vec())];
        let add = |d: Id, no: u32| {
            let mut k = d.key().to_vec();
            k.extend_from_slice(&no.to_be_bytes());
            (k, b"{}".to_vec())
        };
        let addenda = vec![add(d1, 1), add(d1, 2)];
        let m = migrate_v1_parts(
            audit.clone(),
            dossiers.clone(),
            addenda.clone(),
            false,
            chrono::Utc::now(),
        )
        .unwrap();
        assert_eq!((m.dossiers, m.addenda, m.head.seq), (1, 1, 3));
        let r = verify_parts(
            m.audit.clone(),
            dossiers[..1].to_vec(),
            addenda[..1].to_vec(),
            Some(m.head.clone()),
            None,
        );
        assert!(r.ok(), "{r:?}");
        // A dossier and an addendum no event filed: left unsealed, and named.
        let r = verify_parts(
            m.audit.clone(),
            dossiers.clone(),
            addenda[..1].to_vec(),
            Some(m.head.clone()),
            None,
        );
        let p = r.problem.unwrap();
        assert_eq!((p.at.as_str(), p.broken), ("FILE-2026-0002", Broken::NotSealed));
        let r = verify_parts(m.audit, dossiers[..1].to_vec(), addenda, Some(m.head), None);
        assert_eq!(r.problem.unwrap().at, "FILE-2026-0001#2");
        // A log that carries a seal, or a recorded head, is not schema 1.
        let mut sealed = audit.clone();
        sealed[1].1 = crate::store::enc(&ev(2, "x"));
        let e = migrate_v1_parts(sealed, [], [], false, chrono::Utc::now()).unwrap_err();
        assert_eq!((e.at.as_str(), e.broken), ("audit #2", Broken::Downgrade { schema: 1 }));
        let e = migrate_v1_parts(audit, [], [], true, chrono::Utc::now()).unwrap_err();
        assert_eq!(e.at, HEAD_KEY);
    }
}
