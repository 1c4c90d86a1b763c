//! Importers: questionnaire exports (CSV/TSV), email (.eml, mbox, stdin) and JSON
//! lines. They only read and map: each record becomes an [`ImportItem`] (a
//! [`NewRequest`] with its source and import key), and the whole batch goes to the
//! core as one `Command::RequestImport`, where every rule lives (dedup by key,
//! replies, likely duplicates, sanitising, all-or-nothing).
//!
//! Parsing is complete before anything is written: the first problem stops the
//! import with an [`Error::Input`] naming the file, the line or message, and the
//! field (exit 2).

pub mod charset;
pub mod csv_import;
pub mod email;
pub mod jsonl;
pub mod register_csv;

use std::path::Path;

use sha2::{Digest, Sha256};
use unicode_width::UnicodeWidthChar;

use crate::error::{Error, Result};
use crate::i18n::t;
use crate::model::{Channel, Id, System};
use crate::service::ImportItem;

/// The tag on an imported request whose system name matched no known system.
pub const UNKNOWN_SYSTEM_TAG: &str = "未识别系统";

/// The longest CSV/TSV row (all its cells, over however many lines its quoted
/// cells span) and the longest line of JSON lines an import reads: a longer one
/// is refused where it starts, without reading on, so memory stays bounded
/// whatever the input (`/dev/zero`, a file without a newline).
pub const MAX_ROW: u64 = 1 << 20;

/// The longest email message (.eml, one message of an mbox, `intake email`).
pub const MAX_MESSAGE: u64 = 64 << 20;

/// The longest small text file read whole: `--map-file`, a calendar, `@file`.
pub const MAX_SMALL_FILE: u64 = 1 << 20;

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Csv,
    Tsv,
    Eml,
    Mbox,
    Jsonl,
}

impl Format {
    /// The format a file name suggests.
    pub fn of_path(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match ext.as_str() {
            "csv" => Format::Csv,
            "tsv" | "tab" => Format::Tsv,
            "eml" | "msg" => Format::Eml,
            "mbox" | "mbx" => Format::Mbox,
            "jsonl" | "ndjson" => Format::Jsonl,
            _ => return None,
        })
    }
}

/// A request field a column can be mapped to (`--map 列名=field`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Title,
    Body,
    System,
    Kind,
    Submitter,
    SubmitterType,
    Contact,
    Department,
    ReceivedAt,
    Ip,
    ExternalId,
    /// Survey metadata kept as the channel detail (来源, 所用时间 …).
    Detail,
    Ignore,
}

impl Field {
    pub const NAMES: &'static [(&'static str, Field)] = &[
        ("title", Field::Title),
        ("body", Field::Body),
        ("system", Field::System),
        ("kind", Field::Kind),
        ("submitter", Field::Submitter),
        ("submitter_type", Field::SubmitterType),
        ("contact", Field::Contact),
        ("department", Field::Department),
        ("received_at", Field::ReceivedAt),
        ("ip", Field::Ip),
        ("external_id", Field::ExternalId),
        ("detail", Field::Detail),
        ("ignore", Field::Ignore),
    ];

    pub fn parse(s: &str) -> Option<Field> {
        Field::NAMES.iter().find(|(n, _)| *n == s.trim()).map(|(_, f)| *f)
    }
}

/// How to read the files.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Otherwise from the file name.
    pub format: Option<Format>,
    /// Otherwise detected (UTF-8 with or without BOM, else GB18030).
    pub encoding: Option<&'static encoding_rs::Encoding>,
    /// Column (header text, with or without its number) → field.
    pub map: Vec<(String, Field)>,
    /// Otherwise questionnaire for CSV/TSV, email for messages, other for JSON lines.
    pub channel: Option<Channel>,
    /// The systems known to the database, to resolve names.
    pub systems: Vec<System>,
    /// `-` means standard input (the command line; not the terminal UI, which
    /// owns the terminal).
    pub allow_stdin: bool,
}

impl Options {
    /// `--map 列名=field`.
    pub fn add_map(&mut self, spec: &str) -> Result<()> {
        let (col, field) = spec
            .rsplit_once('=')
            .ok_or_else(|| Error::input("--map", spec, &t("import.expected.map", &[])))?;
        let f = Field::parse(field).ok_or_else(|| {
            let names: Vec<&str> = Field::NAMES.iter().map(|(n, _)| *n).collect();
            Error::input("--map", spec, &names.join(", "))
        })?;
        self.map.push((col.trim().to_string(), f));
        Ok(())
    }

