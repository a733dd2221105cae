//! The hook managers users already run, driven for real: the pre-commit framework (from `PyPI`),
//! husky and lefthook (from npm), with the snippets the README gives. A test whose tool is
//! missing fails on CI and is skipped locally with the reason printed
//! ([`crate::support::require_tool`]).

use std::path::{Path, PathBuf};

use crate::support::{Run, Sandbox, crate_root, on_path, precommit_python, readme_snippet, require_tool, write};

const BAD: &str = "from flask import Flask\napp = Flask(__name__)\napp.run(host=\"0.0.0.0\", port=8000)\n";
/// A service whose bind is far enough from its first lines for a patch of either to apply alone.
const SERVICE: &str = "\"\"\"A service.\"\"\"\nimport os\nfrom flask import Flask\n\napp = Flask(__name__)\n\n\n\
                       def main():\n    app.run(host=\"0.0.0.0\", port=8000)\n";

/// The pre-commit framework's interpreter, or `None` (skip) when it is not installed.
fn framework() -> Option<PathBuf> {
    require_tool("pre-commit (PyPI)", precommit_python())
}

/// Runs `python -m pre_commit ARGS` in `repo` with the sandbox's environment.
fn pre_commit(sb: &Sandbox, python: &Path, repo: &Path, args: &[&str]) -> Run {
    let mut cmd = sb.command(python, repo);
    cmd.args(["-m", "pre_commit"]).args(args);
    Run::from(cmd.output().expect("run pre-commit"))
}

/// A repository whose first commit holds `.pre-commit-config.yaml` (the framework refuses to
/// run with an unstaged config) and a README.
fn framework_repo(sb: &Sandbox, config: &str) -> PathBuf {
    let repo = sb.repo("work");
    write(&repo.join(".pre-commit-config.yaml"), config);
    write(&repo.join("README"), "hello\n");
    sb.git(&repo, &["add", "-A"]);
    sb.git(&repo, &["commit", "-qm", "init"]);
    repo
}

/// Commits `path` with `content` past every hook (history that predates them).
fn commit_unchecked(sb: &Sandbox, repo: &Path, path: &str, content: &str) -> String {
    write(&repo.join(path), content);
    sb.git(repo, &["add", "--", path]);
    sb.git(repo, &["commit", "-q", "--no-verify", "-m", &format!("add {path}")]);
    sb.git(repo, &["rev-parse", "HEAD"]).trim().to_owned()
}

/// The README's local-hooks snippet with `args` added to the `bindguard` hook.
fn local_config_with_args(args: &str) -> String {
    let snippet = readme_snippet("precommit-local");
    let anchor = "        entry: bindguard pre-commit\n";
    assert!(snippet.contains(anchor), "{snippet}");
    snippet.replace(anchor, &format!("{anchor}        args: [{args}]\n"))
}

