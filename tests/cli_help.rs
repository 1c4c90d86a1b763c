//! Every piece of CLI help exists in Chinese: each command's about and each
//! argument's help has a `cli.help.*` key with a zh-CN text (src/cli/help_i18n.rs).

#[test]
fn every_help_text_has_a_chinese_translation() {
    let keys = beian::cli::help_keys();
    assert!(keys.len() > 100, "{} help texts", keys.len());
    let missing: Vec<String> = keys
        .iter()
        .filter(|(k, _)| !beian::i18n::has("zh-CN", k))
        .map(|(k, en)| format!("{k}\t{en}"))
        .collect();
    assert!(missing.is_empty(), "help without zh-CN text:\n{}", missing.join("\n"));
}

use std::process::Command;
use std::sync::Mutex;

/// The language is one setting of the process: tests that change it take turns.
static LANG: Mutex<()> = Mutex::new(());

/// Every command of the tree (not the `help` commands clap adds) with its path.
fn commands(cmd: &clap::Command, path: &str, out: &mut Vec<(String, clap::Command, bool)>) {
    let subs: Vec<&clap::Command> = cmd.get_subcommands().filter(|s| s.get_name() != "help").collect();
    out.push((path.to_string(), cmd.clone(), subs.is_empty()));
    for s in subs {
        let p = if path.is_empty() {
            s.get_name().to_string()
        } else {
            format!("{path} {}", s.get_name())
        };
        commands(s, &p, out);
    }
}

/// The options every command takes, as clap lists them.
const GLOBAL_FLAGS: [&str; 8] = [
    "--db <PATH>",
    "--lang <LANG>",
    "--json",
    "--ascii",
    "--socket <PATH>",
    "--as <PERSON>",
    "--no-server",
    "-h, --help",
];

/// What clap writes by itself in English: none of it may show in Chinese help.
const CLAP_ENGLISH: [&str; 11] = [
    "Usage:",
    "Options:",
    "Arguments:",
    "Commands:",
    "Print help",
    "Print version",
    "Print this message",
    "[default:",
    "[possible values:",
    "[env:",
    "Possible values:",
];

/// Every command's help, short and long, in both languages: the global options
/// are listed under their own heading after the command's own options and
/// nowhere else; `--expect-rev` only on the commands that change one record;
/// in Chinese no word of clap's English.
#[test]
fn every_command_lists_the_global_options_under_their_own_heading() {
    let _g = LANG.lock().unwrap_or_else(|e| e.into_inner());
    for lang in ["en", "zh-CN"] {
        beian::i18n::set(lang);
        let heading = format!("{}:", beian::i18n::t("cli.heading.global", &[]));
        let mut all = Vec::new();
        commands(&beian::cli::command(), "", &mut all);
        assert!(all.len() > 80, "{} commands", all.len());
        for (path, cmd, leaf) in &all {
            for long in [false, true] {
                let help = if long {
                    cmd.clone().render_long_help().to_string()
                } else {
                    cmd.clone().render_help().to_string()
                };
                let lines: Vec<&str> = help.lines().collect();
                let at = lines
                    .iter()
                    .position(|l| l.trim_end() == heading)
                    .unwrap_or_else(|| panic!("{lang} `beian {path}`: no {heading:?}:\n{help}"));
                for flag in GLOBAL_FLAGS {
                    let is_flag = |l: &&str| {
                        let l = l.trim_start();
                        l.starts_with(flag) && !l[flag.len()..].starts_with(|c: char| c.is_alphanumeric() || c == '-')
                    };
                    let found: Vec<usize> = lines
                        .iter()
                        .enumerate()
                        .filter(|(_, l)| is_flag(l))
                        .map(|(i, _)| i)
                        .collect();
                    assert_eq!(
                        found.len(),
                        1,
                        "{lang} `beian {path}`: {flag} listed {found:?} times:\n{help}"
                    );
                    assert!(
                        found[0] > at,
                        "{lang} `beian {path}`: {flag} before {heading:?}:\n{help}"
                    );
                }
                // Below the heading only global options (and, at the root, the exit codes).
                for l in &lines[at + 1..] {
                    let t = l.trim_start();
                    if t.starts_with('-') {
                        assert!(
                            GLOBAL_FLAGS
                                .iter()
                                .chain(&["--expect-rev <REV>", "-V, --version"])
                                .any(|f| t.starts_with(f)),
                            "{lang} `beian {path}`: {t:?} under {heading:?}:\n{help}"
                        );
                    }
                }
                let revised = beian::cli::REVISED.contains(&path.as_str());
                // A command runs by itself when it is a leaf or takes arguments of its own.
                let runs = *leaf || cmd.get_positionals().next().is_some();
                assert_eq!(
                    help.contains("--expect-rev"),
                    runs && revised,
                    "{lang} `beian {path}` (changes one record: {revised}):\n{help}"
                );
                if lang == "zh-CN" {
                    for word in CLAP_ENGLISH {
                        assert!(!help.contains(word), "zh-CN `beian {path}` says {word:?}:\n{help}");
                    }
                }
            }
        }
    }
    beian::i18n::set("en");
}

