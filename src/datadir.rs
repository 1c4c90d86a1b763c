//! Who may change a data directory's files (issue 14: the group-shared data
//! directory made roles meaningless).
//!
//! The roles live in `config.toml` and the records in `db/`: whoever may write
//! either may give themselves any role or rewrite any record, whatever the
//! permission table says. So beian opens a data directory only when nobody but
//! its owner (and root) can change what it reads:
//!
//! - the data directory, `config.toml`, `owner.lock`, `db/` and everything in
//!   it are writable by neither their group nor others, and belong to the data
//!   directory's owner or to root;
//! - every directory above the data directory belongs to root or to that owner
//!   and is writable by nobody else unless it is sticky (like `/tmp`), so that
//!   nobody can put another data directory in its place;
//! - `config.toml` is a regular file (not a symbolic link to a file elsewhere).
//!
//! Anything else is refused with [`Error::Unprotected`], naming the path, what
//! is wrong and the command that fixes it. Files beian creates are its owner's
//! alone (umask 077, [`crate::store`]), whatever bits the directory has, so a
//! directory shared with a group for reading never gets files the group may
//! write. A team shares one database through `beian serve` (docs/deploy.md).

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// What is wrong with a path of the data directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    /// Writable by its group or by others.
    Writable,
    /// Belongs to another user than the data directory's owner (or root).
    Owner,
    /// A directory above the data directory that others may change.
    Above,
    /// `config.toml` is a symbolic link.
    Symlink,
}

impl Problem {
    pub fn as_str(self) -> &'static str {
        match self {
            Problem::Writable => "writable",
            Problem::Owner => "owner",
            Problem::Above => "above",
            Problem::Symlink => "symlink",
        }
    }
}

fn refuse(dir: &Path, path: &Path, problem: Problem, meta: &std::fs::Metadata, owner: u32) -> Error {
    Error::Unprotected {
        data_dir: dir.display().to_string(),
        path: path.display().to_string(),
        problem: problem.as_str().to_string(),
        mode: meta.mode() & 0o7777,
        uid: meta.uid(),
        owner,
    }
}

/// The data directory's owner (uid), or the error of looking at it.
pub fn owner_of(dir: &Path) -> Result<u32> {
    std::fs::metadata(dir).map(|m| m.uid()).map_err(|e| Error::io(dir, e))
}

/// Check one file or directory of the data directory `dir` (owned by `owner`).
fn check_entry(dir: &Path, path: &Path, meta: &std::fs::Metadata, owner: u32) -> Result<()> {
    if meta.uid() != owner && meta.uid() != 0 {
        return Err(refuse(dir, path, Problem::Owner, meta, owner));
    }
    // A symbolic link's own bits mean nothing; what it points to is checked
    // where it matters (config.toml is refused as a link).
    if !meta.file_type().is_symlink() && meta.mode() & 0o022 != 0 {
        return Err(refuse(dir, path, Problem::Writable, meta, owner));
    }
    Ok(())
}

/// `config.toml` of the data directory `dir`, if it exists: a regular file
/// nobody but the owner may change. Run before it is read (at every open, and
/// at every connection to the server, which reads it again then).
pub fn check_config(dir: &Path, path: &Path) -> Result<()> {
    let owner = owner_of(dir)?;
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => Err(refuse(dir, path, Problem::Symlink, &m, owner)),
        Ok(m) => check_entry(dir, path, &m, owner),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Error::io(path, e)),
    }
}

