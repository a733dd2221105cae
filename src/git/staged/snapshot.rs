//! The index as a version of the project: the modules a staged file imports are read from the
//! blobs the commit will record, never from the worktree.

use std::cell::RefCell;
use std::path::PathBuf;

use gix::ObjectId;
use gix::index::State;
use gix::index::entry::{Mode, Stage};

use crate::git::links::Followed;
use crate::pyfiles::PathKind;
use crate::snapshot::Snapshot;

/// The staged regular files, looked up by path when the analysis follows an import.
pub(crate) struct IndexFiles {
    state: State,
    git_dir: PathBuf,
    max_file_size: u64,
}

thread_local! {
    /// gix handles are not shared between threads: each thread that reads opens its own once.
    static REPO: RefCell<Option<(PathBuf, gix::Repository)>> = const { RefCell::new(None) };
}

impl IndexFiles {
    pub(crate) fn new(state: State, git_dir: PathBuf, max_file_size: u64) -> Self {
        IndexFiles { state, git_dir, max_file_size }
    }

    /// The staged regular file at `path`, found by binary search (the index is sorted by path,
    /// and a table of a large index's paths costs more than a commit's whole analysis), or the
    /// one a staged symlink there leads to within the index, as Python would import it.
    fn blob_id(&self, path: &str) -> Option<ObjectId> {
        let Some(entry) = self.state.entry_by_path_and_stage(path.into(), Stage::Unconflicted) else {
            // A folder on the way may be a link (`pkg -> real_pkg`): its target is read only
            // when the index has one.
            let read = |id: &ObjectId| {
                self.with_repo(|repo| Some(repo.find_blob(*id).ok()?.take_data()))
                    .ok_or_else(|| anyhow::anyhow!("cannot read symlink blob {id}"))
            };
            let entry = |p: &[u8]| Ok(super::links::index_entry(&self.state, p));
            let resolved = crate::git::links::through_folder_links(path.as_bytes(), entry, read).ok()??;
            let resolved = String::from_utf8(resolved).ok()?;
            return (resolved != path).then(|| self.blob_id(&resolved)).flatten();
        };
        match entry.mode {
            Mode::FILE | Mode::FILE_EXECUTABLE => Some(entry.id),
            Mode::SYMLINK => {
                let followed = self.with_repo(|repo| {
                    super::links::follow_in_index(repo, &self.state, path.as_bytes(), entry.id).ok()
                })?;
                match followed {
                    Followed::Blob(id) => Some(id),
                    Followed::Outside(_) | Followed::Nowhere(_) => None,
                }
            }
            _ => None,
        }
    }

    /// Runs `f` with this thread's handle on the repository, opened on first use.
    fn with_repo<T>(&self, f: impl FnOnce(&gix::Repository) -> Option<T>) -> Option<T> {
        REPO.with_borrow_mut(|slot| {
            if slot.as_ref().is_none_or(|(dir, _)| *dir != self.git_dir) {
                *slot = Some((self.git_dir.clone(), crate::git::open::open_at(&self.git_dir).ok()?));
            }
            let (_, repo) = slot.as_ref()?;
            f(repo)
        })
    }
}

impl Snapshot for IndexFiles {
    fn read(&self, path: &str) -> Option<Vec<u8>> {
        let id = self.blob_id(path)?;
        self.with_repo(|repo| {
            let header = repo.find_header(id).ok()?;
            if header.size() > self.max_file_size {
                return None;
            }
            Some(repo.find_object(id).ok()?.detach().data)
        })
    }

    fn exists(&self, path: &str) -> bool {
        self.blob_id(path).is_some()
    }

    fn content_id(&self, path: &str) -> Option<Vec<u8>> {
        self.blob_id(path).map(|id| id.as_bytes().to_vec())
    }

    fn python_paths(&self) -> Vec<String> {
        let backing = self.state.path_backing();
        let python = |p: &[u8]| matches!(crate::pyfiles::path_kind(p), PathKind::Python | PathKind::Stub);
        self.state
            .entries()
            .iter()
            .filter(|e| e.stage_raw() == 0 && matches!(e.mode, Mode::FILE | Mode::FILE_EXECUTABLE))
            .map(|e| e.path_in(backing))
            .filter(|p| python(p))
            .filter_map(|p| std::str::from_utf8(p).ok().map(str::to_owned))
            .collect()
    }
}
