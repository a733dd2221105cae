//! SARIF 2.1.0 (`--format sarif`), for code-scanning dashboards such as GitHub's.
//!
//! Columns are counted in Unicode code points (`columnKind`), like the other formats. Suppressed
//! findings are included with an in-source suppression, as SARIF consumers expect; fixes are
//! given as replacements so viewers can offer them.

use std::io::{self, Write};

use serde_json::{Value, json};

use super::message;
use crate::finding::{Finding, RULE_CODE};
use crate::report::{FileReport, Report};

pub(crate) fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let results: Vec<Value> =
        report.files.iter().flat_map(|file| file.findings.iter().map(move |f| result(file, f))).collect();
    let document = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "bindguard",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": [rule()],
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    super::write_json(&document, out)
}

fn rule() -> Value {
    json!({
        "id": RULE_CODE,
        "name": "HardcodedBindAllInterfaces",
        "shortDescription": {"text": "Service hardcoded to bind to all network interfaces"},
        "help": {"text": crate::rules::DOCUMENTATION, "markdown": crate::rules::DOCUMENTATION},
        "defaultConfiguration": {"level": "error"},
        "properties": {"tags": ["security", "network", "external/cwe/cwe-1327"], "security-severity": "5.0"},
    })
}

fn region(file: &FileReport, range: &std::ops::Range<usize>) -> Value {
    let (line, column) = file.source.line_col(range.start);
    let (end_line, end_column) = file.source.line_col(range.end);
    json!({"startLine": line, "startColumn": column, "endLine": end_line, "endColumn": end_column})
}

fn location(file: &FileReport, range: &std::ops::Range<usize>) -> Value {
    json!({"physicalLocation": {"artifactLocation": {"uri": file.path}, "region": region(file, range)}})
}

fn result(file: &FileReport, finding: &Finding) -> Value {
    let mut value = json!({
        "ruleId": RULE_CODE,
        "level": "error",
        "message": {"text": message(finding)},
        "locations": [location(file, &finding.value)],
        "relatedLocations": [{"id": 1, "message": {"text": format!("used by {}", finding.sink.callee)}, "physicalLocation": location(file, &finding.sink.range)["physicalLocation"]}],
        "partialFingerprints": {"bindguard/v1": fingerprint(file, finding)},
    });
    if finding.suppressed {
        value["suppressions"] = json!([{"kind": "inSource"}]);
    }
    if let Ok(fix) = &finding.fix {
        let replacements: Vec<Value> = fix
            .edits
            .iter()
            .map(|e| json!({"deletedRegion": region(file, &e.range), "insertedContent": {"text": e.content}}))
            .collect();
        value["fixes"] = json!([{
            "description": {"text": "listen on loopback"},
            "artifactChanges": [{"artifactLocation": {"uri": file.path}, "replacements": replacements}],
        }]);
    }
    if let Some(commit) = &file.commit {
        value["properties"] = json!({"commit": commit.short_id, "subject": commit.subject, "refs": commit.refs});
    }
    value
}

/// Stable across line moves: the path, the host and the trimmed text of the value's line.
fn fingerprint(file: &FileReport, finding: &Finding) -> String {
    use std::hash::{Hash, Hasher};
    let line = file.source.line_of(finding.value.start);
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    (file.path.as_str(), finding.host.as_str(), file.source.line_text(line).trim()).hash(&mut hasher);
    format!("{:016x}", hasher.finish())
}
