//! `pre-commit --fix` end to end with real git: the fix lands in what is committed, and no mode
//! loses an unstaged edit, a staged change or a file.

use std::path::{Path, PathBuf};

use crate::support::{Run, Sandbox, write};

const BAD: &str =
    "from flask import Flask\n\napp = Flask(__name__)\n\n\ndef main():\n    app.run(host=\"0.0.0.0\", port=5000)\n";
const GOOD: &str =
    "from flask import Flask\n\napp = Flask(__name__)\n\n\ndef main():\n    app.run(host=\"127.0.0.1\", port=5000)\n";

/// A repository with one clean commit and a pre-commit hook running `bindguard pre-commit ARGS`.
fn repo_with_hook(sb: &Sandbox, hook_args: &str) -> PathBuf {
    let repo = sb.repo("work");
    write(&repo.join("README"), "hello\n");
    sb.git(&repo, &["add", "README"]);
    sb.git(&repo, &["commit", "-qm", "init"]);
    install_hook(&repo, hook_args);
    repo
}

fn install_hook(repo: &Path, hook_args: &str) {
    let hook = repo.join(".git/hooks/pre-commit");
    write(&hook, format!("#!/bin/sh\nexec bindguard pre-commit {hook_args}\n"));
    std::fs::set_permissions(&hook, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
}

fn commit(sb: &Sandbox, repo: &Path, args: &[&str]) -> Run {
    let mut full = vec!["commit", "-q"];
    full.extend_from_slice(args);
    Run::from(sb.git_output(repo, &full))
}

fn show(sb: &Sandbox, repo: &Path, spec: &str) -> String {
    sb.git(repo, &["show", spec])
}

#[test]
fn fix_goes_to_index_and_worktree_keeping_unstaged_edit() {
    let sb = Sandbox::new();
    let repo = repo_with_hook(&sb, "--fix");
    write(&repo.join("app.py"), BAD);
    sb.git(&repo, &["add", "app.py"]);
    write(&repo.join("app.py"), format!("{BAD}# unstaged note\n"));
    let run = commit(&sb, &repo, &["-m", "add app"]);
    assert_eq!(run.code, 1, "the fix stops the commit for review: {}", run.all());
    assert!(run.stderr.contains("fixed 1 finding in 1 file"), "{}", run.stderr);
    assert!(run.stderr.contains("git diff --cached"), "{}", run.stderr);
    assert_eq!(show(&sb, &repo, ":app.py"), GOOD, "the index holds the fix");
    let unstaged = sb.git(&repo, &["diff"]);
    assert!(unstaged.contains("+# unstaged note"), "{unstaged}");
    assert!(!unstaged.contains("0.0.0.0"), "the worktree got the fix too: {unstaged}");
    let ok = commit(&sb, &repo, &["-m", "add app"]);
    assert_eq!(ok.code, 0, "{}", ok.all());
    assert_eq!(show(&sb, &repo, "HEAD:app.py"), GOOD, "the committed blob is the fixed one");
    assert_eq!(std::fs::read_to_string(repo.join("app.py")).unwrap(), format!("{GOOD}# unstaged note\n"));
}

#[test]
fn worktree_line_changed_after_staging_is_left_alone() {
    let sb = Sandbox::new();
    let repo = repo_with_hook(&sb, "--fix");
    write(&repo.join("app.py"), BAD);
    sb.git(&repo, &["add", "app.py"]);
    let edited = BAD.replace("port=5000)", "port=5000, debug=True)");
    write(&repo.join("app.py"), &edited);
    let run = commit(&sb, &repo, &["-m", "x"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("app.py: the worktree line differs from the staged one; fixed in the index only"),
        "{}",
        run.stderr
    );
    assert_eq!(show(&sb, &repo, ":app.py"), GOOD);
    assert_eq!(std::fs::read_to_string(repo.join("app.py")).unwrap(), edited);
}

#[test]
fn fix_continue_commits_the_fixed_content() {
    let sb = Sandbox::new();
    let repo = repo_with_hook(&sb, "--fix --fix-continue");
    write(&repo.join("app.py"), BAD);
    sb.git(&repo, &["add", "app.py"]);
    let run = commit(&sb, &repo, &["-m", "x"]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert_eq!(show(&sb, &repo, "HEAD:app.py"), GOOD);
    assert_eq!(sb.git(&repo, &["status", "--porcelain"]), "", "index, worktree and HEAD agree");
}

#[test]
fn commit_all_and_commit_path_with_fix_continue() {
    let sb = Sandbox::new();
    let repo = repo_with_hook(&sb, "");
    write(&repo.join("a.py"), GOOD);
    write(&repo.join("b.py"), GOOD);
    sb.git(&repo, &["add", "."]);
    sb.git(&repo, &["commit", "-qm", "clean"]);
    install_hook(&repo, "--fix --fix-continue");
    write(&repo.join("a.py"), BAD);
    let all = commit(&sb, &repo, &["-a", "-m", "all"]);
    assert_eq!(all.code, 0, "{}", all.all());
    assert_eq!(show(&sb, &repo, "HEAD:a.py"), GOOD);
    write(&repo.join("b.py"), BAD);
    write(&repo.join("a.py"), format!("{GOOD}# staged other change\n"));
    sb.git(&repo, &["add", "a.py"]);
    let partial = commit(&sb, &repo, &["b.py", "-m", "partial"]);
    assert_eq!(partial.code, 0, "{}", partial.all());
    assert_eq!(show(&sb, &repo, "HEAD:b.py"), GOOD);
    assert_eq!(show(&sb, &repo, ":b.py"), GOOD, "the real index got the fix too");
    assert_eq!(show(&sb, &repo, ":a.py"), format!("{GOOD}# staged other change\n"), "other staged work survives");
    assert_eq!(sb.git(&repo, &["status", "--porcelain"]), "M  a.py\n");
}

#[test]
fn first_commit_crlf_latin1_and_bom_files() {
    let sb = Sandbox::new();
    let repo = sb.repo("fresh");
    install_hook(&repo, "--fix --fix-continue");
    let crlf = BAD.replace('\n', "\r\n");
    let latin = [b"# coding: latin-1\n# caf\xe9\n".as_slice(), BAD.as_bytes()].concat();
    let bom = [b"\xEF\xBB\xBF".as_slice(), BAD.as_bytes()].concat();
    write(&repo.join("crlf.py"), &crlf);
    write(&repo.join("latin.py"), &latin);
    write(&repo.join("bom.py"), &bom);
    sb.git(&repo, &["add", "."]);
    let run = commit(&sb, &repo, &["-m", "first"]);
    assert_eq!(run.code, 0, "{}", run.all());
    let blob = |name: &str| {
        sb.command("git", &repo).args(["cat-file", "blob", &format!("HEAD:{name}")]).output().unwrap().stdout
    };
    assert_eq!(blob("crlf.py"), GOOD.replace('\n', "\r\n").into_bytes());
    assert_eq!(blob("latin.py"), [b"# coding: latin-1\n# caf\xe9\n".as_slice(), GOOD.as_bytes()].concat());
    assert_eq!(blob("bom.py"), [b"\xEF\xBB\xBF".as_slice(), GOOD.as_bytes()].concat());
    assert_eq!(std::fs::read(repo.join("latin.py")).unwrap(), blob("latin.py"));
}

#[test]
fn env_style_adds_one_import_and_is_idempotent() {
    let sb = Sandbox::new();
    let repo = repo_with_hook(&sb, "--fix --fix-style env");
    let text = format!("\"\"\"Service entry point.\"\"\"\nfrom __future__ import annotations\n\n{BAD}");
    write(&repo.join("svc.py"), &text);
    sb.git(&repo, &["add", "svc.py"]);
    let run = commit(&sb, &repo, &["-m", "x"]);
    assert_eq!(run.code, 1, "{}", run.all());
    let staged = show(&sb, &repo, ":svc.py");
    assert!(
        staged.starts_with("\"\"\"Service entry point.\"\"\"\nfrom __future__ import annotations\nimport os\n"),
        "{staged}"
    );
    assert_eq!(staged.matches("import os").count(), 1);
    assert!(staged.contains("app.run(host=os.environ.get(\"APP_HOST\", \"127.0.0.1\"), port=5000)"), "{staged}");
    let again = sb.bindguard(&repo, &["pre-commit", "--fix", "--fix-style", "env"]);
    assert_eq!(again.code, 0, "nothing left to fix: {}", again.all());
    assert_eq!(show(&sb, &repo, ":svc.py"), staged);
}

#[test]
fn held_index_lock_changes_nothing() {
    let sb = Sandbox::new();
    let repo = repo_with_hook(&sb, "");
    write(&repo.join("app.py"), BAD);
    sb.git(&repo, &["add", "app.py"]);
    let index_before = std::fs::read(repo.join(".git/index")).unwrap();
    write(&repo.join(".git/index.lock"), "");
    let run = sb.bindguard(&repo, &["pre-commit", "--fix"]);
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(
        run.stderr.contains("index.lock exists: another git process is using the index; nothing was changed"),
        "{}",
        run.stderr
    );
    assert_eq!(run.stderr.lines().filter(|l| l.starts_with("bindguard: error")).count(), 1);
    assert_eq!(std::fs::read(repo.join(".git/index")).unwrap(), index_before);
    assert_eq!(std::fs::read_to_string(repo.join("app.py")).unwrap(), BAD);
}

#[test]
fn old_untouched_bind_in_the_same_file_is_left_and_the_commit_goes_on() {
    let sb = Sandbox::new();
    let repo = repo_with_hook(&sb, "--fix --fix-continue");
    write(&repo.join("app.py"), BAD);
    sb.git(&repo, &["add", "app.py"]);
    sb.git(&repo, &["commit", "-q", "--no-verify", "-m", "old bind"]);
    let added = "\n\ndef other():\n    app.run(host=\"0.0.0.0\", port=5001)\n";
    write(&repo.join("app.py"), format!("{BAD}{added}"));
    sb.git(&repo, &["add", "app.py"]);
    let run = commit(&sb, &repo, &["-m", "new bind"]);
    assert_eq!(run.code, 0, "the old bind is not on a changed line: {}", run.all());
    assert!(run.stderr.contains("fixed 1 finding in 1 file; the commit goes on"), "{}", run.stderr);
    let fixed = added.replace("0.0.0.0", "127.0.0.1");
    assert_eq!(show(&sb, &repo, "HEAD:app.py"), format!("{BAD}{fixed}"), "only the new bind is fixed");
    assert_eq!(sb.git(&repo, &["status", "--porcelain"]), "", "index, worktree and HEAD agree");
}

#[test]
fn partial_commit_with_the_real_index_unlockable_changes_neither_index() {
    let sb = Sandbox::new();
    let repo = repo_with_hook(&sb, "");
    write(&repo.join("app.py"), BAD);
    sb.git(&repo, &["add", "app.py"]);
    // What git sets up for `git commit <path>`: a temporary index, the real one held as
    // `index.lock`. Nothing may lock the real one (a dangling symlink stands in for a racing
    // writer that `exists()` cannot see).
    let git_dir = repo.join(".git");
    let temp = git_dir.join("next-index-4242.lock");
    std::fs::copy(git_dir.join("index"), &temp).unwrap();
    std::fs::copy(git_dir.join("index"), git_dir.join("index.lock")).unwrap();
    std::os::unix::fs::symlink(git_dir.join("nowhere"), git_dir.join("index.lock.lock")).unwrap();
    let temp_before = std::fs::read(&temp).unwrap();
    let real_before = std::fs::read(git_dir.join("index.lock")).unwrap();
    let run = Run::from(
        sb.command(crate::support::bindguard_bin(), &repo)
            .args(["pre-commit", "--fix"])
            .env("GIT_INDEX_FILE", &temp)
            .output()
            .unwrap(),
    );
    assert_eq!(run.code, 2, "{}", run.all());
    assert_eq!(std::fs::read(&temp).unwrap(), temp_before, "the temporary index is unchanged");
    assert_eq!(std::fs::read(git_dir.join("index.lock")).unwrap(), real_before);
    assert!(run.stderr.contains("index.lock.lock exists"), "{}", run.stderr);
    assert!(!git_dir.join("next-index-4242.lock.lock").exists(), "no lock is left behind");
    assert_eq!(std::fs::read_to_string(repo.join("app.py")).unwrap(), BAD);
}

#[test]
fn sparse_index_fix_lands_in_the_commit_and_keeps_the_sparse_entries() {
    let sb = Sandbox::new();
    let repo = repo_with_hook(&sb, "");
    write(&repo.join("far/away/lib.py"), GOOD);
    write(&repo.join("near/app.py"), GOOD);
    sb.git(&repo, &["add", "."]);
    sb.git(&repo, &["commit", "-qm", "two dirs"]);
    sb.git(&repo, &["sparse-checkout", "set", "--cone", "--sparse-index", "near"]);
    assert!(sb.git(&repo, &["ls-files", "--sparse"]).lines().any(|l| l == "far/"), "a sparse directory entry");
    install_hook(&repo, "--fix --fix-continue");
    write(&repo.join("near/app.py"), BAD);
    sb.git(&repo, &["add", "near/app.py"]);
    let run = commit(&sb, &repo, &["-m", "bind"]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert_eq!(show(&sb, &repo, "HEAD:near/app.py"), GOOD);
    assert_eq!(show(&sb, &repo, "HEAD:far/away/lib.py"), GOOD, "the out-of-cone file is still in the commit");
    assert_eq!(sb.git(&repo, &["status", "--porcelain"]), "");
}

/// The whole output of `bindguard pre-commit --fix` as the hook runs it: exit code, stdout and
/// stderr together.
mod snapshots {
    use super::{BAD, repo_with_hook};
    use crate::support::{Sandbox, write};

    fn snapshot(name: &str, args: &[&str]) {
        let sb = Sandbox::new();
        let repo = repo_with_hook(&sb, "");
        write(&repo.join("app.py"), BAD);
        sb.git(&repo, &["add", "app.py"]);
        let mut full = vec!["pre-commit", "--fix"];
        full.extend_from_slice(args);
        insta::assert_snapshot!(name, sb.bindguard(&repo, &full).snapshot(&sb));
    }

    #[test]
    fn precommit_fix() {
        snapshot("precommit_fix", &[]);
    }

    #[test]
    fn precommit_fix_continue() {
        snapshot("precommit_fix_continue", &["--fix-continue"]);
    }
}
