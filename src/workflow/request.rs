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
        review: None,
    });
    decide(r, S::JointReview);
    Ok(())
}

/// The joint review meeting whose position decides the request now: set while
/// it waits in joint review covered by a meeting.
pub fn deciding_review(r: &Request) -> Option<crate::model::Id> {
    r.joint_review
        .as_ref()
        .and_then(|j| j.review)
        .filter(|_| r.status == S::JointReview)
}

/// A request in a meeting is decided by the meeting's position, not one by one.
fn not_in_meeting(r: &Request) -> Result<(), RuleError> {
    match deciding_review(r) {
        Some(review) => Err(RuleError::InJointReview {
            request: r.id.to_string(),
            review: review.to_string(),
        }),
        None => Ok(()),
    }
}

/// May the request be linked to a plan (whichever plan still takes links)?
/// Only an accepted request: one still new, triaged or in joint review is
/// told to be accepted first (§3.1: the IMC decides that an update is
/// necessary and feasible before it is planned).
pub fn linkable(r: &Request) -> Result<(), RuleError> {
    match r.status {
        S::Accepted => Ok(()),
        S::New | S::Triaged | S::JointReview => Err(RuleError::NotAccepted {
            request: r.id.to_string(),
            status: r.status.label(),
        }),
        _ => expect(r, &[S::Accepted], "link"),
    }
}

/// Does the plan still take changes to its linked requests (link, unlink)?
/// Until it is approved (§3.2: the Leading Group approves the plan, scope
/// included): while it is written (draft, returned) and, once submitted, as
/// long as no member of the Leading Group has approved the current
/// submission — what a member approved is the scope they saw, so after the
/// first approval the plan is returned for revision first. Whoever links
/// or unlinks contributes to the plan (`link`) and so may not approve it.
pub fn links_open(p: &Plan, unlink: bool) -> Result<(), RuleError> {
    use crate::model::PlanStatus as P;
    match p.status {
        P::Draft | P::Returned => Ok(()),
        P::Submitted => {
            let mut approvers: Vec<String> = super::plan::current_approvals(p)
                .map(|a| a.member().to_string())
                .collect();
            approvers.sort();
            approvers.dedup();
            if approvers.is_empty() {
                Ok(())
            } else {
                Err(RuleError::ScopeApproved {
                    plan: p.id.to_string(),
                    approvers,
                    unlink,
                })
            }
        }
        _ => Err(RuleError::PlanNotOpen {
            plan: p.id.to_string(),
            status: p.status.label(),
        }),
    }
}

/// A request linked to a plan, as the submit check lists it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LinkedRequest {
    pub id: crate::model::Id,
    /// Its title and status, when the service filled them in.
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub status: Option<S>,
}

/// The requests linked to the plan, in the order they were linked (ids only;
/// the service adds titles and statuses).
pub fn linked_requests(p: &Plan) -> Vec<LinkedRequest> {
    p.requests
        .iter()
        .map(|id| LinkedRequest {
            id: *id,
            title: String::new(),
            status: None,
        })
        .collect()
}

/// What the submit check warns about without refusing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubmitWarning {
    /// No request is linked: the plan answers no recorded request (§3.1).
    NoRequests,
}

impl SubmitWarning {
    pub fn message(self, plan: crate::model::Id) -> String {
        match self {
            SubmitWarning::NoRequests => crate::i18n::t("gate.submit.no_requests", &[("plan", plan.to_string())]),
        }
    }
}

/// The warnings of the submit check: a plan that links no request is
/// submitted all the same (a security patch may answer none), but says so.
pub fn submit_warnings(p: &Plan) -> Vec<SubmitWarning> {
    if p.requests.is_empty() {
        vec![SubmitWarning::NoRequests]
    } else {
        Vec::new()
    }
}

