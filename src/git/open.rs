//! Opening the repository the way git hands it to a hook.
//!
//! Git runs client hooks at the worktree root and describes the repository through the
//! environment: `GIT_DIR` (linked worktrees, server hooks), `GIT_WORK_TREE`, and `GIT_INDEX_FILE`,
//! which names a different index for a plain `git commit`, `git commit -a` and
//! `git commit <path>`. [`open_from_env`] honours all of them, and sets up the object caches
//! that reading many blobs and trees needs (gix installs no pack cache on its own with the
//! features this crate uses). Shared by every hook mode.

use std::path::Path;

use anyhow::Context;

/// Pack delta-base cache entries (gix's fixed-size LRU).
const PACK_CACHE_ENTRIES: usize = 32;
/// Decoded-object cache for tree reads.
const OBJECT_CACHE_BYTES: usize = 2 << 20;

/// Opens the repository containing the current directory, with git's hook environment applied.
pub(crate) fn open_from_env() -> anyhow::Result<gix::Repository> {
    open_at(Path::new("."))
}

/// Like [`open_from_env`], starting the search at `dir`.
pub(crate) fn open_at(dir: &Path) -> anyhow::Result<gix::Repository> {
    let mut repo = gix::discover_with_environment_overrides(dir)
        .with_context(|| format!("cannot open a git repository at {}", dir.display()))?;
    install_caches(&mut repo);
    Ok(repo)
}

/// The effective value of a git config key (system, global and repository configuration).
pub(crate) fn config_value(repo: &gix::Repository, key: &str) -> Option<String> {
    repo.config_snapshot().string(key).map(|v| v.to_string())
}

/// Installs the pack delta cache and an object cache; cheap, and only costs memory when used.
pub(crate) fn install_caches(repo: &mut gix::Repository) {
    install_pack_cache(&mut repo.objects);
    repo.object_cache_size_if_unset(OBJECT_CACHE_BYTES);
}

/// Installs the pack delta cache on an object store handle (the repository's, or one of the
/// handles that [`super::odb::Stores`] makes).
pub(crate) fn install_pack_cache<S>(handle: &mut gix::odb::Cache<S>) {
    handle.set_pack_cache(|| Box::<gix::odb::pack::cache::lru::StaticLinkedList<PACK_CACHE_ENTRIES>>::default());
}

/// Installs the decoded-object cache that [`install_caches`] gives a repository.
pub(crate) fn install_object_cache<S>(handle: &mut gix::odb::Cache<S>) {
    handle.set_object_cache(|| Box::new(gix::odb::pack::cache::object::MemoryCappedHashmap::new(OBJECT_CACHE_BYTES)));
}
