//! The walk behind [`super::staged_changes`]: HEAD's tree and the index, one directory level
//! at a time, collecting the paths whose non-directory side differs.
//!
//! A directory whose cache-tree node (the index's TREE extension, refreshed by `git commit`
//! before the hook runs) is valid and names HEAD's subtree is skipped without looking inside, so
//! a large repository costs about as much as its changed directories; without the extension the
//! walk is a plain merge-join. Sparse-index directory entries are compared as trees.

use std::cmp::Ordering;

use anyhow::Context;
use gix::ObjectId;
use gix::bstr::ByteSlice;
use gix::index::entry::{Flags, Mode};
use gix::index::extension::Tree as CacheTree;
use gix::index::{Entry, State};
use gix::objs::tree::EntryKind;

/// One side of a path that is not a directory, copied out of git.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Version {
    /// A regular file (the executable bit does not change content).
    Blob(ObjectId),
    Symlink(ObjectId),
    Gitlink(ObjectId),
    /// Unmerged stages in the index.
    Conflict,
    /// `git add -N`: listed, but nothing that a commit records.
    IntentToAdd,
    /// A mode git does not write; never read.
    Unsupported,
}

/// A path whose non-directory side differs between HEAD and the index.
#[derive(Debug)]
pub(super) struct Change {
    pub(crate) path: Vec<u8>,
    pub(crate) old: Option<Version>,
    pub(crate) new: Option<Version>,
}

/// A tree entry, owned: either a subtree or a leaf.
struct TreeNode {
    name: Vec<u8>,
    subtree: Option<ObjectId>,
    leaf: Option<Version>,
}

/// The index entries for one name at one directory level.
struct IndexNode<'i> {
    name: &'i [u8],
    slot: Slot<'i>,
}

enum Slot<'i> {
    Leaf(Version),
    /// All entries below this directory.
    Dir(&'i [Entry]),
    /// A sparse-index directory entry: the directory is this tree.
    Sparse(ObjectId),
}

/// Both sides of a directory level carry names ordered the way git orders tree entries.
trait Named {
    fn name(&self) -> &[u8];
    fn is_dir(&self) -> bool;
}

impl Named for TreeNode {
    fn name(&self) -> &[u8] {
        &self.name
    }
    fn is_dir(&self) -> bool {
        self.subtree.is_some()
    }
}

impl Named for IndexNode<'_> {
    fn name(&self) -> &[u8] {
        self.name
    }
    fn is_dir(&self) -> bool {
        !matches!(self.slot, Slot::Leaf(_))
    }
}

/// Merge-joins two sorted levels: pairs share a name and a kind (file or directory).
fn pair_up<L: Named, R: Named>(left: Vec<L>, right: Vec<R>) -> Vec<(Option<L>, Option<R>)> {
    let mut pairs = Vec::with_capacity(left.len().max(right.len()));
    let (mut left, mut right) = (left.into_iter().peekable(), right.into_iter().peekable());
    loop {
        let order = match (left.peek(), right.peek()) {
            (None, None) => return pairs,
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (Some(l), Some(r)) => gix::objs::tree::name_order(l.name(), l.is_dir(), r.name(), r.is_dir()),
        };
        pairs.push(match order {
            Ordering::Less => (left.next(), None),
            Ordering::Greater => (None, right.next()),
            Ordering::Equal => (left.next(), right.next()),
        });
    }
}

/// The leaves that differ between HEAD's tree (`None` before the first commit) and the index.
pub(super) fn differing_paths(
    repo: &gix::Repository,
    index: &State,
    head: Option<ObjectId>,
) -> anyhow::Result<Vec<Change>> {
    let mut walk = Walk { repo, index, changes: Vec::new() };
    walk.index_dir(b"", head, index.entries(), index.tree())?;
    Ok(walk.changes)
}

/// Walks HEAD's tree and the index together, collecting the leaves that differ.
struct Walk<'r> {
    repo: &'r gix::Repository,
    index: &'r State,
    changes: Vec<Change>,
}

