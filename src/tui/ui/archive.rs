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
    let height = list.height.saturating_sub(1) as usize;
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
    let sel = shown.get(a.cursor.selected).map(|d| d.id);
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
        let mut lines = super::sections::lines(&crate::export::dossier_sections(v), inner.width as usize, &th);
        // The files attached to the dossier and its plan, with who attached them
        // and the addendum that sealed each one attached after filing (issue 18 §1).
        lines.extend(super::sections::attachment_lines(s, d.id, inner.width as usize, &th));
        let first = a.detail_scroll.first(lines.len(), inner.height as usize);
        let body: Vec<Line> = lines.into_iter().skip(first).collect();
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
