//! `beian people resolve`: names written in the records that the register does
//! not settle (issue 18 §3), and the operator's answer to each.

use clap::Args;

use super::output::{self, Table};
use super::Ctx;
use crate::error::{Error, Result};
use crate::i18n::t;
use crate::model::*;
use crate::service::Command;

#[derive(Args, Debug)]
pub struct ResolveArgs {
    /// A name as the records write it, e.g. 李娜 or 李娜（教务处）
    pub name: Option<String>,
    /// The person, department or vendor of the register it names: PER-…, DEPT-…, VEN-… (role operator)
    #[arg(long = "is", value_name = "ID", requires = "name", conflicts_with = "clear")]
    pub target: Option<String>,
    /// Forget the resolution of NAME: the rules match it again (role operator)
    #[arg(long, requires = "name")]
    pub clear: bool,
    /// Also list submitters nobody of the register carries (counted by name and department)
    #[arg(long)]
    pub submitters: bool,
}

#[derive(clap::Subcommand, Debug)]
pub enum PeopleCmd {
    /// List the names the register does not settle, or say whom one names
    Resolve(ResolveArgs),
}

pub fn run(ctx: &Ctx, cmd: &PeopleCmd) -> Result<()> {
    match cmd {
        PeopleCmd::Resolve(a) => resolve(ctx, a),
    }
}

fn resolve(ctx: &Ctx, a: &ResolveArgs) -> Result<()> {
    if let (Some(name), Some(target)) = (&a.name, &a.target) {
        let target = target.trim();
        let id = target
            .parse::<Id>()
            .ok()
            .filter(|i| matches!(i.kind, IdKind::Person | IdKind::Department | IdKind::Vendor))
            .ok_or_else(|| Error::input("--is", target, "PER-0001, DEPT-0001, VEN-0001"))?;
        ctx.run(Command::NameResolve {
            text: name.trim().to_string(),
            target: id,
        })?;
        return Ok(());
    }
    if let (Some(name), true) = (&a.name, a.clear) {
        ctx.run(Command::NameUnresolve {
            text: name.trim().to_string(),
        })?;
        return Ok(());
    }
    let mut list = ctx.backend.unresolved_names(a.submitters || a.name.is_some())?;
    if let Some(name) = &a.name {
        list.retain(|u| u.text == name.trim());
        if !ctx.json {
            // Whom the name names where the record gives no department; then
            // the places it is still open (a submitter of another department).
            let reg = ctx.backend.register()?;
            let answer = match reg.alias_holder(name) {
                Some((id, n)) => t("people.resolved_as", &[("id", id.to_string()), ("name", n.to_string())]),
                None => match reg.resolve_person(name, "") {
                    NameMatch::One(p) => t(
                        "people.matches",
                        &[
                            ("id", p.id.to_string()),
                            ("name", p.name.clone()),
                            ("department", p.department.clone()),
                        ],
                    ),
                    _ if list.is_empty() => t("people.not_written", &[]),
                    _ => t("people.open", &[]),
                },
            };
            println!(
                "{}",
                crate::sanitize::visible_line(&format!("{}: {answer}", name.trim()))
            );
            if list.is_empty() {
                return Ok(());
            }
            println!();
        }
    }
    if ctx.json {
        output::json(&list);
        return Ok(());
    }
    if list.is_empty() {
        println!("{}", t("people.none", &[]));
        return Ok(());
    }
    let mut tb = Table::new(&[
        t("people.col.name", &[]),
        t("cli.col.department", &[]),
        t("people.col.written_as", &[]),
        t("people.col.times", &[]),
        t("people.col.candidates", &[]),
    ]);
    for u in &list {
        let candidates = if u.candidates.is_empty() {
            t("people.nobody", &[])
        } else {
            crate::i18n::list(
                u.candidates
                    .iter()
                    .map(|c| format!("{} {}（{}）", c.id, c.name, c.department)),
            )
        };
        let mut records: Vec<String> = u.records.iter().take(5).map(|r| r.to_string()).collect();
        if u.records.len() > 5 {
            records.push(t("people.more", &[("n", (u.records.len() - 5).to_string())]));
        }
        tb.row_with_notes(
            vec![
                u.text.clone(),
                u.department.clone(),
                crate::i18n::list(u.parts.iter().map(|p| p.label())),
                u.count.to_string(),
                candidates,
            ],
            vec![records.join(" ")],
        );
    }
    tb.print();
    println!();
    println!("{}", t("people.hint", &[("n", list.len().to_string())]));
    if !a.submitters {
        println!("{}", t("people.hint_submitters", &[]));
    }
    Ok(())
}
