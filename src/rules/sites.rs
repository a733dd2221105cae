//! Sink evaluation: for every recorded site, find what it calls or sets — a catalogued API, a
//! configuration name, a project function whose parameters reach one ([`super::calls`]) — then
//! evaluate the address argument and classify it.
//!
//! The result is a list of [`Raw`] findings — one per all-interfaces literal, sink and path —
//! that `mod.rs` then groups, suppresses and fixes.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use crate::python::Ranged;
use crate::python::ast::{self, Expr};

use super::address::{self, Accept, Hit};
use super::calls::Summaries;
use super::catalogue::{self, Arg, Kind, Shape};
use super::engine::flow::Flow;
use super::engine::frames::{ArgVal, CallArgs, Frame, This};
use super::engine::index::{BindKind, ClassKey, Ctx, FrameId, FuncKey, ModId, NO_FRAME, Site};
use super::engine::resolve::{Callee, Ty};
use super::engine::strings::{Located, SymStr, range};
use super::engine::values::Val;

/// Evaluation steps spent on telling whether a call's arguments may carry an address.
const QUICK_LOOK: u32 = 64;

/// One all-interfaces literal reaching one sink.
#[derive(Debug, Clone)]
pub(crate) struct Raw<'a> {
    pub loc: Located<'a>,
    pub hit: Hit,
    pub sink: Place,
    pub callee: String,
    pub description: String,
    /// Found by the configuration-name rule rather than a catalogued API.
    pub config: bool,
    /// The host sits in a host:port / URL / argv string rather than alone.
    pub compound: bool,
    /// Source ranges and loopbacks of further hosts in the same literal (`None`: not mappable).
    pub more: Option<Vec<(Range<usize>, &'static str)>>,
    /// The calls the value passed through on its way to the sink, innermost first.
    pub via: Vec<Place>,
}

/// A range in a module of the program.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Place {
    pub module: ModId,
    pub range: Range<usize>,
}

/// A sink described for a finding.
struct SinkInfo {
    place: Place,
    callee: String,
    description: String,
    config: bool,
    via: Vec<Place>,
}

pub(crate) struct Sites<'f, 's, 'x, 'p> {
    pub flow: &'f Flow<'s, 'x, 'p>,
    pub summaries: Summaries<'p>,
    /// APIs the user declares (`extend-sinks`).
    pub extra: &'f [&'static catalogue::Api],
    /// Only the sites that may report a change made of calls ([`super::narrow`]).
    pub narrowed: Option<&'f super::narrow::Narrowed<'f>>,
}

