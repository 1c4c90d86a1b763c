//! `beian register …`: people, departments and vendors (issue 17), and
//! `beian mail …`: the outbox, its delivery and the scheduled messages.

use std::path::PathBuf;

use clap::Subcommand;

use super::output::{self, Fields, Table};
use super::{args, Ctx};
use crate::error::Result;
use crate::i18n::t;
use crate::model::*;
use crate::service::Command;

#[derive(Subcommand, Debug)]
pub enum RegisterCmd {
    /// People: name, department, address, phone, language, login
    #[command(subcommand)]
    Person(PersonCmd),
    /// Departments: name, head, distribution list
    #[command(subcommand, alias = "dept")]
    Department(DepartmentCmd),
    /// Vendors: name, contacts, support channel
    #[command(subcommand)]
    Vendor(VendorCmd),
    /// Import people, departments and vendors from CSV files, all or nothing (role operator)
    Import {
        /// A CSV of people (name, department, email, phone, lang, login)
        #[arg(long, value_name = "FILE")]
        people: Vec<PathBuf>,
        /// A CSV of departments (name, head, distribution)
        #[arg(long, value_name = "FILE")]
        departments: Vec<PathBuf>,
        /// A CSV of vendors (name, contacts, support)
        #[arg(long, value_name = "FILE")]
        vendors: Vec<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
pub enum PersonCmd {
    /// Add a person (role operator)
    Add {
        /// Name, e.g. 王老师
        #[arg(long)]
        name: String,
        /// Department
        #[arg(long, default_value = "")]
        department: String,
        /// Mail address
        #[arg(long, default_value = "")]
        email: String,
        /// Phone number
        #[arg(long, default_value = "")]
        phone: String,
        /// Language of their mail: zh-CN or en
        #[arg(long = "mail-lang", value_name = "LANG", default_value = "")]
        mail_lang: String,
        /// Unix login, if they use beian
        #[arg(long, default_value = "")]
        login: String,
    },
    /// Change a person's fields (role operator)
    Edit {
        /// Person id (PER-0001)
        id: String,
        /// Name
        #[arg(long)]
        name: Option<String>,
        /// Department
        #[arg(long)]
        department: Option<String>,
        /// Mail address
        #[arg(long)]
        email: Option<String>,
        /// Phone number
        #[arg(long)]
        phone: Option<String>,
        /// Language of their mail: zh-CN or en
        #[arg(long = "mail-lang", value_name = "LANG")]
        mail_lang: Option<String>,
        /// Unix login
        #[arg(long)]
        login: Option<String>,
    },
    /// List the people
    #[command(alias = "ls")]
    List,
    /// Show a person
    Show {
        /// Person id (PER-0001) or name
        person: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum DepartmentCmd {
    /// Add a department (role operator)
    Add {
        /// Name, e.g. 教务处
        #[arg(long)]
        name: String,
        /// The head's name
        #[arg(long, default_value = "")]
        head: String,
        /// An address of its distribution list (repeat for more)
        #[arg(long = "list", value_name = "ADDRESS")]
        distribution: Vec<String>,
    },
    /// Change a department's fields (role operator)
    Edit {
        /// Department id (DEPT-0001)
        id: String,
        /// Name
        #[arg(long)]
        name: Option<String>,
        /// The head's name
        #[arg(long)]
        head: Option<String>,
        /// The whole distribution list (repeat; replaces the old one)
        #[arg(long = "list", value_name = "ADDRESS")]
        distribution: Option<Vec<String>>,
    },
    /// List the departments
    #[command(alias = "ls")]
    List,
    /// Show a department
    Show {
        /// Department id (DEPT-0001) or name
        department: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum VendorCmd {
    /// Add a vendor (role operator)
    Add {
        /// Name
        #[arg(long)]
        name: String,
        /// A contact (repeat for more)
        #[arg(long = "contact", value_name = "CONTACT")]
        contacts: Vec<String>,
        /// Support channel: an address, a phone number or a site
        #[arg(long, default_value = "")]
        support: String,
    },
    /// Change a vendor's fields (role operator)
    Edit {
        /// Vendor id (VEN-0001)
        id: String,
        /// Name
        #[arg(long)]
        name: Option<String>,
        /// The contacts (repeat; replaces the old ones)
        #[arg(long = "contact", value_name = "CONTACT")]
        contacts: Option<Vec<String>>,
        /// Support channel
        #[arg(long)]
        support: Option<String>,
    },
    /// List the vendors
    #[command(alias = "ls")]
    List,
    /// Show a vendor
    Show {
        /// Vendor id (VEN-0001) or name
        vendor: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum MailCmd {
    /// The outbox: every message with its delivery state
    #[command(alias = "ls")]
    List {
        /// Only messages in this state
        #[arg(long, value_enum)]
        state: Option<MailState>,
    },
    /// Show one message: recipients, text, every attempt
    Show {
        /// Message id (MAIL-2026-0001)
        id: String,
    },
    /// Hand the due messages to the machine's MTA now
    Send {
        /// Also try the messages whose attempts ran out
        #[arg(long)]
        retry: bool,
    },
    /// Queue the periodic progress report (§5.1) to the supervision group
    Report {
        /// First day, YYYY-MM-DD [default: 7 days ago]
        #[arg(long)]
        from: Option<String>,
        /// Last day, YYYY-MM-DD [default: today]
        #[arg(long)]
        to: Option<String>,
    },
    /// Queue the daily digest of what needs attention to each person whose role should act
    Digest,
    /// Record that a call the outbox asked for was made
    Called {
        /// Message id (MAIL-2026-0001)
        id: String,
        /// What was said
        #[arg(long, default_value = "")]
        note: String,
    },
}

pub fn run(ctx: &Ctx, cmd: &RegisterCmd) -> Result<()> {
    match cmd {
        RegisterCmd::Person(c) => person(ctx, c),
        RegisterCmd::Department(c) => department(ctx, c),
        RegisterCmd::Vendor(c) => vendor(ctx, c),
        RegisterCmd::Import {
            people,
            departments,
            vendors,
        } => {
            let cmd = crate::io::register_csv::read_files(people, departments, vendors)?;
            ctx.run(cmd)?;
            Ok(())
        }
    }
}

fn find<'a, T>(
    list: &'a [T],
    key: &str,
    kind: IdKind,
    id: impl Fn(&T) -> Id,
    name: impl Fn(&T) -> bool,
) -> Result<&'a T> {
    if let Ok(i) = Id::parse_kind(key, kind) {
        if let Some(x) = list.iter().find(|x| id(x) == i) {
            return Ok(x);
        }
    }
    list.iter()
        .find(|x| name(x))
        .ok_or_else(|| crate::error::Error::not_found(key))
}

fn person(ctx: &Ctx, cmd: &PersonCmd) -> Result<()> {
    match cmd {
        PersonCmd::Add {
            name,
            department,
            email,
            phone,
            mail_lang: lang,
            login,
        } => {
            ctx.run(Command::PersonAdd {
                person: PersonFields {
                    name: name.clone(),
                    department: department.clone(),
                    email: email.clone(),
                    phone: phone.clone(),
                    lang: lang.clone(),
                    login: login.clone(),
                },
            })?;
        }
        PersonCmd::Edit {
            id,
            name,
            department,
            email,
            phone,
            mail_lang: lang,
            login,
        } => {
            ctx.run(Command::PersonEdit {
                id: args::id("id", id, IdKind::Person)?,
                edit: PersonEdit {
                    name: name.clone(),
                    department: department.clone(),
                    email: email.clone(),
                    phone: phone.clone(),
                    lang: lang.clone(),
                    login: login.clone(),
                },
            })?;
        }
        PersonCmd::List => {
            let reg = ctx.backend.register()?;
            if ctx.json {
                output::json(&reg.people);
                return Ok(());
            }
            let mut tb = Table::new(&[
                t("cli.col.id", &[]),
                t("register.col.name", &[]),
                t("cli.col.department", &[]),
                t("register.col.email", &[]),
                t("register.col.phone", &[]),
                t("register.col.lang", &[]),
                t("register.col.login", &[]),
            ]);
            for p in &reg.people {
                tb.row(vec![
                    p.id.to_string(),
                    p.name.clone(),
                    p.department.clone(),
                    p.email.clone(),
                    p.phone.clone(),
                    p.lang.clone(),
                    p.login.clone(),
                ]);
            }
            tb.print();
        }
        PersonCmd::Show { person } => {
            let reg = ctx.backend.register()?;
            let p = find(&reg.people, person, IdKind::Person, |p| p.id, |p| p.is_named(person))?;
            if ctx.json {
                output::json(p);
                return Ok(());
            }
            let mut f = Fields::new();
            f.add(t("cli.col.id", &[]), format!("{}  (rev {})", p.id, p.meta.rev))
                .add(t("register.col.name", &[]), &p.name)
                .add(t("cli.col.department", &[]), &p.department)
                .add(t("register.col.email", &[]), &p.email)
                .add(t("register.col.phone", &[]), &p.phone)
                .add(t("register.col.lang", &[]), p.mail_lang())
                .add(t("register.col.login", &[]), &p.login)
                .add(t("register.col.aliases", &[]), p.aliases.join(", "));
            f.print();
        }
    }
    Ok(())
}

fn department(ctx: &Ctx, cmd: &DepartmentCmd) -> Result<()> {
    match cmd {
        DepartmentCmd::Add {
            name,
            head,
            distribution,
        } => {
            ctx.run(Command::DepartmentAdd {
                department: DepartmentFields {
                    name: name.clone(),
                    head: head.clone(),
                    distribution: distribution.clone(),
                },
            })?;
        }
        DepartmentCmd::Edit {
            id,
            name,
            head,
            distribution,
        } => {
            ctx.run(Command::DepartmentEdit {
                id: args::id("id", id, IdKind::Department)?,
                edit: DepartmentEdit {
                    name: name.clone(),
                    head: head.clone(),
                    distribution: distribution.clone(),
                },
            })?;
        }
        DepartmentCmd::List => {
            let reg = ctx.backend.register()?;
            if ctx.json {
                output::json(&reg.departments);
                return Ok(());
            }
            let mut tb = Table::new(&[
                t("cli.col.id", &[]),
                t("register.col.name", &[]),
                t("register.col.head", &[]),
                t("register.col.distribution", &[]),
            ]);
            for d in &reg.departments {
                tb.row(vec![
                    d.id.to_string(),
                    d.name.clone(),
                    d.head.clone(),
                    d.distribution.join(", "),
                ]);
            }
            tb.print();
        }
        DepartmentCmd::Show { department } => {
            let reg = ctx.backend.register()?;
            let d = find(
                &reg.departments,
                department,
                IdKind::Department,
                |d| d.id,
                |d| d.name == department.trim(),
            )?;
            if ctx.json {
                output::json(d);
                return Ok(());
            }
            let mut f = Fields::new();
            f.add(t("cli.col.id", &[]), format!("{}  (rev {})", d.id, d.meta.rev))
                .add(t("register.col.name", &[]), &d.name)
                .add(t("register.col.head", &[]), &d.head)
                .add(t("register.col.distribution", &[]), d.distribution.join(", "));
            f.print();
        }
    }
    Ok(())
}

fn vendor(ctx: &Ctx, cmd: &VendorCmd) -> Result<()> {
    match cmd {
        VendorCmd::Add {
            name,
            contacts,
            support,
        } => {
            ctx.run(Command::VendorAdd {
                vendor: VendorFields {
                    name: name.clone(),
                    contacts: contacts.clone(),
                    support: support.clone(),
                },
            })?;
        }
        VendorCmd::Edit {
            id,
            name,
            contacts,
            support,
        } => {
            ctx.run(Command::VendorEdit {
                id: args::id("id", id, IdKind::Vendor)?,
                edit: VendorEdit {
                    name: name.clone(),
                    contacts: contacts.clone(),
                    support: support.clone(),
                },
            })?;
        }
        VendorCmd::List => {
            let reg = ctx.backend.register()?;
            if ctx.json {
                output::json(&reg.vendors);
                return Ok(());
            }
            let mut tb = Table::new(&[
                t("cli.col.id", &[]),
                t("register.col.name", &[]),
                t("register.col.contacts", &[]),
                t("register.col.support", &[]),
            ]);
            for v in &reg.vendors {
                tb.row(vec![
                    v.id.to_string(),
                    v.name.clone(),
                    v.contacts.join(", "),
                    v.support.clone(),
                ]);
            }
            tb.print();
        }
        VendorCmd::Show { vendor } => {
            let reg = ctx.backend.register()?;
            let v = find(
                &reg.vendors,
                vendor,
                IdKind::Vendor,
                |v| v.id,
                |v| v.name == vendor.trim(),
            )?;
            if ctx.json {
                output::json(v);
                return Ok(());
            }
            let mut f = Fields::new();
            f.add(t("cli.col.id", &[]), format!("{}  (rev {})", v.id, v.meta.rev))
                .add(t("register.col.name", &[]), &v.name)
                .add(t("register.col.contacts", &[]), v.contacts.join(", "))
                .add(t("register.col.support", &[]), &v.support);
            f.print();
        }
    }
    Ok(())
}

pub fn mail(ctx: &Ctx, cmd: &MailCmd) -> Result<()> {
    let b = ctx.backend.as_ref();
    match cmd {
        MailCmd::List { state } => {
            let mut list = b.outbox()?;
            if let Some(s) = state {
                list.retain(|m| m.state == *s);
            }
            if ctx.json {
                output::json(&list);
                return Ok(());
            }
            let mut tb = Table::new(&[
                t("cli.col.id", &[]),
                t("mail.col.kind", &[]),
                t("mail.col.state", &[]),
                t("mail.col.to", &[]),
                t("mail.col.subject", &[]),
            ]);
            for m in &list {
                let notes = m
                    .last_error()
                    .map(|e| vec![t("mail.mta_answer", &[("answer", e.to_string())])])
                    .unwrap_or_default();
                tb.row_with_notes(
                    vec![
                        m.id.to_string(),
                        m.kind.label(),
                        m.state_text(),
                        m.recipients(),
                        m.subject.clone(),
                    ],
                    notes,
                );
            }
            tb.print();
        }
        MailCmd::Show { id } => {
            let id = args::id("id", id, IdKind::Mail)?;
            let m = b
                .outbox()?
                .into_iter()
                .find(|m| m.id == id)
                .ok_or_else(|| crate::error::Error::not_found(id))?;
            if ctx.json {
                output::json(&m);
                return Ok(());
            }
            let mut f = Fields::new();
            f.add(t("cli.col.id", &[]), m.id.to_string())
                .add(t("mail.col.kind", &[]), m.kind.label())
                .add(t("mail.col.state", &[]), m.state_text())
                .add(t("mail.col.to", &[]), m.recipients())
                .add(t("mail.col.subject", &[]), &m.subject)
                .add("Message-ID", &m.message_id)
                .add(t("mail.col.about", &[]), &m.about);
            f.print();
            for a in &m.attempts {
                println!(
                    "  {}  {}  {}",
                    fmt_time(a.time),
                    if a.ok { "ok" } else { "✗" },
                    crate::sanitize::clean_line(&a.answer)
                );
            }
            println!();
            println!("{}", crate::sanitize::clean(&m.body));
        }
        MailCmd::Send { retry } => {
            let r = b.mail_send(*retry)?;
            if ctx.json {
                output::json(&r);
                return Ok(());
            }
            println!(
                "{}",
                t(
                    "mail.sent_summary",
                    &[
                        ("sent", r.sent.len().to_string()),
                        ("failed", r.failed.len().to_string())
                    ]
                )
            );
            for (id, e) in &r.failed {
                println!("  {id}: {}", crate::sanitize::clean_line(e));
            }
            if !r.failed.is_empty() {
                return Err(crate::error::Error::Mail { failed: r.failed.len() });
            }
        }
        MailCmd::Report { from, to } => {
            let today = chrono::Local::now().date_naive();
            let to = match to {
                Some(s) => args::date("to", s)?,
                None => today,
            };
            let from = match from {
                Some(s) => args::date("from", s)?,
                None => to - chrono::Duration::days(6),
            };
            ctx.run(Command::MailReport { from, to })?;
        }
        MailCmd::Digest => {
            ctx.run(Command::MailDigest {})?;
        }
        MailCmd::Called { id, note } => {
            ctx.run(Command::MailCalled {
                id: args::id("id", id, IdKind::Mail)?,
                note: note.clone(),
            })?;
        }
    }
    Ok(())
}
