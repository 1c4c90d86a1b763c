//! One owner per database (issue 16 §1): with no server running, a terminal UI
//! and CLI commands of the database's owner start one server between them
//! (`owner.lock` decides which), become its clients, and the server exits after
//! its idle time; two processes starting at once end with one server; `beian
//! compact` asks an idle one to stop; a user who does not own the database is
//! told whom to ask and starts nothing.
//!
//! Every server a test causes is ended by its pid (from `owner.lock`) in a Drop
//! guard, also when the test fails.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use portable_pty::CommandBuilder;

use super::pty_support::Tui;
use super::server_support::{run_cli, Out, BIN};

/// A new database of the user running the tests, with its own runtime and
/// state directories (the socket and the server's log live there).
struct Db {
    tmp: tempfile::TempDir,
    db: PathBuf,
}

impl Db {
    /// `beian init`, then `[server] idle_exit_secs = idle` in its config.toml.
    fn new(idle: u64) -> Db {
        let tmp = tempfile::tempdir().unwrap();
        super::chmod(tmp.path(), 0o755);
        let db = tmp.path().join("data");
        for d in ["run", "state", "home"] {
            std::fs::create_dir(tmp.path().join(d)).unwrap();
            super::chmod(&tmp.path().join(d), 0o700);
        }
        let d = Db { tmp, db };
        let o = run_cli(&["init"], &[("BEIAN_DB", d.db.as_os_str())]);
        assert_eq!(o.code, 0, "init: {}", o.stderr);
        let config = std::fs::read_to_string(d.db.join("config.toml")).unwrap();
        assert!(config.contains("\n[server]\n"), "{config}");
        let config = config.replace("\n[server]\n", &format!("\n[server]\nidle_exit_secs = {idle}\n"));
        std::fs::write(d.db.join("config.toml"), config).unwrap();
        d
    }

    fn envs(&self) -> Vec<(&'static str, PathBuf)> {
        let t = self.tmp.path();
        vec![
            ("BEIAN_DB", self.db.clone()),
            // The switch is off: the default path.
            ("BEIAN_NO_SERVER", PathBuf::new()),
            ("XDG_RUNTIME_DIR", t.join("run")),
            ("XDG_STATE_HOME", t.join("state")),
            ("XDG_CONFIG_HOME", t.join("home/.config")),
            ("XDG_DATA_HOME", t.join("home/.local/share")),
            ("HOME", t.join("home")),
        ]
    }

    /// `beian ARGS` on the default path (a server is found or started).
    fn cli(&self, args: &[&str]) -> Out {
        let envs = self.envs();
        let envs: Vec<(&str, &std::ffi::OsStr)> = envs.iter().map(|(k, v)| (*k, v.as_os_str())).collect();
        run_cli(args, &envs)
    }

    /// The terminal UI on the default path, in a pty.
    fn tui(&self) -> Tui {
        let mut cmd = CommandBuilder::new(BIN);
        cmd.env_clear();
        for (k, v) in self.envs() {
            cmd.env(k, v);
        }
        cmd.env("BEIAN_LANG", "en");
        cmd.env("TZ", "Asia/Shanghai");
        cmd.env("TERM", "xterm-256color");
        cmd.env("PATH", std::env::var("PATH").unwrap_or_else(|_| "/usr/bin:/bin".into()));
        cmd.cwd(self.tmp.path());
        Tui::spawn(cmd, 100, 30)
    }

    fn holder(&self) -> String {
        std::fs::read_to_string(self.db.join("owner.lock")).unwrap_or_default()
    }

    /// The server `owner.lock` names, if it was started on demand.
    fn server_pid(&self) -> Option<u32> {
        beian::server::server_of_holder(self.holder().trim())
            .filter(|(_, auto)| *auto)
            .map(|(pid, _)| pid)
    }

    /// Every running `beian serve` of this database (from /proc).
    fn servers(&self) -> Vec<u32> {
        let db = self.db.to_str().unwrap().to_string();
        let mut out = Vec::new();
        for e in std::fs::read_dir("/proc").unwrap().flatten() {
            let Ok(pid) = e.file_name().to_string_lossy().parse::<u32>() else {
                continue;
            };
            let Ok(cmd) = std::fs::read(e.path().join("cmdline")) else {
                continue;
            };
            let args: Vec<String> = cmd
                .split(|b| *b == 0)
                .map(|a| String::from_utf8_lossy(a).into_owned())
                .collect();
            if args.iter().any(|a| a == "serve") && args.contains(&db) && !is_zombie(pid) {
                out.push(pid);
            }
        }
        out
    }

    fn log(&self) -> String {
        let dir = self.tmp.path().join("state/beian");
        let mut text = String::new();
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            text.push_str(&std::fs::read_to_string(e.path()).unwrap_or_default());
        }
        text
    }
}

