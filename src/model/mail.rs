//! The outbox: every message beian hands to the machine's mail transfer agent,
//! written in the transaction of the change that caused it, with its delivery
//! state and every attempt.

use serde::{Deserialize, Serialize};

use super::request::str_enum;
use super::{Id, Meta, Time};

str_enum!(
    /// What a message is about; each kind can be switched off in `[mail]`.
    MailKind {
        Notice = "notice",
        RequestAccepted = "request_accepted",
        RequestRejected = "request_rejected",
        RequestDuplicate = "request_duplicate",
        RequestDelivered = "request_delivered",
        ReportOutcome = "report_outcome",
        PlanApproved = "plan_approved",
        PlanReturned = "plan_returned",
        Digest = "digest",
        ProgressReport = "progress_report",
    }
);

str_enum!(
    /// queued → sent, or failed (still retried until the attempts run out);
    /// `call`: the recipient has only a phone: someone calls them.
    MailState {
        Queued = "queued",
        Sent = "sent",
        Failed = "failed",
        Call = "call",
        Called = "called",
    }
);

/// One recipient: a name and an address, or a phone number to call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Addressee {
    pub name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub phone: String,
}

/// One hand-over to the MTA: when, and what it answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attempt {
    pub time: Time,
    pub ok: bool,
    /// The MTA's answer (its error, or empty on success).
    #[serde(default)]
    pub answer: String,
}

/// A message of the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailMessage {
    pub id: Id,
    pub kind: MailKind,
    pub to: Vec<Addressee>,
    pub subject: String,
    pub body: String,
    /// `zh-CN` or `en`.
    pub lang: String,
    /// Assigned when queued and kept for every attempt: `<MAIL-2026-0001.….@host>`.
    pub message_id: String,
    /// The record the message is about (`REQ-2026-0042`).
    #[serde(default)]
    pub about: String,
    /// The audit action of the change that caused it (`request.triage`).
    #[serde(default)]
    pub cause: String,
    pub state: MailState,
    #[serde(default)]
    pub attempts: Vec<Attempt>,
    /// Not before this time again (backoff after a failure).
    #[serde(default)]
    pub next_attempt: Option<Time>,
    #[serde(default)]
    pub sent_at: Option<Time>,
    pub meta: Meta,
}

impl MailMessage {
    /// Whether a sender should hand it over at `now`.
    pub fn due(&self, now: Time, max_attempts: u32) -> bool {
        matches!(self.state, MailState::Queued | MailState::Failed)
            && (self.attempts.len() as u32) < max_attempts
            && self.next_attempt.is_none_or(|t| t <= now)
    }

    /// The recipients as one line: addresses, or phone numbers for a call.
    pub fn recipients(&self) -> String {
        self.to
            .iter()
            .map(|a| {
                if a.email.is_empty() {
                    format!("{} {}", a.name, a.phone)
                } else if a.name.is_empty() {
                    a.email.clone()
                } else {
                    format!("{} <{}>", a.name, a.email)
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The state as lists show it: its label, with the number of attempts.
    pub fn state_text(&self) -> String {
        let mut s = self.state.label();
        if !self.attempts.is_empty() && matches!(self.state, MailState::Failed | MailState::Queued | MailState::Sent) {
            s.push_str(&format!(" ×{}", self.attempts.len()));
        }
        s
    }

    /// The MTA's last answer, if the last attempt failed.
    pub fn last_error(&self) -> Option<&str> {
        self.attempts.last().filter(|a| !a.ok).map(|a| a.answer.as_str())
    }
}
