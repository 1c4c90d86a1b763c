//! Pinyin matching: a query in Latin letters also finds Chinese text by its
//! pinyin, typed in full, by initials, or mixed (`jiaowu`, `jwxt`, `jiaowxt` all
//! find 教务系统). Over SSH an input method is not always at hand, and even with
//! one `教务` costs several keystrokes.
//!
//! The readings come from the `pinyin` crate with its heteronym table: a
//! character with several readings (重 zhong/chong, 行 xing/hang) matches by
//! each of them. Tones are ignored; ü is typed `v` (or `u`).
//!
//! Use it in two steps, so that the pinyin of a row is computed once where the
//! list is built and never per keystroke:
//!
//! ```
//! use beian::search::pinyin::{Keys, Query};
//! let keys = Keys::new("教务管理系统"); // once, when the list is built
//! let q = Query::new("jwgl").unwrap(); // once per keystroke
//! assert!(keys.score(&q).is_some()); // per row
//! assert!(Keys::new("教务管理系统").find(&Query::new("guanli").unwrap()).is_some());
//! ```
//!
//! A query matches a run of consecutive characters: each character takes a
//! non-empty prefix of one of its readings (its initial, the whole syllable or
//! anything between), and the last one may end anywhere in its reading. Latin
//! letters in the text take part as themselves (`vpndl` finds `VPN登录`);
//! anything else (spaces, digits, punctuation) ends a run.
//!
//! Scores are at most [`MAX_SCORE`]: a caller ranking literal matches first adds
//! `MAX_SCORE + 1` to a literal score (or otherwise puts literal matches first).
//! Within pinyin matches, whole syllables (`jiaowu`) rank above initials
//! (`jw`), and an earlier match above a later one.

use pinyin::ToPinyinMulti;

/// The highest score [`Keys::score`] gives; literal matches should rank above it.
pub const MAX_SCORE: u32 = 4095;

/// The longest query (in letters) matched by pinyin; longer words match only literally.
pub const MAX_QUERY: usize = 48;

/// Letters per syllable kept (the longest syllables, `zhuang`, have six).
const LETTERS: u32 = 6;
/// Set on a reading when another reading of the same character follows it.
const MORE: u16 = 1 << 15;

/// Every reading the `pinyin` crate knows, numbered once per process: 0 is no
/// reading (a character that ends a run), 1–26 the letters `a`–`z` (a Latin
/// letter in the text, or a one-letter syllable), then each syllable. `code`
/// gives a number's reading packed (up to six 5-bit letters, `a` = 1);
/// `by_code`, sorted, the number of a packed reading.
struct Table {
    code: Vec<u32>,
    by_code: Vec<(u32, u16)>,
}

/// The characters with readings: the CJK blocks of the Basic Multilingual
/// Plane and the supplementary ideographic planes.
const RANGES: [(u32, u32); 2] = [(0x2E80, 0xFFFF), (0x2_0000, 0x3_FFFF)];

fn table() -> &'static Table {
    static TABLE: std::sync::OnceLock<Table> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut code: Vec<u32> = (0..=26).collect();
        let mut seen: std::collections::HashSet<u32> = code.iter().copied().collect();
        let mut rs = Vec::new();
        for (from, to) in RANGES {
            for c in (from..=to).filter_map(char::from_u32) {
                rs.clear();
                packed_readings(c, &mut rs);
                for &r in &rs {
                    if seen.insert(r) {
                        code.push(r);
                    }
                }
            }
        }
        let mut by_code: Vec<(u32, u16)> = code.iter().enumerate().map(|(i, &c)| (c, i as u16)).collect();
        by_code.sort_unstable();
        Table { code, by_code }
    })
}

impl Table {
    fn number(&self, packed: u32) -> u16 {
        self.by_code
            .binary_search_by_key(&packed, |&(c, _)| c)
            .map_or(0, |i| self.by_code[i].1)
    }
}

