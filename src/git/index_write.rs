//! Writing fixed blobs into the index, for `pre-commit --fix`.
//!
//! Three things make git trust the result (each proven against git with gix 0.90): the new blob is
//! written to the object database, the entry's stat data is zeroed (or git believes the worktree
//! still matches and `git diff` goes blind), and the cache-tree is dropped (or `git commit` builds
//! the tree from the stale cached subtree and records the unfixed content). The index file is
//! edited in place ([`super::index_patch`]), so its version and the extensions git keeps in it
//! (resolve-undo, untracked cache, sparse directories) survive. During
//! `git commit <path>` git commits from a temporary index while holding the real one in
//! `index.lock`; both get the fix, so they agree after the commit.
//!
//! Every index is locked (`<index>.lock`, created exclusively as git does) before any is read,
//! so a concurrent `git add` either fails on our lock or finishes before we read. All indexes are
//! read, changed and written to their lock files before the first lock is committed (renamed over
//! its index); any failure before that drops the locks and leaves every index as it was. The
//! commits themselves are one rename per index: if the second rename of a partial commit failed
//! after the first succeeded, the temporary index would hold the fix and the real one would not
//! (the commit still records the fixed blob).

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, anyhow};

use super::index_patch::Repoint;

/// New content for one staged file, in the git layer's own terms so that git knows nothing of
/// how the content was made. Borrowed: the caller keeps the bytes it verified.
#[derive(Debug, Clone, Copy)]
pub(crate) struct NewBlob<'a> {
    /// The path exactly as the index spells it.
    pub(crate) path: &'a [u8],
    /// What the entry must still hold; anything else means it was re-staged meanwhile.
    pub(crate) replaces: &'a [u8],
    /// The content to write and stage.
    pub(crate) bytes: &'a [u8],
}

/// Which index a fix went into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Written {
    /// The repository's index: the fix stays staged.
    Index,
    /// A temporary index (`git commit -a`, `-p`, `-i`, `<paths>`: `index.lock` or
    /// `next-index-*.lock`), which git discards when the hook stops the commit.
    Temporary,
}

