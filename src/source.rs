//! Bytes → text: PEP 263 decoding, binary and size checks, and the line index.
//!
//! Every mode hands raw bytes (a blob or a file) to [`SourceText::decode_owned`]; from then on offsets
//! are byte offsets into the decoded UTF-8 text, and the line index turns them into the 1-based
//! lines and character columns that people and diffs use. Decoding remembers how to encode back,
//! so `--fix` writes the file in its own encoding, BOM and line endings.

use std::fmt;

/// How many leading bytes are searched for a NUL to call a blob binary (git does the same).
const BINARY_PROBE: usize = 8000;

/// Decoded Python source with a line index.
#[derive(Debug, Clone)]
pub(crate) struct SourceText {
    text: String,
    encoding: Encoding,
    line_starts: Vec<usize>,
}

/// The encoding a file was read in, so that fixes are written back the same way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Encoding {
    Utf8,
    Utf8Bom,
    Latin1,
    Other(&'static encoding_rs::Encoding),
}

/// Why a file is not analysed. Each is reported as a warning, never silently dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Skip {
    Binary,
    TooLarge { size: u64, limit: u64 },
    Undecodable(String),
    Unreadable(String),
}

impl fmt::Display for Skip {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Skip::Binary => write!(f, "binary file (contains NUL bytes)"),
            Skip::TooLarge { size, limit } => {
                write!(f, "file is {size} bytes, over the {limit}-byte limit (--max-file-size)")
            }
            Skip::Undecodable(why) => write!(f, "cannot decode: {why}"),
            Skip::Unreadable(why) => write!(f, "cannot read: {why}"),
        }
    }
}

impl SourceText {
    /// [`Self::decode_owned`] on borrowed bytes, for tests.
    #[cfg(test)]
    pub(crate) fn decode(bytes: &[u8], max_size: u64) -> Result<Self, Skip> {
        Self::decode_owned(bytes.to_vec(), max_size)
    }

    /// Decodes per PEP 263: UTF-8 by default, a UTF-8 BOM accepted, a coding cookie on line 1 or
    /// 2. Takes the bytes, so UTF-8 (the common case) is not copied.
    pub(crate) fn decode_owned(bytes: Vec<u8>, max_size: u64) -> Result<Self, Skip> {
        let encoding = Self::check_decodable(&bytes, max_size)?;
        let text = match encoding {
            Encoding::Utf8 => String::from_utf8(bytes).map_err(|e| invalid_utf8(e.utf8_error()))?,
            Encoding::Utf8Bom => decode_with(encoding, &bytes[3..])?,
            _ => decode_with(encoding, &bytes)?,
        };
        Ok(Self::from_text(text, encoding))
    }

