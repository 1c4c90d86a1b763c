//! The supervision pane (监督, §5.1): the rectification orders, newest first,
//! then — for a supervisor, whose every read of them is audited — the
//! confidential reports. The detail shows the selected one with its history.
//! Every step is the core's: the keys offered are the core's offers on the
//! selected record ([`crate::workflow::order_offers`], `report_offers`).

use super::super::action::Action;
use super::super::state::*;
use super::super::worker::Job;
use super::popups::prompt;
use super::{forms, Effect};
use crate::i18n::t;
use crate::model::*;
use crate::service::Command;
use crate::workflow::{Offers, Op};

/// A row of the list: an order or a report.
#[derive(Debug, Clone, Copy)]
pub enum Row<'a> {
    Order(&'a RectificationOrder),
    Report(&'a ConfidentialReport),
}

impl Row<'_> {
    pub fn id(&self) -> Id {
        match self {
            Row::Order(o) => o.id,
            Row::Report(r) => r.id,
        }
    }
    pub fn rev(&self) -> u64 {
        match self {
            Row::Order(o) => o.meta.rev,
            Row::Report(r) => r.meta.rev,
        }
    }
}

/// Every row, in list order: the orders, then the reports (newest first each).
pub fn rows(s: &State) -> Vec<Row<'_>> {
    let mut out: Vec<Row> = s.supervision.orders.iter().rev().map(Row::Order).collect();
    if let Some(reports) = &s.supervision.reports {
        out.extend(reports.iter().rev().map(Row::Report));
    }
    out
}

pub fn selected(s: &State) -> Option<Row<'_>> {
    rows(s).get(s.supervision.cursor.selected).copied()
}

fn actor(s: &State) -> Actor {
    Actor::new(s.user.clone(), &s.roles)
}

/// May this user read the confidential reports (the core's permission table)?
pub fn reads_reports(s: &State) -> bool {
    crate::workflow::check(&actor(s), Op::ReadReports).is_ok()
}

/// Ask the worker for the lists (the reports only for those who may read them,
/// and not when the change that prompted the load concerns no report).
pub fn load(s: &mut State, fx: &mut Vec<Effect>) {
    s.supervision.loading = true;
    let skip = std::mem::take(&mut s.supervision.skip_reports) && s.supervision.reports.is_some();
    fx.push(Effect::Job(Job::Supervision {
        reports: reads_reports(s) && !skip,
    }));
}

/// The lists came back: the selected record stays selected wherever it moved.
pub fn loaded(s: &mut State, orders: Vec<RectificationOrder>, reports: Option<Vec<ConfidentialReport>>) {
    let keep = selected(s).map(|r| r.id());
    s.supervision.loading = false;
    s.supervision.orders = orders;
    // Not read this time: the reports shown stay (if the user may still read them).
    if reports.is_some() || !reads_reports(s) {
        s.supervision.reports = reports;
    }
    if let Some(id) = s
        .select_after_load
        .filter(|id| matches!(id.kind, IdKind::Order | IdKind::Report))
    {
        s.select_after_load = None;
        select(s, id);
    } else if let Some(id) = keep {
        if selected(s).map(|r| r.id()) != Some(id) {
            select(s, id);
            s.supervision.detail_scroll = Default::default();
        }
    }
    let n = rows(s).len();
    s.supervision.cursor.clamp(n);
}

fn select(s: &mut State, id: Id) {
    if let Some(i) = rows(s).iter().position(|r| r.id() == id) {
        s.supervision.cursor.selected = i;
    }
}

/// The core's offers on the selected record, for this user, now.
pub fn offers(s: &State) -> Option<Offers> {
    let actor = actor(s);
    let ctx = crate::workflow::Ctx {
        actor: &actor,
        now: chrono::Utc::now(),
        rules: Default::default(),
        on_behalf_of: None,
    };
    Some(match selected(s)? {
        Row::Order(o) => crate::workflow::order_offers(o, &ctx),
        Row::Report(r) => crate::workflow::report_offers(r, &ctx),
    })
}

/// How prompts name the selected record.
fn label_of(row: Row) -> String {
    match row {
        Row::Order(o) => format!("{} {}", o.id, crate::sanitize::clean_line(&o.finding)),
        Row::Report(r) => r.id.to_string(),
    }
}

