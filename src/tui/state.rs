//! Everything the UI shows, in one value. `update` changes it; `ui` draws it.

use std::cell::Cell;
use std::collections::{BTreeSet, HashMap};

use super::action::{Action, Pane};
use super::input::Field;
use super::keymap::{Key, Keymap, KeymapIssue};
use crate::model::*;
use crate::service::{DossierView, Overview};

/// A selectable list: the selection, and the first row drawn (kept by the renderer).
#[derive(Debug, Default)]
pub struct ListCursor {
    pub selected: usize,
    pub offset: Cell<usize>,
}

impl ListCursor {
    pub fn clamp(&mut self, len: usize) {
        if len == 0 {
            self.selected = 0;
        } else if self.selected >= len {
            self.selected = len - 1;
        }
    }
    pub fn step(&mut self, delta: isize, len: usize) {
        if len == 0 {
            return;
        }
        let s = self.selected as isize + delta;
        self.selected = s.clamp(0, len as isize - 1) as usize;
    }
    /// The first visible row so that the selection is on screen, sticky between frames.
    pub fn visible_offset(&self, height: usize) -> usize {
        let mut off = self.offset.get();
        if height == 0 {
            return off;
        }
        if self.selected < off {
            off = self.selected;
        } else if self.selected >= off + height {
            off = self.selected + 1 - height;
        }
        self.offset.set(off);
        off
    }
}

/// The attention view (pane 0): what needs someone now, as the core's
/// `Query::Attention` last answered (issue 17 §1).
#[derive(Debug, Default)]
pub struct AttentionState {
    /// `None` until the first answer.
    pub list: Option<crate::service::Attention>,
    pub cursor: ListCursor,
    /// Open the view when the list comes back with items: set as the UI
    /// starts, dropped by the first key (the user has gone their own way) and
    /// by the first answer.
    pub open_when_loaded: bool,
}

impl AttentionState {
    /// How many items there are (0 until loaded).
    pub fn count(&self) -> usize {
        self.list.as_ref().map_or(0, |l| l.items.len())
    }

    pub fn selected(&self) -> Option<&crate::workflow::AttentionItem> {
        self.list.as_ref()?.items.get(self.cursor.selected)
    }
}

/// The scroll position of a detail view, clamped to what the last draw showed.
#[derive(Debug, Default)]
pub struct Scroll {
    pub pos: usize,
    /// The largest useful position, set by the renderer.
    pub max: Cell<usize>,
}

