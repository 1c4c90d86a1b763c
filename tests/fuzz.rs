//! A coverage-free mutation fuzzer for every surface that reads hostile input: the
//! CSV/TSV importer, the .eml parser, the mbox splitter, the JSON-lines importer,
//! the server's frame decoder and message types, the keymap parser, and the
//! sanitizer and text-width helpers that stand between stored text and the terminal.
//!
//! Each target first replays its whole corpus (`tests/fuzz_corpus/<target>/`: the
//! seeds and every crasher ever found, kept as regression tests), then mutates the
//! corpus for `BEIAN_FUZZ_SECS` seconds (default 1; `scripts/fuzz` runs 600 in
//! release) or exactly `BEIAN_FUZZ_ITERS` executions: bit flips, interesting bytes,
//! control and escape sequences, bidi and zero-width characters, invalid UTF-8,
//! GBK/GB18030 bytes, huge numbers, deep nesting, truncation, splices of two inputs.
//! Inputs whose outcome (Ok with n items, or the kind of error) is new join the
//! corpus in memory, which steers the mutations a little without coverage.
//!
//! Every execution runs inside `catch_unwind` and under an allocation meter (the
//! global allocator of this test binary counts the bytes each call holds at its
//! peak): a panic, or a peak over [`alloc_cap`] for the input's size, is a crash. A
//! crasher is written to `tests/fuzz_corpus/<target>/crash-<hash>.bin` and the test
//! fails naming the seed and the execution, so `BEIAN_FUZZ_SEED=… BEIAN_FUZZ_ITERS=…`
//! replays the same run.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::collections::HashSet;
use std::io::Read;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use beian::io::{csv_import, email, jsonl, Options};
use beian::model::{Id, IdKind, Meta, System as Sys};
use beian::server::protocol::{self, ClientMsg, FrameError, ServerMsg, MAX_FRAME, MAX_SERVER_FRAME};
use beian::tui::keymap::{parse_seq, Key, Keymap};

// ---------------------------------------------------------------------------
// Allocation meter: bytes held by this thread, and their peak since `meter_reset`.

struct Metered;

thread_local! {
    /// Inside [`exec`]: a panic here is caught and reported by the engine.
    static IN_EXEC: Cell<bool> = const { Cell::new(false) };
    static HELD: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

fn note(delta: isize) {
    let _ = HELD.try_with(|h| {
        let v = h.get() + delta;
        h.set(v);
        let _ = PEAK.try_with(|p| {
            if v > p.get() {
                p.set(v)
            }
        });
    });
}

// SAFETY: every call is passed to the system allocator unchanged; the meter only
// counts sizes in thread-local cells (const-initialised, no allocation, no panic).
unsafe impl GlobalAlloc for Metered {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(l) };
        if !p.is_null() {
            note(l.size() as isize);
        }
        p
    }
    unsafe fn alloc_zeroed(&self, l: Layout) -> *mut u8 {
        let p = unsafe { System.alloc_zeroed(l) };
        if !p.is_null() {
            note(l.size() as isize);
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        unsafe { System.dealloc(p, l) };
        note(-(l.size() as isize));
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        let q = unsafe { System.realloc(p, l, new) };
        if !q.is_null() {
            note(new as isize - l.size() as isize);
        }
        q
    }
}

#[global_allocator]
static METER: Metered = Metered;

fn meter_reset() {
    HELD.with(|h| h.set(0));
    PEAK.with(|p| p.set(0));
}

fn meter_peak() -> usize {
    PEAK.with(|p| p.get()).max(0) as usize
}

/// The most a parser may hold at once for an input of `len` bytes: a fixed 8 MiB
/// (tables, decoders, mail-parser's buffers) plus 64 bytes per input byte. An
/// allocation sized by a number read from the input, not by the input, goes over.
fn alloc_cap(len: usize) -> usize {
    (8 << 20) + 64 * len
}

// ---------------------------------------------------------------------------
// A small deterministic generator (SplitMix64): the same seed, the same run.

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
    fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }
}

fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3)
    })
}

// ---------------------------------------------------------------------------
// Mutations

/// The largest input the mutator makes (the seeds are a few KiB).
const MAX_INPUT: usize = 64 << 10;

