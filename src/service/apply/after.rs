//! After go-live (§2.3, §3.4, §4.3): rollbacks and incidents, closing as
//! failed, the review, training after filing and post-update feedback. The
//! rules (`workflow::decide_after`, `workflow::link_feedback`) say what a
//! record changes and where it goes; this file loads what they read, saves the
//! live plan or appends the typed addendum to the filed plan's dossier (sealed
//! by the audit event of the same transaction), and does what a record does to
//! other records: a rollback puts the system's version back, a plan closed as
//! failed releases its requests.

use super::{arrow, done_with, misrouted};
use crate::error::Result;
use crate::model::*;
use crate::service::{Command, Outcome};
use crate::store::Tx;
use crate::workflow::{self as wf, After, Ctx, Recorded};

pub(super) fn apply(tx: &Tx, ctx: &Ctx, cmd: &Command, expect: Option<u64>) -> Result<Outcome> {
    use Command as C;
    match cmd {
        C::PlanIncident { plan, .. }
        | C::PlanFail { plan, .. }
        | C::PlanReview { plan, .. }
        | C::Training { plan, .. } => record(tx, ctx, cmd, *plan, expect),
        C::RequestFeedback { id, plan } => feedback(tx, ctx, cmd, *id, *plan, expect),
        other => Err(misrouted(other)),
    }
}

/// The requests linked to the plan as post-update feedback, as they are now:
/// those of the plan and, for a filed plan, those of its addenda.
fn feedback_requests(tx: &Tx, p: &Plan, addenda: &[Addendum]) -> Result<Vec<Request>> {
    let mut ids = p.feedback.clone();
    for a in addenda {
        if let AddendumBody::Feedback(r) = &a.body {
            if !ids.contains(&r.id) {
                ids.push(r.id);
            }
        }
    }
    ids.iter().map(|id| tx.load(*id, None)).collect()
}

fn record(tx: &Tx, ctx: &Ctx, cmd: &Command, id: Id, expect: Option<u64>) -> Result<Outcome> {
    let mut p: Plan = tx.load(id, expect)?;
    if !wf::is_after(cmd, &p) {
        // Training on a plan that is not filed: an ordinary step of the plan.
        return super::plans::apply(tx, ctx, cmd, expect);
    }
    let before = p.tracked();
    let from = p.status;
    let addenda = match p.dossier {
        Some(d) => tx.addenda(d)?,
        None => Vec::new(),
    };
    let feedback = feedback_requests(tx, &p, &addenda)?;
    let after = After {
        addenda: &addenda,
        feedback: &feedback,
    };
    let (recorded, detail) = wf::decide_after(&mut p, cmd, &after, ctx)?;
    let mut entities = vec![id.to_string()];
    let mut changed = Vec::new();
    let mut rev = Some(p.meta.rev);
    let mut summary = detail;
    match recorded {
        Recorded::Plan => {
            tx.save(&mut p)?;
            rev = Some(p.meta.rev);
            changed = changes(&before, &p.tracked());
            if from != p.status {
                summary = format!("{}: {summary}", arrow(from, p.status));
            }
        }
        Recorded::Addendum(body) => {
            let dossier = p.dossier.ok_or_else(|| crate::error::Error::Storage {
                detail: format!("{} is filed without a dossier", p.id),
            })?;
            let no = tx.append_addendum(dossier, String::new(), String::new(), body)?;
            entities.push(dossier.to_string());
            summary = format!("{}: {summary}", crate::store::chain::addendum_ref(dossier, no));
        }
    }
    match cmd {
        // The system runs the version from before the update again.
        Command::PlanIncident {
            outcome: IncidentOutcome::RolledBack,
            ..
        } => {
            let mut sys: System = tx.load(p.system, None)?;
            let deployed = p.live_golive().map(|g| g.version.clone());
            if deployed.as_deref() == Some(sys.version.as_str()) && sys.version != p.version_from {
                let was = sys.tracked();
                sys.version = p.version_from.clone();
                tx.save(&mut sys)?;
                entities.push(sys.id.to_string());
                let item = sys.id.to_string();
                changed.extend(changes(&was, &sys.tracked()).into_iter().map(|c| FieldChange {
                    item: item.clone(),
                    ..c
                }));
            }
        }
        // Its requests are free for another plan, as when a plan is cancelled.
        Command::PlanFail { .. } => {
            for rid in &p.requests {
                let mut r: Request = tx.load(*rid, None)?;
                wf::release(&mut r);
                tx.save(&mut r)?;
                entities.push(rid.to_string());
            }
        }
        _ => {}
    }
    done_with(tx, cmd, &entities, rev, summary, changed)
}

fn feedback(tx: &Tx, ctx: &Ctx, cmd: &Command, id: Id, plan: Id, expect: Option<u64>) -> Result<Outcome> {
    let mut r: Request = tx.load(id, expect)?;
    let mut p: Plan = tx.load(plan, None)?;
    let before = r.tracked();
    let plan_before = p.tracked();
    let recorded = wf::link_feedback(&mut r, &mut p, ctx)?;
    tx.save(&mut r)?;
    let mut entities = vec![id.to_string(), plan.to_string()];
    let mut changed = changes(&before, &r.tracked());
    let mut summary = plan.to_string();
    match recorded {
        Recorded::Plan => {
            tx.save(&mut p)?;
            let item = plan.to_string();
            changed.extend(changes(&plan_before, &p.tracked()).into_iter().map(|c| FieldChange {
                item: item.clone(),
                ..c
            }));
        }
        Recorded::Addendum(body) => {
            let dossier = p.dossier.ok_or_else(|| crate::error::Error::Storage {
                detail: format!("{} is filed without a dossier", p.id),
            })?;
            let no = tx.append_addendum(dossier, String::new(), String::new(), body)?;
            entities.push(dossier.to_string());
            summary = crate::store::chain::addendum_ref(dossier, no);
        }
    }
    done_with(tx, cmd, &entities, Some(r.meta.rev), summary, changed)
}
