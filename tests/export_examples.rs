//! Issue 5, acceptance 4: the examples under docs/examples/ are exactly what the
//! exports produce from the demo data (demo "now" 2026-11-29T10:00:00Z, time zone
//! Asia/Shanghai, language zh-CN). To regenerate after changing an export, run
//! this test with BEIAN_WRITE_EXAMPLES=1 and review the diff.
//!
//! The periodic report (`beian report`) is checked by its own test; its example
//! belongs in docs/examples/ too (see docs/examples/README.md).

use std::path::{Path, PathBuf};
use std::sync::Once;

use beian::model::*;
use beian::service::Service;

/// The demo's fixed "now".
const DEMO_NOW: &str = "2026-11-29T10:00:00Z";
/// A plan with a published notice, a filed dossier and the plan filed in it.
const NOTICE_PLAN: &str = "PLAN-2026-0019";
const DOSSIER: &str = "FILE-2026-0003";
const TESTS_PLAN: &str = "PLAN-2026-0003";
const FROM: &str = "信息化管理中心 <imc@example.edu.cn>";
const TO: &str = "all-staff@example.edu.cn";

static SETUP: Once = Once::new();

/// Every test of this file first: one time zone and one language for all.
fn setup() {
    SETUP.call_once(|| {
        std::env::set_var("TZ", "Asia/Shanghai");
        beian::i18n::set("zh-CN");
    });
}

fn now() -> Time {
    DEMO_NOW.parse().unwrap()
}

fn demo() -> (tempfile::TempDir, Service, Actor) {
    let tmp = tempfile::tempdir().unwrap();
    let mut service = Service::create(&tmp.path().join("data"), "admin", true).unwrap();
    beian::demo::populate(&mut service, now()).unwrap();
    (tmp, service, Actor::new("admin", &[Role::Admin]))
}

fn id(s: &str) -> Id {
    s.parse().unwrap()
}

/// Each example file with the text it must contain.
fn examples() -> Vec<(String, String)> {
    setup();
    let (_tmp, s, a) = demo();
    let plan = s.plan(&a, id(NOTICE_PLAN)).unwrap();
    let system = s.system(&a, plan.system).unwrap();
    assert!(
        plan.notice.is_some(),
        "{NOTICE_PLAN} should have a published notice in the demo"
    );
    let doc = beian::export::NoticeDoc::new(&plan, &system, false, "全校师生");
    let eml = beian::export::notice_eml(
        &doc,
        &beian::export::EmlOptions {
            from: FROM.into(),
            to: vec![TO.into()],
            now: now(),
        },
    )
    .unwrap();
    let dossier = s.dossier(&a, id(DOSSIER)).unwrap();
    let tested = s.plan(&a, id(TESTS_PLAN)).unwrap();
    let tested_system = s.system(&a, tested.system).unwrap();
    vec![
        (format!("notice-{NOTICE_PLAN}.txt"), beian::export::notice_text(&doc)),
        (format!("notice-{NOTICE_PLAN}.md"), beian::export::notice_markdown(&doc)),
        (format!("notice-{NOTICE_PLAN}.eml"), eml),
        (
            format!("dossier-{DOSSIER}.md"),
            beian::export::dossier_markdown(&dossier),
        ),
        (format!("dossier-{DOSSIER}.json"), beian::export::dossier_json(&dossier)),
        (
            format!("tests-{TESTS_PLAN}.md"),
            beian::export::test_report_markdown(&tested, &tested_system, &golive_gate(&s, &a, &tested)),
        ),
        (format!("report-{REPORT_FROM}-{REPORT_TO}.md"), report_markdown(&s, &a)),
    ]
}

/// What the go-live gate misses, as the core answers `plan_gates`, but as of the
/// demo's "now" rather than the clock's (so the example does not depend on the day).
fn golive_gate(s: &Service, a: &Actor, p: &Plan) -> Vec<beian::workflow::GoLiveMissing> {
    let ctx = beian::workflow::Ctx {
        actor: a,
        now: now(),
        rules: s.config().process,
        on_behalf_of: None,
    };
    beian::workflow::gates(p, &s.calendar(a).unwrap(), &ctx).golive
}

