//! Strings as the analysis sees them: known text pieces that remember their source literal.
//!
//! A value such as `f"0.0.0.0:{port}"` or `"[::]:" + str(p)` becomes a [`SymStr`]: pieces of
//! known text (each tied to the literal it came from, and to that literal's source bytes when
//! they spell the text one-to-one) and holes for what is only known at run time. Classification
//! runs on the flattened text; [`SymStr::locate`] maps a host back to its literal for the
//! finding's location and the fix.

use std::ops::Range;

use crate::python::Ranged;
use crate::python::ast::{self, Expr};

use super::index::ModId;
use crate::rules::address::HOLE;

/// Where a piece of text was written.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Origin<'a> {
    /// The whole literal expression (all implicitly concatenated parts).
    pub expr: &'a Expr,
    /// The module whose text holds it.
    pub module: ModId,
    /// Source offset of the piece's first byte when the source spells the text one-to-one.
    pub src: Option<usize>,
    /// The literal is the default of a configuration lookup (`os.environ.get`, argparse, …).
    pub lookup: bool,
}

#[derive(Clone, Debug)]
pub(crate) struct Piece<'a> {
    pub text: String,
    pub origin: Option<Origin<'a>>,
}

/// A string value made of known pieces and run-time holes.
#[derive(Clone, Debug, Default)]
pub(crate) struct SymStr<'a> {
    pub pieces: Vec<Piece<'a>>,
}

/// A host mapped back to the literal that spells it.
#[derive(Clone, Debug)]
pub(crate) struct Located<'a> {
    pub expr: &'a Expr,
    pub module: ModId,
    /// Source bytes of the host text, when the literal spells it one-to-one.
    pub host_src: Option<Range<usize>>,
    /// The host is the literal's entire value (so the literal can be rewritten whole).
    pub whole: bool,
    pub lookup: bool,
}

impl Located<'_> {
    pub(crate) fn expr_start(&self) -> usize {
        self.expr.start().to_usize()
    }
}

impl<'a> SymStr<'a> {
    pub(crate) fn hole() -> Self {
        SymStr { pieces: vec![Piece { text: HOLE.to_string(), origin: None }] }
    }

    pub(crate) fn flat(&self) -> String {
        self.pieces.iter().map(|p| p.text.as_str()).collect()
    }

    pub(crate) fn concat(&self, other: &SymStr<'a>) -> SymStr<'a> {
        let mut pieces = self.pieces.clone();
        pieces.extend(other.pieces.iter().cloned());
        SymStr { pieces }
    }

    pub(crate) fn is_empty_text(&self) -> bool {
        self.pieces.iter().all(|p| p.text.is_empty())
    }

    pub(crate) fn mark_lookup(&mut self) {
        for origin in self.pieces.iter_mut().filter_map(|p| p.origin.as_mut()) {
            origin.lookup = true;
        }
    }

    /// Flat byte span of every piece.
    fn spans(&self) -> Vec<Range<usize>> {
        let mut at = 0;
        self.pieces
            .iter()
            .map(|p| {
                let span = at..at + p.text.len();
                at = span.end;
                span
            })
            .collect()
    }

    /// The literal holding the flat byte range `range` (an empty range points between pieces).
    pub(crate) fn locate(&self, range: Range<usize>) -> Option<Located<'a>> {
        let spans = self.spans();
        let covering: Vec<usize> = (0..self.pieces.len())
            .filter(|&i| {
                let s = &spans[i];
                if range.is_empty() {
                    s.start <= range.start && range.start <= s.end
                } else {
                    s.start < range.end && range.start < s.end
                }
            })
            .filter(|&i| self.pieces[i].origin.is_some())
            .collect();
        let first = *covering.first()?;
        let origin = self.pieces[first].origin?;
        let same = |i: usize| self.pieces[i].origin.is_some_and(|o| std::ptr::eq(o.expr, origin.expr));
        let single = covering.len() == 1;
        let host_src = origin.src.filter(|_| single && range.start >= spans[first].start).map(|src| {
            let from = src + range.start - spans[first].start;
            from..from + range.len()
        });
        let own: Vec<usize> = (0..self.pieces.len()).filter(|&i| same(i)).collect();
        let contiguous = own.windows(2).all(|w| w[1] == w[0] + 1);
        let whole = covering.iter().all(|&i| same(i))
            && contiguous
            && own.first().is_some_and(|&i| spans[i].start == range.start)
            && own.last().is_some_and(|&i| spans[i].end == range.end);
        Some(Located { expr: origin.expr, module: origin.module, host_src, whole, lookup: origin.lookup })
    }

