//! The last gate of `apply`: no private key, service-account key or credential may land in
//! the app tree, where it would be committed, pushed and shipped inside the app.
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::fsutil;
use crate::problems::Problems;
use crate::push::credentials;

/// Checks every file mmbrand wrote into the app (the only files a brand controls) for key
/// material and for the exact bytes of any credential.
pub fn check_app(app: &Path, written: &BTreeSet<PathBuf>, secrets: &[Vec<u8>]) -> Result<()> {
    let mut problems = Problems::new();
    let finders: Vec<memchr::memmem::Finder> = secrets
        .iter()
        .filter(|s| s.len() >= 16)
        .map(memchr::memmem::Finder::new)
        .collect();
    for rel in written {
        let bytes = fsutil::read(&app.join(rel))?;
        let shown = fsutil::rel_string(rel);
        if credentials::contains_key_material(&bytes) {
            problems.push(format!(
                "app/{shown} contains a private key or service-account key; credentials belong in [push] as file:/env: references, never in the app (check the override tree)"
            ));
        } else if finders.iter().any(|f| f.find(&bytes).is_some()) {
            problems.push(format!("app/{shown} contains one of the brand's credentials; remove it from the override tree"));
        }
    }
    problems.into_result()
}
