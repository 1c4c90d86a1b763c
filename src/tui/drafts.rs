//! Unsaved form edits survive a dropped SSH connection: every change to a form is
//! written to `<data dir>/drafts/<user>/draft.json` (atomically, via a temporary
//! file), and the next start reopens the form with it.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::state::FormKind;
use crate::model::Id;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    pub kind: FormKind,
    /// The record being edited and the revision the edit is based on.
    pub target: Option<(Id, u64)>,
    /// The text of each field, in form order.
    pub values: Vec<String>,
    pub focus: usize,
}

const FILE: &str = "draft.json";

/// Write the draft, or remove it with `None`. Errors are ignored: a draft is a
/// convenience and must never stop typing.
pub fn save(dir: &Path, draft: Option<&Draft>) {
    match draft {
        Some(d) => {
            use std::os::unix::fs::DirBuilderExt;
            let _ = std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir);
            let tmp = dir.join("draft.json.tmp");
            if let Ok(json) = serde_json::to_vec(d) {
                if std::fs::write(&tmp, json).is_ok() {
                    let _ = std::fs::rename(&tmp, dir.join(FILE));
                }
            }
        }
        None => {
            let _ = std::fs::remove_file(dir.join(FILE));
        }
    }
}

/// Writes drafts on its own thread, so that typing never waits on the disk; when
/// several changes queue up only the latest is written.
pub struct Writer {
    tx: Option<std::sync::mpsc::Sender<Option<Draft>>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Writer {
    pub fn start(dir: &Path) -> Writer {
        let (tx, rx) = std::sync::mpsc::channel::<Option<Draft>>();
        let dir = dir.to_path_buf();
        let thread = std::thread::spawn(move || {
            while let Ok(mut latest) = rx.recv() {
                while let Ok(newer) = rx.try_recv() {
                    latest = newer;
                }
                save(&dir, latest.as_ref());
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

pub fn load(dir: &Path) -> Option<Draft> {
    let bytes = std::fs::read(dir.join(FILE)).ok()?;
    serde_json::from_slice(&bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_clear() {
        let tmp = tempfile::tempdir().unwrap();
        let d = Draft {
            kind: FormKind::EditPlan,
            target: None,
            values: vec!["目标".into(), "内容\n第二行".into()],
            focus: 1,
        };
        save(tmp.path(), Some(&d));
        assert_eq!(load(tmp.path()), Some(d));
        save(tmp.path(), None);
        assert_eq!(load(tmp.path()), None);
    }
}
