//! Imports of any size, whole or not at all, in flat memory.
//!
//! An [`ImportSession`] takes the items of one import (one or more files, or
//! one message) in batches as the importer reads them. Each batch is one
//! transaction of the store's long change (`store/undo.rs`): what it overwrites
//! is logged, so a failure at row 99,999 — or a crash, or a client that goes
//! away — puts the database back as it was. [`ImportSession::finish`] commits.
//! While a session is open it holds the service's write gate alone: other
//! commands wait (they would otherwise be undone by a rollback), but not for
//! long: after `[server] import_wait_secs` they are refused, naming the import
//! ([`Gate`]); the server also rolls back an import whose client goes silent or
//! that runs too long (`server/mod.rs`). Reads go on; they may see the rows of
//! an import that is still running.
//!
//! Memory per row kept for the whole import: the created id, and the row's
//! title key in the duplicate index (plus, in a dry run, a hash of its import
//! key). The rows themselves are dropped batch by batch.

use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::{new_request, Command, ImportItem, ImportReport, Outcome, Service};
use crate::error::{Error, Result};
use crate::model::*;
use crate::store::{Store, Tx};
use crate::workflow::{self as wf, Ctx};

/// Items per transaction when a caller hands over more at once.
pub const BATCH: usize = 1_000;

/// Writers share the gate; a long change (an import, a backup) holds it alone.
/// A waiting long change stops new writers from entering, so it is not starved.
///
/// Nobody waits behind an import without bound: a writer (or another import,
/// or a backup) that has waited `[server] import_wait_secs` while an import
/// holds the gate is refused with [`Error::ImportBusy`], naming the import's
/// user and start. A backup holds the gate only for the seconds its copy takes,
/// so writers wait for it.
#[derive(Debug, Default)]
pub(crate) struct Gate {
    state: Mutex<GateState>,
    cv: Condvar,
}

#[derive(Debug, Default)]
struct GateState {
    writers: usize,
    exclusive: Option<Holder>,
    waiting: usize,
    /// Writers (and long changes) waiting to enter, for `beian status`.
    queued: usize,
}

/// Who holds the gate alone, for the refusals and `beian status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holder {
    /// `import` or `backup`.
    pub kind: String,
    pub user: String,
    pub since: Time,
}

impl Holder {
    pub(crate) fn import(user: &str) -> Holder {
        Holder {
            kind: "import".into(),
            user: user.to_string(),
            since: chrono::Utc::now(),
        }
    }

    pub(crate) fn backup(user: &str) -> Holder {
        Holder {
            kind: "backup".into(),
            user: user.to_string(),
            since: chrono::Utc::now(),
        }
    }
}

/// What the gate is doing now (`beian status`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GateStatus {
    /// The import or backup holding every other writer, if any.
    pub held_by: Option<Holder>,
    /// Changes waiting to be written.
    pub waiting: usize,
}

/// Held while writing; released on drop.
#[derive(Debug)]
pub(crate) struct GateGuard {
    gate: Arc<Gate>,
    exclusive: bool,
}

/// How often a waiter looks again once its time is up but the holder is not an
/// import (a backup, a long change still waiting for writers to finish).
const RECHECK: Duration = Duration::from_millis(100);

