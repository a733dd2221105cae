//! Where a report's paths start. Hook modes give paths relative to the repository root; `check`
//! gives them as the user wrote them, relative to the current directory. CI formats (GitHub
//! annotations, GitLab Code Quality, SARIF) resolve paths against the checkout, and fingerprints
//! must not depend on where the tool ran, so both use [`PathBase::relative`].

use std::path::{Component, Path, PathBuf};

/// How the report's paths relate to the repository. Hook modes give paths relative to the
/// repository root already; `check` gives them as the user wrote them, relative to `cwd`.
#[derive(Debug, Clone, Default)]
pub(crate) struct PathBase {
    /// The repository root (the directory `check` ran in, outside a repository), absolute.
    pub(crate) root: Option<PathBuf>,
    /// Where the report's relative paths start, when not at `root`.
    pub(crate) cwd: Option<PathBuf>,
}

impl PathBase {
    /// The enclosing git worktree of `cwd` (the closest directory with a `.git`), else `cwd`.
    pub(crate) fn for_directory(cwd: &Path) -> Self {
        let root = cwd.ancestors().find(|dir| dir.join(".git").exists()).unwrap_or(cwd);
        Self { root: Some(root.to_path_buf()), cwd: Some(cwd.to_path_buf()) }
    }

    /// `path` relative to the repository root, with `/` separators; a path outside the root stays
    /// absolute.
    pub(crate) fn relative(&self, path: &str) -> String {
        let base = self;
        let given = Path::new(path);
        let absolute = match (&base.cwd, given.is_absolute()) {
            (Some(cwd), false) => cwd.join(given),
            _ => given.to_path_buf(),
        };
        let normal = normalize(&absolute);
        let relative = match &base.root {
            Some(root) if normal.is_absolute() => normal.strip_prefix(normalize(root)).unwrap_or(&normal),
            _ => &normal,
        };
        relative.to_string_lossy().into_owned()
    }
}

/// `.` and `..` resolved without touching the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base(root: &str, cwd: &str) -> PathBase {
        PathBase { root: Some(root.into()), cwd: Some(cwd.into()) }
    }

    #[test]
    fn paths_become_relative_to_the_root() {
        assert_eq!(PathBase::default().relative("app.py"), "app.py");
        assert_eq!(base("/r", "/r").relative("./src/app.py"), "src/app.py");
        assert_eq!(base("/r", "/r/sub").relative("app.py"), "sub/app.py");
        assert_eq!(base("/r", "/r/sub").relative("../x/app.py"), "x/app.py");
        assert_eq!(base("/r", "/elsewhere").relative("/r/sub/app.py"), "sub/app.py");
        assert_eq!(base("/r", "/r").relative("/other/app.py"), "/other/app.py");
    }
}
