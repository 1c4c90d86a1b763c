//! Acceptance 5 of issue 6 (terminal safety): 10,000 random strings full of C0 and
//! C1 controls, escape sequences, DEL, bidi overrides and isolates and zero-width
//! characters, put raw into every user-provided field the UI shows (as if the core
//! had not cleaned them on the way in), typed into the text fields, and rendered
//! through the real panes and popups into a ratatui `TestBackend`. Every cell of
//! every frame is checked: none may carry a control, bidi or invisible character.
//! The check is this file's own list, not `sanitize::is_unsafe`, so a character
//! the sanitizer forgets is caught here.
//!
//! `cargo test --test terminal_safety -- --nocapture` prints the figures.

use std::collections::HashSet;
use std::sync::{Mutex, MutexGuard, Once, OnceLock};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use beian::model::*;
use beian::service::{ArchiveFilter, PlanFilter, RequestFilter, Service};
use beian::tui::action::Pane;
use beian::tui::keymap::Keymap;
use beian::tui::state::{Popup, State};
use beian::tui::update::{update, Effect};
use beian::tui::worker::{Job, Reply};
use beian::tui::{ui, Msg};
use chrono::{TimeZone, Utc};
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::Terminal;

// ---------------------------------------------------------------------------
// The demo database and a stand-in for the worker (as in tests/tui_render.rs)

/// The `now` the demo semester is generated at: a Sunday, 18:00 in Beijing.
fn demo_now() -> Time {
    Utc.with_ymd_and_hms(2026, 11, 29, 10, 0, 0).unwrap()
}

const ADMIN: &str = "demo-admin";
/// What the status bar shows as the database location (the temp dir varies).
const LOCATION: &str = "~/.local/share/beian/demo";

struct Fixture {
    _dir: tempfile::TempDir,
    service: Service,
    actor: Actor,
}

/// Beijing time for every `fmt_time`, set before anything reads the clock.
fn init_tz() {
    static TZ: Once = Once::new();
    TZ.call_once(|| std::env::set_var("TZ", "Asia/Shanghai"));
}

fn fixture() -> MutexGuard<'static, Fixture> {
    static FIX: OnceLock<Mutex<Fixture>> = OnceLock::new();
    init_tz();
    FIX.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let mut service = Service::create(dir.path(), ADMIN, true).unwrap();
        beian::demo::populate(&mut service, demo_now()).unwrap();
        let actor = service.actor_named(ADMIN, &[]);
        Mutex::new(Fixture {
            _dir: dir,
            service,
            actor,
        })
    })
    .lock()
    .unwrap_or_else(|e| e.into_inner())
}