    /// The text is written verbatim by one literal piece (no concatenation, no escapes): sink
    /// names in strings (programs, configuration keys) are matched only as written.
    pub(crate) fn is_verbatim(&self) -> bool {
        matches!(self.pieces.as_slice(), [p] if p.origin.is_some_and(|o| o.src.is_some()))
    }

    /// The text of the first piece when a literal writes it verbatim: a flag such as `--bind=`
    /// is matched only as written, while the value after it may be assembled.
    pub(crate) fn verbatim_lead(&self) -> Option<&str> {
        let first = self.pieces.first()?;
        first.origin.is_some_and(|o| o.src.is_some()).then_some(first.text.as_str())
    }

    /// The words of a command line (split on whitespace, simple quotes removed), each keeping
    /// its source mapping.
    pub(crate) fn split_words(&self) -> Vec<SymStr<'a>> {
        let flat = self.flat();
        let mut out = Vec::new();
        let mut start = None;
        for (i, c) in flat.char_indices().chain(std::iter::once((flat.len(), ' '))) {
            match (c.is_whitespace(), start) {
                (true, Some(s)) => {
                    out.push(unquoted(&flat, s..i));
                    start = None;
                }
                (false, None) => start = Some(i),
                _ => {}
            }
        }
        out.into_iter().map(|r| super::values::slice_piece(self, r)).collect()
    }

    /// Drops the first `n` bytes (used for `--flag=value` argv entries).
    pub(crate) fn skip(&self, n: usize) -> SymStr<'a> {
        let mut left = n;
        let mut pieces = Vec::new();
        for p in &self.pieces {
            if left >= p.text.len() && !(left == 0 && p.text.is_empty()) {
                left -= p.text.len();
                continue;
            }
            let mut piece = p.clone();
            if left > 0 && p.text.is_char_boundary(left) {
                piece.text = p.text[left..].to_string();
                if let Some(o) = piece.origin.as_mut() {
                    o.src = o.src.map(|s| s + left);
                }
            }
            left = 0;
            pieces.push(piece);
        }
        SymStr { pieces }
    }
}

/// A word's range without the quotes around it (`'0.0.0.0'` in a shell command).
fn unquoted(flat: &str, r: Range<usize>) -> Range<usize> {
    let word = &flat[r.clone()];
    let quoted = word.len() >= 2
        && (word.starts_with('\'') && word.ends_with('\'') || word.starts_with('"') && word.ends_with('"'));
    if quoted { r.start + 1..r.end - 1 } else { r }
}

/// Pieces of a plain string or bytes literal (one per implicitly concatenated part).
pub(crate) fn literal<'a>(expr: &'a Expr, text: &str, module: ModId) -> Option<SymStr<'a>> {
    let parts: Vec<(Range<usize>, String, bool)> = match expr {
        Expr::StringLiteral(s) => s.value.iter().map(|p| (range(p), p.value.to_string(), false)).collect(),
        Expr::BytesLiteral(b) => {
            b.value.iter().map(|p| (range(p), String::from_utf8_lossy(&p.value).into_owned(), true)).collect()
        }
        _ => return None,
    };
    let pieces = parts
        .into_iter()
        .map(|(r, value, _bytes)| {
            let src = content_range(text, r).filter(|c| text.get(c.clone()) == Some(value.as_str())).map(|c| c.start);
            Piece { text: value, origin: Some(Origin { expr, module, src, lookup: false }) }
        })
        .collect();
    Some(SymStr { pieces })
}

/// A piece for a literal element inside an f-string.
pub(crate) fn fstring_text<'a>(expr: &'a Expr, r: Range<usize>, value: &str, text: &str, module: ModId) -> Piece<'a> {
    let src = (text.get(r.clone()) == Some(value)).then_some(r.start);
    Piece { text: value.to_string(), origin: Some(Origin { expr, module, src, lookup: false }) }
}

/// A piece for a whole string-literal part inside an f-string's implicit concatenation.
pub(crate) fn part_piece<'a>(expr: &'a Expr, part: &ast::StringLiteral, text: &str, module: ModId) -> Piece<'a> {
    let src = content_range(text, range(part)).filter(|c| text.get(c.clone()) == Some(&*part.value)).map(|c| c.start);
    Piece { text: part.value.to_string(), origin: Some(Origin { expr, module, src, lookup: false }) }
}

pub(crate) fn range(node: &impl Ranged) -> Range<usize> {
    node.start().to_usize()..node.end().to_usize()
}

