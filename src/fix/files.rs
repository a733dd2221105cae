//! Replacing a file on disk atomically: a temporary file in the same directory with the
//! original permissions, then a rename, so an interrupted run leaves the old file or the new one.

use std::io::Write;
use std::path::Path;

use anyhow::Context;

/// Replaces `path` with `bytes`, refusing when it is read-only or no longer holds `expected`.
pub(crate) fn replace_file(path: &Path, expected: &[u8], bytes: &[u8]) -> anyhow::Result<()> {
    let current = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    anyhow::ensure!(current == expected, "the file changed on disk since it was checked");
    let metadata = std::fs::metadata(path)?;
    anyhow::ensure!(!metadata.permissions().readonly(), "the file is read-only");
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut temp = tempfile::Builder::new()
        .prefix(".bindguard-fix")
        .tempfile_in(dir)
        .with_context(|| format!("cannot create a temporary file in {}", dir.display()))?;
    temp.write_all(bytes)?;
    temp.as_file().sync_all()?;
    temp.as_file().set_permissions(metadata.permissions())?;
    temp.persist(path).with_context(|| format!("cannot replace {}", path.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_and_keeps_permissions() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.py");
        std::fs::write(&path, "old\n").unwrap();
        std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o640)).unwrap();
        replace_file(&path, b"old\n", b"new\n").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new\n");
        let mode = std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&path).unwrap().permissions());
        assert_eq!(mode & 0o777, 0o640);
    }

    #[test]
    fn a_file_replaced_since_it_was_checked_is_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.py");
        std::fs::write(&path, "someone else's new content\n").unwrap();
        let err = replace_file(&path, b"what was analysed\n", b"fixed\n").unwrap_err();
        assert_eq!(err.to_string(), "the file changed on disk since it was checked");
        assert_eq!(std::fs::read(&path).unwrap(), b"someone else's new content\n");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "no temporary file left behind");
    }

    #[test]
    fn a_vanished_file_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        assert!(replace_file(&dir.path().join("gone.py"), b"x", b"y").is_err());
    }
}
