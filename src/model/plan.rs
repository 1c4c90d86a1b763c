//! Update plans (§3.2) and everything recorded against them until filing:
//! testing and backup (§3.3), go-live and training (§3.4), and the dossier (§3.5).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::request::str_enum;
use super::{
    Id, Meta, Milestones, NoticeDraft, NoticeInfo, NoticeLanguage, Publication, Request, RequestStatus, System, Time,
    WindowChange,
};

str_enum!(
    /// draft → submitted → approved / returned → notice_published → implementing →
    /// testing → ready → live → filed; cancelled from any state before live; a
    /// live plan rolled back goes back to testing, and one that went live and is
    /// given up is closed as failed.
    PlanStatus {
        Draft = "draft",
        Submitted = "submitted",
        Approved = "approved",
        Returned = "returned",
        NoticePublished = "notice_published",
        Implementing = "implementing",
        Testing = "testing",
        Ready = "ready",
        Live = "live",
        Filed = "filed",
        Cancelled = "cancelled",
        Failed = "failed",
    }
);
str_enum!(Level { Low = "low", Medium = "medium", High = "high" });
str_enum!(Decision { Approved = "approved", Returned = "returned" });
str_enum!(TestCategory { Functional = "functional", Performance = "performance", Compatibility = "compatibility", Security = "security", DataMigration = "data_migration" });
str_enum!(TesterType { Technician = "technician", DepartmentRep = "department_rep", StudentVolunteer = "student_volunteer" });
str_enum!(TestResult { Pending = "pending", Pass = "pass", Fail = "fail", Blocked = "blocked", Waived = "waived" });
str_enum!(Severity { Critical = "critical", Major = "major", Minor = "minor", Trivial = "trivial" });
str_enum!(DefectStatus { Open = "open", Fixed = "fixed", Verified = "verified", WontFix = "wont_fix" });
str_enum!(GoLiveOutcome { Success = "success", Partial = "partial", RolledBack = "rolled_back" });
str_enum!(TrainingFormat { OnlineVideo = "online_video", Classroom = "classroom", OnSite = "on_site" });
str_enum!(ChangeType { Added = "added", Changed = "changed", Removed = "removed" });
str_enum!(IncidentOutcome { RolledBack = "rolled_back", Incident = "incident" });
str_enum!(GoalVerdict { Met = "met", Partly = "partly", NotMet = "not_met" });
str_enum!(
    /// The class of a change (§2.1 重大更新决策, §3.2 大规模系统更新): it sets the
    /// plan's gates (`config.toml` `[class.*]`: quorum, notice days, soft
    /// blackout overrides, review days). Standard changes are instances of an
    /// approved [`super::Template`]; records from before classes are normal.
    ChangeClass {
        Standard = "standard",
        Normal = "normal",
        Major = "major",
        Emergency = "emergency",
    }
);

