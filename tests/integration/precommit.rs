//! pre-commit hook end to end: repositories built with the git CLI, the hook installed with
//! `install.sh`, real `git commit` runs. What the commit records decides, never the worktree.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use crate::support::{Run, Sandbox, write};

const BAD: &str = "from flask import Flask\napp = Flask(__name__)\napp.run(host='0.0.0.0')\n";
const GOOD: &str = "from flask import Flask\napp = Flask(__name__)\napp.run(host='127.0.0.1')\n";

/// A repository with one commit (a README) and bindguard's pre-commit hook installed.
fn hooked_repo(sb: &Sandbox) -> PathBuf {
    let repo = sb.repo("work");
    write(&repo.join("README"), "hello\n");
    sb.git(&repo, &["add", "README"]);
    sb.git(&repo, &["commit", "-qm", "init"]);
    install(sb, &repo);
    repo
}

fn install(sb: &Sandbox, repo: &Path) {
    let run = sb.install_sh(repo, &[]);
    assert_eq!(run.code, 0, "install.sh failed: {}", run.all());
}

/// Writes, stages and commits past the hook (for history that predates it).
fn commit_unchecked(sb: &Sandbox, repo: &Path, path: &str, content: &str) {
    write(&repo.join(path), content);
    sb.git(repo, &["add", "--", path]);
    sb.git(repo, &["commit", "-q", "--no-verify", "-m", &format!("add {path}")]);
}

fn stage(sb: &Sandbox, repo: &Path, path: &str, content: impl AsRef<[u8]>) {
    write(&repo.join(path), content);
    sb.git(repo, &["add", "--", path]);
}

fn assert_blocked(sb: &Sandbox, repo: &Path, run: &Run, commits_before: usize) {
    assert_eq!(run.code, 1, "the commit must be blocked: {}", run.all());
    assert!(run.stderr.contains("commit blocked"), "{}", run.stderr);
    assert_eq!(sb.commit_count(repo), commits_before, "no commit was made");
}

fn assert_passed(run: &Run) {
    assert_eq!(run.code, 0, "the commit must go through: {}", run.all());
}

// 1. A staged bind blocks, with file, line and the suggested diff.

#[test]
fn staged_bind_all_blocks_with_location_and_diff() {
    let sb = Sandbox::new();
    let repo = hooked_repo(&sb);
    stage(&sb, &repo, "app.py", BAD);
    let run = sb.git_commit(&repo, &["-m", "add app"]);
    assert_blocked(&sb, &repo, &run, 1);
    assert!(run.stderr.contains("error[CSP-D404]"), "{}", run.stderr);
    assert!(run.stderr.contains("app.py:3:"), "{}", run.stderr);
    assert!(run.stderr.contains("-app.run(host='0.0.0.0')"), "{}", run.stderr);
    assert!(run.stderr.contains("+app.run(host='127.0.0.1')"), "{}", run.stderr);
    assert!(run.stderr.contains("1 staged Python file, 3 changed lines"), "{}", run.stderr);
    let last = run.stderr.lines().last().unwrap_or_default();
    assert!(last.contains("# ignore: CSP-D404") && last.contains("git commit --no-verify"), "{last}");
}

#[test]
fn clean_commit_says_what_was_scanned() {
    let sb = Sandbox::new();
    let repo = hooked_repo(&sb);
    stage(&sb, &repo, "app.py", GOOD);
    stage(&sb, &repo, "notes.txt", "0.0.0.0\n");
    let run = sb.git_commit(&repo, &["-m", "add app"]);
    assert_passed(&run);
    assert!(run.stderr.contains("1 staged Python file, 3 changed lines: 0 findings"), "{}", run.stderr);
}

#[test]
fn commit_without_python_says_it_saw_nothing() {
    let sb = Sandbox::new();
    let repo = hooked_repo(&sb);
    stage(&sb, &repo, "README", "changed\n");
    let run = sb.git_commit(&repo, &["-m", "docs"]);
    assert_passed(&run);
    assert!(run.stderr.contains("0 staged Python files, 0 changed lines"), "{}", run.stderr);
}

// 2. The index decides, not the worktree.

#[test]
fn unstaged_bind_does_not_block() {
    let sb = Sandbox::new();
    let repo = hooked_repo(&sb);
    commit_unchecked(&sb, &repo, "app.py", GOOD);
    write(&repo.join("app.py"), BAD);
    stage(&sb, &repo, "other.py", "x = 1\n");
    let run = sb.git_commit(&repo, &["-m", "other"]);
    assert_passed(&run);
    assert!(run.stderr.contains("1 staged Python file, 1 changed line:"), "only other.py: {}", run.stderr);
}

#[test]
fn staged_bind_with_unstaged_fix_still_blocks() {
    let sb = Sandbox::new();
    let repo = hooked_repo(&sb);
    stage(&sb, &repo, "app.py", BAD);
    write(&repo.join("app.py"), GOOD);
    let run = sb.git_commit(&repo, &["-m", "add app"]);
    assert_blocked(&sb, &repo, &run, 1);
}

// 3. Only lines the commit adds or modifies count.

