//! The popup stack, bottom to top: help, palette, prompt, confirm, form, message.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::super::state::{Form, ImportPopup, Popup, State};
use super::super::update::popups::{palette_entries, Entry};
use super::theme::Theme;
use super::{cell, centered, clear, fit, render_field, text_width, textwrap_lines};
use crate::i18n::t;

pub fn render(f: &mut Frame, area: Rect, s: &State) {
    let n = s.popups.len();
    for (i, p) in s.popups.iter().enumerate() {
        let top = i + 1 == n;
        match p {
            Popup::Help { scroll } => help(f, area, s, *scroll),
            Popup::Palette { input, cursor } => {
                let th = Theme::of(s);
                let r = centered(area, 70, 16);
                clear(f, r);
                let block = th.block(" : ");
                let inner = block.inner(r);
                f.render_widget(block, r);
                let [line, list] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(inner);
                render_field(f, input, line, top);
                let entries = palette_entries(s, &input.text());
                let h = list.height as usize;
                let off = cursor.visible_offset(h);
                let lines: Vec<Line> = entries
                    .iter()
                    .enumerate()
                    .skip(off)
                    .take(h)
                    .map(|(i, e)| {
                        let text = match e {
                            Entry::Command(a) => {
                                // A command of another pane: its keys there, and the pane's name.
                                let (pane, other) = match a.scope() {
                                    super::super::action::Scope::Pane(p) if p != s.pane => (p, true),
                                    _ => (s.pane, false),
                                };
                                let keys = s.keymap.keys_for(pane, *a).join(", ");
                                let what = if other {
                                    format!("{} ({})", a.describe(), pane.title())
                                } else {
                                    a.describe()
                                };
                                format!("{} {} {}", cell(a.name(), 22), cell(&keys, 10), what)
                            }
                            Entry::View(v) => format!("{} {}", cell(&t("tui.view", &[]), 33), v),
                        };
                        let text = fit(&text, list.width as usize);
                        if i == cursor.selected {
                            Line::styled(text, th.selected())
                        } else {
                            Line::raw(text)
                        }
                    })
                    .collect();
                let lines = if entries.is_empty() {
                    vec![Line::styled(
                        fit(
                            &t("tui.palette.no_match", &[("query", input.text())]),
                            list.width as usize,
                        ),
                        th.dim(),
                    )]
                } else {
                    lines
                };
                f.render_widget(Paragraph::new(lines), list);
            }
            Popup::Prompt { label, input, .. } => {
                // The question, whole (it names the record it acts on), above the field.
                let th = Theme::of(s);
                let width = 76.min(area.width);
                let lines = textwrap_lines(label, width.saturating_sub(2) as usize);
                let r = centered(area, width, lines.len() as u16 + 3);
                clear(f, r);
                let block = th.block("");
                let inner = block.inner(r);
                f.render_widget(block, r);
                let [ask, line] =
                    Layout::vertical([Constraint::Length(lines.len() as u16), Constraint::Length(1)]).areas(inner);
                f.render_widget(Paragraph::new(lines.join("\n")).style(th.heading()), ask);
                render_field(f, input, line, top);
            }
            Popup::Confirm { message, .. } => confirm_box(f, area, s, message),
            Popup::Message { title, text, scroll } => {
                let th = Theme::of(s);
                // As tall as the text, at most the screen less two rows above and below.
                let width = 76.min(area.width);
                let lines = textwrap_lines(text, width.saturating_sub(2) as usize);
                let height = (lines.len() as u16 + 2).clamp(5, area.height.saturating_sub(4).max(3));
                let r = centered(area, width, height);
                clear(f, r);
                let title = format!(" {} ", fit(title, 60));
                let block = th.block(&title);
                let inner = block.inner(r);
                f.render_widget(block, r);
                // Scrolled no further than the last page.
                let scroll = (*scroll).min(lines.len().saturating_sub(inner.height as usize));
                let body: Vec<Line> = lines.into_iter().skip(scroll).map(Line::raw).collect();
                f.render_widget(Paragraph::new(body), inner);
            }
            Popup::Import(p) => import_box(f, area, s, p),
            Popup::Form(form) => render_form(f, area, s, form, top),
            Popup::DiscardForm(form) => {
                render_form(f, area, s, form, false);
                confirm_box(f, area, s, &t("tui.confirm.discard", &[]));
            }
        }
    }
}

