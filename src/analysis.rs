//! The shared middle of the pipeline: change set → decoded, parsed, checked files → report.
//!
//! Files are analysed in parallel. Findings are computed on the whole file (flow needs the whole
//! file) and then kept only when one of their locations touches a changed line.

use std::ops::Range;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::changes::{ChangeSet, ChangedFile, CommitInfo, LineFilter, Skipped};
use crate::finding::Finding;
use crate::python::{self, Flavor, SyntaxError};
use crate::rules;
use crate::source::{self, SourceText};

/// Everything a renderer or the fixer needs after analysis.
#[derive(Debug, Default)]
pub struct Report {
    /// Files with findings (suppressed included) or syntax errors, in change-set order.
    pub files: Vec<FileReport>,
    pub skipped: Vec<Skipped>,
    pub files_checked: usize,
    /// Lines that counted (changed lines in hook modes, all lines otherwise).
    pub lines_checked: usize,
    pub commits: Option<usize>,
    pub scope_note: Option<String>,
    pub elapsed: Duration,
}

/// One analysed file version.
#[derive(Debug)]
pub struct FileReport {
    pub path: String,
    pub raw_path: Vec<u8>,
    pub commit: Option<Arc<CommitInfo>>,
    /// Parsed as a stub (`.pyi`).
    pub stub: bool,
    pub source: SourceText,
    pub findings: Vec<Finding>,
    pub syntax_errors: Vec<SyntaxError>,
}

impl Report {
    /// Findings that block: not suppressed.
    pub fn active_findings(&self) -> impl Iterator<Item = (&FileReport, &Finding)> {
        self.files.iter().flat_map(|f| f.findings.iter().filter(|x| !x.suppressed).map(move |x| (f, x)))
    }

    /// Whether anything blocks: an unsuppressed finding. What that does to the exit status is
    /// the caller's decision (report-only servers, `--fix`).
    pub fn blocks(&self) -> bool {
        self.active_findings().next().is_some()
    }

    pub fn active_count(&self) -> usize {
        self.active_findings().count()
    }

    pub fn suppressed_count(&self) -> usize {
        self.files.iter().flat_map(|f| &f.findings).filter(|x| x.suppressed).count()
    }

    /// Adds another report's files and counts to this one (a push is analysed in batches).
    pub fn absorb(&mut self, other: Report) {
        self.files.extend(other.files);
        self.skipped.extend(other.skipped);
        self.files_checked += other.files_checked;
        self.lines_checked += other.lines_checked;
    }

    pub fn syntax_error_files(&self) -> usize {
        self.files.iter().filter(|f| !f.syntax_errors.is_empty()).count()
    }
}

/// Analyses every file of the change set.
pub fn analyze(changes: ChangeSet, options: &rules::Options, max_file_size: u64) -> Report {
    let started = Instant::now();
    let outcomes: Vec<Outcome> =
        changes.files.into_par_iter().map(|file| analyze_file(file, options, max_file_size)).collect();
    let mut report = Report {
        skipped: changes.skipped,
        commits: changes.commits,
        scope_note: changes.scope_note,
        ..Default::default()
    };
    report.collect(outcomes);
    report.elapsed = started.elapsed();
    report
}

/// Loads and analyses each item in one parallel pass, so only the files being worked on are in
/// memory and no core waits for a batch to finish; `load` returns `Ok(None)` for non-Python.
pub fn analyze_loaded<T: Sync>(
    items: &[T],
    load: impl Fn(&T) -> Result<Option<ChangedFile>, Skipped> + Sync,
    options: &rules::Options,
    max_file_size: u64,
) -> Report {
    let started = Instant::now();
    let outcomes: Vec<Outcome> = items
        .par_iter()
        .filter_map(|item| match load(item) {
            Ok(Some(file)) => Some(analyze_file(file, options, max_file_size)),
            Ok(None) => None,
            Err(skipped) => Some(Outcome::Skipped(skipped)),
        })
        .collect();
    let mut report = Report::default();
    report.collect(outcomes);
    report.elapsed = started.elapsed();
    report
}

impl Report {
    fn collect(&mut self, outcomes: Vec<Outcome>) {
        for outcome in outcomes {
            match outcome {
                Outcome::Skipped(skip) => self.skipped.push(skip),
                Outcome::Checked { lines, file } => {
                    self.files_checked += 1;
                    self.lines_checked += lines;
                    self.files.extend(file);
                }
            }
        }
    }
}

enum Outcome {
    Skipped(Skipped),
    Checked { lines: usize, file: Option<FileReport> },
}

fn analyze_file(file: ChangedFile, options: &rules::Options, max_file_size: u64) -> Outcome {
    let skipped =
        |path: String, skip: crate::source::Skip| Outcome::Skipped(Skipped { path, reason: skip.to_string() });
    if let Err(skip) = SourceText::check_decodable(&file.bytes, max_file_size) {
        return skipped(file.path, skip);
    }
    let lines = file.lines.count(source::count_lines(&file.bytes));
    // A file that cannot hold a bind is complete without decoding or parsing; its syntax is not
    // our concern. Most files end here.
    if lines == 0 || !rules::may_contain_bind(&file.bytes) {
        return Outcome::Checked { lines, file: None };
    }
    let source = match SourceText::decode_owned(file.bytes, max_file_size) {
        Ok(source) => source,
        Err(skip) => return skipped(file.path, skip),
    };
    let module = python::parse(source.text(), Flavor::for_stub(file.stub));
    let findings: Vec<Finding> = rules::check_unfiltered(&source, &module, options)
        .into_iter()
        .filter(|f| touches_changed_lines(&source, f, &file.lines))
        .collect();
    let syntax_errors = module.syntax_errors();
    let keep = !findings.is_empty() || !syntax_errors.is_empty();
    let report = FileReport {
        path: file.path,
        raw_path: file.raw_path,
        commit: file.commit,
        stub: file.stub,
        source,
        findings,
        syntax_errors,
    };
    Outcome::Checked { lines, file: keep.then_some(report) }
}

/// Spec §5: a finding counts in diff mode when any of its locations lies on a changed line.
fn touches_changed_lines(source: &SourceText, finding: &Finding, lines: &LineFilter) -> bool {
    matches!(lines, LineFilter::All)
        || [&finding.value, &finding.sink.range].into_iter().any(|range| range_touches(source, range, lines))
}

fn range_touches(source: &SourceText, range: &Range<usize>, lines: &LineFilter) -> bool {
    let first = source.line_of(range.start);
    let last = source.line_of(range.end.saturating_sub(1).max(range.start));
    (first..=last).any(|line| lines.contains(line))
}
