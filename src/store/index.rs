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
    /// Every request summary, in id order: the values are read in one pass and
    /// decoded on two threads (decoding 100,000 summaries is most of the cost).
    pub fn request_summaries(&self) -> Result<Vec<crate::model::RequestSummary>> {
        let raw: Vec<sled::IVec> = self
            .tree(T::RequestsSum)
            .iter()
            .values()
            .collect::<sled::Result<_>>()
            .map_err(storage)?;
        let decode = |part: &[sled::IVec]| -> Result<Vec<crate::model::RequestSummary>> {
            part.iter().map(|v| dec(v, "request")).collect()
        };
        if raw.len() < 10_000 {
            return decode(&raw);
        }
        let (a, b) = raw.split_at(raw.len() / 2);
        std::thread::scope(|s| {
            let second = s.spawn(|| decode(b));
            let mut out = decode(a)?;
            out.extend(second.join().map_err(|_| crate::error::Error::Storage {
                detail: "decoding request summaries failed".into(),
            })??);
            Ok(out)
        })
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
