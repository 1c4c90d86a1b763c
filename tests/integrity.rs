//! The archive can be trusted (issue 6): tampering with the database or a
//! backup is detected by `verify` (acceptance 2), backups restore to the same
//! records and chain head (3), and a database restored from each kept
//! schema-version fixture opens and verifies (6).
//!
//! `cargo test --release --test integrity -- --nocapture` prints the figures
//! docs/reliability.md quotes.

mod common;

use std::path::{Path, PathBuf};

use beian::model::*;
use beian::service::{Command, Service};
use beian::store::chain::{Broken, ChainHead};
use common::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Trials of each kind of tampering.
const TRIALS: usize = 1_000;

/// A world with three filed dossiers and two addenda.
fn archive_world() -> World {
    let w = World::new();
    let mut filed = Vec::new();
    for _ in 0..3 {
        let plan = w.plan_at(PlanStatus::Filed);
        filed.push(w.plan(plan).dossier.expect("filed"));
    }
    for (i, d) in filed.iter().take(2).enumerate() {
        w.ok(
            &op_a(),
            Command::Addendum {
                dossier: *d,
                reason: format!("更正第{i}处"),
                text: "回退演练的时间记错了，应为 22:40。".into(),
            },
        );
    }
    // Life goes on after the last filing: events that seal nothing.
    for title in ["迎新系统登录慢", "Wi-Fi portal shows 502", "成绩单打印错位"] {
        w.add_request(title);
    }
    w
}

type Kv = (Vec<u8>, Vec<u8>);

/// The chained trees of a database, as stored.
#[derive(Clone)]
struct Parts {
    audit: Vec<Kv>,
    dossiers: Vec<Kv>,
    addenda: Vec<Kv>,
    head: ChainHead,
}

fn parts(svc: &Service) -> Parts {
    let s = svc.raw_store();
    Parts {
        audit: s.raw_entries("audit").unwrap(),
        dossiers: s.raw_entries("dossiers").unwrap(),
        addenda: s.raw_entries("addenda").unwrap(),
        head: s.chain_head().unwrap(),
    }
}

const TREES: [&str; 3] = ["audit", "dossiers", "addenda"];

impl Parts {
    fn tree(&mut self, t: usize) -> &mut Vec<Kv> {
        match t {
            0 => &mut self.audit,
            1 => &mut self.dossiers,
            _ => &mut self.addenda,
        }
    }
}

/// One tampering: which tree, and the entries to write (`None`: remove) — the
/// same change is applied to an in-memory copy and to the live database.
struct Tamper {
    tree: usize,
    writes: Vec<(Vec<u8>, Option<Vec<u8>>)>,
    head: Option<ChainHead>,
}

type MakeTamper = fn(&Parts, &mut StdRng) -> Tamper;

fn pick_tree(rng: &mut StdRng) -> usize {
    // Audit events are most of what is chained; dossiers and addenda get their share.
    match rng.random_range(0..10) {
        0..=5 => 0,
        6..=8 => 1,
        _ => 2,
    }
}

fn change_a_byte(p: &Parts, rng: &mut StdRng) -> Tamper {
    let tree = pick_tree(rng);
    let list = [&p.audit, &p.dossiers, &p.addenda][tree];
    let (k, v) = &list[rng.random_range(0..list.len())];
    let mut v = v.clone();
    let i = rng.random_range(0..v.len());
    v[i] ^= rng.random_range(1..=255u8);
    Tamper {
        tree,
        writes: vec![(k.clone(), Some(v))],
        head: None,
    }
}

fn delete(p: &Parts, rng: &mut StdRng) -> Tamper {
    let tree = pick_tree(rng);
    let list = [&p.audit, &p.dossiers, &p.addenda][tree];
    let (k, _) = &list[rng.random_range(0..list.len())];
    Tamper {
        tree,
        writes: vec![(k.clone(), None)],
        head: None,
    }
}

fn reorder(p: &Parts, rng: &mut StdRng) -> Tamper {
    let tree = pick_tree(rng);
    let list = [&p.audit, &p.dossiers, &p.addenda][tree];
    let a = rng.random_range(0..list.len());
    let mut b = rng.random_range(0..list.len() - 1);
    if b >= a {
        b += 1;
    }
    Tamper {
        tree,
        writes: vec![
            (list[a].0.clone(), Some(list[b].1.clone())),
            (list[b].0.clone(), Some(list[a].1.clone())),
        ],
        head: None,
    }
}

