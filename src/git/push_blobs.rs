//! Candidate paths → [`ChangedFile`]s, reading each blob at most once.
//!
//! The new blob is read first (its size checked from the object header before reading; an
//! extension-less path over the limit is first checked for a Python shebang, see
//! [`super::blob_kind`]) and put to the caller's gate (a cheap test that the analysis could find
//! something in these bytes); only when it passes are the old blobs read and line-diffed. Blobs
//! the gate rules out are remembered by id and never read again; recently read blobs are kept in
//! a small byte-bounded cache, because a file's old version in one commit is usually its new
//! version in the commit before. [`BlobReader`] keeps what the scan thread remembers (which
//! changes were handed over); [`Blobs`] does the reading, on whichever thread holds it (the
//! history's blobs are read on the analysis threads, [`super::push_read`]).

use std::collections::{HashMap, HashSet, VecDeque};
use std::rc::Rc;
use std::sync::Arc;

use anyhow::Context;
use gix::ObjectId;
use gix::objs::{FindExt, FindHeader};

use super::blob_kind;
use super::odb::LayeredOdb;
use super::push_diff::Candidate;
use crate::changes::{Cause, ChangedFile, CommitInfo, Incomplete, LineFilter};
use crate::pyfiles::{self, PathKind};

/// Bytes of recently read blobs the scan thread keeps for reuse.
const CACHE_BYTES: usize = 4 << 20;

/// What became of one candidate.
pub(super) enum Outcome {
    /// Nothing to analyse (not Python, no added lines, already seen).
    Nothing,
    /// The gate found nothing the analysis could report in the new blob.
    RuledOut,
    File(ChangedFile),
    /// Over the blob size limit.
    TooLarge(Incomplete),
}

pub(super) enum Blob {
    Bytes(Rc<[u8]>),
    TooLarge(u64),
}

/// A candidate's (path, new, olds, rename sources), hashed: a long history hands over tens of
/// thousands of changes, and their keys in full took 12 MiB of a push's memory.
type SeenKey = ObjectId;

/// `false` only for bytes in which the analysis cannot find anything. Injected, so that git
/// knows nothing of the analysis.
pub(crate) type Gate<'a> = &'a dyn Fn(&[u8]) -> bool;

/// The gates of a push: a file of a ref's final state is analysed with the modules of its tree,
/// so it matters whenever it may define a sink or hold an address another module binds with; a
/// file of the history is analysed alone, so only what the analysis of one file lets through
/// matters. `alone` must never pass what `in_project` rules out.
#[derive(Clone, Copy)]
pub(crate) struct Gates<'a> {
    pub(crate) in_project: Gate<'a>,
    pub(crate) alone: Gate<'a>,
}

/// Remembers what the scan thread has handled: each change is handed over once, and a blob the
/// gate ruled out is not read again.
pub(super) struct BlobReader<'a> {
    odb: &'a LayeredOdb,
    gates: Gates<'a>,
    blobs: Blobs,
    /// New blobs the gate of a final state ruled out (the history's gate rules them out too).
    clean: HashSet<ObjectId>,
    /// New blobs only the history's gate ruled out.
    clean_alone: HashSet<ObjectId>,
    /// Python file versions the gate ruled out (not diffed, not parsed), for the summary.
    pub(crate) ruled_out: usize,
    /// Candidates already handled in the history: a cherry-picked change is analysed once.
    seen: HashSet<SeenKey>,
    /// Candidates handled as a ref's final state, with the tree they were analysed in.
    final_seen: HashSet<(SeenKey, ObjectId)>,
}

impl<'a> BlobReader<'a> {
    /// Blobs over `max_size`, or whose text alone would exceed the memory cap per file, are not
    /// read.
    pub(crate) fn new(odb: &'a LayeredOdb, max_size: u64, gates: Gates<'a>) -> Self {
        Self {
            odb,
            gates,
            blobs: Blobs::new(max_size, CACHE_BYTES),
            clean: HashSet::new(),
            clean_alone: HashSet::new(),
            ruled_out: 0,
            seen: HashSet::new(),
            final_seen: HashSet::new(),
        }
    }

