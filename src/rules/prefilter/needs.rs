//! Which sinks a file can reach, judged by the names it contains.
//!
//! The resolver builds a callee key from text in the file: imported module and class names and
//! the attribute or name that is called. So a catalogue name `flask.Flask.run` can only match in
//! a file that contains both `flask` (or a Python 2 spelling the import resolver maps onto it)
//! and `run` as whole words; `*.bind` needs only `bind`. Requiring the module *and* the method
//! keeps a django file (which always names `django`) from counting as a possible sink unless it
//! also names `call_command` or `execute_from_command_line`. Configuration names are matched as
//! substrings in any case, as [`super::super::sinks::config_key`] does.

use rustc_hash::FxHashMap as HashMap;
use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, MatchKind};

use super::super::address::Accept;
use super::super::sinks::{CATALOGUE, PROGRAMS, Shape};
use super::Needs;

/// Python 2 module names and the catalogue roots the import resolver maps them onto.
const LEGACY: &[(&str, &str)] = &[
    ("SocketServer", "socketserver"),
    ("BaseHTTPServer", "http"),
    ("SimpleHTTPServer", "http"),
    ("CGIHTTPServer", "http"),
    ("SimpleXMLRPCServer", "xmlrpc"),
    ("DocXMLRPCServer", "xmlrpc"),
    ("distributed", "dask"),
];

/// Configuration-name fragments matched in any case, and the spellings their rule accepts:
/// `*bind*` / `*listen*` (host:port lists, `*` allowed), `socket_host`, Jupyter `….ip`.
const CONFIG: &[(&str, Needs)] = &[
    ("bind", Needs(Needs::IP.0 | Needs::STAR.0)),
    ("listen", Needs(Needs::IP.0 | Needs::STAR.0)),
    ("socket_host", Needs::IP),
    ("serverapp", Needs(Needs::IP.0 | Needs::STAR.0)),
    ("notebookapp", Needs(Needs::IP.0 | Needs::STAR.0)),
    ("labapp", Needs(Needs::IP.0 | Needs::STAR.0)),
];

/// Roots too common to filter on: the method name alone decides (`os.execv`).
const COMMON_ROOTS: &[&str] = &["os"];

/// One catalogue name: the words that must all be present, and what its arguments accept.
struct Requirement {
    /// The module part: one bit per root, as imported ([`Tables::roots`]), or 0 when the method
    /// alone decides (`*.bind`, `os.execv`).
    roots: u64,
    method: &'static str,
    needs: Needs,
}

struct Tables {
    /// Imported module roots (and their Python 2 spellings) → bits of the roots they stand for.
    roots: HashMap<&'static [u8], u64>,
    requirements: Vec<Requirement>,
    /// Method names that need no module: found as whole words anywhere.
    methods: AhoCorasick,
    /// Configuration fragments, lowercased as [`fold`] lowercases.
    config: AhoCorasick,
}

/// What the configuration names in this file accept (`bind` / `listen`-style names).
pub(crate) fn config_sinks(bytes: &[u8]) -> Needs {
    config_needs(bytes, tables())
}

/// The union of what the catalogued APIs that this file can reach accept.
pub(crate) fn api_sinks(bytes: &[u8]) -> Needs {
    let t = tables();
    let mut needs = Needs::default();
    let roots = imported_roots(bytes, t);
    let mut methods: Vec<&[u8]> = Vec::new();
    for m in t.methods.find_iter(bytes) {
        if is_whole_word(bytes, m.range()) {
            methods.push(&bytes[m.range()]);
        }
    }
    let mut seen: Vec<(&str, bool)> = Vec::new();
    for r in &t.requirements {
        let present = if r.roots == 0 {
            methods.contains(&r.method.as_bytes())
        } else if roots & r.roots != 0 {
            match seen.iter().find(|(w, _)| *w == r.method) {
                Some(&(_, p)) => p,
                None => {
                    let p = has_word(bytes, r.method);
                    seen.push((r.method, p));
                    p
                }
            }
        } else {
            false
        };
        if present {
            needs = needs.with(r.needs);
        }
    }
    needs
}

