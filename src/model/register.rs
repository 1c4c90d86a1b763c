//! The register (§3.2, §4.3, §5.1): the people, departments and vendors the
//! process serves, so that mail is addressed from records and the evidence of a
//! plan can name who did what.

use serde::{Deserialize, Serialize};

use super::request::str_enum;
use super::{Id, Meta, Tracked};

str_enum!(
    /// Where a name is written in the records (issue 18 §3).
    NameRole {
        Submitter = "submitter",
        Tester = "tester",
        Finder = "finder",
        Trainer = "trainer",
        Staff = "staff",
        Vendor = "vendor",
    }
);

/// A person: whom mail reaches, in which language, and the Unix login that
/// acts in beian, if any.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub id: Id,
    pub name: String,
    #[serde(default)]
    pub department: String,
    /// An address lettre's parser accepts, or empty.
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub phone: String,
    /// `zh-CN` or `en`; empty: zh-CN.
    #[serde(default)]
    pub lang: String,
    /// The Unix login this person acts as in beian, if any.
    #[serde(default)]
    pub login: String,
    /// Names as written in the records that an operator resolved to this
    /// person (`beian people resolve TEXT --is PER-…`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    pub meta: Meta,
}

impl Person {
    pub fn tracked(&self) -> Vec<Tracked> {
        vec![
            Tracked::text("name", &self.name),
            Tracked::text("department", &self.department),
            Tracked::text("email", &self.email),
            Tracked::text("phone", &self.phone),
            Tracked::text("lang", &self.lang),
            Tracked::text("login", &self.login),
            Tracked::text("aliases", self.aliases.join(", ")),
        ]
    }

    /// Whether `name` names this person: their name, or `name（department）`
    /// (full-width or ASCII parentheses), or their login.
    pub fn is_named(&self, name: &str) -> bool {
        let name = name.trim();
        if name.is_empty() {
            return false;
        }
        if name == self.name || (!self.login.is_empty() && name == self.login) {
            return true;
        }
        for (open, close) in [('（', '）'), ('(', ')')] {
            if let Some(rest) = name.strip_suffix(close) {
                if let Some((n, d)) = rest.split_once(open) {
                    return n.trim() == self.name && d.trim() == self.department;
                }
            }
        }
        false
    }

    /// The language mail to this person is written in.
    pub fn mail_lang(&self) -> &'static str {
        if self.lang.trim().eq_ignore_ascii_case("en") {
            "en"
        } else {
            "zh-CN"
        }
    }
}

/// A department: its head and the addresses its notices go to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Department {
    pub id: Id,
    pub name: String,
    /// The head's name (a person of the register, ideally).
    #[serde(default)]
    pub head: String,
    /// The distribution list: addresses, each valid.
    #[serde(default)]
    pub distribution: Vec<String>,
    /// Names as written in the records that an operator resolved to this
    /// department (a team, an office: `beian people resolve TEXT --is DEPT-…`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    pub meta: Meta,
}

impl Department {
    pub fn tracked(&self) -> Vec<Tracked> {
        vec![
            Tracked::text("name", &self.name),
            Tracked::text("head", &self.head),
            Tracked::text("distribution", self.distribution.join(", ")),
            Tracked::text("aliases", self.aliases.join(", ")),
        ]
    }
}

/// A vendor: its contacts and where support is asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vendor {
    pub id: Id,
    pub name: String,
    /// Contacts as written (names, addresses, phones).
    #[serde(default)]
    pub contacts: Vec<String>,
    /// The support channel: an address, a phone number or a ticket site.
    #[serde(default)]
    pub support: String,
    /// Names as written in the records (a system's vendor, a tester's
    /// company) that an operator resolved to this vendor.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    pub meta: Meta,
}

impl Vendor {
    pub fn tracked(&self) -> Vec<Tracked> {
        vec![
            Tracked::text("name", &self.name),
            Tracked::text("contacts", self.contacts.join(", ")),
            Tracked::text("support", &self.support),
            Tracked::text("aliases", self.aliases.join(", ")),
        ]
    }
}

/// A person's fields as entered (add) — every field but the name may be empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonFields {
    pub name: String,
    #[serde(default)]
    pub department: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub lang: String,
    #[serde(default)]
    pub login: String,
}

