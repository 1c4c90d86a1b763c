//! The one command enum: every change to the records, from every interface
//! (CLI today; the TUI and the server protocol carry the same values).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::model::{
    BackupConfirmation, Blackout, Channel, ComparisonRow, DefectStatus, GoLive, Id, Priority, Recipient,
    RecognitionKind, RequestKind, Severity, Source, Submitter, TestCategory, TestResult, Tester, Time, Training,
};
use crate::workflow::{Op, PlanChange};

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
}

/// What an import did, as reported in its [`super::Outcome`].
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

    /// Read back the counts of an import's [`super::Outcome`] (the ids of created
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "command")]
pub enum Command {
    SystemAdd {
        name: String,
        department: String,
        vendor: String,
        version: String,
    },
    SystemEdit {
        id: Id,
        name: Option<String>,
        department: Option<String>,
        vendor: Option<String>,
        version: Option<String>,
    },
    CalendarAdd {
        period: Blackout,
    },
    /// Remove the period with this name.
    CalendarRemove {
        name: String,
    },
    /// Replace the whole calendar (from a TOML file).
    CalendarReplace {
        periods: Vec<Blackout>,
    },

    RequestAdd {
        request: NewRequest,
    },
    /// Import many requests at once, all or nothing: items already imported are
    /// skipped, replies are appended to their request's thread, likely duplicates
    /// of queued requests are tagged. `dry_run` reports without writing anything.
    RequestImport {
        items: Vec<ImportItem>,
        #[serde(default)]
        dry_run: bool,
    },
    RequestTriage {
        id: Id,
        triage: Triage,
    },
    RequestEdit {
        id: Id,
        edit: RequestEdit,
    },
    RequestComment {
        id: Id,
        text: String,
    },
    RequestLink {
        id: Id,
        plan: Id,
    },

    PlanNew {
        system: Id,
        title: String,
        version_from: Option<String>,
        version_to: String,
    },
    PlanEdit {
        id: Id,
        changes: Vec<PlanChange>,
    },
    PlanSubmit {
        id: Id,
    },
    PlanApprove {
        id: Id,
        comment: String,
        minutes_ref: String,
    },
    PlanReturn {
        id: Id,
        reason: String,
        minutes_ref: String,
    },
    /// Publish the update notice; no text means the generated one.
    PlanNotice {
        id: Id,
        text: Option<String>,
        audience: String,
    },
    PlanImplement {
        id: Id,
    },
    PlanCancel {
        id: Id,
        reason: String,
    },

    TestRound {
        plan: Id,
        copy_unfinished: bool,
    },
    TestItem {
        plan: Id,
        category: TestCategory,
        description: String,
        expected: String,
        tester: Tester,
    },
    TestResult {
        plan: Id,
        item: u32,
        result: TestResult,
        waiver: Option<String>,
        notes: Option<String>,
    },
    DefectAdd {
        plan: Id,
        severity: Severity,
        description: String,
        found_by: Tester,
        item: Option<u32>,
        vendor_ref: Option<String>,
    },
    DefectUpdate {
        plan: Id,
        defect: u32,
        status: Option<DefectStatus>,
        vendor_ref: Option<String>,
    },
    Backup {
        plan: Id,
        backup: BackupConfirmation,
    },
    GoLive {
        plan: Id,
        golive: GoLive,
    },
    Training {
        plan: Id,
        training: Training,
    },
    ComparisonAdd {
        plan: Id,
        row: ComparisonRow,
    },
    ComparisonRemove {
        plan: Id,
        row: usize,
    },
    File {
        plan: Id,
    },
    Addendum {
        dossier: Id,
        reason: String,
        text: String,
    },

    OrderIssue {
        target: crate::model::OrderTarget,
        finding: String,
        required_action: String,
        deadline: NaiveDate,
    },
    OrderRespond {
        id: Id,
        response: String,
    },
    OrderClose {
        id: Id,
    },
    ReportSubmit {
        content: String,
        contact: Option<String>,
    },
    ReportInvestigate {
        id: Id,
        notes: String,
    },
    ReportReply {
        id: Id,
        reply: String,
    },

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
    },
}

