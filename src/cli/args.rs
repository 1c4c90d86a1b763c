//! Parsing what users type: ids, times, dates, and `@file` text.

use chrono::NaiveDate;

use crate::error::{Error, Result};
use crate::model::{Id, IdKind, Time};

pub fn id(field: &str, s: &str, kind: IdKind) -> Result<Id> {
    Id::parse_kind(s, kind).map_err(|_| {
        let example = match kind {
            k if !k.yearly() => format!("{}-0001", k.prefix()),
            k => format!("{}-2026-0001", k.prefix()),
        };
        Error::input(field, s, &example)
    })
}

/// A time as users type it (see [`crate::model::parse_time`]).
pub fn time(field: &str, s: &str) -> Result<Time> {
    crate::model::parse_time(s).ok_or_else(|| Error::input(field, s, "YYYY-MM-DD HH:MM"))
}

pub fn date(field: &str, s: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| Error::input(field, s, "YYYY-MM-DD"))
}

/// Text given on the command line; `@path` reads a file and `@-` standard input.
pub fn text(field: &str, s: &str) -> Result<String> {
    if let Some(path) = s.strip_prefix('@') {
        // Bounded, and only from a regular file (a FIFO would block, a device
        // never end) or standard input.
        let limit = crate::io::MAX_SMALL_FILE;
        let bytes = if path == "-" {
            let mut b = Vec::new();
            std::io::Read::read_to_end(&mut std::io::Read::take(std::io::stdin(), limit + 1), &mut b)
                .map_err(|e| Error::io(std::path::Path::new("-"), e))?;
            if b.len() as u64 > limit {
                return Err(crate::fsutil::too_large(
                    &crate::i18n::t("import.place.stdin", &[]),
                    limit,
                    "file",
                ));
            }
            b
        } else {
            crate::fsutil::read_regular(std::path::Path::new(path), limit, crate::fsutil::Purpose::Read)?
        };
        return String::from_utf8(bytes)
            .map_err(|_| Error::input(field, s, &crate::i18n::t("cli.expected.utf8_file", &[])));
    }
    Ok(s.to_string())
}

pub fn opt_text(field: &str, s: &Option<String>) -> Result<Option<String>> {
    s.as_deref().map(|v| text(field, v)).transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_and_errors() {
        assert!(time("window-start", "2026-12-05 22:00").is_ok());
        assert!(time("window-start", "2026-12-05T22:00:00+08:00").is_ok());
        assert!(time("window-start", "2026-12-05").is_ok());
        assert!(matches!(
            time("window-start", "2026-13-05 22:00"),
            Err(Error::Input { .. })
        ));
        assert!(matches!(date("deadline", "tomorrow"), Err(Error::Input { .. })));
        assert!(matches!(
            id("plan", "REQ-2026-0001", IdKind::Plan),
            Err(Error::Input { .. })
        ));
    }
}
