//! Issue 15 §2, §3, §6 through the real binary on a demo database: a plan
//! rescheduled after its notice, approved again and announced by a corrected
//! notice; the notice as a document (its own fields, its language, a draft
//! edited with a file and with $EDITOR); a cancellation notice; milestones; and
//! every demo notice free of the risk register.

use std::process::Command;

use serde_json::Value;

use super::cli::{Demo, Out};

/// `beian --json plan show ID` as a JSON value.
fn plan(d: &Demo, id: &str) -> Value {
    serde_json::from_str(&d.ok("zhaomin", &["--json", "plan", "show", id])).unwrap()
}

/// The plans of the demo, as `plan list --json` gives them.
fn plans(d: &Demo) -> Vec<Value> {
    let v: Value = serde_json::from_str(&d.ok("zhaomin", &["--json", "plan", "list"])).unwrap();
    v.as_array().unwrap().clone()
}

/// The id of the demo plan whose title contains `title`.
fn plan_titled(d: &Demo, title: &str) -> String {
    plans(d)
        .iter()
        .find(|p| p["title"].as_str().unwrap().contains(title))
        .unwrap_or_else(|| panic!("no demo plan titled {title}"))["id"]
        .as_str()
        .unwrap()
        .to_string()
}

fn status(d: &Demo, id: &str) -> String {
    plan(d, id)["status"].as_str().unwrap().to_string()
}

fn publications(p: &Value) -> Vec<Value> {
    p["publications"].as_array().cloned().unwrap_or_default()
}

/// A maintenance window from 22:00 on the first day at least `after` days
/// from today whose day and the next lie in no blackout period of the demo
/// calendar (any system's), as `YYYY-MM-DD HH:MM` start and end.
fn free_window(d: &Demo, after: i64) -> (String, String) {
    let cal: Value = serde_json::from_str(&d.ok("zhaomin", &["--json", "calendar", "list"])).unwrap();
    let periods: Vec<(chrono::NaiveDate, chrono::NaiveDate)> = cal
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            let day = |k: &str| chrono::NaiveDate::parse_from_str(b[k].as_str().unwrap(), "%Y-%m-%d").unwrap();
            (day("start"), day("end"))
        })
        .collect();
    let today = chrono::Utc::now()
        .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap())
        .date_naive();
    let free = |day: chrono::NaiveDate| !periods.iter().any(|(s, e)| *s <= day && day <= *e);
    let day = (after..after + 200)
        .map(|n| today + chrono::Duration::days(n))
        .find(|day| free(*day) && free(*day + chrono::Duration::days(1)))
        .expect("a free day in the demo calendar");
    (
        format!("{day} 22:00"),
        format!("{} 04:00", day + chrono::Duration::days(1)),
    )
}

