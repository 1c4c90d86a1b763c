//! The clap command tree with its help in the user's language.
//!
//! The English help is the doc comments of the clap types. For other languages
//! each command's `about` is looked up as `cli.help.<path>` and each argument's
//! help as `cli.help.<path>.<arg>` (path: subcommand names joined by `.`, the root
//! being `beian`); `tests/cli_help.rs` checks every one has a translation.

use clap::CommandFactory;

use super::Cli;

/// The command tree, translated when the language is not English.
pub fn command() -> clap::Command {
    let cmd = Cli::command();
    if crate::i18n::current() == "en" {
        return cmd;
    }
    translate(cmd, "beian")
}

fn lookup(key: &str) -> Option<String> {
    let lang = crate::i18n::current();
    crate::i18n::has(&lang, key).then(|| crate::i18n::t(key, &[]))
}

fn translate(mut cmd: clap::Command, path: &str) -> clap::Command {
    if let Some(about) = lookup(&format!("cli.help.{path}")) {
        cmd = cmd.about(about);
    }
    let args: Vec<String> = cmd.get_arguments().map(|a| a.get_id().to_string()).collect();
    for id in args {
        if let Some(help) = lookup(&format!("cli.help.{path}.{id}")) {
            cmd = cmd.mut_arg(id.as_str(), |a| a.help(help));
        }
    }
    let subs: Vec<String> = cmd.get_subcommands().map(|s| s.get_name().to_string()).collect();
    for name in subs {
        let sub_path = format!("{path}.{name}");
        cmd = cmd.mut_subcommand(name.as_str(), |s| translate(s, &sub_path));
    }
    cmd
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
