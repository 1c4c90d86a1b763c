//! The performance benchmarks of issue 7 on the large dataset: function figures
//! measured in this process (many samples, median and p95/p99), whole-program
//! figures from the release binary in a pty, and the table in
//! `docs/performance.md`, rewritten on every run.
//!
//! Run it with `scripts/bench.sh` (or `cargo bench --bench perf`). The dataset is
//! generated once through the core (`beian::demo_large`) and cached under
//! `target/bench-data/`.
//!
//! The figures are percentiles of many samples, so the sampling is done here
//! rather than by criterion or divan, whose reports give means and confidence
//! intervals but not the p95/p99 the targets are written in.

#[path = "../tests/pty_support/mod.rs"]
mod pty_support;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use beian::service::{ArchiveFilter, Backend, Command, Local, Service};
use beian::tui::keymap::Keymap;
use beian::tui::state::State;
use beian::tui::update::update;
use beian::tui::worker::{self, Job};
use beian::tui::{ui, Msg};
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use portable_pty::CommandBuilder;
use ratatui::backend::TestBackend;
use ratatui::Terminal;

/// Bump when the generator changes: a new fixture is generated.
const FIXTURE: &str = "large-v2";
const SEED: u64 = 2026;

fn bench_data() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("target")
        .join("bench-data")
}

fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_beian"))
}

/// Median and the 95th and 99th percentiles, in the unit of the samples, by
/// nearest rank: the sample at index round((n − 1) × q) of the sorted samples.
/// So the p99 of 64 samples is the second largest (index 62), of 20 or fewer
/// the largest; the p95 of 10 samples is the largest (docs/performance.md).
#[derive(Debug, Clone, Copy, Default)]
struct Pct {
    p50: f64,
    p95: f64,
    p99: f64,
    n: usize,
}

