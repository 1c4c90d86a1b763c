//! Questionnaire exports from survey sites (问卷星 and the like) as CSV or TSV.
//!
//! The file is streamed: a [`Decoding`] reader turns GB18030/GBK (or any other
//! encoding) into UTF-8 chunk by chunk, `csv::Reader` reads records from it, and
//! each record is mapped to an [`ImportItem`] at once; the file is never held
//! whole in memory. Headers like "3、涉及的信息系统" are recognised by keyword
//! after their number is removed; `--map` overrides or completes the mapping.

use std::cell::Cell;
use std::io::Read;
use std::rc::Rc;

use chrono::{FixedOffset, NaiveDateTime, TimeZone, Utc};
use encoding_rs::{Decoder, DecoderResult, Encoding, UTF_8};

use super::{bad, content_key, title_from, Field, Options, Parsed, UNKNOWN_SYSTEM_TAG};
use crate::error::{Error, Result};
use crate::i18n::t;
use crate::model::{Channel, Priority, RequestKind, Source, Submitter, SubmitterType, Time};
use crate::service::{ImportItem, NewRequest};

/// How much of the file is looked at to detect its encoding.
const SNIFF: usize = 64 * 1024;

/// Title length when the title is taken from the body, in display columns.
const TITLE_COLS: usize = 40;

/// Where the decoder is in the text: lines seen and the quote state, shared with
/// the parser so that its errors can name a line.
struct Progress {
    /// The field delimiter (`,` or tab).
    delimiter: u8,
    /// Newlines emitted so far.
    lines: Cell<usize>,
    /// Where in a cell the text is, as csv reads it (RFC 4180, `""` in a
    /// quoted cell is a quote).
    cell: Cell<CellState>,
    /// The line on which the open quoted cell began.
    quote_line: Cell<usize>,
    /// Bytes of the row read so far, and the line it began on.
    row_bytes: Cell<u64>,
    row_line: Cell<usize>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum CellState {
    /// At the start of a cell.
    Start,
    /// In a cell that is not quoted (a `"` in it is just a character).
    Plain,
    /// In a quoted cell: a newline is part of it.
    Quoted,
    /// A `"` in a quoted cell: either the first of `""` or the closing quote.
    QuoteInQuoted,
}

impl Progress {
    fn new(delimiter: u8) -> Progress {
        Progress {
            delimiter,
            lines: Cell::new(0),
            cell: Cell::new(CellState::Start),
            quote_line: Cell::new(0),
            row_bytes: Cell::new(0),
            row_line: Cell::new(1),
        }
    }

    /// Inside a quoted cell that is not closed.
    fn in_quote(&self) -> bool {
        self.cell.get() == CellState::Quoted
    }
}

/// A problem the decoder found, at a line, for the parser to report.
#[derive(Debug)]
struct Positioned {
    line: usize,
    field: String,
    value: String,
    expected: String,
}

impl std::fmt::Display for Positioned {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.expected)
    }
}

impl std::error::Error for Positioned {}

/// A reader that decodes `inner` from `encoding` into UTF-8, refusing malformed
/// bytes with the line they are on.
struct Decoding<R> {
    inner: R,
    decoder: Decoder,
    encoding: &'static Encoding,
    input: Vec<u8>,
    start: usize,
    end: usize,
    out: Vec<u8>,
    out_pos: usize,
    out_len: usize,
    eof: bool,
    done: bool,
    pending_cr: bool,
    progress: Rc<Progress>,
}

impl<R: Read> Decoding<R> {
    fn new(inner: R, encoding: &'static Encoding, progress: Rc<Progress>) -> Self {
        Decoding {
            inner,
            decoder: encoding.new_decoder(),
            encoding,
            input: vec![0; 16 * 1024],
            start: 0,
            end: 0,
            out: vec![0; 64 * 1024],
            out_pos: 0,
            out_len: 0,
            eof: false,
            done: false,
            pending_cr: false,
            progress,
        }
    }

