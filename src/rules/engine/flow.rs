//! Data flow: the values an expression can have, as far as literals decide them.
//!
//! Names are followed to the bindings that can reach the use ([`super::index::Index::reaching`]),
//! into other modules of the project through imports, and into helpers' returns. A parameter
//! has its default, plus — inside a frame ([`super::frames`]) — the values the call passes for
//! it. Tuples, lists and dicts keep their elements; `+`, `%`, `str.format` and f-strings build
//! strings piece by piece; `or`, conditional expressions and branches contribute every
//! alternative; configuration lookups (`os.environ.get`, `getenv`, `getattr`, `dict.get`,
//! argparse and click defaults) yield their defaults. Work is bounded by depth, alternatives,
//! elements and a budget; reaching a bound is recorded ([`State::hit`]) so that the analysis of
//! the file is reported as incomplete rather than clean.

use crate::python::ast::{self, Expr, FStringPart, InterpolatedStringElement, Operator};

use super::frames::{ArgFor, ArgVal, CallArgs, Frame, MAX_FRAMES, This, argument_for};
use super::guards;
use super::index::{BindKind, Binding, ClassKey, Ctx, FuncKey, Index, ModId, NO_FRAME, Param, Site};
use super::program::Need;
use super::resolve::{Resolver, Ty};
use super::state::{Limit, State};
use super::strings::{self, SymStr};
use super::values::{
    Field, MAX_ALTS, Part, Val, elements, format_fields_owned, index_path, is_lookup, key_text, lookup,
    percent_fields_owned, push_piece, slice_piece, strs_of, truthy,
};

/// How deep one expression's evaluation nests (names, operands, calls).
const MAX_DEPTH: u32 = 500;
/// Elements kept of one literal tuple, list, set or dict.
const MAX_ELEMS: usize = 4096;

pub(crate) struct Flow<'s, 'x, 'p> {
    pub st: &'s State<'x, 'p>,
    pub res: Resolver<'s, 'x, 'p>,
}

impl<'s, 'x, 'p> Flow<'s, 'x, 'p> {
    pub(crate) fn new(st: &'s State<'x, 'p>) -> Self {
        Flow { st, res: Resolver { st } }
    }

