//! Intra-file data flow: the values an expression can have, as far as literals decide them.
//!
//! Names are followed to the bindings that can reach the use ([`Index::reaching`]); tuples,
//! lists and dicts keep their elements; `+`, `%`, `str.format` and f-strings build strings
//! piece by piece; `or`, conditional expressions and branches contribute every alternative;
//! configuration lookups (`os.environ.get`, `getenv`, `getattr`, `dict.get`, argparse and click
//! defaults) yield their defaults. Work is bounded by depth, alternatives and a fuel budget.

use std::cell::Cell;

use crate::python::ast::{self, Expr, FStringPart, InterpolatedStringElement, Operator};

use super::index::{BindKind, Binding, ClassId, Ctx, Index};
use super::resolve::{Resolver, Ty};
use super::strings::{self, SymStr};
use super::values::{
    Field, MAX_ALTS, Part, Val, format_fields_owned, index_path, is_lookup, key_text, lookup, percent_fields_owned,
    product, push_piece, slice_piece, strs_of, truthy,
};

const MAX_DEPTH: u32 = 40;
const MAX_ELEMS: usize = 512;
/// Evaluation steps allowed per sink, so that hostile files cannot make the analysis slow.
pub(crate) const FUEL: u32 = 4000;

pub(crate) struct Flow<'i, 'a> {
    pub ix: &'i Index<'a>,
    pub text: &'a str,
    pub res: Resolver<'i, 'a>,
    pub fuel: Cell<u32>,
}

impl<'i, 'a> Flow<'i, 'a> {
    pub(crate) fn new(ix: &'i Index<'a>, text: &'a str) -> Self {
        Flow { ix, text, res: Resolver { ix }, fuel: Cell::new(FUEL) }
    }

    fn spend(&self) -> bool {
        let left = self.fuel.get();
        self.fuel.set(left.saturating_sub(1));
        left > 0
    }

