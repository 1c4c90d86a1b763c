//! The pty harness waits for conditions, not for time (issue 14: sleeps used
//! as synchronisation in tests/tui_e2e.rs and tests/pty_support). Esc is sent
//! once the UI has read everything before it, and the next key once the UI has
//! read the Esc alone — seen in the pty's input queue, so that a UI slowed down
//! (here: stopped for 400 ms) still reads Esc as Esc, where the fixed 60 ms +
//! 120 ms pauses let Esc and the next key arrive together as Alt+key.

mod pty_support;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use portable_pty::CommandBuilder;
use pty_support::Tui;

const BIN: &str = env!("CARGO_BIN_EXE_beian");

fn envs(dir: &Path) -> Vec<(String, String)> {
    let home = dir.join("home");
    vec![
        ("BEIAN_NO_SERVER".into(), "1".into()),
        ("BEIAN_DB".into(), dir.join("data").display().to_string()),
        ("BEIAN_LANG".into(), "zh-CN".into()),
        ("TZ".into(), "Asia/Shanghai".into()),
        ("HOME".into(), home.display().to_string()),
        ("XDG_CONFIG_HOME".into(), home.join(".config").display().to_string()),
        ("XDG_DATA_HOME".into(), home.join(".local/share").display().to_string()),
        ("TERM".into(), "xterm-256color".into()),
    ]
}

fn beian(dir: &Path, args: &[&str]) {
    let out = Command::new(BIN)
        .args(args)
        .env_clear()
        .envs(envs(dir))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn esc_is_read_alone_even_when_the_ui_is_slow() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path().join("home/.config")).unwrap();
    beian(tmp.path(), &["init"]);
    beian(
        tmp.path(),
        &[
            "request",
            "add",
            "--title",
            "食堂消费机重复扣款",
            "--submitter",
            "李老师",
        ],
    );
    let mut cmd = CommandBuilder::new(BIN);
    cmd.env_clear();
    for (k, v) in envs(tmp.path()) {
        cmd.env(k, v);
    }
    cmd.cwd(tmp.path());
    let mut t = Tui::spawn(cmd, 80, 24);
    t.wait_for("REQ-", 10);
    for round in 0..3 {
        t.send("n");
        t.wait_for("新建需求", 5);
        t.send(&format!("第{round}次输入的标题"));
        t.wait_for(&format!("第{round}次输入的标题"), 5);
        // The UI stops for a moment (a loaded machine), then goes on.
        let pid = t.pid();
        nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGSTOP).unwrap();
        let resume = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(400));
            nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGCONT).unwrap();
        });
        // Esc on an edited form asks before discarding it; `y` confirms. Sent
        // one after the other, without looking at the screen in between.
        t.esc();
        t.send("y");
        resume.join().unwrap();
        t.wait_gone("新建需求", 5);
        assert!(!t.screen().contains("放弃本次编辑"), "{}", t.screen());
    }
    t.quit();
}
