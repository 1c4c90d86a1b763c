//! Systems and the academic calendar (admin).

use super::{done, done_with, misrouted};
use crate::error::{Error, Result};
use crate::model::*;
use crate::service::{Command, Outcome};
use crate::store::Tx;
use crate::workflow::{self as wf, Ctx};

pub(super) fn apply(tx: &Tx, ctx: &Ctx, cmd: &Command, expect: Option<u64>) -> Result<Outcome> {
    use Command as C;
    match cmd {
        C::SystemAdd {
            name,
            department,
            vendor,
            version,
        } => {
            let name = wf::non_empty(name, "name")?;
            let id = tx.alloc_id(IdKind::System)?;
            let mut s = System {
                id,
                name,
                department: department.trim().into(),
                vendor: vendor.trim().into(),
                version: version.trim().into(),
                depends_on: Vec::new(),
                meta: Meta::new(ctx.actor.name.as_str(), ctx.now),
            };
            tx.insert(&mut s)?;
            done(
                tx,
                cmd,
                &[id.to_string()],
                Some(1),
                format!("{} ({})", s.name, s.version),
            )
        }
        C::SystemEdit {
            id,
            name,
            department,
            vendor,
            version,
            depends_on,
        } => {
            let mut s: System = tx.load(*id, expect)?;
            let before = s.tracked();
            if let Some(v) = name {
                s.name = wf::non_empty(v, "name")?;
            }
            if let Some(v) = department {
                s.department = v.trim().into();
            }
            if let Some(v) = vendor {
                s.vendor = v.trim().into();
            }
            if let Some(v) = version {
                s.version = v.trim().into();
            }
            if let Some(deps) = depends_on {
                let mut others: std::collections::BTreeMap<Id, System> = Default::default();
                for d in deps {
                    let Some(x) = tx.get::<System>(*d)? else {
                        return Err(Error::not_found(d.to_string()));
                    };
                    others.insert(*d, x);
                }
                // What the dependencies depend on, as far as they reach (a cycle back is refused).
                let mut todo: Vec<Id> = others.values().flat_map(|x| x.depends_on.clone()).collect();
                while let Some(n) = todo.pop() {
                    if n == *id || others.contains_key(&n) {
                        continue;
                    }
                    if let Some(x) = tx.get::<System>(n)? {
                        todo.extend(x.depends_on.iter().copied());
                        others.insert(n, x);
                    }
                }
                let name = |i: Id| {
                    if i == *id {
                        s.name.clone()
                    } else {
                        others.get(&i).map_or_else(|| i.to_string(), |x| x.name.clone())
                    }
                };
                let of = |i: Id| others.get(&i).map(|x| x.depends_on.clone()).unwrap_or_default();
                let list = wf::forward::depends_on(*id, deps, name, of)?;
                s.depends_on = list;
            }
            tx.save(&mut s)?;
            done_with(
                tx,
                cmd,
                &[id.to_string()],
                Some(s.meta.rev),
                format!("{} ({})", s.name, s.version),
                changes(&before, &s.tracked()),
            )
        }
        C::CalendarAdd { period } => {
            let mut cal = tx.calendar()?;
            let period = checked_period(tx, period)?;
            wf::name_is_new(&cal, &period)?;
            let summary = format!(
                "{} {}..{}{}",
                period.name,
                period.start,
                period.end,
                if period.hard { " hard" } else { "" }
            );
            cal.push(period);
            cal.sort_by_key(|b| b.start);
            tx.set_calendar(&cal)?;
            done(tx, cmd, &["calendar".into()], None, summary)
        }
        C::CalendarRemove { name } => {
            let mut cal = tx.calendar()?;
            let before = cal.len();
            cal.retain(|b| &b.name != name);
            if cal.len() == before {
                return Err(Error::not_found(name));
            }
            tx.set_calendar(&cal)?;
            done(tx, cmd, &["calendar".into()], None, name.clone())
        }
        C::CalendarReplace { periods } => {
            let mut cal = periods
                .iter()
                .map(|b| checked_period(tx, b))
                .collect::<Result<Vec<_>>>()?;
            for (i, b) in cal.iter().enumerate() {
                wf::name_is_new(&cal[..i], b)?;
            }
            cal.sort_by_key(|b| b.start);
            tx.set_calendar(&cal)?;
            done(tx, cmd, &["calendar".into()], None, format!("{} periods", cal.len()))
        }

        other => Err(misrouted(other)),
    }
}

/// A calendar period as given, checked: a name, an end on or after its start,
/// and systems that exist.
fn checked_period(tx: &Tx, b: &Blackout) -> Result<Blackout> {
    let name = wf::non_empty(&b.name, "name")?;
    if b.end < b.start {
        return Err(Error::input(
            "end",
            &b.end.to_string(),
            &crate::i18n::t("expected.date_on_or_after", &[("date", b.start.to_string())]),
        ));
    }
    for s in &b.systems {
        tx.load::<System>(*s, None)?;
    }
    let mut systems = b.systems.clone();
    systems.sort();
    systems.dedup();
    Ok(Blackout {
        name,
        systems,
        ..b.clone()
    })
}
