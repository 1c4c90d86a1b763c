//! Acceptance 4–6 through the real binary: JSON output, exit codes, errors on
//! stderr, and clear messages for bad input and bad databases — never a panic.

use std::path::Path;
use std::process::Command;

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
        .env("BEIAN_LANG", "en")
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

fn fails(db: &Path, args: &[&str], code: i32, needle: &str) -> Out {
    let o = beian(db, args);
    assert_eq!(o.code, code, "{args:?}: stdout {} stderr {}", o.stdout, o.stderr);
    assert!(
        o.stderr.contains(needle),
        "{args:?}: expected {needle:?} in {}",
        o.stderr
    );
    assert!(
        o.stdout.is_empty(),
        "{args:?}: errors go to stderr, stdout had {}",
        o.stdout
    );
    o
}

fn setup() -> (tempfile::TempDir, std::path::PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("data");
    ok(&db, &["init"]);
    ok(
        &db,
        &[
            "system",
            "add",
            "--name",
            "教务管理系统",
            "--department",
            "教务处",
            "--version",
            "5.0",
        ],
    );
    ok(
        &db,
        &[
            "request",
            "add",
            "--title",
            "选课页面加载慢",
            "--submitter",
            "张同学",
            "--submitter-type",
            "student",
            "--channel",
            "website",
        ],
    );
    (tmp, db)
}

#[test]
fn json_output_parses_and_errors_go_to_stderr() {
    let (_tmp, db) = setup();
    ok(
        &db,
        &[
            "plan",
            "new",
            "--system",
            "教务",
            "--title",
            "教务系统升级",
            "--to",
            "5.1",
        ],
    );
    for args in [
        vec!["--json", "system", "list"],
        vec!["--json", "system", "show", "SYS-0001"],
        vec!["--json", "request", "list"],
        vec!["--json", "request", "list", "--status", "new", "--channel", "website"],
        vec!["--json", "request", "show", "REQ-2026-0001"],
        vec!["--json", "plan", "list"],
        vec!["--json", "plan", "show", "PLAN-2026-0001"],
        vec!["--json", "test", "show", "PLAN-2026-0001"],
        vec!["--json", "archive", "list"],
        vec!["--json", "archive", "search", "教务"],
        vec!["--json", "calendar", "list"],
        vec!["--json", "overview"],
        vec!["--json", "whoami"],
        vec!["--json", "supervision", "order", "list"],
        vec!["--json", "plan", "notice", "PLAN-2026-0001", "--preview"],
    ] {
        let out = ok(&db, &args);
        serde_json::from_str::<serde_json::Value>(&out).unwrap_or_else(|e| panic!("{args:?}: {e}: {out}"));
    }
    // A JSON error is JSON on stderr, with the exit code.
    let o = fails(&db, &["--json", "request", "show", "REQ-2026-0999"], 5, "not found");
    let v: serde_json::Value = serde_json::from_str(o.stderr.trim()).unwrap();
    assert_eq!(v["exit_code"], 5);
}

#[test]
fn exit_codes_name_what_is_wrong() {
    let (_tmp, db) = setup();
    // 2: usage and invalid input.
    fails(&db, &["request", "show"], 2, "Usage");
    fails(&db, &["request", "show", "REQ-26-x"], 2, "invalid request id: REQ-26-x");
    fails(&db, &["request", "show", "PLAN-2026-0001"], 2, "invalid request id");
    ok(
        &db,
        &["plan", "new", "--system", "SYS-0001", "--title", "t", "--to", "5.1"],
    );
    fails(
        &db,
        &[
            "plan",
            "edit",
            "PLAN-2026-0001",
            "--window-start",
            "2026-02-30 22:00",
            "--window-end",
            "2026-03-01 01:00",
        ],
        2,
        "invalid --window-start: 2026-02-30 22:00 (expected YYYY-MM-DD HH:MM)",
    );
    fails(
        &db,
        &[
            "training",
            "PLAN-2026-0001",
            "--format",
            "classroom",
            "--date",
            "next week",
            "--trainer",
            "x",
        ],
        2,
        "invalid --date",
    );
    fails(
        &db,
        &["request", "add", "--title", "x", "--submitter", "y", "--channel", "fax"],
        2,
        "fax",
    );
    // 5: unknown ids.
    fails(&db, &["plan", "show", "PLAN-2026-0042"], 5, "not found: PLAN-2026-0042");
    fails(
        &db,
        &[
            "request",
            "add",
            "--title",
            "x",
            "--submitter",
            "y",
            "--system",
            "不存在的系统",
        ],
        5,
        "not found",
    );
    // 3: a gate, naming what is missing.
    let o = fails(&db, &["plan", "submit", "PLAN-2026-0001"], 3, "cannot be submitted");
    for f in [
        "goals",
        "content",
        "technical approach",
        "maintenance window",
        "staff assignment",
        "backup plan",
        "rollback plan",
    ] {
        assert!(o.stderr.contains(f), "{f} in {}", o.stderr);
    }
    // 3: a permission: only supervisors read the audit log.
    fails(&db, &["audit"], 3, "may not read the audit log");
    // Missing required text.
    fails(
        &db,
        &["request", "triage", "REQ-2026-0001", "reject"],
        3,
        "a reason is required to reject",
    );
}

#[test]
fn stale_revision_is_a_conflict_and_nothing_is_written() {
    let (_tmp, db) = setup();
    ok(&db, &["request", "edit", "REQ-2026-0001", "--priority", "high"]); // rev 2
    let o = fails(
        &db,
        &[
            "--expect-rev",
            "1",
            "request",
            "edit",
            "REQ-2026-0001",
            "--priority",
            "low",
        ],
        4,
        "was changed by",
    );
    assert!(o.stderr.contains("revision 2, you had 1"), "{}", o.stderr);
    let r: serde_json::Value = serde_json::from_str(&ok(&db, &["--json", "request", "show", "REQ-2026-0001"])).unwrap();
    assert_eq!(r["priority"], "high");
    assert_eq!(r["meta"]["rev"], 2);
    ok(
        &db,
        &[
            "--expect-rev",
            "2",
            "request",
            "edit",
            "REQ-2026-0001",
            "--priority",
            "low",
        ],
    );
}

