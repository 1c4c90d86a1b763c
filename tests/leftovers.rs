//! Issue 14's low findings about what is left behind and what goes missing:
//! crashed backups and compactions leave their working copies, a missing
//! config.toml dropped every role, writes were acknowledged after the data
//! directory was deleted, config.toml was read whole with no size or type
//! check, and `[backup] dir` and `[server]` were not recorded in the chain.
//! Each test failed before its fix (docs/reliability.md).

mod server_support;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use beian::service::{Command, Service};
use server_support::*;

fn local(db: &Path, args: &[&str]) -> Out {
    run_cli(args, &[("BEIAN_DB", db.as_os_str())])
}

fn with_fault(db: &Path, fault: &str, args: &[&str]) -> Out {
    run_cli(
        args,
        &[
            ("BEIAN_DB", db.as_os_str()),
            ("BEIAN_FAULT", std::ffi::OsStr::new(fault)),
        ],
    )
}

/// A database the test's user administers, with a few requests.
fn new_db(tmp: &Path) -> PathBuf {
    let db = tmp.join("data");
    let out = local(&db, &["init"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    for i in 0..5 {
        let out = local(
            &db,
            &[
                "request",
                "add",
                "--title",
                &format!("第{i}条需求"),
                "--submitter",
                "李老师",
            ],
        );
        assert_eq!(out.code, 0, "{}", out.stderr);
    }
    db
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn partials(dir: &Path) -> Vec<String> {
    names(dir).into_iter().filter(|n| n.ends_with(".partial")).collect()
}

/// A backup killed while writing leaves `.beian-backup-….partial` (a copy of
/// the records). Before the fix it stayed for ever; now the next backup into
/// the same directory removes it and says so — but not one a running backup
/// holds.
#[test]
fn a_crashed_backup_leaves_a_working_copy_that_the_next_backup_removes() {
    let tmp = tempfile::tempdir().unwrap();
    let db = new_db(tmp.path());
    let backups = tmp.path().join("backups");
    let out = with_fault(&db, "crash-backup", &["backup", backups.to_str().unwrap()]);
    assert!(
        out.stderr.contains("BEIAN_FAULT=crash-backup"),
        "the fault did not fire: {}",
        out.stderr
    );
    assert_eq!(out.code, -1, "killed by SIGABRT: {}", out.stderr);
    let left = partials(&backups);
    assert_eq!(left.len(), 1, "the crash left its working copy: {:?}", names(&backups));
    // Another backup is writing meanwhile: its working directory is locked.
    let busy = backups.join(".beian-backup-20260101T000000.000Z.busy.partial");
    std::fs::create_dir(&busy).unwrap();
    let held = nix::fcntl::Flock::lock(
        std::fs::File::open(&busy).unwrap(),
        nix::fcntl::FlockArg::LockExclusiveNonblock,
    )
    .map_err(|(_, e)| e)
    .unwrap();

    let out = local(&db, &["backup", backups.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let removed = backups.join(&left[0]);
    assert!(
        out.stdout.contains(&format!(
            "removed an unfinished backup that a crash left behind: {}",
            removed.display()
        )),
        "{}",
        out.stdout
    );
    assert_eq!(
        partials(&backups),
        vec![busy.file_name().unwrap().to_string_lossy().into_owned()],
        "the leftover is gone, the running backup's directory kept"
    );
    // --json names it too.
    drop(held);
    let out = local(&db, &["--json", "backup", backups.to_str().unwrap()]);
    let v = out.json();
    assert_eq!(v["cleaned"], serde_json::json!([busy.display().to_string()]), "{v}");
    assert!(partials(&backups).is_empty());
    assert_eq!(
        names(&backups)
            .iter()
            .filter(|n| n.starts_with("beian-backup-"))
            .count(),
        2
    );
}

/// A compaction killed after its copy, before the swap, leaves `.compact/` — a
/// copy as large as the database. Before the fix it stayed until the next
/// compaction (a week later with the timer); now the next open removes it and
/// says so, and the database is as it was.
#[test]
fn an_interrupted_compaction_leaves_no_copy_behind_after_the_next_open() {
    let tmp = tempfile::tempdir().unwrap();
    let db = new_db(tmp.path());
    let head = local(&db, &["verify", "--head"]).stdout.trim().to_string();
    let out = with_fault(&db, "crash-compact", &["compact"]);
    assert!(
        out.stderr.contains("BEIAN_FAULT=crash-compact"),
        "the fault did not fire: {}",
        out.stderr
    );
    assert!(db.join(".compact").join("db").exists(), "the crash left the copy");
    let out = local(&db, &["--json", "request", "list"]);
    assert_eq!(out.json().as_array().unwrap().len(), 5);
    assert!(
        out.stderr
            .contains(&format!("removed {}", db.join(".compact").display()))
            && out
                .stderr
                .contains("the unfinished copy of a compaction that was interrupted"),
        "{}",
        out.stderr
    );
    assert!(!db.join(".compact").exists(), "{:?}", names(&db));
    let out = local(&db, &["verify", "--expect", &head]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
}

/// Without config.toml every role but the creator's was silently gone (the
/// file was "the default configuration"). Now opening is refused, naming the
/// file, the roles the chain last recorded, and how to put it back; a running
/// server keeps the roles it has.
#[test]
fn a_missing_config_toml_is_refused_not_taken_for_no_roles() {
    let mut srv = Server::start(&config_for(&["operator", "supervisor"]));
    let cfg = srv.db.join("config.toml");
    let backups = srv.tmp.path().join("backups");
    assert_eq!(
        srv.cli(&["--json", "whoami"]).json()["roles"],
        serde_json::json!(["operator", "supervisor"])
    );
    // The admin's backup keeps a copy of config.toml.
    srv.set_config(&format!(
        "{}[backup]\ndir = {:?}\n",
        config_for(&["operator", "supervisor"]),
        backups.display().to_string()
    ));
    let out = srv.cli(&["--json", "backup", backups.to_str().unwrap()]);
    let copy = PathBuf::from(out.json()["path"].as_str().unwrap()).join("config.toml");
    assert!(copy.exists());

    std::fs::remove_file(&cfg).unwrap();
    // The server keeps the roles it has, and says why.
    let out = srv.cli(&["request", "add", "--title", "门禁刷卡失败", "--submitter", "李老师"]);
    assert_eq!(out.code, 0, "the server dropped the roles: {}", out.stderr);
    eventually("the refusal in the server's log", 10, || {
        srv.log().contains("config.toml is missing") && srv.log().contains("keeping the previous roles")
    });
    assert_eq!(srv.stop(), Some(0));

    // Without the server: refused, not opened with no roles.
    let out = run_cli(&["--json", "whoami"], &[("BEIAN_DB", srv.db.as_os_str())]);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    let me = me();
    for part in [
        format!("{} is missing", cfg.display()),
        format!("the roles last recorded in the audit log: operator: user {me}; supervisor: user {me}"),
        format!("`cp BACKUP/config.toml {}`", cfg.display()),
        format!("`install -m 0640 /dev/null {}`", cfg.display()),
    ] {
        assert!(out.stderr.contains(&part), "{part}\n{}", out.stderr);
    }
    let zh = run_cli(&["--lang", "zh-CN", "whoami"], &[("BEIAN_DB", srv.db.as_os_str())]);
    assert!(zh.stderr.contains("不存在"), "{}", zh.stderr);
    // Put back from the backup, as the message says: the roles are back.
    std::fs::copy(&copy, &cfg).unwrap();
    let out = run_cli(&["--json", "whoami"], &[("BEIAN_DB", srv.db.as_os_str())]);
    assert_eq!(out.json()["roles"], serde_json::json!(["operator", "supervisor"]));
}

/// A command acknowledged after the data directory was removed went into
/// files nobody could open again (exit 0, then nothing there). Now the write
/// is refused, locally and through the server.
#[test]
fn writes_after_the_data_directory_is_removed_or_replaced_are_refused() {
    beian::i18n::init(Some("en"));
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let svc = Service::create(&dir, "root", false).unwrap();
    let admin = svc.actor_named("root", &[]);
    let add = |title: &str| Command::SystemAdd {
        name: title.into(),
        department: "后勤处".into(),
        vendor: String::new(),
        version: "1".into(),
    };
    svc.execute(&admin, add("一卡通系统"), None).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    let e = svc.execute(&admin, add("教务系统"), None).unwrap_err();
    assert!(matches!(&e, beian::Error::DataDirGone { .. }), "{e:?}");
    assert!(
        e.message()
            .contains(&format!("the data directory {} was removed or replaced", dir.display()))
            && e.message().contains("NOT saved"),
        "{}",
        e.message()
    );
    assert_eq!(e.exit_code(), 1);
    drop(svc);

    // Moved away and replaced by another directory of the same name.
    let dir = tmp.path().join("data2");
    let svc = Service::create(&dir, "root", false).unwrap();
    std::fs::rename(&dir, tmp.path().join("moved")).unwrap();
    std::fs::create_dir_all(dir.join("db")).unwrap();
    let e = svc.execute(&admin, add("教务系统"), None).unwrap_err();
    assert!(matches!(&e, beian::Error::DataDirGone { .. }), "{e:?}");
    drop(svc);

    // Through the server: the client is told, exit 1.
    let srv = Server::start(&config_for(&["operator"]));
    let out = srv.cli(&["request", "add", "--title", "门禁刷卡失败", "--submitter", "李老师"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    std::fs::remove_dir_all(&srv.db).unwrap();
    let out = srv.cli(&["request", "add", "--title", "一卡通充值失败", "--submitter", "李老师"]);
    assert_eq!(out.code, 1, "acknowledged after the removal: {}", out.stdout);
    assert!(
        out.stderr.contains("was removed or replaced") && out.stderr.contains("NOT saved"),
        "{}",
        out.stderr
    );
}

/// config.toml was read whole (any size, a FIFO hung the server's connection
/// thread) and a value of the wrong type said only "invalid type: string, expected
/// u32". Now it must be a regular file of at most 256 KiB, parsed in time
/// linear in its size, and an error names the file, the line and the setting.
#[test]
fn config_toml_is_bounded_and_its_errors_name_file_line_and_setting() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("data");
    assert_eq!(local(&db, &["init"]).code, 0);
    let cfg = db.join("config.toml");
    let refused = |text: &[u8]| {
        std::fs::write(&cfg, text).unwrap();
        let t = Instant::now();
        let out = local(&db, &["whoami"]);
        assert_eq!(out.code, 1, "{}", out.stdout);
        (out.stderr, t.elapsed())
    };
    for (text, expect) in [
        (
            "[roles.users]\nwang = [\"operator\"]\n\n[process]\nnotice_days = \"3\"\n",
            format!(
                "configuration {}:5: process.notice_days = \"3\": expected a whole number, 0 or more, without quotes",
                cfg.display()
            ),
        ),
        (
            "[roles.users]\nwang = \"operator\"\n",
            format!(
                "{}:2: roles.users.wang = \"operator\": expected a list of roles in brackets",
                cfg.display()
            ),
        ),
        (
            "[backup]\ndir = 7\n",
            format!("{}:2: backup.dir = 7: expected a path in quotes", cfg.display()),
        ),
        (
            "[server]\nmax_connections_per_user = -1\n",
            format!(
                "{}:2: server.max_connections_per_user = -1: expected a whole number",
                cfg.display()
            ),
        ),
        (
            "[process]\nnotice_dayz = 3\n",
            format!(
                "{}:2: process.notice_dayz: no such setting; the settings there are notice_days, approvers",
                cfg.display()
            ),
        ),
    ] {
        let (stderr, _) = refused(text.as_bytes());
        assert!(stderr.contains(&expect), "{expect}\n{stderr}");
    }
    let (stderr, _) = refused("[process]\nnotice_days = \"3\"\n".as_bytes());
    let zh = run_cli(&["--lang", "zh-CN", "whoami"], &[("BEIAN_DB", db.as_os_str())]);
    assert!(zh.stderr.contains("应为不加引号的非负整数"), "{}\n{stderr}", zh.stderr);

    // Too large: refused before parsing, quickly.
    let mut big = b"[roles.users]\n".to_vec();
    while big.len() <= 300 << 10 {
        big.extend_from_slice(b"# a comment line, repeated\n");
    }
    let (stderr, took) = refused(&big);
    assert!(stderr.contains("larger than 256 KiB"), "{stderr}");
    assert!(took < Duration::from_secs(10), "{took:?}");
    // Just under the limit, the most a file can hold: linear, not quadratic.
    let mut users = b"[roles.users]\n".to_vec();
    let mut n = 0;
    while users.len() < (250 << 10) {
        users.extend_from_slice(format!("u{n} = [\"viewer\"]\n").as_bytes());
        n += 1;
    }
    std::fs::write(&cfg, &users).unwrap();
    let t = Instant::now();
    let out = local(&db, &["whoami"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        t.elapsed() < Duration::from_secs(20),
        "{n} users took {:?}",
        t.elapsed()
    );
    // Nesting has a bound too.
    let deep = format!("x = {}{}\n", "[".repeat(10_000), "]".repeat(10_000));
    let (stderr, _) = refused(deep.as_bytes());
    assert!(stderr.contains(&format!("{}:1", cfg.display())), "{stderr}");
    // A FIFO (or anything but a regular file) is refused without being opened.
    std::fs::remove_file(&cfg).unwrap();
    nix::unistd::mkfifo(&cfg, nix::sys::stat::Mode::from_bits_truncate(0o600)).unwrap();
    let out = local(&db, &["whoami"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("FIFO"), "{}", out.stderr);
}

fn config_changes(db: &Path) -> Vec<String> {
    let out = local(db, &["--json", "audit", "--limit", "1000"]);
    out.json()
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "config.change")
        .map(|e| e["summary"].as_str().unwrap().to_string())
        .collect()
}

/// Roles and `[process]` were recorded in the chain; `[backup] dir` (where
/// supervisors may write copies of everything) and the `[server]` limits were
/// not. Now a change of either is a `config.change` event, old → new, whether
/// a command opens the database or the server reads config.toml again.
#[test]
fn backup_dir_and_server_limits_are_recorded_in_the_chain() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("data");
    assert_eq!(local(&db, &["init"]).code, 0);
    let base = format!("{}[roles.users]\n\"{}\" = [\"supervisor\"]\n", "", me());
    std::fs::write(db.join("config.toml"), &base).unwrap();
    let before = config_changes(&db).len();
    std::fs::write(
        db.join("config.toml"),
        format!("{base}[backup]\ndir = \"/srv/copies\"\n[server]\nmax_connections_per_user = 20\n"),
    )
    .unwrap();
    let changes = config_changes(&db);
    assert_eq!(changes.len(), before + 1, "{changes:#?}");
    let last = &changes[0];
    assert!(
        last.contains("server.max_connections_per_user: 16 → 20") && last.contains("backup.dir: - → \"/srv/copies\""),
        "{last}"
    );
    // Through a running server, at the next connection.
    let srv = Server::start(&format!("{base}[backup]\ndir = \"/srv/copies\"\n"));
    let n = config_changes_via(&srv).len();
    srv.set_config(&format!(
        "{base}[backup]\ndir = \"/srv/other\"\n[server]\nidle_timeout_secs = 60\n"
    ));
    let changes = config_changes_via(&srv);
    assert_eq!(changes.len(), n + 1, "{changes:#?}");
    assert!(
        changes[0].contains("backup.dir: \"/srv/copies\" → \"/srv/other\"")
            && changes[0].contains("server.idle_timeout_secs: 900 → 60"),
        "{}",
        changes[0]
    );
}

fn config_changes_via(srv: &Server) -> Vec<String> {
    srv.cli(&["--json", "audit", "--limit", "1000"])
        .json()
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "config.change")
        .map(|e| e["summary"].as_str().unwrap().to_string())
        .collect()
}
