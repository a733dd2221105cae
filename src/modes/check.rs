//! `bindguard check [PATHS]`: files and directories on disk, every line counts.
//!
//! Each file is read and analysed in one parallel pass, so memory holds the files being worked on
//! (plus the files with findings), whatever the size of the tree. A file is opened without
//! blocking and its type checked on the handle: a path swapped for a FIFO or a device between the
//! walk and the open is reported, never waited on.

use std::io::Read;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use anyhow::Context;

use crate::analysis;
use crate::baseline::{self, Baseline};
use crate::changes::{self, Cause, ChangedFile, Incomplete, LineFilter};
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
    let unreadable = AtomicUsize::new(0);
    let load = |(path, explicit): &(PathBuf, bool)| read_file(path, *explicit, settings.max_file_size, &unreadable);
    let files = Arc::new(super::disk::Disk::new(paths, settings.max_file_size));
    let scope = Arc::new(changes::Scope { files, changed: None });
    let cx = analysis::Context { options: &settings.rules, max_file_size: settings.max_file_size, deadline: None };
    let mut report = analysis::analyze_loaded(&walked.candidates, load, Some(scope), &cx);
    let walk_errors: Vec<Incomplete> =
        walked.errors.iter().map(|e| Incomplete::new(e.path.clone(), e.reason.clone(), Cause::Analysis)).collect();
    let unreadable = unreadable.into_inner() + walk_errors.len();
    report.incomplete.splice(0..0, walk_errors);
    if report.files_checked == 0 && unreadable > 0 && unreadable == report.incomplete.len() {
        let first = &report.incomplete[0];
        anyhow::bail!(
            "no file could be read ({}; first: {}: {})",
            plural(unreadable, "unreadable file"),
            first.path,
            first.reason
        );
    }
    project.silence(&mut report, |path| cwd.join(path))?;
    report.elapsed = started.elapsed();
    let mut notes = check_walk::notes(&walked);
    if report.files_checked == 0 && report.skipped.is_empty() && report.incomplete.is_empty() {
        let shown: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        notes.push(format!("bindguard: warning: no Python file in {}: nothing was checked", shown.join(", ")));
    }
    Ok((report, notes))
}

/// One open per file: the type and size checks and the read share the handle, and the read stops
/// at the size the handle reported, which spares the end-of-file probe (a file growing meanwhile
/// is read as it was when opened). Directories of thousands of files make these system calls
/// count. The open does not block (a FIFO opened for reading would wait for a writer forever),
/// and only a regular file is read.
fn read_capped(path: &Path, max_file_size: u64) -> Result<Vec<u8>, Skip> {
    let unreadable = |e: std::io::Error| Skip::Unreadable(e.to_string());
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)
        .map_err(unreadable)?;
    let metadata = file.metadata().map_err(unreadable)?;
    if !metadata.is_file() {
        return Err(Skip::Unreadable(format!("not a regular file ({})", file_kind(&metadata.file_type()))));
    }
    let size = metadata.len();
    if size > crate::source::memory::max_readable() && size <= max_file_size {
        let cap = crate::source::memory::per_file();
        let estimate = size.saturating_mul(cap / crate::source::memory::max_readable());
        return Err(Skip::TooMuchMemory { estimate, cap });
    }
    if size > max_file_size {
        return Err(Skip::TooLarge { size, limit: max_file_size });
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    file.take(size).read_to_end(&mut bytes).map_err(unreadable)?;
    Ok(bytes)
}

/// What a file that is not a regular file is, for the message.
fn file_kind(kind: &std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if kind.is_fifo() {
        "a FIFO"
    } else if kind.is_char_device() || kind.is_block_device() {
        "a device"
    } else if kind.is_socket() {
        "a socket"
    } else if kind.is_dir() {
        "a directory"
    } else {
        "not a file"
    }
}

/// Reads a candidate; `Ok(None)` when it is not Python. Counts the files that cannot be read.
fn read_file(
    path: &Path,
    explicit: bool,
    max_file_size: u64,
    unreadable: &AtomicUsize,
) -> Result<Option<ChangedFile>, Incomplete> {
    // The path as shown and as written back: relative to where `check` runs, without `./`.
    let shown = path.strip_prefix("./").unwrap_or(path);
    let display = shown.to_string_lossy().into_owned();
    let raw_path = shown.as_os_str().as_encoded_bytes();
    let kind = pyfiles::path_kind(raw_path);
    if kind == PathKind::NotPython && !explicit {
        return Ok(None);
    }
    let bytes = read_capped(path, max_file_size).map_err(|skip| {
        let cause = if skip.is_size() { Cause::Size } else { Cause::Analysis };
        if matches!(skip, Skip::Unreadable(_)) {
            unreadable.fetch_add(1, Ordering::Relaxed);
        }
        Incomplete::new(display.clone(), skip.to_string(), cause)
    })?;
    let stub = match pyfiles::python_flavor(raw_path, &bytes) {
        Some(stub) => stub,
        None if explicit && kind == PathKind::NotPython => {
            return Err(Incomplete::new(display, "not a Python file", Cause::Analysis));
        }
        None => return Ok(None),
    };
    Ok(Some(ChangedFile { stub, ..ChangedFile::new(display, raw_path.to_vec(), bytes, LineFilter::All) }))
}
