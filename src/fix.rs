//! Applying a finding's edits to text.
//!
//! Edits are computed by the rules as data; this module only splices them in, so the printed
//! diff, `--fix` and the tests all apply a fix the same way.

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
