//! The rules after go-live (issue 15 §3; §2.3, §3.4, §3.5, §4.3) through the
//! service: rollbacks and incidents, closing as failed, training and
//! post-update feedback after filing, the post-implementation review, and the
//! typed addenda that hold them on a filed plan, sealed in the audit chain.

mod common;

use beian::model::*;
use beian::service::Command;
use beian::workflow::command::GoalInput;
use beian::workflow::{self as wf, PlanChange, RuleError};
use chrono::Duration;
use common::*;

use PlanStatus as S;

fn incident(plan: Id, outcome: IncidentOutcome, time: Time) -> Command {
    Command::PlanIncident {
        plan,
        outcome,
        time,
        by: "王工".into(),
        what: "上线后审批流转异常".into(),
    }
}

fn all_met(plan: Id, n: u32) -> Command {
    Command::PlanReview {
        plan,
        goals: (1..=n)
            .map(|no| GoalInput {
                no,
                verdict: GoalVerdict::Met,
                note: String::new(),
            })
            .collect(),
        summary: "目标均已达成".into(),
    }
}

fn version(w: &World) -> String {
    w.svc.system(&admin(), w.system).unwrap().version
}

/// A live update rolled back: the plan goes back to testing, the system runs
/// the version from before again, and the second go-live needs a new round
/// and a backup confirmed after the rollback.
#[test]
fn a_live_rollback_sends_the_plan_back_to_testing_and_restores_the_version() {
    let _en = english();
    let w = World::new();
    let id = w.plan_at(S::Live);
    let p = w.plan(id);
    assert_eq!(version(&w), p.live_golive().unwrap().version);
    let at = w.now();
    w.ok(&op_a(), incident(id, IncidentOutcome::RolledBack, at));
    let p = w.plan(id);
    assert_eq!(p.status, S::Testing);
    assert_eq!(p.incidents.len(), 1);
    assert_eq!(p.incidents[0].golive, 1);
    assert_eq!(p.retest_after_round, Some(p.rounds.len() as u32));
    assert_eq!(version(&w), p.version_from, "the old version runs again");
    // The audit event records the system's version going back.
    let id_text = id.to_string();
    let ev = w.svc.audit(&supervisor(), Some(&id_text), 100).unwrap();
    let ev = ev
        .iter()
        .find(|e| e.action == "plan.incident")
        .expect("the incident's event");
    assert!(ev.changes.iter().any(|c| c.field == "version"), "{ev:?}");

    // Go-live again: a new round first, then a backup after the rollback.
    let e = w.refused(
        &op_a(),
        Command::GoLive {
            plan: id,
            golive: golive(w.now(), GoLiveOutcome::Success),
        },
    );
    assert!(
        matches!(&e, RuleError::GoLiveBlocked { missing, .. } if missing.contains(&wf::GoLiveMissing::TestRound)),
        "{e:?}"
    );
    w.ok(&op_a(), round(id));
    w.ok(&op_a(), test_item(id));
    let no = w.plan(id).rounds.last().unwrap().items[0].no;
    w.ok(&op_a(), pass(id, no));
    let missing = wf::golive_missing(&w.plan(id), w.now(), &rules());
    assert!(
        matches!(missing.as_slice(), [wf::GoLiveMissing::BackupBeforeRollback { .. }]),
        "{missing:?}"
    );
    assert_eq!(w.status(id), S::Testing);
    w.ok(
        &op_a(),
        Command::Backup {
            plan: id,
            backup: backup(),
        },
    );
    assert_eq!(w.status(id), S::Ready);
}

