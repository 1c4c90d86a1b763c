//! The clap command tree with its help in the user's language, and clap's usage
//! errors in it too.
//!
//! The English help is the doc comments of the clap types. For other languages
//! each command's `about` is looked up as `cli.help.<path>` and each argument's
//! help as `cli.help.<path>.<arg>` (path: subcommand names joined by `.`, the root
//! being `beian`); `tests/cli_help.rs` checks every one has a translation. What
//! clap writes itself — headings, `Print help`, `[possible values: …]`, the
//! usage errors — comes from `cli.heading.*`, `cli.help.flag.*`,
//! `cli.help.spec.*` and `cli.usage.*`.
//!
//! Every command's help lists its own options first and the options every
//! command takes under their own heading (`cli.heading.global`); `--expect-rev`
//! only where it applies ([`REVISED`]).

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{ArgMatches, CommandFactory};

use super::Cli;
use crate::i18n::t;

/// The commands that change one existing record, where `--expect-rev N` (refuse
/// unless the record is still at revision N) applies. Every other command hides
/// the option and refuses it (`tests/cli_help.rs` checks each path exists).
pub const REVISED: &[&str] = &[
    "system edit",
    "register person edit",
    "register department edit",
    "register vendor edit",
    "mail called",
    "request triage",
    "request edit",
    "request comment",
    "request link",
    "request reopen",
    "request unlink",
    "request tag",
    "joint-review decide",
    "plan edit",
    "plan risk add",
    "plan risk rm",
    "plan staff add",
    "plan staff rm",
    "plan submit",
    "plan approve",
    "plan return",
    "plan notice",
    "plan notice draft",
    "plan reschedule",
    "plan milestone",
    "plan implement",
    "plan cancel",
    "plan backup",
    "plan deviation",
    "plan accept-deviation",
    "plan incident",
    "plan fail",
    "plan review",
    "template edit",
    "template item add",
    "template item rm",
    "template submit",
    "template approve",
    "template return",
    "test round",
    "test item",
    "test result",
    "test defect",
    "test waive",
    "test accept-defect",
    "test defect-update",
    "golive",
    "training",
    "compare add",
    "compare rm",
    "file",
    "supervision order respond",
    "supervision order close",
    "supervision report investigate",
    "supervision report reply",
    "supervision order extend",
    "supervision order send-back",
    "supervision order reopen",
    "supervision report link",
    "supervision report to-order",
];

/// The id of the option that makes a change conditional on a revision.
const EXPECT_REV: &str = "expect_rev";

/// Where the global options start in a command's list (its own come first).
const GLOBAL_ORDER: usize = 1000;

/// The command tree, in the current language, with the headings and the
/// options of each command arranged (built: ready to parse or render).
///
/// Everything is arranged before clap builds the tree (clap indexes the
/// options of a command when it builds it; an option changed afterwards would
/// be parsed wrongly). `--expect-rev` is therefore not one of clap's global
/// options, which clap copies into every command alike: each command gets its
/// own copy, hidden where it does not apply, and [`expect_rev`] reads it from
/// whichever level it was given at.
pub fn command() -> clap::Command {
    let english = crate::i18n::current() == "en";
    let mut cmd = Cli::command().after_help(t("cli.after_help", &[]));
    if !english {
        cmd = translate(cmd, "beian");
    }
    let global = t("cli.heading.global", &[]);
    // Under their heading, after a command's own options, in the order declared.
    let mut order = GLOBAL_ORDER;
    cmd = cmd.mut_args(|a| {
        if a.is_global_set() {
            order += 1;
            a.help_heading(global.clone()).display_order(order)
        } else {
            a
        }
    });
    let expect_rev = cmd
        .get_arguments()
        .find(|a| a.get_id() == EXPECT_REV)
        .cloned()
        .expect("Cli has --expect-rev")
        .global(false);
    cmd = arrange(cmd, "", english, &expect_rev);
    cmd = cmd.disable_version_flag(true).arg(
        clap::Arg::new("version")
            .short('V')
            .long("version")
            .action(clap::ArgAction::Version)
            .help(t("cli.help.flag.version", &[]))
            .help_heading(global)
            .display_order(GLOBAL_ORDER + 99),
    );
    cmd.build();
    if !english {
        cmd = translate_help_commands(cmd);
    }
    cmd
}

