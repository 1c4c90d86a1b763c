//! Untrusted text never reaches the terminal with its control characters.
//!
//! [`clean`] is applied to every imported or typed string before it is stored;
//! [`clean_line`] is for one-line display (newlines and tabs become spaces).

/// Is this a character that must not reach a terminal or a stored record: C0/C1
/// controls (except newline and tab), DEL, bidi overrides and isolates, and
/// zero-width characters that can hide text (among them the Mongolian vowel
/// separator, the interlinear annotation marks and the invisible tag characters
/// U+E0000–U+E007F that smuggle ASCII past a reader).
pub fn is_unsafe(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{8}' | '\u{b}'..='\u{1f}' | '\u{7f}'..='\u{9f}'
        | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{2069}' | '\u{feff}' | '\u{061c}' | '\u{180e}'
        | '\u{fff9}'..='\u{fffb}' | '\u{e0000}'..='\u{e007f}')
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

/// For display: like [`clean`], but each unsafe character becomes a visible
/// placeholder — `␛` for ESC, `␇` for BEL and the other control pictures for
/// C0, `␡` for DEL, `�` for C1 controls, bidi and zero-width characters — so that
/// a hostile string shows that something was there without acting on the terminal.
pub fn visible(s: &str) -> String {
    let s = s.replace("\r\n", "\n").replace('\r', "\n");
    s.chars().map(placeholder).collect()
}

/// [`visible`] on one line: newlines and tabs become spaces.
pub fn visible_line(s: &str) -> String {
    visible(s)
        .chars()
        .map(|c| if c == '\n' || c == '\t' { ' ' } else { c })
        .collect()
}

fn placeholder(c: char) -> char {
    if !is_unsafe(c) {
        return c;
    }
    match c {
        '\u{0}'..='\u{1f}' => char::from_u32(0x2400 + c as u32).unwrap_or('\u{fffd}'),
        '\u{7f}' => '\u{2421}',
        _ => '\u{fffd}',
    }
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

    #[test]
    fn placeholders_are_visible_and_safe() {
        assert_eq!(visible_line("a\u{1b}[2Jb\u{202e}c\u{7f}\u{7}"), "a␛[2Jb\u{fffd}c␡␇");
        let v = visible("x\u{0}\u{9b}\u{200b}\u{2066}y\nz");
        assert!(!v.chars().any(is_unsafe), "{v:?}");
        assert!(v.ends_with("y\nz"));
    }

    #[test]
    fn invisible_tags_and_annotations_go() {
        // "hi" in tag characters after a visible word, an interlinear annotation.
        let s = "ok\u{e0068}\u{e0069}\u{e007f} \u{fff9}a\u{fffa}b\u{fffb}\u{180e}";
        assert_eq!(clean(s), "ok ab");
        assert!(!visible(s).chars().any(is_unsafe));
    }
}