impl Scroll {
    pub fn step(&mut self, d: isize) {
        let max = self.max.get() as isize;
        self.pos = (self.pos as isize + d).clamp(0, max.max(0)) as usize;
    }
    /// The first line to draw for `len` lines in `height` rows; records the maximum.
    pub fn first(&self, len: usize, height: usize) -> usize {
        let max = len.saturating_sub(height);
        self.max.set(max);
        self.pos.min(max)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum QueueSort {
    #[default]
    Newest,
    Oldest,
    Priority,
    Status,
}

impl QueueSort {
    /// Its name in the locale (`tui.sort.<name>`).
    pub fn name(self) -> &'static str {
        match self {
            QueueSort::Newest => "newest",
            QueueSort::Oldest => "oldest",
            QueueSort::Priority => "priority",
            QueueSort::Status => "status",
        }
    }
}

#[derive(Debug, Default)]
pub struct QueueState {
    pub all: Vec<RequestSummary>,
    /// While only the first screen is loaded (`all` holds the newest requests):
    /// how many requests there are in all.
    pub partial: Option<usize>,
    /// Indices into `all` after filter and sort.
    pub visible: Vec<usize>,
    pub filter: Field,
    pub filtering: bool,
    pub sort: QueueSort,
    pub cursor: ListCursor,
    pub marked: BTreeSet<Id>,
    /// The detail view is open (it shows the selected request).
    pub open: bool,
    /// The request whose detail is being loaded.
    pub loading: Option<Id>,
    /// The selected request, as last loaded for the detail view.
    pub detail: Option<Request>,
    pub detail_scroll: Scroll,
    /// Saved filters, recalled with F1–F4 style keys through the palette.
    pub views: Vec<String>,
    /// What the filter keeps between keystrokes (see [`super::filter::Cache`]).
    pub filter_cache: super::filter::Cache,
}

#[derive(Debug, Default)]
pub struct PlansState {
    pub all: Vec<PlanSummary>,
    /// Indices into `all` that the filter keeps, in list order.
    pub visible: Vec<usize>,
    pub filter: Field,
    pub filtering: bool,
    pub cursor: ListCursor,
    /// The selected plan, as last loaded (the detail always shows it).
    pub detail: Option<Plan>,
    /// The plan being loaded for the detail.
    pub loading: Option<Id>,
    /// The detail plan's gates, as the core answered them with the plan.
    pub detail_gates: Option<crate::workflow::Gates>,
    pub detail_scroll: Scroll,
    /// Open the editor when this plan arrives from the worker.
    pub edit_after_load: Option<Id>,
    /// Open this form on the plan when it arrives (a key pressed while it loaded).
    pub form_after_load: Option<(Id, FormKind)>,
    /// Only emergency changes (`E`): the list for the supervision group.
    pub emergency_only: bool,
}

/// The schedule pane (§3.2): the open plans' windows by week, computed from the
/// lists as loaded by `workflow::forward::schedule`.
#[derive(Debug)]
pub struct ScheduleState {
    /// The day the schedule starts from (its week's Monday); `None`: today.
    pub today: Option<chrono::NaiveDate>,
    pub weeks: u32,
    /// Over the windows shown, in order.
    pub cursor: ListCursor,
}

impl Default for ScheduleState {
    fn default() -> ScheduleState {
        ScheduleState {
            today: None,
            weeks: 6,
            cursor: ListCursor::default(),
        }
    }
}

/// The lists of the register pane (8), in the order `t` cycles them.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub enum RegisterView {
    /// The register's people, departments and vendors.
    #[default]
    Register,
    /// The mail outbox with each message's delivery state.
    Outbox,
    /// The names written in the records that the register does not settle.
    Names,
}

/// The register pane (8): the register's people, departments and vendors,
/// the mail outbox, or the names to resolve, switched with a key.
#[derive(Debug, Default)]
pub struct RegisterState {
    pub register: crate::model::Register,
    /// The outbox, newest first, or why the user may not read it.
    pub outbox: Option<std::result::Result<Vec<crate::model::MailMessage>, String>>,
    /// Which list the pane shows (`t` cycles them).
    pub view: RegisterView,
    /// The names written in the records that the register does not settle
    /// (issue 18 §3, `beian people resolve`), or why they could not be read;
    /// read when the names view is shown.
    pub names: Option<std::result::Result<Vec<crate::workflow::people::Unresolved>, String>>,
    pub names_loading: bool,
    pub cursor: ListCursor,
    pub loading: bool,
    /// A message to select once the outbox is read (from the attention view).
    pub select: Option<crate::model::Id>,
}

/// The templates pane: templates of standard changes and the selected one.
#[derive(Debug, Default)]
pub struct TemplatesState {
    /// Newest first.
    pub all: Vec<TemplateSummary>,
    pub cursor: ListCursor,
    /// The selected template, as last loaded, with the steps the core offers on it.
    pub detail: Option<Template>,
    pub offers: Option<crate::workflow::Offers>,
    pub loading: Option<Id>,
    pub detail_scroll: Scroll,
    /// Open the editor when this template arrives.
    pub form_after_load: Option<(Id, FormKind)>,
}

#[derive(Debug, Default)]
pub struct TestsState {
    /// The plan whose tests are shown (the plan selected in the plans pane).
    pub plan: Option<Plan>,
    /// Its gates, as the core answered them with the plan.
    pub gates: Option<crate::workflow::Gates>,
    pub cursor: ListCursor,
}

