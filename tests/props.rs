//! A model-based property test of the process (§2–§5): random sequences of
//! commands of the request, plan, approval, test, defect, calendar and filing
//! areas, by random actors of every role, against a fresh database whose clock
//! moves forward (minutes to days) and sometimes back (hours), and whose
//! calendar gains periods (also over windows already approved). After every
//! step, named invariants are checked on the records as they are read back
//! (the plans, the calendar, the dossiers and the audit log), recomputed here
//! without the workflow's own functions, so a wrong rule cannot hide itself.
//! A failure names the invariant, the plan and the step, with the steps so far.
//! Interleaved with them (drawn apart, see [`steps`]): reopening requests,
//! unlinking them, and undo — a reversible command on a request, then its
//! inverse (`workflow::inverse`) with the revision the command left, sometimes
//! after someone else's change, which must make it a conflict. And supervision
//! (issue 15 §5): orders extended, answered, sent back, closed and reopened,
//! reports investigated, linked, turned into orders and answered — drawn from
//! a generator of their own and run without moving the clock, so that the
//! other walks stay what they were ([`supervision_acts`]); an extension must
//! not become a way around the deadline rule, nor an answer around the
//! investigation. In the second half of a walk, what happens after go-live (issue 15 §3): rollbacks
//! and incidents on live and filed plans, closing as failed, reviews and
//! post-update feedback — a live plan rolled back is then driven through
//! every gate again by the same steps as before. And rework (issue 15 §2, §3,
//! §6): rescheduling approved or announced plans, notice drafts written and
//! discarded, milestones — drawn last and played at the end of a walk, each
//! followed by steps of the driver, which approve again, publish the corrected
//! notice and go live.
//!
//! Each property runs a fixed number of cases from a fixed seed and then
//! asserts that the generator reached what the invariants are about (filing, a
//! live plan with a waiver, with a risk-accepted defect, with an accepted
//! deviation, a return after approval, a quorum of two, a plan live after a
//! reschedule, corrected and cancellation notices, every command of those
//! areas) and that at least one walk in eight filed a plan: a property that
//! never reaches a state checks nothing about it. The duplicate index's
//! property plants real duplicates (most of its cases hold one) and asserts
//! that every kind of match was met.
//!
//! Change classes and templates of standard changes (issue 15 §1) join the
//! walks of a property of their own, drawn apart like undo (the other
//! properties walk as before): plans of every class, class and scope edits,
//! emergency justifications and short windows, templates written, submitted,
//! approved and returned, standard changes made of them (templates valid one
//! month here, so that some expire), soft periods over major changes' windows,
//! and long waits. The invariants read each plan's class: its quorum, its
//! notice period, its soft blackout overrides; a standard change is covered by
//! an approved template whose deciders did not write it, and keeps its scope.
//!
//! `every_invariant_catches_its_violation` shows each invariant failing on a
//! record (or a step) broken the way it guards against. What the code under
//! test is known to break ([`KNOWN_VIOLATIONS`], [`KNOWN_MARKDOWN_GAPS`]) is
//! counted instead of failed on, until `BEIAN_PROPS_STRICT=1`.
//!
//! `BEIAN_PROPS_STATS=1 cargo test --test props -- --nocapture` prints the
//! figures; `BEIAN_PROPS_SEED=<n>` and `BEIAN_PROPS_CASES=<n>` explore other
//! sequences (the vacuity thresholds are set for the default seed).

mod common;

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use beian::model::*;
use beian::service::{
    ArchiveFilter, Command, DossierView, ImportItem, NewRequest, PlanFilter, RequestEdit, RequestFilter, Triage,
};
use beian::workflow::command::GoalInput;
use beian::workflow::{
    golive_missing, inverse, submit_missing, GoLiveMissing, Milestone, NoticeChange, PlanChange, RuleError,
    TemplateChange,
};
use beian::Error;
use chrono::{Duration, Local, NaiveDate, NaiveTime, TimeZone};
use common::*;
use proptest::prelude::*;
use proptest::test_runner::{Config as PropConfig, RngSeed, TestCaseError, TestRunner};

// ===== the people =====

/// A second member of the Leading Group who never writes plans.
fn approver_b() -> Actor {
    Actor::new("zhou", &[Role::Approver])
}

/// Operator a, operator b, the approver, an operator who also approves, a
/// second approver, the supervisor, a viewer, and the admin.
fn actors() -> [Actor; 8] {
    [
        op_a(),
        op_b(),
        approver(),
        op_approver(),
        approver_b(),
        supervisor(),
        viewer(),
        admin(),
    ]
}

/// Who may write plans, tests and filings: operator a (twice as often), operator
/// b, the admin, and the operator who also approves.
const WRITERS: &[usize] = &[0, 0, 1, 7, 3];
/// The Leading Group: li, zhou, and sun (who also writes plans).
const DECIDERS: &[usize] = &[2, 4, 3];

/// Mostly someone from `pool`; one step in eight, anyone at all (so the
/// permission table is exercised with every role).
fn actor_from(pool: &[usize], who: u8) -> Actor {
    let all = actors();
    if who.is_multiple_of(8) {
        all[(who / 8) as usize % all.len()].clone()
    } else {
        all[pool[who as usize % pool.len()]].clone()
    }
}

fn roles_of(name: &str) -> Vec<Role> {
    actors()
        .into_iter()
        .find(|a| a.name == name)
        .map(|a| a.roles)
        .unwrap_or_default()
}

// ===== the actions =====

#[derive(Debug, Clone)]
enum Act {
    /// The next step towards filing for a plan, as the process would take it,
    /// with the clock kept (see `Run::advance`); `variant` sometimes takes a
    /// side road: a waiver, a risk acceptance, a failed result, a return after
    /// approval, a rollback.
    Advance {
        plan: u8,
        pick: u8,
        variant: u8,
    },
    NewRequest,
    Import {
        items: u8,
        dry_run: bool,
        again: bool,
    },
    RequestEdit {
        req: u8,
        how: u8,
    },
    Comment {
        req: u8,
    },
    Triage {
        req: u8,
        how: u8,
        other: u8,
    },
    Link {
        req: u8,
        plan: u8,
    },
    /// Withdraw a request's latest triage decision.
    Reopen {
        req: u8,
        reason: bool,
    },
    /// Take a planned request off its plan.
    Unlink {
        req: u8,
        reason: bool,
    },
    /// Link a request to a submitted plan (issue 15 §4: until its first approval).
    LinkSubmitted {
        req: u8,
        plan: u8,
    },
    /// Convene a joint review of `n` (1–3) requests chosen by `reqs`; with
    /// one department when `one_department` (refused: a joint review is of
    /// several).
    JointNew {
        reqs: [u8; 3],
        n: u8,
        one_department: bool,
    },
    /// Record the position of joint review `review`, rejecting the covered
    /// request `reject` picks (none when it is 0); no position without `reason`.
    JointDecide {
        review: u8,
        reject: u8,
        reason: bool,
    },
    /// A reversible command on a request (`how`: a triage decision, a link, a
    /// priority or tag edit), then its inverse (`workflow::inverse`) by the same
    /// person with the revision the command left; after someone else's comment
    /// when `interfere` (see `Run::undo`).
    Undo {
        req: u8,
        how: u8,
        plan: u8,
        interfere: bool,
    },
    /// After go-live (issue 15 §3): a rollback or serious incident on a plan,
    /// mostly a live or filed one, at a time chosen by `when` (see
    /// `Run::incident_time`).
    Incident {
        plan: u8,
        rollback: bool,
        when: u8,
    },
    /// Close a plan as failed, mostly one that went live.
    Fail {
        plan: u8,
        reason: bool,
    },
    /// A post-implementation review, mostly of a live or filed plan: `how` 0–2
    /// every goal assessed, 3 one left out, 4 one twice, 5 no summary.
    Review {
        plan: u8,
        how: u8,
    },
    /// A request linked to a plan, mostly a live or filed one, as post-update feedback.
    Feedback {
        req: u8,
        plan: u8,
    },
    /// One given command: the parts of an `Undo`, never generated.
    Do {
        actor: Actor,
        cmd: Box<Command>,
        rev: Option<u64>,
    },
    NewPlan {
        system: u8,
    },
    /// Write the plan in full, the window `days` ahead (in the past when
    /// negative), leaving out change `drop` (when in range).
    Edit {
        plan: u8,
        days: i64,
        drop: u8,
        migrates: bool,
    },
    /// One change: see `Run::small_edit`.
    SmallEdit {
        plan: u8,
        field: u8,
    },
    /// A blackout justification: `period` 0 for "every soft period the window
    /// touches now", else a period of the calendar by position (or an unknown
    /// one); `clear` removes it.
    Override {
        plan: u8,
        period: u8,
        clear: bool,
    },
    Submit {
        plan: u8,
    },
    Approve {
        plan: u8,
    },
    Return {
        plan: u8,
        reason: bool,
    },
    Notice {
        plan: u8,
        text: bool,
    },
    Implement {
        plan: u8,
    },
    Cancel {
        plan: u8,
        reason: bool,
    },
    Round {
        plan: u8,
        copy: bool,
        env: bool,
    },
    /// A new item (`retest` 0) or a retest of item `retest`.
    Item {
        plan: u8,
        retest: u8,
    },
    Result {
        plan: u8,
        item: u8,
        result: u8,
    },
    Waive {
        plan: u8,
        item: u8,
        reason: bool,
    },
    Defect {
        plan: u8,
        severity: u8,
        item: u8,
    },
    DefectStatus {
        plan: u8,
        no: u8,
        status: u8,
    },
    DefectAccept {
        plan: u8,
        no: u8,
        reason: bool,
    },
    Backup {
        plan: u8,
    },
    /// A go-live at a time chosen by `when` (see `Run::golive_time`).
    GoLive {
        plan: u8,
        outcome: u8,
        when: u8,
    },
    Deviation {
        plan: u8,
        when: u8,
    },
    DeviationAccept {
        plan: u8,
        reason: bool,
    },
    Training {
        plan: u8,
    },
    Comparison {
        plan: u8,
        remove: bool,
    },
    File {
        plan: u8,
    },
    Addendum {
        dossier: u8,
        reason: bool,
    },
    /// The admin adds a period `days` ahead (or over a plan's window when
    /// `over` says so), `len` days long, for all systems or named ones.
    Calendar {
        days: i64,
        len: u8,
        hard: bool,
        systems: u8,
        over: u8,
    },
    CalendarRemove {
        n: u8,
    },
    CalendarReplace {
        drop: u8,
    },
    Order {
        plan: u8,
        past: bool,
    },
    Report,
    ReadReports,
    /// A step on a rectification order (issue 15 §5): `how` 0 respond, 1
    /// extend (`days` from today: some into the past, some not later than the
    /// deadline), 2 send back, 3 close, 4 reopen, 5 issue one (`order` picks
    /// the plan, `days` the deadline); `reason` false sends none. Supervision
    /// steps leave the clock where they found it (see `Run::step`).
    OrderStep {
        order: u8,
        how: u8,
        days: i8,
        reason: bool,
    },
    /// A step on a confidential report: `how` 0 investigate, 1 link to a plan,
    /// 2 turn into an order (`target` 0: the linked plan, 1: a plan, 2: a
    /// department), 3 reply, 4 submit one.
    ReportStep {
        report: u8,
        how: u8,
        plan: u8,
        target: u8,
    },
    /// A plan edit based on a revision that is not the current one.
    Stale {
        plan: u8,
    },
    /// Rework (issue 15 §2): a new window `days` ahead for (mostly) an
    /// approved or announced plan, with a reason unless not `reason`, and a
    /// justification for soft periods when `justify`.
    Reschedule {
        plan: u8,
        days: i64,
        reason: bool,
        justify: bool,
    },
    /// The notice as a document (§3.2): a draft text saved or discarded, a
    /// field or the language written (`how`).
    NoticeDraft {
        plan: u8,
        how: u8,
    },
    /// A milestone (§3.4): the test start, the go-live time fixed, a planned
    /// training session (`how`), at a time chosen by `when`.
    Milestone {
        plan: u8,
        how: u8,
        when: u8,
    },
    /// The clock moves forward.
    Wait {
        minutes: u32,
    },
    /// The clock moves back (a corrected clock, a late entry).
    Back {
        hours: u8,
    },
    /// A new plan of a class (`class`: normal, major, emergency, or standard
    /// without a template, which is refused).
    ClassPlan {
        system: u8,
        class: u8,
    },
    /// Choose another class for a plan (standard: refused, as for an instance).
    SetClass {
        plan: u8,
        class: u8,
    },
    /// Write (or clear) a plan's emergency justification.
    EmergencyReason {
        plan: u8,
        clear: bool,
    },
    /// A new template of standard changes, with items or without.
    TemplateNew {
        system: u8,
        items: bool,
    },
    /// A step on a template: edit, add or remove an item, submit, approve, return.
    TemplateStep {
        template: u8,
        step: u8,
    },
    /// A standard change of a template, for its system or the other one.
    Instance {
        template: u8,
        system: u8,
    },
    /// A standard change's content written again, the same or different.
    ScopeEdit {
        plan: u8,
        same: bool,
    },
    /// A window a day or two ahead for a plan being written, mostly an
    /// emergency one (whose notice may then come inside the normal period).
    ShortWindow {
        plan: u8,
        hours: u8,
    },
    /// The next step of a template, as the process would take it: an item if
    /// it has none, submit, an approval by a member of the Leading Group, then
    /// a standard change of it.
    AdvanceTemplate {
        template: u8,
        pick: u8,
    },
    /// The admin publishes a soft period over a major change's window (which
    /// no justification covers).
    SoftOver {
        plan: u8,
    },
}

#[derive(Debug, Clone)]
struct Step {
    act: Act,
    /// Chooses the actor (see [`actor_from`]).
    who: u8,
}

fn act() -> impl Strategy<Value = Act> {
    let u = any::<u8>;
    let b = any::<bool>;
    prop_oneof![
        36 => (u(), u(), u()).prop_map(|(plan, pick, variant)| Act::Advance { plan, pick, variant }),
        2 => Just(Act::NewRequest),
        1 => (1u8..4, b(), b()).prop_map(|(items, dry_run, again)| Act::Import { items, dry_run, again }),
        2 => (u(), 0u8..6).prop_map(|(req, how)| Act::RequestEdit { req, how }),
        1 => u().prop_map(|req| Act::Comment { req }),
        3 => (u(), 0u8..7, u()).prop_map(|(req, how, other)| Act::Triage { req, how, other }),
        2 => (u(), u()).prop_map(|(req, plan)| Act::Link { req, plan }),
        1 => u().prop_map(|system| Act::NewPlan { system }),
        2 => (u(), -2i64..16, 0u8..16, b())
            .prop_map(|(plan, days, drop, migrates)| Act::Edit { plan, days, drop, migrates }),
        2 => (u(), 0u8..14).prop_map(|(plan, field)| Act::SmallEdit { plan, field }),
        2 => (u(), 0u8..5, b()).prop_map(|(plan, period, clear)| Act::Override { plan, period, clear }),
        1 => u().prop_map(|plan| Act::Submit { plan }),
        2 => u().prop_map(|plan| Act::Approve { plan }),
        1 => (u(), b()).prop_map(|(plan, reason)| Act::Return { plan, reason }),
        1 => (u(), b()).prop_map(|(plan, text)| Act::Notice { plan, text }),
        1 => u().prop_map(|plan| Act::Implement { plan }),
        1 => (u(), b()).prop_map(|(plan, reason)| Act::Cancel { plan, reason }),
        1 => (u(), b(), 0u8..6).prop_map(|(plan, copy, env)| Act::Round { plan, copy, env: env > 0 }),
        2 => (u(), 0u8..5).prop_map(|(plan, retest)| Act::Item { plan, retest }),
        3 => (u(), 1u8..5, 0u8..5).prop_map(|(plan, item, result)| Act::Result { plan, item, result }),
        2 => (u(), 1u8..5, 0u8..6).prop_map(|(plan, item, reason)| Act::Waive { plan, item, reason: reason > 0 }),
        3 => (u(), 0u8..4, 0u8..4).prop_map(|(plan, severity, item)| Act::Defect { plan, severity, item }),
        3 => (u(), 1u8..4, 0u8..4).prop_map(|(plan, no, status)| Act::DefectStatus { plan, no, status }),
        2 => (u(), 1u8..4, 0u8..6).prop_map(|(plan, no, reason)| Act::DefectAccept { plan, no, reason: reason > 0 }),
        1 => u().prop_map(|plan| Act::Backup { plan }),
        4 => (u(), 0u8..4, u()).prop_map(|(plan, outcome, when)| Act::GoLive { plan, outcome, when }),
        2 => (u(), u()).prop_map(|(plan, when)| Act::Deviation { plan, when }),
        2 => (u(), 0u8..6).prop_map(|(plan, reason)| Act::DeviationAccept { plan, reason: reason > 0 }),
        1 => u().prop_map(|plan| Act::Training { plan }),
        1 => (u(), b()).prop_map(|(plan, remove)| Act::Comparison { plan, remove }),
        1 => u().prop_map(|plan| Act::File { plan }),
        1 => (u(), b()).prop_map(|(dossier, reason)| Act::Addendum { dossier, reason }),
        3 => (-3i64..20, 0u8..4, b(), 0u8..8, u())
            .prop_map(|(days, len, hard, systems, over)| Act::Calendar { days, len, hard, systems, over }),
        1 => u().prop_map(|n| Act::CalendarRemove { n }),
        1 => u().prop_map(|drop| Act::CalendarReplace { drop }),
        1 => (u(), b()).prop_map(|(plan, past)| Act::Order { plan, past }),
        1 => Just(Act::Report),
        1 => Just(Act::ReadReports),
        1 => u().prop_map(|plan| Act::Stale { plan }),
        4 => prop_oneof![
            4 => 1u32..60,
            3 => 60u32..(48 * 60),
            1 => (48 * 60u32)..(6 * 24 * 60),
        ]
        .prop_map(|minutes| Act::Wait { minutes }),
        1 => (1u8..13).prop_map(|hours| Act::Back { hours }),
    ]
}

/// Reopen, unlink and undo (issue 13 §1, issue 15 §4): generated apart from
/// [`act`] and interleaved by [`steps`], so that the sequences of the other
/// acts, and what the vacuity guards count of them, stay what they were.
fn undo_act() -> impl Strategy<Value = Act> {
    let u = any::<u8>;
    prop_oneof![
        1 => (u(), 0u8..6).prop_map(|(req, reason)| Act::Reopen { req, reason: reason > 0 }),
        1 => (u(), 0u8..6).prop_map(|(req, reason)| Act::Unlink { req, reason: reason > 0 }),
        3 => (u(), 0u8..9, u(), 0u8..4)
            .prop_map(|(req, how, plan, other)| Act::Undo { req, how, plan, interfere: other == 0 }),
    ]
}

/// Reschedule, the notice draft and milestones (issue 15 §2, §3, §6). Like
/// [`supervision_acts`], drawn from a generator seeded by the walk itself, not
/// from the runner's stream, so that the walks of the other acts stay exactly
/// what they were; played at the end of a walk (see [`steps`]).
fn rework_acts(steps: &[Step], max: usize) -> Vec<(u16, Act, u8)> {
    use rand::{Rng, SeedableRng};
    let seed = steps.iter().fold(0x7265_776f_726b_u64, |h, s| {
        h.wrapping_mul(0x100_0000_01b3).wrapping_add(s.who as u64 + 7)
    });
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let n = rng.random_range(0..=max);
    (0..n)
        .map(|_| {
            let act = match rng.random_range(0..6) {
                0..=2 => Act::Reschedule {
                    plan: rng.random(),
                    days: rng.random_range(-1i64..24),
                    reason: rng.random_ratio(5, 6),
                    justify: rng.random_ratio(1, 4),
                },
                3 | 4 => Act::NoticeDraft {
                    plan: rng.random(),
                    how: rng.random_range(0..5),
                },
                _ => Act::Milestone {
                    plan: rng.random(),
                    how: rng.random_range(0..3),
                    when: rng.random(),
                },
            };
            (rng.random(), act, rng.random())
        })
        .collect()
}

/// Supervision (issue 15 §5): orders issued, extended, answered, sent back,
/// closed, reopened; reports submitted, investigated, linked, turned into
/// orders and answered. Drawn from a generator seeded by the walk itself, not
/// from the runner's stream, and run without moving the clock (`Run::step`):
/// the walks of the other acts, and what the vacuity guards count of them, stay
/// exactly what they were; what is counted of these is asserted apart.
fn supervision_acts(steps: &[Step], max: usize) -> Vec<(u16, Act, u8)> {
    use rand::{Rng, SeedableRng};
    let seed = steps.iter().fold(0x7375_7065_7276_u64, |h, s| {
        h.wrapping_mul(0x100_0000_01b3).wrapping_add(s.who as u64 + 1)
    });
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let n = rng.random_range(0..=max);
    (0..n)
        .map(|_| {
            let act = if rng.random_ratio(8, 13) {
                // Along an order's life more often than off it, so that reopening is reached.
                let how = [0u8, 0, 0, 1, 1, 2, 3, 3, 3, 4, 4, 5, 5][rng.random_range(0..13)];
                let days = if how == 5 && rng.random_bool(0.5) {
                    -2
                } else {
                    rng.random_range(-3i8..30)
                };
                Act::OrderStep {
                    order: rng.random(),
                    how,
                    days,
                    reason: rng.random_ratio(7, 8),
                }
            } else {
                Act::ReportStep {
                    report: rng.random(),
                    how: rng.random_range(0..5),
                    plan: rng.random(),
                    target: rng.random_range(0..3),
                }
            };
            (rng.random(), act, rng.random())
        })
        .collect()
}

/// Joint reviews and links to submitted plans (issue 15 §4), drawn after the
/// others and interleaved last, so that the sequences drawn before stay what
/// they were.
fn request_act() -> impl Strategy<Value = Act> {
    let u = any::<u8>;
    prop_oneof![
        2 => (u(), u()).prop_map(|(req, plan)| Act::LinkSubmitted { req, plan }),
        2 => ([u(), u(), u()], 1u8..4, 0u8..8)
            .prop_map(|(reqs, n, one)| Act::JointNew { reqs, n, one_department: one == 0 }),
        2 => (u(), 0u8..4, 0u8..8).prop_map(|(review, reject, reason)| Act::JointDecide { review, reject, reason: reason > 0 }),
    ]
}

/// After go-live (issue 15 §3): rollbacks and incidents, closing as failed,
/// reviews and post-update feedback, generated apart like [`undo_act`] and
/// interleaved after it, in the second half of a walk (where plans are live).
fn after_act() -> impl Strategy<Value = Act> {
    let u = any::<u8>;
    let b = any::<bool>;
    prop_oneof![
        4 => (u(), b(), u()).prop_map(|(plan, rollback, when)| Act::Incident { plan, rollback, when }),
        2 => (u(), 0u8..6).prop_map(|(plan, reason)| Act::Fail { plan, reason: reason > 0 }),
        3 => (u(), 0u8..6).prop_map(|(plan, how)| Act::Review { plan, how }),
        2 => (u(), u()).prop_map(|(req, plan)| Act::Feedback { req, plan }),
    ]
}

/// Change classes and templates (issue 15 §1), generated apart from [`act`]
/// like [`undo_act`], interleaved by [`steps`].
fn class_act() -> impl Strategy<Value = Act> {
    let u = any::<u8>;
    let b = any::<bool>;
    prop_oneof![
        3 => (u(), 0u8..7).prop_map(|(system, class)| Act::ClassPlan { system, class }),
        2 => (u(), 0u8..4).prop_map(|(plan, class)| Act::SetClass { plan, class }),
        1 => (u(), 0u8..4).prop_map(|(plan, clear)| Act::EmergencyReason { plan, clear: clear == 0 }),
        1 => (u(), 0u8..3).prop_map(|(system, items)| Act::TemplateNew { system, items: items > 0 }),
        8 => (u(), u()).prop_map(|(template, step)| Act::TemplateStep { template, step }),
        4 => (u(), 0u8..6).prop_map(|(template, system)| Act::Instance { template, system }),
        1 => (u(), b()).prop_map(|(plan, same)| Act::ScopeEdit { plan, same }),
        3 => (u(), u()).prop_map(|(plan, hours)| Act::ShortWindow { plan, hours }),
        6 => (u(), u()).prop_map(|(template, pick)| Act::AdvanceTemplate { template, pick }),
        2 => u().prop_map(|plan| Act::SoftOver { plan }),
        2 => ((12u32 * 24 * 60)..(30 * 24 * 60)).prop_map(|minutes| Act::Wait { minutes }),
    ]
}

/// `classes`: change classes and templates join the walk ([`class_act`]).
fn steps(max: usize, classes: bool) -> impl Strategy<Value = Vec<Step>> {
    let main = prop::collection::vec((act(), any::<u8>()).prop_map(|(act, who)| Step { act, who }), 1..=max);
    // Drawn after the main sequence, so that it is the one drawn before.
    let undo = prop::collection::vec((any::<u16>(), undo_act(), any::<u8>()), 0..=max / 6);
    let requests = prop::collection::vec((any::<u16>(), request_act(), any::<u8>()), 0..=max / 6);
    // Drawn last, so that the main sequence and the undos stay what they were.
    let after = prop::collection::vec((any::<u16>(), after_act(), any::<u8>()), 0..=max / 8);
    // Change classes after them (and none without `classes`).
    let most = if classes { max / 2 } else { 0 };
    let class = prop::collection::vec((any::<u16>(), class_act(), any::<u8>()), 0..=most);
    (main, undo, requests, (after, class)).prop_map(move |(mut steps, undo, requests, (after, class))| {
        let sup = supervision_acts(&steps, max / 5);
        let rework = rework_acts(&steps, max / 10);
        for (at, act, who) in undo.into_iter().chain(requests).chain(sup) {
            let k = at as usize % (steps.len() + 1);
            steps.insert(k, Step { act, who });
        }
        // After go-live acts in the second half of a walk, where plans are live.
        for (at, act, who) in after {
            let half = steps.len() / 2;
            let k = half + at as usize % (steps.len() - half + 1);
            steps.insert(k, Step { act, who });
        }
        // Change classes and templates anywhere in the walk.
        for (at, act, who) in class {
            let k = at as usize % (steps.len() + 1);
            steps.insert(k, Step { act, who });
        }
        // Rework at the end of a walk, each act followed by a few steps of the
        // driver (so that a rescheduled plan is approved again, announced and
        // goes live): the walk before it stays exactly what it was.
        for (at, act, who) in rework {
            steps.push(Step { act, who });
            for i in 0..5u8 {
                steps.push(Step {
                    act: Act::Advance {
                        plan: (at >> (2 * i)) as u8,
                        pick: who.wrapping_add(i),
                        variant: ((at >> 8) as u8) ^ i,
                    },
                    who: who.wrapping_add(3 * i),
                });
            }
        }
        steps
    })
}

// ===== everything observable =====

#[derive(Debug, Clone, PartialEq)]
struct Snapshot {
    systems: Vec<System>,
    requests: Vec<Request>,
    plans: Vec<Plan>,
    dossiers: Vec<DossierView>,
    orders: Vec<RectificationOrder>,
    /// Read from the store (the service's read is audited, and would add an event).
    reports: Vec<ConfidentialReport>,
    calendar: Vec<Blackout>,
    joint_reviews: Vec<JointMeeting>,
    /// Oldest first.
    audit: Vec<AuditEvent>,
    /// Each plan's events as the audit index answers for it, oldest first.
    plan_events: BTreeMap<Id, Vec<AuditEvent>>,
    /// Templates of standard changes, with their events (oldest first).
    templates: Vec<Template>,
    template_events: BTreeMap<Id, Vec<AuditEvent>>,
}

fn snapshot(w: &World) -> Snapshot {
    let s = supervisor();
    let svc = &w.svc;
    let requests = svc.requests(&s, &RequestFilter::default()).unwrap();
    let plans: Vec<Plan> = svc
        .plans(&s, &PlanFilter::default())
        .unwrap()
        .iter()
        .map(|p| svc.plan(&s, p.id).unwrap())
        .collect();
    let mut dossiers = svc.archive(&s, &ArchiveFilter::default()).unwrap();
    dossiers.sort_by_key(|d| d.id);
    let mut audit = svc.audit(&s, None, usize::MAX).unwrap();
    audit.reverse();
    let plan_events = plans
        .iter()
        .map(|p| {
            let mut e = svc.audit(&s, Some(&p.id.to_string()), usize::MAX).unwrap();
            e.reverse();
            (p.id, e)
        })
        .collect();
    let templates: Vec<Template> = svc
        .templates(&s)
        .unwrap()
        .iter()
        .map(|t| svc.template(&s, t.id).unwrap())
        .collect();
    let template_events = templates
        .iter()
        .map(|t| {
            let mut e = svc.audit(&s, Some(&t.id.to_string()), usize::MAX).unwrap();
            e.reverse();
            (t.id, e)
        })
        .collect();
    Snapshot {
        templates,
        template_events,
        systems: svc.systems(&s).unwrap(),
        requests: requests.iter().map(|r| svc.request(&s, r.id).unwrap()).collect(),
        plans,
        dossiers: dossiers.iter().map(|d| svc.dossier(&s, d.id).unwrap()).collect(),
        orders: svc.orders(&s).unwrap(),
        reports: svc.raw_store().all().unwrap(),
        calendar: svc.calendar(&s).unwrap(),
        joint_reviews: svc.joint_reviews(&s).unwrap(),
        audit,
        plan_events,
    }
}

impl Snapshot {
    fn plan(&self, id: Id) -> Option<&Plan> {
        self.plans.iter().find(|p| p.id == id)
    }
    fn order(&self, id: Id) -> Option<&RectificationOrder> {
        self.orders.iter().find(|o| o.id == id)
    }
    fn report(&self, id: Id) -> Option<&ConfidentialReport> {
        self.reports.iter().find(|r| r.id == id)
    }
    fn template(&self, id: Id) -> Option<&Template> {
        self.templates.iter().find(|t| t.id == id)
    }
}

/// The gates of a plan's class as this test runs them: the defaults of
/// `config.toml` (the normal quorum is the run's, see [`Run::new`]).
fn class_of(p: &Plan) -> beian::config::ClassGates {
    beian::config::ClassGates::default_of(p.class)
}

// ===== the model: the process as this test reads it, from the records =====

/// The local calendar day of a time: the calendar works in days (§3.2).
fn day(t: Time) -> NaiveDate {
    t.with_timezone(&Local).date_naive()
}

/// Noon, local time, on a day.
fn noon(d: NaiveDate) -> Time {
    let t = d.and_time(NaiveTime::from_hms_opt(12, 0, 0).unwrap());
    Local
        .from_local_datetime(&t)
        .earliest()
        .unwrap()
        .with_timezone(&chrono::Utc)
}

/// The periods of the calendar that close `system` on some day of `from..=to`.
fn periods_between(cal: &[Blackout], system: Id, from: NaiveDate, to: NaiveDate) -> Vec<&Blackout> {
    cal.iter()
        .filter(|b| (b.systems.is_empty() || b.systems.contains(&system)) && b.start <= to && from <= b.end)
        .collect()
}

/// A soft period with a justification naming it, in a class that allows one
/// (a major change allows none).
fn justified(p: &Plan, period: &Blackout) -> bool {
    !period.hard
        && class_of(p).soft_override
        && p.blackout_overrides
            .iter()
            .any(|o| o.period == period.name && !o.reason.trim().is_empty())
}

