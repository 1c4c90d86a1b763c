//! The archive can be trusted (issue 6): tampering with the database or a
//! backup is detected by `verify` (acceptance 2), backups restore to the same
//! records and chain head (3), and a database restored from each kept
//! schema-version fixture opens and verifies (6).
//!
//! `cargo test --release --test integrity -- --nocapture` prints the figures
//! docs/reliability.md quotes.

mod common;
mod server_support;

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

/// One tampering: the entries to write (`None`: remove), each in its tree
/// (an index into [`TREES`]) — the same change is applied to an in-memory
/// copy and to the live database — and the recorded head, if it is moved.
struct Tamper {
    writes: Vec<(usize, Vec<u8>, Option<Vec<u8>>)>,
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
        writes: vec![(tree, k.clone(), Some(v))],
        head: None,
    }
}

fn delete(p: &Parts, rng: &mut StdRng) -> Tamper {
    let tree = pick_tree(rng);
    let list = [&p.audit, &p.dossiers, &p.addenda][tree];
    let (k, _) = &list[rng.random_range(0..list.len())];
    Tamper {
        writes: vec![(tree, k.clone(), None)],
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
        writes: vec![
            (tree, list[a].0.clone(), Some(list[b].1.clone())),
            (tree, list[b].0.clone(), Some(list[a].1.clone())),
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
                writes: vec![(
                    tree,
                    ev.seq.to_be_bytes().to_vec(),
                    Some(serde_json::to_vec(&ev).unwrap()),
                )],
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
                writes: vec![(tree, id.key().to_vec(), Some(serde_json::to_vec(&d).unwrap()))],
                head: None,
            }
        }
        _ => {
            let (k, v) = &p.addenda[rng.random_range(0..p.addenda.len())];
            let mut k = k.clone();
            let n = k.len();
            k[n - 4..].copy_from_slice(&(50 + rng.random_range(0..100u32)).to_be_bytes());
            Tamper {
                writes: vec![(tree, k, Some(v.clone()))],
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
        writes: p.audit[keep..].iter().map(|(k, _)| (0, k.clone(), None)).collect(),
        head: Some(ChainHead {
            seq: last.seq,
            seal: last.seal,
        }),
    }
}

/// The name a dossier or addendum has in the chain, from its key.
fn record_name(tree: usize, k: &[u8]) -> String {
    match tree {
        1 => Id::from_key(IdKind::Dossier, k).unwrap().to_string(),
        _ => {
            let n = k.len() - 4;
            let id = Id::from_key(IdKind::Dossier, &k[..n]).unwrap();
            beian::store::chain::addendum_ref(id, u32::from_be_bytes(k[n..].try_into().unwrap()))
        }
    }
}

/// A filed dossier or addendum changed (nine times in ten; else left as it
/// is) and re-sealed by a correctly sealed event appended at the head — any
/// actor, any action, sometimes sealing a second record unchanged too — with
/// the recorded head moved to it: the careful forger of issue 14. Only the
/// digest recorded at filing counts, so the second one is a break.
fn forge_sealed_event(p: &Parts, rng: &mut StdRng) -> Tamper {
    let pick = |rng: &mut StdRng| {
        let tree = if rng.random_bool(0.6) { 1 } else { 2 };
        let list = [&p.audit, &p.dossiers, &p.addenda][tree];
        let (k, v) = &list[rng.random_range(0..list.len())];
        (tree, k.clone(), v.clone())
    };
    let (tree, k, mut v) = pick(rng);
    if rng.random_bool(0.9) {
        let i = rng.random_range(0..v.len());
        v[i] ^= rng.random_range(1..=255u8);
    }
    let mut digest = vec![beian::store::chain::digest_entry(&record_name(tree, &k), &v)];
    if rng.random_bool(0.3) {
        let (t2, k2, v2) = pick(rng);
        let other = beian::store::chain::digest_entry(&record_name(t2, &k2), &v2);
        digest.insert(rng.random_range(0..=1), other);
    }
    let last: AuditEvent = serde_json::from_slice(&p.audit.last().unwrap().1).unwrap();
    let actors = ["root", "li", "wang", "beian", "auditor-7", "张三"];
    let actions = [
        "plan.file",
        "dossier.addendum",
        "schema.migrate",
        "config.change",
        "request.add",
    ];
    let mut ev = AuditEvent {
        seq: p.head.seq + 1,
        time: last.time + chrono::Duration::seconds(rng.random_range(1..100_000)),
        actor: actors[rng.random_range(0..actors.len())].into(),
        action: actions[rng.random_range(0..actions.len())].into(),
        entity: record_name(tree, &k),
        summary: format!("更正 {}", rng.random_range(0..1000u32)),
        changes: Vec::new(),
        digest: digest.join(" "),
        prev: p.head.seal.clone(),
        seal: String::new(),
    };
    ev.seal = beian::store::chain::seal_of(&ev);
    Tamper {
        writes: vec![
            (tree, k, Some(v)),
            (0, ev.seq.to_be_bytes().to_vec(), Some(serde_json::to_vec(&ev).unwrap())),
        ],
        head: Some(ChainHead {
            seq: ev.seq,
            seal: ev.seal,
        }),
    }
}

fn apply_to_parts(p: &Parts, t: &Tamper) -> Parts {
    let mut p = p.clone();
    for (tree, k, v) in &t.writes {
        let list = p.tree(*tree);
        {
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
    let set_head = |h: &ChainHead| {
        s.raw_set("meta", b"audit_seq", Some(&h.seq.to_be_bytes())).unwrap();
        s.raw_set("meta", b"audit_head", Some(h.seal.as_bytes())).unwrap();
    };
    for (tree, k, v) in &t.writes {
        s.raw_set(TREES[*tree], k, v.as_deref()).unwrap();
    }
    if let Some(h) = &t.head {
        set_head(h);
    }
    let found = s.verify(expect).unwrap().problem.map(|p| p.broken);
    for (tree, k, _) in &t.writes {
        let list = [&original.audit, &original.dossiers, &original.addenda][*tree];
        let old = list.iter().find(|(k2, _)| k2 == k).map(|(_, v)| v.as_slice());
        s.raw_set(TREES[*tree], k, old).unwrap();
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

    // A filed record changed and re-sealed by a correctly sealed event at the
    // head, the head moved: found without --expect (the event at the anchored
    // head is still there with its seal, so --expect alone would not see it).
    let mut found = 0;
    for trial in 0..TRIALS {
        let t = forge_sealed_event(&original, &mut rng);
        let tampered = apply_to_parts(&original, &t);
        let forged = original.head.seq + 1;
        for expect in [None, Some(&original.head)] {
            let p = verify_parts(&tampered, expect);
            assert!(
                matches!(p, Some(beian::store::chain::Problem { broken: Broken::Resealed { again, .. }, .. }) if again == forged),
                "forged seal, trial {trial} (expect {expect:?}): {p:?}"
            );
        }
        if trial % 10 == 0 {
            let in_db = verify_tampered_db(&w.svc, &original, &t, None);
            assert!(
                matches!(in_db, Some(Broken::Resealed { again, .. }) if again == forged),
                "forged seal, trial {trial}, in the database: {in_db:?}"
            );
        }
        found += 1;
    }
    eprintln!("forge a correctly sealed event: {found}/{TRIALS} detected, all without --expect");
    assert!(w.svc.raw_store().verify(Some(&original.head)).unwrap().ok());
}

/// Run the binary.
fn beian(args: &[&str], db: &Path) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_beian"))
        .env("BEIAN_NO_SERVER", "1")
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

/// Write the fixture of the current schema (`BEIAN_WRITE_FIXTURES=1`): a
/// backup of the archive world. Older fixtures are kept as they are; each was
/// written by the code of its schema. v1 was captured from the schema-1 code
/// itself (`scripts/capture-schema-v1`, which runs
/// tests/fixtures/schema/v1/capture.rs at the last schema-1 commit): schema 1
/// had no backup command, so it is that code's database dumped record by
/// record, byte for byte, in the backup format.
fn write_fixtures() {
    let w = archive_world();
    let tmp = tempfile::tempdir().unwrap();
    w.svc.backup(&admin(), tmp.path(), None).unwrap();
    let bk = only_backup(tmp.path());
    let dir = fixture(beian::store::SCHEMA_VERSION);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for f in ["config.toml", "records.jsonl", "manifest.json"] {
        std::fs::copy(bk.join(f), dir.join(f)).unwrap();
    }
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
        if v == 1 {
            // Written by the schema-1 code: no trace of a chain in it.
            let recs = read_backup(&dir);
            assert!(recs.iter().all(|(t, k, _)| !(t == "meta" && k == b"audit_head")));
            for (t, _, v) in &recs {
                if t == "audit" {
                    let ev: serde_json::Value = serde_json::from_slice(v).unwrap();
                    let keys: Vec<&String> = ev.as_object().unwrap().keys().collect();
                    assert_eq!(keys, ["action", "actor", "entity", "seq", "summary", "time"], "{ev}");
                }
            }
        }
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

// ----- issue 14: re-sealing, downgrades, the configuration in the chain -----

/// A backup's records as stored: tree, key, value.
type Rec = (String, Vec<u8>, Vec<u8>);

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn read_backup(bk: &Path) -> Vec<Rec> {
    #[derive(serde::Deserialize)]
    struct Line<'a> {
        tree: String,
        key: String,
        #[serde(borrow)]
        json: Option<&'a serde_json::value::RawValue>,
        hex: Option<String>,
    }
    std::fs::read_to_string(bk.join("records.jsonl"))
        .unwrap()
        .lines()
        .map(|l| {
            let l: Line = serde_json::from_str(l).unwrap();
            let v = match (l.json, l.hex) {
                (Some(j), None) => j.get().as_bytes().to_vec(),
                (None, Some(h)) => unhex(&h),
                _ => panic!("a line has json or hex"),
            };
            (l.tree, unhex(&l.key), v)
        })
        .collect()
}

/// Write `recs` as a backup in `dir` — records.jsonl, a manifest that matches
/// it (schema, head, counts, SHA-256), the config.toml of `like` — as someone
/// who rewrote a backup would.
fn write_backup(dir: &Path, recs: &[Rec], schema: u32, head: &ChainHead, like: &Path) {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).unwrap();
    let mut text = String::new();
    let mut counts = std::collections::BTreeMap::<String, u64>::new();
    for (tree, k, v) in recs {
        let key = beian::store::chain::hex(k);
        let line = if v.first() == Some(&b'{') {
            format!(
                "{{\"tree\":\"{tree}\",\"key\":\"{key}\",\"json\":{}}}",
                std::str::from_utf8(v).unwrap()
            )
        } else {
            format!(
                "{{\"tree\":\"{tree}\",\"key\":\"{key}\",\"hex\":\"{}\"}}",
                beian::store::chain::hex(v)
            )
        };
        text.push_str(&line);
        text.push('\n');
        *counts.entry(tree.clone()).or_default() += 1;
    }
    std::fs::write(dir.join("records.jsonl"), &text).unwrap();
    let manifest = serde_json::json!({
        "format": "beian-backup-1",
        "schema": schema,
        "beian_version": "0.1.0",
        "created_at": chrono::Utc::now(),
        "counts": counts,
        "head": head,
        "records_sha256": beian::store::chain::sha256_hex(text.as_bytes()),
    });
    std::fs::write(dir.join("manifest.json"), serde_json::to_vec_pretty(&manifest).unwrap()).unwrap();
    std::fs::copy(like.join("config.toml"), dir.join("config.toml")).unwrap();
}

fn set_rec(recs: &mut Vec<Rec>, tree: &str, key: &[u8], value: Option<Vec<u8>>) {
    let at = recs.iter().position(|(t, k, _)| t == tree && k == key);
    match (at, value) {
        (Some(i), Some(v)) => recs[i].2 = v,
        (Some(i), None) => {
            recs.remove(i);
        }
        (None, Some(v)) => recs.push((tree.to_string(), key.to_vec(), v)),
        (None, None) => {}
    }
}

fn get_rec<'a>(recs: &'a [Rec], tree: &str, key: &[u8]) -> &'a [u8] {
    &recs.iter().find(|(t, k, _)| t == tree && k == key).unwrap().2
}

/// The archive world, backed up; its backup directory and chain head.
fn backed_up_world(tmp: &Path) -> (PathBuf, ChainHead) {
    let w = archive_world();
    let head = w.svc.raw_store().chain_head().unwrap();
    w.svc.backup(&admin(), &tmp.join("bk"), None).unwrap();
    drop(w);
    (only_backup(&tmp.join("bk")), head)
}

/// A dossier changed in a way a reader would not notice: still valid JSON.
fn change_text(v: &[u8], from: &str, to: &str) -> Vec<u8> {
    let s = std::str::from_utf8(v).unwrap();
    assert!(s.contains(from), "{from} in {s}");
    s.replacen(from, to, 1).into_bytes()
}

/// The seq of the event that filed dossier `d`.
fn filing_seq(recs: &[Rec], d: &str) -> u64 {
    recs.iter()
        .filter(|(t, _, _)| t == "audit")
        .map(|(_, _, v)| serde_json::from_slice::<AuditEvent>(v).unwrap())
        .find(|e| e.action == "plan.file" && e.entity.split_whitespace().any(|x| x == d))
        .unwrap()
        .seq
}

/// Issue 14 (a): change a dossier in a backup, append one correctly sealed
/// event whose digest is the changed dossier's, move the head, fix the
/// manifest. `verify --backup --expect <anchored head>` passed: the event at
/// the anchored head is still there with its seal. Now the second digest for a
/// filed record is a break, named, with or without --expect; restore refuses.
#[test]
fn a_filed_dossier_changed_and_resealed_in_a_backup_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let (bk, head) = backed_up_world(tmp.path());
    let mut recs = read_backup(&bk);
    let d = dossier_id(1);
    let changed = change_text(get_rec(&recs, "dossiers", &d.key()), "教务管理系统", "财务管理系统");
    set_rec(&mut recs, "dossiers", &d.key(), Some(changed.clone()));
    let last: AuditEvent = serde_json::from_slice(get_rec(&recs, "audit", &head.seq.to_be_bytes())).unwrap();
    let mut ev = AuditEvent {
        seq: head.seq + 1,
        time: last.time + chrono::Duration::minutes(3),
        actor: "li".into(),
        action: "dossier.addendum".into(),
        entity: d.to_string(),
        summary: "更正系统名称".into(),
        changes: Vec::new(),
        digest: beian::store::chain::digest_entry(&d.to_string(), &changed),
        prev: head.seal.clone(),
        seal: String::new(),
    };
    ev.seal = beian::store::chain::seal_of(&ev);
    set_rec(
        &mut recs,
        "audit",
        &ev.seq.to_be_bytes(),
        Some(serde_json::to_vec(&ev).unwrap()),
    );
    let mut ek = d.to_string().into_bytes();
    ek.push(0);
    ek.extend_from_slice(&ev.seq.to_be_bytes());
    set_rec(&mut recs, "audit_entity", &ek, Some(Vec::new()));
    set_rec(&mut recs, "meta", b"audit_seq", Some(ev.seq.to_be_bytes().to_vec()));
    set_rec(&mut recs, "meta", b"audit_head", Some(ev.seal.as_bytes().to_vec()));
    let new_head = ChainHead {
        seq: ev.seq,
        seal: ev.seal.clone(),
    };
    let forged = tmp.path().join("forged");
    write_backup(&forged, &recs, 2, &new_head, &bk);

    let filed = filing_seq(&recs, &d.to_string());
    let into = tmp.path().join("into");
    for args in [
        vec!["verify", "--backup", forged.to_str().unwrap()],
        vec![
            "verify",
            "--backup",
            forged.to_str().unwrap(),
            "--expect",
            &head.to_string(),
        ],
        vec!["restore", forged.to_str().unwrap(), "--into", into.to_str().unwrap()],
    ] {
        let out = beian(&args, &into);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(6), "{args:?}: {err}");
        assert!(
            err.contains(&format!(
                "at {d}: event #{} seals this record again, after event #{filed} sealed it when it was filed",
                ev.seq
            )),
            "{args:?}: {err}"
        );
    }
    assert!(!into.join("db").exists(), "a refused restore leaves no database");
    // The same on a live database: the forged event and the changed dossier
    // written behind beian's back.
    let w = archive_world();
    let s = w.svc.raw_store();
    let h = s.chain_head().unwrap();
    let changed = change_text(&s.raw_entries("dossiers").unwrap()[0].1, "教务管理系统", "财务管理系统");
    s.raw_set("dossiers", &d.key(), Some(&changed)).unwrap();
    ev.seq = h.seq + 1;
    ev.prev = h.seal.clone();
    ev.digest = beian::store::chain::digest_entry(&d.to_string(), &changed);
    ev.seal = beian::store::chain::seal_of(&ev);
    s.raw_set("audit", &ev.seq.to_be_bytes(), Some(&serde_json::to_vec(&ev).unwrap()))
        .unwrap();
    s.raw_set("meta", b"audit_seq", Some(&ev.seq.to_be_bytes())).unwrap();
    s.raw_set("meta", b"audit_head", Some(ev.seal.as_bytes())).unwrap();
    let p = s.verify(Some(&h)).unwrap().problem.unwrap();
    assert_eq!(p.at, d.to_string());
    assert_eq!(
        p.broken,
        Broken::Resealed {
            first: filed,
            again: ev.seq
        }
    );
}

