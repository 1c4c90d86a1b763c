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

#[cfg(test)]
mod tests {
    use super::*;

    /// An order and a report as stored before they kept their history still
    /// load; what their record tells is derived, the rest stays unknown.
    #[test]
    fn records_of_earlier_versions_load_and_tell_what_they_can() {
        let meta = |rev: u64, by: &str, at: &str| {
            format!(
                r#"{{"rev":{rev},"created_at":"2026-03-02T02:00:00Z","created_by":"chen","updated_at":"{at}","updated_by":"{by}"}}"#
            )
        };
        let order = |status: &str, m: String| {
            format!(
                r#"{{"id":"RO-2026-0001","issuer":"chen","target":{{"department":"教务处"}},"finding":"f","required_action":"a","deadline":"2026-03-20","status":"{status}","response":"已整改","responded_by":"wang","meta":{m}}}"#
            )
        };
        // Responded: the response is the last change, so its time is known.
        let o: RectificationOrder =
            serde_json::from_str(&order("responded", meta(2, "wang", "2026-03-05T02:00:00Z"))).unwrap();
        assert!(o.responses.is_empty() && o.extensions.is_empty() && o.closings.is_empty());
        let o = o.upgraded();
        assert_eq!(o.responses.len(), 1);
        assert_eq!(o.responses[0].by, "wang");
        assert_eq!(
            o.responses[0].at.map(|t| t.to_rfc3339()),
            Some("2026-03-05T02:00:00+00:00".into())
        );
        assert_eq!(o.current_response().map(|r| r.text.as_str()), Some("已整改"));
        assert!(o.closed().is_none());
        assert_eq!(o.issued_at().to_rfc3339(), "2026-03-02T02:00:00+00:00");
        assert_eq!(o.original_deadline(), o.deadline);
        // Closed: the close is the last change; when it was responded is unknown.
        let o = serde_json::from_str::<RectificationOrder>(&order("closed", meta(3, "chen", "2026-03-06T02:00:00Z")))
            .unwrap()
            .upgraded();
        assert_eq!(o.responses[0].at, None);
        let c = o.closed().unwrap();
        assert_eq!(
            (c.by.as_str(), c.at.to_rfc3339()),
            ("chen", "2026-03-06T02:00:00+00:00".to_string())
        );
        // Upgrading twice changes nothing more.
        assert_eq!(o.clone().upgraded(), o);

        let r: ConfidentialReport = serde_json::from_str(&format!(
            r#"{{"id":"RPT-2026-0001","content":"c","received_at":"2026-03-02T02:00:00Z","status":"closed","investigation":"n","reply":"谢谢","meta":{}}}"#,
            meta(3, "chen", "2026-03-06T02:00:00Z")
        ))
        .unwrap();
        assert_eq!((r.plan, r.order, r.replied_by, r.replied_at), (None, None, None, None));
    }
}
