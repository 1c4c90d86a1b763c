//! End-to-end tests of the terminal UI: the real binary in a pty (portable-pty),
//! its output read through a terminal emulator (vt100), the database checked
//! through the CLI once the UI has quit (one process per database).

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use portable_pty::CommandBuilder;

mod pty_support;
use pty_support::{erase, has_line, key, line_with, Tui};

// ----- the environment: a temporary directory with the database, HOME and the binary -----

struct Fixture {
    tmp: tempfile::TempDir,
    bin: PathBuf,
    db: PathBuf,
}

impl Fixture {
    fn new() -> Fixture {
        let tmp = tempfile::tempdir().unwrap();
        let db = tmp.path().join("data");
        std::fs::create_dir(&db).unwrap();
        std::fs::create_dir_all(tmp.path().join("home/.config")).unwrap();
        Fixture {
            bin: PathBuf::from(env!("CARGO_BIN_EXE_beian")),
            db,
            tmp,
        }
    }

    fn dir(&self) -> &Path {
        self.tmp.path()
    }

    fn home(&self) -> PathBuf {
        self.dir().join("home")
    }

    /// The environment every run gets: the database, a HOME of its own (no user
    /// keymap), Beijing time.
    fn envs(&self, lang: &str) -> Vec<(String, String)> {
        let home = self.home();
        vec![
            ("BEIAN_NO_SERVER".into(), "1".into()),
            ("BEIAN_DB".into(), self.db.display().to_string()),
            ("BEIAN_LANG".into(), lang.into()),
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

    /// Run `beian ARGS` with umask 007 (the database directory may be shared with a group).
    fn run(&self, args: &[&str]) -> std::process::Output {
        let mut line = format!("umask 007; exec {}", sh_quote(self.bin.to_str().unwrap()));
        for a in args {
            line.push(' ');
            line.push_str(&sh_quote(a));
        }
        Command::new("sh")
            .args(["-c", &line])
            .env_clear()
            .envs(self.envs("en"))
            .current_dir(self.dir())
            .output()
            .expect("beian runs")
    }

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

    fn json(&self, args: &[&str]) -> serde_json::Value {
        let mut a = vec!["--json"];
        a.extend_from_slice(args);
        let s = self.ok(&a);
        serde_json::from_str(&s).unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}): {s}"))
    }

    fn id(&self, args: &[&str]) -> String {
        self.json(args)["entity"].as_str().unwrap().to_string()
    }

    /// Open the UI in a pty of `cols`x`rows`.
    fn tui(&self, lang: &str, cols: u16, rows: u16) -> Tui {
        let mut cmd = CommandBuilder::new(&self.bin);
        self.prepare(&mut cmd, lang);
        Tui::spawn(cmd, cols, rows)
    }

    /// Open the UI as another user, through runuser, in a pty of 80x24.
    fn tui_as(&self, user: &str, lang: &str) -> Tui {
        let mut cmd = CommandBuilder::new("runuser");
        cmd.args(["-u", user, "--", self.bin.to_str().unwrap()]);
        self.prepare(&mut cmd, lang);
        Tui::spawn(cmd, 80, 24)
    }

    fn prepare(&self, cmd: &mut CommandBuilder, lang: &str) {
        cmd.env_clear();
        for (k, v) in self.envs(lang) {
            cmd.env(k, v);
        }
        cmd.cwd(self.dir());
        cmd.umask(Some(0o007));
    }
}

fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

fn is_root() -> bool {
    nix::unistd::Uid::effective().is_root()
}

// ----- the UI in a pty -----

// ----- a database to work on -----

fn whoami(fx: &Fixture) -> String {
    fx.json(&["whoami"])["user"].as_str().unwrap().to_string()
}

/// A second Unix user (the approver) sharing the database through a group.
struct OtherUser {
    name: String,
    group: String,
}

impl OtherUser {
    fn add(prefix: &str) -> OtherUser {
        let tag = std::process::id() % 100000;
        let u = OtherUser {
            name: format!("{prefix}{tag}"),
            group: format!("g{prefix}{tag}"),
        };
        assert!(
            Command::new("groupadd").arg(&u.group).status().unwrap().success(),
            "groupadd"
        );
        let ok = Command::new("useradd")
            .args(["-M", "-N", "-g", &u.group, "-s", "/bin/sh", &u.name])
            .status()
            .unwrap()
            .success();
        assert!(ok, "useradd {}", u.name);
        u
    }
}

impl Drop for OtherUser {
    fn drop(&mut self) {
        let _ = Command::new("userdel").arg(&self.name).status();
        let _ = Command::new("groupdel").arg(&self.group).status();
    }
}

