//! The attention view (pane 0, issue 17 §1): what needs someone now — what,
//! which record, since when, which role should act, and why — with the
//! selected item told in full below; Enter goes to its record.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::super::state::State;
use super::theme::Theme;
use super::{columns, fit, row, Col};
use crate::i18n::t;
use crate::model::{fmt_day, fmt_time, Role};
use crate::workflow::AttentionKind;

pub fn render(f: &mut Frame, area: Rect, s: &State) {
    let (list, detail) = match s.attention.selected() {
        Some(_) if area.height >= 12 => {
            let [a, b] = Layout::vertical([Constraint::Min(4), Constraint::Length(7)]).areas(area);
            (a, Some(b))
        }
        _ => (area, None),
    };
    render_list(f, list, s);
    if let Some(area) = detail {
        render_detail(f, area, s);
    }
}

fn render_list(f: &mut Frame, area: Rect, s: &State) {
    let th = Theme::of(s);
    let head = [
        t("attention.col.what", &[]),
        t("attention.col.record", &[]),
        t("attention.col.since", &[]),
        t("attention.col.role", &[]),
        t("attention.col.why", &[]),
    ];
    let cols = [
        Col::fitting(
            AttentionKind::ALL.iter().map(|k| k.label()).chain([head[0].clone()]),
            16,
            0,
        ),
        Col::new(14, 0),
        Col::new(5, 2),
        Col::fitting(Role::ALL.iter().map(|r| r.label()).chain([head[3].clone()]), 10, 1),
    ];
    let widths = columns(area.width as usize, &cols, 20);
    let mut lines = vec![Line::styled(row(&head, &widths), th.heading())];
    let height = area.height.saturating_sub(1) as usize;
    s.page.set(height.max(1));
    let off = s.attention.cursor.visible_offset(height);
    let now = s.attention.list.as_ref().map(|l| l.as_of).unwrap_or_default();
    let items = s
        .attention
        .list
        .as_ref()
        .map(|l| l.items.as_slice())
        .unwrap_or_default();
    for (i, it) in items.iter().enumerate().skip(off).take(height) {
        let cells = [
            it.kind.label(),
            it.record.to_string(),
            fmt_day(it.since, now),
            it.role.label(),
            it.why(),
        ];
        let text = row(&cells, &widths);
        lines.push(if i == s.attention.cursor.selected {
            super::selected_row(text, widths[0].unwrap_or(0), th.selected())
        } else if it.overdue {
            Line::styled(text, th.warn())
        } else {
            Line::raw(text)
        });
    }
    if items.is_empty() {
        let text = if s.attention.list.is_none() {
            t("tui.loading", &[])
        } else {
            t("attention.none", &[])
        };
        lines.push(Line::styled(format!("  {text}"), th.dim()));
    }
    f.render_widget(Paragraph::new(lines), area);
}

fn render_detail(f: &mut Frame, area: Rect, s: &State) {
    let th = Theme::of(s);
    let Some(it) = s.attention.selected() else { return };
    let title = format!(" {} · {} ", it.kind.label(), it.record);
    let block = super::detail_block(s, &title, false);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let w = inner.width as usize;
    let labels = ["record", "why", "since", "role"].map(|k| t(&format!("attention.col.{k}"), &[]));
    let lw = labels.iter().map(|l| super::text_width(l)).max().unwrap_or(0);
    let field = |label: String, value: String| {
        let pad = lw.saturating_sub(super::text_width(&label));
        let label = format!("{label}{}  ", " ".repeat(pad));
        let rest = w.saturating_sub(super::text_width(&label));
        Line::from(vec![Span::styled(label, th.dim()), Span::raw(fit(&value, rest))])
    };
    let mut lines = vec![
        field(t("attention.col.record", &[]), format!("{} {}", it.record, it.title)),
        field(t("attention.col.why", &[]), it.why()),
        field(t("attention.col.since", &[]), fmt_time(it.since)),
        field(t("attention.col.role", &[]), it.role.label()),
    ];
    let key = s
        .keymap
        .keys_for(crate::tui::action::Pane::Attention, crate::tui::action::Action::Open)
        .first()
        .cloned()
        .unwrap_or_else(|| "enter".into());
    lines.push(Line::styled(fit(&t("tui.attention.go", &[("key", key)]), w), th.dim()));
    f.render_widget(Paragraph::new(lines), inner);
}
