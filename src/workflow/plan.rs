//! Plan transitions and gates (§3.2–§3.5).
//!
//! Every gate takes the clock as an argument (`Ctx::now`) and the calendar as it
//! is now, so a gate holds whatever order the steps come in, whoever takes them
//! and however late: the window is checked against the calendar at submit,
//! approval, notice, implementation and go-live; a go-live lies in the past,
//! after the approval and the notice, inside the window (or an accepted
//! deviation) and outside hard blackouts; every test item that ever failed, was
//! blocked or left pending passes later or is waived by an approver; nobody who
//! contributed to a plan decides on it or accepts its risks.

use chrono::Duration;
use serde::{Deserialize, Serialize};

mod notice;
mod schedule;
pub use notice::*;
pub use schedule::*;

use super::command::Command;
use super::{
    blackout_conflicts, blackouts_at, non_empty, required, transition, Ctx, FilingMissing, GoLiveMissing, PlanField,
    RuleError,
};
use crate::model::{
    fmt_time, Approval, BackupConfirmation, Blackout, BlackoutOverride, ChangeClass, ComparisonRow, Contributor,
    Decision, Defect, DefectStatus, Deviation, GoLive, GoLiveOutcome, Plan, PlanStatus as S, PublicationKind, Risk,
    RiskAcceptance, Severity, StaffAssignment, System, Template, TemplateCover, TemplateScope, TemplateStatus,
    TestCategory, TestItem, TestResult, TestRound, Tester, TesterType, Time, Training, Window,
};

/// One change to the written part of a plan, allowed while it is a draft or returned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "field", content = "value")]
pub enum PlanChange {
    Title(String),
    VersionFrom(String),
    VersionTo(String),
    Goals(String),
    Content(String),
    Approach(String),
    Window(Option<Window>),
    /// Whether the update migrates data (§3.3).
    MigratesData(bool),
    BackupPlan(String),
    MigrationPlan(String),
    RollbackPlan(String),
    /// The justification for a window in a soft blackout period. `period` names
    /// it; without a name, every soft period the window lies in now (each gets
    /// its own entry, so a period added later is not covered). No `reason`
    /// removes the justification(s).
    BlackoutOverride {
        #[serde(default)]
        period: Option<String>,
        #[serde(default)]
        reason: Option<String>,
    },
    AddStaff(StaffAssignment),
    /// 1-based position.
    RemoveStaff(usize),
    AddRisk(Risk),
    /// 1-based position.
    RemoveRisk(usize),
    /// The change class (not standard: a standard change is created from a template).
    Class(ChangeClass),
    /// Why an emergency change cannot wait.
    EmergencyReason(String),
}

impl PlanChange {
    pub fn name(&self) -> &'static str {
        match self {
            PlanChange::Title(_) => "title",
            PlanChange::VersionFrom(_) => "version_from",
            PlanChange::VersionTo(_) => "version_to",
            PlanChange::Goals(_) => "goals",
            PlanChange::Content(_) => "content",
            PlanChange::Approach(_) => "approach",
            PlanChange::Window(_) => "window",
            PlanChange::MigratesData(_) => "migrates_data",
            PlanChange::BackupPlan(_) => "backup_plan",
            PlanChange::MigrationPlan(_) => "migration_plan",
            PlanChange::RollbackPlan(_) => "rollback_plan",
            PlanChange::BlackoutOverride { .. } => "blackout_override",
            PlanChange::AddStaff(_) => "staff.add",
            PlanChange::RemoveStaff(_) => "staff.remove",
            PlanChange::AddRisk(_) => "risk.add",
            PlanChange::RemoveRisk(_) => "risk.remove",
            PlanChange::Class(_) => "class",
            PlanChange::EmergencyReason(_) => "emergency_reason",
        }
    }
}

fn expect(p: &Plan, allowed: &[S], action: &str) -> Result<(), RuleError> {
    if allowed.contains(&p.status) {
        Ok(())
    } else {
        Err(transition(p.id, p.status.label(), action, labels(allowed)))
    }
}

fn labels(statuses: &[S]) -> Vec<String> {
    statuses.iter().map(|s| s.label()).collect()
}

// ===== who contributed (separation of duties, §2.1) =====

/// Kinds of contribution, as recorded in [`Contributor::did`].
pub const CONTRIBUTIONS: &[&str] = &["create", "edit", "submit", "link", "test", "defect", "reschedule"];

/// Record that `who` contributed to the plan by `did` (one of [`CONTRIBUTIONS`]).
pub fn contribute(p: &mut Plan, who: &str, did: &str) {
    contribute_to(&mut p.contributors, who, did)
}

/// [`contribute`], on the contributors of any record the Leading Group decides
/// on (a plan, a template).
pub(crate) fn contribute_to(contributors: &mut Vec<Contributor>, who: &str, did: &str) {
    match contributors.iter_mut().find(|c| c.name == who) {
        Some(c) => {
            if !c.did.iter().any(|d| d == did) {
                c.did.push(did.to_string())
            }
        }
        None => contributors.push(Contributor {
            name: who.to_string(),
            did: vec![did.to_string()],
        }),
    }
}

/// What `who` did on the plan; empty when they did not contribute.
pub fn contribution(p: &Plan, who: &str) -> Vec<String> {
    contribution_in(&p.meta.created_by, &p.contributors, who)
}

/// [`contribution`] on any record the Leading Group decides on: its creator
/// and its contributors.
pub(crate) fn contribution_in(created_by: &str, contributors: &[Contributor], who: &str) -> Vec<String> {
    let mut did = Vec::new();
    if created_by == who {
        did.push("create".to_string());
    }
    if let Some(c) = contributors.iter().find(|c| c.name == who) {
        did.extend(c.did.iter().filter(|d| d.as_str() != "create").cloned());
    }
    did
}

/// Refuse a decision, a risk acceptance or a waiver by someone who contributed,
/// or by the substitute of a member who did.
fn not_contributor(p: &Plan, ctx: &Ctx) -> Result<(), RuleError> {
    not_contributor_in(p.id, &p.meta.created_by, &p.contributors, ctx)
}

/// [`not_contributor`] on any record the Leading Group decides on (a plan, a
/// template): the same separation of duties (§2.1).
pub(crate) fn not_contributor_in(
    id: crate::model::Id,
    created_by: &str,
    contributors: &[Contributor],
    ctx: &Ctx,
) -> Result<(), RuleError> {
    for who in std::iter::once(ctx.actor.name.as_str()).chain(ctx.on_behalf_of.as_deref()) {
        let did = contribution_in(created_by, contributors, who);
        if !did.is_empty() {
            return Err(RuleError::Contributor {
                user: who.to_string(),
                plan: id.to_string(),
                did,
            });
        }
    }
    Ok(())
}

// ===== writing the plan =====

/// A new draft plan for `system`: what it has before anyone writes it.
pub fn new_plan(id: crate::model::Id, system: &System, title: &str, from: &str, to: &str, ctx: &Ctx) -> Plan {
    Plan {
        id,
        title: title.to_string(),
        system: system.id,
        version_from: from.to_string(),
        version_to: to.to_string(),
        status: S::Draft,
        class: ChangeClass::Normal,
        emergency_reason: String::new(),
        template: None,
        covers: Vec::new(),
        goals: String::new(),
        content: String::new(),
        approach: String::new(),
        window: None,
        staff: Vec::new(),
        risks: Vec::new(),
        backup_plan: String::new(),
        migrates_data: None,
        migration_plan: String::new(),
        rollback_plan: String::new(),
        requests: Vec::new(),
        approvals: Vec::new(),
        submission: 0,
        notice: None,
        withdrawn_notices: Vec::new(),
        notice_info: Default::default(),
        notice_language: Default::default(),
        notice_draft: None,
        publications: Vec::new(),
        window_history: Vec::new(),
        milestones: Default::default(),
        blackout_override: None,
        blackout_overrides: Vec::new(),
        contributors: Vec::new(),
        deviation: None,
        cancel_reason: None,
        rounds: Vec::new(),
        defects: Vec::new(),
        backup: None,
        golives: Vec::new(),
        retest_after_round: None,
        training: Vec::new(),
        comparison: Vec::new(),
        incidents: Vec::new(),
        feedback: Vec::new(),
        reviews: Vec::new(),
        failure: None,
        dossier: None,
        meta: crate::model::Meta::new(&ctx.actor.name, ctx.now),
    }
}

