//! `bindguard pre-receive` (the server-side gate) and `bindguard pre-push` (the client hook).
//!
//! Both read ref updates from stdin, scan only the commits the push brings
//! ([`crate::git::push`]), analyse each batch of changed files with the shared pipeline, and
//! reject the push (exit 1) on findings. The server adds its policy ([`crate::policy`]): time
//! and size budgets with an explicit fail-open / fail-closed choice, an opt-in bypass push
//! option, and a report-only mode, each decision said in the outcome with the key that caused
//! it. Text output goes to stderr, which git relays to the pusher as `remote:` lines; colour is
//! never used on the server.

use std::time::{Duration, Instant};

use anyhow::Context;

use crate::analysis;
use crate::changes::ChangeSet;
use crate::git::push::{Known, Limits, Overrun, PushRepo, ScanSummary};
use crate::git::push_refs::RefUpdate;
use crate::modes::push_input::{SKIP_OPTION, framework_update, push_options, pusher, read_updates, skip_request};
use crate::outcome::{Body, Outcome, PushScope, Scope, plural};
use crate::policy::{OnOverrun, Policy};
use crate::report::Report;
use crate::settings::{PrePushSettings, PreReceiveSettings, Settings};

/// Said last whenever report-only mode accepts a push that would have been rejected.
const REPORT_ONLY: &str = "bindguard: report-only mode (bindguard.reportOnly): the push is accepted anyway";

pub(crate) fn run_pre_receive(receive_settings: &PreReceiveSettings) -> anyhow::Result<Outcome> {
    let started = Instant::now();
    let repo = PushRepo::open()?;
    let policy = Policy::from_config(|key| repo.config_value(key))?;
    let mut said = Vec::new();
    let mut outcome = match receive(&repo, &policy, &receive_settings.common, started, &mut said) {
        Ok(outcome) => outcome,
        Err(error) => Outcome { error: Some(error), ..Outcome::new(Body::Nothing) },
    };
    outcome.before = said;
    if receive_settings.gitlab || policy.gitlab_prefix {
        outcome.line_prefix = "GL-HOOK-ERR: ";
    }
    if receive_settings.report_only || policy.report_only {
        accept_anyway(&mut outcome);
    }
    Ok(outcome)
}

/// Report-only mode: what would reject the push (findings, a budget, an error) is said, and the
/// push is accepted.
fn accept_anyway(outcome: &mut Outcome) {
    if let Some(error) = outcome.error.take() {
        outcome.after.push(format!("bindguard: error: {}", format!("{error:#}").replace('\n', " ")));
    } else if !outcome.blocks {
        return;
    }
    outcome.after.push(REPORT_ONLY.to_owned());
    outcome.blocks = false;
}

pub(crate) fn run_pre_push(push: &PrePushSettings) -> anyhow::Result<Outcome> {
    let started = Instant::now();
    let settings = &push.common;
    let repo = PushRepo::open()?;
    let updates = match framework_update() {
        Some(line) => read_updates(line.as_bytes(), RefUpdate::parse_push)?,
        None => read_updates(std::io::stdin().lock(), RefUpdate::parse_push)?,
    };
    let framework_remote = std::env::var("PRE_COMMIT_REMOTE_NAME").ok();
    let remote = push.remote.as_deref().or(framework_remote.as_deref()).unwrap_or_default();
    let known = repo.known_on_remote(remote, &updates)?;
    let limits = Limits { deadline: None, max_commits: None, max_blob_size: settings.max_file_size };
    let (report, summary) = scan_and_analyze(&repo, &updates, &known, &limits, settings, started)?;
    let steps = next_steps(&report, "bypass (not recommended): git push --no-verify");
    Ok(Outcome::report(report, push_scope(&summary), steps))
}