/// accepted → planned: link to a plan that still takes links ([`links_open`]).
pub fn link(r: &mut Request, plan: &mut Plan, ctx: &Ctx) -> Result<(), RuleError> {
    linkable(r)?;
    links_open(plan, false)?;
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

/// planned → accepted: take the request off its plan while the plan still
/// takes links ([`links_open`]: until a member of the Leading Group approves
/// it), with a reason (the mirror of [`link`]). Once approved, its scope is
/// what the Leading Group decided on, so it is returned for revision first;
/// once implementation has started the request stays with the update (a
/// cancelled plan releases its requests). Taking a request off shapes the
/// plan as linking does: it counts as the contribution `link` (§2.1).
pub fn unlink(r: &mut Request, plan: &mut Plan, reason: &str, ctx: &Ctx) -> Result<(), RuleError> {
    if linked_plan(r)? != plan.id {
        return Err(transition(r.id, r.status.label(), "unlink", vec![S::Planned.label()]));
    }
    match links_open(plan, true) {
        Ok(()) => {}
        Err(RuleError::PlanNotOpen { .. }) => {
            use crate::model::PlanStatus as P;
            return Err(RuleError::UnlinkPlanClosed {
                request: r.id.to_string(),
                plan: plan.id.to_string(),
                status: plan.status.label(),
                returnable: matches!(plan.status, P::Approved | P::NoticePublished),
            });
        }
        Err(e) => return Err(e),
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
        // Back in joint review after its position: decided again one by one
        // (the meeting's record keeps what it decided).
        if let Some(j) = r.joint_review.as_mut() {
            j.outcome = None;
            j.decided_at = None;
            j.review = None;
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
    /// The request each key is the title of, when known.
    ids: Vec<Option<crate::model::Id>>,
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
        self.insert_request(None, system, key)
    }

    /// Insert the title key of the request `id` (so that [`Self::similar`] names it).
    pub fn insert_request(&mut self, id: Option<crate::model::Id>, system: Option<crate::model::Id>, key: &str) {
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
        self.ids.push(id);
    }

    fn first_match(&self, system: Option<crate::model::Id>, key: &str, entries: Option<&Vec<u32>>) -> Option<u32> {
        entries.and_then(|e| {
            e.iter().copied().find(|&n| {
                let (s, k) = &self.keys[n as usize];
                likely_duplicate(system, key, *s, k)
            })
        })
    }

    /// Is `key` on `system` a likely duplicate of any key in the index?
    pub fn matches(&self, system: Option<crate::model::Id>, key: &str) -> bool {
        self.find(system, key).is_some()
    }

    /// The request `key` on `system` is a likely duplicate of, when the
    /// matching key was inserted with its request ([`Self::insert_request`]).
    pub fn similar(&self, system: Option<crate::model::Id>, key: &str) -> Option<crate::model::Id> {
        self.find(system, key).and_then(|n| self.ids[n as usize])
    }

    /// Every request `key` on `system` is a likely duplicate of (inserted
    /// with [`Self::insert_request`]), in id order, each once: the caller
    /// checks each against the request as it is now (a title edited since, a
    /// request marked duplicate since).
    pub fn similar_all(&self, system: Option<crate::model::Id>, key: &str) -> Vec<crate::model::Id> {
        if key.is_empty() || self.keys.is_empty() {
            return Vec::new();
        }
        let chars: Vec<char> = key.chars().collect();
        let n = chars.len();
        let mut found: Vec<u32> = Vec::new();
        let mut take = |entries: Option<&Vec<u32>>| {
            for &e in entries.into_iter().flatten() {
                let (s, k) = &self.keys[e as usize];
                if likely_duplicate(system, key, *s, k) {
                    found.push(e);
                }
            }
        };
        for i in 0..n {
            let mut h = seed(system);
            for (j, c) in chars.iter().enumerate().skip(i) {
                h = step(h, *c);
                let len = j + 1 - i;
                if len >= GRAM || len == n {
                    take(self.exact.get(&mix(h)));
                }
            }
        }
        if n >= GRAM {
            let mut rarest: Option<&Vec<u32>> = None;
            for g in chars.windows(GRAM) {
                match self.grams.get(&hash_of(system, g)) {
                    None => {
                        rarest = None;
                        break;
                    }
                    Some(list) if rarest.is_none_or(|r| list.len() < r.len()) => rarest = Some(list),
                    Some(_) => {}
                }
            }
            take(rarest);
        }
        let mut ids: Vec<crate::model::Id> = found.into_iter().filter_map(|e| self.ids[e as usize]).collect();
        ids.sort();
        ids.dedup();
        ids
    }

    /// The entry `key` on `system` is a likely duplicate of.
    fn find(&self, system: Option<crate::model::Id>, key: &str) -> Option<u32> {
        if key.is_empty() || self.keys.is_empty() {
            return None;
        }
        let chars: Vec<char> = key.chars().collect();
        let n = chars.len();
        // Stored keys equal to it, or contained in it with four characters or more.
        for i in 0..n {
            let mut h = seed(system);
            for (j, c) in chars.iter().enumerate().skip(i) {
                h = step(h, *c);
                let len = j + 1 - i;
                if len >= GRAM || len == n {
                    if let Some(m) = self.first_match(system, key, self.exact.get(&mix(h))) {
                        return Some(m);
                    }
                }
            }
        }
        // Stored keys containing it: all hold its rarest 4-gram.
        if n >= GRAM {
            let mut rarest: Option<&Vec<u32>> = None;
            for g in chars.windows(GRAM) {
                match self.grams.get(&hash_of(system, g)) {
                    None => return None,
                    Some(list) if rarest.is_none_or(|r| list.len() < r.len()) => rarest = Some(list),
                    Some(_) => {}
                }
            }
            return self.first_match(system, key, rarest);
        }
        None
    }
}

/// The request a new one (on `system`, titled `title`) looks like, among
/// `existing` (id, system, title): the first, in the order given, that
/// [`likely_duplicate`] matches — same system, titles equal once normalised or
/// one containing the other (§3.1: the IMC dedupes what it collects).
pub fn similar_request<'a>(
    system: Option<crate::model::Id>,
    title: &str,
    existing: impl IntoIterator<Item = (crate::model::Id, Option<crate::model::Id>, &'a str)>,
) -> Option<crate::model::Id> {
    let key = title_key(title);
    // Another system's request is never alike: its title is not normalised at all.
    existing
        .into_iter()
        .filter(|(_, s, _)| *s == system)
        .find(|(_, s, t)| likely_duplicate(system, &key, *s, &title_key(t)))
        .map(|(id, _, _)| id)
}

/// Tag a new request as a likely duplicate of `similar`, naming it.
pub fn flag_similar(r: &mut Request, similar: crate::model::Id) {
    r.tags.push(LIKELY_DUPLICATE_TAG.to_string());
    r.tags = clean_tags(&r.tags);
    r.similar_to = Some(similar);
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
                Triage::Accept { outcome } => {
                    not_in_meeting(r)?;
                    accept(r, outcome.as_deref(), ctx)?
                }
                Triage::Reject { reason } => {
                    not_in_meeting(r)?;
                    reject(r, reason, ctx)?
                }
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
