//! Rectification orders and confidential reports (§5.1).
//!
//! An order is issued with a deadline (open), answered by the department
//! (responded), and closed by a supervisor. A supervisor may extend the
//! deadline (later, never into the past, with a reason), send a response back
//! as insufficient (open again, the response kept), and reopen a closed order
//! (with a reason). A confidential report is investigated (notes) before the
//! reporter is answered and the report closed; it may be linked to a plan and
//! turned into an order. Every step keeps what it replaces.

use super::{non_empty, required, transition, Ctx, RuleError};
use crate::model::{
    Closing, ConfidentialReport, Extension, Id, OrderResponse, OrderStatus, RectificationOrder, ReportStatus, Ruling,
};

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

fn ruling(reason: &str, action: &str, ctx: &Ctx) -> Result<Ruling, RuleError> {
    Ok(Ruling {
        reason: required(reason, action)?,
        by: ctx.actor.name.clone(),
        at: ctx.now,
    })
}

/// The department answers the order: what was done. Only an open order is
/// answered; a responded one waits for the supervisor (close, or send back).
pub fn respond_order(o: &mut RectificationOrder, response: &str, ctx: &Ctx) -> Result<(), RuleError> {
    o.upgrade();
    if o.status != OrderStatus::Open {
        return Err(transition(
            o.id,
            o.status.label(),
            "order.respond",
            vec![OrderStatus::Open.label()],
        ));
    }
    let text = non_empty(response, "response")?;
    o.responses.push(OrderResponse {
        text: text.clone(),
        by: ctx.actor.name.clone(),
        at: Some(ctx.now),
        sent_back: None,
    });
    o.response = Some(text);
    o.responded_by = Some(ctx.actor.name.clone());
    o.status = OrderStatus::Responded;
    Ok(())
}

/// A supervisor accepts the response and closes the order.
pub fn close_order(o: &mut RectificationOrder, ctx: &Ctx) -> Result<(), RuleError> {
    o.upgrade();
    if o.status != OrderStatus::Responded {
        return Err(transition(
            o.id,
            o.status.label(),
            "order.close",
            vec![OrderStatus::Responded.label()],
        ));
    }
    o.closings.push(Closing {
        by: ctx.actor.name.clone(),
        at: ctx.now,
        reopened: None,
    });
    o.status = OrderStatus::Closed;
    Ok(())
}

/// A supervisor moves the deadline of an order not yet closed to a later day,
/// not in the past, with a reason. The old deadline stays in the extension.
pub fn extend_order(
    o: &mut RectificationOrder,
    deadline: chrono::NaiveDate,
    reason: &str,
    ctx: &Ctx,
) -> Result<(), RuleError> {
    o.upgrade();
    if o.status == OrderStatus::Closed {
        return Err(transition(
            o.id,
            o.status.label(),
            "order.extend",
            vec![OrderStatus::Open.label(), OrderStatus::Responded.label()],
        ));
    }
    if deadline <= o.deadline {
        return Err(RuleError::DeadlineNotLater {
            order: o.id.to_string(),
            current: o.deadline.to_string(),
            new: deadline.to_string(),
        });
    }
    check_deadline(deadline, ctx)?;
    let reason = required(reason, "order.extend")?;
    o.extensions.push(Extension {
        from: o.deadline,
        to: deadline,
        reason,
        by: ctx.actor.name.clone(),
        at: ctx.now,
    });
    o.deadline = deadline;
    Ok(())
}

/// A supervisor finds the response insufficient: it stays on record with the
/// reason, and the order is open again for a new response.
pub fn send_back_order(o: &mut RectificationOrder, reason: &str, ctx: &Ctx) -> Result<(), RuleError> {
    o.upgrade();
    if o.status != OrderStatus::Responded {
        return Err(transition(
            o.id,
            o.status.label(),
            "order.send_back",
            vec![OrderStatus::Responded.label()],
        ));
    }
    let r = ruling(reason, "order.send_back", ctx)?;
    if let Some(last) = o.responses.last_mut() {
        last.sent_back = Some(r);
    }
    o.response = None;
    o.responded_by = None;
    o.status = OrderStatus::Open;
    Ok(())
}

/// A supervisor reopens a closed order (the rectification did not hold): the
/// closing stays on record with the reason; the order is open for a new
/// response, under the deadline in force (extend it if it has passed).
pub fn reopen_order(o: &mut RectificationOrder, reason: &str, ctx: &Ctx) -> Result<(), RuleError> {
    o.upgrade();
    if o.status != OrderStatus::Closed {
        return Err(transition(
            o.id,
            o.status.label(),
            "order.reopen",
            vec![OrderStatus::Closed.label()],
        ));
    }
    let r = ruling(reason, "order.reopen", ctx)?;
    if let Some(last) = o.closings.last_mut() {
        last.reopened = Some(r);
    }
    o.response = None;
    o.responded_by = None;
    o.status = OrderStatus::Open;
    Ok(())
}

