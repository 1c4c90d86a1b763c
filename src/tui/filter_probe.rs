//! A probe of the filter's keystroke → frame time on 100,000 generated
//! requests held in memory (no database): the UI's own `update` and `render`
//! (120×40), like the filter section of `benches/perf.rs`, for measuring the
//! filter without the large dataset. Ignored by default; in release:
//!
//! ```sh
//! cargo test --release --lib filter_probe -- --ignored --nocapture
//! ```
//!
//! The rows imitate `demo_large`'s: 200 systems named from topics and kinds
//! (one in seven in English), titles "system + problem or feature", a
//! college or office, and two tags.

use std::time::Instant;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use rand::{Rng, SeedableRng};
use ratatui::backend::TestBackend;
use ratatui::Terminal;

use super::keymap::Keymap;
use super::state::State;
use super::update::update;
use super::worker::Reply;
use super::{ui, Msg};
use crate::model::*;

const TOPICS: &[(&str, &str)] = &[
    ("教务", "Academic Affairs"),
    ("一卡通", "Campus Card"),
    ("图书馆", "Library"),
    ("学工", "Student Affairs"),
    ("人事", "Human Resources"),
    ("财务", "Finance"),
    ("科研", "Research"),
    ("资产", "Assets"),
    ("研究生", "Graduate School"),
    ("后勤", "Logistics"),
    ("招生", "Admissions"),
    ("就业", "Careers"),
    ("宿舍", "Dormitory"),
    ("校医院", "Clinic"),
    ("档案", "Archives"),
    ("实验室", "Laboratory"),
    ("网络", "Network"),
    ("邮件", "Mail"),
    ("会议室", "Meeting Rooms"),
    ("迎新", "Orientation"),
];
const KINDS: &[(&str, &str)] = &[
    ("管理系统", "Management System"),
    ("服务平台", "Service Platform"),
    ("门户", "Portal"),
    ("信息系统", "Information System"),
    ("移动端", "Mobile App"),
    ("统计平台", "Statistics"),
    ("审批系统", "Approval System"),
    ("查询系统", "Inquiry System"),
    ("自助终端", "Kiosk"),
    ("数据中台", "Data Hub"),
];
const WHAT: &[&str] = &[
    "登录后页面空白",
    "导出Excel乱码",
    "重复扣款",
    "无法上传附件",
    "统一身份认证跳转失败",
    "移动端适配",
    "增加批量导入功能",
    "查询速度慢",
    "密码重置后无法登录",
    "打印格式错乱",
    "新增数据统计报表",
    "VPN访问提示无权限",
    "行政审批流程调整",
    "选课时系统卡顿",
    "成绩录入超时",
    "short message gateway timeout",
];
const DEPTS: &[&str] = &[
    "计算机学院",
    "外国语学院",
    "经济管理学院",
    "机械工程学院",
    "教务处",
    "财务处",
    "后勤处",
    "图书馆",
    "信息化管理中心",
    "研究生院",
];
const CODES: &[&str] = &["zf", "kd", "hz", "nginx", "sz", "lc"];

fn rows(n: usize) -> (Vec<System>, Vec<RequestSummary>) {
    let mut rng = rand::rngs::StdRng::seed_from_u64(2026);
    let now = chrono::Utc::now();
    let systems: Vec<System> = (0..200)
        .map(|i| {
            let (t, te) = TOPICS[i % TOPICS.len()];
            let (k, ke) = KINDS[(i / TOPICS.len()) % KINDS.len()];
            System {
                id: Id::new(IdKind::System, 2026, i as u32 + 1),
                name: if i % 7 == 3 {
                    format!("{te} {ke}")
                } else {
                    format!("{t}{k}")
                },
                department: DEPTS[i % DEPTS.len()].into(),
                vendor: String::new(),
                version: "V1.0".into(),
                depends_on: Vec::new(),
                meta: Meta::new("probe", now),
            }
        })
        .collect();
    let requests = (0..n)
        .map(|i| {
            let sys = rng.random_range(0..systems.len());
            let feature = rng.random_bool(0.4);
            RequestSummary {
                id: Id::new(IdKind::Request, 2026, i as u32 + 1),
                status: RequestStatus::ALL[rng.random_range(0..RequestStatus::ALL.len())],
                kind: if feature {
                    RequestKind::Feature
                } else {
                    RequestKind::Problem
                },
                channel: Channel::ALL[rng.random_range(0..Channel::ALL.len())],
                priority: Priority::ALL[rng.random_range(0..Priority::ALL.len())],
                system: Some(systems[sys].id),
                department: DEPTS[rng.random_range(0..DEPTS.len())].into(),
                title: format!("{}{}", systems[sys].name, WHAT[rng.random_range(0..WHAT.len())]),
                received_at: now - chrono::Duration::minutes(i as i64),
                tags: vec![
                    if feature { "功能" } else { "故障" }.into(),
                    CODES[rng.random_range(0..CODES.len())].into(),
                ],
                plan: None,
                rev: 1,
                analysed: false,
                review: None,
                similar_to: None,
            }
        })
        .collect();
    (systems, requests)
}

