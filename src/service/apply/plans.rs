//! Update plans and everything recorded against them until filing (§3.2–§3.5).
//! The rules decide each step on the plan (`workflow::decide_plan`); this file
//! loads and saves, and does what a step does to other records: releasing
//! requests, the system's version, the frozen dossier.

use super::{arrow, done, done_with, misrouted};
use crate::error::Result;
use crate::model::*;
use crate::service::{default_notice_text, Command, Outcome};
use crate::store::Tx;
use crate::workflow::{self as wf, Ctx};

pub(super) fn apply(tx: &Tx, ctx: &Ctx, cmd: &Command, expect: Option<u64>) -> Result<Outcome> {
    use Command as C;
    match cmd {
        C::PlanNew {
            system,
            title,
            version_from,
            version_to,
            class,
            template,
        } => {
            let sys: System = tx.load(*system, None)?;
            let title = wf::non_empty(title, "title")?;
            let version_to = wf::non_empty(version_to, "version_to")?;
            let template: Option<Template> = template.map(|t| tx.load(t, None)).transpose()?;
            let id = tx.alloc_id(IdKind::Plan)?;
            let from = version_from.clone().unwrap_or_else(|| sys.version.clone());
            let mut p = wf::new_plan_of(id, &sys, &title, &from, &version_to, *class, template.as_ref(), ctx)?;
            tx.insert(&mut p)?;
            let mut summary = format!("{} {} {}", sys.name, arrow(&p.version_from, &p.version_to), p.title);
            if p.class != ChangeClass::Normal {
                summary = format!("{summary} [{}]", p.class);
            }
            let mut entities = vec![id.to_string()];
            if let Some(t) = &template {
                summary = format!("{summary} ← {}", t.id);
                entities.push(t.id.to_string());
            }
            done(tx, cmd, &entities, Some(1), summary)
        }
        C::PlanNotice { id, text, audience } => {
            // No text: the draft edited before, else the notice generated from
            // the plan and its system in the plan's notice language.
            let text = match text {
                Some(t) if !t.trim().is_empty() => Some(t.clone()),
                _ => {
                    let p: Plan = tx.load(*id, None)?;
                    match p.notice_draft {
                        Some(_) => None,
                        None => Some(default_notice_text(&p, &tx.load(p.system, None)?)),
                    }
                }
            };
            let resolved = C::PlanNotice {
                id: *id,
                text,
                audience: audience.clone(),
            };
            step(tx, ctx, cmd, &resolved, *id, expect)
        }
        C::PlanCancel { id, .. } => {
            let (p, from, detail, changed) = decided(tx, ctx, cmd, *id, expect)?;
            let mut entities = vec![id.to_string()];
            for rid in &p.requests {
                let mut r: Request = tx.load(*rid, None)?;
                wf::release(&mut r);
                tx.save(&mut r)?;
                entities.push(rid.to_string());
            }
            done_with(
                tx,
                cmd,
                &entities,
                Some(p.meta.rev),
                format!("{}: {detail}", arrow(from, p.status)),
                changed,
            )
        }
        C::GoLive { plan, golive } => {
            let (p, from, _, mut changed) = decided(tx, ctx, cmd, *plan, expect)?;
            let mut entities = vec![plan.to_string()];
            if p.status == PlanStatus::Live {
                let mut sys: System = tx.load(p.system, None)?;
                let before = sys.tracked();
                sys.version = golive.version.clone();
                tx.save(&mut sys)?;
                entities.push(sys.id.to_string());
                let item = sys.id.to_string();
                changed.extend(changes(&before, &sys.tracked()).into_iter().map(|c| FieldChange {
                    item: item.clone(),
                    ..c
                }));
            }
            let summary = format!("{} {} {}", arrow(from, p.status), golive.outcome, golive.version);
            done_with(tx, cmd, &entities, Some(p.meta.rev), summary, changed)
        }
        C::File { plan } => {
            let mut p: Plan = tx.load(*plan, expect)?;
            let dossier_id = tx.alloc_id(IdKind::Dossier)?;
            wf::file(&mut p, dossier_id, ctx)?;
            let system: System = tx.load(p.system, None)?;
            let mut requests = Vec::new();
            let mut entities = vec![plan.to_string(), dossier_id.to_string()];
            for rid in &p.requests {
                let mut r: Request = tx.load(*rid, None)?;
                wf::complete(&mut r);
                tx.save(&mut r)?;
                entities.push(rid.to_string());
                requests.push(r);
            }
            tx.save(&mut p)?;
            // The post-update feedback as it stands (§2.3); those requests stay as they are.
            let feedback = p
                .feedback
                .iter()
                .map(|rid| tx.load(*rid, None))
                .collect::<Result<Vec<Request>>>()?;
            // The files attached to the plan and its requests, sealed with
            // their SHA-256 (issue 18).
            let mut attachments = Vec::new();
            for e in std::iter::once(p.id)
                .chain(requests.iter().map(|r| r.id))
                .chain(feedback.iter().map(|r| r.id))
            {
                attachments.extend(tx.attachments_of(&e.to_string())?.iter().map(|a| a.sealed_ref()));
            }
            let d = Dossier {
                id: dossier_id,
                filed_at: ctx.now,
                filed_by: ctx.actor.name.clone(),
                system,
                plan: p.clone(),
                requests,
                feedback,
                attachments,
            };
            tx.insert_dossier(&d)?;
            let summary = format!(
                "{dossier_id}: {} {}",
                d.system.name,
                arrow(&p.version_from, &p.version_to)
            );
            let mut out = done(tx, cmd, &entities, Some(p.meta.rev), summary)?;
            out.entity = dossier_id.to_string();
            Ok(out)
        }
        C::PlanEdit { id, .. }
        | C::PlanSubmit { id }
        | C::PlanApprove { id, .. }
        | C::PlanReturn { id, .. }
        | C::PlanImplement { id }
        | C::PlanReschedule { id, .. }
        | C::PlanNoticeDraft { id, .. }
        | C::PlanMilestone { id, .. } => step(tx, ctx, cmd, cmd, *id, expect),
        C::TestRound { plan, .. }
        | C::TestItem { plan, .. }
        | C::TestResult { plan, .. }
        | C::TestWaive { plan, .. }
        | C::DefectAdd { plan, .. }
        | C::DefectUpdate { plan, .. }
        | C::DefectAccept { plan, .. }
        | C::Backup { plan, .. }
        | C::PlanDeviation { plan, .. }
        | C::DeviationAccept { plan, .. }
        | C::Training { plan, .. }
        | C::ComparisonAdd { plan, .. }
        | C::ComparisonRemove { plan, .. } => step(tx, ctx, cmd, cmd, *plan, expect),
        other => Err(misrouted(other)),
    }
}

