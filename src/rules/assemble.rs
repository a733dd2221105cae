//! Raw findings → findings: one per literal, carrying every sink and the calls on the way,
//! suppressed where a marker covers the value's or a sink's statement, with the fix.
//!
//! A literal may live in another module than the file being analysed (a settings module whose
//! constant reaches a bind here); its finding belongs to that module's file, and the sinks in
//! other files name their file.

use rustc_hash::FxHashMap as HashMap;
use std::collections::HashSet;
use std::ops::Range;

use crate::finding::{Finding, Place, Sink};
use crate::python::ast::{self, visitor::Visitor};

use super::Options;
use super::engine::collect::{self, Uses};
use super::engine::index::{BindKind, Index, ModId};
use super::engine::program::{Module, Program};
use super::engine::strings::range;
use super::fixes::{self, FixEnv};
use super::sites::{self, Raw};
use super::suppress::{self, Markers};

/// The findings of one module of the program.
pub(crate) struct ModuleFindings {
    pub module: ModId,
    pub findings: Vec<Finding>,
}

/// The raw findings of one literal, each with whether a marker suppresses it.
type Group<'p> = Vec<(bool, Raw<'p>)>;

/// What each module's suppression markers and fix environment need, built once per module.
struct PerModule<'p> {
    markers: Markers,
    counted: Index<'p>,
    import_os: Option<crate::finding::Edit>,
}

pub(crate) fn findings<'p>(
    program: &Program<'p>,
    raws: Vec<Raw<'p>>,
    options: &Options,
    places: super::Places,
) -> Vec<ModuleFindings> {
    let mut per_module: HashMap<ModId, PerModule<'p>> = HashMap::default();
    let mut groups: HashMap<(ModId, Range<usize>), Group<'p>> = HashMap::default();
    for raw in raws {
        let suppressed = is_suppressed(program, &raw, options, &mut per_module);
        groups.entry((raw.loc.module, range(raw.loc.expr))).or_default().push((suppressed, raw));
    }
    let mut by_module: HashMap<ModId, Vec<Finding>> = HashMap::default();
    let aliases = (places == super::Places::All && !groups.is_empty()).then(|| Aliases::new(program));
    for ((module, value), group) in groups {
        let m = program.module(module);
        let env = per_module.entry(module).or_insert_with(|| prepare(m, module, options));
        let fix_env = FixEnv { text: m.text(), options, import_os: env.import_os.clone(), index: &env.counted };
        by_module.entry(module).or_default().push(finding(program, aliases.as_ref(), module, value, group, &fix_env));
    }
    let mut out: Vec<ModuleFindings> = by_module
        .into_iter()
        .map(|(module, mut findings)| {
            findings.sort_by_key(|f| (f.value.start, f.sink.range.start));
            ModuleFindings { module, findings }
        })
        .collect();
    out.sort_by_key(|m| m.module);
    out
}

fn prepare<'p>(m: Module<'p>, module: ModId, options: &Options) -> PerModule<'p> {
    let body = m.loaded.parsed.body();
    PerModule {
        markers: Markers::new(&m.loaded.source, m.loaded.parsed.comments(), options.foreign_markers),
        counted: collect::collect(body, module, Uses::Counted, &super::RULE),
        import_os: fixes::import_os(body, &m.loaded.source),
    }
}

/// A marker on the statement that holds the value, or on the sink's statement.
fn is_suppressed<'p>(
    program: &Program<'p>,
    raw: &Raw<'p>,
    options: &Options,
    per_module: &mut HashMap<ModId, PerModule<'p>>,
) -> bool {
    let places = [(raw.loc.module, raw.loc.expr_start()), (raw.sink.module, raw.sink.range.start)];
    places.into_iter().any(|(module, at)| {
        let m = program.module(module);
        let env = per_module.entry(module).or_insert_with(|| prepare(m, module, options));
        if env.markers.is_empty() {
            return false;
        }
        let source = &m.loaded.source;
        let span = suppress::statement_span(m.loaded.parsed.body(), at).unwrap_or(at..at + 1);
        env.markers.covers(source.line_of(span.start), source.line_of(span.end.saturating_sub(1).max(span.start)))
    })
}

