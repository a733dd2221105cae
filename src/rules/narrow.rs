//! Changes made only of calls: which sites of a file may report them.
//!
//! A finding counts in diff mode only where one of its places (its value, its sinks, the calls
//! and assignments on its way) touches a changed line (spec §5). A statement that is a bare call
//! with no string and no spelling of an address (`log(x)`, `self.start()`, `main()`) is no value
//! and passes none on: its result is dropped. It can only be a place as a site itself, or as a
//! call inside the function or class around it, reached from a site that names that function
//! (or something bound from it). So when every changed line of a change is such a call or
//! inert ([`super::inert`]), a file needs only the sites on its changed lines and those that
//! name what the change can reach ([`Narrowed`]): in a pre-commit that adds a call to a module
//! of a large project, the other sites would resolve their callees through the whole project
//! for nothing. Whatever a narrowed analysis finds is found again by the full one, which keeps
//! the output exactly as before (every sink of a finding); a differential test checks on every
//! fixture line that the narrowed analysis finds something whenever a finding touches the line.
//!
//! The closure follows what the engine follows, by name. Flows the engine does not follow are
//! not in it: names bound by comprehensions and star imports, a mutation of an object through a
//! call (`conf.update(…)`, `handlers.append(…)`), local modules named like a library the
//! catalogue knows. Teaching the engine one of these means teaching [`Bindings`] the same.

use rustc_hash::FxHashSet;

use crate::python::ast::visitor::{Visitor, walk_expr, walk_keyword, walk_parameter, walk_pattern, walk_stmt};
use crate::python::ast::{self, Expr, Pattern, Stmt};
use crate::python::{ParsedModule, Ranged};
use crate::source::SourceText;

use super::engine::index::Site;
use super::{catalogue, gate, inert};

/// More changed lines than this are analysed in full (each line is looked up in the tree).
const MAX_LINES: usize = 64;

/// Rounds of [`Narrowed::new`]'s closure before it gives up and keeps every site.
const MAX_ROUNDS: usize = 32;

/// What a file's changed lines are, when each is a bare call or inert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CallsOnly {
    /// A changed call lies in a function or class body: a site elsewhere in the project that
    /// calls it may report it, so only this file may be narrowed.
    pub inside_definitions: bool,
}

/// Whether every line of `lines` (1-based) is inert or lies in a bare call statement, and where
/// those calls are; `None` when some line is anything else, or the file has syntax errors.
pub(crate) fn calls_only(source: &SourceText, module: &ParsedModule, lines: &[u32]) -> Option<CallsOnly> {
    changed_calls(source, module, lines).map(|c| CallsOnly { inside_definitions: c.inside_definitions })
}

/// The bare call statements a change is made of (with inert lines), and whether one of them lies
/// in a function or class body.
struct ChangedCalls<'a> {
    calls: Vec<&'a Stmt>,
    inside_definitions: bool,
}

fn changed_calls<'a>(source: &SourceText, module: &'a ParsedModule, lines: &[u32]) -> Option<ChangedCalls<'a>> {
    if !module.syntax_errors().is_empty() || !lines_may_be_calls(source.text().as_bytes(), lines) {
        return None;
    }
    let mut changed = ChangedCalls { calls: Vec::new(), inside_definitions: false };
    let mut others = Vec::new();
    for &line in lines {
        let mut around = Vec::new();
        match innermost(module.body(), source, line as usize, &mut around) {
            Innermost::Many => return None,
            Innermost::One(stmt) if is_bare_call(stmt, source) => {
                changed.calls.push(stmt);
                changed.inside_definitions |= !around.is_empty();
            }
            _ => others.push(line),
        }
    }
    // The other lines must be inert, all looked up in one walk of the tree.
    let inert = others.is_empty()
        || inert::lines_spell_no_place(source.text().as_bytes(), &others)
            && inert::inside_no_place(source, module, &others);
    inert.then_some(changed)
}

/// A cheap look before parsing: no changed line has a quote or a spelling of an address (a bare
/// call has neither; an inert line has no quote).
pub(crate) fn lines_may_be_calls(bytes: &[u8], lines: &[u32]) -> bool {
    lines.len() <= MAX_LINES
        && inert::every_line(bytes, lines, |line| {
            let walrus = line.windows(2).any(|w| w == b":=");
            !(walrus || line.iter().any(|&b| b == b'\'' || b == b'"') || gate::may_spell_address(line))
        })
}

