//! Which blobs are Python, decided the same way for staged files and pushed commits: the two
//! questions that the path alone cannot answer (spec §8).
//!
//! * An extension-less path is Python only when its first line is a Python shebang, so a blob
//!   over the size limit must still be looked at before the size policy applies to it: a large
//!   binary `tool` is not Python and must not be reported (or, on a fail-closed server, reject
//!   the push) as an oversized Python file.
//! * A blob that the change deletes under one path and adds under another is an exact rename
//!   with no changed line only when the old path was analysed by the same rules; renaming
//!   `example.txt` to `server.py` brings every line of it into the analysis.

use crate::pyfiles::{self, PathKind};

/// An oversized extension-less blob up to this size is read to look at its first line (gix has
/// no partial object read: packed objects may be deltas). Past it, the blob counts as Python and
/// the size policy decides.
pub(super) const SHEBANG_PEEK_LIMIT: u64 = 128 << 20;

/// Whether a blob of `size` bytes at a path of `kind`, over the size limit, is Python and so
/// subject to the size policy; `read` gives its bytes and is called only when the path leaves it
/// open.
pub(super) fn oversized_is_python(
    kind: PathKind,
    size: u64,
    read: impl FnOnce() -> anyhow::Result<Vec<u8>>,
) -> anyhow::Result<bool> {
    Ok(match kind {
        PathKind::Python | PathKind::Stub => true,
        PathKind::NotPython => false,
        PathKind::MaybeScript if size > SHEBANG_PEEK_LIMIT => true,
        PathKind::MaybeScript => pyfiles::has_python_shebang(&read()?),
    })
}

/// Whether moving `bytes` from `old_path` to a path analysed with parser flavour `stub` is a
/// rename the analysis already saw: the old path was Python of the same flavour.
pub(super) fn is_python_rename(old_path: &[u8], bytes: &[u8], stub: bool) -> bool {
    pyfiles::python_flavor(old_path, bytes) == Some(stub)
}

/// Deleted paths that may be the source of an exact rename to a Python path: only those that
/// can themselves be Python.
pub(super) fn may_be_rename_source(old_path: &[u8]) -> bool {
    pyfiles::path_kind(old_path) != PathKind::NotPython
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renames_count_only_between_python_paths_of_one_flavour() {
        let script = b"#!/usr/bin/env python3\nprint()\n";
        assert!(is_python_rename(b"old/app.py", b"x = 1\n", false));
        assert!(!is_python_rename(b"example.txt", b"x = 1\n", false));
        assert!(!is_python_rename(b"types.pyi", b"x = 1\n", false));
        assert!(is_python_rename(b"bin/run", script, false));
        assert!(!is_python_rename(b"bin/run", b"x = 1\n", false));
        assert!(!may_be_rename_source(b"notes.md"));
        assert!(may_be_rename_source(b"bin/run"));
    }

    #[test]
    fn oversized_extensionless_blobs_are_python_only_with_a_shebang() {
        let never = || -> anyhow::Result<Vec<u8>> { panic!("must not read") };
        assert!(oversized_is_python(PathKind::Python, 1 << 30, never).unwrap());
        assert!(!oversized_is_python(PathKind::NotPython, 1 << 30, never).unwrap());
        let binary = || Ok(vec![0x7f, b'E', b'L', b'F', 0, 1]);
        assert!(!oversized_is_python(PathKind::MaybeScript, 12 << 20, binary).unwrap());
        let script = || Ok(b"#!/usr/bin/python3\n".to_vec());
        assert!(oversized_is_python(PathKind::MaybeScript, 12 << 20, script).unwrap());
        assert!(oversized_is_python(PathKind::MaybeScript, SHEBANG_PEEK_LIMIT + 1, never).unwrap());
    }
}
