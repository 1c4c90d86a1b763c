//! Files users name: outputs (`-o FILE`, `man --out DIR`, the TUI's exports, a
//! restored `config.toml`) and inputs (imports, `--map-file`, `@file` text, a
//! calendar file).
//!
//! A path a user names may sit in a directory others can write to (`/tmp`, a
//! shared folder), and the name may be a symlink, a FIFO or a device — planted,
//! or a slip such as `-o /dev/null` run as root. So:
//!
//! - [`write_file`] writes a new file under a random name created exclusively
//!   (`O_CREAT|O_EXCL`: never through a symlink or into something that exists)
//!   in the target's directory, flushes it, and renames it over the target. A
//!   target that exists must be a regular file; anything else (a symlink, a
//!   FIFO, a device, a directory, a socket) is refused, naming the path, and
//!   left as it was. A new target is created with a rename that refuses to
//!   replace what appeared meanwhile.
//! - [`open_regular`] opens only regular files (symlinks to them are fine):
//!   a FIFO would block the open and a device (`/dev/zero`) never ends. It looks
//!   before it opens, and opens without blocking and checks again what it opened.
//! - [`read_regular`] reads a whole file of bounded size.

use std::fs::{File, FileType, Permissions};
use std::io::{Read, Write};
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

use crate::error::{Error, Result};
use crate::i18n::t;

/// Why a path is used, for the message when it is not a regular file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// An output file.
    Write,
    /// A file read whole (`--map-file`, `@file`, a calendar).
    Read,
    /// A file to import (standard input is `-`).
    Import,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Purpose::Write => "write",
            Purpose::Read => "read",
            Purpose::Import => "import",
        }
    }
}

/// What a file type is, when it is not a regular file.
pub fn kind_of(ft: &FileType) -> Option<&'static str> {
    Some(if ft.is_file() {
        return None;
    } else if ft.is_symlink() {
        "symlink"
    } else if ft.is_fifo() {
        "fifo"
    } else if ft.is_char_device() || ft.is_block_device() {
        "device"
    } else if ft.is_dir() {
        "directory"
    } else if ft.is_socket() {
        "socket"
    } else {
        "other"
    })
}

/// The refusal of `path`, which is a `ft` and not a regular file.
pub fn not_regular(path: &Path, ft: &FileType, purpose: Purpose) -> Error {
    Error::NotRegular {
        path: path.display().to_string(),
        kind: kind_of(ft).unwrap_or("other").to_string(),
        purpose: purpose.as_str().to_string(),
    }
}

/// Write `bytes` to `path` atomically, replacing a regular file there (keeping
/// its permissions) or creating it with at most `new_mode` (the umask narrows
/// it). Refuses, changing nothing, when `path` is anything but a regular file.
pub fn write_file(path: &Path, bytes: &[u8], new_mode: u32) -> Result<()> {
    let name = path.file_name().ok_or_else(|| {
        Error::input(
            &t("fs.field.output", &[]),
            &path.display().to_string(),
            &t("fs.expected.file_name", &[]),
        )
    })?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let existing = existing_regular(path)?;
    // The name shows whose file it is; cut, so that it stays a valid name.
    let stem: String = name.to_string_lossy().chars().take(48).collect();
    let mode = existing.as_ref().map(|p| p.mode()).unwrap_or(new_mode) & 0o7777;
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{stem}."))
        .suffix(".tmp")
        .permissions(Permissions::from_mode(mode))
        .tempfile_in(dir)
        .map_err(|e| Error::io(path, e))?;
    let io = |e: std::io::Error| Error::io(path, e);
    tmp.write_all(bytes).map_err(io)?;
    if let Some(p) = &existing {
        // Exactly the old file's mode, whatever the umask.
        tmp.as_file().set_permissions(p.clone()).map_err(io)?;
    }
    tmp.as_file().sync_all().map_err(io)?;
    let persisted = match existing {
        Some(_) => tmp.persist(path),
        // Nothing there: a rename that does not replace what may have appeared since.
        None => match tmp.persist_noclobber(path) {
            Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => {
                existing_regular(path)?;
                e.file.persist(path)
            }
            other => other,
        },
    };
    persisted.map_err(|e| Error::io(path, e.error))?;
    // The rename itself is on disk once the directory is.
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// An export the user named (the terminal UI's `e`, `x`): [`write_file`] with
/// the mode of a new file `0666` less the umask.
pub fn write_export(path: &Path, text: &str) -> Result<()> {
    write_file(path, text.as_bytes(), 0o666)
}

/// The permissions of the regular file at `path`, `None` if there is nothing;
/// an error if it is anything else.
fn existing_regular(path: &Path) -> Result<Option<Permissions>> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_file() => Ok(Some(m.permissions())),
        Ok(m) => Err(not_regular(path, &m.file_type(), Purpose::Write)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(path, e)),
    }
}

