//! The reports pane: the period on top, then one scrollable page of the
//! evaluation — the figures in brief, updates per system (bar chart), updates per
//! week (sparkline) with the months' totals, defects by severity (bar chart), and
//! every table of the report as `beian report` prints it.
//!
//! The page is drawn whole into a buffer of its own height, then the rows in view
//! are copied to the frame: charts scroll like text and are never cut mid-widget.

use chrono::NaiveDate;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Direction, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Bar, BarChart, BarGroup, Paragraph, Sparkline, Widget};
use ratatui::Frame;

use super::super::state::State;
use super::theme::Theme;
use super::{cell, fit, text_width};
use crate::i18n::t;
use crate::model::Severity;
use crate::report::render::Table;
use crate::report::Report;

/// One part of the page: its height and how to draw it.
enum Part {
    Lines(Vec<Line<'static>>),
    /// Horizontal bars, one row each: label (already cut to width) and value.
    Bars(Vec<(String, u64)>),
    /// Vertical bars with labels under them, `height` rows in all.
    Columns {
        bars: Vec<(String, u64)>,
        height: u16,
    },
    Spark(Vec<u64>),
}

impl Part {
    fn height(&self) -> u16 {
        match self {
            Part::Lines(l) => l.len() as u16,
            Part::Bars(b) => b.len() as u16,
            Part::Columns { height, .. } => *height,
            Part::Spark(_) => 3,
        }
    }

    fn draw(&self, area: Rect, buf: &mut Buffer, th: &Theme) {
        match self {
            Part::Lines(l) => Paragraph::new(l.clone()).render(area, buf),
            Part::Bars(bars) => {
                // Bars of at most 40 cells: a long bar says no more than a short one.
                let lw = bars.iter().map(|(l, _)| text_width(l)).max().unwrap_or(0) as u16;
                let area = Rect {
                    width: area.width.min(lw.saturating_add(2 + 1 + 40)),
                    ..area
                };
                let bars: Vec<Bar> = bars
                    .iter()
                    .map(|(l, v)| {
                        Bar::default()
                            .value(*v)
                            .label(Line::raw(l.clone()))
                            .text_value(v.to_string())
                    })
                    .collect();
                // A margin of two, like the tables.
                let area = Rect {
                    x: area.x + 2.min(area.width),
                    width: area.width.saturating_sub(2),
                    ..area
                };
                BarChart::default()
                    .direction(Direction::Horizontal)
                    .bar_width(1)
                    .bar_gap(0)
                    .bar_set(th.bar_set())
                    .bar_style(th.bar())
                    .value_style(th.bar_value())
                    .label_style(th.dim())
                    .data(BarGroup::default().bars(&bars))
                    .render(area, buf);
            }
            Part::Columns { bars, .. } => {
                let width = bars.iter().map(|(l, _)| text_width(l)).max().unwrap_or(1).clamp(3, 10) as u16;
                let bars: Vec<Bar> = bars
                    .iter()
                    .map(|(l, v)| {
                        Bar::default()
                            .value(*v)
                            .label(Line::raw(l.clone()))
                            .text_value(v.to_string())
                    })
                    .collect();
                let area = Rect {
                    x: area.x + 2.min(area.width),
                    width: area.width.saturating_sub(2),
                    ..area
                };
                BarChart::default()
                    .bar_width(width)
                    .bar_gap(2)
                    .bar_set(th.bar_set())
                    .bar_style(th.bar())
                    .value_style(th.bar_value())
                    .label_style(th.dim())
                    .data(BarGroup::default().bars(&bars))
                    .render(area, buf);
            }
            Part::Spark(data) => {
                let area = Rect {
                    x: area.x + 2.min(area.width),
                    width: area.width.saturating_sub(2),
                    ..area
                };
                // Each bucket up to three columns wide, so a short period is not a sliver.
                let k = (area.width as usize / data.len().max(1)).clamp(1, 3);
                Sparkline::default()
                    .data(data.iter().flat_map(|v| std::iter::repeat_n(*v, k)))
                    .bar_set(th.spark_set())
                    .style(th.bar())
                    .render(area, buf);
            }
        }
    }
}

pub fn render(f: &mut Frame, area: Rect, s: &State) {
    let th = Theme::of(s);
    let r = &s.reports;
    let [head, body] = Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(area);
    let days = (r.to - r.from).num_days() + 1;
    let mut title = t(
        "tui.report.period",
        &[
            ("from", r.from.to_string()),
            ("to", r.to.to_string()),
            ("days", days.to_string()),
        ],
    );
    if r.loading {
        title.push_str(" · ");
        title.push_str(&t("tui.loading", &[]));
    }
    // Printed with every report, to be kept outside the system (`beian verify --expect`).
    if let Some(h) = r.report.as_ref().and_then(|rep| rep.chain_head.as_ref()) {
        title.push_str(" · ");
        title.push_str(&t(
            "tui.report.head",
            &[("seq", h.seq.to_string()), ("seal", h.seal.chars().take(16).collect())],
        ));
    }
    let w = area.width as usize;
    f.render_widget(
        Paragraph::new(Line::styled(fit(&format!(" {title}"), w), th.heading())),
        head,
    );
    s.page.set((body.height as usize).max(1));
    // The report shown is the last one computed; while another period loads it stays, marked.
    let Some(rep) = &r.report else {
        let text = if r.loading {
            t("tui.loading", &[])
        } else {
            t("tui.report.not_loaded", &[])
        };
        f.render_widget(
            Paragraph::new(Line::styled(fit(&format!("  {text}"), w), th.dim())),
            body,
        );
        return;
    };
    if body.height == 0 || body.width == 0 {
        return;
    }
    let parts = page(rep, (r.from, r.to), body.width as usize, &th);
    let total: u16 = parts.iter().map(Part::height).fold(0u16, |a, h| a.saturating_add(h));
    let mut page_buf = Buffer::empty(Rect::new(0, 0, body.width, total));
    let mut y = 0u16;
    for p in &parts {
        let h = p.height();
        p.draw(Rect::new(0, y, body.width, h), &mut page_buf, &th);
        y = y.saturating_add(h);
    }
    let first = r.scroll.first(total as usize, body.height as usize) as u16;
    let buf = f.buffer_mut();
    for row in 0..body.height.min(total.saturating_sub(first)) {
        for x in 0..body.width {
            if let Some(c) = buf.cell_mut((body.x + x, body.y + row)) {
                *c = page_buf[(x, first + row)].clone();
            }
        }
    }
}

/// The items joined into lines of at most `w` columns, `sep` between them.
fn packed(items: &[String], w: usize, sep: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut line = String::new();
    for it in items {
        let it = fit(it, w.saturating_sub(2));
        if !line.is_empty() && text_width(&line) + text_width(sep) + text_width(&it) > w.saturating_sub(2) {
            out.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push_str(sep);
        }
        line.push_str(&it);
    }
    if !line.is_empty() {
        out.push(line);
    }
    out.into_iter().map(|l| format!("  {l}")).collect()
}

fn heading(text: &str, w: usize, th: &Theme) -> Line<'static> {
    Line::styled(fit(&format!(" {text}"), w), th.heading())
}

