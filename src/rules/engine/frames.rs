//! Activations of functions: a call's arguments matched to the callee's parameters.
//!
//! A literal passed to a helper reaches the helper's sink through a parameter. The flow
//! evaluates the helper's sink again *in a frame* of that call: a parameter then has the
//! values of the argument the call passes for it (positional, keyword, `*`/`**` splats, or
//! the default when the call passes nothing). A frame remembers the call's place, which becomes
//! a location of the finding.

use std::ops::Range;

use crate::python::ast::{self, Expr};

use super::index::{Ctx, FrameId, FuncKey, ModId, NO_FRAME, Param};
use super::values::Val;

/// How many calls deep a value is followed into helpers.
pub(crate) const MAX_FRAMES: usize = 12;

/// One argument: an expression to evaluate where the call is, values already known (from a
/// `args=(…)` tuple held in a variable), or an unknown `*args` splat.
#[derive(Clone, Debug)]
pub(crate) enum ArgVal<'p> {
    Expr(&'p Expr, Ctx),
    Vals(Vec<Val<'p>>),
    Star,
}

/// The arguments of one call, as the callee receives them.
#[derive(Clone, Debug, Default)]
pub(crate) struct CallArgs<'p> {
    pub positional: Vec<ArgVal<'p>>,
    pub keywords: Vec<(&'p str, ArgVal<'p>)>,
    /// `**mapping` arguments.
    pub splats: Vec<ArgVal<'p>>,
}

impl<'p> CallArgs<'p> {
    /// The arguments of `call` after the first `skip` positional ones (`partial(f, x)` passes
    /// `x` on; `defer.execute(f, x)` too).
    pub(crate) fn of_call(call: &'p ast::ExprCall, ctx: Ctx, skip: usize) -> Self {
        let positional = call
            .arguments
            .args
            .iter()
            .skip(skip)
            .map(|a| match a {
                Expr::Starred(_) => ArgVal::Star,
                other => ArgVal::Expr(other, ctx),
            })
            .collect();
        let mut keywords = Vec::new();
        let mut splats = Vec::new();
        for k in call.arguments.keywords.iter() {
            match &k.arg {
                Some(name) => keywords.push((name.as_str(), ArgVal::Expr(&k.value, ctx))),
                None => splats.push(ArgVal::Expr(&k.value, ctx)),
            }
        }
        CallArgs { positional, keywords, splats }
    }

    /// The `i`-th positional argument; `None` when the call passes fewer, or when a `*args`
    /// splat before it makes the position unknown.
    pub(crate) fn positional(&self, i: usize) -> Option<&ArgVal<'p>> {
        self.positional
            .iter()
            .take(i + 1)
            .position(|a| matches!(a, ArgVal::Star))
            .map_or_else(|| self.positional.get(i), |_| None)
    }

    pub(crate) fn keyword(&self, name: &str) -> Option<&ArgVal<'p>> {
        self.keywords.iter().find(|(k, _)| *k == name).map(|(_, v)| v)
    }

    /// Drops the first `n` positional arguments (`Thread(target=f, args=…)` is built whole,
    /// `submit(f, a)` passes everything after `f`).
    pub(crate) fn shifted(mut self, n: usize) -> Self {
        let n = n.min(self.positional.len());
        self.positional.drain(..n);
        self
    }
}

/// What the first parameter of the callee is bound to.
#[derive(Clone, Debug)]
pub(crate) enum This<'p> {
    /// A plain function call (or an unbound `Class.method(obj, …)`): arguments start at the
    /// first parameter.
    Nothing,
    /// `obj.method(…)`: the first parameter is `obj`.
    Receiver(ArgVal<'p>),
    /// A constructor or `super().__init__(…)`: the first parameter is the new instance, which
    /// has no value of its own.
    Instance,
}

/// One activation of a function.
#[derive(Clone, Debug)]
pub(crate) struct Frame<'p> {
    pub func: FuncKey,
    pub args: CallArgs<'p>,
    pub this: This<'p>,
    /// The call, for the finding's locations.
    pub site: (ModId, Range<usize>),
    /// The frame the call itself was evaluated in.
    pub parent: FrameId,
}

/// What a frame passes for `param`: `None` when the call passes nothing for it.
pub(crate) fn argument_for<'f, 'p>(frame: &'f Frame<'p>, param: &Param<'p>) -> Option<ArgFor<'f, 'p>> {
    if let Some(position) = param.position {
        let position = position as usize;
        let shifted = match &frame.this {
            This::Nothing => Some(position),
            This::Receiver(receiver) if position == 0 => return Some(ArgFor::One(receiver)),
            This::Instance if position == 0 => return None,
            This::Receiver(_) | This::Instance => Some(position - 1),
        };
        if let Some(arg) = shifted.and_then(|i| frame.args.positional(i)) {
            return Some(ArgFor::One(arg));
        }
    }
    if let Some(arg) = frame.args.keyword(param.name) {
        return Some(ArgFor::One(arg));
    }
    (!frame.args.splats.is_empty()).then_some(ArgFor::Splats(&frame.args.splats))
}

/// An argument matched to a parameter: one value, or an entry of `**mapping` splats.
pub(crate) enum ArgFor<'f, 'p> {
    One(&'f ArgVal<'p>),
    Splats(&'f [ArgVal<'p>]),
}

/// The frames of one analysis.
#[derive(Default)]
pub(crate) struct Frames<'p> {
    frames: Vec<Frame<'p>>,
}

impl<'p> Frames<'p> {
    pub(crate) fn push(&mut self, frame: Frame<'p>) -> FrameId {
        self.frames.push(frame);
        (self.frames.len() - 1) as FrameId
    }

    pub(crate) fn get(&self, id: FrameId) -> Option<&Frame<'p>> {
        if id == NO_FRAME { None } else { self.frames.get(id as usize) }
    }

    /// How many calls deep `id` is.
    pub(crate) fn depth(&self, mut id: FrameId) -> usize {
        let mut depth = 0;
        while let Some(f) = self.get(id) {
            depth += 1;
            id = f.parent;
        }
        depth
    }

    /// The innermost activation of `func` in the chain from `id`.
    pub(crate) fn find(&self, mut id: FrameId, func: FuncKey) -> Option<FrameId> {
        while let Some(f) = self.get(id) {
            if f.func == func {
                return Some(id);
            }
            id = f.parent;
        }
        None
    }

    /// The call sites of the chain from `id`, innermost first.
    pub(crate) fn sites(&self, mut id: FrameId) -> Vec<(ModId, Range<usize>)> {
        let mut out = Vec::new();
        while let Some(f) = self.get(id) {
            out.push(f.site.clone());
            id = f.parent;
        }
        out
    }

    pub(crate) fn truncate(&mut self, len: usize) {
        self.frames.truncate(len);
    }

    pub(crate) fn len(&self) -> usize {
        self.frames.len()
    }
}
