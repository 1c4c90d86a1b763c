//! The persistent archive index: segment files (`segment.rs`) in the data
//! directory's `archive-index/`, derived from the records and rebuildable
//! (`beian reindex`), so that no process rebuilds an index from the texts at
//! open and a search reads only what it needs.
//!
//! - `manifest.json` names the segments in order and the database state they
//!   cover (`gen`: the store's archive counter, bumped in the same transaction as
//!   every filing and addendum; the creator, whose admin role a reader without
//!   the database needs). Replaced atomically (written aside, renamed).
//! - `covered.json` says which records the segments hold (the last dossier key,
//!   the addenda of each dossier): what the writer reads to catch up.
//! - `stale` is created *inside* the transaction that files a dossier or
//!   appends an addendum, before it commits, and removed once the segments hold
//!   the record. A reader that finds it (or no manifest) asks the database
//!   instead, whose owner catches the index up first ([`catch_up`]); so a crash
//!   between the commit and the index write costs a catch-up, never a wrong answer.
//!
//! Each change adds a small segment; past [`MAX_SEGMENTS`] the small ones are
//! merged into one. A database without the index (an older one) gets it at
//! open ([`ensure`]).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub use super::segment::RecordKind;
use super::segment::{self, Doc, Segment};
use crate::error::{Error, Result};
use crate::model::{DossierSummary, Id, IdKind, Time};
use crate::store::Store;

pub const DIR: &str = "archive-index";
pub const STALE: &str = "stale";
const MANIFEST: &str = "manifest.json";
const COVERED: &str = "covered.json";
/// Segments before the small ones are merged.
pub const MAX_SEGMENTS: usize = 8;
/// Default page size of an answer.
pub const DEFAULT_LIMIT: usize = 20;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Manifest {
    pub version: u32,
    pub gen: u64,
    pub dossiers: u64,
    pub creator: String,
    pub segments: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Covered {
    last_dossier: Option<Id>,
    addenda: HashMap<Id, u32>,
    next_segment: u64,
}

pub fn index_dir(data_dir: &Path) -> PathBuf {
    data_dir.join(DIR)
}

fn read_json<T: for<'de> Deserialize<'de>>(path: &Path) -> Option<T> {
    let bytes = std::fs::read(path).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// The manifest, when the index is current: no `stale` marker and a manifest
/// that parses. `None`: ask the database.
pub fn current_manifest(data_dir: &Path) -> Option<Manifest> {
    let dir = index_dir(data_dir);
    if dir.join(STALE).exists() {
        return None;
    }
    read_json::<Manifest>(&dir.join(MANIFEST)).filter(|m| m.version == 1)
}

// ---------------------------------------------------------------- the query

/// A search of the archive: words and scopes, a page of the answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchRequest {
    /// Words and scopes (`system:` `since:` `until:` `version:` `kind:`).
    pub query: String,
    /// Scopes given apart (the CLI's `--system`, `--from`, `--to`).
    #[serde(default)]
    pub system: Option<Id>,
    #[serde(default)]
    pub since: Option<NaiveDate>,
    #[serde(default)]
    pub until: Option<NaiveDate>,
    pub limit: usize,
    #[serde(default)]
    pub offset: usize,
}

impl SearchRequest {
    pub fn new(query: &str) -> SearchRequest {
        SearchRequest {
            query: query.to_string(),
            system: None,
            since: None,
            until: None,
            limit: DEFAULT_LIMIT,
            offset: 0,
        }
    }
}

/// A query taken apart: the words (normalised) and the scopes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parsed {
    pub terms: Vec<String>,
    /// `system:` values, normalised: a system id or part of its name.
    pub systems: Vec<String>,
    pub since: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
    /// `version:` values, normalised: part of the version before or after.
    pub versions: Vec<String>,
    pub kind: Option<RecordKind>,
    /// Words of Latin letters also match a system's name or a title by pinyin.
    pub pinyin: bool,
    /// The hits' summaries only, without snippets (the plain archive list:
    /// every hit, no record's text read for its answer).
    pub summaries_only: bool,
}

