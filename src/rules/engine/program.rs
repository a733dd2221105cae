//! The modules of the analysed project, loaded when the analysis needs them.
//!
//! A value or a function often lives in another module of the same project (`from .config
//! import HOST`). [`Project`] reads those modules through [`Files`] — the disk for `check`, the
//! index or a commit's tree for the hooks, so a hook never looks at the worktree — and parses
//! each at most once per run, whichever thread asks first. [`Program`] is one analysis's view:
//! the modules it has touched, each with its [`Index`], addressed by [`ModId`]. Imports are
//! resolved the way Python finds modules: the importing file's package and directory, a `src/`
//! folder above it, its other ancestors, namespace packages (no `__init__.py`) included.

use rustc_hash::FxHashMap as HashMap;
use std::cell::RefCell;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use typed_arena::Arena;

use super::collect::{self, Interest, Uses};
use super::index::{Index, ModId};
use super::state::Knowledge;
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

self_cell::self_cell!(
    /// A module parsed and indexed once for the whole run: the index borrows the tree.
    pub(crate) struct Indexed {
        owner: Loaded,
        #[covariant]
        dependent: Index,
    }
);

impl Indexed {
    pub(crate) fn loaded(&self) -> &Loaded {
        self.borrow_owner()
    }

    pub(crate) fn index(&self) -> &Index<'_> {
        self.borrow_dependent()
    }
}

type Slot = Arc<OnceLock<Option<Arc<Indexed>>>>;

/// Where an import leads: the module's file and the attributes after it, if it is in the project.
type Located = Option<(String, Vec<String>)>;

/// The modules of one project, shared by every analysis of a run.
pub(crate) struct Project<'f> {
    files: &'f dyn Files,
    interest: &'f (dyn Interest + Sync),
    max_file_size: u64,
    loaded: Mutex<HashMap<String, Slot>>,
    /// Whether a module may define a function or class that reaches a sink, by path.
    sinky: Mutex<HashMap<String, bool>>,
    /// Whether a module may hold an address, in its text or the modules it imports, by path.
    addressy: Mutex<HashMap<String, bool>>,
    /// Whether a module may spell one plainly, in its text or a module it imports, by path.
    plainly_addressy: Mutex<HashMap<String, bool>>,
    /// Whether a file exists, by path.
    exists: Mutex<HashMap<String, bool>>,
    /// Where an import leads, by the importing file's folder and the name as written.
    located: Mutex<HashMap<(String, String), Located>>,
    /// Loaded modules by id.
    by_id: Mutex<HashMap<ModId, Arc<Indexed>>>,
    /// Summaries of functions and constructors of loaded modules: the sites (module, index in
    /// its sites) that read their parameters. Computed once per run.
    summaries: Mutex<HashMap<SummaryKey, SharedSummary>>,
}

/// A function (`0`) or a constructor (`1`) of a module, by id.
pub(crate) type SummaryKey = (u8, ModId, u32);

/// A summary as the run keeps it: sites by module and position.
pub(crate) type SharedSummary = Arc<[(ModId, u32)]>;

/// An import's resolution, by importing module, the name's address and length, and purpose.
type ResolvedKey = (ModId, usize, usize, Need);

impl<'f> Project<'f> {
    pub(crate) fn new(files: &'f dyn Files, interest: &'f (dyn Interest + Sync), max_file_size: u64) -> Self {
        Project {
            files,
            interest,
            max_file_size,
            loaded: Mutex::default(),
            sinky: Mutex::default(),
            addressy: Mutex::default(),
            plainly_addressy: Mutex::default(),
            exists: Mutex::default(),
            located: Mutex::default(),
            by_id: Mutex::default(),
            summaries: Mutex::default(),
        }
    }

    /// A summary another analysis of the run computed.
    pub(crate) fn summary(&self, key: SummaryKey) -> Option<SharedSummary> {
        lock(&self.summaries).get(&key).cloned()
    }

    /// Keeps a summary of a loaded module for the rest of the run.
    pub(crate) fn keep_summary(&self, key: SummaryKey, sites: SharedSummary) {
        if lock(&self.by_id).contains_key(&key.1) {
            lock(&self.summaries).insert(key, sites);
        }
    }

