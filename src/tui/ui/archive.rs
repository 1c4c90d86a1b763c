//! The archive pane: search line, dossiers newest first (or the hits, or a
//! system's timeline), and the open dossier's sections.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::super::state::State;
use super::theme::Theme;
use super::{columns, fit, render_field, row, text_width, Col};
use crate::i18n::t;
use crate::model::fmt_time;

pub fn render(f: &mut Frame, area: Rect, s: &State) {
    let th = Theme::of(s);
    let a = &s.archive;
    let [search, rest] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
    let label = match a.timeline {
        Some((id, days)) => format!(
            "{} · {} ",
            t(
                "tui.archive.timeline",
                &[("system", s.system_name(Some(id))), ("days", days.to_string())]
            ),
            "/"
        ),
        None => "/ ".to_string(),
    };
    // The timeline's label may be long (a system's name): it leaves half the line to the query.
    let label = fit(&label, search.width as usize / 2);
    let lw = text_width(&label) as u16;
    f.render_widget(Paragraph::new(Span::styled(label, th.dim())), search);
    // The integrity of the chain, at the right end of the search line.
    let (badge, style) = integrity_badge(s, &th);
    let badge = fit(&badge, search.width.saturating_sub(lw) as usize / 2);
    let bw = text_width(&badge) as u16;
    f.render_widget(
        Paragraph::new(Span::styled(badge, style)),
        Rect {
            x: search.x + search.width.saturating_sub(bw),
            width: bw,
            ..search
        },
    );
    let input = Rect {
        x: search.x + lw,
        width: search.width.saturating_sub(lw + bw + 1),
        ..search
    };
    render_field(f, &a.query, input, a.searching && s.popups.is_empty());
    let (list, detail) = match a.open {
        true => {
            let [x, y] = Layout::vertical([Constraint::Percentage(30), Constraint::Percentage(70)]).areas(rest);
            (x, Some(y))
        }
        false => (rest, None),
    };
    let height = list.height.saturating_sub(1) as usize;
    if let Some(changes) = &a.changes {
        render_changes(f, list, s, changes, &th);
    } else if let Some(answer) = &a.answer {
        render_answer(f, list, s, answer, &th);
    } else {
        let head = [
            t("cli.col.id", &[]),
            t("cli.col.live", &[]),
            t("cli.col.system", &[]),
            t("cli.col.version", &[]),
            t("cli.col.title", &[]),
        ];
        // On a narrow screen the version goes first, then the system.
        let cols = [Col::new(14, 0), Col::new(16, 0), Col::new(14, 1), Col::new(20, 2)];
        let widths = columns(list.width as usize, &cols, 16);
        let mut lines = vec![Line::styled(row(&head, &widths), th.heading())];
        let shown = a.shown();
        s.page.set(height.max(1));
        let off = a.cursor.visible_offset(height);
        for (i, d) in shown.iter().enumerate().skip(off).take(height) {
            let cells = [
                d.id.to_string(),
                d.live_at.map(fmt_time).unwrap_or_default(),
                d.system_name.clone(),
                format!("{}→{}", d.version_from, d.version_to),
                d.title.clone(),
            ];
            let text = row(&cells, &widths);
            lines.push(if i == a.cursor.selected {
                super::selected_row(text, widths[0].unwrap_or(0), th.selected())
            } else {
                Line::raw(text)
            });
        }
        if shown.is_empty() {
            lines.push(Line::styled(format!("  {}", t("tui.archive.empty", &[])), th.dim()));
        }
        f.render_widget(Paragraph::new(lines), list);
    }
    let sel = a.selected_dossier();
    let current = a.detail.as_ref().filter(|v| Some(v.dossier.id) == sel);
    if let (Some(area), Some(id), None) = (detail, sel, current) {
        super::loading_detail(f, area, s, id);
    }
    if let (Some(area), Some(v)) = (detail, current) {
        let d = &v.dossier;
        let title = format!(
            " {} · {} ",
            d.id,
            t(
                "cli.filed_by",
                &[("who", d.filed_by.clone()), ("when", fmt_time(d.filed_at))]
            )
        );
        let block = super::detail_block(s, &title, s.focus == crate::tui::state::Focus::Detail);
        let inner = block.inner(area);
        f.render_widget(block, area);
        // Every section of the dossier, as the CLI and the Markdown export show it.
        a.detail_width.set(inner.width as usize);
        let mut lines = super::sections::lines(&crate::export::dossier_sections(v), inner.width as usize, &th);
        // The files attached to the dossier and its plan, with who attached them
        // and the addendum that sealed each one attached after filing (issue 18 §1).
        lines.extend(super::sections::attachment_lines(s, d.id, inner.width as usize, &th));
        let first = a.detail_scroll.first(lines.len(), inner.height as usize);
        // The words of the search stand out (`n`/`N` go from line to line).
        let terms = a.answer.as_ref().map(|x| x.terms.clone()).unwrap_or_default();
        let body: Vec<Line> = lines
            .into_iter()
            .skip(first)
            .take(inner.height as usize)
            .map(|l| mark_line(l, &terms, &th))
            .collect();
        f.render_widget(Paragraph::new(body), inner);
    }
}

