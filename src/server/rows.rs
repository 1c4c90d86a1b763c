//! The request list as compact binary rows (issue 16 §2, protocol 9): the
//! biggest answer a client asks for (100,000 summaries) travels without JSON.
//!
//! Layout (integers as LEB128 varints unless said otherwise):
//!
//! ```text
//! "BRQ1"  strings: n, then n × (len, UTF-8)   — every text once (interned)
//!         rows: n, then per row:
//!           id: 6 bytes (Id::key)             status, kind, channel, priority,
//!           system: 0 | 1 + 6 bytes           department, title: string numbers
//!           received_at: i64 LE (seconds) + u32 LE (nanoseconds)
//!           tags: n + n string numbers        plan: 0 | 1 + 6 bytes
//!           rev                               flags: bit 0 analysed
//!           review: 0 | 1 + 6 bytes           similar_to: 0 | 1 + 6 bytes
//! ```
//!
//! Statuses, kinds, channels and priorities are written as their stable names
//! (interned like every other text), so the encoding follows the model's
//! enums without a table of its own. Department and system names repeat
//! across thousands of rows and are stored once; the decoder shares them too
//! (one allocation per distinct text is decoded per row, never a re-parse).

use std::collections::HashMap;

use serde::de::DeserializeOwned;

use crate::error::{Error, Result};
use crate::model::{Id, IdKind, RequestSummary};

const MAGIC: &[u8; 4] = b"BRQ1";

fn bad(detail: &str) -> Error {
    Error::Protocol {
        detail: format!("request rows: {detail}"),
    }
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

struct Writer {
    strings: HashMap<String, u32>,
    table: Vec<u8>,
    count: u32,
    rows: Vec<u8>,
}

impl Writer {
    fn text(&mut self, s: &str) {
        let n = match self.strings.get(s) {
            Some(n) => *n,
            None => {
                let n = self.count;
                self.count += 1;
                put_varint(&mut self.table, s.len() as u64);
                self.table.extend_from_slice(s.as_bytes());
                self.strings.insert(s.to_string(), n);
                n
            }
        };
        put_varint(&mut self.rows, u64::from(n));
    }

    fn id(&mut self, id: Id) {
        self.rows
            .push(IdKind::ALL.iter().position(|k| *k == id.kind).unwrap_or(0) as u8);
        self.rows.extend_from_slice(&id.key());
    }

    fn opt_id(&mut self, id: Option<Id>) {
        match id {
            None => self.rows.push(0),
            Some(id) => {
                self.rows.push(1);
                self.id(id);
            }
        }
    }
}

/// Encode a request list.
pub fn encode_requests(rows: &[RequestSummary]) -> Vec<u8> {
    let mut w = Writer {
        strings: HashMap::new(),
        table: Vec::new(),
        count: 0,
        rows: Vec::with_capacity(rows.len() * 48),
    };
    put_varint(&mut w.rows, rows.len() as u64);
    for r in rows {
        w.id(r.id);
        for text in [
            r.status.as_str(),
            r.kind.as_str(),
            r.channel.as_str(),
            r.priority.as_str(),
        ] {
            w.text(text);
        }
        w.opt_id(r.system);
        w.text(&r.department);
        w.text(&r.title);
        w.rows.extend_from_slice(&r.received_at.timestamp().to_le_bytes());
        w.rows
            .extend_from_slice(&r.received_at.timestamp_subsec_nanos().to_le_bytes());
        put_varint(&mut w.rows, r.tags.len() as u64);
        for t in &r.tags {
            w.text(t);
        }
        w.opt_id(r.plan);
        put_varint(&mut w.rows, r.rev);
        w.rows.push(u8::from(r.analysed));
        w.opt_id(r.review);
        w.opt_id(r.similar_to);
    }
    let mut out = Vec::with_capacity(4 + 5 + w.table.len() + w.rows.len());
    out.extend_from_slice(MAGIC);
    put_varint(&mut out, u64::from(w.count));
    out.extend_from_slice(&w.table);
    out.extend_from_slice(&w.rows);
    out
}

struct Reader<'a> {
    b: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn byte(&mut self) -> Result<u8> {
        let v = *self.b.get(self.at).ok_or_else(|| bad("truncated"))?;
        self.at += 1;
        Ok(v)
    }

    fn bytes(&mut self, n: usize) -> Result<&[u8]> {
        let end = self
            .at
            .checked_add(n)
            .filter(|e| *e <= self.b.len())
            .ok_or_else(|| bad("truncated"))?;
        let s = &self.b[self.at..end];
        self.at = end;
        Ok(s)
    }

    fn varint(&mut self) -> Result<u64> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(bad("varint too long"))
    }

    fn len(&mut self) -> Result<usize> {
        let n = usize::try_from(self.varint()?).map_err(|_| bad("length"))?;
        // Every element takes at least a byte: a length beyond the input is a lie.
        if n > self.b.len() - self.at.min(self.b.len()) {
            return Err(bad("length beyond the input"));
        }
        Ok(n)
    }

    fn id(&mut self) -> Result<Id> {
        let kind = *IdKind::ALL.get(self.byte()? as usize).ok_or_else(|| bad("id kind"))?;
        Id::from_key(kind, self.bytes(6)?).ok_or_else(|| bad("id"))
    }

    fn opt_id(&mut self) -> Result<Option<Id>> {
        match self.byte()? {
            0 => Ok(None),
            1 => self.id().map(Some),
            _ => Err(bad("optional id")),
        }
    }
}

