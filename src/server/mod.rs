//! `beian serve`: the one process that has the database open, serving every CLI
//! and TUI of the machine over a Unix socket (docs/deploy.md).
//!
//! Each connection gets a thread that reads requests and a writer thread fed by a
//! bounded queue. The user is the socket's peer as the kernel reports it
//! (SO_PEERCRED), never anything a client says; its roles come from the
//! database's `config.toml`, read again at every new connection so that a change
//! of roles needs no restart. After every committed command a [`Changed`] is
//! queued for each subscriber; a subscriber whose queue is full is dropped rather
//! than allowed to hold up the server.

pub mod client;
pub mod protocol;

pub use client::Remote;
pub use protocol::{Changed, Connection, StatusReport, PROTOCOL_VERSION};

use std::collections::BTreeMap;
use std::io::Read;
use std::os::unix::fs::{DirBuilderExt, FileTypeExt, MetadataExt, PermissionsExt};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, SyncSender, TrySendError};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use chrono::Utc;

use crate::config::Config;
use crate::error::{Error, Result};
use crate::model::{Actor, Time};
use crate::service::Service;
use crate::workflow::{self as wf, Op};
use protocol::{read_body, read_frame, write_msg, ClientMsg, FrameError, Payload, ServerMsg, MAX_FRAME};

/// How long a new connection may take to say hello, and a started frame to arrive.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a write to a client may block before the client is dropped.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);
/// Messages waiting for one client before it counts as too slow.
const QUEUE: usize = 1024;
/// Connections served at once; more are refused.
const MAX_CONNECTIONS: usize = 256;

/// Where and how to serve.
#[derive(Debug, Clone)]
pub struct Options {
    /// The data directory.
    pub db: PathBuf,
    pub socket: PathBuf,
    /// Give the socket to this group (the operators), mode 0660.
    pub socket_group: Option<String>,
}

/// The socket used when none is named: `$XDG_RUNTIME_DIR/beian/beian.sock`, or
/// `<data dir>/beian.sock` without a runtime directory.
pub fn default_socket(data_dir: &Path) -> PathBuf {
    match std::env::var_os("XDG_RUNTIME_DIR").filter(|v| !v.is_empty()) {
        Some(d) => PathBuf::from(d).join("beian").join("beian.sock"),
        None => data_dir.join("beian.sock"),
    }
}

/// What the server writes into `owner.lock`, so that another process finds it.
pub fn holder_text(socket: &Path) -> String {
    format!(
        "beian serve (pid {}, {}) at {}",
        std::process::id(),
        crate::config::os_user_name(),
        socket.display()
    )
}

/// The socket named by a holder text written by [`holder_text`].
pub fn socket_of_holder(holder: &str) -> Option<PathBuf> {
    let rest = holder.strip_prefix("beian serve (")?;
    let (_, socket) = rest.split_once(") at ")?;
    Some(PathBuf::from(socket.trim())).filter(|p| p.is_absolute())
}

/// `beian status` is for admins and supervisors (the permission table).
pub fn check_status(actor: &Actor) -> Result<()> {
    wf::check(actor, Op::ServerStatus)?;
    Ok(())
}

/// One line of the server's log (stderr, the journal). It may quote what a client
/// sent (serde's errors do), so it is cleaned like everything else shown in a terminal.
fn log(msg: impl std::fmt::Display) {
    eprintln!("beian serve: {}", crate::sanitize::clean_line(&msg.to_string()));
}

struct Conn {
    info: Connection,
    /// Set once the client subscribed.
    push: Option<SyncSender<ServerMsg>>,
    /// To cut the connection when its subscriber falls behind.
    stream: UnixStream,
}

struct Shared {
    service: RwLock<Service>,
    socket: PathBuf,
    started_at: Time,
    started: Instant,
    conns: Mutex<BTreeMap<u64, Conn>>,
    next_conn: AtomicU64,
    stopping: AtomicBool,
    /// The disk refused a write: sled refuses every later one until the
    /// database is opened again, which is tried before the next write.
    refused: AtomicBool,
}

