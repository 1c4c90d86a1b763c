//! `update(&mut State, Msg) -> Vec<Effect>`: the only place the UI state changes.
//! Keys are routed by focus: the top popup first, then a focused text field,
//! then the keymap (pane bindings before global ones). I/O never happens here:
//! it is requested as an [`Effect`] and comes back as a [`Msg`].

mod archive;
pub mod attach;
pub mod attention;
pub mod forms;
pub mod link;
pub mod offers;
pub mod persona;
pub mod plans;
pub mod popups;
pub mod queue;
pub mod register;
pub mod reports;
pub mod schedule;
pub mod supervision;
pub mod templates;
pub mod tests;
mod undo;

use crossterm::event::{Event, KeyEvent, KeyEventKind};

use super::action::{Action, Pane};
use super::keymap::{Key, Lookup};
use super::state::*;
use super::worker::{Job, Reply};
use super::Msg;
use crate::i18n::t;
use crate::model::IdKind;

/// Something for the event loop to do outside `update`.
#[derive(Debug)]
pub enum Effect {
    Job(Job),
    /// Write a file (an export), then toast where it went.
    Write {
        path: std::path::PathBuf,
        text: String,
    },
    /// Keep the saved queue views for the next session.
    SaveViews(Vec<String>),
    /// Save (or with `None`, clear) the draft of a form being edited.
    Draft(Option<super::drafts::Draft>),
}

pub fn update(s: &mut State, msg: Msg) -> Vec<Effect> {
    let mut fx = Vec::new();
    match msg {
        Msg::Input(Event::Key(k)) if k.kind != KeyEventKind::Release => {
            // A key before what needs attention came back: the user leads.
            s.attention.open_when_loaded = false;
            key(s, k, &mut fx);
            undo::capture(s, &fx);
        }
        Msg::Input(Event::Paste(_)) if s.too_small() => {}
        Msg::Input(Event::Paste(text)) => popups::paste(s, &text, &mut fx),
        Msg::Input(_) => {}
        Msg::Reply(r) => reply(s, r, &mut fx),
        // Another operator's change (or ours through another client): reload what is
        // shown; the selection, scroll positions and any open form stay as they are.
        Msg::Changed(c) => {
            // Another's change re-reads the confidential reports only when it
            // concerns one: each read of them is audited as the user's.
            s.supervision.skip_reports = !c.action.starts_with("report.");
            if s.loading {
                // The load in flight may predate the change: load again when it lands.
                s.stale = true;
            } else {
                refresh(s, &mut fx);
            }
        }
        Msg::Tick => {
            for t in &mut s.toasts {
                t.ttl = t.ttl.saturating_sub(1);
            }
            s.toasts.retain(|t| t.ttl > 0);
        }
        Msg::Quit => s.quit = true,
    }
    follow(s, &mut fx);
    fx
}

/// The detail follows the selection: when the selected record is not the one
/// the open detail holds, load it (the detail says so until it arrives).
fn follow(s: &mut State, fx: &mut Vec<Effect>) {
    let queue_sel = queue::selected(s).map(|r| r.id);
    if s.queue.open {
        match queue_sel {
            None => {
                s.queue.open = false;
                s.queue.detail = None;
            }
            Some(id) if s.queue.detail.as_ref().map(|d| d.id) != Some(id) && s.queue.loading != Some(id) => {
                s.queue.loading = Some(id);
                fx.push(Effect::Job(Job::Request(id)));
            }
            Some(_) => {}
        }
    }
    // The plans pane always shows the selected plan (its gates and the steps offered).
    if s.pane == Pane::Plans || s.pane == Pane::Tests {
        if let Some(id) = plans::selected(s).map(|p| p.id) {
            if s.plans.detail.as_ref().map(|d| d.id) != Some(id) && s.plans.loading != Some(id) {
                s.plans.loading = Some(id);
                fx.push(Effect::Job(Job::Plan(id)));
            }
        }
    }
    if s.archive.open {
        let sel = s.archive.selected_dossier();
        match sel {
            None => {
                s.archive.open = false;
                s.archive.detail = None;
            }
            Some(id)
                if s.archive.detail.as_ref().map(|d| d.dossier.id) != Some(id) && s.archive.loading != Some(id) =>
            {
                s.archive.loading = Some(id);
                fx.push(Effect::Job(Job::Dossier(id)));
            }
            Some(_) => {}
        }
    }
    templates::follow(s, fx);
    attach::follow(s, fx);
    if s.focus == Focus::Detail && !has_detail(s) {
        s.focus = Focus::List;
    }
}

