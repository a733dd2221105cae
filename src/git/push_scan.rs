//! The two phases of a push scan (see [`super::push`]): each pushed ref's final state, then the
//! new commits newest first, handing files over in bounded batches. The history's blobs are read
//! where they are analysed ([`super::push_read`]): this thread diffs the trees.

use std::collections::HashMap;
use std::sync::Arc;

use gix::ObjectId;
use gix::bstr::BString;

use super::links::Followed;
use super::odb::Stores;
use super::push::{Handed, Limits, Overrun, Phase, Progress, ScanSummary, Sink, Target, Walk, WalkedCommit};
use super::push_blobs::{BlobReader, Outcome};
use super::push_diff::{Candidate, Found, TreeDiffer};
use super::push_links::TreeLinks;
use super::push_read::{HistoryReader, Unread, UnreadBatch};
use super::push_refs::Peeled;
use super::tree_files::TreeFiles;
use crate::changes::{Cause, ChangeSet, ChangedFile, CommitInfo, Incomplete, Scope, Skipped};

/// A batch is handed over once it holds this many bytes of source…
const BATCH_BYTES: usize = 4 << 20;
/// …or this many files.
const BATCH_FILES: usize = 256;
/// Paths of the history handed over together, to be read on the analysis threads (about half
/// pass the gate there).
const BATCH_UNREAD: usize = 512;

/// Reads the walked commits newest first and hands their files over in batches.
pub(super) struct Scanner<'a, 's> {
    pub(super) diff: TreeDiffer<'a>,
    pub(super) links: TreeLinks<'a>,
    pub(super) blobs: BlobReader<'a>,
    /// The object stores the analysis threads read the pushed trees' modules from.
    pub(super) stores: &'a Arc<Stores>,
    pub(super) batch: Batch,
    /// The files found in the final-state tree being scanned, handed over together with that
    /// tree as their version of the project ([`Scanner::seal`]).
    pub(super) pending: Vec<ChangedFile>,
    pub(super) limits: &'a Limits,
    pub(super) sink: Sink<'s>,
    pub(super) progress: Progress<'s>,
}

impl Scanner<'_, '_> {
    /// Phase 1: the net change each pushed ref brings, whatever the time budget says.
    pub(super) fn final_states(
        &mut self,
        targets: &[Target],
        walk: &Walk,
        summary: &mut ScanSummary,
    ) -> anyhow::Result<()> {
        for target in targets {
            match target.new {
                Peeled::Commit(tip) => self.final_commit(tip, target, walk)?,
                Peeled::Tree(tree) => {
                    let base = match target.old {
                        Some(Peeled::Tree(old)) => Some(old),
                        _ => None,
                    };
                    let info = self.info(&tree, format!("tree pushed as {}", target.refs.join(", ")), &target.refs);
                    let found = self.diff.candidates_between(base, tree)?;
                    self.found(found, tree, &info, Phase::FinalState)?;
                }
                Peeled::Blob(blob) => {
                    let info = self.info(&blob, format!("blob pushed as {}", target.refs.join(", ")), &target.refs);
                    let outcome = self.blobs.whole_blob(target.refs[0].as_bytes(), blob, &info)?;
                    if let Outcome::File(file) = outcome {
                        self.batch.add_file(file, Phase::FinalState, self.sink)?;
                    } else {
                        self.outcome(outcome, Phase::FinalState)?;
                    }
                }
            }
            summary.final_states += target.refs.len();
        }
        self.batch.flush(Phase::FinalState, self.sink)
    }

    /// A ref to a commit: its tree against the old value's tree, or against the nearest known
    /// history. A tip the receiving side already has brings nothing.
    fn final_commit(&mut self, tip: ObjectId, target: &Target, walk: &Walk) -> anyhow::Result<()> {
        if walk.is_complete() && walk.commit(&tip).is_none() {
            return Ok(());
        }
        let data = self.diff.read_commit(&tip)?;
        let base = match target.old {
            Some(Peeled::Commit(old)) => Some(self.diff.read_commit(&old)?.tree),
            Some(Peeled::Tree(old)) => Some(old),
            _ => self.fork_point(tip, walk)?,
        };
        let info = self.info(&tip, data.subject.clone(), &target.refs);
        let found = self.diff.candidates_between(base, data.tree)?;
        self.found(found, data.tree, &info, Phase::FinalState)
    }

