//! Rework of an approved or announced plan (§3.2) and the schedule's
//! milestones (§3.4).
//!
//! **Reschedule.** An approved plan, or one whose notice is published, gets a
//! new window with a reason. That is a new submission: it goes back to
//! *submitted*, its earlier approvals stay on record but no longer count, and
//! the Leading Group approves it again by the quorum in force. If a notice was
//! published, it is no longer in force: publishing again is a *corrected*
//! notice that says what changed, and implementation starts only after it, in
//! time for the new window. The old window stays on record (`window_history`),
//! the old approvals and publications too. Once implementation has started the
//! window is committed: a go-live at another time is a deviation an approver
//! accepts (§3.4), or the plan is cancelled.
//!
//! **Milestones.** Besides the window: when testing starts, the go-live time
//! fixed once the tests pass (only while the plan is ready, inside the window
//! or at an accepted deviation's time, outside blackouts), and the training
//! sessions planned for users.

use serde::{Deserialize, Serialize};

use super::{
    blackouts_at, check_window, contribute, expect, in_window, notice, notice_in_time, override_for, required,
    same_minute, set_override, to_minute, window_ahead, RuleError, S,
};
use crate::model::{fmt_time, Blackout, FixedGoLive, Plan, PlannedTraining, Time, Window, WindowChange};
use crate::workflow::Ctx;

/// The statuses a plan may be rescheduled from: approved, or announced.
pub const RESCHEDULABLE: &[S] = &[S::Approved, S::NoticePublished];

/// Statuses in which planned training sessions may be added or removed: the
/// schedule around the window is kept from the approval until the update is live.
pub const TRAINING_PLANNABLE: &[S] = &[
    S::Approved,
    S::NoticePublished,
    S::Implementing,
    S::Testing,
    S::Ready,
    S::Live,
];

/// Statuses in which the start of testing is still a plan (approved, testing
/// not started).
pub const TEST_START_PLANNABLE: &[S] = &[S::Approved, S::NoticePublished, S::Implementing];

/// One change to the milestones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "milestone", content = "value")]
pub enum Milestone {
    /// When testing starts; none clears it.
    TestStart(Option<Time>),
    /// The go-live time, fixed once the tests pass; none clears it.
    GoLive(Option<Time>),
    AddTraining(PlannedTraining),
    /// 1-based position.
    RemoveTraining(usize),
}

impl Milestone {
    pub fn name(&self) -> &'static str {
        match self {
            Milestone::TestStart(_) => "test_start",
            Milestone::GoLive(_) => "golive",
            Milestone::AddTraining(_) => "training.add",
            Milestone::RemoveTraining(_) => "training.remove",
        }
    }
}

/// May the plan be rescheduled now (its status)? What the new window must
/// satisfy is decided by [`reschedule`].
pub fn reschedulable(p: &Plan) -> Result<(), RuleError> {
    expect(p, RESCHEDULABLE, "reschedule")
}

