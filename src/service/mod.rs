//! The API every interface calls: [`Service::execute`] for changes and the query
//! methods for reads. It loads records, asks `workflow` whether the change is
//! allowed, and writes the result with its audit event in one transaction.

mod api;
mod apply;
mod attachments;
mod import;
pub mod mail;
mod persona;
mod queries;

pub use crate::workflow::command::{Command, ImportItem, ImportReport, NewRequest, RequestEdit, Triage};
pub use api::{unexpected, Answer, Backend, ImportSink, Local, Query, WhoamiInfo};
pub use import::{GateStatus, Holder, ImportSession, BATCH as IMPORT_BATCH};
pub use persona::{ACT_AS, PERSONA_ENTITY};
pub use queries::{
    audit_action_label, audit_actions, ArchiveFilter, Attention, DossierView, FirstScreen, Overview, PlanFilter,
    RequestFilter, AUDIT_OTHER, FIRST_SCREEN_MAX,
};
pub use queries::{order_changes, plan_changes, Change, ChangeEvent, IN_FLIGHT};

use std::path::{Path, PathBuf};

use chrono::Utc;
use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::error::{Error, Result};
use crate::model::*;
use crate::store::{OpenMode, Store, Tx};
use crate::workflow::{self as wf, Ctx};

/// An open database with its configuration.
pub struct Service {
    store: std::sync::Arc<Store>,
    config: Config,
    creator: String,
    /// Commands share it; an import holds it alone (see `import.rs`).
    gate: std::sync::Arc<import::Gate>,
    /// The archive's summaries in memory (src/search/index.rs).
    archive_index: crate::search::index::ArchiveIndex,
    /// One catch-up of the persistent archive index at a time (src/search/archive.rs).
    archive_lock: std::sync::Mutex<()>,
    /// One delivery of the outbox at a time (`mail.rs`).
    mail_lock: std::sync::Mutex<()>,
    /// The titles a new request is compared with (§3.1 likely duplicates):
    /// built at the first request added, then kept by this process, the
    /// database's only writer; dropped by any command that may change a
    /// request's title, system or duplicate status, and by imports.
    similar: std::sync::Mutex<Option<wf::DuplicateIndex>>,
}

/// What a successful command did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    /// The record created or changed.
    pub entity: String,
    /// Its new revision, for revisioned records.
    pub rev: Option<u64>,
    /// The audit event recorded.
    pub seq: u64,
    pub summary: String,
}

impl Service {
    /// Open an existing database in `dir`.
    pub fn open(dir: &Path) -> Result<Service> {
        let store = Store::open(dir, OpenMode::Existing, "")?;
        Self::with_store(store)
    }

    /// Create a database in `dir`; `creator` becomes its admin.
    pub fn create(dir: &Path, creator: &str, demo: bool) -> Result<Service> {
        let store = Store::open(dir, OpenMode::Create { demo }, creator)?;
        let cfg = dir.join(crate::config::CONFIG_FILE);
        if !cfg.exists() {
            crate::fsutil::write_file(&cfg, Config::template(creator).as_bytes(), 0o640)?;
        }
        Self::with_store(store)
    }

    fn with_store(store: Store) -> Result<Service> {
        let config = load_config(&store)?;
        // A change of roles or process settings goes into the chain first.
        store.note_config(&config)?;
        let creator = store.creator()?;
        let archive_index = crate::search::index::ArchiveIndex::new(store.dossier_trees());
        let svc = Service {
            store: std::sync::Arc::new(store),
            config,
            creator,
            gate: Default::default(),
            archive_index,
            archive_lock: Default::default(),
            mail_lock: Default::default(),
            similar: Default::default(),
        };
        // A database without the persistent archive index (one from before it,
        // or one whose index a crash left behind) gets it now. The index is
        // derived: if it cannot be written here, searches say so, not the open.
        let _ = svc.follow_archive_now();
        Ok(svc)
    }

    fn archive_lock(&self) -> std::sync::MutexGuard<'_, ()> {
        self.archive_lock.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Bring the persistent archive index up to date when it is not.
    pub(crate) fn follow_archive_now(&self) -> Result<()> {
        let _one = self.archive_lock();
        crate::search::archive::catch_up(&self.store, false).map(|_| ())
    }

    /// After a command: catch the index up if the command filed a dossier or
    /// appended an addendum (its transaction left the `stale` mark). Not in a
    /// bulk load: that catches up once at its end.
    fn follow_archive(&self) {
        let stale = crate::search::archive::index_dir(self.dir()).join(crate::search::archive::STALE);
        if self.store.is_durable() && stale.exists() {
            let _ = self.follow_archive_now();
        }
    }

