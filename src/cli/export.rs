//! `beian export …`: the update notice, a dossier and a plan's test report as
//! files (written atomically) or on standard output. The CSV of the request queue
//! and the archive is `--csv` on `request list` and `archive list|search`.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

use super::{args, Ctx};
use crate::error::Result;
use crate::export;
use crate::model::IdKind;

#[derive(Subcommand, Debug)]
pub enum ExportCmd {
    /// The update notice (更新预告) of a plan as text, Markdown or an email (.eml)
    Notice(NoticeArgs),
    /// A filed dossier as Markdown or as JSON (complete, with schema_version)
    Dossier(DossierArgs),
    /// The test report of a plan: rounds, items, results, defects, go-live gate (Markdown)
    Tests(TestsArgs),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum NoticeFormat {
    Text,
    Md,
    Eml,
    /// Print-ready HTML (A4, CJK fonts of the system).
    Html,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DossierFormat {
    Md,
    Json,
    /// Print-ready HTML (A4, CJK fonts of the system, a signature block).
    Html,
    /// A package directory (-o DIR): Markdown, JSON, HTML, the attachments, the seal and SHA256SUMS.
    Dir,
}

#[derive(Args, Debug)]
pub struct NoticeArgs {
    /// Plan id, e.g. PLAN-2026-0007
    id: String,
    /// text, md, eml or html
    #[arg(long, value_enum, default_value = "text")]
    format: NoticeFormat,
    /// Sender of the email, addr@host or "Name <addr@host>" (required for eml)
    #[arg(long, value_name = "ADDR")]
    from: Option<String>,
    /// Recipient of the email (repeatable) [default: undisclosed-recipients]
    #[arg(long, value_name = "ADDR")]
    to: Vec<String>,
    /// Who it is for, when the notice is not published yet
    #[arg(long, default_value = "全校师生")]
    audience: String,
    /// Use the text generated from the plan, in the notice's language, even if a notice was published
    #[arg(long)]
    generated: bool,
    /// Write to this file (atomically) instead of standard output
    #[arg(short = 'o', long, alias = "output", value_name = "FILE")]
    out: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct DossierArgs {
    /// Dossier id, e.g. FILE-2026-0003
    id: String,
    /// md, json, html, or dir (a package directory, with -o DIR)
    #[arg(long, value_enum, default_value = "md")]
    format: DossierFormat,
    /// Write to this file (atomically) instead of standard output; with --format dir, the new package directory
    #[arg(short = 'o', long, alias = "output", value_name = "FILE")]
    out: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct TestsArgs {
    /// Plan id, e.g. PLAN-2026-0007
    id: String,
    /// Write to this file (atomically) instead of standard output
    #[arg(short = 'o', long, alias = "output", value_name = "FILE")]
    out: Option<PathBuf>,
}

/// Standard output, or the file written atomically (never through a symlink,
/// never over anything but a regular file: see `fsutil`).
fn emit(out: &Option<PathBuf>, bytes: &[u8]) -> Result<()> {
    match out {
        Some(path) => crate::fsutil::write_file(path, bytes, 0o666),
        None => print_bytes(bytes),
    }
}

pub use super::output::print_bytes;

pub fn run(ctx: &Ctx, cmd: &ExportCmd) -> Result<()> {
    let s = ctx.backend.as_ref();
    match cmd {
        ExportCmd::Notice(x) => {
            let plan = s.plan(args::id("plan", &x.id, IdKind::Plan)?)?;
            let system = s.system(plan.system)?;
            let doc = export::NoticeDoc::new(&plan, &system, x.generated, &x.audience);
            let text = match x.format {
                NoticeFormat::Text => export::notice_text(&doc),
                NoticeFormat::Md => export::notice_markdown(&doc),
                NoticeFormat::Html => export::html::notice_html(&doc),
                NoticeFormat::Eml => {
                    let from = x.from.clone().ok_or_else(|| {
                        crate::error::Error::input("--from", "", &crate::i18n::t("cli.expected.eml_from", &[]))
                    })?;
                    export::notice_eml(
                        &doc,
                        &export::EmlOptions {
                            from,
                            to: x.to.clone(),
                            now: chrono::Utc::now(),
                        },
                    )?
                }
            };
            emit(&x.out, text.as_bytes())
        }
        ExportCmd::Dossier(x) => {
            let id = args::id("dossier", &x.id, IdKind::Dossier)?;
            if x.format == DossierFormat::Dir {
                let dir = x.out.clone().ok_or_else(|| {
                    crate::error::Error::input("--out", "", &crate::i18n::t("cli.expected.package_dir", &[]))
                })?;
                let n = super::package::write(s, id, &dir)?;
                println!(
                    "{}",
                    crate::i18n::t(
                        "export.package.done",
                        &[
                            ("id", id.to_string()),
                            ("path", crate::sanitize::visible_line(&dir.display().to_string())),
                            ("files", n.to_string()),
                        ],
                    )
                );
                return Ok(());
            }
            let v = s.dossier(id)?;
            let text = match x.format {
                DossierFormat::Md => export::dossier_markdown(&v),
                DossierFormat::Json => export::dossier_json(&v),
                DossierFormat::Html | DossierFormat::Dir => {
                    let seal = s.dossier_seal(id)?;
                    let lines = vec![
                        (
                            crate::i18n::t("export.package.digest", &[]),
                            format!("{} sha256 {}", seal.dossier, seal.digest),
                        ),
                        (crate::i18n::t("export.package.head", &[]), seal.head.to_string()),
                    ];
                    export::html::dossier_html(&v, &lines)
                }
            };
            emit(&x.out, text.as_bytes())
        }
        ExportCmd::Tests(x) => {
            let plan = s.plan(args::id("plan", &x.id, IdKind::Plan)?)?;
            let system = s.system(plan.system)?;
            let gates = s.plan_gates(plan.id)?;
            emit(
                &x.out,
                export::test_report_markdown(&plan, &system, &gates.golive).as_bytes(),
            )
        }
    }
}
