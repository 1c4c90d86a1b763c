//! Issue 17: the register and mail through the machine's MTA, through the real
//! binary: a fake `sendmail` that records what it receives (and one that
//! fails, and one that dies after accepting), an SMTP sink on 127.0.0.1 run
//! by the test, the register's CSV import.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use super::cli::Demo;

/// A fake `sendmail` in `dir`: it records its arguments and the message it
/// reads into `dir/out/`, then runs `then` (a shell line: `exit 1`, a kill).
fn fake_sendmail(dir: &Path, name: &str, then: &str) -> PathBuf {
    let out = dir.join("out");
    std::fs::create_dir_all(&out).unwrap();
    let path = dir.join(name);
    std::fs::write(
        &path,
        format!(
            "#!/bin/sh\nn=$(date +%s%N)-$$\nprintf '%s\\n' \"$@\" > '{o}'/$n.args\ncat > '{o}'/$n.eml\n{then}\n",
            o = out.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

/// What the fake received: (arguments, message) per hand-over.
fn received(dir: &Path) -> Vec<(String, String)> {
    let out = dir.join("out");
    let mut names: Vec<PathBuf> = std::fs::read_dir(&out)
        .map(|d| d.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    names.retain(|p| p.extension().is_some_and(|e| e == "eml"));
    names.sort();
    names
        .iter()
        .map(|p| {
            (
                std::fs::read_to_string(p.with_extension("args")).unwrap_or_default(),
                std::fs::read_to_string(p).unwrap(),
            )
        })
        .collect()
}

/// Set `[mail]` in the demo's config.toml (replacing an earlier one).
fn set_mail(d: &Demo, mail: &str) {
    let path = d.db.join("config.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let base = text.split("\n[mail]\n").next().unwrap().to_string();
    std::fs::write(&path, format!("{base}\n[mail]\n{mail}\n")).unwrap();
}

fn outbox(d: &Demo) -> Vec<serde_json::Value> {
    let o = d.run(None, "en", &["--json", "mail", "list"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    serde_json::from_str(&o.stdout).unwrap()
}

fn field<'a>(m: &'a serde_json::Value, f: &str) -> &'a str {
    m[f].as_str().unwrap_or("")
}

/// Message-ID → (subject, recipients) of every message the MTA got, each
/// message's headers decoded (RFC 2047) by mail-parser.
fn parsed(got: &[(String, String)]) -> Vec<(String, String, Vec<String>)> {
    got.iter()
        .map(|(_, raw)| {
            let m = mail_parser::MessageParser::default().parse(raw.as_bytes()).unwrap();
            let to = m
                .to()
                .map(|a| a.iter().filter_map(|x| x.address().map(String::from)).collect())
                .unwrap_or_default();
            (
                m.message_id().unwrap_or_default().to_string(),
                m.subject().unwrap_or_default().to_string(),
                to,
            )
        })
        .collect()
}

/// Every kind of message the demo and a few more steps cause reaches the
/// fake sendmail once, its Chinese subject RFC 2047 encoded and decoding to
/// the outbox's, addressed from the register; a second send sends nothing.
#[test]
fn every_kind_reaches_the_mta_once_encoded_and_addressed_from_the_register() {
    let d = Demo::new();
    let tmp = tempfile::tempdir().unwrap();
    let sm = fake_sendmail(tmp.path(), "sendmail", "exit 0");
    set_mail(
        &d,
        &format!(
            "sendmail = {:?}\nfrom = \"beian@example.edu.cn\"",
            sm.display().to_string()
        ),
    );
    // A confidential report with an address, answered: the reporter is told.
    let rpt = d.ok(
        "zhaomin",
        &[
            "supervision",
            "report",
            "submit",
            "--content",
            "测试环境泄露了学生成绩",
            "--contact",
            "reporter@example.edu.cn",
        ],
    );
    let rpt = rpt
        .split_whitespace()
        .find(|w| w.starts_with("RPT-"))
        .unwrap()
        .to_string();
    d.ok(
        "zhaomin",
        &["supervision", "report", "investigate", &rpt, "--notes", "已核实"],
    );
    d.ok(
        "zhaomin",
        &[
            "supervision",
            "report",
            "reply",
            &rpt,
            "--reply",
            "已责令整改，谢谢您的反映。",
        ],
    );
    let before = outbox(&d);
    let queued: Vec<&serde_json::Value> = before.iter().filter(|m| field(m, "state") == "queued").collect();
    let kinds: std::collections::BTreeSet<&str> = queued.iter().map(|m| field(m, "kind")).collect();
    for k in [
        "notice",
        "request_accepted",
        "request_rejected",
        "request_duplicate",
        "request_delivered",
        "report_outcome",
        "plan_approved",
        "plan_returned",
        "progress_report",
    ] {
        assert!(kinds.contains(k), "no queued {k}: {kinds:?}");
    }
    // The report's outcome names the report and the reply, nothing else of it.
    let outcome = queued.iter().find(|m| field(m, "kind") == "report_outcome").unwrap();
    assert!(!field(outcome, "body").contains("测试环境"), "{outcome}");
    assert!(!field(outcome, "body").contains("已核实"), "{outcome}");

    let o = d.run(None, "zh-CN", &["mail", "send"]);
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    let got = received(tmp.path());
    assert_eq!(got.len(), queued.len(), "each queued message handed over once");
    let by_id: BTreeMap<String, (String, Vec<String>)> = parsed(&got)
        .into_iter()
        .map(|(id, subject, to)| (id, (subject, to)))
        .collect();
    assert_eq!(by_id.len(), got.len(), "Message-IDs are unique");
    for m in &queued {
        let id = field(m, "message_id").trim_matches(['<', '>']);
        let (subject, to) = by_id.get(id).unwrap_or_else(|| panic!("{id} not received"));
        assert_eq!(subject, field(m, "subject"), "{id}");
        let want: Vec<String> = m["to"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["email"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(to, &want, "{id}");
    }
    // Raw: the Chinese subject is encoded (RFC 2047), the body UTF-8 declared.
    let (args, raw) = got
        .iter()
        .find(|(_, raw)| raw.contains("wanglei@example.edu.cn") || raw.contains("jwc@example.edu.cn"))
        .unwrap();
    let subject_line = raw.lines().find(|l| l.starts_with("Subject:")).unwrap();
    assert!(subject_line.contains("=?utf-8?"), "{subject_line}");
    assert!(raw.to_ascii_lowercase().contains("charset=utf-8"), "{raw}");
    assert!(args.contains("beian@example.edu.cn"), "the envelope sender: {args}");
    // The notice went to the distribution lists of the system's department.
    let notice = queued.iter().find(|m| field(m, "kind") == "notice").unwrap();
    assert!(
        notice["to"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["email"].as_str().unwrap().ends_with("@example.edu.cn")),
        "{notice}"
    );
    // The plan's author (a login) is reached through the register.
    let approved = queued.iter().find(|m| field(m, "kind") == "plan_approved").unwrap();
    assert!(
        approved["to"][0]["email"]
            .as_str()
            .unwrap()
            .ends_with("@example.edu.cn"),
        "{approved}"
    );
    // Sent once: the outbox says so, and a second send hands over nothing.
    let after = outbox(&d);
    assert!(after.iter().all(|m| field(m, "state") != "queued"), "all sent");
    let o = d.run(None, "en", &["mail", "send"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(received(tmp.path()).len(), got.len());
    // Who can only be reached by phone is a call to make, never a message.
    assert!(after.iter().any(|m| field(m, "state") == "call"));
}

/// A failing MTA leaves every message queued with its answer shown, blocks no
/// change; a later `beian mail send` with a working MTA delivers them.
#[test]
fn a_failing_mta_leaves_the_outbox_intact_and_a_later_send_delivers() {
    let d = Demo::new();
    let tmp = tempfile::tempdir().unwrap();
    let bad = fake_sendmail(tmp.path(), "failing", "echo '451 4.3.0 mail server busy' >&2; exit 75");
    set_mail(&d, &format!("sendmail = {:?}", bad.display().to_string()));
    let queued = outbox(&d).iter().filter(|m| field(m, "state") == "queued").count();
    assert!(queued > 0);
    let o = d.run(None, "en", &["mail", "send"]);
    assert_ne!(o.code, 0, "a refusal is not success: {}", o.stdout);
    assert!(o.stderr.contains("stay queued"), "{}", o.stderr);
    let list = outbox(&d);
    let failed: Vec<_> = list.iter().filter(|m| field(m, "state") == "failed").collect();
    assert_eq!(failed.len(), queued, "every message kept, none lost");
    let shown = d.run(None, "en", &["mail", "list", "--state", "failed"]);
    assert!(
        shown.stdout.contains("mail server busy") || shown.stdout.contains("75"),
        "{}",
        shown.stdout
    );
    // Changes go on while the MTA fails.
    d.ok(
        "wanglei",
        &[
            "register",
            "person",
            "add",
            "--name",
            "测试老师",
            "--email",
            "t@example.edu.cn",
        ],
    );
    let good = fake_sendmail(tmp.path(), "sendmail", "exit 0");
    let before = received(tmp.path()).len();
    set_mail(&d, &format!("sendmail = {:?}", good.display().to_string()));
    let o = d.run(None, "en", &["mail", "send"]);
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    // The failing runs recorded what they were given too; the good one each message once.
    let sent = outbox(&d).iter().filter(|m| field(m, "state") == "sent").count();
    assert_eq!(sent, queued);
    assert_eq!(received(tmp.path()).len() - before, queued);
}

/// A SIGKILL after the MTA accepted a message and before beian recorded it:
/// the next send hands it over once more, with the same Message-ID, and then
/// never again. (The fake kills its parent, the beian process, after reading.)
#[test]
fn a_message_cut_off_after_acceptance_is_sent_at_most_once_more_with_its_id() {
    let d = Demo::new();
    let tmp = tempfile::tempdir().unwrap();
    let killer = fake_sendmail(tmp.path(), "killer", "kill -9 $PPID");
    set_mail(&d, &format!("sendmail = {:?}", killer.display().to_string()));
    let first = outbox(&d).into_iter().rfind(|m| field(m, "state") == "queued").unwrap();
    let o = d.run(None, "en", &["mail", "send"]);
    assert_ne!(o.code, 0, "killed");
    assert_eq!(received(tmp.path()).len(), 1, "one message reached the MTA");
    // Nothing was recorded: the message is queued still, unchanged.
    let again = outbox(&d).into_iter().find(|m| m["id"] == first["id"]).unwrap();
    assert_eq!(field(&again, "state"), "queued");
    assert_eq!(again["message_id"], first["message_id"]);
    let good = fake_sendmail(tmp.path(), "sendmail", "exit 0");
    set_mail(&d, &format!("sendmail = {:?}", good.display().to_string()));
    let o = d.run(None, "en", &["mail", "send"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let id = field(&first, "message_id").trim_matches(['<', '>']).to_string();
    let ids: Vec<String> = parsed(&received(tmp.path())).into_iter().map(|(i, _, _)| i).collect();
    assert_eq!(
        ids.iter().filter(|i| **i == id).count(),
        2,
        "sent once more, same Message-ID"
    );
    d.run(None, "en", &["mail", "send"]);
    let ids: Vec<String> = parsed(&received(tmp.path())).into_iter().map(|(i, _, _)| i).collect();
    assert_eq!(ids.iter().filter(|i| **i == id).count(), 2, "and never again");
}

/// What the sink received: each message's envelope recipients and data.
type Relayed = std::sync::Arc<std::sync::Mutex<Vec<(Vec<String>, String)>>>;

/// A tiny SMTP server on 127.0.0.1 for one test: it answers every command,
/// keeps each message's recipients and data; stopped (its thread joined) on drop.
struct Sink {
    port: u16,
    got: Relayed,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Sink {
    fn start() -> Sink {
        use std::sync::atomic::Ordering;
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let got = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (g, st) = (got.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
            while !st.load(Ordering::SeqCst) && std::time::Instant::now() < deadline {
                let Ok((stream, _)) = listener.accept() else {
                    std::thread::sleep(std::time::Duration::from_millis(20));
                    continue;
                };
                stream.set_nonblocking(false).unwrap();
                stream
                    .set_read_timeout(Some(std::time::Duration::from_secs(10)))
                    .unwrap();
                let mut w = stream.try_clone().unwrap();
                let mut r = BufReader::new(stream);
                let _ = w.write_all(b"220 sink ESMTP\r\n");
                let (mut rcpt, mut data, mut in_data) = (Vec::new(), String::new(), false);
                let mut line = String::new();
                while r.read_line(&mut line).unwrap_or(0) > 0 {
                    if in_data {
                        if line == ".\r\n" {
                            in_data = false;
                            g.lock()
                                .unwrap()
                                .push((std::mem::take(&mut rcpt), std::mem::take(&mut data)));
                            let _ = w.write_all(b"250 queued\r\n");
                        } else {
                            data.push_str(line.strip_prefix('.').unwrap_or(&line));
                        }
                    } else {
                        let up = line.to_ascii_uppercase();
                        let reply: &[u8] = if up.starts_with("EHLO") {
                            b"250-sink\r\n250 8BITMIME\r\n"
                        } else if up.starts_with("RCPT TO:") {
                            rcpt.push(line[8..].trim().trim_matches(['<', '>']).to_string());
                            b"250 ok\r\n"
                        } else if up.starts_with("DATA") {
                            in_data = true;
                            b"354 go on\r\n"
                        } else if up.starts_with("QUIT") {
                            let _ = w.write_all(b"221 bye\r\n");
                            break;
                        } else {
                            b"250 ok\r\n"
                        };
                        let _ = w.write_all(reply);
                    }
                    line.clear();
                }
            }
        });
        Sink {
            port,
            got,
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The alternative transport: an SMTP relay on this machine gets every queued
/// message once, with the right recipients and the decoded Chinese subject.
#[test]
fn an_smtp_relay_on_localhost_gets_every_message() {
    let d = Demo::new();
    let sink = Sink::start();
    set_mail(
        &d,
        &format!(
            "transport = \"smtp\"\nsmtp_host = \"127.0.0.1\"\nsmtp_port = {}\nfrom = \"beian@example.edu.cn\"",
            sink.port
        ),
    );
    let queued: Vec<serde_json::Value> = outbox(&d)
        .into_iter()
        .filter(|m| field(m, "state") == "queued")
        .collect();
    let o = d.run(None, "en", &["mail", "send"]);
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    let got = sink.got.lock().unwrap().clone();
    assert_eq!(got.len(), queued.len());
    let parsed = parsed(&got.iter().map(|(_, d)| (String::new(), d.clone())).collect::<Vec<_>>());
    for m in &queued {
        let id = field(m, "message_id").trim_matches(['<', '>']);
        let i = parsed
            .iter()
            .position(|(x, _, _)| x == id)
            .unwrap_or_else(|| panic!("{id} not relayed"));
        assert_eq!(parsed[i].1, field(m, "subject"));
        let want: Vec<String> = m["to"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["email"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(got[i].0, want, "envelope recipients of {id}");
    }
}

/// The register from CSV: a bad row is refused with its file and line and
/// nothing is imported; the good files import; an invalid address typed by
/// hand is refused; the audit log has it.
#[test]
fn the_register_imports_csv_all_or_nothing_and_refuses_bad_addresses() {
    let d = Demo::new();
    let tmp = tempfile::tempdir().unwrap();
    let people = tmp.path().join("people.csv");
    let depts = tmp.path().join("departments.csv");
    std::fs::write(&depts, "name,head,distribution\n图书馆,蒋文华,lib-all@example.edu.cn\n").unwrap();
    std::fs::write(
        &people,
        "姓名,部门,邮箱,电话,语言\n钱老师,图书馆,qian@example.edu.cn,,zh-CN\nMs Smith,外国语学院,smith at example,,en\n",
    )
    .unwrap();
    let before = d.ok("wanglei", &["--json", "register", "person", "list"]);
    let before: Vec<serde_json::Value> = serde_json::from_str(&before).unwrap();
    let o = d.run(
        Some("wanglei"),
        "en",
        &[
            "register",
            "import",
            "--people",
            people.to_str().unwrap(),
            "--departments",
            depts.to_str().unwrap(),
        ],
    );
    assert_eq!(o.code, 2, "{}{}", o.stdout, o.stderr);
    assert!(
        o.stderr.contains("people.csv:3") && o.stderr.contains("email"),
        "{}",
        o.stderr
    );
    let after: Vec<serde_json::Value> =
        serde_json::from_str(&d.ok("wanglei", &["--json", "register", "person", "list"])).unwrap();
    assert_eq!(after.len(), before.len(), "nothing half-imported");
    let depts_now = d.ok("wanglei", &["register", "department", "list"]);
    assert!(!depts_now.contains("lib-all@"), "{depts_now}");
    std::fs::write(
        &people,
        "姓名,部门,邮箱,电话,语言\n钱老师,图书馆,qian@example.edu.cn,,zh-CN\nMs Smith,外国语学院,smith@example.edu.cn,,en\n",
    )
    .unwrap();
    let out = d.ok(
        "wanglei",
        &[
            "register",
            "import",
            "--people",
            people.to_str().unwrap(),
            "--departments",
            depts.to_str().unwrap(),
        ],
    );
    assert!(out.contains("people 2, departments 1"), "{out}");
    let shown = d.ok("wanglei", &["register", "person", "show", "钱老师（图书馆）"]);
    assert!(shown.contains("qian@example.edu.cn"), "{shown}");
    let o = d.run(
        Some("wanglei"),
        "zh-CN",
        &[
            "register",
            "person",
            "add",
            "--name",
            "孙老师",
            "--email",
            "sun@@example",
        ],
    );
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(o.stderr.contains("邮件地址"), "{}", o.stderr);
    let o = d.run(
        Some("huangli"),
        "en",
        &["register", "person", "add", "--name", "孙老师"],
    );
    assert_eq!(o.code, 3, "a viewer may not: {}", o.stderr);
    let audit = d.ok("zhaomin", &["audit", "--action", "register.import"]);
    assert!(audit.contains("wanglei"), "{audit}");
}

/// The daily digest: each person whose role should act gets the attention
/// items of that role (the demo's operators, addressed from the register); a
/// submitter reachable only by phone is a call to make in the attention list,
/// and recording the call takes it off.
#[test]
fn the_digest_reaches_the_roles_that_act_and_calls_are_attention_items() {
    let d = Demo::new();
    let o = d.run(Some("wanglei"), "en", &["mail", "digest"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let digests: Vec<serde_json::Value> = outbox(&d)
        .into_iter()
        .filter(|m| field(m, "kind") == "digest")
        .collect();
    assert!(!digests.is_empty());
    let to: Vec<&str> = digests.iter().map(|m| m["to"][0]["email"].as_str().unwrap()).collect();
    assert!(to.contains(&"wanglei@example.edu.cn"), "{to:?}");
    let w = digests
        .iter()
        .find(|m| m["to"][0]["email"] == "wanglei@example.edu.cn")
        .unwrap();
    assert!(field(w, "subject").contains("今日待办"), "{w}");
    assert!(
        field(w, "body").contains("PLAN-") || field(w, "body").contains("REQ-"),
        "{w}"
    );
    let att: serde_json::Value = serde_json::from_str(&d.ok("wanglei", &["--json", "attention"])).unwrap();
    let items = att["items"].as_array().unwrap();
    let call = items
        .iter()
        .find(|i| i["kind"] == "call_to_make")
        .unwrap_or_else(|| panic!("no call to make: {att}"));
    assert_eq!(call["role"], "operator");
    let id = call["record"].as_str().unwrap().to_string();
    d.ok("wanglei", &["mail", "called", &id, "--note", "已电话告知"]);
    let att: serde_json::Value = serde_json::from_str(&d.ok("wanglei", &["--json", "attention"])).unwrap();
    assert!(!att["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["record"] == id.as_str()));
}