    /// Follow lines, cells and rows as csv will read them; a row longer than
    /// [`super::MAX_ROW`] is refused before csv sees the rest of it.
    fn track(&self, text: &[u8]) -> std::io::Result<()> {
        use CellState::*;
        let p = &self.progress;
        for &b in text {
            let row = p.row_bytes.get() + 1;
            p.row_bytes.set(row);
            if row > super::MAX_ROW {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    Positioned {
                        line: p.row_line.get(),
                        field: t("import.field.size", &[]),
                        value: format!("> {}", crate::fsutil::size_label(super::MAX_ROW)),
                        expected: t(
                            "import.expected.size",
                            &[
                                ("limit", crate::fsutil::size_label(super::MAX_ROW)),
                                ("unit", t("import.unit.row", &[])),
                            ],
                        ),
                    },
                ));
            }
            let state = p.cell.get();
            let next = match (state, b) {
                (Quoted, b'\n') => {
                    p.lines.set(p.lines.get() + 1);
                    Quoted
                }
                (_, b'\n') => {
                    p.lines.set(p.lines.get() + 1);
                    p.row_bytes.set(0);
                    p.row_line.set(p.lines.get() + 1);
                    Start
                }
                (Start, b'"') => {
                    p.quote_line.set(p.lines.get() + 1);
                    Quoted
                }
                (Start | Plain | QuoteInQuoted, d) if d == p.delimiter => Start,
                (Start | Plain, _) => Plain,
                (Quoted, b'"') => QuoteInQuoted,
                (Quoted, _) => Quoted,
                (QuoteInQuoted, b'"') => Quoted,
                (QuoteInQuoted, _) => Plain,
            };
            p.cell.set(next);
        }
        Ok(())
    }

    /// CRLF → LF (also across chunks), so that csv's line numbers are the file's.
    fn strip_cr(&mut self, written: usize) -> usize {
        let mut w = 0;
        for r in 0..written {
            let b = self.out[r];
            if self.pending_cr {
                self.pending_cr = false;
                if b != b'\n' {
                    self.out[w] = b'\r';
                    w += 1;
                }
            }
            if b == b'\r' {
                if r + 1 == written {
                    // Decide with the next chunk; a file ending in CR loses it.
                    self.pending_cr = true;
                    continue;
                }
                if self.out[r + 1] == b'\n' {
                    continue;
                }
            }
            self.out[w] = b;
            w += 1;
        }
        w
    }

    fn refill(&mut self) -> std::io::Result<()> {
        while self.out_pos == self.out_len && !self.done {
            if self.start == self.end && !self.eof {
                let n = self.inner.read(&mut self.input)?;
                self.start = 0;
                self.end = n;
                self.eof = n == 0;
            }
            let (res, read, written) = self.decoder.decode_to_utf8_without_replacement(
                &self.input[self.start..self.end],
                &mut self.out,
                self.eof,
            );
            self.start += read;
            self.out_pos = 0;
            self.out_len = self.strip_cr(written);
            self.track(&self.out[..self.out_len])?;
            match res {
                DecoderResult::InputEmpty => {
                    if self.eof {
                        self.done = true;
                    }
                }
                DecoderResult::OutputFull => {}
                DecoderResult::Malformed(..) => {
                    let line = self.progress.lines.get() + 1;
                    let detail = if self.eof && self.start >= self.end {
                        t(
                            "import.error.truncated_char",
                            &[("encoding", self.encoding.name().into())],
                        )
                    } else {
                        t("import.error.malformed", &[("encoding", self.encoding.name().into())])
                    };
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::InvalidData,
                        Positioned {
                            line,
                            field: t("import.field.encoding", &[]),
                            value: self.encoding.name().to_string(),
                            expected: detail,
                        },
                    ));
                }
            }
        }
        Ok(())
    }
}

impl<R: Read> Read for Decoding<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.refill()?;
        let n = buf.len().min(self.out_len - self.out_pos);
        buf[..n].copy_from_slice(&self.out[self.out_pos..self.out_pos + n]);
        self.out_pos += n;
        Ok(n)
    }
}

/// UTF-8 (with or without BOM) when the start of the file is valid UTF-8,
/// UTF-16 by its BOM, else GB18030 (which reads GBK and GB2312).
pub fn detect(head: &[u8]) -> &'static Encoding {
    if let Some((enc, _)) = Encoding::for_bom(head) {
        return enc;
    }
    match std::str::from_utf8(head) {
        Ok(_) => UTF_8,
        // Cut in the middle of a character at the end of the sample: still UTF-8.
        Err(e) if e.error_len().is_none() => UTF_8,
        Err(_) => encoding_rs::GB18030,
    }
}

