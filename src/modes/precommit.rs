//! `bindguard pre-commit`: the local gate. Reads exactly what the commit will record (the index
//! git hands the hook), analyses the staged Python files, keeps the findings on lines the commit
//! adds or modifies, and blocks the commit (exit 1) with the suggested diff. With `--fix` the
//! staged blobs are fixed ([`crate::modes::precommit_fix`]) and the index is scanned again, so
//! what is reported is what is staged now.
//!
//! Under the pre-commit framework (`PRE_COMMIT` set) three things change. The framework has
//! stashed the unstaged changes, so the worktree equals the index, and it restores them with a
//! patch after the hooks ran: a hook that changes the index makes that patch fail and the work
//! is lost. So `--fix` fixes the worktree only, as the framework's other fixers do, and stops the
//! commit so the user stages the fix. `pre-commit run --from-ref A --to-ref B` audits the commits
//! of `A..B`. And the hints name what works there (`args: [--fix]`, `SKIP=bindguard`).

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::analysis;
use crate::baseline;
use crate::config;
use crate::fix::FixSummary;
use crate::git;
use crate::modes::gaps::{self, Hook};
use crate::modes::precommit_fix;
use crate::modes::project::{ProjectConfig, Snapshot};
use crate::modes::push;
use crate::outcome::{Outcome, Scope, plural};
use crate::policy::Policy;
use crate::repo_path::PathBase;
use crate::report::Report;
use crate::settings::{PreCommitSettings, Settings};

/// The last line when a commit is blocked: fix, suppress, or bypass knowingly.
const NEXT_STEP: &str = "To commit: fix the lines above and `git add` them (`bindguard pre-commit --fix` does both), \
                         mark a deliberate bind with `# ignore: CSP-D404`, or bypass knowingly with \
                         `git commit --no-verify`.";

/// The same under the pre-commit framework, where the binary lives in the framework's
/// environment and the hook's arguments come from `.pre-commit-config.yaml`.
const FRAMEWORK_NEXT_STEP: &str = "To commit: fix the lines above and `git add` them (`args: [--fix]` on the \
                                   bindguard hook in .pre-commit-config.yaml fixes the files for you), mark a \
                                   deliberate bind with `# ignore: CSP-D404`, or bypass knowingly with \
                                   `SKIP=bindguard git commit`.";

/// The error when the framework runs the hook and nothing is staged: the framework skips a hook
/// with no files on a commit, so this is `pre-commit run --all-files`, `--files` or
/// pre-commit.ci, where this hook would check nothing and pass.
const NOTHING_STAGED: &str = "nothing is staged, so this hook checked nothing: to check every file \
                              (`pre-commit run --all-files`, pre-commit.ci) use the `bindguard-check` hook id, \
                              for a range `pre-commit run --from-ref A --to-ref B`";

pub(crate) fn run(precommit: &PreCommitSettings) -> anyhow::Result<Outcome> {
    if let Some((from, to)) = precommit.framework.as_ref().and_then(|f| f.range.as_ref()) {
        return push::run_range(&precommit.common, from, to, "bypass knowingly: SKIP=bindguard");
    }
    let repo = git::open::open_from_env()?;
    run_with_repo(&repo, precommit)
}

/// The hook's work on an open repository, with the configuration the index holds.
fn run_with_repo(repo: &gix::Repository, precommit: &PreCommitSettings) -> anyhow::Result<Outcome> {
    let started = Instant::now();
    let policy = Policy::from_config(|key| git::open::config_value(repo, key))?;
    crate::source::memory::set_per_file(policy.max_file_memory);
    let index = git::staged::read_index(repo)?;
    let staged = Snapshot::new(git::staged::staged_files_named(repo, &index, &config::FILE_NAMES)?);
    let source = |path: &Path| staged.read(path);
    let project = ProjectConfig::new(&precommit.common, &source, Some(PathBuf::new()), Path::new(""))?;
    let settings = project.settings_for(&precommit.common, Path::new(""))?;
    let hook = Run { repo, precommit, settings, project, policy, started, said: RefCell::new(Vec::new()) };
    let report = hook.scan(index)?;
    let mut outcome = if precommit.fix && report.blocks() {
        if precommit.framework.is_some() { hook.fix_worktree(report) } else { hook.fix(report)? }
    } else {
        let nothing_staged = report.files_checked == 0 && report.skipped.is_empty();
        let mut outcome = hook.outcome(report);
        if precommit.framework.is_some() && nothing_staged {
            outcome.error = Some(anyhow::anyhow!(NOTHING_STAGED));
        }
        outcome
    };
    outcome.before = hook.said.take();
    Ok(outcome)
}

