//! The resolved override written into the branded app's `assets/override/`.
//!
//! Upstream's `npm install` re-runs scripts/generate-assets.js, which merges each JSON file
//! shallowly (`Object.assign({}, base, override)`) and only for files that exist in base.
//! Writing the fully merged JSON there makes that regeneration produce our `dist/assets`.
use std::path::{Path, PathBuf};

use anyhow::Result;
use serde_json::Value;

use super::{json_merge, Held, MergePlan};
use crate::fsutil;
use crate::problems::Problems;

/// Top-level keys deleted with `null` cannot survive upstream's shallow merge (the base
/// value comes back), so they are refused when the result must be reproducible upstream.
pub fn check_reproducible(plan: &MergePlan) -> Result<()> {
    let mut problems = Problems::new();
    for (rel, merged) in plan.merged_json() {
        let base =
            json_merge::parse_file(&plan.base_dir().join(rel)).map_err(anyhow::Error::msg)?;
        if let (Value::Object(b), Value::Object(m)) = (&base, merged) {
            for key in b.keys().filter(|k| !m.contains_key(*k)) {
                problems.push(format!(
                    "{}: top-level key `{key}` is deleted with null, but upstream's asset script merges JSON shallowly and would bring it back on npm install; give it a value instead",
                    fsutil::rel_string(rel)
                ));
            }
        }
    }
    problems.into_result()
}

/// Writes every overridden file into `dir`: merged JSON in full, other files as given.
pub fn write(plan: &MergePlan, overrides: Option<&Path>, dir: &Path) -> Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    for (rel, held) in entries(plan, overrides)? {
        match held {
            Held::Bytes(bytes) => fsutil::write(&dir.join(&rel), bytes)?,
            Held::Copy(from) => fsutil::copy(&from, &dir.join(&rel))?,
        }
        written.push(rel);
    }
    Ok(written)
}

/// What `write` would write, relative to `dir`, sorted, without writing it (plan).
pub fn entries(plan: &MergePlan, overrides: Option<&Path>) -> Result<Vec<(PathBuf, Held)>> {
    let mut out = Vec::new();
    for (rel, merged) in plan.merged_json() {
        out.push((
            rel.to_path_buf(),
            Held::Bytes(json_merge::to_pretty(merged)),
        ));
    }
    if let Some(src) = overrides {
        for rel in super::walk::files(src, "override directory")? {
            if json_merge::is_json(&rel) {
                continue;
            }
            let from = src.join(&rel);
            out.push((rel, Held::Copy(from)));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}
