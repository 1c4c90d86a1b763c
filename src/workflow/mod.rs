//! The rules of the process, once, for every interface: status transitions, the
//! gates between them, and the permission table. Pure: no I/O, no clock, no
//! storage. Functions take the records involved and a [`Ctx`], change the records
//! or refuse with a [`RuleError`] that names what is wrong.

mod calendar;
mod error;
pub mod permissions;
mod plan;
mod request;
mod supervision;

pub use calendar::{blackout_conflicts, BlackoutHit};
pub use error::{FilingMissing, GoLiveMissing, PlanField, RuleError};
pub use permissions::{check, Op};
pub use plan::*;
pub use request::*;
pub use supervision::*;

use crate::model::{Actor, Time};

/// Who acts, when, and the process settings in force.
#[derive(Debug, Clone)]
pub struct Ctx<'a> {
    pub actor: &'a Actor,
    pub now: Time,
    /// Days the update notice must precede the maintenance window (§3.2).
    pub notice_days: u32,
}

pub(crate) fn transition(entity: impl ToString, status: impl ToString, action: &str) -> RuleError {
    RuleError::Transition {
        entity: entity.to_string(),
        status: status.to_string(),
        action: action.to_string(),
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
