//! Project configuration: `[tool.bindguard]` in `pyproject.toml`, or `bindguard.toml` /
//! `.bindguard.toml` (the same keys at the top level). Found as ruff finds its own: the closest
//! configuration file above each file checked, `.bindguard.toml` before `bindguard.toml` before
//! a `pyproject.toml` that has a `[tool.bindguard]` table; `--config FILE` names one for every
//! file and `--isolated` uses none.
//!
//! Discovery reads through a [`Source`], so that each mode reads the configuration from the
//! snapshot it checks: the file system for `check`, the index for `pre-commit`. An unknown key or
//! malformed TOML is one error naming the file, the line and the key.
//!
//! This module only reads and matches; [`crate::settings`] decides what wins over what.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use serde::Deserialize;

/// The file names a directory is searched for, in order of precedence.
pub(crate) const FILE_NAMES: [&str; 3] = [".bindguard.toml", "bindguard.toml", "pyproject.toml"];

/// The keys, as written in the file.
#[derive(Debug, Default, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct Config {
    /// Paths and globs (gitignore syntax, relative to the file's directory) never checked;
    /// replaces the default, which excludes nothing.
    pub(crate) exclude: Option<Vec<String>>,
    /// Added to `exclude`.
    #[serde(default)]
    pub(crate) extend_exclude: Vec<String>,
    /// Glob → rule codes (`CSP-D404`, or `ALL`) whose findings in matching files are suppressed.
    #[serde(default)]
    pub(crate) per_file_ignores: HashMap<String, Vec<String>>,
    /// The project's own listen APIs, in the catalogue's vocabulary.
    #[serde(default)]
    pub(crate) extend_sinks: Vec<UserSink>,
    /// `loopback` or `env`, as `--fix-style`.
    pub(crate) fix_style: Option<FixStyleName>,
    /// As `--fix-env-var`.
    pub(crate) fix_env_var: Option<String>,
    /// As `--foreign-markers`.
    pub(crate) foreign_markers: Option<bool>,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum FixStyleName {
    Loopback,
    Env,
}

/// A listen API the project declares (`[[tool.bindguard.extend-sinks]]`): the callee as the
/// catalogue spells it, where the address is passed, its shape and which all-interfaces
/// spellings beyond `0.0.0.0` / `::` it means.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct UserSink {
    /// Qualified name: `mylib.serve`, `mylib.Server.listen` (a method of instances), `*.start`.
    pub(crate) name: String,
    /// 0-based positional index of the address argument.
    pub(crate) position: Option<usize>,
    /// Keyword of the address argument.
    pub(crate) keyword: Option<String>,
    #[serde(default)]
    pub(crate) shape: SinkShape,
    /// `empty` (`''` means all interfaces), `star` (`'*'` does), `zero` (`'0'` in `0:8000`).
    #[serde(default)]
    pub(crate) accept: Vec<AcceptName>,
    /// For people (`My server`); the name when absent.
    pub(crate) description: Option<String>,
}