/// A new draft plan of a class: a standard change comes from an approved
/// `template` ([`instantiate`]); no other plan is standard.
#[allow(clippy::too_many_arguments)]
pub fn new_plan_of(
    id: crate::model::Id,
    system: &System,
    title: &str,
    from: &str,
    to: &str,
    class: ChangeClass,
    template: Option<&Template>,
    ctx: &Ctx,
) -> Result<Plan, RuleError> {
    let mut p = new_plan(id, system, title, from, to, ctx);
    match template {
        Some(t) => instantiate(&mut p, t, ctx)?,
        None if class == ChangeClass::Standard => {
            return Err(RuleError::StandardNeedsTemplate {
                plan: title.trim().to_string(),
            })
        }
        None => p.class = class,
    }
    Ok(p)
}

/// Is the written plan still open for changes (and for linking requests)?
pub fn editable(p: &Plan) -> bool {
    matches!(p.status, S::Draft | S::Returned)
}

/// Refuse a window that has started.
fn window_ahead(w: &Window, ctx: &Ctx) -> Result<(), RuleError> {
    if w.start <= ctx.now {
        return Err(RuleError::WindowInPast {
            start: fmt_time(w.start),
            now: fmt_time(ctx.now),
        });
    }
    Ok(())
}

pub fn edit(p: &mut Plan, change: PlanChange, calendar: &[Blackout], ctx: &Ctx) -> Result<(), RuleError> {
    if !editable(p) {
        return Err(transition(
            p.id,
            p.status.label(),
            "edit",
            labels(&[S::Draft, S::Returned]),
        ));
    }
    match change {
        PlanChange::Title(v) => p.title = non_empty(&v, "title")?,
        PlanChange::VersionFrom(v) => p.version_from = v.trim().to_string(),
        PlanChange::VersionTo(v) => p.version_to = non_empty(&v, "version_to")?,
        PlanChange::Goals(v) => p.goals = v,
        PlanChange::Content(v) => {
            from_template(p, "content", &v)?;
            p.content = v
        }
        PlanChange::Approach(v) => {
            from_template(p, "approach", &v)?;
            p.approach = v
        }
        PlanChange::Window(w) => {
            if let Some(w) = &w {
                if w.end <= w.start {
                    return Err(RuleError::WindowOrder);
                }
                window_ahead(w, ctx)?;
            }
            let old = std::mem::replace(&mut p.window, w);
            schedule::note_window_edit(p, old, ctx);
        }
        PlanChange::MigratesData(v) => p.migrates_data = Some(v),
        PlanChange::BackupPlan(v) => p.backup_plan = v,
        PlanChange::MigrationPlan(v) => p.migration_plan = v,
        PlanChange::RollbackPlan(v) => p.rollback_plan = v,
        PlanChange::BlackoutOverride { period, reason } => {
            let reason = reason.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
            set_override(p, period.as_deref(), reason, calendar, &ctx.rules)?
        }
        PlanChange::Class(c) => set_class(p, c)?,
        PlanChange::EmergencyReason(v) => p.emergency_reason = v,
        PlanChange::AddStaff(s) => {
            non_empty(&s.person, "staff.person")?;
            p.staff.push(s)
        }
        PlanChange::RemoveStaff(n) => {
            if n == 0 || n > p.staff.len() {
                return Err(RuleError::NoSuchItem {
                    what: format!("staff #{n}"),
                });
            }
            p.staff.remove(n - 1);
        }
        PlanChange::AddRisk(r) => {
            non_empty(&r.description, "risk.description")?;
            p.risks.push(r)
        }
        PlanChange::RemoveRisk(n) => {
            if n == 0 || n > p.risks.len() {
                return Err(RuleError::NoSuchItem {
                    what: format!("risk #{n}"),
                });
            }
            p.risks.remove(n - 1);
        }
    }
    contribute(p, &ctx.actor.name, "edit");
    Ok(())
}

/// The soft periods of the calendar that apply to the plan's system and that
/// its window lies in.
pub fn soft_periods<'a>(p: &Plan, calendar: &'a [Blackout]) -> Vec<&'a Blackout> {
    let Some(w) = &p.window else { return Vec::new() };
    blackout_conflicts(w, p.system, calendar)
        .into_iter()
        .map(|h| h.period)
        .filter(|b| !b.hard)
        .collect()
}

/// A standard change's content and approach are its template's: a change to
/// them is refused, naming the field (the same text is no change).
fn from_template(p: &Plan, field: &str, value: &str) -> Result<(), RuleError> {
    let Some(t) = &p.template else { return Ok(()) };
    let fixed = match field {
        "content" => &t.content,
        _ => &t.approach,
    };
    if value.trim() != fixed.trim() {
        return Err(RuleError::TemplateScope {
            plan: p.id.to_string(),
            field: field.to_string(),
            template: t.id.to_string(),
        });
    }
    Ok(())
}

/// Choose the class while the plan is written. A standard change is created
/// from a template and stays one; no other plan becomes standard.
fn set_class(p: &mut Plan, class: ChangeClass) -> Result<(), RuleError> {
    if class == p.class {
        return Ok(());
    }
    if let Some(t) = &p.template {
        return Err(RuleError::InstanceClass {
            plan: p.id.to_string(),
            template: t.id.to_string(),
        });
    }
    if class == ChangeClass::Standard {
        return Err(RuleError::StandardNeedsTemplate { plan: p.id.to_string() });
    }
    p.class = class;
    Ok(())
}

/// The gates of the plan's class (`config.toml` `[class.*]`).
pub fn class_gates(p: &Plan, rules: &crate::config::Process) -> crate::config::ClassGates {
    rules.class(p.class)
}

/// A soft blackout period the plan's class does not allow a window in (major
/// changes: no soft overrides), as the refusal.
fn soft_refused(p: &Plan, b: &Blackout, rules: &crate::config::Process) -> Option<RuleError> {
    (!b.hard && !class_gates(p, rules).soft_override).then(|| RuleError::SoftOverrideRefused {
        class: p.class.label(),
        period: b.name.clone(),
        start: b.start.to_string(),
        end: b.end.to_string(),
    })
}

/// Days after the go-live the post-implementation review of the plan is due
/// (§4.3): its class's `review_days`.
pub fn review_due_days(p: &Plan, rules: &crate::config::Process) -> u32 {
    class_gates(p, rules).review_days
}