#[derive(Debug, Default)]
pub struct ArchiveState {
    pub all: Vec<DossierSummary>,
    /// The search result (None: no query, show all).
    pub hits: Option<Vec<DossierSummary>>,
    pub query: Field,
    pub searching: bool,
    pub search_seq: u64,
    /// A system timeline: dossiers of one system in the last `days` days.
    pub timeline: Option<(Id, i64)>,
    pub cursor: ListCursor,
    /// The detail view is open (it shows the selected dossier).
    pub open: bool,
    pub loading: Option<Id>,
    pub detail: Option<DossierView>,
    pub detail_scroll: Scroll,
    pub integrity: Integrity,
    /// The user asked for the check (its answer is then also a toast).
    pub verify_asked: bool,
    /// The ranked answer of the current search, with snippets (pages appended
    /// by `]`); `hits` holds its dossiers for the selection.
    pub answer: Option<crate::search::archive::SearchAnswer>,
    /// The timeline of `timeline`: go-lives filed or not, rollbacks, incidents,
    /// implementations under way (`Query::Changes`). Never combined with a search.
    pub changes: Option<Vec<crate::service::Change>>,
    /// The width the dossier view was last drawn at (for `n`/`N`).
    pub detail_width: Cell<usize>,
}

/// What the last check of the hash chain found (shown on the archive pane).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Integrity {
    #[default]
    Checking,
    Intact(crate::store::chain::VerifyReport),
    Broken(crate::store::chain::VerifyReport),
    /// The check itself failed (no permission, storage error).
    Unknown(String),
}

impl ArchiveState {
    pub fn shown(&self) -> &[DossierSummary] {
        self.hits.as_deref().unwrap_or(&self.all)
    }

