//! Policy for the hooks, read from git config so that an admin sets it once for the whole server
//! (`git config --system`) or per repository. The client hooks read the same keys from the
//! repository's configuration (the size and incompleteness keys apply there too).
//!
//! | key | values | default |
//! |---|---|---|
//! | `bindguard.timeBudget` | `4s`, `500ms`, `4000` (ms), `0` (already spent), `off` | `4s` |
//! | `bindguard.onTimeout` | `fail-open` / `fail-closed` | `fail-open` |
//! | `bindguard.maxCommits` | count, `off` | `10000` |
//! | `bindguard.maxBlobSize` | bytes, `512k`, `10m`, `1g` | `--max-file-size` (10 MiB) |
//! | `bindguard.onTooLarge` | `fail-open` / `fail-closed` | `fail-closed` |
//! | `bindguard.onIncomplete` | `fail-open` / `fail-closed` | `fail-closed` |
//! | `bindguard.maxFileMemory` | bytes, `512m`, `2g` | `1g` |
//! | `bindguard.allowSkip` | boolean | `false` |
//! | `bindguard.reportOnly` | boolean | `false` |
//! | `bindguard.gitlabPrefix` | boolean | `false` |
//! | `bindguard.progress` | how often a long scan says how far it got: `2s`, `500ms`, `off` | `2s` |
//! | `bindguard.verbose` | boolean: where the scan's time went, after the report | `false` |
//!
//! Parsing is pure: the caller hands in a lookup function; an invalid value is a one-line error.

use std::fmt;
use std::time::Duration;

/// The default time budget: below GitHub Enterprise's 5 s limit for all pre-receive hooks.
pub(crate) const DEFAULT_TIME_BUDGET: Duration = Duration::from_secs(4);
/// The default memory per file: every file within the default size limit fits.
pub(crate) const DEFAULT_MAX_FILE_MEMORY: u64 = 1 << 30;
/// The default commit budget.
pub(crate) const DEFAULT_MAX_COMMITS: usize = 10_000;
/// How often a long scan says how far it got: a pusher waiting on a long history sees it move.
pub(crate) const DEFAULT_PROGRESS: Duration = Duration::from_secs(2);

/// What a budget overrun does to the push.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OnOverrun {
    /// Accept what could not be scanned (findings in what was scanned still reject).
    FailOpen,
    /// Reject the push.
    FailClosed,
}

impl fmt::Display for OnOverrun {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            OnOverrun::FailOpen => "fail-open",
            OnOverrun::FailClosed => "fail-closed",
        })
    }
}

/// The server's decisions, resolved once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Policy {
    /// `None`: no time limit.
    pub(crate) time_budget: Option<Duration>,
    pub(crate) on_timeout: OnOverrun,
    /// `None`: no commit limit.
    pub(crate) max_commits: Option<usize>,
    /// `None`: the command line's `--max-file-size`.
    pub(crate) max_blob_size: Option<u64>,
    pub(crate) on_too_large: OnOverrun,
    /// What a file that could not be analysed completely does (a codec with no decoder, nesting
    /// too deep, an analysis limit, a link out of the tree); size and time have their own keys.
    pub(crate) on_incomplete: OnOverrun,
    /// Memory one file's analysis may take (estimated before parsing); more is a size overrun.
    pub(crate) max_file_memory: u64,
    pub(crate) allow_skip: bool,
    pub(crate) report_only: bool,
    pub(crate) gitlab_prefix: bool,
    /// How often a long scan prints a progress line; `None`: never.
    pub(crate) progress: Option<Duration>,
    /// Print where the scan's time went.
    pub(crate) verbose: bool,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            time_budget: Some(DEFAULT_TIME_BUDGET),
            on_timeout: OnOverrun::FailOpen,
            max_commits: Some(DEFAULT_MAX_COMMITS),
            max_blob_size: None,
            on_too_large: OnOverrun::FailClosed,
            on_incomplete: OnOverrun::FailClosed,
            max_file_memory: DEFAULT_MAX_FILE_MEMORY,
            allow_skip: false,
            report_only: false,
            gitlab_prefix: false,
            progress: Some(DEFAULT_PROGRESS),
            verbose: false,
        }
    }
}

