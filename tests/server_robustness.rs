//! Acceptance 4 of issue 4: a client killed with SIGKILL mid-request, a client
//! sending random bytes, one sending a 1 GiB length prefix, one that stalls: the
//! server stays up and serves the next client at once. Also: a stale socket left
//! by a crash is replaced, and an unsafe socket place is refused.

mod server_support;

use std::io::{BufRead, Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use beian::server::protocol::{encode, read_frame, ClientMsg, ServerMsg, MAX_SERVER_FRAME, PROTOCOL_VERSION};
use beian::server::Remote;
use beian::service::{Backend, Query};
use beian::Error;
use rand::{RngCore, SeedableRng};
use server_support::*;

const HELPER_ENV: &str = "BEIAN_TEST_HALF_FRAME_SOCKET";

fn request_add() -> beian::service::Command {
    serde_json::from_value(serde_json::json!({"command": "request_add", "request": {
        "kind": "problem", "title": "半截请求", "submitter": {"name": "李老师", "kind": "teacher"}, "channel": "email"}}))
    .unwrap()
}

/// The server answers a new client within 2 s.
fn serves_another_client(srv: &mut Server) {
    assert!(srv.alive(), "the server died:\n{}", srv.log());
    let t = Instant::now();
    let r = srv.connect().unwrap();
    let who = (&r as &dyn Backend).whoami().unwrap();
    assert_eq!(who.user, me());
    assert!(t.elapsed() < Duration::from_secs(2), "took {:?}", t.elapsed());
}

/// Read until the server closes the connection (bounded by the read timeout).
fn closed(s: &mut UnixStream) -> bool {
    let mut buf = [0u8; 4096];
    let deadline = Instant::now() + Duration::from_secs(15);
    while Instant::now() < deadline {
        match s.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return true,
            Err(_) => return false,
        }
    }
    false
}

fn hello(s: &mut UnixStream) {
    let h = ClientMsg::Hello {
        protocol: PROTOCOL_VERSION,
        client: "test".into(),
    };
    s.write_all(&encode(&h).unwrap()).unwrap();
    let body = read_frame(s, MAX_SERVER_FRAME).unwrap().unwrap();
    assert!(matches!(
        serde_json::from_slice(&body).unwrap(),
        ServerMsg::Welcome { .. }
    ));
}

/// Not a test of its own: the misbehaving client process of the SIGKILL test,
/// which runs it (`--ignored --exact`). Ignored, so that it is never counted
/// as a test that passed; run by hand it fails, saying so.
#[test]
#[ignore = "not a test: the client process a_client_killed_with_sigkill_mid_request_affects_no_one kills"]
fn helper_client_that_is_killed_mid_request() {
    let sock = std::env::var(HELPER_ENV)
        .expect("run only by a_client_killed_with_sigkill_mid_request_affects_no_one, which sets the socket");
    let r = Remote::connect(Path::new(&sock)).unwrap();
    let frame = encode(&ClientMsg::Execute {
        id: 1,
        cmd: request_add(),
        expect_rev: None,
    })
    .unwrap();
    // A whole request whose reply it never reads, then half of the next one.
    r.send_raw(&frame).unwrap();
    r.send_raw(&frame[..frame.len() / 2]).unwrap();
    println!("\nHELPER-READY");
    std::io::stdout().flush().unwrap();
    std::thread::sleep(Duration::from_secs(60));
}

