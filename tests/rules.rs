//! The rules of the process through the service API: every gate and every
//! permission refusal, with the message the user sees (§3, §5.1).

mod common;

use beian::model::*;
use beian::service::{ArchiveFilter, Command, PlanFilter, RequestFilter, Triage};
use beian::workflow::{FilingMissing, GoLiveMissing, Op, PlanChange, PlanField, RuleError};
use beian::Error;
use chrono::{Duration, Local, NaiveDate};
use common::*;

use PlanStatus as S;

// ===== the submit gate (§3.2) =====

/// The change that supplies `field`.
fn supplies(change: &PlanChange, field: PlanField) -> bool {
    matches!(
        (change, field),
        (PlanChange::Goals(_), PlanField::Goals)
            | (PlanChange::Content(_), PlanField::Content)
            | (PlanChange::Approach(_), PlanField::Approach)
            | (PlanChange::Window(_), PlanField::Window)
            | (PlanChange::AddStaff(_), PlanField::Staff)
            | (PlanChange::AddRisk(_), PlanField::Risks)
            | (PlanChange::BackupPlan(_), PlanField::BackupPlan)
            | (PlanChange::RollbackPlan(_), PlanField::RollbackPlan)
    )
}

/// A plan written in full except for `field` cannot be submitted, the refusal
/// names exactly that field, and supplying it lets the plan through.
fn submit_refused_without(field: PlanField, label: &str) {
    let _en = english();
    let w = World::new();
    let id = w.new_plan(&op_a());
    let all = full_changes(w.now());
    let (missing, rest): (Vec<_>, Vec<_>) = all.into_iter().partition(|c| supplies(c, field));
    assert!(!missing.is_empty());
    w.ok(&op_a(), Command::PlanEdit { id, changes: rest });

    let e = w.refused(&op_a(), Command::PlanSubmit { id });
    assert_eq!(
        e,
        RuleError::MissingFields {
            entity: id.to_string(),
            fields: vec![field]
        }
    );
    assert_eq!(field.label(), label);
    assert_eq!(e.message(), format!("{id} cannot be submitted; missing: {label}"));
    assert_eq!(w.status(id), S::Draft);

    w.ok(&op_a(), Command::PlanEdit { id, changes: missing });
    w.ok(&op_a(), Command::PlanSubmit { id });
    assert_eq!(w.status(id), S::Submitted);
}

#[test]
fn submit_needs_goals() {
    submit_refused_without(PlanField::Goals, "goals");
}

#[test]
fn submit_needs_content() {
    submit_refused_without(PlanField::Content, "content");
}

#[test]
fn submit_needs_approach() {
    submit_refused_without(PlanField::Approach, "technical approach");
}

#[test]
fn submit_needs_window() {
    submit_refused_without(PlanField::Window, "maintenance window");
}

#[test]
fn submit_needs_staff() {
    submit_refused_without(PlanField::Staff, "staff assignment");
}

#[test]
fn submit_needs_risk() {
    submit_refused_without(PlanField::Risks, "a risk with mitigation");
}

#[test]
fn submit_needs_backup_plan() {
    submit_refused_without(PlanField::BackupPlan, "backup plan");
}

#[test]
fn submit_needs_rollback_plan() {
    submit_refused_without(PlanField::RollbackPlan, "rollback plan");
}

#[test]
fn submit_with_everything_missing_names_every_field() {
    let _en = english();
    let w = World::new();
    let id = w.new_plan(&op_a());
    let e = w.refused(&op_a(), Command::PlanSubmit { id });
    let all = vec![
        PlanField::Goals,
        PlanField::Content,
        PlanField::Approach,
        PlanField::Window,
        PlanField::Staff,
        PlanField::Risks,
        PlanField::BackupPlan,
        PlanField::MigratesData,
        PlanField::RollbackPlan,
    ];
    assert_eq!(
        e,
        RuleError::MissingFields {
            entity: id.to_string(),
            fields: all
        }
    );
    assert_eq!(
        e.message(),
        format!(
            "{id} cannot be submitted; missing: goals, content, technical approach, maintenance window, \
             staff assignment, a risk with mitigation, backup plan, whether data is migrated, rollback plan"
        )
    );
    assert_eq!(w.status(id), S::Draft);
    // The same refusal in Chinese, with the Chinese list separator.
    drop(_en);
    let zh = in_chinese(|| Error::Rule(e.clone()).message());
    assert_eq!(
        zh,
        format!(
            "{id} 不能提交，缺少：更新目标、更新内容、技术方案、维护窗口、人员分工、风险及应对措施、备份方案、是否迁移数据、回退方案"
        )
    );
}

#[test]
fn blank_text_and_a_risk_without_mitigation_count_as_missing() {
    let _en = english();
    let w = World::new();
    let id = w.written_plan(&op_a());
    let bare_risk = Risk {
        mitigation: "  ".into(),
        ..risk()
    };
    w.ok(
        &op_a(),
        Command::PlanEdit {
            id,
            changes: vec![
                PlanChange::Goals("   ".into()),
                PlanChange::RemoveRisk(1),
                PlanChange::AddRisk(bare_risk),
            ],
        },
    );
    let e = w.refused(&op_a(), Command::PlanSubmit { id });
    assert_eq!(
        e,
        RuleError::MissingFields {
            entity: id.to_string(),
            fields: vec![PlanField::Goals, PlanField::Risks]
        }
    );
    assert_eq!(
        e.message(),
        format!("{id} cannot be submitted; missing: goals, a risk with mitigation")
    );
}

#[test]
fn a_window_must_end_after_it_starts() {
    let _en = english();
    let w = World::new();
    let id = w.new_plan(&op_a());
    let start = w.now() + Duration::days(5);
    let e = w.refused(
        &op_a(),
        Command::PlanEdit {
            id,
            changes: vec![PlanChange::Window(Some(Window { start, end: start }))],
        },
    );
    assert_eq!(e, RuleError::WindowOrder);
    assert_eq!(e.message(), "the maintenance window must end after it starts");
    assert_eq!(w.plan(id).window, None);
}

/// The local calendar day a plan's window starts on.
fn window_day(w: &World, id: beian::model::Id) -> NaiveDate {
    w.plan(id).window.unwrap().start.with_timezone(&Local).date_naive()
}

fn add_period(w: &World, name: &str, start: NaiveDate, end: NaiveDate, hard: bool) {
    w.ok(
        &admin(),
        Command::CalendarAdd {
            period: Blackout {
                name: name.into(),
                start,
                end,
                hard,
                systems: Vec::new(),
            },
        },
    );
}

#[test]
fn a_window_in_a_soft_blackout_needs_a_justification() {
    let _en = english();
    let w = World::new();
    let id = w.written_plan(&op_a());
    let day = window_day(&w, id);
    add_period(&w, "期中教学检查", day - Duration::days(1), day, false);

    let e = w.refused(&op_a(), Command::PlanSubmit { id });
    let (start, end) = ((day - Duration::days(1)).to_string(), day.to_string());
    assert_eq!(
        e,
        RuleError::BlackoutNeedsJustification {
            period: "期中教学检查".into(),
            start: start.clone(),
            end: end.clone()
        }
    );
    assert_eq!(
        e.message(),
        format!(
            "the maintenance window falls in 期中教学检查 ({start} to {end}): give a justification for this period \
             (beian plan edit PLAN --override-period 期中教学检查 --override …; an approved plan is first returned for revision)"
        )
    );

    // A blank justification is no justification.
    w.ok(
        &op_a(),
        Command::PlanEdit {
            id,
            changes: vec![PlanChange::BlackoutOverride {
                period: None,
                reason: Some("  ".into()),
            }],
        },
    );
    assert!(matches!(
        w.refused(&op_a(), Command::PlanSubmit { id }),
        RuleError::BlackoutNeedsJustification { .. }
    ));

    w.ok(
        &op_a(),
        Command::PlanEdit {
            id,
            changes: vec![PlanChange::BlackoutOverride {
                period: None,
                reason: Some("紧急安全补丁，不能推迟".into()),
            }],
        },
    );
    w.ok(&op_a(), Command::PlanSubmit { id });
    assert_eq!(w.status(id), S::Submitted);
}

#[test]
fn a_window_in_a_hard_blackout_is_refused_even_with_a_justification() {
    let _en = english();
    let w = World::new();
    let id = w.written_plan(&op_a());
    let day = window_day(&w, id);
    add_period(&w, "期末考试周", day, day + Duration::days(6), true);
    // A hard period takes no justification: there is nothing to justify, and
    // naming it does not make it soft.
    let e = w.refused(
        &op_a(),
        Command::PlanEdit {
            id,
            changes: vec![PlanChange::BlackoutOverride {
                period: None,
                reason: Some("紧急".into()),
            }],
        },
    );
    assert_eq!(e, RuleError::NoSoftPeriod);
    let e = w.refused(
        &op_a(),
        Command::PlanEdit {
            id,
            changes: vec![PlanChange::BlackoutOverride {
                period: Some("期末考试周".into()),
                reason: Some("紧急".into()),
            }],
        },
    );
    assert_eq!(
        e,
        RuleError::NotSoftPeriod {
            period: "期末考试周".into()
        }
    );

    let e = w.refused(&op_a(), Command::PlanSubmit { id });
    let (start, end) = (day.to_string(), (day + Duration::days(6)).to_string());
    assert_eq!(
        e,
        RuleError::HardBlackout {
            period: "期末考试周".into(),
            start: start.clone(),
            end: end.clone()
        }
    );
    assert_eq!(
        e.message(),
        format!(
            "the maintenance window falls in 期末考试周 ({start} to {end}), a hard blackout period: choose another window"
        )
    );
    assert_eq!(w.status(id), S::Draft);

    // Moving the window out of the period lets it through.
    let later = window_after(w.now(), 20);
    w.ok(
        &op_a(),
        Command::PlanEdit {
            id,
            changes: vec![PlanChange::Window(Some(later))],
        },
    );
    w.ok(&op_a(), Command::PlanSubmit { id });
}

#[test]
fn a_window_next_to_a_blackout_is_fine() {
    let _en = english();
    let w = World::new();
    let id = w.written_plan(&op_a());
    let day = window_day(&w, id);
    add_period(&w, "before", day - Duration::days(7), day - Duration::days(1), true);
    add_period(&w, "after", day + Duration::days(1), day + Duration::days(7), true);
    w.ok(&op_a(), Command::PlanSubmit { id });
}

// ===== the Leading Group's decision (§2.1, §3.2) =====

#[test]
fn only_approvers_decide() {
    let _en = english();
    let w = World::new();
    let id = w.plan_at(S::Submitted);
    for actor in [op_a(), op_b(), admin(), supervisor(), viewer()] {
        let e = w.refused(
            &actor,
            Command::PlanApprove {
                id,
                comment: String::new(),
                minutes_ref: String::new(),
            },
        );
        assert!(
            matches!(&e, RuleError::Forbidden { op, .. } if op == "plan.decide"),
            "{e:?}"
        );
        let roles = actor.roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", ");
        assert_eq!(
            e.message(),
            format!("{} may not decide on plans (roles: {roles})", actor.name)
        );
    }
    assert_eq!(w.status(id), S::Submitted);
}

#[test]
fn the_author_cannot_approve_or_return_their_own_plan() {
    let _en = english();
    let w = World::new();
    let author = op_approver();
    let id = w.written_plan(&author);
    w.ok(&author, Command::PlanSubmit { id });

    let e = w.refused(
        &author,
        Command::PlanApprove {
            id,
            comment: "同意".into(),
            minutes_ref: "LG-1".into(),
        },
    );
    let contributor = RuleError::Contributor {
        user: "sun".into(),
        plan: id.to_string(),
        did: vec!["create".into(), "edit".into(), "submit".into()],
    };
    assert_eq!(e, contributor);
    assert_eq!(
        e.message(),
        format!(
            "sun contributed to {id} (created it, edited it, submitted it): its approval, a risk acceptance \
             or a waiver must come from an approver who did not"
        )
    );

    let e = w.refused(
        &author,
        Command::PlanReturn {
            id,
            reason: "再想想".into(),
            minutes_ref: "LG-1".into(),
        },
    );
    assert_eq!(e, contributor);
    assert_eq!(w.status(id), S::Submitted);
    assert!(w.plan(id).approvals.is_empty());

    // Another member of the Leading Group may.
    w.ok(
        &approver(),
        Command::PlanApprove {
            id,
            comment: "同意".into(),
            minutes_ref: "LG-1".into(),
        },
    );
    let p = w.plan(id);
    assert_eq!(p.status, S::Approved);
    assert_eq!(p.latest_approval().unwrap().approver, "li");
    assert_eq!(p.latest_approval().unwrap().decision, Decision::Approved);
}

#[test]
fn returning_a_plan_needs_a_reason() {
    let _en = english();
    let w = World::new();
    let id = w.plan_at(S::Submitted);
    for reason in ["", "  \n "] {
        let e = w.refused(
            &approver(),
            Command::PlanReturn {
                id,
                reason: reason.into(),
                minutes_ref: "LG-2".into(),
            },
        );
        assert_eq!(
            e,
            RuleError::ReasonRequired {
                action: "return".into()
            }
        );
        assert_eq!(e.message(), "a reason is required to return for revision");
    }
    assert_eq!(w.status(id), S::Submitted);

    w.ok(
        &approver(),
        Command::PlanReturn {
            id,
            reason: "回退方案不够具体".into(),
            minutes_ref: "LG-2".into(),
        },
    );
    let p = w.plan(id);
    assert_eq!(p.status, S::Returned);
    let a = p.latest_approval().unwrap();
    assert_eq!(
        (a.decision, a.comment.as_str()),
        (Decision::Returned, "回退方案不够具体")
    );

    // A returned plan is revised and submitted again.
    w.ok(
        &op_a(),
        Command::PlanEdit {
            id,
            changes: vec![PlanChange::RollbackPlan("逐步回退".into())],
        },
    );
    w.ok(&op_a(), Command::PlanSubmit { id });
    assert_eq!(w.status(id), S::Submitted);
}

#[test]
fn only_a_submitted_plan_is_decided() {
    let _en = english();
    let w = World::new();
    let id = w.written_plan(&op_a());
    let e = w.refused(
        &approver(),
        Command::PlanApprove {
            id,
            comment: String::new(),
            minutes_ref: String::new(),
        },
    );
    assert_eq!(
        e,
        RuleError::Transition {
            entity: id.to_string(),
            status: "draft".into(),
            action: "approve".into(),
            allowed: vec!["submitted".into()],
        }
    );
    assert_eq!(
        e.message(),
        format!("{id} is draft: cannot approve (only when submitted)")
    );
    w.drive(id, S::Approved);
    // An approved plan, or one whose notice is out, can still be returned before
    // implementation (its notice stays on record); not once implementation started.
    w.ok(
        &approver(),
        Command::PlanReturn {
            id,
            reason: "窗口与新增的迎新活动冲突".into(),
            minutes_ref: String::new(),
        },
    );
    assert_eq!(w.status(id), S::Returned);
    let late = w.plan_at(S::NoticePublished);
    w.ok(
        &approver(),
        Command::PlanReturn {
            id: late,
            reason: "重新安排".into(),
            minutes_ref: String::new(),
        },
    );
    let p = w.plan(late);
    // No longer in force, kept among the publications.
    assert_eq!(
        (p.status, p.notice.is_none(), p.publications.len()),
        (S::Returned, true, 1)
    );
    let implementing = w.plan_at(S::Implementing);
    let e = w.refused(
        &approver(),
        Command::PlanReturn {
            id: implementing,
            reason: "x".into(),
            minutes_ref: String::new(),
        },
    );
    assert_eq!(
        e.message(),
        format!("{implementing} is implementing: cannot return for revision (only when submitted, approved, notice published)")
    );
}

#[test]
fn a_submitted_plan_is_no_longer_editable() {
    let _en = english();
    let w = World::new();
    let id = w.plan_at(S::Submitted);
    let e = w.refused(
        &op_a(),
        Command::PlanEdit {
            id,
            changes: vec![PlanChange::Goals("改".into())],
        },
    );
    assert_eq!(
        e.message(),
        format!("{id} is submitted: cannot edit (only when draft, returned for revision)")
    );
}

// ===== notice and implementation (§3.2, §3.3) =====

fn notice(id: beian::model::Id) -> Command {
    Command::PlanNotice {
        id,
        text: None,
        audience: "全校师生".into(),
    }
}

