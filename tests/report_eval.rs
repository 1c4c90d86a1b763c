//! The evaluation (§4.3) and contributions (§5.2) reports: on the demo semester
//! every figure equals the one counted naively from the records here; on a small
//! hand-built database the lead times are known exactly. Awards and penalties:
//! who may record them, and that they reach the contributions report.

mod common;

use std::collections::BTreeMap;

use beian::model::*;
use beian::report::{self, Contributions, Report};
use beian::service::{ArchiveFilter, Command, PlanFilter, RequestFilter, Service};
use beian::workflow::{Op, RuleError};
use beian::Error;
use chrono::{Duration, NaiveDate, TimeZone, Utc};
use common::*;

fn tz() {
    static TZ: std::sync::Once = std::sync::Once::new();
    TZ.call_once(|| std::env::set_var("TZ", "Asia/Shanghai"));
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn demo() -> (tempfile::TempDir, Service, Actor) {
    tz();
    let dir = tempfile::tempdir().unwrap();
    let mut svc = Service::create(&dir.path().join("data"), "boss", true).unwrap();
    let now = Utc.with_ymd_and_hms(2026, 11, 29, 10, 0, 0).unwrap();
    beian::demo::populate(&mut svc, now).unwrap();
    let viewer = Actor::new("huangli", &[Role::Viewer]);
    (dir, svc, viewer)
}

/// Every plan as the records hold it (filed ones are the same in the plans tree
/// and in their dossier).
fn all_plans(svc: &Service, a: &Actor) -> Vec<Plan> {
    svc.plans(a, &PlanFilter::default())
        .unwrap()
        .into_iter()
        .map(|p| svc.plan(a, p.id).unwrap())
        .collect()
}

#[test]
fn on_the_demo_data_every_figure_is_the_one_counted_from_the_records() {
    let _en = english();
    let (_dir, svc, viewer) = demo();
    let (from, to) = (date(2026, 1, 1), date(2026, 12, 31));
    let r: Report = svc.evaluation(&viewer, from, to).unwrap();
    let in_period = |d: NaiveDate| d >= from && d <= to;

    // Filed dossiers and live plans per system.
    let mut filed: BTreeMap<Id, usize> = BTreeMap::new();
    for d in svc.archive(&viewer, &ArchiveFilter::default()).unwrap() {
        if d.live_at.is_some_and(|t| in_period(report::day(t))) {
            *filed.entry(d.system).or_default() += 1;
        }
    }
    assert!(filed.values().sum::<usize>() > 3, "the demo files updates: {filed:?}");
    let mut counted: BTreeMap<Id, usize> = BTreeMap::new();
    for u in r.updates.iter().filter(|u| u.status == PlanStatus::Filed) {
        assert!(u.dossier.is_some());
        *counted.entry(u.system).or_default() += 1;
    }
    assert_eq!(counted, filed, "filed updates per system");
    let plans = all_plans(&svc, &viewer);
    let live = plans
        .iter()
        .filter(|p| p.status == PlanStatus::Live)
        .filter(|p| p.live_golive().is_some_and(|g| in_period(report::day(g.time))))
        .count();
    assert_eq!(r.updates.len(), filed.values().sum::<usize>() + live);
    assert_eq!(
        r.updates_by_system_month.iter().map(|m| m.updates).sum::<usize>(),
        r.updates.len()
    );

    // Defects by severity, reported in the period.
    for s in &r.defects_by_severity {
        let naive = plans
            .iter()
            .flat_map(|p| &p.defects)
            .filter(|d| d.severity == s.severity && in_period(report::day(d.reported_at)))
            .count();
        assert_eq!(s.defects, naive, "{} defects", s.severity);
    }
    let total: usize = r.defects_by_severity.iter().map(|s| s.defects).sum();
    assert!(total > 0, "the demo has defects");
    assert_eq!(r.defects_by_finder.iter().map(|f| f.total).sum::<usize>(), total);

    // Training sessions and attendance.
    let sessions: Vec<&Training> = plans
        .iter()
        .flat_map(|p| &p.training)
        .filter(|t| in_period(t.date))
        .collect();
    assert!(!sessions.is_empty());
    assert_eq!(r.training.sessions, sessions.len());
    assert_eq!(
        r.training.attendance,
        sessions.iter().map(|t| t.attendance as u64).sum::<u64>()
    );

    // Test rounds of the updates.
    let rounds: usize = r
        .updates
        .iter()
        .map(|u| plans.iter().find(|p| p.id == u.plan).unwrap().rounds.len())
        .sum();
    assert_eq!(r.test_rounds.rounds, rounds);

    // Blackout overrides: plans with a justification.
    let overrides = plans
        .iter()
        .filter(|p| {
            !p.blackout_overrides.is_empty() || p.blackout_override.as_deref().is_some_and(|j| !j.trim().is_empty())
        })
        .filter(|p| p.window.as_ref().is_some_and(|w| in_period(report::day(w.start))))
        .count();
    assert_eq!(r.blackout_overrides.len(), overrides);
    assert!(overrides > 0, "the demo justifies a window in a soft period");

    // Requests by channel and status.
    let requests = svc.requests(&viewer, &RequestFilter::default()).unwrap();
    for c in &r.requests_by_channel {
        for (status, n) in &c.by_status {
            let naive = requests
                .iter()
                .filter(|q| q.channel == c.channel && q.status == *status && in_period(report::day(q.received_at)))
                .count();
            assert_eq!(*n, naive, "{} {}", c.channel, status);
        }
    }
    assert_eq!(
        r.requests_received,
        requests
            .iter()
            .filter(|q| in_period(report::day(q.received_at)))
            .count()
    );

    // Overdue orders are the ones the overview highlights.
    let overview = svc.overview(&viewer).unwrap();
    let overdue: Vec<Id> = r.orders.overdue.iter().map(|o| o.id).collect();
    assert_eq!(overdue, overview.overdue_orders);

    // The JSON is complete: it reads back as the same report.
    let text = serde_json::to_string(&r).unwrap();
    assert_eq!(serde_json::from_str::<Report>(&text).unwrap(), r);

    // Markdown and CSV have every table.
    let md = r.markdown();
    for t in r.tables() {
        assert!(md.contains(&format!("## {}", t.title)), "{}", t.name);
        let csv = report::render::csv_table(&t);
        assert_eq!(csv.lines().count(), t.rows.len() + 1, "{}", t.name);
    }
}

/// Issue 18 §3: contributions on the demo data have one row per person,
/// whatever way the records write the name, and each figure equals a naive
/// count over the raw records.
#[test]
fn contributions_on_the_demo_data_have_one_row_per_person_and_add_up() {
    let _en = english();
    let (_dir, svc, viewer) = demo();
    let (from, to) = (date(2026, 1, 1), date(2026, 12, 31));
    let in_period = |d: NaiveDate| d >= from && d <= to;
    let c: Contributions = svc.contributions(&viewer, from, to).unwrap();
    let plans = all_plans(&svc, &viewer);
    let register = svc.register(&viewer).unwrap();

    // One row per person: no register person twice, no name and department twice.
    let mut ids = std::collections::BTreeSet::new();
    let mut names = std::collections::BTreeSet::new();
    for p in &c.people {
        if let Some(id) = p.person {
            assert!(ids.insert(id), "{id} has two rows");
        }
        assert!(
            names.insert((p.name.clone(), p.department.clone())),
            "{} {} twice",
            p.name,
            p.department
        );
        assert!(!p.ambiguous, "{} is left ambiguous in the demo", p.name);
    }
    // 刘洋 is written 刘洋（信息化管理中心） as a tester and a finder, and is
    // the recipient of an award: one row, linked to the register.
    let liu = register.people.iter().find(|p| p.login == "liuyang").unwrap();
    let row = c.people.iter().find(|p| p.person == Some(liu.id)).expect("刘洋's row");
    assert!(row.defect_score > 0.0 && row.awards == 1, "{row:?}");
    assert_eq!(c.people.iter().filter(|p| p.name == "刘洋").count(), 1);
    // The trainer 陈静 (bare, and the library has a 陈静 too) is the IMC's, as
    // the demo's operator resolved it.
    let chen = register.people.iter().find(|p| p.login == "chenjing").unwrap();
    assert!(c.people.iter().any(|p| p.person == Some(chen.id) && p.trainings >= 1));
    // (A submitter 陈静 of another department would be someone else, on a row
    // without a register id: not a second row of either register 陈静.)
    assert!(!c
        .people
        .iter()
        .any(|p| p.name == "陈静" && (p.ambiguous || p.person.is_some_and(|id| id != chen.id))));

    // Defects: the finders' weighted sum.
    let score: f64 = plans
        .iter()
        .flat_map(|p| &p.defects)
        .filter(|d| in_period(report::day(d.reported_at)))
        .map(|d| report::weight(d.severity))
        .sum();
    assert!(score > 0.0);
    let people: f64 = c.people.iter().map(|p| p.defect_score).sum();
    assert!((people - score).abs() < 1e-9, "{people} vs {score}");

    // Adopted suggestions: feature requests of a plan that went live in the
    // period; problem reports the same way, counted apart.
    let live: std::collections::BTreeSet<Id> = plans
        .iter()
        .filter(|p| p.live_golive().is_some_and(|g| in_period(report::day(g.time))))
        .map(|p| p.id)
        .collect();
    let requests: Vec<Request> = svc
        .requests(&viewer, &RequestFilter::default())
        .unwrap()
        .into_iter()
        .map(|s| svc.request(&viewer, s.id).unwrap())
        .collect();
    let naive = |kind: RequestKind| {
        requests
            .iter()
            .filter(|r| r.kind == kind && r.plan.is_some_and(|p| live.contains(&p)))
            .filter(|r| r.submitter.kind != SubmitterType::Department)
            .count()
    };
    let adopted = naive(RequestKind::Feature);
    assert!(adopted > 0);
    assert_eq!(c.people.iter().map(|p| p.adopted).sum::<usize>(), adopted);
    assert_eq!(
        c.people.iter().map(|p| p.problems).sum::<usize>(),
        naive(RequestKind::Problem)
    );
    // A request of a plan not live in the period is no adopted suggestion.
    assert!(requests
        .iter()
        .any(|r| r.kind == RequestKind::Feature && r.status == RequestStatus::Accepted && r.plan.is_none()));

    // Technical help: each staff line of a plan live in the period.
    let help: usize = plans
        .iter()
        .filter(|p| live.contains(&p.id))
        .map(|p| p.staff.len())
        .sum();
    assert!(help > 0);
    assert_eq!(c.people.iter().map(|p| p.help).sum::<usize>(), help);

    // The team award reaches every member of the first filed update's staff.
    let team = c
        .recognitions
        .iter()
        .find_map(|r| match &r.recipient {
            Recipient::Team { members, .. } => Some(members.clone()),
            _ => None,
        })
        .expect("the demo's team award");
    assert!(team.len() >= 2);
    assert_eq!(c.people.iter().map(|p| p.team_awards).sum::<usize>(), team.len());

    let text = serde_json::to_string(&c).unwrap();
    assert_eq!(serde_json::from_str::<Contributions>(&text).unwrap(), c);
}

fn request_received(w: &World, title: &str, received: Time) -> Id {
    let mut c = new_request(title, Some(w.system));
    if let Command::RequestAdd { request } = &mut c {
        request.received_at = Some(received);
    }
    let id: Id = w.ok(&op_a(), c).entity.parse().unwrap();
    w.analyse(id);
    w.ok(
        &op_a(),
        Command::RequestTriage {
            id,
            triage: beian::service::Triage::Accept { outcome: None },
        },
    );
    id
}

/// A plan carrying `requests`, taken to ready and gone live at `live`; returns
/// it with the days from its approval to `live`.
fn live_plan(w: &World, requests: &[Id], live: Time) -> (Id, f64) {
    let plan = w.new_plan(&op_a());
    // The window holds the go-live (§3.4): it opens an hour before.
    let window = Window {
        start: live - Duration::hours(1),
        end: live + Duration::hours(3),
    };
    w.ok(
        &op_a(),
        Command::PlanEdit {
            id: plan,
            changes: full_changes_with_window(window),
        },
    );
    for r in requests {
        w.ok(&op_a(), Command::RequestLink { id: *r, plan });
    }
    w.drive(plan, PlanStatus::Ready);
    let approved = w.plan(plan).latest_approval().unwrap().time;
    w.set_now(live);
    w.ok(
        &op_a(),
        Command::GoLive {
            plan,
            golive: golive(live, GoLiveOutcome::Success),
        },
    );
    let days = (live - approved).num_seconds() as f64 / 86_400.0;
    // The report gives days to three decimals.
    (plan, (days * 1000.0).round() / 1000.0)
}

#[test]
fn lead_times_of_a_small_database_are_exact() {
    let _en = english();
    tz();
    let w = World::new();
    let day = Duration::days(1);
    let r1 = request_received(&w, "成绩录入超时", t0() - day * 10);
    let r2 = request_received(&w, "选课页面卡顿", t0() - day * 20);
    let r3 = request_received(&w, "导出乱码", t0() - day * 30);
    let r4 = request_received(&w, "教师端登录失败", t0() - day * 5);
    let r5 = request_received(&w, "下学期再做", t0() - day * 5);
    let (p1, a1) = live_plan(&w, &[r1, r2, r3], t0() + day * 40);
    let (p2, a2) = live_plan(&w, &[r4], t0() + day * 45);
    // Gone live after the period: not counted.
    let (_p3, _) = live_plan(&w, &[r5], t0() + day * 100);
    // The first is filed: read from its dossier.
    w.drive(p1, PlanStatus::Filed);

    let (from, to) = (date(2026, 3, 1), date(2026, 4, 30));
    let r = w.svc.evaluation(&viewer(), from, to).unwrap();
    assert_eq!(
        r.updates.iter().map(|u| (u.plan, u.status)).collect::<Vec<_>>(),
        vec![(p1, PlanStatus::Filed), (p2, PlanStatus::Live)]
    );
    // Requests to live: 50, 60, 70 (p1) and 50 (p2) days.
    let all = &r.lead_times[0];
    assert_eq!(all.system, None);
    assert_eq!(all.request_to_live.count, 4);
    assert_eq!(all.request_to_live.median, Some(55.0));
    assert_eq!(all.request_to_live.p90, Some(70.0));
    assert_eq!(all.approval_to_live.count, 2);
    assert_eq!(all.approval_to_live.median, Some((a1 + a2) / 2.0));
    assert_eq!(all.approval_to_live.p90, Some(a1.max(a2)));
    assert_eq!(r.lead_times.len(), 2, "one system");
    assert_eq!(r.lead_times[1].system, Some(w.system));
    assert_eq!(r.lead_times[1].request_to_live, all.request_to_live);
    assert_eq!(r.updates_by_system_month.len(), 1);
    assert_eq!(
        (
            r.updates_by_system_month[0].month.as_str(),
            r.updates_by_system_month[0].updates
        ),
        ("2026-04", 2)
    );
    let md = r.markdown();
    assert!(md.contains("| 教务管理系统 | 2026-04 | 2 |"), "{md}");

    let e = w.svc.evaluation(&viewer(), to, from).unwrap_err();
    assert!(matches!(e, Error::Input { .. }), "{e:?}");
    assert!(w.svc.evaluation(&nobody(), from, to).is_err());
}

fn award(to: Recipient, related: Vec<Id>) -> Command {
    Command::RecognitionAdd {
        kind: RecognitionKind::Award,
        recipient: to,
        reason: "测试中发现严重缺陷".into(),
        related,
        date: Some(date(2026, 3, 20)),
    }
}

#[test]
fn awards_and_penalties_are_recorded_by_admins_and_supervisors_with_a_reason() {
    let _en = english();
    tz();
    let w = World::new();
    assert_eq!(Op::RecognitionRecord.roles(), &[Role::Admin, Role::Supervisor]);
    for actor in [op_a(), approver(), viewer(), nobody()] {
        let e = w.refused(&actor, award(Recipient::Person("李老师".into()), vec![]));
        assert!(
            matches!(&e, RuleError::Forbidden { op, .. } if op == "recognition.record"),
            "{e:?}"
        );
    }
    let req = w.accepted_request("成绩导出缺少学号");
    let out = w.ok(
        &supervisor(),
        award(Recipient::Person("王磊（信息化管理中心）".into()), vec![req]),
    );
    assert_eq!(out.entity, "REC-2026-0001");
    w.ok(
        &admin(),
        Command::RecognitionAdd {
            kind: RecognitionKind::Penalty,
            recipient: Recipient::Department("后勤处".into()),
            reason: "未按期参加测试".into(),
            related: vec![],
            date: None,
        },
    );
    // A reason is required, and related records must exist.
    assert!(w
        .exec(
            &admin(),
            Command::RecognitionAdd {
                kind: RecognitionKind::Award,
                recipient: Recipient::Person("张三".into()),
                reason: "  ".into(),
                related: vec![],
                date: None,
            },
        )
        .is_err());
    let e = w
        .exec(&admin(), award(Recipient::Person("张三".into()), vec![plan_id(99)]))
        .unwrap_err();
    assert!(matches!(e, Error::NotFound { .. }), "{e:?}");

    let list = w.svc.recognitions(&viewer()).unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0].issued_by, "chen");
    assert_eq!(list[0].related, vec![req]);
    assert_eq!(list[1].kind, RecognitionKind::Penalty);
    let ev = &w.svc.audit(&supervisor(), Some(&req.to_string()), 1).unwrap()[0];
    assert_eq!(ev.action, "recognition.add");

    let c = w
        .svc
        .contributions(&viewer(), date(2026, 1, 1), date(2026, 12, 31))
        .unwrap();
    assert_eq!(c.recognitions.len(), 2);
    let wang = c.people.iter().find(|p| p.name == "王磊").unwrap();
    assert_eq!((wang.department.as_str(), wang.awards), ("信息化管理中心", 1));
    let dept = c.departments.iter().find(|d| d.department == "后勤处").unwrap();
    assert_eq!(dept.penalties, 1);
}

