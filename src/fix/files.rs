//! Replacing a file on disk atomically: a temporary file in the same directory with the
//! original permissions, then a rename, so an interrupted run leaves the old file or the new one.

use std::io::Write;
use std::path::Path;

use anyhow::Context;

/// Replaces `path` with `bytes`, refusing when it is read-only or no longer holds `expected`.
pub fn replace_file(path: &Path, expected: &[u8], bytes: &[u8]) -> anyhow::Result<()> {
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
