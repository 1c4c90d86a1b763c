//! CSV of the request queue and the archive, as filtered: UTF-8 with a byte
//! order mark so that Excel opens it as UTF-8, one header row in the current
//! language. A cell that starts with `=`, `+`, `-` or `@` gets a leading `'`, so a
//! spreadsheet shows it as text instead of running it as a formula.

use std::collections::HashMap;

use crate::i18n::t;
use crate::model::*;

/// The UTF-8 byte order mark every CSV export starts with.
pub const CSV_BOM: &[u8] = b"\xEF\xBB\xBF";

/// A cell: cleaned to one line, formulas defused.
fn cell(s: &str) -> String {
    let s = crate::sanitize::clean_line(s);
    if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s
    }
}

fn write(header: &[String], rows: Vec<Vec<String>>) -> Vec<u8> {
    let mut w = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::CRLF)
        .from_writer(CSV_BOM.to_vec());
    // Writing to memory cannot fail.
    w.write_record(header.iter().map(|h| cell(h))).expect("csv to memory");
    for r in rows {
        w.write_record(r.iter().map(|c| cell(c))).expect("csv to memory");
    }
    w.into_inner().expect("csv to memory")
}

/// The request queue: `names` maps system ids to names.
pub fn requests_csv(list: &[RequestSummary], names: &HashMap<Id, String>) -> Vec<u8> {
    let header: Vec<String> = [
        "cli.col.id",
        "cli.col.received",
        "cli.col.status",
        "cli.col.priority",
        "cli.col.system",
        "cli.col.kind",
        "cli.col.channel",
        "cli.col.department",
        "cli.col.title",
        "cli.col.tags",
        "cli.col.plan",
    ]
    .iter()
    .map(|k| t(k, &[]))
    .collect();
    let rows = list
        .iter()
        .map(|r| {
            vec![
                r.id.to_string(),
                fmt_time(r.received_at),
                r.status.label(),
                r.priority.label(),
                r.system.and_then(|id| names.get(&id).cloned()).unwrap_or_default(),
                r.kind.label(),
                r.channel.label(),
                r.department.clone(),
                r.title.clone(),
                r.tags.join(" "),
                r.plan.map(|p| p.to_string()).unwrap_or_default(),
            ]
        })
        .collect();
    write(&header, rows)
}

/// The archive: one row per dossier.
pub fn archive_csv(list: &[DossierSummary]) -> Vec<u8> {
    let header: Vec<String> = [
        "cli.col.id",
        "cli.col.live",
        "export.col.filed",
        "cli.col.system",
        "export.col.version_from",
        "export.col.version_to",
        "cli.col.plan",
        "cli.col.title",
        "export.col.filed_by",
        "cli.col.class",
    ]
    .iter()
    .map(|k| t(k, &[]))
    .collect();
    let rows = list
        .iter()
        .map(|d| {
            vec![
                d.id.to_string(),
                d.live_at.map(fmt_time).unwrap_or_default(),
                fmt_time(d.filed_at),
                d.system_name.clone(),
                d.version_from.clone(),
                d.version_to.clone(),
                d.plan.to_string(),
                d.title.clone(),
                d.filed_by.clone(),
                d.class.label(),
            ]
        })
        .collect();
    write(&header, rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_defused_and_text_cleaned() {
        assert_eq!(cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(cell("+1"), "'+1");
        assert_eq!(cell("-2"), "'-2");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell("a\u{202e}b\nc"), "ab c");
        assert_eq!(cell("教务"), "教务");
    }
}
