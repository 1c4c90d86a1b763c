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
    /// A request new or triaged, not decided.
    RequestWaiting,
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
        AttentionKind::RequestWaiting,
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
}

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
    for r in input.requests {
        if matches!(r.status, RequestStatus::New | RequestStatus::Triaged)
            && now - r.received_at >= days(th.request_days)
        {
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
    out.sort_by(|a, b| (a.kind, a.since, a.record.key(), &a.detail).cmp(&(b.kind, b.since, b.record.key(), &b.detail)));
    out
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
            if missing && (emergency || (overdue && p.status == PlanStatus::Live)) {
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
