//! Change classes and templates of standard changes (issue 15 §1; §2.1 重大更新决策,
//! §3.2 大规模系统更新), through the service with a controlled clock: each class's
//! quorum, notice period, soft blackout overrides and review days, the
//! emergency justification, and templates — approved once by the normal
//! quorum with the plans' separation of duties, expiring, and never a way
//! around a gate for the standard changes made from them.

mod common;

use beian::model::*;
use beian::service::Command;
use beian::workflow::{PlanChange, PlanField, RuleError, TemplateChange};
use chrono::{Duration, NaiveDate, TimeZone};
use common::*;
use PlanStatus as S;

fn second_approver() -> Actor {
    Actor::new("zhou", &[Role::Approver])
}

fn approve(id: Id) -> Command {
    Command::PlanApprove {
        id,
        comment: String::new(),
        minutes_ref: "LG-1".into(),
    }
}

fn notice(id: Id) -> Command {
    Command::PlanNotice {
        id,
        text: None,
        audience: "全校师生".into(),
    }
}

/// A plan of `class`, written in full (an emergency one with its
/// justification), the window `days` after now.
fn written(w: &World, class: ChangeClass, days: i64) -> Id {
    let out = w.ok(
        &op_a(),
        Command::PlanNew {
            system: w.system,
            title: format!("{class} 更新"),
            version_from: None,
            version_to: "V3.0".into(),
            class,
            template: None,
        },
    );
    let id: Id = out.entity.parse().unwrap();
    let mut changes = full_changes_with_window(window_after(w.now(), days));
    if class == ChangeClass::Emergency {
        changes.push(PlanChange::EmergencyReason("高危漏洞已被利用".into()));
    }
    w.ok(&op_a(), Command::PlanEdit { id, changes });
    id
}

/// An approved template of standard changes for the world's system, written
/// by operator a, approved by the approver.
fn approved_template(w: &World) -> Id {
    let id = new_template(w);
    w.ok(&op_a(), Command::TemplateSubmit { id });
    w.ok(&approver(), approve_template(id));
    id
}

fn new_template(w: &World) -> Id {
    let out = w.ok(
        &op_a(),
        Command::TemplateNew {
            system: w.system,
            title: "教务系统月度补丁".into(),
            content: "安装月度安全补丁".into(),
            approach: "停机、备份、补丁、验证".into(),
            items: vec![
                TemplateItem {
                    category: TestCategory::Functional,
                    description: "学生选课".into(),
                    expected: "选课成功".into(),
                },
                TemplateItem {
                    category: TestCategory::Security,
                    description: "漏洞验证脚本".into(),
                    expected: "不可利用".into(),
                },
            ],
        },
    );
    out.entity.parse().unwrap()
}

fn approve_template(id: Id) -> Command {
    Command::TemplateApprove {
        id,
        comment: String::new(),
        minutes_ref: "LG-T".into(),
    }
}

fn instance(w: &World, template: Id) -> Result<Id, beian::Error> {
    w.exec(
        &op_a(),
        Command::PlanNew {
            system: w.system,
            title: "教务系统月度补丁（三月）".into(),
            version_from: None,
            version_to: "V2.1 SP3".into(),
            class: ChangeClass::Standard,
            template: Some(template),
        },
    )
    .map(|o| o.entity.parse().unwrap())
}

/// The rest of a standard change, as any plan is written (its content and
/// approach are the template's), the window `days` after now.
fn write_instance(w: &World, id: Id, days: i64) {
    let changes: Vec<PlanChange> = full_changes_with_window(window_after(w.now(), days))
        .into_iter()
        .filter(|c| !matches!(c, PlanChange::Content(_) | PlanChange::Approach(_)))
        .collect();
    w.ok(&op_a(), Command::PlanEdit { id, changes });
}

