//! `bindguard pre-receive` (the server-side gate), and what it shares with `bindguard pre-push`
//! (the client hook, [`super::prepush`]).
//!
//! Both read ref updates from stdin, scan what the push brings ([`crate::git::push`]: the final
//! state of every pushed ref first, then each new commit), analyse each batch of changed files
//! with the shared pipeline, and reject the push (exit 1) on findings, or on files that could not
//! be analysed completely ([`super::gaps`]). The server adds its policy ([`crate::policy`]): time
//! and size budgets with an explicit fail-open / fail-closed choice, an opt-in bypass push
//! option, and a report-only mode, each decision said in the outcome with the key that caused
//! it, and the last line always says what happens to the push. Text output goes to stderr,
//! which git relays to the pusher as `remote:` lines; colour is never used on the server.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context;

use crate::analysis;
use crate::changes::{Cause, Incomplete};
use crate::config;
use crate::finding::Finding;
use crate::git::push::{Handed, Known, Limits, Overrun, Phase, PushRepo, ScanSummary};
use crate::git::push_refs::RefUpdate;
use crate::modes::gaps::{self, Hook};
use crate::modes::project::{ProjectConfig, Snapshot};
use crate::modes::push_input::{SKIP_OPTION, push_options, pusher, read_updates, skip_request};
use crate::outcome::{Body, Outcome, PushScope, Scope, plural};
use crate::policy::{OnOverrun, Policy};
use crate::report::{FileReport, Report};

pub(crate) use super::prepush::run_pre_push;
use crate::settings::{PreReceiveSettings, Settings};

/// The last line after policy lines.
const REJECTED: &str = "bindguard: push rejected";
const ACCEPTED: &str = "bindguard: push accepted";

/// Said last whenever report-only mode accepts a push that would have been rejected.
const REPORT_ONLY: &str =
    "bindguard: report-only mode (bindguard.reportOnly): the push would be rejected, and is accepted anyway";