/// One finding per literal: an unsuppressed, catalogued, earliest sink is preferred.
fn finding<'p>(
    program: &Program<'p>,
    aliases: Option<&Aliases<'p>>,
    module: ModId,
    value: Range<usize>,
    mut group: Vec<(bool, Raw<'p>)>,
    env: &FixEnv<'_>,
) -> Finding {
    let api_sinks = {
        let mut sinks: Vec<&sites::Place> = group.iter().filter(|(_, r)| !r.config).map(|(_, r)| &r.sink).collect();
        sinks.sort_by_key(|p| (p.module, p.range.start, p.range.end));
        sinks.dedup();
        sinks.len() as u32
    };
    group.sort_by_key(|(s, r)| (*s, r.config, r.sink.module != module, r.sink.module, r.sink.range.start));
    let suppressed = group.iter().all(|(s, _)| *s);
    let mut sinks: Vec<Sink> = Vec::new();
    let mut via: Vec<Place> = Vec::new();
    for (_, r) in &group {
        let sink = sink(program, module, r);
        if !sinks.iter().any(|s| s.range == sink.range && s.file == sink.file) {
            sinks.push(sink);
        }
        for p in &r.via {
            let place = place(program, module, p);
            if !via.contains(&place) {
                via.push(place);
            }
        }
    }
    let (_, first) = &group[0];
    let used: Vec<(ModId, Range<usize>)> = group
        .iter()
        .flat_map(|(_, r)| std::iter::once(&r.sink).chain(&r.via))
        .map(|p| (p.module, p.range.clone()))
        .collect();
    let aliases = aliases.map(|a| aliases_on_the_way(a, module, &value, &used)).unwrap_or_default();
    Finding {
        through: aliases
            .into_iter()
            .map(|(m, r)| place(program, module, &sites::Place { module: m, range: r }))
            .collect(),
        value,
        host: first.hit.display.clone(),
        sink: sinks[0].clone(),
        sinks,
        via,
        fix: fixes::fix(first, api_sinks, env),
        suppressed,
    }
}

/// How many assignments a chain of aliases is followed through.
const MAX_ALIAS_HOPS: usize = 8;

/// The assignments that pass the literal at `value` (in `module`) on by name on its way to a
/// sink or a call in `used` (`ANY = '0.0.0.0'`, then `HOST = ANY`, then `bind((HOST, 80))`),
/// in the modules this analysis touched: a change there points an unchanged bind at the literal,
/// so in diff mode they are places of the finding too. Assignments, parameter defaults, a
/// function's returns and `from m import a as b` count, whatever their order: a chain counts
/// when its last name is written in the text of one of the sinks or calls of its module.
struct Aliases<'p> {
    modules: Vec<Module<'p>>,
    binds: Vec<Vec<(&'p str, &'p ast::Expr)>>,
    imports: Vec<Vec<(String, &'p ast::Alias)>>,
    stems: Vec<&'p str>,
}

impl<'p> Aliases<'p> {
    /// What binds names in the modules this analysis touched, read once for all its findings.
    fn new(program: &Program<'p>) -> Self {
        let modules: Vec<Module<'p>> = program.modules();
        let binds = modules.iter().map(|m| binds_of(m.index)).collect();
        let imports = modules
            .iter()
            .map(|m| {
                let mut imports = ImportsFrom(Vec::new());
                m.loaded.parsed.body().iter().for_each(|stmt| imports.visit_stmt(stmt));
                imports.0
            })
            .collect();
        let stems = modules.iter().map(|m| module_stem(m.path())).collect();
        Aliases { modules, binds, imports, stems }
    }
}

