//! `beian test …`: rounds, items, results and defects (§3.3).

use clap::Subcommand;

use super::output::{self, Table};
use super::plans::plan_id;
use super::Ctx;
use crate::error::Result;
use crate::i18n::t;
use crate::model::*;
use crate::service::Command;
use crate::workflow;

#[derive(Subcommand, Debug)]
pub enum TestCmd {
    /// Start a test round
    Round {
        /// Plan id
        id: String,
        /// Copy the failed and blocked items of the previous round
        #[arg(long)]
        copy_unfinished: bool,
    },
    /// Add a test item to the latest round
    Item {
        /// Plan id
        id: String,
        /// functional, performance, compatibility, security or data_migration
        #[arg(long, value_enum)]
        category: TestCategory,
        /// What is tested
        #[arg(long)]
        description: String,
        /// The expected result
        #[arg(long, default_value = "")]
        expected: String,
        /// Who tests it
        #[arg(long)]
        tester: String,
        /// technician, department_rep or student_volunteer
        #[arg(long, value_enum, default_value = "technician")]
        tester_type: TesterType,
    },
    /// Record the result of item N of the latest round
    Result {
        /// Plan id
        id: String,
        /// Item number
        item: u32,
        /// pending, pass, fail, blocked or waived
        #[arg(value_enum)]
        result: TestResult,
        /// Why the item is waived (required for waived)
        #[arg(long)]
        waiver: Option<String>,
        /// Notes on the result, e.g. what was observed
        #[arg(long)]
        notes: Option<String>,
    },
    /// Record a defect
    Defect {
        /// Plan id
        id: String,
        /// critical, major, minor or trivial
        #[arg(long, value_enum)]
        severity: Severity,
        /// What goes wrong
        #[arg(long)]
        description: String,
        /// Who found it
        #[arg(long)]
        found_by: String,
        /// technician, department_rep or student_volunteer
        #[arg(long, value_enum, default_value = "technician")]
        found_by_type: TesterType,
        /// The item of the latest round where it was found
        #[arg(long)]
        item: Option<u32>,
        /// The vendor's reference, once sent to the vendor
        #[arg(long)]
        vendor_ref: Option<String>,
    },
    /// Update defect N: status or vendor reference
    DefectUpdate {
        /// Plan id
        id: String,
        /// Defect number (D3 or 3)
        defect: String,
        /// open, fixed, verified or wont_fix
        #[arg(long, value_enum)]
        status: Option<DefectStatus>,
        /// The vendor's reference
        #[arg(long)]
        vendor_ref: Option<String>,
    },
    /// Show rounds, defects and what go-live still needs
    Show {
        /// Plan id
        id: String,
    },
}

