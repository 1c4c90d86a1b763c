//! `owner.lock`: an advisory lock held by the process that has the database open,
//! with that process's description inside, so that a second process can say who
//! holds it instead of sled's bare lock error.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use nix::fcntl::{Flock, FlockArg};

use crate::error::{Error, Result};

/// What this process writes into `owner.lock` when it takes it, instead of
/// its pid and command line: a server names its socket from the first moment
/// it holds the database (so that a rival started at the same instant never
/// reads a holder that is not a server). Set once, before the open.
static DESCRIPTION: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Describe this process in `owner.lock` as `text` from the moment it takes it.
pub fn describe_as(text: String) {
    let _ = DESCRIPTION.set(text);
}

pub struct OwnerLock {
    _lock: Flock<File>,
}

impl OwnerLock {
    /// Replace the description other processes see (the server names its socket).
    pub fn describe(&self, text: &str) {
        let mut f: &File = &self._lock;
        let _ = f.set_len(0);
        let _ = f.rewind();
        let _ = f.write_all(text.as_bytes());
        let _ = f.sync_data();
    }

    pub fn acquire(dir: &Path) -> Result<OwnerLock> {
        let path = dir.join("owner.lock");
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o660)
            .open(&path)
            .map_err(|e| Error::io(&path, e))?;
        match Flock::lock(file, FlockArg::LockExclusiveNonblock) {
            Ok(mut lock) => {
                let me = DESCRIPTION.get().cloned().unwrap_or_else(|| {
                    format!(
                        "pid {} ({}), {}",
                        std::process::id(),
                        crate::config::os_user_name(),
                        std::env::args().collect::<Vec<_>>().join(" ")
                    )
                });
                let _ = lock.set_len(0);
                let _ = lock.rewind();
                let _ = lock.write_all(me.as_bytes());
                let _ = lock.sync_data();
                Ok(OwnerLock { _lock: lock })
            }
            Err((mut file, _)) => {
                let mut holder = String::new();
                let _ = file.read_to_string(&mut holder);
                Err(Error::Locked {
                    path: dir.display().to_string(),
                    holder: crate::sanitize::clean_line(holder.trim()),
                })
            }
        }
    }
}
