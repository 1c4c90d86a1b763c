//! The one error type every interface shows, with its exit code (README: exit codes).

use serde::{Deserialize, Serialize};

use crate::i18n::t;
use crate::workflow::RuleError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "snake_case", tag = "error")]
pub enum Error {
    /// Bad input: a malformed id, date or value (exit 2).
    #[error("invalid input")]
    Input {
        field: String,
        value: String,
        expected: String,
    },
    /// Refused by a rule of the process or the permission table (exit 3).
    #[error("refused")]
    Rule(#[from] RuleError),
    /// The record changed since the caller read it (exit 4).
    #[error("conflict")]
    Conflict {
        entity: String,
        expected: u64,
        found: u64,
        by: String,
        at: String,
    },
    /// No such record (exit 5).
    #[error("not found")]
    NotFound { what: String },
    #[error("no database")]
    NoDatabase { path: String },
    #[error("already exists")]
    AlreadyExists { path: String },
    /// `beian demo` found a demo database where it would write one, and may
    /// not ask whether to replace it (no terminal, `--json`): `force` is the
    /// command that replaces it, `reopen` the one that opens it.
    #[error("demo exists")]
    DemoExists {
        path: String,
        force: String,
        reopen: String,
    },
    #[error("locked")]
    Locked { path: String, holder: String },
    #[error("newer schema")]
    NewerSchema { path: String, found: u32, supported: u32 },
    #[error("not a beian database")]
    NotBeian { path: String, detail: String },
    #[error("config")]
    Config { path: String, detail: String },
    #[error("storage")]
    Storage { detail: String },
    /// The disk refused a write: it is full (or over quota), or the filesystem is
    /// read-only. The change was not saved; reads go on.
    #[error("disk refused the write")]
    DiskRefused { path: String, read_only: bool },
    #[error("io")]
    Io { path: String, detail: String },
    /// The full-screen UI needs a terminal on stdin and stdout.
    #[error("no terminal")]
    NoTerminal,
    /// The client and the server speak different protocol versions.
    #[error("protocol version mismatch")]
    Version {
        client: u32,
        server: u32,
        server_version: String,
    },
    /// A malformed or unexpected message between client and server.
    #[error("protocol")]
    Protocol { detail: String },
    /// The server refused a connection from a user the config gives no role (exit 3).
    #[error("no role")]
    NoRole { user: String, uid: u32, db: String },
    /// The connection to the server was lost.
    #[error("disconnected")]
    Disconnected { socket: String, detail: String },
    /// No server answers (`beian status` without `beian serve`).
    #[error("no server")]
    NoServer { socket: String },
    /// Messages the MTA did not take (they stay queued).
    #[error("{failed} messages not sent")]
    Mail { failed: usize },
    /// The database is held by a `beian serve` this client could not reach.
    #[error("served")]
    Served {
        path: String,
        holder: String,
        socket: String,
        detail: String,
    },
    /// The server cannot start: its socket is in use or its directory unsafe.
    #[error("socket")]
    Socket { path: String, detail: String },
    /// No server answers, and this user cannot start one: the database belongs
    /// to `owner` (a server is started by the owner or the admin).
    #[error("server down")]
    ServerDown { socket: String, db: String, owner: String },
    /// No server serves the database, and this user does not own it: only its
    /// owner's `beian` starts one on demand (exit 3).
    #[error("not yours to serve")]
    NotYours { db: String, owner: String },
    /// A server started on demand did not come up: what its log says (exit 1).
    #[error("server did not start")]
    ServerStart { db: String, log: String, detail: String },
    /// An offline command (compact, reindex) found the database served by a
    /// server that has clients: it names them and what to do (exit 1).
    #[error("served, busy")]
    ServedBusy { db: String, pid: u32, clients: String },
    /// The kernel refused the connection to the server's socket: the user is
    /// not in the socket's `group` (or cannot reach its directory, `group` empty) (exit 3).
    #[error("socket denied")]
    SocketDenied {
        socket: String,
        user: String,
        group: String,
        dir: String,
    },
    /// The process answering on the socket runs as uid `found` instead of the
    /// server's user `expected` (`basis`: env, db, dir or self, with
    /// `basis_path`); the client said nothing to it.
    #[error("wrong server")]
    WrongServer {
        socket: String,
        found: u32,
        expected: u32,
        basis: String,
        basis_path: String,
    },
    /// A message larger than the server takes in one frame; nothing was sent (exit 2).
    #[error("too large")]
    TooLarge { size: u64, limit: u64 },
    /// The server refused a connection over one of its limits: `scope` user
    /// (this user's connections) or server (all of them).
    #[error("too many connections")]
    TooManyConnections { user: String, limit: u32, scope: String },
    /// The server closed a connection that sent nothing for `secs` and had not
    /// subscribed to updates.
    #[error("idle")]
    Idle { secs: u64 },
    /// The change waited `waited_secs` behind an import by `user` that has held
    /// the database since `since`; it was not saved.
    #[error("import in progress")]
    ImportBusy {
        user: String,
        since: crate::model::Time,
        waited_secs: u64,
    },
    /// The server rolled an import back: its client sent nothing for `secs`
    /// (`reason` idle) or it ran longer than `secs` (too_long).
    #[error("import stopped")]
    ImportStopped { reason: String, secs: u64, rows: u64 },
    /// A backup named into the data directory itself (exit 2).
    #[error("backup in the data directory")]
    BackupInDataDir { dir: String, db: String },
    /// The hash chain or a backup does not check out (exit 6).
    #[error("integrity")]
    Integrity { at: String, detail: String },
    /// One of sled's files does not check out: the database cannot be opened
    /// and must be restored from a backup (exit 6). `file` is the damaged file.
    #[error("damaged")]
    Damaged { path: String, file: String, detail: String },
    /// The database cannot be opened because its disk refuses the writes that
    /// opening makes (full, or read-only). Nothing is damaged.
    #[error("open refused by the disk")]
    OpenRefused { path: String, read_only: bool },
    /// sled left an unfinished snapshot (`file`) when a write was interrupted,
    /// and it could not be removed. Nothing is damaged.
    #[error("interrupted")]
    Interrupted { path: String, file: String, detail: String },
    /// A path a user named is not a regular file (a symlink where a file is
    /// written, a FIFO, a device, a directory): refused, left as it was (exit 2).
    /// `kind`: symlink, fifo, device, directory, socket, other; `purpose`:
    /// write, read, import.
    #[error("not a regular file")]
    NotRegular {
        path: String,
        kind: String,
        purpose: String,
    },
    /// A file or directory of the data directory `data_dir` that others than its
    /// owner may change (`problem`: writable, owner, above, symlink; `mode` and
    /// `uid` as found, `owner` the data directory's): the database is not opened,
    /// since whoever may change it may give themselves any role (exit 1).
    #[error("unprotected data directory")]
    Unprotected {
        data_dir: String,
        path: String,
        problem: String,
        mode: u32,
        uid: u32,
        owner: u32,
    },
    /// `config.toml` is missing: opening without it would drop every role.
    /// `recorded` names the roles the audit chain last recorded (exit 1).
    #[error("config.toml missing")]
    ConfigMissing { path: String, recorded: String },
    /// The data directory was removed or replaced while the database was open:
    /// the change was not saved (exit 1).
    #[error("data directory gone")]
    DataDirGone { path: String },
    /// A command on several records: `failed` of the `total` were refused
    /// (each reported on its own line); the exit code is the first refusal's.
    #[error("some records not changed")]
    Partial { failed: usize, total: usize, code: i32 },
    /// Internal: sled saw a concurrent transaction and will run ours again.
    #[serde(skip)]
    #[error("transaction retry")]
    TxRetry,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The name of a user of this system, or `uid<N>`.
fn user_of(uid: u32) -> String {
    nix::unistd::User::from_uid(nix::unistd::Uid::from_raw(uid))
        .ok()
        .flatten()
        .map(|u| u.name)
        .unwrap_or_else(|| format!("uid{uid}"))
}

/// A size in MiB with one decimal (8.0 MiB).
fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / 1048576.0)
}