/// `完整性 ✓ 链头 #1421`, `完整性 ✗ audit #17`, or that it is being checked.
fn integrity_badge(s: &State, th: &Theme) -> (String, ratatui::style::Style) {
    use super::super::state::Integrity;
    match &s.archive.integrity {
        Integrity::Checking => (t("tui.integrity.checking", &[]), th.dim()),
        Integrity::Intact(v) => (t("tui.integrity.intact", &[("seq", v.head.seq.to_string())]), th.ok()),
        Integrity::Broken(v) => (
            t(
                "tui.integrity.broken",
                &[("at", v.problem.as_ref().map(|p| p.at.clone()).unwrap_or_default())],
            ),
            th.error(),
        ),
        Integrity::Unknown(why) => (t("tui.integrity.unknown", &[("why", why.clone())]), th.dim()),
    }
}

/// Snippet lines under each hit.
const SNIPPET_LINES: usize = 2;

/// The ranked answer: each hit on a line (its record, time, system, version,
/// title), then up to two lines where the words occur, the words marked.
fn render_answer(f: &mut Frame, area: Rect, s: &State, answer: &crate::search::archive::SearchAnswer, th: &Theme) {
    let a = &s.archive;
    let per = 1 + SNIPPET_LINES;
    let height = area.height.saturating_sub(1) as usize;
    let fits = (height / per).max(1);
    s.page.set(fits);
    let cols = [Col::new(18, 0), Col::new(16, 2), Col::new(14, 1), Col::new(20, 3)];
    let widths = columns(area.width as usize, &cols, 16);
    let more = answer.total.saturating_sub(answer.hits.len());
    let head = if more > 0 {
        t(
            "tui.archive.found_more",
            &[
                ("n", answer.total.to_string()),
                ("shown", answer.hits.len().to_string()),
            ],
        )
    } else {
        t("tui.archive.found", &[("n", answer.total.to_string())])
    };
    let mut lines = vec![Line::styled(
        fit(&format!("  {head}"), area.width as usize),
        th.heading(),
    )];
    let off = a.cursor.visible_offset(fits);
    let snippet_width = (area.width as usize).saturating_sub(6);
    for (i, h) in answer.hits.iter().enumerate().skip(off).take(fits) {
        let d = &h.dossier;
        let cells = [
            h.reference(),
            fmt_time(h.time),
            d.system_name.clone(),
            format!("{}→{}", d.version_from, d.version_to),
            d.title.clone(),
        ];
        let text = row(&cells, &widths);
        lines.push(if i == a.cursor.selected {
            super::selected_row(text, widths[0].unwrap_or(0), th.selected())
        } else {
            Line::raw(text)
        });
        for k in 0..SNIPPET_LINES {
            lines.push(match h.snippets.get(k) {
                Some(sn) => snippet_line(sn, snippet_width, th),
                None => Line::raw(""),
            });
        }
    }
    if answer.hits.is_empty() {
        lines.push(Line::styled(format!("  {}", t("tui.archive.empty", &[])), th.dim()));
    }
    f.render_widget(Paragraph::new(lines), area);
}

