//! The popup stack, bottom to top: help, palette, prompt, confirm, form, message.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::super::input::{Choice, Picker};
use super::super::state::{Form, ImportPopup, ListCursor, Popup, State};
use super::super::update::forms::{self, FormField, Input};
use super::super::update::popups::{palette_entries, Entry};
use super::theme::Theme;
use super::{cell, centered, clear, fit, render_field, text_width, textwrap_lines, wrap};
use crate::i18n::t;

pub fn render(f: &mut Frame, area: Rect, s: &State) {
    let n = s.popups.len();
    for (i, p) in s.popups.iter().enumerate() {
        let top = i + 1 == n;
        match p {
            Popup::Help { scroll } => help(f, area, s, *scroll),
            Popup::Palette { input, cursor, .. } => {
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
            Popup::Parked { cursor, confirm } => parked_box(f, area, s, cursor, *confirm),
            Popup::LinkPicker(p) => link_box(f, area, s, p, top),
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

/// The most rows a one-line field grows to as its text wraps.
const MAX_LINE_ROWS: u16 = 3;
/// The most choices a picker shows at once.
const PICKER_ROWS: usize = 6;

/// A form: one row per field (label, then the field). A one-line field grows to
/// as many rows as its text wraps to (up to three); multi-line fields share the
/// rows left, the focused one getting what does not divide evenly. Below the
/// fields, the focused field's warning or help, then the keys. The focused
/// choice field opens its list of choices over the fields below it (or above).
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
    if inner.height == 0 || inner.width == 0 {
        return;
    }
    let widest = form.fields.iter().map(|x| text_width(&x.label)).max().unwrap_or(8);
    let label_w = (widest.min((inner.width as usize * 2 / 5).clamp(8, 24)) as u16 + 2).min(inner.width);
    let field_w = inner.width - label_w;
    let focused = form.focused();
    // The keys, with alt-enter while a multi-line field has focus.
    let keys = if focused.multiline() {
        format!("{}  {}", t("tui.form.keys.multi", &[]), t("tui.form.keys", &[]))
    } else {
        t("tui.form.keys", &[])
    };
    let hint_row = Rect {
        y: inner.y + inner.height - 1,
        height: 1,
        ..inner
    };
    f.render_widget(
        Paragraph::new(Span::styled(fit(&keys, inner.width as usize), th.dim())),
        hint_row,
    );
    // The focused field's warning, else its help, on the row above the keys.
    let (help, help_style) = match form.warnings.get(focused.name) {
        Some(w) => (w.clone(), th.warn()),
        None => (field_help(focused), th.dim()),
    };
    let avail = inner.height.saturating_sub(2);
    if inner.height >= 2 {
        let help_row = Rect {
            y: hint_row.y - 1,
            ..hint_row
        };
        f.render_widget(
            Paragraph::new(Span::styled(fit(&help, help_row.width as usize), help_style)),
            help_row,
        );
    }
    let heights = field_heights(form, field_w, avail);
    // Scroll so the focused field is visible.
    let focus = form.focus.min(heights.len().saturating_sub(1));
    let mut start = 0;
    while start < focus && heights[start..=focus].iter().sum::<u16>() > avail {
        start += 1;
    }
    let mut y = inner.y;
    let mut dropdown = None;
    let mut focus_rect = None;
    for (i, fld) in form.fields.iter().enumerate().skip(start) {
        let h = heights[i];
        if y + h > inner.y + avail {
            break;
        }
        let is_focus = i == form.focus;
        let lstyle = if is_focus {
            th.selected()
        } else if form.warnings.contains_key(fld.name) {
            th.warn()
        } else {
            th.dim()
        };
        f.render_widget(
            Paragraph::new(Span::styled(cell(&fld.label, label_w as usize - 2), lstyle)),
            Rect {
                x: inner.x,
                y,
                width: label_w,
                height: 1,
            },
        );
        let fa = Rect {
            x: inner.x + label_w,
            y,
            width: field_w,
            height: h,
        };
        match &fld.input {
            Input::Text(field) => render_field(f, field, fa, is_focus && top),
            Input::Pick(p) => {
                let opts = fld.choices().map(|c| forms::options(s, c)).unwrap_or_default();
                render_picker(f, s, p, &opts, fa, is_focus && top);
                if is_focus {
                    dropdown = Some((p, opts, fa));
                }
            }
        }
        if is_focus {
            focus_rect = Some(Rect {
                x: inner.x,
                width: inner.width,
                ..fa
            });
        }
        y += h;
    }
    if let (Some((p, opts, fa)), true) = (dropdown, top) {
        let bounds = Rect { height: avail, ..inner };
        let list = render_choices(f, s, p, &opts, fa, bounds);
        focus_rect = focus_rect.map(|r| r.union(list));
    }
    if top {
        s.form_focus.set(focus_rect);
    }
}

/// What the help row says about a field that has no warning.
fn field_help(fld: &FormField) -> String {
    match (fld.hint, &fld.input) {
        (Some(key), _) => t(key, &[]),
        (None, Input::Pick(_)) => t("tui.form.help.pick", &[]),
        (None, Input::Text(_)) => t("tui.form.help.text", &[]),
    }
}

/// Rows for each field: a one-line field as many as its text wraps to (one more
/// when the focused one's text fills its last row exactly, for the cursor), at
/// most [`MAX_LINE_ROWS`]; a choice one; multi-line fields share the rest.
fn field_heights(form: &Form, width: u16, avail: u16) -> Vec<u16> {
    let w = width.max(1) as usize;
    let line_rows = |i: usize, fld: &FormField| -> u16 {
        let Input::Text(field) = &fld.input else { return 1 };
        let text = field.text();
        let lines = wrap(&text, w, false);
        let mut n = lines.len().max(1);
        if i == form.focus && lines.last().is_some_and(|l| text_width(l) >= w) {
            n += 1;
        }
        (n as u16).clamp(1, MAX_LINE_ROWS)
    };
    let singles: u16 = form
        .fields
        .iter()
        .enumerate()
        .filter(|(_, x)| !x.multiline())
        .map(|(i, x)| line_rows(i, x))
        .sum();
    let multis = form.fields.iter().filter(|x| x.multiline()).count() as u16;
    let (multi_h, extra) = match multis {
        0 => (1, 0),
        m => {
            let left = avail.saturating_sub(singles);
            ((left / m).max(1), if left >= m { left % m } else { 0 })
        }
    };
    let focus_multi = form.focused().multiline();
    let first = first_multi(form);
    form.fields
        .iter()
        .enumerate()
        .map(
            |(i, x)| match (x.multiline(), i == form.focus || !focus_multi && i == first) {
                (false, _) => line_rows(i, x),
                (true, true) => multi_h + extra,
                (true, false) => multi_h,
            },
        )
        .collect()
}

/// The first multi-line field (it gets the spare rows when a one-line field has focus).
fn first_multi(form: &Form) -> usize {
    form.fields.iter().position(|x| x.multiline()).unwrap_or(usize::MAX)
}

/// A choice field's row: the chosen label (and, dimmed, the other language's);
/// focused, `▾` and what is typed to filter, with the terminal cursor there.
fn render_picker(f: &mut Frame, s: &State, p: &Picker, opts: &[Choice], area: Rect, focused: bool) {
    let th = Theme::of(s);
    let row = Rect { height: 1, ..area };
    let (label, note) = match p.chosen(opts) {
        Some(c) => (c.label.clone(), c.note.clone()),
        None if p.value.is_empty() => (t("tui.pick.choose", &[]), String::new()),
        None => (p.value.clone(), String::new()),
    };
    let w = row.width as usize;
    if !focused {
        let mut spans = vec![Span::raw(fit(&label, w))];
        let used = text_width(&label) + 2;
        if !note.is_empty() && note != label && used + text_width(&note) <= w {
            spans.push(Span::raw("  "));
            spans.push(Span::styled(note, th.dim()));
        }
        f.render_widget(Paragraph::new(Line::from(spans)), row);
        return;
    }
    let shown = format!("{} ▾", fit(&label, (w / 2).saturating_sub(2).max(1)));
    let shown_w = (text_width(&shown) as u16).min(row.width);
    f.render_widget(
        Paragraph::new(Span::styled(shown, th.selected())),
        Rect { width: shown_w, ..row },
    );
    let query = Rect {
        x: row.x + shown_w + 1,
        width: row.width.saturating_sub(shown_w + 1),
        ..row
    };
    if query.width > 0 {
        if p.query.text().is_empty() {
            f.render_widget(
                Paragraph::new(Span::styled(
                    fit(&t("tui.pick.filter", &[]), query.width as usize),
                    th.dim(),
                )),
                query,
            );
            f.set_cursor_position((query.x, query.y));
        } else {
            render_field(f, &p.query, query, true);
        }
    }
}

/// The choices the query finds, under the field (or above it when there is no
/// room below), the chosen one marked. Returns where it was drawn.
fn render_choices(f: &mut Frame, s: &State, p: &Picker, opts: &[Choice], field: Rect, bounds: Rect) -> Rect {
    let th = Theme::of(s);
    let matches = p.matches(opts);
    let rows = matches.len().clamp(1, PICKER_ROWS) as u16;
    let width = field.width.min(52).max(12.min(field.width));
    let height = rows + 2;
    let below = field.y + 1;
    let y = if below + height <= bounds.y + bounds.height {
        below
    } else if field.y >= bounds.y + height {
        field.y - height
    } else {
        below
    };
    let r = Rect {
        x: field.x,
        y,
        width,
        height: height.min((bounds.y + bounds.height).saturating_sub(y)),
    }
    .intersection(f.area());
    if r.height < 3 || r.width < 4 {
        return r;
    }
    clear(f, r);
    let count = if p.query.text().is_empty() {
        String::new()
    } else {
        format!(" {}/{} ", matches.len(), opts.len())
    };
    let block = th.block(&count);
    let inner = block.inner(r);
    f.render_widget(block, r);
    let iw = inner.width as usize;
    if matches.is_empty() {
        let none = t("tui.pick.no_match", &[("q", p.query.text())]);
        f.render_widget(Paragraph::new(Span::styled(fit(&none, iw), th.dim())), inner);
        return r;
    }
    let at = matches.iter().position(|&i| opts[i].code == p.value).unwrap_or(0);
    let h = inner.height as usize;
    let first = at
        .saturating_sub(h.saturating_sub(1))
        .min(matches.len().saturating_sub(h));
    let label_w = matches
        .iter()
        .map(|&i| text_width(&opts[i].label))
        .max()
        .unwrap_or(4)
        .min(iw.saturating_sub(2));
    let lines: Vec<Line> = matches
        .iter()
        .enumerate()
        .skip(first)
        .take(h)
        .map(|(k, &i)| {
            let c = &opts[i];
            let mark = if k == at { "›" } else { " " };
            let head = format!("{mark}{}", cell(&c.label, label_w));
            let rest = iw.saturating_sub(text_width(&head) + 1);
            let note = if c.note == c.label {
                String::new()
            } else {
                fit(&c.note, rest)
            };
            if k == at {
                Line::styled(cell(&format!("{head} {note}"), iw), th.selected())
            } else {
                Line::from(vec![Span::raw(head), Span::raw(" "), Span::styled(note, th.dim())])
            }
        })
        .collect();
    f.render_widget(Paragraph::new(lines), inner);
    r
}

/// The parked forms: each with what it is about and when it was parked; Enter
/// reopens one, `d` discards it (after `y`).
/// Linking requests to a plan: the query, the requests it finds (marked ones
/// with `*`; those the core will not link dimmed, with its reason), the keys.
fn link_box(f: &mut Frame, area: Rect, s: &State, p: &super::super::state::LinkPicker, top: bool) {
    use super::super::update::link;
    let th = Theme::of(s);
    let width = 90u16.min(area.width);
    let iw = width.saturating_sub(2) as usize;
    let r = centered(area, width, 18.min(area.height));
    clear(f, r);
    let title = format!(
        " {} ",
        fit(&t("tui.link.title", &[("plan", p.label.clone())]), iw.saturating_sub(2))
    );
    let block = th.block(&title);
    let inner = block.inner(r);
    f.render_widget(block, r);
    let [line, list, keys] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(1), Constraint::Length(1)]).areas(inner);
    render_field(f, &p.query, line, top);
    let rows = link::candidates(s, p);
    let h = list.height as usize;
    let off = p.cursor.visible_offset(h);
    let mut lines: Vec<Line> = Vec::new();
    for (n, &i) in rows.iter().enumerate().skip(off).take(h) {
        let r = &s.queue.all[i];
        let mark = if p.marked.contains(&r.id) { "*" } else { " " };
        let refusal = link::refusal(r);
        let mut text = format!(
            "{mark} {} [{}] {} · {}",
            r.id,
            r.status.label(),
            r.title,
            s.system_name(r.system)
        );
        if let Some(why) = &refusal {
            text.push_str(&format!(" — {why}"));
        }
        let text = fit(&crate::sanitize::visible_line(&text), iw);
        lines.push(if n == p.cursor.selected {
            Line::styled(cell(&text, iw), th.selected())
        } else if refusal.is_some() {
            Line::styled(text, th.dim())
        } else if p.marked.contains(&r.id) {
            Line::styled(text, th.marked())
        } else {
            Line::raw(text)
        });
    }
    if rows.is_empty() {
        lines.push(Line::styled(fit(&t("tui.link.empty", &[]), iw), th.dim()));
    }
    f.render_widget(Paragraph::new(lines), list);
    let hint = t("tui.link.keys", &[("n", p.marked.len().to_string())]);
    f.render_widget(Paragraph::new(Line::styled(fit(&hint, iw), th.dim())), keys);
}

fn parked_box(f: &mut Frame, area: Rect, s: &State, cursor: &ListCursor, confirm: bool) {
    let th = Theme::of(s);
    let width = 76u16.min(area.width);
    let iw = width.saturating_sub(2) as usize;
    let room = area.height.saturating_sub(4).max(3) as usize;
    let list_h = s.parked.len().min(room.saturating_sub(2)).max(1);
    let r = centered(area, width, (list_h as u16 + 4).min(area.height));
    clear(f, r);
    let title = format!(
        " {} ",
        fit(
            &format!("{} ({})", t("tui.parked.title", &[]), s.parked.len()),
            iw.saturating_sub(2)
        )
    );
    let border = if confirm { th.warn() } else { th.dim() };
    let block = th.block(&title).border_style(border);
    let inner = block.inner(r);
    f.render_widget(block, r);
    let off = cursor.visible_offset(list_h);
    let mut lines: Vec<Line> = s
        .parked
        .iter()
        .enumerate()
        .skip(off)
        .take(list_h)
        .map(|(i, form)| {
            let when = form.parked_at.map(crate::model::fmt_time).unwrap_or_default();
            let text_w = iw.saturating_sub(text_width(&when) + 3);
            let text = format!("{}  {when}", cell(&form.summary(), text_w));
            let text = fit(&text, iw);
            if i == cursor.selected {
                Line::styled(cell(&text, iw), th.selected())
            } else {
                Line::raw(text)
            }
        })
        .collect();
    lines.push(Line::raw(""));
    let keys = match s.parked.get(cursor.selected) {
        Some(form) if confirm => Line::styled(
            fit(&t("tui.parked.confirm", &[("form", form.title.clone())]), iw),
            th.warn(),
        ),
        _ => Line::styled(fit(&t("tui.parked.keys", &[]), iw), th.dim()),
    };
    lines.push(keys);
    f.render_widget(Paragraph::new(lines), inner);
}
