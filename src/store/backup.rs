//! Backups: an engine-independent copy of every record, and a new database
//! built from one.
//!
//! `beian backup DIR` writes `DIR/beian-backup-<UTC time>/` (0700) holding
//! `records.jsonl` — one line per stored record, in tree and key order:
//! `{"tree":"requests","key":"<hex>","json":{…}}` for records (their JSON
//! exactly as stored, byte for byte, so the seals still match) or
//! `{"tree":"meta","key":"<hex>","hex":"<hex>"}` for anything else — and
//! `manifest.json`: format, schema version, counts per tree, the chain head,
//! and SHA-256 of `records.jsonl`. Both files 0600; the directory is written
//! under a `.<name>.<random>.partial` name, created exclusively, and renamed
//! when complete. The backup holds a lock (flock) on its working directory
//! while it writes; a `.partial` directory nobody holds is what a crash left,
//! and the next backup into the same place removes it and says so.
//!
//! Nothing of sled's is in it: a future version restores it by reading JSON
//! lines, then runs the migrations from the manifest's schema version.

use std::io::{BufRead, BufWriter, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::chain::{hex, ChainHead};
use super::{storage, Store, DEMO_KEY, T, TREE_NAMES};
use crate::error::{Error, Result};

pub const FORMAT: &str = "beian-backup-1";
pub const RECORDS: &str = "records.jsonl";
pub const MANIFEST: &str = "manifest.json";
const PREFIX: &str = "beian-backup-";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub schema: u32,
    pub beian_version: String,
    pub created_at: crate::model::Time,
    /// Records per tree.
    pub counts: std::collections::BTreeMap<String, u64>,
    pub head: ChainHead,
    pub records_sha256: String,
}

/// What a backup wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupReport {
    pub path: String,
    pub manifest: Manifest,
    pub bytes: u64,
    /// Older backups removed by `--keep`.
    pub removed: Vec<String>,
    /// The audit event that recorded the backup (`backup.write`), or the
    /// pruning after it (`backup.prune`): the last of the two.
    #[serde(default)]
    pub seq: u64,
    /// Unfinished backups a crash left in the directory, removed first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cleaned: Vec<String>,
}

/// A lock on a directory (flock on its file descriptor).
type DirLock = nix::fcntl::Flock<std::fs::File>;

fn lock_dir(dir: &Path, wait: bool) -> Option<DirLock> {
    use nix::fcntl::{Flock, FlockArg};
    let f = std::fs::File::open(dir).ok()?;
    let arg = if wait {
        FlockArg::LockExclusive
    } else {
        FlockArg::LockExclusiveNonblock
    };
    Flock::lock(f, arg).ok()
}

/// Remove the working directories (`.beian-backup-….partial`) in `dir` that no
/// backup holds any more — a crash left them — and that belong to this user;
/// returns their paths. One a running backup holds is left alone.
fn clean_partials(dir: &Path) -> Vec<String> {
    use std::os::unix::fs::MetadataExt;
    let me = nix::unistd::geteuid().as_raw();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut cleaned = Vec::new();
    for p in entries.flatten().map(|e| e.path()) {
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        if !(name.starts_with(&format!(".{PREFIX}")) && name.ends_with(".partial")) {
            continue;
        }
        // A real directory of this user's: never a symlink named like one.
        if !std::fs::symlink_metadata(&p).is_ok_and(|m| m.is_dir() && m.uid() == me) {
            continue;
        }
        let Some(lock) = lock_dir(&p, false) else { continue };
        if std::fs::remove_dir_all(&p).is_ok() {
            cleaned.push(p.display().to_string());
        }
        drop(lock);
    }
    cleaned
}

#[derive(Serialize, Deserialize)]
struct Line<'a> {
    tree: &'a str,
    key: String,
    #[serde(borrow, default, skip_serializing_if = "Option::is_none")]
    json: Option<&'a serde_json::value::RawValue>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    hex: Option<String>,
}

/// A value kept as JSON in the backup: an object, exactly as stored.
fn as_json(v: &[u8]) -> Option<&serde_json::value::RawValue> {
    if v.first() != Some(&b'{') {
        return None;
    }
    let raw: &serde_json::value::RawValue = serde_json::from_slice(v).ok()?;
    (raw.get().len() == v.len()).then_some(raw)
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

fn private_dir(dir: &Path) -> Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| Error::io(dir, e))
}

