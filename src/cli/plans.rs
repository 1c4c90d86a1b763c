//! `beian plan …`, `golive`, `training`, `compare`, `file`, `archive`.

use clap::{Args, Subcommand};

use super::output::{self, Table};
use super::{args, Ctx};
use crate::error::{Error, Result};
use crate::i18n::t;
use crate::model::*;
use crate::service::{ArchiveFilter, Command, PlanFilter};
use crate::workflow::PlanChange;

#[derive(Subcommand, Debug)]
#[allow(clippy::large_enum_variant)]
pub enum PlanCmd {
    /// Start a plan (draft) for a system
    New(NewArgs),
    /// List plans
    #[command(alias = "ls")]
    List {
        /// Only plans in this status
        #[arg(long, value_enum)]
        status: Option<PlanStatus>,
        /// System id or name
        #[arg(long)]
        system: Option<String>,
        /// Only plans of this change class (emergency: the list for the supervision group)
        #[arg(long, value_enum)]
        class: Option<ChangeClass>,
        /// Only plans whose window reaches this day or later, YYYY-MM-DD
        #[arg(long)]
        from: Option<String>,
        /// Only plans whose window starts on this day or earlier, YYYY-MM-DD
        #[arg(long)]
        to: Option<String>,
    },
    /// Show a plan with everything recorded against it
    Show {
        /// Plan id, e.g. PLAN-2026-0007
        id: String,
    },
    /// Change written fields of a draft or returned plan
    Edit(EditArgs),
    /// Risks: add or remove
    #[command(subcommand)]
    Risk(RiskCmd),
    /// Staff assignments: add or remove
    #[command(subcommand)]
    Staff(StaffCmd),
    /// Link accepted requests to the plan, until it is approved (one line per request)
    Link {
        /// Plan id, e.g. PLAN-2026-0007
        id: String,
        /// Request ids
        #[arg(required = true)]
        requests: Vec<String>,
    },
    /// Submit for approval by the Leading Group
    Submit {
        /// Plan id, e.g. PLAN-2026-0007
        id: String,
    },
    /// Approve (role approver who did not write, submit or test the plan)
    Approve {
        /// Plan id, e.g. PLAN-2026-0007
        id: String,
        /// Approval comment (@FILE reads a file)
        #[arg(long, default_value = "")]
        comment: String,
        /// Reference of the meeting minutes
        #[arg(long, default_value = "")]
        minutes: String,
    },
    /// Return for revision with a reason (role approver; also an approved plan before implementation)
    Return {
        /// Plan id, e.g. PLAN-2026-0007
        id: String,
        /// Why the plan is returned (required; @FILE reads a file)
        #[arg(long)]
        reason: String,
        /// Reference of the meeting minutes
        #[arg(long, default_value = "")]
        minutes: String,
    },
    /// Publish the update notice (更新预告); --preview prints it only; `draft` edits it first
    #[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
    Notice(NoticeArgs),
    /// Give an approved or announced plan a new window, with the reason: it is approved again, and a published notice gets a corrected one
    Reschedule {
        /// Plan id, e.g. PLAN-2026-0007
        id: String,
        /// New window start, YYYY-MM-DD HH:MM
        #[arg(long, value_name = "TIME")]
        window_start: String,
        /// New window end, YYYY-MM-DD HH:MM
        #[arg(long, value_name = "TIME")]
        window_end: String,
        /// Why the window changes (required; @FILE reads a file)
        #[arg(long)]
        reason: String,
        /// Justification for a new window in a soft blackout period
        #[arg(long = "override", value_name = "JUSTIFICATION")]
        justification: Option<String>,
    },
    /// Milestones besides the window: test start, the go-live time fixed once tests pass, planned training (§3.4)
    Milestone(MilestoneArgs),
    /// Start implementation (needs the notice published in time)
    Implement {
        /// Plan id, e.g. PLAN-2026-0007
        id: String,
    },
    /// Cancel a plan that is not live yet
    Cancel {
        /// Plan id, e.g. PLAN-2026-0007
        id: String,
        /// Why the plan is cancelled (required; @FILE reads a file)
        #[arg(long)]
        reason: String,
    },
    /// Confirm the data backup before go-live (§3.3)
    Backup(BackupArgs),
    /// Record a go-live time outside the approved window, and why (§3.4)
    Deviation {
        /// Plan id, e.g. PLAN-2026-0007
        id: String,
        /// The actual go-live time, YYYY-MM-DD HH:MM
        #[arg(long, value_name = "TIME")]
        time: String,
        /// Why the go-live lies outside the window (@FILE reads a file)
        #[arg(long)]
        reason: String,
    },
    /// Accept the recorded go-live deviation (approver who did not contribute)
    AcceptDeviation {
        /// Plan id, e.g. PLAN-2026-0007
        id: String,
        /// Why the deviation is acceptable (@FILE reads a file)
        #[arg(long)]
        reason: String,
    },
    /// Record a rollback or serious incident after go-live (§3.4); a live plan
    /// rolled back goes back to testing, a filed one gets a sealed addendum
    Incident(IncidentArgs),
    /// Close a plan that went live as failed, with a reason (its requests are released)
    Fail {
        /// Plan id, e.g. PLAN-2026-0007
        id: String,
        /// Why the update is given up (required; @FILE reads a file)
        #[arg(long)]
        reason: String,
    },
    /// Record the post-implementation review of a live or filed update (§4.3)
    Review(ReviewArgs),
}

#[derive(Args, Debug)]
pub struct IncidentArgs {
    /// Plan id, e.g. PLAN-2026-0007
    id: String,
    /// rolled_back or incident
    #[arg(long, value_enum)]
    outcome: IncidentOutcome,
    /// When it happened, YYYY-MM-DD HH:MM [default: now]
    #[arg(long, value_name = "TIME")]
    time: Option<String>,
    /// Who dealt with it (rolled it back, handled the incident)
    #[arg(long)]
    by: String,
    /// What happened (@FILE reads a file)
    #[arg(long)]
    what: String,
}

#[derive(Args, Debug)]
pub struct ReviewArgs {
    /// Plan id, e.g. PLAN-2026-0007
    id: String,
    /// How goal N went: N=met, N=partly or N=not_met, optionally :NOTE (repeat for every goal; the goals are the plan's goal lines, numbered from 1)
    #[arg(long = "goal", value_name = "N=VERDICT[:NOTE]", required = true)]
    goals: Vec<String>,
    /// The written summary of the review (@FILE reads a file)
    #[arg(long)]
    summary: String,
}

