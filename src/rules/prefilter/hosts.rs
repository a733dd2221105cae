//! Host spellings in raw bytes: could the literals of this file make an all-interfaces host?
//!
//! The classifier parses a host delimited by the start or end of the string, `://`, brackets, a
//! port colon, whitespace (listen lists), `=` (`--host=` argv entries) or `%` (an IPv6 zone).
//! The string is assembled from literal pieces, which start after a quote, a `}` (f-string and
//! `str.format` fields) or a `%` conversion, and end before a quote, `{` or `%`. So, over the
//! maximal runs of the characters an unspecified address is made of (`0`, `.`, `:`):
//! - a run that holds a whole host (`0.0.0.0`, `::`, `0:0…`) counts when delimited like one:
//!   `a[::2]` and `x = 10.0` are not, `'[::]:80'` and `"tcp://0.0.0.0:1"` are;
//! - a host split over pieces (`'0.0.' '0.0'`, `f"{z}.{z}.{z}.{z}"`) has a first piece that
//!   starts like a host and ends at a piece boundary, and a last piece that starts at one and
//!   ends like a host; both must exist.
//!
//! Escapes count only when they can decode to a host character (`\x30`, `\60`, `\N{…}`, the
//! Twisted endpoint `\:`); `''` only for sinks that take it as INADDR_ANY, `*` only for those
//! that accept a wildcard and only where it stands alone between delimiters.

use super::Needs;

/// The host spellings present, each of which counts only for sinks that accept it.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Spellings {
    pub ip: bool,
    pub empty: bool,
    pub star: bool,
    pub zero: bool,
}

impl Spellings {
    pub(crate) fn any(self) -> bool {
        self.ip || self.empty || self.star || self.zero
    }

    pub(crate) fn count_for(self, needs: Needs) -> bool {
        (self.ip && needs.has(Needs::IP))
            || (self.empty && needs.has(Needs::EMPTY))
            || (self.star && needs.has(Needs::STAR))
            || (self.zero && needs.has(Needs::ZERO))
    }
}

pub(crate) fn spellings(bytes: &[u8]) -> Spellings {
    let escapes = host_escapes(bytes);
    let pct = may_convert(bytes);
    let (ip, zero) = if escapes.ip { (true, false) } else { address_runs(bytes, pct) };
    Spellings { ip, zero, empty: has_empty(bytes), star: escapes.star || has_star(bytes, pct) }
}

pub(crate) fn is_quote(b: u8) -> bool {
    b == b'\'' || b == b'"'
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0b' | b'\x0c')
}

fn is_run_byte(b: u8) -> bool {
    matches!(b, b'0' | b'.' | b':')
}

/// `''`, `""`, a literal that is only a line continuation, or `--bind=` / `-b=` ending a literal
/// (an argv entry whose value is empty).
fn has_empty(bytes: &[u8]) -> bool {
    memchr::memchr2_iter(b'\'', b'"', bytes).any(|i| {
        let next = bytes.get(i + 1).copied();
        let empty = next == Some(bytes[i]);
        let continuation = next == Some(b'\\') && matches!(bytes.get(i + 2), Some(b'\n' | b'\r'));
        let flag =
            i > 0 && bytes[i - 1] == b'=' && (bytes[..i - 1].ends_with(b"bind") || bytes[..i - 1].ends_with(b"-b"));
        empty || continuation || flag
    })
}

/// A `*` that can be a whole host: `'*'`, `*:8080`, `tcp://*`, `--ip=*`.
fn has_star(bytes: &[u8], pct: bool) -> bool {
    memchr::memchr_iter(b'*', bytes).any(|i| {
        let before = i.checked_sub(1).map(|j| bytes[j]);
        let after = bytes.get(i + 1).copied();
        let left = match before {
            None => true,
            Some(b) if is_space(b) => {
                after.is_some_and(|a| a == b':' || is_quote(a) || matches!(a, b'{' | b'%' | b'\\'))
            }
            Some(b) => {
                is_quote(b)
                    || matches!(b, b'}' | b'\\' | b'/' | b'=')
                    || after_conversion(bytes, i, pct)
                    || escape_just_before(bytes, i)
            }
        };
        let right = after.is_none_or(|a| is_quote(a) || matches!(a, b'{' | b'%' | b'\\' | b':' | b'/'));
        left && right
    })
}