/// Check the data directory `dir` (which exists) before it is opened: the
/// directory, the directories above it, `config.toml`, `owner.lock` and every
/// file of `db/` and `archive-index/` (see the module comment).
pub fn check(dir: &Path) -> Result<()> {
    let real = dir.canonicalize().map_err(|e| Error::io(dir, e))?;
    let meta = std::fs::metadata(&real).map_err(|e| Error::io(dir, e))?;
    let owner = meta.uid();
    if meta.mode() & 0o022 != 0 {
        return Err(refuse(dir, dir, Problem::Writable, &meta, owner));
    }
    for above in real.ancestors().skip(1) {
        let m = std::fs::metadata(above).map_err(|e| Error::io(above, e))?;
        let owner_ok = m.uid() == 0 || m.uid() == owner;
        let sticky = m.mode() & 0o1000 != 0;
        if !owner_ok || (m.mode() & 0o022 != 0 && !sticky) {
            return Err(refuse(dir, above, Problem::Above, &m, owner));
        }
    }
    check_config(dir, &dir.join(crate::config::CONFIG_FILE))?;
    let lock = dir.join("owner.lock");
    if let Ok(m) = std::fs::symlink_metadata(&lock) {
        check_entry(dir, &lock, &m, owner)?;
    }
    // The persistent archive index beside `db/` is read without opening the
    // database (`search/archive.rs`): held to the same rule.
    let mut pending: Vec<PathBuf> = vec![dir.join("db"), dir.join(crate::search::archive::DIR)];
    while let Some(p) = pending.pop() {
        let m = match std::fs::symlink_metadata(&p) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(Error::io(&p, e)),
        };
        check_entry(dir, &p, &m, owner)?;
        if m.is_dir() {
            let entries = std::fs::read_dir(&p).map_err(|e| Error::io(&p, e))?;
            pending.extend(entries.flatten().map(|e| e.path()));
        }
    }
    Ok(())
}

/// Where a data directory is, as the kernel knows it: device and inode of the
/// directory and of its `db/`. A write compares them with what they were at
/// open, so that a change is never acknowledged into files that were removed
/// (or moved away) meanwhile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Identity {
    dir: (u64, u64),
    db: (u64, u64),
}

impl Identity {
    /// The identity of `dir` now; `None` if it or its `db/` is gone.
    pub fn of(dir: &Path) -> Option<Identity> {
        let id = |p: &Path| std::fs::metadata(p).ok().map(|m| (m.dev(), m.ino()));
        Some(Identity {
            dir: id(dir)?,
            db: id(&dir.join("db"))?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn chmod(p: &Path, mode: u32) {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
    }

    #[test]
    fn writable_places_are_named() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("data");
        std::fs::create_dir_all(dir.join("db/blobs")).unwrap();
        chmod(&dir, 0o700);
        std::fs::write(dir.join("config.toml"), "").unwrap();
        chmod(&dir.join("config.toml"), 0o640);
        std::fs::write(dir.join("db/db"), "").unwrap();
        chmod(&dir.join("db/db"), 0o600);
        check(&dir).unwrap();
        let problem = |e: Error| match e {
            Error::Unprotected { path, problem, .. } => (path, problem),
            other => panic!("{other:?}"),
        };
        chmod(&dir, 0o2770);
        assert_eq!(
            problem(check(&dir).unwrap_err()),
            (dir.display().to_string(), "writable".into())
        );
        chmod(&dir, 0o750);
        check(&dir).unwrap();
        chmod(&dir.join("config.toml"), 0o660);
        assert_eq!(
            problem(check(&dir).unwrap_err()),
            (dir.join("config.toml").display().to_string(), "writable".into())
        );
        chmod(&dir.join("config.toml"), 0o600);
        chmod(&dir.join("db/blobs"), 0o777);
        assert_eq!(
            problem(check(&dir).unwrap_err()),
            (dir.join("db/blobs").display().to_string(), "writable".into())
        );
        chmod(&dir.join("db/blobs"), 0o700);
        std::fs::rename(dir.join("config.toml"), dir.join("real.toml")).unwrap();
        std::os::unix::fs::symlink(dir.join("real.toml"), dir.join("config.toml")).unwrap();
        assert_eq!(
            problem(check(&dir).unwrap_err()),
            (dir.join("config.toml").display().to_string(), "symlink".into())
        );
    }
}
