//! Every codec `CPython` reads source in, by the name a coding cookie gives it.
//!
//! A cookie names a codec the way `CPython` looks it up: the tokenizer's own spellings of UTF-8
//! and Latin-1, then `encodings.normalize_encoding` and `CPython`'s alias table ([`tables`],
//! generated from `CPython` itself). What each codec does to the bytes:
//!
//! * UTF-8 and Latin-1 directly; the 70 single-byte codecs (Windows, DOS, Mac, ISO 8859, KOI8,
//!   the EBCDIC family `cp037`, `cp500`, `cp1140`, …) through `CPython`'s own tables;
//! * the CJK codecs that `encoding_rs` implements (GBK and GB 2312, GB 18030, Big5, `Shift_JIS`,
//!   EUC-JP, EUC-KR, ISO-2022-JP and their Windows code pages);
//! * UTF-7 and the escape codecs (`unicode_escape`, `raw_unicode_escape`) by [`escape`];
//! * UTF-16 and UTF-32 when a byte order mark says so (`CPython` itself refuses such files).
//!
//! The rest are never guessed at: a CJK variant with no decoder here (`shift_jis_2004`, `hz`,
//! `johab`, the other ISO-2022 forms) is [`Codec::Unsupported`], and a name `CPython` does not
//! accept in a cookie ([`Codec::Rejected`]: `utf-16`, `rot13`, `base64`, unknown names) means
//! Python cannot run the file either; both are reported as not analysed, never as clean.

mod escape;
mod tables;

/// A single-byte codec's table (generated).
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Charmap {
    /// The table covers all 256 bytes (EBCDIC); otherwise bytes below 0x80 are ASCII.
    full: bool,
    /// One character per byte (from 0x80 unless `full`).
    chars: &'static str,
}

