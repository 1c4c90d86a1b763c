//! The terminal UI: `beian` with no subcommand.
//!
//! Threads: one reads terminal input, one waits for signals, the worker owns the
//! database ([`worker`]); all send [`Msg`]s to the event loop, which calls the pure
//! [`update::update`] and draws from `&State` ([`ui`]). Keystrokes never wait on
//! the disk. The terminal is restored on quit, panic, SIGTERM, SIGHUP and when the
//! pty goes away; the draft of a form being edited is saved as it is typed.

pub mod action;
pub mod drafts;
mod filter;
pub mod input;
pub mod keymap;
pub mod state;
pub mod ui;
pub mod update;
pub mod views;
pub mod worker;

use std::io::{IsTerminal, Write};
use std::sync::mpsc;
use std::time::Duration;

use crossterm::event::{self, DisableBracketedPaste, EnableBracketedPaste, Event};
use crossterm::execute;
use crossterm::terminal::{self, EnterAlternateScreen, LeaveAlternateScreen};
use ratatui::backend::CrosstermBackend;
use ratatui::Terminal;

use crate::error::{Error, Result};
use crate::service::Backend;

/// What the event loop receives.
#[derive(Debug)]
pub enum Msg {
    Input(Event),
    Reply(worker::Reply),
    /// A change committed on the server (by this user or another).
    Changed(crate::server::Changed),
    Tick,
    /// SIGTERM, SIGHUP, SIGINT or the terminal going away.
    Quit,
}

/// How the UI looks.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub ascii: bool,
    pub no_color: bool,
}

/// Put the terminal back the way it was. Safe to call more than once.
pub fn restore_terminal() {
    let _ = terminal::disable_raw_mode();
    let mut out = std::io::stdout();
    let _ = execute!(
        out,
        DisableBracketedPaste,
        LeaveAlternateScreen,
        crossterm::cursor::Show
    );
    let _ = out.flush();
}

/// Is there a terminal to draw on?
pub fn have_terminal() -> bool {
    std::io::stdin().is_terminal() && std::io::stdout().is_terminal()
}

/// Where the drafts of this user for this database go: beside a database of our
/// own, else (a client of a server) under `$XDG_STATE_HOME/beian/drafts`, one
/// folder per server socket.
fn draft_dir(backend: &dyn Backend) -> std::path::PathBuf {
    let user = &backend.actor().name;
    if !backend.is_remote() {
        return std::path::Path::new(&backend.location()).join("drafts").join(user);
    }
    use etcetera::BaseStrategy;
    let base = etcetera::choose_base_strategy()
        .map(|s| s.state_dir().unwrap_or_else(|| s.data_dir()))
        .unwrap_or_else(|_| std::env::temp_dir());
    let server: String = backend
        .location()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '.' { c } else { '_' })
        .collect();
    base.join("beian").join("drafts").join(server).join(user)
}

/// Run the UI until the user quits, on a database of our own or as a client of
/// `beian serve` (then changes by anyone appear as they are committed).
pub fn run(backend: Box<dyn Backend>, opts: Options) -> Result<()> {
    if !have_terminal() {
        return Err(Error::NoTerminal);
    }
    let actor = backend.actor().clone();
    let (keymap, issues) = keymap::Keymap::load(keymap::Keymap::user_path().as_deref());
    let location = backend.location();
    let draft_dir = draft_dir(backend.as_ref());
    let mut state = state::State::new(actor.name.clone(), actor.roles.clone(), location, keymap, issues);
    // What needs attention is the first thing shown, when there is something.
    state.attention.open_when_loaded = true;
    // Opened with `--as`: the status bar says so, as after `:as`.
    state.via = actor.via.clone();
    state.theme = state::Theme {
        ascii: opts.ascii,
        no_color: opts.no_color || std::env::var_os("NO_COLOR").is_some(),
    };
    if !state.keymap_issues.is_empty() {
        let text = state
            .keymap_issues
            .iter()
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join("\n");
        state.popups.push(state::Popup::Message {
            title: crate::i18n::t("tui.keymap_issues", &[]),
            text,
            scroll: 0,
        });
    }
    if let Some(p) = views::path() {
        state.queue.views = views::load(&p);
    }
    // Exports go to $BEIAN_EXPORT_DIR, else the working directory (the toast gives the full path).
    state.export_dir = std::env::var_os("BEIAN_EXPORT_DIR")
        .filter(|d| !d.is_empty())
        .map(std::path::PathBuf::from);
    // A draft left by a dropped connection comes back first.
    if let Some(d) = drafts::load(&draft_dir) {
        update::forms::restore(&mut state, d);
    }

    let (tx, rx) = mpsc::channel::<Msg>();
    let (jobs_tx, jobs_rx) = mpsc::channel::<worker::Job>();
    if let Some(changes) = backend.subscribe() {
        // Live updates: every change committed on the server, by anyone.
        let tx = tx.clone();
        std::thread::spawn(move || {
            for c in changes {
                if tx.send(Msg::Changed(c)).is_err() {
                    break;
                }
            }
        });
    }
    {
        let tx = tx.clone();
        std::thread::spawn(move || worker::run(backend, jobs_rx, tx));
    }
    {
        let tx = tx.clone();
        std::thread::spawn(move || loop {
            match event::poll(Duration::from_millis(500)) {
                Ok(true) => match event::read() {
                    Ok(e) => {
                        if tx.send(Msg::Input(e)).is_err() {
                            break;
                        }
                    }
                    Err(_) => {
                        let _ = tx.send(Msg::Quit);
                        break;
                    }
                },
                Ok(false) => {
                    if tx.send(Msg::Tick).is_err() {
                        break;
                    }
                }
                Err(_) => {
                    let _ = tx.send(Msg::Quit);
                    break;
                }
            }
        });
    }
    {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
        let mut signals = signal_hook::iterator::Signals::new([SIGHUP, SIGTERM, SIGINT]).map_err(|e| Error::Io {
            path: "signals".into(),
            detail: e.to_string(),
        })?;
        let tx = tx.clone();
        std::thread::spawn(move || {
            if signals.forever().next().is_some() {
                let _ = tx.send(Msg::Quit);
            }
        });
    }

    terminal::enable_raw_mode().map_err(|e| Error::io(std::path::Path::new("tty"), e))?;
    let prev_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        // The worker catches its own panics and reports them as errors; only a
        // panic of the UI thread ends the program, and then the terminal comes back first.
        if std::thread::current().name() == Some("main") {
            restore_terminal();
            prev_hook(info);
        }
    }));
    let mut out = std::io::stdout();
    let _ = execute!(out, EnterAlternateScreen, EnableBracketedPaste);
    let drafts = drafts::Writer::start(&draft_dir);
    let result = event_loop(&mut state, &rx, &jobs_tx, &drafts);
    drop(drafts);
    restore_terminal();
    result
}

