//! `beian verify`, `beian backup`, `beian restore`: the hash chain and backups
//! (issue 6). The work is the store's (`store/chain.rs`, `store/backup.rs`),
//! reached through the backend like every other command.

use std::path::PathBuf;

use clap::Args;

use super::output;
use super::Ctx;
use crate::error::{Error, Result};
use crate::i18n::t;
use crate::store::chain::{ChainHead, VerifyReport};

#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// Print only the chain head (SEQ:HASH), to keep outside the system
    #[arg(long)]
    head: bool,
    /// Fail unless the history still holds this head: SEQ:HASH from an earlier `--head`
    #[arg(long, value_name = "SEQ:HASH")]
    expect: Option<String>,
    /// Verify a backup directory instead of the database (it is restored into a temporary directory)
    #[arg(long, value_name = "DIR")]
    backup: Option<PathBuf>,
    /// Check a dossier package (export dossier --format dir) against the sealed record in the database
    #[arg(long, value_name = "DIR", conflicts_with = "backup")]
    package: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct BackupArgs {
    /// Directory to write the backup into (a new beian-backup-<time> directory inside it)
    #[arg(value_name = "DIR")]
    dir: PathBuf,
    /// Keep only this many newest backups in DIR
    #[arg(long, value_name = "N")]
    keep: Option<usize>,
}

#[derive(Args, Debug)]
pub struct RestoreArgs {
    /// The backup directory (beian-backup-<time>)
    #[arg(value_name = "BACKUP")]
    backup: PathBuf,
    /// The data directory of the new database (must not exist yet)
    #[arg(long, value_name = "DIR")]
    into: PathBuf,
}

fn expect(a: &VerifyArgs) -> Result<Option<ChainHead>> {
    a.expect
        .as_deref()
        .map(|s| s.parse::<ChainHead>().map_err(|e| Error::input("--expect", s, &e)))
        .transpose()
}

fn print(report: &VerifyReport, json: bool, head_only: bool) -> Result<()> {
    if json {
        output::json(report);
    } else if head_only {
        println!("{}", report.head);
    } else if report.ok() {
        println!(
            "{}",
            t(
                "verify.ok",
                &[
                    ("events", report.events.to_string()),
                    ("dossiers", report.dossiers.to_string()),
                    ("addenda", report.addenda.to_string()),
                    ("head", report.head.to_string()),
                ],
            )
        );
    }
    match &report.problem {
        Some(p) => Err(p.to_error()),
        None => Ok(()),
    }
}

pub fn verify(ctx: impl FnOnce() -> Result<Ctx>, json: bool, a: &VerifyArgs) -> Result<()> {
    let expect = expect(a)?;
    if let Some(dir) = &a.backup {
        let tmp = std::env::temp_dir().join(format!("beian-verify-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&tmp);
        let result = (|| {
            crate::store::backup::restore(dir, &tmp)?;
            let service = crate::service::Service::open(&tmp)?;
            service.store_verify(expect.as_ref())
        })();
        let _ = std::fs::remove_dir_all(&tmp);
        return print(&result?, json, a.head);
    }
    let ctx = ctx()?;
    if let Some(dir) = &a.package {
        let (id, files) = super::package::verify(ctx.backend.as_ref(), dir)?;
        if json {
            output::json(&serde_json::json!({ "dossier": id.to_string(), "files": files, "ok": true }));
        } else {
            println!(
                "{}",
                t(
                    "verify.package_ok",
                    &[
                        ("id", id.to_string()),
                        ("path", crate::sanitize::visible_line(&dir.display().to_string())),
                        ("files", files.to_string()),
                    ],
                )
            );
        }
        return Ok(());
    }
    let report = ctx.backend.verify(expect.as_ref())?;
    print(&report, json, a.head)
}

pub fn backup(ctx: &Ctx, a: &BackupArgs) -> Result<()> {
    // A server writes the files itself: the path must mean the same to it.
    let dir = std::path::absolute(&a.dir).map_err(|e| Error::io(&a.dir, e))?;
    let r = ctx.backend.backup(&dir, a.keep)?;
    if ctx.json {
        output::json(&r);
        return Ok(());
    }
    for p in &r.cleaned {
        println!("{}", t("backup.cleaned", &[("path", crate::sanitize::visible_line(p))]));
    }
    let records: u64 = r.manifest.counts.values().sum();
    println!(
        "{}",
        t(
            "backup.done",
            &[
                ("path", crate::sanitize::visible_line(&r.path)),
                ("records", records.to_string()),
                ("mib", format!("{:.1}", r.bytes as f64 / 1048576.0)),
                ("head", r.manifest.head.to_string()),
            ],
        )
    );
    for p in &r.removed {
        println!("{}", t("backup.removed", &[("path", crate::sanitize::visible_line(p))]));
    }
    Ok(())
}

pub fn restore(json: bool, a: &RestoreArgs) -> Result<()> {
    let manifest = crate::store::backup::restore(&a.backup, &a.into)?;
    let service = crate::service::Service::open(&a.into)?;
    let report = service.store_verify(None)?;
    if let Some(p) = &report.problem {
        drop(service);
        let _ = std::fs::remove_dir_all(a.into.join("db"));
        return Err(p.to_error());
    }
    if json {
        output::json(&serde_json::json!({ "manifest": manifest, "verify": report }));
        return Ok(());
    }
    println!(
        "{}",
        t(
            "restore.done",
            &[
                ("path", crate::sanitize::visible_line(&a.into.display().to_string())),
                ("schema", manifest.schema.to_string()),
                ("head", report.head.to_string()),
            ],
        )
    );
    Ok(())
}

/// `beian compact`: in this process, never through a server (it needs the
/// database to itself; with a server running, opening it says who holds it —
/// a server started on demand without clients is asked to stop first).
pub fn compact(cli: &super::Cli) -> Result<()> {
    let service = crate::server::autostart::open_offline(&super::data_dir(&cli.db))?;
    let actor = service.local_actor();
    let r = service.compact(&actor)?;
    if cli.json {
        output::json(&r);
        return Ok(());
    }
    let mb = |b: u64| format!("{:.1}", b as f64 / 1048576.0);
    println!(
        "{}",
        t(
            "compact.done",
            &[
                ("path", crate::sanitize::visible_line(&r.path)),
                ("before", mb(r.bytes_before)),
                ("after", mb(r.bytes_after)),
                ("records", r.records.to_string()),
                ("head", r.head.to_string()),
                ("seconds", format!("{:.1}", r.seconds)),
            ],
        )
    );
    Ok(())
}

/// `beian reindex`: in this process, like `compact`.
pub fn reindex(cli: &super::Cli) -> Result<()> {
    let started = std::time::Instant::now();
    let service = crate::server::autostart::open_offline(&super::data_dir(&cli.db))?;
    let actor = service.local_actor();
    let counts = service.reindex(&actor)?;
    let (requests, plans, dossiers) = (
        counts.total("request"),
        counts.total("plan"),
        counts.get("dossier", "filed"),
    );
    if cli.json {
        output::json(&serde_json::json!({ "requests": requests, "plans": plans, "dossiers": dossiers }));
        return Ok(());
    }
    println!(
        "{}",
        t(
            "reindex.done",
            &[
                (
                    "path",
                    crate::sanitize::visible_line(&service.dir().display().to_string())
                ),
                ("requests", requests.to_string()),
                ("plans", plans.to_string()),
                ("dossiers", dossiers.to_string()),
                ("seconds", format!("{:.1}", started.elapsed().as_secs_f64())),
            ],
        )
    );
    Ok(())
}
