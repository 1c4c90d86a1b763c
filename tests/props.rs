//! Random sequences of commands from random actors, against a fresh database,
//! with the invariants of the process checked after every step: no sequence
//! reaches an invalid state (§3, §5.3).
//!
//! `BEIAN_PROPS_STATS=1 cargo test --test props -- --nocapture` prints, per case,
//! how many steps succeeded and where the plans ended up: a check that the
//! generator still reaches filing and rollbacks after a change to the rules.

mod common;

use std::collections::HashMap;

use beian::model::*;
use beian::service::{ArchiveFilter, Command, DossierView, PlanFilter, RequestFilter, Triage};
use beian::workflow::{golive_missing, submit_missing, PlanChange};
use beian::Error;
use chrono::{Duration, Local};
use common::*;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError};

// ===== the actions =====

#[derive(Debug, Clone)]
enum Act {
    /// The next step towards filing for a plan (see `next_step`), by the role
    /// that should take it; `alt` picks the other operator or approver (and
    /// makes a go-live fail and roll back).
    Advance {
        plan: u8,
        alt: bool,
    },
    NewRequest,
    Triage {
        req: u8,
        how: u8,
        other: u8,
    },
    Link {
        req: u8,
        plan: u8,
    },
    NewPlan {
        system: u8,
    },
    /// Write the plan in full, the window `days` ahead, leaving out change `drop`
    /// (when < 9), with a blackout justification when `justify`.
    Edit {
        plan: u8,
        days: i64,
        drop: u8,
        justify: bool,
    },
    Return {
        plan: u8,
        reason: bool,
    },
    Cancel {
        plan: u8,
        reason: bool,
    },
    Round {
        plan: u8,
        copy: bool,
    },
    Item {
        plan: u8,
    },
    Result {
        plan: u8,
        item: u8,
        result: u8,
    },
    Defect {
        plan: u8,
        severity: u8,
    },
    DefectStatus {
        plan: u8,
        no: u8,
        status: u8,
    },
    Backup {
        plan: u8,
    },
    /// A go-live; `back` chooses how long before now the operator says it happened.
    GoLive {
        plan: u8,
        outcome: u8,
        back: u8,
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
    /// The admin adds a blackout period `days` ahead.
    Calendar {
        days: i64,
        hard: bool,
    },
    Order {
        plan: u8,
    },
    Report,
    ReadReports,
    /// A plan edit based on a revision that is not the current one.
    Stale {
        plan: u8,
    },
    Wait {
        hours: u16,
    },
}

#[derive(Debug, Clone)]
struct Step {
    act: Act,
    /// Index into [`actors`].
    who: u8,
}

/// Operator a, operator b, the approver, an operator who also approves, the
/// supervisor, a viewer, and the admin.
fn actors() -> [Actor; 7] {
    [
        op_a(),
        op_b(),
        approver(),
        op_approver(),
        supervisor(),
        viewer(),
        admin(),
    ]
}

fn act() -> impl Strategy<Value = Act> {
    let u = any::<u8>;
    prop_oneof![
        40 => (u(), any::<bool>()).prop_map(|(plan, alt)| Act::Advance { plan, alt }),
        2 => Just(Act::NewRequest),
        3 => (u(), 0u8..7, u()).prop_map(|(req, how, other)| Act::Triage { req, how, other }),
        2 => (u(), u()).prop_map(|(req, plan)| Act::Link { req, plan }),
        1 => u().prop_map(|system| Act::NewPlan { system }),
        2 => (u(), 1i64..16, 0u8..14, any::<bool>())
            .prop_map(|(plan, days, drop, justify)| Act::Edit { plan, days, drop, justify }),
        1 => (u(), any::<bool>()).prop_map(|(plan, reason)| Act::Return { plan, reason }),
        1 => (u(), any::<bool>()).prop_map(|(plan, reason)| Act::Cancel { plan, reason }),
        1 => (u(), any::<bool>()).prop_map(|(plan, copy)| Act::Round { plan, copy }),
        2 => u().prop_map(|plan| Act::Item { plan }),
        2 => (u(), 1u8..5, 0u8..5).prop_map(|(plan, item, result)| Act::Result { plan, item, result }),
        1 => (u(), 0u8..4).prop_map(|(plan, severity)| Act::Defect { plan, severity }),
        1 => (u(), 1u8..4, 0u8..4).prop_map(|(plan, no, status)| Act::DefectStatus { plan, no, status }),
        1 => u().prop_map(|plan| Act::Backup { plan }),
        2 => (u(), 0u8..3, 0u8..4).prop_map(|(plan, outcome, back)| Act::GoLive { plan, outcome, back }),
        1 => (u(), any::<bool>()).prop_map(|(plan, remove)| Act::Comparison { plan, remove }),
        1 => u().prop_map(|plan| Act::File { plan }),
        1 => (u(), any::<bool>()).prop_map(|(dossier, reason)| Act::Addendum { dossier, reason }),
        1 => (0i64..20, any::<bool>()).prop_map(|(days, hard)| Act::Calendar { days, hard }),
        1 => u().prop_map(|plan| Act::Order { plan }),
        1 => Just(Act::Report),
        1 => Just(Act::ReadReports),
        1 => u().prop_map(|plan| Act::Stale { plan }),
        2 => (1u16..80).prop_map(|hours| Act::Wait { hours }),
    ]
}

fn steps(max: usize) -> impl Strategy<Value = Vec<Step>> {
    // Mostly the operators, who do most of the work.
    let who = prop_oneof![4 => Just(0u8), 3 => Just(1u8), 1 => 2u8..7];
    prop::collection::vec((act(), who).prop_map(|(act, who)| Step { act, who }), 1..=max)
}

// ===== everything observable =====

#[derive(Debug, Clone, PartialEq)]
struct Snapshot {
    systems: Vec<System>,
    requests: Vec<Request>,
    plans: Vec<Plan>,
    dossiers: Vec<DossierView>,
    orders: Vec<RectificationOrder>,
    calendar: Vec<Blackout>,
    /// Oldest first.
    audit: Vec<AuditEvent>,
}

fn snapshot(w: &World) -> Snapshot {
    let s = supervisor();
    let svc = &w.svc;
    let requests = svc.requests(&s, &RequestFilter::default()).unwrap();
    let plans = svc.plans(&s, &PlanFilter::default()).unwrap();
    let mut dossiers = svc.archive(&s, &ArchiveFilter::default()).unwrap();
    dossiers.sort_by_key(|d| d.id);
    let mut audit = svc.audit(&s, None, usize::MAX).unwrap();
    audit.reverse();
    Snapshot {
        systems: svc.systems(&s).unwrap(),
        requests: requests.iter().map(|r| svc.request(&s, r.id).unwrap()).collect(),
        plans: plans.iter().map(|p| svc.plan(&s, p.id).unwrap()).collect(),
        dossiers: dossiers.iter().map(|d| svc.dossier(&s, d.id).unwrap()).collect(),
        orders: svc.orders(&s).unwrap(),
        calendar: svc.calendar(&s).unwrap(),
        audit,
    }
}

// ===== one run =====

struct Run {
    w: World,
    /// Go-live times entered up to a day before now (operators recording late).
    backdate: bool,
    /// Audit events there should be: one per successful command or report read.
    events: usize,
    /// Each dossier and filed plan as first seen.
    dossiers: HashMap<Id, Dossier>,
    filed: HashMap<Id, Plan>,
    /// Rounds a plan had when a go-live of it was rolled back.
    rounds_at_rollback: HashMap<Id, usize>,
    periods: u32,
    last: Snapshot,
    log: Vec<String>,
}

type Check = Result<(), String>;

const TESTING: &[PlanStatus] = &[PlanStatus::Implementing, PlanStatus::Testing, PlanStatus::Ready];

macro_rules! ensure {
    ($cond:expr, $($fmt:tt)+) => {
        if !$cond {
            return Err(format!($($fmt)+));
        }
    };
}

/// An id from `ids` chosen by `n`, or now and then one that does not exist.
fn pick(ids: &[Id], n: u8, kind: IdKind) -> Id {
    let k = n as usize % (ids.len() + 1);
    ids.get(k)
        .copied()
        .unwrap_or_else(|| Id::new(kind, YEAR, ids.len() as u32 + 7))
}

impl Run {
    fn new(backdate: bool) -> Run {
        let w = World::new();
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
            backdate,
            events,
            dossiers: HashMap::new(),
            filed: HashMap::new(),
            rounds_at_rollback: HashMap::new(),
            periods: 0,
            last,
            log: Vec::new(),
        }
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
    fn current(&self, id: Id) -> Option<&Plan> {
        self.last.plans.iter().find(|p| p.id == id)
    }

