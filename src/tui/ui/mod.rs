//! Drawing: everything reads `&State`. One `render_*` helper per part; colours
//! and borders from [`theme`]. Widths are display columns, counted per grapheme
//! the way ratatui draws them ([`text_width`]).
//!
//! Text from records reaches the screen only through [`fit`], [`cell`],
//! [`textwrap_lines`] (which drop control, bidi and zero-width characters) or a
//! text field drawn by [`render_field`]; popups clear what is under them with
//! [`clear`], which keeps wide characters of the pane whole.

mod archive;
mod attention;
mod plans;
mod popups;
mod queue;
mod register;
mod reports;
mod schedule;
pub mod sections;
mod supervision;
mod templates;
mod tests;
pub mod theme;

use ratatui::buffer::CellWidth;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use ratatui::Frame;

use super::action::{Action, Pane};
use super::input::Field;
use super::state::State;
use crate::i18n::t;

pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;

pub fn render(f: &mut Frame, s: &State) {
    let area = f.area();
    s.screen.set((area.width, area.height));
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
        Pane::Reports => reports::render(f, body, s),
        Pane::Supervision => supervision::render(f, body, s),
        Pane::Templates => templates::render(f, body, s),
        Pane::Schedule => schedule::render(f, body, s),
        Pane::Register => register::render(f, body, s),
        Pane::Attention => attention::render(f, body, s),
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
    // Wrapped here, not by ratatui, which can leave a wide character in the last column.
    let lines: Vec<Line> = textwrap_lines(&msg, area.width as usize)
        .into_iter()
        .map(Line::raw)
        .collect();
    f.render_widget(Paragraph::new(lines), area);
}

pub use crate::text::{cell, fit, graphemes, text_width};

/// A table column: its width, and when it goes on a narrow screen (0: never; the
/// highest goes first).
#[derive(Debug, Clone, Copy)]
pub struct Col {
    pub width: usize,
    pub drop: u8,
}

impl Col {
    pub fn new(width: usize, drop: u8) -> Col {
        Col { width, drop }
    }
    /// As wide as the widest of `labels` (the header among them), at most `max`.
    pub fn fitting(labels: impl IntoIterator<Item = String>, max: usize, drop: u8) -> Col {
        let width = labels.into_iter().map(|l| text_width(&l)).max().unwrap_or(1).min(max);
        Col { width, drop }
    }
}

/// Lay out a table `total` columns wide: a margin of two, a space after each column,
/// and a last, flexible column (the title) taking the rest. While the title would be
/// narrower than `min_flex`, columns are dropped (highest `drop` first). The widths,
/// `None` for a dropped column, the title's last.
pub fn columns(total: usize, cols: &[Col], min_flex: usize) -> Vec<Option<usize>> {
    let mut shown = vec![true; cols.len()];
    let flex = |shown: &[bool]| {
        let used: usize = cols
            .iter()
            .zip(shown)
            .filter(|(_, s)| **s)
            .map(|(c, _)| c.width + 1)
            .sum();
        total.saturating_sub(2 + used + 1)
    };
    while flex(&shown) < min_flex {
        let Some(i) = (0..cols.len())
            .filter(|&i| shown[i] && cols[i].drop > 0)
            .max_by_key(|&i| cols[i].drop)
        else {
            break;
        };
        shown[i] = false;
    }
    let mut out: Vec<Option<usize>> = cols.iter().zip(&shown).map(|(c, s)| s.then_some(c.width)).collect();
    out.push(Some(flex(&shown)));
    out
}

/// A row of a table laid out by [`columns`]: each shown cell padded to its width.
/// The selected row of a list: only its marker column and first cell (the id)
/// in the selection style, so that moving the selection rewrites a few cells of
/// two rows on the terminal rather than both rows whole (one `j` stays within a
/// few hundred bytes, also over a slow SSH link).
pub fn selected_row(text: String, _first: usize, style: ratatui::style::Style) -> Line<'static> {
    // The whole row, so the eye finds it across the width (a few hundred bytes per
    // move over SSH: docs/performance.md "bytes for one j").
    Line::from(vec![Span::styled(text, style)])
}

