//! The user's git in `app/.git` across a re-apply. The new output's repository is a fresh
//! checkout, so everything of the old one that apply did not make is carried into it before
//! the swap: objects (hard-linked, so even the real upstream costs no copy), every ref but
//! the brand branch apply recreates, their reflogs (a stash lives in one), the config
//! entries the new repository lacks (remotes, user, branch tracking) and the user's hooks.
use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use git2::{Oid, Repository};

use crate::fsutil;

const KEPT: &str = "mmbrand: kept from the previous output";

/// Commits of the user on the brand branch.
pub struct Extra {
    /// The branch's tip, kept under a backup ref by --force.
    pub tip: Oid,
    /// Short sha and subject of each, newest first.
    pub commits: Vec<(String, String)>,
}

/// Commits on `branch` of `repo` that `expected` (apply's own tip of it) does not contain.
pub fn extra_commits(repo: &Repository, branch: &str, expected: &str) -> Result<Option<Extra>> {
    let Ok(tip) = repo.refname_to_id(&format!("refs/heads/{branch}")) else {
        return Ok(None);
    };
    let expected = Oid::from_str(expected).ok();
    if Some(tip) == expected {
        return Ok(None);
    }
    let mut walk = repo.revwalk()?;
    walk.push(tip)?;
    // A missing expected commit would list all of upstream's history: the tip alone then.
    let bounded = expected.is_some_and(|e| walk.hide(e).is_ok());
    let mut commits = Vec::new();
    for oid in walk {
        let commit = repo.find_commit(oid?)?;
        let sha = commit.as_object().short_id()?;
        let subject = commit.summary().unwrap_or("").to_string();
        commits.push((sha.as_str().unwrap_or("").to_string(), subject));
        if !bounded {
            break;
        }
    }
    Ok((!commits.is_empty()).then_some(Extra { tip, commits }))
}

/// Carries the old repository at `old_app` into the new one at `new_app`, leaving
/// `refs/heads/<skip>` (the brand branch just built) and HEAD as they are. Refs the new
/// repository already has keep its value.
pub fn keep(old_app: &Path, new_app: &Path, skip: &str) -> Result<()> {
    let (old_git, new_git) = (old_app.join(".git"), new_app.join(".git"));
    let old = Repository::open(old_app)
        .with_context(|| format!("cannot open the git repository of {}", old_app.display()))?;
    let new = Repository::open(new_app)
        .with_context(|| format!("cannot open the git repository of {}", new_app.display()))?;
    link_objects(
        &old_git.join("objects"),
        &new_git.join("objects"),
        &new.odb()?,
    )?;
    drop(new);
    // Reopened so its object database sees the linked objects.
    let new = Repository::open(new_app)
        .with_context(|| format!("cannot open the git repository of {}", new_app.display()))?;
    let skip = format!("refs/heads/{skip}");
    let mut kept = Vec::new();
    for reference in old.references()? {
        let reference = reference?;
        let Some(name) = reference.name() else {
            continue;
        };
        if name == skip || new.find_reference(name).is_ok() {
            continue;
        }
        match (reference.symbolic_target(), reference.target()) {
            (Some(target), _) => new.reference_symbolic(name, target, false, KEPT),
            (None, Some(oid)) => new.reference(name, oid, false, KEPT),
            _ => continue,
        }
        .with_context(|| format!("cannot keep {name} of {}", old_git.display()))?;
        kept.push(name.to_string());
    }
    for name in &kept {
        let log = old_git.join("logs").join(name);
        if log.is_file() {
            copy(&log, &new_git.join("logs").join(name))?;
        }
    }
    keep_head_log(&old_git, &new_git)?;
    keep_config(&old, &new)?;
    keep_hooks(&old_git, &new_git)
}

