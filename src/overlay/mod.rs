//! The asset overlay engine: `assets/override` merged over `assets/base`.
//!
//! Everything is validated first (so one run reports every problem), then written.
pub mod config_check;
pub mod image_check;
pub mod json_merge;
pub mod key_check;
pub mod resolved;
pub mod suggest;
pub mod walk;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use anyhow::Result;
use serde::Serialize;
use serde_json::Value;

use crate::fsutil;
use crate::problems::Problems;

/// The one upstream JSON file whose keys the app reads by exact name.
pub const CONFIG_JSON: &str = "config.json";

/// A file the pipeline produced, as `plan` holds it in memory instead of writing it: its
/// bytes, or the file it is a copy of (a base or override asset, never loaded whole).
#[derive(Debug, Clone)]
pub enum Held {
    Bytes(Vec<u8>),
    /// A copy of this file (anywhere), not read until someone needs its bytes.
    Copy(PathBuf),
}

impl Held {
    /// The bytes (a copied file is read whole: callers keep to files they parse or diff).
    pub fn bytes(&self) -> Result<std::borrow::Cow<'_, [u8]>> {
        Ok(match self {
            Held::Bytes(b) => std::borrow::Cow::Borrowed(b),
            Held::Copy(path) => std::borrow::Cow::Owned(fsutil::read(path)?),
        })
    }
}

#[derive(Debug, Clone, Copy, Default)]
pub struct MergeOptions {
    /// Copy files that exist only in the override instead of rejecting them.
    pub allow_extra: bool,
    /// Whether the command has `--allow-extra`, so messages may suggest it (only `merge`).
    pub offer_allow_extra: bool,
}

/// What a merge did, file by file (paths relative to the trees, `/`-separated).
#[derive(Debug, Default, Serialize)]
pub struct MergeReport {
    /// JSON files deep-merged.
    pub merged: Vec<String>,
    /// Files replaced by the override byte for byte.
    pub replaced: Vec<String>,
    /// Files only in the override, copied because of `--allow-extra`.
    pub extra: Vec<String>,
    /// Number of base files copied unchanged.
    pub copied: usize,
    pub warnings: Vec<String>,
}

/// One overridden file, decided during validation.
enum Overlay {
    Json { rel: PathBuf, merged: Value },
    Replace { rel: PathBuf },
    Extra { rel: PathBuf },
}

/// A validated merge, ready to be written anywhere.
pub struct MergePlan {
    base: PathBuf,
    overrides: PathBuf,
    base_files: Vec<PathBuf>,
    overlays: Vec<Overlay>,
    warnings: Vec<String>,
}

impl MergePlan {
    /// Validates `overrides` against `base`; every problem found is reported at once.
    pub fn new(base: &Path, overrides: &Path, options: MergeOptions) -> Result<MergePlan> {
        let base_files = walk::files(base, "base assets directory")?;
        let override_files = walk::files(overrides, "override directory")?;
        let base_set: BTreeSet<&PathBuf> = base_files.iter().collect();
        let base_dirs: BTreeSet<&Path> = base_files.iter().flat_map(|f| ancestors(f)).collect();
        let mut problems = Problems::new();
        let mut warnings = Vec::new();
        let mut overlays = Vec::new();

        for rel in &override_files {
            let shown = fsutil::rel_string(rel);
            if let Some(kind) = key_check::credential_kind(&overrides.join(rel))? {
                problems.push(key_check::message(&overrides.join(rel), kind));
                continue;
            }
            if let Some(p) = shape_conflict(rel, overrides, &base_set, &base_dirs) {
                problems.push(p);
                continue;
            }
            if !base_set.contains(rel) {
                if options.allow_extra {
                    warnings.push(format!(
                        "{shown} is not in the base assets; copied because of --allow-extra"
                    ));
                    overlays.push(Overlay::Extra { rel: rel.clone() });
                } else {
                    problems.push(suggest::extra_file_message(
                        overrides,
                        &shown,
                        &base_files,
                        options.offer_allow_extra,
                    ));
                }
                continue;
            }
            let (b, o) = (base.join(rel), overrides.join(rel));
            if json_merge::is_json(rel) {
                match merge_json_file(&b, &o, &shown, &mut warnings) {
                    Ok(merged) => overlays.push(Overlay::Json {
                        rel: rel.clone(),
                        merged,
                    }),
                    Err(found) => found.into_iter().for_each(|p| problems.push(p)),
                }
            } else {
                if let Some(p) = image_check::check(&b, &o, &shown) {
                    problems.push(p);
                }
                overlays.push(Overlay::Replace { rel: rel.clone() });
            }
        }
        problems.into_result()?;
        Ok(MergePlan {
            base: base.to_path_buf(),
            overrides: overrides.to_path_buf(),
            base_files,
            overlays,
            warnings,
        })
    }

    /// The deep-merged JSON files, by relative path: what the app will actually read.
    pub fn merged_json(&self) -> impl Iterator<Item = (&Path, &Value)> {
        self.overlays.iter().filter_map(|o| match o {
            Overlay::Json { rel, merged } => Some((rel.as_path(), merged)),
            _ => None,
        })
    }

