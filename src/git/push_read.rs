//! The history's blobs, read where they are analysed.
//!
//! Reading a commit's blobs, gating them and diffing their lines is per file, like the analysis,
//! so it runs on the analysis threads: the scan thread only walks the commits and diffs their
//! trees, and hands over the changed paths ([`Unread`]) in batches. On one thread the reading took
//! half of a long history's scan and bounded it however many cores the analysis had. Each thread
//! reads through its own handles onto the push's shared object stores, with its own cache of
//! recent blobs.

use std::cell::RefCell;
use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use gix::ObjectId;

use super::odb::{LayeredOdb, Stores};
use super::push_blobs::{Blobs, Gate, Outcome};
use super::push_diff::Candidate;
use crate::changes::{Cause, ChangedFile, CommitInfo, Incomplete};

/// Bytes of recent blobs each thread keeps: a file's versions in consecutive commits mostly fall
/// to the same thread (each takes a run of a batch's paths).
const CACHE_BYTES: usize = 2 << 20;

thread_local! {
    /// This thread's cache of recent blobs, for the stores of the push being read.
    static READING: RefCell<Option<(u64, Blobs)>> = const { RefCell::new(None) };
}

/// A changed path of a commit of the history, not read yet.
pub(crate) struct Unread {
    candidate: Candidate,
    commit: Arc<CommitInfo>,
}

impl Unread {
    pub(super) fn new(candidate: Candidate, commit: Arc<CommitInfo>) -> Self {
        Self { candidate, commit }
    }

    /// The path as shown (and as the configuration's exclusions see it).
    pub(crate) fn path(&self) -> String {
        String::from_utf8_lossy(&self.candidate.path).into_owned()
    }
}

/// Changed paths of the history handed over together, with what reads them.
pub(crate) struct UnreadBatch {
    pub(crate) files: Vec<Unread>,
    pub(crate) reader: Arc<HistoryReader>,
}

/// Reads the history's files on any thread. Shared by the threads of one push.
pub(crate) struct HistoryReader {
    stores: Arc<Stores>,
    max_size: u64,
    /// Past it, a file is not read: it is reported as not analysed for time.
    deadline: Option<Instant>,
    /// New blobs a gate ruled out: a blob that comes back (a revert) is not read again.
    clean: Mutex<HashSet<ObjectId>>,
    ruled_out: AtomicUsize,
}

impl HistoryReader {
    /// `clean`: the blobs the gates already ruled out on the scan thread.
    pub(super) fn new(stores: Arc<Stores>, max_size: u64, deadline: Option<Instant>, clean: HashSet<ObjectId>) -> Self {
        Self { stores, max_size, deadline, clean: Mutex::new(clean), ruled_out: AtomicUsize::new(0) }
    }

    /// Python file versions the gate ruled out so far.
    pub(crate) fn ruled_out(&self) -> usize {
        self.ruled_out.load(Ordering::Relaxed)
    }

    /// The file `file` brings, gated with `gate` (the analysis of one file on its own); `None`
    /// when there is nothing to analyse. A file that cannot be read, is over the size limit, or
    /// comes after the time budget is returned as not analysed.
    pub(crate) fn read(&self, file: &Unread, gate: Gate<'_>) -> Result<Option<ChangedFile>, Incomplete> {
        if self.deadline.is_some_and(|deadline| Instant::now() >= deadline) {
            let reason = "not read: the time budget (bindguard.timeBudget) ran out first";
            return Err(Incomplete::new(file.path(), reason, Cause::Time));
        }
        let new = file.candidate.new;
        if self.clean.lock().unwrap_or_else(PoisonError::into_inner).contains(&new) {
            self.ruled_out.fetch_add(1, Ordering::Relaxed);
            return Ok(None);
        }
        let outcome = self.with_blobs(|odb, blobs| blobs.candidate(odb, &file.candidate, gate, &file.commit, true));
        match outcome {
            Ok(Outcome::Nothing) => Ok(None),
            Ok(Outcome::RuledOut) => {
                self.clean.lock().unwrap_or_else(PoisonError::into_inner).insert(new);
                self.ruled_out.fetch_add(1, Ordering::Relaxed);
                Ok(None)
            }
            Ok(Outcome::File(changed)) => Ok(Some(changed)),
            Ok(Outcome::TooLarge(gap)) => Err(gap),
            Err(error) => Err(Incomplete::new(file.path(), format!("cannot read it: {error:#}"), Cause::Analysis)),
        }
    }

