//! A dossier as Markdown (readable on its own, with tables for tests and the
//! feature comparison) and as JSON (complete, with a schema version); a plan's
//! test report as Markdown.

use serde::{Deserialize, Serialize};

use super::{md_block, md_cell};
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

pub fn dossier_markdown(v: &DossierView) -> String {
    let d = &v.dossier;
    let p = &d.plan;
    let mut o = String::new();
    o.push_str(&format!(
        "# {} {} — {}\n\n",
        d.id,
        md_cell(&d.system.name),
        md_cell(&p.title)
    ));
    o.push_str(&format!(
        "- {}: {} → {}\n- {}: {}\n- {}: {} ({})\n",
        t("cli.col.version", &[]),
        md_cell(&p.version_from),
        md_cell(&p.version_to),
        t("cli.col.plan", &[]),
        p.id,
        t(
            "cli.filed_by",
            &[("who", md_cell(&d.filed_by)), ("when", fmt_time(d.filed_at))]
        ),
        md_cell(&d.system.department),
        md_cell(&d.system.vendor)
    ));
    if let Some(w) = &p.window {
        o.push_str(&format!(
            "- {}: {} — {}\n",
            t("cli.col.window", &[]),
            fmt_time(w.start),
            fmt_time(w.end)
        ));
    }
    for (key, text) in p.text_sections() {
        heading(&mut o, key);
        o.push_str(&md_block(text));
        o.push('\n');
    }
    heading(&mut o, "enum.PlanField.staff");
    o.push_str(&format!(
        "| {} | {} | {} |\n|---|---|---|\n",
        t("cli.col.person", &[]),
        t("cli.col.role", &[]),
        t("cli.col.duty", &[])
    ));
    for s in &p.staff {
        o.push_str(&format!(
            "| {} | {} | {} |\n",
            md_cell(&s.person),
            md_cell(&s.role),
            md_cell(&s.duty)
        ));
    }
    heading(&mut o, "cli.section.risks");
    o.push_str(&format!(
        "| {} | {} | {} | {} |\n|---|---|---|---|\n",
        t("cli.col.risk", &[]),
        t("cli.col.likelihood", &[]),
        t("cli.col.impact", &[]),
        t("cli.col.mitigation", &[])
    ));
    for r in &p.risks {
        o.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            md_cell(&r.description),
            r.likelihood.label(),
            r.impact.label(),
            md_cell(&r.mitigation)
        ));
    }
    heading(&mut o, "cli.section.approvals");
    for a in &p.approvals {
        o.push_str(&format!(
            "- {} {} {} {} {}\n",
            fmt_time(a.time),
            md_cell(&a.approver),
            a.decision.label(),
            md_cell(&a.minutes_ref),
            md_cell(&a.comment)
        ));
    }
    if let Some(n) = &p.notice {
        heading(&mut o, "tui.section.notice");
        o.push_str(&format!(
            "{} · {}\n\n{}\n",
            fmt_time(n.published_at),
            md_cell(&n.audience),
            md_block(&n.text)
        ));
    }
    rounds_markdown(&mut o, p);
    defects_markdown(&mut o, p);
    backup_markdown(&mut o, p);
    heading(&mut o, "cli.section.golive");
    for g in &p.golives {
        o.push_str(&format!(
            "- {} {} {} {}: {}\n",
            fmt_time(g.time),
            md_cell(&g.deployer),
            md_cell(&g.version),
            g.outcome.label(),
            md_cell(&g.steps)
        ));
    }
    if !p.training.is_empty() {
        heading(&mut o, "cli.section.training");
        for tr in &p.training {
            o.push_str(&format!(
                "- {} {} {} {} ({})\n",
                tr.date,
                tr.format.label(),
                md_cell(&tr.trainer),
                md_cell(&tr.departments.join("、")),
                tr.attendance
            ));
        }
    }
    heading(&mut o, "cli.section.comparison");
    o.push_str(&format!(
        "| {} | {} | {} | {} |\n|---|---|---|---|\n",
        t("cli.col.function", &[]),
        t("cli.col.before", &[]),
        t("cli.col.after", &[]),
        t("cli.col.change", &[])
    ));
    for c in &p.comparison {
        o.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            md_cell(&c.function),
            md_cell(&c.before),
            md_cell(&c.after),
            c.change.label()
        ));
    }
    if !d.requests.is_empty() {
        heading(&mut o, "cli.section.requests");
        for r in &d.requests {
            o.push_str(&format!(
                "- {} {} ({}, {})\n",
                r.id,
                md_cell(&r.title),
                md_cell(&r.submitter.name),
                r.channel.label()
            ));
        }
    }
    if !v.addenda.is_empty() {
        heading(&mut o, "cli.section.addenda");
        for a in &v.addenda {
            o.push_str(&format!(
                "- #{} {} {}: {} — {}\n",
                a.no,
                fmt_time(a.time),
                md_cell(&a.author),
                md_cell(&a.reason),
                md_cell(&a.text)
            ));
        }
    }
    o
}

