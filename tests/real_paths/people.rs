//! Issue 18 §3: names in the records linked to the register. On the demo
//! semester every contribution row is one person; a name two people of the
//! register carry is listed by `beian people resolve`, never guessed, counted
//! as written until an operator says who it is; team awards.

use super::cli::Demo;
use serde_json::Value;

fn json(s: &str) -> Value {
    serde_json::from_str(s).unwrap_or_else(|e| panic!("{e}: {s}"))
}

fn contributions(d: &Demo) -> Value {
    json(&d.ok(
        "huangli",
        &["--json", "contributions", "--from", "2020-01-01", "--to", "2030-12-31"],
    ))
}

/// The rows of `name` that are the register's people or ambiguous: a
/// submitter of the same name in another department (the demo's random
/// names) is someone else, on a row of their own.
fn rows_named<'a>(c: &'a Value, name: &str) -> Vec<&'a Value> {
    c["people"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["name"] == name && (p["person"].is_string() || p["ambiguous"] == true))
        .collect()
}

#[test]
fn a_name_two_people_carry_is_listed_never_guessed_until_resolved() {
    let d = Demo::new();
    // The demo resolved the trainer 陈静 to the IMC's 陈静 (PER-0003); the
    // library's 陈静 is a namesake in the register.
    let c = contributions(&d);
    let chen = rows_named(&c, "陈静");
    assert_eq!(chen.len(), 1, "{chen:#?}");
    assert_eq!(chen[0]["person"], "PER-0003");
    let trainings = chen[0]["trainings"].as_u64().unwrap();
    assert!(trainings >= 1);
    let open = json(&d.ok("huangli", &["--json", "people", "resolve"]));
    assert!(open.as_array().unwrap().iter().all(|u| u["text"] != "陈静"), "{open:#}");
    let shown = d.ok("huangli", &["people", "resolve", "陈静"]);
    assert!(shown.contains("PER-0003"), "{shown}");

    // Forget the resolution: a bare 陈静 is now ambiguous and listed with both
    // candidates; the contributions count it apart, flagged, and say so.
    d.ok("wanglei", &["people", "resolve", "陈静", "--clear"]);
    let open = json(&d.ok("huangli", &["--json", "people", "resolve"]));
    let u = open
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["text"] == "陈静")
        .unwrap_or_else(|| panic!("陈静 not listed: {open:#}"));
    let candidates: Vec<&str> = u["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(candidates.len(), 2, "{u}");
    assert!(candidates.contains(&"PER-0003"), "{u}");
    assert!(u["parts"].as_array().unwrap().iter().any(|p| p == "trainer"), "{u}");
    // The ambiguous names come first in the table, in both languages.
    let table = d.ok("huangli", &["people", "resolve"]);
    assert!(table.lines().nth(1).unwrap().starts_with("陈静"), "{table}");
    assert!(table.contains("PER-0003"), "{table}");
    let zh = d.run(Some("huangli"), "zh-CN", &["people", "resolve"]);
    assert!(
        zh.stdout.contains("可能是") && zh.stdout.contains("培训主讲"),
        "{}",
        zh.stdout
    );
    let c = contributions(&d);
    let chen = rows_named(&c, "陈静");
    assert_eq!(chen.len(), 2, "{chen:#?}");
    assert!(chen.iter().any(|r| r["ambiguous"] == true && r["person"].is_null()));
    assert!(c["unresolved"].as_u64().unwrap() >= 1);
    let md = d.ok(
        "huangli",
        &["contributions", "--from", "2020-01-01", "--to", "2030-12-31"],
    );
    assert!(md.contains("beian people resolve") && md.contains("ambiguous"), "{md}");

    // Refused: a viewer; an id that is no register record; a name already
    // resolved elsewhere; clearing a name nobody resolved.
    let e = d.refused("huangli", &["people", "resolve", "陈静", "--is", "PER-0003"]);
    assert!(!e.is_empty());
    let e = d.refused("wanglei", &["people", "resolve", "陈静", "--is", "PLAN-2026-0001"]);
    assert!(e.contains("--is") && e.contains("PLAN-2026-0001"), "{e}");
    let e = d.refused("wanglei", &["people", "resolve", "陈静", "--clear"]);
    assert!(e.contains("陈静"), "{e}");

    // Resolve it again: one row, the trainings back on PER-0003.
    d.ok("wanglei", &["people", "resolve", "陈静", "--is", "PER-0003"]);
    let e = d.refused("wanglei", &["people", "resolve", "陈静", "--is", "PER-0001"]);
    assert!(e.contains("PER-0003"), "{e}");
    let c = contributions(&d);
    let chen = rows_named(&c, "陈静");
    assert_eq!(chen.len(), 1, "{chen:#?}");
    assert_eq!(chen[0]["trainings"].as_u64().unwrap(), trainings);
    let person = d.ok("huangli", &["register", "person", "show", "PER-0003"]);
    assert!(person.contains("陈静"), "{person}");

    // The resolution is audited, by its label.
    let audit = d.ok("zhaomin", &["audit", "--entity", "PER-0003"]);
    assert!(audit.contains("resolve a name to the register"), "{audit}");
}

