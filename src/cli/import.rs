//! `beian import FILE…` and `beian intake email`: read, map, then one
//! `Command::RequestImport` through the backend (all or nothing).

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::output::{self, Table};
use super::Ctx;
use crate::error::{Error, Result};
use crate::i18n::t;
use crate::io::{Format, Options};
use crate::model::{fmt_time, Channel};
use crate::service::{Command, ImportReport};

#[derive(Args, Debug)]
#[command(
    after_help = "JSON lines: one request per line, e.g. {\"title\":\"…\",\"body\":\"…\",\"system\":\"教务管理系统\",\
\"submitter\":{\"name\":\"…\",\"contact\":\"…\",\"kind\":\"student\"},\"department\":\"…\",\"channel\":\"website\",\
\"received_at\":\"2026-10-13T10:03:00+08:00\",\"tags\":[],\"source\":{\"external_id\":\"…\",\"ip\":\"…\"},\"key\":\"…\"}; \
only title and submitter are required.\n\
Fields for --map: title, body, system, kind, submitter, submitter_type, contact, department, received_at, ip, \
external_id, detail, ignore."
)]
pub struct ImportArgs {
    /// Files: questionnaire exports (.csv, .tsv), messages (.eml), mailboxes (.mbox), JSON lines (.jsonl); - reads standard input
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// csv, tsv, eml, mbox or jsonl [default: from the file name]
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Encoding of CSV/TSV files, e.g. gbk, gb18030, big5 [default: detected]
    #[arg(long)]
    encoding: Option<String>,
    /// Map a column to a field: COLUMN=FIELD (repeatable)
    #[arg(long = "map", value_name = "COLUMN=FIELD")]
    map: Vec<String>,
    /// A file of COLUMN=FIELD lines (# comments), for a survey imported again and again
    #[arg(long, value_name = "FILE")]
    map_file: Option<PathBuf>,
    /// questionnaire, email, website, counsellor, phone or other [default: by format]
    #[arg(long, value_enum)]
    channel: Option<Channel>,
    /// Show what would be created; change nothing
    #[arg(long)]
    dry_run: bool,
}

#[derive(Subcommand, Debug)]
pub enum IntakeCmd {
    /// Read one email message from standard input (for /etc/aliases or .forward)
    Email(IntakeEmailArgs),
}

#[derive(Args, Debug)]
pub struct IntakeEmailArgs {
    /// questionnaire, email, website, counsellor, phone or other [default: email]
    #[arg(long, value_enum)]
    channel: Option<Channel>,
    /// Show what would be created; change nothing
    #[arg(long)]
    dry_run: bool,
}

fn options(ctx: &Ctx, channel: Option<Channel>) -> Result<Options> {
    Ok(Options {
        channel,
        systems: ctx.backend.systems()?,
        allow_stdin: true,
        ..Options::default()
    })
}

/// How many records a dry run lists.
const PREVIEW: usize = 50;

pub fn import(ctx: &Ctx, a: &ImportArgs) -> Result<()> {
    let mut opts = options(ctx, a.channel)?;
    opts.format = a.format;
    if let Some(e) = &a.encoding {
        opts.set_encoding(e)?;
    }
    if let Some(f) = &a.map_file {
        opts.add_map_file(f)?;
    }
    for m in &a.map {
        opts.add_map(m)?;
    }
    // On a terminal, a progress line on stderr (rewritten at most 5 times a second).
    let tty = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let mut shown = false;
    let mut progress = |p: crate::io::Progress| {
        if !tty {
            return;
        }
        let pct = (p.done_bytes * 100).checked_div(p.total_bytes).unwrap_or(100);
        let name = a
            .files
            .get(p.file)
            .map(|f| crate::io::display_name(f))
            .unwrap_or_default();
        eprint!(
            "\r\x1b[K{}",
            t(
                "import.progress",
                &[
                    ("file", crate::sanitize::clean_line(&name)),
                    ("n", (p.file + 1).to_string()),
                    ("files", p.files.to_string()),
                    ("pct", pct.to_string()),
                    ("rows", p.rows.to_string()),
                ],
            )
        );
        shown = true;
    };
    let run = crate::io::import_files(ctx.backend.as_ref(), &a.files, &opts, a.dry_run, PREVIEW, &mut progress);
    if shown {
        eprint!("\r\x1b[K");
    }
    report(ctx, run?, a.dry_run)
}

