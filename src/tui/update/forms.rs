//! Forms: new request, new plan, the plan editor, defect, backup, go-live, test
//! item, training, comparison, defect update, the accept form, deviation, and
//! after go-live the incident and the review.
//!
//! Each kind is described once, as a list of named fields with a kind and a label
//! ([`spec`]); everything else — the defaults, the live checks, the command a form
//! becomes, the draft it is saved as — reads and writes fields by name. A choice
//! field is a [`Picker`] over the values of a model enum (in the user's language,
//! found by either language, the code or an alias), yes/no, or the systems; its
//! value is the code. Errors name a field by its label.
//!
//! Submitting turns a form into one command (the plan editor into one atomic
//! `PlanEdit`), checked by the core like any other. Every change is saved as a
//! draft. `F2` (or `ctrl-o`) parks a form — keeps it aside, saved, to finish later
//! — and the `forms.parked` command lists the parked forms to reopen or discard.

use std::collections::BTreeMap;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::super::drafts::{Draft, Focus, FormDraft, Values};
use super::super::input::{Choice, Edit, Field, Picker};
use super::super::state::*;
use super::super::worker::Job;
use super::Effect;
use crate::error::Error;
use crate::i18n::t;
use crate::model::*;
use crate::service::{Command, NewRequest};
use crate::workflow::PlanChange;

// ---------------------------------------------------------------------------
// The description of each form

macro_rules! enum_types {
    ($($t:ident),+ $(,)?) => {
        /// The model enums a choice field can hold.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum EnumType { $($t),+ }
        impl EnumType {
            /// The type's name, as the locale's `enum.TYPE.code` labels name it.
            pub fn name(self) -> &'static str {
                match self { $(EnumType::$t => stringify!($t)),+ }
            }
            /// Its values' codes, in the model's order.
            pub fn codes(self) -> Vec<&'static str> {
                match self { $(EnumType::$t => crate::model::$t::ALL.iter().map(|x| x.as_str()).collect()),+ }
            }
        }
    };
}

enum_types!(
    RequestKind,
    SubmitterType,
    Channel,
    Priority,
    Severity,
    TesterType,
    GoLiveOutcome,
    TrainingFormat,
    DefectStatus,
    TestCategory,
    Level,
    ChangeType,
    IncidentOutcome,
    GoalVerdict,
    NoticeLanguage,
    ChangeClass,
);

/// What a choice field chooses from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choices {
    Enum(EnumType),
    /// Yes, no, or not answered yet.
    YesNo,
    /// One of the systems; `optional` offers "none" too.
    System {
        optional: bool,
    },
    /// What a new record of the register is: a person, a department or a vendor.
    Entry,
    /// The language of a person's mail: the default, zh-CN or en.
    MailLang,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    Text,
    /// Several lines (alt-enter breaks a line).
    Multiline,
    Choice(Choices),
    /// `YYYY-MM-DD HH:MM`.
    Time,
    /// `YYYY-MM-DD`.
    Date,
    /// A whole number (`#3` and `D3` are read as 3).
    Number,
}

/// One field of a form kind: its name (what the code reads and drafts store),
/// its kind, its label and an optional hint (locale keys).
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    pub name: &'static str,
    pub label: &'static str,
    pub kind: FieldKind,
    pub hint: Option<&'static str>,
}

const fn field(name: &'static str, label: &'static str, kind: FieldKind) -> Spec {
    Spec {
        name,
        label,
        kind,
        hint: None,
    }
}

impl Spec {
    const fn hint(self, hint: &'static str) -> Spec {
        Spec {
            hint: Some(hint),
            ..self
        }
    }
}

use Choices::{Entry, Enum, MailLang, System as Systems, YesNo};
use EnumType as E;
use FieldKind::{Choice as Pick, Date, Multiline, Number, Text, Time as When};

const NEW_REQUEST: &[Spec] = &[
    field("title", "tui.f.title", Text),
    field("body", "tui.f.body", Multiline),
    field("kind", "tui.f.kind", Pick(Enum(E::RequestKind))),
    field("system", "tui.f.system", Pick(Systems { optional: true })),
    field("submitter", "tui.f.submitter", Text),
    field("submitter_type", "tui.f.submitter_type", Pick(Enum(E::SubmitterType))),
    field("contact", "tui.f.contact", Text),
    field("department", "tui.f.department", Text),
    field("channel", "tui.f.channel", Pick(Enum(E::Channel))),
    field("priority", "tui.f.priority", Pick(Enum(E::Priority))),
    field("tags", "tui.f.tags", Text).hint("tui.hint.tags"),
];

const NEW_PLAN: &[Spec] = &[
    field("system", "tui.f.system", Pick(Systems { optional: false })),
    field("title", "tui.f.title", Text),
    field("version_to", "tui.f.version_to", Text),
    field("class", "tui.f.class", Pick(Enum(E::ChangeClass))).hint("tui.hint.class"),
    field("template", "tui.f.template", Text).hint("tui.hint.template"),
];

const EDIT_PLAN: &[Spec] = &[
    field("title", "tui.f.title", Text),
    field("version_to", "tui.f.version_to", Text),
    field("goals", "tui.f.goals", Multiline),
    field("content", "tui.f.content", Multiline),
    field("approach", "tui.f.approach", Multiline),
    field("window_start", "tui.f.window_start", When),
    field("window_end", "tui.f.window_end", When),
    field("override", "tui.f.override", Text).hint("tui.hint.override"),
    field("backup_plan", "tui.f.backup_plan", Multiline),
    field("migration_plan", "tui.f.migration_plan", Multiline),
    field("rollback_plan", "tui.f.rollback_plan", Multiline),
    field("risks", "tui.f.risks", Multiline).hint("tui.hint.risks"),
    field("staff", "tui.f.staff", Multiline).hint("tui.hint.staff"),
    field("migrates_data", "tui.f.migrates_data", Pick(YesNo)),
    field("class", "tui.f.class", Pick(Enum(E::ChangeClass))).hint("tui.hint.class"),
    field("emergency_reason", "tui.f.emergency_reason", Multiline).hint("tui.hint.emergency_reason"),
];

const NEW_TEMPLATE: &[Spec] = &[
    field("system", "tui.f.system", Pick(Systems { optional: false })),
    field("title", "tui.f.title", Text),
    field("content", "tui.f.content", Multiline),
    field("approach", "tui.f.template_steps", Multiline),
    field("items", "tui.f.template_items", Multiline).hint("tui.hint.template_items"),
];

const EDIT_TEMPLATE: &[Spec] = &[
    field("title", "tui.f.title", Text),
    field("content", "tui.f.content", Multiline),
    field("approach", "tui.f.template_steps", Multiline),
    field("items", "tui.f.template_items", Multiline).hint("tui.hint.template_items"),
];

const DEFECT: &[Spec] = &[
    field("severity", "tui.f.severity", Pick(Enum(E::Severity))),
    field("description", "tui.f.description", Multiline),
    field("found_by", "tui.f.found_by", Text),
    field("tester_type", "tui.f.tester_type", Pick(Enum(E::TesterType))),
    field("item", "tui.f.item", Number),
    field("vendor_ref", "tui.f.vendor_ref", Text),
];

const BACKUP: &[Spec] = &[
    field("what", "tui.f.backup_what", Text),
    field("location", "tui.f.backup_location", Text),
    field("size", "tui.f.backup_size", Text),
    field("checksum", "tui.f.checksum", Text),
    field("verified_by", "tui.f.verified_by", Text),
];

const GO_LIVE: &[Spec] = &[
    field("time", "tui.f.time", When),
    field("deployer", "tui.f.deployer", Text),
    field("version", "tui.f.version", Text),
    field("outcome", "tui.f.outcome", Pick(Enum(E::GoLiveOutcome))),
    field("steps", "tui.f.steps", Multiline),
    field("config_changes", "tui.f.config_changes", Multiline),
    field("incidents", "tui.f.incidents", Multiline),
];

const TRAINING: &[Spec] = &[
    field("format", "tui.f.training_format", Pick(Enum(E::TrainingFormat))),
    field("date", "tui.f.date", Date),
    field("trainer", "tui.f.trainer", Text),
    field("departments", "tui.f.departments", Text).hint("tui.hint.departments"),
    field("attendance", "tui.f.attendance", Number),
    field("audience", "tui.f.audience", Text).hint("tui.hint.audience"),
];

const COMPARISON: &[Spec] = &[field("rows", "tui.f.comparison", Multiline).hint("tui.hint.comparison")];

const DEFECT_UPDATE: &[Spec] = &[
    field("defect", "tui.f.defect", Number).hint("tui.hint.defect"),
    field("status", "tui.f.defect_status", Pick(Enum(E::DefectStatus))),
    field("vendor_ref", "tui.f.vendor_ref", Text),
];

const ACCEPT_REQUEST: &[Spec] = &[
    field("necessity", "tui.f.necessity", Multiline),
    field("feasibility", "tui.f.feasibility", Multiline),
];

const ACCEPT_DEFECT: &[Spec] = &[
    field("defect", "tui.f.defect", Number).hint("tui.hint.defect"),
    field("reason", "tui.f.reason", Multiline),
];

const DEVIATION: &[Spec] = &[
    field("time", "tui.f.time", When),
    field("reason", "tui.f.reason", Multiline),
];

const INCIDENT: &[Spec] = &[
    field("outcome", "tui.f.incident_outcome", Pick(Enum(E::IncidentOutcome))),
    field("time", "tui.f.time", When),
    field("by", "tui.f.incident_by", Text),
    field("what", "tui.f.incident_what", Multiline),
];

const REVIEW: &[Spec] = &[
    field("goals", "tui.f.review_goals", Multiline).hint("tui.hint.review_goals"),
    field("summary", "tui.f.review_summary", Multiline),
];

const RESCHEDULE: &[Spec] = &[
    field("window_start", "tui.f.window_start", When),
    field("window_end", "tui.f.window_end", When),
    field("reason", "tui.f.reason", Multiline),
    field("override", "tui.f.override", Text).hint("tui.hint.override"),
];

const NOTICE_DRAFT: &[Spec] = &[
    field("language", "tui.f.notice_language", Pick(Enum(E::NoticeLanguage))),
    field("services", "enum.NoticeField.services", Multiline),
    field("user_groups", "enum.NoticeField.user_groups", Text),
    field("impact", "enum.NoticeField.impact", Multiline),
    field("user_action", "enum.NoticeField.user_action", Multiline),
    field("contact", "enum.NoticeField.contact", Text),
    field("students", "enum.NoticeField.student_arrangements", Multiline).hint("tui.hint.notice_students"),
    field("text", "tui.f.notice_text", Multiline).hint("tui.hint.notice_text"),
];

const MILESTONES: &[Spec] = &[
    field("test_start", "field.milestone.test_start", When),
    field("golive", "field.milestone.golive", When).hint("tui.hint.golive_fixed"),
    field("training", "field.milestone.training", Multiline).hint("tui.hint.training_plan"),
];

const TEST_ITEM: &[Spec] = &[
    field("category", "tui.f.category", Pick(Enum(E::TestCategory))),
    field("description", "tui.f.description", Text),
    field("expected", "tui.f.expected", Text),
    field("tester", "tui.f.tester", Text),
    field("tester_type", "tui.f.tester_type", Pick(Enum(E::TesterType))),
    field("retest", "tui.f.retest", Number).hint("tui.hint.retest"),
];

const RESPOND_ORDER: &[Spec] = &[field("response", "tui.f.response", Multiline)];

const EXTEND_ORDER: &[Spec] = &[
    field("deadline", "tui.f.new_deadline", Date).hint("tui.hint.new_deadline"),
    field("reason", "tui.f.reason", Multiline),
];

const REPORT_TO_ORDER: &[Spec] = &[
    field("plan", "tui.f.order_plan", Text).hint("tui.hint.order_target"),
    field("department", "tui.f.order_department", Text).hint("tui.hint.order_target"),
    field("finding", "tui.f.finding", Multiline),
    field("required_action", "tui.f.required_action", Multiline),
    field("deadline", "tui.f.deadline", Date),
];

const JOINT_REVIEW: &[Spec] = &[
    field("requests", "tui.f.requests", Text).hint("tui.hint.requests"),
    field("topic", "tui.f.topic", Text),
    field("departments", "tui.f.departments", Text).hint("tui.hint.joint_departments"),
    field("date", "tui.f.meeting_date", Date),
];

const JOINT_DECIDE: &[Spec] = &[
    field("position", "tui.f.position", Multiline),
    field("minutes", "tui.f.minutes", Text),
    field("reject", "tui.f.reject", Text).hint("tui.hint.reject"),
];

// The register (issue 17 §3): the fields as `beian register … add|edit` takes them.
const PERSON: &[Spec] = &[
    field("name", "register.col.name", Text),
    field("department", "cli.col.department", Text),
    field("email", "tui.f.email", Text),
    field("phone", "tui.f.phone", Text),
    field("lang", "tui.f.mail_lang", Pick(MailLang)),
    field("login", "tui.f.login", Text).hint("tui.hint.login"),
];
const NEW_PERSON: &[Spec] = &[
    field("kind", "tui.f.entry_kind", Pick(Entry)).hint("tui.hint.entry_kind"),
    field("name", "register.col.name", Text),
    field("department", "cli.col.department", Text),
    field("email", "tui.f.email", Text),
    field("phone", "tui.f.phone", Text),
    field("lang", "tui.f.mail_lang", Pick(MailLang)),
    field("login", "tui.f.login", Text).hint("tui.hint.login"),
];
const DEPARTMENT: &[Spec] = &[
    field("name", "register.col.name", Text),
    field("head", "tui.f.head", Text),
    field("distribution", "tui.f.distribution", Text).hint("tui.hint.distribution"),
];
const NEW_DEPARTMENT: &[Spec] = &[
    field("kind", "tui.f.entry_kind", Pick(Entry)).hint("tui.hint.entry_kind"),
    field("name", "register.col.name", Text),
    field("head", "tui.f.head", Text),
    field("distribution", "tui.f.distribution", Text).hint("tui.hint.distribution"),
];
const VENDOR: &[Spec] = &[
    field("name", "register.col.name", Text),
    field("contacts", "tui.f.contacts", Text).hint("tui.hint.contacts"),
    field("support", "tui.f.support", Text).hint("tui.hint.support"),
];
const NEW_VENDOR: &[Spec] = &[
    field("kind", "tui.f.entry_kind", Pick(Entry)).hint("tui.hint.entry_kind"),
    field("name", "register.col.name", Text),
    field("contacts", "tui.f.contacts", Text).hint("tui.hint.contacts"),
    field("support", "tui.f.support", Text).hint("tui.hint.support"),
];
const RESOLVE_NAME: &[Spec] = &[field("target", "tui.f.names_record", Text).hint("tui.hint.names_record")];

/// The fields of each kind, in the order they are shown (and the order drafts of
/// earlier versions stored their values in).
pub fn spec(kind: FormKind) -> &'static [Spec] {
    match kind {
        FormKind::NewRequest => NEW_REQUEST,
        FormKind::NewPlan => NEW_PLAN,
        FormKind::EditPlan => EDIT_PLAN,
        FormKind::Defect => DEFECT,
        FormKind::Backup => BACKUP,
        FormKind::GoLive => GO_LIVE,
        FormKind::TestItem => TEST_ITEM,
        FormKind::Training => TRAINING,
        FormKind::Comparison => COMPARISON,
        FormKind::DefectUpdate => DEFECT_UPDATE,
        FormKind::AcceptRequest => ACCEPT_REQUEST,
        FormKind::AcceptDefect => ACCEPT_DEFECT,
        FormKind::Deviation => DEVIATION,
        FormKind::Reschedule => RESCHEDULE,
        FormKind::NoticeDraft => NOTICE_DRAFT,
        FormKind::Milestones => MILESTONES,
        FormKind::RespondOrder => RESPOND_ORDER,
        FormKind::ExtendOrder => EXTEND_ORDER,
        FormKind::ReportToOrder => REPORT_TO_ORDER,
        FormKind::JointReview => JOINT_REVIEW,
        FormKind::JointDecide => JOINT_DECIDE,
        FormKind::Incident => INCIDENT,
        FormKind::Review => REVIEW,
        FormKind::NewTemplate => NEW_TEMPLATE,
        FormKind::EditTemplate => EDIT_TEMPLATE,
        FormKind::NewPerson => NEW_PERSON,
        FormKind::EditPerson => PERSON,
        FormKind::NewDepartment => NEW_DEPARTMENT,
        FormKind::EditDepartment => DEPARTMENT,
        FormKind::NewVendor => NEW_VENDOR,
        FormKind::EditVendor => VENDOR,
        FormKind::ResolveName => RESOLVE_NAME,
    }
}

