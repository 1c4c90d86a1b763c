//! The reports pane (评估报告): the periodic evaluation of a period, computed by
//! the worker; the period is typed (`2026-09-01 2026-11-30`, `90d`, `2026-10`,
//! `month`, …) or shifted by its own length with `[` and `]`; the shown report
//! exports as Markdown.

use chrono::{Datelike, Duration, Local, Months, NaiveDate};

use super::super::action::Action;
use super::super::input::Field;
use super::super::state::*;
use super::super::worker::Job;
use super::Effect;
use crate::i18n::t;

/// Ask the worker for the report of the current period.
pub fn load(s: &mut State, fx: &mut Vec<Effect>) {
    s.reports.loading = true;
    fx.push(Effect::Job(Job::Evaluation {
        from: s.reports.from,
        to: s.reports.to,
    }));
}

/// A report came back: shown if it is of the period asked for last (older answers are dropped).
pub fn loaded(s: &mut State, r: crate::report::Report) {
    if (r.from, r.to) != (s.reports.from, s.reports.to) {
        return;
    }
    let same = s.reports.report.as_ref().map(|x| (x.from, x.to)) == Some((r.from, r.to));
    if !same {
        s.reports.scroll = Default::default();
    }
    s.reports.loading = false;
    s.reports.report = Some(r);
}

fn set_period(s: &mut State, (from, to): (NaiveDate, NaiveDate), fx: &mut Vec<Effect>) {
    s.reports.from = from;
    s.reports.to = to;
    load(s, fx);
}

fn last_of_month(d: NaiveDate) -> NaiveDate {
    let first = d.with_day(1).unwrap_or(d);
    first
        .checked_add_months(Months::new(1))
        .and_then(|n| n.pred_opt())
        .unwrap_or(d)
}

/// Whole calendar months, from the first day of one to the last day of another: how many.
fn whole_months(from: NaiveDate, to: NaiveDate) -> Option<u32> {
    if from.day() != 1 || to != last_of_month(to) || to < from {
        return None;
    }
    let n = (to.year() - from.year()) * 12 + to.month() as i32 - from.month() as i32 + 1;
    u32::try_from(n).ok()
}

/// The period before (`dir < 0`) or after `from..=to`, of the same length: whole
/// months shift by months (October → September), any other period by its days.
pub fn shift(from: NaiveDate, to: NaiveDate, dir: i32) -> (NaiveDate, NaiveDate) {
    if let Some(n) = whole_months(from, to) {
        let m = Months::new(n);
        let f = if dir < 0 {
            from.checked_sub_months(m)
        } else {
            from.checked_add_months(m)
        };
        if let Some(f) = f {
            let end = f.checked_add_months(m).and_then(|d| d.pred_opt());
            if let Some(end) = end {
                return (f, end);
            }
        }
    }
    let days = (to - from).num_days() + 1;
    let d = Duration::days(if dir < 0 { -days } else { days });
    match (from.checked_add_signed(d), to.checked_add_signed(d)) {
        (Some(f), Some(t)) => (f, t),
        _ => (from, to),
    }
}

/// A period as typed: `FROM TO` (also `FROM..TO`, `FROM~TO`), `90d` (ending
/// `today`), `YYYY-MM`, `YYYY`, `month`/`本月`, `last-month`/`上月`, `year`/`今年`.
pub fn parse_period(text: &str, today: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
    let text = text.trim();
    let date = |s: &str| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok();
    let month_of = |d: NaiveDate| {
        let first = d.with_day(1)?;
        Some((first, last_of_month(first)))
    };
    match text {
        "month" | "本月" => return month_of(today),
        "last-month" | "上月" => return month_of(today.with_day(1)?.pred_opt()?),
        "year" | "今年" => return Some((today.with_ordinal(1)?, NaiveDate::from_ymd_opt(today.year(), 12, 31)?)),
        _ => {}
    }
    if let Some(n) = text
        .strip_suffix('d')
        .or_else(|| text.strip_suffix('天'))
        .and_then(|n| n.trim().parse::<i64>().ok())
    {
        return (1..=36_600)
            .contains(&n)
            .then(|| (today - Duration::days(n - 1), today));
    }
    let parts: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || c == '~' || c == '～' || c == '—' || c == ',' || c == '，')
        .flat_map(|p| p.split(".."))
        .filter(|p| !p.is_empty())
        .collect();
    match parts.as_slice() {
        [a, b] => {
            let (f, t) = (date(a)?, date(b)?);
            (f <= t).then_some((f, t))
        }
        [one] => {
            if let Some(d) = date(one) {
                return Some((d, d));
            }
            if let Some(d) = date(&format!("{one}-01")) {
                return month_of(d);
            }
            let y: i32 = one.parse().ok().filter(|y| (1900..=9999).contains(y))?;
            Some((NaiveDate::from_ymd_opt(y, 1, 1)?, NaiveDate::from_ymd_opt(y, 12, 31)?))
        }
        _ => None,
    }
}

/// The period prompt's Enter: a bad period keeps the prompt open with what is expected.
pub fn period(s: &mut State, text: &str, fx: &mut Vec<Effect>) -> Result<(), String> {
    let today = Local::now().date_naive();
    let Some(p) = parse_period(text, today) else {
        return Err(crate::Error::input(
            &t("tui.report.period_field", &[]),
            text,
            "YYYY-MM-DD YYYY-MM-DD, 90d, YYYY-MM, YYYY, month, last-month, year",
        )
        .message());
    };
    set_period(s, p, fx);
    Ok(())
}