// ===== the effect section (§4.3) =====

/// The effect figures counted naively: every record is looked at in a plain
/// loop, with no helper of the report module.
#[derive(Debug, Default, PartialEq)]
struct Naive {
    updates: usize,
    succeeded: usize,
    rolled_back: usize,
    failed: usize,
    rollbacks: usize,
    incidents: usize,
    problem_reports: usize,
    goals: [usize; 3],
    reviews_done: usize,
    reviews_overdue: usize,
    sessions: usize,
    without_audience: usize,
    targeted: u64,
    attended: u64,
}

fn local_day(t: Time) -> NaiveDate {
    t.with_timezone(&chrono::Local).date_naive()
}

/// `plans` with the addenda of their dossiers, the requests, the review due
/// dates: counted for the period `from..=to` as of `today`, for one system or all.
#[allow(clippy::too_many_arguments)]
fn naive(
    plans: &[Plan],
    addenda: &BTreeMap<Id, Vec<Addendum>>,
    requests: &[Request],
    due: &BTreeMap<Id, Time>,
    from: NaiveDate,
    to: NaiveDate,
    today: NaiveDate,
    system: Option<Id>,
) -> Naive {
    let mut n = Naive::default();
    for p in plans {
        if system.is_some_and(|s| s != p.system) {
            continue;
        }
        if p.golives.is_empty() {
            continue;
        }
        let first = local_day(p.golives[0].time);
        if first < from || first > to {
            continue;
        }
        n.updates += 1;
        let none = Vec::new();
        let add = addenda.get(&p.id).unwrap_or(&none);
        let mut rollbacks = 0;
        for g in &p.golives {
            if g.outcome == GoLiveOutcome::RolledBack {
                rollbacks += 1;
            }
        }
        let mut incidents: Vec<&Incident> = p.incidents.iter().collect();
        let mut reviews: Vec<&Review> = p.reviews.iter().collect();
        for a in add {
            match &a.body {
                AddendumBody::Incident(i) => incidents.push(i),
                AddendumBody::Review(r) => reviews.push(r),
                _ => {}
            }
        }
        for i in &incidents {
            if i.outcome == IncidentOutcome::RolledBack {
                rollbacks += 1;
            } else {
                n.incidents += 1;
            }
        }
        n.rollbacks += rollbacks;
        if rollbacks > 0 {
            n.rolled_back += 1;
        }
        let live = p.status == PlanStatus::Live || p.status == PlanStatus::Filed;
        if p.status == PlanStatus::Failed {
            n.failed += 1;
        } else if live && rollbacks == 0 {
            n.succeeded += 1;
        }
        for r in requests {
            if r.feedback_on == Some(p.id) {
                n.problem_reports += 1;
            }
        }
        // The go-live that made it live: the last one not rolled back at once.
        let mut live_no = None;
        for (i, g) in p.golives.iter().enumerate() {
            if g.outcome != GoLiveOutcome::RolledBack {
                live_no = Some(i as u32 + 1);
            }
        }
        if live {
            if reviews.iter().any(|r| Some(r.golive) == live_no) {
                n.reviews_done += 1;
            } else if local_day(due[&p.id]) < today {
                n.reviews_overdue += 1;
            }
        }
        let mut latest: Option<&Review> = None;
        for r in &reviews {
            if latest.is_none_or(|l| (r.time, r.golive) >= (l.time, l.golive)) {
                latest = Some(r);
            }
        }
        if let Some(r) = latest {
            for g in &r.goals {
                match g.verdict {
                    GoalVerdict::Met => n.goals[0] += 1,
                    GoalVerdict::Partly => n.goals[1] += 1,
                    GoalVerdict::NotMet => n.goals[2] += 1,
                }
            }
        }
    }
    if system.is_none() {
        for p in plans {
            let none = Vec::new();
            let mut sessions: Vec<&Training> = p.training.iter().collect();
            for a in addenda.get(&p.id).unwrap_or(&none) {
                if let AddendumBody::Training(t) = &a.body {
                    sessions.push(t);
                }
            }
            for t in sessions {
                if t.date < from || t.date > to {
                    continue;
                }
                n.sessions += 1;
                if t.audience.is_empty() {
                    n.without_audience += 1;
                }
                for a in &t.audience {
                    n.targeted += a.targeted as u64;
                    n.attended += a.attended as u64;
                }
            }
        }
    }
    n
}

