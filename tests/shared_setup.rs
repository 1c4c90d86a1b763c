//! Issue 14: the group-shared data directory without a server (mode 2770) made
//! the roles meaningless — any member of the group could replace config.toml
//! and give themselves admin. Now nobody but the data directory's owner may
//! change what beian reads: a data directory, config.toml or database file that
//! its group or others may write is refused, with the command that fixes it,
//! new files are the owner's alone whatever the directory's bits, and a team
//! shares a database through `beian serve` (docs/deploy.md, "Shared setups").
//!
//! The tests with two Unix users create them (useradd; they need root, as CI
//! runs; under `CI=true` a test that cannot create them fails) and remove them.

mod server_support;

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;

use server_support::*;

fn chmod(p: &Path, mode: u32) {
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// Whether the test may create Unix users; without root it says so loudly and,
/// under `CI=true`, fails.
fn root_or_skip(test: &str) -> bool {
    if nix::unistd::Uid::effective().is_root() {
        return true;
    }
    assert!(
        std::env::var("CI").map_or(true, |v| v != "true"),
        "{test} creates Unix users and must run as root; CI=true, so this is a failure, not a skip"
    );
    eprintln!("SKIPPED {test}: it creates Unix users and must run as root (CI does)");
    false
}

/// Two users of one group, removed (with the group) when dropped.
struct Team {
    owner: String,
    member: String,
    group: String,
}

impl Team {
    fn add(tag: &str) -> Team {
        let n = std::process::id() % 100000;
        let team = Team {
            owner: format!("{tag}o{n}"),
            member: format!("{tag}m{n}"),
            group: format!("{tag}g{n}"),
        };
        assert!(Command::new("groupadd").arg(&team.group).status().unwrap().success());
        for u in [&team.owner, &team.member] {
            let ok = Command::new("useradd")
                .args(["-M", "-N", "-g", &team.group, "-s", "/bin/sh", u])
                .status()
                .unwrap()
                .success();
            assert!(ok, "useradd {u}");
        }
        team
    }

    fn gid(&self) -> nix::unistd::Gid {
        nix::unistd::Group::from_name(&self.group).unwrap().unwrap().gid
    }

    fn uid(&self, user: &str) -> nix::unistd::Uid {
        nix::unistd::User::from_name(user).unwrap().unwrap().uid
    }
}

impl Drop for Team {
    fn drop(&mut self) {
        for u in [&self.owner, &self.member] {
            let _ = Command::new("userdel").arg(u).status();
        }
        let _ = Command::new("groupdel").arg(&self.group).status();
    }
}

fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// `sh -c LINE` as `user` with umask 007 (what the shared setup asked of
/// everyone), with `env`.
fn as_user(user: &str, line: &str, env: &[(&str, &std::ffi::OsStr)]) -> Out {
    let mut cmd = vec!["-u", user, "--", "sh", "-c"];
    let full = format!("umask 007; {line}");
    cmd.push(&full);
    let mut out = run_with("runuser", &cmd, env);
    out.stderr = out.stderr.trim().to_string();
    out
}

fn run_with(program: &str, args: &[&str], env: &[(&str, &std::ffi::OsStr)]) -> Out {
    let mut cmd = Command::new(program);
    cmd.args(args)
        .env("BEIAN_NO_SERVER", "1")
        .env("BEIAN_LANG", "en")
        .env_remove("XDG_RUNTIME_DIR")
        .env_remove("XDG_DATA_HOME")
        .env_remove("BEIAN_SOCKET")
        .env_remove("BEIAN_DB");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    Out {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A directory the test users can reach, with a copy of the binary they may run.
fn shared_tmp() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    chmod(tmp.path(), 0o755);
    let bin = tmp.path().join("beian");
    std::fs::copy(BIN, &bin).unwrap();
    chmod(&bin, 0o755);
    (tmp, bin)
}

fn beian_line(bin: &Path, args: &[&str]) -> String {
    let mut line = format!("exec {}", sh_quote(bin.to_str().unwrap()));
    for a in args {
        line.push(' ');
        line.push_str(&sh_quote(a));
    }
    line
}

/// Every file and directory under `dir` (itself included), with its mode.
fn modes(dir: &Path) -> Vec<(PathBuf, u32)> {
    let mut out = vec![];
    let mut pending = vec![dir.to_path_buf()];
    while let Some(p) = pending.pop() {
        let m = std::fs::symlink_metadata(&p).unwrap();
        out.push((p.clone(), m.mode() & 0o7777));
        if m.is_dir() {
            pending.extend(std::fs::read_dir(&p).unwrap().map(|e| e.unwrap().path()));
        }
    }
    out
}

/// The setup issue 14 attacked: the owner's data directory shared with the
/// group (2770, umask 007). A member replaces config.toml to make themselves
/// admin. Before the fix the member's next command ran as admin; now nothing
/// opens the directory until its owner closes it to the group, and a
/// config.toml the member put there is refused for being theirs.
#[test]
fn a_group_writable_data_directory_is_refused_and_its_fix_is_named() {
    if !root_or_skip("a_group_writable_data_directory_is_refused_and_its_fix_is_named") {
        return;
    }
    let team = Team::add("sg");
    let (owner, member) = (team.owner.as_str(), team.member.as_str());
    let (tmp, bin) = shared_tmp();
    let db = tmp.path().join("data");
    std::fs::create_dir(&db).unwrap();
    nix::unistd::chown(&db, Some(team.uid(owner)), Some(team.gid())).unwrap();
    chmod(&db, 0o2770);
    let env = [("BEIAN_DB", db.as_os_str())];
    let beian = |user: &str, args: &[&str]| as_user(user, &beian_line(&bin, args), &env);

    // `init` in the shared directory is refused, saying why and what to run.
    let out = beian(owner, &["init"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains(&format!(
            "{} is writable by its group (mode 2770): whoever may write there could give themselves any role",
            db.display()
        )) && out.stderr.contains(&format!("run `chmod go-w {}`", db.display()))
            && out.stderr.contains("beian serve"),
        "{}",
        out.stderr
    );
    assert!(!db.join("db").exists(), "nothing was created");

    // A database made before this change, the way the old setup did: the
    // directory and every file shared with the group.
    chmod(&db, 0o700);
    let out = beian(owner, &["init"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    std::fs::write(
        db.join("config.toml"),
        format!("[roles.users]\n{member} = [\"viewer\"]\n"),
    )
    .unwrap();
    let out = beian(member, &["--json", "whoami"]);
    assert_ne!(out.code, 0, "the member cannot even enter a 0700 directory");
    for (p, mode) in modes(&db) {
        chmod(&p, mode | if mode & 0o100 != 0 { 0o070 } else { 0o060 });
    }
    chmod(&db, 0o2770);
    // The member makes themselves admin: a new config.toml in the group's directory.
    let cfg = db.join("config.toml");
    let planted = as_user(
        member,
        &format!(
            "rm -f {c} && printf '[roles.users]\\n{member} = [\"admin\"]\\n' > {c}",
            c = sh_quote(cfg.to_str().unwrap())
        ),
        &[],
    );
    assert_eq!(planted.code, 0, "the group may write there: {}", planted.stderr);
    // Nobody opens the database now, the member's admin role is never taken up.
    for user in [member, owner] {
        let out = beian(
            user,
            &["system", "add", "--name", "一卡通系统", "--department", "后勤处"],
        );
        assert_eq!(out.code, 1, "{user}: {}{}", out.stdout, out.stderr);
        assert!(out.stderr.contains("is writable by its group"), "{}", out.stderr);
    }
    // The owner follows the message: the directory, then what is in it.
    chmod(&db, 0o700);
    let out = beian(owner, &["whoami"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr
            .contains(&format!("{} belongs to {member}, not to {owner}", cfg.display())),
        "{}",
        out.stderr
    );
    std::fs::remove_file(&cfg).unwrap();
    std::fs::write(&cfg, format!("[roles.users]\n{member} = [\"viewer\"]\n")).unwrap();
    nix::unistd::chown(&cfg, Some(team.uid(owner)), None).unwrap();
    let out = beian(owner, &["whoami"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("is writable by its group (mode 660)"),
        "{}",
        out.stderr
    );
    let fixed = as_user(owner, &format!("chmod -R go-w {}", sh_quote(db.to_str().unwrap())), &[]);
    assert_eq!(fixed.code, 0, "{}", fixed.stderr);
    let out = beian(owner, &["--json", "system", "list"]);
    assert_eq!(out.json(), serde_json::json!([]), "nothing was written meanwhile");
    let out = beian(owner, &["--json", "whoami"]);
    assert_eq!(out.json()["roles"], serde_json::json!(["admin"]));
}

/// "Any group bit on the data directory must not make new database files
/// group-writable": before, a data directory with a group bit set the umask to
/// 007 and every file of sled's was 0660.
#[test]
fn new_files_are_the_owners_alone_whatever_the_directory_bits() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("data");
    std::fs::create_dir(&db).unwrap();
    // Readable by the group (a shared read-only view is allowed): not writable.
    chmod(&db, 0o2750);
    let env = [("BEIAN_DB", db.as_os_str())];
    let out = run_with(
        "sh",
        &["-c", &format!("umask 002; {}", beian_line(Path::new(BIN), &["init"]))],
        &env,
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let backups = tmp.path().join("backups");
    let out = run_with(
        "sh",
        &[
            "-c",
            &format!(
                "umask 002; {}",
                beian_line(Path::new(BIN), &["backup", backups.to_str().unwrap()])
            ),
        ],
        &env,
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let files = modes(&db);
    assert!(files.len() >= 5, "{files:?}");
    let open: Vec<_> = files
        .iter()
        .chain(modes(&backups).iter())
        .filter(|(p, m)| *p != db && m & 0o077 != 0)
        .cloned()
        .collect();
    let shown: Vec<String> = open.iter().map(|(p, m)| format!("{} {m:o}", p.display())).collect();
    assert!(open.is_empty(), "files others may read or write: {shown:#?}");
}

/// A config.toml (or a file of the database) that others may write is refused
/// at open; a running server keeps the roles it had and says why in its log.
#[test]
fn a_config_toml_others_may_write_is_refused_and_the_server_keeps_its_roles() {
    let mut srv = Server::start(&config_for(&["operator"]));
    let cfg = srv.db.join("config.toml");
    chmod(&cfg, 0o640);
    assert_eq!(
        srv.cli(&["--json", "whoami"]).json()["roles"],
        serde_json::json!(["operator"])
    );
    // Someone who may write the file gives the user more roles.
    std::fs::write(&cfg, config_for(&["admin", "operator"])).unwrap();
    chmod(&cfg, 0o666);
    assert_eq!(
        srv.cli(&["--json", "whoami"]).json()["roles"],
        serde_json::json!(["operator"]),
        "the server took up a config.toml anyone may write"
    );
    eventually("the refusal in the server's log", 10, || {
        srv.log().contains("is writable by its group and others (mode 666)")
    });
    assert!(srv.log().contains("keeping the previous roles"), "{}", srv.log());
    // Without the server the database is not opened at all.
    assert_eq!(srv.stop(), Some(0));
    let out = run_cli(&["whoami"], &[("BEIAN_DB", srv.db.as_os_str())]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains(&format!("run `chmod go-w {}`", cfg.display())),
        "{}",
        out.stderr
    );
    // A file of sled's the group may write: the same.
    chmod(&cfg, 0o600);
    let log = srv.db.join("db").join("db");
    chmod(&log, 0o620);
    let out = run_cli(&["whoami"], &[("BEIAN_DB", srv.db.as_os_str())]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr
            .contains(&format!("{} is writable by its group (mode 620)", log.display())),
        "{}",
        out.stderr
    );
    chmod(&log, 0o600);
    let out = run_cli(&["--json", "whoami"], &[("BEIAN_DB", srv.db.as_os_str())]);
    assert_eq!(out.json()["roles"], serde_json::json!(["admin", "operator"]));
}

/// The supported shared setup (docs/deploy.md): the data directory 0700 of the
/// server's user, a socket for the group. The member works with the role
/// config.toml gives, and can neither change config.toml nor open the
/// database itself.
#[test]
fn a_team_shares_the_database_through_the_server_and_the_roles_hold() {
    if !root_or_skip("a_team_shares_the_database_through_the_server_and_the_roles_hold") {
        return;
    }
    let team = Team::add("st");
    let (owner, member) = (team.owner.as_str(), team.member.as_str());
    let (tmp, bin) = shared_tmp();
    let home = tmp.path().join("home");
    std::fs::create_dir(&home).unwrap();
    nix::unistd::chown(&home, Some(team.uid(owner)), None).unwrap();
    chmod(&home, 0o755);
    let db = home.join("data");
    let run = home.join("run");
    std::fs::create_dir(&run).unwrap();
    nix::unistd::chown(&run, Some(team.uid(owner)), Some(team.gid())).unwrap();
    chmod(&run, 0o750);
    let socket = run.join("beian.sock");
    let env = [("BEIAN_DB", db.as_os_str())];
    let out = as_user(owner, &beian_line(&bin, &["init"]), &env);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let cfg = db.join("config.toml");
    std::fs::write(&cfg, format!("[roles.users]\n{member} = [\"operator\"]\n")).unwrap();
    nix::unistd::chown(&cfg, Some(team.uid(owner)), None).unwrap();
    assert_eq!(std::fs::metadata(&db).unwrap().mode() & 0o777, 0o700);

    let log = std::fs::File::create(tmp.path().join("serve.log")).unwrap();
    // The server runs as the owner: the child itself (no runuser between), so
    // that the test ends exactly the process it started.
    use std::os::unix::process::CommandExt;
    let mut server = Command::new(&bin)
        .uid(team.uid(owner).as_raw())
        .gid(team.gid().as_raw())
        .args([
            "--db",
            db.to_str().unwrap(),
            "serve",
            "--socket",
            socket.to_str().unwrap(),
        ])
        .args(["--socket-group", &team.group])
        .env("BEIAN_LANG", "en")
        .env_remove("XDG_RUNTIME_DIR")
        .stdout(std::process::Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap();
    struct Stop<'a>(&'a mut std::process::Child);
    impl Drop for Stop<'_> {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let server = Stop(&mut server);
    assert_eq!(
        std::fs::read_to_string(format!("/proc/{}/status", server.0.id()))
            .unwrap()
            .lines()
            .find(|l| l.starts_with("Uid:"))
            .and_then(|l| l.split_whitespace().nth(1))
            .map(str::to_string),
        Some(team.uid(owner).as_raw().to_string()),
        "the server runs as the owner"
    );
    eventually("the server's socket", 30, || {
        std::os::unix::net::UnixStream::connect(&socket).is_ok()
    });
    let client = [("BEIAN_SOCKET", socket.as_os_str())];
    let out = as_user(member, &beian_line(&bin, &["--json", "whoami"]), &client);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let who: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(who["roles"], serde_json::json!(["operator"]), "{who}");
    // The member's role decides: a request yes, a system (admin) no.
    let out = as_user(
        member,
        &beian_line(
            &bin,
            &["request", "add", "--title", "门禁刷卡失败", "--submitter", "李老师"],
        ),
        &client,
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let out = as_user(
        member,
        &beian_line(
            &bin,
            &["system", "add", "--name", "一卡通系统", "--department", "后勤处"],
        ),
        &client,
    );
    assert_eq!(out.code, 3, "{}", out.stderr);
    // config.toml and the database are out of the member's reach.
    let out = as_user(
        member,
        &format!(
            "printf '[roles.users]\\n{member} = [\"admin\"]\\n' > {}",
            sh_quote(cfg.to_str().unwrap())
        ),
        &[],
    );
    assert_ne!(out.code, 0, "the member wrote config.toml");
    let out = as_user(member, &beian_line(&bin, &["--json", "whoami"]), &env);
    assert_ne!(out.code, 0, "the member opened the database itself: {}", out.stdout);
    assert!(out.stderr.contains("Permission denied"), "{}", out.stderr);
    let out = as_user(member, &beian_line(&bin, &["--json", "whoami"]), &client);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("\"operator\""), "{}", out.stdout);
    drop(server);
}
