//! `beian supervision …`: rectification orders and confidential reports (§5.1).

use clap::Subcommand;

use super::output::{self, Fields, Table};
use super::{args, Ctx};
use crate::error::{Error, Result};
use crate::i18n::t;
use crate::model::*;
use crate::service::Command;

#[derive(Subcommand, Debug)]
pub enum SupervisionCmd {
    /// Rectification orders
    #[command(subcommand)]
    Order(OrderCmd),
    /// Confidential reports (supervisors read them; every read is audited)
    #[command(subcommand)]
    Report(ReportCmd),
}

#[derive(Subcommand, Debug)]
pub enum OrderCmd {
    /// Issue an order with a deadline (role supervisor)
    Issue {
        /// The plan concerned
        #[arg(long, conflicts_with = "department", required_unless_present = "department")]
        plan: Option<String>,
        /// The department concerned
        #[arg(long)]
        department: Option<String>,
        /// What was found wrong (@FILE reads a file)
        #[arg(long)]
        finding: String,
        /// What must be done
        #[arg(long)]
        action: String,
        /// Deadline for the rectification, YYYY-MM-DD
        #[arg(long)]
        deadline: String,
    },
    /// List rectification orders
    #[command(alias = "ls")]
    List,
    /// Show an order with its response
    Show {
        /// Order id, e.g. RO-2026-0001
        id: String,
    },
    /// Respond to an order
    Respond {
        /// Order id, e.g. RO-2026-0001
        id: String,
        /// What was done to rectify (@FILE reads a file)
        #[arg(long)]
        response: String,
    },
    /// Close a responded order (role supervisor)
    Close {
        /// Order id, e.g. RO-2026-0001
        id: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum ReportCmd {
    /// Record a report from a teacher or student
    Submit {
        /// What is reported (@FILE reads a file)
        #[arg(long)]
        content: String,
        /// How to reach the reporter; leave out for an anonymous report
        #[arg(long)]
        contact: Option<String>,
    },
    /// List reports (role supervisor; the read is audited)
    #[command(alias = "ls")]
    List,
    /// Show a report (role supervisor; the read is audited)
    Show {
        /// Report id, e.g. RPT-2026-0001
        id: String,
    },
    /// Add investigation notes
    Investigate {
        /// Report id, e.g. RPT-2026-0001
        id: String,
        /// Investigation notes (@FILE reads a file)
        #[arg(long)]
        notes: String,
    },
    /// Record the reply to the reporter and close the report
    Reply {
        /// Report id, e.g. RPT-2026-0001
        id: String,
        /// The reply to the reporter (@FILE reads a file)
        #[arg(long)]
        reply: String,
    },
}

pub fn run(ctx: &Ctx, cmd: &SupervisionCmd) -> Result<()> {
    let s = ctx.backend.as_ref();
    let today = chrono::Local::now().date_naive();
    let order_id = |v: &str| args::id("order", v, IdKind::Order);
    let report_id = |v: &str| args::id("report", v, IdKind::Report);
    match cmd {
        SupervisionCmd::Order(OrderCmd::Issue {
            plan,
            department,
            finding,
            action,
            deadline,
        }) => {
            let target = match (plan, department) {
                (Some(p), _) => OrderTarget::Plan(super::plans::plan_id(p)?),
                (None, Some(d)) => OrderTarget::Department(d.clone()),
                (None, None) => return Err(Error::input("--plan", "", &t("cli.expected.plan_or_department", &[]))),
            };
            ctx.run(Command::OrderIssue {
                target,
                finding: args::text("--finding", finding)?,
                required_action: args::text("--action", action)?,
                deadline: args::date("--deadline", deadline)?,
            })?;
        }
        SupervisionCmd::Order(OrderCmd::List) => {
            let list = s.orders()?;
            if ctx.json {
                {
                    output::json(&list);
                    return Ok(());
                }
            }
            let mut tb = Table::new(&[
                t("cli.col.id", &[]),
                t("cli.col.status", &[]),
                t("cli.col.deadline", &[]),
                t("cli.col.target", &[]),
                t("cli.col.finding", &[]),
            ]);
            for o in &list {
                let overdue = if o.overdue(today) {
                    format!(" {}", t("cli.overdue", &[]))
                } else {
                    String::new()
                };
                tb.row(vec![
                    o.id.to_string(),
                    format!("{}{overdue}", o.status.label()),
                    o.deadline.to_string(),
                    target(&o.target),
                    o.finding.clone(),
                ]);
            }
            tb.print();
        }
        SupervisionCmd::Order(OrderCmd::Show { id }) => {
            let o = s.order(order_id(id)?)?;
            if ctx.json {
                {
                    output::json(&o);
                    return Ok(());
                }
            }
            let mut f = Fields::new();
            f.add(t("cli.col.id", &[]), format!("{}  (rev {})", o.id, o.meta.rev))
                .add(t("cli.col.status", &[]), o.status.label())
                .add(t("cli.col.issuer", &[]), &o.issuer)
                .add(t("cli.col.target", &[]), target(&o.target))
                .add(t("cli.col.deadline", &[]), o.deadline.to_string())
                .add(t("cli.col.finding", &[]), &o.finding)
                .add(t("cli.col.action", &[]), &o.required_action)
                .add(
                    t("cli.col.response", &[]),
                    format!(
                        "{} {}",
                        o.responded_by.clone().unwrap_or_default(),
                        o.response.clone().unwrap_or_default()
                    ),
                );
            f.print();
        }
        SupervisionCmd::Order(OrderCmd::Respond { id, response }) => {
            ctx.run(Command::OrderRespond {
                id: order_id(id)?,
                response: args::text("--response", response)?,
            })?;
        }
        SupervisionCmd::Order(OrderCmd::Close { id }) => {
            ctx.run(Command::OrderClose { id: order_id(id)? })?;
        }
        SupervisionCmd::Report(ReportCmd::Submit { content, contact }) => {
            ctx.run(Command::ReportSubmit {
                content: args::text("--content", content)?,
                contact: contact.clone(),
            })?;
        }
        SupervisionCmd::Report(ReportCmd::List) => {
            let list = s.reports()?;
            if ctx.json {
                {
                    output::json(&list);
                    return Ok(());
                }
            }
            let mut tb = Table::new(&[
                t("cli.col.id", &[]),
                t("cli.col.received", &[]),
                t("cli.col.status", &[]),
                t("cli.col.contact", &[]),
                t("cli.col.content", &[]),
            ]);
            for r in &list {
                tb.row(vec![
                    r.id.to_string(),
                    fmt_time(r.received_at),
                    r.status.label(),
                    r.reporter_contact.clone().unwrap_or_else(|| t("cli.anonymous", &[])),
                    r.content.clone(),
                ]);
            }
            tb.print();
        }
        SupervisionCmd::Report(ReportCmd::Show { id }) => {
            let r = s.report(report_id(id)?)?;
            if ctx.json {
                {
                    output::json(&r);
                    return Ok(());
                }
            }
            let mut f = Fields::new();
            f.add(t("cli.col.id", &[]), format!("{}  (rev {})", r.id, r.meta.rev))
                .add(t("cli.col.status", &[]), r.status.label())
                .add(t("cli.col.received", &[]), fmt_time(r.received_at))
                .add(
                    t("cli.col.contact", &[]),
                    r.reporter_contact.clone().unwrap_or_else(|| t("cli.anonymous", &[])),
                )
                .add(t("cli.col.content", &[]), &r.content)
                .add(t("cli.col.investigation", &[]), &r.investigation)
                .add(t("cli.col.reply", &[]), r.reply.clone().unwrap_or_default());
            f.print();
        }
        SupervisionCmd::Report(ReportCmd::Investigate { id, notes }) => {
            ctx.run(Command::ReportInvestigate {
                id: report_id(id)?,
                notes: args::text("--notes", notes)?,
            })?;
        }
        SupervisionCmd::Report(ReportCmd::Reply { id, reply }) => {
            ctx.run(Command::ReportReply {
                id: report_id(id)?,
                reply: args::text("--reply", reply)?,
            })?;
        }
    }
    Ok(())
}

fn target(t: &OrderTarget) -> String {
    match t {
        OrderTarget::Plan(p) => p.to_string(),
        OrderTarget::Department(d) => d.clone(),
    }
}
