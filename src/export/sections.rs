//! One description of what a plan and a filed dossier hold, section by section,
//! from which every view of them is drawn: the Markdown export
//! ([`super::dossier_markdown`]), `beian plan show` and `beian archive show`
//! (`cli/sections.rs`) and the dossier in the UI's archive (`tui/ui/sections.rs`).
//! A field added to the model is added here once and shows in all of them;
//! tests/dossier_complete.rs fails, naming the field, when one is in the record but
//! missing from an output.
//!
//! Pure: records in, labelled text out, in the current language. Text is given as
//! typed; escaping it for a format (Markdown) is the renderer's business, and the
//! terminal views clean it of control characters as they draw it.

use crate::i18n::t;
use crate::model::*;
use crate::service::DossierView;

/// A titled part of a record: its blocks, then its subsections (a test round
/// within the tests, a request within the linked requests).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// In the current language.
    pub title: String,
    pub blocks: Vec<Block>,
    pub subsections: Vec<Section>,
}

/// What a section shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// Label and value, one pair a line; a value may hold line breaks.
    Fields(Vec<(String, String)>),
    /// A table: headers and rows of as many cells; a cell may hold line breaks.
    Table {
        headers: Vec<String>,
        rows: Vec<Vec<String>>,
    },
    /// Free text: paragraphs and line breaks as typed.
    Text(String),
    /// Nothing is recorded here (the renderers say so, [`nothing`]).
    Nothing,
}

impl Section {
    fn new(title: String) -> Section {
        Section {
            title,
            blocks: Vec::new(),
            subsections: Vec::new(),
        }
    }

    fn block(mut self, b: Block) -> Section {
        self.blocks.push(b);
        self
    }

    fn sub(mut self, s: Section) -> Section {
        self.subsections.push(s);
        self
    }

    /// Nothing recorded in it or in any subsection.
    pub fn is_empty(&self) -> bool {
        self.blocks.iter().all(|b| *b == Block::Nothing) && self.subsections.iter().all(Section::is_empty)
    }
}

/// What the renderers show for [`Block::Nothing`].
pub fn nothing() -> String {
    t("record.nothing", &[])
}

/// Fields in order; `opt` leaves out a value that is not there.
#[derive(Default)]
struct F(Vec<(String, String)>);

impl F {
    fn add(mut self, label: String, value: impl Into<String>) -> F {
        self.0.push((label, value.into()));
        self
    }

    fn opt(self, label: String, value: Option<impl Into<String>>) -> F {
        match value {
            Some(v) => self.add(label, v),
            None => self,
        }
    }

    fn block(self) -> Block {
        Block::Fields(self.0)
    }
}

/// A table, or [`Block::Nothing`] without rows.
fn table(headers: Vec<String>, rows: Vec<Vec<String>>) -> Block {
    if rows.is_empty() {
        Block::Nothing
    } else {
        Block::Table { headers, rows }
    }
}

/// A text, or [`Block::Nothing`] when only whitespace.
fn text(s: &str) -> Block {
    if s.trim().is_empty() {
        Block::Nothing
    } else {
        Block::Text(s.to_string())
    }
}

fn who_when(who: &str, when: Time) -> String {
    format!("{who} · {}", fmt_time(when))
}

/// Who created and last changed a record, and its revision.
fn meta(f: F, created: String, m: &Meta) -> F {
    f.add(created, who_when(&m.created_by, m.created_at))
        .add(t("record.field.updated", &[]), who_when(&m.updated_by, m.updated_at))
        .add(t("record.field.rev", &[]), m.rev.to_string())
}

/// The title of a dossier on one line: `FILE-2026-0003 一卡通系统 — 标题`.
pub fn dossier_title(v: &DossierView) -> String {
    let d = &v.dossier;
    format!("{} {} — {}", d.id, d.system.name, d.plan.title)
}

/// Every section of a filed dossier, each field of the record in one of them; a
/// section with nothing recorded says so.
pub fn dossier_sections(v: &DossierView) -> Vec<Section> {
    let d = &v.dossier;
    let mut out = vec![Section::new(t("record.section.filing", &[])).block(
        F::default()
            .add(t("cli.col.id", &[]), d.id.to_string())
            .add(t("export.col.filed_by", &[]), &d.filed_by)
            .add(t("export.col.filed", &[]), fmt_time(d.filed_at))
            .block(),
    )];
    // The plan's own fields, the system as it was, then the plan's sections.
    let mut plan = plan_parts(&d.plan, &d.system, true).into_iter();
    out.extend(plan.next());
    out.push(system_section(&d.system));
    out.extend(plan);
    let mut requests = Section::new(t("cli.section.requests", &[]));
    for r in &d.requests {
        requests = requests.sub(request_section(r));
    }
    if requests.subsections.is_empty() {
        requests = requests.block(Block::Nothing);
    }
    out.push(requests);
    let mut feedback = Section::new(t("record.section.feedback", &[]));
    for r in &d.feedback {
        feedback = feedback.sub(request_section(r));
    }
    if feedback.subsections.is_empty() {
        feedback = feedback.block(Block::Nothing);
    }
    out.push(feedback);
    out.push(Section::new(t("record.section.attachments", &[])).block(attachments_table(&d.attachments)));
    let mut addenda = Section::new(t("cli.section.addenda", &[]));
    for a in &v.addenda {
        addenda = addenda.sub(addendum_section(a));
    }
    if addenda.subsections.is_empty() {
        addenda = addenda.block(Block::Nothing);
    }
    out.push(addenda);
    out
}