#[test]
fn implementation_needs_an_approved_plan_with_a_published_notice() {
    let _en = english();
    let w = World::new();
    let id = w.written_plan(&op_a());
    for (target, label) in [
        (S::Draft, "draft"),
        (S::Submitted, "submitted"),
        (S::Approved, "approved"),
    ] {
        w.drive(id, target);
        let e = w.refused(&op_a(), Command::PlanImplement { id });
        assert_eq!(
            e,
            RuleError::Transition {
                entity: id.to_string(),
                status: label.into(),
                action: "implement".into(),
                allowed: vec!["notice published".into()],
            }
        );
        assert_eq!(
            e.message(),
            format!("{id} is {label}: cannot start implementation (only when notice published)")
        );
    }
    // The notice itself needs the approval.
    let other = w.plan_at(S::Submitted);
    let e = w.refused(&op_a(), notice(other));
    assert_eq!(
        e.message(),
        format!("{other} is submitted: cannot publish the update notice (only when approved)")
    );

    w.ok(&op_a(), notice(id));
    let p = w.plan(id);
    assert_eq!(p.status, S::NoticePublished);
    let n = p.notice.unwrap();
    assert!(n.text.contains("教务管理系统") && n.text.contains("V3.0"), "{}", n.text);
    w.ok(&op_a(), Command::PlanImplement { id });
    assert_eq!(w.status(id), S::Implementing);
}

#[test]
fn the_notice_must_precede_the_window_by_the_notice_period() {
    let _en = english();
    let w = World::new();
    let id = w.plan_at(S::Approved);
    let start = w.plan(id).window.unwrap().start;

    // Published two days ahead: too late, refused when published.
    w.set_now(start - Duration::days(2) - Duration::minutes(1));
    let published = start - Duration::days(2);
    let e = w.refused(&op_a(), notice(id));
    assert_eq!(
        e,
        RuleError::NoticeTooLate {
            published: fmt_time(published),
            window_start: fmt_time(start),
            days: 3
        }
    );
    assert_eq!(
        e.message(),
        format!(
            "the notice was published {}, less than 3 days before the window starts ({})",
            fmt_time(published),
            fmt_time(start)
        )
    );
    assert_eq!(w.status(id), S::Approved);

    // Exactly three days ahead is enough.
    let id = w.plan_at(S::Approved);
    let start = w.plan(id).window.unwrap().start;
    w.set_now(start - Duration::days(3) - Duration::minutes(1));
    w.ok(&op_a(), notice(id));
    assert_eq!(w.plan(id).notice.unwrap().published_at, start - Duration::days(3));
    w.ok(&op_a(), Command::PlanImplement { id });
    assert_eq!(w.status(id), S::Implementing);
}

#[test]
fn the_notice_period_comes_from_the_configuration() {
    let _en = english();
    let mut w = World::new();
    let mut cfg = w.svc.config().clone();
    assert_eq!(cfg.process.classes.normal.notice_days, 3, "the default notice period");
    cfg.process.classes.normal.notice_days = 7;
    w.svc.set_config(cfg);
    let id = w.plan_at(S::Approved);
    let start = w.plan(id).window.unwrap().start;
    w.set_now(start - Duration::days(5));
    let e = w.refused(&op_a(), notice(id));
    assert!(matches!(e, RuleError::NoticeTooLate { days: 7, .. }), "{e:?}");
    assert!(e.message().contains("less than 7 days"), "{}", e.message());
}

// ===== testing and the go-live gate (§3.3, §3.4) =====

/// A go-live now, the clock first moved into the plan's window if it is not
/// there yet (the days until the window pass).
fn golive_now(w: &World, id: beian::model::Id, outcome: GoLiveOutcome) -> Command {
    if let Some(win) = w.plan(id).window {
        if w.now() < win.start {
            w.set_now(win.start);
        }
    }
    Command::GoLive {
        plan: id,
        golive: golive(w.now(), outcome),
    }
}

fn result(plan: beian::model::Id, item: u32, result: TestResult) -> Command {
    Command::TestResult {
        plan,
        item,
        result,
        notes: None,
    }
}

fn waive(plan: beian::model::Id, item: u32, reason: &str) -> Command {
    Command::TestWaive {
        plan,
        item,
        reason: reason.into(),
    }
}

fn defect(plan: beian::model::Id, severity: Severity) -> Command {
    Command::DefectAdd {
        plan,
        severity,
        description: "选课页面报错".into(),
        found_by: tester(),
        item: Some(1),
        vendor_ref: Some("ZF-1024".into()),
    }
}

fn set_defect(plan: beian::model::Id, no: u32, status: DefectStatus) -> Command {
    Command::DefectUpdate {
        plan,
        defect: no,
        status: Some(status),
        vendor_ref: None,
    }
}

/// The status is `ready` exactly when the go-live gate has nothing missing.
fn assert_readiness(w: &World, id: beian::model::Id) {
    let p = w.plan(id);
    let missing = beian::workflow::golive_missing(&p, w.now(), &rules());
    assert_eq!(
        p.status == S::Ready,
        missing.is_empty(),
        "{} with {missing:?}",
        p.status
    );
}

#[test]
fn go_live_is_only_recorded_in_testing() {
    let _en = english();
    let w = World::new();
    let id = w.plan_at(S::Implementing);
    let e = w.refused(&op_a(), golive_now(&w, id, GoLiveOutcome::Success));
    assert_eq!(
        e.message(),
        format!("{id} is implementing: cannot record the go-live (only when testing, ready for go-live)")
    );
}

#[test]
fn go_live_needs_a_backup_and_a_round_with_items() {
    let _en = english();
    let w = World::new();
    let id = w.plan_at(S::Implementing);
    w.ok(
        &op_a(),
        Command::TestRound {
            plan: id,
            copy_unfinished: false,
            environment: "测试环境".into(),
        },
    );
    assert_eq!(w.status(id), S::Testing);
    let e = w.refused(&op_a(), golive_now(&w, id, GoLiveOutcome::Success));
    assert_eq!(
        e,
        RuleError::GoLiveBlocked {
            plan: id.to_string(),
            missing: vec![GoLiveMissing::Backup, GoLiveMissing::TestRound]
        }
    );
    assert_eq!(
        e.message(),
        format!(
            "{id} cannot go live: no backup confirmation is recorded; a test round with items (after the last rollback) is needed"
        )
    );

    // Items, all passed, but no backup yet: still testing.
    w.ok(&op_a(), test_item(id));
    w.ok(&op_a(), pass(id, 1));
    assert_eq!(w.status(id), S::Testing);
    assert_readiness(&w, id);
    let e = w.refused(&op_a(), golive_now(&w, id, GoLiveOutcome::Success));
    assert_eq!(
        e,
        RuleError::GoLiveBlocked {
            plan: id.to_string(),
            missing: vec![GoLiveMissing::Backup]
        }
    );
    assert_eq!(
        e.message(),
        format!("{id} cannot go live: no backup confirmation is recorded")
    );

    w.ok(
        &op_a(),
        Command::Backup {
            plan: id,
            backup: backup(),
        },
    );
    assert_eq!(w.status(id), S::Ready);
    let p = w.plan(id);
    assert_eq!(p.backup.unwrap().time, w.now(), "the backup is stamped when confirmed");
    w.ok(&op_a(), golive_now(&w, id, GoLiveOutcome::Success));
    assert_eq!(w.status(id), S::Live);
    let sys = w.svc.system(&viewer(), w.system).unwrap();
    assert_eq!(sys.version, "V3.0", "going live updates the system's version");
}

#[test]
fn go_live_needs_every_item_of_the_latest_round_passed_or_waived() {
    let _en = english();
    let w = World::new();
    let id = w.plan_at(S::Implementing);
    w.ok(
        &op_a(),
        Command::Backup {
            plan: id,
            backup: backup(),
        },
    );
    w.ok(
        &op_a(),
        Command::TestRound {
            plan: id,
            copy_unfinished: false,
            environment: "测试环境".into(),
        },
    );
    for _ in 0..4 {
        w.ok(&op_a(), test_item(id));
    }
    w.ok(&op_a(), pass(id, 1));
    w.ok(&op_a(), result(id, 2, TestResult::Fail));
    w.ok(&op_a(), result(id, 4, TestResult::Blocked));
    assert_readiness(&w, id);
    let e = w.refused(&op_a(), golive_now(&w, id, GoLiveOutcome::Success));
    assert_eq!(
        e,
        RuleError::GoLiveBlocked {
            plan: id.to_string(),
            missing: vec![GoLiveMissing::Items {
                round: 1,
                items: vec![2, 3, 4]
            }]
        }
    );
    assert_eq!(
        e.message(),
        format!("{id} cannot go live: items of round 1 are not pass or waived: #2, #3, #4")
    );

    // A waiver accepts a risk: not a result a tester records, but an approver's
    // decision, with its reason.
    let e = w.refused(&op_a(), result(id, 2, TestResult::Waived));
    assert_eq!(e, RuleError::WaiverByApprover { item: 2 });
    assert!(e.message().contains("beian test waive"), "{}", e.message());
    let e = w.refused(&approver(), waive(id, 2, "  "));
    assert_eq!(
        e,
        RuleError::ReasonRequired {
            action: "test.waive".into()
        }
    );
    assert_eq!(e.message(), "a reason is required to waive a test item");
    w.ok(&approver(), waive(id, 2, "旧浏览器不再支持"));
    let item = w.plan(id).rounds[0].items[1].clone();
    assert_eq!(item.result, TestResult::Waived);
    assert_eq!(item.waived.unwrap().by, "li");
    w.ok(&op_a(), pass(id, 3));
    assert_eq!(w.status(id), S::Testing);
    w.ok(&op_a(), pass(id, 4));
    assert_eq!(w.status(id), S::Ready);

    // A new pending item takes readiness away again.
    w.ok(&op_a(), test_item(id));
    assert_eq!(w.status(id), S::Testing);
    assert_readiness(&w, id);
}

#[test]
fn go_live_needs_no_open_critical_or_major_defect() {
    let _en = english();
    let w = World::new();
    let id = w.plan_at(S::Ready);
    w.ok(&op_a(), defect(id, Severity::Minor));
    w.ok(&op_a(), defect(id, Severity::Trivial));
    assert_eq!(w.status(id), S::Ready, "minor and trivial defects do not block");

    w.ok(&op_a(), defect(id, Severity::Critical));
    w.ok(&op_a(), defect(id, Severity::Major));
    assert_eq!(w.status(id), S::Testing);
    let e = w.refused(&op_a(), golive_now(&w, id, GoLiveOutcome::Success));
    assert_eq!(
        e,
        RuleError::GoLiveBlocked {
            plan: id.to_string(),
            missing: vec![GoLiveMissing::Defects {
                defects: vec![(3, Severity::Critical), (4, Severity::Major)]
            }]
        }
    );
    assert_eq!(
        e.message(),
        format!(
            "{id} cannot go live: critical/major defects neither verified fixed nor risk-accepted by an approver: \
             D3 (critical), D4 (major)"
        )
    );

    // Fixed is not enough: the fix is verified, or an approver accepts the risk.
    w.ok(&op_a(), set_defect(id, 3, DefectStatus::Fixed));
    assert_eq!(w.status(id), S::Testing);
    w.ok(&op_a(), set_defect(id, 4, DefectStatus::Verified));
    assert_eq!(w.status(id), S::Testing, "D3 is fixed but not verified");
    // An operator alone cannot make a critical defect "won't fix".
    let e = w.refused(&op_a(), set_defect(id, 3, DefectStatus::WontFix));
    assert_eq!(
        e,
        RuleError::RiskAcceptanceNeeded {
            defect: 3,
            severity: Severity::Critical
        }
    );
    assert!(e.message().contains("beian test defect accept"), "{}", e.message());
    // An approver who contributed (he recorded a defect) cannot accept the risk.
    let both = op_approver();
    w.ok(&both, defect(id, Severity::Minor));
    let accept = |reason: &str| Command::DefectAccept {
        plan: id,
        defect: 3,
        reason: reason.into(),
    };
    let e = w.refused(&both, accept("可以接受"));
    assert!(matches!(e, RuleError::Contributor { .. }), "{e:?}");
    let e = w.refused(&approver(), accept(" "));
    assert!(matches!(e, RuleError::ReasonRequired { .. }), "{e:?}");
    w.ok(&approver(), accept("仅影响旧版报表导出，下个补丁修复"));
    assert_eq!(w.status(id), S::Ready);
    let d3 = w.plan(id).defects[2].clone();
    assert_eq!(d3.acceptance.unwrap().by, "li");
    // Accepted, it may now be set to won't fix; a minor one needs no acceptance.
    w.ok(&op_a(), set_defect(id, 3, DefectStatus::WontFix));
    w.ok(&op_a(), set_defect(id, 1, DefectStatus::WontFix));
    let e = w.refused(
        &approver(),
        Command::DefectAccept {
            plan: id,
            defect: 1,
            reason: "x".into(),
        },
    );
    assert!(matches!(e, RuleError::NothingToAccept { .. }), "{e:?}");
    assert_eq!(w.status(id), S::Ready);
    // Reopening one blocks again.
    w.ok(&op_a(), set_defect(id, 4, DefectStatus::Open));
    assert_eq!(w.status(id), S::Testing);
    assert_readiness(&w, id);
    let e = w.refused(&op_a(), set_defect(id, 9, DefectStatus::Fixed));
    assert_eq!(e.message(), "no such defect D9");
}

#[test]
fn a_rolled_back_go_live_needs_a_new_round() {
    let _en = english();
    let w = World::new();
    let id = w.plan_at(S::Ready);
    w.ok(&op_a(), golive_now(&w, id, GoLiveOutcome::RolledBack));
    let p = w.plan(id);
    assert_eq!(p.status, S::Testing);
    assert_eq!(p.live_golive(), None);
    assert_eq!(
        beian::workflow::golive_missing(&p, w.now(), &rules()),
        vec![GoLiveMissing::TestRound]
    );
    let sys = w.svc.system(&viewer(), w.system).unwrap();
    assert_eq!(sys.version, "V2.1", "a rollback leaves the system's version alone");

    let e = w.refused(&op_a(), golive_now(&w, id, GoLiveOutcome::Success));
    assert_eq!(
        e,
        RuleError::GoLiveBlocked {
            plan: id.to_string(),
            missing: vec![GoLiveMissing::TestRound]
        }
    );
    // More items in the old round do not help.
    w.ok(&op_a(), test_item(id));
    w.ok(&op_a(), pass(id, 2));
    assert_eq!(w.status(id), S::Testing);
    assert_readiness(&w, id);

    // Filing is blocked too: the go-live was rolled back.
    let e = w.refused(&op_a(), Command::File { plan: id });
    assert!(
        matches!(&e, RuleError::FilingBlocked { missing, .. } if missing.contains(&FilingMissing::GoLive)),
        "{e:?}"
    );

    w.ok(
        &op_a(),
        Command::TestRound {
            plan: id,
            copy_unfinished: true,
            environment: "测试环境".into(),
        },
    );
    assert_eq!(
        w.plan(id).latest_round().unwrap().items.len(),
        0,
        "nothing failed, nothing copied"
    );
    // A new item is numbered after every item the plan ever had.
    w.ok(&op_a(), test_item(id));
    assert_eq!(w.plan(id).latest_round().unwrap().items[0].no, 3);
    w.ok(&op_a(), pass(id, 3));
    assert_eq!(w.status(id), S::Ready);
    w.ok(&op_a(), golive_now(&w, id, GoLiveOutcome::Partial));
    let p = w.plan(id);
    assert_eq!(p.status, S::Live);
    assert_eq!(p.live_golive().unwrap().outcome, GoLiveOutcome::Partial);
}

/// The go-live time is what the operator enters; a rollback entered with a time
/// earlier than the start of the latest round (a typo, another machine's clock)
/// must still require a new round.
#[test]
fn a_rolled_back_go_live_needs_a_new_round_whatever_time_was_entered() {
    let _en = english();
    let w = World::new();
    let id = w.plan_at(S::Ready);
    let round_start = w.plan(id).latest_round().unwrap().started_at;
    // Before the round it was tested in, no go-live happened, not even a rollback.
    let e = w.refused(
        &op_a(),
        Command::GoLive {
            plan: id,
            golive: golive(round_start - Duration::hours(1), GoLiveOutcome::RolledBack),
        },
    );
    assert!(matches!(e, RuleError::GoLiveBeforeStep { .. }), "{e:?}");
    assert!(
        e.message().contains("before the start of the latest test round"),
        "{}",
        e.message()
    );
    let backed_up = w.plan(id).backup.unwrap().time;
    w.ok(
        &op_a(),
        Command::GoLive {
            plan: id,
            golive: golive(backed_up.max(round_start), GoLiveOutcome::RolledBack),
        },
    );
    assert_eq!(w.status(id), S::Testing);
    // Touch the round: the plan must not become ready again without a new round.
    w.ok(&op_a(), pass(id, 1));
    assert_eq!(
        w.status(id),
        S::Testing,
        "after a rollback the old round made the plan ready again: {:?}",
        beian::workflow::golive_missing(&w.plan(id), w.now(), &rules())
    );
    let e = w.refused(&op_a(), golive_now(&w, id, GoLiveOutcome::Success));
    assert!(matches!(e, RuleError::GoLiveBlocked { .. }), "{e:?}");
}