/// A reschedule with re-approval and a corrected notice (issue 15, acceptance).
#[test]
fn a_reschedule_with_re_approval_and_a_corrected_notice() {
    let d = Demo::new();
    // The demo's announced plan: 教务 (wanglei wrote it).
    let id = plan_titled(&d, "成绩Excel导入");
    let before = plan(&d, &id);
    assert_eq!(before["status"], "notice_published");
    let old_start = before["window"]["start"].clone();
    let approvals = before["approvals"].as_array().unwrap().len();
    let (start, end) = free_window(&d, 12);

    // No reason, no reschedule; then a new window with its reason.
    let e = d.refused(
        "wanglei",
        &[
            "plan",
            "reschedule",
            &id,
            "--window-start",
            &start,
            "--window-end",
            &end,
            "--reason",
            " ",
        ],
    );
    assert!(e.contains("reason"), "{e}");
    let out = d.ok(
        "wanglei",
        &[
            "plan",
            "reschedule",
            &id,
            "--window-start",
            &start,
            "--window-end",
            &end,
            "--reason",
            "厂商补丁包延期一周",
        ],
    );
    assert!(out.contains("notice published → submitted"), "{out}");

    // A new submission: nothing moves on the old approval and notice.
    let e = d.refused("wanglei", &["plan", "implement", &id]);
    assert!(e.contains("cannot start implementation"), "{e}");
    d.refused("wanglei", &["plan", "approve", &id]);
    let e = d.refused("wanglei", &["plan", "notice", &id]);
    assert!(e.contains("submitted"), "{e}");
    d.ok("zhangwei", &["plan", "approve", &id, "--minutes", "LG-2026-12"]);
    assert_eq!(status(&d, &id), "approved");
    let e = d.refused("wanglei", &["plan", "implement", &id]);
    assert!(e.contains("cannot start implementation"), "{e}");

    // The corrected notice, generated: it says what changed.
    let preview = d.ok("wanglei", &["plan", "notice", &id, "--preview"]);
    assert!(preview.contains("更正"), "{preview}");
    d.ok("wanglei", &["plan", "notice", &id]);
    let p = plan(&d, &id);
    assert_eq!(p["status"], "notice_published");
    let pubs = publications(&p);
    assert_eq!(pubs.len(), 2, "{pubs:?}");
    assert_eq!(
        (pubs[0]["kind"].as_str(), pubs[1]["kind"].as_str()),
        (Some("first"), Some("corrected"))
    );
    assert_eq!(pubs[1]["previous_window"]["start"], old_start);
    assert_eq!(pubs[1]["window"], p["window"]);
    let text = pubs[1]["text"].as_str().unwrap();
    assert!(text.contains("调整为") && text.contains(&start), "{text}");
    // Everything before stays on record: the window, the approvals, the first notice.
    let h = p["window_history"].as_array().unwrap();
    assert_eq!(h.len(), 1);
    assert_eq!(h[0]["from"]["start"], old_start);
    assert_eq!(h[0]["reason"], "厂商补丁包延期一周");
    assert_eq!(p["approvals"].as_array().unwrap().len(), approvals + 1);
    assert_eq!(p["submission"].as_u64(), before["submission"].as_u64().map(|n| n + 1));
    assert_eq!(pubs[0]["text"], publications(&before)[0]["text"]);

    // Shown by plan show, in the audit log; and implementation may start.
    let show = d.run(Some("zhaomin"), "zh-CN", &["plan", "show", &id]).stdout;
    for want in ["窗口变更记录", "更正预告", "厂商补丁包延期一周"] {
        assert!(show.contains(want), "{want} missing from plan show:\n{show}");
    }
    let audit = d.ok("zhaomin", &["audit", "--entity", &id]);
    assert!(
        audit.contains("plan.reschedule") || audit.contains("reschedule a plan"),
        "{audit}"
    );
    d.ok("wanglei", &["plan", "implement", &id]);
    assert_eq!(status(&d, &id), "implementing");
    // Implementing: the window is committed.
    let e = d.refused(
        "wanglei",
        &[
            "plan",
            "reschedule",
            &id,
            "--window-start",
            &start,
            "--window-end",
            &end,
            "--reason",
            "再改",
        ],
    );
    assert!(e.contains("cannot reschedule"), "{e}");
}

/// Every demo plan's notice — each publication, and the text an approved plan
/// would publish — contains no text of its risk register.
#[test]
fn the_notice_of_every_demo_plan_contains_no_text_of_its_risk_register() {
    let d = Demo::new();
    let mut checked = 0;
    let mut kinds = std::collections::BTreeSet::new();
    for summary in plans(&d) {
        let id = summary["id"].as_str().unwrap();
        let p = plan(&d, id);
        let mut texts: Vec<String> = publications(&p)
            .iter()
            .map(|x| {
                kinds.insert(x["kind"].as_str().unwrap().to_string());
                x["text"].as_str().unwrap().to_string()
            })
            .collect();
        if let Some(n) = p["notice"]["text"].as_str() {
            texts.push(n.to_string());
        }
        if p["status"] == "approved" {
            texts.push(d.ok("zhaomin", &["plan", "notice", id, "--preview"]));
        }
        // Each risk's description and mitigation, and each clause of them.
        let mut risky = Vec::new();
        for r in p["risks"].as_array().unwrap() {
            for k in ["description", "mitigation"] {
                let s = r[k].as_str().unwrap();
                risky.push(s.to_string());
                risky.extend(
                    s.split(['；', '，', '。', ';', ',', '、'])
                        .map(str::trim)
                        .filter(|c| c.chars().count() >= 6)
                        .map(String::from),
                );
            }
        }
        for text in &texts {
            for r in &risky {
                assert!(!text.contains(r.as_str()), "{id}: the notice says {r:?}:\n{text}");
            }
            checked += 1;
        }
    }
    assert!(checked >= 15, "only {checked} notices in the demo");
    for kind in ["first", "corrected", "cancellation"] {
        assert!(kinds.contains(kind), "the demo has no {kind} notice: {kinds:?}");
    }
}

