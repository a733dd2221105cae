//! Plain data that flows from the analysis to the renderers and the fixer, and the one way a
//! fix's edits are spliced into text, so the printed diff, `--fix` and the tests all apply a fix
//! the same way.
//!
//! A finding is located by byte offsets into the decoded source text; renderers turn offsets into
//! lines and columns with [`crate::source::SourceText`], so the analysis never thinks about
//! presentation.

use std::ops::Range;

/// The rule this crate implements. One constant, so that JSON, text and suppression agree.
pub(crate) const RULE_CODE: &str = "CSP-D404";

/// One hardcoded all-interfaces value that reaches a bind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Finding {
    /// Byte range of the all-interfaces literal (the primary location).
    pub(crate) value: Range<usize>,
    /// The host part as written for people: `0.0.0.0`, `::`, `''`, `*`.
    pub(crate) host: String,
    /// Where the value is used to listen: the first of [`Finding::sinks`].
    pub(crate) sink: Sink,
    /// Every place the value is used to listen (spec §5), the first one first.
    pub(crate) sinks: Vec<Sink>,
    /// Calls the value passes through on its way to a sink (a helper's call site).
    pub(crate) via: Vec<Place>,
    /// Assignments that pass the value on by name in its own file (`HOST = ANY`): not shown,
    /// but a change there points an unchanged bind at the value, so diff mode counts them.
    pub(crate) through: Vec<Place>,
    /// The edits that make the value loopback, or why none is offered.
    pub(crate) fix: Result<Fix, NoFix>,
    /// Silenced by a `# ignore` comment: counted, never shown as an error.
    pub(crate) suppressed: bool,
}

/// The place that decides where a server listens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Sink {
    /// Byte range of the sink expression (the call, assignment target or dict key), in the
    /// finding's file, or in [`Sink::file`] when that is set.
    pub(crate) range: Range<usize>,
    /// Another file of the project that holds the sink (a value imported from a settings module).
    pub(crate) file: Option<String>,
    /// 1-based line and character column of the sink's start, and its last line, in its own file.
    pub(crate) line: usize,
    pub(crate) column: usize,
    pub(crate) end_line: usize,
    /// Short callee text as it appears in code, e.g. `app.run()` or `config.bind`.
    pub(crate) callee: String,
    /// What the sink is, for people: e.g. `Flask app.run()`.
    pub(crate) description: String,
}

/// A range in a file: the finding's own file, or another one of the project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Place {
    pub(crate) file: Option<String>,
    pub(crate) range: Range<usize>,
    pub(crate) line: usize,
    pub(crate) column: usize,
    pub(crate) end_line: usize,
}

/// A machine-applicable fix: non-overlapping edits on the decoded text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Fix {
    pub(crate) edits: Vec<Edit>,
}

/// Replace `range` (bytes of the decoded text) with `content`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Edit {
    pub(crate) range: Range<usize>,
    pub(crate) content: String,
}

/// Why a finding carries no fix; shown as a hint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NoFix(pub(crate) String);

impl Finding {
    /// Adds the sinks and the calls on the way that `other` (the same literal, reached from
    /// another analysed file) knows; suppressed only where both are.
    pub(crate) fn merge(&mut self, other: Finding) {
        // The headline names a sink that blocks: one file's analysis puts an unsuppressed sink
        // first, and so does a merge.
        if self.suppressed && !other.suppressed {
            self.sink = other.sink.clone();
            self.sinks.retain(|s| !(s.range == other.sink.range && s.file == other.sink.file));
            self.sinks.insert(0, other.sink.clone());
        }
        for sink in other.sinks {
            if !self.sinks.iter().any(|s| s.range == sink.range && s.file == sink.file) {
                self.sinks.push(sink);
            }
        }
        for place in other.via {
            if !self.via.contains(&place) {
                self.via.push(place);
            }
        }
        self.suppressed &= other.suppressed;
    }

    /// Every place in the finding's own file that a diff filter must look at: the value, the
    /// sinks and the calls on the way.
    pub(crate) fn own_places(&self) -> impl Iterator<Item = &Range<usize>> {
        let sinks = self.sinks.iter().filter(|s| s.file.is_none()).map(|s| &s.range);
        let via = self.via.iter().chain(&self.through).filter(|p| p.file.is_none()).map(|p| &p.range);
        std::iter::once(&self.value).chain(sinks).chain(via)
    }

    /// Places in other files (path, first and last line), for diff filters that know those
    /// files' changes.
    pub(crate) fn other_places(&self) -> impl Iterator<Item = (&str, usize, usize)> {
        let sinks = self.sinks.iter().filter_map(|s| s.file.as_deref().map(|f| (f, s.line, s.end_line)));
        let passed = self.via.iter().chain(&self.through);
        sinks.chain(passed.filter_map(|p| p.file.as_deref().map(|f| (f, p.line, p.end_line))))
    }
}

/// Applies non-overlapping edits to `text`; overlapping or out-of-bounds edits are refused.
pub(crate) fn apply_edits(text: &str, edits: &[Edit]) -> Result<String, String> {
    let mut sorted: Vec<&Edit> = edits.iter().collect();
    sorted.sort_by_key(|e| (e.range.start, e.range.end));
    let mut out = String::with_capacity(text.len() + 64);
    let mut cursor = 0;
    for edit in sorted {
        if edit.range.start < cursor || edit.range.end > text.len() || edit.range.start > edit.range.end {
            return Err(format!("edit {:?} overlaps another edit or leaves the text", edit.range));
        }
        if !text.is_char_boundary(edit.range.start) || !text.is_char_boundary(edit.range.end) {
            return Err(format!("edit {:?} splits a character", edit.range));
        }
        out.push_str(&text[cursor..edit.range.start]);
        out.push_str(&edit.content);
        cursor = edit.range.end;
    }
    out.push_str(&text[cursor..]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit(start: usize, end: usize, content: &str) -> Edit {
        Edit { range: start..end, content: content.into() }
    }

    #[test]
    fn applies_in_offset_order() {
        let out = apply_edits("a = 'x'\nb = 'y'\n", &[edit(13, 14, "Y"), edit(5, 6, "X")]).unwrap();
        assert_eq!(out, "a = 'X'\nb = 'Y'\n");
    }

    #[test]
    fn insertion_at_same_point_as_nothing_else() {
        assert_eq!(apply_edits("ab", &[edit(1, 1, "-")]).unwrap(), "a-b");
    }

    #[test]
    fn refuses_overlap() {
        assert!(apply_edits("abcdef", &[edit(0, 3, "x"), edit(2, 4, "y")]).is_err());
    }
}