/// An invalid configuration value, printed as one line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid git config {key}={value:?}: expected {expected}")]
pub(crate) struct PolicyError {
    pub(crate) key: &'static str,
    pub(crate) value: String,
    pub(crate) expected: &'static str,
}

impl Policy {
    /// Reads every `bindguard.*` key through `get` (which returns the effective value).
    pub(crate) fn from_config(get: impl Fn(&str) -> Option<String>) -> Result<Self, PolicyError> {
        let mut policy = Policy::default();
        let value = |key: &'static str| get(key).map(|v| (key, v));
        if let Some((key, v)) = value("bindguard.timeBudget") {
            policy.time_budget = parse(key, &v, "a duration such as 4s or 500ms, milliseconds, or off", duration)?;
        }
        if let Some((key, v)) = value("bindguard.onTimeout") {
            policy.on_timeout = parse(key, &v, "fail-open or fail-closed", on_overrun)?;
        }
        if let Some((key, v)) = value("bindguard.maxCommits") {
            policy.max_commits = parse(key, &v, "a number of commits or off", count)?;
        }
        if let Some((key, v)) = value("bindguard.maxBlobSize") {
            policy.max_blob_size = Some(parse(key, &v, "a size in bytes such as 1048576, 512k or 10m", size)?);
        }
        if let Some((key, v)) = value("bindguard.onTooLarge") {
            policy.on_too_large = parse(key, &v, "fail-open or fail-closed", on_overrun)?;
        }
        if let Some((key, v)) = value("bindguard.maxFileMemory") {
            policy.max_file_memory = parse(key, &v, "a size in bytes such as 512m or 2g", size)?;
        }
        if let Some((key, v)) = value("bindguard.onIncomplete") {
            policy.on_incomplete = parse(key, &v, "fail-open or fail-closed", on_overrun)?;
        }
        if let Some((key, v)) = value("bindguard.progress") {
            policy.progress = parse(key, &v, "a duration such as 2s or 500ms, milliseconds, or off", duration)?;
        }
        let flag = |key: &'static str, default: bool| match value(key) {
            Some((key, v)) => parse(key, &v, "true or false", boolean),
            None => Ok(default),
        };
        policy.allow_skip = flag("bindguard.allowSkip", false)?;
        policy.report_only = flag("bindguard.reportOnly", false)?;
        policy.gitlab_prefix = flag("bindguard.gitlabPrefix", false)?;
        policy.verbose = flag("bindguard.verbose", false)?;
        Ok(policy)
    }
}

fn parse<T>(
    key: &'static str,
    value: &str,
    expected: &'static str,
    parser: impl Fn(&str) -> Option<T>,
) -> Result<T, PolicyError> {
    parser(value.trim()).ok_or_else(|| PolicyError { key, value: value.to_owned(), expected })
}

fn duration(v: &str) -> Option<Option<Duration>> {
    if is_off(v) {
        return Some(None);
    }
    let (digits, unit_ms) = if let Some(ms) = v.strip_suffix("ms") {
        (ms, 1)
    } else if let Some(s) = v.strip_suffix('s') {
        (s, 1000)
    } else {
        (v, 1)
    };
    let n: u64 = digits.trim().parse().ok()?;
    Some(Some(Duration::from_millis(n.checked_mul(unit_ms)?)))
}

fn count(v: &str) -> Option<Option<usize>> {
    if is_off(v) {
        return Some(None);
    }
    v.parse().ok().filter(|&n| n > 0).map(Some)
}

fn size(v: &str) -> Option<u64> {
    let lower = v.to_ascii_lowercase();
    let (digits, factor) = match lower.chars().last()? {
        'k' => (&lower[..lower.len() - 1], 1 << 10),
        'm' => (&lower[..lower.len() - 1], 1 << 20),
        'g' => (&lower[..lower.len() - 1], 1 << 30),
        _ => (&lower[..], 1),
    };
    digits.parse::<u64>().ok()?.checked_mul(factor)
}

