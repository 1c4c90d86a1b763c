//! `beian export …` and `--csv` through the real binary on the demo data:
//! what comes out parses, files are written, and bad ids give the right exit codes.

use std::path::{Path, PathBuf};
use std::process::Command;

struct Out {
    code: i32,
    stdout: Vec<u8>,
    stderr: String,
}

fn beian(dir: &Path, args: &[&str]) -> Out {
    let out = Command::new(env!("CARGO_BIN_EXE_beian"))
        .env("BEIAN_NO_SERVER", "1")
        .args(args)
        .env("BEIAN_DB", dir.join("data"))
        .env_remove("BEIAN_SOCKET")
        .env("BEIAN_LANG", "zh-CN")
        .env("TZ", "Asia/Shanghai")
        .output()
        .unwrap();
    let o = Out {
        code: out.status.code().unwrap_or(-1),
        stdout: out.stdout,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert!(!o.stderr.contains("panicked"), "panic: {}", o.stderr);
    o
}

fn ok(dir: &Path, args: &[&str]) -> Vec<u8> {
    let o = beian(dir, args);
    assert_eq!(o.code, 0, "{args:?}: {}", o.stderr);
    o.stdout
}

fn demo() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_path_buf();
    ok(&dir, &["demo"]);
    (tmp, dir)
}

fn json_len(dir: &Path, args: &[&str]) -> usize {
    let mut a = args.to_vec();
    a.push("--json");
    let v: serde_json::Value = serde_json::from_slice(&ok(dir, &a)).unwrap();
    // `archive search` answers a page of ranked hits.
    v.as_array().or_else(|| v["hits"].as_array()).unwrap().len()
}

fn csv_rows(bytes: &[u8]) -> Vec<csv::StringRecord> {
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "CSV starts with a BOM");
    let mut r = csv::Reader::from_reader(&bytes[3..]);
    assert!(r.headers().unwrap().len() > 5);
    r.records().map(|x| x.unwrap()).collect()
}

#[test]
fn csv_of_filtered_views_reads_back_with_the_same_rows() {
    let (_tmp, dir) = demo();
    for args in [
        vec!["request", "list"],
        vec!["request", "list", "--status", "new"],
        vec!["request", "list", "--system", "教务管理系统"],
        vec!["archive", "list"],
        vec!["archive", "search", "一卡通"],
    ] {
        let want = json_len(&dir, &args);
        let mut a = args.clone();
        a.push("--csv");
        let rows = csv_rows(&ok(&dir, &a));
        assert_eq!(rows.len(), want, "{args:?}");
        assert!(want > 0, "{args:?} shows something in the demo");
        for r in &rows {
            for c in r.iter() {
                assert!(!c.starts_with(['=', '+', '-', '@']), "{c}");
            }
        }
    }
}

