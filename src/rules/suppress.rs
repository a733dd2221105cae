//! Suppression comments (spec §6): `# ignore` and `# ignore: CSP-D404` as real comment tokens.
//!
//! A marker counts at the end of any line of the flagged statement (the statement holding the
//! value, or the sink statement), or alone on the line directly above the statement's first line.
//! For compound statements (`def`, `with`, `if`, …) only the header counts as "the statement",
//! so a marker deep inside a function body never silences a parameter default.

use rustc_hash::FxHashMap as HashMap;
use std::ops::Range;

use crate::finding::RULE_CODE;
use crate::python::Ranged;
use crate::python::ast::{self, Stmt};
use crate::source::SourceText;

use super::engine::strings::range;

/// Lines that carry a suppression marker, and whether the marker stands alone on its line.
pub(crate) struct Markers {
    lines: HashMap<usize, bool>,
}

impl Markers {
    pub(crate) fn new(source: &SourceText, comments: impl Iterator<Item = Range<usize>>, foreign: bool) -> Self {
        let text = source.text();
        let mut lines = HashMap::default();
        for c in comments {
            let Some(comment) = text.get(c.clone()) else { continue };
            if is_marker(comment, foreign) {
                let line = source.line_of(c.start);
                let before = &text[source.line_start(line)..c.start];
                lines.insert(line, before.trim().is_empty());
            }
        }
        Markers { lines }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Whether a statement spanning the 1-based lines `first..=last` is suppressed.
    pub(crate) fn covers(&self, first: usize, last: usize) -> bool {
        (first..=last).any(|l| self.lines.contains_key(&l))
            || (first > 1 && self.lines.get(&(first - 1)) == Some(&true))
    }
}

/// `# ignore`, `# ignore: CSP-D404`, `#IGNORE:csp-d404, X` (and `# nosec` / `# noqa: S104` when
/// other tools' markers are enabled). A comment may hold several `#` segments.
pub(crate) fn is_marker(comment: &str, foreign: bool) -> bool {
    comment.split('#').any(|segment| segment_is_marker(segment.trim(), foreign))
}

fn segment_is_marker(s: &str, foreign: bool) -> bool {
    let lower = s.to_ascii_lowercase();
    if let Some(rest) = lower.strip_prefix("ignore") {
        return codes_match(rest, RULE_CODE);
    }
    if foreign && lower.starts_with("nosec") {
        return true;
    }
    if let (true, Some(rest)) = (foreign, lower.strip_prefix("noqa")) {
        return rest.trim().is_empty() || codes_match(rest, "S104");
    }
    false
}

/// Nothing after the keyword, or `: CODE, CODE` with `code` among them (a reason may follow).
fn codes_match(rest: &str, code: &str) -> bool {
    let rest = rest.trim_start();
    if rest.is_empty() {
        return true;
    }
    let Some(list) = rest.strip_prefix(':') else { return false };
    list.split(',').filter_map(|item| item.split_whitespace().next()).any(|c| c.eq_ignore_ascii_case(code))
}

/// The byte span of the statement that holds `offset`: a simple statement whole, or a compound
/// statement's header (decorators through the colon) when `offset` is in the header.
pub(crate) fn statement_span(body: &[Stmt], offset: usize) -> Option<Range<usize>> {
    let mut suite = body;
    for _ in 0..200 {
        let i = suite.partition_point(|s| s.end().to_usize() <= offset);
        let stmt = suite.get(i).filter(|s| s.start().to_usize() <= offset)?;
        let header = header_end(stmt);
        if offset < header {
            return Some(stmt.start().to_usize()..header);
        }
        match child_suite(stmt, offset) {
            Some(inner) => suite = inner,
            None => return Some(clause_header(stmt, offset).unwrap_or_else(|| range(stmt))),
        }
    }
    None
}

/// The header of the `elif`, `except` or `case` clause of `stmt` that holds `offset`: from the
/// keyword through the condition, the exception type or the guard.
fn clause_header(stmt: &Stmt, offset: usize) -> Option<Range<usize>> {
    let at = |n: &dyn Ranged| n.end().to_usize();
    let headers: Vec<Range<usize>> = match stmt {
        Stmt::If(i) => {
            i.elif_else_clauses.iter().filter_map(|c| Some(c.start().to_usize()..at(c.test.as_ref()?))).collect()
        }
        Stmt::Try(t) => t
            .handlers
            .iter()
            .filter_map(|ast::ExceptHandler::ExceptHandler(h)| Some(h.start().to_usize()..at(h.type_.as_deref()?)))
            .collect(),
        Stmt::Match(m) => {
            m.cases.iter().map(|c| c.start().to_usize()..c.guard.as_deref().map_or(at(&c.pattern), |g| at(g))).collect()
        }
        _ => Vec::new(),
    };
    headers.into_iter().find(|h| h.contains(&offset))
}

/// Where a compound statement's header ends (the statement's end for simple statements).
fn header_end(stmt: &Stmt) -> usize {
    let at = |n: &dyn Ranged| n.end().to_usize();
    match stmt {
        Stmt::FunctionDef(f) => f.returns.as_deref().map_or(at(&*f.parameters), |r| at(r).max(at(&*f.parameters))),
        Stmt::ClassDef(c) => c.arguments.as_deref().map_or(at(&c.name), |a| at(a)),
        Stmt::If(i) => at(&*i.test),
        Stmt::While(w) => at(&*w.test),
        Stmt::For(f) => at(&*f.iter),
        Stmt::With(w) => w.items.last().map_or(stmt.start().to_usize(), |i| at(i)),
        Stmt::Match(m) => at(&*m.subject),
        Stmt::Try(_) => stmt.start().to_usize() + 3,
        _ => stmt.end().to_usize(),
    }
}

/// The nested suite of a compound statement that contains `offset`.
fn child_suite(stmt: &Stmt, offset: usize) -> Option<&[Stmt]> {
    let contains = |b: &[Stmt]| {
        b.first().is_some_and(|f| f.start().to_usize() <= offset)
            && b.last().is_some_and(|l| offset < l.end().to_usize())
    };
    let suites: Vec<&[Stmt]> = match stmt {
        Stmt::FunctionDef(f) => vec![&f.body],
        Stmt::ClassDef(c) => vec![&c.body],
        Stmt::If(i) => std::iter::once(&i.body[..]).chain(i.elif_else_clauses.iter().map(|c| &c.body[..])).collect(),
        Stmt::While(w) => vec![&w.body, &w.orelse],
        Stmt::For(f) => vec![&f.body, &f.orelse],
        Stmt::With(w) => vec![&w.body],
        Stmt::Match(m) => m.cases.iter().map(|c| &c.body[..]).collect(),
        Stmt::Try(t) => {
            let handlers = t.handlers.iter().map(|ast::ExceptHandler::ExceptHandler(h)| &h.body[..]);
            std::iter::once(&t.body[..]).chain(handlers).chain([&t.orelse[..], &t.finalbody[..]]).collect()
        }
        _ => Vec::new(),
    };
    suites.into_iter().find(|b| contains(b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::python::{Flavor, parse};
    use crate::source::Encoding;

    #[test]
    fn marker_forms() {
        for m in [
            "# ignore",
            "# ignore: CSP-D404",
            "#ignore:csp-d404",
            "#   IGNORE:   CSP-D404",
            "# ignore: CSP-D101, CSP-D404",
            "# ignore: CSP-D404,CSP-D101",
            "# noqa: E501  # ignore",
        ] {
            assert!(is_marker(m, false), "{m}");
        }
        for m in [
            "# ignore: CSP-D101",
            "# ignored for now",
            "# type: ignore[arg-type]",
            "# nosec",
            "# noqa: S104",
            "# noqa",
            "# lgtm[x]",
        ] {
            assert!(!is_marker(m, false), "{m}");
        }
        assert!(is_marker("# nosec B104", true) && is_marker("# noqa: S104", true) && !is_marker("# noqa: E501", true));
    }

    #[test]
    fn statement_headers_and_bodies() {
        let text = "@deco(x='a')\ndef f(host='0.0.0.0'):\n    y = 1\n    return y\nz = 2\n";
        let m = parse(text, Flavor::Module);
        let default = text.find("'0.0.0.0'").unwrap();
        let span = statement_span(m.body(), default).unwrap();
        assert_eq!(&text[span.clone()], "@deco(x='a')\ndef f(host='0.0.0.0')");
        let y = text.find("y = 1").unwrap();
        assert_eq!(&text[statement_span(m.body(), y).unwrap()], "y = 1");
    }

    #[test]
    fn markers_above_trailing_and_blank_lines() {
        let text = "# ignore\na = 1\n\nb = 2  # ignore: CSP-D404\nc = 3 # ignore: X\n";
        let src = SourceText::from_text(text.into(), Encoding::Utf8);
        let m = parse(text, Flavor::Module);
        let markers = Markers::new(&src, m.comments(), false);
        assert!(markers.covers(2, 2));
        assert!(!markers.covers(3, 3));
        assert!(markers.covers(4, 4));
        assert!(!markers.covers(5, 5));
    }

    /// The span `statement_span` gives for the first occurrence of `needle` in `text`.
    fn span_of<'t>(text: &'t str, needle: &str) -> Option<&'t str> {
        let m = parse(text, Flavor::Module);
        assert!(m.syntax_errors().is_empty(), "{text}");
        let at = text.find(needle).unwrap_or_else(|| panic!("{needle} in {text}"));
        statement_span(m.body(), at).map(|span| &text[span])
    }

    #[test]
    fn a_statement_in_any_block_is_that_statement_alone() {
        let cases = [
            "class C(Base):\n    x = 1\n    bind('B')\n    y = 2\n",
            "if a:\n    x = 1\nelif b:\n    x = 2\n    bind('B')\n    y = 2\nelse:\n    x = 3\n",
            "if a:\n    x = 1\nelse:\n    x = 3\n    bind('B')\n    y = 2\n",
            "while a:\n    x = 1\n    bind('B')\n    y = 2\n",
            "while a:\n    x = 1\nelse:\n    x = 2\n    bind('B')\n    y = 2\n",
            "for i in a:\n    x = 1\n    bind('B')\n    y = 2\n",
            "for i in a:\n    x = 1\nelse:\n    x = 2\n    bind('B')\n    y = 2\n",
            "async def f():\n    async for i in a:\n        x = 1\n        bind('B')\n        y = 2\n",
            "with a as b, c:\n    x = 1\n    bind('B')\n    y = 2\n",
            "match a:\n    case 1:\n        x = 1\n    case _:\n        x = 2\n        bind('B')\n        y = 2\n",
            "try:\n    x = 1\n    bind('B')\n    y = 2\nexcept E:\n    x = 2\n",
            "try:\n    x = 1\nexcept E:\n    x = 2\nexcept F:\n    x = 2\n    bind('B')\n    y = 2\n",
            "try:\n    x = 1\nexcept E:\n    x = 2\nelse:\n    x = 3\n    bind('B')\n    y = 2\n",
            "try:\n    x = 1\nfinally:\n    x = 3\n    bind('B')\n    y = 2\n",
            "def f(h='A'):\n    if h:\n        for i in h:\n            with i:\n                bind('B')\n                y = 2\n",
        ];
        for text in cases {
            assert_eq!(span_of(text, "bind('B')"), Some("bind('B')"), "{text}");
            // Preceded by more code, so that the block no longer starts near the file's start.
            let later = format!("{}\n{text}", "z = 0\n".repeat(40));
            assert_eq!(span_of(&later, "bind('B')"), Some("bind('B')"), "{later}");
        }
    }

    #[test]
    fn a_value_in_a_header_is_in_the_header() {
        let cases = [
            ("class C(Base, host='A'):\n    x = 1\n", "class C(Base, host='A')"),
            ("if h == 'A':\n    x = 1\n", "if h == 'A'"),
            ("if a:\n    x = 1\nelif h == 'A':\n    x = 2\n", "elif h == 'A'"),
            ("if a:\n    x = 1\nelif b:\n    x = 2\nelif h == 'A':\n    x = 3\n", "elif h == 'A'"),
            ("try:\n    x = 1\nexcept E:\n    x = 2\nexcept f('A') as e:\n    x = 3\n", "except f('A')"),
            ("match a:\n    case 1:\n        x = 1\n    case _ if h == 'A':\n        x = 2\n", "case _ if h == 'A'"),
            ("match a:\n    case 1:\n        x = 1\n    case {'k': 'A'}:\n        x = 2\n", "case {'k': 'A'}"),
            ("while h != 'A':\n    x = 1\n", "while h != 'A'"),
            ("for h in ['A']:\n    x = 1\n", "for h in ['A']"),
            ("with serve(('A', 1)) as s, t:\n    x = 1\n", "with serve(('A', 1)) as s, t"),
            ("match 'A':\n    case _:\n        x = 1\n", "match 'A'"),
            ("def f(h='A') -> str:\n    return h\n", "def f(h='A') -> str"),
            ("@deco('A')\nclass C:\n    x = 1\n", "@deco('A')\nclass C"),
        ];
        for (text, header) in cases {
            assert_eq!(span_of(text, "'A'"), Some(header), "{text}");
        }
    }

    #[test]
    fn no_statement_outside_the_module() {
        let text = "x = 1\n\n\n";
        let m = parse(text, Flavor::Module);
        assert_eq!(statement_span(m.body(), text.len() - 1), None);
        assert_eq!(statement_span(m.body(), 0), Some(0..5));
    }

    #[test]
    fn markers_above_count_only_alone_and_only_directly_above() {
        let text = "# ignore\nx = (\n    1,\n)\ny = 2\n\nz = 3  # ignore\nw = 4\n";
        let src = SourceText::from_text(text.into(), Encoding::Utf8);
        let m = parse(text, Flavor::Module);
        let markers = Markers::new(&src, m.comments(), false);
        assert!(!markers.is_empty());
        assert!(markers.covers(1, 1), "a marker line is its own statement's");
        assert!(markers.covers(2, 4), "alone directly above");
        assert!(!markers.covers(3, 4));
        assert!(!markers.covers(5, 5));
        assert!(!markers.covers(6, 6));
        assert!(markers.covers(6, 7), "trailing on a later line of the statement");
        assert!(!markers.covers(8, 8), "a trailing marker above does not count");
        let none = Markers::new(&src, std::iter::empty(), false);
        assert!(none.is_empty() && !none.covers(1, 8));
    }
}