fn key(c: KeyCode) -> Msg {
    Msg::Input(Event::Key(KeyEvent::new(c, KeyModifiers::NONE)))
}

fn loaded(systems: &[System], requests: &[RequestSummary]) -> State {
    let mut s = State::new(
        "probe".into(),
        vec![Role::Admin, Role::Operator],
        "probe".into(),
        Keymap::load(None).0,
        Vec::new(),
    );
    let t = Instant::now();
    let _ = update(
        &mut s,
        Msg::Reply(Reply::All {
            systems: systems.to_vec(),
            requests: requests.to_vec(),
            plans: Vec::new(),
            dossiers: Vec::new(),
            overview: Box::default(),
            calendar: Vec::new(),
            templates: Vec::new(),
        }),
    );
    eprintln!("the list into the UI: {:.1} ms", t.elapsed().as_secs_f64() * 1e3);
    // A person types after seeing the list: the filter's index is built by then.
    std::thread::sleep(std::time::Duration::from_secs(3));
    s
}

fn pct(mut v: Vec<f64>) -> String {
    v.sort_by(|a, b| a.total_cmp(b));
    let at = |q: f64| v[(((v.len() - 1) as f64) * q).round() as usize];
    format!(
        "{:.2} ms median, {:.2} ms p99, max {:.2} (n={})",
        at(0.5),
        at(0.99),
        v[v.len() - 1],
        v.len()
    )
}

#[test]
#[ignore = "a probe: run in release with --ignored --nocapture"]
fn filter_probe() {
    let (systems, requests) = rows(100_000);
    let mut term = Terminal::new(TestBackend::new(120, 40)).unwrap();
    let mut ms = |s: &mut State, m: Msg| {
        let t = Instant::now();
        let _ = update(s, m);
        term.draw(|fr| ui::render(fr, s)).unwrap();
        t.elapsed().as_secs_f64() * 1e3
    };

    let mut s = loaded(&systems, &requests);
    let _ = update(&mut s, key(KeyCode::Char('/')));
    let mut first = Vec::new();
    let mut each = Vec::new();
    for c in ('a'..='z').chain("一系统教务财卡网登录".chars()) {
        let t = ms(&mut s, key(KeyCode::Char(c)));
        first.push(t);
        each.push((c, t, s.queue.visible.len()));
        ms(&mut s, key(KeyCode::Backspace));
    }
    eprintln!("first keystroke (a–z, 10 Chinese): {}", pct(first));
    each.sort_by(|a, b| b.1.total_cmp(&a.1));
    eprintln!("  slowest: {:?}", &each[..8]);
    drop(s);

    let mut s = loaded(&systems, &requests);
    let mut all = Vec::new();
    let mut latin = Vec::new();
    for q in [
        "一卡通扣款",
        "vpn login",
        "status:new 教务",
        "财务 导出",
        "jw",
        "jwgl",
        "zhong",
    ] {
        let _ = update(&mut s, key(KeyCode::Char('/')));
        let pinyin = q.is_ascii() && !q.contains(' ');
        for c in q.chars() {
            let t = ms(&mut s, key(KeyCode::Char(c)));
            all.push(t);
            if pinyin {
                latin.push(t);
            }
            eprintln!(
                "  {:?} {t:.2} ms, {} rows",
                s.queue.filter.text(),
                s.queue.visible.len()
            );
        }
        for _ in q.chars() {
            let t = ms(&mut s, key(KeyCode::Backspace));
            all.push(t);
            if pinyin {
                latin.push(t);
            }
        }
        let _ = update(&mut s, key(KeyCode::Esc));
    }
    eprintln!("every keystroke of 7 queries: {}", pct(all));
    eprintln!("the pinyin queries alone: {}", pct(latin));
}