#[test]
fn each_class_needs_its_own_quorum() {
    let _en = english();
    let w = World::new();
    let normal = written(&w, ChangeClass::Normal, 10);
    let major = written(&w, ChangeClass::Major, 10);
    let emergency = written(&w, ChangeClass::Emergency, 2);
    for id in [normal, major, emergency] {
        w.ok(&op_a(), Command::PlanSubmit { id });
        w.ok(&approver(), approve(id));
    }
    assert_eq!(w.status(normal), S::Approved);
    assert_eq!(w.status(emergency), S::Approved, "one approver for an emergency change");
    assert_eq!(w.status(major), S::Submitted, "a major change needs two");
    assert_eq!(w.svc.plan_gates(&viewer(), major).unwrap().approvals, (1, 2));
    assert!(matches!(
        w.refused(&approver(), approve(major)),
        RuleError::AlreadyApproved { .. }
    ));
    let out = w.ok(&second_approver(), approve(major));
    assert!(out.summary.contains("(2/2)"), "{}", out.summary);
    assert_eq!(w.status(major), S::Approved);

    // The quorum is the class's setting.
    let mut w = World::new();
    let mut cfg = w.svc.config().clone();
    cfg.process.classes.emergency.approvers = 2;
    w.svc.set_config(cfg);
    let id = written(&w, ChangeClass::Emergency, 2);
    w.ok(&op_a(), Command::PlanSubmit { id });
    w.ok(&approver(), approve(id));
    assert_eq!(w.status(id), S::Submitted);
}

#[test]
fn each_class_takes_its_own_notice_period() {
    let _en = english();
    let w = World::new();
    // Windows two days ahead: an emergency change publishes its notice now, a
    // normal one may not (three days), nor a major one (seven).
    let emergency = written(&w, ChangeClass::Emergency, 2);
    let normal = written(&w, ChangeClass::Normal, 2);
    let major = written(&w, ChangeClass::Major, 5);
    for id in [emergency, normal, major] {
        w.ok(&op_a(), Command::PlanSubmit { id });
        w.ok(&approver(), approve(id));
    }
    w.ok(&second_approver(), approve(major));
    w.ok(&op_a(), notice(emergency));
    assert_eq!(w.status(emergency), S::NoticePublished);
    let e = w.refused(&op_a(), notice(normal));
    assert!(matches!(e, RuleError::NoticeTooLate { days: 3, .. }), "{e:?}");
    let e = w.refused(&op_a(), notice(major));
    assert!(matches!(e, RuleError::NoticeTooLate { days: 7, .. }), "{e:?}");
    // An emergency notice still precedes the window: not once it has started.
    let late = written(&w, ChangeClass::Emergency, 1);
    w.ok(&op_a(), Command::PlanSubmit { id: late });
    w.ok(&approver(), approve(late));
    w.set_now(w.plan(late).window.unwrap().start + Duration::minutes(5));
    assert!(matches!(
        w.refused(&op_a(), notice(late)),
        RuleError::WindowInPast { .. }
    ));
    // Implementation checks the notice against the class too.
    w.ok(&op_a(), Command::PlanImplement { id: emergency });
}

