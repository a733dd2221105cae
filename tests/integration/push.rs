//! pre-receive and pre-push end to end: real bare "server" repositories with the hook installed
//! by `install.sh`, real clones, real `git push`; assertions on the push result, the server's
//! refs and the `remote:` output.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use crate::support::{Run, Sandbox, bindguard_bin, write};

const BAD: &str =
    "from flask import Flask\napp = Flask(__name__)\n\nif __name__ == '__main__':\n    app.run(host='0.0.0.0')\n";
const GOOD: &str =
    "from flask import Flask\napp = Flask(__name__)\n\nif __name__ == '__main__':\n    app.run(host='127.0.0.1')\n";

/// A server with the hook, a clone with one clean commit already pushed to `main`.
fn setup(s: &Sandbox) -> (PathBuf, PathBuf) {
    let server = s.server("server.git");
    let work = s.clone_repo(&server, "work");
    s.commit_files(&work, &[("app.py", GOOD), ("README", "hello\n")], "initial");
    let run = s.push(&work, &["-q", "origin", "main"]);
    assert_eq!(run.code, 0, "{}", run.all());
    (server, work)
}

fn assert_rejected(run: &Run) {
    assert_ne!(run.code, 0, "push should be rejected:\n{}", run.all());
    assert!(run.stderr.contains("pre-receive hook declined"), "{}", run.all());
}

fn assert_accepted(run: &Run) {
    assert_eq!(run.code, 0, "push should be accepted:\n{}", run.all());
}

/// The hook's last line as git relays it (without `remote: ` and git's padding).
fn last_remote_line(run: &Run) -> String {
    let last = run.stderr.lines().filter_map(|l| l.strip_prefix("remote: ")).next_back().unwrap_or_default();
    last.trim_end().to_owned()
}

fn config(s: &Sandbox, repo: &Path, key: &str, value: &str) {
    s.git(repo, &["config", key, value]);
}

// 1. A bind is rejected and the ref stays; a clean push passes.
#[test]
fn pushed_bind_is_rejected_and_ref_not_updated() {
    let s = Sandbox::new();
    let (server, work) = setup(&s);
    let before = s.ref_id(&server, "refs/heads/main");
    s.commit_files(&work, &[("app.py", BAD)], "listen everywhere");
    let run = s.push(&work, &["origin", "main"]);
    assert_rejected(&run);
    assert!(run.stderr.contains("remote: error[CSP-D404]"), "{}", run.stderr);
    assert!(run.stderr.contains("app.py:5"), "{}", run.stderr);
    assert!(run.stderr.contains("\"listen everywhere\" (refs/heads/main)"), "{}", run.stderr);
    assert!(run.stderr.contains("push rejected: scanned 1 new commit (findings in 1)"), "{}", run.stderr);
    assert_eq!(s.ref_id(&server, "refs/heads/main"), before);
}

#[test]
fn clean_push_passes_and_says_what_it_scanned() {
    let s = Sandbox::new();
    let (server, work) = setup(&s);
    let head = s.commit_files(&work, &[("svc/worker.py", "print('hi')\n")], "worker");
    let run = s.push(&work, &["origin", "main"]);
    assert_accepted(&run);
    assert!(
        run.stderr.contains("remote: bindguard: scanned 1 new commit, 1 Python file (1 with nothing that could bind)"),
        "a file ruled out before diffing is still counted: {}",
        run.stderr
    );
    assert_eq!(s.ref_id(&server, "refs/heads/main"), Some(head));
}

/// A commit of the history is analysed alone, so its files are put to the analysis's own gate
/// while the history is read: an entry point with no address in reach (`app.run(debug=True)`)
/// is ruled out there, never diffed nor handed over, as it would have been in the analysis.
#[test]
fn history_files_are_gated_once_as_files_analysed_alone() {
    let s = Sandbox::new();
    let (server, work) = setup(&s);
    s.commit_files(&work, &[("svc/run.py", "from web import app\napp.run(debug=True)\n")], "entry point");
    let head = s.commit_files(&work, &[("svc/run.py", "print('done')\n")], "no server");
    let run = s.push(&work, &["origin", "main"]);
    assert_accepted(&run);
    assert!(
        run.stderr
            .contains("remote: bindguard: scanned 2 new commits, 3 Python files (3 with nothing that could bind)"),
        "{}",
        run.stderr
    );
    assert_eq!(s.ref_id(&server, "refs/heads/main"), Some(head));
}

// 2. Loose and packed quarantines.