fn lookup(key: &str) -> Option<String> {
    let lang = crate::i18n::current();
    crate::i18n::has(&lang, key).then(|| crate::i18n::t(key, &[]))
}

fn translate(mut cmd: clap::Command, path: &str) -> clap::Command {
    if let Some(about) = lookup(&format!("cli.help.{path}")) {
        cmd = cmd.about(about).long_about(None::<&str>);
    }
    // In place: the options keep their order.
    cmd = cmd.mut_args(|a| {
        let help = lookup(&format!("cli.help.{path}.{}", a.get_id()));
        let mut text = help.unwrap_or_else(|| a.get_help().map(|h| h.to_string()).unwrap_or_default());
        let mut a = a.long_help(None::<&str>);
        if !a.get_action().takes_values() {
            return a.help(text);
        }
        // What clap would append in English, in the user's language.
        let values: Vec<String> = a
            .get_possible_values()
            .iter()
            .filter(|v| !v.is_hide_set())
            .map(|v| v.get_name().to_string())
            .collect();
        if !values.is_empty() && !a.is_hide_possible_values_set() {
            text.push(' ');
            text.push_str(&t("cli.help.spec.values", &[("values", values.join(", "))]));
            a = a.hide_possible_values(true);
        }
        let defaults: Vec<String> = a
            .get_default_values()
            .iter()
            .map(|v| v.to_string_lossy().into_owned())
            .collect();
        if !defaults.is_empty() && !a.is_hide_default_value_set() {
            text.push(' ');
            text.push_str(&t("cli.help.spec.default", &[("value", defaults.join(" "))]));
            a = a.hide_default_value(true);
        }
        if let Some(env) = a.get_env().map(|e| e.to_string_lossy().into_owned()) {
            if !a.is_hide_env_set() {
                text.push(' ');
                text.push_str(&t("cli.help.spec.env", &[("name", env)]));
                a = a.hide_env(true);
            }
        }
        a.help(text)
    });
    let subs: Vec<String> = cmd.get_subcommands().map(|s| s.get_name().to_string()).collect();
    for name in subs {
        let sub_path = format!("{path}.{name}");
        cmd = cmd.mut_subcommand(name.as_str(), |s| translate(s, &sub_path));
    }
    cmd
}

/// Every command: its own help flag under the global heading, its own copy of
/// `--expect-rev` (hidden unless the command is in [`REVISED`]), and, not in
/// English, clap's headings in the user's language.
fn arrange(mut cmd: clap::Command, path: &str, english: bool, expect_rev: &clap::Arg) -> clap::Command {
    let global = t("cli.heading.global", &[]);
    let is_leaf = cmd.get_subcommands().next().is_none();
    if !english {
        let usage = t("cli.heading.usage", &[]);
        let mut positionals = 0;
        cmd = cmd
            .help_template(format!(
                "{{about-with-newline}}\n{usage}{{usage}}\n\n{{all-args}}{{after-help}}"
            ))
            .subcommand_help_heading(t("cli.heading.commands", &[]))
            .mut_args(|a| {
                if a.get_help_heading().is_some() || a.is_global_set() {
                    a
                } else if a.is_positional() {
                    // Under a heading of its own clap sorts by display order,
                    // then by name: keep the order they are given in.
                    positionals += 1;
                    a.help_heading(t("cli.heading.arguments", &[]))
                        .display_order(positionals)
                } else {
                    a.help_heading(t("cli.heading.options", &[]))
                }
            });
    }
    // A command that runs by itself: a leaf, or one that takes arguments besides
    // its subcommands (`plan notice PLAN` and `plan notice draft PLAN`).
    let runs = is_leaf || cmd.get_positionals().next().is_some();
    let hidden = !(runs && REVISED.contains(&path));
    cmd = if path.is_empty() {
        cmd.mut_args(|a| {
            if a.get_id() == EXPECT_REV {
                expect_rev.clone().hide(true)
            } else {
                a
            }
        })
    } else {
        cmd.arg(expect_rev.clone().hide(hidden))
    };
    let help = clap::Arg::new("help")
        .short('h')
        .long("help")
        .action(clap::ArgAction::Help)
        .help(t("cli.help.flag.help", &[]))
        .help_heading(global)
        .display_order(GLOBAL_ORDER + 98);
    cmd = cmd.disable_help_flag(true).arg(help);
    let subs: Vec<String> = cmd.get_subcommands().map(|s| s.get_name().to_string()).collect();
    for name in subs {
        let sub_path = if path.is_empty() {
            name.clone()
        } else {
            format!("{path} {name}")
        };
        cmd = cmd.mut_subcommand(name.as_str(), |s| arrange(s, &sub_path, english, expect_rev));
    }
    cmd
}

