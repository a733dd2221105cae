//! The modules of the analysed project, loaded when the analysis needs them.
//!
//! A value or a function often lives in another module of the same project (`from .config
//! import HOST`). [`Project`] reads those modules through [`Files`] — the disk for `check`, the
//! index or a commit's tree for the hooks, so a hook never looks at the worktree — and parses
//! each at most once per run, whichever thread asks first. [`Program`] is one analysis's view:
//! the modules it has touched, each with its [`Index`], addressed by [`ModId`]. Imports are
//! resolved the way Python finds modules: the importing file's package and directory, a `src/`
//! folder above it, its other ancestors, namespace packages (no `__init__.py`) included.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use typed_arena::Arena;

use super::collect::{self, Interest, Uses};
use super::index::{Index, ModId};
use crate::python::{self, Flavor, ParsedModule};
use crate::source::SourceText;

/// How many modules one analysis may load besides its own file. A project whose import graph
/// needs more is reported as not completely analysed.
pub(crate) const MAX_MODULES: usize = 2000;

pub(crate) use crate::snapshot::Snapshot as Files;

/// A decoded and parsed module.
pub(crate) struct Loaded {
    pub path: String,
    pub source: SourceText,
    pub parsed: ParsedModule,
}

impl Loaded {
    pub(crate) fn new(path: String, source: SourceText, stub: bool) -> Self {
        let parsed = python::parse(source.text(), Flavor::for_stub(stub));
        Loaded { path, source, parsed }
    }
}

type Slot = Arc<OnceLock<Option<Arc<Loaded>>>>;

/// The modules of one project, shared by every analysis of a run.
pub(crate) struct Project<'f> {
    files: &'f dyn Files,
    max_file_size: u64,
    loaded: Mutex<HashMap<String, Slot>>,
}

impl<'f> Project<'f> {
    pub(crate) fn new(files: &'f dyn Files, max_file_size: u64) -> Self {
        Project { files, max_file_size, loaded: Mutex::new(HashMap::new()) }
    }

    pub(crate) fn files(&self) -> &dyn Files {
        self.files
    }

    /// The module at `path`, read, decoded and parsed once; `None` when it is missing or cannot
    /// be decoded (its values then stay unknown).
    pub(crate) fn load(&self, path: &str) -> Option<Arc<Loaded>> {
        let slot = {
            let mut map = self.loaded.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            map.entry(path.to_owned()).or_default().clone()
        };
        slot.get_or_init(|| {
            let bytes = self.files.read(path)?;
            let source = SourceText::decode_owned(bytes, self.max_file_size).ok()?;
            Some(Arc::new(Loaded::new(path.to_owned(), source, path.ends_with(".pyi"))))
        })
        .clone()
    }
}

/// One module as the analysis sees it.
#[derive(Clone, Copy)]
pub(crate) struct Module<'p> {
    pub loaded: &'p Loaded,
    pub index: &'p Index<'p>,
}

impl<'p> Module<'p> {
    pub(crate) fn text(&self) -> &'p str {
        self.loaded.source.text()
    }

    pub(crate) fn path(&self) -> &'p str {
        &self.loaded.path
    }
}

/// Storage that outlives one analysis's borrows: the loaded modules and their indexes.
#[derive(Default)]
pub(crate) struct Arenas<'p> {
    held: Arena<Arc<Loaded>>,
    indexes: Arena<Index<'p>>,
}

/// The modules one analysis has touched.
pub(crate) struct Program<'p> {
    project: &'p Project<'p>,
    arenas: &'p Arenas<'p>,
    interest: &'p dyn Interest,
    modules: RefCell<Vec<Module<'p>>>,
    by_path: RefCell<HashMap<String, Option<ModId>>>,
    exists: RefCell<HashMap<String, bool>>,
    /// Names of the functions and methods the loaded modules define.
    defined: RefCell<std::collections::HashSet<&'p str>>,
    /// A module could not be loaded because [`MAX_MODULES`] was reached.
    pub(crate) too_many: std::cell::Cell<bool>,
}

/// What an import names: a module, then attributes looked up in it (a name, then attributes of
/// that name's value).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Resolved {
    pub module: ModId,
    pub attrs: Vec<String>,
}

impl<'p> Program<'p> {
    pub(crate) fn new(project: &'p Project<'p>, arenas: &'p Arenas<'p>, interest: &'p dyn Interest) -> Self {
        Program {
            project,
            arenas,
            interest,
            modules: RefCell::default(),
            by_path: RefCell::default(),
            exists: RefCell::default(),
            defined: RefCell::default(),
            too_many: std::cell::Cell::new(false),
        }
    }

    /// Adds a module that the caller loaded (the file being analysed).
    pub(crate) fn add(&self, loaded: &'p Loaded) -> ModId {
        let id = self.modules.borrow().len() as ModId;
        let path = loaded.path.clone();
        let index = collect::collect(loaded.parsed.body(), id, Uses::Skipped, self.interest);
        let index: &'p Index<'p> = self.arenas.indexes.alloc(index);
        self.defined.borrow_mut().extend(index.funcs.iter().map(|f| f.def.name.as_str()));
        self.modules.borrow_mut().push(Module { loaded, index });
        self.by_path.borrow_mut().insert(path, Some(id));
        id
    }

    /// Whether a loaded module defines a function or method of this name.
    pub(crate) fn defines_method(&self, name: &str) -> bool {
        self.defined.borrow().contains(name)
    }

