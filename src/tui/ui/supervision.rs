//! The supervision pane: the rectification orders and (for supervisors) the
//! confidential reports as one list, each kind under its own header; the
//! selected one's detail below, with its history ([`crate::export::supervision`]).

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::super::state::{Focus, State};
use super::super::update::supervision::{rows, selected, Row};
use super::theme::Theme;
use super::{columns, fit, row, Col};
use crate::export::supervision as sections;
use crate::i18n::t;
use crate::model::{OrderStatus, ReportStatus};

pub fn render(f: &mut Frame, area: Rect, s: &State) {
    let sel = selected(s);
    let (list, detail) = match sel {
        Some(_) => {
            let [a, b] = Layout::vertical([Constraint::Percentage(40), Constraint::Percentage(60)]).areas(area);
            (a, Some(b))
        }
        None => (area, None),
    };
    render_list(f, list, s);
    if let (Some(area), Some(row)) = (detail, sel) {
        render_detail(f, area, s, row);
    }
}

fn render_list(f: &mut Frame, area: Rect, s: &State) {
    let th = Theme::of(s);
    let w = area.width as usize;
    // Overdue as the overview says (the service's today), like the header.
    let overdue = |o: &crate::model::RectificationOrder| s.overview.overdue_orders.contains(&o.id);
    let status_col = |labels: Vec<String>| Col::fitting(labels, 18, 0);
    let order_head = [
        t("cli.col.id", &[]),
        t("cli.col.status", &[]),
        t("cli.col.deadline", &[]),
        t("cli.col.target", &[]),
        t("cli.col.finding", &[]),
    ];
    let order_cols = [
        Col::new(13, 0),
        status_col(
            OrderStatus::ALL
                .iter()
                .map(|x| format!("{} {}", x.label(), t("cli.overdue", &[])))
                .chain([order_head[1].clone()])
                .collect(),
        ),
        Col::new(11, 2),
        Col::new(14, 1),
    ];
    let report_head = [
        t("cli.col.id", &[]),
        t("cli.col.status", &[]),
        t("cli.col.received", &[]),
        t("cli.col.plan", &[]),
        t("cli.col.content", &[]),
    ];
    let report_cols = [
        Col::new(13, 0),
        status_col(
            ReportStatus::ALL
                .iter()
                .map(|x| x.label())
                .chain([report_head[1].clone()])
                .collect(),
        ),
        Col::new(11, 2),
        Col::new(14, 1),
    ];
    let ow = columns(w, &order_cols, 16);
    let rw = columns(w, &report_cols, 16);
    // Every line of the list, with the row it shows (headers show none).
    let mut lines: Vec<(Line, Option<usize>)> = vec![(Line::styled(row(&order_head, &ow), th.heading()), None)];
    let all = rows(s);
    let orders = s.supervision.orders.len();
    if orders == 0 {
        let text = if s.supervision.loading {
            t("tui.loading", &[])
        } else {
            t("tui.supervision.no_orders", &[])
        };
        lines.push((Line::styled(fit(&format!("  {text}"), w), th.dim()), None));
    }
    for (i, r) in all.iter().enumerate() {
        let cells = match r {
            Row::Order(o) => [
                o.id.to_string(),
                sections::order_status(o, overdue(o)),
                if o.extensions.is_empty() {
                    o.deadline.to_string()
                } else {
                    format!("{}*", o.deadline)
                },
                sections::order_target(&o.target),
                o.finding.clone(),
            ],
            Row::Report(r) => [
                r.id.to_string(),
                r.status.label(),
                r.received_at.with_timezone(&chrono::Local).date_naive().to_string(),
                r.plan.map(|p| p.to_string()).unwrap_or_default(),
                r.content.clone(),
            ],
        };
        if i == orders {
            lines.push((Line::raw(""), None));
            lines.push((Line::styled(row(&report_head, &rw), th.heading()), None));
        }
        let widths = if i < orders { &ow } else { &rw };
        let text = row(&cells, widths);
        let line = if i == s.supervision.cursor.selected {
            super::selected_row(text, widths[0].unwrap_or(0), th.selected())
        } else if matches!(r, Row::Order(o) if overdue(o)) {
            Line::styled(text, th.warn())
        } else {
            Line::raw(text)
        };
        lines.push((line, Some(i)));
    }
    if s.supervision.reports.as_ref().is_some_and(|r| r.is_empty()) {
        lines.push((Line::raw(""), None));
        lines.push((Line::styled(row(&report_head, &rw), th.heading()), None));
        lines.push((
            Line::styled(fit(&format!("  {}", t("tui.supervision.no_reports", &[])), w), th.dim()),
            None,
        ));
    }
    // Keep the selected row in view: scroll by lines, the headers above it too.
    let height = area.height as usize;
    s.page.set(height.saturating_sub(1).max(1));
    let at = lines
        .iter()
        .position(|(_, r)| *r == Some(s.supervision.cursor.selected))
        .unwrap_or(0);
    let cursor = super::super::state::ListCursor {
        selected: at,
        offset: s.supervision.cursor.offset.clone(),
    };
    let first = cursor.visible_offset(height);
    s.supervision.cursor.offset.set(cursor.offset.get());
    let shown: Vec<Line> = lines.into_iter().skip(first).take(height).map(|(l, _)| l).collect();
    f.render_widget(Paragraph::new(shown), area);
}

fn render_detail(f: &mut Frame, area: Rect, s: &State, row: Row) {
    let th = Theme::of(s);
    let id = row.id();
    let (title, parts) = match row {
        Row::Order(o) => {
            let overdue = s.overview.overdue_orders.contains(&o.id);
            (
                format!(" {} · {} ", o.id, sections::order_status(o, overdue)),
                sections::order_sections(o, overdue),
            )
        }
        Row::Report(r) => (
            format!(" {} · {} ", r.id, r.status.label()),
            sections::report_sections(r),
        ),
    };
    let block = super::detail_block(s, &title, s.focus == Focus::Detail);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let mut lines = super::sections::lines(&parts, inner.width as usize, &th);
    // The files attached to the order or report (issue 18 §1).
    lines.extend(super::sections::attachment_lines(s, id, inner.width as usize, &th));
    let first = s.supervision.detail_scroll.first(lines.len(), inner.height as usize);
    let lines: Vec<Line> = lines.into_iter().skip(first).collect();
    f.render_widget(Paragraph::new(lines), inner);
}
