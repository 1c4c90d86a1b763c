//! Issue 15 §4, requests (§3.1), through the real binary on a demo database:
//! a request linked from the plan editor (`beian plan link`) while the plan is
//! written and after it is submitted, until the Leading Group approves it; a
//! request still new told to be accepted first; the submit check listing the
//! linked requests and warning when there are none; an unlink; a rejected and
//! a duplicate request reopened with a reason; a joint review of three
//! requests as a record that decides them; a request that looks like another
//! naming it.

use super::cli::{Demo, Out};
use serde_json::Value;

fn json(d: &Demo, who: &str, args: &[&str]) -> Value {
    let mut a = vec!["--json"];
    a.extend(args);
    let out = d.ok(who, &a);
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?}: {e}: {out}"))
}

/// The id a command created or changed (its outcome's entity).
fn entity(d: &Demo, who: &str, args: &[&str]) -> String {
    json(d, who, args)["entity"].as_str().unwrap().to_string()
}

fn status(d: &Demo, id: &str) -> String {
    json(d, "wanglei", &["request", "show", id])["status"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Requests of the demo in `status`, oldest first.
fn requests_in(d: &Demo, status: &str) -> Vec<String> {
    json(d, "wanglei", &["request", "list", "--status", status])
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect()
}

fn refused(d: &Demo, who: &str, lang: &str, args: &[&str]) -> Out {
    let o = d.run(Some(who), lang, args);
    assert_eq!(
        o.code, 3,
        "{who}: beian {args:?} should be refused by the rules\n{}{}",
        o.stdout, o.stderr
    );
    o
}

/// A day `n` days from now, as the CLI takes it (`YYYY-MM-DD`), in the
/// university's time zone.
fn day(n: i64) -> String {
    let tz = chrono::FixedOffset::east_opt(8 * 3600).unwrap();
    (chrono::Utc::now().with_timezone(&tz).date_naive() + chrono::Duration::days(n)).to_string()
}

/// A complete plan for 教务管理系统 by `who`, its window 60 days ahead (after
/// the demo calendar's last period).
fn written_plan(d: &Demo, who: &str) -> String {
    let plan = entity(
        d,
        who,
        &[
            "plan",
            "new",
            "--system",
            "教务",
            "--title",
            "选课系统性能优化",
            "--to",
            "V9.3",
        ],
    );
    let (start, end) = (format!("{} 22:00", day(60)), format!("{} 02:00", day(61)));
    d.ok(
        who,
        &[
            "plan",
            "edit",
            &plan,
            "--goals",
            "选课高峰期响应时间降至2秒以内",
            "--content",
            "优化选课服务的缓存与数据库连接池",
            "--approach",
            "测试环境压测后夜间停机升级",
            "--window-start",
            &start,
            "--window-end",
            &end,
            "--backup-plan",
            "升级前全量备份教务数据库",
            "--migrates-data",
            "no",
            "--rollback-plan",
            "保留旧版本，30分钟内回退",
        ],
    );
    d.ok(
        who,
        &[
            "plan",
            "risk",
            "add",
            &plan,
            "--description",
            "高峰期缓存失效",
            "--likelihood",
            "low",
            "--impact",
            "medium",
            "--mitigation",
            "预热缓存并保留旧配置",
        ],
    );
    d.ok(
        who,
        &[
            "plan",
            "staff",
            "add",
            &plan,
            "--person",
            "王磊",
            "--role",
            "负责人",
            "--duty",
            "实施",
        ],
    );
    plan
}

#[test]
fn a_request_linked_from_the_plan_editor_unlinked_and_a_rejected_one_reopened() {
    let d = Demo::new();
    let plan = written_plan(&d, "wanglei");
    let accepted = requests_in(&d, "accepted");
    let (r1, r2, r3) = (&accepted[0], &accepted[1], &accepted[2]);
    let fresh = requests_in(&d, "new");
    let new = &fresh[0];

    // A request still new is told to be accepted first, by id and status, in
    // either language; nothing is linked.
    let o = refused(&d, "wanglei", "en", &["plan", "link", &plan, new]);
    assert!(
        o.stderr.contains(&format!("{new} is still new: accept it first")),
        "{}",
        o.stderr
    );
    let o = refused(&d, "wanglei", "zh-CN", &["plan", "link", &plan, new]);
    assert!(
        o.stderr.contains(&format!("{new} 当前仍为「新建」，须先采纳")),
        "{}",
        o.stderr
    );
    assert_eq!(status(&d, new), "new");

    // The submit check: no request linked is a warning, not a refusal.
    let o = d.run(Some("wanglei"), "en", &["plan", "submit", &plan]);
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    assert!(o.stdout.contains("draft → submitted"), "{}", o.stdout);
    assert!(
        o.stderr.contains(&format!("warning: no request is linked to {plan}")),
        "{}",
        o.stderr
    );

    // Linked from the plan editor while submitted, before any approval: one
    // line per request, both planned; the plan lists them with their titles.
    let out = d.ok("wanglei", &["plan", "link", &plan, r1]);
    assert!(
        out.contains(&format!("{r1} (rev")) && out.contains(&format!("→ {plan}")),
        "{out}"
    );
    // The creator of the demo (an approver too) links one: a contributor now.
    let o = d.run(None, "en", &["plan", "link", &plan, r2]);
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    assert_eq!(status(&d, r1), "planned");
    assert_eq!(status(&d, r2), "planned");
    let shown = d.ok("zhangwei", &["plan", "show", &plan]);
    let title = json(&d, "wanglei", &["request", "show", r1])["title"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(shown.contains("linked requests"), "{shown}");
    assert!(shown.contains(&format!("{r1} [planned] {title}")), "{shown}");

    // Unlinked before the approval, with a reason: accepted again, audited.
    let o = refused(&d, "wanglei", "en", &["request", "unlink", r2, "--reason", " "]);
    assert!(o.stderr.contains("reason"), "{}", o.stderr);
    d.ok("wanglei", &["request", "unlink", r2, "--reason", "并入下学期的计划"]);
    assert_eq!(status(&d, r2), "accepted");
    let audit = d.ok("zhaomin", &["audit", "--entity", r2]);
    assert!(audit.contains("并入下学期的计划"), "{audit}");

    // Whoever linked contributed: the creator may not approve it …
    let o = d.run(None, "en", &["plan", "approve", &plan, "--minutes", "纪要"]);
    assert_eq!(o.code, 3, "{}{}", o.stdout, o.stderr);
    assert!(o.stderr.contains("linked requests to it"), "{}", o.stderr);
    // … a member who did not contribute approves it.
    d.ok(
        "zhangwei",
        &["plan", "approve", &plan, "--minutes", "领导小组2026年第9次会议纪要"],
    );

    // Once approved, its requests do not change: linking and unlinking say so.
    let o = refused(&d, "wanglei", "en", &["plan", "link", &plan, r3]);
    assert!(
        o.stderr
            .contains("requests can be linked to a plan only until it is approved"),
        "{}",
        o.stderr
    );
    assert_eq!(status(&d, r3), "accepted");
    let o = refused(&d, "wanglei", "en", &["request", "unlink", r1, "--reason", "改期"]);
    assert!(
        o.stderr.contains("the Leading Group returns it for revision first"),
        "{}",
        o.stderr
    );
    assert_eq!(status(&d, r1), "planned");

    // A rejected request reopened with a reason: back to triaged, the
    // rejection's reason gone from the record and kept in the log.
    let rejected = &fresh[1];
    d.ok("liuyang", &["request", "triage", rejected, "triaged"]);
    d.ok(
        "liuyang",
        &["request", "triage", rejected, "reject", "--reason", "无法复现"],
    );
    assert_eq!(status(&d, rejected), "rejected");
    let o = refused(&d, "liuyang", "en", &["request", "reopen", rejected, "--reason", ""]);
    assert!(o.stderr.contains("reason"), "{}", o.stderr);
    let out = d.ok(
        "liuyang",
        &["request", "reopen", rejected, "--reason", "提交人补充了截图"],
    );
    assert!(out.contains("rejected → triaged"), "{out}");
    let r = json(&d, "liuyang", &["request", "show", rejected]);
    assert_eq!(r["status"], "triaged");
    assert!(r["reject_reason"].is_null(), "{r}");
    let audit = d.ok("zhaomin", &["audit", "--entity", rejected]);
    assert!(
        audit.contains("无法复现") && audit.contains("提交人补充了截图"),
        "{audit}"
    );

    // A duplicate reopened: its original is no longer named.
    let dup = &fresh[2];
    d.ok("sunhao", &["request", "triage", dup, "duplicate", "--of", r3]);
    assert_eq!(status(&d, dup), "duplicate");
    let out = d.ok("sunhao", &["request", "reopen", dup, "--reason", "并非同一问题"]);
    assert!(out.contains("duplicate → new"), "{out}");
    assert!(json(&d, "sunhao", &["request", "show", dup])["duplicate_of"].is_null());
}

#[test]
fn a_joint_review_of_three_requests() {
    let d = Demo::new();
    let fresh = requests_in(&d, "new");
    let (a, b, c) = (&fresh[3], &fresh[4], &fresh[5]);
    let date = day(2);

    // A joint review is a meeting of several departments: one is refused.
    let o = refused(
        &d,
        "chenjing",
        "en",
        &[
            "joint-review",
            "new",
            a,
            b,
            c,
            "--topic",
            "选课与排考",
            "--department",
            "教务处",
        ],
    );
    assert!(o.stderr.contains("at least two departments"), "{}", o.stderr);
    assert_eq!(status(&d, a), "new");

    let jr = entity(
        &d,
        "chenjing",
        &[
            "joint-review",
            "new",
            a,
            b,
            c,
            "--topic",
            "选课、排考与移动端需求专题研讨",
            "--department",
            "教务处",
            "--department",
            "学生工作部,研究生院",
            "--date",
            &date,
        ],
    );
    assert!(jr.starts_with("JR-"), "{jr}");
    for r in [a, b, c] {
        assert_eq!(status(&d, r), "joint_review");
    }
    // Listed, and shown on each covered request.
    let list = d.ok("huangli", &["joint-review", "list"]);
    assert!(list.contains(&jr) && list.contains("awaiting its position"), "{list}");
    let shown = d.ok("huangli", &["request", "show", b]);
    assert!(
        shown.contains(&format!("{jr} {date} 教务处、学生工作部、研究生院")),
        "{shown}"
    );

    // While the meeting has not decided, its requests are not decided one by one.
    let o = refused(
        &d,
        "chenjing",
        "en",
        &["request", "triage", a, "accept", "--outcome", "同意"],
    );
    assert!(
        o.stderr
            .contains(&format!("{a} is in joint review {jr}, whose position decides it")),
        "{}",
        o.stderr
    );

    // The position accepts every request still in the review unless it rejects
    // it; accepting needs the analysis, and a missing one refuses it all.
    let position = "经教务处、学生工作部、研究生院专题研讨：前两项纳入下一版本，移动端并入统一门户建设";
    let decide = [
        "joint-review",
        "decide",
        &jr,
        "--position",
        position,
        "--reject",
        c.as_str(),
    ];
    let o = refused(&d, "chenjing", "en", &decide);
    assert!(
        o.stderr
            .contains(&format!("{a} cannot be accepted before its analysis")),
        "{}",
        o.stderr
    );
    assert_eq!(
        status(&d, c),
        "joint_review",
        "nothing is decided when the position is refused"
    );
    for r in [a, b] {
        d.ok(
            "chenjing",
            &[
                "request",
                "edit",
                r,
                "--necessity",
                "涉及多个学院，反馈集中",
                "--feasibility",
                "厂商可在下一版本实现",
            ],
        );
    }
    let out = d.ok("chenjing", &decide);
    assert!(out.contains(&format!("accepted [{a} {b}], rejected [{c}]")), "{out}");
    assert_eq!(status(&d, a), "accepted");
    assert_eq!(status(&d, b), "accepted");
    let rc = json(&d, "chenjing", &["request", "show", c]);
    assert_eq!(rc["status"], "rejected");
    assert_eq!(rc["reject_reason"], position);
    assert_eq!(rc["joint_review"]["review"], jr.as_str());

    // The record: requests, departments, day, position; decided once.
    let m = json(&d, "huangli", &["joint-review", "show", &jr]);
    assert_eq!(m["requests"].as_array().unwrap().len(), 3);
    assert_eq!(
        m["departments"],
        serde_json::json!(["教务处", "学生工作部", "研究生院"])
    );
    assert_eq!(m["date"], date.as_str());
    assert_eq!(m["position"]["text"], position);
    assert_eq!(m["position"]["rejected"], serde_json::json!([c]));
    let o = refused(&d, "chenjing", "en", &decide);
    assert!(o.stderr.contains("has recorded its position already"), "{}", o.stderr);
    let shown = d.run(Some("huangli"), "zh-CN", &["joint-review", "show", &jr]).stdout;
    assert!(shown.contains("已形成结论") && shown.contains("已驳回"), "{shown}");

    // Audited: who convened it and who recorded the position, with each request.
    let audit = d.ok("zhaomin", &["audit", "--entity", &jr]);
    assert!(audit.contains("convene a joint review"), "{audit}");
    assert!(audit.contains("record a joint review's position"), "{audit}");
    let audit = d.ok("zhaomin", &["audit", "--entity", c]);
    assert!(audit.contains("record a joint review's position"), "{audit}");

    // The rejected one reopened: back in joint review, decided one by one now.
    d.ok(
        "chenjing",
        &["request", "reopen", c, "--reason", "统一门户建设推迟，重新评估"],
    );
    assert_eq!(status(&d, c), "joint_review");
    d.ok(
        "chenjing",
        &["request", "triage", c, "reject", "--reason", "仍并入统一门户建设"],
    );
    assert_eq!(status(&d, c), "rejected");
}

#[test]
fn a_request_that_looks_like_another_names_it() {
    let d = Demo::new();
    let fresh = requests_in(&d, "new");
    let like = json(&d, "wanglei", &["request", "show", &fresh[0]]);
    let title = like["title"].as_str().unwrap().to_string();
    let system = like["system"].as_str().unwrap().to_string();
    let o = d.run(
        Some("wanglei"),
        "en",
        &[
            "--json",
            "request",
            "add",
            "--title",
            &format!("{title}（再次反映）"),
            "--submitter",
            "李老师",
            "--system",
            &system,
        ],
    );
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    let out: Value = serde_json::from_str(&o.stdout).unwrap();
    let id = out["entity"].as_str().unwrap().to_string();
    let r = json(&d, "wanglei", &["request", "show", &id]);
    let other = r["similar_to"].as_str().unwrap().to_string();
    assert!(
        o.stderr.contains(&format!("warning: {id} looks like {other}")),
        "{}",
        o.stderr
    );
    assert!(r["tags"].as_array().unwrap().iter().any(|t| t == "疑似重复"), "{r}");
    // The tag names the request it resembles, in either language.
    let shown = d.run(Some("wanglei"), "zh-CN", &["request", "show", &id]).stdout;
    assert!(shown.contains(&format!("疑似重复 {other}")), "{shown}");
    // A title like no other is not tagged.
    let o = d.run(
        Some("wanglei"),
        "en",
        &[
            "request",
            "add",
            "--title",
            "实验室门禁与一卡通权限不同步",
            "--submitter",
            "李老师",
        ],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(!o.stderr.contains("looks like"), "{}", o.stderr);
}
