//! Undo, as the core understands it: the command that reverses a command on a
//! request, sent like any other command (permission, rules, audit). There is no
//! second mechanism: an undo is one more event in the audit log, by the person
//! who undoes, with the reason "undo" (撤销).

use super::command::{Command, RequestEdit, Triage};
use crate::model::{Request, RequestStatus as S};

/// The reason an undo gives, in the interface language (`undo.reason`: 撤销 / undo).
pub fn undo_reason() -> String {
    crate::i18n::t("undo.reason", &[])
}

/// The command that reverses `cmd`, which has just been carried out on the
/// request that was `before` (the record as it was read before `cmd`).
///
/// - a triage decision (triaged, accept, reject, duplicate, joint review) →
///   [`Command::RequestReopen`], which returns the request to `before.status`;
/// - [`Command::RequestLink`] → [`Command::RequestUnlink`];
/// - [`Command::RequestEdit`] → a `RequestEdit` setting every field the edit
///   set back to its value in `before` (priority, tags — a smaller set removes
///   tags —, title, body, department, the analysis, the system);
/// - [`Command::RequestReopen`] → the decision it withdrew, taken again from
///   `before` (the rejection's reason, the duplicate's original, the joint
///   review's position);
/// - [`Command::RequestUnlink`] → [`Command::RequestLink`] to `before.plan`.
///
/// `None` for every other command and where no command restores `before`: a
/// comment (the thread is append-only), an edit that set a system on a request
/// that had none (a system can be changed, not removed), a reopen that took a
/// request out of its joint review meeting (only convening puts it in one), a
/// command about another record. Reopen and unlink carry [`undo_reason`].
///
/// Send the inverse with `expect_rev` = the revision the first command's
/// [`Outcome`](crate::service::Outcome) reported: if anybody changed the
/// request since, the service refuses it as a conflict (exit 4) and nothing is
/// undone. The rules still apply: an unlink is refused once the plan was
/// submitted, a reopen once the request was planned.
pub fn inverse(before: &Request, cmd: &Command) -> Option<Command> {
    use Command as C;
    let id = before.id;
    let reason = undo_reason;
    match cmd {
        C::RequestTriage { id: target, .. } if *target == id => Some(C::RequestReopen { id, reason: reason() }),
        C::RequestLink { id: target, .. } if *target == id => Some(C::RequestUnlink { id, reason: reason() }),
        C::RequestEdit { id: target, edit } if *target == id => {
            if edit.system.is_some() && before.system.is_none() {
                return None;
            }
            let back = RequestEdit {
                title: edit.title.as_ref().map(|_| before.title.clone()),
                body: edit.body.as_ref().map(|_| before.body.clone()),
                system: edit.system.and(before.system),
                department: edit.department.as_ref().map(|_| before.department.clone()),
                priority: edit.priority.map(|_| before.priority),
                tags: edit.tags.as_ref().map(|_| before.tags.clone()),
                necessity: edit.necessity.as_ref().map(|_| before.necessity.clone()),
                feasibility: edit.feasibility.as_ref().map(|_| before.feasibility.clone()),
            };
            (back != RequestEdit::default()).then_some(C::RequestEdit { id, edit: back })
        }
        C::RequestReopen { id: target, .. } if *target == id => {
            if super::deciding_review(before).is_some() {
                return None;
            }
            let triage = match before.status {
                S::Triaged => Triage::Triage,
                S::Accepted => Triage::Accept {
                    outcome: before.joint_review.as_ref().and_then(|j| j.outcome.clone()),
                },
                S::Rejected => Triage::Reject {
                    reason: before.reject_reason.clone().unwrap_or_else(reason),
                },
                S::Duplicate => Triage::Duplicate {
                    of: before.duplicate_of?,
                },
                S::JointReview => Triage::JointReview,
                S::New | S::Planned | S::Done => return None,
            };
            Some(C::RequestTriage { id, triage })
        }
        C::RequestUnlink { id: target, .. } if *target == id => before.plan.map(|plan| C::RequestLink { id, plan }),
        _ => None,
    }
}