/// `2=partly:only 3,800 at once`: the goal's number, its verdict, a note.
fn goal_input(s: &str) -> Result<crate::workflow::command::GoalInput> {
    let bad = || Error::input("--goal", s, &t("cli.expected.goal", &[]));
    let (no, rest) = s.split_once('=').ok_or_else(bad)?;
    let no: u32 = no.trim().trim_start_matches('#').parse().map_err(|_| bad())?;
    let (verdict, note) = match rest.split_once(':') {
        Some((v, n)) => (v, n),
        None => (rest, ""),
    };
    let verdict = GoalVerdict::ALL
        .iter()
        .copied()
        .find(|v| {
            let code = verdict.trim().replace('-', "_");
            v.as_str() == code || v.label() == verdict.trim()
        })
        .ok_or_else(bad)?;
    Ok(crate::workflow::command::GoalInput {
        no,
        verdict,
        note: note.trim().to_string(),
    })
}

#[derive(Args, Debug)]
pub struct NoticeArgs {
    #[command(subcommand)]
    draft: Option<NoticeCmd>,
    /// Plan id, e.g. PLAN-2026-0007
    #[arg(required = true)]
    id: Option<String>,
    /// Notice text (@FILE reads a file) [default: the draft, else generated from the plan]
    #[arg(long)]
    text: Option<String>,
    /// Who it is for
    #[arg(long, default_value = "全校师生")]
    audience: String,
    /// Print the notice that would be published, without publishing it
    #[arg(long)]
    preview: bool,
}

#[derive(Subcommand, Debug)]
pub enum NoticeCmd {
    /// Edit the notice before publishing: what users will notice, its language, its text (without options: print it)
    Draft(NoticeDraftArgs),
}

#[derive(Args, Debug)]
pub struct NoticeDraftArgs {
    /// Plan id, e.g. PLAN-2026-0007
    id: String,
    /// The services users will find changed or unavailable ("" clears; @FILE reads a file, as every text here)
    #[arg(long)]
    services: Option<String>,
    /// Who is affected: user groups, departments
    #[arg(long)]
    user_groups: Option<String>,
    /// What users will notice during and after the update
    #[arg(long)]
    impact: Option<String>,
    /// What users should do
    #[arg(long)]
    user_action: Option<String>,
    /// Whom users ask
    #[arg(long)]
    contact: Option<String>,
    /// The arrangements and compensation offered to students whose study is disrupted (§4.2)
    #[arg(long)]
    students: Option<String>,
    /// The language of the notice, whoever publishes it: zh-CN or en
    #[arg(long, value_enum)]
    language: Option<NoticeLanguage>,
    /// Save the text of this file as the draft ("-": standard input)
    #[arg(long, value_name = "FILE", conflicts_with_all = ["edit", "discard"])]
    text_file: Option<String>,
    /// Edit the draft (or the generated text) in $VISUAL or $EDITOR and save it
    #[arg(long, conflicts_with = "discard")]
    edit: bool,
    /// Discard the draft: publishing uses the generated text again
    #[arg(long)]
    discard: bool,
}

#[derive(Args, Debug)]
pub struct MilestoneArgs {
    /// Plan id, e.g. PLAN-2026-0007
    id: String,
    /// When testing starts, YYYY-MM-DD HH:MM ("" clears it)
    #[arg(long, value_name = "TIME")]
    test_start: Option<String>,
    /// The go-live time, fixed once the tests pass (the plan is ready); "" clears it
    #[arg(long, value_name = "TIME")]
    golive: Option<String>,
    /// Plan a training session on this day, YYYY-MM-DD (with --training-format)
    #[arg(long, value_name = "DATE", requires = "training_format")]
    training: Option<String>,
    /// The planned session's format: online_video, classroom or on_site
    #[arg(long, value_enum, requires = "training")]
    training_format: Option<TrainingFormat>,
    /// Where the planned session is (or the link of the video)
    #[arg(long, default_value = "")]
    training_place: String,
    /// Whom the planned session is for
    #[arg(long, default_value = "")]
    training_audience: String,
    /// Remove planned training session N (1-based, as plan show lists them)
    #[arg(long, value_name = "N")]
    remove_training: Option<usize>,
}

#[derive(Args, Debug)]
pub struct NewArgs {
    /// System id or name [default with --template: the template's]
    #[arg(long, required_unless_present = "template")]
    system: Option<String>,
    /// Change class: standard (with --template), normal, major or emergency
    #[arg(long, value_enum, default_value = "normal")]
    class: ChangeClass,
    /// A standard change of this approved template, e.g. TPL-2026-0001 (its system, scope, steps and test items)
    #[arg(long, value_name = "TEMPLATE")]
    template: Option<String>,
    /// Title, one line
    #[arg(long)]
    title: String,
    /// Version now [default: the system's current version]
    #[arg(long)]
    from: Option<String>,
    /// Version after the update
    #[arg(long)]
    to: String,
}

