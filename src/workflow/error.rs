//! Why the process refuses an action. Each variant names what is missing or wrong;
//! [`RuleError::message`] renders it in the user's language.

use serde::{Deserialize, Serialize};

use crate::i18n::{list, t};
use crate::model::{Role, Severity, TestResult};

/// A plan field the submit gate requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanField {
    Title,
    Goals,
    Content,
    Approach,
    /// Why an emergency change cannot wait (emergency class only).
    EmergencyReason,
    Window,
    Staff,
    Risks,
    BackupPlan,
    MigratesData,
    MigrationPlan,
    RollbackPlan,
}

impl PlanField {
    pub fn as_str(self) -> &'static str {
        match self {
            PlanField::Title => "title",
            PlanField::Goals => "goals",
            PlanField::Content => "content",
            PlanField::Approach => "approach",
            PlanField::EmergencyReason => "emergency_reason",
            PlanField::Window => "window",
            PlanField::Staff => "staff",
            PlanField::Risks => "risks",
            PlanField::BackupPlan => "backup_plan",
            PlanField::MigratesData => "migrates_data",
            PlanField::MigrationPlan => "migration_plan",
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
    /// The backup was confirmed longer ago than the configured age before the go-live.
    BackupStale { confirmed: String, days: u32 },
    /// No test round at all.
    TestRound,
    /// Items of the latest round that are neither pass nor waived.
    Items { round: u32, items: Vec<u32> },
    /// Items that failed, were blocked or left pending in an earlier round and
    /// have not passed since: (item, round, result).
    Unresolved { items: Vec<(u32, u32, TestResult)> },
    /// Open defects of severity critical or major.
    Defects { defects: Vec<(u32, Severity)> },
    /// After a rollback of the live update, the backup was confirmed before
    /// the rollback: the data of the live period is not in it.
    BackupBeforeRollback { confirmed: String, rolled_back: String },
}

impl GoLiveMissing {
    pub fn message(&self) -> String {
        match self {
            GoLiveMissing::Backup => t("gate.golive.backup", &[]),
            GoLiveMissing::BackupStale { confirmed, days } => t(
                "gate.golive.backup_stale",
                &[("confirmed", confirmed.clone()), ("days", days.to_string())],
            ),
            GoLiveMissing::Unresolved { items } => t(
                "gate.golive.unresolved",
                &[(
                    "items",
                    list(items.iter().map(|(no, round, result)| {
                        t(
                            "gate.golive.unresolved_item",
                            &[
                                ("item", no.to_string()),
                                ("round", round.to_string()),
                                ("result", result.label()),
                            ],
                        )
                    })),
                )],
            ),
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
            GoLiveMissing::BackupBeforeRollback { confirmed, rolled_back } => t(
                "gate.golive.backup_before_rollback",
                &[("confirmed", confirmed.clone()), ("rolled_back", rolled_back.clone())],
            ),
        }
    }
}

/// One thing that still stands between a live plan and its filing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FilingMissing {
    GoLive,
    /// The go-live's time is still ahead of the clock.
    GoLiveAhead,
    TestReport,
    Comparison,
}

