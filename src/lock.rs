//! `mmbrand.lock.json`: what an output was made from and a sha256 of every file mmbrand wrote
//! or changed, plus fingerprints of the credentials (never their content). `verify` re-checks
//! it; comparing two lock files shows what changed between builds.
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use crate::brand::Brand;
use crate::content;
use crate::fsutil;
use crate::layout;
use crate::overlay::json_merge;
use crate::recorder::Held;
use crate::source::Upstream;

pub use crate::layout::LOCK_FILE;

#[derive(Debug, Serialize, Deserialize)]
pub struct Lock {
    pub mmbrand: String,
    pub brand: LockBrand,
    pub upstream: LockUpstream,
    pub branch: String,
    /// The brand commit, when `--commit` made one.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub brand_commit: Option<String>,
    /// Output path (relative to the output directory, `/`-separated) -> sha256.
    pub files: BTreeMap<String, String>,
    /// Brand key of a credential -> sha256 of its content.
    pub credentials: BTreeMap<String, String>,
    /// Structured files (JSON, property lists, the Xcode project) -> digest of their content,
    /// so `verify` accepts the same content re-serialised by npm, fastlane or Xcode.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub content: BTreeMap<String, String>,
    /// Structured files outside dist/ -> the git blob in app/.git holding the content apply
    /// wrote, so `verify` can say which key changed and what it was.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub expected: BTreeMap<String, String>,
    /// Upstream files apply removed (the Java sources of a moved package), so a re-apply can
    /// tell them from files deleted by hand.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub deleted: Vec<String>,
    /// Digest of everything besides upstream that the output is a function of (brand file,
    /// override tree, credentials, options): equal digests and an equal upstream commit make
    /// a re-apply a no-op.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inputs: Option<String>,
    /// The APNs certificate's topic and end of validity, when the brand pushes with one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub apns_certificate: Option<LockCertificate>,
}

