//! Paths as SARIF wants them: percent-encoded URI references.

use std::fmt::Write as _;
use std::path::Path;

/// A URI reference for a path: every byte but RFC 3986's unreserved characters and `/` is
/// percent-encoded (`my dir/sérver.py` → `my%20dir/s%C3%A9rver.py`); absolute paths become
/// `file://` URIs.
pub(super) fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len() + 8);
    if path.starts_with('/') {
        out.push_str("file://");
    }
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

/// The root as a directory URI (`file:///srv/repo/`), for SARIF's `originalUriBaseIds`.
pub(super) fn root_uri(root: &Path) -> String {
    let mut text = uri(&root.to_string_lossy());
    if !text.ends_with('/') {
        text.push('/');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_percent_encoded() {
        assert_eq!(uri("my dir/sérver app.py"), "my%20dir/s%C3%A9rver%20app.py");
        assert_eq!(uri("/abs/a#b%.py"), "file:///abs/a%23b%25.py");
        assert_eq!(root_uri(Path::new("/srv/my repo")), "file:///srv/my%20repo/");
    }
}