#[derive(Args, Debug)]
pub struct EditArgs {
    /// Plan id, e.g. PLAN-2026-0007
    id: String,
    /// New title, one line
    #[arg(long)]
    title: Option<String>,
    /// Version before the update
    #[arg(long)]
    version_from: Option<String>,
    /// Version after the update
    #[arg(long)]
    version_to: Option<String>,
    /// Goals of the update (@FILE reads a file; the same for every text field)
    #[arg(long)]
    goals: Option<String>,
    /// Content: what the update changes (scope)
    #[arg(long)]
    content: Option<String>,
    /// Technical approach
    #[arg(long)]
    approach: Option<String>,
    /// Change class: normal, major or emergency (standard changes come from a template)
    #[arg(long, value_enum)]
    class: Option<ChangeClass>,
    /// Why an emergency change cannot wait (required for the emergency class)
    #[arg(long, value_name = "REASON")]
    emergency_reason: Option<String>,
    /// Maintenance window start, YYYY-MM-DD HH:MM (with --window-end)
    #[arg(long, requires = "window_end", value_name = "TIME")]
    window_start: Option<String>,
    /// Maintenance window end, YYYY-MM-DD HH:MM (with --window-start)
    #[arg(long, requires = "window_start", value_name = "TIME")]
    window_end: Option<String>,
    /// How the data is backed up before the update
    #[arg(long)]
    backup_plan: Option<String>,
    /// Does the update migrate data: yes or no (§3.3; "yes" needs --migration-plan)
    #[arg(long, value_name = "yes|no", value_parser = clap::builder::BoolishValueParser::new())]
    migrates_data: Option<bool>,
    /// How the data is migrated
    #[arg(long)]
    migration_plan: Option<String>,
    /// How the update is rolled back if it fails
    #[arg(long)]
    rollback_plan: Option<String>,
    /// Justification for a window in a soft blackout period ("" removes it); it
    /// covers the period named by --override-period, or each soft period the
    /// window lies in now (not one added later)
    #[arg(long = "override", value_name = "JUSTIFICATION")]
    blackout_override: Option<String>,
    /// The calendar period the justification covers
    #[arg(long, value_name = "PERIOD", requires = "blackout_override")]
    override_period: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum RiskCmd {
    /// Add a risk with its mitigation
    Add {
        /// Plan id, e.g. PLAN-2026-0007
        id: String,
        /// What could go wrong (@FILE reads a file)
        #[arg(long)]
        description: String,
        /// How likely it is: low, medium or high
        #[arg(long, value_enum, default_value = "medium")]
        likelihood: Level,
        /// How much harm it would do: low, medium or high
        #[arg(long, value_enum, default_value = "medium")]
        impact: Level,
        /// How the risk is prevented or contained (@FILE reads a file)
        #[arg(long)]
        mitigation: String,
    },
    /// Remove risk number N (1-based)
    Rm {
        /// Plan id, e.g. PLAN-2026-0007
        id: String,
        /// Risk number, as `plan show` lists them
        n: usize,
    },
}

#[derive(Subcommand, Debug)]
pub enum StaffCmd {
    /// Assign a person to the update
    Add {
        /// Plan id, e.g. PLAN-2026-0007
        id: String,
        /// Who is assigned
        #[arg(long)]
        person: String,
        /// Their role in the update, e.g. 项目负责人
        #[arg(long)]
        role: String,
        /// What they are responsible for
        #[arg(long, default_value = "")]
        duty: String,
    },
    /// Remove assignment number N (1-based)
    Rm {
        /// Plan id, e.g. PLAN-2026-0007
        id: String,
        /// Assignment number, as `plan show` lists them
        n: usize,
    },
}

#[derive(Args, Debug)]
pub struct BackupArgs {
    /// Plan id, e.g. PLAN-2026-0007
    id: String,
    /// What was backed up
    #[arg(long)]
    what: String,
    /// Where the backup is
    #[arg(long)]
    location: String,
    /// Size of the backup, e.g. 120 GB
    #[arg(long, default_value = "")]
    size: String,
    /// Checksum of the backup, e.g. its SHA-256
    #[arg(long, default_value = "")]
    checksum: String,
    /// Who verified the backup can be restored
    #[arg(long)]
    verified_by: String,
}

#[derive(Args, Debug)]
pub struct GoLiveArgs {
    /// Plan id
    id: String,
    /// When it went live [default: now]
    #[arg(long, value_name = "TIME")]
    time: Option<String>,
    /// Who deployed it
    #[arg(long)]
    deployer: String,
    /// Version deployed [default: the plan's target version]
    #[arg(long)]
    version: Option<String>,
    /// Deployment steps taken (@FILE reads a file)
    #[arg(long, default_value = "")]
    steps: String,
    /// Configuration changes made (@FILE reads a file)
    #[arg(long, default_value = "")]
    config_changes: String,
    /// success, partial or rolled_back
    #[arg(long, value_enum, default_value = "success")]
    outcome: GoLiveOutcome,
    /// Incidents during go-live (@FILE reads a file)
    #[arg(long, default_value = "")]
    incidents: String,
}

#[derive(Args, Debug)]
pub struct TrainingArgs {
    /// Plan id
    id: String,
    /// online_video, classroom or on_site
    #[arg(long, value_enum)]
    format: TrainingFormat,
    /// Day of the session, YYYY-MM-DD
    #[arg(long)]
    date: String,
    /// Who gave the training
    #[arg(long)]
    trainer: String,
    /// A department that attended (repeatable)
    #[arg(long = "department")]
    departments: Vec<String>,
    /// How many people attended
    #[arg(long, default_value_t = 0)]
    attendance: u32,
    /// Whom it was for: DEPARTMENT=TARGETED/ATTENDED, e.g. 教务处=120/96 (repeatable; training coverage)
    #[arg(long, value_name = "DEPT=N/M")]
    audience: Vec<String>,
}

#[derive(Subcommand, Debug)]
pub enum CompareCmd {
    /// Add a row: a function before and after the update
    Add {
        /// Plan id
        id: String,
        /// The function compared, e.g. 成绩录入
        #[arg(long)]
        function: String,
        /// How it worked before the update
        #[arg(long, default_value = "")]
        before: String,
        /// How it works after the update
        #[arg(long, default_value = "")]
        after: String,
        /// added, changed or removed
        #[arg(long, value_enum)]
        change: ChangeType,
    },
    /// Remove row N (1-based)
    Rm {
        /// Plan id
        id: String,
        /// Row number, as `compare list` shows them
        n: usize,
    },
    /// Show the comparison
    #[command(alias = "ls")]
    List {
        /// Plan id
        id: String,
    },
}

#[derive(Args, Debug)]
pub struct FileArgs {
    /// Plan id (must be live)
    id: String,
}

#[derive(Subcommand, Debug)]
pub enum ArchiveCmd {
    /// Filed dossiers, newest first
    #[command(alias = "ls")]
    List(ArchiveArgs),
    /// Show a dossier with its addenda
    Show {
        /// Dossier id, e.g. FILE-2026-0003
        id: String,
    },
    /// Search dossiers and addenda: every word must occur (Chinese or English); best first, with the lines where they occur
    Search {
        /// Words to find, and scopes: system:NAME since:DAY|30d until:DAY version:V kind:dossier|addendum
        #[arg(required = true)]
        words: Vec<String>,
        #[command(flatten)]
        filter: ArchiveArgs,
        /// How many hits to show
        #[arg(long, default_value_t = crate::search::archive::DEFAULT_LIMIT)]
        limit: usize,
        /// Skip this many hits (the next page)
        #[arg(long, default_value_t = 0)]
        offset: usize,
    },
    /// Append a correction to a filed dossier (it never changes itself)
    Addendum {
        /// Dossier id, e.g. FILE-2026-0003
        id: String,
        /// Why the correction is needed
        #[arg(long)]
        reason: String,
        /// The correction (@FILE reads a file)
        #[arg(long)]
        text: String,
    },
}

#[derive(Args, Debug, Default)]
pub struct ArchiveArgs {
    /// System id or name
    #[arg(long)]
    system: Option<String>,
    /// Live or filed on or after this day (YYYY-MM-DD)
    #[arg(long)]
    from: Option<String>,
    /// … and on or before this day
    #[arg(long)]
    to: Option<String>,
    /// Live in the last N days
    #[arg(long, value_name = "N")]
    days: Option<i64>,
    /// Print CSV for Excel (UTF-8 with BOM); cells starting with = + - @ get a leading ' so they are not run as formulas
    #[arg(long)]
    csv: bool,
}

/// The requests linked to a plan, one a line: id, status, title.
fn print_linked(requests: &[crate::workflow::LinkedRequest]) {
    if requests.is_empty() {
        return;
    }
    output::heading(&t("cli.linked_requests", &[("n", requests.len().to_string())]));
    for r in requests {
        println!(
            "  {} {} {}",
            r.id,
            r.status.map(|s| format!("[{}]", s.label())).unwrap_or_default(),
            crate::sanitize::clean_line(&r.title)
        );
    }
}

pub fn plan_id(s: &str) -> Result<Id> {
    args::id("plan", s, IdKind::Plan)
}

fn edit(ctx: &Ctx, id: &str, changes: Vec<PlanChange>) -> Result<()> {
    ctx.run(Command::PlanEdit {
        id: plan_id(id)?,
        changes,
    })?;
    Ok(())
}

pub fn run(ctx: &Ctx, cmd: &PlanCmd) -> Result<()> {
    let s = ctx.backend.as_ref();
    match cmd {
        PlanCmd::New(x) => {
            let template = x
                .template
                .as_deref()
                .map(|v| args::id("--template", v, IdKind::Template))
                .transpose()?;
            if template.is_some() && !matches!(x.class, ChangeClass::Standard | ChangeClass::Normal) {
                return Err(Error::input(
                    "--class",
                    x.class.as_str(),
                    &ChangeClass::Standard.label(),
                ));
            }
            let system = match (&x.system, template) {
                (Some(k), _) => s.resolve_system(k)?,
                (None, Some(t)) => s.template(t)?.system,
                (None, None) => return Err(Error::input("--system", "", "SYS-0001")),
            };
            let out = ctx.run(Command::PlanNew {
                system,
                title: x.title.clone(),
                version_from: x.from.clone(),
                version_to: x.to.clone(),
                class: if template.is_some() {
                    ChangeClass::Standard
                } else {
                    x.class
                },
                template,
            })?;
            let new = out.entity.parse::<Id>().ok();
            let plans = s.plans(&PlanFilter {
                system: Some(system),
                ..Default::default()
            })?;
            let version_to = new
                .and_then(|n| plans.iter().find(|p| p.id == n))
                .map(|p| p.version_to.clone())
                .unwrap_or_else(|| x.to.clone());
            let same = crate::workflow::forward::same_target(&plans, system, &version_to, new);
            if !same.is_empty() {
                let sys = s.system(system)?;
                eprintln!(
                    "{}",
                    crate::workflow::forward::same_target_message(&sys, &version_to, &same)
                );
            }
        }
        PlanCmd::List {
            status,
            system,
            class,
            from,
            to,
        } => {
            let f = PlanFilter {
                status: *status,
                system: system.as_deref().map(|k| s.resolve_system(k)).transpose()?,
                class: *class,
            };
            let from = from.as_deref().map(|v| args::date("--from", v)).transpose()?;
            let to = to.as_deref().map(|v| args::date("--to", v)).transpose()?;
            if let (Some(a), Some(b)) = (from, to) {
                if b < a {
                    return Err(Error::input("--to", &b.to_string(), &format!(">= {a}")));
                }
            }
            let mut list = s.plans(&f)?;
            if from.is_some() || to.is_some() {
                list.retain(|p| {
                    p.window
                        .as_ref()
                        .is_some_and(|w| crate::workflow::forward::window_in(w, from, to))
                });
            }
            if ctx.json {
                output::json(&list);
                return Ok(());
            }
            let names = super::admin::system_names(ctx)?;
            let mut table = Table::new(&[
                t("cli.col.id", &[]),
                t("cli.col.status", &[]),
                t("cli.col.class", &[]),
                t("cli.col.system", &[]),
                t("cli.col.version", &[]),
                t("cli.col.window", &[]),
                t("cli.col.author", &[]),
                t("cli.col.title", &[]),
            ]);
            for p in &list {
                table.row(vec![
                    p.id.to_string(),
                    p.status.label(),
                    p.class.label(),
                    names.get(&p.system).cloned().unwrap_or_default(),
                    format!("{} → {}", p.version_from, p.version_to),
                    p.window.as_ref().map(|w| fmt_time(w.start)).unwrap_or_default(),
                    p.author.clone(),
                    p.title.clone(),
                ]);
            }
            table.print();
            println!("{}", t("cli.count", &[("n", list.len().to_string())]));
        }
        PlanCmd::Show { id } => {
            let p = s.plan(plan_id(id)?)?;
            if ctx.json {
                output::json(&p);
                return Ok(());
            }
            let sys = s.system(p.system)?;
            print_plan(&p, &sys, Some(&s.plan_gates(p.id)?));
            super::attach::print_section(ctx, &[p.id])?;
        }
        PlanCmd::Edit(x) => {
            let mut c = Vec::new();
            let text = |field: &str, v: &Option<String>| args::opt_text(field, v);
            if let Some(v) = &x.title {
                c.push(PlanChange::Title(v.clone()));
            }
            if let Some(v) = &x.version_from {
                c.push(PlanChange::VersionFrom(v.clone()));
            }
            if let Some(v) = &x.version_to {
                c.push(PlanChange::VersionTo(v.clone()));
            }
            if let Some(v) = text("--goals", &x.goals)? {
                c.push(PlanChange::Goals(v));
            }
            if let Some(v) = text("--content", &x.content)? {
                c.push(PlanChange::Content(v));
            }
            if let Some(v) = text("--approach", &x.approach)? {
                c.push(PlanChange::Approach(v));
            }
            if let Some(v) = x.class {
                c.push(PlanChange::Class(v));
            }
            if let Some(v) = text("--emergency-reason", &x.emergency_reason)? {
                c.push(PlanChange::EmergencyReason(v));
            }
            if let (Some(st), Some(en)) = (&x.window_start, &x.window_end) {
                c.push(PlanChange::Window(Some(Window {
                    start: args::time("--window-start", st)?,
                    end: args::time("--window-end", en)?,
                })));
            }
            if let Some(v) = text("--backup-plan", &x.backup_plan)? {
                c.push(PlanChange::BackupPlan(v));
            }
            if let Some(v) = x.migrates_data {
                c.push(PlanChange::MigratesData(v));
            }
            if let Some(v) = text("--migration-plan", &x.migration_plan)? {
                c.push(PlanChange::MigrationPlan(v));
            }
            if let Some(v) = text("--rollback-plan", &x.rollback_plan)? {
                c.push(PlanChange::RollbackPlan(v));
            }
            if let Some(v) = text("--override", &x.blackout_override)? {
                c.push(PlanChange::BlackoutOverride {
                    period: x.override_period.clone(),
                    reason: Some(v).filter(|v| !v.trim().is_empty()),
                });
            }
            if c.is_empty() {
                return Err(Error::input("plan edit", "", &t("cli.expected.plan_edit", &[])));
            }
            edit(ctx, &x.id, c)?;
        }
        PlanCmd::Risk(RiskCmd::Add {
            id,
            description,
            likelihood,
            impact,
            mitigation,
        }) => edit(
            ctx,
            id,
            vec![PlanChange::AddRisk(Risk {
                description: args::text("--description", description)?,
                likelihood: *likelihood,
                impact: *impact,
                mitigation: args::text("--mitigation", mitigation)?,
            })],
        )?,
        PlanCmd::Risk(RiskCmd::Rm { id, n }) => edit(ctx, id, vec![PlanChange::RemoveRisk(*n)])?,
        PlanCmd::Staff(StaffCmd::Add { id, person, role, duty }) => edit(
            ctx,
            id,
            vec![PlanChange::AddStaff(StaffAssignment {
                person: person.clone(),
                role: role.clone(),
                duty: duty.clone(),
            })],
        )?,
        PlanCmd::Staff(StaffCmd::Rm { id, n }) => edit(ctx, id, vec![PlanChange::RemoveStaff(*n)])?,
        PlanCmd::Link { id, requests } => {
            let plan = plan_id(id)?;
            super::requests::each(ctx, requests, |id| Ok(Some((Command::RequestLink { id, plan }, None))))?;
        }
        PlanCmd::Submit { id } => {
            let pid = plan_id(id)?;
            ctx.run(Command::PlanSubmit { id: pid })?;
            // The submit check: the requests the plan answers, or a warning that it answers none.
            let g = s.plan_gates(pid)?;
            if !ctx.json {
                print_linked(&g.requests);
            }
            for w in &g.warnings {
                eprintln!("beian: {} {}", t("cli.warning", &[]), w.message(pid));
            }
        }
        PlanCmd::Approve { id, comment, minutes } => {
            ctx.run(Command::PlanApprove {
                id: plan_id(id)?,
                comment: args::text("--comment", comment)?,
                minutes_ref: minutes.clone(),
            })?;
        }
        PlanCmd::Return { id, reason, minutes } => {
            ctx.run(Command::PlanReturn {
                id: plan_id(id)?,
                reason: args::text("--reason", reason)?,
                minutes_ref: minutes.clone(),
            })?;
        }
        PlanCmd::Notice(NoticeArgs {
            draft: Some(NoticeCmd::Draft(x)),
            ..
        }) => notice_draft(ctx, x)?,
        PlanCmd::Notice(NoticeArgs {
            id,
            text,
            audience,
            preview,
            ..
        }) => {
            let pid = plan_id(id.as_deref().unwrap_or_default())?;
            let text = args::opt_text("--text", text)?;
            if *preview {
                let p = s.plan(pid)?;
                let sys = s.system(p.system)?;
                let body = text.unwrap_or_else(|| crate::service::notice_to_publish(&p, &sys));
                if ctx.json {
                    output::json(&serde_json::json!({ "plan": pid, "audience": audience, "text": body }));
                } else {
                    println!("{}", crate::sanitize::clean(&body));
                }
                return Ok(());
            }
            ctx.run(Command::PlanNotice {
                id: pid,
                text,
                audience: audience.clone(),
            })?;
        }
        PlanCmd::Reschedule {
            id,
            window_start,
            window_end,
            reason,
            justification,
        } => {
            ctx.run(Command::PlanReschedule {
                id: plan_id(id)?,
                window: Window {
                    start: args::time("--window-start", window_start)?,
                    end: args::time("--window-end", window_end)?,
                },
                reason: args::text("--reason", reason)?,
                justification: args::opt_text("--override", justification)?,
            })?;
        }
        PlanCmd::Milestone(x) => milestone(ctx, x)?,
        PlanCmd::Implement { id } => {
            ctx.run(Command::PlanImplement { id: plan_id(id)? })?;
        }
        PlanCmd::Cancel { id, reason } => {
            ctx.run(Command::PlanCancel {
                id: plan_id(id)?,
                reason: args::text("--reason", reason)?,
            })?;
        }
        PlanCmd::Deviation { id, time, reason } => {
            ctx.run(Command::PlanDeviation {
                plan: plan_id(id)?,
                time: args::time("--time", time)?,
                reason: args::text("--reason", reason)?,
            })?;
        }
        PlanCmd::AcceptDeviation { id, reason } => {
            ctx.run(Command::DeviationAccept {
                plan: plan_id(id)?,
                reason: args::text("--reason", reason)?,
            })?;
        }
        PlanCmd::Incident(x) => {
            ctx.run(Command::PlanIncident {
                plan: plan_id(&x.id)?,
                outcome: x.outcome,
                time: x
                    .time
                    .as_deref()
                    .map(|v| args::time("--time", v))
                    .transpose()?
                    .unwrap_or_else(chrono::Utc::now),
                by: x.by.clone(),
                what: args::text("--what", &x.what)?,
            })?;
        }
        PlanCmd::Fail { id, reason } => {
            ctx.run(Command::PlanFail {
                plan: plan_id(id)?,
                reason: args::text("--reason", reason)?,
            })?;
        }
        PlanCmd::Review(x) => {
            ctx.run(Command::PlanReview {
                plan: plan_id(&x.id)?,
                goals: x.goals.iter().map(|g| goal_input(g)).collect::<Result<_>>()?,
                summary: args::text("--summary", &x.summary)?,
            })?;
        }
        PlanCmd::Backup(x) => {
            ctx.run(Command::Backup {
                plan: plan_id(&x.id)?,
                backup: BackupConfirmation {
                    what: x.what.clone(),
                    location: x.location.clone(),
                    size: x.size.clone(),
                    checksum: x.checksum.clone(),
                    verified_by: x.verified_by.clone(),
                    time: chrono::Utc::now(),
                },
            })?;
        }
    }
    Ok(())
}

/// `plan notice draft`: change the notice document, or print the text that
/// would be published.
fn notice_draft(ctx: &Ctx, x: &NoticeDraftArgs) -> Result<()> {
    use crate::model::NoticeField as F;
    use crate::workflow::NoticeChange;
    let s = ctx.backend.as_ref();
    let id = plan_id(&x.id)?;
    let mut changes = Vec::new();
    let fields = [
        (F::Services, "--services", &x.services),
        (F::UserGroups, "--user-groups", &x.user_groups),
        (F::Impact, "--impact", &x.impact),
        (F::UserAction, "--user-action", &x.user_action),
        (F::Contact, "--contact", &x.contact),
        (F::StudentArrangements, "--students", &x.students),
    ];
    for (field, name, value) in fields {
        if let Some(v) = args::opt_text(name, value)? {
            changes.push(NoticeChange::Field { field, value: v });
        }
    }
    if let Some(l) = x.language {
        changes.push(NoticeChange::Language { language: l });
    }
    if let Some(f) = &x.text_file {
        let text = args::text("--text-file", &format!("@{f}"))?;
        if text.trim().is_empty() {
            return Err(Error::input("--text-file", f, &t("cli.expected.notice_text", &[])));
        }
        changes.push(NoticeChange::Text { text: Some(text) });
    }
    if x.discard {
        changes.push(NoticeChange::Text { text: None });
    }
    let changed = !changes.is_empty();
    if changed {
        ctx.run(Command::PlanNoticeDraft { id, changes })?;
    }
    if x.edit {
        let p = s.plan(id)?;
        let sys = s.system(p.system)?;
        let before = crate::service::notice_to_publish(&p, &sys);
        let after = edit_in_editor(&before)?;
        if after.trim().is_empty() {
            return Err(Error::input("--edit", "", &t("cli.expected.notice_text", &[])));
        }
        if after.trim() == before.trim() {
            println!("{}", t("cli.notice.unchanged", &[]));
            return Ok(());
        }
        // A conflict if someone changed the plan while the editor was open.
        ctx.run_rev(
            Command::PlanNoticeDraft {
                id,
                changes: vec![NoticeChange::Text { text: Some(after) }],
            },
            Some(p.meta.rev),
        )?;
        return Ok(());
    }
    if !changed {
        let p = s.plan(id)?;
        let sys = s.system(p.system)?;
        let body = crate::service::notice_to_publish(&p, &sys);
        if ctx.json {
            output::json(&serde_json::json!({
                "plan": id,
                "language": p.notice_language,
                "info": p.notice_info,
                "draft": p.notice_draft,
                "text": body,
            }));
        } else {
            let key = if p.notice_draft.is_some() {
                "cli.notice.is_draft"
            } else {
                "cli.notice.is_generated"
            };
            println!("{}", t(key, &[("language", p.notice_language.label())]));
            println!("{}", crate::sanitize::clean(&body));
        }
    }
    Ok(())
}

/// Open `text` in the user's editor ($VISUAL, else $EDITOR) and return what it
/// holds when the editor exits successfully.
fn edit_in_editor(text: &str) -> Result<String> {
    let editor = ["VISUAL", "EDITOR"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|e| !e.trim().is_empty()))
        .ok_or_else(|| Error::input("--edit", "$EDITOR", &t("cli.expected.editor", &[])))?;
    let mut file = tempfile::Builder::new()
        .prefix("beian-notice-")
        .suffix(".txt")
        .tempfile()
        .map_err(|e| Error::io(std::path::Path::new("notice.txt"), e))?;
    std::io::Write::write_all(&mut file, text.as_bytes()).map_err(|e| Error::io(file.path(), e))?;
    let mut words = editor.split_whitespace();
    let program = words.next().unwrap_or_default();
    let status = std::process::Command::new(program)
        .args(words)
        .arg(file.path())
        .status()
        .map_err(|e| Error::io(std::path::Path::new(program), e))?;
    if !status.success() {
        return Err(Error::input("--edit", &editor, &t("cli.expected.editor_ok", &[])));
    }
    let bytes = crate::fsutil::read_regular(file.path(), crate::io::MAX_SMALL_FILE, crate::fsutil::Purpose::Read)?;
    String::from_utf8(bytes).map_err(|_| Error::input("--edit", &editor, &t("cli.expected.utf8_file", &[])))
}