fn set_override(
    p: &mut Plan,
    period: Option<&str>,
    reason: Option<String>,
    calendar: &[Blackout],
    rules: &crate::config::Process,
) -> Result<(), RuleError> {
    let Some(reason) = reason else {
        match period {
            Some(name) => p.blackout_overrides.retain(|o| o.period != name),
            None => p.blackout_overrides.clear(),
        }
        return Ok(());
    };
    let names: Vec<String> = match period {
        Some(name) => {
            let known = calendar
                .iter()
                .any(|b| b.name == name && !b.hard && b.applies_to(p.system));
            if !known {
                return Err(RuleError::NotSoftPeriod {
                    period: name.to_string(),
                });
            }
            vec![name.to_string()]
        }
        None => {
            let names: Vec<String> = soft_periods(p, calendar).iter().map(|b| b.name.clone()).collect();
            if names.is_empty() {
                return Err(RuleError::NoSoftPeriod);
            }
            names
        }
    };
    if let Some(b) = names
        .first()
        .and_then(|n| calendar.iter().find(|b| &b.name == n && !b.hard))
    {
        if let Some(e) = soft_refused(p, b, rules) {
            return Err(e);
        }
    }
    for name in names {
        p.blackout_overrides.retain(|o| o.period != name);
        p.blackout_overrides.push(BlackoutOverride {
            period: name,
            reason: reason.clone(),
        });
    }
    Ok(())
}

/// The justification recorded for a soft period, if any.
pub fn override_for<'a>(p: &'a Plan, period: &str) -> Option<&'a BlackoutOverride> {
    p.blackout_overrides.iter().find(|o| o.period == period)
}

/// What the submit gate still misses, in the order of the plan form.
pub fn submit_missing(p: &Plan) -> Vec<PlanField> {
    let blank = |s: &str| s.trim().is_empty();
    let mut m = Vec::new();
    if blank(&p.title) {
        m.push(PlanField::Title);
    }
    if blank(&p.goals) {
        m.push(PlanField::Goals);
    }
    if blank(&p.content) {
        m.push(PlanField::Content);
    }
    if blank(&p.approach) {
        m.push(PlanField::Approach);
    }
    if p.class == ChangeClass::Emergency && blank(&p.emergency_reason) {
        m.push(PlanField::EmergencyReason);
    }
    if p.window.is_none() {
        m.push(PlanField::Window);
    }
    if p.staff.is_empty() {
        m.push(PlanField::Staff);
    }
    if !p.risks.iter().any(|r| !blank(&r.mitigation)) {
        m.push(PlanField::Risks);
    }
    if blank(&p.backup_plan) {
        m.push(PlanField::BackupPlan);
    }
    match p.migrates_data {
        None => m.push(PlanField::MigratesData),
        Some(true) if blank(&p.migration_plan) => m.push(PlanField::MigrationPlan),
        _ => {}
    }
    if blank(&p.rollback_plan) {
        m.push(PlanField::RollbackPlan);
    }
    m
}

/// The calendar gate: the window must lie in no hard period of the plan's
/// system, and every soft period it lies in needs a justification naming it —
/// or is refused, when the plan's class allows no soft overrides.
pub fn check_window(p: &Plan, calendar: &[Blackout], rules: &crate::config::Process) -> Result<(), RuleError> {
    let Some(w) = &p.window else { return Ok(()) };
    if w.end <= w.start {
        return Err(RuleError::WindowOrder);
    }
    for hit in blackout_conflicts(w, p.system, calendar) {
        let b = hit.period;
        let (period, start, end) = (b.name.clone(), b.start.to_string(), b.end.to_string());
        if b.hard {
            return Err(RuleError::HardBlackout { period, start, end });
        }
        if let Some(e) = soft_refused(p, b, rules) {
            return Err(e);
        }
        if override_for(p, &b.name).is_none() {
            return Err(RuleError::BlackoutNeedsJustification { period, start, end });
        }
    }
    Ok(())
}

/// Every calendar problem of the plan's window now, for the views (`plan show`,
/// the TUI): a period added after the plan was approved shows here.
pub fn calendar_conflicts(p: &Plan, calendar: &[Blackout], rules: &crate::config::Process) -> Vec<RuleError> {
    let Some(w) = &p.window else { return Vec::new() };
    blackout_conflicts(w, p.system, calendar)
        .into_iter()
        .filter(|h| {
            h.period.hard || soft_refused(p, h.period, rules).is_some() || override_for(p, &h.period.name).is_none()
        })
        .map(|h| {
            let b = h.period;
            let (period, start, end) = (b.name.clone(), b.start.to_string(), b.end.to_string());
            if let Some(e) = soft_refused(p, b, rules) {
                e
            } else if b.hard {
                RuleError::HardBlackout { period, start, end }
            } else {
                RuleError::BlackoutNeedsJustification { period, start, end }
            }
        })
        .collect()
}

/// The window as a step commits to it: ahead of now and clear of the calendar.
fn check_commitment(p: &Plan, calendar: &[Blackout], ctx: &Ctx) -> Result<(), RuleError> {
    if let Some(w) = &p.window {
        window_ahead(w, ctx)?;
    }
    check_window(p, calendar, &ctx.rules)
}

// ===== submission and decision (§3.2, §2.1) =====

/// draft / returned → submitted, through the submit gate. A standard change is
/// approved by its template's approval instead (→ approved, the cover
/// recorded), while the template has not expired.
pub fn submit(p: &mut Plan, calendar: &[Blackout], ctx: &Ctx) -> Result<(), RuleError> {
    expect(p, &[S::Draft, S::Returned], "submit")?;
    let missing = submit_missing(p);
    if !missing.is_empty() {
        return Err(RuleError::MissingFields {
            entity: p.id.to_string(),
            fields: missing,
        });
    }
    check_commitment(p, calendar, ctx)?;
    let cover = if p.class == ChangeClass::Standard {
        Some(template_cover(p, ctx)?)
    } else {
        None
    };
    p.submission += 1;
    contribute(p, &ctx.actor.name, "submit");
    match cover {
        Some(mut c) => {
            c.submission = p.submission;
            p.covers.push(c);
            p.status = S::Approved;
        }
        None => p.status = S::Submitted,
    }
    Ok(())
}

/// What covers a standard change's submission: its template, approved and not
/// expired today.
fn template_cover(p: &Plan, ctx: &Ctx) -> Result<TemplateCover, RuleError> {
    let Some(t) = &p.template else {
        return Err(RuleError::StandardNeedsTemplate { plan: p.id.to_string() });
    };
    if ctx.today() >= t.expires {
        return Err(RuleError::TemplateExpired {
            template: t.id.to_string(),
            expires: t.expires.to_string(),
        });
    }
    Ok(TemplateCover {
        template: t.id,
        submission: p.submission,
        time: ctx.now,
        by: ctx.actor.name.clone(),
        expires: t.expires,
    })
}

/// Make a new plan a standard change of `template`: approved, not expired, for
/// the plan's system. Its content and approach are the template's (and stay
/// so), its first test round starts with the template's items.
pub fn instantiate(p: &mut Plan, template: &Template, ctx: &Ctx) -> Result<(), RuleError> {
    let (Some(approved_at), Some(expires)) = (template.approved_at, template.expires) else {
        return Err(RuleError::TemplateNotApproved {
            template: template.id.to_string(),
            status: template.status.label(),
        });
    };
    if template.status != TemplateStatus::Approved {
        return Err(RuleError::TemplateNotApproved {
            template: template.id.to_string(),
            status: template.status.label(),
        });
    }
    if ctx.today() >= expires {
        return Err(RuleError::TemplateExpired {
            template: template.id.to_string(),
            expires: expires.to_string(),
        });
    }
    if template.system != p.system {
        return Err(RuleError::TemplateSystem {
            template: template.id.to_string(),
            system: template.system.to_string(),
        });
    }
    let approvers: Vec<String> = approving_members(&template.approvals, template.submission)
        .into_iter()
        .map(String::from)
        .collect();
    p.class = ChangeClass::Standard;
    p.content = template.content.clone();
    p.approach = template.approach.clone();
    p.template = Some(TemplateScope {
        id: template.id,
        title: template.title.clone(),
        content: template.content.clone(),
        approach: template.approach.clone(),
        items: template.items.clone(),
        approved_at,
        approvers,
        expires,
    });
    Ok(())
}

