//! `bindguard pre-receive` (the server-side gate) and `bindguard pre-push` (the client hook).
//!
//! Both read ref updates from stdin, scan only the commits the push brings
//! ([`crate::git::push`]), analyse each batch of changed files with the shared pipeline, and
//! reject the push (exit 1) on findings. The server adds its policy ([`crate::policy`]): time
//! and size budgets with an explicit fail-open / fail-closed choice, an opt-in bypass push
//! option, and a report-only mode. All output goes to stderr, which git relays to the pusher
//! as `remote:` lines; colour is never used on the server.

use std::io::Write;
use std::time::{Duration, Instant};

use anyhow::Context;

use crate::analysis;
use crate::changes::ChangeSet;
use crate::exit::ExitStatus;
use crate::git::push::{Known, Limits, Overrun, PushRepo, ScanSummary};
use crate::git::push_refs::RefUpdate;
use crate::modes::push_input::{SKIP_OPTION, framework_update, push_options, pusher, read_updates, skip_request};
use crate::policy::{OnOverrun, Policy};
use crate::render::{self, Stylesheet, plural};
use crate::report::Report;
use crate::settings::{PrePushSettings, PreReceiveSettings, Settings};
use crate::terminal::sanitize;

pub fn run_pre_receive(receive_settings: &PreReceiveSettings) -> anyhow::Result<ExitStatus> {
    let started = Instant::now();
    let settings = &receive_settings.common;
    let repo = PushRepo::open()?;
    let policy = Policy::from_config(|key| repo.config_value(key))?;
    let report_only = receive_settings.report_only || policy.report_only;
    let prefix = if receive_settings.gitlab || policy.gitlab_prefix { "GL-HOOK-ERR: " } else { "" };
    let mut out = Output { prefix, err: std::io::stderr().lock() };
    match receive(&repo, &policy, settings, started, &mut out) {
        Ok(status) if report_only && status != ExitStatus::Clean => {
            out.line("bindguard: report-only mode (bindguard.reportOnly): the push is accepted anyway")?;
            Ok(ExitStatus::Clean)
        }
        Err(err) if report_only => {
            let text = format!("{err:#}").replace('\n', " ");
            out.line(&format!("bindguard: error: {}", sanitize(&text)))?;
            out.line("bindguard: report-only mode (bindguard.reportOnly): the push is accepted anyway")?;
            Ok(ExitStatus::Clean)
        }
        other => other,
    }
}

pub fn run_pre_push(push: &PrePushSettings) -> anyhow::Result<ExitStatus> {
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
    let mut out = Output { prefix: "", err: std::io::stderr().lock() };
    let steps = next_steps(&report, "bypass (not recommended): git push --no-verify");
    print_report(&report, &summary, settings, steps, &mut out)?;
    Ok(ExitStatus::blocking(report.blocks()))
}

