//! The queue filter: `status:new system:教务 channel:email` field filters plus
//! fuzzy words (nucleo-matcher) over id, title, department, system and tags.
//! A word in Latin letters also matches the Chinese of those fields by its
//! pinyin (`jwgl` finds 教务管理系统: `search::pinyin`), ranked below every
//! literal match.

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str, Utf32String};

use crate::model::RequestSummary;
use crate::search::pinyin::{self, Keys};

#[derive(Debug, Default, Clone)]
pub struct Parsed {
    pub fields: Vec<(String, String)>,
    pub words: String,
}

pub fn parse(q: &str) -> Parsed {
    let mut p = Parsed::default();
    let mut words = Vec::new();
    for tok in crate::search::normalize(q).split(' ').filter(|t| !t.is_empty()) {
        match tok.split_once(':') {
            Some((k, v)) if !k.is_empty() && !v.is_empty() && FIELDS.contains(&k) => {
                p.fields.push((k.to_string(), v.to_string()))
            }
            _ => words.push(tok.to_string()),
        }
    }
    p.words = words.join(" ");
    p
}

pub const FIELDS: &[&str] = &[
    "status",
    "system",
    "channel",
    "kind",
    "dept",
    "department",
    "tag",
    "priority",
    "plan",
];

/// What the filter keeps between keystrokes, so that one keystroke at 100,000
/// requests stays within a frame: the [`Index`] of the rows (built once per
/// list, on a thread of its own, not once per keystroke), and the last query
/// with the rows that passed it, which the next query narrows when it only
/// adds characters.
#[derive(Debug, Default)]
pub struct Cache {
    /// The index (built or being built) is that of the current rows.
    valid: bool,
    rows: usize,
    index: Option<Index>,
    /// The index being built after the list came (joined by the first query
    /// with words; a query of fields alone does not need it).
    building: Option<std::thread::JoinHandle<Index>>,
    last: Option<(String, Vec<usize>)>,
    /// The last few answers of the whole filter (with the queue's sort), by
    /// query as typed, newest last: erasing a character gives back the answer
    /// the query had before, without scoring 100,000 rows again.
    history: Vec<(String, u8, Vec<u32>)>,
}

/// What the words of a query are matched against, per row: the text of its
/// title, department, system and tags (the id is matched apart, so that the
/// letters and digits every id holds do not make every row a candidate).
#[derive(Debug, Default)]
struct Index {
    hay: Vec<Utf32String>,
    /// Per row, a 128-bit set of the characters in its haystack (see [`sig_bit`]):
    /// a row lacking one of the query's characters cannot match, so it is not scored.
    sig: Vec<u128>,
    /// Per row, the pinyin of its haystack (empty keys for a row without Chinese).
    keys: Vec<Keys>,
}

impl Index {
    fn build(texts: Vec<String>) -> Index {
        Index {
            keys: texts.iter().map(|t| Keys::new(t)).collect(),
            sig: texts.iter().map(|t| hay_sig(t)).collect(),
            hay: texts.into_iter().map(Utf32String::from).collect(),
        }
    }
}

/// How many answers [`Cache`] remembers (each at most 4 bytes per row).
const HISTORY: usize = 8;

/// Every bit: the row may match anything (it holds characters the matcher folds).
const ALL_BITS: u128 = u128::MAX;

fn sig_bit(c: char) -> u128 {
    1u128 << ((c as u32).wrapping_mul(0x9E37_79B1) >> 25)
}

/// Characters nucleo may fold to another (Latin letters with diacritics and the
/// like, below U+2200) or that `search::normalize` folds (full-width forms).
fn folded(c: char) -> bool {
    !c.is_ascii() && ((c as u32) < 0x2200 || ('\u{ff00}'..='\u{ffef}').contains(&c))
}

/// The characters of a haystack: each as it is and lower-cased the way the
/// matcher lower-cases it; a haystack with a folded character may match anything.
fn hay_sig(text: &str) -> u128 {
    let mut sig = 0;
    for c in text.chars() {
        if folded(c) {
            return ALL_BITS;
        }
        sig |= sig_bit(c.to_ascii_lowercase()) | sig_bit(nucleo_matcher::chars::to_lower_case(c));
    }
    sig
}

