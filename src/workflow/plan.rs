//! Plan transitions and gates (§3.2–§3.5).

use chrono::Duration;
use serde::{Deserialize, Serialize};

use super::{
    blackout_conflicts, non_empty, required, transition, Ctx, FilingMissing, GoLiveMissing, PlanField, RuleError,
};
use crate::model::{
    Approval, BackupConfirmation, Blackout, ComparisonRow, Decision, Defect, DefectStatus, GoLive, GoLiveOutcome,
    Notice, Plan, PlanStatus as S, Risk, Severity, StaffAssignment, TestCategory, TestItem, TestResult, TestRound,
    Tester, Training, Window,
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
    BackupPlan(String),
    MigrationPlan(String),
    RollbackPlan(String),
    /// Justification for a window in a soft blackout period; `None` removes it.
    BlackoutOverride(Option<String>),
    AddStaff(StaffAssignment),
    /// 1-based position.
    RemoveStaff(usize),
    AddRisk(Risk),
    /// 1-based position.
    RemoveRisk(usize),
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
            PlanChange::BackupPlan(_) => "backup_plan",
            PlanChange::MigrationPlan(_) => "migration_plan",
            PlanChange::RollbackPlan(_) => "rollback_plan",
            PlanChange::BlackoutOverride(_) => "blackout_override",
            PlanChange::AddStaff(_) => "staff.add",
            PlanChange::RemoveStaff(_) => "staff.remove",
            PlanChange::AddRisk(_) => "risk.add",
            PlanChange::RemoveRisk(_) => "risk.remove",
        }
    }
}

fn expect(p: &Plan, allowed: &[S], action: &str) -> Result<(), RuleError> {
    if allowed.contains(&p.status) {
        Ok(())
    } else {
        Err(transition(p.id, p.status.label(), action))
    }
}

/// Is the written plan still open for changes (and for linking requests)?
pub fn editable(p: &Plan) -> bool {
    matches!(p.status, S::Draft | S::Returned)
}

