//! Plain data that flows from the analysis to the renderers and the fixer.
//!
//! A finding is located by byte offsets into the decoded source text; renderers turn offsets into
//! lines and columns with [`crate::source::SourceText`], so the analysis never thinks about
//! presentation.

use std::ops::Range;

/// The rule this crate implements. One constant, so that JSON, text and suppression agree.
pub const RULE_CODE: &str = "CSP-D404";

/// One hardcoded all-interfaces value that reaches a bind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Byte range of the all-interfaces literal (the primary location).
    pub value: Range<usize>,
    /// The host part as written for people: `0.0.0.0`, `::`, `''`, `*`.
    pub host: String,
    /// Where the value is used to listen: the first of [`Finding::sinks`].
    pub sink: Sink,
    /// Every place the value is used to listen (spec §5), the first one first.
    pub sinks: Vec<Sink>,
    /// Calls the value passes through on its way to a sink (a helper's call site).
    pub via: Vec<Place>,
    /// The edits that make the value loopback, or why none is offered.
    pub fix: Result<Fix, NoFix>,
    /// Silenced by a `# ignore` comment: counted, never shown as an error.
    pub suppressed: bool,
}

/// The place that decides where a server listens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sink {
    /// Byte range of the sink expression (the call, assignment target or dict key), in the
    /// finding's file, or in [`Sink::file`] when that is set.
    pub range: Range<usize>,
    /// Another file of the project that holds the sink (a value imported from a settings module).
    pub file: Option<String>,
    /// 1-based line and character column of the sink's start, and its last line, in its own file.
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    /// Short callee text as it appears in code, e.g. `app.run()` or `config.bind`.
    pub callee: String,
    /// What the sink is, for people: e.g. `Flask app.run()`.
    pub description: String,
}

/// A range in a file: the finding's own file, or another one of the project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub file: Option<String>,
    pub range: Range<usize>,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
}

/// A machine-applicable fix: non-overlapping edits on the decoded text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    pub edits: Vec<Edit>,
}

/// Replace `range` (bytes of the decoded text) with `content`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub range: Range<usize>,
    pub content: String,
}

/// Why a finding carries no fix; shown as a hint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoFix(pub String);

impl Finding {
    /// Every place in the finding's own file that a diff filter must look at: the value, the
    /// sinks and the calls on the way.
    pub fn own_places(&self) -> impl Iterator<Item = &Range<usize>> {
        let sinks = self.sinks.iter().filter(|s| s.file.is_none()).map(|s| &s.range);
        let via = self.via.iter().filter(|p| p.file.is_none()).map(|p| &p.range);
        std::iter::once(&self.value).chain(sinks).chain(via)
    }

    /// Places in other files (path, first and last line), for diff filters that know those
    /// files' changes.
    pub fn other_places(&self) -> impl Iterator<Item = (&str, usize, usize)> {
        let sinks = self.sinks.iter().filter_map(|s| s.file.as_deref().map(|f| (f, s.line, s.end_line)));
        sinks.chain(self.via.iter().filter_map(|p| p.file.as_deref().map(|f| (f, p.line, p.end_line))))
    }
}
