//! Human output, rustc-style: headline, location, the source line with a caret underline, notes,
//! a help line, the suggested diff, and a one-line summary that always says what was scanned.

use std::io::{self, Write};

use owo_colors::OwoColorize;

use super::{Stylesheet, diff, message, summary};
use crate::finding::{Finding, RULE_CODE};
use crate::outcome::{Scope, plural};
use crate::report::{FileReport, Report};
use crate::terminal::sanitize;

/// What differs between modes: a line prefix (GitLab), what was scanned, and what to do next.
#[derive(Debug, Clone, Copy)]
pub(super) struct TextOptions<'a> {
    /// Put before every line (`GL-HOOK-ERR: ` on GitLab servers).
    pub(crate) line_prefix: &'a str,
    /// What was scanned; also gives the verdict when something blocks.
    pub(crate) scope: &'a Scope,
    /// Printed after the summary when a finding blocks: how to fix, suppress or bypass.
    pub(crate) next_steps: &'a [String],
    /// The commit or push is blocked (by findings, or by what could not be analysed): the
    /// summary says the verdict whenever it is.
    pub(crate) blocks: bool,
}

/// A writer that puts a prefix before every line it writes.
struct Prefixed<'a> {
    out: &'a mut dyn Write,
    prefix: &'a str,
}

impl Prefixed<'_> {
    fn line(&mut self, text: impl std::fmt::Display) -> io::Result<()> {
        writeln!(self.out, "{}{}", self.prefix, text)
    }
}

pub(super) fn render(
    report: &Report,
    style: &Stylesheet,
    options: &TextOptions<'_>,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut w = Prefixed { out, prefix: options.line_prefix };
    if let Some(note) = &report.scope_note {
        // What was scanned when it is not the obvious range; it names the remote.
        w.line(format_args!("bindguard: note: {}", sanitize(note)))?;
    }
    render_skipped(report, style, &mut w)?;
    render_incomplete(report, style, &mut w)?;
    let mut with_syntax_errors = 0;
    for file in &report.files {
        if !file.syntax_errors.is_empty() {
            with_syntax_errors += 1;
            if with_syntax_errors <= SYNTAX_ERROR_FILES_NAMED {
                render_syntax_errors(file, style, &mut w)?;
            }
        }
        let active: Vec<&Finding> = file.findings.iter().filter(|f| !f.suppressed).collect();
        for finding in active.iter().take(MAX_SHOWN_PER_FILE) {
            render_finding(file, finding, style, &mut w)?;
        }
        if let Some(hidden) = active.len().checked_sub(MAX_SHOWN_PER_FILE).filter(|&n| n > 0) {
            let more = plural(hidden, "more finding");
            w.line(format_args!(
                "{}: {more} in {} not shown (--format json lists all)",
                "note".style(style.help),
                sanitize(&file.path)
            ))?;
        }
    }
    if let Some(more) = with_syntax_errors.checked_sub(SYNTAX_ERROR_FILES_NAMED).filter(|&n| n > 0) {
        w.line(format_args!(
            "{}: syntax errors in {} (checked what the parser recovered; --format json lists them all)",
            "warning".style(style.warning),
            plural(more, "more file")
        ))?;
    }
    render_summary(report, style, options, &mut w)
}

/// Findings shown per file: a generated or hostile file with thousands of binds must not flood
/// a terminal or a push's `remote:` output; they are all counted and all in the JSON.
const MAX_SHOWN_PER_FILE: usize = 20;

/// Characters of a source line shown around a finding; longer lines are cut with `…`.
const SNIPPET_WIDTH: usize = 160;

/// How many skipped files of one reason are named before the rest are only counted, so that
/// deleting a package does not bury the findings under warnings.
const SKIPPED_NAMED_PER_REASON: usize = 3;

fn render_skipped(report: &Report, style: &Stylesheet, w: &mut Prefixed) -> io::Result<()> {
    let mut shown: Vec<(&str, usize)> = Vec::new();
    for skipped in &report.skipped {
        let index = shown.iter().position(|(reason, _)| *reason == skipped.reason).unwrap_or_else(|| {
            shown.push((&skipped.reason, 0));
            shown.len() - 1
        });
        let count = &mut shown[index].1;
        *count += 1;
        if *count <= SKIPPED_NAMED_PER_REASON {
            let text = format!("skipped {}: {}", sanitize(&skipped.path), sanitize(&skipped.reason));
            w.line(format_args!("{}: {text}", "warning".style(style.warning)))?;
        }
    }
    for (reason, count) in shown.into_iter().filter(|(_, n)| *n > SKIPPED_NAMED_PER_REASON) {
        let more = plural(count - SKIPPED_NAMED_PER_REASON, "more file");
        w.line(format_args!("{}: skipped {more}: {}", "warning".style(style.warning), sanitize(reason)))?;
    }
    Ok(())
}

