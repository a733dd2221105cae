//! Baselines end to end: `check --write-baseline`, then `--baseline` in `check` and in the
//! pre-commit hook. Fingerprints do not depend on line numbers or on where the tool ran, and
//! entries that match nothing any more are said.

use crate::support::{Sandbox, write};

/// A pre-commit hook that takes the repository's `.bindguard-baseline.json`.
fn install_hook_with_baseline(repo: &std::path::Path) {
    let hook = repo.join(".git/hooks/pre-commit");
    write(&hook, "#!/bin/sh\nexec bindguard pre-commit --baseline .bindguard-baseline.json\n");
    std::fs::set_permissions(&hook, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
}

const OLD: &str = "from flask import Flask\napp = Flask(__name__)\napp.run(host=\"0.0.0.0\", port=8000)\n";

#[test]
fn a_baseline_survives_moved_lines_and_reports_new_and_stale_findings() {
    let sb = Sandbox::new();
    let repo = sb.repo("proj");
    write(&repo.join("svc/app.py"), OLD);
    let run = sb.bindguard(&repo, &["check", "--write-baseline", "baseline.json", "."]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(run.stderr.contains("wrote 1 finding to the baseline baseline.json"), "{}", run.stderr);
    let text = std::fs::read_to_string(repo.join("baseline.json")).unwrap();
    assert!(text.contains("\"path\": \"svc/app.py\"") && !text.contains("\"line\""), "{text}");

    // Lines moved and re-indented: still the accepted finding, from any directory.
    let moved = format!("import os\n\n\nif True:\n    {}", OLD.replace('\n', "\n    ").trim_end());
    write(&repo.join("svc/app.py"), format!("{moved}\n"));
    let run = sb.bindguard(&repo.join("svc"), &["check", "--baseline", "../baseline.json", "."]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(run.stderr.contains("1 finding listed in the baseline ../baseline.json not reported"), "{}", run.stderr);

    // A new bind is reported; the accepted one is not.
    write(&repo.join("svc/other.py"), OLD.replace("8000", "9000"));
    let run = sb.bindguard(&repo, &["check", "--baseline", "baseline.json", "--format", "json", "."]);
    assert_eq!(run.code, 1, "{}", run.all());
    let document: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(document["findings"].as_array().unwrap().len(), 1, "{}", run.stdout);
    assert_eq!(document["findings"][0]["path"], "svc/other.py");

    // The accepted bind fixed: its entry matches nothing and is said.
    write(&repo.join("svc/app.py"), OLD.replace("0.0.0.0", "127.0.0.1"));
    std::fs::remove_file(repo.join("svc/other.py")).unwrap();
    let run = sb.bindguard(&repo, &["check", "--baseline", "baseline.json", "."]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(
        run.stderr.contains("baseline entry no longer matches (fixed or changed; remove it from baseline.json): svc/app.py: app.run(host=\"0.0.0.0\",port=8000) (0.0.0.0)"),
        "{}",
        run.stderr
    );
    // Not judged: a check of another directory does not call the entry stale.
    std::fs::create_dir_all(repo.join("lib")).unwrap();
    let run = sb.bindguard(&repo, &["check", "--baseline", "baseline.json", "lib"]);
    assert!(!run.stderr.contains("no longer matches"), "{}", run.stderr);
}

#[test]
fn the_pre_commit_hook_takes_a_baseline() {
    let sb = Sandbox::new();
    let repo = sb.repo("proj");
    write(&repo.join("app.py"), OLD);
    sb.bindguard(&repo, &["check", "--write-baseline", ".bindguard-baseline.json", "."]);
    install_hook_with_baseline(&repo);
    sb.git(&repo, &["add", "app.py"]);
    let run = sb.git_commit(&repo, &["-m", "accepted bind"]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(
        run.stderr.contains("1 finding listed in the baseline .bindguard-baseline.json not reported"),
        "{}",
        run.stderr
    );
    write(&repo.join("new.py"), OLD);
    sb.git(&repo, &["add", "new.py"]);
    let run = sb.git_commit(&repo, &["-m", "a new bind"]);
    assert_eq!(run.code, 1, "a finding in another file is not the accepted one: {}", run.all());
}

#[test]
fn a_malformed_baseline_is_an_error() {
    let sb = Sandbox::new();
    write(&sb.path().join("app.py"), OLD);
    write(&sb.path().join("b.json"), "{\"version\": 1, \"entries\": [], \"extra\": 1}");
    let run = sb.bindguard(sb.path(), &["check", "--baseline", "b.json", "app.py"]);
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(run.stderr.contains("b.json: not a bindguard baseline"), "{}", run.stderr);
}

/// A hook sees only the findings on changed lines: a new copy of an accepted statement, added
/// after it or before it, is not taken for the accepted one. `check` agrees.
#[test]
fn a_new_copy_of_an_accepted_statement_blocks_wherever_it_is_added() {
    let bind = "    s = socket.socket()\n    s.bind(('0.0.0.0', 8080))\n    return s\n";
    let function = |name: &str| format!("\n\ndef {name}():\n{bind}");
    let base = format!("import socket\n{}", function("one"));
    for (what, changed) in [
        ("after", format!("{base}{}", function("two"))),
        ("before", format!("import socket\n{}{}", function("zero"), function("one"))),
    ] {
        let sb = Sandbox::new();
        let repo = sb.repo("proj");
        write(&repo.join("app.py"), &base);
        sb.bindguard(&repo, &["check", "--write-baseline", ".bindguard-baseline.json", "."]);
        install_hook_with_baseline(&repo);
        sb.git(&repo, &["add", "app.py"]);
        let run = sb.git_commit(&repo, &["-m", "accepted bind"]);
        assert_eq!(run.code, 0, "{what}: {}", run.all());
        write(&repo.join("app.py"), &changed);
        let run = sb.bindguard(&repo, &["check", "--baseline", ".bindguard-baseline.json", "app.py"]);
        assert_eq!(run.code, 1, "{what}: check reports the second copy: {}", run.all());
        sb.git(&repo, &["add", "app.py"]);
        let run = sb.git_commit(&repo, &["-m", "a second copy"]);
        assert_eq!(run.code, 1, "{what}: the commit must be blocked: {}", run.all());
    }
}
