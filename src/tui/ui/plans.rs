//! The plans pane: list (newest first) and the open plan's detail.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::super::state::State;
use super::theme::Theme;
use super::{columns, fit, row, text_width, textwrap_lines, Col};
use crate::i18n::t;
use crate::model::{fmt_time, ChangeClass, NoticeLanguage, Plan, PlanStatus, Window};

pub fn render(f: &mut Frame, area: Rect, s: &State) {
    let selected = crate::tui::update::plans::selected(s);
    // The emergency changes only (`E`): a line says so.
    let area = if s.plans.emergency_only {
        let th = Theme::of(s);
        let [line, rest] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
        let text = t(
            "tui.plans.emergency_banner",
            &[("n", s.plans.visible.len().to_string())],
        );
        f.render_widget(
            Paragraph::new(Span::styled(fit(&text, line.width as usize), th.warn())),
            line,
        );
        rest
    } else {
        area
    };
    // A filter line while one is typed or set.
    let area = if s.plans.filtering || !s.plans.filter.text().is_empty() {
        let th = Theme::of(s);
        let [line, rest] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
        f.render_widget(Paragraph::new(Span::styled("/ ", th.dim())), Rect { width: 2, ..line });
        let input = Rect {
            x: line.x + 2,
            width: line.width.saturating_sub(2),
            ..line
        };
        super::render_field(f, &s.plans.filter, input, s.plans.filtering && s.popups.is_empty());
        rest
    } else {
        area
    };
    let (list, detail) = match selected {
        Some(_) => {
            let [a, b] = Layout::vertical([Constraint::Percentage(35), Constraint::Percentage(65)]).areas(area);
            (a, Some(b))
        }
        None => (area, None),
    };
    render_list(f, list, s);
    if let (Some(area), Some(sel)) = (detail, selected) {
        // Only the selected plan: another one's detail is never shown beside it.
        match s.plans.detail.as_ref().filter(|p| p.id == sel.id) {
            Some(p) => render_detail(f, area, s, p),
            None => super::loading_detail(f, area, s, sel.id),
        }
    }
}

fn render_list(f: &mut Frame, area: Rect, s: &State) {
    let th = Theme::of(s);
    let head = [
        t("cli.col.id", &[]),
        t("cli.col.status", &[]),
        t("cli.col.system", &[]),
        t("cli.col.version", &[]),
        t("cli.col.window", &[]),
        t("cli.col.title", &[]),
    ];
    // On a narrow screen the version goes first, then the system, then the window.
    let cols = [
        Col::new(14, 0),
        Col::fitting(
            PlanStatus::ALL.iter().map(|x| x.label()).chain([head[1].clone()]),
            18,
            0,
        ),
        Col::new(12, 2),
        Col::new(18, 3),
        Col::new(16, 1),
    ];
    let widths = columns(area.width as usize, &cols, 16);
    let mut lines = vec![Line::styled(row(&head, &widths), th.heading())];
    let height = area.height.saturating_sub(1) as usize;
    s.page.set(height.max(1));
    let off = s.plans.cursor.visible_offset(height);
    for (i, p) in s
        .plans
        .visible
        .iter()
        .map(|&i| &s.plans.all[i])
        .enumerate()
        .skip(off)
        .take(height)
    {
        let cells = [
            p.id.to_string(),
            p.status.label(),
            s.system_name(Some(p.system)),
            format!("{}→{}", p.version_from, p.version_to),
            p.window.as_ref().map(|w| fmt_time(w.start)).unwrap_or_default(),
            class_tag(p.class, &p.title),
        ];
        let text = row(&cells, &widths);
        lines.push(if i == s.plans.cursor.selected {
            super::selected_row(text, widths[0].unwrap_or(0), th.selected())
        } else {
            Line::raw(text)
        });
    }
    if s.plans.visible.is_empty() {
        lines.push(Line::styled(
            format!(
                "  {}",
                if s.loading {
                    t("tui.loading", &[])
                } else {
                    t("tui.plans.empty", &[])
                }
            ),
            th.dim(),
        ));
    }
    f.render_widget(Paragraph::new(lines), area);
}

/// A plan's title in a list, its class in front unless it is a normal change
/// (`【紧急】…`), so the class shows at every width.
pub fn class_tag(class: ChangeClass, title: &str) -> String {
    match class {
        ChangeClass::Normal => title.to_string(),
        c => format!("{}{title}", t(&format!("tui.class_tag.{}", c.as_str()), &[])),
    }
}

