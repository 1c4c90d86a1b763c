//! `beian keymap check` on fixture files: valid ones pass, each invalid one exits
//! non-zero naming the file, the line and what is wrong (acceptance 4 of the TUI issue).

use std::path::Path;
use std::process::Command;

fn check(file: &Path) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_beian"))
        .env("BEIAN_NO_SERVER", "1")
        .args(["keymap", "check"])
        .arg(file)
        .env("BEIAN_LANG", "en")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn dir(kind: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/keymaps").join(kind)
}

#[test]
fn valid_files_pass() {
    for e in std::fs::read_dir(dir("valid")).unwrap() {
        let p = e.unwrap().path();
        let (code, err) = check(&p);
        assert_eq!(code, 0, "{}: {err}", p.display());
    }
}

#[test]
fn invalid_files_name_the_line() {
    let cases = [
        ("unknown_command.toml", ":3: unknown command \"queue.explode\""),
        ("bad_key.toml", ":3: cannot read the key \"ctrl-\""),
        ("not_toml.toml", ":1: "),
        ("wrong_scope.toml", ":2: test.pass belongs to [tests], not [archive]"),
        ("hidden_sequence.toml", "g (top) hides g g (bottom)"),
    ];
    for (file, needle) in cases {
        let (code, err) = check(&dir("invalid").join(file));
        assert_eq!(code, 2, "{file}: {err}");
        assert!(err.contains(needle), "{file}: expected {needle:?} in {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}

#[test]
fn shipped_presets_have_no_issues() {
    for preset in ["default", "vim", "emacs"] {
        let tmp = tempfile::tempdir().unwrap();
        let f = tmp.path().join("k.toml");
        std::fs::write(&f, format!("preset = \"{preset}\"\n")).unwrap();
        let (code, err) = check(&f);
        assert_eq!(code, 0, "{preset}: {err}");
    }
}
