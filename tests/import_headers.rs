//! Questionnaire and spreadsheet exports whose header says what each column is
//! in English (`title`, `submitter`, `system` …) are read by those names, and
//! `--map COLUMN=FIELD` takes exactly that column for that field: other
//! columns are not poured into the body and the submitter is the one the file
//! names (issue 14).

mod common;

use std::path::Path;
use std::process::Command as Process;

use beian::io::{self, Options};
use beian::model::*;
use common::*;

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn opts(w: &World, map: &[&str]) -> Options {
    let mut o = Options {
        systems: w.svc.systems(&admin()).unwrap(),
        ..Options::default()
    };
    for m in map {
        o.add_map(m).unwrap();
    }
    o
}

const ENGLISH: &str = "title,submitter,system,department,contact,description,submitted_at,browser\n\
选课页面加载慢,李雷,教务管理系统,外国语学院,lilei@example.edu.cn,高峰期打开选课页面要一分钟,2026/10/13 18:03:00,Firefox\n";

/// The header's English names are the fields: nothing is left to the body but
/// the description (and, without --map, the one column no field claims, as
/// before); the submitter is the file's.
#[test]
fn english_headers_are_recognised() {
    let _g = english();
    let w = World::new();
    let tmp = tempfile::tempdir().unwrap();
    let f = write(tmp.path(), "export.csv", ENGLISH);
    for (map, body) in [
        (vec![], "高峰期打开选课页面要一分钟\n\n【browser】Firefox"),
        (vec!["title=title"], "高峰期打开选课页面要一分钟"),
        (vec!["title=title", "description=body"], "高峰期打开选课页面要一分钟"),
    ] {
        let parsed = io::parse_file(&f, &opts(&w, &map)).unwrap();
        let r = &parsed.items[0].request;
        assert_eq!(r.title, "选课页面加载慢", "{map:?}");
        assert_eq!(r.submitter.name, "李雷", "{map:?}");
        assert_eq!(r.submitter.contact, "lilei@example.edu.cn", "{map:?}");
        assert_eq!(r.system, Some(w.system), "{map:?}");
        assert_eq!(r.department, "外国语学院", "{map:?}");
        assert_eq!(r.body, body, "{map:?}");
        assert!(r.received_at.is_some(), "{map:?}");
        // With --map, the columns left out are named.
        assert_eq!(
            parsed.warnings.iter().any(|w| w.contains("browser")),
            !map.is_empty(),
            "{map:?}: {:?}",
            parsed.warnings
        );
    }
    // Spelled as people write them; "Description" is not an IP address.
    let f = write(
        tmp.path(),
        "sheet.csv",
        "No.,Title,Description,Name,E-mail,Dept,Type,Received At,IP Address\n\
         7,课表导出乱码,导出的 PDF 中文是方块,韩梅梅,hmm@example.edu.cn,教务处,feature,2026-10-14 09:30,10.2.48.94\n",
    );
    let parsed = io::parse_file(&f, &opts(&w, &[])).unwrap();
    let i = &parsed.items[0];
    let r = &i.request;
    assert_eq!(
        (r.title.as_str(), r.body.as_str()),
        ("课表导出乱码", "导出的 PDF 中文是方块")
    );
    assert_eq!(
        (r.submitter.name.as_str(), r.submitter.contact.as_str()),
        ("韩梅梅", "hmm@example.edu.cn")
    );
    assert_eq!((r.department.as_str(), r.kind), ("教务处", RequestKind::Feature));
    let source = i.source.as_ref().unwrap();
    assert_eq!((source.ip.as_str(), source.external_id.as_str()), ("10.2.48.94", "7"));
}

/// The case: `title,submitter,system` with `--map title=title` — the
/// submitter is not 匿名 and the other columns are not poured into the body.
#[test]
fn map_takes_only_the_mapped_column() {
    let _g = english();
    let w = World::new();
    let tmp = tempfile::tempdir().unwrap();
    let f = write(
        tmp.path(),
        "three.csv",
        "title,submitter,system\n打印机驱动缺失,王老师,教务管理系统\n",
    );
    let r = io::parse_file(&f, &opts(&w, &["title=title"]))
        .unwrap()
        .items
        .remove(0)
        .request;
    assert_eq!(
        (r.title.as_str(), r.submitter.name.as_str(), r.body.as_str()),
        ("打印机驱动缺失", "王老师", "")
    );
    assert_eq!(r.system, Some(w.system));
    // A field mapped to a column is that column's alone: the other `title`
    // column is not read for the title.
    let f = write(
        tmp.path(),
        "two-titles.csv",
        "问题标题,title,描述\n真正的标题,别的东西,内容\n",
    );
    let parsed = io::parse_file(&f, &opts(&w, &["问题标题=title"])).unwrap();
    let r = &parsed.items[0].request;
    assert_eq!((r.title.as_str(), r.body.as_str()), ("真正的标题", "内容"));
    assert!(
        parsed.warnings.iter().any(|w| w.contains("title")),
        "{:?}",
        parsed.warnings
    );
}

/// Through `beian import`: the same file, the same result, the warning on the
/// terminal in the user's language.
#[test]
fn the_binary_imports_english_headers_with_a_map() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("data");
    let run = |args: &[&str]| {
        let out = Process::new(env!("CARGO_BIN_EXE_beian"))
            .env("BEIAN_NO_SERVER", "1")
            .args(args)
            .env("BEIAN_DB", &db)
            .env_remove("BEIAN_SOCKET")
            .env("BEIAN_LANG", "zh-CN")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        (
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    run(&["init"]);
    run(&["system", "add", "--name", "教务管理系统"]);
    let f = write(tmp.path(), "export.csv", ENGLISH);
    let (out, err) = run(&["import", f.to_str().unwrap(), "--map", "title=title"]);
    assert!(
        format!("{out}{err}").contains("以下列未导入（未映射）：browser"),
        "{out}{err}"
    );
    let (json, _) = run(&["--json", "request", "show", "REQ-2026-0001"]);
    let r: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(r["submitter"]["name"], "李雷");
    assert_eq!(r["body"], "高峰期打开选课页面要一分钟");
    assert_eq!(r["system"], "SYS-0001");
}
