//! Durable storage in sled — the only module that imports it.
//!
//! Layout of a data directory (`$XDG_DATA_HOME/beian` by default, mode 0700):
//! `db/` the sled database, `owner.lock` held (flock) by the process that has it
//! open and naming that process, `config.toml` the roles and process settings.
//!
//! Trees: one per record kind, keyed by [`Id::key`] (so iteration is id order),
//! a `*_sum` tree beside each listable kind holding the compact summary the lists
//! read, the append-only `audit` log keyed by sequence number, and `meta` (schema
//! version, id counters, calendar). Every mutation is one sled transaction over
//! all of them, flushed to disk before it is reported done.

pub mod backup;
pub mod chain;
pub mod compact;
pub mod config_log;
pub mod files;
mod index;
mod lists;
mod lock;
mod records;
mod sled_files;
mod undo;

pub use index::DossierTrees;
pub use lists::Counts;

pub use lock::{describe_as, OwnerLock};
pub use records::Record;

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde::Serialize;
use sled::transaction::{ConflictableTransactionError, TransactionError, TransactionalTree};
use sled::Transactional;

use crate::error::{Error, Result};
use crate::model::{Addendum, AddendumBody, AuditEvent, Blackout, Dossier, Id, IdKind, Meta, Time};

/// The schema this binary writes. Bump it with a migration in [`MIGRATIONS`].
/// 1: the first release. 2: the audit log is a hash chain sealing the archive.
pub const SCHEMA_VERSION: u32 = 2;

/// Migration from version `n` to `n + 1` is `MIGRATIONS[n - 1]`.
/// A migration writes its changes and the new schema version in one
/// transaction, or refuses (a database whose records disagree with the
/// schema it says it is, exit 6).
type Migration = fn(&sled::Db) -> Result<()>;
const MIGRATIONS: &[Migration] = &[chain::migrate_v1];

const MAGIC: &[u8] = b"beian";

/// `meta` key of the archive counter (see [`Store::archive_gen`]).
const ARCHIVE_GEN: &str = "archive_gen";

/// Tree indices in every transaction's view.
#[derive(Clone, Copy)]
#[repr(usize)]
#[doc(hidden)]
pub enum T {
    Meta,
    Systems,
    SystemsSum,
    Requests,
    RequestsSum,
    Plans,
    PlansSum,
    Dossiers,
    DossiersSum,
    DossierText,
    Addenda,
    Orders,
    Reports,
    Audit,
    AuditEntity,
    Imports,
    Recognitions,
    Undo,
    RequestsByTime,
    JointReviews,
    Templates,
    TemplatesSum,
    Attachments,
    Files,
    Chunks,
    People,
    Departments,
    Vendors,
    Outbox,
}

/// `imports` (key: `msgid:<Message-ID>` or `row:<SHA-256>`, value: the request id
/// it created or was appended to) was added after schema 1 was released; a new
/// tree is additive (sled creates it empty when an older database is opened and
/// older binaries never look at it), so the schema version stays 1. The same
/// holds for `recognitions` (awards and penalties, §5.2), added later still,
/// and for `joint_reviews` (joint review meetings, §3.1).
///
/// `undo` holds the before-images of a long, batched change (a large import)
/// while it runs; it is empty at rest (see `undo.rs`).
///
/// `templates` and `templates_sum` (templates of standard changes) are
/// additive in the same way.
///
/// `attachments`, `files` and `chunks` (attached files, `files.rs`) are
/// additive in the same way, and so are the register (`people`,
/// `departments`, `vendors`) and the mail `outbox`.
const TREE_NAMES: [&str; 29] = [
    "meta",
    "systems",
    "systems_sum",
    "requests",
    "requests_sum",
    "plans",
    "plans_sum",
    "dossiers",
    "dossiers_sum",
    "dossier_text",
    "addenda",
    "orders",
    "reports",
    "audit",
    "audit_entity",
    "imports",
    "recognitions",
    "undo",
    "requests_by_time",
    "joint_reviews",
    "templates",
    "templates_sum",
    "attachments",
    "files",
    "chunks",
    "people",
    "departments",
    "vendors",
    "outbox",
];

pub(crate) fn enc<V: Serialize>(v: &V) -> Vec<u8> {
    serde_json::to_vec(v).expect("records serialize")
}

pub(crate) fn dec<V: DeserializeOwned>(bytes: &[u8], what: &str) -> Result<V> {
    serde_json::from_slice(bytes).map_err(|e| Error::Storage {
        detail: format!("{what}: {e}"),
    })
}

fn storage(e: impl std::fmt::Display) -> Error {
    Error::Storage { detail: e.to_string() }
}

/// The key in `meta` that marks a database `beian demo` created.
pub const DEMO_KEY: &[u8] = b"demo";

/// An open database.
pub struct Store {
    /// Flush after every commit (the default). Bulk loads turn it off and flush once.
    durable: std::sync::atomic::AtomicBool,
    db: sled::Db,
    trees: Vec<sled::Tree>,
    dir: PathBuf,
    /// Batch number of the long change in progress (see `undo.rs`).
    undo_batch: std::sync::atomic::AtomicU32,
    /// A write of sled's failed because the disk refused it: see [`Store::reopen`].
    sled_refused: std::sync::atomic::AtomicBool,
    /// The data directory and its `db/` as they were at open: a write into
    /// them after they were removed or replaced is refused ([`Store::check_present`]).
    identity: crate::datadir::Identity,
    /// The last answer of the start-up integrity check ([`Store::integrity`]),
    /// by the head it reached: every client of a server shares it.
    verified: std::sync::Mutex<Option<chain::VerifyReport>>,
    _owner: OwnerLock,
}

/// The file in the data directory (beside `db/`, not a record: backups and
/// compaction copy the records byte for byte) that keeps the last head a check
/// found intact (JSON [`chain::ChainHead`]): where the next start-up check
/// begins. Derived: without it the next check is the full walk.
pub const VERIFIED_FILE: &str = "verified_head";

/// What opening should do when there is no database yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenMode {
    /// It must exist.
    Existing,
    /// Create it, refusing if one exists. `demo` marks it as a demo database.
    Create { demo: bool },
}

