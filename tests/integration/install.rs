//! `install.sh` and the hook shims end to end: fresh install, re-install, chaining a hook that was
//! already there, `core.hooksPath`, `--uninstall`, server install, and failing closed.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use crate::support::{Run, Sandbox, bindguard_bin, write};

const BAD: &str = "from flask import Flask\napp = Flask(__name__)\napp.run(host='0.0.0.0')\n";

/// A repository with one commit and no hooks.
fn repo(sb: &Sandbox) -> PathBuf {
    let repo = sb.repo("work");
    write(&repo.join("README"), "hello\n");
    sb.git(&repo, &["add", "README"]);
    sb.git(&repo, &["commit", "-qm", "init"]);
    repo
}

fn install(sb: &Sandbox, repo: &Path, args: &[&str]) -> Run {
    let run = sb.install_sh(repo, args);
    assert_eq!(run.code, 0, "install.sh {args:?} failed: {}", run.all());
    run
}

fn write_executable(path: &Path, content: &str) {
    write(path, content);
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A foreign hook that leaves a trace and exits with `code`.
fn foreign_hook(trace: &Path, code: i32) -> String {
    format!("#!/bin/sh\necho ran >> '{}'\nexit {code}\n", trace.display())
}

fn commit_file(sb: &Sandbox, repo: &Path, path: &str, content: &str) -> Run {
    write(&repo.join(path), content);
    sb.git(repo, &["add", "--", path]);
    sb.git_commit(repo, &["-m", path])
}

#[test]
fn fresh_install_runs_on_commit() {
    let sb = Sandbox::new();
    let repo = repo(&sb);
    install(&sb, &repo, &[]);
    let hook = repo.join(".git/hooks/pre-commit");
    let text = read(&hook);
    assert!(text.starts_with("#!/bin/sh\n# bindguard-hook: pre-commit"), "{text}");
    assert!(text.contains(&format!("installed_bin='{}'", bindguard_bin().display())), "{text}");
    assert!(std::fs::metadata(&hook).unwrap().permissions().mode() & 0o111 != 0);
    let run = commit_file(&sb, &repo, "ok.py", "x = 1\n");
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(run.stderr.contains("bindguard: 1 staged Python file, 1 changed line"), "{}", run.stderr);
    let run = commit_file(&sb, &repo, "app.py", BAD);
    assert_eq!(run.code, 1, "the installed hook blocks: {}", run.all());
}

#[test]
fn reinstall_is_idempotent() {
    let sb = Sandbox::new();
    let repo = repo(&sb);
    install(&sb, &repo, &[]);
    let first = read(&repo.join(".git/hooks/pre-commit"));
    let again = install(&sb, &repo, &[]);
    assert!(!again.stdout.contains("legacy"), "{}", again.stdout);
    assert_eq!(read(&repo.join(".git/hooks/pre-commit")), first);
    assert!(!repo.join(".git/hooks/pre-commit.legacy").exists(), "our own hook is not chained to itself");
}

#[test]
fn existing_hook_is_chained_and_either_can_block() {
    let sb = Sandbox::new();
    let repo = repo(&sb);
    let trace = sb.path().join("trace");
    let hook = repo.join(".git/hooks/pre-commit");
    write_executable(&hook, &foreign_hook(&trace, 0));
    let run = install(&sb, &repo, &[]);
    assert!(run.stdout.contains("pre-commit.legacy"), "{}", run.stdout);
    install(&sb, &repo, &[]);
    assert_eq!(read(&repo.join(".git/hooks/pre-commit.legacy")), foreign_hook(&trace, 0), "re-install keeps it");

    let run = commit_file(&sb, &repo, "ok.py", "x = 1\n");
    assert_eq!(run.code, 0, "{}", run.all());
    assert_eq!(read(&trace), "ran\n", "the old hook ran");
    assert!(run.stderr.contains("bindguard: 1 staged Python file"), "bindguard ran: {}", run.stderr);

    let legacy = repo.join(".git/hooks/pre-commit.legacy");
    write_executable(&legacy, &foreign_hook(&trace, 3));
    let run = commit_file(&sb, &repo, "fine.py", "y = 2\n");
    assert_ne!(run.code, 0, "the old hook blocks although bindguard passes: {}", run.all());
    assert_eq!(sb.commit_count(&repo), 2);

    write_executable(&legacy, &foreign_hook(&trace, 0));
    let run = commit_file(&sb, &repo, "app.py", BAD);
    assert_eq!(run.code, 1, "bindguard blocks although the old hook passes: {}", run.all());
}

#[test]
fn core_hooks_path_is_respected() {
    let sb = Sandbox::new();
    let repo = repo(&sb);
    sb.git(&repo, &["config", "core.hooksPath", ".githooks"]);
    install(&sb, &repo, &[]);
    assert!(repo.join(".githooks/pre-commit").is_file());
    assert!(!repo.join(".git/hooks/pre-commit").exists());
    let run = commit_file(&sb, &repo, "ok.py", "x = 1\n");
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(run.stderr.contains("bindguard: 1 staged Python file"), "{}", run.stderr);
}

#[test]
fn uninstall_restores_the_old_hook() {
    let sb = Sandbox::new();
    let repo = repo(&sb);
    let trace = sb.path().join("trace");
    let hook = repo.join(".git/hooks/pre-commit");
    write_executable(&hook, &foreign_hook(&trace, 0));
    install(&sb, &repo, &[]);
    let run = install(&sb, &repo, &["--uninstall"]);
    assert!(run.stdout.contains("restored"), "{}", run.stdout);
    assert_eq!(read(&hook), foreign_hook(&trace, 0));
    assert!(!repo.join(".git/hooks/pre-commit.legacy").exists());
    let run = install(&sb, &repo, &["--uninstall"]);
    assert!(run.stdout.contains("no bindguard pre-commit hook"), "{}", run.stdout);
    assert_eq!(read(&hook), foreign_hook(&trace, 0), "a foreign hook is never removed");
}

#[test]
fn uninstall_without_an_old_hook_removes_ours() {
    let sb = Sandbox::new();
    let repo = repo(&sb);
    install(&sb, &repo, &[]);
    install(&sb, &repo, &["--uninstall"]);
    assert!(!repo.join(".git/hooks/pre-commit").exists());
    let run = commit_file(&sb, &repo, "app.py", BAD);
    assert_eq!(run.code, 0, "no hook any more: {}", run.all());
}

#[test]
fn several_hooks_and_repo_option() {
    let sb = Sandbox::new();
    let repo = repo(&sb);
    install(&sb, sb.path(), &["--hooks", "pre-commit,pre-push", "--repo", "work"]);
    assert!(read(&repo.join(".git/hooks/pre-commit")).contains("bindguard-hook: pre-commit"));
    assert!(read(&repo.join(".git/hooks/pre-push")).contains("bindguard-hook: pre-push"));
}

#[test]
fn server_install_into_a_bare_repository() {
    let sb = Sandbox::new();
    sb.git(sb.path(), &["init", "-q", "--bare", "server.git"]);
    install(&sb, sb.path(), &["--server", "--repo", "server.git"]);
    let hook = sb.path().join("server.git/hooks/pre-receive");
    assert!(read(&hook).contains("exec \"$bin\" pre-receive"), "{}", read(&hook));
}

#[test]
fn chained_push_hooks_both_get_stdin() {
    let sb = Sandbox::new();
    let repo = repo(&sb);
    sb.git(sb.path(), &["init", "-q", "--bare", "remote.git"]);
    sb.git(&repo, &["remote", "add", "origin", "../remote.git"]);
    let (old_seen, new_seen) = (sb.path().join("old-stdin"), sb.path().join("new-stdin"));
    write_executable(&repo.join(".git/hooks/pre-push"), &format!("#!/bin/sh\ncat > '{}'\n", old_seen.display()));
    install(&sb, &repo, &["--hooks", "pre-push"]);
    // Stand-in binary: records what the hook hands to `bindguard pre-push`.
    let fake = sb.path().join("fake-bindguard");
    write_executable(&fake, &format!("#!/bin/sh\necho \"$@\" > '{0}.args'\ncat > '{0}'\n", new_seen.display()));
    let out =
        sb.command("git", &repo).args(["push", "-q", "origin", "main"]).env("BINDGUARD_BIN", &fake).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdin = read(&old_seen);
    assert!(stdin.starts_with("refs/heads/main ") && stdin.ends_with('\n'), "{stdin:?}");
    assert_eq!(read(&new_seen), stdin, "both hooks read the same ref lines");
    assert_eq!(read(&sb.path().join("new-stdin.args")).trim(), "pre-push origin ../remote.git");
}

#[test]
fn missing_binary_fails_closed() {
    let sb = Sandbox::new();
    let repo = repo(&sb);
    install(&sb, &repo, &[]);
    write(&repo.join("ok.py"), "x = 1\n");
    sb.git(&repo, &["add", "ok.py"]);
    let out = sb
        .command("git", &repo)
        .args(["commit", "-qm", "x"])
        .env("BINDGUARD_BIN", sb.path().join("nowhere/bindguard"))
        .output()
        .unwrap();
    let run = Run::from(out);
    assert_eq!(run.code, 1, "{}", run.all());
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(run.stderr.contains("not found") && run.stderr.contains("install"), "{}", run.stderr);
    assert_eq!(sb.commit_count(&repo), 1);
}

#[test]
fn usage_errors_and_help() {
    let sb = Sandbox::new();
    let repo = repo(&sb);
    let help = sb.install_sh(&repo, &["--help"]);
    assert_eq!(help.code, 0);
    assert!(help.stdout.contains("--uninstall") && help.stdout.contains("--server"), "{}", help.stdout);
    assert_ne!(sb.install_sh(&repo, &["--bogus"]).code, 0);
    let unknown = sb.install_sh(&repo, &["--hooks", "post-commit"]);
    assert_ne!(unknown.code, 0);
    assert!(unknown.stderr.contains("unknown hook"), "{}", unknown.stderr);
    let nowhere = sb.install_sh(sb.path(), &["--repo", "missing"]);
    assert_ne!(nowhere.code, 0);
    assert!(nowhere.stderr.contains("not a git repository"), "{}", nowhere.stderr);
}
