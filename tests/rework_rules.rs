//! The rules of rework and of the notice as a document, through the service API
//! (issue 15 §2, §3, §6; regulation §3.2, §3.4, §4.2): rescheduling an approved or
//! announced plan, the corrected and the cancellation notice, the notice's own
//! fields, language and draft, the milestones — and every refusal, with the
//! message the user sees.

mod common;

use beian::model::*;
use beian::service::Command;
use beian::workflow::{Milestone, NoticeChange, RuleError};
use chrono::{Duration, NaiveDate};
use common::*;

use PlanStatus as S;

fn reschedule(id: Id, window: Window, reason: &str) -> Command {
    Command::PlanReschedule {
        id,
        window,
        reason: reason.into(),
        justification: None,
    }
}

fn notice(id: Id) -> Command {
    Command::PlanNotice {
        id,
        text: None,
        audience: "全校师生".into(),
    }
}

fn approve(id: Id) -> Command {
    Command::PlanApprove {
        id,
        comment: String::new(),
        minutes_ref: "LG-2026-04".into(),
    }
}

fn draft(id: Id, changes: Vec<NoticeChange>) -> Command {
    Command::PlanNoticeDraft { id, changes }
}

fn field(field: NoticeField, value: &str) -> NoticeChange {
    NoticeChange::Field {
        field,
        value: value.into(),
    }
}

fn milestone(id: Id, m: Milestone) -> Command {
    Command::PlanMilestone { id, changes: vec![m] }
}

// ===== reschedule (§3.2) =====

/// An announced plan gets a new window: it is a new submission, the old approval
/// no longer counts, implementation waits for the re-approval and a corrected
/// notice that says what changed; the old window, approval and notice stay.
#[test]
fn a_reschedule_needs_re_approval_and_a_corrected_notice() {
    let _en = english();
    let w = World::new();
    let id = w.plan_at(S::NoticePublished);
    let before = w.plan(id);
    let old = before.window.clone().unwrap();
    let new = window_after(w.now(), 20);

    w.ok(&op_b(), reschedule(id, new.clone(), "厂商补丁延期"));
    let p = w.plan(id);
    assert_eq!(p.status, S::Submitted);
    assert_eq!(p.submission, before.submission + 1);
    assert_eq!(p.window.as_ref(), Some(&new));
    assert_eq!(p.approvals, before.approvals, "the old approval stays on record");
    assert!(p.notice.is_none(), "the old notice is no longer in force");
    assert_eq!(p.publications.len(), 1, "but it stays on record");
    assert_eq!(p.window_history.len(), 1);
    let c = &p.window_history[0];
    assert_eq!((c.from.as_ref(), c.to.as_ref()), (Some(&old), Some(&new)));
    assert_eq!(
        (c.reason.as_str(), c.by.as_str(), c.rescheduled),
        ("厂商补丁延期", "zhao", true)
    );
    assert_eq!(c.submission, before.submission);

    // Nothing goes forward on the old approval and notice.
    let e = w.refused(&op_a(), Command::PlanImplement { id });
    assert!(matches!(e, RuleError::Transition { .. }), "{e:?}");
    assert_eq!(w.svc.plan_gates(&approver(), id).unwrap().approvals, (0, 1));
    w.ok(&approver(), approve(id));
    assert_eq!(w.status(id), S::Approved);
    let e = w.refused(&op_a(), Command::PlanImplement { id });
    assert!(matches!(e, RuleError::Transition { .. }), "{e:?}");

    // The corrected notice: what changed, from the old window to the new.
    w.ok(&op_a(), notice(id));
    let p = w.plan(id);
    assert_eq!(p.status, S::NoticePublished);
    let kinds: Vec<_> = p.publications.iter().map(|x| x.kind).collect();
    assert_eq!(kinds, [PublicationKind::First, PublicationKind::Corrected]);
    let corrected = &p.publications[1];
    assert_eq!(corrected.previous_window.as_ref(), Some(&old));
    assert_eq!(corrected.window.as_ref(), Some(&new));
    assert!(corrected.text.contains(&fmt_time(old.start)), "{}", corrected.text);
    assert!(corrected.text.contains(&fmt_time(new.start)), "{}", corrected.text);
    assert!(corrected.text.contains("更正"), "{}", corrected.text);
    assert_eq!(p.notice.as_ref().map(|n| n.published_at), Some(corrected.published_at));
    w.ok(&op_a(), Command::PlanImplement { id });
}