fn render_detail(f: &mut Frame, area: Rect, s: &State, p: &Plan) {
    let th = Theme::of(s);
    let title = format!(" {} {} · {} ", p.id, fit(&p.title, 40), p.status.label());
    let block = super::detail_block(s, &title, s.focus == crate::tui::state::Focus::Detail);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let w = inner.width as usize;
    let mut lines: Vec<Line> = Vec::new();
    let kv = |lines: &mut Vec<Line>, k: String, v: &str| {
        let label = format!("{}: ", k);
        let lw = text_width(&label);
        let mut first = true;
        for l in textwrap_lines(v, w.saturating_sub(lw).max(10)) {
            let head = if first {
                Span::styled(label.clone(), th.dim())
            } else {
                Span::raw(" ".repeat(lw))
            };
            lines.push(Line::from(vec![head, Span::raw(l)]));
            first = false;
        }
    };
    kv(
        &mut lines,
        t("cli.col.system", &[]),
        &format!(
            "{} {} → {}",
            s.system_name(Some(p.system)),
            p.version_from,
            p.version_to
        ),
    );
    kv(&mut lines, t("cli.col.class", &[]), &p.class.label());
    if !p.emergency_reason.trim().is_empty() {
        kv(
            &mut lines,
            t("enum.PlanField.emergency_reason", &[]),
            &p.emergency_reason,
        );
    }
    if let Some(x) = &p.template {
        kv(
            &mut lines,
            t("record.field.template", &[]),
            &t(
                "tui.plans.template",
                &[
                    ("id", x.id.to_string()),
                    ("title", x.title.clone()),
                    ("expires", x.expires.to_string()),
                ],
            ),
        );
    }
    kv(
        &mut lines,
        t("cli.col.window", &[]),
        &p.window
            .as_ref()
            .map(|x| format!("{} — {}", fmt_time(x.start), fmt_time(x.end)))
            .unwrap_or_default(),
    );
    if let Some(o) = &p.blackout_override {
        kv(&mut lines, t("cli.col.override", &[]), o);
    }
    for o in &p.blackout_overrides {
        kv(
            &mut lines,
            t("cli.col.override", &[]),
            &format!("「{}」{}", o.period, o.reason),
        );
    }
    for (key, text) in p.text_sections() {
        kv(&mut lines, t(key, &[]), text);
    }
    for (i, st) in p.staff.iter().enumerate() {
        kv(
            &mut lines,
            format!("{} {}", t("enum.PlanField.staff", &[]), i + 1),
            &format!("{} · {} · {}", st.person, st.role, st.duty),
        );
    }
    for (i, r) in p.risks.iter().enumerate() {
        kv(
            &mut lines,
            format!("{} {}", t("cli.col.risk", &[]), i + 1),
            &format!(
                "{} ({}/{}) → {}",
                r.description,
                r.likelihood.label(),
                r.impact.label(),
                r.mitigation
            ),
        );
    }
    // The linked requests, with their titles as the queue knows them.
    for id in &p.requests {
        let title = s
            .queue
            .all
            .iter()
            .find(|r| r.id == *id)
            .map(|r| r.title.clone())
            .unwrap_or_default();
        kv(
            &mut lines,
            t("cli.col.requests", &[]),
            format!("{id} {title}").trim_end(),
        );
    }
    for a in &p.approvals {
        kv(
            &mut lines,
            t("cli.section.approvals", &[]),
            &format!(
                "{} {} {} {}",
                fmt_time(a.time),
                a.approver,
                a.decision.label(),
                a.comment
            ),
        );
    }
    for c in &p.window_history {
        let how = t(
            if c.rescheduled {
                "record.value.rescheduled"
            } else {
                "record.value.edited_after_return"
            },
            &[],
        );
        let w = |w: Option<&Window>| w.map(crate::workflow::fmt_window).unwrap_or_default();
        kv(
            &mut lines,
            t("record.section.window_history", &[]),
            &format!(
                "{} {} {how}: {} → {} {}",
                fmt_time(c.at),
                c.by,
                w(c.from.as_ref()),
                w(c.to.as_ref()),
                c.reason
            ),
        );
    }
    let m = &p.milestones;
    if let Some(ts) = m.test_start {
        kv(&mut lines, t("field.milestone.test_start", &[]), &fmt_time(ts));
    }
    if let Some(g) = &m.golive {
        kv(
            &mut lines,
            t("record.field.golive_fixed", &[]),
            &format!("{} ({} · {})", fmt_time(g.time), g.by, fmt_time(g.at)),
        );
    }
    for tr in &m.training {
        let detail = [tr.place.as_str(), tr.audience.as_str()]
            .into_iter()
            .filter(|x| !x.trim().is_empty())
            .collect::<Vec<_>>()
            .join(" · ");
        kv(
            &mut lines,
            t("record.field.training_planned", &[]),
            &format!("{} {} {detail}", tr.date, tr.format.label()),
        );
    }
    let written = p.notice_info.fields().iter().any(|(_, v)| !v.trim().is_empty());
    if written || p.notice_language != NoticeLanguage::default() {
        kv(
            &mut lines,
            t("record.field.notice_language", &[]),
            &p.notice_language.label(),
        );
    }
    for (field, value) in p.notice_info.fields() {
        if !value.trim().is_empty() {
            kv(&mut lines, field.label(), value);
        }
    }
    if let Some(d) = &p.notice_draft {
        let stale = d.window != p.window;
        let label = t(
            if stale {
                "tui.plans.notice_draft_stale"
            } else {
                "tui.plans.notice_draft"
            },
            &[],
        );
        kv(&mut lines, label, &format!("{} · {}", d.by, fmt_time(d.at)));
    }
    for x in p.all_publications() {
        kv(
            &mut lines,
            x.kind.label(),
            &format!(
                "{} · {} · {}{}",
                fmt_time(x.published_at),
                x.published_by,
                x.audience,
                x.window
                    .as_ref()
                    .map(|w| format!(" · {}", crate::workflow::fmt_window(w)))
                    .unwrap_or_default()
            ),
        );
    }
    // After go-live (§3.4, §2.3, §4.3).
    for i in &p.incidents {
        kv(
            &mut lines,
            i.outcome.label(),
            &format!("{} · {} · {}", fmt_time(i.time), i.by, i.what),
        );
    }
    if let Some(x) = &p.failure {
        kv(
            &mut lines,
            t("record.field.failure_reason", &[]),
            &format!("{} · {} · {}", fmt_time(x.time), x.by, x.reason),
        );
    }
    if !p.feedback.is_empty() {
        kv(
            &mut lines,
            t("record.field.feedback", &[]),
            &p.feedback.iter().map(|r| r.to_string()).collect::<Vec<_>>().join(" "),
        );
    }
    for r in &p.reviews {
        let verdicts = crate::i18n::list(r.goals.iter().map(|g| g.verdict.label()));
        kv(
            &mut lines,
            t("record.field.review", &[]),
            &format!("{} · {} · {verdicts} · {}", fmt_time(r.time), r.by, r.summary),
        );
    }
    let gates = s
        .plans
        .detail_gates
        .as_ref()
        .filter(|_| s.plans.detail.as_ref().is_some_and(|d| d.id == p.id));
    if let Some(r) = gates.and_then(|g| g.review.as_ref()) {
        let style = match r {
            crate::workflow::ReviewState::Overdue { .. } => th.warn(),
            _ => th.dim(),
        };
        let line = format!("{}: {}", t("record.field.review", &[]), r.message());
        for l in textwrap_lines(&line, w) {
            lines.push(Line::styled(l, style));
        }
    }
    for c in gates.map(|g| g.calendar.as_slice()).unwrap_or_default() {
        for l in textwrap_lines(&c.message(), w) {
            lines.push(Line::styled(l, th.warn()));
        }
    }
    if p.status == PlanStatus::Draft || p.status == PlanStatus::Returned {
        let missing = gates.map(|g| g.submit.clone()).unwrap_or_default();
        if !missing.is_empty() {
            let names = crate::i18n::list(missing.iter().map(|m| m.label()));
            for l in textwrap_lines(&t("tui.plans.missing", &[("fields", names)]), w) {
                lines.push(Line::styled(l, th.warn()));
            }
        }
        // What submitting will warn about (no request linked), as the core says.
        for warning in gates.map(|g| g.warnings.as_slice()).unwrap_or_default() {
            for l in textwrap_lines(&warning.message(p.id), w) {
                lines.push(Line::styled(l, th.warn()));
            }
        }
    }
    // The files attached to the plan (issue 18 §1).
    lines.extend(super::sections::attachment_lines(s, p.id, w, &th));
    let first = s.plans.detail_scroll.first(lines.len(), inner.height as usize);
    let lines: Vec<Line> = lines.into_iter().skip(first).collect();
    f.render_widget(Paragraph::new(lines), inner);
}
