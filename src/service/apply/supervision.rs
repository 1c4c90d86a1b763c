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
            let o = issue(tx, ctx, target, finding, required_action, *deadline)?;
            done(tx, cmd, &order_entities(&o), Some(1), format!("deadline {deadline}"))
        }
        C::OrderRespond { id, .. } => order_step(tx, ctx, cmd, *id, expect, "responded".into()),
        C::OrderClose { id } => order_step(tx, ctx, cmd, *id, expect, "closed".into()),
        C::OrderExtend { id, deadline, .. } => order_step(tx, ctx, cmd, *id, expect, format!("deadline → {deadline}")),
        C::OrderSendBack { id, .. } => order_step(tx, ctx, cmd, *id, expect, "sent back".into()),
        C::OrderReopen { id, .. } => order_step(tx, ctx, cmd, *id, expect, "reopened".into()),
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
                replied_by: None,
                replied_at: None,
                plan: None,
                order: None,
                meta: Meta::new(&ctx.actor.name, ctx.now),
            };
            tx.insert(&mut r)?;
            // The audit log is read by supervisors only, but it still names no content.
            done(tx, cmd, &[id.to_string()], Some(1), "received".into())
        }
        C::ReportInvestigate { id, .. } => report_step(tx, ctx, cmd, *id, expect, "investigating".into(), &[]),
        C::ReportReply { id, .. } => report_step(tx, ctx, cmd, *id, expect, "replied, closed".into(), &[]),
        C::ReportLink { id, plan } => {
            tx.load::<Plan>(*plan, None)?;
            report_step(tx, ctx, cmd, *id, expect, format!("→ {plan}"), &[plan.to_string()])
        }
        C::ReportToOrder {
            id,
            target,
            finding,
            required_action,
            deadline,
        } => {
            let mut r: ConfidentialReport = tx.load(*id, expect)?;
            wf::decide_report(&mut r.clone(), cmd, ctx)?;
            let Some(target) = target.clone().or(r.plan.map(OrderTarget::Plan)) else {
                return Err(wf::RuleError::NoOrderTarget { report: id.to_string() }.into());
            };
            // The report's finding: what the investigation established.
            let finding = finding
                .clone()
                .filter(|f| !f.trim().is_empty())
                .unwrap_or_else(|| r.investigation.clone());
            // The order first, audited as any issued order …
            let o = issue(tx, ctx, &target, &finding, required_action, *deadline)?;
            let issue_cmd = Command::OrderIssue {
                target,
                finding,
                required_action: required_action.clone(),
                deadline: *deadline,
            };
            done(
                tx,
                &issue_cmd,
                &order_entities(&o),
                Some(1),
                format!("deadline {deadline}"),
            )?;
            // … then the report that became it.
            let before = r.tracked();
            wf::report_ordered(&mut r, o.id, ctx)?;
            tx.save(&mut r)?;
            let changed = changes(&before, &r.tracked());
            let mut entities = vec![id.to_string(), o.id.to_string()];
            if let OrderTarget::Plan(p) = &o.target {
                entities.push(p.to_string());
            }
            let summary = format!("{id} → {}", o.id);
            let out = done_with(tx, cmd, &entities, Some(r.meta.rev), summary, changed)?;
            // What was created is the order: the outcome names it (a new record
            // is selected by its id), at its first revision.
            Ok(Outcome {
                entity: o.id.to_string(),
                rev: Some(o.meta.rev),
                ..out
            })
        }
        C::RecognitionAdd {
            kind,
            recipient,
            reason,
            related,
            date,
        } => {
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
                    IdKind::JointReview => tx.get::<JointMeeting>(*rid)?.is_some(),
                    IdKind::Template => tx.get::<Template>(*rid)?.is_some(),
                    IdKind::Person => tx.get::<Person>(*rid)?.is_some(),
                    IdKind::Department => tx.get::<Department>(*rid)?.is_some(),
                    IdKind::Vendor => tx.get::<Vendor>(*rid)?.is_some(),
                    IdKind::Mail => false,
                    // A confidential report is not named outside supervision.
                    IdKind::Report => false,
                };
                if !found {
                    return Err(Error::not_found(rid));
                }
            }
            let recipient = match recipient {
                Recipient::Person(n) => Recipient::Person(wf::non_empty(n, "person")?),
                Recipient::Department(n) => Recipient::Department(wf::non_empty(n, "department")?),
                Recipient::Team { name, members } => {
                    let name = wf::non_empty(name, "team")?;
                    if *kind == RecognitionKind::Penalty {
                        // §5.3 criticises departments and people, not teams.
                        return Err(Error::input(
                            "team",
                            &name,
                            &crate::i18n::t("recognition.team_penalty", &[]),
                        ));
                    }
                    let mut members: Vec<String> = members
                        .iter()
                        .map(|m| m.trim().to_string())
                        .filter(|m| !m.is_empty())
                        .collect();
                    if members.is_empty() {
                        // The team of the plans it rests on: their staff.
                        for rid in related {
                            let plan = match rid.kind {
                                IdKind::Plan => tx.get::<Plan>(*rid)?,
                                IdKind::Dossier => Some(tx.dossier(*rid)?.plan),
                                _ => None,
                            };
                            members.extend(
                                plan.into_iter()
                                    .flat_map(|p| p.staff)
                                    .map(|s| s.person.trim().to_string()),
                            );
                        }
                    }
                    let mut seen = std::collections::BTreeSet::new();
                    members.retain(|m| !m.is_empty() && seen.insert(m.clone()));
                    if members.is_empty() {
                        return Err(Error::input(
                            "member",
                            "",
                            &crate::i18n::t("recognition.team_members", &[]),
                        ));
                    }
                    Recipient::Team { name, members }
                }
            };
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

