//! Fingerprints and baselines. A finding's fingerprint is made of what stays when lines move:
//! the path, the rule, the host and the statement text with its whitespace removed (never a line
//! number), plus its rank among identical statements of the file. SARIF's
//! `partialFingerprints`, GitLab's `fingerprint` and the baseline file all use it.
//!
//! A baseline (`check --write-baseline FILE`, then `--baseline FILE` in every mode) lists the
//! findings a project accepts for now: those findings are not reported, and entries that no
//! longer match anything are said, so the file shrinks as the code is fixed.

use std::collections::HashMap;
use std::path::Path;

use anyhow::Context;
use serde::{Deserialize, Serialize};

use crate::finding::{Finding, RULE_CODE};
use crate::repo_path::PathBase;
use crate::report::{FileReport, Report};

/// The fingerprint of every finding of `file`, in order; `path` is the file's path relative to
/// the repository root ([`PathBase::relative`]), so that it does not depend on where the tool ran.
pub(crate) fn fingerprints(file: &FileReport, path: &str) -> Vec<String> {
    let mut seen: HashMap<u64, usize> = HashMap::new();
    file.findings
        .iter()
        .map(|finding| {
            let hash = fnv1a(&[path, RULE_CODE, &finding.host, &statement_text(file, finding)]);
            let rank = seen.entry(hash).or_insert(0);
            *rank += 1;
            if *rank == 1 { format!("{hash:016x}") } else { format!("{hash:016x}-{rank}") }
        })
        .collect()
}

/// The lines of the value, whitespace removed: re-indenting or moving the statement keeps it.
pub(crate) fn statement_text(file: &FileReport, finding: &Finding) -> String {
    let (first, last) = (file.source.line_of(finding.value.start), file.source.line_of(finding.value.end));
    (first..=last).flat_map(|line| file.source.line_text(line).chars()).filter(|c| !c.is_whitespace()).collect()
}

/// FNV-1a, 64 bits, over the parts with a separator: stable across builds and platforms, unlike
/// the standard library's hasher.
pub(crate) fn fnv1a(parts: &[&str]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in part.bytes().chain([0]) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}

/// The baseline file (JSON).
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Baseline {
    pub(crate) version: u32,
    pub(crate) entries: Vec<Entry>,
}

/// One accepted finding; `path`, `host` and `statement` are there for people reading the file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub(crate) struct Entry {
    pub(crate) fingerprint: String,
    pub(crate) rule: String,
    pub(crate) path: String,
    pub(crate) host: String,
    pub(crate) statement: String,
}

impl Baseline {
    /// Every unsuppressed finding of `report`.
    pub(crate) fn of(report: &Report, base: &PathBase) -> Self {
        let mut entries = Vec::new();
        for file in &report.files {
            let path = base.relative(&file.path);
            for (finding, fingerprint) in file.findings.iter().zip(fingerprints(file, &path)) {
                if !finding.suppressed {
                    entries.push(Entry {
                        fingerprint,
                        rule: RULE_CODE.to_owned(),
                        path: path.clone(),
                        host: finding.host.clone(),
                        statement: statement_text(file, finding),
                    });
                }
            }
        }
        Self { version: 1, entries }
    }

