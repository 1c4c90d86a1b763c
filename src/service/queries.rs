//! Reads. Lists come from the summary trees; whole records are loaded one at a time.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::Service;
use crate::error::{Error, Result};
use crate::model::*;
use crate::workflow::{self as wf, Op};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestFilter {
    pub status: Option<RequestStatus>,
    pub system: Option<Id>,
    pub channel: Option<Channel>,
    pub kind: Option<RequestKind>,
    pub department: Option<String>,
    /// Every word must occur in the title, department or tags.
    pub text: Option<String>,
    pub plan: Option<Id>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanFilter {
    pub status: Option<PlanStatus>,
    pub system: Option<Id>,
    /// Only plans of this change class (`--class emergency`: the emergency
    /// changes listed for the supervision group).
    #[serde(default)]
    pub class: Option<ChangeClass>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArchiveFilter {
    pub system: Option<Id>,
    /// Every word must occur somewhere in the dossier.
    pub text: Option<String>,
    /// Filed (or gone live) on or after this day.
    pub from: Option<NaiveDate>,
    /// … and on or before this day.
    pub to: Option<NaiveDate>,
}

/// A dossier with the addenda appended since it was filed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DossierView {
    pub dossier: Dossier,
    pub addenda: Vec<Addendum>,
}

/// Counts and what needs attention.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overview {
    pub systems: usize,
    pub requests: usize,
    pub new_requests: usize,
    pub plans: usize,
    pub awaiting_approval: usize,
    pub dossiers: usize,
    pub overdue_orders: Vec<Id>,
}

fn day(t: Time) -> NaiveDate {
    t.with_timezone(&chrono::Local).date_naive()
}

impl Service {
    pub(super) fn can_read(&self, actor: &Actor) -> Result<()> {
        wf::check(actor, Op::ReadRecords)?;
        Ok(())
    }

    pub fn systems(&self, actor: &Actor) -> Result<Vec<System>> {
        self.can_read(actor)?;
        self.store().all()
    }

    pub fn system(&self, actor: &Actor, id: Id) -> Result<System> {
        self.can_read(actor)?;
        self.store().require(id)
    }

    /// Find a system by id (`SYS-0003`) or by exact or unique partial name, or
    /// by the pinyin of its name when no name contains the key (`--system jwgl`
    /// for 教务管理系统: `search::named`).
    pub fn resolve_system(&self, actor: &Actor, key: &str) -> Result<Id> {
        self.can_read(actor)?;
        if let Ok(id) = Id::parse_kind(key, IdKind::System) {
            return self.store().require::<System>(id).map(|s| s.id);
        }
        let all: Vec<SystemSummary> = self.store().summaries::<System>()?;
        let hits = crate::search::named(&all, |s| &s.name, key);
        match hits.as_slice() {
            [one] => Ok(one.id),
            [] => Err(Error::not_found(key)),
            many => Err(Error::input(
                "system",
                key,
                &many
                    .iter()
                    .map(|s| format!("{} {}", s.id, s.name))
                    .collect::<Vec<_>>()
                    .join(" | "),
            )),
        }
    }

    pub fn requests(&self, actor: &Actor, f: &RequestFilter) -> Result<Vec<RequestSummary>> {
        self.can_read(actor)?;
        let terms = f.text.as_deref().map(crate::search::terms).unwrap_or_default();
        let mut out: Vec<RequestSummary> = self.store().request_summaries()?;
        out.retain(|r| {
            f.status.is_none_or(|s| r.status == s)
                && f.system.is_none_or(|s| r.system == Some(s))
                && f.channel.is_none_or(|c| r.channel == c)
                && f.kind.is_none_or(|k| r.kind == k)
                && f.plan.is_none_or(|p| r.plan == Some(p))
                && f.department.as_deref().is_none_or(|d| r.department.contains(d))
                && (terms.is_empty()
                    || crate::search::matches(
                        &format!("{} {} {} {}", r.id, r.title, r.department, r.tags.join(" ")),
                        &terms,
                    ))
        });
        Ok(out)
    }

    pub fn request(&self, actor: &Actor, id: Id) -> Result<Request> {
        self.can_read(actor)?;
        self.store().require(id)
    }