    /// One candidate of a commit whose project is `tree` (`final_state`: of a ref's final state).
    pub(crate) fn file(
        &mut self,
        candidate: Candidate,
        tree: ObjectId,
        commit: &Arc<CommitInfo>,
        final_state: bool,
    ) -> anyhow::Result<Outcome> {
        let Some(candidate) = self.unread(candidate, tree, final_state) else {
            return Ok(Outcome::Nothing);
        };
        let gate = if final_state { self.gates.in_project } else { self.gates.alone };
        let outcome = self.blobs.candidate(self.odb, &candidate, gate, commit, !final_state)?;
        if let Outcome::RuledOut = outcome {
            if final_state { &mut self.clean } else { &mut self.clean_alone }.insert(candidate.new);
            self.ruled_out += 1;
            return Ok(Outcome::Nothing);
        }
        Ok(outcome)
    }

    /// The candidate when its blobs are still to be read: a Python path, a change not handled
    /// before, a new blob no gate ruled out yet.
    pub(super) fn unread(&mut self, candidate: Candidate, tree: ObjectId, final_state: bool) -> Option<Candidate> {
        let kind = pyfiles::path_kind(&candidate.path);
        if kind == PathKind::NotPython || !self.first_time(&candidate, tree, final_state) {
            return None;
        }
        if self.clean.contains(&candidate.new) || !final_state && self.clean_alone.contains(&candidate.new) {
            self.ruled_out += 1;
            return None;
        }
        Some(candidate)
    }

    /// The blobs the gates ruled out so far, for readers on other threads; the blobs this thread
    /// keeps are dropped (the history is read on other threads).
    pub(super) fn hand_over(&mut self) -> HashSet<ObjectId> {
        self.blobs.cache = BlobCache::new(self.blobs.cache.capacity);
        self.clean.union(&self.clean_alone).copied().collect()
    }

    /// A blob with no path of its own (a ref pushed to point at it), analysed whole as a Python
    /// file named `name`.
    pub(crate) fn whole_blob(
        &mut self,
        name: &[u8],
        id: ObjectId,
        commit: &Arc<CommitInfo>,
    ) -> anyhow::Result<Outcome> {
        let display = String::from_utf8_lossy(name).into_owned();
        let bytes = match self.blobs.read(self.odb, &id)? {
            Blob::Bytes(bytes) => bytes,
            Blob::TooLarge(size) => return self.blobs.oversized(self.odb, PathKind::Python, &id, size, display),
        };
        if !(self.gates.in_project)(&bytes) {
            self.ruled_out += 1;
            return Ok(Outcome::Nothing);
        }
        Ok(Outcome::File(ChangedFile {
            commit: Some(commit.clone()),
            ..ChangedFile::new(display, name.to_vec(), bytes.to_vec(), LineFilter::All)
        }))
    }

    /// Whether a blob that is not Python by its path holds anything that could bind (it may be
    /// the target of a link with a Python name); a blob over the size limit might.
    pub(crate) fn may_bind(&mut self, id: ObjectId) -> anyhow::Result<bool> {
        if self.clean.contains(&id) {
            return Ok(false);
        }
        Ok(match self.blobs.read(self.odb, &id)? {
            Blob::Bytes(bytes) => (self.gates.in_project)(&bytes),
            Blob::TooLarge(_) => true,
        })
    }

    /// False when the same change was already handled: in the history, a cherry-pick or a
    /// change merged into several refs (each commit's files are analysed alone); as a final
    /// state, the same change in the same tree (a final state is analysed with the modules of its
    /// tree, so the same file in another ref's tree is analysed again); in the history, the
    /// change a final state of the same tree already analysed with its modules.
    fn first_time(&mut self, candidate: &Candidate, tree: ObjectId, final_state: bool) -> bool {
        let Some(key) = seen_key(candidate) else {
            return true;
        };
        if final_state {
            return self.final_seen.insert((key, tree));
        }
        let same_as_final = self.final_seen.contains(&(key, tree));
        self.seen.insert(key) && !same_as_final
    }
}