/// A person's fields to change (edit): `None` keeps the field.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonEdit {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub department: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub lang: Option<String>,
    #[serde(default)]
    pub login: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DepartmentFields {
    pub name: String,
    #[serde(default)]
    pub head: String,
    #[serde(default)]
    pub distribution: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DepartmentEdit {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub head: Option<String>,
    #[serde(default)]
    pub distribution: Option<Vec<String>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VendorFields {
    pub name: String,
    #[serde(default)]
    pub contacts: Vec<String>,
    #[serde(default)]
    pub support: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VendorEdit {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub contacts: Option<Vec<String>>,
    #[serde(default)]
    pub support: Option<String>,
}

/// One row of a register import: what it adds and where it came from
/// (`people.csv:7`), for errors.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Labelled<T> {
    pub label: String,
    pub row: T,
}

/// The register as the mail rules read it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Register {
    pub people: Vec<Person>,
    pub departments: Vec<Department>,
    pub vendors: Vec<Vendor>,
}

impl Register {
    /// The person `name` names, when exactly one does ([`Register::resolve_person`]
    /// without a department from the record).
    pub fn person(&self, name: &str) -> Option<&Person> {
        match self.resolve_person(name, "") {
            NameMatch::One(p) => Some(p),
            _ => None,
        }
    }

    /// The department `name` names: its name or one of its aliases.
    pub fn department(&self, name: &str) -> Option<&Department> {
        let name = name.trim();
        if name.is_empty() {
            return None;
        }
        self.departments
            .iter()
            .find(|d| d.name == name)
            .or_else(|| self.departments.iter().find(|d| d.aliases.iter().any(|a| a == name)))
    }

    /// The vendor `name` names: its name or one of its aliases.
    pub fn vendor(&self, name: &str) -> Option<&Vendor> {
        let name = name.trim();
        if name.is_empty() {
            return None;
        }
        self.vendors
            .iter()
            .find(|v| v.name == name || v.aliases.iter().any(|a| a == name))
    }

    /// Which person a name as written in the records refers to (issue 18 §3),
    /// never guessed:
    ///
    /// 1. a name an operator resolved (a person's alias) is that person;
    /// 2. otherwise the people it names ([`Person::is_named`]: their name,
    ///    `name（department）` with their department, or their login);
    /// 3. a bare name written on a record that gives a department (a request's
    ///    submitter) names only the people of that department, so that a
    ///    student 王磊 of 化学学院 is not the IMC's 王磊 (an alias too);
    /// 4. one candidate is a match, several are ambiguous, none is unknown.
    ///
    /// A text an operator resolved to a department or vendor, or a
    /// department's or vendor's own name, is no person.
    pub fn resolve_person(&self, name: &str, department: &str) -> NameMatch<'_> {
        let name = name.trim();
        if name.is_empty() {
            return NameMatch::Unknown;
        }
        let department = department.trim();
        let bare = !name.ends_with(['）', ')']);
        // Someone of the record's own department, when it gives one.
        let in_dept =
            |p: &Person| !bare || department.is_empty() || p.department.is_empty() || p.department == department;
        if let Some(p) = self
            .people
            .iter()
            .find(|p| p.aliases.iter().any(|a| a == name))
            .filter(|p| in_dept(p))
        {
            return NameMatch::One(p);
        }
        if self.departments.iter().any(|d| d.aliases.iter().any(|a| a == name))
            || self.vendors.iter().any(|v| v.aliases.iter().any(|a| a == name))
        {
            return NameMatch::NotAPerson;
        }
        let found: Vec<&Person> = self.people.iter().filter(|p| p.is_named(name) && in_dept(p)).collect();
        match found.as_slice() {
            // A department's or a vendor's own name is no person.
            [] if self.department(name).is_some() || self.vendor(name).is_some() => NameMatch::NotAPerson,
            [] => NameMatch::Unknown,
            [p] => NameMatch::One(p),
            _ => NameMatch::Ambiguous(found),
        }
    }

    /// The record (person, department or vendor) that holds `text` as an alias.
    pub fn alias_holder(&self, text: &str) -> Option<(Id, &str)> {
        let text = text.trim();
        let has = |a: &Vec<String>| a.iter().any(|x| x == text);
        self.people
            .iter()
            .find(|p| has(&p.aliases))
            .map(|p| (p.id, p.name.as_str()))
            .or_else(|| {
                self.departments
                    .iter()
                    .find(|d| has(&d.aliases))
                    .map(|d| (d.id, d.name.as_str()))
            })
            .or_else(|| {
                self.vendors
                    .iter()
                    .find(|v| has(&v.aliases))
                    .map(|v| (v.id, v.name.as_str()))
            })
    }
}

/// What a name as written refers to in the register ([`Register::resolve_person`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameMatch<'a> {
    One(&'a Person),
    /// Several people it could be; an operator resolves it.
    Ambiguous(Vec<&'a Person>),
    /// Nobody of the register.
    Unknown,
    /// An operator resolved it to a department (a team) or a vendor.
    NotAPerson,
}
