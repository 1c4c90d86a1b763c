//! Carrying out one command in one transaction: the dispatcher names, for every
//! command, the area that loads its records, lets the rules (`workflow`) decide,
//! writes the records back and appends the audit event.

mod admin;
mod after;
mod archive;
mod attach;
mod plans;
mod register;
mod requests;
mod supervision;
mod templates;

use super::{Command, Outcome};
use crate::error::{Error, Result};
use crate::model::{Id, Plan};
use crate::store::Tx;
use crate::workflow::Ctx;

/// `open`: the plans open to a decision, for naming a substitute; `similar`:
/// the request a new one looks like (`workflow::similar_request`, found by the
/// service before the transaction, which cannot scan the queue).
// What the service reads before the transaction travels as separate arguments
// (`open`, `similar`, `max_file`, `facts`); one struct for them is issue 19's.
#[allow(clippy::too_many_arguments)]
pub(super) fn apply(
    tx: &Tx,
    ctx: &Ctx,
    cmd: &Command,
    expect: Option<u64>,
    open: &[Id],
    similar: Option<Id>,
    max_file: u64,
    facts: &super::mail::MailFacts,
) -> Result<Outcome> {
    use Command as C;
    match cmd {
        C::Attach { .. } => attach::apply(tx, ctx, cmd, max_file),
        C::ApproverSubstitute {
            substitute,
            from,
            to,
            reason,
        } => {
            let plans = open
                .iter()
                .map(|id| tx.load(*id, None))
                .collect::<Result<Vec<Plan>>>()?;
            let mut list = tx.substitutes()?;
            let s =
                crate::workflow::substitute::name_substitute(&mut list, substitute, *from, *to, reason, &plans, ctx)?;
            tx.set_substitutes(&list)?;
            let summary = format!("{} → {} {}..{}", s.approver, s.substitute, s.from, s.to);
            done(tx, cmd, &["substitutes".into()], None, summary)
        }
        C::SystemAdd { .. }
        | C::SystemEdit { .. }
        | C::CalendarAdd { .. }
        | C::CalendarRemove { .. }
        | C::CalendarReplace { .. } => admin::apply(tx, ctx, cmd, expect),
        C::RequestAdd { .. }
        | C::RequestImport { .. }
        | C::RequestTriage { .. }
        | C::RequestEdit { .. }
        | C::RequestComment { .. }
        | C::RequestLink { .. }
        | C::RequestReopen { .. }
        | C::RequestUnlink { .. }
        | C::JointReviewNew { .. }
        | C::JointReviewDecide { .. } => requests::apply(tx, ctx, cmd, expect, similar),
        C::RequestFeedback { .. }
        | C::PlanIncident { .. }
        | C::PlanFail { .. }
        | C::PlanReview { .. }
        | C::Training { .. } => after::apply(tx, ctx, cmd, expect),
        C::PlanNew { .. }
        | C::PlanEdit { .. }
        | C::PlanSubmit { .. }
        | C::PlanApprove { .. }
        | C::PlanReturn { .. }
        | C::PlanNotice { .. }
        | C::PlanImplement { .. }
        | C::PlanCancel { .. }
        | C::PlanReschedule { .. }
        | C::PlanNoticeDraft { .. }
        | C::PlanMilestone { .. }
        | C::TestRound { .. }
        | C::TestItem { .. }
        | C::TestResult { .. }
        | C::TestWaive { .. }
        | C::DefectAdd { .. }
        | C::DefectUpdate { .. }
        | C::DefectAccept { .. }
        | C::Backup { .. }
        | C::GoLive { .. }
        | C::PlanDeviation { .. }
        | C::DeviationAccept { .. }
        | C::ComparisonAdd { .. }
        | C::ComparisonRemove { .. }
        | C::File { .. } => plans::apply(tx, ctx, cmd, expect),
        C::Addendum { .. } => archive::apply(tx, ctx, cmd, expect),
        C::TemplateNew { .. }
        | C::TemplateEdit { .. }
        | C::TemplateSubmit { .. }
        | C::TemplateApprove { .. }
        | C::TemplateReturn { .. } => templates::apply(tx, ctx, cmd, expect),
        C::OrderIssue { .. }
        | C::OrderRespond { .. }
        | C::OrderClose { .. }
        | C::OrderExtend { .. }
        | C::OrderSendBack { .. }
        | C::OrderReopen { .. }
        | C::ReportSubmit { .. }
        | C::ReportInvestigate { .. }
        | C::ReportReply { .. }
        | C::ReportLink { .. }
        | C::ReportToOrder { .. }
        | C::RecognitionAdd { .. } => supervision::apply(tx, ctx, cmd, expect),
        C::PersonAdd { .. }
        | C::PersonEdit { .. }
        | C::DepartmentAdd { .. }
        | C::DepartmentEdit { .. }
        | C::VendorAdd { .. }
        | C::VendorEdit { .. }
        | C::RegisterImport { .. }
        | C::NameResolve { .. }
        | C::NameUnresolve { .. }
        | C::MailReport { .. }
        | C::MailDigest { .. }
        | C::MailCalled { .. } => register::apply(tx, ctx, cmd, expect, facts),
    }
}

/// A command sent to an area that does not handle it: a bug in the dispatcher
/// above, reported instead of a panic.
fn misrouted(cmd: &Command) -> Error {
    Error::Storage {
        detail: format!("{} reached the wrong part of the service", cmd.name()),
    }
}

/// Append the command's audit event over `entities` and say what was done.
fn done(tx: &Tx, cmd: &Command, entities: &[String], rev: Option<u64>, summary: String) -> Result<Outcome> {
    done_with(tx, cmd, entities, rev, summary, Vec::new())
}

/// [`done`], the event recording the fields the command changed, old → new.
fn done_with(
    tx: &Tx,
    cmd: &Command,
    entities: &[String],
    rev: Option<u64>,
    summary: String,
    changes: Vec<crate::model::FieldChange>,
) -> Result<Outcome> {
    let seq = tx.audit_changes(cmd.name(), entities, &summary, changes)?;
    Ok(Outcome {
        entity: entities.first().cloned().unwrap_or_default(),
        rev,
        seq,
        summary,
    })
}

fn arrow(from: impl std::fmt::Display, to: impl std::fmt::Display) -> String {
    format!("{from} → {to}")
}
