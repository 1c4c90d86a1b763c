//! Substitutes in the Leading Group (§2.1): a member names someone to decide in
//! their place for a period. The substitute acts as an approver, in the
//! member's name, and never on a plan either of them contributed to.

use chrono::NaiveDate;

use super::{required, Ctx, RuleError};
use crate::model::{Plan, Substitute};

/// The member `name` stands in for on `day`, if any.
pub fn acting_for<'a>(list: &'a [Substitute], name: &str, day: NaiveDate) -> Option<&'a Substitute> {
    list.iter().find(|s| s.substitute == name && s.covers(day))
}

/// The acting member (the actor, an approver) names `substitute` for the days
/// `from..=to`. `open` are the plans awaiting or open to a decision now: the
/// substitute may not have contributed to any of them.
pub fn name_substitute(
    list: &mut Vec<Substitute>,
    substitute: &str,
    from: NaiveDate,
    to: NaiveDate,
    reason: &str,
    open: &[Plan],
    ctx: &Ctx,
) -> Result<Substitute, RuleError> {
    let who = super::non_empty(substitute, "substitute")?;
    let reason = required(reason, "substitute")?;
    if who == ctx.actor.name {
        return Err(RuleError::SubstituteSelf { user: who });
    }
    let today = ctx.today();
    if from < today {
        return Err(RuleError::DateInPast {
            field: "from".into(),
            date: from.to_string(),
            today: today.to_string(),
        });
    }
    if to < from {
        return Err(RuleError::DateOrder {
            from: from.to_string(),
            to: to.to_string(),
        });
    }
    for p in open {
        let did = super::contribution(p, &who);
        if !did.is_empty() {
            return Err(RuleError::Contributor {
                user: who,
                plan: p.id.to_string(),
                did,
            });
        }
    }
    let s = Substitute {
        approver: ctx.actor.name.clone(),
        substitute: who,
        from,
        to,
        reason,
        named_at: ctx.now,
    };
    list.push(s.clone());
    Ok(s)
}