/// The characters every match must contain (the words have no special syntax).
fn needle_sig(words: &str) -> u128 {
    let mut sig = 0;
    for c in words.chars().filter(|c| !c.is_whitespace() && !folded(*c)) {
        sig |= sig_bit(nucleo_matcher::chars::to_lower_case(c.to_ascii_lowercase()));
    }
    sig
}

impl Cache {
    /// The rows or the system names changed: build the haystacks again.
    pub fn invalidate(&mut self) {
        self.valid = false;
        self.last = None;
        self.history.clear();
    }

    /// The answer remembered for `q` (as typed) in sort `sort`, if any; it also
    /// becomes the answer that the next typed character narrows.
    pub fn recall(&mut self, q: &str, sort: u8) -> Option<Vec<usize>> {
        let pos = self.history.iter().rposition(|(h, o, _)| h == q && *o == sort)?;
        let entry = self.history.remove(pos);
        let visible: Vec<usize> = entry.2.iter().map(|&i| i as usize).collect();
        let mut passed = visible.clone();
        passed.sort_unstable();
        self.last = Some((crate::search::normalize(q), passed));
        self.history.push(entry);
        Some(visible)
    }

    /// Remember the answer for `q` (as typed) in sort `sort`.
    pub fn remember(&mut self, q: &str, sort: u8, visible: &[usize]) {
        if !self.valid {
            return;
        }
        self.history.retain(|(h, o, _)| !(h == q && *o == sort));
        if self.history.len() >= HISTORY {
            self.history.remove(0);
        }
        self.history
            .push((q.to_string(), sort, visible.iter().map(|&i| i as u32).collect()));
    }

    /// Start building the index of `rows` unless it is built or being built.
    fn ensure(&mut self, rows: &[RequestSummary], system_name: &impl Fn(&RequestSummary) -> String) {
        if self.valid && self.rows == rows.len() {
            return;
        }
        let texts: Vec<String> = rows
            .iter()
            .map(|r| format!("{} {} {} {}", r.title, r.department, system_name(r), r.tags.join(" ")))
            .collect();
        self.index = None;
        self.building = None;
        // On a thread: the pinyin of 100,000 rows is not computed in a frame.
        // Without a thread (none to be had), here.
        let (tx, rx) = std::sync::mpsc::channel();
        let spawned = std::thread::Builder::new()
            .name("filter-index".into())
            .spawn(move || rx.recv().map(Index::build).unwrap_or_default());
        match spawned {
            Ok(h) => {
                let _ = tx.send(texts);
                self.building = Some(h);
            }
            Err(_) => self.index = Some(Index::build(texts)),
        }
        self.valid = true;
        self.rows = rows.len();
        self.last = None;
    }

    /// The index, waiting for its thread if it is still being built.
    fn index(&mut self) -> &Index {
        if let Some(h) = self.building.take() {
            // A builder that failed leaves an empty index: nothing matches
            // words until the list is loaded again.
            self.index = Some(h.join().unwrap_or_default());
        }
        self.index.get_or_insert_with(Index::default)
    }

    /// Wait until the index of the current rows is built (the benchmark:
    /// a user types after the list has been shown, not within its frame).
    pub fn wait_built(&mut self) {
        let _ = self.index();
    }
}

/// Characters with a meaning in nucleo's pattern syntax: a query containing one
/// may match rows the shorter query did not, so it is never narrowed.
const SPECIAL: &[char] = &['!', '^', '$', '\\', '\''];

/// Can the rows passing `old` be narrowed to those passing `new`? Yes when `new`
/// only adds characters and says the same fields: every row matching the longer
/// fuzzy words or field values also matched the shorter ones.
fn narrows(old: &str, new: &str) -> bool {
    if !new.starts_with(old) || new.contains(SPECIAL) {
        return false;
    }
    let (a, b) = (parse(old), parse(new));
    a.fields.len() == b.fields.len()
        && a.fields.iter().zip(&b.fields).all(|(x, y)| x.0 == y.0)
        && b.words.starts_with(&a.words)
}

