//! After go-live (§2.3, §3.4, §3.5, §4.3): rollbacks and serious incidents,
//! closing a plan as failed, training after filing, post-update feedback, and
//! the post-implementation review.
//!
//! A record made while the plan is live changes the plan (and is carried into
//! the dossier when it is filed); the same record on a filed plan leaves the
//! plan — and its frozen dossier — as they are and becomes a typed addendum
//! ([`Recorded::Addendum`]), which the store seals in the audit chain in the
//! transaction that appends it.

use chrono::Duration;
use serde::{Deserialize, Serialize};

use super::command::{Command, GoalInput};
use super::{non_empty, transition, Ctx, RuleError};
use crate::config::Process;
use crate::model::{
    fmt_time, Addendum, AddendumBody, Failure, FeedbackRef, GoLiveOutcome, GoalAssessment, Incident, IncidentOutcome,
    Plan, PlanStatus as S, Request, RequestStatus, Review, Time, Training,
};

/// What the rules of a plan's after-life read besides the plan: the addenda of
/// its dossier (when it is filed) and the requests linked to it as
/// post-update feedback, as they are now.
#[derive(Debug, Clone, Copy, Default)]
pub struct After<'a> {
    pub addenda: &'a [Addendum],
    pub feedback: &'a [Request],
}

/// Where a record made after go-live goes: into the (live) plan, or, for a
/// filed plan, into an addendum of its dossier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recorded {
    Plan,
    Addendum(AddendumBody),
}

/// The statuses in which something can be recorded after go-live.
const AFTER: &[S] = &[S::Live, S::Filed];

fn expect_in(p: &Plan, allowed: &[S], action: &str) -> Result<(), RuleError> {
    if allowed.contains(&p.status) {
        Ok(())
    } else {
        Err(transition(
            p.id,
            p.status.label(),
            action,
            allowed.iter().map(|s| s.label()).collect(),
        ))
    }
}

/// The number (1-based) of the go-live that made the plan live.
pub fn live_golive_no(p: &Plan) -> Option<u32> {
    p.golives
        .iter()
        .rposition(|g| g.outcome != GoLiveOutcome::RolledBack)
        .map(|i| i as u32 + 1)
}

/// A time as users give one: to the minute.
fn to_minute(t: Time) -> Time {
    use chrono::{DurationRound, TimeDelta};
    t.duration_trunc(TimeDelta::minutes(1)).unwrap_or(t)
}

// ===== rollbacks and incidents (§3.4) =====

/// Record a rollback or serious incident on a live or filed plan: it happened
/// after the go-live that made the plan live and not in the future (beyond
/// the clock skew). A live plan rolled back goes back to testing, where a new
/// round — and a backup confirmed after the rollback — is needed before it
/// goes live again; a live plan with an incident stays live (it may be rolled
/// back or closed as failed next). On a filed plan it is an addendum.
pub fn record_incident(
    p: &mut Plan,
    outcome: IncidentOutcome,
    time: Time,
    by: &str,
    what: &str,
    ctx: &Ctx,
) -> Result<Recorded, RuleError> {
    expect_in(p, AFTER, "incident")?;
    let (no, golive) = match (live_golive_no(p), p.live_golive()) {
        (Some(no), Some(g)) => (no, g.time),
        _ => return Err(transition(p.id, p.status.label(), "incident", vec![S::Live.label()])),
    };
    if time > ctx.latest_allowed() {
        return Err(RuleError::RecordInFuture {
            field: "incident.time".into(),
            time: fmt_time(time),
            now: fmt_time(ctx.now),
        });
    }
    if time < to_minute(golive) {
        return Err(RuleError::BeforeGoLive {
            field: "incident.time".into(),
            time: fmt_time(time),
            golive: fmt_time(golive),
        });
    }
    let incident = Incident {
        outcome,
        time,
        by: non_empty(by, "incident.by")?,
        what: non_empty(what, "incident.what")?,
        golive: no,
        recorded_by: ctx.actor.name.clone(),
        recorded_at: ctx.now,
    };
    if p.status == S::Filed {
        return Ok(Recorded::Addendum(AddendumBody::Incident(incident)));
    }
    p.incidents.push(incident);
    if outcome == IncidentOutcome::RolledBack {
        p.retest_after_round = Some(p.rounds.len() as u32);
        p.status = S::Testing;
    }
    Ok(Recorded::Plan)
}

/// The latest rollback after go-live, if the plan has one.
pub fn last_rollback(p: &Plan) -> Option<&Incident> {
    p.incidents
        .iter()
        .rev()
        .find(|i| i.outcome == IncidentOutcome::RolledBack)
}

