//! The messages between `beian serve` and its clients, and how they are framed.
//!
//! A frame is a big-endian `u32` length followed by that many bytes of JSON. A
//! client may send frames of at most [`MAX_FRAME`] bytes; a longer length prefix is
//! refused before anything is allocated and the connection is closed. The first
//! client message is always [`ClientMsg::Hello`] naming [`PROTOCOL_VERSION`]; the
//! server answers [`ServerMsg::Welcome`] or [`ServerMsg::Refused`].
//!
//! No client message carries an identity: the server takes the user from the
//! kernel (the socket's peer credentials), and unknown fields are refused.
//! [`ClientMsg::ActAs`] names a demo person, not who the client is: the server
//! decides it from the kernel's uid (`Service::act_as`) and refuses it to
//! anyone but the owner of a demo database's files.

use std::io::{self, Read, Write};

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::model::{Role, Time};
use crate::service::{Answer, Command, ImportItem, Outcome, Query};

/// Bump on any change to the messages below. `Hello` keeps its shape forever so
/// that a mismatched client can always be told why it is refused. 7: the
/// supervision commands of issue 15 §5 (order extend / send back / reopen,
/// report link / to order) and the history fields of orders and reports.
/// 8: change classes on plans, templates of standard changes (issue 15 §1).
/// 9 (issues 16–18): attached files — `Upload` frames ahead of an attach
/// command, the attachment queries; `Query::Integrity`, the start-up check run
/// and cached where the database lives; the bulk lists as compact binary rows;
/// system dependencies (`system.edit` depends_on), training audiences, the
/// report's effect section; the attention list, `Query::Attention`; the ranked
/// archive search and `changes` (`Query::ArchiveSearch`, `Query::Changes`);
/// the register, the outbox and mail.
/// 10 (issue 18 §3): names linked to the register — aliases on people,
/// departments and vendors, `name.resolve` / `name.unresolve`,
/// `Query::UnresolvedNames`; team awards; contributions per linked person.
pub const PROTOCOL_VERSION: u32 = 10;

/// The largest frame a client may send (8 MiB).
pub const MAX_FRAME: u32 = 8 << 20;

/// The largest frame a server sends (long lists and the audit log are bigger than
/// anything a client writes).
pub const MAX_SERVER_FRAME: u32 = 256 << 20;

/// What a client sends.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ClientMsg {
    /// The first message: the protocol version and the client's own version.
    Hello {
        protocol: u32,
        client: String,
    },
    /// Carry out a command; `id` is echoed in the reply.
    Execute {
        id: u64,
        cmd: Command,
        expect_rev: Option<u64>,
    },
    Query {
        id: u64,
        query: Query,
    },
    /// One batch of an import (protocol 2). The first batch opens the import on
    /// this connection; the one with `finish` commits it and is answered with the
    /// import's outcome, the others with the counts so far. Until then the
    /// connection may send nothing else; closing it rolls the import back.
    Import {
        id: u64,
        items: Vec<ImportItem>,
        dry_run: bool,
        finish: bool,
    },
    /// Give up the import in progress on this connection: answered once it is
    /// rolled back.
    ImportAbort {
        id: u64,
    },
    /// From now on, receive [`ServerMsg::Changed`] after every committed change.
    Subscribe,
    /// The server's status (admin and supervisor).
    Status {
        id: u64,
    },
    /// From now on this connection acts as the demo person `person` (its own
    /// user's name: back to that user) — protocol 6. The server allows it only
    /// in a database `beian demo` created and only when the kernel says the
    /// connecting uid owns the database's files; it answers with
    /// `Answer::Whoami` (who acts now, `via` the real user) or the refusal.
    ActAs {
        id: u64,
        person: String,
    },
    /// One piece of a file's content, sent ahead of the `Execute` of an
    /// attach command that names it by its SHA-256 (protocol 9): pieces in
    /// order from `offset` 0, each small enough for a frame. The first piece
    /// is refused when `size` is over the database's limit, before anything
    /// is kept; the server holds the pieces for this connection until its
    /// next `Execute`.
    Upload {
        id: u64,
        name: String,
        sha256: String,
        size: u64,
        offset: u64,
        data: crate::model::Content,
    },
}

/// What a server sends.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerMsg {
    /// The handshake succeeded: who the kernel says you are, and your roles.
    Welcome {
        user: String,
        roles: Vec<Role>,
        server_version: String,
        protocol: u32,
        /// The data directory of the database served.
        db: String,
    },
    /// The connection is refused (version, no role, malformed message); the server
    /// closes it after this message.
    Refused {
        reason: Error,
    },
    Reply {
        id: u64,
        result: Result<Payload, Error>,
    },
    /// A change was committed (sent to subscribers).
    Changed(Changed),
}

/// The successful result of a request.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Payload {
    Outcome(Outcome),
    Answer(Answer),
    Status(StatusReport),
}

