//! The suggested fix as a unified diff, computed from the finding's edits (never hand-written).

use similar::TextDiff;

use crate::finding::Fix;
use crate::fix::apply_edits;

/// Lines of context around each change.
const CONTEXT: usize = 1;

/// A unified diff of `text` before and after `fix`, with `a/` and `b/` headers like git's.
pub fn unified(path: &str, text: &str, fix: &Fix) -> Option<String> {
    let fixed = apply_edits(text, &fix.edits).ok()?;
    Some(unified_between(path, text, &fixed))
}

/// A unified diff between two versions of one file. Relative paths get git's `a/` and `b/`
/// prefixes (so `git apply` takes the diff); absolute paths are shown as they are.
pub fn unified_between(path: &str, before: &str, after: &str) -> String {
    let (old, new) = if path.starts_with('/') {
        (path.to_owned(), path.to_owned())
    } else {
        (format!("a/{path}"), format!("b/{path}"))
    };
    TextDiff::from_lines(before, after).unified_diff().context_radius(CONTEXT).header(&old, &new).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Edit;

    #[test]
    fn diff_shows_the_replaced_line() {
        let text = "import x\napp.run(host='0.0.0.0')\nprint()\n";
        let fix = Fix { edits: vec![Edit { range: 23..30, content: "127.0.0.1".into() }] };
        let diff = unified("app.py", text, &fix).unwrap();
        assert!(diff.starts_with("--- a/app.py\n+++ b/app.py\n"), "{diff}");
        assert!(diff.contains("-app.run(host='0.0.0.0')\n+app.run(host='127.0.0.1')\n"), "{diff}");
        let absolute = unified("/srv/app.py", text, &fix).unwrap();
        assert!(absolute.starts_with("--- /srv/app.py\n+++ /srv/app.py\n"), "{absolute}");
    }
}
