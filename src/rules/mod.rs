//! CSP-D404: a service hardcoded to bind to all network interfaces.
//!
//! The pipeline for one file: [`collect`] walks the tree once and records bindings and sites;
//! [`sites`] matches sites against the data-only catalogue in [`sinks`], evaluating arguments
//! through [`flow`] and classifying them with [`address`]; this module then keeps one finding per
//! literal, applies [`suppress`] and attaches the [`fixes`]. [`prefilter`] lets most files skip
//! parsing. The user documentation follows.
#![doc = include_str!("CSP-D404.md")]

mod address;
mod catalogue;
mod engine;
mod fixes;
mod prefilter;
mod sites;
mod suppress;
#[cfg(test)]
mod tests;

use rustc_hash::FxHashMap as HashMap;
use std::ops::Range;

use crate::finding::{Finding, Sink};
use crate::python::ParsedModule;
use crate::source::SourceText;

use sites::Raw;

/// How fixes are written (spec §7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FixStyle {
    /// The host part becomes loopback of the same family.
    #[default]
    Loopback,
    /// The host is read from an environment variable with a loopback default.
    Env,
}

/// Rule settings resolved from the command line.
#[derive(Debug, Clone)]
pub struct Options {
    pub fix_style: FixStyle,
    /// Variable name for `--fix-style env`.
    pub env_var: String,
    /// Also accept `# nosec` and `# noqa: S104` as suppressions.
    pub foreign_markers: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self { fix_style: FixStyle::Loopback, env_var: "APP_HOST".into(), foreign_markers: false }
    }
}

/// The rule's user documentation, printed by `bindguard explain CSP-D404`.
pub const DOCUMENTATION: &str = include_str!("CSP-D404.md");

/// Cheap byte test: `false` only when the full analysis cannot find anything in these bytes.
///
/// It looks for a reachable sink (a catalogued module *imported* by the file together with the
/// catalogued method name, a receiver-independent method such as `add_insecure_port`, or a
/// configuration name containing `bind` / `listen`) *and* a host spelling that one of those
/// sinks accepts: an unspecified address delimited like a host (or split into literal pieces),
/// `''` or `*` only for sinks that take them, or an escape that decodes to a host character.
/// Parse only when it passes, then call [`check_unfiltered`]; [`check`] applies it itself.
pub fn may_contain_bind(bytes: &[u8]) -> bool {
    prefilter::may_contain_bind(bytes)
}

/// Runs the rule over one parsed file; suppressed findings are returned with `suppressed: true`.
///
/// Applies [`may_contain_bind`] first. A caller that has already applied it to the file's bytes
/// calls [`check_unfiltered`] instead, so that the gate runs once per file.
pub fn check(source: &SourceText, module: &ParsedModule, options: &Options) -> Vec<Finding> {
    if !may_contain_bind(source.text().as_bytes()) {
        return Vec::new();
    }
    check_unfiltered(source, module, options)
}

/// The analysis without the prefilter gate: for callers that have applied [`may_contain_bind`]
/// themselves, and for the prefilter's soundness tests, which compare the two.
pub fn check_unfiltered(source: &SourceText, module: &ParsedModule, options: &Options) -> Vec<Finding> {
    let text = source.text();
    let ix = engine::collect::collect(module.body(), engine::collect::Uses::Skipped);
    let flow = engine::flow::Flow::new(&ix, text);
    let raws = sites::evaluate(&flow, &ix.sites);
    if raws.is_empty() {
        return Vec::new();
    }
    let ix = engine::collect::collect(module.body(), engine::collect::Uses::Counted);
    let markers = suppress::Markers::new(source, module.comments(), options.foreign_markers);
    let env = fixes::FixEnv { text, options, import_os: fixes::import_os(module.body(), source), index: &ix };
    let suppressed = |r: &Raw<'_>| {
        !markers.is_empty()
            && [r.loc.expr_start(), r.sink.start].into_iter().any(|at| {
                let span = suppress::statement_span(module.body(), at).unwrap_or(at..at + 1);
                markers.covers(source.line_of(span.start), source.line_of(span.end.saturating_sub(1).max(span.start)))
            })
    };
    let mut groups: HashMap<Range<usize>, Vec<(bool, Raw<'_>)>> = HashMap::default();
    for r in raws {
        let s = suppressed(&r);
        groups.entry(engine::strings::range(r.loc.expr)).or_default().push((s, r));
    }
    let mut findings: Vec<Finding> = groups.into_iter().map(|(value, group)| finding(value, group, &env)).collect();
    findings.sort_by_key(|f| (f.value.start, f.sink.range.start));
    findings
}

/// One finding per literal: an unsuppressed, catalogued, earliest sink is preferred.
fn finding(value: Range<usize>, mut group: Vec<(bool, Raw<'_>)>, env: &fixes::FixEnv<'_>) -> Finding {
    let mut api_sinks: Vec<Range<usize>> =
        group.iter().filter(|(_, r)| !r.config).map(|(_, r)| r.sink.clone()).collect();
    api_sinks.sort_by_key(|r| (r.start, r.end));
    api_sinks.dedup();
    group.sort_by_key(|(s, r)| (*s, r.config, r.sink.start));
    let (suppressed, raw) = group.swap_remove(0);
    Finding {
        value,
        host: raw.hit.display.clone(),
        sink: Sink { range: raw.sink.clone(), callee: raw.callee.clone(), description: raw.description.clone() },
        fix: fixes::fix(&raw, api_sinks.len() as u32, env),
        suppressed,
    }
}