/// The scope names a query accepts.
pub const SCOPES: &[&str] = &["system", "since", "until", "version", "kind"];

fn date_scope(key: &str, v: &str, today: NaiveDate) -> Result<NaiveDate> {
    if let Some(n) = v.strip_suffix('d').and_then(|n| n.parse::<i64>().ok()) {
        if (0..=36_600).contains(&n) {
            return Ok(today - chrono::Duration::days(n));
        }
    }
    NaiveDate::parse_from_str(v, "%Y-%m-%d")
        .map_err(|_| Error::input(&format!("{key}:"), v, &crate::i18n::t("search.scope.date", &[])))
}

/// Take a query apart. A word `name:value` whose name is a scope is that
/// scope; any other word (`http://…`, `nginx:`) is a word to find.
pub fn parse(query: &str, today: NaiveDate) -> Result<Parsed> {
    let mut p = Parsed {
        pinyin: true,
        ..Default::default()
    };
    for word in super::terms(query) {
        let Some((key, value)) = word.split_once(':').filter(|(k, _)| SCOPES.contains(k)) else {
            p.terms.push(word);
            continue;
        };
        if value.is_empty() {
            return Err(Error::input(
                &format!("{key}:"),
                "",
                &crate::i18n::t("search.scope.empty", &[]),
            ));
        }
        match key {
            "system" => p.systems.push(value.to_string()),
            "version" => p.versions.push(value.to_string()),
            "since" => p.since = Some(date_scope(key, value, today)?),
            "until" => p.until = Some(date_scope(key, value, today)?),
            _ => {
                p.kind = Some(match value {
                    "dossier" | "档案" => RecordKind::Dossier,
                    "addendum" | "补记" | "附记" => RecordKind::Addendum,
                    _ => {
                        return Err(Error::input(
                            &format!("{key}:"),
                            value,
                            &crate::i18n::t("search.scope.kind", &[]),
                        ))
                    }
                })
            }
        }
    }
    Ok(p)
}

// ---------------------------------------------------------------- the answer

/// A line of a hit where the words occur; `matches` are byte ranges in `line`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snippet {
    pub line: String,
    pub matches: Vec<(usize, usize)>,
}

/// One record found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hit {
    pub kind: RecordKind,
    pub dossier: DossierSummary,
    /// The addendum's number, for an addendum.
    pub addendum: Option<u32>,
    pub time: Time,
    /// The rank's score in thousandths ([`score`]).
    pub score: u32,
    pub snippets: Vec<Snippet>,
}

impl Hit {
    /// The record: `FILE-2026-0003` or `FILE-2026-0003 #2`.
    pub fn reference(&self) -> String {
        match self.addendum {
            Some(n) => format!("{} #{n}", self.dossier.id),
            None => self.dossier.id.to_string(),
        }
    }
}

/// A page of the answer: `total` records match, these are from `offset`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchAnswer {
    pub total: usize,
    pub offset: usize,
    pub hits: Vec<Hit>,
    /// The words looked for (normalised), for highlighting elsewhere.
    pub terms: Vec<String>,
}

/// Field weights of the ranking: a word in the title counts most, then the
/// system, version or id, then the plan's sections; an addendum counts half.
pub const W_TITLE: f64 = 8.0;
pub const W_HEAD: f64 = 6.0;
pub const W_BODY: f64 = 2.0;
pub const ADDENDUM_FACTOR: f64 = 0.5;

/// A word matched only by the pinyin of a system's name or a title: below
/// every literal match.
pub const W_PINYIN: f64 = 1.0;

/// [`score`] where `pinyin_only[i]` says word `i` matched by pinyin only.
pub fn score_with(
    kind: RecordKind,
    head: &str,
    terms: &[String],
    pinyin_only: &[bool],
    time_ms: i64,
    now: Time,
) -> f64 {
    let literal: Vec<String> = terms
        .iter()
        .zip(pinyin_only)
        .filter(|(_, p)| !**p)
        .map(|(t, _)| t.clone())
        .collect();
    let n = pinyin_only.iter().filter(|p| **p).count() as f64;
    let factor = if kind == RecordKind::Addendum {
        ADDENDUM_FACTOR
    } else {
        1.0
    };
    score(kind, head, &literal, time_ms, now) + n * W_PINYIN * factor
}

