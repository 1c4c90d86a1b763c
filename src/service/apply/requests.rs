//! Requests and problem reports (§3.1).

use super::{arrow, done, done_with, misrouted};
use crate::error::{Error, Result};
use crate::model::*;
use crate::service::{new_request, Command, Outcome, Triage};
use crate::store::Tx;
use crate::workflow::{self as wf, Ctx};

pub(super) fn apply(tx: &Tx, ctx: &Ctx, cmd: &Command, expect: Option<u64>) -> Result<Outcome> {
    use Command as C;
    match cmd {
        C::RequestAdd { request: n } => {
            let mut r = new_request(tx, ctx, n)?;
            let id = r.id;
            tx.insert(&mut r)?;
            done(
                tx,
                cmd,
                &[id.to_string()],
                Some(1),
                format!("{} [{}] {}", r.kind, r.channel, r.title),
            )
        }
        // `Service::execute_at` hands imports to an `ImportSession` before this.
        C::RequestImport { .. } => Err(Error::Storage {
            detail: "an import runs in an import session, not in one transaction".into(),
        }),
        C::RequestTriage { id, triage } => {
            let mut r: Request = tx.load(*id, expect)?;
            let before = r.tracked();
            let from = r.status;
            let mut entities = vec![id.to_string()];
            let original: Option<Request> = match triage {
                Triage::Duplicate { of } => {
                    entities.push(of.to_string());
                    Some(tx.load(*of, None)?)
                }
                _ => None,
            };
            let detail = wf::decide_request(&mut r, cmd, original.as_ref(), ctx)?;
            tx.save(&mut r)?;
            done_with(
                tx,
                cmd,
                &entities,
                Some(r.meta.rev),
                format!("{}{detail}", arrow(from, r.status)),
                changes(&before, &r.tracked()),
            )
        }
        C::RequestEdit { id, edit } => {
            let mut r: Request = tx.load(*id, expect)?;
            let before = r.tracked();
            if let Some(v) = edit.system {
                tx.load::<System>(v, None)?;
            }
            let fields = wf::decide_request(&mut r, cmd, None, ctx)?;
            tx.save(&mut r)?;
            let changed = changes(&before, &r.tracked());
            done_with(tx, cmd, &[id.to_string()], Some(r.meta.rev), fields, changed)
        }
        C::RequestComment { id, .. } => {
            let mut r: Request = tx.load(*id, expect)?;
            let text = wf::decide_request(&mut r, cmd, None, ctx)?;
            tx.save(&mut r)?;
            done(tx, cmd, &[id.to_string()], Some(r.meta.rev), text)
        }
        C::RequestLink { id, plan } => {
            let mut r: Request = tx.load(*id, expect)?;
            let mut p: Plan = tx.load(*plan, None)?;
            let before = r.tracked();
            wf::link(&mut r, &mut p, ctx)?;
            tx.save(&mut r)?;
            tx.save(&mut p)?;
            done_with(
                tx,
                cmd,
                &[id.to_string(), plan.to_string()],
                Some(r.meta.rev),
                format!("→ {plan}"),
                changes(&before, &r.tracked()),
            )
        }
        C::RequestReopen { id, .. } => {
            let mut r: Request = tx.load(*id, expect)?;
            let from = r.status;
            let detail = wf::decide_request(&mut r, cmd, None, ctx)?;
            tx.save(&mut r)?;
            done(
                tx,
                cmd,
                &[id.to_string()],
                Some(r.meta.rev),
                format!("{}{detail}", arrow(from, r.status)),
            )
        }
        C::RequestUnlink { id, reason } => {
            let mut r: Request = tx.load(*id, expect)?;
            let plan = wf::linked_plan(&r)?;
            let mut p: Plan = tx.load(plan, None)?;
            let from = r.status;
            wf::unlink(&mut r, &mut p, reason, ctx)?;
            tx.save(&mut r)?;
            tx.save(&mut p)?;
            done(
                tx,
                cmd,
                &[id.to_string(), plan.to_string()],
                Some(r.meta.rev),
                format!(
                    "{} ← {plan}: {}",
                    arrow(from, r.status),
                    crate::sanitize::clean_line(reason.trim())
                ),
            )
        }

        other => Err(misrouted(other)),
    }
}
