//! Sinks reached through the project's own functions and classes.
//!
//! A function's *summary* lists the sites in its body whose address reads one of its parameters
//! (found by evaluating each site once with no call around it and noting which parameters were
//! read). A class's constructor summary lists the sites of its methods that read the
//! constructor's parameters (through `self.x = x`). At a call of the function or the class, each
//! listed site is evaluated again in a frame of that call, so a literal passed by the caller is
//! reported where it is written, with the sink inside the helper and the call as the path.

use rustc_hash::FxHashMap as HashMap;
use std::cell::RefCell;
use std::rc::Rc;

use crate::python::ast;

use super::engine::frames::{ArgVal, CallArgs, Frame, This};
use super::engine::index::{ClassKey, Ctx, FuncKey, ModId, Site};
use super::engine::names;
use super::engine::strings::range;
use super::sites::{Raw, Sites};

/// The sites a function or constructor passes its parameters to.
type Summary<'p> = Rc<Vec<(Site<'p>, Ctx)>>;

/// A site by its module and position in the module's sites.
type SiteId = (ModId, u32);

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Key {
    Func(FuncKey),
    Ctor(ClassKey),
}

impl Key {
    fn module(self) -> ModId {
        match self {
            Key::Func(f) => f.module,
            Key::Ctor(c) => c.module,
        }
    }

    /// The key the run's shared summaries use.
    fn shared(self) -> (u8, ModId, u32) {
        match self {
            Key::Func(f) => (0, f.module, f.func),
            Key::Ctor(c) => (1, c.module, c.class),
        }
    }
}

/// Summaries computed so far in one analysis; a summary being computed counts as empty for the
/// calls it makes to itself (recursion).
#[derive(Default)]
pub(crate) struct Summaries<'p> {
    memo: RefCell<HashMap<Key, Summary<'p>>>,
}

