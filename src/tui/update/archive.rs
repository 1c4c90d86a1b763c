//! The archive pane (备案档案): dossiers newest first; the ranked search with
//! snippets off the keystroke path (`]` the next page, `n`/`N` the words in the
//! open dossier); a system's timeline of changes (go-lives filed or not,
//! rollbacks, implementations under way), never combined with a search; the
//! dossier detail, Markdown export.

use crossterm::event::KeyEvent;

use super::super::action::Action;
use super::super::input::Edit;
use super::super::state::*;
use super::super::worker::Job;
use super::Effect;
use crate::i18n::t;

/// How many hits the pane asks for at a time (`]` asks for the next page).
pub const PAGE: usize = 50;

/// Ask for the ranked answer of the words typed (a search leaves the timeline).
fn search(s: &mut State, fx: &mut Vec<Effect>) {
    let text = s.archive.query.text();
    s.archive.search_seq += 1;
    if text.trim().is_empty() {
        s.archive.hits = None;
        s.archive.answer = None;
        return;
    }
    s.archive.timeline = None;
    s.archive.changes = None;
    let mut req = crate::search::archive::SearchRequest::new(&text);
    req.limit = PAGE;
    fx.push(Effect::Job(Job::ArchiveSearch {
        seq: s.archive.search_seq,
        req,
    }));
}

/// A page of the ranked answer came back: the first replaces, a next one is appended.
pub fn answered(s: &mut State, seq: u64, answer: crate::search::archive::SearchAnswer) {
    if seq != s.archive.search_seq {
        return;
    }
    let a = &mut s.archive;
    match a.answer.as_mut() {
        Some(prev) if answer.offset > 0 && answer.offset == prev.hits.len() => {
            prev.hits.extend(answer.hits);
            prev.total = answer.total;
        }
        _ => {
            a.cursor = Default::default();
            a.answer = Some(answer);
        }
    }
    a.hits = a
        .answer
        .as_ref()
        .map(|x| x.hits.iter().map(|h| h.dossier.clone()).collect());
}

/// The next page of the answer, when there is more.
fn more(s: &mut State, fx: &mut Vec<Effect>) {
    let Some(a) = s.archive.answer.as_ref().filter(|a| a.hits.len() < a.total) else {
        return s.toast(t("tui.archive.no_more", &[]), false);
    };
    let mut req = crate::search::archive::SearchRequest::new(&s.archive.query.text());
    req.limit = PAGE;
    req.offset = a.hits.len();
    fx.push(Effect::Job(Job::ArchiveSearch {
        seq: s.archive.search_seq,
        req,
    }));
}

/// The lines of the open dossier as drawn, and the words of the search.
fn detail_lines(s: &State) -> Option<(Vec<String>, Vec<String>)> {
    let v = s.archive.detail.as_ref()?;
    let terms = s.archive.answer.as_ref().map(|a| a.terms.clone()).unwrap_or_default();
    if terms.is_empty() {
        return None;
    }
    let width = s.archive.detail_width.get().max(20);
    let th = crate::tui::ui::theme::Theme::of(s);
    let lines = crate::tui::ui::sections::lines(&crate::export::dossier_sections(v), width, &th)
        .into_iter()
        .map(|l| l.spans.iter().map(|x| x.content.as_ref()).collect::<String>())
        .collect();
    Some((lines, terms))
}

/// `n`/`N`: scroll the open dossier to the next (previous) line holding a word of the search.
fn jump(s: &mut State, forward: bool) {
    if !s.archive.open {
        return s.toast(t("tui.open_first", &[]), true);
    }
    let Some((lines, terms)) = detail_lines(s) else {
        return s.toast(t("tui.archive.no_words", &[]), false);
    };
    let hit = |i: &usize| {
        let n = crate::search::normalize(&lines[*i]);
        terms.iter().any(|t| n.contains(t.as_str()))
    };
    let pos = s.archive.detail_scroll.pos;
    let next = if forward {
        (pos + 1..lines.len())
            .find(hit)
            .or_else(|| (0..=pos.min(lines.len())).find(hit))
    } else {
        (0..pos.min(lines.len()))
            .rev()
            .find(hit)
            .or_else(|| (pos..lines.len()).rev().find(hit))
    };
    match next {
        Some(i) => s.archive.detail_scroll.pos = i,
        None => s.toast(t("tui.archive.no_match", &[]), false),
    }
}