/// An incident happened after the go-live that made the plan live, not in
/// the future beyond the clock skew; it names who dealt with it and what
/// happened; a live plan with an incident stays live.
#[test]
fn incidents_are_timed_after_the_go_live_and_say_what_happened() {
    let _en = english();
    let w = World::new();
    let id = w.plan_at(S::Live);
    let live = w.plan(id).live_golive().unwrap().time;
    let e = w.refused(
        &op_a(),
        incident(id, IncidentOutcome::Incident, live - Duration::hours(1)),
    );
    assert!(matches!(e, RuleError::BeforeGoLive { .. }), "{e:?}");
    let e = w.refused(
        &op_a(),
        incident(id, IncidentOutcome::Incident, w.now() + Duration::hours(1)),
    );
    assert!(matches!(e, RuleError::RecordInFuture { .. }), "{e:?}");
    assert!(e.message().contains("in the future"), "{}", e.message());
    let e = w.refused(
        &op_a(),
        Command::PlanIncident {
            plan: id,
            outcome: IncidentOutcome::Incident,
            time: w.now(),
            by: "王工".into(),
            what: "  ".into(),
        },
    );
    assert!(matches!(e, RuleError::Empty { .. }), "{e:?}");
    // Within the clock skew is fine.
    w.ok(
        &op_a(),
        incident(id, IncidentOutcome::Incident, w.now() + Duration::minutes(3)),
    );
    assert_eq!(w.status(id), S::Live);
    // Only who records go-lives records incidents; a plan not yet live has none.
    let e = w.refused(&approver(), incident(id, IncidentOutcome::Incident, w.now()));
    assert!(matches!(e, RuleError::Forbidden { .. }), "{e:?}");
    let draft = w.written_plan(&op_a());
    let e = w.refused(&op_a(), incident(draft, IncidentOutcome::Incident, w.now()));
    assert!(matches!(e, RuleError::Transition { .. }), "{e:?}");
}

/// A plan that went live is closed as failed with a reason, its requests
/// released; one that never went live is cancelled instead; a failed plan is
/// closed for good.
#[test]
fn closing_as_failed() {
    let _en = english();
    let w = World::new();
    let r = w.accepted_request("选课高峰卡顿");
    let id = w.written_plan(&op_a());
    w.ok(&op_a(), Command::RequestLink { id: r, plan: id });
    w.drive(id, S::Ready);
    let e = w.refused(
        &op_a(),
        Command::PlanFail {
            plan: id,
            reason: "放弃".into(),
        },
    );
    assert!(matches!(e, RuleError::NeverLive { .. }), "{e:?}");
    w.drive(id, S::Live);
    let e = w.refused(
        &op_a(),
        Command::PlanFail {
            plan: id,
            reason: " ".into(),
        },
    );
    assert!(matches!(e, RuleError::ReasonRequired { .. }), "{e:?}");
    let e = w.refused(
        &viewer(),
        Command::PlanFail {
            plan: id,
            reason: "放弃".into(),
        },
    );
    assert!(matches!(e, RuleError::Forbidden { .. }), "{e:?}");
    w.ok(
        &approver(),
        Command::PlanFail {
            plan: id,
            reason: "厂商无法修复，放弃本次更新".into(),
        },
    );
    let p = w.plan(id);
    assert_eq!(p.status, S::Failed);
    assert_eq!(p.failure.as_ref().unwrap().by, "li");
    assert_eq!(w.request(r).status, RequestStatus::Accepted);
    assert_eq!(w.request(r).plan, None);
    // Closed: nothing more is recorded on it.
    for cmd in [
        incident(id, IncidentOutcome::Incident, w.now()),
        Command::File { plan: id },
        Command::Training {
            plan: id,
            training: training(),
        },
        all_met(id, 1),
    ] {
        let e = w.refused(&op_a(), cmd);
        assert!(
            matches!(e, RuleError::Transition { .. } | RuleError::FilingBlocked { .. }),
            "{e:?}"
        );
    }
}