    pub(crate) fn eval(&self, e: &'a Expr, ctx: Ctx, depth: u32) -> Vec<Val<'a>> {
        if depth > MAX_DEPTH || !self.spend() {
            return Vec::new();
        }
        let mut out = self.eval_inner(e, ctx, depth + 1);
        out.truncate(MAX_ALTS);
        out
    }

    /// Only the string alternatives of `e`.
    pub(crate) fn strs(&self, e: &'a Expr, ctx: Ctx, depth: u32) -> Vec<SymStr<'a>> {
        self.eval(e, ctx, depth).into_iter().filter_map(|v| if let Val::Str(s) = v { Some(s) } else { None }).collect()
    }

    fn eval_inner(&self, e: &'a Expr, ctx: Ctx, depth: u32) -> Vec<Val<'a>> {
        match e {
            Expr::StringLiteral(_) | Expr::BytesLiteral(_) => {
                strings::literal(e, self.text).map(Val::Str).into_iter().collect()
            }
            Expr::FString(f) => self.fstring(e, f, ctx, depth).into_iter().map(Val::Str).collect(),
            Expr::Tuple(ast::ExprTuple { elts, .. })
            | Expr::List(ast::ExprList { elts, .. })
            | Expr::Set(ast::ExprSet { elts, .. }) => {
                vec![Val::Seq(elts.iter().take(MAX_ELEMS).map(|x| self.element(x, ctx, depth)).collect())]
            }
            Expr::Dict(d) => vec![Val::Dict(self.dict(d, ctx, depth))],
            Expr::Name(n) => self.bindings(self.ix.reaching(n.id.as_str(), ctx), depth),
            Expr::Attribute(a) => self.attribute(a, ctx, depth),
            Expr::Subscript(s) => self.subscript(s, ctx, depth),
            Expr::Call(c) => self.call(c, ctx, depth),
            Expr::BinOp(b) if b.op == Operator::Add => self.concat(&b.left, &b.right, ctx, depth),
            Expr::BinOp(b) if b.op == Operator::Mod => self.percent(&b.left, &b.right, ctx, depth),
            Expr::BoolOp(b) => self.bool_op(b, ctx, depth),
            Expr::If(i) => {
                let mut out = self.eval(&i.body, ctx, depth);
                out.extend(self.eval(&i.orelse, ctx, depth));
                out
            }
            Expr::Named(n) => self.eval(&n.value, ctx, depth),
            _ => Vec::new(),
        }
    }

    fn element(&self, x: &'a Expr, ctx: Ctx, depth: u32) -> Vec<Val<'a>> {
        if matches!(x, Expr::Starred(_)) { Vec::new() } else { self.eval(x, ctx, depth) }
    }

    fn dict(&self, d: &'a ast::ExprDict, ctx: Ctx, depth: u32) -> Vec<(Option<String>, Vec<Val<'a>>)> {
        let mut out = Vec::new();
        for item in d.items.iter().take(MAX_ELEMS) {
            match &item.key {
                Some(k) => out.push((key_text(k), self.eval(&item.value, ctx, depth))),
                None => {
                    for v in self.eval(&item.value, ctx, depth) {
                        if let Val::Dict(entries) = v {
                            out.extend(entries);
                        }
                    }
                }
            }
        }
        out
    }

    pub(crate) fn bindings(&self, bs: Vec<&Binding<'a>>, depth: u32) -> Vec<Val<'a>> {
        bs.into_iter().flat_map(|b| self.binding(b, depth)).take(MAX_ALTS).collect()
    }

    fn binding(&self, b: &Binding<'a>, depth: u32) -> Vec<Val<'a>> {
        match &b.kind {
            BindKind::Value(v) => self.eval(v, b.ctx, depth),
            BindKind::Unpack(v, path) => index_path(self.eval(v, b.ctx, depth), path),
            BindKind::Iter(v, path) => {
                let items = self.eval(v, b.ctx, depth).into_iter().flat_map(|val| match val {
                    Val::Seq(elems) => elems.into_iter().flatten().collect(),
                    _ => Vec::new(),
                });
                index_path(items.collect(), path)
            }
            BindKind::Param { default, option, .. } => {
                let mut out: Vec<Val<'a>> = default.map(|d| self.eval(d, b.ctx, depth)).unwrap_or_default();
                if let Some(o) = option {
                    out.extend(lookup(self.eval(o, b.ctx, depth)));
                }
                out
            }
            _ => Vec::new(),
        }
    }

    fn attribute(&self, a: &'a ast::ExprAttribute, ctx: Ctx, depth: u32) -> Vec<Val<'a>> {
        let attr = a.attr.as_str();
        if attr == "value" {
            let inner = self.eval(&a.value, ctx, depth);
            if !inner.is_empty() {
                return inner;
            }
        }
        if self.is_parsed_args(&a.value, ctx) {
            let defaults = self.ix.argparse.get(attr).map(Vec::as_slice).unwrap_or_default();
            return defaults.iter().flat_map(|(d, c)| lookup(self.eval(d, *c, depth))).collect();
        }
        match self.res.ty(&a.value, ctx, 0) {
            Ty::LocalInst(c) | Ty::LocalClass(c) => self.member(c, attr, depth, 0),
            _ => Vec::new(),
        }
    }

    /// A class attribute (or `self.x`), looked up through local base classes.
    fn member(&self, class: ClassId, attr: &str, depth: u32, hops: u32) -> Vec<Val<'a>> {
        let own = self.ix.class_attr(class, attr);
        if !own.is_empty() || hops > 8 {
            return self.bindings(own, depth);
        }
        let info = &self.ix.classes[class as usize];
        let bases = info.def.arguments.as_deref().map(|a| &a.args[..]).unwrap_or_default();
        for base in bases {
            if let Ty::LocalClass(b) = self.res.ty(base, info.ctx, 0) {
                let found = self.member(b, attr, depth, hops + 1);
                if !found.is_empty() {
                    return found;
                }
            }
        }
        Vec::new()
    }

    /// `args` bound to `parser.parse_args()` (or `parse_known_args()[0]`).
    fn is_parsed_args(&self, e: &'a Expr, ctx: Ctx) -> bool {
        let is_parse = |v: &Expr| matches!(v, Expr::Call(c) if matches!(&*c.func, Expr::Attribute(f) if matches!(f.attr.as_str(), "parse_args" | "parse_known_args" | "parse_intermixed_args")));
        match e {
            Expr::Name(n) => self.ix.reaching(n.id.as_str(), ctx).iter().any(|b| match &b.kind {
                BindKind::Value(v) | BindKind::Unpack(v, _) => is_parse(v),
                _ => false,
            }),
            other => is_parse(other),
        }
    }

    fn subscript(&self, s: &'a ast::ExprSubscript, ctx: Ctx, depth: u32) -> Vec<Val<'a>> {
        let key = key_text(&s.slice);
        let index = match &*s.slice {
            Expr::NumberLiteral(n) => n.value.as_int().and_then(|i| i.as_u16()).map(u32::from),
            _ => None,
        };
        let mut out = Vec::new();
        for v in self.eval(&s.value, ctx, depth) {
            match (v, &key, index) {
                (Val::Dict(entries), Some(k), _) => {
                    out.extend(entries.into_iter().filter(|(ek, _)| ek.as_ref() == Some(k)).flat_map(|(_, vals)| vals));
                }
                (Val::Seq(mut elems), _, Some(i)) if (i as usize) < elems.len() => {
                    out.extend(elems.swap_remove(i as usize))
                }
                _ => {}
            }
        }
        out
    }

    fn call(&self, c: &'a ast::ExprCall, ctx: Ctx, depth: u32) -> Vec<Val<'a>> {
        let args = &c.arguments.args;
        if let Expr::Attribute(f) = &*c.func
            && f.attr.as_str() == "format"
        {
            return self.format(&f.value, c, ctx, depth);
        }
        if let Expr::Name(n) = &*c.func
            && self.ix.reaching(n.id.as_str(), ctx).is_empty()
        {
            return match (n.id.as_str(), args.len()) {
                ("str", 1) => self.eval(&args[0], ctx, depth),
                ("getattr", 3) => lookup(self.eval(&args[2], ctx, depth)),
                _ => Vec::new(),
            };
        }
        match self.res.ty(&c.func, ctx, 0) {
            Ty::LocalFunc(f) => {
                let returns = &self.ix.funcs[f as usize].returns;
                returns.iter().flat_map(|(v, rc)| self.eval(v, *rc, depth)).take(MAX_ALTS).collect()
            }
            Ty::Qual(q) if matches!(q.as_str(), "typer.Option" | "typer.Argument") => {
                let d = args.first().or_else(|| super::cli::keyword(c, "default"));
                d.map(|d| lookup(self.eval(d, ctx, depth))).unwrap_or_default()
            }
            Ty::Qual(q) | Ty::Bound(_, q) if is_lookup(&q) => {
                let d = args.get(1).or_else(|| super::cli::keyword(c, "default"));
                d.map(|d| lookup(self.eval(d, ctx, depth))).unwrap_or_default()
            }
            _ => Vec::new(),
        }
    }

    fn strs_or_hole(&self, e: &'a Expr, ctx: Ctx, depth: u32) -> Vec<SymStr<'a>> {
        let s = self.strs(e, ctx, depth);
        if s.is_empty() { vec![SymStr::hole()] } else { s }
    }

    fn concat(&self, l: &'a Expr, r: &'a Expr, ctx: Ctx, depth: u32) -> Vec<Val<'a>> {
        let (lv, rv) = (self.eval(l, ctx, depth), self.eval(r, ctx, depth));
        if let Some(Val::Seq(a)) = lv.first() {
            let mut elems = a.clone();
            if let Some(Val::Seq(b)) = rv.first() {
                elems.extend(b.iter().cloned());
            }
            return vec![Val::Seq(elems)];
        }
        let ls = strs_of(lv);
        let rs = strs_of(rv);
        if ls.is_empty() && rs.is_empty() {
            return Vec::new();
        }
        let hole = || vec![SymStr::hole()];
        product(if ls.is_empty() { hole() } else { ls }, if rs.is_empty() { hole() } else { rs })
            .into_iter()
            .map(Val::Str)
            .collect()
    }

    fn percent(&self, l: &'a Expr, r: &'a Expr, ctx: Ctx, depth: u32) -> Vec<Val<'a>> {
        let args: Vec<&'a Expr> = match r {
            Expr::Tuple(t) => t.elts.iter().collect(),
            other => vec![other],
        };
        let mut out = Vec::new();
        for template in self.strs(l, ctx, depth) {
            let parts = percent_fields_owned(&template);
            out.extend(self.fill(&template, parts, |i| args.get(i).copied(), ctx, depth));
        }
        out.into_iter().map(Val::Str).collect()
    }

    fn format(&self, recv: &'a Expr, c: &'a ast::ExprCall, ctx: Ctx, depth: u32) -> Vec<Val<'a>> {
        let args = &c.arguments.args;
        let mut out = Vec::new();
        for template in self.strs(recv, ctx, depth) {
            let parts = format_fields_owned(&template);
            let arg = |f: Field| match f {
                Field::Index(i) => args.get(i),
                Field::Named(n) => super::cli::keyword(c, &n),
            };
            out.extend(self.fill_fields(&template, parts, arg, ctx, depth));
        }
        out.into_iter().map(Val::Str).collect()
    }

    fn fill(
        &self,
        t: &SymStr<'a>,
        parts: Vec<Part>,
        arg: impl Fn(usize) -> Option<&'a Expr>,
        ctx: Ctx,
        depth: u32,
    ) -> Vec<SymStr<'a>> {
        self.fill_fields(t, parts, |f| if let Field::Index(i) = f { arg(i) } else { None }, ctx, depth)
    }

    fn fill_fields(
        &self,
        t: &SymStr<'a>,
        parts: Vec<Part>,
        arg: impl Fn(Field) -> Option<&'a Expr>,
        ctx: Ctx,
        depth: u32,
    ) -> Vec<SymStr<'a>> {
        let mut acc = vec![SymStr::default()];
        for part in parts {
            let alts = match part {
                Part::Text(range) => vec![slice_piece(t, range)],
                Part::Field(f) => {
                    arg(f).map(|e| self.strs_or_hole(e, ctx, depth + 1)).unwrap_or_else(|| vec![SymStr::hole()])
                }
            };
            acc = product(acc, alts);
        }
        acc
    }

    fn bool_op(&self, b: &'a ast::ExprBoolOp, ctx: Ctx, depth: u32) -> Vec<Val<'a>> {
        let Some((last, init)) = b.values.split_last() else { return Vec::new() };
        let mut out = Vec::new();
        if b.op == ast::BoolOp::Or {
            for v in init {
                out.extend(self.eval(v, ctx, depth).into_iter().filter(truthy));
            }
        }
        out.extend(self.eval(last, ctx, depth));
        out
    }

    fn fstring(&self, e: &'a Expr, f: &'a ast::ExprFString, ctx: Ctx, depth: u32) -> Vec<SymStr<'a>> {
        let mut acc = vec![SymStr::default()];
        for part in f.value.iter() {
            match part {
                FStringPart::Literal(l) => push_piece(&mut acc, strings::part_piece(e, l, self.text)),
                FStringPart::FString(fs) => {
                    for el in fs.elements.iter() {
                        match el {
                            InterpolatedStringElement::Literal(l) => {
                                push_piece(&mut acc, strings::fstring_text(e, strings::range(l), &l.value, self.text))
                            }
                            InterpolatedStringElement::Interpolation(i) => {
                                let plain = i.conversion != ast::ConversionFlag::Repr && i.format_spec.is_none();
                                let alts = if plain {
                                    self.strs_or_hole(&i.expression, ctx, depth + 1)
                                } else {
                                    vec![SymStr::hole()]
                                };
                                acc = product(acc, alts);
                            }
                        }
                    }
                }
            }
        }
        acc
    }
}
