//! The byte prefilter: skip parsing files in which no finding is possible.
//!
//! A finding needs two things, and both leave traces in the raw bytes:
//! - **a sink**, which the analysis only recognises through names that appear verbatim in the
//!   file: the module a catalogued API is imported from (`flask`, `socketserver`, `zmq`, …, as a
//!   whole word), the method name of receiver-independent entries (`add_insecure_port`), or a
//!   configuration name containing `bind` / `listen` / `socket_host` / `ServerApp` (any case);
//! - **an all-interfaces host** spelled by literals: `0.0`, `::`, `0:` or `*` once quotes,
//!   whitespace, `+` and brackets between literal fragments are squeezed out, an empty literal
//!   (`''`, `""`), or a backslash escape.
//!
//! The token lists are derived from the sink catalogue, and [`super::check`] applies the same
//! gate, so a skipped file is exactly a file the analysis would not report.

use std::sync::OnceLock;

use aho_corasick::AhoCorasick;

use super::sinks::CATALOGUE;

/// Names matched anywhere, in any case (configuration names and method names containing them).
const ANY_CASE: &[&str] = &["bind", "listen", "socket_host", "serverapp", "notebookapp", "labapp"];

/// Python 2 module names the import resolver maps onto catalogued modules.
const LEGACY: &[&str] =
    &["SocketServer", "BaseHTTPServer", "SimpleHTTPServer", "CGIHTTPServer", "SimpleXMLRPCServer", "DocXMLRPCServer", "distributed"];

/// Host spellings once literal boundaries are squeezed out.
const HOSTS: &[&[u8]] = &[b"0.0", b"::", b"0:", b"*"];

pub(crate) fn may_contain_bind(bytes: &[u8]) -> bool {
    has_sink_name(bytes) && has_host_spelling(bytes)
}

fn has_sink_name(bytes: &[u8]) -> bool {
    let (words, any_case) = automata();
    if any_case.is_match(bytes) {
        return true;
    }
    words.find_overlapping_iter(bytes).any(|m| {
        let before = m.start().checked_sub(1).map(|i| bytes[i]);
        let after = bytes.get(m.end()).copied();
        !before.is_some_and(is_ident) && !after.is_some_and(is_ident)
    })
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

fn has_host_spelling(bytes: &[u8]) -> bool {
    if memchr::memmem::find(bytes, b"''").is_some() || memchr::memmem::find(bytes, b"\"\"").is_some() || memchr::memchr(b'\\', bytes).is_some() {
        return true;
    }
    let squeezed: Vec<u8> = bytes
        .iter()
        .copied()
        .filter(|b| !matches!(b, b'\'' | b'"' | b' ' | b'\t' | b'\n' | b'\r' | b'+' | b'(' | b')' | b'{' | b'}' | b'\x0c'))
        .collect();
    HOSTS.iter().any(|h| memchr::memmem::find(&squeezed, h).is_some())
}

/// Whole-word names (catalogue roots and receiver-independent methods) and any-case names.
fn automata() -> &'static (AhoCorasick, AhoCorasick) {
    static AUTOMATA: OnceLock<(AhoCorasick, AhoCorasick)> = OnceLock::new();
    AUTOMATA.get_or_init(|| {
        let words = sink_words();
        let any_case = AhoCorasick::builder().ascii_case_insensitive(true).build(ANY_CASE).expect("static patterns");
        (AhoCorasick::new(words).expect("catalogue patterns"), any_case)
    })
}

/// For each catalogue name: its module root, or its method name when the receiver is open
/// (`*.x`, `?.x`) or the root is too common to filter on (`os`).
pub(crate) fn sink_words() -> Vec<String> {
    let mut out: Vec<String> = LEGACY.iter().map(|s| s.to_string()).collect();
    for name in CATALOGUE.iter().flat_map(|a| a.names.iter()) {
        let root = name.split('.').next().unwrap_or(name);
        let last = name.rsplit('.').next().unwrap_or(name);
        let word = if matches!(root, "*" | "?" | "os") { last } else { root };
        if !out.iter().any(|w| w == word) {
            out.push(word.to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn needs_a_sink_name_and_a_host_spelling() {
        assert!(may_contain_bind(b"from flask import Flask\napp.run(host='0.0.0.0')"));
        assert!(!may_contain_bind(b"from flask import Flask\napp.run(host='localhost')"));
        assert!(!may_contain_bind(b"x = '0.0.0.0'\nprint(x)\n"));
        assert!(may_contain_bind(b"import SocketServer\nSocketServer.TCPServer(('', 1), H)"));
        assert!(may_contain_bind(b"LISTEN = '0.0.' '0.0'"));
        assert!(may_contain_bind(b"BIND = '0.' '0.' '0.' '0'"));
    }

    #[test]
    fn roots_are_whole_words() {
        assert!(!may_contain_bind(b"import numpy as np\nx = np.array([0.0, 1.0])\n"));
        assert!(may_contain_bind(b"import ray\nray.init(dashboard_host='0.0.0.0')"));
        assert!(sink_words().iter().any(|w| w == "add_insecure_port"));
        assert!(!sink_words().iter().any(|w| w == "os"));
    }
}