fn private_file(path: &Path) -> Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| Error::io(path, e))
}

/// `dir` as an absolute path without symbolic links or `.`/`..`, so that it can
/// be compared with the data directory and the configured backup directory:
/// the part that exists is resolved by the filesystem, the rest (directories
/// the backup will create) must be plain names.
pub fn resolve_dir(dir: &Path) -> Result<PathBuf> {
    use std::path::Component;
    let dir = std::path::absolute(dir).map_err(|e| Error::io(dir, e))?;
    let mut out = PathBuf::new();
    let mut exists = true;
    for c in dir.components() {
        match c {
            Component::Prefix(_) | Component::RootDir => out.push(c),
            Component::CurDir => {}
            // What is resolved so far has no symbolic link: its parent is `..`.
            Component::ParentDir if exists => {
                out.pop();
            }
            Component::ParentDir => {
                return Err(Error::input(
                    "backup.dir",
                    &dir.display().to_string(),
                    &crate::i18n::t("expected.backup_dir", &[]),
                ))
            }
            Component::Normal(name) => {
                out.push(name);
                if exists {
                    match std::fs::canonicalize(&out) {
                        Ok(real) => out = real,
                        Err(e) if e.kind() == std::io::ErrorKind::NotFound => exists = false,
                        Err(e) => return Err(Error::io(&out, e)),
                    }
                }
            }
        }
    }
    Ok(out)
}

impl Store {
    /// Write a backup into `dir`. The caller keeps writers out meanwhile (the
    /// service holds its write gate), so the copy is consistent; it decides
    /// whether `dir` is allowed (`Service::backup`) and prunes with
    /// [`prune`] afterwards.
    pub fn backup(&self, dir: &Path) -> Result<BackupReport> {
        private_dir(dir)?;
        let now = chrono::Utc::now();
        let name = format!("{PREFIX}{}", now.format("%Y%m%dT%H%M%S%.3fZ"));
        // Other backups into DIR wait while this one looks for leftovers and
        // makes (and locks) its own working directory, so that none takes
        // another's for a leftover.
        let dir_lock = lock_dir(dir, true);
        let cleaned = clean_partials(dir);
        // The working directory is made exclusively under a name nobody can
        // guess (mkdir, 0700): a name planted in DIR beforehand — a symlink to
        // someone else's directory — is never used.
        let partial = tempfile::Builder::new()
            .prefix(&format!(".{name}."))
            .suffix(".partial")
            .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o700))
            .tempdir_in(dir)
            .map_err(|e| Error::io(dir, e))?
            .keep();
        // Held until the backup is complete: a directory nobody holds is a leftover.
        let _working = lock_dir(&partial, false);
        drop(dir_lock);
        let done = dir.join(&name);
        let result = self.write_backup(&partial, now);
        let manifest = match result {
            Ok(m) => m,
            Err(e) => {
                let _ = std::fs::remove_dir_all(&partial);
                return Err(e);
            }
        };
        std::fs::rename(&partial, &done).map_err(|e| Error::io(&done, e))?;
        let bytes = std::fs::metadata(done.join(RECORDS)).map(|m| m.len()).unwrap_or(0);
        Ok(BackupReport {
            path: done.display().to_string(),
            manifest,
            bytes,
            removed: Vec::new(),
            seq: 0,
            cleaned,
        })
    }

    fn write_backup(&self, dir: &Path, now: crate::model::Time) -> Result<Manifest> {
        let path = dir.join(RECORDS);
        let file = private_file(&path)?;
        // Debug builds only: `BEIAN_FAULT=crash-backup` kills the process with
        // the backup half written (the leftover test).
        #[cfg(debug_assertions)]
        if std::env::var_os("BEIAN_FAULT").is_some_and(|v| v == "crash-backup") {
            eprintln!("beian: BEIAN_FAULT=crash-backup: aborting in {}", dir.display());
            std::process::abort();
        }
        let mut hasher = Sha256::new();
        let mut out = HashingWriter {
            inner: BufWriter::with_capacity(1 << 20, file),
            hasher: &mut hasher,
        };
        let mut counts = std::collections::BTreeMap::new();
        for (i, name) in TREE_NAMES.iter().enumerate() {
            if i == T::Undo as usize {
                continue;
            }
            let mut n = 0u64;
            for kv in self.trees[i].iter() {
                let (k, v) = kv.map_err(storage)?;
                let json = as_json(&v);
                let line = Line {
                    tree: name,
                    key: hex(&k),
                    json,
                    hex: json.is_none().then(|| hex(&v)),
                };
                serde_json::to_writer(&mut out, &line).map_err(|e| Error::io(&path, e))?;
                out.write_all(b"\n").map_err(|e| Error::io(&path, e))?;
                n += 1;
            }
            counts.insert(name.to_string(), n);
        }
        let file = out.inner.into_inner().map_err(|e| Error::io(&path, e.error()))?;
        file.sync_all().map_err(|e| Error::io(&path, e))?;
        let manifest = Manifest {
            format: FORMAT.into(),
            schema: super::SCHEMA_VERSION,
            beian_version: env!("CARGO_PKG_VERSION").into(),
            created_at: now,
            counts,
            head: self.chain_head()?,
            records_sha256: hex(&hasher.finalize()),
        };
        // The roles go with the records.
        let config = self.dir.join(crate::config::CONFIG_FILE);
        if let Ok(text) = std::fs::read(&config) {
            let cpath = dir.join(crate::config::CONFIG_FILE);
            let mut c = private_file(&cpath)?;
            c.write_all(&text).map_err(|e| Error::io(&cpath, e))?;
        }
        let mpath = dir.join(MANIFEST);
        let mut m = private_file(&mpath)?;
        m.write_all(&serde_json::to_vec_pretty(&manifest).expect("manifests serialize"))
            .and_then(|()| m.sync_all())
            .map_err(|e| Error::io(&mpath, e))?;
        Ok(manifest)
    }
}

