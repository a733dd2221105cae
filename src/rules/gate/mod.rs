//! The gate: a cheap byte test that lets most files skip parsing.
//!
//! The analysis only recognises a sink through names that appear in the file as written:
//! a catalogued API (its module imported, and its method), a receiver-independent method
//! (`add_insecure_port`), a configuration name (`bind`, `listen`, `socket_host`, …), a server
//! program in a command line. Entry points on receivers nobody can resolve (`app.run`) are
//! common words, so they count only next to an address spelling ([`names::address_hint`]) or
//! where the project may bring one in. A file may still matter through its project: it passes a
//! literal to a helper of another module (an address spelling and an import of a module that
//! may reach a sink), or it calls an entry point with a value of a module it imports; only the
//! project can tell ([`super::may_meet_other_modules`]). Identifiers are
//! NFKC-normalised by the parser (`ｆｌａｓｋ` is `flask`): where a character that folds to
//! ASCII may stand in a name, names cannot be trusted and the file passes.
//!
//! Soundness is checked by a differential property test (`tests.rs`): whenever the full
//! analysis finds something in a generated file, the gate lets the file through.

mod names;

/// Whether a module may define a sink: it names one or calls an entry point (the address may
/// come from the modules that call it), or its names cannot be read.
pub(crate) fn may_define_sinks(bytes: &[u8]) -> bool {
    may_fold_to_ascii(bytes) || names::names_catalogued_sink(bytes) || names::has_entry_name(bytes)
}

/// Whether the file calls an entry point of an unresolved receiver, whatever it spells.
pub(crate) fn has_entry_name(bytes: &[u8]) -> bool {
    names::has_entry_name(bytes)
}

pub(crate) fn may_contain_bind(bytes: &[u8]) -> bool {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    may_fold_to_ascii(bytes) || names::has_sink_name(bytes)
}

/// Whether the file may call anything: a `(` that may open a call's arguments, or a decorator.
/// What a file with no sink of its own needs to hand a value to a helper of another module. A
/// `(` after an operator, a comma or another opening bracket only groups or makes a tuple, and
/// the one after `def name` opens parameters; one first on its line may follow a callee on the
/// line before, and counts.
pub(crate) fn may_call(bytes: &[u8]) -> bool {
    let decorator = |line: &[u8]| line.trim_ascii_start().starts_with(b"@");
    memchr::memchr_iter(b'(', bytes).any(|at| opens_call(&bytes[..at])) || bytes.split(|&b| b == b'\n').any(decorator)
}

/// Whether a `(` after `before` may open a call's arguments.
fn opens_call(before: &[u8]) -> bool {
    let blank = |b: &u8| *b == b' ' || *b == b'\t';
    let Some(end) = before.iter().rposition(|b| !blank(b)) else { return true };
    let grouping = b"=([{,:+-*/%&|^~<>!";
    if grouping.contains(&before[end]) {
        return false;
    }
    // `def name(`: the parameters of a definition.
    let name_start = before[..=end].iter().rposition(|&b| !names::is_ident(b)).map_or(0, |i| i + 1);
    let keyword = &before[..name_start];
    let keyword = &keyword[..keyword.iter().rposition(|b| !blank(b)).map_or(0, |i| i + 1)];
    !(name_start <= end && keyword.ends_with(b"def") && is_word_end(keyword, keyword.len() - 3))
}

/// Whether the word ending `bytes` starts at `start` (nothing of a name before it).
fn is_word_end(bytes: &[u8], start: usize) -> bool {
    start == 0 || !names::is_ident(bytes[start - 1])
}

/// Whether text may spell an all-interfaces address in any way the analysis reads.
pub(crate) fn may_spell_address(bytes: &[u8]) -> bool {
    names::address_hint(bytes)
}

/// Whether a file with no sink of its own holds an address spelling that a helper of another
/// module could receive.
pub(crate) fn has_address_hint(bytes: &[u8]) -> bool {
    names::plain_address(bytes)
}

