//! Fixing a file: every fix of its findings applied at once ([`crate::finding::apply_edits`]),
//! and the result proven before anything is written: it re-parses and the rule no longer fires.

pub(crate) mod files;
pub(crate) mod worktree;

use crate::finding::{self, Edit};

/// One file's verified fix, ready to write: the bytes that were analysed and the bytes to
/// write, both in the file's own encoding (BOM and line endings included).
#[derive(Debug, Clone)]
pub(crate) struct FixedFile {
    /// Position of the file in the report it was planned from.
    pub(crate) file_index: usize,
    pub(crate) path: String,
    pub(crate) raw_path: Vec<u8>,
    pub(crate) original: Vec<u8>,
    pub(crate) fixed: Vec<u8>,
    /// The fixed text, decoded (for showing a diff).
    pub(crate) fixed_text: String,
    /// Findings this fix removes.
    pub(crate) findings: usize,
}

/// What a `--fix` run did, for the closing message.
#[derive(Debug, Default)]
pub(crate) struct FixSummary {
    pub(crate) fixed_findings: usize,
    pub(crate) fixed_files: usize,
    /// Per-file notes: why a file was not fixed, a worktree left alone, …
    pub(crate) notes: Vec<String>,
    /// Files with fixes that could not be applied (they keep their findings).
    pub(crate) unfixed_files: usize,
    /// The fix went into a temporary index that git discards if the commit stops.
    pub(crate) temporary_index: bool,
}

impl FixSummary {
    pub(crate) fn record(&mut self, file: &FixedFile) {
        self.fixed_findings += file.findings;
        self.fixed_files += 1;
    }

    /// A file whose fix was refused or could not be written.
    pub(crate) fn refuse(&mut self, note: String) {
        self.unfixed_files += 1;
        self.notes.push(note);
    }
}

/// Verified fixes for every file of a report with fixable findings; a file that cannot be fixed
/// safely is counted with a note instead (it keeps its findings).
pub(crate) fn plan(report: &crate::report::Report, options: &crate::rules::Options) -> (Vec<FixedFile>, FixSummary) {
    let mut planned = Vec::new();
    let mut summary = FixSummary::default();
    for (file_index, file) in report.files.iter().enumerate() {
        let fixed = fix_source(&file.source, &file.findings, file.stub, options).and_then(|fixed| {
            let Some(fixed) = fixed else { return Ok(None) };
            Ok(Some(FixedFile {
                file_index,
                path: file.path.clone(),
                raw_path: file.raw_path.clone(),
                original: file.source.encode(file.source.text())?,
                fixed: file.source.encode(&fixed.text)?,
                fixed_text: fixed.text,
                findings: fixed.fixed,
            }))
        });
        match fixed {
            Ok(Some(fixed)) => planned.push(fixed),
            Ok(None) => {}
            Err(reason) => summary.refuse(format!("{}: not fixed: {reason}", file.path)),
        }
    }
    (planned, summary)
}

/// The verified result of fixing one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FixedText {
    pub(crate) text: String,
    /// Findings whose fix was applied.
    pub(crate) fixed: usize,
}

/// Applies every available fix of a file's active findings and proves the result: it must
/// parse no worse than before and the rule must no longer fire on anything that was fixed.
/// `Ok(None)`: nothing to fix. `Err`: the file is left alone, with the reason.
pub(crate) fn fix_source(
    source: &crate::source::SourceText,
    findings: &[crate::finding::Finding],
    stub: bool,
    options: &crate::rules::Options,
) -> Result<Option<FixedText>, String> {
    let active: Vec<_> = findings.iter().filter(|f| !f.suppressed).collect();
    let fixable: Vec<_> = active.iter().filter_map(|f| f.fix.as_ref().ok()).collect();
    if fixable.is_empty() {
        return Ok(None);
    }
    let mut edits: Vec<Edit> = fixable.iter().flat_map(|fix| fix.edits.iter().cloned()).collect();
    edits.sort_by(|a, b| (a.range.start, a.range.end, &a.content).cmp(&(b.range.start, b.range.end, &b.content)));
    edits.dedup();
    let text = finding::apply_edits(source.text(), &edits)?;
    verify(source, &text, &edits, stub, options, fixable.len())?;
    Ok(Some(FixedText { text, fixed: fixable.len() }))
}

