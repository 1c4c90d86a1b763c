//! Issue 12, item 6: the record is complete. A dossier in which every field
//! holds a value of its own is shown by every output — the Markdown export (as a
//! Markdown parser renders it), `beian archive show`, the JSON export and the
//! archive pane of the UI — and text comes back as typed, `<`, `&`, `|` and line
//! breaks included.
//!
//! The dossier is written once below as JSON and read into the model, so a field
//! added to the model later with a default is in it without editing this test;
//! a new optional field or list is reported (it must be given a value here). Then
//! every value is made unique by walking the JSON: free text (a string the model
//! takes whatever it is) becomes a marker like `MK017文<&|⏎017>`; times, dates,
//! ids and numbers get values no other field has. A value missing from an output
//! fails the test with the field's JSON path and the output's name.
#![recursion_limit = "256"]

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::sync::Once;

use beian::model::*;
use beian::service::{DossierView, Service};
use chrono::{Duration, NaiveDate, TimeZone, Utc};
use pulldown_cmark::{Event, Options, Parser};
use serde_json::{json, Value};

/// Beijing time for every `fmt_time`, set before anything reads the clock.
fn init() {
    static TZ: Once = Once::new();
    TZ.call_once(|| std::env::set_var("TZ", "Asia/Shanghai"));
}