impl<'p> Sites<'_, '_, '_, 'p> {
    /// A call of a project function: its summarised sites in a frame of the call.
    pub(crate) fn through_function(
        &self,
        func: FuncKey,
        receiver: Option<ArgVal<'p>>,
        args: CallArgs<'p>,
        c: &'p ast::ExprCall,
        ctx: Ctx,
        out: &mut Vec<Raw<'p>>,
    ) {
        let summary = self.summary(Key::Func(func));
        if summary.is_empty() {
            return;
        }
        let this = receiver.map_or(This::Nothing, This::Receiver);
        self.in_frame(Frame { func, args, this, site: (ctx.module, range(c)), parent: ctx.frame }, &summary, out);
    }

    /// A constructor call of a project class (or `super().__init__(…)`).
    pub(crate) fn through_constructor(
        &self,
        class: ClassKey,
        args: CallArgs<'p>,
        c: &'p ast::ExprCall,
        ctx: Ctx,
        out: &mut Vec<Raw<'p>>,
    ) {
        let Some((_, init)) = self.constructor(class) else { return };
        let summary = self.summary(Key::Ctor(class));
        if summary.is_empty() {
            return;
        }
        let frame = Frame { func: init, args, this: This::Instance, site: (ctx.module, range(c)), parent: ctx.frame };
        self.in_frame(frame, &summary, out);
    }

    /// Whether a call of the function may reach a sink (its summary is not empty).
    pub(crate) fn reaches_through_function(&self, func: FuncKey) -> bool {
        !self.summary(Key::Func(func)).is_empty()
    }

    /// Whether a constructor call of the class may reach a sink.
    pub(crate) fn reaches_through_constructor(&self, class: ClassKey) -> bool {
        self.constructor(class).is_some() && !self.summary(Key::Ctor(class)).is_empty()
    }

    /// The class that defines the constructor `class` runs (its own, or a project base's), and
    /// that constructor.
    fn constructor(&self, class: ClassKey) -> Option<(ClassKey, FuncKey)> {
        let mut at = class;
        for _ in 0..16 {
            let ix = self.flow.st.index(at.module);
            if let Some(init) = ix.method(at.class, "__init__") {
                return Some((at, FuncKey { module: at.module, func: init }));
            }
            at = *self.flow.res.local_bases(at, 0).first()?;
        }
        None
    }

    /// Evaluates a summary's sites in a frame of the call.
    fn in_frame(&self, frame: Frame<'p>, summary: &[(Site<'p>, Ctx)], out: &mut Vec<Raw<'p>>) {
        let Some(id) = self.flow.enter(frame) else { return };
        for (site, site_ctx) in summary {
            self.site(*site, site_ctx.in_frame(id), out);
        }
    }

    fn summary(&self, key: Key) -> Summary<'p> {
        if let Some(known) = self.summaries.memo.borrow().get(&key) {
            return known.clone();
        }
        self.summaries.memo.borrow_mut().insert(key, Rc::new(Vec::new()));
        let shared = key.shared();
        let project = self.flow.st.program.project();
        let ids = if let Some(ids) = project.summary(shared) {
            ids
        } else {
            let ids: std::sync::Arc<[SiteId]> = self.computed(key).into();
            project.keep_summary(shared, ids.clone());
            ids
        };
        let summary = Rc::new(ids.iter().map(|&(m, i)| self.flow.st.index(m).sites[i as usize]).collect());
        self.summaries.memo.borrow_mut().insert(key, Rc::clone(&summary));
        summary
    }

    /// A summary computed here, when the module may reach a sink at all.
    fn computed(&self, key: Key) -> Vec<SiteId> {
        if !self.flow.st.program.may_reach_sinks(key.module()) {
            return Vec::new();
        }
        // A summary is computed once: its work is its own, not the budget of the site that
        // first needed it.
        let fuel = self.flow.st.take_fuel();
        let summary = self.compute(key);
        self.flow.st.restore_fuel(fuel);
        summary
    }

    /// Evaluates each candidate site with no frame and keeps those that read the parameters.
    fn compute(&self, key: Key) -> Vec<SiteId> {
        let reads = match key {
            Key::Func(f) => f,
            Key::Ctor(class) => match self.constructor(class) {
                Some((_, init)) => init,
                None => return Vec::new(),
            },
        };
        let mut kept = Vec::new();
        for (id, (site, ctx)) in self.candidates(key) {
            let outer = self.flow.st.touched.replace(Some(Vec::new()));
            let mut scratch = Vec::new();
            self.site(site, ctx, &mut scratch);
            let touched = self.flow.st.touched.replace(outer).unwrap_or_default();
            if touched.iter().any(|(f, _)| *f == reads) {
                kept.push(id);
            }
            let mut outer = self.flow.st.touched.borrow_mut();
            if let Some(outer) = outer.as_mut() {
                outer.extend(touched.into_iter().filter(|(f, _)| *f != reads));
            }
        }
        kept
    }

    /// The sites a summary considers: those directly in the function's body, or in any method
    /// of the class and of its project bases for a constructor — and among them only those
    /// whose inputs read a parameter (or `self`), directly or through the function's locals.
    fn candidates(&self, key: Key) -> Vec<(SiteId, (Site<'p>, Ctx))> {
        let funcs: Vec<(ModId, usize)> = match key {
            Key::Func(f) => vec![(f.module, f.func as usize)],
            Key::Ctor(class) => self
                .flow
                .res
                .class_and_bases(class)
                .into_iter()
                .flat_map(|k| {
                    let ix = self.flow.st.index(k.module);
                    (0..ix.funcs.len())
                        .filter(move |&i| {
                            let scope = &ix.scopes[ix.funcs[i].scope as usize];
                            scope.class == Some(k.class) && scope.func.is_some_and(|f| f as usize == i)
                        })
                        .map(move |i| (k.module, i))
                })
                .collect(),
        };
        let mut out = Vec::new();
        for (module, func) in funcs {
            let ix = self.flow.st.index(module);
            let info = &ix.funcs[func];
            let params = info.def.parameters.iter().map(|p| p.name().as_str());
            let tainted = names::tainted(ix, info.scope, params);
            for &i in &ix.in_scope[info.scope as usize].sites {
                let (site, ctx) = ix.sites[i];
                if reads(&site, &tainted) {
                    out.push(((module, i as u32), (site, ctx)));
                }
            }
        }
        out
    }
}

