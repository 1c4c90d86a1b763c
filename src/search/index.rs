//! The archive's index, in memory: the dossier summaries (for the list and the
//! "what changed on system X lately" question) and the normalised search text
//! of every dossier with a 4096-bit signature of its characters and character
//! pairs. A query term can only occur in a dossier whose signature holds every
//! one of the term's characters and adjacent pairs, so most dossiers are ruled
//! out by a few bit tests; the rest are confirmed by a substring test on the
//! text, which makes the answer exactly that of a scan (Chinese needs no
//! segmenter: a term is a run of characters wherever it occurs).
//!
//! Kept in step with the database: filed dossiers are never changed or removed
//! and are written in id order, so every query first reads what was filed after
//! the last key it has (one range read, nothing when nothing is new). The
//! summaries are read when the archive is first listed, the texts at the first
//! text query (so opening the UI does not wait for them, and a session that never
//! searches never holds them); [`ArchiveIndex::rebuild`] starts again from the trees.

use std::sync::{Mutex, MutexGuard};

use crate::error::Result;
use crate::model::{DossierSummary, Id, IdKind};
use crate::store::DossierTrees;

const SIG_WORDS: usize = 64;
type Sig = [u64; SIG_WORDS];

fn bit(h: u64) -> (usize, u64) {
    let b = (h.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 52) as usize; // 12 bits
    (b >> 6, 1u64 << (b & 63))
}

fn char_feature(c: char) -> (usize, u64) {
    bit(c as u64)
}

fn pair_feature(a: char, b: char) -> (usize, u64) {
    bit(((a as u64) << 21 | b as u64) ^ 0x5bd1_e995)
}

/// Every character and adjacent pair of `text`, as bits.
fn signature(text: &str) -> Sig {
    let mut sig = [0u64; SIG_WORDS];
    let mut prev = None;
    for c in text.chars() {
        let (w, m) = char_feature(c);
        sig[w] |= m;
        if let Some(p) = prev {
            let (w, m) = pair_feature(p, c);
            sig[w] |= m;
        }
        prev = Some(c);
    }
    sig
}

fn needles(terms: &[String]) -> Vec<(memchr::memmem::Finder<'_>, Sig)> {
    terms
        .iter()
        .map(|t| (memchr::memmem::Finder::new(t.as_bytes()), signature(t)))
        .collect()
}

fn holds(sig: &Sig, need: &Sig) -> bool {
    sig.iter().zip(need).all(|(s, n)| s & n == *n)
}

/// The normalised texts with their signatures, by id: the full-text part of
/// the index, usable on its own (the correctness test compares it with a scan).
#[derive(Default)]
pub struct Texts {
    last: Option<Vec<u8>>,
    ids: Vec<Id>,
    spans: Vec<(usize, usize)>,
    sigs: Vec<Sig>,
    arena: String,
    pos: std::collections::HashMap<Id, usize>,
}

impl Texts {
    fn catch_up(&mut self, trees: &DossierTrees) -> Result<()> {
        let (from, mut last) = (self.last.clone(), None);
        trees.each_text_after(from.as_deref(), |k, text| {
            if let Some(id) = Id::from_key(IdKind::Dossier, k) {
                self.add(id, text);
            }
            last = Some(k.to_vec());
        })?;
        if last.is_some() {
            self.last = last;
        }
        Ok(())
    }

    /// Add the text of `id`, already normalised ([`super::normalize`]).
    pub fn add(&mut self, id: Id, text: &str) {
        let start = self.arena.len();
        self.arena.push_str(text);
        self.pos.insert(id, self.ids.len());
        self.ids.push(id);
        self.spans.push((start, self.arena.len()));
        self.sigs.push(signature(text));
    }

    /// The ids, last added first, whose text contains every one of `terms`
    /// (normalised, see [`super::terms`]).
    pub fn find(&self, terms: &[String]) -> Vec<Id> {
        let need = needles(terms);
        self.ids
            .iter()
            .rev()
            .copied()
            .filter(|id| self.matches(*id, &need))
            .collect()
    }