impl Store {
    /// Open (or create) the data directory `dir`.
    pub fn open(dir: &Path, mode: OpenMode, creator: &str) -> Result<Store> {
        let db_dir = dir.join("db");
        // A compaction's swap interrupted between its two renames leaves the
        // database in `.db.old` (see `compact.rs`): it is still there.
        // A data directory closed to this user is said so, not taken for none.
        let present = |p: PathBuf| match std::fs::metadata(&p) {
            Ok(_) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => Err(Error::io(&p, e)),
            Err(_) => Ok(false),
        };
        let exists = present(db_dir.join("conf"))? || present(dir.join(".db.old").join("conf"))?;
        match (mode, exists) {
            (OpenMode::Existing, false) => {
                if dir.is_file() {
                    return Err(Error::NotBeian {
                        path: dir.display().to_string(),
                        detail: "is a file, not a directory".into(),
                    });
                }
                return Err(Error::NoDatabase {
                    path: dir.display().to_string(),
                });
            }
            (OpenMode::Create { .. }, true) => {
                return Err(Error::AlreadyExists {
                    path: dir.display().to_string(),
                })
            }
            _ => {}
        }
        if let OpenMode::Create { .. } = mode {
            create_private_dir(dir)?;
        }
        // Nobody but the owner may change what this process reads: the roles
        // and the records (src/datadir.rs).
        crate::datadir::check(dir)?;
        private_files_in(dir);
        let owner = OwnerLock::acquire(dir)?;
        compact::recover_swap(dir)?;
        compact::remove_leftover(dir)?;
        // An open interrupted by a full disk (or a kill) left sled's snapshot
        // unfinished: it would read it first and call the database corrupt.
        sled_files::report_removed(&sled_files::remove_interrupted_snapshots(dir, &db_dir)?);
        let db = open_sled(&db_dir).map_err(|e| sled_files::open_error(dir, &db_dir, e))?;
        let trees = TREE_NAMES
            .iter()
            .map(|n| db.open_tree(n))
            .collect::<sled::Result<Vec<_>>>()
            .map_err(storage)?;
        let identity = crate::datadir::Identity::of(dir).ok_or_else(|| Error::DataDirGone {
            path: dir.display().to_string(),
        })?;
        let store = Store {
            durable: std::sync::atomic::AtomicBool::new(true),
            db,
            trees,
            dir: dir.to_path_buf(),
            identity,
            undo_batch: std::sync::atomic::AtomicU32::new(0),
            sled_refused: std::sync::atomic::AtomicBool::new(false),
            verified: std::sync::Mutex::new(None),
            _owner: owner,
        };
        match mode {
            OpenMode::Create { demo } => store.initialize(creator, demo)?,
            OpenMode::Existing => {
                store.check_schema()?;
                store.recover_long_and_say()?;
                store.ensure_lists()?;
            }
        }
        Ok(store)
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// What `owner.lock` tells other processes about the holder.
    pub fn set_holder(&self, text: &str) {
        self._owner.describe(text);
    }

    fn tree(&self, t: T) -> &sled::Tree {
        &self.trees[t as usize]
    }

    fn initialize(&self, creator: &str, demo: bool) -> Result<()> {
        let m = self.tree(T::Meta);
        m.insert("magic", MAGIC).map_err(storage)?;
        m.insert("schema", &SCHEMA_VERSION.to_be_bytes()).map_err(storage)?;
        m.insert("creator", creator.as_bytes()).map_err(storage)?;
        m.insert("created_at", enc(&chrono::Utc::now())).map_err(storage)?;
        if demo {
            m.insert(DEMO_KEY, b"1").map_err(storage)?;
        }
        // Empty, so its counts and order (none) are complete.
        m.insert(lists::READY, enc(&true)).map_err(storage)?;
        self.db.flush().map_err(storage)?;
        Ok(())
    }

    fn check_schema(&self) -> Result<()> {
        let path = self.dir.display().to_string();
        let m = self.tree(T::Meta);
        if m.get("magic").map_err(storage)?.as_deref() != Some(MAGIC) {
            return Err(Error::NotBeian {
                path,
                detail: "no beian marker in the database".into(),
            });
        }
        let found = m
            .get("schema")
            .map_err(storage)?
            .and_then(|v| v.as_ref().try_into().ok().map(u32::from_be_bytes))
            .unwrap_or(0);
        if found > SCHEMA_VERSION {
            return Err(Error::NewerSchema {
                path,
                found,
                supported: SCHEMA_VERSION,
            });
        }
        if found == 0 {
            return Err(Error::NotBeian {
                path,
                detail: "schema version missing".into(),
            });
        }
        for v in found..SCHEMA_VERSION {
            MIGRATIONS[(v - 1) as usize](&self.db)?;
            m.insert("schema", &(v + 1).to_be_bytes()).map_err(storage)?;
            self.db.flush().map_err(storage)?;
        }
        Ok(())
    }

    /// The user who created the database: its first admin.
    pub fn creator(&self) -> Result<String> {
        Ok(self
            .tree(T::Meta)
            .get("creator")
            .map_err(storage)?
            .map(|v| String::from_utf8_lossy(&v).into_owned())
            .unwrap_or_default())
    }

    /// Whether `beian demo` created this database (never one `beian restore`
    /// built: the mark is not restored).
    pub fn is_demo(&self) -> Result<bool> {
        Ok(self.tree(T::Meta).get(DEMO_KEY).map_err(storage)?.is_some())
    }

    /// Run `f` as one transaction over every tree, then flush. `f` may run more
    /// than once if sled detects a concurrent conflict, so it must not have side
    /// effects outside `Tx`. `who` is a user name or an [`Actor`](crate::model::Actor)
    /// (see [`Who`]).
    pub fn transact<'w, A>(&self, who: impl Into<Who<'w>>, now: Time, f: impl Fn(&mut Tx) -> Result<A>) -> Result<A> {
        self.check_present()?;
        self.check_space()?;
        let value = self.transact_with(who.into(), now, None, f)?;
        if self.durable.load(std::sync::atomic::Ordering::Relaxed) {
            self.db.flush().map_err(|e| self.write_error(e))?;
            // Acknowledged only if it went into the files of the data
            // directory that is still there.
            self.check_present()?;
        }
        Ok(value)
    }

    /// Refuse a write when the data directory (or its `db/`) was removed or
    /// replaced since the database was opened: sled would go on writing into
    /// files nobody can open again, and acknowledge it.
    pub(crate) fn check_present(&self) -> Result<()> {
        if crate::datadir::Identity::of(&self.dir) == Some(self.identity) {
            return Ok(());
        }
        Err(Error::DataDirGone {
            path: self.dir.display().to_string(),
        })
    }

    /// One transaction, writing before-images to the undo log when `undo_batch`
    /// is given; not flushed.
    fn transact_with<A>(
        &self,
        who: Who<'_>,
        now: Time,
        undo_batch: Option<u32>,
        f: impl Fn(&mut Tx) -> Result<A>,
    ) -> Result<A> {
        let refs: Vec<&sled::Tree> = self.trees.iter().collect();
        let out = refs.as_slice().transaction(|trees: &Vec<TransactionalTree>| {
            let mut tx = Tx {
                trees,
                actor: who.name,
                via: who.via,
                now,
                undo: undo_batch.map(|batch| (batch, std::cell::RefCell::new(Vec::new()))),
                sealed: Default::default(),
                dir: &self.dir,
            };
            f(&mut tx)
                .and_then(|v| tx.write_undo().map(|()| v))
                .map_err(|e| match e {
                    Error::TxRetry => ConflictableTransactionError::Conflict,
                    e => ConflictableTransactionError::Abort(e),
                })
        });
        let value = match out {
            Ok(v) => v,
            // A refusal seen inside the transaction (`tx_err`) does not know the directory.
            Err(TransactionError::Abort(Error::DiskRefused { read_only, .. })) => {
                self.sled_refused.store(true, std::sync::atomic::Ordering::SeqCst);
                return Err(Error::DiskRefused {
                    path: self.dir.display().to_string(),
                    read_only,
                });
            }
            Err(TransactionError::Abort(e)) => return Err(e),
            Err(TransactionError::Storage(e)) => return Err(self.write_error(e)),
        };
        Ok(value)
    }

