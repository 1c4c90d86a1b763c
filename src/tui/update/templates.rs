//! The templates pane (模板): templates of standard changes, newest first, the
//! selected one's detail, its steps (edit, submit, approve, return) and a new
//! standard change from it (`template.use`: the new plan form, filled in).

use super::super::action::{Action, Pane};
use super::super::state::*;
use super::super::worker::Job;
use super::{forms, Effect};
use crate::i18n::t;
use crate::model::*;
use crate::service::Command;

/// The template selected in the list (the detail shows it).
pub fn selected(s: &State) -> Option<&TemplateSummary> {
    s.templates.all.get(s.templates.cursor.selected)
}

/// Select the template `id` if the list has it.
pub fn select(s: &mut State, id: Id) {
    if let Some(pos) = s.templates.all.iter().position(|x| x.id == id) {
        s.templates.cursor.selected = pos;
    }
}

/// The lists came back: newest first, the selection kept on its template.
pub fn replace_all(s: &mut State, mut all: Vec<TemplateSummary>) {
    let keep = selected(s).map(|x| x.id);
    all.reverse();
    s.templates.all = all;
    if let Some(id) = keep {
        select(s, id);
    }
    let n = s.templates.all.len();
    s.templates.cursor.clamp(n);
}

/// The template the pane acts on, at the revision the detail shows.
fn current(s: &State) -> Option<(Id, u64)> {
    let x = selected(s)?;
    let rev = s
        .templates
        .detail
        .as_ref()
        .filter(|d| d.id == x.id)
        .map_or(x.rev, |d| d.meta.rev);
    Some((x.id, rev))
}

fn label_of(s: &State) -> String {
    selected(s)
        .map(|x| format!("{} {}", x.id, crate::sanitize::clean_line(&x.title)))
        .unwrap_or_default()
}

/// Load the selected template when the detail does not show it (the detail
/// follows the selection).
pub fn follow(s: &mut State, fx: &mut Vec<Effect>) {
    if s.pane != Pane::Templates {
        return;
    }
    if let Some(id) = selected(s).map(|x| x.id) {
        if s.templates.detail.as_ref().map(|d| d.id) != Some(id) && s.templates.loading != Some(id) {
            s.templates.loading = Some(id);
            fx.push(Effect::Job(Job::Template(id)));
        }
    }
}

pub fn action(s: &mut State, a: Action, fx: &mut Vec<Effect>) {
    if let Err(why) = super::offers::check(s, a) {
        return s.toast(format!("{}: {why}", label_of(s)), true);
    }
    if a == Action::TemplateNew {
        return forms::open(s, FormKind::NewTemplate, fx);
    }
    let Some((id, rev)) = current(s) else { return };
    let target = label_of(s);
    match a {
        Action::TemplateEdit => with_detail(s, id, FormKind::EditTemplate, fx),
        Action::TemplateUse => with_detail(s, id, FormKind::NewPlan, fx),
        Action::TemplateSubmit => fx.push(Effect::Job(Job::Execute {
            cmd: Command::TemplateSubmit { id },
            expect_rev: Some(rev),
            label: t("tui.done.submitted", &[]),
        })),
        Action::TemplateApprove => s.popups.push(Popup::Prompt {
            purpose: PromptFor::ApproveTemplate { template: id, rev },
            label: t("tui.prompt.approve_template", &[("template", target)]),
            input: Default::default(),
        }),
        Action::TemplateReturn => s.popups.push(Popup::Prompt {
            purpose: PromptFor::ReturnTemplate(id),
            label: t("tui.prompt.return", &[("target", target)]),
            input: Default::default(),
        }),
        _ => {}
    }
}

/// Open a form that needs the template loaded; if it is still loading, the
/// form opens when it arrives.
fn with_detail(s: &mut State, id: Id, kind: FormKind, fx: &mut Vec<Effect>) {
    if s.templates.detail.as_ref().is_some_and(|x| x.id == id) {
        forms::open(s, kind, fx);
    } else {
        s.templates.form_after_load = Some((id, kind));
        if s.templates.loading != Some(id) {
            s.templates.loading = Some(id);
            fx.push(Effect::Job(Job::Template(id)));
        }
    }
}

/// A template arrived from the worker: the detail shows it if it is still the
/// selected one (a late answer for another is dropped).
pub fn loaded(s: &mut State, x: Template, offers: crate::workflow::Offers, fx: &mut Vec<Effect>) {
    if s.templates.loading == Some(x.id) {
        s.templates.loading = None;
    }
    if selected(s).map(|y| y.id) != Some(x.id) {
        return;
    }
    if s.templates.detail.as_ref().map(|d| d.id) != Some(x.id) {
        s.templates.detail_scroll = Default::default();
    }
    let id = x.id;
    s.templates.detail = Some(x);
    s.templates.offers = Some(offers);
    if let Some((_, kind)) = s.templates.form_after_load.take_if(|(y, _)| *y == id) {
        forms::open(s, kind, fx);
    }
}
