//! Printing: JSON for scripts, aligned tables for people (widths by unicode-width).

use serde::Serialize;

/// Pretty JSON on stdout. serde_json escapes only C0 controls; DEL, C1 controls,
/// bidi overrides and invisible characters are escaped here too (`\u202e`), so the
/// JSON means the same and a terminal showing it cannot be driven by it.
pub fn json<T: Serialize + ?Sized>(v: &T) {
    println!(
        "{}",
        terminal_safe_json(&serde_json::to_string_pretty(v).expect("serializable"))
    );
}

/// A command whose standard output was closed by its reader (`beian request
/// list | head -1`, a pager that quits) ends at once, quietly, with exit 0 — as
/// pagers expect — instead of a panic (exit 101) or an error.
///
/// Rust ignores SIGPIPE, so a write to a closed pipe fails with EPIPE: the
/// printing macros then panic with "failed printing to stdout: Broken pipe
/// (os error 32)", and writers that return errors return `BrokenPipe`. Both
/// end here: the panic hook installed by [`quiet_when_stdout_closes`], and
/// [`print_bytes`] and every other direct writer through [`stdout_error`].
/// Nothing is lost by stopping: a change is on disk before it is printed.
pub fn quiet_when_stdout_closes() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or("");
        if is_closed_stdout_panic(message) {
            closed();
        }
        default(info)
    }));
}

/// What std panics with when a `print!` meets a closed pipe (EPIPE is 32).
fn is_closed_stdout_panic(message: &str) -> bool {
    message.starts_with("failed printing to stdout")
        && message.contains(&format!("(os error {})", nix::errno::Errno::EPIPE as i32))
}

/// Standard output is closed: stop, successfully.
pub fn closed() -> ! {
    std::process::exit(0)
}

/// An error writing to standard output: a closed pipe ends the command
/// quietly ([`closed`]); anything else is an error naming standard output.
pub fn stdout_error(e: std::io::Error) -> crate::error::Error {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        closed();
    }
    crate::error::Error::io(std::path::Path::new("-"), e)
}

/// Write bytes (a CSV with its byte order mark, a man page) to standard output
/// as they are.
pub fn print_bytes(bytes: &[u8]) -> crate::error::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    out.write_all(bytes).and_then(|_| out.flush()).map_err(stdout_error)
}

pub fn terminal_safe_json(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if crate::sanitize::is_unsafe(c) && c as u32 >= 0x20 {
            let mut buf = [0u16; 2];
            for unit in c.encode_utf16(&mut buf) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

pub use crate::text::fit;
use crate::text::text_width;

fn pad(s: &str, width: usize) -> String {
    let mut out = s.to_string();
    out.extend(std::iter::repeat_n(' ', width.saturating_sub(text_width(s))));
    out
}

/// A table whose last column takes what is left; cells are cleaned of controls.
pub struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
    /// Lines printed under a row, indented (the rows they follow by index).
    notes: Vec<Vec<String>>,
}

impl Table {
    pub fn new(header: &[String]) -> Table {
        Table {
            header: header.to_vec(),
            rows: Vec::new(),
            notes: Vec::new(),
        }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.row_with_notes(cells, Vec::new());
    }

    /// A row followed by lines of its own (cleaned of controls), indented
    /// under the second column.
    pub fn row_with_notes(&mut self, cells: Vec<String>, notes: Vec<String>) {
        self.rows.push(cells.into_iter().map(|c| fit(&c, 60)).collect());
        self.notes
            .push(notes.iter().map(|n| crate::sanitize::clean_line(n)).collect());
    }

    pub fn print(&self) {
        let n = self.header.len();
        let mut widths: Vec<usize> = self.header.iter().map(|h| text_width(h)).collect();
        for r in &self.rows {
            for (i, c) in r.iter().enumerate().take(n) {
                widths[i] = widths[i].max(text_width(c));
            }
        }
        let line = |cells: &[String]| {
            let mut s = String::new();
            for (i, c) in cells.iter().enumerate() {
                if i + 1 == cells.len() {
                    s.push_str(c);
                } else {
                    s.push_str(&pad(c, widths[i]));
                    s.push_str("  ");
                }
            }
            println!("{}", s.trim_end());
        };
        line(&self.header);
        let indent = " ".repeat(widths.first().map(|w| w + 2).unwrap_or(0));
        for (r, notes) in self.rows.iter().zip(&self.notes) {
            line(r);
            for n in notes {
                println!("{indent}{n}");
            }
        }
    }
}

/// `label: value` lines, labels padded to one width; multi-line values indented.
pub struct Fields {
    rows: Vec<(String, String)>,
}

impl Fields {
    pub fn new() -> Fields {
        Fields { rows: Vec::new() }
    }

    pub fn add(&mut self, label: impl Into<String>, value: impl Into<String>) -> &mut Self {
        self.rows.push((label.into(), value.into()));
        self
    }

    pub fn print(&self) {
        let w = self.rows.iter().map(|(l, _)| text_width(l)).max().unwrap_or(0);
        for (l, v) in &self.rows {
            let v = crate::sanitize::clean(v);
            let mut lines = v.lines();
            println!("{}  {}", pad(l, w), lines.next().unwrap_or(""));
            for more in lines {
                println!("{}  {}", " ".repeat(w), more);
            }
        }
    }
}

impl Default for Fields {
    fn default() -> Self {
        Fields::new()
    }
}

pub fn heading(s: &str) {
    println!("\n{}", crate::sanitize::visible_line(s));
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_a_closed_stdout_is_quiet() {
        assert!(super::is_closed_stdout_panic(
            "failed printing to stdout: Broken pipe (os error 32)"
        ));
        assert!(!super::is_closed_stdout_panic(
            "failed printing to stdout: No space left on device (os error 28)"
        ));
        assert!(!super::is_closed_stdout_panic("index out of bounds"));
    }

    #[test]
    fn json_output_escapes_what_a_terminal_would_obey() {
        let v = serde_json::json!({"title": "登录\u{202e}失败\u{7f}\u{9b}31m", "ok": "正常"});
        let text = super::terminal_safe_json(&serde_json::to_string_pretty(&v).unwrap());
        assert!(
            !text.chars().any(|c| crate::sanitize::is_unsafe(c) && c != '\n'),
            "{text:?}"
        );
        assert!(text.contains("\\u202e") && text.contains("\\u007f") && text.contains("\\u009b"));
        // The same JSON.
        assert_eq!(serde_json::from_str::<serde_json::Value>(&text).unwrap(), v);
    }
}
