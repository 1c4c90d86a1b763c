//! Files attached to records (issue 18 §1): signed minutes, a vendor's test
//! report, screenshots, a training sign-in sheet, a backup log, an email's
//! attachments. The content is stored once, by its SHA-256, in chunks
//! (`store/files.rs`); a record's attachment names it by that hash.

use serde::{Deserialize, Serialize};

use super::request::str_enum;
use super::Time;

str_enum!(
    /// What an attached file is.
    AttachmentKind {
        Minutes = "minutes",
        TestReport = "test_report",
        Screenshot = "screenshot",
        SignInSheet = "sign_in_sheet",
        BackupLog = "backup_log",
        EmailAttachment = "email_attachment",
        Other = "other",
    }
);

#[allow(clippy::derivable_impls)] // the enum is declared by `str_enum!`, which derives no Default
impl Default for AttachmentKind {
    fn default() -> Self {
        AttachmentKind::Other
    }
}

/// A file as a dossier seals it: its name, kind, size and SHA-256, and the
/// record it is attached to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentRef {
    /// The record it is attached to (`PLAN-2026-0004`, `REQ-2026-0012`).
    pub entity: String,
    pub name: String,
    pub kind: AttachmentKind,
    pub size: u64,
    /// SHA-256 of the content, lower-case hex.
    pub sha256: String,
}

/// One file attached to one record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentEntry {
    /// Its number on the record (1, 2, …).
    pub no: u32,
    pub entity: String,
    pub name: String,
    pub kind: AttachmentKind,
    pub size: u64,
    pub sha256: String,
    pub added_by: String,
    pub added_at: Time,
    /// The addendum that sealed it, when it was attached after filing
    /// (`FILE-2026-0003#2`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub addendum: Option<String>,
}

impl AttachmentEntry {
    pub fn sealed_ref(&self) -> AttachmentRef {
        AttachmentRef {
            entity: self.entity.clone(),
            name: self.name.clone(),
            kind: self.kind,
            size: self.size,
            sha256: self.sha256.clone(),
        }
    }
}

/// The content of a file travelling with [`crate::workflow::command::NewAttachment`]:
/// never serialized (over the socket it goes ahead in upload frames, see
/// `server/protocol.rs`), compared by value, shown by its length.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Content(pub std::sync::Arc<Vec<u8>>);

impl Content {
    pub fn new(bytes: Vec<u8>) -> Content {
        Content(std::sync::Arc::new(bytes))
    }
    pub fn bytes(&self) -> &[u8] {
        &self.0
    }
}

/// Over the socket, as base64.
impl Serialize for Content {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use base64::Engine;
        s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(self.bytes()))
    }
}

impl<'de> Deserialize<'de> for Content {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Content, D::Error> {
        use base64::Engine;
        let s: std::borrow::Cow<'de, str> = Deserialize::deserialize(d)?;
        base64::engine::general_purpose::STANDARD
            .decode(s.as_bytes())
            .map(Content::new)
            .map_err(serde::de::Error::custom)
    }
}

/// One attached file with its content (`beian attachment get`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentFile {
    pub entry: AttachmentEntry,
    pub content: Content,
}

impl std::fmt::Debug for Content {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "<{} bytes>", self.0.len())
    }
}

/// SHA-256 of `bytes`, lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    let d = sha2::Sha256::digest(bytes);
    d.iter().map(|b| format!("{b:02x}")).collect()
}

/// A size for people: `0 B`, `1 B`, `12.3 KiB`, `4.0 MiB`.
pub fn size_text(n: u64) -> String {
    if n < 1024 {
        format!("{n} B")
    } else if n < 1 << 20 {
        format!("{:.1} KiB", n as f64 / 1024.0)
    } else {
        format!("{:.1} MiB", n as f64 / (1u64 << 20) as f64)
    }
}
