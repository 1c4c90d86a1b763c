//! The forward schedule (§3.2): the maintenance windows of the coming weeks,
//! with the blackout periods and the conflicts among them, and what systems
//! depend on. Pure: the plans, systems and calendar are arguments, and so is
//! today.
//!
//! A conflict is one of
//! - **same system**: two open plans of one system whose windows overlap;
//! - **dependency**: two open plans whose windows overlap, on a system and on a
//!   system it depends on (directly);
//! - **blackout**: an open plan whose window touches a blackout period of its
//!   system (by local calendar day, as the approval gate judges it);
//! - **duplicate target**: two open plans for the same system and the same
//!   target version, whatever their windows.
//!
//! Windows overlap when one starts before the other ends: a window ending at
//! 02:00 and one starting at 02:00 do not overlap. An open plan is one that has
//! not gone live and is not closed (draft to ready, and returned).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Duration, Local, NaiveDate};
use serde::{Deserialize, Serialize};

use super::{blackout_conflicts, RuleError};
use crate::model::{Blackout, Id, PlanStatus, PlanSummary, System, Time, Window};

/// Is a plan in this status still to happen (not live, not closed)?
pub fn is_open(s: PlanStatus) -> bool {
    !matches!(
        s,
        PlanStatus::Live | PlanStatus::Filed | PlanStatus::Cancelled | PlanStatus::Failed
    )
}

/// Do two windows overlap? Touching windows (one ends when the other starts) do not.
pub fn overlaps(a: &Window, b: &Window) -> bool {
    a.start < b.end && b.start < a.end
}

fn local_day(t: Time) -> NaiveDate {
    t.with_timezone(&Local).date_naive()
}

/// Does the window touch the local days `from..=to` (`plan list --from --to`)?
pub fn window_in(w: &Window, from: Option<NaiveDate>, to: Option<NaiveDate>) -> bool {
    from.is_none_or(|f| local_day(w.end) >= f) && to.is_none_or(|t| local_day(w.start) <= t)
}

/// The dependency list of `system` as an edit sets it: known systems, not the
/// system itself, each once, and no cycle (`deps_of` gives another system's
/// current list).
pub fn depends_on(
    system: Id,
    deps: &[Id],
    name_of: impl Fn(Id) -> String,
    deps_of: impl Fn(Id) -> Vec<Id>,
) -> Result<Vec<Id>, RuleError> {
    let mut out: Vec<Id> = Vec::new();
    for &d in deps {
        if d == system {
            return Err(RuleError::DependsOnSelf {
                system: name_of(system),
            });
        }
        if !out.contains(&d) {
            out.push(d);
        }
    }
    // A cycle: some dependency reaches `system` again.
    for &d in &out {
        let mut path = vec![system, d];
        let mut seen = BTreeSet::new();
        if let Some(p) = reaches(d, system, &deps_of, &mut seen, &mut path) {
            return Err(RuleError::DependencyCycle {
                path: p.iter().map(|i| name_of(*i)).collect::<Vec<_>>().join(" → "),
            });
        }
    }
    Ok(out)
}

fn reaches(
    from: Id,
    target: Id,
    deps_of: &impl Fn(Id) -> Vec<Id>,
    seen: &mut BTreeSet<Id>,
    path: &mut Vec<Id>,
) -> Option<Vec<Id>> {
    if !seen.insert(from) {
        return None;
    }
    for next in deps_of(from) {
        path.push(next);
        if next == target {
            return Some(path.clone());
        }
        if let Some(p) = reaches(next, target, deps_of, seen, path) {
            return Some(p);
        }
        path.pop();
    }
    None
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConflictKind {
    SameSystem,
    Dependency,
    Blackout,
    DuplicateTarget,
}

impl ConflictKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ConflictKind::SameSystem => "same_system",
            ConflictKind::Dependency => "dependency",
            ConflictKind::Blackout => "blackout",
            ConflictKind::DuplicateTarget => "duplicate_target",
        }
    }

    pub fn label(self) -> String {
        crate::i18n::enum_label("ConflictKind", self.as_str())
    }
}

