//! The CI formats end to end: GitHub annotations, GitLab Code Quality, `JUnit` and SARIF, each
//! snapshotted on one project (a finding, a path with a space and an accent, a parse error, a
//! file not analysed), run from a subdirectory on the project's absolute path, so every path
//! must come out relative to the repository root. The SARIF document is validated against the
//! official SARIF 2.1.0 schema (vendored in `tests/schemas/`, format assertions on).

use std::path::PathBuf;

use serde_json::Value;

use crate::support::{Run, Sandbox, crate_root, write};

const BAD: &str = "from flask import Flask\napp = Flask(__name__)\napp.run(host=\"0.0.0.0\", port=8000)\n";
/// A file that passes the gate (it binds) and does not parse.
const BROKEN: &str = "import socket\ns = socket.socket()\ns.bind((\"0.0.0.0\", 80))\ndef (:\n";

/// A repository `proj` with the fixture files and a subdirectory `svc` to run from.
fn project(sb: &Sandbox) -> PathBuf {
    let repo = sb.repo("proj");
    write(&repo.join("svc/app.py"), BAD);
    write(&repo.join("my dir/sérver app.py"), BAD.replace("8000", "8001"));
    write(&repo.join("broken.py"), BROKEN);
    write(&repo.join("blob.py"), b"# -*- coding: no-such-codec -*-\nx = 1\n");
    write(&repo.join("svc/ok.py"), "x = 1\n");
    repo
}

/// `check --format FORMAT <absolute project path>`, run from `proj/svc`.
fn check(sb: &Sandbox, format: &str) -> Run {
    let repo = project(sb);
    sb.bindguard(&repo.join("svc"), &["check", "--format", format, repo.to_str().unwrap()])
}

/// The run as a snapshot, with `JUnit`'s elapsed time replaced.
fn snapshot(sb: &Sandbox, run: &Run) -> String {
    let text = run.snapshot(sb);
    let mut out = String::new();
    let mut rest = text.as_str();
    while let Some(at) = rest.find(" time=\"") {
        let end = at + 7 + rest[at + 7..].find('"').expect("closing quote");
        out.push_str(&rest[..at]);
        out.push_str(" time=\"[ELAPSED]\"");
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

#[test]
fn github_annotations() {
    let sb = Sandbox::new();
    let run = check(&sb, "github");
    assert_eq!(run.code, 1, "{}", run.all());
    insta::assert_snapshot!(snapshot(&sb, &run));
}

#[test]
fn gitlab_code_quality() {
    let sb = Sandbox::new();
    let run = check(&sb, "gitlab");
    assert_eq!(run.code, 1, "{}", run.all());
    let issues: Value = serde_json::from_str(&run.stdout).expect("JSON");
    let prints: Vec<&str> = issues.as_array().unwrap().iter().map(|i| i["fingerprint"].as_str().unwrap()).collect();
    let mut unique = prints.clone();
    unique.dedup();
    assert_eq!(prints.len(), unique.len(), "fingerprints are unique: {prints:?}");
    insta::assert_snapshot!(snapshot(&sb, &run));
}

#[test]
fn junit_report() {
    let sb = Sandbox::new();
    let run = check(&sb, "junit");
    assert_eq!(run.code, 1, "{}", run.all());
    insta::assert_snapshot!(snapshot(&sb, &run));
}

#[test]
fn junit_without_findings_has_one_passing_case() {
    let sb = Sandbox::new();
    write(&sb.path().join("ok.py"), "x = 1\n");
    let run = sb.bindguard(sb.path(), &["check", "--format", "junit", "ok.py"]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(run.stdout.contains(r#"tests="1" failures="0" errors="0" skipped="0""#), "{}", run.stdout);
    assert!(run.stdout.contains("<system-out>checked 1 files, 1 lines: no finding</system-out>"), "{}", run.stdout);
}

#[test]
fn sarif_document() {
    let sb = Sandbox::new();
    let run = check(&sb, "sarif");
    assert_eq!(run.code, 1, "{}", run.all());
    insta::assert_snapshot!(snapshot(&sb, &run));
}

#[test]
fn sarif_validates_against_the_schema() {
    let sb = Sandbox::new();
    let run = check(&sb, "sarif");
    let document: Value = serde_json::from_str(&run.stdout).expect("JSON");
    let uris: Vec<&str> = document["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str().unwrap())
        .collect();
    assert_eq!(
        uris,
        ["broken.py", "my%20dir/s%C3%A9rver%20app.py", "svc/app.py"],
        "relative to the root, percent-encoded"
    );
    validate_sarif(&document);
}

/// Fails with every schema error when `document` is not valid SARIF 2.1.0.
fn validate_sarif(document: &Value) {
    let path = crate_root().join("tests/schemas/sarif-schema-2.1.0.json");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    compiler.enable_format_assertions();
    compiler.add_resource("sarif-schema-2.1.0.json", schema).unwrap();
    let index = compiler.compile("sarif-schema-2.1.0.json", &mut schemas).unwrap();
    if let Err(error) = schemas.validate(document, index) {
        panic!("SARIF schema errors:\n{error:#}");
    }
}

#[test]
fn the_schema_check_can_fail() {
    let mut document = serde_json::json!({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}},
        "results": [{"message": {"text": "m"}, "locations": [{"physicalLocation":
        {"artifactLocation": {"uri": "my dir/sérver app.py"}}}]}]}]});
    let unencoded = std::panic::catch_unwind(|| validate_sarif(&document));
    assert!(unencoded.is_err(), "a URI with a space is not a uri-reference");
    document["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] =
        "my%20dir/s%C3%A9rver%20app.py".into();
    validate_sarif(&document);
}
