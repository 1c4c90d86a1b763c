//! Intake (issue 5) with broken and hostile inputs: each gives a clear error
//! naming file, line or message and field — leaving the database unchanged — or
//! a cleaned record. Also replies, dry runs, JSON lines and the real binary.

mod common;

use std::path::{Path, PathBuf};

use beian::io::{self, Options, Parsed};
use beian::model::*;
use beian::service::{Command, ImportReport, RequestFilter};
use beian::Error;
use common::*;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/import")
        .join(name)
}

fn opts(w: &World) -> Options {
    Options {
        systems: w.svc.systems(&admin()).unwrap(),
        ..Options::default()
    }
}

fn write(w: &World, name: &str, bytes: &[u8]) -> PathBuf {
    let p = w.dir.path().join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn parse(w: &World, path: &Path) -> beian::Result<Parsed> {
    io::parse_file(path, &opts(w))
}

fn count(w: &World) -> usize {
    w.svc.requests(&supervisor(), &RequestFilter::default()).unwrap().len()
}

/// The field and expected text of an input error.
fn input_error(e: Error) -> (String, String, String) {
    match e {
        Error::Input { field, value, expected } => (field, value, expected),
        other => panic!("expected an input error, got {other:?}"),
    }
}

fn run(w: &World, parsed: Parsed) -> [usize; 4] {
    let out = w.ok(
        &op_a(),
        Command::RequestImport {
            items: parsed.items,
            dry_run: false,
        },
    );
    ImportReport::counts(&out.summary).unwrap()
}

const EML_HEAD: &str = "From: 张老师 <zhang@cs.example.edu.cn>\r\nTo: feedback@nic.example.edu.cn\r\n";

#[test]
fn truncated_gbk_names_the_line_and_changes_nothing() {
    let _g = english();
    let w = World::new();
    let gbk = std::fs::read(fixture("questionnaire-export-gbk.csv")).unwrap();
    // Cut after the first byte of a two-byte character near the middle.
    let mut cut = gbk.len() / 2;
    while gbk[cut - 1] < 0x81 || gbk[cut] < 0x40 {
        cut += 1;
    }
    let p = write(&w, "cut.csv", &gbk[..cut]);
    let before = (count(&w), w.audit_len());
    let (field, _, expected) = input_error(parse(&w, &p).unwrap_err());
    assert!(field.starts_with("cut.csv line "), "{field}");
    assert!(expected.contains("gb18030") || expected.contains("cells"), "{expected}");
    // Cut at a character boundary: the last row is short.
    let mut cut = gbk.len() * 3 / 4;
    while gbk[cut] >= 0x80 || gbk[cut] == b'\n' || gbk[cut] == b'\r' {
        cut += 1;
    }
    let p = write(&w, "cut2.csv", &gbk[..cut]);
    let (field, value, expected) = input_error(parse(&w, &p).unwrap_err());
    assert!(
        field.starts_with("cut2.csv line ") && field.ends_with("number of cells"),
        "{field}"
    );
    assert!(expected.starts_with("13 cells"), "{value} {expected}");
    assert_eq!((count(&w), w.audit_len()), before);
}

#[test]
fn an_incomplete_character_at_the_end_is_reported() {
    let _g = english();
    let w = World::new();
    let mut bytes = "标题,详细描述\r\n登录失败,页面空白\r\n".as_bytes().to_vec();
    let (gbk, _, _) = encoding_rs::GB18030.encode("标题,详细描述\r\n登录失败,页面空白");
    bytes.clear();
    bytes.extend_from_slice(&gbk);
    bytes.push(0xb5); // the first byte of a two-byte character, then nothing
    let p = write(&w, "end.csv", &bytes);
    let (field, _, expected) = input_error(parse(&w, &p).unwrap_err());
    assert_eq!(field, "end.csv line 2, encoding");
    assert!(expected.contains("incomplete gb18030 character"), "{expected}");
}

#[test]
fn an_unterminated_quote_names_the_line_where_the_cell_starts() {
    let _g = english();
    let w = World::new();
    let csv = "序号,5、问题或需求标题,6、详细描述\n1,登录失败,好的\n2,导出报错,\"第一行\n第二行\n3,其他,行\n";
    let p = write(&w, "quote.csv", csv.as_bytes());
    let (field, _, expected) = input_error(parse(&w, &p).unwrap_err());
    assert_eq!(field, "quote.csv line 3, \"");
    assert!(expected.contains("closing quote"), "{expected}");
}

#[test]
fn a_non_email_file_given_as_eml_is_refused() {
    let _g = english();
    let w = World::new();
    let p = write(
        &w,
        "survey.eml",
        &std::fs::read(fixture("questionnaire-export-utf8.csv")).unwrap(),
    );
    let (field, value, expected) = input_error(parse(&w, &p).unwrap_err());
    assert_eq!(field, "survey.eml, header");
    assert!(value.starts_with("序号,提交答卷时间"), "{value}");
    assert_eq!(expected, "an email message with a From header");
    // Binary junk, and headers without a sender.
    let p = write(&w, "junk.eml", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR");
    assert!(parse(&w, &p).is_err());
    let p = write(&w, "nofrom.eml", b"Subject: hi\r\n\r\nbody\r\n");
    let (field, _, _) = input_error(parse(&w, &p).unwrap_err());
    assert_eq!(field, "nofrom.eml, From");
    assert_eq!(count(&w), 0);
}

#[test]
fn escape_sequences_and_bidi_overrides_in_a_subject_are_removed() {
    let _g = english();
    let w = World::new();
    let msg = format!(
        "{EML_HEAD}Subject: =?utf-8?b?{}?=\r\nDate: Mon, 02 Nov 2026 09:00:00 +0800\r\nMessage-ID: <esc@x>\r\n\r\n\
         \x1b[2J正文\x07内容\r\n",
        b64("教务\u{1b}[31m系统\u{202e}登录失败\u{1b}]0;pwned\u{7}")
    );
    let p = write(&w, "esc.eml", msg.as_bytes());
    assert_eq!(run(&w, parse(&w, &p).unwrap())[0], 1);
    let r = w.request(req_id(1));
    assert_eq!(r.title, "教务[31m系统登录失败]0;pwned");
    assert!(!r.title.chars().chain(r.body.chars()).any(beian::sanitize::is_unsafe));
    assert_eq!(r.body, "[2J正文内容");
    assert_eq!(r.submitter.name, "张老师");
}

/// A body in a charset nobody knows is imported as well as it can be read,
/// with a warning; a subject in one is refused (it would be the title: issue
/// 14, tests/import_charsets.rs), naming the file and the header.
#[test]
fn an_unknown_charset_is_a_warning_in_the_body_and_a_refusal_in_the_subject() {
    let _g = english();
    let w = World::new();
    let msg = format!(
        "{EML_HEAD}Subject: Login broken\r\nContent-Type: text/plain; charset=\"x-klingon\"\r\n\
         Message-ID: <kl@x>\r\n\r\nThe login page is blank.\r\n"
    );
    let p = write(&w, "klingon.eml", msg.as_bytes());
    let parsed = parse(&w, &p).unwrap();
    assert_eq!(parsed.warnings.len(), 1, "{:?}", parsed.warnings);
    assert!(
        parsed.warnings[0].contains("unknown charset x-klingon"),
        "{:?}",
        parsed.warnings
    );
    run(&w, parsed);
    let r = w.request(req_id(1));
    assert!(r.body.contains("login page is blank"), "{}", r.body);
    let msg = format!(
        "{EML_HEAD}Subject: =?x-klingon?q?Login_broken?=\r\nMessage-ID: <kl2@x>\r\n\r\nThe login page is blank.\r\n"
    );
    let p = write(&w, "klingon-subject.eml", msg.as_bytes());
    let e = parse(&w, &p).unwrap_err();
    let m = e.message();
    assert!(
        m.contains("klingon-subject.eml, Subject") && m.contains("x-klingon"),
        "{m}"
    );
}

#[test]
fn an_unreadable_date_is_reported_and_the_import_time_used() {
    let _g = english();
    let w = World::new();
    let msg = format!("{EML_HEAD}Subject: 打印机\r\nDate: 上周三下午\r\nMessage-ID: <d@x>\r\n\r\n打不开\r\n");
    let p = write(&w, "date.eml", msg.as_bytes());
    let parsed = parse(&w, &p).unwrap();
    assert!(
        parsed.warnings.iter().any(|m| m.contains("unreadable Date")),
        "{:?}",
        parsed.warnings
    );
    let before = w.now();
    run(&w, parsed);
    assert!(
        w.request(req_id(1)).received_at > before,
        "the clock moved a minute for the command"
    );
}

#[test]
fn attachments_are_listed_with_name_and_size() {
    let _g = english();
    let w = World::new();
    let msg = format!(
        "{EML_HEAD}Subject: 截图\r\nMessage-ID: <att@x>\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
         见附件\r\n--b\r\nContent-Type: image/png\r\nContent-Disposition: attachment; filename=\"shot.png\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{}\r\n--b--\r\n",
        b64_bytes(&[7u8; 300])
    );
    let p = write(&w, "att.eml", msg.as_bytes());
    run(&w, parse(&w, &p).unwrap());
    let s = w.request(req_id(1)).source.unwrap();
    assert_eq!(
        s.attachments,
        vec![Attachment {
            name: "shot.png".into(),
            size: 300
        }]
    );
}

#[test]
fn replies_join_the_thread_of_their_request() {
    let _g = english();
    let w = World::new();
    let first = format!("{EML_HEAD}Subject: 教务管理系统打不开\r\nMessage-ID: <q1@x>\r\n\r\n打不开\r\n");
    let p = write(&w, "q1.eml", first.as_bytes());
    run(&w, parse(&w, &p).unwrap());
    assert_eq!(w.request(req_id(1)).system, Some(w.system));
    let reply = format!(
        "{EML_HEAD}Subject: Re: 教务管理系统打不开\r\nMessage-ID: <q2@x>\r\nIn-Reply-To: <q1@x>\r\n\r\n还是不行\r\n"
    );
    let by_subject =
        format!("{EML_HEAD}Subject: 回复：[REQ-2026-0001] 进展？\r\nMessage-ID: <q3@x>\r\n\r\n有进展吗\r\n");
    let p2 = write(&w, "q2.eml", reply.as_bytes());
    let p3 = write(&w, "q3.eml", by_subject.as_bytes());
    let mut parsed = parse(&w, &p2).unwrap();
    parsed.items.extend(parse(&w, &p3).unwrap().items);
    let [created, _, replies, _] = run(&w, parsed);
    assert_eq!((created, replies), (0, 2));
    let r = w.request(req_id(1));
    assert_eq!(r.comments.len(), 2);
    assert!(r.comments[0].text.contains("还是不行") && r.comments[0].text.contains("zhang@cs.example.edu.cn"));
    assert!(r.comments[1].text.contains("有进展吗"));
    // Again: nothing appended twice.
    let mut parsed = parse(&w, &p2).unwrap();
    parsed.items.extend(parse(&w, &p3).unwrap().items);
    assert_eq!(run(&w, parsed), [0, 2, 0, 0]);
    assert_eq!(w.request(req_id(1)).comments.len(), 2);
}

#[test]
fn one_bad_item_aborts_the_whole_import() {
    let _g = english();
    let w = World::new();
    let mut parsed = parse(&w, &fixture("questionnaire-export-utf8.csv")).unwrap();
    parsed.items[30].request.system = Some(sys_id(99));
    let before = (count(&w), w.audit_len());
    let err = w
        .exec(
            &op_a(),
            Command::RequestImport {
                items: parsed.items.clone(),
                dry_run: false,
            },
        )
        .unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
    parsed.items[30].request.title = " ".into();
    parsed.items[30].request.system = None;
    let err = w
        .exec(
            &op_a(),
            Command::RequestImport {
                items: parsed.items.clone(),
                dry_run: false,
            },
        )
        .unwrap_err();
    let (field, _, _) = input_error(err);
    assert_eq!(field, "questionnaire-export-utf8.csv line 35: title");
    assert_eq!(
        (count(&w), w.audit_len()),
        before,
        "nothing of the first 30 rows stayed"
    );
    // Fixed, it goes in whole, numbered from 1: the refused attempts used no ids.
    parsed.items[30].request.title = "修好了".into();
    assert_eq!(run(&w, parsed)[0], 40);
    assert_eq!(w.request(req_id(1)).title, "导出报表缺少字段");
}

#[test]
fn a_dry_run_reports_and_writes_nothing() {
    let _g = english();
    let w = World::new();
    let parsed = parse(&w, &fixture("feedback.mbox")).unwrap();
    let before = (count(&w), w.audit_len());
    let out = w.ok(
        &op_a(),
        Command::RequestImport {
            items: parsed.items,
            dry_run: true,
        },
    );
    assert_eq!(ImportReport::counts(&out.summary).unwrap()[0], 10);
    assert_eq!((count(&w), w.audit_len()), before);
    assert_eq!(run(&w, parse(&w, &fixture("feedback.mbox")).unwrap())[0], 10);
}

#[test]
fn viewers_cannot_import() {
    let _g = english();
    let w = World::new();
    let parsed = parse(&w, &fixture("feedback-html.eml")).unwrap();
    assert!(w
        .exec(
            &viewer(),
            Command::RequestImport {
                items: parsed.items,
                dry_run: false
            }
        )
        .is_err());
    assert_eq!(count(&w), 0);
}

#[test]
fn json_lines_import_with_defaults_and_unknown_systems_tagged() {
    let _g = english();
    let w = World::new();
    let lines = concat!(
        "{\"title\":\"选课页面慢\",\"system\":\"教务管理系统\",\"submitter\":{\"name\":\"李同学\",\"kind\":\"student\"},",
        "\"channel\":\"website\",\"received_at\":\"2026-10-13T10:03:00+08:00\",\"source\":{\"external_id\":\"W-17\"}}\n",
        "\n",
        "{\"title\":\"宿舍网络断\",\"system\":\"宿舍网络\",\"submitter\":{\"name\":\"辅导员王\"},\"channel\":\"counsellor\"}\n",
    );
    let p = write(&w, "web.jsonl", lines.as_bytes());
    assert_eq!(run(&w, parse(&w, &p).unwrap())[0], 2);
    let a = w.request(req_id(1));
    assert_eq!(
        (a.system, a.channel, a.submitter.kind),
        (Some(w.system), Channel::Website, SubmitterType::Student)
    );
    assert_eq!(a.source.unwrap().external_id, "W-17");
    let b = w.request(req_id(2));
    assert_eq!(b.system, None);
    assert_eq!(b.tags, vec!["未识别系统:宿舍网络".to_string()]);
    assert_eq!(run(&w, parse(&w, &p).unwrap()), [0, 2, 0, 0]);
    let bad = write(
        &w,
        "bad.jsonl",
        b"{\"title\":\"x\",\"submitter\":{\"name\":\"y\"}}\n{\"body\":\"no title\"}\n",
    );
    let (field, _, _) = input_error(parse(&w, &bad).unwrap_err());
    assert_eq!(field, "bad.jsonl line 2, title");
}

#[test]
fn map_names_columns_the_headers_do_not_explain() {
    let _g = english();
    let w = World::new();
    let csv = "Q1\tQ2\tQ3\n教务管理系统\t成绩录入报错\t2026-10-01 08:00\n";
    let p = write(&w, "odd.tsv", csv.as_bytes());
    let (field, _, expected) = input_error(parse(&w, &p).unwrap_err());
    assert_eq!(field, "odd.tsv line 1, header");
    assert!(expected.contains("--map"), "{expected}");
    let mut o = opts(&w);
    for m in ["Q1=system", "Q2=title", "Q3=received_at"] {
        o.add_map(m).unwrap();
    }
    run(&w, io::parse_file(&p, &o).unwrap());
    let r = w.request(req_id(1));
    assert_eq!((r.system, r.title.as_str()), (Some(w.system), "成绩录入报错"));
    assert!(o.add_map("Q9=nonsense").is_err());
}

#[test]
fn the_binary_imports_previews_and_refuses_with_exit_2() {
    let w = World::new();
    let data = w.data_dir();
    drop(w.svc);
    let beian = |args: &[&str], stdin: Option<&[u8]>| {
        use std::io::Write;
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_beian"));
        c.env("BEIAN_NO_SERVER", "1");
        c.args(["--lang", "en", "--db"]).arg(&data).args(args);
        c.env_remove("BEIAN_SOCKET");
        c.stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        let mut child = c.spawn().unwrap();
        child.stdin.take().unwrap().write_all(stdin.unwrap_or(b"")).unwrap();
        let o = child.wait_with_output().unwrap();
        (
            o.status.code(),
            String::from_utf8_lossy(&o.stdout).into_owned(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        )
    };
    let csv = fixture("questionnaire-export-gbk.csv");
    let csv = csv.to_str().unwrap();
    let (code, out, _) = beian(&["import", "--dry-run", csv], None);
    assert_eq!(code, Some(0));
    assert!(out.contains("dry run, nothing changed: would create 40"), "{out}");
    let (code, out, _) = beian(&["import", csv], None);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("created 40, skipped 0"), "{out}");
    let (_, out, _) = beian(&["import", csv], None);
    assert!(out.contains("created 0, skipped 40"), "{out}");
    let junk = data.parent().unwrap().join("junk.eml");
    std::fs::write(&junk, "just some text\n").unwrap();
    let (code, _, err) = beian(&["import", csv, junk.to_str().unwrap()], None);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("junk.eml, header"), "{err}");
    let msg = std::fs::read(fixture("feedback-gb2312.eml")).unwrap();
    let (code, out, err) = beian(&["intake", "email"], Some(&msg));
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("created 1"), "{out}");
    let (_, out, _) = beian(&["--json", "intake", "email"], Some(&msg));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["skipped"], 1);
}

