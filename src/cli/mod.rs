//! The command-line interface: clap parsing and dispatch only. Every command goes
//! through [`crate::service::Service`]; nothing here decides what is allowed.

mod admin;
mod approvers;
mod args;
mod attach;
mod attention;
mod export;
mod help_i18n;
mod import;
mod integrity;
mod joint;
mod keymap_cmd;
mod output;
mod package;
mod people;
mod plans;
mod register;
mod report;
mod requests;
mod schedule;
mod sections;
mod supervision;
mod templates;
mod tests_cmd;

use std::path::PathBuf;

use clap::{FromArgMatches, Parser, Subcommand};

use crate::error::{Error, Result};
use crate::i18n::t;
use crate::service::{Backend, Command, Local, Outcome, Service};

#[derive(Parser, Debug)]
#[command(
    name = "beian",
    version,
    about = "File information-system version updates (版本更新备案): requests, plans, tests, go-live, archive",
    long_about = None
)]
pub struct Cli {
    /// Data directory of the database [default: $XDG_DATA_HOME/beian]
    #[arg(long, global = true, env = "BEIAN_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Interface language: zh-CN or en [default: from the locale]
    #[arg(long, global = true, value_name = "LANG")]
    pub lang: Option<String>,
    /// Print data as JSON (read commands print data only; errors go to stderr)
    #[arg(long, global = true)]
    pub json: bool,
    /// Refuse the change unless the record is still at this revision
    #[arg(long, global = true, value_name = "REV")]
    pub expect_rev: Option<u64>,
    /// Draw borders with ASCII (+-|) for terminals that show box characters double-width
    #[arg(long, global = true)]
    pub ascii: bool,
    /// Socket of `beian serve` [default: $XDG_RUNTIME_DIR/beian/beian.sock, else DB/beian.sock]
    #[arg(long, global = true, env = "BEIAN_SOCKET", value_name = "PATH")]
    pub socket: Option<PathBuf>,
    /// In a demo database, act as one of its people (like the terminal UI's `:as`)
    #[arg(long = "as", global = true, value_name = "PERSON")]
    pub act_as: Option<String>,
    /// Open the database in this process instead of starting a server for it (tests, scripts; also BEIAN_NO_SERVER=1)
    #[arg(long, global = true)]
    pub no_server: bool,
    /// Without a command, the full-screen terminal UI opens
    #[command(subcommand)]
    pub command: Option<Top>,
}

