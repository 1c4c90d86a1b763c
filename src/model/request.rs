//! Requests and problem reports (§3.1).

use serde::{Deserialize, Serialize};

use super::{Id, Meta, Time};

macro_rules! str_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $v:ident = $s:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, clap::ValueEnum)]
        #[serde(rename_all = "snake_case")]
        #[clap(rename_all = "snake_case")]
        pub enum $name { $($(#[$vm])* $v),+ }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$v),+];
            /// The stable name used in files, JSON and the CLI.
            pub fn as_str(self) -> &'static str { match self { $($name::$v => $s),+ } }
            /// The user-facing label in the current language.
            pub fn label(self) -> String {
                crate::i18n::enum_label(stringify!($name), self.as_str())
            }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str(self.as_str()) }
        }
    };
}
pub(crate) use str_enum;

str_enum!(RequestKind { Problem = "problem", Feature = "feature" });
str_enum!(SubmitterType { Teacher = "teacher", Student = "student", Staff = "staff", Department = "department" });
str_enum!(Channel { Questionnaire = "questionnaire", Email = "email", Website = "website", Counsellor = "counsellor", Phone = "phone", Other = "other" });
str_enum!(Priority { Low = "low", Normal = "normal", High = "high", Urgent = "urgent" });
str_enum!(
    /// new → triaged → accepted / rejected / duplicate / joint_review → accepted or
    /// rejected; accepted → planned → done (when the plan is filed).
    RequestStatus {
        New = "new",
        Triaged = "triaged",
        Accepted = "accepted",
        Rejected = "rejected",
        Duplicate = "duplicate",
        JointReview = "joint_review",
        Planned = "planned",
        Done = "done",
    }
);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Submitter {
    pub name: String,
    #[serde(default)]
    pub contact: String,
    pub kind: SubmitterType,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comment {
    pub author: String,
    pub time: Time,
    pub text: String,
}

/// A request's joint review (专题研讨) when it touches several departments: when
/// it was sent there, the meeting that covers it and the position reached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JointReview {
    pub sent_by: String,
    pub sent_at: Time,
    /// The position the meeting reached, once it has.
    #[serde(default)]
    pub outcome: Option<String>,
    #[serde(default)]
    pub decided_at: Option<Time>,
    /// The meeting record ([`JointMeeting`]) that covers it: while the
    /// request waits in joint review, that meeting's position decides it;
    /// once decided, the meeting that did. None for a request sent to joint
    /// review without a meeting yet (and for requests of older versions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review: Option<Id>,
}

/// A joint review meeting (专题研讨, §3.1), `JR-2026-0001`: the requests it
/// covers, the departments taking part, its day, and the one position it
/// reaches. Recording the position decides each covered request still in
/// the review: accepted, or rejected with the position as the reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JointMeeting {
    pub id: Id,
    /// What the meeting is about, one line.
    pub topic: String,
    /// The requests it covers, in the order given.
    pub requests: Vec<Id>,
    /// The departments taking part (at least two).
    pub departments: Vec<String>,
    /// The day it meets (or met).
    pub date: chrono::NaiveDate,
    /// The position reached, once recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<JointPosition>,
    pub meta: Meta,
}

/// The position a joint review reached and what it decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JointPosition {
    pub text: String,
    /// The minutes it is written in.
    #[serde(default)]
    pub minutes_ref: String,
    pub accepted: Vec<Id>,
    pub rejected: Vec<Id>,
    /// Covered requests that had left the review before (reopened): not
    /// decided by it.
    #[serde(default)]
    pub withdrawn: Vec<Id>,
    pub recorded_by: String,
    pub recorded_at: Time,
}

impl JointMeeting {
    /// Has the meeting reached its position?
    pub fn decided(&self) -> bool {
        self.position.is_some()
    }

