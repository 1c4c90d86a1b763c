//! Attached files (issue 18 §1, §3.5 "related materials") in the detail of a
//! request, a plan, a dossier, an order or a report: the list follows the
//! record the detail shows; `+` attaches a file by its path (the worker reads
//! it) with its kind chosen from a list, `=` saves one out. Whether attaching
//! is offered is the core's answer ([`crate::tui::action::Action::op`]); the
//! core decides the file (size limit, a name already taken).

use crossterm::event::{KeyCode, KeyEvent};

use super::super::action::{Action, Pane};
use super::super::input::Field;
use super::super::state::*;
use super::super::worker::{AttachmentJob, AttachmentReply, Job};
use super::popups::prompt;
use super::Effect;
use crate::i18n::t;
use crate::model::{size_text, AttachmentKind, Id};

/// The record whose detail is shown, and the records whose files it lists (a
/// dossier lists its plan's files too); `None` while there is none, or while a
/// dossier is still loading.
pub fn detail_record(s: &State) -> Option<(Id, Vec<Id>)> {
    match s.pane {
        Pane::Queue if s.queue.open => super::queue::selected(s).map(|r| (r.id, vec![r.id])),
        Pane::Plans => super::plans::selected(s).map(|p| (p.id, vec![p.id])),
        Pane::Archive if s.archive.open => {
            let id = s.archive.shown().get(s.archive.cursor.selected)?.id;
            let v = s.archive.detail.as_ref().filter(|v| v.dossier.id == id)?;
            Some((id, vec![id, v.dossier.plan.id]))
        }
        Pane::Supervision => super::supervision::selected(s).map(|r| (r.id(), vec![r.id()])),
        _ => None,
    }
}

/// The list follows the detail: ask for the files of the record it shows.
pub fn follow(s: &mut State, fx: &mut Vec<Effect>) {
    let Some((of, ids)) = detail_record(s) else { return };
    if s.attachments.of != Some(of) && s.attachments.loading != Some(of) {
        s.attachments.loading = Some(of);
        fx.push(Effect::Job(Job::Attachment(AttachmentJob::List { of, ids })));
    }
}

/// Something changed: the list is read again when next shown.
pub fn invalidate(s: &mut State) {
    s.attachments.of = None;
    s.attachments.loading = None;
}

/// The files listed for `id`, once they are in.
pub fn listed(s: &State, id: Id) -> Option<&[crate::model::AttachmentEntry]> {
    (s.attachments.of == Some(id)).then_some(s.attachments.list.as_slice())
}

/// Is `a` one of the attachment commands?
pub fn handles(a: Action) -> bool {
    attaches(a) || saves(a)
}

fn attaches(a: Action) -> bool {
    use Action::*;
    matches!(a, QueueAttach | PlanAttach | ArchiveAttach | SupAttach)
}

fn saves(a: Action) -> bool {
    use Action::*;
    matches!(
        a,
        QueueAttachmentSave | PlanAttachmentSave | ArchiveAttachmentSave | SupAttachmentSave
    )
}

/// `+` or `=` on the record the screen shows.
pub fn action(s: &mut State, a: Action, _fx: &mut Vec<Effect>) {
    let Some(shown) = s.shown() else {
        return s.toast(t("tui.attach.no_record", &[]), true);
    };
    let [id] = shown.ids[..] else {
        return s.toast(t("tui.attach.one_record", &[]), true);
    };
    if attaches(a) {
        // The core says whether this user may attach, and to what kind of record.
        if let Err(msg) = super::offers::check(s, a) {
            return s.toast(msg, true);
        }
        if !crate::workflow::attach::carries_files(id.kind) {
            return s.toast(t("attachment.expected.entity", &[]), true);
        }
        prompt(
            s,
            PromptFor::AttachPath(id),
            &t("tui.prompt.attach_path", &[("id", id.to_string())]),
            "",
        );
    } else {
        let list = listed(s, id).unwrap_or_default();
        if listed(s, id).is_some() && list.is_empty() {
            return s.toast(t("attachment.none", &[("entity", id.to_string())]), true);
        }
        let files = list
            .iter()
            .map(|e| format!("#{} {}", e.no, crate::sanitize::clean_line(&e.name)))
            .collect::<Vec<_>>()
            .join(" · ");
        let initial = if list.len() == 1 {
            "#1".to_string()
        } else {
            String::new()
        };
        prompt(
            s,
            PromptFor::SaveAttachment(id),
            &t(
                "tui.prompt.attachment_which",
                &[("id", id.to_string()), ("files", files)],
            ),
            &initial,
        );
    }
}