impl FilingMissing {
    pub fn message(self) -> String {
        match self {
            FilingMissing::GoLive => t("gate.file.golive", &[]),
            FilingMissing::GoLiveAhead => t("gate.file.golive_ahead", &[]),
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
        /// The statuses in which the action is possible (labels).
        #[serde(default)]
        allowed: Vec<String>,
    },
    #[error("missing fields")]
    MissingFields { entity: String, fields: Vec<PlanField> },
    #[error("hard blackout")]
    HardBlackout { period: String, start: String, end: String },
    #[error("blackout needs justification")]
    BlackoutNeedsJustification { period: String, start: String, end: String },
    #[error("window order")]
    WindowOrder,
    #[error("contributor")]
    Contributor {
        user: String,
        plan: String,
        did: Vec<String>,
    },
    #[error("already approved")]
    AlreadyApproved { user: String, plan: String },
    #[error("window in the past")]
    WindowInPast { start: String, now: String },
    #[error("date in the past")]
    DateInPast { field: String, date: String, today: String },
    #[error("substitute self")]
    SubstituteSelf { user: String },
    #[error("date order")]
    DateOrder { from: String, to: String },
    #[error("period exists")]
    PeriodExists { period: String },
    #[error("depends on itself")]
    DependsOnSelf { system: String },
    #[error("dependency cycle")]
    DependencyCycle { path: String },
    #[error("audience")]
    AudienceRepeated { department: String },
    #[error("not a soft period")]
    NotSoftPeriod { period: String },
    #[error("no soft period")]
    NoSoftPeriod,
    #[error("no round")]
    NoRound { plan: String },
    #[error("item already in round")]
    AlreadyInRound { item: u32, round: u32 },
    #[error("item not in round")]
    NotInRound { item: u32, round: u32 },
    #[error("waiver by approver")]
    WaiverByApprover { item: u32 },
    #[error("nothing to accept")]
    NothingToAccept { what: String },
    #[error("risk acceptance needed")]
    RiskAcceptanceNeeded { defect: u32, severity: Severity },
    #[error("go-live in the future")]
    GoLiveInFuture { time: String, now: String },
    #[error("go-live before approval")]
    GoLiveBeforeApproval { time: String, approved: String },
    #[error("go-live before notice")]
    GoLiveBeforeNotice { time: String, published: String },
    #[error("go-live in blackout")]
    GoLiveInBlackout {
        time: String,
        period: String,
        start: String,
        end: String,
        hard: bool,
    },
    #[error("go-live before a step")]
    GoLiveBeforeStep { time: String, step: String, at: String },
    #[error("go-live outside window")]
    GoLiveOutsideWindow { time: String, start: String, end: String },
    #[error("no deviation")]
    NoDeviation { time: String },
    #[error("analysis missing")]
    AnalysisMissing { request: String, fields: Vec<String> },
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
    /// A planned request is reopened: it is unlinked from its plan first.
    #[error("request is planned")]
    RequestPlanned { request: String, plan: String },
    /// A request is unlinked from a plan that is no longer being written;
    /// `returnable`: the Leading Group can still return it for revision.
    #[error("plan closed for unlinking")]
    UnlinkPlanClosed {
        request: String,
        plan: String,
        status: String,
        returnable: bool,
    },
    /// A request not yet accepted is linked to a plan: accept it first (§3.1).
    #[error("request not accepted")]
    NotAccepted { request: String, status: String },
    /// A plan's linked requests are changed after a member of the Leading
    /// Group approved its current submission as it was.
    #[error("scope approved")]
    ScopeApproved {
        plan: String,
        approvers: Vec<String>,
        /// Unlinking (else linking).
        unlink: bool,
    },
    /// A request in a joint review meeting is decided by the meeting's position.
    #[error("in joint review")]
    InJointReview { request: String, review: String },
    /// A joint review whose position is recorded is decided again.
    #[error("joint review decided")]
    JointReviewDecided { review: String },
    /// A joint review needs at least two departments taking part.
    #[error("joint review departments")]
    JointReviewDepartments { given: Vec<String> },
    /// A request named in a joint review's position that it does not (or no
    /// longer) cover; `review` empty: a request in no meeting at all.
    #[error("not in joint review")]
    NotInJointReview { request: String, review: String },
    /// Every request a joint review covered has left it.
    #[error("joint review empty")]
    JointReviewEmpty { review: String },
    #[error("no such item")]
    NoSuchItem { what: String },
    #[error("empty field")]
    Empty { field: String },
    /// A time recorded after go-live (an incident's) lies ahead of the clock.
    #[error("time in the future")]
    RecordInFuture { field: String, time: String, now: String },
    /// A time recorded after go-live lies before the go-live.
    #[error("time before the go-live")]
    BeforeGoLive {
        field: String,
        time: String,
        golive: String,
    },
    /// A plan that never went live is cancelled, not closed as failed.
    #[error("never live")]
    NeverLive { plan: String },
    #[error("feedback already linked")]
    FeedbackAlready { request: String, plan: String },
    #[error("feedback plan not live")]
    FeedbackPlanNotLive { plan: String, status: String },
    #[error("feedback in scope")]
    FeedbackInScope { request: String, plan: String },
    #[error("feedback on another system")]
    FeedbackOtherSystem { request: String, plan: String },
    #[error("already reviewed")]
    AlreadyReviewed { plan: String, by: String, time: String },
    /// A review must assess each goal of the plan once: `missing` are not
    /// assessed, `extra` are assessed twice or are no goal of the plan.
    #[error("goals mismatch")]
    GoalsMismatch {
        plan: String,
        count: u32,
        missing: Vec<u32>,
        extra: Vec<u32>,
    },
    /// A reschedule to the window the plan has already.
    #[error("same window")]
    SameWindow { window: String },
    /// A new window too close for its notice: published now at the earliest,
    /// it would not precede the window by the notice period.
    #[error("reschedule too soon")]
    RescheduleTooSoon { start: String, now: String, days: u32 },
    /// The notice draft was written for another window than the plan's now.
    #[error("notice draft stale")]
    NoticeDraftStale {
        plan: String,
        drafted: String,
        window: String,
    },
    /// A milestone after the window's end.
    #[error("milestone after the window")]
    MilestoneAfterWindow { field: String, time: String, end: String },
    /// Acting as a demo person in a database `beian demo` did not create.
    #[error("not a demo database")]
    PersonaNotDemo { db: String },
    /// Acting as a demo person, asked by someone who does not own the files.
    #[error("not the owner")]
    PersonaNotOwner { user: String, owner: String, db: String },
    /// Acting as someone the configuration gives no role.
    #[error("no such demo person")]
    PersonaUnknown {
        person: String,
        people: Vec<(String, Vec<Role>)>,
    },
    /// A rectification order's deadline extended to a day not after the one in force.
    #[error("deadline not later")]
    DeadlineNotLater {
        order: String,
        current: String,
        new: String,
    },
    /// A confidential report answered (or turned into an order) before it was investigated.
    #[error("report not investigated")]
    NotInvestigated { report: String, action: String },
    /// A confidential report turned into a second order.
    #[error("report already an order")]
    ReportOrdered { report: String, order: String },
    /// A confidential report turned into an order with no plan linked and no target named.
    #[error("no order target")]
    NoOrderTarget { report: String },
    /// A standard change's content or approach is its template's.
    #[error("fixed by the template")]
    TemplateScope {
        plan: String,
        field: String,
        template: String,
    },
    /// A standard change stays standard.
    #[error("class of an instance")]
    InstanceClass { plan: String, template: String },
    /// A standard change is created from a template.
    #[error("standard needs a template")]
    StandardNeedsTemplate { plan: String },
    /// The class allows no window in a soft blackout period (major changes).
    #[error("no soft override for the class")]
    SoftOverrideRefused {
        class: String,
        period: String,
        start: String,
        end: String,
    },
    #[error("template expired")]
    TemplateExpired { template: String, expires: String },
    #[error("template not approved")]
    TemplateNotApproved { template: String, status: String },
    #[error("template of another system")]
    TemplateSystem { template: String, system: String },
    /// What a template still needs before it is submitted (field names).
    #[error("template incomplete")]
    TemplateMissing { template: String, fields: Vec<String> },
}

/// `zhangwei（审批人）、zhaomin（监督人）…`: the demo people with their roles.
pub fn persona_list(people: &[(String, Vec<Role>)]) -> String {
    list(people.iter().map(|(name, roles)| {
        t(
            "rule.persona.person",
            &[("name", name.clone()), ("roles", list(roles.iter().map(|r| r.label())))],
        )
    }))
}

impl RuleError {
    pub fn message(&self) -> String {
        use RuleError::*;
        match self {
            Forbidden { user, op, roles } => t(
                "rule.forbidden",
                &[
                    ("user", user.clone()),
                    ("op", super::action_label(op)),
                    (
                        "roles",
                        if roles.is_empty() {
                            t("rule.no_roles", &[])
                        } else {
                            list(roles.iter().map(|r| r.label()))
                        },
                    ),
                ],
            ),
            Transition {
                entity,
                status,
                action,
                allowed,
            } => {
                let mut m = t(
                    "rule.transition",
                    &[
                        ("entity", entity.clone()),
                        ("status", status.clone()),
                        ("action", super::action_label(action)),
                    ],
                );
                if !allowed.is_empty() {
                    m.push_str(&t(
                        "rule.transition.allowed",
                        &[("allowed", list(allowed.iter().cloned()))],
                    ));
                }
                m
            }
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
            Contributor { user, plan, did } => t(
                if plan.starts_with(crate::model::IdKind::Template.prefix()) {
                    "rule.contributor_template"
                } else {
                    "rule.contributor"
                },
                &[
                    ("user", user.clone()),
                    ("plan", plan.clone()),
                    ("did", list(did.iter().map(|d| t(&format!("contribution.{d}"), &[])))),
                ],
            ),
            AlreadyApproved { user, plan } => t(
                "rule.already_approved",
                &[("user", user.clone()), ("plan", plan.clone())],
            ),
            WindowInPast { start, now } => t("rule.window_past", &[("start", start.clone()), ("now", now.clone())]),
            DateInPast { field, date, today } => t(
                "rule.date_past",
                &[
                    ("field", super::field_label(field)),
                    ("date", date.clone()),
                    ("today", today.clone()),
                ],
            ),
            SubstituteSelf { user } => t("rule.substitute_self", &[("user", user.clone())]),
            DateOrder { from, to } => t("rule.date_order", &[("from", from.clone()), ("to", to.clone())]),
            PeriodExists { period } => t("rule.period_exists", &[("period", period.clone())]),
            DependsOnSelf { system } => t("rule.depends_on_self", &[("system", system.clone())]),
            DependencyCycle { path } => t("rule.dependency_cycle", &[("path", path.clone())]),
            AudienceRepeated { department } => t("rule.audience_repeated", &[("department", department.clone())]),
            NotSoftPeriod { period } => t("rule.not_soft_period", &[("period", period.clone())]),
            NoSoftPeriod => t("rule.no_soft_period", &[]),
            NoRound { plan } => t("rule.no_round", &[("plan", plan.clone())]),
            AlreadyInRound { item, round } => t(
                "rule.already_in_round",
                &[("item", item.to_string()), ("round", round.to_string())],
            ),
            NotInRound { item, round } => t(
                "rule.not_in_round",
                &[("item", item.to_string()), ("round", round.to_string())],
            ),
            WaiverByApprover { item } => t("rule.waiver_by_approver", &[("item", item.to_string())]),
            NothingToAccept { what } => t("rule.nothing_to_accept", &[("what", super::thing_label(what))]),
            RiskAcceptanceNeeded { defect, severity } => t(
                "rule.risk_acceptance",
                &[("defect", format!("D{defect}")), ("severity", severity.label())],
            ),
            GoLiveInFuture { time, now } => t("rule.golive_future", &[("time", time.clone()), ("now", now.clone())]),
            GoLiveBeforeApproval { time, approved } => t(
                "rule.golive_before_approval",
                &[("time", time.clone()), ("approved", approved.clone())],
            ),
            GoLiveBeforeNotice { time, published } => t(
                "rule.golive_before_notice",
                &[("time", time.clone()), ("published", published.clone())],
            ),
            GoLiveInBlackout {
                time,
                period,
                start,
                end,
                hard,
            } => t(
                if *hard {
                    "rule.golive_hard_blackout"
                } else {
                    "rule.golive_soft_blackout"
                },
                &[
                    ("time", time.clone()),
                    ("period", period.clone()),
                    ("start", start.clone()),
                    ("end", end.clone()),
                ],
            ),
            GoLiveBeforeStep { time, step, at } => t(
                "rule.golive_before_step",
                &[("time", time.clone()), ("step", t(step, &[])), ("at", at.clone())],
            ),
            GoLiveOutsideWindow { time, start, end } => t(
                "rule.golive_outside_window",
                &[("time", time.clone()), ("start", start.clone()), ("end", end.clone())],
            ),
            NoDeviation { time } => t("rule.no_deviation", &[("time", time.clone())]),
            AnalysisMissing { request, fields } => t(
                "rule.analysis_missing",
                &[
                    ("request", request.clone()),
                    ("fields", list(fields.iter().map(|f| super::field_label(f)))),
                ],
            ),
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
                        missing
                            .iter()
                            .map(|m| m.message())
                            .collect::<Vec<_>>()
                            .join(&t("rule.clause_sep", &[])),
                    ),
                ],
            ),
            FilingBlocked { plan, missing } => t(
                "rule.filing_blocked",
                &[
                    ("plan", plan.clone()),
                    (
                        "missing",
                        missing
                            .iter()
                            .map(|m| m.message())
                            .collect::<Vec<_>>()
                            .join(&t("rule.clause_sep", &[])),
                    ),
                ],
            ),
            ReasonRequired { action } => t("rule.reason_required", &[("action", super::action_label(action))]),
            DuplicateOfSelf => t("rule.duplicate_self", &[]),
            DuplicateChain { of, original } => t(
                "rule.duplicate_chain",
                &[("of", of.clone()), ("original", original.clone())],
            ),
            PlanNotOpen { plan, status } => t(
                "rule.plan_not_open",
                &[("plan", plan.clone()), ("status", status.clone())],
            ),
            RequestPlanned { request, plan } => t(
                "rule.request_planned",
                &[("request", request.clone()), ("plan", plan.clone())],
            ),
            UnlinkPlanClosed {
                request,
                plan,
                status,
                returnable,
            } => t(
                if *returnable {
                    "rule.unlink_return_first"
                } else {
                    "rule.unlink_under_way"
                },
                &[
                    ("request", request.clone()),
                    ("plan", plan.clone()),
                    ("status", status.clone()),
                ],
            ),
            NotAccepted { request, status } => t(
                "rule.not_accepted",
                &[("request", request.clone()), ("status", status.clone())],
            ),
            ScopeApproved {
                plan,
                approvers,
                unlink,
            } => t(
                if *unlink {
                    "rule.scope_approved.unlink"
                } else {
                    "rule.scope_approved.link"
                },
                &[("plan", plan.clone()), ("approvers", list(approvers.iter().cloned()))],
            ),
            InJointReview { request, review } => t(
                "rule.in_joint_review",
                &[("request", request.clone()), ("review", review.clone())],
            ),
            JointReviewDecided { review } => t("rule.joint_review_decided", &[("review", review.clone())]),
            JointReviewDepartments { given } => t(
                "rule.joint_review_departments",
                &[
                    ("count", given.len().to_string()),
                    (
                        "given",
                        if given.is_empty() {
                            t("rule.none", &[])
                        } else {
                            list(given.iter().cloned())
                        },
                    ),
                ],
            ),
            NotInJointReview { request, review } if review.is_empty() => {
                t("rule.in_no_joint_review", &[("request", request.clone())])
            }
            NotInJointReview { request, review } => t(
                "rule.not_in_joint_review",
                &[("request", request.clone()), ("review", review.clone())],
            ),
            JointReviewEmpty { review } => t("rule.joint_review_empty", &[("review", review.clone())]),
            NoSuchItem { what } => t("rule.no_such_item", &[("what", super::thing_label(what))]),
            Empty { field } => t("rule.empty", &[("field", super::field_label(field))]),
            RecordInFuture { field, time, now } => t(
                "rule.record_future",
                &[
                    ("field", super::field_label(field)),
                    ("time", time.clone()),
                    ("now", now.clone()),
                ],
            ),
            BeforeGoLive { field, time, golive } => t(
                "rule.before_golive",
                &[
                    ("field", super::field_label(field)),
                    ("time", time.clone()),
                    ("golive", golive.clone()),
                ],
            ),
            NeverLive { plan } => t("rule.never_live", &[("plan", plan.clone())]),
            FeedbackAlready { request, plan } => t(
                "rule.feedback_already",
                &[("request", request.clone()), ("plan", plan.clone())],
            ),
            FeedbackPlanNotLive { plan, status } => t(
                "rule.feedback_not_live",
                &[("plan", plan.clone()), ("status", status.clone())],
            ),
            FeedbackInScope { request, plan } => t(
                "rule.feedback_in_scope",
                &[("request", request.clone()), ("plan", plan.clone())],
            ),
            FeedbackOtherSystem { request, plan } => t(
                "rule.feedback_other_system",
                &[("request", request.clone()), ("plan", plan.clone())],
            ),
            AlreadyReviewed { plan, by, time } => t(
                "rule.already_reviewed",
                &[("plan", plan.clone()), ("by", by.clone()), ("time", time.clone())],
            ),
            GoalsMismatch {
                plan,
                count,
                missing,
                extra,
            } => {
                let goals = |v: &[u32]| list(v.iter().map(|n| format!("#{n}")));
                let mut m = t("rule.goals", &[("plan", plan.clone()), ("count", count.to_string())]);
                if !missing.is_empty() {
                    m.push_str(&t("rule.goals.missing", &[("goals", goals(missing))]));
                }
                if !extra.is_empty() {
                    m.push_str(&t("rule.goals.extra", &[("goals", goals(extra))]));
                }
                m
            }
            SameWindow { window } => t("rule.same_window", &[("window", window.clone())]),
            RescheduleTooSoon { start, now, days } => t(
                "rule.reschedule_too_soon",
                &[
                    ("start", start.clone()),
                    ("now", now.clone()),
                    ("days", days.to_string()),
                ],
            ),
            NoticeDraftStale { plan, drafted, window } => t(
                "rule.notice_draft_stale",
                &[
                    ("plan", plan.clone()),
                    ("drafted", drafted.clone()),
                    ("window", window.clone()),
                ],
            ),
            MilestoneAfterWindow { field, time, end } => t(
                "rule.milestone_after_window",
                &[
                    ("field", super::field_label(field)),
                    ("time", time.clone()),
                    ("end", end.clone()),
                ],
            ),
            PersonaNotDemo { db } => t("rule.persona.not_demo", &[("db", db.clone())]),
            PersonaNotOwner { user, owner, db } => t(
                "rule.persona.not_owner",
                &[
                    ("user", user.clone()),
                    (
                        "owner",
                        if owner.is_empty() {
                            t("rule.persona.owners_differ", &[])
                        } else {
                            owner.clone()
                        },
                    ),
                    ("db", db.clone()),
                ],
            ),
            PersonaUnknown { person, people } => t(
                "rule.persona.unknown",
                &[("person", person.clone()), ("people", persona_list(people))],
            ),
            DeadlineNotLater { order, current, new } => t(
                "rule.deadline_not_later",
                &[
                    ("order", order.clone()),
                    ("current", current.clone()),
                    ("new", new.clone()),
                ],
            ),
            NotInvestigated { report, action } => t(
                "rule.not_investigated",
                &[("report", report.clone()), ("action", super::action_label(action))],
            ),
            ReportOrdered { report, order } => t(
                "rule.report_ordered",
                &[("report", report.clone()), ("order", order.clone())],
            ),
            NoOrderTarget { report } => t("rule.no_order_target", &[("report", report.clone())]),
            TemplateScope { plan, field, template } => t(
                "rule.template_scope",
                &[
                    ("plan", plan.clone()),
                    ("field", super::field_label(field)),
                    ("template", template.clone()),
                ],
            ),
            InstanceClass { plan, template } => t(
                "rule.instance_class",
                &[("plan", plan.clone()), ("template", template.clone())],
            ),
            StandardNeedsTemplate { plan } => t("rule.standard_needs_template", &[("plan", plan.clone())]),
            SoftOverrideRefused {
                class,
                period,
                start,
                end,
            } => t(
                "rule.soft_override_refused",
                &[
                    ("class", class.clone()),
                    ("period", period.clone()),
                    ("start", start.clone()),
                    ("end", end.clone()),
                ],
            ),
            TemplateExpired { template, expires } => t(
                "rule.template_expired",
                &[("template", template.clone()), ("expires", expires.clone())],
            ),
            TemplateNotApproved { template, status } => t(
                "rule.template_not_approved",
                &[("template", template.clone()), ("status", status.clone())],
            ),
            TemplateSystem { template, system } => t(
                "rule.template_system",
                &[("template", template.clone()), ("system", system.clone())],
            ),
            TemplateMissing { template, fields } => t(
                "rule.template_missing",
                &[
                    ("template", template.clone()),
                    ("fields", list(fields.iter().map(|f| super::field_label(f)))),
                ],
            ),
        }
    }
}