    /// Replaces a merged JSON document (or adds one for a base file the override did not
    /// touch), so later steps can inject values such as the server URL.
    pub fn set_json(&mut self, rel: &Path, value: Value) {
        for o in &mut self.overlays {
            if let Overlay::Json { rel: r, merged } = o {
                if r == rel {
                    *merged = value;
                    return;
                }
            }
        }
        self.overlays.push(Overlay::Json {
            rel: rel.to_path_buf(),
            merged: value,
        });
    }

    pub fn base_dir(&self) -> &Path {
        &self.base
    }

    /// Writes the merged tree into `out` (which should be empty).
    /// Writes the merged tree into `out` (apply and merge).
    pub fn write(&self, out: &Path) -> Result<MergeReport> {
        let (entries, report) = self.entries();
        create_parent_dirs(out, entries.iter().map(|(rel, _)| rel.as_path()))?;
        for (rel, held) in &entries {
            match held {
                Held::Bytes(bytes) => fsutil::write(&out.join(rel), bytes)?,
                Held::Copy(from) => fsutil::copy_file(from, &out.join(rel))?,
            }
        }
        Ok(report)
    }

    /// The merged tree without writing it (plan): each file relative to the tree, as the
    /// merged JSON's bytes or the base or override file it is a copy of.
    pub fn entries(&self) -> (Vec<(PathBuf, Held)>, MergeReport) {
        let mut report = MergeReport {
            warnings: self.warnings.clone(),
            ..MergeReport::default()
        };
        let mut entries = Vec::new();
        let overlaid: BTreeSet<&Path> = self.overlays.iter().map(Overlay::rel).collect();
        for rel in &self.base_files {
            if !overlaid.contains(rel.as_path()) {
                entries.push((rel.clone(), Held::Copy(self.base.join(rel))));
                report.copied += 1;
            }
        }
        for overlay in &self.overlays {
            match overlay {
                Overlay::Json { rel, merged } => {
                    entries.push((rel.clone(), Held::Bytes(json_merge::to_pretty(merged))));
                    report.merged.push(fsutil::rel_string(rel));
                }
                Overlay::Replace { rel } => {
                    entries.push((rel.clone(), Held::Copy(self.overrides.join(rel))));
                    report.replaced.push(fsutil::rel_string(rel));
                }
                Overlay::Extra { rel } => {
                    entries.push((rel.clone(), Held::Copy(self.overrides.join(rel))));
                    report.extra.push(fsutil::rel_string(rel));
                }
            }
        }
        report.merged.sort();
        (entries, report)
    }
}

impl Overlay {
    fn rel(&self) -> &Path {
        match self {
            Overlay::Json { rel, .. } | Overlay::Replace { rel } | Overlay::Extra { rel } => rel,
        }
    }
}

/// The directories a relative file path lies in, innermost first (not the empty root).
fn ancestors(rel: &Path) -> impl Iterator<Item = &Path> {
    rel.ancestors()
        .skip(1)
        .filter(|a| !a.as_os_str().is_empty())
}

/// A message when an override file sits where base has a directory, or inside a directory
/// that is a file in base: no merge can write both.
fn shape_conflict(
    rel: &Path,
    overrides: &Path,
    base_files: &BTreeSet<&PathBuf>,
    base_dirs: &BTreeSet<&Path>,
) -> Option<String> {
    let shown = overrides.join(rel);
    if base_dirs.contains(rel) {
        return Some(format!(
            "{} is a file, but {} is a directory in the base assets; put the override files inside a directory of that name",
            shown.display(),
            fsutil::rel_string(rel)
        ));
    }
    let file_ancestor = ancestors(rel).find(|a| base_files.contains(&a.to_path_buf()))?;
    Some(format!(
        "{} is inside a directory {}, but {} is a file in the base assets; override the file itself instead",
        shown.display(),
        fsutil::rel_string(file_ancestor),
        fsutil::rel_string(file_ancestor)
    ))
}

/// Creates each output directory once, instead of once per file: on a tree of a few
/// hundred files the repeated `mkdir` calls cost as much as the copying.
fn create_parent_dirs<'a>(out: &Path, files: impl Iterator<Item = &'a Path>) -> Result<()> {
    let dirs: BTreeSet<&Path> = files.filter_map(Path::parent).collect();
    for dir in dirs {
        fsutil::create_dir_all(&out.join(dir))?;
    }
    Ok(())
}

/// Parses both sides, checks config.json's keys and types, and returns the merged document,
/// or every problem found in this file.
fn merge_json_file(
    base: &Path,
    overrides: &Path,
    shown: &str,
    warnings: &mut Vec<String>,
) -> std::result::Result<Value, Vec<String>> {
    let base_value = json_merge::parse_file(base)
        .map_err(|e| vec![format!("{e} (a base file: check the upstream checkout)")])?;
    let patch = json_merge::parse_file(overrides).map_err(|e| vec![e])?;
    if shown == CONFIG_JSON {
        let file = overrides.display().to_string();
        let found = config_check::check(&base_value, &patch, &file);
        if !found.is_empty() {
            return Err(found);
        }
        warnings.extend(config_check::deletions(&patch, &file));
    }
    Ok(json_merge::merge(&base_value, &patch))
}