    fn indexed(&self, id: ModId) -> Option<Arc<Indexed>> {
        lock(&self.by_id).get(&id).cloned()
    }

    /// Whether a file exists (asked once per path).
    fn exists(&self, path: &str) -> bool {
        if let Some(&known) = lock(&self.exists).get(path) {
            return known;
        }
        let found = self.files.exists(path);
        lock(&self.exists).insert(path.to_owned(), found);
        found
    }

    /// The file an import names from the file at `from_path`, and the attributes after it;
    /// located once per folder and name.
    pub(crate) fn locate(&self, from_path: &str, qualified: &str) -> Option<(String, Vec<String>)> {
        let key = (parent(from_path).to_owned(), qualified.to_owned());
        let known = lock(&self.located).get(&key).cloned();
        let found = known.unwrap_or_else(|| {
            let found = locate(from_path, qualified, |p| self.exists(p));
            lock(&self.located).insert(key, found.clone());
            found
        });
        // A module that imports its own name means the library it is named after.
        found.filter(|(file, _)| file != from_path)
    }

    /// Whether the file at `path` (with these bytes) imports a module of the project that may
    /// reach a sink.
    pub(crate) fn imports_sinky(&self, path: &str, bytes: &[u8], knowledge: &dyn Knowledge) -> bool {
        self.imports_any(path, bytes, knowledge, Trait::Sinks)
    }

    /// Whether the file at `path` imports a module of the project that may hold an
    /// all-interfaces address, in its own text or in a module it imports.
    pub(crate) fn imports_addresses(&self, path: &str, bytes: &[u8], knowledge: &dyn Knowledge) -> bool {
        self.imports_any(path, bytes, knowledge, Trait::Addresses)
    }

    /// [`Self::imports_addresses`], for addresses spelled plainly.
    pub(crate) fn imports_plain_addresses(&self, path: &str, bytes: &[u8], knowledge: &dyn Knowledge) -> bool {
        self.imports_any(path, bytes, knowledge, Trait::PlainAddresses)
    }

    /// Whether the module at `path` may define something that reaches a sink: it names one
    /// ([`Knowledge::may_define_sinks`]), or imports a module of the project that may (imports
    /// of libraries the rule knows do not count: they are matched by the catalogue, never
    /// followed into the project). Modules
    /// that may not are not parsed to resolve a call or a type: they cannot change the result.
    pub(crate) fn sinky(&self, path: &str, knowledge: &dyn Knowledge) -> bool {
        self.has_trait(path, knowledge, Trait::Sinks, 0)
    }

    fn imports_any(&self, path: &str, bytes: &[u8], knowledge: &dyn Knowledge, which: Trait) -> bool {
        imported_names(bytes)
            .iter()
            .filter(|q| !knowledge.knows(q))
            .any(|q| self.locate(path, q).is_some_and(|(file, _)| self.has_trait(&file, knowledge, which, 0)))
    }

    fn has_trait(&self, path: &str, knowledge: &dyn Knowledge, which: Trait, depth: u32) -> bool {
        let cache = match which {
            Trait::Sinks => &self.sinky,
            Trait::Addresses => &self.addressy,
            Trait::PlainAddresses => &self.plainly_addressy,
        };
        if let Some(&known) = lock(cache).get(path) {
            return known;
        }
        // Cycles and long chains count as "may": being wrong that way costs only a parse.
        lock(cache).insert(path.to_owned(), true);
        let verdict = depth > 6
            || self.files.read(path).is_none_or(|bytes| {
                which.in_text(knowledge, &bytes)
                    || imported_names(&bytes).iter().filter(|q| !knowledge.knows(q)).any(|q| {
                        self.locate(path, q).is_some_and(|(file, _)| self.has_trait(&file, knowledge, which, depth + 1))
                    })
            });
        lock(cache).insert(path.to_owned(), verdict);
        verdict
    }

    /// A fresh module id, unique in the process (modules are shared between projects).
    pub(crate) fn new_id(&self) -> ModId {
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    }

