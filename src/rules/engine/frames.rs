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
        for k in &call.arguments.keywords {
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
    /// A method a class inherits from a base in another module, run for an instance of that
    /// class (whose class attributes the method reads through `self`).
    Of(super::index::ClassKey),
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
            This::Instance | This::Of(_) if position == 0 => return None,
            This::Receiver(_) | This::Instance | This::Of(_) => Some(position - 1),
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
    /// Calls followed so far (frames are truncated between sites; this is never).
    entered: u64,
}

impl<'p> Frames<'p> {
    pub(crate) fn push(&mut self, frame: Frame<'p>) -> FrameId {
        self.frames.push(frame);
        self.entered += 1;
        (self.frames.len() - 1) as FrameId
    }

    /// How many calls were followed: tests check that the quick looks rule calls out.
    #[cfg(test)]
    pub(crate) fn entered(&self) -> u64 {
        self.entered
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::python::{Flavor, parse};

    const CTX: Ctx = Ctx { module: 0, scope: 0, block: 0, pos: 0, frame: NO_FRAME };

    /// The call expression of a one-line module `text`.
    fn call_in(m: &crate::python::ParsedModule) -> &ast::ExprCall {
        match &m.body()[0] {
            ast::Stmt::Expr(e) => e.value.as_call_expr().expect("a call"),
            other => panic!("not a call: {other:?}"),
        }
    }

    /// An argument as its source text (`*` for a splat, `vals` for known values).
    fn text(arg: Option<&ArgVal<'_>>, src: &str) -> Option<String> {
        arg.map(|a| match a {
            ArgVal::Expr(e, _) => src[crate::rules::engine::strings::range(*e)].to_owned(),
            ArgVal::Vals(_) => "vals".to_owned(),
            ArgVal::Star => "*".to_owned(),
        })
    }

    fn param(position: Option<u32>, name: &str) -> Param<'_> {
        Param { func: 0, position, name, default: None, annotation: None, option: None, is_self: None }
    }

    fn frame<'p>(func: u32, args: CallArgs<'p>, this: This<'p>, parent: FrameId, site: Range<usize>) -> Frame<'p> {
        Frame { func: FuncKey { module: 0, func }, args, this, site: (0, site), parent }
    }

    #[test]
    fn arguments_of_a_call() {
        let src = "f(a, b, *rest, c, k=1, **more, j=2)";
        let m = parse(src, Flavor::Module);
        let args = CallArgs::of_call(call_in(&m), CTX, 0);
        let pos: Vec<_> = (0..5).map(|i| text(args.positional.get(i), src)).collect();
        assert_eq!(pos, [Some("a".into()), Some("b".into()), Some("*".into()), Some("c".into()), None]);
        assert_eq!(text(args.positional(0), src).as_deref(), Some("a"));
        assert_eq!(text(args.positional(1), src).as_deref(), Some("b"));
        assert_eq!(text(args.positional(2), src), None, "a splat makes its position unknown");
        assert_eq!(text(args.positional(3), src), None, "and every later one");
        assert_eq!(text(args.keyword("k"), src).as_deref(), Some("1"));
        assert_eq!(text(args.keyword("j"), src).as_deref(), Some("2"));
        assert_eq!(text(args.keyword("x"), src), None);
        assert_eq!(args.splats.len(), 1);
        assert_eq!(text(args.splats.first(), src).as_deref(), Some("more"));

        let skipped = CallArgs::of_call(call_in(&m), CTX, 1);
        assert_eq!(text(skipped.positional(0), src).as_deref(), Some("b"));
        let shifted = CallArgs::of_call(call_in(&m), CTX, 0).shifted(1);
        assert_eq!(text(shifted.positional(0), src).as_deref(), Some("b"));
        assert_eq!(text(shifted.keyword("k"), src).as_deref(), Some("1"), "keywords stay");
        assert_eq!(CallArgs::of_call(call_in(&m), CTX, 0).shifted(9).positional.len(), 0);
    }

    #[test]
    fn positions_after_the_last_argument_are_unknown() {
        let src = "f(a, b)";
        let m = parse(src, Flavor::Module);
        let args = CallArgs::of_call(call_in(&m), CTX, 0);
        assert_eq!(text(args.positional(1), src).as_deref(), Some("b"));
        assert_eq!(text(args.positional(2), src), None);
        let src = "f(a, *b)";
        let m = parse(src, Flavor::Module);
        let args = CallArgs::of_call(call_in(&m), CTX, 0);
        assert_eq!(text(args.positional(0), src).as_deref(), Some("a"), "a splat after it does not matter");
    }

