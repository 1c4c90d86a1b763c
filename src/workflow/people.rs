//! People linked to the register (issue 18 §3): who a name written in the
//! records is, and which names an operator still has to resolve.
//!
//! The records keep names as they were written (a filed dossier is sealed and
//! never rewritten); the link to the register is the rule of
//! [`Register::resolve_person`] plus the aliases an operator recorded with
//! `beian people resolve`. Nothing is guessed: a name several people carry, or
//! nobody of the register, is listed by [`unresolved`] until an operator says
//! who it is (or adds the person, after which the rule finds them).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::*;

/// One place a name is written: a request's submitter, a test item's tester,
/// a defect's finder, a trainer, a staff assignment, or the vendor of a
/// system a defect was sent to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mention<'a> {
    pub text: &'a str,
    /// The department the record itself gives (a request's), or empty.
    pub department: &'a str,
    pub part: NameRole,
    pub record: Id,
}

/// Every name written in `requests` and `plans` (filed plans as in their
/// dossier, with the training of their `addenda`); `vendors`: each system's
/// vendor as written on the system.
pub fn mentions<'a>(
    requests: &'a [Request],
    plans: &'a [Plan],
    addenda: &'a [(Id, Vec<Addendum>)],
    vendors: &'a [(Id, String)],
) -> Vec<Mention<'a>> {
    let mut out = Vec::new();
    for r in requests {
        if r.submitter.kind != SubmitterType::Department && !r.submitter.name.trim().is_empty() {
            out.push(Mention {
                text: &r.submitter.name,
                department: &r.department,
                part: NameRole::Submitter,
                record: r.id,
            });
        }
    }
    let vendor_of: BTreeMap<Id, &str> = vendors.iter().map(|(s, v)| (*s, v.as_str())).collect();
    let none = "";
    for p in plans {
        let at = |text: &'a str, part: NameRole| Mention {
            text,
            department: none,
            part,
            record: p.id,
        };
        out.extend(p.staff.iter().map(|s| at(&s.person, NameRole::Staff)));
        for round in &p.rounds {
            out.extend(round.items.iter().map(|i| at(&i.tester.name, NameRole::Tester)));
        }
        out.extend(p.defects.iter().map(|d| at(&d.found_by.name, NameRole::Finder)));
        for t in &p.training {
            out.extend(trainers(&t.trainer).map(|n| at(n, NameRole::Trainer)));
        }
        if p.defects.iter().any(|d| d.vendor_ref.is_some()) {
            if let Some(v) = vendor_of.get(&p.system).filter(|v| !v.trim().is_empty()) {
                out.push(at(v, NameRole::Vendor));
            }
        }
    }
    for (plan, list) in addenda {
        for a in list {
            if let AddendumBody::Training(t) = &a.body {
                out.extend(trainers(&t.trainer).map(|text| Mention {
                    text,
                    department: none,
                    part: NameRole::Trainer,
                    record: *plan,
                }));
            }
        }
    }
    out.retain(|m| !m.text.trim().is_empty());
    out
}

