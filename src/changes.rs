//! The change set: what every mode hands to the shared analysis.
//!
//! `check` builds one from files on disk, `pre-commit` from staged blobs, `pre-push` and
//! `pre-receive` from the commits a push brings. After this point no code knows which mode runs.

use std::sync::Arc;

/// One version of one Python file to analyse, with the lines that count.
#[derive(Debug, Clone)]
pub struct ChangedFile {
    /// Path for display and JSON: relative to the repository root in hook modes, as given in
    /// `check`. Raw git paths are converted lossily; control characters are stripped at render.
    pub path: String,
    /// The path exactly as git or the OS gives it (may be non-UTF-8): what `--fix` writes back to.
    pub raw_path: Vec<u8>,
    pub bytes: Vec<u8>,
    pub lines: LineFilter,
    /// Parser flavour (stubs).
    pub stub: bool,
    /// The commit this version comes from (push modes).
    pub commit: Option<Arc<CommitInfo>>,
}

/// Which lines of the new version were added or modified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineFilter {
    /// Every line counts (`check`, `--all-lines`, new files).
    All,
    /// Sorted, deduplicated 1-based line numbers of the new version.
    Only(Vec<u32>),
}

impl LineFilter {
    pub fn contains(&self, line: usize) -> bool {
        match self {
            LineFilter::All => true,
            LineFilter::Only(lines) => u32::try_from(line).is_ok_and(|l| lines.binary_search(&l).is_ok()),
        }
    }

    /// How many lines count, given the file's line count for `All`.
    pub fn count(&self, total_lines: usize) -> usize {
        match self {
            LineFilter::All => total_lines,
            LineFilter::Only(lines) => lines.len(),
        }
    }
}

/// The commit a pushed file version belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitInfo {
    /// Abbreviated id.
    pub short_id: String,
    pub subject: String,
    /// The pushed ref(s) that bring this commit.
    pub refs: Vec<String>,
}

/// A file that was not analysed, and why (always reported).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub path: String,
    pub reason: String,
}

/// Everything one run analyses.
#[derive(Debug, Clone, Default)]
pub struct ChangeSet {
    pub files: Vec<ChangedFile>,
    pub skipped: Vec<Skipped>,
    /// Number of commits scanned (push modes).
    pub commits: Option<usize>,
    /// What was scanned, for the summary line when it is not just files (e.g. the range).
    pub scope_note: Option<String>,
}
