//! Writing into the checkout through one recorder: a step that creates, copies or moves
//! files (the Java package move, iOS .strings, release assets) writes through it, and the
//! recorder, not the step, lists what was written for the lock. A path cannot be written
//! without being recorded.
//!
//! The steps also look up upstream files they only list or read (Android resources, asset
//! catalogs) through it: in the checkout for apply, in git's tree of the upstream commit for
//! plan, which checks out only the files it edits or moves.
//!
//! Over git's tree (plan) the recorder also holds what the steps write, in memory: bytes, or
//! the path a file is a copy of (a release asset, never loaded whole), so the partial
//! checkout is only read.
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::fsutil;

/// Where upstream files not written by a step are looked up.
enum Upstream {
    /// The whole commit is checked out in the app directory.
    Checkout,
    /// Only some files are: the others are read from the commit's tree.
    Tree {
        repo: git2::Repository,
        tree: git2::Oid,
    },
}

pub use crate::overlay::Held;

/// What a run of the steps wrote.
#[derive(Debug, Default)]
pub struct Recorded {
    /// Every file written or changed, app-relative.
    pub files: BTreeSet<PathBuf>,
    /// Upstream files moved away (and not written again).
    pub removed: BTreeSet<PathBuf>,
    /// The content of the written files, for a recorder over git's tree; empty otherwise
    /// (the files are in the checkout).
    pub held: BTreeMap<PathBuf, Held>,
}

pub struct Recorder<'a> {
    app: &'a Path,
    upstream: Upstream,
    /// Some over git's tree: written files are held here instead of written to `app`.
    held: Option<BTreeMap<PathBuf, Held>>,
    files: BTreeSet<PathBuf>,
    /// Upstream files moved away (and not written again): plan lists them as removed
    /// without asking git for the status of the whole tree.
    removed: BTreeSet<PathBuf>,
}

impl<'a> Recorder<'a> {
    /// Over a full checkout of upstream at `app`.
    pub fn new(app: &'a Path) -> Self {
        Recorder {
            app,
            upstream: Upstream::Checkout,
            held: None,
            files: BTreeSet::new(),
            removed: BTreeSet::new(),
        }
    }

    /// Over a partial checkout at `app`: upstream files are looked up in the tree of its
    /// HEAD commit (unless a step wrote them), and what the steps write is held in memory.
    pub fn over_tree(app: &'a Path) -> Result<Self> {
        let repo = git2::Repository::open(app)
            .with_context(|| format!("cannot open git repository {}", app.display()))?;
        let tree = repo.head()?.peel_to_tree()?.id();
        Ok(Recorder {
            upstream: Upstream::Tree { repo, tree },
            held: Some(BTreeMap::new()),
            ..Recorder::new(app)
        })
    }

    /// The entry of the upstream tree at `rel`, when the checkout is partial; None for a
    /// path a step wrote or moved away.
    fn tree_entry(&self, rel: &Path) -> Option<(&git2::Repository, git2::TreeEntry<'static>)> {
        let Upstream::Tree { repo, tree } = &self.upstream else {
            return None;
        };
        if self.files.contains(rel) || self.removed.contains(rel) {
            return None;
        }
        let entry = repo.find_tree(*tree).ok()?.get_path(rel).ok()?;
        Some((repo, entry))
    }

    /// Whether the app-relative `rel` is a file: upstream's, or written by a step.
    pub fn is_file(&self, rel: &Path) -> bool {
        match self.upstream {
            Upstream::Checkout => self.app.join(rel).is_file(),
            Upstream::Tree { .. } => {
                self.files.contains(rel)
                    || self
                        .tree_entry(rel)
                        .is_some_and(|(_, e)| e.kind() == Some(git2::ObjectType::Blob))
            }
        }
    }

    /// Whether the app-relative `rel` is a folder of upstream's (or one a step wrote into).
    pub fn is_dir(&self, rel: &Path) -> bool {
        match self.upstream {
            Upstream::Checkout => self.app.join(rel).is_dir(),
            Upstream::Tree { .. } => {
                self.files.iter().any(|f| f.starts_with(rel) && f != rel)
                    || self
                        .tree_entry(rel)
                        .is_some_and(|(_, e)| e.kind() == Some(git2::ObjectType::Tree))
            }
        }
    }

    /// The bytes of the app-relative `rel` as they are now; None when there is no such file.
    pub fn read(&self, rel: &Path) -> Result<Option<Vec<u8>>> {
        if let Some(held) = self.held.as_ref().and_then(|h| h.get(rel)) {
            return held.bytes().map(|b| Some(b.into_owned()));
        }
        let path = self.app.join(rel);
        match self.tree_entry(rel) {
            Some((repo, entry)) => {
                let object = entry.to_object(repo)?;
                Ok(object.as_blob().map(|b| b.content().to_vec()))
            }
            None if path.is_file() => fsutil::read(&path).map(Some),
            None => Ok(None),
        }
    }

