//! Role grants and process settings in the chain (issue 14).
//!
//! The roles and the process thresholds live in `config.toml`, which an admin
//! edits outside beian. Whenever a process takes up a configuration — opening
//! the database (the CLI, the TUI, `beian serve` at start) or the server
//! reading `config.toml` again for a new connection — the SHA-256 of its
//! effective settings ([`Settings`]: per role, the users and Unix groups given
//! it; the process settings by name; the `[server]` limits that differ from
//! their defaults and the `[backup]` settings given) is compared with the last one recorded
//! (`meta`: `config_sha256`, beside the settings themselves in
//! `config_settings`). When it differs, one audit event is appended in its own
//! transaction: action `config.change`, entity `config`, actor `beian`, the
//! summary naming what changed — users and groups added (`+`) or removed (`−`)
//! per role, settings `old → new` — and the new SHA-256. Nothing else of the
//! file is recorded (it holds no secrets; beian has none).
//!
//! A database that never recorded its settings is taken to have had the
//! defaults (no role but the creator's admin, the default thresholds): a new
//! database with the template records nothing; the first open of an older
//! database with roles granted records them.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::{dec, enc, Store, T};
use crate::config::Config;
use crate::error::{Error, Result};

/// The action of the event recording a configuration change.
pub const CONFIG_ACTION: &str = "config.change";
/// Its entity.
pub const CONFIG_ENTITY: &str = "config";
/// `meta`: SHA-256 of the settings last recorded.
const SHA_KEY: &str = "config_sha256";
/// `meta`: the settings last recorded, as JSON (to name what changes next).
const SETTINGS_KEY: &str = "config_settings";

/// Who is given a role.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grants {
    pub users: BTreeSet<String>,
    pub groups: BTreeSet<String>,
}

/// The effective roles and process settings of a configuration, in one
/// canonical form (sorted maps and sets, serialized as JSON).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    /// Per role, as `config.toml` names it (`operator`): who has it. A user
    /// listed with no role is given nothing, and is not here.
    pub roles: BTreeMap<String, Grants>,
    /// The `[process]` settings by name, with their values.
    pub process: BTreeMap<String, serde_json::Value>,
    /// The `[server]` limits that differ from their defaults, by name. Only
    /// those, so that settings recorded before `[server]` was (all defaults)
    /// keep their SHA-256.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub server: BTreeMap<String, serde_json::Value>,
    /// The `[backup]` settings given (`dir`), by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub backup: BTreeMap<String, serde_json::Value>,
    /// The change classes' settings that differ from their defaults, by
    /// `class.setting` (`major.approvers`). The normal class's quorum and notice
    /// days are in `process`, under their names from before classes
    /// (`approvers`, `notice_days`), so settings recorded then keep their SHA-256.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub classes: BTreeMap<String, serde_json::Value>,
    /// The `[attention]` thresholds that differ from their defaults, by name
    /// (only those, so that settings recorded before keep their SHA-256).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attention: BTreeMap<String, serde_json::Value>,
}

/// The settings of the change classes by `class.setting`, the normal class's
/// quorum and notice days left out (they are in `process`).
fn class_fields(classes: &crate::config::Classes) -> BTreeMap<String, serde_json::Value> {
    let mut out = BTreeMap::new();
    for (class, v) in fields(classes) {
        if let serde_json::Value::Object(m) = v {
            for (k, v) in m {
                if class == "normal" && (k == "approvers" || k == "notice_days") {
                    continue;
                }
                out.insert(format!("{class}.{k}"), v);
            }
        }
    }
    out
}

/// The class settings' defaults, by `class.setting`.
fn class_defaults() -> BTreeMap<String, serde_json::Value> {
    class_fields(&crate::config::Classes::default())
}

/// How a `process` setting is named in a change: the normal class's quorum and
/// notice days by the table they are set in now.
fn process_name(k: &str) -> String {
    match k {
        "approvers" | "notice_days" => format!("class.normal.{k}"),
        _ => k.to_string(),
    }
}

/// The fields of `v` serialized, by name (an empty map if it is not a struct).
fn fields<V: Serialize>(v: &V) -> BTreeMap<String, serde_json::Value> {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::Object(m)) => m.into_iter().collect(),
        _ => BTreeMap::new(),
    }
}

