//! Templates of standard changes (§2.1, §3.2): written, submitted and approved
//! once by the normal quorum (`workflow::decide_template`); this file loads and
//! saves them.

use super::{arrow, done_with, misrouted};
use crate::error::Result;
use crate::model::*;
use crate::service::{Command, Outcome};
use crate::store::Tx;
use crate::workflow::{self as wf, Ctx};

pub(super) fn apply(tx: &Tx, ctx: &Ctx, cmd: &Command, expect: Option<u64>) -> Result<Outcome> {
    use Command as C;
    match cmd {
        C::TemplateNew {
            system,
            title,
            content,
            approach,
            items,
        } => {
            let sys: System = tx.load(*system, None)?;
            let title = wf::non_empty(title, "title")?;
            let id = tx.alloc_id(IdKind::Template)?;
            let mut t = wf::new_template(id, &sys, &title, content, approach, ctx);
            if !items.is_empty() {
                let add = C::TemplateEdit {
                    id,
                    changes: items.iter().cloned().map(wf::TemplateChange::AddItem).collect(),
                };
                wf::decide_template(&mut t, &add, ctx)?;
                // Writing it is not an edit: only its creator wrote it.
                t.contributors.clear();
            }
            tx.insert(&mut t)?;
            let summary = format!("{} {}", sys.name, t.title);
            done_with(tx, cmd, &[id.to_string()], Some(1), summary, Vec::new())
        }
        C::TemplateEdit { id, .. }
        | C::TemplateSubmit { id }
        | C::TemplateApprove { id, .. }
        | C::TemplateReturn { id, .. } => {
            let mut t: Template = tx.load(*id, expect)?;
            let before = t.tracked();
            let from = t.status;
            let detail = wf::decide_template(&mut t, cmd, ctx)?;
            tx.save(&mut t)?;
            let changed = changes(&before, &t.tracked());
            let mut summary = if from != t.status {
                arrow(from, t.status)
            } else {
                String::new()
            };
            if !detail.is_empty() {
                if !summary.is_empty() {
                    summary.push_str(": ");
                }
                summary.push_str(&detail);
            }
            done_with(tx, cmd, &[id.to_string()], Some(t.meta.rev), summary, changed)
        }
        other => Err(misrouted(other)),
    }
}
