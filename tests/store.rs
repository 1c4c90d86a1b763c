//! Storage guarantees through the service API: optimistic concurrency, atomic
//! commands, durability, the owner lock, and refusing what is not ours (§5.3).

mod common;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command as Proc, Stdio};

use beian::model::*;
use beian::service::{Command, PlanFilter, RequestFilter, Service};
use beian::workflow::PlanChange;
use beian::Error;
use chrono::{Duration, NaiveDate};
use common::*;
use tempfile::TempDir;

/// Every key and value of every tree of the sled database in `data`.
type Dump = BTreeMap<Vec<u8>, BTreeMap<Vec<u8>, Vec<u8>>>;

/// Open the sled database of a closed beian database directly.
fn sled_open(data: &Path) -> sled::Db {
    let mut tries = 0;
    loop {
        match sled::open(data.join("db")) {
            Err(e) if sled_lock_lingers(&e.to_string()) && tries < 200 => {
                tries += 1;
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            other => return other.expect("open the sled database directly"),
        }
    }
}

fn dump(data: &Path) -> Dump {
    let db = sled_open(data);
    let mut out = Dump::new();
    for name in db.tree_names() {
        let tree = db.open_tree(&name).unwrap();
        let kv = tree
            .iter()
            .map(|r| r.unwrap())
            .map(|(k, v)| (k.to_vec(), v.to_vec()))
            .collect();
        out.insert(name.to_vec(), kv);
    }
    out
}

/// Change the sled database of a closed beian database directly.
fn forge(data: &Path, f: impl FnOnce(&sled::Db)) {
    let db = sled_open(data);
    f(&db);
    db.flush().unwrap();
}

// ===== optimistic concurrency =====

#[test]
fn a_stale_revision_is_a_conflict_naming_who_changed_it_and_when() {
    let _en = english();
    let w = World::new();
    let id = w.new_plan(&op_a());
    assert_eq!(w.plan(id).meta.rev, 1);

    // Both read revision 1; zhao writes first.
    let out = w
        .exec_rev(
            &op_b(),
            Command::PlanEdit {
                id,
                changes: vec![PlanChange::Goals("zhao 的目标".into())],
            },
            Some(1),
        )
        .unwrap();
    assert_eq!(out.rev, Some(2));
    let zhao_at = w.now();
    let audit = w.audit_len();

    let e = w
        .exec_rev(
            &op_a(),
            Command::PlanEdit {
                id,
                changes: vec![PlanChange::Goals("wang 的目标".into())],
            },
            Some(1),
        )
        .unwrap_err();
    assert_eq!(
        e,
        Error::Conflict {
            entity: id.to_string(),
            expected: 1,
            found: 2,
            by: "zhao".into(),
            at: fmt_time(zhao_at),
        }
    );
    assert_eq!(e.exit_code(), 4);
    assert_eq!(
        e.message(),
        format!(
            "{id} was changed by zhao at {} (revision 2, you had 1); reload and try again",
            fmt_time(zhao_at)
        )
    );
    let p = w.plan(id);
    assert_eq!(
        (p.goals.as_str(), p.meta.rev, p.meta.updated_by.as_str()),
        ("zhao 的目标", 2, "zhao")
    );
    assert_eq!(w.audit_len(), audit, "a conflict leaves no audit event");

    // Reloaded, the change goes through.
    let out = w
        .exec_rev(
            &op_a(),
            Command::PlanEdit {
                id,
                changes: vec![PlanChange::Goals("wang 的目标".into())],
            },
            Some(2),
        )
        .unwrap();
    assert_eq!(out.rev, Some(3));
    assert_eq!(w.plan(id).goals, "wang 的目标");
}

#[test]
fn every_revisioned_record_checks_the_revision() {
    let _en = english();
    let w = World::new();
    let r = w.add_request("a");
    let plan = w.plan_at(PlanStatus::Submitted);
    let order: Id = w
        .ok(
            &supervisor(),
            Command::OrderIssue {
                target: OrderTarget::Department("教务处".into()),
                finding: "f".into(),
                required_action: "a".into(),
                deadline: NaiveDate::from_ymd_opt(2026, 4, 1).unwrap(),
            },
        )
        .entity
        .parse()
        .unwrap();
    let stale = vec![
        (
            r.to_string(),
            admin(),
            Command::RequestTriage {
                id: r,
                triage: beian::service::Triage::Triage,
            },
        ),
        (
            w.system.to_string(),
            admin(),
            Command::SystemEdit {
                id: w.system,
                name: None,
                department: None,
                vendor: None,
                version: Some("x".into()),
                depends_on: None,
            },
        ),
        (
            plan.to_string(),
            approver(),
            Command::PlanApprove {
                id: plan,
                comment: String::new(),
                minutes_ref: String::new(),
            },
        ),
        (
            order.to_string(),
            op_a(),
            Command::OrderRespond {
                id: order,
                response: "r".into(),
            },
        ),
    ];
    for (entity, actor, cmd) in stale {
        let e = w.exec_rev(&actor, cmd, Some(99)).unwrap_err();
        assert!(
            matches!(&e, Error::Conflict { entity: en, expected: 99, .. } if *en == entity),
            "{entity}: {e:?}"
        );
        assert_eq!(e.exit_code(), 4);
    }
}

// ===== atomic commands =====

#[test]
fn a_refused_command_leaves_the_database_as_it_was() {
    let _en = english();
    let w = World::new();
    let testing = w.plan_at(PlanStatus::Testing);
    w.ok(&op_a(), test_item(testing));
    let draft = w.written_plan(&op_a());
    let now = w.now();
    // Each of these allocates an id, changes a record in memory, or passes some
    // checks before it is refused.
    let failing: Vec<(Actor, Command, Option<u64>)> = vec![
        // The dossier id is allocated before the filing gate refuses.
        (op_a(), Command::File { plan: testing }, None),
        // The order id is allocated before the empty finding is noticed.
        (
            supervisor(),
            Command::OrderIssue {
                target: OrderTarget::Plan(testing),
                finding: "  ".into(),
                required_action: "a".into(),
                deadline: NaiveDate::from_ymd_opt(2026, 4, 1).unwrap(),
            },
            None,
        ),
        // The report id likewise.
        (
            viewer(),
            Command::ReportSubmit {
                content: "".into(),
                contact: None,
            },
            None,
        ),
        // The first change applies, the second is refused.
        (
            op_a(),
            Command::PlanEdit {
                id: draft,
                changes: vec![
                    PlanChange::Goals("新目标".into()),
                    PlanChange::Window(Some(Window { start: now, end: now })),
                ],
            },
            None,
        ),
        (
            op_a(),
            Command::PlanEdit {
                id: draft,
                changes: vec![PlanChange::RemoveStaff(5)],
            },
            None,
        ),
        (
            op_a(),
            Command::GoLive {
                plan: testing,
                golive: golive(now, GoLiveOutcome::Success),
            },
            None,
        ),
        (op_a(), Command::PlanSubmit { id: draft }, Some(1)),
        (
            viewer(),
            Command::PlanCancel {
                id: draft,
                reason: "r".into(),
            },
            None,
        ),
        (
            op_a(),
            Command::PlanCancel {
                id: plan_id(99),
                reason: "r".into(),
            },
            None,
        ),
    ];
    let (mut w, before) = w.closed(dump);
    for (actor, cmd, rev) in failing {
        let name = format!("{cmd:?}");
        let e = w.exec_rev(&actor, cmd, rev).expect_err(&name);
        let (w2, after) = w.closed(dump);
        w = w2;
        assert!(after == before, "{name} (refused: {e:?}) changed the database");
    }
    // The next ids follow on without a gap.
    let out = w.ok(
        &viewer(),
        Command::ReportSubmit {
            content: "c".into(),
            contact: None,
        },
    );
    assert_eq!(out.entity, id(IdKind::Report, 1).to_string());
    let out = w.ok(
        &supervisor(),
        Command::OrderIssue {
            target: OrderTarget::Plan(testing),
            finding: "f".into(),
            required_action: "a".into(),
            deadline: NaiveDate::from_ymd_opt(2026, 4, 1).unwrap(),
        },
    );
    assert_eq!(out.entity, id(IdKind::Order, 1).to_string());
    w.drive(testing, PlanStatus::Filed);
    assert_eq!(w.plan(testing).dossier, Some(dossier_id(1)));
    let out = w.ok(&op_a(), new_request("next", None));
    assert_eq!(out.entity, req_id(1).to_string());
    // The dump does see what succeeds.
    let (_w, after) = w.closed(dump);
    assert!(after != before);
}

/// A command that has already written one record when a later step fails: the
/// first write is not visible afterwards. The failure is forged by removing a
/// linked request from the database behind beian's back.
#[test]
fn a_command_failing_after_a_write_leaves_nothing_behind() {
    let _en = english();
    let w = World::new();
    let r1 = w.accepted_request("first");
    let r2 = w.accepted_request("second");
    let live = w.written_plan(&op_a());
    w.ok(&op_a(), Command::RequestLink { id: r1, plan: live });
    w.ok(&op_a(), Command::RequestLink { id: r2, plan: live });
    w.drive(live, PlanStatus::Live);
    w.ok(
        &op_a(),
        Command::ComparisonAdd {
            plan: live,
            row: comparison_row(),
        },
    );

    let r3 = w.accepted_request("third");
    let r4 = w.accepted_request("fourth");
    let draft = w.written_plan(&op_a());
    w.ok(&op_a(), Command::RequestLink { id: r3, plan: draft });
    w.ok(&op_a(), Command::RequestLink { id: r4, plan: draft });

    // Remove the second request of each plan: File and PlanCancel save the first
    // request, then fail to load the second.
    let (mut w, before) = w.closed(|data| {
        forge(data, |db| {
            for tree in ["requests", "requests_sum"] {
                let t = db.open_tree(tree).unwrap();
                assert!(t.remove(r2.key()).unwrap().is_some());
                assert!(t.remove(r4.key()).unwrap().is_some());
            }
        });
        dump(data)
    });
    let audit = w.audit_len();
    for cmd in [
        Command::File { plan: live },
        Command::PlanCancel {
            id: draft,
            reason: "取消".into(),
        },
    ] {
        let name = cmd.name();
        let e = w.exec(&op_a(), cmd).unwrap_err();
        assert_eq!(
            e,
            Error::NotFound {
                what: if name == "plan.file" { r2 } else { r4 }.to_string()
            }
        );
        assert_eq!(e.exit_code(), 5);
        let (w2, after) = w.closed(dump);
        w = w2;
        assert!(after == before, "the failed {name} left a write behind");
    }
    assert_eq!(w.audit_len(), audit);
    assert_eq!(w.request(r1).status, RequestStatus::Planned);
    assert_eq!(w.request(r3).status, RequestStatus::Planned);
    assert_eq!(w.status(live), PlanStatus::Live);
    assert_eq!(w.status(draft), PlanStatus::Draft);
    assert!(w.svc.archive(&viewer(), &Default::default()).unwrap().is_empty());

    // The next dossier is the first.
    let other = w.plan_at(PlanStatus::Filed);
    assert_eq!(w.plan(other).dossier, Some(dossier_id(1)));
}

// ===== durability =====

#[test]
fn everything_is_there_after_reopening() {
    let _en = english();
    let w = World::new();
    let r = w.accepted_request("持久化");
    let plan = w.written_plan(&op_a());
    w.ok(&op_a(), Command::RequestLink { id: r, plan });
    w.drive(plan, PlanStatus::Filed);
    let draft = w.plan_at(PlanStatus::Returned);
    let sup = supervisor();
    let snapshot = |w: &World| {
        (
            w.svc.systems(&sup).unwrap(),
            w.svc.requests(&sup, &RequestFilter::default()).unwrap(),
            w.svc.plans(&sup, &PlanFilter::default()).unwrap(),
            w.plan(plan),
            w.plan(draft),
            w.request(r),
            w.svc.archive(&sup, &Default::default()).unwrap(),
            w.svc.dossier(&sup, dossier_id(1)).unwrap(),
            w.svc.audit(&sup, None, usize::MAX).unwrap(),
        )
    };
    let before = snapshot(&w);
    let (w, ()) = w.closed(|_| ());
    assert_eq!(snapshot(&w), before);
    assert_eq!(w.svc.creator(), "root");
    // Counters carry on.
    let next = w.new_plan(&op_b());
    assert_eq!(next, plan_id(3));
}

/// The parent half of the tests that need a second process: run this test binary
/// again, on one test, with `BEIAN_TEST_CHILD` naming what the child does.
fn child(test: &str, role: &str, data: &Path) -> Proc {
    let mut c = Proc::new(std::env::current_exe().unwrap());
    c.args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env("BEIAN_TEST_CHILD", role)
        .env("BEIAN_TEST_DATA", data);
    c
}

fn child_role() -> Option<(String, std::path::PathBuf)> {
    let role = std::env::var("BEIAN_TEST_CHILD").ok()?;
    let data = std::env::var_os("BEIAN_TEST_DATA")?;
    Some((role, data.into()))
}

/// A command reported done is on disk: a process that ends right after it
/// without closing anything (no destructors, no flush on close) loses nothing,
/// and leaves no lock behind.
#[test]
fn a_finished_command_survives_the_process_dying() {
    if let Some((role, data)) = child_role() {
        assert_eq!(role, "exit");
        let svc = reopen(&data).unwrap();
        let at = t0() + Duration::days(1);
        svc.execute_at(&op_a(), new_request("写完即崩溃", None), None, at)
            .unwrap();
        // No destructors run: the database is never closed.
        std::process::exit(17);
    }
    let w = World::new();
    let (w, status) = w.closed(|data| {
        child("a_finished_command_survives_the_process_dying", "exit", data)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .unwrap()
    });
    assert_eq!(status.code(), Some(17), "the child did not get to its command");
    let list = w.svc.requests(&viewer(), &RequestFilter::default()).unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!((list[0].id, list[0].title.as_str()), (req_id(1), "写完即崩溃"));
    assert_eq!(w.audit_len(), 2);
}

// ===== the owner lock =====

#[test]
fn a_second_open_is_refused_naming_the_holder() {
    let _en = english();
    let w = World::new();
    let data = w.data_dir();
    let e = Service::open(&data).err().expect("a second open must be refused");
    let Error::Locked { path, holder } = &e else {
        panic!("{e:?}")
    };
    assert_eq!(path, &data.display().to_string());
    assert!(holder.contains(&format!("pid {}", std::process::id())), "{holder}");
    assert_eq!(e.exit_code(), 1);
    let m = e.message();
    assert!(
        m.contains("is in use by another beian process") && m.contains(holder.as_str()),
        "{m}"
    );
    // The first one still works.
    w.ok(&op_a(), new_request("still open", None));
    let (_w, ()) = w.closed(|data| {
        // Closed, it opens again (and `closed` opens it once more after this).
        drop(reopen(data).unwrap());
    });
}

#[test]
fn the_lock_names_the_other_process() {
    if let Some((role, data)) = child_role() {
        assert_eq!(role, "hold");
        let _svc = reopen(&data).unwrap();
        println!("BEIAN-CHILD-OPEN");
        std::io::stdout().flush().unwrap();
        // Hold the database until the parent closes our stdin.
        let _ = std::io::stdin().lines().count();
        return;
    }
    let _en = english();
    let w = World::new();
    let (w, ()) = w.closed(|data| {
        let mut c = child("the_lock_names_the_other_process", "hold", data)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut out = BufReader::new(c.stdout.take().unwrap());
        let mut line = String::new();
        loop {
            line.clear();
            assert!(
                out.read_line(&mut line).unwrap() > 0,
                "the child did not open the database"
            );
            if line.contains("BEIAN-CHILD-OPEN") {
                break;
            }
        }
        let e = Service::open(data).err().expect("locked by the child");
        match &e {
            Error::Locked { holder, .. } => assert!(holder.contains(&format!("pid {}", c.id())), "{holder}"),
            other => panic!("{other:?}"),
        }
        drop(c.stdin.take());
        assert!(c.wait().unwrap().success());
    });
    w.ok(&op_a(), new_request("after the child", None));
}

// ===== what is not a beian database =====

#[test]
fn opening_what_is_not_a_beian_database() {
    let _en = english();
    let tmp = TempDir::new().unwrap();

    let nothing = tmp.path().join("nothing");
    let e = Service::open(&nothing).err().unwrap();
    assert_eq!(
        e,
        Error::NoDatabase {
            path: nothing.display().to_string()
        }
    );
    assert_eq!(
        e.message(),
        format!(
            "no beian database at {}; create one with `beian init` (or try `beian demo`)",
            nothing.display()
        )
    );
    assert!(!nothing.exists(), "opening must not create the directory");

    let empty = tmp.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    assert!(matches!(Service::open(&empty), Err(Error::NoDatabase { .. })));

    let file = tmp.path().join("file");
    std::fs::write(&file, "not a directory").unwrap();
    match Service::open(&file).err().unwrap() {
        Error::NotBeian { detail, .. } => assert!(detail.contains("is a file"), "{detail}"),
        other => panic!("{other:?}"),
    }
    match Service::create(&file, "root", false).err().unwrap() {
        Error::NotBeian { .. } | Error::Io { .. } => {}
        other => panic!("{other:?}"),
    }

    // Some other program's sled database.
    let foreign = tmp.path().join("foreign");
    {
        let db = sled::open(foreign.join("db")).unwrap();
        db.insert("hello", "world").unwrap();
        db.flush().unwrap();
    }
    let e = reopen(&foreign).err().unwrap();
    assert_eq!(
        e,
        Error::NotBeian {
            path: foreign.display().to_string(),
            detail: "no beian marker in the database".into()
        }
    );
    assert_eq!(
        e.message(),
        format!(
            "{} is not a readable beian database: no beian marker in the database",
            foreign.display()
        )
    );
    assert_eq!(e.exit_code(), 1);
}

#[test]
fn a_beian_database_without_a_schema_version_is_refused() {
    let w = World::new();
    let data = w.data_dir();
    drop(w.svc);
    forge(&data, |db| {
        db.open_tree("meta").unwrap().remove("schema").unwrap();
    });
    match reopen(&data).err().unwrap() {
        Error::NotBeian { detail, .. } => assert_eq!(detail, "schema version missing"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_newer_schema_is_refused() {
    let _en = english();
    let w = World::new();
    let data = w.data_dir();
    drop(w.svc);
    forge(&data, |db| {
        db.open_tree("meta")
            .unwrap()
            .insert("schema", &u32::MAX.to_be_bytes())
            .unwrap();
    });
    let before = dump(&data);
    let e = reopen(&data).err().unwrap();
    assert_eq!(
        e,
        Error::NewerSchema {
            path: data.display().to_string(),
            found: u32::MAX,
            supported: beian::store::SCHEMA_VERSION,
        }
    );
    assert_eq!(
        e.message(),
        format!(
            "the database at {} has schema version {}, newer than this beian supports ({}): upgrade beian",
            data.display(),
            u32::MAX,
            beian::store::SCHEMA_VERSION
        )
    );
    assert!(dump(&data) == before, "a refused open changed the database");
}

#[test]
fn creating_over_an_existing_database_is_refused() {
    let _en = english();
    let w = World::new();
    let data = w.data_dir();
    let e = Service::create(&data, "intruder", false).err().unwrap();
    assert_eq!(
        e,
        Error::AlreadyExists {
            path: data.display().to_string()
        }
    );
    assert_eq!(
        e.message(),
        format!("a beian database already exists at {}", data.display())
    );
    // Also once it is closed; and the creator stays who it was.
    let (w, e) = w.closed(|data| Service::create(data, "intruder", true).err().unwrap());
    assert!(matches!(e, Error::AlreadyExists { .. }));
    assert_eq!(w.svc.creator(), "root");
    assert!(!w.svc.is_demo().unwrap());
}

#[test]
fn the_data_directory_is_created_private() {
    let tmp = TempDir::new().unwrap();
    let data = tmp.path().join("a").join("beian");
    let svc = Service::create(&data, "root", false).unwrap();
    let mode = std::fs::metadata(&data).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o700, "{data:?} has mode {mode:o}");
    assert_eq!(svc.creator(), "root");
    assert!(!svc.local_actor().name.is_empty());
}

// ===== records by kind =====

/// Ids of different kinds share their key layout (year, number) in different
/// trees; asking for a plan by a request's id must not answer with the plan that
/// happens to have the same number.
#[test]
fn a_record_is_found_only_by_an_id_of_its_own_kind() {
    let _en = english();
    let w = World::new();
    let plan = w.written_plan(&op_a());
    let req = w.add_request("same number");
    assert_eq!((plan.seq, req.seq), (1, 1));

    match w.svc.plan(&viewer(), req) {
        Err(Error::NotFound { .. }) | Err(Error::Input { .. }) => {}
        Ok(p) => panic!("asked for plan {req}, got {}", p.id),
        Err(e) => panic!("{e:?}"),
    }
    match w.svc.request(&viewer(), plan) {
        Err(Error::NotFound { .. }) | Err(Error::Input { .. }) => {}
        Ok(r) => panic!("asked for request {plan}, got {}", r.id),
        Err(e) => panic!("{e:?}"),
    }
    // A command naming the wrong kind must not act on the other record.
    let e = w.exec(&op_a(), Command::PlanSubmit { id: req });
    assert!(e.is_err(), "submitting {req} submitted {plan}");
    assert_eq!(w.status(plan), PlanStatus::Draft);
}