    /// `--map-file FILE`: one `COLUMN=FIELD` per line; blank lines and `#` comments
    /// are skipped; a bad line is named by file and line.
    pub fn add_map_file(&mut self, path: &Path) -> Result<()> {
        let text = crate::fsutil::read_regular(path, MAX_SMALL_FILE, crate::fsutil::Purpose::Read)?;
        let name = display_name(path);
        let text = String::from_utf8(text).map_err(|_| bad(&name, "UTF-8", "", &t("import.expected.utf8", &[])))?;
        for (i, line) in text.lines().enumerate() {
            let line = line.trim().trim_start_matches('\u{feff}');
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            self.add_map(line).map_err(|e| match e {
                Error::Input { field, value, expected } => Error::Input {
                    field: format!(
                        "{}, {field}",
                        t(
                            "import.place.line",
                            &[("file", name.clone()), ("line", (i + 1).to_string())]
                        )
                    ),
                    value,
                    expected,
                },
                e => e,
            })?;
        }
        Ok(())
    }

    /// The options of the TUI's import prompt, after the path: `--encoding gbk`,
    /// `--format tsv`, `--channel website`, `--map 列名=field` (repeatable),
    /// `--map-file FILE` — the same as `beian import`'s.
    pub fn apply_args(&mut self, args: &[String]) -> Result<()> {
        use clap::ValueEnum;
        let mut it = args.iter();
        while let Some(flag) = it.next() {
            let mut value = || {
                it.next()
                    .ok_or_else(|| Error::input(flag, "", &t("import.expected.value", &[])))
            };
            match flag.as_str() {
                "--encoding" => self.set_encoding(value()?)?,
                "--map" => self.add_map(value()?)?,
                "--map-file" => self.add_map_file(Path::new(value()?))?,
                "--format" => {
                    let v = value()?;
                    self.format = Some(
                        Format::from_str(v, true)
                            .map_err(|_| Error::input("--format", v, "csv, tsv, eml, mbox, jsonl"))?,
                    );
                }
                "--channel" => {
                    let v = value()?;
                    self.channel = Some(Channel::from_str(v, true).map_err(|_| {
                        Error::input(
                            "--channel",
                            v,
                            "questionnaire, email, website, counsellor, phone, other",
                        )
                    })?);
                }
                other => {
                    return Err(Error::input(
                        other,
                        "",
                        "--encoding, --format, --channel, --map, --map-file",
                    ))
                }
            }
        }
        Ok(())
    }

    /// `--encoding gbk`: any label of the one charset table ([`charset`]).
    pub fn set_encoding(&mut self, label: &str) -> Result<()> {
        let enc = charset::encoding_for(label)
            .ok_or_else(|| Error::input("--encoding", label, "utf-8, gbk, gb18030, big5 …"))?;
        self.encoding = Some(enc);
        Ok(())
    }

    /// A system by exact name, else the only one whose name contains `name` or is
    /// contained in it.
    pub fn resolve_system(&self, name: &str) -> Option<Id> {
        let name = name.trim();
        if name.is_empty() {
            return None;
        }
        if let Ok(id) = name.parse::<Id>() {
            if self.systems.iter().any(|s| s.id == id) {
                return Some(id);
            }
        }
        if let Some(s) = self.systems.iter().find(|s| s.name == name) {
            return Some(s.id);
        }
        let near: Vec<&System> = self
            .systems
            .iter()
            .filter(|s| s.name.contains(name) || name.contains(s.name.as_str()))
            .collect();
        match near.as_slice() {
            [one] => Some(one.id),
            _ => None,
        }
    }
}

/// The records of one or more files, and what was noticed while reading them.
#[derive(Debug, Default)]
pub struct Parsed {
    pub items: Vec<ImportItem>,
    /// Problems that did not stop the import (an unparsable date, an unknown
    /// charset), in the user's language.
    pub warnings: Vec<String>,
}

