//! The hardening review (issue 14) through the real binary: a database that an
//! interrupted open left behind, damaged sled files, a closed standard output,
//! escape characters in file names, writes to user-named paths (symlinks, FIFOs,
//! devices) and imports of files that are not regular files. Every test works in
//! its own temporary directory.

use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_beian");

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

/// The binary on `db` in English, with a bounded time (a hang is a failure).
fn run(db: &Path, args: &[&str], stdout: Stdio) -> Out {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .env("BEIAN_NO_SERVER", "1")
        .env("BEIAN_DB", db)
        .env_remove("BEIAN_SOCKET")
        .env("BEIAN_LANG", "en")
        .env("RUST_BACKTRACE", "0")
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("beian {args:?} did not finish in 30 s (blocked?)");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let out = child.wait_with_output().unwrap();
    Out {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Said where it is seen even when the test passes (the harness shows what
/// `eprintln!` prints only for failed tests).
fn not_tested(what: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "\n*** NOT TESTED: {what} ***\n");
}

fn beian(db: &Path, args: &[&str]) -> Out {
    run(db, args, Stdio::piped())
}

fn ok(db: &Path, args: &[&str]) -> String {
    let o = beian(db, args);
    assert_eq!(o.code, 0, "{args:?}: {}{}", o.stdout, o.stderr);
    o.stdout
}

/// A small database: one system, two requests.
fn small() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("data");
    ok(&db, &["init"]);
    for title in ["选课页面加载慢", "成绩单打印乱码"] {
        ok(&db, &["request", "add", "--title", title, "--submitter", "张同学"]);
    }
    (tmp, db)
}

/// The demo semester: plans, a filed archive, an audit log.
fn demo() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("data");
    ok(&db, &["demo"]);
    (tmp, db)
}

