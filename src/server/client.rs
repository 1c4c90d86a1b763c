//! [`Remote`]: a [`Backend`] that sends every command and query to `beian serve`.
//!
//! One reader thread takes every frame the server sends: replies go to the caller
//! waiting for that request id, [`Changed`] pushes to the subscribers. When the
//! connection drops, every waiting caller gets [`Error::Disconnected`] — or the
//! reason the server gave when it closed the connection itself.
//!
//! Before a byte is sent, the client asks the kernel who is listening
//! (SO_PEERCRED) and talks only to the expected user ([`expected_server`]): a
//! socket put in the server's place by someone else gets nothing, not even a
//! confidential report.

use std::collections::HashMap;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};

use super::protocol::{encode, hello, read_frame, ClientMsg, Payload, ServerMsg, MAX_FRAME, MAX_SERVER_FRAME};
use super::{Changed, StatusReport, HANDSHAKE_TIMEOUT};
use crate::error::{Error, Result};
use crate::model::Actor;
use crate::service::{unexpected, Answer, Backend, Command, ImportItem, ImportSink, Outcome, Query};

#[derive(Default)]
struct Pending {
    waiting: HashMap<u64, Sender<Result<Payload>>>,
    /// Why the connection ended, once it has: the server's reason when it
    /// closed it with one, else what the reader saw.
    closed: Option<Closed>,
}

#[derive(Clone)]
enum Closed {
    Refused(Error),
    Lost(String),
}

/// The user the server must run as, and why beian expects that one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected {
    pub uid: u32,
    /// `env` (BEIAN_SERVER_USER), `db` (the data directory's owner), `dir` (the
    /// owner of the socket's directory) or `self` (a shared directory: only
    /// this user's own server).
    pub basis: &'static str,
    pub path: String,
}

/// Who the server at `socket` must be: `BEIAN_SERVER_USER` (a user name or
/// uid) when set; else the owner of `data_dir` when the caller names the
/// database it means; else the owner of the socket's directory — unless others
/// may write there (a sticky directory such as /tmp), where only a server of
/// this user's own is trusted.
pub fn expected_server(socket: &Path, data_dir: Option<&Path>) -> Result<Expected> {
    use std::os::unix::fs::MetadataExt;
    if let Some(v) = std::env::var_os("BEIAN_SERVER_USER").filter(|v| !v.is_empty()) {
        let v = v.to_string_lossy().into_owned();
        let uid = match v.parse::<u32>() {
            Ok(uid) => Some(uid),
            Err(_) => nix::unistd::User::from_name(&v).ok().flatten().map(|u| u.uid.as_raw()),
        };
        return match uid {
            Some(uid) => Ok(Expected {
                uid,
                basis: "env",
                path: String::new(),
            }),
            None => Err(Error::input(
                "BEIAN_SERVER_USER",
                &v,
                &crate::i18n::t("expected.user", &[]),
            )),
        };
    }
    if let Some(m) = data_dir.and_then(|d| std::fs::metadata(d).ok().map(|m| (d, m))) {
        return Ok(Expected {
            uid: m.1.uid(),
            basis: "db",
            path: m.0.display().to_string(),
        });
    }
    let dir = socket.parent().unwrap_or(Path::new("/"));
    let meta = std::fs::metadata(dir).map_err(|e| Error::io(dir, e))?;
    if meta.mode() & 0o022 != 0 {
        return Ok(Expected {
            uid: nix::unistd::getuid().as_raw(),
            basis: "self",
            path: dir.display().to_string(),
        });
    }
    Ok(Expected {
        uid: meta.uid(),
        basis: "dir",
        path: dir.display().to_string(),
    })
}

fn user_name(uid: u32) -> String {
    nix::unistd::User::from_uid(nix::unistd::Uid::from_raw(uid))
        .ok()
        .flatten()
        .map(|u| u.name)
        .unwrap_or_else(|| format!("uid{uid}"))
}

