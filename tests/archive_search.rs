//! The archive's full-text index answers exactly what a naive scan answers: on a
//! generated corpus of Chinese, English, mixed text, punctuation and full-width
//! forms, and end to end through the service on a generated history.

use beian::model::{Actor, Id, IdKind, Role};
use beian::search::index::Texts;
use beian::search::{normalize, terms};
use beian::service::{ArchiveFilter, Service};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const WORDS: &[&str] = &[
    "一卡通",
    "系统",
    "升级",
    "扣款",
    "重复",
    "统一身份认证",
    "教务",
    "选课",
    "回退",
    "备份",
    "数据库",
    "迁移",
    "乱码",
    "导出",
    "消费机",
    "固件",
    "维护窗口",
    "信息化管理中心",
    "Nginx",
    "nginx",
    "VPN",
    "Login",
    "page",
    "timeout",
    "HTTP/2",
    "PostgreSQL",
    "v3.1",
    "V2.4",
    "SSO",
    "rollback",
    "Müller",
    "İstanbul",
    "ß",
    "ＡＢＣ",
    "ｖｐｎ",
    "１２３",
    "Ⅷ",
    "😀",
    "e\u{301}",
    "ﬁ",
    "a",
    "b",
    "ab",
    "一",
    "卡",
];

const SEPS: &[&str] = &[
    " ", "", "，", "。", "：", "；", "（", "）", "(", ")", "-", "/", ".", "#", "@", "!", "?", "、", "\u{3000}", "\t",
    "\n", "  ", "——", "“", "”", "'", "\"",
];

fn doc(rng: &mut StdRng) -> String {
    let n = rng.random_range(1..40);
    let mut s = String::new();
    for _ in 0..n {
        s.push_str(WORDS[rng.random_range(0..WORDS.len())]);
        s.push_str(SEPS[rng.random_range(0..SEPS.len())]);
    }
    s
}

/// A query: a piece of a document, words, several of them, or noise.
fn query(rng: &mut StdRng, docs: &[String]) -> String {
    match rng.random_range(0..6) {
        0 | 1 => {
            let d: Vec<char> = docs[rng.random_range(0..docs.len())].chars().collect();
            let a = rng.random_range(0..d.len());
            let b = (a + rng.random_range(1..9)).min(d.len());
            d[a..b].iter().collect()
        }
        2 => WORDS[rng.random_range(0..WORDS.len())].to_uppercase(),
        3 => (0..rng.random_range(2..4))
            .map(|_| WORDS[rng.random_range(0..WORDS.len())])
            .collect::<Vec<_>>()
            .join(SEPS[rng.random_range(0..2)]),
        4 => {
            let d: Vec<char> = docs[rng.random_range(0..docs.len())].chars().collect();
            let a = rng.random_range(0..d.len());
            let piece: String = d[a..(a + 4).min(d.len())].iter().collect();
            format!("{piece} {}", WORDS[rng.random_range(0..WORDS.len())])
        }
        _ => (0..rng.random_range(1..4))
            .map(|_| char::from_u32(rng.random_range(0x4e00..0x4e40)).unwrap())
            .collect(),
    }
}

/// The scan: every text normalised, every term looked for with `str::contains`.
fn naive(normalised: &[(Id, String)], terms: &[String]) -> Vec<Id> {
    normalised
        .iter()
        .rev()
        .filter(|(_, n)| terms.iter().all(|t| n.contains(t.as_str())))
        .map(|(id, _)| *id)
        .collect()
}

fn normalised(raw: &[(Id, String)]) -> Vec<(Id, String)> {
    raw.iter().map(|(id, t)| (*id, normalize(t))).collect()
}

