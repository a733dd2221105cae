//! Address classification: does a string name "all interfaces"?
//!
//! Every decision parses the host part with [`std::net::IpAddr`] after stripping what surrounds
//! it (scheme, brackets, port, IPv6 zone); strings are never compared with `"0.0.0.0"`. The
//! spellings `''`, `'*'` and Django's `'0'` mean "all interfaces" only for some APIs, so callers
//! say which they accept. Run-time holes (f-string fields, `%d`) appear as [`HOLE`] and may only
//! stand where a port goes.

use std::net::IpAddr;
use std::ops::Range;

/// Stands for a part of a string that is only known at run time.
pub(crate) const HOLE: char = '\u{1}';

/// Which API-specific spellings count as all interfaces.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Accept {
    /// `''` (`INADDR_ANY` for socket-level binds, asyncio, Tornado, Twisted, dnslib).
    pub empty: bool,
    /// `'*'` (`ZeroMQ`, waitress, Jupyter).
    pub star: bool,
    /// Django's `'0'` shorthand in `0:8000`.
    pub zero: bool,
}

impl Accept {
    pub(crate) const NONE: Accept = Accept { empty: false, star: false, zero: false };
    pub(crate) const EMPTY: Accept = Accept { empty: true, star: false, zero: false };
    pub(crate) const STAR: Accept = Accept { empty: false, star: true, zero: false };
    pub(crate) const ZERO: Accept = Accept { empty: false, star: false, zero: true };
    pub(crate) const EMPTY_STAR: Accept = Accept { empty: true, star: true, zero: false };
}

/// Which loopback replaces the host in a fix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Family {
    V4,
    V6,
}

impl Family {
    pub(crate) fn loopback(self) -> &'static str {
        match self {
            Family::V4 => "127.0.0.1",
            Family::V6 => "::1",
        }
    }
}

/// An all-interfaces host found inside a string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Hit {
    /// Byte range of the host text in the classified string (brackets excluded).
    pub range: Range<usize>,
    /// The host for people: `0.0.0.0`, `::`, `''`, `*`.
    pub display: String,
    pub family: Family,
    /// The host text is written with endpoint escapes (`\:`) and cannot be replaced verbatim.
    pub escaped: bool,
    /// Further all-interfaces hosts in the same string (a waitress `listen` list).
    pub more: Vec<Hit>,
    /// A command-line flag that means all interfaces by itself (`--bind_all`): no host to rewrite.
    pub flag: bool,
}

impl Hit {
    fn new(range: Range<usize>, display: &str, family: Family) -> Self {
        Hit { range, display: display.to_string(), family, escaped: false, more: Vec::new(), flag: false }
    }

    /// A flag word of `len` bytes that means all interfaces.
    pub(crate) fn flag(len: usize) -> Self {
        Hit { flag: true, ..Hit::new(0..len, "0.0.0.0", Family::V4) }
    }

    pub(crate) fn shifted(mut self, by: usize) -> Self {
        self.range = self.range.start + by..self.range.end + by;
        self.more = self.more.into_iter().map(|h| h.shifted(by)).collect();
        self
    }
}

/// The family of `s` when it parses as an unspecified IP address (zone ids stripped).
pub(crate) fn unspecified(s: &str) -> Option<Family> {
    let s = match s.split_once('%') {
        Some((addr, _zone)) if addr.contains(':') => addr,
        _ => s,
    };
    match s.parse::<IpAddr>() {
        Ok(IpAddr::V4(a)) if a.is_unspecified() => Some(Family::V4),
        Ok(IpAddr::V6(a)) if a.is_unspecified() => Some(Family::V6),
        _ => None,
    }
}

/// A bare host: `0.0.0.0`, `::`, `[::]`, and `''` / `'*'` where accepted.
pub(crate) fn host(s: &str, accept: Accept) -> Option<Hit> {
    if s.is_empty() {
        return accept.empty.then(|| Hit::new(0..0, "''", Family::V4));
    }
    if s == "*" {
        return accept.star.then(|| Hit::new(0..1, "*", Family::V4));
    }
    if let Some(inner) = s.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
        return unspecified(inner).map(|f| Hit::new(1..1 + inner.len(), inner, f));
    }
    unspecified(s).map(|f| Hit::new(0..s.len(), s, f))
}

