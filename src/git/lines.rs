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
///
/// A change also counts on the lines it takes effect on without touching them: the statement
/// below a deleted comment line (a `# ignore` marker that covered it), and every assignment of
/// a name that a deleted or changed line assigned (a deleted `HOST = '127.0.0.1'` override, or
/// one moved under an `if`, lets an earlier `HOST = '0.0.0.0'` reach its bind again).
pub(crate) fn changed_lines(old: &[u8], new: &[u8]) -> LineFilter {
    if has_lone_cr(new) {
        return LineFilter::All;
    }
    let diff = TextDiff::configure().algorithm(Algorithm::Histogram).timeout(DIFF_TIMEOUT).diff_lines(old, new);
    let old_lines: Vec<&[u8]> = old.split_inclusive(|&b| b == b'\n').collect();
    let new_lines: Vec<&[u8]> = new.split_inclusive(|&b| b == b'\n').collect();
    let mut lines = Vec::new();
    let mut reassigned: Vec<(usize, &[u8])> = Vec::new();
    for op in diff.ops() {
        let (tag, old_range, new_range) = op.as_tag_tuple();
        if matches!(tag, DiffTag::Insert | DiffTag::Replace) {
            lines.extend(new_range.clone().filter_map(|i| u32::try_from(i + 1).ok()));
            reassigned.extend(new_range.clone().filter_map(|i| new_lines.get(i).and_then(|l| assignment(l))));
        }
        if matches!(tag, DiffTag::Delete | DiffTag::Replace) {
            let deleted = old_range.filter_map(|i| old_lines.get(i).copied());
            let mut comment = false;
            for line in deleted {
                comment |= line.trim_ascii_start().starts_with(b"#");
                reassigned.extend(assignment(line));
            }
            if comment && let Ok(below) = u32::try_from(new_range.end + 1) {
                lines.push(below);
            }
        }
    }
    if !reassigned.is_empty() {
        let assigns = |l: &[u8]| assignment(l).is_some_and(|a| reassigned.contains(&a));
        lines.extend(
            new_lines.iter().enumerate().filter(|(_, l)| assigns(l)).filter_map(|(i, _)| u32::try_from(i + 1).ok()),
        );
    }
    lines.retain(|&l| l as usize <= new_lines.len());
    lines.sort_unstable();
    lines.dedup();
    LineFilter::Only(lines)
}

/// The indentation and name of an assignment at the start of a line: the same name assigned at
/// the same depth is taken for the same variable.
fn assignment(line: &[u8]) -> Option<(usize, &[u8])> {
    let indent = line.len() - line.trim_ascii_start().len();
    assigned_name(line).map(|name| (indent, name))
}

/// The name a line assigns at its start (`HOST = …`, `self.host: str = …`, `HOST += …`), as
/// written; `==` is a comparison.
fn assigned_name(line: &[u8]) -> Option<&[u8]> {
    let code = line.trim_ascii_start();
    let name_len =
        code.iter().take_while(|&&b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || !b.is_ascii()).count();
    if name_len == 0 || code[0].is_ascii_digit() {
        return None;
    }
    let rest = code[name_len..].trim_ascii_start();
    let rest = match rest.first() {
        Some(b':') => &rest[memchr::memchr(b'=', rest)?..],
        Some(b'+' | b'-' | b'*' | b'/' | b'|' | b'&') => &rest[1..],
        _ => rest,
    };
    (rest.starts_with(b"=") && !rest.starts_with(b"==")).then(|| &code[..name_len])
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
    fn a_deleted_marker_counts_on_the_line_below_and_a_deleted_override_on_every_assignment() {
        let old = b"import socket\n# ignore: CSP-D404\nsocket.bind(x)\n";
        assert_eq!(only(changed_lines(old, b"import socket\nsocket.bind(x)\n")), vec![2]);
        let old = b"HOST = '0.0.0.0'\nx = 1\nHOST = '127.0.0.1'\nbind(HOST)\n";
        assert_eq!(only(changed_lines(old, b"HOST = '0.0.0.0'\nx = 1\nbind(HOST)\n")), vec![1]);
        // An override moved under an `if`: its own line changes, and so do the other assignments
        // at its old depth.
        let new = b"HOST = '0.0.0.0'\nx = 1\nif ok:\n    HOST = '127.0.0.1'\nbind(HOST)\n";
        assert_eq!(only(changed_lines(old, new)), vec![1, 3, 4]);
        // Another function's variable of the same name (another depth) does not count.
        let old = b"HOST = '0.0.0.0'\ndef f():\n    HOST = 1\n    return HOST\n";
        assert_eq!(only(changed_lines(old, b"HOST = '0.0.0.0'\ndef f():\n    return HOST\n")), Vec::<u32>::new());
        // A deleted comparison or call assigns nothing.
        let old = b"a = 1\nif a == 2:\n    pass\nf(a)\n";
        assert_eq!(only(changed_lines(old, b"a = 1\nif a == 2:\n    pass\n")), Vec::<u32>::new());
    }

    #[test]
    fn assignments_are_read_at_the_start_of_a_line() {
        assert_eq!(assigned_name(b"  HOST = 1\n"), Some(&b"HOST"[..]));
        assert_eq!(assigned_name(b"self.host: str = x\n"), Some(&b"self.host"[..]));
        assert_eq!(assigned_name(b"HOST += x\n"), Some(&b"HOST"[..]));
        assert_eq!(assigned_name(b"HOST == x\n"), None);
        assert_eq!(assigned_name(b"f(HOST=1)\n"), None);
        assert_eq!(assigned_name(b"# HOST = 1\n"), None);
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
