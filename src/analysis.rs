//! The shared middle of the pipeline: change set → decoded, parsed, checked files → report.
//!
//! Files are analysed in parallel. Findings are computed on the whole file (flow needs the whole
//! file, and the project modules it imports, read from the same version of the project) and then
//! kept only when one of their places touches a changed line of the change. A finding whose
//! value lives in another module belongs to that module's file; the same finding reached from
//! several files is reported once, with every sink.

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::sync::Arc;
use std::time::Instant;

use rayon::prelude::*;

use crate::changes::{Cause, ChangeSet, ChangedFile, CommitInfo, Incomplete, LineFilter, Scope};
use crate::finding::Finding;
use crate::report::{self, FileReport, ParseError, Report};
use crate::rules::{self, Loaded, Project};
use crate::snapshot::Alone;
use crate::source::{self, SourceText};

/// What every file's analysis shares.
pub(crate) struct Context<'a> {
    pub(crate) options: &'a rules::Options,
    pub(crate) max_file_size: u64,
    /// The analysis stops here (a limit reported, never a silent clean).
    pub(crate) deadline: Option<Instant>,
}

/// The projects of the scopes in a run: each parses an imported module once, whichever file
/// asks first.
struct Projects<'s> {
    /// By the address of the scope (its identity).
    by_scope: HashMap<usize, Project<'s>>,
    alone: Project<'s>,
}

impl<'s> Projects<'s> {
    fn new(scopes: impl Iterator<Item = &'s Arc<Scope>>, max_file_size: u64) -> Self {
        let mut by_scope = HashMap::new();
        for scope in scopes {
            by_scope.entry(identity(scope)).or_insert_with(|| Project::new(&*scope.files, &rules::RULE, max_file_size));
        }
        Projects { by_scope, alone: Project::new(&Alone, &rules::RULE, max_file_size) }
    }

    fn of(&self, scope: Option<&Arc<Scope>>) -> &Project<'s> {
        scope.and_then(|s| self.by_scope.get(&identity(s))).unwrap_or(&self.alone)
    }
}

fn identity(scope: &Arc<Scope>) -> usize {
    Arc::as_ptr(scope).cast::<()>() as usize
}

/// The threads that parse and analyse, each with a large stack.
fn pool() -> &'static rayon::ThreadPool {
    static POOL: std::sync::OnceLock<rayon::ThreadPool> = std::sync::OnceLock::new();
    POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            // Parsing and the analysis recurse over the tree; the nesting guard (source) lets
            // through only what this stack takes. Reserved, not used, until a file needs it.
            .stack_size(source::STACK_SIZE)
            .thread_name(|i| format!("bindguard-analysis-{i}"))
            .build()
            .expect("cannot start the analysis threads")
    })
}

/// Analyses every file of the change set.
pub(crate) fn analyze(changes: ChangeSet, cx: &Context<'_>) -> Report {
    pool().install(|| analyze_in_pool(changes, cx))
}

fn analyze_in_pool(mut changes: ChangeSet, cx: &Context<'_>) -> Report {
    let started = Instant::now();
    let importers = crate::importers::importers(&changes.files);
    changes.files.extend(importers);
    let scopes: Vec<Arc<Scope>> = changes.files.iter().filter_map(|f| f.scope.clone()).collect();
    let projects = Projects::new(scopes.iter(), cx.max_file_size);
    let inert = inert_scopes(&changes.files, cx);
    let narrow = narrow_files(&changes.files, &inert, cx);
    let analyzed: Vec<Analyzed> = changes
        .files
        .into_par_iter()
        .map(|file| {
            if file.scope.as_ref().is_some_and(|s| inert.contains(&identity(s))) {
                let lines = file.lines.count(0);
                Analyzed::Checked { lines, files: Vec::new(), incomplete: Vec::new(), counted: true }
            } else {
                let narrowed = file.scope.as_ref().is_some_and(|s| narrow.contains(&(identity(s), file.path.clone())));
                analyze_file(file, &projects, cx, narrowed)
            }
        })
        .collect();
    let mut report = Report {
        skipped: changes.skipped,
        incomplete: changes.incomplete,
        commits: changes.commits,
        scope_note: changes.scope_note,
        ..Default::default()
    };
    collect(&mut report, analyzed);
    report.elapsed = started.elapsed();
    report
}

