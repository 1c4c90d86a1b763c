//! `beian template …`: templates of standard changes (§2.1, §3.2), approved
//! once by the normal quorum; `beian plan new --template` makes a standard
//! change of one.

use clap::Subcommand;

use super::output::{self, Table};
use super::{args, Ctx};
use crate::error::{Error, Result};
use crate::i18n::t;
use crate::model::*;
use crate::service::Command;
use crate::workflow::TemplateChange;

#[derive(Subcommand, Debug)]
pub enum TemplateCmd {
    /// Start a template (draft) for one system
    New {
        /// System id or name
        #[arg(long)]
        system: String,
        /// Title, one line
        #[arg(long)]
        title: String,
        /// What each change does: its scope (@FILE reads a file)
        #[arg(long, default_value = "")]
        content: String,
        /// The steps of each change (@FILE reads a file)
        #[arg(long, default_value = "")]
        approach: String,
    },
    /// Change a draft or returned template
    Edit {
        /// Template id, e.g. TPL-2026-0001
        id: String,
        /// New title, one line
        #[arg(long)]
        title: Option<String>,
        /// What each change does: its scope (@FILE reads a file)
        #[arg(long)]
        content: Option<String>,
        /// The steps of each change (@FILE reads a file)
        #[arg(long)]
        approach: Option<String>,
    },
    /// Test items every change of the template is tested on: add or remove
    #[command(subcommand)]
    Item(ItemCmd),
    /// Submit for approval by the Leading Group (the normal quorum)
    Submit {
        /// Template id, e.g. TPL-2026-0001
        id: String,
    },
    /// Approve (role approver who did not write or submit the template)
    Approve {
        /// Template id, e.g. TPL-2026-0001
        id: String,
        /// Approval comment (@FILE reads a file)
        #[arg(long, default_value = "")]
        comment: String,
        /// Reference of the meeting minutes
        #[arg(long, default_value = "")]
        minutes: String,
    },
    /// Return for revision with a reason (role approver)
    Return {
        /// Template id, e.g. TPL-2026-0001
        id: String,
        /// Why the template is returned (required; @FILE reads a file)
        #[arg(long)]
        reason: String,
        /// Reference of the meeting minutes
        #[arg(long, default_value = "")]
        minutes: String,
    },
    /// List templates
    #[command(alias = "ls")]
    List,
    /// Show a template with its items and decisions
    Show {
        /// Template id, e.g. TPL-2026-0001
        id: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum ItemCmd {
    /// Add a test item
    Add {
        /// Template id, e.g. TPL-2026-0001
        id: String,
        /// functional, performance, compatibility, security or data_migration
        #[arg(long, value_enum, default_value = "functional")]
        category: TestCategory,
        /// What is tested
        #[arg(long)]
        description: String,
        /// The expected result
        #[arg(long, default_value = "")]
        expected: String,
    },
    /// Remove item number N (1-based)
    Rm {
        /// Template id, e.g. TPL-2026-0001
        id: String,
        /// Item number, as `template show` lists them
        n: usize,
    },
}

pub fn template_id(s: &str) -> Result<Id> {
    args::id("template", s, IdKind::Template)
}

fn edit(ctx: &Ctx, id: &str, changes: Vec<TemplateChange>) -> Result<()> {
    ctx.run(Command::TemplateEdit {
        id: template_id(id)?,
        changes,
    })?;
    Ok(())
}

pub fn run(ctx: &Ctx, cmd: &TemplateCmd) -> Result<()> {
    let s = ctx.backend.as_ref();
    match cmd {
        TemplateCmd::New {
            system,
            title,
            content,
            approach,
        } => {
            ctx.run(Command::TemplateNew {
                system: s.resolve_system(system)?,
                title: title.clone(),
                content: args::text("--content", content)?,
                approach: args::text("--approach", approach)?,
                items: Vec::new(),
            })?;
        }
        TemplateCmd::Edit {
            id,
            title,
            content,
            approach,
        } => {
            let mut c = Vec::new();
            if let Some(v) = title {
                c.push(TemplateChange::Title(v.clone()));
            }
            if let Some(v) = args::opt_text("--content", content)? {
                c.push(TemplateChange::Content(v));
            }
            if let Some(v) = args::opt_text("--approach", approach)? {
                c.push(TemplateChange::Approach(v));
            }
            if c.is_empty() {
                return Err(Error::input("template edit", "", &t("cli.expected.template_edit", &[])));
            }
            edit(ctx, id, c)?;
        }
        TemplateCmd::Item(ItemCmd::Add {
            id,
            category,
            description,
            expected,
        }) => edit(
            ctx,
            id,
            vec![TemplateChange::AddItem(TemplateItem {
                category: *category,
                description: description.clone(),
                expected: expected.clone(),
            })],
        )?,
        TemplateCmd::Item(ItemCmd::Rm { id, n }) => edit(ctx, id, vec![TemplateChange::RemoveItem(*n)])?,
        TemplateCmd::Submit { id } => {
            ctx.run(Command::TemplateSubmit { id: template_id(id)? })?;
        }
        TemplateCmd::Approve { id, comment, minutes } => {
            ctx.run(Command::TemplateApprove {
                id: template_id(id)?,
                comment: args::text("--comment", comment)?,
                minutes_ref: minutes.clone(),
            })?;
        }
        TemplateCmd::Return { id, reason, minutes } => {
            ctx.run(Command::TemplateReturn {
                id: template_id(id)?,
                reason: args::text("--reason", reason)?,
                minutes_ref: minutes.clone(),
            })?;
        }
        TemplateCmd::List => {
            let list = s.templates()?;
            if ctx.json {
                output::json(&list);
                return Ok(());
            }
            let names = super::admin::system_names(ctx)?;
            let today = chrono::Local::now().date_naive();
            let mut table = Table::new(&[
                t("cli.col.id", &[]),
                t("cli.col.status", &[]),
                t("cli.col.system", &[]),
                t("record.field.expires", &[]),
                t("record.section.template_items", &[]),
                t("cli.col.author", &[]),
                t("cli.col.title", &[]),
            ]);
            for x in &list {
                table.row(vec![
                    x.id.to_string(),
                    template_status_label(x.status, x.expired(today)),
                    names.get(&x.system).cloned().unwrap_or_default(),
                    x.expires.map(|d| d.to_string()).unwrap_or_default(),
                    x.items.to_string(),
                    x.author.clone(),
                    x.title.clone(),
                ]);
            }
            table.print();
            println!("{}", t("cli.count", &[("n", list.len().to_string())]));
        }
        TemplateCmd::Show { id } => {
            let x = s.template(template_id(id)?)?;
            if ctx.json {
                output::json(&x);
                return Ok(());
            }
            let system = s.system(x.system).map(|y| y.name).unwrap_or_default();
            super::sections::print(&crate::export::template_sections(&x, &system));
        }
    }
    Ok(())
}
