//! The plans pane (计划编辑): list by status, detail, the editor, the approval steps.

use super::super::action::{Action, Pane};
use super::super::state::*;
use super::super::worker::Job;
use super::{forms, Effect};
use crate::i18n::t;
use crate::model::*;
use crate::service::Command;

/// The plan selected in the list (the detail always shows it).
pub fn selected(s: &State) -> Option<&PlanSummary> {
    s.plans.visible.get(s.plans.cursor.selected).map(|&i| &s.plans.all[i])
}

/// Select the plan `id` if the list shows it.
pub fn select(s: &mut State, id: Id) {
    if let Some(pos) = s.plans.visible.iter().position(|&i| s.plans.all[i].id == id) {
        s.plans.cursor.selected = pos;
    }
}

/// The plan the pane acts on: the selected one, at the revision the detail
/// shows when it is loaded (a newer one is a conflict the core reports).
fn current(s: &State) -> Option<(Id, u64)> {
    let p = selected(s)?;
    let rev = s
        .plans
        .detail
        .as_ref()
        .filter(|d| d.id == p.id)
        .map_or(p.rev, |d| d.meta.rev);
    Some((p.id, rev))
}

/// How prompts name the plan: its id and title.
fn label_of(s: &State) -> String {
    selected(s)
        .map(|p| format!("{} {}", p.id, crate::sanitize::clean_line(&p.title)))
        .unwrap_or_default()
}

/// Recompute which plans the filter keeps, keeping the selected one selected.
pub fn refilter(s: &mut State) {
    let keep = selected(s).map(|p| p.id);
    refilter_keeping(s, keep);
}

pub fn refilter_keeping(s: &mut State, keep: Option<Id>) {
    let q = s.plans.filter.text();
    let words: Vec<String> = q.split_whitespace().map(crate::search::normalize).collect();
    let names: std::collections::HashMap<Id, String> = s.systems.iter().map(|x| (x.id, x.name.clone())).collect();
    s.plans.visible = s
        .plans
        .all
        .iter()
        .enumerate()
        .filter(|(_, p)| {
            if words.is_empty() {
                return true;
            }
            let hay = crate::search::normalize(&format!(
                "{} {} {} {} {}",
                p.id,
                p.title,
                p.status.label(),
                names.get(&p.system).map(String::as_str).unwrap_or(""),
                p.version_to
            ));
            words.iter().all(|w| hay.contains(w.as_str()))
        })
        .map(|(i, _)| i)
        .collect();
    if let Some(id) = keep {
        select(s, id);
    }
    let n = s.plans.visible.len();
    s.plans.cursor.clamp(n);
}

/// Keys while typing the plans filter: Enter keeps it, Esc clears it.
pub fn filter_key(s: &mut State, k: crossterm::event::KeyEvent) {
    use super::super::input::Edit;
    match s.plans.filter.handle(&k) {
        Edit::Submit => s.plans.filtering = false,
        Edit::Cancel => {
            s.plans.filtering = false;
            s.plans.filter.set_text("");
            refilter(s);
        }
        Edit::Changed => {
            refilter(s);
            s.plans.cursor.selected = 0;
        }
        Edit::Moved | Edit::Ignored => {}
    }
}

fn exec(fx: &mut Vec<Effect>, cmd: Command, rev: u64, label: &str) {
    fx.push(Effect::Job(Job::Execute {
        cmd,
        expect_rev: Some(rev),
        label: t(label, &[]),
    }));
}