/// One conflict on the schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conflict {
    pub kind: ConflictKind,
    /// The plan, and for a pair the other one (the dependency's plan for `dependency`).
    pub plan: Id,
    pub other: Option<Id>,
    pub system: Id,
    /// The other plan's system (the dependency), when it differs.
    pub other_system: Option<Id>,
    /// The blackout period's name (`blackout`).
    pub period: Option<String>,
    /// The blackout period cannot be overridden.
    pub hard: bool,
    /// The target version (`duplicate_target`).
    pub version: Option<String>,
}

impl Conflict {
    /// The conflict as a sentence, systems by name (`name_of`).
    pub fn message(&self, name_of: impl Fn(Id) -> String) -> String {
        let other = self.other.map(|o| o.to_string()).unwrap_or_default();
        let key = format!("schedule.conflict.{}", self.kind.as_str());
        crate::i18n::t(
            &key,
            &[
                ("plan", self.plan.to_string()),
                ("other", other),
                ("system", name_of(self.system)),
                ("other_system", self.other_system.map(&name_of).unwrap_or_default()),
                ("period", self.period.clone().unwrap_or_default()),
                (
                    "hard",
                    if self.hard {
                        crate::i18n::t("schedule.hard", &[])
                    } else {
                        crate::i18n::t("schedule.soft", &[])
                    },
                ),
                ("version", self.version.clone().unwrap_or_default()),
            ],
        )
    }

    /// Does the conflict concern this plan?
    pub fn concerns(&self, plan: Id) -> bool {
        self.plan == plan || self.other == Some(plan)
    }
}

/// What each system depends on.
pub type Deps = BTreeMap<Id, Vec<Id>>;

/// The dependencies of these systems.
pub fn deps<'a>(systems: impl IntoIterator<Item = &'a System>) -> Deps {
    systems
        .into_iter()
        .filter(|s| !s.depends_on.is_empty())
        .map(|s| (s.id, s.depends_on.clone()))
        .collect()
}

/// Every conflict among the open plans (those with a window for the overlaps
/// and blackouts), in a stable order: by kind, then plan.
pub fn conflicts(plans: &[PlanSummary], deps: &Deps, calendar: &[Blackout]) -> Vec<Conflict> {
    let depends = |a: Id, b: Id| deps.get(&a).is_some_and(|d| d.contains(&b));
    let open: Vec<&PlanSummary> = plans.iter().filter(|p| is_open(p.status)).collect();
    let base = |kind, p: &PlanSummary| Conflict {
        kind,
        plan: p.id,
        other: None,
        system: p.system,
        other_system: None,
        period: None,
        hard: false,
        version: None,
    };
    let mut out = Vec::new();
    for (i, a) in open.iter().enumerate() {
        for b in &open[i + 1..] {
            if a.system == b.system && a.version_to.trim() == b.version_to.trim() && !a.version_to.trim().is_empty() {
                let (first, second) = if a.id <= b.id { (a, b) } else { (b, a) };
                out.push(Conflict {
                    other: Some(second.id),
                    version: Some(first.version_to.trim().to_string()),
                    ..base(ConflictKind::DuplicateTarget, first)
                });
            }
            let (Some(wa), Some(wb)) = (&a.window, &b.window) else {
                continue;
            };
            if !overlaps(wa, wb) {
                continue;
            }
            if a.system == b.system {
                let (first, second) = if a.id <= b.id { (a, b) } else { (b, a) };
                out.push(Conflict {
                    other: Some(second.id),
                    ..base(ConflictKind::SameSystem, first)
                });
            } else {
                // The dependent plan first, the dependency's plan as the other.
                for (x, y) in [(a, b), (b, a)] {
                    if depends(x.system, y.system) {
                        out.push(Conflict {
                            other: Some(y.id),
                            other_system: Some(y.system),
                            ..base(ConflictKind::Dependency, x)
                        });
                    }
                }
            }
        }
        if let Some(w) = &a.window {
            for hit in blackout_conflicts(w, a.system, calendar) {
                out.push(Conflict {
                    period: Some(hit.period.name.clone()),
                    hard: hit.period.hard,
                    ..base(ConflictKind::Blackout, a)
                });
            }
        }
    }
    out.sort_by_key(|c| (c.kind, c.plan, c.other));
    out
}