/// A statement that is a call (awaited or not) whose text holds no string, no spelling of an
/// address and no binding inside it (`:=`, a lambda's defaults, `yield`).
fn is_bare_call(stmt: &Stmt, source: &SourceText) -> bool {
    let Stmt::Expr(e) = stmt else { return false };
    let call = match &*e.value {
        Expr::Await(a) => &*a.value,
        other => other,
    };
    if !matches!(call, Expr::Call(_)) {
        return false;
    }
    let text = &source.text()[stmt.start().to_usize()..stmt.end().to_usize()];
    let words = || text.split(|c: char| !(c.is_alphanumeric() || c == '_'));
    !text.contains(['\'', '"'])
        && !text.contains(":=")
        && !gate::may_spell_address(text.as_bytes())
        && !words().any(|w| w == "lambda" || w == "yield")
}

/// The statement a line belongs to, deepest first.
enum Innermost<'a> {
    None,
    One(&'a Stmt),
    /// Two statements share the line (`a(); b = c`).
    Many,
}

/// Finds the deepest statement whose lines hold `line`, pushing the functions and classes
/// around it onto `around`.
fn innermost<'a>(body: &'a [Stmt], source: &SourceText, line: usize, around: &mut Vec<&'a Stmt>) -> Innermost<'a> {
    let spans = |s: &Stmt| {
        let first = source.line_of(s.start().to_usize());
        let last = source.line_of(s.end().to_usize().saturating_sub(1).max(s.start().to_usize()));
        first <= line && line <= last
    };
    let mut holding = body.iter().filter(|s| spans(s));
    let Some(stmt) = holding.next() else { return Innermost::None };
    if holding.next().is_some() {
        return Innermost::Many;
    }
    if matches!(stmt, Stmt::FunctionDef(_) | Stmt::ClassDef(_)) {
        around.push(stmt);
    }
    for child in child_bodies(stmt) {
        match innermost(child, source, line, around) {
            Innermost::None => {}
            // `if (HOST := ANY): f()`, `for HOST in (ANY,): f()`: the header binds on the line.
            Innermost::One(simple) if shares_its_first_line(simple, source, line) => return Innermost::One(stmt),
            found => return found,
        }
    }
    Innermost::One(stmt)
}

/// Whether something comes before the statement on its first line, when that is `line`.
fn shares_its_first_line(stmt: &Stmt, source: &SourceText, line: usize) -> bool {
    let start = stmt.start().to_usize();
    source.line_of(start) == line && !source.text()[source.line_start(line)..start].trim().is_empty()
}

/// The bodies a compound statement holds.
fn child_bodies(stmt: &Stmt) -> Vec<&[Stmt]> {
    match stmt {
        Stmt::FunctionDef(f) => vec![&f.body[..]],
        Stmt::ClassDef(c) => vec![&c.body[..]],
        Stmt::If(i) => std::iter::once(&i.body[..]).chain(i.elif_else_clauses.iter().map(|c| &c.body[..])).collect(),
        Stmt::For(f) => vec![&f.body[..], &f.orelse[..]],
        Stmt::While(w) => vec![&w.body[..], &w.orelse[..]],
        Stmt::With(w) => vec![&w.body[..]],
        Stmt::Try(t) => {
            let handlers = t.handlers.iter().map(|h| match h {
                ast::ExceptHandler::ExceptHandler(h) => &h.body[..],
            });
            std::iter::once(&t.body[..]).chain(handlers).chain([&t.orelse[..], &t.finalbody[..]]).collect()
        }
        Stmt::Match(m) => m.cases.iter().map(|c| &c.body[..]).collect(),
        _ => Vec::new(),
    }
}

/// The sites of a file that may report a change made only of calls: those on its changed
/// lines, and those that name something the changed calls can reach or be reached from.
pub(crate) struct Narrowed<'a> {
    source: &'a SourceText,
    lines: &'a [u32],
    /// Names written on the changed calls and, closed over the file, every name bound from one
    /// of them (the functions and classes around the calls among them).
    names: FxHashSet<&'a str>,
}

impl<'a> Narrowed<'a> {
    /// `None` when the change is not made only of calls ([`calls_only`]), or the names do not
    /// settle in [`MAX_ROUNDS`] rounds: every site is kept.
    pub(crate) fn new(source: &'a SourceText, module: &'a ParsedModule, lines: &'a [u32]) -> Option<Self> {
        let changed = changed_calls(source, module, lines)?;
        // The functions and classes around the calls follow: they read the calls' names.
        let mut names: FxHashSet<&str> = changed.calls.iter().flat_map(|stmt| idents_of_stmt(stmt)).collect();
        let bindings = Bindings::of(module.body());
        // A function may come back under another name through another module (a package that
        // re-exports it, an import cycle): every site naming an import is kept.
        if changed.inside_definitions {
            names.extend(bindings.imported.iter().copied());
        }
        for _ in 0..MAX_ROUNDS {
            let before = names.len();
            for (targets, reads) in &bindings.pairs {
                if reads.iter().any(|r| names.contains(r)) {
                    names.extend(targets.iter().copied());
                }
            }
            if names.len() == before {
                return Some(Narrowed { source, lines, names });
            }
        }
        None
    }

