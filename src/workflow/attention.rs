//! What needs someone now (issue 17 §1): the attention list.
//!
//! One pure function, [`attention`], decides it from the records the service
//! hands it, the thresholds of `config.toml` `[attention]`, the process
//! settings (each class's notice and review days) and the clock, as an
//! argument. Each item says what is wrong ([`AttentionKind`]), about which
//! record, since when, and which role should act; its text is drawn from
//! those in the reader's language ([`AttentionItem::why`]). The kinds are an
//! enum so that later kinds (a call to make, a digest's own) add a variant, a
//! rule and a locale key.
//!
//! | kind | clause | when | role |
//! | --- | --- | --- | --- |
//! | live, not filed | §3.5, §4.3 file every update | `unfiled_days` after the go-live | operator |
//! | window passed | §3.2, §3.4 | the window ended and the plan never went live | operator |
//! | notice due | §3.2 notice | `notice_warn_days` before the notice deadline (window start less the class's `notice_days`), notice unpublished | operator (approved), approver (submitted) |
//! | approval waiting | §2.1 | submitted `approval_days` ago | approver |
//! | order due / overdue | §5.1 deadlines | `order_due_days` before the deadline in force; past it | operator (open), supervisor (responded) |
//! | request waiting | §3.1, §4.3 promptly | new or triaged `request_days` after it was received | operator |
//! | defect open | §3.3 | critical/major open `defect_days` | operator |
//! | blackout over window | §3.2 | a period the committed window may not lie in | operator |
//! | review missing | §4.3 evaluate | an emergency change from its go-live; any live update once its review is overdue | operator |
//! | vendor ticket | §3.3 send to the vendor | a defect with a vendor reference open `vendor_days` | operator |

use std::collections::BTreeMap;

use chrono::Duration;
use serde::{Deserialize, Serialize};

use super::after::{review_due, review_state, ReviewState};
use crate::config::{Attention as Thresholds, Process};
use crate::model::*;

/// What needs someone. Stable names (`live_unfiled` …) in JSON and in the
/// locale (`attention.kind.<name>`, `attention.why.<name>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttentionKind {
    /// An order past its deadline, not closed.
    OrderOverdue,
    /// A notice whose deadline is near or passed, not published.
    NoticeDue,
    /// A committed window that now lies in a blackout period it may not.
    BlackoutOverWindow,
    /// A window that ended while the plan was not live.
    WindowPassed,
    /// A live plan not filed.
    LiveUnfiled,
    /// The post-implementation review not recorded.
    ReviewMissing,
    /// A plan waiting for the Leading Group.
    ApprovalWaiting,
    /// An open order due soon.
    OrderDueSoon,
    /// A critical or major defect open.
    DefectOpen,
    /// A defect sent to the vendor, still open.
    VendorTicket,
    /// More than [`REQUEST_GROUP`] requests of one system waiting: one item for
    /// them all (the oldest is its record), not one each.
    RequestsWaiting,
    /// A request new or triaged, not decided.
    RequestWaiting,
    /// A submitter or reporter reachable only by phone: a message of the
    /// outbox asks for a call (issue 17 §4).
    CallToMake,
}

impl AttentionKind {
    /// Every kind, most urgent first (the order of the list).
    pub const ALL: &'static [AttentionKind] = &[
        AttentionKind::OrderOverdue,
        AttentionKind::NoticeDue,
        AttentionKind::BlackoutOverWindow,
        AttentionKind::WindowPassed,
        AttentionKind::LiveUnfiled,
        AttentionKind::ReviewMissing,
        AttentionKind::ApprovalWaiting,
        AttentionKind::OrderDueSoon,
        AttentionKind::DefectOpen,
        AttentionKind::VendorTicket,
        AttentionKind::RequestsWaiting,
        AttentionKind::RequestWaiting,
        AttentionKind::CallToMake,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AttentionKind::OrderOverdue => "order_overdue",
            AttentionKind::NoticeDue => "notice_due",
            AttentionKind::BlackoutOverWindow => "blackout_over_window",
            AttentionKind::WindowPassed => "window_passed",
            AttentionKind::LiveUnfiled => "live_unfiled",
            AttentionKind::ReviewMissing => "review_missing",
            AttentionKind::ApprovalWaiting => "approval_waiting",
            AttentionKind::OrderDueSoon => "order_due_soon",
            AttentionKind::DefectOpen => "defect_open",
            AttentionKind::VendorTicket => "vendor_ticket",
            AttentionKind::RequestWaiting => "request_waiting",
            AttentionKind::RequestsWaiting => "requests_waiting",
            AttentionKind::CallToMake => "call_to_make",
        }
    }

    /// Its short label (`attention.kind.<name>`).
    pub fn label(self) -> String {
        crate::i18n::t(&format!("attention.kind.{}", self.as_str()), &[])
    }
}