/// Decode what [`encode_requests`] wrote.
pub fn decode_requests(b: &[u8]) -> Result<Vec<RequestSummary>> {
    if b.get(..4) != Some(MAGIC.as_slice()) {
        return Err(bad("not request rows"));
    }
    let mut r = Reader { b, at: 4 };
    let n = r.len()?;
    let mut strings = Vec::with_capacity(n);
    for _ in 0..n {
        let len = r.len()?;
        let s = std::str::from_utf8(r.bytes(len)?).map_err(|_| bad("text is not UTF-8"))?;
        strings.push(s.to_string());
    }
    let text = |r: &mut Reader| -> Result<&String> {
        let i = r.varint()?;
        strings.get(i as usize).ok_or_else(|| bad("string number"))
    };
    // An enum per distinct name, decoded once.
    fn enum_of<E: DeserializeOwned + Copy>(memo: &mut HashMap<*const String, E>, s: &String) -> Result<E> {
        if let Some(e) = memo.get(&(s as *const String)) {
            return Ok(*e);
        }
        let e: E = serde_json::from_value(serde_json::Value::String(s.clone())).map_err(|e| bad(&e.to_string()))?;
        memo.insert(s as *const String, e);
        Ok(e)
    }
    let (mut st, mut ki, mut ch, mut pr) = (HashMap::new(), HashMap::new(), HashMap::new(), HashMap::new());
    let rows = r.len()?;
    let mut out = Vec::with_capacity(rows);
    for _ in 0..rows {
        let id = r.id()?;
        let status = enum_of(&mut st, text(&mut r)?)?;
        let kind = enum_of(&mut ki, text(&mut r)?)?;
        let channel = enum_of(&mut ch, text(&mut r)?)?;
        let priority = enum_of(&mut pr, text(&mut r)?)?;
        let system = r.opt_id()?;
        let department = text(&mut r)?.clone();
        let title = text(&mut r)?.clone();
        let secs = i64::from_le_bytes(r.bytes(8)?.try_into().map_err(|_| bad("time"))?);
        let nanos = u32::from_le_bytes(r.bytes(4)?.try_into().map_err(|_| bad("time"))?);
        let received_at = chrono::DateTime::from_timestamp(secs, nanos).ok_or_else(|| bad("time"))?;
        let ntags = r.len()?;
        let mut tags = Vec::with_capacity(ntags);
        for _ in 0..ntags {
            tags.push(text(&mut r)?.clone());
        }
        let plan = r.opt_id()?;
        let rev = r.varint()?;
        let analysed = r.byte()? & 1 == 1;
        let review = r.opt_id()?;
        let similar_to = r.opt_id()?;
        out.push(RequestSummary {
            id,
            status,
            kind,
            channel,
            priority,
            system,
            department,
            title,
            received_at,
            tags,
            plan,
            rev,
            analysed,
            review,
            similar_to,
        });
    }
    if r.at != b.len() {
        return Err(bad("bytes after the last row"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Channel, Priority, RequestKind, RequestStatus};
    use proptest::prelude::*;

    fn id(kind: IdKind, year: u16, seq: u32) -> Id {
        let mut key = year.to_be_bytes().to_vec();
        key.extend_from_slice(&seq.to_be_bytes());
        Id::from_key(kind, &key).unwrap()
    }

    fn row() -> impl Strategy<Value = RequestSummary> {
        (
            (1u32..100_000, 0usize..4, 0usize..3, 0usize..3, 0usize..3),
            (proptest::option::of(1u32..300), "[教务财网a-z ]{0,6}", "\\PC{0,40}"),
            (
                0i64..4_000_000_000,
                0u32..1_000_000_000,
                proptest::collection::vec("[a-z一二]{1,4}", 0..3),
            ),
            (
                proptest::option::of(1u32..9999),
                any::<u64>(),
                any::<bool>(),
                proptest::option::of(1u32..99),
                proptest::option::of(1u32..99_999),
            ),
        )
            .prop_map(
                |((n, s, k, c, p), (sys, dept, title), (secs, nanos, tags), (plan, rev, analysed, review, similar))| {
                    RequestSummary {
                        id: id(IdKind::Request, 2026, n),
                        status: [
                            RequestStatus::New,
                            RequestStatus::Triaged,
                            RequestStatus::Accepted,
                            RequestStatus::Rejected,
                        ][s],
                        kind: [RequestKind::Feature, RequestKind::Problem, RequestKind::Feature][k],
                        channel: [Channel::Email, Channel::Website, Channel::Phone][c],
                        priority: [Priority::Low, Priority::Normal, Priority::High][p],
                        system: sys.map(|s| id(IdKind::System, 0, s)),
                        department: dept,
                        title,
                        received_at: chrono::DateTime::from_timestamp(secs, nanos).unwrap(),
                        tags,
                        plan: plan.map(|p| id(IdKind::Plan, 2026, p)),
                        rev,
                        analysed,
                        review: review.map(|r| id(IdKind::JointReview, 2026, r)),
                        similar_to: similar.map(|r| id(IdKind::Request, 2025, r)),
                    }
                },
            )
    }

    proptest! {
        #[test]
        fn request_rows_round_trip(rows in proptest::collection::vec(row(), 0..60)) {
            let bytes = encode_requests(&rows);
            prop_assert_eq!(decode_requests(&bytes).unwrap(), rows);
        }

        #[test]
        fn truncated_or_changed_rows_are_refused_or_decode_without_panic(
            rows in proptest::collection::vec(row(), 1..10),
            cut in any::<prop::sample::Index>(),
            flip in any::<prop::sample::Index>(),
        ) {
            let bytes = encode_requests(&rows);
            let at = cut.index(bytes.len());
            prop_assert!(decode_requests(&bytes[..at]).is_err());
            let mut changed = bytes.clone();
            let i = flip.index(changed.len());
            changed[i] ^= 0x5a;
            let _ = decode_requests(&changed);
        }
    }

    #[test]
    fn shared_texts_are_stored_once() {
        let base = RequestSummary {
            id: id(IdKind::Request, 2026, 1),
            status: RequestStatus::New,
            kind: RequestKind::Problem,
            channel: Channel::Email,
            priority: Priority::Normal,
            system: Some(id(IdKind::System, 0, 3)),
            department: "化学化工学院".into(),
            title: "项目经费余额显示与财务账不符".into(),
            received_at: chrono::DateTime::from_timestamp(1_790_000_000, 0).unwrap(),
            tags: vec![],
            plan: None,
            rev: 1,
            analysed: false,
            review: None,
            similar_to: None,
        };
        let rows: Vec<RequestSummary> = (1..=1000)
            .map(|n| RequestSummary {
                id: id(IdKind::Request, 2026, n),
                title: format!("第{n}条"),
                ..base.clone()
            })
            .collect();
        let bytes = encode_requests(&rows);
        let json = serde_json::to_vec(&rows).unwrap();
        assert_eq!(
            bytes
                .windows("化学化工学院".len())
                .filter(|w| *w == "化学化工学院".as_bytes())
                .count(),
            1
        );
        assert!(
            bytes.len() * 5 < json.len(),
            "{} bytes against {} of JSON",
            bytes.len(),
            json.len()
        );
        assert_eq!(decode_requests(&bytes).unwrap(), rows);
    }
}