fn dim(text: &str, w: usize, th: &Theme) -> Line<'static> {
    Line::styled(fit(&format!("  {text}"), w), th.dim())
}

fn days(v: Option<f64>) -> String {
    v.map(|d| format!("{d:.1}")).unwrap_or_else(|| "-".into())
}

/// Bars of `(name, value)`: labels cut to at most a third of the width (whole
/// characters, padded so the bars line up), largest first.
fn bars(mut items: Vec<(String, u64)>, w: usize) -> Vec<(String, u64)> {
    items.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let lw = items
        .iter()
        .map(|(l, _)| text_width(l))
        .max()
        .unwrap_or(0)
        .min((w / 3).max(1));
    items.into_iter().map(|(l, v)| (cell(&l, lw), v)).collect()
}

/// Updates per bucket of the period, with buckets of a week (or more, so that they fit `w`).
fn weekly(rep: &Report, (from, to): (NaiveDate, NaiveDate), w: usize) -> (Vec<u64>, i64) {
    let days = (to - from).num_days() + 1;
    let cols = w.saturating_sub(2).max(1) as i64;
    let size = 7.max((days + cols - 1) / cols);
    let n = ((days + size - 1) / size).max(1) as usize;
    let mut data = vec![0u64; n];
    for u in &rep.updates {
        let d = crate::report::day(u.live_at);
        let i = (d - from).num_days();
        if i >= 0 && i < days {
            data[(i / size) as usize] += 1;
        }
    }
    (data, size)
}

