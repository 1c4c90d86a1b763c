//! `beian approver …`: substitutes in the Leading Group (§2.1).

use clap::Subcommand;

use super::output::{self, Table};
use super::{args, Ctx};
use crate::error::Result;
use crate::i18n::t;
use crate::service::Command;

#[derive(Subcommand, Debug)]
pub enum ApproverCmd {
    /// Name a substitute who decides in your place for a period (role approver)
    Substitute {
        /// The substitute's login name
        name: String,
        /// First day, YYYY-MM-DD
        #[arg(long)]
        from: String,
        /// Last day, YYYY-MM-DD
        #[arg(long)]
        to: String,
        /// Why (@FILE reads a file)
        #[arg(long)]
        reason: String,
    },
    /// List the substitutes named
    #[command(alias = "ls")]
    List,
}

pub fn run(ctx: &Ctx, cmd: &ApproverCmd) -> Result<()> {
    match cmd {
        ApproverCmd::Substitute { name, from, to, reason } => {
            ctx.run(Command::ApproverSubstitute {
                substitute: name.clone(),
                from: args::date("--from", from)?,
                to: args::date("--to", to)?,
                reason: args::text("--reason", reason)?,
            })?;
        }
        ApproverCmd::List => {
            let list = ctx.backend.substitutes()?;
            if ctx.json {
                output::json(&list);
                return Ok(());
            }
            let mut tb = Table::new(&[
                t("cli.col.approver", &[]),
                t("cli.col.substitute", &[]),
                t("cli.col.start", &[]),
                t("cli.col.end", &[]),
                t("cli.col.reason", &[]),
            ]);
            for s in &list {
                tb.row(vec![
                    s.approver.clone(),
                    s.substitute.clone(),
                    s.from.to_string(),
                    s.to.to_string(),
                    s.reason.clone(),
                ]);
            }
            tb.print();
        }
    }
    Ok(())
}