#[test]
fn copying_unfinished_items_into_a_new_round() {
    let _en = english();
    let w = World::new();
    let id = w.plan_at(S::Implementing);
    w.ok(
        &op_a(),
        Command::TestRound {
            plan: id,
            copy_unfinished: false,
            environment: "测试环境".into(),
        },
    );
    for _ in 0..3 {
        w.ok(&op_a(), test_item(id));
    }
    w.ok(&op_a(), pass(id, 1));
    w.ok(&op_a(), result(id, 2, TestResult::Fail));
    w.ok(&op_a(), result(id, 3, TestResult::Blocked));
    w.ok(
        &op_a(),
        Command::TestRound {
            plan: id,
            copy_unfinished: true,
            environment: "测试环境".into(),
        },
    );
    let p = w.plan(id);
    let r = p.latest_round().unwrap();
    assert_eq!(r.no, 2);
    assert_eq!(
        r.items.iter().map(|i| (i.no, i.result)).collect::<Vec<_>>(),
        vec![(2, TestResult::Pending), (3, TestResult::Pending)],
        "items keep their numbers across rounds"
    );
    let e = w.refused(&op_a(), pass(id, 1));
    assert_eq!(
        e.message(),
        "item #1 is not in the latest round (2): add it as a retest first (beian test item PLAN --retest 1)"
    );
}

// ===== filing (§3.5) =====

#[test]
fn filing_needs_a_go_live_a_test_report_and_a_comparison() {
    let _en = english();
    let w = World::new();

    // Ready, never gone live: no go-live record.
    let ready = w.plan_at(S::Ready);
    w.ok(
        &op_a(),
        Command::ComparisonAdd {
            plan: ready,
            row: comparison_row(),
        },
    );
    let e = w.refused(&op_a(), Command::File { plan: ready });
    assert_eq!(
        e,
        RuleError::FilingBlocked {
            plan: ready.to_string(),
            missing: vec![FilingMissing::GoLive]
        }
    );
    assert_eq!(
        e.message(),
        format!("{ready} cannot be filed: no successful go-live record")
    );

    // Testing with a failed item and nothing else.
    let testing = w.plan_at(S::Testing);
    w.ok(&op_a(), test_item(testing));
    w.ok(&op_a(), result(testing, 1, TestResult::Fail));
    let e = w.refused(&op_a(), Command::File { plan: testing });
    assert_eq!(
        e,
        RuleError::FilingBlocked {
            plan: testing.to_string(),
            missing: vec![
                FilingMissing::GoLive,
                FilingMissing::TestReport,
                FilingMissing::Comparison
            ]
        }
    );
    assert_eq!(
        e.message(),
        format!(
            "{testing} cannot be filed: no successful go-live record; no test report: the latest round must have items, \
             all pass or waived; the before/after feature comparison has no rows"
        )
    );

    // Live without a comparison.
    let live = w.plan_at(S::Live);
    let e = w.refused(&op_a(), Command::File { plan: live });
    assert_eq!(
        e,
        RuleError::FilingBlocked {
            plan: live.to_string(),
            missing: vec![FilingMissing::Comparison]
        }
    );
    assert_eq!(
        e.message(),
        format!("{live} cannot be filed: the before/after feature comparison has no rows")
    );
    // A row added and removed again is no comparison.
    w.ok(
        &op_a(),
        Command::ComparisonAdd {
            plan: live,
            row: comparison_row(),
        },
    );
    w.ok(&op_a(), Command::ComparisonRemove { plan: live, row: 1 });
    assert!(matches!(
        w.refused(&op_a(), Command::File { plan: live }),
        RuleError::FilingBlocked { .. }
    ));
    let e = w.refused(&op_a(), Command::ComparisonRemove { plan: live, row: 1 });
    assert_eq!(e.message(), "no such comparison row #1");

    // A draft is not filed either.
    let draft = w.written_plan(&op_a());
    let e = w.refused(&op_a(), Command::File { plan: draft });
    assert_eq!(e.message(), format!("{draft} is draft: cannot file (only when live)"));

    // Everything there: filed.
    w.ok(
        &op_a(),
        Command::ComparisonAdd {
            plan: live,
            row: comparison_row(),
        },
    );
    let out = w.ok(&op_a(), Command::File { plan: live });
    assert_eq!(out.entity, dossier_id(1).to_string());
    assert_eq!(w.status(live), S::Filed);
}

#[test]
fn a_filed_dossier_never_changes_and_corrections_are_addenda() {
    let _en = english();
    let w = World::new();
    let r = w.accepted_request("选课慢");
    let id = w.written_plan(&op_a());
    w.ok(&op_a(), Command::RequestLink { id: r, plan: id });
    w.drive(id, S::Live);
    w.ok(
        &op_a(),
        Command::Training {
            plan: id,
            training: training(),
        },
    );
    w.drive(id, S::Filed);

    let p = w.plan(id);
    let did = p.dossier.expect("a filed plan names its dossier");
    let view = w.svc.dossier(&viewer(), did).unwrap();
    let frozen = view.dossier.clone();
    assert!(view.addenda.is_empty());
    assert_eq!(frozen.id, did);
    assert_eq!(frozen.plan, p, "the dossier holds the plan as filed");
    assert_eq!(frozen.filed_by, "wang");
    assert_eq!(frozen.system.version, "V3.0");
    assert_eq!(frozen.requests.len(), 1);
    assert_eq!(frozen.requests[0].status, RequestStatus::Done);
    assert_eq!(w.request(r).status, RequestStatus::Done);
    let listed = w.svc.archive(&viewer(), &ArchiveFilter::default()).unwrap();
    assert_eq!(listed, vec![frozen.summary()]);

    // Nothing can be done to the filed plan (what happens after filing —
    // training, incidents, feedback, the review — is appended to its dossier:
    // tests/rules_after_golive.rs).
    let now = w.now();
    let attempts = vec![
        Command::PlanEdit {
            id,
            changes: vec![PlanChange::Goals("改".into())],
        },
        Command::PlanSubmit { id },
        Command::PlanCancel {
            id,
            reason: "事后取消".into(),
        },
        Command::TestRound {
            plan: id,
            copy_unfinished: false,
            environment: "测试环境".into(),
        },
        test_item(id),
        pass(id, 1),
        defect(id, Severity::Minor),
        Command::Backup {
            plan: id,
            backup: backup(),
        },
        Command::GoLive {
            plan: id,
            golive: golive(now, GoLiveOutcome::Success),
        },
        Command::ComparisonAdd {
            plan: id,
            row: comparison_row(),
        },
        Command::ComparisonRemove { plan: id, row: 1 },
        Command::File { plan: id },
    ];
    for cmd in attempts {
        let name = cmd.name();
        let e = w.refused(&op_a(), cmd);
        assert!(
            matches!(&e, RuleError::Transition { status, .. } if status == "filed"),
            "{name}: {e:?}"
        );
        assert!(
            e.message().starts_with(&format!("{id} is filed: cannot ")),
            "{}",
            e.message()
        );
    }
    let other = w.written_plan(&op_a());
    let r2 = w.accepted_request("另一个需求");
    let e = w.refused(&op_a(), Command::RequestLink { id: r2, plan: id });
    assert_eq!(
        e.message(),
        format!("{id} is filed: requests can be linked to a plan only until it is approved (draft, returned for revision, or submitted before any member of the Leading Group approved it)")
    );
    w.ok(&op_a(), Command::RequestLink { id: r2, plan: other });
    let e = w.refused(
        &op_a(),
        Command::RequestEdit {
            id: r,
            edit: Default::default(),
        },
    );
    assert_eq!(e.message(), format!("{r} is done: cannot edit"));

    // Later changes to the system and the request do not reach the dossier.
    w.ok(
        &admin(),
        Command::SystemEdit {
            id: w.system,
            name: Some("新教务系统".into()),
            department: None,
            vendor: None,
            version: Some("V3.1".into()),
            depends_on: None,
        },
    );
    w.ok(
        &supervisor(),
        Command::RequestComment {
            id: r,
            text: "已核实".into(),
        },
    );

    // Corrections are appended.
    let e = w.refused(
        &supervisor(),
        Command::Addendum {
            dossier: did,
            reason: " ".into(),
            text: "x".into(),
        },
    );
    assert_eq!(e.message(), "reason must not be empty");
    for (n, who) in [(1u32, supervisor()), (2, op_b())] {
        let out = w.ok(
            &who,
            Command::Addendum {
                dossier: did,
                reason: "补充培训记录".into(),
                text: format!("第 {n} 次补充"),
            },
        );
        assert_eq!(out.entity, did.to_string());
    }
    let e = w
        .exec(
            &supervisor(),
            Command::Addendum {
                dossier: dossier_id(9),
                reason: "r".into(),
                text: "t".into(),
            },
        )
        .unwrap_err();
    assert_eq!(e.exit_code(), 5);

    let view = w.svc.dossier(&viewer(), did).unwrap();
    assert_eq!(view.dossier, frozen, "the filed dossier changed");
    assert_eq!(
        view.addenda
            .iter()
            .map(|a| (a.no, a.author.as_str()))
            .collect::<Vec<_>>(),
        vec![(1, "chen"), (2, "zhao")]
    );
    assert_eq!(w.plan(id), p, "the filed plan changed");
}

// ===== cancel =====

#[test]
fn a_plan_is_cancelled_from_any_state_before_live_with_a_reason() {
    let _en = english();
    let w = World::new();
    let before_live = [
        S::Draft,
        S::Submitted,
        S::Approved,
        S::Returned,
        S::NoticePublished,
        S::Implementing,
        S::Testing,
        S::Ready,
    ];
    for (n, target) in before_live.into_iter().enumerate() {
        let id = w.plan_at(target);
        let e = w.refused(&op_a(), Command::PlanCancel { id, reason: " ".into() });
        assert_eq!(
            e,
            RuleError::ReasonRequired {
                action: "cancel".into()
            }
        );
        assert_eq!(e.message(), "a reason is required to cancel");
        assert_eq!(w.status(id), target);
        // Operators and approvers may cancel.
        let who = if n.is_multiple_of(2) { op_b() } else { approver() };
        w.ok(
            &who,
            Command::PlanCancel {
                id,
                reason: "需求取消".into(),
            },
        );
        let p = w.plan(id);
        assert_eq!(p.status, S::Cancelled, "from {target}");
        assert_eq!(p.cancel_reason.as_deref(), Some("需求取消"));
        let e = w.refused(
            &op_a(),
            Command::PlanCancel {
                id,
                reason: "again".into(),
            },
        );
        assert_eq!(
            e.message(),
            format!(
                "{id} is cancelled: cannot cancel (only when {})",
                CANCELLABLE.join(", ")
            )
        );
    }
    for (target, label) in [(S::Live, "live"), (S::Filed, "filed")] {
        let id = w.plan_at(target);
        let e = w.refused(
            &op_a(),
            Command::PlanCancel {
                id,
                reason: "太晚了".into(),
            },
        );
        assert_eq!(
            e,
            RuleError::Transition {
                entity: id.to_string(),
                status: label.into(),
                action: "cancel".into(),
                allowed: CANCELLABLE.iter().map(|s| s.to_string()).collect(),
            }
        );
        assert_eq!(
            e.message(),
            format!("{id} is {label}: cannot cancel (only when {})", CANCELLABLE.join(", "))
        );
        assert_eq!(w.status(id), target);
    }
}

/// The statuses in which a plan can be cancelled, as the refusal names them.
const CANCELLABLE: [&str; 8] = [
    "draft",
    "submitted",
    "approved",
    "returned for revision",
    "notice published",
    "implementing",
    "testing",
    "ready for go-live",
];

// ===== requests (§3.1) =====

fn triage(w: &World, id: beian::model::Id, t: Triage) -> Result<beian::service::Outcome, Error> {
    w.exec(&op_a(), Command::RequestTriage { id, triage: t })
}

#[test]
fn rejecting_a_request_needs_a_reason() {
    let _en = english();
    let w = World::new();
    let r = w.add_request("希望增加夜间模式");
    let e = w.refused(
        &op_a(),
        Command::RequestTriage {
            id: r,
            triage: Triage::Reject { reason: "".into() },
        },
    );
    assert_eq!(
        e,
        RuleError::ReasonRequired {
            action: "reject".into()
        }
    );
    assert_eq!(e.message(), "a reason is required to reject");
    assert_eq!(w.request(r).status, RequestStatus::New);
    triage(
        &w,
        r,
        Triage::Reject {
            reason: "不在本年度规划内".into(),
        },
    )
    .unwrap();
    let req = w.request(r);
    assert_eq!(req.status, RequestStatus::Rejected);
    assert_eq!(req.reject_reason.as_deref(), Some("不在本年度规划内"));
    let e = w.refused(
        &op_a(),
        Command::RequestTriage {
            id: r,
            triage: Triage::Accept { outcome: None },
        },
    );
    assert_eq!(
        e.message(),
        format!("{r} is rejected: cannot accept (only when new, triaged, joint review)")
    );
}

#[test]
fn a_request_is_not_a_duplicate_of_itself_nor_of_a_duplicate() {
    let _en = english();
    let w = World::new();
    let r1 = w.add_request("成绩查询慢");
    let r2 = w.add_request("成绩查询很慢");
    let r3 = w.add_request("查成绩卡顿");

    let e = w.refused(
        &op_a(),
        Command::RequestTriage {
            id: r1,
            triage: Triage::Duplicate { of: r1 },
        },
    );
    assert_eq!(e, RuleError::DuplicateOfSelf);
    assert_eq!(e.message(), "a request cannot be a duplicate of itself");

    triage(&w, r2, Triage::Duplicate { of: r1 }).unwrap();
    let req = w.request(r2);
    assert_eq!((req.status, req.duplicate_of), (RequestStatus::Duplicate, Some(r1)));

    let e = w.refused(
        &op_a(),
        Command::RequestTriage {
            id: r3,
            triage: Triage::Duplicate { of: r2 },
        },
    );
    assert_eq!(
        e,
        RuleError::DuplicateChain {
            of: r2.to_string(),
            original: r1.to_string()
        }
    );
    assert_eq!(
        e.message(),
        format!("{r2} is itself a duplicate of {r1}: mark it a duplicate of {r1}")
    );
    assert_eq!(w.request(r3).status, RequestStatus::New);
    triage(&w, r3, Triage::Duplicate { of: r1 }).unwrap();

    let missing = req_id(99);
    let e = triage(&w, w.add_request("x"), Triage::Duplicate { of: missing }).unwrap_err();
    assert_eq!(e.exit_code(), 5);
    assert_eq!(e.message(), format!("not found: {missing}"));
}

#[test]
fn a_joint_review_ends_with_the_meetings_position() {
    let _en = english();
    let w = World::new();
    let r = w.add_request("统一身份认证对接");
    triage(&w, r, Triage::Triage).unwrap();
    triage(&w, r, Triage::JointReview).unwrap();
    w.analyse(r);
    assert_eq!(w.request(r).status, RequestStatus::JointReview);
    let e = w.refused(
        &op_a(),
        Command::RequestTriage {
            id: r,
            triage: Triage::Accept { outcome: None },
        },
    );
    assert_eq!(
        e,
        RuleError::ReasonRequired {
            action: "joint_review.outcome".into()
        }
    );
    assert_eq!(
        e.message(),
        "a reason is required to record the joint review's position"
    );
    triage(
        &w,
        r,
        Triage::Accept {
            outcome: Some("各部门同意分两期实施".into()),
        },
    )
    .unwrap();
    let req = w.request(r);
    assert_eq!(req.status, RequestStatus::Accepted);
    let j = req.joint_review.unwrap();
    assert_eq!(
        (j.sent_by.as_str(), j.outcome.as_deref()),
        ("wang", Some("各部门同意分两期实施"))
    );
}