/// How the address argument is written (the catalogue's shapes users can name).
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum SinkShape {
    /// A host string.
    #[default]
    Host,
    /// A host string or a list of them.
    Hosts,
    /// A `(host, port, …)` tuple.
    Addr,
    /// `host:port`.
    HostPort,
    /// `host:port` or a list of them.
    HostPorts,
    /// A URL with a scheme (`tcp://*:5555`).
    Url,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum AcceptName {
    Empty,
    Star,
    Zero,
}

/// A configuration that was found, with where it applies from.
#[derive(Debug)]
pub(crate) struct Found {
    /// The directory its patterns are relative to.
    pub(crate) dir: PathBuf,
    pub(crate) config: Config,
    excludes: Gitignore,
    ignores: Vec<(Gitignore, Vec<String>)>,
}

impl Found {
    /// Reads the configuration in `text`, the contents of `path`; `None` for a `pyproject.toml`
    /// without a `[tool.bindguard]` table.
    pub(crate) fn parse(path: &Path, text: &str, extra_excludes: &[String]) -> anyhow::Result<Option<Self>> {
        let config = if path.file_name().is_some_and(|name| name == "pyproject.toml") {
            let pyproject: Pyproject = toml::from_str(text).map_err(|err| error(path, text, &err))?;
            match pyproject.tool.and_then(|tool| tool.bindguard) {
                Some(config) => config,
                None => return Ok(None),
            }
        } else {
            toml::from_str(text).map_err(|err| error(path, text, &err))?
        };
        for sink in &config.extend_sinks {
            anyhow::ensure!(
                sink.position.is_some() || sink.keyword.is_some(),
                "{}: extend-sinks entry `{}` needs `position`, `keyword` or both",
                path.display(),
                sink.name
            );
        }
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let patterns = config.exclude.iter().flatten().chain(&config.extend_exclude).chain(extra_excludes);
        let excludes = matcher(&dir, patterns, path)?;
        let mut ignores = Vec::new();
        for (glob, rules) in &config.per_file_ignores {
            ignores.push((matcher(&dir, std::iter::once(glob), path)?, rules.clone()));
        }
        Ok(Some(Self { dir, config, excludes, ignores }))
    }

    /// A configuration of nothing but `--exclude` patterns (relative to `dir`).
    pub(crate) fn only_excludes(dir: &Path, patterns: &[String]) -> anyhow::Result<Self> {
        let excludes = matcher(dir, patterns.iter(), Path::new("--exclude"))?;
        Ok(Self { dir: dir.to_path_buf(), config: Config::default(), excludes, ignores: Vec::new() })
    }

    /// Whether `path` (or a directory above it, under the configuration's directory) is
    /// excluded.
    pub(crate) fn excludes(&self, path: &Path, is_dir: bool) -> bool {
        let Ok(relative) = path.strip_prefix(&self.dir) else { return false };
        !relative.as_os_str().is_empty() && self.excludes.matched_path_or_any_parents(relative, is_dir).is_ignore()
    }

    /// Whether `per-file-ignores` silences `rule` in `path`.
    pub(crate) fn ignores(&self, path: &Path, rule: &str) -> bool {
        let Ok(relative) = path.strip_prefix(&self.dir) else { return false };
        self.ignores.iter().any(|(glob, rules)| {
            glob.matched_path_or_any_parents(relative, false).is_ignore()
                && rules.iter().any(|r| r.eq_ignore_ascii_case(rule) || r.eq_ignore_ascii_case("ALL"))
        })
    }
}

#[derive(Deserialize)]
struct Pyproject {
    tool: Option<Tool>,
}

#[derive(Deserialize)]
struct Tool {
    bindguard: Option<Config>,
}

/// One line: the file, the line and what is wrong (the key, for an unknown one).
fn error(path: &Path, text: &str, err: &toml::de::Error) -> anyhow::Error {
    let line = err.span().map_or(1, |span| text[..span.start.min(text.len())].matches('\n').count() + 1);
    let message = err.message().lines().next().unwrap_or("invalid configuration").trim_end_matches('.');
    anyhow::anyhow!("{}:{line}: {message}", path.display())
}

fn matcher<'a>(dir: &Path, patterns: impl Iterator<Item = &'a String>, file: &Path) -> anyhow::Result<Gitignore> {
    let mut builder = GitignoreBuilder::new(dir);
    for pattern in patterns {
        builder
            .add_line(None, pattern)
            .map_err(|err| anyhow::anyhow!("{}: invalid pattern {pattern:?}: {err}", file.display()))?;
    }
    builder.build().map_err(|err| anyhow::anyhow!("{}: {err}", file.display()))
}

/// Where configuration files are read from: `read(path)` gives a file's bytes, or `None`.
pub(crate) type Source<'a> = &'a (dyn Fn(&Path) -> anyhow::Result<Option<Vec<u8>>> + Sync);

/// Finds and caches the closest configuration above each directory.
pub(crate) struct Discovery<'a> {
    source: Source<'a>,
    /// Where the search stops (the repository root for the index); `None`: the file system root.
    top: Option<PathBuf>,
    extra_excludes: Vec<String>,
    cache: Mutex<HashMap<PathBuf, Option<Arc<Found>>>>,
}

impl<'a> Discovery<'a> {
    pub(crate) fn new(source: Source<'a>, top: Option<PathBuf>, extra_excludes: Vec<String>) -> Self {
        Self { source, top, extra_excludes, cache: Mutex::new(HashMap::new()) }
    }

    /// The configuration that applies to files in `dir`: the closest one at or above it.
    pub(crate) fn for_dir(&self, dir: &Path) -> anyhow::Result<Option<Arc<Found>>> {
        if let Some(hit) = self.cache.lock().expect("config cache").get(dir) {
            return Ok(hit.clone());
        }
        let found = match self.here(dir)? {
            Some(found) => Some(Arc::new(found)),
            None if self.top.as_deref() == Some(dir) => None,
            None => match dir.parent() {
                Some(parent) => self.for_dir(parent)?,
                None => None,
            },
        };
        self.cache.lock().expect("config cache").insert(dir.to_path_buf(), found.clone());
        Ok(found)
    }

    /// The configuration file of `dir` itself.
    fn here(&self, dir: &Path) -> anyhow::Result<Option<Found>> {
        for name in FILE_NAMES {
            let path = dir.join(name);
            let Some(bytes) = (self.source)(&path)? else { continue };
            let text = String::from_utf8(bytes).map_err(|_| anyhow::anyhow!("{}: not UTF-8", path.display()))?;
            if let Some(found) = Found::parse(&path, &text, &self.extra_excludes)? {
                return Ok(Some(found));
            }
        }
        Ok(None)
    }
}

