//! One new commit → the Python paths it changes, each with its new blob and the old blob on
//! every parent side.
//!
//! A commit is diffed against each parent (a root commit against the empty tree, which is not
//! in the object database). For a merge a path counts only if it differs from *every* parent:
//! content that appears only in the merge (an "evil merge") is caught, while changes merged
//! in from a side branch, already scanned in their own commits, are not rescanned.
//! An added blob that the same diff deletes under another path keeps that path as a possible
//! rename source; it is an exact rename with no new line only if that path was Python of the same
//! flavour, which [`super::push_blobs`] decides once the blob is read.

use std::collections::{BTreeMap, HashMap};

use anyhow::Context;
use gix::ObjectId;
use gix::bstr::BString;
use gix::diff::tree::recorder::Change;
use gix::objs::FindExt;

use super::blob_kind;
use super::odb::LayeredOdb;
use crate::pyfiles::{self, PathKind};

/// The parts of a commit the scan needs.
pub(super) struct CommitData {
    pub(crate) tree: ObjectId,
    pub(crate) parents: Vec<ObjectId>,
    pub(crate) subject: String,
}

/// A path whose new version must be looked at; `olds[i]` is its blob on parent `i` (`None`:
/// the path is new relative to that parent).
#[derive(Debug)]
pub(super) struct Candidate {
    pub(crate) path: BString,
    pub(crate) new: ObjectId,
    pub(crate) olds: Vec<Option<ObjectId>>,
    /// Paths that held the same blob on a parent and are gone: an exact rename from any of them,
    /// if it was Python of the same flavour, means no line is new relative to that parent.
    pub(crate) renamed_from: Vec<BString>,
}

/// What one diff brings: the Python candidates, the changed symlinks with Python names (path,
/// link blob), and the other regular files added or changed (new blob, old blob), which may be
/// the target of an unchanged link.
#[derive(Default)]
pub(super) struct Found {
    pub(crate) candidates: Vec<Candidate>,
    pub(crate) links: Vec<(BString, ObjectId)>,
    pub(crate) others: Vec<(ObjectId, Option<ObjectId>)>,
}

/// One diff, before merge rules apply to its Python candidates.
struct TreeChanges {
    python: Changes,
    links: Vec<(BString, ObjectId)>,
    others: Vec<(ObjectId, Option<ObjectId>)>,
}

/// Reusable buffers for reading commits and diffing trees.
pub(super) struct TreeDiffer<'a> {
    odb: &'a LayeredOdb,
    kind: gix::hash::Kind,
    state: gix::diff::tree::State,
    lhs: Vec<u8>,
    rhs: Vec<u8>,
}

impl<'a> TreeDiffer<'a> {
    pub(crate) fn new(odb: &'a LayeredOdb, kind: gix::hash::Kind) -> Self {
        Self { odb, kind, state: gix::diff::tree::State::default(), lhs: Vec::new(), rhs: Vec::new() }
    }

    pub(crate) fn read_commit(&mut self, id: &ObjectId) -> anyhow::Result<CommitData> {
        let commit = self.odb.find_commit(id, &mut self.lhs).with_context(|| format!("cannot read commit {id}"))?;
        Ok(CommitData {
            tree: commit.tree(),
            parents: commit.parents().collect(),
            subject: commit.message().summary().to_string(),
        })
    }

    /// Python candidates of `commit` under combined-diff rules (see the module docs), and the
    /// links with Python names it changes relative to its first parent.
    pub(crate) fn candidates(&mut self, commit: &CommitData) -> anyhow::Result<Found> {
        let Some((first, rest)) = commit.parents.split_first() else {
            return Ok(self.diff(None, commit.tree)?.found());
        };
        let parent_tree = |this: &mut Self, id: &ObjectId| this.read_commit(id).map(|c| c.tree);
        let tree = parent_tree(self, first)?;
        let TreeChanges { python: mut combined, links, others } = self.diff(Some(tree), commit.tree)?;
        for parent in rest {
            if combined.is_empty() {
                break;
            }
            let tree = parent_tree(self, parent)?;
            let mut side = self.diff(Some(tree), commit.tree)?.python;
            combined.retain(|path, change| match side.remove(path) {
                Some(mut more) => {
                    change.olds.append(&mut more.olds);
                    change.renamed_from.append(&mut more.renamed_from);
                    true
                }
                None => false,
            });
        }
        Ok(TreeChanges { python: combined, links, others }.found())
    }