/// The whole pre-receive decision, before report-only softens it.
fn receive(
    repo: &PushRepo,
    policy: &Policy,
    settings: &Settings,
    started: Instant,
    out: &mut Output,
) -> anyhow::Result<ExitStatus> {
    let updates = read_updates(std::io::stdin().lock(), RefUpdate::parse_receive)?;
    if skip_granted(policy, out)? {
        return Ok(ExitStatus::Clean);
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
    print_report(&report, &summary, settings, steps, out)?;
    let budget_rejects = print_overruns(&summary, policy, out)?;
    Ok(ExitStatus::blocking(report.blocks() || budget_rejects))
}

/// Whether the pusher asked to skip the scan and the policy allows it; either way the decision
/// is printed (with the pusher and reason, for the audit trail, when granted).
fn skip_granted(policy: &Policy, out: &mut Output) -> anyhow::Result<bool> {
    let Some(reason) = skip_request(&push_options()) else {
        return Ok(false);
    };
    if !policy.allow_skip {
        out.line(&format!(
            "bindguard: push option {SKIP_OPTION} ignored: this server does not allow skipping (bindguard.allowSkip)"
        ))?;
        return Ok(false);
    }
    let reason = if reason.is_empty() { "(no reason given)".into() } else { reason };
    let text = format!("bindguard: scan skipped by push option {SKIP_OPTION}; pusher: {}; reason: {reason}", pusher());
    out.line(&sanitize(&text))?;
    Ok(true)
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
    report.scope_note = known.note.clone();
    report.elapsed = started.elapsed();
    Ok((report, summary))
}

fn print_report(
    report: &Report,
    summary: &ScanSummary,
    settings: &Settings,
    next_steps: Vec<String>,
    out: &mut Output,
) -> anyhow::Result<()> {
    if render::machine(report, settings.format, &mut std::io::stdout().lock())? {
        return Ok(());
    }
    if let Some(note) = &report.scope_note {
        // Names the remote, which comes from the command line (or a URL).
        out.line(&format!("bindguard: note: {}", sanitize(note)))?;
    }
    let options = render::text::TextOptions {
        line_prefix: out.prefix.to_owned(),
        scope: scope(report, summary),
        next_steps,
        blocked_verdict: Some("push rejected".to_owned()),
    };
    render::text::render(report, &Stylesheet::new(settings.color), &options, &mut out.err)?;
    Ok(())
}

/// `scanned 14 new commits (findings in 1), 3 Python files, 52 changed lines`.
fn scope(report: &Report, summary: &ScanSummary) -> String {
    let commits = if summary.scanned_commits == summary.new_commits {
        plural(summary.new_commits, "new commit")
    } else {
        format!("{} of {}", summary.scanned_commits, plural(summary.new_commits, "new commit"))
    };
    let mut with_findings: Vec<&str> =
        report.active_findings().filter_map(|(file, _)| file.commit.as_ref().map(|c| c.short_id.as_str())).collect();
    with_findings.sort_unstable();
    with_findings.dedup();
    let findings_in =
        if with_findings.is_empty() { String::new() } else { format!(" (findings in {})", with_findings.len()) };
    let files = report.files_checked + summary.ruled_out_files;
    let ruled_out = match summary.ruled_out_files {
        0 => String::new(),
        n => format!(" ({n} with nothing that could bind)"),
    };
    format!(
        "scanned {commits}{findings_in}, {}{ruled_out}, {}",
        plural(files, "Python file"),
        plural(report.lines_checked, "changed line")
    )
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

/// Prints what each budget overrun did; true when the policy rejects the push for it.
fn print_overruns(summary: &ScanSummary, policy: &Policy, out: &mut Output) -> anyhow::Result<bool> {
    let mut rejects = false;
    let mut verdict = |choice: OnOverrun| {
        rejects |= choice == OnOverrun::FailClosed;
        match choice {
            OnOverrun::FailOpen => "the push is accepted without a complete scan",
            OnOverrun::FailClosed => "push rejected; push fewer commits at a time, or ask the server admin",
        }
    };
    match summary.overrun {
        Some(Overrun::Time) => {
            let budget = policy.time_budget.unwrap_or(Duration::ZERO).as_secs_f64();
            let text = format!(
                "bindguard: time budget of {budget:.3}s (bindguard.timeBudget) ran out after {} of {}; \
                 bindguard.onTimeout={}: {}",
                summary.scanned_commits,
                plural(summary.new_commits, "new commit"),
                policy.on_timeout,
                verdict(policy.on_timeout)
            );
            out.line(&text)?;
        }
        Some(Overrun::Commits { limit }) => {
            let text = format!(
                "bindguard: the push brings more than {limit} new commits (bindguard.maxCommits), nothing was scanned; \
                 bindguard.onTooLarge={}: {}",
                policy.on_too_large,
                verdict(policy.on_too_large)
            );
            out.line(&text)?;
        }
        None => {}
    }
    if summary.oversized_blobs > 0 {
        let text = format!(
            "bindguard: {} over the size limit (bindguard.maxBlobSize) not scanned; bindguard.onTooLarge={}: {}",
            plural(summary.oversized_blobs, "file"),
            policy.on_too_large,
            verdict(policy.on_too_large)
        );
        out.line(&text)?;
    }
    Ok(rejects)
}

/// stderr with the per-line prefix GitLab needs.
struct Output<'a> {
    prefix: &'static str,
    err: std::io::StderrLock<'a>,
}

impl Output<'_> {
    fn line(&mut self, text: &str) -> std::io::Result<()> {
        writeln!(self.err, "{}{text}", self.prefix)
    }
}
