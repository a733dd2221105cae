//! Project configuration end to end: discovery (closest file above each file, in precedence
//! order), what wins over what, errors, the snapshot the hooks read it from, and a server that
//! a pushed configuration cannot switch off. Also `check` as users expect it: standard input,
//! saying when nothing was checked, hidden entries, `.gitignore` outside a repository.

use std::path::Path;

use crate::support::{Sandbox, write};

const BAD: &str = "from flask import Flask\napp = Flask(__name__)\napp.run(host=\"0.0.0.0\", port=8000)\n";

fn check(sb: &Sandbox, cwd: &Path, args: &[&str]) -> crate::support::Run {
    let mut full = vec!["check"];
    full.extend_from_slice(args);
    sb.bindguard(cwd, &full)
}

#[test]
fn exclude_and_per_file_ignores_follow_the_closest_configuration() {
    let sb = Sandbox::new();
    let root = sb.path().join("proj");
    write(
        &root.join("pyproject.toml"),
        "[tool.bindguard]\nexclude = [\"vendor/\"]\nper-file-ignores = { \"tests/**\" = [\"CSP-D404\"] }\n",
    );
    write(&root.join("vendor/lib.py"), BAD);
    write(&root.join("tests/test_app.py"), BAD);
    write(&root.join("app.py"), BAD);
    // The closest configuration wins whole: svc/ has its own, without per-file-ignores.
    write(&root.join("svc/bindguard.toml"), "extend-exclude = [\"gen_*.py\"]\n");
    write(&root.join("svc/gen_api.py"), BAD);
    write(&root.join("svc/tests/test_svc.py"), BAD);
    let run = check(&sb, &root, &["--format", "json", "."]);
    assert_eq!(run.code, 1, "{}", run.all());
    let document: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let paths: Vec<&str> =
        document["findings"].as_array().unwrap().iter().map(|f| f["path"].as_str().unwrap()).collect();
    assert_eq!(paths, ["app.py", "svc/tests/test_svc.py"], "{}", run.all());
    assert_eq!(document["suppressed"], 1, "tests/ is silenced, counted: {}", run.stdout);
    assert!(run.stderr.contains("2 paths excluded by the configuration or --exclude"), "{}", run.stderr);
    // From a subdirectory, the same files are judged by the same configurations.
    let run = check(&sb, &root.join("svc"), &["--format", "json", ".."]);
    let document: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(document["findings"].as_array().unwrap().len(), 2, "{}", run.stdout);
}

#[test]
fn the_command_line_wins_then_the_configuration_then_the_defaults() {
    let sb = Sandbox::new();
    let root = sb.path().join("proj");
    write(&root.join(".bindguard.toml"), "fix-style = \"env\"\nfix-env-var = \"SERVICE_HOST\"\n");
    write(&root.join("bindguard.toml"), "fix-style = \"loopback\"\n");
    write(&root.join("app.py"), BAD);
    let run = check(&sb, &root, &["--diff", "app.py"]);
    assert!(
        run.stdout.contains("os.environ.get(\"SERVICE_HOST\", \"127.0.0.1\")"),
        ".bindguard.toml first: {}",
        run.all()
    );
    let run = check(&sb, &root, &["--diff", "--fix-style", "loopback", "app.py"]);
    assert!(run.stdout.contains("host=\"127.0.0.1\""), "{}", run.all());
    let run = check(&sb, &root, &["--diff", "--isolated", "app.py"]);
    assert!(run.stdout.contains("host=\"127.0.0.1\""), "--isolated reads no file: {}", run.all());
    write(&sb.path().join("other.toml"), "fix-style = \"env\"\n");
    let other = sb.path().join("other.toml");
    let run = check(&sb, &root, &["--diff", "--config", other.to_str().unwrap(), "app.py"]);
    assert!(run.stdout.contains("os.environ.get(\"APP_HOST\", \"127.0.0.1\")"), "{}", run.all());
    let run = check(&sb, &root, &["--exclude", "app.py", "."]);
    assert_eq!(run.code, 0, "--exclude: {}", run.all());
}

#[test]
fn an_unknown_key_or_malformed_toml_is_one_line_naming_the_file_line_and_key() {
    let sb = Sandbox::new();
    let root = sb.path().join("proj");
    write(&root.join("app.py"), "x = 1\n");
    write(&root.join("bindguard.toml"), "fix-style = \"env\"\n\nexclued = [\"vendor\"]\n");
    let run = check(&sb, &root, &["."]);
    assert_eq!(run.code, 2, "{}", run.all());
    let expected = format!("bindguard: error: {}:3: unknown field `exclued`", root.join("bindguard.toml").display());
    assert!(run.stderr.starts_with(&expected), "{}", run.stderr);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    write(&root.join("bindguard.toml"), "");
    write(&root.join("pyproject.toml"), "[tool.bindguard]\nexclude = [\"a\"\n");
    std::fs::remove_file(root.join("bindguard.toml")).unwrap();
    let run = check(&sb, &root, &["."]);
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(run.stderr.contains("pyproject.toml:2: "), "{}", run.stderr);
}