    pub fn plans(&self, actor: &Actor, f: &PlanFilter) -> Result<Vec<PlanSummary>> {
        self.can_read(actor)?;
        let mut out: Vec<PlanSummary> = self.store().summaries::<Plan>()?;
        out.retain(|p| {
            f.status.is_none_or(|s| p.status == s)
                && f.system.is_none_or(|s| p.system == s)
                && f.class.is_none_or(|c| p.class == c)
        });
        Ok(out)
    }

    /// The templates of standard changes, oldest first.
    pub fn templates(&self, actor: &Actor) -> Result<Vec<TemplateSummary>> {
        self.can_read(actor)?;
        self.store().summaries::<Template>()
    }

    pub fn template(&self, actor: &Actor, id: Id) -> Result<Template> {
        self.can_read(actor)?;
        self.store().require(id)
    }

    /// The steps `actor` may take on a template now (`workflow::template_offers`).
    pub fn template_offers(&self, actor: &Actor, id: Id) -> Result<crate::workflow::Offers> {
        self.can_read(actor)?;
        let t: Template = self.store().require(id)?;
        let ctx = crate::workflow::Ctx {
            actor,
            now: chrono::Utc::now(),
            rules: self.config().process,
            on_behalf_of: None,
        };
        Ok(crate::workflow::template_offers(&t, &ctx))
    }

    pub fn plan(&self, actor: &Actor, id: Id) -> Result<Plan> {
        self.can_read(actor)?;
        self.store().require(id)
    }

    /// Every gate of a plan as of now, decided by the workflow with this
    /// database's calendar and settings.
    pub fn plan_gates(&self, actor: &Actor, id: Id) -> Result<crate::workflow::Gates> {
        self.can_read(actor)?;
        let p: Plan = self.store().require(id)?;
        let calendar = self.store().calendar()?;
        let ctx = crate::workflow::Ctx {
            actor,
            now: chrono::Utc::now(),
            rules: self.config().process,
            on_behalf_of: None,
        };
        let mut g = crate::workflow::gates(&p, &calendar, &ctx);
        for r in &mut g.requests {
            if let Some(q) = self.store().get::<Request>(r.id)? {
                r.title = q.title;
                r.status = Some(q.status);
            }
        }
        // A filed plan's review may be an addendum of its dossier.
        if let Some(d) = p.dossier {
            let addenda = self.store().addenda(d)?;
            let after = crate::workflow::After {
                addenda: &addenda,
                feedback: &[],
            };
            crate::workflow::gates_after(&mut g, &p, &after, &ctx);
        }
        Ok(g)
    }

    /// Filed dossiers matching the filter, newest first. Served by the archive
    /// index (src/search/index.rs), which catches up with newly filed dossiers first.
    pub fn archive(&self, actor: &Actor, f: &ArchiveFilter) -> Result<Vec<DossierSummary>> {
        self.can_read(actor)?;
        let keep = |d: &DossierSummary| {
            let when = day(d.live_at.unwrap_or(d.filed_at));
            f.system.is_none_or(|s| d.system == s)
                && f.from.is_none_or(|from| when >= from || day(d.filed_at) >= from)
                && f.to.is_none_or(|to| when <= to)
        };
        let Some(text) = f.text.as_deref().filter(|t| !crate::search::terms(t).is_empty()) else {
            return self.archive_index().search(&[], keep);
        };
        // Words: the persistent index, dossiers only, newest first. Scopes in
        // the text are taken as words here (this is the plain list's filter).
        let m = self.archive_manifest()?;
        let mut req = crate::search::archive::SearchRequest::new("kind:dossier");
        req.system = f.system;
        req.limit = usize::MAX;
        let words: Vec<String> = crate::search::terms(text);
        let parsed = crate::search::archive::Parsed {
            terms: words,
            kind: Some(crate::search::archive::RecordKind::Dossier),
            summaries_only: true,
            ..Default::default()
        };
        let mut out: Vec<DossierSummary> =
            crate::search::archive::search_parsed(self.dir(), &m, &parsed, &req, chrono::Utc::now())?
                .hits
                .into_iter()
                .map(|h| h.dossier)
                .filter(|d| keep(d))
                .collect();
        out.sort_by_key(|d| std::cmp::Reverse(d.id));
        Ok(out)
    }