#[test]
fn requests_are_linked_only_until_the_plan_is_approved() {
    let _en = english();
    let w = World::new();
    let new = w.add_request("未分拣");
    let draft = w.written_plan(&op_a());
    // Not accepted yet: it says so, naming the request and its status.
    let e = w.refused(&op_a(), Command::RequestLink { id: new, plan: draft });
    assert_eq!(
        e,
        RuleError::NotAccepted {
            request: new.to_string(),
            status: RequestStatus::New.label()
        }
    );
    assert_eq!(
        e.message(),
        format!("{new} is still new: accept it first (§3.1: its necessity and feasibility analysed), then link it to a plan")
    );
    triage(&w, new, Triage::Triage).unwrap();
    assert!(matches!(
        w.refused(&op_a(), Command::RequestLink { id: new, plan: draft }),
        RuleError::NotAccepted { .. }
    ));
    drop(_en);
    let m = in_chinese(|| {
        RuleError::NotAccepted {
            request: "REQ-2026-0001".into(),
            status: RequestStatus::Triaged.label(),
        }
        .message()
    });
    assert!(m.starts_with("REQ-2026-0001 当前仍为「已分拣」，须先采纳"), "{m}");
    let _en = english();

    let r = w.accepted_request("选课慢");
    w.ok(&op_a(), Command::RequestLink { id: r, plan: draft });
    let req = w.request(r);
    assert_eq!((req.status, req.plan), (RequestStatus::Planned, Some(draft)));
    assert_eq!(w.plan(draft).requests, vec![r]);
    // Once planned, it is not linked again.
    let e = w.refused(&op_a(), Command::RequestLink { id: r, plan: draft });
    assert_eq!(
        e.message(),
        format!("{r} is planned: cannot link to a plan (only when accepted)")
    );

    // Returned and submitted (before any approval) plans take links.
    for target in [S::Returned, S::Submitted] {
        let p = w.plan_at(target);
        let r2 = w.accepted_request("成绩导出");
        w.ok(&op_a(), Command::RequestLink { id: r2, plan: p });
        assert_eq!(w.request(r2).status, RequestStatus::Planned);
        assert_eq!(w.plan(p).requests, vec![r2]);
        assert_eq!(w.status(p), target);
    }

    for (target, label) in [
        (S::Approved, "approved"),
        (S::NoticePublished, "notice published"),
        (S::Testing, "testing"),
        (S::Live, "live"),
        (S::Cancelled, "cancelled"),
    ] {
        let p = w.plan_at(target);
        let r = w.accepted_request("待排期");
        let e = w.refused(&op_a(), Command::RequestLink { id: r, plan: p });
        assert_eq!(
            e,
            RuleError::PlanNotOpen {
                plan: p.to_string(),
                status: target.label()
            }
        );
        assert_eq!(
            e.message(),
            format!(
                "{p} is {label}: requests can be linked to a plan only until it is approved (draft, returned for revision, or submitted before any member of the Leading Group approved it)"
            )
        );
        assert_eq!(w.request(r).status, RequestStatus::Accepted);
        assert!(w.plan(p).requests.is_empty());
    }
}

/// With a quorum of two, the first approval fixes the scope: the requests of
/// the submitted plan change no more (linked or unlinked) until it is
/// returned; whoever linked or unlinked before contributed and may not approve.
#[test]
fn the_first_approval_closes_a_submitted_plans_requests() {
    let _en = english();
    let mut w = World::new();
    let mut cfg = w.svc.config().clone();
    cfg.process.classes.normal.approvers = 2;
    w.svc.set_config(cfg);
    let approve = |id| Command::PlanApprove {
        id,
        comment: String::new(),
        minutes_ref: "LG-1".into(),
    };
    let p = w.plan_at(S::Submitted);
    let (r1, r2) = (w.accepted_request("选课慢"), w.accepted_request("成绩导出"));
    // The member who links to the submitted plan contributes: no approving it.
    w.ok(&op_approver(), Command::RequestLink { id: r1, plan: p });
    w.ok(&op_a(), Command::RequestLink { id: r2, plan: p });
    w.ok(
        &op_a(),
        Command::RequestUnlink {
            id: r2,
            reason: "另行处理".into(),
        },
    );
    assert_eq!(w.plan(p).requests, vec![r1]);
    let e = w.refused(&op_approver(), approve(p));
    assert!(
        matches!(&e, RuleError::Contributor { did, .. } if did.contains(&"link".to_string())),
        "{e:?}"
    );
    w.ok(&approver(), approve(p));
    assert_eq!(w.status(p), S::Submitted, "one approval of two");
    let e = w.refused(&op_a(), Command::RequestLink { id: r2, plan: p });
    assert_eq!(
        e,
        RuleError::ScopeApproved {
            plan: p.to_string(),
            approvers: vec!["li".into()],
            unlink: false,
        }
    );
    assert!(e.message().contains("li already approved it"), "{}", e.message());
    let e = w.refused(
        &op_a(),
        Command::RequestUnlink {
            id: r1,
            reason: "改期".into(),
        },
    );
    assert!(matches!(e, RuleError::ScopeApproved { unlink: true, .. }), "{e:?}");
    // Returned, it takes changes again (the approval was of the old submission).
    w.ok(
        &approver(),
        Command::PlanReturn {
            id: p,
            reason: "补充".into(),
            minutes_ref: String::new(),
        },
    );
    w.ok(&op_a(), Command::RequestLink { id: r2, plan: p });
    w.ok(&op_a(), Command::PlanSubmit { id: p });
    w.ok(
        &op_a(),
        Command::RequestUnlink {
            id: r2,
            reason: "另行处理".into(),
        },
    );
}

/// The submit check lists the linked requests (with titles, from the service)
/// and warns, without refusing, when there are none.
#[test]
fn the_submit_check_lists_the_linked_requests_and_warns_when_there_are_none() {
    let _en = english();
    let w = World::new();
    let p = w.written_plan(&op_a());
    let g = w.svc.plan_gates(&viewer(), p).unwrap();
    assert!(g.requests.is_empty());
    assert_eq!(g.warnings, vec![beian::workflow::SubmitWarning::NoRequests]);
    assert!(
        g.warnings[0]
            .message(p)
            .starts_with(&format!("no request is linked to {p}")),
        "{}",
        g.warnings[0].message(p)
    );
    let r = w.accepted_request("选课慢");
    w.ok(&op_a(), Command::RequestLink { id: r, plan: p });
    let g = w.svc.plan_gates(&viewer(), p).unwrap();
    assert!(g.warnings.is_empty());
    assert_eq!(
        g.requests,
        vec![beian::workflow::LinkedRequest {
            id: r,
            title: "选课慢".into(),
            status: Some(RequestStatus::Planned),
        }]
    );
    // Submitting without a request is a warning only.
    let q = w.written_plan(&op_a());
    w.ok(&op_a(), Command::PlanSubmit { id: q });
    assert_eq!(w.status(q), S::Submitted);
}

/// A joint review meeting (§3.1) covers several requests, names the
/// departments taking part and its day; its position decides every request
/// still in it (accepted, or rejected with the position as the reason); a
/// request reopened before it left; individual decisions wait for it.
#[test]
fn a_joint_review_decides_the_requests_it_covers() {
    let _en = english();
    let w = World::new();
    let day = NaiveDate::from_ymd_opt(2026, 3, 10).unwrap();
    let [a, b, c, d] = ["选课慢", "排考冲突", "移动端", "英文界面"].map(|t| w.add_request(t));
    triage(&w, b, Triage::Triage).unwrap();
    // Sent to joint review the old way, without a meeting: a meeting takes it in.
    triage(&w, d, Triage::JointReview).unwrap();
    let convene = |reqs: Vec<Id>, departments: &[&str]| Command::JointReviewNew {
        topic: "选课专题".into(),
        requests: reqs,
        departments: departments.iter().map(|x| x.to_string()).collect(),
        date: day,
    };
    let e = w.refused(&op_a(), convene(vec![a, b], &["教务处", " 教务处 "]));
    assert_eq!(
        e,
        RuleError::JointReviewDepartments {
            given: vec!["教务处".into()]
        }
    );
    let out = w.ok(&op_a(), convene(vec![a, b, c, d], &["教务处", "学生工作部、研究生院"]));
    let jr: Id = out.entity.parse().unwrap();
    assert_eq!(jr.to_string(), "JR-2026-0001");
    let m = w.svc.joint_review(&viewer(), jr).unwrap();
    assert_eq!(m.requests, vec![a, b, c, d]);
    assert_eq!(m.departments, ["教务处", "学生工作部", "研究生院"]);
    assert_eq!(m.date, day);
    for r in [a, b, c, d] {
        let q = w.request(r);
        assert_eq!(q.status, RequestStatus::JointReview);
        assert_eq!(q.joint_review.unwrap().review, Some(jr));
    }
    // In one meeting at a time; decided by it, not one by one.
    let e = w.refused(&op_a(), convene(vec![a], &["教务处", "学生工作部"]));
    assert_eq!(
        e,
        RuleError::InJointReview {
            request: a.to_string(),
            review: jr.to_string()
        }
    );
    let e = triage(&w, a, Triage::Reject { reason: "x".into() }).unwrap_err();
    assert!(
        matches!(e, beian::Error::Rule(RuleError::InJointReview { .. })),
        "{e:?}"
    );
    // c leaves the review (reopened); it is not decided by the position.
    w.ok(
        &op_b(),
        Command::RequestReopen {
            id: c,
            reason: "先补充材料".into(),
        },
    );
    assert_eq!(w.request(c).status, RequestStatus::New);
    let decide = |reject: Vec<Id>| Command::JointReviewDecide {
        id: jr,
        position: "选课与排考纳入下一版本，英文界面暂缓".into(),
        minutes_ref: "研讨纪要3号".into(),
        reject,
    };
    assert_eq!(
        w.refused(&op_a(), decide(vec![c])),
        RuleError::NotInJointReview {
            request: c.to_string(),
            review: jr.to_string()
        }
    );
    // Accepting needs the analysis: one missing refuses the whole position.
    let before = (w.request(a), w.request(b), w.request(d));
    assert!(matches!(
        w.refused(&op_a(), decide(vec![d])),
        RuleError::AnalysisMissing { .. }
    ));
    assert_eq!((w.request(a), w.request(b), w.request(d)), before);
    w.analyse(a);
    w.analyse(b);
    let out = w.ok(&op_a(), decide(vec![d]));
    assert_eq!(
        out.summary,
        format!("accepted [{a} {b}], rejected [{d}], withdrawn [{c}]: 选课与排考纳入下一版本，英文界面暂缓")
    );
    for r in [a, b] {
        let q = w.request(r);
        assert_eq!(q.status, RequestStatus::Accepted);
        assert_eq!(
            q.joint_review.unwrap().outcome.as_deref(),
            Some("选课与排考纳入下一版本，英文界面暂缓")
        );
    }
    let q = w.request(d);
    assert_eq!(q.status, RequestStatus::Rejected);
    assert_eq!(q.reject_reason.as_deref(), Some("选课与排考纳入下一版本，英文界面暂缓"));
    assert_eq!(w.request(c).status, RequestStatus::New);
    let m = w.svc.joint_review(&viewer(), jr).unwrap();
    let pos = m.position.unwrap();
    assert_eq!(
        (pos.accepted, pos.rejected, pos.withdrawn),
        (vec![a, b], vec![d], vec![c])
    );
    assert_eq!(pos.recorded_by, "wang");
    assert_eq!(
        w.refused(&op_a(), decide(vec![])),
        RuleError::JointReviewDecided { review: jr.to_string() }
    );
    // The audit log has both, under the meeting and each request it decided.
    let ev = w.svc.audit(&supervisor(), Some(&d.to_string()), 10).unwrap();
    assert_eq!(ev[0].action, "joint_review.decide");
    let ev = w.svc.audit(&supervisor(), Some(&jr.to_string()), 10).unwrap();
    let actions: Vec<&str> = ev.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["joint_review.decide", "joint_review.new"]);
    // Reopened after the position: back in joint review, decided one by one.
    w.ok(
        &op_b(),
        Command::RequestReopen {
            id: d,
            reason: "重新评估".into(),
        },
    );
    let q = w.request(d);
    assert_eq!(q.status, RequestStatus::JointReview);
    assert_eq!(q.joint_review.as_ref().unwrap().review, None);
    triage(
        &w,
        d,
        Triage::Reject {
            reason: "仍暂缓".into(),
        },
    )
    .unwrap();
    // Who may: those who triage.
    assert!(matches!(
        w.refused(&approver(), convene(vec![c], &["教务处", "学生工作部"])),
        RuleError::Forbidden { .. }
    ));
}

/// A new request that looks like one in the queue is tagged 疑似重复 and
/// names it; the oldest such request, among those not duplicates themselves.
#[test]
fn a_request_that_looks_like_another_names_it() {
    let w = World::new();
    let first = w.add_request("选课页面加载慢");
    let unlike = w.add_request("成绩导出乱码");
    assert_eq!(w.request(unlike).similar_to, None);
    let out = w.ok(&op_a(), new_request("选课页面加载慢，经常超时", Some(w.system)));
    assert!(out.summary.ends_with(&format!(" ≈ {first}")), "{}", out.summary);
    let id: Id = out.entity.parse().unwrap();
    let r = w.request(id);
    assert_eq!(r.similar_to, Some(first));
    assert!(r.tags.contains(&beian::workflow::LIKELY_DUPLICATE_TAG.to_string()));
    assert_eq!(r.shown_tags(), vec![format!("疑似重复 {first}"), "选课".to_string()]);
    // Another system's request is not alike.
    let out = w.ok(&op_a(), new_request("选课页面加载慢", None));
    let other: Id = out.entity.parse().unwrap();
    assert_eq!(w.request(other).similar_to, None);
    // Records of older versions (the tag alone) still load and show the tag.
    let old: Request = serde_json::from_value(serde_json::json!({
        "id": "REQ-2026-0099", "kind": "problem", "title": "t", "body": "", "system": null,
        "submitter": {"name": "x", "kind": "staff"}, "department": "", "channel": "other",
        "received_at": "2026-03-01T04:00:00Z", "priority": "normal", "tags": ["疑似重复"],
        "status": "new", "joint_review": {"sent_by": "a", "sent_at": "2026-03-01T04:00:00Z"},
        "meta": {"rev": 1, "created_at": "2026-03-01T04:00:00Z", "created_by": "a",
            "updated_at": "2026-03-01T04:00:00Z", "updated_by": "a"}
    }))
    .unwrap();
    assert_eq!((old.similar_to, old.joint_review.unwrap().review), (None, None));
}

/// The titles a new request is compared with are kept by the service across
/// commands: a request marked duplicate since, or a title edited since, is
/// judged as it is now, not as it was when the title was first kept.
#[test]
fn likely_duplicates_follow_edits_and_duplicate_marks_made_later() {
    let w = World::new();
    let first = w.add_request("选课页面加载慢");
    let unlike = w.add_request("成绩导出乱码");
    let second: Id = w
        .ok(&op_a(), new_request("选课页面加载慢，经常超时", Some(w.system)))
        .entity
        .parse()
        .unwrap();
    assert_eq!(w.request(second).similar_to, Some(first));
    // `first` is marked a duplicate: the next alike request names `second`.
    triage(&w, first, Triage::Duplicate { of: second }).unwrap();
    let third: Id = w
        .ok(&op_a(), new_request("选课页面加载慢", Some(w.system)))
        .entity
        .parse()
        .unwrap();
    assert_eq!(w.request(third).similar_to, Some(second));
    // `unlike` gets a new title: a request with that title names it, and the
    // old title no longer does.
    w.ok(
        &op_a(),
        Command::RequestEdit {
            id: unlike,
            edit: beian::service::RequestEdit {
                title: Some("图书馆座位预约失败".into()),
                ..Default::default()
            },
        },
    );
    let r: Id = w
        .ok(&op_a(), new_request("图书馆座位预约失败", Some(w.system)))
        .entity
        .parse()
        .unwrap();
    assert_eq!(w.request(r).similar_to, Some(unlike));
    let r: Id = w
        .ok(&op_a(), new_request("成绩导出乱码", Some(w.system)))
        .entity
        .parse()
        .unwrap();
    assert_eq!(w.request(r).similar_to, None);
    // Reopened, the duplicate is alike again (and the oldest).
    w.ok(
        &op_a(),
        Command::RequestReopen {
            id: first,
            reason: "并非重复".into(),
        },
    );
    let r: Id = w
        .ok(&op_a(), new_request("选课页面加载慢", Some(w.system)))
        .entity
        .parse()
        .unwrap();
    assert_eq!(w.request(r).similar_to, Some(first));
}

