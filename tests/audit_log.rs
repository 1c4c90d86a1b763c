//! The audit log as a supervisor reads it (issue 14): filtered by user, action
//! and time over the whole log, not only per record; each event says what the
//! fields it changed were before and after, sealed with the event.

mod common;

use std::path::Path;
use std::process::Command as Process;

use beian::model::*;
use beian::service::{Command, RequestEdit, Triage};
use beian::workflow::PlanChange;
use chrono::{Duration, TimeZone};
use common::*;

/// Every event, newest first.
fn all(w: &World) -> Vec<AuditEvent> {
    w.svc.audit(&supervisor(), None, usize::MAX).unwrap()
}

/// A log of two operators' work over three days, and the admin's.
fn busy_world() -> World {
    let w = World::new();
    let mut ids = Vec::new();
    for day in 0..3 {
        w.set_now(t0() + Duration::days(day));
        for (who, title) in [(op_a(), "选课页面加载慢"), (op_b(), "成绩录入超时")] {
            let out = w.ok(&who, new_request(&format!("{title}（第{day}天）"), Some(w.system)));
            let id: Id = out.entity.parse().unwrap();
            ids.push(id);
            w.ok(
                &who,
                Command::RequestTriage {
                    id,
                    triage: Triage::Triage,
                },
            );
        }
    }
    w.ok(
        &admin(),
        Command::SystemEdit {
            id: w.system,
            name: None,
            department: None,
            vendor: None,
            version: Some("V2.2".into()),
            depends_on: None,
        },
    );
    w
}

/// The filter's answer is exactly the whole log filtered by hand, newest
/// first, cut at the limit; the entity is optional.
#[test]
fn filters_read_the_whole_log() {
    let _g = english();
    let w = busy_world();
    let log = all(&w);
    assert!(log.len() > 12, "{}", log.len());
    let day1 = t0() + Duration::days(1);
    let day2 = t0() + Duration::days(2);
    let filters = [
        AuditFilter {
            actor: Some("wang".into()),
            ..Default::default()
        },
        AuditFilter {
            actions: vec!["request.triage".into()],
            ..Default::default()
        },
        AuditFilter {
            actions: vec!["request.add".into(), "system.edit".into()],
            ..Default::default()
        },
        AuditFilter {
            since: Some(day1),
            until: Some(day2),
            ..Default::default()
        },
        AuditFilter {
            actor: Some("zhao".into()),
            actions: vec!["request.triage".into()],
            since: Some(day1),
            ..Default::default()
        },
        AuditFilter {
            entity: Some(req_id(2).to_string()),
            actor: Some("zhao".into()),
            ..Default::default()
        },
        AuditFilter {
            actor: Some("nobody".into()),
            ..Default::default()
        },
    ];
    for f in &filters {
        let want: Vec<u64> = log
            .iter()
            .filter(|e| f.entity.as_ref().is_none_or(|x| e.entity.split(' ').any(|n| n == x)))
            .filter(|e| f.actor.as_ref().is_none_or(|a| &e.actor == a))
            .filter(|e| f.actions.is_empty() || f.actions.contains(&e.action))
            .filter(|e| f.since.is_none_or(|s| e.time >= s) && f.until.is_none_or(|u| e.time < u))
            .map(|e| e.seq)
            .collect();
        let got: Vec<u64> = w
            .svc
            .audit_where(&supervisor(), f, usize::MAX)
            .unwrap()
            .iter()
            .map(|e| e.seq)
            .collect();
        assert_eq!(got, want, "{f:?}");
        if want.len() > 1 {
            let two: Vec<u64> = w
                .svc
                .audit_where(&supervisor(), f, 2)
                .unwrap()
                .iter()
                .map(|e| e.seq)
                .collect();
            assert_eq!(two, want[..2], "{f:?}");
        }
    }
    // Non-trivial: each of the first five filters selects some events and not all.
    for f in &filters[..5] {
        let n = w.svc.audit_where(&supervisor(), f, usize::MAX).unwrap().len();
        assert!(n > 0 && n < log.len(), "{f:?}: {n} of {}", log.len());
    }
    // Reading the log stays the supervisors'.
    assert!(w.svc.audit_where(&op_a(), &filters[0], 10).is_err());
}

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