fn page(rep: &Report, period: (NaiveDate, NaiveDate), w: usize, th: &Theme) -> Vec<Part> {
    let blank = || Part::Lines(vec![Line::raw("")]);
    let mut parts = Vec::new();

    // The figures in brief.
    let all = rep.lead_times.first();
    let defects: usize = rep.defects_by_severity.iter().map(|d| d.defects).sum();
    let summary = [
        ("report.md.updates", rep.updates.len().to_string()),
        ("report.md.requests", rep.requests_received.to_string()),
        (
            "report.md.request_lead",
            days(all.and_then(|l| l.request_to_live.median)),
        ),
        (
            "report.md.approval_lead",
            days(all.and_then(|l| l.approval_to_live.median)),
        ),
        ("report.md.mean_rounds", days(rep.test_rounds.mean)),
        ("report.md.defects", defects.to_string()),
        ("report.md.overrides", rep.blackout_overrides.len().to_string()),
        (
            "report.md.training",
            t(
                "report.md.training_value",
                &[
                    ("sessions", rep.training.sessions.to_string()),
                    ("attendance", rep.training.attendance.to_string()),
                ],
            ),
        ),
        (
            "report.md.orders",
            t(
                "report.md.orders_value",
                &[
                    ("issued", rep.orders.issued.to_string()),
                    ("closed", rep.orders.closed.to_string()),
                    ("overdue", rep.orders.overdue.len().to_string()),
                    ("today", rep.today.to_string()),
                ],
            ),
        ),
    ];
    let items: Vec<String> = summary.iter().map(|(k, v)| format!("{}: {v}", t(k, &[]))).collect();
    let mut lines = vec![Line::raw("")];
    lines.extend(packed(&items, w, "  ·  ").into_iter().map(Line::raw));
    lines.push(Line::raw(""));
    lines.push(heading(&t("tui.report.by_system", &[]), w, th));
    parts.push(Part::Lines(lines));

    // Updates per system.
    let mut per_system: Vec<(String, u64)> = Vec::new();
    for m in &rep.updates_by_system_month {
        match per_system.iter_mut().find(|(n, _)| *n == m.system_name) {
            Some(e) => e.1 += m.updates as u64,
            None => per_system.push((m.system_name.clone(), m.updates as u64)),
        }
    }
    if per_system.is_empty() {
        parts.push(Part::Lines(vec![dim(&t("tui.report.no_updates", &[]), w, th)]));
    } else {
        parts.push(Part::Bars(bars(per_system, w)));
    }

    // Updates per week, and the months' totals.
    let (data, size) = weekly(rep, period, w);
    parts.push(blank());
    parts.push(Part::Lines(vec![heading(
        &t(
            "tui.report.by_week",
            &[
                ("days", size.to_string()),
                ("max", data.iter().max().copied().unwrap_or(0).to_string()),
            ],
        ),
        w,
        th,
    )]));
    parts.push(Part::Spark(data));
    let mut months: Vec<(String, usize)> = Vec::new();
    for u in &rep.updates {
        match months.iter_mut().find(|(m, _)| *m == u.month) {
            Some(e) => e.1 += 1,
            None => months.push((u.month.clone(), 1)),
        }
    }
    months.sort();
    let items: Vec<String> = months.iter().map(|(m, n)| format!("{m}: {n}")).collect();
    if !items.is_empty() {
        let l: Vec<Line> = packed(&items, w, "  ·  ")
            .into_iter()
            .map(|l| Line::styled(l, th.dim()))
            .collect();
        parts.push(Part::Lines(l));
    }

    // Defects by severity.
    parts.push(blank());
    parts.push(Part::Lines(vec![heading(&t("tui.report.by_severity", &[]), w, th)]));
    let sev: Vec<(String, u64)> = Severity::ALL
        .iter()
        .map(|s| {
            let n = rep
                .defects_by_severity
                .iter()
                .find(|d| d.severity == *s)
                .map_or(0, |d| d.defects);
            (fit(&s.label(), 10), n as u64)
        })
        .collect();
    if defects == 0 {
        parts.push(Part::Lines(vec![dim(&t("tui.report.no_defects", &[]), w, th)]));
    } else {
        parts.push(Part::Columns { bars: sev, height: 7 });
    }

    // The effect of the updates (§4.3): their outcomes, the rates in brief.
    parts.push(blank());
    parts.extend(effect(rep, w, th));

    // Every table of the report (updates by system and month are the chart above).
    for table in rep.tables() {
        if table.name == "updates_by_month" {
            continue;
        }
        parts.push(blank());
        parts.push(Part::Lines(table_lines(&table, w, th)));
    }
    parts
}

