//! The layers of `src/`, enforced. Every top-level module is listed in [`LAYERS`] with the
//! modules it may use; the uses are read from the source (`crate::…` paths in `use` statements
//! and inline, comments ignored). A use the table does not allow, a module the table does not
//! place, or an import cycle fails here, before it tangles the crate.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::support::crate_root;

/// Each top-level module of `src/` and the modules it may use, lowest layer first, so that a
/// module only ever uses modules listed above it (which also rules out cycles). `lib.rs` and
/// `main.rs` sit on top and are not listed.
const LAYERS: &[(&str, &[&str])] = &[
    // Leaves: any layer may use them, they use nothing.
    ("exit", &[]),
    ("terminal", &[]),
    // Plain data and the input it is read from.
    ("cli", &[]),
    ("config", &[]),
    ("policy", &[]),
    ("pyfiles", &[]),
    ("snapshot", &[]),
    ("changes", &["snapshot"]),
    ("source", &[]),
    ("python", &[]),
    ("finding", &[]),
    ("repo_path", &[]),
    // The rule sees a parsed file (and the project's other modules through a snapshot) and
    // produces findings; nothing of git, reports or output.
    ("rules", &["python", "source", "finding", "snapshot"]),
    // Git input → change sets. Takes its own small types and an injected gate; knows nothing of
    // the rules, the reports, the fixer, the modes or the output.
    ("git", &["changes", "pyfiles", "snapshot", "source", "terminal"]),
    // The result of an analysis, and the pipeline that fills it.
    ("report", &["changes", "finding", "python", "source"]),
    // A change's other direction: the unchanged files that import a changed module.
    ("importers", &["changes", "rules", "snapshot"]),
    ("analysis", &["changes", "finding", "importers", "python", "report", "rules", "snapshot", "source"]),
    // Fixes are computed from a report and proven by re-running the rule.
    ("fix", &["finding", "python", "report", "rules", "source"]),
    // Fingerprints that survive moved lines, and the baseline file built on them.
    ("baseline", &["finding", "repo_path", "report", "source"]),
    // What a run says, and the one place that writes it.
    ("outcome", &["repo_path", "report"]),
    ("render", &["baseline", "finding", "outcome", "repo_path", "report", "rules", "source", "terminal"]),
    // The command line resolved: the last place a clap type appears.
    ("settings", &["cli", "config", "render", "rules"]),
    // One front door per subcommand: builds a change set, runs the shared pipeline, returns an
    // outcome.
    (
        "modes",
        &[
            "analysis",
            "baseline",
            "changes",
            "config",
            "finding",
            "fix",
            "git",
            "outcome",
            "policy",
            "pyfiles",
            "repo_path",
            "report",
            "rules",
            "settings",
            "snapshot",
            "source",
            "terminal",
        ],
    ),
    ("app", &["cli", "exit", "modes", "outcome", "render", "settings"]),
    // Fuzz entry points (feature `fuzzing`): reach into the pipeline like a front door.
    ("fuzzing", &["analysis", "changes", "fix", "git", "modes", "python", "rules", "source"]),
];

/// Uses the table does not allow yet, each with the file and why it is tolerated. An entry that
/// is no longer needed fails the test, so that it is removed.
const PENDING: &[(&str, &str, &str)] = &[];

type Graph = BTreeMap<String, BTreeSet<String>>;

#[test]
fn every_module_is_placed_in_the_layers() {
    let found: BTreeSet<String> = modules_of(&crate_root().join("src"));
    let placed: BTreeSet<String> = LAYERS.iter().map(|(name, _)| name.to_string()).collect();
    assert_eq!(found, placed, "place every top-level module of src/ in LAYERS");
}

#[test]
fn the_table_itself_points_down() {
    let mut above: BTreeSet<&str> = BTreeSet::new();
    for (name, uses) in LAYERS {
        let up: Vec<&&str> = uses.iter().filter(|used| !above.contains(*used)).collect();
        assert!(up.is_empty(), "{name} may use {up:?}, which is not listed above it");
        above.insert(name);
    }
}

#[test]
fn every_use_follows_the_layers() {
    let (graph, sources) = import_graph(&crate_root().join("src"));
    let mut pending_used = BTreeSet::new();
    let mut violations = Vec::new();
    for (from, to) in forbidden_uses(&graph, &allowed()) {
        let pending = PENDING.iter().find(|(file, module, _)| {
            *module == to && sources[&(from.clone(), to.clone())].iter().all(|source| source == file)
        });
        match pending {
            Some(entry) => {
                pending_used.insert(entry.0);
            }
            None => violations.push(format!("{from} → {to} (in {:?})", sources[&(from.clone(), to.clone())])),
        }
    }
    assert!(violations.is_empty(), "uses the layers do not allow:\n{}", violations.join("\n"));
    let stale: Vec<_> = PENDING.iter().filter(|(file, ..)| !pending_used.contains(file)).collect();
    assert!(stale.is_empty(), "no longer needed, remove from PENDING: {stale:?}");
}

#[test]
fn the_modules_have_no_import_cycle() {
    let (mut graph, _) = import_graph(&crate_root().join("src"));
    // The pending use closes a cycle through test code only (the rules' tests → fix → rules);
    // it is left out until it goes.
    for (file, to, _) in PENDING {
        let from = module_of(Path::new(file.strip_prefix("src/").expect("a path under src/")));
        graph.get_mut(&from).map(|uses| uses.remove(*to));
    }
    assert_eq!(find_cycle(&graph), None);
}

// ---- the checker, and proof that it can fail ----

