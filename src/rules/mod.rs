//! CSP-D404: a service hardcoded to bind to all network interfaces.
//!
//! The analysis engine ([`engine`]) indexes each module and follows values through names,
//! functions, classes and the project's modules; this rule supplies what it looks for: the
//! data-only [`catalogue`] of listen APIs, [`sites`] that evaluate each place a bind may happen
//! (with [`calls`] for sinks inside the project's own helpers), [`address`] to classify values,
//! and [`assemble`] to keep one finding per literal with [`suppress`] and the [`fixes`].
//! [`prefilter`] lets most files skip parsing. The user documentation follows.
#![doc = include_str!("CSP-D404.md")]

mod address;
mod assemble;
mod calls;
mod catalogue;
mod engine;
mod fixes;
mod gate;
pub(crate) mod inert;
pub(crate) mod narrow;
mod sites;
mod suppress;
#[cfg(test)]
mod tests;

use std::time::Instant;

use crate::finding::Finding;
use crate::python::ParsedModule;
use crate::source::SourceText;

pub(crate) use engine::program::parent as parent_dir;
pub(crate) use engine::program::{Loaded, Project};
pub(crate) use engine::state::Limit;

use engine::flow::Flow;
use engine::program::{Arenas, Program};
use engine::state::State;

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
    /// APIs the user declares in the configuration (`extend-sinks`), in the catalogue's terms.
    pub extra_sinks: Vec<&'static catalogue::Api>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            fix_style: FixStyle::Loopback,
            env_var: "APP_HOST".into(),
            foreign_markers: false,
            extra_sinks: Vec::new(),
        }
    }
}

/// A listen API the user declares (`extend-sinks`): where its address goes and how it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UserSink {
    /// Qualified name in the catalogue's syntax: `mylib.serve`, `mylib.Server.listen`, `*.start`.
    pub(crate) name: String,
    pub(crate) position: Option<usize>,
    pub(crate) keyword: Option<String>,
    pub(crate) shape: UserShape,
    pub(crate) empty: bool,
    pub(crate) star: bool,
    pub(crate) zero: bool,
    pub(crate) description: Option<String>,
}

/// The address shapes a user can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UserShape {
    Host,
    Hosts,
    Addr,
    HostPort,
    HostPorts,
    Url,
}

impl Options {
    /// Adds user-declared APIs to the catalogue for this run (they live as long as the process).
    pub(crate) fn declare(&mut self, sinks: &[UserSink]) {
        self.extra_sinks = sinks.iter().map(catalogue::user_api).collect();
    }

    /// Whether a file may hold a sink, the user's APIs included (their method or function name,
    /// as a word).
    pub(crate) fn may_contain_bind(&self, bytes: &[u8]) -> bool {
        may_contain_bind(bytes) || self.names_user_sink(bytes)
    }

    /// [`may_define_sinks`], with the user's sinks.
    pub(crate) fn may_define_sinks(&self, bytes: &[u8]) -> bool {
        may_define_sinks(bytes) || self.names_user_sink(bytes)
    }

    fn names_user_sink(&self, bytes: &[u8]) -> bool {
        self.extra_sinks.iter().any(|api| catalogue::names_in(api, bytes))
    }
}

/// The rule's user documentation, printed by `bindguard explain CSP-D404`.
pub const DOCUMENTATION: &str = include_str!("CSP-D404.md");

/// Cheap byte test: `false` only when the analysis of this file on its own cannot find
/// anything (see [`gate`]). Parse only when it passes.
pub fn may_contain_bind(bytes: &[u8]) -> bool {
    gate::may_contain_bind(bytes)
}