#[test]
fn the_one_who_rescheduled_does_not_approve_again() {
    let _en = english();
    let w = World::new();
    let id = w.plan_at(S::Approved);
    w.ok(
        &op_approver(),
        reschedule(id, window_after(w.now(), 20), "窗口与迎新冲突"),
    );
    let e = w.refused(&op_approver(), approve(id));
    assert_eq!(
        e,
        RuleError::Contributor {
            user: "sun".into(),
            plan: id.to_string(),
            did: vec!["reschedule".into()],
        }
    );
    assert!(e.message().contains("rescheduled it"), "{}", e.message());
}

/// An approved plan whose notice was never published: a reschedule, then the
/// first notice (nothing to correct).
#[test]
fn an_approved_plan_rescheduled_publishes_its_first_notice() {
    let _en = english();
    let w = World::new();
    let id = w.plan_at(S::Approved);
    w.ok(&op_a(), reschedule(id, window_after(w.now(), 20), "与财务结账错开"));
    w.ok(&approver(), approve(id));
    w.ok(&op_a(), notice(id));
    let p = w.plan(id);
    assert_eq!(p.publications.len(), 1);
    assert_eq!(p.publications[0].kind, PublicationKind::First);
    assert!(p.publications[0].previous_window.is_none());
}

#[test]
fn reschedule_is_refused_outside_approved_and_announced() {
    let _en = english();
    for status in [S::Draft, S::Submitted, S::Returned, S::Implementing, S::Cancelled] {
        let w = World::new();
        let id = w.plan_at(status);
        let e = w.refused(&op_a(), reschedule(id, window_after(w.now(), 20), "延期"));
        assert!(
            matches!(&e, RuleError::Transition { action, allowed, .. }
                if action == "reschedule" && allowed.len() == 2),
            "{status}: {e:?}"
        );
        assert!(
            e.message()
                .contains("cannot reschedule (only when approved, notice published)"),
            "{}",
            e.message()
        );
    }
}

#[test]
fn a_new_window_is_checked_like_any_commitment() {
    let _en = english();
    let w = World::new();
    let id = w.plan_at(S::NoticePublished);
    let now = w.now();
    let p = w.plan(id);
    // A reason, a different window, in order, ahead, announced in time.
    let e = w.refused(&op_a(), reschedule(id, window_after(now, 20), "  "));
    assert_eq!(
        e,
        RuleError::ReasonRequired {
            action: "reschedule".into()
        }
    );
    let e = w.refused(&op_a(), reschedule(id, p.window.clone().unwrap(), "同一窗口"));
    assert!(matches!(e, RuleError::SameWindow { .. }), "{e:?}");
    let mut backwards = window_after(now, 20);
    std::mem::swap(&mut backwards.start, &mut backwards.end);
    assert_eq!(
        w.refused(&op_a(), reschedule(id, backwards, "颠倒")),
        RuleError::WindowOrder
    );
    let e = w.refused(&op_a(), reschedule(id, window_after(now, -1), "过去"));
    assert!(matches!(e, RuleError::WindowInPast { .. }), "{e:?}");
    let e = w.refused(&op_a(), reschedule(id, window_after(now, 2), "太近"));
    assert!(matches!(e, RuleError::RescheduleTooSoon { days: 3, .. }), "{e:?}");
    assert!(
        e.message()
            .contains("less than 3 days before it; choose a later window"),
        "{}",
        e.message()
    );
    // The calendar: a hard period refuses, a soft one needs its justification.
    let new = window_after(now, 20);
    let day = new.start.with_timezone(&chrono::Local).date_naive();
    for (name, hard) in [("期末考试", true), ("迎新周", false)] {
        w.ok(
            &admin(),
            Command::CalendarAdd {
                period: Blackout {
                    name: name.into(),
                    start: day,
                    end: day,
                    hard,
                    systems: vec![],
                },
            },
        );
        let e = w.refused(&op_a(), reschedule(id, new.clone(), "改期"));
        let expected = if hard {
            matches!(e, RuleError::HardBlackout { .. })
        } else {
            matches!(e, RuleError::BlackoutNeedsJustification { .. })
        };
        assert!(expected, "{name}: {e:?}");
        w.ok(&admin(), Command::CalendarRemove { name: name.into() });
    }
    w.ok(
        &admin(),
        Command::CalendarAdd {
            period: Blackout {
                name: "迎新周".into(),
                start: day,
                end: day,
                hard: false,
                systems: vec![],
            },
        },
    );
    w.ok(
        &op_a(),
        Command::PlanReschedule {
            id,
            window: new,
            reason: "改期".into(),
            justification: Some("安全补丁不能等迎新结束".into()),
        },
    );
    assert!(w.plan(id).blackout_overrides.iter().any(|o| o.period == "迎新周"));
    // Nobody but the IMC reschedules.
    let id2 = w.plan_at(S::Approved);
    let e = w.refused(&viewer(), reschedule(id2, window_after(w.now(), 30), "改期"));
    assert!(matches!(e, RuleError::Forbidden { .. }), "{e:?}");
}

