//! Old blob vs new blob → the added or modified lines of the new one.
//!
//! A histogram line diff (what `git diff --histogram` uses) with a deadline, so a hostile pair of
//! huge blobs cannot hold a hook for long: past the deadline the diff approximates, which can
//! only widen the set of lines that count.

use std::collections::HashSet;
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
/// below a deleted or rewritten suppression marker (`# ignore` that covered it), an unchanged
/// line that a marker was above and no longer is (a line inserted between them, or an unchanged
/// copy of the line matched below the marker's own), and every
/// assignment of a name that a deleted or changed line assigned in the same block (a deleted
/// `HOST = '127.0.0.1'` override, or one moved under an `if`, lets an earlier
/// `HOST = '0.0.0.0'` reach its bind again).
pub(crate) fn changed_lines(old: &[u8], new: &[u8]) -> LineFilter {
    if has_lone_cr(new) {
        return LineFilter::All;
    }
    // Most changes touch a few lines of a long file: the lines both versions share at their
    // start and end are matched as they are (as git's own diff does), and only the rest is diffed.
    let ends = CommonEnds::of(old, new);
    let (old_middle, new_middle) = (ends.middle(old), ends.middle(new));
    let diff =
        TextDiff::configure().algorithm(Algorithm::Histogram).timeout(DIFF_TIMEOUT).diff_lines(old_middle, new_middle);
    let skip = ends.prefix_lines;
    let new_count = memchr::memchr_iter(b'\n', new).count() + usize::from(!new.is_empty() && !new.ends_with(b"\n"));
    let mut lines = Vec::new();
    // Assignments a change made (at their line) or removed (at the deletion point): depth, name,
    // place in the new version, and whether the line is gone.
    let mut reassigned: Vec<(usize, &[u8], usize, bool)> = Vec::new();
    for op in diff.ops() {
        let (tag, old_range, new_range) = op.as_tag_tuple();
        if matches!(tag, DiffTag::Insert | DiffTag::Replace) {
            lines.extend(new_range.clone().filter_map(|i| u32::try_from(skip + i + 1).ok()));
            for i in new_range.clone() {
                if let Some((indent, name)) = diff.new_slice(i).and_then(|l| assignment(l)) {
                    reassigned.push((indent, name, skip + i, false));
                }
            }
        }
        if matches!(tag, DiffTag::Delete | DiffTag::Replace) {
            let deleted = old_range.filter_map(|i| diff.old_slice(i));
            let mut comment = false;
            for line in deleted {
                comment |= is_marker_comment(line);
                if let Some((indent, name)) = assignment(line) {
                    reassigned.push((indent, name, skip + new_range.start, true));
                }
            }
            if comment && let Ok(below) = u32::try_from(skip + new_range.end + 1) {
                lines.push(below);
            }
        }
    }
    let new_lines: Vec<&[u8]> = new.split_inclusive(|&b| b == b'\n').collect();
    // Where a run of unchanged lines starts, its first line has another line above it than its
    // old self had: when that was a suppression marker, the line is no longer covered by it.
    let old_lines: Vec<&[u8]> = old.split_inclusive(|&b| b == b'\n').collect();
    let mut runs: Vec<(usize, usize)> = diff
        .ops()
        .iter()
        .filter(|op| op.tag() == DiffTag::Equal)
        .map(|op| (skip + op.new_range().start, skip + op.old_range().start))
        .collect();
    if ends.suffix > 0 {
        let suffix_lines = new[new.len() - ends.suffix..].split_inclusive(|&b| b == b'\n').count();
        runs.push((new_lines.len() - suffix_lines, old_lines.len() - suffix_lines));
    }
    for (at_new, at_old) in runs {
        let marker_above = at_old.checked_sub(1).map(|i| old_lines[i]).filter(|line| is_marker_comment(line));
        let above_now = at_new.checked_sub(1).map(|i| new_lines[i]);
        if marker_above.is_some_and(|marker| above_now != Some(marker)) {
            lines.extend(u32::try_from(at_new + 1).ok());
        }
    }
    if !reassigned.is_empty() {
        // The same name at the same depth with the same block opener is the same variable.
        let blocks = Blocks::new(&new_lines);
        let same: HashSet<(usize, &[u8], usize)> = reassigned
            .iter()
            .map(|&(indent, name, at, gone)| {
                let opener = if gone { blocks.holder(at, indent) } else { blocks.parent[at] };
                (indent, name, opener)
            })
            .collect();
        for (i, line) in new_lines.iter().enumerate() {
            if let Some((indent, name)) = assignment(line)
                && same.contains(&(indent, name, blocks.parent[i]))
            {
                lines.extend(u32::try_from(i + 1).ok());
            }
        }
    }
    lines.retain(|&l| l as usize <= new_count);
    lines.sort_unstable();
    lines.dedup();
    LineFilter::Only(lines)
}

