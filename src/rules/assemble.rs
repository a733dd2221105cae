//! Raw findings → findings: one per literal, carrying every sink and the calls on the way,
//! suppressed where a marker covers the value's or a sink's statement, with the fix.
//!
//! A literal may live in another module than the file being analysed (a settings module whose
//! constant reaches a bind here); its finding belongs to that module's file, and the sinks in
//! other files name their file.

use rustc_hash::FxHashMap as HashMap;
use std::ops::Range;

use crate::finding::{Finding, Place, Sink};

use super::Options;
use super::engine::collect::{self, Uses};
use super::engine::index::{Index, ModId};
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
    Finding {
        value,
        host: first.hit.display.clone(),
        sink: sinks[0].clone(),
        sinks,
        via,
        fix: fixes::fix(first, api_sinks, env),
        suppressed,
    }
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
