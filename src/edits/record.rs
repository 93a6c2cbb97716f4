//! Writing into the checkout through one recorder: a step that creates, copies or moves
//! files (the Java package move, iOS .strings, release assets) writes through it, and the
//! recorder, not the step, lists what was written for the lock. A path cannot be written
//! without being recorded.
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::fsutil;

pub struct Recorder<'a> {
    app: &'a Path,
    files: BTreeSet<PathBuf>,
    /// Upstream files moved away (and not written again): plan lists them as removed
    /// without asking git for the status of the whole tree.
    removed: BTreeSet<PathBuf>,
}

impl<'a> Recorder<'a> {
    pub fn new(app: &'a Path) -> Self {
        Recorder {
            app,
            files: BTreeSet::new(),
            removed: BTreeSet::new(),
        }
    }

    /// The checkout, for reading.
    pub fn app(&self) -> &'a Path {
        self.app
    }

    /// Writes `bytes` to the app-relative `rel`.
    pub fn write(&mut self, rel: &Path, bytes: impl AsRef<[u8]>) -> Result<()> {
        fsutil::write(&self.app.join(rel), bytes)?;
        self.record(rel);
        Ok(())
    }

    /// Copies `from` (anywhere) to the app-relative `rel`.
    pub fn copy(&mut self, from: &Path, rel: &Path) -> Result<()> {
        fsutil::copy(from, &self.app.join(rel))?;
        self.record(rel);
        Ok(())
    }

    /// Moves the app-relative `from` to `to`.
    pub fn rename(&mut self, from: &Path, to: &Path) -> Result<()> {
        let (src, dst) = (self.app.join(from), self.app.join(to));
        std::fs::rename(&src, &dst)
            .with_context(|| format!("cannot move {} to {}", src.display(), dst.display()))?;
        self.files.remove(from);
        self.removed.insert(from.to_path_buf());
        self.record(to);
        Ok(())
    }

    /// Rewrites the app-relative `rel` through `edit`; recorded when it changed.
    pub fn edit(&mut self, rel: &Path, edit: impl FnOnce(&str) -> Result<String>) -> Result<()> {
        let path = self.app.join(rel);
        let before = fsutil::read_to_string(&path)?;
        let after = edit(&before)?;
        if after != before {
            fsutil::write(&path, after)?;
            self.record(rel);
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

    /// The files written, and the upstream files moved away.
    pub fn into_parts(self) -> (BTreeSet<PathBuf>, BTreeSet<PathBuf>) {
        (self.files, self.removed)
    }
}
