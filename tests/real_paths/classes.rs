//! Issue 15 §1, change classes, through the real binary on a demo database:
//! an emergency security patch with a shortened notice, a standard change from
//! a template, and a major change needing two approvers. The operators write
//! (wanglei), the Leading Group decides (zhangwei, liqiang), as `--as` makes
//! them; each refusal is checked for its message and for changing nothing.

use chrono::{Duration, NaiveDate};

use super::cli::Demo;

/// Today where the binary runs (`TZ=Asia/Shanghai`, UTC+8 all year).
fn today() -> NaiveDate {
    (chrono::Utc::now() + Duration::hours(8)).date_naive()
}

/// `YYYY-MM-DD HH:MM` of `day` at `hour`.
fn time(day: NaiveDate, hour: u32) -> String {
    format!("{day} {hour:02}:00")
}

/// The blackout periods of the demo calendar: (name, first day, last day, hard).
fn calendar(d: &Demo) -> Vec<(String, NaiveDate, NaiveDate, bool)> {
    let json: serde_json::Value = serde_json::from_str(&d.ok("wanglei", &["--json", "calendar", "list"])).unwrap();
    json.as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let day = |k: &str| p[k].as_str().unwrap().parse::<NaiveDate>().unwrap();
            (
                p["name"].as_str().unwrap().to_string(),
                day("start"),
                day("end"),
                p["hard"].as_bool().unwrap_or(false),
            )
        })
        .collect()
}

/// The first day from `from` on such that it and the next day are in no period.
fn clear_day(d: &Demo, from: NaiveDate) -> NaiveDate {
    let cal = calendar(d);
    let free = |x: NaiveDate| !cal.iter().any(|(_, s, e, _)| *s <= x && x <= *e);
    let mut day = from;
    while !(free(day) && free(day + Duration::days(1))) {
        day += Duration::days(1);
    }
    day
}

/// The plan id an `ok PLAN-… (rev 1): …` line names.
fn created(out: &str) -> String {
    out.split_whitespace()
        .find(|w| w.starts_with("PLAN-") || w.starts_with("TPL-"))
        .unwrap_or_else(|| panic!("no id in {out}"))
        .to_string()
}

/// A plan of `class` for the teaching system, written up to the submit gate
/// with its window from `start` (22:00) to the next day 02:00.
fn written(d: &Demo, class: &str, title: &str, start: NaiveDate) -> String {
    let id = created(&d.ok(
        "wanglei",
        &[
            "plan",
            "new",
            "--system",
            "教务管理系统",
            "--title",
            title,
            "--to",
            "V9.2.1",
            "--class",
            class,
        ],
    ));
    d.ok(
        "wanglei",
        &[
            "plan",
            "edit",
            &id,
            "--goals",
            "修复高危漏洞",
            "--content",
            "安装安全补丁",
            "--approach",
            "停机安装补丁后验证",
            "--backup-plan",
            "全量备份数据库",
            "--migrates-data",
            "no",
            "--rollback-plan",
            "恢复备份",
            "--window-start",
            &time(start, 22),
            "--window-end",
            &time(start + Duration::days(1), 2),
        ],
    );
    d.ok(
        "wanglei",
        &["plan", "staff", "add", &id, "--person", "王磊", "--role", "项目负责人"],
    );
    d.ok(
        "wanglei",
        &[
            "plan",
            "risk",
            "add",
            &id,
            "--description",
            "补丁导致登录异常",
            "--mitigation",
            "回退补丁",
        ],
    );
    id
}

fn status(d: &Demo, id: &str) -> String {
    let json: serde_json::Value = serde_json::from_str(&d.ok("wanglei", &["--json", "plan", "show", id])).unwrap();
    json["status"].as_str().unwrap().to_string()
}