/// The pinyin of one text, computed once: for each character, its readings
/// (each a syllable's number in [`table`]); plus which letters occur and which
/// begin a reading, so that most texts are ruled out by two masks.
///
/// A text without Chinese characters has empty keys (it is matched literally
/// only); the keys of a text with them hold 2 bytes per character and reading.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Keys {
    codes: Box<[u16]>,
    /// Bit `x` set: the letter `x` (1..=26) occurs in some reading.
    letters: u32,
    /// Bit `x` set: some reading begins with the letter `x`.
    initials: u32,
}

/// A query word in Latin letters, prepared once per keystroke.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    /// The letters, `a` = 1.
    word: Vec<u8>,
    /// Bit `x` set: the letter `x` occurs in the query.
    letters: u32,
    /// `at[x]` bit `i` set: the query's letter `i` is `x`.
    at: [u64; 27],
}

/// Where and how well a query matched: characters `start..end` of the text
/// (counted in `char`s of the text given to [`Keys::new`]) and the score.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Match {
    pub start: usize,
    pub end: usize,
    pub score: u32,
}

fn letter(c: char) -> Option<u32> {
    match c.to_ascii_lowercase() {
        c @ 'a'..='z' => Some(c as u32 - 'a' as u32 + 1),
        // Full-width letters, as an input method in full-width mode types them.
        c @ 'ａ'..='ｚ' => Some(c as u32 - 'ａ' as u32 + 1),
        c @ 'Ａ'..='Ｚ' => Some(c as u32 - 'Ａ' as u32 + 1),
        'ü' | 'Ü' => Some('v' as u32 - 'a' as u32 + 1),
        'ê' | 'ē' | 'é' | 'ě' | 'è' => Some('e' as u32 - 'a' as u32 + 1),
        _ => None,
    }
}

/// A reading packed: its letters, 5 bits each from the lowest, at most six.
fn pack(reading: impl Iterator<Item = u32>) -> u32 {
    let mut code = 0;
    for (i, x) in reading.take(LETTERS as usize).enumerate() {
        code |= x << (5 * i);
    }
    code
}

/// The readings of a character, packed; none for a character that is neither
/// a letter nor has pinyin.
fn packed_readings(c: char, out: &mut Vec<u32>) {
    if c.is_ascii_alphabetic() || matches!(c, 'ａ'..='ｚ' | 'Ａ'..='Ｚ') {
        out.extend(letter(c));
        return;
    }
    let Some(multi) = c.to_pinyin_multi() else {
        return;
    };
    for p in multi {
        let plain = p.plain();
        let code = pack(plain.chars().filter_map(letter));
        if code != 0 && !out.contains(&code) {
            out.push(code);
        }
        // ü is typed `v` or `u`.
        if plain.contains('ü') {
            let code = pack(plain.chars().map(|c| if c == 'ü' { 'u' } else { c }).filter_map(letter));
            if code != 0 && !out.contains(&code) {
                out.push(code);
            }
        }
    }
}

/// Does the text hold a character with pinyin?
fn has_han(text: &str) -> bool {
    text.chars().any(|c| !c.is_ascii() && c.to_pinyin_multi().is_some())
}

impl Keys {
    /// The pinyin keys of `text` (any text; case and width do not matter for
    /// Latin letters, which are lower-cased).
    pub fn new(text: &str) -> Keys {
        if !has_han(text) {
            return Keys::default();
        }
        let table = table();
        let mut codes = Vec::with_capacity(text.len() / 2);
        let (mut letters, mut initials) = (0u32, 0u32);
        let mut rs = Vec::new();
        for c in text.chars() {
            rs.clear();
            packed_readings(c, &mut rs);
            if rs.is_empty() {
                codes.push(0);
                continue;
            }
            for (i, &r) in rs.iter().enumerate() {
                initials |= 1 << (r & 31);
                let mut x = r;
                while x != 0 {
                    letters |= 1 << (x & 31);
                    x >>= 5;
                }
                let n = table.number(r);
                codes.push(if i + 1 < rs.len() { n | MORE } else { n });
            }
        }
        Keys {
            codes: codes.into_boxed_slice(),
            letters,
            initials,
        }
    }

