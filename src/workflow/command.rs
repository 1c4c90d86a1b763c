//! The one command enum: every change to the records, from every interface (the
//! CLI, the TUI and the server protocol carry the same values), each with its
//! audit name and its permission from one table. The rules decide each command
//! on its record (`plan::decide_plan`, …); `service` loads, saves and audits.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{Milestone, NoticeChange, Op, PlanChange, TemplateChange};
use crate::model::{
    BackupConfirmation, Blackout, ChangeClass, Channel, ComparisonRow, DefectStatus, GoLive, GoalVerdict, Id,
    IncidentOutcome, Priority, Recipient, RecognitionKind, RequestKind, Severity, Source, Submitter, TestCategory,
    TestResult, Tester, Time, Training, Window,
};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewRequest {
    pub kind: RequestKind,
    pub title: String,
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub system: Option<Id>,
    pub submitter: Submitter,
    #[serde(default)]
    pub department: String,
    pub channel: Channel,
    /// Defaults to now.
    #[serde(default)]
    pub received_at: Option<Time>,
    #[serde(default = "normal")]
    pub priority: Priority,
    #[serde(default)]
    pub tags: Vec<String>,
}

/// One record of an import (`beian import`, `beian intake email`): the request it
/// becomes, where it came from, and the key that makes importing it again a no-op.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportItem {
    pub request: NewRequest,
    #[serde(default)]
    pub source: Option<Source>,
    /// `msgid:<Message-ID>` or `row:<SHA-256 of the normalised row>`: an item whose
    /// key is already stored is skipped.
    pub key: String,
    /// A reply: the request named in the subject (`[REQ-2026-0042]`) …
    #[serde(default)]
    pub reply_to: Option<Id>,
    /// … or the Message-IDs it answers (In-Reply-To, References); when one of
    /// them created or joined a request, the item is appended to its thread.
    #[serde(default)]
    pub references: Vec<String>,
    /// Names the item in errors: file and line, or file and message number.
    #[serde(default)]
    pub label: String,
    /// The files that came with it (an email's attachments, issue 18): kept
    /// on the request it creates, each within the per-file limit (a larger one
    /// stays only listed in its source).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<ImportFile>,
}

/// A file that came with an imported item; over the socket its content is base64.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportFile {
    pub name: String,
    pub content: crate::model::Content,
}

/// What an import did, as reported in its [`crate::service::Outcome`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    pub created: Vec<Id>,
    /// Items whose key was already stored.
    pub skipped: usize,
    /// Requests a reply was appended to (one entry per reply).
    pub replies: Vec<Id>,
    /// Created requests tagged as likely duplicates.
    pub flagged: Vec<Id>,
}

impl ImportReport {
    /// The audit and outcome summary: `created 3, skipped 2, replies 1, flagged 1`.
    pub fn summary(&self) -> String {
        format!(
            "created {}, skipped {}, replies {}, flagged {}",
            self.created.len(),
            self.skipped,
            self.replies.len(),
            self.flagged.len()
        )
    }

    /// Read back the counts of an import's [`crate::service::Outcome`] (the ids of created
    /// requests are its `entity`, separated by spaces).
    pub fn counts(summary: &str) -> Option<[usize; 4]> {
        let mut out = [0; 4];
        let parts: Vec<&str> = summary.split(", ").collect();
        if parts.len() != 4 {
            return None;
        }
        for (i, (p, name)) in parts
            .iter()
            .zip(["created", "skipped", "replies", "flagged"])
            .enumerate()
        {
            out[i] = p.strip_prefix(name)?.trim().parse().ok()?;
        }
        Some(out)
    }
}

fn normal() -> Priority {
    Priority::Normal
}

/// A triage decision on a request (§3.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "decision")]
pub enum Triage {
    /// Looked at and classified; decision pending.
    Triage,
    /// Accept; from joint review, `outcome` records the meeting's position.
    Accept {
        outcome: Option<String>,
    },
    Reject {
        reason: String,
    },
    Duplicate {
        of: Id,
    },
    JointReview,
}

