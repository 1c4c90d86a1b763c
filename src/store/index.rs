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

    /// The normalised search texts after `key`, in id order, with their keys.
    pub fn texts_after(&self, key: Option<&[u8]>) -> Result<Vec<(Vec<u8>, String)>> {
        after(&self.texts, key)
            .map(|kv| {
                let (k, v) = kv.map_err(storage)?;
                Ok((k.to_vec(), String::from_utf8_lossy(&v).into_owned()))
            })
            .collect()
    }
}
