//! The register (people, departments, vendors) and the outbox's own commands.

use super::{done, done_with, misrouted};
use crate::error::{Error, Result};
use crate::model::*;
use crate::service::{Command, Outcome};
use crate::store::Tx;
use crate::workflow::{self as wf, Ctx};

pub(super) fn apply(
    tx: &Tx,
    ctx: &Ctx,
    cmd: &Command,
    expect: Option<u64>,
    facts: &crate::service::mail::MailFacts,
) -> Result<Outcome> {
    use Command as C;
    match cmd {
        C::PersonAdd { person } => {
            let p = add_person(tx, ctx, person, "")?;
            done(tx, cmd, &[p.id.to_string()], Some(1), p.name.clone())
        }
        C::PersonEdit { id, edit } => {
            let mut p: Person = tx.load(*id, expect)?;
            let before = p.tracked();
            if let Some(v) = &edit.name {
                p.name = wf::non_empty(v, "name")?;
            }
            if let Some(v) = &edit.department {
                p.department = v.trim().into();
            }
            if let Some(v) = &edit.email {
                p.email = checked_email(v, "email", "")?;
            }
            if let Some(v) = &edit.phone {
                p.phone = v.trim().into();
            }
            if let Some(v) = &edit.lang {
                p.lang = checked_lang(v, "")?;
            }
            if let Some(v) = &edit.login {
                p.login = v.trim().into();
            }
            tx.save(&mut p)?;
            done_with(
                tx,
                cmd,
                &[id.to_string()],
                Some(p.meta.rev),
                p.name.clone(),
                changes(&before, &p.tracked()),
            )
        }
        C::DepartmentAdd { department } => {
            let d = add_department(tx, department, "")?;
            done(tx, cmd, &[d.id.to_string()], Some(1), d.name.clone())
        }
        C::DepartmentEdit { id, edit } => {
            let mut d: Department = tx.load(*id, expect)?;
            let before = d.tracked();
            if let Some(v) = &edit.name {
                d.name = wf::non_empty(v, "name")?;
            }
            if let Some(v) = &edit.head {
                d.head = v.trim().into();
            }
            if let Some(v) = &edit.distribution {
                d.distribution = checked_list(v, "")?;
            }
            tx.save(&mut d)?;
            done_with(
                tx,
                cmd,
                &[id.to_string()],
                Some(d.meta.rev),
                d.name.clone(),
                changes(&before, &d.tracked()),
            )
        }
        C::VendorAdd { vendor } => {
            let v = add_vendor(tx, vendor, "")?;
            done(tx, cmd, &[v.id.to_string()], Some(1), v.name.clone())
        }
        C::VendorEdit { id, edit } => {
            let mut v: Vendor = tx.load(*id, expect)?;
            let before = v.tracked();
            if let Some(x) = &edit.name {
                v.name = wf::non_empty(x, "name")?;
            }
            if let Some(x) = &edit.contacts {
                v.contacts = x
                    .iter()
                    .map(|c| c.trim().to_string())
                    .filter(|c| !c.is_empty())
                    .collect();
            }
            if let Some(x) = &edit.support {
                v.support = x.trim().into();
            }
            tx.save(&mut v)?;
            done_with(
                tx,
                cmd,
                &[id.to_string()],
                Some(v.meta.rev),
                v.name.clone(),
                changes(&before, &v.tracked()),
            )
        }
        C::RegisterImport {
            people,
            departments,
            vendors,
        } => {
            let mut ids = Vec::new();
            for row in departments {
                ids.push(add_department(tx, &row.row, &row.label)?.id.to_string());
            }
            for row in people {
                ids.push(add_person(tx, ctx, &row.row, &row.label)?.id.to_string());
            }
            for row in vendors {
                ids.push(add_vendor(tx, &row.row, &row.label)?.id.to_string());
            }
            let summary = format!(
                "people {}, departments {}, vendors {}",
                people.len(),
                departments.len(),
                vendors.len()
            );
            if ids.is_empty() {
                ids.push("register".into());
            }
            done(tx, cmd, &ids, None, summary)
        }
        C::MailReport { from, to } => {
            let n = crate::service::mail::queue_progress(tx, ctx, facts, *from, *to)?;
            done(tx, cmd, &["outbox".into()], None, format!("{from}..{to}: {n}"))
        }
        C::MailDigest {} => {
            let n = crate::service::mail::queue_digest(tx, ctx, facts)?;
            done(tx, cmd, &["outbox".into()], None, format!("digest: {n}"))
        }
        C::MailCalled { id, note } => {
            let mut m: MailMessage = tx.load(*id, expect)?;
            if m.state != MailState::Call {
                return Err(Error::input(
                    "id",
                    &id.to_string(),
                    &crate::i18n::t("mail.not_a_call", &[]),
                ));
            }
            m.state = MailState::Called;
            m.attempts.push(Attempt {
                time: ctx.now,
                ok: true,
                answer: note.trim().to_string(),
            });
            tx.save(&mut m)?;
            done(
                tx,
                cmd,
                &[id.to_string(), m.about.clone()],
                Some(m.meta.rev),
                "call → called".into(),
            )
        }
        C::NameResolve { text, target } => name_resolve(tx, cmd, text, *target, expect, &facts.register),
        C::NameUnresolve { text } => name_unresolve(tx, cmd, text, &facts.register),
        other => Err(misrouted(other)),
    }
}

