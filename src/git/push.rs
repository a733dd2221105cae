//! What a push brings, as change sets: shared by `pre-receive` and `pre-push`.
//!
//! One walk from all new tips, hiding every known tip (see [`super::push_refs`]), finds the new
//! commits. Then two phases, each handing files to the caller in bounded batches (memory stays
//! flat however long the pushed history is):
//!
//! 1. **The final state of every pushed ref**, first and whatever the budget: the net change from
//!    the ref's old value to its new one (for a new ref: from the nearest known history — the
//!    first-parent ancestor the receiving side already has — or the whole tree when there is
//!    none). A ref to a tree is scanned like a commit's tree; a ref to a blob is analysed as a
//!    Python file named by the ref (it has no other name, and nothing else would look at it).
//! 2. **The history**: each new commit diffed against its parents ([`super::push_diff`]), newest
//!    first, until the time budget runs out. A budget may cut this phase short (the policy then
//!    decides); it never cuts the first.
//!
//! Changed Python blobs are read by [`super::push_blobs`], which hands each change over once: a
//! single-commit push is analysed once. The history's blobs are read on the analysis threads
//! ([`super::push_read`]). The time budget is checked between the commits and blobs of the
//! history.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use gix::ObjectId;
use gix::objs::FindExt;

use super::odb::{LayeredOdb, Stores};
use super::push_blobs::{BlobReader, Gates};
use super::push_diff::TreeDiffer;
use super::push_links::TreeLinks;
use super::push_read::UnreadBatch;
use super::push_refs::{Peeled, RefUpdate, known_tips, peel, peel_to_commit};
use super::push_scan::{Batch, Scanner};
use crate::changes::ChangeSet;

/// Budgets for one scan.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub(crate) deadline: Option<Instant>,
    pub(crate) max_commits: Option<usize>,
    pub(crate) max_blob_size: u64,
}

impl Limits {
    pub(super) fn expired(&self) -> bool {
        self.deadline.is_some_and(|d| Instant::now() >= d)
    }
}

/// Why a scan stopped early.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Overrun {
    Time,
    /// The push brings more commits than the limit; nothing was scanned.
    Commits {
        limit: usize,
    },
}

/// Which phase a batch of files comes from (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    /// The final state of the pushed refs: never cut short by the budget.
    FinalState,
    /// The new commits one by one: the budget may end it.
    History,
}

/// What the scan hands over: files it read, or paths of the history to be read where they are
/// analysed.
pub(crate) enum Handed {
    Files(ChangeSet),
    Unread(UnreadBatch),
}

impl Handed {
    /// How many files (or paths) it holds.
    pub(crate) fn len(&self) -> usize {
        match self {
            Handed::Files(changes) => changes.files.len(),
            Handed::Unread(batch) => batch.files.len(),
        }
    }
}

/// Where the scan hands its batches.
pub(crate) type Sink<'s> = &'s mut dyn FnMut(Phase, Handed) -> anyhow::Result<()>;

/// Told after each commit of the history: how many were scanned, of how many.
pub(crate) type Progress<'s> = &'s mut dyn FnMut(usize, usize);

/// Where the scan thread's time went (`--verbose`).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct ScanTimings {
    /// Finding the new commits.
    pub(crate) walk: std::time::Duration,
    /// Phase 1: reading and diffing the final state of every pushed ref.
    pub(crate) final_states: std::time::Duration,
    /// Phase 2: diffing the new commits' trees (handing their paths over included).
    pub(crate) history: std::time::Duration,
}

/// What a scan covered.
#[derive(Debug, Clone, Default)]
pub(crate) struct ScanSummary {
    /// New commits found (when the walk was cut short: how many it found before stopping).
    pub(crate) new_commits: usize,
    /// Commits whose every changed Python file was handed over.
    pub(crate) scanned_commits: usize,
    pub(crate) overrun: Option<Overrun>,
    /// Python file versions the gate ruled out (before diffing or parsing).
    pub(crate) ruled_out_files: usize,
    /// Pushed refs whose final state was scanned.
    pub(crate) final_states: usize,
    pub(crate) timings: ScanTimings,
}

/// Commit tips whose history the receiving side already has.
#[derive(Debug, Clone, Default)]
pub(crate) struct Known {
    tips: Vec<ObjectId>,
    /// What range was scanned when it is not the obvious one.
    pub(crate) note: Option<String>,
}

/// The repository a hook runs in, with the push's objects visible.
pub(crate) struct PushRepo {
    repo: gix::Repository,
    /// The object stores, shared with the threads that read the pushed trees' modules.
    stores: Arc<Stores>,
    odb: LayeredOdb,
}