/// One addendum: who appended it and when, then what it records, by kind.
pub fn addendum_section(a: &Addendum) -> Section {
    let title = t(
        "record.section.addendum",
        &[("no", a.no.to_string()), ("kind", a.body.label())],
    );
    let mut head = F::default()
        .add(t("record.field.addendum_kind", &[]), a.body.label())
        .add(t("record.field.author", &[]), &a.author)
        .add(t("cli.col.time", &[]), fmt_time(a.time));
    // A correction's reason and text; a typed addendum has none of its own,
    // but shows them if it carries any.
    let correction = a.body == AddendumBody::Correction;
    let some = |x: &str| Some(x.to_string()).filter(|x| correction || !x.is_empty());
    head = head
        .opt(t("cli.col.reason", &[]), some(&a.reason))
        .opt(t("cli.col.content", &[]), some(&a.text));
    let s = Section::new(title);
    match &a.body {
        AddendumBody::Correction => s.block(head.block()),
        AddendumBody::Incident(i) => s.block(incident_fields(head, i).block()),
        AddendumBody::Training(tr) => s.block(
            head.add(t("record.field.date", &[]), tr.date.to_string())
                .add(t("record.field.format", &[]), tr.format.label())
                .add(t("record.field.trainer", &[]), &tr.trainer)
                .add(
                    t("record.field.departments", &[]),
                    crate::i18n::list(tr.departments.iter().cloned()),
                )
                .add(t("record.field.attendance", &[]), tr.attendance.to_string())
                .block(),
        ),
        AddendumBody::Feedback(r) => s.block(head.block()).sub(request_section(r)),
        AddendumBody::Review(r) => review_parts(s.block(head.block()), r),
        AddendumBody::Attachment(at) => s.block(attachment_fields(head, at).block()),
    }
}

/// An attached file's fields after `f`: name, kind, size, SHA-256.
fn attachment_fields(f: F, a: &crate::model::AttachmentRef) -> F {
    f.add(t("record.field.attachment_name", &[]), &a.name)
        .add(t("record.field.attachment_kind", &[]), a.kind.label())
        .add(t("record.field.attachment_size", &[]), crate::model::size_text(a.size))
        .add("SHA-256".into(), &a.sha256)
        .add(t("record.field.attachment_on", &[]), &a.entity)
}

/// The files attached to a record (or sealed with a dossier): one row each.
pub fn attachments_table(list: &[crate::model::AttachmentRef]) -> Block {
    table(
        vec![
            "#".into(),
            t("record.field.attachment_name", &[]),
            t("record.field.attachment_kind", &[]),
            t("record.field.attachment_size", &[]),
            "SHA-256".into(),
            t("record.field.attachment_on", &[]),
        ],
        list.iter()
            .enumerate()
            .map(|(k, a)| {
                vec![
                    (k + 1).to_string(),
                    a.name.clone(),
                    a.kind.label(),
                    crate::model::size_text(a.size),
                    a.sha256.chars().take(16).collect(),
                    a.entity.clone(),
                ]
            })
            .collect(),
    )
}

/// The files attached to one record, as its detail lists them (issue 18 §1):
/// number, name, kind, size, the start of the SHA-256, who attached it and
/// when, and on a filed record the addendum that sealed it.
pub fn attachments_section(list: &[AttachmentEntry]) -> Section {
    // The addendum column only where one was sealed after filing.
    let sealed = list.iter().any(|a| a.addendum.is_some());
    let mut headers = vec![
        "#".into(),
        t("record.field.attachment_name", &[]),
        t("record.field.attachment_kind", &[]),
        t("record.field.attachment_size", &[]),
        "SHA-256".into(),
        t("record.field.attached_by", &[]),
    ];
    if sealed {
        headers.push(t("record.field.sealed_by", &[]));
    }
    let rows = list
        .iter()
        .map(|a| {
            let mut row = vec![
                a.no.to_string(),
                a.name.clone(),
                a.kind.label(),
                size_text(a.size),
                a.sha256.chars().take(12).collect(),
                who_when(&a.added_by, a.added_at),
            ];
            if sealed {
                row.push(a.addendum.clone().unwrap_or_default());
            }
            row
        })
        .collect();
    Section::new(t("record.section.files", &[])).block(table(headers, rows))
}

/// An incident's fields after `f`.
fn incident_fields(f: F, i: &Incident) -> F {
    f.add(t("record.field.incident_outcome", &[]), i.outcome.label())
        .add(t("record.field.incident_time", &[]), fmt_time(i.time))
        .add(t("record.field.incident_by", &[]), &i.by)
        .add(t("record.field.incident_what", &[]), &i.what)
        .add(t("record.field.incident_golive", &[]), i.golive.to_string())
        .add(t("record.field.recorded_by", &[]), &i.recorded_by)
        .add(t("record.field.recorded_at", &[]), fmt_time(i.recorded_at))
}

fn incidents_table(list: &[Incident]) -> Block {
    table(
        vec![
            "#".into(),
            t("record.field.incident_outcome", &[]),
            t("record.field.incident_time", &[]),
            t("record.field.incident_by", &[]),
            t("record.field.incident_what", &[]),
            t("record.field.incident_golive", &[]),
            t("record.field.recorded_by", &[]),
            t("record.field.recorded_at", &[]),
        ],
        list.iter()
            .enumerate()
            .map(|(k, i)| {
                vec![
                    (k + 1).to_string(),
                    i.outcome.label(),
                    fmt_time(i.time),
                    i.by.clone(),
                    i.what.clone(),
                    i.golive.to_string(),
                    i.recorded_by.clone(),
                    fmt_time(i.recorded_at),
                ]
            })
            .collect(),
    )
}

