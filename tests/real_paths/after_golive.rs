//! Issue 15 §3, after go-live, through the real binary on a demo database: a
//! rollback after go-live and a second attempt through every gate again;
//! training and post-update feedback added after filing (sealed addenda, the
//! dossier itself unchanged); a post-implementation review on a live and on a
//! filed plan; a plan closed as failed; and `beian verify` naming a typed
//! addendum that was rewritten in the database files.

use chrono::{DateTime, Duration, FixedOffset, Utc};
use serde_json::Value;

use super::cli::Demo;

/// A time as the CLI takes it, in Beijing time (the tests run with TZ=Asia/Shanghai).
fn at(t: DateTime<Utc>) -> String {
    t.with_timezone(&FixedOffset::east_opt(8 * 3600).unwrap())
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

fn json(s: &str) -> Value {
    serde_json::from_str(s).unwrap_or_else(|e| panic!("{e}: {s}"))
}

fn plan(d: &Demo, id: &str) -> Value {
    json(&d.ok("wanglei", &["--json", "plan", "show", id]))
}

fn plans(d: &Demo, status: &str) -> Vec<String> {
    let list = json(&d.ok("wanglei", &["--json", "plan", "list", "--status", status]));
    list.as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_string())
        .collect()
}

fn time(v: &Value) -> DateTime<Utc> {
    v.as_str().unwrap().parse().unwrap()
}

fn system_version(d: &Demo, system: &str) -> String {
    let list = json(&d.ok("wanglei", &["--json", "system", "list"]));
    let s = list.as_array().unwrap().iter().find(|s| s["id"] == system).unwrap();
    s["version"].as_str().unwrap().to_string()
}

/// The goals of a plan, one a line, as the review numbers them.
pub(crate) fn goal_count(p: &Value) -> usize {
    p["goals"]
        .as_str()
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .count()
}

pub(crate) fn verdicts(n: usize) -> Vec<String> {
    (1..=n).map(|k| format!("{k}=met")).collect()
}

pub(crate) fn review_args<'a>(id: &'a str, goals: &'a [String], summary: &'a str) -> Vec<&'a str> {
    let mut a = vec!["plan", "review", id];
    for g in goals {
        a.extend(["--goal", g.as_str()]);
    }
    a.extend(["--summary", summary]);
    a
}

