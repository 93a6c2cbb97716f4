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
use crate::lock::{Lock, LockUpstream, LOCK_FILE};
use crate::overlay;
use crate::source;
use crate::verify;

mod git;

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
        if let Some(git::Extra { commits, .. }) = self.extra_commits()? {
            let branch = &self.lock.branch;
            lost.extend(
                commits
                    .iter()
                    .map(|(sha, subject)| format!("app commit {sha} on {branch}: {subject}")),
            );
        }
        // A lock from before re-apply existed does not list the files apply deleted, so the
        // tree's git status would show them as the user's: compare the lock's files only.
        if self.lock.inputs.is_none() {
            return Ok(lost);
        }
        for key in self.added_comments(&lost) {
            lost.push(format!("{key} changed (a comment added)"));
        }
        lost.extend(self.added_files()?);
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

    /// Commits on the brand branch of the previous app/.git beyond apply's own tip of it
    /// (its brand commit, or upstream's commit when it made none), with the branch's tip.
    fn extra_commits(&self) -> Result<Option<git::Extra>> {
        let Ok(repo) = git2::Repository::open(self.dir.join("app")) else {
            return Ok(None);
        };
        let lock = &self.lock;
        let expected = lock.brand_commit.as_ref().unwrap_or(&lock.upstream.commit);
        git::extra_commits(&repo, &lock.branch, expected)
            .with_context(|| format!("cannot read the history of {}/app", self.dir.display()))
    }

    /// Structured files (not yet in `listed`) holding an XML comment that the content apply
    /// wrote lacks: their content digest leaves comments out (serialisers add and drop
    /// them), so `verify` accepts them, but a re-apply writes the file afresh and the
    /// user's note would be gone.
    fn added_comments(&self, listed: &[String]) -> Vec<String> {
        let Ok(repo) = git2::Repository::open(self.dir.join("app")) else {
            return Vec::new();
        };
        let mut keys = Vec::new();
        for (key, blob) in &self.lock.expected {
            if listed.iter().any(|l| l.starts_with(&format!("{key} "))) {
                continue;
            }
            let Ok(found) = std::fs::read(self.dir.join(key)) else {
                continue;
            };
            let blob = git2::Oid::from_str(blob).and_then(|oid| repo.find_blob(oid));
            let Ok(blob) = blob else { continue };
            let written = xml_comments(blob.content());
            if xml_comments(&found).iter().any(|c| !written.contains(c)) {
                keys.push(key.clone());
            }
        }
        keys
    }

    /// Files under the output that apply did not write, outside the app's git tree (whose
    /// status `unsaved_changes` reads) or in the app folders apply fills although git
    /// ignores them (dist/, assets/override/).
    fn added_files(&self) -> Result<Vec<String>> {
        let mut added = Vec::new();
        let walk = walkdir::WalkDir::new(&self.dir)
            .min_depth(1)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| {
                let rel = e.path().strip_prefix(&self.dir).unwrap_or(e.path());
                match rel.strip_prefix("app") {
                    Ok(app_rel) => {
                        app_rel.as_os_str().is_empty()
                            || layout::is_derived(app_rel)
                            || layout::WRITTEN_IGNORED
                                .iter()
                                .any(|d| Path::new(d).starts_with(app_rel))
                    }
                    Err(_) => true,
                }
            });
        for entry in walk {
            let entry = entry
                .with_context(|| format!("cannot list the files of {}", self.dir.display()))?;
            if entry.file_type().is_dir() {
                continue;
            }
            let rel = entry.path().strip_prefix(&self.dir).unwrap_or(entry.path());
            let key = fsutil::rel_string(rel);
            if key != LOCK_FILE && !self.lock.files.contains_key(&key) {
                added.push(format!("{key} created since apply"));
            }
        }
        Ok(added)
    }

    /// Carries the user's git of the previous output (refs, reflogs, remotes, config,
    /// hooks) into the new app at `new_app`, whose brand branch `branch` apply just made.
    /// Commits on the old brand branch beyond apply's (only there with --force) are kept
    /// under a backup ref, whose name is returned.
    pub fn keep_git(&self, new_app: &Path, branch: &str) -> Result<Option<String>> {
        let old_app = self.dir.join("app");
        if !old_app.join(".git").exists() {
            return Ok(None);
        }
        git::keep(&old_app, new_app, branch)?;
        match self.extra_commits()? {
            Some(extra) => git::backup(new_app, extra.tip).map(Some),
            None => Ok(None),
        }
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
            || !same_upstream(&lock.upstream, repo, git_ref)
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

/// The `<!-- … -->` comments of a text, as written.
fn xml_comments(bytes: &[u8]) -> Vec<&[u8]> {
    let mut comments = Vec::new();
    let mut rest = bytes;
    while let Some(start) = find(rest, b"<!--") {
        let Some(len) = find(&rest[start..], b"-->") else {
            break;
        };
        comments.push(&rest[start..start + len + 3]);
        rest = &rest[start + len + 3..];
    }
    comments
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
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
    // --force discards files but keeps commits reachable (`discarded` says where).
    let force = match lost.iter().any(|l| l.starts_with("app commit ")) {
        true => "pass --force to apply anyway, discarding the files and keeping the commits under refs/mmbrand/backup/",
        false => "pass --force to apply anyway and discard them",
    };
    bail!(
        "{} was changed since the last apply, and applying again would lose it:\n{}{more}\nmove the changes into the brand (brand file or override tree) and re-run, or {force}",
        out.display(),
        shown.join("\n")
    )
}

/// What --force discarded (the lines `refuse_lost_edits` would have listed), and where the
/// brand branch's own commits were kept: warnings for the apply report.
pub fn discarded(lost: &[String], backup: Option<&str>) -> Vec<String> {
    let mut said: Vec<String> = lost
        .iter()
        .filter(|l| !l.starts_with("app commit "))
        .map(|l| format!("--force discarded {l}"))
        .collect();
    let commits = lost.len() - said.len();
    if let Some(backup) = backup.filter(|_| commits > 0) {
        said.push(format!(
            "--force replaced the brand branch; its {commits} commit(s) of your own are kept in app/.git as {backup} (git log {backup})"
        ));
    }
    said
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

/// Whether the lock's upstream names `repo` at `git_ref`. The lock holds the repository as
/// shown (a token in its URL hidden), so that form is compared: the same tokened source is
/// the same upstream, even when the token changed.
fn same_upstream(recorded: &LockUpstream, repo: &str, git_ref: Option<&str>) -> bool {
    recorded.repo == source::shown(repo) && recorded.git_ref.as_deref() == git_ref
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tokened_source_matches_the_lock_that_recorded_it() {
        let url = "https://ci-bot:tok3n@git.example/mobile.git";
        let upstream = source::Upstream {
            repo: source::shown(url),
            url: url.to_string(),
            git_ref: Some("v2.42.3".into()),
            commit: "0".repeat(40),
            method: "clone",
        };
        let recorded = LockUpstream::of(&upstream);
        assert!(same_upstream(&recorded, url, Some("v2.42.3")));
        assert!(!same_upstream(&recorded, url, Some("v2.42.4")));
        let other = "https://ci-bot:tok3n@other.example/mobile.git";
        assert!(!same_upstream(&recorded, other, Some("v2.42.3")));
        // A local path is recorded and compared as given.
        let path = source::Upstream {
            repo: "/src/me@work/mobile".into(),
            url: "/src/me@work/mobile".into(),
            git_ref: None,
            ..upstream
        };
        assert!(same_upstream(
            &LockUpstream::of(&path),
            "/src/me@work/mobile",
            None
        ));
    }

    #[test]
    fn xml_comments_are_found_whole() {
        let text = b"<a><!-- one --><b/><!--two-->\n<!-- open";
        assert_eq!(
            xml_comments(text),
            vec![&b"<!-- one -->"[..], &b"<!--two-->"[..]]
        );
    }
}
