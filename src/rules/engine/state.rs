//! What the resolver and the flow share during one analysis: the program, the frames of the
//! calls being followed, the work budget, the limits that were reached, and (while a function's
//! summary is computed) the parameters its sinks read.

use std::cell::{Cell, RefCell};
use std::time::Instant;

use super::frames::Frames;
use super::index::{FuncKey, Index, ModId};
use super::program::Program;

/// Evaluation steps allowed per site.
pub(crate) const FUEL_PER_SITE: u32 = 20_000;
/// Evaluation steps allowed per analysed file, all sites together.
pub(crate) const FUEL_PER_FILE: u64 = 4_000_000;
/// How often (in steps) the clock is read for the deadline.
const CLOCK_EVERY: u64 = 4096;

/// An analysis limit that was reached: the file's analysis is then incomplete.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Limit {
    /// Expressions nested deeper than the walk follows.
    Nesting,
    /// More alternative values than are kept for one expression.
    Alternatives,
    /// A literal list or dict with more elements than are kept.
    Elements,
    /// A chain of names, attributes or base classes longer than is followed.
    Aliases,
    /// Helpers calling helpers deeper than is followed.
    Calls,
    /// The evaluation budget of a site or of the file ran out.
    Work,
    /// More modules than one analysis loads.
    Modules,
    /// The time budget ran out during the analysis.
    Deadline,
}

impl Limit {
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Limit::Nesting => "expressions nested too deeply",
            Limit::Alternatives => "too many alternative values for one expression",
            Limit::Elements => "a literal list or dict too long",
            Limit::Aliases => "a chain of names or attributes too long",
            Limit::Calls => "helper functions nested too deeply",
            Limit::Work => "the analysis budget for one file ran out",
            Limit::Modules => "too many modules imported",
            Limit::Deadline => "the time budget ran out",
        }
    }
}

pub(crate) struct State<'x, 'p> {
    pub program: &'x Program<'p>,
    pub knowledge: &'x dyn Knowledge,
    pub frames: RefCell<Frames<'p>>,
    fuel: Cell<u32>,
    /// A quick look is running on a small budget of its own.
    quick: Cell<bool>,
    file_fuel: Cell<u64>,
    steps: Cell<u64>,
    deadline: Option<Instant>,
    limits: RefCell<Vec<Limit>>,
    /// While a summary is computed: parameters read without a frame that binds them.
    pub touched: RefCell<Option<Vec<(FuncKey, &'p str)>>>,
    /// Resolve imports into every module, whether or not it may reach a sink.
    pub precise: Cell<bool>,
    /// Types already resolved outside any call, by expression and place.
    pub types: RefCell<rustc_hash::FxHashMap<(usize, super::index::Ctx), super::resolve::Ty>>,
    /// Bindings being evaluated, by address and frame: a binding whose value reads itself
    /// (`a = b` and `b = a` where neither has an earlier value) is a cycle, cut there.
    pub evaluating: RefCell<Vec<(usize, super::index::FrameId)>>,
    /// Subclasses of a class in its module, once asked.
    pub subclasses: RefCell<rustc_hash::FxHashMap<super::index::ClassKey, Vec<super::index::ClassKey>>>,
}

/// What the engine needs to know about libraries, told by the rule.
pub(crate) trait Knowledge {
    /// The class a library call returns (`grpc.server` → `grpc.Server`); `=` for the receiver.
    fn factory(&self, qualified: &str) -> Option<&'static str>;
    /// [`Knowledge::factory`] for `receiver_type.method()`.
    fn bound_factory(&self, receiver: &str, method: &str) -> Option<&'static str>;
    /// Whether a qualified name belongs to a library the rule knows (then it is not looked up
    /// in the project, even when the project is that library's own source).
    fn knows(&self, qualified: &str) -> bool;
    /// Whether a module's bytes may define a sink (its names, as the rule's gate reads them).
    fn may_define_sinks(&self, bytes: &[u8]) -> bool;
    /// Whether a module's bytes may spell an all-interfaces address, in any way the rule reads.
    fn may_spell_address(&self, bytes: &[u8]) -> bool;
    /// Whether a module's bytes spell an all-interfaces address plainly.
    fn spells_address_plainly(&self, bytes: &[u8]) -> bool;
}

impl<'x, 'p> State<'x, 'p> {
    pub(crate) fn new(program: &'x Program<'p>, knowledge: &'x dyn Knowledge, deadline: Option<Instant>) -> Self {
        State {
            program,
            knowledge,
            frames: RefCell::default(),
            fuel: Cell::new(FUEL_PER_SITE),
            quick: Cell::new(false),
            file_fuel: Cell::new(FUEL_PER_FILE),
            steps: Cell::new(0),
            deadline,
            limits: RefCell::default(),
            touched: RefCell::default(),
            precise: Cell::new(false),
            types: RefCell::default(),
            evaluating: RefCell::default(),
            subclasses: RefCell::default(),
        }
    }

