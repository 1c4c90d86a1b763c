//! Keys for the popup on top of the stack: help, palette, prompt, confirm, form, message.

use crossterm::event::KeyEvent;
use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

use crate::search::pinyin::{self, Keys, Query};

use super::super::action::{Action, Layer, Pane, Scope};
use super::super::input::Edit;
use super::super::keymap::{Key, Lookup};
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

/// What the palette lists, built once when it opens (the commands' names and
/// descriptions in the user's language, the saved views), with the pinyin of
/// each: `sp` finds 审批 without an input method.
#[derive(Debug, Default)]
pub struct PaletteList {
    entries: Vec<(String, Entry, Keys)>,
}

impl PaletteList {
    pub fn new(s: &State) -> PaletteList {
        let mut entries: Vec<(String, Entry, Keys)> = s
            .commands()
            .into_iter()
            .map(|a| {
                let describe = a.describe();
                let keys = Keys::new(&describe);
                (format!("{} {describe}", a.name()), Entry::Command(a), keys)
            })
            .collect();
        entries.extend(
            s.queue
                .views
                .iter()
                .map(|v| (format!("view {v}"), Entry::View(v.clone()), Keys::new(v))),
        );
        PaletteList { entries }
    }

    /// The entries for `query`, best match first: fuzzy matches of the text,
    /// then (a query of Latin letters) matches by pinyin.
    pub fn matching(&self, query: &str) -> Vec<Entry> {
        if query.trim().is_empty() {
            return self.entries.iter().map(|(_, e, _)| e.clone()).collect();
        }
        let pattern = Pattern::parse(query, CaseMatching::Ignore, Normalization::Smart);
        let words: Option<Vec<Query>> = query.split_whitespace().map(Query::new).collect();
        let mut m = Matcher::new(Config::DEFAULT);
        let mut buf = Vec::new();
        let mut scored: Vec<(u32, usize, Entry)> = self
            .entries
            .iter()
            .enumerate()
            .filter_map(|(i, (hay, e, keys))| {
                let literal = pattern
                    .score(Utf32Str::new(hay, &mut buf), &mut m)
                    .map(|sc| sc.saturating_add(pinyin::MAX_SCORE + 1));
                // Every word by pinyin: the weakest word's score.
                let by_pinyin = || {
                    words
                        .as_ref()?
                        .iter()
                        .map(|q| keys.score(q))
                        .try_fold(pinyin::MAX_SCORE, |w, s| Some(w.min(s?)))
                };
                literal.or_else(by_pinyin).map(|sc| (sc, i, e.clone()))
            })
            .collect();
        scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        scored.into_iter().map(|(_, _, e)| e).collect()
    }
}

/// The palette's entries for the current input, best match first: from the
/// list the open palette built (a new one when none is open).
pub fn palette_entries(s: &State, query: &str) -> Vec<Entry> {
    let open = s.popups.iter().rev().find_map(|p| match p {
        Popup::Palette { list, .. } => Some(list),
        _ => None,
    });
    match open {
        Some(list) => list.matching(query),
        None => PaletteList::new(s).matching(query),
    }
}

pub fn paste(s: &mut State, text: &str, fx: &mut Vec<Effect>) {
    match s.popups.last_mut() {
        Some(Popup::Prompt { input, .. }) | Some(Popup::Palette { input, .. }) => input.paste(text),
        Some(Popup::LinkPicker(p)) => p.query.paste(text),
        Some(Popup::Form(_)) => forms::paste(s, text, fx),
        None if s.queue.filtering => {
            s.queue.filter.paste(text);
            super::queue::refilter(s);
        }
        _ => {}
    }
}

/// What a popup did with a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Handled {
    /// The key meant something here (otherwise it is dropped: popups are modal).
    pub consumed: bool,
    /// The popup is done and leaves the stack.
    pub close: bool,
}

const KEEP: Handled = Handled {
    consumed: true,
    close: false,
};
const CLOSE: Handled = Handled {
    consumed: true,
    close: true,
};
const IGNORED: Handled = Handled {
    consumed: false,
    close: false,
};

/// The keymap layer of a popup.
pub fn layer(p: &Popup) -> Layer {
    match p {
        Popup::Help { .. } => Layer::Help,
        Popup::Palette { .. } | Popup::LinkPicker(_) => Layer::Palette,
        Popup::Prompt { .. } => Layer::Prompt,
        Popup::Confirm { .. } | Popup::DiscardForm(_) | Popup::Import(_) => Layer::Confirm,
        Popup::Form(_) => Layer::Form,
        Popup::Message { .. } | Popup::Parked { .. } => Layer::Message,
    }
}

