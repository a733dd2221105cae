//! The shared middle of the pipeline: change set → decoded, parsed, checked files → report.
//!
//! Files are analysed in parallel. Findings are computed on the whole file (flow needs the whole
//! file) and then kept only when one of their locations touches a changed line.

use std::ops::Range;
use std::time::Instant;

use rayon::prelude::*;

use crate::changes::{Cause, ChangeSet, ChangedFile, Incomplete, LineFilter};
use crate::finding::Finding;
use crate::python::{self, Flavor};
use crate::report::{FileReport, Report};
use crate::rules;
use crate::source::{self, SourceText};

/// Analyses every file of the change set.
pub(crate) fn analyze(changes: ChangeSet, options: &rules::Options, max_file_size: u64) -> Report {
    let started = Instant::now();
    let analyzed: Vec<Analyzed> =
        changes.files.into_par_iter().map(|file| analyze_file(file, options, max_file_size)).collect();
    let mut report = Report {
        skipped: changes.skipped,
        incomplete: changes.incomplete,
        commits: changes.commits,
        scope_note: changes.scope_note,
        ..Default::default()
    };
    collect(&mut report, analyzed);
    report.elapsed = started.elapsed();
    report
}

/// Loads and analyses each item in one parallel pass, so only the files being worked on are in
/// memory and no core waits for a batch to finish; `load` returns `Ok(None)` for non-Python.
pub(crate) fn analyze_loaded<T: Sync>(
    items: &[T],
    load: impl Fn(&T) -> Result<Option<ChangedFile>, Incomplete> + Sync,
    options: &rules::Options,
    max_file_size: u64,
) -> Report {
    let started = Instant::now();
    let analyzed: Vec<Analyzed> = items
        .par_iter()
        .filter_map(|item| match load(item) {
            Ok(Some(file)) => Some(analyze_file(file, options, max_file_size)),
            Ok(None) => None,
            Err(incomplete) => Some(Analyzed::Incomplete(incomplete)),
        })
        .collect();
    let mut report = Report::default();
    collect(&mut report, analyzed);
    report.elapsed = started.elapsed();
    report
}

/// Adds each analysed file to the report, in order.
fn collect(report: &mut Report, analyzed: Vec<Analyzed>) {
    for file in analyzed {
        match file {
            Analyzed::Incomplete(gap) => report.incomplete.push(gap),
            Analyzed::Checked { lines, file } => {
                report.files_checked += 1;
                report.lines_checked += lines;
                report.files.extend(file);
            }
        }
    }
}

/// What became of one file: not analysed, or checked (kept only with findings or syntax errors).
enum Analyzed {
    Incomplete(Incomplete),
    Checked { lines: usize, file: Option<FileReport> },
}

fn analyze_file(file: ChangedFile, options: &rules::Options, max_file_size: u64) -> Analyzed {
    let skipped = |path: String, skip: crate::source::Skip| {
        let cause = if skip.is_size() { Cause::Size } else { Cause::Analysis };
        Analyzed::Incomplete(Incomplete::new(path, skip.to_string(), cause))
    };
    if let Err(skip) = SourceText::check_decodable(&file.bytes, max_file_size) {
        return skipped(file.path, skip);
    }
    let lines = file.lines.count(source::count_lines(&file.bytes));
    // A file that cannot hold a bind is complete without decoding or parsing; its syntax is not
    // our concern. Most files end here.
    if lines == 0 || !rules::may_contain_bind(&file.bytes) {
        return Analyzed::Checked { lines, file: None };
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
    Analyzed::Checked { lines, file: keep.then_some(report) }
}

/// Spec §5: a finding counts in diff mode when any of its locations lies on a changed line.
fn touches_changed_lines(source: &SourceText, finding: &Finding, lines: &LineFilter) -> bool {
    matches!(lines, LineFilter::All) || finding.own_places().any(|range| range_touches(source, range, lines))
}

fn range_touches(source: &SourceText, range: &Range<usize>, lines: &LineFilter) -> bool {
    let first = source.line_of(range.start);
    let last = source.line_of(range.end.saturating_sub(1).max(range.start));
    (first..=last).any(|line| lines.contains(line))
}
