//! One segment file of the persistent archive index (`src/search/archive.rs`).
//!
//! A segment is written once and never changed. It holds, for each record
//! (a filed dossier, or an addendum of one): its kind, time and system, its
//! summary (JSON), its *head* (the normalised id, plan, system, title and
//! versions, one per line: what ranking and the `system:`/`version:` scopes
//! read), its text as filed (lines, for snippets) and that text normalised line
//! by line (for the substring check). Beside them a dictionary of every
//! character and every pair of adjacent characters of the normalised texts,
//! each with the sorted list of records holding it (delta-coded varints).
//!
//! A term of one or two characters is answered by its posting list alone; a
//! longer one by the intersection of its pairs' lists, confirmed on the
//! normalised text of each candidate. Everything is read with positioned reads
//! (`pread`): a query touches the header, the record table, the heads, a few
//! posting lists and the texts of its candidates — not the file.
//!
//! Layout (little-endian): a 64-byte header (magic, counts, section offsets),
//! the record table (56 bytes a record), the dictionary (16 bytes a gram,
//! sorted), the posting lists, the heads, then per record its summary, text
//! and normalised text.

use std::fs::File;
use std::io::Write;
use std::os::unix::fs::FileExt;
use std::path::Path;

use crate::error::{Error, Result};
use crate::model::{DossierSummary, Id, Time};

pub const MAGIC: &[u8; 8] = b"BEIANIX1";
const HEADER: usize = 64;
const ENTRY: usize = 56;
const DICT: usize = 16;

/// What kind of record a hit is (the `kind:` scope).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    /// A filed dossier: the plan with everything recorded until filing.
    Dossier,
    /// An addendum of a filed dossier: a correction or a record made after filing.
    Addendum,
}

impl RecordKind {
    fn code(self) -> u8 {
        match self {
            RecordKind::Dossier => 0,
            RecordKind::Addendum => 1,
        }
    }
    fn from_code(c: u8) -> RecordKind {
        if c == 1 {
            RecordKind::Addendum
        } else {
            RecordKind::Dossier
        }
    }
}

/// A record to index.
#[derive(Debug, Clone)]
pub struct Doc {
    pub kind: RecordKind,
    /// The addendum's number (0 for a dossier).
    pub addendum: u32,
    /// When it went live (a dossier: the live go-live, else its filing) or was
    /// written (an addendum): recency and the `since:`/`until:` scopes.
    pub time: Time,
    /// The dossier's summary (an addendum's: its dossier's).
    pub summary: DossierSummary,
    /// The searchable text, lines as filed.
    pub text: String,
}

/// The normalised head of a summary: id, plan, system, title, from, to.
pub fn head_of(s: &DossierSummary) -> String {
    [
        super::normalize(&s.id.to_string()),
        super::normalize(&s.plan.to_string()),
        super::normalize(&s.system_name),
        super::normalize(&s.title),
        super::normalize(&s.version_from),
        super::normalize(&s.version_to),
    ]
    .join("\n")
}

/// `text` normalised line by line ([`super::normalize`]); a term never holds
/// whitespace, so it occurs here exactly when it occurs in the whole text normalised.
pub fn normalize_lines(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&super::normalize(line));
    }
    out
}

/// The key of a character or a pair of characters.
pub fn gram1(c: char) -> u64 {
    c as u64
}
pub fn gram2(a: char, b: char) -> u64 {
    (1u64 << 42) | ((a as u64) << 21) | b as u64
}

/// Every gram of a normalised text, sorted, without repeats. Line breaks
/// are not part of any gram (a term holds no whitespace).
fn grams(norm: &str, out: &mut Vec<u64>) {
    out.clear();
    let mut prev: Option<char> = None;
    for c in norm.chars() {
        if c == '\n' {
            prev = None;
            continue;
        }
        out.push(gram1(c));
        if let Some(p) = prev {
            out.push(gram2(p, c));
        }
        prev = Some(c);
    }
    out.sort_unstable();
    out.dedup();
}

fn put_varint(out: &mut Vec<u8>, mut v: u32) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn get_varints(bytes: &[u8], count: usize) -> Vec<u32> {
    let mut out = Vec::with_capacity(count);
    let (mut cur, mut shift, mut last) = (0u32, 0, 0u32);
    for &b in bytes {
        cur |= ((b & 0x7f) as u32) << shift;
        if b & 0x80 == 0 {
            last = last.wrapping_add(cur);
            out.push(last);
            cur = 0;
            shift = 0;
        } else {
            shift += 7;
        }
    }
    out
}

struct Posting {
    last: u32,
    count: u32,
    bytes: Vec<u8>,
}