/// The SHA-1 of a candidate's parts, each prefixed by its length; `None` when the hash detects a
/// collision attack (such a candidate is always handled: no other key can stand for it).
fn seen_key(candidate: &Candidate) -> Option<SeenKey> {
    let mut hasher = gix::hash::hasher(gix::hash::Kind::Sha1);
    let mut part = |bytes: &[u8]| {
        hasher.update(&(bytes.len() as u64).to_le_bytes());
        hasher.update(bytes);
    };
    part(&candidate.path);
    part(candidate.new.as_bytes());
    for old in &candidate.olds {
        part(old.as_ref().map_or(&[][..], |id| id.as_bytes()));
    }
    part(b"renamed from");
    for from in &candidate.renamed_from {
        part(from);
    }
    hasher.try_finalize().ok()
}

/// Reads a candidate's blobs through the object handles it is given: the part of the work that
/// needs no memory of the scan, so that it can run on any thread. The new blob is read first
/// and put to the gate; only when it passes are the old blobs read and line-diffed.
pub(super) struct Blobs {
    max_size: u64,
    cache: BlobCache,
    buf: Vec<u8>,
}

impl Blobs {
    /// Blobs over `max_size`, or whose text alone would exceed the memory cap per file, are not
    /// read.
    /// `cache_bytes`: how many bytes of recent blobs to keep.
    pub(super) fn new(max_size: u64, cache_bytes: usize) -> Self {
        let max_size = max_size.min(crate::source::memory::max_readable());
        Self { max_size, cache: BlobCache::new(cache_bytes), buf: Vec::new() }
    }

    /// The file a candidate brings, gated with `gate` (`alone`: the file is analysed without its
    /// project, as a commit of the history).
    pub(super) fn candidate(
        &mut self,
        odb: &LayeredOdb,
        candidate: &Candidate,
        gate: Gate<'_>,
        commit: &Arc<CommitInfo>,
        alone: bool,
    ) -> anyhow::Result<Outcome> {
        let Candidate { path, new, olds, renamed_from } = candidate;
        let kind = pyfiles::path_kind(path);
        let display = String::from_utf8_lossy(path).into_owned();
        let bytes = match self.read(odb, new)? {
            Blob::Bytes(bytes) => bytes,
            Blob::TooLarge(size) => return self.oversized(odb, kind, new, size, display),
        };
        let Some(stub) = pyfiles::python_flavor(path, &bytes) else {
            return Ok(Outcome::Nothing);
        };
        if renamed_from.iter().any(|from| blob_kind::is_python_rename(from, &bytes, stub)) {
            return Ok(Outcome::Nothing);
        }
        if !gate(&bytes) {
            return Ok(Outcome::RuledOut);
        }
        let lines = self.added_lines(odb, &bytes, olds)?;
        if lines == LineFilter::Only(Vec::new()) {
            return Ok(Outcome::Nothing);
        }
        Ok(Outcome::File(ChangedFile {
            stub,
            commit: Some(commit.clone()),
            gated_alone: alone,
            ..ChangedFile::new(display, path.to_vec(), bytes.to_vec(), lines)
        }))
    }

    /// A new blob over the size limit: subject to the size policy only when it is Python.
    fn oversized(
        &mut self,
        odb: &LayeredOdb,
        kind: PathKind,
        id: &ObjectId,
        size: u64,
        display: String,
    ) -> anyhow::Result<Outcome> {
        let read = || -> anyhow::Result<Vec<u8>> {
            let blob = odb.find_blob(id, &mut self.buf).with_context(|| format!("cannot read blob {id}"))?;
            Ok(blob.data.to_vec())
        };
        if !blob_kind::oversized_is_python(kind, size, read)? {
            return Ok(Outcome::Nothing);
        }
        let reason = if size > crate::source::memory::max_readable() {
            format!(
                "blob is {size} bytes: its text alone would exceed the {} MiB memory cap per file \
                 (bindguard.maxFileMemory)",
                crate::source::memory::per_file() >> 20
            )
        } else {
            format!("blob is {size} bytes, over the {}-byte limit (bindguard.maxBlobSize)", self.max_size)
        };
        Ok(Outcome::TooLarge(Incomplete::new(display, reason, Cause::Size)))
    }