/// One thing that needs someone now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttentionItem {
    pub kind: AttentionKind,
    /// The record it is about (a plan, request or order).
    pub record: Id,
    /// The record's title (an order: its required action).
    pub title: String,
    /// Since when it needs someone.
    pub since: Time,
    /// The role that should act.
    pub role: Role,
    /// The deadline it is measured against, when it has one (the notice's,
    /// the order's, the review's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<Time>,
    /// The deadline has passed.
    #[serde(default)]
    pub overdue: bool,
    /// Whole days from `since` to the clock the list was made with.
    pub days: i64,
    /// What in the record: a defect (`D2`), a blackout period's name, a
    /// vendor's reference; empty when the record says it all.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub detail: String,
    /// The record's status as stored (`submitted`, `open` …).
    #[serde(default)]
    pub status: String,
}

impl AttentionItem {
    /// Why it needs someone, in the reader's language, naming things by their labels.
    pub fn why(&self) -> String {
        let status = match self.record.kind {
            IdKind::Plan => crate::i18n::enum_label("PlanStatus", &self.status),
            IdKind::Request => crate::i18n::enum_label("RequestStatus", &self.status),
            IdKind::Order => crate::i18n::enum_label("OrderStatus", &self.status),
            _ => self.status.clone(),
        };
        let due = self.due.map(fmt_date).unwrap_or_default();
        let key = match (self.kind, self.overdue) {
            (AttentionKind::NoticeDue | AttentionKind::ReviewMissing, true) => {
                format!("attention.why.{}_overdue", self.kind.as_str())
            }
            _ => format!("attention.why.{}", self.kind.as_str()),
        };
        crate::i18n::t(
            &key,
            &[
                ("days", self.days.to_string()),
                ("due", due),
                ("detail", crate::sanitize::clean_line(&self.detail)),
                (
                    "title",
                    if self.kind == AttentionKind::RequestsWaiting && self.title.is_empty() {
                        crate::i18n::t("attention.no_system", &[])
                    } else {
                        crate::sanitize::clean_line(&self.title)
                    },
                ),
                ("status", status),
            ],
        )
    }
}

/// The day of a time in the local calendar (`2026-05-04`).
fn fmt_date(t: Time) -> String {
    t.with_timezone(&chrono::Local).date_naive().to_string()
}

/// A request as the attention list needs it: read from the summaries of the
/// requests still waiting for a decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestHead {
    pub id: Id,
    pub status: RequestStatus,
    pub received_at: Time,
    pub title: String,
    /// Its system, and the system's name (for a group of waiting requests).
    #[serde(default)]
    pub system: Option<Id>,
    #[serde(default)]
    pub system_name: String,
}

/// More waiting requests of one system than this are one item: a backlog of
/// thousands (ten years of a large university) is a line per system, not a
/// line per request; the queue lists them.
pub const REQUEST_GROUP: usize = 5;

/// What the rules look at, as the service reads it.
#[derive(Debug, Clone, Copy)]
pub struct AttentionInput<'a> {
    /// Every plan not closed (filed, cancelled, failed), and the filed
    /// emergency changes (their review).
    pub plans: &'a [Plan],
    /// The addenda of the filed plans among them, by dossier id.
    pub addenda: &'a BTreeMap<Id, Vec<Addendum>>,
    /// The requests new or triaged (others are skipped).
    pub requests: &'a [RequestHead],
    pub orders: &'a [RectificationOrder],
    pub calendar: &'a [Blackout],
}

/// The plan statuses the service loads whole records for (the rest are closed).
pub const OPEN_PLANS: &[PlanStatus] = &[
    PlanStatus::Draft,
    PlanStatus::Submitted,
    PlanStatus::Approved,
    PlanStatus::Returned,
    PlanStatus::NoticePublished,
    PlanStatus::Implementing,
    PlanStatus::Testing,
    PlanStatus::Ready,
    PlanStatus::Live,
];

/// Statuses whose window is committed: approved by the Leading Group and not
/// yet live.
const COMMITTED: &[PlanStatus] = &[
    PlanStatus::Approved,
    PlanStatus::NoticePublished,
    PlanStatus::Implementing,
    PlanStatus::Testing,
    PlanStatus::Ready,
];

/// Before go-live: a window that ends in one of these has passed unused.
const BEFORE_LIVE: &[PlanStatus] = &[
    PlanStatus::Draft,
    PlanStatus::Submitted,
    PlanStatus::Approved,
    PlanStatus::Returned,
    PlanStatus::NoticePublished,
    PlanStatus::Implementing,
    PlanStatus::Testing,
    PlanStatus::Ready,
];