/// One run of the hook: the repository, the settings with the staged configuration applied.
struct Run<'a> {
    repo: &'a gix::Repository,
    precommit: &'a PreCommitSettings,
    settings: Settings,
    project: ProjectConfig<'a>,
    policy: Policy,
    started: Instant,
    /// What the last scan has to say (findings the baseline lists).
    said: RefCell<Vec<String>>,
}

impl Run<'_> {
    /// Staged changes → report; the elapsed time covers the git side too. Files the
    /// configuration excludes are not analysed; `per-file-ignores` silences findings.
    fn scan(&self, index: git::staged::Index) -> anyhow::Result<Report> {
        let settings = &self.settings;
        let options =
            git::staged::Options { all_lines: self.precommit.all_lines, max_file_size: settings.max_file_size };
        let mut changes = git::staged::staged_changes(self.repo, index, &options)?;
        self.project.drop_excluded(&mut changes)?;
        let cx = analysis::Context { options: &settings.rules, max_file_size: settings.max_file_size, deadline: None };
        let mut report = analysis::analyze(changes, &cx);
        self.project.silence(&mut report, |path| PathBuf::from(path))?;
        // Only changed lines are checked, so an entry that matches nothing says nothing here.
        let said = baseline::apply_file(settings.baseline.as_deref(), &mut report, &PathBase::default(), |_| false)?;
        self.said.replace(said);
        report.elapsed = self.started.elapsed();
        Ok(report)
    }
}

impl Run<'_> {
    /// The report, blocking the commit on findings and, unless the policy accepts them, on
    /// files that could not be analysed completely.
    fn outcome(&self, report: Report) -> Outcome {
        let precommit = self.precommit;
        let (lines, gaps_block) =
            gaps::judge(&report.incomplete, &self.policy, precommit.allow_incomplete, Hook::Commit);
        let step = if precommit.framework.is_some() { FRAMEWORK_NEXT_STEP } else { NEXT_STEP };
        let mut outcome =
            Outcome::report(report, Scope::Staged { all_lines: precommit.all_lines }, vec![step.to_owned()]);
        outcome.after = lines;
        outcome.blocks |= gaps_block;
        outcome
    }
}

impl Run<'_> {
    /// `--fix` under the framework: the staged findings are reported as they are (the index is
    /// not touched), the fix goes to the worktree, and the commit stops so the user stages it.
    fn fix_worktree(&self, report: Report) -> Outcome {
        let precommit = self.precommit;
        let summary = precommit_fix::apply_to_worktree(self.repo, &report, &self.settings.rules);
        let fixed: Vec<&str> = summary.files.iter().map(String::as_str).collect();
        let mut outcome = self.outcome(report);
        outcome.after.extend(summary.notes.iter().map(|note| format!("bindguard: note: {note}")));
        if !fixed.is_empty() {
            outcome.after.push(format!(
                "bindguard: fixed {} in the worktree ({}); the index is unchanged: review the fix, `git add` it and \
             commit again",
                plural(summary.fixed_findings, "finding"),
                fixed.join(", ")
            ));
        }
        if precommit.fix_continue {
            outcome.after.push(
                "bindguard: note: --fix-continue does not apply under the pre-commit framework: the fix must be staged"
                    .to_owned(),
            );
        }
        outcome
    }

    /// `--fix`: fixes the staged blobs, reports what is still staged, and stops the commit for
    /// review unless `--fix-continue` is given and nothing is left.
    fn fix(&self, report: Report) -> anyhow::Result<Outcome> {
        let precommit = self.precommit;
        let summary = precommit_fix::apply(self.repo, &report, &self.settings.rules)?;
        // The summary says what the commit staged when the hook ran, not what is left after the
        // fix (a fix that undoes the whole change leaves nothing staged to count).
        let (files, lines) = (report.files_checked, report.lines_checked);
        let mut after = if summary.fixed_files > 0 { self.scan(git::staged::read_index(self.repo)?)? } else { report };
        after.files_checked = files;
        after.lines_checked = lines;
        let remaining = after.active_count();
        let mut outcome = self.outcome(after);
        outcome.after.extend(fix_messages(&summary, remaining, precommit.fix_continue));
        outcome.blocks |= summary.fixed_findings > 0 && !precommit.fix_continue;
        Ok(outcome)
    }
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