/// Does the pane show a detail that can take the focus?
pub fn has_detail(s: &State) -> bool {
    match s.pane {
        Pane::Queue => s.queue.open,
        Pane::Plans => plans::selected(s).is_some(),
        Pane::Archive => s.archive.open,
        Pane::Supervision => supervision::selected(s).is_some(),
        Pane::Templates => templates::selected(s).is_some(),
        Pane::Tests | Pane::Reports | Pane::Schedule | Pane::Register | Pane::Attention => false,
    }
}

/// Open the detail of the selected record (it loads by [`follow`]).
fn open_detail(s: &mut State) {
    match s.pane {
        Pane::Queue => s.queue.open = queue::selected(s).is_some(),
        Pane::Archive => s.archive.open = s.archive.selected_dossier().is_some(),
        _ => {}
    }
}

fn key(s: &mut State, k: KeyEvent, fx: &mut Vec<Effect>) {
    if s.too_small() {
        // Nothing is drawn but the request to enlarge the terminal: only quitting acts.
        if let Some(key) = Key::from_event(&k) {
            if s.keymap.lookup(s.pane, &[key]) == Lookup::Action(Action::Quit) {
                action(s, Action::Quit, fx);
            }
        }
        return;
    }
    if !s.popups.is_empty() {
        popups::key(s, k, fx);
        return;
    }
    if s.pane == Pane::Queue && s.queue.filtering {
        queue::filter_key(s, k);
        return;
    }
    if s.pane == Pane::Plans && s.plans.filtering {
        plans::filter_key(s, k);
        return;
    }
    if s.pane == Pane::Archive && s.archive.searching {
        archive::search_key(s, k, fx);
        return;
    }
    let Some(key) = Key::from_event(&k) else { return };
    s.pending_keys.push(key);
    match s.keymap.lookup(s.pane, &s.pending_keys) {
        Lookup::Action(a) => {
            s.pending_keys.clear();
            action(s, a, fx);
        }
        Lookup::Pending => {}
        Lookup::None => s.pending_keys.clear(),
    }
}

