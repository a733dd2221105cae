//! Which sink names a file contains, as written.
//!
//! The resolver builds a callee key from text in the file: imported module and class names and
//! the attribute or name that is called. So a catalogue name `flask.Flask.run` can only match
//! in a file that contains both `flask` (imported, or a Python 2 spelling the import resolver
//! maps onto it) and `run` as whole words; `*.bind` needs only `bind`. Configuration names and
//! server programs are matched as substrings, as the analysis matches them (as written).

use rustc_hash::FxHashMap as HashMap;
use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use super::super::catalogue::{CATALOGUE, PROGRAMS, UNRESOLVED, config_fragments};

/// Python 2 module names (and `six`, whose `moves` holds them) and the catalogue roots the import
/// resolver maps them onto.
const LEGACY: &[(&str, &str)] = &[
    ("SocketServer", "socketserver"),
    ("BaseHTTPServer", "http"),
    ("SimpleHTTPServer", "http"),
    ("CGIHTTPServer", "http"),
    ("SimpleXMLRPCServer", "xmlrpc"),
    ("DocXMLRPCServer", "xmlrpc"),
    ("distributed", "dask"),
    ("six", "socketserver"),
    ("six", "http"),
    ("six", "xmlrpc"),
];

/// Fragments of configuration names and words of commands, matched in any case.
const FRAGMENTS: &[&str] = &["bind", "listen", "socket_host", "serverapp", "notebookapp", "labapp", "runserver"];

/// Roots too common to filter on: the method name alone decides (`os.execv`).
const COMMON_ROOTS: &[&str] = &["os"];

struct Tables {
    /// Imported module roots (and their Python 2 spellings) → bits of the roots they stand for.
    roots: HashMap<&'static [u8], u128>,
    /// Module-qualified names: the root bits, then the method.
    qualified: Vec<(u128, &'static str)>,
    /// Names that need no module, found as whole words anywhere.
    methods: AhoCorasick,
    /// Entry points of unresolved receivers: they count only next to an address spelling.
    entries: AhoCorasick,
    /// Configuration fragments, in any case.
    fragments: AhoCorasick,
    /// Server programs, as words of a string (`'uvicorn'`, `"/usr/bin/gunicorn -b …"`).
    programs: AhoCorasick,
}

/// Whether the file names a sink the analysis could match. Entry points of unresolved
/// receivers count next to an address spelling: on its own, the file can only bind with a value
/// it spells.
pub(super) fn has_sink_name(bytes: &[u8]) -> bool {
    names_catalogued_sink(bytes) || has_entry_name(bytes) && address_hint(bytes)
}

/// Whether the file names a catalogued API, a configuration name or a server program.
pub(super) fn names_catalogued_sink(bytes: &[u8]) -> bool {
    let t = tables();
    let program = |m: aho_corasick::Match| {
        let before = m.start().checked_sub(1).map(|i| bytes[i]);
        let after = bytes.get(m.end()).copied();
        matches!(before, Some(b'\'' | b'"' | b'/' | b' ' | b'\t')) && matches!(after, Some(b'\'' | b'"' | b' ' | b'\t'))
    };
    if t.fragments.is_match(bytes)
        || t.methods.find_iter(bytes).any(|m| is_whole_word(bytes, m.range()))
        || t.programs.find_iter(bytes).any(program)
    {
        return true;
    }
    let roots = imported_roots(bytes, t);
    roots != 0 && t.qualified.iter().any(|&(bits, method)| bits & roots != 0 && has_word(bytes, method))
}

/// Whether the file names an entry point the analysis judges on receivers it cannot resolve
/// (`app.run`, `server.serve`): a sink when an address reaches it, from this file or another.
pub(super) fn has_entry_name(bytes: &[u8]) -> bool {
    tables().entries.find_iter(bytes).any(|m| is_whole_word(bytes, m.range()))
}

/// A spelling that may make an all-interfaces address: an unspecified IP or its pieces
/// (`0.0`, `::`, `0:0`, a quoted `0`), an escape that may decode to one, a quoted `*`, or an
/// empty string where an address goes (`host=''`, `('', 80)`). Literals passed to helpers in
/// other modules are only followed in files that have one.
pub(crate) fn address_hint(bytes: &[u8]) -> bool {
    static HINTS: OnceLock<AhoCorasick> = OnceLock::new();
    let hints = HINTS.get_or_init(|| {
        let words = [
            "0.0",
            "::",
            "0:0",
            "'0",
            "\"0",
            "':",
            "\":",
            ":'",
            ":\"",
            "\\x",
            "\\u",
            "\\U",
            "\\N",
            "\\0",
            "\\6",
            "'*",
            "\"*",
            "*:",
            "INADDR_ANY",
        ];
        AhoCorasick::new(words).expect("address hints")
    });
    hints.is_match(bytes) || empty_address(bytes)
}

/// An all-interfaces address spelled plainly: `0.0.0.0`, `::` as a whole literal or in
/// brackets, a quoted or `host:port` wildcard, `INADDR_ANY`, or an empty string where an
/// address goes. What a file with no sink of its own must hold for its literals to be followed
/// into helpers of other modules (escapes and pieces count only next to a sink).
pub(crate) fn plain_address(bytes: &[u8]) -> bool {
    static PLAIN: OnceLock<AhoCorasick> = OnceLock::new();
    let plain = PLAIN.get_or_init(|| {
        let words = ["0.0.0.0", "'::'", "\"::\"", "[::]", "'::0'", "\"::0\"", "'*'", "\"*\"", "*:", "INADDR_ANY"];
        AhoCorasick::new(words).expect("plain addresses")
    });
    plain.is_match(bytes) || empty_address(bytes)
}

/// An empty string literal next to a word that says "address", or first in a `(…, port)` pair.
fn empty_address(bytes: &[u8]) -> bool {
    for at in memchr::memmem::find_iter(bytes, b"''").chain(memchr::memmem::find_iter(bytes, b"\"\"")) {
        let before = &bytes[at.saturating_sub(24)..at];
        let lowered: Vec<u8> = before.iter().map(u8::to_ascii_lowercase).collect();
        let named = ["host", "addr", "interface", "bind", "listen", "ip"]
            .iter()
            .any(|w| memchr::memmem::find(&lowered, w.as_bytes()).is_some());
        let after = &bytes[(at + 2).min(bytes.len())..];
        let rest = after.iter().skip_while(|b| b.is_ascii_whitespace()).copied();
        let mut rest = rest.skip_while(|&b| b == b',');
        let pair = after.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b',')
            && rest.find(|b| !b.is_ascii_whitespace()).is_some_and(|b| b.is_ascii_digit() || b == b'p' || b == b'P');
        if named || pair {
            return true;
        }
    }
    false
}

