//! `beian request …`

use clap::{Args, Subcommand};

use super::output::{self, Fields, Table};
use super::{args, Ctx};
use crate::error::Result;
use crate::i18n::t;
use crate::model::*;
use crate::service::{Command, NewRequest, RequestEdit, RequestFilter, Triage};

#[derive(Subcommand, Debug)]
pub enum RequestCmd {
    /// Record a new request or problem report
    Add(AddArgs),
    /// List requests, filtered
    #[command(alias = "ls")]
    List(ListArgs),
    /// Withdraw the latest triage decision: the request goes back to the status it had before it (a planned request is unlinked first)
    Reopen {
        /// Request id, e.g. REQ-2026-0042
        id: String,
        /// Why the decision is withdrawn (@FILE reads a file)
        #[arg(long)]
        reason: String,
    },
    /// Take a planned request off its plan until the plan is approved (draft, returned, or submitted before any approval); it is accepted again
    Unlink {
        /// Request id, e.g. REQ-2026-0042
        id: String,
        /// Why it leaves the plan (@FILE reads a file)
        #[arg(long)]
        reason: String,
    },
    /// Show a request with its analysis and comments
    Show {
        /// Request id, e.g. REQ-2026-0042
        id: String,
    },
    /// Triage requests: triaged, accept, reject, duplicate or joint-review (one line per request)
    Triage(TriageArgs),
    /// Change fields: priority, tags, analysis notes, system …
    Edit(EditArgs),
    /// Add a comment to the thread of one or more requests
    Comment {
        /// Request ids, e.g. REQ-2026-0042 REQ-2026-0043
        #[arg(value_name = "ID", required = true, num_args = 1..)]
        ids: Vec<String>,
        /// The comment (@FILE reads a file)
        text: String,
    },
    /// Link accepted requests to a plan, until the plan is approved (also: beian plan link PLAN REQ…); with --feedback, link requests to a live or filed plan as post-update feedback
    Link {
        /// Request ids, e.g. REQ-2026-0042 REQ-2026-0043
        #[arg(value_name = "ID", required = true, num_args = 1..)]
        ids: Vec<String>,
        /// Plan id, e.g. PLAN-2026-0007
        plan: String,
        /// Post-update feedback (§2.3): problems reported after the plan's update, not part of its scope
        #[arg(long)]
        feedback: bool,
    },
    /// Add or remove tags on one or more requests, keeping their other tags
    Tag(TagArgs),
}

#[derive(Args, Debug)]
#[command(group = clap::ArgGroup::new("change").required(true).multiple(true).args(["add", "remove"]))]
pub struct TagArgs {
    /// Request ids, e.g. REQ-2026-0042 REQ-2026-0043
    #[arg(value_name = "ID", required = true, num_args = 1..)]
    ids: Vec<String>,
    /// A tag to add (repeatable)
    #[arg(long, value_name = "TAG")]
    add: Vec<String>,
    /// A tag to remove (repeatable)
    #[arg(long, value_name = "TAG")]
    remove: Vec<String>,
}

#[derive(Args, Debug)]
pub struct AddArgs {
    /// Title, one line
    #[arg(long)]
    title: String,
    /// Body text (@FILE reads a file, @- standard input)
    #[arg(long, default_value = "")]
    body: String,
    /// problem or feature
    #[arg(long, value_enum, default_value = "problem")]
    kind: RequestKind,
    /// System id or name
    #[arg(long)]
    system: Option<String>,
    /// Who submitted it
    #[arg(long)]
    submitter: String,
    /// How to reach the submitter
    #[arg(long, default_value = "")]
    contact: String,
    /// teacher, student, staff or department
    #[arg(long, value_enum, default_value = "staff")]
    submitter_type: SubmitterType,
    /// The submitter's department
    #[arg(long, default_value = "")]
    department: String,
    /// questionnaire, email, website, counsellor, phone or other
    #[arg(long, value_enum, default_value = "other")]
    channel: Channel,
    /// When it was received [default: now]
    #[arg(long, value_name = "TIME")]
    received: Option<String>,
    /// low, normal, high or urgent
    #[arg(long, value_enum, default_value = "normal")]
    priority: Priority,
    /// A tag (repeatable)
    #[arg(long = "tag")]
    tags: Vec<String>,
}