/// Whether the file may hold a `%` conversion: a `%`, or an escape that can stand for one
/// (`\x25`, `\45`, `\u0025`, `\N{…}`).
fn may_convert(bytes: &[u8]) -> bool {
    memchr::memchr(b'%', bytes).is_some()
        || memchr::memchr_iter(b'\\', bytes).any(|i| matches!(escape_at(bytes, i), Escape::Char(0x25) | Escape::Named))
}

/// Whether `bytes[at - 1]` may be the type letter of a `%` conversion, in a file that may hold
/// one (`pct`). The analysis ends a conversion at the first letter after its `%`, with anything
/// else between (`%-5s`, `%!s`, `%(key))s`), and the template is assembled like any string
/// (`'%' r's0.0.0.0'`, `p + 's…'`), so the letter counts when it starts a piece, or when the
/// walk back over non-letters (escapes decoded) reaches a `%`, a `%(` key or a piece boundary.
fn after_conversion(bytes: &[u8], at: usize, pct: bool) -> bool {
    let Some(k) = at.checked_sub(1) else { return false };
    if !pct || !bytes[k].is_ascii_alphabetic() {
        return false;
    }
    let mut j = k;
    let mut keyed = false;
    while j > 0 {
        if let Some((start, c)) = escape_ending_at(bytes, j) {
            match c {
                b'%' => return true,
                b')' => keyed = true,
                c if c.is_ascii_alphabetic() && !keyed => return false,
                _ => {}
            }
            j = start;
            continue;
        }
        j -= 1;
        match bytes[j] {
            b'%' => return true,
            b if is_quote(b) || b == b'}' => return true,
            b')' => keyed = true,
            b'(' if keyed && j > 0 && bytes[j - 1] == b'%' => return true,
            b if b.is_ascii_alphabetic() && !keyed => return false,
            _ => {}
        }
    }
    true
}

/// The escape that ends right before `end`, if any: where it starts and the byte it stands for.
fn escape_ending_at(bytes: &[u8], end: usize) -> Option<(usize, u8)> {
    if !bytes[end - 1].is_ascii_alphanumeric() {
        return None;
    }
    (2..=10).filter_map(|len| end.checked_sub(len)).filter(|&s| bytes[s] == b'\\').find_map(|s| {
        match escape_at(bytes, s) {
            Escape::Char(c) => {
                let next = decode_escape(bytes, s).map(|(_, next)| next);
                (next == Some(end)).then(|| (s, u8::try_from(c).unwrap_or(0xFF)))
            }
            _ => None,
        }
    })
}

/// A piece starts here: after a quote, a `}` field end, a `%` conversion or an escape.
fn opens_piece(bytes: &[u8], at: usize, pct: bool) -> bool {
    match at.checked_sub(1).map(|j| bytes[j]) {
        None => true,
        Some(b) => is_quote(b) || b == b'}' || b == b'\\' || after_conversion(bytes, at, pct),
    }
}

/// A piece ends here: before a quote, a `{` field, a `%` conversion or an escape.
fn closes_piece(b: Option<u8>) -> bool {
    b.is_none_or(|b| is_quote(b) || matches!(b, b'{' | b'%' | b'\\'))
}

/// A host may start here: a piece start, a delimiter the classifier strips, or an escape that
/// may decode to one (`\t0.0.0.0`, `\x5b::]`, `tcp:\x2f\x2f*`).
fn host_may_start(bytes: &[u8], at: usize, pct: bool) -> bool {
    let before = at.checked_sub(1).map(|j| bytes[j]);
    before.is_some_and(|b| matches!(b, b'[' | b'/' | b'=') || is_space(b))
        || opens_piece(bytes, at, pct)
        || escape_just_before(bytes, at)
}

/// The longest escape (`\Uhhhhhhhh`) is ten bytes: a backslash that close before `at` may end
/// in an escape right before it, whose decoded character the raw bytes do not show.
fn escape_just_before(bytes: &[u8], at: usize) -> bool {
    memchr::memchr(b'\\', &bytes[at.saturating_sub(10)..at]).is_some()
}

/// A host may end here: a piece end or a delimiter.
fn host_may_end(b: Option<u8>) -> bool {
    closes_piece(b) || b.is_some_and(|b| matches!(b, b']' | b'/') || is_space(b))
}

