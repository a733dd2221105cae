//! `bindguard check [PATHS]`: files and directories on disk, every line counts.
//!
//! Each file is read and analysed in one parallel pass, so memory holds the files being worked on
//! (plus the files with findings), whatever the size of the tree.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

use anyhow::Context;

use crate::analysis;
use crate::baseline::{self, Baseline};
use crate::changes::{ChangedFile, LineFilter, Skipped};
use crate::modes::fix_files;
use crate::outcome::{Body, Outcome, Scope, plural};
use crate::pyfiles::{self, PathKind};
use crate::repo_path::PathBase;
use crate::report::Report;
use crate::settings::{CheckSettings, Settings};
use crate::source::Skip;

pub(crate) fn run(check: &CheckSettings) -> anyhow::Result<Outcome> {
    let base = PathBase::for_directory(&std::env::current_dir().context("cannot read the current directory")?);
    let mut outcome = run_scan(check, &base)?;
    outcome.base = base;
    Ok(outcome)
}

fn run_scan(check: &CheckSettings, base: &PathBase) -> anyhow::Result<Outcome> {
    let settings = &check.common;
    let mut report = scan(&check.paths, settings)?;
    if let Some(path) = &check.write_baseline {
        let baseline = Baseline::of(&report, base);
        baseline.write(path)?;
        let said = format!(
            "bindguard: wrote {} to the baseline {}",
            plural(baseline.entries.len(), "finding"),
            path.display()
        );
        return Ok(Outcome { after: vec![said], ..Outcome::new(Body::Nothing) });
    }
    let said = apply_baseline(check, base, &mut report)?;
    if check.diff {
        let (patches, summary) = fix_files::patches(&report, settings);
        let mut after = said;
        after.extend(fix_files::messages(&summary, true));
        return Ok(Outcome { blocks: report.blocks(), after, ..Outcome::new(Body::Patches(patches)) });
    }
    if !check.fix {
        return Ok(Outcome { before: said, ..Outcome::report(report, Scope::Files, Vec::new()) });
    }
    let summary = fix_files::apply(&report, settings);
    let remaining = if summary.fixed_files > 0 {
        let mut again = scan(&check.paths, settings)?;
        apply_baseline(check, base, &mut again)?;
        again
    } else {
        report
    };
    let mut outcome = Outcome { before: said, ..Outcome::report(remaining, Scope::Files, Vec::new()) };
    outcome.blocks |= summary.unfixed_files > 0;
    outcome.after = fix_files::messages(&summary, false);
    Ok(outcome)
}

/// `--baseline`: the listed findings are taken out; an entry that matches nothing is said when
/// its file lies under the paths checked.
fn apply_baseline(check: &CheckSettings, base: &PathBase, report: &mut Report) -> anyhow::Result<Vec<String>> {
    let roots: Vec<String> = check.paths.iter().map(|path| base.relative(&path.to_string_lossy())).collect();
    let judged = |entry: &str| roots.iter().any(|root| root.is_empty() || Path::new(entry).starts_with(root));
    baseline::apply_file(check.common.baseline.as_deref(), report, base, judged)
}

/// Walks the paths and analyses every Python file found.
fn scan(paths: &[PathBuf], settings: &Settings) -> anyhow::Result<Report> {
    let started = Instant::now();
    for path in paths {
        std::fs::symlink_metadata(path).with_context(|| format!("cannot read {}", path.display()))?;
    }
    let (candidates, walk_errors) = walk(paths);
    let load = |(path, explicit): &(PathBuf, bool)| read_file(path, *explicit, settings.max_file_size);
    let mut report = analysis::analyze_loaded(&candidates, load, &settings.rules, settings.max_file_size);
    report.skipped.splice(0..0, walk_errors);
    report.elapsed = started.elapsed();
    Ok(report)
}

/// Candidate files (in parallel, `.gitignore` respected), each with whether the user named it;
/// entries the walker cannot read (permissions, broken links) are skipped files, not a failure.
fn walk(paths: &[PathBuf]) -> (Vec<(PathBuf, bool)>, Vec<Skipped>) {
    let mut builder = ignore::WalkBuilder::new(&paths[0]);
    paths[1..].iter().for_each(|p| {
        builder.add(p);
    });
    let found = Mutex::new(Vec::new());
    let errors = Mutex::new(Vec::new());
    builder.build_parallel().run(|| {
        Box::new(|entry| {
            match entry {
                Ok(e) if e.file_type().is_some_and(|t| t.is_file()) => {
                    found.lock().expect("walker lock").push((e.path().to_path_buf(), e.depth() == 0));
                }
                Ok(_) => {}
                Err(err) => errors.lock().expect("walker lock").push(walk_error(&err)),
            }
            ignore::WalkState::Continue
        })
    });
    let mut found = found.into_inner().expect("walker lock");
    found.sort();
    (found, errors.into_inner().expect("walker lock"))
}

fn walk_error(err: &ignore::Error) -> Skipped {
    let path = match err {
        ignore::Error::WithPath { path, .. } => path.to_string_lossy().into_owned(),
        ignore::Error::WithDepth { err, .. } => return walk_error(err),
        _ => String::from("(walk)"),
    };
    Skipped { path, reason: format!("cannot read: {err}") }
}

/// One open per file: the size check and the read share the handle, and the read stops at the
/// size the handle reported, which spares the end-of-file probe (a file growing meanwhile is read
/// as it was when opened). Directories of thousands of files make these system calls count.
fn read_capped(path: &Path, max_file_size: u64) -> Result<Vec<u8>, Skip> {
    let unreadable = |e: std::io::Error| Skip::Unreadable(e.to_string());
    let file = std::fs::File::open(path).map_err(unreadable)?;
    let size = file.metadata().map_err(unreadable)?.len();
    if size > max_file_size {
        return Err(Skip::TooLarge { size, limit: max_file_size });
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    file.take(size).read_to_end(&mut bytes).map_err(unreadable)?;
    Ok(bytes)
}

/// Reads a candidate; `Ok(None)` when it is not Python.
fn read_file(path: &Path, explicit: bool, max_file_size: u64) -> Result<Option<ChangedFile>, Skipped> {
    let display = path.strip_prefix("./").unwrap_or(path).to_string_lossy().into_owned();
    let skipped = |reason: String| Skipped { path: display.clone(), reason };
    let raw_path = path.as_os_str().as_encoded_bytes();
    let kind = pyfiles::path_kind(raw_path);
    if kind == PathKind::NotPython && !explicit {
        return Ok(None);
    }
    let bytes = read_capped(path, max_file_size).map_err(|skip| skipped(skip.to_string()))?;
    let stub = match pyfiles::python_flavor(raw_path, &bytes) {
        Some(stub) => stub,
        None if explicit && kind == PathKind::NotPython => return Err(skipped("not a Python file".into())),
        None => return Ok(None),
    };
    Ok(Some(ChangedFile {
        path: display,
        raw_path: raw_path.to_vec(),
        bytes,
        lines: LineFilter::All,
        stub,
        commit: None,
    }))
}
