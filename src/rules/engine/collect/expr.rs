//! The expression half of the collecting pass: calls (sites, argparse and click defaults),
//! comprehensions with their targets, and the walk into sub-expressions.

use crate::python::ast::{self, Expr};

use super::{Collector, MAX_DEPTH, Uses, end, pos};
use crate::rules::engine::cli::{argparse_dest, keyword};
use crate::rules::engine::index::{BindKind, Site};

impl<'a> Collector<'a, '_> {
    pub(super) fn expr(&mut self, e: &'a Expr) {
        if self.depth > MAX_DEPTH {
            self.ix.too_deep = true;
            return;
        }
        self.depth += 1;
        self.expr_inner(e);
        self.depth -= 1;
    }

    fn expr_inner(&mut self, e: &'a Expr) {
        match e {
            Expr::Name(n) => {
                if self.uses == Uses::Counted {
                    self.ix.loads.entry(n.id.as_str()).or_default().push(self.scope);
                }
            }
            Expr::Attribute(a) => {
                if self.uses == Uses::Counted {
                    *self.ix.attr_loads.entry(a.attr.as_str()).or_default() += 1;
                }
                self.expr(&a.value);
            }
            Expr::Call(c) => self.call(e, c),
            Expr::Dict(d) => {
                for item in &d.items {
                    if let Some(k) = &item.key {
                        if matches!(k, Expr::StringLiteral(_)) {
                            let ctx = self.ctx(pos(k));
                            self.site(Site::DictKey { key: k, value: &item.value }, ctx);
                        }
                        self.expr(k);
                    }
                    self.expr(&item.value);
                }
            }
            Expr::Named(n) => {
                self.expr(&n.value);
                if let Expr::Name(t) = &*n.target {
                    self.bind(t.id.as_str(), BindKind::Value(&n.value), end(e), false);
                }
            }
            Expr::ListComp(c) => self.comprehension(&c.generators, [&*c.elt].into_iter()),
            Expr::SetComp(c) => self.comprehension(&c.generators, [&*c.elt].into_iter()),
            Expr::Generator(c) => self.comprehension(&c.generators, [&*c.elt].into_iter()),
            Expr::DictComp(c) => self.comprehension(&c.generators, c.key.as_deref().into_iter().chain([&*c.value])),
            Expr::Lambda(l) => self.expr(&l.body),
            Expr::FString(f) => {
                for el in f.value.elements() {
                    if let ast::InterpolatedStringElement::Interpolation(i) = el {
                        self.expr(&i.expression);
                    }
                }
            }
            _ => self.children(e),
        }
    }

    /// Plain recursion into sub-expressions for the node kinds without special meaning.
    fn children(&mut self, e: &'a Expr) {
        match e {
            Expr::BoolOp(b) => self.exprs(&b.values),
            Expr::BinOp(b) => {
                self.expr(&b.left);
                self.expr(&b.right);
            }
            Expr::UnaryOp(u) => self.expr(&u.operand),
            Expr::If(i) => {
                self.expr(&i.test);
                self.expr(&i.body);
                self.expr(&i.orelse);
            }
            Expr::Set(s) => self.exprs(&s.elts),
            Expr::List(l) => self.exprs(&l.elts),
            Expr::Tuple(t) => self.exprs(&t.elts),
            Expr::Await(a) => self.expr(&a.value),
            Expr::Yield(y) => y.value.iter().for_each(|v| self.expr(v)),
            Expr::YieldFrom(y) => self.expr(&y.value),
            Expr::Compare(c) => {
                self.expr(&c.left);
                self.exprs(&c.comparators);
            }
            Expr::Subscript(s) => {
                self.expr(&s.value);
                self.expr(&s.slice);
            }
            Expr::Starred(s) => self.expr(&s.value),
            Expr::Slice(s) => [&s.lower, &s.upper, &s.step].into_iter().flatten().for_each(|x| self.expr(x)),
            _ => {}
        }
    }

    fn exprs(&mut self, es: &'a [Expr]) {
        for e in es {
            self.expr(e);
        }
    }

    fn comprehension(&mut self, gens: &'a [ast::Comprehension], body: impl Iterator<Item = &'a Expr>) {
        for g in gens {
            self.expr(&g.iter);
            self.comp_target(&g.target, &g.iter, Vec::new());
            for cond in &g.ifs {
                self.expr(cond);
            }
        }
        for e in body {
            self.expr(e);
        }
    }

    fn comp_target(&mut self, t: &'a Expr, iter: &'a Expr, path: Vec<u32>) {
        match t {
            Expr::Name(n) => {
                self.bind(n.id.as_str(), BindKind::Iter(iter, path), end(n), true);
            }
            Expr::Tuple(ast::ExprTuple { elts, .. }) | Expr::List(ast::ExprList { elts, .. }) => {
                for (i, e) in elts.iter().enumerate() {
                    let mut p = path.clone();
                    p.push(i as u32);
                    self.comp_target(e, iter, p);
                }
            }
            _ => {}
        }
    }

    fn call(&mut self, e: &'a Expr, c: &'a ast::ExprCall) {
        let ctx = self.ctx(pos(c));
        self.site(Site::Call(c), ctx);
        let test_data = super::is_test_data_call(e);
        self.test_data += u32::from(test_data);
        self.expr(&c.func);
        for a in &c.arguments.args {
            self.expr(a);
        }
        for k in &c.arguments.keywords {
            if k.arg.as_ref().is_some_and(|a| self.interest.is_config_name(a.as_str())) {
                self.site(Site::Keyword { call: c, keyword: k }, self.ctx(pos(k)));
            }
            self.expr(&k.value);
        }
        if let Some(dest) = argparse_dest(c)
            && let Some(default) = keyword(c, "default")
        {
            self.ix.argparse.entry(dest).or_default().push((default, ctx));
        }
        self.test_data -= u32::from(test_data);
    }
}