/// How a file's bytes become text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Codec {
    Utf8,
    Latin1,
    Charmap(&'static str, &'static Charmap),
    Whatwg(&'static encoding_rs::Encoding),
    Utf7,
    UnicodeEscape,
    RawUnicodeEscape,
    /// From a byte order mark: little-endian when true.
    Utf16(bool),
    Utf32(bool),
    /// `CPython` reads it, this build has no decoder for it.
    Unsupported(&'static str),
    /// `CPython` refuses it in a cookie (or does not know it).
    Rejected,
}

impl Codec {
    /// Whether the text has the raw bytes' lines: the bytes `\n` and `\r` are those characters,
    /// and nothing else decodes to them. What a change's line numbers (counted in the raw bytes)
    /// need to be the analysis's. Escape codecs and UTF-7 spell line breaks in other bytes, EBCDIC
    /// puts them elsewhere, UTF-16/32 code units hold those bytes.
    pub(crate) fn keeps_lines(&self) -> bool {
        match self {
            Codec::Utf8 | Codec::Latin1 | Codec::Whatwg(_) => true,
            Codec::Charmap(_, map) => !map.full && !map.chars.contains(['\n', '\r']),
            Codec::Utf7
            | Codec::UnicodeEscape
            | Codec::RawUnicodeEscape
            | Codec::Utf16(_)
            | Codec::Utf32(_)
            | Codec::Unsupported(_)
            | Codec::Rejected => false,
        }
    }
}

/// The codec a cookie names (`label` as written, lowercased).
pub(crate) fn lookup(label: &str) -> Codec {
    if let Some(codec) = tokenizer_spelling(label) {
        return codec;
    }
    let normalized = normalize(label);
    let module = find(&normalized).or_else(|| find(&normalized.replace('.', "_")));
    match module {
        Some(module) => by_module(module),
        None => Codec::Rejected,
    }
}

/// `CPython`'s tokenizer reads `utf-8…` and `latin-1…`/`iso-8859-1…` spellings itself (its
/// `get_normal_name`): `utf-8-unix` is UTF-8.
fn tokenizer_spelling(label: &str) -> Option<Codec> {
    let head: String = label.chars().take(12).map(|c| if c == '_' { '-' } else { c }).collect();
    let is = |name: &str| head == name || head.starts_with(&format!("{name}-"));
    if is("utf-8") {
        Some(Codec::Utf8)
    } else if is("latin-1") || is("iso-8859-1") || is("iso-latin-1") {
        Some(Codec::Latin1)
    } else {
        None
    }
}

/// `encodings.normalize_encoding`: runs of characters other than ASCII letters, digits and
/// `.` become one `_`, leading and trailing ones are dropped.
fn normalize(label: &str) -> String {
    let mut out = String::new();
    let mut gap = false;
    for c in label.chars() {
        if c.is_ascii_alphanumeric() || c == '.' {
            if gap && !out.is_empty() {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
            gap = false;
        } else if !c.is_alphanumeric() {
            gap = true;
        }
    }
    out
}

fn find(name: &str) -> Option<&'static str> {
    let at = tables::NAMES.binary_search_by(|(alias, _)| (*alias).cmp(name)).ok()?;
    Some(tables::NAMES[at].1)
}

fn by_module(module: &'static str) -> Codec {
    if tables::REJECTED.contains(&module) {
        return Codec::Rejected;
    }
    if let Some((name, map)) = tables::CHARMAPS.iter().find(|(name, _)| *name == module) {
        return Codec::Charmap(name, map);
    }
    match module {
        "utf_8" | "utf_8_sig" => Codec::Utf8,
        "latin_1" | "ascii" | "charmap" => Codec::Latin1,
        "utf_7" => Codec::Utf7,
        "unicode_escape" => Codec::UnicodeEscape,
        "raw_unicode_escape" => Codec::RawUnicodeEscape,
        "gbk" | "gb2312" => Codec::Whatwg(encoding_rs::GBK),
        "gb18030" => Codec::Whatwg(encoding_rs::GB18030),
        "big5" | "big5hkscs" | "cp950" => Codec::Whatwg(encoding_rs::BIG5),
        "shift_jis" | "cp932" => Codec::Whatwg(encoding_rs::SHIFT_JIS),
        "euc_jp" => Codec::Whatwg(encoding_rs::EUC_JP),
        "euc_kr" | "cp949" => Codec::Whatwg(encoding_rs::EUC_KR),
        "iso2022_jp" => Codec::Whatwg(encoding_rs::ISO_2022_JP),
        other => Codec::Unsupported(other),
    }
}

impl Codec {
    /// The codec's name for messages.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Codec::Utf8 => "utf-8",
            Codec::Latin1 => "latin-1",
            Codec::Charmap(name, _) | Codec::Unsupported(name) => name,
            Codec::Whatwg(encoding) => encoding.name(),
            Codec::Utf7 => "utf-7",
            Codec::UnicodeEscape => "unicode_escape",
            Codec::RawUnicodeEscape => "raw_unicode_escape",
            Codec::Utf16(_) => "utf-16",
            Codec::Utf32(_) => "utf-32",
            Codec::Rejected => "an unknown codec",
        }
    }

    /// Decodes `bytes`. Bytes the codec cannot decode (`CPython` would refuse the file) become
    /// U+FFFD; `Err` only when the text cannot be known (see [`escape`]).
    pub(crate) fn decode(self, bytes: &[u8]) -> Result<String, String> {
        match self {
            Codec::Utf8 => Ok(String::from_utf8_lossy(bytes).into_owned()),
            Codec::Latin1 => Ok(bytes.iter().map(|&b| char::from(b)).collect()),
            Codec::Charmap(_, map) => Ok(map.decode(bytes)),
            Codec::Whatwg(encoding) => Ok(encoding.decode_without_bom_handling(bytes).0.into_owned()),
            Codec::Utf7 => Ok(escape::utf7(bytes)),
            Codec::UnicodeEscape => escape::unicode_escape(bytes),
            Codec::RawUnicodeEscape => Ok(escape::raw_unicode_escape(bytes)),
            Codec::Utf16(little) => Ok(utf16(bytes, little)),
            Codec::Utf32(little) => Ok(utf32(bytes, little)),
            Codec::Unsupported(name) => Err(format!("no decoder for the {name} codec")),
            Codec::Rejected => Err("Python does not read source in this codec".into()),
        }
    }

    /// Encodes text back, for writing a fix; `Err` where that cannot be done exactly.
    pub(crate) fn encode(self, text: &str) -> Result<Vec<u8>, String> {
        let unmappable = |c: char| format!("{c:?} cannot be written in {}", self.name());
        match self {
            Codec::Utf8 => Ok(text.as_bytes().to_vec()),
            Codec::Latin1 => text.chars().map(|c| u8::try_from(u32::from(c)).map_err(|_| unmappable(c))).collect(),
            Codec::Charmap(_, map) => text.chars().map(|c| map.encode(c).ok_or_else(|| unmappable(c))).collect(),
            Codec::Whatwg(encoding) => {
                let (bytes, _, failed) = encoding.encode(text);
                if failed {
                    return Err(format!("text cannot be encoded as {}", encoding.name()));
                }
                Ok(bytes.into_owned())
            }
            _ => Err(format!("fixes are not written in {}", self.name())),
        }
    }
}

impl Charmap {
    fn decode(&self, bytes: &[u8]) -> String {
        let table: Vec<char> = self.chars.chars().collect();
        bytes
            .iter()
            .map(|&b| match (self.full, b) {
                (false, 0..0x80) => char::from(b),
                (false, _) => table[usize::from(b - 0x80)],
                (true, _) => table[usize::from(b)],
            })
            .collect()
    }

    fn encode(&self, c: char) -> Option<u8> {
        if !self.full && c.is_ascii() {
            return u8::try_from(u32::from(c)).ok();
        }
        let at = self.chars.chars().position(|t| t == c && t != char::REPLACEMENT_CHARACTER)?;
        let byte = if self.full { at } else { at + 0x80 };
        u8::try_from(byte).ok()
    }
}

