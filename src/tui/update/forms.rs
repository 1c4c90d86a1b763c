//! Forms: new request, new plan, the plan editor, defect, backup, go-live, test
//! item. Each kind lists its fields; submitting turns them into one command (the
//! plan editor into one atomic `PlanEdit`), checked by the core like any other.
//! Every change is saved as a draft; a draft found at start reopens its form.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::super::drafts::Draft;
use super::super::input::{Edit, Field};
use super::super::state::*;
use super::super::worker::Job;
use super::Effect;
use crate::error::Error;
use crate::i18n::t;
use crate::model::*;
use crate::service::{Command, NewRequest};
use crate::workflow::PlanChange;

/// (label key, multi-line) for each field of a kind, in order.
fn spec(kind: FormKind) -> &'static [(&'static str, bool)] {
    match kind {
        FormKind::NewRequest => &[
            ("tui.f.title", false),
            ("tui.f.body", true),
            ("tui.f.kind", false),
            ("tui.f.system", false),
            ("tui.f.submitter", false),
            ("tui.f.submitter_type", false),
            ("tui.f.contact", false),
            ("tui.f.department", false),
            ("tui.f.channel", false),
            ("tui.f.priority", false),
            ("tui.f.tags", false),
        ],
        FormKind::NewPlan => &[
            ("tui.f.system", false),
            ("tui.f.title", false),
            ("tui.f.version_to", false),
        ],
        FormKind::EditPlan => &[
            ("tui.f.title", false),
            ("tui.f.version_to", false),
            ("tui.f.goals", true),
            ("tui.f.content", true),
            ("tui.f.approach", true),
            ("tui.f.window_start", false),
            ("tui.f.window_end", false),
            ("tui.f.override", false),
            ("tui.f.backup_plan", true),
            ("tui.f.migration_plan", true),
            ("tui.f.rollback_plan", true),
            ("tui.f.risks", true),
            ("tui.f.staff", true),
            ("tui.f.migrates_data", false),
        ],
        FormKind::Defect => &[
            ("tui.f.severity", false),
            ("tui.f.description", true),
            ("tui.f.found_by", false),
            ("tui.f.tester_type", false),
            ("tui.f.item", false),
            ("tui.f.vendor_ref", false),
        ],
        FormKind::Backup => &[
            ("tui.f.backup_what", false),
            ("tui.f.backup_location", false),
            ("tui.f.backup_size", false),
            ("tui.f.checksum", false),
            ("tui.f.verified_by", false),
        ],
        FormKind::GoLive => &[
            ("tui.f.time", false),
            ("tui.f.deployer", false),
            ("tui.f.version", false),
            ("tui.f.outcome", false),
            ("tui.f.steps", true),
            ("tui.f.config_changes", true),
            ("tui.f.incidents", true),
        ],
        FormKind::Training => &[
            ("tui.f.training_format", false),
            ("tui.f.date", false),
            ("tui.f.trainer", false),
            ("tui.f.departments", false),
            ("tui.f.attendance", false),
        ],
        FormKind::Comparison => &[("tui.f.comparison", true)],
        FormKind::DefectUpdate => &[
            ("tui.f.defect", false),
            ("tui.f.defect_status", false),
            ("tui.f.vendor_ref", false),
        ],
        FormKind::AcceptRequest => &[("tui.f.necessity", true), ("tui.f.feasibility", true)],
        FormKind::AcceptDefect => &[("tui.f.defect", false), ("tui.f.reason", true)],
        FormKind::Deviation => &[("tui.f.time", false), ("tui.f.reason", true)],
        FormKind::TestItem => &[
            ("tui.f.category", false),
            ("tui.f.description", false),
            ("tui.f.expected", false),
            ("tui.f.tester", false),
            ("tui.f.tester_type", false),
            ("tui.f.retest", false),
        ],
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
    }
}

fn build(kind: FormKind, target: Option<(Id, u64)>, values: &[String], focus: usize) -> Form {
    let fields = spec(kind)
        .iter()
        .enumerate()
        .map(|(i, (label, multi))| {
            (
                t(label, &[]),
                Field::new(values.get(i).map(String::as_str).unwrap_or(""), *multi),
            )
        })
        .collect::<Vec<_>>();
    let title = match target {
        Some((id, _)) => format!("{} {id}", t(title_key(kind), &[])),
        None => t(title_key(kind), &[]),
    };
    Form {
        kind,
        title,
        focus: focus.min(fields.len().saturating_sub(1)),
        fields,
        target,
        warnings: Default::default(),
        dirty: false,
        conflict: false,
    }
}