/// Write `docs` as a segment at `path` (created exclusively under a temporary
/// name and renamed, so a reader never sees half a segment).
pub fn write(path: &Path, docs: &[Doc]) -> Result<()> {
    let io = |e: std::io::Error| Error::io(path, e);
    let mut dict: std::collections::HashMap<u64, Posting> = std::collections::HashMap::new();
    let mut table = Vec::with_capacity(docs.len() * ENTRY);
    let mut heads = Vec::new();
    let mut blob = Vec::new();
    let mut g = Vec::new();
    for (i, d) in docs.iter().enumerate() {
        let norm = normalize_lines(&d.text);
        grams(&norm, &mut g);
        for &k in &g {
            let p = dict.entry(k).or_insert(Posting {
                last: 0,
                count: 0,
                bytes: Vec::new(),
            });
            put_varint(&mut p.bytes, i as u32 - p.last);
            p.last = i as u32;
            p.count += 1;
        }
        let sum = serde_json::to_vec(&d.summary).map_err(|e| Error::Storage { detail: e.to_string() })?;
        let head = head_of(&d.summary);
        let head_off = heads.len() as u64;
        heads.extend_from_slice(head.as_bytes());
        let off = blob.len() as u64;
        blob.extend_from_slice(&sum);
        blob.extend_from_slice(d.text.as_bytes());
        blob.extend_from_slice(norm.as_bytes());
        table.push(d.kind.code());
        table.extend_from_slice(&[0, 0, 0]);
        table.extend_from_slice(&d.addendum.to_le_bytes());
        table.extend_from_slice(&d.time.timestamp_millis().to_le_bytes());
        table.extend_from_slice(&u64::from_be_bytes(pad8(&d.summary.system.key())).to_le_bytes());
        table.extend_from_slice(&off.to_le_bytes());
        table.extend_from_slice(&(head_off as u32).to_le_bytes());
        table.extend_from_slice(&(head.len() as u32).to_le_bytes());
        table.extend_from_slice(&(sum.len() as u32).to_le_bytes());
        table.extend_from_slice(&(d.text.len() as u32).to_le_bytes());
        table.extend_from_slice(&(norm.len() as u32).to_le_bytes());
        table.extend_from_slice(&[0, 0, 0, 0]);
        debug_assert_eq!(table.len(), (i + 1) * ENTRY);
    }
    let mut keys: Vec<u64> = dict.keys().copied().collect();
    keys.sort_unstable();
    let mut dict_bytes = Vec::with_capacity(keys.len() * DICT);
    let mut post = Vec::new();
    for k in &keys {
        let p = &dict[k];
        dict_bytes.extend_from_slice(&k.to_le_bytes());
        dict_bytes.extend_from_slice(&(post.len() as u32).to_le_bytes());
        dict_bytes.extend_from_slice(&p.count.to_le_bytes());
        post.extend_from_slice(&p.bytes);
    }
    let table_off = HEADER as u64;
    let dict_off = table_off + table.len() as u64;
    let post_off = dict_off + dict_bytes.len() as u64;
    let heads_off = post_off + post.len() as u64;
    let blob_off = heads_off + heads.len() as u64;
    let len = blob_off + blob.len() as u64;
    let mut header = Vec::with_capacity(HEADER);
    header.extend_from_slice(MAGIC);
    header.extend_from_slice(&(docs.len() as u32).to_le_bytes());
    header.extend_from_slice(&(keys.len() as u32).to_le_bytes());
    for v in [table_off, dict_off, post_off, heads_off, blob_off, len] {
        header.extend_from_slice(&v.to_le_bytes());
    }
    header.resize(HEADER, 0);
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".seg.")
        .suffix(".tmp")
        .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o600))
        .tempfile_in(dir)
        .map_err(io)?;
    {
        let mut w = std::io::BufWriter::with_capacity(1 << 20, tmp.as_file_mut());
        for part in [&header, &table, &dict_bytes, &post, &heads, &blob] {
            w.write_all(part).map_err(io)?;
        }
        w.flush().map_err(io)?;
    }
    tmp.as_file().sync_all().map_err(io)?;
    tmp.persist(path).map_err(|e| io(e.error))?;
    Ok(())
}

fn pad8(key: &[u8]) -> [u8; 8] {
    let mut out = [0u8; 8];
    let n = key.len().min(8);
    out[8 - n..].copy_from_slice(&key[key.len() - n..]);
    out
}

/// The system key of a summary as the record table stores it.
pub fn system_code(id: Id) -> u64 {
    u64::from_be_bytes(pad8(&id.key()))
}

/// A record of the table.
#[derive(Debug, Clone, Copy)]
pub struct Entry {
    pub kind: RecordKind,
    pub addendum: u32,
    pub time_ms: i64,
    pub system: u64,
    off: u64,
    head_off: u32,
    head_len: u32,
    sum_len: u32,
    raw_len: u32,
    norm_len: u32,
}

/// An open segment.
pub struct Segment {
    file: File,
    path: std::path::PathBuf,
    ngrams: usize,
    dict_off: u64,
    post_off: u64,
    heads_off: u64,
    blob_off: u64,
    pub entries: Vec<Entry>,
    heads: Vec<u8>,
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().unwrap_or_default())
}
fn u64_at(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().unwrap_or_default())
}