/// Carry out a named command (from a key or the palette).
pub fn action(s: &mut State, a: Action, fx: &mut Vec<Effect>) {
    use Action::*;
    match a {
        Quit => {
            let dirty = s.popups.iter().any(|p| match p {
                Popup::Form(f) | Popup::DiscardForm(f) => f.dirty,
                _ => false,
            });
            if dirty {
                s.popups.push(Popup::Confirm {
                    message: t("tui.confirm.quit_unsaved", &[]),
                    then: Confirmed::Quit,
                });
            } else {
                s.quit = true;
            }
        }
        FocusNext => {
            if s.focus == Focus::List && has_detail(s) {
                s.focus = Focus::Detail;
            } else {
                goto(s, Pane::ALL[(s.pane.index() + 1) % Pane::ALL.len()], fx);
            }
        }
        FocusPrev => {
            if s.focus == Focus::Detail {
                s.focus = Focus::List;
            } else {
                goto(
                    s,
                    Pane::ALL[(s.pane.index() + Pane::ALL.len() - 1) % Pane::ALL.len()],
                    fx,
                );
            }
        }
        FocusDetail => {
            open_detail(s);
            if has_detail(s) {
                s.focus = Focus::Detail;
            }
        }
        FocusList => s.focus = Focus::List,
        Undo => undo::undo(s, fx),
        Messages => {
            let text = s
                .messages
                .iter()
                .rev()
                .map(|m| format!("{} {}", if m.error { "✗" } else { "✓" }, m.text))
                .collect::<Vec<_>>()
                .join("\n");
            s.popups.push(Popup::Message {
                title: t("tui.messages.title", &[]),
                text: if text.is_empty() {
                    t("tui.messages.none", &[])
                } else {
                    text
                },
                scroll: 0,
            });
        }
        ConfirmYes | ConfirmNo | FormNext | FormPrev | FormSubmit | FormPark => {}
        Help => s.popups.push(Popup::Help { scroll: 0 }),
        Palette => s.popups.push(Popup::Palette {
            input: Default::default(),
            cursor: Default::default(),
            list: popups::PaletteList::new(s),
        }),
        Back => back(s),
        NextPane => goto(s, Pane::ALL[(s.pane.index() + 1) % Pane::ALL.len()], fx),
        PrevPane => goto(
            s,
            Pane::ALL[(s.pane.index() + Pane::ALL.len() - 1) % Pane::ALL.len()],
            fx,
        ),
        GotoQueue => goto(s, Pane::Queue, fx),
        GotoPlans => goto(s, Pane::Plans, fx),
        GotoTests => goto(s, Pane::Tests, fx),
        GotoArchive => goto(s, Pane::Archive, fx),
        GotoReports => goto(s, Pane::Reports, fx),
        GotoSupervision => goto(s, Pane::Supervision, fx),
        GotoTemplates => goto(s, Pane::Templates, fx),
        GotoSchedule => goto(s, Pane::Schedule, fx),
        GotoRegister => goto(s, Pane::Register, fx),
        GotoAttention => goto(s, Pane::Attention, fx),
        Refresh => {
            s.supervision.skip_reports = false;
            refresh(s, fx)
        }
        Down => step(s, 1),
        Up => step(s, -1),
        PageDown => step(s, s.page.get().max(1) as isize),
        PageUp => step(s, -(s.page.get().max(1) as isize)),
        Top => step(s, isize::MIN / 2),
        Bottom => step(s, isize::MAX / 2),
        Open if s.pane == Pane::Attention => attention::jump(s, fx),
        Open => open(s, fx),
        FormsParked => forms::parked_list(s),
        Filter => match s.pane {
            Pane::Queue => s.queue.filtering = true,
            Pane::Plans => s.plans.filtering = true,
            Pane::Archive => s.archive.searching = true,
            _ => {}
        },
        ActAs => persona::prompt(s),
        a if attach::handles(a) && a.applies_in(s.pane) => attach::action(s, a, fx),
        a if a.applies_in(Pane::Queue) && s.pane == Pane::Queue => queue::action(s, a, fx),
        a if a.applies_in(Pane::Plans) && s.pane == Pane::Plans => plans::action(s, a, fx),
        a if a.applies_in(Pane::Tests) && s.pane == Pane::Tests => tests::action(s, a, fx),
        a if a.applies_in(Pane::Archive) && s.pane == Pane::Archive => archive::action(s, a, fx),
        a if a.applies_in(Pane::Reports) && s.pane == Pane::Reports => reports::action(s, a, fx),
        a if a.applies_in(Pane::Supervision) && s.pane == Pane::Supervision => supervision::action(s, a, fx),
        a if a.applies_in(Pane::Templates) && s.pane == Pane::Templates => templates::action(s, a, fx),
        a if a.applies_in(Pane::Schedule) && s.pane == Pane::Schedule => schedule::action(s, a),
        a if a.applies_in(Pane::Register) && s.pane == Pane::Register => register::action(s, a, fx),
        _ => {}
    }
}

/// Esc: one step back — the detail's focus to the list, then the detail closes,
/// then the marks go, then the filter is cleared.
fn back(s: &mut State) {
    if s.focus == Focus::Detail {
        s.focus = Focus::List;
        return;
    }
    match s.pane {
        Pane::Queue if s.queue.open => {
            s.queue.open = false;
            s.queue.detail = None;
        }
        Pane::Queue if !s.queue.marked.is_empty() => s.queue.marked.clear(),
        Pane::Queue if !s.queue.filter.text().is_empty() => {
            s.queue.filter.set_text("");
            queue::refilter(s);
        }
        Pane::Plans if !s.plans.filter.text().is_empty() => {
            s.plans.filter.set_text("");
            plans::refilter(s);
        }
        Pane::Plans if s.plans.emergency_only => {
            s.plans.emergency_only = false;
            plans::refilter(s);
        }
        Pane::Archive if s.archive.open => {
            s.archive.open = false;
            s.archive.detail = None;
        }
        Pane::Archive if s.archive.hits.is_some() || s.archive.changes.is_some() => {
            s.archive.hits = None;
            s.archive.answer = None;
            s.archive.changes = None;
            s.archive.timeline = None;
            s.archive.query.set_text("");
            s.archive.cursor = Default::default();
        }
        _ => {}
    }
}

