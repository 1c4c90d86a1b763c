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
