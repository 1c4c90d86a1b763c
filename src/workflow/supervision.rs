//! Rectification orders and confidential reports (§5.1).

use super::{non_empty, required, transition, Ctx, RuleError};

/// A rectification order's deadline (§5.1) lies today or later: an order is
/// never overdue at birth.
pub fn check_deadline(deadline: chrono::NaiveDate, ctx: &Ctx) -> Result<(), RuleError> {
    let today = ctx.today();
    if deadline < today {
        return Err(RuleError::DateInPast {
            field: "deadline".into(),
            date: deadline.to_string(),
            today: today.to_string(),
        });
    }
    Ok(())
}
use crate::model::{ConfidentialReport, OrderStatus, RectificationOrder, ReportStatus};

pub fn respond_order(o: &mut RectificationOrder, response: &str, ctx: &Ctx) -> Result<(), RuleError> {
    if o.status == OrderStatus::Closed {
        return Err(transition(
            o.id,
            o.status.label(),
            "respond",
            vec![OrderStatus::Open.label(), OrderStatus::Responded.label()],
        ));
    }
    o.response = Some(non_empty(response, "response")?);
    o.responded_by = Some(ctx.actor.name.clone());
    o.status = OrderStatus::Responded;
    Ok(())
}

pub fn close_order(o: &mut RectificationOrder, _ctx: &Ctx) -> Result<(), RuleError> {
    if o.status != OrderStatus::Responded {
        return Err(transition(
            o.id,
            o.status.label(),
            "close",
            vec![OrderStatus::Responded.label()],
        ));
    }
    o.status = OrderStatus::Closed;
    Ok(())
}

/// Add investigation notes; the report is then under investigation.
pub fn investigate(r: &mut ConfidentialReport, notes: &str, _ctx: &Ctx) -> Result<(), RuleError> {
    if r.status == ReportStatus::Closed {
        return Err(transition(r.id, r.status.label(), "investigate", open_report()));
    }
    let notes = non_empty(notes, "investigation")?;
    if !r.investigation.is_empty() {
        r.investigation.push('\n');
    }
    r.investigation.push_str(&notes);
    r.status = ReportStatus::Investigating;
    Ok(())
}

/// Record what the reporter was told, and close the report.
pub fn reply_report(r: &mut ConfidentialReport, reply: &str, _ctx: &Ctx) -> Result<(), RuleError> {
    if r.status == ReportStatus::Closed {
        return Err(transition(r.id, r.status.label(), "reply", open_report()));
    }
    r.reply = Some(required(reply, "reply")?);
    r.status = ReportStatus::Closed;
    Ok(())
}

/// The statuses in which a confidential report is still handled.
fn open_report() -> Vec<String> {
    vec![ReportStatus::Received.label(), ReportStatus::Investigating.label()]
}
