//! Email: single messages (.eml, or one on stdin from the MTA) and mbox files.
//!
//! mail-parser does MIME, transfer encodings and charsets of bodies, and turns
//! HTML-only bodies into text (scripts and styles dropped). Every charset label
//! of a message is resolved through one table (`io::charset`: the WHATWG labels
//! and the aliases mail libraries write) and rewritten to the name mail-parser
//! knows before it parses; a body in a charset nobody knows is reported as a
//! warning. The subject, which becomes the request's title, is decoded here,
//! strictly: a subject in an unknown charset, or whose bytes are not text in
//! the charset it names, refuses the message, naming the file and the header —
//! a title in mojibake would be worse than none.

use std::io::BufRead;

use chrono::{TimeZone, Utc};
use mail_parser::{HeaderValue, Message, MessageParser, MimeHeaders};

use super::{bad, content_key, title_from, Options, Parsed};
use crate::error::Result;
use crate::i18n::t;
use crate::model::{Attachment, Channel, Id, IdKind, Priority, RequestKind, Source, Submitter, SubmitterType, Time};
use crate::service::{ImportItem, NewRequest};

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

/// Rewrite every charset label of the message (encoded words `=?label?B?…`,
/// `charset=label` and `charset="label"` parameters) that the table resolves
/// to the name of its encoding, which mail-parser knows; report a label it
/// does not resolve (its text is then decoded as well as mail-parser can).
fn fix_charsets(raw: &[u8], place: &str, warnings: &mut Vec<String>) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        if let Some((start, end)) = charset_label_at(raw, i) {
            out.extend_from_slice(&raw[i..start]);
            let label = String::from_utf8_lossy(&raw[start..end]).into_owned();
            match super::charset::encoding_for(&label) {
                Some(enc) => out.extend_from_slice(enc.name().as_bytes()),
                None => {
                    out.extend_from_slice(&raw[start..end]);
                    let w = t(
                        "import.warning.charset",
                        &[
                            ("place", place.to_string()),
                            ("charset", crate::sanitize::visible_line(&label)),
                        ],
                    );
                    if !warnings.contains(&w) {
                        warnings.push(w);
                    }
                }
            }
            i = end;
        } else {
            out.push(raw[i]);
            i += 1;
        }
    }
    out
}

/// A charset label that starts a construct at `i`: an encoded word
/// (`=?label?B?` or `?Q?`, the label up to `?` or an RFC 2231 `*language`) or a
/// `charset=` parameter (the label optionally quoted). Returns where the label
/// starts and ends.
fn charset_label_at(raw: &[u8], i: usize) -> Option<(usize, usize)> {
    let rest = &raw[i..];
    let name_byte = |b: u8| b.is_ascii_graphic() && !matches!(b, b'?' | b'"' | b'\'' | b';' | b'*' | b'=');
    if rest.starts_with(b"=?") {
        let start = i + 2;
        let len = raw[start..].iter().take(41).take_while(|b| name_byte(**b)).count();
        let after = raw.get(start + len..)?;
        let lang = if after.first() == Some(&b'*') {
            1 + after[1..].iter().take(20).take_while(|b| name_byte(**b)).count()
        } else {
            0
        };
        let after = &after[lang..];
        let encoded =
            after.len() >= 3 && after[0] == b'?' && matches!(after[1], b'B' | b'b' | b'Q' | b'q') && after[2] == b'?';
        return (len > 0 && len <= 40 && encoded).then_some((start, start + len));
    }
    if rest.len() > 8 && rest[..8].eq_ignore_ascii_case(b"charset=") {
        let before = i.checked_sub(1).map(|j| raw[j]);
        if before.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'-') {
            return None;
        }
        let mut start = i + 8;
        if raw.get(start) == Some(&b'"') {
            start += 1;
        }
        let len = raw[start..].iter().take(41).take_while(|b| name_byte(**b)).count();
        return (len > 0 && len <= 40).then_some((start, start + len));
    }
    None
}

