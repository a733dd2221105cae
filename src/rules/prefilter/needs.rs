//! Which sinks a file can reach, judged by the names it contains.
//!
//! The resolver builds a callee key from text in the file: imported module and class names and
//! the attribute or name that is called. So a catalogue name `flask.Flask.run` can only match in
//! a file that contains both `flask` (or a Python 2 spelling the import resolver maps onto it)
//! and `run` as whole words; `*.bind` needs only `bind`. Requiring the module *and* the method
//! keeps a django file (which always names `django`) from counting as a possible sink unless it
//! also names `call_command` or `execute_from_command_line`. Configuration names are matched as
//! substrings in any case, as [`super::super::catalogue::config_key`] does.

use rustc_hash::FxHashMap as HashMap;
use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, MatchKind};

use super::super::address::Accept;
use super::super::catalogue::{CATALOGUE, PROGRAMS, Shape};
use super::Needs;
use super::hosts::is_quote;

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
    /// The fragments, folded.
    fragments: Vec<Vec<u8>>,
    /// Folded bytes that end the first part of some fragment (`b`, `i`, `n` of `bind`): only a
    /// quote after one of them can close a first piece ([`pieces`]).
    piece_last: [bool; 256],
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
            let words = statement_words(bytes, at + keyword.len());
            // `from a.b import c`: the module's root is its first word. `import a.b as c, d`:
            // every word of the statement (submodules and aliases too) may be a root.
            let take = if keyword == b"from" { 1 } else { usize::MAX };
            for word in words.take(take) {
                roots |= t.roots.get(word).copied().unwrap_or(0);
            }
        }
    }
    roots
}

/// The names of the statement that goes on at `i`, up to its end: a line break outside
/// parentheses and not continued, a `;` or a comment. Names hold non-ASCII bytes too (they
/// never match a root, but must not end the walk).
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

/// Configuration fragments in any case: the bytes are folded to lowercase a block at a time
/// (with an overlap as long as the longest fragment) so that a vectorised search applies.
fn config_needs(bytes: &[u8], t: &Tables) -> Needs {
    let all = CONFIG.iter().fold(Needs::default(), |n, c| n.with(c.1));
    let needs = whole_names(bytes, t, all);
    // Names spelled in pieces matter only when the whole ones have not settled the answer.
    if needs == all {
        return all;
    }
    needs.with(assembled_config_needs(bytes, t, all))
}

fn whole_names(bytes: &[u8], t: &Tables, all: Needs) -> Needs {
    const BLOCK: usize = 8192;
    const OVERLAP: usize = 16;
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
    needs
}

/// Configuration fragments that the raw bytes do not show whole: split over implicitly
/// concatenated literals (`'bi' 'nd'`, `'b' 'ind'`, `'bi'  # comment` newline `r'nd'`), where
/// [`pieces`] reads each character as written or as an escape, or written whole with escapes
/// (`'\x62ind'`), searched in a copy with every escape decoded (reading code as if it were
/// literal text only finds more).
fn assembled_config_needs(bytes: &[u8], t: &Tables, all: Needs) -> Needs {
    let as_written = pieces(bytes, t);
    match decode_escapes(bytes) {
        Decoded::Unchanged => as_written,
        Decoded::Text(text) => as_written.with(whole_names(&text, t, all)),
        Decoded::Named => all,
    }
}

enum Decoded {
    Unchanged,
    Text(Vec<u8>),
    /// A `\N{…}` escape, which may stand for any character.
    Named,
}

