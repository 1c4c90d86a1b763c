//! The worker thread owns the [`Service`]: loading, searching and changes run
//! here, off the input path, and come back to the event loop as [`Msg`]s.

use std::sync::mpsc::{Receiver, Sender};

use crate::error::Error;
use crate::model::*;
use crate::report::Report;
use crate::service::{ArchiveFilter, Backend, Command, DossierView, Outcome, Overview, PlanFilter, RequestFilter};

/// Work for the worker. Each carries what the UI needs to match the answer.
#[derive(Debug, Clone)]
pub enum Job {
    /// Everything the panes list, and the overview.
    LoadAll,
    Request(Id),
    Plan(Id),
    Dossier(Id),
    /// Full-text search of the archive; `seq` lets the UI drop stale answers.
    SearchArchive {
        seq: u64,
        filter: ArchiveFilter,
    },
    /// The periodic evaluation of the days `from..=to`.
    Evaluation {
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
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
}

/// What the worker sends back.
#[derive(Debug, Clone)]
pub enum Reply {
    All {
        systems: Vec<System>,
        requests: Vec<RequestSummary>,
        plans: Vec<PlanSummary>,
        dossiers: Vec<DossierSummary>,
        overview: Box<Overview>,
        calendar: Vec<Blackout>,
    },
    Request(Box<Request>),
    Plan(Box<Plan>),
    Dossier(Box<DossierView>),
    Archive {
        seq: u64,
        hits: Vec<DossierSummary>,
    },
    Evaluation(Box<Report>),
    Done {
        label: String,
        outcomes: Vec<Outcome>,
    },
    Failed(Error),
}

pub fn run(backend: Box<dyn Backend>, jobs: Receiver<Job>, replies: Sender<super::Msg>) {
    for job in jobs {
        // A bug in one job must not take the UI down with it: it becomes an error toast.
        let reply = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| handle(backend.as_ref(), job)))
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
    let r = match job {
        Job::LoadAll => (|| {
            Ok(Reply::All {
                systems: b.systems()?,
                requests: b.requests(&RequestFilter::default())?,
                plans: b.plans(&PlanFilter::default())?,
                dossiers: b.archive(&ArchiveFilter::default())?,
                overview: Box::new(b.overview()?),
                calendar: b.calendar()?,
            })
        })(),
        Job::Request(id) => b.request(id).map(|r| Reply::Request(Box::new(r))),
        Job::Plan(id) => b.plan(id).map(|p| Reply::Plan(Box::new(p))),
        Job::Dossier(id) => b.dossier(id).map(|d| Reply::Dossier(Box::new(d))),
        Job::SearchArchive { seq, filter } => b.archive(&filter).map(|hits| Reply::Archive { seq, hits }),
        Job::Evaluation { from, to } => b.evaluation(from, to).map(|r| Reply::Evaluation(Box::new(r))),
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
