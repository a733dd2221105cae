//! Symlinks with Python names in pushed trees, followed within the tree they belong to (see
//! [`super::links`]).

use anyhow::Context;
use gix::ObjectId;
use gix::bstr::BString;
use gix::objs::FindExt;

use super::links::{Entry, Followed, follow};
use super::odb::LayeredOdb;
use crate::pyfiles::{self, PathKind};

/// Looks paths up in trees and follows links through them.
pub(super) struct TreeLinks<'a> {
    odb: &'a LayeredOdb,
}

impl<'a> TreeLinks<'a> {
    pub(crate) fn new(odb: &'a LayeredOdb) -> Self {
        Self { odb }
    }

    /// Follows the link at `path` (its blob `link`) within `tree`.
    pub(crate) fn follow(&self, tree: ObjectId, path: &[u8], link: ObjectId) -> anyhow::Result<Followed<ObjectId>> {
        follow(path, self.blob(&link)?, |path| self.entry(tree, path), |id| self.blob(id))
    }

    /// Every link with a Python name in `tree`, with its path.
    pub(crate) fn python_links(&self, tree: ObjectId) -> anyhow::Result<Vec<(BString, ObjectId)>> {
        let mut links = Vec::new();
        let mut pending = vec![(Vec::new(), tree)];
        let mut buf = Vec::new();
        while let Some((prefix, id)) = pending.pop() {
            let iter = self.odb.find_tree_iter(&id, &mut buf).with_context(|| format!("cannot read tree {id}"))?;
            for entry in iter {
                let entry = entry.with_context(|| format!("cannot decode tree {id}"))?;
                let path: Vec<u8> = if prefix.is_empty() {
                    entry.filename.to_vec()
                } else {
                    [prefix.as_slice(), b"/", entry.filename].concat()
                };
                if entry.mode.is_tree() {
                    pending.push((path, entry.oid.to_owned()));
                } else if entry.mode.is_link() && pyfiles::path_kind(&path) != PathKind::NotPython {
                    links.push((path.into(), entry.oid.to_owned()));
                }
            }
        }
        Ok(links)
    }

    /// What `tree` holds at `path`.
    pub(crate) fn entry(&self, tree: ObjectId, path: &[u8]) -> anyhow::Result<Option<Entry<ObjectId>>> {
        let mut buf = Vec::new();
        let mut current = tree;
        let mut parts = path.split(|&b| b == b'/').peekable();
        while let Some(name) = parts.next() {
            let iter =
                self.odb.find_tree_iter(&current, &mut buf).with_context(|| format!("cannot read tree {current}"))?;
            let mut found = None;
            for entry in iter {
                let entry = entry.with_context(|| format!("cannot decode tree {current}"))?;
                if entry.filename == name {
                    found = Some((entry.mode, entry.oid.to_owned()));
                    break;
                }
            }
            let Some((mode, id)) = found else { return Ok(None) };
            if parts.peek().is_none() {
                return Ok(Some(if mode.is_blob() {
                    Entry::Blob(id)
                } else if mode.is_link() {
                    Entry::Link(id)
                } else {
                    Entry::Other
                }));
            }
            if !mode.is_tree() {
                return Ok(None);
            }
            current = id;
        }
        Ok(None)
    }

    fn blob(&self, id: &ObjectId) -> anyhow::Result<Vec<u8>> {
        let mut buf = Vec::new();
        Ok(self.odb.find_blob(id, &mut buf).with_context(|| format!("cannot read blob {id}"))?.data.to_vec())
    }
}
