//! What one pass over a module learns: scopes, name bindings, classes, functions, calls and the
//! sites where a bind may happen.
//!
//! Everything borrows from the parsed tree (no AST is cloned). Later stages ask two questions of
//! it: "which bindings of this name can reach this point?" ([`Index::reaching`]) and "which
//! attributes does this class define?" ([`Index::class_attr`]).

use rustc_hash::FxHashMap as HashMap;
use smallvec::SmallVec;

use crate::python::ast::{self, Expr};

pub(crate) type ScopeId = u32;
pub(crate) type BlockId = u32;
pub(crate) type ClassId = u32;
pub(crate) type FuncId = u32;
/// A module of the program being analysed ([`super::program::Program`]).
pub(crate) type ModId = u32;
/// An activation of a function ([`super::frames::Frame`]); [`NO_FRAME`] outside any.
pub(crate) type FrameId = u32;

/// Evaluation outside any known call: parameters have only their defaults.
pub(crate) const NO_FRAME: FrameId = u32::MAX;

/// A point in the program: module, scope, innermost block, byte offset, and the activation of
/// the enclosing function the evaluation assumes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Ctx {
    pub module: ModId,
    pub scope: ScopeId,
    pub block: BlockId,
    pub pos: u32,
    pub frame: FrameId,
}

impl Ctx {
    pub(crate) fn in_frame(self, frame: FrameId) -> Ctx {
        Ctx { frame, ..self }
    }
}

/// A function of the program: module and function id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct FuncKey {
    pub module: ModId,
    pub func: FuncId,
}

/// A class of the program: module and class id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct ClassKey {
    pub module: ModId,
    pub class: ClassId,
}

