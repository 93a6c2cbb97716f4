//! Re-applying over an earlier output: what would be lost (files edited since), what is
//! carried over (git-ignored build caches such as `node_modules`), and whether there is
//! anything to do at all.
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use sha2::{Digest, Sha256};

use crate::brand::Brand;
use crate::fsutil;
use crate::inputs::Inputs;
use crate::layout;
use crate::lock::{Lock, LOCK_FILE};
use crate::overlay;
use crate::source;
use crate::verify;

/// An earlier apply output at the target.
pub struct Previous {
    pub dir: PathBuf,
    pub lock: Lock,
}

impl Previous {
    /// The output at `out`, when it has a lock file. A lock file that cannot be read is an
    /// error unless `force`: replacing it would lose whatever the directory holds unchecked.
    pub fn find(out: &Path, force: bool) -> Result<Option<Previous>> {
        if !out.join(LOCK_FILE).is_file() {
            return Ok(None);
        }
        match Lock::read(out) {
            Ok(lock) => Ok(Some(Previous {
                dir: out.to_path_buf(),
                lock,
            })),
            Err(_) if force => Ok(None),
            Err(e) => Err(e.context(format!(
                "cannot check {} for edits before replacing it; pass --force to replace it anyway",
                out.display()
            ))),
        }
    }

    /// Lets `repo` read this output's objects: the old upstream commit and the blobs apply
    /// stored in its app/.git (for the drift report).
    pub fn lend_objects(&self, repo: &git2::Repository) -> Result<()> {
        let objects = self.dir.join("app/.git/objects");
        if objects.is_dir() {
            repo.odb()?
                .add_disk_alternate(&objects.display().to_string())
                .with_context(|| format!("cannot read the objects of {}", objects.display()))?;
        }
        Ok(())
    }

    /// Everything a re-apply would lose: files of the lock whose content changed, and files
    /// of the app's git tree changed, deleted or created since (not git-ignored, not apply's).
    pub fn unsaved_changes(&self) -> Result<Vec<String>> {
        let mut lost = verify::edited_files(&self.dir, &self.lock).changed;
        // A lock from before re-apply existed does not list the files apply deleted, so the
        // tree's git status would show them as the user's: compare the lock's files only.
        if self.lock.inputs.is_none() {
            return Ok(lost);
        }
        let Ok(repo) = git2::Repository::open(self.dir.join("app")) else {
            return Ok(lost);
        };
        let mut options = git2::StatusOptions::new();
        options
            .include_untracked(true)
            // Apply creates folders (a moved Java package); their files are in the lock.
            .recurse_untracked_dirs(true)
            .include_ignored(false)
            .exclude_submodules(true);
        let statuses = repo
            .statuses(Some(&mut options))
            .with_context(|| format!("cannot read the git status of {}/app", self.dir.display()))?;
        for entry in statuses.iter() {
            let Some(path) = entry.path() else { continue };
            let key = format!("app/{}", path.trim_end_matches('/'));
            if self.lock.files.contains_key(&key)
                || self.lock.deleted.contains(&key)
                || layout::BUILD_OWNED.contains(&key.as_str())
            {
                continue;
            }
            let what = match entry.status() {
                s if s.is_wt_new() || s.is_index_new() => "created since apply",
                s if s.is_wt_deleted() || s.is_index_deleted() => "deleted since apply",
                _ => "changed since apply",
            };
            lost.push(format!("{key} {what}"));
        }
        Ok(lost)
    }

    /// Git-ignored paths of the previous app tree that apply did not write (build caches),
    /// relative to `app/`; ignored folders are listed as a whole, not walked.
    pub fn caches(&self) -> Result<Vec<PathBuf>> {
        let app = self.dir.join("app");
        let Ok(repo) = git2::Repository::open(&app) else {
            return Ok(Vec::new());
        };
        let mut options = git2::StatusOptions::new();
        options
            .include_untracked(false)
            .include_ignored(true)
            .recurse_ignored_dirs(false)
            .exclude_submodules(true);
        let statuses = repo
            .statuses(Some(&mut options))
            .with_context(|| format!("cannot read the git status of {}", app.display()))?;
        let mut caches = Vec::new();
        for entry in statuses.iter().filter(|e| e.status().is_ignored()) {
            let Some(path) = entry.path() else { continue };
            let rel = PathBuf::from(path.trim_end_matches('/'));
            let written = layout::is_derived(&rel)
                || self
                    .lock
                    .files
                    .contains_key(&format!("app/{}", fsutil::rel_string(&rel)));
            if !written {
                caches.push(rel);
            }
        }
        Ok(caches)
    }

