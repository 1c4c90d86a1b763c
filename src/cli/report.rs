//! `beian report`, `beian contributions` and `beian recognition`: the periodic
//! evaluation (§4.3), contributions and awards and penalties (§5.2).

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

use super::output::{self, Table};
use super::{args, Ctx};
use crate::error::{Error, Result};
use crate::i18n::t;
use crate::model::*;
use crate::report::render::{self, CONTRIBUTION_TABLES, REPORT_TABLES};
use crate::service::Command;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Md,
    Csv,
    Json,
}

#[derive(Args, Debug)]
pub struct ReportArgs {
    /// First day of the period, YYYY-MM-DD
    #[arg(long)]
    from: String,
    /// Last day of the period (inclusive), YYYY-MM-DD
    #[arg(long)]
    to: String,
    /// md (tables), csv or json (complete) [--json is the same as json]
    #[arg(long, value_enum, default_value = "md")]
    format: Format,
    /// Only this table (md, csv): report: updates_by_month, updates_by_class, updates, lead_times, test_rounds, defects_by_severity, defects_by_finder, blackout_overrides, training, requests, overdue_orders, effect, effect_updates, training_coverage, chain_head; contributions: people, departments, recognitions
    #[arg(long, value_name = "NAME")]
    table: Option<String>,
    /// Write to this file instead of standard output (CSV gets a BOM for Excel)
    #[arg(short = 'o', long, value_name = "FILE")]
    out: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
pub enum RecognitionCmd {
    /// Record an award or a penalty with its reason (roles admin, supervisor)
    Add {
        /// award or penalty
        #[arg(long, value_enum)]
        kind: RecognitionKind,
        /// The person, as the records name them
        #[arg(long, conflicts_with_all = ["department", "team"], required_unless_present_any = ["department", "team"])]
        person: Option<String>,
        /// The department
        #[arg(long, conflicts_with = "team")]
        department: Option<String>,
        /// A project team (awards only, §5.2): its name
        #[arg(long)]
        team: Option<String>,
        /// A member of the team, as the records name them (repeatable) [default: the staff of the --related plans]
        #[arg(long, requires = "team")]
        member: Vec<String>,
        /// Why (@FILE reads a file)
        #[arg(long)]
        reason: String,
        /// Records it rests on: requests, plans, dossiers, orders (repeatable)
        #[arg(long, value_name = "ID")]
        related: Vec<String>,
        /// The day it was decided, YYYY-MM-DD [default: today]
        #[arg(long)]
        date: Option<String>,
    },
    /// List awards and penalties
    #[command(alias = "ls")]
    List,
}

fn period(a: &ReportArgs) -> Result<(chrono::NaiveDate, chrono::NaiveDate)> {
    Ok((args::date("--from", &a.from)?, args::date("--to", &a.to)?))
}

fn emit(ctx: &Ctx, a: &ReportArgs, json: String, md: String, tables: Vec<render::Table>, names: &[&str]) -> Result<()> {
    let format = if ctx.json { Format::Json } else { a.format };
    let pick = |tables: Vec<render::Table>| -> Result<Vec<render::Table>> {
        match &a.table {
            None => Ok(tables),
            Some(name) => {
                let one: Vec<render::Table> = tables.into_iter().filter(|t| t.name == name.as_str()).collect();
                if one.is_empty() {
                    return Err(Error::input("--table", name, &names.join(", ")));
                }
                Ok(one)
            }
        }
    };
    let text = match format {
        Format::Json => json,
        Format::Md if a.table.is_none() => md,
        Format::Md => pick(tables)?
            .iter()
            .map(render::markdown_table)
            .collect::<Vec<_>>()
            .join("\n"),
        Format::Csv => {
            let tables = pick(tables)?;
            let body = if a.table.is_some() {
                render::csv_table(&tables[0])
            } else {
                render::csv_sections(&tables)
            };
            if a.out.is_some() {
                format!("\u{feff}{body}")
            } else {
                body
            }
        }
    };
    match &a.out {
        Some(path) => {
            crate::fsutil::write_file(path, text.as_bytes(), 0o644)?;
            if !ctx.json {
                eprintln!(
                    "{}",
                    t(
                        "report.written",
                        &[("path", crate::sanitize::visible_line(&path.display().to_string()))]
                    )
                );
            }
        }
        None => {
            print!("{text}");
            if !text.ends_with('\n') {
                println!();
            }
        }
    }
    Ok(())
}

/// `beian report --from --to`.
pub fn report(ctx: &Ctx, a: &ReportArgs) -> Result<()> {
    let (from, to) = period(a)?;
    let r = ctx.backend.evaluation(from, to)?;
    let json = serde_json::to_string_pretty(&r).expect("serializable");
    emit(ctx, a, json, r.markdown(), r.tables(), &REPORT_TABLES)
}

/// `beian contributions --from --to`.
pub fn contributions(ctx: &Ctx, a: &ReportArgs) -> Result<()> {
    let (from, to) = period(a)?;
    let c = ctx.backend.contributions(from, to)?;
    let json = serde_json::to_string_pretty(&c).expect("serializable");
    emit(ctx, a, json, c.markdown(), c.tables(), &CONTRIBUTION_TABLES)
}

/// `beian recognition add|list`.
pub fn recognition(ctx: &Ctx, cmd: &RecognitionCmd) -> Result<()> {
    match cmd {
        RecognitionCmd::Add {
            kind,
            person,
            department,
            team,
            member,
            reason,
            related,
            date,
        } => {
            let recipient = match (person, department, team) {
                (Some(p), _, _) => Recipient::Person(p.clone()),
                (None, Some(d), _) => Recipient::Department(d.clone()),
                (None, None, Some(n)) => Recipient::Team {
                    name: n.clone(),
                    members: member.clone(),
                },
                (None, None, None) => {
                    return Err(Error::input(
                        "--person",
                        "",
                        &t("cli.expected.person_or_department", &[]),
                    ))
                }
            };
            let related = related
                .iter()
                .map(|s| {
                    s.parse::<Id>()
                        .map_err(|_| Error::input("--related", s, "REQ-2026-0001, PLAN-2026-0001, FILE-2026-0001 …"))
                })
                .collect::<Result<Vec<_>>>()?;
            ctx.run(Command::RecognitionAdd {
                kind: *kind,
                recipient,
                reason: args::text("--reason", reason)?,
                related,
                date: date.as_deref().map(|d| args::date("--date", d)).transpose()?,
            })?;
        }
        RecognitionCmd::List => {
            let list = ctx.backend.recognitions()?;
            if ctx.json {
                output::json(&list);
                return Ok(());
            }
            let cols = ["id", "date", "kind", "recipient", "related", "issued_by", "reason"];
            let mut tb = Table::new(
                &cols
                    .iter()
                    .map(|c| t(&format!("report.col.{c}"), &[]))
                    .collect::<Vec<_>>(),
            );
            for r in &list {
                let mut row = render::recognition_row(r);
                // The reason is the longest: it takes the last column.
                let reason = row.remove(4);
                row.push(reason);
                tb.row(row);
            }
            tb.print();
        }
    }
    Ok(())
}