/// The effect section's chart: the updates of the period by outcome (columns),
/// the rates in a line under it, and training coverage per department (bars).
fn effect(rep: &Report, w: usize, th: &Theme) -> Vec<Part> {
    use crate::report::effect::UpdateOutcome;
    let e = &rep.effect;
    let mut parts = vec![Part::Lines(vec![heading(&t("tui.report.effect", &[]), w, th)])];
    let Some(all) = e.figures.first().filter(|f| f.updates > 0) else {
        parts.push(Part::Lines(vec![dim(&t("tui.report.no_updates", &[]), w, th)]));
        return parts;
    };
    let bars: Vec<(String, u64)> = UpdateOutcome::ALL
        .iter()
        .map(|o| {
            let n = e.updates.iter().filter(|u| u.outcome == *o).count();
            (fit(&o.label(), 10), n as u64)
        })
        .collect();
    parts.push(Part::Columns { bars, height: 7 });
    let pct = |v: Option<f64>| v.map(|p| format!("{p:.1}%")).unwrap_or_else(|| "-".into());
    let items = [
        format!("{}: {}", t("report.col.success_rate", &[]), pct(all.success_rate)),
        format!("{}: {}", t("report.col.rollback_rate", &[]), pct(all.rollback_rate)),
        format!("{}: {}", t("report.col.failed", &[]), all.failed),
        format!(
            "{}: {}/{}",
            t("report.col.goals_met", &[]),
            all.goals[0],
            all.goals.iter().sum::<usize>()
        ),
        format!("{}: {}", t("report.col.reviews_overdue", &[]), all.reviews_overdue),
        format!("{}: {}", t("report.col.incidents", &[]), all.incidents),
        format!("{}: {}", t("report.col.problem_reports", &[]), all.problem_reports),
    ];
    parts.push(Part::Lines(
        packed(&items, w, "  ·  ")
            .into_iter()
            .map(|l| Line::styled(l, th.dim()))
            .collect(),
    ));
    let coverage: Vec<(String, u64)> = e
        .training
        .rows
        .iter()
        .skip(1)
        .filter_map(|r| r.coverage.map(|c| (r.department.clone(), c.round() as u64)))
        .collect();
    if !coverage.is_empty() {
        parts.push(blank_line());
        parts.push(Part::Lines(vec![heading(&t("tui.report.coverage", &[]), w, th)]));
        parts.push(Part::Bars(bars_by_value(coverage, w)));
    }
    parts
}

fn blank_line() -> Part {
    Part::Lines(vec![Line::raw("")])
}

/// As [`bars`], lowest first (the departments least covered on top).
fn bars_by_value(mut items: Vec<(String, u64)>, w: usize) -> Vec<(String, u64)> {
    items.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
    let lw = items
        .iter()
        .map(|(l, _)| text_width(l))
        .max()
        .unwrap_or(0)
        .min((w / 3).max(1));
    items.into_iter().map(|(l, v)| (cell(&l, lw), v)).collect()
}

/// A table as lines: its title, the header, the rows; columns as wide as their
/// widest cell, the widest narrowed first when the screen is too narrow; numbers
/// to the right.
fn table_lines(table: &Table, w: usize, th: &Theme) -> Vec<Line<'static>> {
    let mut out = vec![heading(&table.title, w, th)];
    if table.rows.is_empty() {
        out.push(dim(&t("tui.report.empty", &[]), w, th));
        return out;
    }
    let n = table.header.len();
    let cells = |i: usize| std::iter::once(&table.header[i]).chain(table.rows.iter().filter_map(move |r| r.get(i)));
    let mut widths: Vec<usize> = (0..n)
        .map(|i| {
            cells(i)
                .map(|c| text_width(&crate::sanitize::visible_line(c)))
                .max()
                .unwrap_or(1)
                .clamp(1, 40)
        })
        .collect();
    let numeric: Vec<bool> = (0..n)
        .map(|i| {
            table.rows.iter().filter_map(|r| r.get(i)).all(|c| {
                let c = c.trim();
                c == "-" || c.parse::<f64>().is_ok()
            })
        })
        .collect();
    let avail = w.saturating_sub(2);
    while widths.iter().sum::<usize>() + n.saturating_sub(1) > avail {
        let Some((i, _)) = widths
            .iter()
            .enumerate()
            .filter(|(_, w)| **w > 4)
            .max_by_key(|(_, w)| **w)
        else {
            break;
        };
        widths[i] -= 1;
    }
    let line = |row: &[String]| {
        let mut l = String::from("  ");
        for (i, wd) in widths.iter().enumerate() {
            let c = row.get(i).map(String::as_str).unwrap_or("");
            let v = fit(c, *wd);
            let pad = wd.saturating_sub(text_width(&v));
            if numeric[i] {
                l.push_str(&" ".repeat(pad));
                l.push_str(&v);
            } else {
                l.push_str(&v);
                l.push_str(&" ".repeat(pad));
            }
            if i + 1 < n {
                l.push(' ');
            }
        }
        fit(l.trim_end(), w)
    };
    out.push(Line::from(Span::styled(line(&table.header), th.dim())));
    for r in &table.rows {
        out.push(Line::raw(line(r)));
    }
    out
}