fn on_overrun(v: &str) -> Option<OnOverrun> {
    match v.to_ascii_lowercase().as_str() {
        "fail-open" | "open" => Some(OnOverrun::FailOpen),
        "fail-closed" | "closed" => Some(OnOverrun::FailClosed),
        _ => None,
    }
}

/// git's boolean spellings; a key without a value (`""` here) is true.
fn boolean(v: &str) -> Option<bool> {
    match v.to_ascii_lowercase().as_str() {
        "" | "true" | "yes" | "on" | "1" => Some(true),
        "false" | "no" | "off" | "0" => Some(false),
        _ => None,
    }
}

fn is_off(v: &str) -> bool {
    matches!(v.to_ascii_lowercase().as_str(), "off" | "none" | "unlimited")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(pairs: &[(&str, &str)]) -> Result<Policy, PolicyError> {
        Policy::from_config(|key| pairs.iter().find(|(k, _)| *k == key).map(|(_, v)| v.to_string()))
    }

    #[test]
    fn defaults() {
        let p = policy(&[]).unwrap();
        assert_eq!(p.time_budget, Some(Duration::from_secs(4)));
        assert_eq!(p.on_timeout, OnOverrun::FailOpen);
        assert_eq!(p.on_too_large, OnOverrun::FailClosed);
        assert_eq!(p.on_incomplete, OnOverrun::FailClosed);
        assert!(!p.allow_skip && !p.report_only && !p.gitlab_prefix && !p.verbose);
        assert_eq!(p.progress, Some(Duration::from_secs(2)));
    }

    #[test]
    fn progress_and_verbose() {
        let p = policy(&[("bindguard.progress", "500ms"), ("bindguard.verbose", "true")]).unwrap();
        assert_eq!(p.progress, Some(Duration::from_millis(500)));
        assert!(p.verbose);
        assert_eq!(policy(&[("bindguard.progress", "off")]).unwrap().progress, None);
        assert!(policy(&[("bindguard.progress", "often")]).is_err());
        assert!(policy(&[("bindguard.verbose", "loud")]).is_err());
    }

    #[test]
    fn durations() {
        let budget = |v| policy(&[("bindguard.timeBudget", v)]).unwrap().time_budget;
        assert_eq!(budget("4s"), Some(Duration::from_secs(4)));
        assert_eq!(budget("250ms"), Some(Duration::from_millis(250)));
        assert_eq!(budget("1500"), Some(Duration::from_millis(1500)));
        assert_eq!(budget("0"), Some(Duration::ZERO));
        assert_eq!(budget("off"), None);
    }

    #[test]
    fn sizes_counts_and_flags() {
        let p = policy(&[
            ("bindguard.maxBlobSize", "512k"),
            ("bindguard.maxCommits", "50"),
            ("bindguard.onTooLarge", "fail-open"),
            ("bindguard.onIncomplete", "open"),
            ("bindguard.maxFileMemory", "2g"),
            ("bindguard.allowSkip", "yes"),
            ("bindguard.reportOnly", ""),
        ])
        .unwrap();
        assert_eq!(p.max_blob_size, Some(512 * 1024));
        assert_eq!(p.max_commits, Some(50));
        assert_eq!(p.on_too_large, OnOverrun::FailOpen);
        assert_eq!(p.on_incomplete, OnOverrun::FailOpen);
        assert_eq!(p.max_file_memory, 2 << 30);
        assert!(p.allow_skip && p.report_only);
    }

    #[test]
    fn invalid_values_name_the_key() {
        let err = policy(&[("bindguard.onTimeout", "maybe")]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid git config bindguard.onTimeout=\"maybe\": expected fail-open or fail-closed"
        );
        assert!(policy(&[("bindguard.timeBudget", "4 minutes")]).is_err());
        assert!(policy(&[("bindguard.maxCommits", "0")]).is_err());
        assert!(policy(&[("bindguard.allowSkip", "sure")]).is_err());
    }
}
