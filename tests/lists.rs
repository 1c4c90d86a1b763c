//! The counts and the newest-first order the first screen reads
//! (`src/store/lists.rs`) stay equal to a recount of the summaries through
//! every kind of change: the whole demo workflow, imports committed and rolled
//! back, and a database opened without them.

use beian::model::*;
use beian::service::{ImportItem, PlanFilter, RequestFilter, Service};

const ADMIN: &str = "admin";

fn name<S: serde::Serialize>(s: S) -> String {
    serde_json::to_value(s).unwrap().as_str().unwrap().to_string()
}

/// Every count and the first screen, recounted from the full lists.
fn check(svc: &Service, what: &str) {
    check_as(svc, ADMIN, what)
}

fn check_as(svc: &Service, who: &str, what: &str) {
    let a = svc.actor_named(who, &[]);
    let requests = svc.requests(&a, &RequestFilter::default()).unwrap();
    let plans = svc.plans(&a, &PlanFilter::default()).unwrap();
    let counts = svc.raw_store().counts().unwrap();
    assert_eq!(counts.total("request"), requests.len(), "{what}: requests");
    for st in RequestStatus::ALL {
        let n = requests.iter().filter(|r| r.status == *st).count();
        assert_eq!(counts.get("request", &name(st)), n, "{what}: requests {st:?}");
    }
    assert_eq!(counts.total("plan"), plans.len(), "{what}: plans");
    for st in PlanStatus::ALL {
        let n = plans.iter().filter(|p| p.status == *st).count();
        assert_eq!(counts.get("plan", &name(st)), n, "{what}: plans {st:?}");
    }
    let dossiers = svc.archive(&a, &Default::default()).unwrap().len();
    assert_eq!(counts.get("dossier", "filed"), dossiers, "{what}: dossiers");
    let o = svc.overview(&a).unwrap();
    assert_eq!(
        (o.requests, o.plans, o.dossiers),
        (requests.len(), plans.len(), dossiers)
    );

    // The queue's default order: newest first, ties by id, highest first.
    let mut sorted = requests.clone();
    sorted.sort_by(|x, y| y.received_at.cmp(&x.received_at).then(y.id.key().cmp(&x.id.key())));
    for n in [0, 1, 7, sorted.len(), sorted.len() + 5] {
        let first = svc.first_screen(&a, n).unwrap();
        // At most FIRST_SCREEN_MAX rows, however many are asked for.
        let n = n.min(beian::service::FIRST_SCREEN_MAX);
        let want: Vec<Id> = sorted.iter().take(n).map(|r| r.id).collect();
        let got: Vec<Id> = first.newest.iter().map(|r| r.id).collect();
        if let Some(i) = (0..n.min(sorted.len())).find(|&i| got.get(i) != want.get(i)) {
            let show = |v: &[RequestSummary]| {
                v.iter()
                    .skip(i.saturating_sub(2))
                    .take(5)
                    .map(|r| format!("{} {}", r.id, r.received_at.to_rfc3339()))
                    .collect::<Vec<_>>()
            };
            panic!(
                "{what}: the {n} newest differ at {i} (of {}): got {:?}, want {:?}",
                got.len(),
                show(&first.newest),
                show(&sorted)
            );
        }
        assert_eq!(got.len(), want.len(), "{what}: the {n} newest");
        assert_eq!(first.newest, sorted[..n.min(sorted.len())], "{what}: summaries");
        assert_eq!(first.overview, o);
    }
}

fn item(title: &str, key: &str) -> ImportItem {
    serde_json::from_value(serde_json::json!({
        "request": {"kind": "problem", "title": title, "body": "计数测试",
            "submitter": {"name": "王同学", "kind": "student"}, "channel": "questionnaire"},
        "key": key, "label": key}))
    .unwrap()
}