impl PushRepo {
    /// Opens the repository from the hook environment (quarantine included).
    pub(crate) fn open() -> anyhow::Result<Self> {
        let repo = super::open::open_from_env()?;
        let stores = Stores::for_repo(&repo)?;
        let odb = stores.handle();
        Ok(Self { repo, stores, odb })
    }

    /// The effective value of a git config key (system, global and repository config).
    pub(crate) fn config_value(&self, key: &str) -> Option<String> {
        super::open::config_value(&self.repo, key)
    }

    /// pre-receive: every existing ref (not updated yet while the hook runs).
    pub(crate) fn known_on_server(&self) -> anyhow::Result<Known> {
        Ok(Known { tips: known_tips(&self.repo, &self.odb, None)?, note: None })
    }

    /// pre-push: the remote's tracking refs, or every remote-tracking ref when `remote` has
    /// none (a push to a URL), plus the remote's current tips when they exist locally.
    pub(crate) fn known_on_remote(&self, remote: &str, updates: &[RefUpdate]) -> anyhow::Result<Known> {
        let mut tips = self.tracking_tips(remote)?;
        let mut note = None;
        if tips.is_empty() {
            tips = known_tips(&self.repo, &self.odb, Some("refs/remotes/"))?;
            if !tips.is_empty() {
                note = Some(format!(
                    "no tracking refs for {remote}: commits on any remote-tracking ref were not rescanned"
                ));
            }
        }
        let no_tracking_refs = tips.is_empty();
        for old in updates.iter().filter_map(RefUpdate::old_id) {
            tips.extend(peel_to_commit(&self.odb, old, true)?);
        }
        if no_tracking_refs {
            note = Some(if tips.is_empty() {
                "no remote-tracking refs: scanned the whole history of the pushed refs".to_owned()
            } else {
                "no remote-tracking refs: scanned the pushed refs' history not reachable from the remote's current tips"
                    .to_owned()
            });
        }
        Ok(Known { tips, note })
    }

    /// The branch HEAD is on (`refs/heads/…`), if any.
    pub(crate) fn current_branch(&self) -> Option<String> {
        let head = self.repo.head_name().ok().flatten()?;
        let name = head.as_bstr().to_string();
        name.starts_with("refs/heads/").then_some(name)
    }

    /// The update a push of `local` to `remote_ref` on `remote` makes, worked out from the local
    /// refs and the remote's tracking refs (when git's stdin said nothing); `None` when `local`
    /// does not resolve or the remote already has its tip.
    pub(crate) fn implied_update(
        &self,
        local: &str,
        remote: &str,
        remote_ref: &str,
    ) -> anyhow::Result<Option<RefUpdate>> {
        let resolve = |name: &str| -> anyhow::Result<Option<ObjectId>> {
            match self.repo.try_find_reference(name).with_context(|| format!("cannot read {name}"))? {
                Some(mut reference) => {
                    Ok(Some(reference.peel_to_id().with_context(|| format!("cannot resolve {name}"))?.detach()))
                }
                None => Ok(None),
            }
        };
        let Some(new) = resolve(local)? else { return Ok(None) };
        let branch = remote_ref.strip_prefix("refs/heads/").unwrap_or(remote_ref);
        let tracking = if remote.is_empty() { None } else { resolve(&format!("refs/remotes/{remote}/{branch}"))? };
        if tracking == Some(new) {
            return Ok(None);
        }
        Ok(Some(RefUpdate::implied(remote_ref.to_owned(), tracking, new)))
    }

    /// A range audit (`pre-commit run --from-ref A --to-ref B`): only the history of the old
    /// tips is known, whatever the remote-tracking refs say.
    pub(crate) fn known_below(&self, updates: &[RefUpdate]) -> anyhow::Result<Known> {
        let mut tips = Vec::new();
        for old in updates.iter().filter_map(RefUpdate::old_id) {
            tips.extend(peel_to_commit(&self.odb, old, true)?);
        }
        Ok(Known { tips, note: None })
    }

    /// The object id a revision names (`main`, `origin/main`, `HEAD~1`, an id), in hex: the
    /// pre-commit framework passes `--from-ref`/`--to-ref` as the user wrote them.
    pub(crate) fn resolve(&self, spec: &str) -> anyhow::Result<String> {
        let id = self
            .repo
            .rev_parse_single(spec)
            .with_context(|| format!("cannot resolve the revision {}", crate::terminal::sanitize(spec)))?;
        Ok(id.detach().to_hex().to_string())
    }