    /// Does the text of `id` contain every term (each with its signature)?
    fn matches(&self, id: Id, terms: &[(memchr::memmem::Finder<'_>, Sig)]) -> bool {
        let Some(&i) = self.pos.get(&id) else {
            return false;
        };
        let (a, b) = self.spans[i];
        let text = &self.arena[a..b];
        terms
            .iter()
            .all(|(t, need)| holds(&self.sigs[i], need) && t.find(text.as_bytes()).is_some())
    }
}

#[derive(Default)]
struct Docs {
    last: Option<Vec<u8>>,
    /// In id order.
    list: Vec<DossierSummary>,
}

/// From how many dossiers a search runs on two threads.
const PARALLEL_FROM: usize = 2_000;

/// See the module documentation.
pub struct ArchiveIndex {
    trees: DossierTrees,
    docs: Mutex<Docs>,
    texts: Mutex<Option<Texts>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl ArchiveIndex {
    pub fn new(trees: DossierTrees) -> ArchiveIndex {
        ArchiveIndex {
            trees,
            docs: Mutex::default(),
            texts: Mutex::default(),
        }
    }

    /// Forget everything and read the trees again (on demand; the next query
    /// waits for it).
    pub fn rebuild(&self) -> Result<()> {
        *lock(&self.docs) = Docs::default();
        *lock(&self.texts) = None;
        drop(self.docs()?);
        self.texts().map(|_| ())
    }

    fn docs(&self) -> Result<MutexGuard<'_, Docs>> {
        let mut d = lock(&self.docs);
        for (k, s) in self.trees.summaries_after(d.last.as_deref())? {
            d.list.push(s);
            d.last = Some(k);
        }
        Ok(d)
    }

    /// The texts when `wanted` (loading them at the first text query).
    fn texts_if(&self, wanted: bool) -> Result<Option<MutexGuard<'_, Option<Texts>>>> {
        if wanted {
            self.texts().map(Some)
        } else {
            Ok(None)
        }
    }

    fn texts(&self) -> Result<MutexGuard<'_, Option<Texts>>> {
        let mut g = lock(&self.texts);
        g.get_or_insert_with(Texts::default).catch_up(&self.trees)?;
        Ok(g)
    }

    /// How many dossiers are filed.
    pub fn len(&self) -> Result<usize> {
        Ok(self.docs()?.list.len())
    }

    pub fn is_empty(&self) -> Result<bool> {
        Ok(self.len()? == 0)
    }

    /// The dossiers, newest first, that `keep` accepts and whose text holds
    /// every one of `terms` (already normalised, see [`super::terms`]).
    pub fn search(
        &self,
        terms: &[String],
        keep: impl Fn(&DossierSummary) -> bool + Sync,
    ) -> Result<Vec<DossierSummary>> {
        let docs = self.docs()?;
        let need = needles(terms);
        let texts = self.texts_if(!terms.is_empty())?;
        let texts = texts.as_ref().and_then(|t| t.as_ref());
        if !terms.is_empty() && texts.is_none() {
            return Ok(Vec::new());
        }
        let list = &docs.list;
        // The hits of `range`, newest first, copied out (one allocation: growing
        // a vector of 10,000 summaries step by step costs more in the allocator
        // than the search).
        let part = |range: std::ops::Range<usize>| -> Vec<DossierSummary> {
            let hits: Vec<usize> = range
                .rev()
                .filter(|&i| keep(&list[i]) && texts.is_none_or(|t| t.matches(list[i].id, &need)))
                .collect();
            let mut out = Vec::with_capacity(hits.len());
            out.extend(hits.into_iter().map(|i| list[i].clone()));
            out
        };
        // A query that matches most of a large archive reads every text and
        // copies every summary: two halves on two threads.
        if list.len() < PARALLEL_FROM {
            return Ok(part(0..list.len()));
        }
        let mid = list.len() / 2;
        Ok(std::thread::scope(|s| {
            let older = s.spawn(|| part(0..mid));
            let mut out = part(mid..list.len());
            out.extend(older.join().unwrap_or_else(|p| std::panic::resume_unwind(p)));
            out
        }))
    }

    /// Bytes held: texts, signatures and summaries (for the performance notes).
    pub fn approx_bytes(&self) -> usize {
        let t = lock(&self.texts);
        let texts = t
            .as_ref()
            .map_or(0, |t| t.arena.len() + t.sigs.len() * std::mem::size_of::<Sig>());
        texts + lock(&self.docs).list.len() * 200
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_holds_every_substring() {
        let text = crate::search::normalize("一卡通系统 V3.1 升级：消费机固件 (HTTP/2)");
        let sig = signature(&text);
        let chars: Vec<char> = text.chars().collect();
        for i in 0..chars.len() {
            for j in i + 1..=chars.len() {
                let sub: String = chars[i..j].iter().collect();
                assert!(holds(&sig, &signature(&sub)), "{sub:?}");
            }
        }
    }
}