/// What is wrong with the plan's window against this calendar: a hard period
/// of its system, or a soft one with no justification naming it.
fn window_conflict(p: &Plan, cal: &[Blackout]) -> Option<String> {
    let w = p.window.as_ref()?;
    periods_between(cal, p.system, day(w.start), day(w.end))
        .into_iter()
        .find(|b| !justified(p, b))
        .map(|b| format!("window {} — {} in {} period {:?}", w.start, w.end, kind(b), b.name))
}

/// What is wrong with a go-live at `t` against this calendar.
fn time_conflict(p: &Plan, t: Time, cal: &[Blackout]) -> Option<String> {
    periods_between(cal, p.system, day(t), day(t))
        .into_iter()
        .find(|b| !justified(p, b))
        .map(|b| format!("go-live {t} in {} period {:?}", kind(b), b.name))
}

fn kind(b: &Blackout) -> &'static str {
    if b.hard {
        "hard"
    } else {
        "unjustified soft"
    }
}

fn serious(d: &Defect) -> bool {
    matches!(d.severity, Severity::Critical | Severity::Major)
}

fn in_window(p: &Plan, t: Time) -> bool {
    p.window.as_ref().is_some_and(|w| w.start <= t && t <= w.end)
}

/// The latest result of every item number, with its round, in item order.
fn latest_results(p: &Plan) -> BTreeMap<u32, (u32, &TestItem)> {
    let mut last = BTreeMap::new();
    for r in &p.rounds {
        for i in &r.items {
            last.insert(i.no, (r.no, i));
        }
    }
    last
}

fn resolved(i: &TestItem) -> bool {
    match i.result {
        TestResult::Pass => true,
        TestResult::Waived => i.waived.is_some() && i.waiver.as_deref().is_some_and(|w| !w.trim().is_empty()),
        _ => false,
    }
}

/// What the go-live gate misses at `at`, recomputed: a backup at most
/// `backup_max_age_days` old, a latest round with items started after the last
/// rollback, every item ever tested resolved, no critical or major defect that
/// is neither verified nor risk-accepted.
fn gate_problems(p: &Plan, at: Time, rules: &beian::config::Process) -> Vec<String> {
    let mut m = Vec::new();
    match &p.backup {
        None => m.push("no backup".to_string()),
        Some(b) if at - b.time > Duration::days(rules.backup_max_age_days as i64) => {
            m.push(format!("backup of {} is stale at {at}", b.time))
        }
        Some(_) => {}
    }
    match p.rounds.last() {
        None => m.push("no round".into()),
        Some(r) => {
            if r.items.is_empty() {
                m.push(format!("round {} has no items", r.no));
            }
            if p.retest_after_round.is_some_and(|n| r.no <= n) {
                m.push(format!("round {} was rolled back", r.no));
            }
        }
    }
    for (no, (round, i)) in latest_results(p) {
        if !resolved(i) {
            m.push(format!("item #{no} is {} in round {round}", i.result));
        }
    }
    for d in &p.defects {
        if serious(d) && d.status != DefectStatus::Verified && d.acceptance.is_none() {
            m.push(format!("D{} {} is {}", d.no, d.severity, d.status));
        }
    }
    // After a rollback of the live update, a backup with the data of the live period.
    if let (Some(b), Some(rb)) = (&p.backup, last_rollback(p)) {
        if b.time < rb.time {
            m.push(format!(
                "backup of {} is from before the rollback at {}",
                b.time, rb.time
            ));
        }
    }
    m
}

/// A plan's goals as a review lists them, one a line (the plans written here
/// have no list markers for `workflow::goal_list` to take off).
fn goal_lines(goals: &str) -> Vec<String> {
    goals
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect()
}

/// The latest rollback after go-live recorded on the plan.
fn last_rollback(p: &Plan) -> Option<&Incident> {
    p.incidents
        .iter()
        .rev()
        .find(|i| i.outcome == IncidentOutcome::RolledBack)
}

/// What the submit gate misses, recomputed from the form (§3.2).
fn form_problems(p: &Plan) -> Vec<&'static str> {
    let blank = |s: &str| s.trim().is_empty();
    let mut m = Vec::new();
    for (name, v) in [
        ("title", &p.title),
        ("goals", &p.goals),
        ("content", &p.content),
        ("approach", &p.approach),
        ("backup_plan", &p.backup_plan),
        ("rollback_plan", &p.rollback_plan),
    ] {
        if blank(v) {
            m.push(name);
        }
    }
    if p.window.as_ref().is_none_or(|w| w.end <= w.start) {
        m.push("window");
    }
    if p.staff.is_empty() {
        m.push("staff");
    }
    if !p.risks.iter().any(|r| !blank(&r.mitigation)) {
        m.push("risks");
    }
    match p.migrates_data {
        None => m.push("migrates_data"),
        Some(true) if blank(&p.migration_plan) => m.push("migration_plan"),
        _ => {}
    }
    if p.class == ChangeClass::Emergency && blank(&p.emergency_reason) {
        m.push("emergency_reason");
    }
    m
}

/// Audit actions by which someone contributes to a plan (§2.1: they may not
/// decide on it, accept its risks or waive its failures).
const CONTRIBUTING: &[&str] = &[
    "plan.new",
    "plan.edit",
    "plan.submit",
    "plan.reschedule",
    "request.link",
    "request.unlink",
    "test.round",
    "test.item",
    "test.result",
    "test.defect",
    "test.defect_update",
];
/// Audit actions that start a new submission of a plan for the Leading Group.
const SUBMITTING: &[&str] = &["plan.submit", "plan.reschedule"];

/// Audit actions that decide on a plan or accept one of its risks.
const DECIDING: &[&str] = &[
    "plan.approve",
    "plan.return",
    "test.waive",
    "test.defect_accept",
    "golive.deviation_accept",
];

fn events(s: &Snapshot, id: Id) -> &[AuditEvent] {
    s.plan_events.get(&id).map_or(&[], |e| e.as_slice())
}

/// Audit actions by which someone contributes to a template.
const TEMPLATE_CONTRIBUTING: &[&str] = &["template.new", "template.edit", "template.submit"];
const TEMPLATE_DECIDING: &[&str] = &["template.approve", "template.return"];

fn template_events(s: &Snapshot, id: Id) -> &[AuditEvent] {
    s.template_events.get(&id).map_or(&[], |e| e.as_slice())
}

/// Who contributed to the plan, from the audit log alone.
fn contributors_from_audit(events: &[AuditEvent]) -> BTreeSet<String> {
    events
        .iter()
        .filter(|e| CONTRIBUTING.contains(&e.action.as_str()))
        .map(|e| e.actor.clone())
        .collect()
}

const PAST_APPROVAL: &[PlanStatus] = &[
    PlanStatus::Approved,
    PlanStatus::NoticePublished,
    PlanStatus::Implementing,
    PlanStatus::Testing,
    PlanStatus::Ready,
    PlanStatus::Live,
    PlanStatus::Filed,
];

fn is_live(p: &Plan) -> bool {
    matches!(p.status, PlanStatus::Live | PlanStatus::Filed)
}

/// The approvals that make the current submission approved.
fn current_approvals(p: &Plan) -> Vec<&Approval> {
    p.approvals
        .iter()
        .filter(|a| a.submission == p.submission && a.decision == Decision::Approved)
        .collect()
}

// ===== the invariants =====

#[derive(Debug)]
struct Violation {
    plan: Option<Id>,
    detail: String,
}

type Check = Result<(), Violation>;

macro_rules! ensure {
    ($cond:expr, $plan:expr, $($fmt:tt)+) => {
        if !$cond {
            return Err(Violation { plan: $plan, detail: format!($($fmt)+) });
        }
    };
}

/// What a step did, for the invariants about transitions.
struct StepInfo {
    actor: Actor,
    cmd: Command,
    /// The time the command ran at.
    at: Time,
    result: Result<beian::service::Outcome, Error>,
}

impl StepInfo {
    fn ok(&self) -> bool {
        self.result.is_ok()
    }
    /// The plan the command is about, if any.
    fn plan(&self) -> Option<Id> {
        use Command as C;
        match &self.cmd {
            C::PlanEdit { id, .. }
            | C::PlanSubmit { id }
            | C::PlanApprove { id, .. }
            | C::PlanReturn { id, .. }
            | C::PlanNotice { id, .. }
            | C::PlanImplement { id }
            | C::PlanCancel { id, .. }
            | C::PlanReschedule { id, .. }
            | C::PlanNoticeDraft { id, .. }
            | C::PlanMilestone { id, .. } => Some(*id),
            C::RequestLink { plan, .. }
            | C::TestRound { plan, .. }
            | C::TestItem { plan, .. }
            | C::TestResult { plan, .. }
            | C::TestWaive { plan, .. }
            | C::DefectAdd { plan, .. }
            | C::DefectUpdate { plan, .. }
            | C::DefectAccept { plan, .. }
            | C::Backup { plan, .. }
            | C::GoLive { plan, .. }
            | C::PlanDeviation { plan, .. }
            | C::DeviationAccept { plan, .. }
            | C::Training { plan, .. }
            | C::ComparisonAdd { plan, .. }
            | C::ComparisonRemove { plan, .. }
            | C::PlanIncident { plan, .. }
            | C::PlanFail { plan, .. }
            | C::PlanReview { plan, .. }
            | C::RequestFeedback { plan, .. }
            | C::File { plan } => Some(*plan),
            _ => None,
        }
    }
}

type StateInv = fn(&Run) -> Check;
type StepInv = fn(&Run, &Snapshot, &StepInfo) -> Check;

macro_rules! named {
    ($ty:ty; $($f:ident),+ $(,)?) => { &[$((stringify!($f), $f as $ty)),+] };
}

/// Invariants the code under test is known to break, each reported to the
/// maintainers: while listed, a failure of one is counted in the figures (with
/// its first example) instead of failing the case; `BEIAN_PROPS_STRICT=1` fails
/// on them too (or `BEIAN_PROPS_STRICT=<name>,…` on those named; `markdown` for
/// the gaps of the export). Remove an entry when the rule is fixed.
const KNOWN_VIOLATIONS: &[&str] = &[];

fn strict(what: &str) -> bool {
    std::env::var("BEIAN_PROPS_STRICT").is_ok_and(|v| v == "1" || v.split(',').any(|x| x.trim() == what))
}

/// Checked on the records after every step.
const STATE_INVARIANTS: &[(&str, StateInv)] = named![StateInv;
    inv_audit_log_complete,
    inv_ids_contiguous,
    inv_submitted_plans_complete,
    inv_quorum_of_distinct_approvers,
    inv_no_approver_contributed,
    inv_contributors_match_audit,
    inv_notice_precedes_window,
    inv_golive_inside_window_or_accepted_deviation,
    inv_golive_after_approval_and_notice,
    inv_golive_not_in_future,
    inv_golive_not_in_blackout,
    inv_no_failed_item_unresolved_on_live_plan,
    inv_no_blocking_defect_on_live_plan,
    inv_backup_fresh_at_golive,
    inv_golive_after_backup_and_tests,
    inv_rolled_back_round_not_reused,
    inv_test_history_append_only,
    inv_waivers_are_approvers_decisions,
    inv_filing_gate_held,
    inv_filed_dossier_complete,
    inv_filed_dossier_frozen,
    inv_requests_follow_their_plans,
    inv_joint_reviews_hold_their_requests,
    inv_after_golive_on_record,
    inv_standard_changes_keep_their_template,
];

/// Checked on each command with the records before and after it.
const STEP_INVARIANTS: &[(&str, StepInv)] = named![StepInv;
    inv_refusal_changes_nothing,
    inv_permissions_follow_the_regulation,
    inv_window_checked_at_each_commitment,
    inv_decisions_follow_the_process,
    inv_ready_iff_golive_gate_clear,
    inv_new_round_copies_every_unresolved_item,
    inv_outcome_matches_the_model,
    inv_request_accepted_only_with_analysis,
    inv_order_deadline_not_past,
    inv_orders_keep_their_history,
    inv_order_steps_follow_the_process,
    inv_reports_investigated_before_answered,
    inv_reopen_and_unlink_follow_the_process,
    inv_links_follow_the_process,
    inv_joint_reviews_decide_their_requests,
    inv_undo_restores_the_record,
    inv_publications_are_kept,
];

/// One event per successful command, numbered 1..=n without gaps; the audit
/// index of each plan lists exactly the events that name it (§5.3).
fn inv_audit_log_complete(r: &Run) -> Check {
    let s = &r.last;
    ensure!(
        s.audit.len() == r.events,
        None,
        "{} audit events, {} expected",
        s.audit.len(),
        r.events
    );
    for (n, e) in s.audit.iter().enumerate() {
        ensure!(e.seq == n as u64 + 1, None, "audit seq {} at position {}", e.seq, n + 1);
    }
    for p in &s.plans {
        let id = p.id.to_string();
        let want: Vec<&AuditEvent> = s
            .audit
            .iter()
            .filter(|e| e.entity.split(' ').any(|x| x == id))
            .collect();
        let got: Vec<&AuditEvent> = events(s, p.id).iter().collect();
        ensure!(got == want, Some(p.id), "the audit index of {id} differs from the log");
    }
    Ok(())
}

/// Ids allocated without gaps.
fn inv_ids_contiguous(r: &Run) -> Check {
    let s = &r.last;
    let contiguous = |ids: Vec<Id>, kind: IdKind| -> Check {
        for (n, id) in ids.iter().enumerate() {
            let want = if kind.yearly() {
                Id::new(kind, YEAR, n as u32 + 1)
            } else {
                Id::new(kind, 0, n as u32 + 1)
            };
            ensure!(*id == want, None, "{kind:?} ids have a gap: {id} where {want} was due");
        }
        Ok(())
    };
    contiguous(s.requests.iter().map(|r| r.id).collect(), IdKind::Request)?;
    contiguous(s.plans.iter().map(|p| p.id).collect(), IdKind::Plan)?;
    contiguous(s.dossiers.iter().map(|d| d.dossier.id).collect(), IdKind::Dossier)?;
    contiguous(s.orders.iter().map(|o| o.id).collect(), IdKind::Order)?;
    contiguous(s.templates.iter().map(|t| t.id).collect(), IdKind::Template)?;
    contiguous(s.systems.iter().map(|o| o.id).collect(), IdKind::System)
}

/// A plan past submission has every part of the form (§3.2), as read here.
fn inv_submitted_plans_complete(r: &Run) -> Check {
    for p in &r.last.plans {
        if matches!(
            p.status,
            PlanStatus::Draft | PlanStatus::Returned | PlanStatus::Cancelled
        ) {
            continue;
        }
        let m = form_problems(p);
        ensure!(m.is_empty(), Some(p.id), "{} is {} but misses {m:?}", p.id, p.status);
        // A reschedule is a new submission too (issue 15 §2).
        ensure!(
            p.submission as usize
                == events(&r.last, p.id)
                    .iter()
                    .filter(|e| SUBMITTING.contains(&e.action.as_str()))
                    .count(),
            Some(p.id),
            "submission {} does not count the plan.submit and plan.reschedule events",
            p.submission
        );
    }
    Ok(())
}

/// The quorum of a class in this run: the run's normal quorum, a major
/// change's at least as many (and two), the emergency one's default.
fn quorum_of(r: &Run, class: ChangeClass) -> u32 {
    match class {
        ChangeClass::Standard => 0,
        ChangeClass::Normal => r.quorum,
        ChangeClass::Major => r.quorum.max(2),
        ChangeClass::Emergency => 1,
    }
}

/// A plan past approval has its class's quorum of distinct members of the
/// Leading Group approving its current submission, none of them its author
/// (§2.1); a standard change instead has its current submission covered by an
/// approved template — approved by the normal quorum, none of whom wrote or
/// submitted it, and not expired on the day of the submission.
fn inv_quorum_of_distinct_approvers(r: &Run) -> Check {
    for p in &r.last.plans {
        if !PAST_APPROVAL.contains(&p.status) {
            continue;
        }
        if p.class == ChangeClass::Standard {
            let scope = p.template.as_ref();
            ensure!(scope.is_some(), Some(p.id), "{} is standard without a template", p.id);
            let scope = scope.unwrap();
            let cover = p.covers.iter().rfind(|c| c.submission == p.submission);
            ensure!(
                cover.is_some_and(|c| c.template == scope.id && day(c.time) < scope.expires),
                Some(p.id),
                "{} is {} with covers {:?} of submission {}",
                p.id,
                p.status,
                p.covers,
                p.submission
            );
            let t = r.last.template(scope.id);
            ensure!(t.is_some(), Some(p.id), "{} names a template that does not exist", p.id);
            let t = t.unwrap();
            let names: BTreeSet<&str> = t
                .approvals
                .iter()
                .filter(|a| a.submission == t.submission && a.decision == Decision::Approved)
                .map(|a| a.approver.as_str())
                .collect();
            let writers: BTreeSet<&str> = template_events(&r.last, t.id)
                .iter()
                .filter(|e| TEMPLATE_CONTRIBUTING.contains(&e.action.as_str()))
                .map(|e| e.actor.as_str())
                .collect();
            ensure!(
                t.status == TemplateStatus::Approved
                    && names.len() as u32 >= r.quorum
                    && names.is_disjoint(&writers)
                    && names.iter().all(|n| roles_of(n).contains(&Role::Approver)),
                Some(p.id),
                "{} is covered by {} ({}), approved by {names:?}, written by {writers:?}",
                p.id,
                t.id,
                t.status
            );
            ensure!(
                current_approvals(p).is_empty(),
                Some(p.id),
                "a standard change with decisions of its own"
            );
            continue;
        }
        let need = quorum_of(r, p.class);
        let names: BTreeSet<&str> = current_approvals(p).iter().map(|a| a.approver.as_str()).collect();
        ensure!(
            names.len() as u32 >= need,
            Some(p.id),
            "{} ({}) is {} with approvals {names:?} of submission {}, {} needed",
            p.id,
            p.class,
            p.status,
            p.submission,
            need
        );
        let evs = events(&r.last, p.id);
        let since = evs
            .iter()
            .rposition(|e| SUBMITTING.contains(&e.action.as_str()))
            .map_or(0, |k| k + 1);
        let by_audit: BTreeSet<&str> = evs[since..]
            .iter()
            .filter(|e| e.action == "plan.approve")
            .map(|e| e.actor.as_str())
            .collect();
        ensure!(
            by_audit == names,
            Some(p.id),
            "approvals of the current submission {names:?}, by the audit log {by_audit:?}"
        );
        for n in &names {
            ensure!(
                roles_of(n).contains(&Role::Approver) && *n != p.meta.created_by,
                Some(p.id),
                "{n} approved {} (author {})",
                p.id,
                p.meta.created_by
            );
        }
    }
    Ok(())
}

/// Nobody who contributed to a plan (by the audit log: wrote, edited,
/// submitted, linked a request, recorded tests or defects) decided on it,
/// accepted one of its risks or waived one of its items afterwards; every such
/// decision in the records is one of those audit events (§2.1).
fn inv_no_approver_contributed(r: &Run) -> Check {
    for p in &r.last.plans {
        let evs = events(&r.last, p.id);
        let mut before: BTreeSet<&str> = BTreeSet::new();
        let mut decided: Vec<(&str, &str, Time)> = Vec::new();
        for e in evs {
            if CONTRIBUTING.contains(&e.action.as_str()) {
                before.insert(&e.actor);
            }
            if DECIDING.contains(&e.action.as_str()) {
                ensure!(
                    !before.contains(e.actor.as_str()),
                    Some(p.id),
                    "{} ({}) by {}, who contributed to {} before (contributors {before:?})",
                    e.action,
                    e.seq,
                    e.actor,
                    p.id
                );
                ensure!(
                    roles_of(&e.actor).contains(&Role::Approver),
                    Some(p.id),
                    "{} by {}, who is not an approver",
                    e.action,
                    e.actor
                );
                decided.push((&e.action, &e.actor, e.time));
            }
        }
        let claim = |action: &str, by: &str, time: Time, what: String| -> Check {
            ensure!(
                decided.iter().any(|(a, n, t)| *a == action && *n == by && *t == time),
                Some(p.id),
                "{what} names {by} at {time}, but no {action} event of theirs"
            );
            Ok(())
        };
        for a in &p.approvals {
            let action = match a.decision {
                Decision::Approved => "plan.approve",
                Decision::Returned => "plan.return",
            };
            claim(action, &a.approver, a.time, format!("approval {a:?}"))?;
        }
        for round in &p.rounds {
            for i in &round.items {
                if let Some(w) = &i.waived {
                    claim("test.waive", &w.by, w.time, format!("the waiver of #{}", i.no))?;
                }
            }
        }
        for d in &p.defects {
            if let Some(a) = &d.acceptance {
                claim(
                    "test.defect_accept",
                    &a.by,
                    a.time,
                    format!("the acceptance of D{}", d.no),
                )?;
            }
        }
        let deviations = p
            .deviation
            .iter()
            .chain(p.golives.iter().filter_map(|g| g.deviation.as_deref()));
        for d in deviations {
            if let Some(a) = &d.accepted {
                claim("golive.deviation_accept", &a.by, a.time, "the deviation".into())?;
            }
        }
    }
    // The same of templates: nobody who wrote, edited or submitted one decided on it.
    for t in &r.last.templates {
        let mut before: BTreeSet<&str> = BTreeSet::new();
        for e in template_events(&r.last, t.id) {
            if TEMPLATE_CONTRIBUTING.contains(&e.action.as_str()) {
                before.insert(&e.actor);
            }
            if TEMPLATE_DECIDING.contains(&e.action.as_str()) {
                ensure!(
                    !before.contains(e.actor.as_str()) && roles_of(&e.actor).contains(&Role::Approver),
                    None,
                    "{} of {} by {}, who wrote it or is no approver (writers {before:?})",
                    e.action,
                    t.id,
                    e.actor
                );
            }
        }
    }
    Ok(())
}

/// A standard change is an instance of a template: its content and approach
/// are the template's scope, the scope is the template's as approved, and its
/// first round started with the template's items; no other plan names a
/// template or a cover (§3.2: a standard change cannot change its template's scope).
fn inv_standard_changes_keep_their_template(r: &Run) -> Check {
    for p in &r.last.plans {
        let Some(scope) = &p.template else {
            ensure!(
                p.class != ChangeClass::Standard && p.covers.is_empty(),
                Some(p.id),
                "{} is {} without a template, covers {:?}",
                p.id,
                p.class,
                p.covers
            );
            continue;
        };
        ensure!(
            p.class == ChangeClass::Standard,
            Some(p.id),
            "{} has a template but is {}",
            p.id,
            p.class
        );
        ensure!(
            p.content.trim() == scope.content.trim() && p.approach.trim() == scope.approach.trim(),
            Some(p.id),
            "{}'s scope {:?} / {:?} is not its template's",
            p.id,
            p.content,
            p.approach
        );
        let t = r.last.template(scope.id);
        ensure!(
            t.is_some_and(|t| t.status == TemplateStatus::Approved
                && t.system == p.system
                && t.content == scope.content
                && t.approach == scope.approach
                && t.items == scope.items
                && t.expires == Some(scope.expires)),
            Some(p.id),
            "{}'s template scope is not {} as approved: {t:?}",
            p.id,
            scope.id
        );
        if let Some(first) = p.rounds.first() {
            let got: Vec<(&str, &str)> = first
                .items
                .iter()
                .take(scope.items.len())
                .map(|i| (i.description.as_str(), i.expected.as_str()))
                .collect();
            let want: Vec<(&str, &str)> = scope
                .items
                .iter()
                .map(|i| (i.description.as_str(), i.expected.as_str()))
                .collect();
            ensure!(
                got == want,
                Some(p.id),
                "round 1 of {} holds {got:?}, not {want:?}",
                p.id
            );
        }
    }
    Ok(())
}

/// The plan's own list of contributors (what the rules consult) is exactly
/// the list of those the audit log shows contributing.
fn inv_contributors_match_audit(r: &Run) -> Check {
    for p in &r.last.plans {
        let audit = contributors_from_audit(events(&r.last, p.id));
        let mut record: BTreeSet<String> = p.contributors.iter().map(|c| c.name.clone()).collect();
        record.insert(p.meta.created_by.clone());
        ensure!(
            audit == record,
            Some(p.id),
            "contributors by the audit log {audit:?}, in the plan {record:?}"
        );
    }
    Ok(())
}

/// From implementation on, the notice was published at least `notice_days`
/// before the window (§3.2).
fn inv_notice_precedes_window(r: &Run) -> Check {
    for p in &r.last.plans {
        if !matches!(
            p.status,
            PlanStatus::Implementing | PlanStatus::Testing | PlanStatus::Ready | PlanStatus::Live | PlanStatus::Filed
        ) {
            continue;
        }
        let (Some(n), Some(w)) = (&p.notice, &p.window) else {
            return Err(Violation {
                plan: Some(p.id),
                detail: format!("{} is {} without a notice or a window", p.id, p.status),
            });
        };
        ensure!(
            w.start - n.published_at >= Duration::days(r.rules.class(p.class).notice_days as i64),
            Some(p.id),
            "notice {} for a window at {}",
            n.published_at,
            w.start
        );
        // The notice in force announces this window: after a reschedule or a
        // return, a notice was published again (by the audit log's order: the
        // clock may have moved back in between).
        let evs = events(&r.last, p.id);
        let last = |names: &[&str]| evs.iter().rposition(|e| names.contains(&e.action.as_str()));
        if let Some(moved) = last(&["plan.reschedule", "plan.return"]) {
            ensure!(
                last(&["plan.notice"]).is_some_and(|k| k > moved),
                Some(p.id),
                "{} is {} with no notice published since {} (event {})",
                p.id,
                p.status,
                evs[moved].action,
                evs[moved].seq
            );
        }
        let announcing = p
            .all_publications()
            .into_iter()
            .rev()
            .find(|x| x.kind != PublicationKind::Cancellation);
        ensure!(
            announcing
                .as_ref()
                .is_some_and(|x| x.notice() == *n && x.window.as_ref() == Some(w)),
            Some(p.id),
            "the notice in force is not the latest publication announcing the window {w:?}"
        );
    }
    Ok(())
}

/// A live plan's go-live lies inside its approved window, or is the time of a
/// deviation an approver accepted (§3.4).
fn inv_golive_inside_window_or_accepted_deviation(r: &Run) -> Check {
    for p in r.last.plans.iter().filter(|p| is_live(p)) {
        let g = p.live_golive();
        ensure!(g.is_some(), Some(p.id), "{} is {} without a go-live", p.id, p.status);
        for g in p.golives.iter().filter(|g| g.outcome != GoLiveOutcome::RolledBack) {
            if in_window(p, g.time) {
                continue;
            }
            let d = g.deviation.as_ref();
            ensure!(
                d.is_some_and(|d| d.accepted.is_some() && (d.time - g.time).num_seconds().abs() < 60),
                Some(p.id),
                "go-live at {} outside the window {:?} with deviation {d:?}",
                g.time,
                p.window
            );
        }
    }
    Ok(())
}

/// A live plan went live after every approval of its current submission and
/// after its notice.
fn inv_golive_after_approval_and_notice(r: &Run) -> Check {
    for p in r.last.plans.iter().filter(|p| is_live(p)) {
        let Some(g) = p.live_golive() else { continue };
        for a in current_approvals(p) {
            ensure!(
                g.time >= a.time,
                Some(p.id),
                "go-live at {} before the approval by {} at {}",
                g.time,
                a.approver,
                a.time
            );
        }
        let n = p.notice.as_ref();
        ensure!(
            n.is_some_and(|n| g.time >= n.published_at),
            Some(p.id),
            "go-live at {} before the notice {:?}",
            g.time,
            n.map(|n| n.published_at)
        );
    }
    Ok(())
}

/// No go-live was recorded with a time more than the allowed clock skew ahead
/// of the moment it was recorded (the k-th go-live of a plan is its k-th
/// `golive.record` event).
fn inv_golive_not_in_future(r: &Run) -> Check {
    let skew = Duration::minutes(r.rules.clock_skew_minutes as i64);
    for p in &r.last.plans {
        let recorded: Vec<&AuditEvent> = events(&r.last, p.id)
            .iter()
            .filter(|e| e.action == "golive.record")
            .collect();
        ensure!(
            recorded.len() == p.golives.len(),
            Some(p.id),
            "{} go-lives, {} golive.record events",
            p.golives.len(),
            recorded.len()
        );
        for (g, e) in p.golives.iter().zip(recorded) {
            ensure!(
                g.time <= e.time + skew,
                Some(p.id),
                "go-live at {} recorded at {} (event {})",
                g.time,
                e.time,
                e.seq
            );
        }
    }
    Ok(())
}

/// A live plan's go-live lies in no hard blackout of its system and no soft one
/// without a justification, and its window was clear, by the calendar as it
/// stood when the go-live was recorded (§3.2).
fn inv_golive_not_in_blackout(r: &Run) -> Check {
    for p in r.last.plans.iter().filter(|p| is_live(p)) {
        for (k, g) in p.golives.iter().enumerate() {
            if g.outcome == GoLiveOutcome::RolledBack {
                continue;
            }
            let Some(cal) = r.golive_calendar.get(&(p.id, k)) else {
                return Err(Violation {
                    plan: Some(p.id),
                    detail: format!("go-live #{k} was not seen being recorded"),
                });
            };
            if let Some(c) = time_conflict(p, g.time, cal) {
                return Err(Violation {
                    plan: Some(p.id),
                    detail: c,
                });
            }
            if let Some(c) = window_conflict(p, cal) {
                return Err(Violation {
                    plan: Some(p.id),
                    detail: format!("live while its {c}"),
                });
            }
        }
    }
    Ok(())
}

/// On a live plan, every item that ever failed, was blocked or pending (in
/// whatever round) passed later or was waived by an approver; the latest round
/// has items (§3.3).
fn inv_no_failed_item_unresolved_on_live_plan(r: &Run) -> Check {
    for p in r.last.plans.iter().filter(|p| is_live(p)) {
        let last = latest_results(p);
        for (no, (round, i)) in &last {
            ensure!(
                resolved(i),
                Some(p.id),
                "item #{no} is {} (round {round}, waiver {:?} by {:?})",
                i.result,
                i.waiver,
                i.waived.as_ref().map(|w| &w.by)
            );
        }
        for (plan, no) in r.ever_failed.iter().filter(|(plan, _)| *plan == p.id) {
            let i = last.get(no).map(|(_, i)| *i);
            ensure!(
                i.is_some_and(resolved),
                Some(*plan),
                "item #{no} failed once and is now {:?}",
                i.map(|i| i.result)
            );
        }
        ensure!(
            p.latest_round().is_some_and(|r| !r.items.is_empty()),
            Some(p.id),
            "{} is {} without items in its latest round",
            p.id,
            p.status
        );
    }
    Ok(())
}

/// No critical or major defect is open, fixed or won't-fix on a live plan
/// without an approver's risk acceptance; none is won't-fix without one at all.
fn inv_no_blocking_defect_on_live_plan(r: &Run) -> Check {
    for p in &r.last.plans {
        for d in p.defects.iter().filter(|d| serious(d)) {
            if d.status == DefectStatus::WontFix || (is_live(p) && d.status != DefectStatus::Verified) {
                ensure!(
                    d.acceptance.as_ref().is_some_and(|a| !a.reason.trim().is_empty()),
                    Some(p.id),
                    "D{} {} is {} on a {} plan without a risk acceptance",
                    d.no,
                    d.severity,
                    d.status,
                    p.status
                );
            }
        }
    }
    Ok(())
}

