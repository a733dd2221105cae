//! The suggested fix as a unified diff, computed from the finding's edits (never hand-written).
//!
//! Only the lines around the edits are diffed, never the whole file, so a file with thousands of
//! findings renders in linear time; a hunk with a line too long to be useful to a person is
//! not rendered at all (the JSON edits still describe the fix).

use std::fmt::Write as _;
use std::ops::Range;

use similar::{ChangeTag, TextDiff};

use crate::finding::{Edit, Fix, apply_edits};
use crate::source::SourceText;

/// Lines of context around each change.
const CONTEXT: usize = 1;

/// Lines longer than this (in bytes) make a diff unreadable; such a diff is left out.
const MAX_LINE: usize = 2000;

/// A unified diff of the file before and after `fix`, with headers like git's.
pub(crate) fn unified(path: &str, source: &SourceText, fix: &Fix) -> Option<String> {
    let mut out = header(path);
    // Lines the hunks so far added and removed: where the next hunk starts in the new file.
    let (mut added, mut removed) = (0, 0);
    for (window, edits) in clusters(source, &fix.edits) {
        let before = &source.text()[window.clone()];
        if before.lines().any(|l| l.len() > MAX_LINE) {
            return None;
        }
        let local: Vec<Edit> = edits
            .iter()
            .map(|e| Edit {
                range: e.range.start - window.start..e.range.end - window.start,
                content: e.content.clone(),
            })
            .collect();
        let after = apply_edits(before, &local).ok()?;
        let first_line = source.line_of(window.start);
        let new_start = (first_line + added).saturating_sub(removed);
        let (old_len, new_len) = hunk(&mut out, before, &after, first_line, new_start);
        added += new_len;
        removed += old_len;
    }
    Some(out)
}

/// A unified diff between two whole versions of one file.
pub(crate) fn unified_between(path: &str, before: &str, after: &str) -> String {
    let (old, new) = names(path);
    TextDiff::from_lines(before, after).unified_diff().context_radius(CONTEXT).header(&old, &new).to_string()
}

/// Relative paths get git's `a/` and `b/` prefixes (so `git apply` takes the diff); absolute
/// paths are shown as they are.
fn names(path: &str) -> (String, String) {
    if path.starts_with('/') { (path.to_owned(), path.to_owned()) } else { (format!("a/{path}"), format!("b/{path}")) }
}

fn header(path: &str) -> String {
    let (old, new) = names(path);
    format!("--- {old}\n+++ {new}\n")
}

/// Groups edits whose context windows touch, each with the byte range of its whole lines.
fn clusters<'a>(source: &SourceText, edits: &'a [Edit]) -> Vec<(Range<usize>, Vec<&'a Edit>)> {
    let mut sorted: Vec<&Edit> = edits.iter().collect();
    sorted.sort_by_key(|e| (e.range.start, e.range.end));
    let mut out: Vec<(usize, usize, Vec<&Edit>)> = Vec::new();
    for edit in sorted {
        let start_line = source.line_of(edit.range.start);
        // An insertion at the start of a line sits between that line and the one before it.
        let inserts_between_lines = edit.range.is_empty() && source.line_start(start_line) == edit.range.start;
        let end_line = if inserts_between_lines {
            start_line - 1
        } else {
            source.line_of(edit.range.end.max(edit.range.start + 1) - 1)
        };
        let first = start_line.saturating_sub(CONTEXT).max(1);
        let last = (end_line + CONTEXT).clamp(first, source.line_count().max(1));
        match out.last_mut() {
            Some((_, end, group)) if first <= *end + 1 => {
                *end = (*end).max(last);
                group.push(edit);
            }
            _ => out.push((first, last, vec![edit])),
        }
    }
    let text_len = source.text().len();
    out.into_iter()
        .map(|(first, last, group)| {
            let end = if last >= source.line_count() { text_len } else { source.line_start(last + 1) };
            (source.line_start(first)..end, group)
        })
        .collect()
}

