//! Issue 17 §1: `beian attention` on the demo semester lists the live plans
//! not filed, the plans past their window and the overdue order, each with the
//! role that should act; `--json`, `--role`, both languages, `beian overview`;
//! an item leaves the list once its record is dealt with.

use super::cli::Demo;

fn items(d: &Demo, args: &[&str]) -> Vec<serde_json::Value> {
    let mut all = vec!["attention", "--json"];
    all.extend_from_slice(args);
    let o = d.run(None, "en", &all);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    v["items"].as_array().unwrap().clone()
}

fn of_kind<'a>(items: &'a [serde_json::Value], kind: &str) -> Vec<&'a serde_json::Value> {
    items.iter().filter(|i| i["kind"] == kind).collect()
}

#[test]
fn the_demo_needs_attention_and_says_who_should_act() {
    let d = Demo::new();
    let all = items(&d, &[]);
    for kind in ["live_unfiled", "window_passed", "order_overdue"] {
        let these = of_kind(&all, kind);
        assert!(!these.is_empty(), "no {kind} in {all:#?}");
        for i in these {
            assert_eq!(i["role"], "operator", "{i}");
            assert!(
                i["since"].is_string() && i["why"].as_str().is_some_and(|w| !w.is_empty()),
                "{i}"
            );
        }
    }
    let order = of_kind(&all, "order_overdue")[0]["record"]
        .as_str()
        .unwrap()
        .to_string();
    let plans: Vec<String> = of_kind(&all, "live_unfiled")
        .iter()
        .chain(of_kind(&all, "window_passed").iter())
        .map(|i| i["record"].as_str().unwrap().to_string())
        .collect();

    // The table, in both languages, exits 0 with items listed.
    let zh = d.run(None, "zh-CN", &["attention"]);
    assert_eq!(zh.code, 0, "{}", zh.stderr);
    for text in [
        "上线未归档",
        "窗口已过",
        "整改逾期",
        "运维人员",
        "事项",
        "处理角色",
        &order,
    ] {
        assert!(zh.stdout.contains(text), "{text} not in\n{}", zh.stdout);
    }
    for p in &plans {
        assert!(zh.stdout.contains(p.as_str()), "{p} not in\n{}", zh.stdout);
    }
    assert!(!zh.stdout.contains("live_unfiled") && !zh.stdout.contains("attention."));
    let en = d.run(None, "en", &["attention"]);
    for text in ["Live, not filed", "Window passed", "Order overdue", "role", "since"] {
        assert!(en.stdout.contains(text), "{text} not in\n{}", en.stdout);
    }

    // --role: only what that role should act on.
    let ops = items(&d, &["--role", "operator"]);
    assert!(!ops.is_empty() && ops.iter().all(|i| i["role"] == "operator"));
    let sup = items(&d, &["--role", "supervisor"]);
    assert!(sup.iter().all(|i| i["role"] == "supervisor"), "{sup:#?}");
    let bad = d.run(None, "en", &["attention", "--role", "boss"]);
    assert_eq!(bad.code, 2, "{}", bad.stderr);
    assert!(bad.stderr.contains("boss"), "{}", bad.stderr);

    // The overview includes the list.
    let o = d.run(None, "zh-CN", &["overview"]);
    assert!(
        o.stdout.contains("待处理事项") && o.stdout.contains(&order),
        "{}",
        o.stdout
    );
    let o = d.run(None, "en", &["overview", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(v["attention"]["items"].as_array().unwrap().len(), all.len());

    // Dealt with: the order responded is the supervisor's to decide, then
    // closed it leaves the list.
    d.ok(
        "wanglei",
        &[
            "supervision",
            "order",
            "respond",
            &order,
            "--response",
            "已书面报告并发布回退说明",
        ],
    );
    let now = items(&d, &[]);
    let it = of_kind(&now, "order_overdue");
    assert_eq!(it.len(), 1);
    assert_eq!(it[0]["role"], "supervisor", "{now:#?}");
    assert_eq!(items(&d, &["--role", "supervisor"]).len(), sup.len() + 1);
    d.ok("zhaomin", &["supervision", "order", "close", &order]);
    assert!(of_kind(&items(&d, &[]), "order_overdue").is_empty());
}