#[test]
fn a_client_killed_with_sigkill_mid_request_affects_no_one() {
    // Limits high enough that this test's many status calls are never what
    // refuses a connection: what it checks is the list of connections.
    let mut srv = Server::start(&format!(
        "{}\n[server]\nmax_connections = 100000\nmax_connections_per_user = 100000\n",
        config_for(&["operator", "supervisor"])
    ));
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "helper_client_that_is_killed_mid_request",
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(HELPER_ENV, &srv.socket)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines().map_while(Result::ok) {
            if line.contains("HELPER-READY") {
                let _ = tx.send(());
            }
        }
    });
    let ready = rx.recv_timeout(Duration::from_secs(30));
    let helper = child.id() as i64;
    // While it lives, the server lists its connection (by its pid).
    let pids = |srv: &Server| -> Vec<i64> {
        srv.cli(&["--json", "status"]).json()["connections"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["pid"].as_i64().unwrap())
            .collect()
    };
    if ready.is_ok() {
        assert!(pids(&srv).contains(&helper), "the helper's connection is not listed");
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    ready.expect("the helper client got ready");
    serves_another_client(&mut srv);
    // Its whole request was carried out or not at all (never the half one);
    // a new client reads a consistent list either way.
    let r = srv.connect().unwrap();
    let list = (&r as &dyn Backend).requests(&Default::default()).unwrap();
    assert!(
        list.len() <= 1,
        "{} requests from one whole and one half request",
        list.len()
    );
    assert!(list.iter().all(|q| q.title == "半截请求"), "{list:?}");
    // And the server lets go of the dead client's connection.
    eventually("the server to forget the killed client", 10, || {
        !pids(&srv).contains(&helper)
    });
}

#[test]
fn random_bytes_and_garbage_json_close_only_that_connection() {
    let mut srv = Server::start(&config_for(&["operator"]));
    let mut rng = rand::rngs::StdRng::seed_from_u64(4);
    let mut noise = vec![0u8; 1024];
    rng.fill_bytes(&mut noise);

    // 1 KiB of random bytes instead of a hello.
    let mut a = srv.raw();
    a.write_all(&noise).unwrap();
    serves_another_client(&mut srv);

    // A well-framed body that is not JSON, before and after the handshake.
    let mut framed = (1020u32).to_be_bytes().to_vec();
    framed.extend_from_slice(&noise[..1020]);
    let mut b = srv.raw();
    b.write_all(&framed).unwrap();
    assert!(matches!(recv(&mut b), Some(ServerMsg::Refused { .. })));
    assert!(closed(&mut b));
    let mut c = srv.raw();
    hello(&mut c);
    c.write_all(&framed).unwrap();
    assert!(matches!(recv(&mut c), Some(ServerMsg::Refused { .. })));
    assert!(closed(&mut c));
    serves_another_client(&mut srv);
    // The noise was no hello: that connection is closed too (refused, or
    // when its handshake time runs out).
    assert!(closed(&mut a), "the connection that sent random bytes is still open");
}

fn recv(s: &mut UnixStream) -> Option<ServerMsg> {
    let body = read_frame(s, MAX_SERVER_FRAME).ok()??;
    serde_json::from_slice(&body).ok()
}

/// The peak resident memory of `pid` (VmHWM), or why it cannot be read.
/// `BEIAN_TEST_PROC` replaces `/proc` (to try the failure).
fn peak_rss_kib(pid: u32) -> Result<u64, String> {
    let proc = std::env::var("BEIAN_TEST_PROC").unwrap_or_else(|_| "/proc".into());
    let path = format!("{proc}/{pid}/status");
    let status = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or_else(|| format!("{path}: no VmHWM line"))
}

#[test]
fn a_one_gib_length_prefix_is_refused_without_allocating_it() {
    let mut srv = Server::start(&config_for(&["operator"]));
    let gib = (1u32 << 30).to_be_bytes();
    // As the first frame …
    let mut a = srv.raw();
    a.write_all(&gib).unwrap();
    match recv(&mut a) {
        Some(ServerMsg::Refused {
            reason: beian::Error::Protocol { detail },
        }) => assert!(detail.contains("1073741824"), "{detail}"),
        other => panic!("{other:?}"),
    }
    assert!(closed(&mut a));
    // … and after a proper handshake.
    let mut b = srv.raw();
    hello(&mut b);
    b.write_all(&gib).unwrap();
    // The server may already have refused and closed: the rest may not get through.
    let _ = b.write_all(&[b'{'; 64]);
    assert!(matches!(recv(&mut b), Some(ServerMsg::Refused { .. })));
    assert!(closed(&mut b));
    serves_another_client(&mut srv);
    // A memory figure that cannot be read is no pass: loud, and under CI=true
    // a failure.
    match peak_rss_kib(srv.pid()) {
        Ok(peak) => assert!(peak < 256 * 1024, "the server's peak memory is {peak} KiB"),
        Err(why) => {
            assert!(
                std::env::var("CI").map_or(true, |v| v != "true"),
                "cannot check the server's memory ({why}); CI=true, so this is a failure"
            );
            eprintln!("NOT CHECKED: the server's peak memory ({why})");
        }
    }
}