/// Headers in English, as exports and hand-made sheets write them (after
/// [`normalize_header`], `_` and `-` read as spaces): the field names of
/// `--map` themselves, then common words for each.
const ENGLISH_HEADERS: &[(&str, Field)] = &[
    ("title", Field::Title),
    ("subject", Field::Title),
    ("summary", Field::Title),
    ("body", Field::Body),
    ("description", Field::Body),
    ("details", Field::Body),
    ("detail text", Field::Body),
    ("content", Field::Body),
    ("message", Field::Body),
    ("problem", Field::Body),
    ("feedback", Field::Body),
    ("suggestion", Field::Body),
    ("comments", Field::Body),
    ("system", Field::System),
    ("system name", Field::System),
    ("application", Field::System),
    ("kind", Field::Kind),
    ("type", Field::Kind),
    ("category", Field::Kind),
    ("submitter", Field::Submitter),
    ("submitted by", Field::Submitter),
    ("name", Field::Submitter),
    ("full name", Field::Submitter),
    ("your name", Field::Submitter),
    ("reporter", Field::Submitter),
    ("submitter type", Field::SubmitterType),
    ("role", Field::SubmitterType),
    ("identity", Field::SubmitterType),
    ("contact", Field::Contact),
    ("email", Field::Contact),
    ("e mail", Field::Contact),
    ("phone", Field::Contact),
    ("mobile", Field::Contact),
    ("telephone", Field::Contact),
    ("department", Field::Department),
    ("dept", Field::Department),
    ("college", Field::Department),
    ("school", Field::Department),
    ("unit", Field::Department),
    ("received at", Field::ReceivedAt),
    ("received", Field::ReceivedAt),
    ("submitted at", Field::ReceivedAt),
    ("submission time", Field::ReceivedAt),
    ("submitted", Field::ReceivedAt),
    ("time", Field::ReceivedAt),
    ("timestamp", Field::ReceivedAt),
    ("date", Field::ReceivedAt),
    ("created at", Field::ReceivedAt),
    ("ip", Field::Ip),
    ("ip address", Field::Ip),
    ("external id", Field::ExternalId),
    ("id", Field::ExternalId),
    ("no", Field::ExternalId),
    ("number", Field::ExternalId),
    ("detail", Field::Detail),
    ("source", Field::Detail),
    ("channel", Field::Detail),
    ("duration", Field::Detail),
    ("time taken", Field::Detail),
];

/// The field a header names: an English header by the whole of its words
/// ([`ENGLISH_HEADERS`]), a Chinese one by the words it contains, once its
/// number is removed.
pub fn field_of(header: &str) -> Option<Field> {
    let h = normalize_header(header);
    let words = h.replace(['_', '-', '.', '#', '/'], " ");
    let words = words.split_whitespace().collect::<Vec<_>>().join(" ");
    if let Some((_, f)) = ENGLISH_HEADERS.iter().find(|(w, _)| *w == words) {
        return Some(*f);
    }
    if h.is_ascii() {
        // English words that are not a field's: nothing is guessed from parts
        // of them ("description" holds "ip").
        return None;
    }
    let has = |words: &[&str]| words.iter().any(|w| h.contains(w));
    let f = if h == "序号" || h == "编号" {
        Field::ExternalId
    } else if has(&["提交答卷时间", "提交时间", "填写时间", "答题时间", "开始时间"]) {
        Field::ReceivedAt
    } else if has(&["ip"]) {
        Field::Ip
    } else if has(&["所用时间", "来源", "渠道"]) {
        Field::Detail
    } else if has(&["身份", "人员类别"]) {
        Field::SubmitterType
    } else if has(&["姓名", "名字", "称呼"]) {
        Field::Submitter
    } else if has(&["联系方式", "联系电话", "手机", "邮箱", "电话", "联系"]) {
        Field::Contact
    } else if has(&["系统"]) {
        Field::System
    } else if has(&["标题", "主题"]) {
        Field::Title
    } else if has(&["部门", "学院", "单位", "院系"]) {
        Field::Department
    } else if has(&["类型", "类别", "分类"]) {
        Field::Kind
    } else if has(&["描述", "建议", "问题", "内容", "详情", "意见"]) {
        Field::Body
    } else {
        return None;
    };
    Some(f)
}

