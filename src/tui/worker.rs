//! The worker thread owns the [`Service`]: loading, searching and changes run
//! here, off the input path, and come back to the event loop as [`Msg`]s.

use std::sync::mpsc::{Receiver, Sender};

use crate::error::Error;
use crate::model::*;
use crate::report::Report;
use crate::service::{
    ArchiveFilter, Backend, Command, DossierView, ImportReport, Outcome, Overview, PlanFilter, RequestFilter,
};

/// Work for the worker. Each carries what the UI needs to match the answer.
#[derive(Debug, Clone)]
pub enum Job {
    /// What the first screen shows: the systems, the overview and the newest
    /// `rows` requests, read without the full lists (answered before them).
    FirstScreen {
        rows: usize,
    },
    /// Everything the panes list, and the overview.
    LoadAll,
    Request(Id),
    Plan(Id),
    /// A template with the steps the core offers on it.
    Template(Id),
    Dossier(Id),
    /// Full-text search of the archive; `seq` lets the UI drop stale answers.
    SearchArchive {
        seq: u64,
        filter: ArchiveFilter,
    },
    /// The ranked archive search, one page (issue 16).
    ArchiveSearch {
        seq: u64,
        req: crate::search::archive::SearchRequest,
    },
    /// The timeline: what changed on a system since a day (issue 16).
    Changes {
        seq: u64,
        system: Id,
        since: chrono::NaiveDate,
    },
    /// The periodic evaluation of the days `from..=to`.
    Evaluation {
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
    },
    /// The register pane: the register and the outbox (issue 17).
    Register,
    /// Hand the due messages of the outbox to the MTA now.
    MailSend,
    /// The names the register does not settle (issue 18 §3): answered with
    /// [`Reply::UnresolvedNames`].
    UnresolvedNames,
    /// The supervision pane's lists: the rectification orders, and with
    /// `reports` the confidential reports (supervisors; the read is audited).
    Supervision {
        reports: bool,
    },
    /// Run a command; `label` is what the toast says on success.
    Execute {
        cmd: Command,
        expect_rev: Option<u64>,
        label: String,
    },
    /// Run several commands (bulk triage); stops at the first error.
    ExecuteMany {
        cmds: Vec<(Command, Option<u64>)>,
        label: String,
    },
    /// Read a file the way `beian import` does (progress as it goes), then a dry
    /// run of the import: answered with [`Reply::ImportPreview`].
    ImportPreview {
        path: std::path::PathBuf,
        /// Options as `beian import` takes them (`--encoding gbk`, `--map 列=field` …).
        args: Vec<String>,
    },
    /// Import a file for real, streamed (progress as it goes): answered with
    /// [`Reply::Done`] carrying the import's outcome.
    Import {
        path: std::path::PathBuf,
        args: Vec<String>,
        label: String,
    },
    /// Recompute the hash chain: answered with [`Reply::Integrity`]. It reads the
    /// whole audit log, so it runs beside the other jobs, not before them.
    Verify,
    /// The start-up check: the events since the last head found intact, run
    /// where the database lives and cached there by head (`Query::Integrity`);
    /// answered with [`Reply::Integrity`] like [`Job::Verify`].
    Integrity,
    /// Act as the demo person `person` (`:as`); the core decides: answered with
    /// [`Reply::Acting`] or the refusal.
    ActAs {
        person: String,
    },
    /// The joint review meetings (§3.1): answered with [`Reply::JointReviews`].
    JointReviews,
    /// What needs someone now (issue 17 §1): answered with [`Reply::Attention`].
    Attention,
    /// Attached files (issue 18 §1): answered with [`Reply::Attachment`], or
    /// [`Reply::Done`] once a file is attached.
    Attachment(AttachmentJob),
}

/// Work on attached files (issue 18 §1). Files are read and written here, off
/// the input path.
#[derive(Debug, Clone)]
pub enum AttachmentJob {
    /// The files attached to `ids` (a dossier and its plan), listed for the detail of `of`.
    List { of: Id, ids: Vec<Id> },
    /// Read the file at `path` and attach it to `entity` as `kind`; `label` is
    /// what the toast says when it is done.
    Add {
        entity: Id,
        path: std::path::PathBuf,
        kind: AttachmentKind,
        label: String,
    },
    /// Save the attached file `name` (or `#N`) of `entity` to `out`.
    Save {
        entity: Id,
        name: String,
        out: std::path::PathBuf,
    },
}

