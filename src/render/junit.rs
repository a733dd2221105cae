//! `--format junit`: `JUnit` XML, which CI systems (GitLab, Jenkins, Azure, `CircleCI`) show as a
//! test report. One test suite for the rule; each finding is a failed test case named by its
//! location, each parse error an erroring one, each file not analysed a skipped one; a run with
//! none of these has one passing test case, so the report never looks empty.

use std::fmt::Write as _;
use std::io::{self, Write};

use super::message;
use crate::finding::RULE_CODE;
use crate::repo_path::PathBase;
use crate::report::Report;
use crate::terminal::sanitize;

/// One test case: its name, its file (relative to the repository root) and what it says.
struct Case {
    name: String,
    file: String,
    line: Option<usize>,
    outcome: CaseOutcome,
}

enum CaseOutcome {
    Passed(String),
    Failure(String),
    Error(String),
    Skipped(String),
}

pub(crate) fn render(report: &Report, base: &PathBase, out: &mut dyn Write) -> io::Result<()> {
    let cases = cases(report, base);
    let count = |f: fn(&CaseOutcome) -> bool| cases.iter().filter(|c| f(&c.outcome)).count();
    let failures = count(|o| matches!(o, CaseOutcome::Failure(_)));
    let errors = count(|o| matches!(o, CaseOutcome::Error(_)));
    let skipped = count(|o| matches!(o, CaseOutcome::Skipped(_)));
    let seconds = report.elapsed.as_secs_f64();
    let totals = format!(
        r#"tests="{}" failures="{failures}" errors="{errors}" skipped="{skipped}" time="{seconds:.3}""#,
        cases.len()
    );
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(out, r#"<testsuites name="bindguard" {totals}>"#)?;
    writeln!(out, r#"  <testsuite name="{RULE_CODE}" {totals}>"#)?;
    for case in &cases {
        write_case(case, out)?;
    }
    writeln!(out, "  </testsuite>")?;
    writeln!(out, "</testsuites>")
}

fn cases(report: &Report, base: &PathBase) -> Vec<Case> {
    let mut cases = Vec::new();
    for file in &report.files {
        let path = base.relative(&file.path);
        for error in &file.syntax_errors {
            let (line, col) = (error.line, error.column);
            let outcome = CaseOutcome::Error(format!("parse error: {}", error.message));
            cases.push(Case { name: format!("{path}:{line}:{col}"), file: path.clone(), line: Some(line), outcome });
        }
        for finding in file.findings.iter().filter(|f| !f.suppressed) {
            let (line, col) = file.source.line_col(finding.value.start);
            let outcome = CaseOutcome::Failure(message(finding));
            cases.push(Case { name: format!("{path}:{line}:{col}"), file: path.clone(), line: Some(line), outcome });
        }
    }
    for (path, reason) in report.not_analysed() {
        let path = base.relative(path);
        let outcome = CaseOutcome::Skipped(format!("not analysed: {reason}"));
        cases.push(Case { name: path.clone(), file: path, line: None, outcome });
    }
    if cases.iter().all(|c| matches!(c.outcome, CaseOutcome::Skipped(_))) {
        let text = format!("checked {} files, {} lines: no finding", report.files_checked, report.lines_checked);
        cases.push(Case {
            name: RULE_CODE.into(),
            file: String::new(),
            line: None,
            outcome: CaseOutcome::Passed(text),
        });
    }
    cases
}

fn write_case(case: &Case, out: &mut dyn Write) -> io::Result<()> {
    let name = xml(&case.name);
    let mut attributes = format!(
        r#"name="{name}" classname="{}""#,
        if case.file.is_empty() { "bindguard".into() } else { xml(&case.file) }
    );
    if !case.file.is_empty() {
        let _ = write!(attributes, r#" file="{}""#, xml(&case.file));
    }
    if let Some(line) = case.line {
        let _ = write!(attributes, r#" line="{line}""#);
    }
    let (element, text) = match &case.outcome {
        CaseOutcome::Passed(text) => {
            return writeln!(
                out,
                "    <testcase {attributes}>\n      <system-out>{}</system-out>\n    </testcase>",
                xml(text)
            );
        }
        CaseOutcome::Failure(text) => ("failure", text),
        CaseOutcome::Error(text) => ("error", text),
        CaseOutcome::Skipped(text) => ("skipped", text),
    };
    let text = xml(text);
    let kind = if element == "failure" { RULE_CODE } else { element };
    writeln!(out, r"    <testcase {attributes}>")?;
    writeln!(out, r#"      <{element} message="{text}" type="{kind}">{name}: {text}</{element}>"#)?;
    writeln!(out, "    </testcase>")
}

/// Text for an XML attribute or element: terminal controls (which XML 1.0 cannot hold either)
/// escaped as text, then the five XML specials.
fn xml(text: &str) -> String {
    sanitize(text)
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_specials_and_controls_are_escaped() {
        assert_eq!(xml("a<b>&\"'\u{1b}"), "a&lt;b&gt;&amp;&quot;&apos;\\u{1b}");
    }
}
