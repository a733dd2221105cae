//! The single pass over the tree that builds the [`Index`].
//!
//! It records scopes and blocks (so that reassignment can be judged), every binding of a name,
//! classes with their `self.x` attributes, function returns, argparse and click defaults, and the
//! sites where a bind may happen (calls, assignments, dict keys, keyword arguments). Recursion is
//! bounded: nesting deeper than [`MAX_DEPTH`] is not descended into.
//!
//! Most parsed files turn out to hold no finding, so the first pass records only what finding one
//! needs; who else reads a name matters only to a fix, and [`Uses::Counted`] records it in a
//! second pass over the files that have findings.

mod expr;

use crate::python::Ranged;
use crate::python::ast::{self, Expr, Stmt};

use super::cli::{canonical_module, cli_options};
use super::index::{
    BindKind, Binding, ClassId, ClassInfo, Ctx, FuncId, FuncInfo, Index, ModId, NO_FRAME, Owner, Param, Scope,
    ScopeItems, Site,
};

/// Nesting deeper than this is not walked, and the index says so ([`Index::too_deep`]): the
/// analysis of such a module is incomplete and reported as such. `CPython` itself refuses far
/// shallower nesting, so real code never gets here.
pub(crate) const MAX_DEPTH: u32 = 1000;

/// What the rule wants recorded beyond calls: keyword arguments with these names are sites.
pub(crate) trait Interest {
    fn is_config_name(&self, name: &str) -> bool;
}

/// Whether to record reads of names and attributes and who holds each assigned value.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Uses {
    Skipped,
    Counted,
}

pub(crate) fn collect<'a>(body: &'a [Stmt], module: ModId, uses: Uses, interest: &dyn Interest) -> Index<'a> {
    let mut c = Collector {
        ix: Index { module, ..Index::default() },
        uses,
        interest,
        module,
        scope: 0,
        block: 0,
        class: None,
        func: None,
        this: None,
        depth: 0,
        test_data: 0,
    };
    c.ix.scopes.push(Scope { parent: None, is_class: false, root: 0, func: None, class: None });
    c.ix.in_scope.push(ScopeItems::default());
    c.ix.blocks.push(None);
    c.suite(body);
    c.ix
}