/// A live plan rolled back after go-live goes back to testing, the system runs
/// the old version again, and the second attempt passes every gate again: a
/// new round, a backup confirmed after the rollback, and — the window being
/// over — a deviation an approver accepted.
#[test]
fn a_rollback_after_go_live_and_a_second_attempt() {
    let d = Demo::new();
    let live = plans(&d, "live");
    let id = live.first().expect("the demo has a live plan").clone();
    let id = id.as_str();
    let p = plan(&d, id);
    let system = p["system"].as_str().unwrap().to_string();
    let (from, to) = (p["version_from"].as_str().unwrap(), p["version_to"].as_str().unwrap());
    assert_eq!(system_version(&d, &system), to);
    let live_at = time(&p["golives"].as_array().unwrap().last().unwrap()["time"]);
    let golives = p["golives"].as_array().unwrap().len();
    let incidents = p["incidents"].as_array().unwrap().len();
    let now = Utc::now();

    // Not before the go-live, not in the future.
    let before = at(live_at - Duration::hours(1));
    let e = d.refused(
        "liuyang",
        &[
            "plan",
            "incident",
            id,
            "--outcome",
            "rolled_back",
            "--time",
            &before,
            "--by",
            "刘洋",
            "--what",
            "x",
        ],
    );
    assert!(e.contains("before the go-live"), "{e}");
    let ahead = at(now + Duration::hours(2));
    let o = d.run(
        Some("liuyang"),
        "zh-CN",
        &[
            "plan",
            "incident",
            id,
            "--outcome",
            "rolled_back",
            "--time",
            &ahead,
            "--by",
            "刘洋",
            "--what",
            "x",
        ],
    );
    assert_eq!(o.code, 3, "{}", o.stderr);
    assert!(o.stderr.contains("晚于当前时间"), "{}", o.stderr);
    // Only who records go-lives records a rollback.
    let e = d.refused(
        "zhangwei",
        &[
            "plan",
            "incident",
            id,
            "--outcome",
            "rolled_back",
            "--by",
            "刘洋",
            "--what",
            "x",
        ],
    );
    assert!(e.contains("zhangwei"), "{e}");

    let rolled = at(now - Duration::minutes(30));
    let out = d.ok(
        "liuyang",
        &[
            "plan",
            "incident",
            id,
            "--outcome",
            "rolled_back",
            "--time",
            &rolled,
            "--by",
            "刘洋、厂商实施工程师",
            "--what",
            "上线后审批流转异常，回滚至原版本",
        ],
    );
    assert!(out.contains("live → testing"), "{out}");
    let p = plan(&d, id);
    assert_eq!(p["status"], "testing");
    assert_eq!(p["incidents"].as_array().unwrap().len(), incidents + 1);
    assert_eq!(p["incidents"][incidents]["outcome"], "rolled_back");
    assert_eq!(p["incidents"][incidents]["golive"], golives);
    assert_eq!(
        system_version(&d, &system),
        from,
        "the rollback puts the old version back"
    );

    // The second attempt: a new round is needed first …
    let go = |who: &str, time: &str| d.run(Some(who), "en", &["golive", id, "--time", time, "--deployer", "刘洋"]);
    let o = go("liuyang", &at(Utc::now()));
    assert_eq!(o.code, 3, "{}", o.stderr);
    assert!(
        o.stderr.contains("a test round with items (after the last rollback)"),
        "{}",
        o.stderr
    );
    d.ok("chenjing", &["test", "round", id, "--env", "测试环境（生产数据副本）"]);
    d.ok(
        "chenjing",
        &[
            "test",
            "item",
            id,
            "--category",
            "functional",
            "--description",
            "回滚原因复测",
            "--tester",
            "陈静",
        ],
    );
    let p = plan(&d, id);
    let item = p["rounds"].as_array().unwrap().last().unwrap()["items"][0]["no"].to_string();
    d.ok("chenjing", &["test", "result", id, &item, "pass"]);
    // … then a backup with the data of the live period …
    let o = go("liuyang", &at(Utc::now()));
    assert_eq!(o.code, 3, "{}", o.stderr);
    assert!(o.stderr.contains("before the rollback"), "{}", o.stderr);
    d.ok(
        "liuyang",
        &[
            "plan",
            "backup",
            id,
            "--what",
            "生产库全量备份",
            "--location",
            "/backup/ky",
            "--verified-by",
            "王磊",
        ],
    );
    // … and, the window being over, an accepted deviation.
    let t2 = at(Utc::now() + Duration::minutes(1));
    let o = go("liuyang", &t2);
    assert_eq!(o.code, 3, "{}", o.stderr);
    assert!(o.stderr.contains("outside the approved window"), "{}", o.stderr);
    d.ok(
        "liuyang",
        &[
            "plan",
            "deviation",
            id,
            "--time",
            &t2,
            "--reason",
            "窗口已过，缺陷已修复",
        ],
    );
    let e = d.refused("liuyang", &["plan", "accept-deviation", id, "--reason", "同意"]);
    assert!(e.contains("liuyang"), "{e}");
    d.ok(
        "zhangwei",
        &["plan", "accept-deviation", id, "--reason", "同意再次上线"],
    );
    let out = d.ok("liuyang", &["golive", id, "--time", &t2, "--deployer", "刘洋"]);
    assert!(out.contains("testing → live") || out.contains("ready → live"), "{out}");
    let p = plan(&d, id);
    assert_eq!(p["status"], "live");
    assert_eq!(p["golives"].as_array().unwrap().len(), golives + 1);
    assert_eq!(system_version(&d, &system), to);

    // Audited, with the status change.
    let audit = d.run(None, "en", &["audit", "--entity", id]);
    assert!(
        audit.stdout.contains("plan.incident") || audit.stdout.contains("incident"),
        "{}",
        audit.stdout
    );
    d.ok("wanglei", &["verify"]);
}

