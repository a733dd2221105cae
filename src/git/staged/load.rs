//! Reading the staged blobs that are Python and working out which of their lines count.
//!
//! Blobs are read from the object database only, never from the worktree, so a partially staged
//! file is judged by what is staged. The size is checked from the object header before a blob is
//! read; an extension-less path over the limit is first checked for a Python shebang
//! ([`crate::git::blob_kind`]).

use anyhow::Context;
use gix::ObjectId;
use rayon::prelude::*;

use super::Options;
use crate::changes::{Cause, ChangedFile, Incomplete, LineFilter};
use crate::git::blob_kind;
use crate::git::lines::changed_lines;
use crate::pyfiles::{self, PathKind};
use crate::source::Skip;

/// From this many staged blobs on (a first commit, a large import) they are read in parallel.
const PARALLEL_FROM: usize = 32;

/// A staged blob to read, with the HEAD blob it replaces.
pub(super) struct Candidate {
    pub(crate) path: Vec<u8>,
    pub(crate) old: Option<ObjectId>,
    pub(crate) new: ObjectId,
    /// A path the commit deletes with the same blob: an exact rename when that path was Python
    /// of the same flavour, with no line changed.
    pub(crate) renamed_from: Option<Vec<u8>>,
}

pub(super) enum Loaded {
    File(ChangedFile),
    Incomplete(Incomplete),
    NotPython,
}

/// Loads every candidate, in order; in parallel when there are many.
pub(super) fn load_all(
    repo: &gix::Repository,
    candidates: Vec<Candidate>,
    options: &Options,
) -> anyhow::Result<Vec<Loaded>> {
    if candidates.len() < PARALLEL_FROM {
        return candidates.into_iter().map(|c| load(repo, c, options)).collect();
    }
    // gix handles are single-threaded with this crate's features: each worker opens its own.
    let git_dir = repo.git_dir().to_path_buf();
    let thread_repo = || crate::git::open::open_at(&git_dir).map_err(|e| format!("{e:#}"));
    candidates
        .into_par_iter()
        .map_init(thread_repo, |repo, c| match repo {
            Ok(repo) => load(repo, c, options),
            Err(e) => Err(anyhow::anyhow!("{e}")),
        })
        .collect()
}

/// Reads one staged blob and works out which of its lines count.
fn load(repo: &gix::Repository, candidate: Candidate, options: &Options) -> anyhow::Result<Loaded> {
    let Candidate { path, old, new, renamed_from } = candidate;
    let kind = pyfiles::path_kind(&path);
    if kind == PathKind::NotPython {
        return Ok(Loaded::NotPython);
    }
    let shown = display(&path);
    let size = blob_size(repo, new, &shown)?;
    if size > options.max_file_size || size > crate::source::memory::max_readable() {
        return oversized(repo, new, kind, size, shown, options);
    }
    let bytes = read_blob(repo, new, &shown)?;
    let Some(stub) = pyfiles::python_flavor(&path, &bytes) else {
        return Ok(Loaded::NotPython);
    };
    let renamed = renamed_from.is_some_and(|from| blob_kind::is_python_rename(&from, &bytes, stub));
    let lines = match old {
        _ if options.all_lines => LineFilter::All,
        _ if renamed => LineFilter::Only(Vec::new()),
        None => LineFilter::All,
        Some(old) if blob_size(repo, old, &shown)? > options.max_file_size => LineFilter::All,
        Some(old) => changed_lines(&read_blob(repo, old, &shown)?, &bytes),
    };
    Ok(Loaded::File(ChangedFile { stub, ..ChangedFile::new(shown, path, bytes, lines) }))
}

/// A blob over the size limit: not analysed (and reported) when it is Python, ignored otherwise.
fn oversized(
    repo: &gix::Repository,
    id: ObjectId,
    kind: PathKind,
    size: u64,
    shown: String,
    options: &Options,
) -> anyhow::Result<Loaded> {
    if !blob_kind::oversized_is_python(kind, size, || read_blob(repo, id, &shown))? {
        return Ok(Loaded::NotPython);
    }
    let reason = if size > options.max_file_size {
        Skip::TooLarge { size, limit: options.max_file_size }.to_string()
    } else {
        let cap = crate::source::memory::per_file();
        Skip::TooMuchMemory { estimate: size.saturating_mul(cap / crate::source::memory::max_readable()), cap }
            .to_string()
    };
    Ok(Loaded::Incomplete(Incomplete::new(shown, reason, Cause::Size)))
}

fn blob_size(repo: &gix::Repository, id: ObjectId, path: &str) -> anyhow::Result<u64> {
    let header = repo.find_header(id).with_context(|| format!("cannot find object {id} of {path}"))?;
    Ok(header.size())
}

fn read_blob(repo: &gix::Repository, id: ObjectId, path: &str) -> anyhow::Result<Vec<u8>> {
    let mut blob = repo.find_blob(id).with_context(|| format!("cannot read blob {id} of {path}"))?;
    Ok(blob.take_data())
}

/// Repository-relative path for display (lossy; control characters are escaped at render).
pub(super) fn display(path: &[u8]) -> String {
    String::from_utf8_lossy(path).into_owned()
}