impl Gate {
    /// Wait until `free` says the gate may be entered; refuse once `limit` has
    /// passed while an import holds it.
    fn wait_for<'a>(
        &'a self,
        mut st: MutexGuard<'a, GateState>,
        limit: Duration,
        free: impl Fn(&GateState) -> bool,
    ) -> Result<MutexGuard<'a, GateState>> {
        let start = Instant::now();
        st.queued += 1;
        while !free(&st) {
            let waited = start.elapsed();
            let left = match &st.exclusive {
                Some(h) if h.kind == "import" && waited >= limit => {
                    let e = Error::ImportBusy {
                        user: h.user.clone(),
                        since: h.since,
                        waited_secs: waited.as_secs(),
                    };
                    st.queued -= 1;
                    return Err(e);
                }
                _ => limit.saturating_sub(waited).max(RECHECK),
            };
            st = self.cv.wait_timeout(st, left).unwrap_or_else(|e| e.into_inner()).0;
        }
        st.queued -= 1;
        Ok(st)
    }

    /// [`Gate::shared`] without waiting: `None` while a long change holds it
    /// or waits for it.
    pub(crate) fn try_shared(self: &Arc<Self>) -> Option<GateGuard> {
        let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if st.exclusive.is_some() || st.waiting > 0 {
            return None;
        }
        st.writers += 1;
        Some(GateGuard {
            gate: self.clone(),
            exclusive: false,
        })
    }

    pub(crate) fn shared(self: &Arc<Self>, limit: Duration) -> Result<GateGuard> {
        let st = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let mut st = self.wait_for(st, limit, |st| st.exclusive.is_none() && st.waiting == 0)?;
        st.writers += 1;
        Ok(GateGuard {
            gate: self.clone(),
            exclusive: false,
        })
    }

    pub(crate) fn exclusive(self: &Arc<Self>, holder: Holder, limit: Duration) -> Result<GateGuard> {
        let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
        st.waiting += 1;
        let waited = self.wait_for(st, limit, |st| st.exclusive.is_none() && st.writers == 0);
        let mut st = match waited {
            Ok(st) => st,
            Err(e) => {
                let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
                st.waiting -= 1;
                // Writers held back by this waiter may go on.
                self.cv.notify_all();
                return Err(e);
            }
        };
        st.waiting -= 1;
        st.exclusive = Some(holder);
        // Waiters look again: they may now be waiting behind an import.
        self.cv.notify_all();
        Ok(GateGuard {
            gate: self.clone(),
            exclusive: true,
        })
    }

    pub(crate) fn status(&self) -> GateStatus {
        let st = self.state.lock().unwrap_or_else(|e| e.into_inner());
        GateStatus {
            held_by: st.exclusive.clone(),
            waiting: st.queued,
        }
    }
}

impl Drop for GateGuard {
    fn drop(&mut self) {
        let mut st = self.gate.state.lock().unwrap_or_else(|e| e.into_inner());
        if self.exclusive {
            st.exclusive = None;
        } else {
            st.writers -= 1;
        }
        self.gate.cv.notify_all();
    }
}

impl Service {
    /// Enter the write gate as one of the writers (a command).
    pub(crate) fn write_gate(&self) -> Result<GateGuard> {
        self.gate.shared(self.config.server.import_wait())
    }

    /// Who holds the writers, and how many wait (`beian status`).
    pub fn gate_status(&self) -> GateStatus {
        self.gate.status()
    }
}

/// One import in progress. Dropped before [`ImportSession::finish`], it rolls
/// back everything it wrote.
pub struct ImportSession {
    store: Arc<Store>,
    _gate: GateGuard,
    actor: Actor,
    now: Time,
    rules: crate::config::Process,
    /// The per-file limit of attachments that come with items (issue 18).
    max_file: u64,
    dry_run: bool,
    /// The store's long change is open (not in a dry run, not yet committed).
    open: bool,
    report: ImportReport,
    dups: wf::DuplicateIndex,
    /// Dry run only: the import keys seen so far, and the request each message
    /// created (nothing is written, so the store cannot answer these).
    seen: HashSet<u64>,
    msgids: HashMap<u64, Id>,
    last_seq: u64,
    /// Rows handed over so far, and the transactions they took.
    pub rows: usize,
    batches: usize,
}

fn hash(s: &str) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    s.hash(&mut h);
    h.finish()
}

/// What one batch did; applied to the session once its transaction committed
/// (sled may run a transaction more than once).
#[derive(Default)]
struct BatchOut {
    report: ImportReport,
    keys: Vec<u64>,
    msgids: Vec<(u64, Id)>,
    /// (request, system, title key) of the requests created.
    titles: Vec<(Id, Option<Id>, String)>,
    last_seq: u64,
}