impl<'p> Sites<'_, '_, '_, 'p> {
    /// Every site of `module`, outside any call: what the module itself binds.
    pub(crate) fn module(&self, module: ModId) -> Vec<Raw<'p>> {
        let mut out = Vec::new();
        for (site, ctx) in &self.flow.st.index(module).sites {
            if self.flow.st.exhausted() {
                break;
            }
            if self.narrowed.is_some_and(|n| !n.keeps(site)) {
                continue;
            }
            self.flow.st.refuel();
            let frames = self.flow.st.frames.borrow().len();
            self.site(*site, *ctx, &mut out);
            self.flow.st.frames.borrow_mut().truncate(frames);
        }
        self.inherited(module, &mut out);
        out
    }

    /// The sites of methods a class of `module` inherits from bases in other modules that read
    /// one of its class attributes through `self`, run for an instance of that class (a test
    /// class setting `serveraddress = '::'` for the base's `setUp` that binds with it).
    fn inherited(&self, module: ModId, out: &mut Vec<Raw<'p>>) {
        let ix = self.flow.st.index(module);
        // Classes of a module often share their bases (test cases): each base is read once.
        let mut reads_of: HashMap<ClassKey, Vec<SelfReads>> = HashMap::default();
        for class in 0..ix.classes.len() as u32 {
            let key = ClassKey { module, class };
            let own: HashSet<&str> =
                ix.class_attrs.keys().filter(|(c, _)| *c == class).map(|(_, attr)| *attr).collect();
            let def = ix.classes[class as usize].def;
            if own.is_empty() || self.narrowed.is_some_and(|n| !n.keeps_class(def)) {
                continue;
            }
            let site = (module, range(def));
            for base in self.flow.res.class_and_bases(key).into_iter().filter(|b| b.module != module) {
                let bix = self.flow.st.index(base.module);
                let reads = reads_of.entry(base).or_insert_with(|| self.self_reads(base));
                for read in reads.iter().filter(|r| r.attrs.iter().any(|a| own.contains(a.as_str()))) {
                    if self.flow.st.exhausted() {
                        return;
                    }
                    let (s, ctx) = bix.sites[read.site];
                    self.flow.st.refuel();
                    let frames = self.flow.st.frames.borrow().len();
                    let frame = Frame {
                        func: FuncKey { module: base.module, func: read.func },
                        args: CallArgs::default(),
                        this: This::Of(key),
                        site: site.clone(),
                        parent: NO_FRAME,
                    };
                    if let Some(id) = self.flow.enter(frame) {
                        self.site(s, ctx.in_frame(id), out);
                    }
                    self.flow.st.frames.borrow_mut().truncate(frames);
                }
            }
        }
    }

    /// The sites of a class's methods that read attributes of `self`, with the names they read
    /// (as written: `self.name`).
    fn self_reads(&self, class: ClassKey) -> Vec<SelfReads> {
        let ix = self.flow.st.index(class.module);
        let text = self.flow.st.text(class.module);
        let mut out = Vec::new();
        for &(_, func) in &ix.classes[class.class as usize].methods {
            let scope = ix.funcs[func as usize].scope;
            for &i in &ix.in_scope[scope as usize].sites {
                let written = text.get(site_range(ix.sites[i].0)).unwrap_or_default();
                let attrs = attributes_of_self(written);
                if !attrs.is_empty() {
                    out.push(SelfReads { site: i, func, attrs });
                }
            }
        }
        out
    }

    /// One site, evaluated in `ctx` (whose frame says which call the site's function runs in).
    pub(crate) fn site(&self, site: Site<'p>, ctx: Ctx, out: &mut Vec<Raw<'p>>) {
        match site {
            Site::Call(c) => self.call(c, ctx, out),
            Site::Assign { target, value } => self.assign(target, value, ctx, out),
            Site::DictKey { key: key @ Expr::StringLiteral(k), value } => {
                if let Some(name) = written_name(self.flow, key, ctx) {
                    let shown = format!("{:?}", k.value.to_str());
                    self.config(&name, shown, key, value, ctx, out);
                }
            }
            Site::DictKey { .. } => {}
            Site::Keyword { call, keyword: k } => {
                if let Some(arg) = &k.arg
                    && !self.served_by_a_fake(call, ctx)
                {
                    self.config(arg.as_str(), format!("{}=", arg.as_str()), k, &k.value, ctx, out);
                }
            }
        }
    }

    fn call(&self, c: &'p ast::ExprCall, ctx: Ctx, out: &mut Vec<Raw<'p>>) {
        if !self.worth_resolving(c, ctx) {
            return;
        }
        // Outside any call, a call that names no catalogued API can only matter through a
        // helper's summary, and only when it passes something that may become an address.
        let outside = ctx.frame == NO_FRAME && self.flow.st.touched.borrow().is_none();
        let plain = outside && !names_catalogued_api(c) && !names_user_api(self.extra, c);
        let mut callees = self.callees(&c.func, ctx);
        if callees.is_empty() {
            self.note_called_parameter(&c.func, ctx);
            // A parameter is what its caller passes (`setup(print, …)` is not a server).
            if let Expr::Name(n) = &*c.func
                && catalogue::is_unresolved_server_class(n.id.as_str())
                && !self.is_parameter(n.id.as_str(), ctx)
            {
                callees.push(Callee::Api { key: format!("?.{}", n.id.as_str()), skip: 0 });
            }
        }
        // What the call reaches is cheaper to tell than what its arguments hold (most helpers
        // reach no sink): the quick look at the arguments comes second.
        if plain && (!callees.iter().any(|callee| self.may_reach_a_sink(callee)) || !self.may_pass_an_address(c, ctx)) {
            return;
        }
        let args = CallArgs::of_call(c, ctx, 0);
        for callee in callees {
            self.callee(callee, &c.func, &args, c, ctx, out);
        }
    }

    fn is_parameter(&self, name: &str, ctx: Ctx) -> bool {
        self.flow.st.index(ctx.module).reaching(name, ctx).iter().any(|b| matches!(b.kind, BindKind::Param(_)))
    }

    /// While a summary is computed, a call of one of the function's parameters that nothing
    /// resolves and whose name says it holds a class or a factory (`server_class(addr,
    /// handler)` in a helper given the class) puts the call in the summary: it is resolved
    /// again in the frame of each call of the helper, where the parameter is what the caller
    /// passes. Callbacks (`f(result)`) are not followed: they are everywhere and bind nothing.
    fn note_called_parameter(&self, func: &'p Expr, ctx: Ctx) {
        let Expr::Name(n) = func else { return };
        if self.flow.st.touched.borrow().is_none() || !names_a_class(n.id.as_str()) {
            return;
        }
        for b in self.flow.st.index(ctx.module).reaching(n.id.as_str(), ctx) {
            if let BindKind::Param(p) = &b.kind {
                self.flow.st.touch(FuncKey { module: ctx.module, func: p.func }, p.name);
            }
        }
    }

    /// Whether a callee may reach a sink with some arguments: a catalogued API, a wrapper that
    /// calls a callable, an entry point judged by shape, or a project function or class whose
    /// summary is not empty. [`Self::callee`] finds nothing in any other.
    fn may_reach_a_sink(&self, callee: &Callee) -> bool {
        match callee {
            Callee::Api { key, .. } => {
                catalogue::apis(key, Kind::Call).next().is_some()
                    || catalogue::invoker_for(key).is_some()
                    || catalogue::unresolved_entry(key).is_some()
                    || self.extra.iter().any(|api| api.names.iter().any(|n| catalogue::matches(n, key)))
            }
            Callee::Function { func, .. } => self.reaches_through_function(*func),
            Callee::Class { class, .. } => self.reaches_through_constructor(*class),
        }
    }

    /// What `func` calls. Imports are followed only into modules that may reach a sink, unless
    /// the call is an entry point whose receiver stays unknown that way: then it is resolved
    /// wherever it leads, so that a project class that only connects is seen as such.
    fn callees(&self, func: &'p Expr, ctx: Ctx) -> Vec<Callee> {
        let callees = self.flow.res.callees_of(func, ctx);
        let unresolved = |c: &Callee| {
            matches!(c, Callee::Api { key, .. } if catalogue::apis(key, Kind::Call).next().is_none()
                && catalogue::unresolved_entry(key).is_some())
        };
        // While a summary is computed, an entry point on an unknown receiver is kept as a
        // possible sink; it is judged precisely when evaluated for a real call.
        let probing = self.flow.st.touched.borrow().is_some();
        if !callees.iter().any(unresolved) || self.flow.st.precise.get() || probing {
            return callees;
        }
        self.flow.st.precise.set(true);
        let precise = self.flow.res.callees_of(func, ctx);
        self.flow.st.precise.set(false);
        precise
    }

    /// Cheap test before resolving a callee: a call by plain name, a catalogued method, or a
    /// method the program defines can reach a sink; `x.append(…)` cannot.
    fn worth_resolving(&self, c: &'p ast::ExprCall, ctx: Ctx) -> bool {
        let Expr::Attribute(a) = &*c.func else { return true };
        let name = a.attr.as_str();
        names_user_api(self.extra, c)
            || catalogue::is_call_sink_method(name)
            || catalogue::invoker(name).is_some()
            || name == "__init__"
            || self.flow.st.program.defines_method(name)
            || matches!(&*a.value, Expr::Name(_) | Expr::Attribute(_)) && self.imports_module(&a.value, ctx)
    }

    /// Whether an argument of the call may carry an all-interfaces address into a helper: a
    /// value that spells one (alone, in a host:port, a URL, a tuple or a list), or an object
    /// whose attributes the code sets (`opts.host = …; serve(opts)`).
    fn may_pass_an_address(&self, c: &'p ast::ExprCall, ctx: Ctx) -> bool {
        // A quick look: when it would take long to tell, the call is followed.
        let fuel = self.flow.st.set_fuel(QUICK_LOOK);
        let carries = super::engine::names::call_inputs(c).any(|e| {
            let vals = self.flow.eval(e, ctx, 0);
            vals.iter().any(carries_address) || vals.is_empty() && self.holds_attributes(e, ctx)
        });
        let spent = self.flow.st.fuel_left() == 0;
        self.flow.st.end_quick_look(fuel);
        carries || spent
    }

    fn holds_attributes(&self, e: &'p Expr, ctx: Ctx) -> bool {
        let Expr::Name(n) = e else { return false };
        let ix = self.flow.st.index(ctx.module);
        ix.object_attrs.keys().any(|(_, name, _)| *name == n.id.as_str())
    }

    /// Whether `e` names an imported module (whose functions the project may define).
    fn imports_module(&self, e: &'p Expr, ctx: Ctx) -> bool {
        let mut root = e;
        while let Expr::Attribute(a) = root {
            root = &a.value;
        }
        let Expr::Name(n) = root else { return false };
        let ix = self.flow.st.index(ctx.module);
        ix.reaching(n.id.as_str(), ctx).iter().any(|b| matches!(b.kind, super::engine::index::BindKind::Import(_)))
    }

    /// One thing a call may call, with the arguments it receives.
    fn callee(
        &self,
        callee: Callee,
        func: &'p Expr,
        args: &CallArgs<'p>,
        c: &'p ast::ExprCall,
        ctx: Ctx,
        out: &mut Vec<Raw<'p>>,
    ) {
        match callee {
            Callee::Api { key, skip } => {
                let args = args.clone().shifted(skip);
                self.api(&key, func, &args, c, ctx, out);
                self.invoke(&key, &args, c, ctx, out);
            }
            Callee::Function { func: f, bound } => {
                let this = bound_receiver(func, ctx, bound);
                self.through_function(f, this, args.clone(), c, ctx, out);
            }
            Callee::Class { class, skip } => self.through_constructor(class, args.clone().shifted(skip), c, ctx, out),
        }
    }

    /// A catalogued API (or an entry point on a receiver nobody can resolve, judged by shape).
    fn api(
        &self,
        key: &str,
        func: &'p Expr,
        args: &CallArgs<'p>,
        c: &'p ast::ExprCall,
        ctx: Ctx,
        out: &mut Vec<Raw<'p>>,
    ) {
        let callee_text = format!("{}()", short(self.flow.st.text(ctx.module), func));
        let mut apis: Vec<&catalogue::Api> = catalogue::apis(key, Kind::Call).collect();
        apis.extend(self.extra.iter().copied().filter(|api| api.names.iter().any(|n| catalogue::matches(n, key))));
        let shaped = if apis.is_empty() { catalogue::unresolved_entry(key) } else { None };
        for api in apis.iter().copied().chain(shaped) {
            if self.excluded(api, func, args, ctx) {
                continue;
            }
            let sink = self.sink_info(c, ctx, format!("{} {callee_text}", api.what), callee_text.clone(), false);
            for arg in api.args {
                let vals = self.argument(args, arg);
                self.classify_into(&vals, arg, &sink, out);
            }
            if api.args.iter().any(|a| a.shape == Shape::Django) {
                self.django(args, &sink, out);
            }
            if api.args.iter().any(|a| a.shape == Shape::ArgvStar) {
                let elems: Vec<Vec<Val<'p>>> = args.positional.iter().map(|a| self.value(a)).collect();
                self.argv(&Val::Seq(elems), &sink, out);
            }
        }
    }

    /// A wrapper that calls a callable with arguments (`Thread(target=f, args=(…))`,
    /// `partial(f, …)`, `defer.execute(f, …)`): the callable, called with those arguments.
    fn invoke(&self, key: &str, args: &CallArgs<'p>, c: &'p ast::ExprCall, ctx: Ctx, out: &mut Vec<Raw<'p>>) {
        let Some(invoker) = catalogue::invoker_for(key) else { return };
        let Some((target, inner)) = self.split(invoker, args) else { return };
        let ArgVal::Expr(target, tctx) = target else { return };
        for callee in self.callees(target, tctx) {
            if matches!(&callee, Callee::Api { key, .. } if catalogue::invoker_for(key).is_some()) {
                continue;
            }
            self.callee(callee, target, &inner, c, ctx, out);
        }
    }

    /// The callable a wrapper calls, and the arguments it passes.
    fn split(&self, invoker: &catalogue::Invoker, args: &CallArgs<'p>) -> Option<(ArgVal<'p>, CallArgs<'p>)> {
        let (pos, kw) = invoker.callable;
        let by_keyword = !kw.is_empty() && args.keyword(kw).is_some();
        let target = if by_keyword { args.keyword(kw) } else { pos.and_then(|p| args.positional(p)) }?.clone();
        let inner = match &invoker.args {
            catalogue::InvokerArgs::Rest => {
                let mut rest = if by_keyword { args.clone() } else { args.clone().shifted(pos.unwrap_or(0) + 1) };
                rest.keywords.retain(|(k, _)| *k != kw);
                rest
            }
            catalogue::InvokerArgs::Packed { args: packed, kwargs } => self.unpack(args, *packed, *kwargs),
        };
        Some((target, inner))
    }

    /// `args=(…)` and `kwargs={…}` of `Thread(target=…)` as the callable's arguments.
    fn unpack(
        &self,
        args: &CallArgs<'p>,
        packed: (Option<usize>, &str),
        kwargs: (Option<usize>, &str),
    ) -> CallArgs<'p> {
        let pick = |(pos, kw): (Option<usize>, &str)| args.keyword(kw).or_else(|| pos.and_then(|p| args.positional(p)));
        let mut inner = CallArgs::default();
        match pick(packed) {
            Some(ArgVal::Expr(Expr::Tuple(t), c)) => inner.positional = t.elts.iter().map(|e| element(e, *c)).collect(),
            Some(ArgVal::Expr(Expr::List(l), c)) => inner.positional = l.elts.iter().map(|e| element(e, *c)).collect(),
            Some(other) => {
                for v in self.value(other) {
                    if let Val::Seq(elems) = v {
                        inner.positional = elems.into_iter().map(ArgVal::Vals).collect();
                        break;
                    }
                }
            }
            None => {}
        }
        if let Some(k) = pick(kwargs) {
            inner.splats.push(k.clone());
        }
        inner
    }

    /// A catalogued server built with a fake class: its keyword arguments configure nothing
    /// either (`server.test(ServerClass=mock.MagicMock(), bind=…)`).
    fn served_by_a_fake(&self, c: &'p ast::ExprCall, ctx: Ctx) -> bool {
        let args = CallArgs::of_call(c, ctx, 0);
        self.flow.res.callees_of(&c.func, ctx).iter().any(|callee| match callee {
            Callee::Api { key, .. } => {
                catalogue::apis(key, Kind::Call).any(|api| self.excluded(api, &c.func, &args, ctx))
            }
            _ => false,
        })
    }

    /// Sinks that are not what they seem: a socket of a non-IP family (`AF_UNIX`, `AF_CAN`, …)
    /// whose address names an interface or a path, or a server built with a project class that
    /// never binds (`make_server(…, server_class=FakeServer)`), or a mock object standing for the
    /// class (`server.test(ServerClass=mock.MagicMock(), …)`).
    fn excluded(&self, api: &catalogue::Api, func: &'p Expr, args: &CallArgs<'p>, ctx: Ctx) -> bool {
        let keywords = ["server_class", "ServerClass", "server_cls"].into_iter().filter_map(|k| args.keyword(k));
        let positional = api.server_class.and_then(|p| args.positional(p));
        let fake = keywords.chain(positional).any(|arg| match arg {
            ArgVal::Expr(e, c) => match self.flow.res.tys(e, *c, 0).first() {
                Some(Ty::Class(k)) => self.flow.res.base_of(*k, 0).is_none() || self.binds_nothing(*k),
                Some(Ty::Inst(q) | Ty::Qual(q)) => is_mock(q),
                _ => false,
            },
            _ => false,
        });
        fake || api.what == "socket" && self.non_ip_socket(func, ctx)
    }

    /// A project server class whose `server_bind` (its own, or a project base's) binds nothing:
    /// no `bind(` in its body, so neither the library's `server_bind` nor a socket's `bind` runs
    /// (`class MockServer(WSGIServer)` in tests).
    fn binds_nothing(&self, class: super::engine::index::ClassKey) -> bool {
        let mut at = class;
        for _ in 0..16 {
            let ix = self.flow.st.index(at.module);
            if let Some(f) = ix.method(at.class, "server_bind") {
                let body = &ix.funcs[f as usize].def.body;
                let (Some(first), Some(last)) = (body.first(), body.last()) else { return false };
                let text = self.flow.st.text(at.module).get(first.start().to_usize()..last.end().to_usize());
                return text.is_some_and(|t| !t.contains("bind("));
            }
            let Some(&base) = self.flow.res.local_bases(at, 0).first() else { return false };
            at = base;
        }
        false
    }

    /// `s.bind(…)` where `s = socket.socket(AF_UNIX, …)` (or another non-IP family).
    fn non_ip_socket(&self, func: &'p Expr, ctx: Ctx) -> bool {
        let Expr::Attribute(a) = func else { return false };
        let creations: Vec<&'p Expr> = match &*a.value {
            Expr::Name(n) => {
                let ix = self.flow.st.index(ctx.module);
                ix.reaching(n.id.as_str(), ctx)
                    .into_iter()
                    .filter_map(|b| match &b.kind {
                        super::engine::index::BindKind::Value(v) | super::engine::index::BindKind::WithAs(v) => {
                            Some(*v)
                        }
                        _ => None,
                    })
                    .collect()
            }
            other => vec![other],
        };
        !creations.is_empty() && creations.iter().all(|e| catalogue::non_ip_family(family_argument(e)))
    }

    /// The sink's description, place and the calls it was reached through.
    fn sink_info(&self, c: &'p ast::ExprCall, ctx: Ctx, description: String, callee: String, config: bool) -> SinkInfo {
        SinkInfo {
            place: Place { module: ctx.module, range: range(c) },
            callee,
            description,
            config,
            via: self.via(ctx.frame),
        }
    }

    fn via(&self, frame: FrameId) -> Vec<Place> {
        let frames = self.flow.st.frames.borrow();
        frames.sites(frame).into_iter().map(|(module, range)| Place { module, range }).collect()
    }

    fn value(&self, arg: &ArgVal<'p>) -> Vec<Val<'p>> {
        match arg {
            ArgVal::Expr(e, c) => self.flow.eval(e, *c, 0),
            ArgVal::Vals(v) => v.clone(),
            ArgVal::Star => Vec::new(),
        }
    }

    /// The values passed for `arg`: positional, keyword, or an entry of a `**dict` splat.
    pub(crate) fn argument(&self, args: &CallArgs<'p>, arg: &Arg) -> Vec<Val<'p>> {
        // The keyword first: a call that names it and also fills its position is not the
        // signature the position came from (`socketio.run(app, host=…)` on a receiver judged by
        // the shape of Flask's `app.run(host)`).
        if let Some(a) = (!arg.kw.is_empty()).then(|| args.keyword(arg.kw)).flatten() {
            return self.value(a);
        }
        if let Some(a) = arg.pos.and_then(|p| args.positional(p)) {
            return self.value(a);
        }
        if arg.kw.is_empty() {
            return Vec::new();
        }
        let mut out = Vec::new();
        for splat in &args.splats {
            for v in self.value(splat) {
                if let Val::Dict(entries) = v {
                    out.extend(
                        entries.into_iter().filter(|(key, _)| key.as_deref() == Some(arg.kw)).flat_map(|(_, v)| v),
                    );
                }
            }
        }
        out
    }

    fn assign(&self, target: &'p Expr, value: &'p Expr, ctx: Ctx, out: &mut Vec<Raw<'p>>) {
        let text = self.flow.st.text(ctx.module);
        if let Expr::Attribute(a) = target
            && catalogue::is_attr_sink(a.attr.as_str())
        {
            // An attribute sink is always of a known object (`cherrypy.server`): an object
            // nobody can resolve names none.
            let keys = self.flow.res.callee_keys(&a.value, ctx).into_iter().map(|k| format!("{k}.{}", a.attr.as_str()));
            for key in keys {
                for api in catalogue::apis(&key, Kind::Attr) {
                    let name = short(text, target);
                    let sink = SinkInfo {
                        place: Place { module: ctx.module, range: range(target) },
                        callee: name.clone(),
                        description: format!("{} {name}", api.what),
                        config: false,
                        via: self.via(ctx.frame),
                    };
                    let vals = self.flow.eval(value, ctx, 0);
                    for arg in api.args {
                        self.classify_into(&vals, arg, &sink, out);
                    }
                }
            }
        }
        let dotted = text.get(range(target)).unwrap_or_default();
        self.config(dotted, short(text, target), target, value, ctx, out);
        if let Expr::Name(n) = target
            && n.id.as_str() == "default"
            && let Some(setting) = self.setting_named(ctx)
        {
            self.config(setting, format!("{setting} (default)"), target, value, ctx, out);
        }
    }

    /// The name a settings class gives itself (gunicorn's `class Bind(Setting): name = "bind"`),
    /// when `ctx` is in the body of such a class: its `default` is that setting's value.
    fn setting_named(&self, ctx: Ctx) -> Option<&'p str> {
        let ix = self.flow.st.index(ctx.module);
        let scope = ix.scopes.get(ctx.scope as usize)?;
        if !scope.is_class {
            return None;
        }
        ix.class_attr(scope.class?, "name").into_iter().find_map(|b| match &b.kind {
            BindKind::Value(Expr::StringLiteral(s)) => Some(s.value.to_str()),
            _ => None,
        })
    }

    /// The configuration-name rule: a name that says it holds a listen address.
    fn config(&self, name: &str, callee: String, at: &impl Ranged, value: &'p Expr, ctx: Ctx, out: &mut Vec<Raw<'p>>) {
        let Some((shape, accept)) = catalogue::config_key(name) else { return };
        let sink = SinkInfo {
            place: Place { module: ctx.module, range: range(at) },
            description: format!("setting {callee}"),
            callee,
            config: true,
            via: self.via(ctx.frame),
        };
        let vals = self.flow.eval(value, ctx, 0);
        self.classify_into(&vals, &Arg { pos: None, kw: "", shape, accept }, &sink, out);
    }

    fn classify_into(&self, vals: &[Val<'p>], arg: &Arg, sink: &SinkInfo, out: &mut Vec<Raw<'p>>) {
        for v in vals {
            match (arg.shape, v) {
                (Shape::Argv, seq @ Val::Seq(_)) => self.argv(seq, sink, out),
                (Shape::Argv | Shape::Command, Val::Str(s)) => self.command(s, sink, out),
                (Shape::Addr | Shape::AddrOrHostPort, Val::Seq(elems)) => {
                    // `'*'` is a wildcard only where the API parses a string (gevent `'*:80'`).
                    let accept = Accept { star: arg.accept.star && arg.shape == Shape::Addr, ..arg.accept };
                    for s in elems.first().into_iter().flatten().filter_map(as_str) {
                        emit(s, address::host(&s.flat(), accept), false, sink, out);
                    }
                }
                (Shape::Hosts | Shape::HostPorts | Shape::Endpoints, Val::Seq(elems)) => {
                    for s in elems.iter().flatten().filter_map(as_str) {
                        emit(s, by_shape(arg.shape, &s.flat(), arg.accept), false, sink, out);
                    }
                }
                (_, Val::Str(s)) => emit(s, by_shape(arg.shape, &s.flat(), arg.accept), false, sink, out),
                _ => {}
            }
        }
    }

    /// `call_command('runserver', '0.0.0.0:8000')`.
    fn django(&self, args: &CallArgs<'p>, sink: &SinkInfo, out: &mut Vec<Raw<'p>>) {
        let Some(first) = args.positional(0) else { return };
        let is_runserver = strs(self.value(first)).iter().any(|s| s.flat() == "runserver" && s.is_verbatim());
        if !is_runserver {
            return;
        }
        for a in args.positional.iter().skip(1) {
            for s in strs(self.value(a)) {
                emit(&s, address::host_port(&s.flat(), Accept::ZERO), false, sink, out);
            }
        }
    }

    /// An argv list that starts a known server program with a host flag.
    fn argv(&self, v: &Val<'p>, sink: &SinkInfo, out: &mut Vec<Raw<'p>>) {
        let Val::Seq(elems) = v else { return };
        let words: Vec<Option<SymStr<'p>>> = elems.iter().map(|alts| alts.iter().find_map(as_str).cloned()).collect();
        argv_words(&words, elems, sink, out);
    }

    /// A command line written as one string (`shell=True`, `os.system`, `shlex.split`).
    fn command(&self, s: &SymStr<'p>, sink: &SinkInfo, out: &mut Vec<Raw<'p>>) {
        let words = s.split_words();
        let elems: Vec<Vec<Val<'p>>> = words.iter().map(|w| vec![Val::Str(w.clone())]).collect();
        let words: Vec<Option<SymStr<'p>>> = words.into_iter().map(Some).collect();
        argv_words(&words, &elems, sink, out);
    }
}

fn element(e: &Expr, ctx: Ctx) -> ArgVal<'_> {
    if matches!(e, Expr::Starred(_)) { ArgVal::Star } else { ArgVal::Expr(e, ctx) }
}

