//! What the first screen needs without reading every record: how many requests
//! and plans there are in each status (and how many dossiers are filed), and
//! the requests in newest-first order.
//!
//! Both are kept by [`Tx::write`](super::Tx) in the same transaction as the
//! summaries they describe, so they are never out of step with them:
//! - `meta` `count/<kind>/<status>`: a big-endian u64 per kind and status
//!   (`count/request/new`, `count/plan/submitted`, `count/dossier/filed`);
//! - `requests_by_time`: one empty value per request, keyed by its receive time
//!   (nanoseconds, sign-flipped big-endian) followed by its id key, so a reverse
//!   scan yields the queue's default order — newest first, ties by id, highest
//!   first — exactly as `tui::update::queue` sorts the full list.
//!
//! A database written before these existed (or restored from such a backup) has
//! no `lists/v1` marker in `meta`: [`Store::ensure_lists`] builds both at open,
//! in one pass over the summaries. A new database has the marker from the start.

use serde::Deserialize;

use super::{dec, enc, storage, tx_err, Store, Tx, TxResult, T};
use crate::error::Result;
use crate::model::{Id, IdKind, RequestSummary, Time};

/// The marker saying the counts and the order are complete.
pub(super) const READY: &[u8] = b"lists/v1";
const COUNT_PREFIX: &str = "count/";
pub(super) const DOSSIERS_FILED: &str = "count/dossier/filed";

/// The kinds that are counted as they are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listed {
    Request,
    Plan,
}

impl Listed {
    fn name(self) -> &'static str {
        match self {
            Listed::Request => "request",
            Listed::Plan => "plan",
        }
    }
}

/// The two fields of a summary this module reads (serde skips the rest).
#[derive(Deserialize)]
struct Head {
    status: String,
    #[serde(default)]
    received_at: Option<Time>,
}

fn head(bytes: &[u8]) -> Result<Head> {
    dec(bytes, "summary")
}

fn count_key(kind: Listed, status: &str) -> String {
    format!("{COUNT_PREFIX}{}/{status}", kind.name())
}

/// The `requests_by_time` key of a request received at `t`.
fn time_key(t: Time, id_key: &[u8]) -> Vec<u8> {
    let nanos = t
        .timestamp_nanos_opt()
        .unwrap_or_else(|| t.timestamp_micros().saturating_mul(1000));
    let mut k = ((nanos as u64) ^ (1 << 63)).to_be_bytes().to_vec();
    k.extend_from_slice(id_key);
    k
}

fn read_u64(v: Option<&[u8]>) -> u64 {
    v.and_then(|v| v.try_into().ok()).map(u64::from_be_bytes).unwrap_or(0)
}

impl Tx<'_> {
    /// Add `by` (may be negative) to a count in `meta`.
    pub(super) fn bump_count(&self, key: &str, by: i64) -> TxResult<()> {
        let now = read_u64(self.t(T::Meta).get(key.as_bytes()).map_err(tx_err)?.as_deref());
        self.put(T::Meta, key.as_bytes(), &now.saturating_add_signed(by).to_be_bytes())
    }

    fn del(&self, t: T, key: &[u8]) -> TxResult<()> {
        self.log_before(t, key)?;
        self.t(t).remove(key).map_err(tx_err)?;
        Ok(())
    }

    /// A summary of a counted kind changed from `old` to `new`: move it between
    /// status counts and, for a request, to its place in the time order.
    pub(super) fn relist(&self, kind: Listed, id_key: &[u8], old: Option<&[u8]>, new: &[u8]) -> TxResult<()> {
        let old = old.map(head).transpose()?;
        let new = head(new)?;
        if old.as_ref().map(|o| &o.status) != Some(&new.status) {
            if let Some(o) = &old {
                self.bump_count(&count_key(kind, &o.status), -1)?;
            }
            self.bump_count(&count_key(kind, &new.status), 1)?;
        }
        if kind == Listed::Request {
            let old_t = old.and_then(|o| o.received_at);
            if old_t != new.received_at {
                if let Some(t) = old_t {
                    self.del(T::RequestsByTime, &time_key(t, id_key))?;
                }
                if let Some(t) = new.received_at {
                    self.put(T::RequestsByTime, &time_key(t, id_key), &[])?;
                }
            }
        }
        Ok(())
    }
}

/// Records counted by kind and status, as `meta` holds them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    entries: Vec<(String, u64)>,
}

impl Counts {
    /// How many records of `kind` (`request`, `plan`, `dossier`) are in `status`
    /// (as serialized: `new`, `submitted`, `filed` …).
    pub fn get(&self, kind: &str, status: &str) -> usize {
        let key = format!("{kind}/{status}");
        self.entries
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, n)| *n as usize)
            .unwrap_or(0)
    }

    /// How many records of `kind` there are in all.
    pub fn total(&self, kind: &str) -> usize {
        let prefix = format!("{kind}/");
        self.entries
            .iter()
            .filter(|(k, _)| k.starts_with(&prefix))
            .map(|(_, n)| *n as usize)
            .sum()
    }
}

