//! Periodic evaluation (§4.3) and contributions (§5.2): pure functions over the
//! records, no I/O.
//!
//! The service loads a [`ReportInput`] (every request, every plan — filed ones as
//! frozen in their dossier —, every order and every award or penalty) and calls
//! [`evaluate`] or [`contributions`]; the CLI renders the result with
//! [`render`]. Loading every record is acceptable at the IMC's scale for now; the
//! performance issue will add indexes by date.
//!
//! Days are the local calendar days the rest of beian shows. A period
//! `from..=to` takes, for each figure, the records whose own date falls in it:
//! go-lives by their time, defects by when they were reported, training by its
//! date, requests by when they were received, overrides by the start of the
//! window, awards and penalties by their date. Overdue orders are those open past
//! their deadline on `today`, whatever the period.

pub mod effect;
pub mod render;

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::model::*;

/// Severity weights of a defect found in testing, for contributions (§5.2):
/// finding a critical defect counts 5, major 3, minor 1, trivial 0.5.
pub const SEVERITY_WEIGHTS: [(Severity, f64); 4] = [
    (Severity::Critical, 5.0),
    (Severity::Major, 3.0),
    (Severity::Minor, 1.0),
    (Severity::Trivial, 0.5),
];

/// The weight of one defect of `s`.
pub fn weight(s: Severity) -> f64 {
    SEVERITY_WEIGHTS.iter().find(|(v, _)| *v == s).map_or(0.0, |(_, w)| *w)
}

/// What the reports are computed from: what the service returns.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReportInput {
    pub systems: Vec<SystemSummary>,
    pub requests: Vec<Request>,
    /// Every plan: filed ones as frozen in their dossier, the others as stored.
    pub plans: Vec<Plan>,
    pub orders: Vec<RectificationOrder>,
    pub recognitions: Vec<Recognition>,
    /// The day overdue orders are judged on.
    pub today: NaiveDate,
    /// The addenda of each filed plan's dossier (incidents, training and
    /// reviews recorded after filing), by plan.
    #[serde(default)]
    pub addenda: Vec<(Id, Vec<Addendum>)>,
    /// When each live or filed plan's post-implementation review is due
    /// (`workflow::review_due`: the rules of its class).
    #[serde(default)]
    pub review_due: Vec<(Id, Time)>,
    /// The register people are linked to (issue 18 §3).
    #[serde(default)]
    pub register: Register,
    /// Each system's vendor as written on the system.
    #[serde(default)]
    pub system_vendors: Vec<(Id, String)>,
}

/// The local calendar day of a time.
pub fn day(t: Time) -> NaiveDate {
    t.with_timezone(&chrono::Local).date_naive()
}

fn month(t: Time) -> String {
    t.with_timezone(&chrono::Local).format("%Y-%m").to_string()
}

/// Days from `a` to `b`, to three decimals (about a minute and a half), so that
/// every figure reads back from JSON exactly.
fn days_between(a: Time, b: Time) -> f64 {
    round3((b - a).num_seconds() as f64 / 86_400.0)
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// Median and 90th percentile of a sample, in days.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Stats {
    pub count: usize,
    /// The middle value; for an even count, the mean of the two middle ones.
    pub median: Option<f64>,
    /// Nearest rank: the smallest value with at least 90% of the sample at or below it.
    pub p90: Option<f64>,
}

impl Stats {
    pub fn of(values: &[f64]) -> Stats {
        let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
        v.sort_by(f64::total_cmp);
        let n = v.len();
        if n == 0 {
            return Stats::default();
        }
        let median = if n % 2 == 1 {
            v[n / 2]
        } else {
            (v[n / 2 - 1] + v[n / 2]) / 2.0
        };
        let rank = (0.9 * n as f64).ceil().max(1.0) as usize;
        Stats {
            count: n,
            median: Some(median),
            p90: Some(v[rank - 1]),
        }
    }
}

