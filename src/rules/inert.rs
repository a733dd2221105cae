//! Changed lines that cannot hold a place of any finding. A finding's places are its value (a
//! string, or pieces of one), its sinks (a call, a configuration name assigned, a dict key) and
//! the calls on its way: a line with none of these, inside none of them, is inert. A change made
//! only of inert lines cannot be reported in diff mode, whatever the analysis would find, so the
//! hooks need not analyse it (a version bump, a new constant, an import moved).

use crate::python::ast::visitor::{Visitor, walk_expr, walk_stmt};
use crate::python::ast::{Expr, Stmt};
use crate::python::{ParsedModule, Ranged};
use crate::source::SourceText;

use super::gate;

/// Whether no line of `lines` (1-based, of `bytes`) spells a place on its own: no call bracket,
/// quote, backslash, decorator or sink name. Cheap; [`inside_no_place`] settles the rest.
pub(crate) fn lines_spell_no_place(bytes: &[u8], lines: &[u32]) -> bool {
    let mut wanted = lines.iter().peekable();
    for (i, line) in bytes.split(|&b| b == b'\n').enumerate() {
        let Some(&&next) = wanted.peek() else { return true };
        if next as usize != i + 1 {
            continue;
        }
        wanted.next();
        let code = line.trim_ascii_start();
        let spells = |b: &u8| matches!(b, b'(' | b'\'' | b'"' | b'\\');
        if code.starts_with(b"@") || line.iter().any(spells) || gate::may_contain_bind(line) {
            return false;
        }
    }
    // Lines past the end are not in the file: nothing to hold.
    true
}

/// Whether none of `lines` lies inside a call, a string or a class header of the parsed file
/// (the parts of a place that may span lines). A file with syntax errors never qualifies: its
/// tree may not say where its calls and strings are.
pub(crate) fn inside_no_place(source: &SourceText, module: &ParsedModule, lines: &[u32]) -> bool {
    if !module.syntax_errors().is_empty() {
        return false;
    }
    let mut spans = Spans { source, lines, hit: false };
    for stmt in module.body() {
        spans.visit_stmt(stmt);
        if spans.hit {
            return false;
        }
    }
    true
}

/// Looks for a call, a string or a class header covering one of the lines.
struct Spans<'s> {
    source: &'s SourceText,
    lines: &'s [u32],
    hit: bool,
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

impl<'a> Visitor<'a> for Spans<'_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if self.hit {
            return;
        }
        if let Stmt::ClassDef(class) = stmt
            && let Some(arguments) = &class.arguments
        {
            self.covers(&**arguments);
        }
        walk_stmt(self, stmt);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if self.hit {
            return;
        }
        if matches!(expr, Expr::Call(_) | Expr::StringLiteral(_) | Expr::BytesLiteral(_) | Expr::FString(_)) {
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
        let text = "import net\nVERSION = 3\nnet.serve(\n    HOST,\n)\nDOC = '''\nabout\n'''\n@net.app\ndef f():\n    return 1\nclass S(\n    net.Server,\n):\n    port = 80\nbind = ADDR\nX = [\n    A,\n]\nY = 'a' \\\n    'b'\n";
        let expected = [
            (1, true),   // import net
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
            (18, true),  //     A,  (a list is no place)
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