#[test]
fn old_finding_on_untouched_line_does_not_block_unrelated_edit() {
    let sb = Sandbox::new();
    let repo = hooked_repo(&sb);
    commit_unchecked(&sb, &repo, "app.py", BAD);
    stage(&sb, &repo, "app.py", format!("{BAD}print('started')\n"));
    let run = sb.git_commit(&repo, &["-m", "log"]);
    assert_passed(&run);
    assert!(run.stderr.contains("1 staged Python file, 1 changed line"), "{}", run.stderr);
}

#[test]
fn new_sink_using_old_value_blocks() {
    let sb = Sandbox::new();
    let repo = hooked_repo(&sb);
    let old = "from flask import Flask\nHOST = '0.0.0.0'\napp = Flask(__name__)\n";
    commit_unchecked(&sb, &repo, "app.py", old);
    stage(&sb, &repo, "app.py", format!("{old}app.run(host=HOST)\n"));
    let run = sb.git_commit(&repo, &["-m", "run"]);
    assert_blocked(&sb, &repo, &run, 2);
    assert!(run.stderr.contains("app.py:2:"), "{}", run.stderr);
}

/// A change made only of lines that can hold no place of a finding (no call, string or sink
/// name, inside none) is not analysed; a line inside a call's brackets is not such a line, even
/// when it only renames an argument.
#[test]
fn a_renamed_argument_inside_a_call_blocks_and_a_new_constant_passes() {
    let old = "import socket\nLOCAL = ('127.0.0.1', 80)\nANY = ('0.0.0.0', 80)\nsocket.create_server(\n    LOCAL,\n)\n";
    let sb = Sandbox::new();
    let repo = hooked_repo(&sb);
    commit_unchecked(&sb, &repo, "srv.py", old);
    stage(&sb, &repo, "srv.py", old.replace("    LOCAL,", "    ANY,"));
    let run = sb.git_commit(&repo, &["-m", "any"]);
    assert_blocked(&sb, &repo, &run, 2);
    assert!(run.stderr.contains("srv.py:3:"), "{}", run.stderr);
    // The same file with the old bind, and only a new constant staged: nothing to report.
    let sb = Sandbox::new();
    let repo = hooked_repo(&sb);
    let bad = old.replace("    LOCAL,", "    ANY,");
    commit_unchecked(&sb, &repo, "srv.py", &bad);
    stage(&sb, &repo, "srv.py", format!("VERSION = 2\n{bad}"));
    let run = sb.git_commit(&repo, &["-m", "version"]);
    assert_passed(&run);
    assert!(run.stderr.contains("1 staged Python file, 1 changed line"), "{}", run.stderr);
}

/// Pointing an unchanged bind at an unchanged address by changing only the assignment between
/// them (`HOST = LOCAL` to `HOST = ANY`) blocks, in the same module and through an import; an
/// alias the bind does not use does not.
#[test]
fn redirecting_an_unchanged_bind_through_an_alias_blocks() {
    let srv = "import socket\nLOCAL = '127.0.0.1'\nANY = '0.0.0.0'\nHOST = LOCAL\nOTHER = LOCAL\nprint(OTHER)\nsocket.create_server((HOST, 80))\n";
    let sb = Sandbox::new();
    let repo = hooked_repo(&sb);
    commit_unchecked(&sb, &repo, "srv.py", srv);
    stage(&sb, &repo, "srv.py", srv.replace("HOST = LOCAL", "HOST = ANY"));
    let run = sb.git_commit(&repo, &["-m", "redirect"]);
    assert_blocked(&sb, &repo, &run, 2);
    assert!(run.stderr.contains("srv.py:3:"), "{}", run.stderr);
    // An alias of the address that no bind uses.
    let sb = Sandbox::new();
    let repo = hooked_repo(&sb);
    let bad = srv.replace("HOST = LOCAL", "HOST = ANY");
    commit_unchecked(&sb, &repo, "srv.py", &bad);
    stage(&sb, &repo, "srv.py", bad.replace("OTHER = LOCAL", "OTHER = ANY"));
    let run = sb.git_commit(&repo, &["-m", "other"]);
    assert_passed(&run);
    // Through an import: the settings module changes, the app does not.
    let sb = Sandbox::new();
    let repo = hooked_repo(&sb);
    let config = "LOCAL = '127.0.0.1'\nANY = '0.0.0.0'\nHOST = LOCAL\n";
    commit_unchecked(&sb, &repo, "config.py", config);
    let app = "from flask import Flask\nfrom config import HOST\napp = Flask(__name__)\napp.run(host=HOST)\n";
    commit_unchecked(&sb, &repo, "app.py", app);
    stage(&sb, &repo, "config.py", config.replace("HOST = LOCAL", "HOST = ANY"));
    let run = sb.git_commit(&repo, &["-m", "redirect"]);
    assert_blocked(&sb, &repo, &run, 3);
    assert!(run.stderr.contains("config.py:2:"), "{}", run.stderr);
    // Through the import itself: `from config import LOCAL as HOST` becomes `ANY as HOST`.
    let sb = Sandbox::new();
    let repo = hooked_repo(&sb);
    commit_unchecked(&sb, &repo, "config.py", "LOCAL = '127.0.0.1'\nANY = '0.0.0.0'\n");
    let app = "from flask import Flask\nfrom config import LOCAL as HOST\napp = Flask(__name__)\napp.run(host=HOST)\n";
    commit_unchecked(&sb, &repo, "app.py", app);
    stage(&sb, &repo, "app.py", app.replace("LOCAL as HOST", "ANY as HOST"));
    let run = sb.git_commit(&repo, &["-m", "redirect the import"]);
    assert_blocked(&sb, &repo, &run, 3);
    assert!(run.stderr.contains("config.py:2:"), "{}", run.stderr);
}