/// A forged record added: an event after the head (content changed, chained
/// to the head, even with the recorded head moved to it), a dossier under a
/// new id, or an addendum under a new number.
fn append_forged(p: &Parts, rng: &mut StdRng) -> Tamper {
    let tree = pick_tree(rng);
    match tree {
        0 => {
            let (_, v) = &p.audit[rng.random_range(0..p.audit.len())];
            let mut ev: AuditEvent = serde_json::from_slice(v).unwrap();
            ev.seq = p.head.seq + 1;
            ev.summary = format!("{}（补录）", ev.summary);
            ev.prev = p.head.seal.clone();
            let move_head = rng.random_bool(0.5);
            Tamper {
                tree,
                writes: vec![(ev.seq.to_be_bytes().to_vec(), Some(serde_json::to_vec(&ev).unwrap()))],
                head: move_head.then(|| ChainHead {
                    seq: ev.seq,
                    seal: ev.seal.clone(),
                }),
            }
        }
        1 => {
            let (_, v) = &p.dossiers[rng.random_range(0..p.dossiers.len())];
            let mut d: serde_json::Value = serde_json::from_slice(v).unwrap();
            let n = 100 + rng.random_range(0..900u32);
            let id = Id::new(IdKind::Dossier, 2026, n);
            d["id"] = serde_json::json!(id.to_string());
            Tamper {
                tree,
                writes: vec![(id.key().to_vec(), Some(serde_json::to_vec(&d).unwrap()))],
                head: None,
            }
        }
        _ => {
            let (k, v) = &p.addenda[rng.random_range(0..p.addenda.len())];
            let mut k = k.clone();
            let n = k.len();
            k[n - 4..].copy_from_slice(&(50 + rng.random_range(0..100u32)).to_be_bytes());
            Tamper {
                tree,
                writes: vec![(k, Some(v.clone()))],
                head: None,
            }
        }
    }
}

/// Cut the last events and record the new last one as the head, as a careful
/// forger would: only an expected head kept outside finds it.
fn truncate(p: &Parts, rng: &mut StdRng) -> Tamper {
    let cut = rng.random_range(1..=p.audit.len().min(20));
    let keep = p.audit.len() - cut;
    let last: AuditEvent = serde_json::from_slice(&p.audit[keep - 1].1).unwrap();
    Tamper {
        tree: 0,
        writes: p.audit[keep..].iter().map(|(k, _)| (k.clone(), None)).collect(),
        head: Some(ChainHead {
            seq: last.seq,
            seal: last.seal,
        }),
    }
}

fn apply_to_parts(p: &Parts, t: &Tamper) -> Parts {
    let mut p = p.clone();
    {
        let list = p.tree(t.tree);
        for (k, v) in &t.writes {
            match (list.binary_search_by(|(k2, _)| k2.cmp(k)), v) {
                (Ok(i), Some(v)) => list[i].1 = v.clone(),
                (Ok(i), None) => {
                    list.remove(i);
                }
                (Err(i), Some(v)) => list.insert(i, (k.clone(), v.clone())),
                (Err(_), None) => {}
            }
        }
    }
    if let Some(h) = &t.head {
        p.head = h.clone();
    }
    p
}

fn verify_parts(p: &Parts, expect: Option<&ChainHead>) -> Option<beian::store::chain::Problem> {
    beian::store::chain::verify_parts(
        p.audit.clone(),
        p.dossiers.clone(),
        p.addenda.clone(),
        Some(p.head.clone()),
        expect,
    )
    .problem
}

/// Apply `t` to the live database, verify, put everything back.
fn verify_tampered_db(svc: &Service, original: &Parts, t: &Tamper, expect: Option<&ChainHead>) -> Option<Broken> {
    let s = svc.raw_store();
    let tree = TREES[t.tree];
    let set_head = |h: &ChainHead| {
        s.raw_set("meta", b"audit_seq", Some(&h.seq.to_be_bytes())).unwrap();
        s.raw_set("meta", b"audit_head", Some(h.seal.as_bytes())).unwrap();
    };
    for (k, v) in &t.writes {
        s.raw_set(tree, k, v.as_deref()).unwrap();
    }
    if let Some(h) = &t.head {
        set_head(h);
    }
    let found = s.verify(expect).unwrap().problem.map(|p| p.broken);
    let list = [&original.audit, &original.dossiers, &original.addenda][t.tree];
    for (k, _) in &t.writes {
        let old = list.iter().find(|(k2, _)| k2 == k).map(|(_, v)| v.as_slice());
        s.raw_set(tree, k, old).unwrap();
    }
    set_head(&original.head);
    found
}