/// A key for the popup on top: its layer of the keymap decides what the key
/// means; the popup's handler says whether it closes.
pub fn key(s: &mut State, k: KeyEvent, fx: &mut Vec<Effect>) {
    let Some(top) = s.popups.pop() else { return };
    let action = match Key::from_event(&k) {
        Some(key) => {
            s.pending_keys.push(key);
            match s.keymap.lookup_layer(layer(&top), &s.pending_keys) {
                Lookup::Action(a) => {
                    s.pending_keys.clear();
                    Some(a)
                }
                Lookup::Pending => {
                    s.popups.push(top);
                    return;
                }
                Lookup::None => {
                    s.pending_keys.clear();
                    None
                }
            }
        }
        None => None,
    };
    // ctrl-c quits from anywhere (asking first when a form holds unsaved text).
    if action == Some(Action::Quit) && Key::from_event(&k).is_some_and(|x| x.ctrl) {
        s.popups.push(top);
        return super::action(s, Action::Quit, fx);
    }
    match top {
        // Forms and the import dialog keep their own key handling.
        Popup::Form(form) => {
            // The form layer's motions and back, whichever keys the preset gives them,
            // reach the form as the keys it knows.
            use crossterm::event::{KeyCode, KeyModifiers};
            let as_key = |code: KeyCode| KeyEvent::new(code, KeyModifiers::NONE);
            let k = match action {
                Some(Action::FormNext) => as_key(KeyCode::Tab),
                Some(Action::FormPrev) => as_key(KeyCode::BackTab),
                Some(Action::FormSubmit) => KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL),
                Some(Action::FormPark) => as_key(KeyCode::F(2)),
                Some(Action::Back) => as_key(KeyCode::Esc),
                Some(Action::Down) if k.modifiers != KeyModifiers::NONE => as_key(KeyCode::Down),
                Some(Action::Up) if k.modifiers != KeyModifiers::NONE => as_key(KeyCode::Up),
                _ => k,
            };
            forms::key(s, form, k, fx)
        }
        Popup::Import(p) => import_key(s, p, action, k, fx),
        Popup::LinkPicker(p) => super::link::key(s, p, action, k, fx),
        Popup::Parked { cursor, confirm } => forms::parked_key(s, cursor, confirm, k, fx),
        mut popup => {
            let below = s.popups.len();
            let h = handle(s, &mut popup, action, k, fx);
            if !h.close {
                // Whatever the handler opened goes on top of it.
                let opened: Vec<Popup> = s.popups.drain(below.min(s.popups.len())..).collect();
                s.popups.push(popup);
                s.popups.extend(opened);
            }
        }
    }
}

/// Scroll positions move by the motions of the keymap.
fn scrolled(pos: usize, a: Action, page: usize) -> Option<usize> {
    Some(match a {
        Action::Down => pos + 1,
        Action::Up => pos.saturating_sub(1),
        Action::PageDown => pos + page,
        Action::PageUp => pos.saturating_sub(page),
        Action::Top => 0,
        Action::Bottom => usize::MAX / 2,
        _ => return None,
    })
}

