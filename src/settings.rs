//! Raw arguments + environment + terminal → resolved settings, once: the last place a clap type
//! appears. Each subcommand gets its own settings (the shared [`Settings`] plus its flags); the
//! decisions in here are pure functions, unit-tested.

use std::io::IsTerminal;
use std::path::PathBuf;

use crate::cli::{self, Cli, ColorChoice, CommonArgs, FixArgs, FixStyleArg};
use crate::config::{Config, FixStyleName, UserSink};
use crate::render::{Format, Target};
use crate::rules::{self, FixStyle};

/// The subcommand to run, with everything it needs resolved.
#[derive(Debug)]
pub(crate) enum Command {
    Check(CheckSettings),
    PreCommit(PreCommitSettings),
    PrePush(PrePushSettings),
    PreReceive(PreReceiveSettings),
    /// Print the documentation of this rule.
    Explain(String),
}

/// `check`: files and directories on disk.
#[derive(Debug)]
pub(crate) struct CheckSettings {
    pub(crate) common: Settings,
    /// What to walk; `.` when none were given.
    pub(crate) paths: Vec<PathBuf>,
    /// Rewrite the files with the verified fixes.
    pub(crate) fix: bool,
    /// Print the fixes as one patch and change nothing.
    pub(crate) diff: bool,
    /// Write the findings to this baseline file instead of reporting them.
    pub(crate) write_baseline: Option<PathBuf>,
    /// `check -`: one file from standard input, under this name (`-` when none was given).
    pub(crate) stdin: Option<PathBuf>,
}

/// `pre-commit`: the staged changes.
#[derive(Debug)]
pub(crate) struct PreCommitSettings {
    pub(crate) common: Settings,
    /// Fix the staged blobs (and the worktree where it still matches).
    pub(crate) fix: bool,
    /// With `fix`: let the commit go on with the fixed content.
    pub(crate) fix_continue: bool,
    /// Every line of a staged file counts, not only the changed ones.
    pub(crate) all_lines: bool,
    /// Files not analysed completely do not block.
    pub(crate) allow_incomplete: bool,
    /// Run by the pre-commit framework (`PRE_COMMIT` is set), which changes what `--fix` may
    /// touch and what the hints say.
    pub(crate) framework: Option<Framework>,
}

/// What the pre-commit framework (<https://pre-commit.com>) tells a hook it runs.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Framework {
    /// `pre-commit run --from-ref A --to-ref B`: audit the commits in `A..B`, not the index.
    pub(crate) range: Option<(String, String)>,
}

impl Framework {
    /// The framework's variables, read through `var` (unset and empty are the same).
    pub(crate) fn from_env(var: impl Fn(&str) -> Option<String>) -> Option<Self> {
        let var = |name: &str| var(name).filter(|value| !value.is_empty());
        var("PRE_COMMIT")?;
        let range = var("PRE_COMMIT_FROM_REF").zip(var("PRE_COMMIT_TO_REF"));
        Some(Self { range })
    }
}

/// `pre-push`: the commits a push brings to a remote.
#[derive(Debug)]
pub(crate) struct PrePushSettings {
    pub(crate) common: Settings,
    /// The remote's name as git passes it (a URL when the push goes to one).
    pub(crate) remote: Option<String>,
    /// Files not analysed completely do not block.
    pub(crate) allow_incomplete: bool,
    /// Say where the scan's time went.
    pub(crate) verbose: bool,
}

/// `pre-receive`: the commits a push brings to this server.
#[derive(Debug)]
pub(crate) struct PreReceiveSettings {
    pub(crate) common: Settings,
    /// Prefix every line for GitLab (the server's `bindguard.gitlabPrefix` can also ask for it).
    pub(crate) gitlab: bool,
    /// Never reject (the server's `bindguard.reportOnly` can also ask for it).
    pub(crate) report_only: bool,
    /// Files not analysed completely do not block, whatever the server's configuration says.
    pub(crate) allow_incomplete: bool,
    /// Say where the scan's time went (the server's `bindguard.verbose` can also ask for it).
    pub(crate) verbose: bool,
}

