//! Changed lines that cannot hold a place of any finding. A finding's places are its value (a
//! string, or pieces of one), its sinks (a call, a configuration name assigned, a dict key) and
//! the calls on its way: a line with none of these, inside none of them, is inert. A change made
//! only of inert lines cannot be reported in diff mode, whatever the analysis would find, so the
//! hooks need not analyse it (a version bump, a new constant, a plain `import x`).

use crate::python::ast::visitor::{Visitor, walk_expr, walk_stmt};
use crate::python::ast::{Expr, Stmt};
use crate::python::{ParsedModule, Ranged};
use crate::source::SourceText;

use super::gate;

/// Whether no line of `lines` (1-based, of `bytes`) spells a place on its own: no call bracket,
/// quote, backslash, decorator or sink name. Cheap; [`inside_no_place`] settles the rest.
pub(crate) fn lines_spell_no_place(bytes: &[u8], lines: &[u32]) -> bool {
    every_line(bytes, lines, |line| {
        let code = line.trim_ascii_start();
        let spells = |b: &u8| matches!(b, b'(' | b'\'' | b'"' | b'\\');
        !(code.starts_with(b"@") || line.iter().any(spells) || gate::may_contain_bind(line))
    })
}

/// Whether `holds` is true of every line of `lines` (1-based, ascending) of `bytes`. Lines past
/// the end are not in the file: nothing to hold.
pub(super) fn every_line(bytes: &[u8], lines: &[u32], holds: impl Fn(&[u8]) -> bool) -> bool {
    let mut wanted = lines.iter().peekable();
    for (i, line) in bytes.split(|&b| b == b'\n').enumerate() {
        let Some(&&next) = wanted.peek() else { return true };
        if next as usize != i + 1 {
            continue;
        }
        wanted.next();
        if !holds(line) {
            return false;
        }
    }
    true
}

/// Whether none of `lines` lies inside a call, a string or a class header of the parsed file
/// (the parts of a place that may span lines). A file with syntax errors never qualifies: its
/// tree may not say where its calls and strings are.
pub(crate) fn inside_no_place(source: &SourceText, module: &ParsedModule, lines: &[u32]) -> bool {
    if !module.syntax_errors().is_empty() {
        return false;
    }
    let mut spans = Spans { source, lines, hit: false, only_assignments: false };
    for stmt in module.body() {
        spans.visit_stmt(stmt);
        if spans.hit {
            return false;
        }
    }
    true
}

/// Whether one of `lines` lies in an assignment that binds a name from other names (`HOST =
/// ANY`): a change there may point binds of the modules that import this one at another value.
pub(crate) fn passes_names_on(bytes: &[u8], stub: bool, lines: &[u32]) -> bool {
    let Ok(source) = SourceText::decode_owned(bytes.to_vec(), u64::MAX) else { return true };
    let module = crate::python::parse(source.text(), crate::python::Flavor::for_stub(stub));
    let source = &source;
    let mut spans = Spans { source, lines, hit: false, only_assignments: true };
    module.body().iter().any(|stmt| {
        spans.visit_stmt(stmt);
        spans.hit
    })
}

/// Looks for a call, a string or a class header covering one of the lines (or, with
/// `only_assignments`, an assignment from names).
struct Spans<'s> {
    source: &'s SourceText,
    lines: &'s [u32],
    hit: bool,
    only_assignments: bool,
}

impl Spans<'_> {
    fn covers(&mut self, node: &impl Ranged) {
        let (start, end) = (node.start().to_usize(), node.end().to_usize());
        let first = self.source.line_of(start);
        let last = self.source.line_of(end.saturating_sub(1).max(start));
        let from = self.lines.partition_point(|&l| (l as usize) < first);
        self.hit |= self.lines.get(from).is_some_and(|&l| l as usize <= last);
    }
}

impl Spans<'_> {
    fn covers_if_it_reads_a_name(&mut self, value: &Expr) {
        let mut names = ReadsAName(false);
        names.visit_expr(value);
        if names.0 {
            self.covers(value);
        }
    }
}

/// Whether an expression reads a name (or an attribute of one).
struct ReadsAName(bool);

impl<'a> Visitor<'a> for ReadsAName {
    fn visit_expr(&mut self, expr: &'a Expr) {
        if matches!(expr, Expr::Name(_)) {
            self.0 = true;
        } else if !self.0 {
            walk_expr(self, expr);
        }
    }
}