#[test]
fn exports_to_files_and_stdout_parse() {
    let (_tmp, dir) = demo();
    let file = |n: &str| dir.join(n);
    // Dossier JSON to a file, complete with the schema version.
    let json = file("d.json");
    ok(
        &dir,
        &[
            "export",
            "dossier",
            "FILE-2026-0003",
            "--format",
            "json",
            "-o",
            json.to_str().unwrap(),
        ],
    );
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    assert_eq!(v["schema_version"], beian::store::SCHEMA_VERSION);
    assert_eq!(v["dossier"]["id"], "FILE-2026-0003");
    let back: beian::export::DossierExport = serde_json::from_value(v).unwrap();
    assert_eq!(back.view.dossier.plan.id.to_string(), "PLAN-2026-0003");
    // Markdown on stdout.
    let md = String::from_utf8(ok(&dir, &["export", "dossier", "FILE-2026-0003"])).unwrap();
    assert!(md.starts_with("# FILE-2026-0003 一卡通系统"), "{md}");
    assert!(md.contains("| 功能 |") || md.contains("|---|---|---|---|"), "{md}");
    // The test report.
    let rep = String::from_utf8(ok(&dir, &["export", "tests", "PLAN-2026-0003"])).unwrap();
    assert!(rep.starts_with("# 测试报告：PLAN-2026-0003"), "{rep}");
    // A filed plan's report has its go-live record; the go-live checklist is for
    // plans still in testing.
    assert!(rep.contains("## 上线记录"), "{rep}");
    assert!(!rep.contains("## 上线条件检查"), "{rep}");
    let plans: serde_json::Value = serde_json::from_slice(&ok(&dir, &["plan", "list", "--json"])).unwrap();
    let testing = plans
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["status"] == "testing")
        .expect("a demo plan in testing");
    let id = testing["id"].as_str().unwrap();
    let rep = String::from_utf8(ok(&dir, &["export", "tests", id])).unwrap();
    assert!(rep.contains("## 上线条件检查"), "{rep}");
    // No temporary files left behind.
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| {
            let n = e.file_name().to_string_lossy().into_owned();
            n.starts_with('.') && (n.ends_with(".tmp") || n.contains(".tmp-"))
        })
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn the_notice_in_english_as_an_email() {
    let (_tmp, dir) = demo();
    let eml = dir.join("notice.eml");
    let export = |plan: &str, out: &std::path::Path| {
        ok(
            &dir,
            &[
                "--lang",
                "zh-CN",
                "export",
                "notice",
                plan,
                "--format",
                "eml",
                "--generated",
                "--from",
                "IMC <imc@example.edu.cn>",
                "--to",
                "a@example.edu.cn",
                "--to",
                "张老师 <zhang@example.edu.cn>",
                "-o",
                out.to_str().unwrap(),
            ],
        )
    };
    // The notice is written in its own language (zh-CN unless the plan says
    // otherwise), whatever the interface's.
    let text = String::from_utf8(ok(&dir, &["--lang", "en", "export", "notice", "PLAN-2026-0019"])).unwrap();
    assert!(text.starts_with("更新预告：教务管理系统"), "{text}");
    // A plan whose notice language is English: an English email from a Chinese session.
    ok(&dir, &["plan", "notice", "draft", "PLAN-2026-0020", "--language", "en"]);
    export("PLAN-2026-0020", &eml);
    let bytes = std::fs::read(&eml).unwrap();
    let msg = mail_parser::MessageParser::default().parse(&bytes).unwrap();
    assert_eq!(
        msg.subject().unwrap(),
        "Update notice: 统一身份认证平台 CAS 4.3 → CAS 4.4"
    );
    let body = msg.body_text(0).unwrap();
    assert!(
        body.contains("The Information Management Center will update 统一身份认证平台"),
        "{body}"
    );
    assert!(String::from_utf8_lossy(&bytes).contains("Content-Language: en"));
    let to = msg.to().unwrap();
    assert_eq!(to.iter().count(), 2);
    assert_eq!(to.last().unwrap().name().unwrap(), "张老师");
    // A plan without a notice yet gets a preview, in the notice's language.
    let md = String::from_utf8(ok(
        &dir,
        &["--lang", "en", "export", "notice", "PLAN-2026-0022", "--format", "md"],
    ))
    .unwrap();
    assert!(md.contains("尚未发布（预览）"), "{md}");
    assert!(md.contains("更新预告：财务管理系统"), "{md}");
}

#[test]
fn bad_ids_and_options_give_clear_exit_codes() {
    let (_tmp, dir) = demo();
    for (args, code) in [
        (vec!["export", "dossier", "FILE-2026-9999"], 5),
        (vec!["export", "notice", "PLAN-2026-9999"], 5),
        (vec!["export", "tests", "PLAN-2026-9999"], 5),
        (vec!["export", "dossier", "PLAN-2026-0003"], 2),
        (vec!["export", "notice", "FILE-2026-0003"], 2),
        (vec!["export", "tests", "REQ-2026-0001"], 2),
        (vec!["export", "dossier", "FILE-2026-0003", "--format", "pdf"], 2),
        (vec!["export", "notice", "PLAN-2026-0019", "--format", "eml"], 2),
        (
            vec![
                "export",
                "notice",
                "PLAN-2026-0019",
                "--format",
                "eml",
                "--from",
                "x@y\r\nBcc: z@w",
            ],
            2,
        ),
    ] {
        let o = beian(&dir, &args);
        assert_eq!(o.code, code, "{args:?}: {}", o.stderr);
        assert!(o.stdout.is_empty(), "{args:?}");
        assert!(!o.stderr.is_empty(), "{args:?}");
    }
}
