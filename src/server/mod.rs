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
//!
//! Nobody can hold the server for everyone else (`[server]` in config.toml):
//! one user holds at most `max_connections_per_user` connections, and the last
//! [`ADMIN_RESERVED`] of `max_connections` are for admins, so that `beian status`
//! answers them; a connection that neither sends nor subscribed is closed after
//! `idle_timeout_secs`; an import is rolled back when its client goes silent for
//! `import_idle_secs` or it runs past `import_max_secs`, and writers wait at
//! most `import_wait_secs` behind it (service/import.rs).
//!
//! The socket lives in a directory only the server's user may write to (a
//! root-owned sticky directory such as /tmp excepted), claimed with a lock
//! beside it (`<socket>.lock`) so that two servers never share one path.

pub mod autostart;
pub mod client;
mod mail;
pub mod protocol;
pub mod rows;

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

use crate::config::{ServerLimits, ADMIN_RESERVED};
use crate::error::{Error, Result};
use crate::i18n::t;
use crate::model::{Actor, Role, Time};
use crate::service::{Answer, Query, Service};
use crate::workflow::{self as wf, Op};
use protocol::{read_body, read_frame, write_msg, ClientMsg, FrameError, Payload, ServerMsg, MAX_FRAME};

/// How long a new connection may take to say hello, and a started frame to arrive.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a connection that is refused anyway (over a limit) may take to say
/// hello before it is told so.
const REFUSED_HANDSHAKE: Duration = Duration::from_secs(2);
/// How long a write to a client may block before the client is dropped.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);
/// Messages waiting for one client before it counts as too slow.
const QUEUE: usize = 1024;

/// Where and how to serve.
#[derive(Debug, Clone)]
pub struct Options {
    /// The data directory.
    pub db: PathBuf,
    pub socket: PathBuf,
    /// Give the socket to this group (the operators), mode 0660.
    pub socket_group: Option<String>,
    /// Exit after `[server] idle_exit_secs` without a client (a server started
    /// on demand, `beian serve --idle-exit`).
    pub idle_exit: bool,
    /// Started on demand by a client ([`autostart`]): leave the client's
    /// session, and when another server already holds the database, exit
    /// quietly (the client connects to that one).
    pub detached: bool,
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

/// The holder text of a server started on demand: `auto` marks it, so that an
/// offline command (`beian compact`) may ask it to stop when it has no clients.
pub fn auto_holder_text(socket: &Path) -> String {
    format!(
        "beian serve (pid {}, {}, {AUTO}) at {}",
        std::process::id(),
        crate::config::os_user_name(),
        socket.display()
    )
}

/// The mark of [`auto_holder_text`].
const AUTO: &str = "started on demand";

/// The pid named by a holder text of a server, and whether it was started on demand.
pub fn server_of_holder(holder: &str) -> Option<(u32, bool)> {
    let rest = holder.strip_prefix("beian serve (pid ")?;
    let (inside, _) = rest.split_once(") at ")?;
    let pid = inside.split(',').next()?.trim().parse().ok()?;
    Some((pid, inside.ends_with(AUTO)))
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
    /// Counted from the moment it is accepted, hello or not.
    admin: bool,
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
        let loaded = self.read().load_config();
        let config = match loaded {
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
            writes: self.read().gate_status(),
        }
    }

    /// Take a connection of `actor` (uid `uid`) in, or say which limit refuses it.
    fn admit(
        &self,
        conn: u64,
        info: Connection,
        actor: &Actor,
        stream: UnixStream,
        limits: &ServerLimits,
    ) -> Option<Error> {
        let mut conns = self.conns.lock().unwrap_or_else(|e| e.into_inner());
        let admin = actor.roles.contains(&Role::Admin);
        let mine = conns.values().filter(|c| c.info.uid == info.uid).count();
        let others = conns.values().filter(|c| !c.admin).count();
        let too_many = |limit: u32, scope: &str| {
            Some(Error::TooManyConnections {
                user: actor.name.clone(),
                limit,
                scope: scope.into(),
            })
        };
        if mine >= limits.max_connections_per_user as usize {
            return too_many(limits.max_connections_per_user, "user");
        }
        let total = limits.max_connections as usize;
        let for_others = total.saturating_sub(ADMIN_RESERVED as usize);
        if conns.len() >= total || (!admin && others >= for_others) {
            return too_many(limits.max_connections, "server");
        }
        conns.insert(
            conn,
            Conn {
                info,
                admin,
                push: None,
                stream,
            },
        );
        None
    }
}