impl Walk<'_> {
    /// Compares HEAD's (sub)tree with the index entries below `prefix` (`""` or `dir/`).
    fn index_dir(
        &mut self,
        prefix: &[u8],
        head: Option<ObjectId>,
        entries: &[Entry],
        cache: Option<&CacheTree>,
    ) -> anyhow::Result<()> {
        if let (Some(head), Some(cache)) = (head, cache)
            && cache.num_entries.is_some()
            && cache.id == head
        {
            return Ok(());
        }
        let left = self.read_tree(head)?;
        let right = group(self.index, entries, prefix.len());
        for (old, new) in pair_up(left, right) {
            let name = old.as_ref().map_or_else(|| new.as_ref().map_or(&[][..], |n| n.name), |o| &o.name[..]);
            let path = [prefix, name].concat();
            let name = &path[prefix.len()..];
            let (old_tree, old_leaf) = old.map_or((None, None), |o| (o.subtree, o.leaf));
            let new_leaf = match new.map(|n| n.slot) {
                Some(Slot::Dir(below)) => {
                    let child = cache.and_then(|c| c.children.iter().find(|c| c.name.as_slice() == name));
                    self.index_dir(&dir_prefix(&path), old_tree, below, child)?;
                    None
                }
                Some(Slot::Sparse(id)) => {
                    self.tree_dir(&dir_prefix(&path), old_tree, Some(id))?;
                    None
                }
                Some(Slot::Leaf(version)) => Some(version),
                None => {
                    self.tree_dir(&dir_prefix(&path), old_tree, None)?;
                    None
                }
            };
            self.leaf(path, old_leaf, new_leaf);
        }
        Ok(())
    }

    /// Compares two trees from the object database (sparse directories, deleted directories).
    fn tree_dir(&mut self, prefix: &[u8], old: Option<ObjectId>, new: Option<ObjectId>) -> anyhow::Result<()> {
        if old == new {
            return Ok(());
        }
        let (left, right) = (self.read_tree(old)?, self.read_tree(new)?);
        for (old, new) in pair_up(left, right) {
            let name = old.as_ref().or(new.as_ref()).map_or(&[][..], |n| &n.name[..]);
            let path = [prefix, name].concat();
            let (old_tree, old_leaf) = old.map_or((None, None), |o| (o.subtree, o.leaf));
            let (new_tree, new_leaf) = new.map_or((None, None), |n| (n.subtree, n.leaf));
            self.tree_dir(&dir_prefix(&path), old_tree, new_tree)?;
            self.leaf(path, old_leaf, new_leaf);
        }
        Ok(())
    }

    fn leaf(&mut self, path: Vec<u8>, old: Option<Version>, new: Option<Version>) {
        if old != new {
            self.changes.push(Change { path, old, new });
        }
    }

    /// The entries of a tree, owned; nothing for `None`.
    fn read_tree(&self, id: Option<ObjectId>) -> anyhow::Result<Vec<TreeNode>> {
        let Some(id) = id else { return Ok(Vec::new()) };
        let tree = self.repo.find_tree(id).with_context(|| format!("cannot read tree {id}"))?;
        let decoded = tree.decode().with_context(|| format!("cannot decode tree {id}"))?;
        Ok(decoded.entries.iter().map(|e| tree_node(e.filename, e.mode.kind(), e.oid.to_owned())).collect())
    }
}

fn tree_node(name: &[u8], kind: EntryKind, id: ObjectId) -> TreeNode {
    let (subtree, leaf) = match kind {
        EntryKind::Tree => (Some(id), None),
        EntryKind::Blob | EntryKind::BlobExecutable => (None, Some(Version::Blob(id))),
        EntryKind::Link => (None, Some(Version::Symlink(id))),
        EntryKind::Commit => (None, Some(Version::Gitlink(id))),
    };
    TreeNode { name: name.to_vec(), subtree, leaf }
}

fn dir_prefix(path: &[u8]) -> Vec<u8> {
    [path, b"/"].concat()
}

/// Splits the index entries below one directory (all paths start with the same `prefix_len`
/// bytes) into one node per name at this level.
fn group<'i>(state: &'i State, entries: &'i [Entry], prefix_len: usize) -> Vec<IndexNode<'i>> {
    let mut nodes = Vec::new();
    let mut i = 0;
    while let Some(entry) = entries.get(i) {
        let path: &[u8] = entry.path(state);
        let rest = path.get(prefix_len..).unwrap_or_default();
        let slash = rest.find_byte(b'/');
        let (name, slot, len) = if entry.mode == Mode::DIR && slash.is_none_or(|s| s + 1 == rest.len()) {
            (&rest[..slash.unwrap_or(rest.len())], Slot::Sparse(entry.id), 1)
        } else if let Some(slash) = slash {
            let dir = &path[..=prefix_len + slash];
            let len = entries[i..].partition_point(|e| e.path(state).starts_with(dir));
            (&rest[..slash], Slot::Dir(&entries[i..i + len]), len)
        } else {
            let len = entries[i..].partition_point(|e| e.path(state) == path);
            (rest, Slot::Leaf(version_of(&entries[i..i + len])), len)
        };
        nodes.push(IndexNode { name, slot });
        i += len.max(1);
    }
    nodes
}

/// What the commit records for one path, given its index entries (one per stage).
fn version_of(stages: &[Entry]) -> Version {
    let Some(entry) = stages.first() else {
        return Version::Unsupported;
    };
    if stages.iter().any(|e| e.stage_raw() != 0) {
        return Version::Conflict;
    }
    if entry.flags.contains(Flags::INTENT_TO_ADD) {
        return Version::IntentToAdd;
    }
    if entry.mode == Mode::FILE || entry.mode == Mode::FILE_EXECUTABLE {
        Version::Blob(entry.id)
    } else if entry.mode == Mode::SYMLINK {
        Version::Symlink(entry.id)
    } else if entry.mode == Mode::COMMIT {
        Version::Gitlink(entry.id)
    } else {
        Version::Unsupported
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Node(&'static str, bool);

    impl Named for Node {
        fn name(&self) -> &[u8] {
            self.0.as_bytes()
        }
        fn is_dir(&self) -> bool {
            self.1
        }
    }

    fn joined(left: Vec<Node>, right: Vec<Node>) -> Vec<(Option<&'static str>, Option<&'static str>)> {
        pair_up(left, right).into_iter().map(|(l, r)| (l.map(|n| n.0), r.map(|n| n.0))).collect()
    }

    #[test]
    fn pairs_follow_git_tree_order() {
        // Tree order: `a.py` < `a/` (a directory sorts as if its name ended in `/`).
        let left = vec![Node("a.py", false), Node("a", true), Node("c", false)];
        let right = vec![Node("a.py", false), Node("a", true), Node("b", false)];
        assert_eq!(
            joined(left, right),
            vec![(Some("a.py"), Some("a.py")), (Some("a"), Some("a")), (None, Some("b")), (Some("c"), None)]
        );
    }

    #[test]
    fn a_file_replaced_by_a_directory_is_two_changes() {
        let left = vec![Node("x", false)];
        let right = vec![Node("x", true)];
        assert_eq!(joined(left, right), vec![(Some("x"), None), (None, Some("x"))]);
    }
}
