//! Large imports (issue 5, acceptance 3): a file is streamed to the core in
//! batches, each its own transaction, and still imported whole or not at all —
//! a bad row at the end, a crash in the middle, or a client that goes away
//! leaves the database as it was. Through the real binary, locally and through
//! a server.

mod server_support;

use std::path::{Path, PathBuf};

use server_support::*;

/// More rows than two batches (1,000 each).
const ROWS: usize = 2_500;

/// A questionnaire export of `rows` rows; row `bad` (1-based), if given, has too few columns.
fn survey(dir: &Path, name: &str, rows: usize, bad: Option<usize>) -> PathBuf {
    let mut text = String::from(
        "序号,提交答卷时间,所用时间,来源,来源详情,来自IP,1、您的身份,2、所在部门/学院,3、涉及的信息系统,\
         4、反馈类型,5、问题或需求标题,6、详细描述,7、联系方式\r\n",
    );
    let problems = ["登录后页面空白", "导出报表缺少字段", "成绩录入超时", "选课页面卡顿"];
    for i in 1..=rows {
        if bad == Some(i) {
            text.push_str(&format!("{i},2026/10/13 18:03:00,67秒\r\n"));
            continue;
        }
        let p = problems[i % problems.len()];
        text.push_str(&format!(
            "{i},2026/10/{:02} 18:03:00,67秒,链接,直接访问,10.2.{}.{}(校内),学生,机械学院,教务管理系统,问题反馈,\
             {p} 第{i}条,\"{p}：第{i}条反馈。\r\n复现：登录后打开页面，\"\"{p}\"\"。\",user{i}@example.edu.cn\r\n",
            1 + i % 28,
            i % 250,
            i % 200,
        ));
    }
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn local(db: &Path, args: &[&str]) -> Out {
    run_cli(args, &[("BEIAN_DB", db.as_os_str())])
}

fn requests(db: &Path) -> usize {
    let out = local(db, &["--json", "request", "list"]);
    out.json()
        .as_array()
        .map(Vec::len)
        .unwrap_or_else(|| panic!("{}", out.stdout))
}

fn audit_len(db: &Path) -> usize {
    let out = local(db, &["--json", "audit", "--limit", "1000000"]);
    out.json()
        .as_array()
        .map(Vec::len)
        .unwrap_or_else(|| panic!("{}", out.stdout))
}

fn ids(out: &Out) -> Vec<String> {
    let v = out.json();
    v["ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i.as_str().unwrap().to_string())
        .collect()
}

fn new_db(tmp: &Path) -> PathBuf {
    let db = tmp.join("data");
    let out = local(&db, &["init"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    std::fs::write(db.join("config.toml"), config_for(&["admin", "operator", "supervisor"])).unwrap();
    db
}

#[test]
fn a_file_of_several_batches_is_imported_whole_and_once() {
    let tmp = tempfile::tempdir().unwrap();
    let db = new_db(tmp.path());
    let file = survey(tmp.path(), "survey.csv", ROWS, None);
    let audit_before = audit_len(&db);

    // A dry run goes through every batch and writes nothing.
    let dry = local(&db, &["--json", "import", "--dry-run", file.to_str().unwrap()]);
    let v = dry.json();
    assert_eq!(v["created"], ROWS, "{v}");
    assert_eq!(v["rows"], ROWS);
    assert_eq!(v["items"].as_array().unwrap().len(), 50, "a dry run lists the first 50");
    assert_eq!(requests(&db), 0);
    assert_eq!(audit_len(&db), audit_before);

    let out = local(&db, &["--json", "import", file.to_str().unwrap()]);
    let v = out.json();
    assert_eq!(v["created"], ROWS, "{v}");
    // Titles repeat every four rows with another number: flagged as in the dry run.
    assert_eq!(v["flagged"], dry.json()["flagged"]);
    let created = ids(&out);
    assert_eq!(created.len(), ROWS);
    assert!(created[0].ends_with("-0001"), "{:?}", &created[..3]);
    assert!(created[ROWS - 1].ends_with(&format!("-{ROWS:04}")));
    assert_eq!(requests(&db), ROWS);
    // One event per request, one for the import.
    assert_eq!(audit_len(&db), audit_before + ROWS + 1);

    // The text is as written, multi-line cells included.
    let one = local(&db, &["--json", "request", "show", &created[1]]).json();
    assert!(one["body"].as_str().unwrap().contains("复现：登录后打开页面"), "{one}");

    // Again: nothing new.
    let again = local(&db, &["--json", "import", file.to_str().unwrap()]).json();
    assert_eq!(again["created"], 0);
    assert_eq!(again["skipped"], ROWS);
    assert_eq!(requests(&db), ROWS);
}

#[test]
fn a_bad_row_after_two_committed_batches_rolls_everything_back() {
    let tmp = tempfile::tempdir().unwrap();
    let db = new_db(tmp.path());
    let good = survey(tmp.path(), "good.csv", 3, None);
    local(&db, &["import", good.to_str().unwrap()]).json_or_ok();
    let audit_before = audit_len(&db);
    let bad = survey(tmp.path(), "bad.csv", ROWS, Some(ROWS - 10));
    let out = local(&db, &["import", bad.to_str().unwrap()]);
    assert_eq!(out.code, 2, "{}\n{}", out.stdout, out.stderr);
    assert!(out.stderr.contains("bad.csv"), "{}", out.stderr);
    assert!(out.stderr.contains("line"), "{}", out.stderr);
    assert_eq!(requests(&db), 3);
    assert_eq!(audit_len(&db), audit_before);
    // The id counter went back too: the next request is number 4.
    let next = survey(tmp.path(), "next.csv", 5, None);
    let out = local(&db, &["--json", "import", next.to_str().unwrap()]);
    let created = ids(&out);
    assert_eq!(created.len(), 2, "rows 1-3 are the same as good.csv's");
    assert!(created[0].ends_with("-0004"), "{created:?}");
}

#[test]
fn a_crash_in_the_middle_of_an_import_is_rolled_back_at_the_next_open() {
    let tmp = tempfile::tempdir().unwrap();
    let db = new_db(tmp.path());
    let file = survey(tmp.path(), "survey.csv", ROWS, None);
    let audit_before = audit_len(&db);
    // Debug builds obey BEIAN_FAULT: the process aborts before its third batch,
    // two batches committed and flushed, nothing rolled back. Not any failure
    // will do: the fault says where it fired, and the process dies of SIGABRT.
    let out = run_cli(
        &["import", file.to_str().unwrap()],
        &[
            ("BEIAN_DB", db.as_os_str()),
            ("BEIAN_FAULT", std::ffi::OsStr::new("crash-import:2")),
        ],
    );
    assert!(
        out.stderr
            .contains("BEIAN_FAULT=crash-import:2: aborting after 2 committed batches (2000 rows), flushed: true"),
        "the injected crash did not fire where it should: {}",
        out.stderr
    );
    assert_eq!(out.code, -1, "killed by a signal, not an exit: {}", out.stderr);
    assert!(out.stdout.is_empty(), "nothing reported as imported: {}", out.stdout);
    // The next open rolls the unfinished import back — the two batches the
    // crash left — and says so.
    let out = local(&db, &["--json", "request", "list"]);
    assert_eq!(out.json(), serde_json::json!([]));
    assert!(
        out.stderr.contains(&format!(
            "rolled back the import by {}, which a crash or a lost connection interrupted: 2 committed batches undone",
            me()
        )),
        "{}",
        out.stderr
    );
    assert_eq!(requests(&db), 0);
    assert_eq!(audit_len(&db), audit_before);
    let out = local(&db, &["--json", "import", file.to_str().unwrap()]);
    let created = ids(&out);
    assert_eq!(created.len(), ROWS);
    assert!(created[0].ends_with("-0001"), "{:?}", &created[..3]);
}

#[test]
fn through_a_server_an_import_is_streamed_and_a_lost_client_rolls_back() {
    // Writers wait behind an import for at most import_wait_secs, then are
    // refused (tests/server_robustness.rs): long enough here for a loaded machine.
    let srv = Server::start(&format!(
        "{}\n[server]\nimport_wait_secs = 60\n",
        config_for(&["operator", "supervisor"])
    ));
    let tmp = tempfile::tempdir().unwrap();
    let file = survey(tmp.path(), "survey.csv", ROWS, None);
    let count = || {
        let out = srv.cli(&["--json", "request", "list"]);
        out.json().as_array().unwrap().len()
    };

    // A bad row at the end: refused, nothing kept.
    let bad = survey(tmp.path(), "bad.csv", ROWS, Some(ROWS));
    let out = srv.cli(&["import", bad.to_str().unwrap()]);
    assert_eq!(out.code, 2, "{}\n{}", out.stdout, out.stderr);
    assert_eq!(count(), 0);

    // A client that sends one batch and goes away: rolled back; the writers
    // it held up go on.
    {
        let remote = srv.connect().unwrap();
        let opts = beian::io::Options::default();
        let parsed = beian::io::parse_file(&file, &opts).unwrap();
        let mut sink = beian::service::Backend::import(&remote, false).unwrap();
        sink.add(parsed.items[..1000].to_vec()).unwrap();
        // Another writer waits for the import …
        let waiting = std::thread::spawn({
            let socket = srv.socket.clone();
            let db = srv.db.clone();
            move || {
                run_cli(
                    &[
                        "--json",
                        "request",
                        "add",
                        "--title",
                        "一卡通充值失败",
                        "--submitter",
                        "张老师",
                    ],
                    &[("BEIAN_SOCKET", socket.as_os_str()), ("BEIAN_DB", db.as_os_str())],
                )
            }
        });
        // The server counts it among the writers waiting behind the import.
        eventually("the writer to wait behind the import", 30, || {
            let st = srv.cli(&["--json", "status"]).json();
            assert_eq!(st["writes"]["held_by"]["kind"], "import", "{st}");
            st["writes"]["waiting"] == 1
        });
        assert!(!waiting.is_finished(), "a write went on during an import");
        // Gone without a word: no abort, no finish, the connection just closes.
        std::mem::forget(sink);
        drop(remote);
        // … and goes on once the import is rolled back.
        let out = waiting.join().unwrap();
        assert_eq!(out.code, 0, "{}", out.stderr);
        assert!(out.stdout.contains("-0001"), "{}", out.stdout);
    }
    assert_eq!(count(), 1);

    let out = srv.cli(&["--json", "import", file.to_str().unwrap()]);
    let created = ids(&out);
    assert_eq!(created.len(), ROWS);
    assert!(created[0].ends_with("-0002"), "{:?}", &created[..3]);
    assert_eq!(count(), ROWS + 1);
}

trait OkOut {
    fn json_or_ok(&self);
}

impl OkOut for Out {
    fn json_or_ok(&self) {
        assert_eq!(self.code, 0, "{}\n{}", self.stdout, self.stderr);
    }
}

#[test]
fn a_mapping_file_names_columns_and_its_bad_line() {
    let tmp = tempfile::tempdir().unwrap();
    let db = new_db(tmp.path());
    let csv = tmp.path().join("custom.csv");
    std::fs::write(&csv, "Q1,Q2,Q3\n图书馆座位预约页面打不开,王同学,物理学院\n").unwrap();
    // Without a mapping the file has no title column.
    let out = local(&db, &["import", csv.to_str().unwrap()]);
    assert_eq!(out.code, 2, "{}", out.stderr);

    let map = tmp.path().join("survey.map");
    std::fs::write(&map, "# 某问卷的列\nQ1=title\nQ2=submitter\nQ3=学院\n").unwrap();
    let out = local(
        &db,
        &["import", "--map-file", map.to_str().unwrap(), csv.to_str().unwrap()],
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("survey.map") && out.stderr.contains('4'),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("department"),
        "the expected fields are listed: {}",
        out.stderr
    );

    std::fs::write(&map, "# 某问卷的列\nQ1=title\nQ2=submitter\n\nQ3=department\n").unwrap();
    let out = local(
        &db,
        &[
            "--json",
            "import",
            "--map-file",
            map.to_str().unwrap(),
            csv.to_str().unwrap(),
        ],
    );
    let created = ids(&out);
    assert_eq!(created.len(), 1);
    let r = local(&db, &["--json", "request", "show", &created[0]]).json();
    assert_eq!(r["title"], "图书馆座位预约页面打不开");
    assert_eq!(r["submitter"]["name"], "王同学");
    assert_eq!(r["department"], "物理学院");
}