    pub(crate) fn read(path: &Path) -> anyhow::Result<Self> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("cannot read the baseline {}", path.display()))?;
        let baseline: Self =
            serde_json::from_str(&text).with_context(|| format!("{}: not a bindguard baseline", path.display()))?;
        anyhow::ensure!(baseline.version == 1, "{}: baseline version {} is not 1", path.display(), baseline.version);
        Ok(baseline)
    }

    pub(crate) fn write(&self, path: &Path) -> anyhow::Result<()> {
        let mut text = serde_json::to_string_pretty(self)?;
        text.push('\n');
        std::fs::write(path, text).with_context(|| format!("cannot write the baseline {}", path.display()))
    }

    /// Takes the findings the baseline lists out of `report`; returns how many were taken and
    /// the entries that matched nothing among `judged` paths (the others were not looked at).
    ///
    /// Entries are counted per statement (a fingerprint without its rank). A hook's report holds
    /// only the findings on changed lines, so ranks among them say nothing: a new copy of an
    /// accepted statement would rank first. The copies of the statement that the report does
    /// not hold (unchanged lines) use the statement's entries first; only what is left takes
    /// findings out.
    pub(crate) fn apply(
        &self,
        report: &mut Report,
        base: &PathBase,
        judged: impl Fn(&str) -> bool,
    ) -> (usize, Vec<&Entry>) {
        let mut unused: HashMap<&str, usize> = HashMap::new();
        for entry in &self.entries {
            *unused.entry(statement_of(&entry.fingerprint)).or_insert(0) += 1;
        }
        let mut taken = 0;
        for file in &mut report.files {
            let path = base.relative(&file.path);
            let prints = fingerprints(file, &path);
            let mut reported: HashMap<&str, usize> = HashMap::new();
            for print in &prints {
                *reported.entry(statement_of(print)).or_insert(0) += 1;
            }
            // The copies of each statement on lines the report does not hold take their entries.
            for (finding, print) in file.findings.iter().zip(&prints) {
                let statement = statement_of(print);
                if let Some(held) = reported.remove(statement) {
                    let copies = copies_in_text(file, &statement_text(file, finding));
                    if let Some(left) = unused.get_mut(statement) {
                        *left = left.saturating_sub(copies.saturating_sub(held));
                    }
                }
            }
            let mut keep = Vec::with_capacity(file.findings.len());
            for (finding, print) in file.findings.iter().zip(&prints) {
                let listed = !finding.suppressed && unused.get_mut(statement_of(print)).is_some_and(take_one);
                taken += usize::from(listed);
                keep.push(!listed);
            }
            let mut keep = keep.into_iter();
            file.findings.retain(|_| keep.next().unwrap_or(true));
        }
        report.files.retain(|file| !file.findings.is_empty() || !file.syntax_errors.is_empty());
        let mut stale = Vec::new();
        for entry in &self.entries {
            if unused.get_mut(statement_of(&entry.fingerprint)).is_some_and(take_one) && judged(&entry.path) {
                stale.push(entry);
            }
        }
        (taken, stale)
    }
}

/// A fingerprint without its rank: which statement it is.
fn statement_of(fingerprint: &str) -> &str {
    fingerprint.split_once('-').map_or(fingerprint, |(statement, _)| statement)
}

/// How many times the file's text holds `statement` (lines, whitespace removed, as
/// [`statement_text`] gives them): every copy of an accepted statement, reported or not.
fn copies_in_text(file: &FileReport, statement: &str) -> usize {
    let source = &file.source;
    let lines = source.line_count();
    let stripped = |line: usize| -> String { source.line_text(line).chars().filter(|c| !c.is_whitespace()).collect() };
    let stripped: Vec<String> = (1..=lines).map(stripped).collect();
    let mut copies = 0;
    for first in (0..stripped.len()).filter(|&first| !stripped[first].is_empty()) {
        let mut joined = String::new();
        for line in &stripped[first..] {
            joined.push_str(line);
            if joined.len() >= statement.len() {
                break;
            }
        }
        copies += usize::from(joined == statement);
    }
    copies
}

/// Applies the baseline file at `path`, if one is given, to `report`: what it lists is taken
/// out; returns what to say about it (how many were taken, which entries match nothing among
/// the `judged` paths).
pub(crate) fn apply_file(
    path: Option<&Path>,
    report: &mut Report,
    base: &PathBase,
    judged: impl Fn(&str) -> bool,
) -> anyhow::Result<Vec<String>> {
    let Some(path) = path else { return Ok(Vec::new()) };
    let baseline = Baseline::read(path)?;
    let (taken, stale) = baseline.apply(report, base, judged);
    let shown = path.display();
    let mut said = Vec::new();
    if taken > 0 {
        let findings = if taken == 1 { "1 finding".to_owned() } else { format!("{taken} findings") };
        said.push(format!("bindguard: {findings} listed in the baseline {shown} not reported"));
    }
    for entry in stale {
        said.push(format!(
            "bindguard: baseline entry no longer matches (fixed or changed; remove it from {shown}): {}: {} ({})",
            entry.path, entry.statement, entry.host
        ));
    }
    Ok(said)
}

/// Takes one from a count that is not yet zero.
fn take_one(left: &mut usize) -> bool {
    let some = *left > 0;
    *left = left.saturating_sub(1);
    some
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv_is_the_published_function() {
        // FNV-1a 64 of "a" is 0xaf63dc4c8601ec8c; the separator byte follows each part here.
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        hash ^= u64::from(b'a');
        hash = hash.wrapping_mul(0x0100_0000_01b3);
        assert_eq!(hash, 0xaf63_dc4c_8601_ec8c);
        assert_ne!(fnv1a(&["ab", "c"]), fnv1a(&["a", "bc"]), "parts are separated");
    }
}
