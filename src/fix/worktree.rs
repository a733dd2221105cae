//! Carrying a fix made to the staged blob over to the worktree file without touching the user's
//! unstaged edits.
//!
//! The fix is a line diff between the staged bytes before and after. Each changed run of lines is
//! applied to the worktree only where those lines are still exactly what is staged (found through
//! a second diff, staged → worktree); anything the user edited since staging is left alone and
//! counted, so the hook can say so. A worktree checked out with CRLF line endings from an LF index
//! (`eol=crlf`, `text=auto` with `core.autocrlf`) is compared and patched in LF and written back
//! in CRLF.

use similar::{Algorithm, DiffOp, TextDiff};

/// The patched worktree bytes and how many changed runs could not be carried over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct WorktreePatch {
    pub(crate) bytes: Vec<u8>,
    pub(crate) skipped_hunks: usize,
}

/// Applies the staged fix (`staged` → `fixed`) to `worktree`, hunk by hunk.
pub(crate) fn carry_fix(staged: &[u8], fixed: &[u8], worktree: &[u8]) -> WorktreePatch {
    if crlf_only(worktree) && !staged.windows(2).any(|w| w == b"\r\n") {
        let patch = carry_lf(staged, fixed, &without_cr(worktree));
        return WorktreePatch { bytes: with_cr(&patch.bytes), skipped_hunks: patch.skipped_hunks };
    }
    carry_lf(staged, fixed, worktree)
}

/// Every line ending is CRLF (and there is at least one).
fn crlf_only(bytes: &[u8]) -> bool {
    let mut newlines = memchr::memchr_iter(b'\n', bytes).peekable();
    newlines.peek().is_some() && newlines.all(|at| at > 0 && bytes[at - 1] == b'\r')
}

fn without_cr(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    for (i, &b) in bytes.iter().enumerate() {
        if !(b == b'\r' && bytes.get(i + 1) == Some(&b'\n')) {
            out.push(b);
        }
    }
    out
}

fn with_cr(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + bytes.len() / 32);
    for &b in bytes {
        if b == b'\n' {
            out.push(b'\r');
        }
        out.push(b);
    }
    out
}

/// [`carry_fix`] with the same line endings on both sides.
fn carry_lf(staged: &[u8], fixed: &[u8], worktree: &[u8]) -> WorktreePatch {
    let staged_lines = split_lines(staged);
    let fixed_lines = split_lines(fixed);
    let worktree_lines = split_lines(worktree);
    let to_worktree = equal_line_map(staged, worktree, staged_lines.len());
    let fix_diff = TextDiff::configure().algorithm(Algorithm::Histogram).diff_lines(staged, fixed);
    // (worktree range to replace, replacement lines), in worktree order.
    let mut replacements: Vec<(std::ops::Range<usize>, &[&[u8]])> = Vec::new();
    let mut skipped_hunks = 0;
    for op in fix_diff.ops() {
        if matches!(op, DiffOp::Equal { .. }) {
            continue;
        }
        let (_, old, new) = op.as_tag_tuple();
        match worktree_range(&to_worktree, old) {
            Some(range) => replacements.push((range, &fixed_lines[new])),
            None => skipped_hunks += 1,
        }
    }
    let mut bytes = Vec::with_capacity(worktree.len() + 64);
    let mut cursor = 0;
    for (range, lines) in replacements {
        push_lines(&mut bytes, &worktree_lines[cursor..range.start]);
        push_lines(&mut bytes, lines);
        cursor = range.end;
    }
    push_lines(&mut bytes, &worktree_lines[cursor..]);
    WorktreePatch { bytes, skipped_hunks }
}

fn push_lines(bytes: &mut Vec<u8>, lines: &[&[u8]]) {
    for line in lines {
        bytes.extend_from_slice(line);
    }
}

/// Lines including their terminators, so that joining them gives the bytes back.
fn split_lines(bytes: &[u8]) -> Vec<&[u8]> {
    bytes.split_inclusive(|&b| b == b'\n').collect()
}