/// Strings every target gets: terminal attacks, bad encodings, numbers, structure.
const TOKENS: &[&[u8]] = &[
    b"\x1b[31m",
    b"\x1b[2J\x1b[H",
    b"\x1b]0;pwned\x07",
    b"\x1b]8;;http://x\x1b\\",
    b"\x1bP+q\x1b\\",
    b"\x1b",
    b"\x07",
    b"\x7f",
    b"\x00",
    b"\xc2\x9b31m",                                  // C1 CSI
    b"\xc2\x85",                                     // NEL
    b"\xe2\x80\xae",                                 // U+202E RLO
    b"\xe2\x80\xad",                                 // U+202D LRO
    b"\xe2\x81\xa6",                                 // U+2066 LRI
    b"\xe2\x81\xa7",                                 // U+2067 RLI
    b"\xe2\x81\xa8",                                 // U+2068 FSI
    b"\xe2\x81\xa9",                                 // U+2069 PDI
    b"\xe2\x80\x8b",                                 // U+200B ZWSP
    b"\xe2\x80\x8d",                                 // U+200D ZWJ
    b"\xe2\x81\xa0",                                 // U+2060 WJ
    b"\xef\xbb\xbf",                                 // BOM / ZWNBSP
    b"\xd8\x9c",                                     // U+061C ALM
    b"\xf3\xa0\x80\x81",                             // U+E0001 language tag
    b"\xe2\x80\xa8",                                 // U+2028
    b"\xc0\x80",                                     // overlong NUL
    b"\xed\xa0\x80",                                 // surrogate
    b"\xf8\x88\x80\x80\x80",                         // 5-byte form
    b"\x80",                                         // lone continuation
    b"\xe6\x95",                                     // truncated 3-byte
    b"\xff\xfe",                                     // UTF-16 BOM
    b"\xb5\xc7\xc2\xbc",                             // GBK 登录
    b"\x81\x30\x81\x30",                             // GB18030 four-byte
    b"\x81",                                         // truncated GBK lead byte
    b"\xe6\x95\x99\xe5\x8a\xa1",                     // 教务
    b"\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9", // 👨‍👩
    b"e\xcc\x81",
    b"\r\n",
    b"\r",
    b"\n",
    b"\n\n",
    b"\t",
    b"\"",
    b"\"\"",
    b",",
    b"'",
    b"\\",
    b"\\u0000",
    b"\\u001b",
    b"\\ud800",
    b"\\u202e",
    b"99999999999999999999999999999999",
    b"18446744073709551616",
    b"4294967296",
    b"-1",
    b"-0",
    b"1e999",
    b"NaN",
    b"2026-13-45T25:61:61+99:00",
    b"9999/99/99 99:99:99",
    b"REQ-2026-0001",
    b"REQ-99999-4294967296",
    b"SYS-2026-0001",
    b"=?utf-8?B?",
    b"=?gb2312?Q?=D1=A1?=",
    b"=?x-unknown?B?AAAA?=",
    b"?=",
    b"From ",
    b">From ",
    b"\n\nFrom x@y Wed Nov  4 09:00:00 2026\n",
    b"Content-Type: multipart/mixed; boundary=\"b\"\r\n",
    b"Content-Type: text/html; charset=eucgb2312_cn\r\n",
    b"Content-Transfer-Encoding: base64\r\n",
    b"Content-Transfer-Encoding: quoted-printable\r\n",
    b"\r\n--b\r\n",
    b"\r\n--b--\r\n",
    b"=\r\n",
    b"=ZZ",
    b"<script>",
    b"&#x1b;",
    b"&#8238;",
    b"&#99999999999;",
    b"{\"title\":\"t\",\"submitter\":{\"name\":\"n\"}}",
    b"{",
    b"}",
    b"[",
    b"]",
    b":",
    b"=",
    b"null",
    b"[global]\n",
    b"[queue]\n",
    b"\"ctrl-alt-",
    b"C-M-",
    b"f99",
    b"f1",
    b"\"\"\"",
    b"'''",
    b"preset = \"vim\"\n",
    b"\xef\xbc\xa1", // Ａ
];

/// Bytes a mutation writes over another.
const BYTES: &[u8] = &[
    0x00, 0x01, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1b, 0x1f, 0x20, b'"', b',', b'\t', b'{', b'}', b'[', b']',
    b':', b'=', b'>', b'-', b'\\', 0x7f, 0x80, 0x81, 0x9b, 0xa0, 0xbf, 0xc0, 0xe2, 0xef, 0xf0, 0xfe, 0xff,
];