/// Check the socket's directory: create it (0700) when absent. It must belong to
/// this server's user and be writable by nobody else — a group member able to
/// write there could put a socket of their own in the server's place — and so
/// must every directory above it, unless that one is sticky (like /tmp). The
/// one exception for the directory itself is a root-owned sticky directory
/// such as /tmp, where nobody may remove or rename another user's file.
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
    let real = dir.canonicalize().map_err(|e| fail(e.to_string()))?;
    let meta = std::fs::metadata(&real).map_err(|e| fail(e.to_string()))?;
    let me = nix::unistd::geteuid().as_raw();
    if !meta.is_dir() {
        return Err(fail(t("server.dir.not_dir", &[])));
    }
    let mode = meta.mode() & 0o7777;
    let shared_tmp = meta.uid() == 0 && mode & 0o1000 != 0;
    if !shared_tmp {
        if meta.uid() != me {
            return Err(fail(t(
                "server.dir.owner",
                &[("uid", meta.uid().to_string()), ("me", me.to_string())],
            )));
        }
        if mode & 0o022 != 0 {
            return Err(fail(t("server.dir.writable", &[("mode", format!("{mode:o}"))])));
        }
    }
    for above in real.ancestors().skip(1) {
        let m = std::fs::metadata(above).map_err(|e| fail(format!("{}: {e}", above.display())))?;
        let mode = m.mode() & 0o7777;
        let owner_ok = m.uid() == 0 || m.uid() == me;
        if !owner_ok || (mode & 0o022 != 0 && mode & 0o1000 == 0) {
            return Err(fail(t(
                "server.dir.above",
                &[
                    ("path", above.display().to_string()),
                    ("uid", m.uid().to_string()),
                    ("mode", format!("{mode:o}")),
                ],
            )));
        }
    }
    Ok(())
}

