//! The templates pane: templates of standard changes, newest first, and the
//! selected one's sections (the same as `beian template show`).

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::super::state::State;
use super::theme::Theme;
use super::{columns, fit, row, Col};
use crate::i18n::t;
use crate::model::{Template, TemplateStatus};

pub fn render(f: &mut Frame, area: Rect, s: &State) {
    let selected = crate::tui::update::templates::selected(s);
    let (list, detail) = match selected {
        Some(_) => {
            let [a, b] = Layout::vertical([Constraint::Percentage(35), Constraint::Percentage(65)]).areas(area);
            (a, Some(b))
        }
        None => (area, None),
    };
    render_list(f, list, s);
    if let (Some(area), Some(sel)) = (detail, selected) {
        match s.templates.detail.as_ref().filter(|x| x.id == sel.id) {
            Some(x) => render_detail(f, area, s, x),
            None => super::loading_detail(f, area, s, sel.id),
        }
    }
}

fn render_list(f: &mut Frame, area: Rect, s: &State) {
    let th = Theme::of(s);
    let today = chrono::Local::now().date_naive();
    let head = [
        t("cli.col.id", &[]),
        t("cli.col.status", &[]),
        t("cli.col.system", &[]),
        t("record.field.expires", &[]),
        t("cli.col.title", &[]),
    ];
    let status = |st: TemplateStatus, expired: bool| crate::model::template_status_label(st, expired);
    let cols = [
        Col::new(14, 0),
        Col::fitting(
            TemplateStatus::ALL
                .iter()
                .map(|x| status(*x, *x == TemplateStatus::Approved))
                .chain([head[1].clone()]),
            18,
            0,
        ),
        Col::new(12, 2),
        Col::new(10, 1),
    ];
    let widths = columns(area.width as usize, &cols, 16);
    let mut lines = vec![Line::styled(row(&head, &widths), th.heading())];
    let height = area.height.saturating_sub(1) as usize;
    s.page.set(height.max(1));
    let off = s.templates.cursor.visible_offset(height);
    for (i, x) in s.templates.all.iter().enumerate().skip(off).take(height) {
        let cells = [
            x.id.to_string(),
            status(x.status, x.expired(today)),
            s.system_name(Some(x.system)),
            x.expires.map(|d| d.to_string()).unwrap_or_default(),
            x.title.clone(),
        ];
        let text = row(&cells, &widths);
        lines.push(if i == s.templates.cursor.selected {
            super::selected_row(text, widths[0].unwrap_or(0), th.selected())
        } else {
            Line::raw(text)
        });
    }
    if s.templates.all.is_empty() {
        lines.push(Line::styled(
            format!(
                "  {}",
                if s.loading {
                    t("tui.loading", &[])
                } else {
                    t("tui.templates.empty", &[])
                }
            ),
            th.dim(),
        ));
    }
    f.render_widget(Paragraph::new(lines), area);
}

fn render_detail(f: &mut Frame, area: Rect, s: &State, x: &Template) {
    let th = Theme::of(s);
    let title = format!(" {} {} · {} ", x.id, fit(&x.title, 40), x.status.label());
    let block = super::detail_block(s, &title, s.focus == crate::tui::state::Focus::Detail);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let sections = crate::export::template_sections(x, &s.system_name(Some(x.system)));
    let lines = super::sections::lines(&sections, inner.width as usize, &th);
    let first = s.templates.detail_scroll.first(lines.len(), inner.height as usize);
    let lines: Vec<Line> = lines.into_iter().skip(first).collect();
    f.render_widget(Paragraph::new(lines), inner);
}
