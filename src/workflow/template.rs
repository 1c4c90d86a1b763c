//! Templates of standard changes (§2.1, §3.2): written by an operator,
//! submitted, and approved once by the Leading Group with the *normal* class's
//! quorum and the plans' separation of duties (the same functions decide it:
//! who wrote or submitted a template does not approve it, each member counts
//! once, a substitute decides in a member's name). An approved template does
//! not change; it covers standard changes until it expires
//! (`[class.standard] template_months` after its approval). Instances are made
//! by [`super::instantiate`].

use serde::{Deserialize, Serialize};

use super::command::Command;
use super::plan::{approvers_needed, approving_members, contribute_to, not_contributor_in};
use super::{check, non_empty, required, transition, Ctx, Offer, Offers, RuleError};
use crate::model::{Approval, ChangeClass, Decision, Id, Meta, System, Template, TemplateItem, TemplateStatus as S};

/// One change to a template while it is a draft or returned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "field", content = "value")]
pub enum TemplateChange {
    Title(String),
    Content(String),
    Approach(String),
    AddItem(TemplateItem),
    /// 1-based position.
    RemoveItem(usize),
}

impl TemplateChange {
    pub fn name(&self) -> &'static str {
        match self {
            TemplateChange::Title(_) => "title",
            TemplateChange::Content(_) => "content",
            TemplateChange::Approach(_) => "approach",
            TemplateChange::AddItem(_) => "item.add",
            TemplateChange::RemoveItem(_) => "item.remove",
        }
    }
}

/// A new draft template for `system`.
pub fn new_template(id: Id, system: &System, title: &str, content: &str, approach: &str, ctx: &Ctx) -> Template {
    Template {
        id,
        title: title.trim().to_string(),
        system: system.id,
        content: content.to_string(),
        approach: approach.to_string(),
        items: Vec::new(),
        status: S::Draft,
        submission: 0,
        approvals: Vec::new(),
        contributors: Vec::new(),
        approved_at: None,
        expires: None,
        meta: Meta::new(&ctx.actor.name, ctx.now),
    }
}

fn expect(t: &Template, allowed: &[S], action: &str) -> Result<(), RuleError> {
    if allowed.contains(&t.status) {
        Ok(())
    } else {
        Err(transition(
            t.id,
            t.status.label(),
            action,
            allowed.iter().map(|s| s.label()).collect(),
        ))
    }
}

/// What the submit gate of a template still misses, by field name.
pub fn template_missing(t: &Template) -> Vec<String> {
    let blank = |s: &str| s.trim().is_empty();
    let mut m = Vec::new();
    if blank(&t.title) {
        m.push("title".to_string());
    }
    if blank(&t.content) {
        m.push("content".to_string());
    }
    if blank(&t.approach) {
        m.push("approach".to_string());
    }
    if t.items.is_empty() {
        m.push("items".to_string());
    }
    m
}

fn edit(t: &mut Template, change: &TemplateChange, ctx: &Ctx) -> Result<(), RuleError> {
    expect(t, &[S::Draft, S::Returned], "template.edit")?;
    match change {
        TemplateChange::Title(v) => t.title = non_empty(v, "title")?,
        TemplateChange::Content(v) => t.content = v.clone(),
        TemplateChange::Approach(v) => t.approach = v.clone(),
        TemplateChange::AddItem(i) => {
            let description = non_empty(&i.description, "description")?;
            t.items.push(TemplateItem {
                category: i.category,
                description,
                expected: i.expected.trim().to_string(),
            })
        }
        TemplateChange::RemoveItem(n) => {
            if *n == 0 || *n > t.items.len() {
                return Err(RuleError::NoSuchItem {
                    what: format!("item #{n}"),
                });
            }
            t.items.remove(n - 1);
        }
    }
    contribute_to(&mut t.contributors, &ctx.actor.name, "edit");
    Ok(())
}

/// How many approvals the current submission has, and how many it needs (the
/// normal class's quorum).
pub fn template_quorum(t: &Template, ctx: &Ctx) -> (u32, u32) {
    (
        approving_members(&t.approvals, t.submission).len() as u32,
        approvers_needed(ChangeClass::Normal, &ctx.rules),
    )
}