/// What a build wrote, for [`Lock::new`].
pub struct Written<'a> {
    /// Every file written or changed under `app/`, relative to it.
    pub app_files: &'a BTreeSet<PathBuf>,
    /// Those plan holds in memory (the others are under `root/app`).
    pub held: &'a BTreeMap<PathBuf, Held>,
    /// The generated files outside `app/` plan holds in memory (apply's are under `root`).
    pub generated: &'a BTreeMap<PathBuf, Vec<u8>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LockCertificate {
    pub topic: String,
    /// RFC 3339.
    pub not_after: String,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct LockBrand {
    pub name: String,
    pub sha256: String,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct LockUpstream {
    pub repo: String,
    #[serde(rename = "ref")]
    pub git_ref: Option<String>,
    pub commit: String,
}

impl LockUpstream {
    /// What the lock records of `upstream`: the repository as shown, never a token in its
    /// URL (the lock is committed and shared; a re-apply compares the same form).
    pub fn of(upstream: &Upstream) -> LockUpstream {
        LockUpstream {
            repo: crate::source::shown(&upstream.repo),
            git_ref: upstream.git_ref.clone(),
            commit: upstream.commit.clone(),
        }
    }
}

impl Lock {
    /// Hashes every file of `root` outside `app/`, and the listed files inside it, showing
    /// each app file's bytes to `inspect` as it goes (the secret scan), so each is read once.
    /// A large file is shown in overlapping windows ([`fsutil::read_windows`]), so memory
    /// stays bounded whatever the size of the brand's assets. An app file in `held` (plan's
    /// in-memory writes) is read from there: its bytes, or the file it is a copy of; the
    /// files outside `app/` are `generated` (plan's, in memory) and those found under `root`.
    pub fn new(
        root: &Path,
        brand: &Brand,
        upstream: &Upstream,
        written: Written,
        credentials: BTreeMap<String, String>,
        mut inspect: impl FnMut(&Path, &[u8]),
    ) -> Result<Lock> {
        let mut files = BTreeMap::new();
        let mut content = BTreeMap::new();
        let mut expected = BTreeMap::new();
        let Written {
            app_files,
            held,
            generated,
        } = written;
        let repo = git2::Repository::open(root.join("app")).ok();
        for rel in app_files {
            let path = Path::new("app").join(rel);
            let key = fsutil::rel_string(&path);
            let held_bytes = match held.get(rel) {
                Some(Held::Bytes(b)) => Some(b.as_slice()),
                _ => None,
            };
            let full = match held.get(rel) {
                Some(Held::Copy(from)) => from.clone(),
                _ => root.join(&path),
            };
            // dist/ files are compared with the assets/override or assets/base file they were
            // merged from, which verify reads itself: no need to parse megabytes of i18n here.
            let kind = content::kind_of(rel).filter(|_| !layout::is_merged(rel));
            let fits = match held_bytes {
                Some(b) => b.len() as u64 <= json_merge::MAX_JSON_BYTES,
                None => fits_in_memory(&full),
            };
            let Some(kind) = kind.filter(|_| fits) else {
                // Any size (a 2 GB video asset): hashed and inspected in bounded windows.
                let sha = match held_bytes {
                    Some(b) => {
                        inspect(rel, b);
                        fsutil::sha256_hex(b)
                    }
                    None => fsutil::sha256_windows(&full, |window| inspect(rel, window))?,
                };
                files.insert(key, sha);
                continue;
            };
            let bytes = match held_bytes {
                Some(b) => std::borrow::Cow::Borrowed(b),
                None => std::borrow::Cow::Owned(fsutil::read(&full)?),
            };
            inspect(rel, &bytes);
            files.insert(key.clone(), fsutil::sha256_hex(&bytes));
            let value = content::parse(kind, &bytes, &full.display().to_string())?;
            content.insert(key.clone(), content::digest(&value));
            if let Some(repo) = &repo {
                // A held file is plan's, whose objects nobody reads later: its id is
                // computed, not stored.
                let oid = match held_bytes {
                    Some(_) => git2::Oid::hash_object(git2::ObjectType::Blob, &bytes),
                    None => repo.blob(&bytes),
                }
                .with_context(|| format!("cannot store {key} in app/.git"))?;
                expected.insert(key, oid.to_string());
            }
        }
        for entry in walkdir::WalkDir::new(root).min_depth(1).sort_by_file_name() {
            let entry = entry.with_context(|| format!("cannot read {}", root.display()))?;
            let rel = entry.path().strip_prefix(root).unwrap_or(entry.path());
            if rel.starts_with("app") || !entry.file_type().is_file() || rel == Path::new(LOCK_FILE)
            {
                continue;
            }
            files.insert(fsutil::rel_string(rel), fsutil::sha256_file(entry.path())?);
        }
        for (rel, bytes) in generated {
            files.insert(fsutil::rel_string(rel), fsutil::sha256_hex(bytes));
        }
        Ok(Lock {
            mmbrand: env!("CARGO_PKG_VERSION").to_string(),
            brand: LockBrand {
                name: brand.name.clone(),
                sha256: brand.file_sha256.clone(),
            },
            upstream: LockUpstream::of(upstream),
            branch: brand.branch.clone(),
            brand_commit: None,
            files,
            credentials,
            content,
            expected,
            deleted: repo
                .as_ref()
                .map(deleted_files)
                .transpose()?
                .unwrap_or_default(),
            inputs: None,
            apns_certificate: None,
        })
    }

    pub fn write(&self, root: &Path) -> Result<()> {
        let value = serde_json::to_value(self).context("cannot serialize the lock file")?;
        fsutil::write(&root.join(LOCK_FILE), json_merge::to_pretty(&value))
    }

    pub fn read(root: &Path) -> Result<Lock> {
        let path = root.join(LOCK_FILE);
        let text = fsutil::read_to_string(&path)
            .with_context(|| format!("{} is not an mmbrand apply output", root.display()))?;
        serde_json::from_str(&text)
            .with_context(|| format!("{}: not a valid lock file", path.display()))
    }
}

/// Tracked files missing from the work tree, as `app/`-relative lock keys.
fn deleted_files(repo: &git2::Repository) -> Result<Vec<String>> {
    let mut options = git2::StatusOptions::new();
    options.include_untracked(false).include_ignored(false);
    let statuses = repo
        .statuses(Some(&mut options))
        .context("cannot read the git status of the branded tree")?;
    Ok(statuses
        .iter()
        .filter(|e| e.status().is_wt_deleted())
        .filter_map(|e| e.path().map(|p| format!("app/{p}")))
        .collect())
}

/// Whether a structured file is small enough to be read whole and parsed for its content
/// digest; a larger one is recorded by its bytes' hash only.
fn fits_in_memory(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.len() <= json_merge::MAX_JSON_BYTES)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lock_records_a_tokened_url_without_its_token() {
        let url = "https://ci-bot:tok3n@git.example/mobile.git";
        for repo in [crate::source::shown(url), url.to_string()] {
            let upstream = Upstream {
                repo,
                url: url.to_string(),
                git_ref: Some("v2.42.3".into()),
                commit: "0".repeat(40),
                method: "clone",
            };
            let recorded = LockUpstream::of(&upstream);
            assert_eq!(recorded.repo, "https://***@git.example/mobile.git");
            let json = serde_json::to_string(&recorded).unwrap();
            assert!(
                !json.contains("tok3n") && !json.contains("ci-bot"),
                "{json}"
            );
        }
    }
}