fn chmod(p: &Path, mode: u32) {
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// Let `user` use the fixture: a copy of the binary it can run, and a way to
/// the server's socket in the data directory ([`serve`]). The directory is
/// the owner's (a group-writable one is refused since issue 14: a member could
/// rewrite config.toml); the other user works through `beian serve`.
fn share_with(fx: &mut Fixture, _user: &OtherUser) {
    chmod(fx.dir(), 0o755);
    chmod(&fx.home(), 0o755);
    let bin = fx.dir().join("beian");
    std::fs::copy(&fx.bin, &bin).unwrap();
    chmod(&bin, 0o755);
    fx.bin = bin;
    chmod(&fx.db, 0o755);
}

/// `beian serve` on the data directory's default socket (`<db>/beian.sock`,
/// given to `user`'s group), for another user's session; stopped by its pid
/// (SIGTERM) when dropped, after which the owner's commands open the database
/// themselves again.
struct Served(std::process::Child);

impl Drop for Served {
    fn drop(&mut self) {
        let pid = nix::unistd::Pid::from_raw(self.0.id() as i32);
        let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM);
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while matches!(self.0.try_wait(), Ok(None)) && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn serve(fx: &Fixture, user: &OtherUser) -> Served {
    let socket = fx.db.join("beian.sock");
    let child = Command::new(&fx.bin)
        .args([
            "--db",
            fx.db.to_str().unwrap(),
            "serve",
            "--socket",
            socket.to_str().unwrap(),
        ])
        .args(["--socket-group", &user.group])
        .env_clear()
        .envs(fx.envs("en"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut served = Served(child);
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while std::os::unix::net::UnixStream::connect(&socket).is_err() {
        assert!(
            matches!(served.0.try_wait(), Ok(None)) && std::time::Instant::now() < deadline,
            "the server did not listen"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    served
}

/// Dates relative to today, in Beijing time: the window must follow the notice by
/// more than the three days of the notice period.
fn day(offset: i64) -> String {
    let now = chrono::Utc::now().with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap());
    (now + chrono::Duration::days(offset)).format("%Y-%m-%d").to_string()
}

/// The current minute in Beijing time, as a go-live time is typed (floored to
/// the minute, so it is never ahead of the clock).
fn this_minute() -> String {
    let now = chrono::Utc::now().with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap());
    now.format("%Y-%m-%d %H:%M").to_string()
}

/// The words of a command line (for arguments without spaces).
fn args(line: &str) -> Vec<&str> {
    line.split_whitespace().collect()
}

/// The line of the screen that shows `text`.
#[track_caller]
// ----- 1. the acceptance flow (issue 3, acceptance 2) -----
#[test]
fn acceptance_flow_at_80x24() {
    if !is_root() {
        // No silent skip where the check must run.
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI=true but not root: the approval needs a second Unix user (useradd)"
        );
        eprintln!("skipped: the approval needs a second Unix user (useradd); run as root (CI does)");
        return;
    }
    let approver = OtherUser::add("bta");
    let mut fx = Fixture::new();
    share_with(&mut fx, &approver);
    fx.ok(&["init"]);
    let me = whoami(&fx);
    std::fs::write(
        fx.db.join("config.toml"),
        format!(
            "[roles.users]\n{me} = [\"operator\"]\n{} = [\"approver\"]\n",
            approver.name
        ),
    )
    .unwrap();
    assert_eq!(fx.json(&["whoami"])["roles"], serde_json::json!(["admin", "operator"]));
    fx.ok(&args(
        "system add --name 一卡通系统 --department 后勤处 --vendor 新中新 --version V2.3",
    ));
    fx.ok(&args(
        "system add --name 教务管理系统 --department 教务处 --version 5.1",
    ));
    fx.ok(&args(&format!(
        "calendar add 期末考试 --start {} --end {} --hard",
        day(40),
        day(52)
    )));
    // Five requests: (title, body, system, channel).
    let req = |title: &str, body: &str, sys: &str, channel: &str| {
        let line = format!(
            "request add --title {title} --body {body} --system {sys} --channel {channel} \
             --submitter 李老师 --submitter-type teacher --department 后勤处"
        );
        fx.id(&args(&line))
    };
    let r1 = req(
        "食堂消费机重复扣款",
        "午餐高峰时段刷卡后余额被扣两次，学生投诉较多。",
        "一卡通",
        "email",
    );
    let r2 = req(
        "门禁刷卡偶尔失败",
        "图书馆门禁刷校园卡偶尔无反应。",
        "一卡通",
        "website",
    );
    let r3 = req(
        "消费记录导出表格",
        "希望能把消费记录导出为表格。",
        "一卡通",
        "questionnaire",
    );
    let r4 = req("充值页面显示异常", "手机充值页面金额显示错位。", "一卡通", "counsellor");
    let r5 = req("选课高峰卡顿", "选课开始后页面长时间无响应。", "教务管理系统", "email");
    // r3 and r4 have their necessity and feasibility analysed (§3.1), so marking
    // them accepts them as they are; r1 is analysed in the UI's accept form.
    for r in [&r3, &r4] {
        fx.ok(&[
            "request",
            "edit",
            r,
            "--necessity",
            "同类反馈较多，有必要处理",
            "--feasibility",
            "厂商可在下一版本实现",
        ]);
    }

    // ---- session 1, the operator: the queue ----
    let mut t = fx.tui("zh-CN", 80, 24);
    let s = t.wait_for("REQ-", 10);
    assert!(s.contains("需求队列") && s.contains("5 条新需求"), "{s}");
    t.wait_for("5/5", 5);
    // Filter by a field: the four requests of the card system, newest first.
    t.send("/");
    t.send("system:一卡通");
    t.send(key::ENTER);
    let s = t.wait_for("4/5", 5);
    assert!(!s.contains(&r5), "{s}");
    // Rows: r4 (selected), r3, r2, r1. Mark r4 and r3, accept both at once.
    t.send(" ");
    t.send(" ");
    t.wait_for("已选 2", 5);
    t.send("a");
    // A bulk action lists what it will touch before it does.
    let s = t.wait_for("采纳以下 2 条需求", 5);
    assert!(s.contains(&r3) && s.contains(&r4), "{s}");
    t.send("y");
    let s = t.wait_until(5, "r3 and r4 accepted", |s| {
        s.lines()
            .filter(|l| (l.contains(&r3) || l.contains(&r4)) && l.contains("已采纳"))
            .count()
            == 2
    });
    assert!(s.contains("已选 0"), "{s}");
    // The cursor is on r2 now: reject it with a reason.
    t.send("x");
    // The prompt names the request it acts on.
    t.wait_for(&format!("驳回 {r2}"), 5);
    t.send("已有同类需求，门禁由保卫处负责");
    t.send(key::ENTER);
    t.wait_line(&[&r2, "已驳回"], 5);
    // Down to r1: accept it alone. It has no analysis yet, so `a` asks for it first.
    t.send("j");
    t.send("a");
    let s = t.wait_for("受理需求：必要性与可行性分析（§3.1）", 5);
    assert!(s.contains("必要性分析") && s.contains("可行性分析"), "{s}");
    assert!(
        !has_line(&s, &[&r1, "已采纳"]),
        "not accepted before the form is sent: {s}"
    );
    t.send("高峰期重复扣款影响全校师生，有必要修复");
    t.send(key::TAB);
    t.send("厂商已提供固件补丁，可行");
    t.wait_for("厂商已提供固件补丁，可行", 5);
    t.send(key::CTRL_S);
    t.wait_gone("受理需求", 5);
    t.wait_line(&[&r1, "已采纳"], 5);
    // The detail of r1 shows its body.
    t.send(key::ENTER);
    t.wait_for("余额被扣两次", 5);
    t.esc();
    t.wait_gone("余额被扣两次", 5);

    // ---- the plan: new, edit every field in Chinese, submit ----
    t.send("2");
    t.wait_for("计划编辑", 5);
    t.send("n");
    t.wait_for("新建更新计划", 5);
    // The system comes from the request selected in the queue.
    t.send(key::TAB);
    t.send("一卡通消费机固件升级");
    t.send(key::TAB);
    t.send("V2.4");
    t.send(key::CTRL_S);
    let s = t.wait_for("PLAN-", 5);
    let plan = line_with(&s, "PLAN-")
        .split_whitespace()
        .find(|w| w.starts_with("PLAN-"))
        .unwrap()
        .to_string();
    t.wait_line(&[&plan, "草稿"], 5);
    // Link r1 (still selected in the queue) to the new plan: the prompt offers the draft.
    t.send("1");
    t.send("L");
    let s = t.wait_for(&format!("将 {r1}"), 5);
    assert!(s.contains("关联到计划"), "{s}");
    assert!(s.contains(&plan), "the prompt offers the draft plan: {s}");
    t.send(key::ENTER);
    t.wait_line(&[&r1, "已排入"], 5);
    t.send("2");
    t.send(key::ENTER);
    t.wait_for("缺少", 5);
    t.send("e");
    t.wait_for("编辑计划", 5);
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
        "不涉及避让期",
        "升级前全量备份交易库并校验",
        "无数据结构变化，沿用原交易库",
        "保留旧固件包，十分钟内可回退",
        "升级中断导致消费机离线 | low | high | 夜间窗口操作并保留现金通道\r交易去重策略误判 | medium | medium | 灰度观察一周",
        "王磊 | 负责人 | 实施\r赵敏 | 测试 | 功能验证",
        "否",
    ];
    for (i, text) in fields.iter().enumerate() {
        if i > 0 {
            t.send(key::TAB);
        }
        if i == 5 {
            // First a window in the exam period: the editor warns at once, on the field.
            let (bad_start, bad_end) = (format!("{} 22:00", day(45)), format!("{} 02:00", day(46)));
            t.send(&format!("{bad_start}\t{bad_end}"));
            t.send(key::BACKTAB);
            t.wait_for("这一禁止更新期内", 5);
            t.send(&format!("{}{start}\t{}", erase(16), erase(16)));
            t.send(key::BACKTAB);
            t.wait_gone("这一禁止更新期内", 5);
            continue;
        }
        t.send(text);
    }
    // The last field, focused, has the answer (its label has 否 too).
    let s = t.wait_until(5, "the answer to 是否迁移数据", |s| {
        s.lines()
            .any(|l| l.split("是否迁移数据").nth(1).is_some_and(|v| v.contains('否')))
    });
    assert!(!s.contains("时间格式为"), "the window is well formed: {s}");
    t.send(key::CTRL_S);
    t.wait_gone("编辑计划", 5);
    let s = t.wait_for("灰度升级", 5);
    assert!(!s.contains("缺少"), "nothing missing after the edit: {s}");
    t.assert_redraw_stable("the plan detail");
    assert!(s.contains("一卡通消费机固件升级（第一期）"), "{s}");
    // Submitting asks first, listing the requests the plan answers (§3.1).
    t.send("s");
    let s = t.wait_for("提交信息化领导小组", 5);
    assert!(s.contains("关联需求（1 项）") && s.contains(&r1), "{s}");
    t.send("y");
    t.wait_line(&[&plan, "已提交"], 5);
    // The operator may not approve: the key is not offered, and pressing it
    // says why at once — no prompt for the minutes first.
    let s = t.screen();
    let status = s.lines().last().unwrap_or_default().to_string();
    assert!(
        !status.contains("A 批准"),
        "approve is not offered to an operator: {status}"
    );
    t.send("A");
    let s = t.wait_for("无权执行 审批计划", 5);
    assert!(!s.contains("会议纪要编号"), "no prompt before the refusal: {s}");
    t.quit();

    // The database has the plan as written.
    let p = fx.json(&["plan", "show", &plan]);
    assert_eq!(p["status"], "submitted", "{p}");
    assert_eq!(p["title"], "一卡通消费机固件升级（第一期）");
    assert_eq!(p["goals"], "消除重复扣款，提升高峰期交易稳定性");
    assert_eq!(p["approach"], "分批灰度升级，先二食堂后全校");
    assert_eq!(p["risks"].as_array().unwrap().len(), 2, "{p}");
    assert_eq!(p["risks"][0]["impact"], "high");
    assert_eq!(p["risks"][0]["mitigation"], "夜间窗口操作并保留现金通道");
    assert_eq!(p["staff"][0]["person"], "王磊");
    assert_eq!(p["staff"][1]["duty"], "功能验证");
    assert_eq!(p["migrates_data"], false, "{p}");
    for (r, status) in [
        (&r1, "planned"),
        (&r2, "rejected"),
        (&r3, "accepted"),
        (&r4, "accepted"),
        (&r5, "new"),
    ] {
        assert_eq!(fx.json(&["request", "show", r])["status"], status, "{r}");
    }
    assert_eq!(
        fx.json(&["request", "show", &r2])["reject_reason"],
        "已有同类需求，门禁由保卫处负责"
    );
    assert_eq!(p["requests"], serde_json::json!([r1]));
    // The analysis typed into the accept form is on record.
    let r = fx.json(&["request", "show", &r1]);
    assert_eq!(r["necessity"], "高峰期重复扣款影响全校师生，有必要修复", "{r}");
    assert_eq!(r["feasibility"], "厂商已提供固件补丁，可行", "{r}");

    // ---- session 2, the approver (another Unix user) approves in the UI ----
    // Through the server: the approver may not open the database itself.
    let server = serve(&fx, &approver);
    let mut t = fx.tui_as(&approver.name, "zh-CN");
    let s = t.wait_for("1 项待审批", 10);
    assert!(s.contains(&format!("{} [审批人]", approver.name)), "{s}");
    t.send("2");
    t.wait_line(&[&plan, "已提交"], 5);
    // The prompt for the minutes reference is the confirmation.
    t.send("A");
    t.wait_for("会议纪要编号", 5);
    t.send("信息化领导小组会议纪要〔2026〕12号");
    t.send(key::ENTER);
    t.wait_line(&[&plan, "已批准"], 5);
    t.quit();
    drop(server);
    let p = fx.json(&["plan", "show", &plan]);
    assert_eq!(p["status"], "approved");
    assert_eq!(p["approvals"][0]["approver"], approver.name.as_str());

    // ---- session 3, the operator: notice, implementation, tests, go-live ----
    let mut t = fx.tui("zh-CN", 80, 24);
    t.wait_for("REQ-", 10);
    t.send("2");
    t.wait_line(&[&plan, "已批准"], 5);
    t.send(key::ENTER);
    t.wait_for("灰度升级", 5);
    t.send("N");
    t.wait_for("的以下更新预告", 5);
    t.assert_redraw_stable("the notice over the plan detail");

    t.send("y");
    t.wait_line(&[&plan, "已发布预告"], 5);
    t.send("I");
    t.wait_line(&[&plan, "实施中"], 5);
    t.send("3");
    t.wait_for("尚无测试轮次", 5);
    // A round runs in a test environment (§3.3): `r` asks for it; without one
    // the round is refused.
    t.send("r");
    t.wait_for("新一轮测试的测试环境（§3.3）", 5);
    t.send(key::ENTER);
    let s = t.wait_for("测试环境 不能为空", 5);
    assert!(
        s.contains("尚无测试轮次") && !s.contains("第 1 轮"),
        "no round without an environment: {s}"
    );
    t.send("r");
    t.wait_for("新一轮测试的测试环境（§3.3）", 5);
    t.send("测试环境 10.10.1.20（生产数据脱敏副本）");
    t.send(key::ENTER);
    t.wait_for("第 1 轮（共 1 轮）", 5);
    // Two items: one by a department representative, one by the operator.
    t.send("i");
    t.wait_for("新建测试项", 5);
    t.send(&format!(
        "\t高峰期连续刷卡不重复扣款\t每次刷卡只扣一次\t{}赵敏\t{}department_rep",
        erase(me.len()),
        erase(10)
    ));
    t.send(key::CTRL_S);
    t.wait_gone("新建测试项", 5);
    t.wait_for("#1", 5);
    t.send("i");
    t.wait_for("新建测试项", 5);
    t.send(&format!("{}performance\t每秒五十笔交易\t响应小于一秒", erase(10)));
    t.send(key::CTRL_S);
    t.wait_gone("新建测试项", 5);
    t.wait_for("#2", 5);
    // Rows: functional, #1, performance, #2. Item 1 passes (the selection moves on).
    t.send(key::HOME);
    t.send("j");
    t.send("p");
    t.wait_for("[✓] #1", 5);
    // Item 2, the last row, fails: the defect form opens on it.
    t.send("j");
    t.send("f");
    let s = t.wait_for("记录缺陷", 5);
    assert!(s.contains("major"), "{s}");
    t.send(&format!(
        "\t高峰期交易响应超过三秒\t{}赵敏\t{}department_rep\t\tXZX-2026-118",
        erase(me.len()),
        erase(10)
    ));
    t.send(key::CTRL_S);
    t.wait_gone("记录缺陷", 5);
    // The result and the defect are two commands: wait for both to come back.
    let s = t.wait_until(5, "the failed item and its defect", |s| {
        s.contains("[✗] #2") && s.contains("D1")
    });
    assert!(s.contains("尚未确认数据备份"), "the gate lists the backup: {s}");
    let sel = t.selected_rows();
    assert!(sel[0].contains("#2"), "the failed item stays selected: {sel:?}");
    t.assert_redraw_stable("the checklist with toasts");
    // Round 2 copies the failed item, which keeps its number (#2); it passes now.
    // The environment prompt offers the last round's, edited here before Enter.
    t.send("r");
    let s = t.wait_for("新一轮测试的测试环境（§3.3）", 5);
    assert!(s.contains("测试环境 10.10.1.20（生产数据脱敏副本）"), "{s}");
    t.send(&erase("（生产数据脱敏副本）".chars().count()));
    t.wait_gone("脱敏副本", 5);
    t.send(key::ENTER);
    t.wait_for("第 2 轮（共 2 轮）", 5);
    let s = t.wait_for("每秒五十笔交易", 5);
    assert!(!s.contains("高峰期连续刷卡"), "only the failed item is copied: {s}");
    assert!(s.contains("[ ] #2"), "the copied item keeps its number: {s}");
    t.send(key::HOME);
    t.send("j");
    t.send("p");
    let s = t.wait_for("[✓] #2", 5);
    assert!(!s.contains("] #1 "), "round 2 has only item #2: {s}");
    assert!(!s.contains("未通过或豁免"), "no open items: {s}");
    // The data backup (B): only the major defect is left in the gate.
    t.send("B");
    t.wait_for("数据备份确认", 5);
    t.send(&format!(
        "交易库全量备份\t备份服务器 /backup/ykt\t38 GB\tsha256:9f2c\t{}王磊",
        erase(me.len())
    ));
    t.send(key::CTRL_S);
    t.wait_gone("数据备份确认", 5);
    let s = t.wait_until(5, "the gate without the backup", |s| {
        !s.contains("尚未确认数据备份") && s.contains("D1 (严重)")
    });
    assert!(!s.contains("条件齐备"), "D1 is not verified yet: {s}");
    // The window is ten days away: going live now is a deviation (§3.4). The
    // operator records it (V: the time, offered as the clock's minute, and why),
    // not before the backup and the last round (a go-live follows them)…
    let now = this_minute();
    t.send("V");
    let s = t.wait_for("窗口外上线（偏差）", 5);
    assert!(s.contains("理由"), "{s}");
    t.send(&format!("{}{now}\t重复扣款持续发生，后勤处要求提前上线", erase(16)));
    t.wait_for("后勤处要求提前上线", 5);
    t.send(key::CTRL_S);
    t.wait_gone("窗口外上线", 5);
    t.wait_for("已保存", 5);
    // …but may not accept it: that takes an approver who did not contribute.
    // The refusal comes at once, before any prompt.
    t.send("Y");
    let s = t.wait_for("无权执行 接受", 5);
    assert!(!s.contains("的上线偏差：理由"), "{s}");
    t.quit();

    // The TUI has no key to update a defect: the vendor's fix is verified with the CLI.
    let p = fx.json(&["plan", "show", &plan]);
    assert_eq!(p["rounds"].as_array().unwrap().len(), 2, "{p}");
    assert_eq!(p["rounds"][0]["items"][0]["result"], "pass");
    assert_eq!(p["rounds"][0]["items"][0]["tester"]["name"], "赵敏");
    assert_eq!(p["rounds"][0]["items"][0]["tester"]["kind"], "department_rep");
    assert_eq!(p["rounds"][0]["items"][1]["result"], "fail");
    assert_eq!(p["rounds"][1]["items"][0]["result"], "pass");
    assert_eq!(p["rounds"][1]["items"][0]["no"], 2);
    assert_eq!(p["rounds"][1]["items"][0]["description"], "每秒五十笔交易");
    // Each round's environment as typed into the prompt (round 2 edited the offered one).
    assert_eq!(p["rounds"][0]["environment"], "测试环境 10.10.1.20（生产数据脱敏副本）");
    assert_eq!(p["rounds"][1]["environment"], "测试环境 10.10.1.20");
    assert_eq!(p["defects"][0]["description"], "高峰期交易响应超过三秒");
    assert_eq!(p["defects"][0]["severity"], "major");
    assert_eq!(p["defects"][0]["found_by"]["name"], "赵敏");
    assert_eq!(p["defects"][0]["item"], 2);
    assert_eq!(p["defects"][0]["vendor_ref"], "XZX-2026-118");
    assert_eq!(p["deviation"]["reason"], "重复扣款持续发生，后勤处要求提前上线", "{p}");
    assert_eq!(p["deviation"]["recorded_by"], me.as_str(), "{p}");
    assert!(p["deviation"]["accepted"].is_null(), "{p}");
    fx.ok(&["test", "defect-update", &plan, "D1", "--status", "verified"]);

    // ---- session 3b, the approver accepts the deviation in the UI (Y) ----
    let server = serve(&fx, &approver);
    let mut t = fx.tui_as(&approver.name, "zh-CN");
    t.wait_for("需求队列", 10);
    t.send("2");
    t.wait_line(&[&plan, "待上线"], 5);
    t.send("3");
    t.wait_for("第 2 轮（共 2 轮）", 5);
    t.send("Y");
    t.wait_for("的上线偏差：理由", 5);
    t.send("影响面大，同意提前");
    t.send(key::ENTER);
    t.wait_gone("的上线偏差：理由", 5);
    t.wait_for("已保存", 5);
    t.quit();
    drop(server);
    let p = fx.json(&["plan", "show", &plan]);
    assert_eq!(p["deviation"]["accepted"]["by"], approver.name.as_str(), "{p}");
    assert_eq!(p["deviation"]["accepted"]["reason"], "影响面大，同意提前", "{p}");

    // ---- session 4: go-live, training, comparison, filing ----
    // D1 verified and the backup confirmed: the plan is ready for go-live.
    let mut t = fx.tui("zh-CN", 80, 24);
    t.wait_for("REQ-", 10);
    t.send("2");
    t.wait_line(&[&plan, "待上线"], 5);
    t.send(key::ENTER);
    t.wait_for("灰度升级", 5);
    t.send("3");
    let s = t.wait_for("第 2 轮（共 2 轮）", 5);
    assert!(
        s.contains("条件齐备，可以上线") && !s.contains("尚未确认数据备份"),
        "{s}"
    );
    t.send("L");
    t.wait_for("记录上线", 5);
    // The time field offers the clock's minute; the deviation's is typed over it.
    t.send(&format!(
        "{}{now}\t{}王磊\t\t\t逐台推送固件并重启\t调整去重窗口为三十秒\t无异常",
        erase(16),
        erase(me.len())
    ));
    t.send(key::CTRL_S);
    t.wait_for("已上线", 5);
    t.send("2");
    t.wait_line(&[&plan, "已上线"], 5);
    t.send("T");
    t.wait_for("培训记录", 5);
    t.send(&format!("\t\t{}王磊\t\t{}12", erase(me.len()), erase(1)));
    t.send(key::CTRL_S);
    t.wait_gone("培训记录", 5);
    t.send("c");
    t.wait_for("更新前后功能对比", 5);
    t.send("交易去重 | 三秒内去重 | 三十秒内去重 | changed");
    t.send(key::CTRL_S);
    t.wait_gone("更新前后功能对比", 5);
    t.send("F");
    t.wait_for("档案将被冻结", 5);
    t.send("y");
    t.wait_line(&[&plan, "已备案"], 5);

    // ---- the archive: search by a Chinese word, the timeline, the dossier, export ----
    t.send("4");
    let s = t.wait_for("FILE-", 5);
    let dossier = line_with(&s, "FILE-")
        .split_whitespace()
        .find(|w| w.starts_with("FILE-"))
        .unwrap()
        .to_string();
    t.send("/");
    t.send("图书馆");
    t.send(key::ENTER);
    t.wait_for("没有档案", 5);
    t.send("/");
    t.send(&erase(3));
    t.send("灰度升级");
    t.send(key::ENTER);
    t.wait_for(&dossier, 5);
    t.send(key::ENTER);
    // The dossier opens below the list, section by section (not as Markdown).
    let s = t.wait_for("备案信息", 5);
    assert!(s.contains(&format!("┌ {dossier} · ")), "{s}");
    // (The labels are as wide as the section's widest, 是否迁移数据.)
    assert!(has_line(&s, &["│标题 ", " 一卡通消费机固件升级（第一期）"]), "{s}");
    assert!(!s.contains("## "), "{s}");
    t.assert_redraw_stable("the dossier");
    t.send("E");
    let s = t.wait_for("已导出到", 5);
    assert!(s.contains(&format!("{dossier}.md")), "{s}");
    let md = fx.dir().join(format!("{dossier}.md"));
    assert!(md.exists(), "{} exists", md.display());
    let text = std::fs::read_to_string(&md).unwrap();
    for word in [
        "一卡通消费机固件升级",
        "分批灰度升级",
        "王磊",
        "交易去重",
        "高峰期交易响应超过三秒",
        "逐台推送固件并重启",
        &r1,
    ] {
        assert!(text.contains(word), "{word} in the export:\n{text}");
    }
    t.esc();
    t.wait_gone("## ", 5);
    t.esc();
    t.wait_gone("灰度升级", 5);
    // The timeline: t, the system (offered from the selected dossier), enter.
    t.send("t");
    t.wait_for("查看系统近 30 天的变更", 5);
    t.send(&erase(5));
    t.send("一卡通");
    t.send(key::ENTER);
    // The label shows at once, the hits when the search answers.
    t.wait_until(5, "the timeline with the dossier", |s| {
        s.contains("一卡通系统，最近 30 天") && s.contains(&dossier)
    });
    t.quit();

    // The database: filed, the linked request done, the dossier found by a Chinese word.
    assert_eq!(fx.json(&["plan", "show", &plan])["status"], "filed");
    assert_eq!(fx.json(&["request", "show", &r1])["status"], "done");
    let hits = fx.json(&["archive", "search", "灰度升级"]);
    assert_eq!(hits["hits"][0]["dossier"]["id"], dossier.as_str());
    let d = fx.json(&["archive", "show", &dossier]);
    assert_eq!(d["dossier"]["plan"]["golives"][0]["deployer"], "王磊");
    let dev = &d["dossier"]["plan"]["golives"][0]["deviation"];
    assert_eq!(dev["reason"], "重复扣款持续发生，后勤处要求提前上线", "{dev}");
    assert_eq!(dev["accepted"]["by"], approver.name.as_str(), "{dev}");
    assert_eq!(dev["accepted"]["reason"], "影响面大，同意提前", "{dev}");
    let at = d["dossier"]["plan"]["golives"][0]["time"].as_str().unwrap();
    let at = chrono::DateTime::parse_from_rfc3339(at)
        .unwrap()
        .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap());
    assert_eq!(
        at.format("%Y-%m-%d %H:%M").to_string(),
        now,
        "the go-live at the deviation's minute"
    );
    assert_eq!(d["dossier"]["plan"]["training"][0]["attendance"], 12);
    assert_eq!(d["dossier"]["plan"]["comparison"][0]["after"], "三十秒内去重");
    assert_eq!(d["dossier"]["plan"]["backup"]["what"], "交易库全量备份");

    // Three keystrokes from start: what changed on the system of the newest dossier.
    let mut t = fx.tui("zh-CN", 80, 24);
    t.wait_for("REQ-", 10);
    t.send("4");
    t.wait_for(&dossier, 5);
    t.send("t");
    t.wait_for("查看系统近 30 天的变更", 5);
    t.send(key::ENTER);
    // The label shows at once, the hits when the search answers.
    t.wait_until(5, "the timeline with the dossier", |s| {
        s.contains("一卡通系统，最近 30 天") && s.contains(&dossier)
    });
    t.quit();
}

// ----- helpers for the shorter tests -----

/// A database with one system, one request and one draft plan, as the running user (admin, operator).
fn small_db() -> (Fixture, String) {
    let fx = Fixture::new();
    fx.ok(&["init"]);
    let me = whoami(&fx);
    std::fs::write(
        fx.db.join("config.toml"),
        format!("[roles.users]\n{me} = [\"operator\"]\n"),
    )
    .unwrap();
    fx.ok(&args("system add --name 一卡通系统 --department 后勤处 --version V2.3"));
    fx.ok(&args(
        "request add --title 食堂消费机重复扣款 --submitter 李老师 --system 一卡通",
    ));
    let plan = fx.id(&args(
        "plan new --system 一卡通系统 --title 一卡通消费机固件升级 --to V2.4",
    ));
    (fx, plan)
}

/// The raw output ends by leaving the alternate screen and showing the cursor, after
/// the last time it entered; the emulated terminal agrees.
#[track_caller]
fn assert_restored(t: &Tui, how: &str) {
    let raw = t.raw_bytes();
    let find_last = |pat: &[u8]| raw.windows(pat.len()).rposition(|w| w == pat);
    let entered =
        find_last(b"\x1b[?1049h").unwrap_or_else(|| panic!("{how}: the UI never entered the alternate screen"));
    let left = find_last(b"\x1b[?1049l").unwrap_or_else(|| panic!("{how}: the alternate screen was not left"));
    let shown = find_last(b"\x1b[?25h").unwrap_or_else(|| panic!("{how}: the cursor was not shown again"));
    assert!(
        left > entered,
        "{how}: left the alternate screen before entering it last"
    );
    assert!(
        shown > left.max(find_last(b"\x1b[?25l").unwrap_or(0)),
        "{how}: the cursor is hidden at the end"
    );
    let end = String::from_utf8_lossy(&raw[raw.len().saturating_sub(40)..]).into_owned();
    assert!(
        raw.ends_with(b"\x1b[?1049l\x1b[?25h"),
        "{how}: the output ends with {end:?}"
    );
    let tail = String::from_utf8_lossy(&raw[entered..]);
    assert!(!tail.contains("panicked"), "{how}: {tail}");
    let p = t.parser.lock().unwrap();
    assert!(!p.screen().alternate_screen(), "{how}: still on the alternate screen");
    assert!(!p.screen().hide_cursor(), "{how}: the cursor is still hidden");
    assert!(!p.screen().bracketed_paste(), "{how}: bracketed paste is still on");
}

/// Raw mode is off again: the line discipline echoes and reads lines.
#[track_caller]
fn assert_cooked(t: &Tui, how: &str) {
    let termios = t.master.as_ref().unwrap().get_termios().expect("termios of the pty");
    let flags = format!("{:?}", termios.local_flags);
    assert!(
        flags.contains("ICANON") && flags.contains("ECHO"),
        "{how}: the pty is still raw: {flags}"
    );
}

// ----- 2. SIGHUP (and SIGTERM) with an unsaved plan edit: the draft comes back -----

#[test]
fn unsaved_plan_edit_survives_sighup_and_sigterm() {
    use nix::sys::signal::Signal;
    let (fx, plan) = small_db();
    for (sig, text) in [
        (Signal::SIGHUP, "断线前未保存的目标"),
        (Signal::SIGTERM, "，终止前补充的内容"),
    ] {
        let mut t = fx.tui("zh-CN", 80, 24);
        t.wait_for("需求队列", 10);
        if sig == Signal::SIGHUP {
            t.send("2");
            t.wait_for(&plan, 5);
            // The editor opens once the plan is loaded.
            t.send("e");
            t.wait_for("编辑计划", 5);
            t.send(&format!("{}{}", key::TAB, key::TAB));
        } else {
            // The draft of the first round is back, focus on the goals: type on.
            let s = t.wait_for("编辑计划", 5);
            assert!(s.contains("断线前未保存的目标"), "{s}");
        }
        t.send(text);
        t.wait_for(text, 5);
        t.signal(sig);
        let st = t
            .wait_exit(5)
            .unwrap_or_else(|| panic!("no exit within 5 s of {sig}:\n{}", t.screen()));
        assert!(st.success(), "{sig}: {st:?}");
        assert_restored(&t, sig.as_str());
        assert_cooked(&t, sig.as_str());
    }
    // Nothing was saved; the next start reopens the form with both edits.
    assert_eq!(fx.json(&["plan", "show", &plan])["goals"], "");
    let mut t = fx.tui("zh-CN", 80, 24);
    let s = t.wait_for("已恢复上次未保存的编辑", 10);
    assert!(s.contains("编辑计划") && s.contains(&plan), "{s}");
    t.wait_for("断线前未保存的目标，终止前补充的内容", 5);
    // Saving it does what the edit meant.
    t.send(key::CTRL_S);
    t.wait_gone("编辑计划", 5);
    t.quit();
    assert_eq!(
        fx.json(&["plan", "show", &plan])["goals"],
        "断线前未保存的目标，终止前补充的内容"
    );
    let me = whoami(&fx);
    for file in ["draft.json", "drafts.json"] {
        assert!(
            !fx.db.join("drafts").join(&me).join(file).exists(),
            "the draft is gone once saved ({file})"
        );
    }
}

// ----- 2b. a picker and a parked form, across sessions -----

/// F2 as xterm sends it.
const F2: &str = "\x1bOQ";

#[test]
fn a_picker_and_a_parked_form_across_sessions() {
    let (fx, plan) = small_db();
    let mut t = fx.tui("zh-CN", 80, 24);
    t.wait_for("REQ-", 10);
    t.send("n");
    t.wait_for("新建需求", 5);
    t.send("电话报修：宿舍网络断线");
    t.send(&key::TAB.repeat(4));
    t.send("王老师");
    // The submitter type: typing 老师 over the offered 职工 chooses 教师, from a
    // list of choices labelled in Chinese and English.
    t.send(key::TAB);
    t.wait_line(&["提交人类型", "职工 ▾"], 5);
    t.send("老师");
    let s = t.wait_line(&["提交人类型", "教师 ▾", "老师"], 5);
    assert!(has_line(&s, &["›教师", "teacher"]), "{s}");
    assert!(!s.contains("staff老师"), "{s}");
    t.send(&key::TAB.repeat(3));
    t.wait_line(&["渠道", "其他 ▾"], 5);
    t.send("电话");
    t.wait_line(&["渠道", "电话 ▾"], 5);
    // Park it, look something up in the plans pane, quit.
    t.send(F2);
    t.wait_gone("新建需求", 5);
    t.wait_for("1 份暂存", 5);
    t.send("2");
    t.wait_for(&plan, 5);
    t.quit();

    // The next session lists it (nothing opens by itself); Enter reopens it as it was.
    let mut t = fx.tui("zh-CN", 80, 24);
    let s = t.wait_for("暂存的表单 (1)", 10);
    assert!(s.contains("电话报修：宿舍网络断线"), "{s}");
    assert!(s.contains("上次留下 1 份未完成的表单"), "{s}");
    t.send(key::ENTER);
    // Focus where it was left, on the channel (its choices open over the fields
    // above); on the tags, the last field, every choice is in view.
    t.wait_line(&["渠道", "电话 ▾"], 5);
    t.send(&key::TAB.repeat(2));
    let s = t.wait_line(&["渠道", "电话  telephone"], 5);
    assert!(has_line(&s, &["提交人类型", "教师  teacher"]), "{s}");
    t.send(key::CTRL_S);
    t.wait_gone("新建需求", 5);
    t.wait_for("已保存", 5);
    t.quit();

    let list = fx.json(&["request", "list"]);
    let id = list
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["title"] == "电话报修：宿舍网络断线")
        .unwrap_or_else(|| panic!("the request was filed: {list}"))["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = fx.json(&["request", "show", &id]);
    assert_eq!(r["submitter"]["kind"], "teacher", "{r}");
    assert_eq!(r["channel"], "phone", "{r}");
    let me = whoami(&fx);
    assert!(!fx.db.join("drafts").join(me).join("drafts.json").exists());
}

// ----- 3. the terminal is restored: quit, SIGTERM, the pty closing -----

#[test]
fn terminal_restored_on_quit_sigterm_and_pty_close() {
    let (fx, _) = small_db();

    let mut t = fx.tui("en", 80, 24);
    t.wait_for("REQ-", 10);
    assert!(t.parser.lock().unwrap().screen().alternate_screen());
    t.quit();
    assert_restored(&t, "q");
    assert_cooked(&t, "q");

    let mut t = fx.tui("en", 80, 24);
    t.wait_for("REQ-", 10);
    // With a popup open, to be sure the exit does not depend on the state.
    t.send("?");
    t.wait_for("Help", 5);
    t.signal(nix::sys::signal::Signal::SIGTERM);
    let st = t.wait_exit(5).expect("exit within 5 s of SIGTERM");
    assert!(st.success(), "{st:?}");
    assert_restored(&t, "SIGTERM");
    assert_cooked(&t, "SIGTERM");

    // The pty goes away (a dropped SSH connection): the UI must not hang.
    let mut t = fx.tui("en", 80, 24);
    t.wait_for("REQ-", 10);
    t.send("n");
    t.wait_for("New request", 5);
    t.send("half-typed title");
    t.wait_for("half-typed title", 5);
    t.close_pty();
    let st = t.wait_exit(5);
    assert!(st.is_some(), "the UI still runs 5 s after its pty closed");
    // The draft is kept for the next start.
    let me = whoami(&fx);
    let draft = std::fs::read_to_string(fx.db.join("drafts").join(me).join("drafts.json")).expect("draft kept");
    assert!(draft.contains("half-typed title"), "{draft}");
    // And the database is free again.
    fx.ok(&["overview"]);
}

/// A panic of the UI thread: the terminal is put back first, then the panic is
/// reported on the normal screen. The fault is injected with BEIAN_FAULT=panic,
/// which only debug builds (the ones tests run) obey.
#[test]
fn terminal_restored_on_panic() {
    let (fx, _) = small_db();
    let mut cmd = CommandBuilder::new(&fx.bin);
    fx.prepare(&mut cmd, "en");
    cmd.env("BEIAN_FAULT", "panic");
    let mut t = Tui::spawn(cmd, 80, 24);
    let st = t.wait_exit(10).expect("exit after the injected panic");
    assert!(!st.success(), "{st:?}");
    let raw = t.raw_bytes();
    let find_last = |pat: &[u8]| raw.windows(pat.len()).rposition(|w| w == pat);
    let entered = find_last(b"\x1b[?1049h").expect("the UI entered the alternate screen");
    let left = find_last(b"\x1b[?1049l").expect("the alternate screen was left");
    let shown = find_last(b"\x1b[?25h").expect("the cursor was shown again");
    let said = find_last(b"injected fault").expect("the panic was reported");
    assert!(entered < left && left < said, "restored before the panic message");
    assert!(
        shown > find_last(b"\x1b[?25l").unwrap_or(0),
        "the cursor is hidden at the end"
    );
    {
        let p = t.parser.lock().unwrap();
        assert!(!p.screen().alternate_screen(), "still on the alternate screen");
        assert!(!p.screen().hide_cursor(), "the cursor is still hidden");
    }
    assert_cooked(&t, "panic");
    // The database is free again.
    fx.ok(&["overview"]);
}

// ----- 4. resizing at any moment -----

#[test]
fn resize_through_sizes_keeps_running() {
    let (fx, _) = small_db();
    let mut t = fx.tui("zh-CN", 80, 24);
    t.wait_for("REQ-", 10);
    let alive = |t: &mut Tui, at: &str| {
        assert!(
            t.child.try_wait().unwrap().is_none(),
            "the UI died at {at}:\n{}",
            t.screen()
        );
    };
    let sizes: &[(u16, u16)] = &[
        (1, 1),
        (20, 5),
        (80, 24),
        (300, 100),
        (79, 24),
        (80, 23),
        (2, 40),
        (200, 3),
        (80, 24),
        (1, 1),
        (300, 100),
    ];
    for round in 0..2 {
        if round == 1 {
            // Again with a form open over the pane.
            t.send("n");
            t.wait_for("新建需求", 5);
            t.send("窗口大小变化时输入的标题");
            // Seen before the first resize: behind the too-small screen keys do nothing,
            // and a resize may be read before keys typed just ahead of it.
            t.wait_for("窗口大小变化时输入的标题", 5);
        }
        for &(cols, rows) in sizes {
            let mark = t.raw_len();
            t.resize(cols, rows);
            let at = format!("{cols}x{rows}");
            if cols >= 80 && rows >= 24 {
                let s = t.wait_for("需求队列", 5);
                assert!(!s.contains("终端太小"), "{at}: {s}");
                if round == 1 {
                    t.wait_for("窗口大小变化时输入的标题", 5);
                }
            } else if cols >= 20 && rows >= 3 {
                let s = t.wait_for("终端太小", 5);
                assert!(!s.contains("需求队列"), "{at}: {s}");
            } else {
                // Too small even for the notice: something is drawn (a whole
                // frame after the clear), nothing breaks.
                t.wait_frame_since(mark, true, 5);
            }
            alive(&mut t, &at);
        }
    }
    // Many resizes at once, as a window being dragged.
    for i in 0..40u16 {
        t.resize(40 + i * 5, 10 + i);
    }
    t.resize(80, 24);
    t.wait_for("窗口大小变化时输入的标题", 5);
    alive(&mut t, "dragging");
    // Esc on an edited form asks before discarding it.
    t.esc();
    t.wait_for("放弃本次编辑", 5);
    t.send("y");
    t.wait_gone("新建需求", 5);
    t.quit();
    assert!(!String::from_utf8_lossy(&t.raw_bytes()).contains("panicked"));
}

// ----- 5. escape sequences and bidi overrides in text -----

#[test]
fn control_characters_never_reach_the_terminal() {
    let (fx, _) = small_db();
    let evil = "正常\u{202e}反转\u{1b}[2J清屏\u{7}\u{9b}31m红";
    let body = "第一行\u{1b}]0;标题\u{7}\u{2066}隔离\u{2069}";
    let id = fx.id(&[
        "request",
        "add",
        "--title",
        evil,
        "--body",
        body,
        "--submitter",
        "攻击者",
    ]);
    // The core keeps the text and drops the controls.
    let r = fx.json(&["request", "show", &id]);
    assert_eq!(r["title"], "正常反转[2J清屏31m红");
    assert_eq!(r["body"], "第一行]0;标题隔离");

    let mut t = fx.tui("zh-CN", 80, 24);
    t.wait_for(&id, 10);
    // The newest request is selected: its detail shows the whole title.
    t.send(key::ENTER);
    let s = t.wait_for("第一行]0;标题隔离", 5);
    assert!(
        s.contains("需求队列") && s.contains("食堂消费机"),
        "the screen was not cleared: {s}"
    );
    assert!(
        s.lines().any(|l| l.contains('┌') && l.contains("正常反转[2J清屏31m红")),
        "the detail's title: {s}"
    );
    t.esc();
    // Typed by hand into a field, bidi overrides and C1 controls do not get through either.
    t.send("/");
    t.send("正常\u{202e}\u{9b}2J\u{200b}");
    t.wait_for("正常2J", 5);
    t.esc();
    t.quit();
    let raw = t.raw_bytes();
    for (what, bad) in [
        ("U+202E", "\u{202e}".as_bytes()),
        ("U+2066", "\u{2066}".as_bytes()),
        ("U+200B", "\u{200b}".as_bytes()),
        ("C1 CSI", "\u{9b}".as_bytes()),
        ("BEL", b"\x07"),
        ("OSC", b"\x1b]"),
    ] {
        assert!(!raw.windows(bad.len()).any(|w| w == bad), "{what} reached the terminal");
    }
    // The only screen clears are the UI's own (none is right after the title's text).
    assert!(!raw.windows(7).any(|w| w == "转\u{1b}[2J".as_bytes()));
}

/// An idle session writes nothing: over a slow SSH link even a redraw of
/// nothing costs bytes (a tick only redraws while a toast counts down).
#[test]
fn an_idle_session_writes_nothing() {
    let (fx, _) = small_db();
    let mut t = fx.tui("zh-CN", 80, 24);
    t.wait_for("REQ-", 10);
    // The lists and the integrity check (the worker's last job at start) have
    // come: the archive pane shows its result. Back to the queue, every key
    // read and its frame written.
    t.send("4");
    t.wait_for("完整性 ✓", 10);
    t.send("1");
    t.wait_for("需求队列", 5);
    t.wait_settled(5);
    let before = t.raw_bytes().len();
    // Not a wait for something: the span over which nothing may be written.
    std::thread::sleep(std::time::Duration::from_millis(2500));
    let after = t.raw_bytes();
    assert_eq!(
        after.len(),
        before,
        "written while idle: {:?}",
        String::from_utf8_lossy(&after[before..])
    );
    // …and a key still draws at once.
    t.send("j");
    t.wait_until(5, "a frame after `j`", |_| t.raw_bytes().len() > after.len());
    t.quit();
}

/// Issue 13's blocker, reproduced: with a filtered queue and a request's detail
/// open, an action that moves the request out of the view takes the selection
/// *and* the detail to the next one, visibly; the next action's prompt names
/// that request, and the action lands on it — for reject, comment, tag and
/// priority alike. Nothing ever lands on a request the screen did not show.
#[test]
fn each_action_lands_on_the_request_the_screen_names() {
    let fx = Fixture::new();
    fx.ok(&["init"]);
    fx.ok(&args("system add --name 一卡通系统 --department 后勤处 --version V2.3"));
    let req = |title: &str| {
        fx.id(&args(&format!(
            "request add --title {title} --body 正文 --system 一卡通 --channel email \
             --submitter 李老师 --submitter-type teacher --department 后勤处"
        )))
    };
    // Oldest first; the queue shows the newest first.
    let ids: Vec<String> = [
        "甲食堂扣款",
        "乙门禁失败",
        "丙导出表格",
        "丁充值异常",
        "戊余额不符",
        "己网页卡顿",
    ]
    .iter()
    .map(|t| req(t))
    .collect();
    let newest = |n: usize| ids[ids.len() - 1 - n].clone();
    let mut t = fx.tui("zh-CN", 80, 24);
    t.wait_for("6/6", 10);
    t.send("/");
    t.send("status:new");
    t.send(key::ENTER);
    t.send(key::ENTER);
    let (a, b) = (newest(0), newest(1));
    t.wait_for(&format!("┌ {a}"), 5);
    // A is triaged: it leaves the `status:new` view; the selection and the detail move to B.
    t.send("t");
    let s = t.wait_for(&format!("┌ {b}"), 5);
    assert!(!has_line(&s, &[&a, "新建"]), "A left the view: {s}");
    assert!(s.contains(&format!("已分拣: {a}")), "the toast names A: {s}");
    // Reject: the prompt names B, and B is rejected.
    t.send("x");
    t.wait_for(&format!("驳回 {b}"), 5);
    t.send("与已有需求重复");
    t.send(key::ENTER);
    let c = newest(2);
    let s = t.wait_for(&format!("┌ {c}"), 5);
    assert!(s.contains(&format!("已驳回: {b}")), "the toast names B: {s}");
    // Comment: on C, named in the prompt.
    t.send("c");
    t.wait_for(&format!("评论 {c}"), 5);
    t.send("已联系后勤处");
    t.send(key::ENTER);
    t.wait_for("已联系后勤处", 5);
    // Tag and priority: on C too (it stays in the view), each named in its prompt.
    t.send("#");
    t.wait_for(&format!("给 {c}"), 5);
    t.send("食堂");
    t.send(key::ENTER);
    t.wait_for("标签: 食堂", 5);
    t.send("p");
    t.wait_line(&[&c, "的优先级"], 5);
    t.send(&erase(4));
    t.send("高");
    t.send(key::ENTER);
    t.wait_for("高 · ", 5);
    // `u` undoes the last step (the priority) through the core's inverse, once.
    t.send("u");
    t.wait_for(&format!("已撤销: {c}"), 5);
    t.wait_for("普通 · ", 5);
    t.send("u");
    t.wait_for("没有可撤销的操作", 5);
    t.quit();
    assert_eq!(fx.json(&["request", "show", &a])["status"], "triaged");
    assert_eq!(fx.json(&["request", "show", &b])["status"], "rejected");
    let r = fx.json(&["request", "show", &c]);
    assert_eq!(r["comments"][0]["text"], "已联系后勤处", "{r}");
    assert_eq!(r["tags"], serde_json::json!(["食堂"]), "{r}");
    assert_eq!(r["priority"], "normal", "undone: {r}");
    // Nothing landed anywhere else.
    for other in [newest(3), newest(4), newest(5)] {
        let r = fx.json(&["request", "show", &other]);
        assert_eq!(r["status"], "new", "{r}");
        assert!(r["comments"].as_array().is_none_or(|c| c.is_empty()), "{r}");
        assert_eq!(r["priority"], "normal", "{r}");
    }
}

/// Attached files (issue 18 §1) end to end: the demo's PLAN-2026-0005 lists the
/// vendor's test report; a file is attached through the prompt (its path
/// completed with Tab, its kind chosen by number) and listed; both files are
/// saved out and compared byte for byte.
#[test]
fn attach_a_file_and_save_files_out_from_the_plans_pane() {
    let fx = Fixture::new();
    fx.ok(&["demo"]);
    let minutes: Vec<u8> = "验收会议纪要\r\n与会：图书馆、信息中心\n\u{0}\u{1}二进制尾部"
        .bytes()
        .chain((0..=255u8).cycle().take(3000))
        .collect();
    let path = fx.dir().join("验收会议纪要 第一次.txt");
    std::fs::write(&path, &minutes).unwrap();
    let mut t = fx.tui("zh-CN", 120, 40);
    t.wait_for("需求队列", 10);
    t.send("2");
    t.send("/");
    t.send("PLAN-2026-0005");
    t.send(key::ENTER);
    t.wait_for("┌ PLAN-2026-0005", 10);
    // The detail's end: the vendor's test report, its kind and who attached it.
    t.send("l");
    t.send("G");
    t.wait_line(&["厂商测试报告.txt", "测试报告", "210 B", "liuyang"], 10);
    // `+`: the path (Tab completes it), then the kind from the list.
    t.send("+");
    t.wait_for("为 PLAN-2026-0005 添加附件", 5);
    t.send(&format!("{}/验收会议", fx.dir().display()));
    t.send(key::TAB);
    t.wait_for("验收会议纪要 第一次.txt", 5);
    t.send(key::ENTER);
    t.wait_for("的类型", 5);
    t.send("1");
    t.send(key::ENTER);
    t.wait_for("已添加附件 验收会议纪要 第一次.txt", 10);
    t.send("G");
    t.wait_line(&["验收会议纪要 第一次.txt", "签字会议纪要", "3.0 KiB"], 10);
    // Filed: sealed by an addendum of the dossier, named in the row (once the toast is gone).
    t.wait_line(&["验收会议纪要 第一次.txt", "FILE-2026-0005#"], 20);
    // `=`: the vendor's report to the default path (its name, in the working directory).
    t.send("=");
    t.wait_for("保存 PLAN-2026-0005 的哪个附件", 5);
    t.send("#1");
    t.send(key::ENTER);
    t.wait_for("保存到", 5);
    t.send(key::ENTER);
    t.wait_for("已将 厂商测试报告.txt 保存到", 10);
    // And the new file to a path typed over the default.
    t.send("=");
    t.wait_for("保存 PLAN-2026-0005 的哪个附件", 5);
    t.send("#2");
    t.send(key::ENTER);
    t.wait_for("保存到", 5);
    t.send(&erase(60));
    t.send(&fx.dir().join("out.bin").display().to_string());
    t.send(key::ENTER);
    t.wait_for("out.bin", 10);
    t.quit();
    assert_eq!(std::fs::read(fx.dir().join("out.bin")).unwrap(), minutes);
    // The report as saved from the UI is the report as the CLI gets it.
    fx.ok(&["attachment", "get", "PLAN-2026-0005", "#1", "-o", "cli.txt"]);
    assert_eq!(
        std::fs::read(fx.dir().join("厂商测试报告.txt")).unwrap(),
        std::fs::read(fx.dir().join("cli.txt")).unwrap()
    );
    let list = fx.json(&["attachments", "PLAN-2026-0005"]);
    assert_eq!(list[1]["name"], "验收会议纪要 第一次.txt", "{list}");
    assert_eq!(list[1]["kind"], "minutes", "{list}");
    assert_eq!(list[1]["size"], minutes.len() as u64, "{list}");
}

/// Pane 8 (issues 17/18): a person added through the form on the demo
/// database is in `beian register person list`; a name of the records
/// resolved to that person through the names view is settled for the CLI too.
#[test]
fn add_a_person_and_resolve_a_name_in_the_register_pane() {
    let fx = Fixture::new();
    fx.ok(&["demo"]);
    let names = fx.json(&["people", "resolve"]);
    let name = names[0]["text"]
        .as_str()
        .expect("the demo has a name to resolve")
        .to_string();
    let mut t = fx.tui("zh-CN", 120, 40);
    t.wait_for("需求队列", 10);
    t.send("8");
    t.wait_for("名录 —— t：发件箱", 10);
    t.send("a");
    t.wait_for("新增人员", 5);
    // The kind is chosen (a person, the row under the cursor): the name next.
    t.send(key::TAB);
    t.send("赵雪梅");
    t.send(key::TAB);
    t.send("教务处");
    t.send(key::TAB);
    t.send("zhaoxuemei@example.edu.cn");
    t.send(key::CTRL_S);
    t.wait_for("已保存", 10);
    t.wait_line(&["赵雪梅", "教务处", "zhaoxuemei@example.edu.cn"], 10);
    t.quit();
    let people = fx.ok(&["register", "person", "list"]);
    let row = line_with(&people, "赵雪梅");
    assert!(
        row.contains("zhaoxuemei@example.edu.cn") && row.contains("教务处"),
        "{people}"
    );
    let list = fx.json(&["register", "person", "list"]);
    let id = list
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "赵雪梅")
        .and_then(|p| p["id"].as_str())
        .unwrap_or_else(|| panic!("{list}"))
        .to_string();
    // The names view: `r` on the first name, the new person's id typed.
    let mut t = fx.tui("zh-CN", 120, 40);
    t.wait_for("需求队列", 10);
    t.send("8");
    t.wait_for("名录 —— t：发件箱", 10);
    t.send("t");
    t.wait_for("发件箱 —— t", 10);
    t.send("t");
    t.wait_for("待确认的名字 —— t", 10);
    let first: String = name.chars().take(6).collect();
    t.wait_for(&first, 20);
    t.send("r");
    t.wait_for("确认名字所指", 5);
    t.send(&erase(20));
    t.send(&id);
    t.send(key::CTRL_S);
    t.wait_for(&format!("现对应: {id}"), 10);
    t.quit();
    let said = fx.ok(&["people", "resolve", &name]);
    assert!(said.contains(&id), "{said}");
}