fn plan_values(p: &Plan) -> Vec<String> {
    let (ws, we) = p
        .window
        .as_ref()
        .map(|w| (fmt_time(w.start), fmt_time(w.end)))
        .unwrap_or_default();
    vec![
        p.title.clone(),
        p.version_to.clone(),
        p.goals.clone(),
        p.content.clone(),
        p.approach.clone(),
        ws,
        we,
        {
            // One justification per soft period: the form shows the first; saving
            // applies it to each soft period the window lies in then.
            p.blackout_overrides
                .first()
                .map(|o| o.reason.clone())
                .unwrap_or_default()
        },
        p.backup_plan.clone(),
        p.migration_plan.clone(),
        p.rollback_plan.clone(),
        p.risks
            .iter()
            .map(|r| {
                format!(
                    "{} | {} | {} | {}",
                    r.description,
                    r.likelihood.as_str(),
                    r.impact.as_str(),
                    r.mitigation
                )
            })
            .collect::<Vec<_>>()
            .join("\n"),
        p.staff
            .iter()
            .map(|s| format!("{} | {} | {}", s.person, s.role, s.duty))
            .collect::<Vec<_>>()
            .join("\n"),
        match p.migrates_data {
            Some(true) => t("cli.yes", &[]),
            Some(false) => t("cli.no", &[]),
            None => String::new(),
        },
    ]
}

/// A yes/no field: `yes`/`no`, `y`/`n`, or the labels of the language (是/否).
fn yes_no(field: &str, text: &str) -> Result<Option<bool>, String> {
    let v = text.trim().to_lowercase();
    if v.is_empty() {
        return Ok(None);
    }
    if ["yes", "y", "true", "是"].contains(&v.as_str()) || v == t("cli.yes", &[]).to_lowercase() {
        return Ok(Some(true));
    }
    if ["no", "n", "false", "否"].contains(&v.as_str()) || v == t("cli.no", &[]).to_lowercase() {
        return Ok(Some(false));
    }
    Err(Error::input(field, text, &format!("{} / {}", t("cli.yes", &[]), t("cli.no", &[]))).message())
}

/// Open a form of `kind` with values taken from the current selection.
pub fn open(s: &mut State, kind: FormKind, fx: &mut Vec<Effect>) {
    let sel_plan = s.tests.plan.as_ref().or(s.plans.detail.as_ref());
    let (target, values): (Option<(Id, u64)>, Vec<String>) = match kind {
        FormKind::NewRequest => (
            None,
            vec![
                String::new(),
                String::new(),
                "problem".into(),
                String::new(),
                String::new(),
                "staff".into(),
                String::new(),
                String::new(),
                "other".into(),
                "normal".into(),
                String::new(),
            ],
        ),
        FormKind::NewPlan => {
            let sys = super::queue::selected(s).and_then(|r| r.system);
            (None, vec![s.system_name(sys), String::new(), String::new()])
        }
        FormKind::EditPlan => match s.plans.detail.as_ref() {
            Some(p) => (Some((p.id, p.meta.rev)), plan_values(p)),
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
                        "major".into(),
                        String::new(),
                        s.user.clone(),
                        "technician".into(),
                        item,
                        String::new(),
                    ],
                )
            }
            None => return,
        },
        FormKind::Backup => match sel_plan {
            Some(p) => (
                Some((p.id, p.meta.rev)),
                vec![
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                    s.user.clone(),
                ],
            ),
            None => return,
        },
        FormKind::GoLive => match sel_plan {
            Some(p) => (
                Some((p.id, p.meta.rev)),
                vec![
                    fmt_time(chrono::Utc::now()),
                    s.user.clone(),
                    p.version_to.clone(),
                    "success".into(),
                    String::new(),
                    String::new(),
                    String::new(),
                ],
            ),
            None => return,
        },
        FormKind::Training => match s.plans.detail.as_ref() {
            Some(p) => (
                Some((p.id, p.meta.rev)),
                vec![
                    "on_site".into(),
                    chrono::Local::now().date_naive().to_string(),
                    s.user.clone(),
                    s.systems
                        .iter()
                        .find(|x| x.id == p.system)
                        .map(|x| x.department.clone())
                        .unwrap_or_default(),
                    "0".into(),
                ],
            ),
            None => return,
        },
        FormKind::Comparison => match s.plans.detail.as_ref() {
            Some(p) => (Some((p.id, p.meta.rev)), vec![String::new()]),
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
                        format!("D{}", d.no),
                        "verified".into(),
                        d.vendor_ref.clone().unwrap_or_default(),
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
                (Some((p.id, p.meta.rev)), vec![format!("D{no}"), String::new()])
            }
            None => return,
        },
        FormKind::Deviation => match sel_plan {
            Some(p) => (
                Some((p.id, p.meta.rev)),
                vec![fmt_time(chrono::Utc::now()), String::new()],
            ),
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
                    detail.map(|r| r.necessity.clone()).unwrap_or_default(),
                    detail.map(|r| r.feasibility.clone()).unwrap_or_default(),
                ],
            )
        }
        FormKind::TestItem => match sel_plan {
            Some(p) => (
                Some((p.id, p.meta.rev)),
                vec![
                    "functional".into(),
                    String::new(),
                    String::new(),
                    s.user.clone(),
                    "technician".into(),
                    String::new(),
                ],
            ),
            None => return,
        },
    };
    let mut form = build(kind, target, &values, 0);
    check(s, &mut form);
    s.popups.push(Popup::Form(form));
    let _ = fx;
}