fn b64(s: &str) -> String {
    b64_bytes(s.as_bytes())
}

fn b64_bytes(b: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for c in b.chunks(3) {
        let n = (c[0] as u32) << 16 | (*c.get(1).unwrap_or(&0) as u32) << 8 | *c.get(2).unwrap_or(&0) as u32;
        for i in 0..4 {
            if i <= c.len() {
                out.push(T[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

// ----- size limits (issue 14): bounded memory, the place of what is too long -----

/// `head` followed by `len` bytes of `fill` (a newline every `line` bytes when
/// given), generated as read; `read` counts what the importer took.
struct Endless {
    head: Vec<u8>,
    pos: u64,
    len: u64,
    fill: u8,
    line: Option<u64>,
    read: std::rc::Rc<std::cell::Cell<u64>>,
}

impl Endless {
    fn new(head: &str, len: u64, fill: u8, line: Option<u64>) -> (Endless, std::rc::Rc<std::cell::Cell<u64>>) {
        let read = std::rc::Rc::new(std::cell::Cell::new(0));
        let e = Endless {
            head: head.as_bytes().to_vec(),
            pos: 0,
            len: head.len() as u64 + len,
            fill,
            line,
            read: read.clone(),
        };
        (e, read)
    }
}

impl std::io::Read for Endless {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = (buf.len() as u64).min(self.len - self.pos) as usize;
        for b in buf.iter_mut().take(n) {
            let i = self.pos;
            *b = match self.head.get(i as usize) {
                Some(h) => *h,
                None => match self.line {
                    Some(l) if (i - self.head.len() as u64) % l == l - 1 => b'\n',
                    _ => self.fill,
                },
            };
            self.pos += 1;
        }
        self.read.set(self.read.get() + n as u64);
        Ok(n)
    }
}

const MIB: u64 = 1 << 20;

/// The error is an input error naming `place`, saying the limit.
fn too_long(e: Error, place: &str, limit: &str) {
    let (field, value, expected) = input_error(e);
    let all = format!("{field} | {value} | {expected}");
    assert!(field.contains(place), "the place {place:?}: {all}");
    assert!(all.contains(limit), "the limit {limit:?}: {all}");
}

#[test]
fn a_line_or_row_past_the_limit_is_refused_where_it_is_without_reading_on() {
    let _en = english();
    let w = World::new();
    let o = opts(&w);
    let sink = |_: beian::service::ImportItem| -> beian::Result<()> { Ok(()) };
    // JSON lines: a line of 32 MiB without a newline (think /dev/zero).
    let (input, read) = Endless::new(
        "{\"title\":\"a\",\"submitter\":{\"name\":\"b\"}}\n{\"title\":\"",
        32 * MIB,
        b'x',
        None,
    );
    let e = io::jsonl::parse_into(std::io::BufReader::new(input), "big.jsonl", &o, &mut { sink }).unwrap_err();
    too_long(e, "big.jsonl line 2", "1 MiB");
    eprintln!("JSON lines: refused after reading {} of {} bytes", read.get(), 32 * MIB);
    assert!(read.get() <= MIB + 64 * 1024, "read {} bytes", read.get());
    // CSV: a quoted cell that goes on for 32 MiB (over many lines), and a row
    // without any newline.
    for (what, head, line) in [
        ("quoted", "标题,描述\n正常,一行\n问题,\"开始", Some(100)),
        ("no newline", "标题,描述\n正常,一行\n", None),
    ] {
        let (input, read) = Endless::new(head, 32 * MIB, b'y', line);
        let e = io::csv_import::parse_into(input, "big.csv", b',', &o, &mut { sink }).unwrap_err();
        too_long(e, "big.csv line 3", "1 MiB");
        eprintln!(
            "CSV, {what}: refused after reading {} of {} bytes",
            read.get(),
            32 * MIB
        );
        assert!(read.get() <= MIB + 256 * 1024, "{what}: read {} bytes", read.get());
    }
    // mbox: one message of 70 MiB (ordinary lines), one line of 70 MiB.
    for line in [Some(78), None] {
        let head = "From a@example.edu.cn Mon Oct 12 09:00:00 2026\nFrom: a@example.edu.cn\nSubject: 大\n\n";
        let (input, read) = Endless::new(head, 70 * MIB, b'w', line);
        let mut warnings = Vec::new();
        let e = io::email::parse_mbox_into(
            std::io::BufReader::new(input),
            "big.mbox",
            &o,
            &mut { sink },
            &mut warnings,
        )
        .unwrap_err();
        too_long(e, "big.mbox message 1", "64 MiB");
        eprintln!(
            "mbox, lines of {line:?}: refused after reading {} of {} bytes",
            read.get(),
            70 * MIB
        );
        assert!(read.get() <= 65 * MIB, "read {} bytes", read.get());
    }
}

#[test]
fn a_message_file_past_the_limit_is_refused() {
    let _en = english();
    let w = World::new();
    // Sparse: 65 MiB of nothing, taking no disk.
    let p = w.dir.path().join("huge.eml");
    std::fs::File::create(&p).unwrap().set_len(65 * MIB).unwrap();
    let e = parse(&w, &p).unwrap_err();
    too_long(e, "huge.eml", "64 MiB");
}

/// csv reads a `"` inside a cell that does not start with one as a character;
/// the importer's own tracking of rows must agree (it used to count quotes, and
/// refused this file as an unclosed quote).
#[test]
fn a_quote_inside_an_unquoted_cell_is_a_character() {
    let _en = english();
    let w = World::new();
    let p = write(&w, "quotes.csv", "标题,描述\n正常,ab\"c\n第二,\"多\n行\"\n".as_bytes());
    let parsed = parse(&w, &p).unwrap();
    assert_eq!(parsed.items.len(), 2);
    assert_eq!(parsed.items[0].request.body, "ab\"c");
    assert_eq!(parsed.items[1].request.body, "多\n行");
}
