//! What an expression *is*: an imported name, an instance of a known class, a local class or
//! function — so that sinks are matched by what the code imports and calls, not by variable names.
//!
//! Types come only from imports (`import x as y`, `from x import y as z`), constructor calls,
//! factory calls listed in the catalogue, parameter and return annotations, and simple returns of
//! local factory functions. A local class is seen through its first catalogued base class, unless
//! it defines the method itself.

use crate::python::ast::{self, Expr};

use super::index::{BindKind, Binding, ClassId, Ctx, FuncId, Index};
use crate::rules::catalogue as sinks;

/// How deep name and attribute chains are followed.
const MAX_HOPS: u32 = 24;

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Ty {
    /// An imported module, class or function, by qualified name (`flask.Flask`).
    Qual(String),
    /// An instance of a catalogued (or merely imported) class.
    Inst(String),
    /// Attribute `.1` of an instance of `.0` (`?` when the receiver is unknown).
    Bound(String, String),
    LocalClass(ClassId),
    LocalInst(ClassId),
    LocalFunc(FuncId),
    Unknown,
}

pub(crate) struct Resolver<'i, 'a> {
    pub ix: &'i Index<'a>,
}

impl<'a> Resolver<'_, 'a> {
    pub(crate) fn ty(&self, e: &'a Expr, ctx: Ctx, hops: u32) -> Ty {
        if hops > MAX_HOPS {
            return Ty::Unknown;
        }
        match e {
            Expr::Name(n) => self.name_ty(n.id.as_str(), ctx, hops),
            Expr::Attribute(a) => self.attr_ty(&a.value, a.attr.as_str(), ctx, hops),
            Expr::Call(c) => self.call_ty(c, ctx, hops),
            Expr::Await(a) => self.ty(&a.value, ctx, hops + 1),
            _ => Ty::Unknown,
        }
    }

    fn name_ty(&self, name: &str, ctx: Ctx, hops: u32) -> Ty {
        self.ix
            .reaching(name, ctx)
            .into_iter()
            .map(|b| self.binding_ty(b, hops + 1))
            .find(|t| *t != Ty::Unknown)
            .unwrap_or(Ty::Unknown)
    }

    fn binding_ty(&self, b: &Binding<'a>, hops: u32) -> Ty {
        match &b.kind {
            BindKind::Import(q) => Ty::Qual(q.clone()),
            BindKind::Class(c) => Ty::LocalClass(*c),
            BindKind::Func(f) => Ty::LocalFunc(*f),
            BindKind::Value(v) => self.ty(v, b.ctx, hops),
            BindKind::WithAs(v) => self.with_ty(v, b.ctx, hops),
            BindKind::Param { is_self: Some(c), .. } => Ty::LocalInst(*c),
            BindKind::Param { annotation: Some(a), .. } => self.annotation_ty(a, b.ctx, hops),
            BindKind::Param { default: Some(d), .. } => self.ty(d, b.ctx, hops),
            _ => Ty::Unknown,
        }
    }

    /// `with closing(x) as s` is `x`; other context managers are taken to return themselves.
    fn with_ty(&self, v: &'a Expr, ctx: Ctx, hops: u32) -> Ty {
        if let Expr::Call(c) = v
            && let Some(inner) = c.arguments.args.first()
            && self.ty(&c.func, ctx, hops + 1) == Ty::Qual("contextlib.closing".into())
        {
            return self.ty(inner, ctx, hops + 1);
        }
        self.ty(v, ctx, hops + 1)
    }

    pub(crate) fn annotation_ty(&self, a: &'a Expr, ctx: Ctx, hops: u32) -> Ty {
        match a {
            Expr::BinOp(b) => {
                let left = self.annotation_ty(&b.left, ctx, hops + 1);
                if left == Ty::Unknown { self.annotation_ty(&b.right, ctx, hops + 1) } else { left }
            }
            Expr::Subscript(s) => self.annotation_ty(&s.slice, ctx, hops + 1),
            _ => match self.ty(a, ctx, hops + 1) {
                Ty::Qual(q) => Ty::Inst(q),
                Ty::LocalClass(c) => Ty::LocalInst(c),
                _ => Ty::Unknown,
            },
        }
    }

    fn attr_ty(&self, value: &'a Expr, attr: &str, ctx: Ctx, hops: u32) -> Ty {
        match self.ty(value, ctx, hops + 1) {
            Ty::Qual(q) => Ty::Qual(format!("{q}.{attr}")),
            Ty::Inst(c) => Ty::Bound(c, attr.to_string()),
            Ty::LocalInst(c) | Ty::LocalClass(c) => self.member_ty(c, attr, hops),
            Ty::Unknown => Ty::Bound("?".into(), attr.to_string()),
            _ => Ty::Unknown,
        }
    }

    /// An attribute of a local class: its own definitions first, then the catalogued base.
    fn member_ty(&self, class: ClassId, attr: &str, hops: u32) -> Ty {
        let own = self.ix.class_attr(class, attr);
        if let Some(t) = own.iter().map(|b| self.binding_ty(b, hops + 1)).find(|t| *t != Ty::Unknown) {
            return t;
        }
        if !own.is_empty() || self.ix.classes[class as usize].methods.contains(&attr) {
            return Ty::Unknown;
        }
        match self.base_of(class, hops) {
            Some(base) => Ty::Bound(base, attr.to_string()),
            None => Ty::Unknown,
        }
    }

    /// The first imported base class of a local class, following local bases.
    pub(crate) fn base_of(&self, class: ClassId, hops: u32) -> Option<String> {
        let info = &self.ix.classes[class as usize];
        let args = info.def.arguments.as_deref()?;
        for base in args.args.iter() {
            match self.ty(base, info.ctx, hops + 1) {
                Ty::Qual(q) => return Some(q),
                Ty::LocalClass(c) if c != class && hops < MAX_HOPS => {
                    if let Some(q) = self.base_of(c, hops + 1) {
                        return Some(q);
                    }
                }
                _ => {}
            }
        }
        None
    }

    fn call_ty(&self, c: &'a ast::ExprCall, ctx: Ctx, hops: u32) -> Ty {
        match self.ty(&c.func, ctx, hops + 1) {
            Ty::Qual(q) => Ty::Inst(sinks::factory(&q).map(str::to_string).unwrap_or(q)),
            Ty::Bound(t, m) => match sinks::bound_factory(&t, &m) {
                Some("=") => Ty::Inst(t),
                Some(ret) => Ty::Inst(ret.to_string()),
                None => Ty::Unknown,
            },
            Ty::LocalClass(k) => Ty::LocalInst(k),
            Ty::LocalFunc(f) => self.returns_ty(f, hops),
            _ => Ty::Unknown,
        }
    }

    fn returns_ty(&self, f: FuncId, hops: u32) -> Ty {
        let info = &self.ix.funcs[f as usize];
        if let Some(r) = info.def.returns.as_deref() {
            let t = self.annotation_ty(r, info.ctx, hops + 1);
            if t != Ty::Unknown {
                return t;
            }
        }
        info.returns
            .iter()
            .map(|(v, ctx)| self.ty(v, *ctx, hops + 1))
            .find(|t| *t != Ty::Unknown)
            .unwrap_or(Ty::Unknown)
    }

    /// The catalogue key of a call's callee: `flask.Flask.run`, `uvicorn.run`, `?.bind`, or the
    /// imported base class for a local subclass's constructor.
    pub(crate) fn callee_key(&self, func: &'a Expr, ctx: Ctx) -> Option<String> {
        match self.ty(func, ctx, 0) {
            Ty::Qual(q) => Some(q),
            Ty::Bound(t, m) => Some(format!("{t}.{m}")),
            Ty::LocalClass(c) => self.base_of(c, 0),
            _ => None,
        }
    }
}
