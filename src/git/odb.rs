//! Object lookup across layers: the push quarantine first, then the repository, then the
//! alternates gix cannot follow.
//!
//! During `pre-receive` the pushed objects live only in a quarantine directory that git names in
//! `GIT_QUARANTINE_PATH` / `GIT_OBJECT_DIRECTORY`, with the repository's own objects listed in
//! `GIT_ALTERNATE_OBJECT_DIRECTORIES`. gix ignores these variables, so [`LayeredOdb`] opens each
//! directory as its own store and asks them in order. It also adds a layer for every alternate
//! deeper than one level: gix resolves a nested *relative* alternate against the top-level object
//! directory instead of the directory holding the `alternates` file (fork networks chain them).

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use anyhow::Context;
use gix::objs::{Exists, Find, FindHeader};

/// How deep git follows alternates (`MAX_ALTERNATE_DEPTH` is 5 in git).
const MAX_ALTERNATE_DEPTH: usize = 5;

/// One object store.
enum Layer {
    Store(gix::odb::Handle),
    Repo(gix::OdbHandle),
}

impl Layer {
    fn store(dir: &Path, kind: gix::hash::Kind) -> anyhow::Result<Self> {
        let mut handle =
            gix::odb::at(dir, kind).with_context(|| format!("cannot open object directory {}", dir.display()))?;
        super::open::install_pack_cache(&mut handle);
        Ok(Layer::Store(handle))
    }

    fn try_find<'a>(&self, id: &gix::oid, buf: &'a mut Vec<u8>) -> gix::Result<Option<gix::objs::Data<'a>>> {
        match self {
            Layer::Store(h) => h.try_find(id, buf),
            Layer::Repo(h) => h.try_find(id, buf),
        }
    }

    fn try_header(&self, id: &gix::oid) -> gix::Result<Option<gix::objs::Header>> {
        match self {
            Layer::Store(h) => h.try_header(id),
            Layer::Repo(h) => h.try_header(id),
        }
    }

    fn exists(&self, id: &gix::oid) -> bool {
        match self {
            Layer::Store(h) => h.exists(id),
            Layer::Repo(h) => h.exists(id),
        }
    }
}

/// Quarantine(s), then the repository, then deep alternates; the first layer that has an
/// object answers. A layer that fails is skipped when a later one has the object, and its
/// error is returned when none has it.
pub(crate) struct LayeredOdb {
    layers: Vec<Layer>,
}

impl LayeredOdb {
    /// Layers for `repo` in the current process environment (hook variables included).
    pub(crate) fn for_repo(repo: &gix::Repository) -> anyhow::Result<Self> {
        let kind = repo.object_hash();
        let main_dir = canonical(repo.objects.store_ref().path());
        let mut seen: HashSet<PathBuf> = HashSet::from([main_dir.clone()]);
        let mut layers = Vec::new();
        for dir in quarantine_dirs() {
            if seen.insert(canonical(&dir)) {
                layers.push(Layer::store(&dir, kind)?);
            }
        }
        layers.push(Layer::Repo(repo.objects.clone()));
        for dir in env_alternates().into_iter().chain(deep_alternates(&main_dir)) {
            if dir.is_dir() && seen.insert(canonical(&dir)) {
                layers.push(Layer::store(&dir, kind)?);
            }
        }
        Ok(Self { layers })
    }

    fn repo_layer(&self) -> Option<&Layer> {
        self.layers.iter().find(|l| matches!(l, Layer::Repo(_)))
    }
}

impl Find for LayeredOdb {
    fn try_find<'a>(&self, id: &gix::oid, buf: &'a mut Vec<u8>) -> gix::Result<Option<gix::objs::Data<'a>>> {
        // `exists` is an index lookup or a stat; it spares decoding an object twice. When no
        // layer has the object, the repository layer answers (and reports its own failure).
        let layer = self.layers.iter().find(|l| l.exists(id)).or_else(|| self.repo_layer());
        match layer {
            Some(layer) => layer.try_find(id, buf),
            None => Ok(None),
        }
    }
}

impl FindHeader for LayeredOdb {
    fn try_header(&self, id: &gix::oid) -> gix::Result<Option<gix::objs::Header>> {
        let mut first_error = None;
        for layer in &self.layers {
            match layer.try_header(id) {
                Ok(Some(header)) => return Ok(Some(header)),
                Ok(None) => {}
                Err(err) => {
                    first_error.get_or_insert(err);
                }
            }
        }
        first_error.map_or(Ok(None), Err)
    }
}

impl Exists for LayeredOdb {
    fn exists(&self, id: &gix::oid) -> bool {
        self.layers.iter().any(|l| l.exists(id))
    }
}

/// `GIT_QUARANTINE_PATH`, and `GIT_OBJECT_DIRECTORY` when it names another directory.
fn quarantine_dirs() -> Vec<PathBuf> {
    ["GIT_QUARANTINE_PATH", "GIT_OBJECT_DIRECTORY"]
        .into_iter()
        .filter_map(std::env::var_os)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .filter(|p| p.is_dir())
        .collect()
}

/// The directories of `GIT_ALTERNATE_OBJECT_DIRECTORIES` (colon-separated, as git writes it).
fn env_alternates() -> Vec<PathBuf> {
    let Some(value) = std::env::var_os("GIT_ALTERNATE_OBJECT_DIRECTORIES") else {
        return Vec::new();
    };
    std::env::split_paths(&value).filter(|p| !p.as_os_str().is_empty()).collect()
}

/// Alternates two or more levels below `objects_dir`, each relative path resolved against the
/// object directory whose `info/alternates` names it (git's rule).
fn deep_alternates(objects_dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut seen = HashSet::from([objects_dir.to_path_buf()]);
    let mut level = vec![objects_dir.to_path_buf()];
    for depth in 0..MAX_ALTERNATE_DEPTH {
        let mut next = Vec::new();
        for dir in &level {
            for alternate in read_alternates(dir) {
                let alternate = canonical(&dir.join(alternate));
                if seen.insert(alternate.clone()) {
                    next.push(alternate);
                }
            }
        }
        if depth > 0 {
            out.extend(next.iter().cloned());
        }
        level = next;
    }
    out
}

fn read_alternates(objects_dir: &Path) -> Vec<PathBuf> {
    std::fs::read(objects_dir.join("info").join("alternates"))
        .ok()
        .and_then(|bytes| gix::odb::alternate::parse(&bytes).ok())
        .unwrap_or_default()
}

fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_alternates_resolve_relative_to_their_own_directory() {
        let root = tempfile::tempdir().unwrap();
        let objects = |name: &str| {
            let dir = root.path().join(name).join("objects");
            std::fs::create_dir_all(dir.join("info")).unwrap();
            dir
        };
        let (a, b, c) = (objects("a.git"), objects("b.git"), objects("nested/c.git"));
        std::fs::write(a.join("info/alternates"), "../../b.git/objects\n").unwrap();
        std::fs::write(b.join("info/alternates"), "# comment\n../../nested/c.git/objects\n").unwrap();
        assert_eq!(deep_alternates(&canonical(&a)), vec![canonical(&c)]);
    }
}