fn goto(s: &mut State, pane: Pane, fx: &mut Vec<Effect>) {
    let entered = s.pane != pane;
    s.pane = pane;
    if entered {
        s.focus = Focus::List;
    }
    if pane == Pane::Tests {
        tests::follow_selected_plan(s, fx);
    }
    // The report is computed afresh on entering: changes elsewhere since then count.
    if pane == Pane::Reports && (entered || s.reports.report.is_none()) && !s.reports.loading {
        reports::load(s, fx);
    }
    // The orders (and reports) are read afresh on entering; reading reports is audited.
    // The register and the outbox are read afresh on entering.
    if pane == Pane::Register && entered && !s.register.loading {
        register::load(s, fx);
    }
    if pane == Pane::Supervision && entered && !s.supervision.loading {
        s.supervision.skip_reports = false;
        supervision::load(s, fx);
    }
}

pub(super) fn refresh(s: &mut State, fx: &mut Vec<Effect>) {
    attach::invalidate(s);
    s.loading = true;
    fx.push(Effect::Job(Job::LoadAll));
    // What needs attention may have changed with any record.
    fx.push(Effect::Job(Job::Attention));
    if let Some(r) = &s.queue.detail {
        fx.push(Effect::Job(Job::Request(r.id)));
    }
    let plan_ids: std::collections::BTreeSet<_> =
        s.plans.detail.iter().chain(s.tests.plan.iter()).map(|p| p.id).collect();
    for id in plan_ids {
        fx.push(Effect::Job(Job::Plan(id)));
    }
    if let Some(x) = &s.templates.detail {
        fx.push(Effect::Job(Job::Template(x.id)));
    }
    if s.pane == Pane::Reports {
        reports::load(s, fx);
    }
    if s.pane == Pane::Supervision {
        supervision::load(s, fx);
    }
    if s.pane == Pane::Register {
        register::load(s, fx);
    }
}

/// Move the selection, or scroll the detail when it has the focus.
fn step(s: &mut State, d: isize) {
    let detail = s.focus == Focus::Detail;
    let scroll = match s.pane {
        Pane::Queue if detail => Some(&mut s.queue.detail_scroll),
        Pane::Plans if detail => Some(&mut s.plans.detail_scroll),
        Pane::Archive if detail => Some(&mut s.archive.detail_scroll),
        Pane::Supervision if detail => Some(&mut s.supervision.detail_scroll),
        Pane::Templates if detail => Some(&mut s.templates.detail_scroll),
        Pane::Reports => Some(&mut s.reports.scroll),
        _ => None,
    };
    if let Some(sc) = scroll {
        return sc.step(d);
    }
    match s.pane {
        Pane::Queue => {
            let n = s.queue.visible.len();
            s.queue.cursor.step(d, n)
        }
        Pane::Plans => {
            let n = s.plans.visible.len();
            s.plans.cursor.step(d, n)
        }
        Pane::Tests => {
            let n = tests::rows(s).len();
            s.tests.cursor.step(d, n)
        }
        Pane::Archive => {
            let n = s.archive.len();
            s.archive.cursor.step(d, n)
        }
        Pane::Supervision => {
            let n = supervision::rows(s).len();
            let before = s.supervision.cursor.selected;
            s.supervision.cursor.step(d, n);
            if s.supervision.cursor.selected != before {
                s.supervision.detail_scroll = Default::default();
            }
        }
        Pane::Templates => {
            let n = s.templates.all.len();
            s.templates.cursor.step(d, n)
        }
        Pane::Register => {
            let n = register::len(s);
            s.register.cursor.step(d, n)
        }
        Pane::Attention => {
            let n = s.attention.count();
            s.attention.cursor.step(d, n)
        }
        Pane::Reports => {}
        Pane::Schedule => {
            let n = schedule::slots(s).len();
            s.schedule.cursor.step(d, n)
        }
    }
}

