//! Deterministic listing of an asset tree.
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use walkdir::WalkDir;

/// Every regular file under `root` (symlinks followed), as paths relative to `root`, sorted.
/// `what` names the directory in error messages ("override directory").
pub fn files(root: &Path, what: &str) -> Result<Vec<PathBuf>> {
    if !root.is_dir() {
        bail!(
            "{what} {} does not exist or is not a directory",
            root.display()
        );
    }
    let mut out = Vec::new();
    for entry in WalkDir::new(root).follow_links(true).sort_by_file_name() {
        let entry = entry.with_context(|| format!("cannot read {what} {}", root.display()))?;
        if entry.file_type().is_file() {
            let rel = entry.path().strip_prefix(root).with_context(|| {
                format!("{} is outside {}", entry.path().display(), root.display())
            })?;
            out.push(rel.to_path_buf());
        }
    }
    Ok(out)
}
