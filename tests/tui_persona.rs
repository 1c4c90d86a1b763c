//! The demo walked alone (issue 13 §6, §7), through the real binary: `beian
//! demo` says how to reopen it and names the demo people for `:as`; run again
//! it asks (on a terminal) or refuses naming `--force` (in a script), and never
//! replaces a real database; in the UI, `:as zhangwei` switches to the
//! Leading Group's approver — the status bar says so — who approves the plan
//! the demo user wrote, and the audit log names both.

use std::path::PathBuf;
use std::process::Command;

use portable_pty::CommandBuilder;

mod pty_support;
use pty_support::{key, Tui};

struct Fixture {
    tmp: tempfile::TempDir,
    bin: PathBuf,
    db: PathBuf,
}

impl Fixture {
    fn new() -> Fixture {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(tmp.path().join("home/.config")).unwrap();
        Fixture {
            bin: PathBuf::from(env!("CARGO_BIN_EXE_beian")),
            db: tmp.path().join("demo"),
            tmp,
        }
    }

    fn home(&self) -> PathBuf {
        self.tmp.path().join("home")
    }

    /// The database, a HOME of its own (no user keymap), Beijing time, English.
    fn envs(&self) -> Vec<(String, String)> {
        let home = self.home();
        vec![
            ("BEIAN_NO_SERVER".into(), "1".into()),
            ("BEIAN_DB".into(), self.db.display().to_string()),
            ("BEIAN_LANG".into(), "en".into()),
            ("TZ".into(), "Asia/Shanghai".into()),
            ("HOME".into(), home.display().to_string()),
            ("XDG_CONFIG_HOME".into(), home.join(".config").display().to_string()),
            ("XDG_DATA_HOME".into(), home.join(".local/share").display().to_string()),
            ("TERM".into(), "xterm-256color".into()),
            (
                "PATH".into(),
                std::env::var("PATH").unwrap_or_else(|_| "/usr/bin:/bin".into()),
            ),
        ]
    }

    /// `beian ARGS` without a terminal (standard input closed).
    fn run(&self, args: &[&str]) -> std::process::Output {
        Command::new(&self.bin)
            .args(args)
            .env_clear()
            .envs(self.envs())
            .current_dir(self.tmp.path())
            .output()
            .expect("beian runs")
    }

    #[track_caller]
    fn ok(&self, args: &[&str]) -> String {
        let o = self.run(args);
        assert!(
            o.status.success(),
            "beian {args:?} failed:\n{}\n{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8(o.stdout).unwrap()
    }

    #[track_caller]
    fn json(&self, args: &[&str]) -> serde_json::Value {
        let mut a = vec!["--json"];
        a.extend_from_slice(args);
        let s = self.ok(&a);
        serde_json::from_str(&s).unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}): {s}"))
    }

    /// `beian ARGS` in a pty of 80x24.
    fn pty(&self, args: &[&str]) -> Tui {
        let mut cmd = CommandBuilder::new(&self.bin);
        cmd.args(args);
        cmd.env_clear();
        for (k, v) in self.envs() {
            cmd.env(k, v);
        }
        cmd.cwd(self.tmp.path());
        Tui::spawn(cmd, 80, 24)
    }

    /// How many plans the database holds (to tell a replaced demo from a kept one).
    fn plans(&self) -> usize {
        self.json(&["plan", "list"]).as_array().unwrap().len()
    }
}

fn whoami(fx: &Fixture) -> String {
    fx.json(&["whoami"])["user"].as_str().unwrap().to_string()
}

/// A day `offset` days from today in Beijing time.
fn day(offset: i64) -> String {
    let now = chrono::Utc::now().with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap());
    (now + chrono::Duration::days(offset)).format("%Y-%m-%d").to_string()
}

/// A plan the demo user writes in full and submits (a window clear of the
/// demo calendar's blackout periods: the first of the next weeks that is).
fn submitted_plan(fx: &Fixture) -> String {
    let v = fx.json(&[
        "plan",
        "new",
        "--system",
        "一卡通",
        "--title",
        "演示人员审批的固件升级",
        "--to",
        "V9.9",
    ]);
    let plan = v["entity"].as_str().unwrap().to_string();
    fx.ok(&[
        "plan",
        "risk",
        "add",
        &plan,
        "--description",
        "升级失败",
        "--impact",
        "high",
        "--mitigation",
        "回退",
    ]);
    fx.ok(&[
        "plan",
        "staff",
        "add",
        &plan,
        "--person",
        "王磊",
        "--role",
        "实施负责人",
        "--duty",
        "升级",
    ]);
    let window = (10..120).step_by(7).find(|d| {
        let (start, end) = (format!("{} 22:00", day(*d)), format!("{} 23:30", day(*d)));
        fx.run(&[
            "plan",
            "edit",
            &plan,
            "--goals",
            "消除重复扣款",
            "--content",
            "固件升级",
            "--approach",
            "分批升级",
            "--window-start",
            &start,
            "--window-end",
            &end,
            "--backup-plan",
            "全量备份",
            "--migrates-data",
            "no",
            "--rollback-plan",
            "刷回旧固件",
        ])
        .status
        .success()
            && fx.run(&["plan", "submit", &plan]).status.success()
    });
    assert!(window.is_some(), "no window the demo calendar allows");
    assert_eq!(fx.json(&["plan", "show", &plan])["status"], "submitted");
    plan
}