/// A live plan's backup was confirmed, at most `backup_max_age_days` before
/// the go-live and not after it (§3.3).
fn inv_backup_fresh_at_golive(r: &Run) -> Check {
    for p in r.last.plans.iter().filter(|p| is_live(p)) {
        let (Some(b), Some(g)) = (&p.backup, p.live_golive()) else {
            return Err(Violation {
                plan: Some(p.id),
                detail: format!("{} is {} without a backup", p.id, p.status),
            });
        };
        ensure!(
            g.time - b.time <= Duration::days(r.rules.backup_max_age_days as i64),
            Some(p.id),
            "backup of {} for a go-live at {}",
            b.time,
            g.time
        );
    }
    Ok(())
}

/// A live plan went live after its backup was confirmed, after implementation
/// started and after the round it went live on started (§3.3–§3.4: back up,
/// implement, test, then go live), by the clock of the records; the clock set
/// back during the run (and the allowed skew) is allowed for.
fn inv_golive_after_backup_and_tests(r: &Run) -> Check {
    let slack = r.clock_back + Duration::minutes(r.rules.clock_skew_minutes as i64);
    for p in r.last.plans.iter().filter(|p| is_live(p)) {
        let Some(g) = p.live_golive() else { continue };
        let implemented = events(&r.last, p.id)
            .iter()
            .filter(|e| e.action == "plan.implement")
            .map(|e| e.time)
            .next_back();
        let steps = [
            ("the backup", p.backup.as_ref().map(|b| b.time)),
            ("implementation", implemented),
            ("its test round", p.latest_round().map(|r| r.started_at)),
        ];
        for (what, t) in steps {
            ensure!(
                t.is_none_or(|t| t <= g.time + slack),
                Some(p.id),
                "go-live at {}, before {what} at {t:?}",
                g.time
            );
        }
    }
    Ok(())
}

/// A plan rolled back goes live on a round started after the rollback.
fn inv_rolled_back_round_not_reused(r: &Run) -> Check {
    for p in &r.last.plans {
        if let Some(&k) = r.rounds_at_rollback.get(&p.id) {
            if matches!(p.status, PlanStatus::Ready | PlanStatus::Live | PlanStatus::Filed) {
                ensure!(
                    p.rounds.len() > k,
                    Some(p.id),
                    "{} is {} on round {k}, which was rolled back",
                    p.id,
                    p.status
                );
            }
        }
    }
    Ok(())
}

/// Test rounds are only appended; an item of an earlier round changes only by
/// being waived; an item keeps its number, category and description in every
/// round; a new item gets a number no item had.
fn inv_test_history_append_only(r: &Run) -> Check {
    for p in &r.last.plans {
        let Some(before) = r.prev.as_ref().and_then(|s| s.plan(p.id)) else {
            continue;
        };
        ensure!(
            p.rounds.len() >= before.rounds.len(),
            Some(p.id),
            "rounds went from {} to {}",
            before.rounds.len(),
            p.rounds.len()
        );
        for (k, old) in before.rounds.iter().enumerate() {
            let new = &p.rounds[k];
            let latest = k + 1 == p.rounds.len();
            ensure!(
                new.no == old.no && new.started_at == old.started_at && new.environment == old.environment,
                Some(p.id),
                "round {} was rewritten",
                old.no
            );
            if latest {
                continue;
            }
            ensure!(
                new.items.len() == old.items.len(),
                Some(p.id),
                "round {} lost or gained items",
                old.no
            );
            for (a, b) in old.items.iter().zip(&new.items) {
                let waived = b.result == TestResult::Waived && b.waived.is_some();
                ensure!(
                    a == b || waived,
                    Some(p.id),
                    "item #{} of round {} changed after a later round started: {:?} → {:?}",
                    a.no,
                    old.no,
                    a.result,
                    b.result
                );
            }
        }
        let mut first: HashMap<u32, &TestItem> = HashMap::new();
        for round in &p.rounds {
            let mut seen = HashSet::new();
            for i in &round.items {
                ensure!(
                    seen.insert(i.no),
                    Some(p.id),
                    "item #{} twice in round {}",
                    i.no,
                    round.no
                );
                let f = first.entry(i.no).or_insert(i);
                ensure!(
                    f.category == i.category && f.description == i.description && f.expected == i.expected,
                    Some(p.id),
                    "item #{} changed identity in round {}",
                    i.no,
                    round.no
                );
            }
        }
        let before_max = before
            .rounds
            .iter()
            .flat_map(|r| &r.items)
            .map(|i| i.no)
            .max()
            .unwrap_or(0);
        let before_nos: HashSet<u32> = before.rounds.iter().flat_map(|r| &r.items).map(|i| i.no).collect();
        for i in p.rounds.iter().flat_map(|r| &r.items) {
            ensure!(
                before_nos.contains(&i.no) || i.no > before_max,
                Some(p.id),
                "new item #{} reuses a number (highest before {before_max})",
                i.no
            );
        }
    }
    Ok(())
}

/// An item is waived exactly when an approver's acceptance, with the reason,
/// is recorded on it (a tester cannot record a waiver).
fn inv_waivers_are_approvers_decisions(r: &Run) -> Check {
    for p in &r.last.plans {
        for round in &p.rounds {
            for i in &round.items {
                let waived = i.result == TestResult::Waived;
                ensure!(
                    waived == i.waived.is_some(),
                    Some(p.id),
                    "item #{} of round {} is {} with acceptance {:?}",
                    i.no,
                    round.no,
                    i.result,
                    i.waived
                );
                if let Some(a) = &i.waived {
                    ensure!(
                        roles_of(&a.by).contains(&Role::Approver)
                            && !a.reason.trim().is_empty()
                            && i.waiver.as_deref().is_some_and(|w| !w.trim().is_empty()),
                        Some(p.id),
                        "item #{} waived by {} for {:?}",
                        i.no,
                        a.by,
                        i.waiver
                    );
                }
            }
        }
    }
    Ok(())
}

/// A filed plan went live before it was filed, its latest round has items,
/// no item of any round is unresolved, and it has a comparison row (§3.5).
fn inv_filing_gate_held(r: &Run) -> Check {
    for d in &r.last.dossiers {
        let p = &d.dossier.plan;
        let g = p.live_golive();
        ensure!(
            g.is_some_and(|g| g.time <= d.dossier.filed_at),
            Some(p.id),
            "filed at {} with go-live {:?}",
            d.dossier.filed_at,
            g.map(|g| g.time)
        );
        ensure!(
            p.latest_round().is_some_and(|r| !r.items.is_empty()),
            Some(p.id),
            "filed with an empty latest round"
        );
        let open: Vec<u32> = latest_results(p)
            .into_iter()
            .filter(|(_, (_, i))| !resolved(i))
            .map(|(no, _)| no)
            .collect();
        ensure!(open.is_empty(), Some(p.id), "filed with unresolved items {open:?}");
        ensure!(!p.comparison.is_empty(), Some(p.id), "filed without a comparison");
    }
    Ok(())
}

/// Every filed dossier is complete: every field of its plan reaches the
/// Markdown export (text as written, times as shown, enums by label) and the
/// JSON export reads back to the same dossier (§3.5).
fn inv_filed_dossier_complete(r: &Run) -> Check {
    for v in &r.last.dossiers {
        if !r.exported.contains(&v.dossier.id) {
            let (md, json) = (beian::export::dossier_markdown(v), beian::export::dossier_json(v));
            exports_complete(r, v, &md, &json)?;
        }
    }
    Ok(())
}

/// The dossier's Markdown shows every field of its plan, and its JSON reads
/// back to the dossier.
fn exports_complete(r: &Run, v: &DossierView, md: &str, json: &str) -> Check {
    {
        let p = &v.dossier.plan;
        let back: Result<beian::export::DossierExport, _> = serde_json::from_str(json);
        ensure!(
            back.as_ref().is_ok_and(|b| b.view == *v),
            Some(p.id),
            "the JSON export of {} does not read back to it",
            v.dossier.id
        );
        let (known, missing): (Vec<_>, Vec<_>) = missing_from_markdown(p, md)
            .into_iter()
            .partition(|(path, _)| known_gap(path) && !strict("markdown"));
        r.markdown_gaps
            .borrow_mut()
            .extend(known.into_iter().map(|(path, _)| path));
        let missing: Vec<String> = missing
            .into_iter()
            .map(|(path, want)| format!("{path} = {want:?}"))
            .collect();
        ensure!(
            missing.is_empty(),
            Some(p.id),
            "the Markdown of {} lacks {}",
            v.dossier.id,
            missing.join(", ")
        );
        ensure!(
            md.contains(&beian::export::md_cell(&v.dossier.system.name)),
            Some(p.id),
            "the Markdown of {} lacks its system",
            v.dossier.id
        );
    }
    Ok(())
}

/// Parts of a plan the Markdown export does not show yet (paths, with `[]`
/// for any position, and everything under them): each a known gap reported to
/// the maintainers, tolerated so that the rest is checked (`BEIAN_PROPS_STRICT=1`
/// fails on them too). Remove an entry when the export shows it.
const KNOWN_MARKDOWN_GAPS: &[&str] = &[];

fn known_gap(path: &str) -> bool {
    KNOWN_MARKDOWN_GAPS.iter().any(|k| {
        path.strip_prefix(k)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '[']))
    })
}

/// Keys of a plan that are bookkeeping, not content of the dossier.
const NOT_CONTENT: &[&str] = &[
    ".meta",
    ".status",
    ".system",
    ".submission",
    ".approvals[].submission",
    ".retest_after_round",
    ".dossier",
    ".id",
    ".blackout_override",
];

/// The enum type of a field, by its path, for its label.
fn enum_type(path: &str) -> Option<&'static str> {
    let key = path.rsplit('.').next().unwrap_or(path);
    Some(match key {
        "decision" => "Decision",
        "likelihood" => "Level",
        "impact" if path.starts_with(".risks") => "Level",
        "kind" if path.starts_with(".publications") => "PublicationKind",
        "language" | "notice_language" => "NoticeLanguage",
        "category" => "TestCategory",
        "result" => "TestResult",
        "severity" => "Severity",
        "outcome" if path.starts_with(".incidents") || path.starts_with(".reviews") => "IncidentOutcome",
        "outcome" => "GoLiveOutcome",
        "verdict" => "GoalVerdict",
        "status" if path.starts_with(".reviews") => "RequestStatus",
        "change" => "ChangeType",
        "format" => "TrainingFormat",
        "kind" => "TesterType",
        "status" if path.starts_with(".defects") => "DefectStatus",
        _ => return None,
    })
}

/// Every field of the plan whose value the Markdown does not show, as
/// (path, the text looked for).
fn missing_from_markdown(p: &Plan, md: &str) -> Vec<(String, String)> {
    fn walk(v: &serde_json::Value, path: &str, md: &str, out: &mut Vec<(String, String)>) {
        use serde_json::Value as V;
        if NOT_CONTENT.contains(&path) {
            return;
        }
        let want = match v {
            V::Object(o) => {
                for (k, x) in o {
                    walk(x, &format!("{path}.{k}"), md, out);
                }
                return;
            }
            V::Array(a) => {
                for x in a {
                    walk(x, &format!("{path}[]"), md, out);
                }
                return;
            }
            V::Null => return,
            V::String(s) if s.trim().is_empty() => return,
            // A contribution kind is shown by its label.
            V::String(s) if path.ends_with(".did[]") => beian::i18n::t(&format!("contribution.{s}"), &[]),
            // How a window changed is shown by its label.
            V::Bool(b) if path.ends_with(".rescheduled") => beian::i18n::t(
                if *b {
                    "record.value.rescheduled"
                } else {
                    "record.value.edited_after_return"
                },
                &[],
            ),
            V::String(s) => match (enum_type(path), chrono::DateTime::parse_from_rfc3339(s)) {
                (Some(ty), _) => beian::i18n::enum_label(ty, s),
                (None, Ok(t)) => fmt_time(t.with_timezone(&chrono::Utc)),
                (None, Err(_)) if s.contains('\n') => beian::export::md_block(s),
                (None, Err(_)) => beian::export::md_cell(s),
            },
            V::Number(n) => n.to_string(),
            // A yes/no field is shown by its label.
            V::Bool(b) => beian::i18n::t(if *b { "cli.yes" } else { "cli.no" }, &[]),
        };
        if !md.contains(&want) && !out.iter().any(|(p, _)| p == path) {
            out.push((path.to_string(), want));
        }
    }
    let mut out = Vec::new();
    walk(&serde_json::to_value(p).expect("plans serialize"), "", md, &mut out);
    out
}

/// A dossier never changes once filed (addenda are appended beside it), and it
/// holds its plan as the plan record is.
fn inv_filed_dossier_frozen(r: &Run) -> Check {
    let s = &r.last;
    ensure!(
        s.dossiers.len() == s.plans.iter().filter(|p| p.status == PlanStatus::Filed).count(),
        None,
        "{} dossiers for {} filed plans",
        s.dossiers.len(),
        s.plans.iter().filter(|p| p.status == PlanStatus::Filed).count()
    );
    for v in &s.dossiers {
        let d = &v.dossier;
        let p = s.plan(d.plan.id);
        ensure!(
            p.is_some_and(|p| p.dossier == Some(d.id) && *p == d.plan),
            Some(d.plan.id),
            "{} does not hold {} as it is",
            d.id,
            d.plan.id
        );
        ensure!(
            r.frozen.get(&d.id).is_none_or(|first| first == d),
            Some(d.plan.id),
            "{} changed after filing",
            d.id
        );
        for (n, a) in v.addenda.iter().enumerate() {
            ensure!(
                a.no == n as u32 + 1,
                Some(d.plan.id),
                "addendum numbers of {} have a gap",
                d.id
            );
        }
    }
    for p in &s.plans {
        if p.status != PlanStatus::Filed {
            ensure!(
                p.dossier.is_none(),
                Some(p.id),
                "{} is {} with a dossier",
                p.id,
                p.status
            );
        }
    }
    Ok(())
}

/// Requests and plans name each other; a cancelled plan has a reason and
/// releases its requests; rejected requests have a reason (§3.1).
fn inv_requests_follow_their_plans(r: &Run) -> Check {
    let s = &r.last;
    for p in &s.plans {
        if p.status == PlanStatus::Cancelled {
            ensure!(
                p.cancel_reason.as_deref().is_some_and(|r| !r.trim().is_empty()),
                Some(p.id),
                "{} cancelled without reason",
                p.id
            );
            continue;
        }
        if p.status == PlanStatus::Failed {
            ensure!(
                p.failure.as_ref().is_some_and(|f| !f.reason.trim().is_empty()),
                Some(p.id),
                "{} closed as failed without reason",
                p.id
            );
            continue;
        }
        for rid in &p.requests {
            let q = s.requests.iter().find(|q| q.id == *rid);
            let want = if p.status == PlanStatus::Filed {
                RequestStatus::Done
            } else {
                RequestStatus::Planned
            };
            ensure!(
                q.is_some_and(|q| q.status == want && q.plan == Some(p.id)),
                Some(p.id),
                "{} ({}) lists {rid}: {:?}",
                p.id,
                p.status,
                q.map(|q| (q.status, q.plan))
            );
        }
    }
    for q in &s.requests {
        let id = q.id;
        match q.status {
            RequestStatus::Planned | RequestStatus::Done => {
                let p = q.plan.and_then(|pid| s.plan(pid));
                ensure!(
                    p.is_some_and(|p| p.requests.contains(&id)),
                    q.plan,
                    "{id} is {} in {:?}, which does not list it",
                    q.status,
                    q.plan
                );
                let ps = p.map(|p| p.status);
                let fits = if q.status == RequestStatus::Done {
                    ps == Some(PlanStatus::Filed)
                } else {
                    !matches!(ps, Some(PlanStatus::Filed | PlanStatus::Cancelled | PlanStatus::Failed))
                };
                ensure!(fits, q.plan, "{id} is {} but its plan is {ps:?}", q.status);
            }
            RequestStatus::Accepted => ensure!(q.plan.is_none(), None, "{id} is accepted but names {:?}", q.plan),
            RequestStatus::Duplicate => {
                ensure!(
                    q.duplicate_of.is_some_and(|o| o != id),
                    None,
                    "{id} is a duplicate of {:?}",
                    q.duplicate_of
                )
            }
            RequestStatus::Rejected => {
                ensure!(
                    q.reject_reason.as_deref().is_some_and(|x| !x.trim().is_empty()),
                    None,
                    "{id} rejected without reason"
                )
            }
            _ => {}
        }
    }
    Ok(())
}

/// After go-live (§3.4, §2.3, §4.3): every incident lies after the go-live it
/// follows; a live plan whose update was rolled back went live again only
/// after the rollback and on a backup confirmed after it; a plan closed as failed had gone live; a review assesses each
/// goal of its plan once, one review per go-live; post-update feedback and the
/// request name each other and it is never part of the plan's scope (that a
/// filed plan's after-life is only in addenda is `inv_filed_dossier_frozen`;
/// that a second go-live is on a new round, `inv_rolled_back_round_not_reused`).
fn inv_after_golive_on_record(r: &Run) -> Check {
    let s = &r.last;
    let minute = |t: Time| t - Duration::seconds(t.timestamp().rem_euclid(60));
    let addenda = |p: &Plan| -> Vec<Addendum> {
        p.dossier
            .and_then(|d| s.dossiers.iter().find(|v| v.dossier.id == d))
            .map(|v| v.addenda.clone())
            .unwrap_or_default()
    };
    let goals = |p: &Plan| goal_lines(&p.goals);
    for p in &s.plans {
        let added = addenda(p);
        let incidents = p.incidents.iter().chain(added.iter().filter_map(|a| match &a.body {
            AddendumBody::Incident(i) => Some(i),
            _ => None,
        }));
        for i in incidents {
            let g = p.golives.get(i.golive as usize - 1);
            ensure!(
                g.is_some_and(|g| g.outcome != GoLiveOutcome::RolledBack && minute(g.time) <= i.time),
                Some(p.id),
                "incident at {} follows go-live {}: {g:?}",
                i.time,
                i.golive
            );
            ensure!(
                i.time <= i.recorded_at + Duration::minutes(r.rules.clock_skew_minutes as i64),
                Some(p.id),
                "incident at {} recorded at {}",
                i.time,
                i.recorded_at
            );
        }
        if let Some(rb) = last_rollback(p) {
            if p.status == PlanStatus::Live {
                let g = p.live_golive().unwrap();
                ensure!(
                    g.time >= minute(rb.time) && p.golives.len() as u32 > rb.golive,
                    Some(p.id),
                    "{} is live on go-live {} at {}, rolled back at {}",
                    p.id,
                    p.golives.len(),
                    g.time,
                    rb.time
                );
                ensure!(
                    p.backup.as_ref().is_some_and(|b| b.time >= rb.time),
                    Some(p.id),
                    "{} went live again without a backup after the rollback at {}",
                    p.id,
                    rb.time
                );
            }
        }
        if p.status == PlanStatus::Failed {
            ensure!(
                p.live_golive().is_some(),
                Some(p.id),
                "{} closed as failed without ever going live",
                p.id
            );
        }
        let reviews: Vec<&Review> = p
            .reviews
            .iter()
            .chain(added.iter().filter_map(|a| match &a.body {
                AddendumBody::Review(x) => Some(x),
                _ => None,
            }))
            .collect();
        for (k, x) in reviews.iter().enumerate() {
            let listed: Vec<String> = x.goals.iter().map(|g| g.goal.clone()).collect();
            ensure!(
                listed == goals(p),
                Some(p.id),
                "review of {:?} for goals {:?}",
                listed,
                goals(p)
            );
            ensure!(
                !x.summary.trim().is_empty() && reviews[..k].iter().all(|y| y.golive != x.golive),
                Some(p.id),
                "review {k} of go-live {} without summary or twice",
                x.golive
            );
        }
        let mut feedback = p.feedback.clone();
        feedback.extend(added.iter().filter_map(|a| match &a.body {
            AddendumBody::Feedback(q) => Some(q.id),
            _ => None,
        }));
        for q in &feedback {
            let req = s.requests.iter().find(|x| x.id == *q);
            ensure!(
                req.is_some_and(|x| x.feedback_on == Some(p.id)) && !p.requests.contains(q),
                Some(p.id),
                "{} lists {q} as feedback: {:?}",
                p.id,
                req.map(|x| (x.feedback_on, x.plan))
            );
        }
    }
    for q in &s.requests {
        if let Some(pid) = q.feedback_on {
            let p = s.plan(pid);
            let listed = p.is_some_and(|p| {
                p.feedback.contains(&q.id)
                    || addenda(p)
                        .iter()
                        .any(|a| matches!(&a.body, AddendumBody::Feedback(x) if x.id == q.id))
            });
            ensure!(
                listed,
                Some(pid),
                "{} is feedback on {pid}, which does not list it",
                q.id
            );
        }
    }
    Ok(())
}

/// A refused command changes nothing and writes no audit event; its error is
/// of a kind the interfaces expect, with a translated message.
fn inv_refusal_changes_nothing(r: &Run, prev: &Snapshot, step: &StepInfo) -> Check {
    let Err(e) = &step.result else { return Ok(()) };
    let plan = step.plan();
    ensure!(
        matches!(
            e,
            Error::Rule(_) | Error::Conflict { .. } | Error::NotFound { .. } | Error::Input { .. }
        ),
        plan,
        "unexpected kind of error: {e:?}"
    );
    let m = e.message();
    ensure!(
        !m.is_empty() && !m.starts_with("rule.") && !m.starts_with("error.") && !m.starts_with("gate."),
        plan,
        "untranslated message {m:?}"
    );
    ensure!(*prev == r.last, plan, "a refused command ({m}) changed the records");
    Ok(())
}

/// The roles the regulation gives each command (§2, §5.1), written out here
/// apart from the permission table: only the Leading Group decides and accepts
/// risks, only the admin keeps the calendar.
fn regulation_roles(action: &str) -> &'static [Role] {
    use Role::*;
    match action {
        "plan.approve"
        | "plan.return"
        | "test.waive"
        | "test.defect_accept"
        | "golive.deviation_accept"
        | "template.approve"
        | "template.return" => &[Approver],
        "calendar.add" | "calendar.remove" | "calendar.replace" | "system.add" | "system.edit" => &[Admin],
        "plan.cancel" | "plan.fail" => &[Admin, Operator, Approver],
        "request.comment" => &[Admin, Operator, Approver, Supervisor],
        "dossier.addendum" => &[Admin, Operator, Supervisor],
        "order.issue" | "order.close" | "order.extend" | "order.send_back" | "order.reopen" => &[Supervisor],
        "report.investigate" | "report.reply" | "report.link" | "report.to_order" => &[Supervisor],
        "report.submit" => &[Admin, Operator, Approver, Supervisor, Viewer],
        _ => &[Admin, Operator],
    }
}

/// A command is refused as forbidden exactly when the actor holds none of the
/// roles the regulation gives it.
fn inv_permissions_follow_the_regulation(_r: &Run, _prev: &Snapshot, step: &StepInfo) -> Check {
    let allowed = regulation_roles(step.cmd.name())
        .iter()
        .any(|role| step.actor.has(*role));
    let forbidden = matches!(step.result, Err(Error::Rule(RuleError::Forbidden { .. })));
    ensure!(
        allowed != forbidden,
        step.plan(),
        "{} ({:?}) {} {}",
        step.actor.name,
        step.actor.roles,
        if forbidden { "was refused" } else { "was allowed" },
        step.cmd.name()
    );
    Ok(())
}

/// When a plan commits to its window (submit, each approval, the notice,
/// implementation) the window lies ahead (not for implementation) and clear of
/// the calendar as it stands; the notice is at least `notice_days` ahead of it;
/// a window set in an edit lies ahead.
fn inv_window_checked_at_each_commitment(r: &Run, prev: &Snapshot, step: &StepInfo) -> Check {
    if !step.ok() {
        return Ok(());
    }
    let Some(id) = step.plan() else { return Ok(()) };
    let Some(p) = r.last.plan(id) else { return Ok(()) };
    let name = step.cmd.name();
    if let Command::PlanEdit { changes, .. } = &step.cmd {
        for c in changes {
            if let PlanChange::Window(Some(w)) = c {
                ensure!(
                    w.start > step.at,
                    Some(id),
                    "a window starting {} was set at {}",
                    w.start,
                    step.at
                );
            }
        }
        return Ok(());
    }
    if !matches!(
        name,
        "plan.submit" | "plan.approve" | "plan.notice" | "plan.implement" | "plan.reschedule"
    ) {
        return Ok(());
    }
    let w = p.window.as_ref();
    ensure!(w.is_some(), Some(id), "{name} without a window");
    let w = w.unwrap();
    if name != "plan.implement" {
        ensure!(
            w.start > step.at,
            Some(id),
            "{name} at {} for a window starting {}",
            step.at,
            w.start
        );
    }
    if let Some(c) = window_conflict(p, &prev.calendar) {
        return Err(Violation {
            plan: Some(id),
            detail: format!("{name} while its {c}"),
        });
    }
    // A new window is far enough ahead for its (corrected) notice.
    if matches!(name, "plan.notice" | "plan.reschedule") {
        ensure!(
            w.start - step.at >= Duration::days(r.rules.class(p.class).notice_days as i64),
            Some(id),
            "{name} at {} for a window at {}",
            step.at,
            w.start
        );
    }
    Ok(())
}

/// Approval only of a submitted plan; return of a submitted, approved or
/// announced one, whose notice is then no longer in force but kept among its
/// publications; a reschedule only of an approved or announced plan, a new
/// submission that keeps the approvals and notes the window it left (a
/// standard change's is covered by its template again).
fn inv_decisions_follow_the_process(r: &Run, prev: &Snapshot, step: &StepInfo) -> Check {
    if !step.ok() {
        return Ok(());
    }
    let Some(id) = step.plan() else { return Ok(()) };
    let (Some(before), Some(after)) = (prev.plan(id), r.last.plan(id)) else {
        return Ok(());
    };
    match step.cmd.name() {
        "plan.approve" => ensure!(
            before.status == PlanStatus::Submitted,
            Some(id),
            "approved from {}",
            before.status
        ),
        "plan.return" => {
            ensure!(
                matches!(
                    before.status,
                    PlanStatus::Submitted | PlanStatus::Approved | PlanStatus::NoticePublished
                ) && after.status == PlanStatus::Returned,
                Some(id),
                "returned from {} to {}",
                before.status,
                after.status
            );
            if let Some(n) = &before.notice {
                ensure!(
                    after.notice.is_none() && after.all_publications().iter().any(|x| x.notice() == *n),
                    Some(id),
                    "the notice of a returned plan was not kept"
                );
            }
        }
        "plan.reschedule" => {
            // A standard change is approved again by its template (a new cover);
            // any other goes back to the Leading Group.
            let again = if after.class == ChangeClass::Standard {
                after.status == PlanStatus::Approved
                    && after.covers.len() == before.covers.len() + 1
                    && after.covers.last().is_some_and(|c| c.submission == after.submission)
            } else {
                after.status == PlanStatus::Submitted
            };
            ensure!(
                matches!(before.status, PlanStatus::Approved | PlanStatus::NoticePublished)
                    && again
                    && after.submission == before.submission + 1,
                Some(id),
                "rescheduled from {} (submission {}) to {} (submission {})",
                before.status,
                before.submission,
                after.status,
                after.submission
            );
            let noted = after.window_history.len() == before.window_history.len() + 1
                && after
                    .window_history
                    .last()
                    .is_some_and(|c| c.from == before.window && c.to == after.window && c.rescheduled);
            ensure!(
                noted && after.approvals == before.approvals && after.notice.is_none(),
                Some(id),
                "the reschedule did not keep the record: history {:?}",
                after.window_history.last()
            );
        }
        _ => {}
    }
    Ok(())
}

/// After a test, defect or backup command, a plan in testing is ready exactly
/// when the go-live gate, recomputed here, has nothing missing at that time.
fn inv_ready_iff_golive_gate_clear(r: &Run, _prev: &Snapshot, step: &StepInfo) -> Check {
    if !step.ok()
        || !matches!(
            step.cmd.name(),
            "test.round"
                | "test.item"
                | "test.result"
                | "test.waive"
                | "test.defect"
                | "test.defect_update"
                | "test.defect_accept"
                | "backup.confirm"
        )
    {
        return Ok(());
    }
    let Some(p) = step.plan().and_then(|id| r.last.plan(id)) else {
        return Ok(());
    };
    if !matches!(p.status, PlanStatus::Testing | PlanStatus::Ready) {
        return Ok(());
    }
    let m = gate_problems(p, step.at, &r.rules);
    ensure!(
        (p.status == PlanStatus::Ready) == m.is_empty(),
        Some(p.id),
        "{} is {} with gate {m:?}",
        p.id,
        p.status
    );
    Ok(())
}

/// A new round records its environment; with `copy_unfinished` it holds, as
/// pending, exactly the items unresolved before it (with their numbers),
/// without it none — but a standard change's first round starts with its
/// template's items, numbered from 1.
fn inv_new_round_copies_every_unresolved_item(r: &Run, prev: &Snapshot, step: &StepInfo) -> Check {
    let Command::TestRound {
        plan, copy_unfinished, ..
    } = &step.cmd
    else {
        return Ok(());
    };
    if !step.ok() {
        return Ok(());
    }
    let (Some(before), Some(after)) = (prev.plan(*plan), r.last.plan(*plan)) else {
        return Ok(());
    };
    let round = after.latest_round();
    ensure!(
        after.rounds.len() == before.rounds.len() + 1 && round.is_some_and(|r| !r.environment.trim().is_empty()),
        Some(*plan),
        "the new round is {round:?}"
    );
    let got: Vec<(u32, TestResult)> = round.unwrap().items.iter().map(|i| (i.no, i.result)).collect();
    let want: Vec<(u32, TestResult)> = if let Some(t) = before.template.as_ref().filter(|_| before.rounds.is_empty()) {
        (1..=t.items.len() as u32).map(|no| (no, TestResult::Pending)).collect()
    } else if *copy_unfinished {
        latest_results(before)
            .into_iter()
            .filter(|(_, (_, i))| !resolved(i))
            .map(|(no, _)| (no, TestResult::Pending))
            .collect()
    } else {
        Vec::new()
    };
    ensure!(got == want, Some(*plan), "the new round holds {got:?}, not {want:?}");
    Ok(())
}