/// An emergency security patch: its notice may be published the day before
/// the window (a normal change needs three days), it needs its justification,
/// one approver, and it is listed for the supervision group.
#[test]
fn an_emergency_security_patch_with_a_shortened_notice() {
    let d = Demo::new();
    let today = today();
    let tomorrow = clear_day(&d, today + Duration::days(1));
    assert!(
        tomorrow < today + Duration::days(3),
        "a clear day within the normal notice period"
    );
    let id = written(&d, "emergency", "教务管理系统紧急安全补丁", tomorrow);

    // Without its justification the submit gate names the field.
    let e = d.refused("wanglei", &["plan", "submit", &id]);
    assert!(e.contains("emergency justification"), "{e}");
    assert_eq!(status(&d, &id), "draft", "a refusal changes nothing");
    d.ok(
        "wanglei",
        &[
            "plan",
            "edit",
            &id,
            "--emergency-reason",
            "厂商通报高危远程代码执行漏洞，已有在野利用，不能等待三天预告期",
        ],
    );
    d.ok("wanglei", &["plan", "submit", &id]);
    // One approver is the emergency quorum.
    let out = d.ok("zhangwei", &["plan", "approve", &id, "--minutes", "LG-紧急-1"]);
    assert!(out.contains("submitted → approved"), "{out}");
    // The notice goes out the day before the window: as soon as possible.
    let out = d.ok("wanglei", &["plan", "notice", &id]);
    assert!(out.contains("approved → notice published"), "{out}");

    // A normal change with the same window may not publish its notice so late.
    let normal = written(&d, "normal", "教务管理系统补丁（一般变更）", tomorrow);
    d.ok("wanglei", &["plan", "submit", &normal]);
    d.ok("zhangwei", &["plan", "approve", &normal, "--minutes", "LG-2"]);
    let e = d.refused("wanglei", &["plan", "notice", &normal]);
    assert!(e.contains("less than 3 days"), "{e}");
    assert_eq!(status(&d, &normal), "approved");

    // Listed for the supervision group: the emergency changes, this one among them.
    let list = d.ok("zhaomin", &["plan", "list", "--class", "emergency"]);
    assert!(list.contains(&id) && !list.contains(&normal), "{list}");
    assert!(list.contains("emergency change"), "{list}");
    let show = d.ok("zhaomin", &["plan", "show", &id]);
    assert!(show.contains("emergency change") && show.contains("在野利用"), "{show}");
    // The demo's own emergency patch went live.
    let json: serde_json::Value =
        serde_json::from_str(&d.ok("zhaomin", &["--json", "plan", "list", "--class", "emergency"])).unwrap();
    let live = json
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["status"] == "live")
        .unwrap_or_else(|| panic!("a live emergency change: {json}"))
        .clone();
    // Its review is due within the class's 5 days of its go-live …
    let patch = live["id"].as_str().unwrap();
    let p: serde_json::Value = serde_json::from_str(&d.ok("zhaomin", &["--json", "plan", "show", patch])).unwrap();
    let went_live = p["golives"].as_array().unwrap().last().unwrap()["time"]
        .as_str()
        .unwrap()
        .to_string();
    let went_live = chrono::DateTime::parse_from_rfc3339(&went_live).unwrap();
    let show = d.ok("zhaomin", &["plan", "show", patch]);
    let due = show
        .lines()
        .find(|l| l.starts_with("Post-implementation review"))
        .and_then(|l| l.split("due by ").nth(1))
        .unwrap_or_else(|| panic!("the review is due: {show}"));
    let due = chrono::NaiveDateTime::parse_from_str(due.trim(), "%Y-%m-%d %H:%M").unwrap();
    // The binary runs at Asia/Shanghai (`Demo::run`): +08:00.
    let east8 = chrono::FixedOffset::east_opt(8 * 3600).unwrap();
    let hours = (due - went_live.with_timezone(&east8).naive_local()).num_hours();
    assert!(
        (0..=5 * 24).contains(&hours),
        "due {due}, {hours} h after the go-live at {went_live}"
    );
    // … and done by the operator on duty.
    let goals = super::after_golive::verdicts(super::after_golive::goal_count(&p));
    d.ok(
        "wanglei",
        &super::after_golive::review_args(patch, &goals, "补丁生效，漏洞扫描复测通过"),
    );
    let show = d.ok("zhaomin", &["plan", "show", patch]);
    assert!(show.contains("done by wanglei"), "{show}");
    // In the audit chain, in Chinese too.
    let audit = d.run(Some("zhaomin"), "zh-CN", &["audit", "--entity", &id]);
    assert_eq!(audit.code, 0, "{}", audit.stderr);
    assert!(audit.stdout.contains("紧急理由"), "{}", audit.stdout);
}

