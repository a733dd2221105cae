//! Machine output (`--format json`), version 1. Lines and columns are 1-based; columns count
//! characters. The shape is documented in the README and read by CI tools and scorers; it is
//! built from typed structs, so the compiler checks it.

use std::io::{self, Write};

use serde::Serialize;

use super::{diff, message};
use crate::finding::{Finding, RULE_CODE, Sink};
use crate::report::{FileReport, Report};

// The document, built from typed structs; fields are in the order the keys are written
// (alphabetical, as the document has always been).

#[derive(Serialize)]
struct Document<'a> {
    errors: Vec<SyntaxErrorEntry<'a>>,
    findings: Vec<FindingEntry<'a>>,
    incomplete: Vec<IncompleteEntry<'a>>,
    skipped: Vec<PathReason<'a>>,
    summary: Summary,
    suppressed: usize,
    suppressed_findings: Vec<FindingEntry<'a>>,
    version: u32,
}

#[derive(Serialize)]
struct SyntaxErrorEntry<'a> {
    column: usize,
    line: usize,
    message: String,
    path: &'a str,
}

#[derive(Serialize)]
struct PathReason<'a> {
    path: &'a str,
    reason: &'a str,
}

#[derive(Serialize)]
struct IncompleteEntry<'a> {
    cause: &'static str,
    path: &'a str,
    reason: &'a str,
}

#[derive(Serialize)]
struct Summary {
    commits: Option<usize>,
    elapsed_ms: u64,
    files_checked: usize,
    files_with_syntax_errors: usize,
    findings: usize,
    incomplete: usize,
    lines_checked: usize,
    skipped: usize,
    suppressed: usize,
}

#[derive(Serialize)]
struct FindingEntry<'a> {
    column: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    commit: Option<CommitEntry<'a>>,
    end_column: usize,
    end_line: usize,
    fix: Option<FixEntry<'a>>,
    host: &'a str,
    line: usize,
    message: String,
    no_fix_reason: Option<&'a str>,
    path: &'a str,
    /// `path` is lossy for a name that is not UTF-8; the exact bytes, for tools that must find
    /// the file.
    #[serde(skip_serializing_if = "Option::is_none")]
    path_bytes: Option<String>,
    rule: &'static str,
    severity: &'static str,
    sink: SinkEntry<'a>,
    sinks: Vec<SinkEntry<'a>>,
    suppressed: bool,
    via: Vec<PlaceEntry<'a>>,
}

#[derive(Serialize)]
struct CommitEntry<'a> {
    id: &'a str,
    refs: &'a [String],
    subject: &'a str,
}

#[derive(Serialize)]
struct FixEntry<'a> {
    diff: Option<String>,
    edits: Vec<EditEntry<'a>>,
    replacement: String,
}

#[derive(Serialize)]
struct EditEntry<'a> {
    column: usize,
    content: &'a str,
    end_column: usize,
    end_line: usize,
    line: usize,
}

/// A sink: in the finding's file, or (`path`) in another file of the project.
#[derive(Serialize)]
struct SinkEntry<'a> {
    callee: &'a str,
    column: usize,
    description: &'a str,
    line: usize,
    path: &'a str,
}

#[derive(Serialize)]
struct PlaceEntry<'a> {
    column: usize,
    line: usize,
    path: &'a str,
}

pub(crate) fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let findings: Vec<FindingEntry<'_>> = report.active_findings().map(|(file, f)| finding(file, f)).collect();
    let suppressed_findings: Vec<FindingEntry<'_>> = report
        .files
        .iter()
        .flat_map(|file| file.findings.iter().filter(|f| f.suppressed).map(move |f| finding(file, f)))
        .collect();
    let document = Document {
        errors: report.files.iter().flat_map(syntax_errors).collect(),
        incomplete: report
            .incomplete
            .iter()
            .map(|s| IncompleteEntry { cause: s.cause.name(), path: &s.path, reason: &s.reason })
            .collect(),
        skipped: report.skipped.iter().map(|s| PathReason { path: &s.path, reason: &s.reason }).collect(),
        summary: Summary {
            commits: report.commits,
            elapsed_ms: u64::try_from(report.elapsed.as_millis()).unwrap_or(u64::MAX),
            files_checked: report.files_checked,
            files_with_syntax_errors: report.syntax_error_files(),
            findings: findings.len(),
            incomplete: report.incomplete.len(),
            lines_checked: report.lines_checked,
            skipped: report.skipped.len(),
            suppressed: suppressed_findings.len(),
        },
        suppressed: suppressed_findings.len(),
        findings,
        suppressed_findings,
        version: 1,
    };
    super::write_json(&document, out)
}

fn finding<'a>(file: &'a FileReport, finding: &'a Finding) -> FindingEntry<'a> {
    let (line, column) = file.source.line_col(finding.value.start);
    let (end_line, end_column) = file.source.line_col(finding.value.end);
    let fix = finding.fix.as_ref().ok().map(|fix| FixEntry {
        diff: diff::unified(&file.path, &file.source, fix),
        edits: fix
            .edits
            .iter()
            .map(|e| {
                let (line, column) = file.source.line_col(e.range.start);
                let (end_line, end_column) = file.source.line_col(e.range.end);
                EditEntry { column, content: &e.content, end_column, end_line, line }
            })
            .collect(),
        replacement: fix.edits.iter().map(|e| e.content.as_str()).collect(),
    });
    FindingEntry {
        column,
        commit: file.commit.as_deref().map(|c| CommitEntry { id: &c.short_id, refs: &c.refs, subject: &c.subject }),
        end_column,
        end_line,
        fix,
        host: &finding.host,
        line,
        message: message(finding),
        no_fix_reason: finding.fix.as_ref().err().map(|n| n.0.as_str()),
        path: &file.path,
        path_bytes: std::str::from_utf8(&file.raw_path).is_err().then(|| base64(&file.raw_path)),
        rule: RULE_CODE,
        severity: "medium",
        sink: sink(file, &finding.sink),
        sinks: finding.sinks.iter().map(|s| sink(file, s)).collect(),
        suppressed: finding.suppressed,
        via: finding
            .via
            .iter()
            .map(|p| PlaceEntry { column: p.column, line: p.line, path: p.file.as_deref().unwrap_or(&file.path) })
            .collect(),
    }
}

fn sink<'a>(file: &'a FileReport, sink: &'a Sink) -> SinkEntry<'a> {
    SinkEntry {
        callee: &sink.callee,
        column: sink.column,
        description: &sink.description,
        line: sink.line,
        path: sink.file.as_deref().unwrap_or(&file.path),
    }
}

fn syntax_errors(file: &FileReport) -> impl Iterator<Item = SyntaxErrorEntry<'_>> + '_ {
    file.syntax_errors.iter().map(|e| {
        let (line, column) = (e.line, e.column);
        SyntaxErrorEntry { column, line, message: format!("parse error: {}", e.message), path: &file.path }
    })
}

/// Standard base64 with padding (RFC 4648).
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::base64;

    #[test]
    fn base64_as_rfc_4648() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"caf\xe9.py"), "Y2Fm6S5weQ==");
    }
}
