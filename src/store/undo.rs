//! Long changes: one logical change (a 100,000-row import) written in many small
//! transactions, so that memory stays flat, yet kept whole or not at all.
//!
//! While a long change runs, every write of its transactions first notes what
//! it overwrites (or that the key was absent); the notes of one transaction are
//! stored as one record of the `undo` tree, keyed by batch number, in the same
//! sled transaction as the writes. A crash or a failure therefore leaves the
//! database and its undo log consistent with each other, and rolling back means
//! putting the before-images back, newest first, one batch per transaction that
//! also deletes that batch's record (so a rollback interrupted by a crash simply
//! continues at the next open).
//!
//! The marker `undo/open` in `meta` says a long change is in progress; removing
//! it, in the transaction of the last batch, is the commit point. At open, a
//! marker means the change never committed: it is rolled back. Leftover undo
//! entries without a marker belong to a committed change and are discarded.
//!
//! Only one long change runs at a time, and nothing else writes meanwhile: the
//! service holds its write gate exclusively for the whole change, so no other
//! command's write can be undone by a rollback.

use std::sync::atomic::Ordering;

use sled::transaction::{ConflictableTransactionError, TransactionalTree};
use sled::Transactional;

use super::{storage, tx_err, Store, Tx, TxResult, T, TREE_NAMES};
use crate::error::Result;
use crate::model::Time;

const OPEN: &[u8] = b"undo/open";
/// Batches between flushes during a long change: sled keeps what is not yet
/// flushed in memory, so flushing now and then keeps the memory flat.
const FLUSH_EVERY: u32 = 8;
/// Append one before-image to a batch's notes: tree, key, and the old value if
/// there was one (lengths as big-endian u32).
fn encode(buf: &mut Vec<u8>, t: T, key: &[u8], old: Option<&[u8]>) {
    buf.push(t as u8);
    buf.push(u8::from(old.is_some()));
    buf.extend_from_slice(&(key.len() as u32).to_be_bytes());
    buf.extend_from_slice(key);
    let old = old.unwrap_or_default();
    buf.extend_from_slice(&(old.len() as u32).to_be_bytes());
    buf.extend_from_slice(old);
}

type Entry<'a> = (usize, &'a [u8], Option<&'a [u8]>);

/// The `(tree index, key, old value)` entries of a batch's notes, in the order
/// written; `None` if the record is malformed.
fn decode(mut v: &[u8]) -> Option<Vec<Entry<'_>>> {
    let mut out = Vec::new();
    while !v.is_empty() {
        let (&t, rest) = v.split_first()?;
        let (&has_old, rest) = rest.split_first()?;
        let len = u32::from_be_bytes(rest.get(..4)?.try_into().ok()?) as usize;
        let key = rest.get(4..4 + len)?;
        let rest = &rest[4 + len..];
        let olen = u32::from_be_bytes(rest.get(..4)?.try_into().ok()?) as usize;
        let old = rest.get(4..4 + olen)?;
        if (t as usize) >= TREE_NAMES.len() {
            return None;
        }
        out.push((t as usize, key, (has_old == 1).then_some(old)));
        v = &rest[4 + olen..];
    }
    Some(out)
}

impl Tx<'_> {
    /// In a long change, remember what `key` in `t` holds before it is written.
    pub(super) fn log_before(&self, t: T, key: &[u8]) -> TxResult<()> {
        let Some((_, notes)) = &self.undo else {
            return Ok(());
        };
        let old = self.t(t).get(key).map_err(tx_err)?;
        encode(&mut notes.borrow_mut(), t, key, old.as_deref());
        Ok(())
    }

    /// Store this transaction's notes as its batch's undo record.
    pub(super) fn write_undo(&self) -> TxResult<()> {
        if let Some((batch, notes)) = &self.undo {
            let notes = notes.borrow();
            if !notes.is_empty() {
                self.t(T::Undo)
                    .insert(&batch.to_be_bytes()[..], notes.as_slice())
                    .map_err(tx_err)?;
            }
        }
        Ok(())
    }
}

impl Store {
    /// Start a long change named `what` (shown if it has to be rolled back).
    pub fn begin_long(&self, what: &str) -> Result<()> {
        self.check_present()?;
        self.check_space()?;
        self.recover_long()?;
        self.undo_batch.store(0, Ordering::SeqCst);
        self.tree(T::Meta)
            .insert(OPEN, what.as_bytes())
            .map_err(|e| self.write_error(e))?;
        Ok(())
    }

