//! Text matching for the archive and lists.
//!
//! Search text is normalised once when a dossier is filed: lower case, full-width
//! ASCII folded to half-width, whitespace collapsed. A query matches when every
//! one of its whitespace-separated terms occurs in the text, so a Chinese word
//! matches wherever it appears, without a segmenter.

pub mod archive;
pub mod index;
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

/// Does `text` (not yet normalised) contain every term?
pub fn matches(text: &str, terms: &[String]) -> bool {
    let n = normalize(text);
    terms.iter().all(|t| n.contains(t.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_width_and_case() {
        assert_eq!(normalize("ＡＢＣ　教务  System"), "abc 教务 system");
        assert!(matches("一卡通系统 升级到 V3", &terms("一卡通  v3")));
        assert!(!matches("一卡通系统", &terms("教务")));
    }
}