/// Answer a read job as the worker would. Searches relative to a date use the
/// demo's `now`, not the clock, so the answer is the same every day.
fn serve(job: Job) -> Option<Reply> {
    let fx = fixture();
    let (s, a) = (&fx.service, &fx.actor);
    let today = demo_now().with_timezone(&chrono::Local).date_naive();
    Some(match job {
        Job::LoadAll => {
            let mut overview = s.overview(a).unwrap();
            overview.overdue_orders = s
                .orders(a)
                .unwrap()
                .iter()
                .filter(|o| o.overdue(today))
                .map(|o| o.id)
                .collect();
            Reply::All {
                systems: s.systems(a).unwrap(),
                requests: s.requests(a, &RequestFilter::default()).unwrap(),
                plans: s.plans(a, &PlanFilter::default()).unwrap(),
                dossiers: s.archive(a, &ArchiveFilter::default()).unwrap(),
                overview: Box::new(overview),
                calendar: s.calendar(a).unwrap(),
                templates: s.templates(a).unwrap(),
            }
        }
        Job::FirstScreen { rows } => Reply::First(Box::new(s.first_screen(a, rows).unwrap())),
        Job::Request(id) => Reply::Request(Box::new(s.request(a, id).unwrap())),
        Job::Plan(id) => Reply::Plan(Box::new(s.plan(a, id).unwrap()), Box::new(s.plan_gates(a, id).unwrap())),
        Job::Template(id) => Reply::Template(
            Box::new(s.template(a, id).unwrap()),
            Box::new(s.template_offers(a, id).unwrap()),
        ),
        Job::Dossier(id) => Reply::Dossier(Box::new(s.dossier(a, id).unwrap())),
        Job::SearchArchive { seq, mut filter } => {
            if filter.from.is_some() {
                // The timeline asks for the last 30 days of the clock's today.
                filter.from = Some(today - chrono::Duration::days(30));
            }
            Reply::Archive {
                seq,
                hits: s.archive(a, &filter).unwrap(),
            }
        }
        // Overdue orders are judged on the demo's today, not the clock's.
        Job::Evaluation { from, to } => {
            let mut input = s.report_input(a).unwrap();
            input.today = today;
            Reply::Evaluation(Box::new(beian::report::evaluate(&input, from, to)))
        }
        // The worker's read of the reports is audited; the stand-in reads them
        // from the store, so that the shared demo database (whose chain head
        // the reports pane shows) stays as `populate` left it.
        Job::Supervision { reports } => Reply::Supervision {
            orders: s.orders(a).unwrap(),
            reports: reports.then(|| s.raw_store().all().unwrap()),
        },
        // Commands are not run: the database stays the demo's.
        Job::Execute { .. } | Job::ExecuteMany { .. } => return None,
        // Imports are answered by the real worker on a database of their own (below).
        Job::ImportPreview { .. } | Job::Import { .. } => return None,
        Job::Verify => Reply::Integrity(s.verify(a, None)),
        Job::Integrity => Reply::Integrity(s.integrity(a)),
        // Acting as a demo person changes who asks, not what is shown: not run here.
        Job::ActAs { .. } => return None,
        Job::JointReviews => Reply::JointReviews(s.joint_reviews(a).unwrap()),
        // What needs attention as of the demo's now.
        Job::Attention => Reply::Attention(Box::new(s.attention_at(a, demo_now()).unwrap())),
        // The files attached to the record the detail shows (issue 18 §1).
        Job::Attachment(beian::tui::worker::AttachmentJob::List { of, ids }) => {
            Reply::Attachment(beian::tui::worker::AttachmentReply::Listed {
                of,
                list: ids.iter().flat_map(|id| s.attachments(a, *id).unwrap()).collect(),
            })
        }
        // Attaching and saving files run on a database of their own (tui_render.rs).
        Job::Attachment(_) => return None,
        Job::ArchiveSearch { seq, req } => Reply::ArchiveSearch {
            seq,
            answer: Box::new(s.archive_search(a, &req).unwrap()),
        },
        Job::Changes { seq, system, .. } => Reply::Changes {
            seq,
            list: s
                .changes(a, Some(system), Some(today - chrono::Duration::days(30)))
                .unwrap(),
        },
        Job::Register => Reply::Register {
            register: Box::new(s.register(a).unwrap()),
            outbox: s.mail_list(a).map_err(|e| e.message()),
        },
        Job::UnresolvedNames => Reply::UnresolvedNames(s.unresolved_names(a, false).map_err(|e| e.message())),
        Job::MailSend => return None,
    })
}

/// Feed a message to `update` and carry out its read jobs, like the event loop.
fn send(st: &mut State, msg: Msg) {
    for e in update(st, msg) {
        if let Effect::Job(j) = e {
            if let Some(r) = serve(j) {
                send(st, Msg::Reply(r));
            }
        }
    }
}

/// A fresh UI as `beian` starts it, after the first LoadAll came back.
fn loaded() -> State {
    let (keymap, issues) = Keymap::load(None);
    assert!(issues.is_empty(), "{issues:?}");
    let roles = fixture().actor.roles.clone();
    let mut st = State::new(ADMIN.into(), roles, LOCATION.into(), keymap, issues);
    send(&mut st, Msg::Reply(serve(Job::LoadAll).unwrap()));
    send(&mut st, Msg::Reply(serve(Job::Verify).unwrap()));
    st
}

