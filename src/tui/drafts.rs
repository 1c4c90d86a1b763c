//! Unsaved forms survive a dropped SSH connection, and parked forms survive the
//! session: the form being edited and every parked form are written to
//! `<data dir>/drafts/<user>/drafts.json` (atomically, via a temporary file) on
//! every change, and the next start brings them back — the one interrupted edit
//! reopened, several listed to choose from.
//!
//! A field's value is stored by the field's name, a choice as its code
//! (`staff`, not 职工), so a draft reopens in the language of the session. The
//! file of earlier versions (`draft.json`: one form, values in form order) is read
//! too, and replaced by the new one at the first save.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::state::{FormKind, PlanBase};
use crate::model::{Id, Time};

/// One form as saved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormDraft {
    pub kind: FormKind,
    /// The record being edited and the revision the edit is based on.
    pub target: Option<(Id, u64)>,
    pub values: Values,
    /// The focused field.
    pub focus: Focus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<PlanBase>,
    /// When it was parked; None for the form that was being edited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parked_at: Option<Time>,
    /// The name a name-resolving form resolves.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
}

/// The fields' values: by name (now), or in form order (drafts of earlier versions).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Values {
    Named(BTreeMap<String, String>),
    InOrder(Vec<String>),
}

/// The focused field: by name, or by position (earlier versions).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Focus {
    Name(String),
    Index(usize),
}

/// Everything a user has not saved yet: the form open when the session ended,
/// and the parked ones.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    #[serde(default)]
    pub open: Option<FormDraft>,
    #[serde(default)]
    pub parked: Vec<FormDraft>,
}

impl Draft {
    pub fn is_empty(&self) -> bool {
        self.open.is_none() && self.parked.is_empty()
    }
}

const FILE: &str = "drafts.json";
/// One form, written by earlier versions.
const OLD_FILE: &str = "draft.json";

/// Write the drafts (an empty set removes the file). Errors are ignored: a draft
/// is a convenience and must never stop typing.
pub fn save(dir: &Path, draft: &Draft) {
    let _ = std::fs::remove_file(dir.join(OLD_FILE));
    if draft.is_empty() {
        let _ = std::fs::remove_file(dir.join(FILE));
        return;
    }
    use std::os::unix::fs::DirBuilderExt;
    let _ = std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir);
    let tmp = dir.join("drafts.json.tmp");
    if let Ok(json) = serde_json::to_vec(draft) {
        if std::fs::write(&tmp, json).is_ok() {
            let _ = std::fs::rename(&tmp, dir.join(FILE));
        }
    }
}

pub fn load(dir: &Path) -> Option<Draft> {
    if let Ok(bytes) = std::fs::read(dir.join(FILE)) {
        return serde_json::from_slice::<Draft>(&bytes).ok().filter(|d| !d.is_empty());
    }
    let bytes = std::fs::read(dir.join(OLD_FILE)).ok()?;
    let one: FormDraft = serde_json::from_slice(&bytes).ok()?;
    Some(Draft {
        open: Some(one),
        parked: Vec::new(),
    })
}

/// Writes drafts on its own thread, so that typing never waits on the disk; when
/// several changes queue up only the latest is written.
///
/// `Some(drafts)` replaces everything; `None` says the form being edited is done
/// with (saved or discarded): the parked forms stay.
pub struct Writer {
    tx: Option<std::sync::mpsc::Sender<Option<Draft>>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Writer {
    pub fn start(dir: &Path) -> Writer {
        let (tx, rx) = std::sync::mpsc::channel::<Option<Draft>>();
        let dir = dir.to_path_buf();
        let thread = std::thread::spawn(move || {
            let mut current = load(&dir).unwrap_or_default();
            while let Ok(first) = rx.recv() {
                let mut apply = |m: Option<Draft>| match m {
                    Some(d) => current = d,
                    None => current.open = None,
                };
                apply(first);
                while let Ok(newer) = rx.try_recv() {
                    apply(newer);
                }
                save(&dir, &current);
            }
        });
        Writer {
            tx: Some(tx),
            thread: Some(thread),
        }
    }

    pub fn save(&self, draft: Option<Draft>) {
        if let Some(tx) = &self.tx {
            let _ = tx.send(draft);
        }
    }
}

impl Drop for Writer {
    /// Everything sent is on disk before the program goes on (or exits).
    fn drop(&mut self) {
        self.tx.take();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(title: &str) -> FormDraft {
        FormDraft {
            kind: FormKind::NewRequest,
            target: None,
            values: Values::Named(BTreeMap::from([
                ("title".to_string(), title.to_string()),
                ("submitter_type".to_string(), "staff".to_string()),
            ])),
            focus: Focus::Name("title".into()),
            plan: None,
            parked_at: None,
            subject: None,
        }
    }

    #[test]
    fn round_trip_and_clear() {
        let tmp = tempfile::tempdir().unwrap();
        let d = Draft {
            open: Some(form("食堂消费机重复扣款")),
            parked: vec![form("门禁刷卡偶尔失败")],
        };
        save(tmp.path(), &d);
        assert_eq!(load(tmp.path()), Some(d));
        save(tmp.path(), &Draft::default());
        assert_eq!(load(tmp.path()), None);
        assert!(!tmp.path().join(FILE).exists());
    }

    /// A draft written by an earlier version (one form, values in form order) is read.
    #[test]
    fn the_old_file_is_read_and_replaced() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(
            tmp.path().join(OLD_FILE),
            r#"{"kind":"edit_plan","target":null,"values":["目标","内容\n第二行"],"focus":1}"#,
        )
        .unwrap();
        let d = load(tmp.path()).expect("read");
        let open = d.open.clone().unwrap();
        assert_eq!(open.kind, FormKind::EditPlan);
        assert_eq!(open.values, Values::InOrder(vec!["目标".into(), "内容\n第二行".into()]));
        assert_eq!(open.focus, Focus::Index(1));
        save(tmp.path(), &d);
        assert!(!tmp.path().join(OLD_FILE).exists());
        assert_eq!(load(tmp.path()), Some(d));
    }

    /// The writer keeps the parked forms when the edited one is done (`None`).
    #[test]
    fn the_writer_folds_what_it_is_sent() {
        let tmp = tempfile::tempdir().unwrap();
        let w = Writer::start(tmp.path());
        w.save(Some(Draft {
            open: Some(form("a")),
            parked: vec![form("b")],
        }));
        w.save(None);
        drop(w);
        assert_eq!(
            load(tmp.path()),
            Some(Draft {
                open: None,
                parked: vec![form("b")]
            })
        );
        // A new writer starts from the file: `None` first keeps the parked form.
        let w = Writer::start(tmp.path());
        w.save(None);
        drop(w);
        assert_eq!(load(tmp.path()).map(|d| d.parked.len()), Some(1));
    }
}