    /// No character of the text has pinyin: nothing can match.
    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }

    /// Could the query match at all? Two mask tests; most texts stop here.
    #[inline]
    fn may_match(&self, q: &Query) -> bool {
        !self.codes.is_empty() && self.initials & (1 << q.word[0]) != 0 && self.letters & q.letters == q.letters
    }

    /// How well the query matches (higher is better, at most [`MAX_SCORE`]),
    /// or None. One pass over the characters, the query's positions as bits
    /// (shift-and), so its cost does not grow with the number of readings tried.
    pub fn score(&self, q: &Query) -> Option<u32> {
        if !self.may_match(q) {
            return None;
        }
        self.scan(q, None).map(|(end, full)| score_of(end, full))
    }

    /// Like [`Keys::score`], with the characters that matched (the shortest
    /// run ending first), e.g. to highlight them.
    pub fn find(&self, q: &Query) -> Option<Match> {
        if !self.may_match(q) {
            return None;
        }
        let (end, full) = self.scan(q, None)?;
        // The latest start whose run reaches the end of the query by `end`.
        let start = (0..end)
            .rev()
            .find(|&s| self.scan(q, Some(s)).is_some_and(|(e, _)| e == end))
            .unwrap_or(0);
        Some(Match {
            start,
            end,
            score: score_of(end, full),
        })
    }

    /// The first character (index + 1) at which a run matching the whole query
    /// ends, and whether that run typed every syllable in full. With `from`,
    /// only runs starting at that character count.
    fn scan(&self, q: &Query, from: Option<usize>) -> Option<(usize, bool)> {
        let m = q.word.len();
        let done = 1u64 << m;
        // Bit i: the first i letters of the query are matched by a run ending
        // before this character; `full`: by whole syllables only.
        let (mut reach, mut full) = (0u64, 0u64);
        let mut next = (0u64, 0u64);
        let mut unit = 0usize;
        let table = &table().code;
        for &code in self.codes.iter() {
            let start_here = match from {
                None => true,
                Some(s) => s == unit,
            };
            let (r, f) = if start_here {
                (reach | 1, full | 1)
            } else {
                (reach, full)
            };
            let reading = table[(code & !MORE) as usize];
            if reading != 0 && r != 0 {
                // Consume k letters of this reading from every reachable position.
                let mut t = r;
                let mut tf = f;
                let mut x = reading;
                let mut k = 0;
                while x != 0 {
                    let l = (x & 31) as usize;
                    t &= q.at[l] >> k;
                    tf &= q.at[l] >> k;
                    if t == 0 {
                        break;
                    }
                    k += 1;
                    x >>= 5;
                    let moved = t << k;
                    if moved & done != 0 {
                        // The query ends in this reading: whole if the reading ends too.
                        let whole = x == 0 && (tf << k) & done != 0;
                        return Some((unit + 1, whole));
                    }
                    next.0 |= moved;
                    if x == 0 {
                        next.1 |= tf << k;
                    }
                }
            }
            if code & MORE == 0 {
                reach = next.0 & !done;
                full = next.1 & !done;
                next = (0, 0);
                unit += 1;
                if from.is_some_and(|s| unit > s) && reach == 0 {
                    return None;
                }
            }
        }
        None
    }
}

fn score_of(end: usize, full: bool) -> u32 {
    let early = 1023 - end.min(1022) as u32;
    if full {
        2048 + early
    } else {
        1024 + early
    }
}

impl Query {
    /// A query word for pinyin: ASCII letters only (any case), 1 to
    /// [`MAX_QUERY`] of them; None for anything else (a word with a digit,
    /// a Chinese character or punctuation matches literally only).
    pub fn new(word: &str) -> Option<Query> {
        let mut q = Query {
            word: Vec::new(),
            letters: 0,
            at: [0; 27],
        };
        for c in word.chars() {
            if !c.is_ascii_alphabetic() {
                return None;
            }
            let x = letter(c)? as u8;
            q.at[x as usize] |= 1 << q.word.len();
            q.letters |= 1 << x;
            q.word.push(x);
        }
        (!q.word.is_empty() && q.word.len() <= MAX_QUERY).then_some(q)
    }

