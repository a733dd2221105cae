//! Writing fixed blobs into the index, for `pre-commit --fix`.
//!
//! Three things make git trust the result (see the project notes on gix 0.90): the new blob is
//! written to the object database, the entry's stat data is zeroed (or git believes the worktree
//! still matches and `git diff` goes blind), and the cache-tree is dropped (or `git commit` builds
//! the tree from the stale cached subtree and records the unfixed content). During
//! `git commit <path>` git commits from a temporary index while holding the real one in
//! `index.lock`; both get the fix, so they agree after the commit.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use gix::bstr::BStr;
use gix::index::entry::Stage;

/// One staged file whose blob is replaced.
#[derive(Debug, Clone)]
pub struct BlobFix {
    /// Path as stored in the index.
    pub raw_path: Vec<u8>,
    /// The staged bytes the fix was computed from: the entry must still hold exactly these.
    pub original: Vec<u8>,
    pub fixed: Vec<u8>,
}

/// Points every fixed entry at its new blob, in each index the running commit uses.
pub fn write_fixes(repo: &gix::Repository, fixes: &[BlobFix]) -> anyhow::Result<()> {
    let index_paths = indexes_to_update(repo);
    for path in &index_paths {
        refuse_if_locked(path)?;
    }
    let mut new_ids = Vec::with_capacity(fixes.len());
    for fix in fixes {
        new_ids.push(repo.write_blob(&fix.fixed).context("cannot write the fixed blob")?.detach());
    }
    // Every index is checked and changed in memory before any is written.
    let mut updated = Vec::with_capacity(index_paths.len());
    for path in &index_paths {
        updated.push(fixed_index(repo, path, fixes, &new_ids)?);
    }
    for mut index in updated {
        let path = index.path().to_owned();
        index
            .write(gix::index::write::Options::default())
            .with_context(|| format!("cannot write the index {}", path.display()))?;
    }
    Ok(())
}

/// The index git will commit from, plus the real index when that one is a temporary copy.
fn indexes_to_update(repo: &gix::Repository) -> Vec<PathBuf> {
    let index = repo.index_path();
    let mut paths = vec![index.clone()];
    let name = index.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    if name.starts_with("next-index-") && name.ends_with(".lock") {
        let real = repo.git_dir().join("index.lock");
        if real.is_file() {
            paths.push(real);
        }
    }
    paths
}

fn lock_path(index: &Path) -> PathBuf {
    let mut name = index.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

fn refuse_if_locked(index: &Path) -> anyhow::Result<()> {
    let lock = lock_path(index);
    if lock.exists() {
        bail!("{} exists: another git process is using the index; nothing was changed", lock.display());
    }
    Ok(())
}

fn fixed_index(
    repo: &gix::Repository,
    path: &Path,
    fixes: &[BlobFix],
    new_ids: &[gix::ObjectId],
) -> anyhow::Result<gix::index::File> {
    let hash = repo.object_hash();
    let mut index = gix::index::File::at(path, hash, false, Default::default())
        .with_context(|| format!("cannot read the index {}", path.display()))?;
    for (fix, new_id) in fixes.iter().zip(new_ids) {
        let key: &BStr = fix.raw_path.as_slice().into();
        let expected = gix::objs::compute_hash(hash, gix::object::Kind::Blob, &fix.original)?;
        let entry = index
            .entry_mut_by_path_and_stage(key, Stage::Unconflicted)
            .with_context(|| format!("{key} is no longer staged"))?;
        if entry.id != expected {
            bail!("{key} was re-staged while bindguard ran; nothing was changed");
        }
        entry.id = *new_id;
        entry.stat = Default::default();
    }
    index.remove_tree();
    Ok(index)
}
