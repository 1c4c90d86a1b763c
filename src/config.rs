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
//! [server]                    # limits of `beian serve` (docs/deploy.md)
//! max_connections_per_user = 16
//! [backup]
//! dir = "/var/backups/beian"  # where supervisors may write backups
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
    /// Limits of `beian serve`.
    #[serde(default, skip_serializing_if = "ServerLimits::is_default")]
    pub server: ServerLimits,
    /// Where backups go.
    #[serde(default, skip_serializing_if = "BackupSettings::is_default")]
    pub backup: BackupSettings,
}

/// What `beian serve` allows one connection and one user (docs/deploy.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerLimits {
    /// Connections the server takes at once, all users together; the last
    /// [`ADMIN_RESERVED`] of them only from admins, so that `beian status`
    /// always answers an admin.
    #[serde(default = "default_max_connections")]
    pub max_connections: u32,
    /// Connections one user may hold at once (a terminal UI holds one, a
    /// command one while it runs).
    #[serde(default = "default_max_connections_per_user")]
    pub max_connections_per_user: u32,
    /// A connection that sends nothing for this long, and has not subscribed to
    /// updates (as the terminal UI does), is closed.
    #[serde(default = "default_idle_timeout_secs")]
    pub idle_timeout_secs: u64,
    /// How long a change waits behind another user's import before it is
    /// refused, naming the import.
    #[serde(default = "default_import_wait_secs")]
    pub import_wait_secs: u64,
    /// An import whose client sends nothing for this long is rolled back and
    /// its connection closed.
    #[serde(default = "default_import_idle_secs")]
    pub import_idle_secs: u64,
    /// An import still running after this long is rolled back and its
    /// connection closed: no import keeps the other writers out longer.
    #[serde(default = "default_import_max_secs")]
    pub import_max_secs: u64,
}

/// Connections of [`ServerLimits::max_connections`] that only admins may use.
pub const ADMIN_RESERVED: u32 = 4;

fn default_max_connections() -> u32 {
    256
}
fn default_max_connections_per_user() -> u32 {
    16
}
fn default_idle_timeout_secs() -> u64 {
    900
}
fn default_import_wait_secs() -> u64 {
    5
}
fn default_import_idle_secs() -> u64 {
    15
}
fn default_import_max_secs() -> u64 {
    1800
}

impl Default for ServerLimits {
    fn default() -> Self {
        ServerLimits {
            max_connections: default_max_connections(),
            max_connections_per_user: default_max_connections_per_user(),
            idle_timeout_secs: default_idle_timeout_secs(),
            import_wait_secs: default_import_wait_secs(),
            import_idle_secs: default_import_idle_secs(),
            import_max_secs: default_import_max_secs(),
        }
    }
}

impl ServerLimits {
    fn is_default(&self) -> bool {
        *self == ServerLimits::default()
    }

    pub fn idle_timeout(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.idle_timeout_secs)
    }

    pub fn import_wait(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.import_wait_secs)
    }

    pub fn import_idle(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.import_idle_secs)
    }

    pub fn import_max(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.import_max_secs)
    }

    /// Every limit must let something through.
    fn check(&self) -> std::result::Result<(), String> {
        let zero = [
            ("max_connections_per_user", u64::from(self.max_connections_per_user)),
            ("idle_timeout_secs", self.idle_timeout_secs),
            ("import_idle_secs", self.import_idle_secs),
            ("import_max_secs", self.import_max_secs),
        ];
        if let Some((name, _)) = zero.iter().find(|(_, v)| *v == 0) {
            return Err(format!("[server] {name} must be at least 1"));
        }
        if self.max_connections <= ADMIN_RESERVED {
            return Err(format!(
                "[server] max_connections must be more than the {ADMIN_RESERVED} connections kept for admins"
            ));
        }
        Ok(())
    }
}

/// Backups (`beian backup`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackupSettings {
    /// The directory supervisors may write backups into (an absolute path,
    /// outside the data directory). Admins may write anywhere but the data
    /// directory; pruning (`--keep`) is for admins only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dir: Option<PathBuf>,
}

impl BackupSettings {
    fn is_default(&self) -> bool {
        self.dir.is_none()
    }
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
    /// Days after the go-live by which the post-implementation review is due (§4.3).
    #[serde(default = "default_review_days")]
    pub review_days: u32,
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
fn default_review_days() -> u32 {
    30
}

/// The longest review period `[process] review_days` may set: a year.
pub const MAX_REVIEW_DAYS: u32 = 366;

impl Default for Process {
    fn default() -> Self {
        Process {
            notice_days: default_notice_days(),
            approvers: default_approvers(),
            backup_max_age_days: default_backup_max_age_days(),
            clock_skew_minutes: default_clock_skew_minutes(),
            review_days: default_review_days(),
        }
    }
}

pub const CONFIG_FILE: &str = "config.toml";

/// A `config.toml` larger than this is refused before it is parsed: it is a
/// few lines, and the server reads it at every connection.
pub const MAX_CONFIG: u64 = 256 << 10;

impl Config {
    /// Read `<dir>/config.toml`: a regular file nobody but the data directory's
    /// owner may change (src/datadir.rs), of at most [`MAX_CONFIG`] bytes. A
    /// missing file is refused ([`Error::ConfigMissing`]): without it every
    /// role but the creator's would be gone.
    pub fn load(dir: &Path) -> Result<Config> {
        use std::io::Read;
        let path = dir.join(CONFIG_FILE);
        crate::datadir::check_config(dir, &path)?;
        let file = match crate::fsutil::open_regular(&path, crate::fsutil::Purpose::Read) {
            Ok(f) => f,
            Err(Error::Io { .. }) if !path.exists() => {
                return Err(Error::ConfigMissing {
                    path: path.display().to_string(),
                    recorded: String::new(),
                })
            }
            Err(e) => return Err(e),
        };
        let mut bytes = Vec::new();
        file.take(MAX_CONFIG + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| Error::io(&path, e))?;
        if bytes.len() as u64 > MAX_CONFIG {
            return Err(Error::Config {
                path: path.display().to_string(),
                detail: crate::i18n::t("config.too_large", &[("limit", crate::fsutil::size_label(MAX_CONFIG))]),
            });
        }
        let text = String::from_utf8(bytes).map_err(|e| Error::Config {
            path: path.display().to_string(),
            detail: e.to_string(),
        })?;
        Config::parse(&text, &path)
    }

