//! The change set: what every mode hands to the shared analysis.
//!
//! `check` builds one from files on disk, `pre-commit` from staged blobs, `pre-push` and
//! `pre-receive` from the commits a push brings. After this point no code knows which mode runs.

use std::collections::HashMap;
use std::sync::Arc;

use crate::snapshot::Snapshot;

/// One version of one Python file to analyse, with the lines that count.
#[derive(Debug, Clone)]
pub(crate) struct ChangedFile {
    /// Path for display and JSON: relative to the repository root in hook modes, as given in
    /// `check`. Raw git paths are converted lossily; control characters are stripped at render.
    pub(crate) path: String,
    /// The path exactly as git or the OS gives it (may be non-UTF-8): what `--fix` writes back to.
    pub(crate) raw_path: Vec<u8>,
    pub(crate) bytes: Vec<u8>,
    pub(crate) lines: LineFilter,
    /// Parser flavour (stubs).
    pub(crate) stub: bool,
    /// The commit this version comes from (push modes).
    pub(crate) commit: Option<Arc<CommitInfo>>,
    /// The version of the project this file belongs to (`None`: the file is analysed alone).
    pub(crate) scope: Option<Arc<Scope>>,
    /// Not changed itself: it imports a changed module, and is analysed for the change's sake.
    pub(crate) importer: bool,
    /// The reader already put these bytes to the analysis's gate for a file analysed alone (a
    /// commit of a pushed history): the analysis does not scan them again.
    pub(crate) gated_alone: bool,
}

impl ChangedFile {
    /// A version of `path` to analyse on its own (no commit, no project around it, not a stub);
    /// callers set what differs.
    pub(crate) fn new(path: String, raw_path: Vec<u8>, bytes: Vec<u8>, lines: LineFilter) -> Self {
        ChangedFile {
            path,
            raw_path,
            bytes,
            lines,
            stub: false,
            commit: None,
            scope: None,
            importer: false,
            gated_alone: false,
        }
    }
}

/// One version of the project and what the change set changed in it: imported modules are read
/// from it, and a finding counts when its value, a sink or a call on the way lies on a changed
/// line of any file of the same change.
pub(crate) struct Scope {
    pub(crate) files: Arc<dyn Snapshot>,
    /// Changed lines by path; `None` when every line of every file counts (`check`).
    pub(crate) changed: Option<HashMap<String, LineFilter>>,
}

impl Scope {
    /// Whether lines `first..=last` of `path` changed (every line counts without a diff).
    pub(crate) fn touches(&self, path: &str, first: usize, last: usize) -> bool {
        match &self.changed {
            None => true,
            Some(changed) => changed.get(path).is_some_and(|lines| (first..=last).any(|l| lines.contains(l))),
        }
    }

    /// The changed lines of `path` (none when the change did not touch it).
    pub(crate) fn lines_of(&self, path: &str) -> LineFilter {
        match &self.changed {
            None => LineFilter::All,
            Some(changed) => changed.get(path).cloned().unwrap_or(LineFilter::Only(Vec::new())),
        }
    }
}

impl std::fmt::Debug for Scope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scope").field("changed", &self.changed).finish_non_exhaustive()
    }
}

/// Which lines of the new version were added or modified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum LineFilter {
    /// Every line counts (`check`, `--all-lines`, new files).
    All,
    /// Sorted, deduplicated 1-based line numbers of the new version.
    Only(Vec<u32>),
}

impl LineFilter {
    pub(crate) fn contains(&self, line: usize) -> bool {
        match self {
            LineFilter::All => true,
            LineFilter::Only(lines) => u32::try_from(line).is_ok_and(|l| lines.binary_search(&l).is_ok()),
        }
    }

    /// How many lines count, given the file's line count for `All`.
    pub(crate) fn count(&self, total_lines: usize) -> usize {
        match self {
            LineFilter::All => total_lines,
            LineFilter::Only(lines) => lines.len(),
        }
    }
}

/// The commit a pushed file version belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CommitInfo {
    /// Abbreviated id.
    pub(crate) short_id: String,
    pub(crate) subject: String,
    /// The pushed ref(s) that bring this commit.
    pub(crate) refs: Vec<String>,
}

/// A file that was not analysed because there is nothing in it a commit could run (deleted, a
/// submodule, an intent-to-add entry), and why (always reported, never blocking).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Skipped {
    pub(crate) path: String,
    pub(crate) reason: String,
}

/// A Python file that was not analysed, or not completely: it leaves something unchecked, so it
/// is never counted clean (spec §9). Hook modes block on it unless the setting for its cause
/// accepts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Incomplete {
    pub(crate) path: String,
    pub(crate) reason: String,
    pub(crate) cause: Cause,
}

/// What kept a file from being analysed completely; each cause has its own setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Cause {
    /// Over a size or memory limit (`bindguard.onTooLarge`).
    Size,
    /// The time budget ran out on history (`bindguard.onTimeout`).
    Time,
    /// The time budget ran out on the final state of a pushed ref, which is never let through
    /// unchecked (`bindguard.timeBudget` must allow it).
    FinalStateTime,
    /// Anything else: a codec with no decoder, nesting too deep, an analysis limit, a file that
    /// cannot be read, a link out of the tree (`bindguard.onIncomplete`).
    Analysis,
}

impl Cause {
    /// `size`, `time` or `analysis` (machine output).
    pub(crate) fn name(self) -> &'static str {
        match self {
            Cause::Size => "size",
            Cause::Time | Cause::FinalStateTime => "time",
            Cause::Analysis => "analysis",
        }
    }
}

impl Incomplete {
    pub(crate) fn new(path: impl Into<String>, reason: impl Into<String>, cause: Cause) -> Self {
        Self { path: path.into(), reason: reason.into(), cause }
    }
}

/// Everything one run analyses.
#[derive(Debug, Clone, Default)]
pub(crate) struct ChangeSet {
    pub(crate) files: Vec<ChangedFile>,
    pub(crate) skipped: Vec<Skipped>,
    /// Python files that could not be handed over for analysis (too large, unreadable, …).
    pub(crate) incomplete: Vec<Incomplete>,
    /// Number of commits scanned (push modes).
    pub(crate) commits: Option<usize>,
    /// What was scanned, for the summary line when it is not just files (e.g. the range).
    pub(crate) scope_note: Option<String>,
}
