//! pre-commit input: what the commit will record (the index) against HEAD's tree, as a
//! [`ChangeSet`].
//!
//! The index is the one git hands the hook (`GIT_INDEX_FILE`); the old side is HEAD's tree, or
//! nothing on the first commit. Both are walked together one directory at a time. A directory
//! whose cache-tree node (the index's TREE extension, refreshed by `git commit` before the hook
//! runs) is valid and names HEAD's subtree is skipped without looking inside, so a large
//! repository costs about as much as its changed directories; without the extension the walk is
//! a plain merge-join. Sparse-index directory entries are compared as trees. Blobs are read from
//! the object database only, never from the worktree, so a partially staged file is judged by
//! what is staged.

use std::cmp::Ordering;
use std::collections::HashMap;

use anyhow::Context;
use gix::ObjectId;
use gix::bstr::ByteSlice;
use gix::index::entry::{Flags, Mode};
use gix::index::extension::Tree as CacheTree;
use gix::index::{Entry, State};
use gix::objs::tree::EntryKind;
use rayon::prelude::*;

use crate::changes::{ChangeSet, ChangedFile, LineFilter, Skipped};
use crate::git::lines::changed_lines;
use crate::pyfiles::{self, PathKind};
use crate::source::Skip;

/// What the caller wants from the staged change set.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Every line of a changed file counts, not only added or modified ones.
    pub all_lines: bool,
    /// Blobs larger than this are skipped (reported) before they are read.
    pub max_file_size: u64,
}

/// The Python files the next commit adds or modifies, with the lines that count.
pub fn staged_changes(repo: &gix::Repository, options: &Options) -> anyhow::Result<ChangeSet> {
    anyhow::ensure!(
        !repo.is_bare(),
        "pre-commit needs a repository with a worktree, and this one is bare"
    );
    let index = read_index(repo)?;
    let head = head_tree(repo)?;
    let mut walk = Walk {
        repo,
        index: &index,
        changes: Vec::new(),
    };
    walk.index_dir(b"", head, index.entries(), index.tree())?;
    change_set(repo, walk.changes, options)
}

/// The index named by `GIT_INDEX_FILE` (or the default one); a missing file is an empty index.
///
/// Like git (which checks the trailing checksum only in `git fsck`), the file is decoded without
/// hashing it first: on a 60k-entry index the collision-detecting SHA-1 is a fifth of the run.
fn read_index(repo: &gix::Repository) -> anyhow::Result<State> {
    let path = repo.index_path();
    if !path.exists() {
        return Ok(State::new(repo.object_hash()));
    }
    let skip_hash = true;
    let file = gix::index::File::at(&path, repo.object_hash(), skip_hash, Default::default())
        .with_context(|| format!("cannot read the index {}", path.display()))?;
    Ok(file.into())
}

/// HEAD's tree, or `None` before the first commit.
fn head_tree(repo: &gix::Repository) -> anyhow::Result<Option<ObjectId>> {
    let mut head = repo.head().context("cannot read HEAD")?;
    if head.is_unborn() {
        return Ok(None);
    }
    let commit = head
        .peel_to_commit()
        .context("cannot resolve HEAD to a commit")?;
    Ok(Some(
        commit
            .tree_id()
            .context("cannot read HEAD's tree")?
            .detach(),
    ))
}

