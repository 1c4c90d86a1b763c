//! Requests and problem reports (§3.1).

use super::{arrow, done, done_with, misrouted};
use crate::error::{Error, Result};
use crate::model::*;
use crate::service::{new_request, Command, Outcome, Triage};
use crate::store::Tx;
use crate::workflow::{self as wf, Ctx};

pub(super) fn apply(tx: &Tx, ctx: &Ctx, cmd: &Command, expect: Option<u64>, similar: Option<Id>) -> Result<Outcome> {
    use Command as C;
    match cmd {
        C::RequestAdd { request: n } => {
            let mut r = new_request(tx, ctx, n)?;
            let id = r.id;
            // A request that looks like one in the queue is tagged, naming it.
            let mut entities = vec![id.to_string()];
            let mut summary = format!("{} [{}] {}", r.kind, r.channel, r.title);
            if let Some(o) = similar {
                wf::flag_similar(&mut r, o);
                entities.push(o.to_string());
                summary.push_str(&format!(" ≈ {o}"));
            }
            tx.insert(&mut r)?;
            done(tx, cmd, &entities, Some(1), summary)
        }
        C::JointReviewNew {
            topic,
            requests,
            departments,
            date,
        } => {
            let mut ids: Vec<Id> = Vec::new();
            for id in requests {
                if !ids.contains(id) {
                    ids.push(*id);
                }
            }
            let mut loaded = ids
                .iter()
                .map(|id| tx.load(*id, None))
                .collect::<Result<Vec<Request>>>()?;
            let before: Vec<Vec<Tracked>> = loaded.iter().map(Request::tracked).collect();
            let id = tx.alloc_id(IdKind::JointReview)?;
            let mut m = wf::convene(id, topic, departments, *date, &mut loaded, ctx)?;
            let mut changed = Vec::new();
            for (r, b) in loaded.iter_mut().zip(&before) {
                changed.extend(item_changes(r.id, b, &r.tracked()));
                tx.save(r)?;
            }
            tx.insert(&mut m)?;
            let mut entities = vec![id.to_string()];
            entities.extend(ids.iter().map(Id::to_string));
            let summary = format!(
                "{} {} [{}]: {}",
                m.date,
                ids.iter().map(Id::to_string).collect::<Vec<_>>().join(" "),
                m.departments.join("、"),
                crate::sanitize::clean_line(&m.topic)
            );
            done_with(tx, cmd, &entities, Some(m.meta.rev), summary, changed)
        }
        C::JointReviewDecide {
            id,
            position,
            minutes_ref,
            reject,
        } => {
            let mut m: JointMeeting = tx.load(*id, expect)?;
            let mut loaded = m
                .requests
                .iter()
                .map(|rid| tx.load(*rid, None))
                .collect::<Result<Vec<Request>>>()?;
            let before: Vec<Vec<Tracked>> = loaded.iter().map(Request::tracked).collect();
            wf::record_position(&mut m, position, minutes_ref, reject, &mut loaded, ctx)?;
            let Some(p) = m.position.clone() else {
                return Err(misrouted(cmd));
            };
            let mut changed = Vec::new();
            for (r, b) in loaded.iter_mut().zip(&before) {
                if p.withdrawn.contains(&r.id) {
                    continue;
                }
                changed.extend(item_changes(r.id, b, &r.tracked()));
                tx.save(r)?;
            }
            tx.save(&mut m)?;
            let mut entities = vec![id.to_string()];
            entities.extend(p.accepted.iter().chain(&p.rejected).map(Id::to_string));
            let list = |ids: &[Id]| ids.iter().map(Id::to_string).collect::<Vec<_>>().join(" ");
            let mut summary = format!("accepted [{}], rejected [{}]", list(&p.accepted), list(&p.rejected));
            if !p.withdrawn.is_empty() {
                summary.push_str(&format!(", withdrawn [{}]", list(&p.withdrawn)));
            }
            summary.push_str(&format!(": {}", crate::sanitize::clean_line(&p.text)));
            done_with(tx, cmd, &entities, Some(m.meta.rev), summary, changed)
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

/// The fields of request `id` a command changed, each naming the request.
fn item_changes(id: Id, before: &[Tracked], after: &[Tracked]) -> Vec<FieldChange> {
    let item = id.to_string();
    changes(before, after)
        .into_iter()
        .map(|c| FieldChange {
            item: item.clone(),
            ..c
        })
        .collect()
}