/// `plan milestone`: set, change or clear the schedule's milestones.
fn milestone(ctx: &Ctx, x: &MilestoneArgs) -> Result<()> {
    use crate::workflow::Milestone;
    let opt_time = |name: &str, v: &Option<String>| -> Result<Option<Option<Time>>> {
        match v.as_deref().map(str::trim) {
            None => Ok(None),
            Some("") => Ok(Some(None)),
            Some(v) => Ok(Some(Some(args::time(name, v)?))),
        }
    };
    let mut changes = Vec::new();
    if let Some(t) = opt_time("--test-start", &x.test_start)? {
        changes.push(Milestone::TestStart(t));
    }
    if let Some(t) = opt_time("--golive", &x.golive)? {
        changes.push(Milestone::GoLive(t));
    }
    if let Some(n) = x.remove_training {
        changes.push(Milestone::RemoveTraining(n));
    }
    if let (Some(d), Some(format)) = (&x.training, x.training_format) {
        changes.push(Milestone::AddTraining(PlannedTraining {
            date: args::date("--training", d)?,
            format,
            place: x.training_place.clone(),
            audience: x.training_audience.clone(),
        }));
    }
    if changes.is_empty() {
        return Err(Error::input("plan milestone", "", &t("cli.expected.milestone", &[])));
    }
    ctx.run(Command::PlanMilestone {
        id: plan_id(&x.id)?,
        changes,
    })?;
    Ok(())
}

