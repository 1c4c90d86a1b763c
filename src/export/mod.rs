//! Readable and portable exports: the update notice (text, Markdown, .eml), a
//! dossier (Markdown, JSON), a plan's test report (Markdown) and CSV of the
//! request queue and the archive.
//!
//! Every function here is pure: it takes records and returns text or bytes in
//! the current language; writing files is [`write_atomic`]'s job. Untrusted text
//! goes through [`crate::sanitize`] and the Markdown escapes below, so a title
//! cannot open a table cell, a heading or a code fence of its own.

mod csv;
mod dossier;
mod notice;

pub use self::csv::{archive_csv, requests_csv, CSV_BOM};
pub use dossier::{dossier_json, dossier_markdown, test_report_markdown, DossierExport, DOSSIER_FORMAT};
pub use notice::{notice_eml, notice_markdown, notice_text, EmlOptions, NoticeDoc};

use std::path::Path;

use crate::error::Result;

/// One line of untrusted text for a Markdown table cell, heading or list item:
/// control and bidi characters removed, newlines folded, and `\`, `|`, `<`
/// escaped so the text stays inside its cell and opens no HTML.
pub fn md_cell(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in crate::sanitize::clean_line(s).chars() {
        match c {
            '\\' => o.push_str("\\\\"),
            '|' => o.push_str("\\|"),
            '<' => o.push_str("&lt;"),
            _ => o.push(c),
        }
    }
    o
}

/// A block of untrusted text for a Markdown paragraph: lists and emphasis stay,
/// but a line cannot become a heading, a setext underline, a rule, a table row,
/// a quote or a code fence, and `<` opens no HTML.
pub fn md_block(s: &str) -> String {
    let text = crate::sanitize::clean(s);
    let mut out = Vec::new();
    for line in text.trim_end().lines() {
        let line = line.replace('<', "&lt;").replace('\t', "    ");
        let body = line.trim_start();
        let indent = &line[..line.len() - body.len()];
        // More than three spaces would make an indented code block.
        let indent = if indent.len() > 3 { "   " } else { indent };
        let first = body.chars().next();
        let only_dashes = !body.is_empty() && body.chars().all(|c| c == '-' || c == '*' || c == '_' || c == ' ');
        let escape = matches!(first, Some('#' | '`' | '~' | '=' | '>')) || only_dashes;
        let body = body.replace('|', "\\|");
        out.push(if escape {
            format!("{indent}\\{body}")
        } else {
            format!("{indent}{body}")
        });
    }
    out.join("\n")
}

/// Write `bytes` to `path` atomically: a temporary file created exclusively in
/// the same directory, flushed, then renamed over the target — never through a
/// symlink, never over anything but a regular file ([`crate::fsutil::write_file`]).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    crate::fsutil::write_file(path, bytes, 0o666)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_cannot_break_the_table() {
        assert_eq!(md_cell("a|b\\|c\n<script>"), "a\\|b\\\\\\|c &lt;script>");
        assert_eq!(md_cell("x\u{202e}y\u{1b}[31m"), "xy[31m");
    }

    #[test]
    fn blocks_cannot_open_structure() {
        let b = md_block("# fake heading\n```\n---\n> quote\n- item ok\n1. ok\n      code\n| a | b |");
        assert_eq!(
            b,
            "\\# fake heading\n\\```\n\\---\n\\> quote\n- item ok\n1. ok\n   code\n\\| a \\| b \\|"
        );
    }
}
