//! Drawing: everything reads `&State`. One `render_*` helper per part; colours
//! and borders from [`theme`]. Widths are display columns (unicode-width).

mod archive;
mod plans;
mod popups;
mod queue;
mod tests;
pub mod theme;

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};
use ratatui::Frame;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use super::action::{Action, Pane};
use super::state::State;
use crate::i18n::t;

pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;

pub fn render(f: &mut Frame, s: &State) {
    let area = f.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        too_small(f, area);
        return;
    }
    let [header, body, status] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(1), Constraint::Length(1)]).areas(area);
    render_header(f, header, s);
    match s.pane {
        Pane::Queue => queue::render(f, body, s),
        Pane::Plans => plans::render(f, body, s),
        Pane::Tests => tests::render(f, body, s),
        Pane::Archive => archive::render(f, body, s),
    }
    render_status(f, status, s);
    popups::render(f, area, s);
    render_toasts(f, body, s);
}

fn too_small(f: &mut Frame, area: Rect) {
    let msg = t(
        "tui.too_small",
        &[("w", MIN_WIDTH.to_string()), ("h", MIN_HEIGHT.to_string())],
    );
    f.render_widget(Clear, area);
    f.render_widget(Paragraph::new(msg).wrap(Wrap { trim: true }), area);
}

/// Cut `s` to `max` display columns, ending with `…` when cut; never splits a wide character.
pub fn fit(s: &str, max: usize) -> String {
    let s = crate::sanitize::clean_line(s);
    if s.width() <= max {
        return s;
    }
    if max == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut w = 0;
    for c in s.chars() {
        let cw = c.width().unwrap_or(0);
        if w + cw + 1 > max {
            break;
        }
        out.push(c);
        w += cw;
    }
    out.push('…');
    out
}

/// Pad or cut to exactly `width` columns.
pub fn cell(s: &str, width: usize) -> String {
    let mut v = fit(s, width);
    let w = v.width();
    v.extend(std::iter::repeat_n(' ', width.saturating_sub(w)));
    v
}

fn render_header(f: &mut Frame, area: Rect, s: &State) {
    let th = theme::Theme::of(s);
    let mut spans = Vec::new();
    for p in Pane::ALL {
        let label = format!(" {} {} ", p.index() + 1, p.title());
        spans.push(if p == s.pane {
            Span::styled(label, th.tab_active())
        } else {
            Span::styled(label, th.tab())
        });
    }
    let o = &s.overview;
    let mut attention = vec![
        t("tui.header.new", &[("n", o.new_requests.to_string())]),
        t("tui.header.approval", &[("n", o.awaiting_approval.to_string())]),
    ];
    if !o.overdue_orders.is_empty() {
        attention.push(t("tui.header.overdue", &[("n", o.overdue_orders.len().to_string())]));
    }
    let used: usize = spans.iter().map(|s| s.content.width()).sum();
    let rest = (area.width as usize).saturating_sub(used + 1);
    let text = fit(&attention.join(" · "), rest);
    let pad = rest.saturating_sub(text.width());
    spans.push(Span::raw(" ".repeat(pad + 1)));
    spans.push(Span::styled(
        text,
        if o.overdue_orders.is_empty() {
            th.dim()
        } else {
            th.warn()
        },
    ));
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// The status bar: who and where, then the hints of the focused pane from the keymap.
fn render_status(f: &mut Frame, area: Rect, s: &State) {
    let th = theme::Theme::of(s);
    let roles: Vec<&str> = s.roles.iter().map(|r| r.as_str()).collect();
    let who = format!(" {} [{}] {} ", s.user, roles.join(","), s.location);
    let mut hints: Vec<String> = Vec::new();
    if !s.pending_keys.is_empty() {
        hints.push(super::keymap::display_seq(&s.pending_keys) + " …");
    }
    let pane_cmds: Vec<Action> = Action::ALL
        .iter()
        .copied()
        .filter(|a| a.scope() != super::action::Scope::Global && a.applies_in(s.pane))
        .collect();
    for a in pane_cmds
        .iter()
        .chain([Action::Filter, Action::Help, Action::Palette, Action::Quit].iter())
    {
        if let Some(k) = s.keymap.keys_for(s.pane, *a).first() {
            hints.push(format!("{k} {}", t(&format!("tui.hint.{}", a.name()), &[])));
        }
    }
    let who_w = who.width().min(area.width as usize / 2);
    let who = fit(&who, who_w);
    let rest = (area.width as usize).saturating_sub(who.width() + 1);
    let mut line = String::new();
    for h in hints {
        if line.width() + h.width() + 2 > rest {
            break;
        }
        line.push_str(&h);
        line.push_str("  ");
    }
    let spans = vec![
        Span::styled(who.clone(), th.status_user()),
        Span::raw(" "),
        Span::styled(line, th.dim()),
    ];
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn render_toasts(f: &mut Frame, body: Rect, s: &State) {
    let th = theme::Theme::of(s);
    let width = (body.width / 2).max(30).min(body.width);
    let mut y = body.y + body.height;
    for toast in s.toasts.iter().rev() {
        let text = crate::sanitize::clean_line(&toast.text);
        let lines = textwrap_lines(&text, width.saturating_sub(2) as usize);
        let h = (lines.len() as u16 + 2).min(body.height);
        if y < body.y + h {
            break;
        }
        y -= h;
        let area = Rect {
            x: body.x + body.width - width,
            y,
            width,
            height: h,
        };
        f.render_widget(Clear, area);
        let style = if toast.error { th.error() } else { th.ok() };
        let block = th.block("").border_style(style);
        f.render_widget(Paragraph::new(lines.join("\n")).style(style).block(block), area);
    }
}

/// Break text into lines of at most `width` columns (by character, for Chinese).
pub fn textwrap_lines(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut out = Vec::new();
    let text = text.replace('\t', "    ");
    for para in text.split('\n') {
        let mut line = String::new();
        let mut w = 0;
        for c in para.chars() {
            let cw = c.width().unwrap_or(0);
            if w + cw > width {
                out.push(std::mem::take(&mut line));
                w = 0;
            }
            line.push(c);
            w += cw;
        }
        out.push(line);
    }
    out
}

/// A rectangle of `w`×`h` centred in `area`, clipped to it.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}
