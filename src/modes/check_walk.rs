//! `check`'s walk: the candidate files under the paths given, in parallel. `.gitignore` is
//! respected inside and outside a git repository (as the README says); the configuration's
//! `exclude` and `--exclude` prune files and whole directories; hidden entries (names starting
//! with `.`) below the paths given are skipped and counted, so the run can say what it did not
//! look at.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::changes::Skipped;
use crate::modes::project::ProjectConfig;
use crate::pyfiles::{self, PathKind};

/// What the walk found and what it left out.
#[derive(Debug, Default)]
pub(super) struct Walk {
    /// Candidate files, sorted, each with whether the user named it.
    pub(super) candidates: Vec<(PathBuf, bool)>,
    /// Entries the walker could not read (permissions, broken links): skipped, not a failure.
    pub(super) errors: Vec<Skipped>,
    /// Files and directories the configuration or `--exclude` left out.
    pub(super) excluded: usize,
    /// Hidden directories (`.git` aside) and hidden Python files below the paths given.
    pub(super) hidden: Vec<String>,
}

/// Walks `paths`; `cwd` makes relative paths absolute for the configuration.
pub(super) fn walk(paths: &[PathBuf], project: &ProjectConfig<'_>, cwd: &Path) -> anyhow::Result<Walk> {
    let mut builder = ignore::WalkBuilder::new(&paths[0]);
    for path in &paths[1..] {
        builder.add(path);
    }
    builder.hidden(false).require_git(false);
    let state = Mutex::new((Walk::default(), None::<anyhow::Error>));
    builder.build_parallel().run(|| {
        Box::new(|entry| {
            let mut guard = state.lock().expect("walker lock");
            let (walk, failed) = &mut *guard;
            let entry = match entry {
                Ok(entry) => entry,
                Err(err) => {
                    walk.errors.push(walk_error(&err));
                    return ignore::WalkState::Continue;
                }
            };
            let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
            let is_file = entry.file_type().is_some_and(|t| t.is_file());
            if entry.depth() > 0 && is_hidden(entry.file_name()) {
                let python =
                    is_file && pyfiles::path_kind(entry.path().as_os_str().as_encoded_bytes()) != PathKind::NotPython;
                if (is_dir && entry.file_name() != ".git") || python {
                    walk.hidden.push(entry.path().to_string_lossy().into_owned());
                }
                return skip(is_dir);
            }
            match project.excluded(&cwd.join(entry.path()), is_dir) {
                Ok(false) => {}
                Ok(true) => {
                    walk.excluded += 1;
                    return skip(is_dir);
                }
                Err(err) => {
                    failed.get_or_insert(err);
                    return ignore::WalkState::Quit;
                }
            }
            // A named path that is neither a file nor a folder (a FIFO, a device) is a candidate
            // too, so that opening it (without blocking) says what it is.
            if is_file || (entry.depth() == 0 && !is_dir) {
                walk.candidates.push((entry.path().to_path_buf(), entry.depth() == 0));
            }
            ignore::WalkState::Continue
        })
    });
    let (mut walk, failed) = state.into_inner().expect("walker lock");
    if let Some(err) = failed {
        return Err(err);
    }
    walk.candidates.sort();
    walk.hidden.sort();
    Ok(walk)
}

fn is_hidden(name: &OsStr) -> bool {
    name.as_encoded_bytes().first() == Some(&b'.')
}

/// Leaves out an entry, and everything under it when it is a directory.
fn skip(is_dir: bool) -> ignore::WalkState {
    if is_dir { ignore::WalkState::Skip } else { ignore::WalkState::Continue }
}

fn walk_error(err: &ignore::Error) -> Skipped {
    let path = match err {
        ignore::Error::WithPath { path, .. } => path.to_string_lossy().into_owned(),
        ignore::Error::WithDepth { err, .. } => return walk_error(err),
        _ => String::from("(walk)"),
    };
    Skipped { path, reason: format!("cannot read: {err}") }
}

/// What the walk left out, for the messages after the report: hidden entries, exclusions.
pub(super) fn notes(walk: &Walk) -> Vec<String> {
    let mut notes = Vec::new();
    if !walk.hidden.is_empty() {
        let shown: Vec<&str> = walk.hidden.iter().take(3).map(String::as_str).collect();
        let more = if walk.hidden.len() > 3 { ", …" } else { "" };
        let count = match walk.hidden.len() {
            1 => "1 hidden entry".to_owned(),
            n => format!("{n} hidden entries"),
        };
        notes.push(format!(
            "bindguard: note: {count} not checked ({}{more}): name them to check them",
            shown.join(", ")
        ));
    }
    if walk.excluded > 0 {
        notes.push(format!(
            "bindguard: note: {} excluded by the configuration or --exclude",
            crate::outcome::plural(walk.excluded, "path")
        ));
    }
    notes
}