/// A go-live after a reschedule follows the re-approval and the corrected notice.
#[test]
fn a_golive_follows_the_corrected_notice() {
    let _en = english();
    let w = World::new();
    let id = w.plan_at(S::NoticePublished);
    w.ok(&op_a(), reschedule(id, window_after(w.now(), 20), "延期"));
    w.ok(&approver(), approve(id));
    let published = w.now() + Duration::minutes(1);
    w.ok(&op_a(), notice(id));
    w.drive(id, S::Ready);
    let e = w.refused(
        &op_a(),
        Command::GoLive {
            plan: id,
            golive: golive(published - Duration::minutes(30), GoLiveOutcome::Success),
        },
    );
    assert!(
        matches!(
            e,
            RuleError::GoLiveBeforeApproval { .. } | RuleError::GoLiveBeforeNotice { .. }
        ),
        "{e:?}"
    );
    w.drive(id, S::Live);
    let p = w.plan(id);
    let g = p.live_golive().unwrap();
    assert!(g.time >= published - Duration::minutes(1));
    assert!(p.window.as_ref().is_some_and(|x| x.start <= g.time && g.time <= x.end));
}

// ===== returned after the notice, cancelled after the notice =====

#[test]
fn a_return_keeps_the_notice_on_record_and_the_next_one_corrects_it() {
    let _en = english();
    let w = World::new();
    let id = w.plan_at(S::NoticePublished);
    w.ok(
        &approver(),
        Command::PlanReturn {
            id,
            reason: "补充回退演练".into(),
            minutes_ref: String::new(),
        },
    );
    let p = w.plan(id);
    assert!(p.notice.is_none());
    assert_eq!(p.publications.len(), 1);
    assert!(p.withdrawn_notices.is_empty(), "no longer written");
    w.ok(&op_a(), Command::PlanSubmit { id });
    w.ok(&approver(), approve(id));
    w.ok(&op_a(), notice(id));
    let p = w.plan(id);
    assert_eq!(p.publications[1].kind, PublicationKind::Corrected);
    assert!(
        p.publications[1].text.contains("维护时间不变"),
        "the window did not change: {}",
        p.publications[1].text
    );
}

#[test]
fn cancelling_an_announced_plan_publishes_a_cancellation_notice() {
    let _en = english();
    let w = World::new();
    // Announced, then returned: users were told, so they are told it is off.
    for returned in [false, true] {
        let id = w.plan_at(S::NoticePublished);
        if returned {
            w.ok(
                &approver(),
                Command::PlanReturn {
                    id,
                    reason: "补充回退演练".into(),
                    minutes_ref: String::new(),
                },
            );
        }
        let before = w.audit_len();
        w.ok(
            &op_a(),
            Command::PlanCancel {
                id,
                reason: "需求变更".into(),
            },
        );
        assert_eq!(w.audit_len(), before + 1, "one step, one event");
        let p = w.plan(id);
        assert_eq!(p.status, S::Cancelled);
        let last = p.publications.last().unwrap();
        assert_eq!(last.kind, PublicationKind::Cancellation);
        assert_eq!(last.audience, p.publications[0].audience);
        assert_eq!(last.window, p.publications[0].window);
        assert!(last.text.contains("取消"), "{}", last.text);
        assert!(!last.text.contains("需求变更"), "the internal reason stays internal");
        assert!(p.notice.is_none());
    }
    // Never announced: nothing to cancel publicly.
    let id = w.plan_at(S::Approved);
    w.ok(
        &op_a(),
        Command::PlanCancel {
            id,
            reason: "需求变更".into(),
        },
    );
    assert!(w.plan(id).publications.is_empty());
}

