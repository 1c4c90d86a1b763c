//! Request transitions (§3.1).

use super::{required, transition, Ctx, RuleError};
use crate::model::{Comment, JointReview, Plan, Request, RequestStatus as S};

fn expect(r: &Request, allowed: &[S], action: &str) -> Result<(), RuleError> {
    if allowed.contains(&r.status) {
        Ok(())
    } else {
        Err(transition(
            r.id,
            r.status.label(),
            action,
            allowed.iter().map(|s| s.label()).collect(),
        ))
    }
}

/// A triage decision moves the request to `to`, remembering where it was so that
/// [`reopen`] can withdraw the decision.
fn decide(r: &mut Request, to: S) {
    r.decided_from.push(r.status);
    r.status = to;
}

/// Change the fields of a request, which can be edited until it is done (filed
/// with its plan); the names of the fields changed. The caller has checked
/// that a new system exists.
pub fn edit_request(r: &mut Request, edit: &super::command::RequestEdit) -> Result<Vec<&'static str>, RuleError> {
    if r.status == S::Done {
        return Err(transition(r.id, r.status.label(), "edit", Vec::new()));
    }
    // The analysis a request was accepted on stays: it can be rewritten, not erased.
    if matches!(r.status, S::Accepted | S::Planned) {
        let erased: Vec<String> = [("necessity", &edit.necessity), ("feasibility", &edit.feasibility)]
            .into_iter()
            .filter(|(_, v)| v.as_ref().is_some_and(|v| v.trim().is_empty()))
            .map(|(f, _)| f.to_string())
            .collect();
        if !erased.is_empty() {
            return Err(RuleError::AnalysisMissing {
                request: r.id.to_string(),
                fields: erased,
            });
        }
    }
    let mut fields = Vec::new();
    if let Some(v) = &edit.title {
        r.title = super::non_empty(v, "title")?;
        fields.push("title");
    }
    if let Some(v) = &edit.body {
        r.body = v.clone();
        fields.push("body");
    }
    if let Some(v) = edit.system {
        r.system = Some(v);
        fields.push("system");
    }
    if let Some(v) = &edit.department {
        r.department = v.trim().into();
        fields.push("department");
    }
    if let Some(v) = edit.priority {
        r.priority = v;
        fields.push("priority");
    }
    if let Some(v) = &edit.tags {
        r.tags = clean_tags(v);
        fields.push("tags");
    }
    if let Some(v) = &edit.necessity {
        r.necessity = v.clone();
        fields.push("necessity");
    }
    if let Some(v) = &edit.feasibility {
        r.feasibility = v.clone();
        fields.push("feasibility");
    }
    Ok(fields)
}

/// Tags as stored: trimmed, without empties, sorted, each once.
pub fn clean_tags(tags: &[String]) -> Vec<String> {
    let mut t: Vec<String> = tags
        .iter()
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .collect();
    t.sort();
    t.dedup();
    t
}

/// new → triaged: looked at and classified, decision pending.
pub fn triage(r: &mut Request, _ctx: &Ctx) -> Result<(), RuleError> {
    expect(r, &[S::New], "triage")?;
    decide(r, S::Triaged);
    Ok(())
}

/// What accepting the request still needs (§3.1: the IMC decides whether an
/// update is necessary and feasible): the field names of the analysis left blank.
pub fn analysis_missing(r: &Request) -> Vec<String> {
    let mut m = Vec::new();
    if r.necessity.trim().is_empty() {
        m.push("necessity".to_string());
    }
    if r.feasibility.trim().is_empty() {
        m.push("feasibility".to_string());
    }
    m
}

/// Accept for planning, once its necessity and feasibility are analysed. From
/// joint review the meeting's position is required.
pub fn accept(r: &mut Request, outcome: Option<&str>, ctx: &Ctx) -> Result<(), RuleError> {
    expect(r, &[S::New, S::Triaged, S::JointReview], "accept")?;
    let missing = analysis_missing(r);
    if !missing.is_empty() {
        return Err(RuleError::AnalysisMissing {
            request: r.id.to_string(),
            fields: missing,
        });
    }
    if r.status == S::JointReview {
        record_joint_outcome(r, outcome.unwrap_or(""), ctx)?;
    }
    decide(r, S::Accepted);
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
    decide(r, S::Rejected);
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
    decide(r, S::Duplicate);
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
    decide(r, S::JointReview);
    Ok(())
}

/// May the request be linked to a plan (whichever plan is still being written)?
pub fn linkable(r: &Request) -> Result<(), RuleError> {
    expect(r, &[S::Accepted], "link")
}

/// accepted → planned: link to a plan that is still being written.
pub fn link(r: &mut Request, plan: &mut Plan, ctx: &Ctx) -> Result<(), RuleError> {
    linkable(r)?;
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
    super::plan::contribute(plan, &ctx.actor.name, "link");
    Ok(())
}