/// What the rules in force make of the decisions, the notice, the go-live and
/// the filing, predicted here from the records before the command: accepted
/// (`Ok`) or refused (`Err` with why); `None` for the commands not modelled.
fn expected(r: &Run, prev: &Snapshot, step: &StepInfo) -> Option<Result<(), String>> {
    use Command as C;
    use PlanStatus as S;
    if let C::TemplateApprove { id, .. } = &step.cmd {
        return Some(expected_template_approval(prev, step, *id));
    }
    let modelled = matches!(
        step.cmd,
        C::PlanApprove { .. }
            | C::PlanReturn { .. }
            | C::PlanNotice { .. }
            | C::PlanReschedule { .. }
            | C::PlanNoticeDraft { .. }
            | C::TestWaive { .. }
            | C::DefectAccept { .. }
            | C::DeviationAccept { .. }
            | C::GoLive { .. }
            | C::File { .. }
            | C::PlanIncident { .. }
            | C::PlanFail { .. }
            | C::PlanReview { .. }
            | C::RequestFeedback { .. }
    );
    if !modelled {
        return None;
    }
    macro_rules! need {
        ($cond:expr, $($fmt:tt)+) => {
            if !$cond {
                return Some(Err(format!($($fmt)+)));
            }
        };
    }
    need!(
        regulation_roles(step.cmd.name()).iter().any(|x| step.actor.has(*x)),
        "{} may not",
        step.actor.name
    );
    let id = step.plan()?;
    let p = prev.plan(id);
    need!(p.is_some(), "{id} does not exist");
    let p = p.unwrap();
    let at = step.at;
    let evs = events(prev, id);
    let contributed = contributors_from_audit(evs).contains(&step.actor.name);
    let blank = |s: &str| s.trim().is_empty();
    // Approvals since the plan was last submitted, by the audit log.
    let last_submit = evs.iter().rposition(|e| SUBMITTING.contains(&e.action.as_str()));
    let approvals: Vec<&AuditEvent> = evs
        .iter()
        .skip(last_submit.map_or(evs.len(), |k| k + 1))
        .filter(|e| e.action == "plan.approve")
        .collect();
    let window_ahead = p.window.as_ref().is_some_and(|w| w.start > at);
    match &step.cmd {
        C::PlanApprove { .. } => {
            need!(p.status == S::Submitted, "{} is {}", id, p.status);
            need!(!contributed, "{} contributed", step.actor.name);
            need!(
                !approvals.iter().any(|e| e.actor == step.actor.name),
                "{} approved already",
                step.actor.name
            );
            need!(window_ahead, "the window has started");
            need!(window_conflict(p, &prev.calendar).is_none(), "the calendar");
        }
        C::PlanReturn { reason, .. } => {
            need!(
                matches!(p.status, S::Submitted | S::Approved | S::NoticePublished),
                "{} is {}",
                id,
                p.status
            );
            need!(!contributed, "{} contributed", step.actor.name);
            need!(!blank(reason), "no reason");
        }
        C::PlanNotice { audience, text, .. } => {
            need!(p.status == S::Approved, "{} is {}", id, p.status);
            need!(window_ahead, "the window has started");
            need!(window_conflict(p, &prev.calendar).is_none(), "the calendar");
            let w = p.window.as_ref().unwrap();
            need!(
                w.start - at >= Duration::days(r.rules.class(p.class).notice_days as i64),
                "the notice is too late"
            );
            // Without a text of its own, the draft, if it was written for this window.
            let own = text.as_deref().is_some_and(|t| !blank(t));
            need!(
                own || p.notice_draft.as_ref().is_none_or(|d| d.window == p.window),
                "the draft was written for another window"
            );
            need!(!blank(audience), "no audience");
        }
        C::PlanReschedule {
            window,
            reason,
            justification,
            ..
        } => {
            need!(
                matches!(p.status, S::Approved | S::NoticePublished),
                "{} is {}",
                id,
                p.status
            );
            need!(!blank(reason), "no reason");
            need!(window.end > window.start, "the new window ends before it starts");
            need!(window.start > at, "the new window has started");
            need!(p.window.as_ref() != Some(window), "the window is the same");
            // The calendar for the new window, with the justification given.
            let mut q = p.clone();
            q.window = Some(window.clone());
            if let Some(j) = justification.as_deref().filter(|j| !blank(j)) {
                let soft: Vec<String> = periods_between(&prev.calendar, p.system, day(window.start), day(window.end))
                    .into_iter()
                    .filter(|b| !b.hard)
                    .map(|b| b.name.clone())
                    .collect();
                need!(!soft.is_empty(), "a justification without a soft period");
                for name in soft {
                    q.blackout_overrides.retain(|o| o.period != name);
                    q.blackout_overrides.push(BlackoutOverride {
                        period: name,
                        reason: j.to_string(),
                    });
                }
            }
            need!(window_conflict(&q, &prev.calendar).is_none(), "the calendar");
            need!(
                window.start - at >= Duration::days(r.rules.class(p.class).notice_days as i64),
                "too close for its notice"
            );
            // A standard change is approved again by its template, while it covers it.
            need!(
                p.class != ChangeClass::Standard || p.template.as_ref().is_some_and(|t| day(at) < t.expires),
                "its template expired"
            );
        }
        C::PlanNoticeDraft { changes, .. } => {
            need!(
                matches!(p.status, S::Draft | S::Submitted | S::Approved | S::Returned),
                "{} is {}",
                id,
                p.status
            );
            for c in changes {
                if let NoticeChange::Text { text: Some(t) } = c {
                    need!(!blank(t), "an empty draft");
                }
            }
        }
        C::TestWaive { item, reason, .. } => {
            need!(matches!(p.status, S::Testing | S::Ready), "{} is {}", id, p.status);
            need!(!contributed, "{} contributed", step.actor.name);
            need!(!blank(reason), "no reason");
            let last = latest_results(p);
            let i = last.get(item).map(|(_, i)| i.result);
            need!(i.is_some_and(|r| r != TestResult::Pass), "item #{item} is {i:?}");
        }
        C::DefectAccept { defect, reason, .. } => {
            need!(TESTING.contains(&p.status), "{} is {}", id, p.status);
            need!(!contributed, "{} contributed", step.actor.name);
            need!(!blank(reason), "no reason");
            let d = p.defects.iter().find(|d| d.no == *defect);
            need!(
                d.is_some_and(|d| serious(d) && d.status != DefectStatus::Verified && d.acceptance.is_none()),
                "D{defect} has nothing to accept"
            );
        }
        C::DeviationAccept { reason, .. } => {
            need!(matches!(p.status, S::Testing | S::Ready), "{} is {}", id, p.status);
            need!(!contributed, "{} contributed", step.actor.name);
            need!(!blank(reason), "no reason");
            need!(
                p.deviation.as_ref().is_some_and(|d| d.accepted.is_none()),
                "no deviation waits"
            );
            need!(
                p.deviation.as_ref().is_none_or(|d| d.recorded_by != step.actor.name),
                "{} recorded the deviation",
                step.actor.name
            );
        }
        C::GoLive { golive: g, .. } => {
            need!(matches!(p.status, S::Testing | S::Ready), "{} is {}", id, p.status);
            let gate = gate_problems(p, g.time, &r.rules);
            need!(gate.is_empty(), "the gate misses {gate:?}");
            need!(!blank(&g.deployer) && !blank(&g.version), "no deployer or version");
            need!(
                g.time <= at + Duration::minutes(r.rules.clock_skew_minutes as i64),
                "{} is in the future",
                g.time
            );
            need!(
                approvals.iter().all(|e| e.time <= g.time),
                "{} is before an approval",
                g.time
            );
            need!(
                p.class != ChangeClass::Standard
                    || p.covers
                        .iter()
                        .filter(|c| c.submission == p.submission)
                        .all(|c| c.time <= g.time),
                "{} is before the template's cover",
                g.time
            );
            need!(
                p.notice.as_ref().is_none_or(|n| n.published_at <= g.time),
                "{} is before the notice",
                g.time
            );
            // After its latest round started and its backup was confirmed (to the minute).
            let minute = |t: Time| t - Duration::seconds(t.timestamp().rem_euclid(60));
            need!(
                p.latest_round().is_none_or(|x| minute(x.started_at) <= g.time),
                "{} is before the latest round",
                g.time
            );
            need!(
                p.backup.as_ref().is_none_or(|b| minute(b.time) <= g.time),
                "{} is before the backup",
                g.time
            );
            let blackout = time_conflict(p, g.time, &prev.calendar);
            need!(blackout.is_none(), "{blackout:?}");
            if g.outcome != GoLiveOutcome::RolledBack {
                let c = window_conflict(p, &prev.calendar);
                need!(c.is_none(), "{c:?}");
                let deviation = p
                    .deviation
                    .as_ref()
                    .is_some_and(|d| d.accepted.is_some() && (d.time - g.time).num_seconds().abs() < 60);
                need!(in_window(p, g.time) || deviation, "{} is outside the window", g.time);
            }
        }
        C::PlanIncident { time, by, what, .. } => {
            need!(matches!(p.status, S::Live | S::Filed), "{} is {}", id, p.status);
            let g = p.live_golive();
            need!(g.is_some(), "{id} never went live");
            let minute = |t: Time| t - Duration::seconds(t.timestamp().rem_euclid(60));
            need!(
                *time <= at + Duration::minutes(r.rules.clock_skew_minutes as i64),
                "{time} is in the future"
            );
            need!(minute(g.unwrap().time) <= *time, "{time} is before the go-live");
            need!(!blank(by) && !blank(what), "no one or nothing");
        }
        C::PlanFail { reason, .. } => {
            need!(
                matches!(p.status, S::Live | S::Testing | S::Ready),
                "{} is {}",
                id,
                p.status
            );
            need!(p.live_golive().is_some(), "{id} never went live");
            need!(!blank(reason), "no reason");
        }
        C::PlanReview { goals, summary, .. } => {
            need!(matches!(p.status, S::Live | S::Filed), "{} is {}", id, p.status);
            let no = p
                .golives
                .iter()
                .rposition(|g| g.outcome != GoLiveOutcome::RolledBack)
                .map(|k| k as u32 + 1);
            let addenda: Vec<&Addendum> = prev
                .dossiers
                .iter()
                .filter(|v| Some(v.dossier.id) == p.dossier)
                .flat_map(|v| &v.addenda)
                .collect();
            let reviewed = p.reviews.iter().any(|x| Some(x.golive) == no)
                || addenda
                    .iter()
                    .any(|a| matches!(&a.body, AddendumBody::Review(x) if Some(x.golive) == no));
            need!(!reviewed, "{id} was reviewed");
            let count = goal_lines(&p.goals).len() as u32;
            let mut nos: Vec<u32> = goals.iter().map(|g| g.no).collect();
            nos.sort_unstable();
            need!(nos == (1..=count).collect::<Vec<u32>>(), "goals {nos:?} of {count}");
            need!(!blank(summary), "no summary");
        }
        C::RequestFeedback { id: rid, .. } => {
            need!(matches!(p.status, S::Live | S::Filed), "{} is {}", id, p.status);
            let q = prev.requests.iter().find(|q| q.id == *rid);
            need!(q.is_some(), "{rid} does not exist");
            let q = q.unwrap();
            need!(q.status != RequestStatus::Duplicate, "{rid} is a duplicate");
            need!(q.feedback_on.is_none(), "{rid} is feedback already");
            need!(q.plan != Some(id) && !p.requests.contains(rid), "{rid} is in the scope");
            need!(q.system.is_none_or(|s| s == p.system), "{rid} is about another system");
        }
        C::File { .. } => {
            need!(p.status == S::Live, "{} is {}", id, p.status);
            need!(p.live_golive().is_some_and(|g| g.time <= at), "the go-live is ahead");
            let last = latest_results(p);
            need!(
                p.latest_round().is_some_and(|r| !r.items.is_empty()) && last.values().all(|(_, i)| resolved(i)),
                "the test report is incomplete"
            );
            need!(!p.comparison.is_empty(), "no comparison");
        }
        _ => return None,
    }
    Some(Ok(()))
}

/// A template's approval, predicted: by an approver, of a submitted template,
/// who did not write, edit or submit it (by its audit log) and did not approve
/// this submission already.
fn expected_template_approval(prev: &Snapshot, step: &StepInfo, id: Id) -> Result<(), String> {
    if !step.actor.has(Role::Approver) {
        return Err(format!("{} may not", step.actor.name));
    }
    let Some(t) = prev.template(id) else {
        return Err(format!("{id} does not exist"));
    };
    if t.status != TemplateStatus::Submitted {
        return Err(format!("{id} is {}", t.status));
    }
    let evs = template_events(prev, id);
    if evs
        .iter()
        .any(|e| TEMPLATE_CONTRIBUTING.contains(&e.action.as_str()) && e.actor == step.actor.name)
    {
        return Err(format!("{} wrote it", step.actor.name));
    }
    let since = evs
        .iter()
        .rposition(|e| e.action == "template.submit")
        .map_or(0, |k| k + 1);
    if evs[since..]
        .iter()
        .any(|e| e.action == "template.approve" && e.actor == step.actor.name)
    {
        return Err(format!("{} approved already", step.actor.name));
    }
    Ok(())
}

/// The decisions, the notice, the go-live and the filing are carried out
/// exactly when the rules in force, as modelled here, allow them.
fn inv_outcome_matches_the_model(r: &Run, prev: &Snapshot, step: &StepInfo) -> Check {
    let Some(want) = expected(r, prev, step) else {
        return Ok(());
    };
    match (want, &step.result) {
        (Ok(()), Err(e)) => Err(Violation {
            plan: step.plan(),
            detail: format!(
                "{} by {} refused ({}) although every rule holds",
                step.cmd.name(),
                step.actor.name,
                e.message()
            ),
        }),
        (Err(why), Ok(_)) => Err(Violation {
            plan: step.plan(),
            detail: format!("{} by {} carried out although {why}", step.cmd.name(), step.actor.name),
        }),
        _ => Ok(()),
    }
}

/// A request is accepted only with its necessity and feasibility written (§3.1).
fn inv_request_accepted_only_with_analysis(r: &Run, prev: &Snapshot, _step: &StepInfo) -> Check {
    for q in &r.last.requests {
        let before = prev.requests.iter().find(|b| b.id == q.id).map(|b| b.status);
        let newly = q.status == RequestStatus::Accepted
            && matches!(
                before,
                Some(RequestStatus::New | RequestStatus::Triaged | RequestStatus::JointReview)
            );
        if newly {
            ensure!(
                !q.necessity.trim().is_empty() && !q.feasibility.trim().is_empty(),
                None,
                "{} accepted with necessity {:?}, feasibility {:?}",
                q.id,
                q.necessity,
                q.feasibility
            );
        }
    }
    Ok(())
}

/// A rectification order's deadline is not before the day it is issued (§5.1).
fn inv_order_deadline_not_past(_r: &Run, _prev: &Snapshot, step: &StepInfo) -> Check {
    if let (Command::OrderIssue { deadline, .. }, true) = (&step.cmd, step.ok()) {
        ensure!(
            *deadline >= day(step.at),
            None,
            "an order issued {} with deadline {deadline}",
            day(step.at)
        );
    }
    Ok(())
}

/// What an order has kept of its history is never lost: its extensions,
/// responses and closings only grow, the last response (closing) gaining at
/// most its sent-back (reopened) mark; its deadline moves only by an extension
/// of that order, later and not into the past (issue 15 §5: the extension
/// must not become a way around the deadline rule).
fn inv_orders_keep_their_history(r: &Run, prev: &Snapshot, step: &StepInfo) -> Check {
    for before in &prev.orders {
        let Some(after) = r.last.order(before.id) else {
            return Err(Violation {
                plan: None,
                detail: format!("{} disappeared", before.id),
            });
        };
        let id = before.id;
        ensure!(
            after.extensions.starts_with(&before.extensions),
            None,
            "{id}: extensions {:?} became {:?}",
            before.extensions,
            after.extensions
        );
        let kept = |n: usize, same: &dyn Fn(usize) -> bool| (0..n).all(same);
        ensure!(
            after.responses.len() >= before.responses.len()
                && kept(before.responses.len(), &|i| {
                    let (a, b) = (&before.responses[i], &after.responses[i]);
                    let last = i + 1 == before.responses.len();
                    a.text == b.text
                        && a.by == b.by
                        && a.at == b.at
                        && (a.sent_back == b.sent_back || (last && a.sent_back.is_none()))
                }),
            None,
            "{id}: responses {:?} became {:?}",
            before.responses,
            after.responses
        );
        ensure!(
            after.closings.len() >= before.closings.len()
                && kept(before.closings.len(), &|i| {
                    let (a, b) = (&before.closings[i], &after.closings[i]);
                    let last = i + 1 == before.closings.len();
                    a.by == b.by && a.at == b.at && (a.reopened == b.reopened || (last && a.reopened.is_none()))
                }),
            None,
            "{id}: closings {:?} became {:?}",
            before.closings,
            after.closings
        );
        if after.deadline != before.deadline {
            let extended = matches!(&step.cmd, Command::OrderExtend { id: x, .. } if *x == id) && step.ok();
            ensure!(
                extended && after.deadline > before.deadline && after.deadline >= day(step.at),
                None,
                "{id}: the deadline moved {} → {} by {} at {}",
                before.deadline,
                after.deadline,
                step.cmd.name(),
                step.at
            );
            ensure!(
                after.extensions.last().map(|e| (e.from, e.to)) == Some((before.deadline, after.deadline)),
                None,
                "{id}: the deadline moved without its extension on record"
            );
        }
    }
    Ok(())
}

/// A step on an order is carried out exactly when the regulation's role acts,
/// the order is in the status the step starts from (respond: open; close and
/// send back: responded; reopen: closed; extend: not closed), a reason is given
/// where one is asked for, and an extension is later than the deadline in force
/// and not in the past; it leaves the order in the status the step leads to.
fn inv_order_steps_follow_the_process(r: &Run, prev: &Snapshot, step: &StepInfo) -> Check {
    use OrderStatus as O;
    let (id, reason) = match &step.cmd {
        Command::OrderRespond { id, .. } | Command::OrderClose { id } => (*id, "x"),
        Command::OrderExtend { id, reason, .. }
        | Command::OrderSendBack { id, reason }
        | Command::OrderReopen { id, reason } => (*id, reason.as_str()),
        _ => return Ok(()),
    };
    let role = regulation_roles(step.cmd.name()).iter().any(|x| step.actor.has(*x));
    let before = prev.order(id);
    let (from, to): (&[O], Option<O>) = match &step.cmd {
        Command::OrderRespond { .. } => (&[O::Open], Some(O::Responded)),
        Command::OrderClose { .. } => (&[O::Responded], Some(O::Closed)),
        Command::OrderSendBack { .. } => (&[O::Responded], Some(O::Open)),
        Command::OrderReopen { .. } => (&[O::Closed], Some(O::Open)),
        _ => (&[O::Open, O::Responded], None),
    };
    let dated = match (&step.cmd, before) {
        (Command::OrderExtend { deadline, .. }, Some(o)) => *deadline > o.deadline && *deadline >= day(step.at),
        _ => true,
    };
    let model = role && before.is_some_and(|o| from.contains(&o.status)) && !reason.trim().is_empty() && dated;
    ensure!(
        model == step.ok(),
        None,
        "{} {} on {id} ({:?}, reason {reason:?}) was {}",
        step.actor.name,
        step.cmd.name(),
        before.map(|o| o.status),
        if step.ok() { "carried out" } else { "refused" }
    );
    if step.ok() {
        let after = r.last.order(id).map(|o| o.status);
        let want = to.or(before.map(|o| o.status));
        ensure!(
            after == want,
            None,
            "{id}: {} left it {after:?}, not {want:?}",
            step.cmd.name()
        );
    }
    Ok(())
}

/// A confidential report is answered and closed, or turned into an order,
/// only while under investigation (§5.1: each report is investigated), and
/// turned into an order once: the order is new, issued with the report's
/// investigation as its finding, aimed at the target named or else the plan
/// the report is linked to; a report is linked only to a plan that exists.
fn inv_reports_investigated_before_answered(r: &Run, prev: &Snapshot, step: &StepInfo) -> Check {
    use ReportStatus as R;
    for after in &r.last.reports {
        let before = prev.report(after.id);
        let was = before.map(|b| b.status);
        if after.status == R::Closed && was.is_some_and(|s| s != R::Closed) {
            ensure!(
                was == Some(R::Investigating) && matches!(step.cmd, Command::ReportReply { .. }) && step.ok(),
                None,
                "{} closed from {was:?} by {}",
                after.id,
                step.cmd.name()
            );
            ensure!(
                after.replied_by.as_deref() == Some(step.actor.name.as_str()),
                None,
                "{}: replied by {:?}",
                after.id,
                after.replied_by
            );
        }
        let ordered_now = after.order.is_some() && before.is_some_and(|b| b.order != after.order);
        if ordered_now {
            let b = before.expect("seen before");
            ensure!(
                b.status == R::Investigating && b.order.is_none(),
                None,
                "{} became an order from {:?} (order {:?})",
                after.id,
                b.status,
                b.order
            );
            let oid = after.order.expect("an order");
            let issued = r.last.order(oid);
            ensure!(
                prev.order(oid).is_none() && issued.is_some(),
                None,
                "{}: the order {oid} is not new",
                after.id
            );
            let o = issued.expect("issued");
            let Command::ReportToOrder { target, .. } = &step.cmd else {
                return Err(Violation {
                    plan: None,
                    detail: format!("{} became an order by {}", after.id, step.cmd.name()),
                });
            };
            let want = target.clone().or(b.plan.map(OrderTarget::Plan));
            ensure!(
                Some(&o.target) == want.as_ref() && o.finding == b.investigation,
                None,
                "{oid}: target {:?} finding {:?}, from {:?} {:?}",
                o.target,
                o.finding,
                want,
                b.investigation
            );
        }
        if after.plan != before.and_then(|b| b.plan) {
            ensure!(
                after.plan.is_some_and(|p| r.last.plan(p).is_some()),
                None,
                "{} linked to {:?}",
                after.id,
                after.plan
            );
        }
    }
    Ok(())
}

/// A reopen is carried out exactly when the actor may triage, a reason is
/// given and the request is decided (triaged, accepted, rejected, duplicate,
/// joint review); it returns the request to an undecided status (new, triaged,
/// or its joint review, whose position goes) and drops the decision's reason,
/// original and plan. An unlink is carried out exactly when the actor may link,
/// a reason is given, the request is planned and its plan still takes links
/// ([`takes_links`]); the request is accepted again and its plan lists the
/// others in the same order (§3.1, issue 15 §4).
fn inv_reopen_and_unlink_follow_the_process(r: &Run, prev: &Snapshot, step: &StepInfo) -> Check {
    use RequestStatus as R;
    let (id, reason, unlinking) = match &step.cmd {
        Command::RequestReopen { id, reason } => (*id, reason, false),
        Command::RequestUnlink { id, reason } => (*id, reason, true),
        _ => return Ok(()),
    };
    // An undo based on a revision someone else changed: see inv_undo_restores_the_record.
    if matches!(step.result, Err(Error::Conflict { .. })) && r.undoing.is_some() {
        return Ok(());
    }
    let before = prev.requests.iter().find(|q| q.id == id);
    let after = r.last.requests.iter().find(|q| q.id == id);
    let may = regulation_roles(step.cmd.name()).iter().any(|x| step.actor.has(*x)) && !reason.trim().is_empty();
    let done = if step.ok() { "carried out" } else { "refused" };
    if unlinking {
        let plan = before.and_then(|q| q.plan).and_then(|p| prev.plan(p));
        let open = before.is_some_and(|q| q.status == R::Planned) && plan.is_some_and(takes_links);
        ensure!(
            step.ok() == (may && open),
            plan.map(|p| p.id),
            "unlinking {id} ({:?}, its plan {:?}) by {} {done}",
            before.map(|q| q.status),
            plan.map(|p| p.status),
            step.actor.name
        );
        if let (true, Some(p)) = (step.ok(), plan) {
            let want: Vec<Id> = p.requests.iter().copied().filter(|x| *x != id).collect();
            let now = r.last.plan(p.id).map(|p| &p.requests);
            ensure!(
                after.is_some_and(|q| q.status == R::Accepted && q.plan.is_none()) && now == Some(&want),
                Some(p.id),
                "unlinking {id} left it {:?} and {} listing {now:?}",
                after.map(|q| (q.status, q.plan)),
                p.id
            );
        }
    } else {
        let decided = before.is_some_and(|q| {
            matches!(
                q.status,
                R::Triaged | R::Accepted | R::Rejected | R::Duplicate | R::JointReview
            )
        });
        ensure!(
            step.ok() == (may && decided),
            None,
            "reopening {id} ({:?}) by {} {done}",
            before.map(|q| q.status),
            step.actor.name
        );
        if let (true, Some(b), Some(a)) = (step.ok(), before, after) {
            let undecided = match a.status {
                R::New | R::Triaged => a.joint_review.is_none(),
                R::JointReview => a.joint_review.as_ref().is_some_and(|j| j.outcome.is_none()),
                _ => false,
            };
            ensure!(
                undecided
                    && a.status != b.status
                    && (b.status != R::Triaged || a.status == R::New)
                    && a.reject_reason.is_none()
                    && a.duplicate_of.is_none()
                    && a.plan.is_none(),
                None,
                "reopening {id} from {} left {} (reason {:?}, original {:?}, joint review {:?})",
                b.status,
                a.status,
                a.reject_reason,
                a.duplicate_of,
                a.joint_review
            );
        }
    }
    Ok(())
}

/// Does the plan still take changes to its requests (issue 15 §4)? While it
/// is written (draft, returned) and, once submitted, until a member of the
/// Leading Group approves the current submission.
fn takes_links(p: &Plan) -> bool {
    WRITING.contains(&p.status) || (p.status == PlanStatus::Submitted && current_approvals(p).is_empty())
}

/// A link is carried out exactly when the actor may link, the request is
/// accepted and the plan takes links ([`takes_links`]); the request is then
/// planned in that plan, which lists it last, and the actor is one of the
/// plan's contributors (so never its approver, by `inv_no_approver_contributed`).
fn inv_links_follow_the_process(r: &Run, prev: &Snapshot, step: &StepInfo) -> Check {
    let Command::RequestLink { id, plan } = &step.cmd else {
        return Ok(());
    };
    if matches!(step.result, Err(Error::Conflict { .. })) && r.undoing.is_some() {
        return Ok(());
    }
    let before = prev.requests.iter().find(|q| q.id == *id);
    let p = prev.plan(*plan);
    let may = regulation_roles(step.cmd.name()).iter().any(|x| step.actor.has(*x));
    let open = before.is_some_and(|q| q.status == RequestStatus::Accepted) && p.is_some_and(takes_links);
    ensure!(
        step.ok() == (may && open),
        Some(*plan),
        "linking {id} ({:?}) to {plan} ({:?}, approvals {:?}) by {} {}",
        before.map(|q| q.status),
        p.map(|p| p.status),
        p.map(|p| current_approvals(p).len()),
        step.actor.name,
        if step.ok() { "carried out" } else { "refused" }
    );
    if step.ok() {
        let after = r.last.requests.iter().find(|q| q.id == *id);
        let now = r.last.plan(*plan);
        ensure!(
            after.is_some_and(|q| q.status == RequestStatus::Planned && q.plan == Some(*plan))
                && now.is_some_and(
                    |p| p.requests.last() == Some(id) && p.contributors.iter().any(|c| c.name == step.actor.name)
                ),
            Some(*plan),
            "linked {id} is {:?}; {plan} lists {:?}",
            after.map(|q| (q.status, q.plan)),
            now.map(|p| &p.requests)
        );
    }
    Ok(())
}

/// The meeting that decides a request now: the one covering it while it
/// waits in joint review.
fn deciding(q: &Request) -> Option<Id> {
    q.joint_review
        .as_ref()
        .and_then(|j| j.review)
        .filter(|_| q.status == RequestStatus::JointReview)
}

/// Every request a joint review decides is listed by that review, which has
/// not reached its position; a review's position sorts each request it
/// covers into accepted, rejected or withdrawn, once (§3.1).
fn inv_joint_reviews_hold_their_requests(r: &Run) -> Check {
    let s = &r.last;
    for q in &s.requests {
        if let Some(m) = deciding(q) {
            let meeting = s.joint_reviews.iter().find(|x| x.id == m);
            ensure!(
                meeting.is_some_and(|x| x.position.is_none() && x.requests.contains(&q.id)),
                None,
                "{} waits for {m}: {meeting:?}",
                q.id
            );
        }
    }
    for m in &s.joint_reviews {
        ensure!(
            m.departments.len() >= 2,
            None,
            "{} has departments {:?}",
            m.id,
            m.departments
        );
        if let Some(p) = &m.position {
            let mut sorted: Vec<Id> = p
                .accepted
                .iter()
                .chain(&p.rejected)
                .chain(&p.withdrawn)
                .copied()
                .collect();
            sorted.sort();
            let mut covered = m.requests.clone();
            covered.sort();
            ensure!(
                sorted == covered,
                None,
                "{} covers {covered:?} but its position sorts {sorted:?}",
                m.id
            );
            ensure!(!p.text.trim().is_empty(), None, "{} reached an empty position", m.id);
        }
    }
    Ok(())
}

/// Convening takes each named request into the new review (from new,
/// triaged, or joint review without a meeting), refused when one waits for
/// another review; while a review decides a request, it is not accepted or
/// rejected one by one; recording the position accepts (analysed) or rejects
/// (with the position as reason) exactly the requests still in the review.
fn inv_joint_reviews_decide_their_requests(r: &Run, prev: &Snapshot, step: &StepInfo) -> Check {
    use RequestStatus as R;
    let find = |s: &Snapshot, id: Id| s.requests.iter().find(|q| q.id == id).cloned();
    match &step.cmd {
        Command::RequestTriage { id, triage } => {
            let waits = find(prev, *id).as_ref().and_then(deciding);
            if waits.is_some() && matches!(triage, Triage::Accept { .. } | Triage::Reject { .. }) {
                ensure!(
                    !step.ok(),
                    None,
                    "{id}, waiting for {waits:?}, was decided one by one: {:?}",
                    step.result.as_ref().map(|o| &o.summary)
                );
            }
        }
        Command::JointReviewNew { requests, .. } => {
            let waiting = requests
                .iter()
                .any(|q| find(prev, *q).as_ref().and_then(deciding).is_some());
            if waiting {
                ensure!(!step.ok(), None, "{requests:?} went into a second review");
            }
            if let Ok(out) = &step.result {
                let m: Id = out.entity.parse().unwrap();
                for q in requests {
                    let before = find(prev, *q).map(|x| x.status);
                    let after = find(&r.last, *q);
                    ensure!(
                        matches!(before, Some(R::New | R::Triaged | R::JointReview))
                            && after.as_ref().and_then(deciding) == Some(m),
                        None,
                        "{q} ({before:?}) convened into {m}: {after:?}"
                    );
                }
            }
        }
        Command::JointReviewDecide {
            id, position, reject, ..
        } => {
            let Some(m) = prev.joint_reviews.iter().find(|x| x.id == *id) else {
                ensure!(!step.ok(), None, "{id} does not exist but decided");
                return Ok(());
            };
            let still: Vec<Request> = m
                .requests
                .iter()
                .filter_map(|q| find(prev, *q))
                .filter(|q| deciding(q) == Some(m.id))
                .collect();
            let analysed = |q: &Request| !q.necessity.trim().is_empty() && !q.feasibility.trim().is_empty();
            let may = regulation_roles(step.cmd.name()).iter().any(|x| step.actor.has(*x));
            let fits = m.position.is_none()
                && !position.trim().is_empty()
                && !still.is_empty()
                && reject.iter().all(|x| still.iter().any(|q| q.id == *x))
                && still.iter().all(|q| reject.contains(&q.id) || analysed(q));
            ensure!(
                step.ok() == (may && fits),
                None,
                "deciding {id} (position {:?}, still in it {:?}, reject {reject:?}) by {} {}",
                m.position.as_ref().map(|p| &p.text),
                still.iter().map(|q| (q.id, analysed(q))).collect::<Vec<_>>(),
                step.actor.name,
                if step.ok() { "carried out" } else { "refused" }
            );
            if step.ok() {
                for q in &still {
                    let a = find(&r.last, q.id);
                    let want = if reject.contains(&q.id) {
                        R::Rejected
                    } else {
                        R::Accepted
                    };
                    let reason_ok = want == R::Accepted
                        || a.as_ref().and_then(|a| a.reject_reason.as_deref()) == Some(position.trim());
                    ensure!(
                        a.as_ref().is_some_and(|a| a.status == want) && reason_ok,
                        None,
                        "{} after {id}'s position: {:?}",
                        q.id,
                        a.map(|a| (a.status, a.reject_reason))
                    );
                }
            }
        }
        _ => {}
    }
    Ok(())
}

