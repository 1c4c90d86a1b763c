//! The API every interface calls: [`Service::execute`] for changes and the query
//! methods for reads. It loads records, asks `workflow` whether the change is
//! allowed, and writes the result with its audit event in one transaction.

mod api;
mod command;
mod import;
mod queries;

pub use api::{unexpected, Answer, Backend, ImportSink, Local, Query, WhoamiInfo};
pub use command::{Command, ImportItem, ImportReport, NewRequest, RequestEdit, Triage};
pub use import::{ImportSession, BATCH as IMPORT_BATCH};
pub use queries::{ArchiveFilter, DossierView, FirstScreen, Overview, PlanFilter, RequestFilter, FIRST_SCREEN_MAX};

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
    /// The archive's in-memory index (src/search/index.rs).
    archive_index: crate::search::index::ArchiveIndex,
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
            write_file(&cfg, &Config::template(creator), 0o640)?;
        }
        Self::with_store(store)
    }

    fn with_store(store: Store) -> Result<Service> {
        let config = Config::load(store.dir())?;
        let creator = store.creator()?;
        let archive_index = crate::search::index::ArchiveIndex::new(store.dossier_trees());
        Ok(Service {
            store: std::sync::Arc::new(store),
            config,
            creator,
            gate: Default::default(),
            archive_index,
        })
    }

    pub fn dir(&self) -> &Path {
        self.store.dir()
    }

    pub fn config(&self) -> &Config {
        &self.config
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
        }
    }

    /// Run a bulk load (demo data, imports) without a flush per command; everything
    /// is flushed once at the end, also when `f` fails.
    pub fn bulk<A>(&self, f: impl FnOnce(&Service) -> Result<A>) -> Result<A> {
        self.store.set_durable(false)?;
        let out = f(self);
        self.store.set_durable(true)?;
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
        wf::check(actor, cmd.op())?;
        // An import cleans its items itself, batch by batch.
        if let Command::RequestImport { items, dry_run } = cmd {
            let mut session = self.import_session_at(actor, dry_run, now)?;
            session.add(items)?;
            return session.finish();
        }
        let cmd = sanitize_command(cmd);
        let ctx = Ctx {
            actor,
            now,
            rules: self.config.process,
        };
        let _gate = self.gate.shared();
        self.store
            .transact(&actor.name, now, |tx| apply(tx, &ctx, &cmd, expect_rev))
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
        tags: clean_tags(&n.tags),
        status: RequestStatus::New,
        necessity: String::new(),
        feasibility: String::new(),
        reject_reason: None,
        duplicate_of: None,
        joint_review: None,
        plan: None,
        comments: Vec::new(),
        source: None,
        meta: Meta::new(&ctx.actor.name, ctx.now),
    })
}

/// Write a file with at most `mode` (the umask may narrow it further).
pub fn write_file(path: &Path, text: &str, mode: u32) -> Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(mode)
        .open(path)
        .map_err(|e| Error::io(path, e))?;
    f.write_all(text.as_bytes()).map_err(|e| Error::io(path, e))
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

fn done(tx: &Tx, cmd: &Command, entities: &[String], rev: Option<u64>, summary: String) -> Result<Outcome> {
    let seq = tx.audit(cmd.name(), entities, &summary)?;
    Ok(Outcome {
        entity: entities.first().cloned().unwrap_or_default(),
        rev,
        seq,
        summary,
    })
}

fn arrow(from: impl std::fmt::Display, to: impl std::fmt::Display) -> String {
    format!("{from} → {to}")
}

/// The generated update notice text (更新预告), in the current language.
pub fn default_notice_text(plan: &Plan, system: &System) -> String {
    use crate::i18n::t;
    let (start, end) = plan
        .window
        .as_ref()
        .map(|w| (fmt_time(w.start), fmt_time(w.end)))
        .unwrap_or_default();
    t(
        "notice.template",
        &[
            ("system", system.name.clone()),
            ("from", plan.version_from.clone()),
            ("to", plan.version_to.clone()),
            ("start", start),
            ("end", end),
            ("content", plan.content.trim().to_string()),
            (
                "impact",
                plan.risks
                    .iter()
                    .map(|r| r.description.clone())
                    .collect::<Vec<_>>()
                    .join("；"),
            ),
            ("department", system.department.clone()),
        ],
    )
}

