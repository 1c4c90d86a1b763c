//! Readable and portable exports: the update notice (text, Markdown, .eml), a
//! dossier (Markdown, JSON), a plan's test report (Markdown) and CSV of the
//! request queue and the archive; and [`sections`], the one description of a
//! plan and a dossier that the Markdown, the CLI and the UI all draw.
//!
//! Every function here is pure: it takes records and returns text or bytes in
//! the current language; writing files is [`write_atomic`]'s job. Untrusted text
//! goes through [`crate::sanitize`] and the Markdown escapes below, so a title
//! cannot open a table cell, a heading or a code fence of its own.

mod csv;
mod dossier;
pub mod html;
mod notice;
pub mod package;
pub mod sections;
pub mod supervision;

pub use self::csv::{archive_csv, requests_csv, CSV_BOM};
pub use dossier::{dossier_json, dossier_markdown, test_report_markdown, DossierExport, DOSSIER_FORMAT};
pub use notice::{notice_eml, notice_markdown, notice_text, EmlOptions, NoticeDoc};
pub use sections::{dossier_sections, dossier_title, plan_sections, template_sections, Block, Section};

use std::path::Path;

use crate::error::Result;

/// The ASCII characters that open or close Markdown (CommonMark and the common
/// extensions: tables, strikethrough, math, super- and subscript, footnotes) where
/// they stand inside a line. Each is written backslash-escaped, which every
/// renderer shows as the character itself; `<` so never opens HTML or an autolink,
/// and `&` never starts an entity. (`#` matters only in headings and at the start
/// of a line: [`md_inline`] and [`md_block`] escape it there.)
const MD_INLINE: &[char] = &['\\', '`', '*', '_', '[', ']', '<', '>', '&', '|', '~', '$', '^'];

/// Text of one line for Markdown inline context, every special character escaped.
/// Spaces and tabs at either end are written as character references, which a
/// renderer neither trims nor reads as indentation.
/// `also`: more characters to escape.
fn md_line(line: &str, out: &mut String, also: &[char]) {
    let body = line.trim_matches([' ', '\t']);
    let lead = &line[..line.len() - line.trim_start_matches([' ', '\t']).len()];
    let trail = if body.is_empty() {
        ""
    } else {
        &line[lead.len() + body.len()..]
    };
    let space = |s: &str, out: &mut String| {
        for c in s.chars() {
            out.push_str(if c == '\t' { "&#9;" } else { "&#32;" });
        }
    };
    space(lead, out);
    for c in body.chars() {
        if MD_INLINE.contains(&c) || also.contains(&c) {
            out.push('\\');
        }
        out.push(c);
    }
    space(trail, out);
}

/// Untrusted text for a Markdown heading: control and bidi characters removed,
/// newlines folded to spaces, Markdown escaped (a heading is one line).
pub fn md_inline(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    // A `#` could close the heading.
    md_line(&crate::sanitize::clean_line(s), &mut o, &['#']);
    o
}

/// Untrusted text for a Markdown table cell or list item: control and bidi
/// characters removed, Markdown escaped (`|` too, so it stays in its cell), and each
/// newline written as `<br>` so the text stays one row and still shows its lines.
/// A renderer shows exactly the text (tests/dossier_complete.rs checks with a parser).
pub fn md_cell(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for (i, line) in crate::sanitize::clean(s).split('\n').enumerate() {
        if i > 0 {
            o.push_str("<br>");
        }
        md_line(line, &mut o, &[]);
    }
    o
}