#[test]
fn an_emergency_change_says_why_it_cannot_wait() {
    let _en = english();
    let w = World::new();
    let id = written(&w, ChangeClass::Normal, 3);
    w.ok(
        &op_a(),
        Command::PlanEdit {
            id,
            changes: vec![PlanChange::Class(ChangeClass::Emergency)],
        },
    );
    match w.refused(&op_a(), Command::PlanSubmit { id }) {
        RuleError::MissingFields { fields, .. } => assert_eq!(fields, vec![PlanField::EmergencyReason]),
        e => panic!("{e:?}"),
    }
    w.ok(
        &op_a(),
        Command::PlanEdit {
            id,
            changes: vec![PlanChange::EmergencyReason("通报的高危漏洞".into())],
        },
    );
    w.ok(&op_a(), Command::PlanSubmit { id });
    // Submitted, the class is no longer chosen.
    assert!(matches!(
        w.refused(
            &op_a(),
            Command::PlanEdit {
                id,
                changes: vec![PlanChange::Class(ChangeClass::Normal)],
            }
        ),
        RuleError::Transition { .. }
    ));
    // Listed for the supervision group.
    let list = w
        .svc
        .plans(
            &supervisor(),
            &beian::service::PlanFilter {
                class: Some(ChangeClass::Emergency),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(list.iter().map(|p| p.id).collect::<Vec<_>>(), vec![id]);
}

/// The academic calendar with one soft period for every system, from `from` for `days`.
fn soft_period(w: &World, from: NaiveDate, days: i64) {
    w.ok(
        &admin(),
        Command::CalendarAdd {
            period: Blackout {
                name: "迎新周".into(),
                start: from,
                end: from + Duration::days(days),
                hard: false,
                systems: vec![],
            },
        },
    );
}

#[test]
fn a_major_change_takes_no_soft_override() {
    let _en = english();
    let w = World::new();
    let day = (w.now() + Duration::days(10)).date_naive();
    soft_period(&w, day - Duration::days(1), 3);
    let normal = written(&w, ChangeClass::Normal, 10);
    let major = written(&w, ChangeClass::Major, 10);
    let justify = |id| Command::PlanEdit {
        id,
        changes: vec![PlanChange::BlackoutOverride {
            period: None,
            reason: Some("期末前必须完成".into()),
        }],
    };
    w.ok(&op_a(), justify(normal));
    w.ok(&op_a(), Command::PlanSubmit { id: normal });
    let e = w.refused(&op_a(), justify(major));
    assert!(matches!(e, RuleError::SoftOverrideRefused { .. }), "{e:?}");
    assert!(e.message().contains("迎新周"), "{}", e.message());
    let e = w.refused(&op_a(), Command::PlanSubmit { id: major });
    assert!(matches!(e, RuleError::SoftOverrideRefused { .. }), "{e:?}");
    // Its gates show it, as the calendar problem of the window.
    let g = w.svc.plan_gates(&viewer(), major).unwrap();
    assert!(
        matches!(g.calendar.as_slice(), [RuleError::SoftOverrideRefused { .. }]),
        "{g:?}"
    );
    // A normal plan justified in the period, turned major while it is written:
    // the justification stays on record and counts no more.
    let other = written(&w, ChangeClass::Normal, 10);
    w.ok(&op_a(), justify(other));
    w.ok(
        &op_a(),
        Command::PlanEdit {
            id: other,
            changes: vec![PlanChange::Class(ChangeClass::Major)],
        },
    );
    assert_eq!(w.plan(other).blackout_overrides.len(), 1);
    assert!(matches!(
        w.refused(&op_a(), Command::PlanSubmit { id: other }),
        RuleError::SoftOverrideRefused { .. }
    ));
    // Its class is the setting: a university may allow it.
    let mut w2 = World::new();
    let mut cfg = w2.svc.config().clone();
    cfg.process.classes.major.soft_override = true;
    w2.svc.set_config(cfg);
    soft_period(&w2, day - Duration::days(1), 3);
    let id = written(&w2, ChangeClass::Major, 10);
    w2.ok(&op_a(), justify(id));
    w2.ok(&op_a(), Command::PlanSubmit { id });
}

#[test]
fn review_days_come_from_the_class() {
    let w = World::new();
    let rules = w.svc.config().process;
    let expect = [
        (ChangeClass::Standard, 30),
        (ChangeClass::Normal, 30),
        (ChangeClass::Major, 30),
        (ChangeClass::Emergency, 5),
    ];
    for (class, days) in expect {
        let mut p = w.plan(w.written_plan(&op_a()));
        p.class = class;
        assert_eq!(beian::workflow::review_due_days(&p, &rules), days, "{class}");
    }
    let mut rules = rules;
    rules.classes.emergency.review_days = 3;
    let mut p = w.plan(w.written_plan(&op_a()));
    p.class = ChangeClass::Emergency;
    assert_eq!(beian::workflow::review_due_days(&p, &rules), 3);
}

#[test]
fn a_template_is_approved_by_the_normal_quorum_without_its_authors() {
    let _en = english();
    let mut w = World::new();
    let id = new_template(&w);
    // An operator who also approves edits it: then they do not decide on it.
    w.ok(
        &op_approver(),
        Command::TemplateEdit {
            id,
            changes: vec![TemplateChange::Approach("停机、备份、补丁、验证、恢复".into())],
        },
    );
    // Submitted only complete.
    let empty = w.ok(
        &op_a(),
        Command::TemplateNew {
            system: w.system,
            title: "空模板".into(),
            content: String::new(),
            approach: String::new(),
            items: vec![],
        },
    );
    let empty: Id = empty.entity.parse().unwrap();
    match w.refused(&op_a(), Command::TemplateSubmit { id: empty }) {
        RuleError::TemplateMissing { fields, .. } => assert_eq!(fields, ["content", "approach", "items"]),
        e => panic!("{e:?}"),
    }
    w.ok(&op_a(), Command::TemplateSubmit { id });
    assert!(matches!(
        w.refused(&op_approver(), approve_template(id)),
        RuleError::Contributor { .. }
    ));
    let mut cfg = w.svc.config().clone();
    cfg.process.classes.normal.approvers = 2;
    cfg.process.classes.standard.template_months = 6;
    w.svc.set_config(cfg);
    let out = w.ok(&approver(), approve_template(id));
    assert!(out.summary.contains("(1/2)"), "{}", out.summary);
    assert!(matches!(
        w.refused(&approver(), approve_template(id)),
        RuleError::AlreadyApproved { .. }
    ));
    w.ok(&second_approver(), approve_template(id));
    let t = w.svc.template(&viewer(), id).unwrap();
    assert_eq!(t.status, TemplateStatus::Approved);
    let today = w.now().with_timezone(&chrono::Local).date_naive();
    assert_eq!(t.expires, today.checked_add_months(chrono::Months::new(6)));
    // Approved, it no longer changes.
    assert!(matches!(
        w.refused(
            &op_a(),
            Command::TemplateEdit {
                id,
                changes: vec![TemplateChange::Title("改名".into())],
            }
        ),
        RuleError::Transition { .. }
    ));
    // Every step is in the audit log of the template.
    let events = w.svc.audit(&supervisor(), Some(&id.to_string()), 100).unwrap();
    let actions: Vec<&str> = events.iter().rev().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "template.new",
            "template.edit",
            "template.submit",
            "template.approve",
            "template.approve"
        ]
    );
}

