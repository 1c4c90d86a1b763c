//! `u`: undo your last reversible step on a request (triage, tag, priority,
//! link) by sending its inverse as an ordinary command — the core builds it
//! ([`crate::workflow::inverse`]) and decides it like any other, audited, with
//! "undo" as its reason. Each inverse expects the revision the step left, so
//! once anybody else changed the record the core refuses it as a conflict:
//! there is no second undo mechanism.

use super::super::state::{State, UndoEntry};
use super::super::worker::Job;
use super::Effect;
use crate::i18n::t;
use crate::service::Command;

/// The jobs just sent: when every command in one acts on a request of the
/// queue and has an inverse, remember the inverses until the answer comes.
pub fn capture(s: &mut State, fx: &[Effect]) {
    for e in fx {
        let Effect::Job(job) = e else { continue };
        let (cmds, label): (Vec<&Command>, &str) = match job {
            Job::Execute { cmd, label, .. } => (vec![cmd], label),
            Job::ExecuteMany { cmds, label } => (cmds.iter().map(|(c, _)| c).collect(), label),
            _ => continue,
        };
        if label == t("tui.done.undone", &[]) {
            continue;
        }
        let inverses: Option<Vec<(Command, Option<u64>)>> = cmds
            .iter()
            .map(|cmd| {
                let id = request_of(cmd)?;
                let before = match s.queue.detail.as_ref().filter(|d| d.id == id) {
                    Some(full) => full.clone(),
                    None => crate::workflow::request_of_summary(s.queue.all.iter().find(|r| r.id == id)?),
                };
                crate::workflow::inverse(&before, cmd).map(|inv| (inv, None))
            })
            .collect();
        s.undo_pending = inverses.filter(|v| !v.is_empty()).map(|cmds| UndoEntry {
            label: label.to_string(),
            cmds,
        });
    }
}

/// The request a command acts on, for the commands `u` can undo.
fn request_of(cmd: &Command) -> Option<crate::model::Id> {
    match cmd {
        Command::RequestTriage { id, .. } | Command::RequestEdit { id, .. } | Command::RequestLink { id, .. } => {
            Some(*id)
        }
        _ => None,
    }
}

/// The request an inverse command acts on.
fn target(cmd: &Command) -> Option<crate::model::Id> {
    match cmd {
        Command::RequestReopen { id, .. } | Command::RequestUnlink { id, .. } => Some(*id),
        other => request_of(other),
    }
}

/// The steps were done: what undoes them expects the revisions they left.
pub fn done(s: &mut State, outcomes: &[crate::service::Outcome]) {
    let Some(mut entry) = s.undo_pending.take() else { return };
    // The answer must be the steps' own (same requests, in order), not an
    // earlier job's that came back after them.
    let same = entry.cmds.len() == outcomes.len()
        && entry
            .cmds
            .iter()
            .zip(outcomes)
            .all(|((inv, _), o)| target(inv).is_some_and(|id| id.to_string() == o.entity));
    if !same {
        return;
    }
    for ((_, rev), o) in entry.cmds.iter_mut().zip(outcomes) {
        *rev = o.rev;
    }
    let ids: Vec<String> = outcomes.iter().map(|o| o.entity.clone()).collect();
    entry.label = format!("{}: {}", entry.label, ids.join(" "));
    s.undo = Some(entry);
}

/// The steps were refused: nothing to undo.
pub fn failed(s: &mut State) {
    s.undo_pending = None;
}

/// `u`: send the inverse of the last step (it can be undone once).
pub fn undo(s: &mut State, fx: &mut Vec<Effect>) {
    let Some(entry) = s.undo.take() else {
        return s.toast(t("tui.undo.nothing", &[]), true);
    };
    s.toast(t("tui.undo.sent", &[("what", entry.label.clone())]), false);
    fx.push(Effect::Job(Job::ExecuteMany {
        cmds: entry.cmds,
        label: t("tui.done.undone", &[]),
    }));
}
