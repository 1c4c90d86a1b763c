//! The effect of the updates (§4.3 "定期评估总结更新效果"): did they work?
//! Pure: the records, the period and today are arguments.
//!
//! The figures follow the updates of the period, not the calendar: an update
//! belongs to the period when its **first go-live attempt** falls in it (local
//! day), whatever became of it — live, filed, rolled back and in testing
//! again, or closed as failed (failed updates count). Everything recorded on
//! such an update up to the day of the report counts for it: rollbacks and
//! incidents (in the plan and in addenda of its dossier), post-update problem
//! reports (requests linked to it as feedback), the post-implementation review.
//! Training is counted by its own date in the period (like the training table).
//! docs/process.md defines each figure.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{day, in_period, round3, system_name, ReportInput};
use crate::model::*;

/// What became of an update.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UpdateOutcome {
    /// Live or filed, never rolled back.
    Succeeded,
    /// Live or filed after at least one rollback.
    Recovered,
    /// Rolled back and not live again yet (testing or ready).
    Pending,
    /// Closed as failed.
    Failed,
}

impl UpdateOutcome {
    pub const ALL: [UpdateOutcome; 4] = [
        UpdateOutcome::Succeeded,
        UpdateOutcome::Recovered,
        UpdateOutcome::Pending,
        UpdateOutcome::Failed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            UpdateOutcome::Succeeded => "succeeded",
            UpdateOutcome::Recovered => "recovered",
            UpdateOutcome::Pending => "pending",
            UpdateOutcome::Failed => "failed",
        }
    }

    pub fn label(self) -> String {
        crate::i18n::enum_label("UpdateOutcome", self.as_str())
    }
}

/// Where an update's post-implementation review stands on the report's day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewStatus {
    Done,
    /// Not recorded; its due day is today or later.
    Due,
    /// Not recorded; its due day is before today.
    Overdue,
    /// Not live (pending or failed): no review is due.
    None,
}

impl ReviewStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewStatus::Done => "done",
            ReviewStatus::Due => "due",
            ReviewStatus::Overdue => "overdue",
            ReviewStatus::None => "none",
        }
    }

    pub fn label(self) -> String {
        crate::i18n::enum_label("ReviewStatus", self.as_str())
    }
}

/// One update of the period and what it led to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EffectUpdate {
    pub plan: Id,
    pub system: Id,
    pub system_name: String,
    pub title: String,
    pub version_to: String,
    pub status: PlanStatus,
    /// The first go-live attempt.
    pub first_attempt: Time,
    pub attempts: usize,
    /// Go-live attempts rolled back at once, and rollbacks recorded after go-live.
    pub rollbacks: usize,
    /// Serious incidents after go-live (not rollbacks).
    pub incidents: usize,
    /// Requests linked to the update as post-update feedback.
    pub problem_reports: usize,
    pub outcome: UpdateOutcome,
    pub review: ReviewStatus,
    /// The review's due date (live and filed updates).
    pub review_due: Option<Time>,
    /// Goals of the latest review: met, partly met, not met.
    pub goals: [usize; 3],
}

/// The effect figures of a group of updates (all, or one system's).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EffectFigures {
    /// `None` for all systems.
    pub system: Option<Id>,
    pub system_name: String,
    pub updates: usize,
    pub succeeded: usize,
    pub recovered: usize,
    pub pending: usize,
    pub failed: usize,
    /// Updates with at least one rollback.
    pub rolled_back: usize,
    pub rollbacks: usize,
    pub incidents: usize,
    pub problem_reports: usize,
    /// succeeded / updates, percent to one decimal.
    pub success_rate: Option<f64>,
    /// rolled_back / updates, percent.
    pub rollback_rate: Option<f64>,
    /// incidents / updates.
    pub incidents_per_update: Option<f64>,
    /// problem_reports / updates.
    pub problem_reports_per_update: Option<f64>,
    pub reviews_done: usize,
    pub reviews_overdue: usize,
    /// Goals assessed in the reviews: met, partly met, not met.
    pub goals: [usize; 3],
    /// met / assessed, percent.
    pub goals_met_rate: Option<f64>,
}