/// Fault injection for the terminal-restore tests, in debug builds only:
/// `BEIAN_FAULT=panic` makes the UI thread panic right after its first frame.
#[cfg(debug_assertions)]
fn inject_fault(terminal: &mut Terminal<CrosstermBackend<std::io::Stdout>>, state: &state::State) {
    if std::env::var_os("BEIAN_FAULT").is_some_and(|v| v == "panic") {
        let _ = terminal.draw(|f| ui::render(f, state));
        panic!("injected fault (BEIAN_FAULT=panic)");
    }
}

fn event_loop(
    state: &mut state::State,
    rx: &mpsc::Receiver<Msg>,
    jobs: &mpsc::Sender<worker::Job>,
    drafts: &drafts::Writer,
) -> Result<()> {
    let backend = CrosstermBackend::new(std::io::stdout());
    let mut terminal = Terminal::new(backend).map_err(|e| Error::io(std::path::Path::new("tty"), e))?;
    // The first screen first (a few hundred records), then the full lists, then
    // the integrity check (the worker takes them in this order).
    let rows = terminal.size().map(|s| s.height as usize).unwrap_or(50) + 50;
    let _ = jobs.send(worker::Job::FirstScreen { rows });
    // What needs attention before the full lists: the UI opens on it.
    let _ = jobs.send(worker::Job::Attention);
    let _ = jobs.send(worker::Job::LoadAll);
    let _ = jobs.send(worker::Job::Verify);
    #[cfg(debug_assertions)]
    inject_fault(&mut terminal, state);
    // For the start-up benchmark (scripts/bench.sh): quit right after the first
    // frame drawn with the data loaded — the first screen's (`=1`), or every
    // list's (`=all`).
    let exit_after = std::env::var("BEIAN_EXIT_AFTER_FIRST_FRAME").ok();
    let mut redraw = true;
    loop {
        // A tick with nothing on a timer (no toast counting down) changes nothing
        // on screen: no frame, so an idle session writes nothing over SSH.
        if redraw && terminal.draw(|f| ui::render(f, state)).is_err() {
            // The terminal is gone (pty closed): keep the draft, stop.
            break;
        }
        match exit_after.as_deref() {
            Some("all") if !state.loading => return Ok(()),
            Some(v) if v != "all" && (!state.loading || state.queue.partial.is_some()) => return Ok(()),
            _ => {}
        }
        let Ok(first) = rx.recv() else { break };
        // Take everything already waiting before drawing again (fast typing over slow links).
        let mut batch = vec![first];
        while let Ok(m) = rx.try_recv() {
            batch.push(m);
        }
        redraw = !state.toasts.is_empty() || batch.iter().any(|m| !matches!(m, Msg::Tick));
        for msg in batch {
            for effect in update::update(state, msg) {
                match effect {
                    update::Effect::Job(j) => {
                        let _ = jobs.send(j);
                    }
                    update::Effect::Write { path, text } => match crate::fsutil::write_export(&path, &text) {
                        Ok(()) => state.toast(
                            crate::i18n::t("tui.exported", &[("path", path.display().to_string())]),
                            false,
                        ),
                        Err(e) => state.toast(e.message(), true),
                    },
                    update::Effect::Draft(d) => drafts.save(d),
                    update::Effect::SaveViews(v) => {
                        if let Some(p) = views::path() {
                            if let Err(e) = views::save(&p, &v) {
                                state.toast(Error::io(&p, e).message(), true);
                            }
                        }
                    }
                }
            }
            if state.quit {
                return Ok(());
            }
        }
    }
    Ok(())
}