struct HashingWriter<'a, W> {
    inner: W,
    hasher: &'a mut Sha256,
}

impl<W: Write> Write for HashingWriter<'_, W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// The backups in `dir` that keeping the `keep` newest removes, oldest first.
pub fn prunable(dir: &Path, keep: usize) -> Result<Vec<PathBuf>> {
    let mut all: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            // A real directory: a symlink named like a backup is not one of ours.
            std::fs::symlink_metadata(p).is_ok_and(|m| m.is_dir())
                && p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with(PREFIX))
        })
        .collect();
    all.sort();
    let extra = all.len().saturating_sub(keep.max(1));
    all.truncate(extra);
    Ok(all)
}

/// Remove `backups` (from [`prunable`]); returns the ones removed, in order,
/// and the error that stopped it, if any.
pub fn prune(backups: &[PathBuf]) -> (Vec<String>, Option<Error>) {
    let mut removed = Vec::new();
    for p in backups {
        if let Err(e) = std::fs::remove_dir_all(p) {
            return (removed, Some(Error::io(p, e)));
        }
        removed.push(p.display().to_string());
    }
    (removed, None)
}

/// Read a backup's manifest and check `records.jsonl` against it.
pub fn check_backup(dir: &Path) -> Result<Manifest> {
    let mpath = dir.join(MANIFEST);
    let text = std::fs::read(&mpath).map_err(|e| Error::io(&mpath, e))?;
    let manifest: Manifest = serde_json::from_slice(&text).map_err(|e| Error::Integrity {
        at: mpath.display().to_string(),
        detail: e.to_string(),
    })?;
    if manifest.format != FORMAT {
        return Err(Error::Integrity {
            at: mpath.display().to_string(),
            detail: format!("format {:?}, expected {FORMAT:?}", manifest.format),
        });
    }
    let rpath = dir.join(RECORDS);
    let mut f = std::fs::File::open(&rpath).map_err(|e| Error::io(&rpath, e))?;
    let mut h = Sha256::new();
    std::io::copy(&mut f, &mut h).map_err(|e| Error::io(&rpath, e))?;
    let found = hex(&h.finalize());
    if found != manifest.records_sha256 {
        return Err(Error::Integrity {
            at: rpath.display().to_string(),
            detail: format!(
                "SHA-256 {found}, the manifest says {}: changed since it was written",
                manifest.records_sha256
            ),
        });
    }
    Ok(manifest)
}

