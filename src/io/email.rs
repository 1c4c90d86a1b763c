//! Email: single messages (.eml, or one on stdin from the MTA) and mbox files.
//!
//! mail-parser does MIME, encoded words, transfer encodings and charsets, and
//! turns HTML-only bodies into text (scripts and styles dropped). Before parsing,
//! charset names mail-parser does not know but that mean GB2312 (`eucgb2312_cn`,
//! `euc-cn` …) are rewritten; any other unknown charset is reported as a warning
//! and the text decoded as well as possible.

use std::io::BufRead;

use chrono::{TimeZone, Utc};
use mail_parser::{HeaderValue, Message, MessageParser, MimeHeaders};

use super::{bad, content_key, title_from, Options, Parsed};
use crate::error::Result;
use crate::i18n::t;
use crate::model::{Attachment, Channel, Id, IdKind, Priority, RequestKind, Source, Submitter, SubmitterType, Time};
use crate::service::{ImportItem, NewRequest};

/// Charset names seen in real mail that mean GB2312, mapped to one mail-parser
/// reads (GB18030, a superset).
const GB_ALIASES: &[&str] = &[
    "eucgb2312_cn",
    "euc-cn",
    "euc_cn",
    "euccn",
    "x-euc-cn",
    "gb_2312-80",
    "cp936",
];

/// The longest `From ` separator line of an mbox read beyond a message's allowance.
const FROM_LINE_MAX: u64 = 4096;

/// Does this look like the start of a message header (`Name: value` lines)?
pub fn looks_like_headers(head: &[u8]) -> bool {
    let first = head.split(|b| *b == b'\n').next().unwrap_or(&[]);
    match first.iter().position(|b| *b == b':') {
        Some(i) if i > 0 => first[..i].iter().all(|b| b.is_ascii_graphic() && *b != b':'),
        _ => false,
    }
}

/// One message from a file or stdin; `kind` says which (`eml`, `stdin`).
pub fn parse_one(bytes: &[u8], name: &str, kind: &str, opts: &Options) -> Result<Parsed> {
    let mut parsed = Parsed::default();
    let item = message_item(bytes, name, kind, opts, &mut parsed.warnings)?;
    parsed.items.push(item);
    Ok(parsed)
}

/// An mbox file: messages separated by `From ` lines (">From " unquoted).
pub fn parse_mbox<R: BufRead>(input: R, name: &str, opts: &Options) -> Result<Parsed> {
    let mut parsed = Parsed::default();
    let mut items = Vec::new();
    parse_mbox_into(
        input,
        name,
        opts,
        &mut |i| {
            items.push(i);
            Ok(())
        },
        &mut parsed.warnings,
    )?;
    parsed.items = items;
    Ok(parsed)
}

/// [`parse_mbox`], handing each message to `sink` as soon as it is read.
pub fn parse_mbox_into<R: BufRead>(
    mut input: R,
    name: &str,
    opts: &Options,
    sink: &mut super::Sink<'_>,
    warnings: &mut Vec<String>,
) -> Result<()> {
    let mut count = 0usize;
    let mut msg: Vec<u8> = Vec::new();
    let mut started = false;
    let mut prev_blank = true;
    let mut line = Vec::new();
    let mut no = 0usize;
    let mut start_line = 0usize;
    let mut line_no = 0usize;
    let mut flush = |msg: &mut Vec<u8>, no: usize, start_line: usize, warnings: &mut Vec<String>| -> Result<()> {
        if msg.iter().all(u8::is_ascii_whitespace) {
            msg.clear();
            return Ok(());
        }
        let label = t(
            "import.place.message",
            &[
                ("file", name.to_string()),
                ("n", no.to_string()),
                ("line", start_line.to_string()),
            ],
        );
        let item = message_item(msg, &label, "mbox", opts, warnings)?;
        count += 1;
        sink(item)?;
        msg.clear();
        Ok(())
    };
    let too_large = |no: usize, start_line: usize| {
        let place = t(
            "import.place.message",
            &[
                ("file", name.to_string()),
                ("n", no.max(1).to_string()),
                ("line", start_line.max(1).to_string()),
            ],
        );
        crate::fsutil::too_large(&place, super::MAX_MESSAGE, "message")
    };
    loop {
        // What is left of the message's allowance, and room for a `From ` line:
        // nothing past the limit is read.
        let budget = super::MAX_MESSAGE.saturating_sub(msg.len() as u64) + FROM_LINE_MAX;
        let read = super::read_line_bounded(&mut input, &mut line, budget).map_err(|e| crate::error::Error::Io {
            path: name.to_string(),
            detail: e.to_string(),
        })?;
        match read {
            None => break,
            Some(false) => return Err(too_large(no, start_line)),
            Some(true) => {}
        }
        line_no += 1;
        if line.starts_with(b"From ") && prev_blank {
            if started {
                flush(&mut msg, no, start_line, warnings)?;
            }
            started = true;
            no += 1;
            start_line = line_no;
            prev_blank = false;
            continue;
        }
        if !started {
            return Err(bad(
                &t(
                    "import.place.line",
                    &[("file", name.to_string()), ("line", line_no.to_string())],
                ),
                "From",
                &String::from_utf8_lossy(&line),
                &t("import.expected.mbox", &[]),
            ));
        }
        prev_blank = line == b"\n" || line == b"\r\n";
        // mboxrd: ">From " (and ">>From ") lose one '>'.
        let unquoted = line
            .iter()
            .position(|b| *b != b'>')
            .is_some_and(|i| i > 0 && line[i..].starts_with(b"From "));
        if (msg.len() + line.len()) as u64 > super::MAX_MESSAGE {
            return Err(too_large(no, start_line));
        }
        msg.extend_from_slice(if unquoted { &line[1..] } else { &line });
    }
    if started {
        flush(&mut msg, no, start_line, warnings)?;
    }
    if count == 0 {
        return Err(bad(name, "From", "", &t("import.expected.mbox", &[])));
    }
    Ok(())
}