/// A dossier with something in every field: every list has an element, every
/// optional value is there. Values are replaced by [`unique`]; the enums stay.
fn full_json() -> Value {
    let meta = json!({"rev": 3, "created_at": "2026-03-02T04:00:00Z", "created_by": "wang",
        "updated_at": "2026-03-03T04:00:00Z", "updated_by": "zhao"});
    let tester = json!({"name": "学生志愿者小张", "kind": "student_volunteer"});
    let incident = json!({"outcome": "rolled_back", "time": "2026-03-23T02:00:00Z", "by": "王工",
        "what": "审批流转异常", "golive": 1, "recorded_by": "wang", "recorded_at": "2026-03-23T03:00:00Z"});
    let review = json!({"golive": 1,
        "goals": [{"goal": "提升选课并发能力", "verdict": "partly", "note": "峰值3800人"}],
        "incidents": [incident.clone()],
        "feedback": [{"id": "REQ-2026-0003", "title": "导出乱码", "status": "triaged"}],
        "summary": "基本达成", "by": "zhao", "time": "2026-03-30T04:00:00Z"});
    let plan = json!({
        "id": "PLAN-2026-0001", "title": "教务系统升级", "system": "SYS-0001",
        "version_from": "V2.1", "version_to": "V3.0", "status": "filed",
        "goals": "提升选课并发能力", "content": "更换选课模块", "approach": "灰度发布",
        "window": {"start": "2026-03-20T14:00:00Z", "end": "2026-03-20T18:00:00Z"},
        "staff": [{"person": "王工", "role": "负责人", "duty": "部署与回退"}],
        "risks": [{"description": "迁移失败", "likelihood": "low", "impact": "high",
            "mitigation": "全量备份"}],
        "backup_plan": "全量备份", "migration_plan": "脚本迁移", "rollback_plan": "恢复备份",
        "requests": ["REQ-2026-0001"],
        "approvals": [{"approver": "li", "decision": "approved", "time": "2026-03-05T04:00:00Z",
            "comment": "同意", "minutes_ref": "LG-2026-03", "submission": 1, "on_behalf_of": "zhou"}],
        "migrates_data": true,
        "submission": 1,
        "withdrawn_notices": [{"text": "原定周四更新", "audience": "教务处",
            "published_at": "2026-03-04T04:00:00Z", "published_by": "wang"}],
        "blackout_overrides": [{"period": "期中教学检查", "reason": "安全补丁"}],
        "contributors": [{"name": "wang", "did": ["edit"]}],
        "deviation": {"time": "2026-03-23T14:00:00Z", "reason": "再次延期", "recorded_by": "wang",
            "recorded_at": "2026-03-23T15:00:00Z",
            "accepted": {"by": "li", "reason": "同意", "time": "2026-03-23T16:00:00Z", "on_behalf_of": "zhou"}},
        "notice": {"text": "系统将于周五晚更新", "audience": "全校师生",
            "published_at": "2026-03-06T04:00:00Z", "published_by": "wang"},
        "notice_info": {"services": "选课、成绩查询", "user_groups": "全校本科生",
            "impact": "维护期间无法选课", "user_action": "请提前选课", "contact": "教务处 88001",
            "student_arrangements": "选课截止顺延一天"},
        "notice_language": "en",
        "notice_draft": {"text": "预告草稿", "by": "wang", "at": "2026-03-07T04:00:00Z",
            "window": {"start": "2026-03-27T14:00:00Z", "end": "2026-03-27T18:00:00Z"}},
        "publications": [{"kind": "corrected", "text": "更正：改为周六", "audience": "全校学生",
            "published_at": "2026-03-08T04:00:00Z", "published_by": "zhao", "language": "zh-CN",
            "window": {"start": "2026-03-21T14:00:00Z", "end": "2026-03-21T18:00:00Z"},
            "previous_window": {"start": "2026-03-19T14:00:00Z", "end": "2026-03-19T18:00:00Z"},
            "legacy": true}],
        "window_history": [{"from": {"start": "2026-03-18T14:00:00Z", "end": "2026-03-18T18:00:00Z"},
            "to": {"start": "2026-03-20T14:00:00Z", "end": "2026-03-20T18:00:00Z"},
            "reason": "厂商补丁延期", "by": "wang", "at": "2026-03-07T05:00:00Z", "submission": 1,
            "rescheduled": true}],
        "milestones": {"test_start": "2026-03-20T15:00:00Z",
            "golive": {"time": "2026-03-20T17:00:00Z", "by": "wang", "at": "2026-03-20T16:00:00Z"},
            "training": [{"date": "2026-03-26", "format": "online_video", "place": "教务处网站",
                "audience": "任课教师"}]},
        "blackout_override": "考试周前必须完成",
        "cancel_reason": "（曾取消后恢复）",
        "rounds": [{"no": 1, "started_at": "2026-03-21T04:00:00Z", "started_by": "wang",
            "environment": "测试环境 10.1.1.1",
            "items": [{"no": 1, "category": "functional", "description": "学生选课",
                "expected": "选课成功", "tester": tester, "result": "waived",
                "waiver": "次要功能", "notes": "无",
                "waived": {"by": "li", "reason": "次要功能", "time": "2026-03-21T06:00:00Z",
                    "on_behalf_of": "zhou"}}]}],
        "defects": [{"no": 1, "severity": "major", "description": "退课失败",
            "found_by": tester, "round": 1, "item": 1, "vendor_ref": "ZF-1",
            "status": "verified", "reported_at": "2026-03-21T05:00:00Z",
            "acceptance": {"by": "li", "reason": "风险可控", "time": "2026-03-21T07:00:00Z",
                "on_behalf_of": "zhou"}}],
        "backup": {"what": "教务数据库", "location": "/backup/jw", "size": "12G",
            "checksum": "sha256:00ff", "verified_by": "wang", "time": "2026-03-22T04:00:00Z"},
        "golives": [{"time": "2026-03-22T14:00:00Z", "deployer": "wang", "version": "V3.0",
            "steps": "停服、迁移、启动", "config_changes": "连接池 200", "outcome": "success",
            "incidents": "无",
            "deviation": {"time": "2026-03-22T14:00:00Z", "reason": "迁移超时", "recorded_by": "wang",
                "recorded_at": "2026-03-22T15:00:00Z",
                "accepted": {"by": "li", "reason": "同意", "time": "2026-03-22T16:00:00Z"}}}],
        "retest_after_round": 1,
        "training": [{"format": "classroom", "date": "2026-03-25", "trainer": "王工",
            "departments": ["教务处"], "attendance": 30}],
        "comparison": [{"function": "选课", "before": "单线程", "after": "并发",
            "change": "changed"}],
        "incidents": [incident.clone()],
        "feedback": ["REQ-2026-0003"],
        "reviews": [review.clone()],
        "failure": {"reason": "（曾失败关闭）", "by": "li", "time": "2026-03-29T04:00:00Z"},
        "dossier": "FILE-2026-0001",
        "class": "emergency",
        "emergency_reason": "高危漏洞已被利用",
        "template": {"id": "TPL-2026-0001", "title": "月度补丁", "content": "安装补丁",
            "approach": "停机补丁", "approved_at": "2026-02-01T04:00:00Z", "approvers": ["li"],
            "expires": "2027-02-01",
            "items": [{"category": "security", "description": "漏洞验证", "expected": "不可利用"}]},
        "covers": [{"template": "TPL-2026-0001", "submission": 1, "time": "2026-03-05T04:30:00Z",
            "by": "wang", "expires": "2027-02-01"}],
        "meta": meta
    });
    let request = json!({
        "id": "REQ-2026-0001", "kind": "feature", "title": "选课慢", "body": "高峰期响应慢",
        "system": "SYS-0001",
        "submitter": {"name": "张老师", "contact": "zhang@example.edu.cn", "kind": "teacher"},
        "department": "计算机学院", "channel": "email", "received_at": "2026-03-01T04:00:00Z",
        "priority": "high", "tags": ["选课"], "status": "done",
        "necessity": "影响选课", "feasibility": "可行", "reject_reason": "（无）",
        "duplicate_of": "REQ-2026-0002",
        "similar_to": "REQ-2026-0003",
        "joint_review": {"sent_by": "wang", "sent_at": "2026-03-02T05:00:00Z",
            "outcome": "同意实施", "decided_at": "2026-03-03T05:00:00Z", "review": "JR-2026-0001"},
        "plan": "PLAN-2026-0001",
        "feedback_on": "PLAN-2026-0002",
        "comments": [{"author": "wang", "time": "2026-03-02T06:00:00Z", "text": "已纳入计划"}],
        "source": {"origin": "inbox.mbox:1", "detail": "mbox", "external_id": "<a@b>",
            "ip": "10.0.0.1", "address": "zhang@example.edu.cn",
            "attachments": [{"name": "截图.png", "size": 1024}]},
        "meta": meta
    });
    json!({
        "dossier": {
            "id": "FILE-2026-0001",
            "filed_at": "2026-04-01T04:00:00Z",
            "filed_by": "wang",
            "system": {"id": "SYS-0001", "name": "教务管理系统", "department": "教务处",
                "vendor": "正方", "version": "V3.0", "meta": meta},
            "plan": plan,
            "requests": [request.clone()],
            "feedback": [request.clone()]
        },
        "addenda": [
            {"no": 1, "author": "wang", "time": "2026-04-02T04:00:00Z",
                "reason": "补充记录", "text": "补训一场", "body": {"kind": "correction"}},
            {"no": 2, "author": "wang", "time": "2026-04-03T04:00:00Z",
                "body": {"kind": "incident", "record": incident}},
            {"no": 3, "author": "wang", "time": "2026-04-04T04:00:00Z",
                "body": {"kind": "training", "record": {"format": "on_site", "date": "2026-04-04",
                    "trainer": "李工", "departments": ["财务处"], "attendance": 12}}},
            {"no": 4, "author": "wang", "time": "2026-04-05T04:00:00Z",
                "body": {"kind": "feedback", "record": request}},
            {"no": 5, "author": "wang", "time": "2026-04-06T04:00:00Z",
                "body": {"kind": "review", "record": review}}
        ]
    })
}