/// A review's fields, its goals, the incidents and the feedback it names.
fn review_parts(s: Section, r: &Review) -> Section {
    let f = F::default()
        .add(t("record.field.review_golive", &[]), r.golive.to_string())
        .add(t("record.field.reviewed_by", &[]), &r.by)
        .add(t("record.field.reviewed_at", &[]), fmt_time(r.time))
        .add(t("record.field.review_summary", &[]), &r.summary);
    let goals = Section::new(t("record.section.review_goals", &[])).block(table(
        vec![
            "#".into(),
            t("record.field.goal", &[]),
            t("record.field.goal_verdict", &[]),
            t("cli.col.notes", &[]),
        ],
        r.goals
            .iter()
            .enumerate()
            .map(|(k, g)| vec![(k + 1).to_string(), g.goal.clone(), g.verdict.label(), g.note.clone()])
            .collect(),
    ));
    let incidents = Section::new(t("record.section.incidents", &[])).block(incidents_table(&r.incidents));
    let feedback = Section::new(t("record.section.feedback", &[])).block(table(
        vec![t("cli.col.id", &[]), t("cli.col.title", &[]), t("cli.col.status", &[])],
        r.feedback
            .iter()
            .map(|f| vec![f.id.to_string(), f.title.clone(), f.status.label()])
            .collect(),
    ));
    s.block(f.block()).sub(goals).sub(incidents).sub(feedback)
}

/// The reviews of a plan (§4.3), one subsection each.
fn reviews_section(p: &Plan) -> Section {
    let mut s = Section::new(t("record.section.reviews", &[]));
    for (k, r) in p.reviews.iter().enumerate() {
        s = s.sub(review_parts(
            Section::new(t("record.section.review", &[("no", (k + 1).to_string())])),
            r,
        ));
    }
    if s.subsections.is_empty() {
        s = s.block(Block::Nothing);
    }
    s
}

/// A plan as `beian plan show` prints it: every section that has something
/// recorded (the written ones always), and the go-live checklist while it is
/// being tested.
pub fn plan_sections(p: &Plan, sys: &System, gates: Option<&crate::workflow::Gates>) -> Vec<Section> {
    let mut out = plan_parts(p, sys, false);
    if let Some(g) = gates {
        // What the core says of the plan now: the calendar, the approvals.
        let mut f = F::default();
        for c in &g.calendar {
            f = f.add(t("cli.col.calendar_conflict", &[]), c.message());
        }
        if p.status == PlanStatus::Submitted {
            let (have, need) = g.approvals;
            f = f.add(t("cli.col.approvals", &[]), format!("{have}/{need}"));
        }
        // The submit check: the requests the plan answers, or that it answers none.
        if matches!(
            p.status,
            PlanStatus::Draft | PlanStatus::Returned | PlanStatus::Submitted
        ) {
            if !g.requests.is_empty() {
                f = f.add(t("cli.col.linked_requests", &[]), linked_lines(&g.requests));
            }
            for w in &g.warnings {
                f = f.add(t("cli.warning_col", &[]), w.message(p.id));
            }
        }
        if let Some(r) = &g.review {
            f = f.add(t("record.field.review", &[]), r.message());
        }
        if !f.0.is_empty() {
            out.insert(1, Section::new(t("record.section.gates", &[])).block(f.block()));
        }
        if matches!(
            p.status,
            PlanStatus::Implementing | PlanStatus::Testing | PlanStatus::Ready
        ) {
            out.push(golive_gate_section(&g.golive));
        }
    }
    out
}