    /// Whether a site may report the change.
    pub(crate) fn keeps(&self, site: &Site<'_>) -> bool {
        let (start, end, names) = match site {
            Site::Call(c) => (c.start(), c.end(), idents_of_call(c)),
            Site::Assign { target, value } => {
                (target.start(), value.end(), idents_of_expr(target).into_iter().chain(idents_of_expr(value)).collect())
            }
            Site::DictKey { key, value } => {
                (key.start(), value.end(), idents_of_expr(key).into_iter().chain(idents_of_expr(value)).collect())
            }
            Site::Keyword { call, .. } => (call.start(), call.end(), idents_of_call(call)),
        };
        self.touches(start.to_usize(), end.to_usize()) || names.iter().any(|n| self.names.contains(n))
    }

    /// Whether the class (its sites run for inherited methods) may report the change.
    pub(crate) fn keeps_class(&self, class: &ast::StmtClassDef) -> bool {
        self.touches(class.start().to_usize(), class.end().to_usize()) || self.names.contains(class.name.as_str())
    }

    fn touches(&self, start: usize, end: usize) -> bool {
        let first = self.source.line_of(start);
        let last = self.source.line_of(end.saturating_sub(1).max(start));
        let from = self.lines.partition_point(|&l| (l as usize) < first);
        self.lines.get(from).is_some_and(|&l| l as usize <= last)
    }
}

fn defined_name(stmt: &Stmt) -> Option<&str> {
    match stmt {
        Stmt::FunctionDef(f) => Some(f.name.as_str()),
        Stmt::ClassDef(c) => Some(c.name.as_str()),
        _ => None,
    }
}

/// Every binding of a file, as the names it binds and the names its value reads: assignments,
/// loop and `with` targets, imports, `:=`, match captures, and functions and classes (bound
/// from everything their bodies read).
#[derive(Default)]
struct Bindings<'a> {
    pairs: Vec<(Vec<&'a str>, Vec<&'a str>)>,
    /// The names import statements write.
    imported: Vec<&'a str>,
}

impl<'a> Bindings<'a> {
    fn of(body: &'a [Stmt]) -> Self {
        let mut bindings = Bindings::default();
        for stmt in body {
            bindings.visit_stmt(stmt);
        }
        bindings
    }

    fn add(&mut self, targets: Vec<&'a str>, reads: Vec<&'a str>) {
        if !targets.is_empty() && !reads.is_empty() {
            self.pairs.push((targets, reads));
        }
    }

    /// Each parameter is bound from its default (`def run(f=helper)`).
    fn parameters(&mut self, parameters: &'a ast::Parameters) {
        for p in parameters.iter_non_variadic_params() {
            if let Some(default) = &p.default {
                self.add(vec![p.parameter.name.as_str()], idents_of_expr(default));
            }
        }
    }
}

impl<'a> Visitor<'a> for Bindings<'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::Assign(a) => {
                let targets = a.targets.iter().flat_map(idents_of_expr).collect();
                self.add(targets, idents_of_expr(&a.value));
            }
            Stmt::AugAssign(a) => {
                let mut reads = idents_of_expr(&a.value);
                reads.extend(idents_of_expr(&a.target));
                self.add(idents_of_expr(&a.target), reads);
            }
            Stmt::AnnAssign(a) => {
                if let Some(value) = &a.value {
                    self.add(idents_of_expr(&a.target), idents_of_expr(value));
                }
            }
            Stmt::TypeAlias(t) => self.add(idents_of_expr(&t.name), idents_of_expr(&t.value)),
            Stmt::For(f) => self.add(idents_of_expr(&f.target), idents_of_expr(&f.iter)),
            Stmt::With(w) => {
                for item in &w.items {
                    if let Some(vars) = &item.optional_vars {
                        self.add(idents_of_expr(vars), idents_of_expr(&item.context_expr));
                    }
                }
            }
            Stmt::Import(_) | Stmt::ImportFrom(_) => {
                self.imported.extend(names_of_project_imports(stmt));
                let all = idents_of_stmt(stmt);
                self.add(all.clone(), all);
            }
            Stmt::FunctionDef(f) => {
                self.parameters(&f.parameters);
                self.add(vec![f.name.as_str()], idents_of_stmt(stmt));
            }
            Stmt::ClassDef(_) => {
                let name = defined_name(stmt).into_iter().collect();
                self.add(name, idents_of_stmt(stmt));
            }
            Stmt::Match(m) => {
                let mut captures = Idents::default();
                for case in &m.cases {
                    captures.visit_pattern(&case.pattern);
                }
                self.add(captures.0, idents_of_expr(&m.subject));
            }
            _ => {}
        }
        walk_stmt(self, stmt);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            Expr::Named(n) => self.add(idents_of_expr(&n.target), idents_of_expr(&n.value)),
            Expr::Lambda(l) => {
                if let Some(parameters) = &l.parameters {
                    self.parameters(parameters);
                }
            }
            _ => {}
        }
        walk_expr(self, expr);
    }
}