/// The trainers a training's trainer field names: `王磊、正方软件实施工程师`
/// is two (separated by `、`, `,`, `，`, `;` or `；`).
pub fn trainers(text: &str) -> impl Iterator<Item = &str> {
    text.split(['、', ',', '，', ';', '；'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// A name the register does not settle, with where it is written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unresolved {
    /// The name as written.
    pub text: String,
    /// The department the records give with it (a submitter's), or empty.
    pub department: String,
    /// Where it is written, each kind once.
    pub parts: Vec<NameRole>,
    /// The records it is written on, each once, in id order.
    pub records: Vec<Id>,
    /// How many times it is written.
    pub count: usize,
    /// The people it could be (ambiguous); empty: nobody of the register.
    pub candidates: Vec<Candidate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Candidate {
    pub id: Id,
    pub name: String,
    pub department: String,
}

/// The names of `mentions` that the register does not settle: ambiguous ones
/// first, then unknown ones, each most written first. Unknown submitters
/// (students and staff who wrote in once, named by their request's department)
/// are left out unless `submitters`: they are counted by name and department.
pub fn unresolved(register: &Register, mentions: &[Mention], submitters: bool) -> Vec<Unresolved> {
    let mut by: BTreeMap<(String, String), Unresolved> = BTreeMap::new();
    for m in mentions {
        let text = m.text.trim();
        let (candidates, department) = if m.part == NameRole::Vendor {
            if register.vendor(text).is_some() {
                continue;
            }
            (Vec::new(), "")
        } else {
            match register.resolve_person(text, m.department) {
                NameMatch::One(_) | NameMatch::NotAPerson => continue,
                NameMatch::Ambiguous(people) => (
                    people
                        .iter()
                        .map(|p| Candidate {
                            id: p.id,
                            name: p.name.clone(),
                            department: p.department.clone(),
                        })
                        .collect(),
                    m.department.trim(),
                ),
                NameMatch::Unknown => {
                    if m.part == NameRole::Submitter && !submitters {
                        continue;
                    }
                    (Vec::new(), m.department.trim())
                }
            }
        };
        let u = by
            .entry((text.to_string(), department.to_string()))
            .or_insert_with(|| Unresolved {
                text: text.to_string(),
                department: department.to_string(),
                parts: Vec::new(),
                records: Vec::new(),
                count: 0,
                candidates,
            });
        u.count += 1;
        if !u.parts.contains(&m.part) {
            u.parts.push(m.part);
        }
        if !u.records.contains(&m.record) {
            u.records.push(m.record);
        }
    }
    let mut out: Vec<Unresolved> = by.into_values().collect();
    for u in &mut out {
        u.parts.sort_by_key(|p| NameRole::ALL.iter().position(|x| x == p));
        u.records.sort();
    }
    out.sort_by(|a, b| {
        a.candidates
            .is_empty()
            .cmp(&b.candidates.is_empty())
            .then(b.count.cmp(&a.count))
            .then(a.text.cmp(&b.text))
            .then(a.department.cmp(&b.department))
    });
    out
}

/// Who a name written on a record is, for counting (contributions, §5.2).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Who {
    /// A person of the register.
    Person(Id),
    /// Nobody of the register: the name and the department written with it
    /// (`name（department）`, or the record's own department).
    Named { name: String, department: String },
    /// Several people of the register carry the name: counted under the name
    /// as written until an operator resolves it.
    Ambiguous(String),
    /// An operator resolved the name to a department (a team, an office).
    Department(String),
    /// An operator resolved the name to a vendor: no person, no department.
    Vendor,
}

/// [`Who`] a name is: `department`, the department the record gives, or empty.
pub fn who(register: &Register, text: &str, department: &str) -> Who {
    let text = text.trim();
    match register.resolve_person(text, department) {
        NameMatch::One(p) => Who::Person(p.id),
        NameMatch::Ambiguous(_) => Who::Ambiguous(text.to_string()),
        NameMatch::NotAPerson => match register.department(text) {
            Some(d) => Who::Department(d.name.clone()),
            None => Who::Vendor,
        },
        NameMatch::Unknown => {
            let (name, written) = crate::report::split_affiliation(text);
            Who::Named {
                name,
                department: if written.is_empty() {
                    department.trim().to_string()
                } else {
                    written
                },
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(n: u32, name: &str, dept: &str) -> Person {
        Person {
            id: Id::new(IdKind::Person, 0, n),
            name: name.into(),
            department: dept.into(),
            email: String::new(),
            phone: String::new(),
            lang: String::new(),
            login: String::new(),
            aliases: Vec::new(),
            meta: Meta::new("t", chrono::Utc::now()),
        }
    }

    fn reg() -> Register {
        Register {
            people: vec![
                person(1, "王磊", "信息化管理中心"),
                person(2, "李娜", "教务处"),
                person(3, "李娜", "图书馆"),
            ],
            ..Default::default()
        }
    }

    #[test]
    fn a_name_is_one_person_or_listed_never_guessed() {
        let r = reg();
        let id = |n| Id::new(IdKind::Person, 0, n);
        assert_eq!(who(&r, "王磊", ""), Who::Person(id(1)));
        assert_eq!(who(&r, "王磊（信息化管理中心）", ""), Who::Person(id(1)));
        assert_eq!(who(&r, " 王磊 ", ""), Who::Person(id(1)));
        // A bare name on a request of another department is not the IMC's 王磊.
        assert_eq!(
            who(&r, "王磊", "化学学院"),
            Who::Named {
                name: "王磊".into(),
                department: "化学学院".into()
            }
        );
        // Two 李娜: ambiguous without a department, settled with one.
        assert_eq!(who(&r, "李娜", ""), Who::Ambiguous("李娜".into()));
        assert_eq!(who(&r, "李娜（图书馆）", ""), Who::Person(id(3)));
        assert_eq!(who(&r, "李娜", "教务处"), Who::Person(id(2)));
        // A name in another department than the register's is nobody of it.
        assert_eq!(
            who(&r, "王磊（化学学院）", ""),
            Who::Named {
                name: "王磊".into(),
                department: "化学学院".into()
            }
        );
    }

    #[test]
    fn an_alias_settles_a_name_and_survives_a_rename() {
        let mut r = reg();
        r.people[2].aliases.push("李娜老师".into());
        r.people[2].name = "李娜娜".into();
        assert_eq!(who(&r, "李娜老师", ""), Who::Person(Id::new(IdKind::Person, 0, 3)));
        assert_eq!(
            who(&r, "李娜老师", "图书馆"),
            Who::Person(Id::new(IdKind::Person, 0, 3))
        );
        // The alias holder is of the library: on a request of 教务处 it is someone else.
        assert!(matches!(who(&r, "李娜老师", "教务处"), Who::Named { .. }));
        r.departments.push(Department {
            id: Id::new(IdKind::Department, 0, 1),
            name: "信息化管理中心".into(),
            head: String::new(),
            distribution: Vec::new(),
            aliases: vec!["测试组".into()],
            meta: Meta::new("t", chrono::Utc::now()),
        });
        assert_eq!(who(&r, "测试组", ""), Who::Department("信息化管理中心".into()));
    }
}