/// The scopes of a change whose every changed line is inert ([`rules::inert`]): a finding counts
/// in diff mode only where one of its places touches a changed line (spec §5), so their files
/// need no analysis. The files of a scope are judged together, since a finding reached from one
/// file may have its places in another.
fn inert_scopes(files: &[ChangedFile], cx: &Context<'_>) -> HashSet<usize> {
    let mut by_scope: HashMap<usize, Vec<&ChangedFile>> = HashMap::new();
    for file in files {
        if let Some(scope) = file.scope.as_ref().filter(|s| s.changed.is_some()) {
            by_scope.entry(identity(scope)).or_default().push(file);
        }
    }
    by_scope.into_iter().filter(|(_, files)| all_inert(files, cx)).map(|(scope, _)| scope).collect()
}

/// Cheap byte looks at every file first; a file is parsed only when all of them pass.
fn all_inert(files: &[&ChangedFile], cx: &Context<'_>) -> bool {
    fn changed(file: &ChangedFile) -> Option<&[u32]> {
        match &file.lines {
            LineFilter::Only(lines) if !file.importer => Some(lines.as_slice()),
            _ => None,
        }
    }
    let spelled =
        files.iter().all(|f| changed(f).is_some_and(|lines| rules::inert::lines_spell_no_place(&f.bytes, lines)));
    spelled
        && files.iter().all(|file| {
            let lines = changed(file).unwrap_or_default();
            lines.is_empty()
                || SourceText::decode_owned(file.bytes.clone(), cx.max_file_size).is_ok_and(|source| {
                    // Changed lines are counted in the raw bytes (see analyze_file).
                    let module = crate::python::parse(source.text(), crate::python::Flavor::for_stub(file.stub));
                    source.keeps_raw_lines() && rules::inert::inside_no_place(&source, &module, lines)
                })
        })
}

/// The files of a change made only of calls ([`rules::narrow`]) whose analysis may keep only
/// the sites that can report it, by scope and path. A changed call inside a function or class
/// may be reported from any file that calls it, so when one file has such a call only that
/// file is narrowed, and when several have, none is. The scopes are judged whole, as for inert
/// changes; a quote or an address spelling on a changed line rules a scope out before parsing.
fn narrow_files(files: &[ChangedFile], inert: &HashSet<usize>, cx: &Context<'_>) -> HashSet<(usize, String)> {
    let mut by_scope: HashMap<usize, Vec<&ChangedFile>> = HashMap::new();
    for file in files.iter().filter(|f| !f.importer) {
        if let Some(scope) = file.scope.as_ref().filter(|s| s.changed.is_some() && !inert.contains(&identity(s))) {
            by_scope.entry(identity(scope)).or_default().push(file);
        }
    }
    let mut narrow = HashSet::new();
    for (scope, files) in by_scope {
        let Some(judged) = files.iter().map(|f| calls_only(f, cx).map(|c| (f, c))).collect::<Option<Vec<_>>>() else {
            continue;
        };
        let inside: Vec<&ChangedFile> = judged.iter().filter(|(_, c)| c.inside_definitions).map(|(f, _)| **f).collect();
        let chosen: Vec<&ChangedFile> = match inside.as_slice() {
            [] => judged.iter().map(|(f, _)| **f).collect(),
            [only] => vec![*only],
            _ => Vec::new(),
        };
        narrow.extend(chosen.into_iter().map(|f| (scope, f.path.clone())));
    }
    narrow
}