    /// The tree of the first first-parent ancestor of `tip` that is not new; `None` (the whole
    /// tree counts) when there is none or the walk did not finish.
    fn fork_point(&mut self, tip: ObjectId, walk: &Walk) -> anyhow::Result<Option<ObjectId>> {
        if !walk.is_complete() {
            return Ok(None);
        }
        let mut at = tip;
        while let Some(commit) = walk.commit(&at) {
            match commit.parents.first() {
                Some(parent) => at = *parent,
                None => return Ok(None),
            }
        }
        Ok(Some(self.diff.read_commit(&at)?.tree))
    }

    fn info(&self, id: &ObjectId, subject: String, refs: &[String]) -> Arc<CommitInfo> {
        Arc::new(CommitInfo { short_id: id.to_hex_with_len(10).to_string(), subject, refs: refs.to_vec() })
    }

    /// Hands over what one diff found in `tree` (phase 1: no budget check): its Python files,
    /// its changed links with Python names, and — for a final state — the unchanged links whose
    /// target it changes.
    fn found(&mut self, found: Found, tree: ObjectId, info: &Arc<CommitInfo>, phase: Phase) -> anyhow::Result<()> {
        let Found { candidates, links, others } = found;
        for candidate in candidates {
            self.file(candidate, tree, info, phase)?;
        }
        for (path, link) in &links {
            self.link(tree, path, *link, info, phase)?;
        }
        if phase == Phase::FinalState && !others.is_empty() {
            self.links_to(tree, &links, &others, info)?;
        }
        self.seal(tree)
    }

    /// Hands over the files found in a final-state `tree`, each with the tree as its version of
    /// the project (the modules it imports are read from there) and the tree's changed lines.
    /// Commits of the history are analysed file by file: following imports for every commit of
    /// a long history would parse the project once per commit.
    fn seal(&mut self, tree: ObjectId) -> anyhow::Result<()> {
        let files = std::mem::take(&mut self.pending);
        if files.is_empty() {
            return Ok(());
        }
        let changed = files.iter().map(|f| (f.path.clone(), f.lines.clone())).collect();
        let snapshot = Arc::new(TreeFiles::new(self.stores.clone(), tree, self.limits.max_blob_size));
        let scope = Arc::new(Scope { files: snapshot, changed: Some(changed) });
        for mut file in files {
            file.scope = Some(scope.clone());
            self.batch.add_file(file, Phase::FinalState, self.sink)?;
        }
        Ok(())
    }

    /// One candidate of the version of the project `tree` holds.
    fn file(
        &mut self,
        candidate: Candidate,
        tree: ObjectId,
        info: &Arc<CommitInfo>,
        phase: Phase,
    ) -> anyhow::Result<()> {
        let outcome = self.blobs.file(candidate, tree, info, phase == Phase::FinalState)?;
        self.outcome(outcome, phase)
    }

    /// A changed link with a Python name: analysed with its target's content, whole.
    fn link(
        &mut self,
        tree: ObjectId,
        path: &BString,
        link: ObjectId,
        info: &Arc<CommitInfo>,
        phase: Phase,
    ) -> anyhow::Result<()> {
        let shown = String::from_utf8_lossy(path).into_owned();
        match self.links.follow(tree, path, link)? {
            Followed::Blob(target) => {
                let candidate =
                    Candidate { path: path.clone(), new: target, olds: vec![None], renamed_from: Vec::new() };
                self.file(candidate, tree, info, phase)?;
            }
            Followed::Outside(target) => {
                let reason = format!(
                    "a symlink to {}, outside the repository: what it runs is not in the push",
                    String::from_utf8_lossy(&target)
                );
                self.batch.changes.incomplete.push(Incomplete::new(shown, reason, Cause::Analysis));
            }
            Followed::Nowhere(why) => self.batch.changes.skipped.push(Skipped { path: shown, reason: why.to_owned() }),
        }
        Ok(())
    }

    /// Unchanged links with Python names whose target `tree` changes (`others`: new and old blob
    /// of each changed file that is not Python by name). The tree is searched for links only
    /// when one of those files could hold a bind.
    fn links_to(
        &mut self,
        tree: ObjectId,
        changed_links: &[(BString, ObjectId)],
        others: &[(ObjectId, Option<ObjectId>)],
        info: &Arc<CommitInfo>,
    ) -> anyhow::Result<()> {
        let mut hot = HashMap::new();
        for &(new, old) in others {
            if self.blobs.may_bind(new)? {
                hot.insert(new, old);
            }
        }
        if hot.is_empty() {
            return Ok(());
        }
        for (path, link) in self.links.python_links(tree)? {
            if changed_links.iter().any(|(changed, _)| *changed == path) {
                continue;
            }
            if let Followed::Blob(target) = self.links.follow(tree, &path, link)?
                && let Some(&old) = hot.get(&target)
            {
                let candidate = Candidate { path, new: target, olds: vec![old], renamed_from: Vec::new() };
                self.file(candidate, tree, info, Phase::FinalState)?;
            }
        }
        Ok(())
    }

