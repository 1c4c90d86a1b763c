//! Attached files (issue 18 §1), inside the database.
//!
//! - `chunks`: SHA-256 of a chunk (hex) → its bytes, at most [`CHUNK`] each, so
//!   that a large file never becomes one huge value;
//! - `files`: SHA-256 of a whole file (hex) → [`FileEntry`] (its size and its
//!   chunks in order);
//! - `attachments`: entity (`PLAN-2026-0004`), 0, number (u32 BE) →
//!   [`AttachmentEntry`]; `meta` counts them per entity (`attachments/<entity>`).
//!
//! Content is addressed by its hash: the same file attached twice, to one
//! record or to several, is stored once (nothing is ever removed, so every
//! stored file is reachable from an attachment). `beian verify` recomputes
//! every hash ([`Store::verify_attachments`]).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::chain::{sha256_hex, Broken, Problem};
use super::{dec, enc, storage, tx_err, Store, Tx, TxResult, T};
use crate::error::Result;
use crate::model::{AttachmentEntry, AttachmentRef, Dossier};

/// The size of a stored chunk (256 KiB).
pub const CHUNK: usize = 256 << 10;

/// A stored file: its size and the SHA-256 of each chunk, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    pub size: u64,
    pub chunks: Vec<String>,
}

fn attachment_key(entity: &str, no: u32) -> Vec<u8> {
    let mut k = entity.as_bytes().to_vec();
    k.push(0);
    k.extend_from_slice(&no.to_be_bytes());
    k
}

fn counter(entity: &str) -> String {
    format!("attachments/{entity}")
}

impl Tx<'_> {
    /// Store a file's content (once: a file already stored, or a chunk, is
    /// not written again); returns its SHA-256.
    pub fn put_file(&self, content: &[u8]) -> TxResult<String> {
        let sha = sha256_hex(content);
        if self.t(T::Files).get(sha.as_bytes()).map_err(tx_err)?.is_some() {
            return Ok(sha);
        }
        let mut chunks = Vec::new();
        for chunk in content.chunks(CHUNK) {
            let c = sha256_hex(chunk);
            if self.t(T::Chunks).get(c.as_bytes()).map_err(tx_err)?.is_none() {
                self.put(T::Chunks, c.as_bytes(), chunk)?;
            }
            chunks.push(c);
        }
        let entry = FileEntry {
            size: content.len() as u64,
            chunks,
        };
        self.put(T::Files, sha.as_bytes(), &enc(&entry))?;
        Ok(sha)
    }

    /// The attachments of a record, in order (read by number: a transaction
    /// cannot scan).
    pub fn attachments_of(&self, entity: &str) -> TxResult<Vec<AttachmentEntry>> {
        let n = self
            .t(T::Meta)
            .get(counter(entity).as_bytes())
            .map_err(tx_err)?
            .and_then(|v| v.as_ref().try_into().ok().map(u32::from_be_bytes))
            .unwrap_or(0);
        let mut out = Vec::new();
        for no in 1..=n {
            if let Some(v) = self.t(T::Attachments).get(attachment_key(entity, no)).map_err(tx_err)? {
                out.push(dec(&v, &format!("{entity} attachment #{no}"))?);
            }
        }
        Ok(out)
    }

    /// Record an attachment under the next number of its entity.
    pub fn add_attachment(&self, mut entry: AttachmentEntry) -> TxResult<AttachmentEntry> {
        let key = counter(&entry.entity);
        let no = self
            .t(T::Meta)
            .get(key.as_bytes())
            .map_err(tx_err)?
            .and_then(|v| v.as_ref().try_into().ok().map(u32::from_be_bytes))
            .unwrap_or(0)
            + 1;
        self.put(T::Meta, key.as_bytes(), &no.to_be_bytes())?;
        entry.no = no;
        self.put(T::Attachments, &attachment_key(&entry.entity, no), &enc(&entry))?;
        Ok(entry)
    }
}

/// What seals a dossier in the chain, for a package to carry
/// (`beian export dossier --format dir`): the SHA-256 of the record as
/// stored and the event that recorded it, the same for each addendum, and the
/// chain's head now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DossierSeal {
    pub dossier: String,
    /// SHA-256 of the dossier as stored (what the chain sealed).
    pub digest: String,
    /// The event that sealed it, and that event's own seal.
    pub event: u64,
    pub event_seal: String,
    /// Each addendum: `FILE-2026-0003#2`, its digest, its event.
    #[serde(default)]
    pub addenda: Vec<(String, String, u64)>,
    /// The head of the chain when the package was written.
    pub head: super::chain::ChainHead,
}

/// Why a stored file cannot be read back as it was attached.
enum FileFault {
    Missing,
    Changed,
}

impl Store {
    /// The attachments of a record, in order.
    pub fn attachments_of(&self, entity: &str) -> Result<Vec<AttachmentEntry>> {
        let mut prefix = entity.as_bytes().to_vec();
        prefix.push(0);
        self.tree(T::Attachments)
            .scan_prefix(prefix)
            .map(|r| {
                let (_, v) = r.map_err(storage)?;
                dec(&v, entity)
            })
            .collect()
    }

    /// Every attachment of every record.
    pub fn all_attachments(&self) -> Result<Vec<AttachmentEntry>> {
        self.tree(T::Attachments)
            .iter()
            .map(|r| {
                let (_, v) = r.map_err(storage)?;
                dec(&v, "attachment")
            })
            .collect()
    }

    /// Whether a file with this SHA-256 is stored.
    pub fn has_file(&self, sha256: &str) -> Result<bool> {
        Ok(self.tree(T::Files).get(sha256.as_bytes()).map_err(storage)?.is_some())
    }