    /// Read the archive index again from the database.
    pub fn rebuild_archive_index(&self, actor: &Actor) -> Result<()> {
        self.can_read(actor)?;
        self.archive_index().rebuild()
    }

    pub fn dossier(&self, actor: &Actor, id: Id) -> Result<DossierView> {
        self.can_read(actor)?;
        let dossier = self.store().dossier(id)?.ok_or_else(|| Error::not_found(id))?;
        let addenda = self.store().addenda(id)?;
        Ok(DossierView { dossier, addenda })
    }

    pub fn calendar(&self, actor: &Actor) -> Result<Vec<Blackout>> {
        self.can_read(actor)?;
        self.store().calendar()
    }

    /// The substitutes named in the Leading Group, oldest first.
    pub fn substitutes(&self, actor: &Actor) -> Result<Vec<Substitute>> {
        self.can_read(actor)?;
        self.store().substitutes()
    }

    /// Every rectification order, with what the record of an order written
    /// before orders kept their history tells ([`RectificationOrder::upgraded`]).
    pub fn orders(&self, actor: &Actor) -> Result<Vec<RectificationOrder>> {
        self.can_read(actor)?;
        let list: Vec<RectificationOrder> = self.store().all()?;
        Ok(list.into_iter().map(RectificationOrder::upgraded).collect())
    }

    pub fn order(&self, actor: &Actor, id: Id) -> Result<RectificationOrder> {
        self.can_read(actor)?;
        self.store().require(id).map(RectificationOrder::upgraded)
    }

    /// Confidential reports: supervisors only, and every read is audited.
    pub fn reports(&self, actor: &Actor) -> Result<Vec<ConfidentialReport>> {
        wf::check(actor, Op::ReadReports)?;
        let list: Vec<ConfidentialReport> = self.store().all()?;
        let ids: Vec<String> = list.iter().map(|r| r.id.to_string()).collect();
        self.audit_read(
            actor,
            "report.list",
            if ids.is_empty() { vec!["reports".into()] } else { ids },
        )?;
        Ok(list)
    }

    pub fn report(&self, actor: &Actor, id: Id) -> Result<ConfidentialReport> {
        wf::check(actor, Op::ReadReports)?;
        let r = self.store().require(id)?;
        self.audit_read(actor, "report.read", vec![id.to_string()])?;
        Ok(r)
    }

    fn audit_read(&self, actor: &Actor, action: &str, entities: Vec<String>) -> Result<()> {
        self.store().transact(actor, chrono::Utc::now(), |tx| {
            tx.audit(action, &entities, "read")?;
            Ok(())
        })
    }

    /// Recompute the hash chain (anyone who may read the records).
    pub fn verify(
        &self,
        actor: &Actor,
        expect: Option<&crate::store::chain::ChainHead>,
    ) -> Result<crate::store::chain::VerifyReport> {
        self.can_read(actor)?;
        self.store().verify(expect)
    }

    /// The start-up integrity check: incremental from the last head found
    /// intact, its answer shared by every client until the next change
    /// (`Store::integrity`); the full walk is [`Service::verify`].
    pub fn integrity(&self, actor: &Actor) -> Result<crate::store::chain::VerifyReport> {
        self.can_read(actor)?;
        self.store().integrity()
    }

    /// Recompute the chain without a permission check: for `beian restore` and
    /// `beian verify --backup`, on a database just built from a file.
    pub fn store_verify(
        &self,
        expect: Option<&crate::store::chain::ChainHead>,
    ) -> Result<crate::store::chain::VerifyReport> {
        self.store().verify(expect)
    }

    /// Rebuild what is derived from the records and kept beside them — the counts
    /// and the queue's time order (`store/lists.rs`) — from the summaries, and
    /// the persistent archive index (`search/archive.rs`) from the dossiers and
    /// addenda. Admins only, with the database to itself.
    pub fn reindex(&self, actor: &Actor) -> Result<crate::store::Counts> {
        self.may_maintain(actor)?;
        self.store().rebuild_lists()?;
        self.archive_index().rebuild()?;
        {
            let _one = self.archive_lock();
            crate::search::archive::catch_up(self.store(), true)?;
        }
        self.store().counts()
    }

