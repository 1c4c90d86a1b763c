//! Joint review meetings (专题研讨, §3.1): requests that touch several
//! departments go to a meeting of those departments, which reaches one
//! position. The meeting is a record of its own ([`JointMeeting`],
//! `JR-2026-0001`): the requests it covers, the departments taking part, its
//! day and the position reached.
//!
//! Convening it sends each covered request to joint review (from new or
//! triaged; a request already waiting in joint review without a meeting joins
//! it). While the meeting has not reached its position, its requests are not
//! accepted or rejected one by one: recording the position decides every
//! covered request still in the review — each is accepted (its analysis
//! written, as any acceptance needs), unless the position names it as
//! rejected, with the position as the reason. One position for all, because
//! the regulation has the meeting reach *one* position; the per-request
//! rejections say what that position means for each request. A covered
//! request reopened before the position left the review and is listed as
//! withdrawn, not decided.

use chrono::NaiveDate;

use super::{non_empty, required, transition, Ctx, RuleError};
use crate::model::{Id, JointMeeting, JointPosition, JointReview, Meta, Request, RequestStatus as S};

/// Departments as stored: trimmed, without empties, each once, in the order given.
pub fn clean_departments(departments: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for d in departments.iter().flat_map(|d| d.split([',', '，', '、'])) {
        let d = d.trim();
        if !d.is_empty() && !out.iter().any(|x| x == d) {
            out.push(d.to_string());
        }
    }
    out
}

/// May the request be covered by a new joint review? New or triaged, or
/// waiting in joint review without a meeting.
pub fn reviewable(r: &Request) -> Result<(), RuleError> {
    if let Some(review) = super::deciding_review(r) {
        return Err(RuleError::InJointReview {
            request: r.id.to_string(),
            review: review.to_string(),
        });
    }
    if matches!(r.status, S::New | S::Triaged | S::JointReview) {
        Ok(())
    } else {
        Err(transition(
            r.id,
            r.status.label(),
            "joint_review.new",
            [S::New, S::Triaged, S::JointReview].iter().map(|s| s.label()).collect(),
        ))
    }
}

/// Convene a joint review `id` of `requests` (each loaded, in the order the
/// command names them) with the departments taking part, on `date`: the
/// meeting record, and every request sent to it. All or nothing.
pub fn convene(
    id: Id,
    topic: &str,
    departments: &[String],
    date: NaiveDate,
    requests: &mut [Request],
    ctx: &Ctx,
) -> Result<JointMeeting, RuleError> {
    let topic = non_empty(topic, "topic")?;
    if requests.is_empty() {
        return Err(RuleError::Empty {
            field: "requests".into(),
        });
    }
    let departments = clean_departments(departments);
    if departments.len() < 2 {
        return Err(RuleError::JointReviewDepartments { given: departments });
    }
    for r in requests.iter_mut() {
        reviewable(r)?;
        if r.status != S::JointReview {
            super::send_to_joint_review(r, ctx)?;
        }
        let j = r.joint_review.get_or_insert_with(|| JointReview {
            sent_by: ctx.actor.name.clone(),
            sent_at: ctx.now,
            outcome: None,
            decided_at: None,
            review: None,
        });
        j.review = Some(id);
    }
    Ok(JointMeeting {
        id,
        topic,
        requests: requests.iter().map(|r| r.id).collect(),
        departments,
        date,
        position: None,
        meta: Meta::new(&ctx.actor.name, ctx.now),
    })
}

/// Record the position the meeting reached: every covered request still in
/// it is accepted, or rejected when `reject` names it (with the position as
/// the reason). `requests` are the covered ones, loaded. All or nothing: a
/// request whose analysis is missing refuses the whole position.
pub fn record_position(
    m: &mut JointMeeting,
    position: &str,
    minutes_ref: &str,
    reject: &[Id],
    requests: &mut [Request],
    ctx: &Ctx,
) -> Result<(), RuleError> {
    if m.decided() {
        return Err(RuleError::JointReviewDecided {
            review: m.id.to_string(),
        });
    }
    let text = required(position, "joint_review.decide")?;
    let still = |r: &Request| super::deciding_review(r) == Some(m.id);
    for id in reject {
        if !requests.iter().any(|r| r.id == *id && still(r)) {
            return Err(RuleError::NotInJointReview {
                request: id.to_string(),
                review: m.id.to_string(),
            });
        }
    }
    let mut accepted = Vec::new();
    let mut rejected = Vec::new();
    let mut withdrawn = Vec::new();
    for r in requests.iter_mut() {
        if !still(r) {
            withdrawn.push(r.id);
            continue;
        }
        if reject.contains(&r.id) {
            super::reject(r, &text, ctx)?;
            rejected.push(r.id);
        } else {
            super::accept(r, Some(&text), ctx)?;
            accepted.push(r.id);
        }
    }
    if accepted.is_empty() && rejected.is_empty() {
        return Err(RuleError::JointReviewEmpty {
            review: m.id.to_string(),
        });
    }
    m.position = Some(JointPosition {
        text,
        minutes_ref: minutes_ref.trim().to_string(),
        accepted,
        rejected,
        withdrawn,
        recorded_by: ctx.actor.name.clone(),
        recorded_at: ctx.now,
    });
    Ok(())
}