    /// How many rows the list shows (the timeline's changes, or dossiers).
    pub fn len(&self) -> usize {
        match &self.changes {
            Some(c) => c.len(),
            None => self.shown().len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The dossier of the selected row (a change not yet filed has none).
    pub fn selected_dossier(&self) -> Option<Id> {
        match &self.changes {
            Some(c) => c.get(self.cursor.selected).and_then(|c| c.dossier),
            None => self.shown().get(self.cursor.selected).map(|d| d.id),
        }
    }
}

/// The reports pane: the evaluation of the days `from..=to`, as the worker last computed it.
#[derive(Debug)]
pub struct ReportsState {
    pub from: chrono::NaiveDate,
    pub to: chrono::NaiveDate,
    /// The last report that came back (possibly of another period while one loads).
    pub report: Option<crate::report::Report>,
    pub scroll: Scroll,
    /// A report for `from..=to` has been asked for and not come back yet.
    pub loading: bool,
}

impl Default for ReportsState {
    /// The last 90 days, ending today (about a semester).
    fn default() -> ReportsState {
        let to = chrono::Local::now().date_naive();
        ReportsState {
            from: to - chrono::Duration::days(89),
            to,
            report: None,
            scroll: Scroll::default(),
            loading: false,
        }
    }
}

/// The supervision pane (§5.1): the rectification orders, then — for a
/// supervisor — the confidential reports, one list; the detail shows the
/// selected one.
#[derive(Debug, Default)]
pub struct SupervisionState {
    pub orders: Vec<RectificationOrder>,
    /// `None` until loaded, and for users who may not read reports.
    pub reports: Option<Vec<ConfidentialReport>>,
    pub cursor: ListCursor,
    pub detail_scroll: Scroll,
    /// Lists asked for and not come back yet.
    pub loading: bool,
    /// The next load reads the orders only (someone else's change that
    /// concerns no report: the reports shown stay).
    pub skip_reports: bool,
}

/// The files attached to the record whose detail is shown (issue 18 §1), as
/// the core last listed them.
#[derive(Debug, Default)]
pub struct AttachmentsState {
    /// The record they were listed for.
    pub of: Option<Id>,
    pub list: Vec<AttachmentEntry>,
    /// The record whose list is being asked for.
    pub loading: Option<Id>,
}

impl Default for Field {
    fn default() -> Field {
        Field::new("", false)
    }
}

/// What a one-line prompt is for; Enter sends its text there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PromptFor {
    Reject(Vec<Id>),
    Duplicate(Vec<Id>),
    Tag(Vec<Id>),
    Priority(Vec<Id>),
    Link(Vec<Id>),
    /// Withdraw the latest decision on these requests, with this reason.
    ReopenRequests(Vec<Id>),
    /// Take these requests off their plans, with this reason.
    UnlinkRequests(Vec<Id>),
    Comment(Id),
    ReturnPlan(Id),
    Approve {
        plan: Id,
        rev: u64,
    },
    CancelPlan(Id),
    Waive {
        plan: Id,
        item: u32,
    },
    /// The test environment of a new round.
    Round(Id),
    /// An approver's reason for accepting the plan's recorded deviation.
    AcceptDeviation(Id),
    Timeline,
    ReportPeriod,
    /// A file to import (`beian import FILE`).
    Import,
    /// The demo person to act as (`:as`).
    ActAs,
    /// A supervisor's reason for sending an order's response back.
    SendBack {
        order: Id,
        rev: u64,
    },
    /// A supervisor's reason for reopening a closed order.
    ReopenOrder {
        order: Id,
        rev: u64,
    },
    /// Investigation notes on a confidential report.
    Investigate {
        report: Id,
        rev: u64,
    },
    /// The plan a confidential report concerns.
    LinkReport {
        report: Id,
        rev: u64,
    },
    /// What the reporter is told; the report is then closed.
    ReplyReport {
        report: Id,
        rev: u64,
    },
    /// Why a plan that went live is closed as failed.
    FailPlan(Id),
    /// The live or filed plan the requests are post-update feedback on.
    Feedback(Vec<Id>),
    /// The minutes reference of a template's approval.
    ApproveTemplate {
        template: Id,
        rev: u64,
    },
    ReturnTemplate(Id),
    /// The path of a file to attach to this record (issue 18 §1); Tab completes it.
    AttachPath(Id),
    /// The kind of the file at `path`, chosen from the list the prompt shows.
    AttachKind {
        entity: Id,
        path: std::path::PathBuf,
    },
    /// Which attached file of this record to save out (its name or `#N`).
    SaveAttachment(Id),
    /// Where to save the attached file `name` of `entity`.
    SaveAttachmentTo {
        entity: Id,
        name: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FormKind {
    NewRequest,
    NewPlan,
    EditPlan,
    Defect,
    Backup,
    GoLive,
    TestItem,
    Training,
    Comparison,
    DefectUpdate,
    /// A request's necessity and feasibility analysis, then its acceptance (§3.1).
    AcceptRequest,
    /// An approver accepts the risk of a critical/major defect.
    AcceptDefect,
    /// A go-live time outside the window, and why.
    Deviation,
    /// A new window for an approved or announced plan, and why.
    Reschedule,
    /// The notice as a document: its fields, language and text.
    NoticeDraft,
    /// Test start, the fixed go-live time, planned training.
    Milestones,
    /// A department's response to a rectification order.
    RespondOrder,
    /// A new deadline for a rectification order, and why.
    ExtendOrder,
    /// A confidential report turned into a rectification order.
    ReportToOrder,
    /// A joint review meeting (专题研讨) of requests (§3.1).
    JointReview,
    /// The position a joint review reached.
    JointDecide,
    /// A rollback or serious incident after go-live (§3.4).
    Incident,
    /// The post-implementation review (§4.3).
    Review,
    /// A template of standard changes.
    NewTemplate,
    EditTemplate,
    /// A person, department or vendor of the register (issue 17 §3): new ones
    /// (the first field chooses which), and an edit of one.
    NewPerson,
    EditPerson,
    NewDepartment,
    EditDepartment,
    NewVendor,
    EditVendor,
    /// The register record a name written in the records names (issue 18 §3);
    /// the name is the form's `subject`.
    ResolveName,
}

/// A form: named fields, one focused (see [`super::update::forms`], which
/// describes each kind once and reads and writes the fields by name).
#[derive(Debug)]
pub struct Form {
    pub kind: FormKind,
    pub title: String,
    pub fields: Vec<super::update::forms::FormField>,
    pub focus: usize,
    /// The record and revision the form edits, for conflict detection.
    pub target: Option<(Id, u64)>,
    /// The plan as the editor found it (its system, how many risk and staff rows
    /// it had), so that saving replaces those rows even when the form was parked
    /// or restored while another plan is open.
    pub plan: Option<PlanBase>,
    /// A warning shown on a field, by field name (the window against the calendar).
    pub warnings: HashMap<&'static str, String>,
    /// Edited since it was opened: Esc asks before discarding.
    pub dirty: bool,
    /// Saving was refused because someone else changed the record meanwhile.
    pub conflict: bool,
    /// When it was parked (kept aside to be finished later), if it was.
    pub parked_at: Option<Time>,
    /// What the form is about when that is no record: the name a
    /// [`FormKind::ResolveName`] form resolves, exactly as written.
    pub subject: Option<String>,
}

/// What the plan editor needs to know of the plan it edits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PlanBase {
    pub system: Id,
    pub risks: usize,
    pub staff: usize,
}

#[derive(Debug)]
pub enum Popup {
    Help {
        scroll: usize,
    },
    Palette {
        input: Field,
        cursor: ListCursor,
        /// What it lists, with the pinyin of each, built when it opened.
        list: super::update::popups::PaletteList,
    },
    Prompt {
        purpose: PromptFor,
        label: String,
        input: Field,
    },
    Confirm {
        message: String,
        then: Confirmed,
    },
    Form(Form),
    /// The parked forms (`State::parked`), to reopen one or discard it.
    Parked {
        cursor: ListCursor,
        /// `d` was pressed: the next key confirms (`y`) or keeps it.
        confirm: bool,
    },
    /// "Discard this edit?" over the form it would discard.
    DiscardForm(Form),
    /// Importing a file: a progress bar while it is read, then the preview to confirm.
    Import(ImportPopup),
    /// Link requests to a plan from the plans pane: a list to pick from.
    LinkPicker(LinkPicker),
    /// Text to read (notice preview, keymap issues); Enter/Esc close it.
    Message {
        title: String,
        text: String,
        scroll: usize,
    },
}

/// Picking the requests to link to a plan (the plans pane's `plan.link`):
/// the requests not yet planned or decided otherwise, filtered as typed
/// (fuzzy), several marked with Tab; Enter links the marked ones (or the one
/// under the cursor).
#[derive(Debug)]
pub struct LinkPicker {
    pub plan: Id,
    /// The plan's system: its requests come first.
    pub system: Id,
    /// How the popup names the plan: id and title.
    pub label: String,
    pub query: Field,
    pub cursor: ListCursor,
    /// Marked requests, in the order marked.
    pub marked: Vec<Id>,
}

/// The last change this user made that the core can invert (`u`): the inverse
/// commands, each expecting the revision the change left, so that an undo
/// after someone else changed the record is refused as a conflict.
#[derive(Debug, Clone)]
pub struct UndoEntry {
    /// What the toast said when it was done (with the records).
    pub label: String,
    pub cmds: Vec<(crate::service::Command, Option<u64>)>,
}

/// What a confirmation does when the answer is yes.
#[derive(Debug)]
pub enum Confirmed {
    Job(Box<super::worker::Job>),
    /// Quit, dropping the forms being edited.
    Quit,
}

/// Which part of a pane takes the keys: its list, or the detail of the selected record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Focus {
    #[default]
    List,
    Detail,
}

/// The record an action acts on, as the screen shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown {
    /// The records (several when requests are marked).
    pub ids: Vec<Id>,
    /// A test item of the plan, in the tests pane.
    pub item: Option<u32>,
}