/// `n` levels of nesting of `open` around `inner`, closed or not.
fn nested(open: &[u8], close: &[u8], n: usize, closed: bool) -> Vec<u8> {
    let mut v = open.repeat(n);
    if closed {
        v.extend(close.repeat(n));
    }
    v
}

struct Mutator<'a> {
    rng: &'a mut Rng,
    extra: &'a [&'a [u8]],
}

impl Mutator<'_> {
    fn token(&mut self) -> Vec<u8> {
        let k = self.rng.below(TOKENS.len() + self.extra.len() + 6);
        if k < TOKENS.len() {
            return TOKENS[k].to_vec();
        }
        if k < TOKENS.len() + self.extra.len() {
            return self.extra[k - TOKENS.len()].to_vec();
        }
        let depth = [8, 64, 129, 300, 1000, 5000][self.rng.below(6)];
        let closed = self.rng.chance(2);
        match k - TOKENS.len() - self.extra.len() {
            0 => nested(b"[", b"]", depth, closed),
            1 => nested(b"{\"a\":", b"}", depth, closed),
            2 => nested(b"a = [", b"]", 1, false)
                .into_iter()
                .chain(nested(b"[", b"]", depth, closed))
                .collect(),
            3 => nested(b"x = {a=", b"}", depth, closed),
            4 => {
                // Nested multipart bodies.
                let mut v = Vec::new();
                for i in 0..depth.min(300) {
                    v.extend(format!("Content-Type: multipart/mixed; boundary=\"b{i}\"\r\n\r\n--b{i}\r\n").bytes());
                }
                v
            }
            _ => {
                // A run of one byte or one token.
                let t = TOKENS[self.rng.below(TOKENS.len())];
                t.repeat(1 + self.rng.below(200))
            }
        }
    }

    /// Apply 1 to 8 mutations to `data`; `other` is another corpus input to splice from.
    fn mutate(&mut self, data: &mut Vec<u8>, other: &[u8]) {
        let rounds = 1 + self.rng.below(8);
        for _ in 0..rounds {
            let len = data.len();
            match self.rng.below(12) {
                0 if len > 0 => {
                    let i = self.rng.below(len);
                    data[i] ^= 1 << self.rng.below(8);
                }
                1 if len > 0 => {
                    let i = self.rng.below(len);
                    data[i] = BYTES[self.rng.below(BYTES.len())];
                }
                2..=4 => {
                    let i = self.rng.below(len + 1);
                    let t = self.token();
                    data.splice(i..i, t);
                }
                5 if len > 0 => {
                    let i = self.rng.below(len);
                    let n = 1 + self.rng.below((len - i).min(64));
                    data.drain(i..i + n);
                }
                6 if len > 0 => {
                    // Duplicate a range.
                    let i = self.rng.below(len);
                    let n = 1 + self.rng.below((len - i).min(256));
                    let chunk = data[i..i + n].to_vec();
                    let at = self.rng.below(data.len() + 1);
                    data.splice(at..at, chunk);
                }
                7 if len > 0 => {
                    data.truncate(self.rng.below(len));
                }
                8 if !other.is_empty() => {
                    // Splice: the head of this input, the tail of the other.
                    let a = self.rng.below(len + 1);
                    let b = self.rng.below(other.len());
                    data.truncate(a);
                    data.extend_from_slice(&other[b..]);
                }
                9 if len > 0 => {
                    // Replace a digit run's neighbourhood with a huge number.
                    let i = self.rng.below(len);
                    let t = [
                        &b"99999999999999999999"[..],
                        b"4294967295",
                        b"-9223372036854775809",
                        b"0",
                    ];
                    let n = (len - i).min(1 + self.rng.below(4));
                    data.splice(i..i + n, t[self.rng.below(t.len())].iter().copied());
                }
                10 if len >= 4 => {
                    // Overwrite four bytes with a big-endian length (frames).
                    let i = if self.rng.chance(2) { 0 } else { self.rng.below(len - 3) };
                    let v: u32 = match self.rng.below(5) {
                        0 => u32::MAX,
                        1 => MAX_FRAME + 1,
                        2 => MAX_FRAME,
                        3 => self.rng.next() as u32,
                        _ => self.rng.below(len * 2) as u32,
                    };
                    data[i..i + 4].copy_from_slice(&v.to_be_bytes());
                }
                _ => {
                    let i = self.rng.below(len + 1);
                    let b = BYTES[self.rng.below(BYTES.len())];
                    data.insert(i, b);
                }
            }
        }
        if data.len() > MAX_INPUT {
            data.truncate(MAX_INPUT);
        }
    }
}

