//! Command-line surface (clap derive). Doc comments here are the `--help` text.
//!
//! Nothing downstream sees these types: [`crate::settings`] resolves them once.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Stop Python services hardcoded to listen on every network interface (CSP-D404).
#[derive(Debug, Parser)]
#[command(name = "bindguard", version, about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Check Python files and directories (default: the current directory).
    Check(CheckArgs),
    /// Git pre-commit hook: check the staged changes (reads the index, never the worktree).
    PreCommit(PreCommitArgs),
    /// Git pre-push hook: check the commits being pushed (stdin: `<lref> <loid> <rref> <roid>`).
    PrePush(PrePushArgs),
    /// Git pre-receive hook (server): check every pushed commit (stdin: `<old> <new> <ref>`).
    PreReceive(PreReceiveArgs),
    /// Print the documentation of a rule.
    Explain {
        /// Rule code, e.g. CSP-D404.
        rule: String,
    },
}

/// Options every mode shares.
#[derive(Debug, Args, Clone)]
pub(crate) struct CommonArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub(crate) format: Format,
    /// When to use colour: `auto` colours only a terminal, and never when `NO_COLOR` is set.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub(crate) color: ColorChoice,
    /// Skip files larger than this many bytes (reported as skipped).
    #[arg(long, value_name = "BYTES", default_value_t = 10 * 1024 * 1024)]
    pub(crate) max_file_size: u64,
    /// Also honour other tools' markers (`# nosec`, `# noqa: S104`) as suppressions.
    #[arg(long)]
    pub(crate) foreign_markers: bool,
    /// Do not report the findings listed in this baseline (written by `check --write-baseline`);
    /// entries that match nothing any more are said.
    #[arg(long, value_name = "FILE")]
    pub(crate) baseline: Option<PathBuf>,
    /// Use this configuration file (bindguard.toml, or a pyproject.toml with [tool.bindguard])
    /// for every file, instead of the closest one above each.
    #[arg(long, value_name = "FILE", conflicts_with = "isolated")]
    pub(crate) config: Option<PathBuf>,
    /// Read no configuration file.
    #[arg(long)]
    pub(crate) isolated: bool,
    /// Exclude files and directories matching this pattern (gitignore syntax, relative to the
    /// current directory), in addition to the configuration's; repeatable.
    #[arg(long, value_name = "PATTERN")]
    pub(crate) exclude: Vec<String>,
}

/// How `--fix` rewrites a finding.
#[derive(Debug, Args, Clone)]
pub(crate) struct FixArgs {
    /// Apply the suggested fixes.
    #[arg(long)]
    pub(crate) fix: bool,
    /// `loopback` (the default): the host becomes 127.0.0.1 / `::1`. `env`: the host is read from
    /// an environment variable with a loopback default.
    #[arg(long, value_enum)]
    pub(crate) fix_style: Option<FixStyleArg>,
    /// Environment variable used by `--fix-style env` (default: `APP_HOST`).
    #[arg(long, value_name = "NAME")]
    pub(crate) fix_env_var: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    /// Files or directories; directories are walked respecting .gitignore. `-` reads one file
    /// from standard input.
    #[arg(value_name = "PATH")]
    pub(crate) paths: Vec<PathBuf>,
    /// With `-`: the name of the file read from standard input (for the report, the
    /// configuration and `.pyi` stubs).
    #[arg(long, value_name = "PATH")]
    pub(crate) stdin_filename: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) common: CommonArgs,
    #[command(flatten)]
    pub(crate) fix: FixArgs,
    /// Print the fixes as a diff and change nothing.
    #[arg(long)]
    pub(crate) diff: bool,
    /// Write every finding to this baseline file and exit 0 (later runs take `--baseline FILE`).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["fix", "diff"])]
    pub(crate) write_baseline: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct PreCommitArgs {
    #[command(flatten)]
    pub(crate) common: CommonArgs,
    #[command(flatten)]
    pub(crate) fix: FixArgs,
    /// Check whole staged files, not only the changed lines (a first audit).
    #[arg(long)]
    pub(crate) all_lines: bool,
    /// With --fix: let the commit go on with the fixed content instead of stopping it.
    #[arg(long, requires = "fix")]
    pub(crate) fix_continue: bool,
    /// Let files that could not be analysed completely through (they block by default; also
    /// `git config bindguard.onIncomplete fail-open` and `bindguard.onTooLarge`).
    #[arg(long)]
    pub(crate) allow_incomplete: bool,
}

#[derive(Debug, Args)]
pub(crate) struct PrePushArgs {
    /// Name of the remote (git passes it).
    pub(crate) remote: Option<String>,
    /// URL of the remote (git passes it).
    pub(crate) url: Option<String>,
    #[command(flatten)]
    pub(crate) common: CommonArgs,
    /// Let files that could not be analysed completely through (they block by default; also
    /// `git config bindguard.onIncomplete fail-open` and `bindguard.onTooLarge`).
    #[arg(long)]
    pub(crate) allow_incomplete: bool,
    /// After the report, say where the scan's time went (also `git config bindguard.verbose true`).
    #[arg(long)]
    pub(crate) verbose: bool,
}

#[derive(Debug, Args)]
pub(crate) struct PreReceiveArgs {
    #[command(flatten)]
    pub(crate) common: CommonArgs,
    /// Prefix every output line with `GL-HOOK-ERR: ` (GitLab shows such lines in its UI).
    /// Also `git config bindguard.gitlabPrefix true`.
    #[arg(long)]
    pub(crate) gitlab: bool,
    /// Print findings but never reject (overrides `bindguard.reportOnly`).
    #[arg(long)]
    pub(crate) report_only: bool,
    /// Let files that could not be analysed completely through (overrides
    /// `bindguard.onIncomplete` and `bindguard.onTooLarge`).
    #[arg(long)]
    pub(crate) allow_incomplete: bool,
    /// After the report, say where the scan's time went (also `git config bindguard.verbose true`).
    #[arg(long)]
    pub(crate) verbose: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    Text,
    Json,
    /// SARIF 2.1.0, for code-scanning dashboards (GitHub code scanning).
    Sarif,
    /// GitHub Actions workflow commands: annotations on the pull request.
    Github,
    /// GitLab Code Quality JSON (`artifacts: reports: codequality`).
    Gitlab,
    /// `JUnit` XML, for CI test reports.
    Junit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum FixStyleArg {
    Loopback,
    Env,
}
