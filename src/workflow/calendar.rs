//! The academic calendar check (§3.2: large updates avoid teaching and research periods).

use chrono::Local;

use crate::model::{Blackout, Window};

/// A blackout period that a maintenance window overlaps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlackoutHit<'a> {
    pub period: &'a Blackout,
}

/// Every blackout period the window touches, by local calendar day, hard ones first.
pub fn blackout_conflicts<'a>(window: &Window, calendar: &'a [Blackout]) -> Vec<BlackoutHit<'a>> {
    let start = window.start.with_timezone(&Local).date_naive();
    let end = window.end.with_timezone(&Local).date_naive();
    let mut hits: Vec<_> = calendar
        .iter()
        .filter(|b| start <= b.end && end >= b.start)
        .map(|period| BlackoutHit { period })
        .collect();
    hits.sort_by_key(|h| !h.period.hard);
    hits
}
