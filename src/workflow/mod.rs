//! The rules of the process, once, for every interface: status transitions, the
//! gates between them, and the permission table. Pure: no I/O, no clock, no
//! storage. Functions take the records involved and a [`Ctx`], change the records
//! or refuse with a [`RuleError`] that names what is wrong.

mod after;
pub mod attach;
pub mod attention;
mod calendar;
pub mod command;
mod error;
pub mod forward;
mod joint;
pub mod mail;
mod offers;
pub mod people;
pub mod permissions;
pub mod persona;
mod plan;
mod request;
pub mod substitute;
mod supervision;
mod template;
mod undo;

pub use after::{
    all_incidents, close_failed, decide_after, feedback_linkable, gates_after, goal_list, is_after, last_rollback,
    link_feedback, live_golive_no, record_incident, record_review, review_due, review_of, review_probe, review_state,
    training_after_filing, went_live, After, Recorded, ReviewState,
};
pub use attention::{attention, AttentionInput, AttentionItem, AttentionKind, RequestHead};
pub use calendar::{blackout_conflicts, blackouts_at, name_is_new, BlackoutHit};
pub use error::{persona_list, FilingMissing, GoLiveMissing, PlanField, RuleError};
pub use joint::*;
pub use offers::{
    order_offers, plan_offers, report_offers, request_of_summary, request_offers, summary_offers, Offer, Offers,
};
pub use permissions::{allowed, check, Op};
pub use plan::*;
pub use request::*;
pub use supervision::*;
pub use template::*;
pub use undo::{inverse, undo_reason};

use crate::model::{Actor, Time};

/// Who acts, when, and the process settings in force (`config.toml` `[process]`).
#[derive(Debug, Clone)]
pub struct Ctx<'a> {
    pub actor: &'a Actor,
    /// The clock, as an argument: rules never read it themselves.
    pub now: Time,
    pub rules: crate::config::Process,
    /// The member of the Leading Group the actor stands in for, as their named
    /// substitute ([`substitute`]), when deciding as an approver.
    pub on_behalf_of: Option<String>,
}

impl Ctx<'_> {
    /// The member of the Leading Group whose decision an approver's act is.
    pub fn member(&self) -> &str {
        self.on_behalf_of.as_deref().unwrap_or(&self.actor.name)
    }
    /// The latest time a recorded event may claim: now plus the allowed clock skew.
    pub fn latest_allowed(&self) -> Time {
        self.now + chrono::Duration::minutes(self.rules.clock_skew_minutes as i64)
    }
    /// Today in the local calendar.
    pub fn today(&self) -> chrono::NaiveDate {
        self.now.with_timezone(&chrono::Local).date_naive()
    }
}

/// `entity` is in `status` and so cannot `action`; `allowed`: the labels of
/// the statuses in which it could (what to do next: get it there first).
pub(crate) fn transition(
    entity: impl ToString,
    status: impl ToString,
    action: &str,
    allowed: Vec<String>,
) -> RuleError {
    RuleError::Transition {
        entity: entity.to_string(),
        status: status.to_string(),
        action: action.to_string(),
        allowed,
    }
}

/// The label of a field named in a refusal (`field.<name>` in the locale file),
/// or the name itself when it has none.
pub fn field_label(name: &str) -> String {
    let key = format!("field.{name}");
    let s = crate::i18n::t(&key, &[]);
    if s == key {
        name.to_string()
    } else {
        s
    }
}

/// The label of an action named in a refusal (`action.<name>`, else the
/// label of the command of that audit name, `audit.action.<name>`).
pub fn action_label(name: &str) -> String {
    let lang = crate::i18n::current();
    for key in [format!("action.{name}"), format!("audit.action.{name}")] {
        if crate::i18n::has(&lang, &key) {
            return crate::i18n::t(&key, &[]);
        }
    }
    name.to_string()
}

/// What a refusal names by kind and number (`item #3`, `defect D2`): the
/// kind by its label (`field.<kind>`), the number as it is.
pub fn thing_label(what: &str) -> String {
    match what.split_once(' ') {
        Some((kind, rest)) if crate::i18n::has(&crate::i18n::current(), &format!("field.{kind}")) => {
            format!("{} {rest}", field_label(kind))
        }
        _ => what.to_string(),
    }
}

pub(crate) fn required(text: &str, action: &str) -> Result<String, RuleError> {
    let t = text.trim();
    if t.is_empty() {
        Err(RuleError::ReasonRequired {
            action: action.to_string(),
        })
    } else {
        Ok(t.to_string())
    }
}

pub fn non_empty(text: &str, field: &str) -> Result<String, RuleError> {
    let t = text.trim();
    if t.is_empty() {
        Err(RuleError::Empty {
            field: field.to_string(),
        })
    } else {
        Ok(t.to_string())
    }
}
