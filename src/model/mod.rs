//! The domain model of the filing process (§3): plain serde types, no I/O.
//!
//! Every stored record carries a [`Meta`] with its revision, used for optimistic
//! concurrency; lists are served from the compact `*Summary` types so that start-up
//! and list views never decode whole records.

mod attachment;
mod ids;
mod mail;
mod notice;
mod plan;
mod recognition;
mod register;
mod request;
mod supervision;
mod template;

pub use attachment::*;
pub use ids::{BadId, Id, IdKind};
pub use mail::*;
pub use notice::*;
pub use plan::*;
pub use recognition::*;
pub use register::*;
pub use request::*;
pub use supervision::*;
pub use template::*;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

pub type Time = DateTime<Utc>;

/// Revision and provenance of a stored record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meta {
    pub rev: u64,
    pub created_at: Time,
    pub created_by: String,
    pub updated_at: Time,
    pub updated_by: String,
}

impl Meta {
    pub fn new(actor: &str, now: Time) -> Meta {
        Meta {
            rev: 1,
            created_at: now,
            created_by: actor.to_string(),
            updated_at: now,
            updated_by: actor.to_string(),
        }
    }

    pub fn touch(&mut self, actor: &str, now: Time) {
        self.rev += 1;
        self.updated_at = now;
        self.updated_by = actor.to_string();
    }
}

/// The roles of §2 and §5.1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// IMC administrator: everything an operator does, plus systems, calendar and roles.
    Admin,
    /// IMC sysadmin (§2.2): requests, plans, tests, go-live, filing.
    Operator,
    /// Informatization Leading Group (§2.1): approves or returns plans.
    Approver,
    /// Supervision group (§5.1): reads everything, issues rectification orders.
    Supervisor,
    /// Reads requests, plans and the archive.
    Viewer,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Admin,
        Role::Operator,
        Role::Approver,
        Role::Supervisor,
        Role::Viewer,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Operator => "operator",
            Role::Approver => "approver",
            Role::Supervisor => "supervisor",
            Role::Viewer => "viewer",
        }
    }
    /// The user-facing label in the current language.
    pub fn label(self) -> String {
        crate::i18n::enum_label("Role", self.as_str())
    }
}

/// Who performs an action: a user name (from the operating system or the
/// server's peer credentials) and the roles the configuration gives it.
///
/// In a demo database the user who owns it may act as one of the demo people
/// (`Service::act_as`, issue 13): then `name` and `roles` are the person's and
/// `via` is the real user, whom every audit event names beside the person
/// (`zhangwei via lihua`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub name: String,
    pub roles: Vec<Role>,
    /// The real user when acting as a demo person.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
}

impl Actor {
    pub fn new(name: impl Into<String>, roles: &[Role]) -> Actor {
        Actor {
            name: name.into(),
            roles: roles.to_vec(),
            via: None,
        }
    }
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }
    /// The name an audit event records: `zhangwei`, or `zhangwei via lihua`
    /// when the real user `lihua` acts as the demo person `zhangwei`.
    pub fn audit_name(&self) -> String {
        audit_name(&self.name, self.via.as_deref())
    }
}

/// `name`, or `name via real` (see [`Actor::audit_name`]).
pub fn audit_name(name: &str, via: Option<&str>) -> String {
    match via {
        Some(real) => format!("{name} via {real}"),
        None => name.to_string(),
    }
}

/// An information system the IMC maintains.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct System {
    pub id: Id,
    pub name: String,
    pub department: String,
    pub vendor: String,
    pub version: String,
    /// The systems it depends on (§3.2: most on 统一身份认证平台): an update of
    /// one of them in the same window is a conflict on the forward schedule.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<Id>,
    pub meta: Meta,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SystemSummary {
    pub id: Id,
    pub name: String,
    pub department: String,
    pub version: String,
    /// Summaries written before dependencies were recorded have none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<Id>,
}

impl System {
    pub fn summary(&self) -> SystemSummary {
        SystemSummary {
            id: self.id,
            name: self.name.clone(),
            department: self.department.clone(),
            version: self.version.clone(),
            depends_on: self.depends_on.clone(),
        }
    }
}

/// A period of the academic calendar in which updates should not happen (§3.2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Blackout {
    pub name: String,
    pub start: NaiveDate,
    /// Inclusive last day.
    pub end: NaiveDate,
    /// A hard period cannot be overridden; a soft one needs a justification.
    #[serde(default)]
    pub hard: bool,
    /// The systems it closes; empty for every system (a finance year-end closes
    /// the finance system only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub systems: Vec<Id>,
}

impl Blackout {
    /// Does the period apply to this system?
    pub fn applies_to(&self, system: Id) -> bool {
        self.systems.is_empty() || self.systems.contains(&system)
    }
}

