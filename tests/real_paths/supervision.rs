//! Supervision (§5.1) through the real binary on a demo database: an order
//! extended, sent back and reopened; a confidential report investigated and
//! turned into an order. zhaomin supervises, wanglei answers for the IT center,
//! huangli (a viewer) reports.

use super::cli::Demo;

/// Today in Beijing (the binary runs with TZ=Asia/Shanghai), plus `d` days.
fn day(d: i64) -> String {
    let now = chrono::Utc::now() + chrono::Duration::hours(8);
    (now.date_naive() + chrono::Duration::days(d)).to_string()
}

/// The id an `ok ID (rev N): …` line names.
fn created(out: &str) -> String {
    out.split_whitespace().nth(1).unwrap_or_default().to_string()
}

fn json(d: &Demo, what: &str, id: &str) -> serde_json::Value {
    let out = d.ok("zhaomin", &["--json", "supervision", what, "show", id]);
    serde_json::from_str(&out).unwrap()
}

#[test]
fn an_order_extended_sent_back_and_reopened() {
    let d = Demo::new();
    let out = d.ok(
        "zhaomin",
        &[
            "supervision",
            "order",
            "issue",
            "--department",
            "教务处",
            "--finding",
            "成绩录入升级的测试记录由厂商人员代签",
            "--action",
            "重新组织业务部门测试并签字",
            "--deadline",
            &day(3),
        ],
    );
    let ro = created(&out);
    assert!(ro.starts_with("RO-"), "{out}");
    let order = |args: &[&str]| {
        let mut v = vec!["supervision", "order"];
        v.extend_from_slice(args);
        v.iter().map(|s| s.to_string()).collect::<Vec<String>>()
    };
    let ok = |who: &str, args: &[&str]| {
        let a = order(args);
        d.ok(who, &a.iter().map(String::as_str).collect::<Vec<_>>())
    };
    let refused = |who: &str, args: &[&str]| {
        let a = order(args);
        let o = d.run(Some(who), "en", &a.iter().map(String::as_str).collect::<Vec<_>>());
        assert_eq!(
            o.code, 3,
            "{who} {args:?} should be refused by a rule\n{}{}",
            o.stdout, o.stderr
        );
        o.stderr
    };

    // Extend: a supervisor's, later than the deadline and not into the past, with a reason.
    let e = refused(
        "wanglei",
        &["extend", &ro, "--deadline", &day(10), "--reason", "要求延期"],
    );
    assert!(e.contains("wanglei may not extend, send back or reopen"), "{e}");
    let e = refused(
        "zhaomin",
        &["extend", &ro, "--deadline", "2020-01-01", "--reason", "补"],
    );
    assert!(e.contains("is not after its current deadline"), "{e}");
    let e = refused("zhaomin", &["extend", &ro, "--deadline", &day(2), "--reason", "补"]);
    assert!(e.contains("is not after its current deadline"), "{e}");
    let out = ok(
        "zhaomin",
        &["extend", &ro, "--deadline", &day(10), "--reason", "测试环境尚未恢复"],
    );
    assert!(out.contains(&format!("deadline → {}", day(10))), "{out}");
    let show = ok("zhaomin", &["show", &ro]);
    assert!(show.contains("Deadline extensions"), "{show}");
    assert!(show.contains(&day(3)) && show.contains("测试环境尚未恢复"), "{show}");
    let list = ok("wanglei", &["list"]);
    let row = list.lines().find(|l| l.starts_with(&ro)).unwrap();
    assert!(row.contains(&day(10)) && row.contains("(extended)"), "{row}");

    // Respond, send back as insufficient, respond again, close.
    ok("wanglei", &["respond", &ro, "--response", "已补签"]);
    let e = refused("wanglei", &["send-back", &ro, "--reason", "x"]);
    assert!(e.contains("may not"), "{e}");
    let out = ok("zhaomin", &["send-back", &ro, "--reason", "未重新组织测试"]);
    assert!(out.contains("sent back"), "{out}");
    let v = json(&d, "order", &ro);
    assert_eq!(v["status"], "open");
    assert_eq!(v["responses"][0]["text"], "已补签");
    assert_eq!(v["responses"][0]["sent_back"]["reason"], "未重新组织测试");
    assert_eq!(v["responses"][0]["sent_back"]["by"], "zhaomin");
    ok(
        "wanglei",
        &["respond", &ro, "--response", "已重新组织测试，记录由教务处3人签字"],
    );
    let e = refused("zhaomin", &["reopen", &ro, "--reason", "x"]);
    assert!(e.contains("only when closed"), "{e}");
    ok("zhaomin", &["close", &ro]);

    // Reopen a closed order, with a reason.
    let e = refused("zhaomin", &["reopen", &ro, "--reason", " "]);
    assert!(e.contains("a reason is required"), "{e}");
    let out = ok("zhaomin", &["reopen", &ro, "--reason", "复查发现仍有代签"]);
    assert!(out.contains("reopened"), "{out}");
    let v = json(&d, "order", &ro);
    assert_eq!(v["status"], "open");
    assert_eq!(v["deadline"], day(10));
    assert_eq!(v["extensions"][0]["from"], day(3));
    assert_eq!(v["responses"].as_array().unwrap().len(), 2);
    assert_eq!(v["closings"][0]["by"], "zhaomin");
    assert_eq!(v["closings"][0]["reopened"]["reason"], "复查发现仍有代签");

    // Shown in Chinese: issued, the responses, the closing and its reopening.
    let o = d.run(Some("zhaomin"), "zh-CN", &["supervision", "order", "show", &ro]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    for text in [
        "期限延长记录",
        "整改回复记录",
        "退回（整改不到位）",
        "关闭记录",
        "重新打开",
        "复查发现仍有代签",
    ] {
        assert!(o.stdout.contains(text), "{text} missing:\n{}", o.stdout);
    }

    // Every step in the audit chain, with who acted.
    let audit = d.ok("zhaomin", &["audit", "--entity", &ro]);
    for action in [
        "issue a rectification order",
        "extend the deadline of a rectification order",
        "send a response back as insufficient",
        "close a rectification order",
        "reopen a closed rectification order",
    ] {
        assert!(audit.contains(action), "{action} missing:\n{audit}");
    }
    let verify = d.run(None, "en", &["verify"]);
    assert_eq!(verify.code, 0, "{}{}", verify.stdout, verify.stderr);
}

#[test]
fn a_confidential_report_investigated_and_turned_into_an_order() {
    let d = Demo::new();
    let out = d.ok(
        "huangli",
        &[
            "supervision",
            "report",
            "submit",
            "--content",
            "学工系统升级时厂商工程师用U盘拷贝学生数据",
        ],
    );
    let rpt = created(&out);
    assert!(rpt.starts_with("RPT-"), "{out}");
    let report = |who: &str, args: &[&str]| {
        let mut v = vec!["supervision", "report"];
        v.extend_from_slice(args);
        d.run(Some(who), "en", &v)
    };
    // Not answered, nor turned into an order, before it is investigated.
    let o = report("zhaomin", &["reply", &rpt, "--reply", "已处理"]);
    assert_eq!(o.code, 3, "{}", o.stdout);
    assert!(o.stderr.contains("has not been investigated"), "{}", o.stderr);
    let o = report(
        "zhaomin",
        &[
            "to-order",
            &rpt,
            "--department",
            "学工部",
            "--action",
            "说明",
            "--deadline",
            &day(7),
        ],
    );
    assert_eq!(o.code, 3, "{}", o.stdout);
    assert!(o.stderr.contains("has not been investigated"), "{}", o.stderr);
    // Handled by a supervisor only.
    let o = report("wanglei", &["investigate", &rpt, "--notes", "查"]);
    assert_eq!(o.code, 3);
    assert!(o.stderr.contains("may not handle confidential reports"), "{}", o.stderr);

    let notes = "堡垒机审计记录证实：奖助学金模块上线期间厂商工程师导出学生家庭经济情况表";
    let o = report("zhaomin", &["investigate", &rpt, "--notes", notes]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    // Linked to a plan that exists.
    let o = report("zhaomin", &["link", &rpt, "--plan", "PLAN-2026-0999"]);
    assert_ne!(o.code, 0);
    assert!(o.stderr.contains("PLAN-2026-0999"), "{}", o.stderr);
    let o = report("zhaomin", &["link", &rpt, "--plan", "PLAN-2026-0006"]);
    assert_eq!(o.code, 0, "{}", o.stderr);

    // One step: the order is issued with the report's finding, at the linked plan.
    let o = report(
        "zhaomin",
        &[
            "to-order",
            &rpt,
            "--action",
            "书面说明并补充厂商数据访问管控",
            "--deadline",
            &day(7),
        ],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    let ro = created(&o.stdout);
    assert!(ro.starts_with("RO-") && o.stdout.contains(&rpt), "{}", o.stdout);
    let v = json(&d, "order", &ro);
    assert_eq!(v["target"]["plan"], "PLAN-2026-0006");
    assert_eq!(v["finding"], notes);
    assert_eq!(v["status"], "open");
    assert_eq!(v["issuer"], "zhaomin");
    let r = json(&d, "report", &rpt);
    assert_eq!(r["order"], ro.as_str());
    assert_eq!(r["plan"], "PLAN-2026-0006");
    assert_eq!(r["status"], "investigating");
    // Only once.
    let o = report(
        "zhaomin",
        &[
            "to-order",
            &rpt,
            "--department",
            "学工部",
            "--action",
            "x",
            "--deadline",
            &day(7),
        ],
    );
    assert_eq!(o.code, 3);
    assert!(
        o.stderr.contains(&format!("has already been turned into {ro}")),
        "{}",
        o.stderr
    );
    // The department sees the order (not the report) and answers it.
    let o = d.run(Some("wanglei"), "en", &["supervision", "order", "show", &ro]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(
        !o.stdout.contains(&rpt),
        "an order does not name the report it came from"
    );
    let o = report("wanglei", &["show", &rpt]);
    assert_ne!(o.code, 0, "only supervisors read reports");

    // Then the reporter is told the outcome, and the report is closed.
    let o = report("zhaomin", &["reply", &rpt, "--reply", "经查属实，已下达整改通知"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let r = json(&d, "report", &rpt);
    assert_eq!(r["status"], "closed");
    assert_eq!(r["replied_by"], "zhaomin");

    // Both audited: the order's issue and the report's turn into it.
    let audit = d.ok("zhaomin", &["audit", "--entity", &ro]);
    assert!(
        audit.contains("turn a confidential report into a rectification order"),
        "{audit}"
    );
    assert!(audit.contains("issue a rectification order"), "{audit}");
    assert!(
        !audit.contains("U盘"),
        "the audit log names no report content:\n{audit}"
    );
    let o = d.run(Some("zhaomin"), "zh-CN", &["supervision", "report", "show", &rpt]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(
        o.stdout.contains(&ro) && o.stdout.contains("PLAN-2026-0006"),
        "{}",
        o.stdout
    );
}
