//! Turning a report into output. The only place colours appear; nothing here decides anything.
//!
//! Everything printed that came from a file, a path or a commit passes through [`sanitize`]:
//! input from a push is hostile, and a terminal escape in a file name must not reach the
//! pusher's terminal.

pub mod diff;
pub mod json;
pub mod sarif;
pub mod text;

use std::borrow::Cow;

use owo_colors::Style;

use crate::finding::Finding;

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

/// Writes a JSON document with the characters JSON leaves raw but terminals act on (C1 controls,
/// DEL, bidirectional overrides) escaped as `\uXXXX`, so printing a report is as safe as
/// printing the text output. They can only occur inside strings, so the result is the same JSON.
pub fn write_json(value: &serde_json::Value, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let text = serde_json::to_string_pretty(value)?;
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if is_dangerous(c) && !c.is_ascii_control() || c == '\u{7f}' {
            escaped.push_str(&format!("\\u{:04x}", u32::from(c)));
        } else {
            escaped.push(c);
        }
    }
    writeln!(out, "{escaped}")
}

/// Escapes control characters (C0, C1, DEL) and bidirectional overrides, keeping tabs.
pub fn sanitize(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_dangerous) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars().map(|c| if is_dangerous(c) { c.escape_unicode().to_string() } else { c.to_string() }).collect(),
    )
}

fn is_dangerous(c: char) -> bool {
    (c.is_control() && c != '\t') || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Writes a machine-readable format; `false` for `Format::Text`, which each mode renders with its
/// own options.
pub fn machine(
    report: &crate::analysis::Report,
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
    fn sanitize_escapes_terminal_controls() {
        assert_eq!(sanitize("evil\u{1b}[2J.py"), "evil\\u{1b}[2J.py");
        assert_eq!(sanitize("a\u{202E}b"), "a\\u{202e}b");
        assert_eq!(sanitize("tab\tok é"), "tab\tok é");
        assert!(matches!(sanitize("clean"), Cow::Borrowed(_)));
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

    #[test]
    fn plurals() {
        assert_eq!(plural(1, "finding"), "1 finding");
        assert_eq!(plural(0, "finding"), "0 findings");
    }
}