/// Reopen the form of a draft left by the last session.
pub fn restore(s: &mut State, d: Draft) {
    let mut form = build(d.kind, d.target, &d.values, d.focus);
    form.dirty = true;
    check(s, &mut form);
    s.popups.push(Popup::Form(form));
    s.toast(t("tui.draft_restored", &[]), false);
}

fn draft_of(form: &Form) -> Draft {
    Draft {
        kind: form.kind,
        target: form.target,
        values: form.fields.iter().map(|(_, f)| f.text()).collect(),
        focus: form.focus,
    }
}

/// Live checks shown on fields: the window against the academic calendar.
fn check(s: &State, form: &mut Form) {
    form.warnings.clear();
    if form.kind != FormKind::EditPlan {
        return;
    }
    let v: Vec<String> = form.fields.iter().map(|(_, f)| f.text()).collect();
    let (Ok(start), Ok(end)) = (
        crate::model::parse_time(&v[5]).ok_or(()),
        crate::model::parse_time(&v[6]).ok_or(()),
    ) else {
        if !v[5].trim().is_empty() || !v[6].trim().is_empty() {
            form.warnings.insert(5, t("tui.warn.window_format", &[]));
        }
        return;
    };
    let window = Window { start, end };
    if end <= start {
        form.warnings
            .insert(6, crate::workflow::RuleError::WindowOrder.message());
        return;
    }
    let system = s.plans.detail.as_ref().map(|p| p.system);
    let hits = system.map(|sys| crate::workflow::blackout_conflicts(&window, sys, &s.calendar));
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
        } else if v[7].trim().is_empty() {
            t("tui.warn.soft_blackout", &args)
        } else {
            continue;
        };
        form.warnings.insert(5, msg);
        if !b.hard {
            form.warnings.insert(7, t("tui.warn.override_needed", &[]));
        }
        break;
    }
}