/// An undo in progress (see `Run::undo`): the request before the command
/// undone, its plan's requests then, and whether someone else changed the
/// request in between.
#[derive(Debug, Clone)]
struct Undoing {
    before: Request,
    plan: Option<(Id, Vec<Id>)>,
    interfered: bool,
}

/// Command then inverse leaves the request's status, plan, tags, priority,
/// rejection reason and original as they were, and its plan's requests as
/// they were; the inverse is carried out when nobody else changed the request
/// in between, and refused as a conflict when someone did (issue 13 §1).
fn inv_undo_restores_the_record(r: &Run, _prev: &Snapshot, step: &StepInfo) -> Check {
    let Some(u) = &r.undoing else { return Ok(()) };
    let id = u.before.id;
    if u.interfered {
        ensure!(
            matches!(step.result, Err(Error::Conflict { .. })),
            None,
            "the undo of {id} after someone else changed it was not refused as a conflict: {:?}",
            step.result.as_ref().map(|o| &o.summary)
        );
        return Ok(());
    }
    if let Err(e) = &step.result {
        return Err(Violation {
            plan: None,
            detail: format!("the undo ({}) of {id} was refused: {}", step.cmd.name(), e.message()),
        });
    }
    let fields = |q: &Request| {
        (
            q.status,
            q.plan,
            q.tags.clone(),
            q.priority,
            q.reject_reason.clone(),
            q.duplicate_of,
        )
    };
    let now = r.last.requests.iter().find(|q| q.id == id).map(fields);
    let was = fields(&u.before);
    ensure!(
        now.as_ref() == Some(&was),
        None,
        "{} undone, {id} is {now:?}, it was {was:?}",
        step.cmd.name()
    );
    if let Some((plan, requests)) = &u.plan {
        let now = r.last.plan(*plan).map(|p| &p.requests);
        ensure!(
            now == Some(requests),
            Some(*plan),
            "{} undone, {plan} lists {now:?}, it listed {requests:?}",
            step.cmd.name()
        );
    }
    Ok(())
}

// ===== one run =====

/// What a run reached, for the vacuity guards.
#[derive(Debug, Default, Clone)]
struct Stats {
    cases: usize,
    steps: usize,
    ok: usize,
    filed: usize,
    /// Cases (random walks) that filed at least one plan.
    cases_with_filing: usize,
    live: usize,
    live_with_waiver: usize,
    live_with_accepted_defect: usize,
    live_with_accepted_deviation: usize,
    returns_after_approval: usize,
    quorum_of_two: usize,
    rollbacks: usize,
    clock_back: usize,
    periods_over_windows: usize,
    /// Successful commands by audit name.
    commands: BTreeMap<&'static str, usize>,
    /// Refusals by kind.
    refusals: BTreeMap<String, usize>,
    /// Commands whose outcome the model predicted: accepted, refused.
    model_accepted: usize,
    model_refused: usize,
    /// Plans where someone decided and contributed afterwards (allowed: the
    /// rules look at what was done before a decision).
    decided_then_contributed: usize,
    /// Deviations accepted by the one who recorded them (recording one is not a
    /// contribution under the rules).
    deviation_self_accepted: usize,
    /// Edits that erased the analysis of a request already accepted (allowed:
    /// the rule looks at the analysis when the request is accepted).
    analysis_erased_after_acceptance: usize,
    /// Filed plans that had been returned or rescheduled after their notice
    /// (a corrected notice among their publications).
    filed_with_corrected_notice: usize,
    /// Plans live after a reschedule; corrected and cancellation notices.
    live_after_reschedule: usize,
    corrected_notices: usize,
    cancellation_notices: usize,
    /// Known violations met: how many steps, and the first.
    known: BTreeMap<&'static str, (usize, String)>,
    /// Known gaps of the Markdown export met.
    markdown_gaps: BTreeSet<String>,
    /// Justifications of a soft period named / of every period touched.
    override_named: usize,
    override_all: usize,
    /// Undos carried out (of links among them), and undos after someone
    /// else's change (conflicts).
    undone: usize,
    undone_links: usize,
    undo_conflicts: usize,
    /// Requests linked to a submitted plan (before its first approval).
    links_to_submitted: usize,
    /// After go-live: live updates rolled back, go-lives after such a
    /// rollback, plans closed as failed, reviews, post-update feedback linked,
    /// and records on a filed plan (typed addenda).
    rollbacks_after_live: usize,
    second_attempts: usize,
    failed: usize,
    reviews: usize,
    feedback: usize,
    typed_addenda: usize,
    /// Standard changes approved by their template when submitted.
    standard_covered: usize,
    /// Major changes approved by two members.
    major_with_two: usize,
    /// Emergency notices published inside the normal notice period.
    emergency_short_notice: usize,
    templates_approved: usize,
    /// Plans live or filed, by class.
    live_by_class: BTreeMap<ChangeClass, usize>,
}

impl Stats {
    fn add(&mut self, o: &Stats) {
        self.cases += o.cases;
        self.steps += o.steps;
        self.ok += o.ok;
        self.filed += o.filed;
        self.cases_with_filing += o.cases_with_filing;
        self.live += o.live;
        self.live_with_waiver += o.live_with_waiver;
        self.live_with_accepted_defect += o.live_with_accepted_defect;
        self.live_with_accepted_deviation += o.live_with_accepted_deviation;
        self.returns_after_approval += o.returns_after_approval;
        self.quorum_of_two += o.quorum_of_two;
        self.rollbacks += o.rollbacks;
        self.clock_back += o.clock_back;
        self.periods_over_windows += o.periods_over_windows;
        self.override_named += o.override_named;
        self.model_accepted += o.model_accepted;
        self.model_refused += o.model_refused;
        self.decided_then_contributed += o.decided_then_contributed;
        self.filed_with_corrected_notice += o.filed_with_corrected_notice;
        self.live_after_reschedule += o.live_after_reschedule;
        self.corrected_notices += o.corrected_notices;
        self.cancellation_notices += o.cancellation_notices;
        self.deviation_self_accepted += o.deviation_self_accepted;
        self.analysis_erased_after_acceptance += o.analysis_erased_after_acceptance;
        self.override_all += o.override_all;
        self.undone += o.undone;
        self.undone_links += o.undone_links;
        self.undo_conflicts += o.undo_conflicts;
        self.links_to_submitted += o.links_to_submitted;
        self.rollbacks_after_live += o.rollbacks_after_live;
        self.second_attempts += o.second_attempts;
        self.failed += o.failed;
        self.reviews += o.reviews;
        self.feedback += o.feedback;
        self.typed_addenda += o.typed_addenda;
        self.standard_covered += o.standard_covered;
        self.major_with_two += o.major_with_two;
        self.emergency_short_notice += o.emergency_short_notice;
        self.templates_approved += o.templates_approved;
        for (k, v) in &o.live_by_class {
            *self.live_by_class.entry(*k).or_default() += v;
        }
        for (k, v) in &o.commands {
            *self.commands.entry(k).or_default() += v;
        }
        self.markdown_gaps.extend(o.markdown_gaps.iter().cloned());
        for (k, (n, first)) in &o.known {
            let e = self.known.entry(k).or_insert((0, first.clone()));
            e.0 += n;
        }
        for (k, v) in &o.refusals {
            *self.refusals.entry(k.clone()).or_default() += v;
        }
    }
}

/// Every publication of the notice stays as it was published (§3.2; issue 15
/// §6): a step only adds one — a notice adds the first or, once one announced
/// the update, a corrected one that names the window before; cancelling an
/// announced plan adds its cancellation, to the same audience — each by the
/// actor at the step's time, and none of them says anything of the plan's
/// risk register.
fn inv_publications_are_kept(r: &Run, prev: &Snapshot, step: &StepInfo) -> Check {
    use PublicationKind as K;
    for p in &r.last.plans {
        let Some(b) = prev.plan(p.id) else { continue };
        let (old, new) = (b.all_publications(), p.all_publications());
        ensure!(
            new.len() >= old.len() && new[..old.len()] == old[..],
            Some(p.id),
            "a publication of the notice changed or went: {old:?} → {new:?}"
        );
        let last_announcing = old.iter().rev().find(|x| x.kind != K::Cancellation);
        let this = step.ok() && step.plan() == Some(p.id);
        let want: Vec<K> = match step.cmd.name() {
            "plan.notice" if this => vec![if last_announcing.is_some() {
                K::Corrected
            } else {
                K::First
            }],
            "plan.cancel" if this && last_announcing.is_some() => vec![K::Cancellation],
            _ => Vec::new(),
        };
        let added = &new[old.len()..];
        let kinds: Vec<K> = added.iter().map(|x| x.kind).collect();
        ensure!(
            kinds == want,
            Some(p.id),
            "{} added publications {kinds:?}, {want:?} due",
            step.cmd.name()
        );
        for x in added {
            ensure!(
                x.published_by == step.actor.name && x.published_at == step.at,
                Some(p.id),
                "a publication by {} at {}, the step by {} at {}",
                x.published_by,
                x.published_at,
                step.actor.name,
                step.at
            );
            match x.kind {
                K::Corrected => ensure!(
                    x.previous_window == last_announcing.and_then(|l| l.window.clone()),
                    Some(p.id),
                    "the corrected notice names the window before as {:?}",
                    x.previous_window
                ),
                K::Cancellation => ensure!(
                    last_announcing.is_some_and(|l| l.audience == x.audience && l.window == x.window),
                    Some(p.id),
                    "the cancellation goes to {} for {:?}",
                    x.audience,
                    x.window
                ),
                K::First => {}
            }
            for risk in &p.risks {
                for t in [&risk.description, &risk.mitigation] {
                    ensure!(
                        t.trim().is_empty() || !x.text.contains(t.as_str()),
                        Some(p.id),
                        "the {} notice says the risk register's {t:?}",
                        x.kind
                    );
                }
            }
        }
    }
    Ok(())
}

/// The name of an error's kind: the rule's variant, or the error's.
fn refusal_kind(e: &Error) -> String {
    let s = match e {
        Error::Rule(r) => format!("{r:?}"),
        e => format!("{e:?}"),
    };
    s.split([' ', '{', '(']).next().unwrap_or_default().to_string()
}

struct Run {
    w: World,
    rules: beian::config::Process,
    quorum: u32,
    /// Audit events there should be.
    events: usize,
    /// The records after the step before, and after the latest step.
    prev: Option<Snapshot>,
    last: Snapshot,
    /// Each dossier as first seen; the dossiers whose exports were checked.
    frozen: HashMap<Id, Dossier>,
    exported: HashSet<Id>,
    /// Rounds a plan had when a go-live of it was rolled back.
    rounds_at_rollback: HashMap<Id, usize>,
    /// The calendar when each go-live (plan, position) was recorded.
    golive_calendar: HashMap<(Id, usize), Vec<Blackout>>,
    /// How far the clock was set back in all.
    clock_back: Duration,
    /// Items ever seen failed or blocked.
    ever_failed: BTreeSet<(Id, u32)>,
    /// Known gaps of the Markdown export met (see [`KNOWN_MARKDOWN_GAPS`]).
    markdown_gaps: RefCell<BTreeSet<String>>,
    /// A counter for unique texts.
    n: u32,
    periods: u32,
    import_keys: u32,
    stats: Stats,
    log: Vec<String>,
    /// The undo whose inverse is the current step.
    undoing: Option<Undoing>,
}

/// A change class chosen by `n`: mostly normal, then major, emergency, and
/// standard (which a plan without a template may not be).
fn class_by(n: u8) -> ChangeClass {
    match n % 7 {
        0 | 1 => ChangeClass::Major,
        2 | 3 => ChangeClass::Emergency,
        4 => ChangeClass::Standard,
        _ => ChangeClass::Normal,
    }
}

/// An id from `ids` chosen by `n`, or now and then one that does not exist.
fn pick(ids: &[Id], n: u8, kind: IdKind) -> Id {
    let k = n as usize % (ids.len() + 1);
    ids.get(k)
        .copied()
        .unwrap_or_else(|| Id::new(kind, YEAR, ids.len() as u32 + 7))
}

const TESTING: &[PlanStatus] = &[PlanStatus::Implementing, PlanStatus::Testing, PlanStatus::Ready];
const WRITING: &[PlanStatus] = &[PlanStatus::Draft, PlanStatus::Returned];

impl Run {
    fn new(quorum: u32) -> Run {
        let mut w = World::new();
        let mut config = w.svc.config().clone();
        config.process.classes.normal.approvers = quorum;
        // A major change never needs fewer; templates expire within a walk.
        config.process.classes.major.approvers = quorum.max(2);
        config.process.classes.standard.template_months = 1;
        w.svc.set_config(config);
        let rules = w.svc.config().process;
        // What is tested here is the process, not durability (tests/crash.rs):
        // no flush to disk after every command.
        w.svc.raw_store().set_durable(false).expect("store");
        // The fixed start: two systems, three requests, two plans.
        w.ok(
            &admin(),
            Command::SystemAdd {
                name: "一卡通系统".into(),
                department: "后勤处".into(),
                vendor: "新开普".into(),
                version: "5.2".into(),
            },
        );
        w.accepted_request("选课高峰卡顿");
        w.add_request("成绩单导出");
        let r = w.add_request("校园卡补办");
        w.ok(
            &op_b(),
            Command::RequestTriage {
                id: r,
                triage: Triage::Triage,
            },
        );
        w.written_plan(&op_a());
        w.new_plan(&op_approver());
        let last = snapshot(&w);
        let events = last.audit.len();
        Run {
            w,
            rules,
            quorum,
            events,
            prev: None,
            last,
            frozen: HashMap::new(),
            exported: HashSet::new(),
            rounds_at_rollback: HashMap::new(),
            golive_calendar: HashMap::new(),
            ever_failed: BTreeSet::new(),
            clock_back: Duration::zero(),
            markdown_gaps: RefCell::default(),
            n: 0,
            periods: 0,
            import_keys: 0,
            stats: Stats::default(),
            log: Vec::new(),
            undoing: None,
        }
    }

    fn next_n(&mut self) -> u32 {
        self.n += 1;
        self.n
    }

    fn plan_ids(&self) -> Vec<Id> {
        self.last.plans.iter().map(|p| p.id).collect()
    }
    fn request_ids(&self) -> Vec<Id> {
        self.last.requests.iter().map(|r| r.id).collect()
    }
    fn plan(&self, n: u8) -> Id {
        pick(&self.plan_ids(), n, IdKind::Plan)
    }
    /// Mostly a plan in one of `statuses`, so that the step has a chance.
    fn plan_in(&self, n: u8, statuses: &[PlanStatus]) -> Id {
        let fit: Vec<Id> = self
            .last
            .plans
            .iter()
            .filter(|p| statuses.contains(&p.status))
            .map(|p| p.id)
            .collect();
        if fit.is_empty() || n.is_multiple_of(8) {
            self.plan(n)
        } else {
            fit[n as usize % fit.len()]
        }
    }
    /// Mostly a template in one of `statuses`, so that the step has a chance.
    fn template_in(&self, n: u8, statuses: &[TemplateStatus]) -> Id {
        let all: Vec<Id> = self.last.templates.iter().map(|t| t.id).collect();
        let fit: Vec<Id> = self
            .last
            .templates
            .iter()
            .filter(|t| statuses.contains(&t.status))
            .map(|t| t.id)
            .collect();
        if fit.is_empty() || n.is_multiple_of(8) {
            pick(&all, n, IdKind::Template)
        } else {
            fit[n as usize % fit.len()]
        }
    }

    /// Mostly a request in one of `statuses`, so that the step has a chance.
    fn request_in(&self, n: u8, statuses: &[RequestStatus]) -> Id {
        let fit: Vec<Id> = self
            .last
            .requests
            .iter()
            .filter(|q| statuses.contains(&q.status))
            .map(|q| q.id)
            .collect();
        if fit.is_empty() || n.is_multiple_of(8) {
            pick(&self.request_ids(), n, IdKind::Request)
        } else {
            fit[n as usize % fit.len()]
        }
    }
    fn current(&self, id: Id) -> Option<&Plan> {
        self.last.plan(id)
    }
    /// Mostly an order in one of `statuses`, so that the step has a chance.
    fn order_in(&self, n: u8, statuses: &[OrderStatus]) -> Id {
        let all: Vec<Id> = self.last.orders.iter().map(|o| o.id).collect();
        let fit: Vec<Id> = self
            .last
            .orders
            .iter()
            .filter(|o| statuses.contains(&o.status))
            .map(|o| o.id)
            .collect();
        if fit.is_empty() || n.is_multiple_of(8) {
            pick(&all, n, IdKind::Order)
        } else {
            fit[n as usize % fit.len()]
        }
    }
    /// Mostly a report in one of `statuses` (not yet an order when `unordered`).
    fn report_in(&self, n: u8, statuses: &[ReportStatus], unordered: bool) -> Id {
        let all: Vec<Id> = self.last.reports.iter().map(|r| r.id).collect();
        let fit: Vec<Id> = self
            .last
            .reports
            .iter()
            .filter(|r| statuses.contains(&r.status) && !(unordered && r.order.is_some()))
            .map(|r| r.id)
            .collect();
        if fit.is_empty() || n.is_multiple_of(8) {
            pick(&all, n, IdKind::Report)
        } else {
            fit[n as usize % fit.len()]
        }
    }

    /// A full plan text with unique words (so that the export check sees each
    /// field), the window `days` after `now`.
    fn full_changes(&mut self, now: Time, days: i64, migrates: bool) -> Vec<PlanChange> {
        let n = self.next_n();
        let mut c = vec![
            PlanChange::Title(format!("升级计划〔{n}〕")),
            PlanChange::VersionFrom(format!("V{n}.0")),
            PlanChange::VersionTo(format!("V{n}.1")),
            PlanChange::Goals(format!("提升并发〔{n}〕")),
            PlanChange::Content(format!("更换选课模块〔{n}〕")),
            PlanChange::Approach(format!("灰度发布〔{n}〕")),
            PlanChange::Window(Some(window_after(now, days))),
            PlanChange::AddStaff(StaffAssignment {
                person: format!("王工〔{n}〕"),
                role: format!("负责人〔{n}〕"),
                duty: format!("部署〔{n}〕"),
            }),
            PlanChange::AddRisk(Risk {
                description: format!("迁移失败〔{n}〕"),
                likelihood: Level::Low,
                impact: Level::High,
                mitigation: format!("全量备份〔{n}〕"),
            }),
            PlanChange::BackupPlan(format!("备份数据库〔{n}〕")),
            PlanChange::MigratesData(migrates),
            PlanChange::RollbackPlan(format!("恢复备份〔{n}〕")),
        ];
        if migrates {
            c.push(PlanChange::MigrationPlan(format!("脚本迁移〔{n}〕")));
        }
        c
    }

    fn golive(&mut self, time: Time, outcome: GoLiveOutcome) -> GoLive {
        let n = self.next_n();
        GoLive {
            time,
            deployer: format!("部署人〔{n}〕"),
            version: format!("V{n}.1"),
            steps: format!("停服迁移〔{n}〕"),
            config_changes: format!("连接池〔{n}〕"),
            outcome,
            incidents: format!("无事故〔{n}〕"),
            deviation: None,
        }
    }

    fn item(&mut self, plan: Id, retest: Option<u32>) -> Command {
        let n = self.next_n();
        Command::TestItem {
            plan,
            category: TestCategory::ALL[n as usize % TestCategory::ALL.len()],
            description: format!("学生选课〔{n}〕"),
            expected: format!("选课成功〔{n}〕"),
            tester: Tester {
                name: format!("志愿者〔{n}〕"),
                kind: TesterType::ALL[n as usize % TesterType::ALL.len()],
            },
            retest,
        }
    }

    fn round(&mut self, plan: Id, copy_unfinished: bool) -> Command {
        let n = self.next_n();
        Command::TestRound {
            plan,
            copy_unfinished,
            environment: format!("测试环境〔{n}〕"),
        }
    }

    fn result(&mut self, plan: Id, item: u32, result: TestResult) -> Command {
        let n = self.next_n();
        Command::TestResult {
            plan,
            item,
            result,
            notes: Some(format!("备注〔{n}〕")),
        }
    }

    fn reason(&mut self, what: &str, given: bool) -> String {
        if given {
            let n = self.next_n();
            format!("{what}〔{n}〕")
        } else {
            " ".into()
        }
    }

    /// The next step of a plan towards filing, as the process would take it,
    /// with the clock kept as a real update's days pass (`World::keep_time`).
    fn advance(&mut self, plan: u8, pick: u8, variant: u8) -> Option<(Actor, Command)> {
        use PlanStatus as S;
        let open: Vec<Id> = self
            .last
            .plans
            .iter()
            .filter(|p| !matches!(p.status, S::Filed | S::Cancelled | S::Failed))
            .map(|p| p.id)
            .collect();
        let id = if open.is_empty() || plan.is_multiple_of(8) {
            self.plan(plan)
        } else {
            open[plan as usize % open.len()]
        };
        let p = self.current(id)?.clone();
        self.w.keep_time(&p);
        let now = self.w.now();
        let at = now + Duration::minutes(1);
        let all = actors();
        let op = all[WRITERS[pick as usize % WRITERS.len()]].clone();
        let decider = all[DECIDERS[pick as usize % DECIDERS.len()]].clone();
        let side = |k: u8| variant.is_multiple_of(k);
        let calendar = self.last.calendar.clone();
        let cmd = match p.status {
            S::Draft | S::Returned => {
                let stale = p.window.as_ref().is_some_and(|w| w.start <= at + Duration::minutes(1));
                // A period no justification covers: hard, or soft for a major change.
                let hard = p.window.as_ref().is_some_and(|w| {
                    periods_between(&calendar, p.system, day(w.start), day(w.end))
                        .iter()
                        .any(|b| b.hard || !class_of(&p).soft_override)
                });
                if !submit_missing(&p).is_empty() {
                    let mut changes = self.full_changes(now, 10 + (variant % 5) as i64, !side(3));
                    if p.template.is_some() {
                        // A standard change's scope is its template's.
                        changes.retain(|c| !matches!(c, PlanChange::Content(_) | PlanChange::Approach(_)));
                    }
                    if p.class == ChangeClass::Emergency {
                        changes.push(PlanChange::EmergencyReason(self.reason("高危漏洞", true)));
                    }
                    Command::PlanEdit { id, changes }
                } else if stale || hard {
                    Command::PlanEdit {
                        id,
                        changes: vec![PlanChange::Window(Some(window_after(now, 10 + (variant % 7) as i64)))],
                    }
                } else if let Some(b) = p.window.as_ref().and_then(|w| {
                    periods_between(&calendar, p.system, day(w.start), day(w.end))
                        .into_iter()
                        .find(|b| !justified(&p, b))
                }) {
                    let reason = self.reason("安全补丁", true);
                    Command::PlanEdit {
                        id,
                        changes: vec![PlanChange::BlackoutOverride {
                            period: side(2).then(|| b.name.clone()),
                            reason: Some(reason),
                        }],
                    }
                } else if side(5) && p.window.as_ref().is_some_and(|w| w.start > at + Duration::days(1)) {
                    // The admin publishes a soft period over the window first.
                    let w = p.window.clone()?;
                    self.periods += 1;
                    let period = Blackout {
                        name: format!("period {}", self.periods),
                        start: day(w.start),
                        end: day(w.end),
                        hard: false,
                        systems: if side(2) { vec![p.system] } else { Vec::new() },
                    };
                    return Some((admin(), Command::CalendarAdd { period }));
                } else {
                    Command::PlanSubmit { id }
                }
            }
            S::Submitted => {
                if side(16) {
                    let reason = self.reason("补充材料", true);
                    return Some((
                        decider,
                        Command::PlanReturn {
                            id,
                            reason,
                            minutes_ref: "LG-R".into(),
                        },
                    ));
                }
                return Some((
                    decider,
                    Command::PlanApprove {
                        id,
                        comment: format!("同意〔{}〕", self.next_n()),
                        minutes_ref: format!("LG-{}", self.next_n()),
                    },
                ));
            }
            S::Approved | S::NoticePublished => {
                let w = p.window.clone()?;
                let conflict = window_conflict(&p, &calendar).is_some();
                let late = p.status == S::Approved
                    && (w.start - at < Duration::days(self.rules.class(p.class).notice_days as i64) || w.start <= at);
                if conflict || late || side(12) {
                    let reason = self.reason("日程冲突", true);
                    return Some((
                        decider,
                        Command::PlanReturn {
                            id,
                            reason,
                            minutes_ref: "LG-R".into(),
                        },
                    ));
                }
                if p.status == S::Approved {
                    Command::PlanNotice {
                        id,
                        text: None,
                        audience: format!("全校师生〔{}〕", self.next_n()),
                    }
                } else {
                    Command::PlanImplement { id }
                }
            }
            S::Implementing => self.round(id, false),
            S::Testing | S::Ready if side(9) && p.defects.len() < 3 => {
                // A tester finds a serious defect.
                let n = self.next_n();
                Command::DefectAdd {
                    plan: id,
                    severity: if side(2) { Severity::Critical } else { Severity::Major },
                    description: format!("严重缺陷〔{n}〕"),
                    found_by: Tester {
                        name: format!("教师〔{n}〕"),
                        kind: TesterType::DepartmentRep,
                    },
                    item: p.rounds.iter().flat_map(|r| &r.items).map(|i| i.no).next_back(),
                    vendor_ref: Some(format!("VR-{n}")),
                }
            }
            S::Testing | S::Ready => {
                let missing = golive_missing(&p, at, &self.rules);
                match missing.first() {
                    None => {
                        if in_window(&p, at) && side(13) {
                            // Said to happen half an hour from now: refused.
                            let golive = self.golive(at + Duration::minutes(30), GoLiveOutcome::Success);
                            Command::GoLive { plan: id, golive }
                        } else if in_window(&p, at) {
                            let outcome = if side(10) {
                                GoLiveOutcome::RolledBack
                            } else if variant % 10 == 5 {
                                GoLiveOutcome::Partial
                            } else {
                                GoLiveOutcome::Success
                            };
                            let golive = self.golive(at, outcome);
                            Command::GoLive { plan: id, golive }
                        } else {
                            match &p.deviation {
                                Some(d) if d.accepted.is_some() && d.time <= at && !side(7) => {
                                    let golive = self.golive(d.time, GoLiveOutcome::Success);
                                    Command::GoLive { plan: id, golive }
                                }
                                Some(d) if d.accepted.is_none() && !side(5) => {
                                    let reason = self.reason("同意延期上线", true);
                                    return Some((decider, Command::DeviationAccept { plan: id, reason }));
                                }
                                _ => Command::PlanDeviation {
                                    plan: id,
                                    time: at,
                                    reason: self.reason("窗口内未完成", true),
                                },
                            }
                        }
                    }
                    Some(
                        GoLiveMissing::Backup
                        | GoLiveMissing::BackupStale { .. }
                        | GoLiveMissing::BackupBeforeRollback { .. },
                    ) => Command::Backup {
                        plan: id,
                        backup: BackupConfirmation {
                            what: format!("全量备份〔{}〕", self.next_n()),
                            ..backup()
                        },
                    },
                    Some(GoLiveMissing::TestRound) => {
                        if p.latest_round().is_some_and(|r| r.items.is_empty()) && !round_superseded(&p) {
                            self.item(id, None)
                        } else {
                            self.round(id, side(3))
                        }
                    }
                    Some(GoLiveMissing::Items { items, .. }) => {
                        if side(6) {
                            let reason = self.reason("旧版浏览器", true);
                            return Some((
                                decider,
                                Command::TestWaive {
                                    plan: id,
                                    item: items[0],
                                    reason,
                                },
                            ));
                        }
                        let result = if side(7) { TestResult::Fail } else { TestResult::Pass };
                        self.result(id, items[0], result)
                    }
                    Some(GoLiveMissing::Unresolved { items }) => {
                        if side(4) {
                            let reason = self.reason("风险可控", true);
                            return Some((
                                decider,
                                Command::TestWaive {
                                    plan: id,
                                    item: items[0].0,
                                    reason,
                                },
                            ));
                        }
                        self.item(id, Some(items[0].0))
                    }
                    Some(GoLiveMissing::Defects { defects }) => {
                        if side(2) && !side(5) {
                            let reason = self.reason("接受风险", true);
                            return Some((
                                decider,
                                Command::DefectAccept {
                                    plan: id,
                                    defect: defects[0].0,
                                    reason,
                                },
                            ));
                        }
                        // Won't fix, now and then: refused until an approver
                        // accepted the risk.
                        Command::DefectUpdate {
                            plan: id,
                            defect: defects[0].0,
                            status: Some(if side(5) {
                                DefectStatus::WontFix
                            } else {
                                DefectStatus::Verified
                            }),
                            vendor_ref: None,
                        }
                    }
                }
            }
            S::Live => {
                if p.comparison.len() > 1 && side(4) {
                    Command::ComparisonRemove { plan: id, row: 1 }
                } else if p.comparison.is_empty() || side(9) {
                    let n = self.next_n();
                    Command::ComparisonAdd {
                        plan: id,
                        row: ComparisonRow {
                            function: format!("选课〔{n}〕"),
                            before: format!("单线程〔{n}〕"),
                            after: format!("并发〔{n}〕"),
                            change: ChangeType::ALL[n as usize % ChangeType::ALL.len()],
                        },
                    }
                } else if side(5) {
                    self.training(id)
                } else {
                    Command::File { plan: id }
                }
            }
            S::Filed => {
                let dossier = p.dossier?;
                Command::Addendum {
                    dossier,
                    reason: self.reason("补充", true),
                    text: self.reason("补充说明", true),
                }
            }
            S::Cancelled | S::Failed => return None,
        };
        Some((op, cmd))
    }

    fn training(&mut self, plan: Id) -> Command {
        let n = self.next_n();
        Command::Training {
            plan,
            training: Training {
                format: TrainingFormat::ALL[n as usize % TrainingFormat::ALL.len()],
                date: day(self.w.now()),
                trainer: format!("讲师〔{n}〕"),
                departments: vec![format!("教务处〔{n}〕")],
                attendance: 30 + n,
                audience: Vec::new(),
            },
        }
    }

    /// The time a random go-live claims, by `when`: now (or within the clock
    /// skew, or beyond it), inside or after the window, before the approval or
    /// the notice, a day late, the deviation's, or a day in a blackout.
    fn golive_time(&self, p: Option<&Plan>, when: u8, at: Time) -> Time {
        let w = p.and_then(|p| p.window.clone());
        let approved = p.and_then(|p| current_approvals(p).iter().map(|a| a.time).max());
        match when % 10 {
            1 => at + Duration::minutes(3),
            2 => at + Duration::minutes(30),
            3 => w.map_or(at, |w| w.start + Duration::hours(1)),
            4 => w.map_or(at, |w| w.end + Duration::hours(2)),
            5 => approved.map_or(at, |a| a - Duration::minutes(30)),
            // After the approval, a minute earlier, but before the notice.
            6 => p
                .and_then(|p| p.notice.as_ref())
                .map_or(at, |n| n.published_at - Duration::seconds(30)),
            7 => at - Duration::days(1),
            8 => p.and_then(|p| p.deviation.as_ref()).map_or(at, |d| d.time),
            9 => {
                let cal = &self.last.calendar;
                cal.get(when as usize / 10 % cal.len().max(1))
                    .map_or(at, |b| noon(b.start))
            }
            _ => at,
        }
    }

