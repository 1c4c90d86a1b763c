//! Messages never show the program's own names — `joint_review.outcome`,
//! `publish_notice`, `notice_published`, a field called `of` — and never
//! English prose in a Chinese message: every name a refusal or an input error
//! carries has a label in locales/app.toml (issue 14), and the refusals say
//! what to do next.

use std::path::{Path, PathBuf};

use beian::i18n::{has, LANGS};

fn sources(dirs: &[&str]) -> Vec<(PathBuf, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    let mut stack: Vec<PathBuf> = dirs.iter().map(|d| root.join(d)).collect();
    while let Some(p) = stack.pop() {
        if p.is_dir() {
            for e in std::fs::read_dir(&p).unwrap() {
                stack.push(e.unwrap().path());
            }
        } else if p.extension().is_some_and(|x| x == "rs") {
            let text = std::fs::read_to_string(&p).unwrap();
            out.push((p, text));
        }
    }
    assert!(!out.is_empty(), "no sources in {dirs:?}");
    out
}

/// The string literal that is argument `n` (0-based) of each call of `name(`
/// in `text`, when it is one. Arguments are split at top-level commas.
fn literal_args(text: &str, name: &str, n: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(at) = text[from..].find(name) {
        let start = from + at + name.len();
        from = start;
        let before = text[..start - name.len()].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        // Split the arguments up to the matching parenthesis.
        let (mut depth, mut args, mut cur, mut in_str, mut esc) = (1, Vec::new(), String::new(), false, false);
        for c in text[start..].chars() {
            if in_str {
                cur.push(c);
                if esc {
                    esc = false;
                } else if c == '\\' {
                    esc = true;
                } else if c == '"' {
                    in_str = false;
                }
                continue;
            }
            match c {
                '"' => {
                    in_str = true;
                    cur.push(c);
                }
                '(' | '[' | '{' => {
                    depth += 1;
                    cur.push(c);
                }
                ')' | ']' | '}' => {
                    depth -= 1;
                    if depth == 0 {
                        args.push(std::mem::take(&mut cur));
                        break;
                    }
                    cur.push(c);
                }
                ',' if depth == 1 => args.push(std::mem::take(&mut cur)),
                _ => cur.push(c),
            }
        }
        if let Some(a) = args.get(n) {
            let a = a.trim();
            if a.len() >= 2 && a.starts_with('"') && a.ends_with('"') && !a[1..a.len() - 1].contains('"') {
                out.push(a[1..a.len() - 1].to_string());
            }
        }
    }
    out
}

/// The value of `field: "…"` / `action: "…"` in the text (struct literals).
fn literal_fields(text: &str, field: &str) -> Vec<String> {
    let pat = format!("{field}: \"");
    text.match_indices(&pat)
        .filter_map(|(i, _)| {
            let rest = &text[i + pat.len()..];
            rest.find('"').map(|j| rest[..j].to_string())
        })
        .collect()
}

/// Every field and action a refusal of the rules names (the second argument
/// of `non_empty`, `required`, `transition`, the last of `expect`, the
/// `field:`/`action:` of a refusal) has a label in both languages, so that no
/// message shows `joint_review.outcome` or `publish_notice`.
#[test]
fn every_name_a_refusal_carries_has_a_label() {
    let mut missing = Vec::new();
    let mut seen = 0;
    for (path, text) in sources(&["src/workflow", "src/service"]) {
        let mut check = |kind: &str, name: String| {
            seen += 1;
            for lang in LANGS {
                let keys = match kind {
                    "field" => vec![format!("field.{name}")],
                    _ => vec![format!("action.{name}"), format!("audit.action.{name}")],
                };
                if !keys.iter().any(|k| has(lang, k)) {
                    missing.push(format!("{kind} {name:?} ({lang}) in {}", path.display()));
                }
            }
        };
        for name in literal_args(&text, "non_empty(", 1) {
            check("field", name);
        }
        for name in literal_args(&text, "required(", 1) {
            check("action", name);
        }
        for name in literal_args(&text, "transition(", 2) {
            check("action", name);
        }
        for name in literal_args(&text, "expect(", 2) {
            check("action", name);
        }
        for name in literal_fields(&text, "field") {
            check("field", name);
        }
        for name in literal_fields(&text, "action") {
            check("action", name);
        }
    }
    assert!(seen > 60, "only {seen} names found: is the scan broken?");
    missing.sort();
    missing.dedup();
    assert!(missing.is_empty(), "names without labels: {missing:#?}");
}

