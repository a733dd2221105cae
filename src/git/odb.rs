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
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::Context;
use gix::objs::{Exists, Find, FindHeader};

thread_local! {
    /// The handles [`Stores::with_thread_handles`] gives this thread.
    static THREAD_HANDLES: std::cell::Cell<Option<LayeredOdb>> = const { std::cell::Cell::new(None) };
}

/// How deep git follows alternates (`MAX_ALTERNATE_DEPTH` is 5 in git).
const MAX_ALTERNATE_DEPTH: usize = 5;

/// The object directories of the push, each opened once for the process.
///
/// Every thread that reads objects gets its own handles ([`Stores::handle`]) onto these shared
/// stores, so a pack and its index are mapped once: with a store per thread, each thread's
/// mapping kept its own resident pages of the same pack (a third of a long history's peak RSS).
pub(crate) struct Stores {
    /// Quarantine(s), then the repository, then deep alternates.
    layers: Vec<Arc<gix::odb::Store>>,
    /// Which layer is the repository's own object directory.
    repo_layer: usize,
    /// Tells these stores apart from others a process opened (tests open many).
    id: u64,
}

impl Stores {
    /// The stores for `repo` in the current process environment (hook variables included).
    pub(crate) fn for_repo(repo: &gix::Repository) -> anyhow::Result<Arc<Self>> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let kind = repo.object_hash();
        let main_dir = canonical(repo.objects.store_ref().path());
        let mut seen: HashSet<PathBuf> = HashSet::from([main_dir.clone()]);
        let mut dirs = Vec::new();
        for dir in quarantine_dirs() {
            if seen.insert(canonical(&dir)) {
                dirs.push(dir);
            }
        }
        let repo_layer = dirs.len();
        dirs.push(repo.objects.store_ref().path().to_owned());
        for dir in env_alternates().into_iter().chain(deep_alternates(&main_dir)) {
            if dir.is_dir() && seen.insert(canonical(&dir)) {
                dirs.push(dir);
            }
        }
        let layers = dirs.iter().map(|dir| open_store(dir, kind)).collect::<anyhow::Result<_>>()?;
        Ok(Arc::new(Stores { layers, repo_layer, id: NEXT.fetch_add(1, Ordering::Relaxed) }))
    }

    /// This thread's handles onto the stores, with their caches (handles are not shared
    /// between threads; the stores and their mapped packs are).
    pub(crate) fn handle(&self) -> LayeredOdb {
        let layers = self
            .layers
            .iter()
            .enumerate()
            .map(|(at, store)| {
                let mut handle = store.to_cache_arc();
                super::open::install_pack_cache(&mut handle);
                if at == self.repo_layer {
                    super::open::install_object_cache(&mut handle);
                }
                handle
            })
            .collect();
        LayeredOdb { layers, repo_layer: self.repo_layer, stores: self.id }
    }

    /// Runs `f` with this thread's handles onto these stores, made on first use. Whatever part
    /// of a push reads on the thread (a final state's modules, the history's blobs) shares them:
    /// each set holds its own caches, which an idle set would keep resident.
    pub(crate) fn with_thread_handles<T>(&self, f: impl FnOnce(&LayeredOdb) -> T) -> T {
        let odb = THREAD_HANDLES.take().filter(|odb| odb.is_onto(self)).unwrap_or_else(|| self.handle());
        let out = f(&odb);
        THREAD_HANDLES.set(Some(odb));
        out
    }

    /// Tells these stores apart from any other a process opened.
    pub(crate) fn id(&self) -> u64 {
        self.id
    }
}

/// Objects are read as stored: replacement refs (`refs/replace/`) are not applied, so the
/// analysis sees the bytes the push brings.
fn open_store(dir: &Path, kind: gix::hash::Kind) -> anyhow::Result<Arc<gix::odb::Store>> {
    let store = gix::odb::Store::at_opts(dir.to_owned(), kind, &mut std::iter::empty(), Default::default())
        .with_context(|| format!("cannot open object directory {}", dir.display()))?;
    Ok(Arc::new(store))
}

/// Quarantine(s), then the repository, then deep alternates; the first layer that has an
/// object answers. A layer that fails is skipped when a later one has the object, and its
/// error is returned when none has it.
pub(crate) struct LayeredOdb {
    layers: Vec<gix::odb::HandleArc>,
    repo_layer: usize,
    /// The [`Stores`] these handles are onto.
    stores: u64,
}

impl LayeredOdb {
    /// Whether these are handles onto `stores`.
    pub(crate) fn is_onto(&self, stores: &Stores) -> bool {
        self.stores == stores.id
    }

    fn repo_layer(&self) -> Option<&gix::odb::HandleArc> {
        self.layers.get(self.repo_layer)
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