    /// The command a step stands for, who runs it, and the revision it expects.
    fn command(&mut self, step: &Step) -> Option<(Actor, Command, Option<u64>)> {
        let all = actors();
        let who = all[step.who as usize % all.len()].clone();
        let now = self.w.now();
        // `exec` moves the clock one minute before running the command.
        let at = now + Duration::minutes(1);
        let cmd = match step.act {
            Act::Advance { plan, alt } => {
                // Prefer the plans still under way.
                let open: Vec<Id> = self
                    .last
                    .plans
                    .iter()
                    .filter(|p| !matches!(p.status, PlanStatus::Filed | PlanStatus::Cancelled))
                    .map(|p| p.id)
                    .collect();
                let id = if open.is_empty() || plan.is_multiple_of(8) {
                    self.plan(plan)
                } else {
                    open[plan as usize % open.len()]
                };
                let p = self.current(id)?.clone();
                let (actor, cmd) = match next_step(&p, now) {
                    Some((Who::Operator, cmd)) => (if alt { op_b() } else { op_a() }, cmd),
                    Some((Who::Approver, cmd)) => (if alt { op_approver() } else { approver() }, cmd),
                    None => {
                        let dossier = p.dossier?;
                        let cmd = Command::Addendum {
                            dossier,
                            reason: "补充".into(),
                            text: "补充说明".into(),
                        };
                        (op_a(), cmd)
                    }
                };
                // A go-live is recorded when it happens; the other operator's
                // go-lives are rolled back.
                let cmd = match cmd {
                    Command::GoLive { plan, golive: g } => Command::GoLive {
                        plan,
                        golive: GoLive {
                            time: at,
                            outcome: if alt { GoLiveOutcome::RolledBack } else { g.outcome },
                            ..g
                        },
                    },
                    c => c,
                };
                return Some((actor, cmd, None));
            }
            Act::NewRequest => new_request("随机需求", Some(self.w.system)),
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
                Command::RequestTriage { id, triage }
            }
            Act::Link { req, plan } => Command::RequestLink {
                id: pick(&self.request_ids(), req, IdKind::Request),
                plan: self.plan_in(plan, &[PlanStatus::Draft, PlanStatus::Returned]),
            },
            Act::NewPlan { system } => Command::PlanNew {
                system: pick(&[sys_id(1), sys_id(2)], system, IdKind::System),
                title: "随机计划".into(),
                version_from: None,
                version_to: "next".into(),
            },
            Act::Edit {
                plan,
                days,
                drop,
                justify,
            } => {
                let mut changes = full_changes_with_window(window_after(now, days));
                if (drop as usize) < changes.len() {
                    changes.remove(drop as usize);
                }
                if justify {
                    changes.push(PlanChange::BlackoutOverride(Some("安全补丁".into())));
                }
                Command::PlanEdit {
                    id: self.plan_in(plan, &[PlanStatus::Draft, PlanStatus::Returned]),
                    changes,
                }
            }
            Act::Return { plan, reason } => Command::PlanReturn {
                id: self.plan_in(plan, &[PlanStatus::Submitted]),
                reason: if reason { "再议".into() } else { String::new() },
                minutes_ref: "LG".into(),
            },
            Act::Cancel { plan, reason } => Command::PlanCancel {
                id: self.plan(plan),
                reason: if reason { "取消".into() } else { "  ".into() },
            },
            Act::Round { plan, copy } => Command::TestRound {
                plan: self.plan_in(plan, TESTING),
                copy_unfinished: copy,
            },
            Act::Item { plan } => test_item(self.plan_in(plan, TESTING)),
            Act::Result { plan, item, result } => {
                let result = TestResult::ALL[result as usize % TestResult::ALL.len()];
                Command::TestResult {
                    plan: self.plan_in(plan, TESTING),
                    item: item as u32,
                    result,
                    waiver: item.is_multiple_of(2).then(|| "旧版浏览器".into()),
                    notes: None,
                }
            }
            Act::Defect { plan, severity } => Command::DefectAdd {
                plan: self.plan_in(plan, TESTING),
                severity: Severity::ALL[severity as usize % Severity::ALL.len()],
                description: "缺陷".into(),
                found_by: tester(),
                item: None,
                vendor_ref: None,
            },
            Act::DefectStatus { plan, no, status } => Command::DefectUpdate {
                plan: self.plan_in(plan, TESTING),
                defect: no as u32,
                status: Some(DefectStatus::ALL[status as usize % DefectStatus::ALL.len()]),
                vendor_ref: None,
            },
            Act::Backup { plan } => Command::Backup {
                plan: self.plan_in(plan, TESTING),
                backup: backup(),
            },
            Act::GoLive { plan, outcome, back } => {
                let back = if self.backdate {
                    [0, 0, 30, 24 * 60][back as usize % 4]
                } else {
                    0
                };
                Command::GoLive {
                    plan: self.plan_in(plan, &[PlanStatus::Ready]),
                    golive: golive(
                        at - Duration::minutes(back),
                        GoLiveOutcome::ALL[outcome as usize % GoLiveOutcome::ALL.len()],
                    ),
                }
            }
            Act::Comparison { plan, remove } => {
                let plan = self.plan_in(plan, &[PlanStatus::Live, PlanStatus::Testing]);
                if remove {
                    Command::ComparisonRemove { plan, row: 1 }
                } else {
                    Command::ComparisonAdd {
                        plan,
                        row: comparison_row(),
                    }
                }
            }
            Act::File { plan } => Command::File {
                plan: self.plan_in(plan, &[PlanStatus::Live, PlanStatus::Ready]),
            },
            Act::Addendum { dossier, reason } => {
                let ids: Vec<Id> = self.last.dossiers.iter().map(|d| d.dossier.id).collect();
                Command::Addendum {
                    dossier: pick(&ids, dossier, IdKind::Dossier),
                    reason: if reason { "更正".into() } else { String::new() },
                    text: "更正说明".into(),
                }
            }
            Act::Calendar { days, hard } => {
                self.periods += 1;
                let start = (now + Duration::days(days)).with_timezone(&Local).date_naive();
                let cmd = Command::CalendarAdd {
                    period: Blackout {
                        name: format!("period {}", self.periods),
                        start,
                        end: start + Duration::days(2),
                        hard,
                    },
                };
                return Some((admin(), cmd, None));
            }
            Act::Order { plan } => Command::OrderIssue {
                target: OrderTarget::Plan(self.plan(plan)),
                finding: "整改".into(),
                required_action: "补材料".into(),
                deadline: (now + Duration::days(14)).date_naive(),
            },
            Act::Report => Command::ReportSubmit {
                content: "举报内容".into(),
                contact: None,
            },
            Act::ReadReports | Act::Wait { .. } => return None,
            Act::Stale { plan } => {
                let id = self.plan(plan);
                let rev = self.current(id).map_or(1, |p| p.meta.rev);
                let stale = if rev > 1 { rev - 1 } else { rev + 1 };
                return Some((
                    who,
                    Command::PlanEdit {
                        id,
                        changes: vec![PlanChange::Goals("基于旧版本的修改".into())],
                    },
                    Some(stale),
                ));
            }
        };
        Some((who, cmd, None))
    }