/// Indices of `rows` that match `q`, best fuzzy matches first when there are
/// words, reusing and updating `cache`.
pub fn apply_cached(
    cache: &mut Cache,
    rows: &[RequestSummary],
    system_name: impl Fn(&RequestSummary) -> String,
    q: &str,
) -> Vec<usize> {
    cache.ensure(rows, &system_name);
    let q = crate::search::normalize(q);
    let p = parse(&q);
    // Each field's test, decided once per distinct value (a status, a system …)
    // rather than once per row: normalising labels 100,000 times costs a frame.
    let has = |s: &str, v: &str| crate::search::normalize(s).contains(v);
    let per_value = |k: &str, v: &str| -> Option<Vec<bool>> {
        Some(match k {
            "status" => crate::model::RequestStatus::ALL
                .iter()
                .map(|x| has(x.as_str(), v) || has(&x.label(), v))
                .collect(),
            "channel" => crate::model::Channel::ALL
                .iter()
                .map(|x| has(x.as_str(), v) || has(&x.label(), v))
                .collect(),
            "kind" => crate::model::RequestKind::ALL
                .iter()
                .map(|x| has(x.as_str(), v) || has(&x.label(), v))
                .collect(),
            "priority" => crate::model::Priority::ALL
                .iter()
                .map(|x| has(x.as_str(), v) || has(&x.label(), v))
                .collect(),
            _ => return None,
        })
    };
    let tables: Vec<Option<Vec<bool>>> = p.fields.iter().map(|(k, v)| per_value(k, v)).collect();
    // The systems' names, normalised, when a field asks for them (not per
    // keystroke of words: 100,000 lookups cost milliseconds).
    let mut systems: std::collections::HashMap<Option<crate::model::Id>, String> = Default::default();
    if p.fields.iter().any(|(k, _)| k == "system") {
        for r in rows {
            systems
                .entry(r.system)
                .or_insert_with(|| crate::search::normalize(&system_name(r)));
        }
    }
    fn pos<T: PartialEq>(all: &[T], x: T) -> usize {
        all.iter().position(|y| *y == x).unwrap_or(0)
    }
    let field_ok = |r: &RequestSummary| {
        p.fields.iter().zip(&tables).all(|((k, v), table)| {
            let v = v.as_str();
            match (k.as_str(), table) {
                ("status", Some(t)) => t[pos(crate::model::RequestStatus::ALL, r.status)],
                ("channel", Some(t)) => t[pos(crate::model::Channel::ALL, r.channel)],
                ("kind", Some(t)) => t[pos(crate::model::RequestKind::ALL, r.kind)],
                ("priority", Some(t)) => t[pos(crate::model::Priority::ALL, r.priority)],
                ("system", _) => systems.get(&r.system).is_some_and(|n| n.contains(v)),
                ("dept" | "department", _) => has(&r.department, v),
                ("tag", _) => r.tags.iter().any(|t| has(t, v)),
                ("plan", _) => r.plan.is_some_and(|p| has(&p.to_string(), v)),
                _ => true,
            }
        })
    };
    let pool: Vec<usize> = match cache.last.take() {
        Some((old, passed)) if narrows(&old, &q) => passed,
        _ => (0..rows.len()).collect(),
    };
    let candidates: Vec<usize> = if p.fields.is_empty() {
        pool
    } else {
        pool.into_iter().filter(|&i| field_ok(&rows[i])).collect()
    };
    if p.words.is_empty() {
        cache.last = Some((q, candidates.clone()));
        return candidates;
    }
    let pattern = Pattern::parse(&p.words, CaseMatching::Ignore, Normalization::Smart);
    // The character prefilter holds for plain fuzzy words only.
    let plain = !p.words.contains(SPECIAL);
    let need = if plain { needle_sig(&p.words) } else { 0 };
    let words = Words::new(&p.words);
    let index = cache.index();
    if index.hay.len() != rows.len() {
        return Vec::new();
    }
    let (hay, sig, keys) = (&index.hay, &index.sig, &index.keys);
    let one = one_ideograph(&p.words);
    let letter = one_letter(&p.words);
    let score = |part: &[usize]| -> Vec<(u32, usize)> {
        let mut matcher = Matcher::new(Config::DEFAULT);
        let mut id = String::new();
        let mut buf = Vec::new();
        part.iter()
            .filter_map(|&i| {
                if let Some(c) = one {
                    return score_one_ideograph(hay[i].slice(..), c).map(|s| (s + LITERAL, i));
                }
                if sig[i] & need == need {
                    let literal = match letter {
                        Some(c) => score_one_letter(hay[i].slice(..), c),
                        None => pattern.score(hay[i].slice(..), &mut matcher),
                    };
                    if let Some(s) = literal {
                        return Some((s.saturating_add(LITERAL), i));
                    }
                }
                if words.each.is_empty() {
                    return None;
                }
                // The id's text only when a word may match it.
                id.clear();
                if words.ids {
                    use std::fmt::Write as _;
                    let _ = write!(id, "{}", rows[i].id);
                }
                let row = Row {
                    hay: &hay[i],
                    sig: sig[i],
                    keys: &keys[i],
                    id: Utf32Str::new(&id, &mut buf),
                };
                words.score(&row, &mut matcher).map(|s| (s, i))
            })
            .collect()
    };
    // Two halves on two threads when there is enough to score.
    let scored: Vec<(u32, usize)> = if candidates.len() >= 20_000 {
        let (a, b) = candidates.split_at(candidates.len() / 2);
        std::thread::scope(|sc| {
            let h = sc.spawn(|| score(b));
            let mut out = score(a);
            out.extend(h.join().unwrap_or_default());
            out
        })
    } else {
        score(&candidates)
    };
    let mut passed: Vec<usize> = scored.iter().map(|&(_, i)| i).collect();
    passed.sort_unstable();
    cache.last = Some((q, passed));
    by_score(scored)
}

