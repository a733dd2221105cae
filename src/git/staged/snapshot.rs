//! The index as a version of the project: the modules a staged file imports are read from the
//! blobs the commit will record, never from the worktree.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::OnceLock;

use gix::ObjectId;
use gix::index::State;
use gix::index::entry::Mode;

use crate::pyfiles::PathKind;
use crate::snapshot::Snapshot;

/// The staged regular files, looked up by path when the analysis follows an import.
pub(crate) struct IndexFiles {
    state: State,
    /// Built on first use: most commits import nothing the analysis needs to read.
    paths: OnceLock<HashMap<String, ObjectId>>,
    git_dir: PathBuf,
    max_file_size: u64,
}

thread_local! {
    /// gix handles are not shared between threads: each thread that reads opens its own once.
    static REPO: RefCell<Option<(PathBuf, gix::Repository)>> = const { RefCell::new(None) };
}

impl IndexFiles {
    pub(crate) fn new(state: State, git_dir: PathBuf, max_file_size: u64) -> Self {
        IndexFiles { state, paths: OnceLock::new(), git_dir, max_file_size }
    }

    fn paths(&self) -> &HashMap<String, ObjectId> {
        self.paths.get_or_init(|| {
            let backing = self.state.path_backing();
            self.state
                .entries()
                .iter()
                .filter(|e| e.stage_raw() == 0 && matches!(e.mode, Mode::FILE | Mode::FILE_EXECUTABLE))
                .filter_map(|e| std::str::from_utf8(e.path_in(backing)).ok().map(|p| (p.to_owned(), e.id)))
                .collect()
        })
    }
}

impl Snapshot for IndexFiles {
    fn read(&self, path: &str) -> Option<Vec<u8>> {
        let id = *self.paths().get(path)?;
        REPO.with_borrow_mut(|slot| {
            if slot.as_ref().is_none_or(|(dir, _)| *dir != self.git_dir) {
                *slot = Some((self.git_dir.clone(), crate::git::open::open_at(&self.git_dir).ok()?));
            }
            let (_, repo) = slot.as_ref()?;
            let header = repo.find_header(id).ok()?;
            if header.size() > self.max_file_size {
                return None;
            }
            Some(repo.find_object(id).ok()?.detach().data)
        })
    }

    fn exists(&self, path: &str) -> bool {
        self.paths().contains_key(path)
    }

    fn content_id(&self, path: &str) -> Option<Vec<u8>> {
        self.paths().get(path).map(|id| id.as_bytes().to_vec())
    }

    fn python_paths(&self) -> Vec<String> {
        let python = |p: &str| matches!(crate::pyfiles::path_kind(p.as_bytes()), PathKind::Python | PathKind::Stub);
        self.paths().keys().filter(|p| python(p)).cloned().collect()
    }
}