#[test]
fn a_stalled_client_does_not_hold_up_others() {
    let mut srv = Server::start(&config_for(&["operator"]));
    // Connected, says nothing.
    let _silent = srv.raw();
    // Says hello, then half a frame header.
    let mut half = srv.raw();
    hello(&mut half);
    half.write_all(&[0, 0]).unwrap();
    serves_another_client(&mut srv);
    let r = srv.connect().unwrap();
    (&r as &dyn Backend)
        .execute(request_add(), None)
        .expect("a command goes through while others stall");
    assert!(matches!(
        r.query(Query::Requests(Default::default())).unwrap(),
        beian::service::Answer::Requests(v) if v.len() == 1
    ));
}

#[test]
fn a_stale_socket_is_replaced_and_unsafe_places_are_refused() {
    let mut srv = Server::start(&config_for(&["operator"]));
    // A crash leaves the socket file behind.
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(srv.pid() as i32),
        nix::sys::signal::Signal::SIGKILL,
    )
    .unwrap();
    eventually("the server to die", 10, || !srv.alive());
    assert!(srv.socket.exists());
    srv.spawn(&[]);
    eventually("the stale socket to be mentioned", 5, || {
        srv.log().contains("stale socket")
    });
    serves_another_client(&mut srv);

    // A second server on the same socket (another database) is refused.
    let other = srv.tmp.path().join("other");
    drop(beian::service::Service::create(&other, CREATOR, false).unwrap());
    let serve = |db: &Path, sock: &Path| run_cli(&["--db", path_str(db), "serve", "--socket", path_str(sock)], &[]);
    let out = serve(&other, &srv.socket);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains(&format!(
            "another beian serve holds this socket: beian serve (pid {}",
            srv.pid()
        )),
        "{}",
        out.stderr
    );
    // A second server on the same database is refused by its lock, naming the first.
    let out = serve(&srv.db, &srv.tmp.path().join("second.sock"));
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("beian serve (pid"), "{}", out.stderr);
    // A file that is not a socket is never removed.
    let file = srv.tmp.path().join("run").join("not-a-socket");
    std::fs::write(&file, "data").unwrap();
    let out = serve(&other, &file);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("not a socket"), "{}", out.stderr);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "data");
    // A directory everyone may write to is refused.
    let open_dir = srv.tmp.path().join("open");
    std::fs::create_dir(&open_dir).unwrap();
    std::fs::set_permissions(&open_dir, std::fs::Permissions::from_mode(0o777)).unwrap();
    let out = serve(&other, &open_dir.join("beian.sock"));
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("writable by others than its owner"),
        "{}",
        out.stderr
    );
    serves_another_client(&mut srv);
}

/// `config` plus a `[server]` section of limits.
fn with_limits(config: &str, limits: &str) -> String {
    format!("{config}\n[server]\n{limits}\n")
}

fn import_item(n: usize) -> beian::service::ImportItem {
    serde_json::from_value(serde_json::json!({
        "request": {"kind": "problem", "title": format!("导入第 {n} 行"), "submitter": {"name": "王同学", "kind": "student"},
            "channel": "questionnaire"},
        "key": format!("row:test-{n}"),
        "label": format!("test line {n}"),
    }))
    .unwrap()
}

/// The server's status as the supervisor sees it (the test's user must have the role).
fn status(srv: &Server) -> serde_json::Value {
    srv.cli(&["--json", "status"]).json()
}