/// `--expect` fails when the anchored event is no longer at its sequence
/// number with its seal: rewritten in place (with every later seal redone),
/// or gone.
#[test]
fn expect_fails_unless_the_anchored_event_is_there_with_its_seal() {
    let w = archive_world();
    let p = parts(&w.svc);
    let anchor = ChainHead {
        seq: 20,
        seal: serde_json::from_slice::<AuditEvent>(&p.audit[19].1).unwrap().seal,
    };
    assert!(verify_parts(&p, Some(&anchor)).is_none());
    // Rewrite event 20 and re-chain everything after it, as a forger who can
    // compute seals would: the chain itself is consistent again.
    let mut q = p.clone();
    let mut prev = serde_json::from_slice::<AuditEvent>(&q.audit[18].1).unwrap().seal;
    for (i, (_, v)) in q.audit.iter_mut().enumerate().skip(19) {
        let mut ev: AuditEvent = serde_json::from_slice(v).unwrap();
        if i == 19 {
            ev.summary.push_str("（改）");
        }
        ev.prev = prev;
        ev.seal = beian::store::chain::seal_of(&ev);
        prev = ev.seal.clone();
        *v = serde_json::to_vec(&ev).unwrap();
    }
    q.head = ChainHead {
        seq: q.head.seq,
        seal: prev,
    };
    assert!(verify_parts(&q, None).is_none(), "consistent without the anchor");
    let broken = verify_parts(&q, Some(&anchor)).unwrap().broken;
    assert!(matches!(broken, Broken::Rewritten { .. }), "{broken:?}");
    // Gone: the last two events (requests, sealing nothing) cut, the recorded
    // head moved back — consistent, but the anchored head is not there.
    let mut q = p.clone();
    let n = q.audit.len() - 2;
    q.audit.truncate(n);
    q.head = ChainHead {
        seq: n as u64,
        seal: serde_json::from_slice::<AuditEvent>(&q.audit[n - 1].1).unwrap().seal,
    };
    assert!(verify_parts(&q, None).is_none(), "consistent without the anchor");
    let broken = verify_parts(&q, Some(&p.head)).unwrap().broken;
    assert_eq!(broken, Broken::Truncated { expected: p.head.seq });
}

