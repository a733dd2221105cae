//! A pushed commit's tree as a version of the project: the modules a pushed file imports are read
//! from the tree of the same commit (or final state), never from the worktree or another commit.
//!
//! The analysis asks from its own threads; gix handles are not shared between threads, so each
//! thread makes its handles onto the push's object stores once (quarantine included; the stores
//! and their mapped packs are shared) and looks paths up tree by tree.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use gix::ObjectId;
use gix::objs::{FindExt, FindHeader};

use super::links::{Followed, through_folder_links};
use super::odb::{LayeredOdb, Stores};
use super::push_links::TreeLinks;
use crate::pyfiles::{self, PathKind};
use crate::snapshot::Snapshot;

/// The files of one tree of the push.
pub(crate) struct TreeFiles {
    stores: Arc<Stores>,
    tree: ObjectId,
    max_file_size: u64,
    /// Blob ids by path, looked up once each.
    found: Mutex<HashMap<String, Option<ObjectId>>>,
    /// Every Python file of the tree, listed on first use.
    python: OnceLock<Vec<String>>,
}

impl TreeFiles {
    pub(crate) fn new(stores: Arc<Stores>, tree: ObjectId, max_file_size: u64) -> Self {
        TreeFiles { stores, tree, max_file_size, found: Mutex::default(), python: OnceLock::new() }
    }

    /// Runs `f` with this thread's handles onto the push's stores.
    fn with_odb<T>(&self, f: impl FnOnce(&LayeredOdb) -> T) -> T {
        self.stores.with_thread_handles(f)
    }

    fn blob(&self, path: &str) -> Option<ObjectId> {
        if let Some(known) = self.found.lock().unwrap_or_else(PoisonError::into_inner).get(path) {
            return *known;
        }
        let id = self.with_odb(|odb| lookup(odb, self.tree, path));
        self.found.lock().unwrap_or_else(PoisonError::into_inner).insert(path.to_owned(), id);
        id
    }
}

/// The blob at `path` in `tree`: a regular file, or what a symlink there leads to within the
/// tree (`settings.py -> conf/real.py`), as Python would import it.
fn lookup(odb: &LayeredOdb, tree: ObjectId, path: &str) -> Option<ObjectId> {
    let mut buf = Vec::new();
    let mut current = tree;
    let mut parts = path.split('/').peekable();
    while let Some(name) = parts.next() {
        let iter = odb.find_tree_iter(&current, &mut buf).ok()?;
        let entry = iter.filter_map(Result::ok).find(|e| e.filename == name.as_bytes())?;
        let (mode, id) = (entry.mode, entry.oid.to_owned());
        if parts.peek().is_none() {
            if mode.is_link() {
                return match TreeLinks::new(odb).follow(tree, path.as_bytes(), id).ok()? {
                    Followed::Blob(target) => Some(target),
                    Followed::Outside(_) | Followed::Nowhere(_) => None,
                };
            }
            return mode.is_blob().then_some(id);
        }
        if mode.is_link() {
            // A folder on the way is a link (`pkg -> real_pkg`).
            return through_folders(odb, tree, path);
        }
        if !mode.is_tree() {
            return None;
        }
        current = id;
    }
    None
}

/// The blob at `path` once the links among its folders are followed (`pkg -> real_pkg`).
fn through_folders(odb: &LayeredOdb, tree: ObjectId, path: &str) -> Option<ObjectId> {
    let links = TreeLinks::new(odb);
    let read = |id: &ObjectId| -> anyhow::Result<Vec<u8>> { Ok(odb.find_blob(id, &mut Vec::new())?.data.to_vec()) };
    let entry = |p: &[u8]| links.entry(tree, p);
    let resolved = through_folder_links(path.as_bytes(), entry, read).ok()??;
    let resolved = std::str::from_utf8(&resolved).ok()?;
    (resolved != path).then(|| lookup(odb, tree, resolved)).flatten()
}

/// Every regular file with a Python name in `tree`.
fn python_files(odb: &LayeredOdb, tree: ObjectId) -> Vec<String> {
    let mut out = Vec::new();
    let mut pending = vec![(String::new(), tree)];
    let mut buf = Vec::new();
    while let Some((prefix, id)) = pending.pop() {
        let Ok(iter) = odb.find_tree_iter(&id, &mut buf) else { continue };
        for entry in iter.filter_map(Result::ok) {
            let Ok(name) = std::str::from_utf8(entry.filename) else { continue };
            let path = if prefix.is_empty() { name.to_owned() } else { format!("{prefix}/{name}") };
            if entry.mode.is_tree() {
                pending.push((path, entry.oid.to_owned()));
            } else if entry.mode.is_blob()
                && matches!(pyfiles::path_kind(path.as_bytes()), PathKind::Python | PathKind::Stub)
            {
                out.push(path);
            }
        }
    }
    out
}

impl Snapshot for TreeFiles {
    fn read(&self, path: &str) -> Option<Vec<u8>> {
        let id = self.blob(path)?;
        self.with_odb(|odb| {
            let size = odb.try_header(&id).ok()??.size;
            if size > self.max_file_size {
                return None;
            }
            let mut buf = Vec::new();
            Some(odb.find_blob(&id, &mut buf).ok()?.data.to_vec())
        })
    }

    fn exists(&self, path: &str) -> bool {
        self.blob(path).is_some()
    }

    fn content_id(&self, path: &str) -> Option<Vec<u8>> {
        self.blob(path).map(|id| id.as_bytes().to_vec())
    }

    fn python_paths(&self) -> Vec<String> {
        self.python.get_or_init(|| self.with_odb(|odb| python_files(odb, self.tree))).clone()
    }
}