/// Training coverage of one department: the people the sessions of the
/// period were for, and of them, how many came.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoverageRow {
    pub department: String,
    pub sessions: usize,
    pub targeted: u64,
    pub attended: u64,
    /// attended / targeted, percent.
    pub coverage: Option<f64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Coverage {
    /// Sessions of the period (in plans and in addenda).
    pub sessions: usize,
    /// Of those, sessions with no audience recorded.
    pub without_audience: usize,
    /// Every department first as the total (`department` empty), then by department.
    pub rows: Vec<CoverageRow>,
}

/// The effect section of the periodic report.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Effect {
    /// All systems first, then one row per system with an update.
    pub figures: Vec<EffectFigures>,
    pub updates: Vec<EffectUpdate>,
    pub training: Coverage,
}

fn pct(n: usize, of: usize) -> Option<f64> {
    (of > 0).then(|| round3(n as f64 * 100.0 / of as f64))
}

fn per(n: usize, of: usize) -> Option<f64> {
    (of > 0).then(|| round3(n as f64 / of as f64))
}

/// The goal counts of a review, in the order met, partly, not met.
pub fn goal_counts(r: &Review) -> [usize; 3] {
    let n = |v: GoalVerdict| r.goals.iter().filter(|g| g.verdict == v).count();
    [n(GoalVerdict::Met), n(GoalVerdict::Partly), n(GoalVerdict::NotMet)]
}

fn figures(rows: &[&EffectUpdate], system: Option<Id>, system_name: String) -> EffectFigures {
    let count = |o: UpdateOutcome| rows.iter().filter(|u| u.outcome == o).count();
    let sum = |f: fn(&EffectUpdate) -> usize| rows.iter().map(|u| f(u)).sum::<usize>();
    let updates = rows.len();
    let succeeded = count(UpdateOutcome::Succeeded);
    let rolled_back = rows.iter().filter(|u| u.rollbacks > 0).count();
    let incidents = sum(|u| u.incidents);
    let problem_reports = sum(|u| u.problem_reports);
    let mut goals = [0; 3];
    for u in rows {
        for (g, n) in goals.iter_mut().zip(u.goals) {
            *g += n;
        }
    }
    EffectFigures {
        system,
        system_name,
        updates,
        succeeded,
        recovered: count(UpdateOutcome::Recovered),
        pending: count(UpdateOutcome::Pending),
        failed: count(UpdateOutcome::Failed),
        rolled_back,
        rollbacks: sum(|u| u.rollbacks),
        incidents,
        problem_reports,
        success_rate: pct(succeeded, updates),
        rollback_rate: pct(rolled_back, updates),
        incidents_per_update: per(incidents, updates),
        problem_reports_per_update: per(problem_reports, updates),
        reviews_done: rows.iter().filter(|u| u.review == ReviewStatus::Done).count(),
        reviews_overdue: rows.iter().filter(|u| u.review == ReviewStatus::Overdue).count(),
        goals,
        goals_met_rate: pct(goals[0], goals.iter().sum()),
    }
}

