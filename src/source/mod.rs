//! Bytes → text: PEP 263 decoding, the size check, the nesting guard, and the line index.
//!
//! Every mode hands raw bytes (a blob or a file) to [`SourceText::decode_owned`]; from then on offsets
//! are byte offsets into the decoded UTF-8 text, and the line index turns them into the 1-based
//! lines and character columns that people and diffs use. Decoding remembers how to encode back,
//! so `--fix` writes the file in its own encoding, BOM and line endings.
//!
//! A Python file is never skipped for its bytes (spec §9): NUL bytes become spaces and bytes that
//! are not valid in the file's encoding become U+FFFD, and the text is analysed (such a file is
//! not rewritten by `--fix`). What cannot be read — a codec with no decoder here, text nested
//! deeper than the parser can safely take ([`nesting`]), a file over the size limit — is a
//! [`Skip`], which the caller reports as not analysed.

mod codecs;
pub(crate) mod memory;
mod nesting;

use std::fmt;

pub use nesting::STACK_SIZE;

use codecs::Codec;

/// Decoded Python source with a line index.
#[derive(Debug, Clone)]
pub(crate) struct SourceText {
    text: String,
    encoding: Encoding,
    line_starts: Vec<usize>,
    /// Bytes were replaced to make the text (NULs, invalid sequences): it cannot be written back.
    repaired: bool,
    /// Leading characters read byte for byte (the cookie lines), not through the codec.
    raw_prefix: usize,
    /// About what analysing this text needs (see [`memory`]).
    memory: u64,
}

/// How a file's bytes are read: `bytes[..start]` is a byte order mark, `bytes[start..raw_end]`
/// is read byte for byte (the lines that carry a coding cookie), the rest in `encoding`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Layout {
    pub(crate) encoding: Encoding,
    start: usize,
    raw_end: usize,
}

/// The encoding a file was read in, so that fixes are written back the same way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Encoding {
    Utf8,
    Utf8Bom,
    /// Named by a coding cookie (or a UTF-16/32 byte order mark).
    Codec(Codec),
}

/// Why a file is not analysed. Each is reported, never silently dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Skip {
    TooLarge {
        size: u64,
        limit: u64,
    },
    Undecodable(String),
    Unreadable(String),
    /// Nested deeper than the parser is let to go.
    TooDeep {
        limit: usize,
    },
    /// Its analysis would need more memory than one file may have.
    TooMuchMemory {
        estimate: u64,
        cap: u64,
    },
}

impl Skip {
    /// A size limit (its own policy) rather than something the analysis could not read.
    pub(crate) fn is_size(&self) -> bool {
        matches!(self, Skip::TooLarge { .. } | Skip::TooMuchMemory { .. })
    }
}

impl fmt::Display for Skip {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Skip::TooLarge { size, limit } => {
                write!(f, "file is {size} bytes, over the {limit}-byte limit (--max-file-size)")
            }
            Skip::Undecodable(why) => write!(f, "cannot decode: {why}"),
            Skip::Unreadable(why) => write!(f, "cannot read: {why}"),
            Skip::TooMuchMemory { estimate, cap } => write!(
                f,
                "analysing it would need about {} MiB, over the {} MiB per file (bindguard.maxFileMemory)",
                estimate >> 20,
                cap >> 20
            ),
            Skip::TooDeep { limit } => write!(
                f,
                "code nested more than {limit} levels deep (brackets, operators, indentation); \
                 Python itself refuses code nested this deeply"
            ),
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
    /// 2 (a UTF-16/32 byte order mark also counts); then refuses text nested too deeply to
    /// parse. Takes the bytes, so valid UTF-8 (the common case) is not copied.
    ///
    /// With a cookie, the lines up to the cookie are read as they are and the rest through the
    /// codec, as `python file.py` reads them (an EBCDIC file carries its cookie in ASCII).
    pub(crate) fn decode_owned(bytes: Vec<u8>, max_size: u64) -> Result<Self, Skip> {
        let layout = Self::check_decodable(&bytes, max_size)?;
        let (text, repaired_bytes) = match layout.encoding {
            Encoding::Utf8 => match String::from_utf8(bytes) {
                Ok(text) => (text, false),
                Err(err) => (String::from_utf8_lossy(err.as_bytes()).into_owned(), true),
            },
            Encoding::Utf8Bom => {
                let body = &bytes[layout.start..];
                (String::from_utf8_lossy(body).into_owned(), std::str::from_utf8(body).is_err())
            }
            Encoding::Codec(codec) => {
                let mut text: String = bytes[layout.start..layout.raw_end].iter().map(|&b| char::from(b)).collect();
                text.push_str(&codec.decode(&bytes[layout.raw_end..]).map_err(Skip::Undecodable)?);
                (text, false)
            }
        };
        let (text, nul) = without_nul(text);
        let shape = nesting::shape(&text, nesting::MAX_DEPTH);
        if shape.depth > nesting::MAX_DEPTH {
            return Err(Skip::TooDeep { limit: nesting::MAX_DEPTH });
        }
        let estimate = memory::estimate(text.len(), shape.nodes);
        if estimate > memory::per_file() {
            return Err(Skip::TooMuchMemory { estimate, cap: memory::per_file() });
        }
        let mut source = Self::from_text(text, layout.encoding);
        source.memory = estimate;
        source.repaired = repaired_bytes || nul;
        source.raw_prefix = layout.raw_end - layout.start;
        Ok(source)
    }