    /// The status label: open, or position reached.
    pub fn status_label(&self) -> String {
        crate::i18n::t(
            if self.decided() {
                "joint.status.decided"
            } else {
                "joint.status.open"
            },
            &[],
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Request {
    pub id: Id,
    pub kind: RequestKind,
    pub title: String,
    pub body: String,
    pub system: Option<Id>,
    pub submitter: Submitter,
    pub department: String,
    pub channel: Channel,
    pub received_at: Time,
    pub priority: Priority,
    #[serde(default)]
    pub tags: Vec<String>,
    pub status: RequestStatus,
    /// The status it had before each triage decision still in force, oldest
    /// first: reopening withdraws the latest decision and returns to the last of
    /// these (`workflow::reopen`). Emptied when the request is done.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub decided_from: Vec<RequestStatus>,
    #[serde(default)]
    pub necessity: String,
    #[serde(default)]
    pub feasibility: String,
    #[serde(default)]
    pub reject_reason: Option<String>,
    #[serde(default)]
    pub duplicate_of: Option<Id>,
    /// The request it looked like when it was added (tagged
    /// [`crate::workflow::LIKELY_DUPLICATE_TAG`]); None for requests of older
    /// versions, which carry the tag alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub similar_to: Option<Id>,
    #[serde(default)]
    pub joint_review: Option<JointReview>,
    #[serde(default)]
    pub plan: Option<Id>,
    /// The live or filed plan this request reports on after its update (§2.3:
    /// post-update feedback); not part of that plan's scope.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feedback_on: Option<Id>,
    #[serde(default)]
    pub comments: Vec<Comment>,
    /// Where an imported request came from (none for requests typed in).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
    pub meta: Meta,
}

/// The provenance an import keeps with a request: the channel's own metadata.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    /// The file and line, or file and message number, it was read from.
    #[serde(default)]
    pub origin: String,
    /// Channel detail, e.g. the survey's 来源 / 来源详情, or `mbox`.
    #[serde(default)]
    pub detail: String,
    /// The Message-ID, or the survey's row number (序号).
    #[serde(default)]
    pub external_id: String,
    /// The respondent's IP address as the survey site recorded it.
    #[serde(default)]
    pub ip: String,
    /// The sender's raw address (email).
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub attachments: Vec<Attachment>,
}

/// An attachment of an imported message: listed, not stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    pub name: String,
    pub size: u64,
}

/// What the queue shows for one request; kept in its own tree so that the
/// queue never decodes bodies and comment threads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestSummary {
    pub id: Id,
    pub status: RequestStatus,
    pub kind: RequestKind,
    pub channel: Channel,
    pub priority: Priority,
    pub system: Option<Id>,
    pub department: String,
    pub title: String,
    pub received_at: Time,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub plan: Option<Id>,
    pub rev: u64,
    /// Its necessity and feasibility analysis is written (§3.1), so it can be accepted.
    #[serde(default)]
    pub analysed: bool,
    /// The joint review meeting that covers it ([`JointReview::review`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review: Option<Id>,
    /// The request it looked like when added ([`Request::similar_to`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub similar_to: Option<Id>,
}

impl Request {
    /// The fields the audit log compares before and after a command
    /// ([`super::changes`]); the thread of comments only grows.
    pub fn tracked(&self) -> Vec<super::Tracked> {
        use super::Tracked as T;
        vec![
            T::label("kind", "RequestKind", self.kind.as_str()),
            T::text("title", &self.title),
            T::text("body", &self.body),
            T::text("system", super::id_text(self.system)),
            T::text("department", &self.department),
            T::label("priority", "Priority", self.priority.as_str()),
            T::text("tags", self.tags.join(", ")),
            T::label("status", "RequestStatus", self.status.as_str()),
            T::text("necessity", &self.necessity),
            T::text("feasibility", &self.feasibility),
            T::text("reason", self.reject_reason.clone().unwrap_or_default()),
            T::text("duplicate_of", super::id_text(self.duplicate_of)),
            T::text(
                "joint_review",
                self.joint_review
                    .as_ref()
                    .and_then(|j| j.outcome.clone())
                    .unwrap_or_default(),
            ),
            T::text("plan", super::id_text(self.plan)),
            T::text("feedback_on", super::id_text(self.feedback_on)),
        ]
    }

    pub fn summary(&self) -> RequestSummary {
        RequestSummary {
            id: self.id,
            status: self.status,
            kind: self.kind,
            channel: self.channel,
            priority: self.priority,
            system: self.system,
            department: self.department.clone(),
            title: self.title.clone(),
            received_at: self.received_at,
            tags: self.tags.clone(),
            plan: self.plan,
            rev: self.meta.rev,
            analysed: crate::workflow::analysis_missing(self).is_empty(),
            review: self.joint_review.as_ref().and_then(|j| j.review),
            similar_to: self.similar_to,
        }
    }

    /// Its tags as shown: the likely-duplicate tag names the request it
    /// resembles (`疑似重复 REQ-2026-0012`).
    pub fn shown_tags(&self) -> Vec<String> {
        shown_tags(&self.tags, self.similar_to)
    }
}

/// Tags as shown: [`crate::workflow::LIKELY_DUPLICATE_TAG`] followed by the
/// request it names, when it names one.
pub fn shown_tags(tags: &[String], similar_to: Option<Id>) -> Vec<String> {
    tags.iter()
        .map(|t| match similar_to {
            Some(id) if t == crate::workflow::LIKELY_DUPLICATE_TAG => format!("{t} {id}"),
            _ => t.clone(),
        })
        .collect()
}

impl RequestSummary {
    /// Its tags as shown ([`shown_tags`]).
    pub fn shown_tags(&self) -> Vec<String> {
        shown_tags(&self.tags, self.similar_to)
    }
}