#[test]
fn a_name_added_to_the_register_later_links_every_record_that_writes_it() {
    let d = Demo::new();
    let open = json(&d.ok("huangli", &["--json", "people", "resolve"]));
    let u = open
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["parts"].as_array().unwrap().iter().any(|p| p == "finder"))
        .unwrap_or_else(|| panic!("no defect finder to resolve: {open:#}"))
        .clone();
    let text = u["text"].as_str().unwrap().to_string();
    let (name, dept) = text.trim_end_matches('）').split_once('（').unwrap();
    d.ok(
        "wanglei",
        &["register", "person", "add", "--name", name, "--department", dept],
    );
    let open = json(&d.ok("huangli", &["--json", "people", "resolve"]));
    assert!(open.as_array().unwrap().iter().all(|x| x["text"] != text.as_str()));
    let c = contributions(&d);
    let rows = rows_named(&c, name);
    assert_eq!(rows.len(), 1, "{rows:#?}");
    assert!(rows[0]["person"].as_str().unwrap().starts_with("PER-"));
    assert!(rows[0]["defect_score"].as_f64().unwrap() > 0.0);
}

#[test]
fn a_team_award_reaches_the_staff_of_its_plan() {
    let d = Demo::new();
    let plan = "PLAN-2026-0002";
    let staff: Vec<String> = json(&d.ok("huangli", &["--json", "plan", "show", plan]))["staff"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["person"].as_str().unwrap().to_string())
        .collect();
    assert!(staff.len() >= 2, "{staff:?}");
    let e = d.refused(
        "zhaomin",
        &[
            "recognition",
            "add",
            "--kind",
            "penalty",
            "--team",
            "某项目组",
            "--member",
            "王磊",
            "--reason",
            "x",
        ],
    );
    assert!(e.contains("team"), "{e}");
    let e = d.refused(
        "zhaomin",
        &[
            "recognition",
            "add",
            "--kind",
            "award",
            "--team",
            "某项目组",
            "--reason",
            "x",
        ],
    );
    assert!(e.contains("--member"), "{e}");
    d.ok(
        "zhaomin",
        &[
            "recognition",
            "add",
            "--kind",
            "award",
            "--team",
            "统一身份认证升级项目组",
            "--related",
            plan,
            "--reason",
            "按期上线",
        ],
    );
    let list = json(&d.ok("huangli", &["--json", "recognition", "list"]));
    let team = list
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["recipient"]["team"].as_object().cloned())
        .find(|t| t["name"] == "统一身份认证升级项目组")
        .unwrap();
    let members: Vec<&str> = team["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap())
        .collect();
    assert_eq!(members, staff.iter().map(String::as_str).collect::<Vec<_>>());
    let shown = d.ok("huangli", &["recognition", "list"]);
    assert!(shown.contains("统一身份认证升级项目组"), "{shown}");
}