/// Did the plan ever go live (a go-live that was not rolled back at once)?
pub fn went_live(p: &Plan) -> bool {
    p.live_golive().is_some()
}

/// Close a plan that went live as failed, with a reason: a live plan given up
/// after an incident, or one in testing again after its rollback. A plan that
/// never went live is cancelled instead. The caller releases its requests.
pub fn close_failed(p: &mut Plan, reason: &str, ctx: &Ctx) -> Result<(), RuleError> {
    expect_in(p, &[S::Live, S::Testing, S::Ready], "fail")?;
    if !went_live(p) {
        return Err(RuleError::NeverLive { plan: p.id.to_string() });
    }
    let reason = super::required(reason, "fail")?;
    p.failure = Some(Failure {
        reason,
        by: ctx.actor.name.clone(),
        time: ctx.now,
    });
    p.status = S::Failed;
    Ok(())
}

// ===== training after filing (§3.4) =====

/// A training session on a filed plan: an addendum (a live plan records it in
/// the plan, [`super::add_training`]).
pub fn training_after_filing(p: &Plan, training: &Training) -> Result<Recorded, RuleError> {
    expect_in(p, &[S::Filed], "training")?;
    let mut training = training.clone();
    training.trainer = non_empty(&training.trainer, "training.trainer")?;
    super::check_audience(&training)?;
    Ok(Recorded::Addendum(AddendumBody::Training(training)))
}

// ===== post-update feedback (§2.3) =====

/// Can the request be linked to a plan as post-update feedback? Not a
/// duplicate (link its original), and not feedback on a plan already.
pub fn feedback_linkable(r: &Request) -> Result<(), RuleError> {
    if r.status == RequestStatus::Duplicate {
        let allowed = RequestStatus::ALL
            .iter()
            .filter(|s| **s != RequestStatus::Duplicate)
            .map(|s| s.label())
            .collect();
        return Err(transition(r.id, r.status.label(), "feedback", allowed));
    }
    if let Some(plan) = r.feedback_on {
        return Err(RuleError::FeedbackAlready {
            request: r.id.to_string(),
            plan: plan.to_string(),
        });
    }
    Ok(())
}

/// Link a request to a live or filed plan as post-update feedback: a problem
/// a department or a student reported after the update (§2.3). It is not part
/// of the plan's scope (its own status and any plan that takes it up are its
/// own); it is about the plan's system. On a filed plan it is an addendum
/// holding the request as it was when linked.
pub fn link_feedback(r: &mut Request, p: &mut Plan, _ctx: &Ctx) -> Result<Recorded, RuleError> {
    feedback_linkable(r)?;
    if !AFTER.contains(&p.status) {
        return Err(RuleError::FeedbackPlanNotLive {
            plan: p.id.to_string(),
            status: p.status.label(),
        });
    }
    if r.plan == Some(p.id) || p.requests.contains(&r.id) {
        return Err(RuleError::FeedbackInScope {
            request: r.id.to_string(),
            plan: p.id.to_string(),
        });
    }
    if r.system.is_some_and(|s| s != p.system) {
        return Err(RuleError::FeedbackOtherSystem {
            request: r.id.to_string(),
            plan: p.id.to_string(),
        });
    }
    r.feedback_on = Some(p.id);
    if p.status == S::Filed {
        return Ok(Recorded::Addendum(AddendumBody::Feedback(Box::new(r.clone()))));
    }
    if !p.feedback.contains(&r.id) {
        p.feedback.push(r.id);
    }
    Ok(Recorded::Plan)
}

// ===== the post-implementation review (§4.3) =====