/// The periodic evaluation (§4.3) of the demo semester, judged on the demo's
/// "today" so that overdue orders do not depend on the day the test runs.
const REPORT_FROM: &str = "2026-09-01";
const REPORT_TO: &str = "2026-11-29";

fn report_markdown(s: &Service, a: &Actor) -> String {
    let day = |d: &str| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap();
    let mut input = s.report_input(a).unwrap();
    input.today = day(REPORT_TO);
    let mut r = beian::report::evaluate(&input, day(REPORT_FROM), day(REPORT_TO));
    // As `beian report` prints it: with the head of the audit chain.
    r.chain_head = Some(s.verify(a, None).unwrap().head);
    r.markdown()
}

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/examples")
}

#[test]
fn examples_match_the_exports_of_the_demo_data() {
    let want = examples();
    let write = std::env::var_os("BEIAN_WRITE_EXAMPLES").is_some();
    let mut stale = Vec::new();
    for (name, text) in &want {
        let path = dir().join(name);
        if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            if write {
                beian::export::write_atomic(&path, text.as_bytes()).unwrap();
            } else {
                stale.push(name.clone());
            }
        }
    }
    assert!(
        stale.is_empty(),
        "docs/examples out of date: {stale:?}; run with BEIAN_WRITE_EXAMPLES=1 and review the diff"
    );
}

#[test]
fn the_exports_are_deterministic() {
    assert_eq!(examples(), examples());
}

#[test]
fn the_dossier_json_round_trips_to_the_model() {
    setup();
    let (_tmp, s, a) = demo();
    let v = s.dossier(&a, id(DOSSIER)).unwrap();
    let text = beian::export::dossier_json(&v);
    let back: beian::export::DossierExport = serde_json::from_str(&text).unwrap();
    assert_eq!(back.schema_version, beian::store::SCHEMA_VERSION);
    assert_eq!(back.format, beian::export::DOSSIER_FORMAT);
    assert_eq!(back.view, v);
    let raw: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(raw["schema_version"], beian::store::SCHEMA_VERSION);
}

#[test]
fn the_notice_email_parses_with_its_chinese_subject_and_body() {
    setup();
    let text = std::fs::read(dir().join(format!("notice-{NOTICE_PLAN}.eml"))).unwrap_or_else(|_| {
        examples()
            .into_iter()
            .find(|(n, _)| n.ends_with(".eml"))
            .unwrap()
            .1
            .into_bytes()
    });
    let msg = mail_parser::MessageParser::default().parse(&text).unwrap();
    assert_eq!(msg.subject().unwrap(), "更新预告：教务管理系统 V9.1.2 → V9.2.0");
    let body = msg.body_text(0).unwrap();
    assert!(body.contains("信息化管理中心将于 2026-12-03 22:00 至"), "{body}");
    assert!(body.contains("学生安排与补偿："), "the notice's own fields: {body}");
    assert_eq!(msg.from().unwrap().first().unwrap().name().unwrap(), "信息化管理中心");
    assert_eq!(
        msg.from().unwrap().first().unwrap().address().unwrap(),
        "imc@example.edu.cn"
    );
    assert_eq!(msg.to().unwrap().first().unwrap().address().unwrap(), TO);
    assert!(msg.date().is_some());
    let mid = msg.message_id().unwrap();
    assert!(
        mid.starts_with(&format!("notice.{NOTICE_PLAN}.")) && mid.ends_with("@example.edu.cn"),
        "{mid}"
    );
    // Every line within the RFC 5322 limit, CRLF throughout.
    let s = String::from_utf8(text).unwrap();
    assert!(s.is_ascii());
    for line in s.split("\r\n") {
        assert!(line.len() <= 78, "{line}");
        assert!(!line.contains('\n'));
    }
}
