//! The terminal UI drawn without a terminal: insta snapshots of every pane and
//! popup at 80x24 and 120x40 (zh-CN, some en) from a demo semester, every size
//! from 1x1 to 300x100 without a panic, hostile text that never reaches the
//! screen as control or bidi characters, and the binary run without a tty.
//!
//! The state is built the way the real UI builds it: `State::new`, then the
//! worker's replies, then key presses through `update`. A small stand-in for the
//! worker answers the read jobs from a demo database made once per process;
//! commands are not run (the database stays as `populate` left it).

use std::sync::{Mutex, MutexGuard, Once, OnceLock};

use beian::model::*;
use beian::service::{ArchiveFilter, PlanFilter, RequestFilter, Service};
use beian::tui::keymap::Keymap;
use beian::tui::state::{Popup, State};
use beian::tui::update::{update, Effect};
use beian::tui::worker::{Job, Reply};
use beian::tui::{ui, Msg};
use chrono::{TimeZone, Utc};
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::{Backend, TestBackend};
use ratatui::buffer::{Buffer, CellWidth};
use ratatui::Terminal;

// ---------------------------------------------------------------------------
// The demo database and a stand-in for the worker

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

/// The language is global to the process: snapshot tests hold this while they run.
fn lang(l: &str) -> MutexGuard<'static, ()> {
    static LANG: Mutex<()> = Mutex::new(());
    let g = LANG.lock().unwrap_or_else(|e| e.into_inner());
    beian::i18n::set(l);
    g
}

/// The orders overdue on the demo's today (not the clock's).
fn overdue_on(s: &Service, a: &Actor, today: chrono::NaiveDate) -> Vec<Id> {
    s.orders(a)
        .unwrap()
        .iter()
        .filter(|o| o.overdue(today))
        .map(|o| o.id)
        .collect()
}

thread_local! {
    /// The user the stand-in worker answers for (default: the demo admin).
    static AS: std::cell::RefCell<Option<Actor>> = const { std::cell::RefCell::new(None) };
}