/// The address family a `socket.socket(…)` call names, as written (`socket.AF_CAN`).
fn family_argument(e: &Expr) -> Option<&str> {
    let Expr::Call(c) = e else { return None };
    let family = c.arguments.args.first().or_else(|| super::engine::cli::keyword(c, "family"))?;
    match family {
        Expr::Attribute(a) => Some(a.attr.as_str()),
        Expr::Name(n) => Some(n.id.as_str()),
        _ => None,
    }
}

/// Whether the call's callee names a catalogued API, wrapper or entry point by its last name.
fn names_catalogued_api(c: &ast::ExprCall) -> bool {
    let name = match &*c.func {
        Expr::Attribute(a) => a.attr.as_str(),
        Expr::Name(n) => n.id.as_str(),
        _ => return true,
    };
    catalogue::is_call_sink_method(name)
        || catalogue::invoker(name).is_some()
        || catalogue::is_entry_method(name)
        || name == "__init__"
}

/// Whether a user-declared API ends in this name.
fn names_user_api(extra: &[&catalogue::Api], c: &ast::ExprCall) -> bool {
    let name = match &*c.func {
        Expr::Attribute(a) => a.attr.as_str(),
        Expr::Name(n) => n.id.as_str(),
        _ => return false,
    };
    extra.iter().any(|api| api.names.iter().any(|n| n.rsplit('.').next() == Some(name)))
}