/// The approvals of the current submission.
pub fn current_approvals(p: &Plan) -> impl Iterator<Item = &Approval> {
    p.approvals
        .iter()
        .filter(move |a| a.submission == p.submission && a.decision == Decision::Approved)
}

/// When the plan was approved: the approval that completed the quorum of the
/// current submission.
pub fn approved_at(p: &Plan) -> Option<Time> {
    if matches!(p.status, S::Draft | S::Submitted | S::Returned) {
        return None;
    }
    if p.class == ChangeClass::Standard {
        return p
            .covers
            .iter()
            .filter(|c| c.submission == p.submission)
            .map(|c| c.time)
            .max();
    }
    current_approvals(p).map(|a| a.time).max()
}

/// A decision of one member of the Leading Group: approve, or return for
/// revision with a reason. A plan is approved when its class's `approvers` distinct
/// members who did not contribute to it have approved its current submission;
/// one return sends it back. An approved plan, or one whose notice is out, can
/// still be returned before implementation starts (the notice stays on record).
pub fn decide(
    p: &mut Plan,
    decision: Decision,
    comment: &str,
    minutes_ref: &str,
    calendar: &[Blackout],
    ctx: &Ctx,
) -> Result<(), RuleError> {
    let action = match decision {
        Decision::Approved => "approve",
        Decision::Returned => "return",
    };
    match decision {
        Decision::Approved => expect(p, &[S::Submitted], action)?,
        Decision::Returned => expect(p, &[S::Submitted, S::Approved, S::NoticePublished], action)?,
    }
    not_contributor(p, ctx)?;
    let comment = if decision == Decision::Returned {
        required(comment, action)?
    } else {
        comment.trim().to_string()
    };
    if decision == Decision::Approved {
        if current_approvals(p).any(|a| a.member() == ctx.member()) {
            return Err(RuleError::AlreadyApproved {
                user: ctx.member().to_string(),
                plan: p.id.to_string(),
            });
        }
        check_commitment(p, calendar, ctx)?;
    }
    p.approvals.push(Approval {
        approver: ctx.actor.name.clone(),
        decision,
        time: ctx.now,
        comment,
        minutes_ref: minutes_ref.trim().to_string(),
        submission: p.submission,
        on_behalf_of: ctx.on_behalf_of.clone(),
    });
    match decision {
        Decision::Approved => {
            let (have, need) = quorum(p, ctx);
            if have >= need.max(1) {
                p.status = S::Approved;
            }
        }
        Decision::Returned => {
            // The notice is no longer in force; its publication stays on record.
            notice::withdraw(p);
            p.status = S::Returned;
        }
    }
    Ok(())
}

/// How many approvals the current submission has, and how many its class
/// needs (a standard change: none, its template's approval covers it).
pub fn quorum(p: &Plan, ctx: &Ctx) -> (u32, u32) {
    (
        approving_members(&p.approvals, p.submission).len() as u32,
        approvers_needed(p.class, &ctx.rules),
    )
}

/// The distinct members of the Leading Group who approved `submission`.
pub(crate) fn approving_members(approvals: &[Approval], submission: u32) -> Vec<&str> {
    let mut names: Vec<&str> = approvals
        .iter()
        .filter(|a| a.submission == submission && a.decision == Decision::Approved)
        .map(|a| a.member())
        .collect();
    names.sort();
    names.dedup();
    names
}

/// The quorum of a class: at least one member, none for a standard change.
pub fn approvers_needed(class: ChangeClass, rules: &crate::config::Process) -> u32 {
    match class {
        ChangeClass::Standard => 0,
        c => rules.class(c).approvers.max(1),
    }
}

/// The notice must precede the window by the notice period of the plan's class
/// (0 days: before the window starts).
fn notice_in_time(p: &Plan, published: Time, ctx: &Ctx) -> Result<(), RuleError> {
    let days = class_gates(p, &ctx.rules).notice_days;
    if let Some(w) = &p.window {
        if w.start - published < Duration::days(days as i64) {
            return Err(RuleError::NoticeTooLate {
                published: fmt_time(published),
                window_start: fmt_time(w.start),
                days,
            });
        }
    }
    Ok(())
}

/// approved → notice published (更新预告), in time for the window: the first
/// notice, or a corrected one after a return or a reschedule. No text (or an
/// empty one) publishes the draft ([`notice::NoticeChange::Text`]).
pub fn publish_notice(
    p: &mut Plan,
    text: &str,
    audience: &str,
    calendar: &[Blackout],
    ctx: &Ctx,
) -> Result<(), RuleError> {
    expect(p, &[S::Approved], "publish_notice")?;
    check_commitment(p, calendar, ctx)?;
    notice_in_time(p, ctx.now, ctx)?;
    notice::publish(p, Some(text), audience, ctx)?;
    p.status = S::NoticePublished;
    Ok(())
}

/// notice published → implementing: the notice preceded the window by the notice
/// period, and the window is still clear of the calendar.
pub fn start_implementation(p: &mut Plan, calendar: &[Blackout], ctx: &Ctx) -> Result<(), RuleError> {
    expect(p, &[S::NoticePublished], "implement")?;
    let Some(n) = &p.notice else {
        return Err(transition(
            p.id,
            p.status.label(),
            "implement",
            labels(&[S::NoticePublished]),
        ));
    };
    notice_in_time(p, n.published_at, ctx)?;
    check_window(p, calendar, &ctx.rules)?;
    p.status = S::Implementing;
    Ok(())
}

// ===== testing (§3.3) =====

const TESTABLE: &[S] = &[S::Implementing, S::Testing, S::Ready];

/// Testing and ready are one state seen through the go-live gate: the plan is
/// ready exactly when nothing is missing (as of now).
fn refresh_readiness(p: &mut Plan, ctx: &Ctx) {
    if matches!(p.status, S::Testing | S::Ready) {
        p.status = if golive_missing(p, ctx.now, &ctx.rules).is_empty() {
            S::Ready
        } else {
            S::Testing
        };
    }
}

/// The last time each item was tested: its number, the round, and the result
/// there, in item order.
pub fn item_history(p: &Plan) -> Vec<(u32, u32, TestResult)> {
    let mut last: std::collections::BTreeMap<u32, (u32, TestResult)> = Default::default();
    for r in &p.rounds {
        for i in &r.items {
            last.insert(i.no, (r.no, i.result));
        }
    }
    last.into_iter()
        .map(|(no, (round, result))| (no, round, result))
        .collect()
}

/// Items whose latest result, in whatever round, is not pass or waived.
pub fn unresolved_items(p: &Plan) -> Vec<(u32, u32, TestResult)> {
    item_history(p)
        .into_iter()
        .filter(|(_, _, r)| !matches!(r, TestResult::Pass | TestResult::Waived))
        .collect()
}

/// The latest occurrence of an item.
fn last_item_mut(p: &mut Plan, no: u32) -> Option<&mut TestItem> {
    p.rounds
        .iter_mut()
        .rev()
        .find_map(|r| r.items.iter_mut().find(|i| i.no == no))
}

fn next_item_no(p: &Plan) -> u32 {
    p.rounds.iter().flat_map(|r| &r.items).map(|i| i.no).max().unwrap_or(0) + 1
}