/// Every input error names its field by an option as typed (`--of`), a place
/// (a file and line), or a field with a label (`request id` / `需求编号`); and
/// says what is expected in the user's language, never in English prose
/// written into the code.
#[test]
fn input_errors_name_options_or_labelled_fields_and_expect_in_the_users_language() {
    // Names shown as the user typed them: a command and an environment variable.
    let as_typed = ["plan edit", "plan milestone", "template edit", "BEIAN_SERVER_USER"];
    let mut wrong = Vec::new();
    let mut seen = 0;
    for (path, text) in sources(&["src"]) {
        let file = path.display().to_string();
        if file.contains("/src/tui/") || file.contains("/src/demo") {
            continue;
        }
        let mut fields = literal_args(&text, "Error::input(", 0);
        for f in [
            "args::id(",
            "args::time(",
            "args::date(",
            "args::text(",
            "args::opt_text(",
        ] {
            fields.extend(literal_args(&text, f, 0));
        }
        for f in fields {
            seen += 1;
            let ok = f.starts_with("--")
                || as_typed.contains(&f.as_str())
                || LANGS.iter().all(|l| has(l, &format!("field.{f}")));
            if !ok {
                wrong.push(format!("field {f:?} in {file}"));
            }
        }
        for n in 1..3 {
            for e in literal_args(&text, "Error::input(", n) {
                let prose = e
                    .split(|c: char| !(c.is_ascii_lowercase() || c == ' '))
                    .any(|run| run.split(' ').filter(|w| w.len() > 1).count() > 1);
                if prose {
                    wrong.push(format!("English text {e:?} in {file}"));
                }
            }
        }
    }
    assert!(seen > 50, "only {seen} fields found: is the scan broken?");
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn the_scan_finds_literals() {
    let text = r#"non_empty(&x.title, "title")?; required(reason, "joint_review.outcome"); expect(p, &[S::A, S::B], "test.item");
        Error::input("--of", "", "a thing to say") Error::input(field, s, &t("k", &[]))"#;
    assert_eq!(literal_args(text, "non_empty(", 1), ["title"]);
    assert_eq!(literal_args(text, "required(", 1), ["joint_review.outcome"]);
    assert_eq!(literal_args(text, "expect(", 2), ["test.item"]);
    assert_eq!(literal_args(text, "Error::input(", 0), ["--of"]);
    assert_eq!(literal_args(text, "Error::input(", 2), ["a thing to say"]);
}

struct Out {
    code: i32,
    stderr: String,
}

fn beian(db: &Path, lang: &str, args: &[&str]) -> Out {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_beian"))
        .env("BEIAN_NO_SERVER", "1")
        .args(args)
        .env("BEIAN_DB", db)
        .env_remove("BEIAN_SOCKET")
        .env("BEIAN_LANG", lang)
        .output()
        .unwrap();
    let o = Out {
        code: out.status.code().unwrap_or(-1),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert!(!o.stderr.contains("panicked"), "{args:?}: {}", o.stderr);
    o
}

/// Program names in a message: `snake_case`, `dotted.names`, or runs of ASCII
/// words (English in a Chinese message). Ids (`PLAN-2026-0019`), options
/// (`--of`) and commands quoted with backticks are what users type.
fn leaks(message: &str, chinese: bool) -> Vec<String> {
    let mut out = Vec::new();
    let mut quoted = false;
    let mut word = String::new();
    let mut words_in_row = 0;
    let flush = |word: &mut String, words_in_row: &mut usize, out: &mut Vec<String>| {
        let w = std::mem::take(word);
        let is_id = w.chars().any(|c| c.is_ascii_digit())
            || w.starts_with('-')
            || w.chars().all(|c| c.is_ascii_uppercase() || c == '-');
        let name = w.trim_matches(|c: char| c == '.' || c == '_');
        if !is_id && (name.contains('_') || name.contains('.')) && name.chars().any(|c| c.is_ascii_lowercase()) {
            out.push(w.clone());
        }
        if !is_id && w.chars().filter(|c| c.is_ascii_lowercase()).count() > 1 {
            *words_in_row += 1;
            if chinese && *words_in_row >= 2 {
                out.push(w);
            }
        } else if !w.is_empty() {
            *words_in_row = 0;
        }
    };
    for c in message.chars() {
        if c == '`' {
            quoted = !quoted;
            continue;
        }
        if quoted {
            continue;
        }
        if c.is_ascii_alphanumeric() || "_.-#".contains(c) {
            word.push(c);
        } else {
            flush(&mut word, &mut words_in_row, &mut out);
            if !c.is_whitespace() {
                words_in_row = 0;
            }
        }
    }
    flush(&mut word, &mut words_in_row, &mut out);
    out
}

#[test]
fn the_leak_check_finds_leaks() {
    assert_eq!(
        leaks("当前状态为「notice published」，不能执行 publish_notice", true),
        ["published", "publish_notice"]
    );
    assert_eq!(
        leaks("joint_review.outcome needs a reason", false),
        ["joint_review.outcome"]
    );
    assert_eq!(leaks("of 无效：（应为 REQ-2026-0001）", true), Vec::<String>::new());
    assert!(leaks(
        "PLAN-2026-0019 当前状态为「已发布预告」，不能执行 发布更新预告（仅当状态为「已批准」时可以）",
        true
    )
    .is_empty());
    assert!(leaks(
        "--of 无效：REQ-26-1（应为 REQ-2026-0001） `beian request edit` 可以",
        true
    )
    .is_empty());
}

/// The refusals issue 14 quotes, through the real binary in both languages:
/// labels instead of program names, and what to do next.
#[test]
fn refusals_use_labels_and_say_what_to_do() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("demo");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_beian"))
        .env("BEIAN_NO_SERVER", "1")
        .args(["--json", "demo"])
        .env("BEIAN_DB", &db)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let plans = std::process::Command::new(env!("CARGO_BIN_EXE_beian"))
        .env("BEIAN_NO_SERVER", "1")
        .args(["--json", "plan", "list"])
        .env("BEIAN_DB", &db)
        .output()
        .unwrap();
    let plans: Vec<serde_json::Value> = serde_json::from_slice(&plans.stdout).unwrap();
    let at = |status: &str| {
        plans
            .iter()
            .find(|p| p["status"] == status)
            .unwrap_or_else(|| panic!("no plan {status} in the demo"))["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let (notice, implementing, testing) = (at("notice_published"), at("implementing"), at("testing"));
    // A request sent to joint review, analysed.
    let add = std::process::Command::new(env!("CARGO_BIN_EXE_beian"))
        .env("BEIAN_NO_SERVER", "1")
        .args([
            "--json",
            "request",
            "add",
            "--title",
            "选课页面加载慢",
            "--submitter",
            "张老师",
        ])
        .env("BEIAN_DB", &db)
        .output()
        .unwrap();
    let req: serde_json::Value = serde_json::from_slice(&add.stdout).unwrap();
    let req = req["entity"].as_str().unwrap().to_string();
    for args in [
        vec![
            "request",
            "edit",
            &req,
            "--necessity",
            "影响教学",
            "--feasibility",
            "可行",
        ],
        vec!["request", "triage", &req, "joint-review"],
    ] {
        assert_eq!(beian(&db, "en", &args).code, 0, "{args:?}");
    }
    let cases: Vec<(Vec<&str>, i32, &str, &str)> = vec![
        (
            vec!["plan", "notice", &notice],
            3,
            "cannot publish the update notice (only when approved)",
            "不能执行 发布更新预告（仅当状态为「已批准」时可以）",
        ),
        (
            vec![
                "test",
                "item",
                &implementing,
                "--category",
                "functional",
                "--description",
                "x",
                "--tester",
                "赵敏",
            ],
            3,
            "cannot add a test item (only when testing, ready for go-live)",
            "不能执行 添加测试项（仅当状态为「测试中、待上线」时可以）",
        ),
        (
            vec!["request", "triage", &req, "accept"],
            3,
            "record the joint review's position",
            "记录专题研讨结论",
        ),
        (
            vec!["request", "triage", &req, "duplicate", "--of", "REQ-26-1"],
            2,
            "invalid --of: REQ-26-1",
            "--of 无效：REQ-26-1",
        ),
        (
            vec!["request", "show", "REQ-26-x"],
            2,
            "invalid request id: REQ-26-x",
            "需求编号 无效：REQ-26-x",
        ),
        (
            vec!["test", "waive", &testing, "99", "--reason", "x"],
            3,
            "no such test item #99",
            "不存在：测试项 #99",
        ),
        (
            vec![
                "request",
                "add",
                "--title",
                "x",
                "--submitter",
                "y",
                "--received",
                "tomorrow",
            ],
            2,
            "invalid --received: tomorrow",
            "--received 无效：tomorrow",
        ),
    ];
    for (args, code, en, zh) in cases {
        for (lang, want) in [("en", en), ("zh-CN", zh)] {
            let o = beian(&db, lang, &args);
            assert_eq!(o.code, code, "{lang} {args:?}: {}", o.stderr);
            assert!(
                o.stderr.contains(want),
                "{lang} {args:?}: want {want:?} in {}",
                o.stderr
            );
            let leaked = leaks(o.stderr.trim().trim_start_matches("beian: "), lang == "zh-CN");
            assert!(leaked.is_empty(), "{lang} {args:?}: {leaked:?} in {}", o.stderr);
        }
    }
}