// ---------------------------------------------------------------------------
// The engine

struct Target {
    name: &'static str,
    /// Run the input; return a short signature of the outcome (new ones join the corpus).
    run: fn(&[u8]) -> String,
    /// Seeds built in code (besides the corpus files).
    seeds: fn() -> Vec<Vec<u8>>,
    /// Tokens that mean something to this target.
    extra: &'static [&'static [u8]],
}

fn corpus_dir(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz_corpus")
        .join(name)
}

fn env_u64(name: &str) -> Option<u64> {
    let v = std::env::var(name).ok()?;
    let v = v.trim();
    match v.strip_prefix("0x") {
        Some(h) => u64::from_str_radix(h, 16).ok(),
        None => v.parse().ok(),
    }
}

/// Peak resident memory of this process so far (VmHWM), in KiB.
fn peak_rss_kib() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let l = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    l.split_whitespace().nth(1)?.parse().ok()
}

/// The panic message of a caught panic.
fn panic_text(p: &(dyn std::any::Any + Send)) -> String {
    p.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic".into())
}

/// Run one input: `Err(why)` on a panic or an allocation over the cap.
fn exec(t: &Target, input: &[u8]) -> Result<String, String> {
    IN_EXEC.with(|f| f.set(true));
    meter_reset();
    let r = catch_unwind(AssertUnwindSafe(|| (t.run)(input)));
    let peak = meter_peak();
    IN_EXEC.with(|f| f.set(false));
    match r {
        Err(p) => Err(format!("panic: {}", panic_text(&*p))),
        Ok(_) if peak > alloc_cap(input.len()) => Err(format!(
            "allocated {peak} bytes at once for a {}-byte input (cap {})",
            input.len(),
            alloc_cap(input.len())
        )),
        Ok(sig) => Ok(sig),
    }
}

fn fuzz(t: &Target) {
    let dir = corpus_dir(t.name);
    let builtin = (t.seeds)();
    if std::env::var_os("BEIAN_FUZZ_SAVE_SEEDS").is_some() {
        std::fs::create_dir_all(&dir).unwrap();
        for (i, b) in builtin.iter().enumerate() {
            std::fs::write(dir.join(format!("seed-{i}.bin")), b).unwrap();
        }
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no corpus in {}", dir.display());

    let mut crashes: Vec<String> = Vec::new();
    let mut corpus: Vec<Vec<u8>> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    let mut max_peak = 0usize;

    // 1. The corpus: seeds and every crasher ever found.
    let mut replayed = 0usize;
    let from_files: Vec<(String, Vec<u8>)> = files
        .iter()
        .map(|p| (p.display().to_string(), std::fs::read(p).unwrap()))
        .collect();
    for (label, input) in from_files.into_iter().chain(
        builtin
            .into_iter()
            .enumerate()
            .map(|(i, b)| (format!("built-in seed {i}"), b)),
    ) {
        replayed += 1;
        match exec(t, &input) {
            Ok(sig) => {
                max_peak = max_peak.max(meter_peak());
                seen.insert(sig);
            }
            Err(why) => crashes.push(format!("{label}: {why}")),
        }
        corpus.push(input);
    }

    // 2. Mutations.
    let seed = env_u64("BEIAN_FUZZ_SEED").unwrap_or_else(|| fnv(t.name.as_bytes()));
    let iters = env_u64("BEIAN_FUZZ_ITERS");
    let secs = env_u64("BEIAN_FUZZ_SECS").unwrap_or(1);
    let deadline = Instant::now() + Duration::from_secs(secs);
    let mut rng = Rng(seed);
    let mut execs = 0u64;
    let mut crash_kinds: HashSet<String> = HashSet::new();
    let start = Instant::now();
    loop {
        match iters {
            Some(n) if execs >= n => break,
            None if execs.is_multiple_of(16) && Instant::now() >= deadline => break,
            _ => {}
        }
        let a = rng.below(corpus.len());
        let b = rng.below(corpus.len());
        let mut input = corpus[a].clone();
        Mutator {
            rng: &mut rng,
            extra: t.extra,
        }
        .mutate(&mut input, &corpus[b]);
        execs += 1;
        match exec(t, &input) {
            Ok(sig) => {
                max_peak = max_peak.max(meter_peak());
                if corpus.len() < 4096 && seen.insert(sig) {
                    corpus.push(input);
                }
            }
            Err(why) => {
                // One file per kind of crash (the start of the message, letters only).
                let kind: String = why
                    .chars()
                    .take(40)
                    .filter(|c| c.is_ascii_alphabetic() || *c == ' ')
                    .collect();
                if crash_kinds.insert(kind) {
                    let path = dir.join(format!("crash-{:016x}.bin", fnv(&input)));
                    std::fs::write(&path, &input).unwrap();
                    crashes.push(format!(
                        "{why}\n    seed {seed:#x}, execution {execs} (BEIAN_FUZZ_SEED={seed:#x} BEIAN_FUZZ_ITERS={execs}), saved as {}",
                        path.display()
                    ));
                }
                if crashes.len() >= 8 {
                    break;
                }
            }
        }
    }
    let elapsed = start.elapsed().as_secs_f64();
    println!(
        "fuzz {}: corpus {replayed} replayed, {execs} executions in {elapsed:.1} s ({:.0}/s), corpus grew to {}, \
         {} crashes, peak held by one call {} KiB, peak RSS {} KiB, seed {seed:#x}",
        t.name,
        execs as f64 / elapsed.max(1e-9),
        corpus.len(),
        crashes.len(),
        max_peak / 1024,
        peak_rss_kib().map(|k| k.to_string()).unwrap_or_else(|| "?".into()),
    );
    assert!(
        crashes.is_empty(),
        "fuzz {}: {} crashes:\n{}",
        t.name,
        crashes.len(),
        crashes.join("\n")
    );
}

/// Silence the default panic hook for caught panics (they are reported by the
/// engine) but keep it for everything else.
fn quiet_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !IN_EXEC.with(|f| f.get()) || std::env::var_os("BEIAN_FUZZ_VERBOSE").is_some() {
                default(info);
            }
        }));
    });
}