fn sled_files(db: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(db.join("db"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// sled's newest snapshot (`snap.<lsn>`, the one it reads at open).
fn snapshot(db: &Path) -> PathBuf {
    let name = sled_files(db)
        .into_iter()
        .rfind(|n| n.starts_with("snap.") && !n.ends_with(".generating"))
        .expect("sled wrote a snapshot");
    db.join("db").join(name)
}

// ----- finding 1: an interrupted snapshot, damaged files -----

/// sled writes its snapshot to `snap.<lsn>.generating` and renames it when it is
/// complete; an open interrupted by a full disk leaves the file empty or cut
/// short, and sled then reads it first. Such a leftover is removed at open: the
/// database opens with everything in it.
#[test]
fn an_interrupted_snapshot_left_behind_is_removed_at_open() {
    let (_tmp, db) = small();
    let good = std::fs::read(snapshot(&db)).unwrap();
    // An empty one (ENOSPC at the first byte), and one cut short (ENOSPC later),
    // named above every real snapshot so that sled would read them first.
    let empty = db.join("db").join("snap.7FFFFFFFFFFFFFF0.generating");
    let cut = db.join("db").join("snap.7FFFFFFFFFFFFFF1.generating");
    std::fs::write(&empty, b"").unwrap();
    std::fs::write(&cut, &good[..good.len() - 5]).unwrap();
    let o = beian(&db, &["request", "list"]);
    assert_eq!(o.code, 0, "the database opens: {}", o.stderr);
    assert!(
        o.stdout.contains("选课页面加载慢") && o.stdout.contains("成绩单打印乱码"),
        "{}",
        o.stdout
    );
    assert!(
        !empty.exists() && !cut.exists(),
        "leftovers removed: {:?}",
        sled_files(&db)
    );
    assert!(
        o.stderr.contains("interrupted") && o.stderr.contains("snap.7FFFFFFFFFFFFFF0.generating"),
        "the removal is reported, naming the file: {}",
        o.stderr
    );
    let v = beian(&db, &["verify"]);
    assert_eq!(v.code, 0, "{}{}", v.stdout, v.stderr);
}

/// One flipped byte in one of sled's files: exit 6, the file named, and the way
/// back (`beian restore`) — not "not a readable beian database" and exit 1.
#[test]
fn a_damaged_sled_file_is_named_with_exit_6_and_restore() {
    let (_tmp, db) = small();
    let flip = |file: &Path, at: usize| {
        let mut b = std::fs::read(file).unwrap();
        b[at] ^= 0xff;
        std::fs::write(file, b).unwrap();
    };
    let cases: Vec<(PathBuf, usize)> = vec![
        (snapshot(&db), 5),
        (db.join("db").join("db"), 100),
        (db.join("db").join("conf"), 0),
    ];
    for (file, at) in cases {
        let copy = db.with_extension("copy");
        let _ = std::fs::remove_dir_all(&copy);
        let status = Command::new("cp").arg("-a").arg(&db).arg(&copy).status().unwrap();
        assert!(status.success());
        let target = copy.join(file.strip_prefix(&db).unwrap());
        flip(&target, at);
        let o = beian(&copy, &["request", "list"]);
        eprintln!("{}: exit {}: {}", target.display(), o.code, o.stderr.trim());
        assert_eq!(o.code, 6, "{}: {}", target.display(), o.stderr);
        assert!(
            o.stderr.contains(&target.display().to_string()),
            "names the damaged file {}: {}",
            target.display(),
            o.stderr
        );
        assert!(o.stderr.contains("beian restore"), "points to restore: {}", o.stderr);
        assert!(o.stdout.is_empty());
    }
}

/// When the space check cannot ask the filesystem (statvfs fails), the write
/// is refused rather than let through as if the disk had room.
#[test]
fn a_failed_space_check_refuses_the_write() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    drop(beian::service::Service::create(&dir, "root", false).unwrap());
    let store = beian::store::Store::open(&dir, beian::store::OpenMode::Existing, "root").unwrap();
    let write = || store.transact("root", chrono::Utc::now(), |tx| tx.set_calendar(&[]));
    write().expect("a write with the space check working");
    // sled keeps its files open; the path the check asks about is gone.
    std::fs::rename(dir.join("db"), dir.join("db.moved")).unwrap();
    let e = write().expect_err("refused: the free space is unknown");
    eprintln!("{}", e.message());
    assert!(e.message().contains(&dir.display().to_string()), "{}", e.message());
    std::fs::rename(dir.join("db.moved"), dir.join("db")).unwrap();
    write().expect("accepted again once the check works");
}

// ----- finding 4: a closed standard output -----

/// A standard output whose reading end is already closed: the first write fails
/// with EPIPE.
fn closed_stdout() -> Stdio {
    let (read, write) = nix::unistd::pipe().unwrap();
    drop(read);
    Stdio::from(write)
}

#[test]
fn a_closed_stdout_ends_every_printing_command_quietly() {
    let (_tmp, db) = demo();
    let commands: &[&[&str]] = &[
        &["request", "list"],
        &["--json", "request", "list"],
        &["request", "list", "--csv"],
        &["request", "show", "REQ-2026-0001"],
        &["plan", "list"],
        &["plan", "show", "PLAN-2026-0003"],
        &["audit"],
        &["archive", "list"],
        &["export", "notice", "PLAN-2026-0003"],
        &["export", "dossier", "FILE-2026-0003"],
        &["export", "tests", "PLAN-2026-0003"],
        &["overview"],
        &["report", "--from", "2026-09-01", "--to", "2026-12-31"],
        &["man"],
        &["completions", "bash"],
    ];
    let mut failed = Vec::new();
    for args in commands {
        let o = run(&db, args, closed_stdout());
        if o.code != 0 || !o.stderr.is_empty() {
            failed.push(format!(
                "{args:?}: exit {}: {}",
                o.code,
                o.stderr.lines().next().unwrap_or("")
            ));
        }
    }
    assert!(failed.is_empty(), "not quiet on a closed pipe:\n{}", failed.join("\n"));
}

/// What people type: a listing longer than the pipe's buffer into `head -1`.
#[test]
fn a_listing_into_head_ends_quietly() {
    let (_tmp, db) = demo();
    for cmd in ["request list", "audit --limit 2000", "--json request list"] {
        let out = Command::new("bash")
            .arg("-c")
            .arg(format!(
                "set -o pipefail; for i in 1 2 3 4; do \"$BEIAN\" {cmd}; done | head -1 >/dev/null"
            ))
            .env("BEIAN", BIN)
            .env("BEIAN_NO_SERVER", "1")
            .env("BEIAN_DB", &db)
            .env_remove("BEIAN_SOCKET")
            .env("RUST_BACKTRACE", "0")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success() && stderr.is_empty(),
            "{cmd} | head -1: {:?}: {stderr}",
            out.status
        );
    }
}

// ----- finding 5: escape characters in file names -----

#[test]
fn escape_characters_in_file_names_do_not_reach_the_terminal() {
    let (tmp, db) = small();
    let evil = tmp.path().join("a\u{1b}]0;owned\u{7}\u{1b}[2Jb\u{202e}c.csv");
    let e = evil.to_str().unwrap();
    let out = evil.join("x");
    for args in [
        vec!["import", e],
        vec!["--json", "import", e],
        vec!["calendar", "import", e],
        vec!["--db", e, "request", "list"],
        vec!["--json", "--db", e, "request", "list"],
        vec![
            "report",
            "--from",
            "2026-09-01",
            "--to",
            "2026-12-31",
            "-o",
            out.to_str().unwrap(),
        ],
    ] {
        let o = beian(&db, &args);
        assert_ne!(o.code, 0, "{args:?}");
        assert!(
            !o.stderr.chars().any(|c| beian::sanitize::is_unsafe(c) && c != '\n'),
            "{args:?}: raw control characters on stderr: {:?}",
            o.stderr
        );
    }
    // The file that is missing is still recognisable.
    let o = beian(&db, &["import", evil.to_str().unwrap()]);
    assert!(o.stderr.contains("a␛]0;owned␇␛[2Jb"), "{}", o.stderr);
}

// ----- finding 2: writes to user-named paths -----

fn victim(tmp: &Path) -> PathBuf {
    let v = tmp.join("victim.txt");
    std::fs::write(&v, "the victim's own file\n").unwrap();
    v
}

fn untouched(v: &Path) {
    assert_eq!(std::fs::read_to_string(v).unwrap(), "the victim's own file\n");
}

/// The old temporary name was `.NAME.tmp-<pid>`: a symlink planted there for
/// every pid the process may get is never written through.
#[test]
fn export_does_not_follow_symlinks_planted_at_temporary_names() {
    let (tmp, db) = demo();
    let out_dir = tmp.path().join("shared");
    std::fs::create_dir(&out_dir).unwrap();
    let v = victim(tmp.path());
    let last: u32 = std::fs::read_to_string("/proc/sys/kernel/ns_last_pid")
        .map(|s| s.trim().parse().unwrap())
        .unwrap_or(300);
    for pid in last + 1..last + 3000 {
        std::os::unix::fs::symlink(&v, out_dir.join(format!(".notice.txt.tmp-{pid}"))).unwrap();
    }
    let target = out_dir.join("notice.txt");
    ok(
        &db,
        &["export", "notice", "PLAN-2026-0003", "-o", target.to_str().unwrap()],
    );
    untouched(&v);
    assert!(
        !std::fs::read_to_string(&target).unwrap().is_empty(),
        "the notice is written"
    );
    assert!(std::fs::symlink_metadata(&target).unwrap().file_type().is_file());
    // Nothing of ours is left beside it.
    let ours: Vec<String> = std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "notice.txt" && !n.starts_with(".notice.txt.tmp-"))
        .collect();
    assert!(ours.is_empty(), "left behind: {ours:?}");
}

