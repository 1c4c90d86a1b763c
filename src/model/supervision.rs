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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RectificationOrder {
    pub id: Id,
    pub issuer: String,
    pub target: OrderTarget,
    pub finding: String,
    pub required_action: String,
    pub deadline: NaiveDate,
    pub status: OrderStatus,
    #[serde(default)]
    pub response: Option<String>,
    #[serde(default)]
    pub responded_by: Option<String>,
    pub meta: Meta,
}

impl RectificationOrder {
    /// The fields the audit log compares before and after a command
    /// ([`super::changes`]).
    pub fn tracked(&self) -> Vec<super::Tracked> {
        use super::Tracked as T;
        vec![
            T::label("status", "OrderStatus", self.status.as_str()),
            T::text("response", self.response.clone().unwrap_or_default()),
        ]
    }

    pub fn overdue(&self, today: NaiveDate) -> bool {
        self.status != OrderStatus::Closed && today > self.deadline
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
    pub meta: Meta,
}