/// What a field must look like in every output.
#[derive(Debug, Clone)]
enum Want {
    /// Free text: the marker exactly, its line break a line break.
    Text(String),
    /// A generated rendering (time, date, id, number): this string.
    Exact(String),
    /// An enum value: one of its labels in the output's language (enum values
    /// are not unique, so this only shows that the field is there at all).
    Label(String),
    /// A yes/no value: its label in the output's language (not unique either).
    YesNo(bool),
}

fn path_join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// Every leaf of `v` with its path, `dossier.plan.golives[0].steps`.
fn leaves(v: &Value, path: String, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                leaves(x, path_join(&path, k), out);
            }
        }
        Value::Array(a) => {
            assert!(
                !a.is_empty(),
                "{path} is an empty list: give it an element in full_json()"
            );
            for (i, x) in a.iter().enumerate() {
                leaves(x, format!("{path}[{i}]"), out);
            }
        }
        Value::Null => panic!("{path} has no value: give it one in full_json()"),
        _ => out.push(path),
    }
}

fn at<'a>(v: &'a mut Value, path: &str) -> &'a mut Value {
    let mut cur = v;
    for part in path.split('.') {
        let (key, idx) = match part.find('[') {
            Some(i) => (&part[..i], Some(&part[i..])),
            None => (part, None),
        };
        cur = &mut cur[key];
        if let Some(idx) = idx {
            for n in idx.split(['[', ']']).filter(|s| !s.is_empty()) {
                cur = &mut cur[n.parse::<usize>().unwrap()];
            }
        }
    }
    cur
}

