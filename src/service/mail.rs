//! The outbox's side of a change: what a committed command causes is queued in
//! its own transaction (`queue`), from the pure rules of `workflow::mail`; and
//! the reads and the delivery of the outbox (`Service::mail_list`,
//! `Service::mail_send`), the transport being `crate::mail`.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{Command, Outcome, Service};
use crate::config::MailSettings;
use crate::error::{Error, Result};
use crate::model::*;
use crate::store::Tx;
use crate::workflow::mail::{drafts, Draft, Event};
use crate::workflow::{self as wf, Ctx, Op};

/// What the rules need that a transaction cannot scan: the register, the
/// supervision group and, for a progress report, its text. Read before the
/// transaction, only for the commands that may cause mail.
#[derive(Debug, Clone, Default)]
pub struct MailFacts {
    pub register: Register,
    pub settings: MailSettings,
    /// The supervision group: the users `config.toml` gives the supervisor role.
    pub supervisors: Vec<String>,
    /// The progress report's text, for `MailReport`.
    pub report: String,
    /// For `MailDigest`: what needs someone, and each user with their roles.
    pub attention: Vec<crate::workflow::AttentionItem>,
    pub users: Vec<(String, Vec<Role>)>,
}

/// Whether `cmd` may cause mail (the register is read only for these).
pub(super) fn may_mail(cmd: &Command) -> bool {
    matches!(
        cmd,
        Command::RequestTriage { .. }
            | Command::JointReviewDecide { .. }
            | Command::PlanNotice { .. }
            | Command::PlanApprove { .. }
            | Command::PlanReturn { .. }
            | Command::GoLive { .. }
            | Command::ReportReply { .. }
            | Command::MailReport { .. }
            | Command::MailDigest { .. }
    )
}

impl Service {
    /// The facts the mail rules read for `cmd` (empty for a command that causes
    /// none), and the register a name's resolution is checked against.
    pub(super) fn mail_facts(&self, actor: &Actor, cmd: &Command) -> Result<MailFacts> {
        let settings = self.config().mail.clone();
        // Resolving a name checks it against every alias of the register.
        let resolving = matches!(cmd, Command::NameResolve { .. } | Command::NameUnresolve { .. });
        if !resolving && (!settings.enabled || !may_mail(cmd)) {
            return Ok(MailFacts {
                settings,
                ..Default::default()
            });
        }
        let register = Register {
            people: self.store().all()?,
            departments: self.store().all()?,
            vendors: if resolving { self.store().all()? } else { Vec::new() },
        };
        let mut supervisors: Vec<String> = self
            .config()
            .roles
            .users
            .iter()
            .filter(|(_, r)| r.contains(&Role::Supervisor))
            .map(|(u, _)| u.clone())
            .collect();
        supervisors.sort();
        let report = match cmd {
            Command::MailReport { from, to } => self.evaluation(actor, *from, *to)?.markdown(),
            _ => String::new(),
        };
        let (attention, users) = match cmd {
            Command::MailDigest { .. } => {
                // Every item, whoever asks: each goes to the role that should act.
                let all = Actor {
                    name: actor.name.clone(),
                    roles: Role::ALL.to_vec(),
                    via: None,
                };
                let items = self.attention(&all)?.items;
                let users = self
                    .config()
                    .roles
                    .users
                    .iter()
                    .map(|(u, r)| (u.clone(), r.clone()))
                    .collect();
                (items, users)
            }
            _ => Default::default(),
        };
        Ok(MailFacts {
            register,
            settings,
            supervisors,
            report,
            attention,
            users,
        })
    }

    /// The outbox, newest first: every message the actor may read (a report's
    /// outcome is the supervisors' alone).
    pub fn mail_list(&self, actor: &Actor) -> Result<Vec<MailMessage>> {
        wf::check(actor, Op::MailRead)?;
        let supervisor = actor.roles.contains(&Role::Supervisor);
        let mut all: Vec<MailMessage> = self.store().all()?;
        all.retain(|m| supervisor || m.kind != MailKind::ReportOutcome);
        all.reverse();
        Ok(all)
    }