/// The linked requests a line each: `REQ-2026-0012 [已受理] 标题`.
pub fn linked_lines(requests: &[crate::workflow::LinkedRequest]) -> String {
    requests
        .iter()
        .map(|r| match r.status {
            Some(s) => format!("{} [{}] {}", r.id, s.label(), r.title),
            None => r.id.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// An approver's acceptance of a risk, as fields: who, for which member, when, why.
fn acceptance(f: F, a: Option<&RiskAcceptance>) -> F {
    match a {
        Some(a) => f
            .add(t("record.field.accepted_by", &[]), &a.by)
            .opt(t("record.field.member", &[]), a.on_behalf_of.as_deref())
            .add(t("record.field.accepted_at", &[]), fmt_time(a.time))
            .add(t("record.field.accepted_reason", &[]), &a.reason),
        None => f,
    }
}

/// The columns of an acceptance in a table: who, for which member, when, why.
fn acceptance_cells(a: Option<&RiskAcceptance>) -> [String; 4] {
    match a {
        Some(a) => [
            a.by.clone(),
            a.on_behalf_of.clone().unwrap_or_default(),
            fmt_time(a.time),
            a.reason.clone(),
        ],
        None => Default::default(),
    }
}

fn acceptance_headers(who: &str) -> [String; 4] {
    [
        t(who, &[]),
        t("record.field.member", &[]),
        t("record.field.accepted_at", &[]),
        t("record.field.accepted_reason", &[]),
    ]
}

fn deviation(d: &Deviation) -> F {
    let f = F::default()
        .add(t("record.field.deviation_time", &[]), fmt_time(d.time))
        .add(t("record.field.deviation_reason", &[]), &d.reason)
        .add(t("record.field.deviation_recorded", &[]), &d.recorded_by)
        .add(t("record.field.deviation_recorded_at", &[]), fmt_time(d.recorded_at));
    match &d.accepted {
        Some(a) => acceptance(f, Some(a)),
        None => f.add(t("record.field.accepted_by", &[]), t("cli.deviation_pending", &[])),
    }
}

/// A contribution kind's label, or the kind itself when it has none.
fn contribution_label(kind: &str) -> String {
    let key = format!("contribution.{kind}");
    let label = t(&key, &[]);
    if label == key {
        kind.to_string()
    } else {
        label
    }
}

fn system_section(s: &System) -> Section {
    let f = F::default()
        .add(t("cli.col.id", &[]), s.id.to_string())
        .add(t("record.field.name", &[]), &s.name)
        .add(t("cli.col.department", &[]), &s.department)
        .add(t("cli.col.vendor", &[]), &s.vendor)
        .add(t("cli.col.version", &[]), &s.version);
    Section::new(t("record.section.system", &[])).block(meta(f, t("record.field.created", &[]), &s.meta).block())
}

/// The plan's own fields, its written sections and everything recorded against
/// it. `complete`: every section, saying so where nothing is recorded (a
/// dossier); otherwise those without records are left out (the written ones
/// stay, they are what a draft is for).
fn plan_parts(p: &Plan, sys: &System, complete: bool) -> Vec<Section> {
    let f = F::default()
        .add(t("cli.col.id", &[]), p.id.to_string())
        .add(t("cli.col.title", &[]), &p.title)
        .add(t("cli.col.status", &[]), p.status.label())
        .add(t("cli.col.class", &[]), p.class.label())
        .opt(
            t("enum.PlanField.emergency_reason", &[]),
            Some(p.emergency_reason.as_str()).filter(|r| !r.trim().is_empty()),
        )
        .opt(
            t("record.field.template", &[]),
            p.template.as_ref().map(|x| format!("{} {}", x.id, x.title)),
        )
        .add(
            t("cli.col.system", &[]),
            if sys.id == p.system {
                format!("{} ({})", sys.name, p.system)
            } else {
                p.system.to_string()
            },
        )
        .add(t("export.col.version_from", &[]), &p.version_from)
        .add(t("export.col.version_to", &[]), &p.version_to)
        .add(
            t("cli.col.window", &[]),
            p.window
                .as_ref()
                .map(|w| format!("{} — {}", fmt_time(w.start), fmt_time(w.end)))
                .unwrap_or_default(),
        )
        .opt(t("cli.col.override", &[]), p.blackout_override.as_deref())
        .add(
            t("enum.PlanField.migrates_data", &[]),
            match p.migrates_data {
                Some(true) => t("cli.yes", &[]),
                Some(false) => t("cli.no", &[]),
                None => String::new(),
            },
        )
        .add(t("record.field.submission", &[]), p.submission.to_string())
        .opt(t("record.field.cancel_reason", &[]), p.cancel_reason.as_deref())
        .opt(
            t("record.field.failure_reason", &[]),
            p.failure.as_ref().map(|f| f.reason.clone()),
        )
        .opt(
            t("record.field.failed_by", &[]),
            p.failure.as_ref().map(|f| who_when(&f.by, f.time)),
        )
        .add(
            t("cli.col.requests", &[]),
            p.requests.iter().map(Id::to_string).collect::<Vec<_>>().join(" "),
        )
        .opt(
            t("record.field.feedback", &[]),
            Some(p.feedback.iter().map(Id::to_string).collect::<Vec<_>>().join(" ")).filter(|s| !s.is_empty()),
        )
        .opt(
            t("record.field.retest_after", &[]),
            p.retest_after_round.map(|n| n.to_string()),
        )
        .opt(t("record.field.dossier", &[]), p.dossier.map(|d| d.to_string()));
    let mut out =
        vec![Section::new(t("record.section.plan", &[])).block(meta(f, t("cli.col.author", &[]), &p.meta).block())];
    out.push(
        Section::new(t("record.section.overrides", &[])).block(table(
            vec![t("cli.col.period", &[]), t("cli.col.override", &[])],
            p.blackout_overrides
                .iter()
                .map(|o| vec![o.period.clone(), o.reason.clone()])
                .collect(),
        )),
    );
    out.push(
        Section::new(t("record.section.contributors", &[])).block(table(
            vec![t("record.field.contributor", &[]), t("record.field.contribution", &[])],
            p.contributors
                .iter()
                .map(|c| {
                    vec![
                        c.name.clone(),
                        crate::i18n::list(c.did.iter().map(|d| contribution_label(d))),
                    ]
                })
                .collect(),
        )),
    );
    for (key, body) in p.text_sections() {
        out.push(Section::new(t(key, &[])).block(text(body)));
    }
    out.push(
        Section::new(t("record.section.staff", &[])).block(table(
            vec![
                "#".into(),
                t("cli.col.person", &[]),
                t("cli.col.role", &[]),
                t("cli.col.duty", &[]),
            ],
            p.staff
                .iter()
                .enumerate()
                .map(|(i, s)| vec![(i + 1).to_string(), s.person.clone(), s.role.clone(), s.duty.clone()])
                .collect(),
        )),
    );
    out.push(
        Section::new(t("cli.section.risks", &[])).block(table(
            vec![
                "#".into(),
                t("cli.col.risk", &[]),
                t("cli.col.likelihood", &[]),
                t("cli.col.impact", &[]),
                t("cli.col.mitigation", &[]),
            ],
            p.risks
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    vec![
                        (i + 1).to_string(),
                        r.description.clone(),
                        r.likelihood.label(),
                        r.impact.label(),
                        r.mitigation.clone(),
                    ]
                })
                .collect(),
        )),
    );
    out.push(template_scope_section(p));
    out.push(
        Section::new(t("cli.section.approvals", &[])).block(table(
            vec![
                "#".into(),
                t("cli.col.time", &[]),
                t("record.field.approver", &[]),
                t("record.field.decision", &[]),
                t("record.field.minutes", &[]),
                t("record.field.comment", &[]),
                t("record.field.submission", &[]),
                t("record.field.member", &[]),
            ],
            p.approvals
                .iter()
                .enumerate()
                .map(|(i, a)| {
                    vec![
                        (i + 1).to_string(),
                        fmt_time(a.time),
                        a.approver.clone(),
                        a.decision.label(),
                        a.minutes_ref.clone(),
                        a.comment.clone(),
                        a.submission.to_string(),
                        a.on_behalf_of.clone().unwrap_or_default(),
                    ]
                })
                .collect(),
        )),
    );
    out.push(notice_section(p, complete));
    out.push(publications_section(p));
    out.push(window_history_section(p));
    out.push(milestones_section(p));
    if let Some(d) = &p.deviation {
        out.push(Section::new(t("cli.section.deviation", &[])).block(deviation(d).block()));
    }
    let mut rounds = Section::new(t("record.section.rounds", &[]));
    for r in round_sections(p) {
        rounds = rounds.sub(r);
    }
    if rounds.subsections.is_empty() {
        rounds = rounds.block(Block::Nothing);
    }
    out.push(rounds);
    out.push(defects_section(p));
    out.push(backup_section(p));
    out.push(golive_section(p));
    out.push(Section::new(t("record.section.incidents", &[])).block(incidents_table(&p.incidents)));
    out.push(training_section(p));
    out.push(
        Section::new(t("cli.section.comparison", &[])).block(table(
            vec![
                "#".into(),
                t("cli.col.function", &[]),
                t("cli.col.before", &[]),
                t("cli.col.after", &[]),
                t("cli.col.change", &[]),
            ],
            p.comparison
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    vec![
                        (i + 1).to_string(),
                        c.function.clone(),
                        c.before.clone(),
                        c.after.clone(),
                        c.change.label(),
                    ]
                })
                .collect(),
        )),
    );
    out.push(reviews_section(p));
    if !complete {
        // The written sections stay even when empty: they are what is to be filled in.
        let written = 1 + p.text_sections().len();
        let mut i = 0;
        out.retain(|s| {
            i += 1;
            i <= written || !s.is_empty()
        });
    }
    out
}

