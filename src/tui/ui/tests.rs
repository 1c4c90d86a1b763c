//! The tests pane: the plan's latest round grouped by category with a progress
//! gauge per category, and the go-live checklist.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::super::action::{Action, Pane};
use super::super::state::State;
use super::super::update::tests::{rows, Row};
use super::theme::Theme;
use super::{cell, fit, text_width};
use crate::i18n::t;
use crate::model::*;

pub fn render(f: &mut Frame, area: Rect, s: &State) {
    let th = Theme::of(s);
    let Some(p) = &s.tests.plan else {
        let msg = t("tui.tests.no_plan", &[]);
        f.render_widget(Paragraph::new(Span::styled(format!("  {msg}"), th.dim())), area);
        return;
    };
    let gate = s.tests.gates.as_ref().map(|g| g.golive.clone()).unwrap_or_default();
    let gate_h = (gate.len() as u16 + 2).min(area.height / 3).max(3);
    let [head, list, checklist] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(1), Constraint::Length(gate_h)]).areas(area);
    let round = p.rounds.last();
    let header = format!(
        " {} {} · {} · {}",
        p.id,
        fit(&p.title, 36),
        p.status.label(),
        round
            .map(|r| t(
                "tui.tests.round",
                &[("no", r.no.to_string()), ("of", p.rounds.len().to_string())]
            ))
            .unwrap_or_else(|| t("tui.tests.no_rounds", &[]))
    );
    f.render_widget(
        Paragraph::new(Span::styled(fit(&header, head.width as usize), th.heading())),
        head,
    );
    let w = list.width as usize;
    let height = list.height as usize;
    s.page.set(height.max(1));
    let off = s.tests.cursor.visible_offset(height);
    // Columns as wide as the longest label in this language.
    let label_w = |labels: Vec<String>, max: usize| labels.iter().map(|l| text_width(l)).max().unwrap_or(1).min(max);
    let cat_w = label_w(TestCategory::ALL.iter().map(|c| c.label()).collect(), 16);
    let res_w = label_w(TestResult::ALL.iter().map(|r| r.label()).collect(), 10);
    let tester_w = 10;
    // `  [✓] #12   ` (12 columns), then result, tester and the description.
    let desc_w = w.saturating_sub(12 + res_w + 1 + tester_w + 1);
    let mut lines = Vec::new();
    for (i, row) in rows(s).iter().enumerate().skip(off).take(height) {
        let selected = i == s.tests.cursor.selected;
        let line = match row {
            Row::Category(c) => {
                let items: Vec<&TestItem> = round
                    .map(|r| r.items.iter().filter(|x| x.category == *c).collect())
                    .unwrap_or_default();
                let done = items
                    .iter()
                    .filter(|x| matches!(x.result, TestResult::Pass | TestResult::Waived))
                    .count();
                let bar_w = 20usize;
                let filled = if items.is_empty() {
                    0
                } else {
                    done * bar_w / items.len()
                };
                let (full, empty) = if s.theme.ascii { ('#', '.') } else { ('█', '░') };
                let bar: String = std::iter::repeat_n(full, filled)
                    .chain(std::iter::repeat_n(empty, bar_w - filled))
                    .collect();
                Line::styled(
                    fit(&format!("{} {bar} {done}/{}", cell(&c.label(), cat_w), items.len()), w),
                    th.heading(),
                )
            }
            Row::Item(no) => {
                let Some(it) = round.and_then(|r| r.items.iter().find(|x| x.no == *no)) else {
                    continue;
                };
                let mark = match it.result {
                    TestResult::Pass => "✓",
                    TestResult::Fail => "✗",
                    TestResult::Blocked => "!",
                    TestResult::Waived => "~",
                    TestResult::Pending => " ",
                };
                let mark = if s.theme.ascii {
                    match it.result {
                        TestResult::Pass => "v",
                        TestResult::Fail => "x",
                        _ => mark,
                    }
                } else {
                    mark
                };
                let text = format!(
                    "  [{mark}] #{:<4} {} {} {}",
                    it.no,
                    cell(&it.result.label(), res_w),
                    cell(&it.tester.name, tester_w),
                    fit(&format!("{} → {}", it.description, it.expected), desc_w)
                );
                let style = if selected {
                    th.selected()
                } else if it.result == TestResult::Fail {
                    th.error()
                } else {
                    ratatui::style::Style::default()
                };
                Line::styled(text, style)
            }
        };
        lines.push(if selected && matches!(row, Row::Category(_)) {
            line.style(th.selected())
        } else {
            line
        });
    }
    if lines.is_empty() {
        // What to do next, as the core offers it: start a round, add an item, or why not.
        let offers = s.tests.gates.as_ref().map(|g| &g.offers);
        let (step, action, key) = if round.is_none() {
            ("test.round", Action::TestNewRound, "tui.tests.no_round")
        } else {
            ("test.item", Action::TestAddItem, "tui.tests.empty")
        };
        let k = s
            .keymap
            .keys_for(Pane::Tests, action)
            .first()
            .cloned()
            .unwrap_or_default();
        let msg = match offers.and_then(|o| o.refusal(step)) {
            Some(why) => why.message(),
            None => t(key, &[("key", k)]),
        };
        for l in super::textwrap_lines(&msg, w.saturating_sub(2)) {
            lines.push(Line::styled(format!("  {l}"), th.dim()));
        }
    }
    f.render_widget(Paragraph::new(lines), list);
    let title = format!(" {} ", t("cli.section.golive_gate", &[]));
    let block = th.block(&title);
    let inner = block.inner(checklist);
    f.render_widget(block, checklist);
    let mut items: Vec<Line> = gate
        .iter()
        .map(|m| Line::styled(fit(&format!("✗ {}", m.message()), inner.width as usize), th.warn()))
        .collect();
    if items.is_empty() {
        // Ready only when the core would record a go-live now; otherwise its reason.
        let refusal = s.tests.gates.as_ref().and_then(|g| g.offers.refusal("golive.record"));
        items.push(match refusal {
            None => Line::styled(format!("✓ {}", t("cli.golive_ready", &[])), th.ok()),
            Some(why) => Line::styled(fit(&format!("· {}", why.message()), inner.width as usize), th.dim()),
        });
    }
    f.render_widget(Paragraph::new(items), inner);
}
