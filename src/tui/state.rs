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
    /// The request opened in the detail view.
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
    pub cursor: ListCursor,
    pub detail: Option<Plan>,
    /// The detail plan's gates, as the core answered them with the plan.
    pub detail_gates: Option<crate::workflow::Gates>,
    pub detail_scroll: Scroll,
    /// Open the editor when this plan arrives from the worker.
    pub edit_after_load: Option<Id>,
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
    pub detail: Option<DossierView>,
    pub detail_scroll: Scroll,
    pub integrity: Integrity,
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
}

/// A form: labelled fields, one focused.
#[derive(Debug)]
pub struct Form {
    pub kind: FormKind,
    pub title: String,
    pub fields: Vec<(String, Field)>,
    pub focus: usize,
    /// The record and revision the form edits, for conflict detection.
    pub target: Option<(Id, u64)>,
    /// A warning shown on a field (e.g. the window against the calendar).
    pub warnings: HashMap<usize, String>,
    /// Edited since it was opened: Esc asks before discarding.
    pub dirty: bool,
    /// Saving was refused because someone else changed the record meanwhile.
    pub conflict: bool,
}

#[derive(Debug)]
pub enum Popup {
    Help {
        scroll: usize,
    },
    Palette {
        input: Field,
        cursor: ListCursor,
    },
    Prompt {
        purpose: PromptFor,
        label: String,
        input: Field,
    },
    Confirm {
        message: String,
        job: Box<super::worker::Job>,
    },
    Form(Form),
    /// "Discard this edit?" over the form it would discard.
    DiscardForm(Form),
    /// Importing a file: a progress bar while it is read, then the preview to confirm.
    Import(ImportPopup),
    /// Text to read (notice preview, keymap issues); Enter/Esc close it.
    Message {
        title: String,
        text: String,
        scroll: usize,
    },
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
    pub popups: Vec<Popup>,
    /// A submitted form waiting for the worker's answer: reopened on failure.
    pub pending_form: Option<Form>,
    pub toasts: Vec<Toast>,
    pub loading: bool,
    /// A change was pushed while a load was in flight.
    pub stale: bool,
    pub quit: bool,
    pub theme: Theme,
    /// Rows of the list area at the last draw (for page up/down).
    pub page: Cell<usize>,
}

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
            popups: Vec::new(),
            pending_form: None,
            toasts: Vec::new(),
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
        self.toasts.push(Toast {
            text: text.into(),
            error,
            ttl: if error { 12 } else { 6 },
        });
        if self.toasts.len() > 2 {
            self.toasts.remove(0);
        }
    }

    /// The commands valid now, for the palette and the help: global ones and the focused pane's.
    pub fn commands(&self) -> Vec<Action> {
        Action::ALL
            .iter()
            .copied()
            .filter(|a| a.applies_in(self.pane))
            .collect()
    }
}