pub fn key(s: &mut State, mut form: Form, k: KeyEvent, fx: &mut Vec<Effect>) {
    let n = form.fields.len();
    let focused_multi = form.fields[form.focus].1.multiline;
    match (k.code, k.modifiers) {
        (KeyCode::Tab, _) => form.focus = (form.focus + 1) % n,
        (KeyCode::BackTab, _) => form.focus = (form.focus + n - 1) % n,
        (KeyCode::Down, _) if !focused_multi => form.focus = (form.focus + 1) % n,
        (KeyCode::Up, _) if !focused_multi => form.focus = (form.focus + n - 1) % n,
        (KeyCode::Char('s'), m) if m.contains(KeyModifiers::CONTROL) => return submit(s, form, fx),
        // After a conflict: drop this edit and reopen the editor on the current record.
        (KeyCode::Char('r'), m) if m.contains(KeyModifiers::CONTROL) && form.conflict => {
            if let (FormKind::EditPlan, Some((id, _))) = (form.kind, form.target) {
                s.plans.edit_after_load = Some(id);
                fx.push(Effect::Job(Job::Plan(id)));
                fx.push(Effect::Draft(None));
                return;
            }
        }
        (KeyCode::Enter, _) if !focused_multi && form.focus + 1 == n => return submit(s, form, fx),
        (KeyCode::Enter, _) if !focused_multi => form.focus += 1,
        (KeyCode::Esc, _) if form.dirty => {
            s.popups.push(Popup::DiscardForm(form));
            return;
        }
        (KeyCode::Esc, _) => {
            fx.push(Effect::Draft(None));
            return;
        }
        _ => {
            let i = form.focus;
            if form.fields[i].1.handle(&k) == Edit::Changed {
                form.dirty = true;
                check(s, &mut form);
                fx.push(Effect::Draft(Some(draft_of(&form))));
            }
        }
    }
    s.popups.push(Popup::Form(form));
}

fn pick<T: Copy>(field: &str, text: &str, all: &[T], name: impl Fn(T) -> (&'static str, String)) -> Result<T, String> {
    let text = text.trim();
    all.iter()
        .copied()
        .find(|v| {
            let (code, label) = name(*v);
            code == text || label == text
        })
        .ok_or_else(|| {
            let options: Vec<&str> = all.iter().map(|v| name(*v).0).collect();
            Error::input(field, text, &options.join(", ")).message()
        })
}

fn time_field(field: &str, text: &str) -> Result<Time, String> {
    crate::model::parse_time(text)
        .ok_or(())
        .map_err(|_| Error::input(field, text, "YYYY-MM-DD HH:MM").message())
}

/// `a | b | c` rows of a table field.
fn rows(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split(['|', '｜']).map(|c| c.trim().to_string()).collect())
        .collect()
}