/// Qualified names only come from imports, so a module root counts where an `import` or `from`
/// names it: `import a.b as c, d`, `from a.b import c`. Names after `from … import` are taken
/// too, which only over-approximates.
fn imported_roots(bytes: &[u8], t: &Tables) -> u64 {
    let mut roots = 0;
    for keyword in [&b"import"[..], b"from"] {
        for at in memchr::memmem::find_iter(bytes, keyword) {
            if !is_whole_word(bytes, at..at + keyword.len()) {
                continue;
            }
            let mut i = at + keyword.len();
            loop {
                i = skip_blank(bytes, i);
                let name_end = i + bytes[i..].iter().take_while(|&&b| is_ident(b) || b == b'.').count();
                let root = bytes[i..name_end].split(|&b| b == b'.').next().unwrap_or_default();
                roots |= t.roots.get(root).copied().unwrap_or(0);
                if keyword == b"from" {
                    break;
                }
                i = skip_blank(bytes, name_end);
                if bytes[i..].starts_with(b"as") && !bytes.get(i + 2).copied().is_some_and(is_ident) {
                    i = skip_blank(bytes, i + 2);
                    i = skip_blank(bytes, i + bytes[i..].iter().take_while(|&&b| is_ident(b)).count());
                }
                if bytes.get(i) != Some(&b',') {
                    break;
                }
                i += 1;
            }
        }
    }
    roots
}

/// Skips whitespace, line continuations and the parenthesis of an import list.
fn skip_blank(bytes: &[u8], mut i: usize) -> usize {
    while let Some(&b) = bytes.get(i) {
        if !(matches!(b, b' ' | b'\t' | b'\x0c' | b'(' | b'\\' | b'\r' | b'\n')) {
            break;
        }
        i += 1;
    }
    i
}

/// Configuration fragments in any case: the bytes are folded to lowercase a block at a time
/// (with an overlap as long as the longest fragment) so that a vectorised search applies.
fn config_needs(bytes: &[u8], t: &Tables) -> Needs {
    const BLOCK: usize = 8192;
    const OVERLAP: usize = 16;
    let all = CONFIG.iter().fold(Needs::default(), |n, c| n.with(c.1));
    let mut needs = Needs::default();
    let mut buf = [0u8; BLOCK + OVERLAP];
    let mut start = 0;
    while start < bytes.len() && needs != all {
        let end = (start + BLOCK + OVERLAP).min(bytes.len());
        let block = &mut buf[..end - start];
        for (dst, &src) in block.iter_mut().zip(&bytes[start..end]) {
            *dst = fold(src);
        }
        for m in t.config.find_iter(&*block) {
            needs = needs.with(CONFIG[m.pattern().as_usize()].1);
        }
        start += BLOCK;
    }
    // Names spelled in pieces matter only when the whole ones have not settled the answer.
    if needs == all {
        return all;
    }
    needs.with(assembled_config_needs(bytes, t, all))
}

/// Configuration fragments that the raw bytes do not show whole: spelled across implicitly
/// concatenated literals (`'bi' 'nd'`, `'LIS' 'TEN'`) or with escapes and continuations
/// (`'\x62ind'`). Around each such place the text is joined as Python would read it (junctions
/// removed, escapes decoded, so three short pieces or escapes next to a junction join too) and
/// searched like the rest of the file. A fragment has at most 11 characters of at most 10
/// bytes each (`\U00000062`), so a window of 128 bytes around an escape holds any fragment
/// through it; a junction needs only the pieces' few characters around it.
fn assembled_config_needs(bytes: &[u8], t: &Tables, all: Needs) -> Needs {
    const JUNCTION_REACH: usize = 16;
    const ESCAPE_REACH: usize = 128;
    let mut needs = Needs::default();
    let mut joined = Vec::new();
    let mut search = |window: std::ops::Range<usize>, own: usize, needs: &mut Needs| {
        for other_comments in [true, false] {
            join_window(bytes, window.clone(), own, other_comments, &mut joined);
            for m in t.config.find_iter(&joined) {
                *needs = needs.with(CONFIG[m.pattern().as_usize()].1);
            }
        }
    };
    for at in memchr::memchr2_iter(b'\'', b'"', bytes) {
        if let Some(end) = name_junction(bytes, at) {
            search(at.saturating_sub(JUNCTION_REACH)..(end + JUNCTION_REACH).min(bytes.len()), at, &mut needs);
        }
    }
    for at in memchr::memchr_iter(b'\\', bytes) {
        match super::hosts::name_escape_at(bytes, at) {
            Some(super::hosts::NameEscape::Named) => return all,
            Some(super::hosts::NameEscape::Char) => {
                search(at.saturating_sub(ESCAPE_REACH)..(at + ESCAPE_REACH).min(bytes.len()), at, &mut needs)
            }
            None => {}
        }
        if needs == all {
            break;
        }
    }
    needs
}

/// A junction at the quote `at` through which a name can run: a name character ends the piece
/// before it and starts the one after (empty strings, docstrings and `' '.join` are not pieces
/// of a name). Returns where it ends.
fn name_junction(bytes: &[u8], at: usize) -> Option<usize> {
    let name_char = |i: usize| bytes.get(i).is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'_');
    let may_continue =
        bytes.get(at + 1).is_some_and(|&b| matches!(b, b'\'' | b'"' | b'\\' | b'#') || !b.is_ascii_punctuation());
    if at == 0 || !name_char(at - 1) || !may_continue {
        return None;
    }
    super::hosts::junction_at(bytes, at, bytes.len(), true).filter(|&end| name_char(end))
}