/// `-o` naming something that is not a regular file: refused, naming the path;
/// the thing is left exactly as it was.
#[test]
fn output_paths_that_are_not_regular_files_are_refused() {
    let (tmp, db) = demo();
    let v = victim(tmp.path());
    let link = tmp.path().join("link.md");
    std::os::unix::fs::symlink(&v, &link).unwrap();
    let fifo = tmp.path().join("fifo.md");
    nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::from_bits_truncate(0o600)).unwrap();
    let dir = tmp.path().join("dir.md");
    std::fs::create_dir(&dir).unwrap();
    let mut targets = vec![link.clone(), fifo.clone(), dir.clone()];
    // A device like /dev/null, made here (only root may).
    let dev = tmp.path().join("null.md");
    let have_dev = nix::sys::stat::mknod(
        &dev,
        nix::sys::stat::SFlag::S_IFCHR,
        nix::sys::stat::Mode::from_bits_truncate(0o666),
        nix::sys::stat::makedev(1, 3),
    )
    .is_ok();
    if have_dev {
        targets.push(dev.clone());
    } else {
        not_tested("a device as -o (mknod needs root); the FIFO stands in for it");
    }
    for target in &targets {
        let t = target.to_str().unwrap();
        for args in [
            vec!["export", "dossier", "FILE-2026-0003", "-o", t],
            vec!["export", "notice", "PLAN-2026-0003", "-o", t],
            vec![
                "report",
                "--from",
                "2026-09-01",
                "--to",
                "2026-12-31",
                "--format",
                "csv",
                "-o",
                t,
            ],
        ] {
            let o = beian(&db, &args);
            assert_eq!(o.code, 2, "{args:?}: {}", o.stderr);
            assert!(o.stderr.contains(t), "names the path: {}", o.stderr);
            assert!(o.stderr.contains("not a regular file"), "{}", o.stderr);
        }
    }
    untouched(&v);
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
    assert!(std::fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
    assert!(std::fs::read_dir(&dir).unwrap().next().is_none());
    if have_dev {
        assert!(std::fs::symlink_metadata(&dev).unwrap().file_type().is_char_device());
    }
    // The man pages: one planted symlink among them.
    let man = tmp.path().join("man");
    std::fs::create_dir(&man).unwrap();
    std::os::unix::fs::symlink(&v, man.join("beian.1")).unwrap();
    let o = beian(&db, &["man", "--out", man.to_str().unwrap()]);
    assert_eq!(o.code, 2, "{}", o.stderr);
    untouched(&v);
    // A regular file is replaced, keeping its permissions.
    let plain = tmp.path().join("plain.md");
    std::fs::write(&plain, "old").unwrap();
    std::fs::set_permissions(&plain, std::fs::Permissions::from_mode(0o640)).unwrap();
    ok(
        &db,
        &["export", "tests", "PLAN-2026-0003", "-o", plain.to_str().unwrap()],
    );
    assert!(std::fs::read_to_string(&plain).unwrap().contains("PLAN-2026-0003"));
    assert_eq!(std::fs::metadata(&plain).unwrap().permissions().mode() & 0o777, 0o640);
}