#[test]
fn bad_databases_get_clear_messages() {
    let tmp = tempfile::tempdir().unwrap();
    // No database yet.
    fails(
        &tmp.path().join("none"),
        &["request", "list"],
        1,
        "no beian database at",
    );
    // A file where the data directory should be.
    let file = tmp.path().join("file");
    std::fs::write(&file, "not a database").unwrap();
    fails(&file, &["request", "list"], 1, "is not a readable beian database");
    // init twice.
    let db = tmp.path().join("data");
    ok(&db, &["init"]);
    fails(&db, &["init"], 1, "already exists");
    // demo refuses to overwrite a real database.
    fails(&db, &["demo"], 1, "already exists");
    // Held by another process: the message says who.
    {
        let _held = beian::service::Service::open(&db).unwrap();
        let o = fails(&db, &["request", "list"], 1, "in use by another beian process");
        assert!(
            o.stderr.contains(&format!("pid {}", std::process::id())),
            "{}",
            o.stderr
        );
    }
    // A database from a newer beian.
    {
        let sled_db = sled::open(db.join("db")).unwrap();
        let meta = sled_db.open_tree("meta").unwrap();
        meta.insert("schema", &99u32.to_be_bytes()).unwrap();
        sled_db.flush().unwrap();
    }
    fails(
        &db,
        &["request", "list"],
        1,
        "schema version 99, newer than this beian supports",
    );
    // A broken roles file names its line.
    let db2 = tmp.path().join("data2");
    ok(&db2, &["init"]);
    std::fs::write(db2.join("config.toml"), "[roles.users]\nwang = [\"boss\"]\n").unwrap();
    fails(&db2, &["request", "list"], 1, "config.toml:2");
}

#[test]
fn completions_and_man_page() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("x");
    assert!(ok(&db, &["completions", "bash"]).contains("beian"));
    assert!(ok(&db, &["man"]).contains(".TH beian"));
    let help = ok(&db, &["--help"]);
    assert!(help.contains("request"));
    let zh = Command::new(env!("CARGO_BIN_EXE_beian"))
        .env("BEIAN_NO_SERVER", "1")
        .args(["--lang", "zh-CN", "--help"])
        .output()
        .unwrap();
    let zh = String::from_utf8_lossy(&zh.stdout);
    assert!(zh.contains("需求"), "{zh}");
}

#[test]
fn calendar_file_import_and_its_errors() {
    let (tmp, db) = setup();
    let good = tmp.path().join("calendar.toml");
    std::fs::write(
        &good,
        "[[blackout]]\nname = \"期末考试\"\nstart = 2027-01-04\nend = 2027-01-15\nhard = true\n\n\
         [[blackout]]\nname = \"选课\"\nstart = 2026-12-20\nend = 2026-12-25\n",
    )
    .unwrap();
    ok(&db, &["calendar", "import", good.to_str().unwrap()]);
    let cal: serde_json::Value = serde_json::from_str(&ok(&db, &["--json", "calendar", "list"])).unwrap();
    assert_eq!(cal[0]["name"], "选课");
    assert_eq!(cal[1]["hard"], true);
    // A bad date names the file and line; nothing is imported.
    let bad = tmp.path().join("bad.toml");
    std::fs::write(
        &bad,
        "[[blackout]]\nname = \"期中考试\"\nstart = 2026-11-40\nend = 2026-11-20\n",
    )
    .unwrap();
    fails(&db, &["calendar", "import", bad.to_str().unwrap()], 1, "bad.toml:3");
    // End before start is refused by the core, naming the field.
    let rev = tmp.path().join("rev.toml");
    std::fs::write(
        &rev,
        "[[blackout]]\nname = \"期中考试\"\nstart = 2026-11-20\nend = 2026-11-10\n",
    )
    .unwrap();
    fails(&db, &["calendar", "import", rev.to_str().unwrap()], 2, "invalid end");
    let cal: serde_json::Value = serde_json::from_str(&ok(&db, &["--json", "calendar", "list"])).unwrap();
    assert_eq!(cal.as_array().unwrap().len(), 2);
    // A window in the hard period is refused at submit, naming the period.
    ok(
        &db,
        &[
            "plan",
            "new",
            "--system",
            "SYS-0001",
            "--title",
            "考试周升级",
            "--to",
            "5.1",
        ],
    );
    for args in [
        vec!["--goals", "目标"],
        vec!["--content", "内容"],
        vec!["--approach", "方案"],
        vec!["--backup-plan", "备份"],
        vec!["--rollback-plan", "回退"],
        vec!["--migrates-data", "no"],
        vec!["--window-start", "2027-01-05 22:00", "--window-end", "2027-01-06 02:00"],
    ] {
        let mut a = vec!["plan", "edit", "PLAN-2026-0001"];
        a.extend(args);
        ok(&db, &a);
    }
    ok(
        &db,
        &[
            "plan",
            "risk",
            "add",
            "PLAN-2026-0001",
            "--description",
            "风险",
            "--mitigation",
            "措施",
        ],
    );
    ok(
        &db,
        &[
            "plan",
            "staff",
            "add",
            "PLAN-2026-0001",
            "--person",
            "王磊",
            "--role",
            "负责人",
        ],
    );
    fails(&db, &["plan", "submit", "PLAN-2026-0001"], 3, "期末考试");
}