fn apply(tx: &Tx, ctx: &Ctx, cmd: &Command, expect: Option<u64>) -> Result<Outcome> {
    use Command as C;
    match cmd {
        C::SystemAdd {
            name,
            department,
            vendor,
            version,
        } => {
            let name = wf::non_empty(name, "name")?;
            let id = tx.alloc_id(IdKind::System)?;
            let mut s = System {
                id,
                name,
                department: department.trim().into(),
                vendor: vendor.trim().into(),
                version: version.trim().into(),
                meta: Meta::new(ctx.actor.name.as_str(), ctx.now),
            };
            tx.insert(&mut s)?;
            done(
                tx,
                cmd,
                &[id.to_string()],
                Some(1),
                format!("{} ({})", s.name, s.version),
            )
        }
        C::SystemEdit {
            id,
            name,
            department,
            vendor,
            version,
        } => {
            let mut s: System = tx.load(*id, expect)?;
            if let Some(v) = name {
                s.name = wf::non_empty(v, "name")?;
            }
            if let Some(v) = department {
                s.department = v.trim().into();
            }
            if let Some(v) = vendor {
                s.vendor = v.trim().into();
            }
            if let Some(v) = version {
                s.version = v.trim().into();
            }
            tx.save(&mut s)?;
            done(
                tx,
                cmd,
                &[id.to_string()],
                Some(s.meta.rev),
                format!("{} ({})", s.name, s.version),
            )
        }
        C::CalendarAdd { period } => {
            let mut cal = tx.calendar()?;
            let period = checked_period(tx, period)?;
            wf::name_is_new(&cal, &period)?;
            let summary = format!(
                "{} {}..{}{}",
                period.name,
                period.start,
                period.end,
                if period.hard { " hard" } else { "" }
            );
            cal.push(period);
            cal.sort_by_key(|b| b.start);
            tx.set_calendar(&cal)?;
            done(tx, cmd, &["calendar".into()], None, summary)
        }
        C::CalendarRemove { name } => {
            let mut cal = tx.calendar()?;
            let before = cal.len();
            cal.retain(|b| &b.name != name);
            if cal.len() == before {
                return Err(Error::not_found(name));
            }
            tx.set_calendar(&cal)?;
            done(tx, cmd, &["calendar".into()], None, name.clone())
        }
        C::CalendarReplace { periods } => {
            let mut cal = periods
                .iter()
                .map(|b| checked_period(tx, b))
                .collect::<Result<Vec<_>>>()?;
            for (i, b) in cal.iter().enumerate() {
                wf::name_is_new(&cal[..i], b)?;
            }
            cal.sort_by_key(|b| b.start);
            tx.set_calendar(&cal)?;
            done(tx, cmd, &["calendar".into()], None, format!("{} periods", cal.len()))
        }

        C::RequestAdd { request: n } => {
            let mut r = new_request(tx, ctx, n)?;
            let id = r.id;
            tx.insert(&mut r)?;
            done(
                tx,
                cmd,
                &[id.to_string()],
                Some(1),
                format!("{} [{}] {}", r.kind, r.channel, r.title),
            )
        }
        // `Service::execute_at` hands imports to an `ImportSession` before this.
        C::RequestImport { .. } => Err(Error::Storage {
            detail: "an import runs in an import session, not in one transaction".into(),
        }),
        C::RequestTriage { id, triage } => {
            let mut r: Request = tx.load(*id, expect)?;
            let from = r.status;
            let mut entities = vec![id.to_string()];
            match triage {
                Triage::Triage => wf::triage(&mut r, ctx)?,
                Triage::Accept { outcome } => wf::accept(&mut r, outcome.as_deref(), ctx)?,
                Triage::Reject { reason } => wf::reject(&mut r, reason, ctx)?,
                Triage::Duplicate { of } => {
                    let original: Request = tx.load(*of, None)?;
                    wf::mark_duplicate(&mut r, &original, ctx)?;
                    entities.push(of.to_string());
                }
                Triage::JointReview => wf::send_to_joint_review(&mut r, ctx)?,
            }
            tx.save(&mut r)?;
            let mut summary = arrow(from, r.status);
            if let Some(of) = r.duplicate_of.filter(|_| r.status == RequestStatus::Duplicate) {
                summary.push_str(&format!(" of {of}"));
            }
            done(tx, cmd, &entities, Some(r.meta.rev), summary)
        }
        C::RequestEdit { id, edit } => {
            let mut r: Request = tx.load(*id, expect)?;
            wf::request_editable(&r)?;
            let mut fields = Vec::new();
            if let Some(v) = &edit.title {
                r.title = wf::non_empty(v, "title")?;
                fields.push("title");
            }
            if let Some(v) = &edit.body {
                r.body = v.clone();
                fields.push("body");
            }
            if let Some(v) = edit.system {
                tx.load::<System>(v, None)?;
                r.system = Some(v);
                fields.push("system");
            }
            if let Some(v) = &edit.department {
                r.department = v.trim().into();
                fields.push("department");
            }
            if let Some(v) = edit.priority {
                r.priority = v;
                fields.push("priority");
            }
            if let Some(v) = &edit.tags {
                r.tags = clean_tags(v);
                fields.push("tags");
            }
            if let Some(v) = &edit.necessity {
                r.necessity = v.clone();
                fields.push("necessity");
            }
            if let Some(v) = &edit.feasibility {
                r.feasibility = v.clone();
                fields.push("feasibility");
            }
            tx.save(&mut r)?;
            done(tx, cmd, &[id.to_string()], Some(r.meta.rev), fields.join(", "))
        }
        C::RequestComment { id, text } => {
            let mut r: Request = tx.load(*id, expect)?;
            wf::comment(&mut r, text, ctx)?;
            tx.save(&mut r)?;
            done(
                tx,
                cmd,
                &[id.to_string()],
                Some(r.meta.rev),
                crate::sanitize::clean_line(text),
            )
        }
        C::RequestLink { id, plan } => {
            let mut r: Request = tx.load(*id, expect)?;
            let mut p: Plan = tx.load(*plan, None)?;
            wf::link(&mut r, &mut p, ctx)?;
            tx.save(&mut r)?;
            tx.save(&mut p)?;
            done(
                tx,
                cmd,
                &[id.to_string(), plan.to_string()],
                Some(r.meta.rev),
                format!("→ {plan}"),
            )
        }

        C::PlanNew {
            system,
            title,
            version_from,
            version_to,
        } => {
            let sys: System = tx.load(*system, None)?;
            let title = wf::non_empty(title, "title")?;
            let version_to = wf::non_empty(version_to, "version_to")?;
            let id = tx.alloc_id(IdKind::Plan)?;
            let from = version_from.clone().unwrap_or_else(|| sys.version.clone());
            let mut p = wf::new_plan(id, &sys, &title, &from, &version_to, ctx);
            tx.insert(&mut p)?;
            let summary = format!("{} {} {}", sys.name, arrow(&p.version_from, &p.version_to), p.title);
            done(tx, cmd, &[id.to_string()], Some(1), summary)
        }
        C::PlanEdit { id, changes } => {
            let mut p: Plan = tx.load(*id, expect)?;
            let cal = tx.calendar()?;
            for c in changes {
                wf::edit(&mut p, c.clone(), &cal, ctx)?;
            }
            tx.save(&mut p)?;
            let names: Vec<&str> = changes.iter().map(|c| c.name()).collect();
            done(tx, cmd, &[id.to_string()], Some(p.meta.rev), names.join(", "))
        }
        C::PlanSubmit { id } => plan_step(tx, ctx, cmd, *id, expect, |p, _| {
            let cal = tx.calendar()?;
            wf::submit(p, &cal, ctx)?;
            Ok(String::new())
        }),
        C::PlanApprove {
            id,
            comment,
            minutes_ref,
        } => plan_step(tx, ctx, cmd, *id, expect, |p, _| {
            wf::decide(p, Decision::Approved, comment, minutes_ref, &tx.calendar()?, ctx)?;
            let (have, need) = wf::quorum(p, ctx);
            Ok(if need > 1 {
                format!("{minutes_ref} ({have}/{need})")
            } else {
                minutes_ref.clone()
            })
        }),
        C::PlanReturn {
            id,
            reason,
            minutes_ref,
        } => plan_step(tx, ctx, cmd, *id, expect, |p, _| {
            wf::decide(p, Decision::Returned, reason, minutes_ref, &tx.calendar()?, ctx)?;
            Ok(crate::sanitize::clean_line(reason))
        }),
        C::PlanNotice { id, text, audience } => plan_step(tx, ctx, cmd, *id, expect, |p, _| {
            let text = match text {
                Some(t) if !t.trim().is_empty() => t.clone(),
                _ => {
                    let sys: System = tx.load(p.system, None)?;
                    default_notice_text(p, &sys)
                }
            };
            wf::publish_notice(p, &text, audience, &tx.calendar()?, ctx)?;
            Ok(audience.clone())
        }),
        C::PlanImplement { id } => plan_step(tx, ctx, cmd, *id, expect, |p, _| {
            wf::start_implementation(p, &tx.calendar()?, ctx)?;
            Ok(String::new())
        }),
        C::PlanCancel { id, reason } => {
            let mut p: Plan = tx.load(*id, expect)?;
            let from = p.status;
            wf::cancel(&mut p, reason, ctx)?;
            let mut entities = vec![id.to_string()];
            for rid in &p.requests {
                let mut r: Request = tx.load(*rid, None)?;
                wf::release(&mut r);
                tx.save(&mut r)?;
                entities.push(rid.to_string());
            }
            tx.save(&mut p)?;
            let summary = format!("{}: {}", arrow(from, p.status), crate::sanitize::clean_line(reason));
            done(tx, cmd, &entities, Some(p.meta.rev), summary)
        }

        C::TestRound {
            plan,
            copy_unfinished,
            environment,
        } => plan_step(tx, ctx, cmd, *plan, expect, |p, _| {
            let no = wf::new_round(p, *copy_unfinished, environment, ctx)?;
            Ok(format!(
                "round {no}, {} items",
                p.rounds.last().map_or(0, |r| r.items.len())
            ))
        }),
        C::TestItem {
            plan,
            category,
            description,
            expected,
            tester,
            retest,
        } => plan_step(tx, ctx, cmd, *plan, expect, |p, _| {
            let no = wf::add_item(p, *category, description, expected, tester.clone(), *retest, ctx)?;
            let item = p.rounds.last().and_then(|r| r.items.iter().find(|i| i.no == no));
            Ok(format!(
                "#{no}{} [{}] {}",
                if retest.is_some() { " retest" } else { "" },
                item.map(|i| i.category).unwrap_or(*category),
                crate::sanitize::clean_line(item.map(|i| i.description.as_str()).unwrap_or(description))
            ))
        }),
        C::TestResult {
            plan,
            item,
            result,
            notes,
        } => plan_step(tx, ctx, cmd, *plan, expect, |p, _| {
            wf::set_result(p, *item, *result, notes.as_deref(), ctx)?;
            Ok(format!("#{item} {result}"))
        }),
        C::TestWaive { plan, item, reason } => plan_step(tx, ctx, cmd, *plan, expect, |p, _| {
            wf::waive(p, *item, reason, ctx)?;
            Ok(format!("#{item} waived: {}", crate::sanitize::clean_line(reason)))
        }),
        C::DefectAccept { plan, defect, reason } => plan_step(tx, ctx, cmd, *plan, expect, |p, _| {
            wf::accept_defect(p, *defect, reason, ctx)?;
            Ok(format!(
                "D{defect} risk accepted: {}",
                crate::sanitize::clean_line(reason)
            ))
        }),
        C::PlanDeviation { plan, time, reason } => plan_step(tx, ctx, cmd, *plan, expect, |p, _| {
            wf::record_deviation(p, *time, reason, ctx)?;
            Ok(format!("{}: {}", fmt_time(*time), crate::sanitize::clean_line(reason)))
        }),
        C::DeviationAccept { plan, reason } => plan_step(tx, ctx, cmd, *plan, expect, |p, _| {
            wf::accept_deviation(p, reason, ctx)?;
            Ok(format!("accepted: {}", crate::sanitize::clean_line(reason)))
        }),
        C::DefectAdd {
            plan,
            severity,
            description,
            found_by,
            item,
            vendor_ref,
        } => plan_step(tx, ctx, cmd, *plan, expect, |p, _| {
            let no = wf::add_defect(
                p,
                *severity,
                description,
                found_by.clone(),
                *item,
                vendor_ref.as_deref(),
                ctx,
            )?;
            Ok(format!(
                "D{no} {severity}: {}",
                crate::sanitize::clean_line(description)
            ))
        }),
        C::DefectUpdate {
            plan,
            defect,
            status,
            vendor_ref,
        } => plan_step(tx, ctx, cmd, *plan, expect, |p, _| {
            wf::update_defect(p, *defect, *status, vendor_ref.as_deref(), ctx)?;
            Ok(format!(
                "D{defect} {}",
                status.map(|s| s.to_string()).unwrap_or_default()
            ))
        }),
        C::Backup { plan, backup } => plan_step(tx, ctx, cmd, *plan, expect, |p, _| {
            wf::confirm_backup(p, backup.clone(), ctx)?;
            Ok(format!("{} @ {}", backup.what, backup.location))
        }),
        C::GoLive { plan, golive } => {
            let mut p: Plan = tx.load(*plan, expect)?;
            let from = p.status;
            wf::record_golive(&mut p, golive.clone(), &tx.calendar()?, ctx)?;
            let mut entities = vec![plan.to_string()];
            if p.status == PlanStatus::Live {
                let mut sys: System = tx.load(p.system, None)?;
                sys.version = golive.version.clone();
                tx.save(&mut sys)?;
                entities.push(sys.id.to_string());
            }
            tx.save(&mut p)?;
            let summary = format!("{} {} {}", arrow(from, p.status), golive.outcome, golive.version);
            done(tx, cmd, &entities, Some(p.meta.rev), summary)
        }
        C::Training { plan, training } => plan_step(tx, ctx, cmd, *plan, expect, |p, _| {
            wf::add_training(p, training.clone(), ctx)?;
            Ok(format!("{} {} {}", training.format, training.date, training.attendance))
        }),
        C::ComparisonAdd { plan, row } => plan_step(tx, ctx, cmd, *plan, expect, |p, _| {
            wf::add_comparison(p, row.clone(), ctx)?;
            Ok(format!("{} {}", row.change, row.function))
        }),
        C::ComparisonRemove { plan, row } => plan_step(tx, ctx, cmd, *plan, expect, |p, _| {
            wf::remove_comparison(p, *row, ctx)?;
            Ok(format!("#{row}"))
        }),
        C::File { plan } => {
            let mut p: Plan = tx.load(*plan, expect)?;
            let dossier_id = tx.alloc_id(IdKind::Dossier)?;
            wf::file(&mut p, dossier_id, ctx)?;
            let system: System = tx.load(p.system, None)?;
            let mut requests = Vec::new();
            let mut entities = vec![plan.to_string(), dossier_id.to_string()];
            for rid in &p.requests {
                let mut r: Request = tx.load(*rid, None)?;
                wf::complete(&mut r);
                tx.save(&mut r)?;
                entities.push(rid.to_string());
                requests.push(r);
            }
            tx.save(&mut p)?;
            let d = Dossier {
                id: dossier_id,
                filed_at: ctx.now,
                filed_by: ctx.actor.name.clone(),
                system,
                plan: p.clone(),
                requests,
            };
            tx.insert_dossier(&d)?;
            let summary = format!(
                "{dossier_id}: {} {}",
                d.system.name,
                arrow(&p.version_from, &p.version_to)
            );
            let mut out = done(tx, cmd, &entities, Some(p.meta.rev), summary)?;
            out.entity = dossier_id.to_string();
            Ok(out)
        }
        C::Addendum { dossier, reason, text } => {
            tx.dossier(*dossier)?;
            let reason = wf::non_empty(reason, "reason")?;
            let text = wf::non_empty(text, "text")?;
            let no = tx.append_addendum(*dossier, reason.clone(), text)?;
            done(
                tx,
                cmd,
                &[dossier.to_string()],
                None,
                format!("#{no}: {}", crate::sanitize::clean_line(&reason)),
            )
        }

        C::OrderIssue {
            target,
            finding,
            required_action,
            deadline,
        } => {
            if let OrderTarget::Plan(p) = target {
                tx.load::<Plan>(*p, None)?;
            }
            wf::check_deadline(*deadline, ctx)?;
            let id = tx.alloc_id(IdKind::Order)?;
            let mut o = RectificationOrder {
                id,
                issuer: ctx.actor.name.clone(),
                target: target.clone(),
                finding: wf::non_empty(finding, "finding")?,
                required_action: wf::non_empty(required_action, "required_action")?,
                deadline: *deadline,
                status: OrderStatus::Open,
                response: None,
                responded_by: None,
                meta: Meta::new(&ctx.actor.name, ctx.now),
            };
            tx.insert(&mut o)?;
            let mut entities = vec![id.to_string()];
            if let OrderTarget::Plan(p) = target {
                entities.push(p.to_string());
            }
            done(tx, cmd, &entities, Some(1), format!("deadline {deadline}"))
        }
        C::OrderRespond { id, response } => {
            let mut o: RectificationOrder = tx.load(*id, expect)?;
            wf::respond_order(&mut o, response, ctx)?;
            tx.save(&mut o)?;
            done(tx, cmd, &[id.to_string()], Some(o.meta.rev), "responded".into())
        }
        C::OrderClose { id } => {
            let mut o: RectificationOrder = tx.load(*id, expect)?;
            wf::close_order(&mut o, ctx)?;
            tx.save(&mut o)?;
            done(tx, cmd, &[id.to_string()], Some(o.meta.rev), "closed".into())
        }
        C::ReportSubmit { content, contact } => {
            let id = tx.alloc_id(IdKind::Report)?;
            let mut r = ConfidentialReport {
                id,
                content: wf::non_empty(content, "content")?,
                reporter_contact: contact.clone().filter(|c| !c.trim().is_empty()),
                received_at: ctx.now,
                status: ReportStatus::Received,
                investigation: String::new(),
                reply: None,
                meta: Meta::new(&ctx.actor.name, ctx.now),
            };
            tx.insert(&mut r)?;
            // The audit log is read by supervisors only, but it still names no content.
            done(tx, cmd, &[id.to_string()], Some(1), "received".into())
        }
        C::ReportInvestigate { id, notes } => {
            let mut r: ConfidentialReport = tx.load(*id, expect)?;
            wf::investigate(&mut r, notes, ctx)?;
            tx.save(&mut r)?;
            done(tx, cmd, &[id.to_string()], Some(r.meta.rev), "investigating".into())
        }
        C::ReportReply { id, reply } => {
            let mut r: ConfidentialReport = tx.load(*id, expect)?;
            wf::reply_report(&mut r, reply, ctx)?;
            tx.save(&mut r)?;
            done(tx, cmd, &[id.to_string()], Some(r.meta.rev), "replied, closed".into())
        }
        C::RecognitionAdd {
            kind,
            recipient,
            reason,
            related,
            date,
        } => {
            let recipient = match recipient {
                Recipient::Person(n) => Recipient::Person(wf::non_empty(n, "person")?),
                Recipient::Department(n) => Recipient::Department(wf::non_empty(n, "department")?),
            };
            let reason = wf::non_empty(reason, "reason")?;
            for rid in related {
                let found = match rid.kind {
                    IdKind::Request => tx.get::<Request>(*rid)?.is_some(),
                    IdKind::Plan => tx.get::<Plan>(*rid)?.is_some(),
                    IdKind::Dossier => match tx.dossier(*rid) {
                        Ok(_) => true,
                        Err(Error::NotFound { .. }) => false,
                        Err(e) => return Err(e),
                    },
                    IdKind::Order => tx.get::<RectificationOrder>(*rid)?.is_some(),
                    IdKind::System => tx.get::<System>(*rid)?.is_some(),
                    IdKind::Recognition => tx.get::<Recognition>(*rid)?.is_some(),
                    // A confidential report is not named outside supervision.
                    IdKind::Report => false,
                };
                if !found {
                    return Err(Error::not_found(rid));
                }
            }
            let id = tx.alloc_id(IdKind::Recognition)?;
            let mut r = Recognition {
                id,
                kind: *kind,
                recipient,
                reason,
                related: related.clone(),
                issued_by: ctx.actor.name.clone(),
                date: date.unwrap_or_else(|| ctx.now.with_timezone(&chrono::Local).date_naive()),
                meta: Meta::new(&ctx.actor.name, ctx.now),
            };
            tx.insert(&mut r)?;
            let mut entities = vec![id.to_string()];
            entities.extend(related.iter().map(|i| i.to_string()));
            let summary = format!(
                "{} {}: {}",
                kind,
                r.recipient.name(),
                crate::sanitize::clean_line(&r.reason)
            );
            done(tx, cmd, &entities, Some(1), summary)
        }
    }
}

