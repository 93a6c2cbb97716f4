//! What `batch` and `batch --matrix` both check of a set of brands: names that would share an
//! output folder, identifiers that would make two brands one app, and which brand file a
//! message is about.
use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{bail, Result};

use crate::brand::Brand;

/// Two brands of one name would write the same `OUT/<name>/`: refused before any work.
pub fn check_unique_names<'a>(brands: impl IntoIterator<Item = (&'a str, &'a Path)>) -> Result<()> {
    let mut seen: BTreeMap<&str, &Path> = BTreeMap::new();
    for (name, file) in brands {
        if let Some(first) = seen.insert(name, file) {
            bail!(
                "{} and {} both have name = {name:?}; each brand is written to --out DIR/<name>, so give one of them another name (nothing was written)",
                first.display(),
                file.display()
            );
        }
    }
    Ok(())
}

/// Brands that would be the same app to the stores and the push proxy: one bundle id or
/// Android package in two brand files (the proxy routes by topic and package).
pub fn shared_identifiers(brands: &[&Brand]) -> Vec<String> {
    let mut seen: BTreeMap<(&str, &str), &Path> = BTreeMap::new();
    let mut warnings = Vec::new();
    for brand in brands {
        for (what, id) in [
            ("[ios] bundle_id", brand.ios.bundle_id.as_str()),
            ("[android] package", brand.android.package.as_str()),
        ] {
            if let Some(first) = seen.insert((what, id), &brand.file) {
                warnings.push(format!(
                    "{} and {} both have {what} = {id:?}: the stores and the push proxy would take them for one app; give each brand its own",
                    first.display(),
                    brand.file.display()
                ));
            }
        }
    }
    warnings
}

/// Every message names the brand file, so a failure in a batch of many is traceable.
pub fn name_file(messages: Vec<String>, file: &Path) -> Vec<String> {
    let shown = file.display().to_string();
    messages
        .into_iter()
        .map(|m| {
            if m.contains(&shown) {
                m
            } else {
                format!("{shown}: {m}")
            }
        })
        .collect()
}
