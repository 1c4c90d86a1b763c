//! Why the process refuses an action. Each variant names what is missing or wrong;
//! [`RuleError::message`] renders it in the user's language.

use serde::{Deserialize, Serialize};

use crate::i18n::{list, t};
use crate::model::{Role, Severity};

/// A plan field the submit gate requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanField {
    Title,
    Goals,
    Content,
    Approach,
    Window,
    Staff,
    Risks,
    BackupPlan,
    RollbackPlan,
}

impl PlanField {
    pub fn as_str(self) -> &'static str {
        match self {
            PlanField::Title => "title",
            PlanField::Goals => "goals",
            PlanField::Content => "content",
            PlanField::Approach => "approach",
            PlanField::Window => "window",
            PlanField::Staff => "staff",
            PlanField::Risks => "risks",
            PlanField::BackupPlan => "backup_plan",
            PlanField::RollbackPlan => "rollback_plan",
        }
    }
    pub fn label(self) -> String {
        crate::i18n::enum_label("PlanField", self.as_str())
    }
}

/// One thing that still stands between a plan and going live.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum GoLiveMissing {
    /// No backup confirmation recorded.
    Backup,
    /// No test round at all.
    TestRound,
    /// Items of the latest round that are neither pass nor waived.
    Items { round: u32, items: Vec<u32> },
    /// Open defects of severity critical or major.
    Defects { defects: Vec<(u32, Severity)> },
}

impl GoLiveMissing {
    pub fn message(&self) -> String {
        match self {
            GoLiveMissing::Backup => t("gate.golive.backup", &[]),
            GoLiveMissing::TestRound => t("gate.golive.round", &[]),
            GoLiveMissing::Items { round, items } => t(
                "gate.golive.items",
                &[
                    ("round", round.to_string()),
                    ("items", list(items.iter().map(|i| format!("#{i}")))),
                ],
            ),
            GoLiveMissing::Defects { defects } => t(
                "gate.golive.defects",
                &[(
                    "defects",
                    list(defects.iter().map(|(n, s)| format!("D{n} ({})", s.label()))),
                )],
            ),
        }
    }
}

/// One thing that still stands between a live plan and its filing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FilingMissing {
    GoLive,
    TestReport,
    Comparison,
}

impl FilingMissing {
    pub fn message(self) -> String {
        match self {
            FilingMissing::GoLive => t("gate.file.golive", &[]),
            FilingMissing::TestReport => t("gate.file.tests", &[]),
            FilingMissing::Comparison => t("gate.file.comparison", &[]),
        }
    }
}

/// A refusal by the rules of the process (exit code 3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum RuleError {
    #[error("forbidden")]
    Forbidden { user: String, op: String, roles: Vec<Role> },
    #[error("invalid transition")]
    Transition {
        entity: String,
        status: String,
        action: String,
    },
    #[error("missing fields")]
    MissingFields { entity: String, fields: Vec<PlanField> },
    #[error("hard blackout")]
    HardBlackout { period: String, start: String, end: String },
    #[error("blackout needs justification")]
    BlackoutNeedsJustification { period: String, start: String, end: String },
    #[error("window order")]
    WindowOrder,
    #[error("self approval")]
    SelfApproval { user: String },
    #[error("notice too late")]
    NoticeTooLate {
        published: String,
        window_start: String,
        days: u32,
    },
    #[error("go-live blocked")]
    GoLiveBlocked { plan: String, missing: Vec<GoLiveMissing> },
    #[error("filing blocked")]
    FilingBlocked { plan: String, missing: Vec<FilingMissing> },
    #[error("reason required")]
    ReasonRequired { action: String },
    #[error("duplicate of itself")]
    DuplicateOfSelf,
    #[error("duplicate chain")]
    DuplicateChain { of: String, original: String },
    #[error("plan not open for linking")]
    PlanNotOpen { plan: String, status: String },
    #[error("no such item")]
    NoSuchItem { what: String },
    #[error("empty field")]
    Empty { field: String },
    #[error("waiver reason")]
    WaiverNeedsReason,
}

impl RuleError {
    pub fn message(&self) -> String {
        use RuleError::*;
        match self {
            Forbidden { user, op, roles } => t(
                "rule.forbidden",
                &[
                    ("user", user.clone()),
                    ("op", op.clone()),
                    (
                        "roles",
                        if roles.is_empty() {
                            t("rule.no_roles", &[])
                        } else {
                            list(roles.iter().map(|r| r.as_str().to_string()))
                        },
                    ),
                ],
            ),
            Transition { entity, status, action } => t(
                "rule.transition",
                &[
                    ("entity", entity.clone()),
                    ("status", status.clone()),
                    ("action", action.clone()),
                ],
            ),
            MissingFields { entity, fields } => t(
                "rule.missing_fields",
                &[
                    ("entity", entity.clone()),
                    ("fields", list(fields.iter().map(|f| f.label()))),
                ],
            ),
            HardBlackout { period, start, end } => t(
                "rule.hard_blackout",
                &[
                    ("period", period.clone()),
                    ("start", start.clone()),
                    ("end", end.clone()),
                ],
            ),
            BlackoutNeedsJustification { period, start, end } => t(
                "rule.soft_blackout",
                &[
                    ("period", period.clone()),
                    ("start", start.clone()),
                    ("end", end.clone()),
                ],
            ),
            WindowOrder => t("rule.window_order", &[]),
            SelfApproval { user } => t("rule.self_approval", &[("user", user.clone())]),
            NoticeTooLate {
                published,
                window_start,
                days,
            } => t(
                "rule.notice_too_late",
                &[
                    ("published", published.clone()),
                    ("start", window_start.clone()),
                    ("days", days.to_string()),
                ],
            ),
            GoLiveBlocked { plan, missing } => t(
                "rule.golive_blocked",
                &[
                    ("plan", plan.clone()),
                    (
                        "missing",
                        missing.iter().map(|m| m.message()).collect::<Vec<_>>().join("; "),
                    ),
                ],
            ),
            FilingBlocked { plan, missing } => t(
                "rule.filing_blocked",
                &[
                    ("plan", plan.clone()),
                    (
                        "missing",
                        missing.iter().map(|m| m.message()).collect::<Vec<_>>().join("; "),
                    ),
                ],
            ),
            ReasonRequired { action } => t("rule.reason_required", &[("action", action.clone())]),
            DuplicateOfSelf => t("rule.duplicate_self", &[]),
            DuplicateChain { of, original } => t(
                "rule.duplicate_chain",
                &[("of", of.clone()), ("original", original.clone())],
            ),
            PlanNotOpen { plan, status } => t(
                "rule.plan_not_open",
                &[("plan", plan.clone()), ("status", status.clone())],
            ),
            NoSuchItem { what } => t("rule.no_such_item", &[("what", what.clone())]),
            Empty { field } => t("rule.empty", &[("field", field.clone())]),
            WaiverNeedsReason => t("rule.waiver_reason", &[]),
        }
    }
}