/// The records restored from a backup say the schema its manifest names, and
/// their chain agrees with it: records of schema 2 marked as schema 1 would
/// have the migration re-seal whatever it finds (a changed dossier too), so
/// they are refused (exit 6).
fn check_schema_of(db: &sled::Db, manifest: &Manifest, backup: &Path) -> Result<()> {
    let meta = db.open_tree("meta").map_err(storage)?;
    let said = meta
        .get("schema")
        .map_err(storage)?
        .and_then(|v| v.as_ref().try_into().ok().map(u32::from_be_bytes));
    if said != Some(manifest.schema) {
        return Err(Error::Integrity {
            at: backup.join(MANIFEST).display().to_string(),
            detail: crate::i18n::t(
                "backup.schema_mismatch",
                &[
                    ("manifest", manifest.schema.to_string()),
                    ("records", said.map(|v| v.to_string()).unwrap_or_else(|| "?".into())),
                ],
            ),
        });
    }
    let audit = db
        .open_tree("audit")
        .map_err(storage)?
        .iter()
        .map(|r| r.map(|(k, v)| (k.to_vec(), v.to_vec())))
        .collect::<sled::Result<Vec<_>>>()
        .map_err(storage)?;
    let recorded_head = meta.get(super::chain::HEAD_KEY).map_err(storage)?.is_some();
    super::chain::check_schema_agrees(manifest.schema, audit, recorded_head).map_err(|p| p.to_error())
}

/// Build a new database in `data_dir` (which must not exist) from the backup in
/// `backup`: check the file against its manifest, write every record — except
/// the demo mark ([`DEMO_KEY`]): a restored database is a real one — then open
/// it normally (running the migrations from the backup's schema version).
pub fn restore(backup: &Path, data_dir: &Path) -> Result<Manifest> {
    let manifest = check_backup(backup)?;
    if manifest.schema > super::SCHEMA_VERSION {
        return Err(Error::NewerSchema {
            path: backup.display().to_string(),
            found: manifest.schema,
            supported: super::SCHEMA_VERSION,
        });
    }
    if data_dir.join("db").exists() {
        return Err(Error::AlreadyExists {
            path: data_dir.display().to_string(),
        });
    }
    super::create_private_dir(data_dir)?;
    super::private_files_in(data_dir);
    let built = (|| {
        let db = super::open_sled(&data_dir.join("db")).map_err(storage)?;
        let rpath = backup.join(RECORDS);
        let file = std::fs::File::open(&rpath).map_err(|e| Error::io(&rpath, e))?;
        let bad = |line: usize, detail: String| Error::Integrity {
            at: format!("{}:{line}", rpath.display()),
            detail,
        };
        let mut trees: std::collections::HashMap<String, sled::Tree> = Default::default();
        for (i, line) in std::io::BufReader::new(file).lines().enumerate() {
            let line = line.map_err(|e| Error::io(&rpath, e))?;
            let l: Line = serde_json::from_str(&line).map_err(|e| bad(i + 1, e.to_string()))?;
            if !TREE_NAMES.contains(&l.tree) || l.tree == "undo" {
                return Err(bad(i + 1, format!("unknown tree {:?}", l.tree)));
            }
            let key = unhex(&l.key).ok_or_else(|| bad(i + 1, "key: not hex".into()))?;
            // A restored database is never a demo, whatever the backup says: the
            // mark lets the owner act as the demo people (`Service::act_as`).
            if l.tree == "meta" && key == DEMO_KEY {
                continue;
            }
            let value = match (l.json, &l.hex) {
                (Some(j), None) => j.get().as_bytes().to_vec(),
                (None, Some(h)) => unhex(h).ok_or_else(|| bad(i + 1, "value: not hex".into()))?,
                _ => return Err(bad(i + 1, "a line has either json or hex".into())),
            };
            let tree = match trees.get(l.tree) {
                Some(t) => t,
                None => {
                    let t = db.open_tree(l.tree).map_err(storage)?;
                    trees.entry(l.tree.to_string()).or_insert(t)
                }
            };
            tree.insert(key, value).map_err(storage)?;
        }
        db.flush().map_err(storage)?;
        check_schema_of(&db, &manifest, backup)?;
        let config = backup.join(crate::config::CONFIG_FILE);
        if config.exists() {
            // DIR may have existed: its config.toml is replaced only if it is a
            // regular file, never written through a symlink.
            let to = data_dir.join(crate::config::CONFIG_FILE);
            let text = crate::fsutil::read_regular(&config, crate::io::MAX_SMALL_FILE, crate::fsutil::Purpose::Read)?;
            crate::fsutil::write_file(&to, &text, 0o600)?;
        }
        Ok(())
    })();
    if let Err(e) = built {
        let _ = std::fs::remove_dir_all(data_dir.join("db"));
        return Err(e);
    }
    Ok(manifest)
}