fn beian(db: &Path, lang: &str, args: &[&str]) -> Out {
    let out = Process::new(env!("CARGO_BIN_EXE_beian"))
        .env("BEIAN_NO_SERVER", "1")
        .args(args)
        .env("BEIAN_DB", db)
        .env_remove("BEIAN_SOCKET")
        .env("BEIAN_LANG", lang)
        .env("TZ", "Asia/Shanghai")
        .output()
        .unwrap();
    let o = Out {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert!(!o.stderr.contains("panicked"), "{args:?}: {}", o.stderr);
    o
}

/// The user running the test reads the audit log (supervisor).
fn as_supervisor(db: &Path) {
    let mut cfg = beian::config::Config::load(db).unwrap();
    cfg.roles
        .users
        .insert(beian::config::os_user_name(), vec![Role::Supervisor]);
    std::fs::write(db.join("config.toml"), toml::to_string(&cfg).unwrap()).unwrap();
}

fn seqs(o: &Out) -> Vec<u64> {
    assert_eq!(o.code, 0, "{}", o.stderr);
    let v: Vec<AuditEvent> = serde_json::from_str(&o.stdout).unwrap();
    v.iter().map(|e| e.seq).collect()
}

/// `beian audit --actor --action --since --until`: an action by its audit
/// name, its label in either language or its area; days (the whole day, in
/// local time) or RFC 3339 times; what cannot be read is refused naming the
/// option, with what it takes.
#[test]
fn the_cli_filters_by_user_action_and_time() {
    std::env::set_var("TZ", "Asia/Shanghai");
    let w = busy_world();
    let day = |d: i64| (t0() + Duration::days(d)).with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap());
    let (w, ()) = w.closed(|db| {
        as_supervisor(db);
        // The whole log as the binary reads it (with the change of roles it records).
        let o = beian(db, "en", &["--json", "audit", "--limit", "1000"]);
        assert_eq!(o.code, 0, "{}", o.stderr);
        let log: Vec<AuditEvent> = serde_json::from_str(&o.stdout).unwrap();
        assert!(log.iter().any(|e| e.action == "config.change"));
        let want =
            |f: &dyn Fn(&AuditEvent) -> bool| -> Vec<u64> { log.iter().filter(|e| f(e)).map(|e| e.seq).collect() };
        let run = |args: &[&str]| {
            let mut a = vec!["--json", "audit", "--limit", "1000"];
            a.extend(args);
            seqs(&beian(db, "en", &a))
        };
        let triage = want(&|e| e.action == "request.triage");
        assert_eq!(run(&["--action", "request.triage"]), triage);
        assert_eq!(run(&["--action", "分拣需求"]), triage);
        assert_eq!(run(&["--action", "Triage a request"]), triage);
        assert_eq!(
            run(&["--action", "request"]),
            want(&|e| e.action.starts_with("request."))
        );
        assert_eq!(
            run(&["--action", "request.add", "--action", "system.edit"]),
            want(&|e| e.action == "request.add" || e.action == "system.edit")
        );
        assert_eq!(run(&["--actor", "zhao"]), want(&|e| e.actor == "zhao"));
        // Days are whole days in local time (the test clock starts at noon in Beijing).
        let d1 = day(1).format("%Y-%m-%d").to_string();
        let (start, end) = (
            day(1).date_naive().and_hms_opt(0, 0, 0).unwrap(),
            day(2).date_naive().and_hms_opt(0, 0, 0).unwrap(),
        );
        let local = |n: chrono::NaiveDateTime| {
            chrono::FixedOffset::east_opt(8 * 3600)
                .unwrap()
                .from_local_datetime(&n)
                .unwrap()
        };
        let in_day1 = want(&|e| e.time >= local(start) && e.time < local(end));
        assert!(!in_day1.is_empty());
        assert_eq!(run(&["--since", &d1, "--until", &d1]), in_day1);
        // RFC 3339: from that instant on; up to and including that instant.
        let cut = log[log.len() / 2].time;
        let at = cut.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true);
        assert_eq!(run(&["--since", &at]), want(&|e| e.time >= cut));
        assert_eq!(run(&["--until", &at]), want(&|e| e.time <= cut));
        assert_eq!(
            run(&["--actor", "wang", "--action", "request.triage", "--since", &d1]),
            want(&|e| e.actor == "wang" && e.action == "request.triage" && e.time >= local(start))
        );
        // The table names actions by their labels.
        let o = beian(db, "zh-CN", &["audit", "--actor", "wang", "--limit", "3"]);
        assert_eq!(o.code, 0, "{}", o.stderr);
        assert!(
            o.stdout.contains("分拣需求") && !o.stdout.contains("request.triage"),
            "{}",
            o.stdout
        );
        // What cannot be read is refused, naming the option; nothing is shown.
        for (args, needle) in [
            (vec!["audit", "--action", "approve-everything"], "--action"),
            (vec!["audit", "--since", "yesterday"], "--since"),
            (vec!["audit", "--until", "2026-02-30"], "--until"),
            (
                vec!["audit", "--since", "2026-03-05", "--until", "2026-03-01"],
                "--until",
            ),
        ] {
            let o = beian(db, "zh-CN", &args);
            assert_eq!(o.code, 2, "{args:?}: {}", o.stderr);
            assert!(
                o.stderr.contains(needle) && o.stdout.is_empty(),
                "{args:?}: {}",
                o.stderr
            );
        }
        let o = beian(db, "en", &["audit", "--action", "approve-everything"]);
        assert!(
            o.stderr.contains("plan.approve") && o.stderr.contains("request.triage"),
            "{}",
            o.stderr
        );
    });
    drop(w);
}

