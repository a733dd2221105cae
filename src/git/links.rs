//! Symbolic links with Python names (spec §8 by name): `app.py` as a link to `server.txt` runs
//! `server.txt`'s content as `app.py`. A link is followed within the snapshot it belongs to (the
//! index, a commit's tree), never on disk: a link whose target lies inside the repository is
//! analysed with its target's content under the link's own name; a link that leaves the
//! repository (an absolute path, too many `..`) has content the commit does not hold, and is
//! reported as not analysed.

/// Links followed one after another before giving up (Linux's `MAXSYMLINKS`).
pub(crate) const MAX_HOPS: usize = 40;

/// Where a link's target is, relative to the repository root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    /// A path inside the repository (`/`-separated, normalised).
    Inside(Vec<u8>),
    /// An absolute path, or one that climbs out of the repository.
    Outside,
}

/// The target of the link at `link_path` whose content is `target` (the blob of a mode-120000
/// entry), resolved against the link's directory.
pub(crate) fn resolve(link_path: &[u8], target: &[u8]) -> Target {
    if target.is_empty() || target.starts_with(b"/") || target.contains(&0) {
        return Target::Outside;
    }
    let mut parts: Vec<&[u8]> = link_path.split(|&b| b == b'/').collect();
    parts.pop();
    for part in target.split(|&b| b == b'/') {
        match part {
            b"" | b"." => {}
            b".." => {
                if parts.pop().is_none() {
                    return Target::Outside;
                }
            }
            name => parts.push(name),
        }
    }
    if parts.is_empty() {
        return Target::Outside;
    }
    Target::Inside(parts.join(&b'/'))
}

/// What became of following a link with a Python name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Followed<Id> {
    /// A regular file inside the repository: analysed with this content.
    Blob(Id),
    /// Out of the repository: not analysed.
    Outside(Vec<u8>),
    /// Nothing a commit could run (a missing target, a directory, a submodule, a loop).
    Nowhere(&'static str),
}

/// What a snapshot holds at a path, for [`follow`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Entry<Id> {
    Blob(Id),
    Link(Id),
    Other,
}

/// Follows the link at `path` (target bytes `target`) through `lookup` (the snapshot's entry at a
/// path) and `read` (a link's target bytes), up to [`MAX_HOPS`] links.
pub(crate) fn follow<Id>(
    path: &[u8],
    target: Vec<u8>,
    lookup: impl Fn(&[u8]) -> anyhow::Result<Option<Entry<Id>>>,
    read: impl Fn(&Id) -> anyhow::Result<Vec<u8>>,
) -> anyhow::Result<Followed<Id>> {
    let (mut at, mut target) = (path.to_vec(), target);
    for _ in 0..MAX_HOPS {
        let Target::Inside(next) = resolve(&at, &target) else {
            return Ok(Followed::Outside(target));
        };
        match lookup(&next)? {
            Some(Entry::Blob(id)) => return Ok(Followed::Blob(id)),
            Some(Entry::Link(id)) => {
                target = read(&id)?;
                at = next;
            }
            Some(Entry::Other) => return Ok(Followed::Nowhere("a symlink to a directory or a submodule")),
            None => return Ok(Followed::Nowhere("a symlink to a file the commit does not have")),
        }
    }
    Ok(Followed::Nowhere("a symlink loop"))
}

