//! `check --fix` and `check --diff`: rewrite files on disk, or show what would change.
//!
//! A file is rewritten only after its fixed text re-parses and re-checks clean, and only if it
//! still holds exactly the bytes that were analysed; the write is atomic (see
//! [`crate::fix::files`]), so an interrupted run leaves either the old file or the new one.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use crate::fix::files::replace_file;
use crate::fix::{FixSummary, plan};
use crate::outcome::{Patch, plural};
use crate::report::Report;
use crate::settings::Settings;

/// Writes every verified fix; files that could not be fixed get a note.
pub(crate) fn apply(report: &Report, settings: &Settings) -> FixSummary {
    let (planned, mut summary) = plan(report, &settings.rules);
    for file in &planned {
        let path = Path::new(OsStr::from_bytes(&file.raw_path));
        match replace_file(path, &file.original, &file.fixed) {
            Ok(()) => summary.record(file),
            Err(err) => summary.refuse(format!("{}: not fixed: {err:#}", file.path)),
        }
    }
    summary
}

/// `--diff`: every verified fix as a patch, changing nothing.
pub(crate) fn patches(report: &Report, settings: &Settings) -> (Vec<Patch>, FixSummary) {
    let (planned, mut summary) = plan(report, &settings.rules);
    let patches = planned
        .into_iter()
        .map(|file| {
            summary.record(&file);
            let before = report.files[file.file_index].source.text().to_owned();
            Patch { path: file.path, before, after: file.fixed_text }
        })
        .collect();
    (patches, summary)
}

/// The notes and the one-line account of what was (or would be) fixed.
pub(crate) fn messages(summary: &FixSummary, would: bool) -> Vec<String> {
    let mut lines: Vec<String> = summary.notes.iter().map(|note| format!("bindguard: note: {note}")).collect();
    let verb = if would { "would fix" } else { "fixed" };
    let files = plural(summary.fixed_files, "file");
    lines.push(format!("bindguard: {verb} {} in {files}", plural(summary.fixed_findings, "finding")));
    lines
}
