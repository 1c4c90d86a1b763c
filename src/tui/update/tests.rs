//! The tests pane (测试清单): the latest round's items grouped by category, one
//! key per result, the go-live checklist.

use super::super::action::Action;
use super::super::state::*;
use super::super::worker::Job;
use super::{forms, Effect};
use crate::i18n::t;
use crate::model::*;
use crate::service::Command;

/// A row of the checklist: a category heading or an item of the latest round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Row {
    Category(TestCategory),
    Item(u32),
}

/// The latest round's items, grouped by category in the category order.
pub fn rows(s: &State) -> Vec<Row> {
    let Some(round) = s.tests.plan.as_ref().and_then(|p| p.rounds.last()) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for c in TestCategory::ALL {
        let items: Vec<&TestItem> = round.items.iter().filter(|i| i.category == *c).collect();
        if !items.is_empty() {
            out.push(Row::Category(*c));
            out.extend(items.iter().map(|i| Row::Item(i.no)));
        }
    }
    out
}

pub fn selected_item(s: &State) -> Option<u32> {
    match rows(s).get(s.tests.cursor.selected) {
        Some(Row::Item(n)) => Some(*n),
        _ => None,
    }
}

/// Show the tests of the plan selected (or open) in the plans pane.
pub fn follow_selected_plan(s: &mut State, fx: &mut Vec<Effect>) {
    let id = super::plans::selected(s).map(|p| p.id);
    if let Some(id) = id {
        if s.tests.plan.as_ref().map(|p| p.id) != Some(id) {
            s.tests.plan = None;
            s.tests.gates = None;
            s.tests.cursor = Default::default();
        }
        s.tests.plan = s
            .tests
            .plan
            .take()
            .or_else(|| s.plans.detail.clone().filter(|p| p.id == id));
        fx.push(Effect::Job(Job::Plan(id)));
    }
}

fn result(s: &mut State, r: TestResult, fx: &mut Vec<Effect>) {
    let (Some(p), Some(item)) = (s.tests.plan.as_ref(), selected_item(s)) else {
        return;
    };
    let plan = p.id;
    fx.push(Effect::Job(Job::Execute {
        cmd: Command::TestResult {
            plan,
            item,
            result: r,
            notes: None,
        },
        expect_rev: None,
        label: t("tui.done.result", &[]),
    }));
    if r == TestResult::Fail {
        // A failure usually has a defect to record; the selection stays on the item
        // (stepping down and back would leave the last row for the one above it).
        forms::open(s, FormKind::Defect, fx);
    } else {
        let n = rows(s).len();
        s.tests.cursor.step(1, n);
    }
}

/// The cursor on an item, not a category heading: the first item at or after it.
pub fn onto_item(s: &mut State) {
    let rows = rows(s);
    let from = s.tests.cursor.selected;
    if let Some(i) = (from..rows.len())
        .chain(0..from)
        .find(|&i| matches!(rows[i], Row::Item(_)))
    {
        s.tests.cursor.selected = i;
    }
}

/// How prompts name what they act on: the plan, and the item when there is one.
fn label_of(s: &State) -> String {
    let Some(p) = s.tests.plan.as_ref() else {
        return String::new();
    };
    match selected_item(s) {
        Some(no) => format!("{} #{no}", p.id),
        None => p.id.to_string(),
    }
}

pub fn action(s: &mut State, a: Action, fx: &mut Vec<Effect>) {
    let Some(plan) = s.tests.plan.as_ref().map(|p| p.id) else {
        return s.toast(t("tui.tests.no_plan", &[]), true);
    };
    if let Err(why) = super::offers::check(s, a) {
        return s.toast(format!("{}: {why}", label_of(s)), true);
    }
    let target = label_of(s);
    match a {
        Action::TestPass => result(s, TestResult::Pass, fx),
        Action::TestFail => result(s, TestResult::Fail, fx),
        Action::TestBlocked => result(s, TestResult::Blocked, fx),
        Action::TestWaive => {
            if let Some(item) = selected_item(s) {
                s.popups.push(Popup::Prompt {
                    purpose: PromptFor::Waive { plan, item },
                    label: t("tui.prompt.waive", &[("target", target)]),
                    input: Default::default(),
                })
            }
        }
        Action::TestNewRound => {
            // The environment of the last round is the usual answer.
            let env = s
                .tests
                .plan
                .as_ref()
                .and_then(|p| p.rounds.last())
                .map(|r| r.environment.clone())
                .unwrap_or_default();
            super::popups::prompt(
                s,
                PromptFor::Round(plan),
                &t("tui.prompt.round", &[("target", target)]),
                &env,
            )
        }
        Action::TestAddItem => forms::open(s, FormKind::TestItem, fx),
        Action::TestBackup => forms::open(s, FormKind::Backup, fx),
        Action::TestGoLive => forms::open(s, FormKind::GoLive, fx),
        Action::TestDefectUpdate => forms::open(s, FormKind::DefectUpdate, fx),
        Action::TestAcceptDefect => forms::open(s, FormKind::AcceptDefect, fx),
        Action::TestDeviation => forms::open(s, FormKind::Deviation, fx),
        Action::TestAcceptDeviation => super::popups::prompt(
            s,
            PromptFor::AcceptDeviation(plan),
            &t("tui.prompt.accept_deviation", &[("target", target)]),
            "",
        ),
        _ => {}
    }
}
