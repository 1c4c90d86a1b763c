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

/// Not a test of its own: the misbehaving client process of the SIGKILL test.
#[test]
fn helper_client_that_is_killed_mid_request() {
    let Ok(sock) = std::env::var(HELPER_ENV) else { return };
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
    let mut srv = Server::start(&config_for(&["operator"]));
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "helper_client_that_is_killed_mid_request",
            "--exact",
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
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    ready.expect("the helper client got ready");
    serves_another_client(&mut srv);
    // Its whole request was carried out or not at all; a new client reads a
    // consistent list either way.
    let r = srv.connect().unwrap();
    let n = (&r as &dyn Backend).requests(&Default::default()).unwrap().len();
    assert!(n <= 1);
    eventually("the server to forget the killed client", 10, || {
        let st = srv.cli(&["--json", "whoami"]);
        st.code == 0
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
    drop(a);
}

fn recv(s: &mut UnixStream) -> Option<ServerMsg> {
    let body = read_frame(s, MAX_SERVER_FRAME).ok()??;
    serde_json::from_slice(&body).ok()
}

fn peak_rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
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
    let peak = peak_rss_kib(srv.pid());
    assert!(peak < 256 * 1024, "the server's peak memory is {peak} KiB");
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
    assert!(out.stderr.contains("another server answers"), "{}", out.stderr);
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
    assert!(out.stderr.contains("writable by everyone"), "{}", out.stderr);
    serves_another_client(&mut srv);
}
