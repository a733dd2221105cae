//! `pre-commit --fix`: the commit records the staged blobs, so the fix goes into the index first,
//! then into the worktree only on lines that still equal the staged version. Nothing is written
//! unless every fixed file re-parses and re-checks clean; if the index is locked nothing changes.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use crate::analysis::Report;
use crate::fix::files::replace_file;
use crate::fix::fix_source;
use crate::fix::worktree::carry_fix;
use crate::git::index_write::{BlobFix, write_fixes};
use crate::rules;

/// What `--fix` did, for the message that stops (or lets through) the commit.
#[derive(Debug, Default)]
pub struct FixOutcome {
    pub fixed_findings: usize,
    pub fixed_files: usize,
    /// Per-file notes: worktree left alone, file not fixable, …
    pub notes: Vec<String>,
}

/// Fixes the staged blobs of every file in the report that has fixable findings.
pub fn apply(
    repo: &gix::Repository,
    report: &Report,
    options: &rules::Options,
) -> anyhow::Result<FixOutcome> {
    let mut outcome = FixOutcome::default();
    let mut fixes = Vec::new();
    for file in &report.files {
        match fix_source(&file.source, &file.findings, file.stub, options) {
            Ok(None) => {}
            Err(reason) => outcome
                .notes
                .push(format!("{}: not fixed: {reason}", file.path)),
            Ok(Some(fixed)) => {
                let encode = |text: &str| file.source.encode(text).map_err(anyhow::Error::msg);
                let blob = BlobFix {
                    raw_path: file.raw_path.clone(),
                    original: encode(file.source.text())?,
                    fixed: encode(&fixed.text)?,
                };
                outcome.fixed_findings += fixed.fixed;
                outcome.fixed_files += 1;
                fixes.push((file.path.clone(), blob));
            }
        }
    }
    if fixes.is_empty() {
        return Ok(outcome);
    }
    let blobs: Vec<BlobFix> = fixes.iter().map(|(_, b)| b.clone()).collect();
    write_fixes(repo, &blobs)?;
    if let Some(workdir) = repo.workdir() {
        for (display, blob) in &fixes {
            if let Some(note) = carry_to_worktree(workdir, display, blob) {
                outcome.notes.push(note);
            }
        }
    }
    Ok(outcome)
}

/// Applies the fix to the worktree file where its lines still match the staged ones; returns a
/// note when anything was left alone.
fn carry_to_worktree(workdir: &Path, display: &str, blob: &BlobFix) -> Option<String> {
    let path = workdir.join(OsStr::from_bytes(&blob.raw_path));
    let current = match std::fs::symlink_metadata(&path) {
        Ok(meta) if meta.is_file() => match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(err) => {
                return Some(format!(
                    "{display}: worktree left alone (cannot read it: {err}); the index is fixed"
                ));
            }
        },
        _ => {
            return Some(format!(
                "{display}: not in the worktree; only the index was fixed"
            ));
        }
    };
    let patch = carry_fix(&blob.original, &blob.fixed, &current);
    if patch.bytes != current
        && let Err(err) = replace_file(&path, &current, &patch.bytes)
    {
        return Some(format!(
            "{display}: worktree left alone ({err:#}); the index is fixed"
        ));
    }
    (patch.skipped_hunks > 0).then(|| {
        format!("{display}: the worktree line differs from the staged one; fixed in the index only")
    })
}