// ===== the notice as a document (§3.2, §4.2) =====

#[test]
fn the_notice_is_made_of_its_own_fields_never_of_the_risk_register() {
    let _en = english();
    let w = World::new();
    let id = w.plan_at(S::Approved);
    w.ok(
        &op_a(),
        draft(
            id,
            vec![
                field(NoticeField::Services, "选课、成绩查询"),
                field(NoticeField::UserGroups, "全校本科生"),
                field(NoticeField::Impact, "维护期间无法选课"),
                field(NoticeField::UserAction, "请提前完成选课"),
                field(NoticeField::Contact, "教务处 88001"),
                field(NoticeField::StudentArrangements, "选课截止时间顺延一天"),
            ],
        ),
    );
    w.ok(
        &op_a(),
        milestone(
            id,
            Milestone::AddTraining(PlannedTraining {
                date: (w.now() + Duration::days(12)).date_naive(),
                format: TrainingFormat::OnlineVideo,
                place: "教务处网站".into(),
                audience: "任课教师".into(),
            }),
        ),
    );
    w.ok(&op_a(), notice(id));
    let p = w.plan(id);
    let text = &p.publications[0].text;
    for want in [
        "选课、成绩查询",
        "全校本科生",
        "维护期间无法选课",
        "请提前完成选课",
        "教务处 88001",
        "选课截止时间顺延一天",
        "教务处网站",
    ] {
        assert!(text.contains(want), "{want} missing from:\n{text}");
    }
    for r in &p.risks {
        assert!(!text.contains(&r.description), "risk in the notice:\n{text}");
        assert!(!text.contains(&r.mitigation), "mitigation in the notice:\n{text}");
    }
}

/// The operator's language does not decide the notice's: the plan's does.
#[test]
fn a_notice_is_written_in_the_plans_language() {
    let _en = english();
    let w = World::new();
    let id = w.plan_at(S::Approved);
    w.ok(&op_a(), notice(id));
    let text = w.plan(id).publications[0].text.clone();
    assert!(text.starts_with("更新预告："), "{text}");
    assert!(!text.contains("Update notice"), "{text}");
    assert_eq!(w.plan(id).publications[0].language, NoticeLanguage::ZhCn);

    let id = w.plan_at(S::Approved);
    w.ok(
        &op_a(),
        draft(
            id,
            vec![NoticeChange::Language {
                language: NoticeLanguage::En,
            }],
        ),
    );
    drop(_en);
    let text = in_chinese(|| {
        w.ok(&op_a(), notice(id));
        w.plan(id).publications[0].text.clone()
    });
    assert!(text.starts_with("Update notice: "), "{text}");
    assert!(!text.contains("更新预告"), "{text}");
}

#[test]
fn a_draft_is_published_as_edited_and_a_stale_one_is_refused() {
    let _en = english();
    let w = World::new();
    let id = w.plan_at(S::Approved);
    w.ok(
        &op_a(),
        draft(
            id,
            vec![NoticeChange::Text {
                text: Some("教务系统将于周五晚升级，请提前安排。".into()),
            }],
        ),
    );
    let e = w.refused(
        &op_a(),
        draft(
            id,
            vec![NoticeChange::Text {
                text: Some("  ".into()),
            }],
        ),
    );
    assert!(matches!(e, RuleError::Empty { .. }), "{e:?}");
    w.ok(&op_a(), notice(id));
    let p = w.plan(id);
    assert_eq!(p.publications[0].text, "教务系统将于周五晚升级，请提前安排。");
    assert!(p.notice_draft.is_none(), "a published draft is used up");
    // Published: the document is not edited any more (a correction goes by a
    // return or a reschedule).
    let e = w.refused(&op_a(), draft(id, vec![field(NoticeField::Contact, "88002")]));
    assert!(matches!(e, RuleError::Transition { .. }), "{e:?}");
}