fn shown(e: &report::effect::Effect, system: Option<Id>) -> Naive {
    let f = e
        .figures
        .iter()
        .find(|f| f.system == system)
        .cloned()
        .unwrap_or_default();
    let all = system.is_none();
    Naive {
        updates: f.updates,
        succeeded: f.succeeded,
        rolled_back: f.rolled_back,
        failed: f.failed,
        rollbacks: f.rollbacks,
        incidents: f.incidents,
        problem_reports: f.problem_reports,
        goals: f.goals,
        reviews_done: f.reviews_done,
        reviews_overdue: f.reviews_overdue,
        sessions: if all { e.training.sessions } else { 0 },
        without_audience: if all { e.training.without_audience } else { 0 },
        targeted: if all { e.training.rows[0].targeted } else { 0 },
        attended: if all { e.training.rows[0].attended } else { 0 },
    }
}

/// Every plan as stored, with filed ones as frozen in their dossier, the
/// addenda by plan, every request: read record by record.
fn raw_records(svc: &Service, a: &Actor) -> (Vec<Plan>, BTreeMap<Id, Vec<Addendum>>, Vec<Request>) {
    let mut plans = all_plans(svc, a);
    let mut addenda = BTreeMap::new();
    for d in svc.archive(a, &ArchiveFilter::default()).unwrap() {
        let v = svc.dossier(a, d.id).unwrap();
        plans.retain(|p| p.id != v.dossier.plan.id);
        plans.push(v.dossier.plan.clone());
        addenda.insert(v.dossier.plan.id, v.addenda);
    }
    let requests = svc
        .requests(a, &RequestFilter::default())
        .unwrap()
        .into_iter()
        .map(|r| svc.request(a, r.id).unwrap())
        .collect();
    (plans, addenda, requests)
}

