//! What an expression *is*: a library name, an instance of a class, a class or function of the
//! project, a module — so that sinks are matched by what the code imports and calls, not by
//! variable names.
//!
//! Library types come from imports (`import x as y`, `from x import y as z`), constructor calls,
//! factory calls the rule knows ([`Knowledge`]), annotations, and returns of project factory
//! functions. Imports that name modules of the project are followed into them (re-exports
//! included), unless the rule knows the name as a library's. A project class is seen through its
//! own members first, then its project bases, then its first library base.

use crate::python::ast::{self, Expr};

use super::frames::{ArgFor, ArgVal, This, argument_for};
use super::index::{BindKind, Binding, ClassKey, Ctx, FuncKey, ModId};
use super::program::Need;
use super::state::{Knowledge, Limit, State};

/// How deep name, attribute and base-class chains are followed.
const MAX_HOPS: u32 = 64;
/// Alternatives kept when a callee may be one of several (`cls = A if x else B`).
const MAX_CALLEES: usize = 8;

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Ty {
    /// A library module, class or function, by qualified name (`flask.Flask`).
    Qual(String),
    /// An instance of a library class.
    Inst(String),
    /// Attribute `.1` of an instance of `.0` (`?` when the receiver is unknown).
    Bound(String, String),
    Class(ClassKey),
    Instance(ClassKey),
    Func(FuncKey),
    Module(ModId),
    Unknown,
}

/// What a call calls.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Callee {
    /// A library API, by the key the catalogue is matched with (`flask.Flask.run`, `?.bind`);
    /// `skip` leading arguments are not the API's own (`Base.__init__(self, …)`).
    Api { key: String, skip: usize },
    /// A function of the project.
    Function { func: FuncKey, bound: bool },
    /// The constructor of a project class (also `super().__init__(…)`); `skip` as for `Api`.
    Class { class: ClassKey, skip: usize },
}

pub(crate) struct Resolver<'s, 'x, 'p> {
    pub st: &'s State<'x, 'p>,
}

impl<'p> Resolver<'_, '_, 'p> {
    fn knowledge(&self) -> &dyn Knowledge {
        self.st.knowledge
    }

    pub(crate) fn ty(&self, e: &'p Expr, ctx: Ctx, hops: u32) -> Ty {
        if hops > MAX_HOPS {
            self.st.hit(Limit::Aliases);
            return Ty::Unknown;
        }
        // Types outside any call do not depend on the site being evaluated: each expression is
        // resolved once per file (a name bound in several branches of a loop would otherwise
        // be resolved again along every path).
        let key = (std::ptr::from_ref(e) as usize | usize::from(self.st.precise.get()), ctx);
        if ctx.frame == super::index::NO_FRAME
            && let Some(known) = self.st.types.borrow().get(&key)
        {
            return known.clone();
        }
        if !self.st.spend() {
            return Ty::Unknown;
        }
        if ctx.frame == super::index::NO_FRAME {
            self.st.types.borrow_mut().insert(key, Ty::Unknown);
        }
        let t = self.ty_uncached(e, ctx, hops);
        if ctx.frame == super::index::NO_FRAME {
            self.st.types.borrow_mut().insert(key, t.clone());
        }
        t
    }

    fn ty_uncached(&self, e: &'p Expr, ctx: Ctx, hops: u32) -> Ty {
        match e {
            Expr::Name(n) => self.name_ty(n.id.as_str(), ctx, hops),
            Expr::Attribute(a) => self.attr_ty(&a.value, a.attr.as_str(), ctx, hops),
            Expr::Call(c) => self.call_ty(c, ctx, hops),
            Expr::Await(a) => self.ty(&a.value, ctx, hops + 1),
            _ => Ty::Unknown,
        }
    }

