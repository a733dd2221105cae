//! The commits a push brings, as change sets: shared by `pre-receive` and `pre-push`.
//!
//! One walk from all new tips, hiding every known tip (see [`super::push_refs`]), finds the new
//! commits; each is then diffed ([`super::push_diff`]) and its changed Python blobs read
//! ([`super::push_blobs`]), oldest commit first. Files are handed to the caller in bounded
//! batches, so memory stays flat however long the pushed history is. The time budget is checked
//! after every walked commit (the first check follows ref enumeration and peeling), and between
//! commits and blobs while reading them.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use gix::ObjectId;

use super::odb::LayeredOdb;
use super::push_blobs::{BlobReader, Gate, Outcome};
use super::push_diff::TreeDiffer;
use super::push_refs::{RefUpdate, known_tips, peel_to_commit};
use crate::changes::{ChangeSet, CommitInfo};

/// A batch is handed over once it holds this many bytes of source…
const BATCH_BYTES: usize = 8 << 20;
/// …or this many files.
const BATCH_FILES: usize = 256;

/// Budgets for one scan.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub(crate) deadline: Option<Instant>,
    pub(crate) max_commits: Option<usize>,
    pub(crate) max_blob_size: u64,
}

impl Limits {
    fn expired(&self) -> bool {
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

/// What a scan covered.
#[derive(Debug, Clone, Default)]
pub(crate) struct ScanSummary {
    /// New commits found (when the walk was cut short: how many it found before stopping).
    pub(crate) new_commits: usize,
    /// Commits whose every changed Python file was handed over.
    pub(crate) scanned_commits: usize,
    pub(crate) overrun: Option<Overrun>,
    /// Blobs skipped for their size.
    pub(crate) oversized_blobs: usize,
    /// Python file versions the gate ruled out (before diffing or parsing).
    pub(crate) ruled_out_files: usize,
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
    odb: LayeredOdb,
}

impl PushRepo {
    /// Opens the repository from the hook environment (quarantine included).
    pub(crate) fn open() -> anyhow::Result<Self> {
        let repo = super::open::open_from_env()?;
        let odb = LayeredOdb::for_repo(&repo)?;
        Ok(Self { repo, odb })
    }

    /// The effective value of a git config key (system, global and repository config).
    pub(crate) fn config_value(&self, key: &str) -> Option<String> {
        self.repo.config_snapshot().string(key).map(|v| v.to_string())
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

    /// Scans the new commits of `updates`, handing batches of files to `sink`; a file version
    /// whose bytes `gate` rules out is counted, not diffed or handed over.
    pub(crate) fn scan(
        &self,
        updates: &[RefUpdate],
        known: &Known,
        limits: &Limits,
        gate: Gate<'_>,
        sink: &mut dyn FnMut(ChangeSet) -> anyhow::Result<()>,
    ) -> anyhow::Result<ScanSummary> {
        let tips = self.new_tips(updates)?;
        let walk = self.walk(&tips, known, limits)?;
        let mut summary = ScanSummary { new_commits: walk.commits.len(), overrun: walk.overrun, ..Default::default() };
        if walk.overrun.is_none() {
            let refs = attribute_refs(&walk.commits, &tips);
            let mut scanner = Scanner {
                diff: TreeDiffer::new(&self.odb, self.repo.object_hash()),
                blobs: BlobReader::new(&self.odb, limits.max_blob_size, gate),
                batch: Batch::default(),
                limits,
                sink,
            };
            scanner.commits(&walk.commits, &refs, &mut summary)?;
            summary.ruled_out_files = scanner.blobs.ruled_out;
        }
        Ok(summary)
    }

    /// Distinct new commit tips with the refs that point at them; deletions and tags of trees
    /// or blobs bring no commits.
    fn new_tips(&self, updates: &[RefUpdate]) -> anyhow::Result<Vec<(ObjectId, Vec<String>)>> {
        let mut tips: Vec<(ObjectId, Vec<String>)> = Vec::new();
        for update in updates.iter().filter(|u| !u.is_deletion()) {
            let Some(commit) = peel_to_commit(&self.odb, update.new_id(), false)
                .with_context(|| format!("cannot resolve the new value of {}", update.refname))?
            else {
                continue;
            };
            match tips.iter_mut().find(|(id, _)| *id == commit) {
                Some((_, refs)) => refs.push(update.refname.clone()),
                None => tips.push((commit, vec![update.refname.clone()])),
            }
        }
        Ok(tips)
    }

    /// New commits, newest first (breadth-first from the tips).
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
            out.commits.push(WalkedCommit { id: info.id, parents: info.parent_ids.to_vec() });
            // A clock read costs tens of nanoseconds, a walked commit microseconds.
            if limits.expired() {
                out.overrun = Some(Overrun::Time);
                break;
            }
        }
        Ok(out)
    }
}

#[derive(Default)]
struct Walk {
    commits: Vec<WalkedCommit>,
    overrun: Option<Overrun>,
}

struct WalkedCommit {
    id: ObjectId,
    parents: Vec<ObjectId>,
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

/// Reads the walked commits oldest first and hands their files over in batches.
struct Scanner<'a, 's> {
    diff: TreeDiffer<'a>,
    blobs: BlobReader<'a>,
    batch: Batch,
    limits: &'a Limits,
    sink: &'s mut dyn FnMut(ChangeSet) -> anyhow::Result<()>,
}

impl Scanner<'_, '_> {
    /// Every commit, oldest first, until the time budget runs out; then the last batch.
    fn commits(
        &mut self,
        commits: &[WalkedCommit],
        refs: &[Vec<String>],
        summary: &mut ScanSummary,
    ) -> anyhow::Result<()> {
        for (commit, refs) in commits.iter().zip(refs).rev() {
            if self.limits.expired() || !self.commit(commit.id, refs, summary)? {
                summary.overrun = Some(Overrun::Time);
                break;
            }
            summary.scanned_commits += 1;
        }
        self.batch.flush(self.sink)
    }

