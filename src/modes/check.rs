//! `bindguard check [PATHS]`: files and directories on disk, every line counts.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::{Context, bail};
use rayon::prelude::*;

use crate::analysis::{self, Report};
use crate::app::ExitStatus;
use crate::changes::{ChangeSet, ChangedFile, LineFilter, Skipped};
use crate::cli::CheckArgs;
use crate::pyfiles::{self, PathKind};
use crate::render::{self, Stylesheet, plural};
use crate::settings::{Settings, Stream};

pub fn run(args: &CheckArgs) -> anyhow::Result<ExitStatus> {
    let settings = Settings::resolve(&args.common, Some(&args.fix), Stream::Stdout);
    let paths = if args.paths.is_empty() { vec![PathBuf::from(".")] } else { args.paths.clone() };
    let changes = collect(&paths, settings.max_file_size)?;
    let report = analysis::analyze(changes, &settings.rules, settings.max_file_size);
    if args.fix.fix || args.diff {
        return crate::modes::fix_files::run(&report, &settings, args.diff);
    }
    print(&report, &settings)?;
    Ok(if report.active_count() > 0 { ExitStatus::Findings } else { ExitStatus::Clean })
}

fn print(report: &Report, settings: &Settings) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    if render::machine(report, settings.format, &mut out)? {
        return Ok(());
    }
    let options = render::text::TextOptions {
        scope: format!("checked {}", plural(report.files_checked, "Python file")),
        ..Default::default()
    };
    render::text::render(report, &Stylesheet::new(settings.color), &options, &mut out)?;
    Ok(())
}

/// Walks the paths (in parallel, `.gitignore` respected) and reads every Python file.
fn collect(paths: &[PathBuf], max_file_size: u64) -> anyhow::Result<ChangeSet> {
    for path in paths {
        std::fs::symlink_metadata(path).with_context(|| format!("cannot read {}", path.display()))?;
    }
    let candidates = walk(paths)?;
    let read: Vec<Result<Option<ChangedFile>, Skipped>> =
        candidates.par_iter().map(|(path, explicit)| read_file(path, *explicit, max_file_size)).collect();
    let mut changes = ChangeSet::default();
    for item in read {
        match item {
            Ok(Some(file)) => changes.files.push(file),
            Ok(None) => {}
            Err(skipped) => changes.skipped.push(skipped),
        }
    }
    Ok(changes)
}

/// Candidate files, each with whether the user named it explicitly.
fn walk(paths: &[PathBuf]) -> anyhow::Result<Vec<(PathBuf, bool)>> {
    let (first, rest) = paths.split_first().context("no path given")?;
    let mut builder = ignore::WalkBuilder::new(first);
    rest.iter().for_each(|p| {
        builder.add(p);
    });
    let found = Mutex::new(Vec::new());
    let errors = Mutex::new(Vec::new());
    builder.build_parallel().run(|| {
        Box::new(|entry| {
            match entry {
                Ok(e) if e.file_type().is_some_and(|t| t.is_file()) => {
                    found.lock().unwrap().push((e.path().to_path_buf(), e.depth() == 0))
                }
                Ok(_) => {}
                Err(err) => errors.lock().unwrap().push(err.to_string()),
            }
            ignore::WalkState::Continue
        })
    });
    if let Some(error) = errors.into_inner().unwrap().into_iter().next() {
        bail!("cannot walk: {error}");
    }
    let mut found = found.into_inner().unwrap();
    found.sort();
    Ok(found)
}

/// Reads a candidate; `Ok(None)` when it is not Python.
fn read_file(path: &Path, explicit: bool, max_file_size: u64) -> Result<Option<ChangedFile>, Skipped> {
    let display = path.strip_prefix("./").unwrap_or(path).to_string_lossy().into_owned();
    let skipped = |reason: String| Skipped { path: display.clone(), reason };
    let kind = pyfiles::path_kind(path.as_os_str().as_encoded_bytes());
    if kind == PathKind::NotPython && !explicit {
        return Ok(None);
    }
    let size = std::fs::metadata(path).map_err(|e| skipped(format!("cannot read: {e}")))?.len();
    if size > max_file_size {
        return Err(skipped(format!("file is {size} bytes, over the {max_file_size}-byte limit (--max-file-size)")));
    }
    let bytes = std::fs::read(path).map_err(|e| skipped(format!("cannot read: {e}")))?;
    let stub = match pyfiles::python_flavor(path.as_os_str().as_encoded_bytes(), &bytes) {
        Some(stub) => stub,
        None if explicit && kind == PathKind::NotPython => return Err(skipped("not a Python file".into())),
        None => return Ok(None),
    };
    Ok(Some(ChangedFile { path: display, raw_path: path.as_os_str().as_encoded_bytes().to_vec(), bytes, lines: LineFilter::All, stub, commit: None }))
}