    /// Every type `e` may have at a call: each reaching binding, each branch of a conditional.
    pub(crate) fn tys(&self, e: &'p Expr, ctx: Ctx, hops: u32) -> Vec<Ty> {
        if hops > MAX_HOPS {
            self.st.hit(Limit::Aliases);
            return Vec::new();
        }
        let mut out: Vec<Ty> = Vec::new();
        let mut add = |t: Ty| {
            if t != Ty::Unknown && !out.contains(&t) && out.len() < MAX_CALLEES {
                out.push(t);
            }
        };
        match e {
            Expr::Name(n) if hops < 4 => {
                for b in self.st.index(ctx.module).reaching(n.id.as_str(), ctx) {
                    match &b.kind {
                        BindKind::Value(v) => {
                            self.tys(v, b.ctx.in_frame(ctx.frame), hops + 1).into_iter().for_each(&mut add);
                        }
                        _ => add(self.binding_ty(b, ctx, hops + 1)),
                    }
                }
            }
            // The branches of conditions are as many as the expression is long: no bound of
            // their own beyond the hops (a name's bindings fan out, so those stop sooner).
            Expr::If(i) => {
                self.tys(&i.body, ctx, hops + 1).into_iter().for_each(&mut add);
                self.tys(&i.orelse, ctx, hops + 1).into_iter().for_each(&mut add);
            }
            Expr::BoolOp(b) => {
                for v in &b.values {
                    self.tys(v, ctx, hops + 1).into_iter().for_each(&mut add);
                }
            }
            other => add(self.ty(other, ctx, hops)),
        }
        out
    }

    fn name_ty(&self, name: &str, ctx: Ctx, hops: u32) -> Ty {
        self.st
            .index(ctx.module)
            .reaching(name, ctx)
            .into_iter()
            .map(|b| self.binding_ty(b, ctx, hops + 1))
            .find(|t| *t != Ty::Unknown)
            .unwrap_or(Ty::Unknown)
    }

    /// The type of a binding as seen from `at` (whose frame binds parameters).
    pub(crate) fn binding_ty(&self, b: &Binding<'p>, at: Ctx, hops: u32) -> Ty {
        let module = b.ctx.module;
        let ctx = b.ctx.in_frame(at.frame);
        match &b.kind {
            BindKind::Import(q) => self.import_ty(q, module, hops),
            BindKind::Class(c) => Ty::Class(ClassKey { module, class: *c }),
            BindKind::Func(f) => Ty::Func(FuncKey { module, func: *f }),
            BindKind::Value(v) => self.ty(v, ctx, hops),
            BindKind::WithAs(v) => self.with_ty(v, ctx, hops),
            BindKind::Param(p) => {
                if p.is_self.is_some()
                    && let Some(class) = self.instance_of(FuncKey { module, func: p.func }, at)
                {
                    return Ty::Instance(class);
                }
                if let Some(t) = self.argument_ty(FuncKey { module, func: p.func }, p, at, hops) {
                    return t;
                }
                if let Some(class) = p.is_self {
                    return Ty::Instance(ClassKey { module, class });
                }
                if let Some(a) = p.annotation {
                    let t = self.annotation_ty(a, ctx, hops);
                    if t != Ty::Unknown {
                        return t;
                    }
                }
                p.default.map_or(Ty::Unknown, |d| self.ty(d, ctx, hops))
            }
            _ => Ty::Unknown,
        }
    }

    /// The class an inherited method runs for, when the frames of `at` run it so.
    fn instance_of(&self, func: FuncKey, at: Ctx) -> Option<ClassKey> {
        let frames = self.st.frames.borrow();
        match frames.get(frames.find(at.frame, func)?)?.this {
            This::Of(class) => Some(class),
            _ => None,
        }
    }

    /// The type of what the enclosing call passes for a parameter.
    fn argument_ty(&self, func: FuncKey, param: &super::index::Param<'p>, at: Ctx, hops: u32) -> Option<Ty> {
        let arg = {
            let frames = self.st.frames.borrow();
            let frame = frames.get(frames.find(at.frame, func)?)?;
            match argument_for(frame, param)? {
                ArgFor::One(ArgVal::Expr(e, c)) => Some((*e, *c)),
                _ => None,
            }
        };
        let (e, c) = arg?;
        Some(self.ty(e, c, hops + 1)).filter(|t| *t != Ty::Unknown)
    }