/// The `help` subcommands clap adds when it builds the tree, in the user's
/// language (only their description is changed: safe after building).
fn translate_help_commands(mut cmd: clap::Command) -> clap::Command {
    let subs: Vec<String> = cmd.get_subcommands().map(|s| s.get_name().to_string()).collect();
    for name in subs {
        cmd = if name == "help" {
            cmd.mut_subcommand("help", |s| s.about(t("cli.help.flag.help_command", &[])))
        } else {
            cmd.mut_subcommand(name.as_str(), translate_help_commands)
        };
    }
    cmd
}

/// `--expect-rev`, from whichever command of the parse it was given to.
pub fn expect_rev(m: &ArgMatches) -> Option<u64> {
    let mut found = m.get_one::<u64>(EXPECT_REV).copied();
    let mut m = m;
    while let Some((_, sub)) = m.subcommand() {
        if let Some(v) = sub.get_one::<u64>(EXPECT_REV) {
            found = Some(*v);
        }
        m = sub;
    }
    found
}

/// The subcommand names of a parse, joined by spaces: `request triage`.
pub fn command_path(m: &ArgMatches) -> String {
    let mut parts = Vec::new();
    let mut m = m;
    while let Some((name, sub)) = m.subcommand() {
        parts.push(name.to_string());
        m = sub;
    }
    parts.join(" ")
}

/// Every help key of the tree with its English text (for the translation test
/// and for writing the zh-CN table).
pub fn help_keys() -> Vec<(String, String)> {
    fn walk(cmd: &clap::Command, path: &str, out: &mut Vec<(String, String)>) {
        if let Some(a) = cmd.get_about() {
            out.push((format!("cli.help.{path}"), a.to_string()));
        }
        for a in cmd.get_arguments() {
            if let Some(h) = a.get_help() {
                out.push((format!("cli.help.{path}.{}", a.get_id()), h.to_string()));
            }
        }
        for s in cmd.get_subcommands() {
            walk(s, &format!("{path}.{}", s.get_name()), out);
        }
    }
    let mut out = Vec::new();
    walk(&Cli::command(), "beian", &mut out);
    out.sort();
    out.dedup();
    out
}