/// On a filed plan, a training session, an incident, post-update feedback and
/// the review are typed addenda: sealed in the chain, the plan and its dossier
/// as filed; rewriting one is detected.
#[test]
fn records_on_a_filed_plan_are_sealed_addenda_and_the_dossier_stays() {
    let _en = english();
    let w = World::new();
    let id = w.plan_at(S::Filed);
    let p = w.plan(id);
    let d = p.dossier.unwrap();
    let before = w.svc.dossier(&admin(), d).unwrap();
    let feedback = w.add_request("更新后成绩导出乱码");
    w.ok(
        &op_a(),
        Command::Training {
            plan: id,
            training: training(),
        },
    );
    w.ok(&op_a(), incident(id, IncidentOutcome::RolledBack, w.now()));
    w.ok(&op_a(), Command::RequestFeedback { id: feedback, plan: id });
    w.ok(&op_a(), all_met(id, 1));
    assert_eq!(w.plan(id), p, "a filed plan does not change");
    assert_eq!(
        version(&w),
        p.version_from,
        "a rollback after filing puts the old version back too"
    );
    let after = w.svc.dossier(&admin(), d).unwrap();
    assert_eq!(after.dossier, before.dossier, "the dossier itself never changes");
    let kinds: Vec<&str> = after.addenda.iter().map(|a| a.body.kind()).collect();
    assert_eq!(kinds, ["training", "incident", "feedback", "review"]);
    match &after.addenda[2].body {
        AddendumBody::Feedback(r) => assert_eq!((r.id, r.feedback_on), (feedback, Some(id))),
        other => panic!("{other:?}"),
    }
    match &after.addenda[3].body {
        AddendumBody::Review(r) => {
            assert_eq!(r.incidents.len(), 1, "the review names the incident of the addenda");
            assert_eq!(r.feedback.len(), 1, "and the feedback");
            assert_eq!(r.goals[0].goal, "提升选课并发能力");
        }
        other => panic!("{other:?}"),
    }
    let e = w.refused(&op_a(), all_met(id, 1));
    assert!(matches!(e, RuleError::AlreadyReviewed { .. }), "{e:?}");
    let state = wf::review_state(&p, &after.addenda, w.now(), &rules());
    assert!(matches!(state, Some(wf::ReviewState::Done { .. })), "{state:?}");
    // Each addendum is sealed by the event that appended it.
    let report = w.svc.verify(&admin(), None).unwrap();
    assert!(report.ok(), "{report:?}");
    assert_eq!(report.addenda, 4);
    // Rewriting one is found, and named.
    let store = w.svc.raw_store();
    let (k, v) = store.raw_entries("addenda").unwrap().remove(0);
    let text = String::from_utf8(v)
        .unwrap()
        .replace("\"attendance\":30", "\"attendance\":3");
    store.raw_set("addenda", &k, Some(text.as_bytes())).unwrap();
    let report = w.svc.verify(&admin(), None).unwrap();
    let problem = report.problem.expect("the rewritten addendum is found");
    assert_eq!(problem.at, format!("{d}#1"));
}

/// Post-update feedback is a problem reported after the update (§2.3): on a
/// live or filed plan of the request's system, not the plan's scope, once;
/// on a live plan it goes into the dossier at filing.
#[test]
fn post_update_feedback() {
    let _en = english();
    let w = World::new();
    let draft = w.written_plan(&op_a());
    let id = w.plan_at(S::Live);
    let q = w.add_request("更新后课表导出乱码");
    let feedback = |q, plan| Command::RequestFeedback { id: q, plan };
    let e = w.refused(&op_a(), feedback(q, draft));
    assert!(matches!(e, RuleError::FeedbackPlanNotLive { .. }), "{e:?}");
    let e = w.refused(&viewer(), feedback(q, id));
    assert!(matches!(e, RuleError::Forbidden { .. }), "{e:?}");
    w.ok(&op_a(), feedback(q, id));
    assert_eq!(w.plan(id).feedback, [q]);
    assert_eq!(w.request(q).feedback_on, Some(id));
    assert_eq!(w.request(q).status, RequestStatus::New, "its own status stays");
    let e = w.refused(&op_a(), feedback(q, id));
    assert!(matches!(e, RuleError::FeedbackAlready { .. }), "{e:?}");
    // Another system's problem, a duplicate, and the plan's own scope are not feedback.
    let other = w
        .ok(
            &admin(),
            Command::SystemAdd {
                name: "一卡通系统".into(),
                department: "后勤处".into(),
                vendor: "新开普".into(),
                version: "5.2".into(),
            },
        )
        .entity
        .parse::<Id>()
        .unwrap();
    let elsewhere: Id = w
        .ok(&op_a(), new_request("校园卡补办", Some(other)))
        .entity
        .parse()
        .unwrap();
    let e = w.refused(&op_a(), feedback(elsewhere, id));
    assert!(matches!(e, RuleError::FeedbackOtherSystem { .. }), "{e:?}");
    let dup = w.add_request("课表导出乱码");
    w.ok(
        &op_a(),
        Command::RequestTriage {
            id: dup,
            triage: beian::service::Triage::Duplicate { of: q },
        },
    );
    let e = w.refused(&op_a(), feedback(dup, id));
    assert!(matches!(e, RuleError::Transition { .. }), "{e:?}");
    // Filed: the feedback is in the dossier as it was.
    w.drive(id, S::Filed);
    let d = w.plan(id).dossier.unwrap();
    let v = w.svc.dossier(&admin(), d).unwrap();
    assert_eq!(v.dossier.feedback.iter().map(|r| r.id).collect::<Vec<_>>(), [q]);
}

