//! The request queue (需求队列): filter, sort, mark, one-key triage.

use crossterm::event::KeyEvent;

use super::super::action::Action;
use super::super::input::Edit;
use super::super::state::*;
use super::super::worker::Job;
use super::{forms, Effect};
use crate::i18n::t;
use crate::model::*;
use crate::service::{Command, Triage};

pub fn selected(s: &State) -> Option<&RequestSummary> {
    s.queue.visible.get(s.queue.cursor.selected).map(|&i| &s.queue.all[i])
}

/// The requests an action applies to: the marked ones, else the selected one.
pub fn target_rows(s: &State) -> Vec<&RequestSummary> {
    if s.queue.marked.is_empty() {
        selected(s).into_iter().collect()
    } else {
        s.queue.all.iter().filter(|r| s.queue.marked.contains(&r.id)).collect()
    }
}

/// [`target_rows`] as (id, revision).
pub fn targets(s: &State) -> Vec<(Id, u64)> {
    target_rows(s).into_iter().map(|r| (r.id, r.rev)).collect()
}

/// How a prompt or confirmation names the requests it acts on: the id and
/// title of one, or the count and the ids of several.
pub fn target_label(s: &State) -> String {
    let rows = target_rows(s);
    match rows.as_slice() {
        [] => String::new(),
        [r] => format!("{} {}", r.id, crate::sanitize::clean_line(&r.title)),
        many => t(
            "tui.target.many",
            &[
                ("n", many.len().to_string()),
                (
                    "ids",
                    many.iter().map(|r| r.id.to_string()).collect::<Vec<_>>().join(" "),
                ),
            ],
        ),
    }
}

/// Select the request `id` if the view shows it.
pub fn select(s: &mut State, id: Id) {
    if let Some(pos) = s.queue.visible.iter().position(|&i| s.queue.all[i].id == id) {
        s.queue.cursor.selected = pos;
    }
}

/// Recompute the visible rows from the filter and sort, keeping the selected request.
pub fn refilter(s: &mut State) {
    let keep = selected(s).map(|r| r.id);
    refilter_keeping(s, keep);
}

/// Put a new list in the queue (from the worker), keeping the selected request
/// selected wherever it moved.
pub fn replace_all(s: &mut State, all: Vec<RequestSummary>, partial: Option<usize>) {
    let keep = selected(s).map(|r| r.id);
    s.queue.all = all;
    s.queue.partial = partial;
    s.queue.filter_cache.invalidate();
    refilter_keeping(s, keep);
}

fn refilter_keeping(s: &mut State, keep: Option<Id>) {
    let q = s.queue.filter.text();
    let sort = s.queue.sort as u8;
    let visible = match s.queue.filter_cache.recall(&q, sort) {
        Some(v) => v,
        None => {
            let v = filter_and_sort(s, &q);
            s.queue.filter_cache.remember(&q, sort, &v);
            v
        }
    };
    s.queue.visible = visible;
    if let Some(id) = keep {
        if let Some(pos) = s.queue.visible.iter().position(|&i| s.queue.all[i].id == id) {
            s.queue.cursor.selected = pos;
        }
    }
    let n = s.queue.visible.len();
    s.queue.cursor.clamp(n);
}

/// The rows the filter `q` keeps, in the queue's order.
fn filter_and_sort(s: &mut State, q: &str) -> Vec<usize> {
    let names: std::collections::HashMap<Id, String> = s.systems.iter().map(|x| (x.id, x.name.clone())).collect();
    let sys = |r: &RequestSummary| r.system.and_then(|id| names.get(&id).cloned()).unwrap_or_default();
    let mut visible = super::super::filter::apply_cached(&mut s.queue.filter_cache, &s.queue.all, sys, q);
    let fuzzy = !super::super::filter::parse(q).words.is_empty();
    if !fuzzy {
        let all = &s.queue.all;
        match s.queue.sort {
            QueueSort::Newest => visible.sort_by(|a, b| all[*b].received_at.cmp(&all[*a].received_at).then(b.cmp(a))),
            QueueSort::Oldest => visible.sort_by(|a, b| all[*a].received_at.cmp(&all[*b].received_at).then(a.cmp(b))),
            QueueSort::Priority => visible.sort_by(|a, b| all[*b].priority.cmp(&all[*a].priority).then(b.cmp(a))),
            QueueSort::Status => visible.sort_by(|a, b| all[*a].status.cmp(&all[*b].status).then(b.cmp(a))),
        }
    }
    visible
}