    /// Python candidates from tree `old` (`None`: nothing) to tree `new`: a pushed ref's final
    /// state against its base.
    pub(crate) fn candidates_between(&mut self, old: Option<ObjectId>, new: ObjectId) -> anyhow::Result<Found> {
        if old == Some(new) {
            return Ok(Found::default());
        }
        Ok(self.diff(old, new)?.found())
    }

    /// What changed from `old` to `new` (see [`TreeChanges`]).
    fn diff(&mut self, old: Option<ObjectId>, new: ObjectId) -> anyhow::Result<TreeChanges> {
        let lhs = match old {
            Some(id) => {
                self.odb.find_tree_iter(&id, &mut self.lhs).with_context(|| format!("cannot read tree {id}"))?
            }
            None => gix::objs::TreeRefIter::from_bytes(&[], self.kind),
        };
        let rhs = self.odb.find_tree_iter(&new, &mut self.rhs).with_context(|| format!("cannot read tree {new}"))?;
        let mut recorder = gix::diff::tree::Recorder::default();
        gix::diff::tree(lhs, rhs, &mut self.state, self.odb, &mut recorder)
            .with_context(|| format!("cannot diff tree {new}"))?;
        let (links, others) = links_and_others(&recorder.records);
        Ok(TreeChanges { python: python_changes(recorder.records), links, others })
    }
}

impl TreeChanges {
    fn found(self) -> Found {
        Found { candidates: into_candidates(self.python), links: self.links, others: self.others }
    }
}

/// Links with Python names added or changed, and regular files that are not Python by name
/// added or changed.
#[allow(clippy::type_complexity)]
fn links_and_others(records: &[Change]) -> (Vec<(BString, ObjectId)>, Vec<(ObjectId, Option<ObjectId>)>) {
    let (mut links, mut others) = (Vec::new(), Vec::new());
    for change in records {
        let (mode, id, path, old) = match change {
            Change::Addition { entry_mode, oid, path, .. } => (entry_mode, *oid, path, None),
            Change::Modification { previous_entry_mode, previous_oid, entry_mode, oid, path } => {
                (entry_mode, *oid, path, previous_entry_mode.is_blob().then_some(*previous_oid))
            }
            Change::Deletion { .. } => continue,
        };
        let kind = pyfiles::path_kind(path);
        if mode.is_link() && kind != PathKind::NotPython {
            links.push((path.clone(), id));
        } else if mode.is_blob() && !matches!(kind, PathKind::Python | PathKind::Stub) {
            others.push((id, old));
        }
    }
    (links, others)
}

type Changes = BTreeMap<BString, Candidate>;

fn python_changes(records: Vec<Change>) -> Changes {
    let mut deleted = deleted_blobs(&records);
    let mut out = Changes::new();
    for change in records {
        match change {
            Change::Addition { entry_mode, oid, path, .. } if entry_mode.is_blob() && maybe_python(&path) => {
                let renamed_from = deleted.remove(&oid).unwrap_or_default();
                out.insert(path.clone(), candidate(path, oid, None, renamed_from));
            }
            Change::Modification { previous_entry_mode, previous_oid, entry_mode, oid, path }
                if entry_mode.is_blob() && maybe_python(&path) && oid != previous_oid =>
            {
                let old = previous_entry_mode.is_blob().then_some(previous_oid);
                out.insert(path.clone(), candidate(path, oid, old, Vec::new()));
            }
            _ => {}
        }
    }
    out
}

/// Deleted blobs by id, with the paths that may have been Python.
fn deleted_blobs(records: &[Change]) -> HashMap<ObjectId, Vec<BString>> {
    let mut deleted: HashMap<ObjectId, Vec<BString>> = HashMap::new();
    for change in records {
        if let Change::Deletion { entry_mode, oid, path, .. } = change
            && entry_mode.is_blob()
            && blob_kind::may_be_rename_source(path)
        {
            deleted.entry(*oid).or_default().push(path.clone());
        }
    }
    deleted
}

fn candidate(path: BString, new: ObjectId, old: Option<ObjectId>, renamed_from: Vec<BString>) -> Candidate {
    Candidate { path, new, olds: vec![old], renamed_from }
}

fn into_candidates(changes: Changes) -> Vec<Candidate> {
    changes.into_values().collect()
}

/// Paths that are Python, or may be (extension-less scripts are decided by their shebang).
fn maybe_python(path: &[u8]) -> bool {
    pyfiles::path_kind(path) != PathKind::NotPython
}
