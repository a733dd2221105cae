//! The result of an analysis: the files with findings or syntax errors, what was skipped, and
//! the counts every output format reports. Plain data, filled by [`crate::analysis`], read by
//! the renderers and the fixer.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use crate::changes::{CommitInfo, Incomplete, Skipped};
use crate::finding::Finding;
use crate::source::SourceText;

/// Everything a renderer or the fixer needs after analysis.
#[derive(Debug, Default)]
pub(crate) struct Report {
    /// Files with findings (suppressed included) or syntax errors, in change-set order.
    pub(crate) files: Vec<FileReport>,
    pub(crate) skipped: Vec<Skipped>,
    /// Python files not analysed, or not completely: over a limit, undecodable, or an analysis
    /// that reached a limit (findings in them are reported, but others may be missing). Never
    /// counted clean; see [`Incomplete`].
    pub(crate) incomplete: Vec<Incomplete>,
    pub(crate) files_checked: usize,
    /// Lines that counted (changed lines in hook modes, all lines otherwise).
    pub(crate) lines_checked: usize,
    pub(crate) commits: Option<usize>,
    pub(crate) scope_note: Option<String>,
    pub(crate) elapsed: Duration,
}

/// One analysed file version.
#[derive(Debug)]
pub(crate) struct FileReport {
    pub(crate) path: String,
    pub(crate) raw_path: Vec<u8>,
    pub(crate) commit: Option<Arc<CommitInfo>>,
    /// Parsed as a stub (`.pyi`).
    pub(crate) stub: bool,
    /// The text, for files with findings; empty for a file kept for its syntax errors alone
    /// (a history of old code has thousands of such versions, and their errors carry their
    /// places).
    pub(crate) source: SourceText,
    /// Identifies the version's text (the source may be dropped): equal texts, equal digests.
    pub(crate) digest: (usize, u64),
    pub(crate) findings: Vec<Finding>,
    pub(crate) syntax_errors: Vec<ParseError>,
}

/// A file version in a report: its path as git or the OS gives it (two names that differ only in
/// bytes that are not UTF-8 are shown alike, and are different files), the commit it comes from,
/// and its text's digest.
pub(crate) type FileKey = (Vec<u8>, Option<String>, (usize, u64));

impl FileReport {
    fn key(&self) -> FileKey {
        (self.raw_path.clone(), self.commit.as_ref().map(|c| c.short_id.clone()), self.digest)
    }

    /// Adds the findings of `other` (the same version reached from another analysed file).
    fn merge(&mut self, other: FileReport) {
        // A version kept for its syntax errors alone has no text; findings need it to be placed.
        if self.source.text().is_empty() && !other.findings.is_empty() {
            self.source = other.source;
        }
        for finding in other.findings {
            match self.findings.iter_mut().find(|f| f.value == finding.value) {
                Some(known) => known.merge(finding),
                None => self.findings.push(finding),
            }
        }
        self.syntax_errors.extend(other.syntax_errors);
    }
}

/// A syntax error, placed while the text was at hand.
#[derive(Debug, Clone)]
pub(crate) struct ParseError {
    /// 1-based line and column (in characters), as [`SourceText::line_col`] gives them.
    pub(crate) line: usize,
    pub(crate) column: usize,
    pub(crate) message: String,
}

impl ParseError {
    pub(crate) fn located(source: &SourceText, error: crate::python::SyntaxError) -> Self {
        let (line, column) = source.line_col(error.offset);
        ParseError { line, column, message: error.message }
    }
}

/// The digest [`FileReport::digest`] holds.
pub(crate) fn digest(text: &str) -> (usize, u64) {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut h);
    (text.len(), h.finish())
}

impl Report {
    /// Findings that block: not suppressed.
    pub(crate) fn active_findings(&self) -> impl Iterator<Item = (&FileReport, &Finding)> {
        self.files.iter().flat_map(|f| f.findings.iter().filter(|x| !x.suppressed).map(move |x| (f, x)))
    }

    /// Every file that was not analysed, or not completely, with why: skipped files and
    /// incomplete analyses alike.
    pub(crate) fn not_analysed(&self) -> impl Iterator<Item = (&str, &str)> {
        let skipped = self.skipped.iter().map(|s| (s.path.as_str(), s.reason.as_str()));
        skipped.chain(self.incomplete.iter().map(|i| (i.path.as_str(), i.reason.as_str())))
    }

    /// Whether anything blocks: an unsuppressed finding. What that does to the exit status is
    /// the caller's decision (report-only servers, `--fix`).
    pub(crate) fn blocks(&self) -> bool {
        self.active_findings().next().is_some()
    }

    pub(crate) fn active_count(&self) -> usize {
        self.active_findings().count()
    }

    pub(crate) fn suppressed_count(&self) -> usize {
        self.files.iter().flat_map(|f| &f.findings).filter(|x| x.suppressed).count()
    }

    /// Adds another report's files and counts to this one (a push is analysed in batches, and
    /// a batch's analysis may reach a file of the change that another batch reached too).
    pub(crate) fn absorb(&mut self, other: Report) {
        let mut at = self.positions();
        for file in other.files {
            self.add_file(&mut at, file);
        }
        self.skipped.extend(other.skipped);
        self.incomplete.extend(other.incomplete);
        self.files_checked += other.files_checked;
        self.lines_checked += other.lines_checked;
    }

    /// Where each file version is in [`Self::files`], for [`Self::add_file`].
    pub(crate) fn positions(&self) -> HashMap<FileKey, usize> {
        self.files.iter().enumerate().map(|(i, f)| (f.key(), i)).collect()
    }

    /// Adds a file version's findings and syntax errors: a version already in the report (the
    /// same file reached from another analysed file) gets the findings it lacked and the sinks
    /// and calls on the way its findings lacked, so that each literal is told once.
    pub(crate) fn add_file(&mut self, at: &mut HashMap<FileKey, usize>, file: FileReport) {
        match at.get(&file.key()) {
            Some(&i) => self.files[i].merge(file),
            None => {
                at.insert(file.key(), self.files.len());
                self.files.push(file);
            }
        }
    }

    pub(crate) fn syntax_error_files(&self) -> usize {
        self.files.iter().filter(|f| !f.syntax_errors.is_empty()).count()
    }
}

#[cfg(test)]
mod tests {
    use super::digest;

    #[test]
    fn digests_tell_texts_apart() {
        assert_eq!(digest("x = 1\n"), digest(&String::from("x = 1\n")));
        assert_ne!(digest("x = 1\n"), digest("x = 2\n"));
        assert_ne!(digest(""), digest(" "));
        assert_eq!(digest("abc").0, 3);
    }
}