/// Issue 14 (b): change a dossier and mark the backup as schema 1: the
/// migration 1 → 2 sealed whatever it found. Now a backup (or a database)
/// that says schema 1 but whose log carries seals, digests or a recorded head
/// is refused (exit 6), and so is a manifest that disagrees with its records.
#[test]
fn a_backup_marked_as_schema_1_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let (bk, head) = backed_up_world(tmp.path());
    let mut recs = read_backup(&bk);
    let d = dossier_id(2);
    let changed = change_text(get_rec(&recs, "dossiers", &d.key()), "教务管理系统", "财务管理系统");
    set_rec(&mut recs, "dossiers", &d.key(), Some(changed));
    set_rec(&mut recs, "meta", b"schema", Some(1u32.to_be_bytes().to_vec()));
    let marked = tmp.path().join("marked");
    write_backup(&marked, &recs, 1, &head, &bk);
    let into = tmp.path().join("into");
    for args in [
        vec!["restore", marked.to_str().unwrap(), "--into", into.to_str().unwrap()],
        vec!["verify", "--backup", marked.to_str().unwrap()],
    ] {
        let out = beian(&args, &into);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(6), "{args:?}: {err}");
        assert!(
            err.contains("at audit #1: the records say schema 1, which had no hash chain")
                && err.contains("(a downgrade) is refused"),
            "{args:?}: {err}"
        );
    }
    assert!(!into.join("db").exists());
    // The manifest saying another schema than the records: refused too.
    write_backup(&marked, &recs, 2, &head, &bk);
    let out = beian(&["verify", "--backup", marked.to_str().unwrap()], &into);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(6), "{err}");
    assert!(
        err.contains("the manifest says schema 2, the records say schema 1"),
        "{err}"
    );
    // Only the recorded head left of the chain: refused, naming it.
    let stripped: Vec<Rec> = recs
        .iter()
        .map(|(t, k, v)| match t.as_str() {
            "audit" => (t.clone(), k.clone(), strip_chain_fields(v)),
            _ => (t.clone(), k.clone(), v.clone()),
        })
        .collect();
    write_backup(&marked, &stripped, 1, &head, &bk);
    let out = beian(&["verify", "--backup", marked.to_str().unwrap()], &into);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(6), "{err}");
    assert!(err.contains("at audit_head: the records say schema 1"), "{err}");
    // What is not detected without an anchor: every trace of the chain
    // removed, the backup is a schema-1 archive, and the migration seals it
    // as it is. The head a supervisor kept shows it: the migrated history
    // does not hold it.
    let mut clean = stripped.clone();
    set_rec(&mut clean, "meta", b"audit_head", None);
    write_backup(&marked, &clean, 1, &head, &bk);
    let out = beian(&["verify", "--backup", marked.to_str().unwrap()], &into);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = beian(
        &[
            "verify",
            "--backup",
            marked.to_str().unwrap(),
            "--expect",
            &head.to_string(),
        ],
        &into,
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(6), "{err}");
    assert!(
        err.contains(&format!("at audit #{}", head.seq)) && err.contains("history was rewritten"),
        "{err}"
    );

    // A database marked as schema 1 behind beian's back: it does not open.
    let w = archive_world();
    w.svc
        .raw_store()
        .raw_set("meta", b"schema", Some(&1u32.to_be_bytes()))
        .unwrap();
    let World { svc, dir, .. } = w;
    drop(svc);
    let e = reopen(&dir.path().join("data")).err().expect("refused");
    assert_eq!(e.exit_code(), 6, "{e:?}");
    assert!(
        matches!(&e, beian::Error::Integrity { at, .. } if at == "audit #1"),
        "{e:?}"
    );
}

