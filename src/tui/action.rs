//! The one Action enum and the named-command registry that keymaps, the `?`
//! help, the status-bar hints and the `:` palette all read.

use serde::{Deserialize, Serialize};

/// The panes, in Tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Pane {
    Queue,
    Plans,
    Tests,
    Archive,
    Reports,
    /// Rectification orders and confidential reports (§5.1).
    Supervision,
    /// Templates of standard changes (§2.1, §3.2).
    Templates,
    /// The register of people, departments and vendors, and the mail outbox.
    Register,
    /// The forward schedule of maintenance windows (§3.2), key 9.
    Schedule,
    /// What needs someone now (issue 17 §1): pane 0.
    Attention,
}

impl Pane {
    pub const ALL: [Pane; 10] = [
        Pane::Queue,
        Pane::Plans,
        Pane::Tests,
        Pane::Archive,
        Pane::Reports,
        Pane::Supervision,
        Pane::Templates,
        Pane::Register,
        Pane::Schedule,
        Pane::Attention,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Pane::Queue => "queue",
            Pane::Plans => "plans",
            Pane::Tests => "tests",
            Pane::Archive => "archive",
            Pane::Reports => "reports",
            Pane::Supervision => "supervision",
            Pane::Templates => "templates",
            Pane::Register => "register",
            Pane::Schedule => "schedule",
            Pane::Attention => "attention",
        }
    }
    pub fn index(self) -> usize {
        Pane::ALL.iter().position(|p| *p == self).unwrap_or(0)
    }
    /// The number its key and tab show: 1–7 in Tab order, the schedule 9, the
    /// attention view 0.
    pub fn number(self) -> usize {
        match self {
            Pane::Attention => 0,
            Pane::Schedule => 9,
            p => p.index() + 1,
        }
    }
    pub fn title(self) -> String {
        crate::i18n::t(&format!("tui.pane.{}", self.as_str()), &[])
    }
}

/// A popup, as a keymap layer: its keys come first while it is on top, then
/// the global keys that are not typing (motions, back, open).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Layer {
    Help,
    Palette,
    Prompt,
    Confirm,
    Form,
    Message,
}

impl Layer {
    pub const ALL: [Layer; 6] = [
        Layer::Help,
        Layer::Palette,
        Layer::Prompt,
        Layer::Confirm,
        Layer::Form,
        Layer::Message,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Layer::Help => "help",
            Layer::Palette => "palette",
            Layer::Prompt => "prompt",
            Layer::Confirm => "confirm",
            Layer::Form => "form",
            Layer::Message => "message",
        }
    }
    /// Does the popup have a text field that printable keys type into?
    pub fn types(self) -> bool {
        matches!(self, Layer::Palette | Layer::Prompt | Layer::Form)
    }
}

/// Where a command applies: everywhere, in one pane, or in one popup.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    Global,
    Pane(Pane),
    Layer(Layer),
}

impl Scope {
    pub fn name(self) -> &'static str {
        match self {
            Scope::Global => "global",
            Scope::Pane(p) => p.as_str(),
            Scope::Layer(l) => l.as_str(),
        }
    }
    pub fn parse(s: &str) -> Option<Scope> {
        if s == "global" {
            return Some(Scope::Global);
        }
        Pane::ALL
            .into_iter()
            .find(|p| p.as_str() == s)
            .map(Scope::Pane)
            .or_else(|| Layer::ALL.into_iter().find(|l| l.as_str() == s).map(Scope::Layer))
    }
    /// Every section a keymap file may have, in file order.
    pub fn all() -> Vec<Scope> {
        let mut v = vec![Scope::Global];
        v.extend(Pane::ALL.map(Scope::Pane));
        v.extend(Layer::ALL.map(Scope::Layer));
        v
    }
}

macro_rules! actions {
    ($($v:ident = $name:literal @ $scope:expr),+ $(,)?) => {
        /// A named command: what keys, the palette and the help refer to.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Action { $($v),+ }
        impl Action {
            pub const ALL: &'static [Action] = &[$(Action::$v),+];
            pub fn name(self) -> &'static str { match self { $(Action::$v => $name),+ } }
            pub fn scope(self) -> Scope { match self { $(Action::$v => $scope),+ } }
        }
    };
}