/// The whole lines two texts share at their start and at their end (never overlapping).
struct CommonEnds {
    prefix: usize,
    prefix_lines: usize,
    suffix: usize,
}

impl CommonEnds {
    fn of(old: &[u8], new: &[u8]) -> Self {
        let same = old.iter().zip(new).take_while(|(a, b)| a == b).count();
        // Back to the start of the line the first difference is on (a last line without its
        // newline differs from the same text with one).
        let prefix = memchr::memrchr(b'\n', &new[..same]).map_or(0, |at| at + 1);
        let prefix_lines = memchr::memchr_iter(b'\n', &new[..prefix]).count();
        let room = old.len().min(new.len()) - prefix;
        let same_end = old.iter().rev().zip(new.iter().rev()).take(room).take_while(|(a, b)| a == b).count();
        let starts_line = |text: &[u8], at: usize| at == prefix || text[at - 1] == b'\n';
        let (mut at_new, mut at_old) = (new.len() - same_end, old.len() - same_end);
        let mut suffix = same_end;
        // Forward to a point that starts a line in both texts (the same bytes follow in both).
        if !(starts_line(new, at_new) && starts_line(old, at_old)) {
            suffix = match memchr::memchr(b'\n', &new[at_new..]) {
                Some(at) => same_end - at - 1,
                None => 0,
            };
            at_new = new.len() - suffix;
            at_old = old.len() - suffix;
            debug_assert!(suffix == 0 || starts_line(new, at_new) && starts_line(old, at_old));
        }
        CommonEnds { prefix, prefix_lines, suffix }
    }

    /// What is left of `text` (one of the two) between the common lines.
    fn middle<'t>(&self, text: &'t [u8]) -> &'t [u8] {
        &text[self.prefix..text.len() - self.suffix]
    }
}

/// A comment line that may be a suppression marker (`# ignore: CSP-D404`, and the other tools'
/// markers a configuration may accept): what a deleted comment must be to count on the line
/// below it.
fn is_marker_comment(line: &[u8]) -> bool {
    let code = line.trim_ascii_start();
    let lower = code.to_ascii_lowercase();
    code.starts_with(b"#")
        && [&b"ignore"[..], b"nosec", b"noqa"].iter().any(|m| memchr::memmem::find(&lower, m).is_some())
}

/// For each line of a text, the line that opens its block: the nearest code line above it
/// indented less (`NONE` at the top level). Blank lines and comments open nothing. Two
/// assignments at the same depth with the same opener are taken for the same variable.
struct Blocks {
    parent: Vec<usize>,
    indent: Vec<Option<usize>>,
    /// The last code line before each line.
    previous: Vec<usize>,
}

const NONE: usize = usize::MAX;

impl Blocks {
    fn new(lines: &[&[u8]]) -> Self {
        let indent: Vec<Option<usize>> = lines
            .iter()
            .map(|l| {
                let code = l.trim_ascii_start();
                (!code.is_empty() && !code.starts_with(b"#")).then(|| l.len() - code.len())
            })
            .collect();
        let mut parent = vec![NONE; lines.len()];
        let mut previous = vec![NONE; lines.len()];
        let mut open: Vec<(usize, usize)> = Vec::new();
        let mut last = NONE;
        for (i, depth) in indent.iter().enumerate() {
            previous[i] = last;
            let Some(depth) = *depth else {
                parent[i] = open.last().map_or(NONE, |&(_, at)| at);
                continue;
            };
            while open.last().is_some_and(|&(d, _)| d >= depth) {
                open.pop();
            }
            parent[i] = open.last().map_or(NONE, |&(_, at)| at);
            open.push((depth, i));
            last = i;
        }
        Blocks { parent, indent, previous }
    }

    /// The opener of the block a line at `depth` would have at position `at` (a deleted line).
    fn holder(&self, at: usize, depth: usize) -> usize {
        let mut line = if at < self.previous.len() {
            self.previous[at]
        } else {
            self.indent.iter().rposition(Option::is_some).unwrap_or(NONE)
        };
        while line != NONE && self.indent[line].is_some_and(|d| d >= depth) {
            line = self.parent[line];
        }
        line
    }
}