fn title_key(kind: FormKind) -> &'static str {
    match kind {
        FormKind::NewRequest => "tui.form.new_request",
        FormKind::NewPlan => "tui.form.new_plan",
        FormKind::EditPlan => "tui.form.edit_plan",
        FormKind::Defect => "tui.form.defect",
        FormKind::Backup => "tui.form.backup",
        FormKind::GoLive => "tui.form.golive",
        FormKind::TestItem => "tui.form.test_item",
        FormKind::Training => "tui.form.training",
        FormKind::Comparison => "tui.form.comparison",
        FormKind::DefectUpdate => "tui.form.defect_update",
        FormKind::AcceptRequest => "tui.form.accept_request",
        FormKind::AcceptDefect => "tui.form.accept_defect",
        FormKind::Deviation => "tui.form.deviation",
        FormKind::Reschedule => "tui.form.reschedule",
        FormKind::NoticeDraft => "tui.form.notice_draft",
        FormKind::Milestones => "tui.form.milestones",
        FormKind::RespondOrder => "tui.form.respond_order",
        FormKind::ExtendOrder => "tui.form.extend_order",
        FormKind::ReportToOrder => "tui.form.report_to_order",
        FormKind::JointReview => "tui.form.joint_review",
        FormKind::JointDecide => "tui.form.joint_decide",
        FormKind::Incident => "tui.form.incident",
        FormKind::Review => "tui.form.review",
        FormKind::NewTemplate => "tui.form.new_template",
        FormKind::EditTemplate => "tui.form.edit_template",
        FormKind::NewPerson => "tui.form.new_person",
        FormKind::EditPerson => "tui.form.edit_person",
        FormKind::NewDepartment => "tui.form.new_department",
        FormKind::EditDepartment => "tui.form.edit_department",
        FormKind::NewVendor => "tui.form.new_vendor",
        FormKind::EditVendor => "tui.form.edit_vendor",
        FormKind::ResolveName => "tui.form.resolve_name",
    }
}

// ---------------------------------------------------------------------------
// Fields and their choices

/// A field of an open form.
#[derive(Debug)]
pub struct FormField {
    pub name: &'static str,
    /// The label, in the user's language.
    pub label: String,
    pub kind: FieldKind,
    /// A line of help shown while the field has focus (a locale key).
    pub hint: Option<&'static str>,
    pub input: Input,
}

#[derive(Debug)]
pub enum Input {
    Text(Field),
    Pick(Picker),
}

impl FormField {
    fn new(spec: &Spec, value: &str) -> FormField {
        let input = match spec.kind {
            Pick(c) => Input::Pick(Picker::new(&normalise(c, value))),
            kind => {
                let mut f = Field::wrapping(value, kind == Multiline);
                match kind {
                    When => f.area.set_placeholder_text("YYYY-MM-DD HH:MM"),
                    Date => f.area.set_placeholder_text("YYYY-MM-DD"),
                    _ => {}
                }
                Input::Text(f)
            }
        };
        FormField {
            name: spec.name,
            label: t(spec.label, &[]),
            kind: spec.kind,
            hint: spec.hint,
            input,
        }
    }

    /// The text typed, or the code chosen.
    pub fn value(&self) -> String {
        match &self.input {
            Input::Text(f) => f.text(),
            Input::Pick(p) => p.value.clone(),
        }
    }

    pub fn multiline(&self) -> bool {
        self.kind == Multiline
    }

    pub fn choices(&self) -> Option<Choices> {
        match self.kind {
            Pick(c) => Some(c),
            _ => None,
        }
    }
}

/// Search words for choices, besides both labels and the code: what people call
/// them (老师 for a teacher), in either language. They find; they are never shown.
const ALIASES: &[(&str, &str, &[&str])] = &[
    ("RequestKind", "problem", &["问题", "故障", "报错", "bug", "fault"]),
    ("RequestKind", "feature", &["需求", "功能", "建议", "新功能", "request"]),
    ("SubmitterType", "teacher", &["老师", "教员", "faculty", "lecturer"]),
    ("SubmitterType", "student", &["同学", "本科生", "研究生"]),
    ("SubmitterType", "staff", &["教职工", "员工", "行政", "employee"]),
    ("SubmitterType", "department", &["院系", "学院", "单位", "office"]),
    (
        "Channel",
        "phone",
        &["电话", "热线", "来电", "tel", "telephone", "call"],
    ),
    ("Channel", "email", &["邮箱", "电子邮件", "mail", "e-mail"]),
    ("Channel", "website", &["网页", "门户", "web"]),
    ("Channel", "questionnaire", &["调查", "survey"]),
    ("Channel", "counsellor", &["辅导员老师", "counselor"]),
    ("Priority", "urgent", &["加急", "特急"]),
    ("Priority", "normal", &["一般", "正常", "medium"]),
    ("Severity", "critical", &["致命", "blocker"]),
    ("Severity", "minor", &["次要"]),
    ("TesterType", "technician", &["技术人员", "信息中心", "网络中心", "imc"]),
    ("TesterType", "department_rep", &["代表", "业务部门"]),
    ("TesterType", "student_volunteer", &["志愿者", "学生", "volunteer"]),
    ("GoLiveOutcome", "success", &["成功", "ok"]),
    ("GoLiveOutcome", "rolled_back", &["回滚", "回退", "失败", "rollback"]),
    ("TrainingFormat", "online_video", &["视频", "线上", "网课", "online"]),
    ("TrainingFormat", "classroom", &["授课", "课堂", "讲座", "lecture"]),
    ("TrainingFormat", "on_site", &["现场", "onsite"]),
    ("DefectStatus", "wont_fix", &["不修复", "wontfix"]),
    ("DefectStatus", "verified", &["验证", "通过"]),
    ("TestCategory", "data_migration", &["迁移", "migration"]),
    ("TestCategory", "performance", &["压力", "压测", "load"]),
    ("IncidentOutcome", "rolled_back", &["回滚", "回退", "rollback"]),
    ("IncidentOutcome", "incident", &["事故", "故障", "事件", "outage"]),
    ("GoalVerdict", "met", &["达成", "已达成", "完成", "yes", "ok"]),
    ("GoalVerdict", "partly", &["部分", "部分达成", "partial", "partially"]),
    (
        "GoalVerdict",
        "not_met",
        &["未达成", "没有达成", "未完成", "no", "failed"],
    ),
    ("NoticeLanguage", "zh-CN", &["中文", "汉语", "chinese", "zh"]),
    ("NoticeLanguage", "en", &["英文", "英语", "english"]),
    ("ChangeClass", "standard", &["标准", "模板", "routine", "template"]),
    ("ChangeClass", "normal", &["一般", "普通", "常规"]),
    ("ChangeClass", "major", &["重大", "大规模", "large"]),
    (
        "ChangeClass",
        "emergency",
        &["紧急", "安全补丁", "urgent", "hotfix", "patch"],
    ),
];

fn aliases(ty: &str, code: &str) -> Vec<String> {
    ALIASES
        .iter()
        .filter(|(t, c, _)| *t == ty && *c == code)
        .flat_map(|(_, _, words)| words.iter().map(|w| w.to_string()))
        .collect()
}

/// A key in a given language (a choice's note shows the other language's label).
fn text_in(lang: &str, key: &str) -> String {
    crate::_rust_i18n_try_translate(lang, key)
        .map(|c| c.to_string())
        .unwrap_or_default()
}

fn other_language() -> &'static str {
    if crate::i18n::current().starts_with("zh") {
        "en"
    } else {
        "zh-CN"
    }
}

/// The choices of a choice field, labelled in the user's language.
pub fn options(s: &State, c: Choices) -> Vec<Choice> {
    static_options(c, &s.systems)
}

fn static_options(c: Choices, systems: &[System]) -> Vec<Choice> {
    let other = other_language();
    match c {
        Enum(e) => e
            .codes()
            .into_iter()
            .map(|code| {
                let key = format!("enum.{}.{code}", e.name());
                Choice {
                    code: code.to_string(),
                    label: t(&key, &[]),
                    note: text_in(other, &key),
                    aliases: aliases(e.name(), code),
                }
            })
            .collect(),
        YesNo => vec![
            Choice {
                code: String::new(),
                label: t("tui.pick.unset", &[]),
                note: String::new(),
                aliases: Vec::new(),
            },
            Choice {
                code: "yes".into(),
                label: t("cli.yes", &[]),
                note: text_in(other, "cli.yes"),
                aliases: ["y", "true", "是", "要", "需要", "有"].map(String::from).to_vec(),
            },
            Choice {
                code: "no".into(),
                label: t("cli.no", &[]),
                note: text_in(other, "cli.no"),
                aliases: ["n", "false", "否", "不", "不需要", "无"].map(String::from).to_vec(),
            },
        ],
        Entry => [
            ("person", "tui.register.person", &["PER", "人", "个人", "people"][..]),
            ("department", "tui.register.department", &["DEPT", "单位", "处", "dept"]),
            ("vendor", "tui.register.vendor", &["VEN", "厂商", "公司", "supplier"]),
        ]
        .into_iter()
        .map(|(code, key, words)| Choice {
            code: code.into(),
            label: t(key, &[]),
            note: text_in(other, key),
            aliases: words.iter().map(|w| w.to_string()).collect(),
        })
        .collect(),
        MailLang => vec![
            Choice {
                code: String::new(),
                label: t("tui.pick.lang_default", &[]),
                note: String::new(),
                aliases: Vec::new(),
            },
            Choice {
                code: "zh-CN".into(),
                label: t("enum.NoticeLanguage.zh-CN", &[]),
                note: text_in(other, "enum.NoticeLanguage.zh-CN"),
                aliases: aliases("NoticeLanguage", "zh-CN"),
            },
            Choice {
                code: "en".into(),
                label: t("enum.NoticeLanguage.en", &[]),
                note: text_in(other, "enum.NoticeLanguage.en"),
                aliases: aliases("NoticeLanguage", "en"),
            },
        ],
        Systems { optional } => {
            let none = optional.then(|| Choice {
                code: String::new(),
                label: t("tui.pick.no_system", &[]),
                note: String::new(),
                aliases: Vec::new(),
            });
            none.into_iter()
                .chain(systems.iter().map(|x| Choice {
                    code: x.id.to_string(),
                    label: x.name.clone(),
                    note: x.department.clone(),
                    aliases: vec![x.vendor.clone()],
                }))
                .collect()
        }
    }
}

/// A stored or default value as a code: a label or alias (a draft of an earlier
/// version, `是` for yes) becomes the code it names. Systems are resolved when the
/// form is sent (they may not be loaded yet when a draft is restored).
fn normalise(c: Choices, value: &str) -> String {
    let value = value.trim();
    if matches!(c, Systems { .. }) {
        return value.to_string();
    }
    let opts = static_options(c, &[]);
    if opts.iter().any(|o| o.code == value) {
        return value.to_string();
    }
    opts.iter()
        .find(|o| o.is(value))
        .map(|o| o.code.clone())
        .unwrap_or_else(|| value.to_string())
}

// ---------------------------------------------------------------------------
// A form, by name

impl Form {
    fn index(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|f| f.name == name)
    }

    /// The field called `name`. Every name the code asks for is in the form's
    /// [`spec`] (the tests open and send every kind).
    pub fn field(&self, name: &str) -> &FormField {
        match self.index(name) {
            Some(i) => &self.fields[i],
            None => panic!("{:?} has no field {name:?}", self.kind),
        }
    }

    /// The text of a text field, the code of a choice.
    pub fn value(&self, name: &str) -> String {
        self.field(name).value()
    }

    /// Set a field's text, or choose a code (a label or alias is read as its code).
    pub fn set(&mut self, name: &str, value: &str) {
        let Some(i) = self.index(name) else {
            panic!("{:?} has no field {name:?}", self.kind)
        };
        let f = &mut self.fields[i];
        match (&mut f.input, f.kind) {
            (Input::Text(field), _) => field.set_text(value),
            (Input::Pick(p), Pick(c)) => p.value = normalise(c, value),
            (Input::Pick(p), _) => p.value = value.to_string(),
        }
    }

    pub fn label(&self, name: &str) -> String {
        self.field(name).label.clone()
    }

    pub fn focused(&self) -> &FormField {
        &self.fields[self.focus.min(self.fields.len().saturating_sub(1))]
    }

    /// Move the focus; a picker left behind forgets what was typed into it.
    fn set_focus(&mut self, i: usize) {
        if let Some(FormField {
            input: Input::Pick(p), ..
        }) = self.fields.get_mut(self.focus)
        {
            p.reset_query();
        }
        self.focus = i.min(self.fields.len().saturating_sub(1));
    }

    /// What the form is about, for the list of parked forms: its title and the
    /// first text typed into it.
    pub fn summary(&self) -> String {
        let first = self
            .fields
            .iter()
            .filter(|f| matches!(f.input, Input::Text(_)))
            .map(|f| f.value())
            .find(|v| !v.trim().is_empty());
        match first {
            Some(v) => format!("{} · {}", self.title, crate::sanitize::visible_line(&v)),
            None => self.title.clone(),
        }
    }
}

fn build(kind: FormKind, target: Option<(Id, u64)>, value: impl Fn(&str) -> Option<String>) -> Form {
    let fields = spec(kind)
        .iter()
        .map(|sp| FormField::new(sp, &value(sp.name).unwrap_or_default()))
        .collect::<Vec<_>>();
    let title = match target {
        Some((id, _)) => format!("{} {id}", t(title_key(kind), &[])),
        None => t(title_key(kind), &[]),
    };
    Form {
        kind,
        title,
        focus: 0,
        fields,
        target,
        plan: None,
        warnings: Default::default(),
        dirty: false,
        conflict: false,
        parked_at: None,
        subject: None,
    }
}