/// Each event records the fields its command changed, from what to what: a
/// request's fields and status, a system's version (also when a go-live sets
/// it), a plan's window and a test item's result. Shown as `字段：旧 → 新`.
#[test]
fn events_say_what_changed_from_what_to_what() {
    let g = english();
    let w = World::new();
    let id = w.add_request("选课页面加载慢");
    w.ok(
        &op_a(),
        Command::RequestEdit {
            id,
            edit: RequestEdit {
                priority: Some(Priority::High),
                title: Some("选课页面加载很慢".into()),
                ..RequestEdit::default()
            },
        },
    );
    let ev = |entity: &str| w.svc.audit(&supervisor(), Some(entity), 1).unwrap().remove(0);
    let edit = ev(&id.to_string());
    assert_eq!(edit.action, "request.edit");
    assert_eq!(
        edit.changes,
        vec![
            FieldChange {
                field: "title".into(),
                item: String::new(),
                of: String::new(),
                old: "选课页面加载慢".into(),
                new: "选课页面加载很慢".into(),
            },
            FieldChange {
                field: "priority".into(),
                item: String::new(),
                of: "Priority".into(),
                old: "normal".into(),
                new: "high".into(),
            },
        ]
    );
    assert_eq!(edit.changes[1].line(40), "priority: normal → high");
    w.ok(
        &op_a(),
        Command::RequestTriage {
            id,
            triage: Triage::Triage,
        },
    );
    let t = ev(&id.to_string());
    assert_eq!(
        t.changes
            .iter()
            .map(|c| (c.field.as_str(), c.old.as_str(), c.new.as_str()))
            .collect::<Vec<_>>(),
        [("status", "new", "triaged")]
    );
    assert_eq!(t.changes[0].line(40), "status: new → triaged");
    // A comment adds to the thread: it changes no field.
    w.ok(
        &op_a(),
        Command::RequestComment {
            id,
            text: "已联系厂商".into(),
        },
    );
    assert!(ev(&id.to_string()).changes.is_empty());
    // A plan: the window moved; a test item's result.
    let plan = w.written_plan(&op_a());
    let old_window = w.plan(plan).window.unwrap();
    let new_window = window_after(w.now(), 12);
    w.ok(
        &op_a(),
        Command::PlanEdit {
            id: plan,
            changes: vec![PlanChange::Window(Some(new_window.clone()))],
        },
    );
    let e = ev(&plan.to_string());
    assert_eq!(e.changes.len(), 1, "{:?}", e.changes);
    assert_eq!(e.changes[0].field, "window");
    assert!(
        e.changes[0].old.starts_with(&fmt_time(old_window.start)),
        "{:?}",
        e.changes
    );
    assert!(
        e.changes[0].new.starts_with(&fmt_time(new_window.start)),
        "{:?}",
        e.changes
    );
    w.drive(plan, PlanStatus::Live);
    let events = w.svc.audit(&supervisor(), Some(&plan.to_string()), usize::MAX).unwrap();
    let result = events.iter().find(|e| e.action == "test.result").unwrap();
    let c = result.changes.iter().find(|c| c.field == "test.result").unwrap();
    assert_eq!(
        (c.item.as_str(), c.of.as_str(), c.old.as_str()),
        ("R1 #1", "TestResult", "pending")
    );
    let golive = events.iter().find(|e| e.action == "golive.record").unwrap();
    let v = golive.changes.iter().find(|c| c.field == "version").unwrap();
    assert_eq!(
        (v.item.as_str(), v.old.as_str()),
        (w.system.to_string().as_str(), "V2.1")
    );
    assert!(golive.changes.iter().any(|c| c.field == "status" && c.new == "live"));
    // The chain verifies with them.
    assert!(w.svc.store_verify(None).unwrap().ok());
    drop(g);
    in_chinese(|| {
        assert_eq!(edit.changes[1].line(40), "优先级：普通 → 高");
        assert_eq!(t.changes[0].line(40), "状态：新建 → 已分拣");
        assert_eq!(c.label(), "测试结果 R1 #1");
    });
}