    /// Whether `actor` may compact or reindex the database (the check
    /// [`Service::compact`] and [`Service::reindex`] make).
    pub fn may_maintain(&self, actor: &Actor) -> Result<()> {
        wf::check(actor, Op::Maintain)?;
        Ok(())
    }

    /// Rewrite the database compactly (`store/compact.rs`): admins only, with
    /// the database to itself (this process's own, no server).
    pub fn compact(self, actor: &Actor) -> Result<crate::store::compact::CompactReport> {
        self.may_maintain(actor)?;
        let dir = self.dir().to_path_buf();
        drop(self);
        crate::store::Store::open(&dir, crate::store::OpenMode::Existing, "")?.compact()
    }

    /// Write a consistent backup into `dir`: writers wait while it is written.
    /// Into the backup directory of config.toml (`[backup] dir`) for admins and
    /// supervisors; pruning (`keep`) and any other directory for admins only;
    /// never into the data directory. Recorded in the audit log: `backup.write`
    /// naming the backup, `backup.prune` naming the directory and what it removed.
    pub fn backup(
        &self,
        actor: &Actor,
        dir: &std::path::Path,
        keep: Option<usize>,
    ) -> Result<crate::store::backup::BackupReport> {
        use crate::store::backup;
        let target = backup::resolve_dir(dir);
        let configured = self.config.backup.dir.as_deref().map(backup::resolve_dir);
        let in_configured = matches!((&target, &configured), (Ok(t), Some(Ok(c))) if t == c);
        wf::check(
            actor,
            if keep.is_some() || !in_configured {
                Op::BackupManage
            } else {
                Op::Backup
            },
        )?;
        let target = target?;
        let data = self.dir().canonicalize().map_err(|e| Error::io(self.dir(), e))?;
        if target.starts_with(&data) {
            return Err(Error::BackupInDataDir {
                dir: target.display().to_string(),
                db: data.display().to_string(),
            });
        }
        let _gate = self
            .gate
            .exclusive(super::Holder::backup(&actor.name), self.config.server.import_wait())?;
        let mut report = self.store().backup(&target)?;
        let records: u64 = report.manifest.counts.values().sum();
        let now = chrono::Utc::now();
        let summary = format!("{} ({records} records, head {})", report.path, report.manifest.head);
        report.seq = self.store().transact(actor, now, |tx| {
            tx.audit("backup.write", &["backup".to_string()], &summary)
        })?;
        if let Some(n) = keep {
            let old = backup::prunable(&target, n)?;
            if !old.is_empty() {
                let (removed, failed) = backup::prune(&old);
                let names: Vec<&str> = removed.iter().map(|p| p.rsplit('/').next().unwrap_or(p)).collect();
                let summary = format!("{}: removed {}", target.display(), names.join(", "));
                if !removed.is_empty() {
                    report.seq = self.store().transact(actor, now, |tx| {
                        tx.audit("backup.prune", &["backup".to_string()], &summary)
                    })?;
                }
                report.removed = removed;
                if let Some(e) = failed {
                    return Err(e);
                }
            }
        }
        Ok(report)
    }

    /// The audit log, newest first (supervisors only).
    pub fn audit(&self, actor: &Actor, entity: Option<&str>, limit: usize) -> Result<Vec<AuditEvent>> {
        self.audit_where(actor, &AuditFilter::entity(entity), limit)
    }

    /// The audit events `filter` selects, newest first, at most `limit`
    /// (supervisors only). `filter.actions` are audit names ([`audit_actions`]).
    pub fn audit_where(&self, actor: &Actor, filter: &AuditFilter, limit: usize) -> Result<Vec<AuditEvent>> {
        wf::check(actor, Op::ReadAudit)?;
        self.store().audit_where(filter, limit)
    }