/// "3、涉及的信息系统*" → "涉及的信息系统" (lower-cased ASCII).
pub fn normalize_header(header: &str) -> String {
    let h = crate::sanitize::clean_line(header);
    let h = h.trim().trim_start_matches('\u{feff}');
    let rest = h.trim_start_matches(|c: char| c.is_ascii_digit() || c.is_whitespace());
    let rest = if rest.len() < h.len() {
        rest.trim_start_matches(['、', '.', '．', ':', '：', ')', '）', ' '])
    } else {
        h
    };
    rest.trim_end_matches(['*', ' ', '：', ':'])
        .trim_end_matches("（必填）")
        .trim_end_matches("(必填)")
        .trim()
        .to_lowercase()
}

/// The submitter type from the survey's words for it.
pub fn submitter_type(s: &str) -> Option<SubmitterType> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    Some(if s.contains("学生") || s.contains("本科") || s.contains("研究生") {
        SubmitterType::Student
    } else if s.contains("教师") || s.contains("老师") || s.contains("教授") {
        SubmitterType::Teacher
    } else if s.contains("部门") || s.contains("单位") {
        SubmitterType::Department
    } else if s.contains("职工") || s.contains("员工") || s.contains("工作人员") || s.contains("行政") {
        SubmitterType::Staff
    } else {
        return SubmitterType::ALL
            .iter()
            .copied()
            .find(|v| v.as_str().eq_ignore_ascii_case(s));
    })
}

/// Problem unless the words say it is a wish.
pub fn request_kind(s: &str) -> RequestKind {
    let s = s.trim();
    if s.contains("需求") || s.contains("建议") || s.contains("功能") || s.eq_ignore_ascii_case("feature") {
        RequestKind::Feature
    } else {
        RequestKind::Problem
    }
}

/// A survey time: `2026/10/13 18:03:00` and the like, in China Standard Time
/// (survey sites export Beijing time, whatever the importing machine's zone).
pub fn survey_time(s: &str) -> Option<Time> {
    let s = s.trim();
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    let naive = [
        "%Y/%m/%d %H:%M:%S",
        "%Y-%m-%d %H:%M:%S",
        "%Y/%m/%d %H:%M",
        "%Y-%m-%d %H:%M",
        "%Y年%m月%d日 %H:%M:%S",
        "%Y年%m月%d日 %H:%M",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())?;
    let cst = FixedOffset::east_opt(8 * 3600)?;
    cst.from_local_datetime(&naive).single().map(|t| t.with_timezone(&Utc))
}

/// Read a CSV or TSV export from `input` (`name` is the file name for messages).
pub fn parse<R: Read>(input: R, name: &str, delimiter: u8, opts: &Options) -> Result<Parsed> {
    let mut items = Vec::new();
    let warnings = parse_into(input, name, delimiter, opts, &mut |i| {
        items.push(i);
        Ok(())
    })?;
    Ok(Parsed { items, warnings })
}

