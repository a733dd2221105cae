//! Turning a run's [`Outcome`] into output: the one place that chooses the format, the stream,
//! the colours and the escaping. Nothing here decides what a run found or whether it blocks.
//!
//! Streams: the machine formats (JSON, SARIF, GitHub annotations, GitLab Code Quality, `JUnit`),
//! `--diff` patches and documentation go to stdout, so a tool can capture
//! them whole; messages go to stderr; the text report goes to the target's text stream (stdout
//! for `check`; stderr for the hooks, because git shows a hook's output on stderr anyway and a
//! JSON document on stdout must stay alone there).
//!
//! Everything printed that came from a file, a path or a commit passes through
//! [`terminal::sanitize`]: input from a push is hostile, and a terminal escape in a file name must
//! not reach the pusher's terminal.

mod diff;
mod github;
mod gitlab;
mod json;
mod junit;
mod paths;
mod sarif;
mod summary;
mod text;

use std::io::{self, Write};

use owo_colors::Style;

use crate::finding::Finding;
use crate::outcome::{Body, Outcome};
use crate::repo_path::PathBase;
use crate::report::Report;
use crate::terminal;

/// The output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Format {
    #[default]
    Text,
    Json,
    Sarif,
    /// GitHub Actions workflow commands (annotations).
    Github,
    /// GitLab Code Quality JSON.
    Gitlab,
    /// `JUnit` XML.
    Junit,
}

/// Where and how a run's output is written, resolved once from the settings.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Target {
    pub(crate) format: Format,
    /// Colour the text output.
    pub(crate) color: bool,
    /// Text goes to stderr (the hooks) instead of stdout (`check`).
    pub(crate) text_to_stderr: bool,
}

/// Writes everything a run says: the messages before, the body, the messages after.
pub(crate) fn write(
    outcome: &Outcome,
    target: Target,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> io::Result<()> {
    let prefix = outcome.line_prefix;
    write_messages(&outcome.before, prefix, stderr)?;
    match &outcome.body {
        Body::Report { report, scope, next_steps } => {
            let options = text::TextOptions { line_prefix: prefix, scope, next_steps, blocks: outcome.blocks };
            write_report(report, &options, &outcome.base, target, stdout, stderr)?;
        }
        Body::Patches(patches) => {
            for patch in patches {
                write!(stdout, "{}", diff::unified_between(&patch.path, &patch.before, &patch.after))?;
            }
        }
        Body::Document(text) => stdout.write_all(text.as_bytes())?,
        Body::Nothing => {}
    }
    write_messages(&outcome.after, prefix, stderr)?;
    stdout.flush()?;
    stderr.flush()
}

/// The report in the target's format: machine formats on stdout, text on the text stream.
fn write_report<'w>(
    report: &Report,
    options: &text::TextOptions<'_>,
    base: &PathBase,
    target: Target,
    stdout: &'w mut dyn Write,
    stderr: &'w mut dyn Write,
) -> io::Result<()> {
    match target.format {
        Format::Json => json::render(report, stdout),
        Format::Sarif => sarif::render(report, base, stdout),
        Format::Github => github::render(report, base, stdout),
        Format::Gitlab => gitlab::render(report, base, stdout),
        Format::Junit => junit::render(report, base, stdout),
        Format::Text => {
            let style = Stylesheet::new(target.color);
            let out = if target.text_to_stderr { stderr } else { stdout };
            text::render(report, &style, options, out)
        }
    }
}

/// A progress line of a long scan, written while it runs (the outcome comes at the end; a pusher
/// waiting on a long history should see it move). Errors writing it are ignored: it informs,
/// it never decides.
pub(crate) fn progress(line: &str) {
    let mut err = io::stderr().lock();
    let _ = writeln!(err, "{}", terminal::sanitize(line));
    let _ = err.flush();
}