use Pane::*;
use Scope::Global as G;
fn p(pane: Pane) -> Scope {
    Scope::Pane(pane)
}
fn l(layer: Layer) -> Scope {
    Scope::Layer(layer)
}

actions! {
    Quit = "quit" @ G,
    Help = "help" @ G,
    Palette = "palette" @ G,
    Back = "back" @ G,
    NextPane = "pane.next" @ G,
    PrevPane = "pane.prev" @ G,
    GotoQueue = "pane.queue" @ G,
    GotoPlans = "pane.plans" @ G,
    GotoTests = "pane.tests" @ G,
    GotoArchive = "pane.archive" @ G,
    GotoReports = "pane.reports" @ G,
    GotoSupervision = "pane.supervision" @ G,
    GotoTemplates = "pane.templates" @ G,
    GotoRegister = "pane.register" @ G,
    GotoSchedule = "pane.schedule" @ G,
    GotoAttention = "pane.attention" @ G,
    Refresh = "refresh" @ G,
    Down = "down" @ G,
    Up = "up" @ G,
    PageDown = "page_down" @ G,
    PageUp = "page_up" @ G,
    Top = "top" @ G,
    Bottom = "bottom" @ G,
    Open = "open" @ G,
    Filter = "filter" @ G,
    FocusNext = "focus.next" @ G,
    FocusPrev = "focus.prev" @ G,
    FocusDetail = "focus.detail" @ G,
    FocusList = "focus.list" @ G,
    Undo = "undo" @ G,
    Messages = "messages" @ G,
    // popups (their own keys come before the global ones)
    ConfirmYes = "confirm.yes" @ l(Layer::Confirm),
    ConfirmNo = "confirm.no" @ l(Layer::Confirm),
    FormNext = "form.next" @ l(Layer::Form),
    FormPrev = "form.prev" @ l(Layer::Form),
    FormSubmit = "form.submit" @ l(Layer::Form),
    FormPark = "form.park" @ l(Layer::Form),
    // queue
    QueueMark = "queue.mark" @ p(Queue),
    QueueTriaged = "queue.triaged" @ p(Queue),
    QueueAccept = "queue.accept" @ p(Queue),
    QueueReject = "queue.reject" @ p(Queue),
    QueueDuplicate = "queue.duplicate" @ p(Queue),
    QueueJointReview = "queue.joint_review" @ p(Queue),
    QueuePriority = "queue.priority" @ p(Queue),
    QueueTag = "queue.tag" @ p(Queue),
    QueueLink = "queue.link" @ p(Queue),
    QueueFeedback = "queue.feedback" @ p(Queue),
    QueueComment = "queue.comment" @ p(Queue),
    QueueNew = "queue.new" @ p(Queue),
    QueueSort = "queue.sort" @ p(Queue),
    QueueSaveView = "queue.save_view" @ p(Queue),
    QueueImport = "queue.import" @ p(Queue),
    QueueExportCsv = "queue.export_csv" @ p(Queue),
    QueueReopen = "queue.reopen" @ p(Queue),
    QueueUnlink = "queue.unlink" @ p(Queue),
    QueueReviewNew = "queue.review_new" @ p(Queue),
    QueueReviewDecide = "queue.review_decide" @ p(Queue),
    QueueReviews = "queue.reviews" @ p(Queue),
    // plans
    PlanNew = "plan.new" @ p(Plans),
    PlanEdit = "plan.edit" @ p(Plans),
    PlanSubmit = "plan.submit" @ p(Plans),
    PlanApprove = "plan.approve" @ p(Plans),
    PlanReturn = "plan.return" @ p(Plans),
    PlanNotice = "plan.notice" @ p(Plans),
    PlanImplement = "plan.implement" @ p(Plans),
    PlanCancel = "plan.cancel" @ p(Plans),
    PlanTraining = "plan.training" @ p(Plans),
    PlanCompare = "plan.compare" @ p(Plans),
    PlanFile = "plan.file" @ p(Plans),
    PlanLink = "plan.link" @ p(Plans),
    PlanReschedule = "plan.reschedule" @ p(Plans),
    PlanNoticeDraft = "plan.notice_draft" @ p(Plans),
    PlanMilestone = "plan.milestone" @ p(Plans),
    PlanIncident = "plan.incident" @ p(Plans),
    PlanFail = "plan.fail" @ p(Plans),
    PlanReview = "plan.review" @ p(Plans),
    PlanEmergency = "plan.emergency" @ p(Plans),
    // tests
    TestPass = "test.pass" @ p(Tests),
    TestFail = "test.fail" @ p(Tests),
    TestBlocked = "test.blocked" @ p(Tests),
    TestWaive = "test.waive" @ p(Tests),
    TestNewRound = "test.new_round" @ p(Tests),
    TestAddItem = "test.add_item" @ p(Tests),
    TestBackup = "test.backup" @ p(Tests),
    TestGoLive = "test.golive" @ p(Tests),
    TestDefectUpdate = "test.defect_update" @ p(Tests),
    TestAcceptDefect = "test.accept_defect" @ p(Tests),
    TestDeviation = "test.deviation" @ p(Tests),
    TestAcceptDeviation = "test.accept_deviation" @ p(Tests),
    // archive
    ArchiveTimeline = "archive.timeline" @ p(Archive),
    ArchiveExport = "archive.export" @ p(Archive),
    ArchiveVerify = "archive.verify" @ p(Archive),
    ArchiveExportCsv = "archive.export_csv" @ p(Archive),
    ArchiveMore = "archive.more" @ p(Archive),
    ArchiveNextMatch = "archive.next_match" @ p(Archive),
    ArchivePrevMatch = "archive.prev_match" @ p(Archive),
    // reports
    ReportPeriod = "report.period" @ p(Reports),
    ReportPrevPeriod = "report.prev" @ p(Reports),
    ReportNextPeriod = "report.next" @ p(Reports),
    ReportExport = "report.export" @ p(Reports),
    ScheduleMore = "schedule.more" @ p(Schedule),
    ScheduleLess = "schedule.less" @ p(Schedule),
    // supervision (§5.1): orders, then (supervisors) confidential reports
    SupRespond = "supervision.respond" @ p(Supervision),
    SupExtend = "supervision.extend" @ p(Supervision),
    SupSendBack = "supervision.send_back" @ p(Supervision),
    SupClose = "supervision.close" @ p(Supervision),
    SupReopen = "supervision.reopen" @ p(Supervision),
    SupInvestigate = "supervision.investigate" @ p(Supervision),
    SupLink = "supervision.link" @ p(Supervision),
    SupToOrder = "supervision.to_order" @ p(Supervision),
    SupReply = "supervision.reply" @ p(Supervision),
    // templates of standard changes
    TemplateNew = "template.new" @ p(Templates),
    TemplateEdit = "template.edit" @ p(Templates),
    TemplateSubmit = "template.submit" @ p(Templates),
    TemplateApprove = "template.approve" @ p(Templates),
    TemplateReturn = "template.return" @ p(Templates),
    TemplateUse = "template.use" @ p(Templates),
    // attachments (issue 18 §1): on the record the detail shows
    QueueAttach = "queue.attach" @ p(Queue),
    QueueAttachmentSave = "queue.attachment_save" @ p(Queue),
    PlanAttach = "plan.attach" @ p(Plans),
    PlanAttachmentSave = "plan.attachment_save" @ p(Plans),
    ArchiveAttach = "archive.attach" @ p(Archive),
    ArchiveAttachmentSave = "archive.attachment_save" @ p(Archive),
    SupAttach = "supervision.attach" @ p(Supervision),
    SupAttachmentSave = "supervision.attachment_save" @ p(Supervision),
    RegisterToggle = "register.toggle" @ p(Register),
    MailSendNow = "mail.send" @ p(Register),
    RegisterAdd = "register.add" @ p(Register),
    RegisterEditEntry = "register.edit" @ p(Register),
    RegisterResolve = "register.resolve" @ p(Register),
    // forms
    FormsParked = "forms.parked" @ G,
    // demo: act as a demo person (`:as zhangwei`; issue 13 §7)
    ActAs = "as" @ G,
}