pub fn golive(ctx: &Ctx, x: &GoLiveArgs) -> Result<()> {
    let plan = plan_id(&x.id)?;
    let version = match &x.version {
        Some(v) => v.clone(),
        None => ctx.backend.plan(plan)?.version_to,
    };
    ctx.run(Command::GoLive {
        plan,
        golive: GoLive {
            time: x
                .time
                .as_deref()
                .map(|v| args::time("--time", v))
                .transpose()?
                .unwrap_or_else(chrono::Utc::now),
            deployer: x.deployer.clone(),
            version,
            steps: args::text("--steps", &x.steps)?,
            config_changes: args::text("--config-changes", &x.config_changes)?,
            outcome: x.outcome,
            incidents: args::text("--incidents", &x.incidents)?,
            deviation: None,
        },
    })?;
    Ok(())
}

pub fn training(ctx: &Ctx, x: &TrainingArgs) -> Result<()> {
    ctx.run(Command::Training {
        plan: plan_id(&x.id)?,
        training: Training {
            format: x.format,
            date: args::date("--date", &x.date)?,
            trainer: x.trainer.clone(),
            departments: x.departments.clone(),
            attendance: x.attendance,
            audience: x
                .audience
                .iter()
                .map(|a| Audience::parse(a).ok_or_else(|| Error::input("--audience", a, "教务处=120/96")))
                .collect::<Result<Vec<_>>>()?,
        },
    })?;
    Ok(())
}