/// A standard change: the template it is an instance of (its approval, expiry
/// and test items, as they were when the plan was created) and each submission
/// that approval covered.
fn template_scope_section(p: &Plan) -> Section {
    let s = Section::new(t("record.section.template", &[]));
    let Some(x) = &p.template else {
        return s.block(Block::Nothing);
    };
    s.block(
        F::default()
            .add(t("cli.col.id", &[]), x.id.to_string())
            .add(t("cli.col.title", &[]), &x.title)
            .add(t("record.field.template_approved", &[]), fmt_time(x.approved_at))
            .add(
                t("record.field.approver", &[]),
                crate::i18n::list(x.approvers.iter().cloned()),
            )
            .add(t("record.field.expires", &[]), x.expires.to_string())
            .add(t("enum.PlanField.content", &[]), &x.content)
            .add(t("enum.PlanField.approach", &[]), &x.approach)
            .block(),
    )
    .block(template_items_table(&x.items))
    .sub(
        Section::new(t("record.section.covers", &[])).block(table(
            vec![
                t("record.field.submission", &[]),
                t("cli.col.time", &[]),
                t("record.field.submitted_by", &[]),
                t("record.field.template", &[]),
                t("record.field.expires", &[]),
            ],
            p.covers
                .iter()
                .map(|c| {
                    vec![
                        c.submission.to_string(),
                        fmt_time(c.time),
                        c.by.clone(),
                        c.template.to_string(),
                        c.expires.to_string(),
                    ]
                })
                .collect(),
        )),
    )
}

fn template_items_table(items: &[TemplateItem]) -> Block {
    table(
        vec![
            "#".into(),
            t("cli.col.category", &[]),
            t("cli.col.description", &[]),
            t("tui.col.expected", &[]),
        ],
        items
            .iter()
            .enumerate()
            .map(|(i, it)| {
                vec![
                    (i + 1).to_string(),
                    it.category.label(),
                    it.description.clone(),
                    it.expected.clone(),
                ]
            })
            .collect(),
    )
}