/// A member of the Leading Group names someone to decide in their place for a
/// period (§2.1); the substitute acts as an approver, in that member's name,
/// and never on a plan they contributed to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Substitute {
    /// The member who is away.
    pub approver: String,
    /// Who decides in their place.
    pub substitute: String,
    /// First and last day, inclusive.
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub reason: String,
    pub named_at: Time,
}

impl Substitute {
    pub fn covers(&self, day: NaiveDate) -> bool {
        self.from <= day && day <= self.to
    }
}

/// One entry of the append-only audit log (§5.3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEvent {
    pub seq: u64,
    pub time: Time,
    pub actor: String,
    /// The command name, e.g. `plan.approve`.
    pub action: String,
    /// The id of the record changed (or `calendar`).
    pub entity: String,
    pub summary: String,
    /// The fields the command changed, each with its value before and after
    /// (none for events that create a record or only add to it).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<FieldChange>,
    /// The records this event seals, as `FILE-2026-0007:<sha256>` (a filed
    /// dossier) or `FILE-2026-0007#2:<sha256>` (its second addendum), the hash
    /// taken over the record as stored; space-separated.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub digest: String,
    /// The seal of the event before (empty for the first).
    #[serde(default)]
    pub prev: String,
    /// SHA-256 over this event's canonical form, which includes `prev`
    /// (`store/chain.rs`, docs/reliability.md).
    #[serde(default)]
    pub seal: String,
}

/// Which audit events to read: those that meet every condition given.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditFilter {
    /// About this record (an id, or `calendar`, `config` …).
    #[serde(default)]
    pub entity: Option<String>,
    /// By this user.
    #[serde(default)]
    pub actor: Option<String>,
    /// One of these actions (audit names such as `plan.approve`); any if empty.
    #[serde(default)]
    pub actions: Vec<String>,
    /// At or after this time …
    #[serde(default)]
    pub since: Option<Time>,
    /// … and before this one.
    #[serde(default)]
    pub until: Option<Time>,
}

impl AuditFilter {
    /// Only `entity`, as `beian audit --entity` always did.
    pub fn entity(entity: Option<&str>) -> AuditFilter {
        AuditFilter {
            entity: entity.map(String::from),
            ..AuditFilter::default()
        }
    }

    /// Does an event by `actor`, doing `action` at `time`, pass (the entity
    /// aside, which the index answers)?
    pub fn admits(&self, actor: &str, action: &str, time: Time) -> bool {
        self.actor.as_deref().is_none_or(|a| a == actor)
            && (self.actions.is_empty() || self.actions.iter().any(|a| a == action))
            && self.since.is_none_or(|s| time >= s)
            && self.until.is_none_or(|u| time < u)
    }

    /// True when nothing but the entity is asked (every event passes [`Self::admits`]).
    pub fn admits_all(&self) -> bool {
        self.actor.is_none() && self.actions.is_empty() && self.since.is_none() && self.until.is_none()
    }
}

/// One field an audited command changed, with its value before and after, as
/// text (empty: no value). Recorded in the event and sealed with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    /// The field, named as its label in the locale file (`field.<name>`).
    pub field: String,
    /// Which one, for a field that repeats: a test item (`R2 #3`), a defect
    /// (`D1`), or another record the command changed (`SYS-0003`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub item: String,
    /// The enum the values belong to (`PlanStatus`), so that they are shown
    /// by their labels (`enum.<of>.<value>`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub of: String,
    pub old: String,
    pub new: String,
}

impl FieldChange {
    /// The field's label in the user's language, with the item it concerns.
    pub fn label(&self) -> String {
        let name = crate::workflow::field_label(&self.field);
        if self.item.is_empty() {
            name
        } else {
            format!("{name} {}", self.item)
        }
    }

    /// A value as users read it: an enum by its label, none as `—`, on one line.
    pub fn value(&self, v: &str) -> String {
        if v.is_empty() {
            return crate::i18n::t("audit.no_value", &[]);
        }
        let key = format!("enum.{}.{v}", self.of);
        if !self.of.is_empty() && crate::i18n::has(&crate::i18n::current(), &key) {
            return crate::i18n::t(&key, &[]);
        }
        crate::sanitize::clean_line(&v.split_whitespace().collect::<Vec<_>>().join(" "))
    }

    /// `优先级：普通 → 高` / `priority: normal → high`, each value cut to
    /// `cols` display columns.
    pub fn line(&self, cols: usize) -> String {
        crate::i18n::t(
            "audit.change",
            &[
                ("field", self.label()),
                ("old", crate::text::fit(&self.value(&self.old), cols)),
                ("new", crate::text::fit(&self.value(&self.new), cols)),
            ],
        )
    }
}

