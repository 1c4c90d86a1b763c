//! One owner per database: a `beian` that finds no server for its database
//! starts one in the background and becomes its client (docs/deploy.md, "A
//! server on demand").
//!
//! Only the Unix user who owns the data directory starts one; anyone else is
//! told whom to ask. The server is the same `beian serve`, run detached
//! (`--idle-exit --detached`: a new session, no terminal, its output appended
//! to a log under `$XDG_STATE_HOME/beian/`), and exits after `[server]
//! idle_exit_secs` without clients. `owner.lock` is the arbiter: of two
//! servers started at once, one opens the database; the other finds it held
//! by a server and exits quietly, and every client connects to the one whose
//! socket `owner.lock` names.
//!
//! `BEIAN_NO_SERVER=1` (or `--no-server`) keeps the database in the process
//! that asks, as before (tests, scripts).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::Remote;
use crate::error::{Error, Result};

/// How long a client waits for the server it started to answer.
pub const START_TIMEOUT: Duration = Duration::from_secs(15);

/// The socket of a server started on demand for `data_dir`: one per database
/// in the user's runtime directory (`$XDG_RUNTIME_DIR/beian/db-<hash>.sock`),
/// or `<data dir>/beian.sock` without one.
pub fn socket_for(data_dir: &Path) -> PathBuf {
    match std::env::var_os("XDG_RUNTIME_DIR").filter(|v| !v.is_empty()) {
        Some(d) => PathBuf::from(d)
            .join("beian")
            .join(format!("db-{}.sock", dir_hash(data_dir))),
        None => data_dir.join("beian.sock"),
    }
}

/// The log of a server started on demand for `data_dir`:
/// `$XDG_STATE_HOME/beian/serve-<hash>.log` (`~/.local/state/beian/…`).
pub fn log_for(data_dir: &Path) -> PathBuf {
    use etcetera::BaseStrategy;
    let base = etcetera::choose_base_strategy()
        .map(|s| s.state_dir().unwrap_or_else(|| s.data_dir()))
        .unwrap_or_else(|_| std::env::temp_dir());
    base.join("beian").join(format!("serve-{}.log", dir_hash(data_dir)))
}

/// Eight bytes of SHA-256 of the data directory's absolute path, in hex.
fn dir_hash(data_dir: &Path) -> String {
    use sha2::Digest;
    let abs = data_dir.canonicalize().unwrap_or_else(|_| data_dir.to_path_buf());
    let d = sha2::Sha256::digest(abs.as_os_str().as_encoded_bytes());
    d[..8].iter().map(|b| format!("{b:02x}")).collect()
}

/// What `owner.lock` says now (read without taking it): the holder's description.
pub fn holder(data_dir: &Path) -> String {
    std::fs::read_to_string(data_dir.join("owner.lock"))
        .map(|s| s.trim().to_string())
        .unwrap_or_default()
}

/// Whether the switch keeps the database in this process: `--no-server` or
/// `BEIAN_NO_SERVER` set to anything but empty, `0`, `false`, `no` or `off`.
pub fn no_server_env() -> bool {
    std::env::var("BEIAN_NO_SERVER")
        .map(|v| {
            !matches!(
                v.trim().to_ascii_lowercase().as_str(),
                "" | "0" | "false" | "no" | "off"
            )
        })
        .unwrap_or(false)
}

fn owner_name(uid: u32) -> String {
    nix::unistd::User::from_uid(nix::unistd::Uid::from_raw(uid))
        .ok()
        .flatten()
        .map(|u| u.name)
        .unwrap_or_else(|| format!("uid {uid}"))
}

/// Connect to the server `owner.lock` names, if one answers.
fn connect_holder(data_dir: &Path) -> Option<Result<Remote>> {
    let socket = super::socket_of_holder(&holder(data_dir))?;
    match Remote::connect_to(&socket, Some(data_dir)) {
        Ok(r) => Some(Ok(r)),
        // Someone else's process at that socket, or one this user may not
        // reach: that is the answer, not a reason to start another.
        Err(e @ (Error::WrongServer { .. } | Error::SocketDenied { .. } | Error::Version { .. })) => Some(Err(e)),
        Err(_) => None,
    }
}

/// Connect to the server of `data_dir`, starting one when none answers.
/// `Ok(None)`: there is no database there (the caller opens it to say so).
pub fn connect_or_start(data_dir: &Path) -> Result<Option<Remote>> {
    use std::os::unix::fs::MetadataExt;
    let data_dir = std::path::absolute(data_dir).unwrap_or_else(|_| data_dir.to_path_buf());
    let meta = match std::fs::metadata(&data_dir) {
        Ok(m) => m,
        Err(_) => return Ok(None),
    };
    if let Some(r) = connect_holder(&data_dir) {
        return r.map(Some);
    }
    if meta.uid() != nix::unistd::geteuid().as_raw() {
        return Err(Error::NotYours {
            db: data_dir.display().to_string(),
            owner: owner_name(meta.uid()),
        });
    }
    if !data_dir.join(crate::config::CONFIG_FILE).exists() {
        return Ok(None);
    }
    start(&data_dir).map(Some)
}

