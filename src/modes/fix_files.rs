//! `check --fix` and `check --diff`: rewrite files on disk, or show what would change.
//!
//! A file is rewritten only after its fixed text re-parses and re-checks clean, and only if it
//! still holds exactly the bytes that were analysed; the write is atomic (see
//! [`crate::fix::files`]), so an interrupted run leaves either the old file or the new one.

use std::ffi::OsStr;
use std::io::Write;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use crate::fix::files::replace_file;
use crate::fix::{FixOutcome, plan};
use crate::render::{self, plural};
use crate::report::Report;
use crate::settings::Settings;
use crate::terminal::sanitize;

/// Writes every verified fix; files that could not be fixed get a note.
pub fn apply(report: &Report, settings: &Settings) -> FixOutcome {
    let (planned, mut outcome) = plan(report, &settings.rules);
    for file in &planned {
        let path = Path::new(OsStr::from_bytes(&file.raw_path));
        match replace_file(path, &file.original, &file.fixed) {
            Ok(()) => outcome.record(file),
            Err(err) => outcome.refuse(format!("{}: not fixed: {err:#}", file.path)),
        }
    }
    outcome
}

/// `--diff`: the whole change `--fix` would make, as one patch, and a count.
pub fn show_diffs(report: &Report, settings: &Settings, out: &mut dyn Write) -> anyhow::Result<FixOutcome> {
    let (planned, mut outcome) = plan(report, &settings.rules);
    for file in &planned {
        let before = report.files[file.file_index].source.text();
        write!(out, "{}", render::diff::unified_between(&file.path, before, &file.fixed_text))?;
        outcome.record(file);
    }
    Ok(outcome)
}

/// The notes and the one-line account of what was (or would be) fixed, on stderr.
pub fn print_outcome(outcome: &FixOutcome, would: bool) -> std::io::Result<()> {
    let mut err = std::io::stderr().lock();
    for note in &outcome.notes {
        writeln!(err, "bindguard: note: {}", sanitize(note))?;
    }
    let verb = if would { "would fix" } else { "fixed" };
    let files = plural(outcome.fixed_files, "file");
    writeln!(err, "bindguard: {verb} {} in {files}", plural(outcome.fixed_findings, "finding"))
}