/// Values a form opens with, by field name.
type Defaults = Vec<(&'static str, String)>;

fn plan_values(p: &Plan) -> Defaults {
    let (ws, we) = p
        .window
        .as_ref()
        .map(|w| (fmt_time(w.start), fmt_time(w.end)))
        .unwrap_or_default();
    vec![
        ("title", p.title.clone()),
        ("version_to", p.version_to.clone()),
        ("goals", p.goals.clone()),
        ("content", p.content.clone()),
        ("approach", p.approach.clone()),
        ("window_start", ws),
        ("window_end", we),
        // One justification per soft period: the form shows the first; saving
        // applies it to each soft period the window lies in then.
        (
            "override",
            p.blackout_overrides
                .first()
                .map(|o| o.reason.clone())
                .unwrap_or_default(),
        ),
        ("backup_plan", p.backup_plan.clone()),
        ("migration_plan", p.migration_plan.clone()),
        ("rollback_plan", p.rollback_plan.clone()),
        (
            "risks",
            p.risks
                .iter()
                .map(|r| {
                    format!(
                        "{} | {} | {} | {}",
                        r.description,
                        r.likelihood.label(),
                        r.impact.label(),
                        r.mitigation
                    )
                })
                .collect::<Vec<_>>()
                .join("\n"),
        ),
        (
            "staff",
            p.staff
                .iter()
                .map(|s| format!("{} | {} | {}", s.person, s.role, s.duty))
                .collect::<Vec<_>>()
                .join("\n"),
        ),
        (
            "migrates_data",
            match p.migrates_data {
                Some(true) => "yes".into(),
                Some(false) => "no".into(),
                None => String::new(),
            },
        ),
        ("class", p.class.as_str().into()),
        ("emergency_reason", p.emergency_reason.clone()),
    ]
}

/// The test items of a template, one `category | description | expected` a line.
fn template_items_text(items: &[TemplateItem]) -> String {
    items
        .iter()
        .map(|i| format!("{} | {} | {}", i.category.label(), i.description, i.expected))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The rows of a template's items field as items; a row is named by its
/// number in an error.
fn template_items(label: &str, text: &str) -> Result<Vec<TemplateItem>, String> {
    rows(text)
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            let (category, description, expected) = match r.len() {
                1 => ("functional", r[0].clone(), String::new()),
                _ => (r[0].as_str(), r[1].clone(), r.get(2).cloned().unwrap_or_default()),
            };
            Ok(TemplateItem {
                category: choose(
                    &row_label(label, i + 1),
                    category,
                    E::TestCategory,
                    TestCategory::ALL,
                    TestCategory::as_str,
                )?,
                description,
                expected,
            })
        })
        .collect()
}

/// Open a form of `kind` with values taken from the current selection.
pub fn open(s: &mut State, kind: FormKind, fx: &mut Vec<Effect>) {
    let sel_plan = s.tests.plan.as_ref().or(s.plans.detail.as_ref());
    let mut plan_base = None;
    let mut subject = None;
    let me = s.user.clone();
    let (target, values): (Option<(Id, u64)>, Defaults) = match kind {
        FormKind::NewRequest => (
            None,
            vec![
                ("kind", "problem".into()),
                ("submitter_type", "staff".into()),
                ("channel", "other".into()),
                ("priority", "normal".into()),
            ],
        ),
        FormKind::NewPlan => match s
            .templates
            .detail
            .as_ref()
            .filter(|_| s.pane == super::super::action::Pane::Templates)
        {
            // A standard change of the template the templates pane shows.
            Some(x) => (
                None,
                vec![
                    ("system", x.system.to_string()),
                    ("title", x.title.clone()),
                    ("class", "standard".into()),
                    ("template", x.id.to_string()),
                ],
            ),
            None => {
                let sys = super::queue::selected(s).and_then(|r| r.system);
                (
                    None,
                    vec![
                        ("system", sys.map(|id| id.to_string()).unwrap_or_default()),
                        ("class", "normal".into()),
                    ],
                )
            }
        },
        FormKind::NewTemplate => (
            None,
            vec![(
                "system",
                s.templates
                    .detail
                    .as_ref()
                    .map(|x| x.system.to_string())
                    .unwrap_or_default(),
            )],
        ),
        FormKind::NewPerson | FormKind::NewDepartment | FormKind::NewVendor => {
            (None, vec![("kind", entry_code(kind).to_string())])
        }
        FormKind::EditPerson | FormKind::EditDepartment | FormKind::EditVendor => {
            match super::register::selected_entry(s).filter(|e| e.edit_form() == kind) {
                Some(e) => (Some(e.target()), e.values()),
                None => return,
            }
        }
        // The first candidate, if the register has any.
        FormKind::ResolveName => match super::register::selected_name(s) {
            Some(u) => {
                subject = Some(u.text.clone());
                (
                    None,
                    vec![(
                        "target",
                        u.candidates.first().map(|c| c.id.to_string()).unwrap_or_default(),
                    )],
                )
            }
            None => return,
        },
        FormKind::EditTemplate => match s.templates.detail.as_ref() {
            Some(x) => (
                Some((x.id, x.meta.rev)),
                vec![
                    ("title", x.title.clone()),
                    ("content", x.content.clone()),
                    ("approach", x.approach.clone()),
                    ("items", template_items_text(&x.items)),
                ],
            ),
            None => return,
        },
        FormKind::EditPlan => match s.plans.detail.as_ref() {
            Some(p) => {
                plan_base = Some(PlanBase {
                    system: p.system,
                    risks: p.risks.len(),
                    staff: p.staff.len(),
                });
                (Some((p.id, p.meta.rev)), plan_values(p))
            }
            None => return,
        },
        FormKind::Defect => match sel_plan {
            Some(p) => {
                let item = super::tests::selected_item(s)
                    .map(|i| i.to_string())
                    .unwrap_or_default();
                (
                    Some((p.id, p.meta.rev)),
                    vec![
                        ("severity", "major".into()),
                        ("found_by", me),
                        ("tester_type", "technician".into()),
                        ("item", item),
                    ],
                )
            }
            None => return,
        },
        FormKind::Backup => match sel_plan {
            Some(p) => (Some((p.id, p.meta.rev)), vec![("verified_by", me)]),
            None => return,
        },
        FormKind::GoLive => match sel_plan {
            Some(p) => (
                Some((p.id, p.meta.rev)),
                vec![
                    ("time", fmt_time(chrono::Utc::now())),
                    ("deployer", me),
                    ("version", p.version_to.clone()),
                    ("outcome", "success".into()),
                ],
            ),
            None => return,
        },
        FormKind::Training => match s.plans.detail.as_ref() {
            Some(p) => (
                Some((p.id, p.meta.rev)),
                vec![
                    ("format", "on_site".into()),
                    ("date", chrono::Local::now().date_naive().to_string()),
                    ("trainer", me),
                    (
                        "departments",
                        s.systems
                            .iter()
                            .find(|x| x.id == p.system)
                            .map(|x| x.department.clone())
                            .unwrap_or_default(),
                    ),
                    ("attendance", "0".into()),
                ],
            ),
            None => return,
        },
        FormKind::Comparison => match s.plans.detail.as_ref() {
            Some(p) => (Some((p.id, p.meta.rev)), vec![]),
            None => return,
        },
        FormKind::DefectUpdate => match sel_plan {
            Some(p) => {
                // The defect that blocks go-live first, else the first open one.
                let open = |d: &&Defect| d.status == DefectStatus::Open;
                let blocking = |d: &&Defect| open(d) && matches!(d.severity, Severity::Critical | Severity::Major);
                let d = p
                    .defects
                    .iter()
                    .find(blocking)
                    .or_else(|| p.defects.iter().find(open))
                    .or(p.defects.last());
                let Some(d) = d else {
                    return s.toast(t("tui.tests.no_defects", &[]), true);
                };
                (
                    Some((p.id, p.meta.rev)),
                    vec![
                        ("defect", format!("D{}", d.no)),
                        ("status", "verified".into()),
                        ("vendor_ref", d.vendor_ref.clone().unwrap_or_default()),
                    ],
                )
            }
            None => return,
        },
        FormKind::AcceptDefect => match sel_plan {
            Some(p) => {
                // The defect that blocks go-live, as the core answered the gate.
                let blocking = s.tests.gates.as_ref().and_then(|g| {
                    g.golive.iter().find_map(|m| match m {
                        crate::workflow::GoLiveMissing::Defects { defects } => defects.first().map(|d| d.0),
                        _ => None,
                    })
                });
                let Some(no) = blocking else {
                    return s.toast(t("tui.tests.no_blocking_defect", &[]), true);
                };
                (Some((p.id, p.meta.rev)), vec![("defect", format!("D{no}"))])
            }
            None => return,
        },
        FormKind::Deviation => match sel_plan {
            Some(p) => (Some((p.id, p.meta.rev)), vec![("time", fmt_time(chrono::Utc::now()))]),
            None => return,
        },
        FormKind::Incident => match s.plans.detail.as_ref() {
            Some(p) => (
                Some((p.id, p.meta.rev)),
                vec![
                    ("outcome", "incident".into()),
                    ("time", fmt_time(chrono::Utc::now())),
                    ("by", me),
                ],
            ),
            None => return,
        },
        FormKind::Review => match s.plans.detail.as_ref() {
            // One line a goal, as the plan lists them: `达成 | 目标`.
            Some(p) => (
                Some((p.id, p.meta.rev)),
                vec![(
                    "goals",
                    crate::workflow::goal_list(&p.goals)
                        .iter()
                        .map(|g| format!("{} | {g}", GoalVerdict::Met.label()))
                        .collect::<Vec<_>>()
                        .join("\n"),
                )],
            ),
            None => return,
        },
        FormKind::Reschedule => match s.plans.detail.as_ref() {
            Some(p) => {
                let (ws, we) = p
                    .window
                    .as_ref()
                    .map(|w| (fmt_time(w.start), fmt_time(w.end)))
                    .unwrap_or_default();
                plan_base = Some(PlanBase {
                    system: p.system,
                    risks: p.risks.len(),
                    staff: p.staff.len(),
                });
                (Some((p.id, p.meta.rev)), vec![("window_start", ws), ("window_end", we)])
            }
            None => return,
        },
        FormKind::NoticeDraft => match s.plans.detail.as_ref() {
            Some(p) => {
                let sys = s.systems.iter().find(|x| x.id == p.system);
                let text = sys
                    .map(|sys| crate::service::notice_to_publish(p, sys))
                    .unwrap_or_default();
                let i = &p.notice_info;
                (
                    Some((p.id, p.meta.rev)),
                    vec![
                        ("language", p.notice_language.as_str().to_string()),
                        ("services", i.services.clone()),
                        ("user_groups", i.user_groups.clone()),
                        ("impact", i.impact.clone()),
                        ("user_action", i.user_action.clone()),
                        ("contact", i.contact.clone()),
                        ("students", i.student_arrangements.clone()),
                        ("text", text),
                    ],
                )
            }
            None => return,
        },
        FormKind::Milestones => match s.plans.detail.as_ref() {
            Some(p) => {
                let m = &p.milestones;
                (
                    Some((p.id, p.meta.rev)),
                    vec![
                        ("test_start", m.test_start.map(fmt_time).unwrap_or_default()),
                        (
                            "golive",
                            m.golive.as_ref().map(|g| fmt_time(g.time)).unwrap_or_default(),
                        ),
                        (
                            "training",
                            m.training
                                .iter()
                                .map(|tr| {
                                    format!("{} | {} | {} | {}", tr.date, tr.format.label(), tr.place, tr.audience)
                                })
                                .collect::<Vec<_>>()
                                .join("\n"),
                        ),
                    ],
                )
            }
            None => return,
        },
        FormKind::AcceptRequest => {
            let Some((id, rev)) = super::queue::targets(s).first().copied() else {
                return;
            };
            let detail = s.queue.detail.as_ref().filter(|r| r.id == id);
            (
                Some((id, rev)),
                vec![
                    ("necessity", detail.map(|r| r.necessity.clone()).unwrap_or_default()),
                    ("feasibility", detail.map(|r| r.feasibility.clone()).unwrap_or_default()),
                ],
            )
        }
        FormKind::RespondOrder | FormKind::ExtendOrder => match super::supervision::selected(s) {
            Some(super::supervision::Row::Order(o)) => (Some((o.id, o.meta.rev)), vec![]),
            _ => return,
        },
        FormKind::ReportToOrder => match super::supervision::selected(s) {
            Some(super::supervision::Row::Report(r)) => (
                Some((r.id, r.meta.rev)),
                vec![
                    ("plan", r.plan.map(|p| p.to_string()).unwrap_or_default()),
                    ("finding", r.investigation.clone()),
                ],
            ),
            _ => return,
        },
        FormKind::TestItem => match sel_plan {
            Some(p) => (
                Some((p.id, p.meta.rev)),
                vec![
                    ("category", "functional".into()),
                    ("tester", me),
                    ("tester_type", "technician".into()),
                ],
            ),
            None => return,
        },
        // The marked requests (or the selected one), and their departments.
        FormKind::JointReview => {
            let rows = super::queue::target_rows(s);
            if rows.is_empty() {
                return;
            }
            let mut departments: Vec<String> = Vec::new();
            for r in &rows {
                if !r.department.trim().is_empty() && !departments.contains(&r.department) {
                    departments.push(r.department.clone());
                }
            }
            (
                None,
                vec![
                    (
                        "requests",
                        rows.iter().map(|r| r.id.to_string()).collect::<Vec<_>>().join(" "),
                    ),
                    ("departments", departments.join("、")),
                    ("date", chrono::Local::now().date_naive().to_string()),
                ],
            )
        }
        // The meeting that decides the selected request.
        FormKind::JointDecide => {
            let Some(review) = super::queue::selected(s)
                .filter(|r| r.status == RequestStatus::JointReview)
                .and_then(|r| r.review)
            else {
                return;
            };
            (Some((review, 0)), vec![])
        }
    };
    let values: BTreeMap<&str, String> = values.into_iter().collect();
    let from_template = kind == FormKind::NewPlan && values.get("template").is_some_and(|t| !t.is_empty());
    let mut form = build(kind, target, |name| values.get(name).cloned());
    if let (FormKind::JointDecide, Some((review, _))) = (kind, target) {
        // The requests the position decides, as the queue knows them.
        let covered: Vec<String> = s
            .queue
            .all
            .iter()
            .filter(|r| r.review == Some(review) && r.status == RequestStatus::JointReview)
            .map(|r| r.id.to_string())
            .collect();
        form.title = format!("{} · {}", form.title, covered.join(" "));
    }
    if from_template {
        // The system, the class and the template are chosen: the title is next.
        form.focus = form.index("title").unwrap_or(0);
    }
    form.plan = plan_base;
    form.subject = subject;
    with_subject(&mut form);
    check(s, &mut form);
    s.popups.push(Popup::Form(form));
    let _ = fx;
}

/// The code of the kind choice of a new register record's form.
fn entry_code(kind: FormKind) -> &'static str {
    match kind {
        FormKind::NewDepartment | FormKind::EditDepartment => "department",
        FormKind::NewVendor | FormKind::EditVendor => "vendor",
        _ => "person",
    }
}

/// A new register record's form whose kind choice now names another kind
/// becomes that kind's form (the name typed so far kept).
fn switch_entry(form: &mut Form) {
    if !matches!(
        form.kind,
        FormKind::NewPerson | FormKind::NewDepartment | FormKind::NewVendor
    ) {
        return;
    }
    let code = form.value("kind");
    let kind = match code.as_str() {
        "person" => FormKind::NewPerson,
        "department" => FormKind::NewDepartment,
        "vendor" => FormKind::NewVendor,
        _ => return,
    };
    if kind == form.kind {
        return;
    }
    let name = form.value("name");
    let mut new = build(kind, None, |n| match n {
        "kind" => Some(code.clone()),
        "name" => Some(name.clone()),
        _ => None,
    });
    new.dirty = form.dirty;
    *form = new;
}

/// Several values of one field (a distribution list, contacts), separated by
/// commas, `、`, semicolons or line breaks; with `spaces`, by spaces too.
fn list_of(text: &str, spaces: bool) -> Vec<String> {
    text.split(|c: char| matches!(c, ',' | '，' | '、' | ';' | '；' | '\n') || (spaces && c.is_whitespace()))
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(String::from)
        .collect()
}

fn from_draft(d: FormDraft) -> Form {
    let names: Vec<&str> = spec(d.kind).iter().map(|sp| sp.name).collect();
    let values: BTreeMap<String, String> = match d.values {
        Values::Named(m) => m,
        Values::InOrder(v) => names.iter().map(|n| n.to_string()).zip(v).collect(),
    };
    let mut form = build(d.kind, d.target, |name| values.get(name).cloned());
    form.focus = match d.focus {
        Focus::Name(n) => names.iter().position(|x| *x == n).unwrap_or(0),
        Focus::Index(i) => i.min(names.len().saturating_sub(1)),
    };
    form.plan = d.plan;
    form.parked_at = d.parked_at;
    form.subject = d.subject;
    with_subject(&mut form);
    form.dirty = true;
    form
}