    pub(crate) fn index(&self, module: ModId) -> &'p Index<'p> {
        self.program.module(module).index
    }

    pub(crate) fn text(&self, module: ModId) -> &'p str {
        self.program.module(module).text()
    }

    /// Sets a fresh site budget aside the current one, which is returned.
    pub(crate) fn take_fuel(&self) -> u32 {
        self.fuel.replace(FUEL_PER_SITE)
    }

    /// Sets a small budget aside the current one, which is returned; running out of it is not a
    /// limit of the analysis (the caller takes the careful way).
    pub(crate) fn set_fuel(&self, fuel: u32) -> (u32, bool) {
        (self.fuel.replace(fuel), self.quick.replace(true))
    }

    /// Ends a quick look started by [`State::set_fuel`].
    pub(crate) fn end_quick_look(&self, (fuel, quick): (u32, bool)) {
        self.fuel.set(fuel);
        self.quick.set(quick);
    }

    pub(crate) fn fuel_left(&self) -> u32 {
        self.fuel.get()
    }

    pub(crate) fn restore_fuel(&self, fuel: u32) {
        self.fuel.set(fuel);
    }

    /// A fresh budget for the next site.
    pub(crate) fn refuel(&self) {
        self.fuel.set(FUEL_PER_SITE);
    }

    /// One evaluation step; false when a budget is spent (and the limit is recorded).
    pub(crate) fn spend(&self) -> bool {
        let (site, file) = (self.fuel.get(), self.file_fuel.get());
        if site == 0 || file == 0 {
            if !self.quick.get() || file == 0 {
                self.hit(Limit::Work);
            }
            return false;
        }
        let steps = self.steps.get() + 1;
        self.steps.set(steps);
        if steps.is_multiple_of(CLOCK_EVERY) && self.deadline.is_some_and(|d| Instant::now() >= d) {
            self.file_fuel.set(0);
            self.hit(Limit::Deadline);
            return false;
        }
        self.fuel.set(site - 1);
        self.file_fuel.set(file - 1);
        true
    }

    /// Whether the whole file's budget is spent (then no further site is worth starting).
    pub(crate) fn exhausted(&self) -> bool {
        self.file_fuel.get() == 0
    }

    pub(crate) fn hit(&self, limit: Limit) {
        // A quick look that cannot tell takes the careful way; nothing was missed.
        if self.quick.get() {
            return;
        }
        let mut limits = self.limits.borrow_mut();
        if !limits.contains(&limit) {
            limits.push(limit);
        }
    }

    /// Evaluation steps taken so far: the work the analysis's shortcuts save, as tests see it.
    #[cfg(test)]
    pub(crate) fn steps(&self) -> u64 {
        self.steps.get()
    }

    pub(crate) fn limits(&self) -> Vec<Limit> {
        let mut limits = self.limits.borrow().clone();
        if self.program.too_many.get() && !limits.contains(&Limit::Modules) {
            limits.push(Limit::Modules);
        }
        if self.program.modules().iter().any(|m| m.index.too_deep) && !limits.contains(&Limit::Nesting) {
            limits.push(Limit::Nesting);
        }
        limits.sort();
        limits
    }

    /// Records that a parameter was read with no frame binding it (summaries).
    pub(crate) fn touch(&self, func: FuncKey, param: &'p str) {
        if let Some(touched) = self.touched.borrow_mut().as_mut()
            && !touched.contains(&(func, param))
        {
            touched.push((func, param));
        }
    }
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;

    use super::Limit;

    #[test]
    fn one_site_that_takes_more_than_its_budget_leaves_the_file_incomplete() {
        use crate::rules::tests::analyse_one;
        // Each field of the f-string reads a chain of names: a few steps apiece.
        let site = |fields: usize| {
            let mut text = String::from("import socket\ne = '1'\nd = e\nc = d\nb = c\na = b\n");
            let _ = writeln!(text, "socket.socket().bind((f'{}', 1))", "{a}".repeat(fields));
            text
        };
        let small = analyse_one(&site(10));
        assert_eq!(small.limits, []);
        let per_field = small.steps / 10;
        let fields = (super::FUEL_PER_SITE as u64 / per_field.max(1)) as usize * 2;
        let big = analyse_one(&site(fields));
        assert_eq!(big.limits, [Limit::Work], "{fields} fields");
        assert!(big.steps < super::FUEL_PER_FILE, "the file's budget is not what ran out");
    }

    #[test]
    fn each_limit_is_told_apart() {
        let all = [
            Limit::Nesting,
            Limit::Alternatives,
            Limit::Elements,
            Limit::Aliases,
            Limit::Calls,
            Limit::Work,
            Limit::Modules,
            Limit::Deadline,
        ];
        let mut said: Vec<&str> = all.iter().map(|l| l.describe()).collect();
        said.sort_unstable();
        said.dedup();
        assert_eq!(said.len(), all.len());
        assert!(said.iter().all(|s| s.len() > 10 && !s.ends_with('.')), "{said:?}");
    }
}