/// The bytes with every escape decoded (`\x62` is `b`, a character outside ASCII a byte no
/// fragment holds) and line continuations removed.
fn decode_escapes(bytes: &[u8]) -> Decoded {
    if !memchr::memchr_iter(b'\\', bytes).any(|i| super::hosts::name_escape_at(bytes, i).is_some()) {
        return Decoded::Unchanged;
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(n) = memchr::memchr(b'\\', &bytes[i..]) {
        out.extend_from_slice(&bytes[i..i + n]);
        let at = i + n;
        if matches!(super::hosts::name_escape_at(bytes, at), Some(super::hosts::NameEscape::Named)) {
            return Decoded::Named;
        }
        // An escaped backslash is one backslash, and what follows it is text.
        if bytes.get(at + 1) == Some(&b'\\') {
            out.push(b'\\');
            i = at + 2;
            continue;
        }
        match super::hosts::decode_escape(bytes, at) {
            Some((decoded, next)) => {
                out.extend(decoded);
                i = next;
            }
            None => {
                out.push(b'\\');
                i = at + 1;
            }
        }
    }
    out.extend_from_slice(&bytes[i..]);
    Decoded::Text(out)
}

/// Fragments split over implicitly concatenated literals: the first part ends a literal
/// (`bi'`), and from its closing quote the junction (more quotes, blanks, comments,
/// continuations, string prefixes) leads to literals that go on with the rest of the fragment,
/// whole middle pieces (`'s'`) included. Every place right after a quote on the way counts as a
/// possible start of the next literal's text, so a quote's role never has to be known.
fn pieces(text: &[u8], t: &Tables) -> Needs {
    let backslashes: Vec<usize> = memchr::memchr_iter(b'\\', text).collect();
    let mut needs = Needs::default();
    for q in memchr::memchr2_iter(b'\'', b'"', text) {
        let Some(&last) = q.checked_sub(1).and_then(|i| text.get(i)) else { continue };
        // A first piece ends with a fragment character, written or as an escape (whose last
        // byte is a digit or hex letter) or followed by a continuation: both need a backslash.
        let escape_may_end = (last.is_ascii_alphanumeric() || last == b'\n' || last == b'\r')
            && any_in(&backslashes, q.saturating_sub(10)..q);
        if !t.piece_last[fold(last) as usize] && !escape_may_end {
            continue;
        }
        for (fragment, f) in t.fragments.iter().enumerate() {
            let accepts = CONFIG[fragment].1;
            if needs.has(accepts) {
                continue;
            }
            let piece = Piece { raw: text, fragment: f, backslashes: &backslashes };
            let ends = |k: usize| (escape_may_end || f[k - 1] == fold(last)) && piece.ends_with(q, &f[..k]);
            if (1..f.len()).any(|k| ends(k) && piece.continues(q, k, 0)) {
                needs = needs.with(accepts);
            }
        }
    }
    needs
}

/// A fragment being followed through the literals of a file. Each character may be written
/// as it is or as an escape (`\x62`), and a continuation may sit anywhere: a literal's kind
/// (raw or not) is not known here, so both readings are tried at every place.
struct Piece<'a> {
    raw: &'a [u8],
    fragment: &'a [u8],
    /// Where the backslashes are: away from them every character is as written.
    backslashes: &'a [usize],
}

/// `raw` folded as [`fold`] folds equals the folded `part` (same length).
fn folded_eq(raw: &[u8], part: &[u8]) -> bool {
    raw.iter().zip(part).all(|(&r, &p)| fold(r) == p)
}

/// Whether a sorted list of positions has one in `range`.
fn any_in(positions: &[usize], range: std::ops::Range<usize>) -> bool {
    let i = positions.partition_point(|&p| p < range.start);
    positions.get(i).is_some_and(|&p| p < range.end)
}