/// Refuse a server that runs as someone else than `expected`.
fn check_server(stream: &UnixStream, socket: &Path, expected: &Expected) -> Result<()> {
    use nix::sys::socket::{getsockopt, sockopt::PeerCredentials};
    let cred = getsockopt(stream, PeerCredentials).map_err(|e| Error::io(socket, e))?;
    if cred.uid() == expected.uid {
        return Ok(());
    }
    Err(Error::WrongServer {
        socket: socket.display().to_string(),
        found: cred.uid(),
        expected: expected.uid,
        basis: expected.basis.into(),
        basis_path: expected.path.clone(),
    })
}

/// What a failed `connect` means for this user: nobody listens (a server to
/// start, by this user if the database is theirs, else by its owner), or the
/// kernel refused this user (the socket's group).
fn connect_error(socket: &Path, data_dir: Option<&Path>, e: std::io::Error) -> Error {
    use std::io::ErrorKind;
    use std::os::unix::fs::MetadataExt;
    let dir = socket.parent().unwrap_or(Path::new("/"));
    match e.kind() {
        ErrorKind::PermissionDenied => {
            let group = std::fs::metadata(socket)
                .ok()
                .and_then(|m| {
                    nix::unistd::Group::from_gid(nix::unistd::Gid::from_raw(m.gid()))
                        .ok()
                        .flatten()
                        .map(|g| g.name)
                        .or_else(|| Some(format!("gid {}", m.gid())))
                })
                .unwrap_or_default();
            Error::SocketDenied {
                socket: socket.display().to_string(),
                user: crate::config::os_user_name(),
                group,
                dir: dir.display().to_string(),
            }
        }
        ErrorKind::NotFound | ErrorKind::ConnectionRefused => {
            // Whoever may write the database may serve it; anyone else asks.
            use nix::unistd::{access, AccessFlags};
            let place = data_dir.filter(|d| d.exists()).unwrap_or(dir);
            let mine = access(place, AccessFlags::W_OK | AccessFlags::X_OK).is_ok();
            if mine {
                Error::NoServer {
                    socket: socket.display().to_string(),
                }
            } else {
                let owner = std::fs::metadata(place)
                    .map(|m| user_name(m.uid()))
                    .unwrap_or_else(|_| "?".into());
                Error::ServerDown {
                    socket: socket.display().to_string(),
                    db: place.display().to_string(),
                    owner,
                }
            }
        }
        _ => Error::io(socket, e),
    }
}

struct Inner {
    pending: Mutex<Pending>,
    /// Signalled when the connection has ended (`Pending::closed` set).
    ended: std::sync::Condvar,
    subscribers: Mutex<Vec<Sender<Changed>>>,
}

/// A connection to `beian serve`.
pub struct Remote {
    socket: PathBuf,
    /// Who the server says acts on this connection (the kernel's user, or the
    /// demo person it acts as after [`Backend::act_as`]).
    actor: std::sync::RwLock<Actor>,
    db: String,
    server_version: String,
    writer: Mutex<UnixStream>,
    inner: Arc<Inner>,
    next_id: AtomicU64,
    subscribed: AtomicBool,
}

impl Remote {
    /// Connect and shake hands. A server that refuses (another protocol version,
    /// no role, a limit) gives its reason as the error. The server must run as
    /// [`expected_server`] says (without a data directory).
    pub fn connect(socket: &Path) -> Result<Remote> {
        Remote::connect_to(socket, None)
    }