/// Points every entry at its new blob, in each index the running commit uses.
pub(crate) fn write_fixes(repo: &gix::Repository, fixes: &[NewBlob<'_>]) -> anyhow::Result<Written> {
    let hash = repo.object_hash();
    let index_paths = indexes_to_update(repo);
    let mut locked = LockedIndexes::acquire(&index_paths)?;
    let mut repoints = Vec::with_capacity(fixes.len());
    for fix in fixes {
        let new = repo.write_blob(fix.bytes).context("cannot write the fixed blob")?.detach();
        let expected = gix::objs::compute_hash(hash, gix::object::Kind::Blob, fix.replaces)?;
        repoints.push(Repoint { path: fix.path, expected, new });
    }
    locked.update(|index| super::index_patch::patch(index, hash, &repoints))?;
    locked.commit()?;
    let temporary = index_paths[0].extension().is_some_and(|e| e == "lock");
    Ok(if temporary { Written::Temporary } else { Written::Index })
}

/// The index git will commit from, plus the real index when that one is a temporary copy.
fn indexes_to_update(repo: &gix::Repository) -> Vec<PathBuf> {
    let index = repo.index_path();
    let mut paths = vec![index.clone()];
    let name = index.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    if name.starts_with("next-index-") && index.extension().is_some_and(|e| e == "lock") {
        let real = repo.git_dir().join("index.lock");
        if real.is_file() {
            paths.push(real);
        }
    }
    paths
}

/// Index files held under their lock files, each with its new content once written.
struct LockedIndexes {
    locks: Vec<(PathBuf, gix::lock::File)>,
}

impl LockedIndexes {
    /// Locks every index, or none: a failure releases the locks already taken.
    fn acquire(paths: &[PathBuf]) -> anyhow::Result<Self> {
        let mut locks = Vec::with_capacity(paths.len());
        for path in paths {
            locks.push((path.clone(), lock(path)?));
        }
        Ok(Self { locks })
    }

    /// Reads each index file (under its lock), changes its bytes with `edit` and writes the
    /// result into the lock file; the indexes themselves are untouched until [`Self::commit`].
    fn update(&mut self, mut edit: impl FnMut(&[u8]) -> anyhow::Result<Vec<u8>>) -> anyhow::Result<()> {
        let mut updated = Vec::with_capacity(self.locks.len());
        for (path, _) in &self.locks {
            let bytes = std::fs::read(path).with_context(|| format!("cannot read the index {}", path.display()))?;
            updated.push(edit(&bytes)?);
        }
        for ((path, lock), bytes) in self.locks.iter_mut().zip(&updated) {
            lock.write_all(bytes)
                .and_then(|()| lock.flush())
                .with_context(|| format!("cannot write the index {}; nothing was changed", path.display()))?;
        }
        Ok(())
    }

    /// Renames every lock file over its index.
    fn commit(self) -> anyhow::Result<()> {
        for (path, lock) in self.locks {
            lock.commit()
                .map_err(|err| err.error)
                .with_context(|| format!("cannot replace the index {}", path.display()))?;
        }
        Ok(())
    }
}

/// Takes `<index>.lock` exclusively, the way git does.
fn lock(index: &Path) -> anyhow::Result<gix::lock::File> {
    let mode = gix::lock::acquire::Fail::Immediately;
    gix::lock::File::acquire_to_update_resource(index, mode, None, 0).map_err(|err| {
        let lock = lock_path(index);
        if std::fs::symlink_metadata(&lock).is_ok() {
            anyhow!("{} exists: another git process is using the index; nothing was changed", lock.display())
        } else {
            anyhow!("cannot lock the index {}: {err}; nothing was changed", index.display())
        }
    })
}

fn lock_path(index: &Path) -> PathBuf {
    let mut name = index.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HASH: gix::hash::Kind = gix::hash::Kind::Sha1;

    /// Two empty index files in `dir`, written by gix.
    fn two_indexes(dir: &Path) -> Vec<PathBuf> {
        ["index", "other-index"]
            .iter()
            .map(|name| {
                let path = dir.join(name);
                let state = gix::index::State::new(HASH);
                let mut file = gix::index::File::from_state(state, path.clone());
                file.write(gix::index::write::Options::default()).unwrap();
                path
            })
            .collect()
    }

    fn bytes(paths: &[PathBuf]) -> Vec<Vec<u8>> {
        paths.iter().map(|p| std::fs::read(p).unwrap()).collect()
    }

    #[test]
    fn indexes_are_read_while_every_lock_is_held() {
        let dir = tempfile::tempdir().unwrap();
        let paths = two_indexes(dir.path());
        let mut locked = LockedIndexes::acquire(&paths).unwrap();
        locked
            .update(|bytes| {
                assert!(paths.iter().all(|p| lock_path(p).exists()));
                Ok(bytes.to_vec())
            })
            .unwrap();
        locked.commit().unwrap();
        assert!(paths.iter().all(|p| !lock_path(p).exists()));
    }

    #[test]
    fn a_second_lock_held_elsewhere_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let paths = two_indexes(dir.path());
        // A dangling symlink: `exists()` says no, an exclusive create says yes.
        std::os::unix::fs::symlink(dir.path().join("gone"), lock_path(&paths[1])).unwrap();
        let err = LockedIndexes::acquire(&paths).err().unwrap();
        assert!(
            err.to_string()
                .ends_with("other-index.lock exists: another git process is using the index; nothing was changed"),
            "{err}"
        );
        assert!(!lock_path(&paths[0]).exists(), "the first lock is released");
    }

    #[test]
    fn a_failed_edit_leaves_every_index_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let paths = two_indexes(dir.path());
        let before = bytes(&paths);
        let mut locked = LockedIndexes::acquire(&paths).unwrap();
        let mut seen = 0;
        let result = locked.update(|bytes| {
            seen += 1;
            if seen == 2 {
                anyhow::bail!("re-staged");
            }
            Ok(bytes.iter().rev().copied().collect())
        });
        assert!(result.is_err());
        drop(locked);
        assert_eq!(bytes(&paths), before);
        assert!(paths.iter().all(|p| !lock_path(p).exists()));
    }
}