pub fn compare(ctx: &Ctx, cmd: &CompareCmd) -> Result<()> {
    match cmd {
        CompareCmd::Add {
            id,
            function,
            before,
            after,
            change,
        } => {
            ctx.run(Command::ComparisonAdd {
                plan: plan_id(id)?,
                row: ComparisonRow {
                    function: function.clone(),
                    before: before.clone(),
                    after: after.clone(),
                    change: *change,
                },
            })?;
        }
        CompareCmd::Rm { id, n } => {
            ctx.run(Command::ComparisonRemove {
                plan: plan_id(id)?,
                row: *n,
            })?;
        }
        CompareCmd::List { id } => {
            let p = ctx.backend.plan(plan_id(id)?)?;
            if ctx.json {
                output::json(&p.comparison);
            } else {
                comparison_table(&p.comparison).print();
            }
        }
    }
    Ok(())
}

pub fn file(ctx: &Ctx, x: &FileArgs) -> Result<()> {
    ctx.run(Command::File { plan: plan_id(&x.id)? })?;
    Ok(())
}

/// The request of `archive search`.
pub fn search_request(
    words: &[String],
    system: Option<Id>,
    since: Option<chrono::NaiveDate>,
    until: Option<chrono::NaiveDate>,
    limit: usize,
    offset: usize,
) -> crate::search::archive::SearchRequest {
    crate::search::archive::SearchRequest {
        query: words.join(" "),
        system,
        since,
        until,
        limit,
        offset,
    }
}

