//! `bindguard check` end to end: the real binary on fixture trees written by each test.

use std::path::Path;

use serde_json::Value;

use crate::support::{Run, Sandbox, write};

const FLASK_BAD: &str = "from flask import Flask\n\napp = Flask(__name__)\n\nif __name__ == \"__main__\":\n    app.run(host=\"0.0.0.0\", port=5000)\n";
const FLASK_GOOD: &str = "from flask import Flask\n\napp = Flask(__name__)\napp.run(host=\"127.0.0.1\", port=5000)\n";

fn check(sandbox: &Sandbox, args: &[&str]) -> Run {
    let mut full = vec!["check"];
    full.extend_from_slice(args);
    sandbox.bindguard(sandbox.path(), &full)
}

fn json(run: &Run) -> Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", run.stdout))
}

#[test]
fn finding_exits_1_with_rustc_style_report_and_diff() {
    let sb = Sandbox::new();
    write(&sb.path().join("src/app.py"), FLASK_BAD);
    let run = check(&sb, &["src"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(
        run.stdout.contains("error[CSP-D404]: Flask app.run() listens on 0.0.0.0 (all interfaces)"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("--> src/app.py:6:18"), "{}", run.stdout);
    assert!(run.stdout.contains("^^^^^^^^^"), "{}", run.stdout);
    assert!(
        run.stdout.contains("-    app.run(host=\"0.0.0.0\", port=5000)\n+    app.run(host=\"127.0.0.1\", port=5000)"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("checked 1 Python file: 1 finding"), "{}", run.stdout);
}

#[test]
fn clean_tree_exits_0() {
    let sb = Sandbox::new();
    write(&sb.path().join("app.py"), FLASK_GOOD);
    let run = check(&sb, &["app.py"]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(run.stdout.contains("0 findings"));
}

#[test]
fn json_shape() {
    let sb = Sandbox::new();
    write(&sb.path().join("app.py"), FLASK_BAD);
    let run = check(&sb, &["--format", "json", "app.py"]);
    assert_eq!(run.code, 1, "{}", run.all());
    let doc = json(&run);
    assert_eq!(doc["version"], 1);
    let f = &doc["findings"][0];
    assert_eq!(f["rule"], "CSP-D404");
    assert_eq!(f["severity"], "medium");
    assert_eq!(f["path"], "app.py");
    assert_eq!((f["line"].as_u64(), f["column"].as_u64()), (Some(6), Some(18)));
    assert_eq!((f["end_line"].as_u64(), f["end_column"].as_u64()), (Some(6), Some(27)));
    assert_eq!(f["sink"]["line"], 6);
    assert_eq!(f["fix"]["replacement"], "127.0.0.1");
    assert!(f["fix"]["diff"].as_str().unwrap().contains("+    app.run(host=\"127.0.0.1\", port=5000)"));
    assert_eq!(doc["suppressed"], 0);
    assert_eq!(doc["summary"]["files_checked"], 1);
    assert_eq!(doc["errors"].as_array().unwrap().len(), 0);
}

#[test]
fn sarif_output_for_code_scanning() {
    let sb = Sandbox::new();
    let text = format!("{FLASK_BAD}    app.run(host=\"::\")  # ignore: CSP-D404\n");
    write(&sb.path().join("app.py"), text);
    let run = check(&sb, &["--format", "sarif", "app.py"]);
    assert_eq!(run.code, 1, "{}", run.all());
    let doc = json(&run);
    assert_eq!(doc["version"], "2.1.0");
    let sarif_run = &doc["runs"][0];
    assert_eq!(sarif_run["tool"]["driver"]["rules"][0]["id"], "CSP-D404");
    assert_eq!(sarif_run["columnKind"], "unicodeCodePoints");
    let results = sarif_run["results"].as_array().unwrap();
    assert_eq!(results.len(), 2, "the suppressed finding is listed as suppressed");
    let region = &results[0]["locations"][0]["physicalLocation"]["region"];
    assert_eq!((region["startLine"].as_u64(), region["startColumn"].as_u64()), (Some(6), Some(18)));
    assert_eq!(results[0]["fixes"][0]["artifactChanges"][0]["replacements"][0]["insertedContent"]["text"], "127.0.0.1");
    assert!(results[0].get("suppressions").is_none());
    assert_eq!(results[1]["suppressions"][0]["kind"], "inSource");
    assert_ne!(results[0]["partialFingerprints"], results[1]["partialFingerprints"]);
}

#[test]
fn colour_follows_flag_and_no_color() {
    let sb = Sandbox::new();
    write(&sb.path().join("app.py"), FLASK_BAD);
    let always = check(&sb, &["--color", "always", "app.py"]);
    assert!(always.stdout.contains("\u{1b}["), "--color always must colour");
    let never = check(&sb, &["--color", "never", "app.py"]);
    assert!(!never.stdout.contains('\u{1b}'));
    let piped = check(&sb, &["app.py"]);
    assert!(!piped.stdout.contains('\u{1b}'), "a pipe is not a terminal");
}

/// Runs `bindguard check app.py` under a pseudo-terminal (util-linux `script`), as a person would.
fn check_in_terminal(sb: &Sandbox, no_color: bool) -> String {
    let command = format!("{} check app.py", crate::support::bindguard_bin().display());
    let mut cmd = sb.command("script", sb.path());
    cmd.args(["-qec", &command, "/dev/null"]).env("TERM", "xterm-256color");
    if no_color {
        cmd.env("NO_COLOR", "1");
    }
    String::from_utf8_lossy(&cmd.output().expect("run script").stdout).into_owned()
}

#[test]
fn auto_colour_on_a_terminal_unless_no_color() {
    let sb = Sandbox::new();
    write(&sb.path().join("app.py"), FLASK_BAD);
    let coloured = check_in_terminal(&sb, false);
    assert!(coloured.contains("error\u{1b}"), "the headline is coloured: {coloured:?}");
    assert!(coloured.contains("\u{1b}["), "a terminal gets colour: {coloured:?}");
    let plain = check_in_terminal(&sb, true);
    assert!(plain.contains("error[CSP-D404]: Flask app.run() listens on 0.0.0.0 (all interfaces)"), "{plain}");
    assert!(!plain.contains("\u{1b}["), "NO_COLOR turns it off: {plain:?}");
}

#[test]
fn syntax_error_file_is_reported_and_still_analysed() {
    let sb = Sandbox::new();
    let text = format!("{FLASK_BAD}\ndef broken(:\n    pass\n");
    write(&sb.path().join("broken.py"), text);
    let run = check(&sb, &["--format", "json", "broken.py"]);
    let doc = json(&run);
    assert_eq!(run.code, 1);
    assert_eq!(doc["errors"][0]["path"], "broken.py");
    assert_eq!(doc["errors"][0]["line"], 8);
    assert_eq!(doc["findings"][0]["line"], 6);
    let text_run = check(&sb, &["broken.py"]);
    assert!(text_run.stdout.contains("warning: broken.py:8:"), "{}", text_run.stdout);
    assert!(text_run.stdout.contains("1 file with syntax errors"));
}

/// A file with thousands of syntax errors (a hostile push, a broken generator) says five in
/// text and how many more; JSON lists them all.
#[test]
fn many_syntax_errors_are_told_five_then_counted() {
    let sb = Sandbox::new();
    let text = format!("{FLASK_BAD}\n{}", "def broken(:\n    pass\n".repeat(2000));
    write(&sb.path().join("broken.py"), text);
    let doc = json(&check(&sb, &["--format", "json", "broken.py"]));
    let total = doc["errors"].as_array().map_or(0, Vec::len);
    assert!(total >= 2000, "{total}");
    let run = check(&sb, &["broken.py"]);
    assert_eq!(run.code, 1, "{}", run.all());
    let told = run.stdout.lines().filter(|l| l.contains(": syntax error: ")).count();
    assert_eq!(told, 5, "{}", run.stdout);
    assert!(
        run.stdout
            .contains(&format!("warning: broken.py: {} more syntax errors (--format json lists them all)", total - 5)),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("error[CSP-D404]"), "{}", run.stdout);
}

/// Many files with syntax errors (old Python 2 code in a long history): ten are named, the rest
/// counted after the findings, which stay visible; JSON lists every file.
#[test]
fn syntax_errors_of_many_files_are_named_for_ten_then_counted() {
    let sb = Sandbox::new();
    for i in 0..13 {
        write(
            &sb.path().join(format!("old{i:02}.py")),
            "import socket\nprint 'python 2'\nsocket.socket().bind(('127.0.0.1', 80))\n",
        );
    }
    write(&sb.path().join("zz_app.py"), FLASK_BAD);
    let run = check(&sb, &["."]);
    assert_eq!(run.code, 1, "{}", run.all());
    let named: Vec<&str> = run.stdout.lines().filter(|l| l.contains(": syntax error: ")).collect();
    assert_eq!(named.len(), 10, "{}", run.stdout);
    assert!(named.iter().all(|l| l.contains("old0") || l.contains("old10")), "{}", run.stdout);
    assert!(
        run.stdout.contains(
            "warning: syntax errors in 3 more files (checked what the parser recovered; --format json lists them all)"
        ),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("error[CSP-D404]") && run.stdout.contains("zz_app.py"), "{}", run.stdout);
    let doc = json(&check(&sb, &["--format", "json", "."]));
    let files: std::collections::BTreeSet<String> = doc["errors"]
        .as_array()
        .map(|errors| errors.iter().filter_map(|e| e["path"].as_str().map(str::to_owned)).collect())
        .unwrap_or_default();
    assert_eq!(files.len(), 13, "{doc}");
}

#[test]
fn latin1_file_with_cookie_is_decoded() {
    let sb = Sandbox::new();
    let mut bytes = b"# -*- coding: latin-1 -*-\n# caf\xe9\n".to_vec();
    bytes.extend_from_slice(FLASK_BAD.as_bytes());
    write(&sb.path().join("latin.py"), bytes);
    let run = check(&sb, &["--format", "json", "latin.py"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert_eq!(json(&run)["findings"][0]["line"], 8);
}

#[test]
fn nul_bytes_and_invalid_utf8_do_not_stop_the_analysis() {
    let sb = Sandbox::new();
    write(&sb.path().join("blob.py"), format!("\0\x01{FLASK_BAD}"));
    write(&sb.path().join("bad.py"), [b"x = '\xff'\n".as_slice(), FLASK_BAD.as_bytes()].concat());
    let run = check(&sb, &["."]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stdout.contains("--> bad.py:7:"), "{}", run.stdout);
    assert!(run.stdout.contains("--> blob.py:6:"), "{}", run.stdout);
    assert!(run.stdout.contains("checked 2 Python files: 2 findings"), "{}", run.stdout);
}

#[test]
fn many_files_not_analysed_for_one_reason_are_counted_not_listed() {
    let sb = Sandbox::new();
    for i in 0..5 {
        write(&sb.path().join(format!("b{i}.py")), "# coding: utf-16\nx = 1\n");
    }
    let run = check(&sb, &["."]);
    assert_eq!(run.stdout.matches("warning: not analysed b").count(), 3, "{}", run.stdout);
    assert!(
        run.stdout.contains("warning: not analysed 2 more files: cannot decode: the coding cookie names utf-16"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("5 files not analysed"), "{}", run.stdout);
}

#[test]
fn oversized_file_is_skipped() {
    let sb = Sandbox::new();
    write(&sb.path().join("big.py"), FLASK_BAD);
    let run = check(&sb, &["--max-file-size", "10", "big.py"]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains("over the 10-byte limit"), "{}", run.stdout);
}

#[test]
fn empty_directory_and_missing_path() {
    let sb = Sandbox::new();
    std::fs::create_dir(sb.path().join("empty")).unwrap();
    let run = check(&sb, &["empty"]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains("checked 0 Python files: 0 findings"), "{}", run.stdout);
    let missing = check(&sb, &["nope"]);
    assert_eq!(missing.code, 2);
    assert_eq!(missing.stderr.lines().count(), 1, "{}", missing.stderr);
    assert!(missing.stderr.starts_with("bindguard: error: cannot read nope"), "{}", missing.stderr);
}

#[test]
fn usage_error_exits_2() {
    let sb = Sandbox::new();
    assert_eq!(check(&sb, &["--format", "xml"]).code, 2);
    assert_eq!(sb.bindguard(sb.path(), &["explain", "CSP-D999"]).code, 2);
}

#[test]
fn gitignored_and_non_python_files_are_not_checked() {
    let sb = Sandbox::new();
    sb.git(sb.path(), &["init", "-q"]);
    write(&sb.path().join(".gitignore"), "build/\n");
    write(&sb.path().join("build/gen.py"), FLASK_BAD);
    write(&sb.path().join("Procfile"), "web: gunicorn -b 0.0.0.0:$PORT app:app\n");
    write(&sb.path().join("tool"), format!("#!/usr/bin/env python3\n{FLASK_BAD}"));
    let run = check(&sb, &["--format", "json"]);
    let doc = json(&run);
    let paths: Vec<&str> = doc["findings"].as_array().unwrap().iter().map(|f| f["path"].as_str().unwrap()).collect();
    assert_eq!(paths, vec!["tool"], "{}", run.stdout);
}

#[test]
fn explain_prints_the_rule_documentation() {
    let sb = Sandbox::new();
    let run = sb.bindguard(sb.path(), &["explain", "csp-d404"]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains("0.0.0.0"), "{}", run.stdout);
    assert!(run.stdout.len() > 500, "documentation too short: {}", run.stdout);
}

#[test]
fn suppressed_findings_are_counted_not_reported() {
    let sb = Sandbox::new();
    let text = FLASK_BAD.replace("port=5000)", "port=5000)  # ignore: CSP-D404");
    write(&sb.path().join("app.py"), text);
    let run = check(&sb, &["--format", "json", "app.py"]);
    assert_eq!(run.code, 0, "{}", run.all());
    let doc = json(&run);
    assert_eq!(doc["suppressed"], 1);
    assert_eq!(doc["findings"].as_array().unwrap().len(), 0);
    assert!(check(&sb, &["app.py"]).stdout.contains("1 suppressed"));
}

#[test]
fn control_characters_in_paths_are_escaped() {
    let sb = Sandbox::new();
    write(&sb.path().join("evil\u{1b}[2J.py"), FLASK_BAD);
    let run = check(&sb, &["--color", "never", "."]);
    assert_eq!(run.code, 1);
    assert!(!run.stdout.contains('\u{1b}'), "{:?}", run.stdout);
    assert!(run.stdout.contains("evil\\u{1b}[2J.py"), "{}", run.stdout);
}

mod fix {
    use super::*;

    fn read(path: &Path) -> Vec<u8> {
        std::fs::read(path).unwrap()
    }

    #[test]
    fn diff_changes_nothing() {
        let sb = Sandbox::new();
        let path = sb.path().join("app.py");
        write(&path, FLASK_BAD);
        let run = check(&sb, &["--diff", "app.py"]);
        assert_eq!(run.code, 1);
        assert!(run.stdout.contains("+    app.run(host=\"127.0.0.1\", port=5000)"), "{}", run.stdout);
        assert_eq!(read(&path), FLASK_BAD.as_bytes());
    }

    #[test]
    fn diff_output_applies_with_git_apply() {
        let sb = Sandbox::new();
        sb.git(sb.path(), &["init", "-q"]);
        let path = sb.path().join("app.py");
        write(&path, FLASK_BAD);
        let run = check(&sb, &["--diff", "app.py"]);
        let diff =
            run.stdout.lines().take_while(|l| !l.starts_with("bindguard:")).collect::<Vec<_>>().join("\n") + "\n";
        write(&sb.path().join("fix.patch"), diff);
        sb.git(sb.path(), &["apply", "fix.patch"]);
        assert_eq!(String::from_utf8(read(&path)).unwrap(), FLASK_BAD.replace("0.0.0.0", "127.0.0.1"));
    }

    #[test]
    fn fix_rewrites_and_is_idempotent() {
        let sb = Sandbox::new();
        let path = sb.path().join("app.py");
        write(&path, FLASK_BAD);
        let run = check(&sb, &["--fix", "app.py"]);
        assert_eq!(run.code, 0, "{}", run.all());
        assert!(run.stderr.contains("bindguard: fixed 1 finding in 1 file"), "{}", run.stderr);
        assert!(run.stdout.contains("checked 1 Python file: 0 findings"), "what is left is reported: {}", run.stdout);
        assert_eq!(String::from_utf8(read(&path)).unwrap(), FLASK_BAD.replace("0.0.0.0", "127.0.0.1"));
        let again = check(&sb, &["--fix", "app.py"]);
        assert_eq!(again.code, 0);
        assert!(again.stderr.contains("fixed 0 findings in 0 files"), "{}", again.stderr);
    }

    #[test]
    fn fix_preserves_crlf_bom_and_latin1() {
        let sb = Sandbox::new();
        let crlf = sb.path().join("crlf.py");
        write(&crlf, FLASK_BAD.replace('\n', "\r\n"));
        let bom = sb.path().join("bom.py");
        write(&bom, [b"\xEF\xBB\xBF".as_slice(), FLASK_BAD.as_bytes()].concat());
        let latin = sb.path().join("latin.py");
        let latin_bytes = [b"# coding: latin-1\n# \xe9\n".as_slice(), FLASK_BAD.as_bytes()].concat();
        write(&latin, &latin_bytes);
        let run = check(&sb, &["--fix", "."]);
        assert_eq!(run.code, 0, "{}", run.all());
        assert_eq!(read(&crlf), FLASK_BAD.replace('\n', "\r\n").replace("0.0.0.0", "127.0.0.1").as_bytes());
        assert_eq!(
            read(&bom),
            [b"\xEF\xBB\xBF".as_slice(), FLASK_BAD.replace("0.0.0.0", "127.0.0.1").as_bytes()].concat()
        );
        let fixed_latin =
            [b"# coding: latin-1\n# \xe9\n".as_slice(), FLASK_BAD.replace("0.0.0.0", "127.0.0.1").as_bytes()].concat();
        assert_eq!(read(&latin), fixed_latin);
    }

    #[test]
    fn remaining_unfixable_findings_are_listed_with_the_reason() {
        let sb = Sandbox::new();
        let path = sb.path().join("app.py");
        let text = "from flask import Flask\napp = Flask(__name__)\nHOST = \"0.0.0.0\"\nprint(\"listening on\", HOST)\n\
                    app.run(host=HOST)\napp.run(host=\"::\", port=1)\n";
        write(&path, text);
        let run = check(&sb, &["--fix", "--format", "json", "app.py"]);
        assert_eq!(run.code, 1, "a finding remains: {}", run.all());
        let doc = json(&run);
        let remaining = doc["findings"].as_array().unwrap();
        assert_eq!(remaining.len(), 1, "{}", run.stdout);
        assert_eq!(remaining[0]["line"], 3);
        assert!(remaining[0]["no_fix_reason"].as_str().unwrap().contains("`HOST` is also used"), "{}", run.stdout);
        assert!(run.stderr.contains("bindguard: fixed 1 finding in 1 file"), "{}", run.stderr);
        assert!(String::from_utf8(read(&path)).unwrap().contains("app.run(host=\"::1\", port=1)"));
    }

    #[test]
    fn env_style_adds_import_once_after_docstring() {
        let sb = Sandbox::new();
        let path = sb.path().join("app.py");
        write(&path, format!("\"\"\"Service.\"\"\"\nfrom __future__ import annotations\n{FLASK_BAD}"));
        let run = check(&sb, &["--fix", "--fix-style", "env", "app.py"]);
        assert_eq!(run.code, 0, "{}", run.all());
        let text = String::from_utf8(read(&path)).unwrap();
        assert!(text.starts_with("\"\"\"Service.\"\"\"\nfrom __future__ import annotations\nimport os\n"), "{text}");
        assert_eq!(text.matches("import os").count(), 1);
        assert!(text.contains("app.run(host=os.environ.get(\"APP_HOST\", \"127.0.0.1\"), port=5000)"), "{text}");
        let again = check(&sb, &["--fix", "--fix-style", "env", "app.py"]);
        assert_eq!(again.code, 0);
        assert_eq!(String::from_utf8(read(&path)).unwrap(), text);
    }

    #[test]
    fn read_only_file_is_not_touched() {
        let sb = Sandbox::new();
        let path = sb.path().join("app.py");
        write(&path, FLASK_BAD);
        let mut perms = std::fs::metadata(&path).unwrap().permissions();
        perms.set_readonly(true);
        std::fs::set_permissions(&path, perms).unwrap();
        let run = check(&sb, &["--fix", "app.py"]);
        assert_eq!(run.code, 1, "{}", run.all());
        assert!(run.stderr.contains("app.py: not fixed: the file is read-only"), "{}", run.stderr);
        assert!(run.stdout.contains("error[CSP-D404]"), "the finding is still reported: {}", run.stdout);
        assert_eq!(read(&path), FLASK_BAD.as_bytes());
        let leftovers: Vec<_> = std::fs::read_dir(sb.path())
            .unwrap()
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().starts_with(".bindguard-fix"))
            .collect();
        assert!(leftovers.is_empty());
    }
}

/// The whole output of the main `check` scenarios: exit code, stdout and stderr together.
mod snapshots {
    use super::{FLASK_BAD, FLASK_GOOD, check};
    use crate::support::{Sandbox, write};

    /// Runs `check ARGS` over one `app.py` holding `content` and snapshots the result.
    fn snapshot(name: &str, content: &str, args: &[&str]) {
        let sb = Sandbox::new();
        write(&sb.path().join("app.py"), content);
        insta::assert_snapshot!(name, check(&sb, args).snapshot(&sb));
    }

    #[test]
    fn check_finding_text() {
        snapshot("check_finding_text", FLASK_BAD, &["app.py"]);
    }

    #[test]
    fn check_finding_json() {
        snapshot("check_finding_json", FLASK_BAD, &["--format", "json", "app.py"]);
    }

    #[test]
    fn check_clean() {
        snapshot("check_clean", FLASK_GOOD, &["app.py"]);
    }

    #[test]
    fn check_diff() {
        snapshot("check_diff", FLASK_BAD, &["--diff", "app.py"]);
    }

    #[test]
    fn check_fix() {
        snapshot("check_fix", FLASK_BAD, &["--fix", "app.py"]);
    }
}