    fn step(&mut self, step: &Step) -> Check {
        match step.act {
            Act::Wait { hours } => {
                self.w.wait(Duration::hours(hours as i64));
                self.log.push(format!("wait {hours}h"));
                return Ok(());
            }
            Act::ReadReports => return self.read_reports(step),
            _ => {}
        }
        let Some((actor, cmd, rev)) = self.command(step) else {
            return Ok(());
        };
        let line = format!("{} {:?} rev {:?}", actor.name, cmd, rev);
        let golive = match &cmd {
            Command::GoLive { plan, golive } => Some((*plan, golive.outcome)),
            _ => None,
        };
        let result = self.w.exec_rev(&actor, cmd, rev);
        self.log.push(match &result {
            Ok(o) => format!("{line}\n    -> ok {} {}", o.entity, o.summary),
            Err(e) => format!("{line}\n    -> {}", e.message()),
        });
        let now = snapshot(&self.w);
        match result {
            Ok(out) => {
                self.events += 1;
                ensure!(
                    out.seq as usize == self.events,
                    "outcome seq {} but {} events expected",
                    out.seq,
                    self.events
                );
                if let Some((plan, GoLiveOutcome::RolledBack)) = golive {
                    let p = now.plans.iter().find(|p| p.id == plan).unwrap();
                    self.rounds_at_rollback.insert(plan, p.rounds.len());
                }
            }
            Err(e) => {
                ensure!(
                    matches!(
                        e,
                        Error::Rule(_) | Error::Conflict { .. } | Error::NotFound { .. } | Error::Input { .. }
                    ),
                    "unexpected kind of error: {e:?}"
                );
                let m = e.message();
                ensure!(
                    !m.is_empty() && !m.starts_with("rule.") && !m.starts_with("error.") && !m.starts_with("gate."),
                    "untranslated message {m:?}"
                );
                ensure!(
                    now == self.last,
                    "a refused command ({}) changed the records",
                    e.message()
                );
            }
        }
        self.last = now;
        self.check()
    }

