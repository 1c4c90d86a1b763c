//! JSON lines, for the other channels (a website form, a counsellor's spreadsheet
//! converted): one request per line, shaped like `NewRequest`:
//!
//! ```json
//! {"kind":"problem","title":"…","body":"…","system":"SYS-0001" or "教务管理系统",
//!  "submitter":{"name":"…","contact":"…","kind":"student"},"department":"…",
//!  "channel":"website","received_at":"2026-10-13T10:03:00+08:00","priority":"normal",
//!  "tags":["…"],"source":{"external_id":"…","ip":"…","detail":"…"},"key":"…"}
//! ```
//!
//! Only `title` and `submitter` are required; `channel` defaults to `--channel`
//! (else other), `kind` to problem, a system name is resolved like a survey's.
//! `key`, when given, is the import key (else a hash of the line's content).

use std::io::BufRead;

use serde_json::Value;

use super::{bad, content_key, Options, Parsed, UNKNOWN_SYSTEM_TAG};
use crate::error::{Error, Result};
use crate::i18n::t;
use crate::model::{Channel, Source};
use crate::service::{ImportItem, NewRequest};

pub fn parse<R: BufRead>(input: R, name: &str, opts: &Options) -> Result<Parsed> {
    let mut parsed = Parsed::default();
    parse_into(input, name, opts, &mut |i| {
        parsed.items.push(i);
        Ok(())
    })?;
    Ok(parsed)
}

/// [`parse`], handing each line's item to `sink` as soon as it is read.
/// A line longer than [`super::MAX_ROW`] is refused where it is, read no further.
pub fn parse_into<R: BufRead>(mut input: R, name: &str, opts: &Options, sink: &mut super::Sink<'_>) -> Result<()> {
    let mut buf = Vec::new();
    for i in 0.. {
        let read = super::read_line_bounded(&mut input, &mut buf, super::MAX_ROW).map_err(|e| Error::Io {
            path: name.to_string(),
            detail: e.to_string(),
        })?;
        let place = t(
            "import.place.line",
            &[("file", name.to_string()), ("line", (i + 1).to_string())],
        );
        match read {
            None => break,
            Some(false) => return Err(crate::fsutil::too_large(&place, super::MAX_ROW, "line")),
            Some(true) => {}
        }
        let line = std::str::from_utf8(&buf).map_err(|_| bad(&place, "UTF-8", "", &t("import.expected.utf8", &[])))?;
        let line = line.trim_start_matches('\u{feff}').trim();
        if line.is_empty() {
            continue;
        }
        sink(item(line, &place, opts)?)?;
    }
    Ok(())
}

fn item(line: &str, place: &str, opts: &Options) -> Result<ImportItem> {
    let json_err = |e: serde_json::Error| bad(place, "JSON", &e.to_string(), &t("import.expected.jsonl", &[]));
    let mut v: Value = serde_json::from_str(line).map_err(json_err)?;
    let key = format!("row:{}", content_key(&[&v.to_string()]));
    let Some(obj) = v.as_object_mut() else {
        return Err(bad(place, "JSON", line, &t("import.expected.jsonl", &[])));
    };
    let key = match obj.remove("key") {
        Some(Value::String(k)) if !k.trim().is_empty() => format!("key:{}", k.trim()),
        _ => key,
    };
    let source: Option<Source> = match obj.remove("source") {
        Some(s) => Some(serde_json::from_value(s).map_err(|e| bad(place, "source", &e.to_string(), "{…}"))?),
        None => None,
    };
    let channel = opts.channel.unwrap_or(Channel::Other);
    obj.entry("channel")
        .or_insert_with(|| Value::String(channel.as_str().into()));
    obj.entry("kind").or_insert_with(|| Value::String("problem".into()));
    if let Some(Value::Object(s)) = obj.get_mut("submitter") {
        s.entry("kind").or_insert_with(|| Value::String("staff".into()));
    }
    let mut unknown_system = None;
    if let Some(Value::String(sys)) = obj.get("system").cloned() {
        match opts.resolve_system(&sys) {
            Some(id) => {
                obj.insert("system".into(), Value::String(id.to_string()));
            }
            None => {
                obj.remove("system");
                unknown_system = Some(sys);
            }
        }
    }
    let mut request: NewRequest = serde_json::from_value(v).map_err(|e| {
        let msg = e.to_string();
        let field = msg.split('`').nth(1).unwrap_or("JSON").to_string();
        bad(place, &field, &msg, &t("import.expected.jsonl", &[]))
    })?;
    if let Some(sys) = unknown_system.filter(|s| !s.trim().is_empty()) {
        request
            .tags
            .push(format!("{UNKNOWN_SYSTEM_TAG}:{}", crate::sanitize::clean_line(&sys)));
    }
    let mut source = source.unwrap_or_default();
    source.origin = place.to_string();
    Ok(ImportItem {
        request,
        source: Some(source),
        key,
        reply_to: None,
        references: Vec::new(),
        label: place.to_string(),
        files: Vec::new(),
    })
}