/// Where each address parser finds an all-interfaces host in `text` (fuzzing).
#[cfg(feature = "fuzzing")]
pub(crate) fn address_hits(text: &str) -> Vec<std::ops::Range<usize>> {
    use address::Accept;
    let all = Accept { empty: true, star: true, zero: true };
    let hits = [Accept::NONE, all].into_iter().flat_map(|accept| {
        [
            address::host(text, accept),
            address::host_port(text, accept),
            address::url(text, accept),
            address::listen_list(text, accept),
        ]
    });
    hits.chain([address::endpoint(text)])
        .flatten()
        .flat_map(|hit| {
            let more: Vec<_> = hit.more.iter().map(|h| h.range.clone()).collect();
            std::iter::once(hit.range).chain(more)
        })
        .collect()
}

/// Whether some text may spell an all-interfaces address (plainly, in pieces or with escapes):
/// a changed line like that is worth following into the modules that import it.
pub(crate) fn may_spell_address(bytes: &[u8]) -> bool {
    gate::may_spell_address(bytes)
}

/// Whether bytes spell an all-interfaces address plainly (`0.0.0.0`, `'::'`, a quoted `*`, an
/// empty string where an address goes): what a file with no sink of its own needs for its
/// literals to be followed into helpers of other modules.
pub(crate) fn spells_address_plainly(bytes: &[u8]) -> bool {
    gate::has_address_hint(bytes)
}

/// For a file the gate rules out: whether it may still bind through modules of `project` it
/// imports. It holds an address spelling and imports a module that may reach a sink (a literal
/// of it may reach a helper's bind), or it calls an entry point and imports a module that may
/// spell an address (`from settings import HOST; app.run(host=HOST)`), or it imports both kinds
/// and may hand the one to the other (`from settings import HOST; from server import serve;
/// serve(HOST)`: the call is a place of the finding, and only this file makes it). Each needs
/// a call in the file.
///
/// `spelled` is how a literal handed to a helper must look (in the file itself, or in a module
/// it imports, for the last case): plainly for a whole tree (pieces and escapes count only next
/// to a sink there), in any way the analysis reads for a change, whose files are few.
pub(crate) fn may_meet_other_modules(path: &str, bytes: &[u8], project: &Project<'_>, spelled: Spelled) -> bool {
    let spells = match spelled {
        Spelled::Plainly => gate::has_address_hint(bytes),
        Spelled::AnyWay => gate::may_spell_address(bytes),
    };
    let imports_spelled = || match spelled {
        Spelled::Plainly => project.imports_plain_addresses(path, bytes, &RULE),
        Spelled::AnyWay => project.imports_addresses(path, bytes, &RULE),
    };
    let imports_sinky = || project.imports_sinky(path, bytes, &RULE);
    gate::may_call(bytes)
        && (spells && imports_sinky()
            || gate::has_entry_name(bytes) && project.imports_addresses(path, bytes, &RULE)
            || imports_spelled() && imports_sinky())
}

/// The file's import statements, one line each (see the engine's reader).
pub(crate) fn import_statements(text: &str) -> Vec<String> {
    engine::program::import_statements(text)
}

/// How an address in a file must be spelled for [`may_meet_other_modules`] to follow it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Spelled {
    Plainly,
    AnyWay,
}

/// Whether a file may hand a value of one module of its project to a helper of another: it
/// imports something and calls something. What a final state of a push must hold to be
/// analysed when it has no sink and no address of its own (the project decides then).
pub(crate) fn may_call_imported(bytes: &[u8]) -> bool {
    gate::may_call(bytes) && engine::program::imports_anything(bytes)
}

/// Whether a module may define something that reaches a sink, whatever address reaches it: what
/// a change must hold for the modules that import it to be analysed again.
pub(crate) fn may_define_sinks(bytes: &[u8]) -> bool {
    gate::may_define_sinks(bytes)
}

/// Which places of a finding its caller needs: only a diff filter needs the assignments that
/// pass a value on (they are not shown), and finding them reads every module the analysis
/// touched.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Places {
    /// Values, sinks and calls on the way.
    Shown,
    /// Also the assignments on the way, for a filter by changed lines.
    All,
}

/// The catalogue as the engine asks for it.
pub(crate) struct Rule;

