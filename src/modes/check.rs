//! `bindguard check [PATHS]`: files and directories on disk, every line counts.
//!
//! Each file is read and analysed in one parallel pass, so memory holds the files being worked on
//! (plus the files with findings), whatever the size of the tree.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;

use crate::analysis;
use crate::baseline::{self, Baseline};
use crate::changes::{ChangedFile, LineFilter, Skipped};
use crate::config;
use crate::modes::project::ProjectConfig;
use crate::modes::{check_stdin, check_walk, fix_files};
use crate::outcome::{Body, Outcome, Scope, plural};
use crate::pyfiles::{self, PathKind};
use crate::repo_path::PathBase;
use crate::report::Report;
use crate::settings::{CheckSettings, Settings};
use crate::source::Skip;

pub(crate) fn run(check: &CheckSettings) -> anyhow::Result<Outcome> {
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let base = PathBase::for_directory(&cwd);
    let project = ProjectConfig::new(&check.common, &config::read_fs, None, &cwd)?;
    let mut outcome = match &check.stdin {
        Some(name) => check_stdin::run(check, name, &project, &cwd)?,
        None => run_scan(check, &project, &cwd, &base)?,
    };
    outcome.base = base;
    Ok(outcome)
}

fn run_scan(
    check: &CheckSettings,
    project: &ProjectConfig<'_>,
    cwd: &Path,
    base: &PathBase,
) -> anyhow::Result<Outcome> {
    let settings = &project.settings_for(&check.common, cwd)?;
    let (mut report, walked) = scan(&check.paths, settings, project, cwd)?;
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
    let mut said = apply_baseline(check, base, &mut report)?;
    said.extend(walked);
    if check.diff {
        let (patches, summary) = fix_files::patches(&report, settings);
        let mut after = said;
        after.extend(fix_files::messages(&summary, true));
        return Ok(Outcome { blocks: report.blocks(), after, ..Outcome::new(Body::Patches(patches)) });
    }
    if !check.fix {
        return Ok(Outcome { after: said, ..Outcome::report(report, Scope::Files, Vec::new()) });
    }
    let summary = fix_files::apply(&report, settings);
    let remaining = if summary.fixed_files > 0 {
        let (mut again, _) = scan(&check.paths, settings, project, cwd)?;
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

/// Walks the paths and analyses every Python file found; also returns what to say about what
/// the walk left out, and a warning when nothing was checked.
fn scan(
    paths: &[PathBuf],
    settings: &Settings,
    project: &ProjectConfig<'_>,
    cwd: &Path,
) -> anyhow::Result<(Report, Vec<String>)> {
    let started = Instant::now();
    for path in paths {
        std::fs::symlink_metadata(path).with_context(|| format!("cannot read {}", path.display()))?;
    }
    let walked = check_walk::walk(paths, project, cwd)?;
    let load = |(path, explicit): &(PathBuf, bool)| read_file(path, *explicit, settings.max_file_size);
    let mut report = analysis::analyze_loaded(&walked.candidates, load, &settings.rules, settings.max_file_size);
    report.skipped.splice(0..0, walked.errors.iter().cloned());
    project.silence(&mut report, |path| cwd.join(path))?;
    report.elapsed = started.elapsed();
    let mut notes = check_walk::notes(&walked);
    if report.files_checked == 0 && report.skipped.is_empty() {
        let shown: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        notes.push(format!("bindguard: warning: no Python file in {}: nothing was checked", shown.join(", ")));
    }
    Ok((report, notes))
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
