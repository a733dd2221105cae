//! `pre-commit --fix`: the commit records the staged blobs, so the fix goes into the index first,
//! then into the worktree only on lines that still equal the staged version. Nothing is written
//! unless every fixed file re-parses and re-checks clean; if the index is locked nothing changes.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use crate::fix::files::replace_file;
use crate::fix::worktree::carry_fix;
use crate::fix::{FixSummary, FixedFile, plan};
use crate::git::index_write::{NewBlob, Written, write_fixes};
use crate::report::Report;
use crate::rules;

/// Fixes the staged blobs of every file in the report that has fixable findings.
pub(crate) fn apply(repo: &gix::Repository, report: &Report, options: &rules::Options) -> anyhow::Result<FixSummary> {
    let (planned, mut summary) = plan(report, options);
    if planned.is_empty() {
        return Ok(summary);
    }
    let blobs: Vec<NewBlob<'_>> =
        planned.iter().map(|f| NewBlob { path: &f.raw_path, replaces: &f.original, bytes: &f.fixed }).collect();
    summary.temporary_index = write_fixes(repo, &blobs)? == Written::Temporary;
    for file in &planned {
        summary.record(file);
    }
    if let Some(workdir) = repo.workdir() {
        for file in &planned {
            if let Some(note) = carry_to_worktree(workdir, &file.path, file) {
                summary.notes.push(note);
            }
        }
    }
    Ok(summary)
}

/// Applies the fix to the worktree file where its lines still match the staged ones; returns a
/// note when anything was left alone.
fn carry_to_worktree(workdir: &Path, display: &str, blob: &FixedFile) -> Option<String> {
    let path = workdir.join(OsStr::from_bytes(&blob.raw_path));
    let current = match std::fs::symlink_metadata(&path) {
        Ok(meta) if meta.is_file() => match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(err) => {
                return Some(format!("{display}: worktree left alone (cannot read it: {err}); the index is fixed"));
            }
        },
        _ => {
            return Some(format!("{display}: not in the worktree; only the index was fixed"));
        }
    };
    let carried = carry_fix(&blob.original, &blob.fixed, &current);
    if carried.bytes != current
        && let Err(err) = replace_file(&path, &current, &carried.bytes)
    {
        return Some(format!("{display}: worktree left alone ({err:#}); the index is fixed"));
    }
    (carried.skipped_hunks > 0)
        .then(|| format!("{display}: the worktree line differs from the staged one; fixed in the index only"))
}