    /// How many files and chunks are stored (tests: a file attached twice is
    /// stored once).
    pub fn file_counts(&self) -> (usize, usize) {
        (self.tree(T::Files).len(), self.tree(T::Chunks).len())
    }

    /// The content of a stored file, checked against its SHA-256 (an
    /// attachment whose content changed is refused, exit 6, naming it).
    pub fn file_content(&self, att: &AttachmentRef) -> Result<Vec<u8>> {
        self.read_file(&att.sha256).map_err(|f| {
            Problem {
                at: att.entity.clone(),
                broken: fault(f, att),
            }
            .to_error()
        })
    }

    fn read_file(&self, sha: &str) -> std::result::Result<Vec<u8>, FileFault> {
        let raw = self
            .tree(T::Files)
            .get(sha.as_bytes())
            .ok()
            .flatten()
            .ok_or(FileFault::Missing)?;
        let entry: FileEntry = dec(&raw, sha).map_err(|_| FileFault::Changed)?;
        let mut out = Vec::with_capacity(entry.size.min(1 << 30) as usize);
        for c in &entry.chunks {
            let bytes = self
                .tree(T::Chunks)
                .get(c.as_bytes())
                .ok()
                .flatten()
                .ok_or(FileFault::Missing)?;
            if sha256_hex(&bytes) != *c {
                return Err(FileFault::Changed);
            }
            out.extend_from_slice(&bytes);
        }
        if out.len() as u64 != entry.size || sha256_hex(&out) != sha {
            return Err(FileFault::Changed);
        }
        Ok(out)
    }

    /// The seal of a dossier and its addenda as the chain recorded them.
    pub fn dossier_seal(&self, id: crate::model::Id) -> Result<DossierSeal> {
        let name = id.to_string();
        let raw = self
            .tree(T::Dossiers)
            .get(id.key())
            .map_err(storage)?
            .ok_or_else(|| crate::error::Error::not_found(id))?;
        let mut seal = DossierSeal {
            dossier: name.clone(),
            digest: sha256_hex(&raw),
            event: 0,
            event_seal: String::new(),
            addenda: Vec::new(),
            head: self.chain_head()?,
        };
        let events = self.audit(Some(&name), usize::MAX)?;
        for ev in events.iter().rev() {
            for entry in ev.digest.split_whitespace() {
                let Some((what, digest)) = entry.rsplit_once(':') else {
                    continue;
                };
                if what == name {
                    seal.event = ev.seq;
                    seal.event_seal = ev.seal.clone();
                } else if what.starts_with(&format!("{name}#")) {
                    seal.addenda.push((what.to_string(), digest.to_string(), ev.seq));
                }
            }
        }
        Ok(seal)
    }

    /// Every attachment's content against its SHA-256, and every file a
    /// dossier or an addendum sealed against the attachments recorded: the
    /// first problem, naming the record and the file, and how many files
    /// were checked.
    pub fn verify_attachments(&self) -> Result<(u64, Option<Problem>)> {
        let mut checked: HashMap<String, bool> = HashMap::new();
        let mut ok = |sha: &str| -> std::result::Result<(), FileFault> {
            if let Some(good) = checked.get(sha) {
                return if *good { Ok(()) } else { Err(FileFault::Changed) };
            }
            let r = self.read_file(sha).map(|_| ());
            checked.insert(sha.to_string(), r.is_ok());
            r
        };
        let entries = self.all_attachments()?;
        for e in &entries {
            if let Err(f) = ok(&e.sha256) {
                return Ok((0, Some(problem(f, &e.sealed_ref()))));
            }
        }
        // What the archive sealed must still be recorded as attached.
        let mut sealed: Vec<AttachmentRef> = Vec::new();
        for r in self.tree(T::Dossiers).iter() {
            let (_, v) = r.map_err(storage)?;
            let d: Dossier = dec(&v, "dossier")?;
            sealed.extend(d.attachments);
        }
        for r in self.tree(T::Addenda).iter() {
            let (_, v) = r.map_err(storage)?;
            let a: crate::model::Addendum = dec(&v, "addendum")?;
            if let crate::model::AddendumBody::Attachment(at) = a.body {
                sealed.push(at);
            }
        }
        for s in &sealed {
            let recorded = entries
                .iter()
                .any(|e| e.entity == s.entity && e.name == s.name && e.sha256 == s.sha256);
            if !recorded {
                return Ok((0, Some(problem(FileFault::Missing, s))));
            }
            if let Err(f) = ok(&s.sha256) {
                return Ok((0, Some(problem(f, s))));
            }
        }
        Ok((entries.len() as u64, None))
    }
}

fn fault(f: FileFault, att: &AttachmentRef) -> Broken {
    let (name, sha256) = (att.name.clone(), att.sha256.clone());
    match f {
        FileFault::Missing => Broken::AttachmentMissing { name, sha256 },
        FileFault::Changed => Broken::AttachmentChanged { name, sha256 },
    }
}

fn problem(f: FileFault, att: &AttachmentRef) -> Problem {
    Problem {
        at: att.entity.clone(),
        broken: fault(f, att),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attachment_keys_of_one_entity_sort_by_number_and_do_not_mix() {
        let a = attachment_key("REQ-2026-0001", 2);
        let b = attachment_key("REQ-2026-0001", 10);
        let c = attachment_key("REQ-2026-00010", 1);
        assert!(a < b);
        let mut prefix = b"REQ-2026-0001".to_vec();
        prefix.push(0);
        assert!(a.starts_with(&prefix) && !c.starts_with(&prefix));
    }
}
