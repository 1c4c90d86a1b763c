//! Intake (issue 5): each sample of ../shared/samples (copied to
//! tests/fixtures/import) imports with every field right, and twice adds nothing.

mod common;

use std::path::{Path, PathBuf};

use beian::io::{self, Options};
use beian::model::*;
use beian::service::{Command, ImportReport, Outcome, RequestFilter};
use chrono::{TimeZone, Utc};
use common::*;

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/import")
        .join(name)
}

/// A database with the five systems the samples name (SYS-0001 教务管理系统 …).
fn world() -> World {
    let w = World::new();
    for name in [
        "图书馆管理系统",
        "一卡通系统",
        "财务报销系统",
        "OA办公系统",
        "科研管理系统",
    ] {
        w.ok(
            &admin(),
            Command::SystemAdd {
                name: name.into(),
                department: "信息中心".into(),
                vendor: "".into(),
                version: "1.0".into(),
            },
        );
    }
    w
}

fn opts(w: &World) -> Options {
    Options {
        systems: w.svc.systems(&admin()).unwrap(),
        ..Options::default()
    }
}

fn import(w: &World, files: &[&str]) -> (Outcome, [usize; 4]) {
    let o = opts(w);
    let mut items = Vec::new();
    for f in files {
        items.extend(io::parse_file(&fixture(f), &o).unwrap().items);
    }
    let out = w.ok(&op_a(), Command::RequestImport { items, dry_run: false });
    let counts = ImportReport::counts(&out.summary).expect("import summary");
    (out, counts)
}

fn all(w: &World) -> Vec<RequestSummary> {
    w.svc.requests(&supervisor(), &RequestFilter::default()).unwrap()
}

