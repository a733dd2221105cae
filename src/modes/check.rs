//! `bindguard check [PATHS]`: files and directories on disk, every line counts.
//!
//! Each file is read and analysed in one parallel pass, so memory holds the files being worked on
//! (plus the files with findings), whatever the size of the tree. A file is opened without
//! blocking and its type checked on the handle: a path swapped for a FIFO or a device between the
//! walk and the open is reported, never waited on.

use std::io::Read;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use anyhow::Context;

use crate::analysis;
use crate::changes::{self, Cause, ChangedFile, Incomplete, LineFilter};
use crate::modes::fix_files;
use crate::outcome::{Body, Outcome, Scope};
use crate::pyfiles::{self, PathKind};
use crate::report::Report;
use crate::settings::{CheckSettings, Settings};
use crate::source::Skip;

pub(crate) fn run(check: &CheckSettings) -> anyhow::Result<Outcome> {
    let settings = &check.common;
    let report = scan(&check.paths, settings)?;
    if check.diff {
        let (patches, summary) = fix_files::patches(&report, settings);
        let after = fix_files::messages(&summary, true);
        return Ok(Outcome { blocks: report.blocks(), after, ..Outcome::new(Body::Patches(patches)) });
    }
    if !check.fix {
        return Ok(Outcome::report(report, Scope::Files, Vec::new()));
    }
    let summary = fix_files::apply(&report, settings);
    let remaining = if summary.fixed_files > 0 { scan(&check.paths, settings)? } else { report };
    let mut outcome = Outcome::report(remaining, Scope::Files, Vec::new());
    outcome.blocks |= summary.unfixed_files > 0;
    outcome.after = fix_files::messages(&summary, false);
    Ok(outcome)
}

/// Walks the paths and analyses every Python file found.
fn scan(paths: &[PathBuf], settings: &Settings) -> anyhow::Result<Report> {
    let started = Instant::now();
    for path in paths {
        std::fs::symlink_metadata(path).with_context(|| format!("cannot read {}", path.display()))?;
    }
    let (candidates, walk_errors) = walk(paths);
    let unreadable = AtomicUsize::new(0);
    let load = |(path, explicit): &(PathBuf, bool)| read_file(path, *explicit, settings.max_file_size, &unreadable);
    let files = Arc::new(super::disk::Disk::new(paths, settings.max_file_size));
    let scope = Arc::new(changes::Scope { files, changed: None });
    let cx = analysis::Context { options: &settings.rules, max_file_size: settings.max_file_size, deadline: None };
    let mut report = analysis::analyze_loaded(&candidates, load, Some(scope), &cx);
    let unreadable = unreadable.into_inner() + walk_errors.len();
    report.incomplete.splice(0..0, walk_errors);
    if report.files_checked == 0 && unreadable > 0 && unreadable == report.incomplete.len() {
        let first = &report.incomplete[0];
        anyhow::bail!(
            "no file could be read ({}; first: {}: {})",
            crate::outcome::plural(unreadable, "unreadable file"),
            first.path,
            first.reason
        );
    }
    report.elapsed = started.elapsed();
    Ok(report)
}

/// Candidate files (in parallel, `.gitignore` respected), each with whether the user named it;
/// entries the walker cannot read (permissions, broken links) are files not analysed, not a
/// failure. A named path that is neither a file nor a directory (a FIFO, a device) is a
/// candidate too, so that opening it says what it is.
fn walk(paths: &[PathBuf]) -> (Vec<(PathBuf, bool)>, Vec<Incomplete>) {
    let mut builder = ignore::WalkBuilder::new(&paths[0]);
    paths[1..].iter().for_each(|p| {
        builder.add(p);
    });
    let found = Mutex::new(Vec::new());
    let errors = Mutex::new(Vec::new());
    builder.build_parallel().run(|| {
        Box::new(|entry| {
            match entry {
                Ok(e) if e.file_type().is_some_and(|t| t.is_file() || (e.depth() == 0 && !t.is_dir())) => {
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

fn walk_error(err: &ignore::Error) -> Incomplete {
    let path = match err {
        ignore::Error::WithPath { path, .. } => path.to_string_lossy().into_owned(),
        ignore::Error::WithDepth { err, .. } => return walk_error(err),
        _ => String::from("(walk)"),
    };
    Incomplete::new(path, format!("cannot read: {err}"), Cause::Analysis)
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
    Ok(Some(ChangedFile {
        path: display,
        raw_path: raw_path.to_vec(),
        bytes,
        lines: LineFilter::All,
        stub,
        commit: None,
        scope: None,
        importer: false,
    }))
}
