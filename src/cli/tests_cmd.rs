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
    /// Start a test round in a test environment
    Round {
        /// Plan id
        id: String,
        /// The test environment the round runs in (§3.3), e.g. "测试环境 10.2.3.4"
        #[arg(long = "env", value_name = "ENVIRONMENT")]
        environment: String,
        /// Retest every item not yet passed or waived, from any earlier round
        #[arg(long)]
        copy_unfinished: bool,
    },
    /// Add a test item to the latest round, or retest an earlier one
    Item {
        /// Plan id
        id: String,
        /// Retest item N of an earlier round (it keeps its number and description)
        #[arg(long, value_name = "N", conflicts_with_all = ["category", "description"])]
        retest: Option<u32>,
        /// functional, performance, compatibility, security or data_migration
        #[arg(long, value_enum, required_unless_present = "retest")]
        category: Option<TestCategory>,
        /// What is tested
        #[arg(long, required_unless_present = "retest")]
        description: Option<String>,
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
        /// pending, pass, fail or blocked (a waiver is an approver's: beian test waive)
        #[arg(value_enum)]
        result: TestResult,
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
    /// Waive item N: accept the risk of an item that has not passed (approver who did not contribute)
    Waive {
        /// Plan id
        id: String,
        /// Item number
        item: u32,
        /// Why the residual risk is acceptable
        #[arg(long)]
        reason: String,
    },
    /// Accept the risk of a critical or major defect that is not verified fixed (approver who did not contribute)
    AcceptDefect {
        /// Plan id
        id: String,
        /// Defect number (D3 or 3)
        defect: String,
        /// Why the residual risk is acceptable
        #[arg(long)]
        reason: String,
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
        TestCmd::Round {
            id,
            environment,
            copy_unfinished,
        } => {
            ctx.run(Command::TestRound {
                plan: plan_id(id)?,
                copy_unfinished: *copy_unfinished,
                environment: environment.clone(),
            })?;
        }
        TestCmd::Item {
            id,
            retest,
            category,
            description,
            expected,
            tester,
            tester_type,
        } => {
            ctx.run(Command::TestItem {
                plan: plan_id(id)?,
                category: category.unwrap_or(TestCategory::Functional),
                description: description.clone().unwrap_or_default(),
                expected: expected.clone(),
                tester: Tester {
                    name: tester.clone(),
                    kind: *tester_type,
                },
                retest: *retest,
            })?;
        }
        TestCmd::Result {
            id,
            item,
            result,
            notes,
        } => {
            ctx.run(Command::TestResult {
                plan: plan_id(id)?,
                item: *item,
                result: *result,
                notes: notes.clone(),
            })?;
        }
        TestCmd::Waive { id, item, reason } => {
            ctx.run(Command::TestWaive {
                plan: plan_id(id)?,
                item: *item,
                reason: reason.clone(),
            })?;
        }
        TestCmd::AcceptDefect { id, defect, reason } => {
            ctx.run(Command::DefectAccept {
                plan: plan_id(id)?,
                defect: defect_no(defect)?,
                reason: reason.clone(),
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
            ctx.run(Command::DefectUpdate {
                plan: plan_id(id)?,
                defect: defect_no(defect)?,
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
                    "golive_missing": ctx.backend.plan_gates(p.id)?.golive,
                }));
            } else {
                println!(
                    "{}  {}  {}",
                    p.id,
                    p.status.label(),
                    crate::sanitize::clean_line(&p.title)
                );
                print_tests(&p, Some(&ctx.backend.plan_gates(p.id)?));
            }
        }
    }
    Ok(())
}

/// The number of a defect as typed: `D3` or `3`.
fn defect_no(s: &str) -> Result<u32> {
    s.trim_start_matches(['D', 'd'])
        .parse()
        .map_err(|_| crate::Error::input("defect", s, "D1"))
}

/// Rounds, defects, backup and, with the plan's gates, the go-live checklist.
pub fn print_tests(p: &Plan, gates: Option<&workflow::Gates>) {
    for r in &p.rounds {
        output::heading(&t(
            "cli.section.round",
            &[
                ("no", r.no.to_string()),
                ("when", fmt_time(r.started_at)),
                ("who", r.started_by.clone()),
            ],
        ));
        if !r.environment.is_empty() {
            println!(
                "  {}: {}",
                t("field.environment", &[]),
                crate::sanitize::clean_line(&r.environment)
            );
        }
        let mut tb = Table::new(&[
            "#".into(),
            t("cli.col.category", &[]),
            t("cli.col.result", &[]),
            t("cli.col.tester", &[]),
            t("cli.col.item", &[]),
            t("cli.col.notes", &[]),
        ]);
        for i in &r.items {
            let result = match (&i.waiver, &i.waived) {
                (_, Some(a)) => format!("{} ({}: {})", i.result.label(), a.by, a.reason),
                (Some(w), None) => format!("{} ({w})", i.result.label()),
                (None, None) => i.result.label(),
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
            let status = match &d.acceptance {
                Some(a) => format!(
                    "{} ({} {}: {})",
                    d.status.label(),
                    t("cli.risk_accepted", &[]),
                    a.by,
                    a.reason
                ),
                None => d.status.label(),
            };
            tb.row(vec![
                format!("D{}", d.no),
                d.severity.label(),
                status,
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
    let gates = gates.filter(|_| {
        matches!(
            p.status,
            PlanStatus::Implementing | PlanStatus::Testing | PlanStatus::Ready
        )
    });
    if let Some(g) = gates {
        output::heading(&t("cli.section.golive_gate", &[]));
        let missing = g.golive.clone();
        if missing.is_empty() {
            println!("  ✓ {}", t("cli.golive_ready", &[]));
        }
        for m in missing {
            println!("  ✗ {}", m.message());
        }
    }
}