/// A notice published by an operator whose locale is English is Chinese when
/// the plan's notice language is zh-CN (and English when it is en).
#[test]
fn a_notice_published_by_an_operator_whose_locale_is_english_is_chinese() {
    let d = Demo::new();
    let id = plan_titled(&d, "国密算法改造");
    assert_eq!(status(&d, &id), "approved");
    // chenjing works in English, the C locale, no BEIAN_LANG.
    let o = run_env(&d, "chenjing", &["plan", "notice", &id], &[("LANG", "C.UTF-8")], None);
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    assert!(o.stdout.starts_with("ok "), "the operator reads English: {}", o.stdout);
    let p = plan(&d, &id);
    let pubs = publications(&p);
    let first = pubs.last().unwrap();
    assert_eq!(first["language"], "zh-CN");
    let text = first["text"].as_str().unwrap();
    assert!(text.starts_with("更新预告："), "{text}");
    assert!(text.contains("信息化管理中心将于"), "{text}");
    assert!(
        !text.contains("Update notice") && !text.contains("Questions:"),
        "{text}"
    );
    // The export is in the notice's language too.
    let md = d.run(Some("chenjing"), "en", &["export", "notice", &id, "--format", "md"]);
    assert_eq!(md.code, 0, "{}", md.stderr);
    assert!(md.stdout.contains("预计影响"), "{}", md.stdout);

    // And the other way round: an English notice published in a Chinese session.
    let id = plan_titled(&d, "差旅费标准自动计算");
    d.ok(
        "liuyang",
        &[
            "plan",
            "notice",
            "draft",
            &id,
            "--language",
            "en",
            "--impact",
            "Online reimbursement is closed during the window.",
        ],
    );
    let o = d.run(Some("liuyang"), "zh-CN", &["plan", "notice", &id]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stdout.starts_with("完成"), "{}", o.stdout);
    let text = publications(&plan(&d, &id)).last().unwrap()["text"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(text.starts_with("Update notice: "), "{text}");
    assert!(
        text.contains("Expected impact: Online reimbursement is closed"),
        "{text}"
    );
}

/// `beian [--as WHO] ARGS` with extra environment (and a clean locale).
fn run_env(d: &Demo, who: &str, args: &[&str], env: &[(&str, &str)], lang: Option<&str>) -> Out {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_beian"));
    cmd.env("BEIAN_NO_SERVER", "1");
    cmd.args(["--as", who])
        .args(args)
        .env("BEIAN_DB", &d.db)
        .env_remove("BEIAN_SOCKET")
        .env_remove("XDG_RUNTIME_DIR")
        .env_remove("BEIAN_LANG")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("TZ", "Asia/Shanghai");
    if let Some(l) = lang {
        cmd.env("BEIAN_LANG", l);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    let o = Out {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert!(!o.stderr.contains("panicked"), "{args:?}: {}", o.stderr);
    o
}

/// The notice is a document: its fields, a draft from a file and from
/// $EDITOR, published as edited; a stale draft is refused after a reschedule;
/// cancelling an announced plan publishes a cancellation notice.
#[test]
fn the_notice_is_edited_before_publishing_and_cancelled_with_the_plan() {
    let d = Demo::new();
    let id = plan_titled(&d, "国密算法改造");
    d.ok(
        "chenjing",
        &[
            "plan",
            "notice",
            "draft",
            &id,
            "--services",
            "统一身份认证、各业务系统单点登录",
            "--students",
            "维护窗口避开考试；受影响的在线测验由任课教师另行安排",
        ],
    );
    let shown = d.ok("chenjing", &["plan", "notice", "draft", &id]);
    assert!(shown.contains("generated from the plan"), "{shown}");
    assert!(shown.contains("统一身份认证、各业务系统单点登录"), "{shown}");
    assert!(shown.contains("学生安排与补偿：维护窗口避开考试"), "{shown}");

    // A draft from a file, then edited in $EDITOR (here a sed script).
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("notice.txt");
    std::fs::write(&file, "更新预告：统一身份认证平台升级\n\n请提前完成需要登录的事务。\n").unwrap();
    d.ok(
        "chenjing",
        &["plan", "notice", "draft", &id, "--text-file", file.to_str().unwrap()],
    );
    let o = run_env(
        &d,
        "chenjing",
        &["plan", "notice", "draft", &id, "--edit"],
        &[("EDITOR", "sed -i s/请提前/请务必提前/"), ("VISUAL", "")],
        Some("en"),
    );
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    let p = plan(&d, &id);
    assert_eq!(
        p["notice_draft"]["text"].as_str().unwrap().trim_end(),
        "更新预告：统一身份认证平台升级\n\n请务必提前完成需要登录的事务。"
    );
    // An editor that fails saves nothing.
    let o = run_env(
        &d,
        "chenjing",
        &["plan", "notice", "draft", &id, "--edit"],
        &[("EDITOR", "false"), ("VISUAL", "")],
        Some("en"),
    );
    assert_ne!(o.code, 0);
    assert!(o.stderr.contains("--edit"), "{}", o.stderr);
    assert_eq!(plan(&d, &id)["meta"]["rev"], p["meta"]["rev"], "nothing written");

    d.ok("chenjing", &["plan", "notice", &id]);
    let pubs = publications(&plan(&d, &id));
    assert_eq!(
        pubs[0]["text"].as_str().unwrap(),
        "更新预告：统一身份认证平台升级\n\n请务必提前完成需要登录的事务。"
    );
    let e = d.refused("chenjing", &["plan", "notice", "draft", &id, "--contact", "88002"]);
    assert!(e.contains("cannot edit the notice"), "{e}");

    // Cancelled after its notice: the cancellation notice, in the same step.
    d.ok("chenjing", &["plan", "cancel", &id, "--reason", "与信创改造合并实施"]);
    let p = plan(&d, &id);
    let pubs = publications(&p);
    assert_eq!(pubs.len(), 2);
    assert_eq!(pubs[1]["kind"], "cancellation");
    assert_eq!(pubs[1]["audience"], pubs[0]["audience"]);
    let text = pubs[1]["text"].as_str().unwrap();
    assert!(text.contains("取消") && text.contains("照常运行"), "{text}");
    assert!(!text.contains("信创"), "the internal reason stays internal: {text}");
}

/// The schedule's milestones: the go-live time is fixed only when the plan is
/// ready, inside its window; planned training shows in the notice.
#[test]
fn milestones_are_set_when_they_may_be() {
    let d = Demo::new();
    let ready = plan_titled(&d, "学位论文送审");
    let p = plan(&d, &ready);
    assert_eq!(p["status"], "ready");
    assert!(p["milestones"]["golive"]["time"].is_string(), "the demo fixed it: {p}");
    let testing = plans(&d).into_iter().find(|x| x["status"] == "testing").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let e = d.refused(
        "wanglei",
        &["plan", "milestone", &testing, "--golive", "2030-01-01 22:00"],
    );
    assert!(e.contains("fix the go-live time"), "{e}");
    let e = d.refused(
        "wanglei",
        &["plan", "milestone", &ready, "--golive", "2030-01-01 22:00"],
    );
    assert!(e.contains("outside the approved window"), "{e}");
    let e = d.refused("wanglei", &["plan", "milestone", &ready]);
    assert!(e.contains("--test-start"), "{e}");

    let approved = plan_titled(&d, "国密算法改造");
    let day = chrono::Utc::now().date_naive() + chrono::Duration::days(30);
    d.ok(
        "chenjing",
        &[
            "plan",
            "milestone",
            &approved,
            "--training",
            &day.to_string(),
            "--training-format",
            "online_video",
            "--training-place",
            "信息化管理中心网站",
            "--training-audience",
            "全校师生",
        ],
    );
    let preview = d.ok("chenjing", &["plan", "notice", &approved, "--preview"]);
    assert!(
        preview.contains("培训安排") && preview.contains(&day.to_string()),
        "{preview}"
    );
}