/// A schema-2 event as schema 1 stored it: without digest, prev and seal.
fn strip_chain_fields(v: &[u8]) -> Vec<u8> {
    let mut ev: serde_json::Value = serde_json::from_slice(v).unwrap();
    for f in ["digest", "prev", "seal"] {
        ev.as_object_mut().unwrap().remove(f);
    }
    serde_json::to_vec(&ev).unwrap()
}

/// Downgrade trials: the backup of the archive world marked as schema 1 to
/// launder a changed dossier or addendum — the schema flag alone (a third),
/// with the chain's fields stripped from some events and the recorded head
/// kept or dropped (a third), or with every trace of the chain removed (a
/// third: then the records are a schema-1 archive, and only an anchored head
/// finds the rewrite). Each trial runs the check restore and open make and,
/// when it passes, the migration and verify on the stored parts; every tenth
/// also restores the backup through `backup::restore` and opens it.
#[test]
fn downgrading_the_schema_is_detected() {
    use beian::store::chain;
    let tmp = tempfile::tempdir().unwrap();
    let (bk, head) = backed_up_world(tmp.path());
    let recs = read_backup(&bk);
    let mut rng = StdRng::seed_from_u64(0x6265_6961_6e0e);
    let trials = TRIALS;
    let (mut refused, mut only_with_expect, mut restored) = (0, 0, 0);
    let subs = ["体系", "平台", "系列", "系統"];
    for trial in 0..trials {
        let mut r = recs.clone();
        // Launder a change: a dossier or an addendum, still valid JSON.
        let i = loop {
            let i = rng.random_range(0..r.len());
            if r[i].0 == "dossiers" || r[i].0 == "addenda" {
                break i;
            }
        };
        r[i].2 = if r[i].0 == "dossiers" {
            change_text(&r[i].2, "系统", subs[rng.random_range(0..subs.len())])
        } else {
            change_text(
                &r[i].2,
                "22:40",
                &format!("{:02}:{:02}", rng.random_range(0..22), rng.random_range(0..60)),
            )
        };
        set_rec(&mut r, "meta", b"schema", Some(1u32.to_be_bytes().to_vec()));
        let events: Vec<usize> = (0..r.len()).filter(|&j| r[j].0 == "audit").collect();
        let variant = trial % 3;
        match variant {
            0 => {}
            1 => {
                // Some events stripped, never all.
                let n = rng.random_range(1..events.len());
                for &j in events
                    .iter()
                    .filter(|_| rng.random_bool(n as f64 / events.len() as f64))
                    .take(events.len() - 1)
                {
                    r[j].2 = strip_chain_fields(&r[j].2);
                }
                if rng.random_bool(0.5) {
                    set_rec(&mut r, "meta", b"audit_head", None);
                }
            }
            _ => {
                for &j in &events {
                    r[j].2 = strip_chain_fields(&r[j].2);
                }
                set_rec(&mut r, "meta", b"audit_head", None);
            }
        }
        let tree = |name: &str| -> Vec<Kv> {
            let mut v: Vec<Kv> = r
                .iter()
                .filter(|(t, _, _)| t == name)
                .map(|(_, k, v)| (k.clone(), v.clone()))
                .collect();
            v.sort();
            v
        };
        let has_head = r.iter().any(|(t, k, _)| t == "meta" && k == b"audit_head");
        match chain::check_schema_agrees(1, tree("audit"), has_head) {
            Err(p) => {
                assert_ne!(variant, 2, "trial {trial}: {p:?}");
                assert_eq!(p.broken, Broken::Downgrade { schema: 1 }, "trial {trial}");
                refused += 1;
            }
            Ok(()) => {
                assert_eq!(variant, 2, "trial {trial}: a partly stripped chain passed");
                let m = chain::migrate_v1_parts(
                    tree("audit"),
                    tree("dossiers"),
                    tree("addenda"),
                    false,
                    chrono::Utc::now(),
                )
                .unwrap();
                let verify = |expect| {
                    chain::verify_parts(
                        m.audit.clone(),
                        tree("dossiers"),
                        tree("addenda"),
                        Some(m.head.clone()),
                        expect,
                    )
                    .problem
                };
                assert_eq!(verify(None), None, "trial {trial}: a clean schema-1 archive verifies");
                let p = verify(Some(&head)).expect("the anchored head finds it");
                assert!(matches!(p.broken, Broken::Rewritten { .. }), "trial {trial}: {p:?}");
                only_with_expect += 1;
            }
        }
        if trial % 10 == 0 {
            let dir = tmp.path().join("trial");
            write_backup(&dir, &r, 1, &head, &bk);
            let into = tmp.path().join(format!("into{trial}"));
            match beian::store::backup::restore(&dir, &into) {
                Err(e) => {
                    assert_ne!(variant, 2, "trial {trial}: {e:?}");
                    assert_eq!(e.exit_code(), 6, "trial {trial}: {e:?}");
                    assert!(!into.join("db").exists(), "trial {trial}");
                }
                Ok(_) => {
                    assert_eq!(variant, 2, "trial {trial}: restored");
                    let svc = Service::open(&into).unwrap();
                    assert!(svc.store_verify(None).unwrap().ok(), "trial {trial}");
                    let p = svc.store_verify(Some(&head)).unwrap().problem.expect("anchored");
                    assert!(matches!(p.broken, Broken::Rewritten { .. }), "trial {trial}: {p:?}");
                    drop(svc);
                    std::fs::remove_dir_all(&into).unwrap();
                }
            }
            restored += 1;
        }
    }
    eprintln!(
        "downgrade the schema: {}/{trials} detected ({refused} refused as a downgrade, {only_with_expect} only with --expect: every trace of the chain removed); {restored} also through restore",
        refused + only_with_expect
    );
}

