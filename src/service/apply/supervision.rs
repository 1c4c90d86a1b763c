//! Supervision (§5.1): rectification orders, confidential reports, rewards and
//! penalties (§5.2, §5.3).

use super::{done, done_with, misrouted};
use crate::error::{Error, Result};
use crate::model::*;
use crate::service::{Command, Outcome};
use crate::store::Tx;
use crate::workflow::{self as wf, Ctx};

pub(super) fn apply(tx: &Tx, ctx: &Ctx, cmd: &Command, expect: Option<u64>) -> Result<Outcome> {
    use Command as C;
    match cmd {
        C::OrderIssue {
            target,
            finding,
            required_action,
            deadline,
        } => {
            if let OrderTarget::Plan(p) = target {
                tx.load::<Plan>(*p, None)?;
            }
            wf::check_deadline(*deadline, ctx)?;
            let id = tx.alloc_id(IdKind::Order)?;
            let mut o = RectificationOrder {
                id,
                issuer: ctx.actor.name.clone(),
                target: target.clone(),
                finding: wf::non_empty(finding, "finding")?,
                required_action: wf::non_empty(required_action, "required_action")?,
                deadline: *deadline,
                status: OrderStatus::Open,
                response: None,
                responded_by: None,
                meta: Meta::new(&ctx.actor.name, ctx.now),
            };
            tx.insert(&mut o)?;
            let mut entities = vec![id.to_string()];
            if let OrderTarget::Plan(p) = target {
                entities.push(p.to_string());
            }
            done(tx, cmd, &entities, Some(1), format!("deadline {deadline}"))
        }
        C::OrderRespond { id, response } => {
            let mut o: RectificationOrder = tx.load(*id, expect)?;
            let before = o.tracked();
            wf::respond_order(&mut o, response, ctx)?;
            tx.save(&mut o)?;
            let changed = changes(&before, &o.tracked());
            done_with(
                tx,
                cmd,
                &[id.to_string()],
                Some(o.meta.rev),
                "responded".into(),
                changed,
            )
        }
        C::OrderClose { id } => {
            let mut o: RectificationOrder = tx.load(*id, expect)?;
            let before = o.tracked();
            wf::close_order(&mut o, ctx)?;
            tx.save(&mut o)?;
            let changed = changes(&before, &o.tracked());
            done_with(tx, cmd, &[id.to_string()], Some(o.meta.rev), "closed".into(), changed)
        }
        C::ReportSubmit { content, contact } => {
            let id = tx.alloc_id(IdKind::Report)?;
            let mut r = ConfidentialReport {
                id,
                content: wf::non_empty(content, "content")?,
                reporter_contact: contact.clone().filter(|c| !c.trim().is_empty()),
                received_at: ctx.now,
                status: ReportStatus::Received,
                investigation: String::new(),
                reply: None,
                meta: Meta::new(&ctx.actor.name, ctx.now),
            };
            tx.insert(&mut r)?;
            // The audit log is read by supervisors only, but it still names no content.
            done(tx, cmd, &[id.to_string()], Some(1), "received".into())
        }
        C::ReportInvestigate { id, notes } => {
            let mut r: ConfidentialReport = tx.load(*id, expect)?;
            wf::investigate(&mut r, notes, ctx)?;
            tx.save(&mut r)?;
            done(tx, cmd, &[id.to_string()], Some(r.meta.rev), "investigating".into())
        }
        C::ReportReply { id, reply } => {
            let mut r: ConfidentialReport = tx.load(*id, expect)?;
            wf::reply_report(&mut r, reply, ctx)?;
            tx.save(&mut r)?;
            done(tx, cmd, &[id.to_string()], Some(r.meta.rev), "replied, closed".into())
        }
        C::RecognitionAdd {
            kind,
            recipient,
            reason,
            related,
            date,
        } => {
            let recipient = match recipient {
                Recipient::Person(n) => Recipient::Person(wf::non_empty(n, "person")?),
                Recipient::Department(n) => Recipient::Department(wf::non_empty(n, "department")?),
            };
            let reason = wf::non_empty(reason, "reason")?;
            for rid in related {
                let found = match rid.kind {
                    IdKind::Request => tx.get::<Request>(*rid)?.is_some(),
                    IdKind::Plan => tx.get::<Plan>(*rid)?.is_some(),
                    IdKind::Dossier => match tx.dossier(*rid) {
                        Ok(_) => true,
                        Err(Error::NotFound { .. }) => false,
                        Err(e) => return Err(e),
                    },
                    IdKind::Order => tx.get::<RectificationOrder>(*rid)?.is_some(),
                    IdKind::System => tx.get::<System>(*rid)?.is_some(),
                    IdKind::Recognition => tx.get::<Recognition>(*rid)?.is_some(),
                    IdKind::Template => tx.get::<Template>(*rid)?.is_some(),
                    // A confidential report is not named outside supervision.
                    IdKind::Report => false,
                };
                if !found {
                    return Err(Error::not_found(rid));
                }
            }
            let id = tx.alloc_id(IdKind::Recognition)?;
            let mut r = Recognition {
                id,
                kind: *kind,
                recipient,
                reason,
                related: related.clone(),
                issued_by: ctx.actor.name.clone(),
                date: date.unwrap_or_else(|| ctx.now.with_timezone(&chrono::Local).date_naive()),
                meta: Meta::new(&ctx.actor.name, ctx.now),
            };
            tx.insert(&mut r)?;
            let mut entities = vec![id.to_string()];
            entities.extend(related.iter().map(|i| i.to_string()));
            let summary = format!(
                "{} {}: {}",
                kind,
                r.recipient.name(),
                crate::sanitize::clean_line(&r.reason)
            );
            done(tx, cmd, &entities, Some(1), summary)
        }
        other => Err(misrouted(other)),
    }
}
