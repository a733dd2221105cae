//! Turning a report into output. The only place colours appear; nothing here decides anything.
//!
//! Everything printed that came from a file, a path or a commit passes through
//! [`terminal::sanitize`]: input from a push is hostile, and a terminal escape in a file name must
//! not reach the pusher's terminal.

pub mod diff;
pub mod json;
pub mod sarif;
pub mod text;

use owo_colors::Style;

use crate::finding::Finding;
use crate::terminal;

/// Styles chosen once per run: every field is a plain style when colour is off.
#[derive(Debug, Clone, Copy, Default)]
pub struct Stylesheet {
    pub error: Style,
    pub warning: Style,
    pub location: Style,
    pub gutter: Style,
    pub caret: Style,
    pub help: Style,
    pub emphasis: Style,
    pub added: Style,
    pub removed: Style,
    pub hunk: Style,
}

impl Stylesheet {
    pub fn new(color: bool) -> Self {
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
pub fn write_json(value: &serde_json::Value, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let text = serde_json::to_string_pretty(value)?;
    writeln!(out, "{}", terminal::escape_json(&text))
}

/// Writes a machine-readable format; `false` for `Format::Text`, which each mode renders with its
/// own options.
pub fn machine(
    report: &crate::report::Report,
    format: crate::settings::Format,
    out: &mut dyn std::io::Write,
) -> std::io::Result<bool> {
    match format {
        crate::settings::Format::Json => json::render(report, out).map(|()| true),
        crate::settings::Format::Sarif => sarif::render(report, out).map(|()| true),
        crate::settings::Format::Text => Ok(false),
    }
}

/// The finding's headline (spec §5): names the sink and the address.
pub fn message(finding: &Finding) -> String {
    format!("{} listens on {} (all interfaces)", finding.sink.description, finding.host)
}

/// `1 finding`, `2 findings`.
pub fn plural(count: usize, noun: &str) -> String {
    if count == 1 { format!("1 {noun}") } else { format!("{count} {noun}s") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_escapes_what_terminals_act_on() {
        let value = serde_json::json!({"path": "a\u{9b}b\u{202e}c\u{7f}d\u{1b}e"});
        let mut out = Vec::new();
        write_json(&value, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains(r"a\u009bb\u202ec\u007fd\u001be"), "{text}");
        assert_eq!(serde_json::from_str::<serde_json::Value>(&text).unwrap(), value);
    }

    #[test]
    fn plurals() {
        assert_eq!(plural(1, "finding"), "1 finding");
        assert_eq!(plural(0, "finding"), "0 findings");
    }
}