pub fn intake(ctx: &Ctx, c: &IntakeCmd) -> Result<()> {
    match c {
        IntakeCmd::Email(a) => {
            let opts = options(ctx, a.channel)?;
            let bytes = crate::io::read_message(std::io::stdin().lock()).map_err(|e| match e {
                crate::io::MessageError::Io(e) => Error::io(std::path::Path::new("-"), e),
                crate::io::MessageError::TooLarge => {
                    crate::fsutil::too_large(&t("import.place.stdin", &[]), crate::io::MAX_MESSAGE, "message")
                }
            })?;
            let parsed = crate::io::email::parse_one(&bytes, &t("import.place.stdin", &[]), "stdin", &opts)?;
            let rows = parsed.items.len();
            let outcome = ctx.backend.execute(
                Command::RequestImport {
                    items: parsed.items.clone(),
                    dry_run: a.dry_run,
                },
                None,
            )?;
            report(
                ctx,
                crate::io::ImportRun {
                    outcome,
                    warnings: parsed.warnings,
                    rows,
                    first: parsed.items,
                },
                a.dry_run,
            )
        }
    }
}

fn report(ctx: &Ctx, run: crate::io::ImportRun, dry_run: bool) -> Result<()> {
    for w in &run.warnings {
        eprintln!(
            "beian: {} {}",
            t("import.warning_label", &[]),
            crate::sanitize::clean_line(w)
        );
    }
    let preview: Vec<_> = run.first.iter().map(|i| i.request.clone()).collect();
    let labels: Vec<String> = run.first.iter().map(|i| i.label.clone()).collect();
    let out = run.outcome;
    let [created, skipped, replies, flagged] = ImportReport::counts(&out.summary).unwrap_or_default();
    let ids: Vec<&str> = out.entity.split_whitespace().collect();
    if ctx.json {
        output::json(&serde_json::json!({
            "dry_run": dry_run,
            "created": created,
            "ids": ids,
            "skipped": skipped,
            "replies": replies,
            "flagged": flagged,
            "rows": run.rows,
            "warnings": run.warnings,
            "items": if dry_run { serde_json::to_value(&preview).unwrap_or_default() } else { serde_json::Value::Null },
        }));
        return Ok(());
    }
    if dry_run {
        let mut table = Table::new(&[
            t("import.col.place", &[]),
            t("import.col.received", &[]),
            t("import.col.submitter", &[]),
            t("import.col.title", &[]),
        ]);
        for (n, l) in preview.iter().zip(&labels) {
            table.row(vec![
                l.clone(),
                n.received_at.map(fmt_time).unwrap_or_default(),
                n.submitter.name.clone(),
                n.title.clone(),
            ]);
        }
        table.print();
        if run.rows > preview.len() {
            println!(
                "{}",
                t("import.more_rows", &[("n", (run.rows - preview.len()).to_string())])
            );
        }
    }
    let key = if dry_run {
        "import.summary_dry"
    } else {
        "import.summary"
    };
    println!(
        "{}",
        t(
            key,
            &[
                ("created", created.to_string()),
                ("skipped", skipped.to_string()),
                ("replies", replies.to_string()),
                ("flagged", flagged.to_string()),
            ],
        )
    );
    if !dry_run && !ids.is_empty() {
        let shown = if ids.len() > 10 {
            format!("{} … {}", ids[..5].join(" "), ids[ids.len() - 1])
        } else {
            ids.join(" ")
        };
        println!("{shown}");
    }
    Ok(())
}