/// Start a test round in a test environment (§3.3); with `copy_unfinished`, every
/// item not yet passed or waived (in any earlier round) is retested in it.
pub fn new_round(p: &mut Plan, copy_unfinished: bool, environment: &str, ctx: &Ctx) -> Result<u32, RuleError> {
    expect(p, TESTABLE, "test.round")?;
    let environment = non_empty(environment, "environment")?;
    let items: Vec<TestItem> = if p.rounds.is_empty() && p.template.is_some() {
        // A standard change's first round: its template's test items.
        let tester = Tester {
            name: ctx.actor.name.clone(),
            kind: TesterType::Technician,
        };
        let items = p.template.as_ref().map(|t| t.items.clone()).unwrap_or_default();
        items
            .into_iter()
            .enumerate()
            .map(|(i, it)| TestItem {
                no: i as u32 + 1,
                category: it.category,
                description: it.description,
                expected: it.expected,
                tester: tester.clone(),
                result: TestResult::Pending,
                waiver: None,
                waived: None,
                notes: String::new(),
            })
            .collect()
    } else if copy_unfinished {
        let open: Vec<u32> = unresolved_items(p).iter().map(|(no, _, _)| *no).collect();
        open.iter()
            .filter_map(|no| p.rounds.iter().rev().find_map(|r| r.items.iter().find(|i| i.no == *no)))
            .map(|i| TestItem {
                result: TestResult::Pending,
                waiver: None,
                waived: None,
                notes: String::new(),
                ..i.clone()
            })
            .collect()
    } else {
        Vec::new()
    };
    let no = p.rounds.len() as u32 + 1;
    p.rounds.push(TestRound {
        no,
        started_at: ctx.now,
        started_by: ctx.actor.name.clone(),
        environment,
        items,
    });
    contribute(p, &ctx.actor.name, "test");
    p.status = S::Testing;
    refresh_readiness(p, ctx);
    Ok(no)
}

fn latest_round_mut(p: &mut Plan) -> Result<&mut TestRound, RuleError> {
    p.rounds.last_mut().ok_or(RuleError::NoRound { plan: p.id.to_string() })
}

/// Add an item to the latest round: a new one (numbered after every item the
/// plan ever had), or a retest of item `retest` from an earlier round, which
/// keeps its number, category, description and expected result.
#[allow(clippy::too_many_arguments)]
pub fn add_item(
    p: &mut Plan,
    category: TestCategory,
    description: &str,
    expected: &str,
    tester: Tester,
    retest: Option<u32>,
    ctx: &Ctx,
) -> Result<u32, RuleError> {
    expect(p, &[S::Testing, S::Ready], "test.item")?;
    non_empty(&tester.name, "tester")?;
    if p.rounds.is_empty() {
        return Err(RuleError::NoRound { plan: p.id.to_string() });
    }
    let item = match retest {
        Some(n) => {
            let earlier = p
                .rounds
                .iter()
                .rev()
                .find_map(|r| r.items.iter().find(|i| i.no == n))
                .ok_or(RuleError::NoSuchItem {
                    what: format!("item #{n}"),
                })?
                .clone();
            let round = p.rounds.last().expect("a round");
            if round.items.iter().any(|i| i.no == n) {
                return Err(RuleError::AlreadyInRound {
                    item: n,
                    round: round.no,
                });
            }
            TestItem {
                tester,
                result: TestResult::Pending,
                waiver: None,
                waived: None,
                notes: String::new(),
                ..earlier
            }
        }
        None => TestItem {
            no: next_item_no(p),
            category,
            description: non_empty(description, "description")?,
            expected: expected.trim().to_string(),
            tester,
            result: TestResult::Pending,
            waiver: None,
            waived: None,
            notes: String::new(),
        },
    };
    let no = item.no;
    latest_round_mut(p)?.items.push(item);
    contribute(p, &ctx.actor.name, "test");
    refresh_readiness(p, ctx);
    Ok(no)
}

/// Record the result of an item of the latest round. A waiver is not a result
/// a tester records: an approver decides it ([`waive`]).
pub fn set_result(
    p: &mut Plan,
    item: u32,
    result: TestResult,
    notes: Option<&str>,
    ctx: &Ctx,
) -> Result<(), RuleError> {
    expect(p, &[S::Testing, S::Ready], "test.result")?;
    if result == TestResult::Waived {
        return Err(RuleError::WaiverByApprover { item });
    }
    let round = latest_round_mut(p)?;
    let rno = round.no;
    let it = round
        .items
        .iter_mut()
        .find(|i| i.no == item)
        .ok_or(RuleError::NotInRound { item, round: rno })?;
    it.waiver = None;
    it.waived = None;
    it.result = result;
    if let Some(n) = notes {
        it.notes = n.trim().to_string();
    }
    contribute(p, &ctx.actor.name, "test");
    refresh_readiness(p, ctx);
    Ok(())
}

/// An approver who did not contribute waives an item that has not passed, with
/// the reason: the residual risk is accepted and recorded.
pub fn waive(p: &mut Plan, item: u32, reason: &str, ctx: &Ctx) -> Result<(), RuleError> {
    expect(p, &[S::Testing, S::Ready], "test.waive")?;
    not_contributor(p, ctx)?;
    let reason = required(reason, "test.waive")?;
    let it = last_item_mut(p, item).ok_or(RuleError::NoSuchItem {
        what: format!("item #{item}"),
    })?;
    if it.result == TestResult::Pass {
        return Err(RuleError::NothingToAccept {
            what: format!("item #{item}"),
        });
    }
    it.result = TestResult::Waived;
    it.waiver = Some(reason.clone());
    it.waived = Some(RiskAcceptance {
        by: ctx.actor.name.clone(),
        reason,
        time: ctx.now,
        on_behalf_of: ctx.on_behalf_of.clone(),
    });
    refresh_readiness(p, ctx);
    Ok(())
}

/// Does this defect stand between the plan and going live: critical or major,
/// neither verified fixed nor risk-accepted by an approver?
pub fn defect_blocks(d: &Defect) -> bool {
    matches!(d.severity, Severity::Critical | Severity::Major)
        && d.status != DefectStatus::Verified
        && d.acceptance.is_none()
}

#[allow(clippy::too_many_arguments)]
pub fn add_defect(
    p: &mut Plan,
    severity: Severity,
    description: &str,
    found_by: Tester,
    item: Option<u32>,
    vendor_ref: Option<&str>,
    ctx: &Ctx,
) -> Result<u32, RuleError> {
    expect(p, TESTABLE, "test.defect")?;
    let description = non_empty(description, "description")?;
    let round = match item {
        Some(i) => Some(
            item_history(p)
                .iter()
                .find(|(no, _, _)| *no == i)
                .map(|(_, round, _)| *round)
                .ok_or(RuleError::NoSuchItem {
                    what: format!("item #{i}"),
                })?,
        ),
        None => None,
    };
    let no = p.defects.len() as u32 + 1;
    p.defects.push(Defect {
        no,
        severity,
        description,
        found_by,
        round,
        item,
        vendor_ref: vendor_ref.map(str::trim).filter(|s| !s.is_empty()).map(String::from),
        status: DefectStatus::Open,
        reported_at: ctx.now,
        acceptance: None,
    });
    contribute(p, &ctx.actor.name, "defect");
    refresh_readiness(p, ctx);
    Ok(no)
}