/// Untrusted text for a Markdown paragraph: control and bidi characters removed,
/// every line kept (each ends with a hard line break `\`, an empty line is one of
/// its own) and no line can open a heading, list, quote, rule, table, fence, code
/// block or HTML. A renderer shows exactly the text, but for empty lines at its
/// start and end, which a paragraph cannot hold.
pub fn md_block(s: &str) -> String {
    let text = crate::sanitize::clean(s);
    let mut o = String::with_capacity(text.len());
    for (i, line) in text.trim_matches('\n').split('\n').enumerate() {
        if i > 0 {
            o.push_str("\\\n");
        }
        let body = line.trim_start_matches([' ', '\t']);
        let lead = &line[..line.len() - body.len()];
        // Where `body` starts in the output: after the references for `lead`.
        let at = o.len() + lead.chars().map(|c| if c == '\t' { 4 } else { 5 }).sum::<usize>();
        md_line(line, &mut o, &[]);
        // What opens a block at the start of a line but nowhere else: `#`, `-`,
        // `+`, `=`, `:` and `1.` / `1)`.
        let digits = body.chars().take_while(char::is_ascii_digit).count();
        if body.starts_with(['#', '-', '+', '=', ':']) {
            o.insert(at, '\\');
        } else if digits > 0 && body[digits..].starts_with(['.', ')']) {
            o.insert(at + digits, '\\');
        }
    }
    o
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
    use proptest::prelude::*;
    use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

    /// What a Markdown renderer shows: the text of the document, a line break for
    /// a hard break or `<br>`, any other HTML as the text `HTML(…)`.
    fn shown(md: &str) -> String {
        let mut o = String::new();
        let opts = Options::ENABLE_TABLES
            | Options::ENABLE_STRIKETHROUGH
            | Options::ENABLE_FOOTNOTES
            | Options::ENABLE_MATH
            | Options::ENABLE_SUPERSCRIPT
            | Options::ENABLE_SUBSCRIPT
            | Options::ENABLE_DEFINITION_LIST
            | Options::ENABLE_GFM;
        for e in Parser::new_ext(md, opts) {
            match e {
                Event::Text(t) => o.push_str(&t),
                Event::HardBreak => o.push('\n'),
                Event::InlineHtml(h) if h.as_ref() == "<br>" => o.push('\n'),
                Event::SoftBreak => o.push_str("SOFT"),
                Event::Start(Tag::Paragraph | Tag::TableCell | Tag::Heading { .. } | Tag::Item) => {}
                Event::End(TagEnd::Paragraph | TagEnd::TableCell | TagEnd::Heading(_) | TagEnd::Item) => o.push('¶'),
                Event::Start(Tag::Table(_) | Tag::TableHead | Tag::TableRow | Tag::List(_)) => {}
                Event::End(TagEnd::Table | TagEnd::TableHead | TagEnd::TableRow | TagEnd::List(_)) => {}
                other => o.push_str(&format!("[{other:?}]")),
            }
        }
        o
    }

    const HOSTILE: &str = "# fake heading\n```\n---\n> quote\n- item\n1. one\n2) two\n      code\n| a | b |\n\
        <script>alert(1)</script> &lt; &amp; \\| a\\\\b *em* _em_ ~~del~~ $x$ ^sup^ [link](http://x) \
        <http://auto> [^1] ![img](x)\n===\n+ plus\n: def\n  \t 缩进  \n\n\n　　全角缩进 `code`\\";

    #[test]
    fn cells_show_the_text_as_typed() {
        let md = format!("| h |\n|---|\n| {} |\n", md_cell(HOSTILE));
        assert_eq!(shown(&md), format!("h¶{HOSTILE}¶"));
        assert_eq!(md_cell("a|b<c>&\nd"), "a\\|b\\<c\\>\\&<br>d");
        assert_eq!(md_cell("x\u{202e}y\u{1b}[31m"), "xy\\[31m");
    }

    #[test]
    fn blocks_show_the_text_as_typed_and_open_no_structure() {
        let md = md_block(HOSTILE);
        assert_eq!(shown(&md), format!("{}¶", HOSTILE));
        assert_eq!(
            md_block("# h\n1. a\n- b\n\n<x>"),
            "\\# h\\\n1\\. a\\\n\\- b\\\n\\\n\\<x\\>"
        );
    }

    #[test]
    fn headings_are_one_line() {
        let md = format!("## {}\n", md_inline("标题 #\n<b>|x"));
        assert_eq!(shown(&md), "标题 # <b>|x¶");
        let md = format!("## {}\n", md_inline(" 缩进 ##"));
        assert_eq!(shown(&md), " 缩进 ##¶");
    }

    proptest! {
        #[test]
        fn any_text_round_trips(s in "[a-z0-9 \t\n<>&|\\\\*_`#~=+:.)!$^\\[\\]中文　-]{0,40}") {
            let clean = crate::sanitize::clean(&s);
            let cell = format!("| h |\n|---|\n| {} |\n", md_cell(&s));
            prop_assert_eq!(shown(&cell), format!("h¶{}¶", clean));
            let block = clean.trim_matches('\n');
            let md = md_block(&s);
            let want = if block.is_empty() { String::new() } else { format!("{block}¶") };
            prop_assert_eq!(shown(&md), want, "{:?}", md);
        }
    }
}