    /// The query's length in letters.
    pub fn len(&self) -> usize {
        self.word.len()
    }

    /// Always false: a query has at least one letter.
    pub fn is_empty(&self) -> bool {
        self.word.is_empty()
    }
}

/// Does `word` (Latin letters) match `text` by pinyin? Builds the keys each
/// time: for a single check; lists keep their [`Keys`].
pub fn matches(text: &str, word: &str) -> bool {
    Query::new(word).is_some_and(|q| Keys::new(text).score(&q).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(text: &str, q: &str) -> bool {
        matches(text, q)
    }

    #[test]
    fn initials_full_syllables_and_mixed() {
        for q in [
            "jwxt",
            "jiaowu",
            "jiaowuxitong",
            "jiaowxt",
            "jw",
            "xitong",
            "xt",
            "JWXT",
        ] {
            assert!(hit("教务系统", q), "{q}");
        }
        assert!(hit("教务管理系统", "jwgl"));
        assert!(hit("本科教务管理系统升级", "jwgl"));
        assert!(hit("教务管理系统", "guanli"));
        for q in ["jwgx", "wj", "jiaowuz", "iaowu", "jwxtx", "gl1", "教务", ""] {
            assert!(!hit("教务管理系统", q), "{q}");
        }
    }

    #[test]
    fn heteronyms_match_by_each_reading() {
        for q in ["zhong", "chong", "zd", "cd"] {
            assert!(hit("重点", q), "{q}");
        }
        for q in ["xing", "hang", "yinhang", "yh", "yx"] {
            assert!(hit("银行", q), "{q}");
        }
        assert!(hit("绿码", "lvma"));
        assert!(hit("绿码", "luma"));
    }

    #[test]
    fn runs_do_not_cross_spaces_or_digits_and_letters_take_part() {
        assert!(hit("VPN登录", "vpndl"));
        assert!(hit("VPN登录", "dl"));
        assert!(hit("ＶＰＮ登录", "vpndl"));
        assert!(!hit("教务 系统", "jwxt"));
        assert!(hit("教务 系统", "xt"));
        assert!(!hit("教务2系统", "wx"));
        // Text without Chinese has no keys: literal matching finds it.
        assert!(Keys::new("nginx http2").is_empty());
        assert!(!hit("nginx", "nginx"));
    }

    #[test]
    fn whole_syllables_and_early_matches_score_higher() {
        let k = Keys::new("教务系统");
        let s = |q: &str| k.score(&Query::new(q).unwrap()).unwrap();
        assert!(s("jiaowu") > s("jw"));
        assert!(s("jiaowu") > s("jiaow"));
        assert!(s("jw") > s("xt"));
        assert!(s("jiaowuxitong") <= MAX_SCORE);
        let f = k.find(&Query::new("wuxi").unwrap()).unwrap();
        assert_eq!((f.start, f.end), (1, 3));
        let f = Keys::new("一卡通 教务系统").find(&Query::new("jwxt").unwrap()).unwrap();
        assert_eq!((f.start, f.end), (4, 8));
    }

    #[test]
    fn many_readings_and_long_texts_stay_linear() {
        // A text of 20,000 characters with shared prefixes (a, ai, an, ang …)
        // and a query that almost matches: one pass, not a search tree.
        let text = "啊安昂爱".repeat(5000);
        let k = Keys::new(&text);
        let t = std::time::Instant::now();
        assert!(k.score(&Query::new(&"a".repeat(40)).unwrap()).is_some());
        assert!(k
            .score(&Query::new(&format!("{}z", "an".repeat(20))).unwrap())
            .is_none());
        assert!(t.elapsed() < std::time::Duration::from_secs(1));
    }
}
