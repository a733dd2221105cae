//! pre-commit input: what the commit will record (the index) against HEAD's tree, as a
//! [`ChangeSet`].
//!
//! The index is the one git hands the hook (`GIT_INDEX_FILE`); the old side is HEAD's tree, or
//! nothing on the first commit. [`walk`] finds the paths that differ, [`load`] reads the staged
//! Python blobs among them; this module pairs exact renames and records what is skipped.

mod links;
mod load;
mod snapshot;
mod walk;

use std::collections::HashMap;

use anyhow::Context;
use gix::ObjectId;
use gix::index::State;

use self::load::{Candidate, Loaded, display, load_all};
use self::walk::{Change, Version, differing_paths};
use crate::changes::{ChangeSet, Scope, Skipped};
use crate::git::blob_kind;
use crate::pyfiles::{self, PathKind};

/// What the caller wants from the staged change set.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Options {
    /// Every line of a changed file counts, not only added or modified ones.
    pub(crate) all_lines: bool,
    /// Blobs larger than this are skipped (reported) before they are read.
    pub(crate) max_file_size: u64,
}

/// The Python files the next commit adds or modifies, with the lines that count.
pub(crate) fn staged_changes(repo: &gix::Repository, index: Index, options: &Options) -> anyhow::Result<ChangeSet> {
    anyhow::ensure!(!repo.is_bare(), "pre-commit needs a repository with a worktree, and this one is bare");
    let Index(index) = index;
    let head = head_tree(repo)?;
    let changes = differing_paths(repo, &index, head)?;
    let mut set = change_set(repo, &index, changes, options)?;
    let files = snapshot::IndexFiles::new(index, repo.git_dir().to_path_buf(), options.max_file_size);
    let changed = set.files.iter().map(|f| (f.path.clone(), f.lines.clone())).collect();
    let scope = std::sync::Arc::new(Scope { files: std::sync::Arc::new(files), changed: Some(changed) });
    for file in &mut set.files {
        file.scope = Some(scope.clone());
    }
    Ok(set)
}

/// The staged regular files whose file name is one of `names` (configuration files), as
/// (repository-relative path, content): a hook reads its configuration from what the commit
/// records, never from the worktree.
pub(crate) fn staged_files_named(
    repo: &gix::Repository,
    index: &Index,
    names: &[&str],
) -> anyhow::Result<Vec<(Vec<u8>, Vec<u8>)>> {
    let Index(index) = index;
    let mut found = Vec::new();
    for entry in index.entries() {
        let path = entry.path(index);
        let name = path.rsplit(|&b| b == b'/').next().unwrap_or_default();
        let regular = matches!(entry.mode, gix::index::entry::Mode::FILE | gix::index::entry::Mode::FILE_EXECUTABLE);
        if regular && entry.stage_raw() == 0 && names.iter().any(|n| n.as_bytes() == name) {
            let mut blob = repo.find_blob(entry.id).with_context(|| format!("cannot read the staged {path}"))?;
            found.push((path.to_vec(), blob.take_data()));
        }
    }
    Ok(found)
}

/// The index as the hook read it: read once for the configuration and the changes (decoding a
/// large index is a good part of the hook's time).
pub(crate) struct Index(State);

/// The index named by `GIT_INDEX_FILE` (or the default one); a missing file is an empty index.
///
/// Like git (which checks the trailing checksum only in `git fsck`), the file is decoded without
/// hashing it first: on a 60k-entry index the collision-detecting SHA-1 is a fifth of the run.
pub(crate) fn read_index(repo: &gix::Repository) -> anyhow::Result<Index> {
    let path = repo.index_path();
    if !path.exists() {
        return Ok(Index(State::new(repo.object_hash())));
    }
    let skip_hash = true;
    let file = gix::index::File::at(&path, repo.object_hash(), skip_hash, gix::index::decode::Options::default())
        .with_context(|| format!("cannot read the index {}", path.display()))?;
    Ok(Index(file.into()))
}

/// HEAD's tree, or `None` before the first commit.
fn head_tree(repo: &gix::Repository) -> anyhow::Result<Option<ObjectId>> {
    let mut head = repo.head().context("cannot read HEAD")?;
    if head.is_unborn() {
        return Ok(None);
    }
    let commit = head.peel_to_commit().context("cannot resolve HEAD to a commit")?;
    Ok(Some(commit.tree_id().context("cannot read HEAD's tree")?.detach()))
}