/// Whether a value holds something that may be an all-interfaces address under some API.
fn carries_address(v: &Val<'_>) -> bool {
    let any = Accept { empty: true, star: true, zero: true };
    match v {
        Val::Str(s) => {
            let flat = s.flat();
            address::host(&flat, any).is_some()
                || address::host_port(&flat, any).is_some()
                || address::url(&flat, any).is_some()
                || address::listen_list(&flat, any).is_some()
                || address::endpoint(&flat).is_some()
                || flat.split_whitespace().any(|w| address::host_port(w, any).is_some())
        }
        Val::Seq(elems) => elems.iter().flatten().any(carries_address),
        Val::Dict(entries) => entries.iter().flat_map(|(_, v)| v).any(carries_address),
    }
}

/// A configuration name as written in a string key: the key must spell it verbatim (names are
/// matched as written, never assembled from pieces or escapes).
fn written_name(flow: &Flow<'_, '_, '_>, key: &Expr, ctx: Ctx) -> Option<String> {
    let s = super::engine::strings::literal(key, flow.st.text(ctx.module), ctx.module)?;
    s.is_verbatim().then(|| s.flat())
}

/// For `obj.method(…)` on an instance: the receiver bound to the method's first parameter.
fn bound_receiver(func: &Expr, ctx: Ctx, bound: bool) -> Option<ArgVal<'_>> {
    match func {
        Expr::Attribute(a) if bound => Some(ArgVal::Expr(&a.value, ctx)),
        _ => None,
    }
}