#[derive(Subcommand, Debug)]
pub enum Top {
    /// Create a new database; you become its admin
    Init,
    /// Create a demo database with a semester of believable data
    Demo(admin::DemoArgs),
    /// Show who you are and your roles in this database
    Whoami,
    /// Serve the database to every beian of this machine over a Unix socket
    Serve(admin::ServeArgs),
    /// Show the server: socket, database, uptime, connected users (admin, supervisor)
    Status,
    /// Counts and what needs attention
    Overview,
    /// What needs someone now: each item with why, since when and which role should act
    Attention(attention::AttentionArgs),
    /// Information systems
    #[command(subcommand)]
    System(admin::SystemCmd),
    /// Requests and problem reports (§3.1)
    #[command(subcommand, alias = "req")]
    Request(requests::RequestCmd),
    /// Joint reviews (专题研讨, §3.1): requests that touch several departments, the departments taking part, the day and the position reached
    #[command(subcommand, name = "joint-review", alias = "jr")]
    JointReview(joint::JointCmd),
    /// Import requests from questionnaire exports, email and JSON lines (§3.1)
    Import(import::ImportArgs),
    /// Take in one message from a mail server (standard input)
    #[command(subcommand)]
    Intake(import::IntakeCmd),
    /// Update plans (§3.2), backup confirmation, notice, cancel; after go-live: incident, fail, review
    #[command(subcommand)]
    Plan(plans::PlanCmd),
    /// Templates of standard changes, approved once by the Leading Group (§2.1, §3.2)
    #[command(subcommand, alias = "tpl")]
    Template(templates::TemplateCmd),
    /// Test rounds, items, results and defects (§3.3)
    #[command(subcommand)]
    Test(tests_cmd::TestCmd),
    /// Record a go-live (§3.4)
    Golive(plans::GoLiveArgs),
    /// Record a training session (§3.4); after filing, a sealed addendum
    Training(plans::TrainingArgs),
    /// The before/after feature comparison of a plan (§3.5)
    #[command(subcommand)]
    Compare(plans::CompareCmd),
    /// File a live plan into the archive (§3.5)
    File(plans::FileArgs),
    /// The archive of filed dossiers
    #[command(subcommand)]
    Archive(plans::ArchiveCmd),
    /// What changed lately: every go-live, rollback and incident, filed or not, and implementations under way
    Changes(plans::ChangesArgs),
    /// Export the update notice (text, Markdown, .eml), a dossier (Markdown, JSON) or a test report
    #[command(subcommand)]
    Export(export::ExportCmd),
    /// Supervision: rectification orders and confidential reports (§5.1)
    #[command(subcommand, alias = "sv")]
    Supervision(supervision::SupervisionCmd),
    /// Periodic evaluation of updates (§4.3): Markdown, CSV or JSON
    Report(report::ReportArgs),
    /// Contributions per person and department, with awards and penalties (§5.2)
    Contributions(report::ReportArgs),
    /// The forward schedule (§3.2): upcoming windows by week, blackout periods and conflicts
    Schedule(schedule::ScheduleArgs),
    /// Awards and penalties recorded with a reason (§5.2)
    #[command(subcommand)]
    Recognition(report::RecognitionCmd),
    /// Attach files to a request, plan, dossier, order or report (§3.5 related materials)
    Attach(attach::AttachArgs),
    /// List the files attached to a record
    Attachments(attach::ListArgs),
    /// One attached file: save it to a path
    #[command(subcommand)]
    Attachment(attach::AttachmentCmd),
    /// The academic calendar of blackout periods
    #[command(subcommand)]
    Calendar(admin::CalendarCmd),
    /// The Leading Group: substitutes who decide in a member's place (§2.1)
    #[command(subcommand)]
    Approver(approvers::ApproverCmd),
    /// The audit log (supervisors): filter by record, user, action and time
    Audit(admin::AuditArgs),
    /// Recompute the hash chain of the audit log and the archive; report the first broken link
    Verify(integrity::VerifyArgs),
    /// Write a consistent, engine-independent backup (JSON lines) while the server keeps serving
    Backup(integrity::BackupArgs),
    /// Build a new database from a backup and verify it
    Restore(integrity::RestoreArgs),
    /// Rewrite the database compactly (offline: stop `beian serve` first)
    Compact,
    /// Rebuild the counts and the queue order from the records (offline)
    Reindex,
    /// Keymaps: check a file, list the commands, show the bindings
    #[command(subcommand)]
    Keymap(keymap_cmd::KeymapCmd),
    /// The register of people, departments and vendors that mail is addressed from
    #[command(subcommand, alias = "reg")]
    Register(register::RegisterCmd),
    /// Names in the records linked to the register: which ones it does not settle
    #[command(subcommand)]
    People(people::PeopleCmd),
    /// Mail through the machine's MTA: the outbox, delivery, the progress report
    #[command(subcommand)]
    Mail(register::MailCmd),
    /// Print shell completions
    Completions {
        /// bash, zsh, fish, elvish or powershell
        shell: clap_complete::Shell,
    },
    /// Write the man pages to a directory (or print beian.1)
    Man {
        /// Directory for beian.1 and one page per subcommand
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
}

/// What a command runs with: the database (opened here or through the server)
/// and the acting user it knows.
pub struct Ctx {
    pub backend: Box<dyn Backend>,
    pub json: bool,
    pub expect_rev: Option<u64>,
}

impl Ctx {
    /// Run a command and print what it did.
    pub fn run(&self, cmd: Command) -> Result<Outcome> {
        self.run_rev(cmd, self.expect_rev)
    }

