//! `plan show` and `archive show` in the terminal: the sections of
//! [`crate::export::sections`] as headings, aligned `label  value` lines
//! ([`Fields`]), tables that keep every line of every cell, and indented text.
//! Text is printed as typed, cleaned of control and bidi characters.

use std::io::IsTerminal;

use super::output::{self, Fields};
use crate::export::sections::{nothing, Block, Section};

/// The width tables are laid out in: the terminal's, or unlimited when the
/// output goes to a file or a pipe (nothing is wrapped there but what was typed
/// on several lines).
fn width() -> usize {
    if std::io::stdout().is_terminal() {
        crossterm::terminal::size().map(|(w, _)| usize::from(w)).unwrap_or(100)
    } else {
        usize::MAX / 4
    }
}

/// Print sections, each subsection's heading after its parent's title.
pub fn print(sections: &[Section]) {
    print_in(sections, None, width());
}

fn print_in(sections: &[Section], parent: Option<&str>, width: usize) {
    for s in sections {
        let title = match parent {
            Some(p) => format!("{p} · {}", s.title),
            None => s.title.clone(),
        };
        // A section that only groups others is named in their headings.
        if !s.blocks.is_empty() || s.subsections.is_empty() {
            output::heading(&title);
        }
        for (i, b) in s.blocks.iter().enumerate() {
            if i > 0 {
                println!();
            }
            print_block(b, width);
        }
        print_in(&s.subsections, Some(&title), width);
    }
}

fn print_block(b: &Block, width: usize) {
    match b {
        Block::Fields(fields) => {
            let mut f = Fields::new();
            for (label, value) in fields {
                f.add(label.as_str(), value.as_str());
            }
            f.print();
        }
        Block::Table { headers, rows } => {
            let (lines, _) = crate::text::table_lines(headers, rows, width, 0);
            for l in lines {
                println!("{l}");
            }
        }
        Block::Text(text) => {
            for l in crate::sanitize::clean(text).trim_end_matches('\n').split('\n') {
                if l.is_empty() {
                    println!();
                } else {
                    println!("  {l}");
                }
            }
        }
        Block::Nothing => println!("  {}", nothing()),
    }
}