fn handle(s: &mut State, popup: &mut Popup, action: Option<Action>, k: KeyEvent, fx: &mut Vec<Effect>) -> Handled {
    let closing = matches!(action, Some(Action::Back | Action::Quit | Action::Help));
    match popup {
        Popup::Help { scroll } | Popup::Message { scroll, .. } => {
            if closing || action == Some(Action::Open) {
                return CLOSE;
            }
            match action.and_then(|a| scrolled(*scroll, a, 10)) {
                Some(p) => {
                    *scroll = p;
                    KEEP
                }
                None => IGNORED,
            }
        }
        Popup::Confirm { then, .. } => match action {
            Some(Action::ConfirmYes | Action::Open) => {
                match std::mem::replace(then, Confirmed::Quit) {
                    Confirmed::Job(job) => fx.push(Effect::Job(*job)),
                    Confirmed::Quit => s.quit = true,
                }
                CLOSE
            }
            Some(Action::ConfirmNo | Action::Back | Action::Quit) => {
                s.toast(t("tui.cancelled", &[]), false);
                CLOSE
            }
            _ => IGNORED,
        },
        Popup::DiscardForm(_) => match action {
            Some(Action::ConfirmYes) => {
                fx.push(Effect::Draft(None));
                s.toast(t("tui.form.discarded", &[]), false);
                CLOSE
            }
            Some(Action::ConfirmNo | Action::Back | Action::Open) => {
                // Back to the form.
                let Popup::DiscardForm(form) = std::mem::replace(popup, Popup::Help { scroll: 0 }) else {
                    return IGNORED;
                };
                s.popups.push(Popup::Form(form));
                CLOSE
            }
            _ => IGNORED,
        },
        Popup::Palette { input, cursor, list } => {
            let entries = list.matching(&input.text());
            match action {
                Some(Action::Down) => {
                    cursor.step(1, entries.len());
                    return KEEP;
                }
                Some(Action::Up) => {
                    cursor.step(-1, entries.len());
                    return KEEP;
                }
                Some(Action::Back) => return CLOSE,
                Some(Action::Open) => {
                    // `:as zhangwei`: a command that takes an argument, named in full.
                    if super::persona::with_argument(s, &input.text(), fx) {
                        return CLOSE;
                    }
                    match entries.get(cursor.selected) {
                        Some(Entry::Command(a)) => {
                            // A command of another pane runs there.
                            if let Scope::Pane(p) = a.scope() {
                                if p != s.pane {
                                    super::goto(s, p, fx);
                                }
                            }
                            super::action(s, *a, fx)
                        }
                        Some(Entry::View(v)) => {
                            let v = v.clone();
                            super::goto(s, Pane::Queue, fx);
                            super::queue::apply_view(s, &v)
                        }
                        None => s.toast(t("tui.palette.no_match", &[("query", input.text())]), true),
                    }
                    return CLOSE;
                }
                _ => {}
            }
            match input.handle(&k) {
                Edit::Cancel => CLOSE,
                Edit::Changed => {
                    cursor.selected = 0;
                    KEEP
                }
                Edit::Moved => KEEP,
                _ => IGNORED,
            }
        }
        Popup::Prompt { purpose, input, .. } => {
            if action == Some(Action::Back) {
                return CLOSE;
            }
            let edit = if action == Some(Action::Open) {
                Edit::Submit
            } else {
                input.handle(&k)
            };
            match edit {
                Edit::Submit => {
                    let text = input.text();
                    let purpose = purpose.clone();
                    match submit_prompt(s, &purpose, text.trim(), fx) {
                        Ok(()) => CLOSE,
                        Err(msg) => {
                            s.toast(msg, true);
                            KEEP
                        }
                    }
                }
                Edit::Cancel => CLOSE,
                Edit::Changed | Edit::Moved => KEEP,
                Edit::Ignored => IGNORED,
            }
        }
        Popup::Form(_) | Popup::Import(_) | Popup::Parked { .. } | Popup::LinkPicker(_) => IGNORED,
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
        PromptFor::ReopenRequests(ids) => exec_many(
            fx,
            ids.iter()
                .map(|id| Command::RequestReopen {
                    id: *id,
                    reason: text.into(),
                })
                .collect(),
            label("tui.done.reopened_request"),
        ),
        PromptFor::UnlinkRequests(ids) => exec_many(
            fx,
            ids.iter()
                .map(|id| Command::RequestUnlink {
                    id: *id,
                    reason: text.into(),
                })
                .collect(),
            label("tui.done.unlinked"),
        ),
        PromptFor::Feedback(ids) => {
            let plan = parse_id(text, IdKind::Plan)?;
            exec_many(
                fx,
                ids.iter()
                    .map(|id| Command::RequestFeedback { id: *id, plan })
                    .collect(),
                label("tui.done.feedback"),
            )
        }
        PromptFor::FailPlan(id) => exec_many(
            fx,
            vec![Command::PlanFail {
                plan: *id,
                reason: text.into(),
            }],
            label("tui.done.failed"),
        ),
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
        PromptFor::ApproveTemplate { template, rev } => fx.push(Effect::Job(Job::Execute {
            cmd: Command::TemplateApprove {
                id: *template,
                comment: String::new(),
                minutes_ref: text.into(),
            },
            expect_rev: Some(*rev),
            label: label("tui.done.approved"),
        })),
        PromptFor::ReturnTemplate(id) => exec_many(
            fx,
            vec![Command::TemplateReturn {
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
        p @ (PromptFor::SendBack { .. }
        | PromptFor::ReopenOrder { .. }
        | PromptFor::Investigate { .. }
        | PromptFor::LinkReport { .. }
        | PromptFor::ReplyReport { .. }) => super::supervision::submit_prompt(p, text, fx)?,
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

/// Keys of the import popup (the confirm layer): Esc drops it (a late answer is
/// then ignored); with the preview shown, yes imports what was read and no cancels.
fn import_key(s: &mut State, p: ImportPopup, action: Option<Action>, _k: KeyEvent, fx: &mut Vec<Effect>) {
    let yes = matches!(action, Some(Action::ConfirmYes | Action::Open));
    let no = matches!(action, Some(Action::ConfirmNo | Action::Back | Action::Quit));
    match (yes, no, p.preview) {
        (true, _, Some(preview)) => {
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
        (_, true, _) => s.toast(t("tui.cancelled", &[]), false),
        (_, _, preview) => s.popups.push(Popup::Import(ImportPopup { preview, ..p })),
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