/// Words of a prompt line the way a shell splits them: blanks separate, `'…'`
/// and `"…"` keep blanks (a path pasted from a file manager), `\` escapes the next
/// character outside single quotes.
pub fn split_words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut started = false;
    let mut quote: Option<char> = None;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some('"') | None, '\\') => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
                started = true;
            }
            (Some(_), c) => cur.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                started = true;
            }
            (None, c) if c.is_whitespace() => {
                if started {
                    out.push(std::mem::take(&mut cur));
                    started = false;
                }
            }
            (None, c) => {
                cur.push(c);
                started = true;
            }
        }
    }
    if started {
        out.push(cur);
    }
    out
}

/// Where a streaming importer hands each record as soon as it is read; an error
/// stops the reading.
pub type Sink<'a> = dyn FnMut(ImportItem) -> Result<()> + 'a;

/// Read a whole file into import items; nothing is written.
pub fn parse_file(path: &Path, opts: &Options) -> Result<Parsed> {
    parse_file_with_progress(path, opts, &mut |_, _| {})
}

/// [`parse_file`], calling `progress(done_bytes, total_bytes)` as the file is read:
/// first with 0, then at most every [`PROGRESS_EVERY`], and once at the end.
pub fn parse_file_with_progress(path: &Path, opts: &Options, progress: &mut dyn FnMut(u64, u64)) -> Result<Parsed> {
    let mut items = Vec::new();
    let warnings = read_file(path, opts, progress, &mut |i| {
        items.push(i);
        Ok(())
    })?;
    Ok(Parsed { items, warnings })
}

/// Read a file, handing each record to `sink` as it is read (CSV, TSV, mbox and
/// JSON lines are streamed; an .eml is one message). Returns the warnings.
///
/// Only a regular file is read (a FIFO would block, a device never end), or
/// standard input for `-` when [`Options::allow_stdin`]; and no row, line or
/// message past [`MAX_ROW`] / [`MAX_MESSAGE`].
pub fn read_file(
    path: &Path,
    opts: &Options,
    progress: &mut dyn FnMut(u64, u64),
    sink: &mut Sink<'_>,
) -> Result<Vec<String>> {
    use std::io::Read;
    let stdin = opts.allow_stdin && path == Path::new("-");
    let (name, mut input, total): (String, Box<dyn Read>, u64) = if stdin {
        (t("import.place.stdin", &[]), Box::new(std::io::stdin().lock()), 0)
    } else {
        let file = crate::fsutil::open_regular(path, crate::fsutil::Purpose::Import)?;
        let total = file.metadata().map(|m| m.len()).unwrap_or(0);
        (display_name(path), Box::new(file), total)
    };
    let io_err = |e: std::io::Error| Error::io(if stdin { Path::new("-") } else { path }, e);
    // The start tells the format when the name does not.
    let mut head = Vec::with_capacity(SNIFF_BYTES);
    (&mut input)
        .take(SNIFF_BYTES as u64)
        .read_to_end(&mut head)
        .map_err(io_err)?;
    let named = if stdin { None } else { Format::of_path(path) };
    let format = opts.format.or(named).unwrap_or_else(|| sniff(&head));
    progress(0, total);
    let input = ProgressReader {
        inner: std::io::Cursor::new(head).chain(input),
        done: 0,
        total,
        last: std::time::Instant::now(),
        progress,
    };
    let mut warnings = Vec::new();
    match format {
        Format::Csv => warnings = csv_import::parse_into(input, &name, b',', opts, sink)?,
        Format::Tsv => warnings = csv_import::parse_into(input, &name, b'\t', opts, sink)?,
        Format::Eml => {
            let bytes = read_message(input).map_err(|e| match e {
                MessageError::Io(e) => io_err(e),
                MessageError::TooLarge => crate::fsutil::too_large(&name, MAX_MESSAGE, "message"),
            })?;
            let parsed = email::parse_one(&bytes, &name, "eml", opts)?;
            warnings = parsed.warnings;
            for item in parsed.items {
                sink(item)?;
            }
        }
        Format::Mbox => email::parse_mbox_into(std::io::BufReader::new(input), &name, opts, sink, &mut warnings)?,
        Format::Jsonl => jsonl::parse_into(std::io::BufReader::new(input), &name, opts, sink)?,
    }
    Ok(warnings)
}

/// Why [`read_message`] stopped.
pub enum MessageError {
    Io(std::io::Error),
    /// More than [`MAX_MESSAGE`] bytes.
    TooLarge,
}