/// A line of `field` (a title or a system's name) with the characters a word
/// matched by pinyin marked.
pub fn pinyin_snippet(field: &str, terms: &[String]) -> Option<Snippet> {
    let line = crate::sanitize::clean_line(field);
    let keys = super::pinyin::Keys::new(&line);
    let mut matches = Vec::new();
    for t in terms {
        let Some(q) = super::pinyin::Query::new(t) else {
            continue;
        };
        if let Some(m) = keys.find(&q) {
            let at = |n: usize| line.char_indices().nth(n).map_or(line.len(), |(i, _)| i);
            matches.push((at(m.start), at(m.end)));
        }
    }
    matches.sort_unstable();
    (!matches.is_empty()).then_some(Snippet { line, matches })
}

/// The score of a record: each word by the best field it occurs in, an
/// addendum at half, plus recency (1 today, ½ a year ago, …, below any field step).
pub fn score(kind: RecordKind, head: &str, terms: &[String], time_ms: i64, now: Time) -> f64 {
    let lines: Vec<&str> = head.split('\n').collect();
    let title = lines.get(3).copied().unwrap_or_default();
    let mut s = 0.0;
    for t in terms {
        s += if title.contains(t.as_str()) {
            W_TITLE
        } else if lines.iter().enumerate().any(|(i, l)| i != 3 && l.contains(t.as_str())) {
            W_HEAD
        } else {
            W_BODY
        };
    }
    if kind == RecordKind::Addendum {
        s *= ADDENDUM_FACTOR;
    }
    let age_days = ((now.timestamp_millis() - time_ms) as f64 / 86_400_000.0).max(0.0);
    s + 0.5f64.powf(age_days / 365.0)
}

fn local_day(ms: i64) -> NaiveDate {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .with_timezone(&chrono::Local)
        .date_naive()
}

/// Does the record pass the scopes (everything but the words)?
fn in_scope(p: &Parsed, req: &SearchRequest, e: &segment::Entry, head: &str) -> bool {
    if p.kind.is_some_and(|k| k != e.kind) {
        return false;
    }
    if req.system.is_some_and(|s| segment::system_code(s) != e.system) {
        return false;
    }
    let day = local_day(e.time_ms);
    let since = [p.since, req.since].into_iter().flatten().max();
    let until = [p.until, req.until].into_iter().flatten().min();
    if since.is_some_and(|d| day < d) || until.is_some_and(|d| day > d) {
        return false;
    }
    let lines: Vec<&str> = head.split('\n').collect();
    let system = lines.get(2).copied().unwrap_or_default();
    if !p.systems.iter().all(|s| {
        system.contains(s.as_str()) || system_id_is(e.system, s) || p.pinyin && super::pinyin::matches(system, s)
    }) {
        return false;
    }
    let (from, to) = (
        lines.get(4).copied().unwrap_or_default(),
        lines.get(5).copied().unwrap_or_default(),
    );
    p.versions
        .iter()
        .all(|v| from.contains(v.as_str()) || to.contains(v.as_str()))
}

fn system_id_is(code: u64, s: &str) -> bool {
    Id::parse_kind(s, IdKind::System).is_ok_and(|id| segment::system_code(id) == code)
}

/// The normalised text of a line with, for every byte of it, the byte of the
/// line it came from (a character folded to several keeps its source).
pub fn normalize_mapped(line: &str) -> (String, Vec<usize>) {
    let mut out = String::with_capacity(line.len());
    let mut map = Vec::with_capacity(line.len() + 1);
    let mut space = false;
    for (at, c) in line.char_indices() {
        let c = match c {
            '\u{3000}' => ' ',
            '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
            _ => c,
        };
        if c.is_whitespace() {
            if !space && !out.is_empty() {
                out.push(' ');
                map.push(at);
            }
            space = true;
            continue;
        }
        space = false;
        for l in c.to_lowercase() {
            let before = out.len();
            out.push(l);
            map.extend(std::iter::repeat_n(at, out.len() - before));
        }
    }
    map.push(line.len());
    (out, map)
}

