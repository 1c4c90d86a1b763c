//! Two (or three) TUIs of different Unix users, each in its own pty, all clients
//! of one `beian serve` run by root with the socket given to the users' group
//! (issue 4, acceptance 1): a triage by one operator shows up on another user's
//! screen without a key being pressed (and how fast), the operator submits a plan,
//! the approver sees it and approves it, the operator sees the approval; two
//! operators saving the same plan: the second save is refused as a conflict.
//! Creates Unix users, so it needs root (CI runs as root); otherwise it says so
//! and stops.

#[path = "on_demand/mod.rs"]
mod on_demand;
mod pty_support;
mod server_support;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use portable_pty::CommandBuilder;
use pty_support::{has_line, key, line_with, Tui};
use server_support::{eventually, run_cli, Out, BIN};

/// The tests here run one at a time: the timings are not measured against the
/// other test's processes, and the user names never meet.
static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

/// Whether the test may create Unix users (root); otherwise it says so loudly
/// and, under `CI=true`, fails instead of skipping.
fn is_root() -> bool {
    let root = nix::unistd::Uid::effective().is_root();
    assert!(
        root || std::env::var("CI").map_or(true, |v| v != "true"),
        "this test creates Unix users and must run as root; CI=true, so this is a failure, not a skip"
    );
    root
}

fn chmod(p: &Path, mode: u32) {
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// Dates relative to today, in Beijing time.
fn day(offset: i64) -> String {
    let now = chrono::Utc::now().with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap());
    (now + chrono::Duration::days(offset)).format("%Y-%m-%d").to_string()
}

/// Unix users of one group, each with a home of its own in the test's directory;
/// removed (with the group) when dropped.
struct Users {
    names: Vec<String>,
    group: String,
}

impl Users {
    fn add(prefix: &str, n: usize, homes: &Path) -> Users {
        let tag = std::process::id() % 100000;
        let mut users = Users {
            names: Vec::new(),
            group: format!("g{prefix}{tag}"),
        };
        assert!(
            Command::new("groupadd").arg(&users.group).status().unwrap().success(),
            "groupadd {}",
            users.group
        );
        let gid = nix::unistd::Group::from_name(&users.group).unwrap().unwrap().gid;
        for i in 0..n {
            let name = format!("{prefix}{i}u{tag}");
            let home = homes.join(&name);
            let ok = Command::new("useradd")
                .args(["-M", "-N", "-g", &users.group, "-s", "/bin/sh", "-d"])
                .arg(&home)
                .arg(&name)
                .status()
                .unwrap()
                .success();
            assert!(ok, "useradd {name}");
            users.names.push(name.clone());
            std::fs::create_dir_all(&home).unwrap();
            let uid = nix::unistd::User::from_name(&name).unwrap().unwrap().uid;
            nix::unistd::chown(&home, Some(uid), Some(gid)).unwrap();
            chmod(&home, 0o700);
        }
        users
    }
}