    /// What the evaluation and contributions reports are computed from: every
    /// request, every plan (filed ones from their dossier, where they are frozen),
    /// every order and every award or penalty. Permission: `read`, like the
    /// records themselves; confidential reports are not part of it. Loading all
    /// of it is fine at the IMC's scale; the performance issue will add indexes.
    pub fn report_input(&self, actor: &Actor) -> Result<crate::report::ReportInput> {
        self.can_read(actor)?;
        let mut plans: Vec<Plan> = self
            .store()
            .all::<Plan>()?
            .into_iter()
            .filter(|p| p.status != PlanStatus::Filed)
            .collect();
        let mut addenda = Vec::new();
        for d in self.store().dossiers()? {
            let a = self.store().addenda(d.id)?;
            if !a.is_empty() {
                addenda.push((d.plan.id, a));
            }
            plans.push(d.plan);
        }
        plans.sort_by_key(|p| p.id);
        let rules = self.config().process;
        let review_due = plans
            .iter()
            .filter_map(|p| crate::workflow::review_due(p, &rules).map(|t| (p.id, t)))
            .collect();
        let systems: Vec<System> = self.store().all()?;
        Ok(crate::report::ReportInput {
            addenda,
            review_due,
            system_vendors: systems.iter().map(|s| (s.id, s.vendor.clone())).collect(),
            register: Register {
                people: self.store().all()?,
                departments: self.store().all()?,
                vendors: self.store().all()?,
            },
            systems: systems.iter().map(System::summary).collect(),
            requests: self.store().all()?,
            plans,
            orders: self.store().all()?,
            recognitions: self.store().all()?,
            today: day(chrono::Utc::now()),
        })
    }

    /// The periodic evaluation of §4.3 for the days `from..=to` (permission `read`).
    pub fn evaluation(&self, actor: &Actor, from: NaiveDate, to: NaiveDate) -> Result<crate::report::Report> {
        check_period(from, to)?;
        let mut report = crate::report::evaluate(&self.report_input(actor)?, from, to);
        report.chain_head = Some(self.store().chain_head()?);
        Ok(report)
    }

    /// The names written in the records that the register does not settle
    /// (issue 18 §3, `beian people resolve`): ambiguous ones, then ones nobody
    /// of the register carries; unknown submitters only with `submitters`.
    pub fn unresolved_names(
        &self,
        actor: &Actor,
        submitters: bool,
    ) -> Result<Vec<crate::workflow::people::Unresolved>> {
        let input = self.report_input(actor)?;
        let mentions =
            crate::workflow::people::mentions(&input.requests, &input.plans, &input.addenda, &input.system_vendors);
        Ok(crate::workflow::people::unresolved(
            &input.register,
            &mentions,
            submitters,
        ))
    }

    /// Contributions of §5.2 for the days `from..=to` (permission `read`).
    pub fn contributions(&self, actor: &Actor, from: NaiveDate, to: NaiveDate) -> Result<crate::report::Contributions> {
        check_period(from, to)?;
        Ok(crate::report::contributions(&self.report_input(actor)?, from, to))
    }

    /// Joint review meetings (§3.1), in id order.
    pub fn joint_reviews(&self, actor: &Actor) -> Result<Vec<JointMeeting>> {
        self.can_read(actor)?;
        self.store().all()
    }

    pub fn joint_review(&self, actor: &Actor, id: Id) -> Result<JointMeeting> {
        self.can_read(actor)?;
        self.store().require(id)
    }

    /// Awards and penalties, in id order (permission `read`).
    pub fn recognitions(&self, actor: &Actor) -> Result<Vec<Recognition>> {
        self.can_read(actor)?;
        self.store().all()
    }

    pub fn overview(&self, actor: &Actor) -> Result<Overview> {
        self.can_read(actor)?;
        // Counts kept as records are written (`store/lists.rs`): no list is read.
        let c = self.store().counts()?;
        let today = day(chrono::Utc::now());
        let orders: Vec<RectificationOrder> = self.store().all()?;
        Ok(Overview {
            systems: self.store().count::<System>(),
            requests: c.total("request"),
            new_requests: c.get("request", &status_name(RequestStatus::New)),
            plans: c.total("plan"),
            awaiting_approval: c.get("plan", &status_name(PlanStatus::Submitted)),
            dossiers: c.get("dossier", "filed"),
            overdue_orders: orders.iter().filter(|o| o.overdue(today)).map(|o| o.id).collect(),
        })
    }