/// `archive search` without opening the database: from the persistent index
/// when it is current and the data directory is readable here (no server
/// asked, nobody to act as). `None`: ask the backend instead.
pub fn search_direct(cli: &super::Cli, cmd: &ArchiveCmd) -> Option<Result<()>> {
    let ArchiveCmd::Search {
        words,
        filter,
        limit,
        offset,
    } = cmd
    else {
        return None;
    };
    if cli.socket.is_some() || cli.act_as.is_some() || filter.csv {
        return None;
    }
    // A system named by its name is resolved by the database.
    let system = match filter.system.as_deref() {
        None => None,
        Some(k) => Some(Id::parse_kind(k, IdKind::System).ok()?),
    };
    let dir = super::data_dir(&cli.db);
    let m = crate::search::archive::current_manifest(&dir)?;
    // Files others may change are refused as at open (`datadir.rs`): that answer comes from the database.
    crate::datadir::check(&dir).ok()?;
    let config = crate::config::Config::load(&dir).ok()?;
    let actor = crate::config::local_actor(&config, &m.creator);
    Some((|| {
        crate::workflow::check(&actor, crate::workflow::Op::ReadRecords)?;
        let mut since = filter.from.as_deref().map(|v| args::date("--from", v)).transpose()?;
        if let Some(d) = filter.days {
            since = Some(chrono::Local::now().date_naive() - chrono::Duration::days(d));
        }
        let until = filter.to.as_deref().map(|v| args::date("--to", v)).transpose()?;
        let req = search_request(words, system, since, until, *limit, *offset);
        let answer = crate::search::archive::search(&dir, &m, &req, chrono::Utc::now())?;
        print_search(&answer, cli.json);
        Ok(())
    })())
}

/// Highlight matches (bold yellow) when standard output is a terminal and
/// `NO_COLOR` is not set.
fn highlight_on() -> bool {
    use std::io::IsTerminal;
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// A snippet line with its matches marked (or plain).
pub fn marked(s: &crate::search::archive::Snippet, color: bool) -> String {
    if !color {
        return s.line.clone();
    }
    let mut out = String::with_capacity(s.line.len() + 16);
    let mut at = 0;
    for &(a, b) in &s.matches {
        let (Some(pre), Some(m)) = (s.line.get(at..a), s.line.get(a..b)) else {
            continue;
        };
        out.push_str(pre);
        out.push_str("\x1b[1;33m");
        out.push_str(m);
        out.push_str("\x1b[0m");
        at = b;
    }
    out.push_str(s.line.get(at..).unwrap_or_default());
    out
}

fn print_search(a: &crate::search::archive::SearchAnswer, json: bool) {
    if json {
        output::json(a);
        return;
    }
    let color = highlight_on();
    for h in &a.hits {
        let d = &h.dossier;
        let kind = crate::i18n::enum_label("RecordKind", kind_code(h.kind));
        println!(
            "{}  {}  {}  {}  {} → {}  {}",
            h.reference(),
            kind,
            fmt_time(h.time),
            crate::sanitize::clean_line(&d.system_name),
            crate::sanitize::clean_line(&d.version_from),
            crate::sanitize::clean_line(&d.version_to),
            crate::sanitize::clean_line(&d.title),
        );
        for s in &h.snippets {
            println!("    {}", marked(s, color));
        }
    }
    let shown = a.hits.len();
    let more = a.total.saturating_sub(a.offset + shown);
    println!(
        "{}",
        t(
            "search.shown",
            &[
                ("total", a.total.to_string()),
                ("from", (a.offset + 1).min(a.total.max(1)).to_string()),
                ("to", (a.offset + shown).to_string()),
            ]
        )
    );
    if more > 0 {
        println!(
            "{}",
            t(
                "search.more",
                &[("n", more.to_string()), ("offset", (a.offset + shown).to_string())]
            )
        );
    }
}

pub fn kind_code(k: crate::search::archive::RecordKind) -> &'static str {
    match k {
        crate::search::archive::RecordKind::Dossier => "dossier",
        crate::search::archive::RecordKind::Addendum => "addendum",
    }
}