/// `pre-commit run --from-ref A --to-ref B` (the framework runs the `pre-commit` hook with the
/// range in its variables): the commits of `A..B`, scanned as a push of `B` onto a remote that
/// has exactly `A`'s history, whatever the remote-tracking refs say.
pub(crate) fn run_range(settings: &Settings, from: &str, to: &str, bypass: &str) -> anyhow::Result<Outcome> {
    let started = Instant::now();
    let repo = PushRepo::open()?;
    let line = format!("HEAD {} HEAD {}\n", repo.resolve(to)?, repo.resolve(from)?);
    let updates = read_updates(line.as_bytes(), RefUpdate::parse_push)?;
    let known = repo.known_below(&updates)?;
    let limits = Limits { deadline: None, max_commits: None, max_blob_size: settings.max_file_size };
    let (mut report, summary) = scan_and_analyze(&repo, &updates, &known, &limits, settings, started)?;
    report.scope_note = Some(format!("the commits in {from}..{to} (pre-commit --from-ref/--to-ref), not the index"));
    let steps = next_steps(&report, bypass);
    Ok(Outcome::report(report, Scope::Range(push_numbers(&summary)), steps))
}

/// The whole pre-receive decision, before report-only softens it. Decisions taken before the
/// scan are added to `said` as they are taken, so that they are said even if the scan fails.
fn receive(
    repo: &PushRepo,
    policy: &Policy,
    settings: &Settings,
    started: Instant,
    said: &mut Vec<String>,
) -> anyhow::Result<Outcome> {
    let updates = read_updates(std::io::stdin().lock(), RefUpdate::parse_receive)?;
    if skip_granted(policy, said) {
        return Ok(Outcome::new(Body::Nothing));
    }
    let known = repo.known_on_server()?;
    let limits = Limits {
        deadline: policy.time_budget.map(|budget| started + budget),
        max_commits: policy.max_commits,
        max_blob_size: policy.max_blob_size.unwrap_or(settings.max_file_size),
    };
    let (report, summary) = scan_and_analyze(repo, &updates, &known, &limits, settings, started)?;
    let bypass = if policy.allow_skip {
        format!("bypass (logged): git push -o {SKIP_OPTION}=\"<reason>\"")
    } else {
        String::new()
    };
    let steps = next_steps(&report, &bypass);
    let mut outcome = Outcome::report(report, push_scope(&summary), steps);
    let (overruns, budget_rejects) = overruns(&summary, policy);
    outcome.after = overruns;
    outcome.blocks |= budget_rejects;
    Ok(outcome)
}

/// Whether the pusher asked to skip the scan and the policy allows it; either way the decision
/// is said (with the pusher and reason, for the audit trail, when granted).
fn skip_granted(policy: &Policy, said: &mut Vec<String>) -> bool {
    let Some(reason) = skip_request(&push_options()) else {
        return false;
    };
    if !policy.allow_skip {
        said.push(format!(
            "bindguard: push option {SKIP_OPTION} ignored: this server does not allow skipping (bindguard.allowSkip)"
        ));
        return false;
    }
    let reason = if reason.is_empty() { "(no reason given)".into() } else { reason };
    said.push(format!("bindguard: scan skipped by push option {SKIP_OPTION}; pusher: {}; reason: {reason}", pusher()));
    true
}

/// Scans the push and analyses each batch as it arrives, on another thread: reading git
/// objects (one thread) overlaps with the parallel analysis. The channel holds at most two
/// batches, so memory stays bounded. One report for the whole push. Blobs within the scan's
/// size limit (`bindguard.maxBlobSize` on the server) are analysed, whatever `--max-file-size`
/// says: a blob is either analysed or reported as skipped, never dropped in between.
fn scan_and_analyze(
    repo: &PushRepo,
    updates: &[RefUpdate],
    known: &Known,
    limits: &Limits,
    settings: &Settings,
    started: Instant,
) -> anyhow::Result<(Report, ScanSummary)> {
    let (sender, receiver) = std::sync::mpsc::sync_channel::<ChangeSet>(2);
    let (mut report, summary) = std::thread::scope(|scope| {
        let analyzer = scope.spawn(move || {
            let mut report = Report::default();
            for changes in receiver {
                report.absorb(analysis::analyze(changes, &settings.rules, limits.max_blob_size));
            }
            report
        });
        let mut sink = |changes| sender.send(changes).context("the analysis thread stopped");
        // Injected so that the git layer knows nothing of the rules.
        let gate = |bytes: &[u8]| crate::rules::may_contain_bind(bytes);
        let summary = repo.scan(updates, known, limits, &gate, &mut sink);
        drop(sender);
        let report = analyzer.join().map_err(|_| anyhow::anyhow!("the analysis thread panicked"));
        Ok::<_, anyhow::Error>((report?, summary?))
    })?;
    report.commits = Some(summary.scanned_commits);
    // Only changed lines are checked, so an entry that matches nothing says nothing here.
    crate::baseline::apply_file(settings.baseline.as_deref(), &mut report, &Default::default(), |_| false)?;
    report.scope_note.clone_from(&known.note);
    report.elapsed = started.elapsed();
    Ok((report, summary))
}