impl Piece<'_> {
    /// Whether the fragment from character `k` on can follow the literal closing at quote `q`.
    fn continues(&self, q: usize, k: usize, depth: usize) -> bool {
        if depth > self.fragment.len() {
            return false;
        }
        let quote_at = |at: usize| self.raw.get(at).copied().is_some_and(is_quote);
        self.next_texts(q).any(|start| {
            let mut ends = Vec::new();
            self.match_forward(start, &self.fragment[k..], &mut ends);
            !ends.is_empty()
                || (k + 1..self.fragment.len()).any(|j| {
                    ends.clear();
                    self.match_forward(start, &self.fragment[k..j], &mut ends);
                    ends.iter().any(|&end| quote_at(end) && self.continues(end, j, depth + 1))
                })
        })
    }

    /// Whether `part` ends at `end`.
    fn ends_with(&self, end: usize, part: &[u8]) -> bool {
        let raw = self.raw;
        if !any_in(self.backslashes, end.saturating_sub(part.len() * 10)..end) {
            return end >= part.len() && folded_eq(&raw[end - part.len()..end], part);
        }
        let Some((&c, rest)) = part.split_last() else { return true };
        let Some(&last) = end.checked_sub(1).and_then(|i| raw.get(i)) else { return false };
        if fold(last) == c && self.ends_with(end - 1, rest) {
            return true;
        }
        // An escape ends in a digit or hex letter, a continuation in a line break.
        if !(last.is_ascii_alphanumeric() || last == b'\n' || last == b'\r') {
            return false;
        }
        let from = self.backslashes.partition_point(|&p| p < end.saturating_sub(10));
        self.backslashes[from..].iter().take_while(|&&p| p < end).any(|&s| match super::hosts::decode_escape(raw, s) {
            Some((Some(d), next)) if next == end && fold(d) == c => self.ends_with(s, rest),
            Some((None, next)) if next == end => self.ends_with(s, part),
            _ => false,
        })
    }

    /// Every place where `part`, matched from `at`, can end.
    fn match_forward(&self, at: usize, part: &[u8], ends: &mut Vec<usize>) {
        let raw = self.raw;
        if !any_in(self.backslashes, at..at + part.len() * 10) {
            let plain = raw.get(at..at + part.len()).is_some_and(|r| folded_eq(r, part));
            if plain {
                ends.push(at + part.len());
            }
            return;
        }
        let Some((&c, rest)) = part.split_first() else {
            ends.push(at);
            return;
        };
        let Some(&b) = self.raw.get(at) else { return };
        if fold(b) == c {
            self.match_forward(at + 1, rest, ends);
        }
        if b == b'\\' {
            match super::hosts::decode_escape(self.raw, at) {
                Some((Some(d), next)) if fold(d) == c => self.match_forward(next, rest, ends),
                Some((None, next)) => self.match_forward(next, part, ends),
                _ => {}
            }
        }
    }

    /// Where the next literal's text may start after the quote at `q`: after every run of
    /// quotes on the junction that follows it.
    fn next_texts(&self, q: usize) -> impl Iterator<Item = usize> + '_ {
        let raw = self.raw;
        let mut i = q;
        std::iter::from_fn(move || {
            loop {
                let b = *raw.get(i)?;
                match b {
                    b'\'' | b'"' => {
                        while raw.get(i).copied().is_some_and(is_quote) {
                            i += 1;
                        }
                        return Some(i);
                    }
                    b' ' | b'\t' | b'\x0c' | b'\n' | b'\r' => i += 1,
                    b'\\' if matches!(raw.get(i + 1), Some(b'\n' | b'\r')) => i += 2,
                    b'#' => i += memchr::memchr2(b'\n', b'\r', &raw[i..]).unwrap_or(raw.len() - i),
                    _ => {
                        let letters = raw[i..].iter().take(2).take_while(|b| b"rRuUbBfFtT".contains(b)).count();
                        if letters == 0 || !raw.get(i + letters).copied().is_some_and(is_quote) {
                            return None;
                        }
                        i += letters;
                    }
                }
            }
        })
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

/// ASCII only: a non-ASCII byte next to a word is taken as a boundary. In valid code it would
/// make a longer name (`éimport`), which only costs a parse; in code that does not parse (a
/// no-break space before `import`) the parser recovers and still reads the word.
fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
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
    let fragments: Vec<Vec<u8>> = CONFIG.iter().map(|c| c.0.bytes().map(fold).collect()).collect();
    let mut piece_last = [false; 256];
    for f in &fragments {
        for &b in &f[..f.len() - 1] {
            piece_last[b as usize] = true;
        }
    }
    Tables { roots, requirements, methods, config, fragments, piece_last }
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