/// Added to a literal match's score: every literal match ranks above every
/// match by pinyin (whose scores are at most `pinyin::MAX_SCORE`).
const LITERAL: u32 = pinyin::MAX_SCORE + 1;

/// The query when it is one Chinese character (the first keystroke of most
/// Chinese queries, often held by most rows: 系, 统).
fn one_ideograph(words: &str) -> Option<char> {
    let mut it = words.chars();
    let c = it.next()?;
    let ideograph = matches!(c, '\u{3400}'..='\u{4dbf}' | '\u{4e00}'..='\u{9fff}' | '\u{f900}'..='\u{faff}');
    (it.next().is_none() && ideograph).then_some(c)
}

/// nucleo's score for a one-character query that is a Chinese character,
/// without nucleo's per-character Unicode lookups (a frame's worth at 100,000
/// rows): such a character only matches itself, and its score is that of its
/// first occurrence — 16, plus twice the bonus of what precedes it (the start
/// or a space 10, one of `/,:;|` 9, other punctuation 8, else 0); nucleo
/// gives later occurrences no bonus. `tests::one_ideograph_scores_as_nucleo`
/// holds it to nucleo's own.
fn score_one_ideograph(hay: Utf32Str, c: char) -> Option<u32> {
    let Utf32Str::Unicode(chars) = hay else {
        return None;
    };
    let at = chars.iter().position(|&h| h == c)?;
    let bonus = match at.checked_sub(1).map(|i| chars[i]) {
        None => 10,
        Some(p) if p.is_whitespace() => 10,
        Some(p) if p.is_ascii() && b"/,:;|".contains(&(p as u8)) => 9,
        Some(p) if p.is_alphanumeric() => 0,
        Some(_) => 8,
    };
    Some(16 + 2 * bonus)
}

/// The query when it is one ASCII letter or digit (the first keystroke of most
/// Latin and pinyin queries: `s` is held, literally or by an initial, by
/// nearly every row), lowercase.
fn one_letter(words: &str) -> Option<char> {
    let mut it = words.chars();
    let c = it.next()?;
    (it.next().is_none() && c.is_ascii_alphanumeric()).then(|| c.to_ascii_lowercase())
}