/// The plan's goals as a list, one a line: each non-empty line of the goals
/// text, without its list marker (`1.`, `2、`, `（3）`, `-`, `•`) and closing
/// semicolon. Plans written before goals were a list read the same way.
pub fn goal_list(goals: &str) -> Vec<String> {
    goals
        .lines()
        .map(strip_marker)
        .map(|l| l.trim_end_matches(['；', ';']).trim().to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

fn strip_marker(line: &str) -> &str {
    let l = line.trim();
    for bullet in ["-", "*", "•", "·", "–"] {
        if let Some(rest) = l.strip_prefix(bullet) {
            return rest.trim_start();
        }
    }
    // (1) （1） 1. 1、 1) 1）
    let inner = l
        .strip_prefix(['(', '（'])
        .map(|rest| (rest, true))
        .unwrap_or((l, false));
    let digits = inner.0.chars().take_while(|c| c.is_ascii_digit()).count();
    if digits == 0 {
        return l;
    }
    let rest = &inner.0[digits..];
    let closers: &[char] = if inner.1 {
        &[')', '）']
    } else {
        &['.', '、', ')', '）', '．']
    };
    match rest.strip_prefix(closers) {
        Some(after) => after.trim_start(),
        None => l,
    }
}

/// The post-implementation review of the go-live `golive` (1-based), if one is
/// recorded: in the plan, or in an addendum of its dossier.
pub fn review_of<'a>(p: &'a Plan, addenda: &'a [Addendum], golive: u32) -> Option<&'a Review> {
    p.reviews.iter().find(|r| r.golive == golive).or_else(|| {
        addenda.iter().find_map(|a| match &a.body {
            AddendumBody::Review(r) if r.golive == golive => Some(r),
            _ => None,
        })
    })
}

/// When the post-implementation review of a live or filed plan is due: the
/// `review_days` of its class (`review_due_days`) after the go-live that made
/// it live. The one place the due date is computed.
pub fn review_due(p: &Plan, rules: &Process) -> Option<Time> {
    if !AFTER.contains(&p.status) {
        return None;
    }
    p.live_golive()
        .map(|g| g.time + Duration::days(super::review_due_days(p, rules) as i64))
}

/// Where a live update's review stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum ReviewState {
    /// Not recorded yet; due at `due`.
    Due { due: Time },
    /// Not recorded, and `due` has passed.
    Overdue { due: Time },
    /// Recorded, by whom and when.
    Done { by: String, time: Time },
}

impl ReviewState {
    pub fn message(&self) -> String {
        use crate::i18n::t;
        match self {
            ReviewState::Due { due } => t("review.state.due", &[("due", fmt_time(*due))]),
            ReviewState::Overdue { due } => t("review.state.overdue", &[("due", fmt_time(*due))]),
            ReviewState::Done { by, time } => t("review.state.done", &[("by", by.clone()), ("time", fmt_time(*time))]),
        }
    }
}

/// The review of a live or filed plan as of `now`: done, due or overdue.
pub fn review_state(p: &Plan, addenda: &[Addendum], now: Time, rules: &Process) -> Option<ReviewState> {
    let due = review_due(p, rules)?;
    let no = live_golive_no(p)?;
    Some(match review_of(p, addenda, no) {
        Some(r) => ReviewState::Done {
            by: r.by.clone(),
            time: r.time,
        },
        None if now > due => ReviewState::Overdue { due },
        None => ReviewState::Due { due },
    })
}

/// Every incident and rollback recorded on the plan: in the plan, then in the
/// addenda of its dossier.
pub fn all_incidents(p: &Plan, addenda: &[Addendum]) -> Vec<Incident> {
    let mut out = p.incidents.clone();
    out.extend(addenda.iter().filter_map(|a| match &a.body {
        AddendumBody::Incident(i) => Some(i.clone()),
        _ => None,
    }));
    out
}

/// Record the post-implementation review of a live or filed plan (§4.3): every
/// goal of the plan assessed once (met, partly met, not met), a written
/// summary, and — as they stand now — its incidents and rollbacks and the
/// requests linked as post-update feedback. One review per go-live. On a live
/// plan it is recorded in the plan and carried into the dossier at filing; on
/// a filed plan it is an addendum.
pub fn record_review(
    p: &mut Plan,
    goals: &[GoalInput],
    summary: &str,
    after: &After,
    ctx: &Ctx,
) -> Result<Recorded, RuleError> {
    expect_in(p, AFTER, "review")?;
    let Some(no) = live_golive_no(p) else {
        return Err(transition(p.id, p.status.label(), "review", vec![S::Live.label()]));
    };
    if let Some(r) = review_of(p, after.addenda, no) {
        return Err(RuleError::AlreadyReviewed {
            plan: p.id.to_string(),
            by: r.by.clone(),
            time: fmt_time(r.time),
        });
    }
    let list = goal_list(&p.goals);
    let n = list.len() as u32;
    let mut missing = Vec::new();
    let mut extra = Vec::new();
    for k in 1..=n {
        let times = goals.iter().filter(|g| g.no == k).count();
        if times == 0 {
            missing.push(k);
        } else if times > 1 {
            extra.push(k);
        }
    }
    let mut unknown: Vec<u32> = goals.iter().map(|g| g.no).filter(|k| *k == 0 || *k > n).collect();
    unknown.sort_unstable();
    unknown.dedup();
    extra.extend(unknown);
    if !missing.is_empty() || !extra.is_empty() {
        return Err(RuleError::GoalsMismatch {
            plan: p.id.to_string(),
            count: n,
            missing,
            extra,
        });
    }
    let summary = non_empty(summary, "review.summary")?;
    let assessed = list
        .into_iter()
        .enumerate()
        .map(|(k, goal)| {
            let g = goals.iter().find(|g| g.no == k as u32 + 1).expect("checked above");
            GoalAssessment {
                goal,
                verdict: g.verdict,
                note: g.note.trim().to_string(),
            }
        })
        .collect();
    let review = Review {
        golive: no,
        goals: assessed,
        incidents: all_incidents(p, after.addenda),
        feedback: after
            .feedback
            .iter()
            .map(|r| FeedbackRef {
                id: r.id,
                title: r.title.clone(),
                status: r.status,
            })
            .collect(),
        summary,
        by: ctx.actor.name.clone(),
        time: ctx.now,
    };
    if p.status == S::Filed {
        return Ok(Recorded::Addendum(AddendumBody::Review(review)));
    }
    p.reviews.push(review);
    Ok(Recorded::Plan)
}

// ===== the commands =====

/// Decide a command of a plan's after-life: what it records and where, and the
/// detail of its audit summary. A filed plan is left as it is (the record is
/// the addendum returned).
pub fn decide_after(p: &mut Plan, cmd: &Command, after: &After, ctx: &Ctx) -> Result<(Recorded, String), RuleError> {
    use crate::sanitize::clean_line;
    use Command as C;
    Ok(match cmd {
        C::PlanIncident {
            outcome,
            time,
            by,
            what,
            ..
        } => (
            record_incident(p, *outcome, *time, by, what, ctx)?,
            format!("{outcome} {}: {}", fmt_time(*time), clean_line(what)),
        ),
        C::PlanFail { reason, .. } => {
            close_failed(p, reason, ctx)?;
            (Recorded::Plan, clean_line(reason))
        }
        C::PlanReview { goals, summary, .. } => {
            let rec = record_review(p, goals, summary, after, ctx)?;
            let verdicts: Vec<String> = goals.iter().map(|g| format!("#{} {}", g.no, g.verdict)).collect();
            (rec, verdicts.join(", "))
        }
        C::Training { training, .. } if p.status == S::Filed => (
            training_after_filing(p, training)?,
            format!("{} {} {}", training.format, training.date, training.attendance),
        ),
        other => return Err(transition(p.id, p.status.label(), other.name(), Vec::new())),
    })
}

/// The review as [`super::plan_offers`] tries it: every goal met, a summary.
pub fn review_probe(p: &Plan) -> Command {
    Command::PlanReview {
        plan: p.id,
        goals: (1..=goal_list(&p.goals).len() as u32)
            .map(|no| GoalInput {
                no,
                verdict: crate::model::GoalVerdict::Met,
                note: String::new(),
            })
            .collect(),
        summary: "-".into(),
    }
}

/// The gates of a plan with what its after-life reads besides the plan (the
/// addenda of its dossier, its feedback requests): the review's state and
/// whether a review may still be recorded.
pub fn gates_after(g: &mut super::Gates, p: &Plan, after: &After, ctx: &Ctx) {
    g.review = review_state(p, after.addenda, ctx.now, &ctx.rules);
    let cmd = review_probe(p);
    let step = cmd.name();
    let fresh = super::offers::offer(step, ctx, &cmd, || {
        let mut copy = p.clone();
        record_review(&mut copy, goals_of(&cmd), "-", after, ctx).map(|_| ())
    });
    match g.offers.0.iter_mut().find(|o| o.step == step) {
        Some(o) => *o = fresh,
        None => g.offers.0.push(fresh),
    }
}

fn goals_of(cmd: &Command) -> &[GoalInput] {
    match cmd {
        Command::PlanReview { goals, .. } => goals,
        _ => &[],
    }
}

/// Is this one of the commands [`decide_after`] decides?
pub fn is_after(cmd: &Command, p: &Plan) -> bool {
    matches!(
        cmd,
        Command::PlanIncident { .. } | Command::PlanFail { .. } | Command::PlanReview { .. }
    ) || (matches!(cmd, Command::Training { .. }) && p.status == S::Filed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn goals_read_as_a_list() {
        let g = "1. 升级至V9.1.0；\n2、启用新引擎;\n\n（3）支持5000人\n- 新增提醒\n(4) fourth\n普通一行";
        assert_eq!(
            goal_list(g),
            [
                "升级至V9.1.0",
                "启用新引擎",
                "支持5000人",
                "新增提醒",
                "fourth",
                "普通一行"
            ]
        );
        assert_eq!(goal_list("  \n"), Vec::<String>::new());
        // A number that is part of the goal stays.
        assert_eq!(goal_list("5000人同时在线"), ["5000人同时在线"]);
    }
}