// ---------------------------------------------------------------------------
// Targets

fn options() -> Options {
    let sys = |n: u32, name: &str| Sys {
        id: Id::new(IdKind::System, 2026, n),
        name: name.into(),
        department: "网络信息中心".into(),
        vendor: String::new(),
        version: "1.0".into(),
        depends_on: Vec::new(),
        meta: Meta::new("admin", chrono::DateTime::UNIX_EPOCH),
    };
    Options {
        systems: vec![sys(1, "教务管理系统"), sys(2, "一卡通系统"), sys(3, "科研管理系统")],
        ..Options::default()
    }
}

/// A character that must not reach the terminal in a message.
fn unprintable(c: char) -> bool {
    (c.is_control() && c != '\n') || beian::sanitize::is_unsafe(c)
}

fn sig_of(r: &beian::Result<beian::io::Parsed>) -> String {
    match r {
        Ok(p) => {
            for w in &p.warnings {
                let w = beian::sanitize::clean_line(w);
                assert!(!w.chars().any(unprintable), "warning {w:?}");
            }
            format!("ok {} {}", p.items.len().min(8), p.warnings.len().min(4))
        }
        Err(e) => {
            // What `beian import` prints to the terminal.
            let m = e.message();
            assert!(!m.chars().any(unprintable), "error message {m:?}");
            let s = e.to_string();
            let s: String = s.chars().filter(|c| !c.is_ascii_digit()).take(40).collect();
            format!("err {s}")
        }
    }
}

/// Items never outnumber the input's lines (plus one).
fn check_items(r: &beian::Result<beian::io::Parsed>, input: &[u8]) {
    if let Ok(p) = r {
        let lines = input.iter().filter(|b| **b == b'\n' || **b == b'\r').count() + 1;
        assert!(p.items.len() <= lines, "{} items from {lines} lines", p.items.len());
    }
}

fn run_csv(input: &[u8]) -> String {
    let opts = options();
    let mut sig = String::new();
    for delim in [b',', b'\t'] {
        let r = csv_import::parse(input, "fuzz.csv", delim, &opts);
        check_items(&r, input);
        sig.push_str(&sig_of(&r));
    }
    // The encoding forced, as `--encoding gbk` does.
    let mut gbk = opts.clone();
    gbk.set_encoding("gbk").unwrap();
    let r = csv_import::parse(input, "fuzz.csv", b',', &gbk);
    check_items(&r, input);
    sig + &sig_of(&r)
}

fn run_eml(input: &[u8]) -> String {
    let r = email::parse_one(input, "fuzz.eml", "eml", &options());
    if let Ok(p) = &r {
        assert_eq!(p.items.len(), 1);
    }
    let _ = email::looks_like_headers(input);
    sig_of(&r)
}

