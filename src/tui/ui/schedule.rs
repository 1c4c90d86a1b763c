//! The schedule pane: the conflicts first, each as the core words it; then
//! week by week, the blackout periods that touch the week and the windows
//! that start in it, a window some conflict concerns marked `!` and
//! highlighted. The selected window stays in view.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::super::state::State;
use super::theme::Theme;
use super::{cell, fit, text_width};
use crate::i18n::t;
use crate::model::{Id, Window};

pub fn render(f: &mut Frame, area: Rect, s: &State) {
    let th = Theme::of(s);
    let w = area.width as usize;
    let sch = crate::tui::update::schedule::compute(s);
    let name = |i: Id| s.system_name(Some(i));
    let mut lines: Vec<Line<'static>> = Vec::new();
    let mut selected_line = 0usize;
    lines.push(Line::styled(
        fit(
            &format!(
                " {}",
                t(
                    "schedule.title",
                    &[("from", sch.from.to_string()), ("to", sch.to.to_string())]
                )
            ),
            w,
        ),
        th.heading(),
    ));
    lines.push(Line::styled(
        fit(
            &format!(
                " {}",
                t("schedule.conflicts", &[("n", sch.conflicts.len().to_string())])
            ),
            w,
        ),
        th.heading(),
    ));
    if sch.conflicts.is_empty() {
        lines.push(Line::styled(
            fit(&format!("   {}", t("schedule.no_conflicts", &[])), w),
            th.dim(),
        ));
    }
    for c in &sch.conflicts {
        let text = format!(
            "   ! {}: {}",
            c.kind.label(),
            crate::sanitize::clean_line(&c.message(name))
        );
        // Long sentences wrap to the width, continued under the text.
        for (i, part) in wrap(&text, w.saturating_sub(1)).into_iter().enumerate() {
            let part = if i == 0 { part } else { format!("     {part}") };
            lines.push(Line::styled(fit(&part, w), th.error()));
        }
    }
    lines.push(Line::raw(""));
    // Columns: mark, window (start – end), plan, system, version, title.
    let win_w = 25;
    let sys_w = s
        .systems
        .iter()
        .map(|x| text_width(&x.name))
        .max()
        .unwrap_or(8)
        .clamp(8, if w >= 110 { 16 } else { 10 });
    let mut k = 0usize;
    for week in &sch.weeks {
        let sunday = week.monday + chrono::Duration::days(6);
        lines.push(Line::styled(
            fit(
                &format!(
                    " {}",
                    t(
                        "schedule.week",
                        &[("monday", week.monday.to_string()), ("sunday", sunday.to_string())]
                    )
                ),
                w,
            ),
            th.dim(),
        ));
        for b in &week.blackouts {
            let kind = if b.hard {
                t("schedule.hard", &[])
            } else {
                t("schedule.soft", &[])
            };
            lines.push(Line::styled(
                fit(
                    &format!(
                        "   {} {} {}..{} ({kind})",
                        t("schedule.blackout_mark", &[]),
                        crate::sanitize::clean_line(&b.name),
                        b.start,
                        b.end
                    ),
                    w,
                ),
                th.warn(),
            ));
        }
        if week.slots.is_empty() {
            lines.push(Line::styled(
                fit(&format!("   {}", t("schedule.no_windows", &[])), w),
                th.dim(),
            ));
        }
        for x in &week.slots {
            let window = short_window(&x.window);
            let text = format!(
                " {} {} {} {} {} {}",
                if x.conflict { "!" } else { " " },
                cell(&window, win_w),
                cell(&x.plan.to_string(), 14),
                cell(&crate::sanitize::clean_line(&name(x.system)), sys_w),
                cell(&crate::sanitize::clean_line(&x.version_to), 10),
                crate::sanitize::clean_line(&x.title),
            );
            let text = fit(&text, w);
            if k == s.schedule.cursor.selected {
                selected_line = lines.len();
                lines.push(Line::from(Span::styled(text, th.selected())));
            } else if x.conflict {
                lines.push(Line::styled(text, th.error()));
            } else {
                lines.push(Line::raw(text));
            }
            k += 1;
        }
    }
    let height = area.height as usize;
    s.page.set(height.max(1));
    // Keep the selected window in view.
    let first = if selected_line >= height {
        (selected_line + 1 - height).min(lines.len().saturating_sub(height))
    } else {
        0
    };
    let shown: Vec<Line> = lines.into_iter().skip(first).take(height).collect();
    f.render_widget(Paragraph::new(shown), area);
}

/// `12-08 22:00 – 12-09 06:00`, or `12-08 20:00 – 23:00` within a day: the
/// week heading gives the year.
fn short_window(w: &Window) -> String {
    let (a, b) = (
        w.start.with_timezone(&chrono::Local),
        w.end.with_timezone(&chrono::Local),
    );
    let end = if a.date_naive() == b.date_naive() {
        b.format("%H:%M")
    } else {
        b.format("%m-%d %H:%M")
    };
    format!("{} – {end}", a.format("%m-%d %H:%M"))
}

/// The text in pieces of at most `w` columns (whole characters).
fn wrap(text: &str, w: usize) -> Vec<String> {
    let w = w.max(8);
    let mut out = Vec::new();
    let mut line = String::new();
    for ch in text.chars() {
        let cw = unicode_width::UnicodeWidthChar::width(ch).unwrap_or(0);
        if text_width(&line) + cw > w && !line.is_empty() {
            out.push(std::mem::take(&mut line));
        }
        line.push(ch);
    }
    if !line.is_empty() {
        out.push(line);
    }
    out
}