pub fn action(s: &mut State, a: Action, fx: &mut Vec<Effect>) {
    let Some(row) = selected(s) else {
        return s.toast(t("tui.supervision.none", &[]), true);
    };
    let (id, rev, target) = (row.id(), row.rev(), label_of(row));
    // A step of the other kind of record (a report's on an order) is not one of its offers.
    let step = a.step().unwrap_or_default();
    let offers = offers(s).unwrap_or_default();
    if !offers.0.iter().any(|o| o.step == step) {
        let key = match row {
            Row::Order(_) => "tui.supervision.not_report",
            Row::Report(_) => "tui.supervision.not_order",
        };
        return s.toast(t(key, &[("id", id.to_string())]), true);
    }
    if let Some(why) = offers.refusal(step) {
        return s.toast(format!("{target}: {}", why.message()), true);
    }
    let label = |key: &str| t(key, &[("target", target.clone())]);
    match a {
        Action::SupRespond => forms::open(s, FormKind::RespondOrder, fx),
        Action::SupExtend => forms::open(s, FormKind::ExtendOrder, fx),
        Action::SupToOrder => forms::open(s, FormKind::ReportToOrder, fx),
        Action::SupSendBack => prompt(
            s,
            PromptFor::SendBack { order: id, rev },
            &label("tui.prompt.send_back"),
            "",
        ),
        Action::SupReopen => prompt(
            s,
            PromptFor::ReopenOrder { order: id, rev },
            &label("tui.prompt.reopen_order"),
            "",
        ),
        Action::SupInvestigate => prompt(
            s,
            PromptFor::Investigate { report: id, rev },
            &label("tui.prompt.investigate"),
            "",
        ),
        Action::SupLink => {
            // The plan selected in the plans pane, else an id to type.
            let initial = super::plans::selected(s)
                .map(|p| p.id.to_string())
                .unwrap_or_else(|| "PLAN-".into());
            prompt(
                s,
                PromptFor::LinkReport { report: id, rev },
                &label("tui.prompt.link_report"),
                &initial,
            )
        }
        Action::SupReply => prompt(
            s,
            PromptFor::ReplyReport { report: id, rev },
            &label("tui.prompt.reply_report"),
            "",
        ),
        Action::SupClose => s.popups.push(Popup::Confirm {
            message: label("tui.confirm.close_order"),
            then: Confirmed::Job(Box::new(Job::Execute {
                cmd: Command::OrderClose { id },
                expect_rev: Some(rev),
                label: t("tui.done.order_closed", &[]),
            })),
        }),
        _ => {}
    }
}

/// Carry out a supervision prompt's text: the command, at the revision shown.
pub fn submit_prompt(purpose: &PromptFor, text: &str, fx: &mut Vec<Effect>) -> Result<(), String> {
    let (cmd, rev, done) = match purpose {
        PromptFor::SendBack { order, rev } => (
            Command::OrderSendBack {
                id: *order,
                reason: text.into(),
            },
            *rev,
            "tui.done.sent_back",
        ),
        PromptFor::ReopenOrder { order, rev } => (
            Command::OrderReopen {
                id: *order,
                reason: text.into(),
            },
            *rev,
            "tui.done.reopened_order",
        ),
        PromptFor::Investigate { report, rev } => (
            Command::ReportInvestigate {
                id: *report,
                notes: text.into(),
            },
            *rev,
            "tui.done.investigated",
        ),
        PromptFor::LinkReport { report, rev } => {
            let plan = Id::parse_kind(text, IdKind::Plan)
                .map_err(|_| crate::Error::input(&t("cli.col.plan", &[]), text, "PLAN-2026-0001").message())?;
            (Command::ReportLink { id: *report, plan }, *rev, "tui.done.linked")
        }
        PromptFor::ReplyReport { report, rev } => (
            Command::ReportReply {
                id: *report,
                reply: text.into(),
            },
            *rev,
            "tui.done.replied",
        ),
        _ => return Ok(()),
    };
    fx.push(Effect::Job(Job::Execute {
        cmd,
        expect_rev: Some(rev),
        label: t(done, &[]),
    }));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::super::Msg;
    use super::*;

    fn changed(action: &str) -> Msg {
        Msg::Changed(crate::server::Changed {
            seq: 9,
            entities: vec!["X".into()],
            actor: "someone".into(),
            action: action.into(),
        })
    }

    /// What the pane asks the worker for: `Some(reports)` for a supervision load.
    fn asked(fx: &[Effect]) -> Option<bool> {
        fx.iter().find_map(|e| match e {
            Effect::Job(Job::Supervision { reports }) => Some(*reports),
            _ => None,
        })
    }

    /// Each read of the confidential reports is audited as the user's: the pane
    /// reads them on entering and on the user's refresh, and after someone
    /// else's change only when that change concerns a report.
    #[test]
    fn reports_are_read_again_only_when_a_change_concerns_them() {
        let (keymap, _) = super::super::super::keymap::Keymap::load(None);
        let mut s = State::new("chen".into(), vec![Role::Supervisor], "here".into(), keymap, vec![]);
        s.loading = false;
        let mut fx = Vec::new();
        super::super::action(&mut s, Action::GotoSupervision, &mut fx);
        assert_eq!(asked(&fx), Some(true));
        loaded(&mut s, Vec::new(), Some(Vec::new()));
        let fx = super::super::update(&mut s, changed("plan.submit"));
        assert_eq!(asked(&fx), Some(false), "{fx:?}");
        loaded(&mut s, Vec::new(), None);
        assert_eq!(s.supervision.reports, Some(Vec::new()), "the reports shown stay");
        s.loading = false;
        let fx = super::super::update(&mut s, changed("report.investigate"));
        assert_eq!(asked(&fx), Some(true), "{fx:?}");
        s.loading = false;
        s.supervision.loading = false;
        let mut fx = Vec::new();
        super::super::action(&mut s, Action::Refresh, &mut fx);
        assert_eq!(asked(&fx), Some(true), "{fx:?}");
        // Someone who may not read reports never asks for them.
        let (keymap, _) = super::super::super::keymap::Keymap::load(None);
        let mut s = State::new("wang".into(), vec![Role::Operator], "here".into(), keymap, vec![]);
        let mut fx = Vec::new();
        super::super::action(&mut s, Action::GotoSupervision, &mut fx);
        assert_eq!(asked(&fx), Some(false));
    }
}