/// A form about a name (not a record) says which in its title.
fn with_subject(form: &mut Form) {
    if let Some(x) = &form.subject {
        form.title = format!("{} · {}", form.title, crate::sanitize::clean_line(x));
    }
}

fn draft_of(form: &Form) -> FormDraft {
    FormDraft {
        kind: form.kind,
        target: form.target,
        values: Values::Named(form.fields.iter().map(|f| (f.name.to_string(), f.value())).collect()),
        focus: Focus::Name(form.focused().name.to_string()),
        plan: form.plan,
        parked_at: form.parked_at,
        subject: form.subject.clone(),
    }
}

/// Everything unsaved: `open` (the form being edited, if it has edits) and the parked forms.
fn snapshot(s: &State, open: Option<&Form>) -> Draft {
    Draft {
        open: open.filter(|f| f.dirty).map(draft_of),
        parked: s.parked.iter().map(draft_of).collect(),
    }
}

/// The form being edited, if one is open.
fn open_form(s: &State) -> Option<&Form> {
    s.popups.iter().rev().find_map(|p| match p {
        Popup::Form(f) => Some(f),
        _ => None,
    })
}

/// Bring back what the last session left: the one form being edited reopens as
/// it was; several forms (or parked ones) are listed to choose from.
pub fn restore(s: &mut State, d: Draft) {
    let single = d.parked.is_empty();
    let mut forms: Vec<Form> = d.open.into_iter().chain(d.parked).map(from_draft).collect();
    match forms.len() {
        0 => {}
        1 if single => {
            let mut form = forms.remove(0);
            check(s, &mut form);
            s.popups.push(Popup::Form(form));
            s.toast(t("tui.draft_restored", &[]), false);
        }
        n => {
            let now = chrono::Utc::now();
            for f in &mut forms {
                f.parked_at.get_or_insert(now);
            }
            s.parked = forms;
            s.popups.push(Popup::Parked {
                cursor: Default::default(),
                confirm: false,
            });
            s.toast(t("tui.parked.restored", &[("n", n.to_string())]), false);
        }
    }
}

/// Live checks shown on fields: the window against the academic calendar. A
/// problem with the window is shown on both of its ends, so it is in view
/// whichever end was typed last.
fn check(s: &State, form: &mut Form) {
    form.warnings.clear();
    if form.kind == FormKind::NewRequest {
        return similar_check(s, form);
    }
    if form.kind == FormKind::NewPlan {
        return same_target_check(s, form);
    }
    if form.kind != FormKind::EditPlan {
        return;
    }
    let ends = ["window_start", "window_end"];
    let texts = ends.map(|n| form.value(n));
    let times = texts.clone().map(|x| crate::model::parse_time(&x));
    let (Some(start), Some(end)) = (times[0], times[1]) else {
        for (i, name) in ends.into_iter().enumerate() {
            if times[i].is_none() && !texts[i].trim().is_empty() {
                form.warnings.insert(name, t("tui.warn.window_format", &[]));
            }
        }
        return;
    };
    let both = |form: &mut Form, msg: String| {
        for name in ends {
            form.warnings.insert(name, msg.clone());
        }
    };
    if end <= start {
        return both(form, crate::workflow::RuleError::WindowOrder.message());
    }
    let window = Window { start, end };
    let system = form.plan.map(|b| b.system).or_else(|| {
        s.plans
            .detail
            .as_ref()
            .filter(|p| Some(p.id) == form.target.map(|(id, _)| id))
            .map(|p| p.system)
    });
    let hits = system.map(|sys| crate::workflow::blackout_conflicts(&window, sys, &s.calendar));
    let justified = !form.value("override").trim().is_empty();
    for hit in hits.unwrap_or_default() {
        let b = hit.period;
        let args = [
            ("period", b.name.clone()),
            ("start", b.start.to_string()),
            ("end", b.end.to_string()),
        ];
        let msg = if b.hard {
            crate::workflow::RuleError::HardBlackout {
                period: args[0].1.clone(),
                start: args[1].1.clone(),
                end: args[2].1.clone(),
            }
            .message()
        } else if !justified {
            t("tui.warn.soft_blackout", &args)
        } else {
            continue;
        };
        both(form, msg);
        if !b.hard {
            form.warnings.insert("override", t("tui.warn.override_needed", &[]));
        }
        break;
    }
}

/// A new plan for a system and target version that an open plan already
/// has (the core's rule, `workflow::forward::same_target`, over the plans as
/// loaded): the target version says which, with the system's current version.
fn same_target_check(s: &State, form: &mut Form) {
    let version = form.value("version_to");
    let Some(system) = form.system(s, "system").ok().flatten() else {
        return;
    };
    let same = crate::workflow::forward::same_target(&s.plans.all, system, &version, None);
    if same.is_empty() {
        return;
    }
    let Some(sys) = s.systems.iter().find(|x| x.id == system) else {
        return;
    };
    let warning = crate::workflow::forward::same_target_message(sys, &version, &same);
    form.warnings.insert("version_to", warning.clone());
    form.warnings.insert("system", warning);
}

/// A new request that looks like one in the queue (the core's rule,
/// `workflow::similar_request`, over the queue as loaded): the title says
/// which, before it is sent; the core tags it when it is added.
fn similar_check(s: &State, form: &mut Form) {
    let title = form.value("title");
    if title.trim().is_empty() {
        return;
    }
    let system = form.system(s, "system").ok().flatten();
    let similar = crate::workflow::similar_request(
        system,
        &title,
        s.queue
            .all
            .iter()
            .filter(|r| r.status != RequestStatus::Duplicate)
            .map(|r| (r.id, r.system, r.title.as_str())),
    );
    if let Some(id) = similar {
        let other = s.queue.all.iter().find(|r| r.id == id);
        let warning = t(
            "tui.warn.similar",
            &[
                ("other", id.to_string()),
                (
                    "title",
                    other.map(|r| crate::sanitize::clean_line(&r.title)).unwrap_or_default(),
                ),
                ("tag", crate::workflow::LIKELY_DUPLICATE_TAG.to_string()),
            ],
        );
        // On both fields that make it alike, so that it shows whichever was typed last.
        form.warnings.insert("title", warning.clone());
        form.warnings.insert("system", warning);
    }
}

/// The form changed: mark it, check it, save the drafts.
fn changed(s: &State, form: &mut Form, fx: &mut Vec<Effect>) {
    form.dirty = true;
    switch_entry(form);
    check(s, form);
    fx.push(Effect::Draft(Some(snapshot(s, Some(form)))));
}

pub fn key(s: &mut State, mut form: Form, k: KeyEvent, fx: &mut Vec<Effect>) {
    let n = form.fields.len();
    let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
    let (multi, picker) = {
        let f = form.focused();
        (f.multiline(), f.choices().is_some())
    };
    let picker_query = matches!(&form.focused().input, Input::Pick(p) if !p.query.text().is_empty());
    match k.code {
        KeyCode::Tab => form.set_focus((form.focus + 1) % n),
        KeyCode::BackTab => form.set_focus((form.focus + n - 1) % n),
        KeyCode::F(2) => return park(s, form, fx),
        KeyCode::Char('o') if ctrl => return park(s, form, fx),
        KeyCode::Down if !multi && !picker => form.set_focus((form.focus + 1) % n),
        KeyCode::Up if !multi && !picker => form.set_focus((form.focus + n - 1) % n),
        KeyCode::Char('s') if ctrl => return submit(s, form, fx),
        // After a conflict: drop this edit and reopen the editor on the current record.
        KeyCode::Char('r') if ctrl && form.conflict => {
            if let (FormKind::EditPlan, Some((id, _))) = (form.kind, form.target) {
                s.plans.edit_after_load = Some(id);
                fx.push(Effect::Job(Job::Plan(id)));
                fx.push(Effect::Draft(Some(snapshot(s, None))));
                return;
            }
        }
        KeyCode::Enter if !multi && form.focus + 1 == n => return submit(s, form, fx),
        KeyCode::Enter if !multi => form.set_focus(form.focus + 1),
        KeyCode::Esc if !picker_query && form.dirty => {
            s.popups.push(Popup::DiscardForm(form));
            return;
        }
        KeyCode::Esc if !picker_query => {
            fx.push(Effect::Draft(Some(snapshot(s, None))));
            return;
        }
        _ => {
            let i = form.focus;
            let options = form.fields[i].choices().map(|c| options(s, c));
            let edit = match &mut form.fields[i].input {
                Input::Text(f) => f.handle(&k),
                Input::Pick(p) => p.handle(&k, options.as_deref().unwrap_or_default()),
            };
            if edit == Edit::Changed {
                changed(s, &mut form, fx);
            }
        }
    }
    s.popups.push(Popup::Form(form));
}

/// Text pasted into the form on top (bracketed paste): into the focused field,
/// or into a picker's query.
pub fn paste(s: &mut State, text: &str, fx: &mut Vec<Effect>) {
    let Some(Popup::Form(mut form)) = s.popups.pop() else {
        return;
    };
    let i = form.focus.min(form.fields.len().saturating_sub(1));
    let options = form.fields[i].choices().map(|c| options(s, c));
    if let Some(f) = form.fields.get_mut(i) {
        match &mut f.input {
            Input::Text(field) => field.paste(text),
            Input::Pick(p) => p.paste(text, options.as_deref().unwrap_or_default()),
        }
        changed(s, &mut form, fx);
    }
    s.popups.push(Popup::Form(form));
}

// ---------------------------------------------------------------------------
// Parked forms

/// Keep the form aside (saved with the drafts) to finish later.
fn park(s: &mut State, mut form: Form, fx: &mut Vec<Effect>) {
    form.set_focus(form.focus);
    form.parked_at = Some(chrono::Utc::now());
    form.dirty = true;
    let name = form.title.clone();
    s.parked.push(form);
    fx.push(Effect::Draft(Some(snapshot(s, None))));
    s.toast(t("tui.form.parked", &[("form", name)]), false);
}

/// The `forms.parked` command: the list of parked forms.
pub fn parked_list(s: &mut State) {
    if s.parked.is_empty() {
        return s.toast(t("tui.parked.none", &[]), false);
    }
    s.popups.push(Popup::Parked {
        cursor: Default::default(),
        confirm: false,
    });
}

/// Keys of the list of parked forms: Enter reopens, `d` then `y` discards.
pub fn parked_key(s: &mut State, mut cursor: ListCursor, confirm: bool, k: KeyEvent, fx: &mut Vec<Effect>) {
    let n = s.parked.len();
    cursor.clamp(n);
    let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
    if confirm {
        if matches!(k.code, KeyCode::Char('y') | KeyCode::Char('Y')) && cursor.selected < n {
            let gone = s.parked.remove(cursor.selected);
            fx.push(Effect::Draft(Some(snapshot(s, None))));
            s.toast(t("tui.parked.discarded", &[("form", gone.title.clone())]), false);
            if s.parked.is_empty() {
                return;
            }
            cursor.clamp(s.parked.len());
        }
        s.popups.push(Popup::Parked { cursor, confirm: false });
        return;
    }
    match k.code {
        KeyCode::Esc | KeyCode::Char('q') | KeyCode::F(2) => return,
        KeyCode::Char('g') if ctrl => return,
        KeyCode::Down | KeyCode::Char('j') => cursor.step(1, n),
        KeyCode::Char('n') if ctrl => cursor.step(1, n),
        KeyCode::Up | KeyCode::Char('k') => cursor.step(-1, n),
        KeyCode::Char('p') if ctrl => cursor.step(-1, n),
        KeyCode::Home => cursor.step(isize::MIN / 2, n),
        KeyCode::End => cursor.step(isize::MAX / 2, n),
        KeyCode::Enter if cursor.selected < n => {
            let mut form = s.parked.remove(cursor.selected);
            form.parked_at = None;
            check(s, &mut form);
            fx.push(Effect::Draft(Some(snapshot(s, Some(&form)))));
            s.popups.push(Popup::Form(form));
            return;
        }
        KeyCode::Char('d') | KeyCode::Delete if cursor.selected < n => {
            s.popups.push(Popup::Parked { cursor, confirm: true });
            return;
        }
        _ => {}
    }
    s.popups.push(Popup::Parked { cursor, confirm: false });
}

// ---------------------------------------------------------------------------
// From a form to commands

/// `「提交人类型」无效：staff老师（应为 …）`: a field named by its label.
fn invalid(label: &str, value: &str, expected: &str) -> String {
    t(
        "tui.form.invalid",
        &[
            ("field", label.to_string()),
            ("value", value.trim().to_string()),
            ("expected", expected.to_string()),
        ],
    )
}

fn required(label: &str) -> String {
    t("tui.form.required", &[("field", label.to_string())])
}

/// The labels of the choices, to say what a choice field accepts.
fn expected(opts: &[Choice]) -> String {
    crate::i18n::list(opts.iter().filter(|o| !o.code.is_empty()).map(|o| o.label.clone()))
}

/// The value of `text` among `all` (by code, label or alias); `what` names the field.
fn choose<T: Copy>(what: &str, text: &str, e: EnumType, all: &[T], code: fn(T) -> &'static str) -> Result<T, String> {
    let opts = static_options(Enum(e), &[]);
    let c = normalise(Enum(e), text);
    all.iter()
        .copied()
        .find(|v| code(*v) == c)
        .ok_or_else(|| invalid(what, text, &expected(&opts)))
}

impl Form {
    /// The model value a choice field holds.
    fn pick<T: Copy>(&self, name: &str, all: &[T], code: fn(T) -> &'static str) -> Result<T, String> {
        let f = self.field(name);
        let Some(Enum(e)) = f.choices() else {
            panic!("{name} is not an enum field");
        };
        choose(&f.label, &f.value(), e, all, code)
    }

    /// A `YYYY-MM-DD` field, which must be filled.
    fn date(&self, name: &str) -> Result<chrono::NaiveDate, String> {
        let v = self.value(name);
        if v.trim().is_empty() {
            return Err(required(&self.label(name)));
        }
        chrono::NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d")
            .map_err(|_| invalid(&self.label(name), &v, "YYYY-MM-DD"))
    }

    fn time(&self, name: &str) -> Result<Time, String> {
        let v = self.value(name);
        crate::model::parse_time(&v).ok_or_else(|| invalid(&self.label(name), &v, "YYYY-MM-DD HH:MM"))
    }

    /// A whole number (`#3`, `D3` read as 3); None when empty.
    fn number<N: std::str::FromStr>(&self, name: &str, example: &str) -> Result<Option<N>, String> {
        let v = self.value(name);
        let digits = v.trim().trim_start_matches(['#', 'D', 'd']).trim();
        if digits.is_empty() {
            return Ok(None);
        }
        digits
            .parse()
            .map(Some)
            .map_err(|_| invalid(&self.label(name), &v, example))
    }

    fn required_number<N: std::str::FromStr>(&self, name: &str, example: &str) -> Result<N, String> {
        self.number(name, example)?.ok_or_else(|| required(&self.label(name)))
    }

    /// A system field: a system's id (a picker's code) or, from a draft of an
    /// earlier version, its name or a part of it that names one system.
    fn system(&self, s: &State, name: &str) -> Result<Option<Id>, String> {
        let text = self.value(name);
        let text = text.trim();
        if text.is_empty() {
            return Ok(None);
        }
        s.systems
            .iter()
            .find(|x| x.id.to_string() == text || x.name == text)
            .or_else(|| {
                let hits: Vec<&System> = s.systems.iter().filter(|x| x.name.contains(text)).collect();
                (hits.len() == 1).then(|| hits[0])
            })
            .map(|x| Some(x.id))
            .ok_or_else(|| invalid(&self.label(name), text, &t("tui.expect.system", &[])))
    }
}

