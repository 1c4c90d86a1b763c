//! Acting as a demo person through `beian serve` (issue 13 §7): the server
//! decides from the kernel's uid of each connection (SO_PEERCRED). The user who
//! owns the demo database's files may act as zhangwei, with zhangwei's roles;
//! another Unix user on the same team socket — with roles of their own — is
//! refused, stays who they are, and writes nothing to the audit log. Needs
//! root to create that user (CI runs as root); otherwise it says so and stops.

mod server_support;

use std::io::BufRead;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use beian::service::Backend;
use server_support::*;

const HELPER_ENV: &str = "BEIAN_TEST_PERSONA_SOCKET";

struct OneUser {
    name: String,
    group: String,
}

impl Drop for OneUser {
    fn drop(&mut self) {
        let _ = Command::new("userdel").arg(&self.name).status();
        let _ = Command::new("groupdel").arg(&self.group).status();
    }
}

fn add_one_user(tag: &str) -> OneUser {
    let u = OneUser {
        name: format!("sper{tag}"),
        group: format!("sperg{tag}"),
    };
    assert!(Command::new("groupadd").arg(&u.group).status().unwrap().success());
    let ok = Command::new("useradd")
        .args(["-M", "-N", "-g", &u.group, "-s", "/bin/sh", &u.name])
        .status()
        .unwrap()
        .success();
    assert!(ok, "useradd {}", u.name);
    u
}

fn chmod(p: &Path, mode: u32) {
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// `from` copied into `dir` as `name`, executable by everyone.
fn runnable_copy(from: &Path, dir: &Path, name: &str) -> PathBuf {
    let to = dir.join(name);
    std::fs::copy(from, &to).unwrap();
    chmod(&to, 0o755);
    to
}

struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Not a test of its own: the other user's client in the test below. It asks
/// the server to act as zhangwei, then as itself, and prints what it was told.
#[test]
fn helper_another_user_asks_to_act_as_a_demo_person() {
    let Ok(sock) = std::env::var(HELPER_ENV) else { return };
    beian::i18n::set("en");
    let remote = beian::server::Remote::connect(Path::new(&sock)).unwrap();
    let b: &dyn Backend = &remote;
    let me = b.actor().name;
    // The test harness may have started a line ("test helper_… ").
    println!();
    for person in ["zhangwei", me.as_str()] {
        match b.act_as(person) {
            Ok(w) => println!("PERSONA-ALLOWED {person} {}", w.user),
            Err(e) => println!("PERSONA-REFUSED {person} {} {}", e.exit_code(), e.message()),
        }
    }
    let w = b.whoami().unwrap();
    println!("PERSONA-STILL {} {:?} {:?}", w.user, w.roles, w.via);
}

#[test]
fn only_the_owner_of_a_demo_database_acts_as_its_people_through_the_server() {
    if !nix::unistd::Uid::effective().is_root() {
        eprintln!("skipped: this test creates a Unix user and must run as root (CI does)");
        return;
    }
    beian::i18n::set("en");
    let tag = format!("{}", std::process::id() % 100000);
    let user = add_one_user(&tag);
    let pw = nix::unistd::User::from_name(&user.name).unwrap().unwrap();
    let gid = nix::unistd::Group::from_name(&user.group).unwrap().unwrap().gid;
    let tmp = tempfile::tempdir().unwrap();
    chmod(tmp.path(), 0o755);

    // The owner (root, running the test) makes a demo; the other user gets
    // roles of their own in it, so the server lets them in.
    let db = tmp.path().join("demo");
    let out = run_cli(&["demo"], &[("BEIAN_DB", db.as_os_str())]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let config = db.join("config.toml");
    let text = std::fs::read_to_string(&config).unwrap().replace(
        "[roles.users]\n",
        &format!("[roles.users]\n{} = [\"operator\", \"approver\"]\n", user.name),
    );
    std::fs::write(&config, text).unwrap();

    // The team layout: a root-owned socket directory for the user's group.
    let run = tmp.path().join("run");
    std::fs::create_dir(&run).unwrap();
    nix::unistd::chown(&run, None, Some(gid)).unwrap();
    chmod(&run, 0o750);
    let socket = run.join("beian.sock");
    let log = tmp.path().join("serve.log");
    let mut server = Child(
        Command::new(BIN)
            .args([
                "--db",
                db.to_str().unwrap(),
                "serve",
                "--socket",
                socket.to_str().unwrap(),
            ])
            .args(["--socket-group", &user.group])
            .env("BEIAN_LANG", "en")
            .stdout(std::process::Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap(),
    );
    eventually("the server's socket", 20, || {
        assert!(
            server.0.try_wait().unwrap().is_none(),
            "{}",
            std::fs::read_to_string(&log).unwrap()
        );
        std::os::unix::net::UnixStream::connect(&socket).is_ok()
    });

    // The owner acts as zhangwei: the server says so, and zhangwei's roles
    // apply (an approver reads no audit log; the owner, a supervisor, does).
    let owner = beian::server::Remote::connect(&socket).unwrap();
    let b: &dyn Backend = &owner;
    let me = b.actor().name;
    assert!(b.audit(None, 1).is_ok(), "the owner reads the audit log");
    let w = b.act_as("zhangwei").unwrap();
    assert_eq!((w.user.as_str(), w.via.as_deref()), ("zhangwei", Some(me.as_str())));
    assert_eq!(b.whoami().unwrap(), w, "the connection acts as zhangwei from now on");
    let e = b.audit(None, 1).unwrap_err();
    assert_eq!(e.exit_code(), 3, "{e:?}");
    assert!(e.message().contains("zhangwei"), "{}", e.message());
    assert_eq!(b.act_as(&me).unwrap().via, None);
    let switches = b.audit(Some("persona"), 100).unwrap();

    // Another user on the same socket: refused, still themselves, nothing audited.
    let helper = runnable_copy(&std::env::current_exe().unwrap(), tmp.path(), "persona-test");
    let other = Command::new(&helper)
        .args([
            "helper_another_user_asks_to_act_as_a_demo_person",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(HELPER_ENV, &socket)
        .current_dir(tmp.path())
        .uid(pw.uid.as_raw())
        .gid(gid.as_raw())
        .stderr(std::process::Stdio::null())
        .output()
        .unwrap();
    let said: Vec<String> = other
        .stdout
        .lines()
        .map_while(Result::ok)
        .filter(|l| l.starts_with("PERSONA-"))
        .collect();
    let refusal = format!(
        "only the user who owns the files of the demo database {} ({me}) may act as a demo person in it; you are {}",
        db.display(),
        user.name
    );
    assert_eq!(said.len(), 3, "{said:?}");
    for (line, person) in said.iter().zip(["zhangwei", user.name.as_str()]) {
        assert!(
            line.starts_with(&format!("PERSONA-REFUSED {person} 3 ")) && line.ends_with(&refusal),
            "{line}"
        );
    }
    assert_eq!(
        said[2],
        format!("PERSONA-STILL {} [Operator, Approver] None", user.name)
    );
    assert_eq!(
        b.audit(Some("persona"), 100).unwrap(),
        switches,
        "a refusal writes nothing"
    );
    assert_eq!(
        switches.iter().map(|e| e.actor.as_str()).collect::<Vec<_>>(),
        vec![me.as_str(), me.as_str()]
    );
    let log = std::fs::read_to_string(&log).unwrap();
    assert!(
        log.contains(&format!("{} may not act as \"zhangwei\"", user.name)),
        "the server logs the refusal:\n{log}"
    );
    drop(owner);
    drop(server);
}