#[test]
fn a_planned_request_is_done_when_its_plan_is_filed() {
    let _en = english();
    let w = World::new();
    let r1 = w.accepted_request("a");
    let r2 = w.accepted_request("b");
    let id = w.written_plan(&op_a());
    w.ok(&op_a(), Command::RequestLink { id: r1, plan: id });
    w.ok(&op_a(), Command::RequestLink { id: r2, plan: id });
    w.drive(id, S::Live);
    assert_eq!(w.request(r1).status, RequestStatus::Planned);
    w.drive(id, S::Filed);
    for r in [r1, r2] {
        let req = w.request(r);
        assert_eq!((req.status, req.plan), (RequestStatus::Done, Some(id)));
    }
    let done = w
        .svc
        .requests(
            &viewer(),
            &RequestFilter {
                status: Some(RequestStatus::Done),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(done.iter().map(|r| r.id).collect::<Vec<_>>(), vec![r1, r2]);
}

#[test]
fn a_planned_request_is_accepted_again_when_its_plan_is_cancelled() {
    let _en = english();
    let w = World::new();
    let r = w.accepted_request("a");
    let id = w.written_plan(&op_a());
    w.ok(&op_a(), Command::RequestLink { id: r, plan: id });
    w.drive(id, S::Testing);
    w.ok(
        &approver(),
        Command::PlanCancel {
            id,
            reason: "供应商退出".into(),
        },
    );
    let req = w.request(r);
    assert_eq!((req.status, req.plan), (RequestStatus::Accepted, None));
    // … and may go into another plan.
    let other = w.written_plan(&op_b());
    w.ok(&op_a(), Command::RequestLink { id: r, plan: other });
    assert_eq!(w.request(r).plan, Some(other));
}

// ===== permissions (§2, §5.1) =====

/// Records for every kind of operation to act on.
struct Fixture {
    accepted: beian::model::Id,
    new: beian::model::Id,
    draft: beian::model::Id,
    submitted: beian::model::Id,
    testing: beian::model::Id,
    dossier: beian::model::Id,
    order: beian::model::Id,
    report: beian::model::Id,
}

fn fixture() -> (World, Fixture) {
    let mut w = World::new();
    // Supervisors write backups into the configured backup directory only.
    let mut cfg = w.svc.config().clone();
    cfg.backup.dir = Some(w.dir.path().join("backups"));
    w.svc.set_config(cfg);
    std::fs::create_dir_all(w.dir.path().join("backups")).unwrap();
    let fx = w
        .svc
        .bulk(|_| {
            let accepted = w.accepted_request("已采纳");
            let new = w.add_request("新需求");
            let draft = w.written_plan(&op_a());
            let submitted = w.plan_at(S::Submitted);
            let testing = w.plan_at(S::Testing);
            w.ok(&op_a(), test_item(testing));
            w.ok(&op_a(), defect(testing, Severity::Minor));
            w.ok(
                &op_a(),
                Command::ComparisonAdd {
                    plan: testing,
                    row: comparison_row(),
                },
            );
            let filed = w.plan_at(S::Filed);
            let dossier = w.plan(filed).dossier.unwrap();
            let order = w.ok(&supervisor(), order_issue(testing)).entity.parse().unwrap();
            let report = w
                .ok(
                    &viewer(),
                    Command::ReportSubmit {
                        content: "有人违规操作".into(),
                        contact: None,
                    },
                )
                .entity
                .parse()
                .unwrap();
            Ok(Fixture {
                accepted,
                new,
                draft,
                submitted,
                testing,
                dossier,
                order,
                report,
            })
        })
        .unwrap();
    (w, fx)
}

fn order_issue(plan: beian::model::Id) -> Command {
    Command::OrderIssue {
        target: OrderTarget::Plan(plan),
        finding: "未按期公告".into(),
        required_action: "补发公告".into(),
        deadline: NaiveDate::from_ymd_opt(2026, 4, 1).unwrap(),
    }
}

type Run = Box<dyn Fn(&World, &Actor) -> beian::Result<()>>;

/// Something that needs a permission: a command or a query.
struct Probe {
    op: Op,
    what: String,
    run: Run,
}

fn cmd(op: Op, c: Command) -> Probe {
    assert_eq!(c.op(), op, "{} should need {}", c.name(), op.as_str());
    Probe {
        op,
        what: c.name().to_string(),
        run: Box::new(move |w, a| w.exec(a, c.clone()).map(|_| ())),
    }
}

fn query<T>(op: Op, what: &str, f: impl Fn(&World, &Actor) -> beian::Result<T> + 'static) -> Probe {
    Probe {
        op,
        what: what.to_string(),
        run: Box::new(move |w, a| f(w, a).map(|_| ())),
    }
}

fn probes(fx: &Fixture) -> Vec<Probe> {
    let now = t0() + Duration::days(1);
    let (sys, acc, new, draft, sub, test, dos, ord, rpt) = (
        sys_id(1),
        fx.accepted,
        fx.new,
        fx.draft,
        fx.submitted,
        fx.testing,
        fx.dossier,
        fx.order,
        fx.report,
    );
    let period = Blackout {
        name: "寒假".into(),
        start: NaiveDate::from_ymd_opt(2026, 1, 20).unwrap(),
        end: NaiveDate::from_ymd_opt(2026, 2, 20).unwrap(),
        hard: false,
        systems: Vec::new(),
    };
    vec![
        query(Op::ReadRecords, "systems", |w, a| w.svc.systems(a)),
        query(Op::ReadRecords, "system", move |w, a| w.svc.system(a, sys)),
        query(Op::ReadRecords, "resolve_system", |w, a| {
            w.svc.resolve_system(a, "教务")
        }),
        query(Op::ReadRecords, "requests", |w, a| {
            w.svc.requests(a, &RequestFilter::default())
        }),
        query(Op::ReadRecords, "request", move |w, a| w.svc.request(a, acc)),
        query(Op::ReadRecords, "plans", |w, a| w.svc.plans(a, &PlanFilter::default())),
        query(Op::ReadRecords, "plan", move |w, a| w.svc.plan(a, draft)),
        query(Op::ReadRecords, "archive", |w, a| {
            w.svc.archive(a, &ArchiveFilter::default())
        }),
        query(Op::ReadRecords, "dossier", move |w, a| w.svc.dossier(a, dos)),
        query(Op::ReadRecords, "calendar", |w, a| w.svc.calendar(a)),
        query(Op::ReadRecords, "orders", |w, a| w.svc.orders(a)),
        query(Op::ReadRecords, "order", move |w, a| w.svc.order(a, ord)),
        query(Op::ReadRecords, "overview", |w, a| w.svc.overview(a)),
        query(Op::ReadRecords, "recognitions", |w, a| w.svc.recognitions(a)),
        query(Op::ReadRecords, "evaluation", |w, a| {
            let d = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
            w.svc.evaluation(a, d, d + Duration::days(365))
        }),
        query(Op::ReadRecords, "contributions", |w, a| {
            let d = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
            w.svc.contributions(a, d, d + Duration::days(365))
        }),
        query(Op::ReadAudit, "audit", |w, a| w.svc.audit(a, None, 10)),
        query(Op::ServerStatus, "server status", |_, a| beian::server::check_status(a)),
        query(Op::ReadRecords, "verify", |w, a| w.svc.verify(a, None)),
        query(Op::Backup, "backup", |w, a| {
            w.svc.backup(a, &w.dir.path().join("backups"), None)
        }),
        query(Op::BackupManage, "backup with pruning", |w, a| {
            w.svc.backup(a, &w.dir.path().join("backups"), Some(2))
        }),
        // The maintenance commands themselves (not the helper they share):
        // compaction consumes its service, so each run compacts a database of
        // its own (an admin's succeeds); reindex runs on the world's.
        query(Op::Maintain, "compact", |w, a| {
            let n = std::fs::read_dir(w.dir.path()).map(|d| d.count()).unwrap_or(0);
            let dir = w.dir.path().join(format!("compact-{n}"));
            let svc = beian::service::Service::create(&dir, "root", false)?;
            let report = svc.compact(a);
            // Other errors than a refusal are not ignored here: an admin's
            // compaction of a new database succeeds.
            if a.roles.contains(&Role::Admin) {
                let r = report
                    .as_ref()
                    .unwrap_or_else(|e| panic!("{} compacting: {e:?}", a.name));
                assert!(r.records > 0, "{r:?}");
            }
            report
        }),
        query(Op::Maintain, "reindex", |w, a| w.svc.reindex(a)),
        query(Op::ReadAudit, "audit of one record", move |w, a| {
            w.svc.audit(a, Some(&draft.to_string()), 10)
        }),
        query(Op::ReadReports, "reports", |w, a| w.svc.reports(a)),
        query(Op::ReadReports, "report", move |w, a| w.svc.report(a, rpt)),
        cmd(
            Op::SystemEdit,
            Command::SystemAdd {
                name: "一卡通".into(),
                department: "后勤".into(),
                vendor: "v".into(),
                version: "1".into(),
            },
        ),
        cmd(
            Op::SystemEdit,
            Command::SystemEdit {
                id: sys,
                name: None,
                department: None,
                vendor: Some("新供应商".into()),
                version: None,
                depends_on: None,
            },
        ),
        cmd(Op::CalendarEdit, Command::CalendarAdd { period: period.clone() }),
        cmd(Op::CalendarEdit, Command::CalendarRemove { name: "寒假".into() }),
        cmd(Op::CalendarEdit, Command::CalendarReplace { periods: vec![period] }),
        cmd(Op::RequestAdd, new_request("权限探测", None)),
        cmd(
            Op::RequestTriage,
            Command::RequestTriage {
                id: new,
                triage: Triage::Triage,
            },
        ),
        cmd(
            Op::RequestEdit,
            Command::RequestEdit {
                id: new,
                edit: beian::service::RequestEdit {
                    priority: Some(Priority::High),
                    ..Default::default()
                },
            },
        ),
        cmd(
            Op::RequestComment,
            Command::RequestComment {
                id: new,
                text: "已联系提出人".into(),
            },
        ),
        cmd(Op::RequestLink, Command::RequestLink { id: acc, plan: draft }),
        cmd(
            Op::PlanEdit,
            Command::PlanNew {
                system: sys,
                title: "t".into(),
                version_from: None,
                version_to: "9".into(),
                class: Default::default(),
                template: None,
            },
        ),
        cmd(
            Op::PlanEdit,
            Command::PlanEdit {
                id: draft,
                changes: vec![PlanChange::MigrationPlan("m".into())],
            },
        ),
        cmd(Op::PlanSubmit, Command::PlanSubmit { id: draft }),
        cmd(
            Op::PlanDecide,
            Command::PlanApprove {
                id: sub,
                comment: String::new(),
                minutes_ref: "LG".into(),
            },
        ),
        cmd(
            Op::PlanDecide,
            Command::PlanReturn {
                id: sub,
                reason: "r".into(),
                minutes_ref: "LG".into(),
            },
        ),
        cmd(Op::PlanNotice, notice(sub)),
        cmd(Op::PlanImplement, Command::PlanImplement { id: sub }),
        cmd(
            Op::PlanCancel,
            Command::PlanCancel {
                id: draft,
                reason: "r".into(),
            },
        ),
        cmd(
            Op::TestRecord,
            Command::TestRound {
                plan: test,
                copy_unfinished: false,
                environment: "测试环境".into(),
            },
        ),
        cmd(Op::TestRecord, test_item(test)),
        cmd(Op::TestRecord, pass(test, 1)),
        cmd(Op::TestRecord, defect(test, Severity::Trivial)),
        cmd(Op::TestRecord, set_defect(test, 1, DefectStatus::Fixed)),
        cmd(Op::RiskAccept, waive(test, 1, "已知风险")),
        cmd(
            Op::RiskAccept,
            Command::DefectAccept {
                plan: test,
                defect: 1,
                reason: "已知风险".into(),
            },
        ),
        cmd(
            Op::RiskAccept,
            Command::DeviationAccept {
                plan: test,
                reason: "已知风险".into(),
            },
        ),
        cmd(
            Op::GoLiveRecord,
            Command::PlanDeviation {
                plan: test,
                time: now,
                reason: "提前上线".into(),
            },
        ),
        cmd(
            Op::BackupConfirm,
            Command::Backup {
                plan: test,
                backup: backup(),
            },
        ),
        cmd(
            Op::GoLiveRecord,
            Command::GoLive {
                plan: test,
                golive: golive(now, GoLiveOutcome::Success),
            },
        ),
        cmd(
            Op::TrainingRecord,
            Command::Training {
                plan: test,
                training: training(),
            },
        ),
        cmd(
            Op::PlanFile,
            Command::ComparisonAdd {
                plan: test,
                row: comparison_row(),
            },
        ),
        cmd(Op::PlanFile, Command::ComparisonRemove { plan: test, row: 1 }),
        cmd(Op::PlanFile, Command::File { plan: test }),
        cmd(
            Op::PlanReview,
            Command::PlanReview {
                plan: test,
                goals: Vec::new(),
                summary: "达成".into(),
            },
        ),
        cmd(
            Op::DossierAddendum,
            Command::Addendum {
                dossier: dos,
                reason: "更正".into(),
                text: "t".into(),
            },
        ),
        cmd(Op::OrderIssue, order_issue(test)),
        cmd(
            Op::OrderRespond,
            Command::OrderRespond {
                id: ord,
                response: "已补发".into(),
            },
        ),
        cmd(Op::OrderClose, Command::OrderClose { id: ord }),
        cmd(
            Op::OrderReview,
            Command::OrderExtend {
                id: ord,
                deadline: NaiveDate::from_ymd_opt(2026, 5, 1).unwrap(),
                reason: "需要更多时间".into(),
            },
        ),
        cmd(
            Op::OrderReview,
            Command::OrderSendBack {
                id: ord,
                reason: "整改不到位".into(),
            },
        ),
        cmd(
            Op::OrderReview,
            Command::OrderReopen {
                id: ord,
                reason: "复查未通过".into(),
            },
        ),
        cmd(
            Op::ReportSubmit,
            Command::ReportSubmit {
                content: "举报".into(),
                contact: Some("13800000000".into()),
            },
        ),
        cmd(
            Op::ReportHandle,
            Command::ReportInvestigate {
                id: rpt,
                notes: "调查中".into(),
            },
        ),
        cmd(
            Op::ReportHandle,
            Command::ReportReply {
                id: rpt,
                reply: "已处理".into(),
            },
        ),
        cmd(Op::ReportHandle, Command::ReportLink { id: rpt, plan: test }),
        cmd(
            Op::ReportHandle,
            Command::ReportToOrder {
                id: rpt,
                target: None,
                finding: None,
                required_action: "整改".into(),
                deadline: NaiveDate::from_ymd_opt(2026, 5, 1).unwrap(),
            },
        ),
        cmd(
            Op::RecognitionRecord,
            Command::RecognitionAdd {
                kind: RecognitionKind::Award,
                recipient: Recipient::Person("李老师".into()),
                reason: "测试中发现严重缺陷".into(),
                related: vec![test],
                date: None,
            },
        ),
        cmd(
            Op::AttachmentAdd,
            Command::Attach {
                entity: test,
                files: vec![beian::workflow::attach::NewAttachment::new(
                    "纪要.txt",
                    beian::model::AttachmentKind::Minutes,
                    b"x".to_vec(),
                )],
            },
        ),
        // The register and the outbox (issue 17).
        query(Op::ReadRecords, "register", |w, a| w.svc.register(a)),
        query(Op::MailRead, "outbox", |w, a| w.svc.mail_list(a)),
        query(Op::MailSend, "mail send", |w, a| w.svc.mail_send(a, false)),
        cmd(
            Op::RegisterEdit,
            Command::PersonAdd {
                person: PersonFields {
                    name: "王老师".into(),
                    email: "wang@example.edu.cn".into(),
                    ..Default::default()
                },
            },
        ),
        cmd(
            Op::RegisterEdit,
            Command::DepartmentAdd {
                department: DepartmentFields {
                    name: "教务处".into(),
                    ..Default::default()
                },
            },
        ),
        cmd(
            Op::RegisterEdit,
            Command::VendorAdd {
                vendor: VendorFields {
                    name: "某公司".into(),
                    ..Default::default()
                },
            },
        ),
        cmd(
            Op::RegisterEdit,
            Command::RegisterImport {
                people: Vec::new(),
                departments: Vec::new(),
                vendors: Vec::new(),
            },
        ),
        cmd(
            Op::MailQueue,
            Command::MailReport {
                from: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
                to: NaiveDate::from_ymd_opt(2026, 1, 31).unwrap(),
            },
        ),
    ]
}

fn role_user(role: Role) -> Actor {
    Actor::new(format!("{}-user", role.as_str()), &[role])
}

fn assert_forbidden(w: &World, p: &Probe, actor: &Actor) {
    let before = w.audit_len();
    let e = match (p.run)(w, actor) {
        Ok(()) => panic!("{} may {} ({}) but should not", actor.name, p.what, p.op.as_str()),
        Err(e) => e,
    };
    match &e {
        Error::Rule(RuleError::Forbidden { user, op, roles }) => {
            assert_eq!(user, &actor.name);
            assert_eq!(op, p.op.as_str(), "{}", p.what);
            assert_eq!(roles, &actor.roles);
        }
        other => panic!("{} {}: expected forbidden, got {other:?}", actor.name, p.what),
    }
    assert_eq!(e.exit_code(), 3);
    let roles = if actor.roles.is_empty() {
        "none; ask the admin to add you to config.toml".to_string()
    } else {
        actor.roles.iter().map(|r| r.label()).collect::<Vec<_>>().join(", ")
    };
    assert_eq!(
        e.message(),
        format!(
            "{} may not {} (roles: {roles})",
            actor.name,
            beian::workflow::action_label(p.op.as_str())
        )
    );
    assert_eq!(w.audit_len(), before, "a refused {} left an audit event", p.what);
}

/// For every operation and every role: each command and query needing that
/// operation is refused, with its message, for the roles the table leaves out and
/// for a user with no role; and not refused by the permission check for the roles
/// it names (they may still fail for other reasons).
#[test]
fn every_operation_is_refused_to_every_role_the_table_leaves_out() {
    let _en = english();
    let mut covered = 0;
    for &op in Op::ALL {
        let (w, fx) = fixture();
        let probes: Vec<Probe> = probes(&fx).into_iter().filter(|p| p.op == op).collect();
        assert!(!probes.is_empty(), "no command or query exercises {}", op.as_str());
        for p in &probes {
            assert_forbidden(&w, p, &nobody());
        }
        for role in Role::ALL.into_iter().filter(|r| !op.roles().contains(r)) {
            for p in &probes {
                assert_forbidden(&w, p, &role_user(role));
            }
        }
        for &role in op.roles() {
            let actor = role_user(role);
            for p in &probes {
                if let Err(e @ Error::Rule(RuleError::Forbidden { .. })) = (p.run)(&w, &actor) {
                    panic!(
                        "{} ({}) is refused {}: {}",
                        actor.name,
                        role.as_str(),
                        p.what,
                        e.message()
                    );
                }
            }
        }
        covered += probes.len();
    }
    assert_eq!(
        covered,
        probes(&fixture().1).len(),
        "a probe names an operation outside Op::ALL"
    );
}

/// The roles the process gives each operation (§2, §5.1), spelled out once more
/// so that a change to the table is a deliberate one.
#[test]
fn the_permission_table_is_the_processs() {
    use Role::*;
    let expect: &[(Op, &[Role])] = &[
        (Op::ReadRecords, &[Admin, Operator, Approver, Supervisor, Viewer]),
        (Op::ReadAudit, &[Supervisor]),
        (Op::ReadReports, &[Supervisor]),
        (Op::SystemEdit, &[Admin]),
        (Op::CalendarEdit, &[Admin]),
        (Op::RequestAdd, &[Admin, Operator]),
        (Op::RequestTriage, &[Admin, Operator]),
        (Op::RequestEdit, &[Admin, Operator]),
        (Op::RequestComment, &[Admin, Operator, Approver, Supervisor]),
        (Op::RequestLink, &[Admin, Operator]),
        (Op::PlanEdit, &[Admin, Operator]),
        (Op::PlanSubmit, &[Admin, Operator]),
        (Op::PlanDecide, &[Approver]),
        (Op::RiskAccept, &[Approver]),
        (Op::PlanNotice, &[Admin, Operator]),
        (Op::PlanImplement, &[Admin, Operator]),
        (Op::PlanCancel, &[Admin, Operator, Approver]),
        (Op::TestRecord, &[Admin, Operator]),
        (Op::BackupConfirm, &[Admin, Operator]),
        (Op::GoLiveRecord, &[Admin, Operator]),
        (Op::TrainingRecord, &[Admin, Operator]),
        (Op::PlanFile, &[Admin, Operator]),
        (Op::PlanReview, &[Admin, Operator]),
        (Op::DossierAddendum, &[Admin, Operator, Supervisor]),
        (Op::OrderIssue, &[Supervisor]),
        (Op::OrderRespond, &[Admin, Operator]),
        (Op::OrderClose, &[Supervisor]),
        (Op::OrderReview, &[Supervisor]),
        (Op::ReportSubmit, &[Admin, Operator, Approver, Supervisor, Viewer]),
        (Op::ReportHandle, &[Supervisor]),
        (Op::ServerStatus, &[Admin, Supervisor]),
        (Op::RecognitionRecord, &[Admin, Supervisor]),
        (Op::AttachmentAdd, &[Admin, Operator, Approver, Supervisor]),
        (Op::Backup, &[Admin, Supervisor]),
        (Op::BackupManage, &[Admin]),
        (Op::Maintain, &[Admin]),
        (Op::RegisterEdit, &[Admin, Operator]),
        (Op::MailQueue, &[Admin, Operator, Supervisor]),
        (Op::MailRead, &[Admin, Operator, Supervisor]),
        (Op::MailSend, &[Admin, Operator, Supervisor]),
    ];
    assert_eq!(expect.len(), Op::ALL.len());
    for (op, roles) in expect {
        assert_eq!(op.roles(), *roles, "{}", op.as_str());
    }
}

#[test]
fn supervisors_alone_read_the_audit_log_and_reading_reports_is_audited() {
    let _en = english();
    let w = World::new();
    let out = w.ok(
        &viewer(),
        Command::ReportSubmit {
            content: "有人在考试周私自升级系统".into(),
            contact: None,
        },
    );
    let rpt: beian::model::Id = out.entity.parse().unwrap();
    let ev = &w.svc.audit(&supervisor(), None, 1).unwrap()[0];
    assert_eq!((ev.action.as_str(), ev.summary.as_str()), ("report.submit", "received"));
    assert!(!ev.summary.contains("私自"), "the audit log names no report content");

    for actor in [admin(), op_a(), approver(), viewer(), nobody()] {
        let n = w.audit_len();
        let e = w.svc.audit(&actor, None, 10).unwrap_err();
        assert!(
            matches!(&e, Error::Rule(RuleError::Forbidden { op, .. }) if op == "audit.read"),
            "{e:?}"
        );
        let e = w.svc.reports(&actor).unwrap_err();
        assert!(
            matches!(&e, Error::Rule(RuleError::Forbidden { op, .. }) if op == "report.read"),
            "{e:?}"
        );
        assert!(e.message().contains("may not read reports"), "{}", e.message());
        assert!(w.svc.report(&actor, rpt).is_err());
        assert_eq!(w.audit_len(), n);
    }

    let n = w.audit_len();
    let list = w.svc.reports(&supervisor()).unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].content, "有人在考试周私自升级系统");
    let events = w.svc.audit(&supervisor(), None, usize::MAX).unwrap();
    assert_eq!(events.len(), n + 1, "reading the reports is audited");
    assert_eq!(
        (events[0].action.as_str(), events[0].actor.as_str()),
        ("report.list", "chen")
    );
    assert_eq!(events[0].entity, rpt.to_string());

    w.svc.report(&supervisor(), rpt).unwrap();
    let events = w.svc.audit(&supervisor(), Some(&rpt.to_string()), usize::MAX).unwrap();
    assert_eq!(
        events.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(),
        vec!["report.read", "report.list", "report.submit"]
    );
    assert_eq!(w.audit_len(), n + 2);
}