    /// The module at `path`, read, decoded, parsed and indexed once for the run, whichever
    /// analysis asks first; `None` when it is missing or cannot be decoded (its values then stay
    /// unknown).
    pub(crate) fn load(&self, path: &str) -> Option<Arc<Indexed>> {
        let slot = lock(&self.loaded).entry(path.to_owned()).or_default().clone();
        slot.get_or_init(|| {
            let content = self.files.content_id(path).map(|id| (path.to_owned(), id));
            let known = content.as_ref().and_then(|key| lock(shared_modules()).get(key));
            let indexed = if let Some(known) = known {
                known
            } else {
                let indexed = self.parse(path)?;
                if let Some(key) = content {
                    lock(shared_modules()).keep(key, indexed.clone());
                }
                indexed
            };
            lock(&self.by_id).insert(indexed.index().module, indexed.clone());
            Some(indexed)
        })
        .clone()
    }

    fn parse(&self, path: &str) -> Option<Arc<Indexed>> {
        let bytes = self.files.read(path)?;
        let source = SourceText::decode_owned(bytes, self.max_file_size).ok()?;
        let loaded = Loaded::new(path.to_owned(), source, path.ends_with(".pyi"));
        let id = self.new_id();
        Some(Arc::new(Indexed::new(loaded, |l| collect::collect(l.parsed.body(), id, Uses::Skipped, self.interest))))
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
    held: Arena<Arc<Indexed>>,
    indexes: Arena<Index<'p>>,
}

/// The modules one analysis has touched.
pub(crate) struct Program<'p> {
    project: &'p Project<'p>,
    arenas: &'p Arenas<'p>,
    interest: &'p dyn Interest,
    knowledge: &'p dyn Knowledge,
    modules: RefCell<HashMap<ModId, Module<'p>>>,
    /// Imports already resolved, by module, the import's name (its address) and what for.
    resolved: RefCell<HashMap<ResolvedKey, Option<Resolved>>>,
    by_path: RefCell<HashMap<String, Option<ModId>>>,
    /// Names of the functions and methods the loaded modules define.
    defined: RefCell<rustc_hash::FxHashSet<&'p str>>,
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
    pub(crate) fn new(
        project: &'p Project<'p>,
        arenas: &'p Arenas<'p>,
        interest: &'p dyn Interest,
        knowledge: &'p dyn Knowledge,
    ) -> Self {
        Program {
            project,
            arenas,
            interest,
            knowledge,
            modules: RefCell::default(),
            resolved: RefCell::default(),
            by_path: RefCell::default(),
            defined: RefCell::default(),
            too_many: std::cell::Cell::new(false),
        }
    }

    /// Adds a module that the caller loaded (the file being analysed).
    pub(crate) fn add(&self, loaded: &'p Loaded) -> ModId {
        let id = self.project.new_id();
        let index = collect::collect(loaded.parsed.body(), id, Uses::Skipped, self.interest);
        let index: &'p Index<'p> = self.arenas.indexes.alloc(index);
        self.enter(id, Module { loaded, index });
        id
    }

    fn enter(&self, id: ModId, module: Module<'p>) {
        let mut defined = self.defined.borrow_mut();
        defined.extend(module.index.funcs.iter().map(|f| f.def.name.as_str()));
        // A class attribute may hold a callable (`listenFactory = reactor.listenTCP`).
        defined.extend(module.index.class_attrs.keys().map(|(_, name)| *name));
        drop(defined);
        self.by_path.borrow_mut().insert(module.loaded.path.clone(), Some(id));
        self.modules.borrow_mut().insert(id, module);
    }

    /// Whether a loaded module may define something that reaches a sink (else its functions'
    /// summaries are empty without looking).
    pub(crate) fn may_reach_sinks(&self, module: ModId) -> bool {
        let path = self.module(module).path().to_owned();
        self.project.sinky(&path, self.knowledge)
    }

    /// Whether a loaded module defines a function, method or class attribute of this name.
    pub(crate) fn defines_method(&self, name: &str) -> bool {
        self.defined.borrow().contains(name)
    }

