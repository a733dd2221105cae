//! `--format gitlab`: GitLab Code Quality, a JSON array of issues that a merge request shows
//! beside its diff. Each finding's fingerprint is the one SARIF and baselines use (path, rule,
//! host and statement text, never a line number), so an issue stays the same issue when its
//! line moves; parse errors are `info` issues. Paths are relative to the repository root.

use std::io::{self, Write};

use serde::Serialize;

use super::message;
use crate::baseline::{fingerprints, fnv1a};
use crate::finding::RULE_CODE;
use crate::repo_path::PathBase;
use crate::report::Report;

#[derive(Serialize)]
struct Issue {
    #[serde(rename = "type")]
    kind: &'static str,
    check_name: &'static str,
    description: String,
    categories: [&'static str; 1],
    severity: &'static str,
    fingerprint: String,
    location: Location,
    engine_name: &'static str,
}

#[derive(Serialize)]
struct Location {
    path: String,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: usize,
    end: usize,
}

pub(crate) fn render(report: &Report, base: &PathBase, out: &mut dyn Write) -> io::Result<()> {
    let mut issues = Vec::new();
    for file in &report.files {
        let path = base.relative(&file.path);
        for error in &file.syntax_errors {
            let line = error.line;
            let description = format!("parse error: {}", error.message);
            issues.push(Issue {
                fingerprint: format!("{:016x}", fnv1a(&[&path, "parse error", &description])),
                ..issue("parse-error", description, "info", &path, Lines { begin: line, end: line })
            });
        }
        for (finding, print) in file.findings.iter().zip(fingerprints(file, &path)).filter(|(f, _)| !f.suppressed) {
            let lines =
                Lines { begin: file.source.line_of(finding.value.start), end: file.source.line_of(finding.value.end) };
            issues.push(Issue { fingerprint: print, ..issue(RULE_CODE, message(finding), "major", &path, lines) });
        }
    }
    super::write_json(&serde_json::to_value(issues)?, out)
}

fn issue(check_name: &'static str, description: String, severity: &'static str, path: &str, lines: Lines) -> Issue {
    Issue {
        kind: "issue",
        check_name,
        description,
        categories: ["Security"],
        severity,
        fingerprint: String::new(),
        location: Location { path: path.to_owned(), lines },
        engine_name: "bindguard",
    }
}