// ===== every path to a live plan: the bypasses an auditor found (issue 12) =====

/// A second approver of the Leading Group, who contributes to nothing.
fn approver2() -> Actor {
    Actor::new("zhou", &[Role::Approver])
}

fn at_golive(w: &World, id: beian::model::Id, time: beian::model::Time) -> Command {
    let _ = w;
    Command::GoLive {
        plan: id,
        golive: golive(time, GoLiveOutcome::Success),
    }
}

/// A ready plan with the clock inside its window.
fn ready_in_window(w: &World) -> (beian::model::Id, Window) {
    let id = w.plan_at(S::Ready);
    let win = w.plan(id).window.unwrap();
    w.set_now(win.start + Duration::minutes(30));
    (id, win)
}

#[test]
fn a_go_live_cannot_be_dated_in_the_future() {
    let _en = english();
    let w = World::new();
    let (id, win) = ready_in_window(&w);
    // Thirteen days ahead, and ten minutes ahead (past the five minutes of skew).
    for ahead in [Duration::days(13), Duration::minutes(10)] {
        let time = w.now() + Duration::minutes(1) + ahead;
        let e = w.refused(&op_a(), at_golive(&w, id, time));
        assert!(matches!(e, RuleError::GoLiveInFuture { .. }), "{e:?}");
        assert!(e.message().contains("is in the future"), "{}", e.message());
    }
    // Two minutes of clock skew are tolerated.
    assert!(w.now() + Duration::minutes(3) < win.end);
    w.ok(&op_a(), at_golive(&w, id, w.now() + Duration::minutes(3)));
    // …but the plan is not filed before its go-live time has come.
    w.ok(
        &op_a(),
        Command::ComparisonAdd {
            plan: id,
            row: comparison_row(),
        },
    );
    w.set_now(w.now() - Duration::minutes(2));
    let e = w.refused(&op_a(), Command::File { plan: id });
    assert_eq!(
        e,
        RuleError::FilingBlocked {
            plan: id.to_string(),
            missing: vec![FilingMissing::GoLiveAhead]
        }
    );
    w.wait(Duration::minutes(5));
    w.ok(&op_a(), Command::File { plan: id });
}

#[test]
fn a_go_live_cannot_precede_the_approval_or_the_notice() {
    let _en = english();
    let w = World::new();
    let (id, _) = ready_in_window(&w);
    let p = w.plan(id);
    let approved = beian::workflow::approved_at(&p).unwrap();
    let published = p.notice.as_ref().unwrap().published_at;
    assert!(approved < published);
    // Eleven months before the approval (the report then printed negative lead times).
    let e = w.refused(&op_a(), at_golive(&w, id, approved - Duration::days(330)));
    assert!(matches!(e, RuleError::GoLiveBeforeApproval { .. }), "{e:?}");
    let e = w.refused(&op_a(), at_golive(&w, id, published - Duration::minutes(1)));
    assert!(matches!(e, RuleError::GoLiveBeforeNotice { .. }), "{e:?}");
    assert!(
        e.message().contains("before the update notice was published"),
        "{}",
        e.message()
    );
    // Not even as an accepted deviation.
    w.ok(
        &op_a(),
        Command::PlanDeviation {
            plan: id,
            time: published - Duration::minutes(1),
            reason: "补录".into(),
        },
    );
    w.ok(
        &approver2(),
        Command::DeviationAccept {
            plan: id,
            reason: "同意".into(),
        },
    );
    let e = w.refused(&op_a(), at_golive(&w, id, published - Duration::minutes(1)));
    assert!(matches!(e, RuleError::GoLiveBeforeNotice { .. }), "{e:?}");
    assert_eq!(w.status(id), S::Ready);
}

#[test]
fn a_go_live_outside_the_window_needs_an_accepted_deviation() {
    let _en = english();
    let w = World::new();
    let (id, win) = ready_in_window(&w);
    let late = win.end + Duration::hours(3);
    w.set_now(late + Duration::hours(1));
    let e = w.refused(&op_a(), at_golive(&w, id, late));
    assert!(matches!(e, RuleError::GoLiveOutsideWindow { .. }), "{e:?}");
    assert!(e.message().contains("beian plan deviation"), "{}", e.message());

    // Recorded, not yet accepted: still refused.
    let dev = Command::PlanDeviation {
        plan: id,
        time: late,
        reason: "数据迁移超时，延长三小时".into(),
    };
    let e = w.refused(
        &op_a(),
        Command::PlanDeviation {
            plan: id,
            time: win.start + Duration::hours(1),
            reason: "x".into(),
        },
    );
    assert!(matches!(e, RuleError::NoDeviation { .. }), "inside the window: {e:?}");
    w.ok(&op_a(), dev.clone());
    assert!(matches!(
        w.refused(&op_a(), at_golive(&w, id, late)),
        RuleError::GoLiveOutsideWindow { .. }
    ));
    // Only an approver who did not contribute accepts it.
    let accept = Command::DeviationAccept {
        plan: id,
        reason: "已向全校补发通知".into(),
    };
    let e = w.refused(&op_a(), accept.clone());
    assert!(matches!(e, RuleError::Forbidden { .. }), "{e:?}");
    let both = op_approver();
    w.ok(
        &both,
        Command::RequestComment {
            id: w.add_request("x"),
            text: "y".into(),
        },
    );
    w.ok(&both, defect(id, Severity::Trivial));
    let e = w.refused(&both, accept.clone());
    assert!(matches!(e, RuleError::Contributor { .. }), "{e:?}");
    w.ok(&approver(), accept);
    // Accepted for that time only: another time outside the window is refused.
    let e = w.refused(&op_a(), at_golive(&w, id, late + Duration::minutes(30)));
    assert!(matches!(e, RuleError::GoLiveOutsideWindow { .. }), "{e:?}");
    w.ok(&op_a(), at_golive(&w, id, late));
    let p = w.plan(id);
    assert_eq!(p.status, S::Live);
    let g = p.live_golive().unwrap();
    let d = g.deviation.as_ref().expect("the go-live carries its deviation");
    assert_eq!((d.time, d.accepted.as_ref().unwrap().by.as_str()), (late, "li"));
    assert!(p.deviation.is_none());
}

#[test]
fn a_go_live_in_a_hard_blackout_is_refused_even_with_a_deviation() {
    let _en = english();
    let w = World::new();
    let (id, win) = ready_in_window(&w);
    let next_day = win.end.with_timezone(&Local).date_naive() + Duration::days(1);
    add_period(&w, "全国研究生招生考试", next_day, next_day, true);
    let t = chrono::TimeZone::from_local_datetime(&Local, &next_day.and_hms_opt(10, 0, 0).unwrap())
        .unwrap()
        .with_timezone(&chrono::Utc);
    w.set_now(t + Duration::hours(1));
    w.ok(
        &op_a(),
        Command::PlanDeviation {
            plan: id,
            time: t,
            reason: "延期".into(),
        },
    );
    w.ok(
        &approver(),
        Command::DeviationAccept {
            plan: id,
            reason: "同意".into(),
        },
    );
    let e = w.refused(&op_a(), at_golive(&w, id, t));
    assert!(matches!(e, RuleError::GoLiveInBlackout { hard: true, .. }), "{e:?}");
    assert!(e.message().contains("全国研究生招生考试"), "{}", e.message());
}

#[test]
fn a_blackout_added_after_approval_stops_the_notice_the_implementation_and_the_go_live() {
    let _en = english();
    let w = World::new();
    // Approved, then the calendar closes the window's day.
    let id = w.plan_at(S::Approved);
    let day = window_day(&w, id);
    add_period(&w, "校庆", day, day, true);
    let gates = w.svc.plan_gates(&viewer(), id).unwrap();
    assert!(
        matches!(gates.calendar.as_slice(), [RuleError::HardBlackout { period, .. }] if period == "校庆"),
        "plan show names the period: {gates:?}"
    );
    let e = w.refused(&op_a(), notice(id));
    assert!(matches!(e, RuleError::HardBlackout { .. }), "{e:?}");
    // Removed again, the notice goes out; added again, implementation stops.
    w.ok(&admin(), Command::CalendarRemove { name: "校庆".into() });
    w.ok(&op_a(), notice(id));
    add_period(&w, "校庆", day, day, true);
    let e = w.refused(&op_a(), Command::PlanImplement { id });
    assert!(matches!(e, RuleError::HardBlackout { .. }), "{e:?}");
    w.ok(&admin(), Command::CalendarRemove { name: "校庆".into() });
    w.drive(id, S::Ready);
    add_period(&w, "校庆", day, day, true);
    let win = w.plan(id).window.unwrap();
    w.set_now(win.start + Duration::minutes(5));
    let e = w.refused(&op_a(), at_golive(&w, id, w.now()));
    assert!(
        matches!(e, RuleError::HardBlackout { .. } | RuleError::GoLiveInBlackout { .. }),
        "{e:?}"
    );
    // The way out: an approver returns the plan for rescheduling.
    let p = w.plan_at(S::NoticePublished);
    add_period(&w, "运动会", window_day(&w, p), window_day(&w, p), true);
    w.ok(
        &approver(),
        Command::PlanReturn {
            id: p,
            reason: "与运动会冲突，请改期".into(),
            minutes_ref: String::new(),
        },
    );
    assert_eq!(w.status(p), S::Returned);
}