/// How a name got its value.
#[derive(Debug)]
pub(crate) enum BindKind<'a> {
    /// `name = expr` (also walrus, annotated assignment, class attributes, `self.x = expr`).
    Value(&'a Expr),
    /// `a, b = expr`: the element at `path` of the value.
    Unpack(&'a Expr, Vec<u32>),
    /// `for a, b in expr` / comprehensions: an element of the iterable, then `path`.
    Iter(&'a Expr, Vec<u32>),
    /// A function parameter with its default, annotation and CLI-option default.
    Param(Param<'a>),
    /// `import m` / `from m import x`: the qualified name (relative ones start with dots).
    Import(String),
    Class(ClassId),
    Func(FuncId),
    /// `with expr as name`.
    WithAs(&'a Expr),
    /// `*args` or `**kwargs` of function `func`: a call's keyword arguments that no named
    /// parameter takes are read through `**kwargs` (forwarded with `f(**kwargs)`); what a call
    /// packs into `*args` is not followed.
    Variadic {
        func: FuncId,
        keywords: bool,
    },
}

/// A parameter of a function: where it sits, so that a call's arguments can be matched to it.
#[derive(Debug)]
pub(crate) struct Param<'a> {
    pub func: FuncId,
    /// Position among the positional parameters (`None` for keyword-only ones).
    pub position: Option<u32>,
    pub name: &'a str,
    pub default: Option<&'a Expr>,
    pub annotation: Option<&'a Expr>,
    /// A click / typer option default that feeds this parameter.
    pub option: Option<&'a Expr>,
    /// The first parameter of a method: the instance of this class.
    pub is_self: Option<ClassId>,
}

#[derive(Debug)]
pub(crate) struct Binding<'a> {
    /// The name bound (the attribute's name for `obj.attr = …`).
    pub name: &'a str,
    pub kind: BindKind<'a>,
    pub ctx: Ctx,
    /// Visible everywhere in its scope (comprehension targets are used before they appear).
    pub anywhere: bool,
}

#[derive(Debug)]
pub(crate) struct Scope {
    pub parent: Option<ScopeId>,
    pub is_class: bool,
    pub root: BlockId,
    /// The function whose body this scope is.
    pub func: Option<FuncId>,
    /// The class whose body this scope is, or whose method this scope is.
    pub class: Option<ClassId>,
}

#[derive(Debug)]
pub(crate) struct ClassInfo<'a> {
    pub def: &'a ast::StmtClassDef,
    pub ctx: Ctx,
    pub methods: Vec<(&'a str, FuncId)>,
}

#[derive(Debug)]
pub(crate) struct FuncInfo<'a> {
    pub def: &'a ast::StmtFunctionDef,
    pub ctx: Ctx,
    pub scope: ScopeId,
    pub returns: Vec<(&'a Expr, Ctx)>,
}

/// A place that may decide where a server listens.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Site<'a> {
    /// A call: of a catalogued API, of a function whose parameters reach one, or a wrapper
    /// that calls a callable with arguments (`Thread(target=…, args=…)`).
    Call(&'a ast::ExprCall),
    /// `target = value` (also annotated assignments and class attributes).
    Assign { target: &'a Expr, value: &'a Expr },
    /// A dict entry with a string key.
    DictKey { key: &'a Expr, value: &'a Expr },
    /// A keyword argument whose name is a configuration name, and the call it is passed to.
    Keyword { call: &'a ast::ExprCall, keyword: &'a ast::Keyword },
}

#[derive(Debug, Default)]
pub(crate) struct Index<'a> {
    /// The module's id in the run.
    pub module: ModId,
    pub scopes: Vec<Scope>,
    /// Parent of each block (`None` for a scope's root block).
    pub blocks: Vec<Option<BlockId>>,
    /// The condition under which an `if` body block runs.
    pub block_tests: HashMap<BlockId, &'a Expr>,
    pub bindings: Vec<Binding<'a>>,
    pub by_name: HashMap<(ScopeId, &'a str), Ids>,
    pub class_attrs: HashMap<(ClassId, &'a str), Ids>,
    /// `name.attr = value` on objects other than `self`: (scope, name, attr) → bindings.
    pub object_attrs: HashMap<(ScopeId, &'a str, &'a str), Ids>,
    /// `self.outer.attr = value` in a method: (class, outer, attr) → bindings.
    pub nested_attrs: HashMap<(ClassId, &'a str, &'a str), Ids>,
    /// `name['key'] = value`: (scope, name) → keys and their bindings, in source order.
    pub item_stores: HashMap<(ScopeId, &'a str), Vec<(&'a str, usize)>>,
    pub classes: Vec<ClassInfo<'a>>,
    pub funcs: Vec<FuncInfo<'a>>,
    /// argparse destination → `default=` expressions.
    pub argparse: HashMap<String, Vec<(&'a Expr, Ctx)>>,
    pub sites: Vec<(Site<'a>, Ctx)>,
    /// Per scope: its bindings and its sites, by position in `bindings` / `sites`.
    pub in_scope: Vec<ScopeItems>,
    /// How often each variable is read, per scope of the read.
    pub loads: HashMap<&'a str, Vec<ScopeId>>,
    /// How often each attribute name is read.
    pub attr_loads: HashMap<&'a str, u32>,
    /// Single-target assignments: the value's byte range and who holds it.
    pub owners: Vec<(std::ops::Range<usize>, Owner<'a>)>,
    /// The nesting limit was reached: parts of the module were not walked.
    pub too_deep: bool,
}

/// What one scope holds, for summaries that look at one function at a time.
#[derive(Debug, Default)]
pub(crate) struct ScopeItems {
    pub bindings: Vec<usize>,
    pub sites: Vec<usize>,
}

/// The bindings of one name: most names are bound once per scope, so one id is kept inline.
pub(crate) type Ids = SmallVec<[usize; 1]>;

/// The name an assignment stores its value in.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Owner<'a> {
    Name(ScopeId, &'a str),
    Attr(&'a str),
}

impl<'a> Index<'a> {
    /// The conditions that hold at a point of `block`: the tests of the `if` bodies around it,
    /// up to the scope's root block.
    pub(crate) fn conditions(&self, mut block: BlockId) -> Vec<&'a Expr> {
        let mut out = Vec::new();
        for _ in 0..4096 {
            if let Some(test) = self.block_tests.get(&block) {
                out.push(*test);
            }
            match self.blocks.get(block as usize).copied().flatten() {
                Some(parent) => block = parent,
                None => break,
            }
        }
        out
    }

    /// Whether `ancestor` encloses (or is) `block`.
    pub(crate) fn encloses(&self, ancestor: BlockId, mut block: BlockId) -> bool {
        for _ in 0..4096 {
            if block == ancestor {
                return true;
            }
            match self.blocks.get(block as usize).copied().flatten() {
                Some(parent) => block = parent,
                None => return false,
            }
        }
        false
    }

    /// Bindings of `name` that can reach `ctx`: in the nearest scope that binds it, the last
    /// unconditional binding before the use and any conditional ones after it.
    pub(crate) fn reaching(&self, name: &str, ctx: Ctx) -> Vec<&Binding<'a>> {
        let mut scope = Some(ctx.scope);
        let mut first = true;
        while let Some(s) = scope {
            let Some(info) = self.scopes.get(s as usize) else { break };
            let skip = info.is_class && !first;
            if !skip && let Some(ids) = self.by_name.get(&(s, name)) {
                let (pos, block) = if first { (ctx.pos, ctx.block) } else { (u32::MAX, info.root) };
                return self.select(ids, pos, block);
            }
            first = false;
            scope = info.parent;
        }
        Vec::new()
    }

    /// Module-level bindings of `name` as seen from another module (after the whole module ran).
    pub(crate) fn exported(&self, name: &str) -> Vec<&Binding<'a>> {
        match self.by_name.get(&(0, name)) {
            Some(ids) => self.select(ids, u32::MAX, 0),
            None => Vec::new(),
        }
    }

    /// `name.attr = …` stores that can reach `ctx` (same selection as for names).
    pub(crate) fn object_attr(&self, name: &str, attr: &str, ctx: Ctx) -> Vec<&Binding<'a>> {
        let found = self.store_scope(name, ctx, |s| self.object_attrs.get(&(s, name, attr)));
        found.map(|(ids, pos, block)| self.select(ids, pos, block)).unwrap_or_default()
    }

    /// `name['key'] = …` stores that can reach `ctx`, by key (same selection as for names).
    pub(crate) fn item_stores(&self, name: &str, ctx: Ctx) -> Vec<(&'a str, Vec<&Binding<'a>>)> {
        let Some((stores, pos, block)) = self.store_scope(name, ctx, |s| self.item_stores.get(&(s, name))) else {
            return Vec::new();
        };
        let mut keys: Vec<&'a str> = stores.iter().map(|(k, _)| *k).collect();
        keys.sort_unstable();
        keys.dedup();
        // In the scope of the use, only stores made before it count.
        keys.into_iter()
            .filter_map(|key| {
                let ids: Vec<usize> = stores
                    .iter()
                    .filter(|(k, id)| *k == key && self.bindings[*id].ctx.pos < pos)
                    .map(|(_, id)| *id)
                    .collect();
                (!ids.is_empty()).then(|| (key, self.select(&ids, pos, block)))
            })
            .collect()
    }

    /// The innermost scope, from `ctx` outwards, where `stores` finds stores made on `name`
    /// (before a scope that binds `name` itself hides the outer ones), with the position and
    /// block a use sees them from: the use's own in its scope, the scope's end further out.
    fn store_scope<'s, T>(
        &'s self,
        name: &str,
        ctx: Ctx,
        stores: impl Fn(ScopeId) -> Option<&'s T>,
    ) -> Option<(&'s T, u32, BlockId)> {
        let mut scope = Some(ctx.scope);
        let mut first = true;
        while let Some(s) = scope {
            let info = self.scopes.get(s as usize)?;
            if let Some(found) = stores(s) {
                let (pos, block) = if first { (ctx.pos, ctx.block) } else { (u32::MAX, info.root) };
                return Some((found, pos, block));
            }
            if self.by_name.contains_key(&(s, name)) {
                return None;
            }
            first = false;
            scope = info.parent;
        }
        None
    }

    fn select(&self, ids: &[usize], pos: u32, block: BlockId) -> Vec<&Binding<'a>> {
        let before: Vec<&Binding<'a>> =
            ids.iter().map(|&i| &self.bindings[i]).filter(|b| b.anywhere || b.ctx.pos < pos).collect();
        if before.is_empty() {
            return ids.iter().map(|&i| &self.bindings[i]).collect();
        }
        let mut out = Vec::new();
        for b in before.into_iter().rev() {
            out.push(b);
            if !b.anywhere && self.encloses(b.ctx.block, block) {
                break;
            }
        }
        out
    }

    /// Reads of `owner`: variable reads that resolve to its scope, or reads of the attribute.
    pub(crate) fn reads(&self, owner: Owner<'_>) -> u32 {
        match owner {
            Owner::Attr(a) => self.attr_loads.get(a).copied().unwrap_or(0),
            Owner::Name(scope, name) => {
                let reads = self.loads.get(name).map(Vec::as_slice).unwrap_or_default();
                reads.iter().filter(|&&s| self.resolves_to(s, scope, name)).count() as u32
            }
        }
    }

    /// Whether `name` read in scope `from` refers to scope `target`'s binding.
    fn resolves_to(&self, from: ScopeId, target: ScopeId, name: &str) -> bool {
        let mut scope = Some(from);
        while let Some(s) = scope {
            if s == target {
                return true;
            }
            if self.by_name.contains_key(&(s, name)) && !self.scopes[s as usize].is_class {
                return false;
            }
            scope = self.scopes[s as usize].parent;
        }
        false
    }

    /// Bindings of attribute `name` on class `class` (class body and `self.name = …`).
    pub(crate) fn class_attr(&self, class: ClassId, name: &str) -> Vec<&Binding<'a>> {
        self.class_attrs
            .get(&(class, name))
            .map(|ids| ids.iter().map(|&i| &self.bindings[i]).collect())
            .unwrap_or_default()
    }

    /// `self.outer.attr = …` stores made in the methods of `class`.
    pub(crate) fn nested_attr(&self, class: ClassId, outer: &str, attr: &str) -> Vec<&Binding<'a>> {
        self.nested_attrs
            .get(&(class, outer, attr))
            .map(|ids| ids.iter().map(|&i| &self.bindings[i]).collect())
            .unwrap_or_default()
    }

    /// A method defined in the body of `class`.
    pub(crate) fn method(&self, class: ClassId, name: &str) -> Option<FuncId> {
        self.classes.get(class as usize)?.methods.iter().find(|(n, _)| *n == name).map(|(_, f)| *f)
    }
}
