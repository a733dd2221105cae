//! The project configuration applied to a run (`check` and `pre-commit`): which files are
//! excluded, which findings `per-file-ignores` silences, and the rule options of the
//! configuration that governs the run (the closest one above the current directory for
//! `check`, the repository root's for `pre-commit`; the command line wins over it).
//!
//! The configuration files come from the snapshot the mode checks ([`config::Source`]): the file
//! system for `check`, the index for `pre-commit`. `--config FILE` is read from the file system.

use std::collections::HashMap;
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::changes::ChangeSet;
use crate::config::{self, Discovery, Found, Source};
use crate::finding::RULE_CODE;
use crate::report::Report;
use crate::settings::{ConfigChoice, Settings};

/// The configuration files of one run, found lazily and cached.
pub(crate) struct ProjectConfig<'a> {
    discovery: Option<Discovery<'a>>,
    /// `--config FILE`.
    fixed: Option<Arc<Found>>,
    /// `--exclude` patterns, relative to the directory the tool runs in.
    command_line: Option<Found>,
}

impl<'a> ProjectConfig<'a> {
    /// `top` stops the search (the repository root for the index), `cwd` anchors `--exclude`.
    pub(crate) fn new(
        settings: &Settings,
        source: Source<'a>,
        top: Option<PathBuf>,
        cwd: &Path,
    ) -> anyhow::Result<Self> {
        let project = &settings.project;
        let (discovery, fixed) = match &project.choice {
            ConfigChoice::Discover => (Some(Discovery::new(source, top, Vec::new())), None),
            ConfigChoice::File(path) => (None, Some(Arc::new(read_given(path)?))),
            ConfigChoice::None => (None, None),
        };
        let command_line =
            if project.exclude.is_empty() { None } else { Some(Found::only_excludes(cwd, &project.exclude)?) };
        Ok(Self { discovery, fixed, command_line })
    }

    /// The configuration that applies to files in `dir`.
    pub(crate) fn for_dir(&self, dir: &Path) -> anyhow::Result<Option<Arc<Found>>> {
        match (&self.fixed, &self.discovery) {
            (Some(fixed), _) => Ok(Some(Arc::clone(fixed))),
            (None, Some(discovery)) => discovery.for_dir(dir),
            (None, None) => Ok(None),
        }
    }

    /// Whether `path` is excluded, by its configuration or by `--exclude`.
    pub(crate) fn excluded(&self, path: &Path, is_dir: bool) -> anyhow::Result<bool> {
        if self.command_line.as_ref().is_some_and(|found| found.excludes(path, is_dir)) {
            return Ok(true);
        }
        let dir = if is_dir { path } else { path.parent().unwrap_or(Path::new("")) };
        Ok(self.for_dir(dir)?.is_some_and(|found| found.excludes(path, is_dir)))
    }

    /// The settings with the rule options of the configuration for `dir` filled in.
    pub(crate) fn settings_for(&self, settings: &Settings, dir: &Path) -> anyhow::Result<Settings> {
        let mut settings = settings.clone();
        if let Some(found) = self.for_dir(dir)? {
            settings.apply_config(&found.config);
        }
        Ok(settings)
    }

    /// Takes the files the configuration excludes out of a change set (a hook's), before they
    /// are analysed; their paths are relative to the repository root.
    pub(crate) fn drop_excluded(&self, changes: &mut ChangeSet) -> anyhow::Result<()> {
        changes.files = self.kept(std::mem::take(&mut changes.files), |file| file.path.clone())?;
        Ok(())
    }

    /// The items whose paths (relative to the repository root) the configuration does not
    /// exclude.
    pub(crate) fn kept<T>(&self, items: Vec<T>, path: impl Fn(&T) -> String) -> anyhow::Result<Vec<T>> {
        let mut kept = Vec::with_capacity(items.len());
        for item in items {
            if !self.excluded(Path::new(&path(&item)), false)? {
                kept.push(item);
            }
        }
        Ok(kept)
    }

    /// Marks as suppressed the findings that `per-file-ignores` silences; `locate` turns a
    /// report path into the path the configuration sees.
    pub(crate) fn silence(&self, report: &mut Report, locate: impl Fn(&str) -> PathBuf) -> anyhow::Result<()> {
        for file in &mut report.files {
            let path = locate(&file.path);
            let Some(found) = self.for_dir(path.parent().unwrap_or(Path::new("")))? else { continue };
            if found.ignores(&path, RULE_CODE) {
                file.findings.iter_mut().for_each(|finding| finding.suppressed = true);
            }
        }
        Ok(())
    }
}

/// `--config FILE`: the file must exist and hold a configuration.
fn read_given(path: &Path) -> anyhow::Result<Found> {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let bytes = config::read_fs(&absolute)?.ok_or_else(|| anyhow::anyhow!("--config: no file {}", path.display()))?;
    let text = String::from_utf8(bytes).map_err(|_| anyhow::anyhow!("{}: not UTF-8", path.display()))?;
    Found::parse(&absolute, &text, &[])?.ok_or_else(|| anyhow::anyhow!("{}: no [tool.bindguard] table", path.display()))
}

/// Configuration files as a snapshot holds them (the index, a pushed tree): path relative to
/// the repository root → content. Read as a [`Source`].
pub(crate) struct Snapshot(HashMap<PathBuf, Vec<u8>>);

impl Snapshot {
    pub(crate) fn new(files: Vec<(Vec<u8>, Vec<u8>)>) -> Self {
        Self(files.into_iter().map(|(path, bytes)| (PathBuf::from(OsStr::from_bytes(&path)), bytes)).collect())
    }

    pub(crate) fn read(&self, path: &Path) -> anyhow::Result<Option<Vec<u8>>> {
        Ok(self.0.get(path).cloned())
    }
}