/// `host:port`, `[v6]:port`, a bare host, optionally behind `tcp://` / `http://`.
pub(crate) fn host_port(s: &str, accept: Accept) -> Option<Hit> {
    let (offset, rest) = strip_scheme(s).unwrap_or((0, s));
    let rest = rest.split('/').next().unwrap_or(rest);
    host_port_bare(rest, accept).map(|h| h.shifted(offset))
}

fn host_port_bare(s: &str, accept: Accept) -> Option<Hit> {
    if !s.is_empty()
        && s != "*"
        && let Some(hit) = host(s, Accept::NONE)
    {
        return Some(hit);
    }
    if let Some(after_open) = s.strip_prefix('[') {
        let close = after_open.find(']')?;
        let inner = &after_open[..close];
        let port = after_open[close + 1..].strip_prefix(':')?;
        if !is_port(port) {
            return None;
        }
        return unspecified(inner).map(|f| Hit::new(1..1 + inner.len(), inner, f));
    }
    let (h, port) = s.rsplit_once(':')?;
    if !is_port(port) {
        return None;
    }
    match h {
        "" if accept.empty => Some(Hit::new(0..0, "''", Family::V4)),
        "*" if accept.star => Some(Hit::new(0..1, "*", Family::V4)),
        "0" if accept.zero => Some(Hit::new(0..1, "0.0.0.0", Family::V4)),
        _ => unspecified(h).map(|f| Hit::new(0..h.len(), h, f)),
    }
}

/// A URL with a scheme (`tcp://*:5555`, `tcp://[::]:5556`, `tcp://*` for random ports).
pub(crate) fn url(s: &str, accept: Accept) -> Option<Hit> {
    let (offset, rest) = strip_scheme(s)?;
    let rest = rest.split('/').next().unwrap_or(rest);
    // `*` means all interfaces only under network transports (`ipc://*` is a random path,
    // `inproc://*` and unknown schemes are not addresses).
    let network = matches!(
        s[..offset - 3].to_ascii_lowercase().as_str(),
        "tcp" | "tcp4" | "tcp6" | "tls+tcp" | "udp" | "ws" | "wss" | "ws4" | "ws6" | "wss4" | "wss6" | "pgm" | "epgm"
    );
    let accept = Accept { star: accept.star && network, ..accept };
    let bare = if rest == "*" && accept.star { Some(Hit::new(0..1, "*", Family::V4)) } else { None };
    bare.or_else(|| host_port_bare(rest, accept)).map(|h| h.shifted(offset))
}

/// A space-separated list of `host:port` entries (waitress `listen=`): the first
/// all-interfaces entry, carrying the others in [`Hit::more`].
pub(crate) fn listen_list(s: &str, accept: Accept) -> Option<Hit> {
    let mut start = 0;
    let mut hits = Vec::new();
    for token in s.split(|c: char| c.is_ascii_whitespace()) {
        if let Some(hit) = host_port(token, accept) {
            hits.push(hit.shifted(start));
        }
        start += token.len() + 1;
    }
    let mut hits = hits.into_iter();
    let mut first = hits.next()?;
    first.more = hits.collect();
    Some(first)
}

/// Addresses written as one string, every word a `host:port` (`'127.0.0.1:http 0.0.0.0:https'`,
/// waitress's `listen`); a single address as [`host_port`] reads it. A sentence that mentions an
/// address is neither.
pub(crate) fn host_port_list(s: &str, accept: Accept) -> Option<Hit> {
    let mut words = s.split_ascii_whitespace();
    let several = words.clone().nth(1).is_some();
    let listed = words.all(|w| w.rsplit_once(':').is_some_and(|(h, p)| !h.is_empty() && is_port(p)));
    if several && listed { listen_list(s, accept) } else { host_port(s, accept) }
}