/// Change a defect's status or vendor reference. A critical or major defect is
/// set to "won't fix" only after an approver accepted its risk; reopening it
/// withdraws that acceptance.
pub fn update_defect(
    p: &mut Plan,
    no: u32,
    status: Option<DefectStatus>,
    vendor_ref: Option<&str>,
    ctx: &Ctx,
) -> Result<(), RuleError> {
    expect(p, TESTABLE, "test.defect")?;
    let d = p.defects.iter_mut().find(|d| d.no == no).ok_or(RuleError::NoSuchItem {
        what: format!("defect D{no}"),
    })?;
    if let Some(s) = status {
        let serious = matches!(d.severity, Severity::Critical | Severity::Major);
        if s == DefectStatus::WontFix && serious && d.acceptance.is_none() {
            return Err(RuleError::RiskAcceptanceNeeded {
                defect: no,
                severity: d.severity,
            });
        }
        if s == DefectStatus::Open {
            d.acceptance = None;
        }
        d.status = s;
    }
    if let Some(v) = vendor_ref {
        d.vendor_ref = Some(v.trim().to_string()).filter(|s| !s.is_empty());
    }
    contribute(p, &ctx.actor.name, "defect");
    refresh_readiness(p, ctx);
    Ok(())
}

/// An approver who did not contribute accepts the residual risk of a critical or
/// major defect that is not verified fixed, with the reason.
pub fn accept_defect(p: &mut Plan, no: u32, reason: &str, ctx: &Ctx) -> Result<(), RuleError> {
    expect(p, TESTABLE, "test.accept")?;
    not_contributor(p, ctx)?;
    let reason = required(reason, "test.accept")?;
    let d = p.defects.iter_mut().find(|d| d.no == no).ok_or(RuleError::NoSuchItem {
        what: format!("defect D{no}"),
    })?;
    if !defect_blocks(d) {
        return Err(RuleError::NothingToAccept {
            what: format!("defect D{no}"),
        });
    }
    d.acceptance = Some(RiskAcceptance {
        by: ctx.actor.name.clone(),
        reason,
        time: ctx.now,
        on_behalf_of: ctx.on_behalf_of.clone(),
    });
    refresh_readiness(p, ctx);
    Ok(())
}

pub fn confirm_backup(p: &mut Plan, mut backup: BackupConfirmation, ctx: &Ctx) -> Result<(), RuleError> {
    expect(p, TESTABLE, "backup")?;
    backup.what = non_empty(&backup.what, "backup.what")?;
    backup.location = non_empty(&backup.location, "backup.location")?;
    backup.verified_by = non_empty(&backup.verified_by, "backup.verified_by")?;
    backup.time = ctx.now;
    p.backup = Some(backup);
    refresh_readiness(p, ctx);
    Ok(())
}

// ===== go-live (§3.3–§3.4) =====

/// The go-live gate as of time `at` (the go-live's time), as a checklist of what
/// is still missing.
pub fn golive_missing(p: &Plan, at: Time, rules: &crate::config::Process) -> Vec<GoLiveMissing> {
    let mut m = Vec::new();
    match &p.backup {
        None => m.push(GoLiveMissing::Backup),
        Some(b) => {
            if at - b.time > Duration::days(rules.backup_max_age_days as i64) {
                m.push(GoLiveMissing::BackupStale {
                    confirmed: fmt_time(b.time),
                    days: rules.backup_max_age_days,
                });
            }
        }
    }
    match p.rounds.last() {
        None => m.push(GoLiveMissing::TestRound),
        Some(r) => {
            let rolled_back_after = p.retest_after_round.is_some_and(|n| r.no <= n);
            if r.items.is_empty() || rolled_back_after {
                m.push(GoLiveMissing::TestRound);
            }
            let open = unresolved_items(p);
            let here: Vec<u32> = open
                .iter()
                .filter(|(_, round, _)| *round == r.no)
                .map(|(no, _, _)| *no)
                .collect();
            if !here.is_empty() {
                m.push(GoLiveMissing::Items {
                    round: r.no,
                    items: here,
                });
            }
            let earlier: Vec<(u32, u32, TestResult)> =
                open.into_iter().filter(|(_, round, _)| *round != r.no).collect();
            if !earlier.is_empty() {
                m.push(GoLiveMissing::Unresolved { items: earlier });
            }
        }
    }
    let defects: Vec<(u32, Severity)> = p
        .defects
        .iter()
        .filter(|d| defect_blocks(d))
        .map(|d| (d.no, d.severity))
        .collect();
    if !defects.is_empty() {
        m.push(GoLiveMissing::Defects { defects });
    }
    // After the live update was rolled back, its data of the live period is
    // in no backup confirmed before the rollback (§3.3).
    if let (Some(b), Some(rb)) = (&p.backup, super::last_rollback(p)) {
        if b.time < rb.time {
            m.push(GoLiveMissing::BackupBeforeRollback {
                confirmed: fmt_time(b.time),
                rolled_back: fmt_time(rb.time),
            });
        }
    }
    m
}

fn same_minute(a: Time, b: Time) -> bool {
    (a - b).num_seconds().abs() < 60
}

/// A time as users give one: to the minute. Recorded times (an approval, a
/// notice) are compared with a typed time at this precision.
fn to_minute(t: Time) -> Time {
    use chrono::{DurationRound, TimeDelta};
    t.duration_trunc(TimeDelta::minutes(1)).unwrap_or(t)
}

/// Is `t` inside the plan's window?
pub fn in_window(p: &Plan, t: Time) -> bool {
    p.window.as_ref().is_some_and(|w| w.start <= t && t <= w.end)
}

/// The time rules of a go-live (or of a deviation's actual time): not in the
/// future, not before the approval or the notice, and not in a hard blackout of
/// the system or an unjustified soft one.
fn golive_time_ok(p: &Plan, time: Time, calendar: &[Blackout], ctx: &Ctx) -> Result<(), RuleError> {
    if time > ctx.latest_allowed() {
        return Err(RuleError::GoLiveInFuture {
            time: fmt_time(time),
            now: fmt_time(ctx.now),
        });
    }
    if let Some(a) = approved_at(p).filter(|a| time < to_minute(*a)) {
        return Err(RuleError::GoLiveBeforeApproval {
            time: fmt_time(time),
            approved: fmt_time(a),
        });
    }
    if let Some(n) = p.notice.as_ref().filter(|n| time < to_minute(n.published_at)) {
        return Err(RuleError::GoLiveBeforeNotice {
            time: fmt_time(time),
            published: fmt_time(n.published_at),
        });
    }
    // The update goes live after it was tested and its data backed up.
    let steps = [
        ("golive.step.round", p.rounds.last().map(|r| r.started_at)),
        ("golive.step.backup", p.backup.as_ref().map(|b| b.time)),
    ];
    for (step, at) in steps {
        if let Some(at) = at.filter(|at| time < to_minute(*at)) {
            return Err(RuleError::GoLiveBeforeStep {
                time: fmt_time(time),
                step: step.into(),
                at: fmt_time(at),
            });
        }
    }
    for hit in blackouts_at(time, p.system, calendar) {
        let b = hit.period;
        if b.hard || soft_refused(p, b, &ctx.rules).is_some() || override_for(p, &b.name).is_none() {
            return Err(RuleError::GoLiveInBlackout {
                time: fmt_time(time),
                period: b.name.clone(),
                start: b.start.to_string(),
                end: b.end.to_string(),
                hard: b.hard,
            });
        }
    }
    Ok(())
}

