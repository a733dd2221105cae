//! What a hook does with the Python files it could not analyse completely (spec §9: never clean
//! by default). Each cause has its setting — `bindguard.onTooLarge` (size and memory limits),
//! `bindguard.onTimeout` (the time budget), `bindguard.onIncomplete` (everything else: codecs,
//! nesting, analysis limits, unreadable files, links out of the tree) — and each defaults to
//! blocking, except `onTimeout`, whose fail-open only ever lets history through (the final state
//! of every pushed ref is always analysed). `--allow-incomplete` accepts them all for one run (a
//! server admin can also put it in the hook's command line). Every decision is said with the setting that made it and the one that
//! would change it.

use crate::changes::{Cause, Incomplete};
use crate::outcome::plural;
use crate::policy::{OnOverrun, Policy};

/// Which hook judges: the words and the way to change a setting differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Hook {
    /// `pre-commit`: settings from the repository's git config, or the flag.
    Commit,
    /// `pre-push`: likewise.
    Push,
    /// `pre-receive`: the server's git config only.
    Receive,
}

impl Hook {
    fn blocked(self) -> &'static str {
        match self {
            Hook::Commit => "blocks the commit",
            Hook::Push | Hook::Receive => "rejects the push",
        }
    }
}

/// The lines to say about `incomplete` (one per cause present, in a fixed order) and whether
/// they block.
pub(crate) fn judge(incomplete: &[Incomplete], policy: &Policy, allow_flag: bool, hook: Hook) -> (Vec<String>, bool) {
    let mut lines = Vec::new();
    let mut blocks = false;
    for cause in [Cause::Size, Cause::Analysis, Cause::Time, Cause::FinalStateTime] {
        // A file may reach several limits: count files, not entries.
        let mut paths: Vec<&str> =
            incomplete.iter().filter(|gap| gap.cause == cause).map(|gap| gap.path.as_str()).collect();
        paths.sort_unstable();
        paths.dedup();
        let count = paths.len();
        if count == 0 {
            continue;
        }
        if cause == Cause::FinalStateTime {
            blocks = true;
            lines.push(format!(
                "bindguard: {} of the pushed refs' final state not analysed completely: the time budget \
                 (bindguard.timeBudget) ran out; the final state is never let through unchecked \
                 (bindguard.onTimeout applies to history only), so this {}",
                plural(count, "Python file"),
                hook.blocked()
            ));
            continue;
        }
        let (key, choice) = setting(policy, cause);
        let what = format!("bindguard: {} not analysed ({})", plural(count, "Python file"), describe(cause));
        let line = if allow_flag {
            format!("{what}; --allow-incomplete lets {} through unchecked", them(count))
        } else if choice == OnOverrun::FailOpen {
            format!("{what}; {key}=fail-open lets {} through unchecked", them(count))
        } else {
            blocks = true;
            format!("{what}; {key}=fail-closed {}{}", hook.blocked(), how_to_accept(hook, key))
        };
        lines.push(line);
    }
    (lines, blocks)
}

/// The key deciding about `cause`, and its value.
pub(crate) fn setting(policy: &Policy, cause: Cause) -> (&'static str, OnOverrun) {
    match cause {
        Cause::Size => ("bindguard.onTooLarge", policy.on_too_large),
        Cause::Time | Cause::FinalStateTime => ("bindguard.onTimeout", policy.on_timeout),
        Cause::Analysis => ("bindguard.onIncomplete", policy.on_incomplete),
    }
}

fn describe(cause: Cause) -> &'static str {
    match cause {
        Cause::Size => "over a size limit",
        Cause::Time | Cause::FinalStateTime => "the time budget ran out",
        Cause::Analysis => "see the warnings above",
    }
}

fn them(count: usize) -> &'static str {
    if count == 1 { "it" } else { "them" }
}

fn how_to_accept(hook: Hook, key: &str) -> String {
    match hook {
        Hook::Commit | Hook::Push => {
            format!(" (to accept: --allow-incomplete for one run, or `git config {key} fail-open`)")
        }
        Hook::Receive => format!(" (the server's git config {key}=fail-open would accept it)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gaps(causes: &[Cause]) -> Vec<Incomplete> {
        causes.iter().enumerate().map(|(i, &c)| Incomplete::new(format!("f{i}.py"), "why", c)).collect()
    }

    #[test]
    fn each_cause_blocks_by_default_and_names_its_setting() {
        let (lines, blocks) =
            judge(&gaps(&[Cause::Analysis, Cause::Size, Cause::Analysis]), &Policy::default(), false, Hook::Commit);
        assert!(blocks);
        assert_eq!(
            lines,
            [
                "bindguard: 1 Python file not analysed (over a size limit); bindguard.onTooLarge=fail-closed blocks the \
                 commit (to accept: --allow-incomplete for one run, or `git config bindguard.onTooLarge fail-open`)",
                "bindguard: 2 Python files not analysed (see the warnings above); bindguard.onIncomplete=fail-closed \
                 blocks the commit (to accept: --allow-incomplete for one run, or `git config bindguard.onIncomplete \
                 fail-open`)",
            ]
        );
    }

    #[test]
    fn files_are_counted_once_whatever_limits_they_reach() {
        let two_limits =
            [Incomplete::new("a.py", "one", Cause::Analysis), Incomplete::new("a.py", "two", Cause::Analysis)];
        let (lines, _) = judge(&two_limits, &Policy::default(), false, Hook::Receive);
        assert!(lines[0].starts_with("bindguard: 1 Python file not analysed"), "{lines:?}");
    }

    #[test]
    fn the_final_state_cut_by_the_budget_always_blocks() {
        let open = Policy { on_timeout: OnOverrun::FailOpen, ..Policy::default() };
        let (lines, blocks) = judge(&gaps(&[Cause::FinalStateTime]), &open, false, Hook::Receive);
        assert!(blocks);
        assert!(lines[0].contains("the final state is never let through unchecked"), "{lines:?}");
    }

    #[test]
    fn fail_open_and_the_flag_let_them_through_and_say_so() {
        let open = Policy { on_incomplete: OnOverrun::FailOpen, ..Policy::default() };
        let (lines, blocks) = judge(&gaps(&[Cause::Analysis]), &open, false, Hook::Receive);
        assert!(!blocks);
        assert!(lines[0].ends_with("bindguard.onIncomplete=fail-open lets it through unchecked"), "{lines:?}");
        let (lines, blocks) = judge(&gaps(&[Cause::Size]), &Policy::default(), true, Hook::Push);
        assert!(!blocks);
        assert!(lines[0].ends_with("--allow-incomplete lets it through unchecked"), "{lines:?}");
        assert_eq!(judge(&[], &Policy::default(), false, Hook::Receive), (Vec::new(), false));
    }
}