/// Rewrite GB2312 aliases mail-parser does not know; report other unknown charsets.
fn fix_charsets(raw: &[u8], place: &str, warnings: &mut Vec<String>) -> Vec<u8> {
    let mut out = raw.to_vec();
    for alias in GB_ALIASES {
        out = replace_ci(&out, alias.as_bytes(), b"gb18030");
    }
    for cs in charsets(&out) {
        let known = matches!(cs.as_str(), "utf-8" | "utf8" | "us-ascii")
            || mail_parser::decoders::charsets::map::charset_decoder(cs.as_bytes()).is_some();
        if !known {
            let w = t(
                "import.warning.charset",
                &[("place", place.to_string()), ("charset", cs.clone())],
            );
            if !warnings.contains(&w) {
                warnings.push(w);
            }
        }
    }
    out
}

/// Replace `from` (case-insensitively) where it is a charset name: after `=?`,
/// `charset=` or `charset="`.
fn replace_ci(hay: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let lower: Vec<u8> = hay.to_ascii_lowercase();
    let mut out = Vec::with_capacity(hay.len());
    let mut i = 0;
    while i < hay.len() {
        if lower[i..].starts_with(from) {
            let before = &lower[..i];
            let is_charset =
                before.ends_with(b"=?") || before.ends_with(b"charset=") || before.ends_with(b"charset=\"");
            let after = lower.get(i + from.len()).copied();
            let ends = matches!(
                after,
                Some(b'?') | Some(b'"') | Some(b';') | Some(b'\r') | Some(b'\n') | Some(b' ') | None
            );
            if is_charset && ends {
                out.extend_from_slice(to);
                i += from.len();
                continue;
            }
        }
        out.push(hay[i]);
        i += 1;
    }
    out
}

/// Charset names a message declares (encoded words and `charset=` parameters).
fn charsets(raw: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(raw).to_ascii_lowercase();
    let mut out: Vec<String> = Vec::new();
    let name_end = |s: &str| {
        s.find(|c: char| !(c.is_ascii_alphanumeric() || "-_.:".contains(c)))
            .unwrap_or(s.len())
    };
    for (i, _) in text.match_indices("=?") {
        let rest = &text[i + 2..];
        if let Some(q) = rest.find('?') {
            let cs = &rest[..q];
            let cs = cs.split('*').next().unwrap_or(cs);
            if !cs.is_empty() && cs.len() < 40 && name_end(cs) == cs.len() {
                out.push(cs.to_string());
            }
        }
    }
    for (i, _) in text.match_indices("charset=") {
        let rest = text[i + 8..].trim_start_matches('"');
        let cs = &rest[..name_end(rest)];
        if !cs.is_empty() {
            out.push(cs.to_string());
        }
    }
    out.sort();
    out.dedup();
    out
}

fn header_list(v: &HeaderValue) -> Vec<String> {
    match v {
        HeaderValue::Text(s) => vec![s.to_string()],
        HeaderValue::TextList(l) => l.iter().map(|s| s.to_string()).collect(),
        _ => Vec::new(),
    }
}

/// `[REQ-2026-0042]` (or `REQ-2026-0042` anywhere) in a subject.
pub fn request_in_subject(subject: &str) -> Option<Id> {
    let upper = subject.to_ascii_uppercase();
    for (i, _) in upper.match_indices("REQ-") {
        let rest = &upper[i..];
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
            .unwrap_or(rest.len());
        if let Ok(id) = rest[..end].parse::<Id>() {
            if id.kind == IdKind::Request {
                return Some(id);
            }
        }
    }
    None
}