/// What the worker answers to an [`AttachmentJob`].
#[derive(Debug, Clone)]
pub enum AttachmentReply {
    Listed {
        of: Id,
        list: Vec<AttachmentEntry>,
    },
    /// A file not attached or not saved: the file, and the core's reason.
    Refused {
        file: String,
        error: Error,
    },
    /// The attached file `name` was saved to `out`.
    Saved {
        name: String,
        out: std::path::PathBuf,
        size: u64,
        sha256: String,
    },
}

/// The most read of one file to attach before the database's own limit
/// (`[attachments] max_file_mib`) decides, as `beian attach` reads.
const ATTACH_READ_CAP: u64 = 4 << 30;

fn attachment_job(b: &dyn Backend, job: AttachmentJob) -> Reply {
    match job {
        AttachmentJob::List { of, ids } => {
            let mut list = Vec::new();
            for (i, id) in ids.into_iter().enumerate() {
                match b.attachments(id) {
                    Ok(l) => list.extend(l),
                    // A dossier's plan may be gone (a dossier restored on its own): its own files still show.
                    Err(Error::NotFound { .. }) if i > 0 => {}
                    Err(e) => return Reply::Failed(e),
                }
            }
            Reply::Attachment(AttachmentReply::Listed { of, list })
        }
        AttachmentJob::Add {
            entity,
            path,
            kind,
            label,
        } => {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| path.display().to_string());
            let refused = |error| {
                Reply::Attachment(AttachmentReply::Refused {
                    file: crate::sanitize::clean_line(&name),
                    error,
                })
            };
            let bytes = match crate::fsutil::read_regular(&path, ATTACH_READ_CAP, crate::fsutil::Purpose::Read) {
                Ok(b) => b,
                Err(e) => return refused(e),
            };
            let files = vec![crate::workflow::attach::NewAttachment::new(&name, kind, bytes)];
            match b.execute(Command::Attach { entity, files }, None) {
                Ok(o) => Reply::Done {
                    label,
                    outcomes: vec![o],
                },
                Err(e) => refused(e),
            }
        }
        AttachmentJob::Save { entity, name, out } => {
            let refused = |error| {
                Reply::Attachment(AttachmentReply::Refused {
                    file: crate::sanitize::clean_line(&name),
                    error,
                })
            };
            let f = match b.attachment(entity, &name) {
                Ok(f) => f,
                Err(e) => return refused(e),
            };
            if let Err(e) = crate::fsutil::write_file(&out, f.content.bytes(), 0o666) {
                return refused(e);
            }
            Reply::Attachment(AttachmentReply::Saved {
                name: f.entry.name,
                out,
                size: f.entry.size,
                sha256: f.entry.sha256,
            })
        }
    }
}

/// How many records an import preview lists.
pub const PREVIEW_ROWS: usize = 10;

/// One record in an import preview.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreviewRow {
    pub title: String,
    pub submitter: String,
    pub channel: Channel,
}

/// What importing a file would do, and the records to import if the user agrees.
#[derive(Debug, Clone)]
pub struct ImportPreview {
    pub path: std::path::PathBuf,
    /// The options it was read with, used again for the import.
    pub args: Vec<String>,
    /// created, skipped, replies, flagged (as the dry run counted them).
    pub counts: [usize; 4],
    /// The first [`PREVIEW_ROWS`] records.
    pub rows: Vec<PreviewRow>,
    pub warnings: Vec<String>,
    /// How many records the file holds.
    pub total_rows: usize,
}