/// The `[attention]` thresholds' defaults, by name.
fn attention_defaults() -> BTreeMap<String, serde_json::Value> {
    fields(&crate::config::Attention::default())
}

/// The `[server]` limits' defaults, by name.
fn server_defaults() -> BTreeMap<String, serde_json::Value> {
    fields(&crate::config::ServerLimits::default())
}

impl Settings {
    pub fn of(config: &Config) -> Settings {
        let name = |r: &crate::model::Role| match serde_json::to_value(r) {
            Ok(serde_json::Value::String(s)) => s,
            _ => format!("{r:?}"),
        };
        let mut roles: BTreeMap<String, Grants> = BTreeMap::new();
        for (user, rs) in &config.roles.users {
            for r in rs {
                roles.entry(name(r)).or_default().users.insert(user.clone());
            }
        }
        for (group, rs) in &config.roles.groups {
            for r in rs {
                roles.entry(name(r)).or_default().groups.insert(group.clone());
            }
        }
        let p = &config.process;
        let normal = p.classes.normal;
        let process: BTreeMap<String, serde_json::Value> = [
            ("approvers", normal.approvers),
            ("notice_days", normal.notice_days),
            ("backup_max_age_days", p.backup_max_age_days),
            ("clock_skew_minutes", p.clock_skew_minutes),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), serde_json::Value::from(v)))
        .collect();
        let class_defaults = class_defaults();
        let classes = class_fields(&p.classes)
            .into_iter()
            .filter(|(k, v)| class_defaults.get(k) != Some(v))
            .collect();
        let defaults = server_defaults();
        let server = fields(&config.server)
            .into_iter()
            .filter(|(k, v)| defaults.get(k) != Some(v))
            .collect();
        let backup = fields(&config.backup);
        let defaults = attention_defaults();
        let attention = fields(&config.attention)
            .into_iter()
            .filter(|(k, v)| defaults.get(k) != Some(v))
            .collect();
        Settings {
            roles,
            process,
            server,
            backup,
            classes,
            attention,
        }
    }

    /// Who has which role, in one line of the user's language: `operator:
    /// user wang, group imc; approver: user li` (none: "none but the creator's
    /// admin"). Roles are named as config.toml names them.
    pub fn roles_summary(&self) -> String {
        let clean = |s: &str| crate::sanitize::clean(s);
        let t = crate::i18n::t;
        let roles: Vec<String> = self
            .roles
            .iter()
            .filter(|(_, g)| !g.users.is_empty() || !g.groups.is_empty())
            .map(|(role, g)| {
                let who: Vec<String> = g
                    .users
                    .iter()
                    .map(|u| t("config.recorded.user", &[("name", clean(u))]))
                    .chain(
                        g.groups
                            .iter()
                            .map(|n| t("config.recorded.group", &[("name", clean(n))])),
                    )
                    .collect();
                format!("{}: {}", clean(role), who.join(", "))
            })
            .collect();
        if roles.is_empty() {
            return crate::i18n::t("config.recorded.none", &[]);
        }
        roles.join("; ")
    }

    /// SHA-256 of the canonical form.
    pub fn sha256(&self) -> String {
        super::chain::sha256_hex(&enc(self))
    }

    /// What changed from `old`, one entry per role and per setting:
    /// `operator: +user wang, +group imc, −user zhao`, `notice_days: 3 → 5`.
    /// Names are cleaned of control and bidi characters.
    pub fn changes_from(&self, old: &Settings) -> Vec<String> {
        let clean = |s: &str| crate::sanitize::clean(s);
        let empty = Grants::default();
        let mut out = Vec::new();
        let roles: BTreeSet<&String> = old.roles.keys().chain(self.roles.keys()).collect();
        for role in roles {
            let (was, now) = (
                old.roles.get(role).unwrap_or(&empty),
                self.roles.get(role).unwrap_or(&empty),
            );
            let mut parts = Vec::new();
            for (kind, was, now) in [("user", &was.users, &now.users), ("group", &was.groups, &now.groups)] {
                parts.extend(now.difference(was).map(|n| format!("+{kind} {}", clean(n))));
                parts.extend(was.difference(now).map(|n| format!("−{kind} {}", clean(n))));
            }
            if !parts.is_empty() {
                out.push(format!("{}: {}", clean(role), parts.join(", ")));
            }
        }
        let keys: BTreeSet<&String> = old.process.keys().chain(self.process.keys()).collect();
        let show = |v: Option<&serde_json::Value>| v.map(|v| clean(&v.to_string())).unwrap_or_else(|| "-".into());
        for k in keys {
            let (was, now) = (old.process.get(k), self.process.get(k));
            if was != now {
                out.push(format!("{}: {} → {}", clean(&process_name(k)), show(was), show(now)));
            }
        }
        // `[class.*]`: a setting not recorded is its default.
        let defaults = class_defaults();
        let keys: BTreeSet<&String> = old.classes.keys().chain(self.classes.keys()).collect();
        for k in keys {
            let (was, now) = (
                old.classes.get(k).or(defaults.get(k)),
                self.classes.get(k).or(defaults.get(k)),
            );
            if was != now {
                out.push(format!("class.{}: {} → {}", clean(k), show(was), show(now)));
            }
        }
        // `[server]`: a limit not recorded is its default.
        let defaults = server_defaults();
        let keys: BTreeSet<&String> = old.server.keys().chain(self.server.keys()).collect();
        for k in keys {
            let (was, now) = (
                old.server.get(k).or(defaults.get(k)),
                self.server.get(k).or(defaults.get(k)),
            );
            if was != now {
                out.push(format!("server.{}: {} → {}", clean(k), show(was), show(now)));
            }
        }
        // `[attention]`: a threshold not recorded is its default.
        let defaults = attention_defaults();
        let keys: BTreeSet<&String> = old.attention.keys().chain(self.attention.keys()).collect();
        for k in keys {
            let (was, now) = (
                old.attention.get(k).or(defaults.get(k)),
                self.attention.get(k).or(defaults.get(k)),
            );
            if was != now {
                out.push(format!("attention.{}: {} → {}", clean(k), show(was), show(now)));
            }
        }
        let keys: BTreeSet<&String> = old.backup.keys().chain(self.backup.keys()).collect();
        for k in keys {
            let (was, now) = (old.backup.get(k), self.backup.get(k));
            if was != now {
                out.push(format!("backup.{}: {} → {}", clean(k), show(was), show(now)));
            }
        }
        out
    }
}