    /// What needs someone now (issue 17 §1), decided by
    /// `workflow::attention` on the records it needs: the plans not closed
    /// (from the summaries, then those records whole), the filed emergency
    /// changes with their addenda, the requests still new or triaged, the
    /// orders and the calendar.
    pub fn attention(&self, actor: &Actor) -> Result<Attention> {
        self.attention_at(actor, chrono::Utc::now())
    }

    /// [`Service::attention`] as of `now` (tests move the clock).
    pub fn attention_at(&self, actor: &Actor, now: Time) -> Result<Attention> {
        self.can_read(actor)?;
        let store = self.store();
        let sums: Vec<PlanSummary> = store.summaries::<Plan>()?;
        let mut plans = Vec::new();
        let mut addenda = std::collections::BTreeMap::new();
        for s in sums {
            let open = wf::attention::OPEN_PLANS.contains(&s.status);
            let filed_emergency = s.status == PlanStatus::Filed && s.class == ChangeClass::Emergency;
            if !(open || filed_emergency) {
                continue;
            }
            let p: Plan = store.require(s.id)?;
            if let Some(d) = p.dossier {
                addenda.insert(d, store.addenda(d)?);
            }
            plans.push(p);
        }
        let names: std::collections::HashMap<Id, String> = store
            .summaries::<System>()?
            .into_iter()
            .map(|s| (s.id, s.name))
            .collect();
        let requests: Vec<wf::RequestHead> = store
            .requests_in(&[RequestStatus::New.as_str(), RequestStatus::Triaged.as_str()])?
            .into_iter()
            .map(|r| wf::RequestHead {
                id: r.id,
                status: r.status,
                received_at: r.received_at,
                title: r.title,
                system: r.system,
                system_name: r.system.and_then(|s| names.get(&s).cloned()).unwrap_or_default(),
            })
            .collect();
        let orders: Vec<RectificationOrder> = store.all()?;
        let calendar = store.calendar()?;
        let input = wf::AttentionInput {
            plans: &plans,
            addenda: &addenda,
            requests: &requests,
            orders: &orders,
            calendar: &calendar,
        };
        let config = self.config();
        let mut items = wf::attention(&input, &config.process, &config.attention, now);
        // Calls to make (issue 17 §4): from the outbox, whose report outcomes
        // only the supervision group sees.
        let outbox: Vec<MailMessage> = store.all()?;
        let supervisor = actor.roles.contains(&Role::Supervisor);
        items.extend(
            wf::attention::calls(&outbox, now)
                .into_iter()
                .filter(|i| supervisor || i.role != Role::Supervisor),
        );
        wf::attention::order(&mut items);
        Ok(Attention { as_of: now, items })
    }

    /// What the first screen shows, without reading every request: the systems,
    /// the overview and the `rows` newest requests (the queue's default order).
    /// The full lists follow with [`Service::requests`] and the others.
    pub fn first_screen(&self, actor: &Actor, rows: usize) -> Result<FirstScreen> {
        Ok(FirstScreen {
            systems: self.systems(actor)?,
            overview: self.overview(actor)?,
            newest: self.store().newest_requests(rows.min(FIRST_SCREEN_MAX))?,
        })
    }
}

/// The answer of [`Service::attention`]: what needs someone, as of when.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attention {
    pub as_of: Time,
    pub items: Vec<wf::AttentionItem>,
}

/// The most rows [`Service::first_screen`] returns.
pub const FIRST_SCREEN_MAX: usize = 1000;

/// The answer of [`Service::first_screen`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FirstScreen {
    pub systems: Vec<System>,
    pub overview: Overview,
    /// Newest first.
    pub newest: Vec<RequestSummary>,
}

/// A status as it is serialized (`new`, `submitted`): the name its count has.
fn status_name<S: Serialize>(s: S) -> String {
    serde_json::to_value(s)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default()
}

fn check_period(from: NaiveDate, to: NaiveDate) -> Result<()> {
    if to < from {
        return Err(Error::input(
            "to",
            &to.to_string(),
            &crate::i18n::t("expected.date_on_or_after", &[("date", from.to_string())]),
        ));
    }
    Ok(())
}