/// [`rules::narrow::calls_only`] for a changed file, after a look at its changed lines' bytes.
fn calls_only(file: &ChangedFile, cx: &Context<'_>) -> Option<rules::narrow::CallsOnly> {
    let LineFilter::Only(lines) = &file.lines else { return None };
    if lines.is_empty() {
        return Some(rules::narrow::CallsOnly { inside_definitions: false });
    }
    if !rules::narrow::lines_may_be_calls(&file.bytes, lines) {
        return None;
    }
    let source = SourceText::decode_owned(file.bytes.clone(), cx.max_file_size).ok()?;
    if !source.keeps_raw_lines() {
        return None;
    }
    let module = crate::python::parse(source.text(), crate::python::Flavor::for_stub(file.stub));
    rules::narrow::calls_only(&source, &module, lines)
}

/// Loads and analyses each item in one parallel pass, so only the files being worked on are in
/// memory and no core waits for a batch to finish; `load` returns `Ok(None)` for non-Python.
/// Every loaded file belongs to `scope`.
pub(crate) fn analyze_loaded<T: Sync>(
    items: &[T],
    load: impl Fn(&T) -> Result<Option<ChangedFile>, Incomplete> + Sync + Send,
    scope: Option<Arc<Scope>>,
    cx: &Context<'_>,
) -> Report {
    pool().install(|| analyze_loaded_in_pool(items, load, scope, cx))
}

fn analyze_loaded_in_pool<T: Sync>(
    items: &[T],
    load: impl Fn(&T) -> Result<Option<ChangedFile>, Incomplete> + Sync + Send,
    scope: Option<Arc<Scope>>,
    cx: &Context<'_>,
) -> Report {
    let started = Instant::now();
    let projects = Projects::new(scope.iter(), cx.max_file_size);
    let analyzed: Vec<Analyzed> = items
        .par_iter()
        .filter_map(|item| match load(item) {
            Ok(Some(mut file)) => {
                file.scope = file.scope.or_else(|| scope.clone());
                Some(analyze_file(file, &projects, cx, false))
            }
            Ok(None) => None,
            Err(incomplete) => Some(Analyzed::Incomplete(incomplete)),
        })
        .collect();
    let mut report = Report::default();
    collect(&mut report, analyzed);
    report.elapsed = started.elapsed();
    report
}

/// Adds each analysed file to the report, in order; findings reached from several files are
/// merged into one.
fn collect(report: &mut Report, analyzed: Vec<Analyzed>) {
    let mut at = report.positions();
    for file in analyzed {
        match file {
            Analyzed::Incomplete(gap) => report.incomplete.push(gap),
            Analyzed::Checked { lines, files, incomplete, counted } => {
                report.files_checked += usize::from(counted);
                report.lines_checked += lines;
                report.incomplete.extend(incomplete);
                for file in files {
                    report.add_file(&mut at, file);
                }
            }
        }
    }
    for file in &mut report.files {
        file.findings.sort_by_key(|f| (f.value.start, f.sink.range.start));
    }
}

/// What became of one file: not analysed, or checked (with the files that have findings or
/// syntax errors: the file itself, and modules whose values reach its sinks; and the limits the
/// analysis reached, which leave it incomplete).
enum Analyzed {
    Incomplete(Incomplete),
    /// `counted`: a file of the change (importers analysed for its sake are not counted).
    Checked {
        lines: usize,
        files: Vec<FileReport>,
        incomplete: Vec<Incomplete>,
        counted: bool,
    },
}