/// Whether a site's inputs read one of `names`.
fn reads(site: &Site<'_>, names: &std::collections::HashSet<&str>) -> bool {
    match site {
        Site::Call(c) => names::call_inputs(c).any(|e| names::reads_any(e, names)),
        Site::Assign { value, .. } | Site::DictKey { value, .. } => names::reads_any(value, names),
        Site::Keyword { keyword, .. } => names::reads_any(&keyword.value, names),
    }
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;

    use crate::rules::Options;
    use crate::rules::tests::{analyse, analyse_one, analyse_with};

    fn found(text: &str) -> Vec<String> {
        let got = analyse_one(text);
        assert_eq!(got.limits, [], "{text}");
        got.found
    }

    /// A hierarchy `Top(C{n-1})`, …, `C1(C0)`: `C{init}` defines the constructor that stores the
    /// host, `C{sink}` the method that binds it.
    fn hierarchy(n: usize, init: usize, sink: usize) -> String {
        let mut t = String::from("import socket\n");
        for i in 0..n {
            let base = if i == 0 { String::new() } else { format!("(C{})", i - 1) };
            let _ = write!(t, "class C{i}{base}:\n    x = 1\n");
            if i == init {
                t.push_str("    def __init__(self, host):\n        self.host = host\n");
            }
            if i == sink {
                t.push_str("    def start(self):\n        socket.socket().bind((self.host, 1))\n");
            }
        }
        t + &format!("class Top(C{}):\n    pass\nTop('0.0.0.0')\n", n - 1)
    }

    #[test]
    fn constructors_and_methods_of_project_bases() {
        let at = |t: &str| format!("main.py:{} 0.0.0.0 via {}", t.lines().count(), t.lines().count());
        // Top and 15 bases: the constructor and the sink are 16 classes up.
        let deepest = hierarchy(15, 0, 0);
        assert_eq!(found(&deepest), [at(&deepest)]);
        let beyond = hierarchy(16, 0, 0);
        assert_eq!(found(&beyond), Vec::<String>::new(), "no further than 16 classes");
        let both = hierarchy(20, 5, 5);
        assert_eq!(found(&both), [at(&both)]);
        // A base's method reads what a subclass's constructor stores (the instance is the
        // subclass's).
        let sink_above = hierarchy(20, 10, 6);
        assert_eq!(found(&sink_above), [at(&sink_above)]);
        let sink_below = hierarchy(6, 2, 4);
        assert_eq!(found(&sink_below), [at(&sink_below)], "a method of a subclass of the constructor's class");
    }

    #[test]
    fn a_helper_calls_the_server_class_its_caller_gives() {
        let text = "import socketserver\ndef setup(server_class, addr, handler=None):\n    \
                    return server_class(addr, handler)\n\
                    setup(socketserver.TCPServer, ('0.0.0.0', 1))\n\
                    setup(socketserver.UnixStreamServer, '/run/x.sock')\n\
                    setup(print, ('0.0.0.0', 2))\n\
                    def call(make, addr):\n    return make(addr)\ncall(socketserver.TCPServer, ('0.0.0.0', 4))\n\
                    class Wrapper:\n    server_class = socketserver.UDPServer\n    \
                    def __init__(self, addr):\n        self.server = setup(self.server_class, addr)\n\
                    Wrapper(('', 3))\n";
        assert_eq!(found(text), ["main.py:14 '' via 13,14", "main.py:4 0.0.0.0 via 4"], "callbacks are not followed");
    }

    #[test]
    fn keyword_arguments_forwarded_through_kwargs() {
        let text = "import socketserver\nclass Runner:\n    def __init__(self, env, host, port=1):\n        \
                    self.server = socketserver.TCPServer((host, port), None)\n\
                    def create(runner_class, env=None, **kwargs):\n    return runner_class(env, **kwargs)\n\
                    def named(env=None, **kwargs):\n    return Runner(env, **kwargs)\n\
                    create(Runner, host='', port=2)\ncreate(Runner, env='0.0.0.0', host='127.0.0.1')\n\
                    named(host='0.0.0.0')\nnamed(**{'host': '::'})\nnamed(env='::', host='localhost')\n\
                    def taken(host=None, **kwargs):\n    return Runner(None, **kwargs)\ntaken(host='0.0.0.0', port=3)\n";
        assert_eq!(found(text), ["main.py:11 0.0.0.0 via 8,11", "main.py:12 :: via 8,12", "main.py:9 '' via 6,9"]);
    }

    #[test]
    fn at_most_16_classes_are_searched_for_sinks() {
        // `Top(A, M1, …)`: the constructor and the sink are in `C`, the base of `A`, which comes
        // after the mixins in the breadth-first order of the bases.
        let mixins = |n: usize| {
            let mut t = String::from(
                "import socket\nclass C:\n    def __init__(self, host):\n        self.host = host\n    def start(self):\n        socket.socket().bind((self.host, 1))\nclass A(C):\n    pass\n",
            );
            let names: Vec<String> = (1..=n).map(|i| format!("M{i}")).collect();
            for m in &names {
                let _ = write!(t, "class {m}:\n    pass\n");
            }
            t + &format!("class Top(A, {}):\n    pass\nTop('0.0.0.0')\n", names.join(", "))
        };
        let last = |t: &str| format!("main.py:{n} 0.0.0.0 via {n}", n = t.lines().count());
        let within = mixins(13);
        assert_eq!(found(&within), [last(&within)], "Top, A, 13 mixins and C");
        assert_eq!(found(&mixins(14)), Vec::<String>::new());
    }

    #[test]
    fn a_shared_base_is_searched_once() {
        let text = "import socket\nclass A:\n    def __init__(self, host):\n        self.host = host\n    def start(self):\n        socket.socket().bind((self.host, 1))\nclass B(A):\n    pass\nclass C(A):\n    pass\nclass D(B, C):\n    pass\nD('0.0.0.0')\n";
        assert_eq!(found(text), ["main.py:13 0.0.0.0 via 13"]);
        let no_init = "import socket\nclass Base:\n    def start(self):\n        socket.socket().bind((self.host, 1))\nBase('0.0.0.0')\n";
        assert_eq!(found(no_init), Vec::<String>::new(), "no constructor, no parameter");
    }

    #[test]
    fn functions_pass_their_parameters_to_sinks() {
        let cases: &[(&str, &[&str])] = &[
            (
                "import socket\ndef f(h, n):\n    if n:\n        f(h, n - 1)\n    socket.socket().bind((h, 1))\nf('0.0.0.0', 3)\n",
                &["main.py:6 0.0.0.0 via 6"],
            ),
            (
                "import socket\ndef g(h):\n    socket.socket().bind((h, 1))\ndef f(host):\n    g(host)\nf('0.0.0.0')\n",
                &["main.py:6 0.0.0.0 via 5,6"],
            ),
            (
                "import socket\ndef f(host):\n    h = host\n    socket.socket().bind((h, 1))\nf('0.0.0.0')\n",
                &["main.py:5 0.0.0.0 via 5"],
            ),
            (
                "import socket\ndef f(host):\n    socket.socket().bind(('10.0.0.1', 1))\n    print(host)\nf('0.0.0.0')\n",
                &[],
            ),
            (
                "import socket\nclass S:\n    def serve(self, host):\n        socket.socket().bind((host, 1))\nS().serve('0.0.0.0')\n",
                &["main.py:5 0.0.0.0 via 5"],
            ),
            (
                "import socket\nclass Base:\n    def __init__(self, host):\n        socket.socket().bind((host, 1))\nclass Child(Base):\n    def __init__(self):\n        super().__init__('0.0.0.0')\nChild()\n",
                &["main.py:7 0.0.0.0 via 7"],
            ),
            (
                "from flask import Flask\napp = Flask(__name__)\ndef run(h):\n    app.run(host=h)\nrun('0.0.0.0')\n",
                &["main.py:5 0.0.0.0 via 5"],
            ),
            ("def setup(c, h):\n    c.ServerApp.ip = h\nsetup(c, '0.0.0.0')\n", &["main.py:3 0.0.0.0 via 3"]),
            ("def conf(h):\n    return {'bind': h}\nconf('0.0.0.0:80')\n", &["main.py:3 0.0.0.0 via 3"]),
            (
                "import socket\ndef other(host):\n    print(host)\ndef serve(host):\n    socket.socket().bind((host, 1))\nother('0.0.0.0')\nserve('0.0.0.0')\n",
                &["main.py:7 0.0.0.0 via 7"],
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(found(text), *expected, "{text}");
        }
    }

    #[test]
    fn summaries_of_imported_modules_are_computed_once_per_run() {
        let helpers = "import socket\ndef other(host):\n    print(host)\ndef serve(host):\n    h = host\n    socket.socket().bind((h, 1))\n";
        let main = "from helpers import other, serve\nother('0.0.0.0')\nserve('0.0.0.0')\n";
        let files = [("a.py", main), ("b.py", main), ("helpers.py", helpers)];
        let [first, second] = <[_; 2]>::try_from(analyse_with(&files, &["a.py", "b.py"], &Options::default())).unwrap();
        assert_eq!(first.found, ["a.py:3 0.0.0.0 via 3 sink helpers.py:6"]);
        assert_eq!(second.found, ["b.py:3 0.0.0.0 via 3 sink helpers.py:6"]);
        // The second analysis reads the summaries the first one computed.
        assert!(second.steps < first.steps, "{} then {}", first.steps, second.steps);
        let alone = analyse_with(&files, &["b.py"], &Options::default()).pop().unwrap();
        assert_eq!(alone.steps, first.steps);
    }

    #[test]
    fn a_constructor_summary_with_sites_in_a_base_of_another_module_is_shared() {
        // The constructor's summary holds the base's site in base.py; the second analysis takes
        // it from the run.
        let base = "import socket\nclass Base:\n    def __init__(self, host):\n        self.host = host\n    def start(self):\n        socket.socket().bind((self.host, 1))\n";
        let server = "from base import Base\nclass Server(Base):\n    pass\n";
        let main = "from server import Server\nServer('0.0.0.0')\n";
        let files = [("a.py", main), ("b.py", main), ("server.py", server), ("base.py", base)];
        let got = analyse_with(&files, &["a.py", "b.py"], &Options::default());
        assert_eq!(got[0].found, ["a.py:2 0.0.0.0 via 2 sink base.py:6"]);
        assert_eq!(got[1].found, ["b.py:2 0.0.0.0 via 2 sink base.py:6"]);
    }

    #[test]
    fn a_summary_evaluates_only_the_sites_that_read_a_parameter() {
        // What calling the helper adds does not depend on how many other sinks it holds.
        let helper = |others: usize| {
            let mut text = String::from("import socket\ndef serve(h):\n    socket.socket().bind((h, 1))\n");
            for i in 0..others {
                let _ = writeln!(text, "    socket.socket().bind(('10.0.0.{i}', 2))");
            }
            text
        };
        let cost = |others: usize, call: &str| analyse_one(&format!("{}{call}", helper(others))).steps;
        let added = |others: usize| cost(others, "serve('0.0.0.0')\n") - cost(others, "");
        assert_eq!(added(20), added(1));
    }

    #[test]
    fn helpers_of_other_modules() {
        let helpers = "import socket\ndef other(host):\n    print(host)\ndef serve(host):\n    socket.socket().bind((host, 1))\nclass Server:\n    def __init__(self, host):\n        self.host = host\n    def start(self):\n        socket.socket().bind((self.host, 2))\n";
        let run = |main: &str| analyse(&[("main.py", main), ("helpers.py", helpers)], "main.py").found;
        let main = "from helpers import other, serve, Server\nother('0.0.0.0')\nserve('0.0.0.0')\nServer('::')\n";
        assert_eq!(run(main), ["main.py:3 0.0.0.0 via 3 sink helpers.py:5", "main.py:4 :: via 4 sink helpers.py:10"]);
        // An import the byte-level scan of imports does not see still resolves.
        assert_eq!(
            run("if True: from helpers import serve\nserve('0.0.0.0')\n"),
            ["main.py:2 0.0.0.0 via 2 sink helpers.py:5"]
        );
        let quiet = "def serve(host):\n    print(host)\n";
        let none =
            analyse(&[("main.py", "from quiet import serve\nserve('0.0.0.0')\n"), ("quiet.py", quiet)], "main.py");
        assert_eq!(none.found, Vec::<String>::new());
    }
}