fn run_mbox(input: &[u8]) -> String {
    let r = email::parse_mbox(input, "fuzz.mbox", &options());
    check_items(&r, input);
    sig_of(&r)
}

fn run_jsonl(input: &[u8]) -> String {
    let r = jsonl::parse(input, "fuzz.jsonl", &options());
    check_items(&r, input);
    sig_of(&r)
}

/// A reader that hands out at most `step` bytes a call, like a socket.
struct Trickle<'a> {
    data: &'a [u8],
    step: usize,
}

impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = buf.len().min(self.step).min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

/// The server's side (frames of at most MAX_FRAME holding a `ClientMsg`) and the
/// client's (MAX_SERVER_FRAME, `ServerMsg`) over the same bytes.
fn run_protocol(input: &[u8]) -> String {
    let mut sig = String::new();
    for (max, step) in [(MAX_FRAME, usize::MAX), (MAX_SERVER_FRAME, 3)] {
        let mut r = Trickle { data: input, step };
        let mut frames = 0;
        loop {
            match protocol::read_frame(&mut r, max) {
                Ok(None) => {
                    sig.push_str("end ");
                    break;
                }
                Ok(Some(body)) => {
                    assert!(body.len() <= max as usize);
                    frames += 1;
                    if max == MAX_FRAME {
                        match serde_json::from_slice::<ClientMsg>(&body) {
                            Ok(m) => {
                                // What the server decodes, it can encode again.
                                let again = protocol::encode(&m).unwrap();
                                let back = protocol::read_frame(&mut again.as_slice(), u32::MAX).unwrap().unwrap();
                                assert_eq!(serde_json::from_slice::<ClientMsg>(&back).unwrap(), m);
                                sig.push_str("client ");
                            }
                            Err(e) => sig.push_str(&format!("bad{:?} ", e.classify())),
                        }
                    } else {
                        match serde_json::from_slice::<ServerMsg>(&body) {
                            Ok(_) => sig.push_str("server "),
                            Err(e) => sig.push_str(&format!("bad{:?} ", e.classify())),
                        }
                    }
                }
                Err(FrameError::TooLarge(n)) => {
                    assert!(n > max);
                    sig.push_str("large ");
                    break;
                }
                Err(FrameError::Io(e)) => {
                    sig.push_str(&format!("{:?} ", e.kind()));
                    break;
                }
            }
            if frames > 64 {
                break;
            }
        }
    }
    sig
}

fn protocol_seeds() -> Vec<Vec<u8>> {
    use beian::service::{Command, Query};
    let cmd = Command::RequestComment {
        id: Id::new(IdKind::Request, 2026, 1),
        text: "选课\u{1b}[31m\u{202e}".into(),
    };
    let client = [
        protocol::hello(),
        ClientMsg::Query {
            id: 1,
            query: Query::Whoami,
        },
        ClientMsg::Execute {
            id: 2,
            cmd,
            expect_rev: Some(3),
        },
        ClientMsg::Subscribe,
        ClientMsg::Status { id: 4 },
    ];
    let items = jsonl::parse(
        r#"{"title":"\u001b[2J","submitter":{"name":"\u202e"},"system":"教务管理系统"}"#.as_bytes(),
        "seed.jsonl",
        &options(),
    )
    .expect("a seed import item")
    .items;
    assert_eq!(items.len(), 1);
    let client = client.into_iter().chain([
        ClientMsg::Import {
            id: 5,
            items,
            dry_run: false,
            finish: true,
        },
        ClientMsg::ImportAbort { id: 6 },
    ]);
    let mut all = Vec::new();
    let mut stream = Vec::new();
    for m in client {
        let f = protocol::encode(&m).unwrap();
        stream.extend_from_slice(&f);
        all.push(f);
    }
    all.push(stream);
    let server = ServerMsg::Reply {
        id: 3,
        result: Err(beian::Error::not_found("PLAN-2026-0009")),
    };
    all.push(protocol::encode(&server).unwrap());
    all.push(
        protocol::encode(&ServerMsg::Changed(protocol::Changed {
            seq: 9,
            entities: vec!["REQ-2026-0001".into()],
            actor: "wanglei".into(),
            action: "request.add".into(),
        }))
        .unwrap(),
    );
    all
}