/// The plan a planned request is linked to, which [`unlink`] takes it off.
pub fn linked_plan(r: &Request) -> Result<crate::model::Id, RuleError> {
    match (r.status, r.plan) {
        (S::Planned, Some(plan)) => Ok(plan),
        _ => Err(transition(r.id, r.status.label(), "unlink", vec![S::Planned.label()])),
    }
}

/// planned → accepted: take the request off its plan while the plan is still
/// being written (the mirror of [`link`]), with a reason. Once the plan is
/// submitted its scope is what the Leading Group decides on, so it is returned
/// for revision first; once implementation has started the request stays with
/// the update (a cancelled plan releases its requests). Taking a request off
/// shapes the plan as linking does: it counts as the contribution `link` (§2.1).
pub fn unlink(r: &mut Request, plan: &mut Plan, reason: &str, ctx: &Ctx) -> Result<(), RuleError> {
    if linked_plan(r)? != plan.id {
        return Err(transition(r.id, r.status.label(), "unlink", vec![S::Planned.label()]));
    }
    if !super::plan::editable(plan) {
        use crate::model::PlanStatus as P;
        return Err(RuleError::UnlinkPlanClosed {
            request: r.id.to_string(),
            plan: plan.id.to_string(),
            status: plan.status.label(),
            returnable: matches!(plan.status, P::Submitted | P::Approved | P::NoticePublished),
        });
    }
    required(reason, "unlink")?;
    r.plan = None;
    r.status = S::Accepted;
    plan.requests.retain(|id| *id != r.id);
    super::plan::contribute(plan, &ctx.actor.name, "link");
    Ok(())
}

/// The statuses a triage decision is taken from.
const UNDECIDED: &[S] = &[S::New, S::Triaged, S::JointReview];

/// Where [`reopen`] returns a request to: the status it had before its latest
/// decision. A request decided before beian kept that status goes back to
/// `new` from triaged, to its joint review from a decision taken there, and
/// otherwise to triaged (it has been looked at; the decision is pending again).
fn before_decision(r: &Request) -> S {
    let fits = |s: &S| UNDECIDED.contains(s) && (*s != S::JointReview || r.joint_review.is_some());
    match r.decided_from.last().filter(|s| fits(s)) {
        Some(s) => *s,
        None => match r.status {
            S::Triaged => S::New,
            S::Accepted | S::Rejected if r.joint_review.is_some() => S::JointReview,
            _ => S::Triaged,
        },
    }
}

/// Withdraw the latest triage decision, with a reason (§3.1: the IMC decides
/// whether an update is necessary and feasible, and can decide again when it
/// learns more): a triaged, accepted, rejected, duplicate or joint-review
/// request returns to the status it had before that decision (see
/// [`before_decision`]), so a reopen undoes exactly one decision. What the
/// decision recorded goes with it: a rejection's reason, a duplicate's
/// original, the position a joint review reached (the review stays when the
/// request returns to it), the joint review itself when sending it there is
/// the decision withdrawn; the audit log keeps every one. A planned request is
/// unlinked from its plan first; a done request stays done. Returns the status
/// it returned to.
pub fn reopen(r: &mut Request, reason: &str, _ctx: &Ctx) -> Result<S, RuleError> {
    if let (S::Planned, Some(plan)) = (r.status, r.plan) {
        return Err(RuleError::RequestPlanned {
            request: r.id.to_string(),
            plan: plan.to_string(),
        });
    }
    expect(
        r,
        &[S::Triaged, S::Accepted, S::Rejected, S::Duplicate, S::JointReview],
        "reopen",
    )?;
    required(reason, "reopen")?;
    let to = before_decision(r);
    r.decided_from.pop();
    match r.status {
        S::Rejected => r.reject_reason = None,
        S::Duplicate => r.duplicate_of = None,
        S::JointReview => r.joint_review = None,
        _ => {}
    }
    if to == S::JointReview {
        if let Some(j) = r.joint_review.as_mut() {
            j.outcome = None;
            j.decided_at = None;
        }
    }
    r.status = to;
    Ok(to)
}

/// planned → accepted, when its plan is cancelled: it waits for another plan.
pub fn release(r: &mut Request) {
    if r.status == S::Planned {
        r.status = S::Accepted;
        r.plan = None;
    }
}