/// The kinds in the order the kind prompt numbers them.
fn kinds() -> &'static [AttachmentKind] {
    AttachmentKind::ALL
}

/// A path as typed or pasted: quotes from a file manager dropped, `~/` expanded.
fn typed_path(text: &str) -> std::path::PathBuf {
    let t = text.trim();
    let t = ['\'', '"']
        .iter()
        .find_map(|q| t.strip_prefix(*q).and_then(|x| x.strip_suffix(*q)))
        .unwrap_or(t);
    match t.strip_prefix("~/") {
        Some(rest) => match std::env::var_os("HOME") {
            Some(home) => std::path::Path::new(&home).join(rest),
            None => t.into(),
        },
        None => t.into(),
    }
}

fn file_name(path: &std::path::Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// Carry out an attachment prompt; an error keeps it open.
pub fn submit_prompt(s: &mut State, purpose: &PromptFor, text: &str, fx: &mut Vec<Effect>) -> Result<(), String> {
    match purpose {
        PromptFor::AttachPath(entity) => {
            if text.trim().is_empty() {
                return Err(t("tui.attach.no_file", &[]));
            }
            let path = typed_path(text);
            let choices = kinds()
                .iter()
                .enumerate()
                .map(|(i, k)| format!("{} {}", i + 1, k.label()))
                .collect::<Vec<_>>()
                .join(" · ");
            prompt(
                s,
                PromptFor::AttachKind {
                    entity: *entity,
                    path: path.clone(),
                },
                &t(
                    "tui.prompt.attach_kind",
                    &[
                        ("file", crate::sanitize::clean_line(&file_name(&path))),
                        ("id", entity.to_string()),
                        ("kinds", choices),
                    ],
                ),
                "",
            );
        }
        PromptFor::AttachKind { entity, path } => {
            let kind = kind_of(text)?;
            let name = crate::sanitize::clean_line(&file_name(path));
            fx.push(Effect::Job(Job::Attachment(AttachmentJob::Add {
                entity: *entity,
                path: path.clone(),
                kind,
                label: t("tui.done.attached", &[("file", name)]),
            })));
        }
        PromptFor::SaveAttachment(entity) => {
            let which = text.trim();
            if which.is_empty() {
                return Err(t("tui.attach.no_which", &[]));
            }
            // The file's own name, when the list knows it, names the default path.
            let by_no = which.strip_prefix('#').and_then(|n| n.parse::<u32>().ok());
            let known = listed(s, *entity).and_then(|l| l.iter().find(|e| e.name == which || Some(e.no) == by_no));
            let name = match (known, listed(s, *entity)) {
                (Some(e), _) => e.name.clone(),
                (None, Some(_)) => {
                    return Err(crate::Error::not_found(format!("{entity} {which}")).message());
                }
                (None, None) => which.to_string(),
            };
            let safe = crate::sanitize::clean_line(&name).replace(['/', '\\'], "_");
            let out = match &s.export_dir {
                Some(d) => d.join(&safe).display().to_string(),
                None => safe,
            };
            prompt(
                s,
                PromptFor::SaveAttachmentTo {
                    entity: *entity,
                    name: which.to_string(),
                },
                &t(
                    "tui.prompt.attachment_out",
                    &[("file", crate::sanitize::clean_line(&name)), ("id", entity.to_string())],
                ),
                &out,
            );
        }
        PromptFor::SaveAttachmentTo { entity, name } => {
            if text.trim().is_empty() {
                return Err(t("tui.attach.no_out", &[]));
            }
            fx.push(Effect::Job(Job::Attachment(AttachmentJob::Save {
                entity: *entity,
                name: name.clone(),
                out: typed_path(text),
            })));
        }
        _ => {}
    }
    Ok(())
}

/// The kind typed into the kind prompt: its number in the list, its label in
/// either language or its code; nothing is "other".
fn kind_of(text: &str) -> Result<AttachmentKind, String> {
    let x = text.trim();
    if x.is_empty() {
        return Ok(AttachmentKind::Other);
    }
    if let Ok(n) = x.parse::<usize>() {
        if let Some(k) = n.checked_sub(1).and_then(|i| kinds().get(i)) {
            return Ok(*k);
        }
    }
    kinds()
        .iter()
        .copied()
        .find(|k| k.as_str().eq_ignore_ascii_case(x) || k.label() == x)
        .ok_or_else(|| {
            crate::Error::input(
                "attachment_kind",
                x,
                &format!(
                    "1–{}: {}",
                    kinds().len(),
                    crate::i18n::list(kinds().iter().map(|k| k.label()))
                ),
            )
            .message()
        })
}

/// Tab in the path prompt: complete the path as far as it is unambiguous
/// (a directory gets its `/`). Reads the directory listing only.
pub fn complete_key(purpose: &PromptFor, input: &mut Field, k: &KeyEvent) -> bool {
    if !matches!(purpose, PromptFor::AttachPath(_) | PromptFor::SaveAttachmentTo { .. }) || k.code != KeyCode::Tab {
        return false;
    }
    if let Some(done) = complete(&input.text()) {
        input.set_text(&done);
    }
    true
}

/// The longest unambiguous completion of `typed` as a path, if it adds anything.
pub fn complete(typed: &str) -> Option<String> {
    let (dir, stem) = match typed.rfind('/') {
        Some(i) => (&typed[..=i], &typed[i + 1..]),
        None => ("", typed),
    };
    let read_dir = if dir.is_empty() {
        std::path::PathBuf::from(".")
    } else {
        typed_path(dir)
    };
    let mut names: Vec<(String, bool)> = std::fs::read_dir(&read_dir)
        .ok()?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let n = e.file_name().to_str()?.to_string();
            let is_dir = e.file_type().ok()?.is_dir() || e.path().is_dir();
            (n.starts_with(stem) && (stem.starts_with('.') || !n.starts_with('.'))).then_some((n, is_dir))
        })
        .collect();
    names.sort();
    let first = names.first()?;
    let mut common = first.0.clone();
    for (n, _) in &names[1..] {
        let k = common
            .char_indices()
            .zip(n.chars())
            .take_while(|((_, a), b)| a == b)
            .last()
            .map(|((i, c), _)| i + c.len_utf8())
            .unwrap_or(0);
        common.truncate(k);
    }
    let mut out = format!("{dir}{common}");
    if names.len() == 1 && first.1 {
        out.push('/');
    }
    (out != typed).then_some(out)
}

