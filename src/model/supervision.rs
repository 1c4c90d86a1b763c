//! Supervision (§5.1): rectification orders and confidential reports.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::request::str_enum;
use super::{Id, Meta, Time};

str_enum!(OrderStatus { Open = "open", Responded = "responded", Closed = "closed" });
str_enum!(ReportStatus { Received = "received", Investigating = "investigating", Closed = "closed" });

/// What a rectification order is about: a plan, or a department.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderTarget {
    Plan(Id),
    Department(String),
}

/// A supervisor's decision, with its reason: a response sent back as
/// insufficient, a closed order reopened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ruling {
    pub reason: String,
    pub by: String,
    pub at: Time,
}

/// A deadline moved later by a supervisor (§5.1): the deadline before and
/// after, why, who and when. Every extension is kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extension {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub reason: String,
    pub by: String,
    pub at: Time,
}

/// One response to an order. A response sent back as insufficient stays on
/// record with the supervisor's reason; the order is open again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderResponse {
    pub text: String,
    pub by: String,
    /// `None` for a response recorded before responses kept their time (and
    /// not derivable from the record).
    #[serde(default)]
    pub at: Option<Time>,
    #[serde(default)]
    pub sent_back: Option<Ruling>,
}

/// A supervisor closed the order; `reopened` when it was reopened later.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Closing {
    pub by: String,
    pub at: Time,
    #[serde(default)]
    pub reopened: Option<Ruling>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RectificationOrder {
    pub id: Id,
    pub issuer: String,
    pub target: OrderTarget,
    pub finding: String,
    pub required_action: String,
    /// The deadline in force: the last extension's, else the one it was issued with.
    pub deadline: NaiveDate,
    pub status: OrderStatus,
    /// The response in force (while responded or closed): the last of
    /// `responses`, unless it was sent back.
    #[serde(default)]
    pub response: Option<String>,
    #[serde(default)]
    pub responded_by: Option<String>,
    /// Every extension of the deadline, oldest first.
    #[serde(default)]
    pub extensions: Vec<Extension>,
    /// Every response, oldest first, those sent back with the reason.
    #[serde(default)]
    pub responses: Vec<OrderResponse>,
    /// Every closing, oldest first, those reopened with the reason.
    #[serde(default)]
    pub closings: Vec<Closing>,
    pub meta: Meta,
}

impl RectificationOrder {
    /// The fields the audit log compares before and after a command
    /// ([`super::changes`]).
    pub fn tracked(&self) -> Vec<super::Tracked> {
        use super::Tracked as T;
        vec![
            T::label("status", "OrderStatus", self.status.as_str()),
            T::text("deadline", self.deadline.to_string()),
            T::text("response", self.response.clone().unwrap_or_default()),
        ]
    }

    /// Overdue: not closed, and the deadline in force (extended or not) has passed.
    pub fn overdue(&self, today: NaiveDate) -> bool {
        self.status != OrderStatus::Closed && today > self.deadline
    }

    /// When it was issued (its record's creation).
    pub fn issued_at(&self) -> Time {
        self.meta.created_at
    }

    /// The deadline it was issued with.
    pub fn original_deadline(&self) -> NaiveDate {
        self.extensions.first().map_or(self.deadline, |e| e.from)
    }

    /// The response in force while the order is responded or closed: the last
    /// one (an open order awaits a new response; the earlier ones stay in
    /// `responses`).
    pub fn current_response(&self) -> Option<&OrderResponse> {
        match self.status {
            OrderStatus::Open => None,
            _ => self.responses.last().filter(|r| r.sent_back.is_none()),
        }
    }

    /// The closing in force while the order is closed.
    pub fn closed(&self) -> Option<&Closing> {
        match self.status {
            OrderStatus::Closed => self.closings.last().filter(|c| c.reopened.is_none()),
            _ => None,
        }
    }

    /// An order written before orders kept their history, with what its record
    /// tells: its response (the time only while it is still the last change,
    /// i.e. the order is responded), and for a closed order its closing (a
    /// closed order could not change afterwards, so its last change is the
    /// close). What the record does not tell stays unknown (`None`). Orders
    /// that keep their history are returned unchanged.
    pub fn upgraded(mut self) -> RectificationOrder {
        self.upgrade();
        self
    }

    /// [`Self::upgraded`] in place.
    pub fn upgrade(&mut self) {
        if self.responses.is_empty() {
            if let Some(text) = &self.response {
                self.responses.push(OrderResponse {
                    text: text.clone(),
                    by: self.responded_by.clone().unwrap_or_default(),
                    at: (self.status == OrderStatus::Responded).then_some(self.meta.updated_at),
                    sent_back: None,
                });
            }
        }
        if self.closings.is_empty() && self.status == OrderStatus::Closed {
            self.closings.push(Closing {
                by: self.meta.updated_by.clone(),
                at: self.meta.updated_at,
                reopened: None,
            });
        }
    }
}

/// A teacher's or student's report of a violation; readable by supervisors only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfidentialReport {
    pub id: Id,
    pub content: String,
    /// `None` for an anonymous report.
    #[serde(default)]
    pub reporter_contact: Option<String>,
    pub received_at: Time,
    pub status: ReportStatus,
    #[serde(default)]
    pub investigation: String,
    /// What the reporter was told about the outcome.
    #[serde(default)]
    pub reply: Option<String>,
    /// Who answered the reporter and when (`None` for a report answered before
    /// replies kept them).
    #[serde(default)]
    pub replied_by: Option<String>,
    #[serde(default)]
    pub replied_at: Option<Time>,
    /// The plan the report concerns, once a supervisor linked it.
    #[serde(default)]
    pub plan: Option<Id>,
    /// The rectification order the report was turned into.
    #[serde(default)]
    pub order: Option<Id>,
    pub meta: Meta,
}

impl ConfidentialReport {
    /// The fields the audit log compares before and after a command: never
    /// the report's content, the notes or the reply (the audit log names no
    /// content of a confidential report).
    pub fn tracked(&self) -> Vec<super::Tracked> {
        use super::Tracked as T;
        vec![
            T::label("status", "ReportStatus", self.status.as_str()),
            T::text("plan", self.plan.map(|p| p.to_string()).unwrap_or_default()),
            T::text("order", self.order.map(|o| o.to_string()).unwrap_or_default()),
        ]
    }
}