#[derive(Args, Debug)]
pub struct ListArgs {
    /// Only requests in this status
    #[arg(long, value_enum)]
    status: Option<RequestStatus>,
    /// System id or name
    #[arg(long)]
    system: Option<String>,
    /// Only requests received through this channel
    #[arg(long, value_enum)]
    channel: Option<Channel>,
    /// Only problem reports or only feature requests
    #[arg(long, value_enum)]
    kind: Option<RequestKind>,
    /// Part of the department's name
    #[arg(long)]
    department: Option<String>,
    /// Linked to this plan
    #[arg(long)]
    plan: Option<String>,
    /// Words that must all occur in the title, department or tags
    #[arg(long)]
    text: Option<String>,
    /// Print CSV for Excel (UTF-8 with BOM); cells starting with = + - @ get a leading ' so they are not run as formulas
    #[arg(long)]
    csv: bool,
}

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum Decision {
    /// Looked at and classified; decision pending
    Triaged,
    Accept,
    Reject,
    Duplicate,
    JointReview,
}

#[derive(Args, Debug)]
pub struct TriageArgs {
    /// Request ids, e.g. REQ-2026-0042 REQ-2026-0043
    #[arg(value_name = "ID", required = true, num_args = 1..)]
    ids: Vec<String>,
    /// triaged, accept, reject, duplicate or joint-review
    #[arg(value_enum)]
    decision: Decision,
    /// Why it is rejected (required for reject)
    #[arg(long)]
    reason: Option<String>,
    /// The original request (required for duplicate)
    #[arg(long, value_name = "REQ", required_if_eq("decision", "duplicate"))]
    of: Option<String>,
    /// The joint review meeting's position (accepting from joint review)
    #[arg(long)]
    outcome: Option<String>,
}

#[derive(Args, Debug)]
pub struct EditArgs {
    /// Request id, e.g. REQ-2026-0042
    id: String,
    /// New title, one line
    #[arg(long)]
    title: Option<String>,
    /// New body text (@FILE reads a file)
    #[arg(long)]
    body: Option<String>,
    /// System id or name
    #[arg(long)]
    system: Option<String>,
    /// The submitter's department
    #[arg(long)]
    department: Option<String>,
    /// low, normal, high or urgent
    #[arg(long, value_enum)]
    priority: Option<Priority>,
    /// Replace the tags (repeatable)
    #[arg(long = "tag")]
    tags: Option<Vec<String>>,
    /// Analysis: is the update necessary? (@FILE reads a file)
    #[arg(long)]
    necessity: Option<String>,
    /// Analysis: is it feasible? (@FILE reads a file)
    #[arg(long)]
    feasibility: Option<String>,
}

fn req_id(s: &str) -> Result<Id> {
    args::id("request", s, IdKind::Request)
}