    fn import_ty(&self, q: &str, module: ModId, hops: u32) -> Ty {
        if self.knowledge().knows(q) {
            return Ty::Qual(q.to_owned());
        }
        let need = if self.st.precise.get() { Need::Precise } else { Need::Type };
        let resolved = self.st.program.resolve_import(module, q, need);
        let found = resolved.map(|r| {
            let mut t = Ty::Module(r.module);
            for attr in &r.attrs {
                // A name the module does not define: the import names nothing of the project
                // (not an attribute of an unknown object).
                if t == Ty::Unknown {
                    break;
                }
                t = self.member_of(t, attr, hops + 1);
            }
            t
        });
        match found {
            Some(t) if t != Ty::Unknown => t,
            // Relative or absolute alike: a module not in the project is judged by the call's
            // shape (an entry point is then resolved precisely, wherever it leads).
            _ => Ty::Qual(q.to_owned()),
        }
    }

    /// `with closing(x) as s` is `x`; other context managers are taken to return themselves.
    fn with_ty(&self, v: &'p Expr, ctx: Ctx, hops: u32) -> Ty {
        if let Expr::Call(c) = v
            && let Some(inner) = c.arguments.args.first()
            && self.ty(&c.func, ctx, hops + 1) == Ty::Qual("contextlib.closing".into())
        {
            return self.ty(inner, ctx, hops + 1);
        }
        self.ty(v, ctx, hops + 1)
    }

    pub(crate) fn annotation_ty(&self, a: &'p Expr, ctx: Ctx, hops: u32) -> Ty {
        match a {
            Expr::BinOp(b) => {
                let left = self.annotation_ty(&b.left, ctx, hops + 1);
                if left == Ty::Unknown { self.annotation_ty(&b.right, ctx, hops + 1) } else { left }
            }
            Expr::Subscript(s) => self.annotation_ty(&s.slice, ctx, hops + 1),
            _ => match self.ty(a, ctx, hops + 1) {
                Ty::Qual(q) => Ty::Inst(q),
                Ty::Class(c) => Ty::Instance(c),
                _ => Ty::Unknown,
            },
        }
    }

    fn attr_ty(&self, value: &'p Expr, attr: &str, ctx: Ctx, hops: u32) -> Ty {
        let t = self.ty(value, ctx, hops + 1);
        self.member_of(t, attr, hops)
    }

    fn member_of(&self, t: Ty, attr: &str, hops: u32) -> Ty {
        match t {
            Ty::Qual(q) => Ty::Qual(format!("{q}.{attr}")),
            Ty::Inst(c) => Ty::Bound(c, attr.to_string()),
            Ty::Instance(c) | Ty::Class(c) => self.member_ty(c, attr, hops),
            Ty::Module(m) => self.module_attr_ty(m, attr, hops),
            Ty::Unknown => Ty::Bound("?".into(), attr.to_string()),
            _ => Ty::Unknown,
        }
    }

    /// A name defined by a module of the project, or its submodule.
    pub(crate) fn module_attr_ty(&self, module: ModId, attr: &str, hops: u32) -> Ty {
        let end = Ctx { module, scope: 0, block: 0, pos: u32::MAX, frame: super::index::NO_FRAME };
        let bindings = self.st.index(module).exported(attr);
        if let Some(t) = bindings.iter().map(|b| self.binding_ty(b, end, hops + 1)).find(|t| *t != Ty::Unknown) {
            return t;
        }
        if !bindings.is_empty() {
            return Ty::Unknown;
        }
        self.st.program.submodule(module, attr).map_or(Ty::Unknown, Ty::Module)
    }

    /// An attribute of a project class: its own definitions first, then its project bases, then
    /// its library base.
    fn member_ty(&self, class: ClassKey, attr: &str, hops: u32) -> Ty {
        if hops > MAX_HOPS {
            self.st.hit(Limit::Aliases);
            return Ty::Unknown;
        }
        let ix = self.st.index(class.module);
        let own = ix.class_attr(class.class, attr);
        let end = Ctx { module: class.module, scope: 0, block: 0, pos: u32::MAX, frame: super::index::NO_FRAME };
        if let Some(t) = own.iter().map(|b| self.binding_ty(b, end, hops + 1)).find(|t| *t != Ty::Unknown) {
            return t;
        }
        if !own.is_empty() {
            return Ty::Unknown;
        }
        for base in self.local_bases(class, hops) {
            let t = self.member_ty(base, attr, hops + 1);
            if t != Ty::Unknown {
                return t;
            }
        }
        match self.base_of(class, hops) {
            Some(base) => Ty::Bound(base, attr.to_string()),
            None => Ty::Unknown,
        }
    }