#[test]
fn the_index_finds_exactly_what_a_scan_finds() {
    let mut rng = StdRng::seed_from_u64(20261129);
    let texts: Vec<String> = (0..400).map(|_| doc(&mut rng)).collect();
    let raw: Vec<(Id, String)> = texts
        .iter()
        .enumerate()
        .map(|(i, t)| (Id::new(IdKind::Dossier, 2026, i as u32 + 1), t.clone()))
        .collect();
    let mut index = Texts::default();
    for (id, t) in &raw {
        index.add(*id, &normalize(t));
    }
    let scan = normalised(&raw);
    let (mut nonempty, mut empty) = (0, 0);
    for _ in 0..2000 {
        let q = query(&mut rng, &texts);
        let t = terms(&q);
        let want = naive(&scan, &t);
        assert_eq!(index.find(&t), want, "query {q:?} (terms {t:?})");
        if want.is_empty() {
            empty += 1;
        } else {
            nonempty += 1;
        }
    }
    // The queries must exercise both outcomes to mean anything.
    assert!(nonempty > 700 && empty > 150, "{nonempty} with hits, {empty} without");
}

#[test]
fn the_archive_search_of_the_service_matches_a_scan_of_the_dossiers() {
    let dir = tempfile::tempdir().unwrap();
    let mut svc = Service::create(&dir.path().join("data"), "root", true).unwrap();
    let scale = beian::demo_large::Scale {
        systems: 6,
        requests: 50,
        dossiers: 14,
        days: 90,
    };
    beian::demo_large::generate(&mut svc, scale, chrono::Utc::now(), 11).unwrap();
    let me = Actor::new("root", &[Role::Admin, Role::Supervisor]);
    let all = svc.archive(&me, &ArchiveFilter::default()).unwrap();
    assert_eq!(all.len(), 14);
    let raw: Vec<(Id, String)> = all
        .iter()
        .rev()
        .map(|d| (d.id, svc.dossier(&me, d.id).unwrap().dossier.search_text()))
        .collect();
    let texts: Vec<String> = raw.iter().map(|(_, t)| t.clone()).collect();
    let scan = normalised(&raw);
    let mut rng = StdRng::seed_from_u64(7);
    let mut hits = 0;
    for _ in 0..300 {
        let q = query(&mut rng, &texts);
        let want = naive(&scan, &terms(&q));
        let got: Vec<Id> = svc
            .archive(
                &me,
                &ArchiveFilter {
                    text: Some(q.clone()),
                    ..Default::default()
                },
            )
            .unwrap()
            .into_iter()
            .map(|d| d.id)
            .collect();
        assert_eq!(got, want, "query {q:?}");
        hits += usize::from(!want.is_empty());
    }
    assert!(hits > 50, "{hits}");

    // The overview counts new requests from the raw summaries: the same count
    // as the decoded list, whatever the titles say.
    let mut sneaky = beian::service::NewRequest {
        kind: beian::model::RequestKind::Problem,
        title: r#"抄送 {"status":"new"} 测试"#.into(),
        body: String::new(),
        system: None,
        submitter: beian::model::Submitter {
            name: "张老师".into(),
            contact: String::new(),
            kind: beian::model::SubmitterType::Teacher,
        },
        department: r#""status":"new""#.into(),
        channel: beian::model::Channel::Email,
        received_at: None,
        priority: beian::model::Priority::Normal,
        tags: vec![r#"x","status":"new"#.into()],
    };
    let out = svc
        .execute(
            &me,
            beian::service::Command::RequestAdd {
                request: sneaky.clone(),
            },
            None,
        )
        .unwrap();
    let id: Id = out.entity.parse().unwrap();
    svc.execute(
        &me,
        beian::service::Command::RequestTriage {
            id,
            triage: beian::service::Triage::Triage,
        },
        None,
    )
    .unwrap();
    sneaky.title.push('2');
    svc.execute(&me, beian::service::Command::RequestAdd { request: sneaky }, None)
        .unwrap();
    let list = svc.requests(&me, &Default::default()).unwrap();
    let o = svc.overview(&me).unwrap();
    assert_eq!(o.requests, list.len());
    let new = list
        .iter()
        .filter(|r| r.status == beian::model::RequestStatus::New)
        .count();
    assert_eq!(o.new_requests, new);
    assert!(new >= 1);
}

// ---- issue 16 §3–4: the persistent index, ranking, snippets, scopes, changes ----

use beian::search::archive::{self, RecordKind, SearchRequest};
use beian::search::pinyin;
use beian::service::{order_changes, plan_changes, Change, ChangeEvent};

/// Every searchable record of the database, as the scan sees it: kind, dossier,
/// addendum number, time, summary and text.
struct Rec {
    kind: RecordKind,
    dossier: beian::model::DossierSummary,
    addendum: Option<u32>,
    time: chrono::DateTime<chrono::Utc>,
    norm: String,
}

fn records(svc: &Service, me: &Actor) -> Vec<Rec> {
    let mut out = Vec::new();
    for d in svc.archive(me, &ArchiveFilter::default()).unwrap() {
        let v = svc.dossier(me, d.id).unwrap();
        out.push(Rec {
            kind: RecordKind::Dossier,
            dossier: d.clone(),
            addendum: None,
            time: d.live_at.unwrap_or(d.filed_at),
            norm: normalize(&v.dossier.search_text()),
        });
        for a in &v.addenda {
            out.push(Rec {
                kind: RecordKind::Addendum,
                dossier: d.clone(),
                addendum: Some(a.no),
                time: a.time,
                norm: normalize(&a.search_text(&d)),
            });
        }
    }
    out
}

fn day(t: chrono::DateTime<chrono::Utc>) -> chrono::NaiveDate {
    t.with_timezone(&chrono::Local).date_naive()
}

/// The scan: the records whose text holds every word and that pass the scopes.
fn scan(recs: &[Rec], p: &archive::Parsed) -> Vec<(Id, Option<u32>)> {
    let mut out: Vec<(Id, Option<u32>)> = recs
        .iter()
        .filter(|r| {
            p.terms.iter().all(|t| {
                r.norm.contains(t.as_str())
                    || p.pinyin
                        && (pinyin::matches(&normalize(&r.dossier.system_name), t)
                            || pinyin::matches(&normalize(&r.dossier.title), t))
            })
        })
        .filter(|r| p.kind.is_none_or(|k| k == r.kind))
        .filter(|r| p.since.is_none_or(|d| day(r.time) >= d) && p.until.is_none_or(|d| day(r.time) <= d))
        .filter(|r| {
            p.systems.iter().all(|s| {
                normalize(&r.dossier.system_name).contains(s.as_str())
                    || r.dossier.system.to_string().to_lowercase() == *s
                    || pinyin::matches(&normalize(&r.dossier.system_name), s)
            })
        })
        .filter(|r| {
            p.versions.iter().all(|v| {
                normalize(&r.dossier.version_from).contains(v.as_str())
                    || normalize(&r.dossier.version_to).contains(v.as_str())
            })
        })
        .map(|r| (r.dossier.id, r.addendum))
        .collect();
    out.sort();
    out
}

/// A database of generated dossiers with addenda of every kind the CLI can
/// append (corrections), a few live plans not yet filed among them.
fn generated() -> (tempfile::TempDir, Service, Actor) {
    let dir = tempfile::tempdir().unwrap();
    let mut svc = Service::create(&dir.path().join("data"), "root", true).unwrap();
    let scale = beian::demo_large::Scale {
        systems: 6,
        requests: 60,
        dossiers: 16,
        days: 120,
    };
    beian::demo_large::generate(&mut svc, scale, chrono::Utc::now(), 23).unwrap();
    let me = Actor::new("root", &[Role::Admin, Role::Supervisor]);
    let all = svc.archive(&me, &ArchiveFilter::default()).unwrap();
    let mut rng = StdRng::seed_from_u64(5);
    for d in all.iter().step_by(3) {
        let text = format!(
            "{} 更正：回退演练记录 rollback {}",
            d.title,
            WORDS[rng.random_range(0..WORDS.len())]
        );
        svc.execute(
            &me,
            beian::service::Command::Addendum {
                dossier: d.id,
                reason: "补充说明".into(),
                text,
            },
            None,
        )
        .unwrap();
    }
    (dir, svc, me)
}

fn scoped_query(rng: &mut StdRng, recs: &[Rec]) -> String {
    let texts: Vec<String> = recs.iter().map(|r| r.norm.clone()).collect();
    let mut q = query(rng, &texts);
    let r = &recs[rng.random_range(0..recs.len())];
    match rng.random_range(0..8) {
        0 => q.push_str(" kind:addendum"),
        1 => q.push_str(" kind:dossier"),
        2 => q.push_str(&format!(
            " system:{}",
            r.dossier.system_name.chars().take(2).collect::<String>()
        )),
        3 => q.push_str(&format!(" version:{}", r.dossier.version_to)),
        4 => q.push_str(&format!(" since:{}", day(r.time))),
        5 => q.push_str(&format!(" until:{}", day(r.time))),
        6 => q.push_str(&format!(" system:{}", r.dossier.system)),
        _ => {}
    }
    q
}

#[test]
fn the_persistent_index_answers_what_a_scan_answers_with_scopes_ranking_and_snippets() {
    let (_dir, svc, me) = generated();
    let recs = records(&svc, &me);
    assert!(recs.iter().any(|r| r.kind == RecordKind::Addendum));
    let today = chrono::Local::now().date_naive();
    let mut rng = StdRng::seed_from_u64(99);
    let (mut with_hits, mut scoped) = (0, 0);
    for _ in 0..300 {
        let q = scoped_query(&mut rng, &recs);
        let p = archive::parse(&q, today).unwrap();
        let mut req = SearchRequest::new(&q);
        req.limit = usize::MAX;
        let a = svc.archive_search(&me, &req).unwrap();
        let mut got: Vec<(Id, Option<u32>)> = a.hits.iter().map(|h| (h.dossier.id, h.addendum)).collect();
        got.sort();
        assert_eq!(got, scan(&recs, &p), "query {q:?}");
        assert_eq!(a.total, a.hits.len());
        with_hits += usize::from(!got.is_empty());
        scoped += usize::from(p.kind.is_some() || !p.systems.is_empty() || p.since.is_some() || !p.versions.is_empty());
        // Best first.
        assert!(a.hits.windows(2).all(|w| w[0].score >= w[1].score), "{q:?}");
        for h in &a.hits {
            // Every hit shows where its words occur, and each mark is a word.
            if p.terms.is_empty() {
                continue;
            }
            assert!(
                !h.snippets.is_empty(),
                "{q:?}: no snippet for {:?}",
                (h.dossier.id, h.addendum)
            );
            for s in &h.snippets {
                assert!(!s.matches.is_empty());
                for &(x, y) in &s.matches {
                    let marked = normalize(&s.line[x..y]);
                    assert!(
                        p.terms
                            .iter()
                            .any(|t| marked.contains(t.as_str()) || pinyin::matches(&marked, t)),
                        "{q:?}: {marked:?} in {s:?}"
                    );
                }
            }
        }
    }
    assert!(with_hits > 60 && scoped > 150, "{with_hits} with hits, {scoped} scoped");
}

#[test]
fn a_title_hit_ranks_above_a_body_hit_and_pages_add_up() {
    let (_dir, svc, me) = generated();
    let recs = records(&svc, &me);
    // A word of some title that also occurs in other records' bodies only.
    let mut checked = 0;
    for r in recs.iter().filter(|r| r.kind == RecordKind::Dossier) {
        let title = normalize(&r.dossier.title);
        let chars: Vec<char> = title.chars().collect();
        for w in chars.windows(2) {
            let word: String = w.iter().collect();
            if word.contains(' ') {
                continue;
            }
            let mut req = SearchRequest::new(&format!("{word} kind:dossier"));
            req.limit = usize::MAX;
            let a = svc.archive_search(&me, &req).unwrap();
            let in_title: Vec<bool> = a
                .hits
                .iter()
                .map(|h| normalize(&h.dossier.title).contains(word.as_str()))
                .collect();
            if in_title.iter().all(|x| *x) {
                continue;
            }
            // Every title hit comes before every hit elsewhere (system, version, id or body).
            let first_other = in_title.iter().position(|x| !x).unwrap();
            assert!(in_title[first_other..].iter().all(|x| !x), "{word}: {in_title:?}");
            checked += 1;
            // Pages of 3 give the same answer as one page.
            let mut pages = Vec::new();
            let mut off = 0;
            loop {
                let mut r = SearchRequest::new(&format!("{word} kind:dossier"));
                r.limit = 3;
                r.offset = off;
                let p = svc.archive_search(&me, &r).unwrap();
                assert_eq!(p.total, a.total);
                if p.hits.is_empty() {
                    break;
                }
                off += p.hits.len();
                pages.extend(p.hits);
            }
            assert_eq!(pages, a.hits);
        }
        if checked > 5 {
            break;
        }
    }
    assert!(checked > 0);
}

#[test]
fn a_scope_with_a_bad_value_is_refused_naming_it() {
    let today = chrono::Local::now().date_naive();
    let e = archive::parse("一卡通 since:yesterday", today).unwrap_err();
    assert!(
        e.message().contains("since:") && e.message().contains("yesterday"),
        "{}",
        e.message()
    );
    let e = archive::parse("kind:plan", today).unwrap_err();
    assert!(e.message().contains("kind:"), "{}", e.message());
    // A word with a colon that is no scope is a word.
    let p = archive::parse("nginx: http://x since:30d", today).unwrap();
    assert_eq!(p.terms, vec!["nginx:".to_string(), "http://x".to_string()]);
    assert_eq!(p.since, Some(today - chrono::Duration::days(30)));
}

/// The scan of `changes`: every plan, read whole, with its dossier's addenda.
fn changes_scan(svc: &Service, me: &Actor, system: Option<Id>, since: chrono::NaiveDate) -> Vec<Change> {
    let from = since
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_local_timezone(chrono::Local)
        .earliest()
        .unwrap()
        .with_timezone(&chrono::Utc);
    let mut out = Vec::new();
    for s in svc.plans(me, &Default::default()).unwrap() {
        let p = svc.plan(me, s.id).unwrap();
        if system.is_some_and(|x| x != p.system) {
            continue;
        }
        let addenda = p
            .dossier
            .map(|d| svc.dossier(me, d).unwrap().addenda)
            .unwrap_or_default();
        out.extend(
            plan_changes(&p, &addenda)
                .into_iter()
                .filter(|c| c.event == ChangeEvent::InFlight || c.time >= from),
        );
    }
    order_changes(&mut out);
    out
}

#[test]
fn changes_equal_a_scan_of_every_plan_including_live_plans_not_yet_filed() {
    let dir = tempfile::tempdir().unwrap();
    let mut svc = Service::create(&dir.path().join("data"), "root", true).unwrap();
    let now = chrono::Utc::now();
    beian::demo::populate(&mut svc, now).unwrap();
    let me = Actor::new("root", &[Role::Admin, Role::Supervisor]);
    let today = chrono::Local::now().date_naive();
    let systems = svc.systems(&me).unwrap();
    let mut unfiled_golive = 0;
    for days in [0, 7, 30, 90, 400] {
        let since = today - chrono::Duration::days(days);
        for system in std::iter::once(None).chain(systems.iter().map(|s| Some(s.id))) {
            let got = svc.changes(&me, system, Some(since)).unwrap();
            assert_eq!(
                got,
                changes_scan(&svc, &me, system, since),
                "since {since}, system {system:?}"
            );
            unfiled_golive += got
                .iter()
                .filter(|c| c.event == ChangeEvent::GoLive && c.dossier.is_none())
                .count();
        }
    }
    // The demo has live plans not yet filed, rollbacks and implementations under way.
    let all = svc
        .changes(&me, None, Some(today - chrono::Duration::days(400)))
        .unwrap();
    assert!(unfiled_golive > 0);
    assert!(all.iter().any(|c| c.event == ChangeEvent::Rollback));
    assert!(all.iter().any(|c| c.event == ChangeEvent::InFlight));
    assert!(all.iter().any(|c| c.dossier.is_some()));
}

#[test]
fn the_index_is_built_at_open_when_missing_and_follows_every_filing() {
    let (dir, svc, me) = generated();
    let data = dir.path().join("data");
    let before = svc.archive_search(&me, &SearchRequest::new("rollback")).unwrap();
    drop(svc);
    // An older database has no index: the open builds it.
    std::fs::remove_dir_all(data.join(archive::DIR)).unwrap();
    let svc = Service::open(&data).unwrap();
    assert!(archive::current_manifest(&data).is_some());
    assert_eq!(
        svc.archive_search(&me, &SearchRequest::new("rollback")).unwrap(),
        before
    );
    // A stale mark left by a crash between a commit and the index write: the next search catches up.
    std::fs::write(data.join(archive::DIR).join(archive::STALE), b"").unwrap();
    assert!(archive::current_manifest(&data).is_none());
    assert_eq!(
        svc.archive_search(&me, &SearchRequest::new("rollback")).unwrap(),
        before
    );
    assert!(archive::current_manifest(&data).is_some());
    // Many addenda: small segments, merged past the limit, the answer unchanged but for them.
    let first = svc.archive(&me, &ArchiveFilter::default()).unwrap()[0].clone();
    for i in 0..(archive::MAX_SEGMENTS + 3) {
        svc.execute(
            &me,
            beian::service::Command::Addendum {
                dossier: first.id,
                reason: "补充".into(),
                text: format!("第{i}次补记 zebra{i}"),
            },
            None,
        )
        .unwrap();
        let m = archive::current_manifest(&data).unwrap();
        assert!(m.segments.len() <= archive::MAX_SEGMENTS, "{:?}", m.segments);
    }
    let z = svc
        .archive_search(&me, &SearchRequest::new("zebra kind:addendum"))
        .unwrap();
    assert_eq!(z.total, archive::MAX_SEGMENTS + 3);
    assert_eq!(svc.archive_search(&me, &SearchRequest::new("zebra7")).unwrap().total, 1);
    // `reindex` rebuilds it into one segment with the same answers.
    svc.reindex(&me).unwrap();
    assert_eq!(archive::current_manifest(&data).unwrap().segments.len(), 1);
    assert_eq!(
        svc.archive_search(&me, &SearchRequest::new("zebra kind:addendum"))
            .unwrap()
            .total,
        z.total
    );
}

#[test]
fn a_latin_word_finds_system_names_and_titles_by_pinyin_below_literal_matches() {
    let dir = tempfile::tempdir().unwrap();
    let mut svc = Service::create(&dir.path().join("data"), "root", true).unwrap();
    beian::demo::populate(&mut svc, chrono::Utc::now()).unwrap();
    let me = Actor::new("root", &[Role::Admin, Role::Supervisor]);
    // `ykt` (一卡通) by initials, `yikatong` in full: the 一卡通 dossiers.
    for q in ["ykt", "yikatong"] {
        let a = svc.archive_search(&me, &SearchRequest::new(q)).unwrap();
        assert!(a.total > 0, "{q}");
        assert!(
            a.hits
                .iter()
                .all(|h| pinyin::matches(&h.dossier.title, q) || pinyin::matches(&h.dossier.system_name, q)),
            "{q}"
        );
        // The snippet marks the characters the pinyin matched.
        let h = &a.hits[0];
        let (x, y) = h.snippets[0].matches[0];
        assert!(pinyin::matches(&h.snippets[0].line[x..y], q), "{:?}", h.snippets[0]);
    }
    // A literal Latin match ranks above any pinyin match: `nginx` occurs in the texts.
    let mut r = SearchRequest::new("nginx");
    r.limit = usize::MAX;
    let a = svc.archive_search(&me, &r).unwrap();
    let literal: Vec<bool> = a
        .hits
        .iter()
        .map(|h| {
            let v = svc.dossier(&me, h.dossier.id).unwrap();
            let text = match h.addendum {
                None => v.dossier.search_text(),
                Some(n) => v.addenda.iter().find(|x| x.no == n).unwrap().search_text(&h.dossier),
            };
            normalize(&text).contains("nginx")
        })
        .collect();
    assert_eq!(literal.first(), Some(&true), "{literal:?}");
    if let Some(first_other) = literal.iter().position(|x| !x) {
        assert!(literal[first_other..].iter().all(|x| !x), "{literal:?}");
    }
    // The system scope takes pinyin too.
    let a = svc.archive_search(&me, &SearchRequest::new("system:ykt")).unwrap();
    assert!(a.total > 0 && a.hits.iter().all(|h| h.dossier.system_name.contains("一卡通")));
}