#[derive(Args, Debug, Default)]
pub struct ChangesArgs {
    /// System id or name
    #[arg(long)]
    system: Option<String>,
    /// Since this day (YYYY-MM-DD) or N days ago (30d)
    #[arg(long, default_value = "30d")]
    since: String,
}

/// `beian changes`: every go-live, rollback and incident of the period, filed
/// or not, and the implementations under way.
pub fn changes(ctx: &Ctx, a: &ChangesArgs) -> Result<()> {
    let s = ctx.backend.as_ref();
    let system = a.system.as_deref().map(|k| s.resolve_system(k)).transpose()?;
    let today = chrono::Local::now().date_naive();
    let since = match a.since.strip_suffix('d').and_then(|n| n.parse::<i64>().ok()) {
        Some(n) if (0..=36_600).contains(&n) => today - chrono::Duration::days(n),
        _ => args::date("--since", &a.since)?,
    };
    let list = s.changes(system, Some(since))?;
    if ctx.json {
        output::json(&list);
        return Ok(());
    }
    let systems: std::collections::HashMap<Id, String> = if list.is_empty() {
        Default::default()
    } else {
        s.systems()?.into_iter().map(|x| (x.id, x.name)).collect()
    };
    let mut table = Table::new(&[
        t("cli.col.time", &[]),
        t("changes.col.event", &[]),
        t("cli.col.system", &[]),
        t("cli.col.version", &[]),
        t("cli.col.plan", &[]),
        t("changes.col.filed", &[]),
        t("cli.col.title", &[]),
    ]);
    for c in &list {
        let filed = match c.dossier {
            Some(d) => d.to_string(),
            None => t("changes.not_filed", &[]),
        };
        let mut notes = Vec::new();
        if !c.what.trim().is_empty() {
            notes.push(c.what.clone());
        }
        table.row_with_notes(
            vec![
                fmt_time(c.time),
                c.label(),
                systems.get(&c.system).cloned().unwrap_or_else(|| c.system.to_string()),
                format!("{} → {}", c.version_from, c.version_to),
                c.plan.to_string(),
                filed,
                c.title.clone(),
            ],
            notes,
        );
    }
    table.print();
    println!("{}", t("cli.count", &[("n", list.len().to_string())]));
    Ok(())
}

fn archive_filter(ctx: &Ctx, x: &ArchiveArgs, text: Option<String>) -> Result<ArchiveFilter> {
    let mut from = x.from.as_deref().map(|v| args::date("--from", v)).transpose()?;
    if let Some(d) = x.days {
        from = Some(chrono::Local::now().date_naive() - chrono::Duration::days(d));
    }
    Ok(ArchiveFilter {
        system: x.system.as_deref().map(|k| ctx.backend.resolve_system(k)).transpose()?,
        text,
        from,
        to: x.to.as_deref().map(|v| args::date("--to", v)).transpose()?,
    })
}

pub fn archive(ctx: &Ctx, cmd: &ArchiveCmd) -> Result<()> {
    let s = ctx.backend.as_ref();
    let (list, csv) = match cmd {
        ArchiveCmd::List(x) => (s.archive(&archive_filter(ctx, x, None)?)?, x.csv),
        ArchiveCmd::Search {
            words,
            filter,
            limit,
            offset,
        } => {
            let f = archive_filter(ctx, filter, None)?;
            let req = search_request(words, f.system, f.from, f.to, *limit, *offset);
            let answer = s.archive_search(&req)?;
            if filter.csv {
                // The page's hits, each as its dossier's row (an addendum's too).
                let rows: Vec<_> = answer.hits.iter().map(|h| h.dossier.clone()).collect();
                return super::export::print_bytes(&crate::export::archive_csv(&rows));
            }
            print_search(&answer, ctx.json);
            return Ok(());
        }
        ArchiveCmd::Show { id } => {
            let v = s.dossier(args::id("dossier", id, IdKind::Dossier)?)?;
            if ctx.json {
                output::json(&v);
                return Ok(());
            }
            println!("{}", crate::sanitize::visible_line(&crate::export::dossier_title(&v)));
            super::sections::print(&crate::export::dossier_sections(&v));
            super::attach::print_section(ctx, &[v.dossier.id, v.dossier.plan.id])?;
            return Ok(());
        }
        ArchiveCmd::Addendum { id, reason, text } => {
            ctx.run(Command::Addendum {
                dossier: args::id("dossier", id, IdKind::Dossier)?,
                reason: reason.clone(),
                text: args::text("--text", text)?,
            })?;
            return Ok(());
        }
    };
    if csv {
        return super::export::print_bytes(&crate::export::archive_csv(&list));
    }
    if ctx.json {
        output::json(&list);
        return Ok(());
    }
    let mut table = Table::new(&[
        t("cli.col.id", &[]),
        t("cli.col.live", &[]),
        t("cli.col.class", &[]),
        t("cli.col.system", &[]),
        t("cli.col.version", &[]),
        t("cli.col.plan", &[]),
        t("cli.col.title", &[]),
    ]);
    for d in &list {
        table.row(vec![
            d.id.to_string(),
            d.live_at.map(fmt_time).unwrap_or_default(),
            d.class.label(),
            d.system_name.clone(),
            format!("{} → {}", d.version_from, d.version_to),
            d.plan.to_string(),
            d.title.clone(),
        ]);
    }
    table.print();
    println!("{}", t("cli.count", &[("n", list.len().to_string())]));
    Ok(())
}

fn comparison_table(rows: &[ComparisonRow]) -> Table {
    let mut table = Table::new(&[
        "#".into(),
        t("cli.col.function", &[]),
        t("cli.col.change", &[]),
        t("cli.col.before", &[]),
        t("cli.col.after", &[]),
    ]);
    for (i, r) in rows.iter().enumerate() {
        table.row(vec![
            (i + 1).to_string(),
            r.function.clone(),
            r.change.label(),
            r.before.clone(),
            r.after.clone(),
        ]);
    }
    table
}

/// The plan and everything recorded against it, section by section
/// ([`crate::export::plan_sections`]); with its gates, what each step still
/// needs and the calendar periods its window now lies in.
pub fn print_plan(p: &Plan, sys: &System, gates: Option<&crate::workflow::Gates>) {
    super::sections::print(&crate::export::plan_sections(p, sys, gates));
}
