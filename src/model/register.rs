//! The register (§3.2, §4.3, §5.1): the people, departments and vendors the
//! process serves, so that mail is addressed from records and the evidence of a
//! plan can name who did what.

use serde::{Deserialize, Serialize};

use super::{Id, Meta, Tracked};

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

/// The person `name` names in `people` ([`Person::is_named`]); the first by id
/// when several share a name without a department.
pub fn find_person<'a>(people: &'a [Person], name: &str) -> Option<&'a Person> {
    people.iter().find(|p| p.is_named(name))
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
    pub meta: Meta,
}

impl Department {
    pub fn tracked(&self) -> Vec<Tracked> {
        vec![
            Tracked::text("name", &self.name),
            Tracked::text("head", &self.head),
            Tracked::text("distribution", self.distribution.join(", ")),
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
    pub meta: Meta,
}

impl Vendor {
    pub fn tracked(&self) -> Vec<Tracked> {
        vec![
            Tracked::text("name", &self.name),
            Tracked::text("contacts", self.contacts.join(", ")),
            Tracked::text("support", &self.support),
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
    pub fn person(&self, name: &str) -> Option<&Person> {
        find_person(&self.people, name)
    }

    pub fn department(&self, name: &str) -> Option<&Department> {
        let name = name.trim();
        self.departments.iter().find(|d| d.name == name)
    }
}