/// Give an approved or announced plan a new window, with the reason: a new
/// submission for the Leading Group (see the module's description). The new
/// window lies ahead, clear of the calendar (a soft period needs the
/// justification given here or recorded before), and far enough ahead that
/// the corrected notice can be published in time.
pub fn reschedule(
    p: &mut Plan,
    window: &Window,
    reason: &str,
    justification: Option<&str>,
    calendar: &[Blackout],
    ctx: &Ctx,
) -> Result<(), RuleError> {
    reschedulable(p)?;
    let reason = required(reason, "reschedule")?;
    if window.end <= window.start {
        return Err(RuleError::WindowOrder);
    }
    window_ahead(window, ctx)?;
    if p.window.as_ref() == Some(window) {
        return Err(RuleError::SameWindow {
            window: notice::fmt_window(window),
        });
    }
    let old = p.window.replace(window.clone());
    if let Some(j) = justification.map(str::trim).filter(|j| !j.is_empty()) {
        set_override(p, None, Some(j.to_string()), calendar, &ctx.rules)?;
    }
    check_window(p, calendar, &ctx.rules)?;
    // Its notice (a corrected one if a notice was published) goes out now at
    // the earliest and must still precede the window by the notice period.
    notice_in_time(p, ctx.now, ctx).map_err(|e| match e {
        RuleError::NoticeTooLate { window_start, days, .. } => RuleError::RescheduleTooSoon {
            start: window_start,
            now: fmt_time(ctx.now),
            days,
        },
        e => e,
    })?;
    p.window_history.push(WindowChange {
        from: old,
        to: Some(window.clone()),
        reason,
        by: ctx.actor.name.clone(),
        at: ctx.now,
        submission: p.submission,
        rescheduled: true,
    });
    // A standard change is approved again by its template, while it covers it.
    let cover = if p.class == crate::model::ChangeClass::Standard {
        Some(super::template_cover(p, ctx)?)
    } else {
        None
    };
    notice::withdraw(p);
    p.submission += 1;
    contribute(p, &ctx.actor.name, "reschedule");
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

/// The window of a plan that had been approved changed by an edit (after a
/// return): the old one goes on record.
pub(super) fn note_window_edit(p: &mut Plan, old: Option<Window>, ctx: &Ctx) {
    let approved_before = p
        .approvals
        .iter()
        .any(|a| a.decision == crate::model::Decision::Approved);
    if approved_before && old != p.window {
        p.window_history.push(WindowChange {
            from: old,
            to: p.window.clone(),
            reason: String::new(),
            by: ctx.actor.name.clone(),
            at: ctx.now,
            submission: p.submission,
            rescheduled: false,
        });
    }
}

/// May any milestone change now (the plan's status)? Each change is decided
/// by [`set_milestones`].
pub fn milestones_open(p: &Plan) -> Result<(), RuleError> {
    expect(p, TRAINING_PLANNABLE, "milestone")
}

/// A milestone's time is not in the past (to the minute).
fn ahead(field: &str, t: Time, ctx: &Ctx) -> Result<(), RuleError> {
    if t < to_minute(ctx.now) {
        return Err(RuleError::DateInPast {
            field: field.into(),
            date: fmt_time(t),
            today: fmt_time(ctx.now),
        });
    }
    Ok(())
}

/// Set, change or clear milestones.
pub fn set_milestones(p: &mut Plan, changes: &[Milestone], calendar: &[Blackout], ctx: &Ctx) -> Result<(), RuleError> {
    for m in changes {
        match m {
            Milestone::TestStart(t) => {
                expect(p, TEST_START_PLANNABLE, "milestone.test_start")?;
                if let Some(t) = *t {
                    ahead("milestone.test_start", t, ctx)?;
                    if let Some(w) = p.window.as_ref().filter(|w| t > w.end) {
                        return Err(RuleError::MilestoneAfterWindow {
                            field: "milestone.test_start".into(),
                            time: fmt_time(t),
                            end: fmt_time(w.end),
                        });
                    }
                }
                p.milestones.test_start = *t;
            }
            Milestone::GoLive(None) => {
                expect(p, &[S::Testing, S::Ready], "milestone.golive")?;
                p.milestones.golive = None;
            }
            Milestone::GoLive(Some(t)) => {
                // Fixed once the tests pass (§3.4): the plan is ready.
                expect(p, &[S::Ready], "milestone.golive")?;
                let t = *t;
                ahead("milestone.golive", t, ctx)?;
                fixed_golive_ok(p, t, calendar)?;
                p.milestones.golive = Some(FixedGoLive {
                    time: t,
                    by: ctx.actor.name.clone(),
                    at: ctx.now,
                });
            }
            Milestone::AddTraining(tr) => {
                expect(p, TRAINING_PLANNABLE, "milestone.training")?;
                if tr.date < ctx.today() {
                    return Err(RuleError::DateInPast {
                        field: "milestone.training".into(),
                        date: tr.date.to_string(),
                        today: ctx.today().to_string(),
                    });
                }
                let tr = PlannedTraining {
                    place: tr.place.trim().to_string(),
                    audience: tr.audience.trim().to_string(),
                    ..tr.clone()
                };
                p.milestones.training.push(tr);
                p.milestones.training.sort_by_key(|x| x.date);
            }
            Milestone::RemoveTraining(n) => {
                expect(p, TRAINING_PLANNABLE, "milestone.training")?;
                if *n == 0 || *n > p.milestones.training.len() {
                    return Err(RuleError::NoSuchItem {
                        what: format!("milestone.training #{n}"),
                    });
                }
                p.milestones.training.remove(n - 1);
            }
        }
    }
    Ok(())
}

/// A go-live time to fix: inside the window, or the time of an accepted
/// deviation; not in a hard blackout of the system or an unjustified soft one.
fn fixed_golive_ok(p: &Plan, t: Time, calendar: &[Blackout]) -> Result<(), RuleError> {
    if !in_window(p, t) {
        let accepted = p
            .deviation
            .as_ref()
            .is_some_and(|d| d.accepted.is_some() && same_minute(d.time, t));
        if !accepted {
            let w = p.window.as_ref();
            return Err(RuleError::GoLiveOutsideWindow {
                time: fmt_time(t),
                start: w.map(|w| fmt_time(w.start)).unwrap_or_default(),
                end: w.map(|w| fmt_time(w.end)).unwrap_or_default(),
            });
        }
    }
    for hit in blackouts_at(t, p.system, calendar) {
        let b = hit.period;
        if b.hard || override_for(p, &b.name).is_none() {
            return Err(RuleError::GoLiveInBlackout {
                time: fmt_time(t),
                period: b.name.clone(),
                start: b.start.to_string(),
                end: b.end.to_string(),
                hard: b.hard,
            });
        }
    }
    Ok(())
}