/// Commands run from the `:` palette only, bound to no key in the shipped
/// keymaps (a user's keymap may still bind them).
pub const PALETTE_ONLY: &[Action] = &[Action::ActAs];

impl Action {
    pub fn from_name(name: &str) -> Option<Action> {
        Action::ALL.iter().copied().find(|a| a.name() == name)
    }
    /// One line saying what the command does, in the user's language.
    pub fn describe(self) -> String {
        crate::i18n::t(&format!("tui.cmd.{}", self.name()), &[])
    }
    /// Does the command take an argument after its name in the palette
    /// (`:as zhangwei`)? Without one it asks for it in a prompt.
    pub fn takes_argument(self) -> bool {
        matches!(self, Action::ActAs)
    }
    /// Does the command apply when `pane` has focus?
    pub fn applies_in(self, pane: Pane) -> bool {
        match self.scope() {
            Scope::Global => true,
            Scope::Pane(p) => p == pane,
            Scope::Layer(_) => false,
        }
    }
    /// The step of the process the command takes on the current record, as the
    /// core names it in its offers (`workflow::plan_offers`, `request_offers`):
    /// the key is offered, and its prompt opened, only when the core offers it.
    pub fn step(self) -> Option<&'static str> {
        use Action::*;
        Some(match self {
            QueueTriaged => "request.triage",
            QueueAccept => "request.accept",
            QueueReject => "request.reject",
            QueueDuplicate => "request.duplicate",
            QueueJointReview => "request.joint_review",
            QueuePriority | QueueTag => "request.edit",
            QueueLink => "request.link",
            QueueFeedback => "request.feedback",
            QueueComment => "request.comment",
            QueueReopen => "request.reopen",
            QueueUnlink => "request.unlink",
            QueueReviewNew => "joint_review.new",
            QueueReviewDecide => "joint_review.decide",
            PlanLink => "request.link",
            PlanEdit => "plan.edit",
            PlanSubmit => "plan.submit",
            PlanApprove => "plan.approve",
            PlanReturn => "plan.return",
            PlanNotice => "plan.notice",
            PlanImplement => "plan.implement",
            PlanCancel => "plan.cancel",
            PlanReschedule => "plan.reschedule",
            PlanNoticeDraft => "plan.notice_draft",
            PlanMilestone => "plan.milestone",
            PlanTraining => "training.add",
            PlanCompare => "comparison.add",
            PlanFile => "plan.file",
            PlanIncident => "plan.incident",
            PlanFail => "plan.fail",
            PlanReview => "plan.review",
            TestPass | TestFail | TestBlocked => "test.result",
            TestWaive => "test.waive",
            TestNewRound => "test.round",
            TestAddItem => "test.item",
            TestBackup => "backup.confirm",
            TestGoLive => "golive.record",
            TestDefectUpdate => "test.defect_update",
            TestAcceptDefect => "test.defect_accept",
            TestDeviation => "golive.deviation",
            TestAcceptDeviation => "golive.deviation_accept",
            SupRespond => "order.respond",
            SupExtend => "order.extend",
            SupSendBack => "order.send_back",
            SupClose => "order.close",
            SupReopen => "order.reopen",
            SupInvestigate => "report.investigate",
            SupLink => "report.link",
            SupToOrder => "report.to_order",
            SupReply => "report.reply",
            TemplateEdit => "template.edit",
            TemplateSubmit => "template.submit",
            TemplateApprove => "template.approve",
            TemplateReturn => "template.return",
            TemplateUse => "template.use",
            _ => return None,
        })
    }
    /// The permission a command that needs no record asks for (a new record, an import).
    pub fn op(self) -> Option<crate::workflow::Op> {
        use crate::workflow::Op;
        use Action::*;
        Some(match self {
            QueueNew | QueueImport => Op::RequestAdd,
            PlanNew | TemplateNew => Op::PlanEdit,
            QueueAttach | PlanAttach | ArchiveAttach | SupAttach => Op::AttachmentAdd,
            RegisterAdd | RegisterEditEntry | RegisterResolve => Op::RegisterEdit,
            _ => return None,
        })
    }
}