    /// Connect to the server of the database in `data_dir` (its owner is the
    /// server's user, unless `BEIAN_SERVER_USER` says otherwise).
    pub fn connect_to(socket: &Path, data_dir: Option<&Path>) -> Result<Remote> {
        let io = |e: std::io::Error| Error::io(socket, e);
        let stream = UnixStream::connect(socket).map_err(|e| connect_error(socket, data_dir, e))?;
        // Nothing is sent before the kernel says who listens.
        check_server(&stream, socket, &expected_server(socket, data_dir)?)?;
        stream.set_read_timeout(Some(HANDSHAKE_TIMEOUT)).map_err(io)?;
        stream.set_write_timeout(Some(HANDSHAKE_TIMEOUT)).map_err(io)?;
        let disconnected = |detail: String| Error::Disconnected {
            socket: socket.display().to_string(),
            detail,
        };
        send_frame(&stream, &hello()).map_err(|e| match e {
            Error::Protocol { detail } => disconnected(detail),
            e => e,
        })?;
        let first = match read_frame(&mut &stream, MAX_SERVER_FRAME) {
            Ok(Some(b)) => b,
            Ok(None) => return Err(disconnected("closed during the handshake".into())),
            Err(e) => return Err(disconnected(e.to_string())),
        };
        let msg: ServerMsg = serde_json::from_slice(&first).map_err(|e| Error::Protocol {
            detail: format!("handshake: {e}"),
        })?;
        let (actor, db, server_version) = match msg {
            ServerMsg::Welcome {
                user,
                roles,
                server_version,
                db,
                ..
            } => (
                Actor {
                    name: user,
                    roles,
                    via: None,
                },
                db,
                server_version,
            ),
            ServerMsg::Refused { reason } => return Err(reason),
            other => {
                return Err(Error::Protocol {
                    detail: format!("handshake: unexpected {other:?}"),
                })
            }
        };
        stream.set_read_timeout(None).map_err(io)?;
        stream.set_write_timeout(None).map_err(io)?;
        let inner = Arc::new(Inner {
            pending: Mutex::new(Pending::default()),
            ended: std::sync::Condvar::new(),
            subscribers: Mutex::new(Vec::new()),
        });
        let reader = stream.try_clone().map_err(io)?;
        {
            let inner = inner.clone();
            std::thread::Builder::new()
                .name("beian-client-reader".into())
                .spawn(move || read_loop(reader, &inner))
                .map_err(io)?;
        }
        Ok(Remote {
            socket: socket.to_path_buf(),
            actor: std::sync::RwLock::new(actor),
            db,
            server_version,
            writer: Mutex::new(stream),
            inner,
            next_id: AtomicU64::new(1),
            subscribed: AtomicBool::new(false),
        })
    }

    /// The data directory the server serves.
    pub fn db(&self) -> &str {
        &self.db
    }

    pub fn socket(&self) -> &Path {
        &self.socket
    }

    pub fn server_version(&self) -> &str {
        &self.server_version
    }

    fn lost(&self, detail: impl Into<String>) -> Error {
        Error::Disconnected {
            socket: self.socket.display().to_string(),
            detail: detail.into(),
        }
    }

    fn send(&self, msg: &ClientMsg) -> Result<()> {
        let w = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        send_frame(&w, msg).map_err(|e| match e {
            Error::Protocol { detail } => self.closed_error(detail),
            e => e,
        })
    }

    /// Why the connection is gone: the server's reason when it gave one (the
    /// write failed because it had closed the connection), else `detail`.
    fn closed_error(&self, detail: String) -> Error {
        // The reader may still be taking the server's last message.
        let p = self.inner.pending.lock().unwrap_or_else(|e| e.into_inner());
        let (p, _) = self
            .inner
            .ended
            .wait_timeout_while(p, std::time::Duration::from_millis(500), |p| p.closed.is_none())
            .unwrap_or_else(|e| e.into_inner());
        match &p.closed {
            Some(Closed::Refused(e)) => e.clone(),
            _ => self.lost(detail),
        }
    }

    fn gone(&self, closed: Option<Closed>) -> Error {
        match closed {
            Some(Closed::Refused(e)) => e,
            Some(Closed::Lost(why)) => self.lost(why),
            None => self.lost("closed"),
        }
    }