/// Open `path` for reading if it is a regular file (or a symlink to one).
pub fn open_regular(path: &Path, purpose: Purpose) -> Result<File> {
    // Look first: opening a device may itself do something (a tape rewinds).
    let m = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if !m.file_type().is_file() {
        return Err(not_regular(path, &m.file_type(), purpose));
    }
    // Then open without blocking (a FIFO put there meanwhile does not hang the
    // open) and check what was opened.
    let f = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags((nix::fcntl::OFlag::O_NONBLOCK | nix::fcntl::OFlag::O_NOCTTY).bits())
        .open(path)
        .map_err(|e| Error::io(path, e))?;
    let m = f.metadata().map_err(|e| Error::io(path, e))?;
    if !m.file_type().is_file() {
        return Err(not_regular(path, &m.file_type(), purpose));
    }
    Ok(f)
}

/// Read the regular file `path` whole; more than `limit` bytes is refused.
pub fn read_regular(path: &Path, limit: u64, purpose: Purpose) -> Result<Vec<u8>> {
    let f = open_regular(path, purpose)?;
    let mut bytes = Vec::new();
    f.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(path, e))?;
    if bytes.len() as u64 > limit {
        return Err(too_large(&crate::io::display_name(path), limit, "file"));
    }
    Ok(bytes)
}

/// `1 MiB`, `64 MiB`.
pub fn size_label(bytes: u64) -> String {
    if bytes >= 1 << 20 && bytes.is_multiple_of(1 << 20) {
        format!("{} MiB", bytes >> 20)
    } else if bytes >= 1 << 10 && bytes.is_multiple_of(1 << 10) {
        format!("{} KiB", bytes >> 10)
    } else {
        format!("{bytes} B")
    }
}

/// The refusal of a `unit` (`row`, `line`, `message`, `file`) at `place` that is
/// longer than `limit` bytes.
pub fn too_large(place: &str, limit: u64, unit: &str) -> Error {
    let limit = size_label(limit);
    crate::io::bad(
        place,
        &t("import.field.size", &[]),
        &format!("> {limit}"),
        &t(
            "import.expected.size",
            &[("limit", limit), ("unit", t(&format!("import.unit.{unit}"), &[]))],
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_replace_regular_files_only() {
        let tmp = tempfile::tempdir().unwrap();
        let p = tmp.path().join("out.txt");
        write_file(&p, b"one", 0o644).unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"one");
        std::fs::set_permissions(&p, Permissions::from_mode(0o600)).unwrap();
        write_file(&p, b"two", 0o644).unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        assert_eq!(std::fs::metadata(&p).unwrap().permissions().mode() & 0o777, 0o600);
        let victim = tmp.path().join("victim");
        std::fs::write(&victim, b"mine").unwrap();
        let link = tmp.path().join("link");
        std::os::unix::fs::symlink(&victim, &link).unwrap();
        let e = write_file(&link, b"x", 0o644).unwrap_err();
        assert!(
            matches!(&e, Error::NotRegular { kind, .. } if kind == "symlink"),
            "{e:?}"
        );
        assert_eq!(e.exit_code(), 2);
        assert_eq!(std::fs::read(&victim).unwrap(), b"mine");
        let e = write_file(tmp.path(), b"x", 0o644).unwrap_err();
        assert!(matches!(&e, Error::Input { .. } | Error::NotRegular { .. }), "{e:?}");
        // Only the two files and the link: no temporary file is left.
        assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 3);
    }

    #[test]
    fn reads_refuse_fifos_and_bound_the_size() {
        let tmp = tempfile::tempdir().unwrap();
        let fifo = tmp.path().join("fifo");
        nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::from_bits_truncate(0o600)).unwrap();
        let e = open_regular(&fifo, Purpose::Import).unwrap_err();
        assert!(matches!(&e, Error::NotRegular { kind, .. } if kind == "fifo"), "{e:?}");
        let p = tmp.path().join("big");
        std::fs::write(&p, vec![b'a'; 2048]).unwrap();
        assert_eq!(read_regular(&p, 2048, Purpose::Read).unwrap().len(), 2048);
        let e = read_regular(&p, 1024, Purpose::Read).unwrap_err();
        assert_eq!(e.exit_code(), 2, "{e:?}");
        assert_eq!(size_label(64 << 20), "64 MiB");
    }
}