    /// Whether each commit is flushed (not in a bulk load).
    pub fn is_durable(&self) -> bool {
        self.durable.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Bulk loading (demo data, imports): skip the flush after each commit, or
    /// turn it back on and flush everything written meanwhile.
    pub fn set_durable(&self, durable: bool) -> Result<()> {
        self.durable.store(durable, std::sync::atomic::Ordering::Relaxed);
        if durable {
            self.db.flush().map_err(|e| self.write_error(e))?;
            self.check_present()?;
        }
        Ok(())
    }

    /// Refuse a write before sled sees it when the disk is read-only or has less
    /// than [`MIN_FREE`] left: once a write of sled's fails, sled refuses every
    /// later read and write until the database is opened again, so it should not
    /// get that far.
    pub(crate) fn check_space(&self) -> Result<()> {
        use nix::sys::statvfs::{statvfs, FsFlags};
        // Debug builds only: `BEIAN_FAULT=no-space-check` lets sled meet the full
        // disk itself (the test of what follows: the refusal, the reopen).
        #[cfg(debug_assertions)]
        if std::env::var("BEIAN_FAULT").is_ok_and(|v| v == "no-space-check") {
            return Ok(());
        }
        // Unknown free space is not room: the write is refused, saying why.
        let db_dir = self.dir.join("db");
        let st = statvfs(&db_dir).map_err(|e| Error::Io {
            path: db_dir.display().to_string(),
            detail: crate::i18n::t("store.space_unknown", &[("detail", e.desc().to_string())]),
        })?;
        let read_only = st.flags().contains(FsFlags::ST_RDONLY);
        // Both are u64 here; the casts are for targets where they are narrower.
        #[allow(clippy::unnecessary_cast)]
        let free = (st.blocks_available() as u64).saturating_mul(st.fragment_size() as u64);
        if read_only || free < MIN_FREE {
            return Err(Error::DiskRefused {
                path: self.dir.display().to_string(),
                read_only,
            });
        }
        Ok(())
    }

    /// A failed write: the disk refusing it (full, over quota, read-only) is said
    /// so, naming the data directory; anything else is a storage error.
    fn write_error(&self, e: sled::Error) -> Error {
        match disk_refused(&e) {
            Some(read_only) => {
                self.sled_refused.store(true, std::sync::atomic::Ordering::SeqCst);
                Error::DiskRefused {
                    path: self.dir.display().to_string(),
                    read_only,
                }
            }
            None => storage(e),
        }
    }

    /// Whether sled itself met a refused write, so that it must be opened again.
    pub fn needs_reopen(&self) -> bool {
        self.sled_refused.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// The first step of opening the database again from what is on disk (after
    /// sled met a refused write: its error is sticky, every later write fails
    /// until it is opened again, and its memory may hold the refused change).
    /// Fails, changing nothing, while the disk still refuses a test write;
    /// otherwise closes sled, a throwaway in-memory database standing in. Every
    /// other handle on sled's trees must be dropped before [`Store::open_again`].
    pub fn close_for_reopen(&mut self) -> Result<()> {
        let db_dir = self.dir.join("db");
        probe_writable(&db_dir).map_err(|e| match e.kind() {
            std::io::ErrorKind::ReadOnlyFilesystem => Error::DiskRefused {
                path: self.dir.display().to_string(),
                read_only: true,
            },
            std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded => Error::DiskRefused {
                path: self.dir.display().to_string(),
                read_only: false,
            },
            _ => Error::io(&db_dir, e),
        })?;
        let standin = sled::Config::new().temporary(true).open().map_err(storage)?;
        let trees = TREE_NAMES
            .iter()
            .map(|n| standin.open_tree(n))
            .collect::<sled::Result<Vec<_>>>()
            .map_err(storage)?;
        self.trees = trees;
        self.db = standin;
        Ok(())
    }

    /// The second step: open sled again, keeping the hold on `owner.lock`, and
    /// roll back an import the refusal interrupted. A failure to open ends the
    /// process rather than leave it serving the empty stand-in.
    pub fn open_again(&mut self) -> Result<()> {
        let db_dir = self.dir.join("db");
        let reopened = sled_files::remove_interrupted_snapshots(&self.dir, &db_dir).and_then(|removed| {
            sled_files::report_removed(&removed);
            open_sled_patiently(&db_dir)
                .and_then(|db| {
                    let trees = TREE_NAMES
                        .iter()
                        .map(|n| db.open_tree(n))
                        .collect::<sled::Result<Vec<_>>>()?;
                    Ok((db, trees))
                })
                .map_err(|e| sled_files::open_error(&self.dir, &db_dir, e))
        });
        match reopened {
            Ok((db, trees)) => {
                self.db = db;
                self.trees = trees;
            }
            Err(e) => {
                eprintln!(
                    "beian: {}: {}",
                    crate::sanitize::visible_line(&self.dir.display().to_string()),
                    crate::i18n::t("store.reopen_failed", &[("detail", e.message())])
                );
                std::process::exit(e.exit_code());
            }
        }
        self.sled_refused.store(false, std::sync::atomic::Ordering::SeqCst);
        self.recover_long_and_say()?;
        Ok(())
    }

    // ----- reads -----

    pub fn get<R: Record>(&self, id: Id) -> Result<Option<R>> {
        if id.kind != R::KIND {
            return Ok(None);
        }
        match self.tree(R::TREE).get(id.key()).map_err(storage)? {
            Some(v) => Ok(Some(dec(&v, &id.to_string())?)),
            None => Ok(None),
        }
    }

    pub fn require<R: Record>(&self, id: Id) -> Result<R> {
        self.get(id)?.ok_or_else(|| Error::not_found(id))
    }

    /// All summaries of a kind, in id order.
    pub fn summaries<R: Record>(&self) -> Result<Vec<R::Summary>> {
        let tree = self.tree(R::SUMMARY_TREE);
        tree.iter()
            .values()
            .map(|v| dec(&v.map_err(storage)?, R::NAME))
            .collect()
    }

    /// All records of a kind, in id order (for the small kinds: systems, orders, reports).
    pub fn all<R: Record>(&self) -> Result<Vec<R>> {
        self.tree(R::TREE)
            .iter()
            .values()
            .map(|v| dec(&v.map_err(storage)?, R::NAME))
            .collect()
    }

    pub fn dossier(&self, id: Id) -> Result<Option<Dossier>> {
        if id.kind != IdKind::Dossier {
            return Ok(None);
        }
        match self.tree(T::Dossiers).get(id.key()).map_err(storage)? {
            Some(v) => Ok(Some(dec(&v, &id.to_string())?)),
            None => Ok(None),
        }
    }

    /// Every filed dossier, in id order (the evaluation report reads them all;
    /// an index for it is the performance issue's).
    pub fn dossiers(&self) -> Result<Vec<Dossier>> {
        self.tree(T::Dossiers)
            .iter()
            .values()
            .map(|v| dec(&v.map_err(storage)?, "dossier"))
            .collect()
    }

    pub fn dossier_summaries(&self) -> Result<Vec<crate::model::DossierSummary>> {
        self.tree(T::DossiersSum)
            .iter()
            .values()
            .map(|v| dec(&v.map_err(storage)?, "dossier summary"))
            .collect()
    }

    /// Dossier ids whose searchable text contains every one of `terms` (already
    /// lower-cased), newest first.
    pub fn dossier_text_matches(&self, terms: &[String]) -> Result<Vec<Id>> {
        let mut out = Vec::new();
        for kv in self.tree(T::DossierText).iter().rev() {
            let (k, v) = kv.map_err(storage)?;
            let text = String::from_utf8_lossy(&v);
            if terms.iter().all(|t| text.contains(t.as_str())) {
                if let Some(id) = Id::from_key(IdKind::Dossier, &k) {
                    out.push(id);
                }
            }
        }
        Ok(out)
    }

    /// The archive counter: how many dossiers and addenda were ever written
    /// (0 in a database from before the persistent index).
    pub fn archive_gen(&self) -> Result<u64> {
        Ok(self
            .tree(T::Meta)
            .get(ARCHIVE_GEN)
            .map_err(storage)?
            .and_then(|v| v.as_ref().try_into().ok().map(u64::from_be_bytes))
            .unwrap_or(0))
    }

    /// How many dossiers are filed.
    pub fn dossier_count(&self) -> Result<u64> {
        Ok(self.tree(T::DossiersSum).len() as u64)
    }

    /// The dossiers filed after `id` (all when `None`), in id order.
    pub fn dossiers_after(&self, id: Option<Id>) -> Result<Vec<Dossier>> {
        use std::ops::Bound;
        let tree = self.tree(T::Dossiers);
        let iter = match id {
            Some(id) => tree.range::<&[u8], _>((Bound::Excluded(&id.key()[..]), Bound::Unbounded)),
            None => tree.iter(),
        };
        iter.values().map(|v| dec(&v.map_err(storage)?, "dossier")).collect()
    }

    /// Each dossier with addenda and how many it has.
    pub fn addenda_counts(&self) -> Result<Vec<(Id, u32)>> {
        let mut out = Vec::new();
        for kv in self.tree(T::Meta).scan_prefix(b"addenda/") {
            let (k, v) = kv.map_err(storage)?;
            let name = String::from_utf8_lossy(&k[b"addenda/".len()..]).into_owned();
            let n = v.as_ref().try_into().ok().map(u32::from_be_bytes).unwrap_or(0);
            if let Ok(id) = Id::parse_kind(&name, IdKind::Dossier) {
                out.push((id, n));
            }
        }
        Ok(out)
    }

    pub fn addenda(&self, dossier: Id) -> Result<Vec<Addendum>> {
        self.tree(T::Addenda)
            .scan_prefix(dossier.key())
            .values()
            .map(|v| dec(&v.map_err(storage)?, "addendum"))
            .collect()
    }

    pub fn calendar(&self) -> Result<Vec<Blackout>> {
        match self.tree(T::Meta).get("calendar").map_err(storage)? {
            Some(v) => dec(&v, "calendar"),
            None => Ok(Vec::new()),
        }
    }

    /// The substitutes named in the Leading Group, oldest first.
    pub fn substitutes(&self) -> Result<Vec<crate::model::Substitute>> {
        match self.tree(T::Meta).get("substitutes").map_err(storage)? {
            Some(v) => dec(&v, "substitutes"),
            None => Ok(Vec::new()),
        }
    }

    /// The audit events `filter` selects, newest first, at most `limit`. The log
    /// (or, for an entity, its index) is read newest first and stops at the
    /// limit; each event is read only as far as its time, actor and action
    /// until it is selected ([`select_events`]).
    pub fn audit_where(&self, filter: &crate::model::AuditFilter, limit: usize) -> Result<Vec<AuditEvent>> {
        let audit = self.tree(T::Audit);
        match &filter.entity {
            None => select_events(audit.iter().values().rev().map(|v| v.map_err(storage)), filter, limit),
            Some(e) => {
                let mut prefix = e.as_bytes().to_vec();
                prefix.push(0);
                let n = prefix.len();
                let events = self
                    .tree(T::AuditEntity)
                    .scan_prefix(&prefix)
                    .keys()
                    .rev()
                    .filter_map(move |k| match k {
                        Ok(k) => audit.get(&k[n..]).map_err(storage).transpose(),
                        Err(e) => Some(Err(storage(e))),
                    });
                select_events(events, filter, limit)
            }
        }
    }

    /// Audit events, newest first, optionally only those about `entity`.
    pub fn audit(&self, entity: Option<&str>, limit: usize) -> Result<Vec<AuditEvent>> {
        self.audit_where(&crate::model::AuditFilter::entity(entity), limit)
    }

    /// The names of every tree (tamper tests, fixtures).
    #[doc(hidden)]
    pub fn tree_names() -> &'static [&'static str] {
        &TREE_NAMES
    }

    /// Every entry of a tree by name, as stored (tamper tests, fixtures).
    #[doc(hidden)]
    pub fn raw_entries(&self, tree: &str) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
        let i = TREE_NAMES
            .iter()
            .position(|n| *n == tree)
            .ok_or_else(|| storage(tree))?;
        self.trees[i]
            .iter()
            .map(|r| r.map(|(k, v)| (k.to_vec(), v.to_vec())).map_err(storage))
            .collect()
    }