/// The backup's working directory had a predictable name
/// (`.beian-backup-<UTC time to the millisecond>.partial`) and was created with
/// "create if missing": a symlink planted there for every millisecond of the
/// next half minute is never written through.
#[test]
fn backup_does_not_follow_symlinks_planted_at_its_working_name() {
    let (tmp, db) = small();
    let dest = tmp.path().join("backups");
    std::fs::create_dir(&dest).unwrap();
    let trap = tmp.path().join("trap");
    std::fs::create_dir(&trap).unwrap();
    let start = chrono::Utc::now();
    for ms in 0..30_000 {
        let t = start + chrono::Duration::milliseconds(ms);
        let name = format!(".beian-backup-{}.partial", t.format("%Y%m%dT%H%M%S%.3fZ"));
        std::os::unix::fs::symlink(&trap, dest.join(name)).unwrap();
    }
    let o = beian(&db, &["backup", dest.to_str().unwrap()]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(
        std::fs::read_dir(&trap).unwrap().next().is_none(),
        "written through the planted symlink"
    );
    let made: Vec<PathBuf> = std::fs::read_dir(&dest)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| !p.file_name().unwrap().to_string_lossy().starts_with('.'))
        .collect();
    assert_eq!(made.len(), 1, "{made:?}");
    assert!(
        std::fs::symlink_metadata(&made[0]).unwrap().is_dir(),
        "a real directory"
    );
    assert!(made[0].join("records.jsonl").is_file());
}

