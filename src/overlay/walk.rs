//! Deterministic listing of an asset tree, refusing what would make the listing lie: a
//! symlink that reaches outside the tree (its target would be copied into the app, and a
//! brand would read files it does not contain), and names that are not UTF-8 (the lock file,
//! reports and upstream's asset script all name files as strings).
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use walkdir::WalkDir;

use crate::fsutil;
use crate::problems::Problems;

/// How messages name the brand's override tree.
pub const OVERRIDE_TREE: &str = "override directory (assets.override)";

/// The brand's override files (`[assets] override`), relative to the tree; none without one.
/// The one walk of the override tree that apply, drift and the re-apply digest share.
pub fn override_files(dir: Option<&Path>) -> Result<Vec<PathBuf>> {
    match dir {
        Some(dir) => files(dir, OVERRIDE_TREE),
        None => Ok(Vec::new()),
    }
}

/// Every regular file under `root` (symlinks inside the tree followed), as paths relative to
/// `root`, sorted. `what` names the directory in error messages ("override directory").
pub fn files(root: &Path, what: &str) -> Result<Vec<PathBuf>> {
    if !root.is_dir() {
        bail!(
            "{what} {} does not exist or is not a directory",
            root.display()
        );
    }
    let real_root = root
        .canonicalize()
        .with_context(|| format!("cannot resolve {what} {}", root.display()))?;
    let mut out = Vec::new();
    let mut problems = Problems::new();
    let mut walk = WalkDir::new(root)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter();
    while let Some(entry) = walk.next() {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                problems.push(walk_error(root, &real_root, what, &e));
                continue;
            }
        };
        let rel = entry
            .path()
            .strip_prefix(root)
            .with_context(|| format!("{} is outside {}", entry.path().display(), root.display()))?;
        if entry.path_is_symlink() {
            if let Some(p) = escaping_link(root, &real_root, rel, what) {
                problems.push(p);
                // Never walk a linked directory outside the tree (it may be `/`).
                if entry.file_type().is_dir() {
                    walk.skip_current_dir();
                }
                continue;
            }
        }
        if rel.to_str().is_none() {
            problems.push(format!(
                "{what} {}: the file name {:?} is not valid UTF-8; rename it (file names are recorded as text in reports and the lock file)",
                root.display(),
                fsutil::rel_string(rel)
            ));
            continue;
        }
        if rel
            .to_str()
            .is_some_and(|r| r.chars().any(char::is_control))
        {
            // Shown escaped: raw, a newline or escape sequence would forge report lines.
            problems.push(format!(
                "{what} {}: the file name {:?} contains a control character; rename it",
                root.display(),
                fsutil::rel_string(rel)
            ));
            continue;
        }
        let kind = entry.file_type();
        if kind.is_file() {
            out.push(rel.to_path_buf());
        } else if !kind.is_dir() && !rel.as_os_str().is_empty() {
            // A pipe would block the copy forever; a device or socket is not an asset.
            problems.push(format!(
                "{what} {}: {} is not a regular file (a pipe, socket or device); replace it with the file it stands for",
                root.display(),
                fsutil::rel_string(rel)
            ));
        }
    }
    problems.into_result()?;
    Ok(out)
}

/// A message when the symlink `root/rel` resolves to something outside `real_root`.
fn escaping_link(root: &Path, real_root: &Path, rel: &Path, what: &str) -> Option<String> {
    let link = root.join(rel);
    let target = fs::canonicalize(&link).ok()?;
    if target.starts_with(real_root) {
        return None;
    }
    Some(format!(
        "{what} {}: {} is a symlink to {}, outside the directory; copy the file into the tree instead of linking to it",
        root.display(),
        fsutil::rel_string(rel),
        target.display()
    ))
}

/// A walk failure, naming the entry: a dangling symlink, a loop, or an unreadable directory.
fn walk_error(root: &Path, real_root: &Path, what: &str, e: &walkdir::Error) -> String {
    let Some(path) = e.path() else {
        return format!("cannot read {what} {}: {e}", root.display());
    };
    let rel_path = path.strip_prefix(root).unwrap_or(path);
    // A link to an ancestor outside the tree (`/`) is a loop to walkdir, but leaving the
    // tree is what matters.
    if let Some(outside) = escaping_link(root, real_root, rel_path, what) {
        return outside;
    }
    let rel = fsutil::rel_string(rel_path);
    if let Some(ancestor) = e.loop_ancestor() {
        return format!(
            "{what} {}: {rel} is a symlink loop back to {}; remove the link",
            root.display(),
            ancestor.display()
        );
    }
    match fs::read_link(path) {
        Ok(target) => format!(
            "{what} {}: {rel} is a symlink to {}, which does not exist; remove the link or restore its target",
            root.display(),
            target.display()
        ),
        Err(_) => format!("{what} {}: cannot read {rel}: {e}", root.display()),
    }
}
