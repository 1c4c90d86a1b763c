//! The queue pane: filter line, request table, detail.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::super::state::State;
use super::theme::Theme;
use super::{columns, fit, render_field, row, text_width, textwrap_lines, Col};
use crate::i18n::t;
use crate::model::{fmt_time, Channel, RequestKind, RequestStatus};

pub fn render(f: &mut Frame, area: Rect, s: &State) {
    let th = Theme::of(s);
    let q = &s.queue;
    let [filter, rest] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
    // The filter line, the counts at its right; the terminal cursor sits in it while typing.
    // While only the first screen is loaded, the counts are those of the whole
    // queue (no filter can be typed yet: it applies once the list is in).
    let (shown, all) = match q.partial {
        Some(n) if q.filter.text().is_empty() => (n.to_string(), n.to_string()),
        Some(n) => ("…".to_string(), n.to_string()),
        None => (q.visible.len().to_string(), q.all.len().to_string()),
    };
    let sort = t(&format!("tui.sort.{}", q.sort.name()), &[]);
    let count = t(
        "tui.queue.count",
        &[("shown", shown), ("all", all), ("marked", q.marked.len().to_string())],
    ) + " · "
        + &sort;
    let cw = (text_width(&count) as u16).min(filter.width);
    let count_area = Rect {
        x: filter.x + filter.width - cw,
        width: cw,
        ..filter
    };
    f.render_widget(Paragraph::new(Span::styled(count, th.dim())), count_area);
    let label = "/ ";
    let lw = (text_width(label) as u16).min(filter.width);
    f.render_widget(
        Paragraph::new(Span::styled(label, th.dim())),
        Rect { width: lw, ..filter },
    );
    let input_area = Rect {
        x: filter.x + lw,
        width: filter.width.saturating_sub(lw + cw + 1),
        ..filter
    };
    render_field(f, &q.filter, input_area, q.filtering && s.popups.is_empty());

    let (table, detail) = match q.open {
        true => {
            let [a, b] = Layout::vertical([Constraint::Percentage(40), Constraint::Percentage(60)]).areas(rest);
            (a, Some(b))
        }
        false => (rest, None),
    };
    render_table(f, table, s);
    if let Some(d) = detail {
        render_detail(f, d, s);
    }
}

fn render_table(f: &mut Frame, area: Rect, s: &State) {
    let th = Theme::of(s);
    let q = &s.queue;
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
    // Enum columns as wide as their longest label in this language; on a narrow
    // screen channel, kind, age, department and system go (in that order) before
    // the title gets too short to read.
    let cols = [
        Col::new(13, 0),
        Col::fitting([head[1].clone(), "999d".into()], 5, 4),
        Col::fitting(
            RequestStatus::ALL.iter().map(|x| x.label()).chain([head[2].clone()]),
            12,
            0,
        ),
        Col::new(12, 2),
        Col::fitting(
            RequestKind::ALL.iter().map(|x| x.label()).chain([head[4].clone()]),
            16,
            5,
        ),
        Col::fitting(Channel::ALL.iter().map(|x| x.label()).chain([head[5].clone()]), 13, 6),
        Col::new(10, 3),
    ];
    let widths = columns(area.width as usize, &cols, 20);
    let mut lines = vec![Line::styled(row(&head, &widths), th.heading())];
    let height = area.height.saturating_sub(1) as usize;
    s.page.set(height.max(1));
    let offset = q.cursor.visible_offset(height);
    let now = chrono::Utc::now();
    for (n, &i) in q.visible.iter().enumerate().skip(offset).take(height) {
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
        let mut text = row(&cells, &widths);
        let marked = q.marked.contains(&r.id);
        if marked {
            text.replace_range(0..1, "*");
        }
        lines.push(if n == q.cursor.selected {
            super::selected_row(text, widths[0].unwrap_or(0), th.selected())
        } else if marked {
            Line::styled(text, th.marked())
        } else {
            Line::raw(text)
        });
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
    let Some(sel) = crate::tui::update::queue::selected(s) else {
        return;
    };
    // Only the selected request: another one's detail is never shown beside it.
    let Some(r) = s.queue.detail.as_ref().filter(|r| r.id == sel.id) else {
        return super::loading_detail(f, area, s, sel.id);
    };
    let title = format!(" {} {} ", r.id, fit(&r.title, area.width.saturating_sub(20) as usize));
    let block = super::detail_block(s, &title, s.focus == crate::tui::state::Focus::Detail);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let w = inner.width as usize;
    let mut lines: Vec<Line> = Vec::new();
    let kv = |k: String, v: String| {
        let label = format!("{k}: ");
        let value = fit(&v, w.saturating_sub(text_width(&label)));
        Line::from(vec![Span::styled(label, th.dim()), Span::raw(value)])
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
        lines.push(kv(t("cli.col.tags", &[]), r.shown_tags().join(", ")));
    }
    if let Some(j) = &r.joint_review {
        let mut v = j.review.map(|m| m.to_string()).unwrap_or_default();
        if let Some(o) = &j.outcome {
            v = format!("{v} {o}").trim().to_string();
        }
        if v.is_empty() {
            v = r.status.label();
        }
        lines.push(kv(t("cli.col.joint_review", &[]), v));
    }
    if let Some(p) = r.plan {
        lines.push(kv(t("cli.col.plan", &[]), p.to_string()));
    }
    if let Some(p) = r.feedback_on {
        lines.push(kv(t("record.field.feedback_on", &[]), p.to_string()));
    }
    if let Some(d) = r.duplicate_of {
        lines.push(kv(t("cli.col.duplicate_of", &[]), d.to_string()));
    }
    if let Some(x) = &r.reject_reason {
        lines.push(kv(t("cli.col.reason", &[]), x.clone()));
    }
    lines.push(Line::raw(""));
    for l in textwrap_lines(&r.body, w) {
        lines.push(Line::raw(l));
    }
    if !r.comments.is_empty() {
        lines.push(Line::styled(t("cli.comments", &[]), th.heading()));
        for c in &r.comments {
            let text = format!(
                "{} {}: {}",
                fmt_time(c.time),
                c.author,
                crate::sanitize::visible_line(&c.text)
            );
            for l in textwrap_lines(&text, w) {
                lines.push(Line::raw(l));
            }
        }
    }
    // The files attached to the request (issue 18 §1).
    lines.extend(super::sections::attachment_lines(s, r.id, w, &th));
    let first = s.queue.detail_scroll.first(lines.len(), inner.height as usize);
    let lines: Vec<Line> = lines.into_iter().skip(first).collect();
    f.render_widget(Paragraph::new(lines), inner);
}
