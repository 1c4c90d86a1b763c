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

/// Break text into lines of at most `width` columns, cleaned of control, bidi and
/// zero-width characters (each shown as a visible placeholder). A newline always
/// breaks. With `words`, Chinese breaks between any two characters and other text at
/// spaces (the space is dropped), or inside a word longer than the line; without,
/// anywhere, as a text field wraps.
pub fn wrap(text: &str, width: usize, words: bool) -> Vec<String> {
    let width = width.max(1);
    let mut out = Vec::new();
    let text = crate::sanitize::visible(text).replace('\t', "    ");
    for para in text.split('\n') {
        let mut line = String::new();
        let mut w = 0;
        // Where in `line` the last break may come: after a space or a wide character.
        let mut brk: Option<usize> = None;
        graphemes(para, |g, gw| {
            if w + gw > width && !line.is_empty() {
                if words && g == " " {
                    out.push(line.trim_end_matches(' ').to_string());
                    line.clear();
                    w = 0;
                    brk = None;
                    return true;
                }
                match brk.filter(|&at| at < line.len()) {
                    Some(at) => {
                        let rest = line.split_off(at);
                        out.push(line.trim_end_matches(' ').to_string());
                        w = text_width(&rest);
                        line = rest;
                    }
                    None => {
                        out.push(std::mem::take(&mut line));
                        w = 0;
                    }
                }
                brk = None;
            }
            line.push_str(g);
            w += gw;
            if words && (g == " " || gw > 1) {
                brk = Some(line.len());
            }
            true
        });
        out.push(line);
    }
    out
}

/// The narrowest a column of a [`table_lines`] table is squeezed to (or its
/// header's width, or its widest line, whichever is least).
const MIN_COLUMN: usize = 8;

/// Space between two columns of a [`table_lines`] table.
const GAP: usize = 2;

/// A table laid out in `width` display columns, every line starting with `indent`
/// spaces: the header line(s) first, then the rows. Nothing is cut: a cell keeps its
/// line breaks and wraps inside its column (a row takes as many lines as its tallest
/// cell). Columns are as wide as their widest line while the table fits; otherwise
/// the widest are narrowed, down to [`MIN_COLUMN`]. When even that does not fit,
/// each row becomes a block of `header  value` lines instead, rows apart by an empty
/// line. Returns the lines and how many of the first are the header (0 for blocks).
pub fn table_lines(headers: &[String], rows: &[Vec<String>], width: usize, indent: usize) -> (Vec<String>, usize) {
    let n = headers.len();
    let cell = |r: &Vec<String>, i: usize| r.get(i).cloned().unwrap_or_default();
    let widest = |s: &str| {
        wrap(s, usize::MAX, true)
            .iter()
            .map(|l| text_width(l))
            .max()
            .unwrap_or(0)
    };
    let natural: Vec<usize> = (0..n)
        .map(|i| {
            rows.iter()
                .map(|r| widest(&cell(r, i)))
                .chain([widest(&headers[i])])
                .max()
                .unwrap_or(0)
                .max(1)
        })
        .collect();
    let avail = width.saturating_sub(indent + GAP * n.saturating_sub(1));
    let least: Vec<usize> = (0..n)
        .map(|i| natural[i].min(widest(&headers[i]).max(MIN_COLUMN)))
        .collect();
    if least.iter().sum::<usize>() > avail {
        return (record_lines(headers, rows, width, indent), 0);
    }
    let widths = if natural.iter().sum::<usize>() <= avail {
        natural
    } else {
        // The widest columns give way first: every column gets at most `cap`.
        let fits = |cap: usize| (0..n).map(|i| natural[i].min(cap).max(least[i])).sum::<usize>() <= avail;
        let mut cap = 0;
        while fits(cap + 1) {
            cap += 1;
        }
        let mut w: Vec<usize> = (0..n).map(|i| natural[i].min(cap).max(least[i])).collect();
        // What is left goes to the columns that still want more, left to right.
        let mut left = avail - w.iter().sum::<usize>();
        for i in 0..n {
            let more = (natural[i] - w[i]).min(left);
            w[i] += more;
            left -= more;
        }
        w
    };
    let pad = " ".repeat(indent);
    let mut out = Vec::new();
    let emit = |cells: Vec<String>| {
        let wrapped: Vec<Vec<String>> = cells.iter().zip(&widths).map(|(c, w)| wrap(c, *w, true)).collect();
        let height = wrapped.iter().map(Vec::len).max().unwrap_or(1);
        let mut lines = Vec::new();
        for j in 0..height {
            let mut line = pad.clone();
            for (i, col) in wrapped.iter().enumerate() {
                let part = col.get(j).map(String::as_str).unwrap_or("");
                line.push_str(part);
                if i + 1 < n {
                    line.extend(std::iter::repeat_n(' ', widths[i] - text_width(part) + GAP));
                }
            }
            lines.push(line.trim_end().to_string());
        }
        lines
    };
    out.extend(emit(headers.to_vec()));
    let header = out.len();
    for r in rows {
        out.extend(emit((0..n).map(|i| cell(r, i)).collect()));
    }
    (out, header)
}