/// One side of a path that is not a directory, copied out of git.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Version {
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
struct Change {
    path: Vec<u8>,
    old: Option<Version>,
    new: Option<Version>,
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
            (Some(l), Some(r)) => {
                gix::objs::tree::name_order(l.name(), l.is_dir(), r.name(), r.is_dir())
            }
        };
        pairs.push(match order {
            Ordering::Less => (left.next(), None),
            Ordering::Greater => (None, right.next()),
            Ordering::Equal => (left.next(), right.next()),
        });
    }
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
            let name = old
                .as_ref()
                .map_or_else(|| new.as_ref().map_or(&[][..], |n| n.name), |o| &o.name[..]);
            let path = [prefix, name].concat();
            let name = &path[prefix.len()..];
            let (old_tree, old_leaf) = old.map_or((None, None), |o| (o.subtree, o.leaf));
            let new_leaf = match new.map(|n| n.slot) {
                Some(Slot::Dir(below)) => {
                    let child =
                        cache.and_then(|c| c.children.iter().find(|c| c.name.as_slice() == name));
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
    fn tree_dir(
        &mut self,
        prefix: &[u8],
        old: Option<ObjectId>,
        new: Option<ObjectId>,
    ) -> anyhow::Result<()> {
        if old == new {
            return Ok(());
        }
        let (left, right) = (self.read_tree(old)?, self.read_tree(new)?);
        for (old, new) in pair_up(left, right) {
            let name = old
                .as_ref()
                .or(new.as_ref())
                .map_or(&[][..], |n| &n.name[..]);
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
        let tree = self
            .repo
            .find_tree(id)
            .with_context(|| format!("cannot read tree {id}"))?;
        let decoded = tree
            .decode()
            .with_context(|| format!("cannot decode tree {id}"))?;
        Ok(decoded
            .entries
            .iter()
            .map(|e| tree_node(e.filename, e.mode.kind(), e.oid.to_owned()))
            .collect())
    }
}

fn tree_node(name: &[u8], kind: EntryKind, id: ObjectId) -> TreeNode {
    let (subtree, leaf) = match kind {
        EntryKind::Tree => (Some(id), None),
        EntryKind::Blob | EntryKind::BlobExecutable => (None, Some(Version::Blob(id))),
        EntryKind::Link => (None, Some(Version::Symlink(id))),
        EntryKind::Commit => (None, Some(Version::Gitlink(id))),
    };
    TreeNode {
        name: name.to_vec(),
        subtree,
        leaf,
    }
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
        let (name, slot, len) =
            if entry.mode == Mode::DIR && slash.is_none_or(|s| s + 1 == rest.len()) {
                (
                    &rest[..slash.unwrap_or(rest.len())],
                    Slot::Sparse(entry.id),
                    1,
                )
            } else if let Some(slash) = slash {
                let dir = &path[..prefix_len + slash + 1];
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

/// From this many staged blobs on (a first commit, a large import) they are read in parallel.
const PARALLEL_FROM: usize = 32;

/// A staged blob to read, with the HEAD blob it replaces.
struct Candidate {
    path: Vec<u8>,
    old: Option<ObjectId>,
    new: ObjectId,
    /// Same blob as a path the commit deletes: an exact rename, no line changed.
    renamed: bool,
}

enum Loaded {
    File(ChangedFile),
    Skipped(Skipped),
    NotPython,
}

/// Turns the differing leaves into a change set: reads the staged blobs that are Python, diffs
/// them against HEAD's, and records every skipped Python path with its reason.
fn change_set(
    repo: &gix::Repository,
    changes: Vec<Change>,
    options: &Options,
) -> anyhow::Result<ChangeSet> {
    let mut set = ChangeSet::default();
    let mut deleted: HashMap<ObjectId, Vec<Vec<u8>>> = HashMap::new();
    for change in &changes {
        if let (Some(Version::Blob(id)), None) = (change.old, change.new) {
            deleted.entry(id).or_default().push(change.path.clone());
        }
    }
    let mut candidates = Vec::new();
    for Change { path, old, new } in changes {
        match new {
            Some(Version::Blob(new)) => {
                let old = match old {
                    Some(Version::Blob(old)) => Some(old),
                    _ => None,
                };
                let renamed = old.is_none() && deleted.get_mut(&new).and_then(Vec::pop).is_some();
                candidates.push(Candidate {
                    path,
                    old,
                    new,
                    renamed,
                });
            }
            Some(version) => set
                .skipped
                .extend(skip_reason(version, &path).map(|reason| skipped(&path, reason))),
            None => {}
        }
    }
    for loaded in load_all(repo, candidates, options)? {
        match loaded {
            Loaded::File(file) => set.files.push(file),
            Loaded::Skipped(skip) => set.skipped.push(skip),
            Loaded::NotPython => {}
        }
    }
    let mut gone: Vec<Vec<u8>> = deleted
        .into_values()
        .flatten()
        .filter(|p| is_python_path(p))
        .collect();
    gone.sort();
    set.skipped
        .extend(gone.iter().map(|p| skipped(p, "deleted")));
    Ok(set)
}

/// Why a staged entry that is not a regular file is not read; `None` when it is not worth a line.
fn skip_reason(version: Version, path: &[u8]) -> Option<&'static str> {
    let reason = match version {
        Version::Gitlink(_) => {
            return Some("submodule (its commits are checked in its own repository)");
        }
        Version::Blob(_) => return None,
        Version::Symlink(_) => "symlink (not followed)",
        Version::Conflict => "not checked: unresolved conflict",
        Version::IntentToAdd => "intent-to-add, nothing staged yet",
        Version::Unsupported => "unsupported index entry mode",
    };
    is_python_path(path).then_some(reason)
}

/// Loads every candidate, in order; in parallel when there are many.
fn load_all(
    repo: &gix::Repository,
    candidates: Vec<Candidate>,
    options: &Options,
) -> anyhow::Result<Vec<Loaded>> {
    if candidates.len() < PARALLEL_FROM {
        return candidates
            .into_iter()
            .map(|c| load(repo, c, options))
            .collect();
    }
    // gix handles are single-threaded with this crate's features: each worker opens its own.
    let git_dir = repo.git_dir().to_path_buf();
    let thread_repo = || crate::git::open::open_at(&git_dir).map_err(|e| format!("{e:#}"));
    candidates
        .into_par_iter()
        .map_init(thread_repo, |repo, c| match repo {
            Ok(repo) => load(repo, c, options),
            Err(e) => Err(anyhow::anyhow!("{e}")),
        })
        .collect()
}

/// Reads one staged blob and works out which of its lines count.
fn load(repo: &gix::Repository, candidate: Candidate, options: &Options) -> anyhow::Result<Loaded> {
    let Candidate {
        path,
        old,
        new,
        renamed,
    } = candidate;
    let kind = pyfiles::path_kind(&path);
    if kind == PathKind::NotPython {
        return Ok(Loaded::NotPython);
    }
    let shown = display(&path);
    let size = blob_size(repo, new, &shown)?;
    if size > options.max_file_size {
        if kind == PathKind::MaybeScript {
            return Ok(Loaded::NotPython);
        }
        let reason = Skip::TooLarge {
            size,
            limit: options.max_file_size,
        }
        .to_string();
        return Ok(Loaded::Skipped(Skipped {
            path: shown,
            reason,
        }));
    }
    let bytes = read_blob(repo, new, &shown)?;
    let Some(stub) = pyfiles::python_flavor(&path, &bytes) else {
        return Ok(Loaded::NotPython);
    };
    let lines = match old {
        _ if options.all_lines => LineFilter::All,
        _ if renamed => LineFilter::Only(Vec::new()),
        None => LineFilter::All,
        Some(old) if blob_size(repo, old, &shown)? > options.max_file_size => LineFilter::All,
        Some(old) => changed_lines(&read_blob(repo, old, &shown)?, &bytes),
    };
    Ok(Loaded::File(ChangedFile {
        path: shown,
        raw_path: path,
        bytes,
        lines,
        stub,
        commit: None,
    }))
}

fn blob_size(repo: &gix::Repository, id: ObjectId, path: &str) -> anyhow::Result<u64> {
    let header = repo
        .find_header(id)
        .with_context(|| format!("cannot find object {id} of {path}"))?;
    Ok(header.size())
}

fn read_blob(repo: &gix::Repository, id: ObjectId, path: &str) -> anyhow::Result<Vec<u8>> {
    let mut blob = repo
        .find_blob(id)
        .with_context(|| format!("cannot read blob {id} of {path}"))?;
    Ok(blob.take_data())
}

fn skipped(path: &[u8], reason: &str) -> Skipped {
    Skipped {
        path: display(path),
        reason: reason.to_owned(),
    }
}

/// Paths worth a "skipped" line when they cannot be read: Python by name alone.
fn is_python_path(path: &[u8]) -> bool {
    matches!(pyfiles::path_kind(path), PathKind::Python | PathKind::Stub)
}

/// Repository-relative path for display (lossy; control characters are escaped at render).
fn display(path: &[u8]) -> String {
    String::from_utf8_lossy(path).into_owned()
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

    fn joined(
        left: Vec<Node>,
        right: Vec<Node>,
    ) -> Vec<(Option<&'static str>, Option<&'static str>)> {
        pair_up(left, right)
            .into_iter()
            .map(|(l, r)| (l.map(|n| n.0), r.map(|n| n.0)))
            .collect()
    }

    #[test]
    fn pairs_follow_git_tree_order() {
        // Tree order: `a.py` < `a/` (a directory sorts as if its name ended in `/`).
        let left = vec![Node("a.py", false), Node("a", true), Node("c", false)];
        let right = vec![Node("a.py", false), Node("a", true), Node("b", false)];
        assert_eq!(
            joined(left, right),
            vec![
                (Some("a.py"), Some("a.py")),
                (Some("a"), Some("a")),
                (None, Some("b")),
                (Some("c"), None)
            ]
        );
    }

    #[test]
    fn a_file_replaced_by_a_directory_is_two_changes() {
        let left = vec![Node("x", false)];
        let right = vec![Node("x", true)];
        assert_eq!(
            joined(left, right),
            vec![(Some("x"), None), (None, Some("x"))]
        );
    }
}