/// The names an import binds from modules that may be of the project: the analysis resolves
/// no name of a library the catalogue knows into the project.
fn names_of_project_imports(stmt: &Stmt) -> Vec<&str> {
    fn bound(alias: &ast::Alias) -> &str {
        alias.asname.as_ref().unwrap_or(&alias.name).as_str()
    }
    match stmt {
        Stmt::Import(i) => i
            .names
            .iter()
            .filter(|a| !catalogue::knows(a.name.as_str()))
            .map(|a| if a.asname.is_some() { bound(a) } else { a.name.split('.').next().unwrap_or_default() })
            .collect(),
        Stmt::ImportFrom(i) => {
            let module = i.module.as_ref().map_or("", ast::Identifier::as_str);
            if i.level == 0 && catalogue::knows(module) {
                return Vec::new();
            }
            i.names.iter().map(bound).collect()
        }
        _ => Vec::new(),
    }
}

/// The names an expression writes: variables, attributes and keyword names.
fn idents_of_expr(expr: &Expr) -> Vec<&str> {
    let mut idents = Idents::default();
    idents.visit_expr(expr);
    idents.0
}

fn idents_of_call(call: &ast::ExprCall) -> Vec<&str> {
    let mut idents = Idents::default();
    idents.visit_expr(&call.func);
    idents.visit_arguments(&call.arguments);
    idents.0
}

/// The names a statement writes, all of its parts included.
fn idents_of_stmt(stmt: &Stmt) -> Vec<&str> {
    let mut idents = Idents::default();
    idents.visit_stmt(stmt);
    idents.0
}

#[derive(Default)]
struct Idents<'a>(Vec<&'a str>);

impl<'a> Visitor<'a> for Idents<'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::FunctionDef(f) => self.0.push(f.name.as_str()),
            Stmt::ClassDef(c) => self.0.push(c.name.as_str()),
            Stmt::Global(g) => self.0.extend(g.names.iter().map(ast::Identifier::as_str)),
            Stmt::Nonlocal(n) => self.0.extend(n.names.iter().map(ast::Identifier::as_str)),
            Stmt::ImportFrom(i) => {
                if let Some(module) = &i.module {
                    self.0.extend(module.as_str().split('.'));
                }
            }
            _ => {}
        }
        walk_stmt(self, stmt);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            Expr::Name(n) => self.0.push(n.id.as_str()),
            Expr::Attribute(a) => self.0.push(a.attr.as_str()),
            _ => {}
        }
        walk_expr(self, expr);
    }

    fn visit_keyword(&mut self, keyword: &'a ast::Keyword) {
        if let Some(arg) = &keyword.arg {
            self.0.push(arg.as_str());
        }
        walk_keyword(self, keyword);
    }

    fn visit_parameter(&mut self, parameter: &'a ast::Parameter) {
        self.0.push(parameter.name.as_str());
        walk_parameter(self, parameter);
    }

    fn visit_alias(&mut self, alias: &'a ast::Alias) {
        self.0.extend(alias.name.as_str().split('.'));
        if let Some(asname) = &alias.asname {
            self.0.push(asname.as_str());
        }
    }

    fn visit_pattern(&mut self, pattern: &'a Pattern) {
        match pattern {
            Pattern::MatchAs(p) => self.0.extend(p.name.as_ref().map(ast::Identifier::as_str)),
            Pattern::MatchStar(p) => self.0.extend(p.name.as_ref().map(ast::Identifier::as_str)),
            Pattern::MatchMapping(p) => self.0.extend(p.rest.as_ref().map(ast::Identifier::as_str)),
            _ => {}
        }
        walk_pattern(self, pattern);
    }
}