    /// Write or remove one entry behind every rule's back: only the tamper tests
    /// use it, to play someone editing the files.
    #[doc(hidden)]
    pub fn raw_set(&self, tree: &str, key: &[u8], value: Option<&[u8]>) -> Result<()> {
        let i = TREE_NAMES
            .iter()
            .position(|n| *n == tree)
            .ok_or_else(|| storage(tree))?;
        match value {
            Some(v) => self.trees[i].insert(key, v).map(|_| ()),
            None => self.trees[i].remove(key).map(|_| ()),
        }
        .map_err(storage)
    }

    /// The head of the chain as the database records it.
    pub fn chain_head(&self) -> Result<chain::ChainHead> {
        let m = self.tree(T::Meta);
        let seq = m
            .get("audit_seq")
            .map_err(storage)?
            .and_then(|v| v.as_ref().try_into().ok().map(u64::from_be_bytes))
            .unwrap_or(0);
        let seal = m
            .get(chain::HEAD_KEY)
            .map_err(storage)?
            .map(|v| String::from_utf8_lossy(&v).into_owned())
            .unwrap_or_default();
        Ok(chain::ChainHead { seq, seal })
    }

    /// Recompute the whole chain (see `chain.rs`).
    pub fn verify(&self, expect: Option<&chain::ChainHead>) -> Result<chain::VerifyReport> {
        // Streamed: a read error ends the walk and is reported after it.
        let failed = std::cell::RefCell::new(None);
        let kv = |t: T| {
            self.tree(t).iter().map_while(|r| match r {
                Ok((k, v)) => Some((k.to_vec(), v.to_vec())),
                Err(e) => {
                    failed.borrow_mut().get_or_insert(e);
                    None
                }
            })
        };
        let head = self.chain_head()?;
        let mut report = chain::verify_parts(kv(T::Audit), kv(T::Dossiers), kv(T::Addenda), Some(head), expect);
        if let Some(e) = failed.into_inner() {
            return Err(storage(e));
        }
        if report.ok() {
            let (files, problem) = self.verify_attachments()?;
            report.attachments = files;
            report.problem = problem;
        }
        if report.ok() {
            self.note_verified(&report);
        }
        Ok(report)
    }