/// The open plans other than `except` for `system` with the target `version`:
/// what `plan new` warns about.
pub fn same_target(plans: &[PlanSummary], system: Id, version: &str, except: Option<Id>) -> Vec<Id> {
    let v = version.trim();
    if v.is_empty() {
        return Vec::new();
    }
    plans
        .iter()
        .filter(|p| Some(p.id) != except && p.system == system && is_open(p.status) && p.version_to.trim() == v)
        .map(|p| p.id)
        .collect()
}

/// The warning for a new plan whose target version an open plan of the
/// system already has (`plans`), with the system's current version.
pub fn same_target_message(sys: &System, version: &str, plans: &[Id]) -> String {
    crate::sanitize::clean_line(&crate::i18n::t(
        "cli.plan.same_target",
        &[
            (
                "plans",
                plans.iter().map(|p| p.to_string()).collect::<Vec<_>>().join(", "),
            ),
            ("system", sys.name.clone()),
            ("version", version.trim().to_string()),
            ("current", sys.version.clone()),
        ],
    ))
}

/// A window on the schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Slot {
    pub plan: Id,
    pub system: Id,
    pub title: String,
    pub version_to: String,
    pub status: PlanStatus,
    pub window: Window,
    /// Some conflict concerns this plan.
    pub conflict: bool,
}

/// A blackout period touching a week.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeekBlackout {
    pub name: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub hard: bool,
}

/// One week (Monday to Sunday) of the schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Week {
    pub monday: NaiveDate,
    pub blackouts: Vec<WeekBlackout>,
    /// Windows starting in the week (local day), by start.
    pub slots: Vec<Slot>,
}

/// The forward schedule: `weeks` weeks from the Monday of `today`'s week.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schedule {
    pub from: NaiveDate,
    /// The last day (a Sunday).
    pub to: NaiveDate,
    pub weeks: Vec<Week>,
    /// The conflicts that concern a window on the schedule, and every
    /// duplicate target.
    pub conflicts: Vec<Conflict>,
}

