//! The hardening review (issue 14) through the real binary: a database that an
//! interrupted open left behind, damaged sled files, a closed standard output,
//! escape characters in file names, writes to user-named paths (symlinks, FIFOs,
//! devices) and imports of files that are not regular files. Every test works in
//! its own temporary directory.

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
        .env("BEIAN_DB", db)
        .env("BEIAN_SOCKET", db.with_extension("no-server.sock"))
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