    /// Everything [`Self::decode_owned`] would refuse, found without allocating: the size limit, NUL
    /// bytes, an unusable cookie, invalid UTF-8. Lets a caller skip decoding files it will not
    /// analyse while still reporting the ones nobody could read.
    pub(crate) fn check_decodable(bytes: &[u8], max_size: u64) -> Result<Encoding, Skip> {
        if bytes.len() as u64 > max_size {
            return Err(Skip::TooLarge { size: bytes.len() as u64, limit: max_size });
        }
        if memchr::memchr(0, &bytes[..bytes.len().min(BINARY_PROBE)]).is_some() {
            return Err(Skip::Binary);
        }
        let (encoding, body) = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
            Some(rest) => (Encoding::Utf8Bom, rest),
            None => (encoding_from_cookie(bytes)?, bytes),
        };
        match encoding {
            Encoding::Utf8 | Encoding::Utf8Bom => drop(std::str::from_utf8(body).map_err(invalid_utf8)?),
            Encoding::Other(_) => drop(decode_with(encoding, body)?),
            Encoding::Latin1 => {}
        }
        Ok(encoding)
    }

    /// Wraps text that is already decoded (tests, and re-checking fixed text).
    pub(crate) fn from_text(text: String, encoding: Encoding) -> Self {
        let line_starts =
            std::iter::once(0).chain(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1)).collect();
        Self { text, encoding, line_starts }
    }

    pub(crate) fn text(&self) -> &str {
        &self.text
    }

    pub(crate) fn encoding(&self) -> Encoding {
        self.encoding
    }

    /// Number of lines, counting a last line without a newline.
    pub(crate) fn line_count(&self) -> usize {
        let trailing_newline = self.text.ends_with('\n');
        self.line_starts.len() - usize::from(trailing_newline || self.text.is_empty())
    }

    /// 1-based line of a byte offset.
    pub(crate) fn line_of(&self, offset: usize) -> usize {
        self.line_starts.partition_point(|&start| start <= offset)
    }

    /// 1-based line and 1-based column in characters of a byte offset.
    pub(crate) fn line_col(&self, offset: usize) -> (usize, usize) {
        let line = self.line_of(offset);
        let start = self.line_starts[line - 1];
        let column = self.text[start..offset.min(self.text.len())].chars().count() + 1;
        (line, column)
    }

    /// Byte offset where a 1-based line starts.
    pub(crate) fn line_start(&self, line: usize) -> usize {
        self.line_starts[line - 1]
    }

    /// The text of a 1-based line without its line ending.
    pub(crate) fn line_text(&self, line: usize) -> &str {
        let start = self.line_starts[line - 1];
        let end = self.line_starts.get(line).copied().unwrap_or(self.text.len());
        self.text[start..end].trim_end_matches(['\n', '\r'])
    }

    /// Encodes text back into this file's encoding (BOM included), for writing a fix.
    pub(crate) fn encode(&self, text: &str) -> Result<Vec<u8>, String> {
        match self.encoding {
            Encoding::Utf8 => Ok(text.as_bytes().to_vec()),
            Encoding::Utf8Bom => Ok([b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat()),
            Encoding::Latin1 => {
                text.chars().map(|c| u8::try_from(u32::from(c)).map_err(|_| format!("{c:?} is not latin-1"))).collect()
            }
            Encoding::Other(enc) => {
                let (bytes, _, unmappable) = enc.encode(text);
                if unmappable {
                    return Err(format!("text cannot be encoded as {}", enc.name()));
                }
                Ok(bytes.into_owned())
            }
        }
    }
}

/// Reads a PEP 263 cookie from the first two lines; line 2 counts only after a comment-only line 1.
/// Whether Python reads these bytes as UTF-8: a byte order mark, or no coding cookie naming
/// another encoding. Only then do non-ASCII bytes stand for the characters they seem to.
pub(crate) fn reads_as_utf8(bytes: &[u8]) -> bool {
    bytes.starts_with(b"\xEF\xBB\xBF") || matches!(encoding_from_cookie(bytes), Ok(Encoding::Utf8))
}

fn encoding_from_cookie(bytes: &[u8]) -> Result<Encoding, Skip> {
    let mut lines = bytes.split(|&b| b == b'\n').take(2);
    let first = lines.next().unwrap_or_default();
    let label = cookie_label(first).or_else(|| {
        let first_is_comment_or_blank = matches!(first.trim_ascii().first(), None | Some(b'#'));
        lines.next().filter(|_| first_is_comment_or_blank).and_then(cookie_label)
    });
    match label {
        None => Ok(Encoding::Utf8),
        Some(label) => encoding_for_label(&label),
    }
}

/// The `coding[:=]name` of a comment line, as Python's regex `^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)`.
fn cookie_label(line: &[u8]) -> Option<String> {
    let trimmed = line.trim_ascii_start();
    if trimmed.first() != Some(&b'#') {
        return None;
    }
    let at =
        memchr::memmem::find_iter(trimmed, b"coding").find(|&i| matches!(trimmed.get(i + 6), Some(b':' | b'=')))?;
    let rest = &trimmed[at + 7..];
    let rest = &rest[rest.iter().take_while(|b| matches!(b, b' ' | b'\t')).count()..];
    let name: Vec<u8> =
        rest.iter().copied().take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.')).collect();
    (!name.is_empty()).then(|| String::from_utf8_lossy(&name).to_ascii_lowercase())
}