/// Importing a file: a gauge while it is read, then what the import would do.
fn import_box(f: &mut Frame, area: Rect, s: &State, p: &ImportPopup) {
    let th = Theme::of(s);
    let width = 76u16.min(area.width);
    let inner_w = width.saturating_sub(2) as usize;
    let title = format!(
        " {} ",
        fit(
            &t("tui.import.title", &[("file", crate::io::display_name(&p.path))]),
            inner_w.saturating_sub(2)
        )
    );
    let Some(preview) = &p.preview else {
        let r = centered(area, width, 5);
        clear(f, r);
        let block = th.block(&title);
        let inner = block.inner(r);
        f.render_widget(block, r);
        let [label, gauge] = Layout::vertical([Constraint::Length(1), Constraint::Length(1)]).areas(inner);
        let doing = if p.writing {
            t("tui.import.writing", &[])
        } else {
            t("tui.import.reading", &[])
        };
        f.render_widget(Paragraph::new(doing), label);
        let ratio = if p.total_bytes == 0 {
            0.0
        } else {
            (p.done_bytes as f64 / p.total_bytes as f64).clamp(0.0, 1.0)
        };
        let kib = |b: u64| b.div_ceil(1024).to_string();
        let text = t(
            "tui.import.rows",
            &[
                ("rows", p.rows.to_string()),
                ("done", kib(p.done_bytes)),
                ("total", kib(p.total_bytes)),
            ],
        );
        f.render_widget(
            ratatui::widgets::Gauge::default()
                .gauge_style(th.ok())
                .use_unicode(!s.theme.ascii)
                .ratio(ratio)
                .label(text),
            gauge,
        );
        return;
    };
    let [created, skipped, replies, flagged] = preview.counts;
    let summary = t(
        "import.summary_dry",
        &[
            ("created", created.to_string()),
            ("skipped", skipped.to_string()),
            ("replies", replies.to_string()),
            ("flagged", flagged.to_string()),
        ],
    );
    let mut lines: Vec<Line> = textwrap_lines(&summary, inner_w).into_iter().map(Line::raw).collect();
    for w in preview.warnings.iter().take(3) {
        lines.push(Line::styled(
            fit(&format!("{} {w}", t("import.warning_label", &[])), inner_w),
            th.warn(),
        ));
    }
    if preview.warnings.len() > 3 {
        let more = t(
            "tui.import.more_warnings",
            &[("n", (preview.warnings.len() - 3).to_string())],
        );
        lines.push(Line::styled(fit(&more, inner_w), th.warn()));
    }
    lines.push(Line::raw(""));
    let title_w = inner_w.saturating_sub(12 + 10 + 2);
    lines.push(Line::styled(
        format!(
            "{} {} {}",
            cell(&t("import.col.title", &[]), title_w),
            cell(&t("import.col.submitter", &[]), 12),
            t("tui.import.col.channel", &[])
        ),
        th.heading(),
    ));
    for row in &preview.rows {
        lines.push(Line::raw(fit(
            &format!(
                "{} {} {}",
                cell(&row.title, title_w),
                cell(&row.submitter, 12),
                row.channel.label()
            ),
            inner_w,
        )));
    }
    if preview.total_rows > preview.rows.len() {
        let more = t(
            "tui.import.more_rows",
            &[("n", (preview.total_rows - preview.rows.len()).to_string())],
        );
        lines.push(Line::styled(fit(&more, inner_w), th.dim()));
    }
    // The keys stay in view on a short terminal: the rows give way first.
    let room = area.height.saturating_sub(4) as usize;
    if lines.len() + 2 > room {
        lines.truncate(room.saturating_sub(3));
        lines.push(Line::raw("…"));
    }
    lines.push(Line::raw(""));
    lines.push(Line::raw(t("tui.import.keys", &[])));
    let r = centered(area, width, (lines.len() as u16 + 2).min(area.height));
    clear(f, r);
    f.render_widget(Paragraph::new(lines).block(th.block(&title).border_style(th.warn())), r);
}

/// A yes/no box: the message, then the keys.
fn confirm_box(f: &mut Frame, area: Rect, s: &State, message: &str) {
    let th = Theme::of(s);
    let width = 70u16.min(area.width);
    let mut lines = textwrap_lines(message, width.saturating_sub(2) as usize);
    // A long message (a notice preview) is cut so that the keys stay in view.
    let room = area.height.saturating_sub(4) as usize;
    if lines.len() > room {
        lines.truncate(room.saturating_sub(1));
        lines.push("…".into());
    }
    lines.push(String::new());
    lines.push(t("tui.confirm.keys", &[]));
    let r = centered(area, width, (lines.len() as u16 + 2).min(area.height));
    clear(f, r);
    let title = format!(" {} ", t("tui.confirm", &[]));
    f.render_widget(
        Paragraph::new(lines.join("\n")).block(th.block(&title).border_style(th.warn())),
        r,
    );
}

