//! What a push hook is told, apart from the repository: the ref updates on stdin (or, under the
//! pre-commit framework, in its `PRE_COMMIT_*` variables), the push options, and who pushes.
//! Parsing only; [`super::push`] decides.

use std::io::BufRead;

use anyhow::Context;

use crate::git::push_refs::RefUpdate;
use crate::terminal::sanitize;

/// The push option that asks the server to skip the scan.
pub(super) const SKIP_OPTION: &str = "bindguard.skip";
/// Variables through which hosting platforms name the pusher (GitLab, GitHub Enterprise, Gitea,
/// gitolite, GitLab's internal id, HTTP servers).
const PUSHER_VARIABLES: [&str; 6] =
    ["GL_USERNAME", "GITHUB_USER_LOGIN", "GITEA_PUSHER_NAME", "GL_USER", "GL_ID", "REMOTE_USER"];

/// What the pre-commit framework says about a push: it reads git's stdin itself and passes the
/// hook `PRE_COMMIT_*` variables instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Framework {
    /// Not running under the framework (or it said nothing about the push).
    Absent,
    /// A range: the one stdin line git would have written.
    Update(String),
    /// A push that brings the whole history of a branch (a first push: the framework sets no
    /// range and checks "all files"): the local ref and the ref on the remote.
    Branch { local: String, remote: String },
}

/// Reads the framework's variables (`FROM_REF` is the remote side; without `TO_REF` the framework
/// checks the branch's whole history).
pub(super) fn framework() -> Framework {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let local = var("PRE_COMMIT_LOCAL_BRANCH");
    let remote = var("PRE_COMMIT_REMOTE_BRANCH");
    match var("PRE_COMMIT_TO_REF") {
        Some(to) => {
            let from = var("PRE_COMMIT_FROM_REF").unwrap_or_else(|| "0".repeat(to.len()));
            let local = local.unwrap_or_else(|| "HEAD".into());
            let remote = remote.unwrap_or_else(|| local.clone());
            Framework::Update(format!("{local} {to} {remote} {from}\n"))
        }
        None => match local {
            Some(local) => {
                let remote = remote.unwrap_or_else(|| local.clone());
                Framework::Branch { local, remote }
            }
            None => Framework::Absent,
        },
    }
}

/// Parses every non-empty stdin line; a malformed one is a one-line error. Lines are bytes: a ref
/// name need not be UTF-8 (it is shown lossily; object ids are ASCII).
pub(crate) fn read_updates(
    mut input: impl BufRead,
    parse: impl Fn(&str) -> Result<RefUpdate, String>,
) -> anyhow::Result<Vec<RefUpdate>> {
    let mut updates = Vec::new();
    let mut bytes = Vec::new();
    input.read_to_end(&mut bytes).context("cannot read the ref updates from stdin")?;
    for (number, line) in bytes.split(|&b| b == b'\n').enumerate() {
        let line = String::from_utf8_lossy(line);
        if line.trim().is_empty() {
            continue;
        }
        let update = parse(&line).map_err(|err| {
            anyhow::anyhow!("stdin line {}: {err}, got {:?}", number + 1, sanitize(&line).into_owned())
        })?;
        updates.push(update);
    }
    Ok(updates)
}

/// `GIT_PUSH_OPTION_<i>` for i below `GIT_PUSH_OPTION_COUNT`.
pub(super) fn push_options() -> Vec<String> {
    let count = std::env::var("GIT_PUSH_OPTION_COUNT").ok().and_then(|n| n.parse::<usize>().ok()).unwrap_or(0);
    (0..count.min(1000)).filter_map(|i| std::env::var(format!("GIT_PUSH_OPTION_{i}")).ok()).collect()
}

/// The reason given with `-o bindguard.skip=<reason>` (empty for a bare `-o bindguard.skip`).
pub(crate) fn skip_request(options: &[String]) -> Option<String> {
    options.iter().find_map(|option| match option.split_once('=') {
        Some((name, reason)) if name == SKIP_OPTION => Some(reason.trim().to_owned()),
        None if option == SKIP_OPTION => Some(String::new()),
        _ => None,
    })
}

/// The pusher's identity as the platform gives it, for the audit line.
pub(super) fn pusher() -> String {
    PUSHER_VARIABLES
        .iter()
        .find_map(|name| std::env::var(name).ok().filter(|v| !v.is_empty()).map(|v| format!("{v} ({name})")))
        .unwrap_or_else(|| format!("unknown (none of {} is set)", PUSHER_VARIABLES.join(", ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skip_option_forms() {
        let opts = |v: &[&str]| v.iter().map(ToString::to_string).collect::<Vec<_>>();
        assert_eq!(skip_request(&opts(&["ci.skip", "bindguard.skip=hotfix 12"])), Some("hotfix 12".into()));
        assert_eq!(skip_request(&opts(&["bindguard.skip"])), Some(String::new()));
        assert_eq!(skip_request(&opts(&["bindguard.skipper=x"])), None);
    }

    #[test]
    fn ref_names_need_not_be_utf8() {
        let zero = "0".repeat(40);
        let line = [format!("{zero} {} refs/heads/caf", "1".repeat(40)).as_bytes(), b"\xe9\n"].concat();
        let updates = read_updates(line.as_slice(), RefUpdate::parse_receive).unwrap();
        assert_eq!(updates[0].refname, "refs/heads/caf\u{fffd}");
    }

    #[test]
    fn malformed_stdin_is_one_line_error() {
        let err = read_updates("\nnot a line\n".as_bytes(), RefUpdate::parse_receive).unwrap_err();
        assert!(err.to_string().starts_with("stdin line 2: \"not\" is not an object id"), "{err}");
    }
}