/// The value a helper returns, and a parameter's default, pass it on too: changing `return LOCAL`
/// or `host=LOCAL` to the address points an unchanged bind at it.
#[test]
fn redirecting_a_return_or_a_default_blocks() {
    let returns = "import socket\nLOCAL = '127.0.0.1'\nANY = '0.0.0.0'\n\n\ndef host():\n    return LOCAL\n\n\nsocket.create_server((host(), 80))\n";
    let defaults = "import socket\nLOCAL = '127.0.0.1'\nANY = '0.0.0.0'\n\n\ndef serve(\n    port,\n    host=LOCAL,\n):\n    return socket.create_server((host, port))\n\n\nserve(80)\n";
    for (before, from, to) in [(returns, "return LOCAL", "return ANY"), (defaults, "host=LOCAL", "host=ANY")] {
        let sb = Sandbox::new();
        let repo = hooked_repo(&sb);
        commit_unchecked(&sb, &repo, "srv.py", before);
        stage(&sb, &repo, "srv.py", before.replace(from, to));
        let run = sb.git_commit(&repo, &["-m", "redirect"]);
        assert_blocked(&sb, &repo, &run, 2);
        assert!(run.stderr.contains("srv.py:3:"), "{to}: {}", run.stderr);
    }
}

/// Deleting lines can turn an old bind on: a `# ignore` marker above it, or a later assignment
/// that overrode the address. Both block; deleting an unrelated line does not.
#[test]
fn deleting_a_marker_or_an_override_blocks() {
    let marked = "import socket\n# ignore: CSP-D404\nsocket.create_server(('0.0.0.0', 80))\nprint('x')\n";
    let overridden =
        "import socket\nHOST = '0.0.0.0'\nPORT = 80\nHOST = '127.0.0.1'\nsocket.create_server((HOST, PORT))\n";
    for (before, deleted) in [(marked, "# ignore: CSP-D404\n"), (overridden, "HOST = '127.0.0.1'\n")] {
        let sb = Sandbox::new();
        let repo = hooked_repo(&sb);
        commit_unchecked(&sb, &repo, "srv.py", before);
        stage(&sb, &repo, "srv.py", before.replacen(deleted, "", 1));
        let run = sb.git_commit(&repo, &["-m", "delete"]);
        assert_blocked(&sb, &repo, &run, 2);
    }
    let sb = Sandbox::new();
    let repo = hooked_repo(&sb);
    commit_unchecked(&sb, &repo, "srv.py", marked);
    stage(&sb, &repo, "srv.py", marked.replacen("print('x')\n", "", 1));
    let run = sb.git_commit(&repo, &["-m", "unrelated"]);
    assert_passed(&run);
}