    /// The time a random incident claims, by `when`: a little before now, within
    /// the clock skew or beyond it, before the go-live or at it, a day ago.
    fn incident_time(&self, p: Option<&Plan>, when: u8, at: Time) -> Time {
        let live = p.and_then(|p| p.live_golive()).map(|g| g.time);
        match when % 10 {
            5 => at + Duration::minutes(3),
            6 => at + Duration::minutes(30),
            7 => live.map_or(at, |t| t - Duration::hours(1)),
            8 => live.unwrap_or(at),
            9 => at - Duration::days(1),
            k => at - Duration::minutes(10 * k as i64),
        }
    }

    /// One change of a plan: a title, versions, removing staff or a risk,
    /// clearing the window, migration settings, windows in the past or
    /// reversed, an empty title, dropping every justification, a risk without
    /// mitigation, more staff.
    fn small_edit(&mut self, field: u8) -> PlanChange {
        let now = self.w.now();
        let n = self.next_n();
        match field {
            0 => PlanChange::Title(format!("新标题〔{n}〕")),
            1 => PlanChange::VersionFrom(format!("V{n}.0")),
            2 => PlanChange::RemoveStaff(1),
            3 => PlanChange::RemoveRisk(1),
            4 => PlanChange::Window(None),
            5 => PlanChange::MigratesData(false),
            6 => PlanChange::MigratesData(true),
            7 => PlanChange::MigrationPlan(String::new()),
            8 => PlanChange::Window(Some(window_after(now, -1))),
            9 => {
                let w = window_after(now, 5);
                PlanChange::Window(Some(Window {
                    start: w.end,
                    end: w.start,
                }))
            }
            10 => PlanChange::Title("  ".into()),
            11 => PlanChange::BlackoutOverride {
                period: None,
                reason: None,
            },
            12 => PlanChange::AddRisk(Risk {
                description: format!("风险〔{n}〕"),
                likelihood: Level::Medium,
                impact: Level::Medium,
                mitigation: String::new(),
            }),
            _ => PlanChange::AddStaff(StaffAssignment {
                person: format!("赵工〔{n}〕"),
                role: format!("测试〔{n}〕"),
                duty: format!("验证〔{n}〕"),
            }),
        }
    }

    /// The command a step stands for, who runs it, and the revision it expects.
    fn command(&mut self, step: &Step) -> Option<(Actor, Command, Option<u64>)> {
        let writer = actor_from(WRITERS, step.who);
        let decider = actor_from(DECIDERS, step.who);
        let anyone = actors()[step.who as usize % 8].clone();
        let now = self.w.now();
        // `exec` moves the clock one minute before running the command.
        let at = now + Duration::minutes(1);
        let (who, cmd) = match step.act {
            Act::Advance { plan, pick, variant } => {
                let (who, cmd) = self.advance(plan, pick, variant)?;
                return Some((who, cmd, None));
            }
            Act::NewRequest => {
                let n = self.next_n();
                (writer, new_request(&format!("随机需求〔{n}〕"), Some(self.w.system)))
            }
            Act::Import { items, dry_run, again } => {
                let items = (0..items)
                    .map(|_| {
                        if !again || self.import_keys == 0 {
                            self.import_keys += 1;
                        }
                        let Command::RequestAdd { request } =
                            new_request(&format!("导入需求〔{}〕", self.import_keys), None)
                        else {
                            unreachable!()
                        };
                        ImportItem {
                            request: NewRequest {
                                channel: Channel::Email,
                                ..request
                            },
                            source: None,
                            key: format!("row:{}", self.import_keys),
                            reply_to: None,
                            references: Vec::new(),
                            label: format!("line {}", self.import_keys),
                            files: Vec::new(),
                        }
                    })
                    .collect();
                (writer, Command::RequestImport { items, dry_run })
            }
            Act::RequestEdit { req, how } => {
                let id = pick(&self.request_ids(), req, IdKind::Request);
                let n = self.next_n();
                let edit = match how {
                    0 => RequestEdit {
                        necessity: Some(format!("影响全校〔{n}〕")),
                        feasibility: Some(format!("厂商有补丁〔{n}〕")),
                        ..Default::default()
                    },
                    1 => RequestEdit {
                        necessity: Some(format!("影响全校〔{n}〕")),
                        ..Default::default()
                    },
                    2 => RequestEdit {
                        necessity: Some(" ".into()),
                        feasibility: Some(String::new()),
                        ..Default::default()
                    },
                    3 => RequestEdit {
                        title: Some(format!("改题〔{n}〕")),
                        priority: Some(Priority::High),
                        tags: Some(vec!["选课".into(), format!("标签{n}")]),
                        ..Default::default()
                    },
                    4 => RequestEdit {
                        system: Some(pick(&[sys_id(1), sys_id(2)], req, IdKind::System)),
                        ..Default::default()
                    },
                    _ => RequestEdit {
                        body: Some(format!("补充描述〔{n}〕")),
                        department: Some("教务处".into()),
                        feasibility: Some(format!("可行〔{n}〕")),
                        ..Default::default()
                    },
                };
                (writer, Command::RequestEdit { id, edit })
            }
            Act::Comment { req } => (
                anyone,
                Command::RequestComment {
                    id: pick(&self.request_ids(), req, IdKind::Request),
                    text: self.reason("意见", req % 5 != 0),
                },
            ),
            Act::Triage { req, how, other } => {
                let ids = self.request_ids();
                let id = pick(&ids, req, IdKind::Request);
                let triage = match how {
                    0 => Triage::Triage,
                    1 => Triage::Accept { outcome: None },
                    2 => Triage::Accept {
                        outcome: Some("研讨同意".into()),
                    },
                    3 => Triage::Reject {
                        reason: "不可行".into(),
                    },
                    4 => Triage::Reject { reason: " ".into() },
                    5 => Triage::Duplicate {
                        of: pick(&ids, other, IdKind::Request),
                    },
                    _ => Triage::JointReview,
                };
                (writer, Command::RequestTriage { id, triage })
            }
            Act::Link { req, plan } => (
                writer,
                Command::RequestLink {
                    id: pick(&self.request_ids(), req, IdKind::Request),
                    plan: self.plan_in(plan, WRITING),
                },
            ),
            Act::NewPlan { system } => (
                writer,
                Command::PlanNew {
                    system: pick(&[sys_id(1), sys_id(2)], system, IdKind::System),
                    title: format!("随机计划〔{}〕", self.next_n()),
                    version_from: None,
                    version_to: "next".into(),
                    class: Default::default(),
                    template: None,
                },
            ),
            Act::Edit {
                plan,
                days,
                drop,
                migrates,
            } => {
                let mut changes = self.full_changes(now, days, migrates);
                if (drop as usize) < changes.len() {
                    changes.remove(drop as usize);
                }
                (
                    writer,
                    Command::PlanEdit {
                        id: self.plan_in(plan, WRITING),
                        changes,
                    },
                )
            }
            Act::SmallEdit { plan, field } => {
                let change = self.small_edit(field);
                (
                    writer,
                    Command::PlanEdit {
                        id: self.plan_in(plan, WRITING),
                        changes: vec![change],
                    },
                )
            }
            Act::Override { plan, period, clear } => {
                let id = self.plan_in(plan, WRITING);
                let cal = &self.last.calendar;
                // Mostly a period over the plan's window.
                let over: Vec<&Blackout> = self
                    .current(id)
                    .and_then(|p| p.window.as_ref().map(|w| (p, w)))
                    .map(|(p, w)| periods_between(cal, p.system, day(w.start), day(w.end)))
                    .unwrap_or_default();
                let period = match period {
                    0 => None,
                    1 | 2 if !over.is_empty() => Some(over[plan as usize % over.len()].name.clone()),
                    3 if !cal.is_empty() => Some(cal[plan as usize % cal.len()].name.clone()),
                    _ => Some("没有这个时段".to_string()),
                };
                let reason = (!clear).then(|| format!("紧急安全补丁〔{}〕", self.next_n()));
                (
                    writer,
                    Command::PlanEdit {
                        id,
                        changes: vec![PlanChange::BlackoutOverride { period, reason }],
                    },
                )
            }
            Act::Submit { plan } => (
                writer,
                Command::PlanSubmit {
                    id: self.plan_in(plan, WRITING),
                },
            ),
            Act::Approve { plan } => (
                decider,
                Command::PlanApprove {
                    id: self.plan_in(plan, &[PlanStatus::Submitted]),
                    comment: String::new(),
                    minutes_ref: "LG".into(),
                },
            ),
            Act::Return { plan, reason } => (
                decider,
                Command::PlanReturn {
                    id: self.plan_in(
                        plan,
                        &[PlanStatus::Submitted, PlanStatus::Approved, PlanStatus::NoticePublished],
                    ),
                    reason: self.reason("再议", reason),
                    minutes_ref: "LG".into(),
                },
            ),
            Act::Reschedule {
                plan,
                days,
                reason,
                justify,
            } => {
                let id = self.plan_in(plan, &[PlanStatus::Approved, PlanStatus::NoticePublished]);
                let n = self.next_n();
                // Now and then exactly the window the plan has.
                let window = match self.current(id).and_then(|p| p.window.clone()) {
                    Some(w) if n.is_multiple_of(11) => w,
                    _ => window_after(at, days),
                };
                let reason = self.reason("改期", reason);
                let justification = justify.then(|| self.reason("安全补丁不能再等", true));
                (
                    writer,
                    Command::PlanReschedule {
                        id,
                        window,
                        reason,
                        justification,
                    },
                )
            }
            Act::NoticeDraft { plan, how } => {
                let id = self.plan_in(
                    plan,
                    &[
                        PlanStatus::Approved,
                        PlanStatus::Submitted,
                        PlanStatus::Draft,
                        PlanStatus::Returned,
                    ],
                );
                let n = self.next_n();
                let changes = match how {
                    0 | 1 => vec![NoticeChange::Text {
                        text: Some(format!("预告草稿〔{n}〕")),
                    }],
                    2 => vec![NoticeChange::Text { text: None }],
                    3 => vec![NoticeChange::Field {
                        field: NoticeField::Impact,
                        value: format!("暂停服务〔{n}〕"),
                    }],
                    _ => vec![
                        NoticeChange::Language {
                            language: NoticeLanguage::ALL[n as usize % 2],
                        },
                        NoticeChange::Text { text: Some(" ".into()) },
                    ],
                };
                (writer, Command::PlanNoticeDraft { id, changes })
            }
            Act::Milestone { plan, how, when } => {
                let id = self.plan_in(plan, &[PlanStatus::Ready, PlanStatus::Approved, PlanStatus::Testing]);
                let w = self.current(id).and_then(|p| p.window.clone());
                let hours = Duration::hours((when % 16) as i64);
                let changes = match how {
                    0 => vec![Milestone::TestStart(Some(at + hours))],
                    1 => vec![Milestone::GoLive(Some(match &w {
                        Some(w) if when % 4 != 0 => w.start.max(at) + Duration::minutes(when as i64),
                        _ => at + hours,
                    }))],
                    _ => vec![Milestone::AddTraining(PlannedTraining {
                        date: day(at + Duration::days((when % 20) as i64 - 2)),
                        format: TrainingFormat::ALL[when as usize % TrainingFormat::ALL.len()],
                        place: format!("报告厅〔{}〕", self.next_n()),
                        audience: "教学秘书".into(),
                    })],
                };
                (writer, Command::PlanMilestone { id, changes })
            }
            Act::Notice { plan, text } => (
                writer,
                Command::PlanNotice {
                    id: self.plan_in(plan, &[PlanStatus::Approved]),
                    text: text.then(|| format!("更新预告〔{}〕", self.n)),
                    audience: "全校师生".into(),
                },
            ),
            Act::Implement { plan } => (
                writer,
                Command::PlanImplement {
                    id: self.plan_in(plan, &[PlanStatus::NoticePublished]),
                },
            ),
            Act::Cancel { plan, reason } => (
                actor_from(&[0, 1, 2, 7], step.who),
                Command::PlanCancel {
                    id: self.plan(plan),
                    reason: self.reason("取消", reason),
                },
            ),
            Act::Round { plan, copy, env } => {
                let id = self.plan_in(plan, TESTING);
                let mut cmd = self.round(id, copy);
                if let (Command::TestRound { environment, .. }, false) = (&mut cmd, env) {
                    environment.clear();
                }
                (writer, cmd)
            }
            Act::Item { plan, retest } => {
                let id = self.plan_in(plan, TESTING);
                (writer, self.item(id, (retest > 0).then_some(retest as u32)))
            }
            Act::Result { plan, item, result } => {
                let result = TestResult::ALL[result as usize % TestResult::ALL.len()];
                let id = self.plan_in(plan, TESTING);
                (writer, self.result(id, item as u32, result))
            }
            Act::Waive { plan, item, reason } => (
                decider,
                Command::TestWaive {
                    plan: self.plan_in(plan, TESTING),
                    item: item as u32,
                    reason: self.reason("豁免", reason),
                },
            ),
            Act::Defect { plan, severity, item } => {
                let n = self.next_n();
                (
                    writer,
                    Command::DefectAdd {
                        plan: self.plan_in(plan, TESTING),
                        severity: Severity::ALL[severity as usize % Severity::ALL.len()],
                        description: format!("缺陷〔{n}〕"),
                        found_by: Tester {
                            name: format!("发现人〔{n}〕"),
                            kind: TesterType::DepartmentRep,
                        },
                        item: (item > 0).then_some(item as u32),
                        vendor_ref: n.is_multiple_of(2).then(|| format!("VR-{n}")),
                    },
                )
            }
            Act::DefectStatus { plan, no, status } => (
                writer,
                Command::DefectUpdate {
                    plan: self.plan_in(plan, TESTING),
                    defect: no as u32,
                    status: Some(DefectStatus::ALL[status as usize % DefectStatus::ALL.len()]),
                    vendor_ref: None,
                },
            ),
            Act::DefectAccept { plan, no, reason } => (
                decider,
                Command::DefectAccept {
                    plan: self.plan_in(plan, TESTING),
                    defect: no as u32,
                    reason: self.reason("接受风险", reason),
                },
            ),
            Act::Backup { plan } => (
                writer,
                Command::Backup {
                    plan: self.plan_in(plan, TESTING),
                    backup: backup(),
                },
            ),
            Act::GoLive { plan, outcome, when } => {
                let id = self.plan_in(plan, &[PlanStatus::Ready]);
                let time = self.golive_time(self.current(id), when, at);
                let outcome = GoLiveOutcome::ALL[outcome as usize % GoLiveOutcome::ALL.len()];
                let golive = self.golive(time, outcome);
                (writer, Command::GoLive { plan: id, golive })
            }
            Act::Deviation { plan, when } => {
                let id = self.plan_in(plan, &[PlanStatus::Ready, PlanStatus::Testing]);
                let p = self.current(id);
                let w = p.and_then(|p| p.window.clone());
                let time = match when % 6 {
                    1 => w.map_or(at, |w| w.end + Duration::hours(1)),
                    2 => w.map_or(at, |w| w.start - Duration::days(1)),
                    3 => w.map_or(at, |w| w.start + Duration::hours(1)),
                    4 => self.golive_time(p, 9 + 10 * (when / 60), at),
                    5 => at + Duration::hours(2),
                    _ => at,
                };
                (
                    writer,
                    Command::PlanDeviation {
                        plan: id,
                        time,
                        reason: self.reason("延期", when % 7 != 0),
                    },
                )
            }
            Act::DeviationAccept { plan, reason } => (
                decider,
                Command::DeviationAccept {
                    plan: self.plan_in(plan, &[PlanStatus::Ready, PlanStatus::Testing]),
                    reason: self.reason("同意偏差", reason),
                },
            ),
            Act::Training { plan } => {
                let id = self.plan_in(plan, &[PlanStatus::Live, PlanStatus::Ready, PlanStatus::Filed]);
                (writer, self.training(id))
            }
            Act::Comparison { plan, remove } => {
                let plan = self.plan_in(plan, &[PlanStatus::Live, PlanStatus::Testing]);
                if remove {
                    (writer, Command::ComparisonRemove { plan, row: 1 })
                } else {
                    let n = self.next_n();
                    (
                        writer,
                        Command::ComparisonAdd {
                            plan,
                            row: ComparisonRow {
                                function: format!("查询〔{n}〕"),
                                before: String::new(),
                                after: format!("更快〔{n}〕"),
                                change: ChangeType::Added,
                            },
                        },
                    )
                }
            }
            Act::File { plan } => (
                writer,
                Command::File {
                    plan: self.plan_in(plan, &[PlanStatus::Live, PlanStatus::Ready]),
                },
            ),
            Act::Addendum { dossier, reason } => {
                let ids: Vec<Id> = self.last.dossiers.iter().map(|d| d.dossier.id).collect();
                (
                    actor_from(&[0, 1, 5, 7], step.who),
                    Command::Addendum {
                        dossier: pick(&ids, dossier, IdKind::Dossier),
                        reason: self.reason("更正", reason),
                        text: "更正说明".into(),
                    },
                )
            }
            Act::Calendar {
                days,
                len,
                hard,
                systems,
                over,
            } => {
                // Now and then over the window of a plan already approved.
                let committed: Vec<&Window> = self
                    .last
                    .plans
                    .iter()
                    .filter(|p| !is_live(p) && over.is_multiple_of(4) == PAST_APPROVAL.contains(&p.status))
                    .filter_map(|p| p.window.as_ref())
                    .collect();
                let start = if committed.is_empty() || !over.is_multiple_of(2) {
                    day(now + Duration::days(days))
                } else {
                    day(committed[over as usize % committed.len()].start)
                };
                let name = if systems == 7 && self.periods > 0 {
                    "period 1".to_string()
                } else {
                    self.periods += 1;
                    format!("period {}", self.periods)
                };
                let systems = match systems {
                    1 | 4 => vec![sys_id(1)],
                    2 => vec![sys_id(2)],
                    3 => vec![sys_id(1), sys_id(2)],
                    5 => vec![sys_id(9)],
                    _ => Vec::new(),
                };
                let period = Blackout {
                    name,
                    start,
                    end: start + Duration::days(len as i64),
                    hard,
                    systems,
                };
                (actor_from(&[7, 7, 7, 0], step.who), Command::CalendarAdd { period })
            }
            Act::CalendarRemove { n } => {
                let cal = &self.last.calendar;
                let name = cal
                    .get(n as usize % (cal.len() + 1))
                    .map_or_else(|| "没有这个时段".to_string(), |b| b.name.clone());
                (actor_from(&[7, 7, 7, 0], step.who), Command::CalendarRemove { name })
            }
            Act::CalendarReplace { drop } => {
                let mut periods = self.last.calendar.clone();
                if !periods.is_empty() {
                    let k = drop as usize % periods.len();
                    if drop % 5 == 0 {
                        // Two periods of one name: refused.
                        let twin = periods[k].clone();
                        periods.push(twin);
                    } else {
                        periods.remove(k);
                    }
                }
                (
                    actor_from(&[7, 7, 7, 0], step.who),
                    Command::CalendarReplace { periods },
                )
            }
            Act::Order { plan, past } => (
                actor_from(&[5, 5, 5, 0], step.who),
                Command::OrderIssue {
                    target: OrderTarget::Plan(self.plan(plan)),
                    finding: "整改".into(),
                    required_action: "补材料".into(),
                    deadline: day(at) + Duration::days(if past { -2 } else { 14 }),
                },
            ),
            Act::Report => (
                anyone,
                Command::ReportSubmit {
                    content: "举报内容".into(),
                    contact: None,
                },
            ),
            Act::OrderStep {
                order,
                how,
                days,
                reason,
            } => {
                use OrderStatus as O;
                let from: &[O] = match how {
                    0 => &[O::Open],
                    1 => &[O::Open, O::Responded],
                    2 | 3 => &[O::Responded],
                    _ => &[O::Closed],
                };
                let id = self.order_in(order, from);
                // Fixed texts: the counter of unique texts is the other acts'.
                let reason = if reason { "理由".to_string() } else { " ".into() };
                // Mostly the department answers and a supervisor decides; now and then anyone.
                let (pool, cmd): (&[usize], Command) = match how {
                    0 => (
                        WRITERS,
                        Command::OrderRespond {
                            id,
                            response: "已整改".into(),
                        },
                    ),
                    1 => {
                        let deadline = self.last.order(id).map_or(day(at), |o| o.deadline);
                        // From today, or from the deadline in force: some into the past,
                        // some not later than the deadline.
                        let base = if days % 2 == 0 { day(at) } else { deadline };
                        let deadline = base + Duration::days(days as i64);
                        (&[5, 5, 5, 0], Command::OrderExtend { id, deadline, reason })
                    }
                    2 => (&[5, 5, 5, 0], Command::OrderSendBack { id, reason }),
                    3 => (&[5, 5, 5, 0], Command::OrderClose { id }),
                    4 => (&[5, 5, 5, 0], Command::OrderReopen { id, reason }),
                    _ => (
                        &[5, 5, 5, 0],
                        Command::OrderIssue {
                            target: OrderTarget::Plan(self.plan(order)),
                            finding: "整改".into(),
                            required_action: "补材料".into(),
                            deadline: day(at) + Duration::days(days as i64),
                        },
                    ),
                };
                (actor_from(pool, step.who), cmd)
            }
            Act::ReportStep {
                report,
                how,
                plan,
                target,
            } => {
                use ReportStatus as R;
                if how >= 4 {
                    let cmd = Command::ReportSubmit {
                        content: "举报内容".into(),
                        contact: None,
                    };
                    return Some((anyone, cmd, None));
                }
                let id = match how {
                    0 | 1 => self.report_in(report, &[R::Received, R::Investigating], false),
                    2 => self.report_in(report, &[R::Investigating], true),
                    _ => self.report_in(report, &[R::Investigating], false),
                };
                let cmd = match how {
                    0 => Command::ReportInvestigate {
                        id,
                        notes: "调查".into(),
                    },
                    1 => Command::ReportLink {
                        id,
                        plan: self.plan(plan),
                    },
                    2 => Command::ReportToOrder {
                        id,
                        target: match target {
                            0 => None,
                            1 => Some(OrderTarget::Plan(self.plan(plan))),
                            _ => Some(OrderTarget::Department("教务处".into())),
                        },
                        finding: None,
                        required_action: "说明情况".into(),
                        deadline: day(at) + Duration::days(7),
                    },
                    _ => Command::ReportReply {
                        id,
                        reply: "答复".into(),
                    },
                };
                (actor_from(&[5, 5, 5, 0], step.who), cmd)
            }
            Act::Stale { plan } => {
                let id = self.plan(plan);
                let rev = self.current(id).map_or(1, |p| p.meta.rev);
                let stale = if rev > 1 { rev - 1 } else { rev + 1 };
                return Some((
                    writer,
                    Command::PlanEdit {
                        id,
                        changes: vec![PlanChange::Goals("基于旧版本的修改".into())],
                    },
                    Some(stale),
                ));
            }
            Act::Reopen { req, reason } => {
                use RequestStatus as R;
                // Planned ones too: they are unlinked first.
                let id = self.request_in(
                    req,
                    &[
                        R::Triaged,
                        R::Accepted,
                        R::Rejected,
                        R::Duplicate,
                        R::JointReview,
                        R::Planned,
                    ],
                );
                let reason = self.reason("重新评估", reason);
                (writer, Command::RequestReopen { id, reason })
            }
            Act::Unlink { req, reason } => {
                let id = self.request_in(req, &[RequestStatus::Planned]);
                let reason = self.reason("移出计划", reason);
                (writer, Command::RequestUnlink { id, reason })
            }
            Act::LinkSubmitted { req, plan } => (
                writer,
                Command::RequestLink {
                    id: self.request_in(req, &[RequestStatus::Accepted]),
                    plan: self.plan_in(plan, &[PlanStatus::Submitted]),
                },
            ),
            Act::JointNew {
                reqs,
                n,
                one_department,
            } => {
                use RequestStatus as R;
                let mut requests: Vec<Id> = reqs[..n as usize]
                    .iter()
                    .map(|q| self.request_in(*q, &[R::New, R::Triaged, R::JointReview]))
                    .collect();
                requests.dedup();
                let departments = if one_department {
                    vec!["教务处".to_string()]
                } else {
                    vec!["教务处".to_string(), "学生工作部".to_string()]
                };
                let n = self.next_n();
                (
                    writer,
                    Command::JointReviewNew {
                        topic: format!("专题研讨〔{n}〕"),
                        requests,
                        departments,
                        date: day(now),
                    },
                )
            }
            Act::JointDecide { review, reject, reason } => {
                let open: Vec<&JointMeeting> = self
                    .last
                    .joint_reviews
                    .iter()
                    .filter(|m| m.position.is_none())
                    .collect();
                let m = if open.is_empty() || review.is_multiple_of(8) {
                    let all: Vec<Id> = self.last.joint_reviews.iter().map(|m| m.id).collect();
                    pick(&all, review, IdKind::JointReview)
                } else {
                    open[review as usize % open.len()].id
                };
                let covered = self
                    .last
                    .joint_reviews
                    .iter()
                    .find(|x| x.id == m)
                    .map(|x| x.requests.clone())
                    .unwrap_or_default();
                let reject = match reject {
                    0 => Vec::new(),
                    k => covered
                        .get(k as usize % covered.len().max(1))
                        .copied()
                        .into_iter()
                        .collect(),
                };
                let position = self.reason("研讨结论", reason);
                (
                    writer,
                    Command::JointReviewDecide {
                        id: m,
                        position,
                        minutes_ref: String::new(),
                        reject,
                    },
                )
            }
            Act::Incident { plan, rollback, when } => {
                let id = self.plan_in(plan, &[PlanStatus::Live, PlanStatus::Filed]);
                let time = self.incident_time(self.current(id), when, at);
                let n = self.next_n();
                (
                    writer,
                    Command::PlanIncident {
                        plan: id,
                        outcome: if rollback {
                            IncidentOutcome::RolledBack
                        } else {
                            IncidentOutcome::Incident
                        },
                        time,
                        by: format!("值班工程师〔{n}〕"),
                        what: self.reason("服务中断", !when.is_multiple_of(11)),
                    },
                )
            }
            Act::Fail { plan, reason } => {
                let id = self.plan_in(plan, &[PlanStatus::Live, PlanStatus::Testing, PlanStatus::Ready]);
                (
                    actor_from(&[1, 2, 5, 6], step.who),
                    Command::PlanFail {
                        plan: id,
                        reason: self.reason("放弃本次更新", reason),
                    },
                )
            }
            Act::Review { plan, how } => {
                let id = self.plan_in(plan, &[PlanStatus::Live, PlanStatus::Filed]);
                let count = self.current(id).map_or(1, |p| goal_lines(&p.goals).len()) as u32;
                let n = self.next_n();
                let mut goals: Vec<GoalInput> = (1..=count)
                    .map(|no| GoalInput {
                        no,
                        verdict: GoalVerdict::ALL[(no + n) as usize % GoalVerdict::ALL.len()],
                        note: format!("说明〔{n}〕"),
                    })
                    .collect();
                match how {
                    3 => {
                        goals.pop();
                    }
                    4 => goals.extend(goals.first().cloned()),
                    _ => {}
                }
                let summary = self.reason("评估总结", how != 5);
                (
                    writer,
                    Command::PlanReview {
                        plan: id,
                        goals,
                        summary,
                    },
                )
            }
            Act::Feedback { req, plan } => (
                writer,
                Command::RequestFeedback {
                    id: pick(&self.request_ids(), req, IdKind::Request),
                    plan: self.plan_in(plan, &[PlanStatus::Live, PlanStatus::Filed]),
                },
            ),
            Act::Do {
                ref actor,
                ref cmd,
                rev,
            } => return Some((actor.clone(), (**cmd).clone(), rev)),
            Act::ClassPlan { system, class } => (
                writer,
                Command::PlanNew {
                    system: pick(&[sys_id(1), sys_id(2)], system, IdKind::System),
                    title: format!("分类计划〔{}〕", self.next_n()),
                    version_from: None,
                    version_to: "next".into(),
                    class: class_by(class),
                    template: None,
                },
            ),
            Act::SetClass { plan, class } => {
                // Now and then a standard change, whose class stays.
                let standard: Vec<Id> = self
                    .last
                    .plans
                    .iter()
                    .filter(|p| p.template.is_some() && WRITING.contains(&p.status))
                    .map(|p| p.id)
                    .collect();
                let id = if plan % 2 == 0 && !standard.is_empty() {
                    standard[plan as usize / 2 % standard.len()]
                } else {
                    self.plan_in(plan, WRITING)
                };
                (
                    writer,
                    Command::PlanEdit {
                        id,
                        changes: vec![PlanChange::Class(class_by(class))],
                    },
                )
            }
            Act::EmergencyReason { plan, clear } => {
                let reason = if clear { " ".into() } else { self.reason("紧急", true) };
                (
                    writer,
                    Command::PlanEdit {
                        id: self.plan_in(plan, WRITING),
                        changes: vec![PlanChange::EmergencyReason(reason)],
                    },
                )
            }
            Act::TemplateNew { system, items } => {
                let n = self.next_n();
                let items = if items {
                    vec![TemplateItem {
                        category: TestCategory::Functional,
                        description: format!("模板测试项〔{n}〕"),
                        expected: format!("通过〔{n}〕"),
                    }]
                } else {
                    Vec::new()
                };
                (
                    writer,
                    Command::TemplateNew {
                        system: pick(&[sys_id(1), sys_id(2)], system, IdKind::System),
                        title: format!("模板〔{n}〕"),
                        content: format!("例行补丁〔{n}〕"),
                        approach: format!("停机补丁〔{n}〕"),
                        items,
                    },
                )
            }
            Act::TemplateStep { template, step } => {
                use TemplateStatus as T;
                // Edits 3, items 3, submit 3, approve 6, return 1 in 16.
                let k = step % 16;
                let id = if k <= 8 {
                    self.template_in(template, &[T::Draft, T::Returned])
                } else {
                    self.template_in(template, &[T::Submitted])
                };
                let n = self.next_n();
                match k {
                    0..=2 => (
                        writer,
                        Command::TemplateEdit {
                            id,
                            changes: vec![TemplateChange::Approach(format!("新步骤〔{n}〕"))],
                        },
                    ),
                    3 | 4 => (
                        writer,
                        Command::TemplateEdit {
                            id,
                            changes: vec![TemplateChange::AddItem(TemplateItem {
                                category: TestCategory::Security,
                                description: format!("补充测试项〔{n}〕"),
                                expected: String::new(),
                            })],
                        },
                    ),
                    5 => (
                        writer,
                        Command::TemplateEdit {
                            id,
                            changes: vec![TemplateChange::RemoveItem(1)],
                        },
                    ),
                    6..=8 => (writer, Command::TemplateSubmit { id }),
                    15 => (
                        decider,
                        Command::TemplateReturn {
                            id,
                            reason: self.reason("补充测试项", step < 128),
                            minutes_ref: "LG-T".into(),
                        },
                    ),
                    _ => (
                        decider,
                        Command::TemplateApprove {
                            id,
                            comment: String::new(),
                            minutes_ref: format!("LG-T{n}"),
                        },
                    ),
                }
            }
            Act::Instance { template, system } => {
                let id = self.template_in(template, &[TemplateStatus::Approved]);
                // Mostly its own system; now and then the other one (refused).
                let own = self.last.template(id).map(|t| t.system);
                let system = match own {
                    Some(s) if system > 1 => s,
                    _ => pick(&[sys_id(1), sys_id(2)], system, IdKind::System),
                };
                (
                    writer,
                    Command::PlanNew {
                        system,
                        title: format!("标准变更〔{}〕", self.next_n()),
                        version_from: None,
                        version_to: "next".into(),
                        class: ChangeClass::Standard,
                        template: Some(id),
                    },
                )
            }
            Act::ScopeEdit { plan, same } => {
                let standard: Vec<Id> = self
                    .last
                    .plans
                    .iter()
                    .filter(|p| p.template.is_some() && WRITING.contains(&p.status))
                    .map(|p| p.id)
                    .collect();
                let id = if standard.is_empty() {
                    self.plan(plan)
                } else {
                    standard[plan as usize % standard.len()]
                };
                let content = match self.current(id) {
                    Some(p) if same => p.content.clone(),
                    _ => format!("扩大范围〔{}〕", self.next_n()),
                };
                (
                    writer,
                    Command::PlanEdit {
                        id,
                        changes: vec![PlanChange::Content(content)],
                    },
                )
            }
            Act::AdvanceTemplate { template, pick } => {
                use TemplateStatus as T;
                let id = self.template_in(template, &[T::Draft, T::Returned, T::Submitted, T::Approved]);
                let decider = actors()[DECIDERS[pick as usize % DECIDERS.len()]].clone();
                let t = self.last.template(id).cloned()?;
                let n = self.next_n();
                match t.status {
                    // Now and then submitted without an item (refused).
                    T::Draft | T::Returned if t.items.is_empty() && pick % 5 != 0 => (
                        writer,
                        Command::TemplateEdit {
                            id,
                            changes: vec![TemplateChange::AddItem(TemplateItem {
                                category: TestCategory::Functional,
                                description: format!("模板测试项〔{n}〕"),
                                expected: format!("通过〔{n}〕"),
                            })],
                        },
                    ),
                    T::Draft | T::Returned => (writer, Command::TemplateSubmit { id }),
                    T::Submitted => (
                        decider,
                        Command::TemplateApprove {
                            id,
                            comment: String::new(),
                            minutes_ref: format!("LG-T{n}"),
                        },
                    ),
                    T::Approved => (
                        writer,
                        Command::PlanNew {
                            system: t.system,
                            title: format!("标准变更〔{n}〕"),
                            version_from: None,
                            version_to: "next".into(),
                            class: ChangeClass::Standard,
                            template: Some(id),
                        },
                    ),
                }
            }
            Act::SoftOver { plan } => {
                let major: Vec<&Plan> = self
                    .last
                    .plans
                    .iter()
                    .filter(|p| p.class == ChangeClass::Major && p.window.is_some() && !is_live(p))
                    .filter(|p| p.status != PlanStatus::Cancelled)
                    .collect();
                let p = major.get(plan as usize % major.len().max(1))?;
                let w = p.window.clone()?;
                self.periods += 1;
                (
                    admin(),
                    Command::CalendarAdd {
                        period: Blackout {
                            name: format!("period {}", self.periods),
                            start: day(w.start),
                            end: day(w.end),
                            hard: false,
                            systems: Vec::new(),
                        },
                    },
                )
            }
            Act::ShortWindow { plan, hours } => {
                let emergency: Vec<Id> = self
                    .last
                    .plans
                    .iter()
                    .filter(|p| p.class == ChangeClass::Emergency && WRITING.contains(&p.status))
                    .map(|p| p.id)
                    .collect();
                let id = if emergency.is_empty() || plan.is_multiple_of(8) {
                    self.plan_in(plan, WRITING)
                } else {
                    emergency[plan as usize % emergency.len()]
                };
                let start = now + Duration::hours(18 + (hours % 48) as i64);
                (
                    writer,
                    Command::PlanEdit {
                        id,
                        changes: vec![PlanChange::Window(Some(Window {
                            start,
                            end: start + Duration::hours(4),
                        }))],
                    },
                )
            }
            Act::ReadReports | Act::Wait { .. } | Act::Back { .. } | Act::Undo { .. } => return None,
        };
        Some((who, cmd, None))
    }