/// Enter: open the detail of the selected record (the focus stays on the list,
/// the detail follows it); in the plans pane, where the detail is always shown,
/// the detail takes the focus.
fn open(s: &mut State, _fx: &mut Vec<Effect>) {
    match s.pane {
        Pane::Queue | Pane::Archive => open_detail(s),
        Pane::Plans | Pane::Supervision if has_detail(s) => s.focus = Focus::Detail,
        Pane::Plans | Pane::Templates if has_detail(s) => s.focus = Focus::Detail,
        Pane::Schedule => schedule::jump(s, _fx),
        _ => {}
    }
}

fn reply(s: &mut State, r: Reply, fx: &mut Vec<Effect>) {
    match r {
        Reply::First(first) => {
            // Only before the full lists: afterwards they are newer than this.
            if s.loading {
                let first = *first;
                s.systems = first.systems;
                s.overview = first.overview;
                // The newest rows are the queue's first screen only in its
                // default order, with no filter typed yet.
                if s.queue.sort == QueueSort::Newest && s.queue.filter.text().is_empty() {
                    let mut rows = first.newest;
                    rows.sort_by_key(|r| r.id.key());
                    queue::replace_all(s, rows, Some(s.overview.requests));
                }
            }
        }
        Reply::All {
            systems,
            requests,
            plans,
            dossiers,
            overview,
            calendar,
            templates,
        } => {
            s.loading = false;
            templates::replace_all(s, templates);
            if std::mem::take(&mut s.stale) {
                refresh(s, fx);
            }
            s.systems = systems;
            s.overview = *overview;
            s.calendar = calendar;
            queue::replace_all(s, requests, None);
            // Keep the selected plan and dossier selected, wherever they move.
            let plan = plans::selected(s).map(|p| p.id);
            let mut plans = plans;
            // Newest first, like the queue.
            plans.reverse();
            s.plans.all = plans;
            plans::refilter_keeping(s, plan);
            // An order or a report is selected when the supervision lists come back.
            let listed_here = |id: &crate::model::Id| !matches!(id.kind, IdKind::Order | IdKind::Report);
            if let Some(id) = s.select_after_load.take_if(|id| listed_here(id)) {
                queue::select(s, id);
                plans::select(s, id);
                templates::select(s, id);
            }
            let dossier = s.archive.shown().get(s.archive.cursor.selected).map(|d| d.id);
            s.archive.all = dossiers;
            if s.archive.changes.is_none() {
                if let Some(i) = dossier.and_then(|id| s.archive.shown().iter().position(|d| d.id == id)) {
                    s.archive.cursor.selected = i;
                }
            }
            let n = s.archive.len();
            s.archive.cursor.clamp(n);
        }
        Reply::Request(r) => {
            if s.queue.loading == Some(r.id) {
                s.queue.loading = None;
            }
            // Only the selected request's detail is shown (a late answer for
            // a request the selection has left is dropped).
            if s.queue.open && queue::selected(s).map(|x| x.id) == Some(r.id) {
                if s.queue.detail.as_ref().map(|d| d.id) != Some(r.id) {
                    s.queue.detail_scroll = Default::default();
                }
                s.queue.detail = Some(*r)
            }
        }
        Reply::Plan(p, gates) => plans::loaded(s, *p, *gates, fx),
        Reply::Template(x, offers) => templates::loaded(s, *x, *offers, fx),
        Reply::Dossier(d) => {
            if s.archive.loading == Some(d.dossier.id) {
                s.archive.loading = None;
            }
            let sel = s.archive.selected_dossier();
            if s.archive.open && sel == Some(d.dossier.id) {
                if s.archive.detail.as_ref().map(|x| x.dossier.id) != Some(d.dossier.id) {
                    s.archive.detail_scroll = Default::default();
                }
                s.archive.detail = Some(*d)
            }
        }
        Reply::Archive { seq, hits } => {
            if seq == s.archive.search_seq {
                s.archive.hits = Some(hits);
                s.archive.cursor = Default::default();
            }
        }
        Reply::ArchiveSearch { seq, answer } => archive::answered(s, seq, *answer),
        Reply::Changes { seq, list } => {
            if seq == s.archive.search_seq {
                s.archive.changes = Some(list);
                s.archive.cursor = Default::default();
            }
        }
        Reply::Evaluation(r) => reports::loaded(s, *r),
        Reply::Attention(list) => attention::loaded(s, *list, fx),
        Reply::Supervision { orders, reports } => supervision::loaded(s, orders, reports),
        Reply::Register { register, outbox } => register::loaded(s, *register, outbox),
        Reply::MailSent(r) => register::sent(s, r, fx),
        Reply::UnresolvedNames(list) => register::names_loaded(s, list),
        Reply::Integrity(r) => {
            use crate::tui::state::Integrity;
            s.archive.integrity = match r {
                Ok(v) if v.ok() => Integrity::Intact(v),
                Ok(v) => Integrity::Broken(v),
                Err(e) => Integrity::Unknown(e.message()),
            };
            // Asked for with a key: the answer says what was checked, up to which event.
            if std::mem::take(&mut s.archive.verify_asked) {
                let (text, bad) = match &s.archive.integrity {
                    Integrity::Intact(v) => (t("tui.verify.intact", &[("seq", v.head.seq.to_string())]), false),
                    Integrity::Broken(v) => (
                        t(
                            "tui.integrity.broken",
                            &[("at", v.problem.as_ref().map(|p| p.at.clone()).unwrap_or_default())],
                        ),
                        true,
                    ),
                    Integrity::Unknown(why) => (why.clone(), true),
                    Integrity::Checking => (String::new(), false),
                };
                s.toast(text, bad);
            }
        }
        r @ (Reply::ImportProgress { .. } | Reply::ImportPreview(_)) => popups::import_reply(s, r),
        Reply::Acting(who) => persona::acting(s, *who, fx),
        Reply::JointReviews(list) => link::show_reviews(s, &list),
        Reply::Attachment(r) => attach::reply(s, r),
        Reply::Done { label, outcomes } => {
            popups::import_ended(s);
            match outcomes.as_slice() {
                // An import: say what it did rather than list every new request.
                [o] if crate::service::ImportReport::counts(&o.summary).is_some() => {
                    let [created, skipped, replies, flagged] =
                        crate::service::ImportReport::counts(&o.summary).unwrap_or_default();
                    let counts = t(
                        "import.summary",
                        &[
                            ("created", created.to_string()),
                            ("skipped", skipped.to_string()),
                            ("replies", replies.to_string()),
                            ("flagged", flagged.to_string()),
                        ],
                    );
                    s.toast(format!("{label}: {counts}"), false);
                }
                _ => {
                    let ids: Vec<String> = outcomes.iter().map(|o| o.entity.clone()).collect();
                    // A new request that looks like one in the queue: the core named it.
                    let similar = match outcomes.as_slice() {
                        [o] => o
                            .summary
                            .rsplit_once(" ≈ ")
                            .and_then(|(_, id)| id.parse::<crate::model::Id>().ok()),
                        _ => None,
                    };
                    match similar {
                        Some(other) => s.toast(
                            format!(
                                "{label}: {} — {}",
                                ids.join(" "),
                                t(
                                    "tui.similar.created",
                                    &[
                                        ("other", other.to_string()),
                                        ("tag", crate::workflow::LIKELY_DUPLICATE_TAG.to_string())
                                    ]
                                )
                            ),
                            true,
                        ),
                        None => s.toast(format!("{label}: {}", ids.join(" ")), false),
                    }
                    // A record just created is selected once the lists come back.
                    if let [o] = outcomes.as_slice() {
                        let id: Option<crate::model::Id> = o.entity.parse().ok();
                        let known = |id: crate::model::Id| {
                            s.queue.all.iter().any(|r| r.id == id)
                                || s.plans.all.iter().any(|p| p.id == id)
                                || supervision::rows(s).iter().any(|r| r.id() == id)
                                || s.templates.all.iter().any(|x| x.id == id)
                        };
                        if let Some(id) = id.filter(|id| !known(*id)) {
                            s.select_after_load = Some(id);
                        }
                    }
                }
            }
            undo::done(s, &outcomes);
            s.supervision.skip_reports = false;
            s.queue.marked.clear();
            forms::done(s, fx);
            refresh(s, fx);
        }
        Reply::Failed(e) => {
            // Whatever failed, nothing is loading any more (a report's period may be refused).
            s.reports.loading = false;
            s.supervision.loading = false;
            popups::import_ended(s);
            undo::failed(s);
            forms::failed(s, &e);
            s.toast(e.message(), true);
        }
    }
}
