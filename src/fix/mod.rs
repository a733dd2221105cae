//! Applying a finding's edits to text, and proving the result.
//!
//! Edits are computed by the rules as data; this module only splices them in, so the printed
//! diff, `--fix` and the tests all apply a fix the same way.

pub mod files;
pub mod worktree;

use crate::finding::Edit;

/// Applies non-overlapping edits to `text`; overlapping or out-of-bounds edits are refused.
pub fn apply_edits(text: &str, edits: &[Edit]) -> Result<String, String> {
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

/// The verified result of fixing one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixedText {
    pub text: String,
    /// Findings whose fix was applied.
    pub fixed: usize,
}

/// Applies every available fix of a file's active findings and proves the result: it must
/// parse no worse than before and the rule must no longer fire on anything that was fixed.
/// `Ok(None)`: nothing to fix. `Err`: the file is left alone, with the reason.
pub fn fix_source(
    source: &crate::source::SourceText,
    findings: &[crate::finding::Finding],
    stub: bool,
    options: &crate::rules::Options,
) -> Result<Option<FixedText>, String> {
    let active: Vec<_> = findings.iter().filter(|f| !f.suppressed).collect();
    let fixable: Vec<_> = active.iter().filter_map(|f| f.fix.as_ref().ok()).collect();
    if fixable.is_empty() {
        return Ok(None);
    }
    let mut edits: Vec<Edit> = fixable.iter().flat_map(|fix| fix.edits.iter().cloned()).collect();
    edits.sort_by(|a, b| (a.range.start, a.range.end, &a.content).cmp(&(b.range.start, b.range.end, &b.content)));
    edits.dedup();
    let text = apply_edits(source.text(), &edits)?;
    verify(source, &text, stub, options, active.len() - fixable.len())?;
    Ok(Some(FixedText { text, fixed: fixable.len() }))
}

/// Re-parses and re-checks fixed text; at most the unfixable findings may remain.
fn verify(
    before: &crate::source::SourceText,
    fixed: &str,
    stub: bool,
    options: &crate::rules::Options,
    unfixable: usize,
) -> Result<(), String> {
    use crate::python::{Flavor, parse};
    let flavor = if stub { Flavor::Stub } else { Flavor::Module };
    let errors_before = parse(before.text(), flavor).syntax_errors().len();
    let after = crate::source::SourceText::from_text(fixed.to_owned(), before.encoding());
    let module = parse(after.text(), flavor);
    if module.syntax_errors().len() > errors_before {
        return Err("the fixed file would not parse".into());
    }
    let remaining = crate::rules::check(&after, &module, options).iter().filter(|f| !f.suppressed).count();
    if remaining > unfixable {
        return Err(format!("{} finding(s) would still fire after the fix", remaining - unfixable));
    }
    before.encode(fixed).map(|_| ())
}