/// Files not analysed completely: named (the first few per reason), never hidden.
fn render_incomplete(report: &Report, style: &Stylesheet, w: &mut Prefixed) -> io::Result<()> {
    let mut shown: Vec<(&str, usize)> = Vec::new();
    for gap in &report.incomplete {
        let index = shown.iter().position(|(reason, _)| *reason == gap.reason).unwrap_or_else(|| {
            shown.push((&gap.reason, 0));
            shown.len() - 1
        });
        let count = &mut shown[index].1;
        *count += 1;
        if *count <= SKIPPED_NAMED_PER_REASON {
            let text = format!("not analysed {}: {}", sanitize(&gap.path), sanitize(&gap.reason));
            w.line(format_args!("{}: {text}", "warning".style(style.warning)))?;
        }
    }
    for (reason, count) in shown.into_iter().filter(|(_, n)| *n > SKIPPED_NAMED_PER_REASON) {
        let more = plural(count - SKIPPED_NAMED_PER_REASON, "more file");
        w.line(format_args!("{}: not analysed {more}: {}", "warning".style(style.warning), sanitize(reason)))?;
    }
    Ok(())
}

/// Files whose syntax errors are told in text; the rest are counted. A long push of old code
/// can hold thousands (Python 2 files in a project's history), which would bury the findings.
const SYNTAX_ERROR_FILES_NAMED: usize = 10;

/// Syntax errors told per file in text; the machine formats list them all. A broken or hostile
/// file can hold hundreds of thousands, and a pusher reads hook output line by line.
const SHOWN_SYNTAX_ERRORS: usize = 5;

fn render_syntax_errors(file: &FileReport, style: &Stylesheet, w: &mut Prefixed) -> io::Result<()> {
    for error in file.syntax_errors.iter().take(SHOWN_SYNTAX_ERRORS) {
        let (line, col) = (error.line, error.column);
        w.line(format_args!(
            "{}: {}:{line}:{col}: syntax error: {} (checked what the parser recovered)",
            "warning".style(style.warning),
            sanitize(&file.path),
            sanitize(&error.message)
        ))?;
    }
    let more = file.syntax_errors.len().saturating_sub(SHOWN_SYNTAX_ERRORS);
    if more > 0 {
        w.line(format_args!(
            "{}: {}: {} (--format json lists them all)",
            "warning".style(style.warning),
            sanitize(&file.path),
            plural(more, "more syntax error")
        ))?;
    }
    Ok(())
}

fn render_finding(file: &FileReport, finding: &Finding, style: &Stylesheet, w: &mut Prefixed) -> io::Result<()> {
    let (line, col) = file.source.line_col(finding.value.start);
    let path = sanitize(&file.path);
    let headline = format!("{}[{RULE_CODE}]", "error".style(style.error));
    w.line(format_args!("{headline}: {}", sanitize(&message(finding)).style(style.emphasis)))?;
    let width = line.to_string().len();
    let pad = " ".repeat(width);
    w.line(format_args!("{pad}{} {path}:{line}:{col}", "-->".style(style.location)))?;
    render_snippet(file, finding, style, w, width)?;
    for note in sink_notes(finding, line) {
        w.line(format_args!("{pad} {} note: {}", "=".style(style.gutter), sanitize(&note)))?;
    }
    if let Some(commit) = &file.commit {
        let refs = sanitize(&commit.refs.join(", ")).into_owned();
        let subject = sanitize(&commit.subject).into_owned();
        w.line(format_args!("{pad} {} commit: {} \"{subject}\" ({refs})", "=".style(style.gutter), commit.short_id))?;
    }
    let help = "listen on 127.0.0.1 / ::1, or read the address from configuration with a loopback default; \
                suppress a deliberate bind with `# ignore: CSP-D404`";
    w.line(format_args!("{pad} {} {}: {help}", "=".style(style.gutter), "help".style(style.help)))?;
    match &finding.fix {
        Ok(fix) => render_diff(diff::unified(&file.path, &file.source, fix), style, w),
        Err(no_fix) => {
            let reason = sanitize(&no_fix.0).into_owned();
            w.line(format_args!("{pad} {} note: no automatic fix: {reason}", "=".style(style.gutter)))
        }
    }?;
    w.line("")
}

/// Where the value is used, when that is not its own line: every sink (in another file too),
/// and the calls it passes through on the way.
fn sink_notes(finding: &Finding, value_line: usize) -> Vec<String> {
    let mut notes = Vec::new();
    for sink in &finding.sinks {
        match &sink.file {
            Some(file) => notes.push(format!("the value is used by `{}` in {file}:{}", sink.callee, sink.line)),
            None if sink.line != value_line => {
                notes.push(format!("the value is used by `{}` on line {}", sink.callee, sink.line));
            }
            None => {}
        }
    }
    for place in &finding.via {
        match &place.file {
            Some(file) => notes.push(format!("passed on by the call at {file}:{}", place.line)),
            None if place.line != value_line => notes.push(format!("passed on by the call on line {}", place.line)),
            None => {}
        }
    }
    notes
}

