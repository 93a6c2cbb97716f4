//! The drift report of an upgrade: what changed in upstream, between the commit an output was
//! made from and the new one, under the brand: config.json keys, the base files of the
//! brand's overrides, and the files apply edits (with the lines it edits, its anchors).
use std::path::Path;

use anyhow::{Context, Result};
use git2::{Oid, Repository};
use serde::Serialize;
use serde_json::Value;
use similar::{ChangeTag, TextDiff};

use crate::brand::Brand;
use crate::overlay::{self, json_merge, CONFIG_JSON};

const BASE: &str = "assets/base";

#[derive(Debug, Serialize)]
pub struct Drift {
    pub from: String,
    pub to: String,
    pub config: Vec<ConfigDrift>,
    pub overrides: Vec<OverrideDrift>,
    pub files: Vec<FileDrift>,
    /// Upstream files apply edits at the new commit but did not at the old one (e.g.
    /// app.json once upstream added `expo.scheme`); known after the build.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub newly_edited: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct ConfigDrift {
    /// JSON pointer into config.json.
    pub key: String,
    /// "added", "removed" or "type changed".
    pub change: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub was: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub now: Option<&'static str>,
    pub set_by_brand: bool,
}

#[derive(Debug, Serialize)]
pub struct OverrideDrift {
    /// Relative to the override tree.
    pub file: String,
    pub detail: String,
}

#[derive(Debug, Serialize)]
pub struct FileDrift {
    /// Relative to the output directory.
    pub path: String,
    pub lines_added: usize,
    pub lines_removed: usize,
    pub removed_upstream: bool,
    pub anchors: Vec<Anchor>,
}

/// An upstream line apply edits, and where it is in each commit (1-based; None: absent).
#[derive(Debug, Serialize)]
pub struct Anchor {
    pub text: String,
    pub from_line: Option<usize>,
    pub to_line: Option<usize>,
}

/// A file apply edits: its path in the app tree and, when known, the branded content made
/// from one of the two commits (`from_old` says which), to find the lines apply edits.
pub struct Edited {
    pub path: String,
    pub branded: Option<(Vec<u8>, bool)>,
}

impl Drift {
    pub fn is_empty(&self) -> bool {
        self.config.is_empty() && self.overrides.is_empty() && self.files.is_empty()
    }

    /// Whether upstream changed something the brand sets, overrides or edits (keys the
    /// brand does not set are news, not drift of the brand).
    pub fn affects_brand(&self) -> bool {
        self.config.iter().any(|c| c.set_by_brand)
            || !self.overrides.is_empty()
            || !self.files.is_empty()
    }

    /// The human report, one line per item.
    pub fn lines(&self) -> Vec<String> {
        let mut out = self.key_lines();
        out.extend(self.file_lines());
        out
    }

    /// config.json keys and override files.
    pub fn key_lines(&self) -> Vec<String> {
        let mut out = Vec::new();
        for c in &self.config {
            let types = match (c.was, c.now) {
                (Some(w), Some(n)) if w != n => format!("{w} -> {n}"),
                (Some(t), _) | (_, Some(t)) => t.to_string(),
                _ => String::new(),
            };
            let brand = if c.set_by_brand {
                ", set by the brand"
            } else {
                ""
            };
            out.push(format!(
                "config.json {} {} ({types}{brand})",
                c.key, c.change
            ));
        }
        for o in &self.overrides {
            out.push(format!("override {}: {}", o.file, o.detail));
        }
        out
    }

    /// Upstream changes to the files apply edits, with the edited lines that moved.
    pub fn file_lines(&self) -> Vec<String> {
        let mut out = Vec::new();
        for f in &self.files {
            if f.removed_upstream {
                out.push(format!("{}: removed upstream", f.path));
                continue;
            }
            out.push(format!(
                "{}: changed upstream (+{} -{} lines)",
                f.path, f.lines_added, f.lines_removed
            ));
            for a in &f.anchors {
                let at = |l: Option<usize>| l.map_or("absent".to_string(), |l| l.to_string());
                out.push(format!(
                    "  edited line moved: {} -> {}: {}",
                    at(a.from_line),
                    at(a.to_line),
                    a.text
                ));
            }
        }
        for path in &self.newly_edited {
            out.push(format!("{path}: edited now, not at the old commit"));
        }
        out
    }
}