fn days(n: u32) -> Duration {
    Duration::days(n as i64)
}

/// Midnight at the start of a local day, as a time.
fn start_of(day: chrono::NaiveDate) -> Time {
    use chrono::TimeZone;
    let naive = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    chrono::Local
        .from_local_datetime(&naive)
        .earliest()
        .map(|t| t.with_timezone(&chrono::Utc))
        .unwrap_or_else(|| naive.and_utc())
}

/// Everything that needs someone as of `now`, most urgent kind first, the
/// oldest first within a kind.
pub fn attention(input: &AttentionInput, rules: &Process, th: &Thresholds, now: Time) -> Vec<AttentionItem> {
    let mut out = Vec::new();
    for p in input.plans {
        plan_items(p, input, rules, th, now, &mut out);
    }
    // Waiting requests by system, oldest first in each.
    let mut waiting: BTreeMap<Option<Id>, Vec<&RequestHead>> = BTreeMap::new();
    for r in input.requests {
        if matches!(r.status, RequestStatus::New | RequestStatus::Triaged)
            && now - r.received_at >= days(th.request_days)
        {
            waiting.entry(r.system).or_default().push(r);
        }
    }
    for mut group in waiting.into_values() {
        group.sort_by_key(|r| (r.received_at, r.id));
        if group.len() > REQUEST_GROUP {
            let oldest = group[0];
            // Requests with no system: no name here; `why` says so in the
            // reader's language.
            let title = oldest.system_name.clone();
            let mut it = item(
                AttentionKind::RequestsWaiting,
                oldest.id,
                &title,
                oldest.received_at,
                Role::Operator,
                now,
                oldest.status.as_str(),
            );
            it.detail = group.len().to_string();
            out.push(it);
            continue;
        }
        for r in group {
            out.push(item(
                AttentionKind::RequestWaiting,
                r.id,
                &r.title,
                r.received_at,
                Role::Operator,
                now,
                r.status.as_str(),
            ));
        }
    }
    let today = now.with_timezone(&chrono::Local).date_naive();
    for o in input.orders {
        if o.status == OrderStatus::Closed {
            continue;
        }
        // Due at the end of its deadline's day.
        let due = start_of(o.deadline + Duration::days(1));
        let mut it = if o.overdue(today) {
            item(
                AttentionKind::OrderOverdue,
                o.id,
                &o.required_action,
                due,
                if o.status == OrderStatus::Open {
                    Role::Operator
                } else {
                    Role::Supervisor
                },
                now,
                o.status.as_str(),
            )
        } else if o.status == OrderStatus::Open && due - now <= days(th.order_due_days) {
            item(
                AttentionKind::OrderDueSoon,
                o.id,
                &o.required_action,
                due - days(th.order_due_days),
                Role::Operator,
                now,
                o.status.as_str(),
            )
        } else {
            continue;
        };
        it.due = Some(start_of(o.deadline));
        it.overdue = o.overdue(today);
        it.detail = match &o.target {
            OrderTarget::Plan(id) => id.to_string(),
            OrderTarget::Department(d) => d.clone(),
        };
        out.push(it);
    }
    order(&mut out);
    out
}

/// The list's order: most urgent kind first, the oldest first within a kind.
pub fn order(items: &mut [AttentionItem]) {
    items.sort_by(|a, b| {
        (a.kind, a.since, a.record.key(), &a.detail).cmp(&(b.kind, b.since, b.record.key(), &b.detail))
    });
}

/// The calls the outbox asks for (issue 17 §4): a submitter or reporter who can
/// only be reached by phone. The operators call about requests, the
/// supervision group about confidential reports; `detail` is whom to call.
pub fn calls(outbox: &[MailMessage], now: Time) -> Vec<AttentionItem> {
    outbox
        .iter()
        .filter(|m| m.state == MailState::Call)
        .map(|m| {
            let role = if m.kind == MailKind::ReportOutcome {
                Role::Supervisor
            } else {
                Role::Operator
            };
            let mut it = item(
                AttentionKind::CallToMake,
                m.id,
                &m.subject,
                m.meta.created_at,
                role,
                now,
                "call",
            );
            it.detail = m.recipients();
            it
        })
        .collect()
}

fn item(
    kind: AttentionKind,
    record: Id,
    title: &str,
    since: Time,
    role: Role,
    now: Time,
    status: &str,
) -> AttentionItem {
    AttentionItem {
        kind,
        record,
        title: title.to_string(),
        since,
        role,
        due: None,
        overdue: false,
        days: (now - since).num_days().max(0),
        detail: String::new(),
        status: status.to_string(),
    }
}