    /// The start-up integrity check (the terminal UI's, issue 16): the events
    /// after the last head found intact — by this check or by a full walk
    /// ([`Store::verify`], kept in the file [`VERIFIED_FILE`]) — each checked as
    /// the full walk does, with the records they seal (`chain::verify_since`).
    /// The answer is kept by head, so every client asking again before the next
    /// change gets it without a read. Without a known head (a database never
    /// verified) it is the full walk.
    pub fn integrity(&self) -> Result<chain::VerifyReport> {
        let recorded = self.chain_head()?;
        let mut cache = self.verified.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(r) = cache.as_ref().filter(|r| r.head == recorded) {
            return Ok(r.clone());
        }
        let from = match cache.as_ref() {
            Some(r) => Some(r.head.clone()),
            None => self.persisted_verified()?,
        };
        let report = match from.filter(|f| f.seq <= recorded.seq) {
            None => {
                drop(cache);
                return self.verify(None);
            }
            Some(from) => {
                let failed = std::cell::RefCell::new(None);
                let after = self
                    .tree(T::Audit)
                    .range((from.seq + 1).to_be_bytes()..)
                    .map_while(|r| match r {
                        Ok((k, v)) => Some((k.to_vec(), v.to_vec())),
                        Err(e) => {
                            failed.borrow_mut().get_or_insert(e);
                            None
                        }
                    });
                let report = chain::verify_since(&from, after, |what| self.sealed_bytes(what), recorded);
                if let Some(e) = failed.into_inner() {
                    return Err(storage(e));
                }
                report
            }
        };
        if report.ok() {
            self.persist_verified(&report.head);
            *cache = Some(report.clone());
        }
        Ok(report)
    }

    /// Remember a head found intact by a full walk.
    fn note_verified(&self, report: &chain::VerifyReport) {
        self.persist_verified(&report.head);
        *self.verified.lock().unwrap_or_else(|e| e.into_inner()) = Some(report.clone());
    }

    fn persist_verified(&self, head: &chain::ChainHead) {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        let Ok(v) = serde_json::to_vec(head) else { return };
        let path = self.dir.join(VERIFIED_FILE);
        let tmp = self.dir.join(format!(".{VERIFIED_FILE}.{}", std::process::id()));
        let written = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&tmp)
            .and_then(|mut f| f.write_all(&v));
        if written.and_then(|()| std::fs::rename(&tmp, &path)).is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
    }

    /// The head a check found intact before, if the event at its number still
    /// carries its seal (otherwise the full walk decides).
    fn persisted_verified(&self) -> Result<Option<chain::ChainHead>> {
        let Ok(v) = std::fs::read(self.dir.join(VERIFIED_FILE)) else {
            return Ok(None);
        };
        let Ok(head) = serde_json::from_slice::<chain::ChainHead>(&v) else {
            return Ok(None);
        };
        if head.seq == 0 {
            return Ok(Some(head));
        }
        let Some(ev) = self.tree(T::Audit).get(head.seq.to_be_bytes()).map_err(storage)? else {
            return Ok(None);
        };
        let seal = serde_json::from_slice::<AuditEvent>(&ev).ok().map(|e| e.seal);
        Ok((seal.as_deref() == Some(head.seal.as_str())).then_some(head))
    }

    /// The stored bytes of a sealed record named as the chain names it: a
    /// dossier (`FILE-2026-0003`) or an addendum (`FILE-2026-0003#2`).
    fn sealed_bytes(&self, what: &str) -> Option<Vec<u8>> {
        let (id, no) = match what.split_once('#') {
            Some((id, no)) => (id, Some(no.parse::<u32>().ok()?)),
            None => (what, None),
        };
        let id: crate::model::Id = id.parse().ok()?;
        let mut key = id.key().to_vec();
        let tree = match no {
            Some(n) => {
                key.extend_from_slice(&n.to_be_bytes());
                T::Addenda
            }
            None => T::Dossiers,
        };
        self.tree(tree).get(key).ok().flatten().map(|v| v.to_vec())
    }

    pub fn audit_len(&self) -> usize {
        self.tree(T::Audit).len()
    }

    pub fn count<R: Record>(&self) -> usize {
        self.tree(R::TREE).len()
    }

    /// How many import keys (messages and rows already imported) are stored.
    pub fn import_keys_len(&self) -> usize {
        self.tree(T::Imports).len()
    }
}

/// The time, actor and action of a stored event, read without copying its
/// text: enough to decide whether a filter selects it.
#[derive(serde::Deserialize)]
struct EventHead<'a> {
    time: Time,
    #[serde(borrow)]
    actor: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    action: std::borrow::Cow<'a, str>,
}

/// What rules an event out from its stored bytes alone, before any JSON is
/// parsed: the actor's and the actions' `"actor":"…"`/`"action":"…"` as beian
/// writes them (compact JSON) must occur, and the time (`"time":"…"`, read
/// without the rest) must lie in range. Only a sure "no": an event that passes
/// is still read and checked in full.
struct QuickFilter {
    actor: Option<Vec<u8>>,
    actions: Vec<Vec<u8>>,
    since: Option<Time>,
    until: Option<Time>,
}

impl QuickFilter {
    fn new(f: &crate::model::AuditFilter) -> QuickFilter {
        let field = |name: &str, value: &str| {
            let mut p = format!("\"{name}\":").into_bytes();
            p.extend(serde_json::to_vec(value).unwrap_or_default());
            p
        };
        QuickFilter {
            actor: f.actor.as_deref().map(|a| field("actor", a)),
            actions: f.actions.iter().map(|a| field("action", a)).collect(),
            since: f.since,
            until: f.until,
        }
    }

    fn rejects(&self, v: &[u8]) -> bool {
        use memchr::memmem::find;
        if self.actor.as_ref().is_some_and(|p| find(v, p).is_none()) {
            return true;
        }
        if !self.actions.is_empty() && !self.actions.iter().any(|p| find(v, p).is_some()) {
            return true;
        }
        if self.since.is_some() || self.until.is_some() {
            const TIME: &[u8] = b"\"time\":\"";
            let time = find(v, TIME).and_then(|i| {
                let rest = &v[i + TIME.len()..];
                let end = memchr::memchr(b'"', rest)?;
                let text = std::str::from_utf8(&rest[..end]).ok()?;
                chrono::DateTime::parse_from_rfc3339(text).ok()
            });
            if let Some(t) = time {
                let t = t.with_timezone(&chrono::Utc);
                if self.since.is_some_and(|s| t < s) || self.until.is_some_and(|u| t >= u) {
                    return true;
                }
            }
        }
        false
    }
}