/// Start `beian serve --idle-exit --detached` for `data_dir` and wait for the
/// server `owner.lock` names to answer (this one or a rival started at the
/// same moment).
fn start(data_dir: &Path) -> Result<Remote> {
    let log = log_for(data_dir);
    let fail = |detail: String| Error::ServerStart {
        db: data_dir.display().to_string(),
        log: log.display().to_string(),
        detail,
    };
    if let Some(dir) = log.parent() {
        use std::os::unix::fs::DirBuilderExt;
        let _ = std::fs::DirBuilder::new().mode(0o700).recursive(true).create(dir);
    }
    let out = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&log)
        .map_err(|e| fail(format!("{}: {e}", log.display())))?;
    let err = out.try_clone().map_err(|e| fail(e.to_string()))?;
    let exe = std::env::current_exe().map_err(|e| fail(e.to_string()))?;
    let mut child = std::process::Command::new(exe)
        .arg("--db")
        .arg(data_dir)
        .arg("--socket")
        .arg(socket_for(data_dir))
        .args(["serve", "--idle-exit", "--detached"])
        .env_remove("BEIAN_SOCKET")
        .env_remove("BEIAN_NO_SERVER")
        .env_remove("BEIAN_EXIT_AFTER_FIRST_FRAME")
        .current_dir("/")
        .stdin(std::process::Stdio::null())
        .stdout(out)
        .stderr(err)
        .spawn()
        .map_err(|e| fail(e.to_string()))?;
    let deadline = Instant::now() + START_TIMEOUT;
    let mut pause = Duration::from_millis(2);
    let mut exited = None;
    loop {
        if let Some(r) = connect_holder(data_dir) {
            // The server lives on when this process ends; a thread reaps it
            // should it exit while this one still runs (a terminal UI).
            if exited.is_none() {
                std::thread::spawn(move || child.wait());
            }
            return r;
        }
        if exited.is_none() {
            if let Ok(Some(status)) = child.try_wait() {
                exited = Some(status);
                if !status.success() {
                    let holder = holder(data_dir);
                    // Held by a process of its own (not a server): say who, as before.
                    if !holder.is_empty() && super::socket_of_holder(&holder).is_none() {
                        return Err(Error::Locked {
                            path: data_dir.display().to_string(),
                            holder: crate::sanitize::clean_line(&holder),
                        });
                    }
                    return Err(fail(last_lines(&log)));
                }
                // It stepped aside for another server: wait for that one.
            }
        }
        if Instant::now() >= deadline {
            return Err(fail(last_lines(&log)));
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(100));
    }
}

/// The end of a server's log, for the error when it did not start.
fn last_lines(log: &Path) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    lines[lines.len().saturating_sub(3)..].join("\n")
}

/// For the offline commands (`compact`, `reindex`): when a server started on
/// demand holds the database and nobody but this process is connected, ask it
/// to stop (SIGTERM: it answers what is in progress, then exits) and wait until
/// it has let the database go. A server with clients, or one started by hand
/// or by systemd, is left alone: the error names it.
pub fn stop_idle_server(data_dir: &Path, holder: &str) -> Result<bool> {
    let Some((pid, true)) = super::server_of_holder(holder) else {
        return Ok(false);
    };
    let Some(Ok(remote)) = connect_holder(data_dir) else {
        return Ok(false);
    };
    let status = crate::service::Backend::server_status(&remote)?;
    let me = std::process::id() as i32;
    let others: Vec<String> = status
        .connections
        .iter()
        .filter(|c| c.pid != me)
        .map(|c| format!("{} (pid {})", c.user, c.pid))
        .collect();
    drop(remote);
    if !others.is_empty() {
        return Err(Error::ServedBusy {
            db: data_dir.display().to_string(),
            pid,
            clients: others.join(", "),
        });
    }
    let raw = i32::try_from(pid).map_err(|_| Error::Storage {
        detail: format!("pid {pid}"),
    })?;
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(raw), nix::sys::signal::Signal::SIGTERM).map_err(|e| {
        Error::Storage {
            detail: format!("kill {pid}: {e}"),
        }
    })?;
    Ok(true)
}

/// Open the database in this process for an offline command: a server started
/// on demand that is idle is asked to stop first, and waited for.
pub fn open_offline(data_dir: &Path) -> Result<crate::service::Service> {
    let deadline = Instant::now() + START_TIMEOUT;
    let mut asked = false;
    loop {
        match crate::service::Service::open(data_dir) {
            Err(Error::Locked { path, holder }) => {
                if !asked {
                    asked = stop_idle_server(data_dir, &holder)?;
                    if !asked {
                        return Err(Error::Locked { path, holder });
                    }
                }
                if Instant::now() >= deadline {
                    return Err(Error::Locked { path, holder });
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            other => return other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holder_texts_name_the_pid_and_whether_started_on_demand() {
        let sock = Path::new("/run/user/0/beian/db-1.sock");
        let me = std::process::id();
        assert_eq!(
            super::super::server_of_holder(&super::super::holder_text(sock)),
            Some((me, false))
        );
        let auto = super::super::auto_holder_text(sock);
        assert_eq!(super::super::server_of_holder(&auto), Some((me, true)));
        assert_eq!(super::super::socket_of_holder(&auto).as_deref(), Some(sock));
        assert_eq!(super::super::server_of_holder("pid 12 (wang), beian plan list"), None);
    }

    #[test]
    fn each_database_has_its_own_socket_and_log() {
        let a = socket_for(Path::new("/srv/a"));
        let b = socket_for(Path::new("/srv/b"));
        assert_ne!(a, b);
        assert_ne!(log_for(Path::new("/srv/a")), log_for(Path::new("/srv/b")));
    }
}