/// The text of an unspecified address: IPv4 `0.0.0.0`, or IPv6 (which always has `::` or,
/// uncompressed, `0:0`).
fn is_whole_host(h: &[u8]) -> bool {
    memchr::memmem::find(h, b"0.0.0.0").is_some()
        || memchr::memmem::find(h, b"::").is_some()
        || memchr::memmem::find(h, b"0:0").is_some()
}

#[derive(Default)]
struct Pieces {
    first: bool,
    last: bool,
}

/// Whether some run spells an unspecified IP address (whole or in pieces), and whether one
/// spells Django's `0` host; stops at the first IP address.
fn address_runs(bytes: &[u8], pct: bool) -> (bool, bool) {
    let mut pieces = Pieces::default();
    let mut zero = false;
    let mut i = 0;
    // A run of dots alone is never a host, so look for the other two bytes and step back over
    // the dots before them: attribute access makes `.` far the most common of the three.
    while let Some(off) = memchr::memchr2(b'0', b':', &bytes[i..]) {
        let mut start = i + off;
        while start > i && bytes[start - 1] == b'.' {
            start -= 1;
        }
        let mut end = start + 1;
        while end < bytes.len() && is_run_byte(bytes[end]) {
            end += 1;
        }
        match run_has_host(bytes, start, end, &mut pieces, pct) {
            Some(Host::Ip) => return (true, zero),
            Some(Host::Zero) => zero = true,
            None => {}
        }
        i = end;
    }
    (false, zero)
}

enum Host {
    Ip,
    Zero,
}

/// Judges one maximal run `bytes[start..end]`; records split-host pieces in `pieces`.
fn run_has_host(bytes: &[u8], start: usize, end: usize, pieces: &mut Pieces, pct: bool) -> Option<Host> {
    let run = &bytes[start..end];
    if !run.iter().any(|&b| b != b'.') {
        return None;
    }
    let after = bytes.get(end).copied();
    // Host prefixes that end at a colon: a port, endpoint options or a hole follow.
    let before_colons = || run.iter().enumerate().filter(|(_, b)| **b == b':').map(|(c, _)| &run[..c]);
    let ends_like_host = |h: &[u8]| h.last().is_some_and(|&b| b == b'0' || b == b':');
    let mut zero = false;
    if host_may_start(bytes, start, pct) {
        if (host_may_end(after) && is_whole_host(run)) || before_colons().any(is_whole_host) {
            return Some(Host::Ip);
        }
        zero = before_colons().any(|h| h == b"0") || (run == b"0" && closes_piece(after));
        if closes_piece(after) && (run[0] == b'0' || run[0] == b':') {
            pieces.first = true;
        }
    }
    if !pieces.last && opens_piece(bytes, start, pct) {
        pieces.last = (host_may_end(after) && ends_like_host(run)) || before_colons().any(ends_like_host);
    }
    if pieces.first && pieces.last {
        return Some(Host::Ip);
    }
    zero.then_some(Host::Zero)
}

#[derive(Default)]
struct Escapes {
    ip: bool,
    star: bool,
}

/// Escapes that can decode to a host character (`0 . :`, or `*`), Twisted endpoint escapes
/// (`\:`), and line continuations next to a run character inside a literal.
fn host_escapes(bytes: &[u8]) -> Escapes {
    let mut found = Escapes::default();
    for i in memchr::memchr_iter(b'\\', bytes) {
        match escape_at(bytes, i) {
            Escape::Char(0x30 | 0x2e | 0x3a) | Escape::Named => return Escapes { ip: true, star: true },
            Escape::Char(0x2a) => found.star = true,
            Escape::Continuation(next) => {
                let prev = i.checked_sub(1).map(|j| bytes[j]);
                if prev.is_some_and(is_run_byte) || bytes.get(next).copied().is_some_and(is_run_byte) {
                    found.ip = true;
                    return found;
                }
            }
            _ => {}
        }
    }
    found
}

/// An escape that can spell a character of a configuration name in a dict key.
pub(crate) enum NameEscape {
    /// `\x62`, `\u0062`, octal: decodable, see [`decode_escape`]; also a line continuation
    /// inside a literal (`'bi\` newline `nd'`), which joins the lines.
    Char,
    /// `\N{…}`: any character, by a name this filter does not look up.
    Named,
}

