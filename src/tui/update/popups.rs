//! Keys for the popup on top of the stack: help, palette, prompt, confirm, form, message.

use crossterm::event::{KeyCode, KeyEvent};
use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

use super::super::action::Action;
use super::super::input::Edit;
use super::super::state::*;
use super::super::worker::Job;
use super::{forms, Effect};
use crate::i18n::t;
use crate::model::*;
use crate::service::{Command, RequestEdit, Triage};

/// A palette entry: a command, or a saved queue view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    Command(Action),
    View(String),
}

/// The palette's entries for the current input, best match first.
pub fn palette_entries(s: &State, query: &str) -> Vec<Entry> {
    let mut all: Vec<(String, Entry)> = s
        .commands()
        .into_iter()
        .map(|a| (format!("{} {}", a.name(), a.describe()), Entry::Command(a)))
        .collect();
    if s.pane == super::super::action::Pane::Queue {
        all.extend(
            s.queue
                .views
                .iter()
                .map(|v| (format!("view {v}"), Entry::View(v.clone()))),
        );
    }
    if query.trim().is_empty() {
        return all.into_iter().map(|(_, e)| e).collect();
    }
    let pattern = Pattern::parse(query, CaseMatching::Ignore, Normalization::Smart);
    let mut m = Matcher::new(Config::DEFAULT);
    let mut buf = Vec::new();
    let mut scored: Vec<(u32, usize, Entry)> = all
        .into_iter()
        .enumerate()
        .filter_map(|(i, (hay, e))| {
            pattern
                .score(Utf32Str::new(&hay, &mut buf), &mut m)
                .map(|sc| (sc, i, e))
        })
        .collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    scored.into_iter().map(|(_, _, e)| e).collect()
}

pub fn paste(s: &mut State, text: &str, _fx: &mut [Effect]) {
    match s.popups.last_mut() {
        Some(Popup::Prompt { input, .. }) | Some(Popup::Palette { input, .. }) => input.paste(text),
        Some(Popup::Form(f)) => {
            f.dirty = true;
            let i = f.focus;
            if let Some((_, field)) = f.fields.get_mut(i) {
                field.paste(text);
            }
        }
        None if s.queue.filtering => {
            s.queue.filter.paste(text);
            super::queue::refilter(s);
        }
        _ => {}
    }
}

pub fn key(s: &mut State, k: KeyEvent, fx: &mut Vec<Effect>) {
    let Some(top) = s.popups.pop() else { return };
    match top {
        Popup::Help { scroll } => match k.code {
            KeyCode::Esc | KeyCode::Char('q') | KeyCode::Char('?') | KeyCode::Char('？') | KeyCode::Enter => {}
            KeyCode::Down | KeyCode::Char('j') => s.popups.push(Popup::Help { scroll: scroll + 1 }),
            KeyCode::Up | KeyCode::Char('k') => s.popups.push(Popup::Help {
                scroll: scroll.saturating_sub(1),
            }),
            KeyCode::PageDown => s.popups.push(Popup::Help { scroll: scroll + 10 }),
            KeyCode::PageUp => s.popups.push(Popup::Help {
                scroll: scroll.saturating_sub(10),
            }),
            _ => s.popups.push(Popup::Help { scroll }),
        },
        Popup::Message { title, text, scroll } => match k.code {
            KeyCode::Esc | KeyCode::Enter | KeyCode::Char('q') => {}
            KeyCode::Down | KeyCode::Char('j') => s.popups.push(Popup::Message {
                title,
                text,
                scroll: scroll + 1,
            }),
            KeyCode::Up | KeyCode::Char('k') => s.popups.push(Popup::Message {
                title,
                text,
                scroll: scroll.saturating_sub(1),
            }),
            _ => s.popups.push(Popup::Message { title, text, scroll }),
        },
        Popup::Confirm { message, job } => match k.code {
            KeyCode::Char('y') | KeyCode::Char('Y') | KeyCode::Enter => fx.push(Effect::Job(*job)),
            KeyCode::Esc | KeyCode::Char('n') | KeyCode::Char('N') => s.toast(t("tui.cancelled", &[]), false),
            _ => s.popups.push(Popup::Confirm { message, job }),
        },
        Popup::Palette { mut input, mut cursor } => {
            let entries = palette_entries(s, &input.text());
            match k.code {
                KeyCode::Down | KeyCode::Tab => {
                    cursor.step(1, entries.len());
                    s.popups.push(Popup::Palette { input, cursor });
                }
                KeyCode::Up | KeyCode::BackTab => {
                    cursor.step(-1, entries.len());
                    s.popups.push(Popup::Palette { input, cursor });
                }
                _ => match input.handle(&k) {
                    // `:as zhangwei`: a command that takes an argument, named in full.
                    Edit::Submit if super::persona::with_argument(s, &input.text(), fx) => {}
                    Edit::Submit => match entries.get(cursor.selected) {
                        Some(Entry::Command(a)) => super::action(s, *a, fx),
                        Some(Entry::View(v)) => super::queue::apply_view(s, &v.clone()),
                        None => {}
                    },
                    Edit::Cancel => {}
                    Edit::Changed => {
                        cursor.selected = 0;
                        s.popups.push(Popup::Palette { input, cursor });
                    }
                    _ => s.popups.push(Popup::Palette { input, cursor }),
                },
            }
        }
        Popup::Prompt {
            purpose,
            label,
            mut input,
        } => match input.handle(&k) {
            Edit::Submit => {
                let text = input.text();
                if let Err(msg) = submit_prompt(s, &purpose, text.trim(), fx) {
                    s.toast(msg, true);
                    s.popups.push(Popup::Prompt { purpose, label, input });
                }
            }
            Edit::Cancel => {}
            _ => s.popups.push(Popup::Prompt { purpose, label, input }),
        },
        Popup::Import(p) => import_key(s, p, k, fx),
        Popup::Form(form) => forms::key(s, form, k, fx),
        Popup::DiscardForm(form) => match k.code {
            KeyCode::Char('y') | KeyCode::Char('Y') => {
                fx.push(Effect::Draft(None));
                s.toast(t("tui.form.discarded", &[]), false);
            }
            KeyCode::Esc | KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Enter => s.popups.push(Popup::Form(form)),
            _ => s.popups.push(Popup::DiscardForm(form)),
        },
    }
}