impl Drop for Users {
    fn drop(&mut self) {
        for u in &self.names {
            // A process of the user may take a moment to go; then force it.
            let deadline = Instant::now() + Duration::from_secs(5);
            while !Command::new("userdel")
                .arg(u)
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
            {
                if Instant::now() > deadline {
                    let _ = Command::new("userdel").args(["-f", u]).status();
                    break;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        }
        let _ = Command::new("groupdel").arg(&self.group).status();
    }
}

/// A database prepared by root with the CLI, served by root on a socket of the
/// users' group; TUIs of those users in ptys.
struct Team {
    server: Option<std::process::Child>,
    users: Users,
    bin: PathBuf,
    socket: PathBuf,
    tmp: tempfile::TempDir,
}

impl Team {
    /// Users `prefix0u…`, `prefix1u…` with `roles[i]`; a system; requests with these titles.
    fn new(prefix: &str, roles: &[&str], requests: &[&str]) -> (Team, Vec<String>) {
        let tmp = tempfile::tempdir().unwrap();
        chmod(tmp.path(), 0o755);
        let homes = tmp.path().join("home");
        std::fs::create_dir(&homes).unwrap();
        chmod(&homes, 0o755);
        let users = Users::add(prefix, roles.len(), &homes);
        // A copy of the binary every user may run.
        let bin = tmp.path().join("beian");
        std::fs::copy(BIN, &bin).unwrap();
        chmod(&bin, 0o755);

        // The admin (root) sets up the database and its roles before serving it.
        let db = tmp.path().join("data");
        let root = |args: &[&str]| {
            let o = run_cli(args, &[("BEIAN_DB", db.as_os_str())]);
            assert_eq!(o.code, 0, "beian {args:?}:\n{}\n{}", o.stdout, o.stderr);
            o
        };
        root(&["init"]);
        let mut config = String::from("[roles.users]\n");
        for (u, r) in users.names.iter().zip(roles) {
            config.push_str(&format!("{u} = [\"{r}\"]\n"));
        }
        std::fs::write(db.join("config.toml"), config).unwrap();
        let sys = root(&[
            "--json",
            "system",
            "add",
            "--name",
            "一卡通系统",
            "--department",
            "后勤处",
            "--version",
            "V2.3",
        ]);
        assert_eq!(sys.json()["entity"], "SYS-0001");
        let ids = requests
            .iter()
            .map(|title| {
                let o = root(&[
                    "--json",
                    "request",
                    "add",
                    "--title",
                    title,
                    "--system",
                    "SYS-0001",
                    "--submitter",
                    "李老师",
                ]);
                let id = o.json()["entity"].as_str().unwrap().to_string();
                // Analysed (§3.1), so one key accepts it.
                root(&[
                    "request",
                    "edit",
                    &id,
                    "--necessity",
                    "影响全校师生",
                    "--feasibility",
                    "厂商补丁可行",
                ]);
                id
            })
            .collect();

        // The team layout: a socket directory of the users' group, the socket 0660.
        let gid = nix::unistd::Group::from_name(&users.group).unwrap().unwrap().gid;
        let run = tmp.path().join("run");
        std::fs::create_dir(&run).unwrap();
        nix::unistd::chown(&run, None, Some(gid)).unwrap();
        chmod(&run, 0o750);
        let socket = run.join("beian.sock");
        let log = std::fs::File::create(tmp.path().join("serve.log")).unwrap();
        let server = Command::new(&bin)
            .arg("--db")
            .arg(&db)
            .arg("serve")
            .arg("--socket")
            .arg(&socket)
            .args(["--socket-group", &users.group])
            .env("BEIAN_LANG", "en")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        let team = Team {
            server: Some(server),
            users,
            bin,
            socket,
            tmp,
        };
        eventually("the server's socket", 20, || {
            std::os::unix::net::UnixStream::connect(&team.socket).is_ok()
        });
        (team, ids)
    }

    fn user(&self, i: usize) -> &str {
        &self.users.names[i]
    }

    /// The UI of user `i` in an 80x24 pty, a client of the server.
    fn tui(&self, i: usize) -> Tui {
        let user = self.user(i);
        let home = self.tmp.path().join("home").join(user);
        let mut cmd = CommandBuilder::new("runuser");
        cmd.args(["-u", user, "--", self.bin.to_str().unwrap()]);
        cmd.env_clear();
        let envs: [(&str, PathBuf); 8] = [
            ("BEIAN_SOCKET", self.socket.clone()),
            ("BEIAN_LANG", "zh-CN".into()),
            ("TZ", "Asia/Shanghai".into()),
            ("HOME", home.clone()),
            ("XDG_CONFIG_HOME", home.join(".config")),
            ("XDG_DATA_HOME", home.join(".local/share")),
            ("XDG_STATE_HOME", home.join(".local/state")),
            ("TERM", "xterm-256color".into()),
        ];
        for (k, v) in envs {
            cmd.env(k, v);
        }
        cmd.env("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        cmd.cwd(&home);
        Tui::spawn(cmd, 80, 24)
    }

    /// The CLI as root (the admin) through the server.
    fn cli(&self, args: &[&str]) -> Out {
        run_cli(args, &[("BEIAN_SOCKET", self.socket.as_os_str())])
    }

    fn json(&self, args: &[&str]) -> serde_json::Value {
        let mut a = vec!["--json"];
        a.extend_from_slice(args);
        self.cli(&a).json()
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.tmp.path().join("serve.log")).unwrap_or_default()
    }

    /// The server is still running (it must survive everything the UIs do).
    fn assert_server_up(&mut self) {
        let st = self.server.as_mut().unwrap().try_wait().unwrap();
        assert!(st.is_none(), "the server exited ({st:?}):\n{}", self.log());
    }
}

impl Drop for Team {
    fn drop(&mut self) {
        // SIGTERM (a clean stop), at most 5 s, then SIGKILL; the users go after.
        if let Some(mut c) = self.server.take() {
            let pid = nix::unistd::Pid::from_raw(c.id() as i32);
            let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM);
            let deadline = Instant::now() + Duration::from_secs(5);
            while matches!(c.try_wait(), Ok(None)) && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// Poll `t`'s screen every [`POLL`] until one line shows all of `parts`; the time
/// since `since`. Panics with the screen after `secs`.
#[track_caller]
fn time_until_line(t: &Tui, parts: &[&str], since: Instant, secs: u64) -> Duration {
    let deadline = since + Duration::from_secs(secs);
    loop {
        let s = t.screen();
        if has_line(&s, parts) {
            return since.elapsed();
        }
        if Instant::now() > deadline {
            panic!("timed out after {secs}s waiting for a line with {parts:?}; the screen:\n{s}");
        }
        std::thread::sleep(POLL);
    }
}

/// How often [`time_until_line`] looks at the screen.
const POLL: Duration = Duration::from_millis(10);

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// The bound on another user's triage showing up (issue 4: "within 200 ms"),
/// asserted of release builds only: a debug build on a loaded machine says
/// nothing about it (that is the benchmark's job, docs/performance.md). In
/// every build the change must arrive, within [`ARRIVAL`].
const PROPAGATION_BOUND: Duration = Duration::from_millis(200);

/// How long another user's change may take to show up before the test fails:
/// generous, since what is tested is that it arrives without a key.
const ARRIVAL: u64 = 30;

// ----- 1. operator and approver, two Unix users, two ptys, one server -----

#[test]
fn operator_and_approver_see_each_other_live_through_the_server() {
    let _serial = serial();
    if !is_root() {
        eprintln!("SKIPPED: this test creates Unix users and must run as root (CI does)");
        return;
    }
    let (mut team, reqs) = Team::new(
        "bto",
        &["operator", "approver"],
        &["食堂消费机重复扣款", "门禁刷卡偶尔失败", "消费记录导出表格"],
    );
    let (op, ap) = (team.user(0).to_string(), team.user(1).to_string());
    // Newest first: the rows are reqs[2], reqs[1], reqs[0].
    let rows: Vec<&str> = reqs.iter().rev().map(String::as_str).collect();

    let mut a = team.tui(0);
    let mut b = team.tui(1);
    // Each UI is a client of the server, known to it by its uid: the header names
    // the user and the role the server's config gives it.
    let s = a.wait_for(rows[2], 15);
    // Roles by their labels, as everything the user sees.
    assert!(s.contains(&format!("{op} [运维人员]")), "{s}");
    let s = b.wait_for(rows[2], 15);
    assert!(s.contains(&format!("{ap} [审批人]")), "{s}");
    for r in &rows {
        b.wait_line(&[r, "新"], 5);
    }

    // ---- the operator triages; the approver's queue follows without a key ----
    let mut times = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        if i > 0 {
            a.send("j");
        }
        let t0 = Instant::now();
        a.send("a");
        let seen = time_until_line(&b, &[r, "已采纳"], t0, ARRIVAL);
        a.wait_line(&[r, "已采纳"], 5);
        times.push(seen);
    }
    let max = *times.iter().max().unwrap();
    eprintln!(
        "triage by {op} seen on {ap}'s screen after: {} (max {})",
        times.iter().map(|d| ms(*d)).collect::<Vec<_>>().join(", "),
        ms(max)
    );
    if !cfg!(debug_assertions) {
        assert!(
            max <= PROPAGATION_BOUND,
            "another operator's triage must show up within {}: {times:?}",
            ms(PROPAGATION_BOUND)
        );
    }
    for r in &reqs {
        assert_eq!(team.json(&["request", "show", r])["status"], "accepted", "{r}");
    }

    // ---- the operator writes a plan in the UI; the approver watches the plans pane ----
    b.send("2");
    b.wait_for("计划编辑", 5);
    a.send("2");
    a.wait_for("计划编辑", 5);
    a.send("n");
    a.wait_for("新建更新计划", 5);
    // The system comes from the request selected in the queue.
    a.send(key::TAB);
    a.send("一卡通消费机固件升级");
    a.send(key::TAB);
    a.send("V2.4");
    a.send(key::CTRL_S);
    let s = a.wait_for("PLAN-", 5);
    let plan = line_with(&s, "PLAN-")
        .split_whitespace()
        .find(|w| w.starts_with("PLAN-"))
        .unwrap()
        .to_string();
    a.wait_line(&[&plan, "草稿"], 5);
    // The new draft appears on the approver's screen by itself.
    b.wait_line(&[&plan, "草稿"], 5);
    a.send(key::ENTER);
    a.wait_for("缺少", 5);
    a.send("e");
    a.wait_for("编辑计划", 5);
    let start = format!("{} 22:00", day(10));
    let end = format!("{} 02:00", day(11));
    let fields: [&str; 14] = [
        "（第一期）",
        "",
        "消除重复扣款，提升高峰期交易稳定性",
        "升级全部食堂消费机固件并调整交易去重策略",
        "分批灰度升级，先二食堂后全校",
        &start,
        &end,
        "",
        "升级前全量备份交易库并校验",
        "无数据结构变化，沿用原交易库",
        "保留旧固件包，十分钟内可回退",
        "升级中断导致消费机离线 | low | high | 夜间窗口操作并保留现金通道",
        "王磊 | 负责人 | 实施\r赵敏 | 测试 | 功能验证",
        "否",
    ];
    for (i, text) in fields.iter().enumerate() {
        if i > 0 {
            a.send(key::TAB);
        }
        a.send(text);
    }
    // The last field, focused, has the answer (its label has 否 too).
    let s = a.wait_until(5, "the answer to 是否迁移数据", |s| {
        s.lines()
            .any(|l| l.split("是否迁移数据").nth(1).is_some_and(|v| v.contains('否')))
    });
    assert!(!s.contains("时间格式为"), "the window is well formed: {s}");
    a.send(key::CTRL_S);
    a.wait_gone("编辑计划", 5);
    // The detail reloaded after the save: nothing missing any more.
    let s = a.wait_for("灰度升级", 5);
    assert!(!s.contains("缺少"), "nothing missing after the edit: {s}");

    // ---- submit: the approver sees it arrive without pressing anything ----
    a.send("s");
    a.wait_for("提交信息化领导小组", 5);
    let t0 = Instant::now();
    a.send("y");
    let submitted = time_until_line(&b, &[&plan, "已提交"], t0, ARRIVAL);
    a.wait_line(&[&plan, "已提交"], 5);
    eprintln!("the submission seen on {ap}'s screen after {}", ms(submitted));
    b.wait_for("1 项待审批", 5);

    // ---- the approver approves; the operator sees the approval ----
    b.send("A");
    b.wait_for("会议纪要编号", 5);
    b.send("信息化领导小组会议纪要〔2026〕12号");
    let t0 = Instant::now();
    b.send(key::ENTER);
    let approved = time_until_line(&a, &[&plan, "已批准"], t0, ARRIVAL);
    b.wait_line(&[&plan, "已批准"], 5);
    eprintln!("the approval seen on {op}'s screen after {}", ms(approved));

    // The database (read as the admin through the server) agrees.
    let p = team.json(&["plan", "show", &plan]);
    assert_eq!(p["status"], "approved", "{p}");
    assert_eq!(p["title"], "一卡通消费机固件升级（第一期）");
    assert_eq!(p["approach"], "分批灰度升级，先二食堂后全校");
    assert_eq!(p["staff"].as_array().unwrap().len(), 2, "{p}");
    assert_eq!(p["migrates_data"], false, "{p}");
    assert_eq!(p["meta"]["created_by"], op.as_str());
    assert_eq!(p["approvals"][0]["approver"], ap.as_str());
    assert_eq!(p["approvals"][0]["minutes_ref"], "信息化领导小组会议纪要〔2026〕12号");

    a.assert_no_panic("the operator");
    b.assert_no_panic("the approver");
    a.quit();
    b.quit();
    team.assert_server_up();
}

// ----- 2. two operators save the same plan: the second save is a conflict -----

#[test]
fn second_save_of_the_same_plan_is_refused_as_a_conflict() {
    let _serial = serial();
    if !is_root() {
        eprintln!("SKIPPED: this test creates Unix users and must run as root (CI does)");
        return;
    }
    let (mut team, _) = Team::new("btc", &["operator", "operator"], &["食堂消费机重复扣款"]);
    let (first, second) = (team.user(0).to_string(), team.user(1).to_string());
    let plan = team.json(&[
        "plan",
        "new",
        "--system",
        "SYS-0001",
        "--title",
        "一卡通固件升级",
        "--to",
        "V2.4",
    ])["entity"]
        .as_str()
        .unwrap()
        .to_string();

    // Both open the editor of the same draft.
    let mut a = team.tui(0);
    let mut c = team.tui(1);
    for t in [&mut a, &mut c] {
        t.wait_for("REQ-", 15);
        t.send("2");
        t.wait_line(&[&plan, "草稿"], 5);
        t.send(key::ENTER);
        t.wait_for("缺少", 5);
        t.send("e");
        t.wait_for("编辑计划", 5);
    }
    // Each changes the title (the cursor is at the end of the field).
    a.send("（甲方案）");
    a.wait_for("一卡通固件升级（甲方案）", 5);
    c.send("（乙方案）");
    c.wait_for("一卡通固件升级（乙方案）", 5);

    // The first save goes through.
    a.send(key::CTRL_S);
    a.wait_gone("编辑计划", 5);
    a.wait_for("一卡通固件升级（甲方案）", 5);
    assert_eq!(team.json(&["plan", "show", &plan])["title"], "一卡通固件升级（甲方案）");

    // The second is refused: the message names who changed the plan, and the form
    // stays open with the edit, its title saying it was changed by someone else.
    c.send(key::CTRL_S);
    let s = c.wait_for("已被他人修改", 5);
    assert!(s.contains(&format!("已被 {first} 于")), "the conflict names who: {s}");
    assert!(s.contains("一卡通固件升级（乙方案）"), "the edit is kept: {s}");
    eprintln!("{second}'s screen after the refused save:\n{s}");
    // Nothing was overwritten.
    let p = team.json(&["plan", "show", &plan]);
    assert_eq!(p["title"], "一卡通固件升级（甲方案）", "{p}");
    assert_eq!(p["meta"]["updated_by"], first.as_str(), "{}", p["meta"]);

    // The form offers to reload: ctrl-r reopens the editor on the current plan,
    // showing what the first operator wrote.
    c.send("\x12");
    // The title may show in the list before the reloaded editor opens: wait for both.
    let s = c.wait_until(5, "the editor reopened on the current plan", |s| {
        s.contains("一卡通固件升级（甲方案）") && s.contains("编辑计划")
    });
    assert!(!s.contains("（乙方案）"), "{s}");
    // Nothing edited since the reload: Esc closes it without asking.
    c.esc();
    let s = c.wait_gone("编辑计划", 5);
    assert!(!s.contains("（乙方案）"), "{s}");
    c.wait_for("一卡通固件升级（甲方案）", 5);
    assert_eq!(team.json(&["plan", "show", &plan])["title"], "一卡通固件升级（甲方案）");

    a.assert_no_panic("the first operator");
    c.assert_no_panic("the second operator");
    a.quit();
    c.quit();
    team.assert_server_up();
}