fn argv_words<'p>(words: &[Option<SymStr<'p>>], elems: &[Vec<Val<'p>>], sink: &SinkInfo, out: &mut Vec<Raw<'p>>) {
    let flat: Vec<Option<String>> =
        words.iter().map(|w| w.as_ref().filter(|w| w.is_verbatim()).map(SymStr::flat)).collect();
    let Some((start, prog)) = find_program(&flat) else { return };
    let mut i = start + 1;
    while i < elems.len() {
        let word = flat[i].as_deref().unwrap_or_default();
        if prog.runserver
            && word == "runserver"
            && let Some((j, _)) =
                flat.iter().enumerate().skip(i + 1).find(|(_, w)| w.as_deref().is_some_and(|w| !w.starts_with('-')))
        {
            value_hits(&elems[j], 0, Shape::HostPort, Accept::ZERO, sink, out);
        }
        for &(flag, shape, accept) in prog.flags {
            if word == flag {
                if shape == Shape::Flag {
                    if let Some(w) = &words[i] {
                        emit_flag(w, sink, out);
                    }
                } else if let Some(next) = elems.get(i + 1) {
                    value_hits(next, 0, shape, accept, sink, out);
                }
            } else if word.len() == flag.len() + 1 && word.ends_with('=') && word.starts_with(flag) {
                // `--ip=`: an empty value, located in the word itself.
                for s in elems[i].iter().filter_map(as_str) {
                    emit(s, by_shape(shape, "", accept).map(|h| h.shifted(flag.len() + 1)), true, sink, out);
                }
            } else if word.strip_prefix(flag).is_some_and(|r| r.starts_with('=')) {
                value_hits(&elems[i], flag.len() + 1, shape, accept, sink, out);
            } else if flat[i].is_none() && leads_with_flag(words[i].as_ref(), flag) {
                // `'--bind=' + host`, `f'--bind={host}:{port}'`: the flag as written, the
                // value assembled.
                value_hits(&elems[i], flag.len() + 1, shape, accept, sink, out);
            }
        }
        i += 1;
    }
}

fn leads_with_flag(word: Option<&SymStr<'_>>, flag: &str) -> bool {
    word.and_then(SymStr::verbatim_lead).and_then(|lead| lead.strip_prefix(flag)).is_some_and(|r| r.starts_with('='))
}

/// A flag that alone means "all interfaces" (`tensorboard --bind_all`).
fn emit_flag<'p>(word: &SymStr<'p>, sink: &SinkInfo, out: &mut Vec<Raw<'p>>) {
    let flat = word.flat();
    let hit = Hit::flag(flat.len());
    emit(word, Some(hit), true, sink, out);
}

fn by_shape(shape: Shape, s: &str, accept: Accept) -> Option<Hit> {
    match shape {
        Shape::Host | Shape::Hosts => address::host(s, accept),
        Shape::HostPort | Shape::Django | Shape::AddrOrHostPort => address::host_port(s, accept),
        Shape::Url => address::url(s, accept),
        Shape::Listen => address::listen_list(s, accept),
        // A list of addresses may also be written as one string (`listen='0.0.0.0:80 [::]:80'`).
        Shape::HostPorts => address::host_port_list(s, accept),
        Shape::Endpoint | Shape::Endpoints => address::endpoint(s),
        Shape::Addr | Shape::Argv | Shape::ArgvStar | Shape::Command | Shape::Flag => None,
    }
}

fn emit<'a>(s: &SymStr<'a>, hit: Option<Hit>, in_argv: bool, sink: &SinkInfo, out: &mut Vec<Raw<'a>>) {
    let Some(hit) = hit else { return };
    let Some(loc) = s.locate(hit.range.clone()) else { return };
    let compound = in_argv || hit.range.len() != s.flat().len();
    let more = hit
        .more
        .iter()
        .map(|h| s.locate(h.range.clone()).and_then(|l| l.host_src).map(|r| (r, h.family.loopback())))
        .collect();
    out.push(Raw {
        loc,
        hit,
        sink: sink.place.clone(),
        callee: sink.callee.clone(),
        description: sink.description.clone(),
        config: sink.config,
        compound,
        more,
        via: sink.via.clone(),
    });
}

fn as_str<'v, 'a>(v: &'v Val<'a>) -> Option<&'v SymStr<'a>> {
    if let Val::Str(s) = v { Some(s) } else { None }
}