/// [`parse`], handing each row's item to `sink` as soon as it is read: a file
/// of any size is read in constant memory. Returns the warnings.
pub fn parse_into<R: Read>(
    mut input: R,
    name: &str,
    delimiter: u8,
    opts: &Options,
    sink: &mut super::Sink<'_>,
) -> Result<Vec<String>> {
    let io_err = |e: std::io::Error| Error::Io {
        path: name.to_string(),
        detail: e.to_string(),
    };
    let mut head = Vec::with_capacity(SNIFF);
    (&mut input).take(SNIFF as u64).read_to_end(&mut head).map_err(io_err)?;
    let encoding = opts.encoding.unwrap_or_else(|| detect(&head));
    let progress = Rc::new(Progress::new(delimiter));
    let reader = Decoding::new(std::io::Cursor::new(head).chain(input), encoding, progress.clone());
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(true)
        .from_reader(reader);
    let place = |line: u64| {
        t(
            "import.place.line",
            &[("file", name.to_string()), ("line", line.to_string())],
        )
    };
    let csv_err = |e: csv::Error, fallback_line: u64| -> Error {
        let line = e.position().map(|p| p.line()).unwrap_or(fallback_line);
        match e.into_kind() {
            csv::ErrorKind::Io(io) => match io.get_ref().and_then(|e| e.downcast_ref::<Positioned>()) {
                Some(p) => bad(&place(p.line as u64), &p.field, &p.value, &p.expected),
                None => io_err(io),
            },
            other => bad(
                &place(line),
                "csv",
                &format!("{other:?}"),
                &t("import.expected.csv", &[]),
            ),
        }
    };
    let headers: Vec<String> = rdr
        .headers()
        .map_err(|e| csv_err(e, 1))?
        .iter()
        .map(String::from)
        .collect();
    if headers.iter().all(|h| h.trim().is_empty()) {
        return Err(bad(
            &place(1),
            &t("import.field.header", &[]),
            "",
            &t("import.expected.header", &[]),
        ));
    }
    let fields = column_fields(&headers, opts, &place(1))?;
    if !fields
        .iter()
        .any(|f| matches!(f, Some(Field::Title) | Some(Field::Body)))
    {
        return Err(bad(
            &place(1),
            &t("import.field.header", &[]),
            &headers.join(delimiter_str(delimiter)),
            &t("import.expected.title_column", &[]),
        ));
    }
    let mut warnings = Vec::new();
    let unclaimed: Vec<String> = headers
        .iter()
        .zip(&fields)
        .filter(|(h, f)| f.is_none() && !h.trim().is_empty())
        .map(|(h, _)| crate::sanitize::visible_line(h.trim()))
        .collect();
    if !opts.map.is_empty() && !unclaimed.is_empty() {
        warnings.push(t(
            "import.warning.unmapped",
            &[("file", name.to_string()), ("columns", unclaimed.join(" | "))],
        ));
    }
    let norm_headers: Vec<String> = headers.iter().map(|h| normalize_header(h)).collect();
    let channel = opts.channel.unwrap_or(Channel::Questionnaire);
    let mut record = csv::StringRecord::new();
    let mut last_line = 1;
    loop {
        match rdr.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(csv_err(e, last_line)),
        }
        let line = record.position().map(|p| p.line()).unwrap_or(last_line + 1);
        last_line = line;
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if record.len() != headers.len() {
            return Err(bad(
                &place(line),
                &t("import.field.columns", &[]),
                &record.len().to_string(),
                &t("import.expected.columns", &[("n", headers.len().to_string())]),
            ));
        }
        let item = row_item(&record, &headers, &norm_headers, &fields, &place(line), channel, opts)?;
        sink(item)?;
    }
    // A quoted cell never closed swallows the rest of the file into one cell.
    if progress.in_quote() {
        let l = progress.quote_line.get() as u64;
        return Err(bad(&place(l), "\"", "…", &t("import.expected.quote", &[])));
    }
    Ok(warnings)
}

fn delimiter_str(d: u8) -> &'static str {
    if d == b'\t' {
        "\t"
    } else {
        ","
    }
}

/// The field of each column: `--map` first, then the header's words. A field
/// given to a column by `--map` is that column's alone: no other column is
/// read for it.
fn column_fields(headers: &[String], opts: &Options, place: &str) -> Result<Vec<Option<Field>>> {
    let mut fields: Vec<Option<Field>> = headers.iter().map(|h| field_of(h)).collect();
    for f in fields.iter_mut() {
        if f.is_some_and(|f| opts.map.iter().any(|(_, m)| *m == f)) {
            *f = None;
        }
    }
    for (col, f) in &opts.map {
        let want = normalize_header(col);
        let i = headers
            .iter()
            .position(|h| h.trim() == col || normalize_header(h) == want)
            .ok_or_else(|| {
                bad(
                    place,
                    "--map",
                    col,
                    &t("import.expected.column_of", &[("headers", headers.join(" | "))]),
                )
            })?;
        fields[i] = Some(*f);
    }
    Ok(fields)
}

