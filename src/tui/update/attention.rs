//! The attention view (pane 0, issue 17 §1): what needs someone now, as the
//! core answered `Query::Attention`; Enter goes to the item's record — its
//! pane, with that record selected.

use super::{goto, plans, queue, Effect};
use crate::model::IdKind;
use crate::tui::action::Pane;
use crate::tui::state::{Focus, State};

/// The list came back: keep the selected item selected where it moved. The
/// answer asked for as the UI starts opens the view when it has items, unless
/// a key was pressed meanwhile (the issue: it is the first thing the UI shows).
pub fn loaded(s: &mut State, list: crate::service::Attention, fx: &mut Vec<Effect>) {
    let keep = s.attention.selected().map(|i| (i.kind, i.record, i.detail.clone()));
    let open = std::mem::take(&mut s.attention.open_when_loaded)
        && !list.items.is_empty()
        && s.pane == Pane::Queue
        && s.popups.is_empty();
    s.attention.list = Some(list);
    if let Some(k) = keep {
        if let Some(pos) = s
            .attention
            .list
            .as_ref()
            .and_then(|l| l.items.iter().position(|i| (i.kind, i.record, i.detail.clone()) == k))
        {
            s.attention.cursor.selected = pos;
        }
    }
    let n = s.attention.count();
    s.attention.cursor.clamp(n);
    if open {
        goto(s, Pane::Attention, fx);
    }
}

/// Enter on an item: its record in its pane, selected (a request's detail
/// opened), the filters that would hide it cleared.
pub fn jump(s: &mut State, fx: &mut Vec<Effect>) {
    let Some(id) = s.attention.selected().map(|i| i.record) else {
        return;
    };
    match id.kind {
        IdKind::Plan => {
            let listed = |s: &State| s.plans.visible.iter().any(|&i| s.plans.all[i].id == id);
            if !listed(s) {
                s.plans.filter.set_text("");
                s.plans.emergency_only = false;
                plans::refilter(s);
            }
            plans::select(s, id);
            goto(s, Pane::Plans, fx);
        }
        IdKind::Request => {
            let listed = |s: &State| s.queue.visible.iter().any(|&i| s.queue.all[i].id == id);
            if !listed(s) {
                s.queue.filter.set_text("");
                queue::refilter(s);
            }
            queue::select(s, id);
            goto(s, Pane::Queue, fx);
            s.queue.open = queue::selected(s).is_some_and(|r| r.id == id);
        }
        IdKind::Order => {
            // Selected when the orders come back (entering the pane reads them).
            s.select_after_load = Some(id);
            if s.pane != Pane::Supervision {
                goto(s, Pane::Supervision, fx);
            } else {
                super::supervision::load(s, fx);
            }
        }
        IdKind::Mail => {
            // A call to make: the outbox, with the message selected once read.
            s.register.view = crate::tui::state::RegisterView::Outbox;
            s.register.select = Some(id);
            if s.pane != Pane::Register {
                goto(s, Pane::Register, fx);
            } else {
                super::register::load(s, fx);
            }
        }
        _ => {}
    }
    s.focus = Focus::List;
}