    /// Every file under the app-relative folder `dir`, relative to it (upstream's and those
    /// written, none moved away), sorted. `what` names the folder in errors.
    pub fn files_under(&self, dir: &Path, what: &str) -> Result<Vec<PathBuf>> {
        let Upstream::Tree { repo, tree } = &self.upstream else {
            return crate::overlay::walk::files(&self.app.join(dir), what);
        };
        let mut out = BTreeSet::new();
        if let Ok(entry) = repo.find_tree(*tree)?.get_path(dir) {
            if let Some(sub) = entry.to_object(repo)?.as_tree() {
                sub.walk(git2::TreeWalkMode::PreOrder, |parent, e| {
                    if e.kind() == Some(git2::ObjectType::Blob) {
                        if let Some(name) = e.name() {
                            out.insert(Path::new(parent).join(name));
                        }
                    }
                    git2::TreeWalkResult::Ok
                })?;
            }
        }
        out.retain(|rel| !self.removed.contains(&dir.join(rel)));
        out.extend(
            self.files
                .iter()
                .filter_map(|f| f.strip_prefix(dir).ok())
                .filter(|rel| !rel.as_os_str().is_empty())
                .map(Path::to_path_buf),
        );
        Ok(out.into_iter().collect())
    }

    /// The checkout, for reading.
    pub fn app(&self) -> &'a Path {
        self.app
    }

    /// Writes `bytes` to the app-relative `rel`.
    pub fn write(&mut self, rel: &Path, bytes: impl AsRef<[u8]>) -> Result<()> {
        match &mut self.held {
            Some(held) => {
                held.insert(rel.to_path_buf(), Held::Bytes(bytes.as_ref().to_vec()));
            }
            None => fsutil::write(&self.app.join(rel), bytes)?,
        }
        self.record(rel);
        Ok(())
    }

    /// Holds `held` as the app-relative `rel` (plan: a merged asset), recorded as written.
    /// Over a full checkout, where nothing is held, the file is written.
    pub fn hold(&mut self, rel: &Path, held: Held) -> Result<()> {
        match held {
            Held::Bytes(bytes) => self.write(rel, bytes),
            Held::Copy(from) => self.copy(&from, rel),
        }
    }

    /// Copies the app-relative `from` to `to` (a copy of a copy stays a reference to the
    /// original file, so a large asset is never loaded).
    pub fn copy_within(&mut self, from: &Path, to: &Path) -> Result<()> {
        let held = self.held.as_ref().and_then(|h| h.get(from)).cloned();
        match held {
            Some(held) => self.hold(to, held),
            None if self.held.is_some() => {
                let bytes = self.read_required(from)?;
                self.write(to, bytes)
            }
            None => {
                let src = self.app.join(from);
                self.copy(&src, to)
            }
        }
    }

    /// Copies `from` (anywhere) to the app-relative `rel`.
    pub fn copy(&mut self, from: &Path, rel: &Path) -> Result<()> {
        match &mut self.held {
            Some(held) => {
                // Checked now, as a copy would: a missing file fails here, not in the lock.
                std::fs::metadata(from)
                    .with_context(|| format!("cannot read {}", from.display()))?;
                held.insert(rel.to_path_buf(), Held::Copy(from.to_path_buf()));
            }
            None => fsutil::copy(from, &self.app.join(rel))?,
        }
        self.record(rel);
        Ok(())
    }

    /// Moves the app-relative `from` to `to`.
    pub fn rename(&mut self, from: &Path, to: &Path) -> Result<()> {
        let (src, dst) = (self.app.join(from), self.app.join(to));
        if self.held.is_some() && self.is_dir(from) {
            for rel in self.files_under(from, "a moved folder")? {
                self.rename(&from.join(&rel), &to.join(&rel))?;
            }
            return Ok(());
        }
        if self.held.is_some() {
            let bytes = self
                .read(from)?
                .with_context(|| format!("cannot move {}: no such file", src.display()))?;
            self.write(to, bytes)?;
            if let Some(held) = &mut self.held {
                held.remove(from);
            }
        } else {
            if let Some(parent) = dst.parent() {
                fsutil::create_dir_all(parent)?;
            }
            std::fs::rename(&src, &dst)
                .with_context(|| format!("cannot move {} to {}", src.display(), dst.display()))?;
        }
        self.files.remove(from);
        self.removed.insert(from.to_path_buf());
        self.record(to);
        Ok(())
    }

    /// The bytes of the app-relative `rel` as it is now; an error when there is no such file.
    pub fn read_required(&self, rel: &Path) -> Result<Vec<u8>> {
        let shown = self.app.join(rel);
        self.read(rel)?
            .with_context(|| format!("cannot read {}: no such file", shown.display()))
    }

    /// The text of the app-relative `rel` as it is now (written by a step, or upstream's).
    pub fn read_to_string(&self, rel: &Path) -> Result<String> {
        let shown = self.app.join(rel);
        String::from_utf8(self.read_required(rel)?)
            .with_context(|| format!("cannot read {}: not UTF-8", shown.display()))
    }

    /// Rewrites the app-relative `rel` through `edit`; recorded when it changed.
    pub fn edit(&mut self, rel: &Path, edit: impl FnOnce(&str) -> Result<String>) -> Result<()> {
        let before = match self.held {
            Some(_) => self.read_to_string(rel)?,
            None => fsutil::read_to_string(&self.app.join(rel))?,
        };
        let after = edit(&before)?;
        if after != before {
            self.write(rel, after)?;
        }
        Ok(())
    }

    /// Records a file written through another writer (the registry's pipeline).
    pub(super) fn wrote(&mut self, rel: PathBuf) {
        self.record(&rel);
    }

    fn record(&mut self, rel: &Path) {
        self.removed.remove(rel);
        self.files.insert(rel.to_path_buf());
    }

    /// The files written, the upstream files moved away, and what is held in memory.
    pub fn finish(self) -> Recorded {
        Recorded {
            files: self.files,
            removed: self.removed,
            held: self.held.unwrap_or_default(),
        }
    }
}