    /// The files named one of `names` (configuration files) in the tree of the first commit
    /// the push brings to a ref, as (path, content): a push hook reads its configuration from
    /// the pushed snapshot, never from a worktree. Empty when the push only deletes.
    pub(crate) fn pushed_files_named(
        &self,
        updates: &[RefUpdate],
        names: &[&str],
    ) -> anyhow::Result<Vec<(Vec<u8>, Vec<u8>)>> {
        let Some((tip, _)) = commit_tips(&self.targets(updates)?).into_iter().next() else { return Ok(Vec::new()) };
        let mut buf = Vec::new();
        let tree = self.odb.find_commit(&tip, &mut buf).with_context(|| format!("cannot read commit {tip}"))?.tree();
        let (mut found, mut pending) = (Vec::new(), vec![(tree, Vec::new())]);
        while let Some((id, prefix)) = pending.pop() {
            let entries: Vec<(gix::objs::tree::EntryKind, Vec<u8>, ObjectId)> = self
                .odb
                .find_tree(&id, &mut buf)
                .with_context(|| format!("cannot read tree {id}"))?
                .entries
                .iter()
                .map(|e| (e.mode.kind(), e.filename.to_vec(), e.oid.to_owned()))
                .collect();
            for (kind, name, oid) in entries {
                let path = if prefix.is_empty() { name.clone() } else { [prefix.as_slice(), b"/", &name].concat() };
                match kind {
                    gix::objs::tree::EntryKind::Tree => pending.push((oid, path)),
                    gix::objs::tree::EntryKind::Blob | gix::objs::tree::EntryKind::BlobExecutable
                        if names.iter().any(|n| n.as_bytes() == name.as_slice()) =>
                    {
                        let data =
                            self.odb.find_blob(&oid, &mut buf).with_context(|| format!("cannot read blob {oid}"))?;
                        found.push((path, data.data.to_vec()));
                    }
                    _ => {}
                }
            }
        }
        Ok(found)
    }

    /// The tips of `refs/remotes/<remote>/*`. None when `remote` cannot name tracking refs: git
    /// passes the URL or path as the remote when a push goes to one (`git push ../x.git`).
    fn tracking_tips(&self, remote: &str) -> anyhow::Result<Vec<ObjectId>> {
        let prefix = format!("refs/remotes/{remote}/");
        let listable = <&gix::path::RelativePath>::try_from(prefix.as_str()).is_ok();
        if remote.is_empty() || !listable {
            return Ok(Vec::new());
        }
        known_tips(&self.repo, &self.odb, Some(&prefix))
            .with_context(|| format!("cannot read the tracking refs of remote {}", crate::terminal::sanitize(remote)))
    }

    /// Scans what `updates` bring — the final state of each ref, then the new commits — handing
    /// batches of files to `sink`; a file version whose bytes `gates` rule out is counted, not
    /// diffed or handed over. Over the commit limit nothing is scanned.
    pub(crate) fn scan(
        &self,
        updates: &[RefUpdate],
        known: &Known,
        limits: &Limits,
        gates: Gates<'_>,
        sink: Sink<'_>,
        progress: Progress<'_>,
    ) -> anyhow::Result<ScanSummary> {
        let started = Instant::now();
        let targets = self.targets(updates)?;
        let tips = commit_tips(&targets);
        let walk = self.walk(&tips, known, limits)?;
        let mut summary = ScanSummary { new_commits: walk.commits.len(), overrun: walk.overrun, ..Default::default() };
        summary.timings.walk = started.elapsed();
        if matches!(walk.overrun, Some(Overrun::Commits { .. })) {
            return Ok(summary);
        }
        let mut scanner = Scanner {
            diff: TreeDiffer::new(&self.odb, self.repo.object_hash()),
            links: TreeLinks::new(&self.odb),
            blobs: BlobReader::new(&self.odb, limits.max_blob_size, gates),
            stores: &self.stores,
            batch: Batch::default(),
            pending: Vec::new(),
            limits,
            sink,
            progress,
        };
        let phase = Instant::now();
        scanner.final_states(&targets, &walk, &mut summary)?;
        summary.timings.final_states = phase.elapsed();
        if walk.overrun.is_none() {
            let phase = Instant::now();
            let refs = attribute_refs(&walk.commits, &tips);
            scanner.commits(&walk.commits, &refs, &mut summary)?;
            summary.timings.history = phase.elapsed();
        }
        summary.ruled_out_files = scanner.blobs.ruled_out;
        Ok(summary)
    }

