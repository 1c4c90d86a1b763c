//! `beian attention`: what needs someone now (issue 17 §1), as the core's
//! `Query::Attention` answers it; `beian overview` prints the same table.

use clap::Args;

use super::output::{self, Table};
use super::Ctx;
use crate::error::Result;
use crate::i18n::t;
use crate::model::{fmt_time, Role};
use crate::service::Attention;
use crate::workflow::attention::for_role;

#[derive(Args, Debug)]
pub struct AttentionArgs {
    /// Only what this role should act on
    #[arg(long, value_enum, value_name = "ROLE")]
    pub role: Option<Role>,
}

/// The list as JSON: each item with its text in the user's language (`why`).
pub fn json_value(a: &Attention) -> serde_json::Value {
    let items: Vec<serde_json::Value> = a
        .items
        .iter()
        .map(|i| {
            let mut v = serde_json::to_value(i).unwrap_or_default();
            if let Some(m) = v.as_object_mut() {
                m.insert("why".into(), i.why().into());
                m.insert("role_label".into(), i.role.label().into());
                m.insert("kind_label".into(), i.kind.label().into());
            }
            v
        })
        .collect();
    serde_json::json!({ "as_of": a.as_of, "items": items })
}

/// The table: what, record, why, since, role; the record's title under each row.
pub fn print_table(a: &Attention) {
    if a.items.is_empty() {
        println!("{}", t("attention.none", &[]));
        return;
    }
    let mut table = Table::new(&[
        t("attention.col.what", &[]),
        t("attention.col.record", &[]),
        t("attention.col.why", &[]),
        t("attention.col.since", &[]),
        t("attention.col.role", &[]),
    ]);
    for i in &a.items {
        table.row_with_notes(
            vec![
                i.kind.label(),
                i.record.to_string(),
                i.why(),
                fmt_time(i.since),
                i.role.label(),
            ],
            vec![i.title.clone()],
        );
    }
    table.print();
}

pub fn run(ctx: &Ctx, a: &AttentionArgs) -> Result<()> {
    let mut list = ctx.backend.attention()?;
    list.items = for_role(list.items, a.role);
    if ctx.json {
        output::json(&json_value(&list));
    } else {
        print_table(&list);
    }
    Ok(())
}