/// Points `refs/mmbrand/backup/<UTC time>` of the repository at `app` to `tip`; returns
/// the ref's name.
pub fn backup(app: &Path, tip: Oid) -> Result<String> {
    let repo = Repository::open(app)
        .with_context(|| format!("cannot open the git repository of {}", app.display()))?;
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let base = format!("refs/mmbrand/backup/{}", utc_stamp(secs));
    // Two runs in one second (batch) must not overwrite each other's backup.
    let mut name = base.clone();
    let mut n = 1;
    while repo.find_reference(&name).is_ok() {
        n += 1;
        name = format!("{base}-{n}");
    }
    repo.reference(
        &name,
        tip,
        false,
        "mmbrand: commits on the brand branch before --force",
    )
    .with_context(|| format!("cannot create {name} in {}", app.display()))?;
    Ok(name)
}

/// `YYYYMMDDTHHMMSSZ` of seconds since the epoch (civil-from-days, proleptic Gregorian).
fn utc_stamp(secs: u64) -> String {
    let (days, rem) = ((secs / 86_400) as i64, secs % 86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}{month:02}{day:02}T{:02}{:02}{:02}Z",
        rem / 3_600,
        rem / 60 % 60,
        rem % 60
    )
}

/// Hard-links (or copies, across file systems) every object file and pack of `from` that
/// holds an object `odb` (the new repository's) lacks, and adds `from`'s alternates to
/// `to`'s. Objects never change, so sharing the files is safe. A pack of upstream that the
/// new checkout holds too is left out, so re-applies over a clone do not pile up copies of
/// upstream; indexes over a set of packs (multi-pack-index, commit-graph) are not taken,
/// as they would not describe `to`'s packs.
fn link_objects(from: &Path, to: &Path, odb: &git2::Odb) -> Result<()> {
    if !from.is_dir() {
        return Ok(());
    }
    let mut needed_packs = HashMap::new();
    for entry in walkdir::WalkDir::new(from).min_depth(1) {
        let entry = entry.with_context(|| format!("cannot read {}", from.display()))?;
        let rel = entry.path().strip_prefix(from).unwrap_or(entry.path());
        let top = rel
            .components()
            .next()
            .map(|c| c.as_os_str().to_string_lossy().into_owned());
        let is_index = rel.file_name().is_some_and(|n| n == "multi-pack-index");
        if !entry.file_type().is_file() || top.as_deref() == Some("info") || is_index {
            continue;
        }
        let dest = to.join(rel);
        if dest.exists() {
            continue;
        }
        let needed = match top.as_deref() {
            Some("pack") => {
                let stem = entry.path().with_extension("");
                *needed_packs
                    .entry(stem.clone())
                    .or_insert_with(|| !redundant(&stem.with_extension("idx"), odb))
            }
            // A loose object: `ab/cdef…` names `abcdef…`.
            _ => Oid::from_str(&fsutil::rel_string(rel).replace('/', ""))
                .map_or(true, |oid| !odb.exists(oid)),
        };
        if !needed {
            continue;
        }
        if let Some(parent) = dest.parent() {
            fsutil::create_dir_all(parent)?;
        }
        if fs::hard_link(entry.path(), &dest).is_err() {
            fs::copy(entry.path(), &dest).with_context(|| {
                format!(
                    "cannot copy {} to {}",
                    entry.path().display(),
                    dest.display()
                )
            })?;
        }
    }
    let alternates = |objects: &Path| -> Vec<PathBuf> {
        let text = fs::read_to_string(objects.join("info/alternates")).unwrap_or_default();
        text.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            // Relative entries are relative to the objects folder that lists them.
            .map(|l| objects.join(l))
            .collect()
    };
    let mut all = alternates(to);
    let before = all.len();
    for alt in alternates(from) {
        if alt.is_dir() && !all.contains(&alt) {
            all.push(alt);
        }
    }
    if all.len() > before {
        let text: String = all.iter().map(|p| format!("{}\n", p.display())).collect();
        fsutil::write(&to.join("info/alternates"), text)?;
    }
    Ok(())
}