    /// What [`Self::decode_owned`] would refuse before decoding, found without allocating: the
    /// size limit and a codec that cannot be read. Otherwise says how the bytes are laid out.
    /// Lets a caller report such files without decoding the others.
    pub(crate) fn check_decodable(bytes: &[u8], max_size: u64) -> Result<Layout, Skip> {
        if bytes.len() as u64 > max_size {
            return Err(Skip::TooLarge { size: bytes.len() as u64, limit: max_size });
        }
        let layout = |encoding, start, raw_end| Ok(Layout { encoding, start, raw_end });
        if bytes.starts_with(b"\xEF\xBB\xBF") {
            return layout(Encoding::Utf8Bom, 3, 3);
        }
        if let Some((codec, bom)) = codecs::from_bom(bytes) {
            return layout(Encoding::Codec(codec), bom, bom);
        }
        let Some((label, raw_end)) = cookie_label(bytes) else {
            return layout(Encoding::Utf8, 0, 0);
        };
        match codecs::lookup(&label) {
            Codec::Utf8 => layout(Encoding::Utf8, 0, 0),
            Codec::Rejected => {
                Err(Skip::Undecodable(format!("the coding cookie names {label}, which Python does not read source in")))
            }
            Codec::Unsupported(name) => {
                Err(Skip::Undecodable(format!("the coding cookie names {name}, a codec this build has no decoder for")))
            }
            codec => layout(Encoding::Codec(codec), 0, raw_end),
        }
    }

    /// Wraps text that is already decoded (tests, and re-checking fixed text).
    pub(crate) fn from_text(text: String, encoding: Encoding) -> Self {
        let line_starts = line_starts(text.as_bytes());
        Self { text, encoding, line_starts, repaired: false, raw_prefix: 0, memory: 0 }
    }

    pub(crate) fn text(&self) -> &str {
        &self.text
    }

    pub(crate) fn encoding(&self) -> Encoding {
        self.encoding
    }

    /// Whether the text's lines are the raw bytes' lines (see [`codecs::Codec::keeps_lines`]).
    pub(crate) fn keeps_raw_lines(&self) -> bool {
        match self.encoding {
            Encoding::Utf8 | Encoding::Utf8Bom => true,
            Encoding::Codec(codec) => codec.keeps_lines(),
        }
    }

    /// Reserves what analysing this text needs in the run's memory budget, until dropped.
    pub(crate) fn reserve_memory(&self) -> memory::Reservation {
        memory::reserve(self.memory)
    }

    /// Number of lines, counting a last line without a line ending.
    pub(crate) fn line_count(&self) -> usize {
        let ends_with_newline = self.text.ends_with(['\n', '\r']);
        self.line_starts.len() - usize::from(ends_with_newline || self.text.is_empty())
    }

    /// 1-based line of a byte offset.
    pub(crate) fn line_of(&self, offset: usize) -> usize {
        self.line_starts.partition_point(|&start| start <= offset)
    }

