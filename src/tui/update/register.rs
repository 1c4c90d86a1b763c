//! The register pane (8): the register's people, departments and vendors, or
//! the mail outbox with each message's delivery state (`t` switches), and
//! "send now" (`s`) — the same queries and delivery as `beian register … list`,
//! `beian mail list` and `beian mail send`.

use super::super::action::Action;
use super::super::state::State;
use super::super::worker::Job;
use super::Effect;
use crate::i18n::t;
use crate::model::{Id, MailMessage, Register};

/// One row of the register list: id, kind label, name, details.
pub fn register_rows(r: &Register) -> Vec<[String; 4]> {
    let mut out = Vec::new();
    for p in &r.people {
        let mut reach = vec![p.department.clone(), p.email.clone(), p.phone.clone()];
        reach.retain(|x| !x.is_empty());
        out.push([
            p.id.to_string(),
            t("tui.register.person", &[]),
            p.name.clone(),
            reach.join(" · "),
        ]);
    }
    for d in &r.departments {
        let mut x = Vec::new();
        if !d.head.is_empty() {
            x.push(d.head.clone());
        }
        x.push(d.distribution.join(", "));
        out.push([
            d.id.to_string(),
            t("tui.register.department", &[]),
            d.name.clone(),
            x.join(" · "),
        ]);
    }
    for v in &r.vendors {
        out.push([
            v.id.to_string(),
            t("tui.register.vendor", &[]),
            v.name.clone(),
            v.support.clone(),
        ]);
    }
    out
}

/// The outbox as shown (empty when it may not be read or is not loaded).
pub fn outbox(s: &State) -> &[MailMessage] {
    match &s.register.outbox {
        Some(Ok(v)) => v,
        _ => &[],
    }
}

pub fn len(s: &State) -> usize {
    if s.register.show_outbox {
        outbox(s).len()
    } else {
        let r = &s.register.register;
        r.people.len() + r.departments.len() + r.vendors.len()
    }
}

/// The id of the selected row.
pub fn selected(s: &State) -> Option<Id> {
    let i = s.register.cursor.selected;
    if s.register.show_outbox {
        return outbox(s).get(i).map(|m| m.id);
    }
    let r = &s.register.register;
    r.people
        .iter()
        .map(|p| p.id)
        .chain(r.departments.iter().map(|d| d.id))
        .chain(r.vendors.iter().map(|v| v.id))
        .nth(i)
}

pub fn load(s: &mut State, fx: &mut Vec<Effect>) {
    s.register.loading = true;
    fx.push(Effect::Job(Job::Register));
}

pub fn loaded(s: &mut State, register: Register, outbox: std::result::Result<Vec<MailMessage>, String>) {
    s.register.loading = false;
    s.register.register = register;
    s.register.outbox = Some(outbox);
    if let Some(id) = s.register.select.take() {
        if let Some(i) = self::outbox(s).iter().position(|m| m.id == id) {
            s.register.show_outbox = true;
            s.register.cursor.selected = i;
        }
    }
    let n = len(s);
    s.register.cursor.clamp(n);
}

pub fn sent(s: &mut State, r: crate::service::mail::SendReport, fx: &mut Vec<Effect>) {
    let text = t(
        "mail.sent_summary",
        &[
            ("sent", r.sent.len().to_string()),
            ("failed", r.failed.len().to_string()),
        ],
    );
    s.toast(text, !r.failed.is_empty());
    load(s, fx);
}

pub fn action(s: &mut State, a: Action, fx: &mut Vec<Effect>) {
    match a {
        Action::RegisterToggle => {
            s.register.show_outbox = !s.register.show_outbox;
            s.register.cursor = Default::default();
            if s.register.outbox.is_none() && !s.register.loading {
                load(s, fx);
            }
        }
        Action::MailSendNow => fx.push(Effect::Job(Job::MailSend)),
        _ => {}
    }
}
