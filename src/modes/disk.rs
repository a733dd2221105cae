//! The files on disk as a version of the project, for `check`: imports are followed into the
//! trees given on the command line and the packages their files belong to, nowhere else.

use std::io::Read;
use std::path::Path;

use crate::snapshot::Snapshot;

/// Regular files under the allowed folders, read up to a size limit.
pub(crate) struct Disk {
    /// Folders (as `/`-separated paths, `""` for the current one) whose files may be read.
    allowed: Vec<String>,
    max_file_size: u64,
}

impl Disk {
    /// The folders of `paths` (a file's folder for a file), each widened to the outermost
    /// package around it (`__init__.py` in every folder on the way).
    pub(crate) fn new(paths: &[std::path::PathBuf], max_file_size: u64) -> Self {
        let mut allowed: Vec<String> = Vec::new();
        for path in paths {
            let dir = if path.is_dir() { path.as_path() } else { path.parent().unwrap_or(Path::new("")) };
            let mut top = normalize(dir);
            while !top.is_empty() && top != "/" && Path::new(&top).join("__init__.py").is_file() {
                top = crate::rules::parent_dir(&top).to_owned();
            }
            allowed.push(top);
        }
        Disk { allowed, max_file_size }
    }

    fn is_allowed(&self, path: &str) -> bool {
        self.allowed.iter().any(|dir| dir.is_empty() && !path.starts_with('/') || within(path, dir))
    }
}

/// `./a/b` → `a/b`, `.` → ``.
fn normalize(dir: &Path) -> String {
    let text = dir.to_string_lossy().replace('\\', "/");
    let text = text.trim_start_matches("./").trim_end_matches('/');
    if text == "." { String::new() } else { text.to_owned() }
}

fn within(path: &str, dir: &str) -> bool {
    path.strip_prefix(dir).is_some_and(|rest| rest.starts_with('/')) || dir == "/" && path.starts_with('/')
}

impl Snapshot for Disk {
    fn read(&self, path: &str) -> Option<Vec<u8>> {
        if !self.is_allowed(path) {
            return None;
        }
        let file = std::fs::File::open(path).ok()?;
        let meta = file.metadata().ok()?;
        if !meta.is_file() || meta.len() > self.max_file_size {
            return None;
        }
        let mut bytes = Vec::with_capacity(meta.len() as usize);
        file.take(meta.len()).read_to_end(&mut bytes).ok()?;
        Some(bytes)
    }

    fn exists(&self, path: &str) -> bool {
        self.is_allowed(path) && std::fs::metadata(path).is_ok_and(|m| m.is_file())
    }
}
