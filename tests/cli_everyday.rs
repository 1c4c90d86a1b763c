//! The command line as a script or a sysadmin uses it every day (issue 14):
//! request lists that show the year when it is not this one and how long each
//! request has waited, and commands on one request that take several ids and
//! report on each.

use std::path::Path;
use std::process::Command;

use chrono::{Datelike, Duration, FixedOffset, Utc};

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

fn beian(db: &Path, lang: &str, args: &[&str]) -> Out {
    let out = Command::new(env!("CARGO_BIN_EXE_beian"))
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

fn ok(db: &Path, args: &[&str]) -> String {
    let o = beian(db, "en", args);
    assert_eq!(o.code, 0, "{args:?}: {}{}", o.stdout, o.stderr);
    o.stdout
}

fn json(db: &Path, args: &[&str]) -> serde_json::Value {
    let mut a = vec!["--json"];
    a.extend(args);
    serde_json::from_str(&ok(db, &a)).unwrap()
}

/// A database with one system; the user running the test is its admin.
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
    (tmp, db)
}

fn add(db: &Path, title: &str, received: &str) -> String {
    let v = json(
        db,
        &[
            "request",
            "add",
            "--title",
            title,
            "--submitter",
            "张老师",
            "--system",
            "教务",
            "--received",
            received,
        ],
    );
    v["entity"].as_str().unwrap().to_string()
}

fn status(db: &Path, id: &str) -> String {
    json(db, &["request", "show", id])["status"]
        .as_str()
        .unwrap()
        .to_string()
}

/// `request list`: a day of this year as `MM-DD`, of another year with the
/// year; an age column (`5h`, `3d`, `13mo`, `2y` / `5小时`, `3天`, `13个月`,
/// `2年`); the columns aligned by display width with Chinese text.
#[test]
fn request_lists_show_the_year_and_the_age() {
    let (_tmp, db) = setup();
    let cst = FixedOffset::east_opt(8 * 3600).unwrap();
    let now = Utc::now().with_timezone(&cst);
    let cases = [
        (Duration::hours(5), "5h", "5小时"),
        (Duration::days(3), "3d", "3天"),
        (Duration::days(400), "13mo", "13个月"),
        (Duration::days(800), "2y", "2年"),
    ];
    let mut rows = Vec::new();
    for (i, (ago, en, zh)) in cases.iter().enumerate() {
        // A minute more, so that a slow test still rounds down to the same age.
        let at = now - *ago - Duration::minutes(1);
        let id = add(&db, &format!("请求{i}：选课页面加载慢"), &at.to_rfc3339());
        let day = if at.year() == now.year() {
            at.format("%m-%d").to_string()
        } else {
            at.format("%Y-%m-%d").to_string()
        };
        rows.push((id, day, *en, *zh));
    }
    for (lang, pick) in [("en", 0), ("zh-CN", 1)] {
        let o = beian(&db, lang, &["request", "list"]);
        assert_eq!(o.code, 0, "{}", o.stderr);
        let lines: Vec<&str> = o.stdout.lines().collect();
        let header = lines[0];
        for (id, day, en, zh) in &rows {
            let age = if pick == 0 { en } else { zh };
            let line = lines.iter().find(|l| l.starts_with(id.as_str())).unwrap();
            let cells: Vec<&str> = line.split_whitespace().collect();
            assert_eq!(&cells[1..3], &[day.as_str(), age], "{lang}: {line}");
        }
        // The last year's request shows its year; the title column starts at the
        // same display column on every line (unicode-width, not bytes or chars).
        assert!(rows.iter().any(|(_, d, _, _)| d.len() == 10), "{rows:?}");
        let title = if pick == 0 { "title" } else { "标题" };
        let col = |l: &str, needle: &str| beian::text::text_width(&l[..l.find(needle).unwrap()]);
        let want = col(header, title);
        for l in &lines[1..lines.len() - 1] {
            assert_eq!(col(l, "请求"), want, "{lang}:\n{}", o.stdout);
        }
    }
}

/// `request triage` with several ids: each goes through the core exactly as
/// alone; one line per id, the refusal with its reason on standard error and
/// the others done; exit code of the refusal. With --json one array.
#[test]
fn triage_several_requests_and_report_each() {
    let (_tmp, db) = setup();
    let now = Utc::now().to_rfc3339();
    let a = add(&db, "成绩录入超时", &now);
    let b = add(&db, "课表导出乱码", &now);
    let c = add(&db, "选课页面加载慢", &now);
    ok(&db, &["request", "triage", &c, "reject", "--reason", "不属于本系统"]);
    let o = beian(&db, "zh-CN", &["request", "triage", &a, &c, &b, "triaged"]);
    assert_eq!(o.code, 3, "{}{}", o.stdout, o.stderr);
    let done: Vec<&str> = o.stdout.lines().collect();
    assert_eq!(done.len(), 2, "{}", o.stdout);
    // Statuses (and fields) by their labels, not their names.
    assert_eq!(done[0], format!("完成 {a} (rev 2): 新建 → 已分拣"), "{}", o.stdout);
    assert_eq!(done[1], format!("完成 {b} (rev 2): 新建 → 已分拣"), "{}", o.stdout);
    let e = beian(
        &db,
        "zh-CN",
        &["request", "edit", &a, "--priority", "high", "--tag", "性能"],
    );
    assert_eq!(
        e.stdout.trim(),
        format!("完成 {a} (rev 3): 优先级、标签"),
        "{}",
        e.stderr
    );
    let refused: Vec<&str> = o.stderr.lines().collect();
    assert_eq!(refused.len(), 2, "{}", o.stderr);
    assert!(
        refused[0].starts_with(&format!("beian: {c}: "))
            && refused[0].contains("已驳回")
            && refused[0].contains("分拣"),
        "{}",
        o.stderr
    );
    assert!(refused[1].contains("3 条中有 1 条未修改"), "{}", o.stderr);
    assert_eq!(
        (status(&db, &a), status(&db, &b), status(&db, &c)),
        ("triaged".into(), "triaged".into(), "rejected".into())
    );
    // JSON: one entry per id, in the order given.
    let d = add(&db, "补考名单缺失", &now);
    let o = beian(&db, "en", &["--json", "request", "triage", &d, &c, "joint-review"]);
    assert_eq!(o.code, 3, "{}", o.stderr);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 2, "{v}");
    assert_eq!(
        (v[0]["entity"].as_str(), v[0]["ok"].as_bool()),
        (Some(d.as_str()), Some(true))
    );
    assert_eq!(v[0]["outcome"]["summary"], "new → joint_review");
    assert_eq!(
        (v[1]["entity"].as_str(), v[1]["ok"].as_bool()),
        (Some(c.as_str()), Some(false))
    );
    assert_eq!(v[1]["exit_code"], 3);
    assert!(v[1]["message"].as_str().unwrap().contains("rejected"), "{v}");
    let e: serde_json::Value = serde_json::from_str(o.stderr.trim()).unwrap();
    assert_eq!(
        (e["error"]["failed"].as_u64(), e["error"]["total"].as_u64()),
        (Some(1), Some(2))
    );
}

