//! The byte prefilter: skip parsing files in which no finding is possible.
//!
//! A finding needs two things, and both leave traces in the raw bytes:
//! - **a sink**, which the analysis only recognises through names that appear verbatim in the
//!   file ([`needs`]): the catalogued API's module and method, or a configuration name. The sinks
//!   that are possible decide which host spellings can matter: `''` only counts where some
//!   possible sink treats it as INADDR_ANY, `'*'` only where one accepts a wildcard;
//! - **an all-interfaces host** spelled by literals ([`hosts`]): an unspecified IP address (or the
//!   pieces one is assembled from), with the delimiters the classifier accepts around it, an
//!   empty literal, a wildcard, or an escape that decodes to one of those characters.
//!
//! Both tests over-approximate what the analysis can see, so a skipped file is a file the
//! analysis would not report; `tests.rs` checks this on every fixture and respelled variants.
//! The bytes may be in any ASCII-compatible encoding, so no test relies on tracking string
//! state across the file: every decision looks at a few bytes around a candidate.

mod hosts;
mod needs;

#[cfg(test)]
use needs::sink_words;

/// The host test runs first: it is a few `memchr` scans, while the sink test matches names.
pub(crate) fn may_contain_bind(bytes: &[u8]) -> bool {
    // A UTF-8 byte order mark would hide an `import` on the first line from the line-start test.
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let spellings = hosts::spellings(bytes);
    if !spellings.any() {
        return false;
    }
    // Identifiers are NFKC-normalised by the parser (`ｆｌａｓｋ` is `flask`): where a character
    // that folds to ASCII may stand in a name, names cannot be trusted and any sink is possible.
    if may_fold_to_ascii(bytes) {
        return true;
    }
    // Configuration names are the slower search: only when the catalogued APIs do not decide.
    let apis = needs::api_sinks(bytes);
    spellings.count_for(apis)
        || ((spellings.ip || spellings.star) && spellings.count_for(apis.with(needs::config_sinks(bytes))))
}

/// UTF-8 lead sequences of the blocks holding identifier characters whose NFKC form is ASCII:
/// ª º (C2 AA/BA), ſ (C5 BF), modifier letters (CA B0-B8), phonetic extensions (E1 B4-B6),
/// super- and subscripts (E2 81-82), letterlike symbols and roman numerals (E2 84-86),
/// ligatures (EF AC), underscore variants (EF B8-B9), fullwidth forms (EF BC-BD), mathematical
/// alphanumerics (F0 9D), modifier letters (F0 90 9E) and segmented digits (F0 9F AF). Other
/// non-ASCII text (accents, CJK, punctuation) cannot spell an ASCII name.
fn may_fold_to_ascii(bytes: &[u8]) -> bool {
    // Non-ASCII text is rare and short: skip ASCII blocks wholesale, then test each lead byte.
    const BLOCK: usize = 64;
    let mut leads = bytes
        .chunks(BLOCK)
        .enumerate()
        .filter(|(_, c)| !c.is_ascii())
        .flat_map(|(n, c)| c.iter().enumerate().filter(|&(_, &b)| b >= 0xC2).map(move |(k, _)| n * BLOCK + k));
    leads.any(|i| {
        let (b1, b2) = (bytes.get(i + 1).copied().unwrap_or(0), bytes.get(i + 2).copied().unwrap_or(0));
        matches!(
            (bytes[i], b1, b2),
            (0xC2, 0xAA | 0xBA, _)
                | (0xC5, 0xBF, _)
                | (0xCA, 0xB0..=0xB8, _)
                | (0xE1, 0xB4..=0xB6, _)
                | (0xE2, 0x81 | 0x82 | 0x84..=0x86, _)
                | (0xEF, 0xAC | 0xB8 | 0xB9 | 0xBC | 0xBD, _)
                | (0xF0, 0x9D, _)
                | (0xF0, 0x90, 0x9E)
                | (0xF0, 0x9F, 0xAF)
        )
    })
}

/// Which host spellings the possible sinks accept.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Needs(u8);

impl Needs {
    /// An unspecified IP address: every sink accepts it.
    pub(crate) const IP: Needs = Needs(1);
    /// `''` as INADDR_ANY.
    pub(crate) const EMPTY: Needs = Needs(2);
    /// `'*'`.
    pub(crate) const STAR: Needs = Needs(4);
    /// Django's `0:8000`.
    pub(crate) const ZERO: Needs = Needs(8);

