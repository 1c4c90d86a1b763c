//! Read access for the in-memory archive index (`crate::search::index`): the
//! dossier trees are append-only (a dossier id is written once, in id order), so
//! the index keeps up with them by reading what lies after the last key it has.

use super::{dec, storage, Store, T};
use crate::error::Result;
use crate::model::DossierSummary;

/// The two trees the archive index reads. sled trees are shared handles, so the
/// index can read them from its own thread.
#[derive(Clone)]
pub struct DossierTrees {
    summaries: sled::Tree,
    texts: sled::Tree,
}

impl Store {
    pub fn dossier_trees(&self) -> DossierTrees {
        DossierTrees {
            summaries: self.tree(T::DossiersSum).clone(),
            texts: self.tree(T::DossierText).clone(),
        }
    }
}

fn after(tree: &sled::Tree, key: Option<&[u8]>) -> sled::Iter {
    use std::ops::Bound;
    match key {
        Some(k) => tree.range::<&[u8], _>((Bound::Excluded(k), Bound::Unbounded)),
        None => tree.iter(),
    }
}

impl DossierTrees {
    /// The summaries after `key` (all when `None`), in id order, with their keys.
    pub fn summaries_after(&self, key: Option<&[u8]>) -> Result<Vec<(Vec<u8>, DossierSummary)>> {
        after(&self.summaries, key)
            .map(|kv| {
                let (k, v) = kv.map_err(storage)?;
                Ok((k.to_vec(), dec(&v, "dossier summary")?))
            })
            .collect()
    }

    /// Each normalised search text after `key`, in id order, with its key, as it
    /// is read (no copy of them all at once).
    pub fn each_text_after(&self, key: Option<&[u8]>, mut f: impl FnMut(&[u8], &str)) -> Result<()> {
        for kv in after(&self.texts, key) {
            let (k, v) = kv.map_err(storage)?;
            f(&k, &String::from_utf8_lossy(&v));
        }
        Ok(())
    }
}

impl Store {
    /// Every request summary, in id order. One thread reads sled and hands
    /// chunks of raw values to two decoding threads (decoding 100,000 JSON
    /// summaries is most of the cost); at most a few chunks of raw bytes exist
    /// at once, not a copy of the whole tree.
    pub fn request_summaries(&self) -> Result<Vec<crate::model::RequestSummary>> {
        use crate::model::RequestSummary;
        const CHUNK: usize = 2048;
        type Decoded = (usize, Result<Vec<RequestSummary>>);
        let tree = self.tree(T::RequestsSum);
        let decode =
            |part: &[sled::IVec]| -> Result<Vec<RequestSummary>> { part.iter().map(|v| dec(v, "request")).collect() };
        let (raw_tx, raw_rx) = std::sync::mpsc::sync_channel::<(usize, Vec<sled::IVec>)>(4);
        let raw_rx = std::sync::Mutex::new(raw_rx);
        let (out_tx, out_rx) = std::sync::mpsc::channel::<Decoded>();
        let read = std::thread::scope(|s| -> Result<()> {
            for _ in 0..2 {
                let (raw_rx, out_tx) = (&raw_rx, out_tx.clone());
                s.spawn(move || loop {
                    let next = raw_rx.lock().map(|rx| rx.recv());
                    let Ok(Ok((n, chunk))) = next else { break };
                    if out_tx.send((n, decode(&chunk))).is_err() {
                        break;
                    }
                });
            }
            drop(out_tx);
            let (mut chunk, mut n) = (Vec::with_capacity(CHUNK), 0);
            for v in tree.iter().values() {
                chunk.push(v.map_err(storage)?);
                if chunk.len() == CHUNK {
                    let full = std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK));
                    if raw_tx.send((n, full)).is_err() {
                        break;
                    }
                    n += 1;
                }
            }
            if !chunk.is_empty() {
                let _ = raw_tx.send((n, chunk));
            }
            drop(raw_tx);
            Ok(())
        });
        let mut parts: Vec<Decoded> = out_rx.into_iter().collect();
        read?;
        parts.sort_by_key(|p| p.0);
        let mut out = Vec::with_capacity(parts.iter().map(|p| p.1.as_ref().map_or(0, |v| v.len())).sum());
        for (_, part) in parts {
            out.extend(part?);
        }
        Ok(out)
    }

    /// How many requests there are, and how many are `new`, without decoding
    /// them: a summary is the JSON of [`crate::model::RequestSummary`], where the
    /// bytes `"status":"new"` can only be the status field (a quote inside a
    /// string is escaped).
    pub fn request_counts(&self) -> Result<(usize, usize)> {
        let finder = memchr::memmem::Finder::new(br#""status":"new""#);
        let (mut all, mut new) = (0, 0);
        for v in self.tree(T::RequestsSum).iter().values() {
            let v = v.map_err(storage)?;
            all += 1;
            new += usize::from(finder.find(&v).is_some());
        }
        Ok((all, new))
    }
}