fn key_event(k: &str) -> KeyEvent {
    let (mods, name) = match k.split_once('-') {
        Some(("ctrl", n)) => (KeyModifiers::CONTROL, n),
        Some(("alt", n)) => (KeyModifiers::ALT, n),
        _ => (KeyModifiers::NONE, k),
    };
    let code = match name {
        "enter" => KeyCode::Enter,
        "esc" => KeyCode::Esc,
        "tab" => KeyCode::Tab,
        "backtab" => KeyCode::BackTab,
        "space" => KeyCode::Char(' '),
        "up" => KeyCode::Up,
        "down" => KeyCode::Down,
        "left" => KeyCode::Left,
        "right" => KeyCode::Right,
        "pgdown" => KeyCode::PageDown,
        "pgup" => KeyCode::PageUp,
        "backspace" => KeyCode::Backspace,
        "home" => KeyCode::Home,
        "end" => KeyCode::End,
        c if c.chars().count() == 1 => KeyCode::Char(c.chars().next().unwrap()),
        other => panic!("unknown key {other:?}"),
    };
    let mods = if matches!(code, KeyCode::Char(c) if c.is_ascii_uppercase()) {
        mods | KeyModifiers::SHIFT
    } else {
        mods
    };
    KeyEvent::new(code, mods)
}

/// Press keys, space-separated: `2 j j enter`, `ctrl-s`, `esc`.
fn press(st: &mut State, keys: &str) {
    // Keys are pressed at a terminal large enough to act on them (the frames drawn
    // for the checks may have been too small).
    st.screen.set((120, 40));
    for k in keys.split_whitespace() {
        key(st, key_event(k));
    }
}

/// Like [`type_text`] without a frame after each key (many keys, one frame).
fn type_fast(st: &mut State, text: &str) {
    st.screen.set((120, 40));
    for c in text.chars().filter(|c| !c.is_ascii_control()) {
        send(
            st,
            Msg::Input(Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))),
        );
    }
}

/// One key, then a frame, as the event loop does (the renderer keeps list offsets
/// and the page size).
fn key(st: &mut State, k: KeyEvent) {
    send(st, Msg::Input(Event::Key(k)));
    let mut term = Terminal::new(TestBackend::new(120, 40)).unwrap();
    ui::render(&mut term.get_frame(), st);
}

/// The plans pane with the cursor on the first plan of `status` (newest first).
fn on_plan(st: &mut State, status: PlanStatus) {
    press(st, "2 home");
    let i = st
        .plans
        .all
        .iter()
        .position(|p| p.status == status)
        .expect("a demo plan in that status");
    for _ in 0..i {
        press(st, "j");
    }
}

/// What the panes show of `base`, in a fresh state (faster than loading again).
fn copy(base: &State) -> State {
    let (keymap, issues) = Keymap::load(None);
    let mut st = State::new(
        base.user.clone(),
        base.roles.clone(),
        base.location.clone(),
        keymap,
        issues,
    );
    st.loading = false;
    st.systems = base.systems.clone();
    st.overview = base.overview.clone();
    st.calendar = base.calendar.clone();
    st.queue.all = base.queue.all.clone();
    st.queue.visible = base.queue.visible.clone();
    st.queue.detail = base.queue.detail.clone();
    st.queue.open = base.queue.open;
    st.queue.cursor.selected = base.queue.cursor.selected;
    st.plans.all = base.plans.all.clone();
    st.plans.visible = base.plans.visible.clone();
    st.plans.cursor.selected = base.plans.cursor.selected;
    st.plans.detail = base.plans.detail.clone();
    st.tests.plan = base.tests.plan.clone();
    st.archive.all = base.archive.all.clone();
    st.archive.detail = base.archive.detail.clone();
    st.archive.open = base.archive.open;
    st.archive.cursor.selected = base.archive.cursor.selected;
    st.reports.from = base.reports.from;
    st.reports.to = base.reports.to;
    st.reports.report = base.reports.report.clone();
    st.supervision.orders = base.supervision.orders.clone();
    st.supervision.reports = base.supervision.reports.clone();
    st.supervision.cursor.selected = base.supervision.cursor.selected;
    st
}