/// The list of commands that take `--expect-rev` names real commands that act
/// on one record (a renamed command would otherwise lose the option silently).
#[test]
fn every_command_taking_a_revision_exists() {
    let _g = LANG.lock().unwrap_or_else(|e| e.into_inner());
    beian::i18n::set("en");
    let mut all = Vec::new();
    commands(&beian::cli::command(), "", &mut all);
    for path in beian::cli::REVISED {
        assert!(
            all.iter()
                .any(|(p, c, leaf)| p == path && (*leaf || c.get_positionals().next().is_some())),
            "REVISED names `beian {path}`, which is not a command"
        );
    }
}

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(args: &[&str], env: &[(&str, &str)]) -> Out {
    let tmp = tempfile::tempdir().unwrap();
    let mut c = Command::new(env!("CARGO_BIN_EXE_beian"));
    c.env("BEIAN_NO_SERVER", "1");
    c.args(args)
        .env("BEIAN_DB", tmp.path().join("none"))
        .env_remove("BEIAN_SOCKET")
        .env_remove("BEIAN_LANG")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "C");
    for (k, v) in env {
        c.env(k, v);
    }
    let out = c.output().unwrap();
    let o = Out {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert!(!o.stderr.contains("panicked"), "{args:?}: {}", o.stderr);
    o
}

/// A usage error (what clap finds wrong with the command line) is in the
/// user's language, chosen by `--lang` or by the locale, names what is wrong
/// and how to see the command's help; exit 2, nothing on standard output.
#[test]
fn usage_errors_speak_the_users_language() {
    let cases: [(&[&str], &str, &str); 7] = [
        (
            &["request", "list", "--bogus"],
            "无法识别的参数「--bogus」",
            "unexpected argument '--bogus'",
        ),
        (&["request", "show"], "缺少必需的参数：<ID>", "missing: <ID>"),
        (
            &["request", "triage", "REQ-2026-0001", "duplicate"],
            "缺少必需的参数：--of <REQ>",
            "missing: --of <REQ>",
        ),
        (
            &["request", "list", "--status", "open"],
            "的值「open」无效",
            "invalid value 'open' for --status",
        ),
        (
            &["audit", "--limit", "many"],
            "的值「many」无效：应为整数",
            "give a whole number",
        ),
        (
            &["requst", "list"],
            "无法识别的命令「requst」",
            "unknown command 'requst'",
        ),
        (
            &["request", "triage", "REQ-2026-0001", "acept"],
            "是否想用 accept？",
            "did you mean accept?",
        ),
    ];
    for (args, zh, en) in cases {
        for (how, env, want, usage) in [
            ("--lang zh-CN", vec![], zh, "用法：beian "),
            ("LANG=zh_CN.UTF-8", vec![("LANG", "zh_CN.UTF-8")], zh, "用法：beian "),
            ("BEIAN_LANG=zh-CN", vec![("BEIAN_LANG", "zh-CN")], zh, "用法：beian "),
            ("--lang en", vec![], en, "Usage: beian "),
        ] {
            let mut argv: Vec<&str> = Vec::new();
            if let Some(l) = how.strip_prefix("--lang ") {
                argv.extend(["--lang", l]);
            }
            argv.extend(args);
            let o = run(&argv, &env);
            assert_eq!(o.code, 2, "{how} {args:?}: {}", o.stderr);
            assert!(o.stdout.is_empty(), "{how} {args:?}: {}", o.stdout);
            assert!(o.stderr.starts_with("beian: "), "{how} {args:?}: {}", o.stderr);
            assert!(
                o.stderr.contains(want),
                "{how} {args:?}: want {want:?} in\n{}",
                o.stderr
            );
            // clap gives the usage with a missing or unknown argument or command.
            let with_usage = [en, zh].iter().any(|w| {
                w.starts_with("missing") || w.contains("缺少") || w.contains("unknown") || w.contains("unexpected")
            });
            if with_usage {
                assert!(
                    o.stderr.contains(usage),
                    "{how} {args:?}: want {usage:?} in\n{}",
                    o.stderr
                );
            }
            if want == zh {
                for english in [
                    "error:",
                    "unexpected",
                    "required",
                    "invalid value",
                    "Usage:",
                    "For more",
                    "tip:",
                ] {
                    assert!(
                        !o.stderr.contains(english),
                        "{how} {args:?}: {english:?} in\n{}",
                        o.stderr
                    );
                }
            }
        }
    }
    // With --json the error is JSON on standard error, in the user's language.
    let o = run(&["--lang", "zh-CN", "--json", "request", "list", "--bogus"], &[]);
    assert_eq!(o.code, 2);
    let v: serde_json::Value = serde_json::from_str(o.stderr.trim()).expect(&o.stderr);
    assert_eq!(v["error"], "usage");
    assert_eq!(v["exit_code"], 2);
    assert!(
        v["message"].as_str().unwrap().contains("无法识别的参数「--bogus」"),
        "{v}"
    );
    // Help is not an error: standard output, exit 0, in the language asked.
    let o = run(&["--lang", "zh-CN", "request", "list", "--help"], &[]);
    assert_eq!(o.code, 0);
    assert!(
        o.stdout.contains("用法：beian request list") && o.stdout.contains("全局选项"),
        "{}",
        o.stdout
    );
}

/// `--expect-rev` makes a change conditional; given to a command that changes
/// nothing it would be ignored, so it is refused, naming the command.
#[test]
fn expect_rev_is_refused_where_it_means_nothing() {
    for (lang, want) in [("en", "`beian request list`"), ("zh-CN", "而不是 `beian request list`")] {
        for argv in [
            vec!["--lang", lang, "request", "list", "--expect-rev", "3"],
            vec!["--lang", lang, "--expect-rev", "3", "request", "list"],
        ] {
            let o = run(&argv, &[]);
            assert_eq!(o.code, 2, "{argv:?}: {}", o.stderr);
            assert!(
                o.stderr.contains("--expect-rev") && o.stderr.contains(want),
                "{argv:?}: {}",
                o.stderr
            );
        }
    }
}