fn cst(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> Time {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap() - chrono::Duration::hours(8)
}

#[test]
fn gbk_questionnaire_imports_every_field() {
    let _g = english();
    let w = world();
    let (_, [created, skipped, replies, _]) = import(&w, &["questionnaire-export-gbk.csv"]);
    assert_eq!((created, skipped, replies), (40, 0, 0));
    // Row 1: 1,2026/10/13 18:03:00,67秒,链接,直接访问,10.2.48.94(校内),职工,机械学院,图书馆管理系统,问题反馈,导出报表缺少字段,…
    let r = w.request(req_id(1));
    assert_eq!(r.title, "导出报表缺少字段");
    assert_eq!(r.body, "图书馆管理系统：导出报表缺少字段，请尽快处理。");
    assert_eq!(r.kind, RequestKind::Problem);
    assert_eq!(r.system, Some(sys_id(2)));
    assert_eq!(r.department, "机械学院");
    assert_eq!(r.submitter.kind, SubmitterType::Staff);
    assert_eq!(r.channel, Channel::Questionnaire);
    assert_eq!(r.received_at, cst(2026, 10, 13, 18, 3));
    let s = r.source.expect("source kept");
    assert_eq!(s.external_id, "1");
    assert_eq!(s.ip, "10.2.48.94");
    assert_eq!(s.origin, "questionnaire-export-gbk.csv line 2");
    assert!(
        s.detail.contains("来源：链接") && s.detail.contains("所用时间：67秒"),
        "{}",
        s.detail
    );
    // Row 2: a student of 机械学院 about 教务管理系统.
    let r2 = w.request(req_id(2));
    assert_eq!(r2.submitter.kind, SubmitterType::Student);
    assert_eq!(r2.system, Some(sys_id(1)));
    // Row 5 is 功能需求; row 9 has a quoted cell over two lines (CRLF in the GBK file).
    assert_eq!(w.request(req_id(5)).kind, RequestKind::Feature);
    let r9 = w.request(req_id(9));
    assert_eq!(
        r9.body,
        "图书馆管理系统：希望增加短信提醒，请尽快处理。\n补充：每天上午九点左右出现。"
    );
    assert_eq!(r9.submitter.kind, SubmitterType::Teacher);
    assert_eq!(r9.received_at, cst(2026, 10, 20, 15, 37));
    assert_eq!(r9.source.unwrap().origin, "questionnaire-export-gbk.csv line 10");
    // Row 10 comes after the two-line cell: its line number counts both lines.
    assert_eq!(
        w.request(req_id(10)).source.unwrap().origin,
        "questionnaire-export-gbk.csv line 12"
    );
}

#[test]
fn utf8_export_is_the_same_rows_so_it_adds_nothing_after_gbk() {
    let _g = english();
    let w = world();
    import(&w, &["questionnaire-export-utf8.csv"]);
    let first = all(&w);
    assert_eq!(first.len(), 40);
    let (_, [created, skipped, _, _]) = import(&w, &["questionnaire-export-gbk.csv"]);
    assert_eq!((created, skipped), (0, 40), "same rows, other encoding");
    assert_eq!(w.request(req_id(1)).title, "导出报表缺少字段");
}

#[test]
fn emails_import_with_sender_date_and_message_id() {
    let _g = english();
    let w = world();
    let (_, [created, ..]) = import(&w, &["feedback-gb2312.eml", "feedback-html.eml"]);
    assert_eq!(created, 2);
    // GB2312 encoded-word subject under the unusual charset name eucgb2312_cn, base64 body.
    let r = w.request(req_id(1));
    assert_eq!(r.title, "一卡通充值余额不刷新");
    assert_eq!(r.body, "您好，一卡通系统充值后余额不刷新。\n\n资产处 王老师");
    assert_eq!(r.channel, Channel::Email);
    assert_eq!(r.submitter.contact, "wang@assets.example.edu.cn");
    assert_eq!(r.received_at, cst(2026, 11, 2, 9, 0));
    assert_eq!(r.system, Some(sys_id(3)), "一卡通系统 named in the body");
    let s = r.source.unwrap();
    assert_eq!(s.external_id, "s1@assets.example.edu.cn");
    assert_eq!(s.address, "wang@assets.example.edu.cn");
    // HTML-only: turned into text.
    let h = w.request(req_id(2));
    assert_eq!(h.title, "OA系统审批流程建议");
    assert_eq!(h.body, "建议OA系统增加批量审批功能。");
    assert_eq!(h.received_at, cst(2026, 11, 3, 14, 30));
}

#[test]
fn mbox_imports_ten_messages_and_flags_likely_duplicates() {
    let _g = english();
    let w = world();
    let (_, [created, _, _, flagged]) = import(&w, &["feedback.mbox"]);
    assert_eq!(created, 10);
    let r = w.request(req_id(1));
    assert_eq!(r.title, "财务报销系统审批流程太长");
    assert_eq!(r.body, "财务报销系统：审批流程太长");
    assert_eq!(r.submitter.contact, "u0@example.edu.cn");
    assert_eq!(r.received_at, cst(2026, 11, 4, 9, 0));
    assert_eq!(r.source.unwrap().origin, "feedback.mbox message 1 (line 1)");
    assert_eq!(w.request(req_id(2)).title, "科研管理系统登录后页面空白");
    // The mbox repeats some system + title pairs: later ones are tagged, the first is not.
    let tagged: Vec<_> = all(&w)
        .into_iter()
        .filter(|s| s.tags.iter().any(|t| t == beian::workflow::LIKELY_DUPLICATE_TAG))
        .collect();
    assert_eq!(tagged.len(), flagged);
    assert!(!w.request(req_id(1)).tags.iter().any(|t| t == "疑似重复"));
}

#[test]
fn importing_every_sample_twice_adds_nothing() {
    let _g = english();
    let w = world();
    let files = [
        "questionnaire-export-gbk.csv",
        "questionnaire-export-utf8.csv",
        "feedback-gb2312.eml",
        "feedback-html.eml",
        "feedback.mbox",
    ];
    let (_, [created, skipped, ..]) = import(&w, &files);
    assert_eq!((created, skipped), (52, 40), "the UTF-8 export repeats the GBK rows");
    let (n, audit) = (all(&w).len(), w.audit_len());
    let (_, [created, skipped, replies, flagged]) = import(&w, &files);
    assert_eq!((created, skipped, replies, flagged), (0, 92, 0, 0));
    assert_eq!(all(&w).len(), n);
    assert_eq!(w.audit_len(), audit, "a no-op import writes no audit event");
}