/// The byte order mark of UTF-32 or UTF-16 at the start of `bytes`, and its length.
pub(crate) fn from_bom(bytes: &[u8]) -> Option<(Codec, usize)> {
    if bytes.starts_with(b"\xFF\xFE\0\0") {
        Some((Codec::Utf32(true), 4))
    } else if bytes.starts_with(b"\0\0\xFE\xFF") {
        Some((Codec::Utf32(false), 4))
    } else if bytes.starts_with(b"\xFF\xFE") {
        Some((Codec::Utf16(true), 2))
    } else if bytes.starts_with(b"\xFE\xFF") {
        Some((Codec::Utf16(false), 2))
    } else {
        None
    }
}

fn utf16(bytes: &[u8], little: bool) -> String {
    let units = bytes.chunks(2).map(|pair| match (pair, little) {
        ([a, b], true) => u16::from_le_bytes([*a, *b]),
        ([a, b], false) => u16::from_be_bytes([*a, *b]),
        _ => 0xFFFD,
    });
    char::decode_utf16(units).map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER)).collect()
}

fn utf32(bytes: &[u8], little: bool) -> String {
    bytes
        .chunks(4)
        .map(|quad| {
            let value = match <[u8; 4]>::try_from(quad) {
                Ok(quad) if little => u32::from_le_bytes(quad),
                Ok(quad) => u32::from_be_bytes(quad),
                Err(_) => 0xFFFD,
            };
            char::from_u32(value).unwrap_or(char::REPLACEMENT_CHARACTER)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codecs_that_spell_or_move_line_breaks_do_not_keep_lines() {
        for label in ["utf-8", "latin-1", "cp1252", "koi8-r", "gbk", "big5", "shift_jis", "iso2022_jp"] {
            assert!(lookup(label).keeps_lines(), "{label}");
        }
        for label in ["utf-7", "unicode_escape", "raw_unicode_escape", "cp500", "cp037"] {
            assert!(!lookup(label).keeps_lines(), "{label}");
        }
    }

    #[test]
    fn names_are_looked_up_as_cpython_does() {
        assert_eq!(lookup("utf-8"), Codec::Utf8);
        assert_eq!(lookup("utf-8-unix"), Codec::Utf8);
        assert_eq!(lookup("latin-1"), Codec::Latin1);
        assert_eq!(lookup("iso-8859-1-dos"), Codec::Latin1);
        assert_eq!(lookup("utf-7").name(), "utf-7");
        assert_eq!(lookup("u7"), Codec::Utf7);
        assert_eq!(lookup("ebcdic-cp-us").name(), "cp037");
        assert_eq!(lookup("IBM500").name(), "cp500");
        assert_eq!(lookup("cp437").name(), "cp437");
        assert_eq!(lookup("euc-jp"), Codec::Whatwg(encoding_rs::EUC_JP));
        assert_eq!(lookup("sjis"), Codec::Whatwg(encoding_rs::SHIFT_JIS));
        assert_eq!(lookup("shift_jis_2004"), Codec::Unsupported("shift_jis_2004"));
        assert_eq!(lookup("hz-gb-2312"), Codec::Unsupported("hz"));
        assert_eq!(lookup("utf-16"), Codec::Rejected);
        assert_eq!(lookup("rot13"), Codec::Rejected);
        assert_eq!(lookup("no-such-codec"), Codec::Rejected);
        assert_eq!(lookup("unicode-escape"), Codec::UnicodeEscape);
    }

    #[test]
    fn ebcdic_is_decoded_and_encoded_back() {
        let cp037 = lookup("cp037");
        let bytes = cp037.encode("app.run(host='0.0.0.0')").unwrap();
        assert!(!bytes.contains(&b'0'), "EBCDIC does not store ASCII as ASCII");
        assert_eq!(cp037.decode(&bytes).unwrap(), "app.run(host='0.0.0.0')");
    }

    #[test]
    fn a_dos_codepage_character_is_read_as_cpython_reads_it() {
        // 0xFC is `ⁿ` in cp437, which NFKC folds to `n` in an identifier; Latin-1 would say `ü`.
        assert_eq!(lookup("cp437").decode(b"bi\xfcd").unwrap(), "biⁿd");
    }

    #[test]
    fn utf16_and_utf32_by_byte_order_mark() {
        let text = "x = '0.0.0.0'";
        let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let (codec, bom) = from_bom(&[b"\xFF\xFE".as_slice(), &le].concat()).unwrap();
        assert_eq!((codec, bom), (Codec::Utf16(true), 2));
        assert_eq!(codec.decode(&le).unwrap(), text);
        let be: Vec<u8> = text.chars().flat_map(|c| u32::from(c).to_be_bytes()).collect();
        assert_eq!(Codec::Utf32(false).decode(&be).unwrap(), text);
        assert_eq!(from_bom(b"\0\0\xFE\xFFx").map(|(c, _)| c), Some(Codec::Utf32(false)));
    }
}
