//! Pointing index entries at new blobs by editing the index file in place, so that everything
//! else git keeps in it survives: the version (v4 path compression), the resolve-undo data
//! (`REUC`, without which `git checkout -m` cannot recreate a conflict), the untracked cache
//! (`UNTR`), sparse directories (`sdir`). Serialising through gix would drop all of these and
//! write v4 as v2.
//!
//! An entry's size depends only on its path, so the new object id and the cleared stat data
//! (mode kept) are written over the old bytes. Then the extensions that describe entries as they
//! were are dropped, each of which git rebuilds when it needs it: the cache-tree (`TREE`: a
//! stale one makes `git commit` record the unfixed tree), the fsmonitor state (`FSMN`: it would
//! let git skip looking at the changed file), and the offset tables (`EOIE`, `IEOT`). The
//! trailing checksum is recomputed (or left zero under `index.skipHash`). A split index (`link`)
//! keeps most entries in a shared file named by its own hash; it is refused, with how to undo
//! the split.

use anyhow::{Context, bail, ensure};
use gix::ObjectId;

/// One entry to repoint.
#[derive(Debug, Clone, Copy)]
pub(super) struct Repoint<'a> {
    pub(super) path: &'a [u8],
    /// What the entry must hold now (anything else: it was re-staged meanwhile).
    pub(super) expected: ObjectId,
    pub(super) new: ObjectId,
}

/// Stat data before the mode, and after it, in an entry (the mode in between is kept).
const STAT_BEFORE_MODE: std::ops::Range<usize> = 0..24;
const STAT_AFTER_MODE: std::ops::Range<usize> = 28..40;
/// Extensions dropped, for git to rebuild.
const DROPPED: [&[u8; 4]; 4] = [b"TREE", b"FSMN", b"EOIE", b"IEOT"];

/// The index in `bytes` with every `repoint` applied.
pub(super) fn patch(bytes: &[u8], hash: gix::hash::Kind, repoints: &[Repoint<'_>]) -> anyhow::Result<Vec<u8>> {
    let layout = Layout::read(bytes, hash)?;
    let mut out = bytes[..layout.extensions_at].to_vec();
    for repoint in repoints {
        let entry = layout.entries.iter().find(|e| e.path == repoint.path && e.stage == 0).with_context(|| {
            format!("{} is no longer staged; nothing was changed", String::from_utf8_lossy(repoint.path))
        })?;
        let oid = entry.offset + 40..entry.offset + 40 + hash.len_in_bytes();
        if out[oid.clone()] != *repoint.expected.as_bytes() {
            bail!("{} was re-staged while bindguard ran; nothing was changed", String::from_utf8_lossy(repoint.path));
        }
        out[oid].copy_from_slice(repoint.new.as_bytes());
        out[entry.offset + STAT_BEFORE_MODE.start..entry.offset + STAT_BEFORE_MODE.end].fill(0);
        out[entry.offset + STAT_AFTER_MODE.start..entry.offset + STAT_AFTER_MODE.end].fill(0);
    }
    for (signature, range) in &layout.extensions {
        if !DROPPED.contains(&signature) {
            out.extend_from_slice(&bytes[range.clone()]);
        }
    }
    let trailer = &bytes[bytes.len() - hash.len_in_bytes()..];
    if trailer.iter().all(|&b| b == 0) {
        out.extend_from_slice(trailer);
    } else {
        let mut hasher = gix::hash::hasher(hash);
        hasher.update(&out);
        let checksum = hasher.try_finalize().map_err(|e| anyhow::anyhow!("cannot hash the index: {e}"))?;
        out.extend_from_slice(checksum.as_bytes());
    }
    Ok(out)
}

/// Where the parts of an index file are.
struct Layout {
    entries: Vec<EntryAt>,
    extensions_at: usize,
    extensions: Vec<([u8; 4], std::ops::Range<usize>)>,
}

struct EntryAt {
    offset: usize,
    path: Vec<u8>,
    stage: u16,
}

impl Layout {
    fn read(bytes: &[u8], hash: gix::hash::Kind) -> anyhow::Result<Self> {
        let hash_len = hash.len_in_bytes();
        ensure!(bytes.len() >= 12 + hash_len && bytes.starts_with(b"DIRC"), "not a git index");
        let version = be32(bytes, 4);
        ensure!((2..=4).contains(&version), "index version {version} is not supported");
        let count = be32(bytes, 8) as usize;
        let end = bytes.len() - hash_len;
        let mut at = 12;
        let mut entries = Vec::with_capacity(count);
        let mut previous: Vec<u8> = Vec::new();
        for _ in 0..count {
            let fixed = 40 + hash_len;
            ensure!(at + fixed + 2 <= end, "the index ends inside an entry");
            let flags = u16::from_be_bytes([bytes[at + fixed], bytes[at + fixed + 1]]);
            let extended = flags & 0x4000 != 0;
            let name_at = at + fixed + 2 + if extended { 2 } else { 0 };
            let (path, next) = if version == 4 {
                let (strip, suffix_at) = varint(bytes, name_at)?;
                let suffix_len = memchr::memchr(0, &bytes[suffix_at..end]).context("an index path has no end")?;
                ensure!(strip <= previous.len(), "a compressed index path strips too much");
                let mut path = previous[..previous.len() - strip].to_vec();
                path.extend_from_slice(&bytes[suffix_at..suffix_at + suffix_len]);
                (path, suffix_at + suffix_len + 1)
            } else {
                let len = memchr::memchr(0, &bytes[name_at..end]).context("an index path has no end")?;
                let size = (name_at - at + len + 8) & !7;
                (bytes[name_at..name_at + len].to_vec(), at + size)
            };
            entries.push(EntryAt { offset: at, path: path.clone(), stage: (flags >> 12) & 3 });
            previous = path;
            at = next;
        }
        let extensions_at = at;
        let mut extensions = Vec::new();
        while at + 8 <= end {
            let signature: [u8; 4] = bytes[at..at + 4].try_into().expect("four bytes");
            let size = be32(bytes, at + 4) as usize;
            ensure!(at + 8 + size <= end, "an index extension runs past the end");
            if signature == *b"link" {
                bail!(
                    "the index is split (core.splitIndex), and a fix would have to change its shared part; \
                     nothing was changed (`git update-index --no-split-index` undoes the split)"
                );
            }
            if signature[0].is_ascii_lowercase() && signature != *b"sdir" {
                bail!(
                    "the index has an extension git requires and bindguard does not know ({}); nothing was changed",
                    String::from_utf8_lossy(&signature)
                );
            }
            extensions.push((signature, at..at + 8 + size));
            at += 8 + size;
        }
        ensure!(at == end, "the index has bytes after its extensions");
        Ok(Layout { entries, extensions_at, extensions })
    }
}

fn be32(bytes: &[u8], at: usize) -> u32 {
    u32::from_be_bytes(bytes[at..at + 4].try_into().expect("four bytes"))
}

/// Git's offset varint (`decode_varint`), and where it ends.
fn varint(bytes: &[u8], mut at: usize) -> anyhow::Result<(usize, usize)> {
    let mut byte = *bytes.get(at).context("the index ends inside a path")?;
    at += 1;
    let mut value = usize::from(byte & 0x7f);
    while byte & 0x80 != 0 {
        byte = *bytes.get(at).context("the index ends inside a path")?;
        at += 1;
        value = value.checked_add(1).and_then(|v| v.checked_mul(128)).context("a compressed index path is too long")?
            + usize::from(byte & 0x7f);
    }
    Ok((value, at))
}
