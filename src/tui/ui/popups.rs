//! The popup stack, bottom to top: help, palette, prompt, confirm, form, message.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use ratatui::Frame;

use super::super::state::{Form, Popup, State};
use super::super::update::popups::{palette_entries, Entry};
use super::theme::Theme;
use super::{cell, centered, fit, textwrap_lines};
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
                f.render_widget(Clear, r);
                let block = th.block(" : ");
                let inner = block.inner(r);
                f.render_widget(block, r);
                let [line, list] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(inner);
                f.render_widget(&input.area, line);
                if top {
                    if let Some(p) = input.cursor_position(line) {
                        f.set_cursor_position(p);
                    }
                }
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
                                let keys = s.keymap.keys_for(s.pane, *a).join(", ");
                                format!("{} {} {}", cell(a.name(), 22), cell(&keys, 10), a.describe())
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
                f.render_widget(Paragraph::new(lines), list);
            }
            Popup::Prompt { label, input, .. } => {
                let th = Theme::of(s);
                let r = centered(area, 70, 3);
                f.render_widget(Clear, r);
                let title = format!(" {} ", fit(label, 60));
                let block = th.block(&title);
                let inner = block.inner(r);
                f.render_widget(block, r);
                f.render_widget(&input.area, inner);
                if top {
                    if let Some(p) = input.cursor_position(inner) {
                        f.set_cursor_position(p);
                    }
                }
            }
            Popup::Confirm { message, .. } => {
                let th = Theme::of(s);
                let width = 70u16.min(area.width);
                let mut lines = textwrap_lines(&crate::sanitize::clean(message), width.saturating_sub(2) as usize);
                lines.push(String::new());
                lines.push(t("tui.confirm.keys", &[]));
                let r = centered(area, width, (lines.len() as u16 + 2).min(area.height));
                f.render_widget(Clear, r);
                let title = format!(" {} ", t("tui.confirm", &[]));
                f.render_widget(
                    Paragraph::new(lines.join("\n")).block(th.block(&title).border_style(th.warn())),
                    r,
                );
            }
            Popup::Message { title, text, scroll } => {
                let th = Theme::of(s);
                let r = centered(area, 76, area.height.saturating_sub(4));
                f.render_widget(Clear, r);
                let title = format!(" {} ", fit(title, 60));
                let block = th.block(&title);
                let inner = block.inner(r);
                f.render_widget(block, r);
                let lines = textwrap_lines(&crate::sanitize::clean(text), inner.width as usize);
                let body: Vec<Line> = lines.into_iter().skip(*scroll).map(Line::raw).collect();
                f.render_widget(Paragraph::new(body), inner);
            }
            Popup::Form(form) => render_form(f, area, s, form, top),
        }
    }
}

fn help(f: &mut Frame, area: Rect, s: &State, scroll: usize) {
    let th = Theme::of(s);
    let r = centered(area, 76, area.height.saturating_sub(2));
    f.render_widget(Clear, r);
    let title = format!(" {} — {} ", t("tui.help.title", &[]), s.pane.title());
    let block = th.block(&title);
    let inner = block.inner(r);
    f.render_widget(block, r);
    let mut lines = vec![Line::styled(t("tui.help.intro", &[]), th.dim())];
    let bindings = s.keymap.bindings_for(s.pane);
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
    let body: Vec<Line> = lines.into_iter().skip(scroll).collect();
    f.render_widget(Paragraph::new(body), inner);
}

/// A form: one row per field (label, then the field); multi-line fields get more rows.
fn render_form(f: &mut Frame, area: Rect, s: &State, form: &Form, top: bool) {
    let th = Theme::of(s);
    let r = centered(
        area,
        area.width.saturating_sub(4).min(100),
        area.height.saturating_sub(2),
    );
    f.render_widget(Clear, r);
    let title = format!(" {} ", fit(&form.title, 70));
    let block = th.block(&title);
    let inner = block.inner(r);
    f.render_widget(block, r);
    let label_w = form
        .fields
        .iter()
        .map(|(l, _)| unicode_width::UnicodeWidthStr::width(l.as_str()))
        .max()
        .unwrap_or(8)
        .min(20) as u16
        + 2;
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
    // Multi-line fields share the rows left after one row per one-line field.
    let avail = inner.height.saturating_sub(1);
    let singles = form.fields.iter().filter(|(_, f)| !f.multiline).count() as u16;
    let multis = form.fields.len() as u16 - singles;
    let multi_h = if multis > 0 {
        (avail.saturating_sub(singles) / multis).max(1)
    } else {
        1
    };
    // Scroll so the focused field is visible.
    let heights: Vec<u16> = form
        .fields
        .iter()
        .map(|(_, f)| if f.multiline { multi_h } else { 1 })
        .collect();
    let mut start = 0;
    while heights[start..=form.focus.min(heights.len().saturating_sub(1))]
        .iter()
        .sum::<u16>()
        > avail
        && start < form.focus
    {
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
        f.render_widget(
            Paragraph::new(Span::styled(cell(label, label_w as usize - 1), lstyle)),
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
            width: inner.width.saturating_sub(label_w),
            height: h,
        };
        f.render_widget(&field.area, fa);
        if focused && top {
            if let Some(p) = field.cursor_position(fa) {
                f.set_cursor_position(p);
            }
        }
        y += h;
    }
    if let Some(w) = form.warnings.get(&form.focus) {
        let wr = Rect {
            y: hint_row.y.saturating_sub(1),
            ..hint_row
        };
        f.render_widget(Paragraph::new(Span::styled(fit(w, wr.width as usize), th.warn())), wr);
    }
}