fn is_zombie(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|s| {
            s.rsplit_once(')')
                .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z'))
        })
        .unwrap_or(true)
}

/// Ends every server of the database still running when the test ends (by
/// pid, checked against /proc to be a server of this database).
impl Drop for Db {
    fn drop(&mut self) {
        for pid in self.servers() {
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(pid as i32),
                nix::sys::signal::Signal::SIGTERM,
            );
        }
        let deadline = Instant::now() + Duration::from_secs(5);
        while !self.servers().is_empty() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        for pid in self.servers() {
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(pid as i32),
                nix::sys::signal::Signal::SIGKILL,
            );
        }
    }
}

fn ok(o: &Out, what: &str) {
    assert_eq!(o.code, 0, "{what}: exit {}\n{}\n{}", o.code, o.stdout, o.stderr);
}

#[test]
fn a_tui_and_three_commands_start_one_server_which_exits_when_idle() {
    let _s = super::serial();
    let d = Db::new(2);
    assert!(d.servers().is_empty());
    // Everything at once, with no server running.
    let mut tui = d.tui();
    let clis: Vec<std::thread::JoinHandle<Out>> = [
        vec!["--json", "whoami"],
        vec![
            "--json",
            "request",
            "add",
            "--title",
            "按需启动的服务端",
            "--submitter",
            "李老师",
        ],
        vec!["--json", "request", "list"],
    ]
    .into_iter()
    .map(|args| {
        let envs = d.envs();
        std::thread::spawn(move || {
            let envs: Vec<(&str, &std::ffi::OsStr)> = envs.iter().map(|(k, v)| (*k, v.as_os_str())).collect();
            let args: Vec<&str> = args.to_vec();
            run_cli(&args, &envs)
        })
    })
    .collect();
    let outs: Vec<Out> = clis.into_iter().map(|h| h.join().unwrap()).collect();
    for o in &outs {
        ok(o, "a command on the default path");
    }
    assert_eq!(outs[0].json()["user"], super::server_support::me());
    // The TUI is a client: the request another process added shows up.
    tui.wait_for("按需启动的服务端", 20);
    let pid = d.server_pid().unwrap_or_else(|| panic!("owner.lock: {}", d.holder()));
    assert_eq!(d.servers(), vec![pid], "exactly one server, the one owner.lock names");
    // A later command is a client of the same server.
    ok(&d.cli(&["request", "list"]), "request list");
    assert_eq!(d.servers(), vec![pid]);
    tui.quit();
    // Nobody connected: it exits after its idle time (2 s here).
    let deadline = Instant::now() + Duration::from_secs(20);
    while d.servers().contains(&pid) {
        assert!(
            Instant::now() < deadline,
            "the server did not exit when idle:\n{}",
            d.log()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(d.log().contains("no client for 2 s"), "{}", d.log());
}

#[test]
fn two_commands_starting_at_once_end_with_one_server() {
    let _s = super::serial();
    let d = Db::new(600);
    for round in 0..3 {
        let handles: Vec<_> = (0..4)
            .map(|_| {
                let envs = d.envs();
                std::thread::spawn(move || {
                    let envs: Vec<(&str, &std::ffi::OsStr)> = envs.iter().map(|(k, v)| (*k, v.as_os_str())).collect();
                    run_cli(&["--json", "overview"], &envs)
                })
            })
            .collect();
        for h in handles {
            ok(&h.join().unwrap(), "overview");
        }
        let pid = d.server_pid().unwrap_or_else(|| panic!("owner.lock: {}", d.holder()));
        // A server that lost the race is gone (or going) once every client is answered.
        let deadline = Instant::now() + Duration::from_secs(10);
        while d.servers() != vec![pid] {
            assert!(
                Instant::now() < deadline,
                "round {round}: servers {:?}, owner.lock names {pid}:\n{}",
                d.servers(),
                d.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        if round < 2 {
            // Stop it for the next round (as the guard would).
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(pid as i32),
                nix::sys::signal::Signal::SIGTERM,
            );
            let deadline = Instant::now() + Duration::from_secs(10);
            while !d.servers().is_empty() {
                assert!(Instant::now() < deadline, "the server did not stop on SIGTERM");
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }
}

#[test]
fn compact_stops_an_idle_server_started_on_demand_and_refuses_a_busy_one() {
    let _s = super::serial();
    let d = Db::new(600);
    ok(&d.cli(&["overview"]), "overview");
    let pid = d.server_pid().expect("a server started on demand");
    // A client holds it: compact names it and leaves the server alone.
    let mut tui = d.tui();
    tui.wait_until(20, "the UI connected", |_| {
        d.cli(&["--json", "status"]).json()["connections"]
            .as_array()
            .is_some_and(|c| c.len() >= 2)
    });
    let busy = d.cli(&["compact"]);
    assert_eq!(busy.code, 1, "{}\n{}", busy.stdout, busy.stderr);
    assert!(
        busy.stderr.contains(&format!("pid {pid}")) && busy.stderr.contains("still has clients"),
        "{}",
        busy.stderr
    );
    assert_eq!(d.servers(), vec![pid]);
    tui.quit();
    // Idle: compact asks it to stop, then runs.
    let done = d.cli(&["compact"]);
    ok(&done, "compact");
    assert!(done.stdout.contains("compacted"), "{}", done.stdout);
    assert!(d.servers().is_empty(), "{:?}", d.servers());
    // The next command starts a new one.
    ok(&d.cli(&["overview"]), "overview after compact");
    assert_ne!(d.server_pid(), Some(pid));
    assert_eq!(d.servers().len(), 1);
}

#[test]
fn a_named_socket_that_does_not_answer_stays_an_error() {
    let _s = super::serial();
    let d = Db::new(600);
    let socket = d.tmp.path().join("run/nobody.sock");
    let o = d.cli(&["--socket", socket.to_str().unwrap(), "overview"]);
    assert_ne!(o.code, 0, "{}", o.stdout);
    assert!(o.stderr.contains("no beian server answers"), "{}", o.stderr);
    assert!(d.servers().is_empty(), "a named socket starts nothing");
}

#[test]
fn the_switch_keeps_the_database_in_the_process() {
    let _s = super::serial();
    let d = Db::new(600);
    let mut envs = d.envs();
    envs.retain(|(k, _)| *k != "BEIAN_NO_SERVER");
    envs.push(("BEIAN_NO_SERVER", PathBuf::from("1")));
    let envs: Vec<(&str, &std::ffi::OsStr)> = envs.iter().map(|(k, v)| (*k, v.as_os_str())).collect();
    ok(&run_cli(&["overview"], &envs), "overview, BEIAN_NO_SERVER=1");
    let mut flag = d.envs();
    flag.retain(|(k, _)| *k != "BEIAN_NO_SERVER");
    let flag: Vec<(&str, &std::ffi::OsStr)> = flag.iter().map(|(k, v)| (*k, v.as_os_str())).collect();
    ok(&run_cli(&["--no-server", "overview"], &flag), "overview --no-server");
    assert!(d.servers().is_empty(), "{:?}", d.servers());
    assert!(!d.holder().starts_with("beian serve"), "{}", d.holder());
}

#[test]
fn a_user_who_does_not_own_the_database_is_told_whom_to_ask() {
    let _s = super::serial();
    if !super::is_root() {
        return;
    }
    let d = Db::new(600);
    let homes = d.tmp.path().join("homes");
    std::fs::create_dir(&homes).unwrap();
    super::chmod(&homes, 0o755);
    let users = super::Users::add("od", 1, &homes);
    let user = &users.names[0];
    let bin = d.tmp.path().join("beian");
    std::fs::copy(BIN, &bin).unwrap();
    super::chmod(&bin, 0o755);
    let before = d.holder();
    let home = homes.join(user);
    let o = run_as(user, &bin, &d.db, &home, &["request", "list"]);
    assert_eq!(o.code, 3, "{}\n{}", o.stdout, o.stderr);
    assert!(
        o.stderr.contains("only its owner root starts one") && o.stderr.contains(d.db.to_str().unwrap()),
        "{}",
        o.stderr
    );
    assert!(
        d.servers().is_empty(),
        "a non-owner started a server: {:?}",
        d.servers()
    );
    assert_eq!(d.holder(), before);
    drop(users);
}

/// `beian ARGS` as `user` through runuser, on the default path.
fn run_as(user: &str, bin: &Path, db: &Path, home: &Path, args: &[&str]) -> Out {
    let mut a = vec!["-u", user, "--", bin.to_str().unwrap()];
    a.extend_from_slice(args);
    let state = home.join(".local/state");
    run_cli_with_program(
        "runuser",
        &a,
        &[
            ("BEIAN_DB", db.as_os_str()),
            ("BEIAN_NO_SERVER", std::ffi::OsStr::new("")),
            ("HOME", home.as_os_str()),
            ("XDG_STATE_HOME", state.as_os_str()),
        ],
    )
}

fn run_cli_with_program(program: &str, args: &[&str], env: &[(&str, &std::ffi::OsStr)]) -> Out {
    let out = std::process::Command::new(program)
        .args(args)
        .env("BEIAN_LANG", "en")
        .env_remove("XDG_RUNTIME_DIR")
        .env_remove("BEIAN_SOCKET")
        .envs(env.iter().map(|(k, v)| (*k, *v)))
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    Out {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}