    /// The register: people, departments, vendors.
    pub fn register(&self, actor: &Actor) -> Result<Register> {
        wf::check(actor, Op::ReadRecords)?;
        Ok(Register {
            people: self.store().all()?,
            departments: self.store().all()?,
            vendors: self.store().all()?,
        })
    }

    /// Hand every due message to the MTA (`[mail]` transport), recording each
    /// attempt; `retry`: failed messages whose attempts ran out are tried again.
    /// Never holds the write gate while the MTA works; one delivery at a time.
    pub fn mail_send(&self, actor: &Actor, retry: bool) -> Result<SendReport> {
        wf::check(actor, Op::MailSend)?;
        self.deliver(retry, true, chrono::Utc::now(), &|| false)
    }

    /// The server's delivery: the due messages, each after its backoff.
    /// `stop`: asked between messages; true ends the round (the server is
    /// stopping: a long backlog with a failing MTA must not hold it up).
    pub fn deliver_due(&self, now: Time, stop: &dyn Fn() -> bool) -> Result<SendReport> {
        self.deliver(false, false, now, stop)
    }

    /// Hand over the queued and failed messages; `manual` (`beian mail send`):
    /// without waiting for their backoff; `retry`: also those whose attempts ran out.
    fn deliver(&self, retry: bool, manual: bool, now: Time, stop: &dyn Fn() -> bool) -> Result<SendReport> {
        let settings = self.config().mail.clone();
        let _one = self.mail_lock.lock().unwrap_or_else(|e| e.into_inner());
        let mut report = SendReport::default();
        let all: Vec<MailMessage> = self.store().all()?;
        let max = if retry { u32::MAX } else { settings.max_attempts };
        let transport = crate::mail::transport::Transport::from_settings(&settings);
        for m in all {
            if stop() {
                break;
            }
            let due = if manual {
                matches!(m.state, MailState::Queued | MailState::Failed) && (m.attempts.len() as u32) < max
            } else {
                m.due(now, max)
            };
            if !due {
                continue;
            }
            let result = crate::mail::transport::build(&m, &settings).and_then(|msg| transport.send(&msg));
            let at = chrono::Utc::now();
            let backoff = settings
                .backoff_secs
                .saturating_mul(1 << m.attempts.len().min(10))
                .min(86_400);
            self.store().transact("beian-mail", at, |tx| {
                let mut cur: MailMessage = tx.load(m.id, None)?;
                // Someone else recorded it meanwhile (never the case with one sender).
                if cur.state == MailState::Sent {
                    return Ok(());
                }
                cur.attempts.push(Attempt {
                    time: at,
                    ok: result.is_ok(),
                    answer: result.as_ref().err().cloned().unwrap_or_default(),
                });
                match &result {
                    Ok(()) => {
                        cur.state = MailState::Sent;
                        cur.sent_at = Some(at);
                        cur.next_attempt = None;
                    }
                    Err(_) => {
                        cur.state = MailState::Failed;
                        cur.next_attempt = Some(at + chrono::Duration::seconds(backoff as i64));
                    }
                }
                tx.save(&mut cur)
            })?;
            match result {
                Ok(()) => report.sent.push(m.id),
                Err(e) => report.failed.push((m.id, e)),
            }
        }
        Ok(report)
    }
}

/// What one `beian mail send` did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendReport {
    pub sent: Vec<Id>,
    /// Each failed message with the MTA's answer.
    pub failed: Vec<(Id, String)>,
}