pub(crate) static RULE: Rule = Rule;

impl engine::collect::Interest for Rule {
    fn is_config_name(&self, name: &str) -> bool {
        catalogue::config_key(name).is_some()
    }
}

impl engine::state::Knowledge for Rule {
    fn factory(&self, qualified: &str) -> Option<&'static str> {
        catalogue::factory(qualified)
    }
    fn bound_factory(&self, receiver: &str, method: &str) -> Option<&'static str> {
        catalogue::bound_factory(receiver, method)
    }
    fn knows(&self, qualified: &str) -> bool {
        catalogue::knows(qualified)
    }
    fn may_define_sinks(&self, bytes: &[u8]) -> bool {
        gate::may_define_sinks(bytes)
    }
    fn may_spell_address(&self, bytes: &[u8]) -> bool {
        gate::may_spell_address(bytes)
    }
    fn spells_address_plainly(&self, bytes: &[u8]) -> bool {
        gate::has_address_hint(bytes)
    }
}

/// What the analysis of one file found: findings in that file and in the other modules of the
/// project whose literals reach its sinks, and the limits it reached (then it is incomplete).
pub(crate) struct Checked {
    pub files: Vec<FileFindings>,
    pub limits: Vec<Limit>,
    /// Evaluation steps taken (tests check that shortcuts save work).
    #[cfg(test)]
    pub steps: u64,
    /// Calls followed into a helper's frame.
    #[cfg(test)]
    pub calls_followed: u64,
}

/// Findings in one file; `source` is set for files other than the one analysed.
pub(crate) struct FileFindings {
    pub path: String,
    pub source: Option<SourceText>,
    pub findings: Vec<Finding>,
}

/// Runs the rule over a loaded file, following imports into `project`. The deadline bounds
/// the analysis (reaching it is reported as a limit).
pub(crate) fn check_file(
    root: &Loaded,
    project: &Project<'_>,
    options: &Options,
    deadline: Option<Instant>,
    places: Places,
    narrowed: Option<&narrow::Narrowed<'_>>,
) -> Checked {
    let arenas = Arenas::default();
    let program = Program::new(project, &arenas, &RULE, &RULE);
    let module = program.add(root);
    let st = State::new(&program, &RULE, deadline);
    let flow = Flow::new(&st);
    let sites =
        sites::Sites { flow: &flow, summaries: calls::Summaries::default(), extra: &options.extra_sinks, narrowed };
    let raws = sites.module(module);
    let limits = st.limits();
    let files = assemble::findings(&program, raws, options, places)
        .into_iter()
        .map(|m| {
            let loaded = program.module(m.module).loaded;
            let source = (m.module != module).then(|| loaded.source.clone());
            FileFindings { path: loaded.path.clone(), source, findings: m.findings }
        })
        .collect();
    Checked {
        files,
        limits,
        #[cfg(test)]
        steps: st.steps(),
        #[cfg(test)]
        calls_followed: st.frames.borrow().entered(),
    }
}

/// Runs the rule over one parsed file on its own; suppressed findings are returned with
/// `suppressed: true`. Applies [`may_contain_bind`] first.
#[cfg(test)]
pub fn check(source: &SourceText, module: &ParsedModule, options: &Options) -> Vec<Finding> {
    if !may_contain_bind(source.text().as_bytes()) {
        return Vec::new();
    }
    check_unfiltered(source, module, options)
}

/// The analysis of one file on its own, without the prefilter gate.
pub fn check_unfiltered(source: &SourceText, _module: &ParsedModule, options: &Options) -> Vec<Finding> {
    let loaded = Loaded::new(String::new(), source.clone(), false);
    let project = Project::new(&crate::snapshot::Alone, &RULE, u64::MAX);
    let checked = check_file(&loaded, &project, options, None, Places::All, None);
    checked.files.into_iter().filter(|f| f.source.is_none()).flat_map(|f| f.findings).collect()
}