#[test]
fn a_cycle_is_found() {
    let graph = graph_of(&[("git", "changes"), ("changes", "render"), ("render", "git"), ("app", "git")]);
    let cycle = find_cycle(&graph).expect("a cycle");
    assert_eq!(cycle.first(), cycle.last());
    assert!(["git", "changes", "render"].iter().all(|m| cycle.contains(&m.to_string())), "{cycle:?}");
    assert_eq!(find_cycle(&graph_of(&[("app", "git"), ("git", "changes"), ("app", "changes")])), None);
}

#[test]
fn a_use_up_the_layers_is_found() {
    let graph = graph_of(&[("git", "changes"), ("git", "render")]);
    assert_eq!(forbidden_uses(&graph, &allowed()), vec![("git".to_string(), "render".to_string())]);
}

#[test]
fn uses_are_read_from_code_not_comments() {
    let text = "//! see [`crate::render`]\nuse crate::changes::{ChangeSet, Skipped};\n\
                use crate::{finding, source::SourceText};\nlet x = crate::terminal::sanitize(\"//\"); // crate::app\n\
                let y = bindguard_crate::git;\n";
    let uses = uses_in(text);
    let expected: BTreeSet<String> =
        ["changes", "finding", "source", "terminal"].iter().map(ToString::to_string).collect();
    assert_eq!(uses, expected);
}

// ---- reading the source ----

/// The allowed uses of every module, from [`LAYERS`].
fn allowed() -> BTreeMap<&'static str, BTreeSet<&'static str>> {
    LAYERS.iter().map(|(name, uses)| (*name, uses.iter().copied().collect())).collect()
}

/// Uses of one module by another that [`LAYERS`] does not allow (or by a module it does not know).
fn forbidden_uses(graph: &Graph, allowed: &BTreeMap<&str, BTreeSet<&str>>) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (from, uses) in graph {
        for to in uses {
            if !allowed.get(from.as_str()).is_some_and(|ok| ok.contains(to.as_str())) {
                out.push((from.clone(), to.clone()));
            }
        }
    }
    out
}

/// A cycle as the list of modules along it (first = last), if there is one.
fn find_cycle(graph: &Graph) -> Option<Vec<String>> {
    fn visit(node: &str, graph: &Graph, path: &mut Vec<String>, done: &mut BTreeSet<String>) -> Option<Vec<String>> {
        if let Some(start) = path.iter().position(|n| n == node) {
            let mut cycle = path[start..].to_vec();
            cycle.push(node.to_owned());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    graph.keys().find_map(|node| visit(node, graph, &mut Vec::new(), &mut done))
}

fn graph_of(edges: &[(&str, &str)]) -> Graph {
    let mut graph = Graph::new();
    for (from, to) in edges {
        graph.entry(from.to_string()).or_default().insert(to.to_string());
    }
    graph
}

/// Module → modules it uses, and for each use the files it appears in.
fn import_graph(src: &Path) -> (Graph, BTreeMap<(String, String), Vec<String>>) {
    let mut graph = Graph::new();
    let mut sources: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for file in rust_files(src) {
        let relative = file.strip_prefix(src).expect("under src/");
        if relative == Path::new("lib.rs") || relative == Path::new("main.rs") {
            continue;
        }
        let from = module_of(relative);
        let text = std::fs::read_to_string(&file).expect("read a source file");
        for to in uses_in(&text).into_iter().filter(|to| *to != from) {
            graph.entry(from.clone()).or_default().insert(to.clone());
            sources.entry((from.clone(), to)).or_default().push(format!("src/{}", relative.display()));
        }
    }
    (graph, sources)
}

/// The top-level module a file under `src/` belongs to: `git` for `git/push.rs`, `app` for
/// `app.rs`.
fn module_of(relative: &Path) -> String {
    let first = relative.components().next().expect("a file").as_os_str().to_string_lossy();
    first.strip_suffix(".rs").unwrap_or(&first).to_owned()
}

/// Top-level modules: `src/x.rs` and `src/x/`, without the crate roots.
fn modules_of(src: &Path) -> BTreeSet<String> {
    std::fs::read_dir(src)
        .expect("read src/")
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| path.is_dir() || path.extension().is_some_and(|e| e == "rs"))
        .map(|path| module_of(path.strip_prefix(src).expect("under src/")))
        .filter(|name| name != "lib" && name != "main")
        .collect()
}

fn rust_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read a source directory") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files
}

/// The modules named by `crate::` paths in code: `crate::x::…`, and each item of a grouped
/// `crate::{x, y::…}`. A comment starts at `//` at the start of a line or after a blank.
fn uses_in(text: &str) -> BTreeSet<String> {
    let mut uses = BTreeSet::new();
    for line in text.lines() {
        let code = strip_comment(line);
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            let preceded_by_word = rest[..at].chars().next_back().is_some_and(|c| c.is_alphanumeric() || c == '_');
            rest = &rest[at + "crate::".len()..];
            if preceded_by_word {
                continue;
            }
            match rest.strip_prefix('{') {
                Some(group) => uses.extend(group_items(group)),
                None => uses.extend(ident(rest)),
            }
        }
    }
    uses
}

fn strip_comment(line: &str) -> &str {
    let mut previous = ' ';
    for (at, c) in line.char_indices() {
        if c == '/' && line[at..].starts_with("//") && previous.is_whitespace() {
            return &line[..at];
        }
        previous = c;
    }
    line
}

/// The first path segment of each item in `a, b::c, d}` (one level of braces).
fn group_items(group: &str) -> Vec<String> {
    let group = group.split('}').next().unwrap_or_default();
    group.split(',').filter_map(|item| ident(item.trim_start())).collect()
}

fn ident(text: &str) -> Option<String> {
    let name: String = text.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
    (!name.is_empty() && name != "self").then_some(name)
}