/// One committed change, pushed to every subscribed client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Changed {
    /// The audit sequence number of the change.
    pub seq: u64,
    /// The records it created or changed (the command's main record first).
    pub entities: Vec<String>,
    /// Who made it.
    pub actor: String,
    /// The audit action, e.g. `plan.submit`.
    pub action: String,
}

/// What `beian status` shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusReport {
    pub socket: String,
    pub db: String,
    pub pid: u32,
    pub server_version: String,
    pub protocol: u32,
    pub started_at: Time,
    pub uptime_secs: u64,
    pub connections: Vec<Connection>,
    /// The import or backup holding the other writers, and how many wait.
    #[serde(default)]
    pub writes: crate::service::GateStatus,
}

/// A connected client as `beian status` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Connection {
    pub user: String,
    pub uid: u32,
    pub pid: i32,
    pub since: Time,
    pub subscribed: bool,
    pub requests: u64,
}

/// Why a frame could not be read.
#[derive(Debug)]
pub enum FrameError {
    /// The peer announced more than the limit; nothing was read or allocated.
    TooLarge(u32),
    Io(io::Error),
}

impl std::fmt::Display for FrameError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FrameError::TooLarge(n) => write!(f, "frame of {n} bytes is over the limit"),
            FrameError::Io(e) => write!(f, "{e}"),
        }
    }
}

impl From<io::Error> for FrameError {
    fn from(e: io::Error) -> Self {
        FrameError::Io(e)
    }
}

/// Read one frame; `Ok(None)` at a clean end of stream before a frame starts.
pub fn read_frame(r: &mut impl Read, max: u32) -> Result<Option<Vec<u8>>, FrameError> {
    let mut len = [0u8; 4];
    let mut got = 0;
    while got < 4 {
        match r.read(&mut len[got..]) {
            Ok(0) if got == 0 => return Ok(None),
            Ok(0) => return Err(io::Error::from(io::ErrorKind::UnexpectedEof).into()),
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e.into()),
        }
    }
    read_body(r, u32::from_be_bytes(len), max).map(Some)
}

/// Read one frame from the server (a client checked who it is before sending
/// anything): the body is allocated at its announced length at once, not grown
/// by doubling — a 40 MB list would otherwise hold up to twice that.
pub fn read_server_frame(r: &mut impl Read) -> Result<Option<Vec<u8>>, FrameError> {
    let mut len = [0u8; 4];
    let mut got = 0;
    while got < 4 {
        match r.read(&mut len[got..]) {
            Ok(0) if got == 0 => return Ok(None),
            Ok(0) => return Err(io::Error::from(io::ErrorKind::UnexpectedEof).into()),
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e.into()),
        }
    }
    let len = u32::from_be_bytes(len);
    if len > MAX_SERVER_FRAME {
        return Err(FrameError::TooLarge(len));
    }
    let mut body = vec![0u8; len as usize];
    r.read_exact(&mut body)?;
    Ok(Some(body))
}

/// Read the body of a frame whose length prefix is `len`.
pub fn read_body(r: &mut impl Read, len: u32, max: u32) -> Result<Vec<u8>, FrameError> {
    if len > max {
        return Err(FrameError::TooLarge(len));
    }
    // The buffer grows with the bytes that actually arrive: a peer that announces
    // the limit and sends nothing costs 64 KiB, not the limit.
    let mut body = Vec::with_capacity((len as usize).min(64 << 10));
    r.take(u64::from(len)).read_to_end(&mut body)?;
    if body.len() < len as usize {
        return Err(io::Error::from(io::ErrorKind::UnexpectedEof).into());
    }
    Ok(body)
}

/// Encode a message as one frame (length prefix and JSON).
pub fn encode<T: Serialize>(msg: &T) -> Result<Vec<u8>, Error> {
    let body = serde_json::to_vec(msg).map_err(|e| Error::Protocol { detail: e.to_string() })?;
    let len = u32::try_from(body.len()).map_err(|_| Error::Protocol {
        detail: "message too large".into(),
    })?;
    let mut out = Vec::with_capacity(body.len() + 4);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(&body);
    Ok(out)
}

/// Write one message as a frame.
pub fn write_msg<T: Serialize>(w: &mut impl Write, msg: &T) -> Result<(), Error> {
    let frame = encode(msg)?;
    w.write_all(&frame)
        .and_then(|_| w.flush())
        .map_err(|e| Error::Protocol { detail: e.to_string() })
}

/// The first byte of a binary frame (JSON never starts with it).
pub const BINARY: u8 = 0;
/// The second byte of a binary frame carrying a request list (`rows.rs`).
const REQUEST_ROWS: u8 = b'R';