    pub(crate) fn module(&self, id: ModId) -> Module<'p> {
        if let Some(module) = self.modules.borrow().get(&id) {
            return *module;
        }
        // A module another analysis loaded, reached through a summary it computed.
        let indexed = self.project.indexed(id).expect("a module id of this run");
        let held: &'p Indexed = self.arenas.held.alloc(indexed);
        let module = Module { loaded: held.loaded(), index: held.index() };
        self.enter(id, module);
        module
    }

    pub(crate) fn project(&self) -> &'p Project<'p> {
        self.project
    }

    /// Every module this analysis has touched.
    pub(crate) fn modules(&self) -> Vec<Module<'p>> {
        self.modules.borrow().values().copied().collect()
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
            self.project.load(path).map(|indexed| {
                let held: &'p Indexed = self.arenas.held.alloc(indexed);
                let id = held.index().module;
                self.enter(id, Module { loaded: held.loaded(), index: held.index() });
                id
            })
        };
        self.by_path.borrow_mut().insert(path.to_owned(), id);
        id
    }

    /// Resolves an import as written in module `from` (`a.b.c`, `.config.HOST`, `..pkg`): the
    /// longest prefix that is a module of the project, and the rest as attributes. For a type
    /// (`Need::Type`) a module that cannot reach a sink is not loaded: the import stays opaque.
    pub(crate) fn resolve_import(&self, from: ModId, qualified: &str, need: Need) -> Option<Resolved> {
        // The name is the one an import binding holds: its address identifies it.
        let key = (from, qualified.as_ptr() as usize, qualified.len(), need);
        if let Some(known) = self.resolved.borrow().get(&key) {
            return known.clone();
        }
        let found = self.resolve_uncached(from, qualified, need);
        self.resolved.borrow_mut().insert(key, found.clone());
        found
    }

    fn resolve_uncached(&self, from: ModId, qualified: &str, need: Need) -> Option<Resolved> {
        let (file, attrs) = self.project.locate(self.module(from).path(), qualified)?;
        if need == Need::Type && !self.project.sinky(&file, self.knowledge) {
            return None;
        }
        let module = self.by_path(&file)?;
        Some(Resolved { module, attrs })
    }

    /// `module.attr` as a submodule (`import pkg` then `pkg.sub`).
    pub(crate) fn submodule(&self, module: ModId, attr: &str) -> Option<ModId> {
        let path = self.module(module).path().to_owned();
        if !path.ends_with("__init__.py") {
            return None;
        }
        let file = module_file(parent(&path), &[attr], |p| self.project.exists(p))?;
        self.by_path(&file)
    }
}

/// What a resolution is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Need {
    /// A value (a constant another module defines): always followed.
    Value,
    /// What a name is (a call's callee, a receiver's class): followed into modules that may
    /// reach a sink.
    Type,
    /// What a name is, wherever it leads (before judging an entry point by its shape alone).
    Precise,
}

/// Modules parsed in this process, by path and content: the versions a push brings (one tree
/// per commit) share most of their modules. Bounded by the bytes of source it holds.
struct SharedModules {
    by_content: HashMap<(String, Vec<u8>), Arc<Indexed>>,
    bytes: usize,
}

/// Source bytes the shared modules may hold before they are dropped.
const SHARED_BYTES: usize = 64 << 20;

impl SharedModules {
    fn get(&self, key: &(String, Vec<u8>)) -> Option<Arc<Indexed>> {
        self.by_content.get(key).cloned()
    }

    fn keep(&mut self, key: (String, Vec<u8>), indexed: Arc<Indexed>) {
        let size = indexed.loaded().source.text().len();
        self.bytes += size;
        if self.bytes > SHARED_BYTES {
            self.by_content.clear();
            self.bytes = size;
        }
        self.by_content.insert(key, indexed);
    }
}

fn shared_modules() -> &'static Mutex<SharedModules> {
    static SHARED: OnceLock<Mutex<SharedModules>> = OnceLock::new();
    SHARED.get_or_init(|| Mutex::new(SharedModules { by_content: HashMap::default(), bytes: 0 }))
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The file an import names from the file at `from_path`, and the attributes after it.
fn locate(from_path: &str, qualified: &str, exists: impl Fn(&str) -> bool) -> Option<(String, Vec<String>)> {
    let level = qualified.bytes().take_while(|&b| b == b'.').count();
    let rest = &qualified[level..];
    let segments: Vec<&str> = if rest.is_empty() { Vec::new() } else { rest.split('.').collect() };
    if segments.iter().any(|s| s.is_empty()) {
        return None;
    }
    let roots = if level > 0 {
        vec![ancestor(parent(from_path), level - 1)?.to_owned()]
    } else {
        search_roots(from_path, &exists)
    };
    for root in &roots {
        for take in (0..=segments.len()).rev() {
            if take == 0 && level == 0 {
                break;
            }
            let Some(file) = module_file(root, &segments[..take], &exists) else { continue };
            return Some((file, segments[take..].iter().map(|s| (*s).to_owned()).collect()));
        }
    }
    None
}

