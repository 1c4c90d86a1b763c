//! `beian keymap …`: check a keymap file, list the named commands, show bindings.

use std::path::PathBuf;

use clap::Subcommand;

use super::output::{self, Table};
use crate::error::{Error, Result};
use crate::i18n::t;
use crate::tui::action::{Action, Pane};
use crate::tui::keymap::Keymap;

#[derive(Subcommand, Debug)]
pub enum KeymapCmd {
    /// Check a keymap file (default: ~/.config/beian/keymap.toml); exits 2 naming each bad line
    Check {
        /// The file to check
        file: Option<PathBuf>,
    },
    /// List every named command with its scope and description
    Commands,
    /// Show the resolved bindings of each pane
    Show {
        /// The file to resolve (default: ~/.config/beian/keymap.toml)
        file: Option<PathBuf>,
    },
}

pub fn run(cmd: &KeymapCmd, json: bool) -> Result<()> {
    match cmd {
        KeymapCmd::Check { file } => {
            let path = file.clone().or_else(Keymap::user_path);
            let (_, issues) = Keymap::load(path.as_deref());
            if issues.is_empty() {
                println!(
                    "{}",
                    t(
                        "cli.keymap.ok",
                        &[("file", path.map(|p| p.display().to_string()).unwrap_or_default())]
                    )
                );
                return Ok(());
            }
            for i in &issues {
                eprintln!("{i}");
            }
            Err(Error::input(
                "keymap",
                &issues[0].file,
                &t("cli.keymap.fix", &[("n", issues.len().to_string())]),
            ))
        }
        KeymapCmd::Commands => {
            if json {
                let v: Vec<_> = Action::ALL
                    .iter()
                    .map(|a| serde_json::json!({ "name": a.name(), "scope": a.scope().name(), "description": a.describe() }))
                    .collect();
                output::json(&v);
                return Ok(());
            }
            let mut tb = Table::new(&[
                t("cli.keymap.command", &[]),
                t("cli.keymap.scope", &[]),
                t("cli.col.description", &[]),
            ]);
            for a in Action::ALL {
                tb.row(vec![a.name().into(), a.scope().name().into(), a.describe()]);
            }
            tb.print();
            Ok(())
        }
        KeymapCmd::Show { file } => {
            let path = file.clone().or_else(Keymap::user_path);
            let (map, issues) = Keymap::load(path.as_deref());
            for i in &issues {
                eprintln!("{i}");
            }
            for pane in Pane::ALL {
                output::heading(&pane.title());
                let mut tb = Table::new(&[
                    t("cli.keymap.keys", &[]),
                    t("cli.keymap.command", &[]),
                    t("cli.col.description", &[]),
                ]);
                for (keys, a) in map.bindings_for(pane) {
                    tb.row(vec![keys, a.name().into(), a.describe()]);
                }
                tb.print();
            }
            Ok(())
        }
    }
}
