//! The UI in a pty for end-to-end tests: the real binary under portable-pty, its
//! output read through a terminal emulator (vt100), bounded waits everywhere.
//! (The same harness as tests/tui_e2e.rs, shared by the newer pty tests.)
#![allow(dead_code)]

use std::io::{Read, Write};
use std::os::fd::{AsFd, BorrowedFd};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use portable_pty::{native_pty_system, Child, CommandBuilder, MasterPty, PtySize};

/// Keys as the terminal sends them.
pub mod key {
    pub const ENTER: &str = "\r";
    pub const TAB: &str = "\t";
    pub const ESC: &str = "\x1b";
    pub const CTRL_S: &str = "\x13";
    pub const BACKSPACE: &str = "\x7f";
    pub const BACKTAB: &str = "\x1b[Z";
    pub const HOME: &str = "\x1b[H";
}

/// Backspace `n` times (to clear what a form field offers).
pub fn erase(n: usize) -> String {
    key::BACKSPACE.repeat(n)
}

/// The line of the screen that shows `text`.
#[track_caller]
pub fn line_with<'a>(screen: &'a str, text: &str) -> &'a str {
    screen
        .lines()
        .find(|l| l.contains(text))
        .unwrap_or_else(|| panic!("no line with {text:?} in:\n{screen}"))
}

/// Does one line of `screen` show all of `parts`?
pub fn has_line(screen: &str, parts: &[&str]) -> bool {
    screen.lines().any(|l| parts.iter().all(|p| l.contains(p)))
}

pub struct Tui {
    pub master: Option<Box<dyn MasterPty + Send>>,
    writer: Option<Box<dyn Write + Send>>,
    pub child: Box<dyn Child + Send + Sync>,
    pub parser: Arc<Mutex<vt100::Parser>>,
    raw: Arc<Mutex<Vec<u8>>>,
    stop: Arc<AtomicBool>,
    reader: Option<JoinHandle<()>>,
    /// The pty's other end, opened again (never read): whether the child has
    /// read what was typed is whether its input queue is empty.
    slave: Option<std::fs::File>,
}

/// How a frame of the UI ends on the wire: ratatui hides the cursor after the
/// cells, or shows it and puts it at the edit point (`ESC[?25h ESC[r;cH`).
fn ends_a_frame(raw: &[u8]) -> bool {
    if raw.ends_with(b"\x1b[?25l") {
        return true;
    }
    let Some(at) = raw.windows(6).rposition(|w| w == b"\x1b[?25h") else {
        return false;
    };
    let rest = &raw[at + 6..];
    rest.len() >= 6
        && rest.starts_with(b"\x1b[")
        && rest.ends_with(b"H")
        && rest[2..rest.len() - 1].iter().all(|b| b.is_ascii_digit() || *b == b';')
}