fn run_keymap(input: &[u8]) -> String {
    let text = String::from_utf8_lossy(input);
    let mut map = Keymap::default();
    let issues = map.merge("fuzz.toml", &text);
    let lines = text.lines().count().max(1);
    for i in &issues {
        // What `beian keymap check` prints.
        let shown = i.to_string();
        assert!(!shown.chars().any(unprintable), "issue {shown:?}");
        assert!(i.line <= lines, "issue on line {} of {lines}: {i:?}", i.line);
    }
    for line in text.lines().take(64) {
        let _ = parse_seq(line);
        for word in line.split_whitespace().take(16) {
            if let Some(k) = Key::parse(word) {
                // What help shows, a keymap file can say.
                assert_eq!(Key::parse(&k.display()), Some(k), "{word:?} shown as {:?}", k.display());
            }
        }
    }
    format!("{}", issues.len().min(16))
}

fn run_sanitize(input: &[u8]) -> String {
    use beian::sanitize::{clean, clean_line, is_unsafe, visible, visible_line};
    use beian::text::{cell, fit, text_width};
    let s = String::from_utf8_lossy(input);
    let c = clean(&s);
    assert!(!c.chars().any(is_unsafe) && !c.contains('\r'), "clean: {c:?}");
    assert_eq!(clean(&c), c, "clean is not idempotent");
    let l = clean_line(&s);
    assert!(
        !l.chars().any(|ch| is_unsafe(ch) || ch == '\n' || ch == '\t'),
        "clean_line: {l:?}"
    );
    let v = visible(&s);
    assert!(!v.chars().any(is_unsafe), "visible: {v:?}");
    let vl = visible_line(&s);
    assert!(
        !vl.chars().any(|ch| is_unsafe(ch) || ch.is_control()),
        "visible_line: {vl:?}"
    );
    let mut sig = 0usize;
    for max in [0usize, 1, 2, 3, 7, 40] {
        let f = fit(&s, max);
        assert!(text_width(&f) <= max, "fit({s:?}, {max}) = {f:?}");
        assert!(!f.chars().any(|ch| is_unsafe(ch) || ch.is_control()), "fit: {f:?}");
        assert_eq!(text_width(&cell(&s, max)), max, "cell({s:?}, {max})");
        sig += text_width(&f);
    }
    format!("{}", sig.min(64))
}

const CSV_TOKENS: &[&[u8]] = &[
    b"\xe5\xba\x8f\xe5\x8f\xb7,",                                                // 序号,
    b"\xe6\x8f\x90\xe4\xba\xa4\xe7\xad\x94\xe5\x8d\xb7\xe6\x97\xb6\xe9\x97\xb4", // 提交答卷时间
    b"1\xe3\x80\x81\xe6\x82\xa8\xe7\x9a\x84\xe8\xba\xab\xe4\xbb\xbd",            // 1、您的身份
    b"\xe9\x97\xae\xe9\xa2\x98\xe6\x8f\x8f\xe8\xbf\xb0",                         // 问题描述
    b"\xe6\x9d\xa5\xe8\x87\xaaIP",                                               // 来自IP
    b"\xe5\xad\xa6\xe7\x94\x9f",                                                 // 学生
    b"\xd1\xa7\xc9\xfa",                                                         // 学生 in GBK
    b",\"\n",
    b"\"\r\n\"",
    b"2026/10/13 10:03:00",
    b"2026\xe5\xb9\xb410\xe6\x9c\x8813\xe6\x97\xa5 10:03",
];

const JSON_TOKENS: &[&[u8]] = &[
    b"\"title\":",
    b"\"submitter\":{\"name\":\"x\",\"kind\":\"teacher\"}",
    b"\"system\":\"\xe6\x95\x99\xe5\x8a\xa1\"",
    b"\"received_at\":\"2026-10-13T10:03:00+08:00\"",
    b"\"source\":{\"ip\":1}",
    b"\"key\":\"\"",
    b"\"tags\":[\"a\",\"b\"]",
    b"\"kind\":\"nonsense\"",
    b"\"priority\":\"urgent\"",
];

const PROTOCOL_TOKENS: &[&[u8]] = &[
    b"\"type\":\"hello\"",
    b"\"type\":\"execute\"",
    b"\"type\":\"query\"",
    b"\"protocol\":4294967296",
    b"\"user\":\"admin\"",
    b"\"expect_rev\":18446744073709551615",
    b"\x00\x00\x00\x00",
    b"\xff\xff\xff\xff",
    b"\x00\x80\x00\x01",
    b"\x7f\xff\xff\xff",
];