/// A template of standard changes, section by section (`beian template show`,
/// the templates pane): its fields, what each change does and how, its test
/// items, and the Leading Group's decisions.
pub fn template_sections(x: &Template, system: &str) -> Vec<Section> {
    let f = F::default()
        .add(t("cli.col.id", &[]), x.id.to_string())
        .add(t("cli.col.title", &[]), &x.title)
        .add(t("cli.col.status", &[]), x.status.label())
        .add(t("cli.col.system", &[]), format!("{system} ({})", x.system))
        .opt(t("record.field.template_approved", &[]), x.approved_at.map(fmt_time))
        .opt(t("record.field.expires", &[]), x.expires.map(|d| d.to_string()))
        .add(t("record.field.submission", &[]), x.submission.to_string());
    vec![
        Section::new(t("record.section.template", &[])).block(meta(f, t("cli.col.author", &[]), &x.meta).block()),
        Section::new(t("enum.PlanField.content", &[])).block(text(&x.content)),
        Section::new(t("enum.PlanField.approach", &[])).block(text(&x.approach)),
        Section::new(t("record.section.template_items", &[])).block(template_items_table(&x.items)),
        Section::new(t("cli.section.approvals", &[])).block(table(
            vec![
                "#".into(),
                t("cli.col.time", &[]),
                t("record.field.approver", &[]),
                t("record.field.decision", &[]),
                t("record.field.minutes", &[]),
                t("record.field.comment", &[]),
                t("record.field.submission", &[]),
                t("record.field.member", &[]),
            ],
            x.approvals
                .iter()
                .enumerate()
                .map(|(i, a)| {
                    vec![
                        (i + 1).to_string(),
                        fmt_time(a.time),
                        a.approver.clone(),
                        a.decision.label(),
                        a.minutes_ref.clone(),
                        a.comment.clone(),
                        a.submission.to_string(),
                        a.on_behalf_of.clone().unwrap_or_default(),
                    ]
                })
                .collect(),
        )),
        Section::new(t("record.section.contributors", &[])).block(table(
            vec![t("record.field.contributor", &[]), t("record.field.contribution", &[])],
            x.contributors
                .iter()
                .map(|c| {
                    vec![
                        c.name.clone(),
                        crate::i18n::list(c.did.iter().map(|d| contribution_label(d))),
                    ]
                })
                .collect(),
        )),
    ]
}

fn window_cell(w: Option<&Window>) -> String {
    w.map(crate::workflow::fmt_window).unwrap_or_default()
}

/// The notice as a document: its language, what users will notice (§3.2,
/// §4.2) and the draft being edited.
fn notice_section(p: &Plan, complete: bool) -> Section {
    let written = p.notice_info.fields().iter().any(|(_, v)| !v.trim().is_empty());
    let default_language = p.notice_language == NoticeLanguage::default();
    if !complete && !written && default_language && p.notice_draft.is_none() {
        return Section::new(t("record.section.notice_doc", &[])).block(Block::Nothing);
    }
    let mut f = F::default().add(t("record.field.notice_language", &[]), p.notice_language.label());
    for (field, value) in p.notice_info.fields() {
        if complete || !value.trim().is_empty() {
            f = f.add(field.label(), value);
        }
    }
    let mut s = Section::new(t("record.section.notice_doc", &[])).block(f.block());
    if let Some(d) = &p.notice_draft {
        s = s.sub(
            Section::new(t("record.section.notice_draft", &[]))
                .block(
                    F::default()
                        .add(t("record.field.drafted_by", &[]), who_when(&d.by, d.at))
                        .add(t("record.field.drafted_for", &[]), window_cell(d.window.as_ref()))
                        .block(),
                )
                .block(text(&d.text)),
        );
    }
    s
}

/// Every publication of the notice, as published: first, corrected, cancellation.
fn publications_section(p: &Plan) -> Section {
    let mut s = Section::new(t("record.section.publications", &[]));
    for (i, x) in p.all_publications().iter().enumerate() {
        let f = F::default()
            .add(t("record.field.publication_kind", &[]), x.kind.label())
            .add(t("export.notice.published", &[]), fmt_time(x.published_at))
            .add(t("record.field.published_by", &[]), &x.published_by)
            .add(t("export.notice.audience", &[]), &x.audience)
            .add(t("record.field.notice_language", &[]), x.language.label())
            .opt(
                t("record.field.announced_window", &[]),
                x.window.as_ref().map(crate::workflow::fmt_window),
            )
            .opt(
                t("record.field.previous_window", &[]),
                x.previous_window.as_ref().map(crate::workflow::fmt_window),
            )
            .opt(t("record.field.legacy", &[]), x.legacy.then(|| t("cli.yes", &[])));
        s = s.sub(
            Section::new(t(
                "record.section.publication",
                &[("no", (i + 1).to_string()), ("kind", x.kind.label())],
            ))
            .block(f.block())
            .block(text(&x.text)),
        );
    }
    if s.subsections.is_empty() {
        s = s.block(Block::Nothing);
    }
    s
}

/// The windows the plan left: rescheduled, or edited after a return.
fn window_history_section(p: &Plan) -> Section {
    Section::new(t("record.section.window_history", &[])).block(table(
        vec![
            "#".into(),
            t("cli.col.time", &[]),
            t("record.field.author", &[]),
            t("record.field.window_from", &[]),
            t("record.field.window_to", &[]),
            t("record.field.rescheduled", &[]),
            t("cli.col.reason", &[]),
            t("record.field.submission", &[]),
        ],
        p.window_history
            .iter()
            .enumerate()
            .map(|(i, c)| {
                vec![
                    (i + 1).to_string(),
                    fmt_time(c.at),
                    c.by.clone(),
                    window_cell(c.from.as_ref()),
                    window_cell(c.to.as_ref()),
                    t(
                        if c.rescheduled {
                            "record.value.rescheduled"
                        } else {
                            "record.value.edited_after_return"
                        },
                        &[],
                    ),
                    c.reason.clone(),
                    c.submission.to_string(),
                ]
            })
            .collect(),
    ))
}