/// Keeps bindguard's pre-receive hook but has a legacy hook (run first) record how many packs
/// the quarantine holds, in `<server>/quarantine-packs`.
fn record_quarantine_packs(server: &Path) -> PathBuf {
    let record = server.join("quarantine-packs");
    let hook = server.join("hooks/pre-receive.legacy");
    write(
        &hook,
        format!(
            "#!/bin/sh\nfind \"$GIT_QUARANTINE_PATH\" -name '*.pack' | wc -l >> '{}'\ncat >/dev/null\n",
            record.display()
        ),
    );
    std::fs::set_permissions(&hook, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    record
}

/// The pack counts recorded so far, one per push.
fn recorded_packs(record: &Path) -> Vec<usize> {
    std::fs::read_to_string(record).unwrap_or_default().lines().map(|l| l.trim().parse().unwrap()).collect()
}

#[test]
fn small_push_arrives_loose_and_is_scanned() {
    let s = Sandbox::new();
    let (server, work) = setup(&s);
    config(&s, &server, "receive.unpackLimit", "100");
    let record = record_quarantine_packs(&server);
    s.commit_files(&work, &[("loose.py", BAD)], "loose bind");
    let run = s.push(&work, &["origin", "main"]);
    assert_rejected(&run);
    assert!(run.stderr.contains("loose.py:5"), "{}", run.stderr);
    assert_eq!(recorded_packs(&record), vec![0], "the objects arrived loose");
}

#[test]
fn large_push_arrives_as_a_pack_and_is_scanned() {
    let s = Sandbox::new();
    let (server, work) = setup(&s);
    config(&s, &server, "receive.unpackLimit", "100");
    let record = record_quarantine_packs(&server);
    for i in 0..150 {
        write(&work.join(format!("pkg/mod_{i:03}.py")), format!("VALUE = {i}\n"));
    }
    s.commit_files(&work, &[], "many modules");
    let run = s.push(&work, &["origin", "main"]);
    assert_accepted(&run);
    assert!(run.stderr.contains("scanned 1 new commit"), "{}", run.stderr);
    s.commit_files(&work, &[("pkg/mod_149.py", BAD)], "bind among many");
    for i in 0..150 {
        write(&work.join(format!("pkg/extra_{i:03}.py")), format!("EXTRA = {i}\n"));
    }
    s.commit_files(&work, &[], "more modules");
    let run = s.push(&work, &["origin", "main"]);
    assert_rejected(&run);
    assert!(run.stderr.contains("pkg/mod_149.py"), "{}", run.stderr);
    let packs = recorded_packs(&record);
    assert_eq!(packs.len(), 2, "{packs:?}");
    assert!(packs.iter().all(|&n| n >= 1), "the objects arrived packed: {packs:?}");
}

// 3. Which commits: new branch, force push, deletion, tags.
#[test]
fn new_branch_scans_only_its_new_commits() {
    let s = Sandbox::new();
    let (_server, work) = setup(&s);
    for i in 0..40 {
        s.commit_files(&work, &[("history.py", &format!("STEP = {i}\n"))], &format!("history {i}"));
    }
    let run = s.push(&work, &["origin", "main"]);
    assert_accepted(&run);
    assert!(run.stderr.contains("scanned 40 new commits"), "{}", run.stderr);
    s.git(&work, &["checkout", "-q", "-b", "feature"]);
    s.commit_files(&work, &[("feature.py", "A = 1\n")], "feature 1");
    s.commit_files(&work, &[("feature.py", "A = 2\n")], "feature 2");
    let run = s.push(&work, &["origin", "feature"]);
    assert_accepted(&run);
    assert!(run.stderr.contains("scanned 2 new commits"), "{}", run.stderr);
}

#[test]
fn force_push_scans_only_commits_not_on_the_server() {
    let s = Sandbox::new();
    let (_server, work) = setup(&s);
    s.commit_files(&work, &[("a.py", "A = 1\n")], "a");
    s.commit_files(&work, &[("b.py", "B = 1\n")], "b");
    assert_accepted(&s.push(&work, &["origin", "main"]));
    s.git(&work, &["reset", "-q", "--hard", "HEAD~1"]);
    s.commit_files(&work, &[("c.py", "C = 1\n")], "c replaces b");
    let run = s.push(&work, &["-f", "origin", "main"]);
    assert_accepted(&run);
    assert!(run.stderr.contains("scanned 1 new commit,"), "{}", run.stderr);
}

#[test]
fn branch_deletion_scans_nothing() {
    let s = Sandbox::new();
    let (server, work) = setup(&s);
    s.git(&work, &["checkout", "-q", "-b", "gone"]);
    s.commit_files(&work, &[("gone.py", "G = 1\n")], "gone");
    assert_accepted(&s.push(&work, &["origin", "gone"]));
    let run = s.push(&work, &["origin", "--delete", "gone"]);
    assert_accepted(&run);
    assert!(run.stderr.contains("scanned 0 new commits"), "{}", run.stderr);
    assert_eq!(s.ref_id(&server, "refs/heads/gone"), None);
}

#[test]
fn tags_scan_only_new_commits() {
    let s = Sandbox::new();
    let (_server, work) = setup(&s);
    s.git(&work, &["tag", "-a", "-m", "release", "v1", "main"]);
    let run = s.push(&work, &["origin", "v1"]);
    assert_accepted(&run);
    assert!(run.stderr.contains("scanned 0 new commits"), "{}", run.stderr);
    s.git(&work, &["checkout", "-q", "--detach"]);
    s.commit_files(&work, &[("tagged.py", "T = 1\n")], "tagged only");
    s.git(&work, &["tag", "light"]);
    let run = s.push(&work, &["origin", "light"]);
    assert_accepted(&run);
    assert!(run.stderr.contains("scanned 1 new commit,"), "{}", run.stderr);
    s.commit_files(&work, &[("tagged.py", BAD)], "annotated bad");
    s.git(&work, &["tag", "-a", "-m", "bad release", "v2"]);
    let run = s.push(&work, &["origin", "v2"]);
    assert_rejected(&run);
    assert!(run.stderr.contains("(refs/tags/v2)"), "{}", run.stderr);
}

#[test]
fn several_refs_share_one_walk() {
    let s = Sandbox::new();
    let (_server, work) = setup(&s);
    s.git(&work, &["checkout", "-q", "-b", "one"]);
    s.commit_files(&work, &[("one.py", "ONE = 1\n")], "one");
    s.git(&work, &["checkout", "-q", "-b", "two"]);
    s.commit_files(&work, &[("two.py", "TWO = 2\n")], "two");
    let run = s.push(&work, &["origin", "one", "two"]);
    assert_accepted(&run);
    assert!(run.stderr.contains("scanned 2 new commits"), "{}", run.stderr);
}

// 4. History keeps a bind that a later commit removes.
#[test]
fn bind_removed_by_a_later_commit_is_still_rejected() {
    let s = Sandbox::new();
    let (_server, work) = setup(&s);
    s.commit_files(&work, &[("app.py", BAD)], "oops");
    s.commit_files(&work, &[("app.py", GOOD)], "fix oops");
    let run = s.push(&work, &["origin", "main"]);
    assert_rejected(&run);
    assert!(run.stderr.contains("\"oops\""), "{}", run.stderr);
    assert!(run.stderr.contains("a later commit that removes it is not enough"), "{}", run.stderr);
}

// 5. Merges.

/// A `side` branch and `main` with one clean commit each, `main` checked out, ready to merge.
fn diverge_side_and_main(s: &Sandbox, work: &Path) {
    s.git(work, &["checkout", "-q", "-b", "side"]);
    s.commit_files(work, &[("side.py", "SIDE = 1\n")], "side work");
    s.git(work, &["checkout", "-q", "main"]);
    s.commit_files(work, &[("main.py", "MAIN = 1\n")], "main work");
}

/// Evil merge: the bind exists only in the merge commit.
#[test]
fn evil_merge_is_rejected() {
    let s = Sandbox::new();
    let (_server, work) = setup(&s);
    diverge_side_and_main(&s, &work);
    s.git(&work, &["merge", "-q", "--no-ff", "--no-commit", "side"]);
    write(&work.join("server.py"), BAD);
    s.git(&work, &["add", "server.py"]);
    s.git(&work, &["commit", "-q", "-m", "merge side"]);
    let run = s.push(&work, &["origin", "main"]);
    assert_rejected(&run);
    assert!(run.stderr.contains("server.py"), "{}", run.stderr);
    assert!(run.stderr.contains("\"merge side\""), "{}", run.stderr);
}

#[test]
fn clean_merge_rescans_nothing_from_the_sides() {
    let s = Sandbox::new();
    let (_server, work) = setup(&s);
    diverge_side_and_main(&s, &work);
    s.git(&work, &["merge", "-q", "--no-ff", "-m", "merge side", "side"]);
    let run = s.push(&work, &["origin", "main"]);
    assert_accepted(&run);
    // side.py and main.py each differ from only one parent of the merge.
    assert!(run.stderr.contains("scanned 3 new commits"), "{}", run.stderr);
}

// 6. Fork networks: relative alternates, one and two levels deep.
fn fork_of(s: &Sandbox, source: &Path, fork: &Path, relative_alternate: &str) {
    s.git(s.path(), &["clone", "-q", "--bare", "--shared", source.to_str().unwrap(), fork.to_str().unwrap()]);
    write(&fork.join("objects/info/alternates"), format!("{relative_alternate}\n"));
    s.install_hooks(fork, &["--server"]);
}

/// `lib.py` in the fork tests: a deliberate, suppressed bind keeps the byte prefilter from
/// skipping the file, so the parent's blob must be read (through the alternates) and diffed.
fn fork_lib(port: &str) -> String {
    let suppressed = "app.run(host='0.0.0.0')  # ignore: CSP-D404\n";
    GOOD.replace("'127.0.0.1'", &format!("'127.0.0.1', port={port}")) + suppressed
}

#[test]
fn fork_with_relative_alternates() {
    let s = Sandbox::new();
    let network = s.path().join("net/network.git");
    std::fs::create_dir_all(network.parent().unwrap()).unwrap();
    s.git(s.path(), &["init", "-q", "--bare", network.to_str().unwrap()]);
    let seed = s.repo("seed");
    for i in 0..5 {
        s.commit_files(&seed, &[("lib.py", &fork_lib(&i.to_string()))], &format!("seed {i}"));
    }
    s.git(&seed, &["push", "-q", network.to_str().unwrap(), "main"]);
    let fork = s.path().join("forks/fork.git");
    fork_of(&s, &network, &fork, "../../../net/network.git/objects");
    let deeper = s.path().join("forks/deeper/fork2.git");
    fork_of(&s, &fork, &deeper, "../../../fork.git/objects");
    let mut works = Vec::new();
    for server in [&fork, &deeper] {
        let name = format!("work-{}", server.file_name().unwrap().to_string_lossy());
        let work = s.clone_repo(server, &name);
        s.commit_files(&work, &[("lib.py", &fork_lib("99"))], "fork change");
        let run = s.push(&work, &["origin", "main"]);
        assert_accepted(&run);
        // One changed line: the parent's blob was read through the alternates and diffed.
        assert!(run.stderr.contains("scanned 1 new commit, 1 Python file, 1 changed line"), "{}", run.stderr);
        works.push(work);
    }
    for work in works {
        s.commit_files(&work, &[("lib.py", BAD)], "fork bind");
        assert_rejected(&s.push(&work, &["origin", "main"]));
    }
}

// 7. Policy: bypass, report-only, budgets, config errors, GitLab prefix.
#[test]
fn bypass_option_is_honoured_only_when_enabled() {
    let s = Sandbox::new();
    let (server, work) = setup(&s);
    config(&s, &server, "receive.advertisePushOptions", "true");
    s.commit_files(&work, &[("app.py", BAD)], "needs bypass");
    let run = s.push(&work, &["-o", "bindguard.skip=hotfix INC-1", "origin", "main"]);
    assert_rejected(&run);
    assert!(run.stderr.contains("push option bindguard.skip ignored"), "{}", run.stderr);
    config(&s, &server, "bindguard.allowSkip", "true");
    let run = s.push(&work, &["-o", "bindguard.skip=hotfix INC-1", "origin", "main"]);
    assert_accepted(&run);
    assert!(run.stderr.contains("scan skipped by push option bindguard.skip"), "{}", run.stderr);
    assert!(run.stderr.contains("reason: hotfix INC-1"), "{}", run.stderr);
    assert!(run.stderr.contains("pusher: unknown"), "{}", run.stderr);
}

#[test]
fn report_only_prints_but_accepts() {
    let s = Sandbox::new();
    let (server, work) = setup(&s);
    config(&s, &server, "bindguard.reportOnly", "true");
    let head = s.commit_files(&work, &[("app.py", BAD)], "reported");
    let run = s.push(&work, &["origin", "main"]);
    assert_accepted(&run);
    assert!(run.stderr.contains("error[CSP-D404]"), "{}", run.stderr);
    assert!(run.stderr.contains("report-only mode"), "{}", run.stderr);
    assert_eq!(s.ref_id(&server, "refs/heads/main"), Some(head));
}

#[test]
fn time_budget_fail_open_accepts_and_says_so() {
    let s = Sandbox::new();
    let (server, work) = setup(&s);
    config(&s, &server, "bindguard.timeBudget", "0");
    config(&s, &server, "bindguard.onTimeout", "fail-open");
    let head = s.commit_files(&work, &[("x.py", "X = 1\n")], "over budget");
    let run = s.push(&work, &["origin", "main"]);
    assert_accepted(&run);
    assert!(run.stderr.contains("ran out after 0 of 1 new commit (the final state of every pushed ref was checked); bindguard.onTimeout=fail-open: the rest of the history is let through unscanned"), "{}", run.stderr);
    assert_eq!(last_remote_line(&run), "bindguard: push accepted", "{}", run.stderr);
    assert_eq!(s.ref_id(&server, "refs/heads/main"), Some(head));
}

#[test]
fn time_budget_fail_closed_rejects_and_says_so() {
    let s = Sandbox::new();
    let (server, work) = setup(&s);
    let before = s.ref_id(&server, "refs/heads/main");
    config(&s, &server, "bindguard.timeBudget", "0ms");
    config(&s, &server, "bindguard.onTimeout", "fail-closed");
    s.commit_files(&work, &[("x.py", "X = 1\n")], "over budget");
    let run = s.push(&work, &["origin", "main"]);
    assert_rejected(&run);
    assert!(run.stderr.contains("bindguard.onTimeout=fail-closed: push rejected"), "{}", run.stderr);
    assert_eq!(s.ref_id(&server, "refs/heads/main"), before);
}

/// A long scan says how far it got while it runs; the interval is the server's choice (with
/// `0ms`, after every commit of the history).
#[test]
fn long_history_scan_prints_progress_lines() {
    let s = Sandbox::new();
    let (server, work) = setup(&s);
    config(&s, &server, "bindguard.progress", "0ms");
    for i in 0..4 {
        s.commit_files(&work, &[("n.py", &format!("N = {i}\n"))], &format!("n{i}"));
    }
    let run = s.push(&work, &["origin", "main"]);
    assert_accepted(&run);
    let lines: Vec<&str> = run.stderr.lines().filter(|l| l.contains("scanning the history")).collect();
    assert_eq!(lines.len(), 4, "{}", run.stderr);
    assert!(lines[0].contains("remote: bindguard: scanning the history: 1 of 4 new commits"), "{}", run.stderr);
    assert!(lines[3].contains("4 of 4 new commits, "), "{}", run.stderr);
    // Off: nothing; the default (2 s) says nothing for a scan this short.
    config(&s, &server, "bindguard.progress", "off");
    s.commit_files(&work, &[("n.py", "N = 9\n")], "n9");
    let run = s.push(&work, &["origin", "main"]);
    assert_accepted(&run);
    assert!(!run.stderr.contains("scanning the history"), "{}", run.stderr);
    config(&s, &server, "bindguard.progress", "often");
    s.commit_files(&work, &[("n.py", "N = 10\n")], "n10");
    let run = s.push(&work, &["origin", "main"]);
    assert_rejected(&run);
    assert!(run.stderr.contains("invalid git config bindguard.progress=\"often\""), "{}", run.stderr);
}

/// `bindguard.verbose` (or `--verbose`) says where the time went, after the report; the verdict
/// stays the last line.
#[test]
fn verbose_prints_phase_timings() {
    let s = Sandbox::new();
    let (server, work) = setup(&s);
    s.commit_files(&work, &[("n.py", "N = 1\n")], "quiet");
    let run = s.push(&work, &["origin", "main"]);
    assert!(!run.stderr.contains("timings"), "{}", run.stderr);
    config(&s, &server, "bindguard.verbose", "true");
    s.commit_files(&work, &[("n.py", "N = 2\n")], "n2");
    s.commit_files(&work, &[("app.py", BAD)], "bind");
    let run = s.push(&work, &["origin", "main"]);
    assert_rejected(&run);
    let line = run.stderr.lines().find(|l| l.contains("bindguard: timings:")).unwrap_or_default();
    for phase in [
        "s in all",
        "finding the new commits",
        "the final state of the pushed refs",
        "the history",
        "diffing the trees of 2 commits",
        "waiting for the analysis",
        "the analysis",
    ] {
        assert!(line.contains(phase), "{phase}: {line}");
    }
    assert_eq!(last_remote_line(&run), "bindguard: push rejected", "{}", run.stderr);
}

#[test]
fn commit_budget_rejects_by_default() {
    let s = Sandbox::new();
    let (server, work) = setup(&s);
    config(&s, &server, "bindguard.maxCommits", "2");
    for i in 0..3 {
        s.commit_files(&work, &[("n.py", &format!("N = {i}\n"))], &format!("n{i}"));
    }
    let run = s.push(&work, &["origin", "main"]);
    assert_rejected(&run);
    assert!(run.stderr.contains("more than 2 new commits (bindguard.maxCommits)"), "{}", run.stderr);
    assert!(run.stderr.contains("bindguard.onTooLarge=fail-closed"), "{}", run.stderr);
    config(&s, &server, "bindguard.onTooLarge", "fail-open");
    assert_accepted(&s.push(&work, &["origin", "main"]));
}

#[test]
fn oversized_blob_follows_the_size_policy() {
    let s = Sandbox::new();
    let (server, work) = setup(&s);
    config(&s, &server, "bindguard.maxBlobSize", "1k");
    s.commit_files(&work, &[("big.py", &"X = 1\n".repeat(400))], "big file");
    let run = s.push(&work, &["origin", "main"]);
    assert_rejected(&run);
    assert!(run.stderr.contains("not analysed big.py: blob is 2400 bytes"), "{}", run.stderr);
    config(&s, &server, "bindguard.onTooLarge", "fail-open");
    assert_accepted(&s.push(&work, &["origin", "main"]));
}

#[test]
fn renaming_a_text_file_to_python_is_rejected() {
    let s = Sandbox::new();
    let (server, work) = setup(&s);
    s.commit_files(&work, &[("example.txt", BAD)], "an example");
    assert_accepted(&s.push(&work, &["origin", "main"]));
    let before = s.ref_id(&server, "refs/heads/main");
    s.git(&work, &["mv", "example.txt", "server.py"]);
    s.commit_files(&work, &[], "make it a server");
    let run = s.push(&work, &["origin", "main"]);
    assert_rejected(&run);
    assert!(run.stderr.contains("server.py:5"), "{}", run.stderr);
    assert_eq!(s.ref_id(&server, "refs/heads/main"), before);
}

#[test]
fn renaming_a_python_file_brings_no_new_lines() {
    let s = Sandbox::new();
    let (server, work) = setup(&s);
    config(&s, &server, "bindguard.reportOnly", "true");
    s.commit_files(&work, &[("old.py", BAD)], "bind, accepted in report-only mode");
    assert_accepted(&s.push(&work, &["origin", "main"]));
    config(&s, &server, "bindguard.reportOnly", "false");
    s.git(&work, &["mv", "old.py", "new.py"]);
    s.commit_files(&work, &[], "rename");
    let run = s.push(&work, &["origin", "main"]);
    assert_accepted(&run);
    assert!(run.stderr.contains("scanned 1 new commit"), "{}", run.stderr);
}

/// A Python file of about 11 MiB: the bind on line 5, then comment lines.
fn eleven_megabytes_of_python() -> String {
    let mut text = String::from(BAD);
    let filler = "# padding padding padding padding padding padding padding padding padding\n";
    while text.len() < 11 << 20 {
        text.push_str(filler);
    }
    text
}

#[test]
fn blob_size_limit_from_the_policy_also_bounds_the_analysis() {
    let s = Sandbox::new();
    let (server, work) = setup(&s);
    config(&s, &server, "bindguard.maxBlobSize", "50m");
    s.commit_files(&work, &[("big.py", &eleven_megabytes_of_python())], "big");
    let run = s.push(&work, &["origin", "main"]);
    assert_rejected(&run);
    assert!(run.stderr.contains("big.py:5"), "{}", run.stderr);
    assert!(!run.stderr.contains("not analysed big.py"), "{}", run.stderr);
}

#[test]
fn large_extensionless_files_are_judged_by_their_shebang() {
    let s = Sandbox::new();
    let (_server, work) = setup(&s);
    let mut binary = b"\x7fELF\x02\x01\x01\0".to_vec();
    binary.extend((0..12u32 << 20).map(|i| (i % 251) as u8));
    write(&work.join("tool"), &binary);
    s.commit_files(&work, &[], "a large binary tool");
    let run = s.push(&work, &["origin", "main"]);
    assert_accepted(&run);
    assert!(!run.stderr.contains("tool"), "{}", run.stderr);
    let script = format!("#!/usr/bin/env python3\n{}", "X = 1\n".repeat(2 << 20));
    s.commit_files(&work, &[("serve", &script)], "a large Python script");
    let run = s.push(&work, &["origin", "main"]);
    assert_rejected(&run);
    assert!(run.stderr.contains("not analysed serve: blob is"), "{}", run.stderr);
    assert!(run.stderr.contains("bindguard.onTooLarge=fail-closed"), "{}", run.stderr);
}

#[test]
fn invalid_config_is_a_one_line_error() {
    let s = Sandbox::new();
    let (server, work) = setup(&s);
    config(&s, &server, "bindguard.onTimeout", "sometimes");
    s.commit_files(&work, &[("x.py", "X = 1\n")], "x");
    let run = s.push(&work, &["origin", "main"]);
    assert_rejected(&run);
    assert!(
        run.stderr.contains("remote: bindguard: error: invalid git config bindguard.onTimeout=\"sometimes\""),
        "{}",
        run.stderr
    );
}

#[test]
fn gitlab_prefix_on_every_line() {
    let s = Sandbox::new();
    let (server, work) = setup(&s);
    config(&s, &server, "bindguard.gitlabPrefix", "true");
    s.commit_files(&work, &[("x.py", "X = 1\n")], "x");
    let run = s.push(&work, &["origin", "main"]);
    assert_accepted(&run);
    assert!(run.stderr.contains("remote: GL-HOOK-ERR: bindguard: scanned 1 new commit"), "{}", run.stderr);
}

#[test]
fn control_characters_from_the_push_are_escaped() {
    let s = Sandbox::new();
    let (_server, work) = setup(&s);
    s.commit_files(&work, &[("evil\x1b[2J.py", BAD)], "subject \x1b]0;owned\x07 here");
    let run = s.push(&work, &["origin", "main"]);
    assert_rejected(&run);
    assert!(!run.stderr.contains('\x1b'), "{:?}", run.stderr);
    assert!(run.stderr.contains("\\u{1b}"), "{}", run.stderr);
}

/// Runs `bindguard <args>` in `dir` with `stdin`.
fn bindguard_with_stdin(s: &Sandbox, dir: &Path, args: &[&str], stdin: &str) -> Run {
    let mut child = s
        .command(bindguard_bin(), dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn bindguard");
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    Run::from(child.wait_with_output().unwrap())
}

#[test]
fn malformed_stdin_exits_2_with_one_line() {
    let s = Sandbox::new();
    let (server, _work) = setup(&s);
    let run = bindguard_with_stdin(&s, &server, &["pre-receive"], "this is not a ref update\n");
    assert_eq!(run.code, 2, "{}", run.all());
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(run.stderr.contains("stdin line 1: expected `<old-oid> <new-oid> <refname>`"), "{}", run.stderr);
}

// 8. pre-push.
fn client(s: &Sandbox) -> (PathBuf, PathBuf) {
    let server = s.path().join("plain.git");
    s.git(s.path(), &["init", "-q", "--bare", "plain.git"]);
    let work = s.clone_repo(&server, "client");
    s.install_hooks(&work, &["--hooks", "pre-push"]);
    s.commit_files(&work, &[("app.py", GOOD)], "initial");
    for i in 0..10 {
        s.commit_files(
            &work,
            &[("lib.py", &GOOD.replace("'127.0.0.1'", &format!("'127.0.0.1', port={i}")))],
            &format!("lib {i}"),
        );
    }
    let run = s.push(&work, &["origin", "main"]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(run.stderr.contains("scanned 11 new commits"), "{}", run.stderr);
    (server, work)
}

#[test]
fn pre_push_new_branch_update_and_delete() {
    let s = Sandbox::new();
    let (_server, work) = client(&s);
    s.git(&work, &["checkout", "-q", "-b", "topic"]);
    s.commit_files(&work, &[("t.py", "T = 1\n")], "t1");
    s.commit_files(&work, &[("t.py", "T = 2\n")], "t2");
    let run = s.push(&work, &["origin", "topic"]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(run.stderr.contains("scanned 2 new commits"), "{}", run.stderr);
    s.commit_files(&work, &[("t.py", "T = 3\n")], "t3");
    let run = s.push(&work, &["origin", "topic"]);
    assert!(run.stderr.contains("scanned 1 new commit,"), "{}", run.stderr);
    let run = s.push(&work, &["origin", "--delete", "topic"]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(run.stderr.contains("scanned 0 new commits"), "{}", run.stderr);
}

#[test]
fn pre_push_rejects_a_bind() {
    let s = Sandbox::new();
    let (server, work) = client(&s);
    let before = s.ref_id(&server, "refs/heads/main");
    s.commit_files(&work, &[("app.py", BAD)], "bind");
    let run = s.push(&work, &["origin", "main"]);
    assert_ne!(run.code, 0, "{}", run.all());
    assert!(run.stderr.contains("error[CSP-D404]"), "{}", run.stderr);
    assert!(run.stderr.contains("push rejected"), "{}", run.stderr);
    assert_eq!(s.ref_id(&server, "refs/heads/main"), before);
}

#[test]
fn pre_push_verbose_prints_phase_timings() {
    let s = Sandbox::new();
    let (_server, work) = client(&s);
    s.commit_files(&work, &[("t.py", "T = 1\n")], "t1");
    let head = s.git(&work, &["rev-parse", "HEAD"]);
    let old = s.git(&work, &["rev-parse", "origin/main"]);
    let stdin = format!("refs/heads/main {} refs/heads/main {}\n", head.trim(), old.trim());
    let run = bindguard_with_stdin(&s, &work, &["pre-push", "--verbose", "origin", "/nowhere"], &stdin);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(run.stderr.contains("bindguard: timings: "), "{}", run.stderr);
    assert!(run.stderr.contains("diffing the trees of 1 commit,"), "{}", run.stderr);
    let run = bindguard_with_stdin(&s, &work, &["pre-push", "origin", "/nowhere"], &stdin);
    assert!(!run.stderr.contains("timings"), "{}", run.stderr);
}

#[test]
fn pre_push_to_a_url_hides_all_tracking_refs() {
    let s = Sandbox::new();
    let (server, work) = client(&s);
    s.git(&work, &["checkout", "-q", "-b", "viaurl"]);
    s.commit_files(&work, &[("u.py", "U = 1\n")], "u");
    let mirror = s.path().join("mirror.git");
    s.git(s.path(), &["init", "-q", "--bare", "mirror.git"]);
    let run = s.push(&work, &[mirror.to_str().unwrap(), "viaurl"]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(run.stderr.contains("scanned 1 new commit,"), "{}", run.stderr);
    assert!(run.stderr.contains("no tracking refs for"), "{}", run.stderr);
    // A repository with no remote-tracking refs at all says what it scanned.
    let lone = s.repo("lone");
    s.install_hooks(&lone, &["--hooks", "pre-push"]);
    s.commit_files(&lone, &[("a.py", "A = 1\n")], "a");
    s.commit_files(&lone, &[("a.py", "A = 2\n")], "b");
    let run = s.push(&lone, &[server.to_str().unwrap(), "main:lone"]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(run.stderr.contains("no remote-tracking refs: scanned the whole history"), "{}", run.stderr);
    assert!(run.stderr.contains("scanned 2 new commits"), "{}", run.stderr);
}

#[test]
fn pre_push_unreadable_tracking_refs_are_an_error() {
    let s = Sandbox::new();
    let (_server, work) = client(&s);
    write(&work.join(".git/refs/remotes/origin/broken"), "not an object id\n");
    s.commit_files(&work, &[("x.py", "X = 1\n")], "x");
    let run = s.push(&work, &["origin", "main"]);
    assert_ne!(run.code, 0, "{}", run.all());
    assert!(run.stderr.contains("cannot read the tracking refs of remote origin"), "{}", run.stderr);
}

#[test]
fn pre_push_escapes_the_remote_name() {
    let s = Sandbox::new();
    let (_server, work) = client(&s);
    let tip = s.commit_files(&work, &[("x.py", "X = 1\n")], "x");
    let stdin = format!("refs/heads/main {tip} refs/heads/main {}\n", "0".repeat(40));
    let run = bindguard_with_stdin(&s, &work, &["pre-push", "ev\x1b[2Jil", "/nowhere"], &stdin);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(run.stderr.contains("no tracking refs for ev\\u{1b}[2Jil"), "{}", run.stderr);
    assert!(!run.stderr.contains('\x1b'), "{:?}", run.stderr);
}

#[test]
fn pre_push_under_the_pre_commit_framework_reads_its_variables() {
    let s = Sandbox::new();
    let (_server, work) = client(&s);
    let remote_tip = s.git(&work, &["rev-parse", "HEAD"]).trim().to_owned();
    s.commit_files(&work, &[("x.py", "X = 1\n")], "x1");
    s.commit_files(&work, &[("app.py", BAD)], "bind");
    let local_tip = s.git(&work, &["rev-parse", "HEAD"]).trim().to_owned();
    let run = |from: &str| {
        let mut cmd = s.command(bindguard_bin(), &work);
        cmd.args(["pre-push"])
            .env("PRE_COMMIT_TO_REF", &local_tip)
            .env("PRE_COMMIT_REMOTE_NAME", "origin")
            .env("PRE_COMMIT_REMOTE_BRANCH", "refs/heads/main")
            .env("PRE_COMMIT_LOCAL_BRANCH", "refs/heads/main")
            .stdin(Stdio::null());
        if !from.is_empty() {
            cmd.env("PRE_COMMIT_FROM_REF", from);
        }
        Run::from(cmd.output().unwrap())
    };
    let ranged = run(&remote_tip);
    assert_eq!(ranged.code, 1, "{}", ranged.all());
    assert!(ranged.stderr.contains("scanned 2 new commits"), "{}", ranged.stderr);
    assert!(ranged.stderr.contains("app.py"), "{}", ranged.stderr);
    let no_from = run("");
    assert_eq!(no_from.code, 1, "{}", no_from.all());
    assert!(no_from.stderr.contains("scanned 2 new commits"), "tracking refs still hide history: {}", no_from.stderr);
}

/// The whole output of the main push scenarios through real `git push`: exit code, stdout and
/// stderr together (the hook's lines arrive as `remote:` lines on the server side).
mod snapshots {
    use super::{BAD, client, config, setup};
    use crate::support::Sandbox;

    #[test]
    fn pre_receive_rejected() {
        let s = Sandbox::new();
        let (_server, work) = setup(&s);
        s.commit_files(&work, &[("app.py", BAD)], "listen everywhere");
        insta::assert_snapshot!("pre_receive_rejected", s.push(&work, &["origin", "main"]).snapshot(&s));
    }

    #[test]
    fn pre_receive_accepted() {
        let s = Sandbox::new();
        let (_server, work) = setup(&s);
        s.commit_files(&work, &[("svc/worker.py", "print('hi')\n")], "worker");
        insta::assert_snapshot!("pre_receive_accepted", s.push(&work, &["origin", "main"]).snapshot(&s));
    }

    /// Policy lines before and after the report, all with GitLab's prefix.
    #[test]
    fn pre_receive_report_only_gitlab() {
        let s = Sandbox::new();
        let (server, work) = setup(&s);
        for (key, value) in [
            ("receive.advertisePushOptions", "true"),
            ("bindguard.reportOnly", "true"),
            ("bindguard.gitlabPrefix", "true"),
            ("bindguard.maxBlobSize", "512"),
            ("bindguard.onTooLarge", "fail-open"),
        ] {
            config(&s, &server, key, value);
        }
        s.commit_files(&work, &[("app.py", BAD), ("big.py", &format!("X = '{}'\n", "x".repeat(1000)))], "two");
        let run = s.push(&work, &["-o", "bindguard.skip=please", "origin", "main"]);
        insta::assert_snapshot!("pre_receive_report_only_gitlab", run.snapshot(&s));
    }

    #[test]
    fn pre_push_rejected() {
        let s = Sandbox::new();
        let (_server, work) = client(&s);
        s.commit_files(&work, &[("app.py", BAD)], "bind");
        insta::assert_snapshot!("pre_push_rejected", s.push(&work, &["origin", "main"]).snapshot(&s));
    }
}

/// A commit of the history whose change is one call added inside a helper (narrowed to the sites
/// that can reach it), later undone: the push is rejected for that commit.
#[test]
fn a_bind_added_as_one_call_and_undone_later_is_still_rejected() {
    let srv = "import socket\nimport threading\nANY = '0.0.0.0'\n\n\ndef serve(host):\n    sock = socket.socket()\n    sock.listen(1)\n\n\nlater = serve\nthreading.Thread(target=later, args=(ANY,)).start()\n";
    let s = Sandbox::new();
    let (_server, work) = setup(&s);
    s.commit_files(&work, &[("srv.py", srv)], "helper");
    let run = s.push(&work, &["origin", "main"]);
    assert_accepted(&run);
    let bound = srv.replace("    sock.listen(1)", "    sock.bind((host, 80))\n    sock.listen(1)");
    s.commit_files(&work, &[("srv.py", bound.as_str())], "bind");
    s.commit_files(&work, &[("srv.py", srv)], "unbind");
    let run = s.push(&work, &["origin", "main"]);
    assert_rejected(&run);
    assert!(run.stderr.contains("srv.py:3"), "{}", run.stderr);
    assert!(run.stderr.contains("\"bind\""), "{}", run.stderr);
}

/// A replacement ref changes what git shows for an object already on the server: here the
/// settings module that an unchanged bind imports. The files it changes are not in the push.
#[test]
fn a_replacement_ref_is_not_analysed_and_rejected_unless_the_server_lets_it_through() {
    let s = Sandbox::new();
    let (server, work) = setup(&s);
    s.commit_files(
        &work,
        &[
            ("app.py", "import socket\nfrom conf import HOST\nsocket.socket().bind((HOST, 80))\n"),
            ("conf.py", "HOST = '127.0.0.1'\n"),
        ],
        "app",
    );
    assert_accepted(&s.push(&work, &["-q", "origin", "HEAD:main"]));
    let clean = s.git(&work, &["rev-parse", "HEAD:conf.py"]).trim().to_owned();
    write(&work.join("bad.txt"), "HOST = '0.0.0.0'\n");
    let bad = s.git(&work, &["hash-object", "-w", "bad.txt"]).trim().to_owned();
    let replace = format!("{bad}:refs/replace/{clean}");
    let run = s.push(&work, &["origin", &replace]);
    assert_rejected(&run);
    assert!(run.stderr.contains(&format!("not analysed refs/replace/{clean}")), "{}", run.stderr);
    assert!(s.ref_id(&server, &format!("refs/replace/{clean}")).is_none());
    // The documented setting lets it through, and saying so.
    config(&s, &server, "bindguard.onIncomplete", "fail-open");
    let run = s.push(&work, &["origin", &replace]);
    assert_accepted(&run);
    assert!(s.ref_id(&server, &format!("refs/replace/{clean}")).is_some());
    // Deleting it restores what was there: nothing to analyse.
    config(&s, &server, "bindguard.onIncomplete", "fail-closed");
    assert_accepted(&s.push(&work, &["origin", &format!(":refs/replace/{clean}")]));
}

/// Two refs bring the same new file; in one ref's tree the helper it calls binds, in the other's
/// it only connects. Each final state is analysed with its own tree's modules.
#[test]
fn the_same_file_in_two_pushed_refs_is_analysed_with_each_refs_modules() {
    let s = Sandbox::new();
    let (server, work) = setup(&s);
    let binding =
        "import socket\n\n\ndef start_it(h):\n    s = socket.socket()\n    s.bind((h, 8080))\n    s.listen()\n";
    s.commit_files(&work, &[("helper.py", binding)], "helper");
    assert_accepted(&s.push(&work, &["-q", "origin", "HEAD:main"]));
    let caller = "from helper import start_it\nstart_it('0.0.0.0')\n";
    s.git(&work, &["checkout", "-qb", "y"]);
    s.commit_files(&work, &[("a.py", caller)], "y");
    s.git(&work, &["checkout", "-q", "main"]);
    s.git(&work, &["checkout", "-qb", "x"]);
    let connecting = "import socket\n\n\ndef start_it(h):\n    s = socket.socket()\n    s.connect((h, 8080))\n";
    s.commit_files(&work, &[("helper.py", connecting), ("a.py", caller)], "x");
    let run = s.push(&work, &["origin", "x", "y"]);
    assert_rejected(&run);
    assert!(run.stderr.contains("a.py:2:"), "{}", run.stderr);
    assert!(s.ref_id(&server, "refs/heads/y").is_none(), "{}", run.stderr);
}