    /// The project classes `class` derives from, in order.
    pub(crate) fn local_bases(&self, class: ClassKey, hops: u32) -> Vec<ClassKey> {
        let info = &self.st.index(class.module).classes[class.class as usize];
        let Some(args) = info.def.arguments.as_deref() else { return Vec::new() };
        args.args
            .iter()
            .filter_map(|base| match self.ty(base, info.ctx, hops + 1) {
                Ty::Class(c) if c != class => Some(c),
                _ => None,
            })
            .collect()
    }

    /// The class and its project bases, breadth first, 16 classes at most.
    pub(crate) fn class_and_bases(&self, class: ClassKey) -> Vec<ClassKey> {
        let mut out = vec![class];
        let mut i = 0;
        while i < out.len() && out.len() < 16 {
            for base in self.local_bases(out[i], 0) {
                if !out.contains(&base) {
                    out.push(base);
                }
            }
            i += 1;
        }
        out
    }

    /// The first library base class of a project class, following project bases.
    pub(crate) fn base_of(&self, class: ClassKey, hops: u32) -> Option<String> {
        if hops > MAX_HOPS {
            self.st.hit(Limit::Aliases);
            return None;
        }
        let info = &self.st.index(class.module).classes[class.class as usize];
        let args = info.def.arguments.as_deref()?;
        for base in &args.args {
            match self.ty(base, info.ctx, hops + 1) {
                Ty::Qual(q) => return Some(q),
                Ty::Class(c) if c != class => {
                    if let Some(q) = self.base_of(c, hops + 1) {
                        return Some(q);
                    }
                }
                _ => {}
            }
        }
        None
    }

    fn call_ty(&self, c: &'p ast::ExprCall, ctx: Ctx, hops: u32) -> Ty {
        match self.ty(&c.func, ctx, hops + 1) {
            Ty::Qual(q) => Ty::Inst(self.knowledge().factory(&q).map(str::to_string).unwrap_or(q)),
            Ty::Bound(t, m) => match self.knowledge().bound_factory(&t, &m) {
                Some("=") => Ty::Inst(t),
                Some(ret) => Ty::Inst(ret.to_string()),
                None => Ty::Unknown,
            },
            Ty::Class(k) => Ty::Instance(k),
            Ty::Func(f) => self.returns_ty(f, hops),
            _ => Ty::Unknown,
        }
    }