/// The events of `stored` (as stored, newest first) that `filter` selects, at
/// most `limit`: an event is decoded whole only once selected, and nothing is
/// read past the limit.
pub fn select_events<B: AsRef<[u8]>>(
    stored: impl Iterator<Item = Result<B>>,
    filter: &crate::model::AuditFilter,
    limit: usize,
) -> Result<Vec<AuditEvent>> {
    let mut out = Vec::new();
    if limit == 0 {
        return Ok(out);
    }
    let all = filter.admits_all();
    let quick = QuickFilter::new(filter);
    for v in stored {
        let v = v?;
        if !all {
            if quick.rejects(v.as_ref()) {
                continue;
            }
            let head: EventHead = serde_json::from_slice(v.as_ref()).map_err(|e| Error::Storage {
                detail: format!("audit event: {e}"),
            })?;
            if !filter.admits(&head.actor, &head.action, head.time) {
                continue;
            }
        }
        out.push(dec(v.as_ref(), "audit event")?);
        if out.len() >= limit {
            break;
        }
    }
    Ok(out)
}

/// Writes are refused while the disk has less free space than this: room for
/// sled's next segments (512 KiB each) and its own upkeep, so that reads go on.
pub const MIN_FREE: u64 = 4 << 20;

/// sled's page cache (its default is 1 GiB): resident memory stays bounded
/// however much is imported or read.
const CACHE_BYTES: u64 = 32 << 20;

/// Open sled. Right after another handle in this process closed the database,
/// sled's background threads may still hold its file lock for a moment: retry
/// briefly before reporting the lock.
fn open_sled(db_dir: &Path) -> sled::Result<sled::Db> {
    let mut tries = 0;
    loop {
        match sled::Config::new()
            .path(db_dir)
            .mode(sled::Mode::LowSpace)
            .cache_capacity(CACHE_BYTES)
            .open()
        {
            Err(e) if tries < 20 && e.to_string().contains("could not acquire lock") => {
                tries += 1;
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            other => return other,
        }
    }
}

/// [`open_sled`], waiting longer for the threads of a handle just dropped.
fn open_sled_patiently(db_dir: &Path) -> sled::Result<sled::Db> {
    let mut tries = 0;
    loop {
        match open_sled(db_dir) {
            Err(e) if tries < 10 && e.to_string().contains("could not acquire lock") => tries += 1,
            other => return other,
        }
    }
}

/// Whether the disk takes a write as large as a sled segment (then removed).
fn probe_writable(db_dir: &Path) -> std::io::Result<()> {
    use std::io::Write;
    let path = db_dir.join("write-probe");
    let result = std::fs::File::create(&path).and_then(|mut f| {
        f.write_all(&vec![0u8; 1 << 20])?;
        f.sync_all()
    });
    let _ = std::fs::remove_file(&path);
    result
}

/// Files this process creates from now on (the database's, backups, exports)
/// are its owner's alone — 0600, directories 0700 — whatever bits the data
/// directory has: a group that may read or enter it never gets files it may
/// write (src/datadir.rs). A team shares a database through `beian serve`.
pub(crate) fn private_files_in(_dir: &Path) {
    nix::sys::stat::umask(nix::sys::stat::Mode::from_bits_truncate(0o077));
}

pub(crate) fn create_private_dir(dir: &Path) -> Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    if dir.exists() {
        if !dir.is_dir() {
            return Err(Error::NotBeian {
                path: dir.display().to_string(),
                detail: "is a file, not a directory".into(),
            });
        }
        return Ok(());
    }
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| Error::io(dir, e))
}

type TxResult<T> = std::result::Result<T, Error>;

/// Who writes a transaction: the name its records carry (`created_by`,
/// `updated_by`, a comment's author) and, when the real user acts as a demo
/// person, that user (`via`), whom the audit event names beside the person.
#[derive(Debug, Clone, Copy)]
pub struct Who<'a> {
    pub name: &'a str,
    pub via: Option<&'a str>,
}

impl<'a> From<&'a str> for Who<'a> {
    fn from(name: &'a str) -> Who<'a> {
        Who { name, via: None }
    }
}

impl<'a> From<&'a String> for Who<'a> {
    fn from(name: &'a String) -> Who<'a> {
        Who { name, via: None }
    }
}

impl<'a> From<&'a crate::model::Actor> for Who<'a> {
    fn from(a: &'a crate::model::Actor) -> Who<'a> {
        Who {
            name: &a.name,
            via: a.via.as_deref(),
        }
    }
}

/// A transaction in progress: reads see its own writes; nothing is visible to
/// others until it commits.
pub struct Tx<'a> {
    trees: &'a [TransactionalTree],
    actor: &'a str,
    /// The real user when `actor` is a demo person (`Actor::via`): named in
    /// the audit event only; the records carry `actor`.
    via: Option<&'a str>,
    now: Time,
    /// In a long change: its batch number and the before-images noted so far.
    undo: Option<(u32, std::cell::RefCell<Vec<u8>>)>,
    /// Records written by this transaction that its next audit event seals.
    sealed: std::cell::RefCell<Vec<String>>,
    /// The data directory: a filing or an addendum marks the archive index
    /// stale there before the transaction commits (`search/archive.rs`).
    dir: &'a Path,
}

fn tx_err(e: sled::transaction::UnabortableTransactionError) -> Error {
    match e {
        sled::transaction::UnabortableTransactionError::Conflict => Error::TxRetry,
        sled::transaction::UnabortableTransactionError::Storage(e) => match disk_refused(&e) {
            // The path is filled in by `Store::transact_with`.
            Some(read_only) => Error::DiskRefused {
                path: String::new(),
                read_only,
            },
            None => storage(e),
        },
    }
}

/// Whether sled failed because the disk refused a write: `Some(read_only)` when
/// it is full or over quota (false) or the filesystem is read-only (true).
fn disk_refused(e: &sled::Error) -> Option<bool> {
    use std::io::ErrorKind as K;
    match e {
        sled::Error::Io(io) => match io.kind() {
            K::StorageFull | K::QuotaExceeded => Some(false),
            K::ReadOnlyFilesystem => Some(true),
            _ => None,
        },
        _ => None,
    }
}