/// Each row of a table as `header  value` lines, the values wrapped and aligned.
fn record_lines(headers: &[String], rows: &[Vec<String>], width: usize, indent: usize) -> Vec<String> {
    let label_w = headers
        .iter()
        .map(|h| text_width(&fit(h, width / 3)))
        .max()
        .unwrap_or(0);
    let value_w = width.saturating_sub(indent + label_w + GAP).max(1);
    let mut out = Vec::new();
    for (k, r) in rows.iter().enumerate() {
        if k > 0 {
            out.push(String::new());
        }
        for (i, h) in headers.iter().enumerate() {
            let label = fit(h, width / 3);
            let value = r.get(i).map(String::as_str).unwrap_or("");
            for (j, l) in wrap(value, value_w, true).into_iter().enumerate() {
                let head = if j == 0 { label.clone() } else { String::new() };
                let mut line = " ".repeat(indent);
                line.push_str(&head);
                line.extend(std::iter::repeat_n(' ', label_w - text_width(&head) + GAP));
                line.push_str(&l);
                out.push(line.trim_end().to_string());
            }
        }
    }
    out
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

    fn table() -> (Vec<String>, Vec<Vec<String>>) {
        let h = vec!["#".to_string(), "功能".into(), "更新前".into(), "更新后".into()];
        let rows = vec![
            vec![
                "1".into(),
                "充值".into(),
                "银行圈存机<&|>\n服务大厅".into(),
                "微信、支付宝在线充值".into(),
            ],
            vec![
                "2".into(),
                "校园卡形态".into(),
                "仅实体卡".into(),
                "实体卡与手机虚拟校园卡（二维码）并行".into(),
            ],
        ];
        (h, rows)
    }

    #[test]
    fn tables_keep_every_line_and_align_by_display_width() {
        let (h, rows) = table();
        let (lines, header) = table_lines(&h, &rows, 200, 2);
        assert_eq!(header, 1);
        assert_eq!(
            lines,
            vec![
                "  #  功能        更新前          更新后",
                "  1  充值        银行圈存机<&|>  微信、支付宝在线充值",
                "                 服务大厅",
                "  2  校园卡形态  仅实体卡        实体卡与手机虚拟校园卡（二维码）并行",
            ]
        );
    }

    #[test]
    fn narrow_tables_wrap_inside_their_columns_then_become_blocks() {
        let (h, rows) = table();
        for width in [12, 30, 44, 60, 80] {
            let (lines, _) = table_lines(&h, &rows, width, 2);
            for l in &lines {
                assert!(text_width(l) <= width, "{width}: {l:?} in {lines:#?}");
            }
            // Every character of every cell is still there, in order.
            let all: String = lines.concat().chars().filter(|c| !c.is_whitespace()).collect();
            for r in &rows {
                for c in r {
                    let want: String = c.chars().filter(|c| !c.is_whitespace()).collect();
                    let mut it = all.chars();
                    assert!(want.chars().all(|w| it.any(|x| x == w)), "{width}: {c} in {lines:#?}");
                }
            }
        }
        let (lines, header) = table_lines(&h, &rows, 30, 2);
        assert_eq!(header, 0, "{lines:#?}");
        assert_eq!(lines[0], "  #       1");
        let (_, header) = table_lines(&h, &rows, 60, 2);
        assert_eq!(header, 1);
    }
}