/// Resolves the parsed command line; colour is decided for the stream each mode writes text to.
pub(crate) fn resolve(cli: Cli) -> Command {
    match cli.command {
        cli::Command::Check(args) => Command::Check(CheckSettings {
            stdin: (args.paths.len() == 1 && args.paths[0] == std::path::Path::new("-"))
                .then(|| args.stdin_filename.clone().unwrap_or_else(|| PathBuf::from("-"))),
            common: Settings::resolve(&args.common, Some(&args.fix), Stream::Stdout),
            paths: if args.paths.is_empty() { vec![PathBuf::from(".")] } else { args.paths },
            fix: args.fix.fix,
            diff: args.diff,
            write_baseline: args.write_baseline,
        }),
        cli::Command::PreCommit(args) => Command::PreCommit(PreCommitSettings {
            common: Settings::resolve(&args.common, Some(&args.fix), Stream::Stderr),
            fix: args.fix.fix,
            fix_continue: args.fix_continue,
            all_lines: args.all_lines,
            allow_incomplete: args.allow_incomplete,
            framework: Framework::from_env(|name| std::env::var(name).ok()),
        }),
        cli::Command::PrePush(args) => Command::PrePush(PrePushSettings {
            common: Settings::resolve(&args.common, None, Stream::Stderr),
            remote: args.remote,
            allow_incomplete: args.allow_incomplete,
            verbose: args.verbose,
        }),
        cli::Command::PreReceive(args) => Command::PreReceive(PreReceiveSettings {
            common: Settings::resolve(&args.common, None, Stream::Remote),
            gitlab: args.gitlab,
            report_only: args.report_only,
            allow_incomplete: args.allow_incomplete,
            verbose: args.verbose,
        }),
        cli::Command::Explain { rule } => Command::Explain(rule),
    }
}

impl Command {
    /// Where and how this command's outcome is written (`explain` writes plain text).
    pub(crate) fn output(&self) -> Target {
        match self {
            Command::Check(check) => check.common.output,
            Command::PreCommit(precommit) => precommit.common.output,
            Command::PrePush(push) => push.common.output,
            Command::PreReceive(receive) => receive.common.output,
            Command::Explain(_) => Target::default(),
        }
    }
}

/// What the shared pipeline and the renderers need to know.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    /// Where and how the outcome is written.
    pub(crate) output: Target,
    pub(crate) max_file_size: u64,
    pub(crate) rules: rules::Options,
    /// Findings listed in this baseline file are not reported.
    pub(crate) baseline: Option<PathBuf>,
    /// Which configuration files to read, and what the command line says over them.
    pub(crate) project: Project,
}

/// The project configuration as the command line shapes it; each mode reads the configuration
/// from the snapshot it checks and calls [`Settings::apply_config`].
#[derive(Debug, Clone, Default)]
pub(crate) struct Project {
    pub(crate) choice: ConfigChoice,
    /// `--exclude` patterns, relative to the current directory.
    pub(crate) exclude: Vec<String>,
    /// Rule options given on the command line, which win over the configuration.
    given: Given,
    /// The project's own listen APIs (`extend-sinks`), for the rules once they take them.
    pub(crate) extra_sinks: Vec<UserSink>,
}

/// Where the configuration comes from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) enum ConfigChoice {
    /// The closest configuration file above each file checked.
    #[default]
    Discover,
    /// `--config FILE`.
    File(PathBuf),
    /// `--isolated`.
    None,
}

/// Which rule options the command line set.
#[derive(Debug, Clone, Copy, Default)]
struct Given {
    fix_style: bool,
    env_var: bool,
    foreign_markers: bool,
}

fn format(format: cli::Format) -> Format {
    match format {
        cli::Format::Text => Format::Text,
        cli::Format::Json => Format::Json,
        cli::Format::Sarif => Format::Sarif,
        cli::Format::Github => Format::Github,
        cli::Format::Gitlab => Format::Gitlab,
        cli::Format::Junit => Format::Junit,
    }
}

