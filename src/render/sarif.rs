//! SARIF 2.1.0 (`--format sarif`), as GitHub code scanning takes it: the driver's
//! `informationUri`, the rule with `fullDescription` and `help`, artifact URIs relative to the
//! repository root (`%SRCROOT%`, given in `originalUriBaseIds`) and percent-encoded, partial
//! fingerprints that survive moved lines, and parse errors and files not analysed as
//! `toolExecutionNotifications`. The document is built from typed structs, so its shape is
//! checked by the compiler; a test validates it against the official schema.
//!
//! Columns are counted in Unicode code points (`columnKind`), like the other formats. Suppressed
//! findings are included with an in-source suppression, as SARIF consumers expect; fixes are
//! given as replacements so viewers can offer them.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::ops::Range;

use serde::Serialize;

use super::{message, paths};
use crate::baseline::fingerprints;
use crate::finding::{Finding, RULE_CODE};
use crate::repo_path::PathBase;
use crate::report::{FileReport, Report};

/// Where users read about the tool (the crate's `homepage`).
const INFORMATION_URI: &str = env!("CARGO_PKG_HOMEPAGE");
/// The base id artifact URIs are relative to.
const SRCROOT: &str = "SRCROOT";

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool,
    invocations: [Invocation; 1],
    original_uri_base_ids: BTreeMap<&'static str, ArtifactLocation>,
    column_kind: &'static str,
    results: Vec<SarifResult<'a>>,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    information_uri: &'static str,
    rules: [Rule; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: &'static str,
    name: &'static str,
    short_description: Text,
    full_description: Text,
    help: Help,
    help_uri: &'static str,
    default_configuration: Configuration,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Help {
    text: &'static str,
    markdown: &'static str,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties {
    tags: [&'static str; 3],
    #[serde(rename = "security-severity")]
    security_severity: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    tool_execution_notifications: Vec<Notification>,
}

#[derive(Serialize)]
struct Notification {
    level: &'static str,
    message: Text,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    locations: Vec<Location>,
}

#[derive(Serialize, Clone)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    start_column: usize,
    end_line: usize,
    end_column: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: Text,
    locations: [Location; 1],
    related_locations: Vec<RelatedLocation>,
    partial_fingerprints: BTreeMap<&'static str, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<Suppression>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fixes: Vec<SarifFix>,
    #[serde(skip_serializing_if = "Option::is_none")]
    properties: Option<CommitProperties<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RelatedLocation {
    id: usize,
    message: Text,
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
struct Suppression {
    kind: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifFix {
    description: Text,
    artifact_changes: [ArtifactChange; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactChange {
    artifact_location: ArtifactLocation,
    replacements: Vec<Replacement>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Replacement {
    deleted_region: Region,
    inserted_content: Text,
}

#[derive(Serialize)]
struct CommitProperties<'a> {
    commit: &'a str,
    subject: &'a str,
    refs: &'a [String],
}

pub(crate) fn render(report: &Report, base: &PathBase, out: &mut dyn Write) -> io::Result<()> {
    let artifacts = Artifacts { base };
    let results = report
        .files
        .iter()
        .flat_map(|file| {
            let prints = fingerprints(file, &base.relative(&file.path));
            file.findings.iter().zip(prints).map(move |(f, print)| result(artifacts, file, f, print))
        })
        .collect();
    let mut original_uri_base_ids = BTreeMap::new();
    if let Some(root) = &base.root {
        original_uri_base_ids.insert(SRCROOT, ArtifactLocation { uri: paths::root_uri(root), uri_base_id: None });
    }
    let log = Log {
        schema: "https://json.schemastore.org/sarif-2.1.0.json",
        version: "2.1.0",
        runs: [Run {
            tool: Tool { driver: driver() },
            invocations: [Invocation {
                execution_successful: true,
                tool_execution_notifications: notifications(artifacts, report),
            }],
            original_uri_base_ids,
            column_kind: "unicodeCodePoints",
            results,
        }],
    };
    super::write_json(&serde_json::to_value(log)?, out)
}

fn driver() -> Driver {
    let documentation = crate::rules::DOCUMENTATION;
    Driver {
        name: "bindguard",
        version: env!("CARGO_PKG_VERSION"),
        semantic_version: env!("CARGO_PKG_VERSION"),
        information_uri: INFORMATION_URI,
        rules: [Rule {
            id: RULE_CODE,
            name: "HardcodedBindAllInterfaces",
            short_description: Text { text: "Service hardcoded to bind to all network interfaces".into() },
            full_description: Text {
                text: "A server is hardcoded to listen on every network interface (0.0.0.0, ::, '', '*'), \
                       which exposes it to every network the host is on. Listen on loopback, or read the \
                       address from the environment with a loopback default."
                    .into(),
            },
            help: Help { text: documentation, markdown: documentation },
            help_uri: INFORMATION_URI,
            default_configuration: Configuration { level: "error" },
            properties: RuleProperties {
                tags: ["security", "network", "external/cwe/cwe-1327"],
                security_severity: "5.0",
            },
        }],
    }
}

/// Artifact locations for one run: paths relative to the repository root, percent-encoded.
#[derive(Clone, Copy)]
struct Artifacts<'a> {
    base: &'a PathBase,
}

impl Artifacts<'_> {
    fn artifact(&self, path: &str) -> ArtifactLocation {
        let relative = self.base.relative(path);
        let uri_base_id = (!relative.starts_with('/') && self.base.root.is_some()).then_some(SRCROOT);
        ArtifactLocation { uri: paths::uri(&relative), uri_base_id }
    }

    fn physical(&self, file: &FileReport, range: &Range<usize>) -> PhysicalLocation {
        PhysicalLocation { artifact_location: self.artifact(&file.path), region: Some(region(file, range)) }
    }
}

fn region(file: &FileReport, range: &Range<usize>) -> Region {
    let (start_line, start_column) = file.source.line_col(range.start);
    let (end_line, end_column) = file.source.line_col(range.end);
    Region { start_line, start_column, end_line, end_column }
}

fn result<'a>(artifacts: Artifacts<'_>, file: &'a FileReport, finding: &Finding, print: String) -> SarifResult<'a> {
    let related = RelatedLocation {
        id: 1,
        message: Text { text: format!("used by {}", finding.sink.callee) },
        physical_location: artifacts.physical(file, &finding.sink.range),
    };
    let fixes = finding.fix.iter().map(|fix| SarifFix {
        description: Text { text: "listen on loopback".into() },
        artifact_changes: [ArtifactChange {
            artifact_location: artifacts.artifact(&file.path),
            replacements: fix
                .edits
                .iter()
                .map(|e| Replacement {
                    deleted_region: region(file, &e.range),
                    inserted_content: Text { text: e.content.clone() },
                })
                .collect(),
        }],
    });
    SarifResult {
        rule_id: RULE_CODE,
        rule_index: 0,
        level: "error",
        message: Text { text: message(finding) },
        locations: [Location { physical_location: artifacts.physical(file, &finding.value) }],
        related_locations: vec![related],
        partial_fingerprints: BTreeMap::from([("bindguard/v1", print)]),
        suppressions: if finding.suppressed { vec![Suppression { kind: "inSource" }] } else { Vec::new() },
        fixes: fixes.collect(),
        properties: file.commit.as_deref().map(|c| CommitProperties {
            commit: &c.short_id,
            subject: &c.subject,
            refs: &c.refs,
        }),
    }
}

/// Parse errors and files that were not analysed: the tool ran, but did not see everything.
fn notifications(artifacts: Artifacts<'_>, report: &Report) -> Vec<Notification> {
    let parse_errors = report.files.iter().flat_map(|file| {
        file.syntax_errors.iter().map(move |error| Notification {
            level: "warning",
            message: Text { text: format!("parse error: {}", error.message) },
            locations: vec![Location {
                physical_location: PhysicalLocation {
                    artifact_location: artifacts.artifact(&file.path),
                    region: Some(Region {
                        start_line: error.line,
                        start_column: error.column,
                        end_line: error.line,
                        end_column: error.column,
                    }),
                },
            }],
        })
    });
    let skipped = report.not_analysed().map(|(path, reason)| Notification {
        level: "warning",
        message: Text { text: format!("not analysed: {reason}") },
        locations: vec![Location {
            physical_location: PhysicalLocation { artifact_location: artifacts.artifact(path), region: None },
        }],
    });
    parse_errors.chain(skipped).collect()
}