/// Up to `max` lines of `text` holding any of the words, each made safe for a
/// terminal and cut to about `width` characters around its first match, with
/// the matches as byte ranges of the line shown. The first `head` lines (the
/// id, system, title and versions the hit's own line shows) come last.
pub fn snippets(text: &str, terms: &[String], max: usize, width: usize, head: usize) -> Vec<Snippet> {
    let lines: Vec<&str> = text.split('\n').collect();
    let order = (head.min(lines.len())..lines.len()).chain(0..head.min(lines.len()));
    let mut out = Vec::new();
    for i in order {
        if out.len() >= max {
            break;
        }
        if let Some(s) = snippet(lines[i], terms, width) {
            out.push(s);
        }
    }
    out
}

/// One line as a snippet, when it holds any of the words.
pub fn snippet(raw: &str, terms: &[String], width: usize) -> Option<Snippet> {
    let line = crate::sanitize::clean_line(raw);
    let (norm, map) = normalize_mapped(&line);
    let mut found: Vec<(usize, usize)> = Vec::new();
    for t in terms.iter().filter(|t| !t.is_empty()) {
        let mut from = 0;
        while let Some(i) = norm[from..].find(t.as_str()) {
            let (a, b) = (from + i, from + i + t.len());
            // The end maps to the start of the next source character.
            let end = if b < norm.len() { map[b] } else { line.len() };
            found.push((map[a], end.max(map[a])));
            from = b;
        }
    }
    if found.is_empty() {
        return None;
    }
    found.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for (a, b) in found {
        match merged.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => merged.push((a, b)),
        }
    }
    Some(cut(&line, merged, width))
}

/// How many first lines of a record's text repeat what its hit line shows.
pub fn head_lines(kind: RecordKind) -> usize {
    match kind {
        RecordKind::Dossier => 8,
        RecordKind::Addendum => 1,
    }
}

/// `line` cut to about `width` characters starting a little before its first
/// match, the ranges moved with it.
fn cut(line: &str, ranges: Vec<(usize, usize)>, width: usize) -> Snippet {
    let chars = line.chars().count();
    if chars <= width {
        return Snippet {
            line: line.trim_end().to_string(),
            matches: ranges,
        };
    }
    let first = ranges[0].0;
    let before = line[..first].chars().count();
    let start_char = before.saturating_sub(width / 4).min(chars.saturating_sub(width));
    let start = line.char_indices().nth(start_char).map_or(0, |(i, _)| i);
    let end = line
        .char_indices()
        .nth(start_char + width)
        .map_or(line.len(), |(i, _)| i);
    let (lead, tail) = (
        if start > 0 { "…" } else { "" },
        if end < line.len() { "…" } else { "" },
    );
    let shift = lead.len();
    let matches = ranges
        .into_iter()
        .filter(|(a, _)| *a >= start && *a < end)
        .map(|(a, b)| (a - start + shift, b.min(end) - start + shift))
        .collect();
    Snippet {
        line: format!("{lead}{}{tail}", &line[start..end]),
        matches,
    }
}

fn intersect(a: &[u32], b: &[u32]) -> Vec<u32> {
    let (mut i, mut j, mut out) = (0, 0, Vec::with_capacity(a.len().min(b.len())));
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                out.push(a[i]);
                i += 1;
                j += 1;
            }
        }
    }
    out
}