/// A snippet, indented, cut to `width` columns, its matches marked.
fn snippet_line(sn: &crate::search::archive::Snippet, width: usize, th: &Theme) -> Line<'static> {
    let mut spans = vec![Span::raw("    ")];
    let mut used = 0;
    let mut at = 0;
    let mut push = |text: &str, style: ratatui::style::Style, used: &mut usize| {
        let room = width.saturating_sub(*used);
        if room == 0 || text.is_empty() {
            return;
        }
        let piece = fit(text, room);
        *used += text_width(&piece);
        spans.push(Span::styled(piece, style));
    };
    for &(x, y) in &sn.matches {
        let (Some(pre), Some(m)) = (sn.line.get(at..x), sn.line.get(x..y)) else {
            continue;
        };
        push(pre, th.dim(), &mut used);
        push(m, th.matched(), &mut used);
        at = y;
    }
    push(sn.line.get(at..).unwrap_or_default(), th.dim(), &mut used);
    Line::from(spans)
}

/// `line` with every occurrence of the words in a marked style.
fn mark_line(line: Line<'static>, terms: &[String], th: &Theme) -> Line<'static> {
    if terms.is_empty() {
        return line;
    }
    let text: String = line.spans.iter().map(|x| x.content.as_ref()).collect();
    let Some(sn) = crate::search::archive::snippet(&text, terms, usize::MAX) else {
        return line;
    };
    let style = line.spans.first().map(|x| x.style).unwrap_or_default();
    let mut spans = Vec::new();
    let mut at = 0;
    for &(x, y) in &sn.matches {
        let (Some(pre), Some(m)) = (sn.line.get(at..x), sn.line.get(x..y)) else {
            continue;
        };
        spans.push(Span::styled(pre.to_string(), style));
        spans.push(Span::styled(m.to_string(), th.matched()));
        at = y;
    }
    spans.push(Span::styled(sn.line.get(at..).unwrap_or_default().to_string(), style));
    Line::from(spans)
}

/// The timeline: what changed on the system, filed or not, newest first.
fn render_changes(f: &mut Frame, area: Rect, s: &State, changes: &[crate::service::Change], th: &Theme) {
    let a = &s.archive;
    let head = [
        t("cli.col.time", &[]),
        t("changes.col.event", &[]),
        t("cli.col.version", &[]),
        t("changes.col.filed", &[]),
        t("cli.col.title", &[]),
    ];
    let cols = [Col::new(16, 0), Col::new(14, 0), Col::new(18, 2), Col::new(14, 1)];
    let widths = columns(area.width as usize, &cols, 16);
    let mut lines = vec![Line::styled(row(&head, &widths), th.heading())];
    let height = area.height.saturating_sub(1) as usize;
    s.page.set(height.max(1));
    let off = a.cursor.visible_offset(height);
    for (i, c) in changes.iter().enumerate().skip(off).take(height) {
        let cells = [
            fmt_time(c.time),
            c.label(),
            format!("{}→{}", c.version_from, c.version_to),
            c.dossier
                .map(|d| d.to_string())
                .unwrap_or_else(|| t("changes.not_filed", &[])),
            c.title.clone(),
        ];
        let text = row(&cells, &widths);
        lines.push(if i == a.cursor.selected {
            super::selected_row(text, widths[0].unwrap_or(0), th.selected())
        } else if c.dossier.is_none() {
            Line::styled(text, th.warn())
        } else {
            Line::raw(text)
        });
    }
    if changes.is_empty() {
        lines.push(Line::styled(
            format!("  {}", t("tui.archive.no_changes", &[])),
            th.dim(),
        ));
    }
    f.render_widget(Paragraph::new(lines), area);
}