/// Add investigation notes; the report is then under investigation.
pub fn investigate(r: &mut ConfidentialReport, notes: &str, _ctx: &Ctx) -> Result<(), RuleError> {
    if r.status == ReportStatus::Closed {
        return Err(transition(r.id, r.status.label(), "report.investigate", open_report()));
    }
    let notes = non_empty(notes, "investigation")?;
    if !r.investigation.is_empty() {
        r.investigation.push('\n');
    }
    r.investigation.push_str(&notes);
    r.status = ReportStatus::Investigating;
    Ok(())
}

/// Record what the reporter was told, and close the report. Only a report
/// under investigation is answered: every report is investigated (§5.1).
pub fn reply_report(r: &mut ConfidentialReport, reply: &str, ctx: &Ctx) -> Result<(), RuleError> {
    match r.status {
        ReportStatus::Closed => {
            return Err(transition(r.id, r.status.label(), "report.reply", open_report()));
        }
        ReportStatus::Received => return Err(not_investigated(r, "report.reply")),
        ReportStatus::Investigating => {}
    }
    r.reply = Some(required(reply, "report.reply")?);
    r.replied_by = Some(ctx.actor.name.clone());
    r.replied_at = Some(ctx.now);
    r.status = ReportStatus::Closed;
    Ok(())
}

/// Link the report to the plan it concerns (the service checks that the plan
/// exists). A closed report keeps its record as it was closed.
pub fn link_report(r: &mut ConfidentialReport, plan: Id, _ctx: &Ctx) -> Result<(), RuleError> {
    if r.status == ReportStatus::Closed {
        return Err(transition(r.id, r.status.label(), "report.link", open_report()));
    }
    r.plan = Some(plan);
    Ok(())
}

/// May the report be turned into a rectification order now? It must be under
/// investigation (the finding is the investigation's) and not have become an
/// order already.
pub fn can_order(r: &ConfidentialReport) -> Result<(), RuleError> {
    match r.status {
        ReportStatus::Closed => {
            return Err(transition(
                r.id,
                r.status.label(),
                "report.to_order",
                vec![ReportStatus::Investigating.label()],
            ))
        }
        ReportStatus::Received => return Err(not_investigated(r, "report.to_order")),
        ReportStatus::Investigating => {}
    }
    if let Some(o) = r.order {
        return Err(RuleError::ReportOrdered {
            report: r.id.to_string(),
            order: o.to_string(),
        });
    }
    Ok(())
}

/// The report became the order `order` (issued in the same transaction).
pub fn report_ordered(r: &mut ConfidentialReport, order: Id, _ctx: &Ctx) -> Result<(), RuleError> {
    can_order(r)?;
    r.order = Some(order);
    Ok(())
}

fn not_investigated(r: &ConfidentialReport, action: &str) -> RuleError {
    RuleError::NotInvestigated {
        report: r.id.to_string(),
        action: action.to_string(),
    }
}

/// The statuses in which a confidential report is still handled.
fn open_report() -> Vec<String> {
    vec![ReportStatus::Received.label(), ReportStatus::Investigating.label()]
}

/// Decide one command on an order: every step of an order, once, for the
/// service (which saves and audits) and for the offers (on a copy).
pub fn decide_order(o: &mut RectificationOrder, cmd: &super::command::Command, ctx: &Ctx) -> Result<(), RuleError> {
    use super::command::Command as C;
    match cmd {
        C::OrderRespond { response, .. } => respond_order(o, response, ctx),
        C::OrderClose { .. } => close_order(o, ctx),
        C::OrderExtend { deadline, reason, .. } => extend_order(o, *deadline, reason, ctx),
        C::OrderSendBack { reason, .. } => send_back_order(o, reason, ctx),
        C::OrderReopen { reason, .. } => reopen_order(o, reason, ctx),
        other => Err(transition(o.id, o.status.label(), other.name(), Vec::new())),
    }
}

/// Decide one command on a confidential report (turning it into an order:
/// whether it may be; the service issues the order and records it).
pub fn decide_report(r: &mut ConfidentialReport, cmd: &super::command::Command, ctx: &Ctx) -> Result<(), RuleError> {
    use super::command::Command as C;
    match cmd {
        C::ReportInvestigate { notes, .. } => investigate(r, notes, ctx),
        C::ReportReply { reply, .. } => reply_report(r, reply, ctx),
        C::ReportLink { plan, .. } => link_report(r, *plan, ctx),
        C::ReportToOrder { target, .. } => {
            can_order(r)?;
            if target.is_none() && r.plan.is_none() {
                return Err(RuleError::NoOrderTarget {
                    report: r.id.to_string(),
                });
            }
            Ok(())
        }
        other => Err(transition(r.id, r.status.label(), other.name(), Vec::new())),
    }
}