/// The schedule's milestones besides the window (§3.4).
fn milestones_section(p: &Plan) -> Section {
    let m = &p.milestones;
    let mut s = Section::new(t("record.section.milestones", &[]));
    if m.is_empty() {
        return s.block(Block::Nothing);
    }
    let f = F::default()
        .opt(t("field.milestone.test_start", &[]), m.test_start.map(fmt_time))
        .opt(
            t("record.field.golive_fixed", &[]),
            m.golive.as_ref().map(|g| fmt_time(g.time)),
        )
        .opt(
            t("record.field.fixed_by", &[]),
            m.golive.as_ref().map(|g| who_when(&g.by, g.at)),
        );
    if !f.0.is_empty() {
        s = s.block(f.block());
    }
    if !m.training.is_empty() {
        s = s.block(table(
            vec![
                "#".into(),
                t("record.field.training_planned", &[]),
                t("record.field.format", &[]),
                t("record.field.place", &[]),
                t("record.field.for_whom", &[]),
            ],
            m.training
                .iter()
                .enumerate()
                .map(|(i, tr)| {
                    vec![
                        (i + 1).to_string(),
                        tr.date.to_string(),
                        tr.format.label(),
                        tr.place.clone(),
                        tr.audience.clone(),
                    ]
                })
                .collect(),
        ));
    }
    s
}

/// Each test round: when and by whom it started, its items with every field.
pub fn round_sections(p: &Plan) -> Vec<Section> {
    p.rounds
        .iter()
        .map(|r| {
            Section::new(t("record.section.round", &[("no", r.no.to_string())]))
                .block(
                    F::default()
                        .add(t("cli.col.start", &[]), fmt_time(r.started_at))
                        .add(t("record.field.started_by", &[]), &r.started_by)
                        .add(t("field.environment", &[]), &r.environment)
                        .block(),
                )
                .block(table(
                    vec![
                        "#".into(),
                        t("cli.col.category", &[]),
                        t("cli.col.description", &[]),
                        t("tui.col.expected", &[]),
                        t("cli.col.tester", &[]),
                        t("record.field.tester_kind", &[]),
                        t("cli.col.result", &[]),
                        t("record.field.waiver", &[]),
                        t("cli.col.notes", &[]),
                    ]
                    .into_iter()
                    .chain(acceptance_headers("record.field.waived_by"))
                    .collect(),
                    r.items
                        .iter()
                        .map(|i| {
                            vec![
                                i.no.to_string(),
                                i.category.label(),
                                i.description.clone(),
                                i.expected.clone(),
                                i.tester.name.clone(),
                                i.tester.kind.label(),
                                i.result.label(),
                                i.waiver.clone().unwrap_or_default(),
                                i.notes.clone(),
                            ]
                            .into_iter()
                            .chain(acceptance_cells(i.waived.as_ref()))
                            .collect()
                        })
                        .collect(),
                ))
        })
        .collect()
}

/// The defects with every field.
pub fn defects_section(p: &Plan) -> Section {
    Section::new(t("cli.section.defects", &[])).block(table(
        vec![
            "#".into(),
            t("cli.col.severity", &[]),
            t("cli.col.description", &[]),
            t("cli.col.found_by", &[]),
            t("record.field.found_by_kind", &[]),
            t("export.col.round", &[]),
            t("record.field.item", &[]),
            t("cli.col.vendor_ref", &[]),
            t("cli.col.status", &[]),
            t("record.field.reported", &[]),
        ]
        .into_iter()
        .chain(acceptance_headers("cli.risk_accepted"))
        .collect(),
        p.defects
            .iter()
            .map(|x| {
                vec![
                    format!("D{}", x.no),
                    x.severity.label(),
                    x.description.clone(),
                    x.found_by.name.clone(),
                    x.found_by.kind.label(),
                    x.round.map(|n| n.to_string()).unwrap_or_default(),
                    x.item.map(|n| n.to_string()).unwrap_or_default(),
                    x.vendor_ref.clone().unwrap_or_default(),
                    x.status.label(),
                    fmt_time(x.reported_at),
                ]
                .into_iter()
                .chain(acceptance_cells(x.acceptance.as_ref()))
                .collect()
            })
            .collect(),
    ))
}

/// The backup confirmation.
pub fn backup_section(p: &Plan) -> Section {
    let s = Section::new(t("cli.section.backup", &[]));
    match &p.backup {
        Some(b) => s.block(
            F::default()
                .add(t("record.field.what", &[]), &b.what)
                .add(t("record.field.location", &[]), &b.location)
                .add(t("record.field.size", &[]), &b.size)
                .add(t("record.field.checksum", &[]), &b.checksum)
                .add(t("record.field.verified_by", &[]), &b.verified_by)
                .add(t("cli.col.time", &[]), fmt_time(b.time))
                .block(),
        ),
        None => s.block(Block::Nothing),
    }
}