#[test]
fn every_tampering_with_the_database_is_detected() {
    let w = archive_world();
    let original = parts(&w.svc);
    assert!(w.svc.raw_store().verify(None).unwrap().ok());
    assert_eq!((original.dossiers.len(), original.addenda.len()), (3, 2));
    let kinds: [(&str, MakeTamper); 4] = [
        ("change a byte", change_a_byte),
        ("delete a record", delete),
        ("reorder two records", reorder),
        ("append a forged record", append_forged),
    ];
    let mut rng = StdRng::seed_from_u64(0x6265_6961_6e06);
    eprintln!(
        "chain: {} events, {} dossiers, {} addenda",
        original.audit.len(),
        original.dossiers.len(),
        original.addenda.len()
    );
    for (name, make) in kinds {
        let mut detected = 0;
        for trial in 0..TRIALS {
            let t = make(&original, &mut rng);
            // Every trial on a copy of the stored bytes; every tenth also on the live database.
            let in_copy = verify_parts(&apply_to_parts(&original, &t), None);
            assert!(
                in_copy.is_some(),
                "{name}, trial {trial}: not detected in the stored bytes"
            );
            if trial % 10 == 0 {
                let in_db = verify_tampered_db(&w.svc, &original, &t, None);
                assert!(in_db.is_some(), "{name}, trial {trial}: not detected in the database");
            }
            detected += 1;
        }
        eprintln!("{name}: {detected}/{TRIALS} detected");
        // The database is as it was.
        assert!(w.svc.raw_store().verify(Some(&original.head)).unwrap().ok());
    }
    // Truncation with the recorded head moved back: invisible without an anchor,
    // always found with the head a supervisor kept.
    // (A cut that removes the event sealing a dossier is found without it too:
    // the dossier is then sealed by nothing.)
    let (mut found, mut only_with_expect) = (0, 0);
    for trial in 0..TRIALS {
        let t = truncate(&original, &mut rng);
        let tampered = apply_to_parts(&original, &t);
        match verify_parts(&tampered, None).map(|p| p.broken) {
            None => only_with_expect += 1,
            // The cut took the event sealing a dossier or addendum.
            Some(Broken::NotSealed) => {}
            other => panic!("truncation trial {trial} without --expect: {other:?}"),
        }
        let with = verify_parts(&tampered, Some(&original.head)).map(|p| p.broken);
        assert!(
            matches!(with, Some(Broken::Truncated { expected }) if expected == original.head.seq)
                || matches!(with, Some(Broken::NotSealed)),
            "truncation trial {trial}: {with:?}"
        );
        if trial % 10 == 0 {
            let in_db = verify_tampered_db(&w.svc, &original, &t, Some(&original.head));
            assert!(in_db.is_some(), "truncation trial {trial} in the database");
        }
        found += 1;
    }
    assert!(only_with_expect > 0, "the trials include clean cuts of the tail");
    eprintln!("truncate (with --expect): {found}/{TRIALS} detected, {only_with_expect} of them only with --expect");
    assert!(w.svc.raw_store().verify(Some(&original.head)).unwrap().ok());
}

/// Run the binary.
fn beian(args: &[&str], db: &Path) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_beian"))
        .args(args)
        .env("BEIAN_DB", db)
        .env("BEIAN_LANG", "en")
        .env_remove("BEIAN_SOCKET")
        .env_remove("XDG_RUNTIME_DIR")
        .output()
        .unwrap()
}

fn only_backup(dir: &Path) -> PathBuf {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_str().unwrap().starts_with("beian-backup-"))
        .collect();
    assert_eq!(found.len(), 1, "{found:?}");
    found.pop().unwrap()
}

