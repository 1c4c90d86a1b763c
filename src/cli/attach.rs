//! `beian attach`, `beian attachments`, `beian attachment get` (issue 18 §1,
//! §3.5 "related materials"): files on requests, plans, dossiers, orders and
//! reports, stored in the database by their SHA-256.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::output::{self, Table};
use super::Ctx;
use crate::error::{Error, Result};
use crate::i18n::t;
use crate::model::{fmt_time, size_text, AttachmentKind, Id};
use crate::workflow::attach::NewAttachment;

/// The most `beian attach` reads of one file before the database's own limit
/// (`[attachments] max_file_mib`) decides: a file larger than this is refused
/// without being read whole.
const READ_CAP: u64 = 4 << 30;

#[derive(Args, Debug)]
pub struct AttachArgs {
    /// The record: a request, plan, dossier, order or report id, e.g. PLAN-2026-0004
    entity: String,
    /// Files to attach (each keeps its file name)
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// What the files are: minutes, test_report, screenshot, sign_in_sheet, backup_log, email_attachment, other
    #[arg(long, value_enum, default_value = "other")]
    kind: AttachmentKind,
}

#[derive(Args, Debug)]
pub struct ListArgs {
    /// The record, e.g. PLAN-2026-0004
    entity: String,
}

#[derive(Subcommand, Debug)]
pub enum AttachmentCmd {
    /// Save one attached file (checked against its SHA-256) to a path
    Get(GetArgs),
}

#[derive(Args, Debug)]
pub struct GetArgs {
    /// The record, e.g. PLAN-2026-0004
    entity: String,
    /// The file's name as listed (or #N, its number)
    name: String,
    /// Write to this file (atomically)
    #[arg(short = 'o', long, alias = "output", value_name = "PATH")]
    out: PathBuf,
}

fn entity(s: &str) -> Result<Id> {
    s.trim()
        .parse::<Id>()
        .map_err(|_| Error::input("attachment", s, &t("attachment.expected.entity", &[])))
}

pub fn attach(ctx: &Ctx, a: &AttachArgs) -> Result<()> {
    let id = entity(&a.entity)?;
    let mut files = Vec::new();
    for path in &a.files {
        let bytes = crate::fsutil::read_regular(path, READ_CAP, crate::fsutil::Purpose::Read)?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        files.push(NewAttachment::new(&name, a.kind, bytes));
    }
    ctx.run(crate::service::Command::Attach { entity: id, files })?;
    Ok(())
}

pub fn list(ctx: &Ctx, a: &ListArgs) -> Result<()> {
    let id = entity(&a.entity)?;
    let list = ctx.backend.attachments(id)?;
    if ctx.json {
        output::json(&list);
        return Ok(());
    }
    if list.is_empty() {
        println!("{}", t("attachment.none", &[("entity", id.to_string())]));
        return Ok(());
    }
    let mut tb = Table::new(&[
        "#".into(),
        t("record.field.attachment_name", &[]),
        t("record.field.attachment_kind", &[]),
        t("record.field.attachment_size", &[]),
        "SHA-256".into(),
        t("record.field.author", &[]),
        t("cli.col.time", &[]),
        t("cli.section.addenda", &[]),
    ]);
    for e in &list {
        tb.row(vec![
            e.no.to_string(),
            e.name.clone(),
            e.kind.label(),
            size_text(e.size),
            e.sha256.chars().take(16).collect(),
            e.added_by.clone(),
            fmt_time(e.added_at),
            e.addendum.clone().unwrap_or_default(),
        ]);
    }
    tb.print();
    Ok(())
}

pub fn run(ctx: &Ctx, c: &AttachmentCmd) -> Result<()> {
    match c {
        AttachmentCmd::Get(g) => {
            let id = entity(&g.entity)?;
            let f = ctx.backend.attachment(id, &g.name)?;
            crate::fsutil::write_file(&g.out, f.content.bytes(), 0o666)?;
            if ctx.json {
                output::json(&f.entry);
            } else {
                println!(
                    "{} {} → {} ({}, sha256 {})",
                    t("cli.ok", &[]),
                    crate::sanitize::clean_line(&f.entry.name),
                    g.out.display(),
                    size_text(f.entry.size),
                    f.entry.sha256
                );
            }
            Ok(())
        }
    }
}

/// The files attached to `ids`, as the section `show` ends with when there are
/// any: the same section the terminal UI's detail shows
/// ([`crate::export::sections::attachments_section`]).
pub fn print_section(ctx: &Ctx, ids: &[Id]) -> Result<()> {
    let mut list = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        match ctx.backend.attachments(*id) {
            Ok(l) => list.extend(l),
            // A dossier's plan may be gone (a dossier restored on its own): its own files still show.
            Err(Error::NotFound { .. }) if i > 0 => {}
            Err(e) => return Err(e),
        }
    }
    if !list.is_empty() {
        super::sections::print(&[crate::export::sections::attachments_section(&list)]);
    }
    Ok(())
}