impl Shared {
    fn read(&self) -> std::sync::RwLockReadGuard<'_, Service> {
        self.service.read().unwrap_or_else(|e| e.into_inner())
    }

    /// Read `config.toml` again; a broken file keeps the previous configuration.
    /// A change of roles or process settings is recorded in the chain before
    /// it is used; while it cannot be, the previous configuration stays.
    fn reload_config(&self) {
        let dir = self.read().dir().to_path_buf();
        let config = match Config::load(&dir) {
            Ok(c) => c,
            Err(e) => return log(format_args!("{}; keeping the previous roles", e.message())),
        };
        let recorded = self.read().record_config(&config, chrono::Utc::now());
        match recorded {
            Ok(true) if config != *self.read().config() => {
                self.service
                    .write()
                    .unwrap_or_else(|e| e.into_inner())
                    .set_config(config);
                log(format_args!(
                    "{} reloaded",
                    dir.join(crate::config::CONFIG_FILE).display()
                ));
            }
            Ok(true) => {}
            Ok(false) => log("config.toml changed during an import: not recorded yet; keeping the previous roles"),
            Err(e) => log(format_args!("{}; keeping the previous roles", e.message())),
        }
    }

    /// Note a write the disk refused (full, read-only).
    fn note<T>(&self, result: &Result<T>) {
        if let Err(Error::DiskRefused { .. }) = result {
            if !self.refused.swap(true, Ordering::SeqCst) {
                log(result.as_ref().err().map(Error::message).unwrap_or_default());
            }
        }
    }

    /// Before a write: after a refusal, open the database again once the disk
    /// takes writes (until then the write is refused again, as clearly).
    fn recover_writes(&self) {
        if !self.refused.load(Ordering::SeqCst) {
            return;
        }
        let mut service = self.service.write().unwrap_or_else(|e| e.into_inner());
        if !self.refused.load(Ordering::SeqCst) {
            return;
        }
        match service.reopen() {
            Ok(()) => {
                self.refused.store(false, Ordering::SeqCst);
                log(format_args!("{}: the disk takes writes again", service.dir().display()));
            }
            Err(Error::DiskRefused { .. }) => {}
            Err(e) => log(e.message()),
        }
    }

    fn broadcast(&self, changed: &Changed) {
        let mut conns = self.conns.lock().unwrap_or_else(|e| e.into_inner());
        for (id, c) in conns.iter_mut() {
            let Some(tx) = &c.push else { continue };
            match tx.try_send(ServerMsg::Changed(changed.clone())) {
                Ok(()) => {}
                Err(TrySendError::Full(_)) => {
                    log(format_args!(
                        "connection {id} ({}) is not reading its updates; dropping it",
                        c.info.user
                    ));
                    c.push = None;
                    let _ = c.stream.shutdown(std::net::Shutdown::Both);
                }
                Err(TrySendError::Disconnected(_)) => c.push = None,
            }
        }
    }

    fn status(&self) -> StatusReport {
        let conns = self.conns.lock().unwrap_or_else(|e| e.into_inner());
        StatusReport {
            socket: self.socket.display().to_string(),
            db: self.read().dir().display().to_string(),
            pid: std::process::id(),
            server_version: env!("CARGO_PKG_VERSION").to_string(),
            protocol: PROTOCOL_VERSION,
            started_at: self.started_at,
            uptime_secs: self.started.elapsed().as_secs(),
            connections: conns.values().map(|c| c.info.clone()).collect(),
        }
    }
}

/// Check the socket's directory: create it (0700) when absent; refuse one owned
/// by someone else or writable by everyone.
fn prepare_dir(dir: &Path) -> Result<()> {
    let fail = |detail: String| Error::Socket {
        path: dir.display().to_string(),
        detail,
    };
    if !dir.exists() {
        std::fs::DirBuilder::new()
            .mode(0o700)
            .recursive(true)
            .create(dir)
            .map_err(|e| fail(e.to_string()))?;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(|e| fail(e.to_string()))?;
    }
    let meta = std::fs::metadata(dir).map_err(|e| fail(e.to_string()))?;
    let me = nix::unistd::geteuid().as_raw();
    if !meta.is_dir() {
        return Err(fail("not a directory".into()));
    }
    if meta.uid() != me {
        return Err(fail(format!(
            "the directory is owned by uid {}, not by this server (uid {me})",
            meta.uid()
        )));
    }
    if meta.mode() & 0o002 != 0 {
        return Err(fail(format!(
            "the directory is writable by everyone (mode {:o}); use a private directory",
            meta.mode() & 0o7777
        )));
    }
    Ok(())
}

