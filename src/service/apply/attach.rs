//! Attaching files (issue 18 §1): the record is loaded, the rules decide the
//! files (`workflow::attach`), the content is stored once by its SHA-256, and
//! on a filed plan (its dossier, or a request it filed) each file becomes a
//! sealed addendum of the dossier.

use super::{done, misrouted};
use crate::error::Result;
use crate::model::{AddendumBody, ConfidentialReport, IdKind, Plan, RectificationOrder, Request};
use crate::service::{Command, Outcome};
use crate::store::Tx;
use crate::workflow::{self as wf, Ctx};

pub(super) fn apply(tx: &Tx, ctx: &Ctx, cmd: &Command, max_file: u64) -> Result<Outcome> {
    let Command::Attach { entity, files } = cmd else {
        return Err(misrouted(cmd));
    };
    // The record must exist; the dossier that seals what is attached after filing.
    let dossier = match entity.kind {
        IdKind::Request => {
            let r: Request = tx.load(*entity, None)?;
            match r.plan {
                Some(p) => tx.get::<Plan>(p)?.and_then(|p| p.dossier),
                None => None,
            }
        }
        IdKind::Plan => tx.load::<Plan>(*entity, None)?.dossier,
        IdKind::Dossier => {
            tx.dossier(*entity)?;
            Some(*entity)
        }
        IdKind::Order => {
            tx.load::<RectificationOrder>(*entity, None)?;
            None
        }
        IdKind::Report => {
            tx.load::<ConfidentialReport>(*entity, None)?;
            None
        }
        _ => None,
    };
    let key = entity.to_string();
    let existing = tx.attachments_of(&key)?;
    let entries = wf::attach::decide_attach(*entity, &existing, files, max_file, &ctx.actor.name, ctx.now)?;
    let mut entities = vec![key];
    if let Some(d) = dossier {
        if d != *entity {
            entities.push(d.to_string());
        }
    }
    let mut parts = Vec::new();
    for (mut e, f) in entries.into_iter().zip(files) {
        tx.put_file(f.content.bytes())?;
        if let Some(d) = dossier {
            let no = tx.append_addendum(
                d,
                String::new(),
                String::new(),
                AddendumBody::Attachment(e.sealed_ref()),
            )?;
            e.addendum = Some(crate::store::chain::addendum_ref(d, no));
        }
        let e = tx.add_attachment(e)?;
        parts.push(format!(
            "+{} ({}, {} B, sha256 {}{})",
            crate::sanitize::clean_line(&e.name),
            e.kind,
            e.size,
            e.sha256,
            e.addendum.as_deref().map(|a| format!(", {a}")).unwrap_or_default()
        ));
    }
    done(tx, cmd, &entities, None, parts.join("; "))
}