/// Whether a name in the file may fold to ASCII under NFKC, as the parser folds identifiers
/// (`ſ` is `s`, `ｂ` is `b`, `ﬁ` is `fi`, `ˡ` is `l`). Names are read from the decoded text, so a
/// file that is not read as UTF-8 (a coding cookie naming another encoding, or bytes that are
/// not UTF-8) counts as folding: its non-ASCII bytes stand for characters this check cannot see.
fn may_fold_to_ascii(bytes: &[u8]) -> bool {
    // Checked first: UTF-7, EBCDIC and the escape codecs spell names in plain ASCII bytes too.
    if !crate::source::reads_as_utf8(bytes) {
        return true;
    }
    let first = match first_non_ascii(bytes, 0) {
        None => return false,
        Some(at) => at,
    };
    let Ok(text) = std::str::from_utf8(bytes) else { return true };
    let mut at = Some(first);
    while let Some(i) = at {
        let c = text[i..].chars().next().unwrap_or_default();
        if folds_to_ascii(c) {
            return true;
        }
        at = first_non_ascii(bytes, i + c.len_utf8());
    }
    false
}

/// Non-ASCII text is rare and short: ASCII blocks are skipped wholesale.
fn first_non_ascii(bytes: &[u8], from: usize) -> Option<usize> {
    const BLOCK: usize = 64;
    let mut i = from;
    while i < bytes.len() {
        let end = (i + BLOCK).min(bytes.len());
        if bytes[i..end].is_ascii() {
            i = end;
            continue;
        }
        return bytes[i..end].iter().position(|b| !b.is_ascii()).map(|k| i + k);
    }
    None
}

fn folds_to_ascii(c: char) -> bool {
    let cp = c as u32;
    let at = FOLDS_TO_ASCII.partition_point(|&(_, last)| last < cp);
    FOLDS_TO_ASCII.get(at).is_some_and(|&(first, _)| first <= cp)
}

