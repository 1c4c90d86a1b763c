//! The queue pane: filter line, request table, detail.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::super::state::State;
use super::theme::Theme;
use super::{cell, fit, textwrap_lines};
use crate::i18n::t;
use crate::model::fmt_time;

pub fn render(f: &mut Frame, area: Rect, s: &State) {
    let th = Theme::of(s);
    let q = &s.queue;
    let [filter, rest] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
    // The filter line; the terminal cursor sits in it while typing.
    let label = "/ ".to_string();
    let lw = unicode_width::UnicodeWidthStr::width(label.as_str()) as u16;
    f.render_widget(Paragraph::new(Span::styled(label, th.dim())), filter);
    let input_area = Rect {
        x: filter.x + lw,
        width: filter.width.saturating_sub(lw + 24),
        ..filter
    };
    f.render_widget(&q.filter.area, input_area);
    if q.filtering && s.popups.is_empty() {
        if let Some(p) = q.filter.cursor_position(input_area) {
            f.set_cursor_position(p);
        }
    }
    let count = t(
        "tui.queue.count",
        &[
            ("shown", q.visible.len().to_string()),
            ("all", q.all.len().to_string()),
            ("marked", q.marked.len().to_string()),
        ],
    );
    let cw = unicode_width::UnicodeWidthStr::width(count.as_str()) as u16;
    let count_area = Rect {
        x: filter.x + filter.width.saturating_sub(cw),
        width: cw.min(filter.width),
        ..filter
    };
    f.render_widget(Paragraph::new(Span::styled(count, th.dim())), count_area);

    let (table, detail) = match &q.detail {
        Some(_) => {
            let [a, b] = Layout::vertical([Constraint::Percentage(40), Constraint::Percentage(60)]).areas(rest);
            (a, Some(b))
        }
        None => (rest, None),
    };
    render_table(f, table, s);
    if let Some(d) = detail {
        render_detail(f, d, s);
    }
}

fn render_table(f: &mut Frame, area: Rect, s: &State) {
    let th = Theme::of(s);
    let q = &s.queue;
    let w = area.width as usize;
    // id 13, age 4, status 8, system 12, kind 8, channel 6, dept 10, title = rest
    let fixed = [13usize, 4, 8, 12, 8, 6, 10];
    let title_w = w.saturating_sub(fixed.iter().sum::<usize>() + fixed.len() + 2);
    let head = [
        t("cli.col.id", &[]),
        t("tui.col.age", &[]),
        t("cli.col.status", &[]),
        t("cli.col.system", &[]),
        t("cli.col.kind", &[]),
        t("cli.col.channel", &[]),
        t("cli.col.department", &[]),
        t("cli.col.title", &[]),
    ];
    let widths: Vec<usize> = fixed.iter().copied().chain([title_w]).collect();
    let row_text = |cells: &[String]| -> String {
        let mut line = String::from("  ");
        for (c, w) in cells.iter().zip(&widths) {
            line.push_str(&cell(c, *w));
            line.push(' ');
        }
        line
    };
    let mut lines = vec![Line::styled(row_text(&head), th.heading())];
    let height = area.height.saturating_sub(1) as usize;
    s.page.set(height.max(1));
    let offset = q.cursor.visible_offset(height);
    let now = chrono::Utc::now();
    for (row, &i) in q.visible.iter().enumerate().skip(offset).take(height) {
        let r = &q.all[i];
        let days = (now - r.received_at).num_days().max(0);
        let cells = [
            r.id.to_string(),
            format!("{days}d"),
            r.status.label(),
            s.system_name(r.system),
            r.kind.label(),
            r.channel.label(),
            r.department.clone(),
            r.title.clone(),
        ];
        let mut text = row_text(&cells);
        let marked = q.marked.contains(&r.id);
        if marked {
            text.replace_range(0..1, "*");
        }
        let style = if row == q.cursor.selected {
            th.selected()
        } else if marked {
            th.marked()
        } else {
            ratatui::style::Style::default()
        };
        lines.push(Line::styled(text, style));
    }
    if q.visible.is_empty() {
        let msg = if s.loading {
            t("tui.loading", &[])
        } else {
            t("tui.queue.empty", &[])
        };
        lines.push(Line::styled(format!("  {msg}"), th.dim()));
    }
    f.render_widget(Paragraph::new(lines), area);
}

fn render_detail(f: &mut Frame, area: Rect, s: &State) {
    let th = Theme::of(s);
    let Some(r) = &s.queue.detail else { return };
    let title = format!(" {} {} ", r.id, fit(&r.title, area.width.saturating_sub(20) as usize));
    let block = th.block(&title);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let w = inner.width as usize;
    let mut lines: Vec<Line> = Vec::new();
    let kv = |k: String, v: String| {
        Line::from(vec![
            Span::styled(format!("{k}: "), th.dim()),
            Span::raw(fit(&v, w.saturating_sub(12))),
        ])
    };
    lines.push(kv(
        t("cli.col.status", &[]),
        format!("{} · {} · {}", r.status.label(), r.priority.label(), r.kind.label()),
    ));
    lines.push(kv(
        t("cli.col.submitter", &[]),
        format!(
            "{} ({}) {} {}",
            r.submitter.name,
            r.submitter.kind.label(),
            r.submitter.contact,
            r.department
        ),
    ));
    lines.push(kv(
        t("cli.col.received", &[]),
        format!("{} · {}", fmt_time(r.received_at), r.channel.label()),
    ));
    if !r.tags.is_empty() {
        lines.push(kv(t("cli.col.tags", &[]), r.tags.join(", ")));
    }
    if let Some(p) = r.plan {
        lines.push(kv(t("cli.col.plan", &[]), p.to_string()));
    }
    if let Some(d) = r.duplicate_of {
        lines.push(kv(t("cli.col.duplicate_of", &[]), d.to_string()));
    }
    if let Some(x) = &r.reject_reason {
        lines.push(kv(t("cli.col.reason", &[]), x.clone()));
    }
    lines.push(Line::raw(""));
    for l in textwrap_lines(&crate::sanitize::clean(&r.body), w) {
        lines.push(Line::raw(l));
    }
    if !r.comments.is_empty() {
        lines.push(Line::styled(t("cli.comments", &[]), th.heading()));
        for c in &r.comments {
            for l in textwrap_lines(
                &format!(
                    "{} {}: {}",
                    fmt_time(c.time),
                    c.author,
                    crate::sanitize::clean_line(&c.text)
                ),
                w,
            ) {
                lines.push(Line::raw(l));
            }
        }
    }
    f.render_widget(Paragraph::new(lines), inner);
}
