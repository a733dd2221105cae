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
    /// Where the value is used to listen.
    pub sink: Sink,
    /// The edits that make the value loopback, or why none is offered.
    pub fix: Result<Fix, NoFix>,
    /// Silenced by a `# ignore` comment: counted, never shown as an error.
    pub suppressed: bool,
}

/// The place that decides where a server listens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sink {
    /// Byte range of the sink expression (the call, assignment target or dict key).
    pub range: Range<usize>,
    /// Short callee text as it appears in code, e.g. `app.run()` or `config.bind`.
    pub callee: String,
    /// What the sink is, for people: e.g. `Flask app.run()`.
    pub description: String,
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
    /// All byte offsets a diff filter must look at: the value and the sink.
    pub fn anchors(&self) -> [usize; 2] {
        [self.value.start, self.sink.range.start]
    }
}