pub fn search_key(s: &mut State, k: KeyEvent, fx: &mut Vec<Effect>) {
    match s.archive.query.handle(&k) {
        Edit::Submit => s.archive.searching = false,
        Edit::Cancel => {
            s.archive.searching = false;
            s.archive.query.set_text("");
            search(s, fx);
        }
        Edit::Changed => search(s, fx),
        _ => {}
    }
}

/// Show what changed on a system (named by the prompt) in the last 30 days.
pub fn timeline(s: &mut State, text: &str, fx: &mut Vec<Effect>) -> Result<(), String> {
    let text = text.trim();
    // By id, by name or a part of one, or by the pinyin of one (`jwgl`).
    let hit = s.systems.iter().find(|x| x.id.to_string() == text).or_else(|| {
        let v = crate::search::named(&s.systems, |x| &x.name, text);
        (v.len() == 1).then(|| v[0])
    });
    let Some(sys) = hit else {
        return Err(crate::Error::not_found(text).message());
    };
    let id = sys.id;
    // The timeline replaces a search: never the two combined.
    s.archive.timeline = Some((id, 30));
    s.archive.query.set_text("");
    s.archive.hits = None;
    s.archive.answer = None;
    s.archive.changes = None;
    s.archive.search_seq += 1;
    fx.push(Effect::Job(Job::Changes {
        seq: s.archive.search_seq,
        system: id,
        since: chrono::Local::now().date_naive() - chrono::Duration::days(30),
    }));
    Ok(())
}

pub fn action(s: &mut State, a: Action, fx: &mut Vec<Effect>) {
    match a {
        Action::ArchiveExportCsv => fx.push(Effect::Write {
            path: super::queue::csv_path(s, "archive"),
            text: String::from_utf8_lossy(&crate::export::archive_csv(s.archive.shown())).into_owned(),
        }),
        Action::ArchiveVerify => {
            s.archive.integrity = crate::tui::state::Integrity::Checking;
            s.archive.verify_asked = true;
            fx.push(Effect::Job(Job::Verify));
        }
        Action::ArchiveTimeline => {
            // Start from the system of the selected dossier; most recent changes first.
            let initial = match (&s.archive.changes, s.archive.timeline) {
                (Some(_), Some((id, _))) => s.system_name(Some(id)),
                _ => s
                    .archive
                    .shown()
                    .get(s.archive.cursor.selected)
                    .map(|d| d.system_name.clone())
                    .unwrap_or_default(),
            };
            s.popups.push(Popup::Prompt {
                purpose: PromptFor::Timeline,
                label: t("tui.prompt.timeline", &[]),
                input: super::super::input::Field::new(&initial, false),
            });
        }
        Action::ArchiveMore => more(s, fx),
        Action::ArchiveNextMatch => jump(s, true),
        Action::ArchivePrevMatch => jump(s, false),
        Action::ArchiveExport => {
            let sel = s.archive.selected_dossier();
            let Some(v) = s.archive.detail.as_ref().filter(|v| Some(v.dossier.id) == sel) else {
                s.archive.open = sel.is_some();
                return s.toast(t("tui.open_first", &[]), true);
            };
            let path = super::queue::export_path(s, &format!("{}.md", v.dossier.id));
            fx.push(Effect::Write {
                path,
                text: crate::export::dossier_markdown(v),
            });
        }
        _ => {}
    }
}