/// One field of a record as the audit log compares it before and after a
/// command: see [`changes`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tracked {
    pub field: &'static str,
    pub item: String,
    pub of: &'static str,
    pub value: String,
}

impl Tracked {
    pub fn text(field: &'static str, value: impl Into<String>) -> Tracked {
        Tracked {
            field,
            item: String::new(),
            of: "",
            value: value.into(),
        }
    }

    pub fn label(field: &'static str, of: &'static str, value: &str) -> Tracked {
        Tracked {
            field,
            item: String::new(),
            of,
            value: value.to_string(),
        }
    }

    pub fn item(mut self, item: impl Into<String>) -> Tracked {
        self.item = item.into();
        self
    }
}

/// What differs between the tracked fields of a record before and after a
/// command, in the order of `after` (then what only `before` had).
pub fn changes(before: &[Tracked], after: &[Tracked]) -> Vec<FieldChange> {
    let key = |t: &Tracked| (t.field, t.item.clone());
    let old = |t: &Tracked| before.iter().find(|b| key(b) == key(t)).map(|b| b.value.clone());
    let mut out: Vec<FieldChange> = after
        .iter()
        .filter_map(|a| {
            let was = old(a).unwrap_or_default();
            (was != a.value).then(|| FieldChange {
                field: a.field.to_string(),
                item: a.item.clone(),
                of: a.of.to_string(),
                old: was,
                new: a.value.clone(),
            })
        })
        .collect();
    for b in before {
        if !b.value.is_empty() && !after.iter().any(|a| key(a) == key(b)) {
            out.push(FieldChange {
                field: b.field.to_string(),
                item: b.item.clone(),
                of: b.of.to_string(),
                old: b.value.clone(),
                new: String::new(),
            });
        }
    }
    out
}

impl System {
    /// The fields the audit log compares (see [`changes`]).
    pub fn tracked(&self) -> Vec<Tracked> {
        vec![
            Tracked::text("name", &self.name),
            Tracked::text("department", &self.department),
            Tracked::text("vendor", &self.vendor),
            Tracked::text("version", &self.version),
            Tracked::text(
                "depends_on",
                self.depends_on
                    .iter()
                    .map(|i| i.to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
        ]
    }
}

/// An optional id as the audit log shows it.
pub(crate) fn id_text(id: Option<Id>) -> String {
    id.map(|i| i.to_string()).unwrap_or_default()
}

/// A time as users read it: local, to the minute.
pub fn fmt_time(t: Time) -> String {
    t.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M").to_string()
}

/// A day as lists show it: `12-05` in the current year (local time), else
/// `2025-12-05`, so that a request from last December is not read as this one.
pub fn fmt_day(t: Time, now: Time) -> String {
    use chrono::Datelike;
    let local = t.with_timezone(&chrono::Local);
    if local.year() == now.with_timezone(&chrono::Local).year() {
        local.format("%m-%d").to_string()
    } else {
        local.format("%Y-%m-%d").to_string()
    }
}

/// How long ago `t` was, in the largest unit that fits, in the user's language:
/// hours under a day, days under 60 days, months (30 days) under two years,
/// then years (`5h`, `3d`, `4mo`, `2y`; `5小时`, `3天`, `4个月`, `2年`). A time
/// ahead of `now` (a clock behind) counts as none.
pub fn fmt_age(t: Time, now: Time) -> String {
    let secs = (now - t).num_seconds().max(0);
    let hours = secs / 3600;
    let days = secs / 86_400;
    let (key, n) = if days < 1 {
        ("age.hours", hours)
    } else if days < 60 {
        ("age.days", days)
    } else if days < 730 {
        ("age.months", days / 30)
    } else {
        ("age.years", days / 365)
    };
    crate::i18n::t(key, &[("n", n.to_string())])
}

/// Read a time as users type it: `2026-12-05 22:00`, `2026-12-05T22:00[:00]`, a
/// date (midnight), or RFC 3339; local time unless an offset is given.
pub fn parse_time(s: &str) -> Option<Time> {
    use chrono::{Local, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
    let t = s.trim();
    if let Ok(dt) = chrono::DateTime::parse_from_rfc3339(t) {
        return Some(dt.with_timezone(&Utc));
    }
    let naive = [
        "%Y-%m-%d %H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%dT%H:%M:%S",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(t, f).ok())
    .or_else(|| {
        NaiveDate::parse_from_str(t, "%Y-%m-%d")
            .ok()
            .map(|d| d.and_time(NaiveTime::MIN))
    })?;
    Local
        .from_local_datetime(&naive)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}