fn plan_items(
    p: &Plan,
    input: &AttentionInput,
    rules: &Process,
    th: &Thresholds,
    now: Time,
    out: &mut Vec<AttentionItem>,
) {
    let status = p.status.as_str();
    let push = |out: &mut Vec<AttentionItem>, kind, since, role| {
        out.push(item(kind, p.id, &p.title, since, role, now, status));
        out.len() - 1
    };
    // Filed and closed plans only for their review (emergency changes).
    let open = OPEN_PLANS.contains(&p.status);

    if p.status == PlanStatus::Live {
        if let Some(g) = p.live_golive() {
            if now - g.time >= days(th.unfiled_days) {
                push(out, AttentionKind::LiveUnfiled, g.time, Role::Operator);
            }
        }
    }
    if let Some(w) = &p.window {
        if BEFORE_LIVE.contains(&p.status) && w.end < now {
            push(out, AttentionKind::WindowPassed, w.end, Role::Operator);
        }
        // The notice: due its class's notice days before the window starts.
        if matches!(p.status, PlanStatus::Submitted | PlanStatus::Approved) && w.end >= now {
            let deadline = w.start - days(rules.class(p.class).notice_days);
            let warn = deadline - days(th.notice_warn_days);
            if now >= warn {
                let role = if p.status == PlanStatus::Submitted {
                    Role::Approver
                } else {
                    Role::Operator
                };
                let i = push(out, AttentionKind::NoticeDue, warn, role);
                out[i].due = Some(deadline);
                out[i].overdue = now > deadline;
            }
        }
        if COMMITTED.contains(&p.status) && w.end >= now {
            for e in super::calendar_conflicts(p, input.calendar, rules) {
                let period = match &e {
                    super::RuleError::HardBlackout { period, .. }
                    | super::RuleError::BlackoutNeedsJustification { period, .. }
                    | super::RuleError::SoftOverrideRefused { period, .. } => period.clone(),
                    _ => continue,
                };
                // Since the window was committed (the latest approval).
                let since = p.latest_approval().map_or(p.meta.updated_at, |a| a.time);
                let i = push(out, AttentionKind::BlackoutOverWindow, since, Role::Operator);
                out[i].detail = period;
            }
        }
    }
    if p.status == PlanStatus::Submitted {
        // Waiting since the last change made while submitted (the submission,
        // or a member's approval short of the quorum).
        let since = p.meta.updated_at;
        if now - since >= days(th.approval_days) {
            push(out, AttentionKind::ApprovalWaiting, since, Role::Approver);
        }
    }
    if open {
        for d in &p.defects {
            if d.status != DefectStatus::Open {
                continue;
            }
            if matches!(d.severity, Severity::Critical | Severity::Major)
                && d.acceptance.is_none()
                && now - d.reported_at >= days(th.defect_days)
            {
                let i = push(out, AttentionKind::DefectOpen, d.reported_at, Role::Operator);
                out[i].detail = format!("D{} {}", d.no, d.severity.label());
            }
            if let Some(v) = d.vendor_ref.as_deref().filter(|v| !v.is_empty()) {
                if now - d.reported_at >= days(th.vendor_days) {
                    let i = push(out, AttentionKind::VendorTicket, d.reported_at, Role::Operator);
                    out[i].detail = format!("D{} {v}", d.no);
                }
            }
        }
    }
    // The review: an emergency change's from its go-live, any other live
    // update's once it is overdue.
    if matches!(p.status, PlanStatus::Live | PlanStatus::Filed) {
        let empty = Vec::new();
        let addenda = p.dossier.and_then(|d| input.addenda.get(&d)).unwrap_or(&empty);
        let emergency = p.class == ChangeClass::Emergency;
        if let (Some(state), Some(due), Some(g)) = (
            review_state(p, addenda, now, rules),
            review_due(p, rules),
            p.live_golive(),
        ) {
            let overdue = matches!(state, ReviewState::Overdue { .. });
            let missing = !matches!(state, ReviewState::Done { .. });
            if missing && now >= g.time && (emergency || (overdue && p.status == PlanStatus::Live)) {
                let since = if emergency { g.time } else { due };
                let i = push(out, AttentionKind::ReviewMissing, since, Role::Operator);
                out[i].due = Some(due);
                out[i].overdue = overdue;
            }
        }
    }
}

/// The items `role` should act on (all of them for `None`).
pub fn for_role(items: Vec<AttentionItem>, role: Option<Role>) -> Vec<AttentionItem> {
    match role {
        Some(r) => items.into_iter().filter(|i| i.role == r).collect(),
        None => items,
    }
}