/// Compares commits `from` and `to` of `repo` under `brand`; `edited` are the files apply
/// edits, as app-relative paths prefixed with `app/`.
pub fn report(
    repo: &Repository,
    from: &str,
    to: &str,
    brand: &Brand,
    edited: &[Edited],
) -> Result<Drift> {
    let trees = Trees::new(repo, from, to)?;
    Ok(Drift {
        from: from.to_string(),
        to: to.to_string(),
        config: config_drift(&trees, brand)?,
        overrides: override_drift(&trees, brand)?,
        files: edited
            .iter()
            .filter_map(|e| file_drift(&trees, e))
            .collect(),
        newly_edited: Vec::new(),
    })
}

/// Only the edited files' part of the report (for `plan`, which knows them after building).
pub fn files(repo: &Repository, from: &str, to: &str, edited: &[Edited]) -> Result<Vec<FileDrift>> {
    let trees = Trees::new(repo, from, to)?;
    Ok(edited
        .iter()
        .filter_map(|e| file_drift(&trees, e))
        .collect())
}

/// The two commits' trees.
struct Trees<'r> {
    repo: &'r Repository,
    old: git2::Tree<'r>,
    new: git2::Tree<'r>,
}

impl<'r> Trees<'r> {
    fn new(repo: &'r Repository, from: &str, to: &str) -> Result<Trees<'r>> {
        let tree = |sha: &str| -> Result<git2::Tree<'r>> {
            let oid = Oid::from_str(sha).with_context(|| format!("not a commit id: {sha}"))?;
            repo.find_commit(oid)
                .and_then(|c| c.tree())
                .with_context(|| format!("upstream commit {sha} is not in the repository"))
        };
        Ok(Trees {
            repo,
            old: tree(from)?,
            new: tree(to)?,
        })
    }

    fn blob(&self, tree: &git2::Tree, path: &str) -> Option<Vec<u8>> {
        let entry = tree.get_path(Path::new(path)).ok()?;
        let object = entry.to_object(self.repo).ok()?;
        object.as_blob().map(|b| b.content().to_vec())
    }

    fn both(&self, path: &str) -> (Option<Vec<u8>>, Option<Vec<u8>>) {
        (self.blob(&self.old, path), self.blob(&self.new, path))
    }
}

fn config_drift(trees: &Trees, brand: &Brand) -> Result<Vec<ConfigDrift>> {
    let path = format!("{BASE}/{CONFIG_JSON}");
    let parse = |bytes: Option<Vec<u8>>| -> Value {
        bytes
            .and_then(|b| json_merge::parse(&b, &path).ok())
            .unwrap_or(Value::Null)
    };
    let (old, new) = trees.both(&path);
    let (old, new) = (parse(old), parse(new));
    let set = brand_config(brand);
    let mut out = Vec::new();
    compare("", &old, &new, &set, &mut out);
    Ok(out)
}

/// What the brand writes into config.json: [server], [schemes], [config] and the override.
fn brand_config(brand: &Brand) -> Value {
    let mut set = brand.config_patch();
    if let Some(dir) = &brand.override_dir {
        if let Ok(v) = json_merge::parse_file(&dir.join(CONFIG_JSON)) {
            set = json_merge::merge(&set, &v);
        }
    }
    set
}

fn compare(prefix: &str, old: &Value, new: &Value, set: &Value, out: &mut Vec<ConfigDrift>) {
    let (Some(o), Some(n)) = (old.as_object(), new.as_object()) else {
        return;
    };
    let entry = |key: &str, change, was, now| ConfigDrift {
        key: format!("{prefix}/{key}"),
        change,
        was,
        now,
        set_by_brand: set.get(key).is_some(),
    };
    for (key, ov) in o {
        match n.get(key) {
            None => out.push(entry(key, "removed", Some(json_merge::type_name(ov)), None)),
            Some(nv) if json_merge::type_name(ov) != json_merge::type_name(nv) => out.push(entry(
                key,
                "type changed",
                Some(json_merge::type_name(ov)),
                Some(json_merge::type_name(nv)),
            )),
            Some(nv) => compare(
                &format!("{prefix}/{key}"),
                ov,
                nv,
                set.get(key).unwrap_or(&Value::Null),
                out,
            ),
        }
    }
    for (key, nv) in n.iter().filter(|(k, _)| !o.contains_key(*k)) {
        out.push(entry(key, "added", None, Some(json_merge::type_name(nv))));
    }
}

