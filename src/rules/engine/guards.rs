//! What an `if` says about a name's value: inside `if host:` (or `host != ''`) an empty host
//! cannot be there, and after `if not host: host = '127.0.0.1'` an empty host has been
//! replaced. Only tests that name the variable (or `self.attr`) directly are read.

use crate::python::ast::{self, CmpOp, Expr, UnaryOp};

/// What a test is about: a variable, or an attribute of `self` (`self.addr`).
#[derive(Clone, Copy)]
pub(crate) enum Subject<'n> {
    Name(&'n str),
    SelfAttr(&'n str),
}

impl Subject<'_> {
    fn is(self, e: &Expr) -> bool {
        match (self, e) {
            (Subject::Name(name), Expr::Name(n)) => n.id.as_str() == name,
            (Subject::SelfAttr(attr), Expr::Attribute(a)) => {
                a.attr.as_str() == attr && matches!(&*a.value, Expr::Name(n) if n.id.as_str() == "self")
            }
            _ => false,
        }
    }
}

/// Whether `test` holding true means `name` is not empty (`name`, `name != ''`, `len(name)`,
/// `name and …`).
pub(crate) fn says_not_empty(test: &Expr, name: &str) -> bool {
    match test {
        Expr::Name(n) => n.id.as_str() == name,
        Expr::BoolOp(b) if b.op == ast::BoolOp::And => b.values.iter().any(|v| says_not_empty(v, name)),
        Expr::Compare(c) => compares_with_empty(c, Subject::Name(name), CmpOp::NotEq),
        Expr::Call(c) => {
            matches!(&*c.func, Expr::Name(f) if f.id.as_str() == "len")
                && matches!(c.arguments.args.first(), Some(Expr::Name(n)) if n.id.as_str() == name)
        }
        _ => false,
    }
}

/// Whether `test` holding true means `name` may be empty (`not name`, `name == ''`,
/// `… or not name`): a branch under it that assigns `name` replaces an empty value. `name is
/// None` does not: an empty string is not `None` and goes past such a branch.
pub(crate) fn says_empty(test: &Expr, subject: Subject) -> bool {
    match test {
        Expr::UnaryOp(u) if u.op == UnaryOp::Not => subject.is(&u.operand),
        Expr::BoolOp(b) if b.op == ast::BoolOp::Or => b.values.iter().any(|v| says_empty(v, subject)),
        Expr::Compare(c) => compares_with_empty(c, subject, CmpOp::Eq),
        _ => false,
    }
}

/// `subject <op> ''` (either side).
fn compares_with_empty(c: &ast::ExprCompare, subject: Subject, op: CmpOp) -> bool {
    let [cmp] = &*c.ops else { return false };
    let [right] = &*c.comparators else { return false };
    let empty = |e: &Expr| matches!(e, Expr::StringLiteral(s) if s.value.to_str().is_empty());
    let named = |e: &Expr| subject.is(e);
    *cmp == op && (named(&c.left) && empty(right) || empty(&c.left) && named(right))
}