/// What the worker sends back.
#[derive(Debug, Clone)]
pub enum Reply {
    First(Box<crate::service::FirstScreen>),
    All {
        systems: Vec<System>,
        requests: Vec<RequestSummary>,
        plans: Vec<PlanSummary>,
        dossiers: Vec<DossierSummary>,
        overview: Box<Overview>,
        calendar: Vec<Blackout>,
        templates: Vec<TemplateSummary>,
    },
    Request(Box<Request>),
    /// A template with the steps the core offers on it now.
    Template(Box<Template>, Box<crate::workflow::Offers>),
    /// A plan with its gates as the core sees them now.
    Plan(Box<Plan>, Box<crate::workflow::Gates>),
    Dossier(Box<DossierView>),
    Archive {
        seq: u64,
        hits: Vec<DossierSummary>,
    },
    ArchiveSearch {
        seq: u64,
        answer: Box<crate::search::archive::SearchAnswer>,
    },
    Changes {
        seq: u64,
        list: Vec<crate::service::Change>,
    },
    Evaluation(Box<Report>),
    /// Answer to [`Job::Register`]: the outbox, or why it may not be read.
    Register {
        register: Box<crate::model::Register>,
        outbox: std::result::Result<Vec<crate::model::MailMessage>, String>,
    },
    /// Answer to [`Job::MailSend`].
    MailSent(crate::service::mail::SendReport),
    /// Answer to [`Job::UnresolvedNames`], or why they may not be read.
    UnresolvedNames(std::result::Result<Vec<crate::workflow::people::Unresolved>, String>),
    /// Answer to [`Job::Supervision`]; `reports` is `None` when not asked for.
    Supervision {
        orders: Vec<RectificationOrder>,
        reports: Option<Vec<ConfidentialReport>>,
    },
    Done {
        label: String,
        outcomes: Vec<Outcome>,
    },
    /// Reading a file for [`Job::ImportPreview`] or [`Job::Import`]: sent while it runs.
    ImportProgress {
        done_bytes: u64,
        total_bytes: u64,
        rows: usize,
    },
    ImportPreview(Box<ImportPreview>),
    /// The hash chain, recomputed ([`Job::Verify`]).
    Integrity(Result<crate::store::chain::VerifyReport, Error>),
    /// Who acts now, after [`Job::ActAs`].
    Acting(Box<crate::service::WhoamiInfo>),
    /// The joint review meetings, after [`Job::JointReviews`].
    JointReviews(Vec<JointMeeting>),
    /// What needs someone now, after [`Job::Attention`].
    Attention(Box<crate::service::Attention>),
    /// Answer to [`Job::Attachment`] (issue 18 §1).
    Attachment(AttachmentReply),
    Failed(Error),
}

pub fn run(backend: Box<dyn Backend>, jobs: Receiver<Job>, replies: Sender<super::Msg>) {
    let backend: std::sync::Arc<dyn Backend> = std::sync::Arc::from(backend);
    for job in jobs {
        if let Job::Verify | Job::Integrity = job {
            let (b, replies) = (backend.clone(), replies.clone());
            let _ = std::thread::Builder::new().name("beian-verify".into()).spawn(move || {
                let _ = replies.send(super::Msg::Reply(handle(b.as_ref(), job)));
            });
            continue;
        }
        let mut progress = |r: Reply| {
            let _ = replies.send(super::Msg::Reply(r));
        };
        // A bug in one job must not take the UI down with it: it becomes an error toast.
        let reply = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            handle_with_progress(backend.as_ref(), job, &mut progress)
        }))
        .unwrap_or_else(|payload| {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            Reply::Failed(Error::Storage {
                detail: format!("internal error: {what}"),
            })
        });
        if replies.send(super::Msg::Reply(reply)).is_err() {
            break;
        }
    }
}

/// Answer one job (the worker thread's loop body; tests call it directly).
pub fn handle(b: &dyn Backend, job: Job) -> Reply {
    handle_with_progress(b, job, &mut |_| {})
}

