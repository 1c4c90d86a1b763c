//! A rectification order and a confidential report, section by section (the
//! same [`Section`]s as a plan): `beian supervision order show` / `report show`
//! print them (`cli/sections.rs`) and the supervision pane draws them
//! (`tui/ui/sections.rs`). Every field of the record is in one of them; what
//! the record does not know (the time of a response recorded before responses
//! kept their time) shows as not recorded.

use super::sections::{Block, Section};
use crate::i18n::t;
use crate::model::*;

fn section(title: String, blocks: Vec<Block>) -> Section {
    Section {
        title,
        blocks,
        subsections: Vec::new(),
    }
}

fn table(headers: Vec<String>, rows: Vec<Vec<String>>) -> Block {
    if rows.is_empty() {
        Block::Nothing
    } else {
        Block::Table { headers, rows }
    }
}

/// `zhaomin · 2026-03-02 12:00`; an unknown time says so.
fn who_when(who: &str, when: Option<Time>) -> String {
    let when = when.map(fmt_time).unwrap_or_else(|| t("record.not_recorded", &[]));
    if who.is_empty() {
        when
    } else {
        format!("{who} · {when}")
    }
}

/// What an order concerns: its plan's id, or the department.
pub fn order_target(target: &OrderTarget) -> String {
    match target {
        OrderTarget::Plan(p) => p.to_string(),
        OrderTarget::Department(d) => d.clone(),
    }
}

/// An order's status as lists show it: `open (overdue)`. Whether it is
/// overdue is the caller's ([`RectificationOrder::overdue`] on its today).
pub fn order_status(o: &RectificationOrder, overdue: bool) -> String {
    if overdue {
        format!("{} {}", o.status.label(), t("cli.overdue", &[]))
    } else {
        o.status.label()
    }
}

/// Every section of an order: what it is and where it stands (issued,
/// responded and closed: who and when), then its history — the deadline's
/// extensions, every response (those sent back with the reason) and every
/// closing (those reopened with the reason). The order as the service gives
/// it ([`RectificationOrder::upgraded`]); `overdue` as of the caller's today.
pub fn order_sections(o: &RectificationOrder, overdue: bool) -> Vec<Section> {
    let current = o.current_response();
    let closed = o.closed();
    let deadline = if o.extensions.is_empty() {
        o.deadline.to_string()
    } else {
        t(
            "record.order.extended_from",
            &[
                ("deadline", o.deadline.to_string()),
                ("original", o.original_deadline().to_string()),
                ("n", o.extensions.len().to_string()),
            ],
        )
    };
    let mut f = vec![
        (t("cli.col.id", &[]), format!("{}  (rev {})", o.id, o.meta.rev)),
        (t("cli.col.status", &[]), order_status(o, overdue)),
        (t("cli.col.target", &[]), order_target(&o.target)),
        (t("cli.col.deadline", &[]), deadline),
        (t("cli.col.finding", &[]), o.finding.clone()),
        (t("record.order.required_action", &[]), o.required_action.clone()),
        (t("record.order.issued", &[]), who_when(&o.issuer, Some(o.issued_at()))),
    ];
    if let Some(r) = current {
        f.push((t("record.order.responded", &[]), who_when(&r.by, r.at)));
        f.push((t("cli.col.response", &[]), r.text.clone()));
    }
    if let Some(c) = closed {
        f.push((t("record.order.closed", &[]), who_when(&c.by, Some(c.at))));
    }
    let order = section(t("record.section.order", &[]), vec![Block::Fields(f)]);

    let ext = section(
        t("record.order.extensions", &[]),
        vec![table(
            vec![
                t("record.order.from", &[]),
                t("record.order.to", &[]),
                t("cli.col.reason", &[]),
                t("record.order.by", &[]),
            ],
            o.extensions
                .iter()
                .map(|e| {
                    vec![
                        e.from.to_string(),
                        e.to.to_string(),
                        e.reason.clone(),
                        who_when(&e.by, Some(e.at)),
                    ]
                })
                .collect(),
        )],
    );
    let responses = section(
        t("record.order.responses", &[]),
        vec![table(
            vec![
                "#".into(),
                t("record.order.by", &[]),
                t("cli.col.response", &[]),
                t("record.order.sent_back", &[]),
            ],
            o.responses
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    vec![
                        (i + 1).to_string(),
                        who_when(&r.by, r.at),
                        r.text.clone(),
                        r.sent_back
                            .as_ref()
                            .map(|s| format!("{}\n{}", who_when(&s.by, Some(s.at)), s.reason))
                            .unwrap_or_default(),
                    ]
                })
                .collect(),
        )],
    );
    let closings = section(
        t("record.order.closings", &[]),
        vec![table(
            vec![
                "#".into(),
                t("record.order.closed", &[]),
                t("record.order.reopened", &[]),
            ],
            o.closings
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    vec![
                        (i + 1).to_string(),
                        who_when(&c.by, Some(c.at)),
                        c.reopened
                            .as_ref()
                            .map(|r| format!("{}\n{}", who_when(&r.by, Some(r.at)), r.reason))
                            .unwrap_or_default(),
                    ]
                })
                .collect(),
        )],
    );
    vec![order, ext, responses, closings]
}

/// Every section of a confidential report (supervisors only): the report, the
/// investigation, the reply to the reporter, and the plan and order it led to.
pub fn report_sections(r: &ConfidentialReport) -> Vec<Section> {
    let mut f = vec![
        (t("cli.col.id", &[]), format!("{}  (rev {})", r.id, r.meta.rev)),
        (t("cli.col.status", &[]), r.status.label()),
        (t("cli.col.received", &[]), fmt_time(r.received_at)),
        (
            t("cli.col.contact", &[]),
            r.reporter_contact.clone().unwrap_or_else(|| t("cli.anonymous", &[])),
        ),
        (
            t("cli.col.plan", &[]),
            r.plan.map(|p| p.to_string()).unwrap_or_default(),
        ),
        (
            t("record.report.order", &[]),
            r.order.map(|o| o.to_string()).unwrap_or_default(),
        ),
    ];
    if r.reply.is_some() {
        f.push((
            t("record.report.replied", &[]),
            who_when(r.replied_by.as_deref().unwrap_or_default(), r.replied_at),
        ));
    }
    let text = |s: &str| {
        if s.trim().is_empty() {
            Block::Nothing
        } else {
            Block::Text(s.to_string())
        }
    };
    vec![
        section(t("record.section.report", &[]), vec![Block::Fields(f)]),
        section(t("cli.col.content", &[]), vec![text(&r.content)]),
        section(t("cli.col.investigation", &[]), vec![text(&r.investigation)]),
        section(
            t("cli.col.reply", &[]),
            vec![text(r.reply.as_deref().unwrap_or_default())],
        ),
    ]
}