#[test]
fn the_pre_commit_hook_reads_the_configuration_from_the_index() {
    let sb = Sandbox::new();
    let repo = sb.repo("work");
    let hook = repo.join(".git/hooks/pre-commit");
    write(&hook, "#!/bin/sh\nexec bindguard pre-commit\n");
    std::fs::set_permissions(&hook, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    write(&repo.join("vendor/lib.py"), BAD);
    sb.git(&repo, &["add", "vendor/lib.py"]);
    write(&repo.join("bindguard.toml"), "exclude = [\"vendor/\"]\n");
    let run = sb.git_commit(&repo, &["-m", "vendor"]);
    assert_eq!(run.code, 1, "an unstaged configuration does not count: {}", run.all());
    sb.git(&repo, &["add", "bindguard.toml"]);
    std::fs::remove_file(repo.join("bindguard.toml")).unwrap();
    let run = sb.git_commit(&repo, &["-m", "vendor"]);
    assert_eq!(run.code, 0, "the staged configuration counts, whatever the worktree: {}", run.all());
    write(&repo.join("bindguard.toml"), "exclued = 1\n");
    sb.git(&repo, &["add", "bindguard.toml"]);
    let run = sb.git_commit(&repo, &["-m", "broken config"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stderr.contains("bindguard: error: bindguard.toml:1: unknown field `exclued`"), "{}", run.stderr);
}

#[test]
fn a_pushed_configuration_cannot_switch_the_server_off_unless_it_opts_in() {
    let sb = Sandbox::new();
    let server = sb.server("server.git");
    let work = sb.clone_repo(&server, "work");
    let sneak = "exclude = [\"*\"]\nper-file-ignores = { \"*\" = [\"ALL\"] }\n";
    sb.commit_files(&work, &[(".bindguard.toml", sneak), ("app.py", BAD)], "sneak");
    let run = sb.push(&work, &["origin", "HEAD:refs/heads/main"]);
    assert_ne!(run.code, 0, "{}", run.all());
    assert!(run.stderr.contains("push rejected"), "{}", run.stderr);
    sb.git(&server, &["config", "bindguard.trustRepoConfig", "true"]);
    let run = sb.push(&work, &["origin", "HEAD:refs/heads/main"]);
    assert_eq!(run.code, 0, "{}", run.all());
    let said = "the pushed repository configuration applies (bindguard.trustRepoConfig)";
    assert!(run.stderr.contains(said), "{}", run.stderr);
}

#[test]
fn the_pre_push_hook_reads_the_configuration_from_the_pushed_commit() {
    let sb = Sandbox::new();
    let server = sb.path().join("server.git");
    sb.git(sb.path(), &["init", "-q", "--bare", "server.git"]);
    let work = sb.clone_repo(&server, "work");
    sb.install_hooks(&work, &["--hooks", "pre-push"]);
    sb.commit_files(&work, &[("vendor/lib.py", BAD)], "vendor");
    write(&work.join("bindguard.toml"), "exclude = [\"vendor/\"]\n");
    let run = sb.push(&work, &["origin", "HEAD:refs/heads/main"]);
    assert_ne!(run.code, 0, "a configuration only in the worktree does not count: {}", run.all());
    sb.commit_files(&work, &[], "exclude vendor");
    let run = sb.push(&work, &["origin", "HEAD:refs/heads/main"]);
    assert_eq!(run.code, 0, "the pushed configuration counts: {}", run.all());
}

#[test]
fn check_reads_standard_input_under_a_name() {
    let sb = Sandbox::new();
    let mut cmd = sb.command(crate::support::bindguard_bin(), sb.path());
    cmd.args(["check", "-", "--stdin-filename", "src/app.py"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let run = pipe(cmd, BAD);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stdout.contains("--> src/app.py:3:14"), "{}", run.stdout);
    let mut cmd = sb.command(crate::support::bindguard_bin(), sb.path());
    cmd.args(["check", "--fix", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let run = pipe(cmd, BAD);
    assert_eq!(run.code, 0, "{}", run.all());
    assert_eq!(run.stdout, BAD.replace("0.0.0.0", "127.0.0.1"), "the fixed source on stdout");
    assert!(run.stderr.contains("fixed 1 finding in -"), "{}", run.stderr);
}

fn pipe(mut cmd: std::process::Command, input: &str) -> crate::support::Run {
    use std::io::Write;
    let mut child = cmd.spawn().unwrap();
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    crate::support::Run::from(child.wait_with_output().unwrap())
}

#[test]
fn check_says_what_it_did_not_look_at() {
    let sb = Sandbox::new();
    let empty = sb.path().join("empty");
    write(&empty.join("README"), "nothing here\n");
    let run = check(&sb, &empty, &["."]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(run.stderr.contains("warning: no Python file in .: nothing was checked"), "{}", run.stderr);

    let proj = sb.path().join("proj");
    write(&proj.join(".venv/lib/site.py"), BAD);
    write(&proj.join(".hidden.py"), BAD);
    write(&proj.join("app.py"), "x = 1\n");
    let run = check(&sb, &proj, &["."]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(run.stderr.contains("2 hidden entries not checked (./.hidden.py, ./.venv): name them"), "{}", run.stderr);
    assert_eq!(check(&sb, &proj, &[".venv"]).code, 1, "a hidden directory named is checked");

    // Outside a git repository, .gitignore is respected as the README says.
    write(&proj.join(".gitignore"), "ignored.py\n");
    write(&proj.join("ignored.py"), BAD);
    let run = check(&sb, &proj, &["."]);
    assert_eq!(run.code, 0, "{}", run.all());
}
