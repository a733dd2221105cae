//! Raw arguments + environment + terminal → resolved settings, once. Pure and unit-tested.

use std::io::IsTerminal;

use crate::cli::{self, ColorChoice, CommonArgs, FixArgs, FixStyleArg};
use crate::rules::{self, FixStyle};

/// What the shared pipeline and the renderers need to know.
#[derive(Debug, Clone)]
pub struct Settings {
    pub format: Format,
    pub color: bool,
    pub max_file_size: u64,
    pub rules: rules::Options,
}

/// The output format, resolved from the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
    Sarif,
}

impl From<cli::Format> for Format {
    fn from(format: cli::Format) -> Self {
        match format {
            cli::Format::Text => Format::Text,
            cli::Format::Json => Format::Json,
            cli::Format::Sarif => Format::Sarif,
        }
    }
}

/// Where output goes, for the colour decision: git sends hook stdout to stderr, so each mode
/// says which stream it really writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
    /// Relayed to someone else's terminal (pre-receive output becomes `remote:` lines): `auto`
    /// never colours it, whatever our own stderr is.
    Remote,
}

impl Settings {
    pub fn resolve(common: &CommonArgs, fix: Option<&FixArgs>, stream: Stream) -> Self {
        let is_terminal = match stream {
            Stream::Stdout => std::io::stdout().is_terminal(),
            Stream::Stderr => std::io::stderr().is_terminal(),
            Stream::Remote => false,
        };
        let env = |name| std::env::var_os(name).filter(|v| !v.is_empty());
        let color = use_color(common.color, is_terminal, env("NO_COLOR").is_some(), env("TERM"));
        let mut rules = rules::Options { foreign_markers: common.foreign_markers, ..Default::default() };
        if let Some(fix) = fix {
            rules.fix_style = match fix.fix_style {
                FixStyleArg::Loopback => FixStyle::Loopback,
                FixStyleArg::Env => FixStyle::Env,
            };
            rules.env_var = fix.fix_env_var.clone();
        }
        Self { format: common.format.into(), color, max_file_size: common.max_file_size, rules }
    }
}

/// `always` / `never` win; `auto` colours a terminal unless `NO_COLOR` is set or `TERM=dumb`.
pub fn use_color(choice: ColorChoice, is_terminal: bool, no_color: bool, term: Option<std::ffi::OsString>) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => is_terminal && !no_color && term.is_none_or(|t| t != "dumb"),
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
}