/// Bind the socket, replacing a stale one (a socket file nobody answers on).
fn bind(path: &Path) -> Result<UnixListener> {
    let fail = |detail: String| Error::Socket {
        path: path.display().to_string(),
        detail,
    };
    if let Ok(meta) = std::fs::symlink_metadata(path) {
        if !meta.file_type().is_socket() {
            return Err(fail("a file that is not a socket is in the way".into()));
        }
        if UnixStream::connect(path).is_ok() {
            return Err(fail("another server answers on this socket".into()));
        }
        log(format_args!("replacing the stale socket {}", path.display()));
        std::fs::remove_file(path).map_err(|e| fail(e.to_string()))?;
    }
    UnixListener::bind(path).map_err(|e| fail(e.to_string()))
}

/// Serve until SIGTERM or SIGINT. `ready` is called once the socket listens.
pub fn serve(opts: &Options, ready: impl FnOnce(&StatusReport)) -> Result<()> {
    let service = Service::open(&opts.db)?;
    let socket = std::path::absolute(&opts.socket).unwrap_or_else(|_| opts.socket.clone());
    let dir = socket.parent().unwrap_or(Path::new("/"));
    prepare_dir(dir)?;
    // Name the server in owner.lock before anyone can connect, so that a client
    // that finds the database locked can always read where to go.
    service.store().set_holder(&holder_text(&socket));
    let listener = bind(&socket)?;
    let sock_fail = |e: String| Error::Socket {
        path: socket.display().to_string(),
        detail: e,
    };
    std::fs::set_permissions(&socket, std::fs::Permissions::from_mode(0o660)).map_err(|e| sock_fail(e.to_string()))?;
    if let Some(g) = &opts.socket_group {
        let group = nix::unistd::Group::from_name(g)
            .ok()
            .flatten()
            .ok_or_else(|| sock_fail(format!("no group {g}")))?;
        nix::unistd::chown(&socket, None, Some(group.gid)).map_err(|e| sock_fail(format!("chgrp {g}: {e}")))?;
    }
    let inode = std::fs::metadata(&socket).map(|m| (m.dev(), m.ino())).ok();
    let shared = Arc::new(Shared {
        service: RwLock::new(service),
        socket: socket.clone(),
        started_at: Utc::now(),
        started: Instant::now(),
        conns: Mutex::new(BTreeMap::new()),
        next_conn: AtomicU64::new(1),
        stopping: AtomicBool::new(false),
        refused: AtomicBool::new(false),
    });
    {
        let shared = shared.clone();
        let mut signals =
            signal_hook::iterator::Signals::new([signal_hook::consts::SIGTERM, signal_hook::consts::SIGINT])
                .map_err(|e| sock_fail(format!("signals: {e}")))?;
        std::thread::spawn(move || {
            if let Some(sig) = signals.forever().next() {
                log(format_args!("signal {sig}: stopping"));
                shared.stopping.store(true, Ordering::SeqCst);
                // Wake the accept loop.
                let _ = UnixStream::connect(&shared.socket);
            }
        });
    }
    log(format_args!(
        "serving {} at {} (pid {}, protocol {PROTOCOL_VERSION})",
        shared.read().dir().display(),
        socket.display(),
        std::process::id()
    ));
    ready(&shared.status());
    for stream in listener.incoming() {
        if shared.stopping.load(Ordering::SeqCst) {
            break;
        }
        match stream {
            Ok(stream) => {
                let id = shared.next_conn.fetch_add(1, Ordering::SeqCst);
                let shared = shared.clone();
                let spawned = std::thread::Builder::new()
                    .name(format!("conn-{id}"))
                    .spawn(move || handle(&shared, stream, id));
                if let Err(e) = spawned {
                    log(format_args!("cannot start a thread for a connection: {e}"));
                }
            }
            Err(e) => {
                log(format_args!("accept: {e}"));
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }
    // Only remove the socket if it is still ours.
    if std::fs::metadata(&socket).map(|m| (m.dev(), m.ino())).ok() == inode {
        let _ = std::fs::remove_file(&socket);
    }
    // Wait for commands in progress: each one is flushed before it is answered.
    let _quiesce = shared.service.write().unwrap_or_else(|e| e.into_inner());
    log("stopped");
    Ok(())
}

/// The user name and group names of a uid, from the system's databases.
fn identify(uid: u32) -> (String, Vec<String>) {
    use nix::unistd::{getgrouplist, Group, Uid, User};
    let Ok(Some(user)) = User::from_uid(Uid::from_raw(uid)) else {
        return (format!("uid{uid}"), Vec::new());
    };
    let gids = std::ffi::CString::new(user.name.clone())
        .ok()
        .and_then(|c| getgrouplist(&c, user.gid).ok())
        .unwrap_or_else(|| vec![user.gid]);
    let mut names: Vec<String> = gids
        .into_iter()
        .filter_map(|g| Group::from_gid(g).ok().flatten().map(|g| g.name))
        .collect();
    names.sort();
    names.dedup();
    (user.name, names)
}

/// Read a request: wait as long as needed for it to start, then give the rest of
/// the frame [`HANDSHAKE_TIMEOUT`] to arrive.
fn read_request(stream: &UnixStream) -> std::result::Result<Option<Vec<u8>>, FrameError> {
    let mut r = stream;
    let mut first = [0u8; 1];
    loop {
        match r.read(&mut first) {
            Ok(0) => return Ok(None),
            Ok(_) => break,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e.into()),
        }
    }
    stream.set_read_timeout(Some(HANDSHAKE_TIMEOUT))?;
    let mut rest = [0u8; 3];
    r.read_exact(&mut rest)?;
    let len = u32::from_be_bytes([first[0], rest[0], rest[1], rest[2]]);
    let body = read_body(&mut r, len, MAX_FRAME)?;
    stream.set_read_timeout(None)?;
    Ok(Some(body))
}

fn refuse(stream: &UnixStream, reason: Error) {
    let _ = stream.set_write_timeout(Some(WRITE_TIMEOUT));
    let _ = write_msg(&mut &*stream, &ServerMsg::Refused { reason });
}

fn protocol_error(detail: impl std::fmt::Display) -> Error {
    Error::Protocol {
        detail: detail.to_string(),
    }
}

/// The handshake: the first frame must be a `Hello` of our protocol version.
fn handshake(stream: &UnixStream, who: &str) -> Option<()> {
    let _ = stream.set_read_timeout(Some(HANDSHAKE_TIMEOUT));
    let first = match read_frame(&mut &*stream, MAX_FRAME) {
        Ok(Some(b)) => b,
        Ok(None) => return None,
        Err(e) => {
            log(format_args!("{who}: handshake: {e}"));
            if let FrameError::TooLarge(_) = e {
                refuse(stream, protocol_error(e));
            }
            return None;
        }
    };
    let value: serde_json::Value = match serde_json::from_slice(&first) {
        Ok(v) => v,
        Err(e) => {
            log(format_args!("{who}: handshake: {e}"));
            refuse(stream, protocol_error(format!("expected hello: {e}")));
            return None;
        }
    };
    if value["type"] == "hello" {
        if let Some(p) = value["protocol"].as_u64().filter(|p| *p != PROTOCOL_VERSION as u64) {
            log(format_args!(
                "{who}: refused: protocol {p}, this server speaks {PROTOCOL_VERSION}"
            ));
            refuse(
                stream,
                Error::Version {
                    client: u32::try_from(p).unwrap_or(u32::MAX),
                    server: PROTOCOL_VERSION,
                    server_version: env!("CARGO_PKG_VERSION").into(),
                },
            );
            return None;
        }
    }
    match serde_json::from_value::<ClientMsg>(value) {
        Ok(ClientMsg::Hello { .. }) => Some(()),
        Ok(_) => {
            refuse(stream, protocol_error("the first message must be hello"));
            None
        }
        Err(e) => {
            log(format_args!("{who}: refused: {e}"));
            refuse(stream, protocol_error(e));
            None
        }
    }
}

fn handle(shared: &Shared, stream: UnixStream, conn: u64) {
    use nix::sys::socket::{getsockopt, sockopt::PeerCredentials};
    let cred = match getsockopt(&stream, PeerCredentials) {
        Ok(c) => c,
        Err(e) => {
            log(format_args!("connection {conn}: no peer credentials: {e}"));
            return;
        }
    };
    let (uid, pid) = (cred.uid(), cred.pid());
    let who = format!("connection {conn} (uid {uid}, pid {pid})");
    if handshake(&stream, &who).is_none() {
        return;
    }
    let (name, groups) = identify(uid);
    shared.reload_config();
    let (actor, db) = {
        let s = shared.read();
        let roles = s.config().roles_for(&name, &groups, s.creator());
        (Actor { name, roles }, s.dir().display().to_string())
    };
    if actor.roles.is_empty() {
        log(format_args!("{who}: refused {}: no role in config.toml", actor.name));
        refuse(
            &stream,
            Error::NoRole {
                user: actor.name,
                uid,
                db,
            },
        );
        return;
    }
    let (Ok(wstream), Ok(cut)) = (stream.try_clone(), stream.try_clone()) else {
        return;
    };
    let _ = wstream.set_write_timeout(Some(WRITE_TIMEOUT));
    let (tx, rx) = mpsc::sync_channel::<ServerMsg>(QUEUE);
    {
        let mut conns = shared.conns.lock().unwrap_or_else(|e| e.into_inner());
        if conns.len() >= MAX_CONNECTIONS {
            drop(conns);
            log(format_args!("{who}: refused: {MAX_CONNECTIONS} connections already"));
            refuse(&stream, protocol_error("the server has too many connections"));
            return;
        }
        conns.insert(
            conn,
            Conn {
                info: Connection {
                    user: actor.name.clone(),
                    uid,
                    pid,
                    since: Utc::now(),
                    subscribed: false,
                    requests: 0,
                },
                push: None,
                stream: cut,
            },
        );
    }
    let writer = std::thread::spawn(move || {
        let mut w = wstream;
        for msg in rx {
            if let Err(e) = write_msg(&mut w, &msg) {
                let _ = w.shutdown(std::net::Shutdown::Both);
                return Some(e);
            }
        }
        None
    });
    let _ = tx.send(ServerMsg::Welcome {
        user: actor.name.clone(),
        roles: actor.roles.clone(),
        server_version: env!("CARGO_PKG_VERSION").into(),
        protocol: PROTOCOL_VERSION,
        db,
    });
    let _ = stream.set_read_timeout(None);
    serve_connection(shared, &stream, conn, &who, &actor, &tx);
    shared.conns.lock().unwrap_or_else(|e| e.into_inner()).remove(&conn);
    drop(tx);
    if let Ok(Some(e)) = writer.join() {
        log(format_args!("{who}: {}", e.message()));
    }
    let _ = stream.shutdown(std::net::Shutdown::Both);
}

fn serve_connection(
    shared: &Shared,
    stream: &UnixStream,
    conn: u64,
    who: &str,
    actor: &Actor,
    tx: &SyncSender<ServerMsg>,
) {
    let reply = |id: u64, result: Result<Payload>| tx.send(ServerMsg::Reply { id, result }).is_ok();
    // An import in progress on this connection (dropped, it rolls back).
    let mut import: Option<crate::service::ImportSession> = None;
    loop {
        // A client that stops sending in the middle of an import must not keep
        // every other writer waiting: the import is rolled back after a while.
        let _ = stream.set_read_timeout(import.as_ref().map(|_| IMPORT_IDLE));
        let body = match read_request(stream) {
            Ok(Some(b)) => b,
            Ok(None) => return,
            Err(e) => {
                log(format_args!("{who}: {e}; closing"));
                if let FrameError::TooLarge(_) = e {
                    let _ = tx.send(ServerMsg::Refused {
                        reason: protocol_error(e),
                    });
                }
                return;
            }
        };
        let msg: ClientMsg = match serde_json::from_slice(&body) {
            Ok(m) => m,
            Err(e) => {
                log(format_args!("{who}: malformed message: {e}; closing"));
                let _ = tx.send(ServerMsg::Refused {
                    reason: protocol_error(format!("malformed message: {e}")),
                });
                return;
            }
        };
        if let Some(c) = shared.conns.lock().unwrap_or_else(|e| e.into_inner()).get_mut(&conn) {
            c.info.requests += 1;
            if msg == ClientMsg::Subscribe {
                c.info.subscribed = true;
                c.push = Some(tx.clone());
            }
        }
        let ok = match msg {
            ClientMsg::Hello { .. } => {
                let _ = tx.send(ServerMsg::Refused {
                    reason: protocol_error("hello twice"),
                });
                false
            }
            ClientMsg::Execute { id, .. } | ClientMsg::Query { id, .. } | ClientMsg::Status { id }
                if import.is_some() =>
            {
                reply(
                    id,
                    Err(protocol_error(
                        "an import is in progress on this connection; finish it first",
                    )),
                )
            }
            ClientMsg::ImportAbort { id } => {
                let summary = import.as_ref().map(|s| s.report().summary()).unwrap_or_default();
                // Dropping the session rolls it back.
                import = None;
                reply(
                    id,
                    Ok(Payload::Outcome(crate::service::Outcome {
                        entity: String::new(),
                        rev: None,
                        seq: 0,
                        summary,
                    })),
                )
            }
            ClientMsg::Import {
                id,
                items,
                dry_run,
                finish,
            } => {
                if import.is_none() {
                    shared.recover_writes();
                }
                let result = import_batch(shared, actor, &mut import, items, dry_run, finish);
                shared.note(&result);
                if result.is_err() {
                    import = None;
                }
                reply(id, result.map(Payload::Outcome))
            }
            ClientMsg::Execute { id, cmd, expect_rev } => {
                let action = cmd.name();
                shared.recover_writes();
                let result = shared.read().execute(actor, cmd, expect_rev);
                shared.note(&result);
                if let Ok(o) = &result {
                    shared.broadcast(&Changed {
                        seq: o.seq,
                        entities: vec![o.entity.clone()],
                        actor: actor.name.clone(),
                        action: action.to_string(),
                    });
                }
                reply(id, result.map(Payload::Outcome))
            }
            ClientMsg::Query { id, query } => {
                let result = shared.read().query(actor, query);
                reply(id, result.map(Payload::Answer))
            }
            ClientMsg::Status { id } => reply(id, check_status(actor).map(|()| Payload::Status(shared.status()))),
            ClientMsg::Subscribe => true,
        };
        if !ok {
            return;
        }
    }
}

/// How long an import waits for its client's next batch before rolling back.
const IMPORT_IDLE: std::time::Duration = std::time::Duration::from_secs(60);

/// One batch of a client's import: opens the session on the first, commits on `finish`.
fn import_batch(
    shared: &Shared,
    actor: &Actor,
    import: &mut Option<crate::service::ImportSession>,
    items: Vec<crate::service::ImportItem>,
    dry_run: bool,
    finish: bool,
) -> Result<crate::service::Outcome> {
    let session = match import {
        Some(s) if s.is_dry_run() != dry_run => {
            return Err(protocol_error("dry_run changed in the middle of an import"));
        }
        Some(s) => s,
        None => import.insert(shared.read().import_session(actor, dry_run)?),
    };
    session.add(items)?;
    if !finish {
        return Ok(crate::service::Outcome {
            entity: String::new(),
            rev: None,
            seq: 0,
            summary: session.report().summary(),
        });
    }
    let session = import.take().expect("the session was just used");
    let outcome = session.finish()?;
    if !dry_run && outcome.seq > 0 {
        shared.broadcast(&Changed {
            seq: outcome.seq,
            entities: vec!["import".to_string()],
            actor: actor.name.clone(),
            action: "request.import".to_string(),
        });
    }
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_holder_text_names_the_socket() {
        let sock = Path::new("/run/beian/beian.sock");
        assert_eq!(socket_of_holder(&holder_text(sock)).as_deref(), Some(sock));
        assert_eq!(socket_of_holder("pid 12 (wang), beian plan list"), None);
        assert_eq!(socket_of_holder("beian serve (pid 1, x) at relative.sock"), None);
    }
}
