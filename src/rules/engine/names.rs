//! Which names an expression reads, and which names of a function its parameters can flow
//! into: a cheap syntactic over-approximation that lets a summary skip the sites no parameter
//! can reach.

use std::collections::HashSet;

use crate::python::ast::visitor::{Visitor, walk_expr};
use crate::python::ast::{self, Expr};

use super::index::{BindKind, Index, ScopeId};

/// How deep a read is followed inside one expression (deeper parts count as reading anything).
const MAX_DEPTH: u32 = 200;

/// Whether `e` reads one of `names` (or is too deep to tell).
pub(crate) fn reads_any(e: &Expr, names: &HashSet<&str>) -> bool {
    let mut v = Reads { names, found: false, depth: 0 };
    v.visit_expr(e);
    v.found
}

struct Reads<'n, 's> {
    names: &'n HashSet<&'s str>,
    found: bool,
    depth: u32,
}

impl<'a> Visitor<'a> for Reads<'_, '_> {
    fn visit_expr(&mut self, e: &'a Expr) {
        if self.found {
            return;
        }
        if self.depth > MAX_DEPTH {
            self.found = true;
            return;
        }
        if let Expr::Name(n) = e
            && self.names.contains(n.id.as_str())
        {
            self.found = true;
            return;
        }
        self.depth += 1;
        walk_expr(self, e);
        self.depth -= 1;
    }
}

/// The names of scope `scope` that may hold a value derived from `seeds` (its parameters, or
/// `self`): the seeds, and every name assigned from an expression that reads one of them.
pub(crate) fn tainted<'a>(ix: &Index<'a>, scope: ScopeId, seeds: impl Iterator<Item = &'a str>) -> HashSet<&'a str> {
    let mut out: HashSet<&'a str> = seeds.collect();
    let locals: Vec<(&'a str, &'a Expr)> = ix.in_scope[scope as usize]
        .bindings
        .iter()
        .filter_map(|&i| {
            let b = &ix.bindings[i];
            match &b.kind {
                BindKind::Value(v) | BindKind::Unpack(v, _) | BindKind::Iter(v, _) | BindKind::WithAs(v) => {
                    Some((b.name, *v))
                }
                _ => None,
            }
        })
        .collect();
    loop {
        let before = out.len();
        for (name, value) in &locals {
            if !out.contains(name) && reads_any(value, &out) {
                out.insert(name);
            }
        }
        if out.len() == before {
            return out;
        }
    }
}

/// The expressions of a call that carry values into the callee: arguments and keyword values.
pub(crate) fn call_inputs(c: &ast::ExprCall) -> impl Iterator<Item = &Expr> {
    c.arguments.args.iter().chain(c.arguments.keywords.iter().map(|k| &k.value))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::python::{Flavor, parse};

    #[test]
    fn names_derived_from_parameters() {
        let text =
            "def f(host, port):\n    h = host or '0.0.0.0'\n    addr = (h, port)\n    other = 1\n    s.bind(addr)\n";
        let m = parse(text, Flavor::Module);
        let ix = super::super::collect::collect(m.body(), 0, super::super::collect::Uses::Skipped, &NoInterest);
        let scope = ix.funcs[0].scope;
        let t = tainted(&ix, scope, ["host", "port"].into_iter());
        assert!(t.contains("h") && t.contains("addr"));
        assert!(!t.contains("other"));
    }

    struct NoInterest;
    impl super::super::collect::Interest for NoInterest {
        fn is_config_name(&self, _: &str) -> bool {
            false
        }
    }
}