/// Maps a cookie to a decoder. Python knows codecs that `encoding_rs` does not (cp437, mac-roman,
/// …). Those that keep ASCII as ASCII are read byte for byte as latin-1: every address, name and
/// quote is ASCII and analyses the same, the bytes round-trip exactly for `--fix`, and a file is
/// never let through unchecked just because its codec is exotic. Codecs that spell ASCII
/// differently (UTF-7's `+ADA-` is `0`, UTF-16/32, EBCDIC, escape codecs) cannot be read that
/// way; such a file is reported as not analysed.
fn encoding_for_label(label: &str) -> Result<Encoding, Skip> {
    let normalized = label.replace('_', "-");
    match normalized.as_str() {
        "utf-8" | "utf8" | "utf-8-sig" => Ok(Encoding::Utf8),
        "latin-1" | "latin1" | "iso-8859-1" | "iso8859-1" | "l1" | "iso-latin-1" => Ok(Encoding::Latin1),
        _ if rewrites_ascii(&normalized) => {
            Err(Skip::Undecodable(format!("the {label} codec does not keep ASCII as ASCII; not analysed")))
        }
        _ => match encoding_rs::Encoding::for_label(normalized.as_bytes()) {
            Some(enc) if enc.is_ascii_compatible() => Ok(Encoding::Other(enc)),
            Some(enc) => Err(Skip::Undecodable(format!("{} is not an ASCII-compatible source encoding", enc.name()))),
            None => Ok(Encoding::Latin1),
        },
    }
}

/// Python codecs (by normalised name) in which ASCII text is not stored as ASCII bytes.
fn rewrites_ascii(name: &str) -> bool {
    const EBCDIC: &[&str] = &[
        "cp037", "ibm037", "ibm039", "cp273", "ibm273", "cp424", "ibm424", "cp500", "ibm500", "cp875", "cp1026",
        "ibm1026", "cp1140", "ibm1140",
    ];
    ["utf-7", "utf7", "u7", "unicode-1-1-utf-7", "utf-16", "utf16", "u16", "utf-32", "utf32", "u32", "ebcdic"]
        .iter()
        .any(|prefix| name.starts_with(prefix))
        || EBCDIC.contains(&name)
        || name.ends_with("unicode-escape")
}

/// Lines as the line index counts them: a last line without a newline counts.
pub(crate) fn count_lines(bytes: &[u8]) -> usize {
    let newlines = memchr::memchr_iter(b'\n', bytes).count();
    newlines + usize::from(bytes.last().is_some_and(|&b| b != b'\n'))
}

fn invalid_utf8(error: std::str::Utf8Error) -> Skip {
    Skip::Undecodable(format!("invalid UTF-8 at byte {} and no coding cookie", error.valid_up_to()))
}