/// The effect of the updates whose first go-live attempt falls in `from..=to`,
/// as of `input.today`.
pub fn effect(input: &ReportInput, from: NaiveDate, to: NaiveDate) -> Effect {
    let addenda: BTreeMap<Id, &[Addendum]> = input.addenda.iter().map(|(p, a)| (*p, a.as_slice())).collect();
    let due: BTreeMap<Id, Time> = input.review_due.iter().copied().collect();
    let mut feedback: BTreeMap<Id, BTreeSet<Id>> = BTreeMap::new();
    for r in &input.requests {
        if let Some(p) = r.feedback_on {
            feedback.entry(p).or_default().insert(r.id);
        }
    }
    let mut updates = Vec::new();
    for p in &input.plans {
        let Some(first) = p.golives.first() else { continue };
        if !in_period(day(first.time), from, to) {
            continue;
        }
        let add = addenda.get(&p.id).copied().unwrap_or(&[]);
        let incidents = crate::workflow::all_incidents(p, add);
        let rollbacks = p
            .golives
            .iter()
            .filter(|g| g.outcome == GoLiveOutcome::RolledBack)
            .count()
            + incidents
                .iter()
                .filter(|i| i.outcome == IncidentOutcome::RolledBack)
                .count();
        let live = matches!(p.status, PlanStatus::Live | PlanStatus::Filed);
        let outcome = match (p.status, live, rollbacks) {
            (PlanStatus::Failed, _, _) => UpdateOutcome::Failed,
            (_, true, 0) => UpdateOutcome::Succeeded,
            (_, true, _) => UpdateOutcome::Recovered,
            _ => UpdateOutcome::Pending,
        };
        let reviews: Vec<&Review> = p
            .reviews
            .iter()
            .chain(add.iter().filter_map(|a| match &a.body {
                AddendumBody::Review(r) => Some(r),
                _ => None,
            }))
            .collect();
        let live_no = crate::workflow::live_golive_no(p);
        let reviewed = live_no.is_some_and(|n| reviews.iter().any(|r| r.golive == n));
        let review_due = if live { due.get(&p.id).copied() } else { None };
        let review = match (live, reviewed, review_due) {
            (false, _, _) => ReviewStatus::None,
            (true, true, _) => ReviewStatus::Done,
            (true, false, Some(d)) if day(d) < input.today => ReviewStatus::Overdue,
            (true, false, _) => ReviewStatus::Due,
        };
        let latest = reviews.iter().max_by_key(|r| (r.time, r.golive));
        updates.push(EffectUpdate {
            plan: p.id,
            system: p.system,
            system_name: system_name(input, p.system),
            title: p.title.clone(),
            version_to: p.version_to.clone(),
            status: p.status,
            first_attempt: first.time,
            attempts: p.golives.len(),
            rollbacks,
            incidents: incidents
                .iter()
                .filter(|i| i.outcome == IncidentOutcome::Incident)
                .count(),
            problem_reports: feedback.get(&p.id).map_or(0, |s| s.len()),
            outcome,
            review,
            review_due,
            goals: latest.map_or([0; 3], |r| goal_counts(r)),
        });
    }
    updates.sort_by(|a, b| a.first_attempt.cmp(&b.first_attempt).then(a.plan.cmp(&b.plan)));

    let all: Vec<&EffectUpdate> = updates.iter().collect();
    let mut out = vec![figures(&all, None, String::new())];
    let systems: BTreeSet<(String, Id)> = updates.iter().map(|u| (u.system_name.clone(), u.system)).collect();
    for (name, id) in systems {
        let rows: Vec<&EffectUpdate> = updates.iter().filter(|u| u.system == id).collect();
        out.push(figures(&rows, Some(id), name));
    }

    // Training of the period, in plans and in addenda of their dossiers.
    let sessions: Vec<&Training> = input
        .plans
        .iter()
        .flat_map(|p| {
            let add = addenda.get(&p.id).copied().unwrap_or(&[]);
            p.training.iter().chain(add.iter().filter_map(|a| match &a.body {
                AddendumBody::Training(t) => Some(t),
                _ => None,
            }))
        })
        .filter(|t| in_period(t.date, from, to))
        .collect();
    let mut by_dept: BTreeMap<String, (usize, u64, u64)> = BTreeMap::new();
    for t in &sessions {
        for a in &t.audience {
            let e = by_dept.entry(a.department.trim().to_string()).or_default();
            e.0 += 1;
            e.1 += a.targeted as u64;
            e.2 += a.attended as u64;
        }
    }
    let row = |department: String, (sessions, targeted, attended): (usize, u64, u64)| CoverageRow {
        department,
        sessions,
        targeted,
        attended,
        coverage: (targeted > 0).then(|| round3(attended as f64 * 100.0 / targeted as f64)),
    };
    let with: usize = sessions.iter().filter(|t| !t.audience.is_empty()).count();
    let total = (
        with,
        by_dept.values().map(|v| v.1).sum(),
        by_dept.values().map(|v| v.2).sum(),
    );
    let mut rows = vec![row(String::new(), total)];
    rows.extend(by_dept.into_iter().map(|(d, v)| row(d, v)));
    Effect {
        figures: out,
        updates,
        training: Coverage {
            sessions: sessions.len(),
            without_audience: sessions.len() - with,
            rows,
        },
    }
}