/// One line per message, escaped: messages quote paths, reasons and errors.
fn write_messages(lines: &[String], prefix: &str, out: &mut dyn Write) -> io::Result<()> {
    for line in lines {
        writeln!(out, "{prefix}{}", terminal::sanitize(line))?;
    }
    Ok(())
}

/// Styles chosen once per run: every field is a plain style when colour is off.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Stylesheet {
    pub(crate) error: Style,
    pub(crate) warning: Style,
    pub(crate) location: Style,
    pub(crate) gutter: Style,
    pub(crate) caret: Style,
    pub(crate) help: Style,
    pub(crate) emphasis: Style,
    pub(crate) added: Style,
    pub(crate) removed: Style,
    pub(crate) hunk: Style,
}

impl Stylesheet {
    pub(crate) fn new(color: bool) -> Self {
        if !color {
            return Self::default();
        }
        let plain = Style::new();
        Self {
            error: plain.red().bold(),
            warning: plain.yellow().bold(),
            location: plain.blue().bold(),
            gutter: plain.blue().bold(),
            caret: plain.red().bold(),
            help: plain.cyan().bold(),
            emphasis: plain.bold(),
            added: plain.green(),
            removed: plain.red(),
            hunk: plain.cyan(),
        }
    }
}

/// Writes a JSON document with what terminals act on escaped ([`terminal::escape_json`]), so
/// printing a report is as safe as printing the text output.
fn write_json(value: &impl serde::Serialize, out: &mut dyn Write) -> io::Result<()> {
    let mut out = terminal::JsonEscaper::new(io::BufWriter::new(out));
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)?;
    out.flush()
}

/// The finding's headline (spec §5): names the sink and the address.
pub(crate) fn message(finding: &Finding) -> String {
    format!("{} listens on {} (all interfaces)", finding.sink.description, finding.host)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcome::Scope;

    /// What `outcome` writes to stdout and stderr.
    fn written(outcome: &Outcome, target: Target) -> (String, String) {
        let (mut out, mut err) = (Vec::new(), Vec::new());
        write(outcome, target, &mut out, &mut err).unwrap();
        (String::from_utf8(out).unwrap(), String::from_utf8(err).unwrap())
    }

    #[test]
    fn messages_go_to_stderr_escaped_and_prefixed() {
        let mut outcome = Outcome::new(Body::Document("doc\n".into()));
        outcome.before = vec!["bindguard: before \u{1b}[2J".into()];
        outcome.after = vec!["bindguard: after".into()];
        outcome.line_prefix = "GL-HOOK-ERR: ";
        let (out, err) = written(&outcome, Target::default());
        assert_eq!(out, "doc\n");
        assert_eq!(err, "GL-HOOK-ERR: bindguard: before \\u{1b}[2J\nGL-HOOK-ERR: bindguard: after\n");
    }

    #[test]
    fn hook_text_goes_to_stderr_and_machine_formats_to_stdout() {
        let report = || Outcome::report(Report::default(), Scope::Staged { all_lines: false }, Vec::new());
        let hook = Target { format: Format::Text, color: false, text_to_stderr: true };
        let (out, err) = written(&report(), hook);
        assert!(out.is_empty(), "{out}");
        assert!(err.starts_with("bindguard: 0 staged Python files, 0 changed lines: 0 findings ("), "{err}");
        let (out, err) = written(&report(), Target { format: Format::Json, ..hook });
        assert!(out.starts_with('{') && err.is_empty(), "{out}{err}");
        let (out, err) = written(&report(), Target { text_to_stderr: false, ..hook });
        assert!(out.starts_with("bindguard: ") && err.is_empty(), "{out}{err}");
    }

    #[test]
    fn json_escapes_what_terminals_act_on() {
        let value = serde_json::json!({"path": "a\u{9b}b\u{202e}c\u{7f}d\u{1b}e"});
        let mut out = Vec::new();
        write_json(&value, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains(r"a\u009bb\u202ec\u007fd\u001be"), "{text}");
        assert_eq!(serde_json::from_str::<serde_json::Value>(&text).unwrap(), value);
    }
}
