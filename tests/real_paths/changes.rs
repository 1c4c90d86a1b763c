//! Issue 16 §4 through the real binary: `beian changes` lists every go-live —
//! filed or not yet filed, marked as such — with rollbacks and implementations
//! under way; `beian archive search` ranks, shows where the words occur, pages
//! and takes scopes, with or without the database opened (the index read
//! beside it), the same answer either way.

use super::cli::Demo;

#[test]
fn changes_lists_go_lives_filed_or_not_rollbacks_and_work_under_way() {
    let d = Demo::new();
    let zh = d.run(None, "zh-CN", &["changes", "--since", "400d"]);
    assert_eq!(zh.code, 0, "{}", zh.stderr);
    for word in ["上线 (成功)", "回退", "实施中", "尚未备案", "FILE-2026-"] {
        assert!(zh.stdout.contains(word), "{word}: {}", zh.stdout);
    }
    let en = d.run(None, "en", &["changes", "--since", "400d"]);
    assert_eq!(en.code, 0, "{}", en.stderr);
    for word in ["go-live (success)", "rollback", "being implemented", "not yet filed"] {
        assert!(en.stdout.contains(word), "{word}: {}", en.stdout);
    }
    // One system; the JSON carries every row, unfiled go-lives without a dossier.
    let one = d.run(
        None,
        "en",
        &["changes", "--since", "400d", "--system", "一卡通系统", "--json"],
    );
    assert_eq!(one.code, 0, "{}", one.stderr);
    let rows: Vec<serde_json::Value> = serde_json::from_str(&one.stdout).unwrap();
    assert!(!rows.is_empty());
    let sys = &rows[0]["system"];
    assert!(rows.iter().all(|r| &r["system"] == sys));
    let all: Vec<serde_json::Value> =
        serde_json::from_str(&d.run(None, "en", &["changes", "--since", "400d", "--json"]).stdout).unwrap();
    assert!(all.iter().any(|r| r["event"] == "go_live" && r["dossier"].is_null()));
    // A bad period names the option.
    let bad = d.run(None, "en", &["changes", "--since", "lately"]);
    assert_ne!(bad.code, 0);
    assert!(bad.stderr.contains("--since"), "{}", bad.stderr);
}

#[test]
fn archive_search_ranks_pages_scopes_and_reads_the_index_without_the_database() {
    let d = Demo::new();
    // Read from the index beside the database (nobody holds it) …
    let direct = d.run(None, "en", &["archive", "search", "一卡通", "--json"]);
    assert_eq!(direct.code, 0, "{}", direct.stderr);
    let a: serde_json::Value = serde_json::from_str(&direct.stdout).unwrap();
    assert!(a["total"].as_u64().unwrap() >= 2);
    let hits = a["hits"].as_array().unwrap();
    // … best first, every hit with the lines where the word occurs, and its offsets.
    let scores: Vec<u64> = hits.iter().map(|h| h["score"].as_u64().unwrap()).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
    for h in hits {
        let sn = h["snippets"].as_array().unwrap();
        assert!(!sn.is_empty());
        for s in sn {
            let line = s["line"].as_str().unwrap();
            let m = &s["matches"][0];
            let (x, y) = (m[0].as_u64().unwrap() as usize, m[1].as_u64().unwrap() as usize);
            assert_eq!(&line[x..y], "一卡通", "{line}");
        }
    }
    // … and the same answer when the database is asked (a session acting as someone opens it).
    let opened = d.run(Some("wanglei"), "en", &["archive", "search", "一卡通", "--json"]);
    assert_eq!(opened.code, 0, "{}", opened.stderr);
    let b: serde_json::Value = serde_json::from_str(&opened.stdout).unwrap();
    assert_eq!(a["total"], b["total"]);
    assert_eq!(a["hits"].as_array().unwrap().len(), b["hits"].as_array().unwrap().len());
    // Pages: --limit 1, then "N more".
    let page = d.run(None, "en", &["archive", "search", "一卡通", "--limit", "1"]);
    assert!(page.stdout.contains("more: --offset 1"), "{}", page.stdout);
    // Not a terminal: no colour codes.
    assert!(!page.stdout.contains('\u{1b}'));
    let zh = d.run(None, "zh-CN", &["archive", "search", "一卡通", "--limit", "1"]);
    assert!(
        zh.stdout.contains("共找到") && zh.stdout.contains("档案"),
        "{}",
        zh.stdout
    );
    // Scopes: only addenda.
    let add = d.run(None, "en", &["archive", "search", "一卡通", "kind:addendum", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&add.stdout).unwrap();
    assert!(v["hits"].as_array().unwrap().iter().all(|h| h["kind"] == "addendum"));
    let bad = d.run(None, "en", &["archive", "search", "一卡通", "since:yesterday"]);
    assert_ne!(bad.code, 0);
    assert!(bad.stderr.contains("since:"), "{}", bad.stderr);
}