/// `text` as written in the records names `target` from now on (issue 18 §3):
/// the text becomes one of the record's aliases. A text resolves to one record
/// only; resolving it again elsewhere is refused, naming the record that holds it.
/// `reg`: the register, read under the write gate before the transaction.
fn name_resolve(
    tx: &Tx,
    cmd: &Command,
    text: &str,
    target: Id,
    expect: Option<u64>,
    reg: &Register,
) -> Result<Outcome> {
    let text = wf::non_empty(text, "name")?;
    if let Some((holder, name)) = reg.alias_holder(&text) {
        return Err(Error::input(
            "name",
            &text,
            &crate::i18n::t(
                "people.already_resolved",
                &[("id", holder.to_string()), ("name", name.to_string())],
            ),
        ));
    }
    let (rev, name, before, after) = edit_aliases(tx, target, expect, |a| {
        a.push(text.clone());
        a.sort();
    })?;
    done_with(
        tx,
        cmd,
        &[target.to_string()],
        Some(rev),
        format!("{text} → {name}"),
        changes(&before, &after),
    )
}

/// Forget an operator's resolution of `text`: it is matched by the rules again.
fn name_unresolve(tx: &Tx, cmd: &Command, text: &str, reg: &Register) -> Result<Outcome> {
    let text = wf::non_empty(text, "name")?;
    let Some((holder, name)) = reg.alias_holder(&text) else {
        return Err(Error::input("name", &text, &crate::i18n::t("people.not_resolved", &[])));
    };
    let (rev, _, before, after) = edit_aliases(tx, holder, None, |a| a.retain(|x| *x != text))?;
    done_with(
        tx,
        cmd,
        &[holder.to_string()],
        Some(rev),
        format!("{text} ↛ {name}"),
        changes(&before, &after),
    )
}

/// A register record whose aliases an operator edits (`name.resolve`).
trait Aliased: crate::store::Record {
    fn aliases_mut(&mut self) -> &mut Vec<String>;
    fn name(&self) -> &str;
    fn tracked(&self) -> Vec<Tracked>;
}

macro_rules! aliased {
    ($($t:ty),+) => {$(
        impl Aliased for $t {
            fn aliases_mut(&mut self) -> &mut Vec<String> {
                &mut self.aliases
            }
            fn name(&self) -> &str {
                &self.name
            }
            fn tracked(&self) -> Vec<Tracked> {
                <$t>::tracked(self)
            }
        }
    )+};
}
aliased!(Person, Department, Vendor);

/// Change the aliases of the person, department or vendor `id` with `f`:
/// its new revision, its name, and its fields before and after. Any other
/// kind of record is refused.
fn edit_aliases(
    tx: &Tx,
    id: Id,
    expect: Option<u64>,
    f: impl FnOnce(&mut Vec<String>),
) -> Result<(u64, String, Vec<Tracked>, Vec<Tracked>)> {
    fn edit<R: Aliased>(
        tx: &Tx,
        id: Id,
        expect: Option<u64>,
        f: impl FnOnce(&mut Vec<String>),
    ) -> Result<(u64, String, Vec<Tracked>, Vec<Tracked>)> {
        let mut r: R = tx.load(id, expect)?;
        let before = r.tracked();
        f(r.aliases_mut());
        tx.save(&mut r)?;
        Ok((r.meta().rev, r.name().to_string(), before, r.tracked()))
    }
    match id.kind {
        IdKind::Person => edit::<Person>(tx, id, expect, f),
        IdKind::Department => edit::<Department>(tx, id, expect, f),
        IdKind::Vendor => edit::<Vendor>(tx, id, expect, f),
        _ => Err(Error::input(
            "id",
            &id.to_string(),
            &crate::i18n::t("people.not_register", &[]),
        )),
    }
}

