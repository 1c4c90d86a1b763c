//! The academic calendar check (§3.2: large updates avoid teaching and research periods).

use chrono::Local;

use crate::model::{Blackout, Id, Time, Window};

/// A blackout period that a maintenance window overlaps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlackoutHit<'a> {
    pub period: &'a Blackout,
}

/// Every blackout period of `system` the window touches, by local calendar day,
/// hard ones first.
pub fn blackout_conflicts<'a>(window: &Window, system: Id, calendar: &'a [Blackout]) -> Vec<BlackoutHit<'a>> {
    let start = window.start.with_timezone(&Local).date_naive();
    let end = window.end.with_timezone(&Local).date_naive();
    let mut hits: Vec<_> = calendar
        .iter()
        .filter(|b| b.applies_to(system) && start <= b.end && end >= b.start)
        .map(|period| BlackoutHit { period })
        .collect();
    hits.sort_by_key(|h| !h.period.hard);
    hits
}

/// The blackout periods of `system` that contain the local day of `time`, hard ones first.
pub fn blackouts_at(time: Time, system: Id, calendar: &[Blackout]) -> Vec<BlackoutHit<'_>> {
    blackout_conflicts(&Window { start: time, end: time }, system, calendar)
}

/// A period's name is its identity (justifications name it): no two periods share one.
pub fn name_is_new(calendar: &[Blackout], period: &Blackout) -> Result<(), super::RuleError> {
    if calendar.iter().any(|b| b.name == period.name) {
        return Err(super::RuleError::PeriodExists {
            period: period.name.clone(),
        });
    }
    Ok(())
}