    pub fn dir(&self) -> &Path {
        self.store.dir()
    }

    /// Read `config.toml` again (the server does at every connection).
    pub fn load_config(&self) -> Result<Config> {
        load_config(&self.store)
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Record `config`'s roles and process settings in the chain when they
    /// differ from the last recorded (`store/config_log.rs`): before a server
    /// or the demo uses a configuration read from `config.toml`. `Ok(false)`:
    /// not now, an import holds the database (its rollback would undo the
    /// event) — keep the previous configuration and try again later.
    pub fn record_config(&self, config: &Config, now: Time) -> Result<bool> {
        if self.store.config_is_recorded(config)? {
            return Ok(true);
        }
        let Some(_gate) = self.gate.try_shared() else {
            return Ok(false);
        };
        self.store.record_config(config, now)?;
        Ok(true)
    }

    /// Replace the configuration (tests and the demo set roles this way).
    pub fn set_config(&mut self, config: Config) {
        self.config = config;
    }

    pub fn creator(&self) -> &str {
        &self.creator
    }

    pub fn is_demo(&self) -> Result<bool> {
        self.store.is_demo()
    }

    /// The actor for the OS user running this process.
    pub fn local_actor(&self) -> Actor {
        crate::config::local_actor(&self.config, &self.creator)
    }

    /// An actor by name, with the roles the configuration gives that name.
    pub fn actor_named(&self, name: &str, groups: &[String]) -> Actor {
        Actor {
            name: name.to_string(),
            roles: self.config.roles_for(name, groups, &self.creator),
            via: None,
        }
    }

    /// Run a bulk load (demo data, imports) without a flush per command; everything
    /// is flushed once at the end, also when `f` fails.
    pub fn bulk<A>(&self, f: impl FnOnce(&Service) -> Result<A>) -> Result<A> {
        self.store.set_durable(false)?;
        let out = f(self);
        self.store.set_durable(true)?;
        self.follow_archive();
        out
    }

    /// After sled met a write the disk refused: open the database again once the
    /// disk takes writes (see [`Store::close_for_reopen`]). Does nothing when
    /// sled never met the refusal (beian's own check refused the write first);
    /// refused while an import holds the store.
    pub fn reopen(&mut self) -> Result<()> {
        if !self.store.needs_reopen() {
            return Ok(());
        }
        let dir = self.dir().display().to_string();
        let store = std::sync::Arc::get_mut(&mut self.store).ok_or(Error::Storage {
            detail: format!("{dir}: an import is in progress; not reopened"),
        })?;
        store.close_for_reopen()?;
        // The archive index holds sled's trees too: it lets go of them, then
        // follows the reopened database.
        self.archive_index = crate::search::index::ArchiveIndex::new(store.dossier_trees());
        store.open_again()?;
        self.archive_index = crate::search::index::ArchiveIndex::new(store.dossier_trees());
        Ok(())
    }

    pub(crate) fn store(&self) -> &Store {
        &self.store
    }

    pub(crate) fn archive_index(&self) -> &crate::search::index::ArchiveIndex {
        &self.archive_index
    }

    /// The store itself, for the tamper tests and fixtures (`raw_entries`, `raw_set`).
    #[doc(hidden)]
    pub fn raw_store(&self) -> &Store {
        &self.store
    }

    /// Carry out a command now.
    pub fn execute(&self, actor: &Actor, cmd: Command, expect_rev: Option<u64>) -> Result<Outcome> {
        self.execute_at(actor, cmd, expect_rev, Utc::now())
    }

    /// Carry out a command as if at `now` (demo data and tests of time rules).
    /// `expect_rev`, when given, is the revision of the target record the caller
    /// based its change on; a different current revision is a conflict.
    pub fn execute_at(&self, actor: &Actor, cmd: Command, expect_rev: Option<u64>, now: Time) -> Result<Outcome> {
        // A named substitute decides as an approver, in the member's name (§2.1).
        let mut on_behalf_of = None;
        let stand_in;
        let actor = match wf::check(actor, cmd.op()) {
            Ok(()) => actor,
            Err(e) => {
                let day = now.with_timezone(&chrono::Local).date_naive();
                let subs = self.store.substitutes()?;
                match wf::substitute::acting_for(&subs, &actor.name, day) {
                    Some(s) if wf::allowed(Role::Approver, cmd.op()) => {
                        on_behalf_of = Some(s.approver.clone());
                        let mut roles = actor.roles.clone();
                        roles.push(Role::Approver);
                        stand_in = Actor {
                            name: actor.name.clone(),
                            roles,
                            via: actor.via.clone(),
                        };
                        &stand_in
                    }
                    _ => return Err(e.into()),
                }
            }
        };
        // An import cleans its items itself, batch by batch.
        if let Command::RequestImport { items, dry_run } = cmd {
            let mut session = self.import_session_at(actor, dry_run, now)?;
            session.add(items)?;
            return session.finish();
        }
        // The files' content never goes through JSON: taken out, put back.
        let contents: Vec<Content> = match &cmd {
            Command::Attach { files, .. } => {
                // Over the limit: refused before anything is read or stored.
                for f in files {
                    wf::attach::check_size(&f.name, f.size, self.config.attachments.max_file())?;
                }
                files.iter().map(|f| f.content.clone()).collect()
            }
            _ => Vec::new(),
        };
        let mut cmd = sanitize_command(cmd);
        if let Command::Attach { files, .. } = &mut cmd {
            for (f, c) in files.iter_mut().zip(contents) {
                f.content = c;
            }
        }
        let max_file = self.config.attachments.max_file();
        let ctx = Ctx {
            actor,
            now,
            rules: self.config.process,
            on_behalf_of,
        };
        // Naming a substitute looks at every plan open to a decision.
        let open: Vec<Id> = match &cmd {
            Command::ApproverSubstitute { .. } => self
                .store
                .summaries::<Plan>()?
                .into_iter()
                .filter(|p| {
                    matches!(
                        p.status,
                        PlanStatus::Submitted | PlanStatus::Approved | PlanStatus::NoticePublished
                    )
                })
                .map(|p| p.id)
                .collect(),
            _ => Vec::new(),
        };
        let _gate = self.write_gate()?;
        // A new request is compared with the queue (all but the duplicates):
        // the one it looks like is named on it.
        let similar = match &cmd {
            Command::RequestAdd { request } => self.similar_request(request.system, &request.title),
            _ => None,
        };
        // What the mail rules read that a transaction cannot scan (the
        // register); the messages are written in the change's own transaction.
        let facts = self.mail_facts(actor, &cmd)?;
        let out = self.store.transact(actor, now, |tx| {
            let out = apply::apply(tx, &ctx, &cmd, expect_rev, &open, similar, max_file, &facts)?;
            mail::queue(tx, &ctx, &cmd, &out, &facts)?;
            Ok(out)
        });
        self.follow_similar(&cmd, out.as_ref().ok());
        let out = out?;
        self.follow_archive();
        Ok(out)
    }

    /// The request a new one looks like: the first, in id order, of the
    /// requests whose titles this process keeps ([`wf::DuplicateIndex`], read
    /// once, not at every request) that is, as stored now, not a duplicate
    /// and still alike ([`wf::likely_duplicate`]): a title edited since or a
    /// request marked duplicate since is checked against the record itself.
    /// A read refused here (sled's error is sticky once the disk refused a
    /// write) is refused again by the transaction, which names the data
    /// directory; the comparison waits for it.
    fn similar_request(&self, system: Option<Id>, title: &str) -> Option<Id> {
        let mut cache = self.similar.lock().unwrap_or_else(|e| e.into_inner());
        if cache.is_none() {
            let queue = self.store.summaries::<Request>().ok()?;
            let mut ix = wf::DuplicateIndex::default();
            for s in &queue {
                ix.insert_request(Some(s.id), s.system, &wf::title_key(&s.title));
            }
            *cache = Some(ix);
        }
        let key = wf::title_key(title);
        cache.as_ref()?.similar_all(system, &key).into_iter().find(|id| {
            matches!(self.store.get::<Request>(*id), Ok(Some(r))
                if r.status != RequestStatus::Duplicate
                    && wf::likely_duplicate(system, &key, r.system, &wf::title_key(&r.title)))
        })
    }

    /// Keep the titles in step with `cmd`: a request added is one more; an
    /// edited request's title (or system) as it is now is one more too (the
    /// old one stays, and is checked against the record when found). Requests
    /// marked duplicate stay: they are checked when found. (Imports add
    /// requests on their own path and drop the titles: [`Self::forget_similar`].)
    fn follow_similar(&self, cmd: &Command, out: Option<&Outcome>) {
        let mut cache = self.similar.lock().unwrap_or_else(|e| e.into_inner());
        let Some(ix) = cache.as_mut() else {
            return;
        };
        match (cmd, out) {
            (Command::RequestAdd { request }, Some(out)) => match out.entity.parse::<Id>() {
                Ok(id) => ix.insert_request(Some(id), request.system, &wf::title_key(&request.title)),
                Err(_) => *cache = None,
            },
            (Command::RequestEdit { id, .. }, Some(_)) => match self.store.get::<Request>(*id) {
                Ok(Some(r)) => ix.insert_request(Some(r.id), r.system, &wf::title_key(&r.title)),
                _ => *cache = None,
            },
            // Other commands, and refused ones, change no title.
            _ => {}
        }
    }

    /// Forget the titles kept for likely duplicates (an import adds requests
    /// on its own path).
    pub(crate) fn forget_similar(&self) {
        *self.similar.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }
}

/// The database's `config.toml` ([`Config::load`]); when it is missing, the
/// refusal names the roles the chain last recorded, so that the admin knows
/// what to put back.
fn load_config(store: &Store) -> Result<Config> {
    match Config::load(store.dir()) {
        Err(Error::ConfigMissing { path, .. }) => {
            let recorded = store
                .recorded_settings()
                .map(|(s, _)| s.roles_summary())
                .unwrap_or_default();
            Err(Error::ConfigMissing { path, recorded })
        }
        other => other,
    }
}

/// The comment a reply becomes: who wrote, the subject, the text, attachments.
pub(crate) fn reply_text(item: &ImportItem) -> String {
    let n = &item.request;
    let mut text = String::new();
    let who = if n.submitter.contact.is_empty() || n.submitter.contact == n.submitter.name {
        n.submitter.name.clone()
    } else {
        format!("{} <{}>", n.submitter.name, n.submitter.contact)
    };
    text.push_str(&format!("[{}] {who}: {}\n", n.channel, n.title.trim()));
    if !n.body.trim().is_empty() {
        text.push('\n');
        text.push_str(n.body.trim());
    }
    if let Some(s) = &item.source {
        for a in &s.attachments {
            text.push_str(&format!("\n📎 {} ({} B)", a.name, a.size));
        }
    }
    text
}

/// A new request from what was submitted; checks the fields and allocates its id.
pub(crate) fn new_request(tx: &Tx, ctx: &Ctx, n: &NewRequest) -> Result<Request> {
    let title = wf::non_empty(&n.title, "title")?;
    wf::non_empty(&n.submitter.name, "submitter")?;
    if let Some(s) = n.system {
        tx.load::<System>(s, None)?;
    }
    let id = tx.alloc_id(IdKind::Request)?;
    Ok(Request {
        id,
        kind: n.kind,
        title,
        body: n.body.clone(),
        system: n.system,
        submitter: n.submitter.clone(),
        department: n.department.trim().into(),
        channel: n.channel,
        received_at: n.received_at.unwrap_or(ctx.now),
        priority: n.priority,
        tags: wf::clean_tags(&n.tags),
        status: RequestStatus::New,
        decided_from: Vec::new(),
        necessity: String::new(),
        feasibility: String::new(),
        reject_reason: None,
        duplicate_of: None,
        similar_to: None,
        joint_review: None,
        plan: None,
        feedback_on: None,
        comments: Vec::new(),
        source: None,
        meta: Meta::new(&ctx.actor.name, ctx.now),
    })
}

/// Every string in a command is cleaned of control and bidi characters before
/// it can be stored.
fn sanitize_command(cmd: Command) -> Command {
    fn walk(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::String(s) => *s = crate::sanitize::clean(s),
            serde_json::Value::Array(a) => a.iter_mut().for_each(walk),
            serde_json::Value::Object(o) => o.values_mut().for_each(walk),
            _ => {}
        }
    }
    let mut v = serde_json::to_value(&cmd).expect("commands serialize");
    walk(&mut v);
    serde_json::from_value(v).unwrap_or(cmd)
}

/// The update notice text (更新预告) publishing it now would generate: the
/// first or a corrected notice, from the notice's own fields, the window and
/// the milestones, in the plan's notice language (`workflow::generated_text`).
pub fn default_notice_text(plan: &Plan, system: &System) -> String {
    crate::workflow::generated_text(plan, system)
}

/// The text `beian plan notice` would publish now without a text of its own:
/// the draft if there is one, else the generated notice.
pub fn notice_to_publish(plan: &Plan, system: &System) -> String {
    match &plan.notice_draft {
        Some(d) => d.text.clone(),
        None => default_notice_text(plan, system),
    }
}

/// Where the demo database goes when none is named.
pub fn demo_dir() -> PathBuf {
    crate::config::default_demo_dir()
}