pub fn filter_key(s: &mut State, k: KeyEvent) {
    match s.queue.filter.handle(&k) {
        Edit::Submit => s.queue.filtering = false,
        Edit::Cancel => {
            s.queue.filtering = false;
            s.queue.filter.set_text("");
            refilter(s);
        }
        Edit::Changed => {
            // While typing, the best match is the one selected.
            refilter(s);
            s.queue.cursor.selected = 0;
        }
        Edit::Moved | Edit::Ignored => {}
    }
}

fn triage(s: &mut State, a: Action, make: impl Fn(Id) -> Triage, label: &str, fx: &mut Vec<Effect>) {
    let cmds: Vec<(Command, Option<u64>)> = targets(s)
        .into_iter()
        .map(|(id, rev)| (Command::RequestTriage { id, triage: make(id) }, Some(rev)))
        .collect();
    if cmds.is_empty() {
        return;
    }
    let job = Job::ExecuteMany {
        cmds,
        label: label.to_string(),
    };
    // Several marked requests: say which, before touching them.
    if s.queue.marked.len() > 1 {
        let list: Vec<String> = target_rows(s)
            .iter()
            .map(|r| format!("{} {}", r.id, crate::sanitize::clean_line(&r.title)))
            .collect();
        s.popups.push(Popup::Confirm {
            message: format!(
                "{}\n\n{}",
                t(
                    "tui.confirm.bulk",
                    &[
                        ("action", t(&format!("tui.hint.{}", a.name()), &[])),
                        ("n", list.len().to_string())
                    ]
                ),
                list.join("\n")
            ),
            then: Confirmed::Job(Box::new(job)),
        });
    } else {
        fx.push(Effect::Job(job));
    }
}

use super::popups::prompt;