/// Issue 14, finding 1: one role holder could open all 256 connections and
/// idle, locking everyone out, the admin's `beian status` included. Now the
/// last 4 connections are the admins' and one user holds at most
/// `max_connections_per_user`; the refusals name the limit.
#[test]
fn one_user_cannot_take_every_connection_and_the_admin_keeps_a_slot() {
    let limits = "max_connections = 8\nmax_connections_per_user = 16";
    let srv = Server::start(&with_limits(&config_for(&["operator"]), limits));
    beian::i18n::init(Some("en"));
    // An operator takes what it can: 8 - 4 connections, then the server is full for it.
    let mut held = Vec::new();
    let refusal = loop {
        match srv.connect() {
            Ok(r) => held.push(r),
            Err(e) => break e,
        }
        assert!(held.len() <= 8, "the server took {} connections", held.len());
    };
    assert_eq!(held.len(), 4);
    match &refusal {
        Error::TooManyConnections { user, limit, scope } => {
            assert_eq!((user.as_str(), *limit, scope.as_str()), (me().as_str(), 8, "server"))
        }
        other => panic!("{other:?}"),
    }
    let m = refusal.message();
    assert!(
        m.contains("at most 8 connections, and the last 4 only from admins (max_connections in config.toml)"),
        "{m}"
    );
    let out = srv.cli(&["request", "list"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("the beian server is full"), "{}", out.stderr);

    // The admin still gets in, and sees who holds the connections.
    srv.set_config(&with_limits(&config_for(&["admin", "supervisor"]), limits));
    let st = status(&srv);
    let users: Vec<&serde_json::Value> = st["connections"].as_array().unwrap().iter().collect();
    assert_eq!(users.len(), 5, "{st}");

    // One user, any role, holds at most max_connections_per_user.
    srv.set_config(&with_limits(
        &config_for(&["admin", "operator"]),
        "max_connections_per_user = 4",
    ));
    let refusal = srv.connect().err().expect("refused");
    assert!(
        matches!(&refusal, Error::TooManyConnections { limit: 4, scope, .. } if scope == "user"),
        "{refusal:?}"
    );
    let m = refusal.message();
    assert!(
        m.contains("already holds 4 connections") && m.contains("max_connections_per_user"),
        "{m}"
    );
    // A connection closed is a slot free again.
    drop(held.pop());
    eventually("the closed connection to be forgotten", 10, || srv.connect().is_ok());
}

/// A connection that neither sends nor subscribed is closed after
/// `idle_timeout_secs`, saying why; a subscribed one (a terminal UI waiting for
/// updates) stays.
#[test]
fn idle_connections_are_closed_unless_they_subscribed() {
    let srv = Server::start(&with_limits(
        &config_for(&["operator", "supervisor"]),
        "idle_timeout_secs = 1",
    ));
    beian::i18n::init(Some("en"));
    let live = srv.connect().unwrap();
    let updates = live.subscribe().unwrap();
    let idle = srv.connect().unwrap();
    let mut raw = srv.raw();
    hello(&mut raw);
    // The raw client hears why, then the end of the connection.
    match recv(&mut raw) {
        Some(ServerMsg::Refused {
            reason: Error::Idle { secs: 1 },
        }) => {}
        other => panic!("{other:?}"),
    }
    assert!(closed(&mut raw));
    // The idle Remote was closed as well: its next request says so. Each
    // look is itself a request (activity that keeps a connection open), so
    // the looks are further apart than the idle timeout.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while (&idle as &dyn Backend).whoami().is_ok() {
        assert!(
            std::time::Instant::now() < deadline,
            "the idle connection was never closed"
        );
        std::thread::sleep(Duration::from_millis(1300));
    }
    let e = (&idle as &dyn Backend).whoami().unwrap_err();
    assert!(matches!(e, Error::Idle { secs: 1 }), "{e:?}");
    let m = e.message();
    assert!(
        m.contains("nothing was sent on it for 1 s") && m.contains("idle_timeout_secs"),
        "{m}"
    );
    // The subscriber, idle for longer, is still served and still hears of changes.
    (&live as &dyn Backend).whoami().unwrap();
    let writer = srv.connect().unwrap();
    (&writer as &dyn Backend).execute(request_add(), None).unwrap();
    let c = updates.recv_timeout(Duration::from_secs(10)).expect("an update");
    assert_eq!(c.action, "request.add");
    let st = status(&srv);
    assert!(
        st["connections"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["subscribed"] == true),
        "{st}"
    );
}