const KEYMAP_TOKENS: &[&[u8]] = &[
    b"[plans]\n",
    b"[tests]\n",
    b"[archive]\n",
    b"[reports]\n",
    b"[global.x]\n",
    b"[[global]]\n",
    b"\"g g\" = \"quit\"\n",
    b"\"ctrl-r\" = \"no_op\"\n",
    b"x = 1\n",
    b"= \"help\"\n",
    b"\"a b c d\" = \"quit\"\n",
    b"space",
    b"backtab",
    b"pgdown",
    b"\xe3\x80\x80", // ideographic space
];

fn no_seeds() -> Vec<Vec<u8>> {
    Vec::new()
}

const CSV: Target = Target {
    name: "csv",
    run: run_csv,
    seeds: no_seeds,
    extra: CSV_TOKENS,
};
const EML: Target = Target {
    name: "eml",
    run: run_eml,
    seeds: no_seeds,
    extra: &[],
};
const MBOX: Target = Target {
    name: "mbox",
    run: run_mbox,
    seeds: no_seeds,
    extra: &[],
};
const JSONL: Target = Target {
    name: "jsonl",
    run: run_jsonl,
    seeds: no_seeds,
    extra: JSON_TOKENS,
};
const PROTOCOL: Target = Target {
    name: "protocol",
    run: run_protocol,
    seeds: protocol_seeds,
    extra: PROTOCOL_TOKENS,
};
const KEYMAP: Target = Target {
    name: "keymap",
    run: run_keymap,
    seeds: no_seeds,
    extra: KEYMAP_TOKENS,
};
const SANITIZE: Target = Target {
    name: "sanitize",
    run: run_sanitize,
    seeds: no_seeds,
    extra: &[],
};

fn named(t: &Target) {
    quiet_panics();
    fuzz(t)
}

#[test]
fn fuzz_csv() {
    named(&CSV)
}

#[test]
fn fuzz_eml() {
    named(&EML)
}

#[test]
fn fuzz_mbox() {
    named(&MBOX)
}

#[test]
fn fuzz_jsonl() {
    named(&JSONL)
}

#[test]
fn fuzz_protocol() {
    named(&PROTOCOL)
}

#[test]
fn fuzz_keymap() {
    named(&KEYMAP)
}

#[test]
fn fuzz_sanitize() {
    named(&SANITIZE)
}

// ---------------------------------------------------------------------------
// Fixed checks on the frame decoder's allocation

/// A declared length over the limit is refused before anything is allocated, and
/// a length under the limit allocates no more than the bytes that actually came.
#[test]
fn frame_lengths_are_checked_before_allocating() {
    for len in [MAX_FRAME + 1, u32::MAX] {
        let mut bytes = len.to_be_bytes().to_vec();
        bytes.extend_from_slice(b"{}");
        meter_reset();
        let r = protocol::read_frame(&mut bytes.as_slice(), MAX_FRAME);
        let peak = meter_peak();
        assert!(matches!(r, Err(FrameError::TooLarge(n)) if n == len), "{r:?}");
        assert!(peak < 1024, "{peak} bytes allocated to refuse a {len}-byte frame");
    }
    // The limit itself, announced by a peer that then sends ten bytes and stops.
    let mut bytes = MAX_FRAME.to_be_bytes().to_vec();
    bytes.extend_from_slice(b"0123456789");
    meter_reset();
    let r = protocol::read_frame(&mut bytes.as_slice(), MAX_FRAME);
    let peak = meter_peak();
    assert!(
        matches!(&r, Err(FrameError::Io(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof),
        "{r:?}"
    );
    assert!(
        peak < 256 << 10,
        "{peak} bytes allocated for a frame of which 10 bytes came"
    );
    // A whole frame at the limit is still read.
    let mut bytes = (1u32 << 20).to_be_bytes().to_vec();
    bytes.extend(std::iter::repeat_n(b' ', 1 << 20));
    let body = protocol::read_frame(&mut bytes.as_slice(), MAX_FRAME).unwrap().unwrap();
    assert_eq!(body.len(), 1 << 20);
}

/// The meter sees what it should (else the cap checks above prove nothing).
#[test]
fn the_allocation_meter_counts() {
    meter_reset();
    let v = vec![1u8; 3 << 20];
    assert!(meter_peak() >= 3 << 20);
    drop(v);
    assert!(meter_peak() >= 3 << 20);
    meter_reset();
    assert_eq!(meter_peak(), 0);
}