/// The import popup: the file, how much of it has been read, and (once read) the preview.
#[derive(Debug)]
pub struct ImportPopup {
    pub path: std::path::PathBuf,
    pub done_bytes: u64,
    pub total_bytes: u64,
    /// Records read so far.
    pub rows: usize,
    /// Writing (after `y`), not reading for the preview.
    pub writing: bool,
    pub preview: Option<Box<super::worker::ImportPreview>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toast {
    pub text: String,
    pub error: bool,
    pub ttl: u8,
}

/// Colours and borders (NO_COLOR and ASCII borders respected).
#[derive(Debug, Clone, Copy, Default)]
pub struct Theme {
    pub no_color: bool,
    pub ascii: bool,
}

#[derive(Debug)]
pub struct State {
    pub pane: Pane,
    /// Who acts: the user, or the demo person they act as (`:as`).
    pub user: String,
    pub roles: Vec<Role>,
    /// The real user while acting as a demo person (the status bar says "(as)").
    pub via: Option<String>,
    pub location: String,
    pub keymap: Keymap,
    pub keymap_issues: Vec<KeymapIssue>,
    pub pending_keys: Vec<Key>,
    pub systems: Vec<System>,
    pub overview: Overview,
    pub calendar: Vec<Blackout>,
    pub queue: QueueState,
    pub plans: PlansState,
    pub tests: TestsState,
    pub archive: ArchiveState,
    pub reports: ReportsState,
    pub supervision: SupervisionState,
    pub templates: TemplatesState,
    pub schedule: ScheduleState,
    pub register: RegisterState,
    pub attention: AttentionState,
    /// The files attached to the record the detail shows.
    pub attachments: AttachmentsState,
    pub popups: Vec<Popup>,
    /// A submitted form waiting for the worker's answer: reopened on failure.
    pub pending_form: Option<Form>,
    /// Half-filled forms kept aside (F2 in a form), oldest first; saved as drafts.
    pub parked: Vec<Form>,
    /// Where the focused field of the form on top was drawn (with its choices),
    /// so that toasts are drawn elsewhere. Set by the renderer.
    pub form_focus: Cell<Option<ratatui::layout::Rect>>,
    pub toasts: Vec<Toast>,
    /// The last toasts, oldest first (`:messages`).
    pub messages: std::collections::VecDeque<Toast>,
    /// Which part of the pane takes the keys.
    pub focus: Focus,
    /// The size of the last frame drawn: while it showed the "too small" screen,
    /// keys do nothing (what the user saw, not a resize event that may lag the keys).
    pub screen: Cell<(u16, u16)>,
    /// The last change that `u` can undo.
    pub undo: Option<UndoEntry>,
    /// Changes sent and not yet answered, with their inverse (see [`UndoEntry`]).
    pub undo_pending: Option<UndoEntry>,
    /// A record just created, selected when the lists come back with it.
    pub select_after_load: Option<Id>,
    /// Where exports are written (`[tui] export_dir`, else the working directory).
    pub export_dir: Option<std::path::PathBuf>,
    pub loading: bool,
    /// A change was pushed while a load was in flight.
    pub stale: bool,
    pub quit: bool,
    pub theme: Theme,
    /// Rows of the list area at the last draw (for page up/down).
    pub page: Cell<usize>,
}

/// How many toasts `:messages` keeps.
pub const MESSAGES: usize = 50;

impl State {
    pub fn new(user: String, roles: Vec<Role>, location: String, keymap: Keymap, issues: Vec<KeymapIssue>) -> State {
        let mut s = State {
            pane: Pane::Queue,
            user,
            roles,
            via: None,
            location,
            keymap,
            keymap_issues: issues,
            pending_keys: Vec::new(),
            systems: Vec::new(),
            overview: Overview::default(),
            calendar: Vec::new(),
            queue: QueueState::default(),
            plans: PlansState::default(),
            tests: TestsState::default(),
            archive: ArchiveState::default(),
            reports: ReportsState::default(),
            supervision: SupervisionState::default(),
            templates: TemplatesState::default(),
            schedule: ScheduleState::default(),
            register: RegisterState::default(),
            attention: AttentionState::default(),
            attachments: AttachmentsState::default(),
            popups: Vec::new(),
            pending_form: None,
            parked: Vec::new(),
            form_focus: Cell::new(None),
            toasts: Vec::new(),
            messages: Default::default(),
            focus: Focus::List,
            screen: Cell::new((super::ui::MIN_WIDTH, super::ui::MIN_HEIGHT)),
            export_dir: None,
            select_after_load: None,
            undo: None,
            undo_pending: None,
            loading: true,
            stale: false,
            quit: false,
            theme: Theme::default(),
            page: Cell::new(10),
        };
        s.set_placeholders();
        s
    }