/// `a | b | c` rows of a table field.
fn rows(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split(['|', '｜']).map(|c| c.trim().to_string()).collect())
        .collect()
}

/// Row `n` of a table field, for error messages: `风险第 2 行`.
fn row_label(label: &str, n: usize) -> String {
    t("tui.form.row", &[("field", label.to_string()), ("n", n.to_string())])
}

/// Turn the form into a command, or say which field is wrong.
fn command(s: &State, form: &Form) -> Result<Vec<(Command, Option<u64>)>, String> {
    let v = |name: &str| form.value(name);
    let plan = form.target.map(|(id, _)| id);
    let rev = form.target.map(|(_, r)| r);
    let need_plan = || plan.ok_or_else(|| t("tui.form.no_target", &[]));
    Ok(vec![match form.kind {
        FormKind::NewRequest => (
            Command::RequestAdd {
                request: NewRequest {
                    title: v("title"),
                    body: v("body"),
                    kind: form.pick("kind", RequestKind::ALL, RequestKind::as_str)?,
                    system: form.system(s, "system")?,
                    submitter: Submitter {
                        name: v("submitter"),
                        kind: form.pick("submitter_type", SubmitterType::ALL, SubmitterType::as_str)?,
                        contact: v("contact"),
                    },
                    department: v("department"),
                    channel: form.pick("channel", Channel::ALL, Channel::as_str)?,
                    received_at: None,
                    priority: form.pick("priority", Priority::ALL, Priority::as_str)?,
                    tags: v("tags")
                        .split([',', '，', '、', ' '])
                        .filter(|x| !x.is_empty())
                        .map(String::from)
                        .collect(),
                },
            },
            None,
        ),
        FormKind::NewPlan => {
            let template = match v("template").trim() {
                "" => None,
                text => Some(
                    Id::parse_kind(text, IdKind::Template)
                        .map_err(|_| invalid(&form.label("template"), text, "TPL-2026-0001"))?,
                ),
            };
            let class = form.pick("class", ChangeClass::ALL, ChangeClass::as_str)?;
            (
                Command::PlanNew {
                    system: form
                        .system(s, "system")?
                        .ok_or_else(|| required(&form.label("system")))?,
                    title: v("title"),
                    version_from: None,
                    version_to: v("version_to"),
                    class: if template.is_some() {
                        ChangeClass::Standard
                    } else {
                        class
                    },
                    template,
                },
                None,
            )
        }
        FormKind::NewTemplate => (
            Command::TemplateNew {
                system: form
                    .system(s, "system")?
                    .ok_or_else(|| required(&form.label("system")))?,
                title: v("title"),
                content: v("content"),
                approach: v("approach"),
                items: template_items(&form.label("items"), &v("items"))?,
            },
            None,
        ),
        FormKind::NewPerson => (
            Command::PersonAdd {
                person: PersonFields {
                    name: v("name"),
                    department: v("department"),
                    email: v("email"),
                    phone: v("phone"),
                    lang: v("lang"),
                    login: v("login"),
                },
            },
            None,
        ),
        FormKind::NewDepartment => (
            Command::DepartmentAdd {
                department: DepartmentFields {
                    name: v("name"),
                    head: v("head"),
                    distribution: list_of(&v("distribution"), true),
                },
            },
            None,
        ),
        FormKind::NewVendor => (
            Command::VendorAdd {
                vendor: VendorFields {
                    name: v("name"),
                    contacts: list_of(&v("contacts"), false),
                    support: v("support"),
                },
            },
            None,
        ),
        FormKind::EditPerson | FormKind::EditDepartment | FormKind::EditVendor => {
            let id = plan.ok_or_else(|| t("tui.form.no_target", &[]))?;
            // Only the fields that differ from the record as loaded.
            let before: BTreeMap<&str, String> = super::register::entry(s, id)
                .map(|e| e.values().into_iter().collect())
                .unwrap_or_default();
            let text = |name: &str| Some(v(name)).filter(|x| before.get(name).is_none_or(|b| b.trim() != x.trim()));
            let list = |name: &str, spaces: bool| {
                let now = list_of(&v(name), spaces);
                Some(now).filter(|x| before.get(name).is_none_or(|b| list_of(b, spaces) != *x))
            };
            let cmd = match form.kind {
                FormKind::EditPerson => Command::PersonEdit {
                    id,
                    edit: PersonEdit {
                        name: text("name"),
                        department: text("department"),
                        email: text("email"),
                        phone: text("phone"),
                        lang: text("lang"),
                        login: text("login"),
                    },
                },
                FormKind::EditDepartment => Command::DepartmentEdit {
                    id,
                    edit: DepartmentEdit {
                        name: text("name"),
                        head: text("head"),
                        distribution: list("distribution", true),
                    },
                },
                _ => Command::VendorEdit {
                    id,
                    edit: VendorEdit {
                        name: text("name"),
                        contacts: list("contacts", false),
                        support: text("support"),
                    },
                },
            };
            let unchanged = match &cmd {
                Command::PersonEdit { edit, .. } => *edit == PersonEdit::default(),
                Command::DepartmentEdit { edit, .. } => *edit == DepartmentEdit::default(),
                Command::VendorEdit { edit, .. } => *edit == VendorEdit::default(),
                _ => false,
            };
            if unchanged {
                return Err(t("tui.form.unchanged", &[]));
            }
            (cmd, rev)
        }
        FormKind::ResolveName => {
            let text = form.subject.clone().ok_or_else(|| t("tui.form.no_target", &[]))?;
            let raw = v("target");
            let target = raw
                .trim()
                .parse::<Id>()
                .ok()
                .filter(|i| matches!(i.kind, IdKind::Person | IdKind::Department | IdKind::Vendor))
                .ok_or_else(|| invalid(&form.label("target"), &raw, "PER-0001, DEPT-0001, VEN-0001"))?;
            (Command::NameResolve { text, target }, None)
        }
        FormKind::EditTemplate => {
            let id = form
                .target
                .map(|(id, _)| id)
                .ok_or_else(|| t("tui.form.no_target", &[]))?;
            let had = s
                .templates
                .detail
                .as_ref()
                .filter(|x| x.id == id)
                .map_or(0, |x| x.items.len());
            let mut changes = vec![
                crate::workflow::TemplateChange::Title(v("title")),
                crate::workflow::TemplateChange::Content(v("content")),
                crate::workflow::TemplateChange::Approach(v("approach")),
            ];
            changes.extend((0..had).map(|_| crate::workflow::TemplateChange::RemoveItem(1)));
            changes.extend(
                template_items(&form.label("items"), &v("items"))?
                    .into_iter()
                    .map(crate::workflow::TemplateChange::AddItem),
            );
            (Command::TemplateEdit { id, changes }, rev)
        }
        FormKind::EditPlan => {
            let detail = s.plans.detail.as_ref().filter(|p| Some(p.id) == plan);
            let base = form.plan.or_else(|| {
                detail.map(|p| PlanBase {
                    system: p.system,
                    risks: p.risks.len(),
                    staff: p.staff.len(),
                })
            });
            let mut changes = vec![
                PlanChange::Title(v("title")),
                PlanChange::VersionTo(v("version_to")),
                PlanChange::Goals(v("goals")),
                PlanChange::Content(v("content")),
                PlanChange::Approach(v("approach")),
                // The class first: what it allows (a soft override) is decided on it.
                PlanChange::Class(form.pick("class", ChangeClass::ALL, ChangeClass::as_str)?),
            ];
            let window = match (v("window_start").trim().is_empty(), v("window_end").trim().is_empty()) {
                (true, true) => None,
                _ => Some(Window {
                    start: form.time("window_start")?,
                    end: form.time("window_end")?,
                }),
            };
            let soft = window.as_ref().is_some_and(|w| {
                base.is_some_and(|b| {
                    crate::workflow::blackout_conflicts(w, b.system, &s.calendar)
                        .iter()
                        .any(|h| !h.period.hard)
                })
            });
            changes.push(PlanChange::Window(window));
            changes.push(PlanChange::BlackoutOverride {
                period: None,
                reason: Some(v("override")).filter(|r| soft && !r.trim().is_empty()),
            });
            match v("migrates_data").as_str() {
                "yes" => changes.push(PlanChange::MigratesData(true)),
                "no" => changes.push(PlanChange::MigratesData(false)),
                "" => {}
                other => {
                    let opts = static_options(YesNo, &[]);
                    return Err(invalid(&form.label("migrates_data"), other, &expected(&opts)));
                }
            }
            changes.push(PlanChange::BackupPlan(v("backup_plan")));
            changes.push(PlanChange::MigrationPlan(v("migration_plan")));
            changes.push(PlanChange::RollbackPlan(v("rollback_plan")));
            changes.push(PlanChange::EmergencyReason(v("emergency_reason")));
            changes.extend((0..base.map_or(0, |b| b.risks)).map(|_| PlanChange::RemoveRisk(1)));
            let risks = form.label("risks");
            for (i, r) in rows(&v("risks")).into_iter().enumerate() {
                let level = |j: usize| {
                    let x = r.get(j).map(String::as_str).unwrap_or("medium");
                    choose(&row_label(&risks, i + 1), x, E::Level, Level::ALL, Level::as_str)
                };
                changes.push(PlanChange::AddRisk(Risk {
                    description: r[0].clone(),
                    likelihood: level(1)?,
                    impact: level(2)?,
                    mitigation: r.get(3).cloned().unwrap_or_default(),
                }));
            }
            changes.extend((0..base.map_or(0, |b| b.staff)).map(|_| PlanChange::RemoveStaff(1)));
            for r in rows(&v("staff")) {
                changes.push(PlanChange::AddStaff(StaffAssignment {
                    person: r[0].clone(),
                    role: r.get(1).cloned().unwrap_or_default(),
                    duty: r.get(2).cloned().unwrap_or_default(),
                }));
            }
            (
                Command::PlanEdit {
                    id: need_plan()?,
                    changes,
                },
                rev,
            )
        }
        FormKind::Defect => (
            Command::DefectAdd {
                plan: need_plan()?,
                severity: form.pick("severity", Severity::ALL, Severity::as_str)?,
                description: v("description"),
                found_by: Tester {
                    name: v("found_by"),
                    kind: form.pick("tester_type", TesterType::ALL, TesterType::as_str)?,
                },
                item: form.number("item", "1")?,
                vendor_ref: Some(v("vendor_ref")),
            },
            None,
        ),
        FormKind::Backup => (
            Command::Backup {
                plan: need_plan()?,
                backup: BackupConfirmation {
                    what: v("what"),
                    location: v("location"),
                    size: v("size"),
                    checksum: v("checksum"),
                    verified_by: v("verified_by"),
                    time: chrono::Utc::now(),
                },
            },
            None,
        ),
        FormKind::GoLive => (
            Command::GoLive {
                plan: need_plan()?,
                golive: GoLive {
                    time: form.time("time")?,
                    deployer: v("deployer"),
                    version: v("version"),
                    outcome: form.pick("outcome", GoLiveOutcome::ALL, GoLiveOutcome::as_str)?,
                    steps: v("steps"),
                    config_changes: v("config_changes"),
                    incidents: v("incidents"),
                    deviation: None,
                },
            },
            None,
        ),
        FormKind::Training => (
            Command::Training {
                plan: need_plan()?,
                training: Training {
                    format: form.pick("format", TrainingFormat::ALL, TrainingFormat::as_str)?,
                    date: chrono::NaiveDate::parse_from_str(v("date").trim(), "%Y-%m-%d")
                        .map_err(|_| invalid(&form.label("date"), &v("date"), "YYYY-MM-DD"))?,
                    trainer: v("trainer"),
                    departments: v("departments")
                        .split([',', '，', '、'])
                        .map(|x| x.trim().to_string())
                        .filter(|x| !x.is_empty())
                        .collect(),
                    attendance: form.number("attendance", "12")?.unwrap_or(0),
                    audience: Audience::parse_list(&v("audience"))
                        .map_err(|bad| invalid(&form.label("audience"), &bad, "教务处=120/96"))?,
                },
            },
            None,
        ),
        FormKind::Comparison => return comparison(need_plan()?, &form.label("rows"), &v("rows")),
        FormKind::Incident => (
            Command::PlanIncident {
                plan: need_plan()?,
                outcome: form.pick("outcome", IncidentOutcome::ALL, IncidentOutcome::as_str)?,
                time: form.time("time")?,
                by: v("by"),
                what: v("what"),
            },
            None,
        ),
        FormKind::Review => {
            // `verdict | goal | note`, one line a goal in the plan's order.
            let label = form.label("goals");
            let mut goals = Vec::new();
            for (i, r) in rows(&v("goals")).into_iter().enumerate() {
                let verdict = choose(
                    &row_label(&label, i + 1),
                    &r[0],
                    E::GoalVerdict,
                    GoalVerdict::ALL,
                    GoalVerdict::as_str,
                )?;
                goals.push(crate::workflow::command::GoalInput {
                    no: i as u32 + 1,
                    verdict,
                    note: r.get(2..).map(|x| x.join(" | ")).unwrap_or_default(),
                });
            }
            (
                Command::PlanReview {
                    plan: need_plan()?,
                    goals,
                    summary: v("summary"),
                },
                None,
            )
        }
        FormKind::DefectUpdate => (
            Command::DefectUpdate {
                plan: need_plan()?,
                defect: form.required_number("defect", "D1")?,
                status: Some(form.pick("status", DefectStatus::ALL, DefectStatus::as_str)?),
                vendor_ref: Some(v("vendor_ref")),
            },
            None,
        ),
        FormKind::AcceptDefect => (
            Command::DefectAccept {
                plan: need_plan()?,
                defect: form.required_number("defect", "D1")?,
                reason: v("reason"),
            },
            None,
        ),
        FormKind::Deviation => (
            Command::PlanDeviation {
                plan: need_plan()?,
                time: form.time("time")?,
                reason: v("reason"),
            },
            None,
        ),
        FormKind::AcceptRequest => {
            let (id, rev) = form.target.ok_or_else(|| t("tui.form.no_target", &[]))?;
            // Only what was written: an empty field keeps the analysis on record.
            let edit = crate::service::RequestEdit {
                necessity: Some(v("necessity")).filter(|x| !x.trim().is_empty()),
                feasibility: Some(v("feasibility")).filter(|x| !x.trim().is_empty()),
                ..Default::default()
            };
            let mut cmds = Vec::new();
            if edit.necessity.is_some() || edit.feasibility.is_some() {
                cmds.push((Command::RequestEdit { id, edit }, Some(rev)));
            }
            cmds.push((
                Command::RequestTriage {
                    id,
                    triage: crate::service::Triage::Accept { outcome: None },
                },
                None,
            ));
            return Ok(cmds);
        }
        FormKind::Reschedule => {
            let window = Window {
                start: form.time("window_start")?,
                end: form.time("window_end")?,
            };
            (
                Command::PlanReschedule {
                    id: need_plan()?,
                    window,
                    reason: v("reason"),
                    justification: Some(v("override")).filter(|x| !x.trim().is_empty()),
                },
                rev,
            )
        }
        FormKind::RespondOrder => (
            Command::OrderRespond {
                id: need_plan()?,
                response: v("response"),
            },
            rev,
        ),
        FormKind::ExtendOrder => (
            Command::OrderExtend {
                id: need_plan()?,
                deadline: form.date("deadline")?,
                reason: v("reason"),
            },
            rev,
        ),
        FormKind::ReportToOrder => {
            let plan = v("plan");
            let department = v("department");
            let target = if !plan.trim().is_empty() {
                let id = Id::parse_kind(plan.trim(), IdKind::Plan)
                    .map_err(|_| invalid(&form.label("plan"), &plan, "PLAN-2026-0001"))?;
                Some(OrderTarget::Plan(id))
            } else if !department.trim().is_empty() {
                Some(OrderTarget::Department(department.trim().to_string()))
            } else {
                None
            };
            (
                Command::ReportToOrder {
                    id: need_plan()?,
                    target,
                    finding: Some(v("finding")).filter(|f| !f.trim().is_empty()),
                    required_action: v("required_action"),
                    deadline: form.date("deadline")?,
                },
                rev,
            )
        }
        FormKind::NoticeDraft => return notice_draft(s, form, need_plan()?, rev),
        FormKind::Milestones => return milestones(s, form, need_plan()?, rev),
        FormKind::JointReview => {
            let label = form.label("requests");
            let mut requests = Vec::new();
            for w in v("requests")
                .split([',', '，', '、', ' '])
                .filter(|w| !w.trim().is_empty())
            {
                requests
                    .push(Id::parse_kind(w.trim(), IdKind::Request).map_err(|_| invalid(&label, w, "REQ-2026-0001"))?);
            }
            if requests.is_empty() {
                return Err(required(&label));
            }
            (
                Command::JointReviewNew {
                    topic: v("topic"),
                    requests,
                    departments: v("departments")
                        .split([',', '，', '、', ' '])
                        .map(|x| x.trim().to_string())
                        .filter(|x| !x.is_empty())
                        .collect(),
                    date: chrono::NaiveDate::parse_from_str(v("date").trim(), "%Y-%m-%d")
                        .map_err(|_| invalid(&form.label("date"), &v("date"), "YYYY-MM-DD"))?,
                },
                None,
            )
        }
        FormKind::JointDecide => {
            let (id, _) = form.target.ok_or_else(|| t("tui.form.no_target", &[]))?;
            let label = form.label("reject");
            let mut reject = Vec::new();
            for w in v("reject")
                .split([',', '，', '、', ' '])
                .filter(|w| !w.trim().is_empty())
            {
                reject
                    .push(Id::parse_kind(w.trim(), IdKind::Request).map_err(|_| invalid(&label, w, "REQ-2026-0001"))?);
            }
            (
                Command::JointReviewDecide {
                    id,
                    position: v("position"),
                    minutes_ref: v("minutes"),
                    reject,
                },
                None,
            )
        }
        FormKind::TestItem => (
            Command::TestItem {
                plan: need_plan()?,
                category: form.pick("category", TestCategory::ALL, TestCategory::as_str)?,
                description: v("description"),
                expected: v("expected"),
                tester: Tester {
                    name: v("tester"),
                    kind: form.pick("tester_type", TesterType::ALL, TesterType::as_str)?,
                },
                retest: form.number("retest", "1")?,
            },
            None,
        ),
    }])
}