    /// One commit's changed Python files; false when the time budget ran out in between.
    fn commit(&mut self, id: ObjectId, refs: &[String], summary: &mut ScanSummary) -> anyhow::Result<bool> {
        let data = self.diff.read_commit(&id)?;
        let info = Arc::new(CommitInfo {
            short_id: id.to_hex_with_len(10).to_string(),
            subject: data.subject.clone(),
            refs: refs.to_vec(),
        });
        for candidate in self.diff.candidates(&data)? {
            if self.limits.expired() {
                return Ok(false);
            }
            match self.blobs.file(candidate, &info)? {
                Outcome::Nothing => {}
                Outcome::File(file) => self.batch.add_file(file, self.sink)?,
                Outcome::TooLarge(skipped) => {
                    summary.oversized_blobs += 1;
                    self.batch.changes.skipped.push(skipped);
                }
            }
        }
        Ok(true)
    }
}

/// Files waiting to be handed over.
#[derive(Default)]
struct Batch {
    changes: ChangeSet,
    bytes: usize,
}

impl Batch {
    fn add_file(
        &mut self,
        file: crate::changes::ChangedFile,
        sink: &mut dyn FnMut(ChangeSet) -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        self.bytes += file.bytes.len();
        self.changes.files.push(file);
        if self.bytes >= BATCH_BYTES || self.changes.files.len() >= BATCH_FILES {
            self.flush(sink)?;
        }
        Ok(())
    }

    fn flush(&mut self, sink: &mut dyn FnMut(ChangeSet) -> anyhow::Result<()>) -> anyhow::Result<()> {
        let changes = std::mem::take(&mut self.changes);
        self.bytes = 0;
        if changes.files.is_empty() && changes.skipped.is_empty() { Ok(()) } else { sink(changes) }
    }
}