pub fn run(ctx: &Ctx, cmd: &TestCmd) -> Result<()> {
    match cmd {
        TestCmd::Round { id, copy_unfinished } => {
            ctx.run(Command::TestRound {
                plan: plan_id(id)?,
                copy_unfinished: *copy_unfinished,
            })?;
        }
        TestCmd::Item {
            id,
            category,
            description,
            expected,
            tester,
            tester_type,
        } => {
            ctx.run(Command::TestItem {
                plan: plan_id(id)?,
                category: *category,
                description: description.clone(),
                expected: expected.clone(),
                tester: Tester {
                    name: tester.clone(),
                    kind: *tester_type,
                },
            })?;
        }
        TestCmd::Result {
            id,
            item,
            result,
            waiver,
            notes,
        } => {
            ctx.run(Command::TestResult {
                plan: plan_id(id)?,
                item: *item,
                result: *result,
                waiver: waiver.clone(),
                notes: notes.clone(),
            })?;
        }
        TestCmd::Defect {
            id,
            severity,
            description,
            found_by,
            found_by_type,
            item,
            vendor_ref,
        } => {
            ctx.run(Command::DefectAdd {
                plan: plan_id(id)?,
                severity: *severity,
                description: description.clone(),
                found_by: Tester {
                    name: found_by.clone(),
                    kind: *found_by_type,
                },
                item: *item,
                vendor_ref: vendor_ref.clone(),
            })?;
        }
        TestCmd::DefectUpdate {
            id,
            defect,
            status,
            vendor_ref,
        } => {
            let n = defect.trim_start_matches(['D', 'd']);
            let defect = n.parse().map_err(|_| crate::Error::input("defect", defect, "D1"))?;
            ctx.run(Command::DefectUpdate {
                plan: plan_id(id)?,
                defect,
                status: *status,
                vendor_ref: vendor_ref.clone(),
            })?;
        }
        TestCmd::Show { id } => {
            let p = ctx.backend.plan(plan_id(id)?)?;
            if ctx.json {
                output::json(&serde_json::json!({
                    "plan": p.id,
                    "status": p.status,
                    "rounds": p.rounds,
                    "defects": p.defects,
                    "backup": p.backup,
                    "golive_missing": workflow::golive_missing(&p),
                }));
            } else {
                println!(
                    "{}  {}  {}",
                    p.id,
                    p.status.label(),
                    crate::sanitize::clean_line(&p.title)
                );
                print_tests(&p);
            }
        }
    }
    Ok(())
}

/// Rounds, defects, backup and the go-live checklist of a plan.
pub fn print_tests(p: &Plan) {
    for r in &p.rounds {
        output::heading(&t(
            "cli.section.round",
            &[
                ("no", r.no.to_string()),
                ("when", fmt_time(r.started_at)),
                ("who", r.started_by.clone()),
            ],
        ));
        let mut tb = Table::new(&[
            "#".into(),
            t("cli.col.category", &[]),
            t("cli.col.result", &[]),
            t("cli.col.tester", &[]),
            t("cli.col.item", &[]),
            t("cli.col.notes", &[]),
        ]);
        for i in &r.items {
            let result = match &i.waiver {
                Some(w) => format!("{} ({w})", i.result.label()),
                None => i.result.label(),
            };
            tb.row(vec![
                i.no.to_string(),
                i.category.label(),
                result,
                format!("{} ({})", i.tester.name, i.tester.kind.label()),
                format!("{} → {}", i.description, i.expected),
                i.notes.clone(),
            ]);
        }
        tb.print();
    }
    if !p.defects.is_empty() {
        output::heading(&t("cli.section.defects", &[]));
        let mut tb = Table::new(&[
            "#".into(),
            t("cli.col.severity", &[]),
            t("cli.col.status", &[]),
            t("cli.col.vendor_ref", &[]),
            t("cli.col.found_by", &[]),
            t("cli.col.description", &[]),
        ]);
        for d in &p.defects {
            tb.row(vec![
                format!("D{}", d.no),
                d.severity.label(),
                d.status.label(),
                d.vendor_ref.clone().unwrap_or_default(),
                d.found_by.name.clone(),
                d.description.clone(),
            ]);
        }
        tb.print();
    }
    if let Some(b) = &p.backup {
        output::heading(&t("cli.section.backup", &[]));
        println!(
            "  {} {} @ {} {} {} ({})",
            fmt_time(b.time),
            crate::sanitize::clean_line(&b.what),
            crate::sanitize::clean_line(&b.location),
            crate::sanitize::clean_line(&b.size),
            crate::sanitize::clean_line(&b.checksum),
            crate::sanitize::clean_line(&b.verified_by)
        );
    }
    if matches!(
        p.status,
        PlanStatus::Implementing | PlanStatus::Testing | PlanStatus::Ready
    ) {
        output::heading(&t("cli.section.golive_gate", &[]));
        let missing = workflow::golive_missing(p);
        if missing.is_empty() {
            println!("  ✓ {}", t("cli.golive_ready", &[]));
        }
        for m in missing {
            println!("  ✗ {}", m.message());
        }
    }
}