fn exec_many(fx: &mut Vec<Effect>, cmds: Vec<Command>, label: String) {
    fx.push(Effect::Job(Job::ExecuteMany {
        cmds: cmds.into_iter().map(|c| (c, None)).collect(),
        label,
    }));
}

fn parse_id(text: &str, kind: IdKind) -> Result<Id, String> {
    Id::parse_kind(text, kind)
        .map_err(|_| crate::Error::input(kind.prefix(), text, &format!("{}-2026-0001", kind.prefix())).message())
}

/// Carry out what a prompt was for; an error keeps the prompt open.
fn submit_prompt(s: &mut State, purpose: &PromptFor, text: &str, fx: &mut Vec<Effect>) -> Result<(), String> {
    let label = |k: &str| t(k, &[]);
    match purpose {
        PromptFor::Reject(ids) => exec_many(
            fx,
            ids.iter()
                .map(|id| Command::RequestTriage {
                    id: *id,
                    triage: Triage::Reject { reason: text.into() },
                })
                .collect(),
            label("tui.done.rejected"),
        ),
        PromptFor::Duplicate(ids) => {
            let of = parse_id(text, IdKind::Request)?;
            exec_many(
                fx,
                ids.iter()
                    .map(|id| Command::RequestTriage {
                        id: *id,
                        triage: Triage::Duplicate { of },
                    })
                    .collect(),
                label("tui.done.duplicate"),
            )
        }
        PromptFor::Priority(ids) => {
            let p = Priority::ALL
                .iter()
                .copied()
                .find(|p| p.as_str() == text || p.label() == text)
                .ok_or_else(|| crate::Error::input("priority", text, "low, normal, high, urgent").message())?;
            exec_many(
                fx,
                ids.iter()
                    .map(|id| Command::RequestEdit {
                        id: *id,
                        edit: RequestEdit {
                            priority: Some(p),
                            ..Default::default()
                        },
                    })
                    .collect(),
                label("tui.done.priority"),
            )
        }
        PromptFor::Tag(ids) => {
            let add: Vec<String> = text
                .split([',', '，', ' '])
                .filter(|x| !x.is_empty())
                .map(String::from)
                .collect();
            let cmds = ids
                .iter()
                .map(|id| {
                    let mut tags = s
                        .queue
                        .all
                        .iter()
                        .find(|r| r.id == *id)
                        .map(|r| r.tags.clone())
                        .unwrap_or_default();
                    tags.extend(add.iter().cloned());
                    Command::RequestEdit {
                        id: *id,
                        edit: RequestEdit {
                            tags: Some(tags),
                            ..Default::default()
                        },
                    }
                })
                .collect();
            exec_many(fx, cmds, label("tui.done.tagged"))
        }
        PromptFor::Link(ids) => {
            let plan = parse_id(text, IdKind::Plan)?;
            exec_many(
                fx,
                ids.iter().map(|id| Command::RequestLink { id: *id, plan }).collect(),
                label("tui.done.linked"),
            )
        }
        PromptFor::Comment(id) => exec_many(
            fx,
            vec![Command::RequestComment {
                id: *id,
                text: text.into(),
            }],
            label("tui.done.commented"),
        ),
        PromptFor::Approve { plan, rev } => fx.push(Effect::Job(Job::Execute {
            cmd: Command::PlanApprove {
                id: *plan,
                comment: String::new(),
                minutes_ref: text.into(),
            },
            expect_rev: Some(*rev),
            label: label("tui.done.approved"),
        })),
        PromptFor::ReturnPlan(id) => exec_many(
            fx,
            vec![Command::PlanReturn {
                id: *id,
                reason: text.into(),
                minutes_ref: String::new(),
            }],
            label("tui.done.returned"),
        ),
        PromptFor::CancelPlan(id) => exec_many(
            fx,
            vec![Command::PlanCancel {
                id: *id,
                reason: text.into(),
            }],
            label("tui.done.cancelled"),
        ),
        PromptFor::Waive { plan, item } => exec_many(
            fx,
            vec![Command::TestWaive {
                plan: *plan,
                item: *item,
                reason: text.into(),
            }],
            label("tui.done.result"),
        ),
        PromptFor::AcceptDeviation(plan) => exec_many(
            fx,
            vec![Command::DeviationAccept {
                plan: *plan,
                reason: text.into(),
            }],
            label("tui.done.saved"),
        ),
        PromptFor::Round(plan) => exec_many(
            fx,
            vec![Command::TestRound {
                plan: *plan,
                copy_unfinished: true,
                environment: text.into(),
            }],
            label("tui.done.round"),
        ),
        PromptFor::Timeline => super::archive::timeline(s, text, fx)?,
        PromptFor::ReportPeriod => super::reports::period(s, text, fx)?,
        PromptFor::Import => import_file(s, text, fx)?,
        PromptFor::ActAs => super::persona::act_as(s, text, fx)?,
    }
    Ok(())
}