impl Store {
    /// The counts kept in `meta` (a handful of keys: no record is read).
    pub fn counts(&self) -> Result<Counts> {
        let mut entries = Vec::new();
        for kv in self.tree(T::Meta).scan_prefix(COUNT_PREFIX) {
            let (k, v) = kv.map_err(storage)?;
            let n = read_u64(Some(&v));
            if n > 0 {
                entries.push((String::from_utf8_lossy(&k[COUNT_PREFIX.len()..]).into_owned(), n));
            }
        }
        Ok(Counts { entries })
    }

    /// The `n` newest requests (by receive time, then id, highest first): the
    /// queue's first screen, read without touching the others.
    pub fn newest_requests(&self, n: usize) -> Result<Vec<RequestSummary>> {
        let sums = self.tree(T::RequestsSum);
        let mut out = Vec::with_capacity(n.min(4096));
        for k in self.tree(T::RequestsByTime).iter().keys().rev() {
            if out.len() >= n {
                break;
            }
            let k = k.map_err(storage)?;
            let id_key = &k[8.min(k.len())..];
            match sums.get(id_key).map_err(storage)? {
                Some(v) => out.push(dec(&v, "request summary")?),
                None => {
                    let id = Id::from_key(IdKind::Request, id_key)
                        .map(|i| i.to_string())
                        .unwrap_or_default();
                    return Err(storage(format!("requests_by_time names {id}, which has no summary")));
                }
            }
        }
        Ok(out)
    }

    /// The requests in one of `statuses` (as serialized: `new`, `triaged`),
    /// in id order. Each summary's status is read first, and only those that
    /// match are decoded whole (the attention list: a few among many).
    pub fn requests_in(&self, statuses: &[&str]) -> Result<Vec<RequestSummary>> {
        #[derive(Deserialize)]
        struct Status<'a> {
            #[serde(borrow)]
            status: std::borrow::Cow<'a, str>,
        }
        let mut out = Vec::new();
        for v in self.tree(T::RequestsSum).iter().values() {
            let v = v.map_err(storage)?;
            let s: Status = serde_json::from_slice(&v).map_err(|e| storage(format!("request summary: {e}")))?;
            if statuses.contains(&s.status.as_ref()) {
                out.push(dec(&v, "request summary")?);
            }
        }
        Ok(out)
    }

    /// Build the counts and the time order if this database has none yet (one
    /// pass over the request, plan and dossier summaries), then set the marker.
    pub(super) fn ensure_lists(&self) -> Result<()> {
        let meta = self.tree(T::Meta);
        if meta.get(READY).map_err(storage)?.is_some() {
            return Ok(());
        }
        self.rebuild_lists()
    }

    /// Rebuild the counts and the time order from the summaries.
    pub fn rebuild_lists(&self) -> Result<()> {
        let meta = self.tree(T::Meta);
        let order = self.tree(T::RequestsByTime);
        order.clear().map_err(storage)?;
        let mut counts: std::collections::BTreeMap<String, u64> = Default::default();
        let mut batch = sled::Batch::default();
        for kv in self.tree(T::RequestsSum).iter() {
            let (k, v) = kv.map_err(storage)?;
            let h = head(&v)?;
            *counts.entry(count_key(Listed::Request, &h.status)).or_default() += 1;
            if let Some(t) = h.received_at {
                batch.insert(time_key(t, &k), &[][..]);
            }
        }
        order.apply_batch(batch).map_err(storage)?;
        for v in self.tree(T::PlansSum).iter().values() {
            let h = head(&v.map_err(storage)?)?;
            *counts.entry(count_key(Listed::Plan, &h.status)).or_default() += 1;
        }
        counts.insert(DOSSIERS_FILED.into(), self.tree(T::DossiersSum).len() as u64);
        let mut m = sled::Batch::default();
        for kv in meta.scan_prefix(COUNT_PREFIX) {
            m.remove(kv.map_err(storage)?.0);
        }
        for (k, n) in &counts {
            m.insert(k.as_bytes(), &n.to_be_bytes()[..]);
        }
        m.insert(READY, &enc(&true)[..]);
        meta.apply_batch(m).map_err(storage)?;
        self.db.flush().map_err(storage)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_keys_sort_as_times_then_ids() {
        let t = |s: &str| s.parse::<Time>().unwrap();
        let id = |n| Id::new(IdKind::Request, 2026, n).key();
        let mut keys = [
            time_key(t("2026-03-01T00:00:00Z"), &id(2)),
            time_key(t("1969-12-31T23:59:59Z"), &id(9)),
            time_key(t("2026-03-01T00:00:00Z"), &id(1)),
            time_key(t("2026-03-01T00:00:00.000000001Z"), &id(1)),
            time_key(t("2025-12-31T23:59:59Z"), &id(30)),
        ];
        keys.sort();
        let order: Vec<u32> = keys
            .iter()
            .map(|k| Id::from_key(IdKind::Request, &k[8..]).unwrap().seq)
            .collect();
        assert_eq!(order, [9, 30, 1, 2, 1]);
    }
}