/// Turn the form into a command, or say which field is wrong.
fn command(s: &State, form: &Form) -> Result<Vec<(Command, Option<u64>)>, String> {
    let v: Vec<String> = form.fields.iter().map(|(_, f)| f.text()).collect();
    let system = |text: &str| -> Result<Option<Id>, String> {
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
            .ok_or_else(|| Error::not_found(text).message())
    };
    let plan = form.target.map(|(id, _)| id);
    let rev = form.target.map(|(_, r)| r);
    Ok(vec![match form.kind {
        FormKind::NewRequest => (
            Command::RequestAdd {
                request: NewRequest {
                    title: v[0].clone(),
                    body: v[1].clone(),
                    kind: pick("kind", &v[2], RequestKind::ALL, |x| (x.as_str(), x.label()))?,
                    system: system(&v[3])?,
                    submitter: Submitter {
                        name: v[4].clone(),
                        kind: pick("submitter_type", &v[5], SubmitterType::ALL, |x| (x.as_str(), x.label()))?,
                        contact: v[6].clone(),
                    },
                    department: v[7].clone(),
                    channel: pick("channel", &v[8], Channel::ALL, |x| (x.as_str(), x.label()))?,
                    received_at: None,
                    priority: pick("priority", &v[9], Priority::ALL, |x| (x.as_str(), x.label()))?,
                    tags: v[10]
                        .split([',', '，', ' '])
                        .filter(|x| !x.is_empty())
                        .map(String::from)
                        .collect(),
                },
            },
            None,
        ),
        FormKind::NewPlan => (
            Command::PlanNew {
                system: system(&v[0])?
                    .ok_or_else(|| Error::input("system", "", "a system name or SYS-0001").message())?,
                title: v[1].clone(),
                version_from: None,
                version_to: v[2].clone(),
            },
            None,
        ),
        FormKind::EditPlan => {
            let p = s.plans.detail.as_ref().filter(|p| Some(p.id) == plan);
            let mut changes = vec![
                PlanChange::Title(v[0].clone()),
                PlanChange::VersionTo(v[1].clone()),
                PlanChange::Goals(v[2].clone()),
                PlanChange::Content(v[3].clone()),
                PlanChange::Approach(v[4].clone()),
            ];
            let window = match (v[5].trim().is_empty(), v[6].trim().is_empty()) {
                (true, true) => None,
                _ => Some(Window {
                    start: time_field("window_start", &v[5])?,
                    end: time_field("window_end", &v[6])?,
                }),
            };
            let soft = window.as_ref().is_some_and(|w| {
                p.is_some_and(|p| {
                    crate::workflow::blackout_conflicts(w, p.system, &s.calendar)
                        .iter()
                        .any(|h| !h.period.hard)
                })
            });
            changes.push(PlanChange::Window(window));
            changes.push(PlanChange::BlackoutOverride {
                period: None,
                reason: Some(v[7].clone()).filter(|r| soft && !r.trim().is_empty()),
            });
            if let Some(m) = yes_no("migrates_data", &v[13])? {
                changes.push(PlanChange::MigratesData(m));
            }
            changes.push(PlanChange::BackupPlan(v[8].clone()));
            changes.push(PlanChange::MigrationPlan(v[9].clone()));
            changes.push(PlanChange::RollbackPlan(v[10].clone()));
            let old_risks = p.map_or(0, |p| p.risks.len());
            let old_staff = p.map_or(0, |p| p.staff.len());
            changes.extend((0..old_risks).map(|_| PlanChange::RemoveRisk(1)));
            for (i, r) in rows(&v[11]).into_iter().enumerate() {
                let level = |j: usize| {
                    let x = r.get(j).map(String::as_str).unwrap_or("medium");
                    pick(&format!("risks line {}", i + 1), x, Level::ALL, |l| {
                        (l.as_str(), l.label())
                    })
                };
                changes.push(PlanChange::AddRisk(Risk {
                    description: r[0].clone(),
                    likelihood: level(1)?,
                    impact: level(2)?,
                    mitigation: r.get(3).cloned().unwrap_or_default(),
                }));
            }
            changes.extend((0..old_staff).map(|_| PlanChange::RemoveStaff(1)));
            for r in rows(&v[12]) {
                changes.push(PlanChange::AddStaff(StaffAssignment {
                    person: r[0].clone(),
                    role: r.get(1).cloned().unwrap_or_default(),
                    duty: r.get(2).cloned().unwrap_or_default(),
                }));
            }
            (
                Command::PlanEdit {
                    id: plan.ok_or("plan")?,
                    changes,
                },
                rev,
            )
        }
        FormKind::Defect => (
            Command::DefectAdd {
                plan: plan.ok_or("plan")?,
                severity: pick("severity", &v[0], Severity::ALL, |x| (x.as_str(), x.label()))?,
                description: v[1].clone(),
                found_by: Tester {
                    name: v[2].clone(),
                    kind: pick("tester_type", &v[3], TesterType::ALL, |x| (x.as_str(), x.label()))?,
                },
                item: if v[4].trim().is_empty() {
                    None
                } else {
                    Some(
                        v[4].trim()
                            .trim_start_matches('#')
                            .parse()
                            .map_err(|_| Error::input("item", &v[4], "1").message())?,
                    )
                },
                vendor_ref: Some(v[5].clone()),
            },
            None,
        ),
        FormKind::Backup => (
            Command::Backup {
                plan: plan.ok_or("plan")?,
                backup: BackupConfirmation {
                    what: v[0].clone(),
                    location: v[1].clone(),
                    size: v[2].clone(),
                    checksum: v[3].clone(),
                    verified_by: v[4].clone(),
                    time: chrono::Utc::now(),
                },
            },
            None,
        ),
        FormKind::GoLive => (
            Command::GoLive {
                plan: plan.ok_or("plan")?,
                golive: GoLive {
                    time: time_field("time", &v[0])?,
                    deployer: v[1].clone(),
                    version: v[2].clone(),
                    outcome: pick("outcome", &v[3], GoLiveOutcome::ALL, |x| (x.as_str(), x.label()))?,
                    steps: v[4].clone(),
                    config_changes: v[5].clone(),
                    incidents: v[6].clone(),
                    deviation: None,
                },
            },
            None,
        ),
        FormKind::Training => (
            Command::Training {
                plan: plan.ok_or("plan")?,
                training: Training {
                    format: pick("format", &v[0], TrainingFormat::ALL, |x| (x.as_str(), x.label()))?,
                    date: chrono::NaiveDate::parse_from_str(v[1].trim(), "%Y-%m-%d")
                        .map_err(|_| Error::input("date", &v[1], "YYYY-MM-DD").message())?,
                    trainer: v[2].clone(),
                    departments: v[3]
                        .split([',', '，', '、'])
                        .map(|x| x.trim().to_string())
                        .filter(|x| !x.is_empty())
                        .collect(),
                    attendance: v[4]
                        .trim()
                        .parse()
                        .map_err(|_| Error::input("attendance", &v[4], "a number").message())?,
                },
            },
            None,
        ),
        FormKind::Comparison => return comparison(plan.ok_or("plan")?, &v[0]),
        FormKind::DefectUpdate => (
            Command::DefectUpdate {
                plan: plan.ok_or("plan")?,
                defect: v[0]
                    .trim()
                    .trim_start_matches(['D', 'd'])
                    .parse()
                    .map_err(|_| Error::input("defect", &v[0], "D1").message())?,
                status: Some(pick("status", &v[1], DefectStatus::ALL, |x| (x.as_str(), x.label()))?),
                vendor_ref: Some(v[2].clone()),
            },
            None,
        ),
        FormKind::AcceptDefect => (
            Command::DefectAccept {
                plan: plan.ok_or("plan")?,
                defect: v[0]
                    .trim()
                    .trim_start_matches(['D', 'd'])
                    .parse()
                    .map_err(|_| Error::input("defect", &v[0], "D1").message())?,
                reason: v[1].clone(),
            },
            None,
        ),
        FormKind::Deviation => (
            Command::PlanDeviation {
                plan: plan.ok_or("plan")?,
                time: time_field("time", &v[0])?,
                reason: v[1].clone(),
            },
            None,
        ),
        FormKind::AcceptRequest => {
            let (id, rev) = form.target.ok_or("request")?;
            // Only what was written: an empty field keeps the analysis on record.
            let edit = crate::service::RequestEdit {
                necessity: Some(v[0].clone()).filter(|x| !x.trim().is_empty()),
                feasibility: Some(v[1].clone()).filter(|x| !x.trim().is_empty()),
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
        FormKind::TestItem => (
            Command::TestItem {
                plan: plan.ok_or("plan")?,
                category: pick("category", &v[0], TestCategory::ALL, |x| (x.as_str(), x.label()))?,
                description: v[1].clone(),
                expected: v[2].clone(),
                tester: Tester {
                    name: v[3].clone(),
                    kind: pick("tester_type", &v[4], TesterType::ALL, |x| (x.as_str(), x.label()))?,
                },
                retest: match v[5].trim().trim_start_matches('#') {
                    "" => None,
                    n => Some(n.parse().map_err(|_| Error::input("retest", &v[5], "1").message())?),
                },
            },
            None,
        ),
    }])
}

/// Comparison rows `function | before | after | added/changed/removed`, one command each.
fn comparison(plan: Id, text: &str) -> Result<Vec<(Command, Option<u64>)>, String> {
    let mut out = Vec::new();
    for (i, r) in rows(text).into_iter().enumerate() {
        let field = format!("comparison line {}", i + 1);
        let change = r.get(3).map(String::as_str).unwrap_or("");
        let change = pick(&field, change, ChangeType::ALL, |x| (x.as_str(), x.label()))?;
        let row = ComparisonRow {
            function: r[0].clone(),
            before: r.get(1).cloned().unwrap_or_default(),
            after: r.get(2).cloned().unwrap_or_default(),
            change,
        };
        out.push((Command::ComparisonAdd { plan, row }, None));
    }
    if out.is_empty() {
        return Err(Error::input("comparison", "", "function | before | after | changed").message());
    }
    Ok(out)
}

fn submit(s: &mut State, form: Form, fx: &mut Vec<Effect>) {
    match command(s, &form) {
        Ok(mut cmds) => {
            let label = t("tui.done.saved", &[]);
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

/// The worker finished a command: a submitted form is done, its draft goes.
pub fn done(s: &mut State, fx: &mut Vec<Effect>) {
    if s.pending_form.take().is_some() {
        fx.push(Effect::Draft(None));
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
        s.popups.push(Popup::Form(form));
    }
}