/// The module file for dotted `segments` under `dir`: `dir/a/b.py` or `dir/a/b/__init__.py`.
fn module_file(dir: &str, segments: &[&str], exists: impl Fn(&str) -> bool) -> Option<String> {
    if segments.is_empty() {
        let init = join(dir, "__init__.py");
        return exists(&init).then_some(init);
    }
    let base = join(dir, &segments.join("/"));
    let candidates = [format!("{base}.py"), join(&base, "__init__.py")];
    candidates.into_iter().find(|c| exists(c))
}

/// What a module, or a module it imports, may hold.
#[derive(Clone, Copy)]
enum Trait {
    /// Something that reaches a sink.
    Sinks,
    /// An all-interfaces address, spelled in any way the rule reads.
    Addresses,
    /// An all-interfaces address spelled plainly.
    PlainAddresses,
}

impl Trait {
    fn in_text(self, knowledge: &dyn Knowledge, bytes: &[u8]) -> bool {
        match self {
            Trait::Sinks => knowledge.may_define_sinks(bytes),
            Trait::Addresses => knowledge.may_spell_address(bytes),
            Trait::PlainAddresses => knowledge.spells_address_plainly(bytes),
        }
    }
}

/// Whether the file has an import statement (as [`import_statements`] reads them).
pub(crate) fn imports_anything(bytes: &[u8]) -> bool {
    !import_statements(&String::from_utf8_lossy(bytes)).is_empty()
}

/// The modules a file's import statements name, read from its bytes: `import a.b, c` gives
/// `a.b` and `c`; `from .m import x, y` gives `.m`, `.m.x` and `.m.y`.
fn imported_names(bytes: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(bytes);
    let mut out = Vec::new();
    for statement in import_statements(&text) {
        let line = statement.as_str();
        if let Some(rest) = line.strip_prefix("import ") {
            for part in rest.split(',') {
                let name = part.split_whitespace().next().unwrap_or_default();
                out.push(name.to_owned());
            }
        } else if let Some(rest) = line.strip_prefix("from ") {
            let Some((module, names)) = rest.split_once(" import ") else { continue };
            let module = module.trim();
            out.push(module.to_owned());
            for part in names.trim_start_matches('(').split(',') {
                let name = part.split_whitespace().next().unwrap_or_default().trim_end_matches(')');
                if !name.is_empty() && name != "*" {
                    let sep = if module.ends_with('.') { "" } else { "." };
                    out.push(format!("{module}{sep}{name}"));
                }
            }
        }
    }
    out.retain(|n| !n.is_empty());
    out
}

/// The file's import statements, each on one line with single spaces: a statement starts a line
/// or follows a `;` or a `:` on it (`if TYPE_CHECKING: import x`), and goes on over the lines of
/// a `(` it opens and past a backslash at a line's end (`from pkg import (\n    a,\n)`,
/// `from\tx import y`). Comments are dropped.
pub(crate) fn import_statements(text: &str) -> Vec<String> {
    let is_import = |s: &str| {
        ["import", "from"].iter().any(|k| {
            s.strip_prefix(k).is_some_and(|rest| rest.starts_with(|c: char| c.is_whitespace() || c == '.' || c == '\\'))
        })
    };
    let open = |s: &str| s.matches('(').count() > s.matches(')').count() || s.trim_end().ends_with('\\');
    let code = code_lines(text);
    let mut out = Vec::new();
    let mut lines = code.iter().peekable();
    while let Some(line) = lines.next() {
        let segments: Vec<&str> = line.split([';', ':']).map(str::trim_start).collect();
        for (i, segment) in segments.iter().enumerate() {
            if !is_import(segment) {
                continue;
            }
            let mut statement = (*segment).to_owned();
            // Only the line's last statement may go on over the next lines; a line that starts
            // an import of its own ends one that was never closed.
            while i + 1 == segments.len() && open(&statement) {
                let Some(next) = lines.next_if(|l| !is_import(l.trim_start())) else { break };
                statement = format!("{} {}", statement.trim_end().trim_end_matches('\\'), next);
            }
            let spaced = statement.replace("from.", "from .").replace(['(', ')'], " ");
            out.push(spaced.split_whitespace().collect::<Vec<_>>().join(" "));
        }
    }
    out
}

