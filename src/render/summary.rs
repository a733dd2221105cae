//! The words of the text summary line: what was scanned (so that a hook that saw nothing says
//! so) and the verdict when something blocks. One place for every mode, from the outcome's
//! [`Scope`] and the report's counts.

use crate::outcome::{PushScope, Scope, plural};
use crate::report::Report;

/// `commit blocked` / `push rejected` for a hook; `check` has none.
pub(super) fn verdict(scope: &Scope) -> Option<&'static str> {
    match scope {
        Scope::Files => None,
        Scope::Staged { .. } => Some("commit blocked"),
        Scope::Push(_) => Some("push rejected"),
        Scope::Range(_) => Some("range blocked"),
    }
}

/// What was scanned, e.g. `3 staged Python files, 41 changed lines`.
pub(super) fn scope(scope: &Scope, report: &Report) -> String {
    match scope {
        Scope::Files => format!("checked {}", plural(report.files_checked, "Python file")),
        Scope::Staged { all_lines } => {
            let lines = if *all_lines { "line" } else { "changed line" };
            format!("{}, {}", plural(report.files_checked, "staged Python file"), plural(report.lines_checked, lines))
        }
        Scope::Push(push) | Scope::Range(push) => push_scope(push, report),
    }
}

/// `scanned 14 new commits (findings in 1), 3 Python files, 52 changed lines`.
fn push_scope(push: &PushScope, report: &Report) -> String {
    let commits = if push.scanned_commits == push.new_commits {
        plural(push.new_commits, "new commit")
    } else {
        format!("{} of {}", push.scanned_commits, plural(push.new_commits, "new commit"))
    };
    let mut with_findings: Vec<&str> =
        report.active_findings().filter_map(|(file, _)| file.commit.as_ref().map(|c| c.short_id.as_str())).collect();
    with_findings.sort_unstable();
    with_findings.dedup();
    let findings_in =
        if with_findings.is_empty() { String::new() } else { format!(" (findings in {})", with_findings.len()) };
    let files = report.files_checked + push.ruled_out_files;
    let ruled_out = match push.ruled_out_files {
        0 => String::new(),
        n => format!(" ({n} with nothing that could bind)"),
    };
    format!(
        "scanned {commits}{findings_in}, {}{ruled_out}, {}",
        plural(files, "Python file"),
        plural(report.lines_checked, "changed line")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_scope_says_what_was_scanned() {
        let report = Report { files_checked: 3, lines_checked: 41, ..Default::default() };
        assert_eq!(scope(&Scope::Files, &report), "checked 3 Python files");
        assert_eq!(scope(&Scope::Staged { all_lines: false }, &report), "3 staged Python files, 41 changed lines");
        assert_eq!(scope(&Scope::Staged { all_lines: true }, &report), "3 staged Python files, 41 lines");
        let push = PushScope { new_commits: 5, scanned_commits: 2, ruled_out_files: 1 };
        assert_eq!(
            scope(&Scope::Push(push), &report),
            "scanned 2 of 5 new commits, 4 Python files (1 with nothing that could bind), 41 changed lines"
        );
        assert_eq!(verdict(&Scope::Files), None);
        assert_eq!(verdict(&Scope::Push(push)), Some("push rejected"));
    }
}