fn fits(v: &Value) -> bool {
    serde_json::from_value::<DossierView>(v.clone()).is_ok()
}

/// The labels of enum value `value` in the current language, of any enum that has it.
fn labels_of(value: &str) -> Vec<String> {
    let types = [
        "RequestKind",
        "SubmitterType",
        "Channel",
        "Priority",
        "RequestStatus",
        "PlanStatus",
        "Level",
        "Decision",
        "TestCategory",
        "TesterType",
        "TestResult",
        "Severity",
        "DefectStatus",
        "GoLiveOutcome",
        "TrainingFormat",
        "ChangeType",
        "IncidentOutcome",
        "GoalVerdict",
        "AddendumKind",
        "NoticeLanguage",
        "PublicationKind",
        "ChangeClass",
    ];
    let lang = beian::i18n::current();
    types
        .iter()
        .filter(|ty| beian::i18n::has(&lang, &format!("enum.{ty}.{value}")))
        .map(|ty| beian::i18n::enum_label(ty, value))
        .collect()
}

/// Give every leaf a value no other has; what each must look like in an output.
/// Labels of enums depend on the language: they are looked up when checked.
fn unique(mut v: Value) -> (DossierView, BTreeMap<String, Want>) {
    let mut paths = Vec::new();
    leaves(&v, String::new(), &mut paths);
    let mut want = BTreeMap::new();
    let base = Utc.with_ymd_and_hms(2031, 5, 1, 0, 0, 0).unwrap();
    for (n, path) in paths.iter().enumerate() {
        let n = n + 1;
        let old = at(&mut v, path).clone();
        let mut try_set = |new: Value| {
            *at(&mut v, path) = new;
            if fits(&v) {
                true
            } else {
                *at(&mut v, path) = old.clone();
                false
            }
        };
        let w = match &old {
            Value::String(s) => {
                let marker = format!("MK{n:03}文<&|\n{n:03}>");
                if try_set(Value::String(marker.clone())) {
                    Want::Text(marker)
                } else if s.parse::<Time>().is_ok() {
                    let t = base + Duration::minutes(n as i64 * 61);
                    assert!(try_set(Value::String(t.to_rfc3339())), "{path}: a time");
                    Want::Exact(fmt_time(t))
                } else if NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok() {
                    let d = NaiveDate::from_ymd_opt(2035, 1, 1).unwrap() + Duration::days(n as i64);
                    assert!(try_set(Value::String(d.to_string())), "{path}: a date");
                    Want::Exact(d.to_string())
                } else if let Ok(id) = s.parse::<Id>() {
                    let id = Id::new(id.kind, id.year, 700 + n as u32);
                    assert!(try_set(Value::String(id.to_string())), "{path}: an id");
                    Want::Exact(id.to_string())
                } else {
                    Want::Label(s.clone())
                }
            }
            Value::Number(_) => {
                let x = 73000 + n as u64;
                assert!(try_set(json!(x)), "{path}: a number the model does not take");
                Want::Exact(x.to_string())
            }
            Value::Bool(b) => Want::YesNo(*b),
            other => panic!("{path}: a {other} — teach this test how to make it unique"),
        };
        want.insert(path.clone(), w);
    }
    let view: DossierView = serde_json::from_value(v).unwrap();
    (view, want)
}

/// The dossier with unique values, checked to still have every field (the model
/// may have gained one since full_json() was written: it is in the walk, with its
/// default, if the JSON read back holds it).
fn dossier() -> (DossierView, BTreeMap<String, Want>) {
    let view: DossierView = serde_json::from_value(full_json()).expect("full_json() fits the model");
    unique(serde_json::to_value(&view).unwrap())
}

// ---------------------------------------------------------------------------
// Reading the outputs

/// The text a Markdown renderer shows: line breaks (`\` or `<br>`) as `\n`,
/// blocks and cells apart by `\n`. Any other HTML fails: typed `<` must not
/// become markup.
fn markdown_text(md: &str) -> String {
    let mut o = String::new();
    let opts = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    for e in Parser::new_ext(md, opts) {
        match e {
            Event::Text(t) => o.push_str(&t),
            Event::HardBreak => o.push('\n'),
            Event::InlineHtml(h) if h.as_ref() == "<br>" => o.push('\n'),
            Event::SoftBreak => o.push(' '),
            Event::End(_) => o.push('\n'),
            Event::Start(_) => {}
            other => panic!("the Markdown holds {other:?}:\n{md}"),
        }
    }
    o
}