/// The subject without reply/forward prefixes and a `[REQ-…]` tag.
pub fn clean_subject(subject: &str) -> String {
    let mut s = subject.trim().to_string();
    if let (Some(a), Some(b)) = (s.find("[REQ-"), s.find(']')) {
        if b > a {
            s.replace_range(a..=b, "");
        }
    }
    loop {
        let t = s.trim_start();
        let lower = t.to_lowercase();
        let cut = [
            "re:",
            "re：",
            "fw:",
            "fwd:",
            "回复:",
            "回复：",
            "答复:",
            "答复：",
            "转发:",
            "转发：",
        ]
        .iter()
        .find(|p| lower.starts_with(*p))
        .map(|p| p.len());
        match cut {
            Some(n) => s = t[n..].to_string(),
            None => break,
        }
    }
    s.trim().to_string()
}

/// The one known system whose name the subject (else the body) mentions.
fn system_named_in(subject: &str, body: &str, opts: &Options) -> Option<Id> {
    for text in [subject, body] {
        let hits: Vec<Id> = opts
            .systems
            .iter()
            .filter(|s| !s.name.is_empty() && text.contains(s.name.as_str()))
            .map(|s| s.id)
            .collect();
        if let [one] = hits.as_slice() {
            return Some(*one);
        }
    }
    None
}

fn to_time(d: &mail_parser::DateTime) -> Option<Time> {
    if !d.is_valid() {
        return None;
    }
    Utc.timestamp_opt(d.to_timestamp(), 0).single()
}

fn message_item(raw: &[u8], place: &str, kind: &str, opts: &Options, warnings: &mut Vec<String>) -> Result<ImportItem> {
    let not_mail = |field: &str, value: &str| bad(place, field, value, &t("import.expected.email", &[]));
    if raw.contains(&0) || !looks_like_headers(raw) {
        let first = String::from_utf8_lossy(raw.split(|b| *b == b'\n').next().unwrap_or(&[])).into_owned();
        return Err(not_mail(&t("import.field.header", &[]), &first));
    }
    let fixed = fix_charsets(raw, place, warnings);
    let msg: Message = MessageParser::default()
        .parse(&fixed)
        .ok_or_else(|| not_mail(&t("import.field.header", &[]), ""))?;
    let from = msg.from().and_then(|a| a.first());
    let address = from.and_then(|a| a.address()).unwrap_or("").trim().to_string();
    if address.is_empty() {
        return Err(not_mail("From", msg.header_raw("From").unwrap_or("").trim()));
    }
    let sender_name = from
        .and_then(|a| a.name())
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .unwrap_or(&address)
        .to_string();
    let subject = msg.subject().unwrap_or("").to_string();
    let body = msg.body_text(0).map(|b| b.trim().to_string()).unwrap_or_default();
    let mut title = clean_subject(&subject);
    if title.is_empty() {
        title = title_from(&body, 40);
    }
    if title.is_empty() {
        return Err(not_mail("Subject", ""));
    }
    let received_at = match (msg.date().and_then(to_time), msg.header_raw("Date")) {
        (Some(t), _) => Some(t),
        (None, Some(raw)) => {
            warnings.push(t(
                "import.warning.date",
                &[
                    ("place", place.to_string()),
                    ("date", crate::sanitize::clean_line(raw.trim())),
                ],
            ));
            None
        }
        (None, None) => None,
    };
    let message_id = msg.message_id().map(|m| m.trim().to_string()).filter(|m| !m.is_empty());
    let key = match &message_id {
        Some(m) => format!("msgid:{m}"),
        None => format!("msg:{}", content_key(&[&String::from_utf8_lossy(raw)])),
    };
    let system = system_named_in(&subject, &body, opts);
    let mut references = header_list(msg.in_reply_to());
    references.extend(header_list(msg.references()));
    references.retain(|r| Some(r) != message_id.as_ref());
    references.dedup();
    let attachments = msg
        .attachments()
        .map(|p| Attachment {
            name: p.attachment_name().unwrap_or("attachment").to_string(),
            size: p.len() as u64,
        })
        .collect();
    Ok(ImportItem {
        request: NewRequest {
            kind: RequestKind::Problem,
            title,
            body,
            system,
            submitter: Submitter {
                name: sender_name,
                contact: address.clone(),
                kind: SubmitterType::Staff,
            },
            department: String::new(),
            channel: opts.channel.unwrap_or(Channel::Email),
            received_at,
            priority: Priority::Normal,
            tags: Vec::new(),
        },
        source: Some(Source {
            origin: place.to_string(),
            detail: kind.to_string(),
            external_id: message_id.unwrap_or_default(),
            ip: String::new(),
            address,
            attachments,
        }),
        key,
        reply_to: request_in_subject(&subject),
        references,
        label: place.to_string(),
    })
}