impl Triage {
    pub fn name(&self) -> &'static str {
        match self {
            Triage::Triage => "triage",
            Triage::Accept { .. } => "accept",
            Triage::Reject { .. } => "reject",
            Triage::Duplicate { .. } => "duplicate",
            Triage::JointReview => "joint_review",
        }
    }
}

/// How a review found one goal of the plan: its number (1-based, as the plan's
/// goals list them, one per line), the verdict and an optional note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GoalInput {
    pub no: u32,
    pub verdict: GoalVerdict,
    #[serde(default)]
    pub note: String,
}

/// Fields of a request that can be changed at any time before it is done.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestEdit {
    pub title: Option<String>,
    pub body: Option<String>,
    pub system: Option<Id>,
    pub department: Option<String>,
    pub priority: Option<Priority>,
    pub tags: Option<Vec<String>>,
    pub necessity: Option<String>,
    pub feasibility: Option<String>,
}

/// Declares [`Command`] and, from the same table, each command's audit name
/// and permission: a command cannot exist without both.
macro_rules! commands {
    ($($(#[$m:meta])* $v:ident { $($(#[$fm:meta])* $f:ident : $t:ty),* $(,)? } = $name:literal, $op:ident;)+) => {
        /// Every change to the records, from every interface.
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case", tag = "command")]
        pub enum Command { $($(#[$m])* $v { $($(#[$fm])* $f: $t),* }),+ }

        impl Command {
            /// Every command's audit name and permission, in declaration order.
            pub const TABLE: &'static [(&'static str, Op)] = &[$(($name, Op::$op)),+];

            /// The permission this command needs.
            pub fn op(&self) -> Op {
                match self { $(Command::$v { .. } => Op::$op),+ }
            }

            /// The name recorded in the audit log, e.g. `plan.submit`.
            pub fn name(&self) -> &'static str {
                match self { $(Command::$v { .. } => $name),+ }
            }
        }
    };
}

commands! {
    SystemAdd {
        name: String,
        department: String,
        vendor: String,
        version: String,
    } = "system.add", SystemEdit;
    SystemEdit {
        id: Id,
        name: Option<String>,
        department: Option<String>,
        vendor: Option<String>,
        version: Option<String>,
        /// The systems it depends on, replacing the list (empty: none).
        #[serde(default)]
        depends_on: Option<Vec<Id>>,
    } = "system.edit", SystemEdit;
    CalendarAdd {
        period: Blackout,
    } = "calendar.add", CalendarEdit;
    /// Remove the period with this name.
    CalendarRemove {
        name: String,
    } = "calendar.remove", CalendarEdit;
    /// Replace the whole calendar (from a TOML file).
    CalendarReplace {
        periods: Vec<Blackout>,
    } = "calendar.replace", CalendarEdit;

    RequestAdd {
        request: NewRequest,
    } = "request.add", RequestAdd;
    /// Import many requests at once, all or nothing: items already imported are
    /// skipped, replies are appended to their request's thread, likely duplicates
    /// of queued requests are tagged. `dry_run` reports without writing anything.
    RequestImport {
        items: Vec<ImportItem>,
        #[serde(default)]
        dry_run: bool,
    } = "request.import", RequestAdd;
    RequestTriage {
        id: Id,
        triage: Triage,
    } = "request.triage", RequestTriage;
    RequestEdit {
        id: Id,
        edit: RequestEdit,
    } = "request.edit", RequestEdit;
    RequestComment {
        id: Id,
        text: String,
    } = "request.comment", RequestComment;
    RequestLink {
        id: Id,
        plan: Id,
    } = "request.link", RequestLink;
    /// Withdraw the latest triage decision: back to the status the request had
    /// before it (`workflow::reopen`), with a reason.
    RequestReopen {
        id: Id,
        reason: String,
    } = "request.reopen", RequestTriage;
    /// Take a planned request off its plan while the plan is being written
    /// (`workflow::unlink`), with a reason.
    RequestUnlink {
        id: Id,
        reason: String,
    } = "request.unlink", RequestLink;
    /// Convene a joint review meeting (专题研讨, §3.1) of requests that touch
    /// several departments, with the departments taking part and its day
    /// (`workflow::convene`): each request goes to joint review, decided by
    /// the meeting's position.
    JointReviewNew {
        topic: String,
        requests: Vec<Id>,
        departments: Vec<String>,
        date: NaiveDate,
    } = "joint_review.new", RequestTriage;
    /// Record the position a joint review reached (`workflow::record_position`):
    /// every covered request still in it is accepted, or rejected when
    /// `reject` names it, with the position as the reason.
    JointReviewDecide {
        id: Id,
        position: String,
        #[serde(default)]
        minutes_ref: String,
        #[serde(default)]
        reject: Vec<Id>,
    } = "joint_review.decide", RequestTriage;
    /// Link a request to a live or filed plan as post-update feedback (§2.3):
    /// a problem reported after the update, not part of its scope.
    RequestFeedback {
        id: Id,
        plan: Id,
    } = "request.feedback", RequestLink;

    /// A new draft plan of a class; with `template`, a standard change of that
    /// approved template (its system must be the template's).
    PlanNew {
        system: Id,
        title: String,
        version_from: Option<String>,
        version_to: String,
        #[serde(default)]
        class: ChangeClass,
        #[serde(default)]
        template: Option<Id>,
    } = "plan.new", PlanEdit;
    PlanEdit {
        id: Id,
        changes: Vec<PlanChange>,
    } = "plan.edit", PlanEdit;
    PlanSubmit {
        id: Id,
    } = "plan.submit", PlanSubmit;
    PlanApprove {
        id: Id,
        comment: String,
        minutes_ref: String,
    } = "plan.approve", PlanDecide;
    PlanReturn {
        id: Id,
        reason: String,
        minutes_ref: String,
    } = "plan.return", PlanDecide;
    /// Publish the update notice; no text means the generated one.
    PlanNotice {
        id: Id,
        text: Option<String>,
        audience: String,
    } = "plan.notice", PlanNotice;
    PlanImplement {
        id: Id,
    } = "plan.implement", PlanImplement;
    PlanCancel {
        id: Id,
        reason: String,
    } = "plan.cancel", PlanCancel;
    /// Give an approved or announced plan a new window, with the reason: a new
    /// submission the Leading Group approves again; a published notice needs a
    /// corrected one before implementation starts.
    PlanReschedule {
        id: Id,
        window: Window,
        reason: String,
        /// The justification for the soft blackout periods the new window lies in.
        #[serde(default)]
        justification: Option<String>,
    } = "plan.reschedule", PlanEdit;
    /// Edit the notice document before it is published: its fields, its
    /// language, its draft text.
    PlanNoticeDraft {
        id: Id,
        changes: Vec<NoticeChange>,
    } = "plan.notice_draft", PlanNotice;
    /// Set the schedule's milestones: test start, the go-live time fixed once
    /// the tests pass, planned training.
    PlanMilestone {
        id: Id,
        changes: Vec<Milestone>,
    } = "plan.milestone", PlanEdit;

    /// Start a test round in a test environment (§3.3); `copy_unfinished`
    /// retests every item not yet passed or waived.
    TestRound {
        plan: Id,
        copy_unfinished: bool,
        #[serde(default)]
        environment: String,
    } = "test.round", TestRecord;
    /// Add an item to the latest round; `retest` names an earlier item to test
    /// again (it keeps its number, category and description).
    TestItem {
        plan: Id,
        category: TestCategory,
        description: String,
        expected: String,
        tester: Tester,
        #[serde(default)]
        retest: Option<u32>,
    } = "test.item", TestRecord;
    TestResult {
        plan: Id,
        item: u32,
        result: TestResult,
        notes: Option<String>,
    } = "test.result", TestRecord;
    /// An approver who did not contribute waives an item that has not passed.
    TestWaive {
        plan: Id,
        item: u32,
        reason: String,
    } = "test.waive", RiskAccept;
    DefectAdd {
        plan: Id,
        severity: Severity,
        description: String,
        found_by: Tester,
        item: Option<u32>,
        vendor_ref: Option<String>,
    } = "test.defect", TestRecord;
    DefectUpdate {
        plan: Id,
        defect: u32,
        status: Option<DefectStatus>,
        vendor_ref: Option<String>,
    } = "test.defect_update", TestRecord;
    /// An approver who did not contribute accepts the risk of a critical or
    /// major defect that is not verified fixed.
    DefectAccept {
        plan: Id,
        defect: u32,
        reason: String,
    } = "test.defect_accept", RiskAccept;
    Backup {
        plan: Id,
        backup: BackupConfirmation,
    } = "backup.confirm", BackupConfirm;
    GoLive {
        plan: Id,
        golive: GoLive,
    } = "golive.record", GoLiveRecord;
    /// Record a go-live time outside the window and why (a deviation).
    PlanDeviation {
        plan: Id,
        time: Time,
        reason: String,
    } = "golive.deviation", GoLiveRecord;
    /// An approver who did not contribute accepts the recorded deviation.
    DeviationAccept {
        plan: Id,
        reason: String,
    } = "golive.deviation_accept", RiskAccept;
    /// A training session (§3.4); on a filed plan, a sealed addendum.
    Training {
        plan: Id,
        training: Training,
    } = "training.add", TrainingRecord;
    /// A rollback or serious incident after go-live (§3.4). A live plan rolled
    /// back goes back to testing; on a filed plan, a sealed addendum.
    PlanIncident {
        plan: Id,
        outcome: IncidentOutcome,
        time: Time,
        /// Who dealt with it.
        by: String,
        /// What happened.
        what: String,
    } = "plan.incident", GoLiveRecord;
    /// Close a plan that went live as failed, with a reason; its requests are
    /// released.
    PlanFail {
        plan: Id,
        reason: String,
    } = "plan.fail", PlanCancel;
    /// The post-implementation review (§4.3): every goal assessed, a summary.
    PlanReview {
        plan: Id,
        goals: Vec<GoalInput>,
        summary: String,
    } = "plan.review", PlanReview;
    ComparisonAdd {
        plan: Id,
        row: ComparisonRow,
    } = "comparison.add", PlanFile;
    ComparisonRemove {
        plan: Id,
        row: usize,
    } = "comparison.remove", PlanFile;
    File {
        plan: Id,
    } = "plan.file", PlanFile;

    /// A new draft template of standard changes for one system.
    TemplateNew {
        system: Id,
        title: String,
        #[serde(default)]
        content: String,
        #[serde(default)]
        approach: String,
        /// Its test items.
        #[serde(default)]
        items: Vec<crate::model::TemplateItem>,
    } = "template.new", PlanEdit;
    TemplateEdit {
        id: Id,
        changes: Vec<TemplateChange>,
    } = "template.edit", PlanEdit;
    TemplateSubmit {
        id: Id,
    } = "template.submit", PlanSubmit;
    /// A member of the Leading Group approves a template (the normal quorum).
    TemplateApprove {
        id: Id,
        comment: String,
        minutes_ref: String,
    } = "template.approve", PlanDecide;
    TemplateReturn {
        id: Id,
        reason: String,
        minutes_ref: String,
    } = "template.return", PlanDecide;
    Addendum {
        dossier: Id,
        reason: String,
        text: String,
    } = "dossier.addendum", DossierAddendum;

    OrderIssue {
        target: crate::model::OrderTarget,
        finding: String,
        required_action: String,
        deadline: NaiveDate,
    } = "order.issue", OrderIssue;
    OrderRespond {
        id: Id,
        response: String,
    } = "order.respond", OrderRespond;
    OrderClose {
        id: Id,
    } = "order.close", OrderClose;
    /// A supervisor moves an order's deadline later (not into the past), with
    /// a reason; the old deadline stays on record (§5.1).
    OrderExtend {
        id: Id,
        deadline: NaiveDate,
        reason: String,
    } = "order.extend", OrderReview;
    /// A supervisor sends the response back as insufficient, with a reason:
    /// the order is open again, the response stays on record.
    OrderSendBack {
        id: Id,
        reason: String,
    } = "order.send_back", OrderReview;
    /// A supervisor reopens a closed order, with a reason.
    OrderReopen {
        id: Id,
        reason: String,
    } = "order.reopen", OrderReview;
    ReportSubmit {
        content: String,
        contact: Option<String>,
    } = "report.submit", ReportSubmit;
    ReportInvestigate {
        id: Id,
        notes: String,
    } = "report.investigate", ReportHandle;
    ReportReply {
        id: Id,
        reply: String,
    } = "report.reply", ReportHandle;
    /// Link a report to the plan it concerns (the plan must exist).
    ReportLink {
        id: Id,
        plan: Id,
    } = "report.link", ReportHandle;
    /// Turn a report under investigation into a rectification order, in one
    /// transaction: the order is issued with the report's finding (the
    /// investigation notes unless `finding` is given), aimed at `target` or
    /// else the plan the report is linked to; the report records the order.
    ReportToOrder {
        id: Id,
        #[serde(default)]
        target: Option<crate::model::OrderTarget>,
        #[serde(default)]
        finding: Option<String>,
        required_action: String,
        deadline: NaiveDate,
    } = "report.to_order", ReportHandle;

    /// A member of the Leading Group names a substitute who decides in their
    /// place for the days `from..=to` (§2.1).
    ApproverSubstitute {
        substitute: String,
        from: NaiveDate,
        to: NaiveDate,
        reason: String,
    } = "approver.substitute", PlanDecide;

    /// Record an award or a penalty with its reason (§5.2, §5.3).
    RecognitionAdd {
        kind: RecognitionKind,
        recipient: Recipient,
        reason: String,
        /// Records it rests on; each must exist.
        #[serde(default)]
        related: Vec<Id>,
        /// The day it was decided; defaults to today.
        #[serde(default)]
        date: Option<NaiveDate>,
    } = "recognition.add", RecognitionRecord;

    /// Attach files to a request, plan, dossier, order or report (issue 18):
    /// stored once by their SHA-256; on a filed plan or its dossier, each is a
    /// sealed addendum.
    Attach {
        entity: Id,
        files: Vec<super::attach::NewAttachment>,
    } = "attachment.add", AttachmentAdd;
    /// A person of the register (name, department, address, phone, language, login).
    PersonAdd {
        person: crate::model::PersonFields,
    } = "person.add", RegisterEdit;
    PersonEdit {
        id: Id,
        edit: crate::model::PersonEdit,
    } = "person.edit", RegisterEdit;
    /// A department of the register, with its head and distribution list.
    DepartmentAdd {
        department: crate::model::DepartmentFields,
    } = "department.add", RegisterEdit;
    DepartmentEdit {
        id: Id,
        edit: crate::model::DepartmentEdit,
    } = "department.edit", RegisterEdit;
    /// A vendor of the register, with its contacts and support channel.
    VendorAdd {
        vendor: crate::model::VendorFields,
    } = "vendor.add", RegisterEdit;
    VendorEdit {
        id: Id,
        edit: crate::model::VendorEdit,
    } = "vendor.edit", RegisterEdit;
    /// Import people, departments and vendors (CSV rows), all or nothing: a
    /// bad row refuses the whole import, naming its file and line.
    RegisterImport {
        #[serde(default)]
        people: Vec<crate::model::Labelled<crate::model::PersonFields>>,
        #[serde(default)]
        departments: Vec<crate::model::Labelled<crate::model::DepartmentFields>>,
        #[serde(default)]
        vendors: Vec<crate::model::Labelled<crate::model::VendorFields>>,
    } = "register.import", RegisterEdit;
    /// A name as written in the records (a tester, a defect's finder, a
    /// trainer, a staff member, a submitter, a system's vendor) names this
    /// person, department or vendor from now on (issue 18 §3, `beian people
    /// resolve`): the name becomes one of the record's aliases.
    NameResolve {
        text: String,
        target: Id,
    } = "name.resolve", RegisterEdit;
    /// Forget an operator's resolution of a name.
    NameUnresolve {
        text: String,
    } = "name.unresolve", RegisterEdit;
    /// Queue the periodic progress report (§5.1 定期汇报) of the days
    /// `from..=to` to the supervision group.
    MailReport {
        from: NaiveDate,
        to: NaiveDate,
    } = "mail.report", MailQueue;
    /// Queue the daily digest: to each person whose role should act, the
    /// attention items of that role (`beian mail digest`, a timer).
    MailDigest {} = "mail.digest", MailQueue;
    /// Mark a call the outbox asked for (a recipient with only a phone) as made.
    MailCalled {
        id: Id,
        #[serde(default)]
        note: String,
    } = "mail.called", MailQueue;
}
