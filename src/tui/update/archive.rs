//! The archive pane (备案档案): dossiers newest first, full-text search off the
//! keystroke path, a per-system timeline, the dossier detail, Markdown export.

use crossterm::event::KeyEvent;

use super::super::action::Action;
use super::super::input::Edit;
use super::super::state::*;
use super::super::worker::Job;
use super::Effect;
use crate::i18n::t;
use crate::service::ArchiveFilter;

fn search(s: &mut State, fx: &mut Vec<Effect>) {
    let text = s.archive.query.text();
    s.archive.search_seq += 1;
    let (system, from) = match s.archive.timeline {
        Some((id, days)) => (
            Some(id),
            Some(chrono::Local::now().date_naive() - chrono::Duration::days(days)),
        ),
        None => (None, None),
    };
    if text.trim().is_empty() && system.is_none() {
        s.archive.hits = None;
        return;
    }
    let filter = ArchiveFilter {
        system,
        text: Some(text).filter(|t| !t.trim().is_empty()),
        from,
        to: None,
    };
    fx.push(Effect::Job(Job::SearchArchive {
        seq: s.archive.search_seq,
        filter,
    }));
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
    s.archive.timeline = Some((sys.id, 30));
    search(s, fx);
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
            let initial = s
                .archive
                .shown()
                .get(s.archive.cursor.selected)
                .map(|d| d.system_name.clone())
                .unwrap_or_default();
            s.popups.push(Popup::Prompt {
                purpose: PromptFor::Timeline,
                label: t("tui.prompt.timeline", &[]),
                input: super::super::input::Field::new(&initial, false),
            });
        }
        Action::ArchiveExport => {
            let sel = s.archive.shown().get(s.archive.cursor.selected).map(|d| d.id);
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