/// Events the service records besides the commands: a change of roles or
/// settings in config.toml, the schema migration, backups written and
/// pruned, and reads of confidential reports.
pub const AUDIT_OTHER: &[&str] = &[
    crate::store::config_log::CONFIG_ACTION,
    crate::store::chain::MIGRATE_ACTION,
    "backup.write",
    "backup.prune",
    "report.list",
    "report.read",
];

/// Every action the audit log records, by its audit name: each command's
/// (`Command::TABLE`), then [`AUDIT_OTHER`].
pub fn audit_actions() -> Vec<&'static str> {
    let mut out: Vec<&'static str> = super::Command::TABLE.iter().map(|(name, _)| *name).collect();
    for a in AUDIT_OTHER {
        if !out.contains(a) {
            out.push(a);
        }
    }
    out
}

/// The label of an audit action in the user's language (`audit.action.<name>`),
/// or the name itself for one this version does not know.
pub fn audit_action_label(name: &str) -> String {
    let key = format!("audit.action.{name}");
    if crate::i18n::has(&crate::i18n::current(), &key) {
        crate::i18n::t(&key, &[])
    } else {
        name.to_string()
    }
}

/// What one row of `beian changes` is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeEvent {
    /// A go-live (its outcome says whether it held).
    GoLive,
    /// A rollback recorded after a go-live.
    Rollback,
    /// A serious incident recorded after a go-live.
    Incident,
    /// An implementation under way: started, not (or no longer) live.
    InFlight,
}

/// A go-live, rollback, incident or implementation under way (`beian changes`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub time: Time,
    pub event: ChangeEvent,
    pub plan: Id,
    pub system: Id,
    pub title: String,
    pub version_from: String,
    pub version_to: String,
    pub class: ChangeClass,
    /// The plan's status now.
    pub status: PlanStatus,
    /// The dossier, when the plan is filed.
    pub dossier: Option<Id>,
    /// A go-live's outcome.
    #[serde(default)]
    pub outcome: Option<GoLiveOutcome>,
    /// Who deployed, rolled back or dealt with it.
    pub by: String,
    /// What happened (an incident or rollback).
    #[serde(default)]
    pub what: String,
}

impl Change {
    /// What the row is, in words: `go-live (rolled back)`, `rollback`, …
    pub fn label(&self) -> String {
        let code = match self.event {
            ChangeEvent::GoLive => "golive",
            ChangeEvent::Rollback => "rollback",
            ChangeEvent::Incident => "incident",
            ChangeEvent::InFlight => "in_flight",
        };
        let base = crate::i18n::enum_label("ChangeEvent", code);
        match self.outcome {
            Some(o) if self.event == ChangeEvent::GoLive => format!("{base} ({})", o.label()),
            _ => base,
        }
    }
}

/// Plans whose implementation is under way (the `InFlight` rows).
pub const IN_FLIGHT: &[PlanStatus] = &[PlanStatus::Implementing, PlanStatus::Testing, PlanStatus::Ready];

/// The rows of `beian changes` for one plan (and the incidents recorded as
/// addenda of its dossier after filing), before the period and system are applied.
pub fn plan_changes(p: &Plan, addenda: &[Addendum]) -> Vec<Change> {
    let row = |time: Time, event: ChangeEvent, by: &str, what: &str, outcome: Option<GoLiveOutcome>| Change {
        time,
        event,
        plan: p.id,
        system: p.system,
        title: p.title.clone(),
        version_from: p.version_from.clone(),
        version_to: p.version_to.clone(),
        class: p.class,
        status: p.status,
        dossier: p.dossier,
        outcome,
        by: by.to_string(),
        what: what.to_string(),
    };
    let mut out: Vec<Change> = p
        .golives
        .iter()
        .map(|g| row(g.time, ChangeEvent::GoLive, &g.deployer, &g.incidents, Some(g.outcome)))
        .collect();
    let incident = |i: &Incident| {
        let ev = match i.outcome {
            IncidentOutcome::RolledBack => ChangeEvent::Rollback,
            IncidentOutcome::Incident => ChangeEvent::Incident,
        };
        row(i.time, ev, &i.by, &i.what, None)
    };
    out.extend(p.incidents.iter().map(incident));
    for a in addenda {
        if let AddendumBody::Incident(i) = &a.body {
            out.push(incident(i));
        }
    }
    if IN_FLIGHT.contains(&p.status) {
        let since = p.window.as_ref().map_or(p.meta.updated_at, |w| w.start);
        out.push(row(since, ChangeEvent::InFlight, &p.meta.updated_by, "", None));
    }
    out
}