#[cfg(test)]
mod tests {
    //! Every kind with the clock moved to just before, at and after its
    //! threshold, and each item gone once the record is dealt with.
    use super::*;
    use chrono::TimeZone;

    fn t0() -> Time {
        chrono::Utc.with_ymd_and_hms(2026, 5, 4, 2, 0, 0).unwrap()
    }
    fn d(n: i64) -> Duration {
        Duration::days(n)
    }
    fn m(n: i64) -> Duration {
        Duration::minutes(n)
    }

    fn plan(status: PlanStatus) -> Plan {
        let actor = Actor {
            name: "wanglei".into(),
            roles: vec![Role::Operator],
            via: None,
        };
        let ctx = crate::workflow::Ctx {
            actor: &actor,
            now: t0(),
            rules: Process::default(),
            on_behalf_of: None,
        };
        let system = System {
            id: Id::new(IdKind::System, 0, 1),
            name: "教务系统".into(),
            department: "教务处".into(),
            vendor: String::new(),
            version: String::new(),
            depends_on: Vec::new(),
            meta: Meta::new("root", t0()),
        };
        let mut p = super::super::new_plan(Id::new(IdKind::Plan, 2026, 1), &system, "教务系统升级", "1", "2", &ctx);
        p.status = status;
        p
    }

    fn golive(at: Time) -> GoLive {
        GoLive {
            time: at,
            deployer: "wanglei".into(),
            version: "2".into(),
            steps: String::new(),
            config_changes: String::new(),
            outcome: GoLiveOutcome::Success,
            incidents: String::new(),
            deviation: None,
        }
    }

    fn defect(severity: Severity, vendor: Option<&str>, at: Time) -> Defect {
        Defect {
            no: 1,
            severity,
            description: "导出乱码".into(),
            found_by: Tester {
                name: "liuyang".into(),
                kind: TesterType::Technician,
            },
            round: None,
            item: None,
            vendor_ref: vendor.map(String::from),
            status: DefectStatus::Open,
            reported_at: at,
            acceptance: None,
        }
    }

    fn order(status: OrderStatus, deadline: chrono::NaiveDate) -> RectificationOrder {
        RectificationOrder {
            id: Id::new(IdKind::Order, 2026, 1),
            issuer: "zhaomin".into(),
            target: OrderTarget::Department("教务处".into()),
            finding: "未备案".into(),
            required_action: String::from("补充备案"),
            deadline,
            status,
            response: None,
            responded_by: None,
            extensions: Vec::new(),
            responses: Vec::new(),
            closings: Vec::new(),
            meta: Meta::new("zhaomin", t0()),
        }
    }

    fn request(status: RequestStatus, at: Time) -> RequestHead {
        RequestHead {
            id: Id::new(IdKind::Request, 2026, 1),
            status,
            received_at: at,
            title: "成绩导出乱码".into(),
            system: None,
            system_name: String::new(),
        }
    }

    /// A backlog of requests without a system is named as such, not by the
    /// title of its oldest request.
    #[test]
    fn a_backlog_without_a_system_is_not_named_by_a_request() {
        let requests = (0..(REQUEST_GROUP as u32 + 1))
            .map(|i| RequestHead {
                id: Id::new(IdKind::Request, 2026, 10 + i),
                ..request(RequestStatus::New, t0())
            })
            .collect();
        let w = World {
            requests,
            ..Default::default()
        };
        let g = w.one(t0() + d(30), AttentionKind::RequestsWaiting);
        assert_eq!(g.title, "");
        assert!(!g.why().contains("成绩导出乱码"), "{}", g.why());
        assert!(
            g.why().contains(&crate::i18n::t("attention.no_system", &[])),
            "{}",
            g.why()
        );
    }