    /// Run a command that must find its record at revision `rev`.
    pub fn run_rev(&self, cmd: Command, rev: Option<u64>) -> Result<Outcome> {
        let out = self.backend.execute(cmd, rev)?;
        if self.json {
            output::json(&out);
        } else {
            print_outcome(&out);
        }
        Ok(out)
    }
}

/// `ok REQ-2026-0042 (rev 3): new → triaged` / `完成 REQ-2026-0042 (rev 3): 新建 → 已分拣`.
pub fn print_outcome(out: &Outcome) {
    let rev = out.rev.map(|r| format!(" (rev {r})")).unwrap_or_default();
    println!(
        "{} {}{rev}: {}",
        t("cli.ok", &[]),
        out.entity,
        crate::sanitize::clean_line(&shown_summary(&out.entity, &out.summary))
    );
}

/// A command's summary as the audit log keeps it (`new → triaged`,
/// `triaged → rejected: …`, `title, priority`) with the statuses and the
/// fields it names shown by their labels; anything else as it is.
pub fn shown_summary(entity: &str, summary: &str) -> String {
    use crate::model::IdKind;
    let lang = crate::i18n::current();
    let status_type = match entity
        .split(' ')
        .next()
        .and_then(|e| e.parse::<crate::model::Id>().ok())
    {
        Some(id) => match id.kind {
            IdKind::Request => "RequestStatus",
            IdKind::Plan => "PlanStatus",
            IdKind::Order => "OrderStatus",
            IdKind::Report => "ReportStatus",
            IdKind::Template => "TemplateStatus",
            _ => "",
        },
        None => "",
    };
    let status = |v: &str| {
        let key = format!("enum.{status_type}.{v}");
        (!status_type.is_empty() && crate::i18n::has(&lang, &key)).then(|| t(&key, &[]))
    };
    let fields = |s: &str| -> Option<String> {
        let names: Vec<&str> = s.split(", ").collect();
        names
            .iter()
            .all(|n| crate::i18n::has(&lang, &format!("field.{n}")))
            .then(|| crate::i18n::list(names.iter().map(|n| crate::workflow::field_label(n))))
    };
    let (head, rest) = match summary.split_once(": ") {
        Some((h, r)) => (h, Some(r)),
        None => (summary, None),
    };
    let head = match head.split_once(" → ") {
        Some((a, b)) => match (status(a), status(b)) {
            (Some(a), Some(b)) => format!("{a} → {b}"),
            _ => head.to_string(),
        },
        None => fields(head).unwrap_or_else(|| head.to_string()),
    };
    match rest {
        Some(r) => format!("{head}: {}", fields(r).unwrap_or_else(|| r.to_string())),
        None => head,
    }
}

/// The command tree as `beian` parses and shows it, in the current language.
pub fn command() -> clap::Command {
    help_i18n::command()
}

pub use help_i18n::REVISED;

/// Every CLI help text key with its English text (see `help_i18n`).
pub fn help_keys() -> Vec<(String, String)> {
    help_i18n::help_keys()
}

pub fn tui_options(cli: &Cli) -> crate::tui::Options {
    crate::tui::Options {
        ascii: cli.ascii,
        no_color: false,
    }
}

pub fn data_dir(cli_db: &Option<PathBuf>) -> PathBuf {
    cli_db.clone().unwrap_or_else(crate::config::default_data_dir)
}

/// The socket to try: `--socket` / `BEIAN_SOCKET`, else the default for the data
/// directory. The flag says whether it was named.
pub fn socket_path(cli: &Cli) -> (PathBuf, bool) {
    match &cli.socket {
        Some(s) => (s.clone(), true),
        None => (crate::server::default_socket(&data_dir(&cli.db)), false),
    }
}

fn same_dir(a: &std::path::Path, b: &std::path::Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// Connect to the server when its socket answers; otherwise connect to the
/// server `owner.lock` names, starting one when none answers
/// (`server::autostart`: only the database's owner does; anyone else is told
/// whom to ask). With `--no-server` / `BEIAN_NO_SERVER=1` the database is
/// opened in this process instead, as before servers started on demand.
///
/// A socket named with `--socket` or `BEIAN_SOCKET` is used whatever database
/// it serves, and must answer: if it does not, that is the error (never a
/// quiet switch to another server or to opening the database here). The
/// default socket is used only when it serves the data directory asked for.
/// The server must run as the database's owner (or `BEIAN_SERVER_USER`; see
/// `server::client::expected_server`).
pub fn connect_or_open(cli: &Cli) -> Result<Box<dyn Backend>> {
    use crate::server::Remote;
    let dir = data_dir(&cli.db);
    let (socket, named) = socket_path(cli);
    // The database's owner runs its server, when the database is named or the
    // socket is the database's own; a named socket alone is judged by its directory.
    let owner_dir = (cli.db.is_some() || !named).then_some(dir.as_path());
    match Remote::connect_to(&socket, owner_dir) {
        Ok(r) if named || same_dir(std::path::Path::new(r.db()), &dir) => return Ok(Box::new(r)),
        Ok(_) => {}
        Err(e) if named => return Err(e),
        // Nobody (reachable) listens on the default socket: open the database here.
        Err(Error::NoServer { .. } | Error::ServerDown { .. } | Error::Io { .. } | Error::SocketDenied { .. }) => {}
        // Something answered, and refused or is not the server: that is the answer.
        Err(e) => return Err(e),
    }
    if !(cli.no_server || crate::server::autostart::no_server_env()) {
        // A server stopping after its idle time may close a connection just
        // made: the next try starts a new one.
        let mut tries = 0;
        loop {
            match crate::server::autostart::connect_or_start(&dir) {
                Ok(Some(r)) => return Ok(Box::new(r)),
                // No database there: opening it says so.
                Ok(None) => break,
                Err(Error::Disconnected { .. }) if tries < 2 => tries += 1,
                Err(e) => return Err(e),
            }
        }
    }
    open_here(&dir)
}

/// Open the database in this process; when a server holds it, connect to the
/// socket `owner.lock` names.
fn open_here(dir: &std::path::Path) -> Result<Box<dyn Backend>> {
    use crate::server::Remote;
    match Service::open(dir) {
        Ok(s) => Ok(Box::new(Local::new(s))),
        Err(Error::Locked { path, holder }) => match crate::server::socket_of_holder(&holder) {
            Some(sock) => match Remote::connect_to(&sock, Some(dir)) {
                Ok(r) => Ok(Box::new(r)),
                Err(e @ (Error::WrongServer { .. } | Error::SocketDenied { .. })) => Err(e),
                Err(e) => Err(Error::Served {
                    path,
                    holder,
                    socket: sock.display().to_string(),
                    detail: e.message(),
                }),
            },
            None => Err(Error::Locked { path, holder }),
        },
        Err(e) => Err(e),
    }
}

fn open(cli: &Cli) -> Result<Ctx> {
    let backend = connect_or_open(cli)?;
    // The same decision as the terminal UI's `:as`, made where the database
    // lives: a demo database, its owner only, audited.
    if let Some(person) = &cli.act_as {
        backend.act_as(person)?;
    }
    Ok(Ctx {
        backend,
        json: cli.json,
        expect_rev: cli.expect_rev,
    })
}

/// Parse the arguments, run, print errors; returns the exit code.
pub fn main() -> i32 {
    // The language must be known before clap prints help, so look for --lang first.
    let argv: Vec<String> = std::env::args().collect();
    let lang = argv
        .iter()
        .position(|a| a == "--lang")
        .and_then(|i| argv.get(i + 1).cloned())
        .or_else(|| argv.iter().find_map(|a| a.strip_prefix("--lang=").map(String::from)));
    crate::i18n::init(lang.as_deref());
    let json = argv.iter().skip(1).any(|a| a == "--json");
    let matches = match help_i18n::command().try_get_matches_from(&argv) {
        Ok(m) => m,
        Err(e) => return clap_error(&e, json),
    };
    let mut cli = match Cli::from_arg_matches(&matches) {
        Ok(c) => c,
        Err(e) => return clap_error(&e, json),
    };
    cli.expect_rev = help_i18n::expect_rev(&matches);
    let json = cli.json;
    // `--expect-rev` makes a change to one record conditional; anywhere else
    // it would be silently ignored.
    let path = help_i18n::command_path(&matches);
    if let Some(rev) = cli.expect_rev.filter(|_| !help_i18n::REVISED.contains(&path.as_str())) {
        let e = Error::input(
            "--expect-rev",
            &rev.to_string(),
            &t(
                "cli.expect_rev.where",
                &[("command", format!("beian {path}").trim_end().to_string())],
            ),
        );
        report(&e, json);
        return e.exit_code();
    }
    // A closed standard output ends a command quietly; the server (whose log
    // is its standard error) and the full-screen UI keep the default.
    if !matches!(cli.command, None | Some(Top::Serve(_))) {
        output::quiet_when_stdout_closes();
    }
    match dispatch(cli) {
        Ok(()) => 0,
        Err(e) => {
            report(&e, json);
            e.exit_code()
        }
    }
}

/// The help or the version as asked (exit 0), else a usage error in the
/// user's language (exit 2): as JSON on standard error with `--json`.
fn clap_error(e: &clap::Error, json: bool) -> i32 {
    if help_i18n::is_display(e) || e.kind() == clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
        let _ = e.print();
        return e.exit_code();
    }
    let message = help_i18n::usage_error(e);
    if json {
        let v = serde_json::json!({ "error": "usage", "message": message, "exit_code": e.exit_code() });
        eprintln!("{}", output::terminal_safe_json(&v.to_string()));
    } else {
        eprintln!("beian: {message}");
    }
    e.exit_code()
}

fn report(e: &Error, json: bool) {
    if json {
        let v = serde_json::json!({ "error": e, "message": e.message(), "exit_code": e.exit_code() });
        // The fields may quote file names: escaped like every JSON beian prints.
        eprintln!("{}", output::terminal_safe_json(&v.to_string()));
    } else {
        eprintln!("beian: {}", e.message());
    }
}

fn dispatch(cli: Cli) -> Result<()> {
    let ctx = || open(&cli);
    let Some(command) = &cli.command else {
        return crate::tui::run(open(&cli)?.backend, tui_options(&cli));
    };
    match command {
        Top::Init => admin::init(&cli),
        Top::Demo(a) => admin::demo(&cli, a),
        Top::Keymap(c) => keymap_cmd::run(c, cli.json),
        Top::Completions { shell } => {
            let mut cmd = help_i18n::command();
            let mut script = Vec::new();
            clap_complete::generate(*shell, &mut cmd, "beian", &mut script);
            output::print_bytes(&script)
        }
        Top::Man { out } => admin::man(out.as_deref()),
        Top::Whoami => admin::whoami(&ctx()?),
        Top::Serve(a) => admin::serve(&cli, a),
        Top::Status => admin::status(&ctx()?),
        Top::Overview => admin::overview(&ctx()?),
        Top::Attention(a) => attention::run(&ctx()?, a),
        Top::System(c) => admin::system(&ctx()?, c),
        Top::Request(c) => requests::run(&ctx()?, c),
        Top::JointReview(c) => joint::run(&ctx()?, c),
        Top::Import(a) => import::import(&ctx()?, a),
        Top::Intake(c) => import::intake(&ctx()?, c),
        Top::Plan(c) => plans::run(&ctx()?, c),
        Top::Template(c) => templates::run(&ctx()?, c),
        Top::Test(c) => tests_cmd::run(&ctx()?, c),
        Top::Golive(a) => plans::golive(&ctx()?, a),
        Top::Training(a) => plans::training(&ctx()?, a),
        Top::Compare(c) => plans::compare(&ctx()?, c),
        Top::File(a) => plans::file(&ctx()?, a),
        Top::Archive(c) => match plans::search_direct(&cli, c) {
            Some(done) => done,
            None => plans::archive(&ctx()?, c),
        },
        Top::Changes(a) => plans::changes(&ctx()?, a),
        Top::Export(c) => export::run(&ctx()?, c),
        Top::Supervision(c) => supervision::run(&ctx()?, c),
        Top::Report(a) => report::report(&ctx()?, a),
        Top::Contributions(a) => report::contributions(&ctx()?, a),
        Top::Schedule(a) => schedule::run(&ctx()?, a),
        Top::Recognition(c) => report::recognition(&ctx()?, c),
        Top::Attach(a) => attach::attach(&ctx()?, a),
        Top::Attachments(a) => attach::list(&ctx()?, a),
        Top::Attachment(c) => attach::run(&ctx()?, c),
        Top::Calendar(c) => admin::calendar(&ctx()?, c),
        Top::Approver(c) => approvers::run(&ctx()?, c),
        Top::Audit(a) => admin::audit(&ctx()?, a),
        Top::Verify(a) => integrity::verify(ctx, cli.json, a),
        Top::Backup(a) => integrity::backup(&ctx()?, a),
        Top::Restore(a) => integrity::restore(cli.json, a),
        Top::Compact => integrity::compact(&cli),
        Top::Reindex => integrity::reindex(&cli),
        Top::Register(c) => register::run(&ctx()?, c),
        Top::People(c) => people::run(&ctx()?, c),
        Top::Mail(c) => register::mail(&ctx()?, c),
    }
}