    fn read_reports(&mut self, step: &Step) -> Check {
        let all = actors();
        let who = &all[step.who as usize % all.len()];
        match self.w.svc.reports(who) {
            Ok(list) => {
                ensure!(who.has(Role::Supervisor), "{} read the reports", who.name);
                self.events += 1;
                for (n, r) in list.iter().enumerate() {
                    ensure!(
                        r.id == Id::new(IdKind::Report, YEAR, n as u32 + 1),
                        "report ids have a gap: {}",
                        r.id
                    );
                }
            }
            Err(e) => {
                ensure!(
                    !who.has(Role::Supervisor),
                    "the supervisor could not read reports: {e:?}"
                );
                ensure!(
                    matches!(e, Error::Rule(beian::workflow::RuleError::Forbidden { .. })),
                    "{e:?}"
                );
            }
        }
        self.log.push(format!("{} reads the reports", who.name));
        self.last = snapshot(&self.w);
        self.check()
    }

    /// The invariants of the process, on the state after a step.
    fn check(&mut self) -> Check {
        let s = &self.last;
        let notice_days = self.w.svc.config().process.notice_days as i64;

        // The audit log: one event per success, numbered 1..=n without gaps.
        ensure!(
            s.audit.len() == self.events,
            "{} audit events, {} expected",
            s.audit.len(),
            self.events
        );
        for (n, e) in s.audit.iter().enumerate() {
            ensure!(e.seq == n as u64 + 1, "audit seq {} at position {}", e.seq, n + 1);
        }

        // Ids allocated without gaps.
        let contiguous = |ids: Vec<Id>, kind: IdKind| -> Check {
            for (n, id) in ids.iter().enumerate() {
                let want = if kind.yearly() {
                    Id::new(kind, YEAR, n as u32 + 1)
                } else {
                    Id::new(kind, 0, n as u32 + 1)
                };
                ensure!(*id == want, "{kind:?} ids have a gap: {id} where {want} was due");
            }
            Ok(())
        };
        contiguous(s.requests.iter().map(|r| r.id).collect(), IdKind::Request)?;
        contiguous(s.plans.iter().map(|p| p.id).collect(), IdKind::Plan)?;
        contiguous(s.dossiers.iter().map(|d| d.dossier.id).collect(), IdKind::Dossier)?;
        contiguous(s.orders.iter().map(|o| o.id).collect(), IdKind::Order)?;
        contiguous(s.systems.iter().map(|o| o.id).collect(), IdKind::System)?;

        let plan = |id: Id| s.plans.iter().find(|p| p.id == id);
        let request = |id: Id| s.requests.iter().find(|r| r.id == id);

        for p in &s.plans {
            let id = p.id;
            let st = p.status;
            use PlanStatus as S;
            let author = &p.meta.created_by;

            if matches!(st, S::Testing | S::Ready) {
                let missing = golive_missing(p);
                ensure!(
                    (st == S::Ready) == missing.is_empty(),
                    "{id} is {st} with go-live gate {missing:?}"
                );
            }
            if let Some(&k) = self.rounds_at_rollback.get(&id) {
                if matches!(st, S::Ready | S::Live | S::Filed) {
                    ensure!(p.rounds.len() > k, "{id} is {st} on round {k}, which was rolled back");
                }
            }
            let past_submit = !matches!(st, S::Draft | S::Returned | S::Cancelled);
            if past_submit {
                ensure!(
                    submit_missing(p).is_empty(),
                    "{id} is {st} but misses {:?}",
                    submit_missing(p)
                );
            }
            let past_approval = past_submit && st != S::Submitted;
            if past_approval {
                let a = p.latest_approval();
                ensure!(
                    a.is_some_and(|a| a.decision == Decision::Approved && &a.approver != author),
                    "{id} is {st} without approval by someone other than {author}: {:?}",
                    p.approvals
                );
            }
            if past_approval && st != S::Approved {
                ensure!(p.notice.is_some(), "{id} is {st} without a notice");
            }
            if matches!(st, S::Implementing | S::Testing | S::Ready | S::Live | S::Filed) {
                let (n, w) = (p.notice.as_ref().unwrap(), p.window.as_ref().unwrap());
                ensure!(
                    w.start - n.published_at >= Duration::days(notice_days),
                    "{id} is {st}: notice {} for a window at {}",
                    n.published_at,
                    w.start
                );
            }
            if matches!(st, S::Live | S::Filed) {
                ensure!(p.live_golive().is_some(), "{id} is {st} without a go-live");
                ensure!(p.backup.is_some(), "{id} is {st} without a backup");
                let r = p.latest_round();
                ensure!(
                    r.is_some_and(|r| !r.items.is_empty()
                        && r.items
                            .iter()
                            .all(|i| matches!(i.result, TestResult::Pass | TestResult::Waived))),
                    "{id} is {st} without a passed test round"
                );
                ensure!(
                    !p.defects.iter().any(|d| d.status == DefectStatus::Open
                        && matches!(d.severity, Severity::Critical | Severity::Major)),
                    "{id} is {st} with an open critical/major defect"
                );
            }
            if st == S::Filed {
                ensure!(!p.comparison.is_empty(), "{id} filed without a comparison");
                let did = p.dossier.ok_or(format!("{id} filed without a dossier"))?;
                let view = s
                    .dossiers
                    .iter()
                    .find(|d| d.dossier.id == did)
                    .ok_or(format!("{did} missing"))?;
                ensure!(view.dossier.plan == *p, "{did} does not hold {id} as it is");
                let first = self.dossiers.entry(did).or_insert_with(|| view.dossier.clone());
                ensure!(*first == view.dossier, "{did} changed after filing");
                let first = self.filed.entry(id).or_insert_with(|| p.clone());
                ensure!(first == p, "{id} changed after filing");
            } else {
                ensure!(p.dossier.is_none(), "{id} is {st} with a dossier");
            }
            if st == S::Cancelled {
                ensure!(
                    p.cancel_reason.as_deref().is_some_and(|r| !r.trim().is_empty()),
                    "{id} cancelled without reason"
                );
            } else {
                for rid in &p.requests {
                    let r = request(*rid).ok_or(format!("{id} lists missing {rid}"))?;
                    let want = if st == S::Filed {
                        RequestStatus::Done
                    } else {
                        RequestStatus::Planned
                    };
                    ensure!(
                        r.status == want && r.plan == Some(id),
                        "{id} ({st}) lists {rid}, {} for {:?}",
                        r.status,
                        r.plan
                    );
                }
            }
        }
        ensure!(
            s.dossiers.len() == s.plans.iter().filter(|p| p.status == PlanStatus::Filed).count(),
            "dossiers and filed plans do not match"
        );
        for d in &s.dossiers {
            let p = plan(d.dossier.plan.id).ok_or("dossier of a missing plan")?;
            ensure!(p.dossier == Some(d.dossier.id), "{} names {:?}", p.id, p.dossier);
            for (n, a) in d.addenda.iter().enumerate() {
                ensure!(a.no == n as u32 + 1, "addendum numbers of {} have a gap", d.dossier.id);
            }
        }
        for r in &s.requests {
            let id = r.id;
            match r.status {
                RequestStatus::Planned | RequestStatus::Done => {
                    let pid = r.plan.ok_or(format!("{id} is {} without a plan", r.status))?;
                    let p = plan(pid).ok_or(format!("{id} names missing {pid}"))?;
                    ensure!(p.requests.contains(&id), "{pid} does not list {id}");
                    if r.status == RequestStatus::Done {
                        ensure!(p.status == PlanStatus::Filed, "{id} is done but {pid} is {}", p.status);
                    } else {
                        ensure!(
                            !matches!(p.status, PlanStatus::Filed | PlanStatus::Cancelled),
                            "{id} is planned in {pid}, which is {}",
                            p.status
                        );
                    }
                }
                RequestStatus::Accepted => ensure!(r.plan.is_none(), "{id} is accepted but names {:?}", r.plan),
                RequestStatus::Duplicate => {
                    ensure!(
                        r.duplicate_of.is_some_and(|o| o != id),
                        "{id} is a duplicate of {:?}",
                        r.duplicate_of
                    )
                }
                RequestStatus::Rejected => {
                    ensure!(
                        r.reject_reason.as_deref().is_some_and(|x| !x.trim().is_empty()),
                        "{id} rejected without reason"
                    )
                }
                _ => {}
            }
        }
        Ok(())
    }
}