/// Where text output goes, for the colour decision: git sends hook stdout to stderr, so each
/// mode says which stream it really writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stream {
    Stdout,
    Stderr,
    /// Relayed to someone else's terminal (pre-receive output becomes `remote:` lines): `auto`
    /// never colours it, whatever our own stderr is.
    Remote,
}

impl Settings {
    pub(crate) fn resolve(common: &CommonArgs, fix: Option<&FixArgs>, stream: Stream) -> Self {
        let is_terminal = match stream {
            Stream::Stdout => std::io::stdout().is_terminal(),
            Stream::Stderr => std::io::stderr().is_terminal(),
            Stream::Remote => false,
        };
        let env = |name| std::env::var_os(name).filter(|v| !v.is_empty());
        let color = use_color(common.color, is_terminal, env("NO_COLOR").is_some(), env("TERM"));
        let mut rules = rules::Options { foreign_markers: common.foreign_markers, ..Default::default() };
        let mut given = Given { foreign_markers: common.foreign_markers, ..Given::default() };
        if let Some(style) = fix.and_then(|fix| fix.fix_style) {
            rules.fix_style = match style {
                FixStyleArg::Loopback => FixStyle::Loopback,
                FixStyleArg::Env => FixStyle::Env,
            };
            given.fix_style = true;
        }
        if let Some(name) = fix.and_then(|fix| fix.fix_env_var.clone()) {
            rules.env_var = name;
            given.env_var = true;
        }
        let choice = match (&common.config, common.isolated) {
            (Some(file), _) => ConfigChoice::File(file.clone()),
            (None, true) => ConfigChoice::None,
            (None, false) => ConfigChoice::Discover,
        };
        let project = Project { choice, exclude: common.exclude.clone(), given, extra_sinks: Vec::new() };
        let output = Target { format: format(common.format), color, text_to_stderr: stream != Stream::Stdout };
        Self { output, max_file_size: common.max_file_size, rules, baseline: common.baseline.clone(), project }
    }

    /// The project's configuration fills what the command line left: command line, then
    /// configuration, then the defaults.
    pub(crate) fn apply_config(&mut self, config: &Config) {
        let given = self.project.given;
        if let (false, Some(style)) = (given.fix_style, config.fix_style) {
            self.rules.fix_style = match style {
                FixStyleName::Loopback => FixStyle::Loopback,
                FixStyleName::Env => FixStyle::Env,
            };
        }
        if let (false, Some(name)) = (given.env_var, &config.fix_env_var) {
            self.rules.env_var.clone_from(name);
        }
        if let (false, Some(on)) = (given.foreign_markers, config.foreign_markers) {
            self.rules.foreign_markers = on;
        }
        self.project.extra_sinks.clone_from(&config.extend_sinks);
        let declared: Vec<rules::UserSink> = config.extend_sinks.iter().map(user_sink).collect();
        self.rules.declare(&declared);
    }
}

/// `always` / `never` win; `auto` colours a terminal unless `NO_COLOR` is set or `TERM=dumb`.
pub(crate) fn use_color(
    choice: ColorChoice,
    is_terminal: bool,
    no_color: bool,
    term: Option<std::ffi::OsString>,
) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => is_terminal && !no_color && term.is_none_or(|t| t != "dumb"),
    }
}