/// A Twisted server endpoint description: `tcp:8080:interface=0.0.0.0`, or the interface
/// given by position (`tcp:8080:0.0.0.0`, `tcp6:8080:50:\\:\\:`). A description without an
/// interface listens on all interfaces by default, but holds no all-interfaces value: not a hit.
pub(crate) fn endpoint(s: &str) -> Option<Hit> {
    let fields = endpoint_fields(s);
    let keyword = fields.iter().find_map(|f| s[f.clone()].strip_prefix("interface=").map(|v| f.end - v.len()..f.end));
    let value = keyword.or_else(|| positional_interface(s, &fields))?;
    let raw = &s[value.clone()];
    let unescaped = raw.replace("\\:", ":");
    let family = unspecified(&unescaped)?;
    let mut hit = Hit::new(value, &unescaped, family);
    hit.escaped = raw.contains('\\');
    Some(hit)
}

/// Byte ranges of the `:`-separated fields of an endpoint description (`\\:` escapes a colon).
fn endpoint_fields(s: &str) -> Vec<Range<usize>> {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if b == b':' && (i == 0 || bytes[i - 1] != b'\\') {
            out.push(start..i);
            start = i + 1;
        }
    }
    out.push(start..s.len());
    out
}

/// The interface written by position: `tcp:PORT:INTERFACE`, `tcp6:PORT:BACKLOG:INTERFACE`,
/// `ssl:PORT:KEY:CERT:METHOD:INTERFACE` (a `haproxy:` wrapper is looked through).
fn positional_interface(s: &str, fields: &[Range<usize>]) -> Option<Range<usize>> {
    let mut fields = fields;
    if fields.first().is_some_and(|f| s[f.clone()].eq_ignore_ascii_case("haproxy")) {
        fields = &fields[1..];
    }
    let (kind, args) = fields.split_first()?;
    let at = match s[kind.clone()].to_ascii_lowercase().as_str() {
        "tcp" => 1,
        "tcp6" => 2,
        "ssl" => 4,
        _ => return None,
    };
    args.iter().filter(|f| !s[(*f).clone()].contains('=')).nth(at).cloned()
}

/// `(scheme length + 3, rest)` for `scheme://rest`.
fn strip_scheme(s: &str) -> Option<(usize, &str)> {
    let at = s.find("://")?;
    let scheme = &s[..at];
    let valid = !scheme.is_empty() && scheme.bytes().all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b));
    valid.then(|| (at + 3, &s[at + 3..]))
}

