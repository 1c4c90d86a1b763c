//! The dossier package on disk (issue 18 §2): `beian export dossier ID
//! --format dir -o DIR` writes it (into a new directory, whole or not at all),
//! `beian verify --package DIR` checks it against the sealed record in the
//! database: the sums, every file rebuilt from the database, the seal, and
//! that the database's chain still holds the head the package names.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::export::package::{self, PackageSeal, SEAL, SUMS};
use crate::i18n::t;
use crate::model::Id;
use crate::service::Backend;

/// The largest file of a package read back (an attachment is at most the
/// database's limit; this only bounds a forged package).
const READ_CAP: u64 = 4 << 30;

/// The package's files for dossier `id`, in the current language.
fn build(s: &dyn Backend, id: Id, seal: Option<crate::store::files::DossierSeal>) -> Result<Vec<(String, Vec<u8>)>> {
    let v = s.dossier(id)?;
    let seal = match seal {
        Some(seal) => seal,
        None => s.dossier_seal(id)?,
    };
    let mut contents = Vec::new();
    for f in package::sealed_files(&v) {
        let entity: Id = f
            .entity
            .parse()
            .map_err(|_| Error::not_found(format!("{} {}", f.entity, f.name)))?;
        let file = s.attachment(entity, &f.name)?;
        if file.entry.sha256 != f.sha256 {
            return Err(crate::store::chain::Problem {
                at: f.entity.clone(),
                broken: crate::store::chain::Broken::AttachmentChanged {
                    name: f.name.clone(),
                    sha256: f.sha256.clone(),
                },
            }
            .to_error());
        }
        contents.push(file.content.bytes().to_vec());
    }
    Ok(package::package_files(&v, &seal, contents))
}

/// Write the package of dossier `id` into the new directory `dir`.
pub fn write(s: &dyn Backend, id: Id, dir: &Path) -> Result<usize> {
    if std::fs::symlink_metadata(dir).is_ok() {
        return Err(Error::AlreadyExists {
            path: dir.display().to_string(),
        });
    }
    let files = build(s, id, None)?;
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let tmp = tempfile::Builder::new()
        .prefix(".beian-package-")
        .tempdir_in(&parent)
        .map_err(|e| Error::io(&parent, e))?;
    for (path, bytes) in &files {
        let to = tmp.path().join(path);
        if let Some(p) = to.parent() {
            std::fs::create_dir_all(p).map_err(|e| Error::io(p, e))?;
        }
        crate::fsutil::write_file(&to, bytes, 0o644)?;
    }
    let kept = tmp.keep();
    std::fs::rename(&kept, dir).map_err(|e| {
        let _ = std::fs::remove_dir_all(&kept);
        Error::io(dir, e)
    })?;
    Ok(files.len())
}

fn broken(dir: &Path, file: &str, key: &str) -> Error {
    Error::Integrity {
        at: dir.join(file).display().to_string(),
        detail: t(key, &[]),
    }
}

/// Every regular file under `dir`, as paths relative to it.
fn walk(dir: &Path, rel: &str, out: &mut Vec<String>) -> Result<()> {
    let here = if rel.is_empty() {
        dir.to_path_buf()
    } else {
        dir.join(rel)
    };
    for e in std::fs::read_dir(&here).map_err(|e| Error::io(&here, e))? {
        let e = e.map_err(|e| Error::io(&here, e))?;
        let name = e.file_name().to_string_lossy().into_owned();
        let r = if rel.is_empty() { name } else { format!("{rel}/{name}") };
        let ft = e.file_type().map_err(|e| Error::io(&here, e))?;
        if ft.is_dir() {
            walk(dir, &r, out)?;
        } else {
            out.push(r);
        }
    }
    Ok(())
}

/// Check the package in `dir` against the database. Returns the dossier
/// and how many files were checked.
pub fn verify(s: &dyn Backend, dir: &Path) -> Result<(Id, usize)> {
    let read = |name: &str| crate::fsutil::read_regular(&dir.join(name), READ_CAP, crate::fsutil::Purpose::Read);
    // 1. The sums (what `sha256sum -c` checks), and nothing unlisted.
    let sums_text = String::from_utf8(read(SUMS)?).map_err(|_| broken(dir, SUMS, "package.unreadable"))?;
    let sums = package::parse_sums(&sums_text).ok_or_else(|| broken(dir, SUMS, "package.unreadable"))?;
    for (hash, path) in &sums {
        let bytes = read(path)?;
        if crate::model::sha256_hex(&bytes) != *hash {
            return Err(broken(dir, path, "package.damaged"));
        }
    }
    let mut present = Vec::new();
    walk(dir, "", &mut present)?;
    for p in &present {
        if p != SUMS && !sums.iter().any(|(_, q)| q == p) {
            return Err(broken(dir, p, "package.unlisted"));
        }
    }
    // 2. The seal names a dossier the database sealed the same way.
    let seal: PackageSeal =
        serde_json::from_slice(&read(SEAL)?).map_err(|_| broken(dir, SEAL, "package.unreadable"))?;
    let id = package::package_dossier(&seal).ok_or_else(|| broken(dir, SEAL, "package.unreadable"))?;
    let db = s.dossier_seal(id)?;
    if db.digest != seal.seal.digest || db.event != seal.seal.event || db.event_seal != seal.seal.event_seal {
        return Err(broken(dir, SEAL, "package.seal_differs"));
    }
    // 3. The database's chain still holds the head the package names (and
    // verifies, attachments included).
    let report = s.verify(Some(&seal.seal.head))?;
    if let Some(p) = report.problem {
        return Err(p.to_error());
    }
    // 4. Every file as the database gives it now, in the package's language,
    // with the package's head.
    let lang = crate::i18n::current();
    crate::i18n::set(&seal.lang);
    let mut expect_seal = db;
    expect_seal.head = seal.seal.head.clone();
    // Addenda appended after the package was written are not in it.
    expect_seal.addenda.truncate(seal.seal.addenda.len());
    let expected = build(s, id, Some(expect_seal));
    crate::i18n::set(&lang);
    let expected = expected?;
    for (path, bytes) in &expected {
        if path == SUMS {
            continue;
        }
        match sums.iter().find(|(_, p)| p == path) {
            None => return Err(broken(dir, path, "package.missing")),
            Some(_) if read(path)? != *bytes => return Err(broken(dir, path, "package.differs")),
            Some(_) => {}
        }
    }
    for (_, p) in &sums {
        if !expected.iter().any(|(q, _)| q == p) {
            return Err(broken(dir, p, "package.unlisted"));
        }
    }
    Ok((id, sums.len()))
}