    /// What each pushed ref now points at, with its old value; deletions bring nothing. Refs
    /// pointing at the same object with the same old value are scanned once.
    fn targets(&self, updates: &[RefUpdate]) -> anyhow::Result<Vec<Target>> {
        let mut targets: Vec<Target> = Vec::new();
        for update in updates.iter().filter(|u| !u.is_deletion()) {
            let new = peel(&self.odb, update.new_id(), false)
                .with_context(|| format!("cannot resolve the new value of {}", update.refname))?
                .context("the new value is missing")?;
            let old = match update.old_id() {
                Some(old) => peel(&self.odb, old, true)?,
                None => None,
            };
            match targets.iter_mut().find(|t| t.new == new && t.old == old) {
                Some(target) => target.refs.push(update.refname.clone()),
                None => targets.push(Target { new, old, refs: vec![update.refname.clone()] }),
            }
        }
        Ok(targets)
    }

    /// New commits, newest first (breadth-first from the tips). The walk is not cut by the time
    /// budget: it is cheap next to reading blobs, and the final-state phase needs to know which
    /// commits are new (only the commit limit stops it).
    fn walk(&self, tips: &[(ObjectId, Vec<String>)], known: &Known, limits: &Limits) -> anyhow::Result<Walk> {
        let mut out = Walk::default();
        if tips.is_empty() {
            return Ok(out);
        }
        // A commit-graph that cannot be read only costs speed: the walk is the same without it.
        let graph = self.repo.commit_graph_if_enabled().ok().flatten();
        let walk = gix::traverse::commit::Simple::new(tips.iter().map(|(id, _)| *id), &self.odb)
            .hide(known.tips.iter().copied())
            .context("cannot hide known commits")?
            .commit_graph(graph);
        for info in walk {
            let info = info.context("cannot walk the new commits")?;
            if limits.max_commits.is_some_and(|max| out.commits.len() >= max) {
                out.overrun = Some(Overrun::Commits { limit: out.commits.len() });
                break;
            }
            out.index.insert(info.id, out.commits.len());
            out.commits.push(WalkedCommit { id: info.id, parents: info.parent_ids.to_vec() });
        }
        Ok(out)
    }
}

/// One pushed object and the refs that now point at it.
pub(super) struct Target {
    pub(super) new: Peeled,
    /// The refs' old value, when there was one and it is here.
    pub(super) old: Option<Peeled>,
    pub(super) refs: Vec<String>,
}

/// Distinct commit tips of the targets with the refs that point at them.
fn commit_tips(targets: &[Target]) -> Vec<(ObjectId, Vec<String>)> {
    let mut tips: Vec<(ObjectId, Vec<String>)> = Vec::new();
    for target in targets {
        let Peeled::Commit(commit) = target.new else { continue };
        match tips.iter_mut().find(|(id, _)| *id == commit) {
            Some((_, refs)) => refs.extend(target.refs.iter().cloned()),
            None => tips.push((commit, target.refs.clone())),
        }
    }
    tips
}

#[derive(Default)]
pub(super) struct Walk {
    commits: Vec<WalkedCommit>,
    /// Position of each commit in `commits`.
    index: HashMap<ObjectId, usize>,
    overrun: Option<Overrun>,
}

impl Walk {
    /// Whether the walk saw every new commit (then a commit it did not see is known history).
    pub(super) fn is_complete(&self) -> bool {
        self.overrun.is_none()
    }

    pub(super) fn commit(&self, id: &ObjectId) -> Option<&WalkedCommit> {
        self.index.get(id).map(|&i| &self.commits[i])
    }
}

pub(super) struct WalkedCommit {
    pub(super) id: ObjectId,
    pub(super) parents: Vec<ObjectId>,
}

/// For each walked commit, the pushed refs that bring it (a depth-first search per distinct
/// tip, within the new commits only).
fn attribute_refs(commits: &[WalkedCommit], tips: &[(ObjectId, Vec<String>)]) -> Vec<Vec<String>> {
    let index: HashMap<ObjectId, usize> = commits.iter().enumerate().map(|(i, c)| (c.id, i)).collect();
    let mut refs = vec![Vec::new(); commits.len()];
    let mut marked = vec![usize::MAX; commits.len()];
    for (tip_index, (tip, names)) in tips.iter().enumerate() {
        let mut stack: Vec<usize> = index.get(tip).copied().into_iter().collect();
        while let Some(i) = stack.pop() {
            if marked[i] == tip_index {
                continue;
            }
            marked[i] = tip_index;
            refs[i].extend(names.iter().cloned());
            stack.extend(commits[i].parents.iter().filter_map(|p| index.get(p).copied()));
        }
    }
    refs
}