/// A standard change: a template written by an operator and approved once by
/// someone else; a plan from it is approved when submitted, keeps the notice
/// and the tests, and cannot change the template's scope.
#[test]
fn a_standard_change_from_a_template() {
    let d = Demo::new();
    // Written by the user running the test (operator and approver in the demo).
    let me = |args: &[&str]| {
        let o = d.run(None, "en", args);
        (o.code, o.stdout + &o.stderr)
    };
    let (code, out) = me(&[
        "template",
        "new",
        "--system",
        "教务管理系统",
        "--title",
        "教务管理系统季度补丁",
        "--content",
        "安装厂商季度累积补丁",
        "--approach",
        "停机、备份、安装补丁、验证",
    ]);
    assert_eq!(code, 0, "{out}");
    let tpl = created(&out);
    for (desc, expected) in [("选课与退课", "操作成功"), ("成绩录入与保存", "保存成功")] {
        d.ok(
            "wanglei",
            &[
                "template",
                "item",
                "add",
                &tpl,
                "--description",
                desc,
                "--expected",
                expected,
            ],
        );
    }
    // No plan from a template that is not approved.
    let e = d.refused(
        "wanglei",
        &["plan", "new", "--template", &tpl, "--title", "x", "--to", "V9.2.1"],
    );
    assert!(e.contains("only an approved template"), "{e}");
    let (code, out) = me(&["template", "submit", &tpl]);
    assert_eq!(code, 0, "{out}");
    // Who wrote it does not approve it, although an approver; one who did not does.
    let (code, e) = me(&["template", "approve", &tpl]);
    assert_eq!(code, 3, "{e}");
    assert!(e.contains("contributed to") && e.contains(&tpl), "{e}");
    let e = d.refused("wanglei", &["template", "approve", &tpl]);
    assert!(e.contains("may not"), "{e}");
    let out = d.ok("zhangwei", &["template", "approve", &tpl, "--minutes", "LG-T1"]);
    assert!(out.contains("submitted → approved"), "{out}");
    let expires = (today() + chrono::Months::new(12)).to_string();
    assert!(out.contains(&expires), "valid 12 months: {out}");

    let start = clear_day(&d, today() + Duration::days(4));
    let id = created(&d.ok(
        "wanglei",
        &[
            "plan",
            "new",
            "--template",
            &tpl,
            "--title",
            "教务管理系统季度补丁（12月）",
            "--to",
            "V9.2.1",
        ],
    ));
    let json: serde_json::Value = serde_json::from_str(&d.ok("wanglei", &["--json", "plan", "show", &id])).unwrap();
    assert_eq!(json["class"], "standard");
    assert_eq!(json["content"], "安装厂商季度累积补丁", "the template's scope");
    // The scope cannot change: the field is named.
    let e = d.refused("wanglei", &["plan", "edit", &id, "--approach", "不停机直接安装"]);
    assert!(e.contains("its approach is the template's"), "{e}");
    let e = d.refused("wanglei", &["plan", "edit", &id, "--class", "normal"]);
    assert!(e.contains("stays one"), "{e}");
    let id2 = written(&d, "normal", "对照：一般变更", start);
    let e = d.refused("wanglei", &["plan", "edit", &id2, "--class", "standard"]);
    assert!(e.contains("created from an approved template"), "{e}");
    // The rest is written as for any plan.
    d.ok(
        "wanglei",
        &[
            "plan",
            "edit",
            &id,
            "--goals",
            "修复季度补丁所列问题",
            "--backup-plan",
            "全量备份数据库",
            "--migrates-data",
            "no",
            "--rollback-plan",
            "恢复备份",
            "--window-start",
            &time(start, 22),
            "--window-end",
            &time(start + Duration::days(1), 2),
        ],
    );
    d.ok(
        "wanglei",
        &["plan", "staff", "add", &id, "--person", "王磊", "--role", "项目负责人"],
    );
    d.ok(
        "wanglei",
        &[
            "plan",
            "risk",
            "add",
            &id,
            "--description",
            "补丁失败",
            "--mitigation",
            "回退",
        ],
    );
    // Submitted: approved by the template's approval, recorded as such.
    let out = d.ok("wanglei", &["plan", "submit", &id]);
    assert!(out.contains("draft → approved"), "{out}");
    let show = d.ok("wanglei", &["plan", "show", &id]);
    assert!(
        show.contains("Submissions covered by the template's approval"),
        "{show}"
    );
    assert!(show.contains(&tpl), "{show}");
    // The notice and every later gate stay.
    let e = d.refused("wanglei", &["plan", "implement", &id]);
    assert!(e.contains("notice published"), "{e}");
    d.ok("wanglei", &["plan", "notice", &id]);
    d.ok("wanglei", &["plan", "implement", &id]);
    let e = d.refused("wanglei", &["golive", &id, "--deployer", "王磊"]);
    assert!(!e.is_empty());
    // The first round starts with the template's test items.
    let out = d.ok("chenjing", &["test", "round", &id, "--env", "测试环境"]);
    assert!(out.contains("2 items"), "{out}");
    let tests = d.ok("chenjing", &["test", "show", &id]);
    assert!(
        tests.contains("选课与退课") && tests.contains("成绩录入与保存"),
        "{tests}"
    );
    // The demo's own template and its standard change.
    let list = d.ok("wanglei", &["template", "list"]);
    assert!(list.contains("TPL-") && list.contains("approved"), "{list}");
    let plans = d.ok("wanglei", &["plan", "list", "--class", "standard"]);
    assert!(plans.contains("办公自动化系统月度安全补丁"), "{plans}");
}

