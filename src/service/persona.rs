//! "Act as P" (issue 13 §7), decided where the database lives.
//!
//! [`Service::act_as`] is called by the backend that holds the database — the
//! [`Local`](super::Local) backend of this process, or `beian serve` for one
//! connection — with the real user's uid as the kernel gives it (the process's
//! effective uid; SO_PEERCRED on the socket). No message carries an identity:
//! a client names only the person it asks to act as, and the rule
//! ([`workflow::persona::decide`](crate::workflow::persona::decide)) allows it
//! only in a database `beian demo` created (a mark `beian restore` never
//! carries over) and only to the user who owns the database's files. Every
//! switch is an audit event (`session.act_as`) by the real user; every change
//! made meanwhile is recorded as `zhangwei via lihua`.

use std::os::unix::fs::MetadataExt;

use super::Service;
use crate::error::{Error, Result};
use crate::model::{Actor, Time};
use crate::workflow::persona::{decide, PersonaRequest};

/// The audit action of a switch.
pub const ACT_AS: &str = "session.act_as";
/// The entity a switch is indexed under (`beian audit --entity persona`).
pub const PERSONA_ENTITY: &str = "persona";

impl Service {
    /// Act as `person` from now on: the actor the caller must use for every
    /// later command and query of this session (`real` again when `person` is
    /// the real user's own name). `uid` is the real user's uid as the kernel
    /// reports it. Refused (exit 3) unless this is a demo database and `uid`
    /// owns its files; audited when allowed.
    pub fn act_as(&self, real: &Actor, uid: u32, person: &str) -> Result<Actor> {
        self.act_as_at(real, uid, person, chrono::Utc::now())
    }

    pub fn act_as_at(&self, real: &Actor, uid: u32, person: &str, now: Time) -> Result<Actor> {
        // Only the real user switches: a persona never chains to another. The
        // callers keep the real actor (with the roles of their Unix groups);
        // given a persona, the real user is the one it acts via.
        let real = match &real.via {
            None => real.clone(),
            Some(name) => self.actor_named(name, &[]),
        };
        let owner = self.files_owner()?;
        let owner_name = owner.map(user_name).unwrap_or_default();
        let mut people: Vec<(String, Vec<crate::model::Role>)> = self
            .config()
            .roles
            .users
            .keys()
            .map(|name| (name.clone(), self.config().roles_for(name, &[], self.creator())))
            .collect();
        if !people.iter().any(|(n, _)| n == self.creator()) {
            people.push((
                self.creator().to_string(),
                self.config().roles_for(self.creator(), &[], self.creator()),
            ));
        }
        let db = self.dir().display().to_string();
        let next = decide(&PersonaRequest {
            real: &real,
            person,
            demo: self.is_demo()?,
            owner: owner == Some(uid),
            owner_name: &owner_name,
            db: &db,
            people: &people,
        })?;
        let summary = if next.via.is_some() {
            let roles: Vec<&str> = next.roles.iter().map(|r| r.as_str()).collect();
            format!("acts as {} [{}]", next.name, roles.join(","))
        } else {
            format!("acts as {} again", real.name)
        };
        let _gate = self.write_gate()?;
        self.store().transact(&real, now, |tx| {
            tx.audit(ACT_AS, &[PERSONA_ENTITY.to_string()], &summary)?;
            Ok(())
        })?;
        Ok(next)
    }

    /// The uid owning the database's files — the data directory, `db/` and
    /// `config.toml` — or `None` when their owners differ (a team install,
    /// where root owns the configuration).
    pub fn files_owner(&self) -> Result<Option<u32>> {
        let dir = self.dir();
        let mut owner = None;
        for p in [dir.to_path_buf(), dir.join("db"), dir.join(crate::config::CONFIG_FILE)] {
            let uid = match std::fs::metadata(&p) {
                Ok(m) => m.uid(),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound && p.ends_with(crate::config::CONFIG_FILE) => {
                    continue
                }
                Err(e) => return Err(Error::io(&p, e)),
            };
            match owner {
                None => owner = Some(uid),
                Some(o) if o != uid => return Ok(None),
                Some(_) => {}
            }
        }
        Ok(owner)
    }
}

fn user_name(uid: u32) -> String {
    nix::unistd::User::from_uid(nix::unistd::Uid::from_raw(uid))
        .ok()
        .flatten()
        .map(|u| u.name)
        .unwrap_or_else(|| format!("uid{uid}"))
}
