//! `beian schedule`: the forward schedule of maintenance windows by week, with
//! the blackout periods and the conflicts (§3.2), as `workflow::forward`
//! computes them.

use clap::Args;

use super::output::{self, Table};
use super::Ctx;
use crate::error::{Error, Result};
use crate::i18n::t;
use crate::model::*;
use crate::service::PlanFilter;
use crate::workflow::forward;

#[derive(Args, Debug)]
pub struct ScheduleArgs {
    /// How many weeks, from the current week's Monday (1–52)
    #[arg(long, default_value_t = 6)]
    weeks: u32,
}

/// The schedule of the open plans for the coming weeks, as of `today`.
pub fn load(ctx: &Ctx, today: chrono::NaiveDate, weeks: u32) -> Result<(forward::Schedule, Vec<System>)> {
    let s = ctx.backend.as_ref();
    let plans = s.plans(&PlanFilter::default())?;
    let systems = s.systems()?;
    let calendar = s.calendar()?;
    Ok((
        forward::schedule(&plans, &forward::deps(&systems), &calendar, today, weeks),
        systems,
    ))
}

pub fn run(ctx: &Ctx, a: &ScheduleArgs) -> Result<()> {
    if !(1..=52).contains(&a.weeks) {
        return Err(Error::input("--weeks", &a.weeks.to_string(), "1–52"));
    }
    let today = chrono::Local::now().date_naive();
    let (sch, systems) = load(ctx, today, a.weeks)?;
    if ctx.json {
        output::json(&sch);
        return Ok(());
    }
    let name = |i: Id| {
        systems
            .iter()
            .find(|x| x.id == i)
            .map_or_else(|| i.to_string(), |x| x.name.clone())
    };
    println!(
        "{}",
        t(
            "schedule.title",
            &[("from", sch.from.to_string()), ("to", sch.to.to_string())]
        )
    );
    for w in &sch.weeks {
        output::heading(&t(
            "schedule.week",
            &[
                ("monday", w.monday.to_string()),
                ("sunday", (w.monday + chrono::Duration::days(6)).to_string()),
            ],
        ));
        for b in &w.blackouts {
            println!(
                "  {} {} {}..{} ({})",
                t("schedule.blackout_mark", &[]),
                crate::sanitize::clean_line(&b.name),
                b.start,
                b.end,
                if b.hard {
                    t("schedule.hard", &[])
                } else {
                    t("schedule.soft", &[])
                }
            );
        }
        if w.slots.is_empty() {
            println!("  {}", t("schedule.no_windows", &[]));
            continue;
        }
        let mut tb = Table::new(&[
            String::new(),
            t("cli.col.window", &[]),
            t("cli.col.id", &[]),
            t("cli.col.status", &[]),
            t("cli.col.system", &[]),
            t("cli.col.version", &[]),
            t("cli.col.title", &[]),
        ]);
        for x in &w.slots {
            tb.row(vec![
                if x.conflict { "!".into() } else { " ".into() },
                format!("{} – {}", fmt_time(x.window.start), fmt_time(x.window.end)),
                x.plan.to_string(),
                x.status.label(),
                name(x.system),
                x.version_to.clone(),
                x.title.clone(),
            ]);
        }
        tb.print();
    }
    output::heading(&t("schedule.conflicts", &[("n", sch.conflicts.len().to_string())]));
    if sch.conflicts.is_empty() {
        println!("  {}", t("schedule.no_conflicts", &[]));
    }
    for c in &sch.conflicts {
        println!(
            "  ! {}: {}",
            c.kind.label(),
            crate::sanitize::clean_line(&c.message(name))
        );
    }
    Ok(())
}