/// One whole email message (a file, standard input), at most [`MAX_MESSAGE`]
/// bytes; nothing past the limit is read.
pub fn read_message(input: impl std::io::Read) -> std::result::Result<Vec<u8>, MessageError> {
    use std::io::Read;
    let mut bytes = Vec::new();
    input
        .take(MAX_MESSAGE + 1)
        .read_to_end(&mut bytes)
        .map_err(MessageError::Io)?;
    if bytes.len() as u64 > MAX_MESSAGE {
        return Err(MessageError::TooLarge);
    }
    Ok(bytes)
}

/// Read one line of at most `max` bytes (its newline not counted) into `buf`
/// (cleared first). `Ok(None)` at the end of the input, `Ok(Some(false))` when
/// the line is longer than `max`: then at most `max + 1` bytes were read.
pub fn read_line_bounded<R: std::io::BufRead>(
    input: &mut R,
    buf: &mut Vec<u8>,
    max: u64,
) -> std::io::Result<Option<bool>> {
    use std::io::{BufRead, Read};
    buf.clear();
    let n = Read::take(&mut *input, max + 1).read_until(b'\n', buf)?;
    if n == 0 {
        return Ok(None);
    }
    let content = buf.len() as u64 - u64::from(buf.last() == Some(&b'\n'));
    Ok(Some(content <= max))
}

/// How often [`parse_file_with_progress`] reports at most.
pub const PROGRESS_EVERY: std::time::Duration = std::time::Duration::from_millis(200);

/// A reader that counts the bytes read and reports them now and then.
struct ProgressReader<'a, R> {
    inner: R,
    done: u64,
    total: u64,
    last: std::time::Instant,
    progress: &'a mut dyn FnMut(u64, u64),
}

impl<R: std::io::Read> std::io::Read for ProgressReader<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.done += n as u64;
        if n == 0 || self.last.elapsed() >= PROGRESS_EVERY {
            self.last = std::time::Instant::now();
            (self.progress)(self.done, self.total.max(self.done));
        }
        Ok(n)
    }
}

/// How much of the start of a file [`sniff`] looks at.
const SNIFF_BYTES: usize = 512;

/// Guess the format of a file whose name does not tell, from its start.
fn sniff(head: &[u8]) -> Format {
    if head.starts_with(b"From ") {
        Format::Mbox
    } else if head.first() == Some(&b'{') {
        Format::Jsonl
    } else if head.split(|b| *b == b'\n').next().is_some_and(|l| l.contains(&b'\t')) {
        Format::Tsv
    } else if email::looks_like_headers(head) {
        Format::Eml
    } else {
        Format::Csv
    }
}

/// The file name as errors show it.
pub fn display_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// SHA-256 of `parts`, each cleaned and trimmed, separated by U+001F: the import
/// key of a record that has no id of its own.
pub fn content_key(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(crate::sanitize::clean(p).trim().as_bytes());
        h.update([0x1f]);
    }
    let digest = h.finalize();
    let mut hex = String::with_capacity(64);
    for b in digest {
        hex.push_str(&format!("{b:02x}"));
    }
    hex
}

/// The first non-empty line of `body`, cut to `cols` display columns.
pub fn title_from(body: &str, cols: usize) -> String {
    let line = body.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("");
    let line = crate::sanitize::clean_line(line);
    let mut out = String::new();
    let mut w = 0;
    let total: usize = line.chars().map(|c| c.width().unwrap_or(0)).sum();
    if total <= cols {
        return line;
    }
    for c in line.chars() {
        let cw = c.width().unwrap_or(0);
        if w + cw + 1 > cols {
            break;
        }
        out.push(c);
        w += cw;
    }
    out.push('…');
    out
}

/// A bad-input error at `place` (file and line or message) in `field`. Every part
/// may quote the file (a field name in a JSON error, a header, a decoder's
/// detail), so each is made visible: the message is printed to the terminal.
pub(crate) fn bad(place: &str, field: &str, value: &str, expected: &str) -> Error {
    use crate::sanitize::visible_line;
    let value: String = value.chars().take(80).collect();
    Error::input(
        &visible_line(&format!("{place}, {field}")),
        &value,
        &visible_line(expected),
    )
}

