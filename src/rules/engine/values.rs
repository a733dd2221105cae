//! Small pure helpers for flow values: template parts, string products, truthiness, lookups.

use super::strings::{FormatPart, Piece, SymStr, format_fields, percent_fields};
use crate::python::ast::Expr;

/// How many alternative values one expression may have before the rest are dropped (and the
/// file reported as not analysed). Real command builders reach past 32 (`pipes.makepipeline`
/// branches on every step); products of two large sets still stop early.
pub(crate) const MAX_ALTS: usize = 128;

/// A value as far as the file decides it.
#[derive(Clone, Debug)]
pub(crate) enum Val<'a> {
    Str(SymStr<'a>),
    /// A tuple or list: the alternatives of each element.
    Seq(Vec<Vec<Val<'a>>>),
    /// A dict literal: string keys (None for others) and their alternatives.
    Dict(Vec<(Option<String>, Vec<Val<'a>>)>),
}

/// Template parts with byte ranges into the flattened template.
pub(crate) enum Part {
    Text(std::ops::Range<usize>),
    Field(Field),
}

#[derive(Clone)]
pub(crate) enum Field {
    Index(usize),
    Named(String),
}

fn to_parts<'t>(flat: &'t str, parts: Vec<FormatPart<'t>>) -> Vec<Part> {
    let base = flat.as_ptr() as usize;
    parts
        .into_iter()
        .map(|p| match p {
            FormatPart::Text(t) => {
                let start = t.as_ptr() as usize - base;
                Part::Text(start..start + t.len())
            }
            FormatPart::Index(i) => Part::Field(Field::Index(i)),
            FormatPart::Named(n) => Part::Field(Field::Named(n.to_string())),
        })
        .collect()
}

pub(crate) fn format_fields_owned(t: &SymStr<'_>) -> Vec<Part> {
    let flat = t.flat();
    to_parts(&flat, format_fields(&flat))
}

pub(crate) fn percent_fields_owned(t: &SymStr<'_>) -> Vec<Part> {
    let flat = t.flat();
    to_parts(&flat, percent_fields(&flat))
}

/// The template text in `range`, keeping the source mapping when one piece holds it.
pub(crate) fn slice_piece<'a>(t: &SymStr<'a>, range: std::ops::Range<usize>) -> SymStr<'a> {
    let mut pieces = Vec::new();
    let mut at = 0;
    for p in &t.pieces {
        let span = at..at + p.text.len();
        at = span.end;
        let (lo, hi) = (range.start.max(span.start), range.end.min(span.end));
        if lo >= hi {
            continue;
        }
        let known = p.origin.is_some_and(|o| o.src.is_some());
        // A literal's piece is cut where the range cuts it; anything else stays whole (a hole
        // has no parts, and a piece without a source place has none to shift).
        let Some(text) = p.text.get(lo - span.start..hi - span.start).filter(|_| known) else {
            pieces.push(p.clone());
            continue;
        };
        let mut origin = p.origin;
        if let Some(o) = origin.as_mut() {
            o.src = o.src.map(|s| s + lo - span.start);
        }
        pieces.push(Piece { text: text.to_string(), origin });
    }
    SymStr { pieces }
}

pub(crate) fn push_piece<'a>(acc: &mut [SymStr<'a>], piece: Piece<'a>) {
    for s in acc.iter_mut() {
        s.pieces.push(piece.clone());
    }
}

pub(crate) fn product<'a>(left: Vec<SymStr<'a>>, right: Vec<SymStr<'a>>) -> Vec<SymStr<'a>> {
    let mut out = Vec::new();
    for l in &left {
        for r in &right {
            if out.len() < MAX_ALTS {
                out.push(l.concat(r));
            }
        }
    }
    out
}

pub(crate) fn strs_of(vals: Vec<Val<'_>>) -> Vec<SymStr<'_>> {
    vals.into_iter().filter_map(|v| if let Val::Str(s) = v { Some(s) } else { None }).collect()
}

pub(crate) fn truthy(v: &Val<'_>) -> bool {
    match v {
        Val::Str(s) => !s.is_empty_text(),
        Val::Seq(e) => !e.is_empty(),
        Val::Dict(e) => !e.is_empty(),
    }
}

/// The elements of a sequence value, any of them (nothing for a string or a dict).
pub(crate) fn elements(v: Val<'_>) -> Vec<Val<'_>> {
    match v {
        Val::Seq(elems) => elems.into_iter().flatten().collect(),
        _ => Vec::new(),
    }
}

/// Marks string values as defaults of a configuration lookup.
pub(crate) fn lookup(vals: Vec<Val<'_>>) -> Vec<Val<'_>> {
    vals.into_iter()
        .map(|v| match v {
            Val::Str(mut s) => {
                s.mark_lookup();
                Val::Str(s)
            }
            other => other,
        })
        .collect()
}

pub(crate) fn is_lookup(q: &str) -> bool {
    matches!(q, "os.environ.get" | "os.getenv" | "os.environ.setdefault" | "os.environb.get" | "get" | "setdefault")
        || q.ends_with(".get")
}

pub(crate) fn index_path<'a>(vals: Vec<Val<'a>>, path: &[u32]) -> Vec<Val<'a>> {
    let Some((&first, rest)) = path.split_first() else { return vals };
    let picked = vals.into_iter().flat_map(|v| match v {
        Val::Seq(mut elems) if (first as usize) < elems.len() => elems.swap_remove(first as usize),
        _ => Vec::new(),
    });
    index_path(picked.collect(), rest)
}

pub(crate) fn key_text(e: &Expr) -> Option<String> {
    match e {
        Expr::StringLiteral(s) => Some(s.value.to_str().to_string()),
        _ => None,
    }
}