/// The path `path` stands for once the links among its folders are followed within the
/// snapshot (`pkg -> real_pkg`, then `pkg/settings.py` is `real_pkg/settings.py`), as Python
/// would import it; `None` when a folder link leads out of the repository or links loop. The
/// last component is left to [`follow`].
pub(crate) fn through_folder_links<Id>(
    path: &[u8],
    lookup: impl Fn(&[u8]) -> anyhow::Result<Option<Entry<Id>>>,
    read: impl Fn(&Id) -> anyhow::Result<Vec<u8>>,
) -> anyhow::Result<Option<Vec<u8>>> {
    let mut path = path.to_vec();
    'hops: for _ in 0..MAX_HOPS {
        let folders = path.iter().enumerate().filter(|&(_, &b)| b == b'/').map(|(at, _)| at);
        for end in folders {
            if let Some(Entry::Link(id)) = lookup(&path[..end])? {
                let Target::Inside(target) = resolve(&path[..end], &read(&id)?) else { return Ok(None) };
                path = [target.as_slice(), &path[end..]].concat();
                continue 'hops;
            }
        }
        return Ok(Some(path));
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inside(path: &str) -> Target {
        Target::Inside(path.as_bytes().to_vec())
    }

    #[test]
    fn targets_resolve_against_the_link_directory() {
        assert_eq!(resolve(b"app.py", b"server.txt"), inside("server.txt"));
        assert_eq!(resolve(b"a/b/app.py", b"../c/./s.txt"), inside("a/c/s.txt"));
        assert_eq!(resolve(b"a/app.py", b"../../etc/passwd"), Target::Outside);
        assert_eq!(resolve(b"app.py", b"/etc/passwd"), Target::Outside);
        assert_eq!(resolve(b"app.py", b".."), Target::Outside);
        assert_eq!(resolve(b"app.py", b""), Target::Outside);
    }

    #[test]
    fn chains_are_followed_and_loops_end() {
        let lookup = |path: &[u8]| -> anyhow::Result<Option<Entry<u8>>> {
            Ok(match path {
                b"one" => Some(Entry::Link(1)),
                b"two" => Some(Entry::Blob(2)),
                b"loop" => Some(Entry::Link(3)),
                b"dir" => Some(Entry::Other),
                _ => None,
            })
        };
        let read =
            |id: &u8| -> anyhow::Result<Vec<u8>> { Ok(if *id == 1 { b"two".to_vec() } else { b"loop".to_vec() }) };
        assert_eq!(follow(b"app.py", b"one".to_vec(), lookup, read).unwrap(), Followed::Blob(2));
        assert!(matches!(follow(b"app.py", b"loop".to_vec(), lookup, read).unwrap(), Followed::Nowhere(_)));
        assert!(matches!(follow(b"app.py", b"dir".to_vec(), lookup, read).unwrap(), Followed::Nowhere(_)));
        assert!(matches!(follow(b"app.py", b"gone".to_vec(), lookup, read).unwrap(), Followed::Nowhere(_)));
        assert_eq!(follow(b"app.py", b"/x".to_vec(), lookup, read).unwrap(), Followed::Outside(b"/x".to_vec()));
    }

    #[test]
    fn folder_links_are_followed_within_the_snapshot() {
        let lookup = |path: &[u8]| -> anyhow::Result<Option<Entry<u8>>> {
            Ok(match path {
                b"pkg" => Some(Entry::Link(1)),
                b"lib/up" => Some(Entry::Link(2)),
                b"out" => Some(Entry::Link(3)),
                b"loop" => Some(Entry::Link(4)),
                b"real" | b"lib" => Some(Entry::Other),
                _ => None,
            })
        };
        let read = |id: &u8| -> anyhow::Result<Vec<u8>> {
            Ok(match id {
                1 => b"real".to_vec(),
                2 => b"../pkg".to_vec(),
                3 => b"../elsewhere".to_vec(),
                _ => b"loop".to_vec(),
            })
        };
        let through = |path: &[u8]| through_folder_links(path, lookup, read).unwrap();
        assert_eq!(through(b"pkg/settings.py"), Some(b"real/settings.py".to_vec()));
        assert_eq!(through(b"lib/up/settings.py"), Some(b"real/settings.py".to_vec()), "a link to a link");
        assert_eq!(through(b"plain/settings.py"), Some(b"plain/settings.py".to_vec()));
        assert_eq!(through(b"out/settings.py"), None, "out of the repository");
        assert_eq!(through(b"loop/settings.py"), None, "a loop");
    }
}