    /// Runs `f` with this thread's handles onto the push's stores and its blob cache, made on
    /// first use (a thread that read another push's objects before starts afresh).
    fn with_blobs<T>(&self, f: impl FnOnce(&LayeredOdb, &mut Blobs) -> T) -> T {
        self.stores.with_thread_handles(|odb| {
            READING.with_borrow_mut(|slot| {
                if slot.as_ref().is_none_or(|(stores, _)| *stores != self.stores.id()) {
                    *slot = None;
                }
                let (_, blobs) = slot.get_or_insert_with(|| (self.stores.id(), Blobs::new(self.max_size, CACHE_BYTES)));
                f(odb, blobs)
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::changes::LineFilter;

    const BIND: &[u8] = b"import flask\napp = flask.Flask(__name__)\napp.run(host='0.0.0.0')\n";

    /// A repository holding `blobs`, and a reader onto it with `deadline`.
    fn reader(blobs: &[&[u8]], deadline: Option<Instant>) -> (tempfile::TempDir, HistoryReader, Vec<ObjectId>) {
        let dir = tempfile::tempdir().unwrap();
        let repo = gix::init_bare(dir.path()).unwrap();
        let ids = blobs.iter().map(|b| repo.write_blob(b).unwrap().detach()).collect();
        let stores = Stores::for_repo(&repo).unwrap();
        (dir, HistoryReader::new(stores, 1 << 20, deadline, HashSet::new()), ids)
    }

    fn unread(path: &str, new: ObjectId, old: Option<ObjectId>) -> Unread {
        let candidate = Candidate { path: path.into(), new, olds: vec![old], renamed_from: Vec::new() };
        let commit = CommitInfo { short_id: "0123456789".into(), subject: "s".into(), refs: Vec::new() };
        Unread::new(candidate, Arc::new(commit))
    }

    #[test]
    fn a_file_is_read_gated_and_diffed_on_the_calling_thread() {
        let old = b"import flask\napp = flask.Flask(__name__)\n";
        let (_dir, reader, ids) = reader(&[BIND, old], None);
        let file = reader.read(&unread("app.py", ids[0], Some(ids[1])), &|_| true).unwrap().unwrap();
        assert_eq!(file.bytes, BIND);
        assert_eq!(file.lines, LineFilter::Only(vec![3]));
        assert!(file.gated_alone);
        assert_eq!(reader.ruled_out(), 0);
    }

    #[test]
    fn a_blob_the_gate_rules_out_is_counted_and_not_read_again() {
        let (_dir, reader, ids) = reader(&[b"X = 1\n"], None);
        let gated = std::cell::Cell::new(0);
        let gate = |_: &[u8]| {
            gated.set(gated.get() + 1);
            false
        };
        for path in ["a.py", "b.py"] {
            assert!(reader.read(&unread(path, ids[0], None), &gate).unwrap().is_none());
        }
        assert_eq!((gated.get(), reader.ruled_out()), (1, 2));
    }

    #[test]
    fn past_the_deadline_a_file_is_not_analysed_for_time() {
        let (_dir, reader, ids) = reader(&[BIND], Some(Instant::now()));
        let gap = reader.read(&unread("app.py", ids[0], None), &|_| true).unwrap_err();
        assert_eq!((gap.path.as_str(), gap.cause), ("app.py", Cause::Time));
    }

    #[test]
    fn a_blob_that_cannot_be_read_is_not_analysed() {
        let (_dir, reader, _) = reader(&[], None);
        let missing = ObjectId::from_hex(b"0123456789012345678901234567890123456789").unwrap();
        let gap = reader.read(&unread("app.py", missing, None), &|_| true).unwrap_err();
        assert_eq!(gap.cause, Cause::Analysis);
        assert!(gap.reason.contains("cannot read it"), "{}", gap.reason);
    }
}