/// The text's lines with what strings hold blanked and comments cut: a `#`, a bracket, a `;` or
/// a `:` inside a string, or an import named in a docstring, is not code. Triple-quoted strings
/// go on over lines; a one-quote string ends with its line (an unclosed one is a syntax error).
fn code_lines(text: &str) -> Vec<String> {
    const QUOTES: [&str; 4] = ["\"\"\"", "'''", "\"", "'"];
    let mut out = Vec::new();
    let mut quote: Option<&str> = None;
    for line in text.lines() {
        let mut code = String::with_capacity(line.len());
        let mut chars = line.char_indices();
        while let Some((at, c)) = chars.next() {
            let rest = &line[at..];
            if let Some(q) = quote {
                if c == '\\' {
                    chars.next();
                    code.push_str("  ");
                } else if rest.starts_with(q) {
                    code.push_str(q);
                    quote = None;
                    if q.len() > 1 {
                        chars.nth(q.len() - 2);
                    }
                } else {
                    code.push(' ');
                }
                continue;
            }
            if c == '#' {
                break;
            }
            if let Some(q) = QUOTES.iter().find(|q| rest.starts_with(**q)) {
                code.push_str(q);
                quote = Some(q);
                if q.len() > 1 {
                    chars.nth(q.len() - 2);
                }
                continue;
            }
            code.push(c);
        }
        if quote.is_some_and(|q| q.len() == 1) {
            quote = None;
        }
        out.push(code);
    }
    out
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
    use std::fmt::Write as _;

    use super::*;

    #[test]
    fn an_imported_module_too_deep_to_walk_leaves_the_analysis_incomplete() {
        use crate::rules::tests::analyse;
        let depth = crate::rules::engine::collect::MAX_DEPTH as usize + 10;
        let deep = format!(
            "import socket\nTABLE = {}{}\ndef serve(h):\n    socket.socket().bind((h, 1))\n",
            "[".repeat(depth),
            "]".repeat(depth)
        );
        let main = "from deep import serve\nserve('0.0.0.0')\n";
        let got = analyse(&[("main.py", main), ("deep.py", &deep)], "main.py");
        assert_eq!(got.limits, [crate::rules::Limit::Nesting]);
        let shallow = deep.replace(&"[".repeat(depth), "[").replace(&"]".repeat(depth), "]");
        let got = analyse(&[("main.py", main), ("deep.py", &shallow)], "main.py");
        assert_eq!((got.found, got.limits), (vec!["main.py:2 0.0.0.0 via 2 sink deep.py:4".to_owned()], vec![]));
    }

    #[test]
    fn more_modules_than_one_analysis_loads_leave_it_incomplete() {
        use crate::rules::tests::analyse;
        let project = |n: usize| {
            let mut main = String::from("import socket\n");
            let mut files = Vec::new();
            for i in 0..n {
                let _ = write!(main, "from m{i} import serve as s{i}\ns{i}('10.0.0.1')\n");
                files.push((
                    format!("m{i}.py"),
                    format!("import socket\ndef serve(h):\n    socket.socket().bind((h, {i}))\n"),
                ));
            }
            files.push(("main.py".to_owned(), main));
            files
        };
        let run = |n: usize| {
            let files = project(n);
            let refs: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
            analyse(&refs, "main.py").limits
        };
        assert_eq!(run(MAX_MODULES - 1), []);
        assert_eq!(run(MAX_MODULES + 1), [crate::rules::Limit::Modules]);
    }

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
    fn import_statements_name_modules() {
        let text = b"import a.b, c as d\nfrom .m import x, y as z\nfrom .. import pkg\nfrom e import (\n    f,\n)\nfrom g import (h, i)\nfrom j import *\n    import k\nimportant = 1\nfrom l import\nx = 'import m'\n";
        assert_eq!(
            imported_names(text),
            ["a.b", "c", ".m", ".m.x", ".m.y", "..", "..pkg", "e", "e.f", "g", "g.h", "g.i", "j", "k"]
        );
        assert_eq!(imported_names(b"from . import (a)\nimport  \n"), [".", ".a"]);
        assert_eq!(
            imported_names(b"from pkg import (\n    a,  # (\n    b,\n)\nimport c\n"),
            ["pkg", "pkg.a", "pkg.b", "c"]
        );
        assert_eq!(
            imported_names(b"from\tx import y\nfrom.m import n\nfrom \\\n  z import w\n"),
            ["x", "x.y", ".m", ".m.n", "z", "z.w"]
        );
        assert_eq!(imported_names(b"import os  # (\nfrom config import HOST\n"), ["os", "config", "config.HOST"]);
        assert_eq!(imported_names(b"x = 1; import a\nif T: from b import c\n"), ["a", "b", "b.c"]);
        // What strings hold is not code: a `#`, a `:` or a bracket there, an import in a docstring.
        assert_eq!(imported_names(b"COLOR = \"#fff\"; from b import serve\n"), ["b", "b.serve"]);
        assert_eq!(imported_names(b"MSG = 'hint: import order (see docs'\nfrom b import c\n"), ["b", "b.c"]);
        assert_eq!(
            imported_names(b"\"\"\"\nfrom the old layout (kept\n\"\"\"\nfrom b import c\nx = '\\'' ; import d\n"),
            ["b", "b.c", "d"]
        );
        // An import left open by a line that is not one ends where the next import starts.
        assert_eq!(imported_names(b"from x import (a,\nfrom b import c\n"), ["x", "x.a", "b", "b.c"]);
    }

    #[test]
    fn imports_locate_files_of_the_project() {
        let files = [
            "app/__init__.py",
            "app/conf.py",
            "app/web/__init__.py",
            "app/web/views.py",
            "lib/util.py",
            "top.py",
            "src/pkg/__init__.py",
            "src/pkg/mod.py",
        ];
        let exists = |p: &str| files.contains(&p);
        let at = |from: &str, q: &str| locate(from, q, exists).map(|(f, attrs)| (f, attrs.join(".")));
        let found = |f: &str, a: &str| Some((f.to_owned(), a.to_owned()));
        assert_eq!(at("app/web/views.py", "app.conf"), found("app/conf.py", ""));
        assert_eq!(at("app/web/views.py", "app.conf.HOST"), found("app/conf.py", "HOST"));
        assert_eq!(at("app/web/views.py", "app.web"), found("app/web/__init__.py", ""));
        assert_eq!(at("app/web/views.py", "app"), found("app/__init__.py", ""));
        assert_eq!(at("app/web/views.py", ".views.f"), found("app/web/views.py", "f"));
        assert_eq!(at("app/web/views.py", "..conf.HOST"), found("app/conf.py", "HOST"));
        assert_eq!(at("app/web/views.py", "."), found("app/web/__init__.py", ""));
        assert_eq!(at("app/web/views.py", ".."), found("app/__init__.py", ""));
        assert_eq!(at("app/web/views.py", "...top"), found("top.py", ""));
        assert_eq!(at("app/web/views.py", "....top"), None, "above the root");
        assert_eq!(at("app/web/views.py", "top.x.y"), found("top.py", "x.y"));
        assert_eq!(at("lib/util.py", "top"), found("top.py", ""));
        assert_eq!(at("src/pkg/mod.py", "pkg.mod"), found("src/pkg/mod.py", ""));
        assert_eq!(at("app/conf.py", "lib.util"), found("lib/util.py", ""));
        assert_eq!(at("app/conf.py", "missing"), None);
        assert_eq!(at("app/conf.py", "app..conf"), None, "an empty segment");
        assert_eq!(at("app/conf.py", ""), None);
        assert_eq!(module_file("app", &[], exists), Some("app/__init__.py".to_owned()));
        assert_eq!(module_file("lib", &[], exists), None);
        assert_eq!(module_file("", &["top"], exists), Some("top.py".to_owned()));
    }

    #[test]
    fn a_module_that_imports_its_own_name_means_the_library() {
        let files = crate::rules::tests::MemFiles(vec![
            ("tornado.py".to_owned(), "import tornado\n".to_owned()),
            ("conf.py".to_owned(), "HOST = 1\n".to_owned()),
        ]);
        let project = Project::new(&files, &crate::rules::RULE, u64::MAX);
        assert_eq!(project.locate("tornado.py", "tornado"), None);
        assert_eq!(project.locate("main.py", "tornado"), Some(("tornado.py".to_owned(), Vec::new())));
        assert_eq!(project.locate("main.py", "conf.HOST"), Some(("conf.py".to_owned(), vec!["HOST".to_owned()])));
        assert_eq!(project.locate("main.py", "conf.HOST"), Some(("conf.py".to_owned(), vec!["HOST".to_owned()])));
    }

    #[test]
    fn modules_that_may_reach_a_sink() {
        let mut files = vec![
            ("main.py", "import a\nfrom b import f\n".to_owned()),
            ("a.py", "x = 1\n".to_owned()),
            ("b.py", "from c import g\n".to_owned()),
            ("c.py", "import socket\ndef g(h):\n    socket.socket().bind((h, 1))\n".to_owned()),
            ("lone.py", "import json\nimport a\n".to_owned()),
            ("flask.py", "import socket\nsocket.socket().bind(('', 1))\n".to_owned()),
            ("uses_flask.py", "import flask\n".to_owned()),
            ("cycle1.py", "import cycle2\n".to_owned()),
            ("cycle2.py", "import cycle1\n".to_owned()),
        ];
        // A chain of 8 imports down to a sink: past 6 levels, a module counts as reaching one.
        for i in 0..8 {
            files.push((
                ["d0.py", "d1.py", "d2.py", "d3.py", "d4.py", "d5.py", "d6.py", "d7.py"][i],
                format!("import d{}\n", i + 1),
            ));
        }
        files.push(("d8.py", "x = 1\n".to_owned()));
        let files = crate::rules::tests::MemFiles(files.into_iter().map(|(p, t)| (p.to_owned(), t)).collect());
        let project = Project::new(&files, &crate::rules::RULE, u64::MAX);
        let rule = &crate::rules::RULE;
        assert!(project.sinky("c.py", rule));
        assert!(project.sinky("b.py", rule), "imports a module that may");
        assert!(project.sinky("main.py", rule));
        assert!(!project.sinky("a.py", rule));
        assert!(!project.sinky("lone.py", rule));
        assert!(!project.sinky("uses_flask.py", rule), "a library the catalogue knows is not followed");
        assert!(project.sinky("cycle1.py", rule), "a cycle counts as may");
        assert!(project.sinky("missing.py", rule), "unreadable: may");
        // Each verdict is kept for the run: ask each chain of a fresh project.
        let fresh = || Project::new(&files, rule, u64::MAX);
        assert!(fresh().sinky("d1.py", rule), "d8 is 7 imports away: too deep to tell");
        assert!(!fresh().sinky("d2.py", rule), "d8 is 6 imports away: read");
        assert!(project.imports_sinky("x.py", b"from b import f\n", rule));
        assert!(!project.imports_sinky("x.py", b"import a, json\n", rule));
        assert!(!project.imports_sinky("x.py", b"import flask\n", rule));
    }

    #[test]
    fn parents_and_ancestors() {
        assert_eq!(parent("a/b/c.py"), "a/b");
        assert_eq!(parent("c.py"), "");
        assert_eq!(parent("/c.py"), "/");
        assert_eq!(ancestor("a/b", 1), Some("a"));
        assert_eq!(ancestor("a", 2), None);
        assert_eq!(join("", "x"), "x");
        assert_eq!(join("/", "x"), "/x");
        assert_eq!(join("a/b", "x"), "a/b/x");
        assert_eq!(ancestor("a/b", 0), Some("a/b"));
        assert_eq!(ancestor("a/b", 2), Some(""));
        assert_eq!(ancestor("/a", 1), Some("/"));
        assert_eq!(ancestor("/a", 2), None);
        assert_eq!(ancestor("", 1), None);
    }
}