/// Role grants and process settings are in the chain: each change of
/// config.toml between opens appends exactly one `config.change` event
/// naming it; an open without a change appends nothing; verify stays intact.
#[test]
fn a_change_of_config_toml_is_recorded_in_the_chain_once() {
    use beian::store::config_log::{CONFIG_ACTION, CONFIG_ENTITY};
    let w = archive_world();
    let n0 = w.svc.raw_store().audit_len();
    // The template itself is the defaults: nothing to record.
    let (w, ()) =
        w.closed(|data| std::fs::write(data.join("config.toml"), beian::config::Config::template("root")).unwrap());
    assert_eq!(w.svc.raw_store().audit_len(), n0);
    let (w, ()) = w.closed(|data| {
        std::fs::write(
            data.join("config.toml"),
            "[roles.users]\nwang = [\"operator\"]\nli = [\"approver\", \"viewer\"]\n\
             [roles.groups]\nimc = [\"operator\"]\n[process]\nnotice_days = 5\n",
        )
        .unwrap()
    });
    let log = w.svc.raw_store().audit(None, 5).unwrap();
    assert_eq!(w.svc.raw_store().audit_len(), n0 + 1, "{log:?}");
    let ev = &log[0];
    assert_eq!(
        (ev.action.as_str(), ev.entity.as_str(), ev.actor.as_str()),
        (CONFIG_ACTION, CONFIG_ENTITY, "beian")
    );
    assert!(
        ev.summary.starts_with(
            "approver: +user li; operator: +user wang, +group imc; viewer: +user li; class.normal.notice_days: 3 → 5; sha256 "
        ),
        "{}",
        ev.summary
    );
    // Opened again unchanged: nothing new.
    let (w, ()) = w.closed(|_| {});
    assert_eq!(w.svc.raw_store().audit_len(), n0 + 1);
    // A role taken away, a setting back.
    let (w, ()) = w.closed(|data| {
        std::fs::write(
            data.join("config.toml"),
            "[roles.users]\nwang = [\"operator\"]\nli = [\"viewer\"]\n[roles.groups]\nimc = [\"operator\"]\n",
        )
        .unwrap()
    });
    let log = w.svc.raw_store().audit(None, 5).unwrap();
    assert_eq!(w.svc.raw_store().audit_len(), n0 + 2);
    assert!(
        log[0]
            .summary
            .starts_with("approver: −user li; class.normal.notice_days: 5 → 3; sha256 "),
        "{}",
        log[0].summary
    );
    assert!(w.svc.raw_store().verify(None).unwrap().ok());
    let data = w.data_dir();
    drop(w.svc);
    let out = beian(&["--json", "verify"], &data);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    drop(w.dir);
}