pub(crate) fn name_escape_at(bytes: &[u8], i: usize) -> Option<NameEscape> {
    match escape_at(bytes, i) {
        Escape::Char(c) => {
            char::from_u32(c).is_some_and(|c| c.is_ascii_alphanumeric() || c == '_').then_some(NameEscape::Char)
        }
        Escape::Named => Some(NameEscape::Named),
        Escape::Continuation(_) => Some(NameEscape::Char),
        Escape::Other => None,
    }
}

/// The character the escape at `i` stands for (`None` for a continuation, which stands for
/// nothing; a byte no name holds for one outside ASCII) and where the escape ends; `None` when
/// the backslash starts no decodable escape.
pub(crate) fn decode_escape(bytes: &[u8], i: usize) -> Option<(Option<u8>, usize)> {
    match escape_at(bytes, i) {
        Escape::Char(c) => {
            let len = match bytes.get(i + 1) {
                Some(b'x') => 4,
                Some(b'u') => 6,
                Some(b'U') => 10,
                Some(b':') => 2,
                _ => 1 + bytes[i + 1..].iter().take(3).take_while(|b| (b'0'..=b'7').contains(b)).count(),
            };
            Some((Some(u8::try_from(c).ok().filter(u8::is_ascii).unwrap_or(0xFF)), i + len))
        }
        Escape::Continuation(next) => Some((None, next)),
        Escape::Named | Escape::Other => None,
    }
}

enum Escape {
    /// `\xhh`, `\uhhhh`, `\Uhhhhhhhh`, octal, or `\:` (kept as is by Python, read by Twisted).
    Char(u32),
    /// `\N{…}`: any character.
    Named,
    /// Backslash-newline; the index after the line break.
    Continuation(usize),
    Other,
}

fn escape_at(bytes: &[u8], i: usize) -> Escape {
    let rest = &bytes[i + 1..];
    let hex = |n: usize| {
        let digits = rest.get(1..1 + n)?;
        let s = std::str::from_utf8(digits).ok()?;
        u32::from_str_radix(s, 16).ok()
    };
    match rest.first() {
        Some(b'x') => hex(2).map_or(Escape::Other, Escape::Char),
        Some(b'u') => hex(4).map_or(Escape::Other, Escape::Char),
        Some(b'U') => hex(8).map_or(Escape::Other, Escape::Char),
        Some(b'N') if rest.get(1) == Some(&b'{') => Escape::Named,
        Some(b'0'..=b'7') => {
            let n = rest.iter().take(3).take_while(|b| (b'0'..=b'7').contains(b)).count();
            let s = std::str::from_utf8(&rest[..n]).unwrap_or("0");
            Escape::Char(u32::from_str_radix(s, 8).unwrap_or(0))
        }
        Some(b':') => Escape::Char(0x3a),
        Some(b'\n') => Escape::Continuation(i + 2),
        Some(b'\r') => Escape::Continuation(if rest.get(1) == Some(&b'\n') { i + 3 } else { i + 2 }),
        _ => Escape::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_decode_to_the_character_and_end_where_python_ends_them() {
        fn decode(text: &[u8]) -> Option<(Option<u8>, &[u8])> {
            decode_escape(text, 0).map(|(c, next)| (c, &text[next..]))
        }
        assert_eq!(decode(b"\\x62ind"), Some((Some(b'b'), &b"ind"[..])));
        assert_eq!(decode(b"\\u0062ind"), Some((Some(b'b'), &b"ind"[..])));
        assert_eq!(decode(b"\\U00000062ind"), Some((Some(b'b'), &b"ind"[..])));
        assert_eq!(decode(b"\\142ind"), Some((Some(b'b'), &b"ind"[..])));
        assert_eq!(decode(b"\\u00e9x"), Some((Some(0xFF), &b"x"[..])));
        assert_eq!(decode(b"\\\nnd"), Some((None, &b"nd"[..])));
        assert_eq!(decode(b"\\\r\nnd"), Some((None, &b"nd"[..])));
        assert_eq!(decode(b"\\n"), None);
        assert_eq!(decode(b"\\"), None);
    }
}
