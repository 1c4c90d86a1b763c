//! The update notice as a document (§3.2, §4.2) and the schedule around the
//! window: what users will notice, the language it is written in, the draft
//! being edited, every publication (first, corrected, cancellation), the
//! windows a plan had before it was rescheduled, and the milestones (test
//! start, the go-live time fixed when tests pass, training sessions, §3.4).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::request::str_enum;
use super::{Notice, Time, TrainingFormat, Window};

/// The language a plan's notice is written in, whatever the language of the
/// person who publishes it. Stored and typed as `zh-CN` or `en`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum)]
pub enum NoticeLanguage {
    #[default]
    #[serde(rename = "zh-CN")]
    #[value(name = "zh-CN", alias = "zh")]
    ZhCn,
    #[serde(rename = "en")]
    #[value(name = "en")]
    En,
}

impl NoticeLanguage {
    pub const ALL: &'static [NoticeLanguage] = &[NoticeLanguage::ZhCn, NoticeLanguage::En];
    /// The locale name (`zh-CN`, `en`), as rust-i18n knows it.
    pub fn as_str(self) -> &'static str {
        match self {
            NoticeLanguage::ZhCn => "zh-CN",
            NoticeLanguage::En => "en",
        }
    }
    /// The label in the current language.
    pub fn label(self) -> String {
        crate::i18n::enum_label("NoticeLanguage", self.as_str())
    }
    /// `zh-CN`, `zh`, `en` (any case); None for anything else.
    pub fn parse(s: &str) -> Option<NoticeLanguage> {
        let s = s.trim().to_ascii_lowercase();
        if s == "zh" || s == "zh-cn" || s == "zh_cn" {
            Some(NoticeLanguage::ZhCn)
        } else if s == "en" {
            Some(NoticeLanguage::En)
        } else {
            None
        }
    }
}

impl std::fmt::Display for NoticeLanguage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

str_enum!(
    /// A field of the notice document ([`NoticeInfo`]).
    NoticeField {
        Services = "services",
        UserGroups = "user_groups",
        Impact = "impact",
        UserAction = "user_action",
        Contact = "contact",
        StudentArrangements = "student_arrangements",
    }
);

/// What users will notice, written for the notice (§3.2 "when, what and the
/// expected impact") and for students whose study is disrupted (§4.2). The
/// generated notice is made of these, the window and the milestones — never of
/// the plan's risk register, which is the IMC's internal assessment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeInfo {
    /// The services users will find changed or unavailable.
    #[serde(default)]
    pub services: String,
    /// Who is affected: user groups, departments.
    #[serde(default)]
    pub user_groups: String,
    /// What users will notice during and after the update.
    #[serde(default)]
    pub impact: String,
    /// What users should do: before, during, after.
    #[serde(default)]
    pub user_action: String,
    /// Whom to ask.
    #[serde(default)]
    pub contact: String,
    /// The arrangements and compensation offered to students whose study is
    /// disrupted (§4.2 合理的安排和补偿).
    #[serde(default)]
    pub student_arrangements: String,
}

impl NoticeInfo {
    /// The fields in form order, with their values.
    pub fn fields(&self) -> [(NoticeField, &str); 6] {
        [
            (NoticeField::Services, &self.services),
            (NoticeField::UserGroups, &self.user_groups),
            (NoticeField::Impact, &self.impact),
            (NoticeField::UserAction, &self.user_action),
            (NoticeField::Contact, &self.contact),
            (NoticeField::StudentArrangements, &self.student_arrangements),
        ]
    }

    pub fn field_mut(&mut self, field: NoticeField) -> &mut String {
        match field {
            NoticeField::Services => &mut self.services,
            NoticeField::UserGroups => &mut self.user_groups,
            NoticeField::Impact => &mut self.impact,
            NoticeField::UserAction => &mut self.user_action,
            NoticeField::Contact => &mut self.contact,
            NoticeField::StudentArrangements => &mut self.student_arrangements,
        }
    }
}

/// A notice text edited before publishing; publishing without a text of its
/// own publishes it. It was written for one window: after a reschedule it must
/// be edited again or discarded before it can be published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeDraft {
    pub text: String,
    pub by: String,
    pub at: Time,
    /// The window the plan had when the draft was saved.
    #[serde(default)]
    pub window: Option<Window>,
}

str_enum!(
    /// What a publication of the notice is: the first, a correction after the
    /// plan was returned or rescheduled, or the cancellation of the update.
    PublicationKind {
        First = "first",
        Corrected = "corrected",
        Cancellation = "cancellation",
    }
);

/// One publication of the update notice, as published: every one is kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Publication {
    pub kind: PublicationKind,
    pub text: String,
    pub audience: String,
    pub published_at: Time,
    pub published_by: String,
    #[serde(default)]
    pub language: NoticeLanguage,
    /// The window it announces (for a cancellation: the window called off).
    #[serde(default)]
    pub window: Option<Window>,
    /// For a correction: the window the publication before it announced.
    #[serde(default)]
    pub previous_window: Option<Window>,
    /// Read from a record written before publications were kept (its `notice`
    /// or `withdrawn_notices`): kind and windows are inferred.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub legacy: bool,
}

impl Publication {
    /// The notice in force that this publication is (what the gates check).
    pub fn notice(&self) -> Notice {
        Notice {
            text: self.text.clone(),
            audience: self.audience.clone(),
            published_at: self.published_at,
            published_by: self.published_by.clone(),
        }
    }

    /// A notice of a record from before publications were kept.
    pub fn from_legacy(n: &Notice, first: bool) -> Publication {
        Publication {
            kind: if first {
                PublicationKind::First
            } else {
                PublicationKind::Corrected
            },
            text: n.text.clone(),
            audience: n.audience.clone(),
            published_at: n.published_at,
            published_by: n.published_by.clone(),
            language: NoticeLanguage::ZhCn,
            window: None,
            previous_window: None,
            legacy: true,
        }
    }
}

/// A window the plan left: when it was rescheduled (or its window edited after
/// it had been approved), from what to what, why and by whom. The approvals and
/// publications of that window stay on the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowChange {
    pub from: Option<Window>,
    pub to: Option<Window>,
    /// Empty for an edit of a returned plan (the return says why).
    #[serde(default)]
    pub reason: String,
    pub by: String,
    pub at: Time,
    /// The submission whose approval the old window had.
    pub submission: u32,
    /// Rescheduled (`plan reschedule`), not edited after a return.
    #[serde(default)]
    pub rescheduled: bool,
}

/// A training session planned for users (§3.4), announced in the notice; the
/// sessions held are recorded with their attendance (`training`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedTraining {
    pub date: NaiveDate,
    pub format: TrainingFormat,
    /// Where, or the link of an online video.
    #[serde(default)]
    pub place: String,
    /// For whom.
    #[serde(default)]
    pub audience: String,
}

/// The go-live time fixed once the tests passed (§3.4 "after tests pass a
/// go-live time is fixed").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FixedGoLive {
    pub time: Time,
    pub by: String,
    pub at: Time,
}

/// The schedule's milestones besides the window.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Milestones {
    /// When testing is planned to start.
    #[serde(default)]
    pub test_start: Option<Time>,
    #[serde(default)]
    pub golive: Option<FixedGoLive>,
    #[serde(default)]
    pub training: Vec<PlannedTraining>,
}

impl Milestones {
    pub fn is_empty(&self) -> bool {
        self.test_start.is_none() && self.golive.is_none() && self.training.is_empty()
    }
}