impl Tui {
    pub fn spawn(cmd: CommandBuilder, cols: u16, rows: u16) -> Tui {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("openpty");
        let child = pair.slave.spawn_command(cmd).expect("spawn in the pty");
        // The child has the slave now; ours must go, or the pty never closes.
        drop(pair.slave);
        let master = pair.master;
        // A reader and a writer of our own (dups of the master): the reader polls, so
        // that it can be stopped and the pty really closes when the master is dropped;
        // the writer does not type "\n^D" when dropped, as portable-pty's does.
        let fd = master.as_raw_fd().expect("master fd");
        let dup = || {
            unsafe { BorrowedFd::borrow_raw(fd) }
                .try_clone_to_owned()
                .expect("dup master")
        };
        let writer: Box<dyn Write + Send> = Box::new(std::fs::File::from(dup()));
        let reader_fd = dup();
        let parser = Arc::new(Mutex::new(vt100::Parser::new(
            std::num::NonZeroU16::new(rows.max(1)).unwrap(),
            std::num::NonZeroU16::new(cols.max(1)).unwrap(),
            0,
        )));
        let raw = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let reader = {
            let (parser, raw, stop) = (parser.clone(), raw.clone(), stop.clone());
            std::thread::spawn(move || {
                use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
                let mut file = std::fs::File::from(reader_fd);
                let mut buf = [0u8; 8192];
                while !stop.load(Ordering::Relaxed) {
                    let mut fds = [PollFd::new(file.as_fd(), PollFlags::POLLIN)];
                    match poll(&mut fds, PollTimeout::from(50u16)) {
                        Ok(0) => continue,
                        Ok(_) => {}
                        Err(nix::errno::Errno::EINTR) => continue,
                        Err(_) => break,
                    }
                    let ready = fds[0].revents().unwrap_or(PollFlags::empty());
                    if !ready.contains(PollFlags::POLLIN) {
                        // POLLHUP without data: the child closed the pty.
                        break;
                    }
                    match file.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => {
                            raw.lock().unwrap().extend_from_slice(&buf[..n]);
                            parser.lock().unwrap().process(&buf[..n]);
                        }
                    }
                }
            })
        };
        let slave = master.tty_name().and_then(|name| {
            use std::os::unix::fs::OpenOptionsExt;
            std::fs::OpenOptions::new()
                .read(true)
                .custom_flags((nix::fcntl::OFlag::O_NOCTTY | nix::fcntl::OFlag::O_NONBLOCK).bits())
                .open(name)
                .ok()
        });
        Tui {
            master: Some(master),
            writer: Some(writer),
            child,
            parser,
            raw,
            stop,
            reader: Some(reader),
            slave,
        }
    }

    /// Whether keys typed are still waiting for the child to read them (the
    /// UI's terminal is in raw mode: one byte makes its input readable).
    pub fn input_pending(&self) -> bool {
        use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
        let slave = self.slave.as_ref().expect("the pty's other end is open");
        let mut fds = [PollFd::new(slave.as_fd(), PollFlags::POLLIN)];
        matches!(poll(&mut fds, PollTimeout::ZERO), Ok(n) if n > 0)
            && fds[0].revents().is_some_and(|r| r.contains(PollFlags::POLLIN))
    }

    /// Wait until the child has read everything typed so far.
    #[track_caller]
    pub fn wait_input_read(&self, secs: u64) {
        let deadline = Instant::now() + Duration::from_secs(secs);
        while self.input_pending() {
            assert!(
                Instant::now() < deadline,
                "the UI did not read its input within {secs}s; the screen:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    /// How many bytes the child has written so far (a mark for [`Tui::wait_frame_since`]).
    pub fn raw_len(&self) -> usize {
        self.raw.lock().unwrap().len()
    }

    /// Wait until the child has written a whole frame after `mark` (a
    /// [`Tui::raw_len`]), with the screen cleared first when `cleared` (as
    /// after a resize).
    #[track_caller]
    pub fn wait_frame_since(&self, mark: usize, cleared: bool, secs: u64) {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            {
                let raw = self.raw.lock().unwrap();
                let new = &raw[mark.min(raw.len())..];
                let clear_ok = !cleared || new.windows(4).any(|w| w == b"\x1b[2J");
                if !new.is_empty() && clear_ok && ends_a_frame(new) {
                    return;
                }
            }
            assert!(
                Instant::now() < deadline,
                "no whole frame within {secs}s; the screen:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    /// Wait until the child has read what was typed and the output stands at
    /// the end of a frame (no frame half written).
    #[track_caller]
    pub fn wait_settled(&self, secs: u64) {
        self.wait_input_read(secs);
        let deadline = Instant::now() + Duration::from_secs(secs);
        while !ends_a_frame(&self.raw.lock().unwrap()) {
            assert!(
                Instant::now() < deadline,
                "the output did not reach the end of a frame within {secs}s; the screen:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    /// Type `keys` (as the terminal would send them).
    pub fn send(&mut self, keys: &str) {
        let w = self.writer.as_mut().expect("pty open");
        w.write_all(keys.as_bytes()).expect("write to pty");
        w.flush().unwrap();
    }

    /// Esc on its own: followed at once by a key, the terminal would mean
    /// Alt+key, so it is sent once the child has read everything before it,
    /// and the next key only once the child has read the Esc alone.
    pub fn esc(&mut self) {
        self.wait_input_read(5);
        self.send(key::ESC);
        self.wait_input_read(5);
    }

    pub fn screen(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    /// Everything the child wrote to the terminal.
    pub fn raw_bytes(&self) -> Vec<u8> {
        self.raw.lock().unwrap().clone()
    }

    /// Wait until the screen shows `text`; panics with the screen after `secs`.
    #[track_caller]
    pub fn wait_for(&self, text: &str, secs: u64) -> String {
        self.wait_until(secs, &format!("{text:?}"), |s| s.contains(text))
    }

    /// The screen once it holds still: a frame read while the UI is still writing
    /// it mixes the old screen and the new (the pty delivers it in pieces). Waits
    /// until nothing more has arrived for 40 ms (at most a second).
    fn settled_screen(&self) -> String {
        let start = Instant::now();
        let mut len = self.raw.lock().unwrap().len();
        let mut quiet_since = Instant::now();
        while start.elapsed() < Duration::from_secs(1) {
            std::thread::sleep(Duration::from_millis(10));
            let now = self.raw.lock().unwrap().len();
            if now != len {
                len = now;
                quiet_since = Instant::now();
            } else if quiet_since.elapsed() >= Duration::from_millis(40) {
                break;
            }
        }
        self.screen()
    }

    #[track_caller]
    pub fn wait_until(&self, secs: u64, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            // Seen once, then checked again on the whole frame.
            if ok(&self.screen()) {
                let s = self.settled_screen();
                if ok(&s) {
                    return s;
                }
            }
            let s = self.screen();
            if Instant::now() > deadline {
                panic!("timed out after {secs}s waiting for {what}; the screen:\n{s}");
            }
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    /// Wait until one line of the screen shows all of `parts` (a row and its status).
    #[track_caller]
    pub fn wait_line(&self, parts: &[&str], secs: u64) -> String {
        self.wait_until(secs, &format!("a line with {parts:?}"), |s| has_line(s, parts))
    }

    /// Wait until the screen no longer shows `text`.
    #[track_caller]
    pub fn wait_gone(&self, text: &str, secs: u64) -> String {
        self.wait_until(secs, &format!("{text:?} to go"), |s| !s.contains(text))
    }

    /// The rows drawn in reverse video (the selection), as text.
    pub fn selected_rows(&self) -> Vec<String> {
        let p = self.parser.lock().unwrap();
        let sc = p.screen();
        let (rows, cols) = sc.size();
        let (rows, cols) = (rows.get(), cols.get());
        let texts: Vec<String> = sc.rows(0, cols).collect();
        (0..rows)
            .filter(|&r| {
                (0..cols)
                    .filter(|&c| sc.cell(r, c).is_some_and(|x| x.inverse()))
                    .count()
                    >= 10
            })
            .map(|r| texts[r as usize].clone())
            .collect()
    }

    /// The screen drawn incrementally (frame diffs, wide characters overwritten)
    /// is the screen drawn afresh after a forced full redraw (a resize clears).
    #[track_caller]
    pub fn assert_redraw_stable(&mut self, at: &str) {
        // Twice: a toast may expire in between.
        let d = Some(self.redraw_diff())
            .filter(|d| d.is_empty())
            .unwrap_or_else(|| self.redraw_diff());
        let text: Vec<String> = d
            .iter()
            .map(|(i, a, b)| format!("row {i}\n  drawn:   {a}\n  redrawn: {b}"))
            .collect();
        assert!(
            d.is_empty(),
            "{at}: the screen differs from a full redraw:\n{}",
            text.join("\n")
        );
    }

    /// Rows that differ (ignoring trailing blanks) between the screen as drawn
    /// incrementally and as drawn afresh after a forced full redraw.
    pub fn redraw_diff(&mut self) -> Vec<(usize, String, String)> {
        let rows = |t: &Tui| -> Vec<String> {
            let p = t.parser.lock().unwrap();
            let cols = p.screen().size().1.get();
            p.screen().rows(0, cols).map(|r| r.trim_end().to_string()).collect()
        };
        // Everything typed is read and its frame complete; then a resize and
        // back, each answered by a frame drawn afresh (the screen cleared first).
        self.wait_settled(5);
        let before = rows(self);
        let (r, c) = {
            let p = self.parser.lock().unwrap();
            let (r, c) = p.screen().size();
            (r.get(), c.get())
        };
        let mark = self.raw_len();
        self.resize(c + 1, r);
        self.wait_frame_since(mark, true, 5);
        let mark = self.raw_len();
        self.resize(c, r);
        self.wait_frame_since(mark, true, 5);
        let after = rows(self);
        before
            .into_iter()
            .zip(after)
            .enumerate()
            .filter(|(_, (a, b))| a != b)
            .map(|(i, (a, b))| (i, a, b))
            .collect()
    }

    pub fn resize(&mut self, cols: u16, rows: u16) {
        self.parser.lock().unwrap().set_size(
            std::num::NonZeroU16::new(rows.max(1)).unwrap(),
            std::num::NonZeroU16::new(cols.max(1)).unwrap(),
        );
        self.master
            .as_ref()
            .unwrap()
            .resize(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("resize");
    }

    pub fn pid(&self) -> nix::unistd::Pid {
        nix::unistd::Pid::from_raw(self.child.process_id().expect("child pid") as i32)
    }

    pub fn signal(&self, sig: nix::sys::signal::Signal) {
        nix::sys::signal::kill(self.pid(), sig).expect("signal the child");
    }

    /// Close the pty (as a dropped SSH connection does): every master fd goes.
    pub fn close_pty(&mut self) {
        self.writer.take();
        self.master.take();
        self.stop.store(true, Ordering::Relaxed);
        if let Some(r) = self.reader.take() {
            let _ = r.join();
        }
    }

    /// The child is still running.
    pub fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Wait for the child to exit; None if it has not within `secs`.
    pub fn wait_exit(&mut self, secs: u64) -> Option<portable_pty::ExitStatus> {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            if let Some(st) = self.child.try_wait().expect("try_wait") {
                // Let the reader drain what the child wrote last.
                let t = Instant::now();
                while !self.reader.as_ref().is_some_and(|r| r.is_finished()) && t.elapsed() < Duration::from_secs(1) {
                    std::thread::sleep(Duration::from_millis(10));
                }
                return Some(st);
            }
            if Instant::now() > deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Quit with `q` and wait for the exit.
    #[track_caller]
    pub fn quit(&mut self) {
        self.send("q");
        let st = self.wait_exit(5);
        assert!(st.is_some(), "the UI did not quit on q; the screen:\n{}", self.screen());
        assert!(
            st.unwrap().success(),
            "the UI exited with an error; the screen:\n{}",
            self.screen()
        );
    }

    /// Neither the screen nor anything written to the terminal mentions a panic.
    #[track_caller]
    pub fn assert_no_panic(&self, who: &str) {
        let screen = self.screen();
        assert!(!screen.contains("panicked"), "{who}: {screen}");
        let raw = String::from_utf8_lossy(&self.raw_bytes()).into_owned();
        assert!(!raw.contains("panicked"), "{who}: the output mentions a panic");
    }
}

impl Drop for Tui {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        self.writer.take();
        self.master.take();
        self.stop.store(true, Ordering::Relaxed);
        if let Some(r) = self.reader.take() {
            let _ = r.join();
        }
    }
}