/// Bytes between the quotes of one literal part (prefix and quotes skipped).
pub(crate) fn content_range(text: &str, part: Range<usize>) -> Option<Range<usize>> {
    let src = text.get(part.clone())?;
    let prefix = src.bytes().take_while(u8::is_ascii_alphabetic).count();
    let quoted = &src[prefix..];
    let q = quoted.chars().next().filter(|c| *c == '\'' || *c == '"')?;
    let triple: String = std::iter::repeat_n(q, 3).collect();
    let qlen = if quoted.starts_with(&triple) && quoted.len() >= 6 { 3 } else { 1 };
    let start = part.start + prefix + qlen;
    let end = part.end.checked_sub(qlen)?;
    let closes = quoted.ends_with(&triple[..qlen]);
    (start <= end && closes).then_some(start..end)
}

/// Splits a `str.format` template into literal text and `{…}` fields.
pub(crate) fn format_fields(template: &str) -> Vec<FormatPart<'_>> {
    let mut out = Vec::new();
    let mut rest = template;
    let mut auto = 0;
    while !rest.is_empty() {
        let Some(open) = rest.find(['{', '}']) else {
            out.push(FormatPart::Text(rest));
            break;
        };
        if open > 0 {
            out.push(FormatPart::Text(&rest[..open]));
        }
        let tail = &rest[open..];
        if tail.starts_with("{{") || tail.starts_with("}}") {
            out.push(FormatPart::Text(&tail[..1]));
            rest = &tail[2..];
            continue;
        }
        // A lone `}` makes Python raise; read it as text rather than as a field.
        if let Some(after) = tail.strip_prefix('}') {
            out.push(FormatPart::Text("}"));
            rest = after;
            continue;
        }
        let Some(close) = tail.find('}') else { break };
        let field = &tail[1..close];
        let name = field.split([':', '!']).next().unwrap_or("");
        out.push(match name.parse::<usize>() {
            Ok(i) => FormatPart::Index(i),
            Err(_) if name.is_empty() => {
                auto += 1;
                FormatPart::Index(auto - 1)
            }
            Err(_) => FormatPart::Named(name),
        });
        rest = &tail[close + 1..];
    }
    out
}

#[derive(Debug, PartialEq, Eq)]
pub(crate) enum FormatPart<'t> {
    Text(&'t str),
    Index(usize),
    Named(&'t str),
}

/// Splits a `%` template: literal text and the number of the conversion each `%x` takes.
pub(crate) fn percent_fields(template: &str) -> Vec<FormatPart<'_>> {
    let mut out = Vec::new();
    let mut rest = template;
    let mut n = 0;
    while let Some(at) = rest.find('%') {
        if at > 0 {
            out.push(FormatPart::Text(&rest[..at]));
        }
        let tail = &rest[at + 1..];
        if let Some(after) = tail.strip_prefix('%') {
            out.push(FormatPart::Text("%"));
            rest = after;
            continue;
        }
        let named = if tail.starts_with('(') { tail.find(')').map_or(tail.len(), |i| i + 1) } else { 0 };
        let spec = tail[named..].find(|c: char| c.is_ascii_alphabetic()).map_or(tail.len(), |i| named + i + 1);
        out.push(FormatPart::Index(n));
        n += 1;
        rest = &tail[spec.min(tail.len())..];
    }
    if !rest.is_empty() {
        out.push(FormatPart::Text(rest));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_templates() {
        use FormatPart::*;
        assert_eq!(format_fields("{}:{}"), vec![Index(0), Text(":"), Index(1)]);
        assert_eq!(format_fields("{host}:{0:d}{{"), vec![Named("host"), Text(":"), Index(0), Text("{")]);
        assert_eq!(format_fields("}0.0.0.0"), vec![Text("}"), Text("0.0.0.0")], "a lone brace is text");
        assert_eq!(format_fields("{:{}}x").last(), Some(&Text("x")), "nested specs do not panic");
        assert_eq!(percent_fields("tcp://%s:%d"), vec![Text("tcp://"), Index(0), Text(":"), Index(1)]);
        assert_eq!(percent_fields("100%% %(x)s"), vec![Text("100"), Text("%"), Text(" "), Index(0)]);
    }

    #[test]
    fn content_ranges_skip_prefix_and_quotes() {
        let text = "x = Rb'''ab''' + ''";
        assert_eq!(content_range(text, 4..14), Some(9..11));
        assert_eq!(content_range(text, 17..19), Some(18..18));
        assert_eq!(content_range("'abc", 0..4), None);
    }
}
