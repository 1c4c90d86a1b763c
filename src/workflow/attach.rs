//! Attaching files to records (issue 18 §1, §3.5 "related materials"): which
//! records carry files, what a file must be to be accepted, and whether it
//! becomes a sealed addendum of a filed dossier. Pure: the service loads the
//! record, stores the content and audits.

use crate::error::Error;
use crate::i18n::t;
use crate::model::{sha256_hex, size_text, AttachmentEntry, AttachmentKind, Content, Id, IdKind, Time};

/// The default per-file limit (`config.toml` `[attachments] max_file_mib`).
pub const DEFAULT_MAX_FILE_MIB: u64 = 50;

/// The longest file name kept (bytes).
pub const MAX_NAME: usize = 255;

/// A file to attach: its name, kind, size and SHA-256. Its content travels
/// beside the command, never serialized: over the socket it goes ahead in
/// upload frames (`server/protocol.rs`, [`crate::server::protocol::ClientMsg::Upload`]).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct NewAttachment {
    pub name: String,
    #[serde(default)]
    pub kind: AttachmentKind,
    pub size: u64,
    pub sha256: String,
    #[serde(skip)]
    pub content: Content,
}

impl NewAttachment {
    /// A file to attach with its content.
    pub fn new(name: &str, kind: AttachmentKind, bytes: Vec<u8>) -> NewAttachment {
        NewAttachment {
            name: name.to_string(),
            kind,
            size: bytes.len() as u64,
            sha256: sha256_hex(&bytes),
            content: Content::new(bytes),
        }
    }
}

/// The records that carry files: requests, plans (and through them their
/// tests, backup, go-live and training), dossiers, orders and reports.
pub fn carries_files(kind: IdKind) -> bool {
    matches!(
        kind,
        IdKind::Request | IdKind::Plan | IdKind::Dossier | IdKind::Order | IdKind::Report
    )
}

/// Refuse a file over the limit before anything is read or stored.
pub fn check_size(name: &str, size: u64, limit: u64) -> Result<(), Error> {
    if size > limit {
        return Err(Error::input(
            "attachment_size",
            &format!("{name} ({})", size_text(size)),
            &t("attachment.expected.size", &[("limit", size_text(limit))]),
        ));
    }
    Ok(())
}

/// A file name as kept: trimmed, no path, no control characters, not empty,
/// at most [`MAX_NAME`] bytes.
pub fn check_name(name: &str) -> Result<String, Error> {
    let n = crate::sanitize::clean_line(name).trim().to_string();
    if n.is_empty() || n.contains('/') || n.contains('\\') || n == "." || n == ".." || n.len() > MAX_NAME {
        return Err(Error::input(
            "attachment_name",
            name,
            &t("attachment.expected.name", &[("max", MAX_NAME.to_string())]),
        ));
    }
    Ok(n)
}

/// Decide the attachments of one command on a record: each file within the
/// limit, its content the size and SHA-256 it claims, its name new on the
/// record (and in the command). Returns the entries to record (numbered by
/// the store).
pub fn decide_attach(
    entity: Id,
    existing: &[AttachmentEntry],
    files: &[NewAttachment],
    limit: u64,
    actor: &str,
    now: Time,
) -> Result<Vec<AttachmentEntry>, Error> {
    if !carries_files(entity.kind) {
        return Err(Error::input(
            "attachment",
            &entity.to_string(),
            &t("attachment.expected.entity", &[]),
        ));
    }
    if files.is_empty() {
        return Err(Error::input("attachment", "", &t("attachment.expected.file", &[])));
    }
    let mut out: Vec<AttachmentEntry> = Vec::new();
    for f in files {
        let name = check_name(&f.name)?;
        check_size(&name, f.size, limit)?;
        let bytes = f.content.bytes();
        if bytes.len() as u64 != f.size || sha256_hex(bytes) != f.sha256 {
            return Err(Error::input(
                "attachment",
                &name,
                &t(
                    "attachment.expected.content",
                    &[("sha", f.sha256.chars().take(12).collect())],
                ),
            ));
        }
        if existing.iter().any(|e| e.name == name) || out.iter().any(|e| e.name == name) {
            return Err(Error::input(
                "attachment_name",
                &name,
                &t("attachment.expected.new_name", &[("entity", entity.to_string())]),
            ));
        }
        out.push(AttachmentEntry {
            no: 0,
            entity: entity.to_string(),
            name,
            kind: f.kind,
            size: f.size,
            sha256: f.sha256.clone(),
            added_by: actor.to_string(),
            added_at: now,
            addendum: None,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> Time {
        chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap()
    }

    #[test]
    fn files_over_the_limit_with_wrong_content_or_a_taken_name_are_refused() {
        let plan: Id = "PLAN-2026-0001".parse().unwrap();
        let ok = NewAttachment::new("签到表.pdf", AttachmentKind::SignInSheet, b"abc".to_vec());
        let got = decide_attach(plan, &[], std::slice::from_ref(&ok), 3, "wang", now()).unwrap();
        assert_eq!(got[0].name, "签到表.pdf");
        assert!(decide_attach(plan, &[], std::slice::from_ref(&ok), 2, "wang", now()).is_err());
        let mut forged = ok.clone();
        forged.content = Content::new(b"abd".to_vec());
        assert!(decide_attach(plan, &[], &[forged], 3, "wang", now()).is_err());
        assert!(decide_attach(plan, &got, std::slice::from_ref(&ok), 3, "wang", now()).is_err());
        assert!(decide_attach(plan, &[], &[ok.clone(), ok.clone()], 3, "wang", now()).is_err());
        let system = Id::new(IdKind::System, 0, 1);
        assert!(decide_attach(system, &[], std::slice::from_ref(&ok), 3, "wang", now()).is_err());
        for bad in ["", " ", "a/b", "..", &"x".repeat(256)] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
        let empty = NewAttachment::new("empty.txt", AttachmentKind::Other, Vec::new());
        assert!(decide_attach(plan, &[], &[empty], 3, "wang", now()).is_ok());
    }
}