    /// 1-based line and 1-based column in characters of a byte offset.
    pub(crate) fn line_col(&self, offset: usize) -> (usize, usize) {
        let line = self.line_of(offset);
        let start = self.line_starts[line - 1];
        let end = offset.min(self.text.len()).max(start);
        let column = self.text.get(start..end).map_or(0, |s| s.chars().count()) + 1;
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
        if self.repaired {
            return Err(
                "the file holds NUL bytes or bytes invalid in its encoding, which were replaced to analyse it".into()
            );
        }
        match self.encoding {
            Encoding::Utf8 => Ok(text.as_bytes().to_vec()),
            Encoding::Utf8Bom => Ok([b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat()),
            Encoding::Codec(codec) => {
                let split = text.char_indices().nth(self.raw_prefix).map_or(text.len(), |(at, _)| at);
                let (raw, rest) = text.split_at(split);
                let mut bytes = Codec::Latin1.encode(raw)?;
                bytes.extend(codec.encode(rest)?);
                Ok(bytes)
            }
        }
    }
}

/// Where each line starts: after `\n`, `\r\n` and a lone `\r`, the line endings Python reads.
fn line_starts(bytes: &[u8]) -> Vec<usize> {
    let mut starts = vec![0];
    for at in memchr::memchr2_iter(b'\n', b'\r', bytes) {
        if bytes[at] == b'\r' && bytes.get(at + 1) == Some(&b'\n') {
            continue;
        }
        starts.push(at + 1);
    }
    starts
}

/// NUL bytes cannot be in Python source; they become spaces so that the rest is analysed.
fn without_nul(text: String) -> (String, bool) {
    if memchr::memchr(0, text.as_bytes()).is_none() {
        return (text, false);
    }
    (text.replace('\0', " "), true)
}

/// Whether Python reads these bytes as UTF-8: a byte order mark, or no coding cookie naming
/// another encoding. Only then do non-ASCII bytes stand for the characters they seem to.
pub(crate) fn reads_as_utf8(bytes: &[u8]) -> bool {
    matches!(
        SourceText::check_decodable(bytes, u64::MAX),
        Ok(Layout { encoding: Encoding::Utf8 | Encoding::Utf8Bom, .. })
    )
}

/// The codec name of a PEP 263 cookie on the first two lines (line 2 counts only after a blank
/// or comment-only line 1), and where the line carrying it ends.
fn cookie_label(bytes: &[u8]) -> Option<(String, usize)> {
    let (first, second_at) = split_line(bytes, 0);
    if let Some(label) = cookie_in_line(first) {
        return Some((label, second_at));
    }
    let first_is_comment_or_blank = matches!(first.trim_ascii().first(), None | Some(b'#'));
    if !first_is_comment_or_blank {
        return None;
    }
    let (second, third_at) = split_line(bytes, second_at);
    cookie_in_line(second).map(|label| (label, third_at))
}

/// The line starting at `from` (without its ending) and where the next one starts.
fn split_line(bytes: &[u8], from: usize) -> (&[u8], usize) {
    let rest = bytes.get(from..).unwrap_or_default();
    match memchr::memchr2(b'\n', b'\r', rest) {
        None => (rest, bytes.len()),
        Some(at) => {
            let ending = if rest[at..].starts_with(b"\r\n") { 2 } else { 1 };
            (&rest[..at], from + at + ending)
        }
    }
}

/// The `coding[:=]name` of a comment line, as Python's regex `^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)`.
fn cookie_in_line(line: &[u8]) -> Option<String> {
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

/// Lines as the line index counts them: a last line without a line ending counts.
pub(crate) fn count_lines(bytes: &[u8]) -> usize {
    let starts = line_starts(bytes).len();
    starts - usize::from(bytes.is_empty() || bytes.ends_with(b"\n") || bytes.ends_with(b"\r"))
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
        assert_eq!(s.encoding(), Encoding::Codec(Codec::Latin1));
        assert!(s.text().contains('é'));
        assert_eq!(s.encode(s.text()).unwrap(), bytes.to_vec());
        let crlf = b"#!/usr/bin/env python\r\n# coding: latin-1\r\nname = '\xe9'\r\n";
        assert_eq!(SourceText::decode(crlf, LIMIT).unwrap().encoding(), Encoding::Codec(Codec::Latin1));
    }

    #[test]
    fn cookie_on_second_line_needs_comment_first_line() {
        let bytes = b"x = 1\n# coding: latin-1\ny = '\xe9'\n";
        let s = SourceText::decode(bytes, LIMIT).unwrap();
        assert_eq!(s.encoding(), Encoding::Utf8);
        assert!(s.text().contains('\u{fffd}'));
    }

    #[test]
    fn other_encodings() {
        let s = SourceText::decode(b"# coding=cp1252\nx = '\x80'\n", LIMIT).unwrap();
        assert!(s.text().contains('€'));
        let s = SourceText::decode(b"# coding: euc-kr\nx = '\xb0\xa1'\n", LIMIT).unwrap();
        assert!(s.text().contains('가'));
        assert_eq!(s.encode(s.text()).unwrap(), b"# coding: euc-kr\nx = '\xb0\xa1'\n");
    }

    #[test]
    fn single_byte_codecs_are_read_with_cpython_tables() {
        let bytes = b"# -*- coding: cp437 -*-\n# \x82\napp.run(host='0.0.0.0')\n";
        let s = SourceText::decode(bytes, LIMIT).unwrap();
        assert!(s.text().contains("# é\napp.run(host='0.0.0.0')"), "{}", s.text());
        assert_eq!(s.encode(s.text()).unwrap(), bytes.to_vec());
    }

    #[test]
    fn codecs_that_rewrite_ascii_are_decoded() {
        let bytes = b"# coding: utf-7\nimport socket\nsocket.socket().bind((\"+ADA-.+ADA-.+ADA-.+ADA-\", 80))\n";
        let s = SourceText::decode(bytes, LIMIT).unwrap();
        assert!(s.text().contains("bind((\"0.0.0.0\", 80))"), "{}", s.text());
        assert!(!reads_as_utf8(bytes));
        let escaped = [b"# coding: unicode_escape\n".as_slice(), br"host = '\x30.0.0.0'\nx = 1"].concat();
        let text = SourceText::decode(&escaped, LIMIT).unwrap();
        assert_eq!(text.text(), "# coding: unicode_escape\nhost = '0.0.0.0'\nx = 1");
        // EBCDIC: the cookie line in ASCII, the rest in cp500 (as `python file.py` reads it).
        let mut file = b"# coding: cp500\n".to_vec();
        file.extend(codecs::lookup("cp500").encode("host = '0.0.0.0'\n").unwrap());
        assert!(!file[16..].contains(&b'0'));
        let s = SourceText::decode(&file, LIMIT).unwrap();
        assert_eq!(s.text(), "# coding: cp500\nhost = '0.0.0.0'\n");
        assert_eq!(s.encode(s.text()).unwrap(), file, "written back the same way");
    }

    #[test]
    fn codecs_python_refuses_or_this_build_lacks_are_not_analysed() {
        for label in ["UTF-16-LE", "utf-32", "rot13", "no-such-codec", "shift_jis_2004", "johab"] {
            let cookie = format!("# coding: {label}\nx = 1\n");
            let err = SourceText::decode(cookie.as_bytes(), LIMIT).unwrap_err();
            assert!(matches!(err, Skip::Undecodable(_)), "{label}: {err:?}");
        }
        let named = [b"# coding: unicode_escape\n".as_slice(), br"host = '\N{DIGIT ZERO}.0.0.0'"].concat();
        assert!(matches!(SourceText::decode(&named, LIMIT), Err(Skip::Undecodable(_))));
    }

    #[test]
    fn utf16_with_a_byte_order_mark() {
        let mut bytes = b"\xFF\xFE".to_vec();
        bytes.extend("x = '0.0.0.0'\n".encode_utf16().flat_map(u16::to_le_bytes));
        let s = SourceText::decode(&bytes, LIMIT).unwrap();
        assert_eq!(s.text(), "x = '0.0.0.0'\n");
    }

    #[test]
    fn nul_bytes_and_invalid_utf8_are_replaced_and_analysed() {
        let s = SourceText::decode(b"\0\0x = '0.0.0.0'\n", LIMIT).unwrap();
        assert_eq!(s.text(), "  x = '0.0.0.0'\n");
        assert!(s.encode(s.text()).is_err(), "a repaired file is not written back");
        let s = SourceText::decode(b"x = '\xff'\nhost = '0.0.0.0'\n", LIMIT).unwrap();
        assert_eq!(s.text(), "x = '\u{fffd}'\nhost = '0.0.0.0'\n");
        assert!(s.encode(s.text()).is_err());
    }

    #[test]
    fn oversized_and_too_deep_are_skipped() {
        assert!(matches!(SourceText::decode(b"x = 1\n", 3), Err(Skip::TooLarge { .. })));
        let deep = format!("x = {}0{}\n", "[".repeat(50_000), "]".repeat(50_000));
        assert!(matches!(SourceText::decode(deep.as_bytes(), LIMIT), Err(Skip::TooDeep { .. })));
    }

    #[test]
    fn count_lines_agrees_with_the_line_index() {
        for text in ["", "a", "a\n", "a\nb", "a\r\nb\r\n", "\n\n", "a\rb\rc", "a\r", "a\r\r\n"] {
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

    #[test]
    fn a_lone_carriage_return_ends_a_line_as_python_reads_it() {
        let s = SourceText::from_text("a = 1\rb = 2\rapp.run(host='0.0.0.0')\r".into(), Encoding::Utf8);
        assert_eq!(s.line_count(), 3);
        assert_eq!(s.line_col(s.text().find("'0").unwrap()), (3, 14));
        assert_eq!(s.line_text(3), "app.run(host='0.0.0.0')");
    }
}