fn strs(vals: Vec<Val<'_>>) -> Vec<SymStr<'_>> {
    super::engine::values::strs_of(vals)
}

fn value_hits<'a>(
    alts: &[Val<'a>],
    skip: usize,
    shape: Shape,
    accept: Accept,
    sink: &SinkInfo,
    out: &mut Vec<Raw<'a>>,
) {
    for s in alts.iter().filter_map(as_str) {
        let tail = s.skip(skip);
        emit(&tail, by_shape(shape, &tail.flat(), accept), true, sink, out);
    }
}

/// Commands that name a server program without starting it (`echo uvicorn …`, `pkill -f flask`).
const NOT_LAUNCHERS: &[&str] = &[
    "echo", "printf", "grep", "egrep", "fgrep", "rg", "which", "whereis", "type", "man", "pip", "pip3", "pipx", "kill",
    "pkill", "pgrep", "killall", "git", "apt", "apt-get", "brew", "yum", "dnf",
];

/// The argv index of the server program (`uvicorn`, `python -m http.server`, `manage.py`), among
/// the first words; a program after `echo`, `grep`, `pkill` … is only named, unless a shell
/// separator (`&&`, `;`, `|`) starts another command.
fn find_program(words: &[Option<String>]) -> Option<(usize, &'static catalogue::Program)> {
    let mut named_only = false;
    for (i, w) in words.iter().enumerate().take(6) {
        let w = w.as_deref().unwrap_or_default();
        if matches!(w, "&&" | "||" | ";" | "|") {
            named_only = false;
            continue;
        }
        if NOT_LAUNCHERS.contains(&w) {
            named_only = true;
        }
        if named_only {
            continue;
        }
        if w == "-m" {
            let module = words.get(i + 1)?.as_deref()?;
            if let Some(p) = catalogue::program(module) {
                return Some((i + 1, p));
            }
            // `python -m celery -A proj flower`: the server may be a subcommand.
            continue;
        }
        if let Some(p) = catalogue::program(w) {
            return Some((i, p));
        }
    }
    None
}

/// Callee text as written, kept short: `app.run`, `….launch`.
pub(crate) fn short(text: &str, e: &Expr) -> String {
    let src = text.get(range(e)).unwrap_or_default();
    if src.len() <= 40 && !src.contains('\n') {
        return src.to_string();
    }
    match e {
        Expr::Attribute(a) => format!("….{}", a.attr.as_str()),
        _ => src.chars().take(30).collect::<String>() + "…",
    }
}

/// Where a site is written.
/// A site of a method that reads attributes of `self`.
struct SelfReads {
    site: usize,
    func: super::engine::index::FuncId,
    attrs: Vec<String>,
}

/// The names read as `self.name` in `text` (a name right after `self.`, `self` not ending a
/// longer name).
fn attributes_of_self(text: &str) -> Vec<String> {
    let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || !b.is_ascii();
    let bytes = text.as_bytes();
    let mut out: Vec<String> = Vec::new();
    for at in memchr::memmem::find_iter(bytes, b"self.") {
        if at > 0 && ident(bytes[at - 1]) {
            continue;
        }
        let start = at + 5;
        let len = bytes[start..].iter().take_while(|&&b| ident(b)).count();
        let name = &text[start..start + len];
        if !name.is_empty() && !out.iter().any(|n| n == name) {
            out.push(name.to_owned());
        }
    }
    out
}

fn site_range(site: Site<'_>) -> Range<usize> {
    match site {
        Site::Call(c) => range(c),
        Site::Assign { target, value } | Site::DictKey { key: target, value } => range(target).start..range(value).end,
        Site::Keyword { keyword, .. } => range(keyword),
    }
}

/// A name for a class or a factory of objects (`server_class`, `runner_cls`, `ServerClass`,
/// `klass`, `protocol_factory`).
fn names_a_class(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    ["class", "cls", "factory"].iter().any(|end| lower.ends_with(end)) || lower == "klass"
}

/// An object of `unittest.mock` (or the `mock` backport): whatever server it stands for is
/// never started.
fn is_mock(qualified: &str) -> bool {
    let Some((module, name)) = qualified.rsplit_once('.') else { return false };
    matches!(module, "unittest.mock" | "mock" | "mock.mock")
        && matches!(
            name,
            "Mock" | "MagicMock" | "NonCallableMock" | "NonCallableMagicMock" | "AsyncMock" | "create_autospec"
        )
}

#[cfg(test)]
mod tests {
    use crate::rules::tests::{Analysed, analyse, analyse_one, analyse_with};
    use crate::rules::{Options, UserShape, UserSink};

    /// Helpers that reach no sink (`log`, `Quiet`) and one that binds its parameter.
    const HELPERS: &str = "import socket\ndef log(msg):\n    print(msg)\nclass Quiet:\n    def __init__(self, x):\n        self.x = x\ndef open_port(h):\n    socket.socket().bind((h, 1))\nopen_port('0.0.0.0')\n";

    fn with(lines: &str, times: usize) -> Analysed {
        let text = format!("{HELPERS}{}", format!("{lines}\n").repeat(times));
        let got = analyse_one(&text);
        assert_eq!(got.limits, [], "{text}");
        got
    }

    /// The quick looks before a call is followed (does the callee reach a sink at all, is the
    /// method worth resolving) cost no evaluation: a file full of such calls costs what the
    /// file without them costs.
    #[test]
    fn calls_that_reach_no_sink_cost_no_evaluation() {
        let base = with("", 0);
        assert_eq!(base.found, ["main.py:9 0.0.0.0 via 9"]);
        for lines in [
            "log('0.0.0.0')",
            "Quiet('0.0.0.0')",
            "log(opts)",
            "print('0.0.0.0')",
            "x = [1]\nx.append('0.0.0.0')",
            "y = len\ny.frobnicate('0.0.0.0')",
        ] {
            let got = with(lines, 10);
            assert_eq!(got.found, base.found, "{lines}");
            assert_eq!((got.steps, got.calls_followed), (base.steps, base.calls_followed), "{lines}");
        }
    }

    /// A helper that reaches a sink is followed only when an argument may carry an address: a
    /// literal that spells one, or an object whose attributes the code sets.
    #[test]
    fn only_calls_that_may_pass_an_address_are_followed() {
        let base = with("", 0);
        for (lines, followed) in [
            ("open_port('127.0.0.1')", false),
            ("open_port(h)", false),
            ("open_port(('127.0.0.1', 1))", false),
            ("g.port = 1\nopen_port(h)", false),
            ("h.port = 1\nopen_port(h)", true),
            ("open_port('::')", true),
            ("open_port(('0.0.0.0', 1))", true),
        ] {
            let got = with(lines, 10);
            let expected = if followed { 10 } else { 0 };
            assert_eq!(got.calls_followed - base.calls_followed, expected, "{lines}");
            // The look at the arguments costs a step for each expression in them, no more.
            if !followed && !lines.contains("h)") {
                assert!(got.steps - base.steps <= 10 * 3, "{lines}: {} steps", got.steps - base.steps);
            }
        }
    }

    /// A keyword the call names wins over the position of the same argument: the call is not
    /// the signature that put the host first (Flask-SocketIO's `run(app, host=…)` on a receiver
    /// judged by the shape of Flask's `run(host)`).
    #[test]
    fn a_named_host_wins_over_its_position() {
        let run = |call: &str| analyse_one(&format!("from chat import app, socketio\n{call}\n")).found;
        assert_eq!(run("socketio.run(app, host='0.0.0.0', port=5000)"), ["main.py:2 0.0.0.0"]);
        assert_eq!(run("socketio.run(app, host='127.0.0.1', port=5000)"), Vec::<String>::new());
        assert_eq!(run("app.run('0.0.0.0', 5000)"), ["main.py:2 0.0.0.0"]);
        assert_eq!(run("app.run(app, '0.0.0.0')"), Vec::<String>::new());
    }

    #[test]
    fn reads_of_self_are_whole_names_after_self() {
        assert_eq!(
            super::attributes_of_self("s.bind((self.host, self.port)); myself.x; self.host_v6; self.é"),
            ["host", "port", "host_v6", "é"]
        );
        assert_eq!(super::attributes_of_self("self . host; selfish.x"), Vec::<String>::new());
    }

    #[test]
    fn long_callees_are_shortened_to_their_last_name() {
        use crate::python::{Flavor, ast, parse};
        let said = |text: &str| {
            let module = parse(text, Flavor::Module);
            let [ast::Stmt::Expr(e)] = module.body() else { panic!("one expression: {text}") };
            let ast::Expr::Call(c) = &*e.value else { panic!("a call: {text}") };
            super::short(text, &c.func)
        };
        assert_eq!(said("app.run()"), "app.run");
        assert_eq!(said("application_factory_for_tests.servers.primary.run()"), "….run");
        assert_eq!(said("(app\n .run)()"), "….run");
        assert_eq!(
            said("make_the_server_for_this_application_and_its_tests_please()"),
            "make_the_server_for_this_appli…"
        );
    }

    #[test]
    fn aliases_of_entry_points_and_endpoint_descriptions_are_followed() {
        let alias = "import mywebfw\napp = mywebfw.App()\ngo = app.run\ngo(host='0.0.0.0')\n";
        assert_eq!(analyse_one(alias).found, ["main.py:4 0.0.0.0"]);
        let catalogued = "import uvicorn\ngo = uvicorn.run\ngo(app, host='0.0.0.0')\n";
        assert_eq!(analyse_one(catalogued).found, ["main.py:3 0.0.0.0"]);
        let endpoint = "from twisted.application import strports\ndef start(desc):\n    return strports.service(desc, factory)\nstart('tcp:8080:interface=0.0.0.0')\n";
        assert_eq!(analyse_one(endpoint).found, ["main.py:4 0.0.0.0 via 4"]);
        let url = "import zmq\ndef start(u):\n    zmq.Context().socket(zmq.PUB).bind(u)\nstart('tcp://*:5555')\n";
        assert_eq!(analyse_one(url).found, ["main.py:4 * via 4"]);
    }

    #[test]
    fn functions_of_submodules_and_entry_points_of_project_classes() {
        let sub = "import socket\ndef serve(h):\n    socket.socket().bind((h, 1))\n";
        let files = |main: &'static str| [("main.py", main), ("pkg/__init__.py", ""), ("pkg/sub.py", sub)];
        let run = |main: &'static str| analyse(&files(main), "main.py").found;
        assert_eq!(run("import pkg.sub\npkg.sub.serve('0.0.0.0')\n"), ["main.py:2 0.0.0.0 via 2 sink pkg/sub.py:3"]);
        assert_eq!(run("import pkg\npkg.sub.serve('::')\n"), ["main.py:2 :: via 2 sink pkg/sub.py:3"]);
        // `run` on a project class that only connects is what the class does, not an entry point.
        let client =
            "import socket\nclass Client:\n    def run(self, host):\n        socket.create_connection((host, 1))\n";
        let main = "from client import Client\nc = Client()\nc.run(host='0.0.0.0')\n";
        assert_eq!(analyse(&[("main.py", main), ("client.py", client)], "main.py").found, Vec::<String>::new());
        let unknown = "from elsewhere import Client\nc = Client()\nc.run(host='0.0.0.0')\n";
        assert_eq!(analyse(&[("main.py", unknown)], "main.py").found, ["main.py:3 0.0.0.0"]);
    }

    #[test]
    fn wrappers_call_their_callable_with_the_arguments_they_pass() {
        let text = "import socket, threading, functools\nfrom concurrent.futures import ThreadPoolExecutor\n\
                    def serve(host, port=1):\n    socket.socket().bind((host, port))\n\
                    threading.Thread(target=serve, args=('0.0.0.0',)).start()\n\
                    threading.Thread(None, serve, None, ('::', 2)).start()\n\
                    threading.Thread(target=serve, kwargs={'host': ''}).start()\n\
                    ThreadPoolExecutor().submit(serve, '0.0.0.0', 3)\n\
                    functools.partial(serve, '::')()\n\
                    threading.Thread(target=serve, args=('127.0.0.1',)).start()\n";
        assert_eq!(
            analyse_one(text).found,
            [
                "main.py:5 0.0.0.0 via 5",
                "main.py:6 :: via 6",
                "main.py:7 '' via 7",
                "main.py:8 0.0.0.0 via 8",
                "main.py:9 :: via 9"
            ]
        );
    }

    #[test]
    fn a_program_name_counts_only_as_written() {
        let text = "import subprocess\nsubprocess.run(['uvi' + 'corn', 'app:app', '--host', '0.0.0.0'])\n\
                    subprocess.run(['uvicorn', 'app:app', '--host', '0.0.0.0'])\n";
        assert_eq!(analyse_one(text).found, ["main.py:3 0.0.0.0"]);
    }

    #[test]
    fn a_server_class_whose_bind_binds_nothing_is_a_mock() {
        let server = |bind_body: &str| {
            format!(
                "from wsgiref.simple_server import WSGIServer, make_server\nclass S(WSGIServer):\n    \
                 def server_bind(self):\n        {bind_body}\nclass T(S):\n    pass\n\
                 make_server('', 80, app, S)\nmake_server('0.0.0.0', 81, app, server_class=T)\n"
            )
        };
        let none: Vec<String> = Vec::new();
        assert_eq!(analyse_one(&server("self.server_name = 'x'")).found, none);
        let binding = ["main.py:7 ''", "main.py:8 0.0.0.0"];
        assert_eq!(analyse_one(&server("super().server_bind()")).found, binding);
        assert_eq!(analyse_one(&server("WSGIServer.server_bind(self)")).found, binding);
        assert_eq!(analyse_one(&server("self.socket.bind(self.server_address)")).found, binding);
    }

    #[test]
    fn the_default_of_a_settings_class_named_like_a_listen_setting() {
        let text = "import os\nclass Setting:\n    name = None\n    default = '0.0.0.0'\n\
                    class Bind(Setting):\n    name = 'bind'\n    if 'PORT' in os.environ:\n        \
                    default = ['0.0.0.0:{0}'.format(os.environ.get('PORT'))]\n    else:\n        \
                    default = ['127.0.0.1:8000']\n\
                    class Workers(Setting):\n    name = 'workers'\n    default = '0.0.0.0'\n\
                    def default_of(name='bind'):\n    default = '::'\n    return default\n\
                    class Listen(Setting):\n    name = 'listen'\n    def get(self):\n        default = '::'\n        return 1\n";
        assert_eq!(analyse_one(text).found, ["main.py:8 0.0.0.0"]);
    }

    #[test]
    fn a_server_class_nothing_resolves_is_judged_by_its_name() {
        let text = "import argparse\nopts = argparse.ArgumentParser().parse_args()\nopts.interface = '0.0.0.0'\n\
                    server_class, n = opts.concurrency\nserver_class((opts.interface, 21), None)\n\
                    client_class, n = opts.client\nclient_class(('0.0.0.0', 21), None)\n\
                    server_class(('127.0.0.1', 22), None)\nServerClass(('', 23))\n\
                    def run(server_class):\n    server_class(('', 24), None)\nrun(print)\n";
        assert_eq!(analyse_one(text).found, ["main.py:3 0.0.0.0", "main.py:9 ''"]);
    }

    #[test]
    fn a_base_in_another_module_binds_with_the_class_attribute_a_subclass_sets() {
        let base = "import socket\nclass WithServer:\n    serveraddress = '127.0.0.1'\n    def setUp(self):\n        \
                    socket.create_server((self.serveraddress, 0))\n    def other(self):\n        \
                    socket.create_server(('127.0.0.1', self.port))\n";
        let test = "from base import WithServer\nclass TestV6(WithServer):\n    serveraddress = '::'\n    port = 0\n\
                    class TestLocal(WithServer):\n    serveraddress = '::1'\nclass Unrelated:\n    serveraddress = ''\n";
        let found = crate::rules::tests::analyse(&[("base.py", base), ("test_v6.py", test)], "test_v6.py").found;
        assert_eq!(found, ["test_v6.py:3 :: via 2 sink base.py:5"]);
    }

    #[test]
    fn a_mock_object_for_the_server_class_starts_no_server() {
        let text = "from unittest import mock\nimport mock as backport\nfrom http import server\n\
                    class T:\n    addrs = ('::', '0.0.0.0')\n    \
                    def fake(self):\n        return mock.MagicMock(return_value=mock.MagicMock())\n    \
                    def test_a(self):\n        for bind in self.addrs:\n            \
                    server.test(ServerClass=self.fake(), bind=bind)\n\
                    m = backport.Mock()\nserver.test(ServerClass=m, bind='0.0.0.0')\n\
                    server.test(ServerClass=mock.create_autospec(server.HTTPServer), bind='::')\n\
                    server.test(ServerClass=mock.sentinel.cls, bind='0.0.0.0')\n\
                    server.test(ServerClass=server.ThreadingHTTPServer, bind='::')\n";
        assert_eq!(analyse_one(text).found, ["main.py:14 0.0.0.0", "main.py:15 ::"]);
    }

    #[test]
    fn sockets_of_other_families_name_interfaces_or_paths() {
        let text = "import socket\ncan = socket.socket(socket.PF_CAN, socket.SOCK_RAW, socket.CAN_RAW)\ncan.bind(('', 0))\n\
                    socket.socket(socket.AF_PACKET, socket.SOCK_RAW).bind(('', 0))\n\
                    with socket.socket(family=socket.AF_BLUETOOTH) as bt:\n    bt.bind(('', 1))\n\
                    from socket import AF_NETLINK\nsocket.socket(AF_NETLINK).bind(('', 0))\n\
                    inet = socket.socket(socket.AF_INET6)\ninet.bind(('', 0))\n\
                    either = socket.socket(socket.AF_UNIX) if local else socket.socket(socket.AF_INET)\neither.bind(('', 2))\n";
        assert_eq!(analyse_one(text).found, ["main.py:10 ''", "main.py:12 ''"]);
    }

    #[test]
    fn methods_a_project_defines_and_constructors_of_catalogued_bases() {
        let method = "import socket\nclass S:\n    def open_port(self, host):\n        socket.socket().bind((host, 1))\nS().open_port('0.0.0.0')\n";
        assert_eq!(analyse_one(method).found, ["main.py:5 0.0.0.0 via 5"]);
        let base = "import socketserver\nclass S(socketserver.TCPServer):\n    def start(self):\n        super().__init__(('0.0.0.0', 1), H)\n";
        assert_eq!(analyse_one(base).found, ["main.py:4 0.0.0.0"]);
        let alias = "from twisted.internet import reactor\nclass FTP:\n    listenFactory = reactor.listenTCP\n    def pasv(self):\n        self.listenFactory(0, factory, interface='0.0.0.0')\n";
        assert_eq!(analyse_one(alias).found, ["main.py:5 0.0.0.0"]);
    }

    #[test]
    fn user_declared_apis_are_followed_like_catalogued_ones() {
        let sink = |name: &str| UserSink {
            name: name.to_owned(),
            position: Some(0),
            keyword: Some("host".to_owned()),
            shape: UserShape::Host,
            empty: false,
            star: false,
            zero: false,
            description: None,
        };
        let mut options = Options::default();
        options.declare(&[sink("gatelib.Gate.open_gate"), sink("gatelib.expose")]);
        let main = "import gatelib\ng = gatelib.Gate()\ng.open_gate('0.0.0.0')\nfrom gatelib import expose\nexpose(host='::')\nexpose('127.0.0.1')\n";
        let got = analyse_with(&[("main.py", main)], &["main.py"], &options);
        assert_eq!(got[0].found, ["main.py:3 0.0.0.0", "main.py:5 ::"]);
        let plain = analyse_with(&[("main.py", main)], &["main.py"], &Options::default());
        assert_eq!(plain[0].found, Vec::<String>::new());
        // Calls of other names cost nothing more for them.
        let busy = format!("{main}{}", "x = [1]\nx.append('0.0.0.0')\n".repeat(10));
        let more = analyse_with(&[("main.py", &busy)], &["main.py"], &options);
        assert_eq!((more[0].steps, more[0].calls_followed), (got[0].steps, got[0].calls_followed));
    }

    #[test]
    fn a_catalogued_call_is_followed_even_when_no_argument_spells_an_address() {
        let text = "import subprocess\nsubprocess.Popen(['tensorboard', '--logdir', 'runs', '--bind_all'])\nfrom django.core.management import call_command\ncall_command('runserver', '0:8000')\n";
        assert_eq!(analyse_one(text).found.len(), 2, "{:?}", analyse_one(text).found);
    }

    #[test]
    fn attributes_set_on_an_object_reach_the_helper_it_is_passed_to() {
        let text = "import socket\ndef start(o):\n    socket.socket().bind((o.host, 1))\nopts = parse()\nopts.host = '0.0.0.0'\nstart(opts)\n";
        assert_eq!(analyse_one(text).found, ["main.py:5 0.0.0.0 via 6"]);
        let twice = "import socket\ndef start(o):\n    socket.socket().bind((o.host, 1))\ndef main(conf):\n    start(conf)\nopts = parse()\nopts.host = '::'\nmain(opts)\nother = parse()\nother.host = '0.0.0.0'\n";
        assert_eq!(analyse_one(twice).found, ["main.py:7 :: via 5,8"]);
        // Down a chain of ten helpers, each passing the object on.
        let mut chain = String::from("import socket\ndef h0(o):\n    socket.socket().bind((o.host, 1))\n");
        for i in 1..10 {
            chain.push_str(&format!("def h{i}(o):\n    h{}(o)\n", i - 1));
        }
        chain.push_str("opts = parse()\nopts.host = '0.0.0.0'\nh9(opts)\n");
        let got = analyse_one(&chain);
        assert_eq!((got.found.len(), got.limits), (1, vec![]), "{:?}", got.found);
        assert_eq!(got.found, ["main.py:23 0.0.0.0 via 5,7,9,11,13,15,17,19,21,24"]);
        let helpers = "import socket\ndef start(o):\n    socket.socket().bind((o.host, 1))\n";
        let main = "from helpers import start\nopts = parse()\nopts.host = ''\nstart(opts)\n";
        let got = analyse(&[("main.py", main), ("helpers.py", helpers)], "main.py");
        assert_eq!(got.found, ["main.py:3 '' via 4 sink helpers.py:3"]);
    }

    #[test]
    fn functions_of_imported_modules_called_as_attributes() {
        let helpers = "import socket\ndef start(h):\n    socket.socket().bind((h, 1))\n";
        let run = |main: &str| analyse(&[("main.py", main), ("helpers.py", helpers)], "main.py").found;
        assert_eq!(run("import helpers\nhelpers.start('0.0.0.0')\n"), ["main.py:2 0.0.0.0 via 2 sink helpers.py:3"]);
        assert_eq!(
            run("import helpers as h\nimport os\nh.start('::')\nos.path.join('0.0.0.0')\n"),
            ["main.py:3 :: via 3 sink helpers.py:3"]
        );
    }
}