fn override_drift(trees: &Trees, brand: &Brand) -> Result<Vec<OverrideDrift>> {
    let Some(dir) = &brand.override_dir else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for rel in overlay::walk::override_files(Some(dir))? {
        let file = crate::fsutil::rel_string(&rel);
        let (old, new) = trees.both(&format!("{BASE}/{file}"));
        let detail = match (old, new) {
            (Some(_), None) => {
                "its base file was removed upstream; the override no longer replaces anything"
                    .to_string()
            }
            (Some(old), Some(new)) => match (pixel_size(&old), pixel_size(&new)) {
                (Some(was), Some(now)) if was != now => {
                    let mine = std::fs::read(dir.join(&rel))
                        .ok()
                        .and_then(|b| pixel_size(&b));
                    format!(
                        "the base image is now {} (was {}); the override is {}",
                        show(now),
                        show(was),
                        mine.map_or("not an image".into(), show)
                    )
                }
                _ => continue,
            },
            _ => continue,
        };
        out.push(OverrideDrift { file, detail });
    }
    Ok(out)
}

fn pixel_size(bytes: &[u8]) -> Option<(usize, usize)> {
    imagesize::blob_size(bytes)
        .ok()
        .map(|s| (s.width, s.height))
}

fn show((w, h): (usize, usize)) -> String {
    format!("{w}x{h}")
}

fn file_drift(trees: &Trees, edited: &Edited) -> Option<FileDrift> {
    let rel = edited.path.strip_prefix("app/")?;
    let (old, new) = trees.both(rel);
    let old = old?; // a file apply creates: nothing upstream to drift
    if Some(&old) == new.as_ref() {
        return None;
    }
    let Some(new) = new else {
        return Some(FileDrift {
            path: edited.path.clone(),
            lines_added: 0,
            lines_removed: 0,
            removed_upstream: true,
            anchors: Vec::new(),
        });
    };
    let (old_text, new_text) = (String::from_utf8_lossy(&old), String::from_utf8_lossy(&new));
    let diff = TextDiff::from_lines(old_text.as_ref(), new_text.as_ref());
    let count = |tag| diff.iter_all_changes().filter(|c| c.tag() == tag).count();
    let anchors = match &edited.branded {
        Some((branded, from_old)) => {
            let branded = String::from_utf8_lossy(branded);
            match from_old {
                true => anchors(&old_text, &branded, &new_text, true),
                false => anchors(&new_text, &branded, &old_text, false),
            }
        }
        None => Vec::new(),
    };
    Some(FileDrift {
        path: edited.path.clone(),
        lines_added: count(ChangeTag::Insert),
        lines_removed: count(ChangeTag::Delete),
        removed_upstream: false,
        anchors,
    })
}

/// The upstream lines apply edits (those of `upstream` that `branded` replaced), located in
/// `other`, the same file at the other commit: the n-th occurrence of a line maps to its
/// n-th occurrence there. Only lines whose place differs are returned.
fn anchors(upstream: &str, branded: &str, other: &str, upstream_is_old: bool) -> Vec<Anchor> {
    let lines: Vec<&str> = upstream.lines().collect();
    let other_lines: Vec<&str> = other.lines().collect();
    let diff = TextDiff::from_lines(upstream, branded);
    let mut found = Vec::new();
    for change in diff.iter_all_changes() {
        let (ChangeTag::Delete, Some(index)) = (change.tag(), change.old_index()) else {
            continue;
        };
        let text = lines.get(index).copied().unwrap_or_default();
        let nth = lines[..index].iter().filter(|l| **l == text).count();
        let there = other_lines
            .iter()
            .enumerate()
            .filter(|(_, l)| **l == text)
            .nth(nth)
            .map(|(i, _)| i + 1);
        let here = Some(index + 1);
        if there == here {
            continue;
        }
        let (from_line, to_line) = match upstream_is_old {
            true => (here, there),
            false => (there, here),
        };
        found.push(Anchor {
            text: text.trim().chars().take(120).collect(),
            from_line,
            to_line,
        });
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_follow_the_nth_occurrence_and_report_only_moves() {
        let old = "a\nID = x;\nb\nID = x;\n";
        let branded = "a\nID = acme;\nb\nID = acme;\n";
        let new = "new\na\nID = x;\nb\nc\nID = x;\n";
        let found = anchors(old, branded, new, true);
        let places: Vec<_> = found.iter().map(|a| (a.from_line, a.to_line)).collect();
        assert_eq!(places, vec![(Some(2), Some(3)), (Some(4), Some(6))]);
        assert!(anchors(old, branded, old, true).is_empty());
        let gone = anchors(old, branded, "a\nb\n", true);
        assert_eq!(gone[0].to_line, None);
    }
}