/// Writes one hunk for a window starting at `first_line` (`new_start` in the new file); returns
/// its old and new line counts.
fn hunk(out: &mut String, before: &str, after: &str, first_line: usize, new_start: usize) -> (usize, usize) {
    let diff = TextDiff::from_lines(before, after);
    let old_len = diff.old_len();
    let new_len = diff.new_len();
    let _ = writeln!(out, "@@ -{first_line},{old_len} +{new_start},{new_len} @@");
    for change in diff.iter_all_changes() {
        let sign = match change.tag() {
            ChangeTag::Equal => ' ',
            ChangeTag::Delete => '-',
            ChangeTag::Insert => '+',
        };
        let _ = write!(out, "{sign}{}", change.value());
        if change.missing_newline() {
            out.push_str("\n\\ No newline at end of file\n");
        }
    }
    (old_len, new_len)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Encoding;

    fn source(text: &str) -> SourceText {
        SourceText::from_text(text.into(), Encoding::Utf8)
    }

    fn fix(edits: &[(Range<usize>, &str)]) -> Fix {
        Fix { edits: edits.iter().map(|(r, c)| Edit { range: r.clone(), content: (*c).into() }).collect() }
    }

    #[test]
    fn diff_shows_the_replaced_line_with_context() {
        let text = "import x\napp.run(host='0.0.0.0')\nprint()\n";
        let diff = unified("app.py", &source(text), &fix(&[(23..30, "127.0.0.1")])).unwrap();
        assert_eq!(
            diff,
            "--- a/app.py\n+++ b/app.py\n@@ -1,3 +1,3 @@\n import x\n-app.run(host='0.0.0.0')\n+app.run(host='127.0.0.1')\n print()\n"
        );
        let absolute = unified("/srv/app.py", &source(text), &fix(&[(23..30, "127.0.0.1")])).unwrap();
        assert!(absolute.starts_with("--- /srv/app.py\n+++ /srv/app.py\n"), "{absolute}");
    }

    #[test]
    fn distant_edits_get_separate_hunks_with_shifted_numbers() {
        let text = "\"\"\"doc\"\"\"\na\nb\nc\nd\nrun('0.0.0.0')\n";
        let diff = unified("s.py", &source(text), &fix(&[(10..10, "import os\n"), (23..30, "127.0.0.1")])).unwrap();
        assert_eq!(
            diff,
            "--- a/s.py\n+++ b/s.py\n@@ -1,2 +1,3 @@\n \"\"\"doc\"\"\"\n+import os\n a\n@@ -5,2 +6,2 @@\n d\n-run('0.0.0.0')\n+run('127.0.0.1')\n"
        );
        let fixed = apply_edits(
            text,
            &[
                Edit { range: 10..10, content: "import os\n".into() },
                Edit { range: 23..30, content: "127.0.0.1".into() },
            ],
        )
        .unwrap();
        assert_eq!(diff, unified_between("s.py", text, &fixed), "same as a whole-file diff");
    }

    #[test]
    fn matches_a_whole_file_diff() {
        let text = "a\nx = '0.0.0.0'\nb\nc\n";
        let src = source(text);
        let f = fix(&[(7..14, "127.0.0.1")]);
        let fixed = apply_edits(text, &f.edits).unwrap();
        assert_eq!(unified("m.py", &src, &f).unwrap(), unified_between("m.py", text, &fixed));
    }

    #[test]
    fn missing_final_newline_is_marked() {
        let diff = unified("m.py", &source("x = '::'"), &fix(&[(5..7, "::1")])).unwrap();
        assert!(
            diff.ends_with("-x = '::'\n\\ No newline at end of file\n+x = '::1'\n\\ No newline at end of file\n"),
            "{diff}"
        );
    }

    #[test]
    fn overlong_lines_are_not_rendered() {
        let text = format!("x = ['0.0.0.0', {}]\n", "1, ".repeat(1000));
        assert!(unified("m.py", &source(&text), &fix(&[(6..13, "127.0.0.1")])).is_none());
    }
}