/// For each staged line, the worktree line that is the same unchanged line, if any.
fn equal_line_map(staged: &[u8], worktree: &[u8], staged_len: usize) -> Vec<Option<usize>> {
    let mut map = vec![None; staged_len + 1];
    let diff = TextDiff::configure().algorithm(Algorithm::Histogram).diff_lines(staged, worktree);
    for op in diff.ops() {
        if let DiffOp::Equal { old_index, new_index, len } = *op {
            (0..len).for_each(|i| map[old_index + i] = Some(new_index + i));
        }
    }
    // One past the end maps to one past the end when the last lines agree.
    map[staged_len] = match staged_len.checked_sub(1) {
        None => Some(0),
        Some(last) => map[last].map(|w| w + 1),
    };
    map
}

/// Where the staged lines `old` sit in the worktree, if all of them are unchanged there and
/// contiguous; for an insertion (empty `old`), the line before it must be unchanged.
fn worktree_range(to_worktree: &[Option<usize>], old: std::ops::Range<usize>) -> Option<std::ops::Range<usize>> {
    if old.is_empty() {
        let at = if old.start == 0 { Some(0) } else { to_worktree[old.start - 1].map(|w| w + 1) }?;
        return Some(at..at);
    }
    let first = to_worktree[old.start]?;
    let contiguous = old.clone().enumerate().all(|(i, line)| to_worktree[line] == Some(first + i));
    contiguous.then_some(first..first + old.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unstaged_edit_elsewhere_survives() {
        let staged = b"import x\napp.run(host='0.0.0.0')\nend\n";
        let fixed = b"import x\napp.run(host='127.0.0.1')\nend\n";
        let worktree = b"import x\napp.run(host='0.0.0.0')\nend\n# my unstaged note\n";
        let patch = carry_fix(staged, fixed, worktree);
        assert_eq!(patch.bytes, b"import x\napp.run(host='127.0.0.1')\nend\n# my unstaged note\n");
        assert_eq!(patch.skipped_hunks, 0);
    }

    #[test]
    fn changed_worktree_line_is_left_alone() {
        let staged = b"a\napp.run(host='0.0.0.0')\nb\n";
        let fixed = b"a\napp.run(host='127.0.0.1')\nb\n";
        let worktree = b"a\napp.run(host='0.0.0.0', debug=True)\nb\n";
        let patch = carry_fix(staged, fixed, worktree);
        assert_eq!(patch.bytes, worktree);
        assert_eq!(patch.skipped_hunks, 1);
    }

    #[test]
    fn inserted_import_lands_after_its_anchor() {
        let staged = b"\"\"\"doc\"\"\"\nx = 1\nrun('0.0.0.0')\n";
        let fixed = b"\"\"\"doc\"\"\"\nimport os\nx = 1\nrun(os.environ.get('H', '127.0.0.1'))\n";
        let worktree = b"# new top comment\n\"\"\"doc\"\"\"\nx = 1\nrun('0.0.0.0')\n";
        let patch = carry_fix(staged, fixed, worktree);
        assert_eq!(
            patch.bytes,
            b"# new top comment\n\"\"\"doc\"\"\"\nimport os\nx = 1\nrun(os.environ.get('H', '127.0.0.1'))\n"
        );
    }

    #[test]
    fn crlf_worktree_against_lf_index_is_patched_in_crlf() {
        let patch = carry_fix(b"a\nrun('0.0.0.0')\n", b"a\nrun('127.0.0.1')\n", b"a\r\nrun('0.0.0.0')\r\n# mine\r\n");
        assert_eq!(patch.bytes, b"a\r\nrun('127.0.0.1')\r\n# mine\r\n");
        assert_eq!(patch.skipped_hunks, 0);
    }

    #[test]
    fn mixed_line_endings_are_compared_as_they_are() {
        let patch = carry_fix(b"run('0.0.0.0')\n", b"run('127.0.0.1')\n", b"run('0.0.0.0')\r\nx\n");
        assert_eq!(patch.skipped_hunks, 1);
    }
}
