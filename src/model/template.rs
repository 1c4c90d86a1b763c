//! Templates of standard changes (§2.1, §3.2): a recurring, low-risk update of
//! one system — its scope (what it changes), its steps and its test items —
//! approved once by the Leading Group's normal quorum and valid until it
//! expires. Each standard change is a plan created from an approved template
//! ([`super::Plan::template`]); it needs no approval of its own and keeps every
//! other gate.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::request::str_enum;
use super::{Approval, Contributor, Id, Meta, TestCategory, Time};

str_enum!(
    /// draft → submitted → approved / returned → submitted … An approved
    /// template no longer changes; it covers standard changes until it expires.
    TemplateStatus {
        Draft = "draft",
        Submitted = "submitted",
        Approved = "approved",
        Returned = "returned",
    }
);

/// A test item every standard change of a template is tested on (its first
/// round starts with them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateItem {
    pub category: TestCategory,
    pub description: String,
    #[serde(default)]
    pub expected: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Template {
    pub id: Id,
    pub title: String,
    /// The one system its changes update.
    pub system: Id,
    /// What each change does (its scope).
    #[serde(default)]
    pub content: String,
    /// The steps of each change.
    #[serde(default)]
    pub approach: String,
    #[serde(default)]
    pub items: Vec<TemplateItem>,
    pub status: TemplateStatus,
    /// How many times it has been submitted; approvals of the current
    /// submission count towards the quorum.
    #[serde(default)]
    pub submission: u32,
    /// Every decision of the Leading Group, the latest last.
    #[serde(default)]
    pub approvals: Vec<Approval>,
    /// Who wrote or submitted it: none of them decides on it (§2.1).
    #[serde(default)]
    pub contributors: Vec<Contributor>,
    /// When the quorum was reached.
    #[serde(default)]
    pub approved_at: Option<Time>,
    /// The first day it no longer covers a standard change (`template_months`
    /// after the approval).
    #[serde(default)]
    pub expires: Option<NaiveDate>,
    pub meta: Meta,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateSummary {
    pub id: Id,
    pub title: String,
    pub system: Id,
    pub status: TemplateStatus,
    pub expires: Option<NaiveDate>,
    pub items: usize,
    pub author: String,
    pub updated_at: Time,
    pub rev: u64,
}

impl Template {
    pub fn summary(&self) -> TemplateSummary {
        TemplateSummary {
            id: self.id,
            title: self.title.clone(),
            system: self.system,
            status: self.status,
            expires: self.expires,
            items: self.items.len(),
            author: self.meta.created_by.clone(),
            updated_at: self.meta.updated_at,
            rev: self.meta.rev,
        }
    }

    /// Approved, and expired on `today`?
    pub fn expired(&self, today: NaiveDate) -> bool {
        self.expires.is_some_and(|e| today >= e)
    }

    /// The fields the audit log compares (see [`super::changes`]).
    pub fn tracked(&self) -> Vec<super::Tracked> {
        use super::Tracked as T;
        vec![
            T::text("title", &self.title),
            T::label("status", "TemplateStatus", self.status.as_str()),
            T::text("content", &self.content),
            T::text("approach", &self.approach),
            T::text(
                "items",
                self.items
                    .iter()
                    .map(|i| format!("[{}] {} → {}", i.category, i.description, i.expected))
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            T::text("expires", self.expires.map(|d| d.to_string()).unwrap_or_default()),
        ]
    }
}

impl TemplateSummary {
    /// Approved and expired on `today`?
    pub fn expired(&self, today: NaiveDate) -> bool {
        self.expires.is_some_and(|e| today >= e)
    }
}

/// A template's status as users read it: an approved one past its expiry says so.
pub fn template_status_label(status: TemplateStatus, expired: bool) -> String {
    if expired {
        crate::i18n::t("cli.template_expired", &[("status", status.label())])
    } else {
        status.label()
    }
}