/// Training and a department's problem report added to a filed plan become
/// sealed addenda of its dossier; the plan and the dossier stay as filed.
#[test]
fn training_and_post_update_feedback_added_after_filing() {
    let d = Demo::new();
    let filed = plans(&d, "filed");
    let id = filed.first().expect("the demo has a filed plan").clone();
    let id = id.as_str();
    let p = plan(&d, id);
    let dossier = p["dossier"].as_str().unwrap().to_string();
    let rev = p["meta"]["rev"].clone();
    let before = json(&d.ok("wanglei", &["--json", "archive", "show", &dossier]));
    let n = before["addenda"].as_array().unwrap().len();

    let today = Utc::now()
        .with_timezone(&FixedOffset::east_opt(8 * 3600).unwrap())
        .date_naive()
        .to_string();
    let out = d.ok(
        "wanglei",
        &[
            "training",
            id,
            "--format",
            "classroom",
            "--date",
            &today,
            "--trainer",
            "信息化管理中心",
            "--department",
            "各学院教务秘书",
            "--attendance",
            "42",
        ],
    );
    assert!(out.contains(&format!("{dossier}#{}", n + 1)), "{out}");

    // A problem a department reports after the update, linked as feedback.
    let system = p["system"].as_str().unwrap();
    let add = json(&d.ok(
        "wanglei",
        &[
            "--json",
            "request",
            "add",
            "--title",
            "更新后课表导出仍有乱码",
            "--system",
            system,
            "--submitter",
            "外国语学院",
            "--submitter-type",
            "department",
            "--department",
            "外国语学院",
            "--channel",
            "email",
        ],
    ));
    let req = add["entity"].as_str().unwrap().to_string();
    let out = d.ok("wanglei", &["request", "link", &req, id, "--feedback"]);
    assert!(out.contains(&format!("{dossier}#{}", n + 2)), "{out}");
    let e = d.refused("wanglei", &["request", "link", &req, id, "--feedback"]);
    assert!(e.contains("already post-update feedback"), "{e}");
    let r = json(&d.ok("wanglei", &["--json", "request", "show", &req]));
    assert_eq!(r["feedback_on"], id);
    assert_eq!(
        r["status"], "new",
        "feedback is not the plan's scope: the request keeps its own status"
    );
    // Feedback goes to a live or filed plan only.
    let draft = plans(&d, "draft").remove(0);
    let e = d.refused("wanglei", &["request", "link", &req, &draft, "--feedback"]);
    assert!(e.contains("already") || e.contains("live or filed"), "{e}");

    // The plan and its dossier are as filed; the addenda follow.
    let p = plan(&d, id);
    assert_eq!(p["meta"]["rev"], rev, "a filed plan does not change");
    assert_eq!(p["status"], "filed");
    let after = json(&d.ok("wanglei", &["--json", "archive", "show", &dossier]));
    assert_eq!(after["dossier"], before["dossier"], "the dossier itself never changes");
    let addenda = after["addenda"].as_array().unwrap();
    assert_eq!(addenda.len(), n + 2);
    assert_eq!(addenda[n]["body"]["kind"], "training");
    assert_eq!(addenda[n]["body"]["record"]["attendance"], 42);
    assert_eq!(addenda[n + 1]["body"]["kind"], "feedback");
    assert_eq!(addenda[n + 1]["body"]["record"]["id"], req.as_str());
    // Shown and exported, in Chinese too.
    let o = d.run(Some("wanglei"), "zh-CN", &["archive", "show", &dossier]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    for want in ["补记", "培训", "各学院教务秘书", "更新后反馈", "更新后课表导出仍有乱码"] {
        assert!(o.stdout.contains(want), "archive show lacks {want}:\n{}", o.stdout);
    }
    let md = d.ok("wanglei", &["export", "dossier", &dossier]);
    assert!(
        md.contains("更新后课表导出仍有乱码") && md.contains("各学院教务秘书"),
        "{md}"
    );
    let audit = d.run(None, "en", &["audit", "--entity", &dossier]);
    assert!(
        audit.stdout.contains("request.feedback") || audit.stdout.contains("feedback"),
        "{}",
        audit.stdout
    );
    d.ok("wanglei", &["verify"]);
}

/// The post-implementation review: every goal assessed once, a summary; on a
/// live plan it is in the plan (and goes into the dossier at filing), on a
/// filed one a sealed addendum; shown as due, overdue or done. A plan that went
/// live is closed as failed, one that never did is not.
#[test]
fn a_review() {
    let d = Demo::new();
    // A filed plan reviewed after filing: overdue, then done.
    let filed = plans(&d, "filed");
    let review_line = |show: &str| {
        show.lines()
            .find(|l| l.starts_with("Post-implementation review"))
            .unwrap_or("")
            .to_string()
    };
    let (id, p) = filed
        .iter()
        .map(|id| (id.clone(), plan(&d, id)))
        .find(|(id, p)| {
            goal_count(p) >= 2 && review_line(&d.ok("wanglei", &["plan", "show", id])).contains("overdue since")
        })
        .expect("a filed plan with goals whose review is overdue");
    let id = id.as_str();
    let n = goal_count(&p);
    let e = d.refused("wanglei", &review_args(id, &verdicts(1), "总结"));
    assert!(e.contains("not assessed: #2"), "{e}");
    let mut goals = verdicts(n);
    goals[0] = "1=partly:峰值仅达目标的八成".into();
    let out = d.ok("wanglei", &review_args(id, &goals, "目标基本达成，并发能力待提升"));
    let dossier = p["dossier"].as_str().unwrap();
    assert!(out.contains(&format!("{dossier}#")), "{out}");
    let show = d.ok("wanglei", &["plan", "show", id]);
    assert!(review_line(&show).contains("done by wanglei"), "{show}");
    let e = d.refused("wanglei", &review_args(id, &goals, "again"));
    assert!(e.contains("was reviewed by wanglei"), "{e}");
    let v = json(&d.ok("wanglei", &["--json", "archive", "show", dossier]));
    let last = v["addenda"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["body"]["kind"], "review");
    assert_eq!(last["body"]["record"]["goals"].as_array().unwrap().len(), n);
    assert_eq!(last["body"]["record"]["goals"][0]["verdict"], "partly");
    let o = d.run(Some("wanglei"), "zh-CN", &["archive", "show", dossier]);
    assert!(
        o.stdout.contains("实施后评估") && o.stdout.contains("部分达成"),
        "{}",
        o.stdout
    );

    // A live plan: due, then reviewed in the plan.
    let live = plans(&d, "live");
    let id = live.first().expect("a live plan").clone();
    let id = id.as_str();
    let p = plan(&d, id);
    let show = d.ok("wanglei", &["plan", "show", id]);
    assert!(review_line(&show).contains("due by"), "{show}");
    let goals = verdicts(goal_count(&p));
    let out = d.ok("liuyang", &review_args(id, &goals, "上线后运行平稳"));
    assert!(!out.contains("FILE-"), "a live plan's review is not an addendum: {out}");
    let p = plan(&d, id);
    assert_eq!(p["reviews"].as_array().unwrap().len(), 1);
    assert_eq!(p["reviews"][0]["by"], "liuyang");
    let v = json(&d.ok("wanglei", &["--json", "plan", "show", id]));
    assert_eq!(v["reviews"][0]["summary"], "上线后运行平稳");

    // Closed as failed after an incident: the requests are free again.
    d.ok(
        "liuyang",
        &[
            "plan",
            "incident",
            id,
            "--outcome",
            "incident",
            "--by",
            "刘洋",
            "--what",
            "同步接口数据错乱",
        ],
    );
    assert_eq!(plan(&d, id)["status"], "live", "an incident alone leaves the plan live");
    let e = d.refused("liuyang", &["plan", "fail", id, "--reason", " "]);
    assert!(e.contains("reason"), "{e}");
    d.ok(
        "liuyang",
        &["plan", "fail", id, "--reason", "厂商无法在本学期修复，放弃本次更新"],
    );
    let p = plan(&d, id);
    assert_eq!(p["status"], "failed");
    assert_eq!(p["failure"]["by"], "liuyang");
    for r in p["requests"].as_array().unwrap() {
        let r = json(&d.ok("wanglei", &["--json", "request", "show", r.as_str().unwrap()]));
        assert_eq!(r["status"], "accepted", "{r}");
    }
    let e = d.refused(
        "liuyang",
        &[
            "plan",
            "incident",
            id,
            "--outcome",
            "incident",
            "--by",
            "x",
            "--what",
            "y",
        ],
    );
    assert!(e.contains("closed as failed"), "{e}");
    // A plan that never went live is cancelled, not failed.
    let draft = plans(&d, "draft").remove(0);
    let e = d.refused("wanglei", &["plan", "fail", &draft, "--reason", "x"]);
    assert!(e.contains("draft"), "{e}");
    let testing = plans(&d, "testing");
    let t = testing
        .iter()
        .find(|t| {
            let golives = plan(&d, t)["golives"].as_array().unwrap().clone();
            !golives.is_empty() && golives.iter().all(|g| g["outcome"] == "rolled_back")
        })
        .expect("the demo has a plan rolled back at its go-live");
    let e = d.refused("liuyang", &["plan", "fail", t, "--reason", "x"]);
    assert!(e.contains("never went live"), "{e}");
    d.ok("wanglei", &["verify"]);
}

/// A typed addendum rewritten in the database files is found by `beian verify`.
#[test]
fn verify_detects_a_rewritten_addendum() {
    let d = Demo::new();
    let id = plans(&d, "filed").remove(0);
    let dossier = plan(&d, &id)["dossier"].as_str().unwrap().to_string();
    let out = d.ok(
        "wanglei",
        &[
            "training",
            &id,
            "--format",
            "on_site",
            "--date",
            "2026-01-05",
            "--trainer",
            "信息化管理中心",
            "--attendance",
            "17",
        ],
    );
    let no: u32 = out
        .split(&format!("{dossier}#"))
        .nth(1)
        .and_then(|s| s.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("{out}"));
    d.ok("wanglei", &["verify"]);
    {
        let svc = beian::service::Service::open(&d.db).unwrap();
        let store = svc.raw_store();
        let entries = store.raw_entries("addenda").unwrap();
        let (k, v) = entries
            .into_iter()
            .find(|(_, v)| {
                let a: Value = serde_json::from_slice(v).unwrap();
                a["no"] == no && a["body"]["kind"] == "training" && a["body"]["record"]["attendance"] == 17
            })
            .expect("the training addendum");
        let text = String::from_utf8(v)
            .unwrap()
            .replace("\"attendance\":17", "\"attendance\":71");
        store.raw_set("addenda", &k, Some(text.as_bytes())).unwrap();
    }
    let o = d.run(None, "en", &["verify"]);
    assert_ne!(o.code, 0, "verify missed the rewritten addendum: {}", o.stdout);
    let said = format!("{}{}", o.stdout, o.stderr);
    assert!(said.contains(&format!("{dossier}#{no}")), "{said}");
}