/// True when every object the pack index `idx` lists is in `odb` already. Only version 2
/// indexes (every git since 1.5.2) are read; any other is taken as needed.
fn redundant(idx: &Path, odb: &git2::Odb) -> bool {
    const HEADER: usize = 8 + 256 * 4;
    let Ok(data) = fs::read(idx) else {
        return false;
    };
    if data.len() < HEADER || data[..8] != [0xff, b't', b'O', b'c', 0, 0, 0, 2] {
        return false;
    }
    // The last fan-out entry counts every object; their sorted names follow.
    let count = u32::from_be_bytes([
        data[HEADER - 4],
        data[HEADER - 3],
        data[HEADER - 2],
        data[HEADER - 1],
    ]) as usize;
    let Some(names) = data.get(HEADER..HEADER + 20 * count) else {
        return false;
    };
    names
        .chunks(20)
        .all(|name| Oid::from_bytes(name).is_ok_and(|oid| odb.exists(oid)))
}

/// The old HEAD reflog, followed by the new checkout's entries: `git reflog` still shows
/// where the user has been.
fn keep_head_log(old_git: &Path, new_git: &Path) -> Result<()> {
    let old = old_git.join("logs/HEAD");
    let Ok(mut text) = fs::read_to_string(&old) else {
        return Ok(());
    };
    let new = new_git.join("logs/HEAD");
    text.push_str(&fs::read_to_string(&new).unwrap_or_default());
    fsutil::write(&new, text)
}

/// Adds each entry of the old repository's own config whose key the new one has no value
/// for (remotes, user, branch tracking, aliases); `core.*` stays the new repository's, and
/// remote "fork" is apply's own (`--push` sets it from the brand's current fork).
fn keep_config(old: &Repository, new: &Repository) -> Result<()> {
    let old_config = git2::Config::open(&old.path().join("config"))
        .with_context(|| format!("cannot read {}/config", old.path().display()))?;
    let mut new_config = new
        .config()?
        .open_level(git2::ConfigLevel::Local)
        .with_context(|| format!("cannot open {}/config", new.path().display()))?;
    let mut entries = Vec::new();
    let mut iter = old_config.entries(None)?;
    while let Some(entry) = iter.next() {
        let entry = entry?;
        if entry.level() != git2::ConfigLevel::Local {
            continue;
        }
        if let (Some(name), Some(value)) = (entry.name(), entry.value()) {
            entries.push((name.to_string(), value.to_string()));
        }
    }
    let taken = |config: &git2::Config, name: &str| config.get_entry(name).is_ok();
    let absent: Vec<_> = entries
        .into_iter()
        .filter(|(name, _)| !name.starts_with("core.") && !name.starts_with("remote.fork."))
        .filter(|(name, _)| !taken(&new_config, name))
        .collect();
    for (name, value) in absent {
        // A pattern no value matches: each call adds a value (remote.<n>.fetch is multi).
        new_config
            .set_multivar(&name, "^mmbrand-matches-nothing\x01$", &value)
            .with_context(|| format!("cannot keep {name} in {}/config", new.path().display()))?;
    }
    Ok(())
}

/// The user's hooks (not git's samples) and info/exclude.
fn keep_hooks(old_git: &Path, new_git: &Path) -> Result<()> {
    if let Ok(dir) = fs::read_dir(old_git.join("hooks")) {
        for entry in dir.flatten() {
            let name = entry.file_name();
            let dest = new_git.join("hooks").join(&name);
            let sample = name.to_string_lossy().ends_with(".sample");
            if !sample && entry.path().is_file() && !dest.exists() {
                copy(&entry.path(), &dest)?;
            }
        }
    }
    let exclude = old_git.join("info/exclude");
    if exclude.is_file() {
        copy(&exclude, &new_git.join("info/exclude"))?;
    }
    Ok(())
}

/// Copies a file, permissions included, creating the folders it needs.
fn copy(from: &Path, to: &Path) -> Result<()> {
    if let Some(parent) = to.parent() {
        fsutil::create_dir_all(parent)?;
    }
    fs::copy(from, to)
        .map(|_| ())
        .with_context(|| format!("cannot copy {} to {}", from.display(), to.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_are_utc_calendar_times() {
        assert_eq!(utc_stamp(0), "19700101T000000Z");
        assert_eq!(utc_stamp(951_782_400), "20000229T000000Z");
        assert_eq!(utc_stamp(1_764_790_245), "20251203T193045Z");
    }
}