/// The notice form as one command: every field, the language, and the text
/// when it was edited (left as shown it stays generated, or the draft it was;
/// emptied, the draft is discarded).
fn notice_draft(s: &State, form: &Form, id: Id, rev: Option<u64>) -> Result<Vec<(Command, Option<u64>)>, String> {
    use crate::workflow::NoticeChange;
    let v = |name: &str| form.value(name);
    let language = form.pick("language", NoticeLanguage::ALL, NoticeLanguage::as_str)?;
    let fields = [
        (NoticeField::Services, "services"),
        (NoticeField::UserGroups, "user_groups"),
        (NoticeField::Impact, "impact"),
        (NoticeField::UserAction, "user_action"),
        (NoticeField::Contact, "contact"),
        (NoticeField::StudentArrangements, "students"),
    ];
    let mut changes: Vec<NoticeChange> = fields
        .iter()
        .map(|(field, name)| NoticeChange::Field {
            field: *field,
            value: v(name),
        })
        .collect();
    changes.push(NoticeChange::Language { language });
    // The text as the form opened with it: the draft, else the generated one.
    let plan = s.plans.detail.as_ref().filter(|p| p.id == id);
    let shown = plan.and_then(|p| {
        let sys = s.systems.iter().find(|x| x.id == p.system)?;
        Some(crate::service::notice_to_publish(p, sys))
    });
    let had_draft = plan.is_some_and(|p| p.notice_draft.is_some());
    let text = v("text");
    if text.trim().is_empty() {
        if had_draft {
            changes.push(NoticeChange::Text { text: None });
        }
    } else if shown.as_deref().map(str::trim) != Some(text.trim()) {
        changes.push(NoticeChange::Text { text: Some(text) });
    }
    Ok(vec![(Command::PlanNoticeDraft { id, changes }, rev)])
}

/// The milestones form as one command: the test start, the go-live time,
/// and the planned training rows `date | format | place | for whom` (the
/// sessions the plan had are replaced by the rows).
fn milestones(s: &State, form: &Form, id: Id, rev: Option<u64>) -> Result<Vec<(Command, Option<u64>)>, String> {
    use crate::workflow::Milestone;
    let plan = s.plans.detail.as_ref().filter(|p| p.id == id);
    let opt_time = |name: &str| -> Result<Option<Time>, String> {
        if form.value(name).trim().is_empty() {
            Ok(None)
        } else {
            form.time(name).map(Some)
        }
    };
    let mut changes = Vec::new();
    let test_start = opt_time("test_start")?;
    if plan.is_none_or(|p| p.milestones.test_start != test_start) {
        changes.push(Milestone::TestStart(test_start));
    }
    let golive = opt_time("golive")?;
    if plan.is_none_or(|p| p.milestones.golive.as_ref().map(|g| g.time) != golive) {
        changes.push(Milestone::GoLive(golive));
    }
    let label = form.label("training");
    let mut rows_now = Vec::new();
    for (i, r) in rows(&form.value("training")).into_iter().enumerate() {
        let at = row_label(&label, i + 1);
        let date = chrono::NaiveDate::parse_from_str(r[0].trim(), "%Y-%m-%d")
            .map_err(|_| invalid(&at, &r[0], "YYYY-MM-DD"))?;
        let format = choose(
            &at,
            r.get(1).map(String::as_str).unwrap_or(""),
            E::TrainingFormat,
            TrainingFormat::ALL,
            TrainingFormat::as_str,
        )?;
        rows_now.push(PlannedTraining {
            date,
            format,
            place: r.get(2).cloned().unwrap_or_default(),
            audience: r.get(3).cloned().unwrap_or_default(),
        });
    }
    let before = plan.map(|p| p.milestones.training.clone()).unwrap_or_default();
    // Rows gone are removed (from the last, so the numbers hold), new ones added.
    for (i, tr) in before.iter().enumerate().rev() {
        if !rows_now.contains(tr) {
            changes.push(Milestone::RemoveTraining(i + 1));
        }
    }
    for tr in rows_now {
        if !before.contains(&tr) {
            changes.push(Milestone::AddTraining(tr));
        }
    }
    if changes.is_empty() {
        return Err(t("tui.form.unchanged", &[]));
    }
    Ok(vec![(Command::PlanMilestone { id, changes }, rev)])
}

/// Comparison rows `function | before | after | added/changed/removed`, one command each.
fn comparison(plan: Id, label: &str, text: &str) -> Result<Vec<(Command, Option<u64>)>, String> {
    let mut out = Vec::new();
    for (i, r) in rows(text).into_iter().enumerate() {
        let change = r.get(3).map(String::as_str).unwrap_or("");
        let change = choose(
            &row_label(label, i + 1),
            change,
            E::ChangeType,
            ChangeType::ALL,
            ChangeType::as_str,
        )?;
        let row = ComparisonRow {
            function: r[0].clone(),
            before: r.get(1).cloned().unwrap_or_default(),
            after: r.get(2).cloned().unwrap_or_default(),
            change,
        };
        out.push((Command::ComparisonAdd { plan, row }, None));
    }
    if out.is_empty() {
        return Err(required(label));
    }
    Ok(out)
}

fn submit(s: &mut State, form: Form, fx: &mut Vec<Effect>) {
    match command(s, &form) {
        Ok(mut cmds) => {
            let label = match (&form.subject, form.kind) {
                (Some(name), FormKind::ResolveName) => {
                    t("tui.done.resolved", &[("name", crate::sanitize::clean_line(name))])
                }
                _ => t("tui.done.saved", &[]),
            };
            let job = if cmds.len() == 1 {
                let (cmd, expect_rev) = cmds.remove(0);
                Job::Execute { cmd, expect_rev, label }
            } else {
                Job::ExecuteMany { cmds, label }
            };
            fx.push(Effect::Job(job));
            s.pending_form = Some(form);
        }
        Err(msg) => {
            s.toast(msg, true);
            s.popups.push(Popup::Form(form));
        }
    }
}

/// The worker finished a command: a submitted form is done, its draft goes
/// (the parked forms, and a form opened meanwhile, stay).
pub fn done(s: &mut State, fx: &mut Vec<Effect>) {
    if s.pending_form.take().is_some() {
        fx.push(Effect::Draft(Some(snapshot(s, open_form(s)))));
    }
}