/// nucleo's score for a one-letter query (`c` lowercase, matched in either
/// case), without its per-character Unicode lookups: the best of every
/// occurrence, 16 plus twice the bonus of the place — after the start or a
/// space 10, one of `/,:;|` 9, other punctuation 8, a lowercase letter before
/// an uppercase one or a letter before a digit 5, else 0.
/// `tests::one_letter_scores_as_nucleo` holds it to nucleo's own.
fn score_one_letter(hay: Utf32Str, c: char) -> Option<u32> {
    let bonus = |prev: Option<char>, cur: char| -> u32 {
        match prev {
            None => 10,
            Some(p) if p.is_whitespace() => 10,
            Some(p) if p.is_ascii() && b"/,:;|".contains(&(p as u8)) => 9,
            Some(p) if p.is_lowercase() && cur.is_uppercase() => 5,
            Some(p) if !p.is_ascii_digit() && p.is_alphanumeric() && cur.is_ascii_digit() => 5,
            Some(p) if p.is_alphanumeric() => 0,
            Some(_) => 8,
        }
    };
    let mut best: Option<u32> = None;
    let mut prev: Option<char> = None;
    let mut visit = |h: char| {
        if h.to_ascii_lowercase() == c {
            let s = 16 + 2 * bonus(prev, h);
            best = Some(best.map_or(s, |b| b.max(s)));
        }
        prev = Some(h);
    };
    match hay {
        Utf32Str::Ascii(bytes) => bytes.iter().for_each(|&b| visit(b as char)),
        Utf32Str::Unicode(chars) => chars.iter().for_each(|&h| visit(h)),
    }
    best
}

/// What a word is matched against in one row.
struct Row<'a> {
    hay: &'a Utf32String,
    sig: u128,
    keys: &'a Keys,
    id: Utf32Str<'a>,
}

/// A word that may be (a part of) an id: letters, digits and `-`, with a
/// digit or a `-` (`REQ-2026-0012`, `0012`); a word of letters alone is not
/// matched against ids, which all begin `REQ`.
fn id_like(w: &str) -> bool {
    w.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') && w.contains(|c: char| c.is_ascii_digit() || c == '-')
}

/// The words of a query, one by one, for rows the whole query does not match
/// literally in their text: such a row still matches when each word matches
/// it literally, or its id (a word like `0012`), or — a word of Latin letters —
/// its Chinese by pinyin.
struct Words {
    /// Each word: its own pattern and prefilter, whether it may match an id,
    /// and its pinyin query if it is one. Empty when no word can match
    /// otherwise than in the text.
    each: Vec<(Pattern, u128, bool, Option<pinyin::Query>)>,
    /// Some word may match an id.
    ids: bool,
}

impl Words {
    fn new(words: &str) -> Words {
        let split: Vec<&str> = words.split(' ').filter(|w| !w.is_empty()).collect();
        if split.iter().all(|w| !id_like(w) && pinyin::Query::new(w).is_none()) {
            return Words {
                each: Vec::new(),
                ids: false,
            };
        }
        Words {
            ids: split.iter().any(|w| id_like(w)),
            each: split
                .iter()
                .map(|w| {
                    let plain = !w.contains(SPECIAL);
                    (
                        Pattern::parse(w, CaseMatching::Ignore, Normalization::Smart),
                        if plain { needle_sig(w) } else { 0 },
                        id_like(w),
                        pinyin::Query::new(w),
                    )
                })
                .collect(),
        }
    }

    /// The score of a row whose text does not match the whole query: when
    /// every word matches literally (in the text or the id), a literal score
    /// (the id's matches above the text's); else, when the others match by
    /// pinyin, the weakest of their pinyin scores (at most
    /// `pinyin::MAX_SCORE`); else None.
    fn score(&self, row: &Row, m: &mut Matcher) -> Option<u32> {
        let mut literal = 0u32;
        let mut by_pinyin: Option<u32> = None;
        for (pattern, need, id, q) in &self.each {
            if row.sig & need == *need {
                if let Some(s) = pattern.score(row.hay.slice(..), m) {
                    literal = literal.saturating_add(s);
                    continue;
                }
            }
            if *id {
                if let Some(s) = pattern.score(row.id, m) {
                    literal = literal.saturating_add(s + ID_BONUS);
                    continue;
                }
            }
            let s = q.as_ref().and_then(|q| row.keys.score(q))?;
            by_pinyin = Some(by_pinyin.map_or(s, |w| w.min(s)));
        }
        Some(match by_pinyin {
            Some(s) => s,
            None => literal.saturating_add(LITERAL),
        })
    }
}

