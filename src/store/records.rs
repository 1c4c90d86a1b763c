//! Which tree each kind of record lives in, and its summary.

use serde::de::DeserializeOwned;
use serde::Serialize;

use super::{enc, T};
use crate::model::{
    ConfidentialReport, Department, Id, IdKind, JointMeeting, MailMessage, Meta, Person, Plan, PlanSummary,
    Recognition, RectificationOrder, Request, RequestSummary, System, SystemSummary, Template, TemplateSummary, Vendor,
};

/// A stored, revisioned record kind.
pub trait Record: Serialize + DeserializeOwned {
    #[doc(hidden)]
    const TREE: T;
    #[doc(hidden)]
    const SUMMARY_TREE: T;
    const NAME: &'static str;
    /// The kind of id that names this record.
    const KIND: IdKind;
    type Summary: Serialize + DeserializeOwned;
    fn id(&self) -> Id;
    fn meta(&self) -> &Meta;
    fn meta_mut(&mut self) -> &mut Meta;
    /// The encoded summary, for kinds that have a summary tree.
    fn summary_bytes(&self) -> Option<Vec<u8>>;
    /// Kinds whose records are counted by status (and, for requests, kept in
    /// newest-first order) as they are written: see `lists.rs`.
    #[doc(hidden)]
    const LISTED: Option<super::lists::Listed> = None;
}

macro_rules! record {
    ($ty:ty, $kind:ident, $tree:ident, $sum_tree:ident, $name:literal, $sum:ty, |$s:ident| $summary:expr) => {
        record!($ty, $kind, $tree, $sum_tree, $name, $sum, None, |$s| $summary);
    };
    ($ty:ty, $kind:ident, $tree:ident, $sum_tree:ident, $name:literal, $sum:ty, $listed:expr, |$s:ident| $summary:expr) => {
        impl Record for $ty {
            const LISTED: Option<super::lists::Listed> = $listed;
            const TREE: T = T::$tree;
            const SUMMARY_TREE: T = T::$sum_tree;
            const NAME: &'static str = $name;
            const KIND: IdKind = IdKind::$kind;
            type Summary = $sum;
            fn id(&self) -> Id {
                self.id
            }
            fn meta(&self) -> &Meta {
                &self.meta
            }
            fn meta_mut(&mut self) -> &mut Meta {
                &mut self.meta
            }
            fn summary_bytes(&self) -> Option<Vec<u8>> {
                let $s = self;
                $summary
            }
        }
    };
}

record!(System, System, Systems, SystemsSum, "system", SystemSummary, |s| Some(
    enc(&s.summary())
));
record!(
    Request,
    Request,
    Requests,
    RequestsSum,
    "request",
    RequestSummary,
    Some(super::lists::Listed::Request),
    |s| Some(enc(&s.summary()))
);
record!(
    Plan,
    Plan,
    Plans,
    PlansSum,
    "plan",
    PlanSummary,
    Some(super::lists::Listed::Plan),
    |s| Some(enc(&s.summary()))
);
record!(
    RectificationOrder,
    Order,
    Orders,
    Orders,
    "order",
    RectificationOrder,
    |_s| None
);
record!(
    ConfidentialReport,
    Report,
    Reports,
    Reports,
    "report",
    ConfidentialReport,
    |_s| None
);
record!(
    Recognition,
    Recognition,
    Recognitions,
    Recognitions,
    "recognition",
    Recognition,
    |_s| None
);
record!(
    JointMeeting,
    JointReview,
    JointReviews,
    JointReviews,
    "joint review",
    JointMeeting,
    |_s| None
);
record!(
    Template,
    Template,
    Templates,
    TemplatesSum,
    "template",
    TemplateSummary,
    |s| Some(enc(&s.summary()))
);
record!(Person, Person, People, People, "person", Person, |_s| None);
record!(
    Department,
    Department,
    Departments,
    Departments,
    "department",
    Department,
    |_s| None
);
record!(Vendor, Vendor, Vendors, Vendors, "vendor", Vendor, |_s| None);
record!(MailMessage, Mail, Outbox, Outbox, "message", MailMessage, |_s| None);