/// The display column where byte `b` of `line` starts.
fn column(line: &str, b: usize) -> usize {
    beian::text::text_width(&line[..b])
}

/// The rest of `line` from display column `col`, if a character starts there.
fn from_column(line: &str, col: usize) -> Option<&str> {
    let mut w = 0;
    for (i, c) in line.char_indices() {
        if w == col {
            return Some(&line[i..]);
        }
        w += beian::text::text_width(&c.to_string());
        if w > col {
            return None;
        }
    }
    (w == col).then_some("")
}

/// How often `text` is in a terminal view: its first line somewhere, each next
/// line on the next screen line at the same column (a field's or a cell's
/// continuation).
fn in_columns(screen: &str, text: &str) -> usize {
    let lines: Vec<&str> = screen.lines().collect();
    let parts: Vec<&str> = text.split('\n').collect();
    let mut n = 0;
    for (i, line) in lines.iter().enumerate() {
        for (b, _) in line.match_indices(parts[0]) {
            let col = column(line, b);
            let rest_ok = parts[1..].iter().enumerate().all(|(k, p)| {
                lines
                    .get(i + 1 + k)
                    .and_then(|l| from_column(l, col))
                    .is_some_and(|r| r.starts_with(p))
            });
            if rest_ok {
                n += 1;
            }
        }
    }
    n
}

/// Which fields `output` lacks.
fn missing(name: &str, output: &str, want: &BTreeMap<String, Want>, columns: bool, out: &mut Vec<String>) {
    for (path, w) in want {
        let found = match w {
            Want::Text(m) if columns => in_columns(output, m) > 0,
            Want::Text(m) | Want::Exact(m) => output.contains(m.as_str()),
            Want::Label(value) => {
                let labels = labels_of(value);
                assert!(!labels.is_empty(), "{path}: {value:?} is no enum value with a label");
                labels.iter().any(|l| output.contains(l.as_str()))
            }
            Want::YesNo(b) => output.contains(&beian::i18n::t(if *b { "cli.yes" } else { "cli.no" }, &[])),
        };
        if !found {
            out.push(format!("{path} ({w:?}) is missing from {name}"));
        }
    }
}

/// What a terminal view must never show for typed text.
fn no_escapes(name: &str, output: &str, out: &mut Vec<String>) {
    for esc in ["&lt;", "&amp;", "\\|", "<br>", "\\<"] {
        if output.contains(esc) {
            out.push(format!("{name} shows {esc:?}"));
        }
    }
}

// ---------------------------------------------------------------------------
// The outputs

/// A database holding `v` as a filed dossier with its addenda (written directly:
/// no sequence of commands produces a dossier this full), owned by this user.
fn database(v: &DossierView) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let svc = Service::create(&data, &beian::config::os_user_name(), false).unwrap();
    let store = svc.raw_store();
    let key = v.dossier.id.key();
    store
        .raw_set("dossiers", &key, Some(&serde_json::to_vec(&v.dossier).unwrap()))
        .unwrap();
    for a in &v.addenda {
        let mut k = key.to_vec();
        k.extend_from_slice(&a.no.to_be_bytes());
        store
            .raw_set("addenda", &k, Some(&serde_json::to_vec(a).unwrap()))
            .unwrap();
    }
    drop(svc);
    tmp
}

fn beian(dir: &Path, lang: &str, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_beian"))
        .env("BEIAN_NO_SERVER", "1")
        .args(args)
        .env("BEIAN_DB", dir.join("data"))
        .env_remove("BEIAN_SOCKET")
        .env("BEIAN_LANG", lang)
        .env("TZ", "Asia/Shanghai")
        .env_remove("COLUMNS")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "beian {args:?}: {stderr}");
    String::from_utf8(out.stdout).unwrap()
}