/// The records of `seg` that may hold `term`, and whether that is certain
/// (a term of one or two characters is its own gram).
fn candidates(seg: &Segment, term: &str) -> Result<(Vec<u32>, bool)> {
    let chars: Vec<char> = term.chars().collect();
    match chars.len() {
        0 => Ok(((0..seg.len() as u32).collect(), true)),
        1 => Ok((seg.postings(segment::gram1(chars[0]))?, true)),
        _ => {
            let mut lists = Vec::with_capacity(chars.len() - 1);
            let mut seen = std::collections::HashSet::new();
            for w in chars.windows(2) {
                let g = segment::gram2(w[0], w[1]);
                if seen.insert(g) {
                    lists.push(seg.postings(g)?);
                }
            }
            lists.sort_by_key(|l| l.len());
            let mut it = lists.into_iter();
            let mut acc = it.next().unwrap_or_default();
            for l in it {
                if acc.is_empty() {
                    break;
                }
                acc = intersect(&acc, &l);
            }
            Ok((acc, chars.len() == 2))
        }
    }
}

struct Found {
    seg: usize,
    rec: usize,
    score: f64,
    time_ms: i64,
    /// A word matched by pinyin only (its snippet is the name or title).
    pinyin: bool,
}

/// Search the index of `data_dir` (current, see [`current_manifest`]).
pub fn search(data_dir: &Path, m: &Manifest, req: &SearchRequest, now: Time) -> Result<SearchAnswer> {
    let today = now.with_timezone(&chrono::Local).date_naive();
    let p = parse(&req.query, today)?;
    search_parsed(data_dir, m, &p, req, now)
}

/// [`search`] with the query already taken apart (its `query` is not read).
pub fn search_parsed(
    data_dir: &Path,
    m: &Manifest,
    p: &Parsed,
    req: &SearchRequest,
    now: Time,
) -> Result<SearchAnswer> {
    let dir = index_dir(data_dir);
    let segs: Vec<Segment> = m
        .segments
        .iter()
        .map(|s| Segment::open(&dir.join(s)))
        .collect::<Result<_>>()?;
    let mut found = Vec::new();
    let mut buf = Vec::new();
    let finders: Vec<memchr::memmem::Finder<'_>> = p
        .terms
        .iter()
        .map(|t| memchr::memmem::Finder::new(t.as_bytes()))
        .collect();
    // A word of Latin letters also matches a system's name or a title by
    // its pinyin (`jwgl`: 教务管理系统), ranked below any literal match.
    let pinyin: Vec<Option<super::pinyin::Query>> = p
        .terms
        .iter()
        .map(|t| super::pinyin::Query::new(t).filter(|_| p.pinyin))
        .collect();
    let mut by_pinyin: Vec<HashMap<String, bool>> = vec![HashMap::new(); p.terms.len()];
    for (si, seg) in segs.iter().enumerate() {
        // The records holding every word's grams, and the words to confirm.
        // A word that may match by pinyin keeps every record as a candidate.
        let mut cands: Option<Vec<u32>> = None;
        let mut literal: Vec<(Vec<u32>, bool)> = Vec::with_capacity(p.terms.len());
        for (ti, t) in p.terms.iter().enumerate() {
            let (c, sure) = candidates(seg, t)?;
            if pinyin[ti].is_none() {
                cands = Some(match cands {
                    None => c.clone(),
                    Some(a) => intersect(&a, &c),
                });
            }
            literal.push((c, sure));
        }
        let cands = cands.unwrap_or_else(|| (0..seg.len() as u32).collect());
        for r in cands {
            let r = r as usize;
            let (e, head) = (&seg.entries[r], seg.head(r));
            if !in_scope(p, req, e, head) {
                continue;
            }
            let mut read = false;
            let mut ok = true;
            let mut pinyin_only = vec![false; p.terms.len()];
            for (ti, (c, sure)) in literal.iter().enumerate() {
                let mut hit = c.binary_search(&(r as u32)).is_ok();
                if hit && !sure {
                    if !read {
                        seg.norm_into(r, &mut buf)?;
                        read = true;
                    }
                    hit = finders[ti].find(&buf).is_some();
                }
                if !hit {
                    if let Some(q) = &pinyin[ti] {
                        let lines: Vec<&str> = head.split('\n').collect();
                        hit = [lines.get(2), lines.get(3)].into_iter().flatten().any(|field| {
                            *by_pinyin[ti]
                                .entry(field.to_string())
                                .or_insert_with(|| super::pinyin::Keys::new(field).score(q).is_some())
                        });
                        pinyin_only[ti] = hit;
                    }
                }
                if !hit {
                    ok = false;
                    break;
                }
            }
            if !ok {
                continue;
            }
            found.push(Found {
                seg: si,
                rec: r,
                score: score_with(e.kind, head, &p.terms, &pinyin_only, e.time_ms, now),
                time_ms: e.time_ms,
                pinyin: pinyin_only.iter().any(|x| *x),
            });
        }
    }
    // Best first; equal scores newest first, then the later record first.
    found.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(b.time_ms.cmp(&a.time_ms))
            .then((b.seg, b.rec).cmp(&(a.seg, a.rec)))
    });
    let total = found.len();
    let mut hits = Vec::new();
    for f in found.iter().skip(req.offset).take(req.limit) {
        let seg = &segs[f.seg];
        let e = &seg.entries[f.rec];
        if p.summaries_only {
            hits.push(Hit {
                kind: e.kind,
                dossier: seg.summary(f.rec)?,
                addendum: (e.kind == RecordKind::Addendum).then_some(e.addendum),
                time: chrono::DateTime::from_timestamp_millis(e.time_ms).unwrap_or_default(),
                score: (f.score * 1000.0).round().max(0.0) as u32,
                snippets: Vec::new(),
            });
            continue;
        }
        let text = seg.text(f.rec)?;
        hits.push(Hit {
            kind: e.kind,
            dossier: seg.summary(f.rec)?,
            addendum: (e.kind == RecordKind::Addendum).then_some(e.addendum),
            time: chrono::DateTime::from_timestamp_millis(e.time_ms).unwrap_or_default(),
            score: (f.score * 1000.0).round().max(0.0) as u32,
            snippets: {
                let summary_fields = |d: &DossierSummary| vec![d.title.clone(), d.system_name.clone()];
                let mut sn = snippets(&text, &p.terms, 3, 160, head_lines(e.kind));
                if f.pinyin {
                    let d = seg.summary(f.rec)?;
                    for field in summary_fields(&d) {
                        if let Some(x) = pinyin_snippet(&field, &p.terms) {
                            sn.insert(0, x);
                        }
                    }
                    sn.truncate(3);
                }
                sn
            },
        });
    }
    Ok(SearchAnswer {
        total,
        offset: req.offset,
        hits,
        terms: p.terms.clone(),
    })
}