/// The worker's answer about attached files.
pub fn reply(s: &mut State, r: AttachmentReply) {
    match r {
        AttachmentReply::Listed { of, list } => {
            let current = detail_record(s).map(|(id, _)| id);
            if s.attachments.loading == Some(of) || current == Some(of) {
                s.attachments.of = Some(of);
                s.attachments.list = list;
                if s.attachments.loading == Some(of) {
                    s.attachments.loading = None;
                }
            }
        }
        AttachmentReply::Refused { file, error } => {
            s.toast(format!("{file}: {}", error.message()), true);
        }
        AttachmentReply::Saved {
            name,
            out,
            size,
            sha256,
        } => s.toast(
            t(
                "tui.done.attachment_saved",
                &[
                    ("file", crate::sanitize::clean_line(&name)),
                    ("path", crate::sanitize::clean_line(&out.display().to_string())),
                    ("size", size_text(size)),
                    ("sha", sha256.chars().take(12).collect()),
                ],
            ),
            false,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_chosen_by_number_label_or_code() {
        assert_eq!(kind_of(""), Ok(AttachmentKind::Other));
        assert_eq!(kind_of("1"), Ok(kinds()[0]));
        assert_eq!(kind_of("test_report"), Ok(AttachmentKind::TestReport));
        assert_eq!(kind_of(&AttachmentKind::Minutes.label()), Ok(AttachmentKind::Minutes));
        assert!(kind_of("0").is_err());
        assert!(kind_of("99").is_err());
        assert!(kind_of("nonsense").is_err());
    }

    #[test]
    fn paths_complete_as_far_as_they_are_unambiguous() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("报告-一.pdf"), b"1").unwrap();
        std::fs::write(dir.path().join("报告-二.pdf"), b"2").unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        let base = format!("{}/", dir.path().display());
        assert_eq!(complete(&format!("{base}报")), Some(format!("{base}报告-")));
        assert_eq!(complete(&format!("{base}报告-")), None);
        assert_eq!(complete(&format!("{base}s")), Some(format!("{base}sub/")));
        assert_eq!(complete(&format!("{base}x")), None);
        assert_eq!(typed_path("'/tmp/a b.txt'"), std::path::PathBuf::from("/tmp/a b.txt"));
    }
}