    fn returns_ty(&self, f: FuncKey, hops: u32) -> Ty {
        let info = &self.st.index(f.module).funcs[f.func as usize];
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

    /// What a call calls: every alternative (`cls = TCPServer if tcp else UDPServer`).
    pub(crate) fn callees_of(&self, func: &'p Expr, ctx: Ctx) -> Vec<Callee> {
        if let Expr::Attribute(a) = func
            && a.attr.as_str() == "__init__"
        {
            return self.init_callees(&a.value, ctx);
        }
        let bound = matches!(func, Expr::Attribute(a) if matches!(self.ty(&a.value, ctx, 1), Ty::Instance(_)));
        let mut out = Vec::new();
        for t in self.tys(func, ctx, 0) {
            match t {
                Ty::Qual(q) => out.push(Callee::Api { key: q, skip: 0 }),
                Ty::Bound(t, m) => out.push(Callee::Api { key: format!("{t}.{m}"), skip: 0 }),
                Ty::Class(k) => {
                    out.push(Callee::Class { class: k, skip: 0 });
                    if let Some(base) = self.base_of(k, 0) {
                        out.push(Callee::Api { key: base, skip: 0 });
                    }
                }
                Ty::Func(f) => out.push(Callee::Function { func: f, bound }),
                _ => {}
            }
        }
        out
    }

    /// The catalogue keys an object's type can be matched with (`config` in `config.bind = …`).
    pub(crate) fn callee_keys(&self, e: &'p Expr, ctx: Ctx) -> Vec<String> {
        let mut out = Vec::new();
        for t in self.tys(e, ctx, 0) {
            let key = match t {
                Ty::Qual(q) | Ty::Inst(q) => Some(q),
                Ty::Bound(t, m) => Some(format!("{t}.{m}")),
                Ty::Class(k) | Ty::Instance(k) => self.base_of(k, 0),
                _ => None,
            };
            if let Some(key) = key.filter(|k| !out.contains(k)) {
                out.push(key);
            }
        }
        out
    }

    /// `super().__init__(…)` and `Base.__init__(self, …)`: the base class's constructor.
    fn init_callees(&self, owner: &'p Expr, ctx: Ctx) -> Vec<Callee> {
        let (classes, skip) = match owner {
            Expr::Call(s) if matches!(&*s.func, Expr::Name(n) if n.id.as_str() == "super") => {
                (self.enclosing_bases(ctx), 0)
            }
            other => (self.tys(other, ctx, 0), 1),
        };
        let mut out = Vec::new();
        for t in classes {
            match t {
                Ty::Qual(q) => out.push(Callee::Api { key: q, skip }),
                Ty::Class(k) => {
                    out.push(Callee::Class { class: k, skip });
                    if let Some(base) = self.base_of(k, 0) {
                        out.push(Callee::Api { key: base, skip });
                    }
                }
                _ => {}
            }
        }
        out
    }

    /// The direct bases of the class whose method holds `ctx`.
    fn enclosing_bases(&self, ctx: Ctx) -> Vec<Ty> {
        let ix = self.st.index(ctx.module);
        let Some(class) = ix.scopes.get(ctx.scope as usize).and_then(|s| s.class) else { return Vec::new() };
        let info = &ix.classes[class as usize];
        let Some(args) = info.def.arguments.as_deref() else { return Vec::new() };
        args.args.iter().map(|b| self.ty(b, info.ctx, 1)).filter(|t| *t != Ty::Unknown).collect()
    }
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;

    use super::super::state::Limit;
    use super::MAX_HOPS;
    use crate::rules::tests::analyse_one;

    fn found(text: &str) -> (Vec<String>, Vec<Limit>) {
        let got = analyse_one(text);
        (got.found, got.limits)
    }

    #[test]
    fn a_server_class_picked_by_or_or_by_a_condition() {
        let picked = |how: &str| format!("import socketserver\ncls = {how}\ncls(('0.0.0.0', 80), H)\n");
        let hit = (vec!["main.py:3 0.0.0.0".to_owned()], vec![]);
        assert_eq!(found(&picked("custom or socketserver.TCPServer")), hit);
        assert_eq!(found(&picked("socketserver.TCPServer if tcp else socketserver.UDPServer")), hit);
        // Conditions inside conditions: as deep as the hops go, then the limit is reported.
        let nested = |n: usize| {
            let mut how = String::from("socketserver.TCPServer");
            for i in 0..n {
                how = format!("(A{i} if c{i} else {how})");
            }
            picked(&how)
        };
        let n = MAX_HOPS as usize;
        assert_eq!(found(&nested(n - 2)), hit);
        assert_eq!(found(&nested(n + 2)), (vec![], vec![Limit::Aliases]));
        let in_body = |n: usize| {
            let mut how = String::from("socketserver.TCPServer");
            for i in 0..n {
                how = format!("({how} if c{i} else A{i})");
            }
            picked(&how)
        };
        assert_eq!(found(&in_body(n - 2)), hit);
        assert_eq!(found(&in_body(n + 2)), (vec![], vec![Limit::Aliases]));
    }

    #[test]
    fn a_class_named_as_its_own_base_ends_the_search() {
        let text = "import socketserver\nclass Loop(Loop):\n    pass\nLoop(('0.0.0.0', 1), H)\nclass S(socketserver.TCPServer):\n    pass\nclass S(S):\n    pass\nS(('::', 1), H)\n";
        assert_eq!(found(text), (vec!["main.py:9 ::".to_owned()], vec![]));
    }

    #[test]
    fn calls_of_calls_and_annotations_count_as_hops() {
        let calls = |n: usize| format!("import socket\ns = socket.socket{}\ns.bind(('0.0.0.0', 1))\n", "()".repeat(n));
        assert_eq!(found(&calls(1)), (vec!["main.py:3 0.0.0.0".to_owned()], vec![]));
        assert_eq!(found(&calls(MAX_HOPS as usize + 2)).1, vec![Limit::Aliases]);
        let annotated = |n: usize| {
            let mut ann = String::from("socket.socket");
            for _ in 0..n {
                ann = format!("None | ({ann})");
            }
            format!("import socket\ndef serve(s: {ann}):\n    s.bind(('0.0.0.0', 1))\n")
        };
        assert_eq!(found(&annotated(8)), (vec!["main.py:3 0.0.0.0".to_owned()], vec![]));
        let left =
            format!("import socket\ndef serve(s: {}socket.socket):\n    s.bind(('0.0.0.0', 1))\n", "None | ".repeat(8));
        assert_eq!(found(&left), (vec!["main.py:3 0.0.0.0".to_owned()], vec![]));
        let optional = |n: usize| {
            let ann = format!("{}socket.socket{}", "Optional[".repeat(n), "]".repeat(n));
            format!("import socket\nfrom typing import Optional\ndef serve(s: {ann}):\n    s.bind(('0.0.0.0', 1))\n")
        };
        assert_eq!(found(&optional(8)), (vec!["main.py:4 0.0.0.0".to_owned()], vec![]));
    }

    #[test]
    fn an_import_of_a_module_not_in_the_project_is_judged_by_shape_relative_or_not() {
        use crate::rules::tests::analyse;
        for main in [
            "from .missing import run\nrun(host='0.0.0.0')\n",
            "from missing import run\nrun(host='0.0.0.0')\n",
            "from .missing import app\napp.run(host='0.0.0.0')\n",
            "from . import missing\nmissing.app.run(host='0.0.0.0')\n",
        ] {
            let got = analyse(&[("pkg/__init__.py", ""), ("pkg/main.py", main)], "pkg/main.py");
            assert_eq!(got.found, ["pkg/main.py:2 0.0.0.0"], "{main}");
        }
        // A project module that is there is what it is: a `run` that only connects.
        let client = "import socket\ndef run(host):\n    socket.create_connection((host, 1))\n";
        let main = "from .client import run\nrun(host='0.0.0.0')\n";
        let got = analyse(&[("pkg/__init__.py", ""), ("pkg/client.py", client), ("pkg/main.py", main)], "pkg/main.py");
        assert_eq!(got.found, Vec::<String>::new());
    }

    #[test]
    fn a_relative_import_is_the_sibling_not_a_module_of_the_same_name_at_the_top() {
        use crate::rules::tests::analyse;
        let main = "import socket\nfrom .conf import HOST\nsocket.socket().bind((HOST, 1))\n";
        let files = [
            ("pkg/__init__.py", ""),
            ("pkg/main.py", main),
            ("pkg/conf.py", "HOST = '0.0.0.0'\n"),
            ("conf.py", "HOST = '127.0.0.1'\n"),
        ];
        assert_eq!(analyse(&files, "pkg/main.py").found, ["pkg/conf.py:1 0.0.0.0 sink pkg/main.py:3"]);
        let absolute = "import socket\nfrom conf import HOST\nsocket.socket().bind((HOST, 1))\n";
        let files = [files[0], ("pkg/main.py", absolute), files[2], files[3]];
        assert_eq!(analyse(&files, "pkg/main.py").found, Vec::<String>::new());
    }

    #[test]
    fn class_attributes_are_found_up_a_deep_hierarchy() {
        let hierarchy = |n: usize| {
            let mut text = String::from("import socket\nclass C0:\n    factory = socket.socket\n");
            for i in 1..n {
                let _ = write!(text, "class C{i}(C{}):\n    pass\n", i - 1);
            }
            let _ = writeln!(text, "C{}.factory().bind(('0.0.0.0', 1))", n - 1);
            text
        };
        let text = hierarchy(20);
        let line = text.lines().count();
        assert_eq!(found(&text), (vec![format!("main.py:{line} 0.0.0.0")], vec![]));
    }

    #[test]
    fn awaits_count_as_hops_of_the_type_chain() {
        let awaited = |n: usize| {
            let inner = format!("{}socket.socket(){}", "(await ".repeat(n), ")".repeat(n));
            format!("import socket\nasync def main():\n    s = {inner}\n    s.bind(('0.0.0.0', 1))\n")
        };
        let n = MAX_HOPS as usize;
        assert_eq!(found(&awaited(3)), (vec!["main.py:4 0.0.0.0".to_owned()], vec![]));
        assert_eq!(found(&awaited(n - 4)), (vec!["main.py:4 0.0.0.0".to_owned()], vec![]));
        assert_eq!(found(&awaited(n + 2)).1, vec![Limit::Aliases]);
    }
}