/// The review assesses each goal of the plan (one a line, list markers off)
/// once, with a summary; due `review_days` after the go-live, overdue after;
/// on a live plan it is recorded in the plan and filed with it.
#[test]
fn a_review_assesses_every_goal_once() {
    let _en = english();
    let w = World::new();
    let id = w.written_plan(&op_a());
    w.ok(
        &op_a(),
        Command::PlanEdit {
            id,
            changes: vec![PlanChange::Goals(
                "1. 提升选课并发能力；\n2、缩短排课时间\n\n- 修复已知问题".into(),
            )],
        },
    );
    w.drive(id, S::Live);
    let p = w.plan(id);
    assert_eq!(
        wf::goal_list(&p.goals),
        ["提升选课并发能力", "缩短排课时间", "修复已知问题"]
    );
    let live = p.live_golive().unwrap().time;
    let due = live + Duration::days(rules().review_days as i64);
    assert_eq!(wf::review_due(&p, &rules()), Some(due));
    assert_eq!(
        wf::review_state(&p, &[], live, &rules()),
        Some(wf::ReviewState::Due { due })
    );
    assert_eq!(
        wf::review_state(&p, &[], due + Duration::minutes(1), &rules()),
        Some(wf::ReviewState::Overdue { due })
    );
    let review = |goals: &[(u32, GoalVerdict)], summary: &str| Command::PlanReview {
        plan: id,
        goals: goals
            .iter()
            .map(|(no, verdict)| GoalInput {
                no: *no,
                verdict: *verdict,
                note: String::new(),
            })
            .collect(),
        summary: summary.into(),
    };
    use GoalVerdict::*;
    let e = w.refused(&op_a(), review(&[(1, Met), (1, Partly), (4, Met)], "总结"));
    assert!(
        matches!(&e, RuleError::GoalsMismatch { missing, extra, count: 3, .. } if missing == &[2, 3] && extra == &[1, 4]),
        "{e:?}"
    );
    assert!(e.message().contains("not assessed: #2, #3"), "{}", e.message());
    let e = w.refused(&op_a(), review(&[(1, Met), (2, Partly), (3, NotMet)], " "));
    assert!(matches!(e, RuleError::Empty { .. }), "{e:?}");
    let e = w.refused(&approver(), review(&[(1, Met), (2, Partly), (3, NotMet)], "总结"));
    assert!(matches!(e, RuleError::Forbidden { .. }), "{e:?}");
    w.ok(
        &op_a(),
        review(&[(3, NotMet), (1, Met), (2, Partly)], "并发达标，排课部分达成"),
    );
    let p = w.plan(id);
    assert_eq!(p.reviews.len(), 1);
    let verdicts: Vec<GoalVerdict> = p.reviews[0].goals.iter().map(|g| g.verdict).collect();
    assert_eq!(verdicts, [Met, Partly, NotMet], "in the plan's order");
    assert!(matches!(
        wf::review_state(&p, &[], due + Duration::days(1), &rules()),
        Some(wf::ReviewState::Done { .. })
    ));
    let e = w.refused(&op_a(), review(&[(1, Met), (2, Met), (3, Met)], "再评"));
    assert!(matches!(e, RuleError::AlreadyReviewed { .. }), "{e:?}");
    // Filed with the plan.
    w.drive(id, S::Filed);
    let d = w.svc.dossier(&admin(), w.plan(id).dossier.unwrap()).unwrap();
    assert_eq!(d.dossier.plan.reviews.len(), 1);
    assert!(d.addenda.is_empty());
}

/// Addenda written before they were typed read as corrections; a plan and a
/// request of before read with nothing after go-live.
#[test]
fn old_records_read_as_before() {
    let a: Addendum = serde_json::from_str(
        r#"{"no":1,"author":"wang","time":"2026-04-02T04:00:00Z","reason":"补充记录","text":"补训一场"}"#,
    )
    .unwrap();
    assert_eq!(a.body, AddendumBody::Correction);
    assert_eq!(a.reason, "补充记录");
    let w = World::new();
    let id = w.written_plan(&op_a());
    let mut v = serde_json::to_value(w.plan(id)).unwrap();
    for k in ["incidents", "feedback", "reviews", "failure"] {
        v.as_object_mut().unwrap().remove(k);
    }
    let p: Plan = serde_json::from_value(v).unwrap();
    assert!(p.incidents.is_empty() && p.reviews.is_empty() && p.feedback.is_empty() && p.failure.is_none());
}