const DRY_RUN: &str = "dry run: nothing written";

impl Service {
    /// Start an import for `actor`. Waits until other writes are done, then keeps
    /// them waiting until the session is finished or dropped.
    pub fn import_session(&self, actor: &Actor, dry_run: bool) -> Result<ImportSession> {
        self.import_session_at(actor, dry_run, chrono::Utc::now())
    }

    pub fn import_session_at(&self, actor: &Actor, dry_run: bool, now: Time) -> Result<ImportSession> {
        wf::check(actor, wf::Op::RequestAdd)?;
        let gate = self
            .gate
            .exclusive(Holder::import(&actor.audit_name()), self.config.server.import_wait())?;
        // The requests this import adds are not among the titles kept for
        // single requests: they are read again after it.
        self.forget_similar();
        // Likely duplicates are looked for in the queue (all but those already
        // marked duplicate) and among the rows before.
        let mut dups = wf::DuplicateIndex::default();
        for s in self.store.summaries::<Request>()? {
            if s.status != RequestStatus::Duplicate {
                dups.insert_request(Some(s.id), s.system, &wf::title_key(&s.title));
            }
        }
        if !dry_run {
            self.store.begin_long(&format!("import by {}", actor.audit_name()))?;
        }
        Ok(ImportSession {
            store: self.store.clone(),
            _gate: gate,
            actor: actor.clone(),
            now,
            rules: self.config.process,
            max_file: self.config.attachments.max_file(),
            dry_run,
            open: !dry_run,
            report: ImportReport::default(),
            dups,
            seen: HashSet::new(),
            msgids: HashMap::new(),
            last_seq: 0,
            rows: 0,
            batches: 0,
        })
    }
}

impl ImportSession {
    pub fn is_dry_run(&self) -> bool {
        self.dry_run
    }

    /// The counts so far.
    pub fn report(&self) -> &ImportReport {
        &self.report
    }

    /// Import `items` (in transactions of at most [`BATCH`]). On an error the
    /// session is spent: drop it, and everything it wrote is rolled back.
    pub fn add(&mut self, items: Vec<ImportItem>) -> Result<()> {
        if !self.open && !self.dry_run {
            return Err(Error::Storage {
                detail: "the import was already finished or rolled back".into(),
            });
        }
        let mut items = items;
        items.iter_mut().for_each(clean_item);
        for chunk in items.chunks(BATCH) {
            self.batch(chunk)?;
        }
        Ok(())
    }

    fn batch(&mut self, items: &[ImportItem]) -> Result<()> {
        // Debug builds only: `BEIAN_FAULT=crash-import:N` kills the process (no
        // unwinding, no rollback) before batch N+1, as a crash would, once the
        // N batches committed are on disk; it says so first (for the test that
        // checks the crash came where it was meant to, and the rollback undid it).
        #[cfg(debug_assertions)]
        if let Some(n) = std::env::var("BEIAN_FAULT")
            .ok()
            .and_then(|v| v.strip_prefix("crash-import:").and_then(|n| n.parse::<usize>().ok()))
        {
            if !self.dry_run && self.batches == n {
                let flushed = self.store.flush_now();
                eprintln!(
                    "beian: BEIAN_FAULT=crash-import:{n}: aborting after {} committed batches ({} rows), flushed: {}",
                    self.batches,
                    self.rows,
                    flushed.is_ok()
                );
                std::process::abort();
            }
        }
        self.batches += 1;
        let ctx = Ctx {
            actor: &self.actor,
            now: self.now,
            rules: self.rules,
            on_behalf_of: None,
        };
        let run = |tx: &mut Tx| import_batch(tx, &ctx, items, &self.dups, &self.seen, &self.msgids, self.max_file);
        let out = if self.dry_run {
            let result = Mutex::new(None);
            let r = self.store.transact(&self.actor, self.now, |tx| {
                let out = run(tx)?;
                *result.lock().unwrap_or_else(|e| e.into_inner()) = Some(out);
                Err(Error::Storage { detail: DRY_RUN.into() })
            });
            match r {
                Err(Error::Storage { detail }) if detail == DRY_RUN => result
                    .into_inner()
                    .unwrap_or_else(|e| e.into_inner())
                    .ok_or(Error::Storage { detail })?,
                Err(e) => return Err(e),
                Ok(()) => unreachable!("a dry run always aborts"),
            }
        } else {
            match self.store.transact_long(&self.actor, self.now, run) {
                Ok(out) => out,
                Err(e) => {
                    self.rollback();
                    return Err(e);
                }
            }
        };
        self.rows += items.len();
        let r = out.report;
        self.report.created.extend(r.created);
        self.report.skipped += r.skipped;
        self.report.replies.extend(r.replies);
        self.report.flagged.extend(r.flagged);
        for (id, s, k) in out.titles {
            self.dups.insert_request(Some(id), s, &k);
        }
        if self.dry_run {
            self.seen.extend(out.keys);
            self.msgids.extend(out.msgids);
        }
        self.last_seq = self.last_seq.max(out.last_seq);
        Ok(())
    }