/// The archive pane with `v` open, drawn on a screen large enough for all of it.
fn tui_screen(v: &DossierView) -> String {
    use beian::tui::state::State;
    use ratatui::backend::TestBackend;
    use ratatui::buffer::CellWidth;
    use ratatui::Terminal;
    let (keymap, _) = beian::tui::keymap::Keymap::load(None);
    let mut st = State::new("wang".into(), vec![Role::Viewer], "test".into(), keymap, Vec::new());
    st.pane = beian::tui::action::Pane::Archive;
    // The dossier selected in the list, its detail open (the detail shows the selection).
    st.archive.all = vec![v.dossier.summary()];
    st.archive.open = true;
    st.archive.detail = Some(v.clone());
    let (w, h) = (400u16, 1000u16);
    let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
    let buf = term.draw(|f| beian::tui::ui::render(f, &st)).unwrap().buffer.clone();
    let mut out = String::new();
    for row in buf.content.chunks(w as usize) {
        let mut line = String::new();
        let mut skip = 0;
        for c in row {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            line.push_str(c.symbol());
            skip = usize::from(c.symbol().cell_width()).saturating_sub(1);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    // The whole dossier fitted, to its last section.
    let last = format!("│{}", beian::i18n::t("cli.section.addenda", &[]));
    assert!(out.contains(&last), "the screen is too small for the dossier:\n{out}");
    out
}

#[test]
fn every_field_of_a_dossier_is_in_every_output() {
    init();
    let (v, want) = dossier();
    let id = v.dossier.id.to_string();
    let tmp = database(&v);
    let mut problems = Vec::new();
    for lang in ["zh-CN", "en"] {
        beian::i18n::set(lang);
        // The Markdown export, as a renderer shows it.
        let md = beian::export::dossier_markdown(&v);
        assert_eq!(
            beian(tmp.path(), lang, &["export", "dossier", &id, "--format", "md"]),
            md
        );
        missing(
            &format!("the Markdown ({lang})"),
            &markdown_text(&md),
            &want,
            false,
            &mut problems,
        );
        // `beian archive show`.
        let shown = beian(tmp.path(), lang, &["archive", "show", &id]);
        missing(&format!("archive show ({lang})"), &shown, &want, true, &mut problems);
        no_escapes(&format!("archive show ({lang})"), &shown, &mut problems);
        // The archive pane.
        let screen = tui_screen(&v);
        missing(
            &format!("the UI's dossier ({lang})"),
            &screen,
            &want,
            true,
            &mut problems,
        );
        no_escapes(&format!("the UI's dossier ({lang})"), &screen, &mut problems);
    }
    // The JSON export and `archive show --json`: the record itself.
    let json = beian(tmp.path(), "zh-CN", &["export", "dossier", &id, "--format", "json"]);
    let back: beian::export::DossierExport = serde_json::from_str(&json).unwrap();
    assert_eq!(back.view, v, "the JSON export is the dossier");
    let raw: Value = serde_json::from_str(&json).unwrap();
    let shown: Value = serde_json::from_str(&beian(tmp.path(), "zh-CN", &["--json", "archive", "show", &id])).unwrap();
    for (path, w) in &want {
        if let Want::Text(m) = w {
            for (name, doc) in [("the JSON export", &raw), ("archive show --json", &shown)] {
                if at(&mut doc.clone(), path).as_str() != Some(m.as_str()) {
                    problems.push(format!("{path} ({m:?}) is missing from {name}"));
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
    // The walk reached every kind of value.
    let texts = want.values().filter(|w| matches!(w, Want::Text(_))).count();
    assert!(texts >= 75, "only {texts} text fields");
    for k in [
        "dossier.plan.golives[0].config_changes",
        "dossier.plan.golives[0].incidents",
    ] {
        assert!(matches!(want[k], Want::Text(_)), "{k}");
    }
}

/// Typed text in the terminal views: as typed, with Chinese, `<`, `&`, `|` and
/// line breaks, in aligned columns.
#[test]
fn text_is_shown_as_typed() {
    init();
    let (mut v, _) = dossier();
    let typed = "上线<v2> & 回退|步骤\n  第二行 <b>粗</b> &amp;";
    v.dossier.plan.golives[0].config_changes = typed.into();
    v.dossier.plan.comparison[0].before = typed.into();
    v.dossier.plan.goals = typed.into();
    let id = v.dossier.id.to_string();
    let tmp = database(&v);
    beian::i18n::set("zh-CN");
    let shown = beian(tmp.path(), "zh-CN", &["archive", "show", &id]);
    let screen = tui_screen(&v);
    for (name, out) in [("archive show", &shown), ("the UI", &screen)] {
        // In a field, a table cell and a text section, each line below the one before.
        assert_eq!(in_columns(out, typed), 3, "{name}:\n{out}");
    }
    let md = beian::export::dossier_markdown(&v);
    assert!(!md.contains("<b>") && !md.contains("<v2>"), "{md}");
    let text = markdown_text(&md);
    assert_eq!(text.matches(typed).count(), 3, "{text}");
}