    /// Lines of `new` added relative to every old side.
    fn added_lines(&mut self, odb: &LayeredOdb, new: &[u8], olds: &[Option<ObjectId>]) -> anyhow::Result<LineFilter> {
        let mut lines = LineFilter::All;
        for old in olds.iter().flatten() {
            let side = match self.read(odb, old)? {
                Blob::Bytes(old) => super::lines::changed_lines(&old, new),
                // Too large to diff: every line of the new version counts.
                Blob::TooLarge(_) => LineFilter::All,
            };
            lines = intersect(lines, side);
        }
        Ok(lines)
    }

    pub(super) fn read(&mut self, odb: &LayeredOdb, id: &ObjectId) -> anyhow::Result<Blob> {
        if let Some(bytes) = self.cache.get(id) {
            return Ok(Blob::Bytes(bytes));
        }
        let header = odb.try_header(id).with_context(|| format!("cannot read blob {id}"))?;
        let header = header.with_context(|| format!("blob {id} is missing"))?;
        if header.size > self.max_size {
            return Ok(Blob::TooLarge(header.size));
        }
        let blob = odb.find_blob(id, &mut self.buf).with_context(|| format!("cannot read blob {id}"))?;
        let bytes: Rc<[u8]> = Rc::from(blob.data);
        self.cache.insert(*id, bytes.clone());
        Ok(Blob::Bytes(bytes))
    }
}

fn intersect(a: LineFilter, b: LineFilter) -> LineFilter {
    match (a, b) {
        (LineFilter::All, other) | (other, LineFilter::All) => other,
        (LineFilter::Only(a), LineFilter::Only(b)) => {
            LineFilter::Only(a.into_iter().filter(|line| b.binary_search(line).is_ok()).collect())
        }
    }
}

/// First in, first out, bounded by total bytes.
struct BlobCache {
    map: HashMap<ObjectId, Rc<[u8]>>,
    order: VecDeque<ObjectId>,
    bytes: usize,
    capacity: usize,
}

impl BlobCache {
    fn new(capacity: usize) -> Self {
        Self { map: HashMap::new(), order: VecDeque::new(), bytes: 0, capacity }
    }

    fn get(&self, id: &ObjectId) -> Option<Rc<[u8]>> {
        self.map.get(id).cloned()
    }

    fn insert(&mut self, id: ObjectId, bytes: Rc<[u8]>) {
        if bytes.len() > self.capacity / 4 || self.map.contains_key(&id) {
            return;
        }
        self.bytes += bytes.len();
        self.map.insert(id, bytes);
        self.order.push_back(id);
        while self.bytes > self.capacity {
            let Some(oldest) = self.order.pop_front() else {
                break;
            };
            if let Some(evicted) = self.map.remove(&oldest) {
                self.bytes -= evicted.len();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_is_known_by_every_part_of_it() {
        let id = |b: u8| ObjectId::from_bytes_or_panic(&[b; 20]);
        let key = |path: &str, olds: Vec<Option<ObjectId>>, renamed: &[&str]| {
            let renamed_from = renamed.iter().map(|r| (*r).into()).collect();
            seen_key(&Candidate { path: path.into(), new: id(1), olds, renamed_from }).unwrap()
        };
        let base = key("a.py", vec![Some(id(2))], &["b.py"]);
        assert_eq!(base, key("a.py", vec![Some(id(2))], &["b.py"]));
        let others = [
            key("b.py", vec![Some(id(2))], &["b.py"]),
            key("a.py", vec![Some(id(3))], &["b.py"]),
            key("a.py", vec![None], &["b.py"]),
            key("a.py", vec![Some(id(2)), None], &["b.py"]),
            key("a.py", vec![Some(id(2))], &["b.p", "y"]),
            key("a.py", vec![Some(id(2))], &[]),
        ];
        assert!(others.iter().all(|other| *other != base));
        assert_ne!(key("a.py", vec![None], &[]), key("a.py", vec![], &[""]));
    }

    #[test]
    fn intersection_of_line_filters() {
        let only = |v: &[u32]| LineFilter::Only(v.to_vec());
        assert_eq!(intersect(LineFilter::All, only(&[1, 3])), only(&[1, 3]));
        assert_eq!(intersect(only(&[1, 2, 5]), only(&[2, 5, 7])), only(&[2, 5]));
        assert_eq!(intersect(LineFilter::All, LineFilter::All), LineFilter::All);
    }
}