    /// Commit the import: its summary event and the end of the long change, flushed.
    pub fn finish(mut self) -> Result<Outcome> {
        let summary = self.report.summary();
        let wrote = !self.report.created.is_empty() || !self.report.replies.is_empty();
        let mut seq = self.last_seq;
        if self.open {
            let cmd = Command::RequestImport {
                items: Vec::new(),
                dry_run: false,
            };
            let r = self.store.commit_long(&self.actor, self.now, |tx| {
                if wrote {
                    Ok(Some(tx.audit(cmd.name(), &["import".to_string()], &summary)?))
                } else {
                    Ok(None)
                }
            });
            match r {
                Ok(s) => {
                    self.open = false;
                    seq = s.unwrap_or(seq);
                }
                Err(e) => {
                    self.rollback();
                    return Err(e);
                }
            }
        }
        Ok(Outcome {
            entity: self
                .report
                .created
                .iter()
                .map(|i| i.to_string())
                .collect::<Vec<_>>()
                .join(" "),
            rev: None,
            seq,
            summary,
        })
    }

    fn rollback(&mut self) {
        if self.open {
            self.open = false;
            if let Err(e) = self.store.rollback_long() {
                // Left for the next open, which rolls back again.
                eprintln!("beian: {}", e.message());
            }
        }
    }
}

impl Drop for ImportSession {
    fn drop(&mut self) {
        self.rollback();
    }
}

/// Strip control characters and bidi overrides from every text of an item.
fn clean_item(item: &mut ImportItem) {
    use crate::sanitize::clean;
    let r = &mut item.request;
    for s in [
        &mut r.title,
        &mut r.body,
        &mut r.department,
        &mut r.submitter.name,
        &mut r.submitter.contact,
    ] {
        *s = clean(s);
    }
    r.tags.iter_mut().for_each(|t| *t = clean(t));
    if let Some(src) = &mut item.source {
        for s in [
            &mut src.origin,
            &mut src.detail,
            &mut src.external_id,
            &mut src.ip,
            &mut src.address,
        ] {
            *s = clean(s);
        }
        src.attachments.iter_mut().for_each(|a| a.name = clean(&a.name));
    }
    item.key = clean(&item.key);
    item.label = clean(&item.label);
    item.references.iter_mut().for_each(|m| *m = clean(m));
}

