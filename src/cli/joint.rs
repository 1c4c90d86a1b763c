//! `beian joint-review …`: joint review meetings (专题研讨, §3.1).

use clap::Subcommand;

use super::output::{self, Fields, Table};
use super::{args, Ctx};
use crate::error::Result;
use crate::i18n::t;
use crate::model::*;
use crate::service::Command;

#[derive(Subcommand, Debug)]
pub enum JointCmd {
    /// Convene a joint review of requests that touch several departments; each goes to joint review until the position is recorded
    New {
        /// Request ids, e.g. REQ-2026-0042 REQ-2026-0043
        #[arg(value_name = "REQ", required = true, num_args = 1..)]
        requests: Vec<String>,
        /// What the meeting is about, one line
        #[arg(long)]
        topic: String,
        /// A department taking part (repeatable, or a list: 教务处,学生处); at least two
        #[arg(long = "department", value_name = "DEPARTMENT", required = true)]
        departments: Vec<String>,
        /// The day of the meeting, YYYY-MM-DD [default: today]
        #[arg(long, value_name = "DATE")]
        date: Option<String>,
    },
    /// Record the position the joint review reached: every covered request still in it is accepted, or rejected if named by --reject
    Decide {
        /// Joint review id, e.g. JR-2026-0001
        id: String,
        /// The position reached (@FILE reads a file); the reason of each rejection
        #[arg(long)]
        position: String,
        /// Reference of the meeting minutes
        #[arg(long, default_value = "")]
        minutes: String,
        /// A covered request the position rejects (repeatable)
        #[arg(long, value_name = "REQ")]
        reject: Vec<String>,
    },
    /// List the joint reviews
    #[command(alias = "ls")]
    List,
    /// Show a joint review: its requests as they are now, the departments, the day and the position
    Show {
        /// Joint review id, e.g. JR-2026-0001
        id: String,
    },
}

fn review_id(s: &str) -> Result<Id> {
    args::id("joint_review_id", s, IdKind::JointReview)
}

fn req_ids(what: &str, list: &[String]) -> Result<Vec<Id>> {
    list.iter().map(|r| args::id(what, r, IdKind::Request)).collect()
}

/// One line on a joint review, as a request shows it: id, day, departments
/// and what it decided for `request` (or that it has not decided yet).
pub fn line(m: &JointMeeting, request: Option<Id>) -> String {
    let mut s = format!("{} {} {}", m.id, m.date, m.departments.join("、"));
    match &m.position {
        None => s.push_str(&format!(" · {}", m.status_label())),
        Some(p) => {
            let verdict = request.and_then(|r| {
                if p.accepted.contains(&r) {
                    Some(RequestStatus::Accepted.label())
                } else if p.rejected.contains(&r) {
                    Some(RequestStatus::Rejected.label())
                } else if p.withdrawn.contains(&r) {
                    Some(t("joint.withdrawn", &[]))
                } else {
                    None
                }
            });
            if let Some(v) = verdict {
                s.push_str(&format!(" · {v}"));
            }
            s.push_str(&format!(" · {}", p.text));
        }
    }
    s
}

pub fn run(ctx: &Ctx, cmd: &JointCmd) -> Result<()> {
    let s = ctx.backend.as_ref();
    match cmd {
        JointCmd::New {
            requests,
            topic,
            departments,
            date,
        } => {
            let date = match date {
                Some(d) => args::date("--date", d)?,
                None => chrono::Local::now().date_naive(),
            };
            ctx.run(Command::JointReviewNew {
                topic: topic.clone(),
                requests: req_ids("request", requests)?,
                departments: departments.clone(),
                date,
            })?;
        }
        JointCmd::Decide {
            id,
            position,
            minutes,
            reject,
        } => {
            ctx.run(Command::JointReviewDecide {
                id: review_id(id)?,
                position: args::text("--position", position)?,
                minutes_ref: minutes.clone(),
                reject: req_ids("--reject", reject)?,
            })?;
        }
        JointCmd::List => {
            let list = s.joint_reviews()?;
            if ctx.json {
                output::json(&list);
                return Ok(());
            }
            let mut table = Table::new(&[
                t("cli.col.id", &[]),
                t("cli.col.date", &[]),
                t("cli.col.status", &[]),
                t("cli.col.departments", &[]),
                t("cli.col.requests", &[]),
                t("cli.col.topic", &[]),
            ]);
            for m in &list {
                table.row(vec![
                    m.id.to_string(),
                    m.date.to_string(),
                    m.status_label(),
                    m.departments.join("、"),
                    m.requests.iter().map(Id::to_string).collect::<Vec<_>>().join(" "),
                    m.topic.clone(),
                ]);
            }
            table.print();
            println!("{}", t("cli.count", &[("n", list.len().to_string())]));
        }
        JointCmd::Show { id } => {
            let m = s.joint_review(review_id(id)?)?;
            if ctx.json {
                output::json(&m);
                return Ok(());
            }
            let mut f = Fields::new();
            f.add(t("cli.col.id", &[]), format!("{}  (rev {})", m.id, m.meta.rev))
                .add(t("cli.col.topic", &[]), &m.topic)
                .add(t("cli.col.status", &[]), m.status_label())
                .add(t("cli.col.date", &[]), m.date.to_string())
                .add(t("cli.col.departments", &[]), m.departments.join("、"))
                .add(
                    t("record.field.convened", &[]),
                    format!("{} · {}", m.meta.created_by, fmt_time(m.meta.created_at)),
                );
            if let Some(p) = &m.position {
                f.add(t("cli.col.position", &[]), &p.text)
                    .add(t("cli.col.minutes", &[]), &p.minutes_ref)
                    .add(
                        t("record.field.position_recorded", &[]),
                        format!("{} · {}", p.recorded_by, fmt_time(p.recorded_at)),
                    );
            }
            f.print();
            output::heading(&t("cli.section.requests", &[]));
            let mut table = Table::new(&[
                t("cli.col.id", &[]),
                t("cli.col.status", &[]),
                t("cli.col.department", &[]),
                t("cli.col.title", &[]),
            ]);
            for rid in &m.requests {
                let r = s.request(*rid)?;
                table.row(vec![
                    rid.to_string(),
                    r.status.label(),
                    r.department.clone(),
                    r.title.clone(),
                ]);
            }
            table.print();
        }
    }
    Ok(())
}