/// The path typed or pasted into the import prompt: read it (the popup shows the progress).
fn import_file(s: &mut State, text: &str, fx: &mut Vec<Effect>) -> Result<(), String> {
    // A path pasted from a file manager may come quoted; options follow it.
    let mut words = crate::io::split_words(text).into_iter();
    let Some(first) = words.next().filter(|w| !w.is_empty()) else {
        return Err(t("tui.import.no_file", &[]));
    };
    let path = std::path::PathBuf::from(first);
    let args: Vec<String> = words.collect();
    s.popups.push(Popup::Import(ImportPopup {
        path: path.clone(),
        done_bytes: 0,
        total_bytes: 0,
        rows: 0,
        writing: false,
        preview: None,
    }));
    fx.push(Effect::Job(Job::ImportPreview { path, args }));
    Ok(())
}

/// Keys of the import popup: Esc drops it (a late answer is then ignored); with the
/// preview shown, `y` imports what was read and `n` cancels.
fn import_key(s: &mut State, p: ImportPopup, k: KeyEvent, fx: &mut Vec<Effect>) {
    match (k.code, p.preview) {
        (KeyCode::Char('y') | KeyCode::Char('Y') | KeyCode::Enter, Some(preview)) => {
            // The file is read again and streamed into the database; the popup
            // shows the progress until the worker answers.
            s.popups.push(Popup::Import(ImportPopup {
                path: preview.path.clone(),
                done_bytes: 0,
                total_bytes: 0,
                rows: 0,
                writing: true,
                preview: None,
            }));
            fx.push(Effect::Job(Job::Import {
                label: t("tui.done.imported", &[("file", crate::io::display_name(&preview.path))]),
                path: preview.path,
                args: preview.args,
            }));
        }
        (KeyCode::Esc | KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Char('q'), _) => {
            s.toast(t("tui.cancelled", &[]), false)
        }
        (_, preview) => s.popups.push(Popup::Import(ImportPopup { preview, ..p })),
    }
}

/// An import answer from the worker, for the import popup if it is still open.
pub fn import_reply(s: &mut State, r: super::super::worker::Reply) {
    use super::super::worker::Reply;
    let Some(Popup::Import(p)) = s.popups.iter_mut().rev().find(|p| matches!(p, Popup::Import(_))) else {
        return;
    };
    match r {
        Reply::ImportProgress {
            done_bytes,
            total_bytes,
            rows,
        } => {
            p.done_bytes = done_bytes;
            p.total_bytes = total_bytes;
            p.rows = rows;
        }
        Reply::ImportPreview(preview) if preview.path == p.path => {
            p.done_bytes = p.total_bytes;
            p.preview = Some(preview);
        }
        _ => {}
    }
}

/// The import ended (done, or failed with the error toasted): close the popup
/// still showing its progress.
pub fn import_ended(s: &mut State) {
    s.popups
        .retain(|p| !matches!(p, Popup::Import(ImportPopup { preview: None, .. })));
}

/// Open a one-line prompt for `purpose`, pre-filled with `initial`.
pub fn prompt(s: &mut State, purpose: PromptFor, label: &str, initial: &str) {
    s.popups.push(Popup::Prompt {
        purpose,
        label: label.to_string(),
        input: super::super::input::Field::new(initial, false),
    });
}