/// planned → done, when its plan is filed: for good, so nothing is kept for a
/// reopen.
pub fn complete(r: &mut Request) {
    if r.status == S::Planned {
        r.status = S::Done;
        r.decided_from.clear();
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

/// The titles (as [`title_key`]s, by system) an import compares new requests
/// with, answering [`likely_duplicate`] against all of them without comparing
/// with each. A stored key equal to the new one, or contained in it (four
/// characters or more), is one of the new key's substrings: each substring's
/// hash is looked up. A stored key containing the new one contains every
/// 4-gram of it: the candidates are those holding its rarest 4-gram. Every
/// candidate is then checked with [`likely_duplicate`] itself.
#[derive(Debug, Default)]
pub struct DuplicateIndex {
    keys: Vec<(Option<crate::model::Id>, Box<str>)>,
    /// Hash of (system, whole key) → entries.
    exact: std::collections::HashMap<u64, Vec<u32>, BuildU64>,
    /// Hash of (system, 4-gram) → entries containing it (once each).
    grams: std::collections::HashMap<u64, Vec<u32>, BuildU64>,
}

const GRAM: usize = 4;

/// Keys of the index maps are hashes already.
#[derive(Debug, Default, Clone, Copy)]
struct U64Hasher(u64);

impl std::hash::Hasher for U64Hasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

type BuildU64 = std::hash::BuildHasherDefault<U64Hasher>;

fn seed(system: Option<crate::model::Id>) -> u64 {
    let s = system.map_or(0, |id| u64::from(id.seq) + 1);
    0xcbf2_9ce4_8422_2325 ^ s.wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

/// One more character of a running hash.
fn step(h: u64, c: char) -> u64 {
    (h ^ u64::from(c as u32)).wrapping_mul(0x100_0000_01b3)
}

/// The final mix, so that the maps' buckets are spread.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn hash_of(system: Option<crate::model::Id>, chars: &[char]) -> u64 {
    mix(chars.iter().fold(seed(system), |h, c| step(h, *c)))
}

impl DuplicateIndex {
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    pub fn insert(&mut self, system: Option<crate::model::Id>, key: &str) {
        if key.is_empty() {
            return;
        }
        let n = self.keys.len() as u32;
        let chars: Vec<char> = key.chars().collect();
        self.exact.entry(hash_of(system, &chars)).or_default().push(n);
        for g in chars.windows(GRAM) {
            let list = self.grams.entry(hash_of(system, g)).or_default();
            if list.last() != Some(&n) {
                list.push(n);
            }
        }
        self.keys.push((system, key.into()));
    }

    fn any_match(&self, system: Option<crate::model::Id>, key: &str, entries: Option<&Vec<u32>>) -> bool {
        entries.is_some_and(|e| {
            e.iter().any(|&n| {
                let (s, k) = &self.keys[n as usize];
                likely_duplicate(system, key, *s, k)
            })
        })
    }

    /// Is `key` on `system` a likely duplicate of any key in the index?
    pub fn matches(&self, system: Option<crate::model::Id>, key: &str) -> bool {
        if key.is_empty() || self.keys.is_empty() {
            return false;
        }
        let chars: Vec<char> = key.chars().collect();
        let n = chars.len();
        // Stored keys equal to it, or contained in it with four characters or more.
        for i in 0..n {
            let mut h = seed(system);
            for (j, c) in chars.iter().enumerate().skip(i) {
                h = step(h, *c);
                let len = j + 1 - i;
                if (len >= GRAM || len == n) && self.any_match(system, key, self.exact.get(&mix(h))) {
                    return true;
                }
            }
        }
        // Stored keys containing it: all hold its rarest 4-gram.
        if n >= GRAM {
            let mut rarest: Option<&Vec<u32>> = None;
            for g in chars.windows(GRAM) {
                match self.grams.get(&hash_of(system, g)) {
                    None => return false,
                    Some(list) if rarest.is_none_or(|r| list.len() < r.len()) => rarest = Some(list),
                    Some(_) => {}
                }
            }
            return self.any_match(system, key, rarest);
        }
        false
    }
}

/// Decide a command on a request (§3.1): triage, reopen, edit, comment.
/// `original` is the request a duplicate points to, loaded by the caller.
/// Returns the detail of the audit summary. Linking and unlinking, which
/// change a plan too, are [`link`] and [`unlink`].
pub fn decide_request(
    r: &mut Request,
    cmd: &super::command::Command,
    original: Option<&Request>,
    ctx: &Ctx,
) -> Result<String, RuleError> {
    use super::command::{Command as C, Triage};
    Ok(match cmd {
        C::RequestTriage { triage, .. } => {
            match triage {
                Triage::Triage => self::triage(r, ctx)?,
                Triage::Accept { outcome } => accept(r, outcome.as_deref(), ctx)?,
                Triage::Reject { reason } => reject(r, reason, ctx)?,
                Triage::Duplicate { of } => match original {
                    Some(o) => mark_duplicate(r, o, ctx)?,
                    None => return Err(RuleError::NoSuchItem { what: of.to_string() }),
                },
                Triage::JointReview => send_to_joint_review(r, ctx)?,
            }
            match r.duplicate_of.filter(|_| r.status == S::Duplicate) {
                Some(of) => format!(" of {of}"),
                None => String::new(),
            }
        }
        C::RequestEdit { edit, .. } => edit_request(r, edit)?.join(", "),
        C::RequestReopen { reason, .. } => {
            reopen(r, reason, ctx)?;
            format!(": {}", crate::sanitize::clean_line(reason.trim()))
        }
        C::RequestComment { text, .. } => {
            comment(r, text, ctx)?;
            crate::sanitize::clean_line(text)
        }
        other => return Err(transition(r.id, r.status.label(), other.name(), Vec::new())),
    })
}
