//! `beian report`, `beian contributions` and `beian recognition` through the real
//! binary on the demo semester: the OS user running the test is given one role at
//! a time in config.toml (the database is created by someone else, so they are
//! not its admin).

use std::path::Path;
use std::process::Command;

use beian::model::Role;

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

fn beian(db: &Path, args: &[&str]) -> Out {
    let out = Command::new(env!("CARGO_BIN_EXE_beian"))
        .env("BEIAN_NO_SERVER", "1")
        .args(args)
        .env("BEIAN_DB", db)
        .env_remove("BEIAN_SOCKET")
        .env("BEIAN_LANG", "en")
        .env("TZ", "Asia/Shanghai")
        .output()
        .unwrap();
    let o = Out {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert!(!o.stderr.contains("panicked"), "panic: {}", o.stderr);
    o
}

fn ok(db: &Path, args: &[&str]) -> String {
    let o = beian(db, args);
    assert_eq!(o.code, 0, "{args:?}: {}{}", o.stdout, o.stderr);
    o.stdout
}

/// Give the user running the test exactly `role`.
fn set_role(db: &Path, role: Role) {
    let mut cfg = beian::config::Config::load(db).unwrap();
    cfg.roles.users.insert(beian::config::os_user_name(), vec![role]);
    std::fs::write(db.join("config.toml"), toml::to_string(&cfg).unwrap()).unwrap();
}

fn demo_db() -> (tempfile::TempDir, std::path::PathBuf) {
    std::env::set_var("TZ", "Asia/Shanghai");
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("data");
    let now = chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 11, 29, 10, 0, 0).unwrap();
    let mut svc = beian::service::Service::create(&db, "report-test-creator", true).unwrap();
    beian::demo::populate(&mut svc, now).unwrap();
    drop(svc);
    (tmp, db)
}

const PERIOD: [&str; 4] = ["--from", "2026-01-01", "--to", "2026-12-31"];

fn args<'a>(head: &[&'a str]) -> Vec<&'a str> {
    let mut v = head.to_vec();
    v.extend(PERIOD);
    v
}

#[test]
fn reports_in_every_format_and_recognitions_by_role() {
    let (tmp, db) = demo_db();

    // A viewer reads the report in every format.
    set_role(&db, Role::Viewer);
    let json: serde_json::Value = serde_json::from_str(&ok(&db, &args(&["report", "--json"]))).unwrap();
    let report: beian::report::Report = serde_json::from_value(json.clone()).unwrap();
    assert!(!report.updates.is_empty());
    let same: serde_json::Value = serde_json::from_str(&ok(&db, &args(&["report", "--format", "json"]))).unwrap();
    assert_eq!(same, json);
    let md = ok(&db, &args(&["report"]));
    assert!(
        md.starts_with("# Evaluation of updates 2026-01-01 – 2026-12-31"),
        "{md}"
    );
    for title in [
        "## Updates per system and month",
        "## Lead times",
        "## Training sessions",
    ] {
        assert!(md.contains(title), "{title} missing:\n{md}");
    }
    assert!(md.contains("| --- |"));
    let csv = ok(&db, &args(&["report", "--format", "csv", "--table", "lead_times"]));
    let mut lines = csv.lines();
    assert!(lines.next().unwrap().starts_with("System,Requests,"), "{csv}");
    assert!(lines.next().unwrap().starts_with("All systems,"), "{csv}");
    let all = ok(&db, &args(&["report", "--format", "csv"]));
    assert!(all.starts_with("updates_by_month\r\n"), "{all}");
    let bad = beian(&db, &args(&["report", "--format", "csv", "--table", "nope"]));
    assert_eq!(bad.code, 2, "{}", bad.stderr);
    assert!(bad.stderr.contains("lead_times"), "{}", bad.stderr);
    let backwards = beian(&db, &["report", "--from", "2026-12-31", "--to", "2026-01-01"]);
    assert_eq!(backwards.code, 2, "{}", backwards.stderr);
    let file = tmp.path().join("contrib.csv");
    ok(
        &db,
        &args(&[
            "contributions",
            "--format",
            "csv",
            "--table",
            "people",
            "-o",
            file.to_str().unwrap(),
        ]),
    );
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(
        text.starts_with("\u{feff}Register id,Person,Department,Adopted suggestions,Problems fixed,"),
        "{text}"
    );

    // An operator may not record an award: exit 3, nothing written.
    set_role(&db, Role::Operator);
    let award = [
        "recognition",
        "add",
        "--kind",
        "award",
        "--person",
        "刘洋（信息化管理中心）",
        "--reason",
        "测试中发现严重缺陷",
        "--related",
        "PLAN-2026-0003",
        "--date",
        "2026-11-20",
    ];
    // The demo's supervision group recorded two awards (a team's and 刘洋's).
    let before = ok(&db, &["recognition", "list", "--json"]);
    let awards_before = |c: &serde_json::Value| {
        c["people"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "刘洋")
            .map_or(0, |p| p["awards"].as_u64().unwrap())
    };
    let c0: serde_json::Value = serde_json::from_str(&ok(&db, &args(&["contributions", "--json"]))).unwrap();
    let refused = beian(&db, &award);
    assert_eq!(refused.code, 3, "{}{}", refused.stdout, refused.stderr);
    assert!(
        refused.stderr.contains("may not record rewards and penalties"),
        "{}",
        refused.stderr
    );
    assert_eq!(ok(&db, &["recognition", "list", "--json"]), before);

    // A supervisor may; everyone reads the list and the contributions report.
    set_role(&db, Role::Supervisor);
    let out = ok(&db, &award);
    assert!(out.starts_with("ok REC-2026-0003"), "{out}");
    set_role(&db, Role::Viewer);
    let list: serde_json::Value = serde_json::from_str(&ok(&db, &["recognition", "list", "--json"])).unwrap();
    let new = list
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "REC-2026-0003")
        .unwrap();
    assert_eq!(new["kind"], "award");
    assert_eq!(new["related"][0], "PLAN-2026-0003");
    let table = ok(&db, &["recognition", "list"]);
    assert!(table.contains("测试中发现严重缺陷"), "{table}");
    let c: serde_json::Value = serde_json::from_str(&ok(&db, &args(&["contributions", "--json"]))).unwrap();
    let liu = c["people"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "刘洋")
        .unwrap();
    // One row for 刘洋, however the records write the name: one more award on it.
    assert_eq!(liu["awards"].as_u64().unwrap(), awards_before(&c0) + 1);
    assert_eq!(liu["department"], "信息化管理中心");
    assert_eq!(liu["person"], "PER-0002");
    let md = ok(&db, &args(&["contributions"]));
    assert!(md.contains("## Awards and penalties"), "{md}");
    assert!(md.contains("REC-2026-0003"), "{md}");
}

#[test]
fn report_help_is_in_chinese() {
    let (_tmp, db) = demo_db();
    let out = Command::new(env!("CARGO_BIN_EXE_beian"))
        .env("BEIAN_NO_SERVER", "1")
        .args(["--lang", "zh-CN", "report", "--help"])
        .env("BEIAN_DB", &db)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("更新工作定期评估"), "{text}");
}
