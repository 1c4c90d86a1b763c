//! Issue 18 §4–5 through the real binary on a demo database: the forward
//! schedule shows the demo's upcoming windows and the conflict it contains,
//! systems declare their dependencies by an audited edit, `plan new` warns of
//! a second open plan for the same version, `plan list --from --to` filters by
//! window, and training records whom it was for.

use chrono::{Datelike, Duration, NaiveDate};
use serde_json::Value;

use super::cli::Demo;

/// Today where the binary runs (`TZ=Asia/Shanghai`, UTC+8 all year).
fn today() -> NaiveDate {
    (chrono::Utc::now() + Duration::hours(8)).date_naive()
}

fn json(s: &str) -> Value {
    serde_json::from_str(s).unwrap_or_else(|e| panic!("{e}: {s}"))
}

/// The open plans (not live, filed, cancelled or failed) with a window, as `plan list` gives them.
fn open_plans(d: &Demo) -> Vec<Value> {
    json(&d.ok("wanglei", &["--json", "plan", "list"]))
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| !["live", "filed", "cancelled", "failed"].contains(&p["status"].as_str().unwrap()))
        .filter(|p| !p["window"].is_null())
        .cloned()
        .collect()
}

fn local_day(t: &Value) -> NaiveDate {
    let t: chrono::DateTime<chrono::Utc> = t.as_str().unwrap().parse().unwrap();
    (t + Duration::hours(8)).date_naive()
}

