//! sled's own files, as found when the database is opened: the unfinished
//! snapshot an interrupted open leaves behind, and which file is damaged when
//! sled reports corruption.
//!
//! What sled 0.34 keeps in `db/` (pagecache/snapshot.rs, config.rs):
//!
//! - `conf`: its settings, then the CRC-32 of them (4 bytes, little-endian).
//! - `db`: the log, every record with its own checksum.
//! - `snap.<stable lsn, 16 hex digits>`: a snapshot of the page table, so that
//!   an open need not read the whole log. The bytes, then their length (u64
//!   LE), then their CRC-32 (u32 LE). sled writes it at every open, to
//!   `snap.<lsn>.generating`, syncs it, renames it to `snap.<lsn>`, and only
//!   then removes older snapshots. It reads the file whose name sorts last
//!   among all `snap.*` (`.generating` ones included) and refuses the
//!   database if that file is 12 bytes or shorter or its CRC does not match.
//!
//! So when an open meets a full disk while writing the snapshot (or the process
//! dies then), sled leaves `snap.<lsn>.generating` empty or cut short, and
//! every later open fails with "Read corrupted data" — though the data is
//! intact: the log and the previous snapshot are untouched. A `.generating`
//! file is never complete by design unless its trailer's CRC matches; one that
//! is not complete is provably such a leftover, and removing it lets sled fall
//! back to the previous snapshot and the log, as if the interrupted open had
//! not happened. A complete one is left alone (sled reads it correctly).

use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::i18n::t;

/// The trailer after a snapshot's bytes: their length (8) and CRC-32 (4).
const SNAPSHOT_TRAILER: usize = 12;

/// Whether a snapshot file is whole: `Err(detail)` says what is wrong.
fn snapshot_check(path: &Path) -> std::io::Result<Result<(), String>> {
    let bytes = std::fs::read(path)?;
    if bytes.len() <= SNAPSHOT_TRAILER {
        return Ok(Err(t("store.damage.short", &[])));
    }
    let (body, trailer) = bytes.split_at(bytes.len() - SNAPSHOT_TRAILER);
    let crc = u32::from_le_bytes(trailer[8..].try_into().expect("4 bytes"));
    if crc32fast::hash(body) != crc {
        return Ok(Err(t("store.damage.checksum", &[])));
    }
    Ok(Ok(()))
}

/// The snapshot files sled considers, as it names them.
fn snapshots(db_dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(db_dir) else {
        return Vec::new();
    };
    let mut v: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("snap.") && !n.ends_with(".in___motion"))
        })
        .collect();
    v.sort();
    v
}

/// Remove every unfinished `snap.*.generating` in `db_dir` (nothing else);
/// returns what was removed. A leftover that cannot be removed is an
/// [`Error::Interrupted`] naming it.
pub(super) fn remove_interrupted_snapshots(dir: &Path, db_dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let mut removed = Vec::new();
    for path in snapshots(db_dir) {
        if !path.to_string_lossy().ends_with(".generating") {
            continue;
        }
        let interrupted = |detail: String| Error::Interrupted {
            path: dir.display().to_string(),
            file: path.display().to_string(),
            detail,
        };
        match snapshot_check(&path) {
            Ok(Ok(())) => continue,
            Ok(Err(_)) => {}
            Err(e) => return Err(interrupted(e.to_string())),
        }
        std::fs::remove_file(&path).map_err(|e| interrupted(e.to_string()))?;
        removed.push(path);
    }
    if !removed.is_empty() {
        if let Ok(d) = std::fs::File::open(db_dir) {
            let _ = d.sync_all();
        }
    }
    Ok(removed)
}

/// Say on standard error what [`remove_interrupted_snapshots`] removed (the
/// server's log, the terminal of a command).
pub(super) fn report_removed(removed: &[PathBuf]) {
    for p in removed {
        eprintln!(
            "{}",
            t(
                "store.snapshot_removed",
                &[("file", crate::sanitize::visible_line(&p.display().to_string()))]
            )
        );
    }
}