/// The schedule of the open plans' windows for `weeks` weeks from the week of `today`.
pub fn schedule(plans: &[PlanSummary], deps: &Deps, calendar: &[Blackout], today: NaiveDate, weeks: u32) -> Schedule {
    let from = today - Duration::days(today.weekday().num_days_from_monday() as i64);
    let to = from + Duration::days(7 * weeks.max(1) as i64 - 1);
    let all = conflicts(plans, deps, calendar);
    let mut shown: Vec<&PlanSummary> = plans
        .iter()
        .filter(|p| is_open(p.status))
        .filter(|p| {
            p.window.as_ref().is_some_and(|w| {
                let d = local_day(w.start);
                d >= from && d <= to
            })
        })
        .collect();
    shown.sort_by_key(|p| (p.window.as_ref().map(|w| w.start), p.id));
    let on_schedule: BTreeSet<Id> = shown.iter().map(|p| p.id).collect();
    let conflicts: Vec<Conflict> = all
        .into_iter()
        .filter(|c| {
            c.kind == ConflictKind::DuplicateTarget
                || on_schedule.contains(&c.plan)
                || c.other.is_some_and(|o| on_schedule.contains(&o))
        })
        .collect();
    let weeks = (0..weeks.max(1))
        .map(|i| {
            let monday = from + Duration::days(7 * i as i64);
            let sunday = monday + Duration::days(6);
            Week {
                monday,
                blackouts: calendar
                    .iter()
                    .filter(|b| b.start <= sunday && b.end >= monday)
                    .map(|b| WeekBlackout {
                        name: b.name.clone(),
                        start: b.start,
                        end: b.end,
                        hard: b.hard,
                    })
                    .collect(),
                slots: shown
                    .iter()
                    .filter_map(|p| {
                        let w = p.window.clone()?;
                        let d = local_day(w.start);
                        (d >= monday && d <= sunday).then(|| Slot {
                            plan: p.id,
                            system: p.system,
                            title: p.title.clone(),
                            version_to: p.version_to.clone(),
                            status: p.status,
                            window: w,
                            conflict: conflicts.iter().any(|c| c.concerns(p.id)),
                        })
                    })
                    .collect(),
            }
        })
        .collect();
    Schedule {
        from,
        to,
        weeks,
        conflicts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ChangeClass, IdKind};
    use chrono::TimeZone;

    fn at(d: u32, h: u32) -> Time {
        Local
            .with_ymd_and_hms(2026, 12, d, h, 0, 0)
            .unwrap()
            .with_timezone(&chrono::Utc)
    }

    fn sys(n: u32, deps: &[u32]) -> (Id, Vec<Id>) {
        (
            Id::new(IdKind::System, 2026, n),
            deps.iter().map(|d| Id::new(IdKind::System, 2026, *d)).collect(),
        )
    }

    fn graph<const N: usize>(systems: [(Id, Vec<Id>); N]) -> Deps {
        systems.into_iter().collect()
    }

    fn plan(n: u32, system: u32, version: &str, window: Option<(Time, Time)>, status: PlanStatus) -> PlanSummary {
        PlanSummary {
            id: Id::new(IdKind::Plan, 2026, n),
            title: format!("P{n}"),
            system: Id::new(IdKind::System, 2026, system),
            version_from: "1.0".into(),
            version_to: version.into(),
            status,
            window: window.map(|(start, end)| Window { start, end }),
            author: "wanglei".into(),
            updated_at: at(1, 0),
            rev: 1,
            class: ChangeClass::Normal,
        }
    }

    fn kinds(c: &[Conflict]) -> Vec<(ConflictKind, u32, Option<u32>)> {
        c.iter().map(|c| (c.kind, c.plan.seq, c.other.map(|o| o.seq))).collect()
    }

    const A: PlanStatus = PlanStatus::Approved;

    #[test]
    fn same_system_overlap() {
        let plans = [
            plan(1, 1, "2.0", Some((at(10, 22), at(11, 2))), A),
            plan(2, 1, "2.1", Some((at(11, 1), at(11, 4))), PlanStatus::Draft),
        ];
        assert_eq!(
            kinds(&conflicts(&plans, &graph([sys(1, &[])]), &[])),
            [(ConflictKind::SameSystem, 1, Some(2))]
        );
    }

    #[test]
    fn touching_windows_do_not_overlap() {
        let plans = [
            plan(1, 1, "2.0", Some((at(10, 22), at(11, 2))), A),
            plan(2, 1, "2.1", Some((at(11, 2), at(11, 4))), A),
            // Starts as plan 2 ends, on a system plan 2's depends on.
            plan(3, 2, "3.0", Some((at(11, 4), at(11, 6))), A),
        ];
        assert!(conflicts(&plans, &graph([sys(1, &[2]), sys(2, &[])]), &[]).is_empty());
        assert!(!overlaps(
            plans[0].window.as_ref().unwrap(),
            plans[1].window.as_ref().unwrap()
        ));
    }

    #[test]
    fn dependency_overlap_names_the_dependent_plan_first() {
        let plans = [
            plan(1, 2, "9.0", Some((at(12, 0), at(12, 6))), A),
            plan(2, 1, "2.0", Some((at(12, 5), at(12, 8))), A),
            // Not a dependency either way: no conflict.
            plan(3, 3, "1.1", Some((at(12, 5), at(12, 8))), A),
        ];
        let systems = graph([sys(1, &[2]), sys(2, &[]), sys(3, &[])]);
        let c = conflicts(&plans, &systems, &[]);
        assert_eq!(kinds(&c), [(ConflictKind::Dependency, 2, Some(1))]);
        assert_eq!(c[0].other_system, Some(sys(2, &[]).0));
    }

    #[test]
    fn blackout_by_local_day_and_closed_plans_ignored() {
        let cal = [Blackout {
            name: "期末考试".into(),
            start: NaiveDate::from_ymd_opt(2026, 12, 14).unwrap(),
            end: NaiveDate::from_ymd_opt(2026, 12, 20).unwrap(),
            hard: true,
            systems: vec![],
        }];
        let plans = [
            plan(1, 1, "2.0", Some((at(13, 22), at(14, 1))), A),
            plan(2, 1, "2.1", Some((at(12, 22), at(13, 2))), A),
            plan(3, 1, "2.2", Some((at(15, 1), at(15, 2))), PlanStatus::Cancelled),
        ];
        let c = conflicts(&plans, &graph([sys(1, &[])]), &cal);
        assert_eq!(kinds(&c), [(ConflictKind::Blackout, 1, None)]);
        assert_eq!(c[0].period.as_deref(), Some("期末考试"));
        assert!(c[0].hard);
    }

    #[test]
    fn duplicate_target_whatever_the_windows() {
        let plans = [
            plan(1, 1, "2.0", Some((at(1, 1), at(1, 2))), A),
            plan(2, 1, " 2.0", None, PlanStatus::Draft),
            plan(3, 2, "2.0", None, PlanStatus::Draft),
            plan(4, 1, "2.0", None, PlanStatus::Filed),
        ];
        let c = conflicts(&plans, &graph([sys(1, &[]), sys(2, &[])]), &[]);
        assert_eq!(kinds(&c), [(ConflictKind::DuplicateTarget, 1, Some(2))]);
        assert_eq!(c[0].version.as_deref(), Some("2.0"));
        assert_eq!(
            same_target(&plans, plans[0].system, "2.0", Some(plans[1].id)),
            [plans[0].id]
        );
        assert!(same_target(&plans, plans[0].system, "", None).is_empty());
    }

    #[test]
    fn schedule_by_week() {
        let cal = [Blackout {
            name: "期末考试".into(),
            start: NaiveDate::from_ymd_opt(2026, 12, 14).unwrap(),
            end: NaiveDate::from_ymd_opt(2026, 12, 20).unwrap(),
            hard: false,
            systems: vec![],
        }];
        let plans = [
            plan(1, 1, "2.0", Some((at(9, 22), at(10, 2))), A),
            plan(2, 1, "2.1", Some((at(16, 1), at(16, 2))), A),
            plan(3, 1, "2.2", Some((at(30, 1), at(30, 2))), A),
        ];
        // Tuesday 8 December: the week of Monday 7 December, two weeks.
        let s = schedule(
            &plans,
            &graph([sys(1, &[])]),
            &cal,
            NaiveDate::from_ymd_opt(2026, 12, 8).unwrap(),
            2,
        );
        assert_eq!(s.from, NaiveDate::from_ymd_opt(2026, 12, 7).unwrap());
        assert_eq!(s.to, NaiveDate::from_ymd_opt(2026, 12, 20).unwrap());
        assert_eq!(s.weeks.len(), 2);
        assert_eq!(s.weeks[0].slots.iter().map(|x| x.plan.seq).collect::<Vec<_>>(), [1]);
        assert!(!s.weeks[0].slots[0].conflict);
        assert_eq!(s.weeks[1].slots.iter().map(|x| x.plan.seq).collect::<Vec<_>>(), [2]);
        assert!(s.weeks[1].slots[0].conflict);
        assert!(s.weeks[0].blackouts.is_empty());
        assert_eq!(s.weeks[1].blackouts[0].name, "期末考试");
        assert_eq!(kinds(&s.conflicts), [(ConflictKind::Blackout, 2, None)]);
    }

    #[test]
    fn dependencies_refuse_self_and_cycles() {
        let id = |n| Id::new(IdKind::System, 2026, n);
        let name = |i: Id| format!("S{}", i.seq);
        let graph = |i: Id| {
            if i == id(2) {
                vec![id(3)]
            } else if i == id(3) {
                vec![id(1)]
            } else {
                vec![]
            }
        };
        assert_eq!(depends_on(id(1), &[id(4), id(4)], name, graph), Ok(vec![id(4)]));
        assert_eq!(
            depends_on(id(1), &[id(1)], name, graph),
            Err(RuleError::DependsOnSelf { system: "S1".into() })
        );
        assert_eq!(
            depends_on(id(1), &[id(2)], name, graph),
            Err(RuleError::DependencyCycle {
                path: "S1 → S2 → S3 → S1".into()
            })
        );
        assert_eq!(depends_on(id(1), &[], name, graph), Ok(vec![]));
    }

    #[test]
    fn windows_in_days() {
        let w = Window {
            start: at(10, 22),
            end: at(11, 2),
        };
        let d = |n| NaiveDate::from_ymd_opt(2026, 12, n);
        assert!(window_in(&w, d(11), d(11)));
        assert!(window_in(&w, d(10), None));
        assert!(!window_in(&w, d(12), None));
        assert!(!window_in(&w, None, d(9)));
    }
}