/// Qualified names only come from imports, so a module root counts where an `import` or `from`
/// names it: `import a.b as c, d`, `from a.b import c`.
fn imported_roots(bytes: &[u8], t: &Tables) -> u128 {
    let mut roots = 0;
    for keyword in [&b"import"[..], b"from"] {
        for at in memchr::memmem::find_iter(bytes, keyword) {
            if !is_whole_word(bytes, at..at + keyword.len()) {
                continue;
            }
            let take = if keyword == b"from" { 1 } else { usize::MAX };
            for word in statement_words(bytes, at + keyword.len()).take(take) {
                roots |= t.roots.get(word).copied().unwrap_or(0);
            }
        }
    }
    roots
}

/// The names of the statement that goes on at `i`, up to its end.
fn statement_words(bytes: &[u8], mut i: usize) -> impl Iterator<Item = &[u8]> {
    let mut depth = 0u32;
    std::iter::from_fn(move || {
        while let Some(&b) = bytes.get(i) {
            match b {
                b'(' => depth += 1,
                b')' => depth = depth.saturating_sub(1),
                b'\\' if matches!(bytes.get(i + 1), Some(b'\n' | b'\r')) => i += 1,
                b'\n' | b'\r' if depth == 0 => return None,
                b';' | b'#' => return None,
                _ if is_ident(b) || b >= 0x80 => {
                    let start = i;
                    while bytes.get(i).is_some_and(|&c| is_ident(c) || c >= 0x80) {
                        i += 1;
                    }
                    return Some(&bytes[start..i]);
                }
                _ => {}
            }
            i += 1;
        }
        None
    })
}

fn has_word(bytes: &[u8], word: &str) -> bool {
    memchr::memmem::find_iter(bytes, word).any(|at| is_whole_word(bytes, at..at + word.len()))
}

fn is_whole_word(bytes: &[u8], range: std::ops::Range<usize>) -> bool {
    !range.start.checked_sub(1).is_some_and(|i| is_ident(bytes[i]))
        && !bytes.get(range.end).copied().is_some_and(is_ident)
}

/// ASCII only: a non-ASCII byte next to a word is taken as a boundary.
pub(super) fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(build)
}

fn build() -> Tables {
    let mut roots: HashMap<&'static [u8], u128> = HashMap::default();
    let mut bit = |w: &'static str| -> u128 {
        let next = 1u128 << roots.len().min(127);
        *roots.entry(w.as_bytes()).or_insert(next)
    };
    let mut qualified = Vec::new();
    let mut methods: Vec<&'static str> = Vec::new();
    for name in CATALOGUE.iter().flat_map(|api| api.names.iter().copied()) {
        let root = name.split('.').next().unwrap_or(name);
        let method = name.rsplit('.').next().unwrap_or(name);
        if matches!(root, "*" | "?") || COMMON_ROOTS.contains(&root) {
            methods.push(method);
        } else {
            qualified.push((bit(root), method));
        }
    }
    debug_assert!(roots.len() <= 128, "module roots must fit the bit set");
    for (old, new) in LEGACY {
        let b = roots.get(new.as_bytes()).copied().unwrap_or(0);
        *roots.entry(old.as_bytes()).or_insert(0) |= b;
    }
    methods.sort_unstable();
    methods.dedup();
    let entries: Vec<&str> =
        UNRESOLVED.iter().flat_map(|api| api.names.iter().map(|n| n.rsplit('.').next().unwrap_or(n))).collect();
    let programs: Vec<&str> = PROGRAMS.iter().flat_map(|p| p.names.iter().copied()).collect();
    let words = |w: &[&str]| AhoCorasick::builder().match_kind(MatchKind::LeftmostLongest).build(w).expect("names");
    Tables {
        roots,
        qualified,
        methods: words(&methods),
        entries: words(&entries),
        fragments: AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .build(FRAGMENTS.iter().map(|s| (*s).to_owned()).chain(config_fragments()))
            .expect("fragments"),
        programs: AhoCorasick::builder().match_kind(MatchKind::Standard).build(programs).expect("programs"),
    }
}