/// The lock beside the socket (`<socket>.lock`): held for as long as the server
/// runs, so that a second server on the same path — started at the same moment,
/// or finding what it takes for a stale socket — is refused and told who holds
/// it. The file stays when the server stops (removing it would race with the
/// next server taking it).
fn claim(socket: &Path, db: &Path) -> Result<nix::fcntl::Flock<std::fs::File>> {
    use nix::fcntl::{Flock, FlockArg, OFlag};
    use std::io::{Seek, Write};
    use std::os::unix::fs::OpenOptionsExt;
    let path = PathBuf::from(format!("{}.lock", socket.display()));
    let fail = |detail: String| Error::Socket {
        path: socket.display().to_string(),
        detail,
    };
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .custom_flags(OFlag::O_NOFOLLOW.bits())
        .open(&path)
        .map_err(|e| fail(format!("{}: {e}", path.display())))?;
    match Flock::lock(file, FlockArg::LockExclusiveNonblock) {
        Ok(mut lock) => {
            let me = format!("{} for {}", holder_text(socket), db.display());
            let _ = lock.set_len(0);
            let _ = lock.rewind();
            let _ = lock.write_all(me.as_bytes());
            let _ = lock.sync_data();
            Ok(lock)
        }
        Err((mut file, _)) => {
            // The holder writes its name just after taking the lock: a server
            // started at the same moment waits a little for it to be there.
            let mut holder = String::new();
            for _ in 0..50 {
                holder.clear();
                let _ = file.rewind();
                let _ = file.read_to_string(&mut holder);
                if !holder.trim().is_empty() {
                    break;
                }
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            Err(fail(t(
                "server.socket.held",
                &[
                    ("holder", crate::sanitize::clean_line(holder.trim())),
                    ("lock", path.display().to_string()),
                ],
            )))
        }
    }
}

/// Bind the socket, replacing a stale one (a socket file nobody answers on).
fn bind(path: &Path) -> Result<UnixListener> {
    let fail = |detail: String| Error::Socket {
        path: path.display().to_string(),
        detail,
    };
    if let Ok(meta) = std::fs::symlink_metadata(path) {
        if !meta.file_type().is_socket() {
            return Err(fail(t("server.socket.not_socket", &[])));
        }
        if UnixStream::connect(path).is_ok() {
            return Err(fail(t("server.socket.answers", &[])));
        }
        log(format_args!("replacing the stale socket {}", path.display()));
        std::fs::remove_file(path).map_err(|e| fail(e.to_string()))?;
    }
    UnixListener::bind(path).map_err(|e| fail(e.to_string()))
}

/// Serve until SIGTERM or SIGINT. `ready` is called once the socket listens.
pub fn serve(opts: &Options, ready: impl FnOnce(&StatusReport)) -> Result<()> {
    if opts.detached {
        // Out of the session of the client that started it: closing that
        // terminal (or its SSH connection) does not end the server.
        let _ = nix::unistd::setsid();
    }
    let service = match open_for_serving(opts)? {
        Some(s) => s,
        None => return Ok(()),
    };
    let socket = std::path::absolute(&opts.socket).unwrap_or_else(|_| opts.socket.clone());
    let dir = socket.parent().unwrap_or(Path::new("/"));
    prepare_dir(dir)?;
    let _claim = claim(&socket, service.dir())?;
    // Name the server in owner.lock before anyone can connect, so that a client
    // that finds the database locked can always read where to go.
    service.store().set_holder(&if opts.detached {
        auto_holder_text(&socket)
    } else {
        holder_text(&socket)
    });
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
    let idle_exit = opts.idle_exit.then(|| service.config().server.idle_exit());
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
        let wake = listener.try_clone().map_err(|e| sock_fail(e.to_string()))?;
        std::thread::spawn(move || {
            if let Some(sig) = signals.forever().next() {
                log(format_args!("signal {sig}: stopping"));
                stop(&shared, &wake);
            }
        });
    }
    if let Some(idle) = idle_exit {
        let shared = shared.clone();
        let wake = listener.try_clone().map_err(|e| sock_fail(e.to_string()))?;
        std::thread::Builder::new()
            .name("idle-exit".into())
            .spawn(move || watch_idle(&shared, &wake, idle))
            .map_err(|e| sock_fail(format!("idle watch: {e}")))?;
    }
    log(format_args!(
        "serving {} at {} (pid {}, protocol {PROTOCOL_VERSION})",
        shared.read().dir().display(),
        socket.display(),
        std::process::id()
    ));
    mail::spawn(shared.clone());
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

/// Stop serving: the accept loop ends and the server exits once the commands
/// in progress are answered.
fn stop(shared: &Shared, wake: &UnixListener) {
    shared.stopping.store(true, Ordering::SeqCst);
    // Wake the accept loop by shutting the listening socket down: it needs no
    // path (the socket file may have been removed).
    use std::os::fd::AsRawFd;
    if let Err(e) = nix::sys::socket::shutdown(wake.as_raw_fd(), nix::sys::socket::Shutdown::Both) {
        log(format_args!("cannot wake the accept loop: {e}; exiting"));
        std::process::exit(1);
    }
}

/// A server started on demand: stop once nobody has been connected for `idle`.
/// A connection accepted but not yet counted (its handshake thread starting)
/// shows in `next_conn`, so it too keeps the server up.
fn watch_idle(shared: &Shared, wake: &UnixListener, idle: Duration) {
    let tick = (idle / 4).clamp(Duration::from_millis(50), Duration::from_secs(1));
    let mut since = Instant::now();
    let mut seen = shared.next_conn.load(Ordering::SeqCst);
    loop {
        std::thread::sleep(tick);
        if shared.stopping.load(Ordering::SeqCst) {
            return;
        }
        let conns = shared.conns.lock().unwrap_or_else(|e| e.into_inner());
        let accepted = shared.next_conn.load(Ordering::SeqCst);
        if !conns.is_empty() || accepted != seen {
            seen = accepted;
            since = Instant::now();
            continue;
        }
        if since.elapsed() >= idle {
            log(format_args!(
                "no client for {} s (idle_exit_secs in config.toml): stopping",
                idle.as_secs()
            ));
            stop(shared, wake);
            return;
        }
    }
}

/// Open the database to serve it. A server started on demand that finds it
/// held by another server steps aside (`None`: exit quietly, the client
/// connects to that one) — or, when that server does not answer yet (it is
/// starting, or stopping after its idle time), waits for it to answer or to
/// let go. A database held by anything else is the error it always was.
fn open_for_serving(opts: &Options) -> Result<Option<Service>> {
    let socket = std::path::absolute(&opts.socket).unwrap_or_else(|_| opts.socket.clone());
    crate::store::describe_as(if opts.detached {
        auto_holder_text(&socket)
    } else {
        holder_text(&socket)
    });
    let deadline = Instant::now() + Duration::from_secs(15);
    // A holder that is no server may be one whose text is not written yet.
    let other_deadline = Instant::now() + Duration::from_secs(1);
    loop {
        match Service::open(&opts.db) {
            Ok(s) => return Ok(Some(s)),
            Err(Error::Locked { path, holder }) if opts.detached => {
                let now = Instant::now();
                match socket_of_holder(&holder) {
                    Some(socket) if UnixStream::connect(&socket).is_ok() => {
                        log(format_args!("{path} is served by {holder}: nothing to do"));
                        return Ok(None);
                    }
                    Some(_) if now < deadline => {}
                    None if now < other_deadline => {}
                    _ => return Err(Error::Locked { path, holder }),
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(e) => return Err(e),
        }
    }
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

/// What the next read of a connection brought.
enum Next {
    Frame(Vec<u8>),
    /// The client closed the connection.
    Closed,
    /// Nothing arrived within the read timeout set on the stream.
    Silent,
}

/// Read a request: wait for it to start as long as the stream's read timeout
/// says (none: for ever), then give the rest of the frame [`HANDSHAKE_TIMEOUT`]
/// to arrive.
fn read_request(stream: &UnixStream) -> std::result::Result<Next, FrameError> {
    let mut r = stream;
    let mut first = [0u8; 1];
    loop {
        match r.read(&mut first) {
            Ok(0) => return Ok(Next::Closed),
            Ok(_) => break,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {
                return Ok(Next::Silent)
            }
            Err(e) => return Err(e.into()),
        }
    }
    stream.set_read_timeout(Some(HANDSHAKE_TIMEOUT))?;
    let mut rest = [0u8; 3];
    r.read_exact(&mut rest)?;
    let len = u32::from_be_bytes([first[0], rest[0], rest[1], rest[2]]);
    let body = read_body(&mut r, len, MAX_FRAME)?;
    stream.set_read_timeout(None)?;
    Ok(Next::Frame(body))
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

/// The handshake: the first frame must be a `Hello` of our protocol version,
/// within `timeout`.
fn handshake(stream: &UnixStream, who: &str, timeout: Duration) -> Option<()> {
    let _ = stream.set_read_timeout(Some(timeout));
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
    let (name, groups) = identify(uid);
    shared.reload_config();
    let (actor, db, limits) = {
        let s = shared.read();
        let roles = s.config().roles_for(&name, &groups, s.creator());
        (
            Actor { name, roles, via: None },
            s.dir().display().to_string(),
            s.config().server,
        )
    };
    // Counted from now, before the hello: a user cannot hold more than the
    // limit by never finishing the handshake either.
    let refusal = if actor.roles.is_empty() {
        log(format_args!("{who}: refused {}: no role in config.toml", actor.name));
        Some(Error::NoRole {
            user: actor.name.clone(),
            uid,
            db: db.clone(),
        })
    } else {
        let info = Connection {
            user: actor.name.clone(),
            uid,
            pid,
            since: Utc::now(),
            subscribed: false,
            requests: 0,
        };
        let Ok(cut) = stream.try_clone() else { return };
        let refused = shared.admit(conn, info, &actor, cut, &limits);
        if let Some(e) = &refused {
            log(format_args!("{who}: refused {}: {}", actor.name, e.message()));
        }
        refused
    };
    let timeout = if refusal.is_some() {
        REFUSED_HANDSHAKE
    } else {
        HANDSHAKE_TIMEOUT
    };
    let forget = || {
        shared.conns.lock().unwrap_or_else(|e| e.into_inner()).remove(&conn);
    };
    if handshake(&stream, &who, timeout).is_none() {
        forget();
        return;
    }
    if let Some(reason) = refusal {
        refuse(&stream, reason);
        return;
    }
    let Ok(wstream) = stream.try_clone() else {
        forget();
        return;
    };
    let _ = wstream.set_write_timeout(Some(WRITE_TIMEOUT));
    let (tx, rx) = mpsc::sync_channel::<ServerMsg>(QUEUE);
    let writer = std::thread::spawn(move || {
        let mut w = wstream;
        for msg in rx {
            if let Err(e) = protocol::write_server_msg(&mut w, &msg) {
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
    serve_connection(shared, &stream, conn, uid, &who, &actor, &limits, &tx);
    forget();
    drop(tx);
    if let Ok(Some(e)) = writer.join() {
        log(format_args!("{who}: {}", e.message()));
    }
    let _ = stream.shutdown(std::net::Shutdown::Both);
}

/// An import open on a connection, and when it started.
struct OpenImport {
    session: crate::service::ImportSession,
    started: Instant,
}

/// `uid` is the connection's user as the kernel reported it, `real` that user
/// with the roles of config.toml; `acting` is who acts on the connection —
/// `real`, or the demo person `real` acts as ([`ClientMsg::ActAs`]).
#[allow(clippy::too_many_arguments)]
fn serve_connection(
    shared: &Shared,
    stream: &UnixStream,
    conn: u64,
    uid: u32,
    who: &str,
    real: &Actor,
    limits: &ServerLimits,
    tx: &SyncSender<ServerMsg>,
) {
    let reply = |id: u64, result: Result<Payload>| tx.send(ServerMsg::Reply { id, result }).is_ok();
    let mut acting = real.clone();
    // An import in progress on this connection (dropped, it rolls back).
    let mut import: Option<OpenImport> = None;
    // Files sent ahead of an attach command (protocol 9), by SHA-256.
    let mut uploads = Uploads::default();
    let mut subscribed = false;
    loop {
        // How long to wait for the next request: an import must keep coming
        // (it holds every other writer) and must end in time; a subscriber (a
        // terminal UI) may wait for updates as long as it likes; anything else
        // that sends nothing is closed after a while.
        let wait = match &import {
            Some(i) => Some(
                limits
                    .import_idle()
                    .min(limits.import_max().saturating_sub(i.started.elapsed()))
                    .max(Duration::from_millis(1)),
            ),
            None if subscribed => None,
            None => Some(limits.idle_timeout()),
        };
        let _ = stream.set_read_timeout(wait);
        let waiting = Instant::now();
        let next = read_request(stream);
        // An import past its time is ended whatever arrived meanwhile.
        let overdue = import
            .as_ref()
            .is_some_and(|i| i.started.elapsed() >= limits.import_max());
        // The kernel's timeout may end up to a clock tick early: silence counts
        // once it has lasted as long as the limit.
        let silent_enough = waiting.elapsed()
            >= if import.is_some() {
                limits.import_idle()
            } else {
                limits.idle_timeout()
            };
        let body = match next {
            Ok(Next::Frame(b)) if !overdue => b,
            Ok(Next::Closed) => return,
            Ok(Next::Silent) if !overdue && !silent_enough => continue,
            Ok(Next::Frame(_) | Next::Silent) => {
                let reason = match import.take() {
                    Some(i) => {
                        let rows = i.session.rows as u64;
                        // Dropping the session rolls it back, before the client hears of it.
                        drop(i);
                        let (reason, secs) = if overdue {
                            ("too_long", limits.import_max_secs)
                        } else {
                            ("idle", limits.import_idle_secs)
                        };
                        log(format_args!(
                            "{who}: the import by {} rolled back ({reason}, {rows} rows)",
                            acting.audit_name()
                        ));
                        Error::ImportStopped {
                            reason: reason.into(),
                            secs,
                            rows,
                        }
                    }
                    None => {
                        log(format_args!(
                            "{who}: closed after {} s without a request",
                            limits.idle_timeout_secs
                        ));
                        Error::Idle {
                            secs: limits.idle_timeout_secs,
                        }
                    }
                };
                let _ = tx.send(ServerMsg::Refused { reason });
                return;
            }
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
            ClientMsg::Execute { id, .. }
            | ClientMsg::Query { id, .. }
            | ClientMsg::Status { id }
            | ClientMsg::ActAs { id, .. }
            | ClientMsg::Upload { id, .. }
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
                let summary = import
                    .as_ref()
                    .map(|i| i.session.report().summary())
                    .unwrap_or_default();
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
                let result = import_batch(shared, &acting, &mut import, items, dry_run, finish);
                shared.note(&result);
                if result.is_err() {
                    import = None;
                }
                reply(id, result.map(Payload::Outcome))
            }
            ClientMsg::Upload {
                id,
                name,
                sha256,
                size,
                offset,
                data,
            } => {
                let result = uploads.add(&shared.read(), &acting, &name, sha256, size, offset, data);
                if result.is_err() {
                    uploads = Uploads::default();
                }
                reply(
                    id,
                    result.map(|n| {
                        Payload::Outcome(crate::service::Outcome {
                            entity: String::new(),
                            rev: None,
                            seq: 0,
                            summary: n.to_string(),
                        })
                    }),
                )
            }
            ClientMsg::Execute {
                id,
                mut cmd,
                expect_rev,
            } => {
                let action = cmd.name();
                // The content of the files it attaches came ahead.
                let filled = uploads.fill(&mut cmd);
                uploads = Uploads::default();
                if let Err(e) = filled {
                    if !reply(id, Err(e)) {
                        return;
                    }
                    continue;
                }
                shared.recover_writes();
                let result = shared.read().execute(&acting, cmd, expect_rev);
                shared.note(&result);
                if let Ok(o) = &result {
                    shared.broadcast(&Changed {
                        seq: o.seq,
                        entities: vec![o.entity.clone()],
                        actor: acting.audit_name(),
                        action: action.to_string(),
                    });
                }
                reply(id, result.map(Payload::Outcome))
            }
            ClientMsg::Query { id, query } => {
                // A backup writes its audit events.
                let backup = matches!(query, Query::Backup { .. });
                if backup {
                    shared.recover_writes();
                }
                let result = shared.read().query(&acting, query);
                if backup {
                    shared.note(&result);
                }
                if let Ok(Answer::Backup(r)) = &result {
                    shared.broadcast(&Changed {
                        seq: r.seq,
                        entities: vec!["backup".to_string()],
                        actor: acting.audit_name(),
                        action: if r.removed.is_empty() {
                            "backup.write"
                        } else {
                            "backup.prune"
                        }
                        .to_string(),
                    });
                }
                reply(id, result.map(Payload::Answer))
            }
            ClientMsg::Status { id } => reply(id, check_status(real).map(|()| Payload::Status(shared.status()))),
            ClientMsg::Subscribe => {
                subscribed = true;
                true
            }
            ClientMsg::ActAs { id, person } => {
                shared.recover_writes();
                let result = shared.read().act_as(real, uid, &person);
                shared.note(&result);
                let result = match result {
                    Ok(next) => {
                        log(format_args!("{who}: {} acts as {}", real.name, next.name));
                        acting = next;
                        shared.read().query(&acting, Query::Whoami).map(Payload::Answer)
                    }
                    Err(e) => {
                        log(format_args!(
                            "{who}: {} may not act as {person:?}: {}",
                            real.name,
                            e.message()
                        ));
                        Err(e)
                    }
                };
                reply(id, result)
            }
        };
        if !ok {
            return;
        }
    }
}

/// Files sent ahead of an attach command on one connection, by SHA-256: kept
/// in memory only until the next `Execute` (nothing is stored before the
/// command is carried out), each at most the database's per-file limit, all
/// together at most [`UPLOADS_MAX_FILES`] of them.
#[derive(Default)]
struct Uploads {
    files: std::collections::HashMap<String, (u64, Vec<u8>)>,
}

/// How many files one attach command may send ahead.
const UPLOADS_MAX_FILES: usize = 16;

impl Uploads {
    /// Take one piece; returns the bytes received of that file so far.
    #[allow(clippy::too_many_arguments)]
    fn add(
        &mut self,
        service: &crate::service::Service,
        actor: &Actor,
        name: &str,
        sha256: String,
        size: u64,
        offset: u64,
        data: crate::model::Content,
    ) -> Result<u64> {
        // Only who may attach sends files, each within the limit.
        wf::check(actor, Op::AttachmentAdd)?;
        service.check_upload(name, size)?;
        if !self.files.contains_key(&sha256) && self.files.len() >= UPLOADS_MAX_FILES {
            return Err(protocol_error(format!(
                "more than {UPLOADS_MAX_FILES} files sent ahead of one command"
            )));
        }
        let (want, got) = self.files.entry(sha256).or_insert_with(|| (size, Vec::new()));
        if *want != size || got.len() as u64 != offset || offset + data.bytes().len() as u64 > size {
            return Err(protocol_error("an upload piece out of order or past the file's size"));
        }
        got.extend_from_slice(data.bytes());
        Ok(got.len() as u64)
    }

    /// Put the content sent ahead into the attach command's files.
    fn fill(&mut self, cmd: &mut crate::service::Command) -> Result<()> {
        let crate::service::Command::Attach { files, .. } = cmd else {
            return Ok(());
        };
        for f in files.iter_mut() {
            match self.files.get(&f.sha256) {
                Some((size, bytes)) if *size == bytes.len() as u64 => {
                    f.content = crate::model::Content::new(bytes.clone());
                }
                _ => {
                    return Err(protocol_error(format!(
                        "the content of {} was not sent ahead of the command",
                        crate::sanitize::clean_line(&f.name)
                    )))
                }
            }
        }
        Ok(())
    }
}

/// One batch of a client's import: opens the session on the first, commits on `finish`.
fn import_batch(
    shared: &Shared,
    actor: &Actor,
    import: &mut Option<OpenImport>,
    items: Vec<crate::service::ImportItem>,
    dry_run: bool,
    finish: bool,
) -> Result<crate::service::Outcome> {
    let session = match import {
        Some(i) if i.session.is_dry_run() != dry_run => {
            return Err(protocol_error("dry_run changed in the middle of an import"));
        }
        Some(i) => &mut i.session,
        None => {
            let session = shared.read().import_session(actor, dry_run)?;
            // Its time counts from when it holds the other writers.
            &mut import
                .insert(OpenImport {
                    session,
                    started: Instant::now(),
                })
                .session
        }
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
    let session = import.take().expect("the session was just used").session;
    let outcome = session.finish()?;
    if !dry_run && outcome.seq > 0 {
        shared.broadcast(&Changed {
            seq: outcome.seq,
            entities: vec!["import".to_string()],
            actor: actor.audit_name(),
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