    /// Hints shown in empty search fields.
    pub fn set_placeholders(&mut self) {
        self.queue
            .filter
            .area
            .set_placeholder_text(crate::i18n::t("tui.filter.placeholder", &[]));
        self.archive
            .query
            .area
            .set_placeholder_text(crate::i18n::t("tui.archive.placeholder", &[]));
    }

    pub fn system_name(&self, id: Option<Id>) -> String {
        id.and_then(|id| self.systems.iter().find(|s| s.id == id))
            .map(|s| s.name.clone())
            .unwrap_or_default()
    }

    pub fn toast(&mut self, text: impl Into<String>, error: bool) {
        let toast = Toast {
            text: text.into(),
            error,
            ttl: if error { 12 } else { 6 },
        };
        self.messages.push_back(toast.clone());
        while self.messages.len() > MESSAGES {
            self.messages.pop_front();
        }
        self.toasts.push(toast);
        if self.toasts.len() > 2 {
            self.toasts.remove(0);
        }
    }

    /// The commands of every pane and the global ones (not the popups' own), for the palette.
    pub fn commands(&self) -> Vec<Action> {
        Action::ALL
            .iter()
            .copied()
            .filter(|a| !matches!(a.scope(), super::action::Scope::Layer(_)))
            .collect()
    }

