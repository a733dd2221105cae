//! Terminal-safe text: the one place that decides which characters a terminal would act on, and
//! escapes them. A leaf every layer may use, because hostile text (a file name, a commit subject,
//! a remote's name) reaches output through error messages as well as through reports.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Escapes control characters (C0, C1, DEL) and bidirectional overrides, keeping tabs.
pub fn sanitize(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_dangerous) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars().map(|c| if is_dangerous(c) { c.escape_unicode().to_string() } else { c.to_string() }).collect(),
    )
}

/// Escapes, as `\uXXXX`, the characters that serialised JSON leaves raw but terminals act on (C1
/// controls, DEL, bidirectional overrides). In JSON they can only occur inside strings, so the
/// result is the same document.
pub(crate) fn escape_json(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if is_dangerous(c) && !c.is_ascii_control() || c == '\u{7f}' {
            let _ = write!(escaped, "\\u{:04x}", u32::from(c));
        } else {
            escaped.push(c);
        }
    }
    escaped
}

fn is_dangerous(c: char) -> bool {
    (c.is_control() && c != '\t') || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
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
    fn json_escapes_what_raw_json_leaves() {
        assert_eq!(escape_json("a\u{9b}b\u{202e}c\u{7f}d\\u001be"), r"a\u009bb\u202ec\u007fd\u001be");
    }
}
