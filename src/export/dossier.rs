//! A dossier as Markdown (readable on its own, with tables for tests and the
//! feature comparison) and as JSON (complete, with a schema version); a plan's
//! test report as Markdown.

use serde::{Deserialize, Serialize};

use super::sections::*;
use super::{md_block, md_cell, md_inline};
use crate::i18n::t;
use crate::model::*;
use crate::service::DossierView;

/// The `format` field of a dossier JSON export.
pub const DOSSIER_FORMAT: &str = "beian.dossier";

/// A dossier as exported to JSON: the whole [`DossierView`] with what reads it
/// needs to know first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DossierExport {
    /// Always [`DOSSIER_FORMAT`].
    pub format: String,
    /// The database schema the records follow ([`crate::store::SCHEMA_VERSION`]).
    pub schema_version: u32,
    #[serde(flatten)]
    pub view: DossierView,
}

/// The dossier as pretty JSON, every string cleaned of control and bidi characters.
pub fn dossier_json(v: &DossierView) -> String {
    let export = DossierExport {
        format: DOSSIER_FORMAT.to_string(),
        schema_version: crate::store::SCHEMA_VERSION,
        view: v.clone(),
    };
    let mut value = serde_json::to_value(&export).expect("dossiers serialize");
    clean_strings(&mut value);
    let mut s = serde_json::to_string_pretty(&value).expect("values serialize");
    s.push('\n');
    s
}

fn clean_strings(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::String(s) => *s = crate::sanitize::clean(s),
        serde_json::Value::Array(a) => a.iter_mut().for_each(clean_strings),
        serde_json::Value::Object(o) => o.values_mut().for_each(clean_strings),
        _ => {}
    }
}

fn heading(o: &mut String, key: &str) {
    o.push_str(&format!("\n## {}\n\n", t(key, &[])));
}

/// Sections as Markdown: a heading per section (`##` at `level` 2, deeper for
/// subsections), fields as a list, tables as tables, text as paragraphs. Every
/// value goes through [`md_cell`] or [`md_block`], so a renderer shows it as typed.
fn sections_markdown(o: &mut String, sections: &[Section], level: usize) {
    for s in sections {
        o.push_str(&format!("\n{} {}\n", "#".repeat(level), md_inline(&s.title)));
        for b in &s.blocks {
            o.push('\n');
            match b {
                Block::Fields(fields) => {
                    for (label, value) in fields {
                        let line = format!("- {}: {}", md_inline(label), md_cell(value));
                        o.push_str(line.trim_end());
                        o.push('\n');
                    }
                }
                Block::Table { headers, rows } => {
                    let row = |cells: &[String]| {
                        let cells: Vec<String> = cells.iter().map(|c| md_cell(c)).collect();
                        format!("| {} |\n", cells.join(" | "))
                    };
                    o.push_str(&row(headers));
                    o.push_str(&"|---".repeat(headers.len()));
                    o.push_str("|\n");
                    for r in rows {
                        o.push_str(&row(r));
                    }
                }
                Block::Text(text) => {
                    o.push_str(&md_block(text));
                    o.push('\n');
                }
                Block::Nothing => {
                    o.push_str(&md_inline(&nothing()));
                    o.push('\n');
                }
            }
        }
        sections_markdown(o, &s.subsections, level + 1);
    }
}

/// The dossier as Markdown: every section of [`dossier_sections`], every field.
pub fn dossier_markdown(v: &DossierView) -> String {
    let mut o = format!("# {}\n", md_inline(&dossier_title(v)));
    sections_markdown(&mut o, &dossier_sections(v), 2);
    o
}

/// A plan's test report (§3.3): a summary of each round, the items and their
/// results, the defects, the backup and the go-live gate.
/// `golive` is what the go-live gate still misses, as the core answered it.
pub fn test_report_markdown(p: &Plan, system: &System, golive: &[crate::workflow::GoLiveMissing]) -> String {
    let mut o = String::new();
    o.push_str(&format!(
        "# {}\n\n",
        t(
            "export.tests.title",
            &[
                ("plan", p.id.to_string()),
                ("system", md_inline(&system.name)),
                ("title", md_inline(&p.title)),
            ]
        )
    ));
    o.push_str(&format!(
        "- {}: {} → {}\n- {}: {}\n",
        t("cli.col.version", &[]),
        md_cell(&p.version_from),
        md_cell(&p.version_to),
        t("cli.col.status", &[]),
        p.status.label()
    ));
    if let Some(w) = &p.window {
        o.push_str(&format!(
            "- {}: {} — {}\n",
            t("cli.col.window", &[]),
            fmt_time(w.start),
            fmt_time(w.end)
        ));
    }
    heading(&mut o, "export.tests.summary");
    if p.rounds.is_empty() {
        o.push_str(&format!("{}\n", t("export.tests.no_rounds", &[])));
    } else {
        let results = [
            TestResult::Pass,
            TestResult::Fail,
            TestResult::Blocked,
            TestResult::Waived,
            TestResult::Pending,
        ];
        let mut header = format!(
            "| {} | {} | {} |",
            t("export.col.round", &[]),
            t("cli.col.start", &[]),
            t("export.col.items", &[])
        );
        for r in results {
            header.push_str(&format!(" {} |", r.label()));
        }
        o.push_str(&header);
        o.push('\n');
        o.push_str(&"|---".repeat(3 + results.len()));
        o.push_str("|\n");
        for r in &p.rounds {
            o.push_str(&format!(
                "| {} | {} | {} |",
                r.no,
                fmt_time(r.started_at),
                r.items.len()
            ));
            for res in results {
                o.push_str(&format!(" {} |", r.items.iter().filter(|i| i.result == res).count()));
            }
            o.push('\n');
        }
        let open = |s: Severity| {
            p.defects
                .iter()
                .filter(|d| d.severity == s && d.status == DefectStatus::Open)
                .count()
        };
        o.push_str(&format!(
            "\n{}\n",
            t(
                "export.tests.defect_summary",
                &[
                    ("total", p.defects.len().to_string()),
                    ("critical", open(Severity::Critical).to_string()),
                    ("major", open(Severity::Major).to_string()),
                ]
            )
        ));
    }
    let mut sections = round_sections(p);
    if !p.defects.is_empty() {
        sections.push(defects_section(p));
    }
    if p.backup.is_some() {
        sections.push(backup_section(p));
    }
    // The gate matters until the plan goes live.
    if matches!(
        p.status,
        PlanStatus::Implementing | PlanStatus::Testing | PlanStatus::Ready
    ) {
        sections.push(golive_gate_section(golive));
    }
    if !p.golives.is_empty() {
        sections.push(golive_section(p));
    }
    sections_markdown(&mut o, &sections, 2);
    o
}