#[test]
fn the_hook_manifest_and_the_readme_configs_validate() {
    let Some(python) = framework() else { return };
    let sb = Sandbox::new();
    let manifest = crate_root().join(".pre-commit-hooks.yaml");
    let run = pre_commit(&sb, &python, sb.path(), &["validate-manifest", manifest.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.all());
    for name in ["precommit-local", "precommit-remote"] {
        let config = sb.path().join(format!("{name}.yaml"));
        write(&config, readme_snippet(name));
        let run = pre_commit(&sb, &python, sb.path(), &["validate-config", config.to_str().unwrap()]);
        assert_eq!(run.code, 0, "{name}: {}", run.all());
    }
}

#[test]
fn all_files_is_checked_by_bindguard_check_and_refused_by_the_staged_hook() {
    let Some(python) = framework() else { return };
    let sb = Sandbox::new();
    let repo = framework_repo(&sb, &readme_snippet("precommit-local"));
    commit_unchecked(&sb, &repo, "app.py", BAD);
    let run = pre_commit(&sb, &python, &repo, &["run", "--all-files"]);
    assert_eq!(run.code, 1, "{}", run.all());
    let out = run.all();
    assert!(out.contains("app.py:3:"), "bindguard-check finds the committed bind: {out}");
    assert!(out.contains("bindguard: checked 1 Python file: 1 finding"), "{out}");
    assert!(
        out.contains("nothing is staged, so this hook checked nothing") && out.contains("bindguard-check"),
        "the staged hook says it saw nothing instead of passing: {out}"
    );
}

#[test]
fn from_ref_to_ref_checks_the_commits_of_the_range() {
    let Some(python) = framework() else { return };
    let sb = Sandbox::new();
    let repo = framework_repo(&sb, &readme_snippet("precommit-local"));
    let base = sb.git(&repo, &["rev-parse", "HEAD"]).trim().to_owned();
    sb.git(&repo, &["branch", "base"]);
    commit_unchecked(&sb, &repo, "app.py", BAD);
    commit_unchecked(&sb, &repo, "later.py", "x = 1\n");
    let run = pre_commit(&sb, &python, &repo, &["run", "bindguard", "--from-ref", "base", "--to-ref", "HEAD"]);
    assert_eq!(run.code, 1, "{}", run.all());
    let out = run.all();
    assert!(out.contains("app.py:3:"), "{out}");
    assert!(out.contains("the commits in base..HEAD"), "{out}");
    assert!(out.contains("range blocked: scanned 2 new commits"), "{out}");
    let run = pre_commit(&sb, &python, &repo, &["run", "bindguard", "--from-ref", "HEAD~1", "--to-ref", "HEAD"]);
    assert_eq!(run.code, 0, "HEAD~1..HEAD holds only later.py: {}", run.all());
    let run = pre_commit(&sb, &python, &repo, &["run", "bindguard", "--from-ref", &base, "--to-ref", &base]);
    assert!(run.code == 0, "an empty range: {}", run.all());
}

/// Stages the bind, then leaves unstaged work in the worktree: a WIP line far from the bind and,
/// with `same_line`, an edit of the bind's own line. Returns the worktree text.
fn stage_bind_with_unstaged_work(sb: &Sandbox, repo: &Path, same_line: bool) -> String {
    write(&repo.join("app.py"), SERVICE);
    sb.git(repo, &["add", "app.py"]);
    let mut worktree = SERVICE.replace("import os\n", "import os\nWIP = \"work in progress\"\n");
    if same_line {
        worktree = worktree.replace("port=8000", "port=9000");
    }
    write(&repo.join("app.py"), &worktree);
    worktree
}

fn framework_fix_repo(sb: &Sandbox, python: &Path) -> PathBuf {
    let repo = framework_repo(sb, &local_config_with_args("--fix"));
    let run = pre_commit(sb, python, &repo, &["install"]);
    assert_eq!(run.code, 0, "{}", run.all());
    repo
}

#[test]
fn fix_under_the_framework_keeps_an_unstaged_edit_on_the_same_line() {
    let Some(python) = framework() else { return };
    let sb = Sandbox::new();
    let repo = framework_fix_repo(&sb, &python);
    let worktree = stage_bind_with_unstaged_work(&sb, &repo, true);
    let run = sb.git_commit(&repo, &["-m", "add app"]);
    assert_ne!(run.code, 0, "the commit stops: {}", run.all());
    let out = run.all();
    assert!(out.contains("fixed 1 finding in the worktree (app.py); the index is unchanged"), "{out}");
    assert!(out.contains("Rolling back fixes"), "the framework rolls the fix back, keeping the edit: {out}");
    assert_eq!(std::fs::read_to_string(repo.join("app.py")).unwrap(), worktree, "no work is lost");
    assert_eq!(sb.git(&repo, &["show", ":app.py"]), SERVICE, "the index is untouched");
    assert_eq!(sb.commit_count(&repo), 1, "no bind is committed");
}

#[test]
fn fix_under_the_framework_fixes_the_worktree_around_unstaged_work() {
    let Some(python) = framework() else { return };
    let sb = Sandbox::new();
    let repo = framework_fix_repo(&sb, &python);
    let worktree = stage_bind_with_unstaged_work(&sb, &repo, false);
    let run = sb.git_commit(&repo, &["-m", "add app"]);
    assert_ne!(run.code, 0, "the commit stops for review: {}", run.all());
    assert!(run.all().contains("`git add` it and commit again"), "{}", run.all());
    let fixed = worktree.replace("0.0.0.0", "127.0.0.1");
    assert_eq!(std::fs::read_to_string(repo.join("app.py")).unwrap(), fixed, "the fix and the WIP line");
    assert_eq!(sb.git(&repo, &["show", ":app.py"]), SERVICE, "the index is untouched");
    assert_eq!(sb.commit_count(&repo), 1);
    sb.git(&repo, &["add", "app.py"]);
    let run = sb.git_commit(&repo, &["-m", "add app"]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert_eq!(sb.git(&repo, &["show", "HEAD:app.py"]), fixed);
}

#[test]
fn a_blocked_commit_under_the_framework_gives_the_hints_that_work_there() {
    let Some(python) = framework() else { return };
    let sb = Sandbox::new();
    let repo = framework_repo(&sb, &readme_snippet("precommit-local"));
    let run = pre_commit(&sb, &python, &repo, &["install"]);
    assert_eq!(run.code, 0, "{}", run.all());
    write(&repo.join("app.py"), BAD);
    sb.git(&repo, &["add", "app.py"]);
    let run = sb.git_commit(&repo, &["-m", "add app"]);
    assert_eq!(run.code, 1, "{}", run.all());
    let out = run.all();
    assert!(out.contains("`args: [--fix]`") && out.contains("SKIP=bindguard"), "{out}");
    assert!(!out.contains("bindguard pre-commit --fix"), "a command the framework's users cannot run: {out}");
}

// ---- husky ----

fn husky() -> Option<PathBuf> {
    require_tool("husky (npm)", on_path("husky"))
}

/// A repository with a package.json and husky set up by husky itself (`core.hooksPath`), and the
/// user's own `.husky/pre-commit` that leaves a trace.
fn husky_repo(sb: &Sandbox, husky: &Path) -> PathBuf {
    let repo = sb.repo("work");
    write(&repo.join("package.json"), "{\"name\": \"work\", \"private\": true}\n");
    write(&repo.join(".husky/pre-commit"), "echo user hook ran >> .git/trace\n");
    sb.git(&repo, &["add", "-A"]);
    sb.git(&repo, &["commit", "-qm", "init"]);
    let run = Run::from(sb.command(husky, &repo).output().expect("run husky"));
    assert_eq!(run.code, 0, "{}", run.all());
    assert_eq!(sb.git(&repo, &["config", "core.hooksPath"]).trim(), ".husky/_");
    repo
}

fn trace(repo: &Path) -> String {
    std::fs::read_to_string(repo.join(".git/trace")).unwrap_or_default()
}

#[test]
fn install_sh_in_a_husky_repository_adds_a_line_the_husky_way() {
    let Some(husky) = husky() else { return };
    let sb = Sandbox::new();
    let repo = husky_repo(&sb, &husky);
    let stub = std::fs::read_to_string(repo.join(".husky/_/pre-commit")).unwrap();
    let run = sb.install_sh(&repo, &["--hooks", "pre-commit,pre-push"]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(run.stdout.contains("husky: added `bindguard pre-commit`"), "{}", run.all());
    let script = std::fs::read_to_string(repo.join(".husky/pre-commit")).unwrap();
    assert!(
        script.starts_with("echo user hook ran") && script.contains("\"${BINDGUARD_BIN:-bindguard}\" pre-commit"),
        "{script}"
    );
    assert_eq!(std::fs::read_to_string(repo.join(".husky/_/pre-commit")).unwrap(), stub, "husky's stub is kept");
    assert!(!repo.join(".husky/_/pre-commit.legacy").exists());
    let again = sb.install_sh(&repo, &[]);
    assert!(again.stdout.contains("already runs bindguard"), "{}", again.all());

    write(&repo.join("app.py"), BAD);
    sb.git(&repo, &["add", "app.py"]);
    let run = sb.git_commit(&repo, &["-m", "bind"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stderr.contains("commit blocked"), "{}", run.stderr);
    assert_eq!(trace(&repo), "user hook ran\n", "the user's husky hook still runs");

    // `npx husky` (on every npm install) regenerates .husky/_: bindguard stays.
    let run = Run::from(sb.command(&husky, &repo).output().expect("run husky"));
    assert_eq!(run.code, 0, "{}", run.all());
    assert_eq!(sb.git_commit(&repo, &["-m", "bind"]).code, 1);

    let run = sb.install_sh(&repo, &["--uninstall", "--hooks", "pre-commit,pre-push"]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert_eq!(std::fs::read_to_string(repo.join(".husky/pre-commit")).unwrap(), "echo user hook ran >> .git/trace\n");
    assert_eq!(sb.git_commit(&repo, &["-m", "bind"]).code, 0);
}

#[test]
fn the_readme_husky_snippet_guards_commits_and_pushes() {
    let Some(husky) = husky() else { return };
    let sb = Sandbox::new();
    let server = sb.path().join("server.git");
    sb.git(sb.path(), &["init", "-q", "--bare", "server.git"]);
    let repo = husky_repo(&sb, &husky);
    sb.git(&repo, &["push", "-q", server.to_str().unwrap(), "main"]);
    sb.git(&repo, &["remote", "add", "origin", server.to_str().unwrap()]);
    sb.git(&repo, &["fetch", "-q", "origin"]);
    let mut snippet = sb.command("sh", &repo);
    snippet.args(["-c", &readme_snippet("husky")]);
    assert!(snippet.status().unwrap().success());

    write(&repo.join("app.py"), BAD);
    sb.git(&repo, &["add", "app.py"]);
    assert_eq!(sb.git_commit(&repo, &["-m", "bind"]).code, 1, "the pre-commit line blocks");
    sb.git(&repo, &["commit", "-q", "--no-verify", "-m", "bind"]);
    let run = sb.push(&repo, &["origin", "main"]);
    assert_ne!(run.code, 0, "{}", run.all());
    assert!(run.stderr.contains("push rejected") && run.stderr.contains("app.py:3:"), "{}", run.stderr);
}

// ---- lefthook ----

fn lefthook() -> Option<PathBuf> {
    require_tool("lefthook (npm)", on_path("lefthook"))
}

#[test]
fn the_readme_lefthook_snippet_guards_commits_and_pushes_with_stdin() {
    let Some(lefthook) = lefthook() else { return };
    let sb = Sandbox::new();
    let server = sb.path().join("server.git");
    sb.git(sb.path(), &["init", "-q", "--bare", "server.git"]);
    let repo = framework_repo(&sb, "");
    std::fs::remove_file(repo.join(".pre-commit-config.yaml")).unwrap();
    write(&repo.join("lefthook.yml"), readme_snippet("lefthook"));
    sb.git(&repo, &["add", "-A"]);
    sb.git(&repo, &["commit", "-qm", "lefthook"]);
    sb.git(&repo, &["remote", "add", "origin", server.to_str().unwrap()]);
    sb.git(&repo, &["push", "-q", "origin", "main"]);
    let run = Run::from(sb.command(&lefthook, &repo).arg("install").output().expect("run lefthook"));
    assert_eq!(run.code, 0, "{}", run.all());

    write(&repo.join("app.py"), BAD);
    sb.git(&repo, &["add", "app.py"]);
    let run = sb.git_commit(&repo, &["-m", "bind"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.all().contains("commit blocked"), "{}", run.all());
    sb.git(&repo, &["commit", "-q", "--no-verify", "-m", "bind"]);
    let run = sb.push(&repo, &["origin", "main"]);
    assert_ne!(run.code, 0, "use_stdin gives bindguard the ref updates: {}", run.all());
    assert!(run.all().contains("push rejected") && run.all().contains("scanned 1 new commit"), "{}", run.all());

    // Without use_stdin, lefthook keeps git's standard input: the hook still checks the branch
    // against the remote and says what to fix, rather than pass having checked nothing.
    write(&repo.join("lefthook.yml"), readme_snippet("lefthook").replace("      use_stdin: true\n", ""));
    let run = sb.push(&repo, &["origin", "main"]);
    assert_ne!(run.code, 0, "{}", run.all());
    assert!(run.all().contains("git sent no ref updates on stdin") && run.all().contains("use_stdin"), "{}", run.all());
}

#[test]
fn install_sh_in_a_lefthook_repository_refuses_with_the_readme_lines() {
    let sb = Sandbox::new();
    let repo = sb.repo("work");
    write(&repo.join("lefthook.yml"), "pre-commit:\n  commands: {}\n");
    let run = sb.install_sh(&repo, &[]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stderr.contains("runs its git hooks with lefthook"), "{}", run.stderr);
    assert!(run.stderr.contains(&readme_snippet("lefthook")), "install.sh prints the README's lines: {}", run.stderr);
    assert!(!repo.join(".git/hooks/pre-commit").exists(), "nothing is written");
}

#[test]
fn install_sh_in_the_bindguard_checkout_installs_no_hook_there() {
    let sb = Sandbox::new();
    let clone = sb.path().join("bindguard");
    sb.git(sb.path(), &["init", "-q", "bindguard"]);
    std::fs::copy(crate_root().join("install.sh"), clone.join("install.sh")).unwrap();
    let mut cmd = sb.command("sh", &clone);
    cmd.args(["./install.sh", "--no-build"]).env("BINDGUARD_BIN", crate::support::bindguard_bin());
    let run = Run::from(cmd.output().unwrap());
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(run.stdout.contains("no hook was installed here; to hook a project:"), "{}", run.stdout);
    assert!(!clone.join(".git/hooks/pre-commit").exists());
}