/// A configured `extend-sinks` entry in the rule's own terms.
fn user_sink(sink: &crate::config::UserSink) -> rules::UserSink {
    use crate::config::{AcceptName, SinkShape};
    let shape = match sink.shape {
        SinkShape::Host => rules::UserShape::Host,
        SinkShape::Hosts => rules::UserShape::Hosts,
        SinkShape::Addr => rules::UserShape::Addr,
        SinkShape::HostPort => rules::UserShape::HostPort,
        SinkShape::HostPorts => rules::UserShape::HostPorts,
        SinkShape::Url => rules::UserShape::Url,
    };
    rules::UserSink {
        name: sink.name.clone(),
        position: sink.position,
        keyword: sink.keyword.clone(),
        shape,
        empty: sink.accept.contains(&AcceptName::Empty),
        star: sink.accept.contains(&AcceptName::Star),
        zero: sink.accept.contains(&AcceptName::Zero),
        description: sink.description.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_decision() {
        assert!(use_color(ColorChoice::Always, false, true, None));
        assert!(!use_color(ColorChoice::Never, true, false, None));
        assert!(use_color(ColorChoice::Auto, true, false, Some("xterm".into())));
        assert!(!use_color(ColorChoice::Auto, false, false, None));
        assert!(!use_color(ColorChoice::Auto, true, true, None));
        assert!(!use_color(ColorChoice::Auto, true, false, Some("dumb".into())));
    }

    fn parse(args: &[&str]) -> Command {
        use clap::Parser;
        resolve(Cli::try_parse_from(args).expect("valid arguments"))
    }

    #[test]
    fn each_subcommand_keeps_its_own_flags() {
        let Command::Check(check) = parse(&["bindguard", "check", "--diff"]) else { panic!("not check") };
        assert_eq!(check.paths, [PathBuf::from(".")]);
        assert!(check.diff && !check.fix);
        let args = ["bindguard", "pre-commit", "--fix", "--fix-continue", "--all-lines", "--fix-style", "env"];
        let Command::PreCommit(precommit) = parse(&args) else { panic!("not pre-commit") };
        assert!(precommit.fix && precommit.fix_continue && precommit.all_lines);
        assert_eq!(precommit.common.rules.fix_style, FixStyle::Env);
        let Command::PreReceive(receive) = parse(&["bindguard", "pre-receive", "--gitlab"]) else {
            panic!("not pre-receive")
        };
        assert!(receive.gitlab && !receive.report_only);
        assert!(!receive.common.output.color, "a server's output is never coloured by default");
        assert!(receive.common.output.text_to_stderr);
        let Command::PrePush(push) = parse(&["bindguard", "pre-push", "origin", "url"]) else { panic!("not pre-push") };
        assert_eq!(push.remote.as_deref(), Some("origin"));
    }

    #[test]
    fn the_command_line_wins_over_the_configuration_which_wins_over_the_defaults() {
        let config = Config {
            fix_style: Some(FixStyleName::Env),
            fix_env_var: Some("FROM_CONFIG".into()),
            foreign_markers: Some(true),
            ..Config::default()
        };
        let Command::Check(mut check) = parse(&["bindguard", "check"]) else { panic!("not check") };
        check.common.apply_config(&config);
        assert_eq!(check.common.rules.fix_style, FixStyle::Env);
        assert_eq!(check.common.rules.env_var, "FROM_CONFIG");
        assert!(check.common.rules.foreign_markers);
        let args = ["bindguard", "check", "--fix-style", "loopback", "--fix-env-var", "CLI"];
        let Command::Check(mut check) = parse(&args) else { panic!("not check") };
        check.common.apply_config(&config);
        assert_eq!(check.common.rules.fix_style, FixStyle::Loopback);
        assert_eq!(check.common.rules.env_var, "CLI");
        let Command::Check(check) = parse(&["bindguard", "check", "--isolated", "--exclude", "a/"]) else { panic!() };
        assert_eq!(check.common.project.choice, ConfigChoice::None);
        assert_eq!(check.common.project.exclude, ["a/"]);
    }

    #[test]
    fn the_framework_is_told_by_its_variables() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| pairs.iter().find(|(n, _)| *n == name).map(|(_, v)| (*v).to_owned())
        };
        assert_eq!(Framework::from_env(env(&[])), None);
        assert_eq!(Framework::from_env(env(&[("PRE_COMMIT", "")])), None);
        assert_eq!(Framework::from_env(env(&[("PRE_COMMIT", "1")])), Some(Framework::default()));
        let only_from = env(&[("PRE_COMMIT", "1"), ("PRE_COMMIT_FROM_REF", "main")]);
        assert_eq!(Framework::from_env(only_from), Some(Framework::default()));
        let range = env(&[("PRE_COMMIT", "1"), ("PRE_COMMIT_FROM_REF", "main"), ("PRE_COMMIT_TO_REF", "HEAD")]);
        assert_eq!(Framework::from_env(range).unwrap().range, Some(("main".into(), "HEAD".into())));
    }
}