/// A usage error from clap (unknown option, missing argument, bad value …) in
/// the user's language: what is wrong, a suggestion when clap has one, the
/// command's usage, and how to see its help. Everything typed is shown with its
/// control characters made visible.
pub fn usage_error(e: &clap::Error) -> String {
    let shown = |s: &str| crate::sanitize::visible_line(s);
    let string = |k: ContextKind| match e.get(k) {
        Some(ContextValue::String(s)) => Some(shown(s)),
        _ => None,
    };
    let strings = |k: ContextKind| match e.get(k) {
        Some(ContextValue::Strings(v)) => v.iter().map(|s| shown(s)).collect(),
        Some(ContextValue::String(s)) => vec![shown(s)],
        _ => Vec::new(),
    };
    let arg = string(ContextKind::InvalidArg).unwrap_or_default();
    let value = string(ContextKind::InvalidValue).unwrap_or_default();
    let mut lines = vec![match e.kind() {
        ErrorKind::UnknownArgument => t("cli.usage.unknown_argument", &[("arg", arg.clone())]),
        ErrorKind::InvalidSubcommand => t(
            "cli.usage.unknown_command",
            &[("command", string(ContextKind::InvalidSubcommand).unwrap_or_default())],
        ),
        ErrorKind::InvalidValue if value.is_empty() => t("cli.usage.value_missing", &[("arg", arg.clone())]),
        ErrorKind::InvalidValue => t(
            "cli.usage.invalid_value",
            &[("arg", arg.clone()), ("value", value.clone())],
        ),
        ErrorKind::ValueValidation => {
            let number = std::error::Error::source(e).is_some_and(|s| {
                s.downcast_ref::<std::num::ParseIntError>().is_some()
                    || s.downcast_ref::<std::num::ParseFloatError>().is_some()
            });
            t(
                if number {
                    "cli.usage.not_a_number"
                } else {
                    "cli.usage.invalid_value"
                },
                &[("arg", arg.clone()), ("value", value.clone())],
            )
        }
        ErrorKind::MissingRequiredArgument => t(
            "cli.usage.missing",
            &[("args", crate::i18n::list(strings(ContextKind::InvalidArg).into_iter()))],
        ),
        ErrorKind::MissingSubcommand | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => t(
            "cli.usage.missing_command",
            &[(
                "commands",
                crate::i18n::list(strings(ContextKind::ValidSubcommand).into_iter()),
            )],
        ),
        ErrorKind::ArgumentConflict => {
            let prior = strings(ContextKind::PriorArg);
            if prior.is_empty() || prior == [arg.clone()] {
                t("cli.usage.once", &[("arg", arg.clone())])
            } else {
                t(
                    "cli.usage.conflict",
                    &[("arg", arg.clone()), ("other", crate::i18n::list(prior.into_iter()))],
                )
            }
        }
        ErrorKind::TooManyValues => t(
            "cli.usage.extra_value",
            &[("arg", arg.clone()), ("value", value.clone())],
        ),
        ErrorKind::TooFewValues | ErrorKind::WrongNumberOfValues => t("cli.usage.value_count", &[("arg", arg.clone())]),
        ErrorKind::NoEquals => t("cli.usage.no_equals", &[("arg", arg.clone())]),
        ErrorKind::InvalidUtf8 => t("cli.usage.utf8", &[]),
        _ => t("cli.usage.other", &[]),
    }];
    let valid = strings(ContextKind::ValidValue);
    if matches!(e.kind(), ErrorKind::InvalidValue) && !valid.is_empty() {
        lines.push(format!(
            "  {}",
            t("cli.usage.possible", &[("values", valid.join(", "))])
        ));
    }
    for k in [
        ContextKind::SuggestedArg,
        ContextKind::SuggestedSubcommand,
        ContextKind::SuggestedValue,
    ] {
        let s = strings(k);
        if !s.is_empty() {
            lines.push(format!("  {}", t("cli.usage.did_you_mean", &[("value", s.join(", "))])));
        }
    }
    if let Some(ContextValue::StyledStr(usage)) = e.get(ContextKind::Usage) {
        // clap writes `Usage: beian request list [OPTIONS]`; the command is
        // the words before the first placeholder or option.
        let usage = usage.to_string();
        let usage = usage.trim();
        let usage = usage.split_once(": ").map(|(_, u)| u).unwrap_or(usage).trim();
        lines.push(t("cli.usage.usage", &[("usage", shown(usage))]));
        let command: Vec<&str> = usage
            .split_whitespace()
            .take_while(|w| !w.starts_with(['[', '<', '-']))
            .collect();
        if !command.is_empty() {
            lines.push(t(
                "cli.usage.more",
                &[("help", format!("{} --help", shown(&command.join(" "))))],
            ));
        }
    }
    lines.join("\n")
}

/// Is this clap "error" really the help or the version, printed as asked?
pub fn is_display(e: &clap::Error) -> bool {
    matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion)
}