struct Collector<'a, 'i> {
    ix: Index<'a>,
    /// Inside code a test expects to fail (`with pytest.raises(…)`, `assertRaises(…)`) or test
    /// parameters: values there are test data, and no sites are recorded.
    uses: Uses,
    interest: &'i dyn Interest,
    module: ModId,
    scope: u32,
    block: u32,
    /// The class whose body is being walked.
    class: Option<ClassId>,
    func: Option<FuncId>,
    /// The `self` parameter of the method being walked, and its class.
    this: Option<(&'a str, ClassId)>,
    depth: u32,
    test_data: u32,
}

/// `pytest.raises(…)`, `self.assertRaises(…)`, `pytest.mark.parametrize(…)`: what they hold is
/// test data (spec §4).
pub(super) fn is_test_data_call(e: &Expr) -> bool {
    let Expr::Call(c) = e else { return false };
    let name = match &*c.func {
        Expr::Attribute(a) => a.attr.as_str(),
        Expr::Name(n) => n.id.as_str(),
        _ => return false,
    };
    matches!(name, "raises" | "assertRaises" | "assertRaisesRegex" | "assertRaisesRegexp" | "parametrize")
}

/// Where an assignment target's value comes from.
#[derive(Clone, Copy)]
enum Src<'a> {
    Value(&'a Expr),
    Iter(&'a Expr),
}

fn pos(node: &impl Ranged) -> u32 {
    node.start().to_u32()
}

fn end(node: &impl Ranged) -> u32 {
    node.end().to_u32()
}

impl<'a> Collector<'a, '_> {
    fn ctx(&self, at: u32) -> Ctx {
        Ctx { module: self.module, scope: self.scope, block: self.block, pos: at, frame: NO_FRAME }
    }

    fn bind(&mut self, name: &'a str, kind: BindKind<'a>, at: u32, anywhere: bool) -> usize {
        let id = self.ix.bindings.len();
        self.ix.bindings.push(Binding { name, kind, ctx: self.ctx(at), anywhere });
        self.ix.by_name.entry((self.scope, name)).or_default().push(id);
        self.ix.in_scope[self.scope as usize].bindings.push(id);
        if let Some(class) = self.class {
            self.ix.class_attrs.entry((class, name)).or_default().push(id);
        }
        id
    }

    fn site(&mut self, site: Site<'a>, ctx: Ctx) {
        if self.test_data == 0 {
            self.ix.in_scope[ctx.scope as usize].sites.push(self.ix.sites.len());
            self.ix.sites.push((site, ctx));
        }
    }

    fn suite(&mut self, body: &'a [Stmt]) {
        for s in body {
            self.stmt(s);
        }
    }

    /// Walks `body` in a new block nested in the current one.
    fn branch(&mut self, body: &'a [Stmt]) {
        self.guarded_branch(body, None);
    }

    /// Walks `body` in a new block that runs only when `test` is true.
    fn guarded_branch(&mut self, body: &'a [Stmt], test: Option<&'a Expr>) {
        let saved = self.block;
        self.block = self.ix.blocks.len() as u32;
        self.ix.blocks.push(Some(saved));
        if let Some(test) = test {
            self.ix.block_tests.insert(self.block, test);
        }
        self.suite(body);
        self.block = saved;
    }

    fn stmt(&mut self, s: &'a Stmt) {
        if self.depth > MAX_DEPTH {
            self.ix.too_deep = true;
            return;
        }
        self.depth += 1;
        self.stmt_inner(s);
        self.depth -= 1;
    }

    fn stmt_inner(&mut self, s: &'a Stmt) {
        match s {
            Stmt::FunctionDef(f) => self.function(f),
            Stmt::ClassDef(c) => self.class_def(c),
            Stmt::Assign(a) => {
                self.expr(&a.value);
                for t in &a.targets {
                    self.assign_site(t, &a.value);
                    self.target(t, Src::Value(&a.value), Vec::new(), end(s));
                }
            }
            Stmt::AnnAssign(a) => {
                self.expr(&a.annotation);
                if let Some(v) = &a.value {
                    self.expr(v);
                    self.assign_site(&a.target, v);
                    self.target(&a.target, Src::Value(v), Vec::new(), end(s));
                }
            }
            Stmt::AugAssign(a) => {
                self.expr(&a.target);
                self.expr(&a.value);
            }
            Stmt::For(f) => {
                self.expr(&f.iter);
                self.target(&f.target, Src::Iter(&f.iter), Vec::new(), end(&*f.target));
                self.branch(&f.body);
                self.branch(&f.orelse);
            }
            Stmt::While(w) => {
                self.expr(&w.test);
                self.branch(&w.body);
                self.branch(&w.orelse);
            }
            Stmt::If(i) => {
                self.expr(&i.test);
                self.guarded_branch(&i.body, Some(&i.test));
                for clause in &i.elif_else_clauses {
                    if let Some(t) = &clause.test {
                        self.expr(t);
                    }
                    self.branch(&clause.body);
                }
            }
            Stmt::With(w) => {
                for item in &w.items {
                    self.expr(&item.context_expr);
                    if let Some(Expr::Name(n)) = item.optional_vars.as_deref() {
                        self.bind(n.id.as_str(), BindKind::WithAs(&item.context_expr), end(n), false);
                    }
                }
                let expects_failure = w.items.iter().any(|i| is_test_data_call(&i.context_expr));
                self.test_data += u32::from(expects_failure);
                self.suite(&w.body);
                self.test_data -= u32::from(expects_failure);
            }
            Stmt::Match(m) => {
                self.expr(&m.subject);
                for case in &m.cases {
                    if let Some(g) = &case.guard {
                        self.expr(g);
                    }
                    self.branch(&case.body);
                }
            }
            Stmt::Try(t) => {
                self.branch(&t.body);
                for ast::ExceptHandler::ExceptHandler(h) in &t.handlers {
                    self.branch(&h.body);
                }
                self.branch(&t.orelse);
                self.suite(&t.finalbody);
            }
            Stmt::Return(r) => self.return_value(r, pos(s)),
            Stmt::Import(i) => self.import(i, end(s)),
            Stmt::ImportFrom(i) => self.import_from(i, end(s)),
            Stmt::Expr(e) => self.expr(&e.value),
            Stmt::Raise(r) => {
                for e in r.exc.iter().chain(r.cause.iter()) {
                    self.expr(e);
                }
            }
            Stmt::Assert(a) => self.expr(&a.test),
            Stmt::Delete(_) | Stmt::TypeAlias(_) | Stmt::Global(_) | Stmt::Nonlocal(_) => {}
            Stmt::Pass(_) | Stmt::Break(_) | Stmt::Continue(_) | Stmt::IpyEscapeCommand(_) => {}
        }
    }

    /// A function's returned values feed the simple-helper flow (`def host(): return '0.0.0.0'`).
    fn return_value(&mut self, r: &'a ast::StmtReturn, at: u32) {
        let Some(v) = &r.value else { return };
        self.expr(v);
        if let Some(f) = self.func {
            let ctx = self.ctx(at);
            self.ix.funcs[f as usize].returns.push((v, ctx));
        }
    }

    /// `import a.b` binds `a`; `import a.b as c` binds `c` to `a.b`.
    fn import(&mut self, i: &'a ast::StmtImport, at: u32) {
        for alias in &i.names {
            if let Some(as_) = &alias.asname {
                self.bind(as_.as_str(), BindKind::Import(canonical_module(alias.name.as_str())), at, false)
            } else {
                let root = alias.name.as_str().split('.').next().unwrap_or_default();
                self.bind(root, BindKind::Import(canonical_module(root)), at, false)
            };
        }
    }

    /// `from m import x as y` binds `y` to `m.x` (relative modules keep their leading dot).
    fn import_from(&mut self, i: &'a ast::StmtImportFrom, at: u32) {
        let module = i.module.as_ref().map(ruff_python_ast::Identifier::as_str).unwrap_or_default();
        let dots = ".".repeat(i.level as usize);
        let base = if i.level > 0 { format!("{dots}{module}") } else { canonical_module(module) };
        for alias in &i.names {
            let local = alias.asname.as_ref().unwrap_or(&alias.name).as_str();
            let name = alias.name.as_str();
            let qualified = if module.is_empty() { format!("{base}{name}") } else { format!("{base}.{name}") };
            let qualified = if i.level > 0 { qualified } else { canonical_module(&qualified) };
            self.bind(local, BindKind::Import(qualified), at, false);
        }
    }

    fn function(&mut self, f: &'a ast::StmtFunctionDef) {
        for d in &f.decorator_list {
            self.expr(&d.expression);
        }
        let options = cli_options(f);
        for p in f.parameters.iter_non_variadic_params() {
            if let Some(d) = p.default() {
                self.expr(d);
            }
        }
        let id = self.ix.funcs.len() as FuncId;
        let method_of = self.class;
        let ctx = self.ctx(pos(f));
        self.ix.funcs.push(FuncInfo { def: f, ctx, scope: 0, returns: Vec::new() });
        if let Some(class) = method_of {
            self.ix.classes[class as usize].methods.push((f.name.as_str(), id));
        }
        let saved = (self.scope, self.block, self.class, self.func, self.this);
        self.bind(f.name.as_str(), BindKind::Func(id), pos(f), false);
        self.enter_scope(false, Some(id), method_of);
        self.ix.funcs[id as usize].scope = self.scope;
        self.func = Some(id);
        let is_static =
            f.decorator_list.iter().any(|d| matches!(&d.expression, Expr::Name(n) if n.id.as_str() == "staticmethod"));
        let positional = f.parameters.posonlyargs.len() + f.parameters.args.len();
        for (i, p) in f.parameters.iter_non_variadic_params().enumerate() {
            let name = p.name().as_str();
            let is_self = method_of.filter(|_| i == 0 && !is_static);
            if let Some(class) = is_self {
                self.this = Some((name, class));
            }
            let kind = BindKind::Param(Param {
                func: id,
                position: (i < positional).then_some(i as u32),
                name,
                default: p.default(),
                annotation: p.parameter.annotation.as_deref(),
                option: options.get(name).copied(),
                is_self,
            });
            self.bind(name, kind, pos(f), false);
        }
        if let Some(args) = &f.parameters.vararg {
            self.bind(args.name.as_str(), BindKind::Variadic { func: id, keywords: false }, pos(f), false);
        }
        if let Some(kwargs) = &f.parameters.kwarg {
            self.bind(kwargs.name.as_str(), BindKind::Variadic { func: id, keywords: true }, pos(f), false);
        }
        self.suite(&f.body);
        (self.scope, self.block, self.class, self.func, self.this) = saved;
    }

    fn class_def(&mut self, c: &'a ast::StmtClassDef) {
        for d in &c.decorator_list {
            self.expr(&d.expression);
        }
        if let Some(args) = &c.arguments {
            for a in &args.args {
                self.expr(a);
            }
        }
        let id = self.ix.classes.len() as ClassId;
        self.ix.classes.push(ClassInfo { def: c, ctx: self.ctx(pos(c)), methods: Vec::new() });
        let saved = (self.scope, self.block, self.class, self.func, self.this);
        self.bind(c.name.as_str(), BindKind::Class(id), pos(c), false);
        self.enter_scope(true, None, Some(id));
        self.class = Some(id);
        self.this = None;
        self.suite(&c.body);
        (self.scope, self.block, self.class, self.func, self.this) = saved;
    }

    fn enter_scope(&mut self, is_class: bool, func: Option<FuncId>, class: Option<ClassId>) {
        let root = self.ix.blocks.len() as u32;
        self.ix.blocks.push(None);
        self.ix.scopes.push(Scope { parent: Some(self.scope), is_class, root, func, class });
        self.ix.in_scope.push(ScopeItems::default());
        self.scope = self.ix.scopes.len() as u32 - 1;
        self.block = root;
        if !is_class {
            self.class = None;
        }
    }

    fn assign_site(&mut self, target: &'a Expr, value: &'a Expr) {
        if matches!(target, Expr::Name(_) | Expr::Attribute(_)) {
            let ctx = self.ctx(pos(target));
            self.site(Site::Assign { target, value }, ctx);
            if self.uses == Uses::Skipped {
                return;
            }
            let owner = match target {
                Expr::Name(n) => Owner::Name(self.scope, n.id.as_str()),
                Expr::Attribute(a) => Owner::Attr(a.attr.as_str()),
                _ => return,
            };
            self.ix.owners.push((super::strings::range(value), owner));
        }
    }

    /// Binds the names in an assignment target; `path` indexes into unpacked tuples.
    fn target(&mut self, t: &'a Expr, src: Src<'a>, path: Vec<u32>, at: u32) {
        match t {
            Expr::Name(n) => {
                let kind = bind_kind(src, path);
                self.bind(n.id.as_str(), kind, at, false);
            }
            Expr::Tuple(ast::ExprTuple { elts, .. }) | Expr::List(ast::ExprList { elts, .. }) => {
                for (i, e) in elts.iter().enumerate() {
                    let mut p = path.clone();
                    p.push(i as u32);
                    self.target(e, src, p, at);
                }
            }
            Expr::Attribute(a) => {
                self.expr(&a.value);
                match &*a.value {
                    Expr::Name(n) => self.attribute_target(n.id.as_str(), a.attr.as_str(), bind_kind(src, path), at),
                    Expr::Attribute(outer) => self.nested_target(outer, a.attr.as_str(), bind_kind(src, path), at),
                    _ => {}
                }
            }
            Expr::Subscript(sub) => {
                self.expr(t);
                if let (Expr::Name(n), Expr::StringLiteral(key)) = (&*sub.value, &*sub.slice) {
                    let id = self.ix.bindings.len();
                    let kind = bind_kind(src, path);
                    self.ix.bindings.push(Binding {
                        name: key.value.to_str(),
                        kind,
                        ctx: self.ctx(at),
                        anywhere: false,
                    });
                    self.ix.item_stores.entry((self.scope, n.id.as_str())).or_default().push((key.value.to_str(), id));
                }
            }
            other => self.expr(other),
        }
    }

    /// `self.attr = …` is an attribute of the class (visible in every method); `obj.attr = …`
    /// on another name is remembered for reads of `obj.attr` in the same scope.
    fn attribute_target(&mut self, name: &'a str, attr: &'a str, kind: BindKind<'a>, at: u32) {
        let id = self.ix.bindings.len();
        match self.this {
            Some((this, class)) if this == name => {
                self.ix.bindings.push(Binding { name: attr, kind, ctx: self.ctx(at), anywhere: true });
                self.ix.class_attrs.entry((class, attr)).or_default().push(id);
            }
            _ => {
                self.ix.bindings.push(Binding { name: attr, kind, ctx: self.ctx(at), anywhere: false });
                self.ix.object_attrs.entry((self.scope, name, attr)).or_default().push(id);
            }
        }
    }
}

impl<'a> Collector<'a, '_> {
    /// `self.params.host = …` in a method: remembered for reads of `self.params.host` in any
    /// method of the class (the object `self.params` holds is the class's own).
    fn nested_target(&mut self, outer: &'a ast::ExprAttribute, attr: &'a str, kind: BindKind<'a>, at: u32) {
        let Some((this, class)) = self.this else { return };
        if !matches!(&*outer.value, Expr::Name(n) if n.id.as_str() == this) {
            return;
        }
        let id = self.ix.bindings.len();
        self.ix.bindings.push(Binding { name: attr, kind, ctx: self.ctx(at), anywhere: true });
        self.ix.nested_attrs.entry((class, outer.attr.as_str(), attr)).or_default().push(id);
    }
}

fn bind_kind(src: Src<'_>, path: Vec<u32>) -> BindKind<'_> {
    match (src, path.is_empty()) {
        (Src::Value(v), true) => BindKind::Value(v),
        (Src::Value(v), false) => BindKind::Unpack(v, path),
        (Src::Iter(v), _) => BindKind::Iter(v, path),
    }
}
