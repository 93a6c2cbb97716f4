//! Staging: every command writes its whole output into a temporary directory beside the
//! target and renames it into place only when everything succeeded, so a failure leaves the
//! target exactly as it was.
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use tempfile::TempDir;

pub struct Stage {
    target: PathBuf,
    dir: TempDir,
}

impl Stage {
    /// Creates a staging directory next to `target`. `marker` is the file name that proves an
    /// existing non-empty target was written by mmbrand and may be replaced.
    pub fn beside(target: &Path, marker: &str) -> Result<Stage> {
        ensure_replaceable(target, marker)?;
        let parent = parent_of(target);
        fs::create_dir_all(&parent)
            .with_context(|| format!("cannot create directory {}", parent.display()))?;
        let dir = tempfile::Builder::new()
            .prefix(".mmbrand-stage-")
            .tempdir_in(&parent)
            .with_context(|| {
                format!("cannot create a staging directory in {}", parent.display())
            })?;
        Ok(Stage {
            target: target.to_path_buf(),
            dir,
        })
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Moves the staged tree to the target, replacing a previous output. The old tree is
    /// first renamed aside, so the target never holds a mix of old and new files; if the
    /// second rename fails the old tree is put back.
    pub fn commit(self) -> Result<()> {
        self.commit_or_undo(|_| ())
    }

    /// `commit`, calling `undo` with the staged tree before it is removed when the swap
    /// fails (to move back what was carried into it from the previous output).
    pub fn commit_or_undo(self, undo: impl FnOnce(&Path)) -> Result<()> {
        set_dir_mode(self.dir.path())?;
        let staged = self.dir.keep();
        let parent = parent_of(&self.target);
        let result = if self.target.exists() {
            replace(&staged, &self.target, &parent)
        } else {
            fs::rename(&staged, &self.target)
                .with_context(|| format!("cannot move the output into {}", self.target.display()))
        };
        if result.is_err() {
            undo(&staged);
            let _ = fs::remove_dir_all(&staged);
        }
        result
    }
}

fn replace(staged: &Path, target: &Path, parent: &Path) -> Result<()> {
    let holder = tempfile::Builder::new()
        .prefix(".mmbrand-old-")
        .tempdir_in(parent)
        .with_context(|| {
            format!(
                "cannot create a temporary directory in {}",
                parent.display()
            )
        })?;
    let old = holder.path().join("old");
    fs::rename(target, &old)
        .with_context(|| format!("cannot move the previous {} aside", target.display()))?;
    if let Err(e) = fs::rename(staged, target) {
        let _ = fs::rename(&old, target);
        return Err(e).with_context(|| format!("cannot move the output into {}", target.display()));
    }
    // `holder` is dropped here and removes the previous output.
    Ok(())
}

/// Refuses to replace a directory that mmbrand did not write: a typo in `--out` must not
/// delete someone's work.
fn ensure_replaceable(target: &Path, marker: &str) -> Result<()> {
    let meta = match fs::symlink_metadata(target) {
        Ok(m) => m,
        Err(_) => return Ok(()),
    };
    if !meta.is_dir() {
        bail!(
            "{} exists and is not a directory; choose another output path",
            target.display()
        );
    }
    let empty = fs::read_dir(target)
        .with_context(|| format!("cannot read directory {}", target.display()))?
        .next()
        .is_none();
    if empty || target.join(marker).is_file() {
        return Ok(());
    }
    bail!(
        "{} exists and was not written by mmbrand (no {marker} in it); remove it or choose another output directory",
        target.display()
    )
}

fn parent_of(target: &Path) -> PathBuf {
    match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

#[cfg(unix)]
fn set_dir_mode(dir: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    // Temporary directories are created 0700; outputs are ordinary directories.
    fs::set_permissions(dir, fs::Permissions::from_mode(0o755))
        .with_context(|| format!("cannot set permissions on {}", dir.display()))
}

#[cfg(not(unix))]
fn set_dir_mode(_dir: &Path) -> Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commit_replaces_previous_output_and_abandon_leaves_it() {
        let root = tempfile::tempdir().unwrap();
        let target = root.path().join("out");

        let stage = Stage::beside(&target, ".marker").unwrap();
        fs::write(stage.path().join(".marker"), "1").unwrap();
        fs::write(stage.path().join("a"), "first").unwrap();
        stage.commit().unwrap();
        assert_eq!(fs::read_to_string(target.join("a")).unwrap(), "first");

        let stage = Stage::beside(&target, ".marker").unwrap();
        fs::write(stage.path().join("b"), "second").unwrap();
        drop(stage); // failure path: nothing committed
        assert_eq!(fs::read_to_string(target.join("a")).unwrap(), "first");
        assert!(!target.join("b").exists());

        let stage = Stage::beside(&target, ".marker").unwrap();
        fs::write(stage.path().join(".marker"), "2").unwrap();
        stage.commit().unwrap();
        assert!(!target.join("a").exists());
        let leftovers: Vec<_> = fs::read_dir(root.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "only the output remains");
    }

    #[test]
    fn refuses_to_replace_foreign_directory() {
        let root = tempfile::tempdir().unwrap();
        fs::write(root.path().join("precious"), "x").unwrap();
        let err = Stage::beside(root.path(), ".marker").err().unwrap();
        assert!(err.to_string().contains("was not written by mmbrand"));
    }
}