/// The indentation and name of an assignment at the start of a line: the same name assigned at
/// the same depth in the same block is taken for the same variable.
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
        // Nor one of another function at the same depth; the same function's does.
        let old = b"def f():\n    p = 1\n    p = 2\n    return p\n\ndef g():\n    p = 3\n";
        let new = b"def f():\n    p = 1\n    return p\n\ndef g():\n    p = 3\n";
        assert_eq!(only(changed_lines(old, new)), vec![2]);
        // A deleted comment that is no marker counts nowhere.
        let old = b"import socket\n# listen here\nsocket.bind(x)\n";
        assert_eq!(only(changed_lines(old, b"import socket\nsocket.bind(x)\n")), Vec::<u32>::new());
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

    /// Whether `part` is a subsequence of `whole`.
    fn is_subsequence(part: &[&[u8]], whole: &[&[u8]]) -> bool {
        let mut rest = whole.iter();
        part.iter().all(|line| rest.any(|w| w == line))
    }

    proptest::proptest! {
        /// A line left out of the changed ones is a line of the old version, in the same order:
        /// what the shared start and end skip is matched as the whole diff would match it.
        #[test]
        fn unchanged_lines_are_old_lines_in_order(
            old in proptest::collection::vec(0u8..4, 0..12),
            new in proptest::collection::vec(0u8..4, 0..12),
            newline_at_end in proptest::bool::ANY,
        ) {
            let text = |lines: &[u8]| {
                let mut t: Vec<u8> = lines.iter().flat_map(|l| [&b"a\n"[..], b"b\n", b"c\n", b"x = 1\n"][*l as usize].to_vec()).collect();
                if !newline_at_end { t.pop(); }
                t
            };
            let (old, new) = (text(&old), text(&new));
            let changed = only(changed_lines(&old, &new));
            let old_lines: Vec<&[u8]> = old.split_inclusive(|&b| b == b'\n').collect();
            let kept: Vec<&[u8]> = new
                .split_inclusive(|&b| b == b'\n')
                .enumerate()
                .filter(|(i, _)| !changed.contains(&(*i as u32 + 1)))
                .map(|(_, l)| l)
                .collect();
            proptest::prop_assert!(is_subsequence(&kept, &old_lines), "{:?} -> {:?}: {changed:?}", String::from_utf8_lossy(&old), String::from_utf8_lossy(&new));
        }
    }

    #[test]
    fn a_line_a_marker_no_longer_covers_counts() {
        // A line inserted between the marker and its statement.
        assert_eq!(only(changed_lines(b"# ignore\nB\n", b"# ignore\n\nB\n")), vec![2, 3]);
        // A copy of a suppressed line: whichever copy the diff takes for the old one, the copy
        // with no marker above counts.
        let changed = only(changed_lines(b"a\n# ignore\nB\n", b"# ignore\nB\nB\n"));
        assert!(changed.contains(&3), "{changed:?}");
        let old = b"import socket\ns = socket.socket()\n# ignore\ns.bind(x)\n";
        let new = b"import socket\ns = socket.socket()\nVERSION = 2\n# ignore\ns.bind(x)\ns.bind(x)\n";
        assert!(only(changed_lines(old, new)).contains(&6));
        // The marker still above its line: nothing more counts.
        assert_eq!(only(changed_lines(b"# ignore\nB\n", b"x\n# ignore\nB\n")), vec![1]);
    }

    proptest::proptest! {
        // Cheap cases, and the shapes that matter are rare among them.
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(20_000))]

        /// A marker-free copy of a line (`B` with no `# ignore` above it) that the new version has
        /// more of than the old one always has one counted: a suppressed bind cannot be made
        /// active on lines that count for nothing.
        #[test]
        fn a_newly_uncovered_line_counts(
            old in proptest::collection::vec(0u8..4, 0..10),
            new in proptest::collection::vec(0u8..4, 0..10),
            crlf in proptest::bool::ANY,
        ) {
            let eol: &[u8] = if crlf { b"\r\n" } else { b"\n" };
            let text = |lines: &[u8]| -> Vec<u8> {
                lines.iter().flat_map(|l| [&b"B"[..], b"# ignore", b"", b"a"][*l as usize].iter().chain(eol).copied()).collect()
            };
            let uncovered = |lines: &[u8]| -> Vec<usize> {
                (0..lines.len()).filter(|&i| lines[i] == 0 && (i == 0 || lines[i - 1] != 1)).collect()
            };
            let changed = only(changed_lines(&text(&old), &text(&new)));
            let now = uncovered(&new);
            if now.len() > uncovered(&old).len() {
                proptest::prop_assert!(now.iter().any(|i| changed.contains(&(*i as u32 + 1))), "{old:?} -> {new:?}: {changed:?}");
            }
        }
    }

    #[test]
    fn an_edit_between_shared_lines_is_placed_in_the_whole_text() {
        let old = b"a\nb\nc\nd\ne\n";
        assert_eq!(only(changed_lines(old, b"a\nb\nX\nd\ne\n")), vec![3]);
        // The shared end never takes lines the shared start took.
        assert_eq!(only(changed_lines(b"a\na\n", b"a\na\na\n")), vec![3]);
        // Shared bytes that end inside a line do not make it shared.
        assert_eq!(only(changed_lines(b"xa\nb\n", b"y\na\nb\n")), vec![1, 2]);
        assert_eq!(only(changed_lines(b"q = 1\n", b"HOST = 1\nq = 1\n")), vec![1]);
    }

    #[test]
    fn non_utf8_bytes_are_fine() {
        assert_eq!(only(changed_lines(b"x = '\xe9'\n", b"x = '\xe8'\n")), vec![1]);
    }
}