#[test]
fn the_effect_figures_are_the_ones_counted_from_the_records() {
    let _en = english();
    let (_dir, svc, viewer) = demo();
    let (plans, addenda, requests) = raw_records(&svc, &viewer);
    let rules = svc.config().process;
    let due: BTreeMap<Id, Time> = plans
        .iter()
        .filter_map(|p| beian::workflow::review_due(p, &rules).map(|t| (p.id, t)))
        .collect();
    let today = date(2026, 11, 29);
    for (from, to) in [
        (date(2026, 1, 1), date(2026, 12, 31)),
        (date(2026, 11, 1), date(2026, 11, 30)),
        (date(2026, 10, 1), date(2026, 10, 31)),
    ] {
        let r = svc.evaluation(&viewer, from, to).unwrap();
        let e = &r.effect;
        let counted = naive(&plans, &addenda, &requests, &due, from, to, today, None);
        // The report judges overdue reviews on the clock's day: recount on that day.
        let counted_today = naive(&plans, &addenda, &requests, &due, from, to, r.today, None);
        assert_eq!(
            shown(e, None),
            Naive {
                reviews_overdue: counted_today.reviews_overdue,
                ..counted
            },
            "{from}..{to}"
        );
        for f in e.figures.iter().skip(1) {
            let one = naive(&plans, &addenda, &requests, &due, from, to, r.today, f.system);
            assert_eq!(shown(e, f.system), one, "{} {from}..{to}", f.system_name);
        }
        assert_eq!(
            e.figures.iter().skip(1).map(|f| f.updates).sum::<usize>(),
            e.figures[0].updates
        );
    }
    // The demo semester shows real figures: rollbacks, a failed update, a
    // review with its goals, problem reports, training with its audience.
    let year = naive(
        &plans,
        &addenda,
        &requests,
        &due,
        date(2026, 1, 1),
        date(2026, 12, 31),
        today,
        None,
    );
    assert!(year.rolled_back >= 2 && year.failed >= 1, "{year:?}");
    assert!(
        year.goals.iter().sum::<usize>() > 0 && year.reviews_done > 0,
        "{year:?}"
    );
    assert!(year.problem_reports >= 1 && year.incidents >= 1, "{year:?}");
    assert!(year.targeted > year.attended && year.attended > 0, "{year:?}");
    assert!(year.updates > year.succeeded, "{year:?}");
}