fn analyze_file(mut file: ChangedFile, projects: &Projects<'_>, cx: &Context<'_>, narrow: bool) -> Analyzed {
    let skipped = |path: String, skip: crate::source::Skip| {
        let cause = if skip.is_size() { Cause::Size } else { Cause::Analysis };
        Analyzed::Incomplete(Incomplete::new(path, skip.to_string(), cause))
    };
    if let Err(skip) = SourceText::check_decodable(&file.bytes, cx.max_file_size) {
        return skipped(file.path, skip);
    }
    let lines = file.lines.count(source::count_lines(&file.bytes));
    // A file that cannot hold a bind is complete without decoding or parsing; its syntax is not
    // our concern. Most files of a whole tree end here. A change's files (hooks) are few, so any
    // spelling of an address in them is followed into the modules they import.
    let whole_tree = file.scope.as_ref().is_none_or(|s| s.changed.is_none());
    let spelled = if whole_tree { rules::Spelled::Plainly } else { rules::Spelled::AnyWay };
    let counted = !file.importer;
    // A narrowed analysis looks at less than the project's gate would read.
    let ruled_out = !file.gated_alone
        && !cx.options.may_contain_bind(&file.bytes)
        && !narrow
        && !rules::may_meet_other_modules(&file.path, &file.bytes, projects.of(file.scope.as_ref()), spelled);
    if (lines == 0 && !file.importer) || ruled_out {
        return Analyzed::Checked { lines, files: Vec::new(), incomplete: Vec::new(), counted };
    }
    let source = match SourceText::decode_owned(file.bytes, cx.max_file_size) {
        Ok(source) => source,
        Err(skip) => return skipped(file.path, skip),
    };
    // A change's lines are counted in the raw bytes: a codec that makes other lines of them
    // (`\n` escapes, UTF-7, EBCDIC) leaves only the whole file to go by.
    if !source.keeps_raw_lines() {
        file.lines = LineFilter::All;
    }
    // Waits while the analyses in flight hold the run's memory budget (see source::memory).
    let _memory = source.reserve_memory();
    let loaded = Loaded::new(file.path.clone(), source, file.stub);
    let project = projects.of(file.scope.as_ref());
    // A whole file needs no places a diff filter alone looks at.
    let places = if matches!(file.lines, LineFilter::All) { rules::Places::Shown } else { rules::Places::All };
    // A file analysed alone (a commit of a pushed history: its imports are not followed) reaches
    // no other file, and no other file's analysis reaches it: its own change decides, and
    // `Narrowed::new` tells on the tree already parsed whether it is made of calls.
    let alone_change = matches!(&file.lines, LineFilter::Only(l) if !l.is_empty());
    let narrow = narrow || file.scope.is_none() && !file.importer && alone_change;
    let checked = check_narrowed(&loaded, &file.lines, project, cx, places, narrow);
    let incomplete = checked
        .limits
        .iter()
        .map(|&limit| {
            let cause = if limit == rules::Limit::Deadline { Cause::Time } else { Cause::Analysis };
            Incomplete::new(file.path.clone(), format!("analysis incomplete: {}", limit.describe()), cause)
        })
        .collect();
    let syntax_errors = loaded.parsed.syntax_errors();
    let scope = file.scope.clone();
    let mut files = Vec::new();
    let mut own = Vec::new();
    for found in checked.files {
        match found.source {
            None => own = found.findings,
            Some(source) => {
                let lines = scope.as_ref().map_or(LineFilter::Only(Vec::new()), |s| s.lines_of(&found.path));
                let findings = keep_touching(found.findings, &source, &lines, scope.as_deref());
                if !findings.is_empty() {
                    files.push(other_file(found.path, source, findings, file.commit.clone()));
                }
            }
        }
    }
    let Loaded { source, .. } = loaded;
    let findings = keep_touching(own, &source, &file.lines, scope.as_deref());
    if !findings.is_empty() || !syntax_errors.is_empty() {
        let syntax_errors: Vec<ParseError> =
            syntax_errors.into_iter().map(|e| ParseError::located(&source, e)).collect();
        let digest = report::digest(source.text());
        // A file kept for its syntax errors alone keeps no text (its errors carry their
        // places): a history of old code can have thousands of such versions.
        let source = if findings.is_empty() { SourceText::from_text(String::new(), source.encoding()) } else { source };
        let report = FileReport {
            path: file.path,
            raw_path: file.raw_path,
            commit: file.commit,
            stub: file.stub,
            source,
            digest,
            findings,
            syntax_errors,
        };
        files.insert(0, report);
    }
    Analyzed::Checked { lines, files, incomplete, counted }
}