/// Each test round with its items as a table.
fn rounds_markdown(o: &mut String, p: &Plan) {
    for r in &p.rounds {
        o.push_str(&format!(
            "\n## {}\n\n",
            t(
                "cli.section.round",
                &[
                    ("no", r.no.to_string()),
                    ("when", fmt_time(r.started_at)),
                    ("who", md_cell(&r.started_by))
                ]
            )
        ));
        o.push_str(&format!(
            "| # | {} | {} | {} | {} | {} | {} |\n|---|---|---|---|---|---|---|\n",
            t("cli.col.category", &[]),
            t("cli.col.description", &[]),
            t("tui.col.expected", &[]),
            t("cli.col.tester", &[]),
            t("cli.col.result", &[]),
            t("cli.col.notes", &[])
        ));
        for i in &r.items {
            let result = match &i.waiver {
                Some(w) => format!("{} ({})", i.result.label(), md_cell(w)),
                None => i.result.label(),
            };
            o.push_str(&format!(
                "| {} | {} | {} | {} | {} ({}) | {} | {} |\n",
                i.no,
                i.category.label(),
                md_cell(&i.description),
                md_cell(&i.expected),
                md_cell(&i.tester.name),
                i.tester.kind.label(),
                result,
                md_cell(&i.notes)
            ));
        }
    }
}

/// The backup confirmation, if any, on one line.
fn backup_markdown(o: &mut String, p: &Plan) {
    if let Some(b) = &p.backup {
        heading(o, "cli.section.backup");
        o.push_str(&format!(
            "{} · {} · {} · {} · {} · {}\n",
            fmt_time(b.time),
            md_cell(&b.what),
            md_cell(&b.location),
            md_cell(&b.size),
            md_cell(&b.checksum),
            md_cell(&b.verified_by)
        ));
    }
}

/// The defects as a table.
fn defects_markdown(o: &mut String, p: &Plan) {
    if !p.defects.is_empty() {
        heading(o, "cli.section.defects");
        o.push_str(&format!(
            "| # | {} | {} | {} | {} | {} |\n|---|---|---|---|---|---|\n",
            t("cli.col.severity", &[]),
            t("cli.col.description", &[]),
            t("cli.col.found_by", &[]),
            t("cli.col.vendor_ref", &[]),
            t("cli.col.status", &[])
        ));
        for x in &p.defects {
            o.push_str(&format!(
                "| D{} | {} | {} | {} | {} | {} |\n",
                x.no,
                x.severity.label(),
                md_cell(&x.description),
                md_cell(&x.found_by.name),
                md_cell(x.vendor_ref.as_deref().unwrap_or("")),
                x.status.label()
            ));
        }
    }
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
                ("system", md_cell(&system.name)),
                ("title", md_cell(&p.title)),
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
    rounds_markdown(&mut o, p);
    defects_markdown(&mut o, p);
    backup_markdown(&mut o, p);
    // The gate matters until the plan goes live.
    if matches!(
        p.status,
        PlanStatus::Implementing | PlanStatus::Testing | PlanStatus::Ready
    ) {
        heading(&mut o, "cli.section.golive_gate");
        if golive.is_empty() {
            o.push_str(&format!("- ✓ {}\n", t("cli.golive_ready", &[])));
        }
        for m in golive {
            o.push_str(&format!("- ✗ {}\n", md_cell(&m.message())));
        }
    }
    if !p.golives.is_empty() {
        heading(&mut o, "cli.section.golive");
        for g in &p.golives {
            o.push_str(&format!(
                "- {} {} {} {}\n",
                fmt_time(g.time),
                md_cell(&g.deployer),
                md_cell(&g.version),
                g.outcome.label()
            ));
        }
    }
    o
}
