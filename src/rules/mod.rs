//! CSP-D404: a service hardcoded to bind to all network interfaces.
//!
//! (Placeholder API; the rule implementation lives in this directory.)

use crate::finding::Finding;
use crate::python::ParsedModule;
use crate::source::SourceText;

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
pub const DOCUMENTATION: &str = "CSP-D404";

/// Cheap byte test: `false` only when the full analysis cannot find anything in these bytes.
pub fn may_contain_bind(_bytes: &[u8]) -> bool {
    true
}

/// Runs the rule over one parsed file; suppressed findings are returned with `suppressed: true`.
pub fn check(_source: &SourceText, _module: &ParsedModule, _options: &Options) -> Vec<Finding> {
    Vec::new()
}