/// The analysis of a file, with only the sites that may report its change when `narrow`
/// ([`narrow_files`]); when those find anything, or reach a limit, the file is analysed again
/// in full, so that what is reported (every sink of a finding) is what the full analysis says.
fn check_narrowed(
    loaded: &Loaded,
    lines: &LineFilter,
    project: &Project<'_>,
    cx: &Context<'_>,
    places: rules::Places,
    narrow: bool,
) -> rules::Checked {
    let narrowed = match lines {
        LineFilter::Only(lines) if narrow => rules::narrow::Narrowed::new(&loaded.source, &loaded.parsed, lines),
        _ => None,
    };
    if let Some(narrowed) = &narrowed {
        let checked = rules::check_file(loaded, project, cx.options, cx.deadline, places, Some(narrowed));
        if checked.limits.is_empty() && checked.files.iter().all(|f| f.findings.is_empty()) {
            return checked;
        }
    }
    rules::check_file(loaded, project, cx.options, cx.deadline, places, None)
}

/// A module of the project whose literal reaches a sink of the analysed file.
fn other_file(path: String, source: SourceText, findings: Vec<Finding>, commit: Option<Arc<CommitInfo>>) -> FileReport {
    FileReport {
        raw_path: path.as_bytes().to_vec(),
        path,
        commit,
        stub: false,
        digest: report::digest(source.text()),
        source,
        findings,
        syntax_errors: Vec::new(),
    }
}

/// Spec §5: a finding counts in diff mode when any of its places lies on a changed line: in its
/// own file (`lines`), or in another file of the same change.
fn keep_touching(
    findings: Vec<Finding>,
    source: &SourceText,
    lines: &LineFilter,
    scope: Option<&Scope>,
) -> Vec<Finding> {
    findings
        .into_iter()
        .filter(|f| {
            matches!(lines, LineFilter::All)
                || f.own_places().any(|range| range_touches(source, range, lines))
                || scope.is_some_and(|s| f.other_places().any(|(path, first, last)| s.touches(path, first, last)))
        })
        .collect()
}

fn range_touches(source: &SourceText, range: &Range<usize>, lines: &LineFilter) -> bool {
    let first = source.line_of(range.start);
    let last = source.line_of(range.end.saturating_sub(1).max(range.start));
    (first..=last).any(|line| lines.contains(line))
}

#[cfg(test)]
mod tests {
    use super::{Context, analyze};
    use crate::changes::{ChangeSet, ChangedFile, LineFilter};

    fn analysed(files: &[(&str, &str)]) -> crate::report::Report {
        let files = files
            .iter()
            .map(|(path, text)| {
                ChangedFile::new((*path).into(), path.as_bytes().to_vec(), text.as_bytes().to_vec(), LineFilter::All)
            })
            .collect();
        let options = crate::rules::Options::default();
        let cx = Context { options: &options, max_file_size: 1 << 20, deadline: None };
        analyze(ChangeSet { files, ..ChangeSet::default() }, &cx)
    }

    /// A version kept for its syntax errors alone holds their places, not its text: a history
    /// of old code has thousands of them, and the report must not grow with their size.
    #[test]
    fn a_file_with_syntax_errors_alone_keeps_their_places_not_its_text() {
        let broken = format!(
            "import socket\n{}print 'x'\nsocket.socket().bind(('127.0.0.1', 1))\nx = (\n",
            "a = 1\n".repeat(1000)
        );
        let both = "import socket\nsocket.socket().bind(('0.0.0.0', 1))\nprint 'x'\n";
        let report = analysed(&[("broken.py", &broken), ("both.py", both), ("clean.py", "x = 1\n")]);
        let by_path = |p: &str| report.files.iter().find(|f| f.path == p).expect(p);
        let broken_report = by_path("broken.py");
        assert_eq!(broken_report.source.text(), "");
        let places: Vec<(usize, usize)> = broken_report.syntax_errors.iter().map(|e| (e.line, e.column)).collect();
        assert_eq!(places.first(), Some(&(1002, 7)));
        assert!(places.iter().all(|&(line, _)| (1002..=1005).contains(&line)), "{places:?}");
        assert_eq!(broken_report.digest, crate::report::digest(&broken));
        let both_report = by_path("both.py");
        assert_eq!(both_report.source.text(), both);
        assert_eq!((both_report.findings.len(), both_report.syntax_errors[0].line), (1, 3));
        assert!(report.files.iter().all(|f| f.path != "clean.py"));
    }
}