fn decode_with(encoding: Encoding, bytes: &[u8]) -> Result<String, Skip> {
    match encoding {
        Encoding::Utf8 | Encoding::Utf8Bom => {
            String::from_utf8(bytes.to_vec()).map_err(|e| invalid_utf8(e.utf8_error()))
        }
        Encoding::Latin1 => Ok(bytes.iter().map(|&b| char::from(b)).collect()),
        Encoding::Other(enc) => enc
            .decode_without_bom_handling_and_without_replacement(bytes)
            .map(std::borrow::Cow::into_owned)
            .ok_or_else(|| Skip::Undecodable(format!("invalid {} text", enc.name()))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMIT: u64 = 1 << 20;

    #[test]
    fn utf8_is_the_default() {
        let s = SourceText::decode("h = 'é'\n".as_bytes(), LIMIT).unwrap();
        assert_eq!(s.encoding(), Encoding::Utf8);
        assert_eq!(s.line_col(7), (1, 7));
    }

    #[test]
    fn bom_is_stripped_and_restored() {
        let s = SourceText::decode(b"\xEF\xBB\xBFx = 1\n", LIMIT).unwrap();
        assert_eq!(s.text(), "x = 1\n");
        assert_eq!(s.encode(s.text()).unwrap(), b"\xEF\xBB\xBFx = 1\n");
    }

    #[test]
    fn latin1_cookie_on_second_line() {
        let bytes = b"#!/usr/bin/env python\n# -*- coding: latin-1 -*-\nname = '\xe9'\n";
        let s = SourceText::decode(bytes, LIMIT).unwrap();
        assert_eq!(s.encoding(), Encoding::Latin1);
        assert!(s.text().contains('é'));
        assert_eq!(s.encode(s.text()).unwrap(), bytes.to_vec());
    }

    #[test]
    fn cookie_on_second_line_needs_comment_first_line() {
        let bytes = b"x = 1\n# coding: latin-1\ny = '\xe9'\n";
        assert!(matches!(SourceText::decode(bytes, LIMIT), Err(Skip::Undecodable(_))));
    }

    #[test]
    fn other_encodings_through_encoding_rs() {
        let s = SourceText::decode(b"# coding=cp1252\nx = '\x80'\n", LIMIT).unwrap();
        assert!(s.text().contains('€'));
    }

    #[test]
    fn unknown_cookie_codecs_are_read_byte_for_byte() {
        let bytes = b"# -*- coding: cp437 -*-\n# \x82\napp.run(host='0.0.0.0')\n";
        let s = SourceText::decode(bytes, LIMIT).unwrap();
        assert!(s.text().contains("app.run(host='0.0.0.0')"));
        assert_eq!(s.encode(s.text()).unwrap(), bytes.to_vec());
    }

    #[test]
    fn codecs_that_rewrite_ascii_are_not_read_as_latin1() {
        let bytes = b"# coding: utf-7\nimport socket\nsocket.socket().bind((\"+ADA-.0.0.0\", 80))\n";
        assert!(matches!(SourceText::decode(bytes, LIMIT), Err(Skip::Undecodable(_))));
        for label in ["utf_7", "UTF-16-LE", "cp500", "raw_unicode_escape", "utf-32"] {
            let cookie = format!("# coding: {label}\nx = 1\n");
            assert!(matches!(SourceText::decode(cookie.as_bytes(), LIMIT), Err(Skip::Undecodable(_))), "{label}");
        }
    }

    #[test]
    fn binary_and_oversized_are_skipped() {
        assert_eq!(SourceText::decode(b"x\0y", LIMIT).unwrap_err(), Skip::Binary);
        assert!(matches!(SourceText::decode(b"x = 1\n", 3), Err(Skip::TooLarge { .. })));
    }

    #[test]
    fn invalid_utf8_without_cookie_is_undecodable() {
        assert!(matches!(SourceText::decode(b"x = '\xff'\n", LIMIT), Err(Skip::Undecodable(_))));
    }

    #[test]
    fn count_lines_agrees_with_the_line_index() {
        for text in ["", "a", "a\n", "a\nb", "a\r\nb\r\n", "\n\n"] {
            let index = SourceText::from_text(text.into(), Encoding::Utf8);
            assert_eq!(count_lines(text.as_bytes()), index.line_count(), "{text:?}");
        }
    }

    #[test]
    fn lines_and_columns_with_crlf() {
        let s = SourceText::from_text("a = 1\r\nbb = '0.0.0.0'\r\n".into(), Encoding::Utf8);
        assert_eq!(s.line_count(), 2);
        assert_eq!(s.line_text(2), "bb = '0.0.0.0'");
        assert_eq!(s.line_col(12), (2, 6));
        assert_eq!(s.line_start(2), 7);
    }
}