/// [`handle`], sending interim replies (import progress) to `progress` before the answer.
pub fn handle_with_progress(b: &dyn Backend, job: Job, progress: &mut dyn FnMut(Reply)) -> Reply {
    let r = match job {
        Job::ImportPreview { path, args } => {
            import_preview(b, path, args, progress).map(|p| Reply::ImportPreview(Box::new(p)))
        }
        Job::Verify => Ok(Reply::Integrity(b.verify(None))),
        Job::Integrity => Ok(Reply::Integrity(b.integrity())),
        Job::Import { path, args, label } => (|| {
            let opts = import_options(b, &args)?;
            crate::io::import_files(b, &[path], &opts, false, 0, &mut |p| {
                progress(Reply::ImportProgress {
                    done_bytes: p.done_bytes,
                    total_bytes: p.total_bytes,
                    rows: p.rows,
                })
            })
            .map(|run| Reply::Done {
                label,
                outcomes: vec![run.outcome],
            })
        })(),
        Job::FirstScreen { rows } => b.first_screen(rows).map(|f| Reply::First(Box::new(f))),
        Job::LoadAll => (|| {
            Ok(Reply::All {
                systems: b.systems()?,
                requests: b.requests(&RequestFilter::default())?,
                plans: b.plans(&PlanFilter::default())?,
                dossiers: b.archive(&ArchiveFilter::default())?,
                overview: Box::new(b.overview()?),
                calendar: b.calendar()?,
                templates: b.templates()?,
            })
        })(),
        Job::Request(id) => b.request(id).map(|r| Reply::Request(Box::new(r))),
        Job::Plan(id) => b
            .plan(id)
            .and_then(|p| Ok(Reply::Plan(Box::new(p), Box::new(b.plan_gates(id)?)))),
        Job::Template(id) => b
            .template(id)
            .and_then(|x| Ok(Reply::Template(Box::new(x), Box::new(b.template_offers(id)?)))),
        Job::Dossier(id) => b.dossier(id).map(|d| Reply::Dossier(Box::new(d))),
        Job::ActAs { person } => b.act_as(&person).map(|w| Reply::Acting(Box::new(w))),
        Job::JointReviews => b.joint_reviews().map(Reply::JointReviews),
        Job::Attention => b.attention().map(|a| Reply::Attention(Box::new(a))),
        Job::Attachment(j) => Ok(attachment_job(b, j)),
        Job::SearchArchive { seq, filter } => b.archive(&filter).map(|hits| Reply::Archive { seq, hits }),
        Job::ArchiveSearch { seq, req } => b.archive_search(&req).map(|a| Reply::ArchiveSearch {
            seq,
            answer: Box::new(a),
        }),
        Job::Changes { seq, system, since } => b
            .changes(Some(system), Some(since))
            .map(|list| Reply::Changes { seq, list }),
        Job::Evaluation { from, to } => b.evaluation(from, to).map(|r| Reply::Evaluation(Box::new(r))),
        Job::Register => b.register().map(|register| Reply::Register {
            register: Box::new(register),
            outbox: b.outbox().map_err(|e| e.message()),
        }),
        Job::MailSend => b.mail_send(false).map(Reply::MailSent),
        Job::UnresolvedNames => Ok(Reply::UnresolvedNames(
            b.unresolved_names(false).map_err(|e| e.message()),
        )),
        Job::Supervision { reports } => (|| {
            Ok(Reply::Supervision {
                orders: b.orders()?,
                reports: if reports { Some(b.reports()?) } else { None },
            })
        })(),
        Job::Execute { cmd, expect_rev, label } => b.execute(cmd, expect_rev).map(|o| Reply::Done {
            label,
            outcomes: vec![o],
        }),
        Job::ExecuteMany { cmds, label } => {
            let mut outcomes = Vec::new();
            let mut failed = None;
            for (cmd, rev) in cmds {
                match b.execute(cmd, rev) {
                    Ok(o) => outcomes.push(o),
                    Err(e) => {
                        failed = Some(e);
                        break;
                    }
                }
            }
            match failed {
                Some(e) if outcomes.is_empty() => Err(e),
                Some(e) => {
                    // Partial bulk: report what was done, then the error.
                    return Reply::Done {
                        label: format!("{label} — {}", e.message()),
                        outcomes,
                    };
                }
                None => Ok(Reply::Done { label, outcomes }),
            }
        }
    };
    r.unwrap_or_else(Reply::Failed)
}

/// Read `path` as `beian import` would and ask the core, batch by batch, what
/// importing it would do (a dry run: nothing is kept).
fn import_preview(
    b: &dyn Backend,
    path: std::path::PathBuf,
    args: Vec<String>,
    progress: &mut dyn FnMut(Reply),
) -> crate::error::Result<ImportPreview> {
    let opts = import_options(b, &args)?;
    let run = crate::io::import_files(b, std::slice::from_ref(&path), &opts, true, PREVIEW_ROWS, &mut |p| {
        progress(Reply::ImportProgress {
            done_bytes: p.done_bytes,
            total_bytes: p.total_bytes,
            rows: p.rows,
        })
    })?;
    let rows = run
        .first
        .iter()
        .map(|i| PreviewRow {
            title: i.request.title.clone(),
            submitter: i.request.submitter.name.clone(),
            channel: i.request.channel,
        })
        .collect();
    Ok(ImportPreview {
        path,
        args,
        counts: ImportReport::counts(&run.outcome.summary).unwrap_or_default(),
        rows,
        warnings: run.warnings,
        total_rows: run.rows,
    })
}

/// The systems to resolve names against, and the prompt's options.
fn import_options(b: &dyn Backend, args: &[String]) -> crate::error::Result<crate::io::Options> {
    let mut opts = crate::io::Options {
        systems: b.systems()?,
        ..crate::io::Options::default()
    };
    opts.apply_args(args)?;
    Ok(opts)
}