/// A malformed id, or a revision for several records, refuses the whole
/// command before anything is changed (exit 2).
#[test]
fn several_ids_are_checked_before_any_change() {
    let (_tmp, db) = setup();
    let now = Utc::now().to_rfc3339();
    let a = add(&db, "成绩录入超时", &now);
    let b = add(&db, "课表导出乱码", &now);
    let audit = |db: &Path| ok(db, &["verify"]);
    let before = audit(&db);
    for (args, needle) in [
        (vec!["request", "triage", &a, "REQ-26-x", &b, "triaged"], "REQ-26-x"),
        (
            vec!["--expect-rev", "1", "request", "triage", &a, &b, "triaged"],
            "--expect-rev",
        ),
        (
            vec!["request", "comment", &a, "PLAN-2026-0001", "已联系厂商"],
            "PLAN-2026-0001",
        ),
    ] {
        let o = beian(&db, "en", &args);
        assert_eq!(o.code, 2, "{args:?}: {}", o.stderr);
        assert!(o.stderr.contains(needle), "{args:?}: {}", o.stderr);
        assert!(o.stdout.is_empty(), "{args:?}: {}", o.stdout);
    }
    assert_eq!(audit(&db), before, "nothing was written");
    assert_eq!((status(&db, &a), status(&db, &b)), ("new".into(), "new".into()));
    // One id keeps --expect-rev: a stale revision is a conflict (exit 4).
    let o = beian(&db, "en", &["--expect-rev", "7", "request", "triage", &a, "triaged"]);
    assert_eq!(o.code, 4, "{}", o.stderr);
}

/// `request comment`, `request link` and `request tag` take several ids too;
/// `tag` adds and removes tags keeping the others, and leaves a request it
/// would not change alone.
#[test]
fn comment_link_and_tag_several_requests() {
    let (_tmp, db) = setup();
    let now = Utc::now().to_rfc3339();
    let ids: Vec<String> = ["成绩录入超时", "课表导出乱码", "选课页面加载慢"]
        .iter()
        .map(|t| add(&db, t, &now))
        .collect();
    let (a, b, c) = (&ids[0], &ids[1], &ids[2]);
    let o = beian(&db, "en", &["request", "comment", a, b, "已联系厂商"]);
    assert_eq!((o.code, o.stdout.lines().count()), (0, 2), "{}{}", o.stdout, o.stderr);
    for id in [a, b] {
        let r = json(&db, &["request", "show", id]);
        assert_eq!(r["comments"][0]["text"], "已联系厂商", "{r}");
    }
    ok(&db, &["request", "edit", a, "--tag", "性能", "--tag", "待定"]);
    let o = beian(
        &db,
        "en",
        &["request", "tag", a, b, "--add", "高频", "--remove", "待定"],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    let tags = |id: &str| json(&db, &["request", "show", id])["tags"].clone();
    assert_eq!(tags(a), serde_json::json!(["性能", "高频"]));
    assert_eq!(tags(b), serde_json::json!(["高频"]));
    let o = beian(&db, "en", &["request", "tag", b, c, "--add", "高频"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(
        o.stdout.lines().next().unwrap(),
        format!("ok {b}: unchanged"),
        "{}",
        o.stdout
    );
    assert_eq!(tags(c), serde_json::json!(["高频"]));
    // Link: the accepted ones are linked; the one not accepted is refused with why.
    for id in [a, b] {
        ok(
            &db,
            &[
                "request",
                "edit",
                id,
                "--necessity",
                "影响教学",
                "--feasibility",
                "厂商可修",
            ],
        );
        ok(&db, &["request", "triage", id, "accept"]);
    }
    let plan = json(
        &db,
        &["plan", "new", "--system", "教务", "--title", "补丁", "--to", "5.1"],
    )["entity"]
        .as_str()
        .unwrap()
        .to_string();
    let o = beian(&db, "en", &["request", "link", a, c, b, &plan]);
    assert_eq!(o.code, 3, "{}{}", o.stdout, o.stderr);
    assert_eq!(o.stdout.lines().count(), 2, "{}", o.stdout);
    assert!(o.stderr.contains(&format!("beian: {c}: ")), "{}", o.stderr);
    let p = json(&db, &["plan", "show", &plan]);
    assert_eq!(p["requests"], serde_json::json!([a, b]), "{p}");
}