    fn step(&mut self, step: &Step) -> Result<(), String> {
        match step.act {
            Act::Wait { minutes } => {
                self.w.wait(Duration::minutes(minutes as i64));
                self.log.push(format!("wait {minutes} min → {}", self.w.now()));
                return Ok(());
            }
            Act::Back { hours } => {
                self.w.wait(-Duration::hours(hours as i64));
                self.clock_back += Duration::hours(hours as i64);
                self.stats.clock_back += 1;
                self.log.push(format!("clock back {hours} h → {}", self.w.now()));
                return Ok(());
            }
            Act::ReadReports => return self.read_reports(step),
            Act::Undo { .. } => return self.undo(step),
            _ => {}
        }
        let Some((actor, cmd, rev)) = self.command(step) else {
            return Ok(());
        };
        let line = format!("{} {:?} rev {:?}", actor.name, cmd, rev);
        let result = self.w.exec_rev(&actor, cmd.clone(), rev);
        let at = self.w.now();
        // Supervision steps, interleaved into the walks, leave the clock where
        // they found it: the other acts meet the times they met before.
        if matches!(step.act, Act::OrderStep { .. } | Act::ReportStep { .. }) {
            self.w.set_now(at - Duration::minutes(1));
        }
        self.log.push(match &result {
            Ok(o) => format!("{line}\n    -> ok at {at}: {} {}", o.entity, o.summary),
            Err(e) => format!("{line}\n    -> at {at}: {}", e.message()),
        });
        let info = StepInfo { actor, cmd, at, result };
        let next = snapshot(&self.w);
        let prev = std::mem::replace(&mut self.last, next);
        self.observe(&prev, &info)?;
        for (name, inv) in STEP_INVARIANTS {
            if let Err(v) = inv(self, &prev, &info) {
                self.violated(name, v)?;
            }
        }
        self.prev = Some(prev);
        self.check()
    }

    /// A failed invariant: the case fails, unless it is a known violation.
    fn violated(&mut self, name: &'static str, v: Violation) -> Result<(), String> {
        let message = self.failure(name, v);
        if KNOWN_VIOLATIONS.contains(&name) && !strict(name) {
            let e = self.stats.known.entry(name).or_insert((0, message));
            e.0 += 1;
            return Ok(());
        }
        Err(message)
    }

    fn failure(&self, name: &str, v: Violation) -> String {
        let on = v.plan.map(|p| format!(" on {p}")).unwrap_or_default();
        format!("invariant {name} failed{on} at step {}: {}", self.log.len(), v.detail)
    }

    /// Keep the model's history and the figures up to date after a command.
    fn observe(&mut self, prev: &Snapshot, step: &StepInfo) -> Result<(), String> {
        self.stats.steps += 1;
        match expected(self, prev, step) {
            Some(Ok(())) => self.stats.model_accepted += 1,
            Some(Err(_)) => self.stats.model_refused += 1,
            None => {}
        }
        match &step.result {
            Ok(out) => {
                self.stats.ok += 1;
                *self.stats.commands.entry(step.cmd.name()).or_default() += 1;
                match &step.cmd {
                    Command::RequestImport { dry_run, .. } => {
                        if !dry_run && out.seq as usize > self.events {
                            self.events = out.seq as usize;
                        }
                    }
                    // The order's issue, then the report's turn into it.
                    Command::ReportToOrder { .. } => {
                        self.events += 2;
                        if out.seq as usize != self.events {
                            return Err(format!("outcome seq {} but {} events expected", out.seq, self.events));
                        }
                    }
                    _ => {
                        self.events += 1;
                        if out.seq as usize != self.events {
                            return Err(format!("outcome seq {} but {} events expected", out.seq, self.events));
                        }
                    }
                }
            }
            Err(e) => *self.stats.refusals.entry(refusal_kind(e)).or_default() += 1,
        }
        if !step.ok() {
            return Ok(());
        }
        let id = step.plan();
        let before = id.and_then(|id| prev.plan(id));
        let after = id.and_then(|id| self.last.plan(id));
        match (&step.cmd, before, after) {
            (Command::GoLive { golive, .. }, _, Some(p)) => {
                let k = p.golives.len() - 1;
                self.golive_calendar.insert((p.id, k), prev.calendar.clone());
                if golive.outcome == GoLiveOutcome::RolledBack {
                    self.rounds_at_rollback.insert(p.id, p.rounds.len());
                    self.stats.rollbacks += 1;
                } else if last_rollback(p).is_some() {
                    self.stats.second_attempts += 1;
                }
            }
            (Command::RequestLink { .. }, Some(b), _) if b.status == PlanStatus::Submitted => {
                self.stats.links_to_submitted += 1
            }
            (Command::PlanIncident { outcome, .. }, Some(b), Some(p)) => {
                if b.status == PlanStatus::Filed {
                    self.stats.typed_addenda += 1;
                } else if *outcome == IncidentOutcome::RolledBack {
                    // The next go-live needs a round started after this one.
                    self.rounds_at_rollback.insert(p.id, p.rounds.len());
                    self.stats.rollbacks_after_live += 1;
                }
            }
            (Command::PlanFail { .. }, _, _) => self.stats.failed += 1,
            (Command::PlanReview { .. }, Some(b), _) => {
                self.stats.reviews += 1;
                self.stats.typed_addenda += usize::from(b.status == PlanStatus::Filed);
            }
            (Command::RequestFeedback { .. }, Some(b), _) => {
                self.stats.feedback += 1;
                self.stats.typed_addenda += usize::from(b.status == PlanStatus::Filed);
            }
            (Command::Training { .. }, Some(b), _) if b.status == PlanStatus::Filed => self.stats.typed_addenda += 1,
            (Command::PlanReturn { .. }, Some(b), _) if b.status != PlanStatus::Submitted => {
                self.stats.returns_after_approval += 1
            }
            (Command::PlanApprove { .. }, _, Some(p)) if p.status == PlanStatus::Approved => {
                let names: BTreeSet<&str> = current_approvals(p).iter().map(|a| a.approver.as_str()).collect();
                if names.len() >= 2 {
                    self.stats.quorum_of_two += 1;
                    if p.class == ChangeClass::Major {
                        self.stats.major_with_two += 1;
                    }
                }
            }
            (Command::PlanSubmit { .. }, _, Some(p)) if p.status == PlanStatus::Approved => {
                self.stats.standard_covered += 1;
            }
            (Command::PlanNotice { .. }, _, Some(p)) if p.class == ChangeClass::Emergency => {
                let normal = beian::config::ClassGates::default_of(ChangeClass::Normal).notice_days as i64;
                if p.window
                    .as_ref()
                    .is_some_and(|w| w.start - step.at < Duration::days(normal))
                {
                    self.stats.emergency_short_notice += 1;
                }
            }
            (Command::PlanEdit { changes, .. }, _, _) => {
                for c in changes {
                    if let PlanChange::BlackoutOverride {
                        period,
                        reason: Some(_),
                    } = c
                    {
                        if period.is_some() {
                            self.stats.override_named += 1;
                        } else {
                            self.stats.override_all += 1;
                        }
                    }
                }
            }
            (Command::RequestEdit { id, .. }, _, _) => {
                let analysed = |q: &Request| !q.necessity.trim().is_empty() && !q.feasibility.trim().is_empty();
                let before = prev.requests.iter().find(|q| q.id == *id);
                let after = self.last.requests.iter().find(|q| q.id == *id);
                if let (Some(b), Some(a)) = (before, after) {
                    let accepted = matches!(
                        a.status,
                        RequestStatus::Accepted | RequestStatus::Planned | RequestStatus::Done
                    );
                    if accepted && analysed(b) && !analysed(a) {
                        self.stats.analysis_erased_after_acceptance += 1;
                    }
                }
            }
            (Command::TemplateApprove { id, .. }, _, _)
                if self
                    .last
                    .template(*id)
                    .is_some_and(|t| t.status == TemplateStatus::Approved) =>
            {
                self.stats.templates_approved += 1;
            }
            (Command::CalendarAdd { period }, _, _) => {
                let over = self.last.plans.iter().any(|p| {
                    PAST_APPROVAL.contains(&p.status)
                        && !is_live(p)
                        && p.window.as_ref().is_some_and(|w| {
                            !periods_between(std::slice::from_ref(period), p.system, day(w.start), day(w.end))
                                .is_empty()
                        })
                });
                if over {
                    self.stats.periods_over_windows += 1;
                }
            }
            _ => {}
        }
        for p in &self.last.plans {
            for round in &p.rounds {
                for i in &round.items {
                    if matches!(i.result, TestResult::Fail | TestResult::Blocked) {
                        self.ever_failed.insert((p.id, i.no));
                    }
                }
            }
        }
        Ok(())
    }

    /// An `Undo` step: a reversible command on a request, then — after a comment
    /// by someone else when `interfere` — its inverse (`workflow::inverse` of the
    /// request as it was read before) by the same person, with the revision the
    /// command left, as the terminal UI sends it. Each is a step of its own,
    /// checked like any other; the inverse also by [`inv_undo_restores_the_record`].
    fn undo(&mut self, step: &Step) -> Result<(), String> {
        use RequestStatus as R;
        let Act::Undo {
            req,
            how,
            plan,
            interfere,
        } = step.act
        else {
            unreachable!()
        };
        let actor = actor_from(WRITERS, step.who);
        let undecided: &[R] = &[R::New, R::Triaged];
        let id = match how {
            0 => self.request_in(req, &[R::New]),
            1..=4 => self.request_in(req, undecided),
            5 => self.request_in(req, &[R::JointReview]),
            6 => self.request_in(req, &[R::Accepted]),
            _ => self.request_in(req, &[R::New, R::Triaged, R::Accepted, R::Planned, R::Rejected]),
        };
        let before = self.last.requests.iter().find(|q| q.id == id).cloned();
        let n = self.next_n();
        let cmd = match how {
            0..=5 => Command::RequestTriage {
                id,
                triage: match how {
                    0 => Triage::Triage,
                    1 => Triage::Accept { outcome: None },
                    2 => Triage::Reject {
                        reason: format!("不可行〔{n}〕"),
                    },
                    3 => Triage::Duplicate {
                        of: pick(&self.request_ids(), plan, IdKind::Request),
                    },
                    4 => Triage::JointReview,
                    _ if plan % 2 == 0 => Triage::Accept {
                        outcome: Some(format!("研讨同意〔{n}〕")),
                    },
                    _ => Triage::Reject {
                        reason: format!("研讨不同意〔{n}〕"),
                    },
                },
            },
            6 => Command::RequestLink {
                id,
                plan: self.plan_in(plan, WRITING),
            },
            7 => {
                let now = before.as_ref().map_or(Priority::Normal, |q| q.priority);
                let k = Priority::ALL.iter().position(|p| *p == now).unwrap_or(0);
                Command::RequestEdit {
                    id,
                    edit: RequestEdit {
                        priority: Some(Priority::ALL[(k + 1 + plan as usize % 3) % Priority::ALL.len()]),
                        ..Default::default()
                    },
                }
            }
            _ => {
                let mut tags = before.as_ref().map(|q| q.tags.clone()).unwrap_or_default();
                if tags.is_empty() || plan % 2 == 0 {
                    tags.push(format!("标签〔{n}〕"));
                } else {
                    tags.remove(plan as usize % tags.len());
                }
                Command::RequestEdit {
                    id,
                    edit: RequestEdit {
                        tags: Some(tags),
                        ..Default::default()
                    },
                }
            }
        };
        let plan_of = match &cmd {
            Command::RequestLink { plan, .. } => Some(*plan),
            _ => before.as_ref().and_then(|q| q.plan),
        };
        let plan_requests = plan_of.and_then(|p| self.last.plan(p).map(|x| (p, x.requests.clone())));
        let rev_of = |r: &Run| r.last.requests.iter().find(|q| q.id == id).map(|q| q.meta.rev);
        let first = rev_of(self);
        self.step(&Step {
            act: Act::Do {
                actor: actor.clone(),
                cmd: Box::new(cmd.clone()),
                rev: None,
            },
            who: step.who,
        })?;
        let (Some(before), Some(rev)) = (before, rev_of(self)) else {
            return Ok(());
        };
        if first == Some(rev) {
            // The command was refused: nothing to undo.
            return Ok(());
        }
        let back = inverse(&before, &cmd).ok_or_else(|| format!("no inverse for {cmd:?}"))?;
        if interfere {
            let other = if actor.name == supervisor().name {
                op_b()
            } else {
                supervisor()
            };
            let text = format!("补充说明〔{n}〕");
            self.step(&Step {
                act: Act::Do {
                    actor: other,
                    cmd: Box::new(Command::RequestComment { id, text }),
                    rev: None,
                },
                who: step.who,
            })?;
        }
        let interfered = rev_of(self) != Some(rev);
        self.undoing = Some(Undoing {
            before,
            plan: plan_requests,
            interfered,
        });
        let result = self.step(&Step {
            act: Act::Do {
                actor,
                cmd: Box::new(back),
                rev: Some(rev),
            },
            who: step.who,
        });
        self.undoing = None;
        if interfered {
            self.stats.undo_conflicts += 1;
        } else {
            self.stats.undone += 1;
            self.stats.undone_links += usize::from(matches!(cmd, Command::RequestLink { .. }));
        }
        result
    }

    fn read_reports(&mut self, step: &Step) -> Result<(), String> {
        let who = actors()[step.who as usize % 8].clone();
        match self.w.svc.reports(&who) {
            Ok(list) => {
                if !who.has(Role::Supervisor) {
                    return Err(format!("{} read the reports", who.name));
                }
                self.events += 1;
                for (n, r) in list.iter().enumerate() {
                    if r.id != Id::new(IdKind::Report, YEAR, n as u32 + 1) {
                        return Err(format!("report ids have a gap: {}", r.id));
                    }
                }
            }
            Err(e) => {
                if who.has(Role::Supervisor) || !matches!(e, Error::Rule(RuleError::Forbidden { .. })) {
                    return Err(format!("{} could not read reports: {e:?}", who.name));
                }
            }
        }
        self.log.push(format!("{} reads the reports", who.name));
        let next = snapshot(&self.w);
        self.prev = Some(std::mem::replace(&mut self.last, next));
        self.check()
    }

    /// The state invariants, on the records after a step.
    fn check(&mut self) -> Result<(), String> {
        for (name, inv) in STATE_INVARIANTS {
            if let Err(v) = inv(self) {
                self.violated(name, v)?;
            }
        }
        for v in &self.last.dossiers {
            self.exported.insert(v.dossier.id);
            self.frozen.entry(v.dossier.id).or_insert_with(|| v.dossier.clone());
        }
        Ok(())
    }

    /// The figures of the finished run.
    fn finish(mut self) -> Stats {
        let mut st = std::mem::take(&mut self.stats);
        st.cases = 1;
        st.markdown_gaps = self.markdown_gaps.take();
        st.filed = self.last.dossiers.len();
        st.cases_with_filing = usize::from(st.filed > 0);
        let corrected = |p: &Plan| {
            p.all_publications()
                .iter()
                .any(|x| x.kind == PublicationKind::Corrected)
        };
        st.filed_with_corrected_notice = self.last.dossiers.iter().filter(|d| corrected(&d.dossier.plan)).count();
        for p in &self.last.plans {
            for x in p.all_publications() {
                match x.kind {
                    PublicationKind::Corrected => st.corrected_notices += 1,
                    PublicationKind::Cancellation => st.cancellation_notices += 1,
                    PublicationKind::First => {}
                }
            }
        }
        for p in &self.last.plans {
            let mut deciders = BTreeSet::new();
            let mut later = false;
            for e in events(&self.last, p.id) {
                if DECIDING.contains(&e.action.as_str()) {
                    deciders.insert(e.actor.as_str());
                }
                later |= CONTRIBUTING.contains(&e.action.as_str()) && deciders.contains(e.actor.as_str());
            }
            st.decided_then_contributed += usize::from(later);
            let deviations = p
                .deviation
                .iter()
                .chain(p.golives.iter().filter_map(|g| g.deviation.as_deref()));
            st.deviation_self_accepted += deviations
                .filter(|d| d.accepted.as_ref().is_some_and(|a| a.by == d.recorded_by))
                .count();
        }
        for p in self.last.plans.iter().filter(|p| is_live(p)) {
            st.live += 1;
            *st.live_by_class.entry(p.class).or_default() += 1;
            if p.rounds.iter().flat_map(|r| &r.items).any(|i| i.waived.is_some()) {
                st.live_with_waiver += 1;
            }
            if p.defects.iter().any(|d| d.acceptance.is_some()) {
                st.live_with_accepted_defect += 1;
            }
            if p.golives.iter().any(|g| g.deviation.is_some()) {
                st.live_with_accepted_deviation += 1;
            }
            if p.window_history.iter().any(|c| c.rescheduled) {
                st.live_after_reschedule += 1;
            }
        }
        st
    }
}

fn run(steps: &[Step], quorum: u32) -> Result<Stats, TestCaseError> {
    let _en = english();
    let mut r = Run::new(quorum);
    r.check().map_err(TestCaseError::fail)?;
    for s in steps {
        if let Err(e) = r.step(s) {
            return Err(TestCaseError::fail(format!("{e}\nsteps:\n  {}", r.log.join("\n  "))));
        }
    }
    Ok(r.finish())
}

/// The longest sequence: long enough for several plans to reach filing.
const STEPS: usize = 150;
/// Cases of each property (each a fresh database).
const CASES: u32 = 128;
const CASES_QUORUM: u32 = 96;
const CASES_CLASSES: u32 = 128;
const SEED: u64 = 0x6265_6961_6e12;

/// The commands the property must have carried out at least once: every
/// command of the request, plan, approval, test, defect, calendar and filing
/// areas.
fn required_commands() -> Vec<&'static str> {
    const AREAS: &[&str] = &[
        "calendar.",
        "request.",
        "plan.",
        "test.",
        "backup.",
        "golive.",
        "training.",
        "comparison.",
        "dossier.",
        "order.",
        "report.",
        "joint_review.",
    ];
    Command::TABLE
        .iter()
        .map(|(name, _)| *name)
        .filter(|n| AREAS.iter().any(|a| n.starts_with(a)))
        .collect()
}

/// Run the property: `cases` random sequences from a fixed seed, with a quorum
/// of `quorum` approvers; returns what the runs reached.
fn property(quorum: u32, cases: u32, classes: bool) -> Stats {
    let env = |k: &str| std::env::var(k).ok().and_then(|v| v.parse::<u64>().ok());
    let config = PropConfig {
        cases: env("BEIAN_PROPS_CASES").map_or(cases, |c| c as u32),
        failure_persistence: None,
        max_shrink_time: 120_000,
        rng_seed: RngSeed::Fixed(env("BEIAN_PROPS_SEED").unwrap_or(SEED) ^ quorum as u64 ^ (classes as u64) << 8),
        ..PropConfig::default()
    };
    let mut runner = TestRunner::new(config);
    let total = RefCell::new(Stats::default());
    let result = runner.run(&steps(STEPS, classes), |steps| {
        let st = run(&steps, quorum)?;
        total.borrow_mut().add(&st);
        Ok(())
    });
    if let Err(e) = result {
        match e {
            proptest::test_runner::TestError::Fail(reason, _) => panic!("{reason}"),
            e => panic!("{e}"),
        }
    }
    let st = total.into_inner();
    if std::env::var_os("BEIAN_PROPS_STATS").is_some() {
        eprintln!("quorum {quorum}, classes {classes}: {st:#?}");
    }
    st
}

/// The vacuity guards: the runs reached what the invariants are about, and
/// tried each kind of refusal in `probed` at least once.
fn assert_reached(st: &Stats, at_least: &[(&str, usize, usize)], probed: &[&str]) {
    assert_reached_with(st, at_least, probed, &required_commands());
}

/// [`assert_reached`], the commands that must have been carried out given.
fn assert_reached_with(st: &Stats, at_least: &[(&str, usize, usize)], probed: &[&str], required: &[&str]) {
    let never: Vec<&&str> = probed.iter().filter(|k| !st.refusals.contains_key(**k)).collect();
    assert!(never.is_empty(), "never refused for {never:?}\n{st:#?}");
    for (what, got, want) in at_least {
        assert!(
            got >= want,
            "the generator reached {what} {got} times, fewer than {want}: {st:#?}"
        );
    }
    let missing: Vec<&&str> = required.iter().filter(|c| !st.commands.contains_key(**c)).collect();
    assert!(missing.is_empty(), "never carried out: {missing:?}\n{st:#?}");
}

/// At least one random walk in `one_in` files a plan. Measured with the default
/// seed: 36 of 128 with one approver and 30 of 96 with two before reopen,
/// unlink and undo joined the walks; with them, the two-approver walks file
/// less often (10 of 96: an undone approval step or a reopened request takes
/// a plan off its path), so that property asks for one in twelve. A total of
/// dossiers alone could come from a few lucky walks.
fn assert_filing_share(st: &Stats, one_in: usize) {
    assert!(
        st.cases_with_filing * one_in >= st.cases,
        "only {} of {} random walks filed a plan: {st:#?}",
        st.cases_with_filing,
        st.cases
    );
}

/// Refusals each property must have met (so that the rules behind them were probed).
const PROBED: &[&str] = &[
    "Forbidden",
    "Contributor",
    "AnalysisMissing",
    "WindowInPast",
    "HardBlackout",
    "BlackoutNeedsJustification",
    "GoLiveInFuture",
    "GoLiveBeforeApproval",
    "GoLiveInBlackout",
    "GoLiveOutsideWindow",
    "GoLiveBlocked",
    "FilingBlocked",
    "NothingToAccept",
    "ReasonRequired",
    "DateInPast",
];

/// Refusals of rework (issue 15 §2, §6) the one-approver property must have met.
const REWORK_PROBED: &[&str] = &["RescheduleTooSoon", "SameWindow", "NoticeDraftStale"];
/// Refusals after go-live (issue 15 §3) the property with one approver must have met.
const AFTER_PROBED: &[&str] = &[
    "RecordInFuture",
    "BeforeGoLive",
    "NeverLive",
    "GoalsMismatch",
    "AlreadyReviewed",
    "FeedbackPlanNotLive",
];

/// Refusals of reopen and unlink each property must have met.
const UNDO_PROBED: &[&str] = &["RequestPlanned", "UnlinkPlanClosed", "Conflict"];
/// Refusals of the supervision steps the walks must meet (issue 15 §5).
const SUPERVISION_PROBED: &[&str] = &["DeadlineNotLater", "NotInvestigated"];

/// Refusals of links and joint reviews each property must have met (issue 15 §4).
const REQUEST_PROBED: &[&str] = &[
    "NotAccepted",
    "PlanNotOpen",
    "InJointReview",
    "JointReviewDepartments",
    "JointReviewDecided",
    "NotInJointReview",
];

/// Refusals of the change classes and templates each property must have met:
/// no way around a template, a class, its quorum or its calendar.
const CLASS_PROBED: &[&str] = &[
    "StandardNeedsTemplate",
    "InstanceClass",
    "TemplateScope",
    "TemplateNotApproved",
    "TemplateSystem",
    "TemplateMissing",
    "TemplateExpired",
    "SoftOverrideRefused",
];

/// How often each class path must be reached. Measured with the default seed
/// and the seeds 1, 2 and 3: standard changes approved by their template
/// 13–32, major changes approved by two 11–16, emergency notices inside the
/// normal period 4–11, templates approved 30 and more.
const CLASS_FLOOR: usize = 3;

/// Random sequences with one approver needed. The thresholds hold with room
/// to spare for the default seed (and for the seeds 1, 2 and 3).
#[test]
fn random_sequences_keep_the_invariants() {
    let st = property(1, CASES, false);
    assert_filing_share(&st, 8);
    assert_reached(
        &st,
        &[
            ("filing", st.filed, 20),
            ("a live plan with a waiver", st.live_with_waiver, 3),
            (
                "a live plan with a risk-accepted defect",
                st.live_with_accepted_defect,
                4,
            ),
            (
                "a live plan with an accepted deviation",
                st.live_with_accepted_deviation,
                6,
            ),
            ("a return after approval", st.returns_after_approval, 30),
            ("a rollback", st.rollbacks, 2),
            ("a period over an approved window", st.periods_over_windows, 8),
            ("a justification naming its period", st.override_named, 15),
            ("a justification of every period touched", st.override_all, 15),
            ("the clock moving back", st.clock_back, 30),
            ("an outcome the model predicted accepted", st.model_accepted, 300),
            ("an outcome the model predicted refused", st.model_refused, 600),
            ("an undo", st.undone, 150),
            ("an undone link", st.undone_links, 4),
            ("an undo after someone else's change", st.undo_conflicts, 40),
            ("a plan live after a reschedule", st.live_after_reschedule, 3),
            ("a corrected notice", st.corrected_notices, 10),
            ("a cancellation notice", st.cancellation_notices, 6),
            ("a link to a submitted plan", st.links_to_submitted, 25),
            (
                "a joint review's position",
                st.commands.get("joint_review.decide").copied().unwrap_or(0),
                40,
            ),
            ("a live update rolled back", st.rollbacks_after_live, 2),
            ("a plan closed as failed", st.failed, 1),
            ("a post-implementation review", st.reviews, 3),
            ("post-update feedback", st.feedback, 2),
            ("a record on a filed plan (a typed addendum)", st.typed_addenda, 3),
        ],
        &[
            PROBED,
            &["GoLiveBeforeNotice", "NoticeTooLate", "RiskAcceptanceNeeded"],
            UNDO_PROBED,
            REWORK_PROBED,
            SUPERVISION_PROBED,
            REQUEST_PROBED,
            AFTER_PROBED,
        ]
        .concat(),
    );
}

/// Random sequences with plans of every change class and templates of
/// standard changes among them (issue 15 §1): the invariants read each plan's
/// class; the walks reach each class's path and meet every refusal that keeps
/// a class or a template from being a way around a gate.
#[test]
fn random_sequences_with_change_classes_keep_the_invariants() {
    let st = property(1, CASES_CLASSES, true);
    // Long waits (for templates to expire) cost some filings; the other
    // properties see to those.
    assert_filing_share(&st, 32);
    assert_reached_with(
        &st,
        &[
            ("filing", st.filed, 5),
            (
                "a standard change approved by its template",
                st.standard_covered,
                CLASS_FLOOR,
            ),
            ("a major change approved by two", st.major_with_two, CLASS_FLOOR),
            (
                "an emergency notice inside the normal period",
                st.emergency_short_notice,
                CLASS_FLOOR,
            ),
            ("a template approved", st.templates_approved, CLASS_FLOOR),
        ],
        &[PROBED, CLASS_PROBED].concat(),
        &[
            "plan.new",
            "plan.edit",
            "plan.submit",
            "plan.approve",
            "plan.notice",
            "plan.implement",
            "golive.record",
            "plan.file",
            "template.new",
            "template.edit",
            "template.submit",
            "template.approve",
            "template.return",
        ],
    );
}

/// Random sequences with a quorum of two approvers.
#[test]
fn random_sequences_with_a_quorum_of_two_keep_the_invariants() {
    let st = property(2, CASES_QUORUM, false);
    assert_filing_share(&st, 12);
    assert_reached(
        &st,
        &[
            ("filing", st.filed, 8),
            ("a quorum of two", st.quorum_of_two, 50),
            ("a return after approval", st.returns_after_approval, 10),
            ("a live plan with a waiver", st.live_with_waiver, 1),
            (
                "a live plan with a risk-accepted defect",
                st.live_with_accepted_defect,
                2,
            ),
            (
                "a live plan with an accepted deviation",
                st.live_with_accepted_deviation,
                2,
            ),
            ("an undo", st.undone, 100),
            ("an undone link", st.undone_links, 3),
            ("an undo after someone else's change", st.undo_conflicts, 30),
            ("a plan live after a reschedule", st.live_after_reschedule, 1),
            ("a corrected notice", st.corrected_notices, 3),
            ("a link to a submitted plan", st.links_to_submitted, 10),
            (
                "a joint review's position",
                st.commands.get("joint_review.decide").copied().unwrap_or(0),
                25,
            ),
        ],
        &[
            PROBED,
            &["AlreadyApproved", "ScopeApproved"],
            UNDO_PROBED,
            REQUEST_PROBED,
            SUPERVISION_PROBED,
        ]
        .concat(),
    );
}