impl Tx<'_> {
    fn t(&self, t: T) -> &TransactionalTree {
        &self.trees[t as usize]
    }

    /// Every write of a transaction goes through here, so that a long change can
    /// log what it overwrites.
    fn put(&self, t: T, key: &[u8], value: &[u8]) -> TxResult<()> {
        self.log_before(t, key)?;
        self.t(t).insert(key, value).map_err(tx_err)?;
        Ok(())
    }

    pub fn actor(&self) -> &str {
        self.actor
    }

    pub fn now(&self) -> Time {
        self.now
    }

    pub fn get<R: Record>(&self, id: Id) -> TxResult<Option<R>> {
        if id.kind != R::KIND {
            return Ok(None);
        }
        match self.t(R::TREE).get(id.key()).map_err(tx_err)? {
            Some(v) => Ok(Some(dec(&v, &id.to_string())?)),
            None => Ok(None),
        }
    }

    /// Load a record, refusing if it is missing or if `expect_rev` is given and stale.
    pub fn load<R: Record>(&self, id: Id, expect_rev: Option<u64>) -> TxResult<R> {
        let r: R = self.get(id)?.ok_or_else(|| Error::not_found(id))?;
        if let Some(expected) = expect_rev {
            let m = r.meta();
            if m.rev != expected {
                return Err(Error::Conflict {
                    entity: id.to_string(),
                    expected,
                    found: m.rev,
                    by: m.updated_by.clone(),
                    at: crate::model::fmt_time(m.updated_at),
                });
            }
        }
        Ok(r)
    }

    /// Allocate the next id of a kind: counters live in the same transaction, so
    /// a refused command leaves no gap and no number is ever used twice.
    pub fn alloc_id(&self, kind: IdKind) -> TxResult<Id> {
        use chrono::Datelike;
        let year = if kind.yearly() {
            self.now.with_timezone(&chrono::Local).year() as u16
        } else {
            0
        };
        let key = format!("seq/{}/{}", kind.prefix(), year);
        let meta = self.t(T::Meta);
        let next = meta
            .get(key.as_bytes())
            .map_err(tx_err)?
            .and_then(|v| v.as_ref().try_into().ok().map(u32::from_be_bytes))
            .unwrap_or(0)
            + 1;
        self.put(T::Meta, key.as_bytes(), &next.to_be_bytes())?;
        Ok(Id::new(kind, year, next))
    }

    /// Write a new record (revision 1).
    pub fn insert<R: Record>(&self, r: &mut R) -> TxResult<()> {
        *r.meta_mut() = Meta::new(self.actor, self.now);
        self.write(r)
    }

    /// Write a changed record, bumping its revision.
    pub fn save<R: Record>(&self, r: &mut R) -> TxResult<()> {
        r.meta_mut().touch(self.actor, self.now);
        self.write(r)
    }

    fn write<R: Record>(&self, r: &R) -> TxResult<()> {
        let key = r.id().key();
        self.put(R::TREE, &key, &enc(r))?;
        if let Some(sum) = r.summary_bytes() {
            let old = match R::LISTED {
                Some(_) => self.t(R::SUMMARY_TREE).get(key).map_err(tx_err)?,
                None => None,
            };
            self.put(R::SUMMARY_TREE, &key, &sum)?;
            if let Some(kind) = R::LISTED {
                self.relist(kind, &key, old.as_deref(), &sum)?;
            }
        }
        Ok(())
    }

    /// Freeze a dossier. A dossier id is never written twice.
    pub fn insert_dossier(&self, d: &Dossier) -> TxResult<()> {
        let key = d.id.key();
        if self.t(T::Dossiers).get(key).map_err(tx_err)?.is_some() {
            return Err(Error::Storage {
                detail: format!("{} is already filed", d.id),
            });
        }
        let bytes = enc(d);
        self.sealed
            .borrow_mut()
            .push(chain::digest_entry(&d.id.to_string(), &bytes));
        self.put(T::Dossiers, &key, &bytes)?;
        self.put(T::DossiersSum, &key, &enc(&d.summary()))?;
        self.bump_count(lists::DOSSIERS_FILED, 1)?;
        self.archive_changed()?;
        let text = crate::search::normalize(&d.search_text());
        self.put(T::DossierText, &key, text.as_bytes())?;
        Ok(())
    }

    pub fn dossier(&self, id: Id) -> TxResult<Dossier> {
        if id.kind != IdKind::Dossier {
            return Err(Error::not_found(id));
        }
        match self.t(T::Dossiers).get(id.key()).map_err(tx_err)? {
            Some(v) => dec(&v, &id.to_string()),
            None => Err(Error::not_found(id)),
        }
    }

    /// How many addenda the dossier has (their numbers are 1 to this).
    fn addenda_count(&self, dossier: Id) -> TxResult<u32> {
        let counter = format!("addenda/{dossier}");
        Ok(self
            .t(T::Meta)
            .get(counter.as_bytes())
            .map_err(tx_err)?
            .and_then(|v| v.as_ref().try_into().ok().map(u32::from_be_bytes))
            .unwrap_or(0))
    }

    /// The addenda of a dossier, in order (read by number: a transaction
    /// cannot scan).
    pub fn addenda(&self, dossier: Id) -> TxResult<Vec<Addendum>> {
        let mut out = Vec::new();
        for no in 1..=self.addenda_count(dossier)? {
            let mut key = dossier.key().to_vec();
            key.extend_from_slice(&no.to_be_bytes());
            if let Some(v) = self.t(T::Addenda).get(&key).map_err(tx_err)? {
                out.push(dec(&v, &chain::addendum_ref(dossier, no))?);
            }
        }
        Ok(out)
    }

    /// Append an addendum to a dossier — a correction (`reason`, `text`) or a
    /// typed record (`body`) — sealed by the audit event of the same
    /// transaction; returns its number.
    pub fn append_addendum(&self, dossier: Id, reason: String, text: String, body: AddendumBody) -> TxResult<u32> {
        let counter = format!("addenda/{dossier}");
        let no = self.addenda_count(dossier)? + 1;
        self.put(T::Meta, counter.as_bytes(), &no.to_be_bytes())?;
        let a = Addendum {
            no,
            author: self.actor.to_string(),
            time: self.now,
            reason,
            text,
            body,
        };
        let mut key = dossier.key().to_vec();
        key.extend_from_slice(&no.to_be_bytes());
        let bytes = enc(&a);
        self.sealed
            .borrow_mut()
            .push(chain::digest_entry(&chain::addendum_ref(dossier, no), &bytes));
        self.put(T::Addenda, &key, &bytes)?;
        self.archive_changed()?;
        Ok(no)
    }

    /// A record of the archive is written: bump the archive counter and mark
    /// the persistent index stale (a file created before the commit; if the
    /// transaction is retried or aborted, the mark costs one catch-up).
    fn archive_changed(&self) -> TxResult<()> {
        self.bump_count(ARCHIVE_GEN, 1)?;
        let dir = self.dir.join(crate::search::archive::DIR);
        let io = |e: std::io::Error| Error::io(&dir, e);
        std::fs::create_dir_all(&dir).map_err(io)?;
        let marker = dir.join(crate::search::archive::STALE);
        let f = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&marker)
            .map_err(io)?;
        f.sync_all().map_err(io)?;
        if let Ok(d) = std::fs::File::open(&dir) {
            let _ = d.sync_all();
        }
        Ok(())
    }

    pub fn calendar(&self) -> TxResult<Vec<Blackout>> {
        match self.t(T::Meta).get("calendar").map_err(tx_err)? {
            Some(v) => dec(&v, "calendar"),
            None => Ok(Vec::new()),
        }
    }

    pub fn set_calendar(&self, cal: &[Blackout]) -> TxResult<()> {
        self.put(T::Meta, b"calendar", &enc(&cal))?;
        Ok(())
    }

    /// The substitutes named in the Leading Group, oldest first.
    pub fn substitutes(&self) -> TxResult<Vec<crate::model::Substitute>> {
        match self.t(T::Meta).get("substitutes").map_err(tx_err)? {
            Some(v) => dec(&v, "substitutes"),
            None => Ok(Vec::new()),
        }
    }

    pub fn set_substitutes(&self, list: &[crate::model::Substitute]) -> TxResult<()> {
        self.put(T::Meta, b"substitutes", &enc(&list))?;
        Ok(())
    }

    /// The request an import key (`msgid:…`, `row:…`) created or joined, if it
    /// was imported before. Checked and set in the same transaction as the insert,
    /// so two concurrent imports of one message cannot both create it.
    pub fn imported(&self, key: &str) -> TxResult<Option<Id>> {
        match self.t(T::Imports).get(key.as_bytes()).map_err(tx_err)? {
            Some(v) => Ok(String::from_utf8_lossy(&v).parse().ok()),
            None => Ok(None),
        }
    }

    pub fn set_imported(&self, key: &str, id: Id) -> TxResult<()> {
        self.put(T::Imports, key.as_bytes(), id.to_string().as_bytes())?;
        Ok(())
    }

    /// Append one audit event; returns its sequence number.
    /// The event is indexed under every entity it names, the first being the main one.
    pub fn audit(&self, action: &str, entities: &[String], summary: &str) -> TxResult<u64> {
        self.audit_changes(action, entities, summary, Vec::new())
    }

    /// [`Tx::audit`] with the fields the command changed, old → new.
    pub fn audit_changes(
        &self,
        action: &str,
        entities: &[String],
        summary: &str,
        changes: Vec<crate::model::FieldChange>,
    ) -> TxResult<u64> {
        let meta = self.t(T::Meta);
        let seq = meta
            .get("audit_seq")
            .map_err(tx_err)?
            .and_then(|v| v.as_ref().try_into().ok().map(u64::from_be_bytes))
            .unwrap_or(0)
            + 1;
        self.put(T::Meta, b"audit_seq", &seq.to_be_bytes())?;
        let prev = meta
            .get(chain::HEAD_KEY)
            .map_err(tx_err)?
            .map(|v| String::from_utf8_lossy(&v).into_owned())
            .unwrap_or_default();
        let mut ev = AuditEvent {
            seq,
            time: self.now,
            actor: crate::model::audit_name(self.actor, self.via),
            action: action.to_string(),
            entity: entities.join(" "),
            summary: summary.to_string(),
            changes,
            digest: std::mem::take(&mut *self.sealed.borrow_mut()).join(" "),
            prev,
            seal: String::new(),
        };
        ev.seal = chain::seal_of(&ev);
        self.put(T::Meta, chain::HEAD_KEY.as_bytes(), ev.seal.as_bytes())?;
        self.put(T::Audit, &seq.to_be_bytes(), &enc(&ev))?;
        for entity in entities {
            let mut k = entity.as_bytes().to_vec();
            k.push(0);
            k.extend_from_slice(&seq.to_be_bytes());
            self.put(T::AuditEntity, &k, &[])?;
        }
        Ok(seq)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::AuditFilter;
    use std::cell::Cell;

    fn stored(seq: u64, actor: &str, action: &str) -> Vec<u8> {
        let ev = AuditEvent {
            seq,
            time: chrono::DateTime::from_timestamp(1_800_000_000 + seq as i64, 0).unwrap(),
            actor: actor.into(),
            action: action.into(),
            entity: format!("REQ-2026-{seq:04}"),
            summary: "x".into(),
            changes: Vec::new(),
            digest: String::new(),
            prev: String::new(),
            seal: String::new(),
        };
        enc(&ev)
    }

    /// Reading stops at the limit (nothing past it is read), and an event is
    /// decoded whole only when the filter selects it: one that is not whole
    /// past its head is skipped when not selected and an error when selected.
    #[test]
    fn selecting_events_reads_no_further_than_it_must() {
        // Newest first: 100 events, every third by wang.
        let log: Vec<Vec<u8>> = (1..=100u64)
            .rev()
            .map(|s| stored(s, if s % 3 == 0 { "wang" } else { "zhao" }, "request.add"))
            .collect();
        let read = Cell::new(0usize);
        let counted = || {
            read.set(0);
            log.iter().map(|v| {
                read.set(read.get() + 1);
                Ok(v.clone())
            })
        };
        let by_wang = AuditFilter {
            actor: Some("wang".into()),
            ..AuditFilter::default()
        };
        let got = select_events(counted(), &by_wang, 3).unwrap();
        assert_eq!(got.iter().map(|e| e.seq).collect::<Vec<_>>(), [99, 96, 93]);
        assert_eq!(read.get(), 8, "99 is the 2nd event, 93 the 8th");
        let got = select_events(counted(), &AuditFilter::default(), 5).unwrap();
        assert_eq!(got.len(), 5);
        assert_eq!(read.get(), 5);
        assert!(select_events(counted(), &by_wang, 0).unwrap().is_empty());
        assert_eq!(read.get(), 0);
        // An event readable only as far as its head: skipped if not selected …
        let mut head_only: Vec<u8> =
            br#"{"seq":7,"time":"2027-01-15T08:00:07Z","actor":"zhao","action":"request.add","entity":"#.to_vec();
        head_only.extend_from_slice(b"\"REQ-2026-0007\",\"summary\":5}");
        let log = [Ok(head_only.clone()), Ok(stored(6, "wang", "request.add"))];
        let got = select_events(log.into_iter(), &by_wang, 10).unwrap();
        assert_eq!(got.iter().map(|e| e.seq).collect::<Vec<_>>(), [6]);
        // … and an error when it is.
        let by_zhao = AuditFilter {
            actor: Some("zhao".into()),
            ..AuditFilter::default()
        };
        assert!(select_events([Ok(head_only)].into_iter(), &by_zhao, 10).is_err());
    }

    /// The byte-level pre-check only ever says "no" for events the filter
    /// would not select: a name in the summary is not the actor, and the time
    /// bounds are the filter's (since inclusive, until exclusive).
    #[test]
    fn the_quick_check_agrees_with_the_filter() {
        let mut ev: AuditEvent = serde_json::from_slice(&stored(5, "zhao", "request.add")).unwrap();
        ev.summary = r#"转交 "actor":"wang" 处理"#.into();
        let raw = enc(&ev);
        let t = ev.time;
        let cases = [
            (Some("wang"), vec![], None, None, false),
            (Some("zhao"), vec![], None, None, true),
            (None, vec!["plan.approve".to_string()], None, None, false),
            (
                None,
                vec!["plan.approve".to_string(), "request.add".to_string()],
                None,
                None,
                true,
            ),
            (None, vec![], Some(t), None, true),
            (None, vec![], Some(t + chrono::Duration::nanoseconds(1)), None, false),
            (None, vec![], None, Some(t), false),
            (None, vec![], None, Some(t + chrono::Duration::nanoseconds(1)), true),
        ];
        for (actor, actions, since, until, selected) in cases {
            let f = AuditFilter {
                entity: None,
                actor: actor.map(String::from),
                actions,
                since,
                until,
            };
            let got = select_events([Ok(raw.clone())].into_iter(), &f, 10).unwrap();
            assert_eq!(got.len() == 1, selected, "{f:?}");
            assert_eq!(f.admits(&ev.actor, &ev.action, ev.time), selected, "{f:?}");
        }
    }
}