/// A port number, or a service name (`http`, `https`: waitress and socket APIs resolve them).
fn is_port(p: &str) -> bool {
    let number = !p.is_empty() && p.chars().all(|c| c.is_ascii_digit() || c == HOLE);
    let service = p.starts_with(|c: char| c.is_ascii_alphabetic())
        && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == HOLE);
    number || service
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(s: &str) -> Option<String> {
        host(s, Accept::NONE).map(|h| h.display)
    }

    #[test]
    fn ipv4_and_ipv6_unspecified_spellings() {
        for s in ["0.0.0.0", "::", "::0", "0:0:0:0:0:0:0:0", "0::0", "::0.0.0.0", "[::]"] {
            assert!(h(s).is_some(), "{s}");
        }
        assert_eq!(host("0000:0000:0000:0000:0000:0000:0000:0000", Accept::NONE).unwrap().family, Family::V6);
    }

    #[test]
    fn specific_addresses_cidrs_and_lookalikes_are_not() {
        for s in
            ["::1", "0.0.0.1", "0.0.0.0/0", "::/0", "fe80::1%eth0", "::ffff:127.0.0.1", "0", "localhost", " 0.0.0.0"]
        {
            assert_eq!(h(s), None, "{s}");
        }
    }

    #[test]
    fn empty_and_star_only_where_accepted() {
        assert_eq!(h(""), None);
        assert_eq!(host("", Accept::EMPTY).unwrap().display, "''");
        assert_eq!(h("*"), None);
        assert!(host("*", Accept::STAR).is_some());
    }

    #[test]
    fn host_port_forms() {
        let hp = |s: &str, a| host_port(s, a).map(|h| (h.range, h.display));
        assert_eq!(hp("0.0.0.0:8000", Accept::NONE), Some((0..7, "0.0.0.0".into())));
        assert_eq!(hp("[::]:50051", Accept::NONE), Some((1..3, "::".into())));
        assert_eq!(hp("[::1]:50051", Accept::NONE), None);
        assert_eq!(hp("0:8000", Accept::ZERO), Some((0..1, "0.0.0.0".into())));
        assert_eq!(hp("0:8000", Accept::NONE), None);
        assert_eq!(hp("*:8080", Accept::STAR), Some((0..1, "*".into())));
        assert_eq!(hp("0.0.0.0:\u{1}", Accept::NONE), Some((0..7, "0.0.0.0".into())));
        assert_eq!(hp("\u{1}:8000", Accept::NONE), None);
        assert_eq!(hp(":8787", Accept::NONE), None);
        assert_eq!(hp(":8787", Accept::EMPTY), Some((0..0, "''".into())));
        assert_eq!(hp("", Accept::EMPTY), None);
        assert_eq!(hp("unix:/run/app.sock", Accept::NONE), None);
        assert_eq!(hp("http://0.0.0.0:8000/x", Accept::NONE), Some((7..14, "0.0.0.0".into())));
    }

    #[test]
    fn urls_need_a_scheme() {
        assert_eq!(url("tcp://*:5555", Accept::STAR).unwrap().range, 6..7);
        assert!(url("tcp://*", Accept::STAR).is_some());
        assert!(url("tcp://[::]:5556", Accept::STAR).is_some());
        assert!(url("tcp://127.0.0.1:5555", Accept::STAR).is_none());
        assert!(url("inproc://control", Accept::STAR).is_none());
        assert!(url("0.0.0.0:5555", Accept::STAR).is_none());
    }

    #[test]
    fn listen_lists_and_endpoints() {
        let hit = listen_list("localhost:1 *:8080 [::]:8080", Accept::STAR).unwrap();
        assert_eq!(hit.range, 12..13);
        assert!(listen_list("Binding to 0.0.0.0 is bad", Accept::STAR).is_some_and(|h| h.range == (11..18)));
        assert_eq!(endpoint("tcp:8751:interface=0.0.0.0").unwrap().range, 19..26);
        assert!(endpoint("tcp:8751:interface=\\:\\:").unwrap().escaped);
        assert!(endpoint("tcp:8090").is_none());
        assert_eq!(endpoint("tcp:8080:0.0.0.0").unwrap().range, 9..16);
        assert!(endpoint("tcp:8080:127.0.0.1").is_none());
        assert!(endpoint("tcp:8080:backlog=5:0.0.0.0").is_some());
        assert!(endpoint("tcp6:8080:50:\\:\\:").is_some_and(|h| h.escaped));
        assert!(endpoint("ssl:443:privateKey=k.pem:0.0.0.0").is_none());
        assert!(endpoint("haproxy:tcp:8080:0.0.0.0").is_some());
        assert!(endpoint("unix:/run/app.sock").is_none());
    }

    #[test]
    fn loopbacks_flags_and_shifts() {
        assert_eq!(Family::V4.loopback(), "127.0.0.1");
        assert_eq!(Family::V6.loopback(), "::1");
        let flag = Hit::flag(10);
        assert!(flag.flag && !flag.escaped);
        assert_eq!((flag.range, flag.display.as_str(), flag.family), (0..10, "0.0.0.0", Family::V4));
        let mut hit = Hit::new(2..4, "::", Family::V6);
        hit.more = vec![Hit::new(7..9, "*", Family::V4)];
        let moved = hit.shifted(5);
        assert_eq!(moved.range, 7..9);
        assert_eq!(moved.more[0].range, 12..14);
    }

    #[test]
    fn zone_ids_are_stripped_from_ipv6_only() {
        assert_eq!(unspecified("::%eth0"), Some(Family::V6));
        assert_eq!(unspecified("0:0:0:0:0:0:0:0%1"), Some(Family::V6));
        assert_eq!(unspecified("0.0.0.0%eth0"), None, "IPv4 has no zone id");
        assert_eq!(unspecified("127.0.0.1"), None);
        assert_eq!(unspecified("::1%lo"), None);
        assert_eq!(unspecified("0.0.0.0"), Some(Family::V4));
        assert_eq!(host("[::%eth0]", Accept::NONE).map(|h| h.family), Some(Family::V6));
    }

    #[test]
    fn a_bracketed_host_excludes_its_brackets() {
        let hit = host("[::]", Accept::NONE).unwrap();
        assert_eq!((hit.range, hit.display.as_str(), hit.family), (1..3, "::", Family::V6));
        let hit = host("[0:0:0:0:0:0:0:0]", Accept::NONE).unwrap();
        assert_eq!(hit.range, 1..16);
        let hit = host("0.0.0.0", Accept::NONE).unwrap();
        assert_eq!((hit.range, hit.family), (0..7, Family::V4));
        assert_eq!(host("*", Accept::STAR).unwrap().range, 0..1);
        assert_eq!(host("", Accept::EMPTY).unwrap().range, 0..0);
        assert_eq!(host("[::1]", Accept::NONE), None);
    }

    #[test]
    fn bare_hosts_and_ports() {
        let hp = |s: &str, a| host_port(s, a).map(|h| (h.range, h.display));
        assert_eq!(hp("0.0.0.0", Accept::NONE), Some((0..7, "0.0.0.0".into())));
        assert_eq!(hp("::", Accept::NONE), Some((0..2, "::".into())));
        assert_eq!(hp("[::]", Accept::NONE), Some((1..3, "::".into())));
        assert_eq!(hp("tcp://[::]", Accept::NONE), Some((7..9, "::".into())));
        assert_eq!(hp("*", Accept::NONE), None);
        assert_eq!(hp("*", Accept::STAR), None, "a bare `*` is a host only where `url` accepts it");
        assert_eq!(hp("*:8080", Accept::NONE), None, "`*` needs the API's opt-in");
        assert_eq!(hp("*:8080", Accept::EMPTY), None);
        assert_eq!(hp(":8080", Accept::STAR), None);
        assert_eq!(hp("0:8080", Accept::EMPTY_STAR), None);
        assert_eq!(hp("0.0.0.0:http", Accept::NONE), Some((0..7, "0.0.0.0".into())), "a service name");
        assert_eq!(hp("0.0.0.0:x-web2", Accept::NONE), Some((0..7, "0.0.0.0".into())));
        assert_eq!(hp("0.0.0.0:80a", Accept::NONE), None, "a port is digits or a name");
        assert_eq!(hp("0.0.0.0:-web", Accept::NONE), None);
        assert_eq!(hp("0.0.0.0:we b", Accept::NONE), None);
        assert_eq!(hp("0.0.0.0:", Accept::NONE), None, "an empty port is no port");
        assert_eq!(hp("[::]:", Accept::NONE), None);
        assert_eq!(hp("[::]:http", Accept::NONE), Some((1..3, "::".into())));
        assert_eq!(hp("[::]8080", Accept::NONE), None);
        assert_eq!(hp("[::1]:80", Accept::NONE), None);
        assert_eq!(hp("[::]:8\u{1}", Accept::NONE), Some((1..3, "::".into())));
    }

    #[test]
    fn schemes_are_validated() {
        assert_eq!(strip_scheme("tcp://x"), Some((6, "x")));
        assert_eq!(strip_scheme("tls+tcp://x"), Some((10, "x")));
        assert_eq!(strip_scheme("a-b.c://x"), Some((8, "x")));
        assert_eq!(strip_scheme("://x"), None, "a scheme is not empty");
        assert_eq!(strip_scheme("my app://x"), None, "a scheme has no spaces");
        assert_eq!(strip_scheme("tcp:/x"), None);
        assert_eq!(host_port("my app://0.0.0.0:80", Accept::NONE), None);
        assert_eq!(url("://0.0.0.0:80", Accept::NONE), None);
        assert_eq!(url("a b://0.0.0.0:80", Accept::NONE), None);
        assert_eq!(url("TCP://*:5555", Accept::STAR).map(|h| h.range), Some(6..7));
        assert_eq!(url("tls+tcp://*:5555", Accept::STAR).map(|h| h.range), Some(10..11));
    }

    #[test]
    fn url_stars_need_opt_in_and_a_network_transport() {
        assert_eq!(url("tcp://*:5555", Accept::NONE), None);
        assert_eq!(url("tcp://*", Accept::NONE), None);
        assert_eq!(url("tcp://*", Accept::EMPTY), None);
        assert_eq!(url("ipc://*", Accept::STAR), None, "a random path, not an interface");
        assert_eq!(url("inproc://*:1", Accept::STAR), None);
        assert_eq!(url("foo://*:1", Accept::STAR), None);
        assert_eq!(url("udp://*:1", Accept::STAR).map(|h| h.display), Some("*".into()));
        let hit = url("tcp://0.0.0.0:5555", Accept::STAR).unwrap();
        assert_eq!((hit.range, hit.display.as_str()), (6..13, "0.0.0.0"));
        let hit = url("http://0.0.0.0:80/path:1", Accept::NONE).unwrap();
        assert_eq!(hit.range, 7..14);
        assert_eq!(url("ipc://0.0.0.0:1", Accept::STAR).map(|h| h.range), Some(6..13));
    }

    #[test]
    fn addresses_written_as_one_string() {
        let hosts = |s: &str| {
            host_port_list(s, Accept::STAR)
                .map(|h| std::iter::once(h.range.start).chain(h.more.iter().map(|m| m.range.start)).collect::<Vec<_>>())
        };
        assert_eq!(hosts("127.0.0.1:http 0.0.0.0:https"), Some(vec![15]));
        assert_eq!(hosts("[::]:80  *:81"), Some(vec![1, 9]));
        assert_eq!(hosts("0.0.0.0:80"), Some(vec![0]));
        assert_eq!(hosts("Use 0.0.0.0:80 to listen everywhere"), None, "a sentence is not a list");
        assert_eq!(hosts("localhost:1 127.0.0.1:2"), None);
    }

    #[test]
    fn every_entry_of_a_listen_list() {
        let hit = listen_list("localhost:1 *:8080 [::]:8080 0.0.0.0:1", Accept::STAR).unwrap();
        assert_eq!(hit.range, 12..13);
        let more: Vec<_> = hit.more.iter().map(|h| (h.range.clone(), h.display.as_str())).collect();
        assert_eq!(more, vec![(20..22, "::"), (29..36, "0.0.0.0")]);
        assert_eq!(listen_list("localhost:1 127.0.0.1:2", Accept::STAR), None);
        assert_eq!(listen_list("*:1", Accept::NONE), None);
    }

    #[test]
    fn endpoint_fields_and_escapes() {
        assert_eq!(endpoint_fields("tcp:80:a"), vec![0..3, 4..6, 7..8]);
        assert_eq!(endpoint_fields(":a"), vec![0..0, 1..2]);
        assert_eq!(endpoint_fields("a\\:b:c"), vec![0..4, 5..6]);
        let hit = endpoint("tcp6:8080:50:\\:\\:").unwrap();
        assert_eq!((hit.range, hit.display.as_str(), hit.family, hit.escaped), (13..17, "::", Family::V6, true));
        let hit = endpoint("tcp6:8080:50:interface=0\\:\\:0").unwrap();
        assert_eq!((hit.range, hit.display.as_str(), hit.escaped), (23..29, "0::0", true));
        let hit = endpoint("tcp:8080:interface=0.0.0.0").unwrap();
        assert!(!hit.escaped);
        assert_eq!(endpoint("tcp6:8080:\\:\\:"), None, "the interface is the third argument");
        assert_eq!(endpoint("tcp6:8080:\\:\\:1"), None);
        assert_eq!(endpoint("TCP:8080:0.0.0.0").map(|h| h.range), Some(9..16));
        assert_eq!(endpoint("HAProxy:tcp:8080:0.0.0.0").map(|h| h.range), Some(17..24));
        assert_eq!(endpoint("tcp:0.0.0.0"), None, "the first argument is the port");
    }

    #[test]
    fn ssl_endpoints_name_the_interface_fifth() {
        let hit = endpoint("ssl:443:key.pem:cert.pem:SSLv23_METHOD:0.0.0.0").unwrap();
        assert_eq!((hit.range, hit.display.as_str()), (39..46, "0.0.0.0"));
        assert_eq!(endpoint("ssl:443:key.pem:cert.pem:0.0.0.0"), None);
        assert_eq!(endpoint("ssl:443:privateKey=k.pem:interface=0.0.0.0").map(|h| h.range), Some(35..42));
        assert_eq!(endpoint("udp:53:0.0.0.0"), None, "no positional interface for other kinds");
    }
}