fn aliases_on_the_way(
    aliases: &Aliases<'_>,
    module: ModId,
    value: &Range<usize>,
    used: &[(ModId, Range<usize>)],
) -> Vec<(ModId, Range<usize>)> {
    let Aliases { modules, binds, imports, stems } = aliases;
    // Each name reached: its module (by position in `modules`), the expression that bound it
    // there, and the entry it came from.
    let mut reached: Vec<(usize, &str, Range<usize>, Option<usize>)> = Vec::new();
    if let Some(at) = modules.iter().position(|m| m.index.module == module) {
        for (name, v) in &binds[at] {
            let r = range(*v);
            if r.start <= value.start && value.end <= r.end {
                reached.push((at, name, r, None));
            }
        }
    }
    let mut from = 0;
    for _ in 0..MAX_ALIAS_HOPS {
        let generation = from..reached.len();
        from = reached.len();
        if generation.is_empty() {
            break;
        }
        for (at, binds) in binds.iter().enumerate() {
            let names: HashSet<&str> = reached[generation.clone()].iter().filter(|e| e.0 == at).map(|e| e.1).collect();
            for &(name, v) in binds.iter().filter(|_| !names.is_empty()) {
                let r = range(v);
                if reached.iter().any(|e| e.0 == at && e.2 == r) || !super::engine::names::reads_any(v, &names) {
                    continue;
                }
                let parent = generation.clone().find(|&g| {
                    reached[g].0 == at && super::engine::names::reads_any(v, &HashSet::from([reached[g].1]))
                });
                reached.push((at, name, r, parent));
            }
            for (source, alias) in &imports[at] {
                let r = range(*alias);
                let parent = generation.clone().find(|&g| {
                    stems[reached[g].0] == source.rsplit('.').next().unwrap_or_default()
                        && reached[g].1 == alias.name.as_str()
                });
                if parent.is_some() && !reached.iter().any(|e| e.0 == at && e.2 == r) {
                    reached.push((at, alias.asname.as_ref().unwrap_or(&alias.name).as_str(), r, parent));
                }
            }
        }
    }
    let written_at_a_use = |at: usize, name: &str| {
        used.iter().filter(|(m, _)| *m == modules[at].index.module).any(|(_, r)| {
            let text = modules[at].text().get(r.clone()).unwrap_or_default();
            memchr::memmem::find_iter(text.as_bytes(), name).any(|i| is_word(text.as_bytes(), i, name.len()))
        })
    };
    let mut out: Vec<(ModId, Range<usize>)> = Vec::new();
    for i in (0..reached.len()).filter(|&i| written_at_a_use(reached[i].0, reached[i].1)) {
        let mut at = Some(i);
        while let Some(j) = at {
            let (m, _, r, parent) = &reached[j];
            let place = (modules[*m].index.module, r.clone());
            if parent.is_some() && !out.contains(&place) {
                out.push(place);
            }
            at = *parent;
        }
    }
    out
}

/// What binds a name to a value in a module: assignments, parameter defaults (`def
/// serve(host=ANY)`), and a function's returns, which bind its name for the calls that read it
/// (`return ANY`).
fn binds_of<'p>(index: &Index<'p>) -> Vec<(&'p str, &'p ast::Expr)> {
    index
        .bindings
        .iter()
        .filter_map(|b| assigned_value(&b.kind).map(|v| (b.name, v)))
        .chain(index.funcs.iter().flat_map(|f| f.returns.iter().map(|(e, _)| (f.def.name.as_str(), *e))))
        .collect()
}

/// The name a module is imported by: its file's stem, or its package's for `__init__.py`.
fn module_stem(path: &str) -> &str {
    let mut parts = path.rsplit('/');
    let file = parts.next().unwrap_or_default();
    let stem = file.strip_suffix(".pyi").or_else(|| file.strip_suffix(".py")).unwrap_or(file);
    if stem == "__init__" { parts.next().unwrap_or(stem) } else { stem }
}

/// Every `from module import name [as alias]` of a module, with the module as written.
struct ImportsFrom<'a>(Vec<(String, &'a ast::Alias)>);

impl<'a> Visitor<'a> for ImportsFrom<'a> {
    fn visit_stmt(&mut self, stmt: &'a ast::Stmt) {
        if let ast::Stmt::ImportFrom(i) = stmt {
            let from = i.module.as_ref().map_or("", |m| m.as_str());
            self.0.extend(i.names.iter().map(|a| (from.to_owned(), a)));
        }
        ast::visitor::walk_stmt(self, stmt);
    }
}

/// The expression an assignment binds a name to (also unpacked or iterated over, or a
/// parameter's default).
fn assigned_value<'a>(kind: &BindKind<'a>) -> Option<&'a ast::Expr> {
    match kind {
        BindKind::Value(v) | BindKind::Unpack(v, _) | BindKind::Iter(v, _) => Some(*v),
        BindKind::Param(p) => p.default,
        _ => None,
    }
}

fn is_word(text: &[u8], at: usize, len: usize) -> bool {
    let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || !b.is_ascii();
    !(text.get(at + len).is_some_and(|&b| ident(b)) || at > 0 && ident(text[at - 1]))
}

fn sink(program: &Program<'_>, module: ModId, r: &Raw<'_>) -> Sink {
    let p = place(program, module, &r.sink);
    Sink {
        range: p.range,
        file: p.file,
        line: p.line,
        column: p.column,
        end_line: p.end_line,
        callee: r.callee.clone(),
        description: r.description.clone(),
    }
}

/// A place as the finding in `module` names it: no file when it is in the same module.
fn place(program: &Program<'_>, module: ModId, p: &sites::Place) -> Place {
    let m = program.module(p.module);
    let source = &m.loaded.source;
    let (line, column) = source.line_col(p.range.start);
    let end_line = source.line_of(p.range.end.saturating_sub(1).max(p.range.start));
    let file = (p.module != module).then(|| m.path().to_owned());
    Place { file, range: p.range.clone(), line, column, end_line }
}