    /// Parse a configuration; an error names the file, the line and the
    /// setting (`config.toml:7: process.notice_days = "3": expected a whole
    /// number …`).
    pub fn parse(text: &str, path: &Path) -> Result<Config> {
        let config: Config = toml::from_str(text).map_err(|e| config_error(text, path, &e))?;
        let invalid = |detail: String| Error::Config {
            path: path.display().to_string(),
            detail,
        };
        config.server.check().map_err(invalid)?;
        if !(1..=MAX_REVIEW_DAYS).contains(&config.process.review_days) {
            return Err(invalid(format!(
                "[process] review_days = {}: give a whole number of days from 1 to {MAX_REVIEW_DAYS}",
                config.process.review_days
            )));
        }
        if let Some(d) = config.backup.dir.as_ref().filter(|d| !d.is_absolute()) {
            return Err(invalid(format!(
                "[backup] dir = {:?}: name the directory with an absolute path",
                d.display().to_string()
            )));
        }
        Ok(config)
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
             clock_skew_minutes = 5\n\
             # Days after the go-live by which the post-implementation review is due.\n\
             review_days = 30\n\n\
             [server]\n\
             # Limits of `beian serve` (docs/deploy.md), shown with their defaults.\n\
             # Connections one user may hold at once (a TUI holds one).\n\
             # max_connections_per_user = 16\n\
             # All users together; the last 4 are kept for admins.\n\
             # max_connections = 256\n\
             # A connection that sends nothing and has not subscribed to updates is closed after:\n\
             # idle_timeout_secs = 900\n\
             # A change waiting behind an import is refused after:\n\
             # import_wait_secs = 5\n\
             # An import that sends nothing for this long is rolled back:\n\
             # import_idle_secs = 15\n\
             # No import holds the database longer than:\n\
             # import_max_secs = 1800\n\n\
             [backup]\n\
             # The directory supervisors may write backups into (admins: anywhere\n\
             # but the data directory; only admins prune with --keep).\n\
             # dir = \"/var/backups/beian\"\n"
        )
    }
}

/// The setting a TOML error is about (`process.notice_days`), as toml names
/// it when it is not showing the excerpt.
fn error_field(e: &toml::de::Error) -> Option<String> {
    let mut bare = e.clone();
    bare.set_input(None);
    let shown = bare.to_string();
    let field = shown.lines().last()?.strip_prefix("in `")?.strip_suffix('`')?;
    Some(field.to_string())
}

/// What a setting takes, for the message when it holds something else.
fn expected_of(field: &str) -> Option<String> {
    let parts: Vec<&str> = field.split('.').collect();
    let t = crate::i18n::t;
    Some(match parts.as_slice() {
        ["process" | "server", _] => t("config.expected.number", &[]),
        ["roles", "users" | "groups", _, ..] => t("config.expected.roles", &[]),
        ["backup", "dir"] => t("config.expected.path", &[]),
        [_] | ["roles", _] => t("config.expected.section", &[("field", field.to_string())]),
        _ => return None,
    })
}

/// The error of parsing `text` (the file `path`): file and line, then the
/// setting, what it holds and what it takes, in the user's language where beian
/// knows the setting; toml's own words for a syntax error.
fn config_error(text: &str, path: &Path, e: &toml::de::Error) -> Error {
    let start = e.span().map(|s| s.start.min(text.len()));
    let line = start.map(|s| text[..s].matches('\n').count() + 1);
    let at = match line {
        Some(l) => format!("{}:{l}", path.display()),
        None => path.display().to_string(),
    };
    let field = error_field(e);
    let value = e
        .span()
        .and_then(|s| text.get(s.start.min(text.len())..s.end.min(text.len())))
        .map(|v| {
            let v: String = v.chars().take(60).collect();
            crate::sanitize::clean_line(&v)
        })
        .unwrap_or_default();
    let detail = match &field {
        // "unknown field `notice_dayz`, expected one of `notice_days`, …"
        _ if e.message().starts_with("unknown field") => {
            let mut names = e
                .message()
                .split('`')
                .skip(1)
                .step_by(2)
                .map(crate::sanitize::clean_line);
            let name = names.next().unwrap_or_default();
            let known: Vec<String> = names.collect();
            let within = field.as_ref().map(|f| format!("{f}.")).unwrap_or_default();
            crate::i18n::t(
                "config.unknown_field",
                &[("field", format!("{within}{name}")), ("known", known.join(", "))],
            )
        }
        Some(f) => match expected_of(f) {
            Some(expected) if !value.is_empty() => crate::i18n::t(
                "config.bad_value",
                &[("field", f.clone()), ("value", value), ("expected", expected)],
            ),
            _ => format!("{f}: {}", e.message()),
        },
        None => crate::i18n::t("config.syntax", &[("detail", e.message().to_string())]),
    };
    Error::Config { path: at, detail }
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
    Actor { name, roles, via: None }
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
