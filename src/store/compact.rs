//! `beian compact`: rewrite the database into a fresh sled directory.
//!
//! sled never shrinks its file: every rewrite of a record appends to the log and
//! frees the old fragment, and a freed segment in the middle of the file stays
//! there (the generated ten-year dataset holds 585 MB of records in 2.3 GB).
//! Worse, at every open sled overwrites each free segment in full, so a
//! fragmented database also opens slower. Compacting copies every tree, record
//! for record, into a new directory beside the old one, checks the copy (the
//! same records in every tree, the audit chain intact and ending at the same
//! head), and only then swaps the two directories.
//!
//! Crash safety: until the swap, the database is untouched; a leftover
//! `.compact/` (a copy as large as the database) is removed at the next open,
//! saying so ([`remove_leftover`]). The swap is two renames —
//! `db` → `.db.old`, `.compact/db` → `db` — and [`recover_swap`] (run at every
//! open, under the owner lock) finishes or undoes a swap a crash interrupted:
//! with `db` present the old copy is removed; without it, `.db.old` goes back.

use std::path::Path;
use std::time::Instant;

use serde::{Deserialize, Serialize};

use super::{open_sled, storage, OpenMode, Store, T, TREE_NAMES};
use crate::error::{Error, Result};

const WORK: &str = ".compact";
const OLD: &str = ".db.old";

/// What a compaction did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompactReport {
    pub path: String,
    pub bytes_before: u64,
    pub bytes_after: u64,
    pub records: u64,
    pub head: super::chain::ChainHead,
    pub seconds: f64,
}

fn dir_size(p: &Path) -> u64 {
    let Ok(rd) = std::fs::read_dir(p) else { return 0 };
    rd.flatten()
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => dir_size(&e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}

fn sync_dir(dir: &Path) -> Result<()> {
    std::fs::File::open(dir)
        .and_then(|f| f.sync_all())
        .map_err(|e| Error::io(dir, e))
}

/// Finish or undo a swap that a crash interrupted (see the module comment).
/// Called with the owner lock held, before sled opens `db`.
pub(super) fn recover_swap(dir: &Path) -> Result<()> {
    let old = dir.join(OLD);
    if !old.exists() {
        return Ok(());
    }
    if dir.join("db").join("conf").exists() {
        std::fs::remove_dir_all(&old).map_err(|e| Error::io(&old, e))?;
    } else {
        let db = dir.join("db");
        if db.exists() {
            std::fs::remove_dir_all(&db).map_err(|e| Error::io(&db, e))?;
        }
        std::fs::rename(&old, &db).map_err(|e| Error::io(&db, e))?;
    }
    sync_dir(dir)
}

/// Remove the working copy (`.compact/`) of a compaction a crash interrupted
/// before its swap: the database never depended on it. Called at every open,
/// with the owner lock held (so no compaction is running), after
/// [`recover_swap`]; says what it removed on standard error.
pub(super) fn remove_leftover(dir: &Path) -> Result<()> {
    let work = dir.join(WORK);
    let Ok(meta) = std::fs::symlink_metadata(&work) else {
        return Ok(());
    };
    let size = if meta.is_dir() { dir_size(&work) } else { meta.len() };
    let removed = if meta.is_dir() {
        std::fs::remove_dir_all(&work)
    } else {
        std::fs::remove_file(&work)
    };
    removed.map_err(|e| Error::io(&work, e))?;
    eprintln!(
        "{}",
        crate::i18n::t(
            "store.compact_removed",
            &[
                ("path", crate::sanitize::visible_line(&work.display().to_string())),
                ("size", format!("{:.1} MiB", size as f64 / 1048576.0)),
            ]
        )
    );
    Ok(())
}

impl Store {
    /// Rewrite the database compactly (see the module comment). Consumes the
    /// store: its sled handle is closed before the swap, its owner lock kept
    /// until the end.
    pub fn compact(self) -> Result<CompactReport> {
        let started = Instant::now();
        let dir = self.dir.clone();
        let db_dir = dir.join("db");
        let bytes_before = dir_size(&db_dir);
        let head = self.chain_head()?;
        let work = dir.join(WORK);
        if work.exists() {
            std::fs::remove_dir_all(&work).map_err(|e| Error::io(&work, e))?;
        }
        super::create_private_dir(&work)?;
        let copied = self.copy_into(&work.join("db"));
        let records = match copied {
            Ok(n) => n,
            Err(e) => {
                let _ = std::fs::remove_dir_all(&work);
                return Err(e);
            }
        };
        // The copy, opened as a database of its own, must verify to the same head.
        let checked = (|| {
            let copy = Store::open(&work, OpenMode::Existing, "")?;
            let report = copy.verify(Some(&head))?;
            if let Some(p) = report.problem {
                return Err(p.to_error());
            }
            Ok(())
        })();
        let _ = std::fs::remove_file(work.join("owner.lock"));
        if let Err(e) = checked {
            let _ = std::fs::remove_dir_all(&work);
            return Err(e);
        }
        // Debug builds only: `BEIAN_FAULT=crash-compact` kills the process
        // here, the copy made and checked, the swap not begun (the crash tests).
        #[cfg(debug_assertions)]
        if std::env::var_os("BEIAN_FAULT").is_some_and(|v| v == "crash-compact") {
            eprintln!("beian: BEIAN_FAULT=crash-compact: aborting before the swap");
            std::process::abort();
        }
        // Close sled (keeping the owner lock), then swap.
        let Store { db, trees, _owner, .. } = self;
        drop(trees);
        db.flush().map_err(storage)?;
        drop(db);
        let old = dir.join(OLD);
        std::fs::rename(&db_dir, &old).map_err(|e| Error::io(&old, e))?;
        std::fs::rename(work.join("db"), &db_dir).map_err(|e| Error::io(&db_dir, e))?;
        sync_dir(&dir)?;
        std::fs::remove_dir_all(&old).map_err(|e| Error::io(&old, e))?;
        let _ = std::fs::remove_dir_all(&work);
        drop(_owner);
        Ok(CompactReport {
            path: dir.display().to_string(),
            bytes_before,
            bytes_after: dir_size(&db_dir),
            records,
            head,
            seconds: started.elapsed().as_secs_f64(),
        })
    }

    /// Copy every tree (but the undo log, empty at rest) into a new sled
    /// database at `to`; returns how many records were copied, after checking
    /// that each tree of the copy holds as many as the original.
    fn copy_into(&self, to: &Path) -> Result<u64> {
        let new = open_sled(to).map_err(storage)?;
        let mut total = 0;
        for (i, name) in TREE_NAMES.iter().enumerate() {
            if i == T::Undo as usize {
                continue;
            }
            let tree = new.open_tree(name).map_err(storage)?;
            let (mut batch, mut in_batch, mut n) = (sled::Batch::default(), 0, 0u64);
            for kv in self.trees[i].iter() {
                let (k, v) = kv.map_err(storage)?;
                batch.insert(k, v);
                in_batch += 1;
                n += 1;
                if in_batch == 10_000 {
                    tree.apply_batch(std::mem::take(&mut batch)).map_err(storage)?;
                    in_batch = 0;
                }
            }
            tree.apply_batch(batch).map_err(storage)?;
            if tree.len() as u64 != n {
                return Err(Error::Storage {
                    detail: format!("compact: tree {name}: {n} records read, {} in the copy", tree.len()),
                });
            }
            total += n;
        }
        new.flush().map_err(storage)?;
        Ok(total)
    }
}