/// What [`Store::record_config`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recorded {
    /// The settings are those last recorded.
    Unchanged,
    /// A `config.change` event was appended.
    Changed { seq: u64, summary: String },
}

impl Store {
    /// The settings last recorded in the chain, and their SHA-256 as recorded
    /// (none recorded: the defaults, and `None`).
    pub fn recorded_settings(&self) -> Result<(Settings, Option<String>)> {
        let m = self.tree(T::Meta);
        let sha = m
            .get(SHA_KEY)
            .map_err(super::storage)?
            .map(|v| String::from_utf8_lossy(&v).into_owned());
        let settings = match m.get(SETTINGS_KEY).map_err(super::storage)? {
            Some(v) => dec(&v, SETTINGS_KEY)?,
            None => Settings::of(&Config::default()),
        };
        Ok((settings, sha))
    }

    /// Whether `config`'s settings are the ones last recorded.
    pub fn config_is_recorded(&self, config: &Config) -> Result<bool> {
        let recorded = self
            .tree(T::Meta)
            .get(SHA_KEY)
            .map_err(super::storage)?
            .map(|v| String::from_utf8_lossy(&v).into_owned());
        Ok(recorded.unwrap_or_else(|| Settings::of(&Config::default()).sha256()) == Settings::of(config).sha256())
    }

    /// Record `config`'s roles and process settings in the chain when they
    /// differ from the last recorded: one `config.change` event, in its own
    /// transaction (with the new SHA-256 and settings in `meta`), dated `now`.
    pub fn record_config(&self, config: &Config, now: crate::model::Time) -> Result<Recorded> {
        if self.config_is_recorded(config)? {
            return Ok(Recorded::Unchanged);
        }
        let new = Settings::of(config);
        let sha = new.sha256();
        let default_sha = || Settings::of(&Config::default()).sha256();
        self.transact("beian", now, |tx| {
            let meta = tx.t(T::Meta);
            let recorded = meta
                .get(SHA_KEY)
                .map_err(super::tx_err)?
                .map(|v| String::from_utf8_lossy(&v).into_owned());
            if recorded.clone().unwrap_or_else(default_sha) == sha {
                return Ok(Recorded::Unchanged);
            }
            let old = match meta.get(SETTINGS_KEY).map_err(super::tx_err)? {
                // An unreadable record names every setting as new.
                Some(v) => dec(&v, SETTINGS_KEY).unwrap_or_default(),
                None if recorded.is_none() => Settings::of(&Config::default()),
                None => Settings::default(),
            };
            let mut changes = new.changes_from(&old);
            if changes.is_empty() {
                // The recorded SHA-256 does not match the recorded settings.
                changes.push("settings recorded again".into());
            }
            let summary = format!("{}; sha256 {sha}", changes.join("; "));
            tx.put(T::Meta, SHA_KEY.as_bytes(), sha.as_bytes())?;
            tx.put(T::Meta, SETTINGS_KEY.as_bytes(), &enc(&new))?;
            let seq = tx.audit(CONFIG_ACTION, &[CONFIG_ENTITY.to_string()], &summary)?;
            Ok(Recorded::Changed { seq, summary })
        })
    }