pub fn run(ctx: &Ctx, cmd: &RequestCmd) -> Result<()> {
    let s = ctx.backend.as_ref();
    match cmd {
        RequestCmd::Add(x) => {
            let system = x.system.as_deref().map(|k| s.resolve_system(k)).transpose()?;
            let received_at = x.received.as_deref().map(|v| args::time("--received", v)).transpose()?;
            let out = ctx.run(Command::RequestAdd {
                request: NewRequest {
                    kind: x.kind,
                    title: x.title.clone(),
                    body: args::text("--body", &x.body)?,
                    system,
                    submitter: Submitter {
                        name: x.submitter.clone(),
                        contact: x.contact.clone(),
                        kind: x.submitter_type,
                    },
                    department: x.department.clone(),
                    channel: x.channel,
                    received_at,
                    priority: x.priority,
                    tags: x.tags.clone(),
                },
            })?;
            // A request that looks like one in the queue: say which (it is tagged).
            if let Ok(id) = out.entity.parse::<Id>() {
                let r = s.request(id)?;
                if let Some(o) = r.similar_to {
                    warn_similar(ctx, &r, o)?;
                }
            }
        }
        RequestCmd::List(x) => {
            let f = RequestFilter {
                status: x.status,
                system: x.system.as_deref().map(|k| s.resolve_system(k)).transpose()?,
                channel: x.channel,
                kind: x.kind,
                department: x.department.clone(),
                text: x.text.clone(),
                plan: x
                    .plan
                    .as_deref()
                    .map(|p| args::id("--plan", p, IdKind::Plan))
                    .transpose()?,
            };
            let list = s.requests(&f)?;
            if x.csv {
                let names = super::admin::system_names(ctx)?;
                return super::export::print_bytes(&crate::export::requests_csv(&list, &names));
            }
            if ctx.json {
                output::json(&list);
                return Ok(());
            }
            let names = super::admin::system_names(ctx)?;
            let now = chrono::Utc::now();
            let mut table = Table::new(&[
                t("cli.col.id", &[]),
                t("cli.col.received", &[]),
                t("cli.col.age", &[]),
                t("cli.col.status", &[]),
                t("cli.col.system", &[]),
                t("cli.col.kind", &[]),
                t("cli.col.channel", &[]),
                t("cli.col.department", &[]),
                t("cli.col.title", &[]),
            ]);
            for r in &list {
                table.row(vec![
                    r.id.to_string(),
                    fmt_day(r.received_at, now),
                    fmt_age(r.received_at, now),
                    r.status.label(),
                    r.system.and_then(|id| names.get(&id).cloned()).unwrap_or_default(),
                    r.kind.label(),
                    r.channel.label(),
                    r.department.clone(),
                    r.title.clone(),
                ]);
            }
            table.print();
            println!("{}", t("cli.count", &[("n", list.len().to_string())]));
        }
        RequestCmd::Reopen { id, reason } => {
            ctx.run(Command::RequestReopen {
                id: req_id(id)?,
                reason: args::text("reason", reason)?,
            })?;
        }
        RequestCmd::Unlink { id, reason } => {
            ctx.run(Command::RequestUnlink {
                id: req_id(id)?,
                reason: args::text("reason", reason)?,
            })?;
        }
        RequestCmd::Show { id } => {
            let r = s.request(req_id(id)?)?;
            if ctx.json {
                output::json(&r);
                return Ok(());
            }
            let names = super::admin::system_names(ctx)?;
            let mut f = Fields::new();
            f.add(t("cli.col.id", &[]), format!("{}  (rev {})", r.id, r.meta.rev))
                .add(t("cli.col.title", &[]), &r.title)
                .add(t("cli.col.status", &[]), r.status.label())
                .add(t("cli.col.kind", &[]), r.kind.label())
                .add(
                    t("cli.col.system", &[]),
                    r.system.and_then(|id| names.get(&id).cloned()).unwrap_or_default(),
                )
                .add(
                    t("cli.col.submitter", &[]),
                    format!(
                        "{} ({}) {}",
                        r.submitter.name,
                        r.submitter.kind.label(),
                        r.submitter.contact
                    ),
                )
                .add(t("cli.col.department", &[]), &r.department)
                .add(t("cli.col.channel", &[]), r.channel.label())
                .add(t("cli.col.received", &[]), fmt_time(r.received_at))
                .add(t("cli.col.priority", &[]), r.priority.label())
                .add(t("cli.col.tags", &[]), r.shown_tags().join(", "));
            if let Some(o) = r.similar_to {
                f.add(t("cli.col.similar_to", &[]), o.to_string());
            }
            if let Some(p) = r.plan {
                f.add(t("cli.col.plan", &[]), p.to_string());
            }
            if let Some(p) = r.feedback_on {
                f.add(t("record.field.feedback_on", &[]), p.to_string());
            }
            if let Some(d) = r.duplicate_of {
                f.add(t("cli.col.duplicate_of", &[]), d.to_string());
            }
            if let Some(reason) = &r.reject_reason {
                f.add(t("cli.col.reason", &[]), reason);
            }
            if let Some(j) = &r.joint_review {
                f.add(
                    t("cli.col.joint_review", &[]),
                    format!(
                        "{} {} {}",
                        fmt_time(j.sent_at),
                        j.sent_by,
                        j.outcome.clone().unwrap_or_default()
                    ),
                );
            }
            // The joint review meetings that cover it (§3.1), with what they reached.
            for m in s.joint_reviews()?.into_iter().filter(|m| m.requests.contains(&r.id)) {
                f.add(t("cli.col.joint_meeting", &[]), super::joint::line(&m, Some(r.id)));
            }
            f.add(t("cli.col.necessity", &[]), &r.necessity)
                .add(t("cli.col.feasibility", &[]), &r.feasibility)
                .add(t("cli.col.body", &[]), &r.body);
            f.print();
            if !r.comments.is_empty() {
                output::heading(&t("cli.comments", &[]));
                for c in &r.comments {
                    println!(
                        "  {} {}: {}",
                        fmt_time(c.time),
                        crate::sanitize::clean_line(&c.author),
                        crate::sanitize::clean_line(&c.text)
                    );
                }
            }
        }
        RequestCmd::Triage(x) => {
            let triage = match x.decision {
                Decision::Triaged => Triage::Triage,
                Decision::Accept => Triage::Accept {
                    outcome: args::opt_text("--outcome", &x.outcome)?,
                },
                Decision::Reject => Triage::Reject {
                    reason: args::opt_text("--reason", &x.reason)?.unwrap_or_default(),
                },
                Decision::Duplicate => {
                    // clap requires --of with duplicate.
                    let of = x.of.as_deref().unwrap_or_default();
                    Triage::Duplicate {
                        of: args::id("--of", of, IdKind::Request)?,
                    }
                }
                Decision::JointReview => Triage::JointReview,
            };
            each(ctx, &x.ids, |id| {
                Ok(Some((
                    Command::RequestTriage {
                        id,
                        triage: triage.clone(),
                    },
                    None,
                )))
            })?;
        }
        RequestCmd::Edit(x) => {
            let edit = RequestEdit {
                title: x.title.clone(),
                body: args::opt_text("--body", &x.body)?,
                system: x.system.as_deref().map(|k| s.resolve_system(k)).transpose()?,
                department: x.department.clone(),
                priority: x.priority,
                tags: x.tags.clone(),
                necessity: args::opt_text("--necessity", &x.necessity)?,
                feasibility: args::opt_text("--feasibility", &x.feasibility)?,
            };
            ctx.run(Command::RequestEdit {
                id: req_id(&x.id)?,
                edit,
            })?;
        }
        RequestCmd::Comment { ids, text } => {
            let text = args::text("text", text)?;
            each(ctx, ids, |id| {
                Ok(Some((Command::RequestComment { id, text: text.clone() }, None)))
            })?;
        }
        RequestCmd::Link { ids, plan, feedback } => {
            let plan = args::id("plan", plan, IdKind::Plan)?;
            each(ctx, ids, |id| {
                Ok(Some((
                    if *feedback {
                        Command::RequestFeedback { id, plan }
                    } else {
                        Command::RequestLink { id, plan }
                    },
                    None,
                )))
            })?;
        }
        RequestCmd::Tag(x) => {
            each(ctx, &x.ids, |id| {
                // The tags as they are now, changed as asked; saved only if the
                // request is still at the revision read (else exit 4).
                let r = s.request(id)?;
                let mut tags: Vec<String> = r.tags.iter().filter(|t| !x.remove.contains(t)).cloned().collect();
                for t in &x.add {
                    if !tags.contains(t) {
                        tags.push(t.clone());
                    }
                }
                if tags == r.tags {
                    return Ok(None);
                }
                let edit = RequestEdit {
                    tags: Some(tags),
                    ..RequestEdit::default()
                };
                Ok(Some((Command::RequestEdit { id, edit }, Some(r.meta.rev))))
            })?;
        }
    }
    Ok(())
}