/// The block around a pane's detail: its border marks whether it has the focus.
pub fn detail_block(s: &State, title: &str, focused: bool) -> ratatui::widgets::Block<'static> {
    let th = theme::Theme::of(s);
    let block = th.block(title);
    if focused {
        block.border_style(th.tab_active())
    } else {
        block.border_style(th.dim())
    }
}

/// The detail area while the selected record is being loaded into it.
pub fn loading_detail(f: &mut Frame, area: Rect, s: &State, id: impl std::fmt::Display) {
    let th = theme::Theme::of(s);
    let block = detail_block(s, &format!(" {id} "), s.focus == super::state::Focus::Detail);
    let inner = block.inner(area);
    f.render_widget(block, area);
    f.render_widget(
        Paragraph::new(Span::styled(
            t("tui.detail.loading", &[("id", id.to_string())]),
            th.dim(),
        )),
        inner,
    );
}

pub fn row(cells: &[String], widths: &[Option<usize>]) -> String {
    let mut line = String::from("  ");
    for (c, w) in cells.iter().zip(widths) {
        if let Some(w) = w {
            line.push_str(&cell(c, *w));
            line.push(' ');
        }
    }
    line
}

fn render_header(f: &mut Frame, area: Rect, s: &State) {
    let th = theme::Theme::of(s);
    // Six panes and what needs attention share 80 columns: one space between
    // tabs, and a Chinese title right after its number (`1需求队列`).
    let mut spans = Vec::new();
    for p in Pane::ALL {
        // On a narrow screen the templates' tab shows only while it is open
        // (its key, 7, is in the help): what needs attention keeps its room.
        if matches!(p, Pane::Templates | Pane::Register | Pane::Schedule) && s.pane != p && area.width < 130 {
            continue;
        }
        // The attention view's count leads what needs attention, on the right.
        if p == Pane::Attention {
            continue;
        }
        let title = p.title();
        let n = p.number();
        let label = match title.chars().next() {
            Some(c) if !c.is_ascii() => format!("{n}{title}"),
            _ => format!("{n} {title}"),
        };
        spans.push(Span::raw(" "));
        spans.push(if p == s.pane {
            Span::styled(label, th.tab_active())
        } else {
            Span::styled(label, th.tab())
        });
    }
    let o = &s.overview;
    // Most urgent first; what does not fit is left out whole, least urgent first.
    let mut attention = Vec::new();
    // What needs someone (pane 0), once the core has answered: first.
    // Nothing to do: the room goes to the counts.
    let needs = s.attention.list.as_ref().map(|l| l.items.len()).filter(|n| *n > 0);
    if let Some(n) = needs {
        attention.push(t(
            "tui.header.attention",
            &[("n", n.to_string()), ("key", Pane::Attention.number().to_string())],
        ));
    }
    if !o.overdue_orders.is_empty() {
        attention.push(t("tui.header.overdue", &[("n", o.overdue_orders.len().to_string())]));
    }
    if !s.parked.is_empty() {
        // Your own unfinished forms: after overdue orders, before the counts.
        attention.push(t("tui.header.parked", &[("n", s.parked.len().to_string())]));
    }
    attention.push(t("tui.header.approval", &[("n", o.awaiting_approval.to_string())]));
    attention.push(t("tui.header.new", &[("n", o.new_requests.to_string())]));
    let used: usize = spans.iter().map(|s| text_width(&s.content)).sum();
    let rest = (area.width as usize).saturating_sub(used + 1);
    let mut shown = 1;
    while shown < attention.len() && text_width(&attention[..=shown].join(" · ")) <= rest {
        shown += 1;
    }
    let text = fit(&attention[..shown].join(" · "), rest);
    let pad = rest.saturating_sub(text_width(&text));
    spans.push(Span::raw(" ".repeat(pad + 1)));
    let urgent = !o.overdue_orders.is_empty() || needs.is_some_and(|n| n > 0);
    spans.push(Span::styled(
        text,
        if s.pane == Pane::Attention {
            th.tab_active()
        } else if urgent {
            th.warn()
        } else {
            th.dim()
        },
    ));
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// The status bar: who, then the keys of what can be done now — the pane's
/// actions the core offers on the current record for this user, then the
/// pane's other commands, always ending with `?`. What does not fit with its
/// label is shown by its key alone, so no valid key is hidden at 80 columns.
fn render_status(f: &mut Frame, area: Rect, s: &State) {
    let th = theme::Theme::of(s);
    let roles: Vec<String> = s.roles.iter().map(|r| r.label()).collect();
    let user = match &s.via {
        Some(_) => format!("{} {}", s.user, t("tui.persona.as", &[])),
        None => s.user.clone(),
    };
    let who = format!(" {user} [{}] ", roles.join(","));
    let who = fit(&who, area.width as usize / 3);
    let (full, help) = status_hints(s);
    let rest = (area.width as usize).saturating_sub(text_width(&who) + 1);
    let line = fit_hints(&full, &help, rest);
    let spans = vec![
        Span::styled(who.clone(), th.status_user()),
        Span::raw(" "),
        Span::styled(line, th.dim()),
    ];
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// The hints of the status bar as (key, label) pairs, and the help key's.
pub fn status_hints(s: &State) -> (Vec<(String, String)>, (String, String)) {
    let mut hints: Vec<(String, String)> = Vec::new();
    if !s.pending_keys.is_empty() {
        hints.push((super::keymap::display_seq(&s.pending_keys), "…".into()));
    }
    // The core's offers for the current record, asked once for the whole bar.
    let offers = super::update::offers::current(s);
    // The steps of the process first (what moves the record on), then the rest.
    let mut pane_cmds: Vec<Action> = Action::ALL
        .iter()
        .copied()
        .filter(|a| a.scope() == super::action::Scope::Pane(s.pane))
        .filter(|a| super::update::offers::offered_with(s, *a, offers.as_ref()))
        .filter(|a| s.pane != Pane::Register || super::update::register::in_view(s, *a))
        .collect();
    pane_cmds.sort_by_key(|a| a.step().is_none());
    // The detail's focus, then searching, the palette.
    let extra = [Action::FocusNext, Action::Filter, Action::Undo, Action::Palette];
    for a in pane_cmds.into_iter().chain(extra) {
        if a == Action::Undo && s.undo.is_none() {
            continue;
        }
        // The emergency changes' list is the supervision group's (§5.1): its
        // key is hinted to those who only supervise, and to whoever has it on
        // (everyone finds it in the help and the palette).
        let supervises_only = s.roles.contains(&crate::model::Role::Supervisor)
            && !s
                .roles
                .iter()
                .any(|r| matches!(r, crate::model::Role::Admin | crate::model::Role::Operator));
        if a == Action::PlanEmergency && !(s.plans.emergency_only || supervises_only) {
            continue;
        }
        // The next page only when there is one; n/N only in an open dossier of a search.
        if a == Action::ArchiveMore && s.archive.answer.as_ref().is_none_or(|x| x.hits.len() >= x.total) {
            continue;
        }
        if matches!(a, Action::ArchiveNextMatch | Action::ArchivePrevMatch)
            && !(s.archive.open && s.archive.answer.is_some())
        {
            continue;
        }
        // The detail's focus, when there is a detail and the list has the focus.
        if a == Action::FocusNext && !(super::update::has_detail(s) && s.focus == super::state::Focus::List) {
            continue;
        }
        if a == Action::Filter && !matches!(s.pane, Pane::Queue | Pane::Plans | Pane::Archive) {
            continue;
        }
        if let Some(k) = s.keymap.keys_for(s.pane, a).first() {
            hints.push((k.clone(), t(&format!("tui.hint.{}", a.name()), &[])));
        }
    }
    let help = s
        .keymap
        .keys_for(s.pane, Action::Help)
        .first()
        .cloned()
        .unwrap_or_else(|| ":".into());
    (hints, (help, t("tui.hint.help", &[])))
}

/// Lay the hints out in `width` columns: as many as fit with their labels,
/// the rest by key alone, the help key always last.
pub fn fit_hints(hints: &[(String, String)], help: &(String, String), width: usize) -> String {
    let help_text = format!("{} {}", help.0, help.1);
    let budget = width.saturating_sub(text_width(&help_text) + 2);
    let mut line = String::new();
    let mut i = 0;
    while i < hints.len() {
        let h = format!("{} {}  ", hints[i].0, hints[i].1);
        // Room for this one with its label and every later one by its key.
        let later: usize = hints[i + 1..].iter().map(|(k, _)| text_width(k) + 1).sum();
        if text_width(&line) + text_width(&h) + later > budget {
            break;
        }
        line.push_str(&h);
        i += 1;
    }
    for (k, _) in &hints[i..] {
        if text_width(&line) + text_width(k) + 1 > budget {
            line.push('…');
            break;
        }
        line.push_str(k);
        line.push(' ');
    }
    if i < hints.len() {
        line.push(' ');
    }
    line.push_str(&help_text);
    fit(&line, width)
}

/// Toasts, newest at the bottom, at the bottom right of the body — or, while a
/// form is open, wherever they do not cover its focused field (and its list of
/// choices): below it, else above it, else on the side with more room, the
/// oldest left out.
fn render_toasts(f: &mut Frame, body: Rect, s: &State) {
    let th = theme::Theme::of(s);
    let width = (body.width / 2).max(30).min(body.width);
    let boxes: Vec<(Vec<String>, u16, bool)> = s
        .toasts
        .iter()
        .map(|toast| {
            let lines = textwrap_lines(
                &crate::sanitize::visible_line(&toast.text),
                width.saturating_sub(2) as usize,
            );
            let h = (lines.len() as u16 + 2).min(body.height);
            (lines, h, toast.error)
        })
        .collect();
    let avoid = match s.popups.last() {
        Some(super::state::Popup::Form(_)) => s.form_focus.get(),
        _ => None,
    };
    // The rows toasts may use, and whether they stack up from the bottom.
    let (top, bottom, from_bottom) = match avoid.filter(|a| !a.intersection(body).is_empty()) {
        None => (body.y, body.y + body.height, true),
        Some(a) => {
            let need: u16 = boxes.iter().map(|b| b.1).sum();
            let below = (body.y + body.height).saturating_sub(a.y + a.height);
            let above = a.y.saturating_sub(body.y);
            if need <= below || below >= above {
                (a.y + a.height, body.y + body.height, true)
            } else {
                (body.y, a.y, false)
            }
        }
    };
    let mut placed = Vec::new();
    let mut used = 0u16;
    for (lines, h, error) in boxes.iter().rev() {
        if used + h > bottom.saturating_sub(top) {
            break;
        }
        used += h;
        placed.push((lines, *h, *error));
    }
    // Newest last, at the bottom when stacked from the bottom, else under the older.
    placed.reverse();
    let mut y = if from_bottom { bottom - used } else { top };
    for (lines, h, error) in placed {
        let area = Rect {
            x: body.x + body.width - width,
            y,
            width,
            height: h,
        };
        y += h;
        clear(f, area);
        let style = if error { th.error() } else { th.ok() };
        let block = th.block("").border_style(style);
        f.render_widget(Paragraph::new(lines.join("\n")).style(style).block(block), area);
    }
}

/// Break text into lines of at most `width` columns, cleaned of control, bidi and
/// zero-width characters. Chinese breaks between any two characters; other text at
/// spaces (the space is dropped), or inside a word longer than the line.
pub fn textwrap_lines(text: &str, width: usize) -> Vec<String> {
    crate::text::wrap(text, width, true)
}

/// [`textwrap_lines`], breaking at spaces (`words`) or anywhere, as a text field wraps.
fn wrap(text: &str, width: usize, words: bool) -> Vec<String> {
    crate::text::wrap(text, width, words)
}

/// Blank `area` for a popup or toast drawn over a pane. A wide character of the
/// pane whose first half lies just left of `area` would otherwise cover the
/// popup's left border (the terminal draws both halves), so it is blanked too.
pub fn clear(f: &mut Frame, area: Rect) {
    f.render_widget(Clear, area);
    let Some(x) = area.x.checked_sub(1) else { return };
    let buf = f.buffer_mut();
    for y in area.top()..area.bottom() {
        if let Some(c) = buf.cell_mut((x, y)) {
            if c.symbol().cell_width() > 1 {
                c.set_symbol(" ");
            }
        }
    }
}

/// Draw a text field. The focused one is the text area itself, scrolled to its edit
/// point, with the terminal cursor there (where an input method opens its candidate
/// window). The others show their text from the start, wrapped like the text area
/// wraps it, with `…` when there is more, and no cursor block. Either way no
/// control, bidi or zero-width character is drawn (a terminal without bracketed
/// paste delivers pasted text as keys, unfiltered).
pub fn render_field(f: &mut Frame, field: &Field, area: Rect, focused: bool) {
    if !focused {
        let (w, h) = (area.width as usize, area.height as usize);
        let text = field.text();
        let lines: Vec<Line> = if text.is_empty() {
            let style = field.area.placeholder_style().unwrap_or_default();
            vec![Line::styled(fit(field.area.placeholder_text(), w), style)]
        } else if field.wraps() {
            let mut lines = wrap(&text, w, false);
            if lines.len() > h {
                lines.truncate(h);
                if let Some(last) = lines.last_mut() {
                    *last = fit(&format!("{last}…"), w);
                }
            }
            lines.into_iter().map(Line::raw).collect()
        } else {
            vec![Line::raw(fit(&text, w))]
        };
        f.render_widget(Paragraph::new(lines).style(field.area.style()), area);
        return;
    }
    f.render_widget(&field.area, area);
    let buf = f.buffer_mut();
    let drawn = area.intersection(buf.area);
    for y in drawn.top()..drawn.bottom() {
        for x in drawn.left()..drawn.right() {
            let c = &mut buf[(x, y)];
            if c.symbol().chars().any(crate::sanitize::is_unsafe) {
                let kept: String = c
                    .symbol()
                    .chars()
                    .filter(|ch| !crate::sanitize::is_unsafe(*ch))
                    .collect();
                // Keep the cell's width: a sequence that falls apart becomes blank.
                let same = !kept.is_empty() && kept.cell_width() == c.symbol().cell_width();
                c.set_symbol(if same { &kept } else { " " });
            }
        }
    }
    if let Some(p) = field_cursor(field, area) {
        f.set_cursor_position(p);
    }
}

/// The edit point of a field drawn in `area`. A wrapped line that fills the width
/// exactly leaves it past the right edge: the next character goes to the next row.
fn field_cursor(field: &Field, area: Rect) -> Option<Position> {
    if let Some(p) = field.cursor_position(area) {
        return Some(p);
    }
    if !field.wraps() || area.width == 0 {
        return None;
    }
    let sc = field.area.screen_cursor();
    let row = sc.row.checked_sub(field.area.scroll_offset().0 as usize)?;
    if sc.col != area.width as usize || row >= area.height as usize {
        return None;
    }
    Some(if row + 1 < area.height as usize {
        Position::new(area.x, area.y + row as u16 + 1)
    } else {
        Position::new(area.x + area.width - 1, area.y + row as u16)
    })
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