fn run(steps: &[Step], backdate: bool) -> Result<(), TestCaseError> {
    let _en = english();
    let mut r = Run::new(backdate);
    r.check().map_err(TestCaseError::fail)?;
    for s in steps {
        if let Err(e) = r.step(s) {
            return Err(TestCaseError::fail(format!("{e}\nafter:\n  {}", r.log.join("\n  "))));
        }
    }
    if std::env::var_os("BEIAN_PROPS_STATS").is_some() {
        let st: Vec<String> = r.last.plans.iter().map(|p| p.status.to_string()).collect();
        let ok = r.log.iter().filter(|l| l.contains("-> ok")).count();
        eprintln!(
            "STATS steps {} ok {ok} rollbacks {} plans {st:?}",
            steps.len(),
            r.rounds_at_rollback.len()
        );
    }
    Ok(())
}

/// The longest sequence: long enough for several plans to reach filing.
const STEPS: usize = 100;

fn config(cases: u32) -> Config {
    Config {
        cases,
        failure_persistence: None,
        max_shrink_time: 60_000,
        ..Config::default()
    }
}

proptest! {
    #![proptest_config(config(96))]

    /// Go-lives are recorded when they happen.
    #[test]
    fn random_sequences_keep_the_invariants(steps in steps(STEPS)) {
        run(&steps, false)?;
    }
}

