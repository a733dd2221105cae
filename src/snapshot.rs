//! One version of the analysed project's files: the disk for `check`, the index for the
//! pre-commit hook, a commit's tree for the push hooks.
//!
//! The analysis follows imports into other modules of the project; it reads them through this
//! trait, so a hook reads exactly the version it checks (never the worktree), and the git layer
//! provides the git versions without the analysis knowing about git.

/// Files of a project version. Paths are `/`-separated and relative to the project root (or as
/// given on the command line for `check`).
pub(crate) trait Snapshot: Send + Sync {
    /// The bytes of the regular file at `path`, if it exists in this version.
    fn read(&self, path: &str) -> Option<Vec<u8>>;
    /// Whether a regular file exists at `path`.
    fn exists(&self, path: &str) -> bool;
    /// Every Python file of the version (for finding the importers of a changed module);
    /// empty where listing is not offered.
    fn python_paths(&self) -> Vec<String> {
        Vec::new()
    }
    /// What identifies the content at `path` across versions (a git blob id), when the version
    /// knows it: a module whose content is the same in two versions is parsed once.
    fn content_id(&self, _path: &str) -> Option<Vec<u8>> {
        None
    }
}

/// A version with no other files: each file is analysed on its own.
pub(crate) struct Alone;

impl Snapshot for Alone {
    fn read(&self, _: &str) -> Option<Vec<u8>> {
        None
    }
    fn exists(&self, _: &str) -> bool {
        false
    }
}
