//! Old blob vs new blob → the added or modified lines of the new one.
//!
//! A histogram line diff (what `git diff --histogram` uses) with a deadline, so a hostile pair of
//! huge blobs cannot hold a hook for long: past the deadline the diff approximates, which can
//! only widen the set of lines that count.

use std::time::Duration;

use similar::{Algorithm, DiffTag, TextDiff};

use crate::changes::LineFilter;

/// How long one blob pair may be diffed before the diff approximates.
const DIFF_TIMEOUT: Duration = Duration::from_millis(500);

/// Lines of `new` (1-based) that are not an unchanged line of `old`. A new version with a lone
/// carriage return (a line ending Python reads, which the line diff does not split on) counts
/// whole: the diff's line numbers would not be the analysis's.
pub(crate) fn changed_lines(old: &[u8], new: &[u8]) -> LineFilter {
    if has_lone_cr(new) {
        return LineFilter::All;
    }
    let diff = TextDiff::configure().algorithm(Algorithm::Histogram).timeout(DIFF_TIMEOUT).diff_lines(old, new);
    let mut lines = Vec::new();
    for op in diff.ops() {
        let (tag, _, new_range) = op.as_tag_tuple();
        if matches!(tag, DiffTag::Insert | DiffTag::Replace) {
            lines.extend(new_range.filter_map(|i| u32::try_from(i + 1).ok()));
        }
    }
    LineFilter::Only(lines)
}

fn has_lone_cr(bytes: &[u8]) -> bool {
    memchr::memchr_iter(b'\r', bytes).any(|at| bytes.get(at + 1) != Some(&b'\n'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn only(filter: LineFilter) -> Vec<u32> {
        match filter {
            LineFilter::Only(lines) => lines,
            LineFilter::All => panic!("expected a line list"),
        }
    }

    #[test]
    fn added_and_modified_lines_of_the_new_side() {
        let old = b"a\nb\nc\n";
        let new = b"a\nB\nc\nd\n";
        assert_eq!(only(changed_lines(old, new)), vec![2, 4]);
    }

    #[test]
    fn deletions_only_give_no_lines() {
        assert_eq!(only(changed_lines(b"a\nb\nc\n", b"a\nc\n")), Vec::<u32>::new());
    }

    #[test]
    fn crlf_lines_compare_whole() {
        assert_eq!(only(changed_lines(b"a\r\nb\r\n", b"a\r\nx\r\nb\r\n")), vec![2]);
    }

    #[test]
    fn a_lone_carriage_return_makes_every_line_count() {
        assert_eq!(changed_lines(b"a\rb\r", b"a\rb\rc\r"), LineFilter::All);
        assert_eq!(only(changed_lines(b"a\r\n", b"a\r\nb\r\n")), vec![2]);
    }

    #[test]
    fn missing_final_newline_counts_as_change() {
        assert_eq!(only(changed_lines(b"a\nb", b"a\nb\nc")), vec![2, 3]);
    }

    #[test]
    fn non_utf8_bytes_are_fine() {
        assert_eq!(only(changed_lines(b"x = '\xe9'\n", b"x = '\xe8'\n")), vec![1]);
    }
}
