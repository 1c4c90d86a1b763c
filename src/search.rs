//! Text matching for the archive and lists.
//!
//! Search text is normalised once when a dossier is filed: lower case, full-width
//! ASCII folded to half-width, whitespace collapsed. A query matches when every
//! one of its whitespace-separated terms occurs in the text, so a Chinese word
//! matches wherever it appears, without a segmenter.

pub mod archive;
pub mod index;
pub mod pinyin;
pub mod segment;

/// Normalise text for matching.
pub fn normalize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        let c = match c {
            '\u{3000}' => ' ',
            '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
            _ => c,
        };
        if c.is_whitespace() {
            if !space && !out.is_empty() {
                out.push(' ');
            }
            space = true;
            continue;
        }
        space = false;
        out.extend(c.to_lowercase());
    }
    out
}

/// The terms of a query, normalised.
pub fn terms(query: &str) -> Vec<String> {
    normalize(query)
        .split(' ')
        .filter(|t| !t.is_empty())
        .map(String::from)
        .collect()
}

/// The items a name typed by a user (`--system`, the timeline's prompt) names:
/// the one whose name is exactly `key`; else those whose names contain it;
/// else, for a key in Latin letters, those whose names it matches by pinyin
/// (`jwgl` names 教务管理系统). A literal match always wins over pinyin. The
/// caller decides what one, none or several mean. The pinyin of the names is
/// computed here, once per lookup (a lookup is one command or one Enter, not
/// a keystroke).
pub fn named<'a, T>(items: &'a [T], name: impl Fn(&T) -> &str, key: &str) -> Vec<&'a T> {
    let key = key.trim();
    if key.is_empty() {
        return Vec::new();
    }
    if let Some(one) = items.iter().find(|x| name(x) == key) {
        return vec![one];
    }
    let literal: Vec<&T> = items.iter().filter(|x| name(x).contains(key)).collect();
    if !literal.is_empty() {
        return literal;
    }
    let Some(q) = pinyin::Query::new(key) else {
        return Vec::new();
    };
    let mut hits: Vec<(u32, usize, &T)> = items
        .iter()
        .enumerate()
        .filter_map(|(i, x)| pinyin::Keys::new(name(x)).score(&q).map(|s| (s, i, x)))
        .collect();
    hits.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    hits.into_iter().map(|(_, _, x)| x).collect()
}

/// Does `text` (not yet normalised) contain every term?
pub fn matches(text: &str, terms: &[String]) -> bool {
    let n = normalize(text);
    terms.iter().all(|t| n.contains(t.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_literally_first_then_by_pinyin() {
        let names = ["教务管理系统", "研究生教务管理系统", "一卡通系统", "jwgl-bridge"];
        let by = |k: &str| named(&names, |s| s, k);
        assert_eq!(by("教务管理系统"), [&"教务管理系统"]);
        assert_eq!(by("一卡通"), [&"一卡通系统"]);
        // Literal parts win over pinyin: `jwgl` is part of a name.
        assert_eq!(by("jwgl"), [&"jwgl-bridge"]);
        assert_eq!(by("yjs"), [&"研究生教务管理系统"]);
        assert_eq!(by("yikatong"), [&"一卡通系统"]);
        assert_eq!(by("jiaowuguanli"), [&"教务管理系统", &"研究生教务管理系统"]);
        assert!(by("nginx").is_empty());
        assert!(by(" ").is_empty());
    }

    #[test]
    fn folds_width_and_case() {
        assert_eq!(normalize("ＡＢＣ　教务  System"), "abc 教务 system");
        assert!(matches("一卡通系统 升级到 V3", &terms("一卡通  v3")));
        assert!(!matches("一卡通系统", &terms("教务")));
    }
}