/// Answer a read job as the worker would. Searches relative to a date use the
/// demo's `now`, not the clock, so the answer is the same every day.
fn serve(job: Job) -> Option<Reply> {
    let fx = fixture();
    let s = &fx.service;
    let other = AS.with(|a| a.borrow().clone());
    let a = other.as_ref().unwrap_or(&fx.actor);
    let today = demo_now().with_timezone(&chrono::Local).date_naive();
    Some(match job {
        Job::LoadAll => {
            let mut overview = s.overview(a).unwrap();
            overview.overdue_orders = overdue_on(s, a, today);
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
        Job::FirstScreen { rows } => {
            let mut first = s.first_screen(a, rows).unwrap();
            first.overview.overdue_orders = overdue_on(s, a, today);
            Reply::First(Box::new(first))
        }
        Job::Request(id) => Reply::Request(Box::new(s.request(a, id).unwrap())),
        // The gates as of the demo's now (the worker asks the core as of the clock's).
        Job::Plan(id) => {
            let p = s.plan(a, id).unwrap();
            let ctx = beian::workflow::Ctx {
                actor: a,
                now: demo_now(),
                rules: s.config().process,
                on_behalf_of: None,
            };
            let gates = beian::workflow::gates(&p, &s.calendar(a).unwrap(), &ctx);
            Reply::Plan(Box::new(p), Box::new(gates))
        }
        // The steps offered as of the demo's now.
        Job::Template(id) => {
            let x = s.template(a, id).unwrap();
            let ctx = beian::workflow::Ctx {
                actor: a,
                now: demo_now(),
                rules: s.config().process,
                on_behalf_of: None,
            };
            let offers = beian::workflow::template_offers(&x, &ctx);
            Reply::Template(Box::new(x), Box::new(offers))
        }
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
            let mut r = beian::report::evaluate(&input, from, to);
            r.chain_head = Some(s.verify(a, None).unwrap().head);
            Reply::Evaluation(Box::new(r))
        }
        // The worker's read of the reports is audited; the stand-in reads them
        // from the store, so that the shared demo database (whose chain head
        // the reports pane shows) stays as `populate` left it.
        Job::Supervision { reports } => Reply::Supervision {
            orders: s.orders(a).unwrap(),
            reports: reports.then(|| s.raw_store().all().unwrap()),
        },
        Job::Register => Reply::Register {
            register: Box::new(s.register(a).unwrap()),
            outbox: s.mail_list(a).map_err(|e| e.message()),
        },
        Job::UnresolvedNames => Reply::UnresolvedNames(s.unresolved_names(a, false).map_err(|e| e.message())),
        // Commands are not run: the database stays the demo's; nor is mail sent.
        Job::Execute { .. } | Job::ExecuteMany { .. } | Job::MailSend => return None,
        // Imports are answered by the real worker on a database of their own (below).
        Job::ImportPreview { .. } | Job::Import { .. } => return None,
        Job::Verify => Reply::Integrity(s.verify(a, None)),
        Job::Integrity => Reply::Integrity(s.integrity(a)),
        // Acting as a demo person changes who asks, not what is shown: not run here.
        Job::ActAs { .. } => return None,
        Job::JointReviews => Reply::JointReviews(s.joint_reviews(a).unwrap()),
        // What needs attention as of the demo's now, not the clock's.
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
        // The timeline asks for the last 30 days of the clock's today: the demo's here.
        Job::Changes { seq, system, .. } => Reply::Changes {
            seq,
            list: s
                .changes(a, Some(system), Some(today - chrono::Duration::days(30)))
                .unwrap(),
        },
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
        f if f.len() >= 2 && f.starts_with('f') && f[1..].parse::<u8>().is_ok() => KeyCode::F(f[1..].parse().unwrap()),
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
    for k in keys.split_whitespace() {
        key(st, key_event(k));
    }
}

/// Type text into whatever has focus, one key per character (as an input method
/// delivers it). C0 controls and DEL arrive as keys (enter, tab, ctrl-…), not as
/// characters, so they are not typed.
fn type_text(st: &mut State, text: &str) {
    for c in text.chars().filter(|c| !c.is_ascii_control()) {
        key(st, KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
    }
}

/// Like [`type_text`] without a frame after each key (many keys, one frame).
fn type_fast(st: &mut State, text: &str) {
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

// ---------------------------------------------------------------------------
// Drawing and reading the screen

/// Draw one frame; the frame's buffer and where the terminal cursor was left.
fn draw(st: &State, w: u16, h: u16) -> (Buffer, Option<(u16, u16)>) {
    let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
    let buf = term.draw(|f| ui::render(f, st)).unwrap().buffer.clone();
    // A fresh terminal's cursor is at the origin; the UI puts it elsewhere or hides it.
    let p = term.backend_mut().get_cursor_position().unwrap();
    (buf, ((p.x, p.y) != (0, 0)).then_some((p.x, p.y)))
}

/// The screen as a terminal shows it: a wide character covers the next cell.
fn screen_text(buf: &Buffer) -> String {
    let w = buf.area.width as usize;
    let mut out = String::new();
    for row in buf.content.chunks(w) {
        let mut line = String::new();
        let mut skip = 0;
        for c in row {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            line.push_str(c.symbol());
            skip = usize::from(c.symbol().cell_width()).saturating_sub(1);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// What is wrong with the buffer as a terminal would draw it: a wide character
/// whose second cell holds something else (half of it, or the other thing, is
/// lost), a wide character in the last column, a cell with a control character.
fn defects(buf: &Buffer) -> Vec<String> {
    let w = buf.area.width as usize;
    let mut out = Vec::new();
    for (y, row) in buf.content.chunks(w).enumerate() {
        for (x, c) in row.iter().enumerate() {
            let sym = c.symbol();
            if let [b] = sym.as_bytes() {
                // Most cells: one ASCII character.
                if b.is_ascii_control() {
                    out.push(format!("({x},{y}) control {sym:?}"));
                }
                continue;
            }
            if sym.chars().any(|c| beian::sanitize::is_unsafe(c) || c.is_control()) {
                out.push(format!("({x},{y}) unsafe {sym:?}"));
            }
            if sym.cell_width() >= 2 {
                if x + 1 >= w {
                    out.push(format!("({x},{y}) wide {sym:?} in the last column"));
                } else if row[x + 1].symbol() != " " {
                    out.push(format!("({x},{y}) wide {sym:?} followed by {:?}", row[x + 1].symbol()));
                }
            }
        }
    }
    out
}

/// Requests' ages count from the real clock: shown as `Nd` so snapshots keep.
fn redact_ages(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let chars: Vec<char> = line.chars().collect();
        let mut s = String::new();
        let mut i = 0;
        while i < chars.len() {
            // `REQ-2026-0001 12d  ` — the id cell (13), a space, the age cell (4).
            let id: String = chars[i..chars.len().min(i + 14)].iter().collect();
            let is_id = id.len() == 14
                && id.starts_with("REQ-")
                && id.ends_with(' ')
                && id[4..13]
                    .chars()
                    .enumerate()
                    .all(|(k, c)| if k == 4 { c == '-' } else { c.is_ascii_digit() });
            if is_id && i + 18 <= chars.len() {
                let age: String = chars[i + 14..i + 18].iter().collect();
                let t = age.trim_end();
                if t.len() >= 2 && t.ends_with('d') && t[..t.len() - 1].chars().all(|c| c.is_ascii_digit()) {
                    s.push_str(&id);
                    s.push_str("Nd  ");
                    i += 18;
                    continue;
                }
            }
            s.push(chars[i]);
            i += 1;
        }
        out.push_str(&s);
        out.push('\n');
    }
    out
}

/// Draw, check the cells, and give the text to snapshot (with the cursor position).
fn screen(st: &State, w: u16, h: u16) -> String {
    let (buf, cursor) = draw(st, w, h);
    let bad = defects(&buf);
    assert!(bad.is_empty(), "{w}x{h}: {bad:#?}\n{}", screen_text(&buf));
    let mut text = redact_ages(&screen_text(&buf));
    text.push_str(&match cursor {
        Some((x, y)) => format!("-- cursor at {x},{y}\n"),
        None => "-- cursor hidden\n".into(),
    });
    text
}

macro_rules! snap {
    ($name:expr, $st:expr) => {{
        let st = &$st;
        insta::assert_snapshot!(format!("{}_80x24", $name), screen(st, 80, 24));
        insta::assert_snapshot!(format!("{}_120x40", $name), screen(st, 120, 40));
    }};
}

// ---------------------------------------------------------------------------
// Snapshots: every pane and popup, 80x24 and 120x40

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

#[test]
fn queue_snapshots() {
    let _l = lang("zh-CN");
    let mut st = loaded();
    snap!("queue_list", st);

    press(&mut st, "/");
    type_text(&mut st, "status:new 一卡通");
    assert!(!st.queue.visible.is_empty());
    snap!("queue_filter", st);
    press(&mut st, "esc");

    press(&mut st, "j j enter");
    assert!(st.queue.detail.is_some());
    snap!("queue_detail", st);
    press(&mut st, "esc");

    press(&mut st, "home space space j space");
    assert_eq!(st.queue.marked.len(), 3);
    snap!("queue_marked", st);
}

/// The attention view (pane 0, issue 17 §1): the first answer with items
/// opens it; the header counts it at 80x24; Enter on an item shows that record.
#[test]
fn attention_view_and_its_records() {
    use beian::tui::action::Pane;
    let _l = lang("zh-CN");
    let mut st = loaded();
    // Before the core answered, the header says nothing of it.
    assert!(!screen(&st, 80, 24).contains("待处理"));
    // As `beian` starts: the answer opens the view, unless a key came first.
    st.attention.open_when_loaded = true;
    press(&mut st, "j");
    send(&mut st, Msg::Reply(serve(Job::Attention).unwrap()));
    assert_eq!(st.pane, Pane::Queue, "a key pressed first: the queue stays");
    st.attention.open_when_loaded = true;
    send(&mut st, Msg::Reply(serve(Job::Attention).unwrap()));
    assert_eq!(st.pane, Pane::Attention, "the answer with items opens the view");
    // Later answers (after any change) leave the user where they are.
    press(&mut st, "1");
    send(&mut st, Msg::Reply(serve(Job::Attention).unwrap()));
    assert_eq!(st.pane, Pane::Queue);
    press(&mut st, "0 k");
    let n = st.attention.count();
    assert!(n > 3, "the demo has items: {n}");
    let header = screen(&st, 80, 24).lines().next().unwrap().to_string();
    assert!(header.contains(&format!("0待处理 {n}")), "{header}");
    snap!("attention_view", st);
    // The queue with the count in its header (one key away: 0).
    press(&mut st, "1");
    let header = screen(&st, 80, 24).lines().next().unwrap().to_string();
    assert!(header.contains(&format!("0待处理 {n}")), "{header}");
    press(&mut st, "0");
    assert_eq!(st.pane, Pane::Attention);

    // Each kind of record is reached in two keys: j… then Enter.
    let items = st.attention.list.clone().unwrap().items;
    let mut seen = std::collections::BTreeSet::new();
    for (i, item) in items.iter().enumerate() {
        if !seen.insert(item.record.kind) {
            continue;
        }
        press(&mut st, "0 home");
        for _ in 0..i {
            press(&mut st, "j");
        }
        assert_eq!(st.attention.selected().map(|x| x.record), Some(item.record));
        press(&mut st, "enter");
        let shown = st.shown().map(|x| x.ids).unwrap_or_default();
        assert_eq!(shown, vec![item.record], "{:?} after enter on {}", st.pane, item.record);
        match item.record.kind {
            IdKind::Plan => {
                assert_eq!(st.pane, Pane::Plans);
                assert_eq!(st.plans.detail.as_ref().map(|p| p.id), Some(item.record));
            }
            IdKind::Request => {
                assert_eq!(st.pane, Pane::Queue);
                assert_eq!(st.queue.detail.as_ref().map(|r| r.id), Some(item.record));
            }
            IdKind::Order => assert_eq!(st.pane, Pane::Supervision),
            // A call to make (issue 17): the outbox with the message selected.
            IdKind::Mail => {
                assert_eq!(st.pane, Pane::Register);
                assert_eq!(st.register.view, beian::tui::state::RegisterView::Outbox);
            }
            other => panic!("an item about a {other:?}"),
        }
    }
    assert_eq!(seen.len(), 4, "plans, requests, orders and calls to make: {seen:?}");
    // A request hidden by the queue's filter is still reached.
    press(&mut st, "1 /");
    type_text(&mut st, "没有这样的需求");
    press(&mut st, "enter 0 G enter");
    let last = items.last().unwrap().record;
    assert_eq!(st.shown().map(|x| x.ids), Some(vec![last]));
}

#[test]
fn attention_view_in_english() {
    let _l = lang("en");
    let mut st = loaded();
    send(&mut st, Msg::Reply(serve(Job::Attention).unwrap()));
    press(&mut st, "0");
    let text = screen(&st, 120, 40);
    assert!(text.contains("0 attention") && text.contains("Window passed"), "{text}");
    assert!(
        !text.contains("window_passed") && !text.contains("attention.kind"),
        "{text}"
    );
}

#[test]
fn plans_snapshots() {
    let _l = lang("zh-CN");
    let mut st = loaded();
    press(&mut st, "2");
    snap!("plans_list", st);

    on_plan(&mut st, PlanStatus::Draft);
    press(&mut st, "enter");
    assert_eq!(st.plans.detail.as_ref().map(|p| p.status), Some(PlanStatus::Draft));
    snap!("plans_draft_detail", st);

    press(&mut st, "e");
    assert!(matches!(st.popups.last(), Some(Popup::Form(_))));
    snap!("plans_edit_form", st);
    // The goals field, multi-line, focused with its text.
    press(&mut st, "tab tab");
    snap!("plans_edit_form_goals", st);
}

/// The templates pane (7): the templates with the selected one's sections; `p`
/// opens the new plan form as a standard change of it. In the plans pane, `E`
/// lists the emergency changes (the supervision group's list) and the class
/// shows in the list and the detail.
#[test]
fn templates_and_classes_snapshots() {
    let _l = lang("zh-CN");
    let mut st = loaded();
    press(&mut st, "7");
    assert_eq!(st.pane, beian::tui::action::Pane::Templates);
    assert!(st.templates.all.len() >= 2, "the demo's templates");
    // The approved one (the oldest, listed last).
    press(&mut st, "end");
    let sel = st.templates.all[st.templates.cursor.selected].clone();
    assert_eq!(sel.status, TemplateStatus::Approved);
    snap!("templates_detail", st);
    press(&mut st, "p");
    match st.popups.last() {
        Some(Popup::Form(f)) => {
            assert_eq!(f.value("template"), sel.id.to_string());
            assert_eq!(f.value("class"), "standard");
            assert_eq!(f.value("system"), sel.system.to_string());
        }
        other => panic!("no form: {other:?}"),
    }
    snap!("templates_new_plan_form", st);
    press(&mut st, "esc");

    press(&mut st, "2 E");
    assert!(st.plans.emergency_only);
    let shown: Vec<ChangeClass> = st.plans.visible.iter().map(|&i| st.plans.all[i].class).collect();
    assert!(
        !shown.is_empty() && shown.iter().all(|c| *c == ChangeClass::Emergency),
        "{shown:?}"
    );
    snap!("plans_emergency_only", st);
    press(&mut st, "esc");
    assert!(!st.plans.emergency_only, "esc leaves the emergency list");
}

#[test]
fn new_request_form_snapshots() {
    let _l = lang("zh-CN");
    let mut st = loaded();
    press(&mut st, "n");
    assert!(matches!(st.popups.last(), Some(Popup::Form(_))));
    snap!("form_new_request", st);
    type_text(&mut st, "一卡通充值后余额不更新");
    press(&mut st, "tab");
    type_text(&mut st, "学生反映在自助机充值成功，但食堂消费时余额仍为旧值。");
    snap!("form_new_request_typed", st);
}

/// The rows of the screen that show `text`.
fn rows_with(buf: &Buffer, text: &str) -> Vec<usize> {
    screen_text(buf)
        .lines()
        .enumerate()
        .filter(|(_, l)| l.contains(text))
        .map(|(i, _)| i)
        .collect()
}

/// Choice fields are pickers: typing 老师 over the offered 职工 chooses 教师 from
/// a list labelled in Chinese (and English); a toast never covers the focused
/// field; a half-filled form is parked (F2), counted in the header, listed by the
/// `forms.parked` command (F2, or 草稿 in the palette) and reopened as it was.
#[test]
fn picker_toasts_and_parked_forms() {
    let _l = lang("zh-CN");
    let mut st = loaded();
    press(&mut st, "n");
    type_text(&mut st, "一卡通充值后余额不更新");
    press(&mut st, "tab tab tab tab tab");
    type_text(&mut st, "老师");
    snap!("form_picker", st);
    let (buf, cursor) = draw(&st, 80, 24);
    let text = screen_text(&buf);
    let row = rows_with(&buf, "提交人类型")[0];
    let line = text.lines().nth(row).unwrap();
    assert!(line.contains("教师 ▾") && line.contains("老师"), "{line}");
    assert!(
        !text.contains("staff老师"),
        "typing never appends to the offered value:\n{text}"
    );
    // The list of choices under the field: only 教师 is left, with its English label.
    assert!(text.lines().nth(row + 2).unwrap().contains("›教师 teacher"), "{text}");
    assert_eq!(
        cursor.map(|c| c.1 as usize),
        Some(row),
        "the cursor (and the input method) on the field"
    );
    // Without a filter the list shows them all; Down chooses the next.
    press(&mut st, "ctrl-u down");
    let text = screen_text(&draw(&st, 80, 24).0);
    for label in ["教师", "学生", "职工", "部门"] {
        assert!(text.contains(label), "{label}:\n{text}");
    }
    assert!(text.contains("学生 ▾"), "{text}");

    // The tags, the last field, at the bottom of the form: a toast goes above it.
    press(&mut st, "tab tab tab tab tab");
    type_text(&mut st, "充值");
    st.toast("「提交人类型」无效：staff老师（应为 教师、学生、职工、部门）", true);
    let (buf, _) = draw(&st, 80, 24);
    let field = rows_with(&buf, "标签")[0];
    let toast = rows_with(&buf, "应为");
    assert!(
        !toast.is_empty() && toast.iter().all(|&r| r + 1 < field),
        "toast rows {toast:?}, field row {field}"
    );
    snap!("form_toast_above_focus", st);
    // With the focus at the top of the form, the toast stays at the bottom right.
    press(&mut st, "tab");
    let (buf, _) = draw(&st, 80, 24);
    let field = rows_with(&buf, "标题")[0];
    assert!(rows_with(&buf, "应为").iter().all(|&r| r > field + 1));

    // F2 parks the form: closed, counted in the header.
    press(&mut st, "f2");
    assert!(st.popups.is_empty());
    assert_eq!(st.parked.len(), 1);
    let text = screen_text(&draw(&st, 80, 24).0);
    assert!(text.lines().next().unwrap().contains("1 份暂存"), "{text}");
    // Look something up meanwhile; the palette finds the list by 草稿.
    press(&mut st, "2 :");
    type_text(&mut st, "草稿");
    let text = screen_text(&draw(&st, 80, 24).0);
    assert!(text.contains("forms.parked"), "{text}");
    press(&mut st, "enter");
    assert!(matches!(st.popups.last(), Some(Popup::Parked { .. })));
    // Parked at the clock's time: shown as the demo's for the snapshot.
    assert!(st.parked[0].parked_at.is_some());
    st.parked[0].parked_at = Some(demo_now());
    snap!("parked_list", st);
    press(&mut st, "enter");
    let Some(Popup::Form(form)) = st.popups.last() else {
        panic!("the form is back")
    };
    assert_eq!(form.value("title"), "一卡通充值后余额不更新");
    assert_eq!(form.value("submitter_type"), "student");
    assert_eq!(form.value("tags"), "充值");
    assert!(st.parked.is_empty());
}

#[test]
fn tests_snapshots() {
    let _l = lang("zh-CN");
    let mut st = loaded();
    on_plan(&mut st, PlanStatus::Testing);
    press(&mut st, "3");
    let p = st
        .tests
        .plan
        .as_ref()
        .expect("the selected plan follows into the tests pane");
    assert!(p
        .rounds
        .last()
        .unwrap()
        .items
        .iter()
        .any(|i| i.result == TestResult::Fail));
    snap!("tests_failures", st);

    on_plan(&mut st, PlanStatus::Ready);
    press(&mut st, "3");
    snap!("tests_golive_checklist", st);
}

#[test]
fn archive_snapshots() {
    let _l = lang("zh-CN");
    let mut st = loaded();
    press(&mut st, "4");
    snap!("archive_list", st);

    // The integrity badge: `V` checks again; a broken chain says where.
    press(&mut st, "V");
    assert!(
        screen(&st, 80, 24).contains("完整性 ✓ 链头 #"),
        "{}",
        screen(&st, 80, 24)
    );
    let mut broken = st.archive.integrity.clone();
    if let beian::tui::state::Integrity::Intact(mut v) = broken {
        v.problem = Some(beian::store::chain::Problem {
            at: "audit #17".into(),
            broken: beian::store::chain::Broken::WrongSeal,
        });
        broken = beian::tui::state::Integrity::Broken(v);
    }
    send(
        &mut st,
        Msg::Reply(Reply::Integrity(match broken {
            beian::tui::state::Integrity::Broken(v) => Ok(v),
            other => panic!("{other:?}"),
        })),
    );
    assert!(
        screen(&st, 80, 24).contains("完整性 ✗ audit #17"),
        "{}",
        screen(&st, 80, 24)
    );
    send(&mut st, Msg::Reply(serve(Job::Verify).unwrap()));

    press(&mut st, "/");
    type_text(&mut st, "选课");
    assert!(st.archive.hits.as_ref().is_some_and(|h| !h.is_empty()));
    // Ranked hits, each with the lines where the word occurs.
    let a = st.archive.answer.clone().unwrap();
    assert!(a
        .hits
        .iter()
        .all(|h| h.snippets.iter().all(|s| s.line.contains("选课"))));
    assert!(screen(&st, 120, 40).lines().filter(|l| l.contains("选课")).count() > a.hits.len());
    snap!("archive_search", st);

    // The open dossier: n and N go from line to line where the word occurs.
    press(&mut st, "enter");
    press(&mut st, "enter");
    assert!(st.archive.detail.is_some());
    // Drawn once, as the event loop does before a key (the view's width).
    let _ = screen(&st, 120, 40);
    let mut seen = Vec::new();
    for _ in 0..3 {
        press(&mut st, "n");
        seen.push(st.archive.detail_scroll.pos);
    }
    assert!(seen[0] > 0 && seen[1] > seen[0], "{seen:?}");
    // The line at the top of the view holds the word.
    let v = st.archive.detail.clone().unwrap();
    let th = beian::tui::ui::theme::Theme::of(&st);
    let lines =
        beian::tui::ui::sections::lines(&beian::export::dossier_sections(&v), st.archive.detail_width.get(), &th);
    for &pos in &seen {
        let text: String = lines[pos].spans.iter().map(|x| x.content.as_ref()).collect();
        assert!(text.contains("选课"), "line {pos}: {text}");
    }
    press(&mut st, "N");
    assert_eq!(st.archive.detail_scroll.pos, seen[1]);
    snap!("archive_dossier_match", st);
    press(&mut st, "esc esc");
    assert!(st.archive.hits.is_none());

    press(&mut st, "t");
    snap!("archive_timeline_prompt", st);
    press(&mut st, "enter");
    assert!(st.archive.timeline.is_some());
    // The timeline is of changes, filed or not, never combined with the search before it.
    assert!(st.archive.changes.is_some() && st.archive.answer.is_none());
    snap!("archive_timeline", st);
    press(&mut st, "esc");

    press(&mut st, "enter");
    assert!(st.archive.detail.is_some());
    snap!("archive_dossier", st);
}

/// The demo's autumn semester, typed into the period prompt.
fn on_autumn_report(st: &mut State) {
    press(st, "5 p home ctrl-k");
    type_text(st, "2026-09-01 2026-11-29");
    press(st, "enter");
    let r = st.reports.report.as_ref().expect("the report of the period");
    assert_eq!(
        (r.from.to_string(), r.to.to_string()),
        ("2026-09-01".into(), "2026-11-29".into())
    );
    assert!(!r.updates.is_empty());
}

/// The report's screen with the audit chain head blanked: other tests of this
/// binary read confidential reports on the shared demo (each read is audited),
/// so the head depends on the order the tests run in.
fn report_screen(st: &State, w: u16, h: u16) -> String {
    let text = screen(st, w, h);
    let mark = "审计链头 ";
    match text.find(mark) {
        Some(at) => {
            let from = at + mark.len();
            let end = text[from..].find('…').map_or(text.len(), |e| from + e);
            let blank = "#".repeat(beian::text::text_width(&text[from..end]));
            format!("{}{blank}{}", &text[..from], &text[end..])
        }
        None => text,
    }
}

macro_rules! report_snap {
    ($name:expr, $st:expr) => {{
        let st = &$st;
        insta::assert_snapshot!(format!("{}_80x24", $name), report_screen(st, 80, 24));
        insta::assert_snapshot!(format!("{}_120x40", $name), report_screen(st, 120, 40));
    }};
}

#[test]
fn reports_snapshots() {
    let _l = lang("zh-CN");
    let mut st = loaded();
    on_autumn_report(&mut st);
    report_snap!("reports_top", st);
    press(&mut st, "pgdown");
    assert!(st.reports.scroll.pos > 0);
    report_snap!("reports_scrolled", st);
    press(&mut st, "p");
    report_snap!("reports_period_prompt", st);
}

#[test]
fn popup_snapshots() {
    let _l = lang("zh-CN");
    let mut st = loaded();
    press(&mut st, "?");
    snap!("help", st);
    // Scrolling stops at the last page (at 120x40 everything fits: no scrolling).
    press(&mut st, "pgdown pgdown pgdown pgdown pgdown");
    snap!("help_scrolled", st);
    press(&mut st, "esc");

    press(&mut st, ":");
    type_text(&mut st, "驳回");
    snap!("palette", st);
    press(&mut st, "esc");

    press(&mut st, "x");
    type_text(&mut st, "不属于信息化管理中心职责范围，请联系后勤保障处");
    snap!("prompt_reject", st);
    press(&mut st, "esc");

    on_plan(&mut st, PlanStatus::Submitted);
    // Approving asks for the meeting-minutes reference; the prompt is the confirmation.
    press(&mut st, "A");
    assert!(matches!(st.popups.last(), Some(Popup::Prompt { .. })));
    type_text(&mut st, "信息化领导小组会议纪要〔2026〕12号");
    snap!("prompt_approve", st);
    press(&mut st, "esc");

    // Publishing the notice asks for confirmation, showing the notice text.
    on_plan(&mut st, PlanStatus::Approved);
    press(&mut st, "enter");
    press(&mut st, "N");
    assert!(matches!(st.popups.last(), Some(Popup::Confirm { .. })));
    snap!("confirm_notice", st);
    press(&mut st, "n");
}

/// The first screen, drawn from the newest requests and the counts before the
/// full lists arrive, is the very screen the full lists give (so the start-up
/// figure of docs/performance.md times a complete frame).
#[test]
fn first_screen_is_the_loaded_screen() {
    let _g = lang("zh-CN");
    let (total, new) = {
        let fx = fixture();
        let o = fx.service.overview(&fx.actor).unwrap();
        (o.requests, o.new_requests)
    };
    for (w, h) in [(120, 40), (80, 24), (100, 12), (60, 8)] {
        let fresh = || {
            let (keymap, issues) = Keymap::load(None);
            let roles = fixture().actor.roles.clone();
            State::new(ADMIN.into(), roles, LOCATION.into(), keymap, issues)
        };
        let mut first = fresh();
        // As the event loop asks: the terminal's height (here without the margin).
        send(
            &mut first,
            Msg::Reply(serve(Job::FirstScreen { rows: h as usize }).unwrap()),
        );
        assert!(first.loading, "the full lists have not come yet");
        assert_eq!(first.queue.partial, Some(total));
        assert!(
            first.queue.all.len() < total,
            "{w}×{h}: only the first screen is loaded"
        );
        let mut full = fresh();
        send(&mut full, Msg::Reply(serve(Job::LoadAll).unwrap()));
        assert_eq!(full.queue.partial, None);
        assert_eq!(screen(&first, w, h), screen(&full, w, h), "{w}×{h}");
        // The full lists replace the first screen, which changes nothing seen.
        send(&mut first, Msg::Reply(serve(Job::LoadAll).unwrap()));
        assert_eq!(first.queue.partial, None);
        assert_eq!(first.queue.all.len(), total);
        assert_eq!(screen(&first, w, h), screen(&full, w, h), "{w}×{h}, after the lists");
    }
    // A filter typed before the lists arrive applies to all of them once they do.
    let (keymap, issues) = Keymap::load(None);
    let roles = fixture().actor.roles.clone();
    let mut st = State::new(ADMIN.into(), roles, LOCATION.into(), keymap, issues);
    send(&mut st, Msg::Reply(serve(Job::FirstScreen { rows: 5 }).unwrap()));
    press(&mut st, "/");
    type_text(&mut st, "status:new");
    assert!(screen(&st, 120, 40).contains(&format!("…/{total}")));
    send(&mut st, Msg::Reply(serve(Job::LoadAll).unwrap()));
    assert_eq!(st.queue.visible.len(), new);
    assert!(screen(&st, 120, 40).contains(&format!("{new}/{total}")));
}

/// Erasing characters gives back the answers the shorter queries had (from the
/// filter's memory): the same rows, in the same order, as typing them afresh.
#[test]
fn erasing_the_filter_gives_the_answers_of_typing_afresh() {
    let _g = lang("zh-CN");
    let ids = |st: &State| -> Vec<Id> { st.queue.visible.iter().map(|&i| st.queue.all[i].id).collect() };
    let fresh = |q: &str| {
        let mut st = loaded();
        press(&mut st, "/");
        type_text(&mut st, q);
        ids(&st)
    };
    for q in ["教务 登录", "status:new 一卡", "vpn"] {
        let mut st = loaded();
        press(&mut st, "/");
        let chars: Vec<char> = q.chars().collect();
        type_text(&mut st, q);
        for n in (0..chars.len()).rev() {
            key(&mut st, key_event("backspace"));
            let prefix: String = chars[..n].iter().collect();
            assert_eq!(st.queue.filter.text(), prefix);
            assert_eq!(ids(&st), fresh(&prefix), "{prefix:?} after erasing");
        }
        // Typing again after erasing narrows from the remembered answer.
        type_text(&mut st, q);
        assert_eq!(ids(&st), fresh(q), "{q:?} typed again");
    }
}

/// Issue 16 §6: a word in Latin letters finds Chinese by its pinyin — in the
/// queue filter (exactly the rows a naive scan finds, a literal match first,
/// heteronyms by each reading), the timeline's system prompt and the palette.
#[test]
fn pinyin_finds_chinese_in_the_filter_the_timeline_and_the_palette() {
    use beian::search::pinyin;
    let _g = lang("zh-CN");
    let mut st = loaded();
    // Two rows of our own: one holding `jwgl` literally, one with heteronyms.
    let mut reply = serve(Job::LoadAll).unwrap();
    let Reply::All { requests, .. } = &mut reply else {
        panic!("LoadAll answers All")
    };
    let n = requests.len();
    requests[n - 1].title = "jwgl nginx 接口报错".into();
    requests[n - 2].title = "重置密码后行政楼无法上网".into();
    requests[n - 2].department = "网络中心".into();
    requests[n - 2].system = None;
    requests[n - 2].tags.clear();
    let (literal, heteronyms) = (requests[n - 1].id, requests[n - 2].id);
    send(&mut st, Msg::Reply(reply));
    let ids = |st: &State| -> Vec<Id> { st.queue.visible.iter().map(|&i| st.queue.all[i].id).collect() };
    let filtered = |st: &mut State, q: &str| {
        press(st, "/");
        type_text(st, q);
        let got = ids(st);
        press(st, "esc");
        got
    };

    let got = filtered(&mut st, "jwgl");
    assert_eq!(got.first(), Some(&literal), "the literal match first");
    // The others: exactly the rows whose fields match `jwgl` by pinyin.
    let mut naive: Vec<Id> = st
        .queue
        .all
        .iter()
        .filter(|r| r.id != literal)
        .filter(|r| {
            let text = format!(
                "{} {} {} {}",
                r.title,
                r.department,
                st.system_name(r.system),
                r.tags.join(" ")
            );
            pinyin::matches(&text, "jwgl")
        })
        .map(|r| r.id)
        .collect();
    let jw = st.systems.iter().find(|x| x.name == "教务管理系统").unwrap().id;
    assert!(
        st.queue
            .all
            .iter()
            .any(|r| r.system == Some(jw) && naive.contains(&r.id)),
        "the requests of 教务管理系统 are among them"
    );
    let mut rest = got[1..].to_vec();
    rest.sort_by_key(|id| id.key());
    naive.sort_by_key(|id| id.key());
    assert_eq!(rest, naive);
    assert_eq!(filtered(&mut st, "nginx"), [literal]);
    for q in ["chongzhi", "zhongzhi", "xingzheng", "hangzheng", "czmm"] {
        assert!(filtered(&mut st, q).contains(&heteronyms), "{q}");
    }
    assert!(!filtered(&mut st, "jiaowu").contains(&heteronyms));

    // The timeline's prompt takes the system by pinyin.
    press(&mut st, "4 t home ctrl-k");
    type_text(&mut st, "jwgl");
    press(&mut st, "enter");
    assert_eq!(st.archive.timeline, Some((jw, 30)));
    press(&mut st, "esc 1");

    // The palette: 提交审批 by its initials.
    press(&mut st, ":");
    type_text(&mut st, "tjsp");
    let entries = beian::tui::update::popups::palette_entries(&st, "tjsp");
    assert_eq!(
        entries.first(),
        Some(&beian::tui::update::popups::Entry::Command(
            beian::tui::action::Action::PlanSubmit
        )),
        "{entries:?}"
    );
    let entries = beian::tui::update::popups::palette_entries(&st, "sp");
    assert!(entries.contains(&beian::tui::update::popups::Entry::Command(
        beian::tui::action::Action::PlanApprove
    )));
    press(&mut st, "enter");
    assert_eq!(st.pane, beian::tui::action::Pane::Plans);
}

#[test]
fn keymap_issues_message() {
    let _l = lang("zh-CN");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("keymap.toml");
    std::fs::write(
        &file,
        "[queue]\nctrl-shift-x = \"queue.accept\"\nz = \"queue.explode\"\n\n[global]\ng = \"top\"\n",
    )
    .unwrap();
    let (keymap, issues) = Keymap::load(Some(&file));
    assert!(!issues.is_empty());
    let roles = fixture().actor.roles.clone();
    let mut st = State::new(ADMIN.into(), roles, LOCATION.into(), keymap, issues);
    // As `tui::run` shows them at start.
    let text = st
        .keymap_issues
        .iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join("\n");
    let text = text.replace(&dir.path().display().to_string(), "~/.config/beian");
    st.popups.push(Popup::Message {
        title: beian::i18n::t("tui.keymap_issues", &[]),
        text,
        scroll: 0,
    });
    send(&mut st, Msg::Reply(serve(Job::LoadAll).unwrap()));
    snap!("keymap_issues", st);
}

#[test]
fn too_small_and_toasts() {
    let _l = lang("zh-CN");
    let mut st = loaded();
    insta::assert_snapshot!("too_small_79x24", screen(&st, 79, 24));
    insta::assert_snapshot!("too_small_120x23", screen(&st, 120, 23));
    insta::assert_snapshot!("too_small_20x6", screen(&st, 20, 6));

    // Back to a usable size (keys do nothing behind the too-small screen), then an
    // error (saving an empty view) and a success (a command done).
    draw(&st, 80, 24);
    press(&mut st, "S");
    let outcome = beian::service::Outcome {
        entity: "REQ-2026-0300".into(),
        rev: Some(2),
        seq: 1,
        summary: String::new(),
    };
    send(
        &mut st,
        Msg::Reply(Reply::Done {
            label: "已驳回".into(),
            outcomes: vec![outcome],
        }),
    );
    assert_eq!(st.toasts.len(), 2);
    snap!("toasts", st);
}

#[test]
fn english_snapshots() {
    let _l = lang("en");
    let mut st = loaded();
    snap!("en_queue_list", st);
    press(&mut st, "?");
    snap!("en_help", st);
    press(&mut st, "esc");
    on_plan(&mut st, PlanStatus::Draft);
    press(&mut st, "enter");
    snap!("en_plans_draft_detail", st);
    press(&mut st, "e");
    snap!("en_plans_edit_form", st);
    // Discard the edit, close the plan: the tests pane follows the selected row.
    press(&mut st, "esc esc");
    on_plan(&mut st, PlanStatus::Testing);
    press(&mut st, "3");
    snap!("en_tests_failures", st);
}

// ---------------------------------------------------------------------------
// Every size from 1x1 to 300x100: no panic, and the screen stays well formed

fn each_size(mut check: impl FnMut(u16, u16)) {
    for h in [1, 2, 5, 10, 23, 24, 25, 40, 100] {
        for w in 1..=300 {
            check(w, h);
        }
    }
    for w in [1, 2, 40, 79, 80, 81, 120, 300] {
        for h in 1..=100 {
            check(w, h);
        }
    }
}

/// One terminal, resized between frames, like a user dragging the window. The
/// frames are checked, not sent to the backend (that is ratatui's part, and slow here).
fn resize_through(st: &State) {
    let mut term = Terminal::new(TestBackend::new(1, 1)).unwrap();
    each_size(|w, h| {
        term.resize(ratatui::layout::Rect::new(0, 0, w, h)).unwrap();
        term.current_buffer_mut().reset();
        ui::render(&mut term.get_frame(), st);
        let buf = term.current_buffer_mut();
        assert_eq!((buf.area.width, buf.area.height), (w, h));
        let bad = defects(buf);
        assert!(bad.is_empty(), "{w}x{h}: {bad:#?}\n{}", screen_text(buf));
    });
}

#[test]
fn every_size_with_a_popup_and_with_a_form() {
    let mut st = loaded();
    press(&mut st, "j enter ?");
    assert!(st.queue.detail.is_some() && matches!(st.popups.last(), Some(Popup::Help { .. })));
    resize_through(&st);

    press(&mut st, "esc 2");
    on_plan(&mut st, PlanStatus::Draft);
    press(&mut st, "e");
    assert!(matches!(st.popups.last(), Some(Popup::Form(_))));
    press(&mut st, "tab tab");
    type_text(&mut st, "补充：校园卡");
    st.toast("已保存草稿", false);
    resize_through(&st);

    // The reports pane, at the top and scrolled, under ASCII and without colour.
    let mut st = loaded();
    on_autumn_report(&mut st);
    resize_through(&st);
    press(&mut st, "pgdown j j");
    st.theme.ascii = true;
    st.theme.no_color = true;
    resize_through(&st);
}

// ---------------------------------------------------------------------------
// Hostile text in every record never reaches the terminal as controls

/// Text as an attacker (or a broken mail client) might send it: Chinese and
/// ASCII mixed with C0/C1 controls, escape sequences, DEL, bidi overrides and
/// isolates, zero-width characters, combining marks and emoji sequences.
fn hostile(rng: &mut rand::rngs::StdRng) -> String {
    use rand::Rng;
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
        "  ",
        "\n",
        "\r\n",
        "\r",
        "\t",
        "\x1b[31m",
        "\x1b[0m",
        "\x1b]0;title\x07",
        "\x1b[2J\x1b[H",
        "\x1bP+q\x1b\\",
        "\x1b",
        "\x7f",
        "\u{9b}31m",
        "\u{85}",
        "\u{202a}",
        "\u{202b}",
        "\u{202c}",
        "\u{202d}",
        "\u{202e}",
        "\u{2066}",
        "\u{2067}",
        "\u{2068}",
        "\u{2069}",
        "\u{200b}",
        "\u{200c}",
        "\u{200d}",
        "\u{200e}",
        "\u{200f}",
        "\u{2060}",
        "\u{feff}",
        "\u{61c}",
        "e\u{301}",
        "👍",
        "👨\u{200d}👩\u{200d}👧",
        "☺\u{fe0f}",
        "🇨🇳",
    ];
    let n = rng.random_range(0..14);
    let mut s = String::new();
    for _ in 0..n {
        if rng.random_bool(0.15) {
            // Any C0 or C1 control, or any character at all.
            let c = match rng.random_range(0..3) {
                0 => char::from_u32(rng.random_range(0..0x20)).unwrap(),
                1 => char::from_u32(rng.random_range(0x7f..0xa0)).unwrap(),
                _ => rng.random::<char>(),
            };
            s.push(c);
        } else {
            s.push_str(PIECES[rng.random_range(0..PIECES.len())]);
        }
    }
    s
}

/// Put hostile text into every user-provided string the panes and details show,
/// straight into the state (the core would have cleaned it on the way in).
fn poison(st: &mut State, next: &mut impl FnMut() -> String) {
    st.user = next();
    st.location = next();
    for sys in &mut st.systems {
        sys.name = next();
    }
    for r in &mut st.queue.all {
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
    for p in &mut st.plans.all {
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
    for d in &mut st.archive.all {
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
    for o in &mut st.supervision.orders {
        o.issuer = next();
        o.finding = next() + &next();
        o.required_action = next();
        o.target = OrderTarget::Department(next());
        o.responses.push(OrderResponse {
            text: next() + &next(),
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
        r.content = next() + &next();
        r.investigation = next();
        r.reporter_contact = Some(next());
        r.reply = Some(next());
        r.replied_by = Some(next());
    }
    for t in &mut st.toasts {
        t.text = next();
    }
}

/// Draw and insist that no cell holds a control, bidi or zero-width character
/// (and that wide characters are whole).
fn assert_clean(st: &State, w: u16, h: u16, what: &str) {
    let (buf, _) = draw(st, w, h);
    let bad = defects(&buf);
    assert!(bad.is_empty(), "{what} at {w}x{h}: {bad:#?}\n{}", screen_text(&buf));
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

#[test]
fn hostile_text_never_reaches_the_terminal() {
    use rand::{Rng, SeedableRng};
    let mut rng = rand::rngs::StdRng::seed_from_u64(0x0062_6569_616e);
    // A state with every part open: request detail, plan detail, tests, dossier.
    let mut base = loaded();
    press(&mut base, "6 j");
    assert!(!base.supervision.orders.is_empty() && base.supervision.reports.is_some());
    press(&mut base, "1 j enter");
    on_plan(&mut base, PlanStatus::Testing);
    press(&mut base, "enter 3 4 enter 1");
    assert!(base.queue.detail.is_some() && base.plans.detail.is_some());
    assert!(base.tests.plan.is_some() && base.archive.detail.is_some());

    let mut generated = 0usize;
    let rounds = 40;
    for round in 0..rounds {
        let pool: Vec<String> = (0..256).map(|_| hostile(&mut rng)).collect();
        generated += pool.len();
        let mut k = 0usize;
        let mut next = || {
            k += 1;
            pool[k % pool.len()].clone()
        };
        let mut st = copy(&base);
        st.toast("x", true);
        st.toast("y", false);
        poison(&mut st, &mut next);
        st.queue.views.push(next());
        let w = rng.random_range(80..=150);
        let h = rng.random_range(24..=50);
        for pane in beian::tui::action::Pane::ALL {
            st.pane = pane;
            assert_clean(&st, w, h, &format!("{pane:?}"));
        }
        // Popups whose text comes from records, and the plan editor filled from the plan.
        st.pane = beian::tui::action::Pane::Plans;
        st.popups.push(Popup::Message {
            title: next(),
            text: next() + &next(),
            scroll: 0,
        });
        assert_clean(&st, w, h, "message");
        st.popups.clear();
        st.popups.push(Popup::Confirm {
            message: next() + &next(),
            then: beian::tui::state::Confirmed::Job(Box::new(Job::LoadAll)),
        });
        assert_clean(&st, w, h, "confirm");
        st.popups.clear();
        press(&mut st, "e");
        assert!(matches!(st.popups.last(), Some(Popup::Form(_))), "round {round}");
        assert_clean(&st, w, h, "plan editor");
        // Typed (or pasted without bracketed paste) into fields, key by key.
        let typed = next();
        type_fast(&mut st, &typed);
        press(&mut st, "tab tab");
        type_fast(&mut st, &next());
        assert_clean(&st, w, h, "plan editor, typed");
        st.popups.clear();
        st.pane = beian::tui::action::Pane::Queue;
        press(&mut st, "/");
        type_fast(&mut st, &next());
        assert_clean(&st, w, h, "queue filter");
        press(&mut st, "enter 4 /");
        type_fast(&mut st, &next());
        assert_clean(&st, w, h, "archive search");
    }
    assert!(generated >= 10_000, "only {generated} strings");
}

/// A wrapped line that fills the field exactly: the terminal cursor (and the input
/// method's candidate window) goes where the next character will appear.
#[test]
fn cursor_after_a_line_that_fills_the_field() {
    let _l = lang("zh-CN");
    let mut st = loaded();
    press(&mut st, "n tab");
    let (buf, start) = draw(&st, 80, 24);
    let (x0, y0) = start.expect("the cursor is in the empty body field");
    assert!(screen_text(&buf).lines().nth(y0 as usize).unwrap().contains("正文"));
    let width = 80 - 3 - x0 as usize; // up to the form's right border (2 columns of margin)
    let fill: String = if width % 2 == 1 { "a".to_string() } else { String::new() } + &"满".repeat(width / 2);
    type_text(&mut st, &fill);
    let (_, cursor) = draw(&st, 80, 24);
    assert_eq!(cursor, Some((x0, y0 + 1)), "field {width} wide");
    type_text(&mut st, "行");
    let (_, cursor) = draw(&st, 80, 24);
    assert_eq!(cursor, Some((x0 + 2, y0 + 1)));
}

// ---------------------------------------------------------------------------
// The binary without a terminal

fn beian() -> std::process::Command {
    init_tz();
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_beian"));
    c.env("BEIAN_NO_SERVER", "1");
    c.env("BEIAN_LANG", "en")
        .env_remove("BEIAN_DB")
        .stdin(std::process::Stdio::null());
    c
}

#[test]
fn without_a_tty_demo_fills_the_database_and_the_ui_refuses() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("new");
    let out = beian().args(["demo", "--db"]).arg(&db).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{out:?}");
    assert!(stdout.contains(&db.display().to_string()), "{stdout}");
    // 300 requests, and two departments' problems reported after an update (issue 15 §3).
    for (what, n) in [("systems", 12), ("requests", 302), ("plans", 29)] {
        let line = stdout
            .lines()
            .find(|l| l.starts_with(what))
            .unwrap_or_else(|| panic!("{what}: {stdout}"));
        assert_eq!(line.split_whitespace().last(), Some(n.to_string().as_str()), "{stdout}");
    }
    assert!(db.join("db").exists());

    // No tty: the full-screen UI says so and exits non-zero, drawing nothing.
    let out = beian().arg("--db").arg(&db).output().unwrap();
    assert!(!out.status.success(), "{out:?}");
    assert!(out.stdout.is_empty(), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("needs a terminal") && stderr.contains("not a tty"),
        "{stderr}"
    );
    assert!(!stderr.contains('\x1b'), "no escape sequences: {stderr:?}");
}

// ---------------------------------------------------------------------------
// Importing a file from the queue pane

/// Feed a message to `update` and answer every job with the real worker on `b`,
/// its interim replies (import progress) first, like the event loop.
fn send_to(st: &mut State, msg: Msg, b: &dyn beian::service::Backend, progress: &mut Vec<(u64, u64)>) {
    for e in update(st, msg) {
        if let Effect::Job(j) = e {
            let mut interim = Vec::new();
            let r = beian::tui::worker::handle_with_progress(b, j, &mut |r| interim.push(r));
            for r in interim {
                if let Reply::ImportProgress {
                    done_bytes,
                    total_bytes,
                    ..
                } = r
                {
                    progress.push((done_bytes, total_bytes));
                    // The gauge is drawn while the file is read.
                    send_to(st, Msg::Reply(r), b, progress);
                    let text = screen_text(&draw(st, 80, 24).0);
                    assert!(text.contains("KiB"), "{text}");
                }
            }
            send_to(st, Msg::Reply(r), b, progress);
        }
    }
}

fn press_to(st: &mut State, keys: &str, b: &dyn beian::service::Backend, progress: &mut Vec<(u64, u64)>) {
    for k in keys.split_whitespace() {
        send_to(st, Msg::Input(Event::Key(key_event(k))), b, progress);
    }
}

#[test]
fn import_a_questionnaire_export_from_the_queue() {
    let _l = lang("zh-CN");
    // The shown state is the shared demo; the import runs on a copy of it of its own.
    let mut st = loaded();
    let dir = tempfile::tempdir().unwrap();
    let mut service = Service::create(dir.path(), ADMIN, true).unwrap();
    beian::demo::populate(&mut service, demo_now()).unwrap();
    let actor = service.actor_named(ADMIN, &[]);
    let backend = beian::service::Local::with_actor(service, actor.clone());
    let before = st.queue.all.len();
    assert_eq!(
        before,
        backend
            .service()
            .requests(&actor, &RequestFilter::default())
            .unwrap()
            .len()
    );

    let file =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import/questionnaire-export-utf8.csv");
    let mut progress = Vec::new();
    press_to(&mut st, "I", &backend, &mut progress);
    assert!(matches!(st.popups.last(), Some(Popup::Prompt { .. })));
    // A pasted path, quoted as file managers do, and an option as `beian import` takes it.
    send_to(
        &mut st,
        Msg::Input(Event::Paste(format!("'{}' --channel website", file.display()))),
        &backend,
        &mut progress,
    );
    press_to(&mut st, "enter", &backend, &mut progress);

    // Read with progress, ending at the whole file.
    let total = std::fs::metadata(&file).unwrap().len();
    assert_eq!(progress.first(), Some(&(0, total)));
    assert_eq!(progress.last(), Some(&(total, total)));
    let Some(Popup::Import(p)) = st.popups.last() else {
        panic!("no import popup: {:?}", st.popups)
    };
    let preview = p.preview.as_ref().expect("the preview");
    let created = preview.counts[0];
    assert!(created > 0, "{:?}", preview.counts);
    assert_eq!(preview.rows.len(), 10);
    let text = screen_text(&draw(&st, 80, 24).0);
    assert!(text.contains(&format!("将新建 {created} 条")), "{text}");
    insta::assert_snapshot!("import_preview_80x24", screen(&st, 80, 24));

    // Nothing is written before `y`.
    assert_eq!(
        backend
            .service()
            .requests(&actor, &RequestFilter::default())
            .unwrap()
            .len(),
        before
    );
    press_to(&mut st, "y", &backend, &mut progress);
    assert!(st.popups.is_empty(), "{:?}", st.popups);
    assert_eq!(st.queue.all.len(), before + created);
    // Imported with the option of the prompt.
    let website = backend
        .service()
        .requests(&actor, &RequestFilter::default())
        .unwrap()
        .iter()
        .filter(|r| r.channel == Channel::Website)
        .count();
    assert!(website >= created, "{website} < {created}");
    let toast = st.toasts.last().expect("a toast");
    assert!(
        !toast.error && toast.text.contains(&format!("新建 {created} 条")),
        "{toast:?}"
    );

    // The same file again: everything is skipped.
    press_to(&mut st, "I", &backend, &mut progress);
    send_to(
        &mut st,
        Msg::Input(Event::Paste(file.display().to_string())),
        &backend,
        &mut progress,
    );
    press_to(&mut st, "enter", &backend, &mut progress);
    let Some(Popup::Import(p)) = st.popups.last() else {
        panic!()
    };
    assert_eq!(p.preview.as_ref().unwrap().counts[0], 0);
    press_to(&mut st, "n", &backend, &mut progress);
    assert!(st.popups.is_empty());
    assert_eq!(st.queue.all.len(), before + created);
}

#[test]
fn import_errors_name_the_file_and_the_line() {
    let _l = lang("en");
    let mut st = loaded();
    let dir = tempfile::tempdir().unwrap();
    let service = Service::create(dir.path(), ADMIN, true).unwrap();
    let actor = service.actor_named(ADMIN, &[]);
    let backend = beian::service::Local::with_actor(service, actor.clone());
    let mut progress = Vec::new();

    // A file that is not there.
    press_to(&mut st, "I", &backend, &mut progress);
    let missing = dir.path().join("missing.csv");
    send_to(
        &mut st,
        Msg::Input(Event::Paste(missing.display().to_string())),
        &backend,
        &mut progress,
    );
    press_to(&mut st, "enter", &backend, &mut progress);
    assert!(st.popups.is_empty(), "{:?}", st.popups);
    let toast = st.toasts.last().unwrap();
    assert!(toast.error && toast.text.contains("missing.csv"), "{toast:?}");

    // A row without a title: the file, the line and the field.
    let bad = dir.path().join("bad.jsonl");
    std::fs::write(
        &bad,
        "{\"title\":\"ok\",\"submitter\":{\"name\":\"a\"}}\n{\"title\":\"\",\"submitter\":{\"name\":\"b\"}}\n",
    )
    .unwrap();
    press_to(&mut st, "I", &backend, &mut progress);
    send_to(
        &mut st,
        Msg::Input(Event::Paste(bad.display().to_string())),
        &backend,
        &mut progress,
    );
    press_to(&mut st, "enter", &backend, &mut progress);
    assert!(st.popups.is_empty(), "{:?}", st.popups);
    let toast = st.toasts.last().unwrap();
    assert!(toast.error && toast.text.contains("bad.jsonl line 2"), "{toast:?}");
    assert!(backend
        .service()
        .requests(&actor, &RequestFilter::default())
        .unwrap()
        .is_empty());
}

/// `E` in the queue and `C` in the archive write what is shown as CSV (issue 5):
/// UTF-8 with a BOM, one header row, one row per shown record.
/// Issue 15 §4: requests linked from the plan editor. On a draft plan `L`
/// opens a picker of the requests that could serve it — accepted ones first,
/// found by typing (fuzzy), several marked with Tab; one still new is listed
/// with the core's reason and cannot be marked; Enter links the marked ones
/// through the real worker (the same command as from the queue). The submit
/// confirmation then lists the linked requests; a plan with none warns.
#[test]
fn the_plan_editor_links_requests_from_a_picker() {
    let _l = lang("zh-CN");
    let dir = tempfile::tempdir().unwrap();
    let mut service = Service::create(dir.path(), ADMIN, true).unwrap();
    beian::demo::populate(&mut service, demo_now()).unwrap();
    let actor = service.actor_named(ADMIN, &[]);
    let backend = beian::service::Local::with_actor(service, actor.clone());
    let svc = |b: &beian::service::Local| b.service().requests(&actor, &RequestFilter::default()).unwrap();
    let (keymap, _) = Keymap::load(None);
    let mut st = State::new(ADMIN.into(), actor.roles.clone(), LOCATION.into(), keymap, Vec::new());
    let mut progress = Vec::new();
    let all = beian::tui::worker::handle(&backend, Job::LoadAll);
    send_to(&mut st, Msg::Reply(all), &backend, &mut progress);

    // A draft that links nothing yet; a complete draft; two accepted requests and a new one.
    let plans = backend.service().plans(&actor, &PlanFilter::default()).unwrap();
    let full = |id: Id| backend.service().plan(&actor, id).unwrap();
    let bare = plans
        .iter()
        .find(|p| p.status == PlanStatus::Draft && full(p.id).requests.is_empty())
        .expect("a draft without requests")
        .id;
    let draft = plans
        .iter()
        .find(|p| p.status == PlanStatus::Draft && beian::workflow::submit_missing(&full(p.id)).is_empty())
        .expect("a complete draft")
        .id;
    let linked_before = full(draft).requests;
    let requests = svc(&backend);
    let accepted: Vec<&RequestSummary> = requests
        .iter()
        .filter(|r| r.status == RequestStatus::Accepted)
        .collect();
    let (a, b) = (accepted[0].clone(), accepted[1].clone());
    let new = requests
        .iter()
        .find(|r| r.status == RequestStatus::New)
        .unwrap()
        .clone();

    press_to(&mut st, "2", &backend, &mut progress);
    beian::tui::update::plans::select(&mut st, bare);
    press_to(&mut st, "enter", &backend, &mut progress);
    assert_eq!(st.plans.detail.as_ref().map(|p| p.id), Some(bare));
    // No request linked: the detail says what submitting will warn about.
    let text = screen_text(&draw(&st, 120, 40).0);
    assert!(text.contains("未关联任何需求"), "{text}");
    press_to(&mut st, "esc", &backend, &mut progress);
    beian::tui::update::plans::select(&mut st, draft);
    press_to(&mut st, "enter", &backend, &mut progress);
    assert_eq!(st.plans.detail.as_ref().map(|p| p.id), Some(draft));
    // The key is offered (its label gives way on a full status bar).
    assert!(status_line(&st).contains(" L "), "{}", status_line(&st));

    press_to(&mut st, "L", &backend, &mut progress);
    assert!(
        matches!(st.popups.last(), Some(Popup::LinkPicker(_))),
        "{:?}",
        st.popups
    );
    let text = screen_text(&draw(&st, 120, 40).0);
    assert!(text.contains(&format!("为 {draft}")), "{text}");
    // Accepted requests come first.
    let first = text
        .lines()
        .find(|l| l.contains("REQ-"))
        .unwrap_or_default()
        .to_string();
    assert!(first.contains("已采纳"), "{first}\n{text}");

    // A new request: listed with the core's reason, not marked.
    type_text(&mut st, &new.id.to_string());
    let text = screen_text(&draw(&st, 120, 40).0);
    assert!(text.contains(&format!("{} [新建]", new.id)), "{text}");
    press_to(&mut st, "tab", &backend, &mut progress);
    let toast = st.toasts.last().expect("a toast");
    assert!(
        toast.error && toast.text.contains(&format!("{} 当前仍为「新建」，须先采纳", new.id)),
        "{toast:?}"
    );
    // Found by a piece of its title (fuzzy) and marked; then the second by id.
    press_to(&mut st, "esc", &backend, &mut progress);
    assert!(
        matches!(st.popups.last(), Some(Popup::LinkPicker(_))),
        "Esc clears the query first"
    );
    let piece: String = a.title.chars().take(4).collect();
    type_text(&mut st, &piece);
    let rows = {
        let Some(Popup::LinkPicker(p)) = st.popups.last() else {
            panic!()
        };
        beian::tui::update::link::candidates(&st, p)
    };
    let at = rows
        .iter()
        .position(|&i| st.queue.all[i].id == a.id)
        .expect("found by its title");
    for _ in 0..at {
        press_to(&mut st, "down", &backend, &mut progress);
    }
    press_to(&mut st, "tab", &backend, &mut progress);
    press_to(&mut st, "esc", &backend, &mut progress);
    type_text(&mut st, &b.id.to_string());
    press_to(&mut st, "tab", &backend, &mut progress);
    let Some(Popup::LinkPicker(p)) = st.popups.last() else {
        panic!()
    };
    assert_eq!(p.marked, vec![a.id, b.id]);
    assert!(screen_text(&draw(&st, 120, 40).0).contains("已选 2 项"));
    press_to(&mut st, "enter", &backend, &mut progress);
    assert!(st.popups.is_empty(), "{:?}", st.popups);
    let now = backend.service().plan(&actor, draft).unwrap();
    let mut want = linked_before.clone();
    want.extend([a.id, b.id]);
    assert_eq!(now.requests, want);
    for r in [a.id, b.id] {
        assert_eq!(
            backend.service().request(&actor, r).unwrap().status,
            RequestStatus::Planned
        );
    }
    assert_eq!(
        backend.service().request(&actor, new.id).unwrap().status,
        RequestStatus::New
    );

    // The submit confirmation lists them (no warning); `n` keeps the draft.
    press_to(&mut st, "enter", &backend, &mut progress);
    press_to(&mut st, "s", &backend, &mut progress);
    let Some(Popup::Confirm { message, .. }) = st.popups.last() else {
        panic!("no confirmation: {:?}", st.popups)
    };
    assert!(
        message.contains(&format!("关联需求（{} 项）", linked_before.len() + 2)),
        "{message}"
    );
    assert!(
        message.contains(&format!("{} [已排入计划] {}", a.id, a.title)),
        "{message}"
    );
    assert!(!message.contains("未关联任何需求"), "{message}");
    press_to(&mut st, "n", &backend, &mut progress);
    assert_eq!(backend.service().plan(&actor, draft).unwrap().status, PlanStatus::Draft);

    // An approved plan takes no links: the key is not offered, and says why.
    let approved = plans.iter().find(|p| p.status == PlanStatus::Approved).unwrap().id;
    beian::tui::update::plans::select(&mut st, approved);
    press_to(&mut st, "enter", &backend, &mut progress);
    assert!(!status_line(&st).contains("L 关联需求"), "{}", status_line(&st));
    press_to(&mut st, "L", &backend, &mut progress);
    assert!(st.popups.is_empty(), "{:?}", st.popups);
    let toast = st.toasts.last().expect("a toast");
    assert!(
        toast.error && toast.text.contains("需求只能在计划获批前关联"),
        "{toast:?}"
    );
}

/// Issue 15 §4 in the queue, through the real worker: a rejected and a
/// duplicate request reopened with a reason (`o`), a request taken off a draft
/// (`U`), a joint review of three requests convened (`V`), its position
/// refused while an analysis is missing, then recorded (`D`), listed (`v`);
/// the new-request form names the request a title looks like.
#[test]
fn reopen_unlink_and_a_joint_review_from_the_queue() {
    let _l = lang("zh-CN");
    let dir = tempfile::tempdir().unwrap();
    let mut service = Service::create(dir.path(), ADMIN, true).unwrap();
    beian::demo::populate(&mut service, demo_now()).unwrap();
    let actor = service.actor_named(ADMIN, &[]);
    let backend = beian::service::Local::with_actor(service, actor.clone());
    let (keymap, _) = Keymap::load(None);
    let mut st = State::new(ADMIN.into(), actor.roles.clone(), LOCATION.into(), keymap, Vec::new());
    let mut progress = Vec::new();
    let all = beian::tui::worker::handle(&backend, Job::LoadAll);
    send_to(&mut st, Msg::Reply(all), &backend, &mut progress);
    let status = |id: Id| backend.service().request(&actor, id).unwrap().status;
    let with = |s: RequestStatus| {
        backend
            .service()
            .requests(&actor, &RequestFilter::default())
            .unwrap()
            .into_iter()
            .filter(|r| r.status == s)
            .map(|r| r.id)
            .collect::<Vec<Id>>()
    };

    // Reopen a rejected and a duplicate request, each with a reason.
    for (s, reason) in [
        (RequestStatus::Rejected, "提交人补充了截图"),
        (RequestStatus::Duplicate, "并非同一问题"),
    ] {
        let id = with(s)[0];
        beian::tui::update::queue::select(&mut st, id);
        press_to(&mut st, "o", &backend, &mut progress);
        let Some(Popup::Prompt { label, .. }) = st.popups.last() else {
            panic!("no prompt: {:?}", st.popups)
        };
        assert!(label.contains(&format!("重新打开 {id}")), "{label}");
        type_text(&mut st, reason);
        press_to(&mut st, "enter", &backend, &mut progress);
        assert!(st.popups.is_empty(), "{:?}", st.popups);
        // Back to the status it was decided from.
        assert!(
            matches!(
                status(id),
                RequestStatus::New | RequestStatus::Triaged | RequestStatus::JointReview
            ),
            "{id}: {:?}",
            status(id)
        );
        let audit = backend.service().audit(&actor, Some(&id.to_string()), 1).unwrap();
        assert_eq!(audit[0].action, "request.reopen");
        assert!(audit[0].summary.contains(reason), "{:?}", audit[0]);
    }

    // Take a planned request off its draft plan.
    let plans = backend.service().plans(&actor, &PlanFilter::default()).unwrap();
    let planned = with(RequestStatus::Planned)
        .into_iter()
        .find(|r| {
            let p = backend.service().request(&actor, *r).unwrap().plan.unwrap();
            plans.iter().any(|x| x.id == p && x.status == PlanStatus::Draft)
        })
        .expect("a request planned in a draft");
    beian::tui::update::queue::select(&mut st, planned);
    press_to(&mut st, "U", &backend, &mut progress);
    type_text(&mut st, "并入下学期计划");
    press_to(&mut st, "enter", &backend, &mut progress);
    assert_eq!(status(planned), RequestStatus::Accepted);

    // A joint review of three new requests, marked in the queue.
    let new = with(RequestStatus::New);
    let three = [new[0], new[1], new[2]];
    for id in three {
        beian::tui::update::queue::select(&mut st, id);
        press_to(&mut st, "space", &backend, &mut progress);
    }
    assert_eq!(st.queue.marked.len(), 3);
    press_to(&mut st, "V", &backend, &mut progress);
    let Some(Popup::Form(f)) = st.popups.last() else {
        panic!("no form: {:?}", st.popups)
    };
    for id in three {
        assert!(f.value("requests").contains(&id.to_string()), "{}", f.value("requests"));
    }
    press_to(&mut st, "tab", &backend, &mut progress);
    type_text(&mut st, "三项需求专题研讨");
    press_to(&mut st, "tab", &backend, &mut progress);
    press_to(&mut st, "ctrl-u", &backend, &mut progress);
    type_text(&mut st, "教务处、学生工作部");
    press_to(&mut st, "ctrl-s", &backend, &mut progress);
    assert!(st.popups.is_empty(), "{:?} {:?}", st.popups, st.toasts.last());
    let reviews = backend.service().joint_reviews(&actor).unwrap();
    let jr = reviews.last().unwrap().clone();
    assert_eq!(jr.requests, three.to_vec());
    assert_eq!(jr.departments, ["教务处", "学生工作部"]);
    for id in three {
        assert_eq!(status(id), RequestStatus::JointReview);
    }
    // Accepting one alone says the review decides it.
    beian::tui::update::queue::select(&mut st, three[0]);
    press_to(&mut st, "a", &backend, &mut progress);
    let toast = st.toasts.last().unwrap();
    assert!(
        toast.error && toast.text.contains(&format!("已纳入专题研讨 {}", jr.id)),
        "{toast:?}"
    );
    st.popups.clear();
    // The position: refused while an analysis is missing (nothing changes) …
    press_to(&mut st, "D", &backend, &mut progress);
    let Some(Popup::Form(f)) = st.popups.last() else {
        panic!("no form: {:?}", st.popups)
    };
    assert!(f.title.contains(&jr.id.to_string()), "{}", f.title);
    type_text(&mut st, "同意前两项，第三项暂缓");
    press_to(&mut st, "tab tab", &backend, &mut progress);
    type_text(&mut st, &three[2].to_string());
    press_to(&mut st, "ctrl-s", &backend, &mut progress);
    let toast = st.toasts.last().unwrap();
    assert!(toast.error && toast.text.contains("须先填写分析才能受理"), "{toast:?}");
    assert_eq!(status(three[0]), RequestStatus::JointReview);
    // … then recorded once the two it accepts are analysed.
    for id in &three[..2] {
        backend
            .service()
            .execute(
                &actor,
                beian::service::Command::RequestEdit {
                    id: *id,
                    edit: beian::service::RequestEdit {
                        necessity: Some("多个学院反映".into()),
                        feasibility: Some("厂商可实现".into()),
                        ..Default::default()
                    },
                },
                None,
            )
            .unwrap();
    }
    press_to(&mut st, "ctrl-s", &backend, &mut progress);
    assert!(st.popups.is_empty(), "{:?} {:?}", st.popups, st.toasts.last());
    assert_eq!(
        three.map(status),
        [
            RequestStatus::Accepted,
            RequestStatus::Accepted,
            RequestStatus::Rejected
        ]
    );
    press_to(&mut st, "v", &backend, &mut progress);
    let Some(Popup::Message { text, .. }) = st.popups.last() else {
        panic!("no list: {:?}", st.popups)
    };
    assert!(
        text.contains(&jr.id.to_string()) && text.contains("同意前两项，第三项暂缓"),
        "{text}"
    );
    press_to(&mut st, "esc", &backend, &mut progress);

    // A new request whose title looks like one in the queue: the form names it.
    let like = backend.service().request(&actor, three[0]).unwrap();
    let system = backend.service().system(&actor, like.system.unwrap()).unwrap().name;
    press_to(&mut st, "esc n", &backend, &mut progress);
    type_text(&mut st, &like.title);
    // Alike only on the same system: chosen in the form's picker.
    press_to(&mut st, "tab tab tab", &backend, &mut progress);
    type_text(&mut st, &system);
    let Some(Popup::Form(f)) = st.popups.last() else {
        panic!()
    };
    let warning = f.warnings.get("title").cloned().unwrap_or_default();
    assert!(
        warning.contains("相似") && warning.contains("疑似重复 REQ-"),
        "{warning}"
    );
}

#[test]
fn the_shown_queue_and_archive_export_as_csv() {
    let _l = lang("zh-CN");
    let mut st = loaded();
    press(&mut st, "/");
    type_text(&mut st, "status:new");
    press(&mut st, "enter");
    let shown = st.queue.visible.len();
    assert!(shown > 0 && shown < st.queue.all.len(), "{shown}");
    let write = |fx: Vec<Effect>| {
        fx.into_iter()
            .find_map(|e| match e {
                Effect::Write { path, text } => Some((path, text)),
                _ => None,
            })
            .expect("a file is written")
    };
    let (path, text) = write(update(&mut st, Msg::Input(Event::Key(key_event("E")))));
    assert!(
        path.is_absolute()
            && path.file_name().unwrap().to_str().unwrap().starts_with("queue-")
            && path.extension().unwrap() == "csv"
    );
    assert!(text.starts_with('\u{feff}'), "BOM");
    let mut rdr = csv::ReaderBuilder::new().from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    assert!(
        rdr.headers().unwrap().iter().any(|h| h == "编号"),
        "{:?}",
        rdr.headers()
    );
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), shown);
    assert!(
        rows.iter().all(|r| r.iter().any(|c| c == "新建")),
        "only the filtered rows"
    );

    press(&mut st, "4 /");
    type_text(&mut st, "选课");
    press(&mut st, "enter");
    let hits = st.archive.shown().len();
    let (path, text) = write(update(&mut st, Msg::Input(Event::Key(key_event("C")))));
    assert!(path.is_absolute() && path.file_name().unwrap().to_str().unwrap().starts_with("archive-"));
    let rdr = csv::ReaderBuilder::new().from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    assert_eq!(rdr.into_records().count(), hits);
}

// ---------------------------------------------------------------------------
// Issue 13: the UI acts on what it shows, and shows the way

/// The ids a command acts on (its `id`, `plan` or `dossier` field) and its test item.
fn command_targets(cmd: &beian::service::Command) -> (Vec<Id>, Option<u32>) {
    let v = serde_json::to_value(cmd).unwrap();
    let ids = ["id", "plan", "dossier"]
        .iter()
        .filter_map(|k| v.get(*k).and_then(|x| x.as_str()).and_then(|x| x.parse().ok()))
        .collect();
    let item = v.get("item").and_then(|x| x.as_u64()).map(|n| n as u32);
    (ids, item)
}

/// A UI logged in as `user` with `roles` (the stand-in worker answers for them).
fn loaded_as(user: &str, roles: &[Role]) -> State {
    AS.with(|a| *a.borrow_mut() = Some(Actor::new(user, roles)));
    let (keymap, _) = Keymap::load(None);
    let mut st = State::new(user.into(), roles.to_vec(), LOCATION.into(), keymap, Vec::new());
    send(&mut st, Msg::Reply(serve(Job::LoadAll).unwrap()));
    st
}

fn status_line(st: &State) -> String {
    screen_text(&draw(st, 80, 24).0)
        .lines()
        .last()
        .unwrap_or_default()
        .to_string()
}

/// Acceptance: the status bar at 80x24, for a plan in each status and each
/// role, shows only the steps the core offers that user on that plan, and `?`.
#[test]
fn status_bar_shows_only_what_the_core_allows() {
    let _l = lang("zh-CN");
    let mut out = String::new();
    let statuses: Vec<PlanStatus> = {
        let st = loaded();
        PlanStatus::ALL
            .iter()
            .copied()
            .filter(|x| st.plans.all.iter().any(|p| p.status == *x))
            .collect()
    };
    assert!(statuses.len() >= 5, "the demo has plans in most states: {statuses:?}");
    for role in Role::ALL {
        for status in &statuses {
            let mut st = loaded_as("zhou", &[role]);
            on_plan(&mut st, *status);
            let bar = status_line(&st);
            assert!(bar.trim_end().ends_with("? 帮助"), "{role:?} {status:?}: {bar}");
            let offers = st.plans.detail_gates.as_ref().unwrap().offers.clone();
            for a in beian::tui::action::Action::ALL.iter().copied() {
                let (Some(step), beian::tui::action::Scope::Pane(beian::tui::action::Pane::Plans)) =
                    (a.step(), a.scope())
                else {
                    continue;
                };
                let key = st.keymap.keys_for(beian::tui::action::Pane::Plans, a)[0].clone();
                let shown = bar.split_whitespace().any(|w| w == key);
                assert_eq!(
                    shown,
                    offers.offered(step),
                    "{role:?} on a {status:?} plan: {} ({step}) in {bar:?}",
                    a.name()
                );
            }
            out.push_str(&format!(
                "{:<10} {:<16} {}\n",
                role.as_str(),
                status.as_str(),
                bar.trim_end()
            ));
        }
    }
    AS.with(|a| *a.borrow_mut() = None);
    insta::assert_snapshot!("status_bar_by_role_and_status", out);
}

/// Acceptance: the palette finds commands of every pane — `backup` from the
/// queue — and running one switches to its pane.
#[test]
fn palette_finds_backup_from_the_queue() {
    let _l = lang("zh-CN");
    let mut st = loaded();
    press(&mut st, ":");
    type_text(&mut st, "backup");
    let entries = beian::tui::update::popups::palette_entries(&st, "backup");
    assert!(
        matches!(
            entries.first(),
            Some(beian::tui::update::popups::Entry::Command(
                beian::tui::action::Action::TestBackup
            ))
        ),
        "{entries:?}"
    );
    press(&mut st, "enter");
    assert_eq!(st.pane, beian::tui::action::Pane::Tests);
    // Nothing matching says so.
    press(&mut st, "esc esc :");
    type_text(&mut st, "zzqqxx");
    assert!(screen(&st, 80, 24).contains("没有与“zzqqxx”匹配的命令"));
}

/// Acceptance: every preset's keys work in every popup — read from the keymap
/// files: each key bound (in the popup's layer or globally) to moving, opening,
/// leaving, yes or no does that in the popup.
#[test]
fn every_presets_keys_work_in_every_popup() {
    use beian::tui::action::{Action, Layer};
    use beian::tui::state::{Confirmed, Popup};
    let _l = lang("zh-CN");
    for preset in ["default", "vim", "emacs"] {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("keymap.toml");
        std::fs::write(&file, format!("preset = \"{preset}\"\n")).unwrap();
        let (keymap, issues) = Keymap::load(Some(&file));
        assert!(issues.is_empty(), "{preset}: {issues:?}");
        let fresh = || {
            let mut st = loaded();
            st.keymap = keymap.clone();
            st
        };
        let keys_of = |layer: Layer, a: Action| keymap.keys_in_layer(layer, a);
        let single = |k: &str| !k.contains(' ');
        // Help and message: down scrolls, back closes.
        for layer in [Layer::Help, Layer::Message] {
            let make = || match layer {
                Layer::Help => Popup::Help { scroll: 0 },
                _ => Popup::Message {
                    title: "t".into(),
                    text: "一\n二\n三".repeat(40),
                    scroll: 0,
                },
            };
            for k in keys_of(layer, Action::Down).into_iter().filter(|k| single(k)) {
                let mut st = fresh();
                st.popups.push(make());
                press(&mut st, &k);
                let scroll = match st.popups.last() {
                    Some(Popup::Help { scroll }) | Some(Popup::Message { scroll, .. }) => *scroll,
                    other => panic!("{preset} {k}: {other:?}"),
                };
                assert_eq!(scroll, 1, "{preset}: {k} scrolls the {} popup", layer.as_str());
            }
            for k in keys_of(layer, Action::Back).into_iter().filter(|k| single(k)) {
                let mut st = fresh();
                st.popups.push(make());
                press(&mut st, &k);
                assert!(
                    st.popups.is_empty(),
                    "{preset}: {k} closes the {} popup",
                    layer.as_str()
                );
            }
        }
        // The palette: down moves, back closes (typing letters types).
        for k in keys_of(Layer::Palette, Action::Down).into_iter().filter(|k| single(k)) {
            let mut st = fresh();
            press(&mut st, ":");
            press(&mut st, &k);
            match st.popups.last() {
                Some(Popup::Palette { cursor, .. }) => assert_eq!(cursor.selected, 1, "{preset}: {k}"),
                other => panic!("{preset} {k}: {other:?}"),
            }
        }
        for k in keys_of(Layer::Palette, Action::Back).into_iter().filter(|k| single(k)) {
            let mut st = fresh();
            press(&mut st, ":");
            press(&mut st, &k);
            assert!(st.popups.is_empty(), "{preset}: {k} closes the palette");
        }
        // Confirm: yes runs the job, no does not.
        for (a, runs) in [
            (Action::ConfirmYes, true),
            (Action::ConfirmNo, false),
            (Action::Back, false),
        ] {
            for k in keys_of(Layer::Confirm, a).into_iter().filter(|k| single(k)) {
                let mut st = fresh();
                st.popups.push(Popup::Confirm {
                    message: "确定？".into(),
                    then: Confirmed::Job(Box::new(Job::Verify)),
                });
                let fx = update(&mut st, Msg::Input(Event::Key(key_event(&k))));
                assert!(st.popups.is_empty(), "{preset}: {k} answers the confirmation");
                assert_eq!(
                    fx.iter().any(|e| matches!(e, Effect::Job(Job::Verify))),
                    runs,
                    "{preset}: {k} ({})",
                    a.name()
                );
            }
        }
        // A form: back leaves it (nothing typed yet).
        for k in keys_of(Layer::Form, Action::Back).into_iter().filter(|k| single(k)) {
            let mut st = fresh();
            press(&mut st, "n");
            assert!(matches!(st.popups.last(), Some(Popup::Form(_))), "{preset}");
            press(&mut st, &k);
            assert!(st.popups.is_empty(), "{preset}: {k} leaves the form");
        }
        // A form: the next-field keys move the focus.
        for k in keys_of(Layer::Form, Action::FormNext).into_iter().filter(|k| single(k)) {
            let mut st = fresh();
            press(&mut st, "n");
            press(&mut st, &k);
            match st.popups.last() {
                Some(Popup::Form(f)) => assert_eq!(f.focus, 1, "{preset}: {k} moves to the next field"),
                other => panic!("{preset} {k}: {other:?}"),
            }
        }
        // A prompt: back closes it.
        for k in keys_of(Layer::Prompt, Action::Back).into_iter().filter(|k| single(k)) {
            let mut st = fresh();
            press(&mut st, "j c");
            assert!(matches!(st.popups.last(), Some(Popup::Prompt { .. })), "{preset}");
            press(&mut st, &k);
            assert!(st.popups.is_empty(), "{preset}: {k} closes the prompt");
        }
    }
}

/// Acceptance (property): for random key sequences over the demo, every job the
/// UI sends acts on the record the screen showed when the key was pressed —
/// the selection, whose detail is the one shown (the UI says what it shows:
/// `State::shown`).
#[test]
fn every_action_targets_the_record_shown() {
    use rand::{Rng, SeedableRng};
    let _l = lang("zh-CN");
    const KEYS: &[&str] = &[
        "j", "k", "j", "j", "enter", "esc", "tab", "t", "a", "x", "d", "J", "p", "#", "c", "L", "space", "1", "2", "3",
        "s", "A", "R", "N", "I", "C", "F", "y", "n", "enter", "enter", "/", "G", "home", "r", "i", "w", "f", "b", "B",
        "l", "h", "u", "6", "O", "a",
    ];
    const WORDS: &[&str] = &["理由", "紧急", "高", "REQ-2026-0001", "网络", "PLAN-2026-0001"];
    let base = loaded();
    let mut rng = rand::rngs::StdRng::seed_from_u64(13);
    let (mut sent, mut supervision) = (0, 0);
    for case in 0..200 {
        let mut st = copy(&base);
        let mut trail = Vec::new();
        for _ in 0..40 {
            let shown = st.shown();
            let typing = matches!(st.popups.last(), Some(beian::tui::state::Popup::Prompt { .. }));
            let k = if typing && rng.random_bool(0.5) {
                WORDS[rng.random_range(0..WORDS.len())].to_string()
            } else {
                KEYS[rng.random_range(0..KEYS.len())].to_string()
            };
            trail.push(k.clone());
            let events: Vec<KeyEvent> = if k.chars().count() > 1 && !KEYS.contains(&k.as_str()) {
                k.chars()
                    .map(|c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
                    .collect()
            } else {
                vec![key_event(&k)]
            };
            for e in events {
                for fx in update(&mut st, Msg::Input(Event::Key(e))) {
                    let Effect::Job(job) = fx else { continue };
                    let cmds: Vec<beian::service::Command> = match job {
                        Job::Execute { cmd, .. } => vec![cmd],
                        Job::ExecuteMany { cmds, .. } => cmds.into_iter().map(|(c, _)| c).collect(),
                        other => {
                            if let Some(r) = serve(other) {
                                send(&mut st, Msg::Reply(r));
                            }
                            continue;
                        }
                    };
                    for cmd in cmds {
                        if matches!(
                            cmd,
                            beian::service::Command::PlanNew { .. } | beian::service::Command::RequestAdd { .. }
                        ) {
                            continue;
                        }
                        let (ids, item) = command_targets(&cmd);
                        let shown = shown
                            .as_ref()
                            .unwrap_or_else(|| panic!("case {case}: {cmd:?} with nothing shown; keys {trail:?}"));
                        assert!(
                            ids.iter().all(|id| shown.ids.contains(id)) && !ids.is_empty(),
                            "case {case}: {cmd:?} acts on {ids:?} but the screen showed {shown:?}; keys {trail:?}"
                        );
                        if let (Some(i), Some(s)) = (item, shown.item) {
                            assert_eq!(i, s, "case {case}: {cmd:?}; keys {trail:?}");
                        }
                        if cmd.name().starts_with("order.") || cmd.name().starts_with("report.") {
                            supervision += 1;
                        }
                        sent += 1;
                    }
                }
            }
            // An open detail shows the selected record (once its load is answered,
            // which the stand-in worker does at once), never another one.
            if st.queue.open {
                if let Some(sel) = beian::tui::update::queue::selected(&st) {
                    let shown = st.queue.detail.as_ref().map(|d| d.id);
                    assert_eq!(shown, Some(sel.id), "case {case}: keys {trail:?}");
                }
            }
        }
    }
    assert!(sent > 50, "the walks sent commands ({sent})");
    assert!(supervision > 0, "the walks sent no command in the supervision pane");
}

/// Behind the "terminal too small" screen keys do nothing (only quitting acts).
#[test]
fn too_small_screen_swallows_keys() {
    let _l = lang("zh-CN");
    let mut st = loaded();
    draw(&st, 60, 20);
    for k in ["2", "n", "x", ":", "j"] {
        send(&mut st, Msg::Input(Event::Key(key_event(k))));
    }
    assert_eq!(st.pane, beian::tui::action::Pane::Queue);
    assert!(st.popups.is_empty() && st.queue.cursor.selected == 0);
    send(&mut st, Msg::Input(Event::Key(key_event("q"))));
    assert!(st.quit);
    // Large enough again: keys act.
    let mut st = loaded();
    draw(&st, 80, 24);
    send(&mut st, Msg::Input(Event::Key(key_event("2"))));
    assert_eq!(st.pane, beian::tui::action::Pane::Plans);
}

// ---------------------------------------------------------------------------
// Issue 15 §5: the supervision pane (§5.1)

/// The supervision pane with the cursor on the row of `id`.
fn on_supervision_row(st: &mut State, id: &str) {
    press(st, "6 home");
    let i = beian::tui::update::supervision::rows(st)
        .iter()
        .position(|r| r.id().to_string() == id)
        .unwrap_or_else(|| panic!("{id} is not listed"));
    for _ in 0..i {
        press(st, "j");
    }
    assert_eq!(st.shown().map(|s| s.ids), Some(vec![id.parse().unwrap()]));
}

#[test]
fn supervision_snapshots() {
    let _l = lang("zh-CN");
    let mut st = loaded();
    // The demo's order reopened and extended (RO-2026-0001), its report turned
    // into an order (RPT-2026-0002), a report just received (RPT-2026-0004).
    on_supervision_row(&mut st, "RO-2026-0001");
    snap!("supervision_order_reopened", st);
    on_supervision_row(&mut st, "RO-2026-0003");
    press(&mut st, "enter pgdown");
    snap!("supervision_order_sent_back", st);
    press(&mut st, "esc");
    on_supervision_row(&mut st, "RPT-2026-0002");
    snap!("supervision_report_ordered", st);
    on_supervision_row(&mut st, "RPT-2026-0003");
    press(&mut st, "o");
    assert!(matches!(st.popups.last(), Some(Popup::Form(_))));
    snap!("supervision_to_order_form", st);
    press(&mut st, "esc");
    on_supervision_row(&mut st, "RO-2026-0004");
    press(&mut st, "e");
    snap!("supervision_extend_form", st);
}

#[test]
fn supervision_in_english() {
    let _l = lang("en");
    let mut st = loaded();
    on_supervision_row(&mut st, "RO-2026-0001");
    snap!("en_supervision_order_reopened", st);
}

/// The status bar on each order and report of the demo, for each role, shows
/// exactly the steps the core offers that user on that record, and `?`; a
/// user who may not read reports is not shown them.
#[test]
fn supervision_status_bar_shows_only_what_the_core_allows() {
    use beian::tui::action::{Action, Pane, Scope};
    let _l = lang("zh-CN");
    let mut out = String::new();
    for role in Role::ALL {
        let mut st = loaded_as("zhou", &[role]);
        press(&mut st, "6");
        let supervisor = role == Role::Supervisor;
        assert_eq!(st.supervision.reports.is_some(), supervisor, "{role:?}");
        let ids: Vec<String> = beian::tui::update::supervision::rows(&st)
            .iter()
            .map(|r| r.id().to_string())
            .collect();
        assert_eq!(ids.len(), if supervisor { 8 } else { 4 }, "{ids:?}");
        for id in ids {
            on_supervision_row(&mut st, &id);
            let bar = status_line(&st);
            assert!(bar.trim_end().ends_with("? 帮助"), "{role:?} {id}: {bar}");
            let offers = beian::tui::update::supervision::offers(&st).unwrap();
            for a in Action::ALL.iter().copied() {
                let (Some(step), Scope::Pane(Pane::Supervision)) = (a.step(), a.scope()) else {
                    continue;
                };
                let key = st.keymap.keys_for(Pane::Supervision, a)[0].clone();
                let shown = bar.split_whitespace().any(|w| w == key);
                assert_eq!(shown, offers.offered(step), "{role:?} on {id}: {} in {bar:?}", a.name());
            }
            out.push_str(&format!("{:<10} {:<14} {}\n", role.as_str(), id, bar.trim_end()));
        }
    }
    AS.with(|a| *a.borrow_mut() = None);
    insta::assert_snapshot!("supervision_status_bar_by_role", out);
}

/// Keys in the supervision pane send the core's commands on the record shown,
/// at the revision shown: extend (a form), send back (a prompt), reopen, close
/// (a confirmation), a report investigated, linked and turned into an order.
#[test]
fn supervision_keys_send_the_commands_on_the_record_shown() {
    use beian::service::Command as C;
    let _l = lang("zh-CN");
    // Press keys, type text, press more; the commands sent, with their revision.
    fn run(st: &mut State, steps: &[(&str, &str)]) -> Vec<(C, Option<u64>)> {
        let mut out = Vec::new();
        for (keys, text) in steps {
            for k in keys.split_whitespace() {
                for fx in update(st, Msg::Input(Event::Key(key_event(k)))) {
                    match fx {
                        Effect::Job(Job::Execute { cmd, expect_rev, .. }) => out.push((cmd, expect_rev)),
                        Effect::Job(j) => {
                            if let Some(r) = serve(j) {
                                send(st, Msg::Reply(r));
                            }
                        }
                        _ => {}
                    }
                }
            }
            type_text(st, text);
        }
        out
    }
    let mut st = loaded();
    on_supervision_row(&mut st, "RO-2026-0004");
    let rev = st
        .supervision
        .orders
        .iter()
        .find(|o| o.id.to_string() == "RO-2026-0004")
        .unwrap()
        .meta
        .rev;
    let sent = run(&mut st, &[("e", "2026-12-20"), ("tab", "等待厂商补丁"), ("ctrl-s", "")]);
    match sent.as_slice() {
        [(C::OrderExtend { id, deadline, reason }, r)] => {
            assert_eq!(id.to_string(), "RO-2026-0004");
            assert_eq!(deadline.to_string(), "2026-12-20");
            assert_eq!(reason, "等待厂商补丁");
            assert_eq!(*r, Some(rev));
        }
        other => panic!("{other:?}"),
    }
    // Sending back is offered only on a responded order: here a toast, no prompt.
    let sent = run(&mut st, &[("b", "")]);
    assert!(sent.is_empty() && st.popups.is_empty(), "{sent:?}");
    on_supervision_row(&mut st, "RO-2026-0003");
    let sent = run(&mut st, &[("b", "仍未补训"), ("enter", "")]);
    assert!(
        matches!(sent.as_slice(), [(C::OrderSendBack { reason, .. }, Some(_))] if reason == "仍未补训"),
        "{sent:?}"
    );
    let sent = run(&mut st, &[("C", ""), ("y", "")]);
    assert!(matches!(sent.as_slice(), [(C::OrderClose { .. }, Some(_))]), "{sent:?}");
    on_supervision_row(&mut st, "RO-2026-0002");
    let sent = run(&mut st, &[("O", "复查未通过"), ("enter", "")]);
    assert!(
        matches!(sent.as_slice(), [(C::OrderReopen { .. }, Some(_))]),
        "{sent:?}"
    );
    // A report: the reply is not offered before the investigation.
    on_supervision_row(&mut st, "RPT-2026-0004");
    let sent = run(&mut st, &[("a", "")]);
    assert!(sent.is_empty() && st.popups.is_empty(), "{sent:?}");
    assert!(st.toasts.last().unwrap().text.contains("尚未调查"), "{:?}", st.toasts);
    let sent = run(&mut st, &[("i", "测试账号确为真实学号"), ("enter", "")]);
    assert!(
        matches!(sent.as_slice(), [(C::ReportInvestigate { .. }, Some(_))]),
        "{sent:?}"
    );
    on_supervision_row(&mut st, "RPT-2026-0003");
    let sent = run(&mut st, &[("L", ""), ("ctrl-u", "PLAN-2026-0019"), ("enter", "")]);
    assert!(
        matches!(sent.as_slice(), [(C::ReportLink { plan, .. }, Some(_))] if plan.to_string() == "PLAN-2026-0019"),
        "{sent:?}"
    );
    // To an order: the form opens with the investigation as the finding.
    let sent = run(
        &mut st,
        &[
            ("o", ""),
            ("tab", "教务处"),
            ("tab tab", "补发通知"),
            ("tab", "2026-12-31"),
            ("ctrl-s", ""),
        ],
    );
    match sent.as_slice() {
        [(
            C::ReportToOrder {
                id,
                target,
                finding,
                required_action,
                deadline,
            },
            Some(_),
        )] => {
            assert_eq!(id.to_string(), "RPT-2026-0003");
            assert_eq!(target, &Some(OrderTarget::Department("教务处".into())));
            assert!(
                finding.as_deref().unwrap_or_default().contains("外聘教师"),
                "{finding:?}"
            );
            assert_eq!(required_action, "补发通知");
            assert_eq!(deadline.to_string(), "2026-12-31");
        }
        other => panic!("{other:?}"),
    }
}

// ---------------------------------------------------------------------------
// The schedule pane (9) and the effect chart of the reports pane (§3.2, §4.3)

#[test]
fn schedule_snapshots() {
    let _l = lang("zh-CN");
    let mut st = loaded();
    st.schedule.today = Some(demo_now().with_timezone(&chrono::Local).date_naive());
    press(&mut st, "9");
    assert_eq!(st.pane, beian::tui::action::Pane::Schedule);
    let sch = beian::tui::update::schedule::compute(&st);
    assert!(
        sch.conflicts
            .iter()
            .any(|c| c.kind == beian::workflow::forward::ConflictKind::Dependency),
        "{:?}",
        sch.conflicts
    );
    let text = screen(&st, 120, 40);
    assert!(text.contains("依赖系统") && text.contains("人事管理系统"), "{text}");
    snap!("schedule", st);
    // `]` one more week, `[` one fewer.
    press(&mut st, "]");
    assert_eq!(
        (
            st.schedule.weeks,
            beian::tui::update::schedule::compute(&st).weeks.len()
        ),
        (7, 7)
    );
    press(&mut st, "[ [");
    assert_eq!(st.schedule.weeks, 5);
    press(&mut st, "]");
    // Enter on the first window a conflict concerns: its plan in the plans pane.
    let slots = beian::tui::update::schedule::slots(&st);
    let target = sch
        .weeks
        .iter()
        .flat_map(|w| w.slots.iter())
        .find(|x| x.conflict)
        .expect("a conflicting window")
        .plan;
    let k = slots.iter().position(|p| *p == target).unwrap();
    for _ in 0..k {
        press(&mut st, "j");
    }
    assert_eq!(st.schedule.cursor.selected, k);
    snap!("schedule_selected", st);
    press(&mut st, "enter");
    assert_eq!(st.pane, beian::tui::action::Pane::Plans);
    assert_eq!(beian::tui::update::plans::selected(&st).map(|p| p.id), Some(target));
}

#[test]
fn effect_chart_snapshots() {
    let _l = lang("zh-CN");
    let mut st = loaded();
    on_autumn_report(&mut st);
    let e = &st.reports.report.as_ref().unwrap().effect;
    assert!(e.figures[0].updates > 0 && e.figures[0].rolled_back > 0, "{e:?}");
    for (w, h) in [(80u16, 24u16), (120, 40)] {
        // Where the effect heading is on the whole page, then scrolled to it.
        st.reports.scroll.pos = 0;
        let tall = report_screen(&st, w, 600);
        let row = tall
            .lines()
            .position(|l| l.contains("更新效果：各次更新的结果"))
            .expect("the effect chart's heading");
        st.reports.scroll.pos = row - 2;
        let text = report_screen(&st, w, h);
        assert!(text.contains("更新效果：各次更新的结果"), "{text}");
        insta::assert_snapshot!(format!("reports_effect_{w}x{h}"), text);
    }
}
// Attached files (issue 18 §1): the demo's PLAN-2026-0005 carries the vendor's test report

/// Select the plan `id` in the plans pane (its detail and files follow).
fn select_plan(st: &mut State, id: &str) {
    let at = st
        .plans
        .visible
        .iter()
        .position(|&i| st.plans.all[i].id.to_string() == id)
        .unwrap_or_else(|| panic!("{id} is not listed"));
    st.plans.cursor.selected = at;
}

#[test]
fn a_plan_detail_lists_its_attachments_and_the_attach_prompt_names_the_plan() {
    let _l = lang("zh-CN");
    let mut st = loaded();
    press(&mut st, "2");
    select_plan(&mut st, "PLAN-2026-0005");
    send(&mut st, Msg::Tick);
    let files = beian::tui::update::attach::listed(&st, "PLAN-2026-0005".parse().unwrap())
        .expect("the list")
        .to_vec();
    assert_eq!(files.len(), 1, "{files:?}");
    assert_eq!(files[0].kind, AttachmentKind::TestReport);
    // The detail's end: the files, with their kind, size and who attached them.
    st.plans.detail_scroll.pos = usize::MAX / 4;
    for (w, h) in [(80, 24), (120, 40)] {
        let text = screen_text(&draw(&st, w, h).0);
        assert!(text.contains("附件"), "{text}");
        // Wrapped in its column at 80 columns, whole at 120.
        assert!(
            text.contains(if w == 80 {
                "厂商测试报告"
            } else {
                "厂商测试报告.txt"
            }),
            "{text}"
        );
        assert!(text.contains("liuyang"), "{text}");
        assert!(text.contains(&files[0].sha256[..12]), "{text}");
    }
    insta::assert_snapshot!("plan_attachments_80x24", screen(&st, 80, 24));
    insta::assert_snapshot!("plan_attachments_120x40", screen(&st, 120, 40));

    // `+` asks for the path of the file, naming the plan the detail shows.
    press(&mut st, "+");
    let Some(Popup::Prompt { label, .. }) = st.popups.last() else {
        panic!("no prompt: {:?}", st.popups)
    };
    assert!(label.contains("PLAN-2026-0005"), "{label}");
    assert_eq!(st.shown().unwrap().ids[0].to_string(), "PLAN-2026-0005");
    insta::assert_snapshot!("attach_prompt_80x24", screen(&st, 80, 24));
    insta::assert_snapshot!("attach_prompt_120x40", screen(&st, 120, 40));
    press(&mut st, "esc");
    assert!(st.popups.is_empty());

    // The archive: a dossier lists its own files, each with the addendum that sealed it.
    press(&mut st, "4");
    let at = st
        .archive
        .shown()
        .iter()
        .position(|d| d.id.to_string() == "FILE-2026-0003")
        .expect("FILE-2026-0003 listed");
    st.archive.cursor.selected = at;
    press(&mut st, "enter");
    st.archive.detail_scroll.pos = usize::MAX / 4;
    let text = screen_text(&draw(&st, 120, 40).0);
    let row = text
        .lines()
        .find(|l| l.contains("现场培训签到表.csv"))
        .unwrap_or_default();
    for part in ["签到表", "wanglei", "FILE-2026-0003#1"] {
        assert!(row.contains(part), "{part}: {text}");
    }
}

#[test]
fn attach_a_file_through_the_prompt_see_it_listed_and_save_it_out() {
    let _l = lang("zh-CN");
    let dir = tempfile::tempdir().unwrap();
    let mut service = Service::create(dir.path(), ADMIN, true).unwrap();
    beian::demo::populate(&mut service, demo_now()).unwrap();
    let actor = service.actor_named(ADMIN, &[]);
    let backend = beian::service::Local::with_actor(service, actor.clone());
    let (keymap, _) = Keymap::load(None);
    let mut st = State::new(ADMIN.into(), actor.roles.clone(), LOCATION.into(), keymap, Vec::new());
    let mut progress = Vec::new();
    let all = beian::tui::worker::handle(&backend, Job::LoadAll);
    send_to(&mut st, Msg::Reply(all), &backend, &mut progress);
    press_to(&mut st, "2", &backend, &mut progress);
    select_plan(&mut st, "PLAN-2026-0005");
    send_to(&mut st, Msg::Tick, &backend, &mut progress);
    let plan: Id = "PLAN-2026-0005".parse().unwrap();
    assert_eq!(beian::tui::update::attach::listed(&st, plan).map(|l| l.len()), Some(1));

    // A scanned sign-in sheet, its path completed with Tab, its kind chosen by number.
    let files = tempfile::tempdir().unwrap();
    let bytes: Vec<u8> = (0..70_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let path = files.path().join("培训签到表 第二场.pdf");
    std::fs::write(&path, &bytes).unwrap();
    press_to(&mut st, "+", &backend, &mut progress);
    send_to(
        &mut st,
        Msg::Input(Event::Paste(format!("{}/培训", files.path().display()))),
        &backend,
        &mut progress,
    );
    press_to(&mut st, "tab", &backend, &mut progress);
    let Some(Popup::Prompt { input, .. }) = st.popups.last() else {
        panic!("no prompt: {:?}", st.popups)
    };
    assert_eq!(input.text(), path.display().to_string());
    press_to(&mut st, "enter", &backend, &mut progress);
    let Some(Popup::Prompt { label, .. }) = st.popups.last() else {
        panic!("no kind prompt: {:?}", st.popups)
    };
    assert!(
        label.contains("签到表") && label.contains("培训签到表 第二场.pdf"),
        "{label}"
    );
    let sheet = AttachmentKind::ALL
        .iter()
        .position(|k| *k == AttachmentKind::SignInSheet)
        .unwrap()
        + 1;
    send_to(
        &mut st,
        Msg::Input(Event::Paste(sheet.to_string())),
        &backend,
        &mut progress,
    );
    press_to(&mut st, "enter", &backend, &mut progress);
    assert!(st.popups.is_empty(), "{:?}", st.popups);
    let toast = st.toasts.last().expect("a toast");
    assert!(
        !toast.error && toast.text.contains("培训签到表 第二场.pdf"),
        "{toast:?}"
    );
    // Listed again from the core: the new file, its kind, size and hash.
    let list = beian::tui::update::attach::listed(&st, plan)
        .expect("the list")
        .to_vec();
    assert_eq!(list.len(), 2, "{list:?}");
    let new = &list[1];
    assert_eq!(
        (new.name.as_str(), new.kind, new.size),
        ("培训签到表 第二场.pdf", AttachmentKind::SignInSheet, bytes.len() as u64)
    );
    assert_eq!(new.sha256, beian::model::sha256_hex(&bytes));
    // Filed: the file is sealed by an addendum of the dossier, and the detail says which.
    assert!(
        new.addendum.as_deref().is_some_and(|a| a.starts_with("FILE-")),
        "{new:?}"
    );
    assert!(toast.text.ends_with("PLAN-2026-0005"), "{toast:?}");
    st.plans.detail_scroll.pos = usize::MAX / 4;
    st.toasts.clear();
    let text = screen_text(&draw(&st, 120, 40).0);
    assert!(text.contains("培训签到表 第二场.pdf"), "{text}");
    assert!(text.contains(new.addendum.as_deref().unwrap()), "{text}");

    // The same file again: the core refuses the name, and the toast names the file.
    press_to(&mut st, "+", &backend, &mut progress);
    send_to(
        &mut st,
        Msg::Input(Event::Paste(path.display().to_string())),
        &backend,
        &mut progress,
    );
    press_to(&mut st, "enter enter", &backend, &mut progress);
    let toast = st.toasts.last().expect("a toast");
    assert!(
        toast.error && toast.text.starts_with("培训签到表 第二场.pdf"),
        "{toast:?}"
    );
    assert_eq!(backend.service().attachments(&actor, plan).unwrap().len(), 2);

    // `=` saves one out: which one, then where.
    press_to(&mut st, "=", &backend, &mut progress);
    send_to(&mut st, Msg::Input(Event::Paste("#2".into())), &backend, &mut progress);
    press_to(&mut st, "enter", &backend, &mut progress);
    let Some(Popup::Prompt { label, .. }) = st.popups.last() else {
        panic!("no path prompt: {:?}", st.popups)
    };
    assert!(label.contains("培训签到表 第二场.pdf"), "{label}");
    let out = files.path().join("saved.pdf");
    press_to(&mut st, "ctrl-u", &backend, &mut progress);
    send_to(
        &mut st,
        Msg::Input(Event::Paste(out.display().to_string())),
        &backend,
        &mut progress,
    );
    press_to(&mut st, "enter", &backend, &mut progress);
    assert_eq!(std::fs::read(&out).unwrap(), bytes);
    let toast = st.toasts.last().expect("a toast");
    assert!(!toast.error && toast.text.contains("saved.pdf"), "{toast:?}");
}

/// Pane 8 (issue 17): the register of the demo, then the outbox with each
/// message's state, at 80×24 and 120×40, in Chinese; `t` switches.
#[test]
fn register_and_outbox_pane() {
    let _l = lang("zh-CN");
    let mut st = loaded();
    press(&mut st, "8");
    assert_eq!(st.pane, beian::tui::action::Pane::Register);
    let text = screen(&st, 80, 24);
    assert!(
        text.contains("王磊") && text.contains("wanglei@example.edu.cn"),
        "{text}"
    );
    assert!(text.contains("8名录与邮件"), "the tab shows while open: {text}");
    press(&mut st, "t");
    assert_eq!(st.register.view, beian::tui::state::RegisterView::Outbox);
    let text = screen(&st, 120, 40);
    assert!(text.contains("发件箱") && text.contains("待发送"), "{text}");
    assert!(text.contains("MAIL-"), "{text}");
    snap!("register_outbox", st);
    press(&mut st, "t");
    assert_eq!(st.register.view, beian::tui::state::RegisterView::Names);
}

/// Pane 8's third view (issue 18 §3): the names the demo's records write that
/// the register does not settle, with where, how often and whom they could
/// be, at 80×24 and 120×40 in Chinese; `r` opens the form for the name under
/// the cursor with its first candidate (if any) filled in.
#[test]
fn register_names_to_resolve() {
    let _l = lang("zh-CN");
    let mut st = loaded();
    press(&mut st, "8 t t");
    assert_eq!(st.register.view, beian::tui::state::RegisterView::Names);
    let names = beian::tui::update::register::names(&st).to_vec();
    assert!(!names.is_empty(), "the demo has names to resolve");
    let text = screen(&st, 80, 24);
    assert!(text.contains("待确认的名字"), "{text}");
    let first: String = names[0].text.chars().take(6).collect();
    assert!(text.contains(&first), "{text}");
    snap!("register_names", st);
    press(&mut st, "r");
    let text = screen(&st, 80, 24);
    assert!(text.contains("确认名字所指") && text.contains(&first), "{text}");
    if let Some(c) = names[0].candidates.first() {
        assert!(text.contains(&c.id.to_string()), "{text}");
    }
    press(&mut st, "esc");
    // The register view: `a` opens the new person form on a person row.
    press(&mut st, "t");
    press(&mut st, "a");
    let text = screen(&st, 80, 24);
    assert!(text.contains("新增人员") && text.contains("邮件语言"), "{text}");
    snap!("register_new_person", st);
}