impl Command {
    /// The permission this command needs.
    pub fn op(&self) -> Op {
        use Command::*;
        match self {
            SystemAdd { .. } | SystemEdit { .. } => Op::SystemEdit,
            CalendarAdd { .. } | CalendarRemove { .. } | CalendarReplace { .. } => Op::CalendarEdit,
            RequestAdd { .. } | RequestImport { .. } => Op::RequestAdd,
            RequestTriage { .. } => Op::RequestTriage,
            RequestEdit { .. } => Op::RequestEdit,
            RequestComment { .. } => Op::RequestComment,
            RequestLink { .. } => Op::RequestLink,
            PlanNew { .. } | PlanEdit { .. } => Op::PlanEdit,
            PlanSubmit { .. } => Op::PlanSubmit,
            PlanApprove { .. } | PlanReturn { .. } => Op::PlanDecide,
            PlanNotice { .. } => Op::PlanNotice,
            PlanImplement { .. } => Op::PlanImplement,
            PlanCancel { .. } => Op::PlanCancel,
            TestRound { .. } | TestItem { .. } | TestResult { .. } | DefectAdd { .. } | DefectUpdate { .. } => {
                Op::TestRecord
            }
            Backup { .. } => Op::BackupConfirm,
            GoLive { .. } => Op::GoLiveRecord,
            Training { .. } => Op::TrainingRecord,
            ComparisonAdd { .. } | ComparisonRemove { .. } | File { .. } => Op::PlanFile,
            Addendum { .. } => Op::DossierAddendum,
            OrderIssue { .. } => Op::OrderIssue,
            OrderRespond { .. } => Op::OrderRespond,
            OrderClose { .. } => Op::OrderClose,
            ReportSubmit { .. } => Op::ReportSubmit,
            ReportInvestigate { .. } | ReportReply { .. } => Op::ReportHandle,
            RecognitionAdd { .. } => Op::RecognitionRecord,
        }
    }

    /// The name recorded in the audit log, e.g. `plan.submit`.
    pub fn name(&self) -> &'static str {
        use Command::*;
        match self {
            SystemAdd { .. } => "system.add",
            SystemEdit { .. } => "system.edit",
            CalendarAdd { .. } => "calendar.add",
            CalendarRemove { .. } => "calendar.remove",
            CalendarReplace { .. } => "calendar.replace",
            RequestAdd { .. } => "request.add",
            RequestImport { .. } => "request.import",
            RequestTriage { .. } => "request.triage",
            RequestEdit { .. } => "request.edit",
            RequestComment { .. } => "request.comment",
            RequestLink { .. } => "request.link",
            PlanNew { .. } => "plan.new",
            PlanEdit { .. } => "plan.edit",
            PlanSubmit { .. } => "plan.submit",
            PlanApprove { .. } => "plan.approve",
            PlanReturn { .. } => "plan.return",
            PlanNotice { .. } => "plan.notice",
            PlanImplement { .. } => "plan.implement",
            PlanCancel { .. } => "plan.cancel",
            TestRound { .. } => "test.round",
            TestItem { .. } => "test.item",
            TestResult { .. } => "test.result",
            DefectAdd { .. } => "test.defect",
            DefectUpdate { .. } => "test.defect_update",
            Backup { .. } => "backup.confirm",
            GoLive { .. } => "golive.record",
            Training { .. } => "training.add",
            ComparisonAdd { .. } => "comparison.add",
            ComparisonRemove { .. } => "comparison.remove",
            File { .. } => "plan.file",
            Addendum { .. } => "dossier.addendum",
            OrderIssue { .. } => "order.issue",
            OrderRespond { .. } => "order.respond",
            OrderClose { .. } => "order.close",
            ReportSubmit { .. } => "report.submit",
            ReportInvestigate { .. } => "report.investigate",
            ReportReply { .. } => "report.reply",
            RecognitionAdd { .. } => "recognition.add",
        }
    }
}
