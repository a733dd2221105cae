//! What one pass over a module learns: scopes, name bindings, classes, functions and the sites
//! where a bind may happen.
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

/// A point in the program: scope, innermost block, byte offset.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Ctx {
    pub scope: ScopeId,
    pub block: BlockId,
    pub pos: u32,
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
    Param {
        default: Option<&'a Expr>,
        annotation: Option<&'a Expr>,
        option: Option<&'a Expr>,
        is_self: Option<ClassId>,
    },
    Import(String),
    Class(ClassId),
    Func(FuncId),
    /// `with expr as name`.
    WithAs(&'a Expr),
}

#[derive(Debug)]
pub(crate) struct Binding<'a> {
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
}

#[derive(Debug)]
pub(crate) struct ClassInfo<'a> {
    pub def: &'a ast::StmtClassDef,
    pub ctx: Ctx,
    pub methods: Vec<&'a str>,
}

#[derive(Debug)]
pub(crate) struct FuncInfo<'a> {
    pub def: &'a ast::StmtFunctionDef,
    pub ctx: Ctx,
    pub returns: Vec<(&'a Expr, Ctx)>,
}

/// A place that may decide where a server listens.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Site<'a> {
    /// A call whose callee may be catalogued: a plain name, or a catalogued method.
    Call(&'a ast::ExprCall),
    /// `target = value` (also annotated assignments and class attributes).
    Assign { target: &'a Expr, value: &'a Expr },
    /// A dict entry with a string key.
    DictKey { key: &'a Expr, value: &'a Expr },
    /// A keyword argument whose name is a configuration name.
    Keyword(&'a ast::Keyword),
}

#[derive(Debug, Default)]
pub(crate) struct Index<'a> {
    pub scopes: Vec<Scope>,
    /// Parent of each block (`None` for a scope's root block).
    pub blocks: Vec<Option<BlockId>>,
    pub bindings: Vec<Binding<'a>>,
    pub by_name: HashMap<(ScopeId, &'a str), Ids>,
    pub class_attrs: HashMap<(ClassId, &'a str), Ids>,
    pub classes: Vec<ClassInfo<'a>>,
    pub funcs: Vec<FuncInfo<'a>>,
    /// argparse destination → `default=` expressions.
    pub argparse: HashMap<String, Vec<(&'a Expr, Ctx)>>,
    pub sites: Vec<(Site<'a>, Ctx)>,
    /// How often each variable is read, per scope of the read.
    pub loads: HashMap<&'a str, Vec<ScopeId>>,
    /// How often each attribute name is read.
    pub attr_loads: HashMap<&'a str, u32>,
    /// Single-target assignments: the value's byte range and who holds it.
    pub owners: Vec<(std::ops::Range<usize>, Owner<'a>)>,
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
    /// Whether `ancestor` encloses (or is) `block`.
    fn encloses(&self, ancestor: BlockId, mut block: BlockId) -> bool {
        for _ in 0..256 {
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
            let info = &self.scopes[s as usize];
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
}