proptest! {
    #![proptest_config(config(64))]

    /// Go-lives are sometimes recorded late, with the time they happened.
    #[test]
    fn late_recorded_go_lives_keep_the_invariants(steps in steps(STEPS)) {
        run(&steps, true)?;
    }
}

/// The driver alone files plans: the invariants hold along the whole way, and a
/// sequence of advances reaches filing (so the random runs can get there too).
#[test]
fn advancing_alone_files_a_plan() {
    let steps: Vec<Step> = (0..40)
        .map(|_| Step {
            act: Act::Advance { plan: 0, alt: false },
            who: 0,
        })
        .collect();
    let _en = english();
    let mut r = Run::new(false);
    for s in &steps {
        r.step(s).unwrap_or_else(|e| panic!("{e}\n{}", r.log.join("\n")));
    }
    let p = r.w.plan(plan_id(1));
    assert_eq!(p.status, PlanStatus::Filed, "{}", r.log.join("\n"));
    assert_eq!(r.w.request(req_id(1)).status, RequestStatus::Accepted);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]

    /// The import's duplicate index answers exactly what comparing with every key would.
    #[test]
    fn duplicate_index_equals_the_pairwise_rule(
        stored in proptest::collection::vec((0u8..3, "[教务系统登录无法abc]{0,9}"), 0..40),
        probes in proptest::collection::vec((0u8..3, "[教务系统登录无法abc]{0,9}"), 1..20),
    ) {
        use beian::model::{Id, IdKind};
        use beian::workflow::{likely_duplicate, DuplicateIndex};
        let sys = |n: u8| (n > 0).then(|| Id::new(IdKind::System, 0, n as u32));
        let mut index = DuplicateIndex::default();
        for (s, k) in &stored {
            index.insert(sys(*s), k);
        }
        for (s, k) in &probes {
            let naive = stored.iter().any(|(s2, k2)| likely_duplicate(sys(*s), k, sys(*s2), k2));
            prop_assert_eq!(index.matches(sys(*s), k), naive, "probe {:?} {:?}", s, k);
        }
    }
}
