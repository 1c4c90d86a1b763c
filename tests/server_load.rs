//! Acceptance 2 of issue 4: 8 clients × 500 mixed mutations against one server,
//! half of them on the same four records with the revision from a fresh read, so
//! that some conflict. Every acknowledged change is present, every rejection was
//! a reported conflict, and the audit log has exactly one event per acknowledged
//! change. Prints the time taken and the latency of a mutation (p50, p99).

mod server_support;

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use beian::model::Id;
use beian::service::{Backend, Command, RequestEdit};
use beian::Error;
use server_support::*;

const CLIENTS: usize = 8;
const MUTATIONS: usize = 500;
const SHARED: usize = 4;

fn new_request(title: String) -> Command {
    serde_json::from_value(serde_json::json!({"command": "request_add", "request": {
        "kind": "problem", "title": title, "submitter": {"name": "李老师", "kind": "teacher"}, "channel": "email"}}))
    .unwrap()
}

#[derive(Default)]
struct Tally {
    /// Acknowledged changes: audit seq → (record, was a comment).
    acked: BTreeMap<u64, (Id, bool)>,
    conflicts: usize,
    latencies: Vec<Duration>,
}

#[test]
fn eight_clients_five_hundred_mutations_each() {
    let srv = Server::start(&config_for(&["operator", "supervisor"]));
    let setup = srv.connect().unwrap();
    let setup: &dyn Backend = &setup;
    let shared: Vec<Id> = (0..SHARED)
        .map(|k| {
            let o = setup.execute(new_request(format!("共享记录 {k}")), None).unwrap();
            o.entity.parse().unwrap()
        })
        .collect();
    let baseline = setup.audit(None, usize::MAX).unwrap().len();
    // The server's start recorded the roles of config.toml (one config.change).
    assert_eq!(baseline, SHARED + 1);

    let started = Instant::now();
    let tallies: Vec<Tally> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..CLIENTS)
            .map(|t| {
                let (srv, shared) = (&srv, &shared);
                s.spawn(move || {
                    let remote = srv.connect().unwrap();
                    let b: &dyn Backend = &remote;
                    let mut tally = Tally::default();
                    let mut own: Option<(Id, u64)> = None;
                    for i in 0..MUTATIONS {
                        let (cmd, expect, target, comment) = if i % 2 == 0 {
                            let id = shared[(t + i / 2) % SHARED];
                            let rev = b.request(id).unwrap().meta.rev;
                            let cmd = if i % 4 == 0 {
                                Command::RequestComment {
                                    id,
                                    text: format!("客户端 {t} 第 {i} 条"),
                                }
                            } else {
                                Command::RequestEdit {
                                    id,
                                    edit: RequestEdit {
                                        tags: Some(vec![format!("t{t}"), format!("i{i}")]),
                                        ..Default::default()
                                    },
                                }
                            };
                            (cmd, Some(rev), Some(id), i % 4 == 0)
                        } else {
                            match own {
                                Some((id, rev)) if i % 10 != 1 => (
                                    Command::RequestComment {
                                        id,
                                        text: format!("自己的记录 {i}"),
                                    },
                                    Some(rev),
                                    Some(id),
                                    true,
                                ),
                                _ => (new_request(format!("客户端 {t} 的请求 {i}")), None, None, false),
                            }
                        };
                        let t0 = Instant::now();
                        let res = b.execute(cmd, expect);
                        tally.latencies.push(t0.elapsed());
                        match res {
                            Ok(o) => {
                                let id: Id = o.entity.parse().unwrap();
                                if let Some(target) = target {
                                    assert_eq!(id, target);
                                }
                                if i % 2 == 1 {
                                    own = Some((id, o.rev.unwrap()));
                                }
                                assert!(
                                    tally.acked.insert(o.seq, (id, comment)).is_none(),
                                    "seq {} twice",
                                    o.seq
                                );
                            }
                            Err(Error::Conflict { entity, by, .. }) => {
                                assert!(i % 2 == 0, "a conflict on a record only this client writes");
                                assert_eq!(entity, target.unwrap().to_string());
                                assert_eq!(by, me());
                                tally.conflicts += 1;
                            }
                            Err(e) => panic!("client {t} mutation {i}: {e:?}"),
                        }
                    }
                    tally
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let elapsed = started.elapsed();

    let mut acked: BTreeMap<u64, (Id, bool)> = BTreeMap::new();
    let mut conflicts = 0;
    let mut lat: Vec<Duration> = Vec::new();
    for t in tallies {
        for (seq, v) in t.acked {
            assert!(
                acked.insert(seq, v).is_none(),
                "two clients were acknowledged seq {seq}"
            );
        }
        conflicts += t.conflicts;
        lat.extend(t.latencies);
    }
    assert_eq!(acked.len() + conflicts, CLIENTS * MUTATIONS);
    assert!(
        conflicts > 0,
        "the shared records never conflicted; the test proves nothing"
    );

    // Every acknowledged change is present: each save raised the revision by one,
    // each comment is in the thread.
    let mut per_record: BTreeMap<Id, (u64, usize)> = BTreeMap::new();
    for (id, comment) in acked.values() {
        let e = per_record.entry(*id).or_default();
        e.0 += 1;
        e.1 += usize::from(*comment);
    }
    for (id, (changes, comments)) in &per_record {
        let r = setup.request(*id).unwrap();
        let created_here = !shared.contains(id);
        // A record created in the test: its add is one of the changes and rev 1.
        let expect_rev = if created_here { *changes } else { 1 + *changes };
        assert_eq!(r.meta.rev, expect_rev, "{id}");
        assert_eq!(r.comments.len(), *comments, "{id}");
    }
    let all = setup.requests(&Default::default()).unwrap();
    let created = per_record.keys().filter(|id| !shared.contains(id)).count();
    assert_eq!(all.len(), SHARED + created);

    // Exactly one audit event per acknowledged change, and no other.
    let events = setup.audit(None, usize::MAX).unwrap();
    assert_eq!(events.len(), baseline + acked.len());
    let seqs: BTreeSet<u64> = events.iter().map(|e| e.seq).filter(|s| *s > baseline as u64).collect();
    assert_eq!(seqs, acked.keys().copied().collect::<BTreeSet<_>>());

    lat.sort();
    let pct = |p: usize| lat[(lat.len() * p / 100).min(lat.len() - 1)];
    eprintln!(
        "load: {CLIENTS} clients × {MUTATIONS} mutations in {:.1} s; {} acknowledged, {conflicts} conflicts; \
         mutation latency p50 {:.1} ms, p99 {:.1} ms",
        elapsed.as_secs_f64(),
        acked.len(),
        pct(50).as_secs_f64() * 1e3,
        pct(99).as_secs_f64() * 1e3
    );
}
