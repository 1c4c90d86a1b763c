//! Awards and penalties (§5.2, §5.3), recorded with a reason by the IMC or the
//! supervision group and listed in the contributions report.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::request::str_enum;
use super::{Id, Meta};

str_enum!(RecognitionKind { Award = "award", Penalty = "penalty" });

/// Who is recognised: a person (as written in the records), a department, or
/// a project team (§5.2: "material and moral rewards for project teams"), with
/// its members as written.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Recipient {
    Person(String),
    Department(String),
    Team { name: String, members: Vec<String> },
}

impl Recipient {
    pub fn name(&self) -> &str {
        match self {
            Recipient::Person(n) | Recipient::Department(n) | Recipient::Team { name: n, .. } => n,
        }
    }
}

/// An award or a penalty (`REC-2026-0001`), with the reason and the records it rests on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recognition {
    pub id: Id,
    pub kind: RecognitionKind,
    pub recipient: Recipient,
    pub reason: String,
    /// The requests, plans, dossiers or orders it is for.
    #[serde(default)]
    pub related: Vec<Id>,
    pub issued_by: String,
    /// The day it was decided.
    pub date: NaiveDate,
    pub meta: Meta,
}