impl<'a> Visitor<'a> for Spans<'_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if self.hit {
            return;
        }
        match stmt {
            Stmt::ClassDef(class) if !self.only_assignments => {
                if let Some(arguments) = &class.arguments {
                    self.covers(&**arguments);
                }
            }
            // A name assigned from another name passes a value on (`HOST = ANY`): such an
            // assignment is a place of the findings whose value it passes.
            Stmt::Assign(a) => self.covers_if_it_reads_a_name(&a.value),
            Stmt::AnnAssign(a) => {
                if let Some(value) = &a.value {
                    self.covers_if_it_reads_a_name(value);
                }
            }
            Stmt::AugAssign(a) => self.covers_if_it_reads_a_name(&a.value),
            Stmt::For(f) => self.covers_if_it_reads_a_name(&f.iter),
            // `from settings import ANY as HOST`: the assignment of a name from another module.
            Stmt::ImportFrom(_) => self.covers(stmt),
            Stmt::Return(r) => {
                if let Some(value) = &r.value {
                    self.covers_if_it_reads_a_name(value);
                }
            }
            // Defaults of parameters bind names too (`def serve(host=ANY)`).
            Stmt::FunctionDef(f) => {
                let defaults = f.parameters.iter_non_variadic_params().filter_map(|p| p.default.as_deref());
                for default in defaults {
                    self.covers_if_it_reads_a_name(default);
                }
            }
            _ => {}
        }
        walk_stmt(self, stmt);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if self.hit {
            return;
        }
        if !self.only_assignments
            && matches!(
                expr,
                Expr::Call(_)
                    | Expr::StringLiteral(_)
                    | Expr::BytesLiteral(_)
                    | Expr::FString(_)
                    | Expr::ListComp(_)
                    | Expr::SetComp(_)
                    | Expr::DictComp(_)
                    | Expr::Generator(_)
                    | Expr::Named(_)
            )
        {
            self.covers(expr);
        }
        walk_expr(self, expr);
    }
}

#[cfg(test)]
mod tests {
    use super::{inside_no_place, lines_spell_no_place};
    use crate::python::{Flavor, parse};
    use crate::source::SourceText;

    fn inert(text: &str, line: u32) -> bool {
        let source = SourceText::decode_owned(text.as_bytes().to_vec(), u64::MAX).unwrap();
        let module = parse(source.text(), Flavor::Module);
        lines_spell_no_place(text.as_bytes(), &[line]) && inside_no_place(&source, &module, &[line])
    }

    #[test]
    fn lines_with_or_inside_a_place_are_not_inert() {
        let text = "import net\nVERSION = 3\nnet.serve(\n    HOST,\n)\nDOC = '''\nabout\n'''\n@net.app\ndef f():\n    return 1\nclass S(\n    net.Server,\n):\n    port = 80\nbind = ADDR\nX = [\n    A,\n]\nY = 'a' \\\n    'b'\nHOST = ANY\nVERSION = 2\nfrom config import ANY as HOST\ndef g(\n    port,\n    host=ANY,\n):\n    x = 1\n    return ANY\n";
        let expected = [
            (1, true),   // import net
            (24, false), // from config import ANY as HOST
            (27, false), //     host=ANY,  (a parameter's default)
            (30, false), //     return ANY
            (2, true),   // VERSION = 3
            (3, false),  // net.serve(
            (4, false),  //     HOST,  (inside the call)
            (5, false),  // )
            (6, false),  // DOC = '''
            (7, false),  // about  (inside the string)
            (9, false),  // @net.app
            (10, false), // def f():  (a bracket)
            (11, true),  //     return 1
            (13, false), //     net.Server,  (a class header)
            (15, true),  //     port = 80
            (16, false), // bind = ADDR  (a configuration name)
            (22, false), // HOST = ANY  (a value passed on by name)
            (23, true),  // VERSION = 2
            (26, true),  //     port,
            (29, true),  //     x = 1
            (18, false), //     A,  (inside a value read from names)
            (21, false), //     'b'
        ];
        for (line, inert_line) in expected {
            assert_eq!(inert(text, line), inert_line, "line {line}: {:?}", text.lines().nth(line as usize - 1));
        }
    }

    #[test]
    fn a_file_with_syntax_errors_is_never_inert() {
        assert!(inert("X = 1\nY = 2\n", 2));
        assert!(!inert("X = 1\nY = 2\ndef (:\n", 2));
    }
}
