//! Helpers for the server tests: a database whose roles a test controls, a real
//! `beian serve` child on a temporary socket, bounded waits everywhere.
#![allow(dead_code)]

use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use beian::server::Remote;
use tempfile::TempDir;

pub const BIN: &str = env!("CARGO_BIN_EXE_beian");

/// The creator (always admin) is a name no test runs as, so the OS user running
/// the tests has exactly the roles its config gives.
pub const CREATOR: &str = "beian-test-creator";

/// The OS user running the tests.
pub fn me() -> String {
    beian::config::os_user_name()
}

pub struct Server {
    pub tmp: TempDir,
    pub db: PathBuf,
    pub socket: PathBuf,
    child: Option<Child>,
}

/// A config giving the current OS user these roles (none: an empty config).
pub fn config_for(roles: &[&str]) -> String {
    if roles.is_empty() {
        return String::new();
    }
    let list: Vec<String> = roles.iter().map(|r| format!("\"{r}\"")).collect();
    format!("[roles.users]\n\"{}\" = [{}]\n", me(), list.join(", "))
}

impl Server {
    /// A new database (created by [`CREATOR`]) with `config` as its config.toml,
    /// served on a socket in the same temporary directory.
    pub fn start(config: &str) -> Server {
        let tmp = tempfile::tempdir().unwrap();
        let db = tmp.path().join("data");
        drop(beian::service::Service::create(&db, CREATOR, false).unwrap());
        let socket = tmp.path().join("run").join("beian.sock");
        let mut s = Server {
            tmp,
            db,
            socket,
            child: None,
        };
        s.set_config(config);
        s.spawn(&[]);
        s
    }

    pub fn set_config(&self, config: &str) {
        std::fs::write(self.db.join("config.toml"), config).unwrap();
    }

    /// Start `beian serve` and wait (at most 20 s) until its socket answers.
    pub fn spawn(&mut self, extra: &[&str]) {
        let log = std::fs::File::create(self.tmp.path().join("serve.log")).unwrap();
        let child = Command::new(BIN)
            .arg("--db")
            .arg(&self.db)
            .arg("serve")
            .arg("--socket")
            .arg(&self.socket)
            .args(extra)
            .env("BEIAN_LANG", "en")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(st) = self.child.as_mut().unwrap().try_wait().unwrap() {
                panic!("beian serve exited ({st}):\n{}", self.log());
            }
            if let Ok(s) = UnixStream::connect(&self.socket) {
                drop(s);
                return;
            }
            assert!(Instant::now() < deadline, "the server did not listen:\n{}", self.log());
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.tmp.path().join("serve.log")).unwrap_or_default()
    }

    pub fn connect(&self) -> beian::Result<Remote> {
        Remote::connect(&self.socket)
    }

    /// A raw connection with bounded reads.
    pub fn raw(&self) -> UnixStream {
        let s = UnixStream::connect(&self.socket).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(15))).unwrap();
        s.set_write_timeout(Some(Duration::from_secs(15))).unwrap();
        s
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().unwrap().id()
    }

    /// True while the server process runs.
    pub fn alive(&mut self) -> bool {
        self.child.as_mut().is_some_and(|c| c.try_wait().unwrap().is_none())
    }

    /// SIGTERM and wait (at most 10 s); returns the exit code.
    pub fn stop(&mut self) -> Option<i32> {
        let mut child = self.child.take()?;
        let pid = nix::unistd::Pid::from_raw(child.id() as i32);
        let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM);
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(st) = child.try_wait().unwrap() {
                return st.code();
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                panic!("the server did not stop on SIGTERM:\n{}", self.log());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Run the CLI against this server (through BEIAN_SOCKET).
    pub fn cli(&self, args: &[&str]) -> Out {
        run_cli(
            args,
            &[
                ("BEIAN_SOCKET", self.socket.as_os_str()),
                ("BEIAN_DB", self.db.as_os_str()),
            ],
        )
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

pub struct Out {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Out {
    pub fn json(&self) -> serde_json::Value {
        assert_eq!(self.code, 0, "stdout:\n{}\nstderr:\n{}", self.stdout, self.stderr);
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.stdout))
    }
}

/// Run the binary with a bounded time (60 s).
pub fn run_cli(args: &[&str], env: &[(&str, &std::ffi::OsStr)]) -> Out {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .env("BEIAN_NO_SERVER", "1")
        .env("BEIAN_LANG", "en")
        .env_remove("XDG_RUNTIME_DIR")
        .env_remove("BEIAN_SOCKET")
        .env_remove("BEIAN_DB")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let child = cmd.spawn().unwrap();
    let pid = nix::unistd::Pid::from_raw(child.id() as i32);
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    let out = match rx.recv_timeout(Duration::from_secs(60)) {
        Ok(o) => o.unwrap(),
        Err(_) => {
            let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGKILL);
            panic!("beian {args:?} did not finish in 60 s");
        }
    };
    Out {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Wait (bounded) for a condition.
pub fn eventually(what: &str, secs: u64, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !f() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

pub fn path_str(p: &Path) -> &str {
    p.to_str().unwrap()
}
