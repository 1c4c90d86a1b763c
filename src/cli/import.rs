//! `beian import FILE…` and `beian intake email`: read, map, then one
//! `Command::RequestImport` through the backend (all or nothing).

use std::io::Read;
use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::output::{self, Table};
use super::Ctx;
use crate::error::{Error, Result};
use crate::i18n::t;
use crate::io::{Format, Options, Parsed};
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
    /// Files: questionnaire exports (.csv, .tsv), messages (.eml), mailboxes (.mbox), JSON lines (.jsonl)
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
    /// questionnaire, email, website, counsellor or other [default: by format]
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
    /// questionnaire, email, website, counsellor or other [default: email]
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
        ..Options::default()
    })
}

pub fn import(ctx: &Ctx, a: &ImportArgs) -> Result<()> {
    let mut opts = options(ctx, a.channel)?;
    opts.format = a.format;
    if let Some(e) = &a.encoding {
        opts.set_encoding(e)?;
    }
    for m in &a.map {
        opts.add_map(m)?;
    }
    // Every file is read and checked before anything is written.
    let mut all = Parsed::default();
    for f in &a.files {
        let p = crate::io::parse_file(f, &opts)?;
        all.items.extend(p.items);
        all.warnings.extend(p.warnings);
    }
    submit(ctx, all, a.dry_run)
}

pub fn intake(ctx: &Ctx, c: &IntakeCmd) -> Result<()> {
    match c {
        IntakeCmd::Email(a) => {
            let opts = options(ctx, a.channel)?;
            let mut bytes = Vec::new();
            std::io::stdin()
                .lock()
                .read_to_end(&mut bytes)
                .map_err(|e| Error::io(std::path::Path::new("-"), e))?;
            let parsed = crate::io::email::parse_one(&bytes, &t("import.place.stdin", &[]), "stdin", &opts)?;
            submit(ctx, parsed, a.dry_run)
        }
    }
}

fn submit(ctx: &Ctx, parsed: Parsed, dry_run: bool) -> Result<()> {
    for w in &parsed.warnings {
        eprintln!(
            "beian: {} {}",
            t("import.warning_label", &[]),
            crate::sanitize::clean_line(w)
        );
    }
    let preview: Vec<_> = parsed.items.iter().map(|i| i.request.clone()).collect();
    let labels: Vec<String> = parsed.items.iter().map(|i| i.label.clone()).collect();
    let out = ctx.backend.execute(
        Command::RequestImport {
            items: parsed.items,
            dry_run,
        },
        None,
    )?;
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
            "warnings": parsed.warnings,
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