/// Issue a rectification order (a plan target must exist; the deadline lies
/// today or later) and store it.
fn issue(
    tx: &Tx,
    ctx: &Ctx,
    target: &OrderTarget,
    finding: &str,
    required_action: &str,
    deadline: chrono::NaiveDate,
) -> Result<RectificationOrder> {
    let target = match target {
        OrderTarget::Plan(p) => {
            tx.load::<Plan>(*p, None)?;
            OrderTarget::Plan(*p)
        }
        OrderTarget::Department(d) => OrderTarget::Department(wf::non_empty(d, "department")?),
    };
    wf::check_deadline(deadline, ctx)?;
    let finding = wf::non_empty(finding, "finding")?;
    let required_action = wf::non_empty(required_action, "required_action")?;
    let id = tx.alloc_id(IdKind::Order)?;
    let mut o = RectificationOrder {
        id,
        issuer: ctx.actor.name.clone(),
        target,
        finding,
        required_action,
        deadline,
        status: OrderStatus::Open,
        response: None,
        responded_by: None,
        extensions: Vec::new(),
        responses: Vec::new(),
        closings: Vec::new(),
        meta: Meta::new(&ctx.actor.name, ctx.now),
    };
    tx.insert(&mut o)?;
    Ok(o)
}

/// The records an order's events are indexed under: the order, and its plan.
fn order_entities(o: &RectificationOrder) -> Vec<String> {
    let mut entities = vec![o.id.to_string()];
    if let OrderTarget::Plan(p) = &o.target {
        entities.push(p.to_string());
    }
    entities
}

/// One step on an order: load it, let the rules decide, save it, audit the
/// fields it changed.
fn order_step(tx: &Tx, ctx: &Ctx, cmd: &Command, id: Id, expect: Option<u64>, summary: String) -> Result<Outcome> {
    let mut o: RectificationOrder = tx.load(id, expect)?;
    let before = o.tracked();
    wf::decide_order(&mut o, cmd, ctx)?;
    tx.save(&mut o)?;
    let changed = changes(&before, &o.tracked());
    done_with(tx, cmd, &order_entities(&o), Some(o.meta.rev), summary, changed)
}

/// One step on a confidential report, audited by its status, plan and order
/// (never its content); `also`: other records the event concerns.
fn report_step(
    tx: &Tx,
    ctx: &Ctx,
    cmd: &Command,
    id: Id,
    expect: Option<u64>,
    summary: String,
    also: &[String],
) -> Result<Outcome> {
    let mut r: ConfidentialReport = tx.load(id, expect)?;
    let before = r.tracked();
    wf::decide_report(&mut r, cmd, ctx)?;
    tx.save(&mut r)?;
    let changed = changes(&before, &r.tracked());
    let mut entities = vec![id.to_string()];
    entities.extend(also.iter().cloned());
    done_with(tx, cmd, &entities, Some(r.meta.rev), summary, changed)
}