/// The worker refused a command: a submitted form comes back to keep editing
/// (on a conflict the message says who changed the record; Esc and reopen reloads).
pub fn failed(s: &mut State, e: &Error) {
    if let Some(mut form) = s.pending_form.take() {
        if let (Error::Conflict { found, .. }, Some((id, _))) = (e, form.target) {
            // Keep editing on top of the newer revision only if the user saves again.
            form.title = format!(
                "{} {id} — {}",
                t(title_key(form.kind), &[]),
                t("tui.form.conflict", &[])
            );
            form.target = Some((id, *found));
            form.conflict = true;
        }
        // A value the core refused is shown on its field (the only one, if it
        // names none of them), which takes the focus.
        if let Error::Input { field, .. } = e {
            let i = form.index(field).or((form.fields.len() == 1).then_some(0));
            if let Some(i) = i {
                form.warnings.insert(form.fields[i].name, e.message());
                form.set_focus(i);
            }
        }
        s.popups.push(Popup::Form(form));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The language is global to the process: tests that read labels hold this.
    fn lang(l: &str) -> std::sync::MutexGuard<'static, ()> {
        static LANG: std::sync::Mutex<()> = std::sync::Mutex::new(());
        let g = LANG.lock().unwrap_or_else(|e| e.into_inner());
        crate::i18n::set(l);
        g
    }

    fn state() -> State {
        let (keymap, _) = super::super::super::keymap::Keymap::load(None);
        let mut s = State::new("wanglei".into(), vec![Role::Operator], "here".into(), keymap, vec![]);
        let now = chrono::Utc::now();
        s.systems = ["一卡通系统", "教务管理系统"]
            .iter()
            .enumerate()
            .map(|(i, name)| System {
                id: Id::new(IdKind::System, 2026, i as u32 + 1),
                name: name.to_string(),
                department: if i == 0 { "后勤处" } else { "教务处" }.into(),
                vendor: String::new(),
                version: "V1".into(),
                depends_on: Vec::new(),
                meta: Meta::new("wanglei", now),
            })
            .collect();
        s
    }

    /// A draft plan of the card system, open in the plans pane; the calendar has a
    /// hard exam period for every system and a soft one (welcome week).
    fn with_plan(s: &mut State) -> Id {
        let now = chrono::Utc::now();
        let actor = Actor::new("wanglei", &[Role::Operator]);
        let ctx = crate::workflow::Ctx {
            actor: &actor,
            now,
            rules: Default::default(),
            on_behalf_of: None,
        };
        let id = Id::new(IdKind::Plan, 2026, 1);
        let mut plan = crate::workflow::new_plan(id, &s.systems[0], "固件升级", "V2.3", "V2.4", &ctx);
        plan.risks.push(Risk {
            description: "升级中断".into(),
            likelihood: Level::Low,
            impact: Level::High,
            mitigation: "保留现金通道".into(),
        });
        s.calendar = vec![
            Blackout {
                name: "期末考试".into(),
                start: chrono::NaiveDate::from_ymd_opt(2027, 1, 4).unwrap(),
                end: chrono::NaiveDate::from_ymd_opt(2027, 1, 15).unwrap(),
                hard: true,
                systems: vec![],
            },
            Blackout {
                name: "迎新周".into(),
                start: chrono::NaiveDate::from_ymd_opt(2027, 2, 20).unwrap(),
                end: chrono::NaiveDate::from_ymd_opt(2027, 2, 27).unwrap(),
                hard: false,
                systems: vec![],
            },
        ];
        s.plans.detail = Some(plan);
        id
    }

    /// The new-plan form warns, before it is sent, of an open plan of the
    /// system with the same target version (the core's `same_target`), naming
    /// it and the system's current version; another version or system: none.
    #[test]
    fn new_plan_form_warns_of_the_same_target_version() {
        let mut s = state();
        let actor = Actor::new("wanglei", &[Role::Operator]);
        let ctx = crate::workflow::Ctx {
            actor: &actor,
            now: chrono::Utc::now(),
            rules: Default::default(),
            on_behalf_of: None,
        };
        let other = Id::new(IdKind::Plan, 2026, 7);
        s.plans.all = vec![crate::workflow::new_plan(other, &s.systems[1], "成绩导入", "V1", "V2.0", &ctx).summary()];
        let mut f = opened(&mut s, FormKind::NewPlan);
        f.set("system", &s.systems[1].id.to_string());
        f.set("title", "成绩导入再改");
        f.set("version_to", "V2.0");
        check(&s, &mut f);
        let w = f.warnings.get("version_to").cloned().unwrap_or_default();
        assert!(
            w.contains("PLAN-2026-0007") && w.contains("V1") && w.contains("V2.0"),
            "{w}"
        );
        assert_eq!(f.warnings.get("system"), Some(&w));
        f.set("version_to", "V2.1");
        check(&s, &mut f);
        assert!(f.warnings.is_empty(), "{:?}", f.warnings);
        f.set("version_to", "V2.0");
        f.set("system", &s.systems[0].id.to_string());
        check(&s, &mut f);
        assert!(f.warnings.is_empty(), "{:?}", f.warnings);
    }

    /// Open a form of `kind` and take it off the popup stack.
    fn opened(s: &mut State, kind: FormKind) -> Form {
        open(s, kind, &mut Vec::new());
        top_form(s)
    }

    fn top_form(s: &mut State) -> Form {
        match s.popups.pop() {
            Some(Popup::Form(f)) => f,
            other => panic!("no form on top: {other:?}"),
        }
    }

    fn press(s: &mut State, form: Form, k: KeyEvent) -> (Form, Vec<Effect>) {
        let mut fx = Vec::new();
        key(s, form, k, &mut fx);
        (top_form(s), fx)
    }

    fn typed(s: &mut State, mut form: Form, text: &str) -> Form {
        for c in text.chars() {
            form = press(s, form, KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)).0;
        }
        form
    }

    fn k(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn ctrl(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
    }

    /// Move the focus to the field called `name` with Tab, as a user would.
    fn to(s: &mut State, mut form: Form, name: &str) -> Form {
        for _ in 0..form.fields.len() {
            if form.focused().name == name {
                return form;
            }
            form = press(s, form, k(KeyCode::Tab)).0;
        }
        panic!("no field {name}");
    }

    fn commands(s: &State, form: &Form) -> Vec<Command> {
        command(s, form)
            .unwrap_or_else(|e| panic!("{:?}: {e}", form.kind))
            .into_iter()
            .map(|(c, _)| c)
            .collect()
    }

    #[test]
    fn every_kind_has_distinct_names_and_labels_in_both_languages() {
        let kinds = [
            FormKind::NewRequest,
            FormKind::NewPlan,
            FormKind::EditPlan,
            FormKind::Defect,
            FormKind::Backup,
            FormKind::GoLive,
            FormKind::TestItem,
            FormKind::Training,
            FormKind::Comparison,
            FormKind::DefectUpdate,
            FormKind::AcceptRequest,
            FormKind::AcceptDefect,
            FormKind::Deviation,
            FormKind::Reschedule,
            FormKind::NoticeDraft,
            FormKind::Milestones,
            FormKind::RespondOrder,
            FormKind::ExtendOrder,
            FormKind::ReportToOrder,
            FormKind::JointReview,
            FormKind::JointDecide,
            FormKind::Incident,
            FormKind::Review,
            FormKind::NewTemplate,
            FormKind::EditTemplate,
            FormKind::NewPerson,
            FormKind::EditPerson,
            FormKind::NewDepartment,
            FormKind::EditDepartment,
            FormKind::NewVendor,
            FormKind::EditVendor,
            FormKind::ResolveName,
        ];
        for kind in kinds {
            let names: std::collections::BTreeSet<&str> = spec(kind).iter().map(|sp| sp.name).collect();
            assert_eq!(names.len(), spec(kind).len(), "{kind:?}: a name twice");
            for sp in spec(kind) {
                for key in std::iter::once(sp.label).chain(sp.hint) {
                    for l in crate::i18n::LANGS {
                        assert!(crate::i18n::has(l, key), "{kind:?}.{}: {key} ({l})", sp.name);
                    }
                }
            }
        }
    }

    /// Every kind opens with its defaults and turns into its command, each field
    /// read by name (a name the code reads that the form lacks would panic here).
    /// The class and template fields: the class picker (by either language),
    /// the emergency justification, a template's items as rows, a standard
    /// change from the template the templates pane shows.
    #[test]
    fn class_and_template_forms_are_read_by_name() {
        let _l = lang("zh-CN");
        let mut s = state();
        let plan = with_plan(&mut s);
        let mut f = opened(&mut s, FormKind::EditPlan);
        assert_eq!(f.value("class"), "normal");
        f.set("class", "紧急");
        f.set("emergency_reason", "高危漏洞");
        match commands(&s, &f).as_slice() {
            [Command::PlanEdit { id, changes }] => {
                assert_eq!(*id, plan);
                assert!(
                    changes.contains(&PlanChange::Class(ChangeClass::Emergency)),
                    "{changes:?}"
                );
                assert!(changes.contains(&PlanChange::EmergencyReason("高危漏洞".into())));
                // The class comes before the justification of a soft period it may refuse.
                let class = changes.iter().position(|c| matches!(c, PlanChange::Class(_)));
                let over = changes
                    .iter()
                    .position(|c| matches!(c, PlanChange::BlackoutOverride { .. }));
                assert!(class < over, "{changes:?}");
            }
            other => panic!("{other:?}"),
        }
        let mut f = opened(&mut s, FormKind::NewTemplate);
        f.set("system", &s.systems[1].id.to_string());
        f.set("title", "教务系统月度补丁");
        f.set("items", "功能 | 学生选课 | 选课成功\n安全 | 漏洞验证\n登录");
        match commands(&s, &f).as_slice() {
            [Command::TemplateNew { system, items, .. }] => {
                assert_eq!(*system, s.systems[1].id);
                let got: Vec<(TestCategory, &str, &str)> = items
                    .iter()
                    .map(|i| (i.category, i.description.as_str(), i.expected.as_str()))
                    .collect();
                assert_eq!(
                    got,
                    [
                        (TestCategory::Functional, "学生选课", "选课成功"),
                        (TestCategory::Security, "漏洞验证", ""),
                        (TestCategory::Functional, "登录", ""),
                    ]
                );
            }
            other => panic!("{other:?}"),
        }
        f.set("items", "不是类别 | 学生选课");
        let e = command(&s, &f).unwrap_err();
        assert!(e.contains("测试项") && e.contains("1"), "{e}");

        // The templates pane shows an approved template: a new plan is a standard change of it.
        let now = chrono::Utc::now();
        let tpl = Template {
            id: Id::new(IdKind::Template, 2026, 1),
            title: "月度补丁".into(),
            system: s.systems[0].id,
            content: "补丁".into(),
            approach: "停机".into(),
            items: vec![TemplateItem {
                category: TestCategory::Security,
                description: "漏洞验证".into(),
                expected: String::new(),
            }],
            status: TemplateStatus::Approved,
            submission: 1,
            approvals: Vec::new(),
            contributors: Vec::new(),
            approved_at: Some(now),
            expires: None,
            meta: Meta::new("wanglei", now),
        };
        s.templates.detail = Some(tpl.clone());
        s.pane = crate::tui::action::Pane::Templates;
        let mut f = opened(&mut s, FormKind::NewPlan);
        assert_eq!(f.focused().name, "title");
        f.set("version_to", "V2");
        match commands(&s, &f).as_slice() {
            [Command::PlanNew {
                system,
                class,
                template,
                ..
            }] => assert_eq!(
                (*system, *class, *template),
                (tpl.system, ChangeClass::Standard, Some(tpl.id))
            ),
            other => panic!("{other:?}"),
        }
        // Its editor replaces the items it had.
        let mut f = opened(&mut s, FormKind::EditTemplate);
        assert_eq!(f.value("items"), "安全 | 漏洞验证 | ");
        f.set("items", "性能 | 并发 | 2 秒内");
        match commands(&s, &f).as_slice() {
            [Command::TemplateEdit { id, changes }] => {
                assert_eq!(*id, tpl.id);
                assert!(changes.contains(&crate::workflow::TemplateChange::RemoveItem(1)));
                assert!(changes.iter().any(|c| matches!(c,
                    crate::workflow::TemplateChange::AddItem(i) if i.category == TestCategory::Performance)));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn each_form_is_read_by_name() {
        let _l = lang("zh-CN");
        let mut s = state();
        let plan = with_plan(&mut s);

        let mut f = opened(&mut s, FormKind::NewRequest);
        f.set("title", "食堂消费机重复扣款");
        f.set("system", "一卡通");
        f.set("submitter", "李老师");
        f.set("submitter_type", "教师");
        f.set("channel", "电话");
        f.set("tags", "扣款，高峰 消费机");
        match commands(&s, &f).as_slice() {
            [Command::RequestAdd { request: r }] => {
                assert_eq!(r.title, "食堂消费机重复扣款");
                assert_eq!(
                    r.system,
                    Some(s.systems[0].id),
                    "a part of a name that names one system"
                );
                assert_eq!(r.submitter.kind, SubmitterType::Teacher);
                assert_eq!(r.channel, Channel::Phone);
                assert_eq!(r.kind, RequestKind::Problem);
                assert_eq!(r.priority, Priority::Normal);
                assert_eq!(r.tags, ["扣款", "高峰", "消费机"]);
            }
            other => panic!("{other:?}"),
        }
        // A choice is stored as its code, whatever it was set by.
        assert_eq!(f.value("submitter_type"), "teacher");
        assert_eq!(f.value("channel"), "phone");

        // The plan editor: risks shown with the labels of the language, read back.
        let mut f = opened(&mut s, FormKind::EditPlan);
        assert_eq!(f.value("risks"), "升级中断 | 低 | 高 | 保留现金通道");
        assert_eq!(f.plan.map(|b| b.risks), Some(1));
        f.set("window_start", "2026-12-05 22:00");
        f.set("window_end", "2026-12-06 02:00");
        f.set("migrates_data", "否");
        f.set("staff", "王磊 | 负责人 | 实施");
        // Parked, the plan closed: saving still replaces the one risk it had.
        s.plans.detail = None;
        match commands(&s, &f).as_slice() {
            [Command::PlanEdit { id, changes }] => {
                assert_eq!(*id, plan);
                assert!(changes.contains(&PlanChange::MigratesData(false)), "{changes:?}");
                let removed = changes
                    .iter()
                    .filter(|c| matches!(c, PlanChange::RemoveRisk(_)))
                    .count();
                let added: Vec<&Risk> = changes
                    .iter()
                    .filter_map(|c| match c {
                        PlanChange::AddRisk(r) => Some(r),
                        _ => None,
                    })
                    .collect();
                assert_eq!(removed, 1);
                assert_eq!((added[0].likelihood, added[0].impact), (Level::Low, Level::High));
                assert!(changes.iter().any(|c| matches!(c, PlanChange::Window(Some(_)))));
            }
            other => panic!("{other:?}"),
        }
        with_plan(&mut s);

        // The others, from their defaults and a few fields.
        let mut f = opened(&mut s, FormKind::NewPlan);
        f.set("system", &s.systems[1].id.to_string());
        f.set("title", "选课系统扩容");
        assert!(matches!(commands(&s, &f).as_slice(), [Command::PlanNew { system, .. }] if *system == s.systems[1].id));
        let mut f = opened(&mut s, FormKind::Defect);
        f.set("description", "高峰期交易响应超过三秒");
        f.set("item", "#2");
        assert!(matches!(
            commands(&s, &f).as_slice(),
            [Command::DefectAdd {
                severity: Severity::Major,
                item: Some(2),
                ..
            }]
        ));
        let f = opened(&mut s, FormKind::Backup);
        assert!(
            matches!(commands(&s, &f).as_slice(), [Command::Backup { backup, .. }] if backup.verified_by == "wanglei")
        );
        let f = opened(&mut s, FormKind::GoLive);
        assert!(matches!(
            commands(&s, &f).as_slice(),
            [Command::GoLive { golive, .. }] if golive.outcome == GoLiveOutcome::Success && golive.version == "V2.4"
        ));
        let mut f = opened(&mut s, FormKind::Training);
        f.set("format", "视频");
        f.set("attendance", "12");
        assert!(matches!(
            commands(&s, &f).as_slice(),
            [Command::Training { training, .. }] if training.format == TrainingFormat::OnlineVideo && training.attendance == 12 && training.departments == ["后勤处"]
        ));
        let mut f = opened(&mut s, FormKind::Comparison);
        f.set("rows", "交易去重 | 三秒 | 三十秒 | 变更\n导出 | | 支持 | added");
        assert!(matches!(
            commands(&s, &f).as_slice(),
            [Command::ComparisonAdd { row: a, .. }, Command::ComparisonAdd { row: b, .. }]
                if a.change == ChangeType::Changed && b.change == ChangeType::Added
        ));
        let mut f = opened(&mut s, FormKind::TestItem);
        f.set("category", "性能");
        f.set("description", "每秒五十笔交易");
        assert!(matches!(
            commands(&s, &f).as_slice(),
            [Command::TestItem {
                category: TestCategory::Performance,
                retest: None,
                ..
            }]
        ));
        let mut f = opened(&mut s, FormKind::Deviation);
        f.set("reason", "后勤处要求提前上线");
        assert!(matches!(commands(&s, &f).as_slice(), [Command::PlanDeviation { .. }]));
        // After go-live: an incident, and a review with a line a goal.
        let mut f = opened(&mut s, FormKind::Incident);
        f.set("outcome", "回滚");
        f.set("what", "上线后食堂POS机无法扣款");
        assert!(matches!(
            commands(&s, &f).as_slice(),
            [Command::PlanIncident { outcome: IncidentOutcome::RolledBack, by, .. }] if by == "wanglei"
        ));
        if let Some(p) = s.plans.detail.as_mut() {
            p.goals = "1. 支持扫码消费；\n2. 充值实时到账".into();
        }
        let mut f = opened(&mut s, FormKind::Review);
        assert_eq!(f.value("goals"), "达成 | 支持扫码消费\n达成 | 充值实时到账");
        f.set("goals", "达成 | 支持扫码消费\n部分 | 充值实时到账 | 高峰期延迟一分钟");
        f.set("summary", "基本达成");
        match commands(&s, &f).as_slice() {
            [Command::PlanReview { goals, summary, .. }] => {
                assert_eq!(summary, "基本达成");
                let got: Vec<(u32, GoalVerdict, &str)> =
                    goals.iter().map(|g| (g.no, g.verdict, g.note.as_str())).collect();
                assert_eq!(
                    got,
                    [(1, GoalVerdict::Met, ""), (2, GoalVerdict::Partly, "高峰期延迟一分钟")]
                );
            }
            other => panic!("{other:?}"),
        }
        f.set("goals", "也许 | 支持扫码消费");
        assert!(command(&s, &f).unwrap_err().contains("也许"));
        let mut f = opened(&mut s, FormKind::Reschedule);
        f.set("window_start", "2026-12-12 22:00");
        f.set("window_end", "2026-12-13 02:00");
        f.set("reason", "厂商补丁延期");
        assert!(matches!(
            commands(&s, &f).as_slice(),
            [Command::PlanReschedule { reason, justification: None, .. }] if reason == "厂商补丁延期"
        ));
        // The notice: the fields and the language; the text only when edited.
        let mut f = opened(&mut s, FormKind::NoticeDraft);
        assert_eq!(f.value("language"), "zh-CN");
        assert!(f.value("text").contains("更新预告"), "{}", f.value("text"));
        assert!(
            !f.value("text").contains("升级中断"),
            "the risk register stays out of the notice"
        );
        f.set("impact", "消费机暂停使用约一小时");
        f.set("language", "英文");
        match commands(&s, &f).as_slice() {
            [Command::PlanNoticeDraft { changes, .. }] => {
                use crate::workflow::NoticeChange as N;
                assert!(changes.contains(&N::Language {
                    language: NoticeLanguage::En
                }));
                assert!(changes.contains(&N::Field {
                    field: NoticeField::Impact,
                    value: "消费机暂停使用约一小时".into()
                }));
                assert!(!changes.iter().any(|c| matches!(c, N::Text { .. })), "{changes:?}");
            }
            other => panic!("{other:?}"),
        }
        f.set("text", "一卡通系统将于周五晚升级。");
        assert!(matches!(
            commands(&s, &f).as_slice(),
            [Command::PlanNoticeDraft { changes, .. }]
                if changes.contains(&crate::workflow::NoticeChange::Text { text: Some("一卡通系统将于周五晚升级。".into()) })
        ));
        let mut f = opened(&mut s, FormKind::Milestones);
        f.set("test_start", "2026-12-12 23:00");
        f.set("training", "2026-12-20 | 现场 | 二食堂 | 各食堂收银员");
        match commands(&s, &f).as_slice() {
            [Command::PlanMilestone { changes, .. }] => {
                use crate::workflow::Milestone as M;
                assert!(matches!(changes[0], M::TestStart(Some(_))), "{changes:?}");
                assert!(changes.iter().any(
                    |c| matches!(c, M::AddTraining(tr) if tr.format == TrainingFormat::OnSite && tr.place == "二食堂")
                ));
            }
            other => panic!("{other:?}"),
        }
        // Kinds opened on a defect or a request: built directly.
        let target = Some((plan, 1));
        let mut f = build(FormKind::DefectUpdate, target, |_| None);
        f.set("defect", "D3");
        f.set("status", "已验证");
        assert!(matches!(
            commands(&s, &f).as_slice(),
            [Command::DefectUpdate {
                defect: 3,
                status: Some(DefectStatus::Verified),
                ..
            }]
        ));
        let mut f = build(FormKind::AcceptDefect, target, |_| None);
        f.set("defect", "d1");
        assert!(matches!(
            commands(&s, &f).as_slice(),
            [Command::DefectAccept { defect: 1, .. }]
        ));
        let req = Id::new(IdKind::Request, 2026, 7);
        let mut f = build(FormKind::AcceptRequest, Some((req, 3)), |_| None);
        f.set("feasibility", "厂商可实现");
        assert!(matches!(
            commands(&s, &f).as_slice(),
            [Command::RequestEdit { id, edit }, Command::RequestTriage { .. }]
                if *id == req && edit.necessity.is_none() && edit.feasibility.as_deref() == Some("厂商可实现")
        ));
    }

    /// The picker of the submitter type: typing 老师 over the default (staff)
    /// chooses teacher; the English label, the code and an alias find too.
    #[test]
    fn pickers_filter_by_chinese_labels_and_aliases() {
        let _l = lang("zh-CN");
        let mut s = state();
        let f = opened(&mut s, FormKind::NewRequest);
        let f = to(&mut s, f, "submitter_type");
        assert_eq!(f.value("submitter_type"), "staff");
        let f = typed(&mut s, f, "老师");
        assert_eq!(f.value("submitter_type"), "teacher", "an alias");
        let Input::Pick(p) = &f.focused().input else { panic!() };
        assert_eq!(p.query.text(), "老师", "typing went to the filter, not into the value");
        let opts = options(&s, f.focused().choices().unwrap());
        let shown: Vec<&str> = p.matches(&opts).iter().map(|&i| opts[i].label.as_str()).collect();
        assert_eq!(shown, ["教师"]);
        // Leaving the field forgets the filter; the choice stays.
        let f = press(&mut s, f, k(KeyCode::Tab)).0;
        let Input::Pick(p) = &f.field("submitter_type").input else {
            panic!()
        };
        assert_eq!((p.query.text().as_str(), p.value.as_str()), ("", "teacher"));
        // The channel: 电话 (the label), tel (an alias), 邮 (a part of a label).
        let f = to(&mut s, f, "channel");
        let f = typed(&mut s, f, "电话");
        assert_eq!(f.value("channel"), "phone");
        let f = press(&mut s, f, ctrl('u')).0;
        let f = typed(&mut s, f, "tel");
        assert_eq!(f.value("channel"), "phone");
        let f = press(&mut s, f, ctrl('u')).0;
        let f = typed(&mut s, f, "邮");
        assert_eq!(f.value("channel"), "email");
        // Up/Down and ctrl-n/ctrl-p choose among all when nothing is typed.
        let f = press(&mut s, f, ctrl('u')).0;
        let (f, fx) = press(&mut s, f, k(KeyCode::Down));
        assert_eq!(f.value("channel"), "website");
        assert!(
            matches!(fx.as_slice(), [Effect::Draft(Some(d))] if d.open.is_some()),
            "saved as a draft"
        );
        let f = press(&mut s, f, ctrl('n')).0;
        assert_eq!(f.value("channel"), "counsellor");
        let f = press(&mut s, f, ctrl('p')).0;
        assert_eq!(f.value("channel"), "website");
        // In an English session the Chinese label still finds it.
        drop(_l);
        let _l = lang("en");
        let f = opened(&mut s, FormKind::NewRequest);
        let f = to(&mut s, f, "submitter_type");
        let f = typed(&mut s, f, "学生");
        assert_eq!(f.value("submitter_type"), "student");
        // The system picker: by a part of the name.
        let f = to(&mut s, f, "system");
        let f = typed(&mut s, f, "教务");
        assert_eq!(f.value("system"), s.systems[1].id.to_string());
    }

    /// Readline keys in a form field (the widths: tests in input.rs).
    #[test]
    fn readline_keys_in_a_form() {
        let _l = lang("zh-CN");
        let mut s = state();
        let f = opened(&mut s, FormKind::NewRequest);
        let f = typed(&mut s, f, "食堂消费机 重复扣款");
        let f = press(&mut s, f, ctrl('w')).0;
        assert_eq!(f.value("title"), "食堂消费机 ");
        let f = press(&mut s, f, ctrl('u')).0;
        assert_eq!(f.value("title"), "");
        let (f, fx) = press(&mut s, f, ctrl('z'));
        assert_eq!(f.value("title"), "食堂消费机 ");
        assert!(
            matches!(fx.as_slice(), [Effect::Draft(Some(_))]),
            "undo is a change: {fx:?}"
        );
        let f = press(&mut s, f, ctrl('a')).0;
        let f = press(&mut s, f, ctrl('k')).0;
        assert_eq!(f.value("title"), "");
    }

    /// The window's calendar warning, in the normal order (the start, then the
    /// end): it is on the end field while the end is typed, and goes when the end
    /// moves out of the exam period. (It used to be kept on the start field only,
    /// so it never showed while the end was edited.)
    #[test]
    fn the_calendar_warning_follows_the_window_end() {
        let _l = lang("zh-CN");
        let mut s = state();
        with_plan(&mut s);
        let f = opened(&mut s, FormKind::EditPlan);
        let f = to(&mut s, f, "window_start");
        let f = typed(&mut s, f, "2027-01-03 22:00");
        assert!(f.warnings.is_empty(), "{:?}", f.warnings);
        let f = to(&mut s, f, "window_end");
        let f = typed(&mut s, f, "2027-01-0");
        assert_eq!(f.warnings.get("window_end"), Some(&t("tui.warn.window_format", &[])));
        let f = typed(&mut s, f, "5 02:00");
        let shown = f.warnings.get(f.focused().name).cloned().unwrap_or_default();
        assert!(shown.contains("期末考试"), "on the end field: {shown:?}");
        assert_eq!(f.warnings.get("window_start"), Some(&shown), "and on the start");
        // The end moved back before the period: the warning goes.
        let f = press(&mut s, f, ctrl('u')).0;
        let f = typed(&mut s, f, "2027-01-03 23:30");
        assert!(f.warnings.is_empty(), "{:?}", f.warnings);
        // A soft period asks for the justification, on both ends and on its field.
        let f = press(&mut s, f, ctrl('u')).0;
        let f = to(&mut s, f, "window_start");
        let f = press(&mut s, f, ctrl('u')).0;
        let f = typed(&mut s, f, "2027-02-21 22:00");
        let f = to(&mut s, f, "window_end");
        let f = typed(&mut s, f, "2027-02-22 02:00");
        assert!(f.warnings["window_end"].contains("迎新周"), "{:?}", f.warnings);
        assert!(f.warnings.contains_key("override"));
        let f = to(&mut s, f, "override");
        let f = typed(&mut s, f, "安全补丁不能推迟");
        assert!(f.warnings.is_empty(), "justified: {:?}", f.warnings);
    }

    /// Errors name the field by its label, never its internal name.
    #[test]
    fn errors_name_fields_by_their_labels() {
        let _l = lang("zh-CN");
        let mut s = state();
        with_plan(&mut s);
        // A draft of an earlier version, with what the old form let through.
        let old = FormDraft {
            kind: FormKind::NewRequest,
            target: None,
            values: Values::InOrder(
                [
                    "标题",
                    "",
                    "problem",
                    "",
                    "李",
                    "staff老师",
                    "",
                    "",
                    "other",
                    "normal",
                    "",
                ]
                .map(String::from)
                .to_vec(),
            ),
            focus: Focus::Index(5),
            plan: None,
            parked_at: None,
            subject: None,
        };
        let f = from_draft(old);
        assert_eq!(f.focused().name, "submitter_type");
        let e = command(&s, &f).unwrap_err();
        assert_eq!(e, "「提交人类型」无效：staff老师（应为 教师、学生、职工、部门）");
        let mut f = opened(&mut s, FormKind::Training);
        f.set("attendance", "十二");
        assert_eq!(command(&s, &f).unwrap_err(), "「参加人数」无效：十二（应为 12）");
        f.set("attendance", "12");
        f.set("date", "12月6日");
        assert_eq!(command(&s, &f).unwrap_err(), "「日期」无效：12月6日（应为 YYYY-MM-DD）");
        let f = opened(&mut s, FormKind::NewPlan);
        assert_eq!(command(&s, &f).unwrap_err(), "「信息系统」不能为空");
        let mut f = opened(&mut s, FormKind::EditPlan);
        f.set("window_start", "2026-12-05 22:00");
        assert_eq!(
            command(&s, &f).unwrap_err(),
            "「窗口结束」无效：（应为 YYYY-MM-DD HH:MM）"
        );
        f.set("window_end", "2026-12-06 02:00");
        f.set("risks", "升级中断 | 极低 | 高 | 保留现金通道");
        assert_eq!(
            command(&s, &f).unwrap_err(),
            "「风险第 1 行」无效：极低（应为 低、中、高）"
        );
        let mut f = opened(&mut s, FormKind::Comparison);
        f.set("rows", "交易去重 | 三秒 | 三十秒 | 改了");
        assert_eq!(
            command(&s, &f).unwrap_err(),
            "「功能对比第 1 行」无效：改了（应为 新增、变更、删除）"
        );
        drop(_l);
        let _l = lang("en");
        let f = from_draft(FormDraft {
            kind: FormKind::NewRequest,
            target: None,
            values: Values::Named(BTreeMap::from([("channel".to_string(), "fax".to_string())])),
            focus: Focus::Name("channel".into()),
            plan: None,
            parked_at: None,
            subject: None,
        });
        let e = command(&s, &f).unwrap_err();
        assert!(e.starts_with("invalid “kind”: "), "{e}");
        assert!(!e.contains("submitter_type") && !e.contains("request_kind"), "{e}");
    }

    /// Choices are stored as codes and shown in the session's language; a draft
    /// of an earlier version that stored a label reopens on the code it names.
    #[test]
    fn choices_reopen_in_the_language_shown() {
        let mut s = state();
        let d = {
            let _l = lang("zh-CN");
            let f = opened(&mut s, FormKind::NewRequest);
            let f = to(&mut s, f, "submitter_type");
            let f = typed(&mut s, f, "老师");
            draft_of(&f)
        };
        let Values::Named(v) = &d.values else { panic!() };
        assert_eq!(v["submitter_type"], "teacher");
        for (l, label) in [("zh-CN", "教师"), ("en", "teacher")] {
            let _l = lang(l);
            let f = from_draft(d.clone());
            let opts = options(&s, f.field("submitter_type").choices().unwrap());
            let Input::Pick(p) = &f.field("submitter_type").input else {
                panic!()
            };
            assert_eq!(p.chosen(&opts).map(|c| c.label.as_str()), Some(label), "{l}");
        }
        // 是 in a draft of an earlier version's plan editor is yes.
        let _l = lang("zh-CN");
        let mut old: Vec<String> = vec![String::new(); 13];
        old.push("是".into());
        let f = from_draft(FormDraft {
            kind: FormKind::EditPlan,
            target: None,
            values: Values::InOrder(old),
            focus: Focus::Index(0),
            plan: None,
            parked_at: None,
            subject: None,
        });
        assert_eq!(f.value("migrates_data"), "yes");
    }

    fn parked_popup(s: &mut State) -> (ListCursor, bool) {
        match s.popups.pop() {
            Some(Popup::Parked { cursor, confirm }) => (cursor, confirm),
            other => panic!("no list of parked forms: {other:?}"),
        }
    }

    /// Park two forms, list them, reopen one, discard the other; what is saved
    /// comes back in a new session as a list.
    #[test]
    fn parked_forms_round_trip() {
        let _l = lang("zh-CN");
        let mut s = state();
        with_plan(&mut s);
        let f = opened(&mut s, FormKind::NewRequest);
        let f = typed(&mut s, f, "门禁刷卡偶尔失败");
        let f = to(&mut s, f, "channel");
        let f = typed(&mut s, f, "电话");
        let mut fx = Vec::new();
        key(&mut s, f, k(KeyCode::F(2)), &mut fx);
        assert!(s.popups.is_empty(), "parking closes the form");
        assert_eq!(s.parked.len(), 1);
        assert!(matches!(fx.as_slice(), [Effect::Draft(Some(d))] if d.open.is_none() && d.parked.len() == 1));
        assert!(s.toasts.last().unwrap().text.contains("已暂存「新建需求」"));

        let f = opened(&mut s, FormKind::EditPlan);
        let f = to(&mut s, f, "goals");
        let f = typed(&mut s, f, "消除重复扣款");
        let mut fx = Vec::new();
        key(&mut s, f, ctrl('o'), &mut fx);
        assert_eq!(s.parked.len(), 2);
        let Some(Effect::Draft(Some(saved))) = fx.pop() else {
            panic!("{fx:?}")
        };
        assert_eq!(saved.parked.len(), 2);

        // The list: Down, Enter reopens the plan edit where it was.
        super::super::action(
            &mut s,
            super::super::super::action::Action::FormsParked,
            &mut Vec::new(),
        );
        let (cursor, _) = parked_popup(&mut s);
        let mut fx = Vec::new();
        parked_key(&mut s, cursor, false, k(KeyCode::Down), &mut fx);
        let (cursor, _) = parked_popup(&mut s);
        assert_eq!(cursor.selected, 1);
        parked_key(&mut s, cursor, false, k(KeyCode::Enter), &mut fx);
        let f = top_form(&mut s);
        assert_eq!(f.kind, FormKind::EditPlan);
        assert_eq!(f.value("goals"), "消除重复扣款");
        assert_eq!(f.focused().name, "goals");
        assert_eq!(s.parked.len(), 1);
        assert!(matches!(fx.last(), Some(Effect::Draft(Some(d))) if d.open.is_some() && d.parked.len() == 1));
        // Park it again; discard the request: d, then y.
        let mut fx = Vec::new();
        key(&mut s, f, k(KeyCode::F(2)), &mut fx);
        parked_list(&mut s);
        let (cursor, _) = parked_popup(&mut s);
        assert_eq!(s.parked[cursor.selected].kind, FormKind::NewRequest);
        parked_key(&mut s, cursor, false, k(KeyCode::Char('d')), &mut fx);
        let (cursor, confirm) = parked_popup(&mut s);
        assert!(confirm);
        parked_key(&mut s, cursor, true, k(KeyCode::Char('y')), &mut fx);
        assert_eq!(s.parked.len(), 1);
        let Some(Effect::Draft(Some(saved))) = fx.pop() else {
            panic!()
        };
        assert_eq!(saved.parked.len(), 1);
        assert_eq!(saved.parked[0].kind, FormKind::EditPlan);

        // Another session: a parked form and an interrupted one are listed, not opened.
        let mut s2 = state();
        let mut d = saved.clone();
        d.open = Some(draft_of(&{
            let mut f = build(FormKind::NewRequest, None, |_| None);
            f.set("title", "选课高峰卡顿");
            f.set("channel", "phone");
            f
        }));
        restore(&mut s2, d);
        let (cursor, _) = parked_popup(&mut s2);
        assert_eq!(s2.parked.len(), 2);
        assert!(s2.toasts[0].text.contains('2'), "{:?}", s2.toasts);
        parked_key(&mut s2, cursor, false, k(KeyCode::Enter), &mut Vec::new());
        let f = top_form(&mut s2);
        assert_eq!(
            (f.value("title").as_str(), f.value("channel").as_str()),
            ("选课高峰卡顿", "phone")
        );
        // The plan edit keeps what it knew of its plan: saving replaces one risk.
        let f = s2.parked.pop().unwrap();
        assert_eq!(f.plan.map(|b| b.risks), Some(1));
        // One interrupted form alone reopens at once, as before.
        let mut s3 = state();
        restore(
            &mut s3,
            Draft {
                open: Some(draft_of(&f)),
                parked: vec![],
            },
        );
        assert_eq!(top_form(&mut s3).value("goals"), "消除重复扣款");
        assert!(s3.parked.is_empty());
    }

    /// A submitted form's draft goes when the command is done; parked ones stay.
    #[test]
    fn done_keeps_the_parked_forms() {
        let _l = lang("zh-CN");
        let mut s = state();
        let f = opened(&mut s, FormKind::NewRequest);
        let f = typed(&mut s, f, "甲");
        key(&mut s, f, k(KeyCode::F(2)), &mut Vec::new());
        let f = opened(&mut s, FormKind::NewRequest);
        let f = typed(&mut s, f, "乙");
        let mut fx = Vec::new();
        key(&mut s, f, ctrl('s'), &mut fx);
        assert!(s.pending_form.is_some(), "sent: {fx:?}");
        let mut fx = Vec::new();
        done(&mut s, &mut fx);
        assert!(matches!(fx.as_slice(), [Effect::Draft(Some(d))] if d.open.is_none() && d.parked.len() == 1));
    }
}