/// The server records a change of config.toml at its start and at the next
/// connection after the file changes, before the new roles are used.
#[test]
fn the_server_records_a_config_change_before_using_it() {
    use server_support::{config_for, me, Server};
    let mut srv = Server::start(&config_for(&["supervisor"]));
    let audit = srv.cli(&["--json", "audit"]).json();
    let events = audit.as_array().unwrap();
    assert_eq!(events.len(), 1, "{audit}");
    assert_eq!(events[0]["action"], "config.change");
    let summary = events[0]["summary"].as_str().unwrap();
    assert!(
        summary.starts_with(&format!("supervisor: +user {}; sha256 ", me())),
        "{summary}"
    );
    srv.set_config(&format!(
        "{}[process]\napprovers = 2\n",
        config_for(&["supervisor", "operator"])
    ));
    let audit = srv.cli(&["--json", "audit"]).json();
    let events = audit.as_array().unwrap();
    assert_eq!(events.len(), 2, "{audit}");
    let summary = events[0]["summary"].as_str().unwrap();
    assert!(
        summary.starts_with(&format!(
            "operator: +user {}; class.normal.approvers: 1 → 2; sha256 ",
            me()
        )),
        "{summary}"
    );
    // Unchanged: nothing more, however many connections.
    for _ in 0..3 {
        assert_eq!(srv.cli(&["--json", "audit"]).json().as_array().unwrap().len(), 2);
    }
    let out = srv.cli(&["verify"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    srv.stop();
}

/// The start-up check (issue 16 §2): incremental from the last head found
/// intact, cached by head, kept across opens in the file `verified_head`; it finds what the
/// events since that head break (their chain, the records they seal) and
/// leaves what was sealed before it to the full walk of `beian verify`.
#[test]
fn the_start_up_check_goes_on_from_the_last_verified_head() {
    let w = archive_world();
    let dir = w.svc.dir().to_path_buf();
    let (key, bytes) = {
        let s = w.svc.raw_store();
        // Never verified: the first check is the full walk.
        let full = s.integrity().unwrap();
        assert!(full.ok(), "{:?}", full.problem);
        assert_eq!(full.head, s.chain_head().unwrap());
        assert_eq!(full.events, full.head.seq);
        // Asked again with nothing new: the same answer, from the cache.
        assert_eq!(s.integrity().unwrap(), full);
        // New events, one of them filing a dossier: only they are checked.
        let plan = w.plan_at(PlanStatus::Filed);
        let dossier = w.plan(plan).dossier.expect("filed");
        let next = s.integrity().unwrap();
        assert!(next.ok(), "{:?}", next.problem);
        assert_eq!(next.head, s.chain_head().unwrap());
        assert_eq!(
            next.events,
            next.head.seq - full.head.seq,
            "only the events since the last head"
        );
        assert_eq!(next.dossiers, 1);
        // The dossier filed after the verified head, changed: found.
        let key = dossier.key().to_vec();
        let stored = s.raw_entries("dossiers").unwrap();
        let (_, bytes) = stored.iter().find(|(k, _)| *k == key).unwrap().clone();
        s.raw_set("dossiers", &key, Some(&change_text(&bytes, "\"", "\" ")))
            .unwrap();
        std::fs::write(dir.join("verified_head"), serde_json::to_vec(&full.head).unwrap()).unwrap();
        (key, bytes)
    };
    drop(w.svc);
    let reopened = |dir: &Path| Service::open(dir).unwrap();
    let svc = reopened(&dir);
    let found = svc.raw_store().integrity().unwrap();
    assert!(
        matches!(
            found.problem.as_ref().map(|p| &p.broken),
            Some(Broken::DigestMismatch { .. })
        ),
        "{:?}",
        found.problem
    );
    // Sealed before the head verified last: the start-up check does not look
    // at it again (the full walk does).
    let head = svc.raw_store().chain_head().unwrap();
    std::fs::write(dir.join("verified_head"), serde_json::to_vec(&head).unwrap()).unwrap();
    drop(svc);
    let svc = reopened(&dir);
    assert!(svc.raw_store().integrity().unwrap().ok());
    let walked = svc.raw_store().verify(None).unwrap();
    assert!(
        matches!(
            walked.problem.as_ref().map(|p| &p.broken),
            Some(Broken::DigestMismatch { .. })
        ),
        "{:?}",
        walked.problem
    );
    // An event after the verified head, changed: found by the start-up check.
    let s = svc.raw_store();
    s.raw_set("dossiers", &key, Some(&bytes)).unwrap();
    assert!(s.verify(None).unwrap().ok());
    let audit = s.raw_entries("audit").unwrap();
    let seal_of = |v: &[u8]| serde_json::from_slice::<AuditEvent>(v).unwrap().seal;
    let before_last = ChainHead {
        seq: audit.len() as u64 - 1,
        seal: seal_of(&audit[audit.len() - 2].1),
    };
    std::fs::write(dir.join("verified_head"), serde_json::to_vec(&before_last).unwrap()).unwrap();
    let (k, v) = audit.last().unwrap().clone();
    let text = std::str::from_utf8(&v).unwrap();
    let forged = text.replacen("\"summary\":\"", "\"summary\":\"x", 1);
    assert_ne!(forged, text);
    s.raw_set("audit", &k, Some(forged.as_bytes())).unwrap();
    drop(svc);
    let svc = reopened(&dir);
    let found = svc.raw_store().integrity().unwrap();
    assert!(
        matches!(found.problem.as_ref().map(|p| &p.broken), Some(Broken::WrongSeal)),
        "{:?}",
        found.problem
    );
}