/// A major change: no window in a soft blackout period (not even with a
/// justification), two distinct approvers, seven days of notice.
#[test]
fn a_major_change_needing_two_approvers() {
    let d = Demo::new();
    let today = today();
    // A soft period ahead, if the demo calendar has one: a major change may not use it.
    let soft = calendar(&d)
        .into_iter()
        .find(|(_, s, _, hard)| !hard && *s > today + Duration::days(1));
    let start = clear_day(&d, today + Duration::days(9));
    let id = written(&d, "major", "教务管理系统大版本升级", start);
    if let Some((name, s, _, _)) = soft {
        d.ok(
            "wanglei",
            &[
                "plan",
                "edit",
                &id,
                "--window-start",
                &time(s, 22),
                "--window-end",
                &time(s + Duration::days(1), 2),
            ],
        );
        let e = d.refused("wanglei", &["plan", "edit", &id, "--override", "期末前必须完成"]);
        assert!(e.contains("allows no window in a soft blackout period"), "{e}");
        assert!(e.contains(&name), "{e}");
        let e = d.refused("wanglei", &["plan", "submit", &id]);
        assert!(e.contains("allows no window in a soft blackout period"), "{e}");
        d.ok(
            "wanglei",
            &[
                "plan",
                "edit",
                &id,
                "--window-start",
                &time(start, 22),
                "--window-end",
                &time(start + Duration::days(1), 2),
            ],
        );
    }
    d.ok("wanglei", &["plan", "submit", &id]);
    let out = d.ok("zhangwei", &["plan", "approve", &id, "--minutes", "LG-9"]);
    assert!(out.contains("(1/2)") && !out.contains("→ approved"), "{out}");
    assert_eq!(status(&d, &id), "submitted", "one approval is not the major quorum");
    let e = d.refused("zhangwei", &["plan", "approve", &id]);
    assert!(e.contains("already approved"), "{e}");
    // Who wrote it never decides.
    let e = d.refused("wanglei", &["plan", "approve", &id]);
    assert!(e.contains("may not"), "{e}");
    let out = d.ok("liqiang", &["plan", "approve", &id, "--minutes", "LG-9"]);
    assert!(out.contains("submitted → approved") && out.contains("(2/2)"), "{out}");
    // Seven days of notice: not for a window in four days, for one in nine.
    let near = written(
        &d,
        "major",
        "教务管理系统大版本升级（窗口过近）",
        clear_day(&d, today + Duration::days(2)),
    );
    d.ok("wanglei", &["plan", "submit", &near]);
    d.ok("zhangwei", &["plan", "approve", &near]);
    d.ok("liqiang", &["plan", "approve", &near]);
    let e = d.refused("wanglei", &["plan", "notice", &near]);
    assert!(e.contains("less than 7 days"), "{e}");
    d.ok("wanglei", &["plan", "notice", &id]);
    assert_eq!(status(&d, &id), "notice_published");
    // Shown everywhere: the list, the report per class.
    let list = d.ok("zhaomin", &["plan", "list", "--class", "major"]);
    assert!(list.contains(&id) && list.contains("major change"), "{list}");
    let (from, to) = ((today - Duration::days(30)).to_string(), today.to_string());
    let report = d.ok(
        "zhaomin",
        &["report", "--from", &from, "--to", &to, "--table", "updates_by_class"],
    );
    // The demo's emergency patch went live in the period.
    let row = report
        .lines()
        .find(|l| l.contains("emergency change"))
        .unwrap_or_default();
    assert!(row.contains('1'), "{report}");
}
