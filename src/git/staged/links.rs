//! Staged symlinks with Python names, followed within the index (see [`crate::git::links`]): a
//! new or changed link is analysed with its target's staged content, and an unchanged link is
//! analysed again when the commit changes the file it points at (`app.py` → `server.txt`, and
//! only `server.txt` is edited).

use std::collections::HashMap;

use anyhow::Context;
use gix::ObjectId;
use gix::bstr::ByteSlice;
use gix::index::State;
use gix::index::entry::Mode;

use super::load::{Candidate, display};
use super::walk::{Change, Version};
use crate::changes::{Cause, Incomplete, Skipped};
use crate::git::links::{Entry, Followed, follow};
use crate::pyfiles::{self, PathKind};

/// What the staged links with Python names bring.
#[derive(Default)]
pub(super) struct Links {
    pub(super) candidates: Vec<Candidate>,
    pub(super) incomplete: Vec<Incomplete>,
    pub(super) skipped: Vec<Skipped>,
}

/// Follows the changed links, and the unchanged links whose target the commit changes.
pub(super) fn staged_links(repo: &gix::Repository, index: &State, changes: &[Change]) -> anyhow::Result<Links> {
    let mut links = Links::default();
    let mut done: Vec<&[u8]> = Vec::new();
    for change in changes {
        if let Some(Version::Symlink(id)) = change.new
            && pyfiles::path_kind(&change.path) != PathKind::NotPython
        {
            links.add(repo, index, &change.path, id, None)?;
            done.push(&change.path);
        }
    }
    // Regular files the commit adds or changes that the path alone does not make Python: the
    // possible targets of unchanged links, with their old blob.
    let targets: HashMap<ObjectId, Option<ObjectId>> = changes
        .iter()
        .filter(|c| !matches!(pyfiles::path_kind(&c.path), PathKind::Python | PathKind::Stub))
        .filter_map(|c| match (c.new, c.old) {
            (Some(Version::Blob(new)), Some(Version::Blob(old))) => Some((new, Some(old))),
            (Some(Version::Blob(new)), _) => Some((new, None)),
            _ => None,
        })
        .collect();
    if targets.is_empty() {
        return Ok(links);
    }
    for entry in index.entries().iter().filter(|e| e.mode == Mode::SYMLINK && e.stage_raw() == 0) {
        let path = entry.path(index);
        if pyfiles::path_kind(path) == PathKind::NotPython || done.contains(&path.as_bytes()) {
            continue;
        }
        if let Followed::Blob(target) = follow_in_index(repo, index, path, entry.id)?
            && let Some(&old) = targets.get(&target)
        {
            links.candidates.push(Candidate { path: path.to_vec(), old, new: target, renamed_from: None });
        }
    }
    Ok(links)
}

impl Links {
    /// A changed link: its target's content counts whole (the link now names other content).
    fn add(
        &mut self,
        repo: &gix::Repository,
        index: &State,
        path: &[u8],
        id: ObjectId,
        old: Option<ObjectId>,
    ) -> anyhow::Result<()> {
        match follow_in_index(repo, index, path, id)? {
            Followed::Blob(target) => {
                self.candidates.push(Candidate { path: path.to_vec(), old, new: target, renamed_from: None });
            }
            Followed::Outside(target) => {
                let reason = format!(
                    "a symlink to {}, outside the repository: what it runs is not in the commit",
                    String::from_utf8_lossy(&target)
                );
                self.incomplete.push(Incomplete::new(display(path), reason, Cause::Analysis));
            }
            Followed::Nowhere(why) => {
                self.skipped.push(Skipped { path: display(path), reason: why.to_owned() });
            }
        }
        Ok(())
    }
}

pub(super) fn follow_in_index(
    repo: &gix::Repository,
    index: &State,
    path: &[u8],
    id: ObjectId,
) -> anyhow::Result<Followed<ObjectId>> {
    let read = |id: &ObjectId| -> anyhow::Result<Vec<u8>> {
        Ok(repo.find_blob(*id).with_context(|| format!("cannot read symlink blob {id}"))?.take_data())
    };
    follow(path, read(&id)?, |path| Ok(index_entry(index, path)), read)
}

/// What the index holds at `path`, for following links.
pub(super) fn index_entry(index: &State, path: &[u8]) -> Option<Entry<ObjectId>> {
    index.entry_by_path(path.as_bstr()).map(|e| match e.mode {
        Mode::FILE | Mode::FILE_EXECUTABLE => Entry::Blob(e.id),
        Mode::SYMLINK => Entry::Link(e.id),
        _ => Entry::Other,
    })
}