/// The driver alone files plans: the invariants hold along the whole way, and a
/// sequence of advances reaches filing (so the random runs can get there too).
#[test]
fn advancing_alone_files_a_plan() {
    let steps: Vec<Step> = (0..40)
        .map(|_| Step {
            act: Act::Advance {
                plan: 0,
                pick: 0,
                variant: 1,
            },
            who: 0,
        })
        .collect();
    let _en = english();
    let mut r = Run::new(1);
    for s in &steps {
        r.step(s).unwrap_or_else(|e| panic!("{e}\n{}", r.log.join("\n")));
    }
    let p = r.w.plan(plan_id(1));
    assert_eq!(p.status, PlanStatus::Filed, "{}", r.log.join("\n"));
    assert_eq!(r.w.request(req_id(1)).status, RequestStatus::Accepted);
}

/// A live update rolled back passes every gate again (issue 15 §3): the driver
/// alone takes a plan live, a rollback sends it back to testing, and advancing
/// again — a new round, a backup with the data of the live period, a deviation
/// an approver accepts once the window is over — takes it live a second time,
/// every invariant holding at each step. (The random walks roll live updates
/// back too, but rarely live long enough after it to go live again.)
#[test]
fn a_rolled_back_live_update_passes_every_gate_again() {
    let _en = english();
    let mut r = Run::new(1);
    let id = plan_id(1);
    let advance = Step {
        act: Act::Advance {
            plan: 0,
            pick: 0,
            variant: 1,
        },
        who: 0,
    };
    let status = |r: &Run| r.last.plan(id).unwrap().status;
    let steps = |r: &mut Run, until: PlanStatus| {
        for _ in 0..60 {
            if status(r) == until {
                return;
            }
            r.step(&advance).unwrap_or_else(|e| panic!("{e}\n{}", r.log.join("\n")));
        }
        panic!("{id} never {until}:\n{}", r.log.join("\n"));
    };
    steps(&mut r, PlanStatus::Live);
    let rollback = Step {
        act: Act::Incident {
            plan: 1,
            rollback: true,
            // At the go-live's own time.
            when: 8,
        },
        who: 0,
    };
    r.step(&rollback)
        .unwrap_or_else(|e| panic!("{e}\n{}", r.log.join("\n")));
    assert_eq!(status(&r), PlanStatus::Testing, "{}", r.log.join("\n"));
    assert_eq!(r.stats.rollbacks_after_live, 1);
    steps(&mut r, PlanStatus::Live);
    let p = r.last.plan(id).unwrap();
    let rb = last_rollback(p).unwrap();
    assert!(p.live_golive().unwrap().time >= rb.time);
    assert!(p.backup.as_ref().unwrap().time >= rb.time);
    assert!(p.rounds.len() > r.rounds_at_rollback[&id]);
    assert_eq!(r.stats.second_attempts, 1, "{}", r.log.join("\n"));
}

/// How a probe of the duplicate index is made from the stored keys.
#[derive(Debug, Clone)]
enum DupProbe {
    /// A string drawn on its own (mostly no match).
    Random(u8, String),
    /// A stored key again, in its system or another.
    Copy { of: usize, system: Option<u8> },
    /// A piece of a stored key (four characters or more match, fewer do not).
    Piece {
        of: usize,
        start: usize,
        len: usize,
        system: Option<u8>,
    },
    /// A stored key inside a longer title.
    Around {
        of: usize,
        before: String,
        after: String,
        system: Option<u8>,
    },
}

fn dup_probe() -> impl Strategy<Value = DupProbe> {
    let key = || "[教务系统登录无法abc]{0,9}";
    // `None`: the stored key's own system; else this one.
    let system = || prop_oneof![3 => Just(None), 1 => (0u8..3).prop_map(Some)];
    prop_oneof![
        1 => (0u8..3, key()).prop_map(|(s, k)| DupProbe::Random(s, k)),
        2 => (any::<usize>(), system()).prop_map(|(of, system)| DupProbe::Copy { of, system }),
        3 => (any::<usize>(), 0usize..9, 2usize..9, system())
            .prop_map(|(of, start, len, system)| DupProbe::Piece { of, start, len, system }),
        3 => (any::<usize>(), "[系统页面慢xyz]{0,4}", "[系统页面慢xyz]{0,4}", system())
            .prop_map(|(of, before, after, system)| DupProbe::Around { of, before, after, system }),
    ]
}

/// What the duplicate property met, over all its cases.
#[derive(Debug, Default)]
struct DupStats {
    cases: usize,
    /// Cases with at least one probe that is a duplicate.
    cases_with_duplicate: usize,
    /// Probes by what the pairwise rule answered: an equal key, a stored key
    /// contained in the probe, the probe contained in a stored key.
    equal: usize,
    stored_in_probe: usize,
    probe_in_stored: usize,
    /// Probes that are not duplicates though they share text with a stored key
    /// (three characters or fewer, or another system).
    near_misses: usize,
}

/// The import's duplicate index answers exactly what comparing with every key
/// would. Independent random strings almost never match (about 93 % of cases
/// held no duplicate), so the probes are mostly made from the stored keys —
/// copies, pieces, the key inside a longer title, in its system or another —
/// and the run must meet every kind of match, and near misses, many times.
#[test]
fn duplicate_index_equals_the_pairwise_rule() {
    use beian::model::{Id, IdKind};
    use beian::workflow::{likely_duplicate, DuplicateIndex};
    let sys = |n: u8| (n > 0).then(|| Id::new(IdKind::System, 0, n as u32));
    let config = PropConfig {
        cases: 256,
        failure_persistence: None,
        rng_seed: RngSeed::Fixed(SEED),
        ..PropConfig::default()
    };
    let stats = RefCell::new(DupStats::default());
    let strategy = (
        proptest::collection::vec((0u8..3, "[教务系统登录无法abc]{0,9}"), 1..40),
        proptest::collection::vec(dup_probe(), 1..20),
    );
    let result = TestRunner::new(config).run(&strategy, |(stored, probes)| {
        let mut index = DuplicateIndex::default();
        for (s, k) in &stored {
            index.insert(sys(*s), k);
        }
        let mut st = DupStats {
            cases: 1,
            ..DupStats::default()
        };
        for p in &probes {
            let pick = |of: usize| &stored[of % stored.len()];
            let (s, k) = match p {
                DupProbe::Random(s, k) => (*s, k.clone()),
                DupProbe::Copy { of, system } => {
                    let (s, k) = pick(*of);
                    (system.unwrap_or(*s), k.clone())
                }
                DupProbe::Piece { of, start, len, system } => {
                    let (s, k) = pick(*of);
                    let chars: Vec<char> = k.chars().collect();
                    let a = start % chars.len().max(1);
                    let b = (a + len).min(chars.len());
                    (system.unwrap_or(*s), chars[a..b].iter().collect())
                }
                DupProbe::Around {
                    of,
                    before,
                    after,
                    system,
                } => {
                    let (s, k) = pick(*of);
                    (system.unwrap_or(*s), format!("{before}{k}{after}"))
                }
            };
            let naive = stored.iter().any(|(s2, k2)| likely_duplicate(sys(s), &k, sys(*s2), k2));
            prop_assert_eq!(index.matches(sys(s), &k), naive, "probe {:?} {:?} of {:?}", s, k, p);
            let same = |(s2, _): &&(u8, String)| *s2 == s;
            let matching = || {
                stored
                    .iter()
                    .filter(same)
                    .filter(|(s2, k2)| likely_duplicate(sys(s), &k, sys(*s2), k2))
            };
            if naive {
                st.cases_with_duplicate = 1;
                st.equal += usize::from(matching().any(|(_, k2)| *k2 == k));
                st.stored_in_probe += usize::from(matching().any(|(_, k2)| *k2 != k && k.contains(k2.as_str())));
                st.probe_in_stored += usize::from(matching().any(|(_, k2)| *k2 != k && k2.contains(k.as_str())));
            } else if !k.is_empty()
                && stored
                    .iter()
                    .any(|(_, k2)| k2.contains(k.as_str()) || k.contains(k2.as_str()))
            {
                st.near_misses += 1;
            }
        }
        let mut all = stats.borrow_mut();
        all.cases += st.cases;
        all.cases_with_duplicate += st.cases_with_duplicate;
        all.equal += st.equal;
        all.stored_in_probe += st.stored_in_probe;
        all.probe_in_stored += st.probe_in_stored;
        all.near_misses += st.near_misses;
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    let st = stats.into_inner();
    if std::env::var_os("BEIAN_PROPS_STATS").is_some() {
        eprintln!("duplicate index: {st:#?}");
    }
    // Vacuity guards: most cases hold a duplicate, and each path of the index
    // (whole key, a stored key inside the new one, the new one inside a
    // stored key) and its near misses are met many times.
    assert!(
        st.cases_with_duplicate * 10 >= st.cases * 8,
        "only {} of {} cases held a duplicate: {st:#?}",
        st.cases_with_duplicate,
        st.cases
    );
    for (what, n) in [
        ("an equal key", st.equal),
        ("a stored key inside the new one", st.stored_in_probe),
        ("the new key inside a stored one", st.probe_in_stored),
        ("a near miss", st.near_misses),
    ] {
        assert!(n >= 60, "{what}: {n} probes, fewer than 60: {st:#?}");
    }
}

// ===== each invariant can fail =====

type Sabotage = (&'static str, Box<dyn Fn(&mut Run) -> Check>);

fn state_inv(name: &str) -> StateInv {
    STATE_INVARIANTS
        .iter()
        .find(|(n, _)| *n == name)
        .expect("a state invariant")
        .1
}

fn step_inv(name: &str) -> StepInv {
    STEP_INVARIANTS
        .iter()
        .find(|(n, _)| *n == name)
        .expect("a step invariant")
        .1
}

fn plan_mut(s: &mut Snapshot, id: Id) -> &mut Plan {
    s.plans.iter_mut().find(|p| p.id == id).expect("the plan")
}

/// A state invariant on the records broken by `f`.
fn broken_state(name: &'static str, f: impl Fn(&mut Run) + 'static) -> Sabotage {
    (
        name,
        Box::new(move |r: &mut Run| {
            f(r);
            state_inv(name)(r)
        }),
    )
}

/// A step invariant on a step made up by `f` from the records: (the records
/// before, who, the command, its result).
fn broken_step(
    name: &'static str,
    f: impl Fn(&mut Run) -> (Snapshot, Actor, Command, Result<beian::service::Outcome, Error>) + 'static,
) -> Sabotage {
    (
        name,
        Box::new(move |r: &mut Run| {
            let (prev, actor, cmd, result) = f(r);
            let at = r.w.now();
            step_inv(name)(r, &prev, &StepInfo { actor, cmd, at, result })
        }),
    )
}

fn order_id(n: u32) -> Id {
    Id::new(IdKind::Order, YEAR, n)
}

/// An order (RO-…-0001) as a sabotage plants it in the records.
fn fake_order(status: OrderStatus, deadline: NaiveDate) -> RectificationOrder {
    RectificationOrder {
        id: order_id(1),
        issuer: "chen".into(),
        target: OrderTarget::Department("教务处".into()),
        finding: "整改".into(),
        required_action: "补材料".into(),
        deadline,
        status,
        response: None,
        responded_by: None,
        extensions: Vec::new(),
        responses: Vec::new(),
        closings: Vec::new(),
        meta: Meta::new("chen", t0()),
    }
}

/// A report (RPT-…-0001) as a sabotage plants it in the records.
fn fake_report(status: ReportStatus) -> ConfidentialReport {
    ConfidentialReport {
        id: Id::new(IdKind::Report, YEAR, 1),
        content: "举报内容".into(),
        reporter_contact: None,
        received_at: t0(),
        status,
        investigation: String::new(),
        reply: None,
        replied_by: None,
        replied_at: None,
        plan: None,
        order: None,
        meta: Meta::new("liu", t0()),
    }
}

fn done() -> Result<beian::service::Outcome, Error> {
    Ok(beian::service::Outcome {
        entity: String::new(),
        rev: None,
        seq: 0,
        summary: String::new(),
    })
}

/// Every invariant, shown a record (or a step) broken the way it guards
/// against, fails: none of them is vacuous. The records are those of a plan
/// driven to filing; each sabotage is undone before the next.
#[test]
fn every_invariant_catches_its_violation() {
    let _en = english();
    let mut r = Run::new(1);
    let advance = Step {
        act: Act::Advance {
            plan: 0,
            pick: 0,
            variant: 1,
        },
        who: 0,
    };
    for _ in 0..40 {
        r.step(&advance).unwrap_or_else(|e| panic!("{e}\n{}", r.log.join("\n")));
    }
    let id = plan_id(1);
    let draft = plan_id(2);
    assert_eq!(r.last.plan(id).unwrap().status, PlanStatus::Filed);
    let live = move |r: &Run| r.last.plan(id).unwrap().live_golive().unwrap().clone();
    let window = move |r: &Run| r.last.plan(id).unwrap().window.clone().unwrap();

    let sabotages: Vec<Sabotage> = vec![
        broken_state("inv_audit_log_complete", |r| {
            r.last.audit.pop();
        }),
        broken_state("inv_ids_contiguous", |r| {
            r.last.requests.remove(0);
        }),
        broken_state("inv_submitted_plans_complete", move |r| {
            plan_mut(&mut r.last, id).goals = " ".into()
        }),
        broken_state("inv_quorum_of_distinct_approvers", move |r| {
            plan_mut(&mut r.last, id).approvals.clear()
        }),
        // A major change with one approval (of two needed).
        broken_state("inv_quorum_of_distinct_approvers", move |r| {
            plan_mut(&mut r.last, id).class = ChangeClass::Major
        }),
        // A standard change whose template was never approved.
        broken_state("inv_quorum_of_distinct_approvers", move |r| {
            let p = plan_mut(&mut r.last, id);
            p.class = ChangeClass::Standard;
            p.approvals.clear();
        }),
        broken_state("inv_standard_changes_keep_their_template", move |r| {
            plan_mut(&mut r.last, id).class = ChangeClass::Standard
        }),
        broken_state("inv_no_approver_contributed", move |r| {
            // The approver had edited the plan before approving it.
            let evs = r.last.plan_events.get_mut(&id).unwrap();
            let approve = evs.iter().find(|e| e.action == "plan.approve").unwrap().clone();
            evs.insert(
                1,
                AuditEvent {
                    action: "plan.edit".into(),
                    ..approve
                },
            );
        }),
        broken_state("inv_contributors_match_audit", move |r| {
            plan_mut(&mut r.last, id).contributors.push(Contributor {
                name: "zhou".into(),
                did: vec!["test".into()],
            })
        }),
        broken_state("inv_notice_precedes_window", move |r| {
            let start = window(r).start;
            plan_mut(&mut r.last, id).notice.as_mut().unwrap().published_at = start - Duration::days(1);
        }),
        // Five days is enough for a normal change, not for a major one.
        broken_state("inv_notice_precedes_window", move |r| {
            let start = window(r).start;
            let p = plan_mut(&mut r.last, id);
            p.class = ChangeClass::Major;
            p.notice.as_mut().unwrap().published_at = start - Duration::days(5);
        }),
        broken_state("inv_notice_precedes_window", move |r| {
            // Rescheduled after its notice, and implemented without a corrected one.
            let evs = r.last.plan_events.get_mut(&id).unwrap();
            let k = evs.iter().position(|e| e.action == "plan.notice").unwrap();
            let moved = AuditEvent {
                action: "plan.reschedule".into(),
                ..evs[k].clone()
            };
            evs.insert(k + 1, moved);
        }),
        broken_step("inv_publications_are_kept", move |r| {
            // A published notice rewritten afterwards.
            let before = r.last.clone();
            plan_mut(&mut r.last, id).publications[0].text = "改写过的预告".into();
            (before, op_a(), Command::PlanSubmit { id: draft }, done())
        }),
        broken_step("inv_publications_are_kept", move |r| {
            // A plan cancelled after its notice, without a cancellation notice.
            let mut before = r.last.clone();
            let p = plan_mut(&mut before, id);
            p.status = PlanStatus::Approved;
            let mut after = p.clone();
            after.status = PlanStatus::Cancelled;
            *plan_mut(&mut r.last, id) = after;
            let cmd = Command::PlanCancel {
                id,
                reason: "需求变更".into(),
            };
            (before, op_a(), cmd, done())
        }),
        broken_state("inv_golive_inside_window_or_accepted_deviation", move |r| {
            let end = window(r).end;
            plan_mut(&mut r.last, id).golives.last_mut().unwrap().time = end + Duration::days(1);
        }),
        broken_state("inv_golive_after_approval_and_notice", move |r| {
            let t = live(r).time;
            plan_mut(&mut r.last, id).approvals.last_mut().unwrap().time = t + Duration::hours(1);
        }),
        broken_state("inv_golive_not_in_future", move |r| {
            plan_mut(&mut r.last, id).golives.last_mut().unwrap().time += Duration::hours(1);
        }),
        broken_state("inv_golive_not_in_blackout", move |r| {
            let k = r.last.plan(id).unwrap().golives.len() - 1;
            let d = day(live(r).time);
            r.golive_calendar.insert(
                (id, k),
                vec![Blackout {
                    name: "考试周".into(),
                    start: d,
                    end: d,
                    hard: true,
                    systems: Vec::new(),
                }],
            );
        }),
        broken_state("inv_no_failed_item_unresolved_on_live_plan", move |r| {
            let p = plan_mut(&mut r.last, id);
            p.rounds.last_mut().unwrap().items[0].result = TestResult::Fail;
        }),
        broken_state("inv_no_blocking_defect_on_live_plan", move |r| {
            let t = live(r).time;
            plan_mut(&mut r.last, id).defects.push(Defect {
                no: 1,
                severity: Severity::Critical,
                description: "数据丢失".into(),
                found_by: tester(),
                round: None,
                item: None,
                vendor_ref: None,
                status: DefectStatus::Fixed,
                reported_at: t,
                acceptance: None,
            })
        }),
        broken_state("inv_backup_fresh_at_golive", move |r| {
            let t = live(r).time;
            plan_mut(&mut r.last, id).backup.as_mut().unwrap().time = t - Duration::days(8);
        }),
        broken_state("inv_golive_after_backup_and_tests", move |r| {
            let t = live(r).time;
            plan_mut(&mut r.last, id).backup.as_mut().unwrap().time = t + Duration::days(1);
        }),
        broken_state("inv_rolled_back_round_not_reused", move |r| {
            let n = r.last.plan(id).unwrap().rounds.len();
            r.rounds_at_rollback.insert(id, n);
        }),
        broken_state("inv_test_history_append_only", move |r| {
            let mut before = r.last.clone();
            let p = plan_mut(&mut before, id);
            let again = p.rounds[0].clone();
            p.rounds.push(again);
            r.prev = Some(before);
        }),
        broken_state("inv_waivers_are_approvers_decisions", move |r| {
            let p = plan_mut(&mut r.last, id);
            p.rounds.last_mut().unwrap().items[0].result = TestResult::Waived;
        }),
        broken_state("inv_filing_gate_held", |r| {
            r.last.dossiers[0].dossier.plan.comparison.clear()
        }),
        (
            "inv_filed_dossier_complete",
            Box::new(move |r: &mut Run| {
                // A Markdown export without the plan's goals.
                let v = r.last.dossiers[0].clone();
                let goals = beian::export::md_cell(&v.dossier.plan.goals);
                let md = beian::export::dossier_markdown(&v).replace(&goals, "");
                exports_complete(r, &v, &md, &beian::export::dossier_json(&v))
            }),
        ),
        (
            "inv_filed_dossier_complete",
            Box::new(move |r: &mut Run| {
                // A JSON export without the plan's approvals.
                let v = r.last.dossiers[0].clone();
                let mut json: serde_json::Value = serde_json::from_str(&beian::export::dossier_json(&v)).unwrap();
                json["dossier"]["plan"]["approvals"] = serde_json::json!([]);
                exports_complete(r, &v, &beian::export::dossier_markdown(&v), &json.to_string())
            }),
        ),
        broken_state("inv_filed_dossier_frozen", |r| {
            let d = r.last.dossiers[0].dossier.id;
            r.frozen.get_mut(&d).unwrap().filed_by = "someone".into();
        }),
        broken_state("inv_after_golive_on_record", move |r| {
            // An incident said to have happened before the go-live it follows.
            let g = live(r);
            let p = plan_mut(&mut r.last, id);
            let golive = p.golives.len() as u32;
            p.incidents.push(Incident {
                outcome: IncidentOutcome::Incident,
                time: g.time - Duration::days(1),
                by: "王工".into(),
                what: "服务中断".into(),
                golive,
                recorded_by: "wang".into(),
                recorded_at: g.time,
            });
        }),
        broken_state("inv_after_golive_on_record", move |r| {
            // A request that is feedback on a plan that does not list it.
            let q = r.last.requests.iter_mut().next().unwrap();
            q.feedback_on = Some(id);
        }),
        broken_state("inv_requests_follow_their_plans", move |r| {
            let p = plan_mut(&mut r.last, draft);
            p.status = PlanStatus::Cancelled;
            p.cancel_reason = None;
        }),
        broken_step("inv_refusal_changes_nothing", move |r| {
            let mut before = r.last.clone();
            before.audit.pop();
            (
                before,
                op_a(),
                Command::PlanSubmit { id: draft },
                Err(Error::Rule(RuleError::NoSoftPeriod)),
            )
        }),
        broken_step("inv_permissions_follow_the_regulation", move |r| {
            let cmd = Command::PlanApprove {
                id,
                comment: String::new(),
                minutes_ref: String::new(),
            };
            (r.last.clone(), viewer(), cmd, done())
        }),
        broken_step("inv_window_checked_at_each_commitment", move |r| {
            // A notice published after the window started.
            let start = window(r).start;
            r.w.set_now(start + Duration::hours(1));
            let cmd = Command::PlanNotice {
                id,
                text: None,
                audience: "全校".into(),
            };
            (r.last.clone(), op_a(), cmd, done())
        }),
        broken_step("inv_decisions_follow_the_process", move |r| {
            let cmd = Command::PlanApprove {
                id: draft,
                comment: String::new(),
                minutes_ref: String::new(),
            };
            (r.last.clone(), approver(), cmd, done())
        }),
        broken_step("inv_ready_iff_golive_gate_clear", move |r| {
            let p = plan_mut(&mut r.last, id);
            p.status = PlanStatus::Ready;
            p.backup = None;
            (r.last.clone(), op_a(), pass(id, 1), done())
        }),
        broken_step("inv_new_round_copies_every_unresolved_item", move |r| {
            let mut before = r.last.clone();
            plan_mut(&mut before, id).rounds.last_mut().unwrap().items[0].result = TestResult::Fail;
            let p = plan_mut(&mut r.last, id);
            let mut empty = p.rounds.last().unwrap().clone();
            empty.no += 1;
            empty.items.clear();
            p.rounds.push(empty);
            let cmd = Command::TestRound {
                plan: id,
                copy_unfinished: true,
                environment: "测试环境".into(),
            };
            (before, op_a(), cmd, done())
        }),
        broken_step("inv_outcome_matches_the_model", move |r| {
            // A second go-live of a plan already filed, carried out.
            let g = live(r);
            (r.last.clone(), op_a(), Command::GoLive { plan: id, golive: g }, done())
        }),
        broken_step("inv_request_accepted_only_with_analysis", |r| {
            let before = r.last.clone();
            let q = r
                .last
                .requests
                .iter_mut()
                .find(|q| q.status == RequestStatus::New)
                .unwrap();
            q.status = RequestStatus::Accepted;
            let cmd = Command::RequestTriage {
                id: q.id,
                triage: Triage::Accept { outcome: None },
            };
            (before, op_a(), cmd, done())
        }),
        broken_step("inv_reopen_and_unlink_follow_the_process", |r| {
            // A new request, with no decision to withdraw, "reopened".
            let q = r
                .last
                .requests
                .iter()
                .find(|q| q.status == RequestStatus::New)
                .expect("a new request");
            let cmd = Command::RequestReopen {
                id: q.id,
                reason: "重新评估".into(),
            };
            (r.last.clone(), op_a(), cmd, done())
        }),
        broken_step("inv_reopen_and_unlink_follow_the_process", move |r| {
            // A request taken off a plan that was already approved.
            let mut before = r.last.clone();
            let q = before
                .requests
                .iter_mut()
                .find(|q| q.status == RequestStatus::Accepted)
                .unwrap();
            (q.status, q.plan) = (RequestStatus::Planned, Some(draft));
            let id = q.id;
            let p = plan_mut(&mut before, draft);
            p.status = PlanStatus::Approved;
            p.requests.push(id);
            let cmd = Command::RequestUnlink {
                id,
                reason: "移出计划".into(),
            };
            (before, op_a(), cmd, done())
        }),
        broken_step("inv_links_follow_the_process", move |r| {
            // A request linked to a submitted plan a member had approved already.
            let mut before = r.last.clone();
            let id = before
                .requests
                .iter()
                .find(|q| q.status == RequestStatus::Accepted)
                .unwrap()
                .id;
            let p = plan_mut(&mut before, draft);
            p.status = PlanStatus::Submitted;
            p.approvals.push(Approval {
                approver: "li".into(),
                decision: Decision::Approved,
                time: r.w.now(),
                comment: String::new(),
                minutes_ref: String::new(),
                submission: p.submission,
                on_behalf_of: None,
            });
            (before, op_a(), Command::RequestLink { id, plan: draft }, done())
        }),
        broken_state("inv_joint_reviews_hold_their_requests", |r| {
            // A request waiting for a joint review that does not list it.
            let q = &mut r.last.requests[0];
            q.status = RequestStatus::JointReview;
            q.joint_review = Some(JointReview {
                sent_by: "wang".into(),
                sent_at: q.received_at,
                outcome: None,
                decided_at: None,
                review: Some(Id::new(IdKind::JointReview, YEAR, 9)),
            });
        }),
        broken_step("inv_joint_reviews_decide_their_requests", |r| {
            // A request waiting for its joint review, accepted one by one.
            let mut before = r.last.clone();
            let q = &mut before.requests[0];
            q.status = RequestStatus::JointReview;
            q.joint_review = Some(JointReview {
                sent_by: "wang".into(),
                sent_at: q.received_at,
                outcome: None,
                decided_at: None,
                review: Some(Id::new(IdKind::JointReview, YEAR, 1)),
            });
            let cmd = Command::RequestTriage {
                id: q.id,
                triage: Triage::Accept {
                    outcome: Some("同意".into()),
                },
            };
            (before, op_a(), cmd, done())
        }),
        (
            "inv_undo_restores_the_record",
            Box::new(|r: &mut Run| {
                // An undo carried out that left the priority as the command set it.
                let mut before = r.last.requests[0].clone();
                let set = before.priority;
                before.priority = if set == Priority::Urgent {
                    Priority::Low
                } else {
                    Priority::Urgent
                };
                let cmd = Command::RequestEdit {
                    id: before.id,
                    edit: RequestEdit {
                        priority: Some(before.priority),
                        ..Default::default()
                    },
                };
                r.undoing = Some(Undoing {
                    before,
                    plan: None,
                    interfered: false,
                });
                let (prev, at) = (r.last.clone(), r.w.now());
                let v = step_inv("inv_undo_restores_the_record")(
                    r,
                    &prev,
                    &StepInfo {
                        actor: op_a(),
                        cmd,
                        at,
                        result: done(),
                    },
                );
                r.undoing = None;
                v
            }),
        ),
        (
            "inv_undo_restores_the_record",
            Box::new(|r: &mut Run| {
                // An undo carried out although someone else had changed the request.
                let before = r.last.requests[0].clone();
                let cmd = Command::RequestReopen {
                    id: before.id,
                    reason: "undo".into(),
                };
                r.undoing = Some(Undoing {
                    before,
                    plan: None,
                    interfered: true,
                });
                let (prev, at) = (r.last.clone(), r.w.now());
                let v = step_inv("inv_undo_restores_the_record")(
                    r,
                    &prev,
                    &StepInfo {
                        actor: op_a(),
                        cmd,
                        at,
                        result: done(),
                    },
                );
                r.undoing = None;
                v
            }),
        ),
        broken_step("inv_orders_keep_their_history", |r| {
            // An extension lost: the order's deadline is back where it was issued.
            let mut prev = r.last.clone();
            let mut o = fake_order(OrderStatus::Open, day(r.w.now()));
            let issued = o.deadline;
            o.deadline = issued + Duration::days(7);
            o.extensions.push(Extension {
                from: issued,
                to: o.deadline,
                reason: "延期".into(),
                by: "chen".into(),
                at: r.w.now(),
            });
            prev.orders.push(o.clone());
            o.extensions.clear();
            o.deadline = issued;
            r.last.orders.push(o);
            (prev, supervisor(), Command::OrderClose { id: order_id(1) }, done())
        }),
        broken_step("inv_order_steps_follow_the_process", |r| {
            // An open order closed without a response.
            let mut prev = r.last.clone();
            prev.orders.push(fake_order(OrderStatus::Open, day(r.w.now())));
            r.last.orders.push(fake_order(OrderStatus::Closed, day(r.w.now())));
            (prev, supervisor(), Command::OrderClose { id: order_id(1) }, done())
        }),
        broken_step("inv_reports_investigated_before_answered", |r| {
            // A report answered and closed without an investigation.
            let mut prev = r.last.clone();
            let mut report = fake_report(ReportStatus::Received);
            prev.reports.push(report.clone());
            report.status = ReportStatus::Closed;
            report.reply = Some("已处理".into());
            report.replied_by = Some("chen".into());
            r.last.reports.push(report);
            let cmd = Command::ReportReply {
                id: Id::new(IdKind::Report, YEAR, 1),
                reply: "已处理".into(),
            };
            (prev, supervisor(), cmd, done())
        }),
        broken_step("inv_order_deadline_not_past", |r| {
            let cmd = Command::OrderIssue {
                target: OrderTarget::Plan(plan_id(1)),
                finding: "整改".into(),
                required_action: "补材料".into(),
                deadline: day(r.w.now()) - Duration::days(1),
            };
            (r.last.clone(), supervisor(), cmd, done())
        }),
    ];

    let mut caught = BTreeSet::new();
    for (name, sabotage) in &sabotages {
        let keep = (
            r.last.clone(),
            r.prev.clone(),
            r.golive_calendar.clone(),
            r.rounds_at_rollback.clone(),
            r.frozen.clone(),
            r.w.now(),
        );
        // Untouched, the records keep every invariant.
        r.check().unwrap_or_else(|e| panic!("before sabotaging {name}: {e}"));
        let v = sabotage(&mut r);
        assert!(v.is_err(), "{name} did not notice its sabotage");
        eprintln!("{name}: {}", v.unwrap_err().detail);
        caught.insert(*name);
        let (last, prev, calendar, rollbacks, frozen, now) = keep;
        (r.last, r.prev, r.golive_calendar, r.rounds_at_rollback, r.frozen) = (last, prev, calendar, rollbacks, frozen);
        r.w.set_now(now);
    }
    let all: BTreeSet<&str> = STATE_INVARIANTS
        .iter()
        .map(|(n, _)| *n)
        .chain(STEP_INVARIANTS.iter().map(|(n, _)| *n))
        .collect();
    let untested: Vec<&&str> = all.difference(&caught).collect();
    assert!(untested.is_empty(), "no sabotage for {untested:?}");
}