#[test]
fn a_justification_covers_only_the_soft_period_it_names() {
    let _en = english();
    let w = World::new();
    let id = w.written_plan(&op_a());
    let day = window_day(&w, id);
    add_period(&w, "期中教学检查", day, day, false);
    // Without a period named: each soft period the window lies in now.
    w.ok(
        &op_a(),
        Command::PlanEdit {
            id,
            changes: vec![PlanChange::BlackoutOverride {
                period: None,
                reason: Some("安全补丁".into()),
            }],
        },
    );
    let p = w.plan(id);
    assert_eq!(p.blackout_overrides.len(), 1);
    assert_eq!(p.blackout_overrides[0].period, "期中教学检查");
    w.drive(id, S::Approved);
    // A second soft period added later is not covered by the first justification.
    add_period(&w, "迎新周", day, day, false);
    let e = w.refused(&op_a(), notice(id));
    assert_eq!(
        e,
        RuleError::BlackoutNeedsJustification {
            period: "迎新周".into(),
            start: day.to_string(),
            end: day.to_string()
        }
    );
    assert!(e.message().contains("--override-period"), "{}", e.message());
    // Naming an unknown or hard period is refused.
    let other = w.written_plan(&op_a());
    let e = w.refused(
        &op_a(),
        Command::PlanEdit {
            id: other,
            changes: vec![PlanChange::BlackoutOverride {
                period: Some("寒假".into()),
                reason: Some("x".into()),
            }],
        },
    );
    assert_eq!(
        e,
        RuleError::NotSoftPeriod {
            period: "寒假".into()
        }
    );
}

#[test]
fn a_blackout_for_named_systems_closes_only_those() {
    let _en = english();
    let w = World::new();
    let finance = w
        .ok(
            &admin(),
            Command::SystemAdd {
                name: "财务管理系统".into(),
                department: "财务处".into(),
                vendor: "浪潮".into(),
                version: "GS 7.2".into(),
            },
        )
        .entity
        .parse::<beian::model::Id>()
        .unwrap();
    let id = w.written_plan(&op_a());
    let day = window_day(&w, id);
    w.ok(
        &admin(),
        Command::CalendarAdd {
            period: Blackout {
                name: "财务年度结账".into(),
                start: day,
                end: day,
                hard: true,
                systems: vec![finance],
            },
        },
    );
    // The teaching system's plan is not touched by the finance year-end.
    w.ok(&op_a(), Command::PlanSubmit { id });
    // A finance plan in the same window is.
    let out = w.ok(
        &op_a(),
        Command::PlanNew {
            system: finance,
            title: "财务系统升级".into(),
            version_from: None,
            version_to: "GS 7.3".into(),
            class: Default::default(),
            template: None,
        },
    );
    let fin: beian::model::Id = out.entity.parse().unwrap();
    w.ok(
        &op_a(),
        Command::PlanEdit {
            id: fin,
            changes: full_changes_with_window(w.plan(id).window.unwrap()),
        },
    );
    let e = w.refused(&op_a(), Command::PlanSubmit { id: fin });
    assert!(
        matches!(e, RuleError::HardBlackout { ref period, .. } if period == "财务年度结账"),
        "{e:?}"
    );
    // A period naming a system that does not exist is refused.
    let e = w
        .exec(
            &admin(),
            Command::CalendarAdd {
                period: Blackout {
                    name: "x".into(),
                    start: day,
                    end: day,
                    hard: true,
                    systems: vec![sys_id(99)],
                },
            },
        )
        .unwrap_err();
    assert_eq!(e.exit_code(), 5, "{e:?}");
}

#[test]
fn windows_and_deadlines_in_the_past_are_refused() {
    let _en = english();
    let w = World::new();
    let id = w.new_plan(&op_a());
    let past = window_after(w.now(), -2);
    let e = w.refused(
        &op_a(),
        Command::PlanEdit {
            id,
            changes: vec![PlanChange::Window(Some(past))],
        },
    );
    assert!(matches!(e, RuleError::WindowInPast { .. }), "{e:?}");
    // A window that was ahead when written but has passed by submission.
    let id = w.written_plan(&op_a());
    w.wait(Duration::days(11));
    let e = w.refused(&op_a(), Command::PlanSubmit { id });
    assert!(matches!(e, RuleError::WindowInPast { .. }), "{e:?}");
    // …or by the decision.
    let id = w.written_plan(&op_a());
    w.ok(&op_a(), Command::PlanSubmit { id });
    w.wait(Duration::days(11));
    let e = w.refused(
        &approver(),
        Command::PlanApprove {
            id,
            comment: String::new(),
            minutes_ref: String::new(),
        },
    );
    assert!(matches!(e, RuleError::WindowInPast { .. }), "{e:?}");
    // A rectification order overdue at birth.
    let today = w.now().with_timezone(&Local).date_naive();
    let e = w.refused(
        &supervisor(),
        Command::OrderIssue {
            target: OrderTarget::Plan(id),
            finding: "未按期备案".into(),
            required_action: "补交材料".into(),
            deadline: today - Duration::days(1),
        },
    );
    assert!(matches!(e, RuleError::DateInPast { .. }), "{e:?}");
    assert!(e.message().contains("deadline"), "{}", e.message());
    w.ok(
        &supervisor(),
        Command::OrderIssue {
            target: OrderTarget::Plan(id),
            finding: "未按期备案".into(),
            required_action: "补交材料".into(),
            deadline: today,
        },
    );
}

#[test]
fn a_failure_is_not_forgotten_by_a_new_round() {
    let _en = english();
    let w = World::new();
    let id = w.plan_at(S::Implementing);
    w.ok(
        &op_a(),
        Command::Backup {
            plan: id,
            backup: backup(),
        },
    );
    w.ok(&op_a(), round(id));
    w.ok(&op_a(), test_item(id));
    w.ok(&op_a(), test_item(id));
    w.ok(&op_a(), result(id, 1, TestResult::Fail));
    // #2 is left pending. A new round without copying, one trivial item passed:
    w.ok(&op_a(), round(id));
    w.ok(&op_a(), test_item(id));
    w.ok(&op_a(), pass(id, 3));
    assert_eq!(w.status(id), S::Testing, "the old failure still stands");
    let e = w.refused(&op_a(), golive_now(&w, id, GoLiveOutcome::Success));
    assert_eq!(
        e,
        RuleError::GoLiveBlocked {
            plan: id.to_string(),
            missing: vec![GoLiveMissing::Unresolved {
                items: vec![(1, 1, TestResult::Fail), (2, 1, TestResult::Pending)]
            }]
        }
    );
    assert!(e.message().contains("#1 (fail in round 1)"), "{}", e.message());
    // Filing would not take it either.
    assert_readiness(&w, id);
    // The retest keeps the item's number and text; passing it resolves it.
    w.ok(&op_a(), retest(id, 1));
    let p = w.plan(id);
    let again = p.latest_round().unwrap().items.last().unwrap().clone();
    assert_eq!((again.no, again.description.as_str()), (1, "学生选课"));
    let e = w.refused(&op_a(), retest(id, 1));
    assert_eq!(e, RuleError::AlreadyInRound { item: 1, round: 2 });
    w.ok(&op_a(), pass(id, 1));
    // A pending item of an earlier round is unresolved too: waived by an approver.
    w.ok(&approver(), waive(id, 2, "功能已下线，无需测试"));
    assert_eq!(w.status(id), S::Ready);
    // A tester cannot waive; an approver who recorded a result cannot either.
    let both = op_approver();
    w.ok(&both, test_item(id));
    w.ok(&both, result(id, 4, TestResult::Fail));
    let e = w.refused(&both, waive(id, 4, "x"));
    assert!(matches!(e, RuleError::Contributor { .. }), "{e:?}");
    // A later failure of a passed item counts again.
    w.ok(&op_a(), round(id));
    w.ok(&op_a(), retest(id, 3));
    w.ok(&op_a(), result(id, 3, TestResult::Fail));
    let missing = w.svc.plan_gates(&viewer(), id).unwrap().golive;
    assert!(
        missing
            .iter()
            .any(|m| matches!(m, GoLiveMissing::Items { items, .. } if items == &vec![3])),
        "{missing:?}"
    );
    // Copying unfinished items takes every unresolved one, from any round.
    w.ok(
        &op_a(),
        Command::TestRound {
            plan: id,
            copy_unfinished: true,
            environment: "测试环境 B".into(),
        },
    );
    let copied: Vec<u32> = w.plan(id).latest_round().unwrap().items.iter().map(|i| i.no).collect();
    assert_eq!(copied, vec![3, 4]);
}

#[test]
fn a_round_records_its_test_environment() {
    let _en = english();
    let w = World::new();
    let id = w.plan_at(S::Implementing);
    let e = w.refused(
        &op_a(),
        Command::TestRound {
            plan: id,
            copy_unfinished: false,
            environment: "  ".into(),
        },
    );
    assert_eq!(
        e,
        RuleError::Empty {
            field: "environment".into()
        }
    );
    assert_eq!(e.message(), "test environment must not be empty");
    w.ok(&op_a(), round(id));
    assert_eq!(w.plan(id).rounds[0].environment, "测试环境 10.10.1.20");
}

#[test]
fn a_stale_backup_no_longer_counts() {
    let _en = english();
    let w = World::new();
    let id = w.plan_at(S::Ready);
    let confirmed = w.plan(id).backup.unwrap().time;
    let win = w.plan(id).window.unwrap();
    assert!(win.start - confirmed < Duration::days(7));
    // The go-live eight days after the backup: the window was long enough to allow it
    // in this test only by a deviation.
    let t = confirmed + Duration::days(8);
    w.set_now(t);
    let e = w.refused(&op_a(), at_golive(&w, id, t));
    assert!(
        matches!(&e, RuleError::GoLiveBlocked { missing, .. } if matches!(missing[0], GoLiveMissing::BackupStale { days: 7, .. })),
        "{e:?}"
    );
    assert!(e.message().contains("more than 7 days"), "{}", e.message());
}

#[test]
fn nobody_who_contributed_decides_and_a_decision_needs_the_quorum() {
    let _en = english();
    let mut w = World::new();
    // The rewriter of someone else's plan, who also submits it, may not approve it.
    let id = w.written_plan(&op_a());
    let rewriter = op_approver();
    w.ok(
        &rewriter,
        Command::PlanEdit {
            id,
            changes: vec![PlanChange::Goals("重写的目标".into())],
        },
    );
    w.ok(&rewriter, Command::PlanSubmit { id });
    let approve = |id| Command::PlanApprove {
        id,
        comment: "同意".into(),
        minutes_ref: "LG-7".into(),
    };
    let e = w.refused(&rewriter, approve(id));
    assert_eq!(
        e,
        RuleError::Contributor {
            user: "sun".into(),
            plan: id.to_string(),
            did: vec!["edit".into(), "submit".into()]
        }
    );
    // Linking a request to a plan is contributing too.
    let other = w.written_plan(&op_a());
    let r = w.accepted_request("选课卡顿");
    w.ok(&rewriter, Command::RequestLink { id: r, plan: other });
    w.ok(&op_a(), Command::PlanSubmit { id: other });
    assert!(matches!(
        w.refused(&rewriter, approve(other)),
        RuleError::Contributor { .. }
    ));

    // Two approvers needed: one approval leaves the plan submitted.
    let mut cfg = w.svc.config().clone();
    cfg.process.classes.normal.approvers = 2;
    w.svc.set_config(cfg);
    let out = w.ok(&approver(), approve(id));
    assert!(out.summary.contains("(1/2)"), "{}", out.summary);
    assert_eq!(w.status(id), S::Submitted);
    assert_eq!(w.svc.plan_gates(&viewer(), id).unwrap().approvals, (1, 2));
    let e = w.refused(&approver(), approve(id));
    assert_eq!(
        e,
        RuleError::AlreadyApproved {
            user: "li".into(),
            plan: id.to_string()
        }
    );
    // A return sends it back; the resubmission needs both approvals again.
    w.ok(
        &approver2(),
        Command::PlanReturn {
            id,
            reason: "补充回退演练".into(),
            minutes_ref: "LG-8".into(),
        },
    );
    w.ok(&op_a(), Command::PlanSubmit { id });
    w.ok(&approver(), approve(id));
    assert_eq!(
        w.status(id),
        S::Submitted,
        "the earlier approval was of the earlier submission"
    );
    w.ok(&approver2(), approve(id));
    let p = w.plan(id);
    assert_eq!(p.status, S::Approved);
    assert_eq!(p.submission, 2);
    assert_eq!(
        p.approvals
            .iter()
            .map(|a| (a.approver.as_str(), a.submission))
            .collect::<Vec<_>>(),
        vec![("li", 1), ("zhou", 1), ("li", 2), ("zhou", 2)]
    );
}

#[test]
fn a_plan_says_whether_it_migrates_data_and_how() {
    let _en = english();
    let w = World::new();
    let id = w.written_plan(&op_a());
    w.ok(
        &op_a(),
        Command::PlanEdit {
            id,
            changes: vec![PlanChange::MigrationPlan("  ".into())],
        },
    );
    let e = w.refused(&op_a(), Command::PlanSubmit { id });
    assert_eq!(
        e,
        RuleError::MissingFields {
            entity: id.to_string(),
            fields: vec![PlanField::MigrationPlan]
        }
    );
    w.ok(
        &op_a(),
        Command::PlanEdit {
            id,
            changes: vec![PlanChange::MigratesData(false)],
        },
    );
    w.ok(&op_a(), Command::PlanSubmit { id });
}

#[test]
fn a_request_is_accepted_only_with_its_analysis() {
    let _en = english();
    let w = World::new();
    let r = w.add_request("选课卡顿");
    let accept = Command::RequestTriage {
        id: r,
        triage: Triage::Accept { outcome: None },
    };
    let e = w.refused(&op_a(), accept.clone());
    assert_eq!(
        e,
        RuleError::AnalysisMissing {
            request: r.to_string(),
            fields: vec!["necessity".into(), "feasibility".into()]
        }
    );
    assert_eq!(
        e.message(),
        format!(
            "{r} cannot be accepted before its analysis is written (§3.1): necessity analysis, feasibility analysis \
             (beian request edit ID --necessity … --feasibility …)"
        )
    );
    assert!(!w.svc.requests(&viewer(), &RequestFilter::default()).unwrap()[0].analysed);
    w.analyse(r);
    assert!(w.svc.requests(&viewer(), &RequestFilter::default()).unwrap()[0].analysed);
    w.ok(&op_a(), accept);
}