/// `say` writes a progress line while the scan runs (the outcome only comes at the end).
pub(crate) fn run_pre_receive(receive_settings: &PreReceiveSettings, say: Say<'_>) -> anyhow::Result<Outcome> {
    let started = Instant::now();
    let repo = PushRepo::open()?;
    let policy = Policy::from_config(|key| repo.config_value(key))?;
    crate::source::memory::set_per_file(policy.max_file_memory);
    let mut said = Vec::new();
    let mut outcome = match receive(&repo, &policy, receive_settings, (started, say), &mut said) {
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
    if outcome.after.last().is_some_and(|line| line == REJECTED) {
        outcome.after.pop();
    }
    outcome.after.push(REPORT_ONLY.to_owned());
    outcome.blocks = false;
}

/// After policy lines, the last line says what happens to the push, so that no line about one
/// cause reads as the verdict on the whole.
pub(super) fn decide(outcome: &mut Outcome) {
    if !outcome.after.is_empty() {
        let verdict = if outcome.blocks { REJECTED } else { ACCEPTED };
        outcome.after.push(verdict.to_owned());
    }
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
    let snapshot = Snapshot::new(repo.pushed_files_named(&updates, &config::FILE_NAMES)?);
    let source = |path: &Path| snapshot.read(path);
    let project = ProjectConfig::new(settings, &source, Some(PathBuf::new()), Path::new(""))?;
    let settings = &project.settings_for(settings, Path::new(""))?;
    let limits = Limits { deadline: None, max_commits: None, max_blob_size: settings.max_file_size };
    let watch = Watch { started, progress: None, verbose: false };
    let (mut report, summary, _) = scan_and_analyze(&repo, &updates, &known, &limits, settings, Some(&project), watch)?;
    report.scope_note = Some(format!("the commits in {from}..{to} (pre-commit --from-ref/--to-ref), not the index"));
    let steps = next_steps(&report, bypass);
    Ok(Outcome::report(report, Scope::Range(push_numbers(&summary)), steps))
}

/// The whole pre-receive decision, before report-only softens it. Decisions taken before the
/// scan are added to `said` as they are taken, so that they are said even if the scan fails.
fn receive(
    repo: &PushRepo,
    policy: &Policy,
    receive_settings: &PreReceiveSettings,
    (started, say): (Instant, Say<'_>),
    said: &mut Vec<String>,
) -> anyhow::Result<Outcome> {
    let settings = &receive_settings.common;
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
    // A pushed configuration must not switch the gate off: it counts only when the server says
    // so (bindguard.trustRepoConfig).
    let trusted = repo
        .config_value("bindguard.trustRepoConfig")
        .is_some_and(|v| matches!(v.as_str(), "true" | "yes" | "on" | "1"));
    let snapshot =
        Snapshot::new(if trusted { repo.pushed_files_named(&updates, &config::FILE_NAMES)? } else { Vec::new() });
    let source = |path: &Path| snapshot.read(path);
    let project = ProjectConfig::new(settings, &source, Some(PathBuf::new()), Path::new(""))?;
    let settings = &project.settings_for(settings, Path::new(""))?;
    if trusted {
        said.push("bindguard: the pushed repository configuration applies (bindguard.trustRepoConfig)".to_owned());
    }
    let verbose = receive_settings.verbose || policy.verbose;
    let watch = Watch { started, progress: policy.progress.map(|every| (every, say)), verbose };
    let (report, summary, spent) = scan_and_analyze(repo, &updates, &known, &limits, settings, Some(&project), watch)?;
    let bypass = if policy.allow_skip {
        format!("bypass (logged): git push -o {SKIP_OPTION}=\"<reason>\"")
    } else {
        String::new()
    };
    let steps = next_steps(&report, &bypass);
    let (mut lines, budget_rejects) = overruns(&summary, policy);
    if watch.verbose {
        lines.push(timings(&summary, spent, started.elapsed()));
    }
    let (gap_lines, gaps_block) =
        gaps::judge(&report.incomplete, policy, receive_settings.allow_incomplete, Hook::Receive);
    lines.extend(gap_lines);
    let mut outcome = Outcome::report(report, push_scope(&summary), steps);
    outcome.after = lines;
    outcome.blocks |= budget_rejects || gaps_block;
    decide(&mut outcome);
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
/// batches, so memory stays bounded. One report for the whole push: the findings of the final
/// state that the history confirms are told once, with the commit that brought them. Blobs
/// within the scan's size limit (`bindguard.maxBlobSize` on the server) are analysed, whatever
/// `--max-file-size` says: a blob is either analysed or reported as not analysed, never dropped
/// in between.
pub(super) fn scan_and_analyze(
    repo: &PushRepo,
    updates: &[RefUpdate],
    known: &Known,
    limits: &Limits,
    settings: &Settings,
    project: Option<&ProjectConfig<'_>>,
    watch: Watch<'_>,
) -> anyhow::Result<(Report, ScanSummary, Spent)> {
    let (sender, receiver) = std::sync::mpsc::sync_channel::<(Phase, Handed)>(2);
    let handed = std::cell::Cell::new(0usize);
    let mut spent = Spent::default();
    // A commit of the history is analysed alone: the gate of the analysis of one file, put to its
    // files where they are read (on the analysis threads, and on this one for links).
    let alone = &|bytes: &[u8]| settings.rules.may_contain_bind(bytes);
    let (mut report, summary) = std::thread::scope(|scope| {
        let analyzer = std::thread::Builder::new()
            .name("analysis".into())
            .stack_size(crate::source::STACK_SIZE)
            .spawn_scoped(scope, move || {
                let (mut final_state, mut history) = (Report::default(), Report::default());
                // Both phases within the budget: a final-state file the budget cuts short blocks
                // (see merge_phases), a history file follows bindguard.onTimeout.
                let cx = analysis::Context {
                    options: &settings.rules,
                    max_file_size: limits.max_blob_size,
                    deadline: limits.deadline,
                };
                let mut busy = Duration::ZERO;
                let mut reader = None;
                for (phase, handed) in receiver {
                    let began = Instant::now();
                    let analysed = match handed {
                        Handed::Files(changes) => analysis::analyze(changes, &cx),
                        Handed::Unread(batch) => {
                            let read = |file: &_| batch.reader.read(file, alone);
                            let analysed = analysis::analyze_loaded(&batch.files, read, None, &cx);
                            reader = Some(batch.reader);
                            analysed
                        }
                    };
                    busy += began.elapsed();
                    match phase {
                        Phase::FinalState => final_state.absorb(analysed),
                        Phase::History => history.absorb(analysed),
                    }
                }
                let ruled_out = reader.map_or(0, |r| r.ruled_out());
                (merge_phases(final_state, history), busy, ruled_out)
            })
            .context("cannot start the analysis thread")?;
        let mut sink = |phase, mut handed_over: Handed| {
            if let Some(project) = project {
                match &mut handed_over {
                    Handed::Files(changes) => project.drop_excluded(changes)?,
                    Handed::Unread(batch) => {
                        batch.files = project.kept(std::mem::take(&mut batch.files), |f| f.path())?
                    }
                }
            }
            handed.set(handed.get() + handed_over.len());
            let began = Instant::now();
            let sent = sender.send((phase, handed_over)).context("the analysis thread stopped");
            spent.waiting += began.elapsed();
            sent
        };
        let mut ticker = Ticker::new(watch.progress, watch.started);
        let mut progress = |scanned, total| ticker.tick(scanned, total, handed.get());
        // Injected so that the git layer knows nothing of the rules.
        // A file with no sink of its own may still pass a plainly spelled address to a helper; an
        // entry point may bind with an address of another module of the final state, and a call
        // may hand a value of one imported module to a helper of another (the analysis decides
        // with the project; each commit of the history is then gated again on its own, before
        // it is parsed).
        let options = &settings.rules;
        let in_project = |bytes: &[u8]| {
            options.may_define_sinks(bytes)
                || crate::rules::spells_address_plainly(bytes)
                || crate::rules::may_call_imported(bytes)
        };
        let gates = crate::git::Gates { in_project: &in_project, alone };
        let summary = repo.scan(updates, known, limits, gates, &mut sink, &mut progress);
        drop(sender);
        let (report, busy, ruled_out) = analyzer.join().map_err(|_| anyhow::anyhow!("the analysis thread panicked"))?;
        spent.analysis = busy;
        let mut summary = summary?;
        summary.ruled_out_files += ruled_out;
        Ok::<_, anyhow::Error>((report, summary))
    })?;
    report.commits = Some(summary.scanned_commits);
    report.incomplete.extend(replacements(updates));
    if let Some(project) = project {
        project.silence(&mut report, |path| PathBuf::from(path))?;
    }
    // Only changed lines are checked, so an entry that matches nothing says nothing here.
    crate::baseline::apply_file(settings.baseline.as_deref(), &mut report, &Default::default(), |_| false)?;
    report.scope_note.clone_from(&known.note);
    report.elapsed = watch.started.elapsed();
    Ok((report, summary, spent))
}

/// Refs under `refs/replace/` that the push creates or moves. Git then shows the new object
/// wherever the replaced one is used, in history the receiving side already has too: which files
/// that changes, and what they do with the new content, cannot be told from the push, so such an
/// update is never counted clean (`bindguard.onIncomplete` decides). Deleting one restores
/// objects that were there before.
fn replacements(updates: &[RefUpdate]) -> impl Iterator<Item = Incomplete> + '_ {
    updates.iter().filter(|u| !u.is_deletion() && u.refname.starts_with("refs/replace/")).map(|u| {
        let reason = "a replacement ref: git shows its object wherever the replaced one is used, in files this scan does not read";
        Incomplete::new(u.refname.clone(), reason, Cause::Analysis)
    })
}

/// Writes one progress line as the scan goes (modes never print: the front door hands this in).
pub(crate) type Say<'s> = &'s dyn Fn(&str);

/// How a scan tells about itself: progress lines while it runs (`bindguard.progress`: how often,
/// and where), where the time went after it (`--verbose`, `bindguard.verbose`).
#[derive(Clone, Copy)]
pub(super) struct Watch<'s> {
    pub(super) started: Instant,
    pub(super) progress: Option<(Duration, Say<'s>)>,
    pub(super) verbose: bool,
}

/// What the analysis thread spent, and how long the scan waited for it.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Spent {
    /// Analysing the batches (decoding, parsing, the rule), on the analysis thread.
    analysis: Duration,
    /// The scan thread blocked handing a batch over (the analysis was behind).
    waiting: Duration,
}

/// Prints a progress line at most once per interval, the first after one interval: a short
/// scan says nothing.
struct Ticker<'s> {
    every: Option<(Duration, Say<'s>)>,
    next: Instant,
}

impl<'s> Ticker<'s> {
    fn new(every: Option<(Duration, Say<'s>)>, started: Instant) -> Self {
        Self { every, next: started + every.map(|(every, _)| every).unwrap_or_default() }
    }

    fn tick(&mut self, scanned: usize, total: usize, handed: usize) {
        let Some((every, say)) = self.every else { return };
        let now = Instant::now();
        if now < self.next {
            return;
        }
        self.next = now + every;
        say(&progress_line(scanned, total, handed));
    }
}

fn progress_line(scanned: usize, total: usize, handed: usize) -> String {
    format!(
        "bindguard: scanning the history: {scanned} of {}, {} handed to the analysis",
        plural(total, "new commit"),
        plural(handed, "Python file"),
    )
}

/// `--verbose`: where the time went, phase by phase.
pub(super) fn timings(summary: &ScanSummary, spent: Spent, total: Duration) -> String {
    let t = summary.timings;
    format!(
        "bindguard: timings: {:.3} s in all; finding the new commits {:.3} s; the final state of the pushed \
         refs {:.3} s; the history {:.3} s (diffing the trees of {}, handing paths over included); waiting for \
         the analysis {:.3} s; the analysis {:.3} s on its own threads (reading and diffing the history's \
         files, decoding, parsing, the rule)",
        total.as_secs_f64(),
        t.walk.as_secs_f64(),
        t.final_states.as_secs_f64(),
        t.history.as_secs_f64(),
        plural(summary.scanned_commits, "commit"),
        spent.waiting.as_secs_f64(),
        spent.analysis.as_secs_f64(),
    )
}

/// One report from both phases. A finding of a ref's final state that the history also found
/// (same path, same text, same place) is told once, with the commit that brought it; the rest of
/// the final state's findings come first (the history may not have been scanned to them).
fn merge_phases(final_state: Report, mut history: Report) -> Report {
    let mut merged = Report { files: Vec::new(), ..Report::default() };
    let same_version = |h: &FileReport, file: &FileReport| h.raw_path == file.raw_path && h.digest == file.digest;
    let mut files = Vec::new();
    for mut file in final_state.files {
        let twins: Vec<&mut FileReport> = history.files.iter_mut().filter(|h| same_version(h, &file)).collect();
        if !twins.is_empty() {
            file.syntax_errors.clear();
        }
        // Told by the history only where the history blocks as much: a history that saw only a
        // suppressed sink of a literal (it does not follow imports) leaves the final state's
        // unsuppressed finding standing, which then tells that literal alone.
        let told = |f: &Finding| {
            twins.iter().flat_map(|h| &h.findings).any(|h| h.value == f.value && (!h.suppressed || f.suppressed))
        };
        file.findings.retain(|f| !told(f));
        for twin in twins {
            twin.findings.retain(|h| !file.findings.iter().any(|f| f.value == h.value));
        }
        if !file.findings.is_empty() || !file.syntax_errors.is_empty() {
            files.push(file);
        }
    }
    history.files.retain(|h| !h.findings.is_empty() || !h.syntax_errors.is_empty());
    // The budget never lets a final state through unchecked.
    let mut incomplete = final_state.incomplete;
    for gap in &mut incomplete {
        if gap.cause == Cause::Time {
            gap.cause = Cause::FinalStateTime;
        }
    }
    for gap in &history.incomplete {
        if !incomplete.contains(gap) {
            incomplete.push(gap.clone());
        }
    }
    merged.skipped = final_state.skipped;
    merged.absorb(Report { incomplete: Vec::new(), ..history });
    merged.incomplete = incomplete;
    merged.files_checked += final_state.files_checked;
    merged.lines_checked += final_state.lines_checked;
    files.append(&mut merged.files);
    merged.files = files;
    merged
}

/// What the scan covered beyond the report's counts.
pub(super) fn push_scope(summary: &ScanSummary) -> Scope {
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
pub(super) fn next_steps(report: &Report, bypass: &str) -> Vec<String> {
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

/// What each budget overrun did, and whether the policy rejects the push for it. The final state
/// of every pushed ref was scanned whatever the budget (unless the commit limit rejected the
/// push outright), so fail-open only ever lets unscanned history through.
fn overruns(summary: &ScanSummary, policy: &Policy) -> (Vec<String>, bool) {
    let mut rejects = false;
    let mut verdict = |choice: OnOverrun, what: &str| {
        rejects |= choice == OnOverrun::FailClosed;
        match choice {
            OnOverrun::FailOpen => format!("the {what} is let through unscanned"),
            OnOverrun::FailClosed => "push rejected; push fewer commits at a time, or ask the server admin".to_owned(),
        }
    };
    let mut lines = Vec::new();
    match summary.overrun {
        Some(Overrun::Time) => {
            let budget = policy.time_budget.unwrap_or(Duration::ZERO).as_secs_f64();
            let effect = verdict(policy.on_timeout, "rest of the history");
            lines.push(format!(
                "bindguard: time budget of {budget:.3}s (bindguard.timeBudget) ran out after {} of {} \
                 (the final state of every pushed ref was checked); bindguard.onTimeout={}: {effect}",
                summary.scanned_commits,
                plural(summary.new_commits, "new commit"),
                policy.on_timeout,
            ));
        }
        Some(Overrun::Commits { limit }) => {
            let effect = verdict(policy.on_too_large, "history");
            let scanned = if policy.on_too_large == OnOverrun::FailOpen {
                "only the final state of the pushed refs was scanned"
            } else {
                "nothing was scanned"
            };
            lines.push(format!(
                "bindguard: the push brings more than {limit} new commits (bindguard.maxCommits), {scanned}; \
                 bindguard.onTooLarge={}: {effect}",
                policy.on_too_large,
            ));
        }
        None => {}
    }
    (lines, rejects)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_only_accepts_what_would_reject_and_says_so() {
        let mut blocked = Outcome { blocks: true, ..Outcome::new(Body::Nothing) };
        blocked.after.push(REJECTED.to_owned());
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