    /// Send a request and wait for its reply.
    fn request(&self, make: impl FnOnce(u64) -> ClientMsg) -> Result<Payload> {
        let id = self.next_id.fetch_add(1, Ordering::SeqCst);
        let (tx, rx) = mpsc::channel();
        {
            let mut p = self.inner.pending.lock().unwrap_or_else(|e| e.into_inner());
            if p.closed.is_some() {
                let closed = p.closed.clone();
                drop(p);
                return Err(self.gone(closed));
            }
            p.waiting.insert(id, tx);
        }
        if let Err(e) = self.send(&make(id)) {
            self.inner
                .pending
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .waiting
                .remove(&id);
            return Err(e);
        }
        match rx.recv() {
            Ok(r) => r,
            Err(_) => {
                let closed = self
                    .inner
                    .pending
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .closed
                    .clone();
                Err(self.gone(closed))
            }
        }
    }

    /// Receive every change committed from now on (by anyone). The first call
    /// subscribes the connection.
    pub fn subscribe(&self) -> Result<Receiver<Changed>> {
        let (tx, rx) = mpsc::channel();
        self.inner
            .subscribers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(tx);
        if !self.subscribed.swap(true, Ordering::SeqCst) {
            self.send(&ClientMsg::Subscribe)?;
        }
        Ok(rx)
    }

    /// Send raw bytes (tests of a misbehaving client).
    #[doc(hidden)]
    pub fn send_raw(&self, bytes: &[u8]) -> Result<()> {
        use std::io::Write;
        let mut w = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        w.write_all(bytes).map_err(|e| self.lost(e.to_string()))
    }
}

impl Drop for Remote {
    fn drop(&mut self) {
        let w = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        let _ = w.shutdown(std::net::Shutdown::Both);
    }
}

/// Send one message as a frame, refusing one larger than the server takes
/// before a byte of it is written (the server would cut the connection
/// half-way, and the caller would only see a broken pipe).
fn send_frame(mut w: &UnixStream, msg: &ClientMsg) -> Result<()> {
    use std::io::Write;
    let frame = encode(msg)?;
    let size = (frame.len() - 4) as u64;
    if size > u64::from(MAX_FRAME) {
        return Err(Error::TooLarge {
            size,
            limit: u64::from(MAX_FRAME),
        });
    }
    w.write_all(&frame)
        .and_then(|()| w.flush())
        .map_err(|e| Error::Protocol { detail: e.to_string() })
}

fn read_loop(stream: UnixStream, inner: &Inner) {
    let lost = |s: String| Closed::Lost(s);
    let why = loop {
        let body = match super::protocol::read_server_frame(&mut &stream) {
            Ok(Some(b)) => b,
            Ok(None) => break lost("the server closed the connection".to_string()),
            Err(e) => break lost(e.to_string()),
        };
        let msg = match super::protocol::parse_server_msg(&body) {
            Ok(m) => m,
            Err(e) => break lost(e.message()),
        };
        drop(body);
        match msg {
            ServerMsg::Reply { id, result } => {
                let tx = inner
                    .pending
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .waiting
                    .remove(&id);
                if let Some(tx) = tx {
                    let _ = tx.send(result);
                }
            }
            ServerMsg::Changed(c) => {
                inner
                    .subscribers
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .retain(|s| s.send(c.clone()).is_ok());
            }
            ServerMsg::Refused { reason } => break Closed::Refused(reason),
            ServerMsg::Welcome { .. } => break lost("a second welcome".to_string()),
        }
    };
    let mut p = inner.pending.lock().unwrap_or_else(|e| e.into_inner());
    p.closed = Some(why);
    // Dropping the senders wakes every caller still waiting.
    p.waiting.clear();
    drop(p);
    inner.ended.notify_all();
    inner.subscribers.lock().unwrap_or_else(|e| e.into_inner()).clear();
}

/// The raw bytes of one upload frame: 4 MiB, under [`super::protocol::MAX_FRAME`]
/// once base64 (4/3) and the JSON around it are added.
pub const UPLOAD_PIECE: usize = 4 << 20;

/// An import sent to the server batch by batch.
struct RemoteImport<'a> {
    remote: &'a Remote,
    dry_run: bool,
    /// Finished, or never started: nothing to give up on drop.
    done: bool,
}