/// `beian audit` prints the changes under their event, in the user's language.
#[test]
fn the_cli_shows_old_and_new_values() {
    let w = World::new();
    let id = w.add_request("选课页面加载慢");
    w.ok(
        &op_a(),
        Command::RequestEdit {
            id,
            edit: RequestEdit {
                priority: Some(Priority::Urgent),
                ..RequestEdit::default()
            },
        },
    );
    let (w, ()) = w.closed(|db| {
        as_supervisor(db);
        for (lang, want) in [("zh-CN", "优先级：普通 → 紧急"), ("en", "priority: normal → urgent")] {
            let o = beian(db, lang, &["audit", "--entity", &id.to_string()]);
            assert_eq!(o.code, 0, "{}", o.stderr);
            let line = o
                .stdout
                .lines()
                .find(|l| l.contains(want))
                .unwrap_or_else(|| panic!("{want:?} in\n{}", o.stdout));
            assert!(line.starts_with("   "), "indented under its event: {line:?}");
        }
    });
    drop(w);
}

/// The old and new values are sealed with their event: changing one in the
/// stored log breaks the chain at that event.
#[test]
fn a_changed_value_in_the_log_breaks_the_chain() {
    let _g = english();
    let w = World::new();
    let id = w.add_request("选课页面加载慢");
    w.ok(
        &op_a(),
        Command::RequestEdit {
            id,
            edit: RequestEdit {
                priority: Some(Priority::High),
                ..RequestEdit::default()
            },
        },
    );
    let ev = w.svc.audit(&supervisor(), Some(&id.to_string()), 1).unwrap().remove(0);
    assert!(w.svc.store_verify(None).unwrap().ok());
    for forge in [
        |c: &mut FieldChange| c.old = "urgent".into(),
        |c: &mut FieldChange| c.new = "low".into(),
        |c: &mut FieldChange| c.field = "status".into(),
    ] {
        let mut forged = ev.clone();
        forge(&mut forged.changes[0]);
        let bytes = serde_json::to_vec(&forged).unwrap();
        w.svc
            .raw_store()
            .raw_set("audit", &ev.seq.to_be_bytes(), Some(&bytes))
            .unwrap();
        let r = w.svc.store_verify(None).unwrap();
        let p = r.problem.unwrap_or_else(|| panic!("{:?} not detected", forged.changes));
        assert!(p.at.contains(&ev.seq.to_string()), "{p:?}");
    }
    let bytes = serde_json::to_vec(&ev).unwrap();
    w.svc
        .raw_store()
        .raw_set("audit", &ev.seq.to_be_bytes(), Some(&bytes))
        .unwrap();
    assert!(w.svc.store_verify(None).unwrap().ok());
}