impl Segment {
    pub fn open(path: &Path) -> Result<Segment> {
        let file = File::open(path).map_err(|e| Error::io(path, e))?;
        let mut s = Segment {
            file,
            path: path.to_path_buf(),
            ngrams: 0,
            dict_off: 0,
            post_off: 0,
            heads_off: 0,
            blob_off: 0,
            entries: Vec::new(),
            heads: Vec::new(),
        };
        let h = s.read(0, HEADER)?;
        if &h[..8] != MAGIC {
            return Err(s.damaged("magic"));
        }
        let ndocs = u32_at(&h, 8) as usize;
        s.ngrams = u32_at(&h, 12) as usize;
        let table_off = u64_at(&h, 16);
        s.dict_off = u64_at(&h, 24);
        s.post_off = u64_at(&h, 32);
        s.heads_off = u64_at(&h, 40);
        s.blob_off = u64_at(&h, 48);
        let len = u64_at(&h, 56);
        let actual = s.file.metadata().map_err(|e| Error::io(path, e))?.len();
        if actual != len || table_off + (ndocs * ENTRY) as u64 != s.dict_off {
            return Err(s.damaged("length"));
        }
        let t = s.read(table_off, ndocs * ENTRY)?;
        s.entries = t
            .chunks_exact(ENTRY)
            .map(|e| Entry {
                kind: RecordKind::from_code(e[0]),
                addendum: u32_at(e, 4),
                time_ms: u64_at(e, 8) as i64,
                system: u64_at(e, 16),
                off: u64_at(e, 24),
                head_off: u32_at(e, 32),
                head_len: u32_at(e, 36),
                sum_len: u32_at(e, 40),
                raw_len: u32_at(e, 44),
                norm_len: u32_at(e, 48),
            })
            .collect();
        s.heads = s.read(s.heads_off, (s.blob_off - s.heads_off) as usize)?;
        Ok(s)
    }

    fn damaged(&self, what: &str) -> Error {
        Error::Storage {
            detail: format!(
                "{}: damaged archive index segment ({what}); run `beian reindex`",
                self.path.display()
            ),
        }
    }

    fn read(&self, at: u64, len: usize) -> Result<Vec<u8>> {
        let mut buf = vec![0u8; len];
        self.read_into(at, &mut buf)?;
        Ok(buf)
    }

    fn read_into(&self, at: u64, buf: &mut [u8]) -> Result<()> {
        self.file.read_exact_at(buf, at).map_err(|e| Error::io(&self.path, e))
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The sorted records holding `gram`.
    pub fn postings(&self, gram: u64) -> Result<Vec<u32>> {
        let (mut lo, mut hi) = (0usize, self.ngrams);
        let mut buf = [0u8; DICT];
        while lo < hi {
            let mid = (lo + hi) / 2;
            self.read_into(self.dict_off + (mid * DICT) as u64, &mut buf)?;
            let k = u64_at(&buf, 0);
            if k == gram {
                let off = u32_at(&buf, 8) as u64;
                let count = u32_at(&buf, 12) as usize;
                let end = if mid + 1 < self.ngrams {
                    let mut next = [0u8; DICT];
                    self.read_into(self.dict_off + ((mid + 1) * DICT) as u64, &mut next)?;
                    u32_at(&next, 8) as u64
                } else {
                    self.heads_off - self.post_off
                };
                let bytes = self.read(self.post_off + off, (end - off) as usize)?;
                return Ok(get_varints(&bytes, count));
            }
            if k < gram {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        Ok(Vec::new())
    }

    /// The normalised head of record `i`.
    pub fn head(&self, i: usize) -> &str {
        let e = &self.entries[i];
        let (a, b) = (e.head_off as usize, (e.head_off + e.head_len) as usize);
        std::str::from_utf8(self.heads.get(a..b).unwrap_or_default()).unwrap_or_default()
    }

    pub fn summary(&self, i: usize) -> Result<DossierSummary> {
        let e = &self.entries[i];
        let b = self.read(self.blob_off + e.off, e.sum_len as usize)?;
        serde_json::from_slice(&b).map_err(|_| self.damaged("summary"))
    }

    /// The text of record `i` as filed.
    pub fn text(&self, i: usize) -> Result<String> {
        let e = &self.entries[i];
        let b = self.read(self.blob_off + e.off + e.sum_len as u64, e.raw_len as usize)?;
        String::from_utf8(b).map_err(|_| self.damaged("text"))
    }

    /// The normalised text of record `i`, into `buf`.
    pub fn norm_into(&self, i: usize, buf: &mut Vec<u8>) -> Result<()> {
        let e = &self.entries[i];
        buf.resize(e.norm_len as usize, 0);
        self.read_into(self.blob_off + e.off + e.sum_len as u64 + e.raw_len as u64, buf)
    }

    /// Every record, as it was given to [`write`] (to merge segments).
    pub fn docs(&self) -> Result<Vec<Doc>> {
        (0..self.len())
            .map(|i| {
                let e = &self.entries[i];
                Ok(Doc {
                    kind: e.kind,
                    addendum: e.addendum,
                    time: chrono::DateTime::from_timestamp_millis(e.time_ms).unwrap_or_default(),
                    summary: self.summary(i)?,
                    text: self.text(i)?,
                })
            })
            .collect()
    }
}