    pub(crate) fn eval(&self, e: &'p Expr, ctx: Ctx, depth: u32) -> Vec<Val<'p>> {
        if depth > MAX_DEPTH {
            self.st.hit(Limit::Nesting);
            return Vec::new();
        }
        if !self.st.spend() {
            return Vec::new();
        }
        let mut out = self.eval_inner(e, ctx, depth + 1);
        self.cap(&mut out);
        out
    }

    /// Keeps at most [`MAX_ALTS`] alternatives, recording when some are dropped.
    fn cap<T>(&self, vals: &mut Vec<T>) {
        if vals.len() > MAX_ALTS {
            self.st.hit(Limit::Alternatives);
            vals.truncate(MAX_ALTS);
        }
    }

    /// Only the string alternatives of `e`.
    pub(crate) fn strs(&self, e: &'p Expr, ctx: Ctx, depth: u32) -> Vec<SymStr<'p>> {
        strs_of(self.eval(e, ctx, depth))
    }

    fn eval_inner(&self, e: &'p Expr, ctx: Ctx, depth: u32) -> Vec<Val<'p>> {
        match e {
            Expr::StringLiteral(_) | Expr::BytesLiteral(_) => {
                strings::literal(e, self.st.text(ctx.module), ctx.module).map(Val::Str).into_iter().collect()
            }
            Expr::FString(f) => self.fstring(e, f, ctx, depth).into_iter().map(Val::Str).collect(),
            Expr::Tuple(ast::ExprTuple { elts, .. })
            | Expr::List(ast::ExprList { elts, .. })
            | Expr::Set(ast::ExprSet { elts, .. }) => vec![Val::Seq(self.elements(elts, ctx, depth))],
            Expr::Dict(d) => vec![Val::Dict(self.dict(d, ctx, depth))],
            Expr::Name(n) => self.name(n.id.as_str(), ctx, depth),
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
            Expr::Await(a) => self.eval(&a.value, ctx, depth),
            _ => Vec::new(),
        }
    }

    fn elements(&self, elts: &'p [Expr], ctx: Ctx, depth: u32) -> Vec<Vec<Val<'p>>> {
        if elts.len() > MAX_ELEMS {
            self.st.hit(Limit::Elements);
        }
        elts.iter()
            .take(MAX_ELEMS)
            .map(|x| if matches!(x, Expr::Starred(_)) { Vec::new() } else { self.eval(x, ctx, depth) })
            .collect()
    }

    fn dict(&self, d: &'p ast::ExprDict, ctx: Ctx, depth: u32) -> Vec<(Option<String>, Vec<Val<'p>>)> {
        if d.items.len() > MAX_ELEMS {
            self.st.hit(Limit::Elements);
        }
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

    /// A name's values at `ctx`, less the empty ones an `if` rules out: inside `if name:`, or
    /// after `if not name: name = …` (the empty value was replaced).
    fn name(&self, name: &str, ctx: Ctx, depth: u32) -> Vec<Val<'p>> {
        let ix = self.st.index(ctx.module);
        let reaching = ix.reaching(name, ctx);
        let replaced: Vec<bool> = reaching
            .iter()
            .map(|b| {
                ix.block_tests
                    .get(&b.ctx.block)
                    .is_some_and(|test| guards::says_empty(test, guards::Subject::Name(name)))
            })
            .collect();
        let inside = ix.conditions(ctx.block).iter().any(|test| guards::says_not_empty(test, name));
        let any_replaced = replaced.iter().any(|r| *r);
        let mut out = Vec::new();
        for (b, replaces) in reaching.into_iter().zip(replaced) {
            let vals = self.binding(b, ctx, depth);
            let drop_empty = inside || any_replaced && !replaces;
            out.extend(vals.into_iter().filter(|v| !drop_empty || truthy(v)));
            if out.len() > MAX_ALTS {
                break;
            }
        }
        if !ix.item_stores.is_empty() {
            self.add_item_stores(name, ctx, depth, &mut out);
        }
        self.cap(&mut out);
        out
    }

    /// `kw['host'] = …` before the use: entries of the dict `kw` holds (or a dict of them alone
    /// when nothing else is known of `kw`). A store that runs whenever the use does replaces
    /// the entry; one in a branch adds to it.
    fn add_item_stores(&self, name: &str, ctx: Ctx, depth: u32, out: &mut Vec<Val<'p>>) {
        let ix = self.st.index(ctx.module);
        let mut entries: Vec<(String, bool, Vec<Val<'p>>)> = Vec::new();
        for (key, bs) in ix.item_stores(name, ctx) {
            let replaces = bs.iter().any(|b| b.ctx.pos < ctx.pos && ix.encloses(b.ctx.block, ctx.block));
            let vals = self.bindings(bs, ctx, depth);
            entries.push((key.to_owned(), replaces, vals));
        }
        if entries.is_empty() {
            return;
        }
        let mut extended = false;
        for v in out.iter_mut() {
            if let Val::Dict(known) = v {
                for (key, replaces, vals) in &entries {
                    if *replaces {
                        known.retain(|(k, _)| k.as_deref() != Some(key.as_str()));
                    }
                    known.push((Some(key.clone()), vals.clone()));
                }
                extended = true;
            }
        }
        if !extended {
            out.push(Val::Dict(entries.into_iter().map(|(key, _, vals)| (Some(key), vals)).collect()));
        }
    }

    /// The values of the bindings that reach a use at `at`.
    pub(crate) fn bindings(&self, bs: Vec<&'p Binding<'p>>, at: Ctx, depth: u32) -> Vec<Val<'p>> {
        let mut out: Vec<Val<'p>> = Vec::new();
        for b in bs {
            out.extend(self.binding(b, at, depth));
            if out.len() > MAX_ALTS {
                break;
            }
        }
        self.cap(&mut out);
        out
    }

    /// A binding's values in the frame of `at`. Re-entering a binding already being evaluated
    /// in that frame would repeat the same work forever: its value there is what the other
    /// bindings give, as for a loop's first pass.
    fn binding(&self, b: &'p Binding<'p>, at: Ctx, depth: u32) -> Vec<Val<'p>> {
        let key = (std::ptr::from_ref(b) as usize, at.frame);
        if self.st.evaluating.borrow().contains(&key) {
            return Vec::new();
        }
        self.st.evaluating.borrow_mut().push(key);
        let vals = self.binding_values(b, at, depth);
        self.st.evaluating.borrow_mut().pop();
        vals
    }

    fn binding_values(&self, b: &'p Binding<'p>, at: Ctx, depth: u32) -> Vec<Val<'p>> {
        let ctx = b.ctx.in_frame(at.frame);
        match &b.kind {
            BindKind::Value(v) => self.eval(v, ctx, depth),
            BindKind::Unpack(v, path) => index_path(self.eval(v, ctx, depth), path),
            BindKind::Iter(v, path) => {
                let items = self.eval(v, ctx, depth).into_iter().flat_map(|val| match val {
                    Val::Seq(elems) => elems.into_iter().flatten().collect(),
                    _ => Vec::new(),
                });
                index_path(items.collect(), path)
            }
            BindKind::Param(p) => self.param(p, ctx, depth),
            BindKind::Import(q) => self.imported(q, ctx, depth),
            BindKind::Variadic { func, keywords: true } => {
                self.extra_keywords(FuncKey { module: ctx.module, func: *func }, b.name, ctx, depth)
            }
            _ => Vec::new(),
        }
    }

    /// `**kwargs` of `func`: the keyword arguments the enclosing call passes that no named
    /// parameter takes, as a dict (`_create(MasterRunner, host='*')` forwarding `**kwargs`).
    /// Without a call, a summary being computed learns that a site reads them.
    fn extra_keywords(&self, func: FuncKey, name: &'p str, ctx: Ctx, depth: u32) -> Vec<Val<'p>> {
        let args = {
            let frames = self.st.frames.borrow();
            frames.find(ctx.frame, func).and_then(|id| frames.get(id)).map(|frame| frame.args.clone())
        };
        let Some(args) = args else {
            self.st.touch(func, name);
            return Vec::new();
        };
        let params = &self.st.index(func.module).funcs[func.func as usize].def.parameters;
        let named = |key: &str| params.iter_non_variadic_params().any(|p| p.name().as_str() == key);
        let mut entries: Vec<(Option<String>, Vec<Val<'p>>)> = args
            .keywords
            .into_iter()
            .filter(|(key, _)| !named(key))
            .map(|(key, arg)| (Some(key.to_owned()), self.arg(arg, depth)))
            .collect();
        for splat in args.splats {
            for v in self.arg(splat, depth) {
                if let Val::Dict(known) = v {
                    entries.extend(known.into_iter().filter(|(key, _)| !key.as_deref().is_some_and(named)));
                }
            }
        }
        vec![Val::Dict(entries)]
    }

    /// A parameter: what the enclosing call passes for it, else its defaults. Without a call,
    /// a summary being computed learns that the sink reads this parameter.
    fn param(&self, p: &'p Param<'p>, ctx: Ctx, depth: u32) -> Vec<Val<'p>> {
        let func = FuncKey { module: ctx.module, func: p.func };
        match self.passed(func, p, ctx) {
            Some(Passed::One(arg)) => return self.arg(arg, depth),
            Some(Passed::Splats(splats)) => {
                let found = self.splat_entries(splats, p.name, depth);
                if !found.is_empty() {
                    return found;
                }
            }
            Some(Passed::Nothing) => {}
            None => self.st.touch(func, p.name),
        }
        let mut out: Vec<Val<'p>> = p.default.map(|d| self.eval(d, ctx, depth)).unwrap_or_default();
        if let Some(o) = p.option {
            out.extend(lookup(self.eval(o, ctx, depth)));
        }
        out
    }

    /// What the innermost call of `func` in the frames of `ctx` passes for `p`; `None` when no
    /// call of it is being followed.
    fn passed(&self, func: FuncKey, p: &Param<'p>, ctx: Ctx) -> Option<Passed<'p>> {
        let frames = self.st.frames.borrow();
        frames.find(ctx.frame, func).and_then(|id| frames.get(id)).map(|frame| passed_argument(frame, p))
    }

    fn arg(&self, arg: ArgVal<'p>, depth: u32) -> Vec<Val<'p>> {
        match arg {
            ArgVal::Expr(e, c) => self.eval(e, c, depth),
            ArgVal::Vals(v) => v,
            ArgVal::Star => Vec::new(),
        }
    }

    /// The entries named `name` of `**mapping` arguments.
    fn splat_entries(&self, splats: Vec<ArgVal<'p>>, name: &str, depth: u32) -> Vec<Val<'p>> {
        let mut out = Vec::new();
        for splat in splats {
            for v in self.arg(splat.clone(), depth) {
                if let Val::Dict(entries) = v {
                    out.extend(entries.into_iter().filter(|(k, _)| k.as_deref() == Some(name)).flat_map(|(_, v)| v));
                }
            }
        }
        out
    }

    /// A name imported from another module of the project: its value there.
    fn imported(&self, q: &str, ctx: Ctx, depth: u32) -> Vec<Val<'p>> {
        if self.st.knowledge.knows(q) {
            return Vec::new();
        }
        if depth > MAX_DEPTH {
            self.st.hit(Limit::Aliases);
            return Vec::new();
        }
        let depth = depth + 1;
        let Some(resolved) = self.st.program.resolve_import(ctx.module, q, Need::Value) else { return Vec::new() };
        match resolved.attrs.as_slice() {
            [name] => self.exported(resolved.module, name, depth),
            _ => Vec::new(),
        }
    }

    /// The values a module gives a top-level name (after the whole module has run).
    fn exported(&self, module: super::index::ModId, name: &str, depth: u32) -> Vec<Val<'p>> {
        let end = Ctx { module, scope: 0, block: 0, pos: u32::MAX, frame: NO_FRAME };
        self.bindings(self.st.index(module).exported(name), end, depth)
    }

    fn attribute(&self, a: &'p ast::ExprAttribute, ctx: Ctx, depth: u32) -> Vec<Val<'p>> {
        let attr = a.attr.as_str();
        if attr == "hostname" {
            let entries: Vec<Val<'p>> = self
                .eval(&a.value, ctx, depth)
                .into_iter()
                .flat_map(|v| match v {
                    Val::Dict(entries) => {
                        entries.into_iter().filter(|(k, _)| k.as_deref() == Some(attr)).flat_map(|(_, v)| v).collect()
                    }
                    _ => Vec::new(),
                })
                .collect();
            if !entries.is_empty() {
                return entries;
            }
        }
        if attr == "value" {
            let inner = self.eval(&a.value, ctx, depth);
            if !inner.is_empty() {
                return inner;
            }
        }
        let mut out = Vec::new();
        if let Expr::Name(n) = &*a.value {
            out.extend(self.stored_attribute(n.id.as_str(), attr, ctx, depth));
        }
        let parsed = self.parsed_args_modules(&a.value, ctx);
        if !parsed.is_empty() {
            for module in parsed {
                let defaults = self.st.index(module).argparse.get(attr).map(Vec::as_slice).unwrap_or_default();
                out.extend(defaults.iter().flat_map(|(d, c)| lookup(self.eval(d, c.in_frame(ctx.frame), depth))));
            }
            return out;
        }
        if let Expr::Attribute(outer) = &*a.value {
            out.extend(self.nested_member(outer, attr, ctx, depth));
        }
        if !out.is_empty() {
            return out;
        }
        match self.res.ty(&a.value, ctx, 0) {
            Ty::Instance(c) | Ty::Class(c) => {
                let mut found = self.member(c, attr, ctx, depth, 0);
                if self.is_self(&a.value, ctx) {
                    // `self` may be an instance of a subclass that sets the attribute its own way
                    // (a test class overriding `interface` and inheriting the tests that bind).
                    found.extend(self.subclass_member(c, attr, ctx, depth));
                    self.cap(&mut found);
                }
                found
            }
            Ty::Module(m) => self.exported(m, attr, depth),
            Ty::Qual(_) => self.imported_module(&a.value, ctx).map_or_else(Vec::new, |m| self.exported(m, attr, depth)),
            _ => Vec::new(),
        }
    }

    /// `name.attr = …` stores that reach `ctx`; for a parameter, also those the caller made on
    /// the object it passed (`opts.host = …; start(opts)` reaches `o.host` in `start(o)`).
    fn stored_attribute(&self, name: &str, attr: &str, ctx: Ctx, depth: u32) -> Vec<Val<'p>> {
        let ix = self.st.index(ctx.module);
        let mut out = self.bindings(ix.object_attr(name, attr, ctx), ctx, depth);
        for b in ix.reaching(name, ctx) {
            let BindKind::Param(p) = &b.kind else { continue };
            let func = FuncKey { module: ctx.module, func: p.func };
            match self.passed(func, p, ctx) {
                Some(Passed::One(ArgVal::Expr(Expr::Name(arg), caller))) if self.st.spend() => {
                    out.extend(self.stored_attribute(arg.id.as_str(), attr, caller, depth + 1));
                }
                None => self.st.touch(func, p.name),
                _ => {}
            }
        }
        out
    }

    /// The project module a name is an import of (`import conf`), loaded for its values even
    /// when it cannot reach a sink (a type lookup leaves such a module unloaded).
    fn imported_module(&self, e: &'p Expr, ctx: Ctx) -> Option<super::index::ModId> {
        let Expr::Name(n) = e else { return None };
        self.st.index(ctx.module).reaching(n.id.as_str(), ctx).into_iter().find_map(|b| match &b.kind {
            BindKind::Import(q) if !self.st.knowledge.knows(q) => {
                let resolved = self.st.program.resolve_import(ctx.module, q, Need::Value)?;
                resolved.attrs.is_empty().then_some(resolved.module)
            }
            _ => None,
        })
    }

    /// `self.params.host` where a method of the class (or of a project base) stored it.
    fn nested_member(&self, outer: &'p ast::ExprAttribute, attr: &str, at: Ctx, depth: u32) -> Vec<Val<'p>> {
        let (Ty::Instance(class) | Ty::Class(class)) = self.res.ty(&outer.value, at, 0) else { return Vec::new() };
        for k in self.res.class_and_bases(class) {
            let stored = self.st.index(k.module).nested_attr(k.class, outer.attr.as_str(), attr);
            if !stored.is_empty() {
                return self.bindings(stored, at, depth);
            }
        }
        Vec::new()
    }

    /// A class attribute (or `self.x`), looked up through project base classes; evaluated in
    /// the frame of `at`, so that `self.host = host` in a constructor has the value the
    /// constructor call passes.
    fn member(&self, class: ClassKey, attr: &str, at: Ctx, depth: u32, hops: u32) -> Vec<Val<'p>> {
        let ix = self.st.index(class.module);
        let own = ix.class_attr(class.class, attr);
        if !own.is_empty() {
            let replaced: Vec<bool> = own.iter().map(|b| replaced_later(ix, &own, b, attr)).collect();
            if !replaced.contains(&true) {
                return self.bindings(own, at, depth);
            }
            let mut out = Vec::new();
            for (b, replaced) in own.into_iter().zip(replaced) {
                out.extend(self.binding(b, at, depth).into_iter().filter(|v| !replaced || truthy(v)));
            }
            self.cap(&mut out);
            return out;
        }
        if hops > 16 {
            self.st.hit(Limit::Aliases);
            return Vec::new();
        }
        for base in self.res.local_bases(class, 0) {
            let found = self.member(base, attr, at, depth, hops + 1);
            if !found.is_empty() {
                return found;
            }
        }
        Vec::new()
    }

    /// Whether `e` is the `self` parameter of a method.
    fn is_self(&self, e: &'p Expr, ctx: Ctx) -> bool {
        let Expr::Name(n) = e else { return false };
        let ix = self.st.index(ctx.module);
        ix.reaching(n.id.as_str(), ctx).iter().any(|b| matches!(&b.kind, BindKind::Param(p) if p.is_self.is_some()))
    }

    /// A project class whose only base is the built-in `str`.
    fn derives_from_str(&self, class: ClassKey) -> bool {
        let ix = self.st.index(class.module);
        let info = &ix.classes[class.class as usize];
        matches!(info.def.bases(), [Expr::Name(n)] if n.id.as_str() == "str" && ix.reaching("str", info.ctx).is_empty())
    }

    /// `self.attr` in a method of a class: what the subclasses of the same module set too (a
    /// base class's `start()` reading the host its subclasses' constructors store, or a subclass
    /// overriding a class attribute the base sets).
    fn subclass_member(&self, class: ClassKey, attr: &str, at: Ctx, depth: u32) -> Vec<Val<'p>> {
        let mut out = Vec::new();
        for sub in self.subclasses(class) {
            let own = self.st.index(sub.module).class_attr(sub.class, attr);
            out.extend(self.bindings(own, at, depth));
        }
        self.cap(&mut out);
        out
    }

    /// The classes of `class`'s module that derive from it, directly or not.
    fn subclasses(&self, class: ClassKey) -> Vec<ClassKey> {
        if let Some(known) = self.st.subclasses.borrow().get(&class) {
            return known.clone();
        }
        let ix = self.st.index(class.module);
        let mut out: Vec<ClassKey> = Vec::new();
        let mut grew = true;
        while grew {
            grew = false;
            for k in (0..ix.classes.len()).map(|c| ClassKey { module: class.module, class: c as u32 }) {
                if k == class || out.contains(&k) {
                    continue;
                }
                let bases = self.res.local_bases(k, 0);
                if bases.iter().any(|b| *b == class || out.contains(b)) {
                    out.push(k);
                    grew = true;
                }
            }
        }
        self.st.subclasses.borrow_mut().insert(class, out.clone());
        out
    }

    /// `args` bound to `parser.parse_args()` (or `parse_known_args()[0]`): the modules whose
    /// `add_argument` defaults it holds — this one, and the one of the project function that
    /// built the parser (`parser = get_parser()` from a module that declares the options).
    /// Empty when `e` is not parsed arguments.
    fn parsed_args_modules(&self, e: &'p Expr, ctx: Ctx) -> Vec<ModId> {
        let parser_of = |v: &'p Expr| match v {
            Expr::Call(c) => match &*c.func {
                Expr::Attribute(f)
                    if matches!(f.attr.as_str(), "parse_args" | "parse_known_args" | "parse_intermixed_args") =>
                {
                    Some(&*f.value)
                }
                _ => None,
            },
            _ => None,
        };
        // Followed into the module whatever it holds: its options are what is needed.
        let built_by = |v: &'p Expr| {
            let Expr::Call(c) = v else { return None };
            let was = self.st.precise.replace(true);
            let ty = self.res.ty(&c.func, ctx, 0);
            self.st.precise.set(was);
            if let Ty::Func(f) = ty { Some(f.module) } else { None }
        };
        let parsers: Vec<&'p Expr> = self.assigned(e, ctx).into_iter().filter_map(parser_of).collect();
        if parsers.is_empty() {
            return Vec::new();
        }
        let mut modules = vec![ctx.module];
        for m in parsers.into_iter().flat_map(|p| self.assigned(p, ctx)).filter_map(built_by) {
            if !modules.contains(&m) {
                modules.push(m);
            }
        }
        modules
    }

    /// What a name was assigned where it is read (every reaching `x = …` or `x, y = …`), or the
    /// expression itself when it is not a name.
    fn assigned(&self, e: &'p Expr, ctx: Ctx) -> Vec<&'p Expr> {
        let Expr::Name(n) = e else { return vec![e] };
        self.st
            .index(ctx.module)
            .reaching(n.id.as_str(), ctx)
            .iter()
            .filter_map(|b| match &b.kind {
                BindKind::Value(v) | BindKind::Unpack(v, _) => Some(*v),
                _ => None,
            })
            .collect()
    }

    fn subscript(&self, s: &'p ast::ExprSubscript, ctx: Ctx, depth: u32) -> Vec<Val<'p>> {
        let key = key_text(&s.slice);
        let index = match &*s.slice {
            Expr::NumberLiteral(n) => n.value.as_int().and_then(ruff_python_ast::Int::as_u16).map(u32::from),
            _ => None,
        };
        let mut out = Vec::new();
        for v in self.eval(&s.value, ctx, depth) {
            match (v, &key, index) {
                (Val::Dict(entries), Some(k), _) => {
                    out.extend(entries.into_iter().filter(|(ek, _)| ek.as_ref() == Some(k)).flat_map(|(_, vals)| vals));
                }
                (Val::Seq(mut elems), _, Some(i)) if (i as usize) < elems.len() => {
                    out.extend(elems.swap_remove(i as usize));
                }
                _ => {}
            }
        }
        out
    }

    fn call(&self, c: &'p ast::ExprCall, ctx: Ctx, depth: u32) -> Vec<Val<'p>> {
        let args = &c.arguments.args;
        if let Expr::Attribute(f) = &*c.func {
            match f.attr.as_str() {
                "format" => return self.format(&f.value, c, ctx, depth),
                "split" if args.is_empty() && c.arguments.keywords.is_empty() => {
                    return self.words(Some(&*f.value), ctx, depth);
                }
                _ => {}
            }
        }
        if let Expr::Name(n) = &*c.func
            && self.st.index(ctx.module).reaching(n.id.as_str(), ctx).is_empty()
        {
            return match (n.id.as_str(), args.len()) {
                ("str" | "iter" | "list" | "tuple", 1) => self.eval(&args[0], ctx, depth),
                ("getattr", 3) => lookup(self.eval(&args[2], ctx, depth)),
                // Any element of a sequence may come next (`next(iter(socket.getaddrinfo(…)))`).
                ("next", 1 | 2) => self.eval(&args[0], ctx, depth).into_iter().flat_map(elements).collect(),
                _ => Vec::new(),
            };
        }
        match self.res.ty(&c.func, ctx, 0) {
            Ty::Func(f) => self.returns(f, c, ctx, depth),
            // `class _str_marker(str): pass` (waitress): its instances are the string given.
            Ty::Class(k) if self.derives_from_str(k) => {
                args.first().map(|a| self.eval(a, ctx, depth)).unwrap_or_default()
            }
            Ty::Qual(q) if matches!(q.as_str(), "typer.Option" | "typer.Argument") => {
                let d = args.first().or_else(|| super::cli::keyword(c, "default"));
                d.map(|d| lookup(self.eval(d, ctx, depth))).unwrap_or_default()
            }
            Ty::Qual(q) if q == "socket.getaddrinfo" => self.getaddrinfo(c, ctx, depth),
            Ty::Qual(q) if matches!(q.as_str(), "urllib.parse.urlparse" | "urllib.parse.urlsplit") => {
                args.first().map(|url| self.parsed_url(url, ctx, depth)).unwrap_or_default()
            }
            Ty::Qual(q) if q == "shlex.split" => self.words(args.first(), ctx, depth),
            Ty::Qual(q) | Ty::Bound(_, q) if is_lookup(&q) => {
                let d = args.get(1).or_else(|| super::cli::keyword(c, "default"));
                d.map(|d| lookup(self.eval(d, ctx, depth))).unwrap_or_default()
            }
            _ => Vec::new(),
        }
    }

    /// What a project function returns when called with these arguments: its return values
    /// evaluated in a frame of the call (`return (family, (host, port))`).
    fn returns(&self, f: FuncKey, c: &'p ast::ExprCall, ctx: Ctx, depth: u32) -> Vec<Val<'p>> {
        let bound = matches!(&*c.func, Expr::Attribute(a) if matches!(self.res.ty(&a.value, ctx, 1), Ty::Instance(_)));
        let this = match &*c.func {
            Expr::Attribute(a) if bound => This::Receiver(ArgVal::Expr(&a.value, ctx)),
            _ => This::Nothing,
        };
        let frame = Frame {
            func: f,
            args: CallArgs::of_call(c, ctx, 0),
            this,
            site: (ctx.module, strings::range(c)),
            parent: ctx.frame,
        };
        let Some(id) = self.enter(frame) else { return Vec::new() };
        let returns = &self.st.index(f.module).funcs[f.func as usize].returns;
        let mut out: Vec<Val<'p>> = Vec::new();
        for (v, rc) in returns {
            out.extend(self.eval(v, rc.in_frame(id), depth));
        }
        self.cap(&mut out);
        out
    }

    /// `shlex.split(command)` and `command.split()`: the words, each keeping its source.
    fn words(&self, command: Option<&'p Expr>, ctx: Ctx, depth: u32) -> Vec<Val<'p>> {
        let Some(command) = command else { return Vec::new() };
        self.strs(command, ctx, depth)
            .into_iter()
            .map(|s| Val::Seq(s.split_words().into_iter().map(|w| vec![Val::Str(w)]).collect()))
            .collect()
    }

    /// Pushes a frame; `None` (and the limit recorded) when calls nest too deeply.
    pub(crate) fn enter(&self, frame: Frame<'p>) -> Option<super::index::FrameId> {
        let mut frames = self.st.frames.borrow_mut();
        // A recursive call adds nothing the outer activation does not already follow.
        if frames.find(frame.parent, frame.func).is_some() {
            return None;
        }
        if frames.depth(frame.parent) >= MAX_FRAMES {
            drop(frames);
            self.st.hit(Limit::Calls);
            return None;
        }
        Some(frames.push(frame))
    }

    /// `urlparse(url)`: an object whose `hostname` is the URL's host, cut from the literal
    /// (`urlparse('opc.tcp://0.0.0.0:4840/')`, read back as `.hostname`).
    fn parsed_url(&self, url: &'p Expr, ctx: Ctx, depth: u32) -> Vec<Val<'p>> {
        let mut hosts = Vec::new();
        for s in self.strs(url, ctx, depth) {
            let flat = s.flat();
            let Some(start) = flat.find("://").map(|i| i + 3) else { continue };
            let end = flat[start..].find(['/', '?', '#']).map_or(flat.len(), |e| start + e);
            let from = flat[start..end].rfind('@').map_or(start, |at| start + at + 1);
            let authority = &flat[from..end];
            let host = if authority.starts_with('[') {
                authority.find(']').map(|close| from + 1..from + close)
            } else {
                Some(from..from + authority.rfind(':').unwrap_or(authority.len()))
            };
            if let Some(range) = host {
                hosts.push(Val::Str(slice_piece(&s, range)));
            }
        }
        if hosts.is_empty() {
            return Vec::new();
        }
        vec![Val::Dict(vec![(Some("hostname".to_owned()), hosts)])]
    }

    /// `socket.getaddrinfo(host, port, …)`: address tuples whose host is the `host` argument;
    /// `host or None` keeps an empty host (`None` with `AI_PASSIVE` is all interfaces).
    fn getaddrinfo(&self, c: &'p ast::ExprCall, ctx: Ctx, depth: u32) -> Vec<Val<'p>> {
        let Some(host) = c.arguments.args.first().or_else(|| super::cli::keyword(c, "host")) else {
            return Vec::new();
        };
        let hosts: Vec<Val<'p>> = match host {
            Expr::BoolOp(b) if b.op == ast::BoolOp::Or => {
                b.values.iter().flat_map(|v| self.eval(v, ctx, depth)).filter(|v| matches!(v, Val::Str(_))).collect()
            }
            other => self.eval(other, ctx, depth),
        };
        if hosts.is_empty() {
            return Vec::new();
        }
        let sockaddr = Val::Seq(vec![hosts, Vec::new()]);
        let entry = Val::Seq(vec![Vec::new(), Vec::new(), Vec::new(), Vec::new(), vec![sockaddr]]);
        vec![Val::Seq(vec![vec![entry]])]
    }

    fn strs_or_hole(&self, e: &'p Expr, ctx: Ctx, depth: u32) -> Vec<SymStr<'p>> {
        let s = self.strs(e, ctx, depth);
        if s.is_empty() { vec![SymStr::hole()] } else { s }
    }

    fn product(&self, left: Vec<SymStr<'p>>, right: Vec<SymStr<'p>>) -> Vec<SymStr<'p>> {
        if left.len() * right.len() > MAX_ALTS {
            self.st.hit(Limit::Alternatives);
        }
        super::values::product(left, right)
    }

    fn concat(&self, l: &'p Expr, r: &'p Expr, ctx: Ctx, depth: u32) -> Vec<Val<'p>> {
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
        self.product(if ls.is_empty() { hole() } else { ls }, if rs.is_empty() { hole() } else { rs })
            .into_iter()
            .map(Val::Str)
            .collect()
    }

    fn percent(&self, l: &'p Expr, r: &'p Expr, ctx: Ctx, depth: u32) -> Vec<Val<'p>> {
        let args: Vec<&'p Expr> = match r {
            Expr::Tuple(t) => t.elts.iter().collect(),
            other => vec![other],
        };
        let mut out = Vec::new();
        for template in self.strs(l, ctx, depth) {
            let parts = percent_fields_owned(&template);
            let arg = |f: Field| if let Field::Index(i) = f { args.get(i).copied() } else { None };
            out.extend(self.fill(&template, parts, arg, ctx, depth));
        }
        out.into_iter().map(Val::Str).collect()
    }

    fn format(&self, recv: &'p Expr, c: &'p ast::ExprCall, ctx: Ctx, depth: u32) -> Vec<Val<'p>> {
        let args = &c.arguments.args;
        let mut out = Vec::new();
        for template in self.strs(recv, ctx, depth) {
            let parts = format_fields_owned(&template);
            let arg = |f: Field| match f {
                Field::Index(i) => args.get(i),
                Field::Named(n) => super::cli::keyword(c, &n),
            };
            out.extend(self.fill(&template, parts, arg, ctx, depth));
        }
        out.into_iter().map(Val::Str).collect()
    }

    fn fill(
        &self,
        t: &SymStr<'p>,
        parts: Vec<Part>,
        arg: impl Fn(Field) -> Option<&'p Expr>,
        ctx: Ctx,
        depth: u32,
    ) -> Vec<SymStr<'p>> {
        let mut acc = vec![SymStr::default()];
        for part in parts {
            let alts = match part {
                Part::Text(range) => vec![slice_piece(t, range)],
                Part::Field(f) => arg(f).map_or_else(|| vec![SymStr::hole()], |e| self.strs_or_hole(e, ctx, depth + 1)),
            };
            acc = self.product(acc, alts);
        }
        acc
    }

    fn bool_op(&self, b: &'p ast::ExprBoolOp, ctx: Ctx, depth: u32) -> Vec<Val<'p>> {
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

    fn fstring(&self, e: &'p Expr, f: &'p ast::ExprFString, ctx: Ctx, depth: u32) -> Vec<SymStr<'p>> {
        let text = self.st.text(ctx.module);
        let mut acc = vec![SymStr::default()];
        for part in &f.value {
            match part {
                FStringPart::Literal(l) => push_piece(&mut acc, strings::part_piece(e, l, text, ctx.module)),
                FStringPart::FString(fs) => {
                    for el in &fs.elements {
                        match el {
                            InterpolatedStringElement::Literal(l) => push_piece(
                                &mut acc,
                                strings::fstring_text(e, strings::range(l), &l.value, text, ctx.module),
                            ),
                            InterpolatedStringElement::Interpolation(i) => {
                                let plain = i.conversion != ast::ConversionFlag::Repr && i.format_spec.is_none();
                                let alts = if plain {
                                    self.strs_or_hole(&i.expression, ctx, depth + 1)
                                } else {
                                    vec![SymStr::hole()]
                                };
                                acc = self.product(acc, alts);
                            }
                        }
                    }
                }
            }
        }
        acc
    }
}

/// What a frame passes for a parameter.
enum Passed<'p> {
    One(ArgVal<'p>),
    Splats(Vec<ArgVal<'p>>),
    Nothing,
}

/// Whether the method that stores `self.attr = b` replaces an empty value later, whenever it
/// gets there: `if not self.attr: self.attr = …` after `b`, at a level that runs every time `b`
/// has run, and no method of the object runs in between (django's `runserver` stores `''` and
/// then its loopback default before it serves).
fn replaced_later(ix: &Index<'_>, stores: &[&Binding<'_>], b: &Binding<'_>, attr: &str) -> bool {
    // A guard whose level encloses `b` is in `b`'s method: blocks do not cross scopes.
    stores.iter().any(|g| {
        g.ctx.pos > b.ctx.pos
            && ix
                .block_tests
                .get(&g.ctx.block)
                .is_some_and(|test| guards::says_empty(test, guards::Subject::SelfAttr(attr)))
            && ix
                .blocks
                .get(g.ctx.block as usize)
                .copied()
                .flatten()
                .is_some_and(|guard_at| ix.encloses(guard_at, b.ctx.block))
            && !object_used_between(ix, b.ctx, g.ctx.pos)
    })
}

/// A call between `from` and `to` in `from`'s scope that may read the object's attributes: a
/// method of `self`, or `self` passed along.
fn object_used_between(ix: &Index<'_>, from: Ctx, to: u32) -> bool {
    let is_self = |e: &Expr| matches!(e, Expr::Name(n) if n.id.as_str() == "self");
    ix.in_scope[from.scope as usize].sites.iter().any(|&i| match &ix.sites[i] {
        (Site::Call(c), ctx) if ctx.pos > from.pos && ctx.pos < to => {
            matches!(&*c.func, Expr::Attribute(a) if is_self(&a.value))
                || c.arguments.args.iter().any(is_self)
                || c.arguments.keywords.iter().any(|k| is_self(&k.value))
        }
        _ => false,
    })
}

fn passed_argument<'p>(frame: &Frame<'p>, p: &Param<'p>) -> Passed<'p> {
    match argument_for(frame, p) {
        Some(ArgFor::One(arg)) => Passed::One(arg.clone()),
        Some(ArgFor::Splats(splats)) => Passed::Splats(splats.to_vec()),
        None => Passed::Nothing,
    }
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;

    use super::super::frames::MAX_FRAMES;
    use super::super::state::Limit;
    use super::{MAX_ALTS, MAX_DEPTH, MAX_ELEMS};
    use crate::rules::tests::{analyse, analyse_one};

    /// Each file's findings (`line host`, `via` call lines) and the limits its analysis reached.
    fn check(cases: &[(&str, &[&str], &[Limit])]) {
        for (text, found, limits) in cases {
            let got = analyse_one(text);
            let found: Vec<String> = found.iter().map(|f| format!("main.py:{f}")).collect();
            let head: String = text.chars().take(300).collect();
            assert_eq!(got.found, found, "{head}");
            assert_eq!(got.limits, *limits, "{head}");
        }
    }

    /// `'a' if c0 else 'b' if c1 else …`: one alternative per leaf.
    fn alternatives(leaves: &[String]) -> String {
        let (last, init) = leaves.split_last().unwrap();
        let mut s: String = init.iter().enumerate().map(|(i, l)| format!("'{l}' if c{i} else ")).collect();
        let _ = write!(s, "'{last}'");
        s
    }

    fn bind(host: &str) -> String {
        format!("import socket\nsocket.socket().bind(({host}, 1))\n")
    }

    #[test]
    fn alternatives_past_the_bound_are_dropped_and_reported() {
        let leaves = |n: usize| -> Vec<String> {
            let mut l: Vec<String> = (1..n).map(|i| format!("10.0.0.{i}")).collect();
            l.push("0.0.0.0".into());
            l
        };
        check(&[
            (&bind(&alternatives(&leaves(MAX_ALTS))), &["2 0.0.0.0"], &[]),
            (&bind(&alternatives(&leaves(MAX_ALTS + 1))), &[], &[Limit::Alternatives]),
        ]);
        // Bindings that reach one use: the first assignment and one per `if`.
        let branches = |n: usize| -> String {
            let mut t = String::from("import socket\nx = '0.0.0.0'\n");
            for i in 1..n {
                let _ = write!(t, "if c{i}:\n    x = '10.0.0.{i}'\n");
            }
            t + "socket.socket().bind((x, 1))\n"
        };
        check(&[(&branches(MAX_ALTS), &["2 0.0.0.0"], &[]), (&branches(MAX_ALTS + 1), &[], &[Limit::Alternatives])]);
    }

    #[test]
    fn concatenations_multiply_alternatives() {
        // 4 × (MAX_ALTS / 4) pieces make MAX_ALTS strings (all kept); one more on the right is
        // four too many.
        let left: Vec<String> = (0..4).map(|i| format!("0.0.{i}")).collect();
        let right = |n: usize| -> Vec<String> { (0..n).map(|i| format!(".{i}")).collect() };
        let sum = |n: usize| bind(&format!("({}) + ({})", alternatives(&left), alternatives(&right(n))));
        let fits = MAX_ALTS / left.len();
        assert_eq!(left.len() * fits, MAX_ALTS);
        check(&[(&sum(fits), &["2 0.0.0.0"], &[]), (&sum(fits + 1), &["2 0.0.0.0"], &[Limit::Alternatives])]);
    }

    #[test]
    fn literal_collections_past_the_bound_are_cut() {
        let tuple = |n: usize| bind(&format!("'0.0.0.0'{}", ", 0".repeat(n - 2)));
        let dict = |n: usize| {
            let rest: String = (1..n).map(|i| format!(", 'k{i}': 0")).collect();
            format!("from flask import Flask\nFlask(__name__).run(**{{'host': '0.0.0.0'{rest}}})\n")
        };
        check(&[
            (&tuple(MAX_ELEMS), &["2 0.0.0.0"], &[]),
            (&tuple(MAX_ELEMS + 1), &["2 0.0.0.0"], &[Limit::Elements]),
            (&dict(MAX_ELEMS), &["2 0.0.0.0"], &[]),
            (&dict(MAX_ELEMS + 1), &["2 0.0.0.0"], &[Limit::Elements]),
        ]);
    }

    #[test]
    fn nesting_deeper_than_followed_is_reported() {
        // The site, the tuple and the name take the first levels of MAX_DEPTH.
        let chain =
            |n: usize| format!("import socket\nh = {}'0.0.0.0'\nsocket.socket().bind((h, 1))\n", "'' + ".repeat(n));
        let deepest = MAX_DEPTH as usize - 2;
        check(&[(&chain(deepest), &["2 0.0.0.0"], &[]), (&chain(deepest + 1), &[], &[Limit::Nesting])]);
    }

    #[test]
    fn nested_fstrings_and_format_calls_count_two_levels_each() {
        // A level is the string (or the `.format` call) and the field (or the argument) in it.
        let fstring = |n: usize| {
            format!("import socket\nh = {}'0.0.0.0'{}\nsocket.socket().bind((h, 1))\n", "f'{".repeat(n), "}'".repeat(n))
        };
        let format = |n: usize| {
            format!(
                "import socket\nh = {}'0.0.0.0'{}\nsocket.socket().bind((h, 1))\n",
                "'{}'.format(".repeat(n),
                ")".repeat(n)
            )
        };
        let deepest = MAX_DEPTH as usize / 2 - 1;
        check(&[
            (&fstring(deepest), &["2 0.0.0.0"], &[]),
            (&fstring(deepest + 1), &[], &[Limit::Nesting]),
            (&format(deepest), &["2 0.0.0.0"], &[]),
            (&format(deepest + 1), &[], &[Limit::Nesting]),
        ]);
    }

    #[test]
    fn a_command_built_from_optional_flags_is_followed_through_every_version() {
        // Six optional flags make 64 versions of the command, as real pipeline builders do.
        let mut text = String::from("import os\ncmd = 'uvicorn app:app'\n");
        for (i, flag) in
            ["--reload", "--proxy-headers", "--workers 2", "--lifespan on", "--http h11", "--no-access-log"]
                .iter()
                .enumerate()
        {
            let _ = write!(text, "if c{i}:\n    cmd = cmd + ' {flag}'\n");
        }
        text.push_str("cmd = cmd + ' --host 0.0.0.0'\nos.system(cmd)\n");
        check(&[(&text, &["15 0.0.0.0"], &[])]);
    }

    #[test]
    fn a_reassigned_variadic_parameter_reads_the_parameter_not_itself() {
        // `args = (…) + args` read the assignment itself until the nesting bound, and real code
        // (a test helper building a command line) was reported as not analysed.
        let text = "import socket, subprocess, sys\ndef run(*args, **kw):\n    args = (sys.executable, '-E') + args\n    \
                    kw = dict(kw)\n    subprocess.check_output(args, **kw)\n    socket.socket().bind(('0.0.0.0', 1))\n";
        check(&[(text, &["6 0.0.0.0"], &[])]);
    }

    #[test]
    fn a_flag_and_its_value_in_one_argv_entry_built_from_pieces() {
        let argv = |entry: &str| {
            format!("import subprocess\nhost = '0.0.0.0'\nsubprocess.run(['gunicorn', {entry}, 'app:app'])\n")
        };
        check(&[
            (&argv("'--bind=' + host + ':8000'"), &["2 0.0.0.0"], &[]),
            (&argv("'--bind=%s:80' % host"), &["2 0.0.0.0"], &[]),
            (&argv("f'--bind={host}:8000'"), &["2 0.0.0.0"], &[]),
            (&argv("'--bind=' + '127.0.0.1'"), &[], &[]),
            (&argv("'--name=' + host"), &[], &[]),
        ]);
    }

    #[test]
    fn only_a_test_that_the_value_is_empty_replaces_an_empty_default() {
        let serve = |test: &str| {
            format!(
                "import uvicorn\ndef serve(host=''):\n    if {test}:\n        host = '127.0.0.1'\n    uvicorn.run(app, host=host)\nserve()\n"
            )
        };
        check(&[
            (&serve("not host"), &[], &[]),
            (&serve("host == ''"), &[], &[]),
            (&serve("'' == host"), &[], &[]),
            (&serve("host is None or not host"), &[], &[]),
            (&serve("host == 'localhost'"), &["2 '' via 6"], &[]),
            (&serve("other == ''"), &["2 '' via 6"], &[]),
            (&serve("host != ''"), &["2 '' via 6"], &[]),
            (&serve("host is None"), &["2 '' via 6"], &[]),
            (&serve("other is None or not other"), &["2 '' via 6"], &[]),
        ]);
    }

    #[test]
    fn an_attribute_emptied_then_replaced_in_the_same_method_is_not_empty() {
        let command = |between: &str, guard: &str| {
            format!(
                "from wsgiref.simple_server import make_server\nclass Command:\n    def handle(self, a=None):\n        \
                 if not a:\n            self.addr = ''\n        else:\n            self.addr = a\n        {between}\n        \
                 {guard}\n            self.addr = '127.0.0.1'\n        self.run()\n    \
                 def run(self):\n        make_server(self.addr, 80, None)\n"
            )
        };
        check(&[
            (&command("pass", "if not self.addr:"), &[], &[]),
            (&command("pass", "if self.addr == '' or self.port:"), &[], &[]),
            (&command("self.log()", "if not self.addr:"), &["5 '' via 11"], &[]),
            (&command("print(self)", "if not self.addr:"), &["5 '' via 11"], &[]),
            (&command("log(obj=self)", "if not self.addr:"), &["5 '' via 11"], &[]),
            (&command("pass", "if not self.port:"), &["5 '' via 11"], &[]),
            (&command("pass", "if not other.addr:"), &["5 '' via 11"], &[]),
            (&command("pass", "if self.addr is None:"), &["5 '' via 11"], &[]),
            (&command("pass", "if a and not self.addr:"), &["5 '' via 11"], &[]),
        ]);
        let method = |body: &str| {
            format!(
                "from wsgiref.simple_server import make_server\nclass Command:\n    def handle(self, a=None):\n{body}        \
                 self.run()\n    def run(self):\n        make_server(self.addr, 80, None)\n"
            )
        };
        let nested =
            "        self.addr = ''\n        if a:\n            if not self.addr:\n                self.addr = 'x'\n";
        let before = "        if not self.addr:\n            self.addr = 'x'\n        self.addr = ''\n";
        let called_first =
            "        self.log()\n        self.addr = ''\n        if not self.addr:\n            self.addr = 'x'\n";
        check(&[
            (&method(nested), &["4 '' via 8"], &[]),
            (&method(before), &["6 '' via 7"], &[]),
            (&method(called_first), &[], &[]),
        ]);
        let elsewhere = "from wsgiref.simple_server import make_server\nclass Command:\n    def __init__(self):\n        \
                         self.addr = ''\n    def handle(self):\n        if not self.addr:\n            self.addr = 'x'\n    \
                         def run(self):\n        make_server(self.addr, 80, None)\nCommand().run()\n";
        check(&[(elsewhere, &["4 '' via 10"], &[])]);
    }

    #[test]
    fn attributes_of_an_object_the_instance_holds() {
        let server = |store: &str, read: &str| {
            format!(
                "import asyncio\nclass Server:\n    def __init__(self, address=('', 502)):\n        self.params = Params()\n        \
                 {store}\n    async def start(self):\n        host = {read}\n        \
                 await asyncio.get_event_loop().create_server(f, host, 502)\nServer(('0.0.0.0', 1))\n"
            )
        };
        check(&[
            (&server("self.params.address = address", "self.params.address[0]"), &["3 ''", "9 0.0.0.0 via 9"], &[]),
            (&server("self.params.address = ('127.0.0.1', 1)", "self.params.address[0]"), &[], &[]),
            (&server("self.params.address = address", "self.params.other[0]"), &[], &[]),
            (&server("self.other.address = address", "self.params.address[0]"), &[], &[]),
            (&server("params.address = address", "self.params.address[0]"), &[], &[]),
        ]);
        // A subclass's methods read what a base's constructor stores.
        let inherited = "import socket\nclass Base:\n    def __init__(self):\n        self.conf = Conf()\n        \
                         self.conf.host = '0.0.0.0'\nclass Child(Base):\n    def serve(self):\n        \
                         socket.socket().bind((self.conf.host, 1))\n";
        check(&[(inherited, &["5 0.0.0.0"], &[])]);
    }

    #[test]
    fn calls_a_test_expects_to_fail_are_test_data_and_only_those() {
        let text = "import socket, pytest\nwith pytest.raises(OSError):\n    socket.socket().bind(('0.0.0.0', 1))\n\
                    with self.assertRaises(OSError), open(p) as f:\n    socket.socket().bind(('', 2))\n\
                    socket.socket().bind(('::', 3))\nwith open(p) as f:\n    socket.socket().bind(('0.0.0.0', 4))\n";
        check(&[(text, &["6 ::", "8 0.0.0.0"], &[])]);
    }

    #[test]
    fn sinks_inside_operators_and_comparisons_are_sites() {
        let text = "import socket\nif socket.socket().bind(('0.0.0.0', 1)) is None:\n    pass\n\
                    n = 1 + socket.socket().bind(('::', 2))\nok = not socket.socket().bind(('', 3))\n";
        check(&[(text, &["2 0.0.0.0", "4 ::", "5 ''"], &[])]);
    }

    #[test]
    fn a_method_s_local_names_are_not_attributes_of_its_class() {
        let text = "import socket\nclass S:\n    def a(self):\n        host = '0.0.0.0'\n        print(host)\n    \
                    def b(self):\n        socket.socket().bind((self.host, 1))\n";
        check(&[(text, &[], &[])]);
        let attribute = text.replace("        host = '0.0.0.0'", "        self.host = '0.0.0.0'");
        check(&[(&attribute, &["4 0.0.0.0"], &[])]);
    }

    #[test]
    fn a_base_class_method_reads_what_its_subclasses_store() {
        let text = "import socket\nclass BaseServer:\n    def start(self):\n        \
                    socket.socket().bind((self.host, self.port))\nclass MyServer(BaseServer):\n    \
                    def __init__(self, host='0.0.0.0', port=80):\n        self.host = host\n        self.port = port\n\
                    class Local(BaseServer):\n    def __init__(self):\n        self.host = '127.0.0.1'\n\
                    class Deeper(MyServer):\n    pass\nDeeper('::')\nclass Unrelated:\n    host = ''\n";
        check(&[(text, &["14 :: via 14", "6 0.0.0.0"], &[])]);
        // Every subclass counts, however many.
        let mut many = String::from(
            "import socket\nclass Base:\n    def start(self):\n        socket.socket().bind((self.host, 1))\n",
        );
        for i in 0..30 {
            let host = if i == 29 { "0.0.0.0" } else { "127.0.0.1" };
            let _ = write!(many, "class S{i}(Base):\n    host = '{host}'\n");
        }
        check(&[(&many, &["64 0.0.0.0"], &[])]);
        // Only through `self`: another object of the base type is not a subclass instance.
        let other = "import socket\nclass Base:\n    pass\nclass Sub(Base):\n    host = ''\n\
                     def serve(b: Base):\n    socket.socket().bind((b.host, 1))\n";
        check(&[(other, &[], &[])]);
        // A subclass that overrides an attribute its base sets: the inherited method binds with
        // either value (Twisted's IPv6 multicast tests).
        let overridden = "from twisted.internet import reactor\nclass MulticastTests:\n    interface = '127.0.0.1'\n    \
                          def test_join(self):\n        reactor.listenMulticast(0, None, interface=self.interface)\n\
                          class MulticastTestsIPv6(MulticastTests):\n    interface = '::'\n\
                          class Safe(MulticastTests):\n    interface = '::1'\n";
        check(&[(overridden, &["7 ::"], &[])]);
    }

    #[test]
    fn keys_stored_into_a_dict_reach_its_reads_and_splats() {
        let run = "import uvicorn\n";
        check(&[
            (&format!("{run}kw = {{}}\nkw['host'] = '0.0.0.0'\nuvicorn.run(app, **kw)\n"), &["3 0.0.0.0"], &[]),
            (&format!("{run}kw = dict(port=1)\nkw['host'] = '::'\nuvicorn.run(app, **kw)\n"), &["3 ::"], &[]),
            (&format!("{run}kw = get()\nkw['host'] = ''\nuvicorn.run(app, host=kw['host'])\n"), &["3 ''"], &[]),
            (
                &format!(
                    "{run}def serve(a):\n    kw = {{}}\n    kw['host'] = a.host or '0.0.0.0'\n    uvicorn.run(app, **kw)\n"
                ),
                &["4 0.0.0.0"],
                &[],
            ),
            // A store that always runs replaces the entry; one in a branch adds to it.
            (&format!("{run}kw = {{'host': '0.0.0.0'}}\nkw['host'] = '127.0.0.1'\nuvicorn.run(app, **kw)\n"), &[], &[]),
            (
                &format!(
                    "{run}kw = {{'host': '0.0.0.0'}}\nif local:\n    kw['host'] = '127.0.0.1'\nuvicorn.run(app, **kw)\n"
                ),
                &["2 0.0.0.0"],
                &[],
            ),
            // Other keys, other names, and stores after the use are not the value used.
            (&format!("{run}kw = {{}}\nkw['name'] = '0.0.0.0'\nuvicorn.run(app, **kw)\n"), &[], &[]),
            (&format!("{run}kw = {{}}\nother = {{}}\nother['host'] = '0.0.0.0'\nuvicorn.run(app, **kw)\n"), &[], &[]),
            (&format!("{run}kw = {{'host': 'localhost'}}\nuvicorn.run(app, **kw)\nkw['host'] = '0.0.0.0'\n"), &[], &[]),
        ]);
    }

    #[test]
    fn names_that_read_each_other_are_cut_where_they_cycle() {
        // In a loop, `host` is read before this pass assigns it: its value is the later
        // assignment's, which reads `base`, which reads `host` again. The cycle ends there and
        // the literal on the way is still found.
        let text = "import socket\nwhile True:\n    base = host\n    socket.socket().bind((base, 1))\n    \
                    host = base or '0.0.0.0'\n";
        check(&[(text, &["5 0.0.0.0"], &[])]);
    }

    #[test]
    fn other_operators_and_unknown_library_calls_build_no_string() {
        check(&[
            // `-` fails at run time and `*` repeats: neither formats its left operand as `%` does.
            (&bind("'%s' - '0.0.0.0'"), &[], &[]),
            (&bind("'%s' * '0.0.0.0'"), &[], &[]),
            (&bind("'%s' % '0.0.0.0'"), &["2 0.0.0.0"], &[]),
            // A call of a library the rule does not know returns something unknown, even when
            // an argument is an address; a lookup's default is the value it may return.
            (
                "import socket, picker\nh = picker.choose('127.0.0.1', '0.0.0.0')\nsocket.socket().bind((h, 1))\n",
                &[],
                &[],
            ),
            (
                "import socket, os\nh = os.environ.get('H', '0.0.0.0')\nsocket.socket().bind((h, 1))\n",
                &["2 0.0.0.0"],
                &[],
            ),
        ]);
    }

    #[test]
    fn base_classes_and_helpers_are_followed_to_a_bound() {
        let bases = |n: usize| {
            let mut t = String::from("import socket\nclass C0:\n    host = '0.0.0.0'\n");
            for i in 1..=n {
                let _ = write!(t, "class C{i}(C{}):\n    pass\n", i - 1);
            }
            t + &format!("socket.socket().bind((C{n}.host, 1))\n")
        };
        check(&[(&bases(17), &["3 0.0.0.0"], &[]), (&bases(18), &[], &[Limit::Aliases])]);
        let helpers = |n: usize| {
            let mut t = String::from("import socket\ndef f0(h):\n    socket.socket().bind((h, 1))\n");
            for i in 1..n {
                let _ = write!(t, "def f{i}(h):\n    f{}(h)\n", i - 1);
            }
            t + &format!("f{}('0.0.0.0')\n", n - 1)
        };
        // f1 … f(n-1) call the next helper on lines 5, 7, …; the outermost call is the last line.
        let n = MAX_FRAMES;
        let calls: Vec<String> = (5..=2 * n + 1).step_by(2).map(|l| l.to_string()).collect();
        let found = format!("{} 0.0.0.0 via {},{}", 2 * n + 2, calls.join(","), 2 * n + 2);
        check(&[(&helpers(n), &[found.as_str()], &[]), (&helpers(n + 1), &[], &[Limit::Calls])]);
    }

    #[test]
    fn expressions_that_carry_a_value() {
        check(&[
            (&bind("(h := '0.0.0.0')"), &["2 0.0.0.0"], &[]),
            (&bind("b'0.0.0.0'"), &["2 0.0.0.0"], &[]),
            (&bind("str('0.0.0.0')"), &["2 0.0.0.0"], &[]),
            (&bind("str('0.0.0.0', 'x')"), &[], &[]),
            (&bind("getattr(cfg, 'host', '0.0.0.0')"), &["2 0.0.0.0"], &[]),
            (&bind("getattr(cfg, '0.0.0.0')"), &[], &[]),
            (&bind("x and '0.0.0.0'"), &["2 0.0.0.0"], &[]),
            (&bind("'0.0.0.0' and x"), &[], &[]),
            (&bind("'0.0.0.0' or x"), &["2 0.0.0.0"], &[]),
            (&bind("'' or x"), &[], &[]),
            ("import socket\nh = '0.0.0.0'\nsocket.socket().bind((f'{h!s}', 1))\n", &["2 0.0.0.0"], &[]),
            ("import socket\nh = '0.0.0.0'\nsocket.socket().bind((f'{h!r}', 1))\n", &[], &[]),
            ("import socket\nh = '0.0.0.0'\nsocket.socket().bind((f'{h:>7}', 1))\n", &[], &[]),
            ("import socket\nh = '0.0'\nsocket.socket().bind((f'{h}.0.0', 1))\n", &["2 0.0.0.0"], &[]),
            (&bind("f'0.0.0.0:{port}'"), &[], &[]),
            (&bind("'{}.{h}'.format('0.0', h='0.0')"), &["2 0.0.0.0"], &[]),
            (&bind("'0.0.0.0{}'.format(x)"), &[], &[]),
            (&bind("'0.0.0.0{}'.format()"), &[], &[]),
            (&bind("'%s.%s' % ('0.0', '0.0')"), &["2 0.0.0.0"], &[]),
            (&bind("'%s.0.0' % '0.0'"), &["2 0.0.0.0"], &[]),
            (&bind("'0.0.0.0%s' % x"), &[], &[]),
            (&bind("x + '0.0.0.0'"), &[], &[]),
            ("import socket\nsocket.socket().bind(('0.0.0.0',) + (1,))\n", &["2 0.0.0.0"], &[]),
            ("import os, socket\nsocket.socket().bind((os.getenv('H', default='0.0.0.0'), 1))\n", &["2 0.0.0.0"], &[]),
            ("import os, socket\nsocket.socket().bind((os.environ.get('H', '0.0.0.0'), 1))\n", &["2 0.0.0.0"], &[]),
        ]);
    }

    #[test]
    fn names_subscripts_and_attributes() {
        check(&[
            ("import socket\nADDR = ('0.0.0.0', 1)\nsocket.socket().bind((ADDR[0], 1))\n", &["2 0.0.0.0"], &[]),
            (
                "import socket\nADDR = ('10.0.0.1', '0.0.0.0')\nsocket.socket().bind((ADDR[1], 1))\n",
                &["2 0.0.0.0"],
                &[],
            ),
            ("import socket\nADDR = ('0.0.0.0', 1)\nsocket.socket().bind((ADDR[2], 1))\n", &[], &[]),
            ("import socket\nADDR = ('10.0.0.1', '0.0.0.0')\nsocket.socket().bind((ADDR[-1], 1))\n", &[], &[]),
            ("import socket\nA = (*rest, '0.0.0.0')\nsocket.socket().bind((A[0], 1))\n", &[], &[]),
            (
                "import socket\nC = {'a': '10.0.0.1', 'b': '0.0.0.0'}\nsocket.socket().bind((C['a'], 1))\nsocket.socket().bind((C['b'], 2))\n",
                &["2 0.0.0.0"],
                &[],
            ),
            (
                "from flask import Flask\nBASE = {'host': '0.0.0.0'}\nFlask(__name__).run(**{**BASE, 'port': 1})\n",
                &["2 0.0.0.0"],
                &[],
            ),
            ("import socket\nh, p = '0.0.0.0', 1\nsocket.socket().bind((h, p))\n", &["2 0.0.0.0"], &[]),
            (
                "import socket\nfor h in ['10.0.0.1', '0.0.0.0']:\n    socket.socket().bind((h, 1))\n",
                &["2 0.0.0.0"],
                &[],
            ),
            ("import socket\nfor h in {'0.0.0.0'}:\n    socket.socket().bind((h, 1))\n", &["2 0.0.0.0"], &[]),
            ("import socket\nfor h, p in [('0.0.0.0', 1)]:\n    socket.socket().bind((h, p))\n", &["2 0.0.0.0"], &[]),
            (
                "import socket\nclass H:\n    value = '0.0.0.0'\nsocket.socket().bind((H.value, 1))\n",
                &["3 0.0.0.0"],
                &[],
            ),
            ("import socket\nclass H:\n    value = '10.0.0.1'\nsocket.socket().bind((H.value, 1))\n", &[], &[]),
            (
                "import socket\nclass O:\n    pass\no = O()\no.host = '0.0.0.0'\nsocket.socket().bind((o.host, 1))\n",
                &["5 0.0.0.0"],
                &[],
            ),
            (
                "import socket\nclass A:\n    host = '10.0.0.1'\nargs = A()\nsocket.socket().bind((args.host, 1))\n",
                &[],
                &[],
            ),
        ]);
    }

    #[test]
    fn configuration_defaults() {
        let parser =
            "import argparse, socket\np = argparse.ArgumentParser()\np.add_argument('--host', default='0.0.0.0')\n";
        check(&[
            (&format!("{parser}args = p.parse_args()\nsocket.socket().bind((args.host, 1))\n"), &["3 0.0.0.0"], &[]),
            (
                &format!("{parser}args, rest = p.parse_known_args()\nsocket.socket().bind((args.host, 1))\n"),
                &["3 0.0.0.0"],
                &[],
            ),
            (&format!("{parser}socket.socket().bind((p.parse_args().host, 1))\n"), &["3 0.0.0.0"], &[]),
            (
                "import typer\nimport uvicorn\ndef main(host: str = typer.Option('0.0.0.0')):\n    uvicorn.run('app:app', host=host)\n",
                &["3 0.0.0.0"],
                &[],
            ),
            (
                "import typer\nimport uvicorn\ndef main(host: str = typer.Option(default='0.0.0.0')):\n    uvicorn.run('app:app', host=host)\n",
                &["3 0.0.0.0"],
                &[],
            ),
            (
                "import click, socket\n@click.command()\n@click.option('--host', default='0.0.0.0')\ndef main(host):\n    socket.socket().bind((host, 1))\n",
                &["3 0.0.0.0"],
                &[],
            ),
        ]);
    }

    #[test]
    fn options_declared_by_the_module_that_builds_the_parser() {
        let options = "import argparse\ndef get_parser():\n    parser = argparse.ArgumentParser()\n    \
                       group = parser.add_argument_group('web')\n    group.add_argument('--web-host', default='0.0.0.0')\n    \
                       parser.add_argument('--port', default=8089)\n    return parser\n";
        let main = |build: &str| {
            format!(
                "from gevent import pywsgi\nfrom options import get_parser\n{build}\
                 opts = parser.parse_args()\npywsgi.WSGIServer((opts.web_host, opts.port), None)\n"
            )
        };
        let found =
            |main: &str| crate::rules::tests::analyse(&[("options.py", options), ("main.py", main)], "main.py").found;
        assert_eq!(found(&main("parser = get_parser()\n")), ["options.py:5 0.0.0.0 sink main.py:5"]);
        assert_eq!(found(&main("import argparse\nparser = argparse.ArgumentParser()\n")), Vec::<String>::new());
    }

    #[test]
    fn the_host_of_a_parsed_url() {
        let serve = |url: &str| {
            format!(
                "import asyncio\nfrom urllib.parse import urlparse, urlsplit\nclass Server:\n    \
                 def __init__(self):\n        self.endpoint = {url}\n    async def start(self):\n        \
                 await asyncio.start_server(None, self.endpoint.hostname, 1)\n"
            )
        };
        check(&[
            (&serve("urlparse('opc.tcp://0.0.0.0:4840/ua/server/')"), &["5 0.0.0.0"], &[]),
            (&serve("urlsplit('http://user:pw@[::]:80/x')"), &["5 ::"], &[]),
            (&serve("urlparse('http://0.0.0.0')"), &["5 0.0.0.0"], &[]),
            (&serve("urlparse('http://127.0.0.1:80/0.0.0.0')"), &[], &[]),
            (&serve("urlparse('0.0.0.0:80')"), &[], &[]),
        ]);
    }

    #[test]
    fn instances_of_a_str_subclass_are_their_string() {
        let adjust = |base: &str| {
            format!(
                "class marker({base}):\n    pass\nclass Adjustments:\n    host = marker('0.0.0.0')\n    \
                 port = 8080\n    listen = [f'{{host}}:{{port}}']\n"
            )
        };
        check(&[
            (&adjust("str"), &["4 0.0.0.0"], &[]),
            (&adjust("bytes"), &[], &[]),
            (&adjust("str, Mixin"), &[], &[]),
            (&format!("str = object\n{}", adjust("str")), &[], &[]),
        ]);
    }

    #[test]
    fn commands_split_into_words() {
        let run = |cmd: &str| format!("import shlex, subprocess\nsubprocess.run({cmd})\n");
        check(&[
            (&run("'uvicorn app:app --host 0.0.0.0'.split()"), &["2 0.0.0.0"], &[]),
            (&run("shlex.split('uvicorn app:app --host 0.0.0.0')"), &["2 0.0.0.0"], &[]),
            // A word cut from a literal piece and a hole keeps its literal lead: the flag is
            // still read as written.
            (&run("shlex.split(f'waitress-serve --listen=0.0.0.0:{port} app:app')"), &["2 0.0.0.0"], &[]),
            (&run("shlex.split(f'waitress-serve --listen=127.0.0.1:{port} app:app')"), &[], &[]),
            (&run("shlex.split(f'waitress-serve --{flag}=0.0.0.0:8080 app:app')"), &[], &[]),
            (&run("'uvicorn app:app --host 0.0.0.0'.split(',')"), &[], &[]),
            (&run("'uvicorn app:app --host 0.0.0.0'.split(sep=',')"), &[], &[]),
        ]);
    }

    #[test]
    fn old_and_six_names_of_standard_servers() {
        let text = "from six.moves import socketserver\nfrom six.moves.BaseHTTPServer import HTTPServer\n\
                    import six.moves.xmlrpc_server as xs\nimport SocketServer\nfrom six.moves import configparser\n\
                    socketserver.TCPServer(('', 80), None)\nHTTPServer(('0.0.0.0', 8000), None)\n\
                    xs.SimpleXMLRPCServer(('::', 9000))\nSocketServer.UDPServer(('', 53), None)\n\
                    configparser.ConfigParser(('0.0.0.0', 1))\n";
        check(&[(text, &["6 ''", "7 0.0.0.0", "8 ::", "9 ''"], &[])]);
    }

    #[test]
    fn address_info_keeps_the_host() {
        let info = |call: &str| {
            format!("import socket\n{call}info = socket.getaddrinfo({{}})\nsocket.socket().bind(info[0][4])\n")
        };
        let with = |pre: &str, args: &str| info(pre).replace("{}", args);
        check(&[
            (&with("", "host='0.0.0.0', port=80"), &["2 0.0.0.0"], &[]),
            (&with("", "x and '0.0.0.0', 80"), &["2 0.0.0.0"], &[]),
            (&with("", "'0.0.0.0' and x, 80"), &[], &[]),
            // `host or None`: an empty host stays (`None` with AI_PASSIVE is all interfaces too).
            (&with("h = ''\n", "h or None, 80"), &["2 ''"], &[]),
            (&with("", "None, 80"), &[], &[]),
            (&with("", ""), &[], &[]),
        ]);
        // The first entry taken with `next(iter(…))`, returned with the family and unpacked into
        // a class attribute and the host (prometheus_client's `start_wsgi_server`).
        let best = |take: &str| {
            format!(
                "import socket\nfrom wsgiref.simple_server import make_server, WSGIServer\n\
                 def best(address, port):\n    infos = socket.getaddrinfo(address, port)\n    \
                 family, _, _, _, sockaddr = {take}\n    return family, sockaddr[0]\n\
                 def start(port, addr='0.0.0.0'):\n    WSGIServer.address_family, addr = best(addr, port)\n    \
                 make_server(addr, port, None)\n"
            )
        };
        check(&[
            (&best("next(iter(infos))"), &["7 0.0.0.0"], &[]),
            (&best("next(infos, None)"), &["7 0.0.0.0"], &[]),
            (&best("list(infos)[0]"), &["7 0.0.0.0"], &[]),
            (&best("tuple(infos)[0]"), &["7 0.0.0.0"], &[]),
            (&best("next(other)"), &[], &[]),
        ]);
    }

    #[test]
    fn arguments_reach_parameters() {
        let serve = "import socket\ndef serve(host='10.0.0.1'):\n    socket.socket().bind((host, 1))\n";
        check(&[
            (&format!("{serve}serve(**{{'host': '0.0.0.0'}})\n"), &["4 0.0.0.0 via 4"], &[]),
            (&format!("{serve}serve(**{{'port': '0.0.0.0'}})\n"), &[], &[]),
            (&format!("{serve}serve(*['0.0.0.0'])\n"), &[], &[]),
            (&format!("{serve}serve(host='0.0.0.0')\n"), &["4 0.0.0.0 via 4"], &[]),
            (
                "import socket\ndef serve(*, host='10.0.0.1'):\n    socket.socket().bind((host, 1))\nserve(host='0.0.0.0')\n",
                &["4 0.0.0.0 via 4"],
                &[],
            ),
            (
                "import socket\ndef serve(host='0.0.0.0'):\n    socket.socket().bind((host, 1))\nserve()\n",
                &["2 0.0.0.0 via 4"],
                &[],
            ),
            (
                "import socket\nasync def host():\n    return '0.0.0.0'\nasync def main():\n    socket.socket().bind((await host(), 1))\n",
                &["3 0.0.0.0"],
                &[],
            ),
        ]);
    }

    #[test]
    fn values_of_other_modules() {
        let files = |main: &'static str| {
            [
                ("main.py", main),
                ("conf.py", "HOST = '0.0.0.0'\n"),
                ("sinky.py", "import socket\nHOST = '0.0.0.0'\ndef serve(h):\n    socket.socket().bind((h, 1))\n"),
            ]
        };
        let found = |main| analyse(&files(main), "main.py").found;
        assert_eq!(
            found("import socket\nfrom conf import HOST\nsocket.socket().bind((HOST, 1))\n"),
            ["conf.py:1 0.0.0.0 sink main.py:3"]
        );
        assert_eq!(
            found("import socket\nimport sinky\nsocket.socket().bind((sinky.HOST, 1))\n"),
            ["sinky.py:2 0.0.0.0 sink main.py:3"]
        );
        assert_eq!(found("import sinky\nsinky.serve('0.0.0.0')\n"), ["main.py:2 0.0.0.0 via 2 sink sinky.py:4"]);
        // A module with no sink of its own is read for its values all the same.
        assert_eq!(
            found("import socket\nimport conf\nsocket.socket().bind((conf.HOST, 1))\n"),
            ["conf.py:1 0.0.0.0 sink main.py:3"]
        );
        assert_eq!(
            found("import socket\nimport conf as c\nsocket.socket().bind((c.HOST, 1))\n"),
            ["conf.py:1 0.0.0.0 sink main.py:3"]
        );
        assert_eq!(found("import socket\nimport conf\nsocket.socket().bind((conf.OTHER, 1))\n"), Vec::<String>::new());
        assert_eq!(found("import socket\nimport json\nsocket.socket().bind((json.HOST, 1))\n"), Vec::<String>::new());
    }
}
