//! Terminal-safe text: the one place that decides which characters a terminal would act on, and
//! escapes them. A leaf every layer may use, because hostile text (a file name, a commit subject,
//! a remote's name) reaches output through error messages as well as through reports.

use std::borrow::Cow;
use std::io::{self, Write};

/// Escapes control characters (C0, C1, DEL) and bidirectional overrides, keeping tabs.
pub fn sanitize(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_dangerous) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars().map(|c| if is_dangerous(c) { c.escape_unicode().to_string() } else { c.to_string() }).collect(),
    )
}

/// A writer of serialised JSON that escapes, as `\uXXXX`, the characters JSON leaves raw but
/// terminals act on (C1 controls, DEL, bidirectional overrides). In JSON they can only occur
/// inside strings, so the result is the same document. Escapes as the document streams through:
/// a history's report can be tens of megabytes, and is never held whole.
pub(crate) struct JsonEscaper<W: Write> {
    inner: W,
    /// The start of a character whose other bytes have not been written yet.
    partial: Vec<u8>,
}

impl<W: Write> JsonEscaper<W> {
    pub(crate) fn new(inner: W) -> Self {
        JsonEscaper { inner, partial: Vec::new() }
    }

    fn write_text(&mut self, text: &str) -> io::Result<()> {
        let mut clean = 0;
        for (at, c) in text.char_indices() {
            if is_dangerous(c) && !c.is_ascii_control() || c == '\u{7f}' {
                self.inner.write_all(&text.as_bytes()[clean..at])?;
                write!(self.inner, "\\u{:04x}", u32::from(c))?;
                clean = at + c.len_utf8();
            }
        }
        self.inner.write_all(&text.as_bytes()[clean..])
    }
}

impl<W: Write> Write for JsonEscaper<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut bytes = std::mem::take(&mut self.partial);
        bytes.extend_from_slice(buf);
        let valid = match std::str::from_utf8(&bytes) {
            Ok(_) => bytes.len(),
            // A character cut between two writes: its start waits for the rest.
            Err(err) if err.error_len().is_none() => err.valid_up_to(),
            Err(_) => return Err(io::Error::new(io::ErrorKind::InvalidData, "serialised JSON that is not UTF-8")),
        };
        let (text, rest) = bytes.split_at(valid);
        self.write_text(std::str::from_utf8(text).unwrap_or_default())?;
        self.partial = rest.to_vec();
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
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

    /// What [`JsonEscaper`] makes of `text` written in pieces of `piece` bytes.
    fn escaped_in_pieces(text: &str, piece: usize) -> String {
        let mut out = Vec::new();
        let mut escaper = JsonEscaper::new(&mut out);
        for chunk in text.as_bytes().chunks(piece) {
            escaper.write_all(chunk).unwrap();
        }
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn json_escapes_what_raw_json_leaves() {
        let text = "a\u{9b}b\u{202e}c\u{7f}d\\u001be é";
        let expected = r"a\u009bb\u202ec\u007fd\u001be é";
        // Whole, and with characters cut between writes.
        for piece in [text.len(), 1, 2, 3] {
            assert_eq!(escaped_in_pieces(text, piece), expected, "{piece}-byte writes");
        }
    }
}