    fn outcome(&mut self, outcome: Outcome, phase: Phase) -> anyhow::Result<()> {
        match outcome {
            Outcome::Nothing | Outcome::RuledOut => Ok(()),
            Outcome::File(file) if phase == Phase::FinalState => {
                self.pending.push(file);
                Ok(())
            }
            Outcome::File(file) => self.batch.add_file(file, phase, self.sink),
            Outcome::TooLarge(gap) => {
                self.batch.changes.incomplete.push(gap);
                Ok(())
            }
        }
    }

    /// Phase 2: every commit, newest first (a pack stores a file's older versions as deltas of
    /// its newer ones, so each version read is one delta away from the last), until the time
    /// budget runs out; then the last batch.
    pub(super) fn commits(
        &mut self,
        commits: &[WalkedCommit],
        refs: &[Vec<String>],
        summary: &mut ScanSummary,
    ) -> anyhow::Result<()> {
        let reader = HistoryReader::new(
            self.stores.clone(),
            self.limits.max_blob_size,
            self.limits.deadline,
            self.blobs.hand_over(),
        );
        self.batch.reader = Some(Arc::new(reader));
        for (commit, refs) in commits.iter().zip(refs) {
            if self.limits.expired() || !self.commit(commit.id, refs)? {
                summary.overrun = Some(Overrun::Time);
                break;
            }
            summary.scanned_commits += 1;
            (self.progress)(summary.scanned_commits, commits.len());
        }
        self.batch.flush(Phase::History, self.sink)
    }

    /// One commit's changed Python files; false when the time budget ran out in between.
    fn commit(&mut self, id: ObjectId, refs: &[String]) -> anyhow::Result<bool> {
        let data = self.diff.read_commit(&id)?;
        let info = self.info(&id, data.subject.clone(), refs);
        let Found { candidates, links, .. } = self.diff.candidates(&data)?;
        for candidate in candidates {
            if self.limits.expired() {
                return Ok(false);
            }
            if let Some(candidate) = self.blobs.unread(candidate, data.tree, false) {
                self.batch.add_unread(Unread::new(candidate, info.clone()), self.sink)?;
            }
        }
        for (path, link) in &links {
            self.link(data.tree, path, *link, &info, Phase::History)?;
        }
        Ok(true)
    }
}

/// Files waiting to be handed over.
#[derive(Default)]
pub(super) struct Batch {
    changes: ChangeSet,
    bytes: usize,
    /// Paths of the history, read by `reader` on the analysis threads.
    unread: Vec<Unread>,
    reader: Option<Arc<HistoryReader>>,
}

impl Batch {
    fn add_file(&mut self, file: ChangedFile, phase: Phase, sink: Sink<'_>) -> anyhow::Result<()> {
        self.bytes += file.bytes.len();
        self.changes.files.push(file);
        if self.bytes >= BATCH_BYTES || self.changes.files.len() >= BATCH_FILES {
            self.flush(phase, sink)?;
        }
        Ok(())
    }

    fn add_unread(&mut self, file: Unread, sink: Sink<'_>) -> anyhow::Result<()> {
        self.unread.push(file);
        if self.unread.len() >= BATCH_UNREAD {
            self.flush(Phase::History, sink)?;
        }
        Ok(())
    }

    fn flush(&mut self, phase: Phase, sink: Sink<'_>) -> anyhow::Result<()> {
        let changes = std::mem::take(&mut self.changes);
        self.bytes = 0;
        let nothing = changes.files.is_empty() && changes.incomplete.is_empty() && changes.skipped.is_empty();
        if !nothing {
            sink(phase, Handed::Files(changes))?;
        }
        let files = std::mem::take(&mut self.unread);
        match &self.reader {
            Some(reader) if !files.is_empty() => {
                sink(phase, Handed::Unread(UnreadBatch { files, reader: reader.clone() }))
            }
            _ => Ok(()),
        }
    }
}
