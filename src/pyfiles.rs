//! Which files are Python (spec §8): `*.py`, `*.pyi`, `*.pyw`, and extension-less files whose
//! first line is a Python shebang.

/// What a path alone says about a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PathKind {
    Python,
    Stub,
    /// No extension: Python only if its first line is a Python shebang.
    MaybeScript,
    NotPython,
}

/// Classifies a path by its file name (bytes, so that non-UTF-8 git paths work).
pub(crate) fn path_kind(path: &[u8]) -> PathKind {
    let name = path.rsplit(|&b| b == b'/').next().unwrap_or(path);
    match name.iter().rposition(|&b| b == b'.') {
        Some(0) | None => PathKind::MaybeScript,
        Some(dot) => match &name[dot + 1..] {
            b"py" | b"pyw" => PathKind::Python,
            b"pyi" => PathKind::Stub,
            _ => PathKind::NotPython,
        },
    }
}

/// True when the first line is a shebang naming a Python interpreter (`python`, `python3.12`,
/// `env python3`, `uv run --script`-style `env -S python3`).
pub(crate) fn has_python_shebang(bytes: &[u8]) -> bool {
    let Some(rest) = bytes.strip_prefix(b"#!") else { return false };
    let line = &rest[..memchr::memchr(b'\n', rest).unwrap_or(rest.len())];
    line.split(u8::is_ascii_whitespace)
        .filter(|word| !word.is_empty())
        .map(|word| word.rsplit(|&b| b == b'/').next().unwrap_or(word))
        .take(4)
        .any(|prog| prog.starts_with(b"python") || prog == b"pypy3" || prog == b"pypy")
}

/// Whether a file with these path and bytes is analysed; `Some(stub)` when it is.
pub(crate) fn python_flavor(path: &[u8], bytes: &[u8]) -> Option<bool> {
    match path_kind(path) {
        PathKind::Python => Some(false),
        PathKind::Stub => Some(true),
        PathKind::MaybeScript => has_python_shebang(bytes).then_some(false),
        PathKind::NotPython => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extensions() {
        assert_eq!(path_kind(b"a/b/app.py"), PathKind::Python);
        assert_eq!(path_kind(b"gui.pyw"), PathKind::Python);
        assert_eq!(path_kind(b"types.pyi"), PathKind::Stub);
        assert_eq!(path_kind(b"notes.txt"), PathKind::NotPython);
        assert_eq!(path_kind(b"bin/run-server"), PathKind::MaybeScript);
        assert_eq!(path_kind(b"dir.d/.hidden"), PathKind::MaybeScript);
    }

    #[test]
    fn shebangs() {
        assert!(has_python_shebang(b"#!/usr/bin/env python3\nprint()"));
        assert!(has_python_shebang(b"#!/usr/bin/python3.12 -u\n"));
        assert!(!has_python_shebang(b"#!/bin/sh\nexec gunicorn\n"));
        assert!(!has_python_shebang(b"web: gunicorn -b 0.0.0.0:$PORT app:app\n"));
        assert_eq!(python_flavor(b"Procfile", b"web: x\n"), None);
    }
}