    /// A backlog: more than REQUEST_GROUP waiting requests of one system are
    /// one item, named by the system, counted, its record the oldest; a
    /// system with a few keeps one item each.
    #[test]
    fn a_backlog_of_one_system_is_one_item() {
        let sys = |n| Some(Id::new(IdKind::System, 0, n));
        let mut requests = Vec::new();
        for i in 0..(REQUEST_GROUP as u32 + 3) {
            requests.push(RequestHead {
                id: Id::new(IdKind::Request, 2026, 10 + i),
                system: sys(1),
                system_name: "教务管理系统".into(),
                ..request(RequestStatus::New, t0() + d(i64::from(10 - i)))
            });
        }
        for i in 0..2 {
            requests.push(RequestHead {
                id: Id::new(IdKind::Request, 2026, 50 + i),
                system: sys(2),
                system_name: "一卡通系统".into(),
                ..request(RequestStatus::Triaged, t0())
            });
        }
        let w = World {
            requests,
            ..Default::default()
        };
        let now = t0() + d(30);
        let items = w.at(now);
        let group: Vec<&AttentionItem> = items
            .iter()
            .filter(|i| i.kind == AttentionKind::RequestsWaiting)
            .collect();
        assert_eq!(group.len(), 1, "{items:#?}");
        let g = group[0];
        assert_eq!(g.detail, (REQUEST_GROUP + 3).to_string());
        assert_eq!(g.title, "教务管理系统");
        // The oldest: received latest-numbered (t0 + 10 − i is earliest for the last).
        assert_eq!(g.record, Id::new(IdKind::Request, 2026, 10 + REQUEST_GROUP as u32 + 2));
        assert_eq!(g.since, t0() + d(10 - (REQUEST_GROUP as i64 + 2)));
        let single: Vec<Id> = items
            .iter()
            .filter(|i| i.kind == AttentionKind::RequestWaiting)
            .map(|i| i.record)
            .collect();
        assert_eq!(
            single,
            vec![Id::new(IdKind::Request, 2026, 50), Id::new(IdKind::Request, 2026, 51)]
        );
        assert!(g.why().contains(&(REQUEST_GROUP + 3).to_string()), "{}", g.why());
    }

    #[derive(Default)]
    struct World {
        plans: Vec<Plan>,
        requests: Vec<RequestHead>,
        orders: Vec<RectificationOrder>,
        calendar: Vec<Blackout>,
    }

    impl World {
        fn at(&self, now: Time) -> Vec<AttentionItem> {
            let addenda = BTreeMap::new();
            let input = AttentionInput {
                plans: &self.plans,
                addenda: &addenda,
                requests: &self.requests,
                orders: &self.orders,
                calendar: &self.calendar,
            };
            attention(&input, &Process::default(), &Thresholds::default(), now)
        }
        fn kinds(&self, now: Time) -> Vec<AttentionKind> {
            self.at(now).into_iter().map(|i| i.kind).collect()
        }
        fn one(&self, now: Time, kind: AttentionKind) -> AttentionItem {
            let items: Vec<AttentionItem> = self.at(now).into_iter().filter(|i| i.kind == kind).collect();
            assert_eq!(items.len(), 1, "{kind:?} at {now}: {items:#?}");
            items.into_iter().next().unwrap()
        }
    }

    /// Not listed a minute before `at`, listed at it and a day later.
    fn threshold(w: &World, kind: AttentionKind, at: Time) {
        assert!(!w.kinds(at - m(1)).contains(&kind), "{kind:?} before {at}");
        assert!(w.kinds(at).contains(&kind), "{kind:?} at {at}");
        assert!(w.kinds(at + d(1)).contains(&kind), "{kind:?} after {at}");
    }

    fn with_plan(p: Plan) -> World {
        World {
            plans: vec![p],
            ..World::default()
        }
    }

    #[test]
    fn live_unfiled_after_the_days_then_gone_when_filed() {
        let mut p = plan(PlanStatus::Live);
        p.golives.push(golive(t0()));
        let mut w = with_plan(p);
        threshold(&w, AttentionKind::LiveUnfiled, t0() + d(7));
        let i = w.one(t0() + d(9), AttentionKind::LiveUnfiled);
        assert_eq!((i.role, i.since, i.days), (Role::Operator, t0(), 9));
        w.plans[0].status = PlanStatus::Filed;
        assert!(!w.kinds(t0() + d(9)).contains(&AttentionKind::LiveUnfiled));
    }

    #[test]
    fn a_window_passed_before_go_live_then_gone_when_live() {
        let mut p = plan(PlanStatus::NoticePublished);
        p.window = Some(Window {
            start: t0(),
            end: t0() + d(1),
        });
        let mut w = with_plan(p);
        assert!(!w.kinds(t0() + d(1)).contains(&AttentionKind::WindowPassed));
        threshold(&w, AttentionKind::WindowPassed, t0() + d(1) + m(1));
        assert_eq!(w.one(t0() + d(3), AttentionKind::WindowPassed).role, Role::Operator);
        for done in [PlanStatus::Live, PlanStatus::Cancelled, PlanStatus::Filed] {
            w.plans[0].status = done;
            assert!(!w.kinds(t0() + d(3)).contains(&AttentionKind::WindowPassed), "{done:?}");
        }
    }

