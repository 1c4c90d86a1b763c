//! The schedule pane (维护排期, §3.2): the open plans' windows of the coming
//! weeks, with the blackout periods and the conflicts, as the core computes
//! them (`workflow::forward::schedule`) over the lists as loaded. Enter on a
//! window opens its plan in the plans pane.

use super::super::action::{Action, Pane};
use super::super::state::*;
use super::Effect;
use crate::model::Id;
use crate::workflow::forward;

/// The schedule as of the pane's day (today unless a test fixed it).
pub fn compute(s: &State) -> forward::Schedule {
    let today = s.schedule.today.unwrap_or_else(|| chrono::Local::now().date_naive());
    forward::schedule(
        &s.plans.all,
        &forward::deps(&s.systems),
        &s.calendar,
        today,
        s.schedule.weeks,
    )
}

/// The plans of the windows shown, in order: what the cursor moves over.
pub fn slots(s: &State) -> Vec<Id> {
    compute(s)
        .weeks
        .iter()
        .flat_map(|w| w.slots.iter().map(|x| x.plan))
        .collect()
}

/// Enter: the selected window's plan, selected in the plans pane (its filters
/// cleared when they hide it).
pub fn jump(s: &mut State, _fx: &mut Vec<Effect>) {
    let Some(&id) = slots(s).get(s.schedule.cursor.selected) else {
        return;
    };
    if !s.plans.visible.iter().any(|&i| s.plans.all[i].id == id) {
        s.plans.filter.set_text("");
        s.plans.emergency_only = false;
        super::plans::refilter_keeping(s, Some(id));
    }
    super::plans::select(s, id);
    s.pane = Pane::Plans;
    // The detail loads as every update ends (`follow`).
    s.focus = Focus::List;
}

/// `]` one more week, `[` one fewer (1 to 52).
pub fn action(s: &mut State, a: Action) {
    match a {
        Action::ScheduleMore => s.schedule.weeks = (s.schedule.weeks + 1).min(52),
        Action::ScheduleLess => s.schedule.weeks = s.schedule.weeks.saturating_sub(1).max(1),
        _ => {}
    }
    let n = slots(s).len();
    s.schedule.cursor.clamp(n);
}
