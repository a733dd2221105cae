//! `pre-commit --fix`: the commit records the staged blobs, so the fix goes into the index first,
//! then into the worktree only on lines that still equal the staged version. Nothing is written
//! unless every fixed file re-parses and re-checks clean; if the index is locked nothing changes.
//!
//! Under the pre-commit framework only the worktree is fixed ([`apply_to_worktree`]): the
//! framework restores the unstaged changes it stashed with a patch against the index, and a
//! changed index makes that patch fail.

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
            if let Some(why) = carry_to_worktree(workdir, file) {
                summary.notes.push(format!("{}: {why}; fixed in the index only", file.path));
            }
        }
    }
    Ok(summary)
}

/// What `--fix` did to the worktree under the framework.
#[derive(Debug, Default)]
pub(crate) struct WorktreeFix {
    pub(crate) fixed_findings: usize,
    /// The files whose worktree copy was fixed.
    pub(crate) files: Vec<String>,
    pub(crate) notes: Vec<String>,
}

/// Fixes the worktree copy of every staged file with fixable findings, where its lines still
/// equal the staged ones; never the index.
pub(crate) fn apply_to_worktree(repo: &gix::Repository, report: &Report, options: &rules::Options) -> WorktreeFix {
    let (planned, summary) = plan(report, options);
    let mut done = WorktreeFix { notes: summary.notes, ..WorktreeFix::default() };
    let Some(workdir) = repo.workdir() else {
        done.notes.push("no worktree: nothing was fixed".to_owned());
        return done;
    };
    for file in &planned {
        match carry_to_worktree(workdir, file) {
            None => {
                done.fixed_findings += file.findings;
                done.files.push(file.path.clone());
            }
            Some(why) => done.notes.push(format!("{}: {why}; not fixed", file.path)),
        }
    }
    done
}

/// Applies the fix to the worktree file where its lines still match the staged ones; says why
/// when anything was left alone.
fn carry_to_worktree(workdir: &Path, blob: &FixedFile) -> Option<String> {
    let path = workdir.join(OsStr::from_bytes(&blob.raw_path));
    let current = match std::fs::symlink_metadata(&path) {
        Ok(meta) if meta.is_file() => match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(err) => return Some(format!("worktree left alone (cannot read it: {err})")),
        },
        _ => return Some("not in the worktree".to_owned()),
    };
    let carried = carry_fix(&blob.original, &blob.fixed, &current);
    if carried.bytes != current
        && let Err(err) = replace_file(&path, &current, &carried.bytes)
    {
        return Some(format!("worktree left alone ({err:#})"));
    }
    (carried.skipped_hunks > 0).then(|| "the worktree line differs from the staged one".to_owned())
}