/// Issue 14, finding 2: an operator could hold an import open (a row every
/// 25 s) and stall every other writer without bound. Now writers are refused
/// after `import_wait_secs`, naming the import; an import that goes silent for
/// `import_idle_secs` is rolled back and its connection closed.
#[test]
fn an_import_cannot_hold_the_other_writers_for_long() {
    let srv = Server::start(&with_limits(
        &config_for(&["operator", "supervisor"]),
        "import_wait_secs = 1\nimport_idle_secs = 4",
    ));
    beian::i18n::init(Some("en"));
    let importer = srv.connect().unwrap();
    let mut sink = Backend::import(&importer, false).unwrap();
    sink.add(vec![import_item(1)]).unwrap();
    let held_since = Instant::now();
    // Another writer: refused after a second of waiting, naming the import.
    let t = Instant::now();
    let out = srv.cli(&["request", "add", "--title", "一卡通充值失败", "--submitter", "张老师"]);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stderr
            .contains(&format!("an import by {} has been in progress since", me()))
            && out.stderr.contains("waited 1 s and was NOT saved"),
        "{}",
        out.stderr
    );
    assert!(t.elapsed() < Duration::from_secs(10), "refused after {:?}", t.elapsed());
    let st = status(&srv);
    assert_eq!(st["writes"]["held_by"]["kind"], "import", "{st}");
    assert_eq!(st["writes"]["held_by"]["user"], me().as_str());
    // The import sends nothing more: rolled back once it has been silent for 4 s.
    eventually("the silent import to be rolled back", 30, || {
        status(&srv)["writes"]["held_by"].is_null()
    });
    assert!(held_since.elapsed() >= Duration::from_secs(4));
    let e = sink.add(vec![import_item(2)]).unwrap_err();
    match &e {
        Error::ImportStopped { reason, secs, rows } => {
            assert_eq!((reason.as_str(), *secs, *rows), ("idle", 4, 1))
        }
        other => panic!("{other:?}"),
    }
    let m = e.message();
    assert!(
        m.contains("sent nothing for 4 s") && m.contains("rolled it back") && m.contains("import_idle_secs"),
        "{m}"
    );
    drop(sink);
    // Nothing of it is left, and writers go on.
    let out = srv.cli(&[
        "--json",
        "request",
        "add",
        "--title",
        "一卡通充值失败",
        "--submitter",
        "张老师",
    ]);
    assert!(
        out.json()["entity"].as_str().unwrap().ends_with("-0001"),
        "{}",
        out.stdout
    );
    assert_eq!(
        srv.cli(&["--json", "request", "list"]).json().as_array().unwrap().len(),
        1
    );
    assert!(srv.log().contains("rolled back (idle, 1 rows)"), "{}", srv.log());
}

/// An import that keeps sending is still bounded: past `import_max_secs` it is
/// rolled back whole.
#[test]
fn an_import_past_its_time_is_rolled_back() {
    let srv = Server::start(&with_limits(
        &config_for(&["operator", "supervisor"]),
        "import_max_secs = 2",
    ));
    beian::i18n::init(Some("en"));
    let importer = srv.connect().unwrap();
    let mut sink = Backend::import(&importer, false).unwrap();
    let t = Instant::now();
    // The same row again and again: skipped after the first (the import is
    // kept small; what matters is that batches keep coming).
    let mut n = 0;
    let e = loop {
        n += 1;
        if let Err(e) = sink.add(vec![import_item(1)]) {
            break e;
        }
        assert!(
            t.elapsed() < Duration::from_secs(30),
            "still importing after {n} batches"
        );
    };
    assert!(t.elapsed() >= Duration::from_secs(2));
    assert!(
        matches!(&e, Error::ImportStopped { reason, secs: 2, .. } if reason == "too_long"),
        "{e:?}"
    );
    assert!(e.message().contains("import_max_secs"), "{}", e.message());
    drop(sink);
    assert_eq!(srv.cli(&["--json", "request", "list"]).json(), serde_json::json!([]));
}

/// Issue 14, finding 5: SIGTERM did not stop a server whose socket file had
/// been removed (it woke its accept loop by connecting to that path).
#[test]
fn sigterm_stops_a_server_whose_socket_was_removed() {
    let mut srv = Server::start(&config_for(&["operator"]));
    std::fs::remove_file(&srv.socket).unwrap();
    // Server::stop waits at most 10 s for the exit.
    assert_eq!(srv.stop(), Some(0), "{}", srv.log());
    assert!(srv.log().contains("stopped"), "{}", srv.log());
}

