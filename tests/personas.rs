//! Acting as a demo person (issue 13 §7), decided where the database lives:
//! only in a database `beian demo` created, only for the user who owns its
//! files, audited with both names; never in a real database, nor in one
//! restored from a backup whose metadata says it was a demo.

mod common;

use beian::error::Error;
use beian::model::*;
use beian::service::{Backend, Command, Local, Service, ACT_AS, PERSONA_ENTITY};
use beian::workflow::RuleError;
use common::*;

/// The demo user: created the database, and has the roles `beian demo` gives them.
const ME: &str = "lihua";

fn uid() -> u32 {
    nix::unistd::geteuid().as_raw()
}

/// A database in `dir`, marked as a demo or not, with the demo's people and
/// roles (written to config.toml, as `beian demo` does) and one system.
fn database(dir: &std::path::Path, demo: bool) -> Service {
    let mut svc = Service::create(dir, ME, demo).unwrap();
    let config = beian::demo::demo_config(ME);
    std::fs::write(dir.join("config.toml"), toml::to_string(&config).unwrap()).unwrap();
    svc.set_config(config);
    let me = svc.actor_named(ME, &[]);
    svc.execute(
        &me,
        Command::SystemAdd {
            name: "一卡通系统".into(),
            department: "后勤处".into(),
            vendor: "新中新".into(),
            version: "V2.3".into(),
        },
        None,
    )
    .unwrap();
    svc
}

/// A plan the demo user writes and submits.
fn submitted_plan(svc: &Service, me: &Actor) -> Id {
    let out = svc
        .execute(
            me,
            Command::PlanNew {
                system: sys_id(1),
                title: "消费机固件升级".into(),
                version_from: None,
                version_to: "V2.4".into(),
                class: Default::default(),
                template: None,
            },
            None,
        )
        .unwrap();
    let id: Id = out.entity.parse().unwrap();
    svc.execute(
        me,
        Command::PlanEdit {
            id,
            changes: full_changes(chrono::Utc::now()),
        },
        None,
    )
    .unwrap();
    svc.execute(me, Command::PlanSubmit { id }, None).unwrap();
    id
}

fn approve(id: Id) -> Command {
    Command::PlanApprove {
        id,
        comment: "同意".into(),
        minutes_ref: "会议纪要〔2026〕12号".into(),
    }
}

fn audit(svc: &Service) -> Vec<AuditEvent> {
    svc.audit(&supervisor(), None, usize::MAX).unwrap()
}

fn rule(e: Error) -> RuleError {
    assert_eq!(e.exit_code(), 3, "{e:?}");
    match e {
        Error::Rule(r) => r,
        other => panic!("expected a refusal by rule, got {other:?}"),
    }
}