#[test]
fn a_standard_change_cannot_get_around_its_template() {
    let _en = english();
    let w = World::new();
    // Not from a template that is not approved, nor as a standard change without one.
    let draft = new_template(&w);
    assert!(matches!(
        instance(&w, draft),
        Err(beian::Error::Rule(RuleError::TemplateNotApproved { .. }))
    ));
    let e = w.refused(
        &op_a(),
        Command::PlanNew {
            system: w.system,
            title: "自称标准变更".into(),
            version_from: None,
            version_to: "V3".into(),
            class: ChangeClass::Standard,
            template: None,
        },
    );
    assert!(matches!(e, RuleError::StandardNeedsTemplate { .. }), "{e:?}");
    // Not for another system.
    let other = w.ok(
        &admin(),
        Command::SystemAdd {
            name: "一卡通系统".into(),
            department: "后勤处".into(),
            vendor: "新开普".into(),
            version: "5.2".into(),
        },
    );
    let tpl = approved_template(&w);
    let e = w.refused(
        &op_a(),
        Command::PlanNew {
            system: other.entity.parse().unwrap(),
            title: "x".into(),
            version_from: None,
            version_to: "V3".into(),
            class: ChangeClass::Standard,
            template: Some(tpl),
        },
    );
    assert!(matches!(e, RuleError::TemplateSystem { .. }), "{e:?}");

    let id = instance(&w, tpl).unwrap();
    let p = w.plan(id);
    assert_eq!(
        (p.class, p.content.as_str()),
        (ChangeClass::Standard, "安装月度安全补丁")
    );
    // The scope is the template's: a change is refused naming the field, the
    // same text is no change; the class stays; no other plan becomes standard.
    let e = w.refused(
        &op_a(),
        Command::PlanEdit {
            id,
            changes: vec![PlanChange::Content("顺便升级数据库".into())],
        },
    );
    assert!(
        matches!(&e, RuleError::TemplateScope { field, .. } if field == "content"),
        "{e:?}"
    );
    assert!(e.message().contains("content"), "{}", e.message());
    w.ok(
        &op_a(),
        Command::PlanEdit {
            id,
            changes: vec![PlanChange::Approach("停机、备份、补丁、验证".into())],
        },
    );
    assert!(matches!(
        w.refused(
            &op_a(),
            Command::PlanEdit {
                id,
                changes: vec![PlanChange::Class(ChangeClass::Normal)],
            }
        ),
        RuleError::InstanceClass { .. }
    ));
    let normal = written(&w, ChangeClass::Normal, 10);
    assert!(matches!(
        w.refused(
            &op_a(),
            Command::PlanEdit {
                id: normal,
                changes: vec![PlanChange::Class(ChangeClass::Standard)],
            }
        ),
        RuleError::StandardNeedsTemplate { .. }
    ));

    // Submitted: approved by the template, recorded as such; every other gate stays.
    write_instance(&w, id, 5);
    let out = w.ok(&op_a(), Command::PlanSubmit { id });
    assert!(out.summary.contains("draft → approved"), "{}", out.summary);
    let p = w.plan(id);
    assert!(p.approvals.is_empty(), "no decision of its own");
    assert_eq!(p.covers.len(), 1);
    assert_eq!((p.covers[0].template, p.covers[0].submission), (tpl, 1));
    assert_eq!(beian::workflow::approved_at(&p), Some(p.covers[0].time));
    assert!(matches!(
        w.refused(&op_a(), Command::PlanImplement { id }),
        RuleError::Transition { .. }
    ));
    w.ok(&op_a(), notice(id));
    w.ok(&op_a(), Command::PlanImplement { id });
    // The first round starts with the template's items.
    w.ok(&op_a(), round(id));
    let p = w.plan(id);
    let items: Vec<&str> = p.rounds[0].items.iter().map(|i| i.description.as_str()).collect();
    assert_eq!(items, ["学生选课", "漏洞验证脚本"]);
    assert!(p.rounds[0].items.iter().all(|i| i.result == TestResult::Pending));
    let missing = w.svc.plan_gates(&viewer(), id).unwrap().golive;
    assert!(!missing.is_empty(), "the go-live gate holds: {missing:?}");

    // A template that expired covers no new change and no new submission.
    let later = instance(&w, tpl).unwrap();
    write_instance(&w, later, 400);
    let expires = w.svc.template(&viewer(), tpl).unwrap().expires.unwrap();
    let noon = expires.and_hms_opt(12, 0, 0).unwrap();
    w.set_now(
        chrono::Local
            .from_local_datetime(&noon)
            .unwrap()
            .with_timezone(&chrono::Utc),
    );
    let e = w.refused(&op_a(), Command::PlanSubmit { id: later });
    assert!(matches!(e, RuleError::TemplateExpired { .. }), "{e:?}");
    assert_eq!(w.status(later), S::Draft);
    assert!(matches!(
        instance(&w, tpl),
        Err(beian::Error::Rule(RuleError::TemplateExpired { .. }))
    ));
}