/// Every go-live attempt, each with its steps, configuration changes and incidents.
pub fn golive_section(p: &Plan) -> Section {
    let mut s = Section::new(t("cli.section.golive", &[]));
    for (i, g) in p.golives.iter().enumerate() {
        s = s.sub(
            Section::new(t("record.section.golive", &[("no", (i + 1).to_string())])).block(
                F::default()
                    .add(t("cli.col.time", &[]), fmt_time(g.time))
                    .add(t("record.field.deployer", &[]), &g.deployer)
                    .add(t("cli.col.version", &[]), &g.version)
                    .add(t("cli.col.result", &[]), g.outcome.label())
                    .add(t("record.field.steps", &[]), &g.steps)
                    .add(t("record.field.config_changes", &[]), &g.config_changes)
                    .add(t("record.field.incidents", &[]), &g.incidents)
                    .block(),
            ),
        );
        if let Some(d) = &g.deviation {
            s = s.sub(Section::new(t("cli.section.deviation", &[])).block(deviation(d).block()));
        }
    }
    if s.subsections.is_empty() {
        s = s.block(Block::Nothing);
    }
    s
}

fn training_section(p: &Plan) -> Section {
    Section::new(t("cli.section.training", &[])).block(table(
        vec![
            "#".into(),
            t("record.field.date", &[]),
            t("record.field.format", &[]),
            t("record.field.trainer", &[]),
            t("record.field.departments", &[]),
            t("record.field.attendance", &[]),
        ],
        p.training
            .iter()
            .enumerate()
            .map(|(i, tr)| {
                vec![
                    (i + 1).to_string(),
                    tr.date.to_string(),
                    tr.format.label(),
                    tr.trainer.clone(),
                    crate::i18n::list(tr.departments.iter().cloned()),
                    tr.attendance.to_string(),
                ]
            })
            .collect(),
    ))
}

/// What go-live still needs (§3.3, §3.4), a line each, or that it is ready.
pub fn golive_gate_section(missing: &[crate::workflow::GoLiveMissing]) -> Section {
    let lines: Vec<String> = if missing.is_empty() {
        vec![format!("✓ {}", t("cli.golive_ready", &[]))]
    } else {
        missing.iter().map(|m| format!("✗ {}", m.message())).collect()
    };
    Section::new(t("cli.section.golive_gate", &[])).block(Block::Text(lines.join("\n")))
}

/// A linked request as it was when filed, with every field.
fn request_section(r: &Request) -> Section {
    let mut f = F::default()
        .add(t("cli.col.title", &[]), &r.title)
        .add(t("cli.col.kind", &[]), r.kind.label())
        .add(t("cli.col.status", &[]), r.status.label())
        .add(
            t("cli.col.system", &[]),
            r.system.map(|s| s.to_string()).unwrap_or_default(),
        )
        .add(t("cli.col.submitter", &[]), &r.submitter.name)
        .add(t("record.field.submitter_kind", &[]), r.submitter.kind.label())
        .add(t("cli.col.contact", &[]), &r.submitter.contact)
        .add(t("cli.col.department", &[]), &r.department)
        .add(t("cli.col.channel", &[]), r.channel.label())
        .add(t("cli.col.received", &[]), fmt_time(r.received_at))
        .add(t("cli.col.priority", &[]), r.priority.label())
        .add(t("cli.col.tags", &[]), crate::i18n::list(r.shown_tags().into_iter()))
        .opt(t("cli.col.similar_to", &[]), r.similar_to.map(|o| o.to_string()))
        .add(t("cli.col.body", &[]), &r.body)
        .add(t("cli.col.necessity", &[]), &r.necessity)
        .add(t("cli.col.feasibility", &[]), &r.feasibility)
        .opt(t("record.field.reject_reason", &[]), r.reject_reason.as_deref())
        .opt(t("cli.col.duplicate_of", &[]), r.duplicate_of.map(|d| d.to_string()))
        .opt(t("cli.col.plan", &[]), r.plan.map(|p| p.to_string()))
        .opt(t("record.field.feedback_on", &[]), r.feedback_on.map(|p| p.to_string()));
    if let Some(j) = &r.joint_review {
        f = f
            .add(t("record.field.review_sent", &[]), who_when(&j.sent_by, j.sent_at))
            .opt(t("record.field.review_outcome", &[]), j.outcome.as_deref())
            .opt(t("record.field.review_decided", &[]), j.decided_at.map(fmt_time))
            .opt(t("cli.col.joint_meeting", &[]), j.review.map(|m| m.to_string()));
    }
    if let Some(s) = &r.source {
        f = f
            .add(t("record.field.origin", &[]), &s.origin)
            .add(t("record.field.source_detail", &[]), &s.detail)
            .add(t("record.field.external_id", &[]), &s.external_id)
            .add(t("record.field.ip", &[]), &s.ip)
            .add(t("record.field.address", &[]), &s.address)
            .add(
                t("record.field.attachments", &[]),
                s.attachments
                    .iter()
                    .map(|a| {
                        t(
                            "record.attachment",
                            &[("name", a.name.clone()), ("size", a.size.to_string())],
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n"),
            );
    }
    let f = meta(f, t("record.field.created", &[]), &r.meta);
    let comments = Section::new(t("cli.comments", &[])).block(table(
        vec![
            "#".into(),
            t("cli.col.time", &[]),
            t("record.field.author", &[]),
            t("cli.col.content", &[]),
        ],
        r.comments
            .iter()
            .enumerate()
            .map(|(i, c)| vec![(i + 1).to_string(), fmt_time(c.time), c.author.clone(), c.text.clone()])
            .collect(),
    ));
    Section::new(t("record.section.request", &[("id", r.id.to_string())]))
        .block(f.block())
        .sub(comments)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_sections_are_found() {
        let s = Section::new("x".into()).block(Block::Nothing);
        assert!(s.is_empty());
        let s = s.sub(Section::new("y".into()).block(Block::Text("z".into())));
        assert!(!s.is_empty());
    }
}