    pub(crate) fn has(self, other: Needs) -> bool {
        self.0 & other.0 == other.0
    }

    pub(crate) fn with(self, other: Needs) -> Needs {
        Needs(self.0 | other.0)
    }
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
    fn imports_are_found_however_the_line_starts() {
        let bind = "app.run(host='0.0.0.0')\n";
        for import in [
            "\u{feff}from flask import Flask\n",
            "def main():\n    from flask import Flask\n",
            "import sys; import flask\n",
            "import os, flask\n",
            "x = 1\r\nfrom flask import Flask\r\n",
            "x = 1\rfrom flask import Flask\r",
            "\x0cfrom flask import Flask\n",
            "if True: import flask\n",
            "from flask import (\n    Flask,\n)\n",
            "from  flask.app  import Flask\n",
        ] {
            let code = format!("{import}{bind}");
            assert!(may_contain_bind(code.as_bytes()), "{code:?}");
        }
    }

    #[test]
    fn only_characters_that_fold_to_ascii_open_every_sink() {
        assert!(may_fold_to_ascii("app.ｒｕｎ()".as_bytes()));
        assert!(may_fold_to_ascii("import ſocket".as_bytes()));
        assert!(may_fold_to_ascii("𝐛𝐢𝐧𝐝".as_bytes()));
        assert!(!may_fold_to_ascii("# café — naïve 日本語 “quotes”".as_bytes()));
        assert!(!may_fold_to_ascii(b"plain ascii"));
        assert!(may_fold_to_ascii("x = ſ".as_bytes()), "a sequence at the very end counts");
        let across = format!("{}ſ", "x".repeat(63));
        assert!(may_fold_to_ascii(across.as_bytes()), "a sequence across two blocks counts");
    }

    #[test]
    fn roots_and_methods_are_whole_words() {
        assert!(!may_contain_bind(b"import numpy as np\nx = np.array([0.0, 1.0])\n"));
        assert!(may_contain_bind(b"import ray\nray.init(dashboard_host='0.0.0.0')"));
        assert!(!may_contain_bind(b"import ray\nray.get(x, host='0.0.0.0')"));
        assert!(!may_contain_bind(b"import django\nx = django.VERSION\ny = ''\nz = '0.0.0.0'"));
        assert!(sink_words().iter().any(|w| w == "add_insecure_port"));
        assert!(!sink_words().iter().any(|w| w == "os"));
    }

    #[test]
    fn empty_and_star_only_count_for_sinks_that_accept_them() {
        assert!(may_contain_bind(b"import socket\ns.bind(('', 80))"));
        assert!(!may_contain_bind(b"from flask import Flask\napp.run(host='')"));
        assert!(may_contain_bind(b"import zmq\ns.bind('tcp://*:5555')"));
        assert!(!may_contain_bind(b"from flask import Flask\napp.run(host='*')\nprint('*' * 3)"));
    }

    #[test]
    fn slices_floats_and_multiplication_are_not_hosts() {
        let code = b"import socket\ns.bind(addr)\nx = a[::2] + a[::-1] + a[1::3]\ny = 0.0 + 10.0\nz = a * b\n";
        assert!(!may_contain_bind(code));
        assert!(may_contain_bind(b"import socket\ns.bind(('[::]', 1))"));
        assert!(may_contain_bind(b"import socket\ns.bind(('::', 1))"));
        assert!(may_contain_bind(b"import socket\ns.bind((\"0:0:0:0:0:0:0:0\", 1))"));
    }

    #[test]
    fn escapes_count_only_when_they_can_spell_a_host() {
        assert!(may_contain_bind(b"import socket\ns.bind(('\\x30.\\x30.\\x30.\\x30', 1))"));
        assert!(may_contain_bind(b"import socket\ns.bind(('\\60.\\60.\\60.\\60', 1))"));
        assert!(may_contain_bind(b"import socket\ns.bind(('\\N{DIGIT ZERO}.0.0.0', 1))"));
        assert!(!may_contain_bind(b"import socket\ns.bind(addr)\nprint('a\\tb\\n')\n"));
        assert!(
            !may_contain_bind(b"print('\\x41\\x42 \\101')\nHOST = '0.0.0.0'\n"),
            "escapes that spell no configuration name do not make every name possible"
        );
    }
}