    #[test]
    fn parameters_take_positional_keyword_and_splat_arguments() {
        let src = "f(a, b, k=1)";
        let m = parse(src, Flavor::Module);
        let plain = frame(0, CallArgs::of_call(call_in(&m), CTX, 0), This::Nothing, NO_FRAME, 0..1);
        let one = |f: &Frame<'_>, p: &Param<'_>| match argument_for(f, p) {
            Some(ArgFor::One(a)) => text(Some(a), src),
            Some(ArgFor::Splats(s)) => Some(format!("splats {}", s.len())),
            None => None,
        };
        assert_eq!(one(&plain, &param(Some(0), "x")).as_deref(), Some("a"));
        assert_eq!(one(&plain, &param(Some(1), "y")).as_deref(), Some("b"));
        assert_eq!(one(&plain, &param(Some(2), "k")).as_deref(), Some("1"), "by keyword past the positions");
        assert_eq!(one(&plain, &param(None, "k")).as_deref(), Some("1"), "keyword-only");
        assert_eq!(one(&plain, &param(Some(2), "z")), None);

        // `obj.method(a, b)`: the first parameter is the receiver, the rest shift by one.
        let receiver = ArgVal::Vals(Vec::new());
        let bound = frame(0, CallArgs::of_call(call_in(&m), CTX, 0), This::Receiver(receiver), NO_FRAME, 0..1);
        assert_eq!(one(&bound, &param(Some(0), "self")).as_deref(), Some("vals"));
        assert_eq!(one(&bound, &param(Some(1), "x")).as_deref(), Some("a"));
        assert_eq!(one(&bound, &param(Some(2), "y")).as_deref(), Some("b"));

        // A constructor: the first parameter is the new instance, with no value.
        let init = frame(0, CallArgs::of_call(call_in(&m), CTX, 0), This::Instance, NO_FRAME, 0..1);
        assert_eq!(one(&init, &param(Some(0), "k")), None, "not even a keyword of its name");
        assert_eq!(one(&init, &param(Some(1), "x")).as_deref(), Some("a"));
        assert_eq!(one(&init, &param(Some(2), "y")).as_deref(), Some("b"));

        let src2 = "f(**opts)";
        let m2 = parse(src2, Flavor::Module);
        let splat = frame(0, CallArgs::of_call(call_in(&m2), CTX, 0), This::Nothing, NO_FRAME, 0..1);
        assert!(matches!(argument_for(&splat, &param(Some(0), "host")), Some(ArgFor::Splats(s)) if s.len() == 1));
    }

    #[test]
    fn frames_chain_to_their_callers() {
        let mut frames = Frames::default();
        assert_eq!(frames.len(), 0);
        assert!(frames.get(NO_FRAME).is_none() && frames.get(0).is_none());
        let outer = frames.push(frame(1, CallArgs::default(), This::Nothing, NO_FRAME, 10..20));
        let middle = frames.push(frame(2, CallArgs::default(), This::Nothing, outer, 30..40));
        let inner = frames.push(frame(1, CallArgs::default(), This::Nothing, middle, 50..60));
        let other = frames.push(frame(3, CallArgs::default(), This::Nothing, NO_FRAME, 70..80));
        assert_eq!((outer, middle, inner, other), (0, 1, 2, 3));
        assert_eq!(frames.len(), 4);
        assert_eq!(frames.get(middle).map(|f| f.func.func), Some(2));
        assert!(frames.get(NO_FRAME).is_none());
        assert_eq!([NO_FRAME, outer, middle, inner, other].map(|id| frames.depth(id)), [0, 1, 2, 3, 1]);
        let key = |func| FuncKey { module: 0, func };
        assert_eq!(frames.find(inner, key(1)), Some(inner), "the innermost activation");
        assert_eq!(frames.find(middle, key(1)), Some(outer));
        assert_eq!(frames.find(inner, key(2)), Some(middle));
        assert_eq!(frames.find(inner, key(3)), None);
        assert_eq!(frames.find(NO_FRAME, key(1)), None);
        assert_eq!(frames.sites(inner), vec![(0, 50..60), (0, 30..40), (0, 10..20)]);
        assert_eq!(frames.sites(NO_FRAME), Vec::new());
        frames.truncate(2);
        assert_eq!(frames.len(), 2);
        assert!(frames.get(inner).is_none());
        assert_eq!(frames.depth(middle), 2);
    }
}
