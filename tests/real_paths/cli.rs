//! The real binary on a demo database, acting as its people with `--as`.

use std::path::{Path, PathBuf};
use std::process::Command;

pub struct Out {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// A database `beian demo` created in a temporary directory (the tour: a
/// semester of records, and the demo people of `src/demo.rs`: wanglei, liuyang,
/// chenjing and sunhao operate, zhangwei approves, zhaomin supervises; the
/// creator — the user running the test — is admin, operator, approver and
/// supervisor).
pub struct Demo {
    _dir: tempfile::TempDir,
    pub db: PathBuf,
}

impl Demo {
    pub fn new() -> Demo {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("db");
        let d = Demo { _dir: dir, db };
        let o = d.run(None, "en", &["demo"]);
        assert_eq!(o.code, 0, "beian demo: {}{}", o.stdout, o.stderr);
        d
    }

    /// `beian [--as WHO] ARGS` in language `lang`; `who` None acts as yourself.
    pub fn run(&self, who: Option<&str>, lang: &str, args: &[&str]) -> Out {
        run(&self.db, who, lang, args)
    }

    /// `beian --as WHO ARGS` in English, which must succeed; its standard output.
    pub fn ok(&self, who: &str, args: &[&str]) -> String {
        let o = self.run(Some(who), "en", args);
        assert_eq!(o.code, 0, "{who}: beian {args:?}\n{}{}", o.stdout, o.stderr);
        o.stdout
    }

    /// `beian --as WHO ARGS` in English, which must be refused; its error output.
    pub fn refused(&self, who: &str, args: &[&str]) -> String {
        let o = self.run(Some(who), "en", args);
        assert_ne!(o.code, 0, "{who}: beian {args:?} should be refused\n{}", o.stdout);
        o.stderr
    }
}

pub fn run(db: &Path, who: Option<&str>, lang: &str, args: &[&str]) -> Out {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_beian"));
    cmd.env("BEIAN_NO_SERVER", "1");
    if let Some(who) = who {
        cmd.args(["--as", who]);
    }
    let out = cmd
        .args(args)
        .env("BEIAN_DB", db)
        .env_remove("BEIAN_SOCKET")
        .env_remove("XDG_RUNTIME_DIR")
        .env("BEIAN_LANG", lang)
        .env("TZ", "Asia/Shanghai")
        .output()
        .unwrap();
    let o = Out {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert!(!o.stderr.contains("panicked"), "{args:?}: {}", o.stderr);
    o
}
