//! The plans pane (计划编辑): list by status, detail, the editor, the approval steps.

use super::super::action::{Action, Pane};
use super::super::state::*;
use super::super::worker::Job;
use super::{forms, Effect};
use crate::i18n::t;
use crate::model::*;
use crate::service::Command;

/// The plan the pane acts on: the open one, else the selected one in the list.
fn current(s: &State) -> Option<(Id, u64)> {
    if let Some(p) = &s.plans.detail {
        return Some((p.id, p.meta.rev));
    }
    s.plans.all.get(s.plans.cursor.selected).map(|p| (p.id, p.rev))
}

fn exec(fx: &mut Vec<Effect>, cmd: Command, rev: u64, label: &str) {
    fx.push(Effect::Job(Job::Execute {
        cmd,
        expect_rev: Some(rev),
        label: t(label, &[]),
    }));
}

pub fn action(s: &mut State, a: Action, fx: &mut Vec<Effect>) {
    if a == Action::PlanNew {
        return forms::open(s, FormKind::NewPlan, fx);
    }
    let Some((id, rev)) = current(s) else { return };
    match a {
        Action::PlanEdit => {
            if s.plans.detail.as_ref().is_some_and(|p| p.id == id) {
                forms::open(s, FormKind::EditPlan, fx);
            } else {
                // Load it first; the editor opens when it arrives.
                s.plans.edit_after_load = Some(id);
                fx.push(Effect::Job(Job::Plan(id)));
            }
        }
        Action::PlanSubmit => exec(fx, Command::PlanSubmit { id }, rev, "tui.done.submitted"),
        // The prompt for the minutes reference is the confirmation: Enter approves, Esc does not.
        Action::PlanApprove => s.popups.push(Popup::Prompt {
            purpose: PromptFor::Approve { plan: id, rev },
            label: t("tui.prompt.approve", &[("plan", id.to_string())]),
            input: Default::default(),
        }),
        Action::PlanReturn => s.popups.push(Popup::Prompt {
            purpose: PromptFor::ReturnPlan(id),
            label: t("tui.prompt.return", &[]),
            input: Default::default(),
        }),
        Action::PlanNotice => {
            let Some(p) = s.plans.detail.as_ref().filter(|p| p.id == id) else {
                fx.push(Effect::Job(Job::Plan(id)));
                return s.toast(t("tui.open_first", &[]), true);
            };
            let sys = s.systems.iter().find(|x| x.id == p.system).cloned();
            let text = sys
                .map(|sys| crate::service::default_notice_text(p, &sys))
                .unwrap_or_default();
            s.popups.push(Popup::Confirm {
                message: format!("{}\n\n{}", t("tui.confirm.notice", &[]), text),
                job: Box::new(Job::Execute {
                    cmd: Command::PlanNotice {
                        id,
                        text: None,
                        audience: t("tui.notice.audience", &[]),
                    },
                    expect_rev: Some(rev),
                    label: t("tui.done.notice", &[]),
                }),
            });
        }
        Action::PlanImplement => exec(fx, Command::PlanImplement { id }, rev, "tui.done.implementing"),
        Action::PlanTraining => with_detail(s, id, FormKind::Training, fx),
        Action::PlanCompare => with_detail(s, id, FormKind::Comparison, fx),
        Action::PlanFile => s.popups.push(Popup::Confirm {
            message: t("tui.confirm.file", &[("plan", id.to_string())]),
            job: Box::new(Job::Execute {
                cmd: Command::File { plan: id },
                expect_rev: Some(rev),
                label: t("tui.done.filed", &[]),
            }),
        }),
        Action::PlanCancel => s.popups.push(Popup::Prompt {
            purpose: PromptFor::CancelPlan(id),
            label: t("tui.prompt.cancel", &[]),
            input: Default::default(),
        }),
        _ => {}
    }
}

/// Open a form that needs the plan loaded; load it first if it is not.
fn with_detail(s: &mut State, id: Id, kind: FormKind, fx: &mut Vec<Effect>) {
    if s.plans.detail.as_ref().is_some_and(|p| p.id == id) {
        forms::open(s, kind, fx);
    } else {
        fx.push(Effect::Job(Job::Plan(id)));
        s.toast(t("tui.open_first", &[]), true);
    }
}

/// A plan arrived from the worker: show it where it is wanted.
pub fn loaded(s: &mut State, p: Plan, gates: crate::workflow::Gates, fx: &mut Vec<Effect>) {
    if s.tests.plan.as_ref().is_some_and(|t| t.id == p.id) || (s.pane == Pane::Tests && s.tests.plan.is_none()) {
        s.tests.plan = Some(p.clone());
        s.tests.gates = Some(gates.clone());
        let n = super::tests::rows(s).len();
        s.tests.cursor.clamp(n);
    }
    let wanted = s.pane == Pane::Plans || s.plans.detail.as_ref().is_some_and(|d| d.id == p.id);
    if wanted || s.plans.edit_after_load == Some(p.id) {
        let edit = s.plans.edit_after_load.take() == Some(p.id);
        if s.plans.detail.as_ref().map(|d| d.id) != Some(p.id) {
            s.plans.detail_scroll = Default::default();
        }
        s.plans.detail = Some(p);
        s.plans.detail_gates = Some(gates);
        if edit {
            forms::open(s, FormKind::EditPlan, fx);
        }
    }
}
