//! `beian init`, `demo`, `whoami`, `overview`, `system …`, `calendar …`, `audit`, `man`.

use std::collections::HashMap;
use std::path::Path;

use clap::{Args, Subcommand};
use serde::Deserialize;

use super::output::{self, Fields, Table};
use super::{args, data_dir, Cli, Ctx};
use crate::error::{Error, Result};
use crate::i18n::t;
use crate::model::*;
use crate::service::{Command, Service};

#[derive(Subcommand, Debug)]
pub enum SystemCmd {
    /// Register an information system (role admin)
    Add {
        /// Name of the system, e.g. 教务管理系统
        #[arg(long)]
        name: String,
        /// Owning department
        #[arg(long, default_value = "")]
        department: String,
        /// Vendor or development team
        #[arg(long, default_value = "")]
        vendor: String,
        /// Current version
        #[arg(long, default_value = "")]
        version: String,
    },
    /// List the information systems
    #[command(alias = "ls")]
    List,
    /// Show a system and its plans
    Show {
        /// System id or name
        system: String,
    },
    /// Change a system's fields (role admin)
    Edit {
        /// System id or name
        system: String,
        /// New name
        #[arg(long)]
        name: Option<String>,
        /// Owning department
        #[arg(long)]
        department: Option<String>,
        /// Vendor or development team
        #[arg(long)]
        vendor: Option<String>,
        /// Current version
        #[arg(long)]
        version: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum CalendarCmd {
    /// List the blackout periods
    #[command(alias = "ls")]
    List,
    /// Add a blackout period (role admin)
    Add {
        /// Name of the period, e.g. 期末考试
        name: String,
        /// First day, YYYY-MM-DD
        #[arg(long)]
        start: String,
        /// Last day, YYYY-MM-DD
        #[arg(long)]
        end: String,
        /// Cannot be overridden (otherwise a justification can override it)
        #[arg(long)]
        hard: bool,
        /// Only this system (id or name; repeat for several) [default: every system]
        #[arg(long)]
        system: Vec<String>,
    },
    /// Remove a blackout period by name (role admin)
    Remove {
        /// Name of the period
        name: String,
    },
    /// Replace the calendar with the periods of a TOML file (role admin)
    Import {
        /// A file of [[blackout]] tables: name, start, end, hard, systems
        file: std::path::PathBuf,
    },
}

#[derive(Args, Debug)]
pub struct AuditArgs {
    /// Only events about this record (e.g. PLAN-2026-0007)
    #[arg(long)]
    entity: Option<String>,
    /// Only events by this user (login name)
    #[arg(long, value_name = "USER")]
    actor: Option<String>,
    /// Only this action: its name (plan.approve), its label (批准计划), or an area (plan); repeatable
    #[arg(long, value_name = "ACTION")]
    action: Vec<String>,
    /// Only events at or after this day (YYYY-MM-DD) or time (RFC 3339)
    #[arg(long, value_name = "WHEN")]
    since: Option<String>,
    /// Only events up to this day (YYYY-MM-DD, the whole day) or time (RFC 3339)
    #[arg(long, value_name = "WHEN")]
    until: Option<String>,
    /// How many, newest first
    #[arg(long, default_value_t = 50)]
    limit: usize,
}

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Give the socket to this Unix group (the operators); it is made mode 0660
    #[arg(long, value_name = "GROUP")]
    socket_group: Option<String>,
}

pub fn serve(cli: &Cli, a: &ServeArgs) -> Result<()> {
    let opts = crate::server::Options {
        db: data_dir(&cli.db),
        socket: super::socket_path(cli).0,
        socket_group: a.socket_group.clone(),
    };
    let json = cli.json;
    crate::server::serve(&opts, |st| {
        if json {
            output::json(st);
        } else {
            println!(
                "{}",
                t(
                    "cli.serve.ready",
                    &[
                        ("db", st.db.clone()),
                        ("socket", st.socket.clone()),
                        ("pid", st.pid.to_string())
                    ]
                )
            );
        }
        use std::io::Write;
        let _ = std::io::stdout().flush();
    })
}

pub fn status(ctx: &Ctx) -> Result<()> {
    let st = ctx.backend.server_status()?;
    if ctx.json {
        output::json(&st);
        return Ok(());
    }
    let up = st.uptime_secs;
    let mut f = Fields::new();
    f.add(t("cli.status.socket", &[]), &st.socket)
        .add(t("cli.status.db", &[]), &st.db)
        .add(
            t("cli.status.server", &[]),
            format!("beian {} (pid {}, protocol {})", st.server_version, st.pid, st.protocol),
        )
        .add(
            t("cli.status.uptime", &[]),
            format!(
                "{}d {:02}:{:02}:{:02}",
                up / 86400,
                up / 3600 % 24,
                up / 60 % 60,
                up % 60
            ),
        );
    let w = &st.writes;
    let waiting = w.waiting.to_string();
    f.add(
        t("cli.status.writes", &[]),
        match &w.held_by {
            Some(h) => t(
                "cli.status.held",
                &[
                    ("kind", t(&format!("cli.status.kind.{}", h.kind), &[])),
                    ("user", h.user.clone()),
                    ("since", fmt_time(h.since)),
                    ("waiting", waiting),
                ],
            ),
            None => t("cli.status.free", &[("waiting", waiting)]),
        },
    );
    f.print();
    let mut tb = Table::new(&[
        t("cli.col.user", &[]),
        "uid".into(),
        "pid".into(),
        t("cli.col.since", &[]),
        t("cli.col.live", &[]),
        t("cli.col.requests", &[]),
    ]);
    for c in &st.connections {
        tb.row(vec![
            c.user.clone(),
            c.uid.to_string(),
            c.pid.to_string(),
            fmt_time(c.since),
            if c.subscribed { "✓".into() } else { String::new() },
            c.requests.to_string(),
        ]);
    }
    println!();
    tb.print();
    Ok(())
}

pub fn init(cli: &Cli) -> Result<()> {
    let dir = data_dir(&cli.db);
    let me = crate::config::os_user_name();
    let service = Service::create(&dir, &me, false)?;
    if cli.json {
        output::json(&serde_json::json!({ "db": dir, "admin": me }));
    } else {
        println!(
            "{}",
            t(
                "cli.init.done",
                &[
                    ("path", crate::sanitize::visible_line(&dir.display().to_string())),
                    ("user", me)
                ]
            )
        );
        println!(
            "{}",
            t(
                "cli.init.config",
                &[(
                    "path",
                    service.dir().join(crate::config::CONFIG_FILE).display().to_string()
                )]
            )
        );
    }
    Ok(())
}

#[derive(Args, Debug)]
pub struct DemoArgs {
    /// tour: a semester to explore (default); small: 1,000 requests, 100 dossiers; large: ten years of a large university (100,000 requests, 10,000 dossiers, 500,000 audit events; minutes)
    #[arg(long, value_enum, default_value = "tour")]
    scale: DemoScale,
    /// Replace an existing demo database without asking (never a database that is not a demo)
    #[arg(long)]
    force: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DemoScale {
    Tour,
    Small,
    Large,
}

/// A path as one word of a shell command line: quoted when it needs to be.
fn shell_word(s: &str) -> String {
    let plain = !s.is_empty() && s.chars().all(|c| c.is_alphanumeric() || "/._-+,:=@%~".contains(c));
    if plain {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// The exact commands for the demo database in `dir`: to open it again, and
/// to make a new one in its place (`beian demo --force`). The data directory
/// is named unless it is the default of that command.
fn demo_commands(dir: &Path) -> (String, String) {
    let named = |default: std::path::PathBuf| {
        if dir == default {
            String::new()
        } else {
            format!(
                " --db {}",
                shell_word(&crate::sanitize::visible_line(&dir.display().to_string()))
            )
        }
    };
    (
        format!("beian{}", named(crate::config::default_data_dir())),
        format!("beian{} demo --force", named(crate::config::default_demo_dir())),
    )
}

/// What to tell someone who will come back to the demo: the command that
/// reopens it, and `:as` with the demo people and their roles.
fn demo_reopen_text(service: &Service, dir: &Path) -> String {
    let (reopen, _) = demo_commands(dir);
    let me = service.creator().to_string();
    let people: Vec<(String, Vec<Role>)> = service
        .config()
        .roles
        .users
        .keys()
        .filter(|n| **n != me)
        .map(|n| (n.clone(), service.config().roles_for(n, &[], &me)))
        .filter(|(_, roles)| !roles.is_empty())
        .collect();
    let mut text = t("cli.demo.reopen", &[("command", reopen)]);
    if !people.is_empty() {
        text.push('\n');
        text.push_str(&t(
            "cli.demo.personas",
            &[("people", crate::workflow::persona_list(&people)), ("me", me)],
        ));
    }
    text
}

/// `beian demo` finds a demo database in `dir`: replace it? With `--force`,
/// yes; on a terminal, the user says (y/N); otherwise (a script, `--json`)
/// no, and the refusal names `--force`.
fn replace_demo(cli: &Cli, a: &DemoArgs, dir: &Path) -> Result<bool> {
    use std::io::{BufRead, IsTerminal, Write};
    if a.force {
        return Ok(true);
    }
    let (reopen, force) = demo_commands(dir);
    let path = crate::sanitize::visible_line(&dir.display().to_string());
    if cli.json || !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
        return Err(Error::DemoExists { path, force, reopen });
    }
    let mut err = std::io::stderr();
    let _ = write!(err, "{}", t("cli.demo.ask_replace", &[("path", path.clone())]));
    let _ = err.flush();
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| Error::io(Path::new("stdin"), e))?;
    let yes = matches!(
        answer.trim().to_lowercase().as_str(),
        "y" | "yes" | "是" | "是的" | "好"
    );
    if !yes {
        println!("{}", t("cli.demo.kept", &[("path", path), ("command", reopen)]));
    }
    Ok(yes)
}

pub fn demo(cli: &Cli, a: &DemoArgs) -> Result<()> {
    let dir = cli.db.clone().unwrap_or_else(crate::config::default_demo_dir);
    if dir.join("db").exists() {
        let existing = Service::open(&dir)?;
        if !existing.is_demo()? {
            return Err(Error::AlreadyExists {
                path: dir.display().to_string(),
            });
        }
        drop(existing);
        if !replace_demo(cli, a, &dir)? {
            return Ok(());
        }
        for entry in ["db", crate::config::CONFIG_FILE] {
            let p = dir.join(entry);
            let r = if p.is_dir() {
                std::fs::remove_dir_all(&p)
            } else {
                std::fs::remove_file(&p)
            };
            r.map_err(|e| Error::io(&p, e))?;
        }
    }
    let me = crate::config::os_user_name();
    let mut service = Service::create(&dir, &me, true)?;
    let now = chrono::Utc::now();
    let stats = match a.scale {
        DemoScale::Tour => serde_json::to_value(crate::demo::populate(&mut service, now)?),
        DemoScale::Small => serde_json::to_value(crate::demo_large::generate(
            &mut service,
            crate::demo_large::Scale::SMALL,
            now,
            2026,
        )?),
        DemoScale::Large => serde_json::to_value(crate::demo_large::generate(
            &mut service,
            crate::demo_large::Scale::LARGE,
            now,
            2026,
        )?),
    }
    .expect("stats serialize");
    if cli.json {
        output::json(&serde_json::json!({ "db": dir, "stats": stats }));
        return Ok(());
    }
    if crate::tui::have_terminal() {
        let reopen = demo_reopen_text(&service, &dir);
        crate::tui::run(Box::new(crate::service::Local::new(service)), super::tui_options(cli))?;
        println!("{reopen}");
        return Ok(());
    }
    println!(
        "{}",
        t(
            "cli.demo.done",
            &[("path", crate::sanitize::visible_line(&dir.display().to_string()))]
        )
    );
    // Both kinds of demo report these counts.
    let n = |k: &str| stats[k].as_u64().unwrap_or(0).to_string();
    let mut f = Fields::new();
    f.add(t("cli.overview.systems", &[]), n("systems"))
        .add(t("cli.overview.requests", &[]), n("requests"))
        .add(t("cli.overview.plans", &[]), n("plans"))
        .add(t("cli.overview.dossiers", &[]), n("dossiers"))
        .add(t("cli.overview.audit", &[]), n("audit_events"));
    f.print();
    println!(
        "\n{}",
        t(
            "cli.demo.next",
            &[("path", crate::sanitize::visible_line(&dir.display().to_string()))]
        )
    );
    println!("\n{}", demo_reopen_text(&service, &dir));
    Ok(())
}

pub fn whoami(ctx: &Ctx) -> Result<()> {
    let me = ctx.backend.whoami()?;
    let roles: Vec<String> = me.roles.iter().map(|r| r.as_str().to_string()).collect();
    if ctx.json {
        output::json(&serde_json::json!({
            "user": me.user, "roles": roles, "db": me.db, "demo": me.demo,
        }));
        return Ok(());
    }
    let mut f = Fields::new();
    f.add(t("cli.whoami.user", &[]), &me.user)
        .add(
            t("cli.whoami.roles", &[]),
            if roles.is_empty() {
                t("rule.no_roles", &[])
            } else {
                roles.join(", ")
            },
        )
        .add(t("cli.whoami.db", &[]), &me.db);
    if ctx.backend.is_remote() {
        f.add(t("cli.whoami.server", &[]), ctx.backend.location());
    }
    f.print();
    Ok(())
}

pub fn overview(ctx: &Ctx) -> Result<()> {
    let o = ctx.backend.overview()?;
    let attention = ctx.backend.attention()?;
    if ctx.json {
        let mut v = serde_json::to_value(&o).unwrap_or_default();
        if let Some(m) = v.as_object_mut() {
            m.insert("attention".into(), super::attention::json_value(&attention));
        }
        output::json(&v);
        return Ok(());
    }
    let mut f = Fields::new();
    f.add(t("cli.overview.systems", &[]), o.systems.to_string())
        .add(
            t("cli.overview.requests", &[]),
            format!(
                "{} ({} {})",
                o.requests,
                o.new_requests,
                t("enum.RequestStatus.new", &[])
            ),
        )
        .add(
            t("cli.overview.plans", &[]),
            format!(
                "{} ({} {})",
                o.plans,
                o.awaiting_approval,
                t("enum.PlanStatus.submitted", &[])
            ),
        )
        .add(t("cli.overview.dossiers", &[]), o.dossiers.to_string())
        .add(
            t("cli.overview.overdue", &[]),
            o.overdue_orders
                .iter()
                .map(|i| i.to_string())
                .collect::<Vec<_>>()
                .join(" "),
        );
    f.print();
    output::heading(&t("attention.heading", &[("n", attention.items.len().to_string())]));
    super::attention::print_table(&attention);
    Ok(())
}

/// System names by id, for list columns.
pub fn system_names(ctx: &Ctx) -> Result<HashMap<Id, String>> {
    Ok(ctx.backend.systems()?.into_iter().map(|s| (s.id, s.name)).collect())
}

pub fn system(ctx: &Ctx, cmd: &SystemCmd) -> Result<()> {
    let s = ctx.backend.as_ref();
    match cmd {
        SystemCmd::Add {
            name,
            department,
            vendor,
            version,
        } => {
            ctx.run(Command::SystemAdd {
                name: name.clone(),
                department: department.clone(),
                vendor: vendor.clone(),
                version: version.clone(),
            })?;
        }
        SystemCmd::List => {
            let list = s.systems()?;
            if ctx.json {
                {
                    output::json(&list);
                    return Ok(());
                }
            }
            let mut tb = Table::new(&[
                t("cli.col.id", &[]),
                t("cli.col.system", &[]),
                t("cli.col.version", &[]),
                t("cli.col.department", &[]),
                t("cli.col.vendor", &[]),
            ]);
            for x in &list {
                tb.row(vec![
                    x.id.to_string(),
                    x.name.clone(),
                    x.version.clone(),
                    x.department.clone(),
                    x.vendor.clone(),
                ]);
            }
            tb.print();
        }
        SystemCmd::Show { system } => {
            let x = s.system(s.resolve_system(system)?)?;
            let plans = s.plans(&crate::service::PlanFilter {
                system: Some(x.id),
                ..Default::default()
            })?;
            if ctx.json {
                {
                    output::json(&serde_json::json!({ "system": x, "plans": plans }));
                    return Ok(());
                }
            }
            let mut f = Fields::new();
            f.add(t("cli.col.id", &[]), format!("{}  (rev {})", x.id, x.meta.rev))
                .add(t("cli.col.system", &[]), &x.name)
                .add(t("cli.col.version", &[]), &x.version)
                .add(t("cli.col.department", &[]), &x.department)
                .add(t("cli.col.vendor", &[]), &x.vendor);
            f.print();
            output::heading(&t("cli.overview.plans", &[]));
            for p in plans {
                println!(
                    "  {}  {}  {} → {}  {}",
                    p.id,
                    p.status.label(),
                    crate::sanitize::clean_line(&p.version_from),
                    crate::sanitize::clean_line(&p.version_to),
                    crate::sanitize::clean_line(&p.title)
                );
            }
        }
        SystemCmd::Edit {
            system,
            name,
            department,
            vendor,
            version,
        } => {
            ctx.run(Command::SystemEdit {
                id: s.resolve_system(system)?,
                name: name.clone(),
                department: department.clone(),
                vendor: vendor.clone(),
                version: version.clone(),
            })?;
        }
    }
    Ok(())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CalendarFile {
    #[serde(default)]
    blackout: Vec<PeriodEntry>,
}

/// A period as written in the file: TOML dates (`2027-01-04`) or date strings.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PeriodEntry {
    name: String,
    start: toml::Value,
    end: toml::Value,
    #[serde(default)]
    hard: bool,
    /// Ids or names of the systems it closes; none for every system.
    #[serde(default)]
    systems: Vec<String>,
}

fn toml_date(field: &str, v: &toml::Value) -> Result<chrono::NaiveDate> {
    let s = match v {
        toml::Value::Datetime(d) => d.to_string(),
        toml::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    args::date(field, &s)
}

/// Read a calendar TOML file; errors name the file and line. `system` turns a
/// system's id or name into its id.
pub fn read_calendar(path: &Path, system: impl Fn(&str) -> Result<Id>) -> Result<Vec<Blackout>> {
    let bytes = crate::fsutil::read_regular(path, crate::io::MAX_SMALL_FILE, crate::fsutil::Purpose::Read)?;
    let text = String::from_utf8(bytes).map_err(|e| Error::io(path, e))?;
    let file = toml::from_str::<CalendarFile>(&text).map_err(|e| {
        let line = e
            .span()
            .map(|s| format!(":{}", text[..s.start.min(text.len())].lines().count().max(1)))
            .unwrap_or_default();
        Error::Config {
            path: format!("{}{line}", path.display()),
            detail: e.message().to_string(),
        }
    })?;
    file.blackout
        .iter()
        .map(|b| {
            Ok(Blackout {
                name: b.name.clone(),
                start: toml_date("start", &b.start)?,
                end: toml_date("end", &b.end)?,
                hard: b.hard,
                systems: b.systems.iter().map(|s| system(s)).collect::<Result<_>>()?,
            })
        })
        .collect()
}

pub fn calendar(ctx: &Ctx, cmd: &CalendarCmd) -> Result<()> {
    match cmd {
        CalendarCmd::List => {
            let cal = ctx.backend.calendar()?;
            if ctx.json {
                {
                    output::json(&cal);
                    return Ok(());
                }
            }
            let names = system_names(ctx)?;
            let mut tb = Table::new(&[
                t("cli.col.period", &[]),
                t("cli.col.start", &[]),
                t("cli.col.end", &[]),
                t("cli.col.kind", &[]),
                t("cli.col.systems", &[]),
            ]);
            for b in &cal {
                let kind = if b.hard {
                    t("cli.calendar.hard", &[])
                } else {
                    t("cli.calendar.soft", &[])
                };
                let systems = if b.systems.is_empty() {
                    t("cli.calendar.all_systems", &[])
                } else {
                    crate::i18n::list(
                        b.systems
                            .iter()
                            .map(|s| names.get(s).cloned().unwrap_or_else(|| s.to_string())),
                    )
                };
                tb.row(vec![
                    b.name.clone(),
                    b.start.to_string(),
                    b.end.to_string(),
                    kind,
                    systems,
                ]);
            }
            tb.print();
        }
        CalendarCmd::Add {
            name,
            start,
            end,
            hard,
            system,
        } => {
            ctx.run(Command::CalendarAdd {
                period: Blackout {
                    name: name.clone(),
                    start: args::date("--start", start)?,
                    end: args::date("--end", end)?,
                    hard: *hard,
                    systems: system
                        .iter()
                        .map(|s| ctx.backend.resolve_system(s))
                        .collect::<Result<_>>()?,
                },
            })?;
        }
        CalendarCmd::Remove { name } => {
            ctx.run(Command::CalendarRemove { name: name.clone() })?;
        }
        CalendarCmd::Import { file } => {
            ctx.run(Command::CalendarReplace {
                periods: read_calendar(file, |s| ctx.backend.resolve_system(s))?,
            })?;
        }
    }
    Ok(())
}

pub fn audit(ctx: &Ctx, x: &AuditArgs) -> Result<()> {
    let mut actions = Vec::new();
    for a in &x.action {
        for name in audit_action(a)? {
            if !actions.contains(&name) {
                actions.push(name);
            }
        }
    }
    let filter = AuditFilter {
        entity: x.entity.clone(),
        actor: x.actor.clone(),
        actions,
        since: x
            .since
            .as_deref()
            .map(|v| audit_time("--since", v, false))
            .transpose()?,
        until: x.until.as_deref().map(|v| audit_time("--until", v, true)).transpose()?,
    };
    if let (Some(since), Some(until)) = (filter.since, filter.until) {
        if until <= since {
            return Err(Error::input(
                "--until",
                x.until.as_deref().unwrap_or_default(),
                &t("cli.audit.until_after", &[("since", fmt_time(since))]),
            ));
        }
    }
    let events = ctx.backend.audit_where(&filter, x.limit)?;
    if ctx.json {
        output::json(&events);
        return Ok(());
    }
    let mut tb = Table::new(&[
        "#".into(),
        t("cli.col.time", &[]),
        t("cli.col.actor", &[]),
        t("cli.col.action", &[]),
        t("cli.col.entity", &[]),
        t("cli.col.summary", &[]),
    ]);
    for e in &events {
        tb.row_with_notes(
            vec![
                e.seq.to_string(),
                fmt_time(e.time),
                e.actor.clone(),
                crate::service::audit_action_label(&e.action),
                e.entity.clone(),
                e.summary.clone(),
            ],
            e.changes.iter().map(|c| c.line(40)).collect(),
        );
    }
    tb.print();
    Ok(())
}

/// The audit names `--action` means: a name (`plan.approve`), a label in
/// either language (`批准计划`, `approve a plan`), or an area (`plan`,
/// `plan.*`: every action of plans).
fn audit_action(given: &str) -> Result<Vec<String>> {
    let names = crate::service::audit_actions();
    let want = given.trim().to_lowercase();
    if let Some(n) = names.iter().find(|n| **n == want) {
        return Ok(vec![n.to_string()]);
    }
    let by_label: Vec<String> = names
        .iter()
        .filter(|n| {
            crate::i18n::LANGS.iter().any(|lang| {
                crate::i18n::t_in(lang, &format!("audit.action.{n}")).is_some_and(|l| l.to_lowercase() == want)
            })
        })
        .map(|n| n.to_string())
        .collect();
    if !by_label.is_empty() {
        return Ok(by_label);
    }
    let area = format!("{}.", want.trim_end_matches(".*").trim_end_matches('.'));
    let in_area: Vec<String> = names
        .iter()
        .filter(|n| n.starts_with(&area))
        .map(|n| n.to_string())
        .collect();
    if !in_area.is_empty() {
        return Ok(in_area);
    }
    Err(Error::input(
        "--action",
        given,
        &t("cli.audit.actions", &[("names", names.join(", "))]),
    ))
}

/// `--since`/`--until`: a day (the start of it, or for `until` its end) in
/// local time, or a time (RFC 3339, or `YYYY-MM-DD HH:MM` local), returned as
/// a bound: `since` inclusive, `until` exclusive.
fn audit_time(field: &str, v: &str, until: bool) -> Result<Time> {
    use chrono::TimeZone;
    let bad = || Error::input(field, v, &t("cli.audit.when", &[]));
    if let Ok(day) = chrono::NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d") {
        let day = if until { day.succ_opt().ok_or_else(bad)? } else { day };
        let midnight = day.and_hms_opt(0, 0, 0).ok_or_else(bad)?;
        return chrono::Local
            .from_local_datetime(&midnight)
            .earliest()
            .map(|t| t.with_timezone(&chrono::Utc))
            .ok_or_else(bad);
    }
    let at = crate::model::parse_time(v).ok_or_else(bad)?;
    Ok(if until {
        at + chrono::Duration::nanoseconds(1)
    } else {
        at
    })
}

pub fn man(out: Option<&Path>) -> Result<()> {
    let cmd = super::help_i18n::command();
    match out {
        None => {
            let mut page = Vec::new();
            clap_mangen::Man::new(cmd)
                .render(&mut page)
                .map_err(|e| Error::io(Path::new("-"), e))?;
            output::print_bytes(&page)
        }
        Some(dir) => {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
            // What clap_mangen::generate_to does, each page written like every
            // other file a user names (never through a planted symlink).
            man_pages(cmd, dir)?;
            println!("{}", crate::sanitize::visible_line(&dir.display().to_string()));
            Ok(())
        }
    }
}

/// One page for `cmd` and one for each of its visible subcommands.
fn man_pages(cmd: clap::Command, dir: &Path) -> Result<()> {
    // Not the `help` subcommands clap adds: `beian help X` is `beian X --help`.
    for sub in cmd
        .get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help")
        .cloned()
    {
        man_pages(sub, dir)?;
    }
    let man = clap_mangen::Man::new(cmd);
    let path = dir.join(man.get_filename());
    let mut page = Vec::new();
    man.render(&mut page).map_err(|e| Error::io(&path, e))?;
    crate::fsutil::write_file(&path, &page, 0o644)
}