/// Write a server message: a request list as a binary frame (`0, 'R'`, the
/// reply's id as u64 BE, then the rows of `rows.rs`), anything else as JSON.
pub fn write_server_msg(w: &mut impl Write, msg: &ServerMsg) -> Result<(), Error> {
    let ServerMsg::Reply {
        id,
        result: Ok(Payload::Answer(Answer::Requests(rows))),
    } = msg
    else {
        return write_msg(w, msg);
    };
    let body = super::rows::encode_requests(rows);
    let len = u32::try_from(body.len() + 10).map_err(|_| Error::Protocol {
        detail: "message too large".into(),
    })?;
    let mut frame = Vec::with_capacity(body.len() + 14);
    frame.extend_from_slice(&len.to_be_bytes());
    frame.extend_from_slice(&[BINARY, REQUEST_ROWS]);
    frame.extend_from_slice(&id.to_be_bytes());
    frame.extend_from_slice(&body);
    w.write_all(&frame)
        .and_then(|_| w.flush())
        .map_err(|e| Error::Protocol { detail: e.to_string() })
}

/// Read a server message from a frame's body (binary or JSON).
pub fn parse_server_msg(body: &[u8]) -> Result<ServerMsg, Error> {
    match body {
        [BINARY, REQUEST_ROWS, rest @ ..] if rest.len() >= 8 => {
            let id = u64::from_be_bytes(rest[..8].try_into().unwrap_or_default());
            let rows = super::rows::decode_requests(&rest[8..])?;
            Ok(ServerMsg::Reply {
                id,
                result: Ok(Payload::Answer(Answer::Requests(rows))),
            })
        }
        [BINARY, ..] => Err(Error::Protocol {
            detail: "unknown binary message".into(),
        }),
        _ => serde_json::from_slice(body).map_err(|e| Error::Protocol {
            detail: format!("malformed message from the server: {e}"),
        }),
    }
}

/// The `Hello` this build sends.
pub fn hello() -> ClientMsg {
    ClientMsg::Hello {
        protocol: PROTOCOL_VERSION,
        client: format!("beian {}", env!("CARGO_PKG_VERSION")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_round_trip_and_oversized_prefixes_are_refused() {
        let msg = ClientMsg::Query {
            id: 7,
            query: Query::Whoami,
        };
        let frame = encode(&msg).unwrap();
        let body = read_frame(&mut frame.as_slice(), MAX_FRAME).unwrap().unwrap();
        assert_eq!(serde_json::from_slice::<ClientMsg>(&body).unwrap(), msg);
        let huge = (1u32 << 30).to_be_bytes();
        assert!(matches!(
            read_frame(&mut huge.as_slice(), MAX_FRAME),
            Err(FrameError::TooLarge(_))
        ));
        assert!(read_frame(&mut [].as_slice(), MAX_FRAME).unwrap().is_none());
    }

    #[test]
    fn no_client_message_can_name_a_user() {
        let claim = r#"{"type":"hello","protocol":1,"client":"x","user":"admin"}"#;
        assert!(serde_json::from_str::<ClientMsg>(claim).is_err());
        let claim = r#"{"type":"query","id":1,"query":{"query":"whoami"},"actor":{"name":"root","roles":["admin"]}}"#;
        assert!(serde_json::from_str::<ClientMsg>(claim).is_err());
        let ok = r#"{"type":"hello","protocol":1,"client":"x"}"#;
        assert!(serde_json::from_str::<ClientMsg>(ok).is_ok());
    }

    #[test]
    fn request_lists_travel_as_binary_rows() {
        let rows = vec![crate::model::RequestSummary {
            id: "REQ-2026-0042".parse().unwrap(),
            status: crate::model::RequestStatus::New,
            kind: crate::model::RequestKind::Problem,
            channel: crate::model::Channel::Email,
            priority: crate::model::Priority::High,
            system: Some("SYS-0003".parse().unwrap()),
            department: "教务处".into(),
            title: "选课页面超时".into(),
            received_at: chrono::Utc::now(),
            tags: vec!["选课".into()],
            plan: None,
            rev: 3,
            analysed: true,
            review: None,
            similar_to: None,
        }];
        let msg = ServerMsg::Reply {
            id: 9,
            result: Ok(Payload::Answer(Answer::Requests(rows))),
        };
        let mut frame = Vec::new();
        write_server_msg(&mut frame, &msg).unwrap();
        let body = read_frame(&mut frame.as_slice(), MAX_SERVER_FRAME).unwrap().unwrap();
        assert_eq!(body[0], BINARY);
        assert_eq!(parse_server_msg(&body).unwrap(), msg);
        // Everything else is JSON, as before.
        let other = ServerMsg::Reply {
            id: 3,
            result: Err(Error::not_found("REQ-2026-0001")),
        };
        let mut frame = Vec::new();
        write_server_msg(&mut frame, &other).unwrap();
        let body = read_frame(&mut frame.as_slice(), MAX_SERVER_FRAME).unwrap().unwrap();
        assert_eq!(body[0], b'{');
        assert_eq!(parse_server_msg(&body).unwrap(), other);
    }

    #[test]
    fn replies_carry_errors() {
        let m = ServerMsg::Reply {
            id: 3,
            result: Err(Error::not_found("PLAN-2026-0009")),
        };
        let text = serde_json::to_string(&m).unwrap();
        assert_eq!(serde_json::from_str::<ServerMsg>(&text).unwrap(), m);
    }
}
