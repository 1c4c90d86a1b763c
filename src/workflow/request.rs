//! Request transitions (§3.1).

use super::{required, transition, Ctx, RuleError};
use crate::model::{Comment, JointReview, Plan, Request, RequestStatus as S};

fn expect(r: &Request, allowed: &[S], action: &str) -> Result<(), RuleError> {
    if allowed.contains(&r.status) {
        Ok(())
    } else {
        Err(transition(r.id, r.status.label(), action))
    }
}

/// new → triaged: looked at and classified, decision pending.
pub fn triage(r: &mut Request, _ctx: &Ctx) -> Result<(), RuleError> {
    expect(r, &[S::New], "triage")?;
    r.status = S::Triaged;
    Ok(())
}

/// Accept for planning. From joint review the meeting's position is required.
pub fn accept(r: &mut Request, outcome: Option<&str>, ctx: &Ctx) -> Result<(), RuleError> {
    expect(r, &[S::New, S::Triaged, S::JointReview], "accept")?;
    if r.status == S::JointReview {
        record_joint_outcome(r, outcome.unwrap_or(""), ctx)?;
    }
    r.status = S::Accepted;
    r.reject_reason = None;
    Ok(())
}

/// Reject, with a reason the submitter can be told.
pub fn reject(r: &mut Request, reason: &str, ctx: &Ctx) -> Result<(), RuleError> {
    expect(r, &[S::New, S::Triaged, S::JointReview], "reject")?;
    let reason = required(reason, "reject")?;
    if r.status == S::JointReview {
        record_joint_outcome(r, &reason, ctx)?;
    }
    r.reject_reason = Some(reason);
    r.status = S::Rejected;
    Ok(())
}

fn record_joint_outcome(r: &mut Request, outcome: &str, ctx: &Ctx) -> Result<(), RuleError> {
    let outcome = required(outcome, "joint_review.outcome")?;
    if let Some(j) = r.joint_review.as_mut() {
        j.outcome = Some(outcome);
        j.decided_at = Some(ctx.now);
    }
    Ok(())
}

/// Mark as a duplicate of an existing request that is not itself a duplicate.
pub fn mark_duplicate(r: &mut Request, original: &Request, _ctx: &Ctx) -> Result<(), RuleError> {
    expect(r, &[S::New, S::Triaged], "duplicate")?;
    if original.id == r.id {
        return Err(RuleError::DuplicateOfSelf);
    }
    if let (S::Duplicate, Some(root)) = (original.status, original.duplicate_of) {
        return Err(RuleError::DuplicateChain {
            of: original.id.to_string(),
            original: root.to_string(),
        });
    }
    r.duplicate_of = Some(original.id);
    r.status = S::Duplicate;
    Ok(())
}

/// Send to a joint review meeting (专题研讨) of the departments concerned.
pub fn send_to_joint_review(r: &mut Request, ctx: &Ctx) -> Result<(), RuleError> {
    expect(r, &[S::New, S::Triaged], "joint_review")?;
    r.joint_review = Some(JointReview {
        sent_by: ctx.actor.name.clone(),
        sent_at: ctx.now,
        outcome: None,
        decided_at: None,
    });
    r.status = S::JointReview;
    Ok(())
}

/// accepted → planned: link to a plan that is still being written.
pub fn link(r: &mut Request, plan: &mut Plan, _ctx: &Ctx) -> Result<(), RuleError> {
    expect(r, &[S::Accepted], "link")?;
    if !super::plan::editable(plan) {
        return Err(RuleError::PlanNotOpen {
            plan: plan.id.to_string(),
            status: plan.status.label(),
        });
    }
    r.plan = Some(plan.id);
    r.status = S::Planned;
    if !plan.requests.contains(&r.id) {
        plan.requests.push(r.id);
    }
    Ok(())
}

/// planned → accepted, when its plan is cancelled: it waits for another plan.
pub fn release(r: &mut Request) {
    if r.status == S::Planned {
        r.status = S::Accepted;
        r.plan = None;
    }
}

/// planned → done, when its plan is filed.
pub fn complete(r: &mut Request) {
    if r.status == S::Planned {
        r.status = S::Done;
    }
}

pub fn comment(r: &mut Request, text: &str, ctx: &Ctx) -> Result<(), RuleError> {
    let text = super::non_empty(text, "comment")?;
    r.comments.push(Comment {
        author: ctx.actor.name.clone(),
        time: ctx.now,
        text,
    });
    Ok(())
}

/// The tag an import puts on a request that looks like one already in the queue.
pub const LIKELY_DUPLICATE_TAG: &str = "疑似重复";

/// The form of a title used to spot likely duplicates: normalised (case, width,
/// spaces) with punctuation and whitespace removed.
pub fn title_key(title: &str) -> String {
    crate::search::normalize(title)
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect()
}

/// Is a new request likely a duplicate of an existing one: the same system (or
/// both without one) and titles equal once normalised, or one containing the
/// other when the shorter has at least four characters.
pub fn likely_duplicate(
    system_a: Option<crate::model::Id>,
    key_a: &str,
    system_b: Option<crate::model::Id>,
    key_b: &str,
) -> bool {
    if system_a != system_b || key_a.is_empty() || key_b.is_empty() {
        return false;
    }
    if key_a == key_b {
        return true;
    }
    let (short, long) = if key_a.chars().count() <= key_b.chars().count() {
        (key_a, key_b)
    } else {
        (key_b, key_a)
    };
    short.chars().count() >= 4 && long.contains(short)
}
