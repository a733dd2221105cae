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

pub(crate) fn findings<'p>(program: &Program<'p>, raws: Vec<Raw<'p>>, options: &Options) -> Vec<ModuleFindings> {
    let mut per_module: HashMap<ModId, PerModule<'p>> = HashMap::default();
    let mut groups: HashMap<(ModId, Range<usize>), Group<'p>> = HashMap::default();
    for raw in raws {
        let suppressed = is_suppressed(program, &raw, options, &mut per_module);
        groups.entry((raw.loc.module, range(raw.loc.expr))).or_default().push((suppressed, raw));
    }
    let mut by_module: HashMap<ModId, Vec<Finding>> = HashMap::default();
    for ((module, value), group) in groups {
        let m = program.module(module);
        let env = per_module.entry(module).or_insert_with(|| prepare(m, module, options));
        let fix_env = FixEnv { text: m.text(), options, import_os: env.import_os.clone(), index: &env.counted };
        by_module.entry(module).or_default().push(finding(program, module, value, group, &fix_env));
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
    let aliases = aliases_on_the_way(program, module, &value, &used);
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

/// The assignments of `module` that pass the literal at `value` on by name on its way to a sink
/// or a call in `used` (`ANY = '0.0.0.0'`, then `HOST = ANY`, then `bind((HOST, 80))`): a change
/// there points an unchanged bind at the literal, so in diff mode they are places of the finding
/// too. Read from the module's assignments, whatever their order: a chain counts when its last
/// name is written in the text of one of the sinks or calls.
fn aliases_on_the_way(
    program: &Program<'_>,
    module: ModId,
    value: &Range<usize>,
    used: &[(ModId, Range<usize>)],
) -> Vec<(ModId, Range<usize>)> {
    let index = program.module(module).index;
    // What binds a name to a value: assignments, parameter defaults (`def serve(host=ANY)`), and
    // a function's returns, which bind its name for the calls that read it (`return ANY`).
    let binds: Vec<(&str, &ast::Expr)> = index
        .bindings
        .iter()
        .filter_map(|b| assigned_value(&b.kind).map(|v| (b.name, v)))
        .chain(index.funcs.iter().flat_map(|f| f.returns.iter().map(|(e, _)| (f.def.name.as_str(), *e))))
        .collect();
    // Each name reached, with the expression that bound it and the name it came from.
    let mut reached: Vec<(&str, Range<usize>, Option<usize>)> = binds
        .iter()
        .map(|(name, v)| (*name, range(*v)))
        .filter(|(_, r)| r.start <= value.start && value.end <= r.end)
        .map(|(name, r)| (name, r, None))
        .collect();
    let mut from = 0;
    for _ in 0..MAX_ALIAS_HOPS {
        let names: HashSet<&str> = reached[from..].iter().map(|(n, _, _)| *n).collect();
        let offset = from;
        from = reached.len();
        for &(name, v) in &binds {
            let r = range(v);
            if reached.iter().any(|(_, known, _)| *known == r) || !super::engine::names::reads_any(v, &names) {
                continue;
            }
            let parent = reached[offset..from]
                .iter()
                .position(|(n, _, _)| super::engine::names::reads_any(v, &HashSet::from([*n])));
            reached.push((name, r, parent.map(|p| p + offset)));
        }
        if reached.len() == from {
            break;
        }
    }
    let written_at_a_use = |name: &str| {
        used.iter().any(|(m, r)| {
            let text = program.module(*m).text().get(r.clone()).unwrap_or_default();
            memchr::memmem::find_iter(text.as_bytes(), name).any(|at| is_word(text.as_bytes(), at, name.len()))
        })
    };
    let mut out: Vec<(ModId, Range<usize>)> = Vec::new();
    let keep = |at: Option<usize>, out: &mut Vec<(ModId, Range<usize>)>| {
        let mut at = at;
        while let Some(j) = at {
            let (_, r, parent) = &reached[j];
            if parent.is_some() && !out.iter().any(|(m, known)| *m == module && known == r) {
                out.push((module, r.clone()));
            }
            at = *parent;
        }
    };
    for i in (0..reached.len()).filter(|&i| written_at_a_use(reached[i].0)) {
        keep(Some(i), &mut out);
    }
    // `from settings import ANY as HOST` in a module of a sink or call: the import is the
    // assignment there.
    let stem = module_stem(program.module(module).path());
    let mut users: Vec<ModId> = used.iter().map(|(m, _)| *m).filter(|m| *m != module).collect();
    users.sort_unstable();
    users.dedup();
    for user in users {
        let text = program.module(user).text();
        let uses: Vec<&str> =
            used.iter().filter(|(m, _)| *m == user).filter_map(|(_, r)| text.get(r.clone())).collect();
        let mut imports = ImportsFrom(Vec::new());
        for stmt in program.module(user).loaded.parsed.body() {
            imports.visit_stmt(stmt);
        }
        for (from, alias) in imports.0 {
            let bound = alias.asname.as_ref().unwrap_or(&alias.name).as_str();
            let written = uses.iter().any(|u| {
                memchr::memmem::find_iter(u.as_bytes(), bound).any(|at| is_word(u.as_bytes(), at, bound.len()))
            });
            let imported = reached.iter().position(|(n, _, _)| *n == alias.name.as_str());
            if written
                && from.rsplit('.').next() == Some(stem)
                && let Some(i) = imported
            {
                out.push((user, range(alias)));
                keep(Some(i), &mut out);
            }
        }
    }
    out
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