/// Load a plan, apply one workflow step, save it, audit it with the status change.
fn plan_step(
    tx: &Tx,
    _ctx: &Ctx,
    cmd: &Command,
    id: Id,
    expect: Option<u64>,
    f: impl FnOnce(&mut Plan, &Tx) -> Result<String>,
) -> Result<Outcome> {
    let mut p: Plan = tx.load(id, expect)?;
    let from = p.status;
    let detail = f(&mut p, tx)?;
    tx.save(&mut p)?;
    let mut summary = if from != p.status {
        arrow(from, p.status)
    } else {
        String::new()
    };
    if !detail.is_empty() {
        if !summary.is_empty() {
            summary.push_str(": ");
        }
        summary.push_str(&detail);
    }
    done(tx, cmd, &[id.to_string()], Some(p.meta.rev), summary)
}

pub(crate) fn clean_tags(tags: &[String]) -> Vec<String> {
    let mut t: Vec<String> = tags
        .iter()
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .collect();
    t.sort();
    t.dedup();
    t
}

/// A calendar period as given, checked: a name, an end on or after its start,
/// and systems that exist.
fn checked_period(tx: &Tx, b: &Blackout) -> Result<Blackout> {
    let name = wf::non_empty(&b.name, "name")?;
    if b.end < b.start {
        return Err(Error::input(
            "end",
            &b.end.to_string(),
            &format!("a date on or after {}", b.start),
        ));
    }
    for s in &b.systems {
        tx.load::<System>(*s, None)?;
    }
    let mut systems = b.systems.clone();
    systems.sort();
    systems.dedup();
    Ok(Blackout {
        name,
        systems,
        ..b.clone()
    })
}

/// Where the demo database goes when none is named.
pub fn demo_dir() -> PathBuf {
    crate::config::default_demo_dir()
}