fn render_snippet(
    file: &FileReport,
    finding: &Finding,
    style: &Stylesheet,
    w: &mut Prefixed,
    width: usize,
) -> io::Result<()> {
    let (line, col) = file.source.line_col(finding.value.start);
    let (end_line, end_col) = file.source.line_col(finding.value.end);
    let chars: Vec<char> = file.source.line_text(line).chars().collect();
    let span_end = if end_line == line { end_col } else { chars.len() + 1 };
    let (shown, col, span_end) = snippet_window(&chars, col, span_end);
    let gutter = "|".style(style.gutter).to_string();
    let pad = " ".repeat(width);
    w.line(format_args!("{pad} {gutter}"))?;
    w.line(format_args!("{} {gutter} {}", line.style(style.gutter), sanitize(&shown)))?;
    let lead: String = shown.chars().take(col - 1).map(|c| if c == '\t' { '\t' } else { ' ' }).collect();
    let carets = "^".repeat(span_end.saturating_sub(col).clamp(1, SNIPPET_WIDTH));
    w.line(format_args!("{pad} {gutter} {lead}{}", carets.style(style.caret)))
}

/// The part of a long line around columns `col..span_end` (1-based), with the columns moved to
/// match; short lines are returned whole.
fn snippet_window(chars: &[char], col: usize, span_end: usize) -> (String, usize, usize) {
    if chars.len() <= SNIPPET_WIDTH {
        return (chars.iter().collect(), col, span_end);
    }
    let start = col.saturating_sub(1 + SNIPPET_WIDTH / 3).min(chars.len());
    let end = (start + SNIPPET_WIDTH).min(chars.len());
    let mut shown = String::new();
    let lead = if start > 0 {
        shown.push('…');
        1
    } else {
        0
    };
    shown.extend(&chars[start..end]);
    if end < chars.len() {
        shown.push('…');
    }
    (shown, col - start + lead, span_end.min(end + 1) - start + lead)
}

fn render_diff(diff: Option<String>, style: &Stylesheet, w: &mut Prefixed) -> io::Result<()> {
    let Some(diff) = diff else { return Ok(()) };
    w.line(format_args!("{}", "suggested fix:".style(style.help)))?;
    for line in diff.lines() {
        let line = sanitize(line);
        let styled = match line.as_bytes().first() {
            Some(b'+') => line.style(style.added).to_string(),
            Some(b'-') => line.style(style.removed).to_string(),
            Some(b'@') => line.style(style.hunk).to_string(),
            _ => line.to_string(),
        };
        w.line(styled)?;
    }
    Ok(())
}

fn render_summary(report: &Report, style: &Stylesheet, options: &TextOptions<'_>, w: &mut Prefixed) -> io::Result<()> {
    let active = report.active_count();
    let mut parts = vec![plural(active, "finding")];
    let suppressed = report.suppressed_count();
    if suppressed > 0 {
        parts.push(format!("{suppressed} suppressed"));
    }
    let syntax = report.syntax_error_files();
    if syntax > 0 {
        parts.push(format!("{} with syntax errors", plural(syntax, "file")));
    }
    if !report.skipped.is_empty() {
        parts.push(format!("{} skipped", plural(report.skipped.len(), "file")));
    }
    if !report.incomplete.is_empty() {
        let mut paths: Vec<&str> = report.incomplete.iter().map(|gap| gap.path.as_str()).collect();
        paths.sort_unstable();
        paths.dedup();
        parts.push(format!("{} not analysed", plural(paths.len(), "file")));
    }
    let verdict = match summary::verdict(options.scope) {
        Some(verdict) if options.blocks => format!("{}: ", verdict.style(style.error)),
        _ => String::new(),
    };
    let scope = summary::scope(options.scope, report);
    let seconds = report.elapsed.as_secs_f64();
    w.line(format_args!("bindguard: {verdict}{scope}: {} ({seconds:.2}s)", parts.join(", ")))?;
    if active > 0 {
        for step in options.next_steps {
            w.line(sanitize(step))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_are_cut_around_the_span() {
        let line: Vec<char> = format!("{}'0.0.0.0'{}", "x".repeat(500), "y".repeat(500)).chars().collect();
        let (shown, col, end) = snippet_window(&line, 502, 509);
        assert_eq!(shown.chars().count(), SNIPPET_WIDTH + 2);
        let picked: String = shown.chars().skip(col - 1).take(end - col).collect();
        assert_eq!(picked, "0.0.0.0");
        assert!(shown.starts_with('…') && shown.ends_with('…'));
    }

    #[test]
    fn short_lines_are_whole() {
        let line: Vec<char> = "run('::')".chars().collect();
        assert_eq!(snippet_window(&line, 6, 8), ("run('::')".to_owned(), 6, 8));
    }
}