/// Added to a word's score when it matches the id: an id typed is the row wanted.
const ID_BONUS: u32 = 1000;

/// Best score first, then row order: a counting sort on the score (scores are
/// small integers), stable in row order, so it costs one pass at 100,000 rows.
fn by_score(mut scored: Vec<(u32, usize)>) -> Vec<usize> {
    let max = scored.iter().map(|s| s.0).max().unwrap_or(0) as usize;
    if max > 1 << 16 {
        scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        return scored.into_iter().map(|(_, i)| i).collect();
    }
    scored.sort_unstable_by_key(|s| s.1);
    let mut counts = vec![0usize; max + 2];
    for s in &scored {
        counts[max - s.0 as usize + 1] += 1;
    }
    for k in 1..counts.len() {
        counts[k] += counts[k - 1];
    }
    let mut out = vec![0usize; scored.len()];
    for s in &scored {
        let slot = &mut counts[max - s.0 as usize];
        out[*slot] = s.1;
        *slot += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn narrowing_only_when_characters_are_added_to_the_same_fields() {
        assert!(narrows("一卡", "一卡通"));
        assert!(narrows("status:ne", "status:new"));
        assert!(narrows("status:new 教", "status:new 教务"));
        assert!(!narrows("status", "status:n"));
        assert!(!narrows("一卡通", "一卡"));
        assert!(!narrows("vpn", "vpn !login"));
        assert!(!narrows("vpn", "vpn$"));
    }

    #[test]
    fn the_character_prefilter_never_drops_a_match() {
        let rows = [
            "REQ-2026-0001 一卡通系统重复扣款 后勤处",
            "Anna Müller VPN",
            "ＶＰＮ 登录",
            "Login PAGE 教务",
        ];
        for q in [
            "一卡",
            "扣款一",
            "vpn",
            "muller",
            "登录",
            "login",
            "page教",
            "REQ 2026",
            "ＶＰＮ",
        ] {
            let q = crate::search::normalize(q);
            let pattern = Pattern::parse(&q, CaseMatching::Ignore, Normalization::Smart);
            let mut m = Matcher::new(Config::DEFAULT);
            for r in rows {
                let matched = pattern.score(Utf32String::from(r).slice(..), &mut m).is_some();
                let passes = hay_sig(r) & needle_sig(&q) == needle_sig(&q);
                assert!(!matched || passes, "{q:?} matches {r:?} but the prefilter drops it");
            }
        }
    }

    fn rows(titles: &[&str]) -> Vec<RequestSummary> {
        use crate::model::*;
        titles
            .iter()
            .enumerate()
            .map(|(i, t)| RequestSummary {
                id: Id::new(IdKind::Request, 2026, i as u32 + 1),
                status: RequestStatus::New,
                kind: RequestKind::Feature,
                channel: Channel::Email,
                priority: Priority::Normal,
                system: None,
                department: String::new(),
                title: t.to_string(),
                received_at: chrono::Utc::now(),
                tags: Vec::new(),
                plan: None,
                rev: 1,
                analysed: false,
                review: None,
                similar_to: None,
            })
            .collect()
    }

    fn titles(rows: &[RequestSummary], q: &str) -> Vec<String> {
        let mut cache = Cache::default();
        apply_cached(&mut cache, rows, |_| String::new(), q)
            .into_iter()
            .map(|i| rows[i].title.clone())
            .collect()
    }

    #[test]
    fn latin_words_match_chinese_by_pinyin_below_literal_matches() {
        let rows = rows(&[
            "一卡通重复扣款",
            "教务管理系统无法登录",
            "nginx 配置更新",
            "银行卡绑定失败",
            "jwgl client 报错",
        ]);
        // The literal match first, then the one by pinyin; nothing else.
        assert_eq!(titles(&rows, "jwgl"), ["jwgl client 报错", "教务管理系统无法登录"]);
        assert_eq!(titles(&rows, "jiaowu"), ["教务管理系统无法登录"]);
        assert_eq!(titles(&rows, "nginx"), ["nginx 配置更新"]);
        // Heteronyms: 重 is zhong and chong, 行 xing and hang.
        assert_eq!(titles(&rows, "chongfu"), ["一卡通重复扣款"]);
        assert_eq!(titles(&rows, "zhongfu"), ["一卡通重复扣款"]);
        assert_eq!(titles(&rows, "yinhang"), ["银行卡绑定失败"]);
        assert_eq!(titles(&rows, "yinxing"), ["银行卡绑定失败"]);
        // Words mix: one by pinyin, one literally; every word must match.
        assert_eq!(titles(&rows, "jwgl 登录"), ["教务管理系统无法登录"]);
        assert_eq!(titles(&rows, "ykt kk"), ["一卡通重复扣款"]);
        assert!(titles(&rows, "jwgl 扣款").is_empty());
        // Typing on narrows; the answer is that of typing afresh.
        let mut cache = Cache::default();
        for q in ["j", "jw", "jwg", "jwgl"] {
            let got: Vec<usize> = apply_cached(&mut cache, &rows, |_| String::new(), q);
            let fresh = apply_cached(&mut Cache::default(), &rows, |_| String::new(), q);
            assert_eq!(got, fresh, "{q}");
        }
    }

    #[test]
    fn one_ideograph_scores_as_nucleo() {
        let hays = [
            "一卡通系统重复扣款 后勤处 一卡通系统",
            "系统 教务处",
            " 系统",
            "教务/系统",
            "教务,系统",
            "教务:系统|系",
            "教务-系统",
            "（系统）",
            "「系」统",
            "VPN系统",
            "v2系统",
            "Müller系统",
            "ＶＰＮ系统",
            "教务\t系统",
            "教务　系统",
            "nginx 配置",
            "系",
            "没有",
        ];
        let mut m = Matcher::new(Config::DEFAULT);
        for h in hays {
            for c in ['系', '统', '一', '务', '没'] {
                let q = c.to_string();
                let pattern = Pattern::parse(&q, CaseMatching::Ignore, Normalization::Smart);
                let hay = Utf32String::from(h);
                assert_eq!(one_ideograph(&q), Some(c));
                assert_eq!(
                    score_one_ideograph(hay.slice(..), c),
                    pattern.score(hay.slice(..), &mut m),
                    "{c:?} in {h:?}"
                );
            }
        }
        assert_eq!(one_ideograph("系统"), None);
        assert_eq!(one_ideograph("a"), None);
    }

    #[test]
    fn one_letter_scores_as_nucleo() {
        let hays = [
            "nginx session 配置",
            "Nginx配置 SSL",
            "HTTPS 证书",
            "nginxSession",
            "abc123 s1",
            "v2 系统 s",
            "a/s,s:s;s|s",
            "(s) [s] -s _s .s",
            "教务s系统",
            "ＳＳＬ s",
            "sssss",
            "没有",
            "Müller s",
            "tab\ts",
            "REQ-2026-0012 s",
        ];
        let mut m = Matcher::new(Config::DEFAULT);
        let mut wrong = Vec::new();
        for h in hays {
            for c in ['s', 'n', 'a', '1', '2', 'h', 'l'] {
                let q = c.to_string();
                let pattern = Pattern::parse(&q, CaseMatching::Ignore, Normalization::Smart);
                let hay = Utf32String::from(h);
                assert_eq!(one_letter(&q), Some(c));
                let (ours, theirs) = (score_one_letter(hay.slice(..), c), pattern.score(hay.slice(..), &mut m));
                if ours != theirs {
                    wrong.push(format!("{c:?} in {h:?}: {ours:?}, nucleo {theirs:?}"));
                }
            }
        }
        assert!(wrong.is_empty(), "{wrong:#?}");
        assert_eq!(one_letter("S"), Some('s'));
        assert_eq!(one_letter("ss"), None);
        assert_eq!(one_letter("系"), None);
    }

    #[test]
    fn counting_sort_orders_by_score_then_row() {
        let scored = vec![(5, 9), (7, 3), (5, 1), (0, 4), (7, 2)];
        assert_eq!(by_score(scored), vec![2, 3, 1, 9, 4]);
    }
}