/// The items of one batch, inside its transaction.
fn import_batch(
    tx: &Tx,
    ctx: &Ctx,
    items: &[ImportItem],
    dups: &wf::DuplicateIndex,
    seen: &HashSet<u64>,
    msgids: &HashMap<u64, Id>,
    max_file: u64,
) -> Result<BatchOut> {
    let mut out = BatchOut::default();
    let mut batch_dups = wf::DuplicateIndex::default();
    let mut batch_keys: HashSet<u64> = HashSet::new();
    let mut batch_msgids: HashMap<u64, Id> = HashMap::new();
    for item in items {
        let label = |e: Error| match e {
            Error::Input { field, value, expected } if !item.label.is_empty() => Error::Input {
                field: format!("{}: {field}", item.label),
                value,
                expected,
            },
            Error::Rule(wf::RuleError::Empty { field }) if !item.label.is_empty() => Error::Input {
                field: format!("{}: {field}", item.label),
                value: String::new(),
                expected: "a value".into(),
            },
            e => e,
        };
        if item.key.trim().is_empty() {
            return Err(label(Error::input(
                "import.key",
                "",
                &crate::i18n::t("expected.import_key", &[]),
            )));
        }
        let key_hash = hash(&item.key);
        if seen.contains(&key_hash) || batch_keys.contains(&key_hash) || tx.imported(&item.key)?.is_some() {
            out.report.skipped += 1;
            continue;
        }
        batch_keys.insert(key_hash);
        out.keys.push(key_hash);
        // A reply joins the thread of the request it answers.
        let mut target = None;
        if let Some(id) = item.reply_to {
            if tx.get::<Request>(id)?.is_some() {
                target = Some(id);
            }
        }
        for m in &item.references {
            if target.is_some() {
                break;
            }
            let key = format!("msgid:{m}");
            let h = hash(&key);
            target = match msgids.get(&h).or(batch_msgids.get(&h)) {
                Some(id) => Some(*id),
                None => tx.imported(&key)?,
            };
        }
        if let Some(id) = target {
            // In a dry run, a reply to a request created earlier in the same
            // import has no record yet: it is counted, not written.
            if let Some(mut r) = tx.get::<Request>(id)? {
                let text = super::reply_text(item);
                wf::comment(&mut r, &text, ctx).map_err(|e| label(e.into()))?;
                tx.save(&mut r)?;
                out.last_seq = tx.audit(
                    "request.comment",
                    &[id.to_string()],
                    &crate::sanitize::clean_line(&item.request.title),
                )?;
            }
            tx.set_imported(&item.key, id)?;
            if item.key.starts_with("msgid:") {
                batch_msgids.insert(key_hash, id);
                out.msgids.push((key_hash, id));
            }
            out.report.replies.push(id);
            continue;
        }
        let mut r = new_request(tx, ctx, &item.request).map_err(label)?;
        r.source = item.source.clone();
        let key = wf::title_key(&r.title);
        if let Some(o) = dups
            .similar(r.system, &key)
            .or_else(|| batch_dups.similar(r.system, &key))
        {
            wf::flag_similar(&mut r, o);
            out.report.flagged.push(r.id);
        }
        batch_dups.insert_request(Some(r.id), r.system, &key);
        tx.insert(&mut r)?;
        tx.set_imported(&item.key, r.id)?;
        // An email's attachments are kept on its request (issue 18); one over
        // the limit, or whose name cannot be kept, stays only listed.
        for f in &item.files {
            let size = f.content.bytes().len() as u64;
            let Ok(name) = wf::attach::check_name(&f.name) else {
                continue;
            };
            if size > max_file {
                continue;
            }
            let sha256 = tx.put_file(f.content.bytes())?;
            tx.add_attachment(crate::model::AttachmentEntry {
                no: 0,
                entity: r.id.to_string(),
                name,
                kind: crate::model::AttachmentKind::EmailAttachment,
                size,
                sha256,
                added_by: ctx.actor.name.clone(),
                added_at: ctx.now,
                addendum: None,
            })?;
        }
        if item.key.starts_with("msgid:") {
            batch_msgids.insert(key_hash, r.id);
            out.msgids.push((key_hash, r.id));
        }
        out.last_seq = tx.audit(
            "request.add",
            &[r.id.to_string()],
            &format!("{} [{}] {}", r.kind, r.channel, r.title),
        )?;
        out.titles.push((r.id, r.system, key));
        out.report.created.push(r.id);
    }
    Ok(out)
}