pub fn action(s: &mut State, a: Action, fx: &mut Vec<Effect>) {
    if let Err(why) = super::offers::check(s, a) {
        return s.toast(format!("{}: {why}", label_of(s)), true);
    }
    if a == Action::PlanNew {
        return forms::open(s, FormKind::NewPlan, fx);
    }
    let Some((id, rev)) = current(s) else { return };
    let target = label_of(s);
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
        // The submit check, confirmed: the requests the plan answers, or the
        // warning that it answers none (the core's gates, not a judgement here).
        Action::PlanSubmit => {
            let gates = s
                .plans
                .detail_gates
                .as_ref()
                .filter(|_| s.plans.detail.as_ref().is_some_and(|p| p.id == id));
            let Some(g) = gates else {
                fx.push(Effect::Job(Job::Plan(id)));
                return s.toast(t("tui.open_first", &[]), true);
            };
            let mut message = t("tui.confirm.submit", &[("plan", target)]);
            if !g.requests.is_empty() {
                message.push_str("\n\n");
                message.push_str(&t("tui.submit.linked", &[("n", g.requests.len().to_string())]));
                message.push('\n');
                message.push_str(&crate::export::sections::linked_lines(&g.requests));
            }
            for w in &g.warnings {
                message.push_str("\n\n⚠ ");
                message.push_str(&w.message(id));
            }
            s.popups.push(Popup::Confirm {
                message,
                then: Confirmed::Job(Box::new(Job::Execute {
                    cmd: Command::PlanSubmit { id },
                    expect_rev: Some(rev),
                    label: t("tui.done.submitted", &[]),
                })),
            });
        }
        // The prompt for the minutes reference is the confirmation: Enter approves, Esc does not.
        Action::PlanApprove => s.popups.push(Popup::Prompt {
            purpose: PromptFor::Approve { plan: id, rev },
            label: t("tui.prompt.approve", &[("plan", target)]),
            input: Default::default(),
        }),
        Action::PlanReturn => s.popups.push(Popup::Prompt {
            purpose: PromptFor::ReturnPlan(id),
            label: t("tui.prompt.return", &[("target", target)]),
            input: Default::default(),
        }),
        Action::PlanNotice => {
            let Some(p) = s.plans.detail.as_ref().filter(|p| p.id == id) else {
                fx.push(Effect::Job(Job::Plan(id)));
                return s.toast(t("tui.open_first", &[]), true);
            };
            let sys = s.systems.iter().find(|x| x.id == p.system).cloned();
            // What publishing sends: the draft, else the generated text, in
            // the plan's notice language.
            let text = sys
                .map(|sys| crate::service::notice_to_publish(p, &sys))
                .unwrap_or_default();
            s.popups.push(Popup::Confirm {
                message: format!("{}\n\n{}", t("tui.confirm.notice", &[("target", target)]), text),
                then: Confirmed::Job(Box::new(Job::Execute {
                    cmd: Command::PlanNotice {
                        id,
                        text: None,
                        audience: t("tui.notice.audience", &[]),
                    },
                    expect_rev: Some(rev),
                    label: t("tui.done.notice", &[]),
                })),
            });
        }
        Action::PlanImplement => exec(fx, Command::PlanImplement { id }, rev, "tui.done.implementing"),
        Action::PlanTraining => with_detail(s, id, FormKind::Training, fx),
        Action::PlanReschedule => with_detail(s, id, FormKind::Reschedule, fx),
        Action::PlanNoticeDraft => with_detail(s, id, FormKind::NoticeDraft, fx),
        Action::PlanMilestone => with_detail(s, id, FormKind::Milestones, fx),
        Action::PlanCompare => with_detail(s, id, FormKind::Comparison, fx),
        Action::PlanFile => s.popups.push(Popup::Confirm {
            message: t("tui.confirm.file", &[("plan", target)]),
            then: Confirmed::Job(Box::new(Job::Execute {
                cmd: Command::File { plan: id },
                expect_rev: Some(rev),
                label: t("tui.done.filed", &[]),
            })),
        }),
        // Link requests from the plan editor: a picker of the requests that could serve it.
        Action::PlanLink => super::link::open(s, id),
        Action::PlanCancel => s.popups.push(Popup::Prompt {
            purpose: PromptFor::CancelPlan(id),
            label: t("tui.prompt.cancel", &[("target", target)]),
            input: Default::default(),
        }),
        // After go-live (§3.4, §4.3).
        Action::PlanIncident => with_detail(s, id, FormKind::Incident, fx),
        Action::PlanReview => with_detail(s, id, FormKind::Review, fx),
        Action::PlanFail => s.popups.push(Popup::Prompt {
            purpose: PromptFor::FailPlan(id),
            label: t("tui.prompt.fail", &[("target", target)]),
            input: Default::default(),
        }),
        _ => {}
    }
}

/// Open a form that needs the plan loaded; if it is still loading, the form
/// opens when it arrives (if the plan is still the one selected then).
fn with_detail(s: &mut State, id: Id, kind: FormKind, fx: &mut Vec<Effect>) {
    if s.plans.detail.as_ref().is_some_and(|p| p.id == id) {
        forms::open(s, kind, fx);
    } else {
        s.plans.form_after_load = Some((id, kind));
        if s.plans.loading != Some(id) {
            s.plans.loading = Some(id);
            fx.push(Effect::Job(Job::Plan(id)));
        }
    }
}

/// A plan arrived from the worker: show it where it is wanted.
pub fn loaded(s: &mut State, p: Plan, gates: crate::workflow::Gates, fx: &mut Vec<Effect>) {
    if s.plans.loading == Some(p.id) {
        s.plans.loading = None;
    }
    if s.tests.plan.as_ref().is_some_and(|t| t.id == p.id) || (s.pane == Pane::Tests && s.tests.plan.is_none()) {
        s.tests.plan = Some(p.clone());
        s.tests.gates = Some(gates.clone());
        let n = super::tests::rows(s).len();
        s.tests.cursor.clamp(n);
        super::tests::onto_item(s);
    }
    // The detail shows the selected plan only (a late answer for another is dropped).
    let wanted = selected(s).map(|x| x.id) == Some(p.id);
    if wanted || s.plans.edit_after_load == Some(p.id) {
        let edit = s.plans.edit_after_load.take() == Some(p.id);
        if s.plans.detail.as_ref().map(|d| d.id) != Some(p.id) {
            s.plans.detail_scroll = Default::default();
        }
        let id = p.id;
        s.plans.detail = Some(p);
        s.plans.detail_gates = Some(gates);
        if edit {
            forms::open(s, FormKind::EditPlan, fx);
        }
        if let Some((_, kind)) = s.plans.form_after_load.take_if(|(x, _)| *x == id) {
            forms::open(s, kind, fx);
        }
    }
}
