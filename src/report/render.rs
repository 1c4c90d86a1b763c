//! The reports as named tables, and those tables as Markdown or CSV, in the
//! current language. JSON is the report structs themselves.

use crate::i18n::t;
use crate::model::*;

use super::{Contributions, Report, Stats};

/// One table of a report; `name` is what `--table` selects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub name: &'static str,
    pub title: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

fn h(keys: &[&str]) -> Vec<String> {
    keys.iter().map(|k| t(&format!("report.col.{k}"), &[])).collect()
}

fn days(v: Option<f64>) -> String {
    v.map(|d| format!("{d:.1}")).unwrap_or_else(|| "-".into())
}

fn num(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

fn severities() -> Vec<String> {
    Severity::ALL.iter().map(|s| s.label()).collect()
}

fn stats_cells(s: &Stats) -> [String; 3] {
    [s.count.to_string(), days(s.median), days(s.p90)]
}

/// The names `--table` accepts for the evaluation report.
pub const REPORT_TABLES: [&str; 15] = [
    "updates_by_month",
    "updates_by_class",
    "updates",
    "lead_times",
    "test_rounds",
    "defects_by_severity",
    "defects_by_finder",
    "blackout_overrides",
    "training",
    "requests",
    "overdue_orders",
    "effect",
    "effect_updates",
    "training_coverage",
    "chain_head",
];

/// A percentage to one decimal, or `-`.
fn percent(v: Option<f64>) -> String {
    v.map(|p| format!("{p:.1}%")).unwrap_or_else(|| "-".into())
}

fn ratio(v: Option<f64>) -> String {
    v.map(|p| format!("{p:.2}")).unwrap_or_else(|| "-".into())
}

/// The names `--table` accepts for the contributions report.
pub const CONTRIBUTION_TABLES: [&str; 3] = ["people", "departments", "recognitions"];

impl Report {
    pub fn tables(&self) -> Vec<Table> {
        let title = |name: &str| t(&format!("report.table.{name}"), &[]);
        let mut out = Vec::new();
        out.push(Table {
            name: "updates_by_month",
            title: title("updates_by_month"),
            header: h(&["system", "month", "updates"]),
            rows: self
                .updates_by_system_month
                .iter()
                .map(|r| vec![r.system_name.clone(), r.month.clone(), r.updates.to_string()])
                .collect(),
        });
        out.push(Table {
            name: "updates_by_class",
            title: title("updates_by_class"),
            header: h(&["class", "updates"]),
            rows: self
                .updates_by_class
                .iter()
                .map(|c| vec![c.class.label(), c.updates.to_string()])
                .collect(),
        });
        out.push(Table {
            name: "updates",
            title: title("updates"),
            header: h(&[
                "plan",
                "system",
                "title",
                "version",
                "live_at",
                "status",
                "dossier",
                "request_to_live",
                "approval_to_live",
                "class",
            ]),
            rows: self
                .updates
                .iter()
                .map(|u| {
                    vec![
                        u.plan.to_string(),
                        u.system_name.clone(),
                        u.title.clone(),
                        u.version_to.clone(),
                        fmt_time(u.live_at),
                        u.status.label(),
                        u.dossier.map(|d| d.to_string()).unwrap_or_default(),
                        u.request_to_live
                            .iter()
                            .map(|d| format!("{d:.1}"))
                            .collect::<Vec<_>>()
                            .join(" "),
                        days(u.approval_to_live),
                        u.class.label(),
                    ]
                })
                .collect(),
        });
        out.push(Table {
            name: "lead_times",
            title: title("lead_times"),
            header: h(&[
                "system",
                "requests",
                "request_median",
                "request_p90",
                "updates",
                "approval_median",
                "approval_p90",
            ]),
            rows: self
                .lead_times
                .iter()
                .map(|l| {
                    let [rn, rm, rp] = stats_cells(&l.request_to_live);
                    let [an, am, ap] = stats_cells(&l.approval_to_live);
                    let name = if l.system.is_none() {
                        t("report.all_systems", &[])
                    } else {
                        l.system_name.clone()
                    };
                    vec![name, rn, rm, rp, an, am, ap]
                })
                .collect(),
        });
        out.push(Table {
            name: "test_rounds",
            title: title("test_rounds"),
            header: h(&["plan", "system", "rounds", "test_items", "defects"]),
            rows: self
                .updates
                .iter()
                .map(|u| {
                    vec![
                        u.plan.to_string(),
                        u.system_name.clone(),
                        u.rounds.to_string(),
                        u.test_items.to_string(),
                        u.defects.to_string(),
                    ]
                })
                .collect(),
        });
        out.push(Table {
            name: "defects_by_severity",
            title: title("defects_by_severity"),
            header: h(&["severity", "defects", "open"]),
            rows: self
                .defects_by_severity
                .iter()
                .map(|s| vec![s.severity.label(), s.defects.to_string(), s.open.to_string()])
                .collect(),
        });
        let mut header = h(&["tester", "tester_type"]);
        header.extend(severities());
        header.extend(h(&["total", "weighted"]));
        out.push(Table {
            name: "defects_by_finder",
            title: title("defects_by_finder"),
            header,
            rows: self
                .defects_by_finder
                .iter()
                .map(|f| {
                    let mut r = vec![f.name.clone(), f.tester_type.label()];
                    r.extend(f.by_severity.iter().map(|n| n.to_string()));
                    r.push(f.total.to_string());
                    r.push(num(f.weighted));
                    r
                })
                .collect(),
        });
        out.push(Table {
            name: "blackout_overrides",
            title: title("blackout_overrides"),
            header: h(&["plan", "system", "title", "window", "status", "justification"]),
            rows: self
                .blackout_overrides
                .iter()
                .map(|o| {
                    vec![
                        o.plan.to_string(),
                        o.system_name.clone(),
                        o.title.clone(),
                        o.window_start.map(fmt_time).unwrap_or_default(),
                        o.status.label(),
                        o.justification.clone(),
                    ]
                })
                .collect(),
        });
        out.push(Table {
            name: "training",
            title: title("training"),
            header: h(&[
                "date",
                "plan",
                "system",
                "format",
                "trainer",
                "departments",
                "attendance",
            ]),
            rows: self
                .training
                .list
                .iter()
                .map(|s| {
                    vec![
                        s.date.to_string(),
                        s.plan.to_string(),
                        s.system_name.clone(),
                        s.format.label(),
                        s.trainer.clone(),
                        crate::i18n::list(s.departments.iter().cloned()),
                        s.attendance.to_string(),
                    ]
                })
                .collect(),
        });
        let mut header = h(&["channel", "total"]);
        header.extend(RequestStatus::ALL.iter().map(|s| s.label()));
        out.push(Table {
            name: "requests",
            title: title("requests"),
            header,
            rows: self
                .requests_by_channel
                .iter()
                .map(|c| {
                    let mut r = vec![c.channel.label(), c.total.to_string()];
                    r.extend(
                        RequestStatus::ALL
                            .iter()
                            .map(|s| c.by_status.get(s).copied().unwrap_or(0).to_string()),
                    );
                    r
                })
                .collect(),
        });
        out.push(Table {
            name: "overdue_orders",
            title: title("overdue_orders"),
            header: h(&["order", "target", "deadline", "status", "days_overdue"]),
            rows: self
                .orders
                .overdue
                .iter()
                .map(|o| {
                    vec![
                        o.id.to_string(),
                        o.target.clone(),
                        o.deadline.to_string(),
                        o.status.label(),
                        o.days_overdue.to_string(),
                    ]
                })
                .collect(),
        });
        out.extend(self.effect_tables());
        // Printed in every report so that supervisors keep it outside the system.
        out.push(Table {
            name: "chain_head",
            title: title("chain_head"),
            header: h(&["seq", "seal"]),
            rows: self
                .chain_head
                .iter()
                .map(|c| vec![c.seq.to_string(), c.seal.clone()])
                .collect(),
        });
        out
    }

    /// The effect section (§4.3): figures per system, per update, training coverage.
    pub fn effect_tables(&self) -> Vec<Table> {
        let title = |name: &str| t(&format!("report.table.{name}"), &[]);
        let e = &self.effect;
        let all = t("report.all_systems", &[]);
        vec![
            Table {
                name: "effect",
                title: title("effect"),
                header: h(&[
                    "system",
                    "updates",
                    "succeeded",
                    "success_rate",
                    "rolled_back",
                    "rollback_rate",
                    "failed",
                    "incidents",
                    "incidents_per_update",
                    "problem_reports",
                    "problem_reports_per_update",
                    "goals_met",
                    "goals_met_rate",
                    "reviews_done",
                    "reviews_overdue",
                ]),
                rows: e
                    .figures
                    .iter()
                    .map(|f| {
                        vec![
                            if f.system.is_none() {
                                all.clone()
                            } else {
                                f.system_name.clone()
                            },
                            f.updates.to_string(),
                            f.succeeded.to_string(),
                            percent(f.success_rate),
                            f.rolled_back.to_string(),
                            percent(f.rollback_rate),
                            f.failed.to_string(),
                            f.incidents.to_string(),
                            ratio(f.incidents_per_update),
                            f.problem_reports.to_string(),
                            ratio(f.problem_reports_per_update),
                            format!("{}/{}", f.goals[0], f.goals.iter().sum::<usize>()),
                            percent(f.goals_met_rate),
                            f.reviews_done.to_string(),
                            f.reviews_overdue.to_string(),
                        ]
                    })
                    .collect(),
            },
            Table {
                name: "effect_updates",
                title: title("effect_updates"),
                header: h(&[
                    "plan",
                    "system",
                    "title",
                    "first_attempt",
                    "outcome",
                    "attempts",
                    "rollbacks",
                    "incidents",
                    "problem_reports",
                    "goals",
                    "review",
                ]),
                rows: e
                    .updates
                    .iter()
                    .map(|u| {
                        vec![
                            u.plan.to_string(),
                            u.system_name.clone(),
                            u.title.clone(),
                            fmt_time(u.first_attempt),
                            u.outcome.label(),
                            u.attempts.to_string(),
                            u.rollbacks.to_string(),
                            u.incidents.to_string(),
                            u.problem_reports.to_string(),
                            format!("{}/{}/{}", u.goals[0], u.goals[1], u.goals[2]),
                            match (u.review, u.review_due) {
                                (super::effect::ReviewStatus::Due | super::effect::ReviewStatus::Overdue, Some(d)) => {
                                    format!("{} {}", u.review.label(), super::day(d))
                                }
                                _ => u.review.label(),
                            },
                        ]
                    })
                    .collect(),
            },
            Table {
                name: "training_coverage",
                title: title("training_coverage"),
                header: h(&["department", "sessions", "targeted", "attended", "coverage"]),
                rows: e
                    .training
                    .rows
                    .iter()
                    .map(|r| {
                        vec![
                            if r.department.is_empty() {
                                t("report.all_departments", &[])
                            } else {
                                r.department.clone()
                            },
                            r.sessions.to_string(),
                            r.targeted.to_string(),
                            r.attended.to_string(),
                            percent(r.coverage),
                        ]
                    })
                    .collect(),
            },
        ]
    }

    /// The report as a Markdown document: a summary, then every table.
    pub fn markdown(&self) -> String {
        let all = self.lead_times.first();
        let mut s = format!(
            "# {}\n\n",
            t(
                "report.md.title",
                &[("from", self.from.to_string()), ("to", self.to.to_string())]
            )
        );
        let summary = [
            ("report.md.updates", self.updates.len().to_string()),
            ("report.md.requests", self.requests_received.to_string()),
            (
                "report.md.request_lead",
                days(all.and_then(|l| l.request_to_live.median)),
            ),
            (
                "report.md.approval_lead",
                days(all.and_then(|l| l.approval_to_live.median)),
            ),
            ("report.md.mean_rounds", days(self.test_rounds.mean)),
            (
                "report.md.defects",
                self.defects_by_severity
                    .iter()
                    .map(|d| d.defects)
                    .sum::<usize>()
                    .to_string(),
            ),
            ("report.md.overrides", self.blackout_overrides.len().to_string()),
            (
                "report.md.training",
                t(
                    "report.md.training_value",
                    &[
                        ("sessions", self.training.sessions.to_string()),
                        ("attendance", self.training.attendance.to_string()),
                    ],
                ),
            ),
            (
                "report.md.orders",
                t(
                    "report.md.orders_value",
                    &[
                        ("issued", self.orders.issued.to_string()),
                        ("closed", self.orders.closed.to_string()),
                        ("overdue", self.orders.overdue.len().to_string()),
                        ("today", self.today.to_string()),
                    ],
                ),
            ),
        ];
        for (k, v) in summary {
            s.push_str(&format!("- {}: {v}\n", t(k, &[])));
        }
        if let Some(f) = self.effect.figures.first() {
            s.push_str(&format!(
                "- {}: {}\n",
                t("report.md.effect", &[]),
                t(
                    "report.md.effect_value",
                    &[
                        ("updates", f.updates.to_string()),
                        ("success", percent(f.success_rate)),
                        ("rollback", percent(f.rollback_rate)),
                        ("failed", f.failed.to_string()),
                        ("goals", percent(f.goals_met_rate)),
                        ("overdue", f.reviews_overdue.to_string()),
                        ("without", self.effect.training.without_audience.to_string(),),
                    ]
                )
            ));
        }
        for table in self.tables() {
            s.push('\n');
            s.push_str(&markdown_table(&table));
        }
        s
    }
}

impl Contributions {
    pub fn tables(&self) -> Vec<Table> {
        let title = |name: &str| t(&format!("report.table.{name}"), &[]);
        let mut header = h(&["person_id", "person", "department", "adopted", "problems"]);
        header.extend(severities());
        header.extend(h(&[
            "defect_score",
            "help",
            "trainings",
            "awards",
            "penalties",
            "team_awards",
        ]));
        let people = Table {
            name: "people",
            title: title("people"),
            header,
            rows: self
                .people
                .iter()
                .map(|p| {
                    let id = match (p.person, p.ambiguous) {
                        (Some(id), _) => id.to_string(),
                        (None, true) => t("report.ambiguous", &[]),
                        (None, false) => "-".into(),
                    };
                    let mut r = vec![
                        id,
                        p.name.clone(),
                        p.department.clone(),
                        p.adopted.to_string(),
                        p.problems.to_string(),
                    ];
                    r.extend(p.defects.iter().map(|n| n.to_string()));
                    r.extend([
                        num(p.defect_score),
                        p.help.to_string(),
                        p.trainings.to_string(),
                        p.awards.to_string(),
                        p.penalties.to_string(),
                        p.team_awards.to_string(),
                    ]);
                    r
                })
                .collect(),
        };
        let mut header = h(&["department", "adopted", "problems"]);
        header.extend(severities());
        header.extend(h(&["defect_score", "help", "trainings", "awards", "penalties"]));
        let departments = Table {
            name: "departments",
            title: title("departments"),
            header,
            rows: self
                .departments
                .iter()
                .map(|d| {
                    let mut r = vec![d.department.clone(), d.adopted.to_string(), d.problems.to_string()];
                    r.extend(d.defects.iter().map(|n| n.to_string()));
                    r.extend([
                        num(d.defect_score),
                        d.help.to_string(),
                        d.trainings.to_string(),
                        d.awards.to_string(),
                        d.penalties.to_string(),
                    ]);
                    r
                })
                .collect(),
        };
        let recognitions = Table {
            name: "recognitions",
            title: title("recognitions"),
            header: h(&["id", "date", "kind", "recipient", "reason", "related", "issued_by"]),
            rows: self.recognitions.iter().map(recognition_row).collect(),
        };
        vec![people, departments, recognitions]
    }

    pub fn markdown(&self) -> String {
        let mut s = format!(
            "# {}\n\n",
            t(
                "report.md.contributions_title",
                &[("from", self.from.to_string()), ("to", self.to.to_string())]
            )
        );
        let weights = self
            .weights
            .iter()
            .map(|(sev, w)| format!("{} {}", sev.label(), num(*w)))
            .collect::<Vec<_>>()
            .join(", ");
        s.push_str(&format!(
            "- {}: {weights}\n- {}\n",
            t("report.md.weights", &[]),
            t("report.md.adopted_rule", &[])
        ));
        if self.unresolved > 0 {
            s.push_str(&format!(
                "- {}\n",
                t("report.md.unresolved", &[("n", self.unresolved.to_string())])
            ));
        }
        for table in self.tables() {
            s.push('\n');
            s.push_str(&markdown_table(&table));
        }
        s
    }
}

/// A recognition as a table row: id, date, kind, recipient, reason, related, issuer.
pub fn recognition_row(r: &Recognition) -> Vec<String> {
    let who = match &r.recipient {
        Recipient::Person(n) => n.clone(),
        Recipient::Department(n) => format!("{} ({})", n, t("report.department", &[])),
        Recipient::Team { name, members } => format!(
            "{} ({}: {})",
            name,
            t("report.team", &[]),
            crate::i18n::list(members.iter().cloned())
        ),
    };
    vec![
        r.id.to_string(),
        r.date.to_string(),
        r.kind.label(),
        who,
        r.reason.clone(),
        r.related.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(" "),
        r.issued_by.clone(),
    ]
}

fn md_cell(s: &str) -> String {
    crate::sanitize::clean_line(s)
        .replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace(['\n', '\r'], " ")
}

/// `## title` and a pipe table (or a line saying there is nothing).
pub fn markdown_table(table: &Table) -> String {
    let mut s = format!("## {}\n\n", md_cell(&table.title));
    if table.rows.is_empty() {
        s.push_str(&format!("{}\n", t("report.none", &[])));
        return s;
    }
    let line = |cells: &[String]| {
        format!(
            "| {} |\n",
            cells.iter().map(|c| md_cell(c)).collect::<Vec<_>>().join(" | ")
        )
    };
    s.push_str(&line(&table.header));
    s.push_str(&format!("|{}\n", " --- |".repeat(table.header.len())));
    for r in &table.rows {
        s.push_str(&line(r));
    }
    s
}

fn csv_cell(s: &str) -> String {
    let mut s = crate::sanitize::clean(s);
    // As in every CSV beian writes: a spreadsheet must not run a cell as a formula.
    if s.starts_with(['=', '+', '-', '@']) && s != "-" && s.parse::<f64>().is_err() {
        s.insert(0, '\'');
    }
    if s.contains([',', '"', '\n', '\r']) || s.starts_with(' ') || s.ends_with(' ') {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// One table as CSV: the header, then the rows (CRLF line ends, RFC 4180; a
/// cell starting with `=`, `+`, `-` or `@` gets a leading `'`).
pub fn csv_table(table: &Table) -> String {
    let mut s = String::new();
    for r in std::iter::once(&table.header).chain(table.rows.iter()) {
        s.push_str(&r.iter().map(|c| csv_cell(c)).collect::<Vec<_>>().join(","));
        s.push_str("\r\n");
    }
    s
}

/// Every table as CSV, each section opened by a line with its name and separated
/// by an empty line; `--table NAME` gives one plain table instead.
pub fn csv_sections(tables: &[Table]) -> String {
    tables
        .iter()
        .map(|t| format!("{}\r\n{}", csv_cell(t.name), csv_table(t)))
        .collect::<Vec<_>>()
        .join("\r\n")
}