/// Issue 14, finding 5: two servers started at once on one path could both
/// take it (each removing what it took for the other's stale socket). Now the
/// first to lock `<socket>.lock` serves, and the other says who holds it.
#[test]
fn two_servers_started_at_once_on_one_path_one_serves_the_other_names_it() {
    let tmp = tempfile::tempdir().unwrap();
    let dbs: Vec<_> = (0..2)
        .map(|i| {
            let db = tmp.path().join(format!("data{i}"));
            drop(beian::service::Service::create(&db, CREATOR, false).unwrap());
            std::fs::write(db.join("config.toml"), config_for(&["operator"])).unwrap();
            db
        })
        .collect();
    for round in 0..6 {
        let socket = tmp.path().join("run").join(format!("beian{round}.sock"));
        if round % 2 == 1 {
            // A stale socket from a crash, which both would remove.
            std::fs::create_dir_all(socket.parent().unwrap()).unwrap();
            drop(std::os::unix::net::UnixListener::bind(&socket).unwrap());
        }
        let logs: Vec<_> = (0..2)
            .map(|i| tmp.path().join(format!("serve{round}-{i}.log")))
            .collect();
        let mut children: Vec<std::process::Child> = (0..2)
            .map(|i| {
                Command::new(BIN)
                    .args(["--db", path_str(&dbs[i]), "serve", "--socket", path_str(&socket)])
                    .env("BEIAN_LANG", "en")
                    .stdin(Stdio::null())
                    .stdout(Stdio::null())
                    .stderr(std::fs::File::create(&logs[i]).unwrap())
                    .spawn()
                    .unwrap()
            })
            .collect();
        struct Reap<'a>(&'a mut Vec<std::process::Child>);
        impl Drop for Reap<'_> {
            fn drop(&mut self) {
                for c in self.0.iter_mut() {
                    let _ = c.kill();
                    let _ = c.wait();
                }
            }
        }
        let children = Reap(&mut children);
        let mut exited = [None, None];
        eventually(&format!("round {round}: one of the two servers to give up"), 30, || {
            for (i, c) in children.0.iter_mut().enumerate() {
                if exited[i].is_none() {
                    exited[i] = c.try_wait().unwrap().map(|s| s.code());
                }
            }
            exited.iter().any(Option::is_some)
        });
        let loser = exited.iter().position(Option::is_some).unwrap();
        let winner = 1 - loser;
        let log = |i: usize| std::fs::read_to_string(&logs[i]).unwrap_or_default();
        assert!(
            exited[winner].is_none(),
            "round {round}: both exited:\n{}\n{}",
            log(0),
            log(1)
        );
        assert_eq!(exited[loser], Some(Some(1)), "round {round}: {}", log(loser));
        let pid = children.0[winner].id();
        assert!(
            log(loser).contains(&format!(
                "another beian serve holds this socket: beian serve (pid {pid}"
            )),
            "round {round}: {}",
            log(loser)
        );
        // The winner serves its own database on the path.
        eventually("the winner to listen", 30, || {
            Remote::connect(&socket).is_ok_and(|r| r.db() == path_str(&dbs[winner]))
        });
        assert!(children.0[winner].try_wait().unwrap().is_none());
    }
}