    #[test]
    fn a_notice_about_to_be_missed_then_gone_when_published() {
        let start = t0() + d(20);
        let mut p = plan(PlanStatus::Approved);
        p.window = Some(Window {
            start,
            end: start + d(1),
        });
        let mut w = with_plan(p);
        // Normal: 3 notice days; warned 2 days before the deadline.
        let deadline = start - d(3);
        threshold(&w, AttentionKind::NoticeDue, deadline - d(2));
        let i = w.one(deadline - d(1), AttentionKind::NoticeDue);
        assert_eq!((i.role, i.due, i.overdue), (Role::Operator, Some(deadline), false));
        assert!(w.one(deadline + m(1), AttentionKind::NoticeDue).overdue);
        // Still waiting for approval: the approvers are the ones to act.
        w.plans[0].status = PlanStatus::Submitted;
        assert_eq!(w.one(deadline, AttentionKind::NoticeDue).role, Role::Approver);
        // A major change gives 7 days' notice: warned earlier.
        w.plans[0].status = PlanStatus::Approved;
        w.plans[0].class = ChangeClass::Major;
        threshold(&w, AttentionKind::NoticeDue, start - d(7) - d(2));
        w.plans[0].status = PlanStatus::NoticePublished;
        assert!(!w.kinds(deadline).contains(&AttentionKind::NoticeDue));
        // Once the window ended, it is a window passed, not a notice due.
        w.plans[0].status = PlanStatus::Approved;
        let kinds = w.kinds(start + d(2));
        assert!(!kinds.contains(&AttentionKind::NoticeDue) && kinds.contains(&AttentionKind::WindowPassed));
    }

    #[test]
    fn an_approval_waiting_then_gone_when_decided() {
        let mut p = plan(PlanStatus::Submitted);
        p.meta.updated_at = t0();
        let mut w = with_plan(p);
        threshold(&w, AttentionKind::ApprovalWaiting, t0() + d(5));
        assert_eq!(w.one(t0() + d(6), AttentionKind::ApprovalWaiting).role, Role::Approver);
        for done in [PlanStatus::Approved, PlanStatus::Returned] {
            w.plans[0].status = done;
            assert!(!w.kinds(t0() + d(6)).contains(&AttentionKind::ApprovalWaiting));
        }
    }

    #[test]
    fn an_order_due_soon_then_overdue_then_gone_when_closed() {
        let deadline = t0().with_timezone(&chrono::Local).date_naive() + d(10);
        let due = start_of(deadline + d(1));
        let mut w = World {
            orders: vec![order(OrderStatus::Open, deadline)],
            ..World::default()
        };
        threshold(&w, AttentionKind::OrderDueSoon, due - d(3));
        threshold(&w, AttentionKind::OrderOverdue, due);
        assert!(!w.kinds(due).contains(&AttentionKind::OrderDueSoon));
        let i = w.one(due + d(2), AttentionKind::OrderOverdue);
        assert_eq!((i.role, i.overdue, i.days), (Role::Operator, true, 2));
        // Responded: the supervisor decides; an order responded in time is not due.
        w.orders[0].status = OrderStatus::Responded;
        assert_eq!(w.one(due + d(2), AttentionKind::OrderOverdue).role, Role::Supervisor);
        assert!(w.kinds(due - d(1)).is_empty());
        w.orders[0].status = OrderStatus::Closed;
        assert!(w.kinds(due + d(2)).is_empty());
    }

    #[test]
    fn a_request_waiting_then_gone_when_decided() {
        let mut w = World {
            requests: vec![request(RequestStatus::New, t0())],
            ..World::default()
        };
        threshold(&w, AttentionKind::RequestWaiting, t0() + d(7));
        w.requests[0].status = RequestStatus::Triaged;
        threshold(&w, AttentionKind::RequestWaiting, t0() + d(7));
        for done in [
            RequestStatus::Accepted,
            RequestStatus::Rejected,
            RequestStatus::Duplicate,
            RequestStatus::JointReview,
        ] {
            w.requests[0].status = done;
            assert!(w.kinds(t0() + d(8)).is_empty(), "{done:?}");
        }
    }

    #[test]
    fn a_serious_defect_open_then_gone_when_fixed_or_accepted() {
        let mut p = plan(PlanStatus::Testing);
        p.defects.push(defect(Severity::Critical, None, t0()));
        let mut w = with_plan(p);
        threshold(&w, AttentionKind::DefectOpen, t0() + d(7));
        assert!(w.one(t0() + d(7), AttentionKind::DefectOpen).detail.starts_with("D1 "));
        w.plans[0].defects[0].severity = Severity::Minor;
        assert!(w.kinds(t0() + d(8)).is_empty(), "a minor defect waits");
        w.plans[0].defects[0].severity = Severity::Major;
        w.plans[0].defects[0].status = DefectStatus::Fixed;
        assert!(w.kinds(t0() + d(8)).is_empty());
        w.plans[0].defects[0].status = DefectStatus::Open;
        w.plans[0].defects[0].acceptance = Some(RiskAcceptance {
            by: "zhangwei".into(),
            reason: "可接受".into(),
            time: t0(),
            on_behalf_of: None,
        });
        assert!(w.kinds(t0() + d(8)).is_empty());
    }

