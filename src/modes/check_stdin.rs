//! `check -`: one file read from standard input, as editors and formatters pass it, named by
//! `--stdin-filename` (for the report, the configuration that applies and `.pyi` stubs). A name
//! the configuration excludes is not checked. With `--fix` the fixed source goes to standard
//! output, the editor's convention, and the messages to standard error.

use std::io::Read;
use std::path::Path;

use anyhow::Context;

use crate::analysis;
use crate::changes::{ChangeSet, ChangedFile, LineFilter};
use crate::fix::plan;
use crate::modes::project::ProjectConfig;
use crate::outcome::{Body, Outcome, Scope, plural};
use crate::settings::CheckSettings;

pub(super) fn run(
    check: &CheckSettings,
    name: &Path,
    project: &ProjectConfig<'_>,
    cwd: &Path,
) -> anyhow::Result<Outcome> {
    let absolute = cwd.join(name);
    let dir = absolute.parent().unwrap_or(cwd);
    let settings = project.settings_for(&check.common, dir)?;
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .take(settings.max_file_size.saturating_add(1))
        .read_to_end(&mut bytes)
        .context("cannot read standard input")?;
    let shown = name.to_string_lossy().into_owned();
    if project.excluded(&absolute, false)? {
        let said = format!("bindguard: {shown} is excluded by the configuration or --exclude: not checked");
        let body = if check.fix { Body::Document(String::from_utf8_lossy(&bytes).into_owned()) } else { Body::Nothing };
        return Ok(Outcome { after: vec![said], ..Outcome::new(body) });
    }
    let original = bytes.clone();
    let file = ChangedFile {
        stub: name.extension().is_some_and(|ext| ext == "pyi"),
        // The modules it imports are read from the disk around the name it is given.
        scope: Some(std::sync::Arc::new(crate::changes::Scope {
            files: std::sync::Arc::new(super::disk::Disk::new(&[name.to_path_buf()], settings.max_file_size)),
            changed: None,
        })),
        ..ChangedFile::new(shown.clone(), shown.clone().into_bytes(), bytes, LineFilter::All)
    };
    let changes = ChangeSet { files: vec![file], ..ChangeSet::default() };
    let cx = analysis::Context { options: &settings.rules, max_file_size: settings.max_file_size, deadline: None };
    let mut report = analysis::analyze(changes, &cx);
    project.silence(&mut report, |_| absolute.clone())?;
    if !check.fix {
        return Ok(Outcome::report(report, Scope::Files, Vec::new()));
    }
    let (planned, summary) = plan(&report, &settings.rules);
    let fixed: usize = planned.iter().map(|file| file.findings).sum();
    let left = report.active_count() - fixed;
    let text = match planned.into_iter().next() {
        Some(file) => String::from_utf8_lossy(&file.fixed).into_owned(),
        None => String::from_utf8_lossy(&original).into_owned(),
    };
    let mut after: Vec<String> = summary.notes.iter().map(|note| format!("bindguard: note: {note}")).collect();
    after.push(format!("bindguard: fixed {} in {shown}", plural(fixed, "finding")));
    if left > 0 {
        after.push(format!("bindguard: {} left (run without --fix to see them)", plural(left, "finding")));
    }
    Ok(Outcome { after, blocks: left > 0, ..Outcome::new(Body::Document(text)) })
}