/// `where_`: the import row (`people.csv:7`) named in errors, or empty.
fn field(where_: &str, name: &str) -> String {
    if where_.is_empty() {
        name.to_string()
    } else {
        format!("{where_}: {name}")
    }
}

/// An address as entered: empty, or one lettre's parser accepts.
pub(crate) fn checked_email(v: &str, name: &str, where_: &str) -> Result<String> {
    let v = v.trim();
    if v.is_empty() || wf::mail::is_address(v) {
        return Ok(v.to_string());
    }
    Err(Error::input(
        &field(where_, name),
        v,
        &crate::i18n::t("expected.email", &[]),
    ))
}

fn checked_lang(v: &str, where_: &str) -> Result<String> {
    match v.trim() {
        "" => Ok(String::new()),
        l if l.eq_ignore_ascii_case("en") => Ok("en".into()),
        l if l.eq_ignore_ascii_case("zh-CN") || l.eq_ignore_ascii_case("zh") => Ok("zh-CN".into()),
        l => Err(Error::input(
            &field(where_, "lang"),
            l,
            &crate::i18n::t("expected.lang", &[]),
        )),
    }
}

fn checked_list(v: &[String], where_: &str) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for a in v {
        let a = checked_email(a, "distribution", where_)?;
        if !a.is_empty() && !out.contains(&a) {
            out.push(a);
        }
    }
    Ok(out)
}

fn non_empty_at(v: &str, name: &str, where_: &str) -> Result<String> {
    if where_.is_empty() {
        return wf::non_empty(v, name).map_err(Into::into);
    }
    let v = v.trim();
    if v.is_empty() {
        return Err(Error::input(
            &field(where_, name),
            v,
            &crate::i18n::t("expected.non_empty", &[]),
        ));
    }
    Ok(v.to_string())
}

fn add_person(tx: &Tx, ctx: &Ctx, f: &PersonFields, where_: &str) -> Result<Person> {
    let name = non_empty_at(&f.name, "name", where_)?;
    let email = checked_email(&f.email, "email", where_)?;
    let lang = checked_lang(&f.lang, where_)?;
    let id = tx.alloc_id(IdKind::Person)?;
    let mut p = Person {
        id,
        name,
        department: f.department.trim().into(),
        email,
        phone: f.phone.trim().into(),
        lang,
        login: f.login.trim().into(),
        aliases: Vec::new(),
        meta: Meta::new(&ctx.actor.name, ctx.now),
    };
    tx.insert(&mut p)?;
    Ok(p)
}

fn add_department(tx: &Tx, f: &DepartmentFields, where_: &str) -> Result<Department> {
    let name = non_empty_at(&f.name, "name", where_)?;
    let distribution = checked_list(&f.distribution, where_)?;
    let id = tx.alloc_id(IdKind::Department)?;
    let mut d = Department {
        id,
        name,
        head: f.head.trim().into(),
        distribution,
        aliases: Vec::new(),
        meta: Meta::new(tx.actor(), tx.now()),
    };
    tx.insert(&mut d)?;
    Ok(d)
}

fn add_vendor(tx: &Tx, f: &VendorFields, where_: &str) -> Result<Vendor> {
    let name = non_empty_at(&f.name, "name", where_)?;
    let id = tx.alloc_id(IdKind::Vendor)?;
    let mut v = Vendor {
        id,
        name,
        contacts: f
            .contacts
            .iter()
            .map(|c| c.trim().to_string())
            .filter(|c| !c.is_empty())
            .collect(),
        support: f.support.trim().into(),
        aliases: Vec::new(),
        meta: Meta::new(tx.actor(), tx.now()),
    };
    tx.insert(&mut v)?;
    Ok(v)
}