/// `restore --into` an existing directory where someone planted `config.toml`
/// as a symlink: refused, nothing written through it.
#[test]
fn restore_does_not_write_through_a_planted_config() {
    let (tmp, db) = small();
    let dest = tmp.path().join("backups");
    ok(&db, &["backup", dest.to_str().unwrap()]);
    let backup = std::fs::read_dir(&dest).unwrap().next().unwrap().unwrap().path();
    let v = victim(tmp.path());
    let into = tmp.path().join("restored");
    std::fs::create_dir(&into).unwrap();
    std::os::unix::fs::symlink(&v, into.join("config.toml")).unwrap();
    let o = beian(
        &tmp.path().join("unused"),
        &["restore", backup.to_str().unwrap(), "--into", into.to_str().unwrap()],
    );
    assert_ne!(o.code, 0, "{}{}", o.stdout, o.stderr);
    assert!(o.stderr.contains("config.toml"), "{}", o.stderr);
    untouched(&v);
    assert!(!into.join("db").exists(), "nothing is left");
}

// ----- finding 3: imports of what is not a regular file -----

#[test]
fn imports_refuse_fifos_devices_and_directories() {
    let (tmp, db) = small();
    let fifo = tmp.path().join("survey.csv");
    nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::from_bits_truncate(0o600)).unwrap();
    let dir = tmp.path().join("folder.jsonl");
    std::fs::create_dir(&dir).unwrap();
    let mut refused = vec![fifo.clone(), dir.clone()];
    let zero = tmp.path().join("zero.jsonl");
    if nix::sys::stat::mknod(
        &zero,
        nix::sys::stat::SFlag::S_IFCHR,
        nix::sys::stat::Mode::from_bits_truncate(0o666),
        nix::sys::stat::makedev(1, 5),
    )
    .is_ok()
    {
        refused.push(zero);
    } else {
        not_tested("importing a device (mknod needs root); the FIFO stands in for it");
    }
    let before = ok(&db, &["--json", "request", "list"]);
    for path in &refused {
        let p = path.to_str().unwrap();
        for args in [
            vec!["import", p],
            vec!["import", "--format", "jsonl", p],
            vec!["import", "--map-file", p, "x.csv"],
        ] {
            let o = beian(&db, &args);
            assert_eq!(o.code, 2, "{args:?}: {}", o.stderr);
            assert!(o.stderr.contains("not a regular file"), "{args:?}: {}", o.stderr);
            assert!(o.stderr.contains(p), "{args:?} names the file: {}", o.stderr);
        }
    }
    assert_eq!(ok(&db, &["--json", "request", "list"]), before);
    // Standard input is the way to import from a pipe.
    let mut child = Command::new(BIN)
        .args(["import", "--format", "jsonl", "-"])
        .env("BEIAN_NO_SERVER", "1")
        .env("BEIAN_DB", &db)
        .env_remove("BEIAN_SOCKET")
        .env("BEIAN_LANG", "en")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin
            .write_all("{\"title\":\"从管道导入\",\"submitter\":{\"name\":\"王老师\"}}\n".as_bytes())
            .unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(ok(&db, &["request", "list"]).contains("从管道导入"));
}
