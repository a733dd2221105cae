//! Sinks reached through the project's own functions and classes.
//!
//! A function's *summary* lists the sites in its body whose address reads one of its parameters
//! (found by evaluating each site once with no call around it and noting which parameters were
//! read). A class's constructor summary lists the sites of its methods that read the
//! constructor's parameters (through `self.x = x`). At a call of the function or the class, each
//! listed site is evaluated again in a frame of that call, so a literal passed by the caller is
//! reported where it is written, with the sink inside the helper and the call as the path.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use crate::python::ast;

use super::engine::frames::{ArgVal, CallArgs, Frame, This};
use super::engine::index::{ClassKey, Ctx, FuncKey, Site};
use super::engine::names;
use super::engine::strings::range;
use super::sites::{Raw, Sites};

/// The sites a function or constructor passes its parameters to.
type Summary<'p> = Rc<Vec<(Site<'p>, Ctx)>>;

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Key {
    Func(FuncKey),
    Ctor(ClassKey),
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
        let module = match key {
            Key::Func(f) => f.module,
            Key::Ctor(c) => c.module,
        };
        if !self.flow.st.program.may_reach_sinks(module) {
            return Rc::new(Vec::new());
        }
        // A summary is computed once for the whole file: its work is its own, not the budget
        // of the site that first needed it.
        let fuel = self.flow.st.take_fuel();
        let summary = Rc::new(self.compute(key));
        self.flow.st.restore_fuel(fuel);
        self.summaries.memo.borrow_mut().insert(key, summary.clone());
        summary
    }

    /// Evaluates each candidate site with no frame and keeps those that read the parameters.
    fn compute(&self, key: Key) -> Vec<(Site<'p>, Ctx)> {
        let reads = match key {
            Key::Func(f) => f,
            Key::Ctor(class) => match self.constructor(class) {
                Some((_, init)) => init,
                None => return Vec::new(),
            },
        };
        let mut kept = Vec::new();
        for (site, ctx) in self.candidates(key) {
            let outer = self.flow.st.touched.replace(Some(Vec::new()));
            let mut scratch = Vec::new();
            self.site(site, ctx, &mut scratch);
            let touched = self.flow.st.touched.replace(outer).unwrap_or_default();
            if touched.iter().any(|(f, _)| *f == reads) {
                kept.push((site, ctx));
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
    fn candidates(&self, key: Key) -> Vec<(Site<'p>, Ctx)> {
        match key {
            Key::Func(f) => {
                let ix = self.flow.st.index(f.module);
                let info = &ix.funcs[f.func as usize];
                let params = info.def.parameters.iter().map(|p| p.name().as_str());
                let tainted = names::tainted(ix, info.scope, params);
                let sites = ix.in_scope[info.scope as usize].sites.iter().map(|&i| ix.sites[i]);
                sites.filter(|(s, _)| reads(s, &tainted)).collect()
            }
            Key::Ctor(class) => {
                let mut out = Vec::new();
                for k in self.class_and_bases(class) {
                    let ix = self.flow.st.index(k.module);
                    for (i, func) in ix.funcs.iter().enumerate() {
                        let scope = &ix.scopes[func.scope as usize];
                        if scope.class != Some(k.class) || scope.func.is_none_or(|f| f as usize != i) {
                            continue;
                        }
                        let params = func.def.parameters.iter().map(|p| p.name().as_str());
                        let tainted = names::tainted(ix, func.scope, params);
                        let sites = ix.in_scope[func.scope as usize].sites.iter().map(|&i| ix.sites[i]);
                        out.extend(sites.filter(|(s, _)| reads(s, &tainted)));
                    }
                }
                out
            }
        }
    }

    fn class_and_bases(&self, class: ClassKey) -> Vec<ClassKey> {
        let mut out = vec![class];
        let mut i = 0;
        while i < out.len() && out.len() < 16 {
            for base in self.flow.res.local_bases(out[i], 0) {
                if !out.contains(&base) {
                    out.push(base);
                }
            }
            i += 1;
        }
        out
    }
}

/// Whether a site's inputs read one of `names`.
fn reads(site: &Site<'_>, names: &std::collections::HashSet<&str>) -> bool {
    match site {
        Site::Call(c) => names::call_inputs(c).any(|e| names::reads_any(e, names)),
        Site::Assign { value, .. } | Site::DictKey { value, .. } => names::reads_any(value, names),
        Site::Keyword(k) => names::reads_any(&k.value, names),
    }
}