/// What the scan covered beyond the report's counts.
fn push_scope(summary: &ScanSummary) -> Scope {
    Scope::Push(push_numbers(summary))
}

fn push_numbers(summary: &ScanSummary) -> PushScope {
    PushScope {
        new_commits: summary.new_commits,
        scanned_commits: summary.scanned_commits,
        ruled_out_files: summary.ruled_out_files,
    }
}

/// How to get the push through: rewrite the commit (a later fix does not remove it from
/// history), suppress a deliberate bind, or the bypass this side allows.
fn next_steps(report: &Report, bypass: &str) -> Vec<String> {
    let commit = report
        .active_findings()
        .find_map(|(file, _)| file.commit.as_ref().map(|c| c.short_id.clone()))
        .unwrap_or_else(|| "<commit>".into());
    let mut steps = vec![
        "how to fix: the pushed history must not contain the bind; a later commit that removes it is not enough."
            .into(),
        format!(
            "  rewrite the commit that adds it: git rebase -i {commit}^ (mark it `edit`), fix the line, \
             git commit --amend, git rebase --continue, then push again"
        ),
        "  a deliberate bind: add `# ignore: CSP-D404` to that line".into(),
    ];
    if !bypass.is_empty() {
        steps.push(format!("  {bypass}"));
    }
    steps
}

/// What each budget overrun did, and whether the policy rejects the push for it.
fn overruns(summary: &ScanSummary, policy: &Policy) -> (Vec<String>, bool) {
    let mut rejects = false;
    let mut verdict = |choice: OnOverrun| {
        rejects |= choice == OnOverrun::FailClosed;
        match choice {
            OnOverrun::FailOpen => "the push is accepted without a complete scan",
            OnOverrun::FailClosed => "push rejected; push fewer commits at a time, or ask the server admin",
        }
    };
    let mut lines = Vec::new();
    match summary.overrun {
        Some(Overrun::Time) => {
            let budget = policy.time_budget.unwrap_or(Duration::ZERO).as_secs_f64();
            lines.push(format!(
                "bindguard: time budget of {budget:.3}s (bindguard.timeBudget) ran out after {} of {}; \
                 bindguard.onTimeout={}: {}",
                summary.scanned_commits,
                plural(summary.new_commits, "new commit"),
                policy.on_timeout,
                verdict(policy.on_timeout)
            ));
        }
        Some(Overrun::Commits { limit }) => lines.push(format!(
            "bindguard: the push brings more than {limit} new commits (bindguard.maxCommits), nothing was scanned; \
             bindguard.onTooLarge={}: {}",
            policy.on_too_large,
            verdict(policy.on_too_large)
        )),
        None => {}
    }
    if summary.oversized_blobs > 0 {
        lines.push(format!(
            "bindguard: {} over the size limit (bindguard.maxBlobSize) not scanned; bindguard.onTooLarge={}: {}",
            plural(summary.oversized_blobs, "file"),
            policy.on_too_large,
            verdict(policy.on_too_large)
        ));
    }
    (lines, rejects)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_only_accepts_what_would_reject_and_says_so() {
        let mut blocked = Outcome { blocks: true, ..Outcome::new(Body::Nothing) };
        accept_anyway(&mut blocked);
        assert!(!blocked.blocks);
        assert_eq!(blocked.after, [REPORT_ONLY]);
        let error = anyhow::anyhow!("object missing").context("cannot read\nthe push");
        let mut failed = Outcome { error: Some(error), ..Outcome::new(Body::Nothing) };
        accept_anyway(&mut failed);
        assert!(failed.error.is_none() && !failed.blocks);
        assert_eq!(failed.after, ["bindguard: error: cannot read the push: object missing", REPORT_ONLY]);
        let mut clean = Outcome::new(Body::Nothing);
        accept_anyway(&mut clean);
        assert!(clean.after.is_empty());
    }
}