// ---------------------------------------------------------------- writing

/// The record of a dossier for the index.
pub fn dossier_doc(d: &crate::model::Dossier) -> Doc {
    let summary = d.summary();
    Doc {
        kind: RecordKind::Dossier,
        addendum: 0,
        time: summary.live_at.unwrap_or(summary.filed_at),
        text: d.search_text(),
        summary,
    }
}

/// The record of an addendum of the dossier `summary`.
pub fn addendum_doc(summary: &DossierSummary, a: &crate::model::Addendum) -> Doc {
    Doc {
        kind: RecordKind::Addendum,
        addendum: a.no,
        time: a.time,
        text: a.search_text(summary),
        summary: summary.clone(),
    }
}

fn write_json<T: Serialize>(path: &Path, v: &T) -> Result<()> {
    let bytes = serde_json::to_vec(v).map_err(|e| Error::Storage { detail: e.to_string() })?;
    crate::fsutil::write_file(path, &bytes, 0o600)
}

/// What a catch-up did (for `beian reindex` and the performance notes).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexReport {
    pub records: usize,
    pub segments: usize,
    pub rebuilt: bool,
}

/// Bring the index of `store` up to date: nothing when it is current; the
/// records filed or appended since it was written, as a new segment;
/// everything when there is none (or `rebuild`).
pub fn catch_up(store: &Store, rebuild: bool) -> Result<IndexReport> {
    let dir = index_dir(store.dir());
    let gen = store.archive_gen()?;
    let dossiers = store.dossier_count()?;
    let stale = dir.join(STALE);
    let manifest = if rebuild {
        None
    } else {
        read_json::<Manifest>(&dir.join(MANIFEST))
    };
    let covered = if rebuild {
        None
    } else {
        read_json::<Covered>(&dir.join(COVERED))
    };
    if let (Some(m), Some(_)) = (&manifest, &covered) {
        if !stale.exists() && m.gen == gen && m.dossiers == dossiers && m.version == 1 {
            return Ok(IndexReport {
                records: 0,
                segments: m.segments.len(),
                rebuilt: false,
            });
        }
    }
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    let _ = std::fs::set_permissions(&dir, std::os::unix::fs::PermissionsExt::from_mode(0o700));
    let (mut m, mut c, rebuilt) = match (manifest, covered) {
        (Some(m), Some(c)) if m.version == 1 => (m, c, false),
        _ => (
            Manifest {
                version: 1,
                ..Default::default()
            },
            Covered::default(),
            true,
        ),
    };
    if rebuilt {
        m.segments.clear();
        c.addenda.clear();
        c.last_dossier = None;
        // New names: a reader of the old manifest never opens a new file by an old name.
        c.next_segment = std::fs::read_dir(&dir)
            .map(|rd| {
                rd.flatten()
                    .filter_map(|e| {
                        let n = e.file_name().to_string_lossy().into_owned();
                        n.strip_prefix("seg-")?.strip_suffix(".bin")?.parse::<u64>().ok()
                    })
                    .max()
                    .unwrap_or(0)
            })
            .unwrap_or(0);
    }
    // The new records: dossiers after the last one held, addenda beyond the
    // count held for their dossier.
    let mut docs = Vec::new();
    let mut summaries: HashMap<Id, DossierSummary> = HashMap::new();
    for d in store.dossiers_after(c.last_dossier)? {
        let doc = dossier_doc(&d);
        summaries.insert(d.id, doc.summary.clone());
        c.last_dossier = Some(d.id);
        docs.push(doc);
    }
    for (id, n) in store.addenda_counts()? {
        let held = c.addenda.get(&id).copied().unwrap_or(0);
        if n <= held {
            continue;
        }
        let summary = match summaries.get(&id) {
            Some(s) => s.clone(),
            None => match store.dossier(id)? {
                Some(d) => d.summary(),
                None => continue,
            },
        };
        for a in store.addenda(id)?.iter().filter(|a| a.no > held) {
            docs.push(addendum_doc(&summary, a));
        }
        c.addenda.insert(id, n);
    }
    let records = docs.len();
    let old: Vec<String> = m.segments.clone();
    if !docs.is_empty() {
        c.next_segment += 1;
        let name = format!("seg-{:06}.bin", c.next_segment);
        segment::write(&dir.join(&name), &docs)?;
        m.segments.push(name);
    }
    if m.segments.len() > MAX_SEGMENTS {
        // Merge every segment but the first (the large one) into one.
        let mut merged = Vec::new();
        for s in &m.segments[1..] {
            merged.extend(Segment::open(&dir.join(s))?.docs()?);
        }
        c.next_segment += 1;
        let name = format!("seg-{:06}.bin", c.next_segment);
        segment::write(&dir.join(&name), &merged)?;
        m.segments.truncate(1);
        m.segments.push(name);
    }
    m.gen = gen;
    m.dossiers = dossiers;
    m.creator = store.creator()?;
    write_json(&dir.join(COVERED), &c)?;
    write_json(&dir.join(MANIFEST), &m)?;
    match std::fs::remove_file(&stale) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(Error::io(&stale, e)),
    }
    // Segments no longer named (merged, or of an index rebuilt) go.
    for s in old.iter().filter(|s| !m.segments.contains(s)) {
        let _ = std::fs::remove_file(dir.join(s));
    }
    if rebuilt {
        if let Ok(rd) = std::fs::read_dir(&dir) {
            for e in rd.flatten() {
                let n = e.file_name().to_string_lossy().into_owned();
                if n.starts_with("seg-") && !m.segments.contains(&n) {
                    let _ = std::fs::remove_file(e.path());
                }
            }
        }
    }
    Ok(IndexReport {
        records,
        segments: m.segments.len(),
        rebuilt,
    })
}
