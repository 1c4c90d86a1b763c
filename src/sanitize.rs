//! Untrusted text never reaches the terminal with its control characters.
//!
//! [`clean`] is applied to every imported or typed string before it is stored;
//! [`clean_line`] is for one-line display (newlines and tabs become spaces).

/// Is this a character that must not reach a terminal or a stored record: C0/C1
/// controls (except newline and tab), DEL, bidi overrides and isolates, and
/// zero-width characters that can hide text.
pub fn is_unsafe(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{8}' | '\u{b}'..='\u{1f}' | '\u{7f}'..='\u{9f}'
        | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{2069}' | '\u{feff}' | '\u{061c}')
}

/// Remove unsafe characters; keep newlines and tabs; turn CRLF and CR into LF.
pub fn clean(s: &str) -> String {
    let s = s.replace("\r\n", "\n").replace('\r', "\n");
    s.chars().filter(|c| !is_unsafe(*c)).collect()
}

/// Like [`clean`], on one line: newlines and tabs become spaces.
pub fn clean_line(s: &str) -> String {
    clean(s)
        .chars()
        .map(|c| if c == '\n' || c == '\t' { ' ' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_escapes_and_bidi() {
        let s = "教务\u{1b}[31m系统\u{202e}txt.exe\u{7}\r\nok\u{9b}";
        assert_eq!(clean(s), "教务[31m系统txt.exe\nok");
        assert_eq!(clean_line("a\nb\tc"), "a b c");
    }
}
