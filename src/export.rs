//! Readable exports. A dossier as Markdown: readable on its own, with tables for
//! tests and the feature comparison.

use crate::i18n::t;
use crate::model::*;
use crate::service::DossierView;

fn md(s: &str) -> String {
    crate::sanitize::clean_line(s).replace('|', "\\|")
}

fn para(s: &str) -> String {
    crate::sanitize::clean(s)
}

pub fn dossier_markdown(v: &DossierView) -> String {
    let d = &v.dossier;
    let p = &d.plan;
    let mut o = String::new();
    let h = |o: &mut String, key: &str| o.push_str(&format!("\n## {}\n\n", t(key, &[])));
    o.push_str(&format!("# {} {} — {}\n\n", d.id, md(&d.system.name), md(&p.title)));
    o.push_str(&format!(
        "- {}: {} → {}\n- {}: {}\n- {}: {} ({})\n",
        t("cli.col.version", &[]),
        md(&p.version_from),
        md(&p.version_to),
        t("cli.col.plan", &[]),
        p.id,
        t(
            "cli.filed_by",
            &[("who", d.filed_by.clone()), ("when", fmt_time(d.filed_at))]
        ),
        md(&d.system.department),
        md(&d.system.vendor)
    ));
    if let Some(w) = &p.window {
        o.push_str(&format!(
            "- {}: {} — {}\n",
            t("cli.col.window", &[]),
            fmt_time(w.start),
            fmt_time(w.end)
        ));
    }
    for (key, text) in [
        ("enum.PlanField.goals", &p.goals),
        ("enum.PlanField.content", &p.content),
        ("enum.PlanField.approach", &p.approach),
        ("enum.PlanField.backup_plan", &p.backup_plan),
        ("cli.col.migration_plan", &p.migration_plan),
        ("enum.PlanField.rollback_plan", &p.rollback_plan),
    ] {
        h(&mut o, key);
        o.push_str(&para(text));
        o.push('\n');
    }
    h(&mut o, "enum.PlanField.staff");
    o.push_str(&format!(
        "| {} | {} | {} |\n|---|---|---|\n",
        t("cli.col.person", &[]),
        t("cli.col.role", &[]),
        t("cli.col.duty", &[])
    ));
    for s in &p.staff {
        o.push_str(&format!("| {} | {} | {} |\n", md(&s.person), md(&s.role), md(&s.duty)));
    }
    h(&mut o, "cli.section.risks");
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
            md(&r.description),
            r.likelihood.label(),
            r.impact.label(),
            md(&r.mitigation)
        ));
    }
    h(&mut o, "cli.section.approvals");
    for a in &p.approvals {
        o.push_str(&format!(
            "- {} {} {} {} {}\n",
            fmt_time(a.time),
            md(&a.approver),
            a.decision.label(),
            md(&a.minutes_ref),
            md(&a.comment)
        ));
    }
    if let Some(n) = &p.notice {
        h(&mut o, "tui.section.notice");
        o.push_str(&format!(
            "{} · {}\n\n{}\n",
            fmt_time(n.published_at),
            md(&n.audience),
            para(&n.text)
        ));
    }
    for r in &p.rounds {
        o.push_str(&format!(
            "\n## {}\n\n",
            t(
                "cli.section.round",
                &[
                    ("no", r.no.to_string()),
                    ("when", fmt_time(r.started_at)),
                    ("who", r.started_by.clone())
                ]
            )
        ));
        o.push_str(&format!(
            "| # | {} | {} | {} | {} | {} |\n|---|---|---|---|---|---|\n",
            t("cli.col.category", &[]),
            t("cli.col.description", &[]),
            t("tui.col.expected", &[]),
            t("cli.col.tester", &[]),
            t("cli.col.result", &[])
        ));
        for i in &r.items {
            let result = match &i.waiver {
                Some(w) => format!("{} ({})", i.result.label(), md(w)),
                None => i.result.label(),
            };
            o.push_str(&format!(
                "| {} | {} | {} | {} | {} ({}) | {} |\n",
                i.no,
                i.category.label(),
                md(&i.description),
                md(&i.expected),
                md(&i.tester.name),
                i.tester.kind.label(),
                result
            ));
        }
    }
    if !p.defects.is_empty() {
        h(&mut o, "cli.section.defects");
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
                md(&x.description),
                md(&x.found_by.name),
                md(x.vendor_ref.as_deref().unwrap_or("")),
                x.status.label()
            ));
        }
    }
    if let Some(b) = &p.backup {
        h(&mut o, "cli.section.backup");
        o.push_str(&format!(
            "{} · {} · {} · {} · {} · {}\n",
            fmt_time(b.time),
            md(&b.what),
            md(&b.location),
            md(&b.size),
            md(&b.checksum),
            md(&b.verified_by)
        ));
    }
    h(&mut o, "cli.section.golive");
    for g in &p.golives {
        o.push_str(&format!(
            "- {} {} {} {}: {}\n",
            fmt_time(g.time),
            md(&g.deployer),
            md(&g.version),
            g.outcome.label(),
            md(&g.steps)
        ));
    }
    if !p.training.is_empty() {
        h(&mut o, "cli.section.training");
        for tr in &p.training {
            o.push_str(&format!(
                "- {} {} {} {} ({})\n",
                tr.date,
                tr.format.label(),
                md(&tr.trainer),
                md(&tr.departments.join("、")),
                tr.attendance
            ));
        }
    }
    h(&mut o, "cli.section.comparison");
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
            md(&c.function),
            md(&c.before),
            md(&c.after),
            c.change.label()
        ));
    }
    if !d.requests.is_empty() {
        h(&mut o, "cli.section.requests");
        for r in &d.requests {
            o.push_str(&format!(
                "- {} {} ({}, {})\n",
                r.id,
                md(&r.title),
                md(&r.submitter.name),
                r.channel.label()
            ));
        }
    }
    if !v.addenda.is_empty() {
        h(&mut o, "cli.section.addenda");
        for a in &v.addenda {
            o.push_str(&format!(
                "- #{} {} {}: {} — {}\n",
                a.no,
                fmt_time(a.time),
                md(&a.author),
                md(&a.reason),
                md(&a.text)
            ));
        }
    }
    o
}