/// Why a header could not be decoded.
#[derive(Debug, PartialEq, Eq)]
enum HeaderProblem {
    /// An encoded word names a charset the table does not know.
    UnknownCharset(String),
    /// The bytes are not text in the charset they claim (its name).
    Malformed(String),
    /// An encoded word whose base64 or quoted-printable is broken.
    BadEncoding,
    /// Raw bytes that are neither UTF-8 nor text in the message's charset.
    RawBytes,
}

/// The value of the first `name:` header of the message's own header block,
/// unfolded (continuation lines joined), as bytes.
fn raw_header(raw: &[u8], name: &str) -> Option<Vec<u8>> {
    let mut lines = raw.split(|b| *b == b'\n').map(|l| l.strip_suffix(b"\r").unwrap_or(l));
    let mut value: Option<Vec<u8>> = None;
    for line in lines.by_ref() {
        if line.is_empty() {
            break;
        }
        let continued = line.first().is_some_and(|b| *b == b' ' || *b == b'\t');
        match (&mut value, continued) {
            (Some(v), true) => v.extend_from_slice(line),
            (Some(_), false) => break,
            (None, false) => {
                let n = name.len();
                if line.len() > n && line[..n].eq_ignore_ascii_case(name.as_bytes()) && line[n] == b':' {
                    value = Some(line[n + 1..].to_vec());
                }
            }
            (None, true) => {}
        }
    }
    value
}

/// The charset the message's own Content-Type declares, when the table knows it.
fn declared_charset(raw: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    let ct = raw_header(raw, "Content-Type")?;
    let i = (0..ct.len()).find(|i| charset_label_at(&ct, *i).is_some_and(|_| ct[*i] != b'='))?;
    let (start, end) = charset_label_at(&ct, i)?;
    super::charset::encoding_for(&String::from_utf8_lossy(&ct[start..end]))
}