/// `beian: 注意：REQ-2026-0050 与 REQ-2026-0012「…」相似，已标记「疑似重复」…`
/// on standard error: the request a new one looks like, by id and title, and
/// how to mark it a duplicate if it is one.
fn warn_similar(ctx: &Ctx, r: &Request, o: Id) -> Result<()> {
    let title = ctx.backend.request(o).map(|x| x.title).unwrap_or_default();
    eprintln!(
        "beian: {}",
        crate::sanitize::clean_line(&t(
            "cli.similar.warning",
            &[
                ("id", r.id.to_string()),
                ("other", o.to_string()),
                ("title", title),
                ("tag", crate::workflow::LIKELY_DUPLICATE_TAG.to_string()),
            ],
        ))
    );
    Ok(())
}

/// What to do for one request: a command, with the revision the request must
/// still be at, or nothing because nothing would change.
pub(super) type Step = Option<(Command, Option<u64>)>;

/// Run one command per request, each through the core exactly as a command on
/// one request would run (its own permission check, rules and transaction).
/// One line per request: done, unchanged, or refused and why (on standard
/// error); with `--json` one array of those. Refusals do not stop the others;
/// if any request was refused the command fails with the exit code of the
/// first refusal. Malformed ids are refused before anything is done.
pub(super) fn each(ctx: &Ctx, ids: &[String], mut make: impl FnMut(Id) -> Result<Step>) -> Result<()> {
    let mut parsed: Vec<Id> = Vec::new();
    for s in ids {
        let id = req_id(s)?;
        if !parsed.contains(&id) {
            parsed.push(id);
        }
    }
    let unchanged = |id: Id| {
        if ctx.json {
            output::json(&serde_json::json!({ "entity": id, "unchanged": true }));
        } else {
            println!("{} {id}: {}", t("cli.ok", &[]), t("cli.each.unchanged", &[]));
        }
    };
    if let [id] = parsed[..] {
        match make(id)? {
            Some((cmd, rev)) => {
                ctx.run_rev(cmd, ctx.expect_rev.or(rev))?;
            }
            None => unchanged(id),
        }
        return Ok(());
    }
    if let Some(rev) = ctx.expect_rev {
        return Err(crate::Error::input(
            "--expect-rev",
            &rev.to_string(),
            &t("cli.each.expect_rev", &[]),
        ));
    }
    let total = parsed.len();
    let mut results = Vec::new();
    let mut first_failure: Option<i32> = None;
    let mut failed = 0;
    for id in parsed {
        let done = make(id).and_then(|step| match step {
            Some((cmd, rev)) => ctx.backend.execute(cmd, rev).map(Some),
            None => Ok(None),
        });
        match done {
            Ok(Some(out)) if ctx.json => results.push(serde_json::json!({ "entity": id, "ok": true, "outcome": out })),
            Ok(Some(out)) => super::print_outcome(&out),
            Ok(None) if ctx.json => results.push(serde_json::json!({ "entity": id, "ok": true, "unchanged": true })),
            Ok(None) => unchanged(id),
            Err(e) => {
                if ctx.json {
                    results.push(serde_json::json!({
                        "entity": id, "ok": false, "error": e, "message": e.message(), "exit_code": e.exit_code()
                    }));
                } else {
                    eprintln!("beian: {id}: {}", e.message());
                }
                failed += 1;
                first_failure.get_or_insert(e.exit_code());
            }
        }
    }
    if ctx.json {
        output::json(&results);
    }
    match first_failure {
        Some(code) => Err(crate::Error::Partial { failed, total, code }),
        None => Ok(()),
    }
}
