//! Where the data lives, who holds which role, and the process settings.
//!
//! The configuration belongs to the database: `<data dir>/config.toml`, written by
//! `beian init` and edited by its admin. The user who created the database is
//! always admin.
//!
//! ```toml
//! [roles.users]
//! wang = ["operator"]
//! li = ["approver"]
//! [roles.groups]
//! imc = ["operator"]          # Unix group → roles
//! [process]
//! notice_days = 3
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::{Actor, Role};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub roles: Roles,
    #[serde(default)]
    pub process: Process,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Roles {
    #[serde(default)]
    pub users: BTreeMap<String, Vec<Role>>,
    #[serde(default)]
    pub groups: BTreeMap<String, Vec<Role>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Process {
    /// Days the update notice must precede the maintenance window.
    #[serde(default = "default_notice_days")]
    pub notice_days: u32,
    /// Distinct approvers of the Leading Group a plan needs (§2.1: a collective body).
    #[serde(default = "default_approvers")]
    pub approvers: u32,
    /// A backup confirmed longer than this before the go-live no longer counts.
    #[serde(default = "default_backup_max_age_days")]
    pub backup_max_age_days: u32,
    /// How far ahead of the server's clock a recorded time may lie (clock skew).
    #[serde(default = "default_clock_skew_minutes")]
    pub clock_skew_minutes: u32,
}

fn default_notice_days() -> u32 {
    3
}
fn default_approvers() -> u32 {
    1
}
fn default_backup_max_age_days() -> u32 {
    7
}
fn default_clock_skew_minutes() -> u32 {
    5
}

impl Default for Process {
    fn default() -> Self {
        Process {
            notice_days: default_notice_days(),
            approvers: default_approvers(),
            backup_max_age_days: default_backup_max_age_days(),
            clock_skew_minutes: default_clock_skew_minutes(),
        }
    }
}

pub const CONFIG_FILE: &str = "config.toml";

impl Config {
    /// Read `<dir>/config.toml`; a missing file is the default configuration.
    pub fn load(dir: &Path) -> Result<Config> {
        let path = dir.join(CONFIG_FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) => Config::parse(&text, &path),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Config::default()),
            Err(e) => Err(Error::io(&path, e)),
        }
    }

    pub fn parse(text: &str, path: &Path) -> Result<Config> {
        toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|s| text[..s.start.min(text.len())].lines().count().max(1))
                .map(|l| format!(":{l}"))
                .unwrap_or_default();
            Error::Config {
                path: format!("{}{line}", path.display()),
                detail: e.message().to_string(),
            }
        })
    }

    /// The roles of a user: the creator is admin; then by name, then by group.
    pub fn roles_for(&self, user: &str, groups: &[String], creator: &str) -> Vec<Role> {
        let mut roles = Vec::new();
        if user == creator {
            roles.push(Role::Admin);
        }
        if let Some(r) = self.roles.users.get(user) {
            roles.extend(r);
        }
        for g in groups {
            if let Some(r) = self.roles.groups.get(g) {
                roles.extend(r);
            }
        }
        roles.sort();
        roles.dedup();
        roles
    }

    /// The text `beian init` writes: the defaults, commented.
    pub fn template(creator: &str) -> String {
        format!(
            "# beian configuration for this database (see README: Roles).\n\
             # {creator} created the database and is always admin.\n\
             # Roles: admin, operator, approver, supervisor, viewer.\n\n\
             [roles.users]\n\
             # wang = [\"operator\"]\n\
             # li = [\"approver\"]\n\n\
             [roles.groups]\n\
             # imc = [\"operator\"]\n\n\
             [process]\n\
             # Days the update notice must precede the maintenance window.\n\
             notice_days = 3\n\
             # Distinct approvers (Leading Group members) a plan needs.\n\
             approvers = 1\n\
             # A backup confirmed longer ago than this before the go-live no longer counts.\n\
             backup_max_age_days = 7\n\
             # How far ahead of the clock a recorded time (a go-live) may lie.\n\
             clock_skew_minutes = 5\n"
        )
    }
}

/// The operating-system user running this process.
pub fn os_user_name() -> String {
    let uid = nix::unistd::getuid();
    nix::unistd::User::from_uid(uid)
        .ok()
        .flatten()
        .map(|u| u.name)
        .unwrap_or_else(|| format!("uid{uid}"))
}

/// The Unix groups of the user running this process.
pub fn os_groups() -> Vec<String> {
    let mut gids = nix::unistd::getgroups().unwrap_or_default();
    gids.push(nix::unistd::getegid());
    let mut names: Vec<String> = gids
        .into_iter()
        .filter_map(|g| nix::unistd::Group::from_gid(g).ok().flatten().map(|g| g.name))
        .collect();
    names.sort();
    names.dedup();
    names
}

/// The actor for this process: the OS user and the roles the config gives it.
pub fn local_actor(config: &Config, creator: &str) -> Actor {
    let name = os_user_name();
    let roles = config.roles_for(&name, &os_groups(), creator);
    Actor { name, roles }
}

/// `$XDG_DATA_HOME/beian`.
pub fn default_data_dir() -> PathBuf {
    use etcetera::BaseStrategy;
    etcetera::choose_base_strategy()
        .map(|s| s.data_dir())
        .unwrap_or_else(|_| PathBuf::from("."))
        .join("beian")
}

/// Where `beian demo` puts its data when no database is named: never the real one.
pub fn default_demo_dir() -> PathBuf {
    use etcetera::BaseStrategy;
    etcetera::choose_base_strategy()
        .map(|s| s.data_dir())
        .unwrap_or_else(|_| PathBuf::from("."))
        .join("beian-demo")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_errors_name_the_line() {
        let e = Config::parse("[roles.users]\nwang = [\"boss\"]\n", Path::new("c.toml")).unwrap_err();
        match e {
            Error::Config { path, .. } => assert_eq!(path, "c.toml:2"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn creator_is_admin_and_groups_count() {
        let c = Config::parse(
            "[roles.users]\nli = [\"approver\"]\n[roles.groups]\nimc = [\"operator\"]\n",
            Path::new("c"),
        )
        .unwrap();
        assert_eq!(c.roles_for("root", &[], "root"), vec![Role::Admin]);
        assert_eq!(
            c.roles_for("li", &["imc".into()], "root"),
            vec![Role::Operator, Role::Approver]
        );
        assert!(c.roles_for("nobody", &[], "root").is_empty());
    }
}
