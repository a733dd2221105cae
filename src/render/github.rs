//! `--format github`: GitHub Actions workflow commands, one `::error` annotation per finding
//! (shown on the pull request's diff) and a `::warning` per parse error or file not analysed.
//!
//! Paths are relative to the repository root, as GitHub resolves them. Escaping follows the
//! runner's rules: in the message `%`, `\r` and `\n` are percent-encoded; in a property value
//! `:` and `,` are too, since they end a value.

use std::io::{self, Write};

use super::message;
use crate::finding::RULE_CODE;
use crate::repo_path::PathBase;
use crate::report::Report;
use crate::terminal::sanitize;

pub(crate) fn render(report: &Report, base: &PathBase, out: &mut dyn Write) -> io::Result<()> {
    for file in &report.files {
        let path = base.relative(&file.path);
        for error in &file.syntax_errors {
            let (line, col) = (error.line, error.column);
            let properties = format!("file={},line={line},col={col},title=parse error", property(&path));
            writeln!(out, "::warning {properties}::{}", data(&format!("parse error: {}", error.message)))?;
        }
        for finding in file.findings.iter().filter(|f| !f.suppressed) {
            let (line, col) = file.source.line_col(finding.value.start);
            let (end_line, end_col) = file.source.line_col(finding.value.end);
            writeln!(
                out,
                "::error file={},line={line},col={col},endLine={end_line},endColumn={end_col},title={RULE_CODE}::{}",
                property(&path),
                data(&message(finding))
            )?;
        }
    }
    for (path, reason) in report.not_analysed() {
        let path = base.relative(path);
        writeln!(out, "::warning file={},title=not analysed::{}", property(&path), data(reason))?;
    }
    let active = report.active_count();
    writeln!(
        out,
        "bindguard: checked {} files: {active} findings, {} suppressed",
        report.files_checked,
        report.suppressed_count()
    )
}

/// A message: `%`, `\r`, `\n` percent-encoded; terminal controls escaped (the log is shown).
fn data(text: &str) -> String {
    sanitize(&text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")).into_owned()
}

/// A property value: as a message, and `:` and `,` too.
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_follows_the_runner() {
        assert_eq!(data("50% a\r\nb: c, d"), "50%25 a%0D%0Ab: c, d");
        assert_eq!(property("a,b:c%d\ne.py"), "a%2Cb%3Ac%25d%0Ae.py");
    }
}