pub fn action(s: &mut State, a: Action, fx: &mut Vec<Effect>) {
    match a {
        Action::ReportPeriod => {
            let initial = format!("{} {}", s.reports.from, s.reports.to);
            s.popups.push(Popup::Prompt {
                purpose: PromptFor::ReportPeriod,
                label: t("tui.prompt.report_period", &[]),
                input: Field::new(&initial, false),
            });
        }
        Action::ReportPrevPeriod => {
            let p = shift(s.reports.from, s.reports.to, -1);
            set_period(s, p, fx);
        }
        Action::ReportNextPeriod => {
            let p = shift(s.reports.from, s.reports.to, 1);
            set_period(s, p, fx);
        }
        Action::ReportExport => {
            let Some(r) = s
                .reports
                .report
                .as_ref()
                .filter(|r| (r.from, r.to) == (s.reports.from, s.reports.to))
            else {
                return s.toast(t("tui.report.not_loaded", &[]), true);
            };
            fx.push(Effect::Write {
                path: super::queue::export_path(s, &format!("REPORT-{}-{}.md", r.from, r.to)),
                text: r.markdown(),
            });
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn shifting_by_days_keeps_the_length() {
        // 90 days ending 2026-11-29.
        let (f, t) = (d("2026-09-01"), d("2026-11-29"));
        assert_eq!(shift(f, t, -1), (d("2026-06-03"), d("2026-08-31")));
        assert_eq!(shift(f, t, 1), (d("2026-11-30"), d("2027-02-27")));
        assert_eq!(shift(shift(f, t, -1).0, shift(f, t, -1).1, 1), (f, t));
        // One day.
        assert_eq!(
            shift(d("2026-03-01"), d("2026-03-01"), -1),
            (d("2026-02-28"), d("2026-02-28"))
        );
    }

    #[test]
    fn whole_months_shift_by_months() {
        assert_eq!(
            shift(d("2026-10-01"), d("2026-10-31"), -1),
            (d("2026-09-01"), d("2026-09-30"))
        );
        assert_eq!(
            shift(d("2026-01-01"), d("2026-01-31"), 1),
            (d("2026-02-01"), d("2026-02-28"))
        );
        // A quarter, and a year across a leap day.
        assert_eq!(
            shift(d("2026-09-01"), d("2026-11-30"), 1),
            (d("2026-12-01"), d("2027-02-28"))
        );
        assert_eq!(
            shift(d("2027-01-01"), d("2027-12-31"), 1),
            (d("2028-01-01"), d("2028-12-31"))
        );
    }

    #[test]
    fn periods_as_typed() {
        let today = d("2026-11-29");
        let p = |s| parse_period(s, today);
        assert_eq!(p("2026-09-01 2026-11-30"), Some((d("2026-09-01"), d("2026-11-30"))));
        assert_eq!(p(" 2026-09-01..2026-11-30 "), Some((d("2026-09-01"), d("2026-11-30"))));
        assert_eq!(p("2026-09-01 ~ 2026-11-30"), Some((d("2026-09-01"), d("2026-11-30"))));
        assert_eq!(p("90d"), Some((d("2026-09-01"), today)));
        assert_eq!(p("30天"), Some((d("2026-10-31"), today)));
        assert_eq!(p("2026-02"), Some((d("2026-02-01"), d("2026-02-28"))));
        assert_eq!(p("2026"), Some((d("2026-01-01"), d("2026-12-31"))));
        assert_eq!(p("本月"), Some((d("2026-11-01"), d("2026-11-30"))));
        assert_eq!(p("last-month"), Some((d("2026-10-01"), d("2026-10-31"))));
        assert_eq!(p("year"), Some((d("2026-01-01"), d("2026-12-31"))));
        assert_eq!(p("2026-11-30 2026-09-01"), None);
        assert_eq!(p("0d"), None);
        assert_eq!(p("soon"), None);
        assert_eq!(p(""), None);
    }

    #[test]
    fn keys_shift_the_period_and_ask_for_its_report() {
        let (keymap, _) = super::super::super::keymap::Keymap::load(None);
        let mut s = State::new("u".into(), vec![], "here".into(), keymap, vec![]);
        s.reports.from = d("2026-10-01");
        s.reports.to = d("2026-10-31");
        let fx = super::super::update(
            &mut s,
            super::super::super::Msg::Input(crossterm::event::Event::Key(crossterm::event::KeyEvent::from(
                crossterm::event::KeyCode::Char('5'),
            ))),
        );
        assert_eq!(s.pane, super::super::super::action::Pane::Reports);
        assert!(matches!(fx.as_slice(), [Effect::Job(Job::Evaluation { .. })]));
        let mut fx = Vec::new();
        super::super::action(&mut s, Action::ReportPrevPeriod, &mut fx);
        assert_eq!((s.reports.from, s.reports.to), (d("2026-09-01"), d("2026-09-30")));
        assert!(
            matches!(fx.as_slice(), [Effect::Job(Job::Evaluation { from, to })] if (*from, *to) == (d("2026-09-01"), d("2026-09-30")))
        );
        assert!(s.reports.loading);
        // The October report arriving late is dropped; September's is kept.
        let r = |from, to| crate::report::evaluate(&Default::default(), from, to);
        loaded(&mut s, r(d("2026-10-01"), d("2026-10-31")));
        assert!(s.reports.report.is_none() && s.reports.loading);
        loaded(&mut s, r(d("2026-09-01"), d("2026-09-30")));
        assert!(s.reports.report.is_some() && !s.reports.loading);
        // Exported under its period's name.
        let mut fx = Vec::new();
        super::super::action(&mut s, Action::ReportExport, &mut fx);
        assert!(
            matches!(fx.as_slice(), [Effect::Write { path, .. }] if path.is_absolute() && path.file_name().and_then(|n| n.to_str()) == Some("REPORT-2026-09-01-2026-09-30.md"))
        );
    }
}
