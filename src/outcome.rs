//! What a run has to say, as data. Every mode returns one [`Outcome`]; one renderer
//! (`render::write`) writes it in the chosen format to the right streams, so a new output format
//! is one change in one place. A mode decides *what* is said (the report, what was scanned, what
//! to do next, its policy messages, whether the commit or push is blocked); the renderer decides
//! *how* (format, stream, colour, escaping, GitLab's prefix).

use crate::repo_path::PathBase;
use crate::report::Report;

/// The end of one run.
#[derive(Debug)]
pub(crate) struct Outcome {
    pub(crate) body: Body,
    /// Messages said before the body: decisions taken before anything was scanned.
    pub(crate) before: Vec<String>,
    /// Messages said after the body: what `--fix` did, budget overruns, report-only mode.
    pub(crate) after: Vec<String>,
    /// Put before every line of text and every message (`GL-HOOK-ERR: ` on GitLab servers,
    /// which show a hook's lines only with it); empty elsewhere.
    pub(crate) line_prefix: &'static str,
    /// The commit or push is blocked (exit 1).
    pub(crate) blocks: bool,
    /// An error met after the messages in `before` were decided: they are said, then the run
    /// fails with it (exit 2).
    pub(crate) error: Option<anyhow::Error>,
    /// Where the report's paths start, for formats that want repository-relative paths.
    pub(crate) base: PathBase,
}

/// The main part of what a run says.
#[derive(Debug)]
pub(crate) enum Body {
    /// An analysis, in the chosen format. Text also says what was scanned and, when something
    /// blocks, the verdict and the next steps.
    Report { report: Report, scope: Scope, next_steps: Vec<String> },
    /// `check --diff`: the fixes as one patch on stdout, whatever the format.
    Patches(Vec<Patch>),
    /// Text for stdout as it is, whatever the format (a rule's documentation).
    Document(String),
    /// Nothing beyond the messages (a scan skipped by policy, an error in report-only mode).
    Nothing,
}

/// What was scanned, for the summary line; the counts of files and lines are in the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope {
    /// `check`: files on disk.
    Files,
    /// `pre-commit`: the staged files; `all_lines` when every line counted.
    Staged { all_lines: bool },
    /// `pre-push` / `pre-receive`: the commits a push brings.
    Push(PushScope),
    /// `pre-commit` under `pre-commit run --from-ref A --to-ref B`: the commits of a range.
    Range(PushScope),
}

/// What a push scan covered beyond the report's counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PushScope {
    pub(crate) new_commits: usize,
    /// Fewer than `new_commits` when a budget cut the scan short.
    pub(crate) scanned_commits: usize,
    /// Python files ruled out before they were diffed or parsed (not in the report's counts).
    pub(crate) ruled_out_files: usize,
}

/// One file's fix as `--diff` shows it: the whole text before and after.
#[derive(Debug)]
pub(crate) struct Patch {
    pub(crate) path: String,
    pub(crate) before: String,
    pub(crate) after: String,
}

impl Outcome {
    /// An outcome with nothing but `body`: no messages, no prefix, not blocking.
    pub(crate) fn new(body: Body) -> Self {
        Self {
            body,
            before: Vec::new(),
            after: Vec::new(),
            line_prefix: "",
            blocks: false,
            error: None,
            base: PathBase::default(),
        }
    }

    /// A report that blocks when it has an unsuppressed finding.
    pub(crate) fn report(report: Report, scope: Scope, next_steps: Vec<String>) -> Self {
        let blocks = report.blocks();
        Self { blocks, ..Self::new(Body::Report { report, scope, next_steps }) }
    }
}

/// `1 finding`, `2 findings`: every message is worded with it.
pub(crate) fn plural(count: usize, noun: &str) -> String {
    if count == 1 { format!("1 {noun}") } else { format!("{count} {noun}s") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plurals() {
        assert_eq!(plural(1, "finding"), "1 finding");
        assert_eq!(plural(0, "finding"), "0 findings");
    }

    #[test]
    fn a_report_blocks_only_with_findings() {
        let outcome = Outcome::report(Report::default(), Scope::Files, Vec::new());
        assert!(!outcome.blocks);
        assert!(outcome.before.is_empty() && outcome.after.is_empty() && outcome.error.is_none());
    }
}