/// Put hostile text into every user-provided string the panes and details show,
/// straight into the state (the core would have cleaned it on the way in). Only
/// the first rows of the long lists, the ones a screen shows, so that the strings
/// are drawn rather than spent on rows below the fold.
fn poison(st: &mut State, next: &mut impl FnMut() -> String) {
    const ROWS: usize = 40;
    let shown: Vec<usize> = st.queue.visible.iter().copied().take(ROWS).collect();
    st.user = next();
    st.location = next();
    for sys in &mut st.systems {
        sys.name = next();
    }
    for (_, r) in st.queue.all.iter_mut().enumerate().filter(|(i, _)| shown.contains(i)) {
        r.title = next();
        r.department = next();
        r.tags = vec![next(), next()];
    }
    if let Some(r) = &mut st.queue.detail {
        r.title = next();
        r.body = next() + &next() + &next();
        r.department = next();
        r.submitter.name = next();
        r.submitter.contact = next();
        r.tags = vec![next()];
        r.reject_reason = Some(next());
        for c in &mut r.comments {
            c.author = next();
            c.text = next();
        }
        r.comments.push(Comment {
            author: next(),
            time: demo_now(),
            text: next(),
        });
    }
    for p in st.plans.all.iter_mut().take(ROWS) {
        p.title = next();
        p.version_from = next();
        p.version_to = next();
    }
    let plan = |p: &mut Plan, next: &mut dyn FnMut() -> String| {
        p.title = next();
        p.version_from = next();
        p.version_to = next();
        for f in [
            &mut p.goals,
            &mut p.content,
            &mut p.approach,
            &mut p.backup_plan,
            &mut p.migration_plan,
            &mut p.rollback_plan,
        ] {
            *f = next() + &next();
        }
        p.blackout_override = Some(next());
        p.staff.push(StaffAssignment {
            person: next(),
            role: next(),
            duty: next(),
        });
        for st in &mut p.staff {
            st.person = next();
            st.duty = next();
        }
        p.risks.push(Risk {
            description: next(),
            likelihood: Level::High,
            impact: Level::Low,
            mitigation: next(),
        });
        for a in &mut p.approvals {
            a.approver = next();
            a.comment = next();
        }
        for r in &mut p.rounds {
            for i in &mut r.items {
                i.description = next();
                i.expected = next();
                i.tester.name = next();
            }
        }
        for d in &mut p.defects {
            d.description = next();
        }
    };
    if let Some(p) = &mut st.plans.detail {
        plan(p, next);
    }
    if let Some(p) = &mut st.tests.plan {
        plan(p, next);
    }
    for d in st.archive.all.iter_mut().take(ROWS) {
        d.title = next();
        d.system_name = next();
        d.version_from = next();
        d.version_to = next();
        d.filed_by = next();
    }
    if let Some(v) = &mut st.archive.detail {
        v.dossier.filed_by = next();
        v.dossier.system.name = next();
        v.dossier.system.department = next();
        v.dossier.system.vendor = next();
        plan(&mut v.dossier.plan, next);
        for r in &mut v.dossier.requests {
            r.title = next();
            r.body = next();
        }
    }
    // Orders and reports, their history and the selected one's detail.
    for o in &mut st.supervision.orders {
        o.finding = next();
        o.required_action = next();
        o.issuer = next();
        o.target = OrderTarget::Department(next());
        o.responses.push(OrderResponse {
            text: next(),
            by: next(),
            at: None,
            sent_back: Some(Ruling {
                reason: next(),
                by: next(),
                at: demo_now(),
            }),
        });
        o.extensions.push(Extension {
            from: o.deadline,
            to: o.deadline,
            reason: next(),
            by: next(),
            at: demo_now(),
        });
    }
    for r in st.supervision.reports.iter_mut().flatten() {
        r.content = next();
        r.investigation = next();
        r.reporter_contact = Some(next());
        r.reply = Some(next());
    }
    for t in &mut st.toasts {
        t.text = next();
    }
}

// ---------------------------------------------------------------------------
// The strings

/// Characters that must never be in a cell: controls (C0, DEL, C1 — ESC among
/// them), bidi embeddings, overrides, isolates and marks, and the invisible
/// characters that hide or reorder text (zero-width space, joiners, word joiner
/// and invisible operators, BOM, Mongolian vowel separator, interlinear
/// annotation, tag characters).
fn forbidden(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
            | '\u{200b}'..='\u{200d}' | '\u{2060}'..='\u{2064}' | '\u{feff}' | '\u{180e}'
            | '\u{fff9}'..='\u{fffb}' | '\u{e0000}'..='\u{e007f}')
}