/// Code point ranges whose NFKC form holds an ASCII letter, digit or `_`, derived from the
/// normaliser the parser uses (`the_folding_table_is_complete` derives it again).
const FOLDS_TO_ASCII: &[(u32, u32)] = &[
    (0xAA, 0xAA),
    (0xB2, 0xB3),
    (0xB9, 0xBA),
    (0xBC, 0xBE),
    (0x132, 0x133),
    (0x13F, 0x140),
    (0x149, 0x149),
    (0x17F, 0x17F),
    (0x1C4, 0x1CC),
    (0x1F1, 0x1F3),
    (0x2B0, 0x2B0),
    (0x2B2, 0x2B3),
    (0x2B7, 0x2B8),
    (0x2E1, 0x2E3),
    (0x1D2C, 0x1D2C),
    (0x1D2E, 0x1D2E),
    (0x1D30, 0x1D31),
    (0x1D33, 0x1D3A),
    (0x1D3C, 0x1D3C),
    (0x1D3E, 0x1D43),
    (0x1D47, 0x1D49),
    (0x1D4D, 0x1D4D),
    (0x1D4F, 0x1D50),
    (0x1D52, 0x1D52),
    (0x1D56, 0x1D58),
    (0x1D5B, 0x1D5B),
    (0x1D62, 0x1D65),
    (0x1D9C, 0x1D9C),
    (0x1DA0, 0x1DA0),
    (0x1DBB, 0x1DBB),
    (0x1E9A, 0x1E9A),
    (0x2070, 0x2071),
    (0x2074, 0x2079),
    (0x207F, 0x2089),
    (0x2090, 0x2093),
    (0x2095, 0x209F),
    (0x20A8, 0x20A8),
    (0x2100, 0x2103),
    (0x2105, 0x2106),
    (0x2109, 0x210E),
    (0x2110, 0x2113),
    (0x2115, 0x2116),
    (0x2119, 0x211D),
    (0x2120, 0x2122),
    (0x2124, 0x2124),
    (0x2128, 0x2128),
    (0x212A, 0x212A),
    (0x212C, 0x212D),
    (0x212F, 0x2131),
    (0x2133, 0x2134),
    (0x2139, 0x2139),
    (0x213B, 0x213B),
    (0x2145, 0x2149),
    (0x2150, 0x217F),
    (0x2189, 0x2189),
    (0x2460, 0x24EA),
    (0x2C7C, 0x2C7D),
    (0x3250, 0x325F),
    (0x32B1, 0x32CF),
    (0x3358, 0x337A),
    (0x3380, 0x33FF),
    (0xA7F1, 0xA7F4),
    (0xFB00, 0xFB06),
    (0xFE33, 0xFE34),
    (0xFE4D, 0xFE4F),
    (0xFF10, 0xFF19),
    (0xFF21, 0xFF3A),
    (0xFF3F, 0xFF3F),
    (0xFF41, 0xFF5A),
    (0x107A5, 0x107A5),
    (0x1CCD6, 0x1CCF9),
    (0x1D400, 0x1D454),
    (0x1D456, 0x1D49C),
    (0x1D49E, 0x1D49F),
    (0x1D4A2, 0x1D4A2),
    (0x1D4A5, 0x1D4A6),
    (0x1D4A9, 0x1D4AC),
    (0x1D4AE, 0x1D4B9),
    (0x1D4BB, 0x1D4BB),
    (0x1D4BD, 0x1D4C3),
    (0x1D4C5, 0x1D505),
    (0x1D507, 0x1D50A),
    (0x1D50D, 0x1D514),
    (0x1D516, 0x1D51C),
    (0x1D51E, 0x1D539),
    (0x1D53B, 0x1D53E),
    (0x1D540, 0x1D544),
    (0x1D546, 0x1D546),
    (0x1D54A, 0x1D550),
    (0x1D552, 0x1D6A3),
    (0x1D7CE, 0x1D7FF),
    (0x1F100, 0x1F10A),
    (0x1F110, 0x1F12E),
    (0x1F130, 0x1F14F),
    (0x1F16A, 0x1F16C),
    (0x1F190, 0x1F190),
    (0x1FBF0, 0x1FBF9),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_folding_table_is_complete() {
        use unicode_normalization::UnicodeNormalization;
        for c in (0x80..=0x10FFFF).filter_map(char::from_u32) {
            let folds = std::iter::once(c).nfkc().any(|x| x.is_ascii_alphanumeric() || x == '_');
            assert_eq!(folds_to_ascii(c), folds, "U+{:04X}", c as u32);
        }
    }

    #[test]
    fn only_characters_that_fold_to_ascii_open_every_sink() {
        assert!(may_contain_bind("import ｆｌａｓｋ\n".as_bytes()));
        assert!(!may_contain_bind("x = 'données'\n".as_bytes()));
        assert!(may_contain_bind(b"# -*- coding: latin-1 -*-\nx = '\xe9'\n"));
    }

    #[test]
    fn ordinary_code_is_ruled_out() {
        let text = b"import json\n\ndef load(path):\n    with open(path) as f:\n        return json.load(f) or ''\n";
        assert!(!may_contain_bind(text));
        assert!(!may_contain_bind(b"import numpy as np\nx = np.array([1, 2])\n"));
        assert!(!may_contain_bind(b"x = runner.run()\n"));
    }

    #[test]
    fn old_and_six_names_of_standard_servers_pass() {
        assert!(may_contain_bind(b"from six.moves import socketserver\nsocketserver.TCPServer(a, H)\n"));
        assert!(may_contain_bind(b"from six.moves.BaseHTTPServer import HTTPServer\nHTTPServer(a, H)\n"));
        assert!(may_contain_bind(b"import SocketServer\nSocketServer.UDPServer(a, H)\n"));
        assert!(!may_contain_bind(b"from six.moves import range\nrange(3)\n"));
    }

    /// A file with no call hands nothing to a helper: `__init__.py` files of imports and tuples.
    #[test]
    fn a_call_is_a_paren_after_a_callee_or_a_decorator() {
        for calls in [
            "serve(HOST)",
            "net.serve (HOST)",
            "x = [f(1)]",
            "handlers[0](HOST)",
            "make()(HOST)",
            "'{}'.format(HOST)",
            "x = (f\n(HOST))",
            "x = f \\\n(HOST)",
            "class S(net.Server):\n    pass",
            "@net.serving\ndef app():\n    pass",
            "if ok: (serve)(HOST)",
            "not (f)(x)",
            "undef(HOST)",
        ] {
            assert!(may_call(calls.as_bytes()), "{calls}");
        }
        for no_call in [
            "from .base import *\n__all__ = (base.__all__ +\n    other.__all__)",
            "x = [(1, 2), {'a': (3)}]",
            "def f(a, b):\n    return a",
            "async def f(a):\n    return -(a) * (2) ** (x)",
            "t = 1, (2)",
            "y = x[1:(2)]",
        ] {
            assert!(!may_call(no_call.as_bytes()), "{no_call}");
        }
    }
}