/// Load the plan, let the rules decide `decide` on it, save it: the plan as
/// saved, its status before, the detail of the summary and the fields changed.
fn decided(
    tx: &Tx,
    ctx: &Ctx,
    decide: &Command,
    id: Id,
    expect: Option<u64>,
) -> Result<(Plan, PlanStatus, String, Vec<FieldChange>)> {
    let mut p: Plan = tx.load(id, expect)?;
    let before = p.tracked();
    let from = p.status;
    let calendar = tx.calendar()?;
    let detail = wf::decide_plan(&mut p, decide, &calendar, ctx)?;
    tx.save(&mut p)?;
    let changed = changes(&before, &p.tracked());
    Ok((p, from, detail, changed))
}

/// One step on one plan, audited as `cmd` with the status change and the detail.
fn step(tx: &Tx, ctx: &Ctx, cmd: &Command, decide: &Command, id: Id, expect: Option<u64>) -> Result<Outcome> {
    let (p, from, detail, changed) = decided(tx, ctx, decide, id, expect)?;
    let mut summary = if from != p.status {
        arrow(from, p.status)
    } else {
        String::new()
    };
    if !detail.is_empty() {
        if !summary.is_empty() {
            summary.push_str(": ");
        }
        summary.push_str(&detail);
    }
    done_with(tx, cmd, &[id.to_string()], Some(p.meta.rev), summary, changed)
}