mod effect_props {
    use super::*;
    use proptest::prelude::*;

    /// The demo's report input, with its addenda and review due dates by plan.
    type Input = (report::ReportInput, BTreeMap<Id, Vec<Addendum>>, BTreeMap<Id, Time>);

    fn demo_input() -> &'static Input {
        static INPUT: std::sync::OnceLock<Input> = std::sync::OnceLock::new();
        INPUT.get_or_init(|| {
            let (_dir, svc, viewer) = demo();
            let input = svc.report_input(&viewer).unwrap();
            let addenda = input.addenda.iter().cloned().collect();
            let due = input.review_due.iter().copied().collect();
            (input, addenda, due)
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]
        /// Any subset of the demo's plans and requests, any period, any day:
        /// the effect section equals the naive count.
        #[test]
        fn effect_equals_the_naive_count_on_any_subset(
            keep_plans in proptest::collection::vec(any::<bool>(), 64),
            keep_requests in proptest::collection::vec(any::<bool>(), 256),
            start in 0i64..200,
            len in 0i64..200,
            today in 0i64..300,
        ) {
            let (input, addenda, due) = demo_input();
            let base = date(2026, 6, 1);
            let (from, to) = (base + Duration::days(start), base + Duration::days(start + len));
            let mut input = input.clone();
            let mut i = 0;
            input.plans.retain(|_| { i += 1; keep_plans[(i - 1) % 64] });
            let mut j = 0;
            input.requests.retain(|_| { j += 1; keep_requests[(j - 1) % 256] });
            input.today = base + Duration::days(today);
            let e = report::effect::effect(&input, from, to);
            let counted = naive(&input.plans, addenda, &input.requests, due, from, to, input.today, None);
            prop_assert_eq!(shown(&e, None), counted);
            for f in e.figures.iter().skip(1) {
                let one = naive(&input.plans, addenda, &input.requests, due, from, to, input.today, f.system);
                prop_assert_eq!(shown(&e, f.system), one);
            }
        }
    }
}