/// Re-parses and re-checks fixed text against the whole original file (in hook modes the
/// findings passed in are only those on changed lines; old ones elsewhere may stay), without
/// the prefilter: the fix must not add syntax errors, no finding may remain inside the text the
/// edits wrote, and at least as many findings must be gone as were fixed.
fn verify(
    before: &crate::source::SourceText,
    fixed: &str,
    edits: &[Edit],
    stub: bool,
    options: &crate::rules::Options,
    fixed_count: usize,
) -> Result<(), String> {
    let (errors_before, active_before) = parse_and_check(before, stub, options);
    let after = crate::source::SourceText::from_text(fixed.to_owned(), before.encoding());
    let (errors_after, active_after) = parse_and_check(&after, stub, options);
    if errors_after > errors_before {
        return Err("the fixed file would not parse".into());
    }
    let written = written_ranges(edits);
    let still_firing = active_after.iter().filter(|f| written.iter().any(|w| overlaps(&f.value, w))).count();
    let allowed = active_before.len().saturating_sub(fixed_count);
    if still_firing > 0 || active_after.len() > allowed {
        let count = still_firing.max(active_after.len().saturating_sub(allowed));
        return Err(format!("{count} finding(s) would still fire after the fix"));
    }
    before.encode(fixed).map(|_| ())
}

/// Where sorted, non-overlapping edits put their new text in the edited result: each edit's
/// start moves by what the edits before it added and removed (all of it before that start).
fn written_ranges(edits: &[Edit]) -> Vec<std::ops::Range<usize>> {
    let (mut added, mut removed) = (0, 0);
    edits
        .iter()
        .map(|e| {
            let start = e.range.start + added - removed;
            added += e.content.len();
            removed += e.range.len();
            start..start + e.content.len()
        })
        .collect()
}

fn overlaps(a: &std::ops::Range<usize>, b: &std::ops::Range<usize>) -> bool {
    a.start < b.end.max(b.start + 1) && b.start < a.end
}

/// Syntax errors and unsuppressed findings of a whole file, with no prefilter in the way.
fn parse_and_check(
    source: &crate::source::SourceText,
    stub: bool,
    options: &crate::rules::Options,
) -> (usize, Vec<crate::finding::Finding>) {
    let module = crate::python::parse(source.text(), crate::python::Flavor::for_stub(stub));
    let mut findings = crate::rules::check_unfiltered(source, &module, options);
    findings.retain(|f| !f.suppressed);
    (module.syntax_errors().len(), findings)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit(start: usize, end: usize, content: &str) -> Edit {
        Edit { range: start..end, content: content.into() }
    }

    #[test]
    fn fixing_only_the_changed_finding_leaves_an_old_one() {
        use crate::source::{Encoding, SourceText};
        let text = "from flask import Flask\napp = Flask(__name__)\napp.run(host='0.0.0.0')\napp.run(host='::')\n";
        let source = SourceText::from_text(text.into(), Encoding::Utf8);
        let options = crate::rules::Options::default();
        let module = crate::python::parse(text, crate::python::Flavor::Module);
        let all = crate::rules::check(&source, &module, &options);
        assert_eq!(all.len(), 2, "{all:?}");
        let changed_only: Vec<_> = all.into_iter().filter(|f| source.line_of(f.value.start) == 4).collect();
        let fixed = fix_source(&source, &changed_only, false, &options).unwrap().unwrap();
        assert_eq!(fixed.fixed, 1);
        assert!(fixed.text.contains("app.run(host='0.0.0.0')\napp.run(host='::1')"), "{}", fixed.text);
    }

    #[test]
    fn a_fix_that_leaves_the_value_binding_is_refused() {
        use crate::source::{Encoding, SourceText};
        let text = "from flask import Flask\napp = Flask(__name__)\napp.run(host='0.0.0.0')\napp.run(host='::')\n";
        let source = SourceText::from_text(text.into(), Encoding::Utf8);
        let options = crate::rules::Options::default();
        let module = crate::python::parse(text, crate::python::Flavor::Module);
        let mut findings = crate::rules::check(&source, &module, &options);
        // A broken fix for the first finding that writes another all-interfaces spelling; the
        // second finding has no fix, so the counts alone would not notice.
        let first = findings[0].value.clone();
        findings[0].fix = Ok(crate::finding::Fix { edits: vec![edit(first.start + 1, first.end - 1, "::")] });
        findings[1].fix = Err(crate::finding::NoFix("test".into()));
        let err = fix_source(&source, &findings, false, &options).unwrap_err();
        assert!(err.contains("would still fire"), "{err}");
    }
}