/// One update that went live in the period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UpdateRow {
    pub plan: Id,
    pub system: Id,
    pub system_name: String,
    pub title: String,
    pub version_to: String,
    pub status: PlanStatus,
    pub live_at: Time,
    /// `YYYY-MM` of the go-live.
    pub month: String,
    pub dossier: Option<Id>,
    pub rounds: usize,
    pub test_items: usize,
    pub defects: usize,
    /// Days from each linked request's receipt to the go-live.
    pub request_to_live: Vec<f64>,
    /// Days from the (last) approval to the go-live.
    pub approval_to_live: Option<f64>,
    /// The plan's change class.
    #[serde(default)]
    pub class: ChangeClass,
}

/// Updates that went live in the period, of one change class.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassCount {
    pub class: ChangeClass,
    pub updates: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SystemMonth {
    pub system: Id,
    pub system_name: String,
    pub month: String,
    pub updates: usize,
}

/// Lead times of one system, or of all (`system: None`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeadTimes {
    pub system: Option<Id>,
    pub system_name: String,
    pub request_to_live: Stats,
    pub approval_to_live: Stats,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RoundStats {
    pub updates: usize,
    pub rounds: usize,
    pub mean: Option<f64>,
    pub max: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeverityCount {
    pub severity: Severity,
    pub defects: usize,
    /// Of those, still open.
    pub open: usize,
}

/// Defects found by one tester, by severity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FinderRow {
    pub name: String,
    pub tester_type: TesterType,
    /// Counts in the order of [`Severity::ALL`].
    pub by_severity: [usize; 4],
    pub total: usize,
    pub weighted: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OverrideRow {
    pub plan: Id,
    pub system_name: String,
    pub title: String,
    pub status: PlanStatus,
    pub window_start: Option<Time>,
    pub justification: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingRow {
    pub plan: Id,
    pub system_name: String,
    pub date: NaiveDate,
    pub format: TrainingFormat,
    pub trainer: String,
    pub departments: Vec<String>,
    pub attendance: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingFormatRow {
    pub format: TrainingFormat,
    pub sessions: usize,
    pub attendance: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TrainingSummary {
    pub sessions: usize,
    pub attendance: u64,
    pub by_format: Vec<TrainingFormatRow>,
    pub list: Vec<TrainingRow>,
}

/// Requests received in the period through one channel, by current status.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChannelRow {
    pub channel: Channel,
    pub total: usize,
    pub by_status: BTreeMap<RequestStatus, usize>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderRow {
    pub id: Id,
    pub target: String,
    pub deadline: NaiveDate,
    pub status: OrderStatus,
    pub days_overdue: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OrderSummary {
    /// Issued in the period.
    pub issued: usize,
    /// Of those, closed.
    pub closed: usize,
    /// Open past their deadline on `today` (any period).
    pub overdue: Vec<OrderRow>,
}

/// The periodic evaluation of §4.3.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub today: NaiveDate,
    pub updates: Vec<UpdateRow>,
    pub updates_by_system_month: Vec<SystemMonth>,
    /// The updates of the period per change class, every class.
    #[serde(default)]
    pub updates_by_class: Vec<ClassCount>,
    /// All systems first, then one row per system with an update.
    pub lead_times: Vec<LeadTimes>,
    pub test_rounds: RoundStats,
    pub defects_by_severity: Vec<SeverityCount>,
    pub defects_by_finder: Vec<FinderRow>,
    pub blackout_overrides: Vec<OverrideRow>,
    pub training: TrainingSummary,
    pub requests_received: usize,
    pub requests_by_channel: Vec<ChannelRow>,
    pub orders: OrderSummary,
    /// Whether the updates worked (§4.3): [`effect::effect`].
    #[serde(default)]
    pub effect: effect::Effect,
    /// The head of the audit hash chain when the report was made: supervisors
    /// keep it outside the system (`beian verify --expect`).
    #[serde(default)]
    pub chain_head: Option<crate::store::chain::ChainHead>,
}

/// Days are finite by construction ([`Stats::of`] drops the rest), so equality is
/// an equivalence; the server's messages, which carry reports, need `Eq`.
impl Eq for Report {}
impl Eq for Contributions {}

fn in_period(d: NaiveDate, from: NaiveDate, to: NaiveDate) -> bool {
    d >= from && d <= to
}

fn system_name(input: &ReportInput, id: Id) -> String {
    input
        .systems
        .iter()
        .find(|s| s.id == id)
        .map_or_else(|| id.to_string(), |s| s.name.clone())
}

fn order_target(t: &OrderTarget) -> String {
    match t {
        OrderTarget::Plan(p) => p.to_string(),
        OrderTarget::Department(d) => d.clone(),
    }
}

/// The evaluation of the period `from..=to`.
pub fn evaluate(input: &ReportInput, from: NaiveDate, to: NaiveDate) -> Report {
    let requests: BTreeMap<Id, &Request> = input.requests.iter().map(|r| (r.id, r)).collect();

    // Updates: plans live or filed whose go-live falls in the period.
    let mut updates: Vec<UpdateRow> = Vec::new();
    for p in &input.plans {
        if !matches!(p.status, PlanStatus::Live | PlanStatus::Filed) {
            continue;
        }
        let Some(g) = p.live_golive() else { continue };
        if !in_period(day(g.time), from, to) {
            continue;
        }
        let approval = p
            .approvals
            .iter()
            .rev()
            .find(|a| a.decision == Decision::Approved)
            .map(|a| days_between(a.time, g.time));
        updates.push(UpdateRow {
            plan: p.id,
            system: p.system,
            system_name: system_name(input, p.system),
            title: p.title.clone(),
            version_to: p.version_to.clone(),
            status: p.status,
            live_at: g.time,
            month: month(g.time),
            dossier: p.dossier,
            rounds: p.rounds.len(),
            test_items: p.rounds.iter().map(|r| r.items.len()).sum(),
            defects: p.defects.len(),
            request_to_live: p
                .requests
                .iter()
                .filter_map(|id| requests.get(id))
                .map(|r| days_between(r.received_at, g.time))
                .collect(),
            approval_to_live: approval,
            class: p.class,
        });
    }
    updates.sort_by(|a, b| a.live_at.cmp(&b.live_at).then(a.plan.cmp(&b.plan)));

    let mut by_month: BTreeMap<(String, Id, String), usize> = BTreeMap::new();
    for u in &updates {
        *by_month
            .entry((u.system_name.clone(), u.system, u.month.clone()))
            .or_default() += 1;
    }
    let updates_by_system_month = by_month
        .into_iter()
        .map(|((system_name, system, month), updates)| SystemMonth {
            system,
            system_name,
            month,
            updates,
        })
        .collect();

    let lead = |rows: &[&UpdateRow], system: Option<Id>, name: String| LeadTimes {
        system,
        system_name: name,
        request_to_live: Stats::of(
            &rows
                .iter()
                .flat_map(|u| u.request_to_live.iter().copied())
                .collect::<Vec<_>>(),
        ),
        approval_to_live: Stats::of(&rows.iter().filter_map(|u| u.approval_to_live).collect::<Vec<_>>()),
    };
    let all: Vec<&UpdateRow> = updates.iter().collect();
    let mut lead_times = vec![lead(&all, None, String::new())];
    let systems: BTreeSet<(String, Id)> = updates.iter().map(|u| (u.system_name.clone(), u.system)).collect();
    for (name, id) in systems {
        let rows: Vec<&UpdateRow> = updates.iter().filter(|u| u.system == id).collect();
        lead_times.push(lead(&rows, Some(id), name));
    }

    let rounds: usize = updates.iter().map(|u| u.rounds).sum();
    let test_rounds = RoundStats {
        updates: updates.len(),
        rounds,
        mean: (!updates.is_empty()).then(|| round3(rounds as f64 / updates.len() as f64)),
        max: updates.iter().map(|u| u.rounds).max().unwrap_or(0),
    };

    // Defects reported in the period, on any plan.
    let defects: Vec<&Defect> = input
        .plans
        .iter()
        .flat_map(|p| p.defects.iter())
        .filter(|d| in_period(day(d.reported_at), from, to))
        .collect();
    let defects_by_severity = Severity::ALL
        .iter()
        .map(|&s| SeverityCount {
            severity: s,
            defects: defects.iter().filter(|d| d.severity == s).count(),
            open: defects
                .iter()
                .filter(|d| d.severity == s && d.status == DefectStatus::Open)
                .count(),
        })
        .collect();
    let mut finders: BTreeMap<(String, TesterType), [usize; 4]> = BTreeMap::new();
    for d in &defects {
        let i = Severity::ALL.iter().position(|s| *s == d.severity).unwrap_or(0);
        finders.entry((d.found_by.name.clone(), d.found_by.kind)).or_default()[i] += 1;
    }
    let mut defects_by_finder: Vec<FinderRow> = finders
        .into_iter()
        .map(|((name, tester_type), by)| FinderRow {
            name,
            tester_type,
            by_severity: by,
            total: by.iter().sum(),
            weighted: Severity::ALL.iter().zip(by).map(|(s, n)| weight(*s) * n as f64).sum(),
        })
        .collect();
    defects_by_finder.sort_by(|a, b| b.weighted.total_cmp(&a.weighted).then(a.name.cmp(&b.name)));

    let mut blackout_overrides: Vec<OverrideRow> = input
        .plans
        .iter()
        .filter_map(|p| {
            // Each justification names its period; one from before they did stays as written.
            let mut all: Vec<String> = p
                .blackout_overrides
                .iter()
                .map(|o| format!("{}：{}", o.period, o.reason))
                .collect();
            all.extend(p.blackout_override.iter().filter(|j| !j.trim().is_empty()).cloned());
            if all.is_empty() {
                return None;
            }
            let just = all.join("；");
            let start = p.window.as_ref().map(|w| w.start);
            if !start.is_some_and(|s| in_period(day(s), from, to)) {
                return None;
            }
            Some(OverrideRow {
                plan: p.id,
                system_name: system_name(input, p.system),
                title: p.title.clone(),
                status: p.status,
                window_start: start,
                justification: just,
            })
        })
        .collect();
    blackout_overrides.sort_by(|a, b| a.window_start.cmp(&b.window_start).then(a.plan.cmp(&b.plan)));

    let mut list: Vec<TrainingRow> = input
        .plans
        .iter()
        .flat_map(|p| p.training.iter().map(move |t| (p, t)))
        .filter(|(_, t)| in_period(t.date, from, to))
        .map(|(p, t)| TrainingRow {
            plan: p.id,
            system_name: system_name(input, p.system),
            date: t.date,
            format: t.format,
            trainer: t.trainer.clone(),
            departments: t.departments.clone(),
            attendance: t.attendance,
        })
        .collect();
    list.sort_by(|a, b| a.date.cmp(&b.date).then(a.plan.cmp(&b.plan)));
    let training = TrainingSummary {
        sessions: list.len(),
        attendance: list.iter().map(|t| t.attendance as u64).sum(),
        by_format: TrainingFormat::ALL
            .iter()
            .map(|&f| TrainingFormatRow {
                format: f,
                sessions: list.iter().filter(|t| t.format == f).count(),
                attendance: list.iter().filter(|t| t.format == f).map(|t| t.attendance as u64).sum(),
            })
            .collect(),
        list,
    };

    let received: Vec<&Request> = input
        .requests
        .iter()
        .filter(|r| in_period(day(r.received_at), from, to))
        .collect();
    let requests_by_channel = Channel::ALL
        .iter()
        .map(|&c| {
            let of: Vec<&&Request> = received.iter().filter(|r| r.channel == c).collect();
            ChannelRow {
                channel: c,
                total: of.len(),
                by_status: RequestStatus::ALL
                    .iter()
                    .map(|&s| (s, of.iter().filter(|r| r.status == s).count()))
                    .collect(),
            }
        })
        .collect();

    let issued: Vec<&RectificationOrder> = input
        .orders
        .iter()
        .filter(|o| in_period(day(o.meta.created_at), from, to))
        .collect();
    let orders = OrderSummary {
        issued: issued.len(),
        closed: issued.iter().filter(|o| o.status == OrderStatus::Closed).count(),
        overdue: input
            .orders
            .iter()
            .filter(|o| o.overdue(input.today))
            .map(|o| OrderRow {
                id: o.id,
                target: order_target(&o.target),
                deadline: o.deadline,
                status: o.status,
                days_overdue: (input.today - o.deadline).num_days(),
            })
            .collect(),
    };

    let updates_by_class = ChangeClass::ALL
        .iter()
        .map(|&class| ClassCount {
            class,
            updates: updates.iter().filter(|u| u.class == class).count(),
        })
        .collect();
    Report {
        effect: effect::effect(input, from, to),
        chain_head: None,
        from,
        to,
        today: input.today,
        updates_by_class,
        updates,
        updates_by_system_month,
        lead_times,
        test_rounds,
        defects_by_severity,
        defects_by_finder,
        blackout_overrides,
        training,
        requests_received: received.len(),
        requests_by_channel,
        orders,
    }
}

/// A name as the records write it, `王磊（信息化管理中心）` or `Li (CS)`, split
/// into the person and the department in brackets (empty when there is none).
pub fn split_affiliation(name: &str) -> (String, String) {
    let n = name.trim();
    for (open, close) in [('（', '）'), ('(', ')')] {
        if let Some(rest) = n.strip_suffix(close) {
            if let Some(i) = rest.find(open) {
                let person = rest[..i].trim();
                let dept = rest[i + open.len_utf8()..].trim();
                if !person.is_empty() {
                    return (person.to_string(), dept.to_string());
                }
            }
        }
    }
    (n.to_string(), String::new())
}

/// One person's contributions in the period (§5.2).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PersonRow {
    /// The person of the register the names are linked to (issue 18 §3);
    /// `None`: nobody of the register (counted by name and department) or a
    /// name several people carry (`ambiguous`).
    #[serde(default)]
    pub person: Option<Id>,
    pub name: String,
    /// The register's department of the person, else the one the records give
    /// (a submitter's request, or in brackets after a tester's name).
    pub department: String,
    /// Several people of the register carry this name: counted as written
    /// until an operator resolves it (`beian people resolve`).
    #[serde(default)]
    pub ambiguous: bool,
    /// Their suggestions adopted into a plan that went live in the period.
    pub adopted: usize,
    /// Their problem reports fixed by a plan that went live in the period.
    #[serde(default)]
    pub problems: usize,
    /// Defects they found in the period, in the order of [`Severity::ALL`].
    pub defects: [usize; 4],
    /// Defects weighted by [`SEVERITY_WEIGHTS`].
    pub defect_score: f64,
    /// Technical help: plans that went live in the period with them on the staff.
    #[serde(default)]
    pub help: usize,
    /// Training sessions they gave in the period.
    #[serde(default)]
    pub trainings: usize,
    pub awards: usize,
    pub penalties: usize,
    /// Awards in the period to a project team they were a member of.
    #[serde(default)]
    pub team_awards: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DepartmentRow {
    pub department: String,
    /// Suggestions from the department (its requests) adopted into a plan
    /// that went live in the period.
    pub adopted: usize,
    #[serde(default)]
    pub problems: usize,
    pub defects: [usize; 4],
    pub defect_score: f64,
    #[serde(default)]
    pub help: usize,
    #[serde(default)]
    pub trainings: usize,
    /// Awards and penalties given to the department itself.
    pub awards: usize,
    pub penalties: usize,
}

/// Contributions of §5.2 in a period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contributions {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub weights: Vec<(Severity, f64)>,
    pub people: Vec<PersonRow>,
    pub departments: Vec<DepartmentRow>,
    /// Awards and penalties dated in the period.
    pub recognitions: Vec<Recognition>,
    /// Names written in the records that the register does not settle
    /// (ambiguous, or nobody of it, submitters aside): `beian people resolve`.
    #[serde(default)]
    pub unresolved: usize,
}

/// A row's score, for the order of the tables: adopted suggestions, fixed
/// problem reports, weighted defects, technical help and training, one each.
fn score(adopted: usize, problems: usize, defects: f64, help: usize, trainings: usize) -> f64 {
    (adopted + problems + help + trainings) as f64 + defects
}

/// Suggestions adopted into live plans, fixed problem reports, weighted
/// defects, technical help and training per person and department, with the
/// awards and penalties of the period. People are linked to the register
/// ([`crate::workflow::people::who`]): one row per person, whatever way the
/// records write their name.
///
/// Periods: a request counts when the plan that adopted it went live (the
/// go-live that made it live), staff when their plan went live, a defect
/// when it was reported, a training when it was given, an award on its date.
pub fn contributions(input: &ReportInput, from: NaiveDate, to: NaiveDate) -> Contributions {
    use crate::workflow::people::{who, Who};
    let reg = &input.register;
    let mut people: BTreeMap<Who, PersonRow> = BTreeMap::new();
    let mut depts: BTreeMap<String, DepartmentRow> = BTreeMap::new();
    fn dept<'a>(m: &'a mut BTreeMap<String, DepartmentRow>, name: &str) -> Option<&'a mut DepartmentRow> {
        let name = name.trim();
        (!name.is_empty()).then(|| {
            m.entry(name.to_string()).or_insert_with(|| DepartmentRow {
                department: name.to_string(),
                ..Default::default()
            })
        })
    }
    // The row of a name as written (`None`: it names a vendor, or a
    // department, whose row `dept_of` gives), and the department it counts for.
    let row_of = |people: &mut BTreeMap<Who, PersonRow>, text: &str, context: &str| -> (Option<Who>, String) {
        let w = who(reg, text, context);
        let (name, department, person, ambiguous) = match &w {
            Who::Person(id) => {
                let p = reg.people.iter().find(|p| p.id == *id);
                (
                    p.map(|p| p.name.clone()).unwrap_or_default(),
                    p.map(|p| p.department.clone()).unwrap_or_default(),
                    Some(*id),
                    false,
                )
            }
            Who::Named { name, department } => (name.clone(), department.clone(), None, false),
            Who::Ambiguous(text) => (text.clone(), context.trim().to_string(), None, true),
            Who::Department(d) => return (None, d.clone()),
            Who::Vendor => return (None, String::new()),
        };
        people.entry(w.clone()).or_insert_with(|| PersonRow {
            person,
            name,
            department: department.clone(),
            ambiguous,
            ..Default::default()
        });
        (Some(w), department)
    };

    // Plans that went live in the period, by id.
    let live_in: BTreeMap<Id, &Plan> = input
        .plans
        .iter()
        .filter(|p| p.live_golive().is_some_and(|g| in_period(day(g.time), from, to)))
        .map(|p| (p.id, p))
        .collect();
    for r in &input.requests {
        if !r.plan.is_some_and(|p| live_in.contains_key(&p)) {
            continue;
        }
        let feature = r.kind == RequestKind::Feature;
        if r.submitter.kind != SubmitterType::Department {
            if let (Some(w), _) = row_of(&mut people, &r.submitter.name, &r.department) {
                let p = people.get_mut(&w).expect("row just made");
                if feature {
                    p.adopted += 1;
                } else {
                    p.problems += 1;
                }
            }
        }
        if let Some(d) = dept(&mut depts, &r.department) {
            if feature {
                d.adopted += 1;
            } else {
                d.problems += 1;
            }
        }
    }
    for p in live_in.values() {
        let mut seen = BTreeSet::new();
        for s in &p.staff {
            let (w, department) = row_of(&mut people, &s.person, "");
            if !seen.insert((w.clone(), department.clone())) {
                continue;
            }
            if let Some(w) = w {
                people.get_mut(&w).expect("row just made").help += 1;
            }
            if let Some(d) = dept(&mut depts, &department) {
                d.help += 1;
            }
        }
    }
    for d in input.plans.iter().flat_map(|p| p.defects.iter()) {
        if !in_period(day(d.reported_at), from, to) {
            continue;
        }
        let i = Severity::ALL.iter().position(|s| *s == d.severity).unwrap_or(0);
        let (w, department) = row_of(&mut people, &d.found_by.name, "");
        if let Some(w) = w {
            let p = people.get_mut(&w).expect("row just made");
            p.defects[i] += 1;
            p.defect_score += weight(d.severity);
        }
        if let Some(dr) = dept(&mut depts, &department) {
            dr.defects[i] += 1;
            dr.defect_score += weight(d.severity);
        }
    }
    let addendum_training = input
        .addenda
        .iter()
        .flat_map(|(_, list)| list.iter())
        .filter_map(|a| match &a.body {
            AddendumBody::Training(t) => Some(t),
            _ => None,
        });
    for t in input
        .plans
        .iter()
        .flat_map(|p| p.training.iter())
        .chain(addendum_training)
    {
        if !in_period(t.date, from, to) {
            continue;
        }
        let mut seen = BTreeSet::new();
        for name in crate::workflow::people::trainers(&t.trainer) {
            let (w, department) = row_of(&mut people, name, "");
            if let Some(w) = w {
                if seen.insert(w.clone()) {
                    people.get_mut(&w).expect("row just made").trainings += 1;
                }
            }
            if seen.insert(crate::workflow::people::Who::Department(department.clone())) {
                if let Some(d) = dept(&mut depts, &department) {
                    d.trainings += 1;
                }
            }
        }
    }
    let mut recognitions: Vec<Recognition> = input
        .recognitions
        .iter()
        .filter(|r| in_period(r.date, from, to))
        .cloned()
        .collect();
    recognitions.sort_by(|a, b| a.date.cmp(&b.date).then(a.id.cmp(&b.id)));
    for r in &recognitions {
        let award = r.kind == RecognitionKind::Award;
        let count = |d: Option<&mut DepartmentRow>| {
            if let Some(d) = d {
                if award {
                    d.awards += 1;
                } else {
                    d.penalties += 1;
                }
            }
        };
        match &r.recipient {
            Recipient::Person(n) => match row_of(&mut people, n, "") {
                (Some(w), _) => {
                    let p = people.get_mut(&w).expect("row just made");
                    if award {
                        p.awards += 1;
                    } else {
                        p.penalties += 1;
                    }
                }
                (None, department) => count(dept(&mut depts, &department)),
            },
            Recipient::Department(n) => {
                let name = reg
                    .department(n)
                    .map_or_else(|| n.trim().to_string(), |d| d.name.clone());
                count(dept(&mut depts, &name));
            }
            Recipient::Team { members, .. } => {
                let mut seen = BTreeSet::new();
                for m in members {
                    if let (Some(w), _) = row_of(&mut people, m, "") {
                        if seen.insert(w.clone()) && award {
                            people.get_mut(&w).expect("row just made").team_awards += 1;
                        }
                    }
                }
            }
        }
    }
    let mut people: Vec<PersonRow> = people.into_values().collect();
    people.sort_by(|a, b| {
        score(b.adopted, b.problems, b.defect_score, b.help, b.trainings)
            .total_cmp(&score(a.adopted, a.problems, a.defect_score, a.help, a.trainings))
            .then(a.name.cmp(&b.name))
            .then(a.department.cmp(&b.department))
    });
    let mut departments: Vec<DepartmentRow> = depts.into_values().collect();
    departments.sort_by(|a, b| {
        score(b.adopted, b.problems, b.defect_score, b.help, b.trainings)
            .total_cmp(&score(a.adopted, a.problems, a.defect_score, a.help, a.trainings))
            .then(a.department.cmp(&b.department))
    });
    let mentions =
        crate::workflow::people::mentions(&input.requests, &input.plans, &input.addenda, &input.system_vendors);
    Contributions {
        from,
        to,
        weights: SEVERITY_WEIGHTS.to_vec(),
        people,
        departments,
        recognitions,
        unresolved: crate::workflow::people::unresolved(reg, &mentions, false).len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_and_p90() {
        let s = Stats::of(&[3.0, 1.0, 2.0]);
        assert_eq!((s.count, s.median, s.p90), (3, Some(2.0), Some(3.0)));
        let s = Stats::of(&[1.0, 2.0, 3.0, 4.0]);
        assert_eq!(s.median, Some(2.5));
        let ten: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(Stats::of(&ten).p90, Some(9.0));
        assert_eq!(Stats::of(&[]), Stats::default());
    }

    #[test]
    fn names_with_departments() {
        assert_eq!(
            split_affiliation("王磊（信息化管理中心）"),
            ("王磊".into(), "信息化管理中心".into())
        );
        assert_eq!(split_affiliation("Li (CS)"), ("Li".into(), "CS".into()));
        assert_eq!(
            split_affiliation("何颖（后勤保障处（一卡通中心））"),
            ("何颖".into(), "后勤保障处（一卡通中心）".into())
        );
        assert_eq!(split_affiliation("张同学"), ("张同学".into(), String::new()));
        assert_eq!(split_affiliation("（无名）"), ("（无名）".into(), String::new()));
    }

    #[test]
    fn weights_are_documented() {
        assert_eq!(weight(Severity::Critical), 5.0);
        assert_eq!(weight(Severity::Major), 3.0);
        assert_eq!(weight(Severity::Minor), 1.0);
        assert_eq!(weight(Severity::Trivial), 0.5);
    }
}
