//! `bindguard pre-push`: the client side of [`super::push`]. What is pushed comes from git's
//! stdin, from the pre-commit framework's variables, or — when neither names a ref — from the
//! current branch against the remote's tracking refs, said either way: the hook never passes in
//! silence (spec §9). The repository's git config can relax what blocks ([`super::gaps`]).

use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::config;

use crate::git::push::{Limits, PushRepo};
use crate::git::push_refs::RefUpdate;
use crate::modes::gaps::{self, Hook};
use crate::modes::project::{ProjectConfig, Snapshot};
use crate::modes::push::{Say, Watch, decide, next_steps, push_scope, scan_and_analyze, timings};
use crate::modes::push_input::{Framework, framework, read_updates};
use crate::outcome::Outcome;
use crate::policy::Policy;
use crate::settings::PrePushSettings;

/// `say` writes a progress line while the scan runs (the outcome only comes at the end).
pub(crate) fn run_pre_push(push: &PrePushSettings, say: Say<'_>) -> anyhow::Result<Outcome> {
    let started = Instant::now();
    let settings = &push.common;
    let repo = PushRepo::open()?;
    let framework_remote = std::env::var("PRE_COMMIT_REMOTE_NAME").ok();
    let remote = push.remote.as_deref().or(framework_remote.as_deref()).unwrap_or_default();
    let remote = remote_name(&repo, remote);
    let remote = remote.as_str();
    let mut said = Vec::new();
    let updates = push_updates(&repo, remote, &mut said)?;
    let known = repo.known_on_remote(remote, &updates)?;
    let policy = Policy::from_config(|key| repo.config_value(key))?;
    crate::source::memory::set_per_file(policy.max_file_memory);
    let snapshot = Snapshot::new(repo.pushed_files_named(&updates, &config::FILE_NAMES)?);
    let source = |path: &Path| snapshot.read(path);
    let project = ProjectConfig::new(settings, &source, Some(PathBuf::new()), Path::new(""))?;
    let settings = &project.settings_for(settings, Path::new(""))?;
    let limits = Limits { deadline: None, max_commits: None, max_blob_size: settings.max_file_size };
    let progress = policy.progress.map(|every| (every, say));
    let watch = Watch { started, progress, verbose: push.verbose || policy.verbose };
    let (report, summary, spent) = scan_and_analyze(&repo, &updates, &known, &limits, settings, Some(&project), watch)?;
    let steps = next_steps(&report, "bypass (not recommended): git push --no-verify");
    let (mut lines, gaps_block) = gaps::judge(&report.incomplete, &policy, push.allow_incomplete, Hook::Push);
    if watch.verbose {
        lines.push(timings(&summary, spent, started.elapsed()));
    }
    let mut outcome = Outcome::report(report, push_scope(&summary), steps);
    outcome.before = said;
    outcome.after = lines;
    outcome.blocks |= gaps_block;
    decide(&mut outcome);
    Ok(outcome)
}

/// What to tell the user when the pushed refs had to be worked out.
const STDIN_HINT: &str =
    "a hook manager must pass git's stdin to this hook (lefthook: `use_stdin: true` on the pre-push command)";

/// The ref updates of this push: git's stdin, or the pre-commit framework's variables. When
/// neither names a ref (git sends nothing when everything is up to date, and hook managers may
/// drop stdin), the update is worked out from the current branch and the remote's refs, and said.
fn push_updates(repo: &PushRepo, remote: &str, said: &mut Vec<String>) -> anyhow::Result<Vec<RefUpdate>> {
    match framework() {
        Framework::Update(line) => read_updates(line.as_bytes(), RefUpdate::parse_push),
        Framework::Branch { local, remote: remote_ref } => {
            said.push(format!(
                "bindguard: note: the pre-commit framework gave no range (a first push): checking what {local} \
                 brings that {remote} does not have"
            ));
            Ok(repo.implied_update(&local, remote, &remote_ref)?.into_iter().collect())
        }
        Framework::Absent => {
            let updates = if std::io::IsTerminal::is_terminal(&std::io::stdin()) {
                Vec::new()
            } else {
                read_updates(std::io::stdin().lock(), RefUpdate::parse_push)?
            };
            if !updates.is_empty() {
                return Ok(updates);
            }
            implied_by_head(repo, remote, said)
        }
    }
}

/// No ref update on stdin: the current branch against the remote, said either way.
fn implied_by_head(repo: &PushRepo, remote: &str, said: &mut Vec<String>) -> anyhow::Result<Vec<RefUpdate>> {
    let Some(branch) = repo.current_branch() else {
        said.push(format!(
            "bindguard: warning: git sent no ref updates on stdin and HEAD is on no branch: nothing was checked; \
             {STDIN_HINT}"
        ));
        return Ok(Vec::new());
    };
    let update = repo.implied_update(&branch, remote, &branch)?;
    said.push(match update {
        None => format!("bindguard: note: git sent no ref updates on stdin and {remote} has {branch}: nothing to push"),
        Some(_) => format!(
            "bindguard: warning: git sent no ref updates on stdin, but {branch} has commits {remote} does not have: \
             checked them as the push; {STDIN_HINT}"
        ),
    });
    Ok(update.into_iter().collect())
}

/// The remote git named; when none is named (the hook run by hand or by a manager that passes no
/// arguments), the current branch's configured remote, or `origin`.
fn remote_name(repo: &PushRepo, remote: &str) -> String {
    if !remote.is_empty() {
        return remote.to_owned();
    }
    let branch = repo.current_branch();
    let branch = branch.as_deref().and_then(|b| b.strip_prefix("refs/heads/")).unwrap_or_default();
    repo.config_value(&format!("branch.{branch}.remote")).unwrap_or_else(|| "origin".into())
}