/// How far an import has come, for a progress bar.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress {
    /// The file being read (0-based) and how many there are.
    pub file: usize,
    pub files: usize,
    pub done_bytes: u64,
    pub total_bytes: u64,
    /// Records read so far, over all files.
    pub rows: usize,
}

/// What [`import_files`] did.
#[derive(Debug)]
pub struct ImportRun {
    pub outcome: crate::service::Outcome,
    pub warnings: Vec<String>,
    pub rows: usize,
    /// The first records read (as many as asked for), for a preview.
    pub first: Vec<ImportItem>,
}

/// Bytes of text per batch sent to the core: keeps a batch well inside one
/// protocol frame even when the messages are long.
const BATCH_BYTES: usize = 2 << 20;

/// Read `paths` and import every record through `backend`, streamed: records go
/// to the core in batches as they are read, so memory stays flat whatever the
/// size of the files. All files are one import — whole or not at all: the first
/// error (a bad row, an unreadable file) rolls back everything already written.
pub fn import_files(
    backend: &dyn crate::service::Backend,
    paths: &[std::path::PathBuf],
    opts: &Options,
    dry_run: bool,
    keep_first: usize,
    progress: &mut dyn FnMut(Progress),
) -> Result<ImportRun> {
    let mut sink = backend.import(dry_run)?;
    let mut batch: Vec<ImportItem> = Vec::new();
    let mut batch_bytes = 0usize;
    let mut first = Vec::new();
    let mut warnings = Vec::new();
    let mut state = Progress {
        files: paths.len(),
        ..Progress::default()
    };
    for (i, path) in paths.iter().enumerate() {
        state.file = i;
        let rows = std::cell::Cell::new(state.rows);
        let mut on_bytes = |done: u64, total: u64| {
            progress(Progress {
                done_bytes: done,
                total_bytes: total,
                rows: rows.get(),
                ..state
            })
        };
        let mut on_item = |item: ImportItem| -> Result<()> {
            rows.set(rows.get() + 1);
            if first.len() < keep_first {
                first.push(item.clone());
            }
            batch_bytes += item.request.title.len() + item.request.body.len() + 256;
            batch.push(item);
            if batch.len() >= crate::service::IMPORT_BATCH || batch_bytes >= BATCH_BYTES {
                batch_bytes = 0;
                sink.add(std::mem::take(&mut batch))?;
            }
            Ok(())
        };
        warnings.extend(read_file(path, opts, &mut on_bytes, &mut on_item)?);
        state.rows = rows.get();
    }
    if !batch.is_empty() {
        sink.add(batch)?;
    }
    let outcome = sink.finish()?;
    Ok(ImportRun {
        outcome,
        warnings,
        rows: state.rows,
        first,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prompt_words_split_like_a_shell() {
        assert_eq!(
            split_words(r#"'/home/王老师/问卷 导出.csv' --map "问题 描述=body" --encoding gbk"#),
            [
                "/home/王老师/问卷 导出.csv",
                "--map",
                "问题 描述=body",
                "--encoding",
                "gbk"
            ]
        );
        assert_eq!(split_words(r"a\ b  c ''"), ["a b", "c", ""]);
        assert!(split_words("   ").is_empty());
    }

    #[test]
    fn prompt_options_are_the_cli_options() {
        let mut o = Options::default();
        let args: Vec<String> = [
            "--encoding",
            "gbk",
            "--map",
            "问题=title",
            "--format",
            "tsv",
            "--channel",
            "website",
        ]
        .map(String::from)
        .to_vec();
        o.apply_args(&args).unwrap();
        assert_eq!(o.encoding, Some(encoding_rs::GB18030));
        assert_eq!(o.map, vec![("问题".to_string(), Field::Title)]);
        assert_eq!(o.format, Some(Format::Tsv));
        assert_eq!(o.channel, Some(Channel::Website));
        for bad in [
            &["--encoding"][..],
            &["--colour", "x"],
            &["--map", "问题=标题"],
            &["--format", "xls"],
        ] {
            let args: Vec<String> = bad.iter().map(|s| s.to_string()).collect();
            let e = Options::default().apply_args(&args).unwrap_err();
            assert_eq!(e.exit_code(), 2, "{bad:?}: {e:?}");
        }
    }
}