#[test]
fn a_backup_restores_to_the_same_records_and_head_and_tampering_with_it_is_found() {
    use std::os::unix::fs::PermissionsExt;
    let w = archive_world();
    let head = w.svc.raw_store().chain_head().unwrap();
    let counts: Vec<(String, usize)> = ["requests", "plans", "dossiers", "addenda", "audit", "imports"]
        .iter()
        .map(|t| (t.to_string(), w.svc.raw_store().raw_entries(t).unwrap().len()))
        .collect();
    let tmp = tempfile::tempdir().unwrap();
    w.svc.backup(&admin(), &tmp.path().join("bk"), Some(3)).unwrap();
    drop(w);
    let bk = only_backup(&tmp.path().join("bk"));
    // Private: the directory 0700, every file 0600.
    assert_eq!(std::fs::metadata(&bk).unwrap().permissions().mode() & 0o777, 0o700);
    for f in std::fs::read_dir(&bk).unwrap() {
        let f = f.unwrap().path();
        assert_eq!(
            std::fs::metadata(&f).unwrap().permissions().mode() & 0o777,
            0o600,
            "{f:?}"
        );
    }
    let into = tmp.path().join("restored");
    let out = beian(
        &["restore", bk.to_str().unwrap(), "--into", into.to_str().unwrap()],
        &into,
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let svc = Service::open(&into).unwrap();
    assert_eq!(svc.raw_store().chain_head().unwrap(), head);
    for (t, n) in &counts {
        assert_eq!(svc.raw_store().raw_entries(t).unwrap().len(), *n, "{t}");
    }
    drop(svc);

    // A byte changed anywhere in the records: the manifest's SHA-256 finds it.
    let records = std::fs::read(bk.join("records.jsonl")).unwrap();
    let mut rng = StdRng::seed_from_u64(7);
    let copy = tmp.path().join("copy");
    std::fs::create_dir(&copy).unwrap();
    for f in ["manifest.json", "config.toml"] {
        std::fs::copy(bk.join(f), copy.join(f)).unwrap();
    }
    for _ in 0..TRIALS {
        let mut bytes = records.clone();
        let i = rng.random_range(0..bytes.len());
        bytes[i] ^= rng.random_range(1..=255u8);
        std::fs::write(copy.join("records.jsonl"), &bytes).unwrap();
        let e = beian::store::backup::check_backup(&copy).unwrap_err();
        assert_eq!(e.exit_code(), 6, "{e:?}");
    }
    // The same through the binary: exit 6, the file named.
    let out = beian(&["verify", "--backup", copy.to_str().unwrap()], &into);
    assert_eq!(out.status.code(), Some(6), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("records.jsonl"));
    // The backup itself verifies, and --expect holds on it.
    let out = beian(
        &[
            "verify",
            "--backup",
            bk.to_str().unwrap(),
            "--expect",
            &head.to_string(),
        ],
        &into,
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// A backup in the format of each schema version, kept in tests/fixtures/schema.
fn fixture(v: u32) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/fixtures/schema/v{v}"))
}

/// Write the fixtures (`BEIAN_WRITE_FIXTURES=1`): v2 is today's backup of the
/// archive world; v1 is the same records as schema 1 stored them — audit
/// events without `digest`, `prev` and `seal`, no recorded head.
fn write_fixtures() {
    let w = archive_world();
    let tmp = tempfile::tempdir().unwrap();
    w.svc.backup(&admin(), tmp.path(), None).unwrap();
    let bk = only_backup(tmp.path());
    for v in [1, 2] {
        let dir = fixture(v);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::copy(bk.join("config.toml"), dir.join("config.toml")).unwrap();
    }
    std::fs::copy(bk.join("records.jsonl"), fixture(2).join("records.jsonl")).unwrap();
    std::fs::copy(bk.join("manifest.json"), fixture(2).join("manifest.json")).unwrap();
    let mut v1 = String::new();
    for line in std::fs::read_to_string(bk.join("records.jsonl")).unwrap().lines() {
        let mut l: serde_json::Value = serde_json::from_str(line).unwrap();
        match l["tree"].as_str().unwrap() {
            "audit" => {
                let ev = l["json"].as_object_mut().unwrap();
                for f in ["digest", "prev", "seal"] {
                    ev.remove(f);
                }
            }
            "meta" if l["key"] == beian::store::chain::hex(b"audit_head") => continue,
            "meta" if l["key"] == beian::store::chain::hex(b"schema") => {
                l["hex"] = serde_json::json!(beian::store::chain::hex(&1u32.to_be_bytes()));
            }
            _ => {}
        }
        v1.push_str(&serde_json::to_string(&l).unwrap());
        v1.push('\n');
    }
    std::fs::write(fixture(1).join("records.jsonl"), &v1).unwrap();
    let mut m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(bk.join("manifest.json")).unwrap()).unwrap();
    m["schema"] = serde_json::json!(1);
    m["head"] = serde_json::json!({"seq": m["head"]["seq"], "seal": ""});
    m["records_sha256"] = serde_json::json!(beian::store::chain::sha256_hex(v1.as_bytes()));
    std::fs::write(
        fixture(1).join("manifest.json"),
        serde_json::to_string_pretty(&m).unwrap(),
    )
    .unwrap();
}

#[test]
fn every_kept_schema_version_restores_opens_and_verifies() {
    if std::env::var_os("BEIAN_WRITE_FIXTURES").is_some() {
        write_fixtures();
    }
    let mut versions = Vec::new();
    for v in 1..=beian::store::SCHEMA_VERSION {
        let dir = fixture(v);
        assert!(
            dir.join("manifest.json").exists(),
            "no fixture for schema {v}: run BEIAN_WRITE_FIXTURES=1 cargo test --test integrity (and keep the old ones)"
        );
        let tmp = tempfile::tempdir().unwrap();
        let into = tmp.path().join("data");
        let manifest = beian::store::backup::restore(&dir, &into).unwrap();
        assert_eq!(manifest.schema, v);
        let svc = Service::open(&into).unwrap();
        let report = svc.store_verify(None).unwrap();
        assert!(report.ok(), "schema {v}: {:?}", report.problem);
        assert_eq!(report.dossiers, 3, "schema {v}");
        assert_eq!(report.addenda, 2, "schema {v}");
        if v < beian::store::SCHEMA_VERSION {
            // The migration sealed the records filed before the chain, with one event.
            let last = &svc.raw_store().audit(None, 1).unwrap()[0];
            assert_eq!(last.action, beian::store::chain::MIGRATE_ACTION);
            assert_eq!(last.digest.split_whitespace().count(), 5, "{last:?}");
        }
        // And it goes on working: a new event chains onto the migrated head.
        let admin = svc.actor_named(svc.creator(), &[]);
        svc.execute(&admin, new_request("恢复后的第一条", None), None).unwrap();
        assert!(svc.store_verify(None).unwrap().ok());
        versions.push(v);
    }
    eprintln!("schema fixtures restored and verified: {versions:?}");
}

/// `beian demo --scale small` (a hundredth of `large`, the performance dataset)
/// goes through the same core: its chain verifies.
#[test]
fn the_generated_dataset_verifies() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("demo");
    let out = beian(&["--json", "demo", "--scale", "small"], &db);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["stats"]["requests"], 1000);
    assert_eq!(v["stats"]["dossiers"], 100);
    let out = beian(&["--json", "verify"], &db);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["dossiers"], 100);
    assert_eq!(r["head"]["seq"], v["stats"]["audit_events"]);
    let out = beian(&["demo", "--scale", "huge"], &db);
    assert_eq!(out.status.code(), Some(2));
}