#[test]
fn a_draft_written_for_another_window_is_refused() {
    let _en = english();
    let w = World::new();
    let id = w.plan_at(S::Approved);
    w.ok(
        &op_a(),
        draft(
            id,
            vec![NoticeChange::Text {
                text: Some("定于原窗口升级".into()),
            }],
        ),
    );
    w.ok(&op_a(), reschedule(id, window_after(w.now(), 20), "延期"));
    w.ok(&approver(), approve(id));
    let e = w.refused(&op_a(), notice(id));
    assert!(matches!(e, RuleError::NoticeDraftStale { .. }), "{e:?}");
    assert!(e.message().contains("--discard"), "{}", e.message());
    // An explicit text goes through; so does the draft once rewritten.
    w.ok(
        &op_a(),
        draft(
            id,
            vec![NoticeChange::Text {
                text: Some("改至新窗口升级".into()),
            }],
        ),
    );
    w.ok(&op_a(), notice(id));
    assert_eq!(w.plan(id).publications[0].text, "改至新窗口升级");
}

/// Records from before publications were kept: their notice and withdrawn
/// notices read as publications, and the next publication keeps them.
#[test]
fn old_records_read_their_notices_as_publications() {
    let json = serde_json::json!({
        "id": "PLAN-2026-0001", "title": "教务系统升级", "system": "SYS-0001",
        "version_from": "V2.1", "version_to": "V3.0", "status": "approved",
        "withdrawn_notices": [{"text": "原定周四更新", "audience": "教务处",
            "published_at": "2026-03-04T04:00:00Z", "published_by": "wang"}],
        "notice": {"text": "改为周五更新", "audience": "全校师生",
            "published_at": "2026-03-06T04:00:00Z", "published_by": "wang"},
        "meta": {"rev": 3, "created_at": "2026-03-02T04:00:00Z", "created_by": "wang",
            "updated_at": "2026-03-03T04:00:00Z", "updated_by": "wang"}
    });
    let p: Plan = serde_json::from_value(json).unwrap();
    let all = p.all_publications();
    let texts: Vec<_> = all.iter().map(|x| (x.kind, x.text.as_str(), x.legacy)).collect();
    assert_eq!(
        texts,
        [
            (PublicationKind::First, "原定周四更新", true),
            (PublicationKind::Corrected, "改为周五更新", true),
        ]
    );
    assert_eq!(p.notice_language, NoticeLanguage::ZhCn);
    assert!(p.notice_info == NoticeInfo::default() && p.milestones.is_empty());
    // Cancelled: the legacy notices are kept and the cancellation follows them.
    let actor = op_a();
    let ctx = beian::workflow::Ctx {
        actor: &actor,
        now: t0(),
        rules: rules(),
        on_behalf_of: None,
    };
    let mut p = p;
    beian::workflow::cancel(&mut p, "需求变更", &ctx).unwrap();
    let kinds: Vec<_> = p.publications.iter().map(|x| x.kind).collect();
    assert_eq!(
        kinds,
        [
            PublicationKind::First,
            PublicationKind::Corrected,
            PublicationKind::Cancellation
        ]
    );
    assert!(p.withdrawn_notices.is_empty() && p.notice.is_none());
    assert!(p.publications[2]
        .text
        .contains(&fmt_time(p.publications[1].published_at)));
}

// ===== milestones (§3.4) =====