#[test]
fn the_demo_is_walked_alone_as_its_people() {
    let fx = Fixture::new();
    let me = whoami_after_demo(&fx);
    let db = fx.db.display().to_string();

    // Run again without a terminal: refused, naming --force and how to open it; nothing replaced.
    let before = fx.plans();
    let plan = submitted_plan(&fx);
    let o = fx.run(&["demo"]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(&format!("beian --db {db} demo --force")) && err.contains(&format!("`beian --db {db}`")),
        "{err}"
    );
    assert_eq!(fx.plans(), before + 1, "the demo was kept");
    // On a terminal it asks; "n" keeps it.
    let mut t = fx.pty(&["demo"]);
    t.wait_for("Replace it with a new one? [y/N]", 10);
    t.send("n\r");
    let st = t.wait_exit(10).expect("beian demo ends after n");
    assert!(st.success(), "{}", t.screen());
    assert!(t.screen().contains("Kept the demo database"), "{}", t.screen());
    drop(t);
    assert_eq!(fx.plans(), before + 1, "the demo was kept");

    // The UI: the demo user may not approve their own plan; as zhangwei they may.
    let mut t = fx.pty(&[]);
    t.wait_for(&format!(" {me} [admin,"), 15);
    t.send(":");
    t.wait_for("run any command by name", 5);
    t.send("as zhangwei");
    t.send(key::ENTER);
    let s = t.wait_for("zhangwei (as) [approver]", 10);
    assert!(s.contains("Acting as zhangwei"), "{s}");
    t.send("2");
    t.wait_line(&[&plan, "submitted"], 10);
    t.send("A");
    t.wait_for(&format!("Approve {plan}"), 5);
    t.send("LG-2026-99");
    t.send(key::ENTER);
    t.wait_line(&[&plan, "approved"], 10);
    // And back.
    t.send(":");
    t.wait_for("run any command by name", 5);
    t.send(&format!("as {me}"));
    t.send(key::ENTER);
    t.wait_for("Back to yourself", 10);
    t.wait_gone("(as)", 5);
    t.assert_no_panic("the persona walk");
    t.quit();

    let p = fx.json(&["plan", "show", &plan]);
    assert_eq!(p["status"], "approved", "{p}");
    assert_eq!(p["approvals"][0]["approver"], "zhangwei", "{p}");
    assert_eq!(p["approvals"][0]["minutes_ref"], "LG-2026-99", "{p}");
    // The audit log keeps who really acted, and each switch.
    let ev = fx.json(&["audit", "--entity", &plan]);
    let approve = ev
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "plan.approve")
        .expect("the approval is audited");
    assert_eq!(approve["actor"], format!("zhangwei via {me}"));
    let switches: Vec<String> = fx
        .json(&["audit", "--entity", "persona"])
        .as_array()
        .unwrap()
        .iter()
        .map(|e| format!("{} {}", e["actor"].as_str().unwrap(), e["summary"].as_str().unwrap()))
        .collect();
    assert_eq!(
        switches,
        vec![
            format!("{me} acts as {me} again"),
            format!("{me} acts as zhangwei [approver]")
        ],
        "newest first"
    );

    // --force replaces it without asking (the plan written meanwhile is gone).
    fx.ok(&["demo", "--force"]);
    assert_eq!(fx.plans(), before);
}

/// `beian demo` in a script: the summary says how to reopen it and names the
/// demo people for `:as`. Returns the user running the test.
fn whoami_after_demo(fx: &Fixture) -> String {
    let out = fx.ok(&["demo"]);
    let db = fx.db.display().to_string();
    assert!(
        out.contains(&format!("Open this demo again later with:\n  beian --db {db}\n")),
        "{out}"
    );
    for person in [
        "zhangwei (approver)",
        "zhaomin (supervisor)",
        "wanglei (operator)",
        "huangli (viewer)",
    ] {
        assert!(out.contains(person), "{person} in:\n{out}");
    }
    let me = whoami(fx);
    assert!(out.contains(&format!("`:as {me}` returns to yourself")), "{out}");
    me
}

/// A database that is not a demo is never replaced, not even with --force.
#[test]
fn a_real_database_is_never_replaced() {
    let fx = Fixture::new();
    fx.ok(&["init"]);
    for args in [&["demo"][..], &["demo", "--force"]] {
        let o = fx.run(args);
        assert_eq!(o.status.code(), Some(1), "{args:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("a beian database already exists"), "{err}");
    }
    assert!(!fx.json(&["whoami"])["demo"].as_bool().unwrap());
}

/// The command line's `--as`: the same rule as `:as` (a demo database, its
/// owner only), the change recorded as the person via you; the UI opened with
/// it says so in the status bar.
#[test]
fn as_on_the_command_line_acts_as_a_demo_person() {
    let fx = Fixture::new();
    let me = whoami_after_demo(&fx);
    let plan = submitted_plan(&fx);
    fx.ok(&["--as", "zhangwei", "plan", "approve", &plan, "--minutes", "LG-2026-98"]);
    let p = fx.json(&["plan", "show", &plan]);
    assert_eq!(p["status"], "approved", "{p}");
    let ev = fx.json(&["audit", "--entity", &plan]);
    let approve = ev
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "plan.approve")
        .expect("the approval is audited");
    assert_eq!(approve["actor"], format!("zhangwei via {me}"));
    // Someone the demo does not know is refused, and nothing is done.
    let o = fx.run(&["--as", "nobody-here", "plan", "cancel", &plan, "--reason", "x"]);
    assert_ne!(o.status.code(), Some(0));
    assert_eq!(fx.json(&["plan", "show", &plan])["status"], "approved");

    let mut t = fx.pty(&["--as", "zhangwei"]);
    t.wait_for("zhangwei (as) [approver]", 15);
    t.assert_no_panic("the UI opened with --as");
    t.quit();
}
