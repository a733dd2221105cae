//! `check --fix` and `check --diff`: rewrite files on disk, or show what would change.
//!
//! A file is rewritten only after its fixed text re-parses and re-checks clean, and only if it
//! still holds exactly the bytes that were analysed; the write is atomic (a temporary file in
//! the same directory, the original permissions, then a rename), so an interrupted run leaves
//! either the old file or the new one.

use std::io::Write;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use owo_colors::OwoColorize;

use crate::analysis::{FileReport, Report};
use crate::app::ExitStatus;
use crate::fix::files::replace_file;
use crate::fix::{FixedText, fix_source};
use crate::render::{self, Stylesheet, plural, sanitize};
use crate::settings::Settings;

pub fn run(report: &Report, settings: &Settings, diff_only: bool) -> anyhow::Result<ExitStatus> {
    let style = Stylesheet::new(settings.color);
    let mut out = std::io::stdout().lock();
    let (mut fixed_findings, mut fixed_files, mut failures) = (0, 0, 0);
    for file in &report.files {
        match fix_source(&file.source, &file.findings, file.stub, &settings.rules) {
            Ok(None) => {}
            Ok(Some(fixed)) if diff_only => {
                write!(out, "{}", render::diff::unified_between(&file.path, file.source.text(), &fixed.text))?;
                fixed_findings += fixed.fixed;
                fixed_files += 1;
            }
            Ok(Some(fixed)) => match write_fixed(file, &fixed) {
                Ok(()) => {
                    fixed_findings += fixed.fixed;
                    fixed_files += 1;
                }
                Err(err) => {
                    failures += 1;
                    writeln!(out, "error: {}: not fixed: {}", sanitize(&file.path), sanitize(&format!("{err:#}")))?;
                }
            },
            Err(reason) => {
                failures += 1;
                writeln!(out, "error: {}: not fixed: {}", sanitize(&file.path), sanitize(&reason))?;
            }
        }
    }
    // `--diff` changes nothing: every finding is still in the files.
    let remaining = report.active_count() - if diff_only { 0 } else { fixed_findings };
    let verb = if diff_only { "would fix" } else { "fixed" };
    let summary = format!(
        "bindguard: {verb} {} in {}; {} remaining",
        plural(fixed_findings, "finding"),
        plural(fixed_files, "file"),
        remaining
    );
    let summary_style = if remaining > 0 { style.error } else { style.emphasis };
    writeln!(out, "{}", summary.style(summary_style))?;
    Ok(if remaining > 0 || failures > 0 { ExitStatus::Findings } else { ExitStatus::Clean })
}

/// Writes the fixed text over the file, refusing when the file changed since it was read.
fn write_fixed(file: &FileReport, fixed: &FixedText) -> anyhow::Result<()> {
    let path = Path::new(std::ffi::OsStr::from_bytes(&file.raw_path));
    let bytes = file.source.encode(&fixed.text).map_err(anyhow::Error::msg)?;
    let original = file.source.encode(file.source.text()).map_err(anyhow::Error::msg)?;
    replace_file(path, &original, &bytes)
}