    /// One batch of the long change: a transaction whose writes are undo-logged.
    /// Not flushed: [`Store::commit_long`] flushes once.
    pub fn transact_long<'w, A>(
        &self,
        who: impl Into<super::Who<'w>>,
        now: Time,
        f: impl Fn(&mut Tx) -> Result<A>,
    ) -> Result<A> {
        self.check_present()?;
        self.check_space()?;
        let batch = self.undo_batch.fetch_add(1, Ordering::SeqCst);
        let out = self.transact_with(who.into(), now, Some(batch), f)?;
        if batch % FLUSH_EVERY == FLUSH_EVERY - 1 {
            self.db.flush().map_err(|e| self.write_error(e))?;
        }
        Ok(out)
    }

    /// The last batch of a long change: its writes and the removal of the marker
    /// commit together; then the undo log is cleared and everything flushed.
    pub fn commit_long<'w, A>(
        &self,
        who: impl Into<super::Who<'w>>,
        now: Time,
        f: impl Fn(&mut Tx) -> Result<A>,
    ) -> Result<A> {
        self.check_present()?;
        let batch = self.undo_batch.fetch_add(1, Ordering::SeqCst);
        let out = self.transact_with(who.into(), now, Some(batch), |tx| {
            let out = f(tx)?;
            tx.t(T::Meta).remove(OPEN).map_err(tx_err)?;
            Ok(out)
        })?;
        self.tree(T::Undo).clear().map_err(|e| self.write_error(e))?;
        self.db.flush().map_err(|e| self.write_error(e))?;
        // The commit is acknowledged only into the data directory still there.
        self.check_present()?;
        Ok(out)
    }

    /// Flush what a long change wrote so far (the fault injection of the crash
    /// tests: a crash after this point finds every committed batch on disk).
    #[cfg(debug_assertions)]
    pub(crate) fn flush_now(&self) -> Result<()> {
        self.db.flush().map_err(|e| self.write_error(e))?;
        Ok(())
    }

    /// Undo everything the long change in progress wrote; returns how many of
    /// its committed batches were undone.
    pub fn rollback_long(&self) -> Result<usize> {
        let undo = self.tree(T::Undo);
        let mut batches = 0;
        while let Some((k, v)) = undo.last().map_err(storage)? {
            batches += 1;
            let entries = decode(&v).ok_or_else(|| storage("rollback: a malformed undo record"))?;
            let refs: Vec<&sled::Tree> = self.trees.iter().collect();
            refs.as_slice()
                .transaction(|trees: &Vec<TransactionalTree>| {
                    for (t, key, old) in entries.iter().rev() {
                        match old {
                            Some(old) => trees[*t].insert(*key, *old)?,
                            None => trees[*t].remove(*key)?,
                        };
                    }
                    trees[T::Undo as usize].remove(&k)?;
                    Ok::<(), ConflictableTransactionError<()>>(())
                })
                .map_err(|e| storage(format!("rollback: {e:?}")))?;
        }
        self.tree(T::Meta).remove(OPEN).map_err(storage)?;
        self.db.flush().map_err(storage)?;
        Ok(batches)
    }

    /// At open: roll back a long change that never committed (the process died
    /// during it); drop the undo log of one that did. Returns what was rolled back.
    pub(super) fn recover_long(&self) -> Result<Option<(String, usize)>> {
        let open = self.tree(T::Meta).get(OPEN).map_err(storage)?;
        match open {
            Some(what) => {
                let batches = self.rollback_long()?;
                Ok(Some((String::from_utf8_lossy(&what).into_owned(), batches)))
            }
            None => {
                if !self.tree(T::Undo).is_empty() {
                    self.tree(T::Undo).clear().map_err(storage)?;
                    self.db.flush().map_err(storage)?;
                }
                Ok(None)
            }
        }
    }
}

impl Store {
    /// [`Store::recover_long`] at open, saying on standard error (the terminal
    /// of a command, the server's log) what was rolled back.
    pub(super) fn recover_long_and_say(&self) -> Result<()> {
        if let Some((what, batches)) = self.recover_long()? {
            let what = match what.strip_prefix("import by ") {
                Some(user) => crate::i18n::t("store.long.import", &[("user", crate::sanitize::clean_line(user))]),
                None => crate::sanitize::clean_line(&what),
            };
            eprintln!(
                "{}",
                crate::i18n::t(
                    "store.long_rolled_back",
                    &[
                        ("dir", crate::sanitize::visible_line(&self.dir.display().to_string())),
                        ("what", what),
                        ("batches", batches.to_string()),
                    ]
                )
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_round_trip() {
        let mut v = Vec::new();
        encode(&mut v, T::Requests, b"key", Some(b"old"));
        encode(&mut v, T::Meta, b"", None);
        encode(&mut v, T::Audit, b"k2", Some(b""));
        assert_eq!(
            decode(&v),
            Some(vec![
                (T::Requests as usize, &b"key"[..], Some(&b"old"[..])),
                (T::Meta as usize, &b""[..], None),
                (T::Audit as usize, &b"k2"[..], Some(&b""[..])),
            ])
        );
        assert_eq!(decode(&[200, 0, 0, 0, 0, 0, 0, 0, 0, 0]), None);
        assert_eq!(decode(&[1, 0, 0, 0, 0, 9]), None);
        assert_eq!(decode(&v[..v.len() - 1]), None);
    }
}
