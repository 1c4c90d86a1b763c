//! Human-readable ids (`REQ-2026-0042`) and their order-preserving key encoding.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// What an id names. The prefix is what users type; `yearly` kinds restart
/// numbering every calendar year (`REQ-2026-0001`), the others never do (`SYS-0001`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdKind {
    System,
    Request,
    Plan,
    Dossier,
    Order,
    Report,
    /// An award or penalty (§5.2).
    Recognition,
    /// A joint review meeting (专题研讨, §3.1).
    JointReview,
    /// A template of standard changes.
    Template,
    /// A person of the register.
    Person,
    /// A department of the register.
    Department,
    /// A vendor of the register.
    Vendor,
    /// A message of the outbox.
    Mail,
}

impl IdKind {
    pub const ALL: [IdKind; 13] = [
        IdKind::System,
        IdKind::Request,
        IdKind::Plan,
        IdKind::Dossier,
        IdKind::Order,
        IdKind::Report,
        IdKind::Recognition,
        IdKind::JointReview,
        IdKind::Template,
        IdKind::Person,
        IdKind::Department,
        IdKind::Vendor,
        IdKind::Mail,
    ];

    pub fn prefix(self) -> &'static str {
        match self {
            IdKind::System => "SYS",
            IdKind::Request => "REQ",
            IdKind::Plan => "PLAN",
            IdKind::Dossier => "FILE",
            IdKind::Order => "RO",
            IdKind::Report => "RPT",
            IdKind::Recognition => "REC",
            IdKind::JointReview => "JR",
            IdKind::Template => "TPL",
            IdKind::Person => "PER",
            IdKind::Department => "DEPT",
            IdKind::Vendor => "VEN",
            IdKind::Mail => "MAIL",
        }
    }

    pub fn yearly(self) -> bool {
        !matches!(
            self,
            IdKind::System | IdKind::Person | IdKind::Department | IdKind::Vendor
        )
    }

    fn from_prefix(p: &str) -> Option<IdKind> {
        let p = p.to_ascii_uppercase();
        IdKind::ALL.into_iter().find(|k| k.prefix() == p)
    }
}

/// An id such as `PLAN-2026-0007`. Ordered by (kind, year, number), which is also
/// the byte order of [`Id::key`], so sled iterates records in id order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Id {
    pub kind: IdKind,
    pub year: u16,
    pub seq: u32,
}

impl Id {
    pub fn new(kind: IdKind, year: u16, seq: u32) -> Id {
        let year = if kind.yearly() { year } else { 0 };
        Id { kind, year, seq }
    }

    /// 6-byte big-endian key: year then number. The kind is implied by the tree.
    pub fn key(&self) -> [u8; 6] {
        let mut k = [0u8; 6];
        k[..2].copy_from_slice(&self.year.to_be_bytes());
        k[2..].copy_from_slice(&self.seq.to_be_bytes());
        k
    }

    pub fn from_key(kind: IdKind, key: &[u8]) -> Option<Id> {
        if key.len() < 6 {
            return None;
        }
        let year = u16::from_be_bytes([key[0], key[1]]);
        let seq = u32::from_be_bytes([key[2], key[3], key[4], key[5]]);
        Some(Id { kind, year, seq })
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.kind.yearly() {
            write!(f, "{}-{}-{:04}", self.kind.prefix(), self.year, self.seq)
        } else {
            write!(f, "{}-{:04}", self.kind.prefix(), self.seq)
        }
    }
}

/// Why a string is not an id; shown to the user with the text they typed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not an id: {0:?}")]
pub struct BadId(pub String);

impl FromStr for Id {
    type Err = BadId;
    fn from_str(s: &str) -> Result<Id, BadId> {
        let bad = || BadId(s.to_string());
        let t = s.trim();
        let mut parts = t.split('-');
        let kind = parts.next().and_then(IdKind::from_prefix).ok_or_else(bad)?;
        let num = |p: Option<&str>| -> Result<u64, BadId> {
            let p = p.ok_or_else(bad)?;
            if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) || p.len() > 9 {
                return Err(bad());
            }
            p.parse().map_err(|_| bad())
        };
        let id = if kind.yearly() {
            let year = num(parts.next())?;
            let seq = num(parts.next())?;
            if !(1970..=9999).contains(&year) || seq == 0 || seq > u32::MAX as u64 {
                return Err(bad());
            }
            Id::new(kind, year as u16, seq as u32)
        } else {
            let seq = num(parts.next())?;
            if seq == 0 || seq > u32::MAX as u64 {
                return Err(bad());
            }
            Id::new(kind, 0, seq as u32)
        };
        if parts.next().is_some() {
            return Err(bad());
        }
        Ok(id)
    }
}

impl Id {
    /// Parse and check the kind: `REQ-…` where a plan id is wanted is an error.
    pub fn parse_kind(s: &str, kind: IdKind) -> Result<Id, BadId> {
        let id: Id = s.parse()?;
        if id.kind != kind {
            return Err(BadId(s.to_string()));
        }
        Ok(id)
    }
}

impl Serialize for Id {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Id, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_order() {
        let a: Id = "REQ-2026-0042".parse().unwrap();
        assert_eq!(a.to_string(), "REQ-2026-0042");
        let b: Id = "req-2026-12345".parse().unwrap();
        assert_eq!(b.to_string(), "REQ-2026-12345");
        assert!(a.key() < b.key());
        let c: Id = "REQ-2027-0001".parse().unwrap();
        assert!(b.key() < c.key());
        assert_eq!("SYS-0003".parse::<Id>().unwrap().to_string(), "SYS-0003");
        for bad in [
            "",
            "REQ",
            "REQ-2026",
            "REQ-2026-0",
            "XYZ-2026-1",
            "REQ-2026-1-2",
            "REQ-20a6-1",
        ] {
            assert!(bad.parse::<Id>().is_err(), "{bad}");
        }
        assert!(Id::parse_kind("PLAN-2026-0001", IdKind::Request).is_err());
    }
}