fn pct(mut v: Vec<f64>) -> Pct {
    assert!(!v.is_empty());
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let at = |q: f64| v[(((v.len() - 1) as f64) * q).round() as usize];
    Pct {
        p50: at(0.5),
        p95: at(0.95),
        p99: at(0.99),
        n: v.len(),
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// One line of the table.
struct Row {
    what: &'static str,
    target: String,
    measured: String,
    met: bool,
    note: String,
}

struct Report {
    rows: Vec<Row>,
    extra: Vec<String>,
}

impl Report {
    fn note(&mut self, line: String) {
        eprintln!("{line}");
        self.extra.push(line);
    }

    fn row(
        &mut self,
        what: &'static str,
        target: impl Into<String>,
        measured: impl Into<String>,
        met: bool,
        note: impl Into<String>,
    ) {
        let r = Row {
            what,
            target: target.into(),
            measured: measured.into(),
            met,
            note: note.into(),
        };
        eprintln!(
            "{:<55} {:<22} {:<40} {}",
            r.what,
            r.target,
            r.measured,
            if r.met { "ok" } else { "MISS" }
        );
        self.rows.push(r);
    }
}

fn fmt_pct(p: Pct, tail: &str) -> String {
    let t = if tail == "p95" { p.p95 } else { p.p99 };
    format!("{:.2} ms median, {:.2} ms {tail} (n={})", p.p50, t, p.n)
}

// ---------------------------------------------------------------------------
// The fixture

struct Fixture {
    dir: PathBuf,
    stats: String,
    /// The dataset as generated was compacted once (`beian compact`, as the
    /// weekly maintenance of docs/deploy.md does): its report.
    compacted: beian::store::compact::CompactReport,
}

/// Compact the generated dataset once, keeping the report beside it.
fn compacted(base: &Path, dir: &Path) -> beian::store::compact::CompactReport {
    let done = base.join("compacted.json");
    if let Ok(text) = std::fs::read_to_string(&done) {
        return serde_json::from_str(&text).unwrap();
    }
    eprintln!("compacting the dataset (once) …");
    let svc = Service::open(dir).expect("open the fixture");
    let actor = svc.local_actor();
    let report = svc.compact(&actor).expect("compact the fixture");
    std::fs::write(&done, serde_json::to_string_pretty(&report).unwrap()).unwrap();
    eprintln!("{report:?}");
    report
}

fn fixture() -> Fixture {
    let base = bench_data().join(FIXTURE);
    let dir = base.join("data");
    let done = base.join("stats.json");
    if let Ok(stats) = std::fs::read_to_string(&done) {
        let compacted = compacted(&base, &dir);
        return Fixture { dir, stats, compacted };
    }
    let _ = std::fs::remove_dir_all(&base);
    std::fs::create_dir_all(&base).unwrap();
    eprintln!("generating the large dataset in {} (once) …", dir.display());
    let user = beian::config::os_user_name();
    let mut svc = Service::create(&dir, &user, true).expect("create the fixture database");
    // Whole days, so that two runs on one day give the same database.
    let now = chrono::Utc::now();
    let now = now - chrono::Duration::seconds(now.timestamp() % 86400) + chrono::Duration::hours(6);
    let st = beian::demo_large::generate(&mut svc, beian::demo_large::Scale::LARGE, now, SEED).expect("generate");
    drop(svc);
    let stats = serde_json::to_string_pretty(&st).unwrap();
    std::fs::write(&done, &stats).unwrap();
    eprintln!("{stats}");
    let compacted = compacted(&base, &dir);
    Fixture { dir, stats, compacted }
}

/// A private copy of the fixture (for the server and the mutations).
fn copy_of(f: &Fixture, name: &str) -> PathBuf {
    let to = bench_data().join(name);
    let _ = std::fs::remove_dir_all(&to);
    let st = std::process::Command::new("cp")
        .arg("-a")
        .arg(&f.dir)
        .arg(&to)
        .status()
        .unwrap();
    assert!(st.success());
    let _ = std::fs::remove_file(to.join("owner.lock"));
    to
}

fn dir_size(p: &Path) -> u64 {
    let mut n = 0;
    if let Ok(rd) = std::fs::read_dir(p) {
        for e in rd.flatten() {
            let m = e.metadata().unwrap();
            n += if m.is_dir() { dir_size(&e.path()) } else { m.len() };
        }
    }
    n
}

// ---------------------------------------------------------------------------
// In-process figures

fn key(c: KeyCode) -> Msg {
    Msg::Input(Event::Key(KeyEvent::new(c, KeyModifiers::NONE)))
}

fn loaded_state(backend: &dyn Backend) -> State {
    let actor = backend.actor().clone();
    let mut s = State::new(
        actor.name,
        actor.roles,
        "bench".into(),
        Keymap::load(None).0,
        Vec::new(),
    );
    let reply = worker::handle(backend, Job::LoadAll);
    let _ = update(&mut s, Msg::Reply(reply));
    s
}

fn in_process(f: &Fixture, r: &mut Report) {
    // Opening and loading everything the panes list (what the worker does first).
    let t = Instant::now();
    let svc = Service::open(&f.dir).expect("open the fixture");
    let open = ms(t.elapsed());
    let backend: Box<dyn Backend> = Box::new(Local::new(svc));
    let backend = backend.as_ref();
    let mut loads = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        let reply = worker::handle(backend, Job::LoadAll);
        loads.push(ms(t.elapsed()));
        assert!(matches!(reply, worker::Reply::All { .. }), "{reply:?}");
    }
    let load = pct(loads);
    if std::env::var_os("BENCH_LOAD_LOOP").is_some() {
        eprintln!("open {open:.1} ms, load {:.1} ms", load.p50);
        std::process::exit(0);
    }
    r.note(format!(
        "- opening the database: {open:.1} ms; loading every list (the worker's first job): {:.1} ms median of {}",
        load.p50, load.n
    ));

    // Filter keystrokes at 100k requests: update + a whole frame, 120×40.
    let mut s = loaded_state(backend);
    s.queue.filter_cache.wait_built();
    let mut term = Terminal::new(TestBackend::new(120, 40)).unwrap();
    term.draw(|fr| ui::render(fr, &s)).unwrap();
    if std::env::var_os("BENCH_FILTER_LOOP").is_some() {
        // For a profiler: the worst keystrokes (a first character, matching many
        // rows) again and again — 26 of them, more than the filter remembers.
        let _ = update(&mut s, key(KeyCode::Char('/')));
        for _ in 0..3 {
            for c in 'a'..='z' {
                let _ = update(&mut s, key(KeyCode::Char(c)));
                term.draw(|fr| ui::render(fr, &s)).unwrap();
                let _ = update(&mut s, key(KeyCode::Backspace));
            }
        }
        std::process::exit(0);
    }
    // The first keystroke into an empty filter, which has nothing to narrow
    // from: every Latin letter (each one a pinyin initial too) and common
    // Chinese characters, each typed once and erased, on a UI of its own so
    // that none of them is an answer the filter remembers.
    let mut fresh = loaded_state(backend);
    // The filter's index is built on a thread after the list comes: typing
    // starts once it is built, as a person does after seeing the list.
    fresh.queue.filter_cache.wait_built();
    let _ = update(&mut fresh, key(KeyCode::Char('/')));
    let mut first = Vec::new();
    let mut first_each = Vec::new();
    for c in ('a'..='z').chain("一系统教务财卡网登录".chars()) {
        let t = Instant::now();
        let _ = update(&mut fresh, key(KeyCode::Char(c)));
        term.draw(|fr| ui::render(fr, &fresh)).unwrap();
        let took = ms(t.elapsed());
        first.push(took);
        first_each.push((c, took, fresh.queue.visible.len()));
        let _ = update(&mut fresh, key(KeyCode::Backspace));
        term.draw(|fr| ui::render(fr, &fresh)).unwrap();
    }
    drop(fresh);
    let p = pct(first.clone());
    r.row(
        "filter first keystroke → frame, 100k requests",
        "≤ 16 ms p99",
        fmt_pct(p, "p99"),
        p.p99 <= 16.0,
        "the first character into an empty filter: a–z (pinyin on) and 10 Chinese characters",
    );
    first_each.sort_by(|a, b| b.1.total_cmp(&a.1));
    r.note(format!(
        "- filter, the slowest first keystrokes (character, ms, rows): {}",
        first_each
            .iter()
            .take(6)
            .map(|(c, t, n)| format!("`{c}` {t:.1} ms {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    ));

    // Typing and erasing whole queries: the four of earlier sessions, then
    // three in Latin letters that match Chinese by pinyin.
    let mut samples = Vec::new();
    let mut latin = Vec::new();
    let mut narrowed = Vec::new();
    let pinyin_queries = ["jw", "jwgl", "zhong"];
    for q in ["一卡通扣款", "vpn login", "status:new 教务", "财务 导出"]
        .into_iter()
        .chain(pinyin_queries)
    {
        let _ = update(&mut s, key(KeyCode::Char('/')));
        assert!(s.queue.filtering, "`/` starts the queue filter");
        for c in q.chars() {
            let t = Instant::now();
            let _ = update(&mut s, key(KeyCode::Char(c)));
            term.draw(|fr| ui::render(fr, &s)).unwrap();
            samples.push(ms(t.elapsed()));
            if pinyin_queries.contains(&q) {
                latin.push(ms(t.elapsed()));
            }
            narrowed.push(s.queue.visible.len());
            if std::env::var_os("BENCH_VERBOSE").is_some() {
                eprintln!("  {:?} {:.2} ms", s.queue.filter.text(), ms(t.elapsed()));
            }
        }
        for _ in q.chars() {
            let t = Instant::now();
            let _ = update(&mut s, key(KeyCode::Backspace));
            term.draw(|fr| ui::render(fr, &s)).unwrap();
            samples.push(ms(t.elapsed()));
            if pinyin_queries.contains(&q) {
                latin.push(ms(t.elapsed()));
            }
            if std::env::var_os("BENCH_VERBOSE").is_some() {
                eprintln!("  ⌫ {:?} {:.2} ms", s.queue.filter.text(), ms(t.elapsed()));
            }
        }
        assert_eq!(s.queue.visible.len(), s.queue.all.len());
        let _ = update(&mut s, key(KeyCode::Esc));
    }
    let p = pct(samples);
    r.row(
        "filter keystroke → frame, 100k requests",
        "≤ 16 ms p99",
        fmt_pct(p, "p99"),
        p.p99 <= 16.0,
        "update + render of a 120×40 frame, typing and erasing 7 queries (3 by pinyin)",
    );
    r.note(format!(
        "- filter, the keystrokes of the pinyin queries {pinyin_queries:?} alone: {}",
        fmt_pct(pct(latin), "p99")
    ));
    let n = s.queue.all.len();
    r.note(format!(
        "- requests in the queue: {n}; rows left after each typed character: {narrowed:?}"
    ));
    if std::env::var_os("BENCH_FILTER_ONLY").is_some() {
        // The filter's figures alone (printed above), for working on it.
        std::process::exit(0);
    }

    // Archive full-text queries.
    let queries = archive_queries();
    let mut all = Vec::new();
    let mut per_query = Vec::new();
    for q in &queries {
        let filter = ArchiveFilter {
            text: Some(q.to_string()),
            ..Default::default()
        };
        let mut v = Vec::new();
        let mut hits = 0;
        for _ in 0..15 {
            let t = Instant::now();
            hits = backend.archive(&filter).unwrap().len();
            v.push(ms(t.elapsed()));
        }
        let p = pct(v.clone());
        per_query.push((q.to_string(), hits, p.p50));
        all.extend(v);
    }
    let p = pct(all);
    r.row(
        "archive full-text query, 10k dossiers",
        "≤ 20 ms p95",
        fmt_pct(p, "p95"),
        p.p95 <= 20.0,
        format!("{} queries (Chinese, English, mixed, several words)", queries.len()),
    );
    if std::env::var_os("BENCH_NO_RG").is_none() {
        rg_comparison(f, backend, &per_query, r);
    }

    // What changed on system X in 30 days.
    let systems = backend.systems().unwrap();
    let today = chrono::Local::now().date_naive();
    let mut v = Vec::new();
    for sys in systems.iter().step_by(10) {
        let filter = ArchiveFilter {
            system: Some(sys.id),
            from: Some(today - chrono::Duration::days(30)),
            ..Default::default()
        };
        for _ in 0..10 {
            let t = Instant::now();
            let _ = backend.archive(&filter).unwrap();
            v.push(ms(t.elapsed()));
        }
    }
    let p = pct(v);
    r.row(
        "\"what changed on system X in 30 days\"",
        "≤ 5 ms",
        fmt_pct(p, "p95"),
        p.p95 <= 5.0,
        "archive list --system X --days 30, 20 systems",
    );
}

/// The markdown copy of every dossier for `rg` (written once, cached).
fn markdown_copy(f: &Fixture) -> PathBuf {
    let md = bench_data().join(format!("{FIXTURE}-md"));
    if !md.join("done").exists() {
        let svc = Service::open(&f.dir).expect("open the fixture");
        let backend = beian::service::Local::new(svc);
        let backend: &dyn Backend = &backend;
        let _ = std::fs::remove_dir_all(&md);
        std::fs::create_dir_all(&md).unwrap();
        for d in backend.archive(&ArchiveFilter::default()).unwrap() {
            let v = backend.dossier(d.id).unwrap();
            std::fs::write(md.join(format!("{}.md", d.id)), beian::export::dossier_markdown(&v)).unwrap();
        }
        std::fs::write(md.join("done"), "").unwrap();
    }
    md
}

/// Wall time (ms) of one process, and what it printed.
fn timed(cmd: &mut std::process::Command) -> (f64, Vec<u8>) {
    let t = Instant::now();
    let out = cmd
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output()
        .expect("run");
    (ms(t.elapsed()), out.stdout)
}

/// Issue 16 §3: `beian archive search Q` as a whole process — no server (the
/// persistent index read beside the database) and through a running `beian
/// serve` — side by side with `rg -l -i -F` over the dossiers as Markdown, in
/// the same run; and the peak memory of the CLI process.
fn archive_processes(f: &Fixture, r: &mut Report) {
    let md = markdown_copy(f);
    // The index is built at open when missing (the migration of an older
    // database): timed on a copy without it.
    let idx = f.dir.join(beian::search::archive::DIR);
    if !idx.join("manifest.json").exists() {
        let t = Instant::now();
        drop(Service::open(&f.dir).expect("open"));
        r.note(format!(
            "- archive index built at the first open of a database without it: {:.1} s",
            t.elapsed().as_secs_f64()
        ));
    }
    let idx_bytes = dir_size(&idx);
    let sock = bench_data().join("run").join("archive.sock");
    let _ = std::fs::remove_file(&sock);
    let mut server = std::process::Command::new(bin())
        .arg("serve")
        .env("BEIAN_DB", &f.dir)
        .env("BEIAN_SOCKET", &sock)
        .env("XDG_RUNTIME_DIR", bench_data().join("run"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    struct Stop(std::process::Child);
    impl Drop for Stop {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let t = Instant::now();
    while beian::server::Remote::connect(&sock).is_err() {
        if t.elapsed() > Duration::from_secs(120) {
            let _ = server.kill();
            panic!("the server did not start");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let server = Stop(server);
    let cli = |q: &str, socket: bool| {
        let mut c = std::process::Command::new(bin());
        c.env("BEIAN_DB", &f.dir)
            .env("TZ", "Asia/Shanghai")
            .env_remove("BEIAN_SOCKET")
            .args(["archive", "search", "--json", q]);
        if socket {
            c.arg("--socket").arg(&sock);
        }
        c
    };
    let mut lines = Vec::new();
    let (mut worst_direct, mut worst_server, mut rss_max) = (0.0f64, 0.0f64, 0u64);
    let (mut met, mut direct_all, mut rg_all) = (true, Vec::new(), Vec::new());
    for q in archive_queries().into_iter().filter(|q| !q.contains(' ')) {
        let (mut d, mut sv, mut rgv) = (Vec::new(), Vec::new(), Vec::new());
        let (mut total, mut found, mut rss) = (0, 0, 0);
        for _ in 0..5 {
            let (w, out) = timed(&mut cli(q, false));
            d.push(w);
            let v: serde_json::Value = serde_json::from_slice(&out).unwrap_or_default();
            total = v["total"].as_u64().unwrap_or(0);
            let (w, _) = timed(&mut cli(q, true));
            sv.push(w);
            let (w, out) = timed(
                std::process::Command::new("rg")
                    .args(["-l", "-i", "-F", "--no-messages", q])
                    .arg(&md),
            );
            rgv.push(w);
            found = out.split(|b| *b == b'\n').filter(|l| !l.is_empty()).count();
        }
        // Peak memory of one CLI lookup (GNU time's maximum resident set, KB).
        let probe = std::process::Command::new("/usr/bin/time")
            .args(["-f", "%M"])
            .arg(bin())
            .args(["archive", "search", "--json", q])
            .env("BEIAN_DB", &f.dir)
            .env_remove("BEIAN_SOCKET")
            .stdout(std::process::Stdio::null())
            .output();
        if let Ok(o) = probe {
            rss = String::from_utf8_lossy(&o.stderr)
                .trim()
                .lines()
                .last()
                .and_then(|l| l.trim().parse::<u64>().ok())
                .unwrap_or(0);
        }
        rss_max = rss_max.max(rss);
        let (d, sv, rgm) = (pct(d).p50, pct(sv).p50, pct(rgv).p50);
        met &= d <= rgm;
        worst_direct = worst_direct.max(d / rgm);
        worst_server = worst_server.max(sv / rgm);
        direct_all.push(d);
        rg_all.push(rgm);
        lines.push(format!(
            "| `{q}` | {total} | {d:.1} | {sv:.1} | {found} | {rgm:.1} | {:.1} MB |",
            rss as f64 / 1024.0
        ));
    }
    drop(server);
    r.row(
        "`beian archive search` as a whole process, no server",
        "no slower than `rg`",
        format!(
            "{:.1} ms median (rg {:.1} ms); worst {:.2}× rg; peak RSS {:.1} MB",
            pct(direct_all).p50,
            pct(rg_all).p50,
            worst_direct,
            rss_max as f64 / 1024.0
        ),
        met,
        "the persistent index beside the database; rg -l -i -F over the Markdown, same run",
    );
    r.note(format!(
        "- archive search through a running server, as a whole CLI process: worst {worst_server:.2}× rg; \
         archive index on disk: {:.0} MB",
        idx_bytes as f64 / 1e6
    ));
    r.note(format!(
        "\n`beian archive search Q --json` as a whole process (medians of 5, ms; hits: all records \
         found, dossiers and addenda) against `rg -l -i -F` over the dossiers as Markdown:\n\n\
         | query | hits | CLI, no server | CLI via server | rg files | rg | CLI peak RSS |\n\
         | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n{}",
        lines.join("\n")
    ));
}

fn archive_queries() -> Vec<&'static str> {
    vec![
        "一卡通",
        "扣款",
        "统一身份认证",
        "回退",
        "乱码",
        "nginx",
        "HSTS",
        "postgresql 15",
        "rollback time",
        "财务管理系统 V3",
        "教务 选课",
        "数据迁移耗时超出维护窗口",
        "Rocky Linux",
        "不存在的词语",
    ]
}

/// Export every dossier as Markdown once, then time `rg` over the files for the
/// single-word queries and compare with the same query in the archive.
fn rg_comparison(f: &Fixture, backend: &dyn Backend, per_query: &[(String, usize, f64)], r: &mut Report) {
    let md = bench_data().join(format!("{FIXTURE}-md"));
    if !md.join("done").exists() {
        let _ = std::fs::remove_dir_all(&md);
        std::fs::create_dir_all(&md).unwrap();
        for d in backend.archive(&ArchiveFilter::default()).unwrap() {
            let v = backend.dossier(d.id).unwrap();
            std::fs::write(md.join(format!("{}.md", d.id)), beian::export::dossier_markdown(&v)).unwrap();
        }
        std::fs::write(md.join("done"), "").unwrap();
    }
    let _ = f;
    let mut ratios = Vec::new();
    let mut lines = Vec::new();
    for (q, hits, ours) in per_query.iter().filter(|(q, _, _)| !q.contains(' ')) {
        let mut v = Vec::new();
        let mut found = 0;
        for _ in 0..5 {
            let t = Instant::now();
            let out = std::process::Command::new("rg")
                .args(["-l", "-i", "-F", "--no-messages", q])
                .arg(&md)
                .output()
                .expect("rg (ripgrep) must be installed");
            v.push(ms(t.elapsed()));
            found = out.stdout.split(|b| *b == b'\n').filter(|l| !l.is_empty()).count();
        }
        let rg = pct(v).p50;
        ratios.push(rg / ours);
        lines.push(format!(
            "| `{q}` | {hits} | {ours:.2} | {found} | {rg:.1} | {:.0}× |",
            rg / ours
        ));
    }
    let worst = ratios.iter().cloned().fold(f64::INFINITY, f64::min);
    let med = pct(ratios.clone()).p50;
    r.row(
        "archive query vs `rg` over the dossiers as Markdown",
        "≥ 10× faster",
        format!("{med:.0}× median, {worst:.0}× worst"),
        worst >= 10.0,
        "rg -l -i -F, warm page cache; see the table below",
    );
    r.extra.push(String::new());
    r.extra.push("Archive query against `rg` (medians, ms). Hits differ where one side holds words the other does not: the search text holds every go-live's configuration changes (`nginx: enable http2 …` in each dossier of the dataset), which the Markdown export did not show before 2026-12-07 (commit de3ca91) — hence `nginx` in 10,000 dossiers for beian and in the 825 whose other fields name Nginx for `rg`; the Markdown holds labels the search text does not:".into());
    r.extra.push(String::new());
    r.extra
        .push("| query | hits | beian ms | rg files | rg ms | ratio |".into());
    r.extra.push("| --- | ---: | ---: | ---: | ---: | ---: |".into());
    for l in lines {
        r.note(l);
    }
    r.extra.push(String::new());
}

// ---------------------------------------------------------------------------
// Whole-program figures

/// How a TUI or a command reaches the database: in its own process
/// (`BEIAN_NO_SERVER=1`), or the default path (a server found or started on demand).
#[derive(Clone, Copy, PartialEq)]
enum Via {
    Embedded,
    Default,
}

fn tui_cmd_via(db: Option<&Path>, socket: Option<&Path>, via: Via) -> CommandBuilder {
    let mut c = CommandBuilder::new(bin());
    match via {
        Via::Embedded => c.env("BEIAN_NO_SERVER", "1"),
        Via::Default => c.env_remove("BEIAN_NO_SERVER"),
    }
    c.env("TERM", "xterm-256color");
    c.env("LANG", "zh_CN.UTF-8");
    c.env("HOME", bench_data().join("home").display().to_string());
    c.env(
        "XDG_CONFIG_HOME",
        bench_data().join("home/.config").display().to_string(),
    );
    c.env("XDG_STATE_HOME", bench_data().join("home/.state").display().to_string());
    c.env("XDG_RUNTIME_DIR", bench_data().join("run").display().to_string());
    if let Some(db) = db {
        c.env("BEIAN_DB", db.display().to_string());
    }
    match socket {
        Some(s) => c.env("BEIAN_SOCKET", s.display().to_string()),
        // No server: a named socket that does not answer is an error.
        None => c.env_remove("BEIAN_SOCKET"),
    }
    c
}

/// Spawn the TUI with `BEIAN_EXIT_AFTER_FIRST_FRAME`: the time until it exits is
/// the time from start to its first complete frame with the data (`"1"`: the
/// first screen — the queue's newest rows and every count, the very frame the
/// full lists give, as tests/tui_render.rs checks —, `"all"`: every list loaded).
fn first_frame(db: Option<&Path>, socket: Option<&Path>, runs: usize) -> Pct {
    first_frame_until(db, socket, runs, "1")
}

fn first_frame_until(db: Option<&Path>, socket: Option<&Path>, runs: usize, until: &str) -> Pct {
    first_frame_via(db, socket, runs, until, Via::Embedded, &mut || {})
}

/// [`first_frame_until`] by `via`; `before` runs before each start (outside the time).
fn first_frame_via(
    db: Option<&Path>,
    socket: Option<&Path>,
    runs: usize,
    until: &str,
    via: Via,
    before: &mut dyn FnMut(),
) -> Pct {
    let mut v = Vec::new();
    for _ in 0..runs {
        before();
        if socket.is_some() || via == Via::Default {
            // The server goes on answering the previous client's full lists after
            // it quit: start each client on an idle server.
            std::thread::sleep(Duration::from_millis(1500));
        }
        let mut c = tui_cmd_via(db, socket, via);
        c.env("BEIAN_EXIT_AFTER_FIRST_FRAME", until);
        let t = Instant::now();
        let mut tui = pty_support::Tui::spawn(c, 120, 40);
        let status = tui.child.wait().unwrap();
        v.push(ms(t.elapsed()));
        assert!(status.success(), "{status:?}: {}", tui.screen());
        drop(tui);
    }
    pct(v)
}

fn vm_hwm_kb(pid: u32) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Wait until nothing has been written to the pty for `quiet`.
fn settle(tui: &pty_support::Tui, quiet: Duration) -> usize {
    let mut last = tui.raw_bytes().len();
    let mut since = Instant::now();
    loop {
        std::thread::sleep(Duration::from_millis(20));
        let n = tui.raw_bytes().len();
        if n != last {
            last = n;
            since = Instant::now();
        } else if since.elapsed() >= quiet {
            return n;
        }
    }
}

fn session(db: &Path, r: &mut Report) {
    use_tui(db, Via::Embedded, Some(r));
}

/// A TUI session: the bytes of one `j` (reported when `r` is given), a
/// filter, an archive search and a dossier; returns the TUI's VmHWM in kB.
fn use_tui(db: &Path, via: Via, mut r: Option<&mut Report>) -> u64 {
    let mut tui = pty_support::Tui::spawn(tui_cmd_via(Some(db), None, via), 120, 40);
    tui.wait_until(60, "the first screen with data", |s| {
        s.contains("REQ-") || s.contains("PLAN-")
    });
    // The UI opens on what needs attention (issue 17): to the queue.
    tui.send("1");
    tui.wait_until(60, "the queue with data", |s| s.contains("REQ-"));
    settle(&tui, Duration::from_millis(500));
    // One `j` in the queue.
    let mut bytes = Vec::new();
    for _ in 0..20 {
        let before = settle(&tui, Duration::from_millis(150));
        tui.send("j");
        let after = settle(&tui, Duration::from_millis(150));
        bytes.push((after - before) as f64);
    }
    let b = pct(bytes);
    if let Some(r) = r.as_deref_mut() {
        r.row(
            "bytes written to the terminal for one `j` in a list",
            "≤ 300",
            // With 20 samples the nearest-rank p99 is the largest.
            format!("{:.0} median, {:.0} max (n={})", b.p50, b.p99, b.n),
            b.p99 <= 300.0,
            "queue pane, 120×40, counted on the pty",
        );
    }
    // Use it: filter, archive search, a dossier; then the high-water mark.
    tui.send("/");
    tui.send("一卡通");
    settle(&tui, Duration::from_millis(300));
    tui.send(pty_support::key::ESC);
    tui.send("4");
    settle(&tui, Duration::from_millis(300));
    tui.send("/");
    tui.send("回退 nginx");
    tui.send(pty_support::key::ENTER);
    settle(&tui, Duration::from_millis(500));
    tui.send(pty_support::key::ENTER);
    settle(&tui, Duration::from_millis(500));
    let pid = tui.child.process_id().unwrap();
    let kb = vm_hwm_kb(pid).unwrap_or(0);
    let mb = kb as f64 / 1024.0;
    if let Some(r) = r {
        r.row(
            "resident memory of the TUI, embedded",
            "≤ 150 MB",
            format!("{mb:.0} MB peak (VmHWM)"),
            mb <= 150.0,
            "BEIAN_NO_SERVER=1, after loading, filtering, an archive search and a dossier",
        );
    }
    tui.send("q");
    let _ = tui.child.wait();
    kb
}

/// The server started on demand for `db` (from owner.lock), if it runs.
fn auto_server(db: &Path) -> Option<u32> {
    let holder = std::fs::read_to_string(db.join("owner.lock")).ok()?;
    let (pid, auto) = beian::server::server_of_holder(holder.trim())?;
    (auto && std::path::Path::new(&format!("/proc/{pid}")).exists()).then_some(pid)
}

/// Stop the server started on demand for `db`, and wait until it is gone.
fn stop_auto_server(db: &Path) {
    if let Some(pid) = auto_server(db) {
        let _ = nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(pid as i32),
            nix::sys::signal::Signal::SIGTERM,
        );
        let t = Instant::now();
        while std::path::Path::new(&format!("/proc/{pid}/status")).exists()
            && std::fs::read_to_string(format!("/proc/{pid}/status")).is_ok_and(|s| !s.contains("State:\tZ"))
        {
            assert!(t.elapsed() < Duration::from_secs(30), "the server did not stop");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// `beian ARGS` as a whole process by `via`: wall time (ms) and peak RSS (MB)
/// from `/usr/bin/time`.
fn whole_process(db: &Path, via: Via, args: &[&str]) -> (f64, f64) {
    let mut c = std::process::Command::new("/usr/bin/time");
    c.args(["-f", "%e %M"]).arg(bin()).args(args);
    c.env("BEIAN_DB", db)
        .env_remove("BEIAN_SOCKET")
        .env("HOME", bench_data().join("home"))
        .env("XDG_STATE_HOME", bench_data().join("home/.state"))
        .env("XDG_RUNTIME_DIR", bench_data().join("run"));
    match via {
        Via::Embedded => c.env("BEIAN_NO_SERVER", "1"),
        Via::Default => c.env_remove("BEIAN_NO_SERVER"),
    };
    let t = Instant::now();
    let out = c.output().expect("/usr/bin/time");
    let wall = ms(t.elapsed());
    assert!(
        out.status.success(),
        "beian {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    let kb: f64 = err
        .lines()
        .last()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0);
    (wall, kb / 1024.0)
}

/// One owner per database (issue 16 §1–2): start to first frame on the
/// default path with no server (the TUI starts one) and with the one it left
/// running; the TUI's memory as a client and the server's; a lookup as a
/// whole command, in its own process and through the server, against `rg`.
fn on_demand_figures(f: &Fixture, r: &mut Report) {
    // The dossiers as Markdown for `rg`, before any server holds the fixture.
    let md = markdown_copy(f);
    let db = copy_of(f, "ondemand-copy");
    // The start-up check begins from the head a full walk verified: the
    // nightly `beian verify` (docs/deploy.md) leaves one.
    let st = std::process::Command::new(bin())
        .args(["verify"])
        .env("BEIAN_DB", &db)
        .env("BEIAN_NO_SERVER", "1")
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(st.success());
    stop_auto_server(&db);
    let cold = first_frame_via(Some(&db), None, 5, "1", Via::Default, &mut || stop_auto_server(&db));
    r.row(
        "start to first full frame, default path, no server running",
        "≤ 50 ms p95",
        fmt_pct(cold, "p95"),
        cold.p95 <= 50.0,
        "the TUI starts the server on demand and is its first client",
    );
    let warm = first_frame_via(Some(&db), None, 10, "1", Via::Default, &mut || {});
    r.row(
        "start to first full frame, default path, server running",
        "≤ 50 ms p95",
        fmt_pct(warm, "p95"),
        warm.p95 <= 50.0,
        "the server a previous start left (it stays for idle_exit_secs)",
    );
    // Memory: the TUI as a client, the server it needs (counted apart).
    std::thread::sleep(Duration::from_millis(1500));
    let client = use_tui(&db, Via::Default, None) as f64 / 1024.0;
    let server = auto_server(&db).and_then(vm_hwm_kb).unwrap_or(0) as f64 / 1024.0;
    r.row(
        "resident memory of the TUI as a client (default path)",
        "≤ 100 MB",
        format!("{client:.0} MB peak (VmHWM)"),
        client <= 100.0,
        "after loading, filtering, an archive search and a dossier",
    );
    r.row(
        "resident memory of the server it needs",
        "reported",
        format!("{server:.0} MB peak (VmHWM)"),
        true,
        "started on demand; the start-up check and one client's lists",
    );
    // A lookup as a whole process.
    let q = "一卡通";
    let lookup = |via: Via| {
        let mut v = Vec::new();
        let mut mem = 0.0f64;
        for _ in 0..5 {
            let (t, m) = whole_process(&db, via, &["archive", "search", q]);
            v.push(t);
            mem = mem.max(m);
        }
        (pct(v), mem)
    };
    let (through, through_mb) = lookup(Via::Default);
    stop_auto_server(&db);
    let (alone, alone_mb) = lookup(Via::Embedded);
    let rg = if md.join("done").exists() {
        let mut v = Vec::new();
        for _ in 0..5 {
            let t = Instant::now();
            let out = std::process::Command::new("rg")
                .args(["-l", "-i", "-F", "--no-messages", q])
                .arg(&md)
                .output()
                .expect("rg (ripgrep) must be installed");
            assert!(out.status.success() || out.status.code() == Some(1));
            v.push(ms(t.elapsed()));
        }
        Some(pct(v).p50)
    } else {
        None
    };
    let vs = |p: Pct| match rg {
        Some(rg) => format!("; rg {rg:.1} ms"),
        None => {
            let _ = p;
            "; rg: run the functions section first (it exports the Markdown)".to_string()
        }
    };
    r.row(
        "`beian archive search 一卡通` as a whole process, server running",
        "no slower than rg",
        format!("{:.1} ms median, {through_mb:.0} MB{}", through.p50, vs(through)),
        rg.is_some_and(|rg| through.p50 <= rg),
        "default path: a client of the server started on demand",
    );
    r.row(
        "`beian archive search 一卡通` as a whole process, in its own process",
        "no slower than rg",
        format!("{:.1} ms median, {alone_mb:.0} MB{}", alone.p50, vs(alone)),
        rg.is_some_and(|rg| alone.p50 <= rg),
        "BEIAN_NO_SERVER=1: opens the database itself",
    );
}

fn server_figures(f: &Fixture, r: &mut Report) {
    let db = copy_of(f, "server-copy");
    let sock = bench_data().join("run").join("bench.sock");
    let _ = std::fs::create_dir_all(sock.parent().unwrap());
    let _ = std::fs::remove_file(&sock);
    let mut server = std::process::Command::new(bin())
        .arg("serve")
        .env("BEIAN_DB", &db)
        .env("BEIAN_SOCKET", &sock)
        .env("XDG_RUNTIME_DIR", bench_data().join("run"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let t = Instant::now();
    let remote: Box<dyn Backend> = loop {
        if let Ok(c) = beian::server::Remote::connect(&sock) {
            break Box::new(c);
        }
        assert!(t.elapsed() < Duration::from_secs(60), "the server did not start");
        std::thread::sleep(Duration::from_millis(50));
    };
    r.note(format!("- server start (open + listen): {:.0} ms", ms(t.elapsed())));

    // Durable mutations: a comment on a request, flushed before the answer.
    let target = remote
        .requests(&Default::default())
        .unwrap()
        .last()
        .map(|x| x.id)
        .unwrap();
    let mut v = Vec::new();
    for i in 0..300 {
        let t = Instant::now();
        remote
            .execute(
                Command::RequestComment {
                    id: target,
                    text: format!("基准测试 comment {i}"),
                },
                None,
            )
            .unwrap();
        v.push(ms(t.elapsed()));
    }
    let p = pct(v);
    r.row(
        "durable mutation (flushed) via server",
        "≤ 5 ms p50, ≤ 20 ms p99",
        fmt_pct(p, "p99"),
        p.p50 <= 5.0 && p.p99 <= 20.0,
        "request comment over the socket, 300 in a row",
    );
    drop(remote);

    let p = first_frame(None, Some(&sock), 10);
    r.row(
        "start to first full frame, client of a running server",
        "≤ 80 ms p95",
        fmt_pct(p, "p95"),
        p.p95 <= 80.0,
        "BEIAN_EXIT_AFTER_FIRST_FRAME in a pty, 120×40",
    );
    let p = first_frame_until(None, Some(&sock), 5, "all");
    r.extra.push(format!(
        "- client of a running server, start until every list is loaded (100,000 requests sent over the socket): {}",
        fmt_pct(p, "p95")
    ));
    let _ = nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(server.id() as i32),
        nix::sys::signal::Signal::SIGTERM,
    );
    let _ = server.wait();
}

/// A survey export like ../shared/samples: `rows` rows.
fn survey_csv(path: &Path, rows: usize) {
    use rand::{Rng, SeedableRng};
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let mut s = String::from("序号,提交答卷时间,所用时间,来源,来源详情,来自IP,1、您的身份,2、所在部门/学院,3、涉及的信息系统,4、反馈类型,5、问题或需求标题,6、详细描述,7、联系方式\n");
    let who = ["学生", "教师", "职工"];
    let depts = ["机械学院", "外国语学院", "图书馆", "教务处", "计算机学院"];
    let systems = [
        "教务管理系统",
        "一卡通系统",
        "图书馆管理系统",
        "VPN Gateway",
        "财务管理系统",
    ];
    let titles = [
        "登录后页面空白",
        "导出报表缺少字段",
        "上传照片失败",
        "希望增加英文界面",
        "page times out",
    ];
    for i in 1..=rows {
        let sys = systems[rng.random_range(0..systems.len())];
        let title = titles[rng.random_range(0..titles.len())];
        let _ = writeln!(
            s,
            "{i},2026/10/{} {}:{:02}:00,{}秒,链接,直接访问,10.2.{}.{}(校内),{},{},{sys},{},{title} #{i},{sys}：{title}，请尽快处理。第 {i} 条,user{i}@example.edu.cn",
            rng.random_range(1..29),
            rng.random_range(8..22),
            rng.random_range(0..60),
            rng.random_range(20..400),
            rng.random_range(1..255),
            rng.random_range(1..255),
            who[rng.random_range(0..3)],
            depts[rng.random_range(0..depts.len())],
            if rng.random_bool(0.7) { "问题反馈" } else { "功能建议" },
        );
    }
    std::fs::write(path, s).unwrap();
}

fn import_figures(r: &mut Report) {
    let rows = 100_000;
    let csv = bench_data().join("survey-100k.csv");
    if !csv.exists() {
        survey_csv(&csv, rows);
    }
    let db = bench_data().join("import-db");
    let _ = std::fs::remove_dir_all(&db);
    let st = std::process::Command::new(bin())
        .args(["init"])
        .env("BEIAN_DB", &db)
        .env_remove("BEIAN_SOCKET")
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(st.success());
    let t = Instant::now();
    let out = std::process::Command::new("/usr/bin/time")
        .arg("-v")
        .arg(bin())
        .arg("import")
        .arg(&csv)
        .env("BEIAN_DB", &db)
        .env_remove("BEIAN_SOCKET")
        .output()
        .unwrap();
    let secs = t.elapsed().as_secs_f64();
    let err = String::from_utf8_lossy(&out.stderr);
    let rss = err
        .lines()
        .find(|l| l.contains("Maximum resident set size"))
        .and_then(|l| l.split(':').nth(1))
        .and_then(|v| v.trim().parse::<f64>().ok())
        .unwrap_or(0.0)
        / 1024.0;
    let ok = out.status.success();
    let rate = rows as f64 / secs;
    r.row(
        "questionnaire import",
        "≥ 50,000 rows/s",
        if ok {
            format!("{rate:.0} rows/s ({secs:.2} s for {rows}), peak RSS {rss:.0} MB")
        } else {
            format!("failed: {}", err.lines().next().unwrap_or(""))
        },
        ok && rate >= 50_000.0,
        "`beian import` of a 100,000-row survey CSV into a new database",
    );
}

fn size_figures(f: &Fixture, r: &mut Report) {
    let db = dir_size(&f.dir.join("db"));
    // The JSON of every record: `beian backup` when it exists, else the proxy
    // below (every record kind's JSON, as the lists and exports print it).
    let out_dir = bench_data().join("backup");
    let _ = std::fs::remove_dir_all(&out_dir);
    let backup = std::process::Command::new(bin())
        .arg("backup")
        .arg(&out_dir)
        .env("BEIAN_DB", &f.dir)
        .env_remove("BEIAN_SOCKET")
        .output()
        .unwrap();
    let (json, how) = if backup.status.success() {
        (dir_size(&out_dir), "`beian backup` (JSON lines of every record)")
    } else {
        (
            json_proxy(f),
            "proxy: JSON of every request, plan, system and dossier plus the audit log (no `beian backup` yet)",
        )
    };
    let ratio = db as f64 / json as f64;
    let generated = f.compacted.bytes_before as f64 / json as f64;
    r.row(
        "database size on disk / size of the JSON export",
        "≤ 3",
        format!(
            "{ratio:.2} ({:.0} MB / {:.0} MB) after `beian compact`; {generated:.2} as generated ({:.0} MB)",
            db as f64 / 1e6,
            json as f64 / 1e6,
            f.compacted.bytes_before as f64 / 1e6
        ),
        ratio <= 3.0,
        how,
    );
}

fn json_proxy(f: &Fixture) -> u64 {
    let svc = Service::open(&f.dir).unwrap();
    let b: Box<dyn Backend> = Box::new(Local::new(svc));
    let mut n = 0u64;
    for s in b.systems().unwrap() {
        n += serde_json::to_vec(&s).unwrap().len() as u64 + 1;
    }
    for r in b.requests(&Default::default()).unwrap() {
        n += serde_json::to_vec(&b.request(r.id).unwrap()).unwrap().len() as u64 + 1;
    }
    for p in b.plans(&Default::default()).unwrap() {
        n += serde_json::to_vec(&b.plan(p.id).unwrap()).unwrap().len() as u64 + 1;
    }
    for d in b.archive(&ArchiveFilter::default()).unwrap() {
        n += serde_json::to_vec(&b.dossier(d.id).unwrap()).unwrap().len() as u64 + 1;
    }
    for e in b.audit(None, usize::MAX).unwrap() {
        n += serde_json::to_vec(&e).unwrap().len() as u64 + 1;
    }
    n
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|v| v.trim().to_string())
        })
        .unwrap_or_default();
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .next()
                .map(|l| l.split_whitespace().nth(1).unwrap_or("0").to_string())
        })
        .and_then(|kb| kb.parse::<f64>().ok())
        .map(|kb| kb / 1024.0 / 1024.0)
        .unwrap_or(0.0);
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load: Vec<&str> = load.split_whitespace().take(3).collect();
    format!(
        "{cpu}, {cores} cores, {mem:.0} GB RAM, Linux {}; load average at the end {}",
        kernel.trim(),
        load.join(" ")
    )
}

fn write_doc(r: &Report, f: &Fixture) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("docs")
        .join("performance.md");
    let old = std::fs::read_to_string(&path).unwrap_or_default();
    let marker = "<!-- generated by scripts/bench.sh below this line -->";
    let head = match old.split_once(marker) {
        Some((h, _)) => h.to_string(),
        None => "# Performance\n\n".to_string(),
    };
    let mut s = head;
    s.push_str(marker);
    s.push_str("\n\n");
    let _ = writeln!(
        s,
        "Measured {} on {} (release build; the machine is shared with other builds, which inflates wall-clock figures).\n",
        chrono::Local::now().format("%Y-%m-%d %H:%M %Z"),
        machine()
    );
    s.push_str("| target | goal | measured | met | how |\n| --- | --- | --- | :---: | --- |\n");
    for row in &r.rows {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} |",
            row.what,
            row.target,
            row.measured,
            if row.met { "yes" } else { "**no**" },
            row.note
        );
    }
    s.push_str("\nMore figures:\n\n");
    for e in &r.extra {
        s.push_str(e);
        s.push('\n');
    }
    let _ = writeln!(
        s,
        "\nThe dataset (`beian::demo_large`, seed {SEED}):\n\n```json\n{}\n```\n\nThen compacted once \
         (`beian compact`, the weekly maintenance of docs/deploy.md; every figure above is taken \
         on the compacted database): {:.0} MB → {:.0} MB in {:.1} s, head {}.",
        f.stats,
        f.compacted.bytes_before as f64 / 1e6,
        f.compacted.bytes_after as f64 / 1e6,
        f.compacted.seconds,
        f.compacted.head
    );
    std::fs::write(&path, s).unwrap();
    eprintln!("wrote {}", path.display());
}

fn main() {
    // `cargo bench` passes `--bench`; a name filters nothing here.
    std::env::set_var("TZ", "Asia/Shanghai");
    let only: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    let want = |name: &str| only.is_empty() || only.iter().any(|o| o == name);
    let _ = std::fs::create_dir_all(bench_data().join("run"));
    let _ = std::fs::create_dir_all(bench_data().join("home/.config"));
    let f = fixture();
    let mut r = Report {
        rows: Vec::new(),
        extra: Vec::new(),
    };
    if want("startup") {
        let p = first_frame(Some(&f.dir), None, 10);
        // Judged on the figure shown: the p95 (of 10 runs, the slowest).
        r.row(
            "start to first full frame, embedded",
            "≤ 150 ms p95",
            fmt_pct(p, "p95"),
            p.p95 <= 150.0,
            "BEIAN_EXIT_AFTER_FIRST_FRAME in a pty, 120×40",
        );
        let p = first_frame_until(Some(&f.dir), None, 5, "all");
        r.extra.push(format!(
            "- embedded, start until every list is loaded (the filter and the other panes need them): {}",
            fmt_pct(p, "p95")
        ));
    }
    if want("server") {
        server_figures(&f, &mut r);
    }
    if want("ondemand") {
        on_demand_figures(&f, &mut r);
    }
    if want("functions") {
        in_process(&f, &mut r);
    }
    if want("archive") {
        archive_processes(&f, &mut r);
    }
    if want("session") {
        session(&f.dir, &mut r);
    }
    if want("import") {
        import_figures(&mut r);
    }
    if want("size") {
        size_figures(&f, &mut r);
    }
    if only.is_empty() {
        write_doc(&r, &f);
    }
}
