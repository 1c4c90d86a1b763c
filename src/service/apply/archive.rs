//! The archive (§3.5): corrections appended to a filed dossier (the typed
//! addenda come from the after-go-live records, `after.rs`).

use super::{done, misrouted};
use crate::error::Result;
use crate::model::AddendumBody;
use crate::service::{Command, Outcome};
use crate::store::Tx;
use crate::workflow::{self as wf, Ctx};

pub(super) fn apply(tx: &Tx, _ctx: &Ctx, cmd: &Command, _expect: Option<u64>) -> Result<Outcome> {
    use Command as C;
    match cmd {
        C::Addendum { dossier, reason, text } => {
            tx.dossier(*dossier)?;
            let reason = wf::non_empty(reason, "reason")?;
            let text = wf::non_empty(text, "text")?;
            let no = tx.append_addendum(*dossier, reason.clone(), text, AddendumBody::Correction)?;
            done(
                tx,
                cmd,
                &[dossier.to_string()],
                None,
                format!("#{no}: {}", crate::sanitize::clean_line(&reason)),
            )
        }

        other => Err(misrouted(other)),
    }
}
