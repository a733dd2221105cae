//! `bindguard pre-commit`: the local gate. Reads exactly what the commit will record (the index
//! git hands the hook), analyses the staged Python files, keeps the findings on lines the commit
//! adds or modifies, and blocks the commit (exit 1) with the suggested diff. With `--fix` the
//! staged blobs are fixed ([`crate::modes::precommit_fix`]) and the index is scanned again, so
//! what is reported is what is staged now.
//!
//! Git sends a hook's stdout to stderr, so text goes to stderr (and colour is decided on it);
//! `--format json` goes to stdout for tools that capture it.

use std::io::Write;
use std::time::Instant;

use crate::analysis;
use crate::exit::ExitStatus;
use crate::fix::FixOutcome;
use crate::git;
use crate::modes::precommit_fix;
use crate::render::{self, Stylesheet, plural};
use crate::report::Report;
use crate::settings::{PreCommitSettings, Settings};
use crate::terminal::sanitize;

/// The last line when a commit is blocked: fix, suppress, or bypass knowingly.
const NEXT_STEP: &str = "To commit: fix the lines above and `git add` them (`bindguard pre-commit --fix` does both), \
                         mark a deliberate bind with `# ignore: CSP-D404`, or bypass knowingly with \
                         `git commit --no-verify`.";

pub fn run(precommit: &PreCommitSettings) -> anyhow::Result<ExitStatus> {
    let repo = git::open::open_from_env()?;
    run_with_repo(&repo, precommit)
}

pub fn run_with_repo(repo: &gix::Repository, precommit: &PreCommitSettings) -> anyhow::Result<ExitStatus> {
    let started = Instant::now();
    let settings = &precommit.common;
    let report = scan(repo, precommit, started)?;
    if precommit.fix && report.blocks() {
        return fix(repo, precommit, report, started);
    }
    print(&report, settings, precommit.all_lines)?;
    Ok(ExitStatus::blocking(report.blocks()))
}

/// Staged changes → report; the elapsed time covers the git side too.
fn scan(repo: &gix::Repository, precommit: &PreCommitSettings, started: Instant) -> anyhow::Result<Report> {
    let settings = &precommit.common;
    let options = git::staged::Options { all_lines: precommit.all_lines, max_file_size: settings.max_file_size };
    let changes = git::staged::staged_changes(repo, &options)?;
    let mut report = analysis::analyze(changes, &settings.rules, settings.max_file_size);
    report.elapsed = started.elapsed();
    Ok(report)
}

/// `--fix`: fixes the staged blobs, reports what is still staged, and stops the commit for review
/// unless `--fix-continue` is given and nothing is left.
fn fix(
    repo: &gix::Repository,
    precommit: &PreCommitSettings,
    report: Report,
    started: Instant,
) -> anyhow::Result<ExitStatus> {
    let settings = &precommit.common;
    let outcome = precommit_fix::apply(repo, &report, &settings.rules)?;
    let after = if outcome.fixed_files > 0 { scan(repo, precommit, started)? } else { report };
    print(&after, settings, precommit.all_lines)?;
    let remaining = after.active_count();
    print_fix_outcome(&outcome, remaining, precommit.fix_continue)?;
    let stop = remaining > 0 || (outcome.fixed_findings > 0 && !precommit.fix_continue);
    Ok(ExitStatus::blocking(stop))
}

fn print(report: &Report, settings: &Settings, all_lines: bool) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    if render::machine(report, settings.format, &mut stdout)? {
        stdout.flush()?;
        return Ok(());
    }
    let options = render::text::TextOptions {
        scope: scope(report, all_lines),
        next_steps: vec![NEXT_STEP.to_owned()],
        blocked_verdict: Some("commit blocked".to_owned()),
        ..Default::default()
    };
    let mut out = std::io::stderr().lock();
    render::text::render(report, &Stylesheet::new(settings.color), &options, &mut out)?;
    Ok(())
}

/// What `--fix` changed, on stderr in every format (stdout stays one JSON document).
fn print_fix_outcome(outcome: &FixOutcome, remaining: usize, fix_continue: bool) -> anyhow::Result<()> {
    let mut err = std::io::stderr().lock();
    for note in &outcome.notes {
        writeln!(err, "bindguard: note: {}", sanitize(note))?;
    }
    if outcome.fixed_findings == 0 {
        return Ok(());
    }
    let fixed =
        format!("fixed {} in {}", plural(outcome.fixed_findings, "finding"), plural(outcome.fixed_files, "file"));
    let next = match (remaining, fix_continue) {
        (0, true) => "the commit goes on with the fixed content",
        (0, false) => "the fix is staged: review it with `git diff --cached`, then commit again",
        _ => "the fix is staged (`git diff --cached`); the findings above are left",
    };
    writeln!(err, "bindguard: {fixed}; {next}")?;
    Ok(())
}

/// What was scanned, e.g. `3 staged Python files, 41 changed lines`.
fn scope(report: &Report, all_lines: bool) -> String {
    let lines = if all_lines { "line" } else { "changed line" };
    format!("{}, {}", plural(report.files_checked, "staged Python file"), plural(report.lines_checked, lines))
}