#[test]
fn counts_and_order_follow_every_change() {
    std::env::set_var("TZ", "Asia/Shanghai");
    let dir = tempfile::tempdir().unwrap();
    let mut svc = Service::create(dir.path(), ADMIN, true).unwrap();
    check(&svc, "empty");
    beian::demo::populate(&mut svc, chrono::Utc::now()).unwrap();
    check(&svc, "demo");
    let before = svc.raw_store().counts().unwrap();
    let a = svc.actor_named(ADMIN, &[]);

    // An import rolled back (dropped unfinished) leaves the counts as they were,
    // across more than one batch; one committed adds its rows, received in the
    // past (so they sort among the old ones, not at the top).
    let batch = beian::service::IMPORT_BATCH;
    let items = |tag: &str| -> Vec<ImportItem> {
        (0..batch + 3)
            .map(|i| item(&format!("导入{tag}{i}"), &format!("row:{tag}{i}")))
            .enumerate()
            .map(|(i, mut it)| {
                it.request.received_at = Some(
                    format!("2025-03-{:02}T08:{:02}:00+08:00", 1 + i % 28, i % 60)
                        .parse()
                        .unwrap(),
                );
                it
            })
            .collect()
    };
    {
        let mut s = svc.import_session(&a, false).unwrap();
        let all = items("甲");
        let (one, two) = all.split_at(batch);
        s.add(one.to_vec()).unwrap();
        s.add(two.to_vec()).unwrap();
        drop(s);
    }
    assert_eq!(svc.raw_store().counts().unwrap(), before, "rolled back");
    check(&svc, "after a rollback");
    {
        let mut s = svc.import_session(&a, false).unwrap();
        s.add(items("乙")).unwrap();
        s.finish().unwrap();
    }
    check(&svc, "after an import");
    let counts = svc.raw_store().counts().unwrap();
    assert_eq!(counts.get("request", "new"), before.get("request", "new") + batch + 3);

    // Rebuilding from the summaries (what opening a database without them does)
    // gives the same counts.
    svc.raw_store().rebuild_lists().unwrap();
    assert_eq!(svc.raw_store().counts().unwrap(), counts);
    check(&svc, "rebuilt");

    // A database from before the counts (the marker and the order removed)
    // gets them at open.
    let path = dir.path().to_path_buf();
    svc.raw_store().raw_set("meta", b"lists/v1", None).unwrap();
    for (k, _) in svc.raw_store().raw_entries("requests_by_time").unwrap() {
        svc.raw_store().raw_set("requests_by_time", &k, None).unwrap();
    }
    for (k, _) in svc.raw_store().raw_entries("meta").unwrap() {
        if k.starts_with(b"count/") {
            svc.raw_store().raw_set("meta", &k, None).unwrap();
        }
    }
    drop(svc);
    let svc = Service::open(&path).unwrap();
    assert_eq!(svc.raw_store().counts().unwrap(), counts);
    check(&svc, "reopened without them");
}

/// `beian reindex` puts right counts and an order that went wrong (here forged).
#[test]
fn reindex_rebuilds_counts_and_order_from_the_records() {
    std::env::set_var("TZ", "Asia/Shanghai");
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let user = beian::config::os_user_name();
    let mut svc = Service::create(&data, &user, true).unwrap();
    beian::demo::populate(&mut svc, chrono::Utc::now()).unwrap();
    let right = svc.raw_store().counts().unwrap();
    svc.raw_store()
        .raw_set("meta", b"count/request/new", Some(&7u64.to_be_bytes()))
        .unwrap();
    let (k, _) = svc.raw_store().raw_entries("requests_by_time").unwrap().pop().unwrap();
    svc.raw_store().raw_set("requests_by_time", &k, None).unwrap();
    assert_ne!(svc.raw_store().counts().unwrap(), right);
    drop(svc);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_beian"))
        .env("BEIAN_NO_SERVER", "1")
        .arg("reindex")
        .env("BEIAN_DB", &data)
        .env("BEIAN_LANG", "en")
        .env_remove("BEIAN_SOCKET")
        .env_remove("XDG_RUNTIME_DIR")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("rebuilt the counts") && text.contains(&format!("{} requests", right.total("request"))),
        "{text}"
    );
    let svc = Service::open(&data).unwrap();
    assert_eq!(svc.raw_store().counts().unwrap(), right);
    check_as(&svc, &user, "reindexed");
}
