//! Machine output (`--format json`), version 1. Lines and columns are 1-based; columns count
//! characters. The shape is documented in the README and read by CI tools and scorers.

use std::io::{self, Write};

use serde_json::{Value, json};

use super::{diff, message};
use crate::finding::{Finding, RULE_CODE, Sink};
use crate::report::{FileReport, Report};

pub(crate) fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let findings: Vec<Value> = report.active_findings().map(|(file, f)| finding(file, f)).collect();
    let suppressed: Vec<Value> = report
        .files
        .iter()
        .flat_map(|file| file.findings.iter().filter(|f| f.suppressed).map(move |f| finding(file, f)))
        .collect();
    let errors: Vec<Value> = report.files.iter().flat_map(syntax_errors).collect();
    let skipped: Vec<Value> = report.skipped.iter().map(|s| json!({"path": s.path, "reason": s.reason})).collect();
    let incomplete: Vec<Value> = report
        .incomplete
        .iter()
        .map(|s| json!({"path": s.path, "reason": s.reason, "cause": s.cause.name()}))
        .collect();
    let document = json!({
        "version": 1,
        "findings": findings,
        "suppressed": suppressed.len(),
        "suppressed_findings": suppressed,
        "errors": errors,
        "skipped": skipped,
        "incomplete": incomplete,
        "summary": {
            "files_checked": report.files_checked,
            "lines_checked": report.lines_checked,
            "commits": report.commits,
            "findings": findings.len(),
            "suppressed": suppressed.len(),
            "files_with_syntax_errors": report.syntax_error_files(),
            "skipped": report.skipped.len(),
            "incomplete": report.incomplete.len(),
            "elapsed_ms": u64::try_from(report.elapsed.as_millis()).unwrap_or(u64::MAX),
        },
    });
    super::write_json(&document, out)
}

fn finding(file: &FileReport, finding: &Finding) -> Value {
    let (line, column) = file.source.line_col(finding.value.start);
    let (end_line, end_column) = file.source.line_col(finding.value.end);
    let fix = match &finding.fix {
        Ok(fix) => json!({
            "replacement": fix.edits.iter().map(|e| e.content.as_str()).collect::<Vec<_>>().join(""),
            "edits": fix.edits.iter().map(|e| {
                let (l, c) = file.source.line_col(e.range.start);
                let (el, ec) = file.source.line_col(e.range.end);
                json!({"line": l, "column": c, "end_line": el, "end_column": ec, "content": e.content})
            }).collect::<Vec<_>>(),
            "diff": diff::unified(&file.path, &file.source, fix),
        }),
        Err(_) => Value::Null,
    };
    let mut value = json!({
        "rule": RULE_CODE,
        "severity": "medium",
        "path": file.path,
        "line": line,
        "column": column,
        "end_line": end_line,
        "end_column": end_column,
        "host": finding.host,
        "message": message(finding),
        "sink": sink(file, &finding.sink),
        "sinks": finding.sinks.iter().map(|s| sink(file, s)).collect::<Vec<_>>(),
        "via": finding.via.iter().map(|p| json!({"path": p.file.as_deref().unwrap_or(&file.path), "line": p.line, "column": p.column})).collect::<Vec<_>>(),
        "fix": fix,
        "no_fix_reason": finding.fix.as_ref().err().map(|n| n.0.as_str()),
        "suppressed": finding.suppressed,
    });
    if std::str::from_utf8(&file.raw_path).is_err() {
        // `path` is lossy for such a name; the exact bytes, for tools that must find the file.
        value["path_bytes"] = json!(base64(&file.raw_path));
    }
    if let Some(commit) = &file.commit {
        value["commit"] = json!({"id": commit.short_id, "subject": commit.subject, "refs": commit.refs});
    }
    value
}

/// A sink: in the finding's file, or (`path`) in another file of the project.
fn sink(file: &FileReport, sink: &Sink) -> Value {
    json!({
        "path": sink.file.as_deref().unwrap_or(&file.path),
        "line": sink.line,
        "column": sink.column,
        "callee": sink.callee,
        "description": sink.description,
    })
}

fn syntax_errors(file: &FileReport) -> impl Iterator<Item = Value> + '_ {
    file.syntax_errors.iter().map(|e| {
        let (line, column) = file.source.line_col(e.offset);
        json!({"path": file.path, "message": format!("parse error: {}", e.message), "line": line, "column": column})
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
