//! Text as it appears in a terminal, shared by the CLI's tables and the UI: widths
//! in display columns (per grapheme, as ratatui draws them, so Chinese and emoji
//! agree with the screen), and cutting to a width without splitting a wide character.

use ratatui::buffer::CellWidth;
use ratatui::style::Style;
use ratatui::text::Span;

/// The graphemes of `s` that ratatui draws, with the cells each takes (control
/// characters and zero-width graphemes take none and are not drawn). `f` returns
/// false to stop.
pub fn graphemes(s: &str, mut f: impl FnMut(&str, usize) -> bool) {
    let span = Span::raw(s);
    for g in span.styled_graphemes(Style::default()) {
        let w = usize::from(g.symbol.cell_width());
        if w > 0 && !f(g.symbol, w) {
            return;
        }
    }
}

/// The columns `s` takes on screen. Counted per grapheme like ratatui, so an emoji
/// with a variation selector or a half-width katakana sound mark agrees with the buffer.
pub fn text_width(s: &str) -> usize {
    let mut n = 0;
    graphemes(s, |_, w| {
        n += w;
        true
    });
    n
}

/// Cut `s` to `max` display columns, ending with `…` when cut; never splits a wide
/// character. Control, bidi and zero-width characters are dropped, newlines and tabs
/// become spaces.
pub fn fit(s: &str, max: usize) -> String {
    let s = crate::sanitize::visible_line(s);
    if text_width(&s) <= max {
        return s;
    }
    if max == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut w = 0;
    graphemes(&s, |g, gw| {
        if w + gw + 1 > max {
            return false;
        }
        out.push_str(g);
        w += gw;
        true
    });
    out.push('…');
    out
}

/// Pad or cut to exactly `width` columns.
pub fn cell(s: &str, width: usize) -> String {
    let mut v = fit(s, width);
    let w = text_width(&v);
    v.extend(std::iter::repeat_n(' ', width.saturating_sub(w)));
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_counts_columns() {
        assert_eq!(fit("教务管理系统", 8), "教务管…");
        assert_eq!(fit("abc", 8), "abc");
        assert!(text_width(&fit("一卡通系统无法充值请尽快处理", 10)) <= 10);
        assert_eq!(text_width(&cell("一卡通", 9)), 9);
    }
}
