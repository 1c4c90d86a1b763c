//! Issue 6, acceptance 3: a backup taken while four clients write through the
//! server restores to a database with the same record counts and chain head as
//! the backup recorded, verifies, and is consistent (every request in it has
//! its audit event: no change is half in the copy).

mod server_support;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use beian::service::{Backend, Command};
use server_support::*;

fn add(n: usize, client: usize) -> Command {
    serde_json::from_value(serde_json::json!({"command": "request_add", "request": {
        "kind": "problem",
        "title": format!("客户端{client}的第{n}条反馈：登录后空白"),
        "body": "复现：统一身份认证登录后跳转到空白页。",
        "submitter": {"name": format!("用户{client}"), "kind": "student"},
        "channel": "website"}}))
    .unwrap()
}

#[test]
fn a_backup_during_four_writers_restores_to_the_same_counts_and_head() {
    let srv = Server::start(&config_for(&["admin", "operator", "supervisor"]));
    let stop = Arc::new(AtomicBool::new(false));
    let acked = Arc::new(AtomicUsize::new(0));
    let writers: Vec<_> = (0..4)
        .map(|c| {
            let remote = srv.connect().unwrap();
            let (stop, acked) = (stop.clone(), acked.clone());
            std::thread::spawn(move || {
                let mut n = 0;
                while !stop.load(Ordering::SeqCst) {
                    remote.execute(add(n, c), None).unwrap();
                    acked.fetch_add(1, Ordering::SeqCst);
                    n += 1;
                }
                n
            })
        })
        .collect();
    eventually("the writers to get going", 30, || acked.load(Ordering::SeqCst) >= 40);
    let tmp = tempfile::tempdir().unwrap();
    let out = srv.cli(&["--json", "backup", tmp.path().join("bk").to_str().unwrap()]);
    let report = out.json();
    let during = acked.load(Ordering::SeqCst);
    std::thread::sleep(Duration::from_millis(200));
    stop.store(true, Ordering::SeqCst);
    let written: usize = writers.into_iter().map(|w| w.join().unwrap()).sum();
    assert!(
        written > during,
        "the writers went on after the backup: {written} > {during}"
    );

    let path = report["path"].as_str().unwrap();
    let counts = &report["manifest"]["counts"];
    let head = &report["manifest"]["head"];
    let in_backup = counts["requests"].as_u64().unwrap() as usize;
    assert!(in_backup >= 40 && in_backup < written, "{in_backup} of {written}");

    let into = tmp.path().join("restored");
    let out = run_cli(
        &["--json", "restore", path, "--into", into.to_str().unwrap()],
        &[("BEIAN_DB", into.as_os_str())],
    );
    let restored = out.json();
    assert_eq!(restored["verify"]["head"], *head);
    assert!(restored["verify"]["problem"].is_null(), "{restored}");

    let svc = beian::service::Service::open(&into).unwrap();
    let store = svc.raw_store();
    for (tree, n) in counts.as_object().unwrap() {
        assert_eq!(
            store.raw_entries(tree).unwrap().len() as u64,
            n.as_u64().unwrap(),
            "{tree}"
        );
    }
    assert_eq!(serde_json::to_value(store.chain_head().unwrap()).unwrap(), *head);
    // Consistent: the audit log has exactly one request.add per request.
    let adds = store
        .audit(None, usize::MAX)
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "request.add")
        .count();
    assert_eq!(adds, in_backup);
    // The live database went on past the backup and verifies too.
    let live = srv.cli(&["--json", "verify"]).json();
    assert!(live["head"]["seq"].as_u64().unwrap() > head["seq"].as_u64().unwrap());
}