impl Error {
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Input { .. } | Error::NotRegular { .. } | Error::TooLarge { .. } | Error::BackupInDataDir { .. } => {
                2
            }
            Error::Rule(_) | Error::NoRole { .. } | Error::SocketDenied { .. } | Error::NotYours { .. } => 3,
            Error::Conflict { .. } => 4,
            Error::NotFound { .. } => 5,
            Error::Integrity { .. } | Error::Damaged { .. } => 6,
            Error::Partial { code, .. } => *code,
            _ => 1,
        }
    }

    pub fn input(field: &str, value: &str, expected: &str) -> Error {
        Error::Input {
            field: field.to_string(),
            value: value.to_string(),
            expected: expected.to_string(),
        }
    }

    pub fn not_found(what: impl ToString) -> Error {
        Error::NotFound { what: what.to_string() }
    }

    pub fn io(path: &std::path::Path, e: impl std::fmt::Display) -> Error {
        Error::Io {
            path: path.display().to_string(),
            detail: e.to_string(),
        }
    }

    /// The message in the user's language. Paths and details may quote file
    /// names and file contents: their control and bidi characters are shown as
    /// visible placeholders (`␛`), never sent to the terminal.
    pub fn message(&self) -> String {
        let s = |v: &String| crate::sanitize::visible_line(v);
        // Details may be several lines (a TOML error with its excerpt).
        let d = |v: &String| crate::sanitize::visible(v);
        // Texts beian made itself (field labels, ids, user names).
        let c = |v: &String| v.clone();
        match self {
            Error::Input { field, value, expected } => t(
                "error.input",
                &[
                    // A field beian names by its label; an option or a place as given.
                    ("field", s(&crate::workflow::field_label(field))),
                    ("value", crate::sanitize::clean_line(value)),
                    ("expected", d(expected)),
                ],
            ),
            Error::Rule(r) => r.message(),
            Error::Conflict {
                entity,
                expected,
                found,
                by,
                at,
            } => t(
                "error.conflict",
                &[
                    ("entity", c(entity)),
                    ("expected", expected.to_string()),
                    ("found", found.to_string()),
                    ("by", c(by)),
                    ("at", c(at)),
                ],
            ),
            Error::NotFound { what } => t("error.not_found", &[("what", crate::sanitize::clean_line(what))]),
            Error::Integrity { at, detail } => t(
                "error.integrity",
                &[
                    ("at", crate::sanitize::clean_line(at)),
                    ("detail", crate::sanitize::clean_line(detail)),
                ],
            ),
            Error::NoDatabase { path } => t("error.no_database", &[("path", s(path))]),
            Error::AlreadyExists { path } => t("error.already_exists", &[("path", s(path))]),
            Error::DemoExists { path, force, reopen } => t(
                "error.demo_exists",
                &[("path", s(path)), ("force", s(force)), ("reopen", s(reopen))],
            ),
            Error::Locked { path, holder } => t("error.locked", &[("path", s(path)), ("holder", s(holder))]),
            Error::NewerSchema { path, found, supported } => t(
                "error.newer_schema",
                &[
                    ("path", s(path)),
                    ("found", found.to_string()),
                    ("supported", supported.to_string()),
                ],
            ),
            Error::NotBeian { path, detail } => t("error.not_beian", &[("path", s(path)), ("detail", d(detail))]),
            Error::Config { path, detail } => t("error.config", &[("path", s(path)), ("detail", d(detail))]),
            Error::Storage { detail } => t("error.storage", &[("detail", d(detail))]),
            Error::DiskRefused { path, read_only } => t(
                if *read_only {
                    "error.read_only"
                } else {
                    "error.disk_full"
                },
                &[("path", s(path))],
            ),
            Error::Io { path, detail } => t("error.io", &[("path", s(path)), ("detail", d(detail))]),
            Error::Damaged { path, file, detail } => t(
                "error.damaged",
                &[("path", s(path)), ("file", s(file)), ("detail", d(detail))],
            ),
            Error::OpenRefused { path, read_only } => t(
                if *read_only {
                    "error.open_read_only"
                } else {
                    "error.open_disk_full"
                },
                &[("path", s(path))],
            ),
            Error::Interrupted { path, file, detail } => t(
                "error.interrupted",
                &[("path", s(path)), ("file", s(file)), ("detail", d(detail))],
            ),
            Error::NotRegular { path, kind, purpose } => t(
                &format!("error.not_regular.{purpose}"),
                &[("path", s(path)), ("kind", t(&format!("fs.kind.{kind}"), &[]))],
            ),
            Error::NoTerminal => t("error.no_terminal", &[]),
            Error::Version {
                client,
                server,
                server_version,
            } => t(
                "error.version",
                &[
                    ("client", client.to_string()),
                    ("server", server.to_string()),
                    ("server_version", s(server_version)),
                    ("version", env!("CARGO_PKG_VERSION").to_string()),
                ],
            ),
            Error::Protocol { detail } => t("error.protocol", &[("detail", crate::sanitize::clean_line(detail))]),
            Error::NoRole { user, uid, db } => t(
                "error.no_role",
                &[("user", s(user)), ("uid", uid.to_string()), ("db", s(db))],
            ),
            Error::Disconnected { socket, detail } => {
                t("error.disconnected", &[("socket", s(socket)), ("detail", d(detail))])
            }
            Error::NoServer { socket } => t("error.no_server", &[("socket", s(socket))]),
            Error::Mail { failed } => t("error.mail", &[("failed", failed.to_string())]),
            Error::Served {
                path,
                holder,
                socket,
                detail,
            } => t(
                "error.served",
                &[
                    ("path", s(path)),
                    ("holder", s(holder)),
                    ("socket", s(socket)),
                    ("detail", d(detail)),
                ],
            ),
            Error::Socket { path, detail } => t("error.socket", &[("path", s(path)), ("detail", d(detail))]),
            Error::ServerDown { socket, db, owner } => t(
                "error.server_down",
                &[("socket", s(socket)), ("db", s(db)), ("owner", s(owner))],
            ),
            Error::NotYours { db, owner } => t("error.not_yours", &[("db", s(db)), ("owner", s(owner))]),
            Error::ServerStart { db, log, detail } => t(
                "error.server_start",
                &[("db", s(db)), ("log", s(log)), ("detail", d(detail))],
            ),
            Error::ServedBusy { db, pid, clients } => t(
                "error.served_busy",
                &[("db", s(db)), ("pid", pid.to_string()), ("clients", s(clients))],
            ),
            Error::SocketDenied {
                socket,
                user,
                group,
                dir,
            } => t(
                if group.is_empty() {
                    "error.socket_denied.dir"
                } else {
                    "error.socket_denied.group"
                },
                &[
                    ("socket", s(socket)),
                    ("user", s(user)),
                    ("group", s(group)),
                    ("dir", s(dir)),
                ],
            ),
            Error::WrongServer {
                socket,
                found,
                expected,
                basis,
                basis_path,
            } => {
                let found_user = user_of(*found);
                t(
                    "error.wrong_server",
                    &[
                        ("socket", s(socket)),
                        ("found", format!("{} (uid {found})", s(&found_user))),
                        ("expected", format!("{} (uid {expected})", s(&user_of(*expected)))),
                        ("found_user", s(&found_user)),
                        (
                            "basis",
                            t(&format!("error.wrong_server.{basis}"), &[("path", s(basis_path))]),
                        ),
                    ],
                )
            }
            Error::TooLarge { size, limit } => t("error.too_large", &[("size", mib(*size)), ("limit", mib(*limit))]),
            Error::TooManyConnections { user, limit, scope } => t(
                &format!("error.too_many_connections.{scope}"),
                &[
                    ("user", s(user)),
                    ("limit", limit.to_string()),
                    ("reserved", crate::config::ADMIN_RESERVED.to_string()),
                ],
            ),
            Error::Idle { secs } => t("error.idle", &[("secs", secs.to_string())]),
            Error::ImportBusy {
                user,
                since,
                waited_secs,
            } => t(
                "error.import_busy",
                &[
                    ("user", s(user)),
                    (
                        "since",
                        since
                            .with_timezone(&chrono::Local)
                            .format("%Y-%m-%d %H:%M:%S")
                            .to_string(),
                    ),
                    ("waited", waited_secs.to_string()),
                ],
            ),
            Error::ImportStopped { reason, secs, rows } => t(
                &format!("error.import_stopped.{reason}"),
                &[("secs", secs.to_string()), ("rows", rows.to_string())],
            ),
            Error::BackupInDataDir { dir, db } => t("error.backup_in_data_dir", &[("dir", s(dir)), ("db", s(db))]),
            Error::Unprotected {
                data_dir,
                path,
                problem,
                mode,
                uid,
                owner,
            } => {
                let who = match (mode & 0o020 != 0, mode & 0o002 != 0) {
                    (true, true) => "group_others",
                    (true, false) => "group",
                    _ => "others",
                };
                t(
                    &format!("error.unprotected.{problem}"),
                    &[
                        ("dir", s(data_dir)),
                        ("path", s(path)),
                        ("mode", format!("{mode:o}")),
                        ("who", t(&format!("error.unprotected.who.{who}"), &[])),
                        ("found", s(&user_of(*uid))),
                        ("owner", s(&user_of(*owner))),
                    ],
                )
            }
            Error::ConfigMissing { path, recorded } => t(
                "error.config_missing",
                &[("path", s(path)), ("recorded", crate::sanitize::clean_line(recorded))],
            ),
            Error::DataDirGone { path } => t("error.data_dir_gone", &[("path", s(path))]),
            Error::Partial { failed, total, .. } => t(
                "error.partial",
                &[("failed", failed.to_string()), ("total", total.to_string())],
            ),
            Error::TxRetry => t("error.storage", &[("detail", "transaction retry".into())]),
        }
    }
}