/// Record a go-live. Success or partial makes the plan live: its time lies inside
/// the window, or is the accepted deviation's; a rollback sends the plan back to
/// testing, where a new round is needed.
pub fn record_golive(p: &mut Plan, mut golive: GoLive, calendar: &[Blackout], ctx: &Ctx) -> Result<(), RuleError> {
    expect(p, &[S::Testing, S::Ready], "golive")?;
    golive_time_ok(p, golive.time, calendar, ctx)?;
    let missing = golive_missing(p, golive.time, &ctx.rules);
    if !missing.is_empty() {
        return Err(RuleError::GoLiveBlocked {
            plan: p.id.to_string(),
            missing,
        });
    }
    non_empty(&golive.deployer, "golive.deployer")?;
    non_empty(&golive.version, "golive.version")?;
    golive.deviation = None;
    if golive.outcome != GoLiveOutcome::RolledBack {
        check_window(p, calendar, &ctx.rules)?;
        if !in_window(p, golive.time) {
            let accepted = p
                .deviation
                .as_ref()
                .is_some_and(|d| d.accepted.is_some() && same_minute(d.time, golive.time));
            if !accepted {
                let w = p.window.as_ref();
                return Err(RuleError::GoLiveOutsideWindow {
                    time: fmt_time(golive.time),
                    start: w.map(|w| fmt_time(w.start)).unwrap_or_default(),
                    end: w.map(|w| fmt_time(w.end)).unwrap_or_default(),
                });
            }
            golive.deviation = p.deviation.take().map(Box::new);
        }
    }
    let outcome = golive.outcome;
    p.golives.push(golive);
    if outcome == GoLiveOutcome::RolledBack {
        p.retest_after_round = Some(p.rounds.len() as u32);
        p.status = S::Testing;
    } else {
        p.status = S::Live;
    }
    Ok(())
}

/// Record that the go-live happened (or will happen) at `time`, outside the
/// window, and why; an approver who did not contribute must accept it before the
/// go-live can be recorded at that time.
pub fn record_deviation(p: &mut Plan, time: Time, reason: &str, ctx: &Ctx) -> Result<(), RuleError> {
    expect(p, &[S::Testing, S::Ready], "deviation")?;
    let reason = required(reason, "deviation")?;
    if in_window(p, time) {
        return Err(RuleError::NoDeviation { time: fmt_time(time) });
    }
    p.deviation = Some(Deviation {
        time,
        reason,
        recorded_by: ctx.actor.name.clone(),
        recorded_at: ctx.now,
        accepted: None,
    });
    Ok(())
}

/// An approver who did not contribute accepts the recorded deviation.
pub fn accept_deviation(p: &mut Plan, reason: &str, ctx: &Ctx) -> Result<(), RuleError> {
    expect(p, &[S::Testing, S::Ready], "deviation.accept")?;
    not_contributor(p, ctx)?;
    let reason = required(reason, "deviation.accept")?;
    let d = match p.deviation.as_mut() {
        Some(d) if d.accepted.is_none() => d,
        _ => return Err(RuleError::NothingToAccept { what: p.id.to_string() }),
    };
    // Whoever recorded the deviation does not accept it.
    if d.recorded_by == ctx.actor.name || ctx.on_behalf_of.as_ref() == Some(&d.recorded_by) {
        return Err(RuleError::Contributor {
            user: d.recorded_by.clone(),
            plan: p.id.to_string(),
            did: vec!["deviation".into()],
        });
    }
    d.accepted = Some(RiskAcceptance {
        by: ctx.actor.name.clone(),
        reason,
        time: ctx.now,
        on_behalf_of: ctx.on_behalf_of.clone(),
    });
    Ok(())
}

pub fn add_training(p: &mut Plan, training: Training, _ctx: &Ctx) -> Result<(), RuleError> {
    expect(p, &[S::Ready, S::Live], "training")?;
    non_empty(&training.trainer, "training.trainer")?;
    check_audience(&training)?;
    p.training.push(training);
    Ok(())
}

/// A session's audience names each department once, by name (§4.3 coverage).
pub fn check_audience(training: &Training) -> Result<(), RuleError> {
    let mut seen: Vec<&str> = Vec::new();
    for a in &training.audience {
        let d = a.department.trim();
        non_empty(d, "training.audience")?;
        if seen.contains(&d) {
            return Err(RuleError::AudienceRepeated {
                department: d.to_string(),
            });
        }
        seen.push(d);
    }
    Ok(())
}

pub fn add_comparison(p: &mut Plan, row: ComparisonRow, _ctx: &Ctx) -> Result<(), RuleError> {
    expect(p, &[S::Implementing, S::Testing, S::Ready, S::Live], "comparison")?;
    non_empty(&row.function, "comparison.function")?;
    p.comparison.push(row);
    Ok(())
}

pub fn remove_comparison(p: &mut Plan, n: usize, _ctx: &Ctx) -> Result<(), RuleError> {
    expect(p, &[S::Implementing, S::Testing, S::Ready, S::Live], "comparison")?;
    if n == 0 || n > p.comparison.len() {
        return Err(RuleError::NoSuchItem {
            what: format!("comparison #{n}"),
        });
    }
    p.comparison.remove(n - 1);
    Ok(())
}

// ===== filing (§3.5) =====

/// The filing gate, as of `now`.
pub fn filing_missing(p: &Plan, now: Time) -> Vec<FilingMissing> {
    let mut m = Vec::new();
    match p.live_golive() {
        None => m.push(FilingMissing::GoLive),
        Some(g) if g.time > now => m.push(FilingMissing::GoLiveAhead),
        Some(_) => {}
    }
    let report_ok = p.rounds.last().is_some_and(|r| !r.items.is_empty()) && unresolved_items(p).is_empty();
    if !report_ok {
        m.push(FilingMissing::TestReport);
    }
    if p.comparison.is_empty() {
        m.push(FilingMissing::Comparison);
    }
    m
}

/// live → filed. The caller freezes the dossier in the same transaction.
pub fn file(p: &mut Plan, dossier: crate::model::Id, ctx: &Ctx) -> Result<(), RuleError> {
    let missing = filing_missing(p, ctx.now);
    if p.status != S::Live {
        if matches!(p.status, S::Testing | S::Ready) && !missing.is_empty() {
            return Err(RuleError::FilingBlocked {
                plan: p.id.to_string(),
                missing,
            });
        }
        return Err(transition(p.id, p.status.label(), "file", labels(&[S::Live])));
    }
    if !missing.is_empty() {
        return Err(RuleError::FilingBlocked {
            plan: p.id.to_string(),
            missing,
        });
    }
    p.status = S::Filed;
    p.dossier = Some(dossier);
    Ok(())
}

/// Cancel from any state before live, with a reason.
pub fn cancel(p: &mut Plan, reason: &str, _ctx: &Ctx) -> Result<(), RuleError> {
    expect(
        p,
        &[
            S::Draft,
            S::Submitted,
            S::Approved,
            S::Returned,
            S::NoticePublished,
            S::Implementing,
            S::Testing,
            S::Ready,
        ],
        "cancel",
    )?;
    p.cancel_reason = Some(required(reason, "cancel")?);
    // Users were told of the update: they are told it is off (§3.2).
    notice::publish_cancellation(p, _ctx);
    p.status = S::Cancelled;
    Ok(())
}

// ===== the gates as of now, for the views =====

/// Every gate of a plan as of a moment: what submitting, going live and filing
/// still need, the calendar problems of its window, and its approvals. The
/// views (`plan show`, `test show`, the TUI) show this instead of judging.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Gates {
    pub submit: Vec<PlanField>,
    pub golive: Vec<GoLiveMissing>,
    pub filing: Vec<FilingMissing>,
    /// Blackout periods the window lies in that it may not (hard) or that lack
    /// a justification (soft): a period added later shows here.
    pub calendar: Vec<RuleError>,
    /// Approvals of the current submission, and how many it needs.
    pub approvals: (u32, u32),
    /// The steps the actor asking may take on the plan now ([`super::plan_offers`]).
    #[serde(default)]
    pub offers: super::Offers,
    /// The requests linked to the plan, which the submit check lists
    /// (titles filled in by the service, [`super::linked_requests`]).
    #[serde(default)]
    pub requests: Vec<super::LinkedRequest>,
    /// What submitting warns about without refusing ([`super::submit_warnings`]).
    #[serde(default)]
    pub warnings: Vec<super::SubmitWarning>,
    /// The post-implementation review of a live or filed plan (§4.3): due,
    /// overdue or done ([`super::review_state`]).
    #[serde(default)]
    pub review: Option<super::ReviewState>,
}