    #[test]
    fn a_vendor_ticket_open_then_gone_when_resolved() {
        let mut p = plan(PlanStatus::Testing);
        p.defects.push(defect(Severity::Minor, Some("TK-88"), t0()));
        let mut w = with_plan(p);
        threshold(&w, AttentionKind::VendorTicket, t0() + d(14));
        assert_eq!(w.one(t0() + d(14), AttentionKind::VendorTicket).detail, "D1 TK-88");
        w.plans[0].defects[0].status = DefectStatus::Verified;
        assert!(w.kinds(t0() + d(15)).is_empty());
        // A plan closed since: nothing to chase.
        w.plans[0].defects[0].status = DefectStatus::Open;
        w.plans[0].status = PlanStatus::Cancelled;
        assert!(w.kinds(t0() + d(15)).is_empty());
    }

    #[test]
    fn a_blackout_over_a_committed_window_then_gone_when_moved() {
        let start = t0() + d(10);
        let mut p = plan(PlanStatus::NoticePublished);
        p.window = Some(Window {
            start,
            end: start + m(120),
        });
        let day = start.with_timezone(&chrono::Local).date_naive();
        let mut w = with_plan(p);
        assert!(w.kinds(t0()).is_empty());
        w.calendar.push(Blackout {
            name: "期末考试".into(),
            start: day,
            end: day,
            hard: true,
            systems: Vec::new(),
        });
        let i = w.one(t0(), AttentionKind::BlackoutOverWindow);
        assert_eq!((i.detail.as_str(), i.role), ("期末考试", Role::Operator));
        // A draft's window is not committed.
        w.plans[0].status = PlanStatus::Draft;
        assert!(w.kinds(t0()).is_empty());
        // Moved to a clear window.
        w.plans[0].status = PlanStatus::Approved;
        w.plans[0].window = Some(Window {
            start: start + d(3),
            end: start + d(3) + m(120),
        });
        assert!(!w.kinds(t0()).contains(&AttentionKind::BlackoutOverWindow));
    }

    #[test]
    fn a_review_missing_then_gone_when_recorded() {
        let mut p = plan(PlanStatus::Live);
        p.class = ChangeClass::Emergency;
        p.golives.push(golive(t0()));
        let mut w = with_plan(p);
        // An emergency change: from its go-live; overdue after its 5 days.
        threshold(&w, AttentionKind::ReviewMissing, t0());
        let i = w.one(t0() + d(1), AttentionKind::ReviewMissing);
        assert_eq!((i.role, i.due, i.overdue), (Role::Operator, Some(t0() + d(5)), false));
        assert!(w.one(t0() + d(5) + m(1), AttentionKind::ReviewMissing).overdue);
        // A normal live update: once its 30 days have passed.
        w.plans[0].class = ChangeClass::Normal;
        threshold(&w, AttentionKind::ReviewMissing, t0() + d(30) + m(1));
        w.plans[0].reviews.push(Review {
            golive: 1,
            goals: Vec::new(),
            incidents: Vec::new(),
            feedback: Vec::new(),
            summary: "达到目标".into(),
            by: "wanglei".into(),
            time: t0() + d(2),
        });
        assert!(!w.kinds(t0() + d(31)).contains(&AttentionKind::ReviewMissing));
    }

    #[test]
    fn most_urgent_kind_first_oldest_first_within_it() {
        let mut w = World {
            requests: vec![
                request(RequestStatus::New, t0() + d(1)),
                RequestHead {
                    id: Id::new(IdKind::Request, 2026, 2),
                    ..request(RequestStatus::New, t0())
                },
            ],
            ..World::default()
        };
        let deadline = t0().with_timezone(&chrono::Local).date_naive();
        w.orders.push(order(OrderStatus::Open, deadline));
        let items = w.at(t0() + d(20));
        let got: Vec<(AttentionKind, u32)> = items.iter().map(|i| (i.kind, i.record.seq)).collect();
        assert_eq!(
            got,
            [
                (AttentionKind::OrderOverdue, 1),
                (AttentionKind::RequestWaiting, 2),
                (AttentionKind::RequestWaiting, 1)
            ]
        );
        assert_eq!(for_role(items, Some(Role::Supervisor)), Vec::new());
    }
}
