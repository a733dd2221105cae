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
    /// Where the value is used to listen.
    pub(crate) sink: Sink,
    /// The edits that make the value loopback, or why none is offered.
    pub(crate) fix: Result<Fix, NoFix>,
    /// Silenced by a `# ignore` comment: counted, never shown as an error.
    pub(crate) suppressed: bool,
}

/// The place that decides where a server listens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Sink {
    /// Byte range of the sink expression (the call, assignment target or dict key).
    pub(crate) range: Range<usize>,
    /// Short callee text as it appears in code, e.g. `app.run()` or `config.bind`.
    pub(crate) callee: String,
    /// What the sink is, for people: e.g. `Flask app.run()`.
    pub(crate) description: String,
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