/// `bytes[window]` joined as the literals in it read: junctions removed, escapes decoded (a
/// character outside ASCII becomes a byte no fragment holds), folded for the search. A
/// junction read from an opening quote may swallow a piece that holds `#` as a comment, so the
/// window is joined both with comment junctions and without those other than its own (`own`).
fn join_window(bytes: &[u8], window: std::ops::Range<usize>, own: usize, other_comments: bool, out: &mut Vec<u8>) {
    out.clear();
    let mut k = window.start;
    while k < window.end {
        let b = bytes[k];
        if b == b'\'' || b == b'"' {
            let comments = other_comments || k == own;
            if let Some(e) = super::hosts::junction_at(bytes, k, window.end, comments) {
                k = e;
                continue;
            }
        } else if b == b'\\'
            && let Some((decoded, next)) = super::hosts::decode_escape(bytes, k)
        {
            out.extend(decoded.map(fold));
            k = next;
            continue;
        }
        out.push(fold(b));
        k += 1;
    }
}

/// ASCII letters to lowercase; other bytes change too (`_` becomes DEL), identically in the
/// patterns, so a fragment in any case still matches and nothing else is lost.
fn fold(b: u8) -> u8 {
    b | 0x20
}

fn has_word(bytes: &[u8], word: &str) -> bool {
    memchr::memmem::find_iter(bytes, word).any(|at| is_whole_word(bytes, at..at + word.len()))
}

fn is_whole_word(bytes: &[u8], range: std::ops::Range<usize>) -> bool {
    !range.start.checked_sub(1).is_some_and(|i| is_ident(bytes[i]))
        && !bytes.get(range.end).copied().is_some_and(is_ident)
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(build)
}

fn build() -> Tables {
    let mut roots: HashMap<&'static [u8], u64> = HashMap::default();
    let mut bit = |w: &'static str| -> u64 {
        let next = 1u64 << roots.len().min(63);
        *roots.entry(w.as_bytes()).or_insert(next)
    };
    let mut requirements = Vec::new();
    let mut methods: Vec<&'static str> = Vec::new();
    for api in CATALOGUE {
        let needs = api.args.iter().fold(Needs::IP, |n, a| n.with(arg_needs(a.shape, a.accept)));
        for name in api.names {
            let root = name.split('.').next().unwrap_or(name);
            let method = name.rsplit('.').next().unwrap_or(name);
            let roots = if matches!(root, "*" | "?") || COMMON_ROOTS.contains(&root) {
                methods.push(method);
                0
            } else {
                bit(root)
            };
            requirements.push(Requirement { roots, method, needs });
        }
    }
    assert!(roots.len() <= 64, "root bits must fit a u64");
    for (old, new) in LEGACY {
        let b = roots[new.as_bytes()];
        *roots.entry(old.as_bytes()).or_insert(0) |= b;
    }
    methods.sort_unstable();
    methods.dedup();
    let methods =
        AhoCorasick::builder().match_kind(MatchKind::LeftmostLongest).build(&methods).expect("catalogue methods");
    let folded: Vec<Vec<u8>> = CONFIG.iter().map(|c| c.0.bytes().map(fold).collect()).collect();
    let config =
        AhoCorasick::builder().match_kind(MatchKind::LeftmostFirst).build(&folded).expect("configuration fragments");
    Tables { roots, requirements, methods, config }
}

/// What one catalogue argument accepts; argv lists accept whatever a known program's flags do.
fn arg_needs(shape: Shape, accept: Accept) -> Needs {
    if matches!(shape, Shape::Argv | Shape::ArgvStar) {
        return PROGRAMS
            .iter()
            .flat_map(|p| p.flags.iter().map(|f| f.2).chain(p.runserver.then_some(Accept::ZERO)))
            .fold(Needs::IP, |n, a| n.with(accept_needs(a)));
    }
    accept_needs(accept)
}

fn accept_needs(a: Accept) -> Needs {
    let mut n = Needs::IP;
    for (on, flag) in [(a.empty, Needs::EMPTY), (a.star, Needs::STAR), (a.zero, Needs::ZERO)] {
        if on {
            n = n.with(flag);
        }
    }
    n
}

/// Every word the sink test looks for (for tests).
#[cfg(test)]
pub(crate) fn sink_words() -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for api in CATALOGUE {
        for name in api.names {
            out.extend(
                name.split('.').filter(|w| !matches!(*w, "*" | "?") && !COMMON_ROOTS.contains(w)).map(str::to_string),
            );
        }
    }
    out
}