/// Issue 14, finding 4: a socket directory its group (or anyone) may write to
/// is refused — a member could put a socket of their own in the server's place
/// — and so is one below a directory others may change; a root-owned sticky
/// directory like /tmp is the one exception.
#[test]
fn socket_directories_others_may_write_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("data");
    drop(beian::service::Service::create(&db, CREATOR, false).unwrap());
    let serve = |sock: &Path| run_cli(&["--db", path_str(&db), "serve", "--socket", path_str(sock)], &[]);
    for mode in [0o770, 0o730, 0o757] {
        let dir = tmp.path().join(format!("run{mode:o}"));
        std::fs::create_dir(&dir).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(mode)).unwrap();
        let out = serve(&dir.join("beian.sock"));
        assert_eq!(out.code, 1, "{mode:o}: {}", out.stderr);
        assert!(
            out.stderr.contains(&format!(
                "the directory is writable by others than its owner (mode {mode:o})"
            )),
            "{}",
            out.stderr
        );
        assert!(!dir.join("beian.sock").exists());
    }
    // A private directory under one the group may change.
    let open = tmp.path().join("open");
    std::fs::create_dir(&open).unwrap();
    std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o775)).unwrap();
    let out = serve(&open.join("run").join("beian.sock"));
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr
            .contains(&format!("the directory {} above it", open.display())),
        "{}",
        out.stderr
    );
    let root = nix::unistd::Uid::effective().is_root();
    assert!(
        root || std::env::var("CI").map_or(true, |v| v != "true"),
        "the sticky-directory case needs root (a root-owned directory); CI=true, so this is a failure"
    );
    if !root {
        eprintln!("NOT CHECKED: a root-owned sticky directory is accepted (needs root)");
    }
    if root {
        // Root-owned and sticky, like /tmp: accepted.
        let sticky = tmp.path().join("sticky");
        std::fs::create_dir(&sticky).unwrap();
        std::fs::set_permissions(&sticky, std::fs::Permissions::from_mode(0o1777)).unwrap();
        let sock = sticky.join("beian.sock");
        let child = Command::new(BIN)
            .args(["--db", path_str(&db), "serve", "--socket", path_str(&sock)])
            .env("BEIAN_LANG", "en")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        struct Stop(std::process::Child);
        impl Drop for Stop {
            fn drop(&mut self) {
                let _ = self.0.kill();
                let _ = self.0.wait();
            }
        }
        let mut child = Stop(child);
        let mut exited = None;
        eventually("the server in the sticky directory to listen or exit", 30, || {
            exited = child.0.try_wait().unwrap();
            exited.is_some() || UnixStream::connect(&sock).is_ok()
        });
        assert!(
            exited.is_none(),
            "the server did not serve from a root-owned sticky directory: {exited:?}"
        );
        let pid = nix::unistd::Pid::from_raw(child.0.id() as i32);
        nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).unwrap();
        let mut code = None;
        eventually("the server to stop", 10, || {
            code = child.0.try_wait().unwrap().map(|s| s.code());
            code.is_some()
        });
        assert_eq!(code, Some(Some(0)));
    }
}

/// Issue 14, finding 5: a record larger than a frame was sent anyway, the server
/// cut the connection, and the user read "Broken pipe". Now nothing is sent and
/// the error names the size and the limit; the connection stays usable.
#[test]
fn an_oversized_record_is_refused_before_it_is_sent_naming_the_limit() {
    let srv = Server::start(&config_for(&["operator"]));
    beian::i18n::init(Some("en"));
    let r = srv.connect().unwrap();
    let body = "长".repeat(3 << 20); // 9 MiB of UTF-8
    let cmd: beian::service::Command = serde_json::from_value(serde_json::json!({"command": "request_add", "request": {
        "kind": "problem", "title": "大", "body": body, "submitter": {"name": "李老师", "kind": "teacher"}, "channel": "email"}}))
    .unwrap();
    let e = (&r as &dyn Backend).execute(cmd, None).unwrap_err();
    match &e {
        Error::TooLarge { size, limit } => {
            assert!(*size > 9 << 20, "{size}");
            assert_eq!(*limit, 8 << 20);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(e.exit_code(), 2);
    let m = e.message();
    assert!(
        m.contains("more than the 8.0 MiB the beian server takes in one message"),
        "{m}"
    );
    // Nothing was sent: the same connection goes on.
    (&r as &dyn Backend).execute(request_add(), None).unwrap();

    // The same through the CLI: an email of 9 MiB imported through the server.
    let eml = srv.tmp.path().join("big.eml");
    let mut text = String::from("From: li@example.edu.cn\nSubject: 大附件\nMessage-ID: <big@example>\n\n");
    while text.len() < 9 << 20 {
        text.push_str("选课系统页面加载缓慢，附上日志。\n");
    }
    std::fs::write(&eml, text).unwrap();
    let out = srv.cli(&["import", path_str(&eml)]);
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stderr.contains("the 8.0 MiB the beian server takes in one message"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("Broken pipe"), "{}", out.stderr);
}