fn help(f: &mut Frame, area: Rect, s: &State, scroll: usize) {
    let th = Theme::of(s);
    let r = centered(area, 76, area.height.saturating_sub(2));
    clear(f, r);
    let title = format!(" {} — {} ", t("tui.help.title", &[]), s.pane.title());
    let block = th.block(&title);
    let inner = block.inner(r);
    f.render_widget(block, r);
    let mut lines = vec![Line::styled(
        fit(&t("tui.help.intro", &[]), inner.width as usize),
        th.dim(),
    )];
    // The pane's own keys first, then the global ones.
    let mut bindings = s.keymap.bindings_for(s.pane);
    bindings.sort_by_key(|(_, a)| a.scope() == super::super::action::Scope::Global);
    let mut last_scope = "";
    for (keys, a) in bindings {
        let scope = a.scope().name();
        if scope != last_scope {
            lines.push(Line::styled(t(&format!("tui.help.scope.{scope}"), &[]), th.heading()));
            last_scope = scope;
        }
        lines.push(Line::from(vec![
            Span::styled(cell(&keys, 16), th.marked()),
            Span::raw(fit(
                &format!("{}  ({})", a.describe(), a.name()),
                inner.width.saturating_sub(17) as usize,
            )),
        ]));
    }
    // Scrolled no further than the last page.
    let scroll = scroll.min(lines.len().saturating_sub(inner.height as usize));
    let body: Vec<Line> = lines.into_iter().skip(scroll).collect();
    f.render_widget(Paragraph::new(body), inner);
}

/// A form: one row per field (label, then the field); multi-line fields share the
/// rows left, the focused one getting what does not divide evenly.
fn render_form(f: &mut Frame, area: Rect, s: &State, form: &Form, top: bool) {
    let th = Theme::of(s);
    let r = centered(
        area,
        area.width.saturating_sub(4).min(100),
        area.height.saturating_sub(2),
    );
    // A form is a screen of its own: nothing of the pane shows beside it.
    clear(
        f,
        Rect {
            x: area.x,
            width: area.width,
            ..r
        },
    );
    let title = format!(" {} ", fit(&form.title, 70));
    let block = th.block(&title);
    let inner = block.inner(r);
    f.render_widget(block, r);
    // Labels carry their format (`窗口开始（YYYY-MM-DD HH:MM）`): up to 2/5 of the width.
    let widest = form.fields.iter().map(|(l, _)| text_width(l)).max().unwrap_or(8);
    let label_w = widest.min((inner.width as usize * 2 / 5).clamp(12, 32)) as u16 + 2;
    let hint_row = Rect {
        y: inner.y + inner.height.saturating_sub(1),
        height: 1,
        ..inner
    };
    f.render_widget(
        Paragraph::new(Span::styled(
            fit(&t("tui.form.keys", &[]), inner.width as usize),
            th.dim(),
        )),
        hint_row,
    );
    // The focused field's warning, if any, gets the row above the keys.
    let warning = form.warnings.get(&form.focus);
    let avail = inner.height.saturating_sub(1 + u16::from(warning.is_some()));
    let singles = form.fields.iter().filter(|(_, f)| !f.multiline).count() as u16;
    let multis = form.fields.len() as u16 - singles;
    let (multi_h, extra) = match multis {
        0 => (1, 0),
        m => {
            let left = avail.saturating_sub(singles);
            ((left / m).max(1), if left >= m { left % m } else { 0 })
        }
    };
    let focus_multi = form.fields.get(form.focus).is_some_and(|(_, f)| f.multiline);
    let heights: Vec<u16> = form
        .fields
        .iter()
        .enumerate()
        .map(
            |(i, (_, f))| match (f.multiline, i == form.focus || !focus_multi && i == first_multi(form)) {
                (false, _) => 1,
                (true, true) => multi_h + extra,
                (true, false) => multi_h,
            },
        )
        .collect();
    // Scroll so the focused field is visible.
    let focus = form.focus.min(heights.len().saturating_sub(1));
    let mut start = 0;
    while start < focus && heights[start..=focus].iter().sum::<u16>() > avail {
        start += 1;
    }
    let mut y = inner.y;
    for (i, (label, field)) in form.fields.iter().enumerate().skip(start) {
        let h = heights[i];
        if y + h > inner.y + avail {
            break;
        }
        let focused = i == form.focus;
        let lstyle = if focused {
            th.selected()
        } else if form.warnings.contains_key(&i) {
            th.warn()
        } else {
            th.dim()
        };
        let label_area = Rect {
            x: inner.x,
            y,
            width: label_w.min(inner.width),
            height: 1,
        };
        f.render_widget(
            Paragraph::new(Span::styled(cell(label, label_w as usize - 2), lstyle)),
            label_area,
        );
        let fa = Rect {
            x: inner.x + label_area.width,
            y,
            width: inner.width - label_area.width,
            height: h,
        };
        render_field(f, field, fa, focused && top);
        y += h;
    }
    if let Some(w) = warning {
        let wr = Rect {
            y: hint_row.y.saturating_sub(1),
            ..hint_row
        };
        f.render_widget(Paragraph::new(Span::styled(fit(w, wr.width as usize), th.warn())), wr);
    }
}

/// The first multi-line field (it gets the spare rows when a one-line field has focus).
fn first_multi(form: &Form) -> usize {
    form.fields.iter().position(|(_, f)| f.multiline).unwrap_or(usize::MAX)
}