fn decide(t: &mut Template, decision: Decision, comment: &str, minutes_ref: &str, ctx: &Ctx) -> Result<(), RuleError> {
    let action = match decision {
        Decision::Approved => "template.approve",
        Decision::Returned => "template.return",
    };
    expect(t, &[S::Submitted], action)?;
    not_contributor_in(t.id, &t.meta.created_by, &t.contributors, ctx)?;
    let comment = match decision {
        Decision::Returned => required(comment, action)?,
        Decision::Approved => comment.trim().to_string(),
    };
    if decision == Decision::Approved && approving_members(&t.approvals, t.submission).contains(&ctx.member()) {
        return Err(RuleError::AlreadyApproved {
            user: ctx.member().to_string(),
            plan: t.id.to_string(),
        });
    }
    t.approvals.push(Approval {
        approver: ctx.actor.name.clone(),
        decision,
        time: ctx.now,
        comment,
        minutes_ref: minutes_ref.trim().to_string(),
        submission: t.submission,
        on_behalf_of: ctx.on_behalf_of.clone(),
    });
    match decision {
        Decision::Approved => {
            let (have, need) = template_quorum(t, ctx);
            if have >= need {
                let months = ctx.rules.class(ChangeClass::Standard).template_months.max(1);
                t.status = S::Approved;
                t.approved_at = Some(ctx.now);
                t.expires = ctx.today().checked_add_months(chrono::Months::new(months));
            }
        }
        Decision::Returned => t.status = S::Returned,
    }
    Ok(())
}

/// Decide a command on a template (the permission was checked by
/// [`super::check`]); returns the detail of the audit summary, or refuses.
pub fn decide_template(t: &mut Template, cmd: &Command, ctx: &Ctx) -> Result<String, RuleError> {
    use crate::sanitize::clean_line;
    use Command as C;
    Ok(match cmd {
        C::TemplateEdit { changes, .. } => {
            for c in changes {
                edit(t, c, ctx)?;
            }
            changes.iter().map(|c| c.name()).collect::<Vec<_>>().join(", ")
        }
        C::TemplateSubmit { .. } => {
            expect(t, &[S::Draft, S::Returned], "template.submit")?;
            let fields = template_missing(t);
            if !fields.is_empty() {
                return Err(RuleError::TemplateMissing {
                    template: t.id.to_string(),
                    fields,
                });
            }
            t.submission += 1;
            contribute_to(&mut t.contributors, &ctx.actor.name, "submit");
            t.status = S::Submitted;
            String::new()
        }
        C::TemplateApprove {
            comment, minutes_ref, ..
        } => {
            decide(t, Decision::Approved, comment, minutes_ref, ctx)?;
            let (have, need) = template_quorum(t, ctx);
            let mut out = minutes_ref.clone();
            if need > 1 {
                out = format!("{out} ({have}/{need})").trim().to_string();
            }
            if let Some(e) = t.expires.filter(|_| t.status == S::Approved) {
                out = format!("{out} → {e}").trim().to_string();
            }
            out
        }
        C::TemplateReturn {
            reason, minutes_ref, ..
        } => {
            decide(t, Decision::Returned, reason, minutes_ref, ctx)?;
            clean_line(reason)
        }
        other => return Err(transition(t.id, t.status.label(), other.name(), Vec::new())),
    })
}

/// The steps on a template, decided for `ctx.actor` at `ctx.now` by the same
/// functions on a copy (see [`super::plan_offers`]). `template.use` (a new
/// standard change from it) is offered while it is approved and not expired.
pub fn template_offers(t: &Template, ctx: &Ctx) -> Offers {
    let id = t.id;
    let probe = "-".to_string();
    let cmds = [
        Command::TemplateEdit {
            id,
            changes: vec![TemplateChange::Title(t.title.clone())],
        },
        Command::TemplateSubmit { id },
        Command::TemplateApprove {
            id,
            comment: String::new(),
            minutes_ref: probe.clone(),
        },
        Command::TemplateReturn {
            id,
            reason: probe,
            minutes_ref: String::new(),
        },
    ];
    let mut out: Vec<Offer> = cmds
        .iter()
        .map(|cmd| {
            let refusal = check(ctx.actor, cmd.op())
                .and_then(|()| decide_template(&mut t.clone(), cmd, ctx).map(|_| ()))
                .err()
                .filter(|e| !matches!(e, RuleError::ReasonRequired { .. } | RuleError::Empty { .. }));
            Offer {
                step: cmd.name().to_string(),
                refusal,
            }
        })
        .collect();
    let usable = if t.status != S::Approved {
        Err(RuleError::TemplateNotApproved {
            template: t.id.to_string(),
            status: t.status.label(),
        })
    } else if t.expired(ctx.today()) {
        Err(RuleError::TemplateExpired {
            template: t.id.to_string(),
            expires: t.expires.map(|e| e.to_string()).unwrap_or_default(),
        })
    } else {
        Ok(())
    };
    out.push(Offer {
        step: "template.use".to_string(),
        refusal: check(ctx.actor, super::Op::PlanEdit).and(usable).err(),
    });
    Offers(out)
}
