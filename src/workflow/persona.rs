//! Acting as a demo person (issue 13 §7): in a database that `beian demo`
//! created, its owner may act as any of the demo people — the approver, the
//! supervisor, an operator — so that one person can walk the whole process.
//!
//! Identity still never travels in a message. The caller of [`decide`] is where
//! the database lives (the service of this process, or `beian serve`), and it
//! passes what it knows itself: whether the database carries the demo mark
//! (which `beian restore` never carries over), and whether the real user — as
//! the kernel names them (the process's uid, or SO_PEERCRED on the socket) —
//! owns the database's files. Such a user could change the files directly
//! anyway, so the switch grants nothing new; anyone else is refused.

use super::RuleError;
use crate::model::{Actor, Role};

/// What the place where the database lives knows about a request to act as
/// `person`.
#[derive(Debug, Clone)]
pub struct PersonaRequest<'a> {
    /// The real user, with the roles the configuration gives them.
    pub real: &'a Actor,
    /// The login name asked for; the real user's own name returns to them.
    pub person: &'a str,
    /// The database carries the mark of `beian demo`.
    pub demo: bool,
    /// The real user owns the database's files (the data directory, `db/`
    /// and `config.toml`).
    pub owner: bool,
    /// The user who owns the files (for the refusal), or empty when their
    /// owners differ.
    pub owner_name: &'a str,
    /// The data directory (for the refusal).
    pub db: &'a str,
    /// The people the configuration gives a role, with their roles.
    pub people: &'a [(String, Vec<Role>)],
}

/// The actor to act as from now on, or why not. Back to oneself is the real
/// actor; anyone else is the person with the roles the configuration gives
/// them, `via` the real user.
pub fn decide(r: &PersonaRequest) -> Result<Actor, RuleError> {
    if !r.demo {
        return Err(RuleError::PersonaNotDemo { db: r.db.to_string() });
    }
    if !r.owner {
        return Err(RuleError::PersonaNotOwner {
            user: r.real.name.clone(),
            owner: r.owner_name.to_string(),
            db: r.db.to_string(),
        });
    }
    let person = r.person.trim();
    if person == r.real.name {
        return Ok(r.real.clone());
    }
    match r
        .people
        .iter()
        .find(|(name, roles)| name == person && !roles.is_empty())
    {
        Some((name, roles)) => Ok(Actor {
            name: name.clone(),
            roles: roles.clone(),
            via: Some(r.real.name.clone()),
        }),
        None => Err(RuleError::PersonaUnknown {
            person: person.to_string(),
            people: r
                .people
                .iter()
                .filter(|(name, roles)| *name != r.real.name && !roles.is_empty())
                .cloned()
                .collect(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn people() -> Vec<(String, Vec<Role>)> {
        vec![
            ("lihua".into(), vec![Role::Admin, Role::Operator]),
            ("zhangwei".into(), vec![Role::Approver]),
            ("nobody".into(), vec![]),
        ]
    }

    fn ask<'a>(
        real: &'a Actor,
        person: &'a str,
        demo: bool,
        owner: bool,
        people: &'a [(String, Vec<Role>)],
    ) -> PersonaRequest<'a> {
        PersonaRequest {
            real,
            person,
            demo,
            owner,
            owner_name: "lihua",
            db: "/demo",
            people,
        }
    }

    #[test]
    fn only_the_owner_of_a_demo_database_acts_as_someone_with_a_role() {
        let real = Actor::new("lihua", &[Role::Admin, Role::Operator]);
        let p = people();
        let a = decide(&ask(&real, " zhangwei ", true, true, &p)).unwrap();
        assert_eq!(
            (a.name.as_str(), a.roles.as_slice()),
            ("zhangwei", &[Role::Approver][..])
        );
        assert_eq!(a.via.as_deref(), Some("lihua"));
        assert_eq!(a.audit_name(), "zhangwei via lihua");
        assert_eq!(decide(&ask(&real, "lihua", true, true, &p)).unwrap(), real);
        assert!(matches!(
            decide(&ask(&real, "zhangwei", false, true, &p)),
            Err(RuleError::PersonaNotDemo { .. })
        ));
        assert!(matches!(
            decide(&ask(&real, "zhangwei", true, false, &p)),
            Err(RuleError::PersonaNotOwner { .. })
        ));
        // Not even back to oneself in a real database: nothing to return from.
        assert!(matches!(
            decide(&ask(&real, "lihua", false, true, &p)),
            Err(RuleError::PersonaNotDemo { .. })
        ));
        match decide(&ask(&real, "nobody", true, true, &p)) {
            Err(RuleError::PersonaUnknown { person, people }) => {
                assert_eq!(person, "nobody");
                assert_eq!(people, vec![("zhangwei".to_string(), vec![Role::Approver])]);
            }
            other => panic!("{other:?}"),
        }
    }
}