/// The file system as a [`Source`]: a missing file is `None`, any other error is an error.
pub(crate) fn read_fs(path: &Path) -> anyhow::Result<Option<Vec<u8>>> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(err) if matches!(err.kind(), std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory) => Ok(None),
        Err(err) => Err(anyhow::anyhow!("cannot read {}: {err}", path.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(name: &str, text: &str) -> anyhow::Result<Option<Found>> {
        Found::parse(&Path::new("/p").join(name), text, &[])
    }

    #[test]
    fn every_key_reads() {
        let text = r#"
exclude = ["vendor/"]
extend-exclude = ["gen_*.py"]
per-file-ignores = { "tests/**" = ["CSP-D404"] }
fix-style = "env"
fix-env-var = "HOST"
foreign-markers = true
[[extend-sinks]]
name = "mylib.serve"
position = 0
keyword = "host"
shape = "host-port"
accept = ["empty", "star"]
"#;
        let found = parse("bindguard.toml", text).unwrap().unwrap();
        assert_eq!(found.config.fix_style, Some(FixStyleName::Env));
        assert_eq!(found.config.extend_sinks[0].shape, SinkShape::HostPort);
        assert!(found.excludes(Path::new("/p/vendor/x/app.py"), false));
        assert!(found.excludes(Path::new("/p/src/gen_api.py"), false));
        assert!(!found.excludes(Path::new("/p/src/app.py"), false));
        assert!(!found.excludes(Path::new("/elsewhere/vendor/app.py"), false));
        assert!(found.ignores(Path::new("/p/tests/unit/test_app.py"), "CSP-D404"));
        assert!(!found.ignores(Path::new("/p/src/app.py"), "CSP-D404"));
    }

    #[test]
    fn pyproject_without_the_table_is_no_configuration() {
        assert!(parse("pyproject.toml", "[project]\nname = \"x\"\n").unwrap().is_none());
        let found = parse("pyproject.toml", "[tool.ruff]\nx = 1\n[tool.bindguard]\nfix-env-var = \"H\"\n");
        assert_eq!(found.unwrap().unwrap().config.fix_env_var.as_deref(), Some("H"));
    }

    #[test]
    fn errors_name_the_file_the_line_and_the_key() {
        let err = parse("bindguard.toml", "fix-style = \"env\"\n\nexclued = []\n").unwrap_err();
        assert!(err.to_string().starts_with("/p/bindguard.toml:3: unknown field `exclued`"), "{err}");
        let err = parse("pyproject.toml", "[tool.bindguard]\nfix-style = \"env\n").unwrap_err();
        assert!(err.to_string().starts_with("/p/pyproject.toml:2: "), "{err}");
        let err = parse("bindguard.toml", "fix-style = \"fast\"\n").unwrap_err();
        assert!(err.to_string().contains(":1: unknown variant `fast`"), "{err}");
        let err = parse("bindguard.toml", "[[extend-sinks]]\nname = \"x.y\"\n").unwrap_err();
        assert!(err.to_string().contains("needs `position`, `keyword` or both"), "{err}");
    }

    #[test]
    fn the_closest_configuration_wins_in_precedence_order() {
        let files: HashMap<&str, &str> = HashMap::from([
            ("/r/pyproject.toml", "[tool.bindguard]\nfix-env-var = \"ROOT\"\n"),
            ("/r/a/pyproject.toml", "[project]\nname = \"no table\"\n"),
            ("/r/b/pyproject.toml", "[tool.bindguard]\nfix-env-var = \"PYPROJECT\"\n"),
            ("/r/b/bindguard.toml", "fix-env-var = \"PLAIN\"\n"),
            ("/r/b/.bindguard.toml", "fix-env-var = \"HIDDEN\"\n"),
        ]);
        let read = |path: &Path| Ok(files.get(path.to_str().unwrap()).map(|text| text.as_bytes().to_vec()));
        let discovery = Discovery::new(&read, Some(PathBuf::from("/r")), Vec::new());
        let env_var = |dir: &str| discovery.for_dir(Path::new(dir)).unwrap().and_then(|f| f.config.fix_env_var.clone());
        assert_eq!(env_var("/r/a/deep").as_deref(), Some("ROOT"), "a pyproject without the table is skipped");
        assert_eq!(env_var("/r/b/deep").as_deref(), Some("HIDDEN"));
        let outside = Discovery::new(&read, Some(PathBuf::from("/r/a")), Vec::new());
        assert!(outside.for_dir(Path::new("/r/a/x")).unwrap().is_none(), "the search stops at the top");
    }
}