/// Newest first; an implementation under way before everything else.
pub fn order_changes(list: &mut [Change]) {
    list.sort_by(|a, b| {
        (b.event == ChangeEvent::InFlight)
            .cmp(&(a.event == ChangeEvent::InFlight))
            .then(b.time.cmp(&a.time))
            .then(b.plan.cmp(&a.plan))
    });
}

impl Service {
    /// Search the archive through its persistent index (`search/archive.rs`),
    /// catching the index up first when it is stale.
    pub fn archive_search(
        &self,
        actor: &Actor,
        req: &crate::search::archive::SearchRequest,
    ) -> Result<crate::search::archive::SearchAnswer> {
        self.can_read(actor)?;
        let m = self.archive_manifest()?;
        crate::search::archive::search(self.dir(), &m, req, chrono::Utc::now())
    }

    /// Every go-live, rollback and incident since `since` (all when `None`),
    /// filed or not, and every implementation under way, of one system or all:
    /// newest first, an implementation under way first.
    pub fn changes(&self, actor: &Actor, system: Option<Id>, since: Option<NaiveDate>) -> Result<Vec<Change>> {
        self.can_read(actor)?;
        let from = since.map(|d| {
            d.and_hms_opt(0, 0, 0)
                .and_then(|t| t.and_local_timezone(chrono::Local).earliest())
                .map(|t| t.with_timezone(&chrono::Utc))
                .unwrap_or_default()
        });
        // A go-live or incident is recorded on its plan, which is saved then:
        // a plan not changed since `since` has none after it. Incidents after
        // filing are addenda, found through the archive index.
        let mut plans: Vec<Id> = self
            .store()
            .summaries::<Plan>()?
            .into_iter()
            .filter(|p| system.is_none_or(|s| p.system == s))
            .filter(|p| {
                IN_FLIGHT.contains(&p.status)
                    || matches!(p.status, PlanStatus::Live | PlanStatus::Filed | PlanStatus::Failed)
                        && from.is_none_or(|f| p.updated_at >= f)
            })
            .map(|p| p.id)
            .collect();
        let mut with_addenda: Vec<Id> = Vec::new();
        let m = self.archive_manifest()?;
        let mut req = crate::search::archive::SearchRequest::new("kind:addendum");
        req.system = system;
        req.since = since.map(|d| d - chrono::Duration::days(1));
        req.limit = usize::MAX;
        for h in crate::search::archive::search(self.dir(), &m, &req, chrono::Utc::now())?.hits {
            with_addenda.push(h.dossier.plan);
        }
        plans.extend(with_addenda);
        plans.sort();
        plans.dedup();
        let mut out = Vec::new();
        for id in plans {
            let p: Plan = self.store().require(id)?;
            let addenda = match p.dossier {
                Some(d) => self.store().addenda(d)?,
                None => Vec::new(),
            };
            out.extend(
                plan_changes(&p, &addenda)
                    .into_iter()
                    .filter(|c| c.event == ChangeEvent::InFlight || from.is_none_or(|f| c.time >= f)),
            );
        }
        order_changes(&mut out);
        Ok(out)
    }

    /// The manifest of a current archive index, catching it up first.
    fn archive_manifest(&self) -> Result<crate::search::archive::Manifest> {
        if let Some(m) = crate::search::archive::current_manifest(self.dir()) {
            return Ok(m);
        }
        self.follow_archive_now()?;
        crate::search::archive::current_manifest(self.dir()).ok_or_else(|| Error::Storage {
            detail: format!(
                "{}: the archive index could not be brought up to date; run `beian reindex`",
                crate::search::archive::index_dir(self.dir()).display()
            ),
        })
    }
}