/// Queue what `cmd`, just applied in `tx`, causes.
pub(super) fn queue(tx: &Tx, ctx: &Ctx, cmd: &Command, out: &Outcome, facts: &MailFacts) -> Result<()> {
    if !facts.settings.enabled || !may_mail(cmd) {
        return Ok(());
    }
    let reg = &facts.register;
    let s = &facts.settings;
    let mut all: Vec<Draft> = Vec::new();
    match cmd {
        Command::RequestTriage { id, .. } => {
            let r: Request = tx.load(*id, None)?;
            all.extend(drafts(&Event::RequestDecided { request: &r }, reg, s));
        }
        Command::JointReviewDecide { id, .. } => {
            let m: JointMeeting = tx.load(*id, None)?;
            for rid in &m.requests {
                let r: Request = tx.load(*rid, None)?;
                all.extend(drafts(&Event::RequestDecided { request: &r }, reg, s));
            }
        }
        Command::PlanNotice { id, audience, .. } => {
            let p: Plan = tx.load(*id, None)?;
            let sys: System = tx.load(p.system, None)?;
            let text = p.notice.as_ref().map(|n| n.text.clone()).unwrap_or_default();
            all.extend(drafts(
                &Event::NoticePublished {
                    plan: &p,
                    system: &sys,
                    text: &text,
                    audience,
                },
                reg,
                s,
            ));
        }
        Command::PlanApprove { id, .. } => {
            let p: Plan = tx.load(*id, None)?;
            if p.status == PlanStatus::Approved {
                all.extend(drafts(
                    &Event::PlanDecided {
                        plan: &p,
                        approved: true,
                        reason: "",
                    },
                    reg,
                    s,
                ));
            }
        }
        Command::PlanReturn { id, reason, .. } => {
            let p: Plan = tx.load(*id, None)?;
            all.extend(drafts(
                &Event::PlanDecided {
                    plan: &p,
                    approved: false,
                    reason,
                },
                reg,
                s,
            ));
        }
        Command::GoLive { plan, .. } => {
            let p: Plan = tx.load(*plan, None)?;
            for rid in &p.requests {
                let r: Request = tx.load(*rid, None)?;
                all.extend(drafts(&Event::RequestDelivered { request: &r, plan: &p }, reg, s));
            }
        }
        Command::ReportReply { id, .. } => {
            let r: ConfidentialReport = tx.load(*id, None)?;
            all.extend(drafts(&Event::ReportAnswered { report: &r }, reg, s));
        }
        _ => {}
    }
    let _ = out;
    for d in all {
        insert(tx, ctx, cmd.name(), d, s)?;
    }
    Ok(())
}

/// Queue the progress report of `from..=to` to the supervision group; how many messages.
pub(super) fn queue_progress(tx: &Tx, ctx: &Ctx, facts: &MailFacts, from: NaiveDate, to: NaiveDate) -> Result<usize> {
    if to < from {
        return Err(Error::input(
            "to",
            &to.to_string(),
            &crate::i18n::t("expected.date_on_or_after", &[("date", from.to_string())]),
        ));
    }
    let period = format!("{from}..{to}");
    let list = drafts(
        &Event::Progress {
            period: &period,
            text: &facts.report,
            to: &facts.supervisors,
        },
        &facts.register,
        &facts.settings,
    );
    let n = list.len();
    for d in list {
        insert(tx, ctx, "mail.report", d, &facts.settings)?;
    }
    Ok(n)
}

/// Queue the daily digest: one message per person with items for their roles.
pub(super) fn queue_digest(tx: &Tx, ctx: &Ctx, facts: &MailFacts) -> Result<usize> {
    let list = crate::workflow::mail::digest(&facts.attention, &facts.users, &facts.register, &facts.settings);
    let n = list.len();
    for d in list {
        insert(tx, ctx, "mail.digest", d, &facts.settings)?;
    }
    Ok(n)
}

/// Write one message to the outbox with its Message-ID.
fn insert(tx: &Tx, ctx: &Ctx, cause: &str, d: Draft, s: &MailSettings) -> Result<()> {
    let id = tx.alloc_id(IdKind::Mail)?;
    let state = if d.is_call() {
        MailState::Call
    } else {
        MailState::Queued
    };
    let mut m = MailMessage {
        id,
        kind: d.kind,
        to: d.to,
        subject: crate::sanitize::clean_line(&d.subject),
        body: d.body,
        lang: d.lang,
        message_id: crate::mail::transport::message_id(id, ctx.now, s),
        about: d.about,
        cause: cause.to_string(),
        state,
        attempts: Vec::new(),
        next_attempt: None,
        sent_at: None,
        meta: Meta::new(&ctx.actor.name, ctx.now),
    };
    tx.insert(&mut m)?;
    Ok(())
}