/// Every action the log records and every field an event may name has a label
/// in both languages (the table and `--action` use them).
#[test]
fn every_action_and_changed_field_has_a_label() {
    let _g = english();
    let mut missing = Vec::new();
    for a in beian::service::audit_actions() {
        for lang in beian::i18n::LANGS {
            if !beian::i18n::has(lang, &format!("audit.action.{a}")) {
                missing.push(format!("audit.action.{a} ({lang})"));
            }
        }
    }
    // Records with every tracked field present: a live plan (rounds, defects,
    // backup …), a request, a system, an order.
    let w = World::new();
    let plan = w.plan_at(PlanStatus::Ready);
    w.ok(
        &op_a(),
        Command::DefectAdd {
            plan,
            severity: Severity::Minor,
            description: "导出按钮错位".into(),
            found_by: tester(),
            item: Some(1),
            vendor_ref: Some("ZF-1".into()),
        },
    );
    let mut tracked = w.plan(plan).tracked();
    tracked.extend(w.request(w.accepted_request("选课页面加载慢")).tracked());
    let sys = w.svc.system(&supervisor(), w.system).unwrap();
    tracked.extend(sys.tracked());
    let order = RectificationOrder {
        id: id(IdKind::Order, 1),
        issuer: "chen".into(),
        target: OrderTarget::Plan(plan),
        finding: "f".into(),
        required_action: "a".into(),
        deadline: t0().date_naive(),
        status: OrderStatus::Open,
        response: None,
        responded_by: None,
        extensions: Vec::new(),
        responses: Vec::new(),
        closings: Vec::new(),
        meta: Meta::new("chen", t0()),
    };
    tracked.extend(order.tracked());
    let report = ConfidentialReport {
        id: id(IdKind::Report, 1),
        content: "c".into(),
        reporter_contact: None,
        received_at: t0(),
        status: ReportStatus::Investigating,
        investigation: "n".into(),
        reply: None,
        replied_by: None,
        replied_at: None,
        plan: Some(plan),
        order: Some(id(IdKind::Order, 1)),
        meta: Meta::new("chen", t0()),
    };
    tracked.extend(report.tracked());
    assert!(tracked.iter().any(|t| t.field == "defect.vendor_ref"));
    for t in &tracked {
        for lang in beian::i18n::LANGS {
            if !beian::i18n::has(lang, &format!("field.{}", t.field)) {
                missing.push(format!("field.{} ({lang})", t.field));
            }
            if !t.of.is_empty() && !t.value.is_empty() && !beian::i18n::has(lang, &format!("enum.{}.{}", t.of, t.value))
            {
                missing.push(format!("enum.{}.{} ({lang})", t.of, t.value));
            }
        }
    }
    missing.sort();
    missing.dedup();
    assert!(missing.is_empty(), "labels missing: {missing:#?}");
}

/// The figure of docs/reliability.md: filters over a log of 500,000 events
/// (the ten-year dataset's size), written directly into the audit tree. Not a
/// pass/fail bound (a benchmark's job): run with
/// `cargo test --release --test audit_log -- --ignored --nocapture`.
#[test]
#[ignore]
fn filters_over_half_a_million_events() {
    let _g = english();
    let w = World::new();
    let store = w.svc.raw_store();
    let actors = ["wang", "zhao", "li", "chen", "sun", "liu", "root", "zhou"];
    let actions = [
        "request.add",
        "request.triage",
        "request.edit",
        "plan.edit",
        "test.result",
        "plan.approve",
    ];
    let n: u64 = 500_000;
    let start = t0() - Duration::days(3650);
    let t = std::time::Instant::now();
    for seq in 1..=n {
        let ev = AuditEvent {
            seq,
            time: start + Duration::seconds((seq * 630) as i64),
            actor: actors[(seq % 8) as usize].into(),
            action: actions[(seq % 6) as usize].into(),
            entity: format!("REQ-2026-{:04}", seq % 9999 + 1),
            summary: "triaged → accepted: 选课页面加载慢，已联系厂商处理".into(),
            changes: if seq % 3 == 0 {
                vec![FieldChange {
                    field: "priority".into(),
                    item: String::new(),
                    of: "Priority".into(),
                    old: "normal".into(),
                    new: "high".into(),
                }]
            } else {
                Vec::new()
            },
            digest: String::new(),
            prev: "0".repeat(64),
            seal: "0".repeat(64),
        };
        store
            .raw_set("audit", &seq.to_be_bytes(), Some(&serde_json::to_vec(&ev).unwrap()))
            .unwrap();
    }
    eprintln!("wrote {n} events in {:.1} s", t.elapsed().as_secs_f64());
    let time = |name: &str, f: &AuditFilter, limit: usize| {
        let t = std::time::Instant::now();
        let got = w.svc.audit_where(&supervisor(), f, limit).unwrap();
        eprintln!(
            "{name:<46} {:>7} events {:>8.3} s",
            got.len(),
            t.elapsed().as_secs_f64()
        );
    };
    time("newest 50, no filter", &AuditFilter::default(), 50);
    let by_zhou = AuditFilter {
        actor: Some("zhou".into()),
        ..AuditFilter::default()
    };
    time("--actor zhou --limit 50", &by_zhou, 50);
    time("--actor zhou (all 62,500)", &by_zhou, usize::MAX);
    let rare = AuditFilter {
        actor: Some("zhou".into()),
        actions: vec!["plan.approve".into()],
        since: Some(start + Duration::days(3000)),
        until: Some(start + Duration::days(3010)),
        ..AuditFilter::default()
    };
    time("--actor --action --since --until (10 days)", &rare, 50);
    let none = AuditFilter {
        actor: Some("nobody".into()),
        ..AuditFilter::default()
    };
    time("--actor nobody (whole log, none match)", &none, 50);
}