/// Paths the commit deletes, by blob: the possible sources of exact renames.
type Deleted = HashMap<ObjectId, Vec<Vec<u8>>>;

/// Turns the differing leaves into a change set: reads the staged blobs that are Python, diffs
/// them against HEAD's, and records every skipped Python path with its reason.
fn change_set(
    repo: &gix::Repository,
    index: &State,
    changes: Vec<Change>,
    options: &Options,
) -> anyhow::Result<ChangeSet> {
    let mut set = ChangeSet::default();
    let mut deleted = deleted_blobs(&changes);
    let links = links::staged_links(repo, index, &changes)?;
    let mut candidates = candidates(changes, &mut deleted, &mut set.skipped);
    candidates.extend(links.candidates);
    set.incomplete.extend(links.incomplete);
    set.skipped.extend(links.skipped);
    for loaded in load_all(repo, candidates, options)? {
        match loaded {
            Loaded::File(file) => set.files.push(file),
            Loaded::Incomplete(gap) => set.incomplete.push(gap),
            Loaded::NotPython => {}
        }
    }
    set.skipped.extend(deleted_python(deleted));
    Ok(set)
}

fn deleted_blobs(changes: &[Change]) -> Deleted {
    let mut deleted = Deleted::new();
    for change in changes {
        if let (Some(Version::Blob(id)), None) = (change.old, change.new) {
            deleted.entry(id).or_default().push(change.path.clone());
        }
    }
    deleted
}

/// The staged regular files to read; other staged entries become skip lines.
fn candidates(changes: Vec<Change>, deleted: &mut Deleted, skipped: &mut Vec<Skipped>) -> Vec<Candidate> {
    let mut candidates = Vec::new();
    for Change { path, old, new } in changes {
        match new {
            Some(Version::Blob(new)) => {
                let old = match old {
                    Some(Version::Blob(old)) => Some(old),
                    _ => None,
                };
                let renamed_from = old.is_none().then(|| rename_source(deleted, new, &path)).flatten();
                candidates.push(Candidate { path, old, new, renamed_from });
            }
            Some(version) => {
                skipped.extend(skip_reason(version, &path).map(|reason| skip(&path, reason)));
            }
            None => {}
        }
    }
    candidates
}

/// Takes a deleted path holding blob `id` that may be the old name of `new_path`: one of the
/// same kind when there is one, else any that can be Python. Whether it really is a rename is
/// decided once the blob is read ([`blob_kind::is_python_rename`]).
fn rename_source(deleted: &mut Deleted, id: ObjectId, new_path: &[u8]) -> Option<Vec<u8>> {
    if pyfiles::path_kind(new_path) == PathKind::NotPython {
        return None;
    }
    let paths = deleted.get_mut(&id)?;
    let kind = pyfiles::path_kind(new_path);
    let position = paths
        .iter()
        .position(|p| pyfiles::path_kind(p) == kind)
        .or_else(|| paths.iter().position(|p| blob_kind::may_be_rename_source(p)))?;
    Some(paths.swap_remove(position))
}

/// One "deleted" line per deleted Python path that is not the old name of a rename.
fn deleted_python(deleted: Deleted) -> Vec<Skipped> {
    let mut gone: Vec<Vec<u8>> = deleted.into_values().flatten().filter(|p| is_python_path(p)).collect();
    gone.sort();
    gone.iter().map(|p| skip(p, "deleted")).collect()
}

/// Why a staged entry that is not a regular file is not read; `None` when it is not worth a line.
fn skip_reason(version: Version, path: &[u8]) -> Option<&'static str> {
    let reason = match version {
        Version::Gitlink(_) => {
            return Some("submodule (its commits are checked in its own repository)");
        }
        // Followed by `links`.
        Version::Blob(_) | Version::Symlink(_) => return None,
        Version::Conflict => "not checked: unresolved conflict",
        Version::IntentToAdd => "intent-to-add, nothing staged yet",
        Version::Unsupported => "unsupported index entry mode",
    };
    is_python_path(path).then_some(reason)
}

fn skip(path: &[u8], reason: &str) -> Skipped {
    Skipped { path: display(path), reason: reason.to_owned() }
}

/// Paths worth a "skipped" line when they cannot be read: Python by name alone.
fn is_python_path(path: &[u8]) -> bool {
    matches!(pyfiles::path_kind(path), PathKind::Python | PathKind::Stub)
}