    /// True when applying again would write what is there (called once `unsaved_changes`
    /// found nothing, so the files already match the lock): same upstream commit, same
    /// inputs, the same `--commit` choice, and the tree still verifies.
    pub fn is_up_to_date(
        &self,
        repo: &str,
        git_ref: Option<&str>,
        inputs: &str,
        commit: bool,
    ) -> Result<bool> {
        let lock = &self.lock;
        if lock.inputs.as_deref() != Some(inputs)
            || lock.upstream.repo != repo
            || lock.upstream.git_ref.as_deref() != git_ref
            || lock.brand_commit.is_some() != commit
        {
            return Ok(false);
        }
        if source::resolve_commit(repo, git_ref).as_deref() != Some(&lock.upstream.commit) {
            return Ok(false);
        }
        // The files' hashes were compared by `unsaved_changes`; the rest of verify here.
        let verified = verify::verify_pairing(&self.dir, &self.lock);
        Ok(verified.checks.iter().all(|c| c.ok))
    }
}

/// Digest of everything an output is a function of besides upstream: mmbrand's version,
/// the brand file, every file of the override tree, the credentials and client config the
/// brand names (by sha256, never kept), and the command-line options that change output.
pub fn inputs_digest(brand: &Brand, inputs: &Inputs, proxy_root: &str) -> Result<String> {
    let mut h = Sha256::new();
    let mut field = |name: &str, value: &str| {
        h.update(name.as_bytes());
        h.update([0]);
        h.update(value.as_bytes());
        h.update([0]);
    };
    field("mmbrand", env!("CARGO_PKG_VERSION"));
    field("brand", &brand.file_sha256);
    field("version", &format!("{:?}", brand.version));
    field("proxy_root", proxy_root);
    field(
        "google_services",
        &fsutil::sha256_hex(&inputs.google_services),
    );
    field("deep_links", &format!("{:?}", inputs.deep_links));
    if let Some(dir) = brand.override_dir.as_deref() {
        for rel in overlay::walk::override_files(Some(dir))? {
            field(
                &fsutil::rel_string(&rel),
                &fsutil::sha256_file(&dir.join(&rel))?,
            );
        }
    }
    if let Some(push) = &inputs.push {
        push.fingerprint(&mut h);
    }
    Ok(format!("{:x}", h.finalize()))
}

/// Refuses a re-apply that would lose edits, listing them.
pub fn refuse_lost_edits(out: &Path, lost: &[String]) -> Result<()> {
    if lost.is_empty() {
        return Ok(());
    }
    let shown: Vec<String> = lost.iter().take(50).map(|l| format!("  {l}")).collect();
    let more = match lost.len() {
        n if n > 50 => format!("\n  … and {} more", n - 50),
        _ => String::new(),
    };
    bail!(
        "{} was changed since the last apply, and applying again would lose it:\n{}{more}\nmove the changes into the brand (brand file or override tree) and re-run, or pass --force to apply anyway and discard them",
        out.display(),
        shown.join("\n")
    )
}

/// Moves each cache from the previous app tree into the new one, unless apply wrote
/// something at that path; returns what was moved.
pub fn carry(from_app: &Path, to_app: &Path, caches: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut moved = Vec::new();
    for rel in caches {
        let (from, to) = (from_app.join(rel), to_app.join(rel));
        if to.symlink_metadata().is_ok() {
            continue;
        }
        if let Some(parent) = to.parent() {
            fsutil::create_dir_all(parent)?;
        }
        std::fs::rename(&from, &to).with_context(|| {
            format!(
                "cannot carry {} into the new output (rename to {})",
                from.display(),
                to.display()
            )
        })?;
        moved.push(rel.clone());
    }
    Ok(moved)
}
