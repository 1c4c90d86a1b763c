//! `beian supervision …`: rectification orders and confidential reports (§5.1).

use clap::Subcommand;

use super::output::{self, Table};
use super::{args, Ctx};
use crate::error::{Error, Result};
use crate::export::supervision as sections;
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
    /// Show an order: issued, responded and closed (who, when), extensions, every response
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
    /// Extend the deadline of an order not yet closed, with a reason (role supervisor)
    Extend {
        /// Order id, e.g. RO-2026-0001
        id: String,
        /// The new deadline, YYYY-MM-DD: after the current one, not in the past
        #[arg(long)]
        deadline: String,
        /// Why the deadline moves (@FILE reads a file)
        #[arg(long)]
        reason: String,
    },
    /// Send a response back as insufficient: the order is open again (role supervisor)
    SendBack {
        /// Order id, e.g. RO-2026-0001
        id: String,
        /// What the response lacks (@FILE reads a file)
        #[arg(long)]
        reason: String,
    },
    /// Reopen a closed order, with a reason (role supervisor)
    Reopen {
        /// Order id, e.g. RO-2026-0001
        id: String,
        /// Why the rectification did not hold (@FILE reads a file)
        #[arg(long)]
        reason: String,
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
    /// Record the reply to the reporter and close the report (after investigating it)
    Reply {
        /// Report id, e.g. RPT-2026-0001
        id: String,
        /// The reply to the reporter (@FILE reads a file)
        #[arg(long)]
        reply: String,
    },
    /// Link a report to the plan it concerns
    Link {
        /// Report id, e.g. RPT-2026-0001
        id: String,
        /// The plan, e.g. PLAN-2026-0001
        #[arg(long)]
        plan: String,
    },
    /// Turn a report under investigation into a rectification order, in one step
    ToOrder {
        /// Report id, e.g. RPT-2026-0001
        id: String,
        /// The plan concerned [default: the plan the report is linked to]
        #[arg(long, conflicts_with = "department")]
        plan: Option<String>,
        /// The department concerned
        #[arg(long)]
        department: Option<String>,
        /// What was found wrong [default: the investigation notes] (@FILE reads a file)
        #[arg(long)]
        finding: Option<String>,
        /// What must be done
        #[arg(long)]
        action: String,
        /// Deadline for the rectification, YYYY-MM-DD
        #[arg(long)]
        deadline: String,
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
                output::json(&list);
                return Ok(());
            }
            let mut tb = Table::new(&[
                t("cli.col.id", &[]),
                t("cli.col.status", &[]),
                t("cli.col.deadline", &[]),
                t("cli.col.target", &[]),
                t("cli.col.finding", &[]),
            ]);
            for o in &list {
                let deadline = if o.extensions.is_empty() {
                    o.deadline.to_string()
                } else {
                    format!("{} {}", o.deadline, t("cli.extended", &[]))
                };
                tb.row(vec![
                    o.id.to_string(),
                    sections::order_status(o, o.overdue(today)),
                    deadline,
                    sections::order_target(&o.target),
                    o.finding.clone(),
                ]);
            }
            tb.print();
        }
        SupervisionCmd::Order(OrderCmd::Show { id }) => {
            let o = s.order(order_id(id)?)?;
            if ctx.json {
                output::json(&o);
                return Ok(());
            }
            super::sections::print(&sections::order_sections(&o, o.overdue(today)));
            super::attach::print_section(ctx, &[o.id])?;
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
        SupervisionCmd::Order(OrderCmd::Extend { id, deadline, reason }) => {
            ctx.run(Command::OrderExtend {
                id: order_id(id)?,
                deadline: args::date("--deadline", deadline)?,
                reason: args::text("--reason", reason)?,
            })?;
        }
        SupervisionCmd::Order(OrderCmd::SendBack { id, reason }) => {
            ctx.run(Command::OrderSendBack {
                id: order_id(id)?,
                reason: args::text("--reason", reason)?,
            })?;
        }
        SupervisionCmd::Order(OrderCmd::Reopen { id, reason }) => {
            ctx.run(Command::OrderReopen {
                id: order_id(id)?,
                reason: args::text("--reason", reason)?,
            })?;
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
                output::json(&r);
                return Ok(());
            }
            super::sections::print(&sections::report_sections(&r));
            super::attach::print_section(ctx, &[r.id])?;
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
        SupervisionCmd::Report(ReportCmd::Link { id, plan }) => {
            ctx.run(Command::ReportLink {
                id: report_id(id)?,
                plan: super::plans::plan_id(plan)?,
            })?;
        }
        SupervisionCmd::Report(ReportCmd::ToOrder {
            id,
            plan,
            department,
            finding,
            action,
            deadline,
        }) => {
            let target = match (plan, department) {
                (Some(p), _) => Some(OrderTarget::Plan(super::plans::plan_id(p)?)),
                (None, Some(d)) => Some(OrderTarget::Department(d.clone())),
                (None, None) => None,
            };
            ctx.run(Command::ReportToOrder {
                id: report_id(id)?,
                target,
                finding: finding.as_deref().map(|f| args::text("--finding", f)).transpose()?,
                required_action: args::text("--action", action)?,
                deadline: args::date("--deadline", deadline)?,
            })?;
        }
    }
    Ok(())
}