/// Every tree as stored (the undo log is empty at rest).
fn all_trees(svc: &Service) -> Vec<(String, Vec<Kv>)> {
    beian::store::Store::tree_names()
        .iter()
        .filter(|t| **t != "undo")
        .map(|t| (t.to_string(), svc.raw_store().raw_entries(t).unwrap()))
        .collect()
}

#[test]
fn compaction_keeps_every_record_and_survives_an_interrupted_swap() {
    let w = archive_world();
    // Rewrites that leave garbage in sled's log for compaction to drop.
    for i in 0..40 {
        w.add_request(&format!("压缩前的需求{i}"));
    }
    let before = all_trees(&w.svc);
    let head = w.svc.raw_store().chain_head().unwrap();
    let World { svc, dir, .. } = w;
    // Only an admin may compact; the refusal changes nothing.
    let e = svc.compact(&viewer()).unwrap_err();
    assert_eq!(e.exit_code(), 3, "{e:?}");
    let data = dir.path().join("data");
    // Not while another process has the database.
    let held = Service::open(&data).unwrap();
    let out = beian(&["compact"], &data);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("in use"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    drop(held);

    let out = beian(&["compact"], &data);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("compacted") && text.contains(&head.to_string()), "{text}");
    assert!(!data.join(".compact").exists() && !data.join(".db.old").exists());
    let svc = Service::open(&data).unwrap();
    assert_eq!(all_trees(&svc), before, "the same records, byte for byte");
    assert!(svc.raw_store().verify(Some(&head)).unwrap().ok());
    drop(svc);

    // A crash between the two renames of the swap: `db` gone, the database in
    // `.db.old` — the next open puts it back.
    std::fs::rename(data.join("db"), data.join(".db.old")).unwrap();
    let svc = Service::open(&data).unwrap();
    assert_eq!(all_trees(&svc), before);
    drop(svc);
    // A crash after both renames: the old copy is removed at the next open.
    let copy = |from: &Path, to: &Path| {
        assert!(std::process::Command::new("cp")
            .arg("-a")
            .arg(from)
            .arg(to)
            .status()
            .unwrap()
            .success());
    };
    copy(&data.join("db"), &data.join(".db.old"));
    let svc = Service::open(&data).unwrap();
    assert!(!data.join(".db.old").exists());
    assert_eq!(all_trees(&svc), before);
    drop(svc);
    // A crash before the swap: a leftover `.compact/` is ignored, then replaced.
    copy(&data.join("db"), &data.join(".compact"));
    let out = beian(&["compact"], &data);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!data.join(".compact").exists());
    let svc = Service::open(&data).unwrap();
    assert_eq!(all_trees(&svc), before);
}
