//! Acceptance 3 of issue 4: permissions through the socket. The server takes the
//! user from the kernel, so the test gives the OS user running it one role at a
//! time (the server reads config.toml again at each connection) and runs every
//! operation of the core's table through a `Remote` backend: refused exactly
//! where `Op::roles()` says. A uid with no role is refused at the handshake; a
//! client that names a user in its messages is refused.

mod server_support;

use std::io::Write;
use std::path::Path;

use beian::model::Role;
use beian::server::protocol::{encode, read_frame, ServerMsg, MAX_SERVER_FRAME, PROTOCOL_VERSION};
use beian::service::{Backend, Command, Query};
use beian::workflow::{Op, RuleError};
use beian::Error;
use serde_json::json;
use server_support::*;

enum Probe {
    Cmd(serde_json::Value),
    Query(Query),
    Status,
    /// Not offered through the socket at all: the operation needs the database
    /// to itself (`beian compact`, `beian reindex`). Not counted as checked here;
    /// `maintenance_is_offline_and_for_admins_only` runs both for real.
    Offline,
}

const PLAN: &str = "PLAN-2026-0001";
const REQ: &str = "REQ-2026-0001";

/// One thing needing each operation. The match is exhaustive: a new operation
/// in the table does not compile here until it has a probe. `backups` is the
/// backup directory of config.toml.
fn probe(op: Op, backups: &Path) -> Probe {
    let t = "2026-03-10T14:00:00Z";
    let c = |v: serde_json::Value| Probe::Cmd(v);
    match op {
        Op::ReadRecords => Probe::Query(Query::Systems),
        Op::ReadAudit => Probe::Query(Query::Audit {
            filter: beian::model::AuditFilter::default(),
            limit: 5,
        }),
        Op::ReadReports => Probe::Query(Query::Reports),
        Op::SystemEdit => c(
            json!({"command": "system_add", "name": "教务系统", "department": "教务处", "vendor": "正方", "version": "1.0"}),
        ),
        Op::CalendarEdit => c(json!({"command": "calendar_remove", "name": "期末考试"})),
        Op::RequestAdd => c(json!({"command": "request_add", "request": {
            "kind": "problem", "title": "登录失败", "submitter": {"name": "李老师", "kind": "teacher"}, "channel": "email"}})),
        Op::RequestTriage => c(json!({"command": "request_triage", "id": REQ, "triage": {"decision": "triage"}})),
        Op::RequestEdit => c(json!({"command": "request_edit", "id": REQ, "edit": {"title": "新标题"}})),
        Op::RequestComment => c(json!({"command": "request_comment", "id": REQ, "text": "已复现"})),
        Op::RequestLink => c(json!({"command": "request_link", "id": REQ, "plan": PLAN})),
        Op::PlanEdit => c(
            json!({"command": "plan_new", "system": "SYS-0001", "title": "升级", "version_from": null, "version_to": "2.0"}),
        ),
        Op::PlanSubmit => c(json!({"command": "plan_submit", "id": PLAN})),
        Op::PlanDecide => {
            c(json!({"command": "plan_approve", "id": PLAN, "comment": "同意", "minutes_ref": "纪要1号"}))
        }
        Op::RiskAccept => c(json!({"command": "test_waive", "plan": PLAN, "item": 1, "reason": "已知风险"})),
        Op::PlanNotice => c(json!({"command": "plan_notice", "id": PLAN, "text": null, "audience": "全校"})),
        Op::PlanImplement => c(json!({"command": "plan_implement", "id": PLAN})),
        Op::PlanCancel => c(json!({"command": "plan_cancel", "id": PLAN, "reason": "取消"})),
        Op::TestRecord => c(json!({"command": "test_round", "plan": PLAN, "copy_unfinished": false})),
        Op::BackupConfirm => c(json!({"command": "backup", "plan": PLAN, "backup": {
            "what": "库", "location": "nas", "size": "1G", "checksum": "x", "verified_by": "王", "time": t}})),
        Op::GoLiveRecord => c(json!({"command": "go_live", "plan": PLAN, "golive": {
            "time": t, "deployer": "王", "version": "2.0", "outcome": "success"}})),
        Op::TrainingRecord => c(json!({"command": "training", "plan": PLAN, "training": {
            "format": "on_site", "date": "2026-03-11", "trainer": "王", "departments": ["教务处"], "attendance": 3}})),
        Op::PlanFile => c(json!({"command": "file", "plan": PLAN})),
        Op::PlanReview => c(json!({"command": "plan_review", "plan": PLAN,
            "goals": [{"no": 1, "verdict": "met"}], "summary": "达成"})),
        Op::DossierAddendum => {
            c(json!({"command": "addendum", "dossier": "FILE-2026-0001", "reason": "更正", "text": "x"}))
        }
        Op::OrderIssue => c(
            json!({"command": "order_issue", "target": {"plan": PLAN}, "finding": "未公告",
            "required_action": "补发", "deadline": "2026-04-01"}),
        ),
        Op::OrderRespond => c(json!({"command": "order_respond", "id": "RO-2026-0001", "response": "已补发"})),
        Op::OrderClose => c(json!({"command": "order_close", "id": "RO-2026-0001"})),
        Op::OrderReview => c(
            json!({"command": "order_extend", "id": "RO-2026-0001", "deadline": "2026-05-01",
            "reason": "延期"}),
        ),
        Op::ReportSubmit => c(json!({"command": "report_submit", "content": "举报", "contact": null})),
        Op::ReportHandle => c(json!({"command": "report_investigate", "id": "RPT-2026-0001", "notes": "调查"})),
        Op::ServerStatus => Probe::Status,
        Op::Backup => Probe::Query(Query::Backup {
            dir: backups.to_path_buf(),
            keep: None,
        }),
        Op::BackupManage => Probe::Query(Query::Backup {
            dir: backups.to_path_buf(),
            keep: Some(1),
        }),
        Op::Maintain => Probe::Offline,
        Op::RecognitionRecord => c(json!({"command": "recognition_add", "kind": "award",
            "recipient": {"person": "李老师"}, "reason": "发现严重缺陷"})),
        // An empty file: its (empty) content goes ahead in an upload frame.
        Op::AttachmentAdd => c(json!({"command": "attach", "entity": REQ, "files": [{"name": "空.txt",
            "kind": "other", "size": 0,
            "sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}]})),
        Op::RegisterEdit => {
            c(json!({"command": "person_add", "person": {"name": "王老师", "email": "wang@example.edu.cn"}}))
        }
        Op::MailQueue => c(json!({"command": "mail_digest"})),
        Op::MailRead => Probe::Query(Query::Outbox),
        Op::MailSend => Probe::Query(Query::MailSend { retry: false }),
    }
}

/// `config` with `dir` as the backup directory supervisors may write into.
fn with_backup_dir(config: &str, dir: &Path) -> String {
    format!("{config}\n[backup]\ndir = {:?}\n", path_str(dir))
}

fn run(b: &dyn Backend, op: Op, backups: &Path) -> beian::Result<()> {
    match probe(op, backups) {
        Probe::Cmd(v) => {
            let cmd: Command = serde_json::from_value(v.clone()).unwrap_or_else(|e| panic!("{v}: {e}"));
            assert_eq!(cmd.op(), op, "{} should need {}", cmd.name(), op.as_str());
            b.execute(cmd, None).map(|_| ())
        }
        Probe::Query(q) => b.query(q).map(|_| ()),
        Probe::Status => b.server_status().map(|_| ()),
        Probe::Offline => Ok(()),
    }
}

/// The operations the socket does not offer (probed as [`Probe::Offline`]):
/// exactly these, so that a probe cannot quietly become offline.
const OFFLINE: &[Op] = &[Op::Maintain];

#[test]
fn every_role_and_operation_through_the_socket_follows_the_table() {
    let srv = Server::start(&config_for(&["viewer"]));
    let backups = srv.tmp.path().join("backups");
    let offline: Vec<Op> = Op::ALL
        .iter()
        .copied()
        .filter(|op| matches!(probe(*op, &backups), Probe::Offline))
        .collect();
    assert_eq!(offline, OFFLINE, "operations skipped through the socket");
    let mut checked = 0;
    for role in Role::ALL {
        srv.set_config(&with_backup_dir(&config_for(&[role.as_str()]), &backups));
        let remote = srv.connect().unwrap();
        let b: &dyn Backend = &remote;
        assert_eq!(b.actor().name, me());
        assert_eq!(b.actor().roles, vec![role], "the server gives the roles of config.toml");
        assert_eq!(b.whoami().unwrap().roles, vec![role]);
        for &op in Op::ALL {
            if let Probe::Offline = probe(op, &backups) {
                continue;
            }
            let allowed = op.roles().contains(&role);
            match run(b, op, &backups) {
                Err(Error::Rule(RuleError::Forbidden { user, op: o, roles })) => {
                    assert!(!allowed, "{} ({}) was refused {}", user, role.as_str(), o);
                    assert_eq!(
                        (user.as_str(), o.as_str(), roles),
                        (me().as_str(), op.as_str(), vec![role])
                    );
                }
                other => assert!(
                    allowed,
                    "{} may not {} but the server answered {other:?}",
                    role.as_str(),
                    op.as_str()
                ),
            }
            checked += 1;
        }
    }
    // Every role tried every operation the socket offers; the skipped ones
    // are not counted.
    assert_eq!(checked, Role::ALL.len() * (Op::ALL.len() - OFFLINE.len()));
}

/// `beian compact` and `beian reindex` themselves (not the helper they share):
/// refused to every role but admin, exit 3, the database unchanged; never
/// through a server (they need the database to themselves).
#[test]
fn maintenance_is_offline_and_for_admins_only() {
    let mut srv = Server::start(&config_for(&["admin"]));
    beian::i18n::init(Some("en"));
    let db = srv.db.clone();
    let local = |args: &[&str]| run_cli(args, &[("BEIAN_DB", db.as_os_str())]);
    // While the server holds the database, neither runs.
    for cmd in ["compact", "reindex"] {
        let out = local(&[cmd]);
        assert_eq!(out.code, 1, "{cmd}: {}", out.stderr);
        assert!(out.stderr.contains("beian serve (pid"), "{cmd}: {}", out.stderr);
    }
    assert_eq!(srv.stop(), Some(0));
    let mut tried = 0;
    for role in Role::ALL.into_iter().filter(|r| *r != Role::Admin) {
        srv.set_config(&config_for(&[role.as_str()]));
        for cmd in ["compact", "reindex"] {
            // (The new roles are recorded in the chain by this first open.)
            let head = local(&["verify", "--head"]).stdout;
            let out = local(&[cmd]);
            assert_eq!(out.code, 3, "{} ran {cmd}: {}{}", role.as_str(), out.stdout, out.stderr);
            assert!(
                out.stderr.contains(&format!("{} may not ", me())),
                "{cmd}: {}",
                out.stderr
            );
            assert!(!srv.db.join(".compact").exists());
            assert_eq!(
                local(&["verify", "--head"]).stdout,
                head,
                "a refused {cmd} changed the chain"
            );
            tried += 1;
        }
    }
    assert_eq!(tried, 2 * (Role::ALL.len() - 1));
    srv.set_config(&config_for(&["admin"]));
    let head = local(&["verify", "--head"]).stdout;
    for cmd in ["compact", "reindex"] {
        let out = local(&[cmd]);
        assert_eq!(out.code, 0, "{cmd}: {}", out.stderr);
    }
    assert_eq!(local(&["verify", "--head"]).stdout, head, "the same chain after both");
}

/// A questionnaire export of `rows` rows.
fn survey(dir: &Path, rows: usize) -> std::path::PathBuf {
    let mut text = String::from(
        "序号,提交答卷时间,所用时间,来源,来源详情,来自IP,1、您的身份,2、所在部门/学院,3、涉及的信息系统,\
         4、反馈类型,5、问题或需求标题,6、详细描述,7、联系方式\r\n",
    );
    for i in 1..=rows {
        text.push_str(&format!(
            "{i},2026/10/13 18:03:00,67秒,链接,直接访问,10.2.0.{i}(校内),学生,机械学院,教务管理系统,问题反馈,\
             第{i}条反馈的标题,描述{i},user{i}@example.edu.cn\r\n"
        ));
    }
    let path = dir.join(format!("survey-{rows}.csv"));
    std::fs::write(&path, text).unwrap();
    path
}

/// `beian import` on its real paths — locally and through the server — reaches
/// the import session's own permission check (service/import.rs), not an
/// earlier one: a viewer is refused (exit 3, nothing imported), an operator
/// is not.
#[test]
fn importing_needs_the_role_on_both_real_paths() {
    let mut srv = Server::start(&config_for(&["viewer"]));
    beian::i18n::init(Some("en"));
    let file = survey(srv.tmp.path(), 30);
    let count = |out: Out| out.json().as_array().unwrap().len();
    // Through the server.
    let out = srv.cli(&["import", path_str(&file)]);
    assert_eq!(
        out.code, 3,
        "a viewer imported through the server: {}{}",
        out.stdout, out.stderr
    );
    assert!(out.stderr.contains(&format!("{} may not ", me())), "{}", out.stderr);
    assert_eq!(count(srv.cli(&["--json", "request", "list"])), 0);
    srv.set_config(&config_for(&["operator"]));
    let out = srv.cli(&["--json", "import", path_str(&file)]);
    assert_eq!(out.json()["created"], 30);
    // Locally.
    assert_eq!(srv.stop(), Some(0));
    let db = srv.db.clone();
    let local = |args: &[&str]| run_cli(args, &[("BEIAN_DB", db.as_os_str())]);
    let more = survey(srv.tmp.path(), 40);
    srv.set_config(&config_for(&["viewer"]));
    let out = local(&["import", path_str(&more)]);
    assert_eq!(out.code, 3, "a viewer imported locally: {}{}", out.stdout, out.stderr);
    assert!(out.stderr.contains(&format!("{} may not ", me())), "{}", out.stderr);
    assert_eq!(count(local(&["--json", "request", "list"])), 30);
    srv.set_config(&config_for(&["operator"]));
    let out = local(&["--json", "import", path_str(&more)]);
    assert_eq!(out.json()["created"], 10, "rows 1-30 were imported before");
}

#[test]
fn a_user_without_a_role_is_refused_at_the_handshake() {
    let srv = Server::start("");
    let e = srv.connect().err().expect("refused");
    match &e {
        Error::NoRole { user, uid, db } => {
            assert_eq!(user, &me());
            assert_eq!(*uid, nix::unistd::getuid().as_raw());
            assert_eq!(db, path_str(&srv.db));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(e.exit_code(), 3);
    beian::i18n::init(Some("en"));
    assert!(e.message().contains("has no role"), "{}", e.message());
    let out = srv.cli(&["request", "list"]);
    assert_eq!(out.code, 3, "{}", out.stderr);
    assert!(out.stderr.contains("has no role"), "{}", out.stderr);
    eventually("the refusal in the server's log", 5, || srv.log().contains("no role"));
}

fn send(s: &mut std::os::unix::net::UnixStream, v: serde_json::Value) {
    s.write_all(&encode(&v).unwrap()).unwrap();
}

fn recv(s: &mut std::os::unix::net::UnixStream) -> Option<ServerMsg> {
    let body = read_frame(s, MAX_SERVER_FRAME).ok()??;
    Some(serde_json::from_slice(&body).unwrap())
}

#[test]
fn a_client_cannot_claim_another_identity() {
    let srv = Server::start(&config_for(&["viewer"]));
    // A hello naming a user.
    let mut s = srv.raw();
    send(
        &mut s,
        json!({"type": "hello", "protocol": PROTOCOL_VERSION, "client": "x", "user": "admin", "roles": ["admin"]}),
    );
    match recv(&mut s) {
        Some(ServerMsg::Refused {
            reason: Error::Protocol { detail },
        }) => assert!(detail.contains("unknown field"), "{detail}"),
        other => panic!("{other:?}"),
    }
    assert!(recv(&mut s).is_none(), "the connection is closed");

    // A request naming an actor, after an honest hello.
    let mut s = srv.raw();
    send(
        &mut s,
        json!({"type": "hello", "protocol": PROTOCOL_VERSION, "client": "x"}),
    );
    match recv(&mut s) {
        Some(ServerMsg::Welcome { user, roles, .. }) => assert_eq!((user, roles), (me(), vec![Role::Viewer])),
        other => panic!("{other:?}"),
    }
    send(
        &mut s,
        json!({"type": "execute", "id": 1, "expect_rev": null, "actor": {"name": "root", "roles": ["admin"]},
            "cmd": {"command": "system_add", "name": "x", "department": "", "vendor": "", "version": ""}}),
    );
    assert!(matches!(recv(&mut s), Some(ServerMsg::Refused { .. })));
    assert!(recv(&mut s).is_none());
    // Nothing was written.
    let b = srv.connect().unwrap();
    assert!((&b as &dyn Backend).systems().unwrap().is_empty());
}

#[test]
fn a_client_of_another_protocol_version_is_refused_clearly() {
    let srv = Server::start(&config_for(&["viewer"]));
    let mut s = srv.raw();
    send(&mut s, json!({"type": "hello", "protocol": 999, "client": "beian 9.9"}));
    let Some(ServerMsg::Refused { reason }) = recv(&mut s) else {
        panic!("not refused")
    };
    assert!(matches!(
        reason,
        Error::Version {
            client: 999,
            server: PROTOCOL_VERSION,
            ..
        }
    ));
    beian::i18n::init(Some("en"));
    let m = reason.message();
    assert!(
        m.contains("protocol 999") && m.contains(&format!("protocol {PROTOCOL_VERSION}")),
        "{m}"
    );
    // A client of protocol 9 (before names linked to the register, issue 18
    // §3) is refused the same way.
    assert_eq!(PROTOCOL_VERSION, 10);
    let mut s = srv.raw();
    send(&mut s, json!({"type": "hello", "protocol": 9, "client": "beian 0.1.0"}));
    let Some(ServerMsg::Refused { reason }) = recv(&mut s) else {
        panic!("protocol 9 not refused")
    };
    assert!(
        matches!(
            reason,
            Error::Version {
                client: 9,
                server: 10,
                ..
            }
        ),
        "{reason:?}"
    );
    assert!(reason.message().contains("protocol 9"), "{}", reason.message());
}

/// The backup directories in `dir`, by name.
fn backups_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.starts_with("beian-backup-"))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// Issue 14: a supervisor could delete backups (`backup DIR --keep 1`) and write
/// full copies anywhere the service can write, the data directory included,
/// with no audit event. Now a supervisor writes only into the backup directory
/// of config.toml; pruning and other places are the admin's; nobody writes into
/// the data directory; every backup and every pruning is in the audit log.
#[test]
fn backups_go_only_where_the_role_allows_and_every_one_is_audited() {
    let srv = Server::start("");
    let backups = srv.tmp.path().join("backups");
    let elsewhere = srv.tmp.path().join("elsewhere");
    let as_role = |roles: &[&str]| srv.set_config(&with_backup_dir(&config_for(roles), &backups));
    beian::i18n::init(Some("en"));

    // A supervisor: into the configured directory, twice.
    as_role(&["supervisor"]);
    for _ in 0..2 {
        let out = srv.cli(&["--json", "backup", path_str(&backups)]);
        assert_eq!(out.code, 0, "{}", out.stderr);
    }
    assert_eq!(backups_in(&backups).len(), 2);
    let audit = srv.cli(&["--json", "audit"]).json();
    let writes: Vec<&serde_json::Value> = audit
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "backup.write")
        .collect();
    assert_eq!(writes.len(), 2, "{audit}");
    assert_eq!(writes[0]["actor"], me());
    let newest = backups_in(&backups).pop().unwrap();
    assert!(
        writes[0]["summary"].as_str().unwrap().contains(&newest),
        "the event names the backup: {}",
        writes[0]
    );

    // … but it may not prune them, nor write anywhere else, nor into the data directory.
    let forbidden = |args: &[&str]| {
        let out = srv.cli(args);
        assert_eq!(out.code, 3, "{args:?}: {}", out.stderr);
        assert!(
            out.stderr
                .contains("may not prune backups (--keep) or write them anywhere but the backup directory"),
            "{args:?}: {}",
            out.stderr
        );
    };
    let before = backups_in(&backups);
    forbidden(&["backup", path_str(&backups), "--keep", "1"]);
    assert_eq!(backups_in(&backups), before, "nothing was pruned");
    forbidden(&["backup", path_str(&elsewhere)]);
    assert!(!elsewhere.exists(), "nothing was written elsewhere");
    forbidden(&["backup", path_str(&srv.db)]);
    assert_eq!(backups_in(&srv.db), Vec::<String>::new());
    // The server's start recorded the roles (config.change); then two backups.
    let audit = srv.cli(&["--json", "audit"]).json();
    let writes = audit
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] != "config.change")
        .count();
    assert_eq!(writes, 2, "refusals write nothing: {audit}");

    // The admin prunes, and the pruning is audited with what it removed.
    as_role(&["admin", "supervisor"]);
    let out = srv.cli(&["--json", "backup", path_str(&backups), "--keep", "1"]);
    let report = out.json();
    let removed: Vec<String> = report["removed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap().rsplit('/').next().unwrap().to_string())
        .collect();
    assert_eq!(removed, before, "the two older backups are removed");
    assert_eq!(backups_in(&backups).len(), 1);
    let audit = srv.cli(&["--json", "audit", "--limit", "2"]).json();
    assert_eq!(audit[0]["action"], "backup.prune", "{audit}");
    assert_eq!(audit[1]["action"], "backup.write", "{audit}");
    assert_eq!(audit[0]["seq"], report["seq"]);
    let summary = audit[0]["summary"].as_str().unwrap();
    assert!(summary.contains(path_str(&backups)), "{summary}");
    for name in &before {
        assert!(summary.contains(name.as_str()), "{summary} names {name}");
    }
    // The admin writes elsewhere too, but never into the data directory (exit 2).
    assert_eq!(srv.cli(&["backup", path_str(&elsewhere)]).code, 0);
    assert_eq!(backups_in(&elsewhere).len(), 1);
    for inside in [
        srv.db.clone(),
        srv.db.join("db"),
        srv.db.join("db").join("..").join("x"),
    ] {
        let out = srv.cli(&["backup", path_str(&inside)]);
        assert_eq!(out.code, 2, "{inside:?}: {}", out.stderr);
        assert!(out.stderr.contains("is inside the data directory"), "{}", out.stderr);
    }
    // A symbolic link to the data directory is the data directory.
    let link = srv.tmp.path().join("link-to-data");
    std::os::unix::fs::symlink(&srv.db, &link).unwrap();
    let out = srv.cli(&["backup", path_str(&link)]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert_eq!(backups_in(&srv.db), Vec::<String>::new());
    // A configured directory inside the data directory does not make it allowed.
    srv.set_config(&with_backup_dir(&config_for(&["supervisor"]), &srv.db.join("bk")));
    let out = srv.cli(&["backup", path_str(&srv.db.join("bk"))]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(!srv.db.join("bk").exists());
}