#[test]
fn a_substitute_decides_in_a_members_place_but_not_on_plans_they_touched() {
    let _en = english();
    let w = World::new();
    let today = w.now().with_timezone(&Local).date_naive();
    let name = |who: &str, from: NaiveDate, to: NaiveDate| Command::ApproverSubstitute {
        substitute: who.into(),
        from,
        to,
        reason: "出差".into(),
    };
    // Only a member names a substitute; not themself, not in the past, not backwards.
    let e = w.refused(&op_a(), name("wu", today, today));
    assert!(matches!(e, RuleError::Forbidden { .. }), "{e:?}");
    assert!(matches!(
        w.refused(&approver(), name("li", today, today)),
        RuleError::SubstituteSelf { .. }
    ));
    assert!(matches!(
        w.refused(&approver(), name("wu", today - Duration::days(1), today)),
        RuleError::DateInPast { .. }
    ));
    assert!(matches!(
        w.refused(&approver(), name("wu", today + Duration::days(2), today)),
        RuleError::DateOrder { .. }
    ));
    // Someone who contributed to a plan open to a decision cannot be named.
    let id = w.plan_at(S::Submitted);
    let e = w.refused(&approver(), name("wang", today, today + Duration::days(3)));
    assert!(
        matches!(&e, RuleError::Contributor { user, .. } if user == "wang"),
        "{e:?}"
    );
    // wu, with no role of their own, decides for li during the period.
    w.ok(&approver(), name("wu", today, today + Duration::days(3)));
    assert_eq!(w.svc.substitutes(&viewer()).unwrap()[0].substitute, "wu");
    let wu = Actor::new("wu", &[]);
    let approve = Command::PlanApprove {
        id,
        comment: "代为审批".into(),
        minutes_ref: "LG-9".into(),
    };
    let mut cfg = w.svc.config().clone();
    cfg.process.classes.normal.approvers = 2;
    let mut w = w;
    w.svc.set_config(cfg);
    w.ok(&wu, approve.clone());
    let a = w.plan(id).approvals[0].clone();
    assert_eq!((a.approver.as_str(), a.on_behalf_of.as_deref()), ("wu", Some("li")));
    // li's decision is made: li cannot count twice.
    let e = w.refused(&approver(), approve.clone());
    assert_eq!(
        e,
        RuleError::AlreadyApproved {
            user: "li".into(),
            plan: id.to_string()
        }
    );
    // A substitute who contributes to a plan afterwards decides nothing on it.
    let zhou = Actor::new("zhou", &[Role::Approver]);
    w.ok(&zhou, name("zhao", today, today + Duration::days(3)));
    let other = w.written_plan(&op_b());
    w.ok(&op_b(), Command::PlanSubmit { id: other });
    let e = w.refused(
        &op_b(),
        Command::PlanApprove {
            id: other,
            comment: String::new(),
            minutes_ref: String::new(),
        },
    );
    assert!(
        matches!(&e, RuleError::Contributor { user, .. } if user == "zhao"),
        "{e:?}"
    );
    // After the period, wu is nobody again.
    w.wait(Duration::days(5));
    let e = w.refused(&wu, approve);
    assert!(matches!(e, RuleError::Forbidden { .. }), "{e:?}");
}

#[test]
fn the_recorder_of_a_deviation_does_not_accept_it_and_an_accepted_analysis_stays() {
    let _en = english();
    let w = World::new();
    let (id, win) = {
        let id = w.plan_at(S::Ready);
        let win = w.plan(id).window.unwrap();
        (id, win)
    };
    // An approver who is also an operator records a deviation: he cannot accept it.
    let both = op_approver();
    w.ok(
        &both,
        Command::PlanDeviation {
            plan: id,
            time: win.end + Duration::hours(1),
            reason: "延期".into(),
        },
    );
    let e = w.refused(
        &both,
        Command::DeviationAccept {
            plan: id,
            reason: "同意".into(),
        },
    );
    assert!(
        matches!(&e, RuleError::Contributor { did, .. } if did == &vec!["deviation".to_string()]),
        "{e:?}"
    );
    // An accepted request's analysis may be rewritten, not erased.
    let r = w.accepted_request("选课慢");
    let e = w.refused(
        &op_a(),
        Command::RequestEdit {
            id: r,
            edit: beian::service::RequestEdit {
                necessity: Some(" ".into()),
                ..Default::default()
            },
        },
    );
    assert!(matches!(e, RuleError::AnalysisMissing { .. }), "{e:?}");
    w.ok(
        &op_a(),
        Command::RequestEdit {
            id: r,
            edit: beian::service::RequestEdit {
                necessity: Some("影响全校选课，必须处理".into()),
                ..Default::default()
            },
        },
    );
}

// ===== supervision (§5.1) =====

fn day(w: &World, d: i64) -> NaiveDate {
    w.now().with_timezone(&Local).date_naive() + Duration::days(d)
}

fn department_order(w: &World, deadline: NaiveDate) -> beian::model::Id {
    w.ok(
        &supervisor(),
        Command::OrderIssue {
            target: OrderTarget::Department("教务处".into()),
            finding: "测试记录由厂商代签".into(),
            required_action: "重新组织测试".into(),
            deadline,
        },
    )
    .entity
    .parse()
    .unwrap()
}

fn order(w: &World, id: beian::model::Id) -> RectificationOrder {
    w.svc.order(&supervisor(), id).unwrap()
}

/// An order extended (twice), its response sent back and answered again,
/// closed and reopened: every step kept with who, when and why; `overdue`
/// follows the deadline in force; each step audited with the fields it changed.
#[test]
fn an_order_is_extended_sent_back_and_reopened_and_keeps_every_step() {
    let _en = english();
    let w = World::new();
    let id = department_order(&w, day(&w, 3));
    let issued = w.now();
    w.wait(Duration::days(5));
    assert!(order(&w, id).overdue(day(&w, 0)));
    w.ok(
        &supervisor(),
        Command::OrderExtend {
            id,
            deadline: day(&w, 7),
            reason: "测试环境尚未恢复".into(),
        },
    );
    let o = order(&w, id);
    assert!(!o.overdue(day(&w, 0)), "overdue follows the extended deadline");
    assert_eq!((o.deadline, o.original_deadline()), (day(&w, 7), day(&w, -2)));
    w.ok(
        &supervisor(),
        Command::OrderExtend {
            id,
            deadline: day(&w, 10),
            reason: "需会同厂商".into(),
        },
    );
    let o = order(&w, id);
    assert_eq!(o.extensions.len(), 2);
    assert_eq!(
        (o.extensions[1].from, o.extensions[1].to, o.extensions[1].by.as_str()),
        (day(&w, 7), day(&w, 10), "chen")
    );
    assert_eq!(o.original_deadline(), day(&w, -2));

    w.ok(
        &op_a(),
        Command::OrderRespond {
            id,
            response: "已补签".into(),
        },
    );
    let responded_at = w.now();
    w.ok(
        &supervisor(),
        Command::OrderSendBack {
            id,
            reason: "未重新测试".into(),
        },
    );
    let o = order(&w, id);
    assert_eq!(o.status, OrderStatus::Open);
    assert!(o.current_response().is_none() && o.response.is_none());
    assert_eq!(o.responses.len(), 1, "the response sent back stays on record");
    assert_eq!(o.responses[0].text, "已补签");
    assert_eq!(o.responses[0].at, Some(responded_at));
    let back = o.responses[0].sent_back.as_ref().unwrap();
    assert_eq!((back.by.as_str(), back.reason.as_str()), ("chen", "未重新测试"));

    w.ok(
        &op_b(),
        Command::OrderRespond {
            id,
            response: "已重新组织测试并签字".into(),
        },
    );
    w.ok(&supervisor(), Command::OrderClose { id });
    let closed_at = w.now();
    let o = order(&w, id);
    let c = o.closed().unwrap();
    assert_eq!((c.by.as_str(), c.at), ("chen", closed_at));
    assert_eq!(o.current_response().map(|r| r.by.as_str()), Some("zhao"));
    assert_eq!(o.issued_at(), issued);

    w.ok(
        &supervisor(),
        Command::OrderReopen {
            id,
            reason: "复查仍有代签".into(),
        },
    );
    let o = order(&w, id);
    assert_eq!(o.status, OrderStatus::Open);
    assert!(o.closed().is_none() && o.current_response().is_none());
    assert_eq!(o.responses.len(), 2);
    assert_eq!(o.closings.len(), 1);
    assert_eq!(o.closings[0].at, closed_at, "the closing stays on record");
    assert_eq!(o.closings[0].reopened.as_ref().unwrap().reason, "复查仍有代签");

    // Each step is an audit event with the fields it changed.
    let events = w.svc.audit(&supervisor(), Some(&id.to_string()), usize::MAX).unwrap();
    let actions: Vec<&str> = events.iter().rev().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "order.issue",
            "order.extend",
            "order.extend",
            "order.respond",
            "order.send_back",
            "order.respond",
            "order.close",
            "order.reopen"
        ]
    );
    let ext = events.iter().rev().nth(1).unwrap();
    let deadline = ext.changes.iter().find(|c| c.field == "deadline").unwrap();
    assert_eq!(
        (deadline.old.clone(), deadline.new.clone()),
        (day(&w, -2).to_string(), day(&w, 7).to_string())
    );
    let back = events.iter().rev().nth(4).unwrap();
    assert!(back
        .changes
        .iter()
        .any(|c| c.field == "status" && c.old == "responded" && c.new == "open"));
}

/// What a supervisor may not do to an order, and what nobody else may do:
/// each refusal names why and writes nothing.
#[test]
fn order_steps_are_refused_out_of_turn_into_the_past_and_to_others_than_supervisors() {
    let _en = english();
    let w = World::new();
    let id = department_order(&w, day(&w, 5));
    let extend = |deadline: NaiveDate, reason: &str| Command::OrderExtend {
        id,
        deadline,
        reason: reason.into(),
    };
    // Into the past: later than the deadline is not enough once it has passed.
    w.wait(Duration::days(10));
    let e = w.refused(&supervisor(), extend(day(&w, -1), "补"));
    assert!(matches!(e, RuleError::DateInPast { .. }), "{e:?}");
    assert!(e.message().contains("before today"), "{}", e.message());
    // Not later than the deadline in force.
    w.ok(&supervisor(), extend(day(&w, 5), "给一周"));
    let e = w.refused(&supervisor(), extend(day(&w, 5), "再给"));
    assert!(matches!(e, RuleError::DeadlineNotLater { .. }), "{e:?}");
    assert!(
        e.message().contains("not after its current deadline"),
        "{}",
        e.message()
    );
    let e = w.refused(&supervisor(), extend(day(&w, 4), "提前"));
    assert!(matches!(e, RuleError::DeadlineNotLater { .. }), "{e:?}");
    // Without a reason.
    let e = w.refused(&supervisor(), extend(day(&w, 9), "  "));
    assert!(matches!(e, RuleError::ReasonRequired { .. }), "{e:?}");
    // Out of turn: nothing to send back or reopen while open.
    let send_back = Command::OrderSendBack {
        id,
        reason: "不够".into(),
    };
    let reopen = Command::OrderReopen {
        id,
        reason: "复查".into(),
    };
    for c in [send_back.clone(), reopen.clone()] {
        let e = w.refused(&supervisor(), c);
        assert!(matches!(e, RuleError::Transition { .. }), "{e:?}");
    }
    // Someone other than a supervisor: refused whatever the order's state.
    for actor in [op_a(), approver(), admin(), viewer()] {
        for c in [extend(day(&w, 9), "x"), send_back.clone(), reopen.clone()] {
            let e = w.refused(&actor, c);
            assert!(
                matches!(&e, RuleError::Forbidden { op, .. } if op == "order.review"),
                "{e:?}"
            );
        }
    }
    // A responded order is not answered again until it is sent back.
    w.ok(
        &op_a(),
        Command::OrderRespond {
            id,
            response: "已整改".into(),
        },
    );
    let e = w.refused(
        &op_a(),
        Command::OrderRespond {
            id,
            response: "补充".into(),
        },
    );
    assert!(matches!(e, RuleError::Transition { .. }), "{e:?}");
    assert!(e.message().contains("only when open"), "{}", e.message());
    // A closed order is neither extended nor sent back: reopen it first.
    w.ok(&supervisor(), Command::OrderClose { id });
    for c in [extend(day(&w, 20), "x"), send_back] {
        let e = w.refused(&supervisor(), c);
        assert!(matches!(e, RuleError::Transition { .. }), "{e:?}");
    }
    let e = w.refused(
        &supervisor(),
        Command::OrderReopen {
            id,
            reason: String::new(),
        },
    );
    assert!(matches!(e, RuleError::ReasonRequired { .. }), "{e:?}");
    assert_eq!(order(&w, id).extensions.len(), 1);
}

fn submit_report(w: &World) -> beian::model::Id {
    w.ok(
        &viewer(),
        Command::ReportSubmit {
            content: "厂商工程师用U盘拷贝学生数据".into(),
            contact: None,
        },
    )
    .entity
    .parse()
    .unwrap()
}

/// A report is answered and closed only after it was investigated, becomes an
/// order only while under investigation and only once; a refused step writes
/// nothing (no order, no order number used).
#[test]
fn a_report_is_investigated_before_it_is_answered_or_becomes_an_order() {
    let _en = english();
    let w = World::new();
    let rpt = submit_report(&w);
    let plan = w.written_plan(&op_a());
    let reply = Command::ReportReply {
        id: rpt,
        reply: "已处理".into(),
    };
    let to_order = |target: Option<OrderTarget>, deadline: NaiveDate| Command::ReportToOrder {
        id: rpt,
        target,
        finding: None,
        required_action: "说明情况".into(),
        deadline,
    };
    let e = w.refused(&supervisor(), reply.clone());
    assert!(matches!(e, RuleError::NotInvestigated { .. }), "{e:?}");
    assert!(e.message().contains("has not been investigated"), "{}", e.message());
    let e = w.refused(&supervisor(), to_order(Some(OrderTarget::Plan(plan)), day(&w, 7)));
    assert!(matches!(e, RuleError::NotInvestigated { .. }), "{e:?}");
    // Only supervisors handle reports.
    for actor in [op_a(), approver(), admin(), viewer()] {
        let e = w.refused(
            &actor,
            Command::ReportInvestigate {
                id: rpt,
                notes: "查".into(),
            },
        );
        assert!(
            matches!(&e, RuleError::Forbidden { op, .. } if op == "report.handle"),
            "{e:?}"
        );
        let e = w.refused(&actor, Command::ReportLink { id: rpt, plan });
        assert!(matches!(e, RuleError::Forbidden { .. }), "{e:?}");
    }
    w.ok(
        &supervisor(),
        Command::ReportInvestigate {
            id: rpt,
            notes: "堡垒机记录证实导出".into(),
        },
    );
    // Linked to no plan and no target named.
    let e = w.refused(&supervisor(), to_order(None, day(&w, 7)));
    assert!(matches!(e, RuleError::NoOrderTarget { .. }), "{e:?}");
    // A plan that does not exist is not linked.
    let ghost = beian::model::Id::new(IdKind::Plan, YEAR, 999);
    let before = w.audit_len();
    let e = w
        .exec(&supervisor(), Command::ReportLink { id: rpt, plan: ghost })
        .unwrap_err();
    assert!(matches!(e, Error::NotFound { .. }), "{e:?}");
    assert_eq!(w.audit_len(), before);
    w.ok(&supervisor(), Command::ReportLink { id: rpt, plan });
    // An order overdue at birth is refused, and takes nothing with it.
    let e = w.refused(&supervisor(), to_order(None, day(&w, -1)));
    assert!(matches!(e, RuleError::DateInPast { .. }), "{e:?}");
    assert!(w.svc.orders(&supervisor()).unwrap().is_empty());
    assert_eq!(w.svc.report(&supervisor(), rpt).unwrap().order, None);

    let out = w.ok(&supervisor(), to_order(None, day(&w, 7)));
    let oid: beian::model::Id = out.entity.parse().unwrap();
    assert_eq!(
        oid,
        beian::model::Id::new(IdKind::Order, YEAR, 1),
        "no number was used by the refusal"
    );
    let o = order(&w, oid);
    assert_eq!(o.target, OrderTarget::Plan(plan));
    assert_eq!(o.finding, "堡垒机记录证实导出", "the finding is the investigation's");
    assert_eq!((o.issuer.as_str(), o.status), ("chen", OrderStatus::Open));
    let r = w.svc.report(&supervisor(), rpt).unwrap();
    assert_eq!(
        (r.order, r.plan, r.status),
        (Some(oid), Some(plan), ReportStatus::Investigating)
    );
    // Both audited: the order's issue and the report's turn, in one transaction.
    let events = w.svc.audit(&supervisor(), Some(&oid.to_string()), usize::MAX).unwrap();
    let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["report.to_order", "order.issue"]);
    assert!(
        events.iter().all(|e| !e.summary.contains("U盘")),
        "the audit log names no report content"
    );
    let plan_events = w.svc.audit(&supervisor(), Some(&plan.to_string()), usize::MAX).unwrap();
    assert!(plan_events.iter().any(|e| e.action == "order.issue"));
    // Only once.
    let e = w.refused(
        &supervisor(),
        to_order(Some(OrderTarget::Department("学工部".into())), day(&w, 7)),
    );
    assert!(matches!(e, RuleError::ReportOrdered { .. }), "{e:?}");
    // Answered and closed; then nothing more changes it.
    w.ok(&supervisor(), reply.clone());
    let r = w.svc.report(&supervisor(), rpt).unwrap();
    assert_eq!(
        (r.status, r.replied_by.as_deref()),
        (ReportStatus::Closed, Some("chen"))
    );
    assert!(r.replied_at.is_some());
    for c in [reply, Command::ReportLink { id: rpt, plan }] {
        let e = w.refused(&supervisor(), c);
        assert!(matches!(e, RuleError::Transition { .. }), "{e:?}");
    }
}
