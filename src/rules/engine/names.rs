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

    /// The expression of a one-line module.
    fn reads(text: &str, names: &[&str]) -> bool {
        let m = parse(text, Flavor::Module);
        let ast::Stmt::Expr(e) = &m.body()[0] else { panic!("{text}") };
        reads_any(&e.value, &names.iter().copied().collect())
    }

    #[test]
    fn reads_names_anywhere_in_an_expression() {
        assert!(reads("host", &["host"]));
        assert!(reads("f(1, x=(a, [b or host]))", &["host"]));
        assert!(reads("f'{host}:80'", &["host"]));
        assert!(!reads("f(1, x=(a, [b or hostname]))", &["host"]));
        assert!(!reads("obj.host", &["host"]), "an attribute is not the name");
        assert!(!reads("host", &[]));
        assert!(!reads("'host'", &["host"]));
    }

    #[test]
    fn too_deep_to_tell_counts_as_reading() {
        // The name read sits 200 levels down: still followed.
        let at_limit = format!("{}x", "-".repeat(200));
        assert!(!reads(&at_limit, &["host"]));
        assert!(reads(&at_limit, &["x"]));
        let beyond = format!("{}x", "-".repeat(201));
        assert!(reads(&beyond, &["host"]), "deeper than followed");
        let much_deeper = format!("{}x", "-".repeat(400));
        assert!(reads(&much_deeper, &["host"]));
        // Width is not depth.
        let wide = format!("({})", vec!["-1"; 600].join(", "));
        assert!(!reads(&wide, &["host"]));
        assert!(reads(&format!("({}, host)", vec!["-1"; 600].join(", ")), &["host"]));
    }

    #[test]
    fn taint_follows_assignments_in_any_order() {
        let text = "def f(host):\n    for i in range(2):\n        if i:\n            b = a\n        else:\n            a = host\n    c = b\n    with open(c) as d:\n        pass\n    e, g = d, 1\n    unrelated = 1\n";
        let m = parse(text, Flavor::Module);
        let ix = super::super::collect::collect(m.body(), 0, super::super::collect::Uses::Skipped, &NoInterest);
        let scope = ix.funcs[0].scope;
        let t = tainted(&ix, scope, ["host"].into_iter());
        let mut names: Vec<&str> = t.into_iter().collect();
        names.sort_unstable();
        assert_eq!(names, ["a", "b", "c", "d", "e", "g", "host"]);
        assert_eq!(tainted(&ix, scope, std::iter::empty()).len(), 0);
    }

    #[test]
    fn inputs_of_a_call_are_its_arguments() {
        let text = "f(a, *b, k=c, **d)";
        let m = parse(text, Flavor::Module);
        let ast::Stmt::Expr(e) = &m.body()[0] else { panic!() };
        let c = e.value.as_call_expr().unwrap();
        let inputs: Vec<&str> = call_inputs(c).map(|x| &text[crate::rules::engine::strings::range(x)]).collect();
        assert_eq!(inputs, ["a", "*b", "c", "d"]);
    }

    struct NoInterest;
    impl super::super::collect::Interest for NoInterest {
        fn is_config_name(&self, _: &str) -> bool {
            false
        }
    }
}