    /// Is the terminal too small to draw the panes (keys then do nothing)?
    pub fn too_small(&self) -> bool {
        let (w, h) = self.screen.get();
        w < super::ui::MIN_WIDTH || h < super::ui::MIN_HEIGHT
    }

    /// What the screen shows as the current record of the pane: what an action
    /// started now would act on. The tests of the UI compare every job sent
    /// with this.
    pub fn shown(&self) -> Option<Shown> {
        use super::action::Pane;
        // Linking from the plan editor: the plan, and the requests marked in
        // the picker (or the one under its cursor).
        if let Some(Popup::LinkPicker(p)) = self.popups.last() {
            let mut ids = vec![p.plan];
            if p.marked.is_empty() {
                let rows = super::update::link::candidates(self, p);
                ids.extend(rows.get(p.cursor.selected).map(|&i| self.queue.all[i].id));
            } else {
                ids.extend(p.marked.iter().copied());
            }
            return Some(Shown { ids, item: None });
        }
        match self.pane {
            Pane::Queue => {
                let ids: Vec<Id> = if self.queue.marked.is_empty() {
                    super::update::queue::selected(self).map(|r| r.id).into_iter().collect()
                } else {
                    self.queue
                        .all
                        .iter()
                        .filter(|r| self.queue.marked.contains(&r.id))
                        .map(|r| r.id)
                        .collect()
                };
                (!ids.is_empty()).then_some(Shown { ids, item: None })
            }
            Pane::Plans => super::update::plans::selected(self).map(|p| Shown {
                ids: vec![p.id],
                item: None,
            }),
            Pane::Tests => self.tests.plan.as_ref().map(|p| Shown {
                ids: vec![p.id],
                item: super::update::tests::selected_item(self),
            }),
            Pane::Archive => self.archive.selected_dossier().map(|id| Shown {
                ids: vec![id],
                item: None,
            }),
            Pane::Reports | Pane::Schedule => None,
            Pane::Supervision => super::update::supervision::selected(self).map(|row| Shown {
                ids: vec![row.id()],
                item: None,
            }),
            Pane::Templates => super::update::templates::selected(self).map(|x| Shown {
                ids: vec![x.id],
                item: None,
            }),
            Pane::Register => super::update::register::selected(self).map(|id| Shown {
                ids: vec![id],
                item: None,
            }),
            Pane::Attention => self.attention.selected().map(|i| Shown {
                ids: vec![i.record],
                item: None,
            }),
        }
    }
}