// str_enum! derives no Default: the default is written out.
#[allow(clippy::derivable_impls)]
impl Default for ChangeClass {
    fn default() -> Self {
        ChangeClass::Normal
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window {
    pub start: Time,
    pub end: Time,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffAssignment {
    pub person: String,
    pub role: String,
    pub duty: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Risk {
    pub description: String,
    pub likelihood: Level,
    pub impact: Level,
    pub mitigation: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Approval {
    pub approver: String,
    pub decision: Decision,
    pub time: Time,
    #[serde(default)]
    pub comment: String,
    /// Reference of the Leading Group's meeting minutes.
    #[serde(default)]
    pub minutes_ref: String,
    /// Which submission of the plan this decision is on (1 for the first).
    /// Approvals count towards the quorum only for the current submission.
    #[serde(default)]
    pub submission: u32,
    /// The member of the Leading Group the approver decided for, as their substitute.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_behalf_of: Option<String>,
}

impl Approval {
    /// The member whose decision this is: the approver, or the member they stood in for.
    pub fn member(&self) -> &str {
        self.on_behalf_of.as_deref().unwrap_or(&self.approver)
    }
}

/// The justification for a window inside one soft blackout period; it covers
/// that period only (§3.2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlackoutOverride {
    /// The name of the calendar period it covers.
    pub period: String,
    pub reason: String,
}

/// An approver's acceptance of a residual risk: a waived test item, a
/// critical/major defect that is not fixed, a go-live outside the window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RiskAcceptance {
    pub by: String,
    pub reason: String,
    pub time: Time,
    /// The member of the Leading Group `by` stood in for, as their substitute.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_behalf_of: Option<String>,
}

/// A go-live at a time outside the approved window (§3.4): the actual time, why,
/// who recorded it, and the acceptance by an approver who did not contribute.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deviation {
    /// The actual go-live time.
    pub time: Time,
    pub reason: String,
    pub recorded_by: String,
    pub recorded_at: Time,
    #[serde(default)]
    pub accepted: Option<RiskAcceptance>,
}

/// Someone who contributed to a plan and what they did; none of them may decide
/// on it, accept its risks or waive its failures (§2.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contributor {
    pub name: String,
    /// What they did, as contribution kinds (`create`, `edit`, `submit`, `link`,
    /// `test`, `defect`), each once.
    pub did: Vec<String>,
}

/// The update notice (更新预告) published to teachers and students.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub text: String,
    pub audience: String,
    pub published_at: Time,
    pub published_by: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tester {
    pub name: String,
    pub kind: TesterType,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestItem {
    /// The item's identity within the plan, the same in every round that
    /// retests it; never reused for another item.
    pub no: u32,
    pub category: TestCategory,
    pub description: String,
    pub expected: String,
    pub tester: Tester,
    pub result: TestResult,
    /// The reason, when the result is `waived`.
    #[serde(default)]
    pub waiver: Option<String>,
    /// The approver who waived it, and when.
    #[serde(default)]
    pub waived: Option<RiskAcceptance>,
    #[serde(default)]
    pub notes: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestRound {
    /// 1-based within the plan.
    pub no: u32,
    pub started_at: Time,
    pub started_by: String,
    /// Where the round is run (§3.3 "在测试环境中"): the test environment.
    #[serde(default)]
    pub environment: String,
    pub items: Vec<TestItem>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Defect {
    /// 1-based within the plan.
    pub no: u32,
    pub severity: Severity,
    pub description: String,
    pub found_by: Tester,
    /// The round and item where it was found, if any.
    #[serde(default)]
    pub round: Option<u32>,
    #[serde(default)]
    pub item: Option<u32>,
    #[serde(default)]
    pub vendor_ref: Option<String>,
    pub status: DefectStatus,
    pub reported_at: Time,
    /// An approver's acceptance of the residual risk of a critical/major defect.
    #[serde(default)]
    pub acceptance: Option<RiskAcceptance>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupConfirmation {
    pub what: String,
    pub location: String,
    pub size: String,
    pub checksum: String,
    pub verified_by: String,
    pub time: Time,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GoLive {
    pub time: Time,
    pub deployer: String,
    pub version: String,
    #[serde(default)]
    pub steps: String,
    #[serde(default)]
    pub config_changes: String,
    pub outcome: GoLiveOutcome,
    #[serde(default)]
    pub incidents: String,
    /// The accepted deviation, when the go-live lies outside the window (boxed:
    /// a command carrying a go-live stays small).
    #[serde(default)]
    pub deviation: Option<Box<Deviation>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Training {
    pub format: TrainingFormat,
    pub date: NaiveDate,
    pub trainer: String,
    pub departments: Vec<String>,
    pub attendance: u32,
    /// Whom the session was for, per department, and how many of them came
    /// (§4.3 training coverage). Sessions recorded before have none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub audience: Vec<Audience>,
}

/// One department a training session targets: how many people it was for and
/// how many of them attended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Audience {
    pub department: String,
    pub targeted: u32,
    #[serde(default)]
    pub attended: u32,
}

impl Audience {
    /// `教务处=120/96` (department, people targeted, of them attended) or
    /// `教务处=120` (none attended yet).
    pub fn parse(text: &str) -> Option<Audience> {
        let (dept, nums) = text.rsplit_once(['=', '＝'])?;
        let department = dept.trim().to_string();
        if department.is_empty() {
            return None;
        }
        let (t, a) = match nums.split_once(['/', '／']) {
            Some((t, a)) => (t.trim(), Some(a.trim())),
            None => (nums.trim(), None),
        };
        Some(Audience {
            department,
            targeted: t.parse().ok()?,
            attended: match a {
                Some(a) => a.parse().ok()?,
                None => 0,
            },
        })
    }

    /// A list as typed on one line: entries separated by `;`, `；`, `,`, `，` or `、`.
    pub fn parse_list(text: &str) -> Result<Vec<Audience>, String> {
        text.split([';', '；', ',', '，', '、'])
            .map(str::trim)
            .filter(|x| !x.is_empty())
            .map(|x| Audience::parse(x).ok_or_else(|| x.to_string()))
            .collect()
    }

    /// As [`Audience::parse`] reads it.
    pub fn text(&self) -> String {
        format!("{}={}/{}", self.department, self.targeted, self.attended)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComparisonRow {
    pub function: String,
    #[serde(default)]
    pub before: String,
    #[serde(default)]
    pub after: String,
    pub change: ChangeType,
}

/// The scope of the approved template a standard change is an instance of, as
/// the template was when the plan was created (a template does not change once
/// approved): the plan's content and approach are these and cannot be changed,
/// and its first test round starts with these items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateScope {
    pub id: Id,
    pub title: String,
    pub content: String,
    pub approach: String,
    pub items: Vec<super::TemplateItem>,
    /// When the template's quorum was reached.
    pub approved_at: Time,
    /// The members of the Leading Group whose approvals made the quorum.
    pub approvers: Vec<String>,
    /// The first day the template no longer covers a submission.
    pub expires: NaiveDate,
}

/// A submission of a standard change that its template's approval covered
/// instead of a decision of its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateCover {
    pub template: Id,
    /// Which submission of the plan it covered.
    pub submission: u32,
    pub time: Time,
    /// Who submitted it.
    pub by: String,
    /// The template's expiry, as checked.
    pub expires: NaiveDate,
}

/// An update plan with everything recorded against it up to filing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub id: Id,
    pub title: String,
    pub system: Id,
    pub version_from: String,
    pub version_to: String,
    pub status: PlanStatus,
    /// The change class, chosen while the plan is written (normal for records
    /// from before classes).
    #[serde(default)]
    pub class: ChangeClass,
    /// Why the change cannot wait (an emergency change must say so).
    #[serde(default)]
    pub emergency_reason: String,
    /// A standard change: the template it is an instance of.
    #[serde(default)]
    pub template: Option<TemplateScope>,
    /// A standard change: each submission its template's approval covered.
    #[serde(default)]
    pub covers: Vec<TemplateCover>,
    #[serde(default)]
    pub goals: String,
    #[serde(default)]
    pub content: String,
    #[serde(default)]
    pub approach: String,
    #[serde(default)]
    pub window: Option<Window>,
    #[serde(default)]
    pub staff: Vec<StaffAssignment>,
    #[serde(default)]
    pub risks: Vec<Risk>,
    #[serde(default)]
    pub backup_plan: String,
    /// Whether the update migrates data (§3.3); a plan says so before it is submitted.
    #[serde(default)]
    pub migrates_data: Option<bool>,
    #[serde(default)]
    pub migration_plan: String,
    #[serde(default)]
    pub rollback_plan: String,
    #[serde(default)]
    pub requests: Vec<Id>,
    /// Every decision of the Leading Group, the latest last.
    #[serde(default)]
    pub approvals: Vec<Approval>,
    /// How many times the plan has been submitted; approvals of the current
    /// submission count towards the quorum.
    #[serde(default)]
    pub submission: u32,
    /// The notice in force: the latest first or corrected publication, until
    /// the plan is returned, rescheduled or cancelled (every publication stays
    /// in `publications`).
    #[serde(default)]
    pub notice: Option<Notice>,
    /// Notices published before the plan was returned for revision, from
    /// records written before `publications` were kept; read through
    /// [`Plan::all_publications`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub withdrawn_notices: Vec<Notice>,
    /// What users will notice (§3.2, §4.2): the notice is generated from it.
    #[serde(default)]
    pub notice_info: NoticeInfo,
    /// The language of the notice, whoever publishes it.
    #[serde(default)]
    pub notice_language: NoticeLanguage,
    /// A notice text edited before publishing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice_draft: Option<NoticeDraft>,
    /// Every publication of the notice: first, corrected, cancellation.
    #[serde(default)]
    pub publications: Vec<Publication>,
    /// The windows the plan left when it was rescheduled, oldest first.
    #[serde(default)]
    pub window_history: Vec<WindowChange>,
    /// Test start, the fixed go-live time, planned training (§3.4).
    #[serde(default)]
    pub milestones: Milestones,
    /// Justification for a window inside a soft blackout period, from before
    /// justifications named their period; kept on record, no longer a gate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blackout_override: Option<String>,
    /// One justification per soft blackout period the window lies in.
    #[serde(default)]
    pub blackout_overrides: Vec<BlackoutOverride>,
    /// Everyone who wrote, submitted or tested the plan (see [`Contributor`]).
    #[serde(default)]
    pub contributors: Vec<Contributor>,
    /// A go-live outside the window waiting for, or with, an approver's acceptance.
    #[serde(default)]
    pub deviation: Option<Deviation>,
    #[serde(default)]
    pub cancel_reason: Option<String>,
    #[serde(default)]
    pub rounds: Vec<TestRound>,
    #[serde(default)]
    pub defects: Vec<Defect>,
    #[serde(default)]
    pub backup: Option<BackupConfirmation>,
    /// Every go-live attempt; a rolled-back one sends the plan back to testing.
    #[serde(default)]
    pub golives: Vec<GoLive>,
    /// After a rollback: the number of test rounds the plan had then. Go-live
    /// needs a round started after it, whatever time the rollback was given.
    #[serde(default)]
    pub retest_after_round: Option<u32>,
    #[serde(default)]
    pub training: Vec<Training>,
    #[serde(default)]
    pub comparison: Vec<ComparisonRow>,
    /// Rollbacks and serious incidents after go-live (§3.4), while the plan is
    /// live; after filing they are addenda of its dossier.
    #[serde(default)]
    pub incidents: Vec<Incident>,
    /// Requests linked as post-update feedback (§2.3): problems reported after
    /// the update, not part of its scope.
    #[serde(default)]
    pub feedback: Vec<Id>,
    /// Post-implementation reviews (§4.3), one per go-live that made it live.
    #[serde(default)]
    pub reviews: Vec<Review>,
    /// Why, by whom and when the plan was closed as failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<Failure>,
    #[serde(default)]
    pub dossier: Option<Id>,
    pub meta: Meta,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanSummary {
    pub id: Id,
    pub title: String,
    pub system: Id,
    pub version_from: String,
    pub version_to: String,
    pub status: PlanStatus,
    pub window: Option<Window>,
    pub author: String,
    pub updated_at: Time,
    pub rev: u64,
    /// Summaries written before classes are of normal plans.
    #[serde(default)]
    pub class: ChangeClass,
}

impl Plan {
    /// The fields the audit log compares before and after a command
    /// ([`super::changes`]): what the plan says, its status, the result of each
    /// test item and the status of each defect. What only grows (approvals,
    /// rounds, go-lives, training, the comparison) is in the event's summary.
    pub fn tracked(&self) -> Vec<super::Tracked> {
        use super::{fmt_time, Tracked as T};
        let mut out = vec![
            T::text("title", &self.title),
            T::text("version_from", &self.version_from),
            T::text("version_to", &self.version_to),
            T::label("status", "PlanStatus", self.status.as_str()),
            T::label("class", "ChangeClass", self.class.as_str()),
            T::text("emergency_reason", &self.emergency_reason),
            T::text("goals", &self.goals),
            T::text("content", &self.content),
            T::text("approach", &self.approach),
            T::text(
                "window",
                self.window
                    .as_ref()
                    .map(|w| format!("{} – {}", fmt_time(w.start), fmt_time(w.end)))
                    .unwrap_or_default(),
            ),
            T::text(
                "staff",
                self.staff
                    .iter()
                    .map(|s| format!("{} {} {}", s.person, s.role, s.duty).trim().to_string())
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            T::text(
                "risks",
                self.risks
                    .iter()
                    .map(|r| r.description.clone())
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            T::text("backup_plan", &self.backup_plan),
            T::label(
                "migrates_data",
                "YesNo",
                match self.migrates_data {
                    Some(true) => "yes",
                    Some(false) => "no",
                    None => "",
                },
            ),
            T::text("migration_plan", &self.migration_plan),
            T::text("rollback_plan", &self.rollback_plan),
            T::text(
                "blackout_overrides",
                self.blackout_overrides
                    .iter()
                    .map(|o| format!("{}: {}", o.period, o.reason))
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            T::text(
                "requests",
                self.requests
                    .iter()
                    .map(|r| r.to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            T::text(
                "backup",
                self.backup
                    .as_ref()
                    .map(|b| format!("{} @ {} ({}, {})", b.what, b.location, b.verified_by, fmt_time(b.time)))
                    .unwrap_or_default(),
            ),
            T::text(
                "deviation",
                self.deviation
                    .as_ref()
                    .map(|d| format!("{}: {}", fmt_time(d.time), d.reason))
                    .unwrap_or_default(),
            ),
            T::text("reason", self.cancel_reason.clone().unwrap_or_default()),
            T::text(
                "failure",
                self.failure.as_ref().map(|f| f.reason.clone()).unwrap_or_default(),
            ),
            T::text(
                "feedback",
                self.feedback
                    .iter()
                    .map(|r| r.to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
        ];
        for r in &self.rounds {
            for i in &r.items {
                out.push(T::label("test.result", "TestResult", i.result.as_str()).item(format!("R{} #{}", r.no, i.no)));
            }
        }
        for d in &self.defects {
            out.push(T::label("defect.status", "DefectStatus", d.status.as_str()).item(format!("D{}", d.no)));
            out.push(T::text("defect.vendor_ref", d.vendor_ref.clone().unwrap_or_default()).item(format!("D{}", d.no)));
        }
        out
    }

    pub fn summary(&self) -> PlanSummary {
        PlanSummary {
            id: self.id,
            title: self.title.clone(),
            system: self.system,
            version_from: self.version_from.clone(),
            version_to: self.version_to.clone(),
            status: self.status,
            window: self.window.clone(),
            author: self.meta.created_by.clone(),
            updated_at: self.meta.updated_at,
            rev: self.meta.rev,
            class: self.class,
        }
    }

    /// The written sections of the plan in form order, each with the key of its
    /// label (for the detail views and the exports).
    pub fn text_sections(&self) -> [(&'static str, &str); 6] {
        [
            ("enum.PlanField.goals", &self.goals),
            ("enum.PlanField.content", &self.content),
            ("enum.PlanField.approach", &self.approach),
            ("enum.PlanField.backup_plan", &self.backup_plan),
            ("cli.col.migration_plan", &self.migration_plan),
            ("enum.PlanField.rollback_plan", &self.rollback_plan),
        ]
    }

    pub fn latest_round(&self) -> Option<&TestRound> {
        self.rounds.last()
    }

    pub fn latest_approval(&self) -> Option<&Approval> {
        self.approvals.last()
    }

    /// Every publication of the notice, oldest first. A record written before
    /// publications were kept reads its withdrawn notices and its notice as
    /// publications (the first as `first`, later ones as `corrected`), before
    /// the ones kept since.
    pub fn all_publications(&self) -> Vec<Publication> {
        let kept = |n: &Notice| self.publications.iter().any(|x| x.notice() == *n);
        let legacy: Vec<&Notice> = self
            .withdrawn_notices
            .iter()
            .chain(self.notice.as_ref().filter(|n| !kept(n)))
            .collect();
        legacy
            .iter()
            .enumerate()
            .map(|(i, n)| Publication::from_legacy(n, i == 0))
            .chain(self.publications.iter().cloned())
            .collect()
    }

    /// Does the record hold notices from before publications were kept?
    pub fn has_legacy_notices(&self) -> bool {
        !self.withdrawn_notices.is_empty()
            || self
                .notice
                .as_ref()
                .is_some_and(|n| !self.publications.iter().any(|x| x.notice() == *n))
    }

    /// The go-live that made the plan live (the last successful or partial one).
    pub fn live_golive(&self) -> Option<&GoLive> {
        self.golives
            .iter()
            .rev()
            .find(|g| g.outcome != GoLiveOutcome::RolledBack)
    }
}

/// A rollback or serious incident after go-live (§3.4): what happened, when, who
/// dealt with it, and the go-live it followed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Incident {
    pub outcome: IncidentOutcome,
    /// When it happened.
    pub time: Time,
    /// Who dealt with it (rolled the update back, handled the incident).
    pub by: String,
    /// What happened.
    pub what: String,
    /// The go-live attempt it followed (1-based, as `golives` numbers them).
    pub golive: u32,
    pub recorded_by: String,
    pub recorded_at: Time,
}

/// A plan closed as failed: the update was given up after going live.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    pub reason: String,
    pub by: String,
    pub time: Time,
}

/// One goal of the plan as the review found it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GoalAssessment {
    /// The goal as the plan states it (one line of its goals).
    pub goal: String,
    pub verdict: GoalVerdict,
    #[serde(default)]
    pub note: String,
}

/// A request named in a review: the post-update feedback as it stood then.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedbackRef {
    pub id: Id,
    pub title: String,
    pub status: RequestStatus,
}

/// The post-implementation review of a live update (§4.3): each goal met,
/// partly met or not, the incidents and rollbacks and the post-update
/// feedback as they stood, and a written summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    /// The go-live it reviews (1-based).
    pub golive: u32,
    pub goals: Vec<GoalAssessment>,
    #[serde(default)]
    pub incidents: Vec<Incident>,
    #[serde(default)]
    pub feedback: Vec<FeedbackRef>,
    pub summary: String,
    pub by: String,
    pub time: Time,
}

/// What an addendum records. Addenda before typed ones were corrections.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "record")]
pub enum AddendumBody {
    /// A correction: the addendum's reason and text.
    #[default]
    Correction,
    /// A rollback or serious incident after filing.
    Incident(Incident),
    /// A training session held after filing (§3.4).
    Training(Training),
    /// A request linked as post-update feedback (§2.3), as it was when linked.
    Feedback(Box<Request>),
    /// The post-implementation review (§4.3).
    Review(Review),
    /// A file attached after filing (issue 18), sealed with its SHA-256.
    Attachment(super::AttachmentRef),
}

impl AddendumBody {
    /// The kind's code (`correction`, `incident`, …), for its label
    /// `enum.AddendumKind.<code>`.
    pub fn kind(&self) -> &'static str {
        match self {
            AddendumBody::Correction => "correction",
            AddendumBody::Incident(_) => "incident",
            AddendumBody::Training(_) => "training",
            AddendumBody::Feedback(_) => "feedback",
            AddendumBody::Review(_) => "review",
            AddendumBody::Attachment(_) => "attachment",
        }
    }

    pub fn label(&self) -> String {
        crate::i18n::enum_label("AddendumKind", self.kind())
    }
}

/// Something appended to a filed dossier, sealed in the audit chain when it is
/// written; the dossier itself never changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Addendum {
    pub no: u32,
    pub author: String,
    pub time: Time,
    /// Why a correction is needed (corrections only).
    #[serde(default)]
    pub reason: String,
    /// The correction (corrections only).
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub body: AddendumBody,
}

impl Addendum {
    /// The searchable text of an addendum of `dossier`, one field per line: a
    /// first line naming its dossier (id, system, title), so that a search for
    /// the system and what happened finds the addendum itself.
    pub fn search_text(&self, dossier: &DossierSummary) -> String {
        let mut t = vec![
            format!("{} {} {}", dossier.id, dossier.system_name, dossier.title),
            self.author.clone(),
            self.reason.clone(),
            self.text.clone(),
        ];
        match &self.body {
            AddendumBody::Correction => {}
            AddendumBody::Incident(i) => t.push(format!("{} {}", i.by, i.what)),
            AddendumBody::Training(tr) => t.push(format!("{} {}", tr.trainer, tr.departments.join(" "))),
            AddendumBody::Feedback(r) => t.push(format!("{} {} {}", r.id, r.title, r.body)),
            AddendumBody::Review(r) => {
                let goals: Vec<&str> = r.goals.iter().map(|g| g.note.as_str()).collect();
                t.push(format!("{} {} {}", r.by, r.summary, goals.join(" ")));
                t.extend(r.incidents.iter().map(|i| format!("{} {}", i.by, i.what)));
            }
            // A file attached after filing is found by its name and the record it is on.
            AddendumBody::Attachment(a) => t.push(format!("{} {}", a.entity, a.name)),
        }
        t.retain(|l| !l.trim().is_empty());
        t.join("\n")
    }
}

/// The filed, frozen copy of an update (§3.5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dossier {
    pub id: Id,
    pub filed_at: Time,
    pub filed_by: String,
    /// The system as it was when filed.
    pub system: System,
    /// The plan with its approval, tests, backup, go-live, training and comparison.
    pub plan: Plan,
    /// The linked requests as they were when filed.
    pub requests: Vec<Request>,
    /// The requests linked as post-update feedback (§2.3), as they were when filed.
    #[serde(default)]
    pub feedback: Vec<Request>,
    /// The files attached to the plan and its requests when it was filed,
    /// with their SHA-256: sealed with the dossier (issue 18).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<super::AttachmentRef>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DossierSummary {
    pub id: Id,
    pub plan: Id,
    pub system: Id,
    pub system_name: String,
    pub title: String,
    pub version_from: String,
    pub version_to: String,
    pub live_at: Option<Time>,
    pub filed_at: Time,
    pub filed_by: String,
    /// Summaries written before classes are of normal plans.
    #[serde(default)]
    pub class: ChangeClass,
}

impl Dossier {
    pub fn summary(&self) -> DossierSummary {
        DossierSummary {
            id: self.id,
            plan: self.plan.id,
            system: self.system.id,
            system_name: self.system.name.clone(),
            title: self.plan.title.clone(),
            version_from: self.plan.version_from.clone(),
            version_to: self.plan.version_to.clone(),
            live_at: self.plan.live_golive().map(|g| g.time),
            filed_at: self.filed_at,
            filed_by: self.filed_by.clone(),
            class: self.plan.class,
        }
    }

    /// All searchable text of the dossier, one field per line.
    pub fn search_text(&self) -> String {
        let p = &self.plan;
        let mut t = vec![
            self.id.to_string(),
            p.id.to_string(),
            self.system.name.clone(),
            self.system.department.clone(),
            self.system.vendor.clone(),
            p.title.clone(),
            p.version_from.clone(),
            p.version_to.clone(),
            p.goals.clone(),
            p.content.clone(),
            p.approach.clone(),
            p.backup_plan.clone(),
            p.migration_plan.clone(),
            p.rollback_plan.clone(),
            p.emergency_reason.clone(),
        ];
        if let Some(tpl) = &p.template {
            t.push(format!("{} {}", tpl.id, tpl.title));
        }
        t.extend(p.staff.iter().map(|s| format!("{} {} {}", s.person, s.role, s.duty)));
        t.extend(p.risks.iter().map(|r| format!("{} {}", r.description, r.mitigation)));
        t.extend(
            p.approvals
                .iter()
                .map(|a| format!("{} {} {}", a.approver, a.comment, a.minutes_ref)),
        );
        t.extend(p.notice_info.fields().iter().map(|(_, v)| v.to_string()));
        t.extend(p.all_publications().into_iter().map(|x| x.text));
        for r in &p.rounds {
            t.extend(
                r.items
                    .iter()
                    .map(|i| format!("{} {} {} {}", i.description, i.expected, i.notes, i.tester.name)),
            );
        }
        t.extend(
            p.defects
                .iter()
                .map(|d| format!("{} {}", d.description, d.vendor_ref.clone().unwrap_or_default())),
        );
        t.extend(
            p.golives
                .iter()
                .map(|g| format!("{} {} {} {}", g.deployer, g.steps, g.config_changes, g.incidents)),
        );
        t.extend(
            p.training
                .iter()
                .map(|tr| format!("{} {}", tr.trainer, tr.departments.join(" "))),
        );
        t.extend(
            p.comparison
                .iter()
                .map(|c| format!("{} {} {}", c.function, c.before, c.after)),
        );
        t.extend(p.incidents.iter().map(|i| format!("{} {}", i.by, i.what)));
        t.extend(p.reviews.iter().map(|r| {
            let goals: Vec<&str> = r.goals.iter().map(|g| g.note.as_str()).collect();
            format!("{} {} {}", r.by, r.summary, goals.join(" "))
        }));
        if let Some(f) = &p.failure {
            t.push(f.reason.clone());
        }
        t.extend(self.requests.iter().map(|r| format!("{} {} {}", r.id, r.title, r.body)));
        t.extend(self.feedback.iter().map(|r| format!("{} {} {}", r.id, r.title, r.body)));
        t.join("\n")
    }
}