    /// [`Store::record_config`] when a process opens the database: a disk that
    /// refuses the write (full, read-only) does not stop reading — the change
    /// is recorded by the next process or connection that can write, and a
    /// warning says so.
    pub fn note_config(&self, config: &Config) -> Result<()> {
        match self.record_config(config, chrono::Utc::now()) {
            Ok(_) => Ok(()),
            Err(e @ Error::DiskRefused { .. }) => {
                eprintln!(
                    "beian: {}",
                    crate::i18n::t("config.unrecorded", &[("detail", e.message())])
                );
                Ok(())
            }
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Role;

    /// Settings recorded before change classes (the normal class's quorum and
    /// notice days under their old names) are the same settings now: opening
    /// an older database records nothing new.
    #[test]
    fn settings_recorded_before_classes_keep_their_sha256() {
        let old: Settings = serde_json::from_str(
            r#"{"roles":{},"process":{"approvers":1,"backup_max_age_days":7,"clock_skew_minutes":5,"notice_days":3}}"#,
        )
        .unwrap();
        assert_eq!(old.sha256(), Settings::of(&Config::default()).sha256());
        let mut c = Config::default();
        c.process.classes.emergency.review_days = 4;
        assert_eq!(
            Settings::of(&c).changes_from(&old),
            vec!["class.emergency.review_days: 5 → 4".to_string()]
        );
    }

    #[test]
    fn changes_name_who_gained_and_lost_each_role_and_each_setting() {
        let mut old = Config::default();
        old.roles.users.insert("zhao".into(), vec![Role::Operator]);
        old.roles.users.insert("li".into(), vec![Role::Approver]);
        let mut new = old.clone();
        new.roles.users.remove("zhao");
        new.roles
            .users
            .insert("wang".into(), vec![Role::Operator, Role::Viewer]);
        new.roles.groups.insert("imc".into(), vec![Role::Operator]);
        new.process.classes.normal.notice_days = 5;
        new.process.classes.major.approvers = 3;
        let (o, n) = (Settings::of(&old), Settings::of(&new));
        assert_ne!(o.sha256(), n.sha256());
        assert_eq!(
            n.changes_from(&o),
            vec![
                "operator: +user wang, −user zhao, +group imc".to_string(),
                "viewer: +user wang".to_string(),
                "class.normal.notice_days: 3 → 5".to_string(),
                "class.major.approvers: 2 → 3".to_string(),
            ]
        );
        // The same grants written in another order are the same settings.
        let mut same = Config::default();
        same.roles
            .users
            .insert("li".into(), vec![Role::Approver, Role::Approver]);
        same.roles.users.insert("zhao".into(), vec![Role::Operator]);
        same.roles.users.insert("nobody".into(), vec![]);
        assert_eq!(Settings::of(&same).sha256(), o.sha256());
    }

    #[test]
    fn attention_thresholds_are_recorded_when_they_change() {
        let old = Config::default();
        // The defaults add nothing: settings recorded before keep their SHA-256.
        assert!(Settings::of(&old).attention.is_empty());
        let mut new = old.clone();
        new.attention.unfiled_days = 14;
        let (o, n) = (Settings::of(&old), Settings::of(&new));
        assert_ne!(o.sha256(), n.sha256());
        assert_eq!(n.changes_from(&o), vec!["attention.unfiled_days: 7 → 14".to_string()]);
        assert_eq!(o.changes_from(&n), vec!["attention.unfiled_days: 14 → 7".to_string()]);
    }
}