#[test]
fn the_schedule_shows_the_demos_windows_and_its_conflict() {
    let d = Demo::new();
    let s = json(&d.ok("wanglei", &["--json", "schedule", "--weeks", "6"]));
    let monday = today() - Duration::days(today().weekday().num_days_from_monday() as i64);
    assert_eq!(s["from"], monday.to_string());
    assert_eq!(s["to"], (monday + Duration::days(41)).to_string());
    assert_eq!(s["weeks"].as_array().unwrap().len(), 6);
    // Every open plan whose window starts in the six weeks is on it, in its week.
    let shown: Vec<(String, String)> = s["weeks"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|w| {
            let monday = w["monday"].as_str().unwrap().to_string();
            w["slots"]
                .as_array()
                .unwrap()
                .iter()
                .map(move |x| (x["plan"].as_str().unwrap().to_string(), monday.clone()))
        })
        .collect();
    let mut expected = Vec::new();
    for p in open_plans(&d) {
        let day = local_day(&p["window"]["start"]);
        if day >= monday && day < monday + Duration::days(42) {
            let week = day - Duration::days(day.weekday().num_days_from_monday() as i64);
            expected.push((p["id"].as_str().unwrap().to_string(), week.to_string()));
        }
    }
    expected.sort();
    let mut got = shown.clone();
    got.sort();
    assert_eq!(got, expected);
    assert!(shown.len() >= 4, "{shown:?}");
    // The demo's conflict: the OA plan and the HR plan on the same night, and OA depends on HR.
    let conflicts = s["conflicts"].as_array().unwrap();
    let plans = open_plans(&d);
    let id_of = |title: &str| {
        plans
            .iter()
            .find(|p| p["title"].as_str().unwrap().contains(title))
            .map(|p| p["id"].as_str().unwrap().to_string())
            .unwrap()
    };
    let (oa, hr) = (id_of("企业微信移动办公"), id_of("年度考核线上化"));
    assert!(
        conflicts
            .iter()
            .any(|c| c["kind"] == "dependency" && c["plan"] == oa.as_str() && c["other"] == hr.as_str()),
        "{conflicts:?}"
    );
    // The text, in Chinese: the week, the marked windows, the conflict in words.
    let o = d.run(Some("wanglei"), "zh-CN", &["schedule"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(
        o.stdout.contains("维护窗口排期") && o.stdout.contains("依赖系统"),
        "{}",
        o.stdout
    );
    let marked = o.stdout.lines().filter(|l| l.starts_with('!')).count();
    assert!(marked >= 2, "{}", o.stdout);
    assert!(
        o.stdout.contains(&format!(
            "{oa} 更新 办公自动化系统 的同时，{hr} 在更新其依赖的 人事管理系统"
        )),
        "{}",
        o.stdout
    );
    // Bad input names the option.
    let e = d.refused("wanglei", &["schedule", "--weeks", "0"]);
    assert!(e.contains("--weeks"), "{e}");
}

#[test]
fn dependencies_are_an_audited_edit_shown_by_system_show() {
    let d = Demo::new();
    let show = d.ok("wanglei", &["system", "show", "办公自动化系统"]);
    assert!(
        show.contains("统一身份认证平台") && show.contains("人事管理系统"),
        "{show}"
    );
    let auth = d.ok("wanglei", &["system", "show", "统一身份认证平台"]);
    assert!(
        auth.contains("Depended on by") && auth.contains("办公自动化系统"),
        "{auth}"
    );
    // Only an admin edits a system.
    d.refused(
        "wanglei",
        &["system", "edit", "校园网门户", "--depends-on", "办公自动化系统"],
    );
    let before = d.ok("zhaomin", &["--json", "system", "show", "校园网门户"]);
    // The admin (you) sets the list; the audit log keeps the old and new values.
    let out = d.run(
        None,
        "en",
        &[
            "system",
            "edit",
            "校园网门户",
            "--depends-on",
            "统一身份认证平台",
            "办公自动化系统",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let portal = json(&d.ok("zhaomin", &["--json", "system", "show", "校园网门户"]));
    let id = portal["system"]["id"].as_str().unwrap().to_string();
    assert_eq!(portal["system"]["depends_on"].as_array().unwrap().len(), 2);
    let audit = d.ok("zhaomin", &["--json", "audit", "--entity", &id]);
    assert!(audit.contains("depends_on"), "{audit}");
    // A cycle and the system itself are refused, naming them; nothing changes.
    let e = d.run(
        None,
        "en",
        &["system", "edit", "办公自动化系统", "--depends-on", "校园网门户"],
    );
    assert_ne!(e.code, 0);
    assert!(
        e.stderr.contains("cycle") && e.stderr.contains("校园网门户"),
        "{}",
        e.stderr
    );
    let e = d.run(
        None,
        "en",
        &["system", "edit", "校园网门户", "--depends-on", "校园网门户"],
    );
    assert_ne!(e.code, 0);
    assert!(e.stderr.contains("itself"), "{}", e.stderr);
    let e = d.run(
        None,
        "en",
        &["system", "edit", "校园网门户", "--depends-on", "无此系统"],
    );
    assert_ne!(e.code, 0);
    assert!(e.stderr.contains("无此系统"), "{}", e.stderr);
    let after = json(&d.ok("zhaomin", &["--json", "system", "show", "校园网门户"]));
    assert_eq!(after, portal);
    assert_ne!(json(&before), portal);
    // No names: the list is cleared.
    let out = d.run(None, "en", &["system", "edit", "校园网门户", "--depends-on"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let cleared = json(&d.ok("zhaomin", &["--json", "system", "show", "校园网门户"]));
    assert!(cleared["system"]["depends_on"].is_null(), "{cleared}");
}

#[test]
fn plan_new_warns_of_a_second_plan_for_the_same_version() {
    let d = Demo::new();
    let o = d.run(
        Some("wanglei"),
        "en",
        &[
            "plan",
            "new",
            "--system",
            "办公自动化系统",
            "--title",
            "企业微信再次对接",
            "--to",
            "A8+ V8.2",
        ],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    let oa = open_plans(&d)
        .into_iter()
        .find(|p| p["title"].as_str().unwrap().contains("企业微信移动办公"))
        .unwrap();
    assert!(
        o.stderr.contains("warning") && o.stderr.contains(oa["id"].as_str().unwrap()) && o.stderr.contains("A8+ V8.1"),
        "{}",
        o.stderr
    );
    // A new version: no warning.
    let o = d.run(
        Some("wanglei"),
        "en",
        &[
            "plan",
            "new",
            "--system",
            "办公自动化系统",
            "--title",
            "下一版",
            "--to",
            "A8+ V9.0",
        ],
    );
    assert_eq!(o.code, 0);
    assert!(!o.stderr.contains("warning"), "{}", o.stderr);
}

#[test]
fn plan_list_filters_by_window() {
    let d = Demo::new();
    let all = json(&d.ok("wanglei", &["--json", "plan", "list"]));
    let (from, to) = (today() + Duration::days(3), today() + Duration::days(20));
    let (f, t) = (from.to_string(), to.to_string());
    let got = json(&d.ok("wanglei", &["--json", "plan", "list", "--from", &f, "--to", &t]));
    let mut want: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| !p["window"].is_null())
        .filter(|p| local_day(&p["window"]["end"]) >= from && local_day(&p["window"]["start"]) <= to)
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    let mut have: Vec<&str> = got
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    want.sort();
    have.sort();
    assert_eq!(have, want);
    assert!(!have.is_empty() && have.len() < all.as_array().unwrap().len());
    let e = d.refused("wanglei", &["plan", "list", "--from", &t, "--to", &f]);
    assert!(e.contains("--to"), "{e}");
}

#[test]
fn training_records_its_audience_and_the_report_counts_coverage() {
    let d = Demo::new();
    let live = json(&d.ok("wanglei", &["--json", "plan", "list", "--status", "live"]));
    let plan = live.as_array().unwrap()[0]["id"].as_str().unwrap().to_string();
    let day = today().to_string();
    let e = d.refused(
        "wanglei",
        &[
            "training",
            &plan,
            "--format",
            "classroom",
            "--date",
            &day,
            "--trainer",
            "王磊",
            "--audience",
            "教务处120",
        ],
    );
    assert!(e.contains("--audience") && e.contains("教务处120"), "{e}");
    let e = d.refused(
        "wanglei",
        &[
            "training",
            &plan,
            "--format",
            "classroom",
            "--date",
            &day,
            "--trainer",
            "王磊",
            "--audience",
            "教务处=10/8",
            "--audience",
            "教务处=5/5",
        ],
    );
    assert!(e.contains("教务处"), "{e}");
    d.ok(
        "wanglei",
        &[
            "training",
            &plan,
            "--format",
            "classroom",
            "--date",
            &day,
            "--trainer",
            "王磊",
            "--department",
            "测试学院",
            "--attendance",
            "9",
            "--audience",
            "测试学院=12/9",
        ],
    );
    let csv = d.ok(
        "wanglei",
        &[
            "report",
            "--from",
            &day,
            "--to",
            &day,
            "--format",
            "csv",
            "--table",
            "training_coverage",
        ],
    );
    assert!(csv.contains("测试学院,1,12,9,75.0%"), "{csv}");
    let md = d.ok(
        "wanglei",
        &["report", "--from", "2026-01-01", "--to", &day, "--table", "effect"],
    );
    assert!(md.contains("All systems") && md.contains('%'), "{md}");
}