pub fn edit(p: &mut Plan, change: PlanChange, _ctx: &Ctx) -> Result<(), RuleError> {
    if !editable(p) {
        return Err(transition(p.id, p.status.label(), "edit"));
    }
    match change {
        PlanChange::Title(v) => p.title = non_empty(&v, "title")?,
        PlanChange::VersionFrom(v) => p.version_from = v.trim().to_string(),
        PlanChange::VersionTo(v) => p.version_to = non_empty(&v, "version_to")?,
        PlanChange::Goals(v) => p.goals = v,
        PlanChange::Content(v) => p.content = v,
        PlanChange::Approach(v) => p.approach = v,
        PlanChange::Window(w) => {
            if let Some(w) = &w {
                if w.end <= w.start {
                    return Err(RuleError::WindowOrder);
                }
            }
            p.window = w
        }
        PlanChange::BackupPlan(v) => p.backup_plan = v,
        PlanChange::MigrationPlan(v) => p.migration_plan = v,
        PlanChange::RollbackPlan(v) => p.rollback_plan = v,
        PlanChange::BlackoutOverride(v) => {
            p.blackout_override = v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
        }
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
    Ok(())
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
    if blank(&p.rollback_plan) {
        m.push(PlanField::RollbackPlan);
    }
    m
}

/// The calendar part of the submit gate: hard periods refuse, soft ones need a justification.
pub fn check_window(p: &Plan, calendar: &[Blackout]) -> Result<(), RuleError> {
    let Some(w) = &p.window else { return Ok(()) };
    if w.end <= w.start {
        return Err(RuleError::WindowOrder);
    }
    for hit in blackout_conflicts(w, calendar) {
        let b = hit.period;
        let (period, start, end) = (b.name.clone(), b.start.to_string(), b.end.to_string());
        if b.hard {
            return Err(RuleError::HardBlackout { period, start, end });
        }
        if p.blackout_override.is_none() {
            return Err(RuleError::BlackoutNeedsJustification { period, start, end });
        }
    }
    Ok(())
}

/// draft / returned → submitted, through the submit gate.
pub fn submit(p: &mut Plan, calendar: &[Blackout], _ctx: &Ctx) -> Result<(), RuleError> {
    expect(p, &[S::Draft, S::Returned], "submit")?;
    let missing = submit_missing(p);
    if !missing.is_empty() {
        return Err(RuleError::MissingFields {
            entity: p.id.to_string(),
            fields: missing,
        });
    }
    check_window(p, calendar)?;
    p.status = S::Submitted;
    Ok(())
}

/// The Leading Group's decision: approve, or return for revision with a reason.
/// The approver may not be the plan's author.
pub fn decide(p: &mut Plan, decision: Decision, comment: &str, minutes_ref: &str, ctx: &Ctx) -> Result<(), RuleError> {
    let action = match decision {
        Decision::Approved => "approve",
        Decision::Returned => "return",
    };
    expect(p, &[S::Submitted], action)?;
    if p.meta.created_by == ctx.actor.name {
        return Err(RuleError::SelfApproval {
            user: ctx.actor.name.clone(),
        });
    }
    let comment = if decision == Decision::Returned {
        required(comment, action)?
    } else {
        comment.trim().to_string()
    };
    p.approvals.push(Approval {
        approver: ctx.actor.name.clone(),
        decision,
        time: ctx.now,
        comment,
        minutes_ref: minutes_ref.trim().to_string(),
    });
    p.status = match decision {
        Decision::Approved => S::Approved,
        Decision::Returned => S::Returned,
    };
    Ok(())
}

/// approved → notice published (更新预告).
pub fn publish_notice(p: &mut Plan, text: &str, audience: &str, ctx: &Ctx) -> Result<(), RuleError> {
    expect(p, &[S::Approved], "publish_notice")?;
    p.notice = Some(Notice {
        text: non_empty(text, "notice.text")?,
        audience: non_empty(audience, "notice.audience")?,
        published_at: ctx.now,
        published_by: ctx.actor.name.clone(),
    });
    p.status = S::NoticePublished;
    Ok(())
}

/// notice published → implementing: the notice must precede the window by the notice period.
pub fn start_implementation(p: &mut Plan, ctx: &Ctx) -> Result<(), RuleError> {
    expect(p, &[S::NoticePublished], "implement")?;
    let (Some(n), Some(w)) = (&p.notice, &p.window) else {
        return Err(transition(p.id, p.status.label(), "implement"));
    };
    if w.start - n.published_at < Duration::days(ctx.notice_days as i64) {
        return Err(RuleError::NoticeTooLate {
            published: crate::model::fmt_time(n.published_at),
            window_start: crate::model::fmt_time(w.start),
            days: ctx.notice_days,
        });
    }
    p.status = S::Implementing;
    Ok(())
}

const TESTABLE: &[S] = &[S::Implementing, S::Testing, S::Ready];

/// Testing and ready are one state seen through the go-live gate: the plan is
/// ready exactly when nothing is missing.
fn refresh_readiness(p: &mut Plan) {
    if matches!(p.status, S::Testing | S::Ready) {
        p.status = if golive_missing(p).is_empty() {
            S::Ready
        } else {
            S::Testing
        };
    }
}

/// Start a test round; with `copy_unfinished`, the failed and blocked items of the
/// previous round are copied into it as pending.
pub fn new_round(p: &mut Plan, copy_unfinished: bool, ctx: &Ctx) -> Result<u32, RuleError> {
    expect(p, TESTABLE, "test.round")?;
    let items: Vec<TestItem> = match (copy_unfinished, p.rounds.last()) {
        (true, Some(prev)) => prev
            .items
            .iter()
            .filter(|i| matches!(i.result, TestResult::Fail | TestResult::Blocked))
            .enumerate()
            .map(|(n, i)| TestItem {
                no: n as u32 + 1,
                result: TestResult::Pending,
                waiver: None,
                notes: String::new(),
                ..i.clone()
            })
            .collect(),
        _ => Vec::new(),
    };
    let no = p.rounds.len() as u32 + 1;
    p.rounds.push(TestRound {
        no,
        started_at: ctx.now,
        started_by: ctx.actor.name.clone(),
        items,
    });
    p.status = S::Testing;
    refresh_readiness(p);
    Ok(no)
}

fn latest_round_mut(p: &mut Plan) -> Result<&mut TestRound, RuleError> {
    p.rounds.last_mut().ok_or(RuleError::NoSuchItem {
        what: "test round".into(),
    })
}

/// Add an item to the latest round.
pub fn add_item(
    p: &mut Plan,
    category: TestCategory,
    description: &str,
    expected: &str,
    tester: Tester,
    _ctx: &Ctx,
) -> Result<u32, RuleError> {
    expect(p, &[S::Testing, S::Ready], "test.item")?;
    let description = non_empty(description, "description")?;
    non_empty(&tester.name, "tester")?;
    let round = latest_round_mut(p)?;
    let no = round.items.len() as u32 + 1;
    round.items.push(TestItem {
        no,
        category,
        description,
        expected: expected.trim().to_string(),
        tester,
        result: TestResult::Pending,
        waiver: None,
        notes: String::new(),
    });
    refresh_readiness(p);
    Ok(no)
}

/// Record the result of an item of the latest round; a waiver needs its reason.
pub fn set_result(
    p: &mut Plan,
    item: u32,
    result: TestResult,
    waiver: Option<&str>,
    notes: Option<&str>,
    _ctx: &Ctx,
) -> Result<(), RuleError> {
    expect(p, &[S::Testing, S::Ready], "test.result")?;
    let round = latest_round_mut(p)?;
    let rno = round.no;
    let it = round
        .items
        .iter_mut()
        .find(|i| i.no == item)
        .ok_or(RuleError::NoSuchItem {
            what: format!("round {rno} item #{item}"),
        })?;
    it.waiver = if result == TestResult::Waived {
        Some(
            waiver
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .ok_or(RuleError::WaiverNeedsReason)?
                .to_string(),
        )
    } else {
        None
    };
    it.result = result;
    if let Some(n) = notes {
        it.notes = n.trim().to_string();
    }
    refresh_readiness(p);
    Ok(())
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
    let round = p.rounds.last().map(|r| r.no);
    if let Some(i) = item {
        let known = p.rounds.last().is_some_and(|r| r.items.iter().any(|x| x.no == i));
        if !known {
            return Err(RuleError::NoSuchItem {
                what: format!("item #{i}"),
            });
        }
    }
    let no = p.defects.len() as u32 + 1;
    p.defects.push(Defect {
        no,
        severity,
        description,
        found_by,
        round: item.and(round),
        item,
        vendor_ref: vendor_ref.map(str::trim).filter(|s| !s.is_empty()).map(String::from),
        status: DefectStatus::Open,
        reported_at: ctx.now,
    });
    refresh_readiness(p);
    Ok(no)
}

pub fn update_defect(
    p: &mut Plan,
    no: u32,
    status: Option<DefectStatus>,
    vendor_ref: Option<&str>,
    _ctx: &Ctx,
) -> Result<(), RuleError> {
    expect(p, TESTABLE, "test.defect")?;
    let d = p.defects.iter_mut().find(|d| d.no == no).ok_or(RuleError::NoSuchItem {
        what: format!("defect D{no}"),
    })?;
    if let Some(s) = status {
        d.status = s;
    }
    if let Some(v) = vendor_ref {
        d.vendor_ref = Some(v.trim().to_string()).filter(|s| !s.is_empty());
    }
    refresh_readiness(p);
    Ok(())
}

pub fn confirm_backup(p: &mut Plan, mut backup: BackupConfirmation, ctx: &Ctx) -> Result<(), RuleError> {
    expect(p, TESTABLE, "backup")?;
    backup.what = non_empty(&backup.what, "backup.what")?;
    backup.location = non_empty(&backup.location, "backup.location")?;
    backup.verified_by = non_empty(&backup.verified_by, "backup.verified_by")?;
    backup.time = ctx.now;
    p.backup = Some(backup);
    refresh_readiness(p);
    Ok(())
}

/// The go-live gate (§3.3–§3.4), as a checklist of what is still missing.
pub fn golive_missing(p: &Plan) -> Vec<GoLiveMissing> {
    let mut m = Vec::new();
    if p.backup.is_none() {
        m.push(GoLiveMissing::Backup);
    }
    match p.rounds.last() {
        None => m.push(GoLiveMissing::TestRound),
        Some(r) => {
            let rolled_back_after = p.retest_after_round.is_some_and(|n| r.no <= n);
            let open: Vec<u32> = r
                .items
                .iter()
                .filter(|i| !matches!(i.result, TestResult::Pass | TestResult::Waived))
                .map(|i| i.no)
                .collect();
            if r.items.is_empty() || rolled_back_after {
                m.push(GoLiveMissing::TestRound);
            } else if !open.is_empty() {
                m.push(GoLiveMissing::Items {
                    round: r.no,
                    items: open,
                });
            }
        }
    }
    let defects: Vec<(u32, Severity)> = p
        .defects
        .iter()
        .filter(|d| d.status == DefectStatus::Open && matches!(d.severity, Severity::Critical | Severity::Major))
        .map(|d| (d.no, d.severity))
        .collect();
    if !defects.is_empty() {
        m.push(GoLiveMissing::Defects { defects });
    }
    m
}

/// Record a go-live. Success or partial makes the plan live; a rollback sends it
/// back to testing, where a new round is needed.
pub fn record_golive(p: &mut Plan, golive: GoLive, _ctx: &Ctx) -> Result<(), RuleError> {
    expect(p, &[S::Testing, S::Ready], "golive")?;
    let missing = golive_missing(p);
    if !missing.is_empty() {
        return Err(RuleError::GoLiveBlocked {
            plan: p.id.to_string(),
            missing,
        });
    }
    non_empty(&golive.deployer, "golive.deployer")?;
    non_empty(&golive.version, "golive.version")?;
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

pub fn add_training(p: &mut Plan, training: Training, _ctx: &Ctx) -> Result<(), RuleError> {
    expect(p, &[S::Ready, S::Live], "training")?;
    non_empty(&training.trainer, "training.trainer")?;
    p.training.push(training);
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
            what: format!("comparison row #{n}"),
        });
    }
    p.comparison.remove(n - 1);
    Ok(())
}

/// The filing gate (§3.5).
pub fn filing_missing(p: &Plan) -> Vec<FilingMissing> {
    let mut m = Vec::new();
    if p.live_golive().is_none() {
        m.push(FilingMissing::GoLive);
    }
    let report_ok = p.rounds.last().is_some_and(|r| {
        !r.items.is_empty()
            && r.items
                .iter()
                .all(|i| matches!(i.result, TestResult::Pass | TestResult::Waived))
    });
    if !report_ok {
        m.push(FilingMissing::TestReport);
    }
    if p.comparison.is_empty() {
        m.push(FilingMissing::Comparison);
    }
    m
}

/// live → filed. The caller freezes the dossier in the same transaction.
pub fn file(p: &mut Plan, dossier: crate::model::Id, _ctx: &Ctx) -> Result<(), RuleError> {
    if p.status != S::Live {
        let missing = filing_missing(p);
        if matches!(p.status, S::Testing | S::Ready) && !missing.is_empty() {
            return Err(RuleError::FilingBlocked {
                plan: p.id.to_string(),
                missing,
            });
        }
        return Err(transition(p.id, p.status.label(), "file"));
    }
    let missing = filing_missing(p);
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
    p.status = S::Cancelled;
    Ok(())
}