#[test]
fn the_golive_time_is_fixed_once_the_tests_pass_inside_the_window() {
    let _en = english();
    let w = World::new();
    let id = w.plan_at(S::Testing);
    let p = w.plan(id);
    let win = p.window.clone().unwrap();
    let inside = win.start + Duration::hours(2);
    let e = w.refused(&op_a(), milestone(id, Milestone::GoLive(Some(inside))));
    assert!(
        matches!(&e, RuleError::Transition { action, .. } if action == "milestone.golive"),
        "{e:?}"
    );
    assert!(e.message().contains("fix the go-live time"), "{}", e.message());
    w.drive(id, S::Ready);
    let outside = win.end + Duration::hours(5);
    let e = w.refused(&op_a(), milestone(id, Milestone::GoLive(Some(outside))));
    assert!(matches!(e, RuleError::GoLiveOutsideWindow { .. }), "{e:?}");
    let past = w.now() - Duration::hours(3);
    let e = w.refused(&op_a(), milestone(id, Milestone::GoLive(Some(past))));
    assert!(matches!(e, RuleError::DateInPast { .. }), "{e:?}");
    assert!(e.message().starts_with("go-live time"), "{}", e.message());
    let at = (w.now() + Duration::minutes(30)).max(win.start + Duration::minutes(30));
    w.ok(&op_a(), milestone(id, Milestone::GoLive(Some(at))));
    let fixed = w.plan(id).milestones.golive.unwrap();
    assert_eq!((fixed.time, fixed.by.as_str()), (at, "wang"));
    // Outside the window only at the time of an accepted deviation.
    w.ok(
        &op_a(),
        Command::PlanDeviation {
            plan: id,
            time: outside,
            reason: "厂商工程师次日到场".into(),
        },
    );
    w.ok(
        &approver(),
        Command::DeviationAccept {
            plan: id,
            reason: "同意".into(),
        },
    );
    w.ok(&op_a(), milestone(id, Milestone::GoLive(Some(outside))));
    assert_eq!(w.plan(id).milestones.golive.unwrap().time, outside);
}

#[test]
fn test_start_and_training_are_planned_ahead() {
    let _en = english();
    let w = World::new();
    // The schedule around the window is kept once the plan is approved.
    let draft = w.plan_at(S::Submitted);
    let e = w.refused(&op_a(), milestone(draft, Milestone::TestStart(Some(w.now()))));
    assert!(
        matches!(&e, RuleError::Transition { action, .. } if action == "milestone.test_start"),
        "{e:?}"
    );
    let id = w.plan_at(S::Approved);
    let win = w.plan(id).window.unwrap();
    let e = w.refused(
        &op_a(),
        milestone(id, Milestone::TestStart(Some(win.end + Duration::hours(1)))),
    );
    assert!(matches!(e, RuleError::MilestoneAfterWindow { .. }), "{e:?}");
    assert!(
        e.message().contains("is after the maintenance window ends"),
        "{}",
        e.message()
    );
    let e = w.refused(
        &op_a(),
        milestone(id, Milestone::TestStart(Some(w.now() - Duration::days(1)))),
    );
    assert!(matches!(e, RuleError::DateInPast { .. }), "{e:?}");
    w.ok(&op_a(), milestone(id, Milestone::TestStart(Some(win.start))));
    let yesterday: NaiveDate = (w.now() - Duration::days(1)).date_naive();
    let session = |date| PlannedTraining {
        date,
        format: TrainingFormat::Classroom,
        place: "图书馆报告厅".into(),
        audience: "教学秘书".into(),
    };
    let e = w.refused(&op_a(), milestone(id, Milestone::AddTraining(session(yesterday))));
    assert!(matches!(e, RuleError::DateInPast { .. }), "{e:?}");
    w.ok(
        &op_a(),
        milestone(id, Milestone::AddTraining(session(yesterday + Duration::days(20)))),
    );
    let e = w.refused(&op_a(), milestone(id, Milestone::RemoveTraining(2)));
    assert!(matches!(e, RuleError::NoSuchItem { .. }), "{e:?}");
    assert!(e.message().contains("planned training #2"), "{}", e.message());
    w.ok(&op_a(), milestone(id, Milestone::RemoveTraining(1)));
    assert!(w.plan(id).milestones.training.is_empty());
    // Testing under way: its start is no longer a plan.
    w.drive(id, S::Testing);
    let e = w.refused(&op_a(), milestone(id, Milestone::TestStart(None)));
    assert!(matches!(e, RuleError::Transition { .. }), "{e:?}");
    // A viewer plans nothing.
    let e = w.refused(&viewer(), milestone(id, Milestone::GoLive(None)));
    assert!(matches!(e, RuleError::Forbidden { .. }), "{e:?}");
}