/// One dangerous piece: a control, an escape sequence, a bidi or invisible character.
fn danger(rng: &mut StdRng) -> String {
    const SEQS: &[&str] = &[
        "\x1b[31m",
        "\x1b[0m",
        "\x1b[2J\x1b[H",
        "\x1b]0;pwned\x07",
        "\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\",
        "\x1bP+q544e\x1b\\",
        "\x1b[6n",
        "\x1bc",
        "\x1b[?1049h",
        "\u{9b}31m",
        "\u{9d}0;t\u{9c}",
        "\r\n",
        "\r",
        "\x08\x08\x08",
    ];
    const ONE: &[char] = &[
        '\u{202a}',
        '\u{202b}',
        '\u{202c}',
        '\u{202d}',
        '\u{202e}',
        '\u{2066}',
        '\u{2067}',
        '\u{2068}',
        '\u{2069}',
        '\u{200e}',
        '\u{200f}',
        '\u{61c}',
        '\u{200b}',
        '\u{200c}',
        '\u{200d}',
        '\u{2060}',
        '\u{2061}',
        '\u{2062}',
        '\u{2063}',
        '\u{2064}',
        '\u{feff}',
        '\u{180e}',
        '\u{fff9}',
        '\u{fffa}',
        '\u{fffb}',
        '\u{e0001}',
        '\u{e0041}',
        '\u{e007f}',
        '\x7f',
        '\x1b',
        '\x07',
        '\x00',
    ];
    match rng.random_range(0..4) {
        0 => SEQS[rng.random_range(0..SEQS.len())].to_string(),
        1 => ONE[rng.random_range(0..ONE.len())].to_string(),
        2 => char::from_u32(rng.random_range(0..0x20)).unwrap().to_string(),
        _ => char::from_u32(rng.random_range(0x7f..0xa0)).unwrap().to_string(),
    }
}

/// Ordinary text the dangerous pieces hide in.
fn plain(rng: &mut StdRng) -> String {
    const PIECES: &[&str] = &[
        "教务管理系统",
        "一卡通充值",
        "选课",
        "【紧急】",
        "，",
        "。",
        "ＡＢＣ",
        "ｶﾞｷﾞ",
        "report",
        "v2.0",
        " ",
        "\t",
        "\n",
        "e\u{301}",
        "👍",
        "👨\u{200d}👩\u{200d}👧",
        "☺\u{fe0f}",
        "🇨🇳",
        "txt.exe",
        "العربية",
    ];
    if rng.random_bool(0.1) {
        rng.random::<char>().to_string()
    } else {
        PIECES[rng.random_range(0..PIECES.len())].to_string()
    }
}

/// String `k`: its mark `¤` + four base-36 digits (to find it on the screen), then
/// plain and dangerous pieces mixed, with at least one dangerous piece.
fn hostile(rng: &mut StdRng, k: usize) -> String {
    const DIGITS: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut s = String::from("¤");
    let mut n = k;
    for _ in 0..4 {
        s.push(DIGITS[n % 36] as char);
        n /= 36;
    }
    let pieces = rng.random_range(1..12);
    let must = rng.random_range(0..pieces);
    for i in 0..pieces {
        if i == must || rng.random_bool(0.4) {
            s.push_str(&danger(rng));
        } else {
            s.push_str(&plain(rng));
        }
    }
    s
}

// ---------------------------------------------------------------------------
// Drawing and checking

#[derive(Default)]
struct Tally {
    frames: usize,
    cells: usize,
    unsafe_cells: Vec<String>,
    /// The marks of the strings seen on a screen.
    seen: HashSet<String>,
}