impl RemoteImport<'_> {
    fn send(&self, items: Vec<ImportItem>, finish: bool) -> Result<Outcome> {
        let dry_run = self.dry_run;
        match self.remote.request(|id| ClientMsg::Import {
            id,
            items,
            dry_run,
            finish,
        })? {
            Payload::Outcome(o) => Ok(o),
            other => Err(Error::Protocol {
                detail: format!("expected an outcome, got {other:?}"),
            }),
        }
    }
}

impl ImportSink for RemoteImport<'_> {
    fn add(&mut self, items: Vec<ImportItem>) -> Result<()> {
        let r = self.send(items, false).map(|_| ());
        if r.is_err() {
            // The server dropped the import with the error.
            self.done = true;
        }
        r
    }

    fn finish(mut self: Box<Self>) -> Result<Outcome> {
        self.done = true;
        self.send(Vec::new(), true)
    }
}

/// An import given up (an error while reading the file): the server rolls it
/// back before the caller goes on, so nobody sees it half there afterwards.
impl Drop for RemoteImport<'_> {
    fn drop(&mut self) {
        if !self.done {
            let _ = self.remote.request(|id| ClientMsg::ImportAbort { id });
        }
    }
}

impl Backend for Remote {
    fn actor(&self) -> Actor {
        self.actor.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Asks the server, which decides from the kernel's uid of this connection.
    fn act_as(&self, person: &str) -> Result<crate::service::WhoamiInfo> {
        let person = person.to_string();
        match self.request(|id| ClientMsg::ActAs { id, person })? {
            Payload::Answer(Answer::Whoami(w)) => {
                *self.actor.write().unwrap_or_else(|e| e.into_inner()) = Actor {
                    name: w.user.clone(),
                    roles: w.roles.clone(),
                    via: w.via.clone(),
                };
                Ok(w)
            }
            Payload::Answer(a) => Err(unexpected(a)),
            other => Err(Error::Protocol {
                detail: format!("expected who acts, got {other:?}"),
            }),
        }
    }

    fn import(&self, dry_run: bool) -> Result<Box<dyn ImportSink + '_>> {
        Ok(Box::new(RemoteImport {
            remote: self,
            dry_run,
            done: false,
        }))
    }

    fn execute(&self, cmd: Command, expect_rev: Option<u64>) -> Result<Outcome> {
        // Attached files go ahead in pieces that fit a frame (protocol 9).
        if let Command::Attach { files, .. } = &cmd {
            for f in files {
                let bytes = f.content.bytes();
                let mut offset = 0usize;
                loop {
                    let end = (offset + UPLOAD_PIECE).min(bytes.len());
                    let data = crate::model::Content::new(bytes[offset..end].to_vec());
                    self.request(|id| ClientMsg::Upload {
                        id,
                        name: f.name.clone(),
                        sha256: f.sha256.clone(),
                        size: f.size,
                        offset: offset as u64,
                        data,
                    })?;
                    offset = end;
                    if offset >= bytes.len() {
                        break;
                    }
                }
            }
        }
        match self.request(|id| ClientMsg::Execute { id, cmd, expect_rev })? {
            Payload::Outcome(o) => Ok(o),
            other => Err(Error::Protocol {
                detail: format!("expected an outcome, got {other:?}"),
            }),
        }
    }

    fn query(&self, query: Query) -> Result<Answer> {
        match self.request(|id| ClientMsg::Query { id, query })? {
            Payload::Answer(a) => Ok(a),
            other => Err(Error::Protocol {
                detail: format!("expected an answer, got {other:?}"),
            }),
        }
    }

    fn location(&self) -> String {
        self.socket.display().to_string()
    }

    fn server_status(&self) -> Result<StatusReport> {
        match self.request(|id| ClientMsg::Status { id })? {
            Payload::Status(s) => Ok(s),
            Payload::Answer(a) => Err(unexpected(a)),
            other => Err(Error::Protocol {
                detail: format!("expected a status, got {other:?}"),
            }),
        }
    }

    fn is_remote(&self) -> bool {
        true
    }

    fn subscribe(&self) -> Option<Receiver<Changed>> {
        Remote::subscribe(self).ok()
    }
}