    pub(crate) fn module(&self, id: ModId) -> Module<'p> {
        self.modules.borrow()[id as usize]
    }

    pub(crate) fn len(&self) -> usize {
        self.modules.borrow().len()
    }

    /// The module at `path`, loading it on first use.
    pub(crate) fn by_path(&self, path: &str) -> Option<ModId> {
        if let Some(known) = self.by_path.borrow().get(path) {
            return *known;
        }
        let id = if self.len() > MAX_MODULES {
            self.too_many.set(true);
            None
        } else {
            self.project.load(path).map(|loaded| {
                let held: &'p Arc<Loaded> = self.arenas.held.alloc(loaded);
                self.add(held)
            })
        };
        self.by_path.borrow_mut().insert(path.to_owned(), id);
        id
    }

    fn exists(&self, path: &str) -> bool {
        if let Some(&known) = self.exists.borrow().get(path) {
            return known;
        }
        let found = self.project.files().exists(path);
        self.exists.borrow_mut().insert(path.to_owned(), found);
        found
    }

    /// The module file for dotted `segments` under `dir`: `dir/a/b.py` or `dir/a/b/__init__.py`.
    fn module_file(&self, dir: &str, segments: &[&str]) -> Option<String> {
        if segments.is_empty() {
            let init = join(dir, "__init__.py");
            return self.exists(&init).then_some(init);
        }
        let base = join(dir, &segments.join("/"));
        let candidates = [format!("{base}.py"), join(&base, "__init__.py")];
        candidates.into_iter().find(|c| self.exists(c))
    }

    /// Resolves an import as written in module `from` (`a.b.c`, `.config.HOST`, `..pkg`): the
    /// longest prefix that is a module of the project, and the rest as attributes.
    pub(crate) fn resolve_import(&self, from: ModId, qualified: &str) -> Option<Resolved> {
        let level = qualified.bytes().take_while(|&b| b == b'.').count();
        let rest = &qualified[level..];
        let segments: Vec<&str> = if rest.is_empty() { Vec::new() } else { rest.split('.').collect() };
        if segments.iter().any(|s| s.is_empty()) {
            return None;
        }
        let from_path = self.module(from).path().to_owned();
        let roots = if level > 0 {
            vec![ancestor(parent(&from_path), level - 1)?.to_owned()]
        } else {
            search_roots(&from_path, |p| self.exists(p))
        };
        for root in &roots {
            for take in (0..=segments.len()).rev() {
                if take == 0 && level == 0 {
                    break;
                }
                let Some(file) = self.module_file(root, &segments[..take]) else { continue };
                // A module that imports its own name means the library it is named after.
                if file == from_path {
                    continue;
                }
                let module = self.by_path(&file)?;
                let attrs = segments[take..].iter().map(|s| (*s).to_owned()).collect();
                return Some(Resolved { module, attrs });
            }
        }
        None
    }

    /// `module.attr` as a submodule (`import pkg` then `pkg.sub`).
    pub(crate) fn submodule(&self, module: ModId, attr: &str) -> Option<ModId> {
        let path = self.module(module).path().to_owned();
        if !path.ends_with("__init__.py") {
            return None;
        }
        let file = self.module_file(parent(&path), &[attr])?;
        self.by_path(&file)
    }
}

/// Where Python would look for top-level modules when running or importing the file at `path`:
/// the folder above its outermost package, its own folder, a `src/` folder above it, and every
/// other ancestor (namespace packages and repository-root imports).
fn search_roots(path: &str, exists: impl Fn(&str) -> bool) -> Vec<String> {
    let dir = parent(path);
    let mut roots: Vec<String> = Vec::new();
    let mut push = |r: &str| {
        if !roots.iter().any(|x| x == r) {
            roots.push(r.to_owned());
        }
    };
    let mut top = dir;
    for _ in 0..64 {
        if top.is_empty() || !exists(&join(top, "__init__.py")) {
            break;
        }
        top = parent(top);
    }
    push(top);
    push(dir);
    let mut at = dir;
    for _ in 0..64 {
        if at.is_empty() {
            break;
        }
        if at.rsplit('/').next() == Some("src") {
            push(at);
        }
        at = parent(at);
    }
    let mut at = dir;
    for _ in 0..64 {
        if at.is_empty() {
            break;
        }
        at = parent(at);
        push(at);
    }
    roots
}

/// The folder of a `/`-separated path (`""` at the top).
pub(crate) fn parent(path: &str) -> &str {
    match path.rfind('/') {
        Some(0) => "/",
        Some(i) => &path[..i],
        None => "",
    }
}

fn ancestor(mut dir: &str, levels: usize) -> Option<&str> {
    for _ in 0..levels {
        if dir.is_empty() || dir == "/" {
            return None;
        }
        dir = parent(dir);
    }
    Some(dir)
}

fn join(dir: &str, name: &str) -> String {
    match dir {
        "" => name.to_owned(),
        "/" => format!("/{name}"),
        _ => format!("{dir}/{name}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roots_follow_packages_src_and_ancestors() {
        let files = ["app/pkg/__init__.py", "app/pkg/sub/__init__.py"];
        let exists = |p: &str| files.contains(&p);
        let roots = search_roots("app/pkg/sub/mod.py", exists);
        assert_eq!(roots, vec!["app", "app/pkg/sub", "app/pkg", ""]);
        let roots = search_roots("proj/src/signage/mod.py", |_| false);
        assert_eq!(roots, vec!["proj/src/signage", "proj/src", "proj", ""]);
    }

    #[test]
    fn parents_and_ancestors() {
        assert_eq!(parent("a/b/c.py"), "a/b");
        assert_eq!(parent("c.py"), "");
        assert_eq!(parent("/c.py"), "/");
        assert_eq!(ancestor("a/b", 1), Some("a"));
        assert_eq!(ancestor("a", 2), None);
        assert_eq!(join("", "x"), "x");
    }
}