pub fn action(s: &mut State, a: Action, fx: &mut Vec<Effect>) {
    let ids: Vec<Id> = targets(s).into_iter().map(|(id, _)| id).collect();
    // Only what the core offers on the request(s) shown; its reason otherwise.
    if let Err(why) = super::offers::check(s, a) {
        return s.toast(format!("{}: {why}", target_label(s)), true);
    }
    let on = |s: &State, key: &str| t(key, &[("target", target_label(s))]);
    match a {
        Action::QueueMark => {
            if let Some(id) = selected(s).map(|r| r.id) {
                if !s.queue.marked.remove(&id) {
                    s.queue.marked.insert(id);
                }
                let n = s.queue.visible.len();
                s.queue.cursor.step(1, n);
            }
        }
        Action::QueueTriaged => triage(s, a, |_| Triage::Triage, &t("tui.done.triaged", &[]), fx),
        // One request: its analysis is shown for writing or checking before it
        // is accepted (§3.1); several marked ones are accepted as they are.
        Action::QueueAccept if s.queue.marked.is_empty() && !ids.is_empty() => {
            let analysed = selected(s).is_some_and(|r| r.analysed);
            if analysed {
                triage(
                    s,
                    a,
                    |_| Triage::Accept { outcome: None },
                    &t("tui.done.accepted", &[]),
                    fx,
                )
            } else {
                super::forms::open(s, FormKind::AcceptRequest, fx)
            }
        }
        Action::QueueAccept => triage(
            s,
            a,
            |_| Triage::Accept { outcome: None },
            &t("tui.done.accepted", &[]),
            fx,
        ),
        Action::QueueJointReview => triage(s, a, |_| Triage::JointReview, &t("tui.done.joint_review", &[]), fx),
        Action::QueueReject if !ids.is_empty() => {
            let label = on(s, "tui.prompt.reject");
            prompt(s, PromptFor::Reject(ids), &label, "")
        }
        Action::QueueDuplicate if !ids.is_empty() => {
            let label = on(s, "tui.prompt.duplicate");
            prompt(s, PromptFor::Duplicate(ids), &label, "REQ-")
        }
        Action::QueuePriority if !ids.is_empty() => {
            let label = on(s, "tui.prompt.priority");
            let current = selected(s).map(|r| r.priority.label()).unwrap_or_default();
            prompt(s, PromptFor::Priority(ids), &label, &current)
        }
        Action::QueueTag if !ids.is_empty() => {
            let label = on(s, "tui.prompt.tag");
            prompt(s, PromptFor::Tag(ids), &label, "")
        }
        Action::QueueLink if !ids.is_empty() => {
            // The plan selected in the plans pane when it is still being written,
            // else the newest such plan.
            let open = |p: &&PlanSummary| matches!(p.status, PlanStatus::Draft | PlanStatus::Returned);
            let initial = super::plans::selected(s)
                .filter(open)
                .or_else(|| s.plans.all.iter().find(open));
            let initial = initial.map(|p| p.id.to_string()).unwrap_or_else(|| "PLAN-".into());
            let label = on(s, "tui.prompt.link");
            prompt(s, PromptFor::Link(ids), &label, &initial)
        }
        Action::QueueReopen if !ids.is_empty() => {
            let label = on(s, "tui.prompt.reopen_request");
            prompt(s, PromptFor::ReopenRequests(ids), &label, "")
        }
        Action::QueueUnlink if !ids.is_empty() => {
            let label = on(s, "tui.prompt.unlink");
            prompt(s, PromptFor::UnlinkRequests(ids), &label, "")
        }
        Action::QueueReviewNew if !ids.is_empty() => forms::open(s, FormKind::JointReview, fx),
        Action::QueueReviewDecide => forms::open(s, FormKind::JointDecide, fx),
        Action::QueueReviews => fx.push(Effect::Job(Job::JointReviews)),
        Action::QueueFeedback if !ids.is_empty() => {
            // The plan selected in the plans pane when it is live or filed.
            let after = |p: &&PlanSummary| matches!(p.status, PlanStatus::Live | PlanStatus::Filed);
            let initial = super::plans::selected(s)
                .filter(after)
                .map(|p| p.id.to_string())
                .unwrap_or_else(|| "PLAN-".into());
            let label = on(s, "tui.prompt.feedback");
            prompt(s, PromptFor::Feedback(ids), &label, &initial)
        }
        Action::QueueComment => {
            if let Some(id) = selected(s).map(|r| r.id) {
                s.queue.marked.clear();
                let label = on(s, "tui.prompt.comment");
                prompt(s, PromptFor::Comment(id), &label, "")
            }
        }
        Action::QueueNew => forms::open(s, FormKind::NewRequest, fx),
        Action::QueueImport => prompt(s, PromptFor::Import, &t("tui.prompt.import", &[]), ""),
        Action::QueueExportCsv => {
            // The rows as filtered and sorted on screen, as `beian request list --csv` writes them.
            let rows: Vec<_> = s.queue.visible.iter().map(|&i| s.queue.all[i].clone()).collect();
            let names = s.systems.iter().map(|y| (y.id, y.name.clone())).collect();
            fx.push(Effect::Write {
                path: csv_path(s, "queue"),
                text: String::from_utf8_lossy(&crate::export::requests_csv(&rows, &names)).into_owned(),
            });
        }
        Action::QueueSort => {
            s.queue.sort = match s.queue.sort {
                QueueSort::Newest => QueueSort::Oldest,
                QueueSort::Oldest => QueueSort::Priority,
                QueueSort::Priority => QueueSort::Status,
                QueueSort::Status => QueueSort::Newest,
            };
            refilter(s);
        }
        Action::QueueSaveView => {
            let f = s.queue.filter.text();
            if f.trim().is_empty() {
                s.toast(t("tui.view.empty", &[]), true);
            } else if !s.queue.views.contains(&f) {
                s.queue.views.push(f.clone());
                fx.push(Effect::SaveViews(s.queue.views.clone()));
                s.toast(t("tui.view.saved", &[("view", f)]), false);
            }
        }
        _ => {}
    }
}

/// Apply a saved view (from the palette).
pub fn apply_view(s: &mut State, view: &str) {
    s.queue.filter.set_text(view);
    s.queue.cursor.selected = 0;
    refilter(s);
}

/// `queue-20261129-210300.csv` in the export directory (`[tui] export_dir`,
/// else the working directory), as an absolute path for the toast.
pub(super) fn csv_path(s: &State, what: &str) -> std::path::PathBuf {
    export_path(
        s,
        &format!("{what}-{}.csv", chrono::Local::now().format("%Y%m%d-%H%M%S")),
    )
}

/// `name` in the export directory, absolute.
pub(super) fn export_path(s: &State, name: &str) -> std::path::PathBuf {
    let dir = s
        .export_dir
        .clone()
        .or_else(|| std::env::current_dir().ok())
        .unwrap_or_default();
    dir.join(name)
}
