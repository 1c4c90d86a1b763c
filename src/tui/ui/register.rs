//! The register pane (8): the register, the outbox with each message's
//! delivery state and the MTA's last answer, or the names to resolve.

use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::super::state::{RegisterView, State};
use super::theme::Theme;
use super::{columns, row, Col};
use crate::i18n::t;
use crate::tui::update::register as reg;

pub fn render(f: &mut Frame, area: Rect, s: &State) {
    let th = Theme::of(s);
    let view = s.register.view;
    let outbox = view == RegisterView::Outbox;
    let title = match view {
        RegisterView::Outbox => t("tui.register.outbox_title", &[]),
        RegisterView::Names => t("tui.register.names_title", &[]),
        RegisterView::Register => t("tui.register.register_title", &[]),
    };
    let mut lines = vec![Line::styled(title, th.heading())];
    let (head, rows): (Vec<String>, Vec<Vec<String>>) = if view == RegisterView::Names {
        (
            vec![
                t("people.col.name", &[]),
                t("people.col.written_as", &[]),
                t("people.col.times", &[]),
                t("tui.register.records", &[]),
                t("people.col.candidates", &[]),
            ],
            reg::names(s)
                .iter()
                .map(|u| {
                    let name = if u.department.is_empty() {
                        u.text.clone()
                    } else {
                        format!("{}（{}）", u.text, u.department)
                    };
                    let candidates = if u.candidates.is_empty() {
                        t("people.nobody", &[])
                    } else {
                        crate::i18n::list(u.candidates.iter().map(|c| format!("{} {}", c.id, c.name)))
                    };
                    let records: Vec<String> = u.records.iter().map(|r| r.to_string()).collect();
                    vec![
                        name,
                        crate::i18n::list(u.parts.iter().map(|p| p.label())),
                        u.count.to_string(),
                        records.join(" "),
                        candidates,
                    ]
                })
                .collect(),
        )
    } else if outbox {
        (
            vec![
                t("cli.col.id", &[]),
                t("mail.col.state", &[]),
                t("mail.col.kind", &[]),
                t("mail.col.to", &[]),
                t("mail.col.subject", &[]),
            ],
            reg::outbox(s)
                .iter()
                .map(|m| {
                    let mut subject = m.subject.clone();
                    if let Some(e) = m.last_error() {
                        subject = format!("{subject} — {}", t("mail.mta_answer", &[("answer", e.to_string())]));
                    }
                    vec![
                        m.id.to_string(),
                        m.state_text(),
                        m.kind.label(),
                        m.recipients(),
                        subject,
                    ]
                })
                .collect(),
        )
    } else {
        (
            vec![
                t("cli.col.id", &[]),
                t("tui.register.kind", &[]),
                t("register.col.name", &[]),
                t("tui.register.reach", &[]),
            ],
            reg::register_rows(&s.register.register)
                .into_iter()
                .map(|r| r.to_vec())
                .collect(),
        )
    };
    let cols: Vec<Col> = if view == RegisterView::Names {
        vec![Col::new(20, 0), Col::new(12, 3), Col::new(4, 2), Col::new(15, 1)]
    } else if outbox {
        vec![Col::new(15, 0), Col::new(12, 0), Col::new(12, 2), Col::new(24, 1)]
    } else {
        vec![Col::new(10, 0), Col::new(6, 1), Col::new(16, 0)]
    };
    let widths = columns(area.width as usize, &cols, 16);
    lines.push(Line::styled(row(&head, &widths), th.heading()));
    let height = area.height.saturating_sub(2) as usize;
    s.page.set(height.max(1));
    let off = s.register.cursor.visible_offset(height);
    for (i, cells) in rows.iter().enumerate().skip(off).take(height) {
        let cells: Vec<String> = cells.iter().map(|c| crate::sanitize::clean_line(c)).collect();
        let text = row(&cells, &widths);
        lines.push(if i == s.register.cursor.selected {
            super::selected_row(text, widths[0].unwrap_or(0), th.selected())
        } else {
            Line::raw(text)
        });
    }
    if rows.is_empty() {
        let why = match view {
            RegisterView::Outbox => match &s.register.outbox {
                Some(Err(e)) => e.clone(),
                _ if s.register.loading => t("tui.loading", &[]),
                _ => t("tui.register.empty", &[]),
            },
            RegisterView::Names => match &s.register.names {
                Some(Err(e)) => e.clone(),
                Some(Ok(_)) => t("people.none", &[]),
                None => t("tui.loading", &[]),
            },
            RegisterView::Register if s.register.loading => t("tui.loading", &[]),
            RegisterView::Register => t("tui.register.empty", &[]),
        };
        lines.push(Line::styled(format!("  {why}"), th.dim()));
    }
    f.render_widget(Paragraph::new(lines), area);
}