impl Tally {
    /// Draw `st` at `w`x`h` and check every cell.
    fn check(&mut self, st: &State, w: u16, h: u16, what: &str) {
        let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
        let buf: Buffer = term.draw(|f| ui::render(f, st)).unwrap().buffer.clone();
        self.frames += 1;
        let mut text = String::new();
        for (i, c) in buf.content.iter().enumerate() {
            self.cells += 1;
            let sym = c.symbol();
            if sym.chars().any(forbidden) && self.unsafe_cells.len() < 2000 {
                let (x, y) = (i % w as usize, i / w as usize);
                self.unsafe_cells.push(format!("{what} at {w}x{h}: ({x},{y}) {sym:?}"));
            }
            text.push_str(sym);
        }
        for (i, _) in text.match_indices('¤') {
            let mark: String = text[i..].chars().skip(1).take(4).collect();
            if mark.len() == 4 && mark.bytes().all(|b| b.is_ascii_alphanumeric()) {
                self.seen.insert(mark);
            }
        }
    }
}

const STRINGS: usize = 10_000;

#[test]
fn ten_thousand_hostile_strings_leave_no_control_or_bidi_character_in_any_cell() {
    let mut rng = StdRng::seed_from_u64(0x7465_726d_696e_616c);
    let all: Vec<String> = (0..STRINGS).map(|k| hostile(&mut rng, k)).collect();
    assert!(
        all.iter().all(|s| s.chars().any(forbidden)),
        "a string without a dangerous character"
    );

    // A state with every part open: request detail, plan detail, tests, dossier.
    let mut base = loaded();
    press(&mut base, "6 j 1 j enter");
    assert!(base.supervision.reports.is_some());
    on_plan(&mut base, PlanStatus::Testing);
    press(&mut base, "enter 3 4 enter 1");
    assert!(base.queue.detail.is_some() && base.plans.detail.is_some());
    assert!(base.tests.plan.is_some() && base.archive.detail.is_some());

    let mut tally = Tally::default();
    let mut used = 0usize;
    let mut round = 0;
    // Each string is used once, in order, until all are used.
    while used < STRINGS {
        round += 1;
        let mut next = || {
            let s = all[used % STRINGS].clone();
            used += 1;
            s
        };
        let mut st = copy(&base);
        st.toast("x", true);
        st.toast("y", false);
        poison(&mut st, &mut next);
        st.queue.views.push(next());
        let w = rng.random_range(60..=160);
        let h = rng.random_range(20..=50);
        for pane in Pane::ALL {
            st.pane = pane;
            tally.check(&st, w, h, &format!("{pane:?}"));
        }
        st.pane = Pane::Plans;
        st.popups.push(Popup::Message {
            title: next(),
            text: next() + &next(),
            scroll: 0,
        });
        tally.check(&st, w, h, "message");
        st.popups.clear();
        st.popups.push(Popup::Confirm {
            message: next() + &next(),
            then: beian::tui::state::Confirmed::Job(Box::new(Job::LoadAll)),
        });
        tally.check(&st, w, h, "confirm");
        st.popups.clear();
        press(&mut st, "e");
        assert!(matches!(st.popups.last(), Some(Popup::Form(_))), "round {round}");
        tally.check(&st, w, h, "plan editor");
        // Typed (or pasted without bracketed paste) into the fields, key by key.
        type_fast(&mut st, &next());
        press(&mut st, "tab tab");
        type_fast(&mut st, &next());
        tally.check(&st, w, h, "plan editor, typed");
        st.popups.clear();
        st.pane = Pane::Queue;
        press(&mut st, "/");
        type_fast(&mut st, &next());
        tally.check(&st, w, h, "queue filter");
        press(&mut st, "enter 4 /");
        type_fast(&mut st, &next());
        tally.check(&st, w, h, "archive search");
    }
    println!(
        "terminal safety: {STRINGS} strings ({used} field values) in {round} rounds, {} frames, {} cells checked, \
         {} unsafe cells, {} strings seen on a screen",
        tally.frames,
        tally.cells,
        tally.unsafe_cells.len(),
        tally.seen.len()
    );
    assert!(tally.unsafe_cells.is_empty(), "{:#?}", tally.unsafe_cells);
    // The strings did reach the screen (else the check above proves nothing).
    assert!(
        tally.seen.len() >= STRINGS / 5,
        "only {} strings seen on a screen",
        tally.seen.len()
    );
}