pub fn gates(p: &Plan, calendar: &[Blackout], ctx: &Ctx) -> Gates {
    Gates {
        submit: submit_missing(p),
        // Passed (or moot) once the plan is live, filed or cancelled.
        golive: if TESTABLE.contains(&p.status) {
            golive_missing(p, ctx.now, &ctx.rules)
        } else {
            Vec::new()
        },
        filing: filing_missing(p, ctx.now),
        calendar: if matches!(p.status, S::Live | S::Filed | S::Cancelled | S::Failed) {
            Vec::new()
        } else {
            calendar_conflicts(p, calendar, &ctx.rules)
        },
        approvals: quorum(p, ctx),
        offers: super::plan_offers(p, calendar, ctx),
        requests: super::linked_requests(p),
        warnings: super::submit_warnings(p),
        // Without the dossier's addenda: the service adds them for a filed plan.
        review: super::review_state(p, &[], ctx.now, &ctx.rules),
    }
}

// ===== the rulebook of a plan =====

/// Decide a command on a plan: the status machine, the gate and the clock, in
/// one place (the permission was checked by [`super::check`]). Changes `p` and
/// returns the detail of the audit summary, or refuses. What a command does to
/// *other* records (releasing requests, the system's version, the dossier) the
/// service does after this has allowed it. A notice's text must be resolved
/// before (the generated text needs the system).
pub fn decide_plan(p: &mut Plan, cmd: &Command, calendar: &[Blackout], ctx: &Ctx) -> Result<String, RuleError> {
    use crate::sanitize::clean_line;
    use Command as C;
    Ok(match cmd {
        C::PlanEdit { changes, .. } => {
            for c in changes {
                edit(p, c.clone(), calendar, ctx)?;
            }
            changes.iter().map(|c| c.name()).collect::<Vec<_>>().join(", ")
        }
        C::PlanSubmit { .. } => {
            submit(p, calendar, ctx)?;
            String::new()
        }
        C::PlanApprove {
            comment, minutes_ref, ..
        } => {
            decide(p, Decision::Approved, comment, minutes_ref, calendar, ctx)?;
            let (have, need) = quorum(p, ctx);
            if need > 1 {
                format!("{minutes_ref} ({have}/{need})")
            } else {
                minutes_ref.clone()
            }
        }
        C::PlanReturn {
            reason, minutes_ref, ..
        } => {
            decide(p, Decision::Returned, reason, minutes_ref, calendar, ctx)?;
            clean_line(reason)
        }
        C::PlanNotice { text, audience, .. } => {
            publish_notice(p, text.as_deref().unwrap_or(""), audience, calendar, ctx)?;
            audience.clone()
        }
        C::PlanImplement { .. } => {
            start_implementation(p, calendar, ctx)?;
            String::new()
        }
        C::PlanReschedule {
            window,
            reason,
            justification,
            ..
        } => {
            let old = p.window.clone();
            reschedule(p, window, reason, justification.as_deref(), calendar, ctx)?;
            format!(
                "{} → {}: {}",
                old.as_ref().map(fmt_window).unwrap_or_default(),
                fmt_window(window),
                clean_line(reason)
            )
        }
        C::PlanNoticeDraft { changes, .. } => {
            edit_notice(p, changes, ctx)?;
            changes.iter().map(|c| c.name()).collect::<Vec<_>>().join(", ")
        }
        C::PlanMilestone { changes, .. } => {
            set_milestones(p, changes, calendar, ctx)?;
            changes.iter().map(|c| c.name()).collect::<Vec<_>>().join(", ")
        }
        C::PlanCancel { reason, .. } => {
            let published = p.publications.len();
            cancel(p, reason, ctx)?;
            if p.publications.len() > published {
                format!("{} (+ {})", clean_line(reason), PublicationKind::Cancellation)
            } else {
                clean_line(reason)
            }
        }
        C::TestRound {
            copy_unfinished,
            environment,
            ..
        } => {
            let no = new_round(p, *copy_unfinished, environment, ctx)?;
            format!("round {no}, {} items", p.rounds.last().map_or(0, |r| r.items.len()))
        }
        C::TestItem {
            category,
            description,
            expected,
            tester,
            retest,
            ..
        } => {
            let no = add_item(p, *category, description, expected, tester.clone(), *retest, ctx)?;
            let item = p.rounds.last().and_then(|r| r.items.iter().find(|i| i.no == no));
            format!(
                "#{no}{} [{}] {}",
                if retest.is_some() { " retest" } else { "" },
                item.map(|i| i.category).unwrap_or(*category),
                clean_line(item.map(|i| i.description.as_str()).unwrap_or(description))
            )
        }
        C::TestResult {
            item, result, notes, ..
        } => {
            set_result(p, *item, *result, notes.as_deref(), ctx)?;
            format!("#{item} {result}")
        }
        C::TestWaive { item, reason, .. } => {
            waive(p, *item, reason, ctx)?;
            format!("#{item} waived: {}", clean_line(reason))
        }
        C::DefectAdd {
            severity,
            description,
            found_by,
            item,
            vendor_ref,
            ..
        } => {
            let no = add_defect(
                p,
                *severity,
                description,
                found_by.clone(),
                *item,
                vendor_ref.as_deref(),
                ctx,
            )?;
            format!("D{no} {severity}: {}", clean_line(description))
        }
        C::DefectUpdate {
            defect,
            status,
            vendor_ref,
            ..
        } => {
            update_defect(p, *defect, *status, vendor_ref.as_deref(), ctx)?;
            format!("D{defect} {}", status.map(|s| s.to_string()).unwrap_or_default())
        }
        C::DefectAccept { defect, reason, .. } => {
            accept_defect(p, *defect, reason, ctx)?;
            format!("D{defect} risk accepted: {}", clean_line(reason))
        }
        C::Backup { backup, .. } => {
            confirm_backup(p, backup.clone(), ctx)?;
            format!("{} @ {}", backup.what, backup.location)
        }
        C::GoLive { golive, .. } => {
            record_golive(p, golive.clone(), calendar, ctx)?;
            format!("{} {}", golive.outcome, golive.version)
        }
        C::PlanDeviation { time, reason, .. } => {
            record_deviation(p, *time, reason, ctx)?;
            format!("{}: {}", fmt_time(*time), clean_line(reason))
        }
        C::DeviationAccept { reason, .. } => {
            accept_deviation(p, reason, ctx)?;
            format!("accepted: {}", clean_line(reason))
        }
        // After go-live (§3.4, §4.3): decided in `after.rs`; the service
        // carries out there what they record for a filed plan.
        C::PlanIncident { .. } | C::PlanFail { .. } | C::PlanReview { .. } => {
            super::decide_after(p, cmd, &super::After::default(), ctx)?.1
        }
        C::Training { .. } if p.status == S::Filed => super::decide_after(p, cmd, &super::After::default(), ctx)?.1,
        C::Training { training, .. } => {
            add_training(p, training.clone(), ctx)?;
            format!("{} {} {}", training.format, training.date, training.attendance)
        }
        C::ComparisonAdd { row, .. } => {
            add_comparison(p, row.clone(), ctx)?;
            format!("{} {}", row.change, row.function)
        }
        C::ComparisonRemove { row, .. } => {
            remove_comparison(p, *row, ctx)?;
            format!("#{row}")
        }
        other => return Err(transition(p.id, p.status.label(), other.name(), Vec::new())),
    })
}