fn row_item(
    record: &csv::StringRecord,
    headers: &[String],
    norm_headers: &[String],
    fields: &[Option<Field>],
    place: &str,
    channel: Channel,
    opts: &Options,
) -> Result<ImportItem> {
    let get = |f: Field| -> String {
        let parts: Vec<&str> = fields
            .iter()
            .zip(record.iter())
            .filter(|(g, v)| **g == Some(f) && !v.trim().is_empty())
            .map(|(_, v)| v.trim())
            .collect();
        parts.join("\n")
    };
    let header_of = |f: Field| -> String {
        fields
            .iter()
            .position(|g| *g == Some(f))
            .map(|i| headers[i].clone())
            .unwrap_or_default()
    };
    let mut body = get(Field::Body);
    // Without --map, columns no field claims keep their answer, labelled, at
    // the end of the body (a survey's extra questions); with --map the mapping
    // says what is wanted and they are left out (and named in a warning).
    if opts.map.is_empty() {
        for ((h, v), f) in headers.iter().zip(record.iter()).zip(fields) {
            if f.is_none() && !v.trim().is_empty() {
                body.push_str(&format!("\n\n【{}】{}", normalize_header(h), v.trim()));
            }
        }
    }
    let body = body.trim().to_string();
    let mut title = get(Field::Title).lines().next().unwrap_or("").trim().to_string();
    if title.is_empty() {
        title = title_from(&body, TITLE_COLS);
    }
    if title.is_empty() {
        return Err(bad(
            place,
            &header_of(Field::Title),
            "",
            &t("import.expected.title", &[]),
        ));
    }
    let received_at = match get(Field::ReceivedAt) {
        s if s.is_empty() => None,
        s => Some(survey_time(&s).ok_or_else(|| bad(place, &header_of(Field::ReceivedAt), &s, "2026/10/13 18:03:00"))?),
    };
    let mut tags = Vec::new();
    let system_name = get(Field::System);
    let system = opts.resolve_system(&system_name);
    if system.is_none() && !system_name.is_empty() {
        tags.push(format!(
            "{UNKNOWN_SYSTEM_TAG}:{}",
            crate::sanitize::clean_line(&system_name)
        ));
    }
    let identity = get(Field::SubmitterType);
    let kind = submitter_type(&identity).unwrap_or(SubmitterType::Staff);
    let contact = get(Field::Contact);
    let department = get(Field::Department);
    let name = match get(Field::Submitter) {
        n if !n.is_empty() => n,
        _ if !contact.is_empty() => contact.clone(),
        _ if !department.is_empty() || !identity.is_empty() => format!("{department}{identity}"),
        _ => "匿名".to_string(),
    };
    let ip_raw = get(Field::Ip);
    let (ip, ip_note) = match ip_raw.split_once(['(', '（']) {
        Some((ip, note)) => (
            ip.trim().to_string(),
            note.trim_end_matches([')', '）']).trim().to_string(),
        ),
        None => (ip_raw.trim().to_string(), String::new()),
    };
    let mut detail: Vec<String> = fields
        .iter()
        .zip(record.iter())
        .zip(norm_headers)
        .filter(|((f, v), _)| **f == Some(Field::Detail) && !v.trim().is_empty())
        .map(|((_, v), h)| format!("{h}：{}", v.trim()))
        .collect();
    if !ip_note.is_empty() {
        detail.push(format!("IP：{ip_note}"));
    }
    let mut key_parts: Vec<&str> = norm_headers.iter().map(String::as_str).collect();
    key_parts.extend(record.iter());
    Ok(ImportItem {
        request: NewRequest {
            kind: request_kind(&get(Field::Kind)),
            title,
            body,
            system,
            submitter: Submitter { name, contact, kind },
            department,
            channel,
            received_at,
            priority: Priority::Normal,
            tags,
        },
        source: Some(Source {
            origin: place.to_string(),
            detail: detail.join("；"),
            external_id: get(Field::ExternalId),
            ip,
            address: String::new(),
            attachments: Vec::new(),
        }),
        key: format!("row:{}", content_key(&key_parts)),
        reply_to: None,
        references: Vec::new(),
        label: place.to_string(),
        files: Vec::new(),
    })
}
