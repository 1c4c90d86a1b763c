//! The sections of a dossier ([`crate::export::sections`]) as lines for a pane:
//! headings, aligned `label  value` lines, tables laid out in the width
//! ([`crate::text::table_lines`]: every line of every cell kept) and indented text.
//! Text shows as typed, wrapped to the width and cleaned of control, bidi and
//! zero-width characters; nothing here is Markdown.

use ratatui::text::{Line, Span};

use super::theme::Theme;
use super::{fit, text_width, textwrap_lines};
use crate::export::sections::{nothing, Block, Section};

/// Every line of `sections` for a pane `width` columns wide; none is wider.
pub fn lines(sections: &[Section], width: usize, th: &Theme) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    push(&mut out, sections, None, width.max(1), th);
    out
}

fn push(out: &mut Vec<Line<'static>>, sections: &[Section], parent: Option<&str>, width: usize, th: &Theme) {
    for s in sections {
        let title = match parent {
            Some(p) => format!("{p} · {}", s.title),
            None => s.title.clone(),
        };
        // A section that only groups others is named in their headings.
        if !s.blocks.is_empty() || s.subsections.is_empty() {
            if !out.is_empty() {
                out.push(Line::default());
            }
            for l in textwrap_lines(&title, width) {
                out.push(Line::styled(l, th.heading()));
            }
        }
        for (i, b) in s.blocks.iter().enumerate() {
            if i > 0 {
                out.push(Line::default());
            }
            block(out, b, width, th);
        }
        push(out, &s.subsections, Some(&title), width, th);
    }
}

fn block(out: &mut Vec<Line<'static>>, b: &Block, width: usize, th: &Theme) {
    match b {
        Block::Fields(fields) => {
            // Labels in one column, at most a third of the width.
            let labels: Vec<String> = fields.iter().map(|(l, _)| fit(l, width / 3)).collect();
            let lw = labels.iter().map(|l| text_width(l)).max().unwrap_or(0);
            let vw = width.saturating_sub(lw + 2).max(1);
            for (label, (_, value)) in labels.iter().zip(fields) {
                for (j, l) in textwrap_lines(value, vw).into_iter().enumerate() {
                    let head = if j == 0 { label.as_str() } else { "" };
                    let pad = " ".repeat(lw - text_width(head) + 2);
                    out.push(Line::from(vec![
                        Span::styled(format!("{head}{pad}"), th.dim()),
                        Span::raw(l),
                    ]));
                }
            }
        }
        Block::Table { headers, rows } => {
            let (lines, header) = crate::text::table_lines(headers, rows, width, 0);
            for (i, l) in lines.into_iter().enumerate() {
                out.push(if i < header {
                    Line::styled(l, th.dim())
                } else {
                    Line::raw(l)
                });
            }
        }
        Block::Text(text) => {
            for l in textwrap_lines(text.trim_end_matches('\n'), width.saturating_sub(2)) {
                out.push(if l.is_empty() {
                    Line::default()
                } else {
                    Line::raw(format!("  {l}"))
                });
            }
        }
        Block::Nothing => out.push(Line::styled(fit(&format!("  {}", nothing()), width), th.dim())),
    }
}

/// The files attached to `id` (issue 18 §1) as lines for its detail: the same
/// section as everywhere ([`crate::export::sections::attachments_section`]),
/// or that it is being read.
pub fn attachment_lines(
    s: &crate::tui::state::State,
    id: crate::model::Id,
    width: usize,
    th: &Theme,
) -> Vec<Line<'static>> {
    let mut out = vec![Line::default()];
    match crate::tui::update::attach::listed(s, id) {
        Some(list) => out.extend(lines(&[crate::export::sections::attachments_section(list)], width, th)),
        None => {
            out.push(Line::styled(
                fit(&crate::i18n::t("record.section.files", &[]), width),
                th.heading(),
            ));
            out.push(Line::styled(fit(&crate::i18n::t("tui.loading", &[]), width), th.dim()));
        }
    }
    out
}