/// One piece of a header value: an encoded word (its charset and bytes) or
/// text as written.
enum Piece {
    Word(&'static encoding_rs::Encoding, Vec<u8>),
    Text(Vec<u8>),
}

/// A header value (RFC 2047) decoded strictly: adjacent encoded words are
/// joined without the blanks between them, and their bytes before decoding
/// when they share a charset (mailers split a character across two words);
/// text outside them must be UTF-8 or, failing that, text in `fallback` (the
/// charset of the message).
fn decode_header(
    value: &[u8],
    fallback: Option<&'static encoding_rs::Encoding>,
) -> std::result::Result<String, HeaderProblem> {
    let mut pieces: Vec<Piece> = Vec::new();
    let mut i = 0;
    let mut text = Vec::new();
    while i < value.len() {
        if let Some((start, end)) = charset_label_at(value, i).filter(|_| value[i] == b'=') {
            // After the label (and a language), `?B?` or `?Q?`, the data, `?=`.
            let mut j = end;
            if value.get(j) == Some(&b'*') {
                j += 1;
                while value.get(j).is_some_and(|b| *b != b'?') {
                    j += 1;
                }
            }
            let kind = value[j + 1].to_ascii_uppercase();
            let data_start = j + 3;
            if let Some(len) = value[data_start..].windows(2).position(|w| w == b"?=") {
                let label = String::from_utf8_lossy(&value[start..end]).into_owned();
                let enc = super::charset::encoding_for(&label).ok_or(HeaderProblem::UnknownCharset(label))?;
                let data = &value[data_start..data_start + len];
                let bytes = if kind == b'B' {
                    mail_parser::decoders::base64::base64_decode(data).ok_or(HeaderProblem::BadEncoding)?
                } else {
                    q_decode(data).ok_or(HeaderProblem::BadEncoding)?
                };
                // Blanks between two encoded words are not part of the text.
                let between_words =
                    text.iter().all(|b: &u8| b.is_ascii_whitespace()) && matches!(pieces.last(), Some(Piece::Word(..)));
                if !text.is_empty() && !between_words {
                    pieces.push(Piece::Text(std::mem::take(&mut text)));
                }
                text.clear();
                match pieces.last_mut() {
                    Some(Piece::Word(e, b)) if *e == enc => b.extend_from_slice(&bytes),
                    _ => pieces.push(Piece::Word(enc, bytes)),
                }
                i = data_start + len + 2;
                continue;
            }
        }
        text.push(value[i]);
        i += 1;
    }
    if !text.is_empty() {
        pieces.push(Piece::Text(text));
    }
    let mut out = String::new();
    for p in pieces {
        match p {
            Piece::Word(enc, bytes) => out.push_str(
                &super::charset::decode_strict(enc, &bytes)
                    .ok_or_else(|| HeaderProblem::Malformed(enc.name().into()))?,
            ),
            Piece::Text(bytes) => match String::from_utf8(bytes) {
                Ok(s) => out.push_str(&s),
                Err(e) => out.push_str(
                    &fallback
                        .and_then(|enc| super::charset::decode_strict(enc, e.as_bytes()))
                        .ok_or(HeaderProblem::RawBytes)?,
                ),
            },
        }
    }
    Ok(out.trim().to_string())
}

/// The data of a `Q` encoded word: `_` is a space, `=XX` a byte.
fn q_decode(data: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(data.len());
    let mut i = 0;
    while i < data.len() {
        match data[i] {
            b'_' => out.push(b' '),
            b'=' => {
                let hex = std::str::from_utf8(data.get(i + 1..i + 3)?).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    Some(out)
}

/// The message's subject, decoded, or the refusal that names the file and the
/// header.
fn subject_of(raw: &[u8], place: &str) -> Result<String> {
    let Some(value) = raw_header(raw, "Subject") else {
        return Ok(String::new());
    };
    let shown = String::from_utf8_lossy(&value).trim().to_string();
    decode_header(&value, declared_charset(raw)).map_err(|p| {
        let expected = match &p {
            HeaderProblem::UnknownCharset(cs) => t(
                "import.expected.subject_charset",
                &[("charset", crate::sanitize::visible_line(cs))],
            ),
            HeaderProblem::Malformed(cs) => t("import.expected.subject_bytes", &[("charset", cs.clone())]),
            HeaderProblem::BadEncoding => t("import.expected.subject_encoding", &[]),
            HeaderProblem::RawBytes => t("import.expected.subject_raw", &[]),
        };
        bad(place, "Subject", &shown, &expected)
    })
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
    let subject = subject_of(raw, place)?;
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
    let attachments: Vec<Attachment> = msg
        .attachments()
        .map(|p| Attachment {
            name: p.attachment_name().unwrap_or("attachment").to_string(),
            size: p.len() as u64,
        })
        .collect();
    // Their content is kept too (issue 18), under a name unique in the message.
    let mut files: Vec<crate::workflow::command::ImportFile> = Vec::new();
    for (k, p) in msg.attachments().enumerate() {
        let mut name = crate::sanitize::clean_line(p.attachment_name().unwrap_or("attachment"))
            .replace(['/', '\\'], "_")
            .trim()
            .to_string();
        if name.is_empty() || name == "." || name == ".." {
            name = format!("attachment-{}", k + 1);
        }
        if files.iter().any(|f| f.name == name) {
            name = format!("{}-{name}", k + 1);
        }
        files.push(crate::workflow::command::ImportFile {
            name,
            content: crate::model::Content::new(p.contents().to_vec()),
        });
    }
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
        files,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whatever label the table resolves is rewritten to a name mail-parser
    /// decodes with the same encoding (UTF-8 it decodes by default).
    #[test]
    fn every_resolved_charset_is_one_mail_parser_knows() {
        use mail_parser::decoders::charsets::map::charset_decoder;
        let labels = super::super::charset::MAIL_ALIASES.iter().map(|(a, _)| *a).chain([
            "gb2312",
            "gbk",
            "x-gbk",
            "csgb2312",
            "gb18030",
            "big5",
            "big5-hkscs",
            "utf8",
            "iso-8859-1",
        ]);
        for label in labels {
            let enc = super::super::charset::encoding_for(label).unwrap();
            if enc != encoding_rs::UTF_8 {
                assert!(
                    charset_decoder(enc.name().as_bytes()).is_some(),
                    "{label} → {}",
                    enc.name()
                );
            }
        }
    }

    #[test]
    fn labels_are_rewritten_where_they_name_a_charset_only() {
        let mut w = Vec::new();
        let raw = b"Subject: =?cp936?B?0aG/zg==?= =?X-EUC-CN*zh?Q?=D1=A1?=\r\nContent-Type: text/plain; charset=\"ms936\"\r\n\r\nwrite charset=cp936 or a=?b?c";
        let fixed = String::from_utf8(fix_charsets(raw, "x.eml", &mut w)).unwrap();
        assert!(fixed.contains("=?gb18030?B?0aG/zg==?= =?gb18030*zh?Q?"), "{fixed}");
        assert!(fixed.contains("charset=\"gb18030\""), "{fixed}");
        // In the body too (mail-parser reads part headers there), never a non-label.
        assert!(fixed.ends_with("charset=gb18030 or a=?b?c"), "{fixed}");
        assert!(w.is_empty(), "{w:?}");
    }

    #[test]
    fn subjects_decode_strictly() {
        let gbk = |s: &str| encoding_rs::GBK.encode(s).0.into_owned();
        let b64 = |b: &[u8]| {
            // base64 of b, standard alphabet
            const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
            let mut out = String::new();
            for c in b.chunks(3) {
                let n = (c[0] as u32) << 16 | (*c.get(1).unwrap_or(&0) as u32) << 8 | *c.get(2).unwrap_or(&0) as u32;
                for i in 0..4 {
                    if i <= c.len() {
                        out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
                    } else {
                        out.push('=');
                    }
                }
            }
            out
        };
        let word = |cs: &str, b: &[u8]| format!("=?{cs}?B?{}?=", b64(b));
        let s = gbk("选课很慢");
        // Adjacent words in one charset are joined before decoding.
        let split = format!("{} \r\n {}", word("gbk", &s[..3]), word("GBK", &s[3..]));
        assert_eq!(decode_header(split.as_bytes(), None).as_deref(), Ok("选课很慢"));
        // Text between words stays; blanks between two words go.
        let v = format!(
            "Re: {} {} [REQ-2026-0001]",
            word("cp936", &gbk("回复")),
            word("utf8", "：好".as_bytes())
        );
        assert_eq!(
            decode_header(v.as_bytes(), None).as_deref(),
            Ok("Re: 回复：好 [REQ-2026-0001]")
        );
        assert_eq!(decode_header(b"=?gbk?Q?=D1=A1_x?=", None).as_deref(), Ok("选 x"));
        assert_eq!(
            decode_header(word("x-nope", &s).as_bytes(), None),
            Err(HeaderProblem::UnknownCharset("x-nope".into()))
        );
        assert_eq!(
            decode_header(word("utf-8", &s).as_bytes(), None),
            Err(HeaderProblem::Malformed("UTF-8".into()))
        );
        assert_eq!(decode_header(&s, None), Err(HeaderProblem::RawBytes));
        assert_eq!(decode_header(&s, Some(encoding_rs::GB18030)).as_deref(), Ok("选课很慢"));
        assert_eq!(decode_header(b"=?gbk?Q?=Z1?=", None), Err(HeaderProblem::BadEncoding));
    }

    #[test]
    fn the_raw_subject_is_the_messages_own() {
        let raw = b"From: a@b\r\nSubject: one\r\n two\r\nX: y\r\n\r\nSubject: not this";
        assert_eq!(raw_header(raw, "subject").as_deref(), Some(&b" one two"[..]));
        assert_eq!(raw_header(b"From: a@b\r\n\r\nSubject: x", "Subject"), None);
    }
}