#[test]
fn all_lines_checks_whole_staged_files() {
    let sb = Sandbox::new();
    let repo = hooked_repo(&sb);
    commit_unchecked(&sb, &repo, "app.py", BAD);
    stage(&sb, &repo, "app.py", format!("{BAD}print('started')\n"));
    let run = sb.bindguard(&repo, &["pre-commit", "--all-lines"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stderr.contains("1 staged Python file, 4 lines"), "{}", run.stderr);
}

// 4. Every way git hands over the index.

#[test]
fn first_commit_of_a_new_repository() {
    let sb = Sandbox::new();
    let repo = sb.repo("fresh");
    install(&sb, &repo);
    stage(&sb, &repo, "app.py", BAD);
    let run = sb.git_commit(&repo, &["-m", "first"]);
    assert_blocked(&sb, &repo, &run, 0);
    stage(&sb, &repo, "app.py", GOOD);
    assert_passed(&sb.git_commit(&repo, &["-m", "first"]));
}

#[test]
fn commit_all_checks_the_worktree_changes_it_stages() {
    let sb = Sandbox::new();
    let repo = hooked_repo(&sb);
    commit_unchecked(&sb, &repo, "app.py", GOOD);
    write(&repo.join("app.py"), BAD);
    let run = sb.git_commit(&repo, &["-a", "-m", "all"]);
    assert_blocked(&sb, &repo, &run, 2);
    stage(&sb, &repo, "app.py", BAD);
    write(&repo.join("app.py"), GOOD);
    stage(&sb, &repo, "other.py", "x = 1\n");
    let run = sb.git_commit(&repo, &["-a", "-m", "all"]);
    assert_passed(&run);
    assert!(run.stderr.contains("1 staged Python file, 1 changed line:"), "app.py is back to HEAD: {}", run.stderr);
}

#[test]
fn commit_with_paths_checks_only_those_paths() {
    let sb = Sandbox::new();
    let repo = hooked_repo(&sb);
    commit_unchecked(&sb, &repo, "app.py", GOOD);
    commit_unchecked(&sb, &repo, "other.py", "x = 1\n");
    stage(&sb, &repo, "app.py", BAD);
    write(&repo.join("other.py"), "x = 2\n");
    let run = sb.git_commit(&repo, &["-m", "only other", "other.py"]);
    assert_passed(&run);
    assert!(run.stderr.contains("1 staged Python file, 1 changed line:"), "only other.py: {}", run.stderr);
    write(&repo.join("other.py"), BAD);
    let run = sb.git_commit(&repo, &["-m", "bad other", "other.py"]);
    assert_blocked(&sb, &repo, &run, 4);
    assert!(run.stderr.contains("other.py:3:") && !run.stderr.contains("app.py:"), "{}", run.stderr);
}

#[test]
fn linked_worktree() {
    let sb = Sandbox::new();
    let repo = hooked_repo(&sb);
    sb.git(&repo, &["worktree", "add", "-q", "-b", "side", "../side"]);
    let side = sb.path().join("side");
    stage(&sb, &side, "app.py", BAD);
    let run = sb.git_commit(&side, &["-m", "side"]);
    assert_blocked(&sb, &side, &run, 1);
    stage(&sb, &side, "app.py", GOOD);
    assert_passed(&sb.git_commit(&side, &["-m", "side"]));
}

// 5. Entries that are not plain changed Python text.

#[test]
fn exact_rename_has_no_changed_lines() {
    let sb = Sandbox::new();
    let repo = hooked_repo(&sb);
    commit_unchecked(&sb, &repo, "app.py", BAD);
    sb.git(&repo, &["mv", "app.py", "server.py"]);
    let run = sb.git_commit(&repo, &["-m", "rename"]);
    assert_passed(&run);
    assert!(run.stderr.contains("1 staged Python file, 0 changed lines"), "{}", run.stderr);
}

#[test]
fn renaming_a_text_file_to_python_checks_every_line() {
    let sb = Sandbox::new();
    let repo = hooked_repo(&sb);
    commit_unchecked(&sb, &repo, "example.txt", BAD);
    sb.git(&repo, &["mv", "example.txt", "server.py"]);
    let run = sb.git_commit(&repo, &["-m", "rename"]);
    assert_blocked(&sb, &repo, &run, 2);
    assert!(run.stderr.contains("server.py:3:"), "{}", run.stderr);
}

#[test]
fn renaming_a_stub_to_a_module_checks_every_line() {
    let sb = Sandbox::new();
    let repo = hooked_repo(&sb);
    commit_unchecked(&sb, &repo, "app.pyi", BAD);
    sb.git(&repo, &["mv", "app.pyi", "app.py"]);
    let run = sb.git_commit(&repo, &["-m", "rename"]);
    assert_blocked(&sb, &repo, &run, 2);
    assert!(run.stderr.contains("app.py:3:"), "{}", run.stderr);
}

#[test]
fn renaming_a_python_script_keeps_its_lines_unchanged() {
    let sb = Sandbox::new();
    let repo = hooked_repo(&sb);
    commit_unchecked(&sb, &repo, "bin/serve", &format!("#!/usr/bin/env python3\n{BAD}"));
    sb.git(&repo, &["mv", "bin/serve", "serve.py"]);
    let run = sb.git_commit(&repo, &["-m", "rename"]);
    assert_passed(&run);
    assert!(run.stderr.contains("1 staged Python file, 0 changed lines"), "{}", run.stderr);
}

#[test]
fn oversized_extensionless_files_are_judged_by_their_shebang() {
    let sb = Sandbox::new();
    let repo = hooked_repo(&sb);
    let mut binary = vec![0x7f, b'E', b'L', b'F', 0];
    binary.resize(4096, 0xAB);
    stage(&sb, &repo, "tool", &binary);
    stage(&sb, &repo, "serve", format!("#!/usr/bin/env python3\n{BAD}").repeat(40));
    let run = sb.bindguard(&repo, &["pre-commit", "--max-file-size", "1024"]);
    assert_eq!(run.code, 1, "a Python file not analysed blocks: {}", run.all());
    assert!(run.stderr.contains("not analysed serve: file is 3720 bytes, over the 1024-byte limit"), "{}", run.stderr);
    assert!(run.stderr.contains("bindguard.onTooLarge=fail-closed blocks the commit"), "{}", run.stderr);
    assert!(!run.stderr.contains("tool"), "{}", run.stderr);
    let run = sb.bindguard(&repo, &["pre-commit", "--max-file-size", "1024", "--allow-incomplete"]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(run.stderr.contains("--allow-incomplete lets it through unchecked"), "{}", run.stderr);
}

#[test]
fn deletion_is_skipped_with_a_reason() {
    let sb = Sandbox::new();
    let repo = hooked_repo(&sb);
    commit_unchecked(&sb, &repo, "app.py", BAD);
    sb.git(&repo, &["rm", "-q", "app.py"]);
    let run = sb.git_commit(&repo, &["-m", "delete"]);
    assert_passed(&run);
    assert!(run.stderr.contains("skipped app.py: deleted"), "{}", run.stderr);
}

#[test]
fn symlink_to_a_bad_file_is_followed() {
    let sb = Sandbox::new();
    let repo = hooked_repo(&sb);
    commit_unchecked(&sb, &repo, "bad.py", BAD);
    std::os::unix::fs::symlink("bad.py", repo.join("link.py")).unwrap();
    sb.git(&repo, &["add", "link.py"]);
    let before = sb.commit_count(&repo);
    let run = sb.git_commit(&repo, &["-m", "link"]);
    assert_blocked(&sb, &repo, &run, before);
    assert!(run.stderr.contains("link.py:3:"), "the link runs bad.py's content as link.py: {}", run.stderr);
}

#[test]
fn submodule_is_skipped() {
    let sb = Sandbox::new();
    let lib = sb.repo("lib");
    commit_unchecked(&sb, &lib, "bad.py", BAD);
    let repo = hooked_repo(&sb);
    sb.git(&repo, &["-c", "protocol.file.allow=always", "submodule", "add", "-q", "../lib", "vendor/lib"]);
    let run = sb.git_commit(&repo, &["-m", "submodule"]);
    assert_passed(&run);
    assert!(run.stderr.contains("skipped vendor/lib: submodule"), "{}", run.stderr);
}

#[test]
fn a_python_file_with_nul_bytes_is_analysed() {
    let sb = Sandbox::new();
    let repo = hooked_repo(&sb);
    stage(&sb, &repo, "blob.py", format!("\0\0{BAD}"));
    let before = sb.commit_count(&repo);
    let run = sb.git_commit(&repo, &["-m", "binary"]);
    assert_blocked(&sb, &repo, &run, before);
    assert!(run.stderr.contains("blob.py:3:"), "{}", run.stderr);
}

#[test]
fn crlf_file_blocks_on_the_right_line() {
    let sb = Sandbox::new();
    let repo = hooked_repo(&sb);
    stage(&sb, &repo, "app.py", BAD.replace('\n', "\r\n"));
    let run = sb.git_commit(&repo, &["-m", "crlf"]);
    assert_blocked(&sb, &repo, &run, 1);
    assert!(run.stderr.contains("app.py:3:"), "{}", run.stderr);
}

#[test]
fn latin1_file_blocks() {
    let sb = Sandbox::new();
    let repo = hooked_repo(&sb);
    let mut bytes = b"# -*- coding: latin-1 -*-\n# caf\xe9\n".to_vec();
    bytes.extend_from_slice(BAD.as_bytes());
    stage(&sb, &repo, "app.py", bytes);
    let run = sb.git_commit(&repo, &["-m", "latin-1"]);
    assert_blocked(&sb, &repo, &run, 1);
    assert!(run.stderr.contains("app.py:5:"), "{}", run.stderr);
}

#[test]
fn syntax_error_is_reported_not_fatal() {
    let sb = Sandbox::new();
    let repo = hooked_repo(&sb);
    stage(&sb, &repo, "broken.py", format!("def f(:\n    pass\n{BAD}"));
    let run = sb.git_commit(&repo, &["-m", "broken"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stderr.contains("broken.py") && run.stderr.contains("syntax error"), "{}", run.stderr);
}

#[test]
fn non_utf8_file_name_blocks() {
    let sb = Sandbox::new();
    let repo = hooked_repo(&sb);
    let name = OsStr::from_bytes(b"caf\xe9.py");
    std::fs::write(repo.join(name), BAD).unwrap();
    sb.git(&repo, &["add", "-A"]);
    let run = sb.git_commit(&repo, &["-m", "latin-1 name"]);
    assert_blocked(&sb, &repo, &run, 1);
    assert!(run.stderr.contains("caf\u{fffd}.py:3:"), "{}", run.stderr);
}

#[test]
fn intent_to_add_and_conflicts_are_reported_as_skipped() {
    let sb = Sandbox::new();
    let repo = hooked_repo(&sb);
    commit_unchecked(&sb, &repo, "app.py", "x = 0\n");
    sb.git(&repo, &["checkout", "-q", "-b", "other"]);
    commit_unchecked(&sb, &repo, "app.py", "x = 1\n");
    sb.git(&repo, &["checkout", "-q", "main"]);
    commit_unchecked(&sb, &repo, "app.py", "x = 2\n");
    assert_ne!(sb.git_output(&repo, &["merge", "-q", "other"]).status.code(), Some(0), "a conflict");
    write(&repo.join("later.py"), BAD);
    sb.git(&repo, &["add", "-N", "later.py"]);
    let run = sb.bindguard(&repo, &["pre-commit"]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(run.stderr.contains("skipped app.py: not checked: unresolved conflict"), "{}", run.stderr);
    assert!(run.stderr.contains("skipped later.py: intent-to-add"), "{}", run.stderr);
}

// Index shapes: sparse index, no cache-tree.

#[test]
fn sparse_index_is_compared_as_trees() {
    let sb = Sandbox::new();
    let repo = hooked_repo(&sb);
    commit_unchecked(&sb, &repo, "far/away/old.py", BAD);
    commit_unchecked(&sb, &repo, "near/app.py", GOOD);
    sb.git(&repo, &["sparse-checkout", "set", "--cone", "--sparse-index", "near"]);
    let listing = sb.git(&repo, &["ls-files", "--sparse"]);
    assert!(listing.lines().any(|l| l == "far/"), "expected a sparse directory entry: {listing}");
    stage(&sb, &repo, "near/app.py", format!("{GOOD}print('up')\n"));
    let run = sb.git_commit(&repo, &["-m", "near"]);
    assert_passed(&run);
    assert!(run.stderr.contains("1 staged Python file, 1 changed line: 0 findings"), "{}", run.stderr);
    stage(&sb, &repo, "near/app.py", BAD);
    assert_blocked(&sb, &repo, &sb.git_commit(&repo, &["-m", "near"]), 4);
}

#[test]
fn index_without_cache_tree_gives_the_same_result() {
    let sb = Sandbox::new();
    let repo = hooked_repo(&sb);
    commit_unchecked(&sb, &repo, "pkg/a/old.py", BAD);
    commit_unchecked(&sb, &repo, "pkg/b/app.py", GOOD);
    stage(&sb, &repo, "pkg/b/app.py", BAD);
    // Rebuild the index from scratch: `git add` writes no cache-tree.
    sb.git(&repo, &["read-tree", "--empty"]);
    sb.git(&repo, &["add", "-A"]);
    let run = sb.bindguard(&repo, &["pre-commit"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stderr.contains("pkg/b/app.py:3:") && !run.stderr.contains("old.py"), "{}", run.stderr);
    assert!(run.stderr.contains("1 staged Python file, 1 changed line"), "{}", run.stderr);
}

// 6. Suppression and bypass.

#[test]
fn ignore_comments_suppress() {
    let sb = Sandbox::new();
    let repo = hooked_repo(&sb);
    let bare = BAD.replace("'0.0.0.0')", "'0.0.0.0')  # ignore");
    stage(&sb, &repo, "a.py", bare);
    let coded = BAD.replace("'0.0.0.0')", "'0.0.0.0')  # ignore: CSP-D404");
    stage(&sb, &repo, "b.py", coded);
    let run = sb.git_commit(&repo, &["-m", "deliberate"]);
    assert_passed(&run);
    assert!(run.stderr.contains("2 suppressed"), "{}", run.stderr);
}

#[test]
fn no_verify_bypasses() {
    let sb = Sandbox::new();
    let repo = hooked_repo(&sb);
    stage(&sb, &repo, "app.py", BAD);
    let run = sb.git_commit(&repo, &["--no-verify", "-m", "knowingly"]);
    assert_passed(&run);
    assert_eq!(sb.commit_count(&repo), 2);
}

// Output streams.

#[test]
fn json_goes_to_stdout() {
    let sb = Sandbox::new();
    let repo = hooked_repo(&sb);
    stage(&sb, &repo, "app.py", BAD);
    let run = sb.bindguard(&repo, &["pre-commit", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.all());
    let value: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON on stdout");
    assert!(value.is_object(), "{value}");
    assert!(run.stdout.contains("app.py"), "{}", run.stdout);
}

#[test]
fn outside_a_repository_is_an_error() {
    let sb = Sandbox::new();
    let dir = sb.path().join("plain");
    std::fs::create_dir_all(&dir).unwrap();
    let run = sb.bindguard(&dir, &["pre-commit"]);
    assert_eq!(run.code, 2, "{}", run.all());
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
}

#[test]
fn large_first_commit_reads_blobs_in_parallel() {
    let sb = Sandbox::new();
    let repo = sb.repo("big");
    install(&sb, &repo);
    for i in 0..60 {
        write(&repo.join(format!("pkg{}/mod{i}.py", i % 7)), format!("VALUE = {i}\n"));
    }
    write(&repo.join("pkg3/server.py"), BAD);
    sb.git(&repo, &["add", "-A"]);
    let run = sb.git_commit(&repo, &["-m", "import"]);
    assert_blocked(&sb, &repo, &run, 0);
    assert!(run.stderr.contains("pkg3/server.py:3:"), "{}", run.stderr);
    assert!(run.stderr.contains("61 staged Python files, 63 changed lines"), "{}", run.stderr);
}

/// The whole output of `bindguard pre-commit` run in the repository as the hook runs it: exit
/// code, stdout and stderr together.
mod snapshots {
    use super::{BAD, GOOD, hooked_repo, stage};
    use crate::support::Sandbox;

    fn snapshot(name: &str, content: &str, args: &[&str]) {
        let sb = Sandbox::new();
        let repo = hooked_repo(&sb);
        stage(&sb, &repo, "app.py", content);
        let mut full = vec!["pre-commit"];
        full.extend_from_slice(args);
        insta::assert_snapshot!(name, sb.bindguard(&repo, &full).snapshot(&sb));
    }

    #[test]
    fn precommit_blocked() {
        snapshot("precommit_blocked", BAD, &[]);
    }

    #[test]
    fn precommit_blocked_json() {
        snapshot("precommit_blocked_json", BAD, &["--format", "json"]);
    }

    #[test]
    fn precommit_clean() {
        snapshot("precommit_clean", GOOD, &[]);
    }
}

/// A change made only of calls is analysed at the sites that can reach it: a bind added inside
/// a helper blocks through an alias and a thread that call it, and through a module that
/// re-exports it under another name to a file whose own change is an unrelated call; a new call
/// of a helper blocks; a new call next to an old bind it does not touch passes.
#[test]
fn a_change_made_of_calls_blocks_wherever_its_calls_lead() {
    // A bind added inside a helper; the caller (an alias, run by a thread) is unchanged.
    let srv = "import socket\nimport threading\nANY = '0.0.0.0'\n\n\ndef serve(host):\n    sock = socket.socket()\n    sock.listen(1)\n\n\nlater = serve\nthreading.Thread(target=later, args=(ANY,)).start()\n";
    let sb = Sandbox::new();
    let repo = hooked_repo(&sb);
    commit_unchecked(&sb, &repo, "srv.py", srv);
    stage(&sb, &repo, "srv.py", srv.replace("    sock.listen(1)", "    sock.bind((host, 80))\n    sock.listen(1)"));
    let run = sb.git_commit(&repo, &["-m", "bind"]);
    assert_blocked(&sb, &repo, &run, 2);
    assert!(run.stderr.contains("srv.py:3:"), "{}", run.stderr);
    // The same, in a helper module another module re-exports as `run`, called by a file whose
    // own change is a call of something else.
    let sb = Sandbox::new();
    let repo = hooked_repo(&sb);
    let helpers = "import socket\n\n\ndef serve(host):\n    sock = socket.socket()\n    sock.listen(1)\n";
    commit_unchecked(&sb, &repo, "helpers.py", helpers);
    commit_unchecked(&sb, &repo, "tools.py", "from helpers import serve as run\n");
    let main = "from tools import run\nANY = '0.0.0.0'\n\n\ndef setup_logging():\n    return None\n\n\nrun(ANY)\n";
    commit_unchecked(&sb, &repo, "main.py", main);
    stage(
        &sb,
        &repo,
        "helpers.py",
        helpers.replace("    sock.listen(1)", "    sock.bind((host, 80))\n    sock.listen(1)"),
    );
    stage(&sb, &repo, "main.py", format!("{main}setup_logging()\n"));
    let run = sb.git_commit(&repo, &["-m", "bind and log"]);
    assert_blocked(&sb, &repo, &run, 4);
    assert!(run.stderr.contains("main.py:2:"), "{}", run.stderr);
    // A new call of a helper that binds.
    let sb = Sandbox::new();
    let repo = hooked_repo(&sb);
    let lib = "import socket\nANY = '0.0.0.0'\n\n\ndef serve(host):\n    socket.create_server((host, 80))\n";
    commit_unchecked(&sb, &repo, "lib.py", lib);
    stage(&sb, &repo, "lib.py", format!("{lib}serve(ANY)\n"));
    let run = sb.git_commit(&repo, &["-m", "serve"]);
    assert_blocked(&sb, &repo, &run, 2);
    assert!(run.stderr.contains("lib.py:2:"), "{}", run.stderr);
    // A new call next to an old bind that it does not touch.
    let sb = Sandbox::new();
    let repo = hooked_repo(&sb);
    let old = "import socket\nANY = '0.0.0.0'\nsocket.create_server((ANY, 80))\n";
    commit_unchecked(&sb, &repo, "old.py", old);
    stage(&sb, &repo, "old.py", format!("{old}print(len(ANY))\n"));
    let run = sb.git_commit(&repo, &["-m", "print"]);
    assert_passed(&run);
}

/// Calls that an adversarial review got past the narrowing: a helper reached through a
/// parameter's default, a header that binds on the changed call's line (`if (HOST := ANY): f()`,
/// `for HOST in (ANY,): f()`), a helper that comes back through another module under another
/// name, and a deleted marker above a bind inside a helper. Each blocks.
#[test]
fn calls_reached_through_defaults_headers_and_other_modules_block() {
    let helper = "import socket\nALL = '0.0.0.0'\n\n\ndef helper(addr):\n    s = socket.socket()\n    s.listen(1)\n";
    let bound = helper.replace("    s.listen(1)", "    s.bind((addr, 80))\n    s.listen(1)");
    let header =
        "import socket\nALL = '0.0.0.0'\nHOST = '127.0.0.1'\nprint(1)\ns = socket.socket()\ns.bind((HOST, 80))\n";
    let default = "\n\ndef run(f=helper):\n    f(ALL)\n";
    let marked = bound.replace("    s.bind(", "    # ignore: CSP-D404\n    s.bind(");
    type Files = Vec<(&'static str, String)>;
    let cases: Vec<(&str, Files, Files)> = vec![
        ("a default", vec![("a.py", format!("{helper}{default}"))], vec![("a.py", format!("{bound}{default}"))]),
        (
            "a walrus header",
            vec![("a.py", header.into())],
            vec![("a.py", header.replace("print(1)", "if (HOST := ALL): print(1)"))],
        ),
        (
            "a for header",
            vec![("a.py", header.into())],
            vec![("a.py", header.replace("print(1)", "for HOST in (ALL,): print(1)"))],
        ),
        (
            "another module's alias",
            vec![
                ("a.py", format!("{helper}from b import serve\nserve(ALL)\n")),
                ("b.py", "from a import helper as serve\n".into()),
            ],
            vec![("a.py", format!("{bound}from b import serve\nserve(ALL)\n"))],
        ),
        ("a deleted marker", vec![("a.py", format!("{marked}{default}"))], vec![("a.py", format!("{bound}{default}"))]),
    ];
    for (what, before, staged) in cases {
        let sb = Sandbox::new();
        let repo = hooked_repo(&sb);
        for (path, text) in &before {
            commit_unchecked(&sb, &repo, path, text);
        }
        for (path, text) in &staged {
            stage(&sb, &repo, path, text);
        }
        let run = sb.git_commit(&repo, &["-m", what]);
        assert_eq!(run.code, 1, "{what}: the commit must be blocked: {}", run.all());
        assert!(run.stderr.contains("a.py:2:"), "{what}: {}", run.stderr);
    }
}

/// Calls added inside functions of two files, the second file's unchanged site reaching the
/// first's function through a package or a module between them: through `import pkg.sub` and
/// `import pkg` (the analysis reaches a package's submodules and re-exports through its name),
/// and through a module whose import follows a string holding `#` on the same line. Each blocks
/// (shapes an adversarial review used against an import-following variant of the narrowing).
#[test]
fn calls_inside_functions_of_several_files_block_through_packages_and_modules_between() {
    let helper =
        "import socket\n\n\ndef serve(host, port=80):\n    s = socket.socket()\n    s.listen()\n    return s\n";
    let bound = helper.replace("    s.listen()", "    s.bind((host, port))\n    s.listen()");
    let site = |import: &str, call: &str| {
        format!("{import}\n\n\ndef log():\n    pass\n\n\ndef main():\n    log()\n\n\n{call}('0.0.0.0')\n")
    };
    type Files = Vec<(&'static str, String)>;
    let cases: Vec<(&str, Files, &str, String)> = vec![
        (
            "import pkg.sub",
            vec![("pkg/__init__.py", String::new())],
            "pkg/sub.py",
            site("import pkg.sub", "pkg.sub.serve"),
        ),
        ("import pkg", vec![("pkg/__init__.py", String::new())], "pkg/sub.py", site("import pkg", "pkg.sub.serve")),
        (
            "a re-export of the package",
            vec![("pkg/__init__.py", "from .helper import serve\n".into()), ("pkg/sub.py", "X = 1\n".into())],
            "pkg/helper.py",
            site("import pkg.sub", "pkg.serve"),
        ),
        (
            "a `#` in a string",
            vec![("c.py", "COLOR = \"#fff\"; from b import serve\n".into())],
            "b.py",
            site("from c import serve", "serve"),
        ),
    ];
    for (what, others, helper_path, main) in cases {
        let sb = Sandbox::new();
        let repo = hooked_repo(&sb);
        for (path, text) in &others {
            commit_unchecked(&sb, &repo, path, text);
        }
        commit_unchecked(&sb, &repo, helper_path, helper);
        commit_unchecked(&sb, &repo, "a.py", &main);
        stage(&sb, &repo, helper_path, &bound);
        stage(&sb, &repo, "a.py", main.replace("    log()\n", "    log()\n    log()\n"));
        let run = sb.git_commit(&repo, &["-m", what]);
        assert_eq!(run.code, 1, "{what}: the commit must be blocked: {}", run.all());
        assert!(run.stderr.contains("a.py:13:"), "{what}: {}", run.stderr);
    }
}

/// A module that imports the changed helper after a string holding `#` on the same line is
/// found as an importer: the import reader skips what strings hold.
#[test]
fn an_import_after_a_string_with_a_hash_is_followed() {
    let helper = "import socket\n\n\ndef serve(host, port=80):\n    s = socket.socket()\n    return s\n";
    let sb = Sandbox::new();
    let repo = hooked_repo(&sb);
    commit_unchecked(&sb, &repo, "b.py", helper);
    commit_unchecked(&sb, &repo, "a.py", "COLOR = \"#fff\"; from b import serve\nserve(\"0.0.0.0\")\n");
    stage(&sb, &repo, "b.py", helper.replace("    return s", "    s.bind((host, port))\n    return s"));
    let run = sb.git_commit(&repo, &["-m", "bind"]);
    assert_blocked(&sb, &repo, &run, 3);
    assert!(run.stderr.contains("a.py:2:"), "{}", run.stderr);
}

/// A changed line spelled wholly in UTF-7's base64 has no bracket or quote in its bytes, and
/// decodes to two lines, the second a bind: the file counts whole, never as an inert change.
#[test]
fn a_bind_in_a_codec_that_makes_its_own_lines_blocks() {
    let sb = Sandbox::new();
    let repo = hooked_repo(&sb);
    commit_unchecked(&sb, &repo, "enc.py", "# coding: utf-7\nimport socket\nA = 1\n");
    let before = sb.commit_count(&repo);
    let line = "A = 1+AAoAcwBvAGMAawBlAHQALgBzAG8AYwBrAGUAdAAoACkALgBiAGkAbgBkACgAKAAnACcALAAgADgAMAApACk-";
    stage(&sb, &repo, "enc.py", format!("# coding: utf-7\nimport socket\n{line}\n"));
    let run = sb.git_commit(&repo, &["-m", "encoded"]);
    assert_blocked(&sb, &repo, &run, before);
}
