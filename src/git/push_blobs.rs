//! Candidate paths → [`ChangedFile`]s, reading each blob at most once.
//!
//! The new blob is read first (its size checked from the object header before reading; an
//! extension-less path over the limit is first checked for a Python shebang, see
//! [`super::blob_kind`]) and put to the caller's gate (a cheap test that the analysis could find
//! something in these bytes); only when it passes are the old blobs read and line-diffed. Blobs
//! the gate rules out are remembered by id and never read again; recently read blobs are kept in
//! a small byte-bounded cache, because a file's old version in one commit is usually its new
//! version in the previous one.

use std::collections::{HashMap, HashSet, VecDeque};
use std::rc::Rc;
use std::sync::Arc;

use anyhow::Context;
use gix::ObjectId;
use gix::bstr::BString;
use gix::objs::{FindExt, FindHeader};

use super::blob_kind;
use super::odb::LayeredOdb;
use super::push_diff::Candidate;
use crate::changes::{Cause, ChangedFile, CommitInfo, Incomplete, LineFilter};
use crate::pyfiles::{self, PathKind};

/// Bytes of recently read blobs kept for reuse.
const CACHE_BYTES: usize = 4 << 20;

/// What became of one candidate.
pub(super) enum Outcome {
    /// Nothing to analyse (not Python, no bind-like bytes, no added lines, already seen).
    Nothing,
    File(ChangedFile),
    /// Over the blob size limit.
    TooLarge(Incomplete),
}

enum Blob {
    Bytes(Rc<[u8]>),
    TooLarge(u64),
}

/// (path, new, olds, rename sources) of a candidate.
type SeenKey = (BString, ObjectId, Vec<Option<ObjectId>>, Vec<BString>);

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

pub(super) struct BlobReader<'a> {
    odb: &'a LayeredOdb,
    max_size: u64,
    gates: Gates<'a>,
    cache: BlobCache,
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
    buf: Vec<u8>,
}

impl<'a> BlobReader<'a> {
    /// Blobs over `max_size`, or whose text alone would exceed the memory cap per file, are not
    /// read.
    pub(crate) fn new(odb: &'a LayeredOdb, max_size: u64, gates: Gates<'a>) -> Self {
        Self {
            odb,
            max_size: max_size.min(crate::source::memory::max_readable()),
            gates,
            cache: BlobCache::default(),
            clean: HashSet::new(),
            clean_alone: HashSet::new(),
            ruled_out: 0,
            seen: HashSet::new(),
            final_seen: HashSet::new(),
            buf: Vec::new(),
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
        let kind = pyfiles::path_kind(&candidate.path);
        if kind == PathKind::NotPython || !self.first_time(&candidate, tree, final_state) {
            return Ok(Outcome::Nothing);
        }
        if self.clean.contains(&candidate.new) || !final_state && self.clean_alone.contains(&candidate.new) {
            self.ruled_out += 1;
            return Ok(Outcome::Nothing);
        }
        let Candidate { path, new, olds, renamed_from } = candidate;
        let display = String::from_utf8_lossy(&path).into_owned();
        let bytes = match self.read(&new)? {
            Blob::Bytes(bytes) => bytes,
            Blob::TooLarge(size) => return self.oversized(kind, &new, size, display),
        };
        let Some(stub) = pyfiles::python_flavor(&path, &bytes) else {
            return Ok(Outcome::Nothing);
        };
        if renamed_from.iter().any(|from| blob_kind::is_python_rename(from, &bytes, stub)) {
            return Ok(Outcome::Nothing);
        }
        let gate = if final_state { self.gates.in_project } else { self.gates.alone };
        if !gate(&bytes) {
            if final_state { &mut self.clean } else { &mut self.clean_alone }.insert(new);
            self.ruled_out += 1;
            return Ok(Outcome::Nothing);
        }
        let lines = self.added_lines(&bytes, &olds)?;
        if lines == LineFilter::Only(Vec::new()) {
            return Ok(Outcome::Nothing);
        }
        Ok(Outcome::File(ChangedFile {
            stub,
            commit: Some(commit.clone()),
            gated_alone: !final_state,
            ..ChangedFile::new(display, path.into(), bytes.to_vec(), lines)
        }))
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
        let bytes = match self.read(&id)? {
            Blob::Bytes(bytes) => bytes,
            Blob::TooLarge(size) => return self.oversized(PathKind::Python, &id, size, display),
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
        Ok(match self.read(&id)? {
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
        let key = (candidate.path.clone(), candidate.new, candidate.olds.clone(), candidate.renamed_from.clone());
        if final_state {
            return self.final_seen.insert((key, tree));
        }
        let same_as_final = self.final_seen.contains(&(key.clone(), tree));
        self.seen.insert(key) && !same_as_final
    }

    /// A new blob over the size limit: subject to the size policy only when it is Python.
    fn oversized(&mut self, kind: PathKind, id: &ObjectId, size: u64, display: String) -> anyhow::Result<Outcome> {
        let read = || -> anyhow::Result<Vec<u8>> {
            let blob = self.odb.find_blob(id, &mut self.buf).with_context(|| format!("cannot read blob {id}"))?;
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
    fn added_lines(&mut self, new: &[u8], olds: &[Option<ObjectId>]) -> anyhow::Result<LineFilter> {
        let mut lines = LineFilter::All;
        for old in olds.iter().flatten() {
            let side = match self.read(old)? {
                Blob::Bytes(old) => super::lines::changed_lines(&old, new),
                // Too large to diff: every line of the new version counts.
                Blob::TooLarge(_) => LineFilter::All,
            };
            lines = intersect(lines, side);
        }
        Ok(lines)
    }

    fn read(&mut self, id: &ObjectId) -> anyhow::Result<Blob> {
        if let Some(bytes) = self.cache.get(id) {
            return Ok(Blob::Bytes(bytes));
        }
        let header = self.odb.try_header(id).with_context(|| format!("cannot read blob {id}"))?;
        let header = header.with_context(|| format!("blob {id} is missing"))?;
        if header.size > self.max_size {
            return Ok(Blob::TooLarge(header.size));
        }
        let blob = self.odb.find_blob(id, &mut self.buf).with_context(|| format!("cannot read blob {id}"))?;
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
#[derive(Default)]
struct BlobCache {
    map: HashMap<ObjectId, Rc<[u8]>>,
    order: VecDeque<ObjectId>,
    bytes: usize,
}

impl BlobCache {
    fn get(&self, id: &ObjectId) -> Option<Rc<[u8]>> {
        self.map.get(id).cloned()
    }

    fn insert(&mut self, id: ObjectId, bytes: Rc<[u8]>) {
        if bytes.len() > CACHE_BYTES / 4 || self.map.contains_key(&id) {
            return;
        }
        self.bytes += bytes.len();
        self.map.insert(id, bytes);
        self.order.push_back(id);
        while self.bytes > CACHE_BYTES {
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
    fn intersection_of_line_filters() {
        let only = |v: &[u32]| LineFilter::Only(v.to_vec());
        assert_eq!(intersect(LineFilter::All, only(&[1, 3])), only(&[1, 3]));
        assert_eq!(intersect(only(&[1, 2, 5]), only(&[2, 5, 7])), only(&[2, 5]));
        assert_eq!(intersect(LineFilter::All, LineFilter::All), LineFilter::All);
    }
}
