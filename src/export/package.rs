//! The dossier as a portable package (issue 18 §2): a directory holding the
//! Markdown, the JSON, the print-ready HTML, every sealed attachment, the seal
//! (`seal.json`: the record's SHA-256 as the chain sealed it, the sealing
//! event, the chain head) and `SHA256SUMS` over all of them, in the format
//! `sha256sum -c` reads. Pure: the files as (path, bytes); writing them and
//! checking a package against the database is `cli/package.rs`.

use serde::{Deserialize, Serialize};

use crate::i18n::t;
use crate::model::{AttachmentRef, Id};
use crate::service::DossierView;
use crate::store::files::DossierSeal;

/// The `format` of `seal.json`.
pub const PACKAGE_FORMAT: &str = "beian.package-1";
pub const SUMS: &str = "SHA256SUMS";
pub const SEAL: &str = "seal.json";

/// `seal.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackageSeal {
    pub format: String,
    /// The language the Markdown and HTML are written in.
    pub lang: String,
    #[serde(flatten)]
    pub seal: DossierSeal,
    /// Each sealed attachment and where it is in the package.
    pub attachments: Vec<PackagedFile>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackagedFile {
    pub path: String,
    #[serde(flatten)]
    pub file: AttachmentRef,
}

/// Every file the dossier sealed: at filing, then in its addenda.
pub fn sealed_files(v: &DossierView) -> Vec<AttachmentRef> {
    let mut out = v.dossier.attachments.clone();
    for a in &v.addenda {
        if let crate::model::AddendumBody::Attachment(at) = &a.body {
            out.push(at.clone());
        }
    }
    out
}

/// Where an attachment goes in the package: `attachments/<record>/<name>`.
pub fn attachment_path(a: &AttachmentRef) -> String {
    format!("attachments/{}/{}", a.entity, a.name)
}

/// The package's files in the current language, `SHA256SUMS` last.
/// `contents`: the content of each of [`sealed_files`], in that order.
pub fn package_files(v: &DossierView, seal: &DossierSeal, contents: Vec<Vec<u8>>) -> Vec<(String, Vec<u8>)> {
    let files = sealed_files(v);
    let seal_lines = vec![
        (
            t("export.package.digest", &[]),
            format!("{} sha256 {}", seal.dossier, seal.digest),
        ),
        (
            t("export.package.event", &[]),
            format!("#{} {}", seal.event, seal.event_seal),
        ),
        (t("export.package.head", &[]), seal.head.to_string()),
    ];
    let package_seal = PackageSeal {
        format: PACKAGE_FORMAT.to_string(),
        lang: crate::i18n::current(),
        seal: seal.clone(),
        attachments: files
            .iter()
            .map(|f| PackagedFile {
                path: attachment_path(f),
                file: f.clone(),
            })
            .collect(),
    };
    let mut seal_json = serde_json::to_string_pretty(&package_seal).expect("seals serialize");
    seal_json.push('\n');
    let mut out: Vec<(String, Vec<u8>)> = vec![
        ("dossier.md".into(), super::dossier_markdown(v).into_bytes()),
        ("dossier.json".into(), super::dossier_json(v).into_bytes()),
        (
            "dossier.html".into(),
            super::html::dossier_html(v, &seal_lines).into_bytes(),
        ),
        (SEAL.into(), seal_json.into_bytes()),
    ];
    for (f, bytes) in files.iter().zip(contents) {
        out.push((attachment_path(f), bytes));
    }
    let mut sums = String::new();
    for (path, bytes) in &out {
        sums.push_str(&format!("{}  {path}\n", crate::model::sha256_hex(bytes)));
    }
    out.push((SUMS.into(), sums.into_bytes()));
    out
}

/// Read `SHA256SUMS`: (hash, path) per line, as `sha256sum` writes them.
pub fn parse_sums(text: &str) -> Option<Vec<(String, String)>> {
    text.lines()
        .filter(|l| !l.is_empty())
        .map(|l| {
            let (h, p) = l.split_once("  ")?;
            (h.len() == 64 && h.chars().all(|c| c.is_ascii_hexdigit())).then(|| (h.to_string(), p.to_string()))
        })
        .collect()
}

/// The dossier a package names.
pub fn package_dossier(seal: &PackageSeal) -> Option<Id> {
    seal.seal.dossier.parse().ok()
}
