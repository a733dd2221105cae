//! The codecs that spell characters with other characters: UTF-7 (`+ADA-` is `0`) and the two
//! escape codecs, in which the whole file — code, not only string literals — is read through
//! `\x30`, `\u0030`, `\U00000030` and friends. Each follows `CPython`'s decoder
//! (`Objects/unicodeobject.c`); where `CPython` would refuse the bytes, U+FFFD stands in (Python
//! cannot run such a file either).
//!
//! One thing is not decoded: `\N{NAME}` in `unicode_escape` names any Unicode character, and this
//! build carries no table of names, so a file that uses it is not analysed.

const REPLACEMENT: char = char::REPLACEMENT_CHARACTER;

/// RFC 2152 as `CPython` reads it: `+` starts base64-encoded UTF-16, ended by any other
/// character (a `-` that ends it is dropped); `+-` is `+`.
pub(super) fn utf7(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    let mut units: Vec<u16> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let byte = bytes[i];
        i += 1;
        if byte != b'+' {
            out.push(if byte.is_ascii() { char::from(byte) } else { REPLACEMENT });
            continue;
        }
        if bytes.get(i) == Some(&b'-') {
            out.push('+');
            i += 1;
            continue;
        }
        let (mut bits, mut count) = (0u32, 0u32);
        while let Some(value) = bytes.get(i).and_then(|&b| base64(b)) {
            bits = (bits << 6) | u32::from(value);
            count += 6;
            if count >= 16 {
                count -= 16;
                units.push(u16::try_from((bits >> count) & 0xFFFF).unwrap_or(0xFFFD));
            }
            i += 1;
        }
        out.extend(char::decode_utf16(units.drain(..)).map(|c| c.unwrap_or(REPLACEMENT)));
        if bytes.get(i) == Some(&b'-') {
            i += 1;
        }
    }
    out
}

fn base64(byte: u8) -> Option<u8> {
    match byte {
        b'A'..=b'Z' => Some(byte - b'A'),
        b'a'..=b'z' => Some(byte - b'a' + 26),
        b'0'..=b'9' => Some(byte - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

/// `unicode_escape`: Latin-1 bytes with Python's string escapes applied everywhere.
pub(super) fn unicode_escape(bytes: &[u8]) -> Result<String, String> {
    let mut out = String::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let byte = bytes[i];
        i += 1;
        if byte != b'\\' {
            out.push(char::from(byte));
            continue;
        }
        let Some(&kind) = bytes.get(i) else {
            out.push(REPLACEMENT);
            break;
        };
        i += 1;
        let simple = match kind {
            b'\n' => Some(None),
            b'\\' => Some(Some('\\')),
            b'\'' => Some(Some('\'')),
            b'"' => Some(Some('"')),
            b'a' => Some(Some('\x07')),
            b'b' => Some(Some('\x08')),
            b'f' => Some(Some('\x0c')),
            b'n' => Some(Some('\n')),
            b'r' => Some(Some('\r')),
            b't' => Some(Some('\t')),
            b'v' => Some(Some('\x0b')),
            _ => None,
        };
        if let Some(c) = simple {
            out.extend(c);
            continue;
        }
        match kind {
            b'0'..=b'7' => {
                let mut value = u32::from(kind - b'0');
                for _ in 0..2 {
                    match bytes.get(i) {
                        Some(&d @ b'0'..=b'7') => {
                            value = value * 8 + u32::from(d - b'0');
                            i += 1;
                        }
                        _ => break,
                    }
                }
                out.push(char::from_u32(value).unwrap_or(REPLACEMENT));
            }
            b'x' | b'u' | b'U' => {
                let digits = match kind {
                    b'x' => 2,
                    b'u' => 4,
                    _ => 8,
                };
                let (c, used) = hex_char(&bytes[i..], digits);
                out.push(c);
                i += used;
            }
            b'N' => return Err("\\N{…} escapes in a unicode_escape file are not decoded".into()),
            other => {
                // Unknown escapes stay as written.
                out.push('\\');
                out.push(char::from(other));
            }
        }
    }
    Ok(out)
}

/// `raw_unicode_escape`: Latin-1 bytes where `\uXXXX` and `\UXXXXXXXX` after an odd number of
/// backslashes are characters.
pub(super) fn raw_unicode_escape(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'\\' {
            out.push(char::from(bytes[i]));
            i += 1;
            continue;
        }
        let run = bytes[i..].iter().take_while(|&&b| b == b'\\').count();
        i += run;
        let escapes = run % 2 == 1 && matches!(bytes.get(i), Some(b'u' | b'U'));
        out.extend(std::iter::repeat_n('\\', if escapes { run - 1 } else { run }));
        if escapes {
            let digits = if bytes[i] == b'u' { 4 } else { 8 };
            let (c, used) = hex_char(&bytes[i + 1..], digits);
            out.push(c);
            i += 1 + used;
        }
    }
    out
}

/// The character of exactly `digits` hex digits at the start of `bytes`, and how many bytes were
/// used; U+FFFD when there are fewer or the value is not a character.
fn hex_char(bytes: &[u8], digits: usize) -> (char, usize) {
    let used = bytes.iter().take(digits).take_while(|b| b.is_ascii_hexdigit()).count();
    if used < digits {
        return (REPLACEMENT, used);
    }
    let text = std::str::from_utf8(&bytes[..digits]).unwrap_or_default();
    let value = u32::from_str_radix(text, 16).ok().and_then(char::from_u32);
    (value.unwrap_or(REPLACEMENT), used)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf7_spells_ascii_in_base64() {
        assert_eq!(utf7(b"+ADA-.+ADA-.+ADA-.+ADA-"), "0.0.0.0");
        assert_eq!(utf7(b"a +- b"), "a + b");
        assert_eq!(utf7(b"+AGIAaQBuAGQ-("), "bind(");
        assert_eq!(utf7(b"Hi Mom -+Jjo--!"), "Hi Mom -\u{263a}-!");
        assert_eq!(utf7(b"+2D3cAA-"), "\u{1f400}");
    }

    #[test]
    fn unicode_escape_reads_escapes_everywhere() {
        let text = unicode_escape(br"host = '\x30.\u0030.\U00000030.\060'\nx = 1").unwrap();
        assert_eq!(text, "host = '0.0.0.0'\nx = 1");
        assert_eq!(unicode_escape(br"a\qb").unwrap(), r"a\qb");
        assert!(unicode_escape(br"\N{DIGIT ZERO}").is_err());
        assert_eq!(unicode_escape(b"caf\xe9").unwrap(), "caf\u{e9}");
    }

    #[test]
    fn raw_unicode_escape_reads_only_u_escapes_after_odd_backslashes() {
        assert_eq!(raw_unicode_escape(br"\u0030.\x30"), r"0.\x30");
        assert_eq!(raw_unicode_escape(br"\\u0030"), r"\\u0030");
        assert_eq!(raw_unicode_escape(br"\\\u0030"), r"\\0");
        assert_eq!(raw_unicode_escape(br"\U00000030"), "0");
    }
}