#[test]
fn the_owner_of_a_demo_database_approves_their_own_plan_as_the_approver() {
    let _en = english();
    let tmp = tempfile::tempdir().unwrap();
    let svc = database(&tmp.path().join("data"), true);
    let me = svc.actor_named(ME, &[]);
    assert!(me.has(Role::Approver), "the demo user is an approver too: {me:?}");
    let plan = submitted_plan(&svc, &me);

    // As themselves they may not approve what they wrote.
    let e = rule(svc.execute(&me, approve(plan), None).unwrap_err());
    assert!(matches!(e, RuleError::Contributor { .. }), "{e:?}");

    // As zhangwei, the Leading Group's approver, they may: the persona's roles apply.
    let zhang = svc.act_as(&me, uid(), "zhangwei").unwrap();
    assert_eq!(zhang.name, "zhangwei");
    assert_eq!(zhang.roles, vec![Role::Approver]);
    assert_eq!(zhang.via.as_deref(), Some(ME));
    let switch = audit(&svc).into_iter().next().unwrap();
    assert_eq!(
        (switch.actor.as_str(), switch.action.as_str(), switch.entity.as_str()),
        (ME, ACT_AS, PERSONA_ENTITY),
        "the switch is audited as the real user's: {switch:?}"
    );
    assert_eq!(switch.summary, "acts as zhangwei [approver]");
    svc.execute(&zhang, approve(plan), None).unwrap();
    let p = svc.plan(&me, plan).unwrap();
    assert_eq!(p.status, PlanStatus::Approved);
    assert_eq!(p.approvals[0].approver, "zhangwei");
    // Who really acted is not lost.
    let ev = audit(&svc).into_iter().next().unwrap();
    assert_eq!(ev.action, "plan.approve");
    assert_eq!(ev.actor, "zhangwei via lihua");

    // Only the persona's roles: zhangwei writes no plans and reads no audit log.
    let e = rule(
        svc.execute(
            &zhang,
            Command::PlanEdit {
                id: plan,
                changes: full_changes(chrono::Utc::now()),
            },
            None,
        )
        .unwrap_err(),
    );
    assert!(
        matches!(e, RuleError::Forbidden { ref op, .. } if op == "plan.edit"),
        "{e:?}"
    );
    let e = rule(svc.audit(&zhang, None, 1).unwrap_err());
    assert!(
        matches!(e, RuleError::Forbidden { ref op, .. } if op == "audit.read"),
        "{e:?}"
    );
    // A persona does not chain: the switch is always the real user's.
    let zhao = svc.act_as(&zhang, uid(), "zhaomin").unwrap();
    assert_eq!((zhao.name.as_str(), zhao.via.as_deref()), ("zhaomin", Some(ME)));
    assert_eq!(zhao.roles, vec![Role::Supervisor]);
    svc.audit(&zhao, None, 1).unwrap();

    // Back to oneself, audited too.
    let back = svc.act_as(&me, uid(), ME).unwrap();
    assert_eq!(back, me);
    let ev = audit(&svc).into_iter().next().unwrap();
    assert_eq!((ev.actor.as_str(), ev.summary.as_str()), (ME, "acts as lihua again"));

    // Someone without a role in the demo is refused, and told who there is.
    let before = audit(&svc).len();
    match rule(svc.act_as(&me, uid(), "wangwu").unwrap_err()) {
        e @ RuleError::PersonaUnknown { .. } => {
            let m = e.message();
            assert!(m.contains("wangwu") && m.contains("zhangwei (approver)"), "{m}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(audit(&svc).len(), before, "a refused switch writes nothing");
}

#[test]
fn only_the_user_who_owns_the_files_may_switch() {
    let _en = english();
    let tmp = tempfile::tempdir().unwrap();
    let svc = database(&tmp.path().join("data"), true);
    let me = svc.actor_named(ME, &[]);
    let before = audit(&svc).len();
    let someone_else = uid() + 1;
    match rule(svc.act_as(&me, someone_else, "zhangwei").unwrap_err()) {
        e @ RuleError::PersonaNotOwner { .. } => {
            let m = e.message();
            assert!(m.contains("only the user who owns the files"), "{m}");
        }
        other => panic!("{other:?}"),
    }
    // Not even back to oneself.
    rule(svc.act_as(&me, someone_else, ME).unwrap_err());
    assert_eq!(audit(&svc).len(), before);
    assert_eq!(svc.files_owner().unwrap(), Some(uid()));
}

#[test]
fn a_real_database_refuses_even_its_owner() {
    let _en = english();
    let tmp = tempfile::tempdir().unwrap();
    let svc = database(&tmp.path().join("data"), false);
    let me = svc.actor_named(ME, &[]);
    let before = audit(&svc).len();
    for person in ["zhangwei", ME] {
        match rule(svc.act_as(&me, uid(), person).unwrap_err()) {
            e @ RuleError::PersonaNotDemo { .. } => {
                assert!(
                    e.message().contains("only possible in a demo database"),
                    "{}",
                    e.message()
                )
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(audit(&svc).len(), before);
}

/// The backup of a demo database carries its `demo` mark in `meta`; `beian
/// restore` drops it: the restored database is a real one, and refuses.
#[test]
fn a_database_restored_from_a_demo_backup_refuses() {
    let _en = english();
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let svc = database(&data, true);
    let me = svc.actor_named(ME, &[]);
    svc.act_as(&me, uid(), "zhangwei").unwrap();
    let report = svc.backup(&me, &tmp.path().join("backups"), None).unwrap();
    drop(svc);
    let backup = std::path::PathBuf::from(&report.path);
    // The backup's metadata says it is a demo.
    let records = std::fs::read_to_string(backup.join("records.jsonl")).unwrap();
    let demo_line = format!(r#"{{"tree":"meta","key":"{}""#, hex(b"demo"));
    assert!(
        records.lines().any(|l| l.starts_with(&demo_line)),
        "no demo mark in the backup"
    );

    let into = tmp.path().join("restored");
    beian::store::backup::restore(&backup, &into).unwrap();
    let restored = reopen(&into).unwrap();
    assert!(!restored.is_demo().unwrap());
    assert_eq!(restored.files_owner().unwrap(), Some(uid()), "its owner asks");
    let before = audit(&restored).len();
    let e = rule(restored.act_as(&me, uid(), "zhangwei").unwrap_err());
    assert!(matches!(e, RuleError::PersonaNotDemo { .. }), "{e:?}");
    assert_eq!(audit(&restored).len(), before);
    // Its chain is the demo's, verified: only the mark stayed behind.
    assert!(restored.verify(&me, None).unwrap().ok());
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Through the [`Local`] backend the UI uses: the switch holds for every later
/// command and query, and whoami says who acts and via whom.
#[test]
fn the_local_backend_acts_as_the_persona_until_switched_back() {
    let _en = english();
    let tmp = tempfile::tempdir().unwrap();
    let svc = database(&tmp.path().join("data"), true);
    let me = svc.actor_named(ME, &[]);
    let plan = submitted_plan(&svc, &me);
    let b: Box<dyn Backend> = Box::new(Local::with_actor(svc, me.clone()));
    let w = b.act_as("zhangwei").unwrap();
    assert_eq!((w.user.as_str(), w.via.as_deref()), ("zhangwei", Some(ME)));
    assert_eq!(w.roles, vec![Role::Approver]);
    assert_eq!(b.actor().name, "zhangwei");
    assert_eq!(b.whoami().unwrap(), w);
    b.execute(approve(plan), None).unwrap();
    assert_eq!(b.plan(plan).unwrap().status, PlanStatus::Approved);
    let w = b.act_as(ME).unwrap();
    assert_eq!((w.user.as_str(), w.via), (ME, None));
    assert_eq!(b.actor(), me);
    // The refusal leaves the actor as it was.
    b.act_as("zhangwei").unwrap();
    assert!(b.act_as("nobody-here").is_err());
    assert_eq!(b.actor().name, "zhangwei");
}
