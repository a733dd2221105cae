//! `bindguard pre-commit`: the local gate. Reads exactly what the commit will record (the index
//! git hands the hook), analyses the staged Python files, keeps the findings on lines the commit
//! adds or modifies, and blocks the commit (exit 1) with the suggested diff. With `--fix` the
//! staged blobs are fixed ([`crate::modes::precommit_fix`]) and the index is scanned again, so
//! what is reported is what is staged now.

use std::time::Instant;

use crate::analysis;
use crate::fix::FixSummary;
use crate::git;
use crate::modes::gaps::{self, Hook};
use crate::modes::precommit_fix;
use crate::outcome::{Outcome, Scope, plural};
use crate::policy::Policy;
use crate::report::Report;
use crate::settings::PreCommitSettings;

/// The last line when a commit is blocked: fix, suppress, or bypass knowingly.
const NEXT_STEP: &str = "To commit: fix the lines above and `git add` them (`bindguard pre-commit --fix` does both), \
                         mark a deliberate bind with `# ignore: CSP-D404`, or bypass knowingly with \
                         `git commit --no-verify`.";

pub(crate) fn run(precommit: &PreCommitSettings) -> anyhow::Result<Outcome> {
    let repo = git::open::open_from_env()?;
    run_with_repo(&repo, precommit)
}

/// The hook's work on an open repository.
fn run_with_repo(repo: &gix::Repository, precommit: &PreCommitSettings) -> anyhow::Result<Outcome> {
    let started = Instant::now();
    let policy = Policy::from_config(|key| git::open::config_value(repo, key))?;
    crate::source::memory::set_per_file(policy.max_file_memory);
    let report = scan(repo, precommit, started)?;
    if precommit.fix && report.blocks() {
        return fix(repo, precommit, report, started);
    }
    outcome(repo, report, precommit)
}

/// Staged changes → report; the elapsed time covers the git side too.
fn scan(repo: &gix::Repository, precommit: &PreCommitSettings, started: Instant) -> anyhow::Result<Report> {
    let settings = &precommit.common;
    let options = git::staged::Options { all_lines: precommit.all_lines, max_file_size: settings.max_file_size };
    let changes = git::staged::staged_changes(repo, &options)?;
    let cx = analysis::Context { options: &settings.rules, max_file_size: settings.max_file_size, deadline: None };
    let mut report = analysis::analyze(changes, &cx);
    report.elapsed = started.elapsed();
    Ok(report)
}

/// The report, blocking the commit on findings and, unless the policy accepts them, on files
/// that could not be analysed completely.
fn outcome(repo: &gix::Repository, report: Report, precommit: &PreCommitSettings) -> anyhow::Result<Outcome> {
    let policy = Policy::from_config(|key| git::open::config_value(repo, key))?;
    let (lines, gaps_block) = gaps::judge(&report.incomplete, &policy, precommit.allow_incomplete, Hook::Commit);
    let mut outcome =
        Outcome::report(report, Scope::Staged { all_lines: precommit.all_lines }, vec![NEXT_STEP.to_owned()]);
    outcome.after = lines;
    outcome.blocks |= gaps_block;
    Ok(outcome)
}

/// `--fix`: fixes the staged blobs, reports what is still staged, and stops the commit for review
/// unless `--fix-continue` is given and nothing is left.
fn fix(
    repo: &gix::Repository,
    precommit: &PreCommitSettings,
    report: Report,
    started: Instant,
) -> anyhow::Result<Outcome> {
    let summary = precommit_fix::apply(repo, &report, &precommit.common.rules)?;
    // The summary says what the commit staged when the hook ran, not what is left after the fix
    // (a fix that undoes the whole change leaves nothing staged to count).
    let (files, lines) = (report.files_checked, report.lines_checked);
    let mut after = if summary.fixed_files > 0 { scan(repo, precommit, started)? } else { report };
    after.files_checked = files;
    after.lines_checked = lines;
    let remaining = after.active_count();
    let mut outcome = outcome(repo, after, precommit)?;
    outcome.after.extend(fix_messages(&summary, remaining, precommit.fix_continue));
    outcome.blocks |= summary.fixed_findings > 0 && !precommit.fix_continue;
    Ok(outcome)
}

/// What `--fix` changed, said in every format (stdout stays one JSON document).
fn fix_messages(summary: &FixSummary, remaining: usize, fix_continue: bool) -> Vec<String> {
    let mut lines: Vec<String> = summary.notes.iter().map(|note| format!("bindguard: note: {note}")).collect();
    if summary.fixed_findings == 0 {
        return lines;
    }
    let fixed =
        format!("fixed {} in {}", plural(summary.fixed_findings, "finding"), plural(summary.fixed_files, "file"));
    let next = match (remaining, fix_continue, summary.temporary_index) {
        (0, true, _) => "the commit goes on with the fixed content",
        (_, false, true) => {
            "this commit (`git commit -a`, `-p`, `-i` or with paths) staged into a temporary index, which git \
             discards when the hook stops it: the fix is in the worktree only (where its lines matched); run the \
             commit again to record it"
        }
        (0, false, false) => "the fix is staged: review it with `git diff --cached`, then commit again",
        _ => "the fix is staged (`git diff --cached`); the findings above are left",
    };
    lines.push(format!("bindguard: {fixed}; {next}"));
    lines
}
