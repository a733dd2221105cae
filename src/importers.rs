//! The other direction of a change: a changed constant (or a changed sink inside a helper) in
//! one module may reach a bind in a module the change did not touch, which imports it. Those
//! importers are analysed too, as files whose own lines did not change: their findings count
//! only where a value, sink or call on the way lies on a changed line of the change.
//!
//! Importers are looked for only when a change could matter to them — its changed lines hold an
//! address spelling or a sink name (the gate, applied to the changed lines) — and are found by
//! the module's name appearing in their import statements.

use std::collections::HashSet;
use std::sync::Arc;

use crate::changes::{ChangedFile, LineFilter, Scope};
use crate::rules;

/// How many modules deep importers of importers are followed (a package `__init__.py` that
/// re-exports a settings module's constant is one step).
const MAX_IMPORT_DEPTH: usize = 4;

/// Unchanged files of the same versions that import a changed module worth following, directly
/// or through modules that import it (re-exports).
pub(crate) fn importers(files: &[ChangedFile]) -> Vec<ChangedFile> {
    let mut out = Vec::new();
    let mut seen_scopes: Vec<*const Scope> = Vec::new();
    for file in files {
        let Some(scope) = &file.scope else { continue };
        if scope.changed.is_none() || seen_scopes.contains(&Arc::as_ptr(scope)) {
            continue;
        }
        seen_scopes.push(Arc::as_ptr(scope));
        let same: Vec<&ChangedFile> =
            files.iter().filter(|f| f.scope.as_ref().is_some_and(|s| Arc::ptr_eq(s, scope))).collect();
        let mut names: Vec<String> =
            same.iter().filter(|f| worth_following(f)).filter_map(|f| module_name(&f.path)).collect();
        if names.is_empty() {
            continue;
        }
        let mut done: HashSet<String> = same.iter().map(|f| f.path.clone()).collect();
        let imports = imported_words_by_file(scope, &done);
        for _ in 0..MAX_IMPORT_DEPTH {
            let found: Vec<&String> = imports
                .iter()
                .filter(|(path, words)| !done.contains(path) && names.iter().any(|n| words.contains(n)))
                .map(|(path, _)| path)
                .collect();
            if found.is_empty() {
                break;
            }
            names = found.iter().filter_map(|path| module_name(path)).collect();
            for path in found {
                done.insert(path.clone());
                if let Some(bytes) = scope.files.read(path) {
                    out.push(importer(path.clone(), bytes, file, scope));
                }
            }
        }
    }
    out
}

/// The words of each Python file's import statements (the modules and names they import), for
/// the files of the scope not in `skip`.
fn imported_words_by_file(scope: &Scope, skip: &HashSet<String>) -> Vec<(String, HashSet<String>)> {
    let mut out = Vec::new();
    for path in scope.files.python_paths() {
        if skip.contains(&path) {
            continue;
        }
        let Some(bytes) = scope.files.read(&path) else { continue };
        let words = import_words(&bytes);
        if !words.is_empty() {
            out.push((path, words));
        }
    }
    out
}

fn importer(path: String, bytes: Vec<u8>, like: &ChangedFile, scope: &Arc<Scope>) -> ChangedFile {
    ChangedFile {
        stub: path.ends_with(".pyi"),
        commit: like.commit.clone(),
        scope: Some(scope.clone()),
        importer: true,
        ..ChangedFile::new(path.clone(), path.into_bytes(), bytes, LineFilter::Only(Vec::new()))
    }
}

/// Whether the changed lines of a file hold something another module could pick up: an
/// address spelling, a sink name or an entry point (its address may come from an importer).
fn worth_following(file: &ChangedFile) -> bool {
    let changed: Vec<u8> = match &file.lines {
        LineFilter::All => return rules::may_define_sinks(&file.bytes) || rules::may_spell_address(&file.bytes),
        LineFilter::Only(lines) if lines.is_empty() => return false,
        LineFilter::Only(lines) => file
            .bytes
            .split_inclusive(|&b| b == b'\n')
            .enumerate()
            .filter(|(i, _)| lines.binary_search(&(*i as u32 + 1)).is_ok())
            .flat_map(|(_, line)| line.iter().copied())
            .collect(),
    };
    rules::may_define_sinks(&changed) || rules::may_spell_address(&changed) || passes_names_on(file)
}

/// Whether a changed line binds a name from other names (`HOST = ANY`): importers that bind
/// with that name may now bind with another value.
fn passes_names_on(file: &ChangedFile) -> bool {
    let LineFilter::Only(lines) = &file.lines else { return true };
    !lines.is_empty() && rules::inert::passes_names_on(&file.bytes, file.stub, lines)
}

/// The name other modules import a file by: its stem, or its package's name for `__init__.py`.
fn module_name(path: &str) -> Option<String> {
    let mut parts = path.rsplit('/');
    let file = parts.next()?;
    let stem = file.strip_suffix(".py").or_else(|| file.strip_suffix(".pyi"))?;
    let name = if stem == "__init__" { parts.next()? } else { stem };
    (!name.is_empty()).then(|| name.to_owned())
}

/// The identifiers of the file's `import` and `from` statements (the gate's reading of them:
/// over bracketed lines, past backslashes, after `;` and `:`).
fn import_words(bytes: &[u8]) -> HashSet<String> {
    let text = String::from_utf8_lossy(bytes);
    let words = |s: &str| -> Vec<String> {
        s.split(|c: char| !(c.is_alphanumeric() || c == '_')).filter(|w| !w.is_empty()).map(str::to_owned).collect()
    };
    rules::import_statements(&text).iter().flat_map(|s| words(s)).collect()
}

/// Whether an `import` or `from` statement of the file names one of the modules.
#[cfg(test)]
fn imports_any(bytes: &[u8], names: &[String]) -> bool {
    let words = import_words(bytes);
    names.iter().any(|n| words.contains(n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_names_and_imports() {
        assert_eq!(module_name("pkg/config.py").as_deref(), Some("config"));
        assert_eq!(module_name("pkg/__init__.py").as_deref(), Some("pkg"));
        assert_eq!(module_name("README.md"), None);
        let names = vec!["config".to_owned()];
        assert!(imports_any(b"from .config import HOST\n", &names));
        assert!(imports_any(b"import pkg.config as cfg\n", &names));
        assert!(imports_any(b"from pkg import config, other\n", &names));
        assert!(!imports_any(b"from pkg import configuration\n", &names));
        assert!(!imports_any(b"config = 1\n", &names));
        assert!(imports_any(b"from pkg import (\n    other,\n    config,\n)\n", &names));
        assert!(imports_any(b"from.config import HOST\n", &names));
        assert!(imports_any(b"from\tconfig import HOST\n", &names));
        assert!(imports_any(b"import\tconfig\n", &names));
        assert!(imports_any(b"from \\\n    config import HOST\n", &names));
        assert!(!imports_any(b"from pkg import (\n    other,\n)\nconfig = 1\n", &names));
        assert!(!imports_any(b"reimport config\n", &names));
    }
}