/// The error to show when sled cannot open `db_dir` (the data directory `dir`).
pub(super) fn open_error(dir: &Path, db_dir: &Path, e: sled::Error) -> Error {
    use std::io::ErrorKind as K;
    let path = dir.display().to_string();
    let detail = e.to_string();
    match &e {
        _ if detail.contains("could not acquire lock") => Error::Locked { path, holder: detail },
        // Opening writes (the snapshot); the disk refused: sled left the
        // snapshot unfinished. Remove it now, so that the next open, once
        // there is space, finds the database as it was.
        sled::Error::Io(io) if matches!(io.kind(), K::StorageFull | K::QuotaExceeded | K::ReadOnlyFilesystem) => {
            if let Err(e) = remove_interrupted_snapshots(dir, db_dir) {
                return e;
            }
            Error::OpenRefused {
                path,
                read_only: io.kind() == K::ReadOnlyFilesystem,
            }
        }
        sled::Error::Corruption { at, .. } => {
            let (file, detail) = damaged_file(db_dir, *at);
            Error::Damaged {
                path,
                file: file.display().to_string(),
                detail,
            }
        }
        // A `conf` sled cannot parse; if its checksum holds, it is not damage.
        sled::Error::Unsupported(_) => match conf_damage(db_dir) {
            Some(detail) => Error::Damaged {
                path,
                file: db_dir.join("conf").display().to_string(),
                detail,
            },
            None => Error::NotBeian { path, detail },
        },
        _ => Error::NotBeian { path, detail },
    }
}

/// What is wrong with `conf`, if its checksum does not hold.
fn conf_damage(db_dir: &Path) -> Option<String> {
    let bytes = std::fs::read(db_dir.join("conf")).ok()?;
    // sled ignores a `conf` of 8 bytes or fewer (and writes a new one).
    if bytes.len() <= 8 {
        return None;
    }
    let (body, crc) = bytes.split_at(bytes.len() - 4);
    let crc = u32::from_le_bytes(crc.try_into().expect("4 bytes"));
    (crc32fast::hash(body) != crc).then(|| t("store.damage.checksum", &[]))
}

/// Which of sled's files holds the corruption it reported: `conf` or the
/// snapshot it reads if their checksums fail, else the blob or the log.
fn damaged_file(db_dir: &Path, at: Option<sled::DiskPtr>) -> (PathBuf, String) {
    if let Some(detail) = conf_damage(db_dir) {
        return (db_dir.join("conf"), detail);
    }
    if let Some(last) = snapshots(db_dir).pop() {
        if let Ok(Err(detail)) = snapshot_check(&last) {
            return (last, detail);
        }
    }
    match at {
        Some(sled::DiskPtr::Blob(_, blob)) => (db_dir.join("blobs").join(blob.to_string()), t("store.damage.log", &[])),
        Some(sled::DiskPtr::Inline(offset)) => (
            db_dir.join("db"),
            t("store.damage.log_at", &[("offset", offset.to_string())]),
        ),
        None => (db_dir.join("db"), t("store.damage.log", &[])),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snapshot_bytes(body: &[u8]) -> Vec<u8> {
        let mut v = body.to_vec();
        v.extend_from_slice(&(body.len() as u64).to_le_bytes());
        v.extend_from_slice(&crc32fast::hash(body).to_le_bytes());
        v
    }

    #[test]
    fn only_unfinished_generating_snapshots_are_removed() {
        let tmp = tempfile::tempdir().unwrap();
        let db = tmp.path();
        let whole = snapshot_bytes(b"page table of some length");
        std::fs::write(db.join("snap.0000000000000010"), &whole).unwrap();
        std::fs::write(db.join("snap.0000000000000020.generating"), &whole).unwrap();
        std::fs::write(db.join("snap.0000000000000030.generating"), b"").unwrap();
        std::fs::write(db.join("snap.0000000000000040.generating"), &whole[..whole.len() - 3]).unwrap();
        let mut flipped = whole.clone();
        flipped[2] ^= 1;
        std::fs::write(db.join("snap.0000000000000050.generating"), &flipped).unwrap();
        // A finished snapshot that does not check out is damage, not a leftover.
        std::fs::write(db.join("snap.0000000000000060"), b"").unwrap();
        std::fs::write(db.join("conf"), b"segment_size: 524288\n").unwrap();
        let removed = remove_interrupted_snapshots(tmp.path(), db).unwrap();
        let names: Vec<String> = removed
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            names,
            [
                "snap.0000000000000030.generating",
                "snap.0000000000000040.generating",
                "snap.0000000000000050.generating"
            ]
        );
        assert!(db.join("snap.0000000000000010").exists());
        assert!(db.join("snap.0000000000000020.generating").exists());
        assert!(db.join("snap.0000000000000060").exists());
        assert!(db.join("conf").exists());
    }
}
