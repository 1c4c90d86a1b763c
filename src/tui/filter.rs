//! The queue filter: `status:new system:教务 channel:email` field filters plus
//! fuzzy words (nucleo-matcher) over id, title, department, system and tags.

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32String};

use crate::model::RequestSummary;

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
/// requests stays within a frame: the text each row is matched against (built
/// once per list, not once per keystroke), and the last query with the rows that
/// passed it, which the next query narrows when it only adds characters.
#[derive(Debug, Default)]
pub struct Cache {
    valid: bool,
    hay: Vec<Utf32String>,
    /// Per row, a 128-bit set of the characters in its haystack (see [`sig_bit`]):
    /// a row lacking one of the query's characters cannot match, so it is not scored.
    sig: Vec<u128>,
    last: Option<(String, Vec<usize>)>,
    /// The last few answers of the whole filter (with the queue's sort), by
    /// query as typed, newest last: erasing a character gives back the answer
    /// the query had before, without scoring 100,000 rows again.
    history: Vec<(String, u8, Vec<u32>)>,
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

    fn ensure(&mut self, rows: &[RequestSummary], system_name: &impl Fn(&RequestSummary) -> String) {
        if self.valid && self.hay.len() == rows.len() {
            return;
        }
        let texts: Vec<String> = rows
            .iter()
            .map(|r| {
                format!(
                    "{} {} {} {} {}",
                    r.id,
                    r.title,
                    r.department,
                    system_name(r),
                    r.tags.join(" ")
                )
            })
            .collect();
        self.sig = texts.iter().map(|t| hay_sig(t)).collect();
        self.hay = texts.into_iter().map(Utf32String::from).collect();
        self.valid = true;
        self.last = None;
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
    let mut systems: std::collections::HashMap<Option<crate::model::Id>, String> = Default::default();
    for r in rows {
        systems
            .entry(r.system)
            .or_insert_with(|| crate::search::normalize(&system_name(r)));
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
    let (hay, sig) = (&cache.hay, &cache.sig);
    let need = if plain { needle_sig(&p.words) } else { 0 };
    let score = |part: &[usize]| -> Vec<(u32, usize)> {
        let mut matcher = Matcher::new(Config::DEFAULT);
        part.iter()
            .filter(|&&i| sig[i] & need == need)
            .filter_map(|&i| pattern.score(hay[i].slice(..), &mut matcher).map(|s| (s, i)))
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

    #[test]
    fn counting_sort_orders_by_score_then_row() {
        let scored = vec![(5, 9), (7, 3), (5, 1), (0, 4), (7, 2)];
        assert_eq!(by_score(scored), vec![2, 3, 1, 9, 4]);
    }
}
