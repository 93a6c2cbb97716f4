//! The last gate of `apply`: no private key, service-account key or credential may land in
//! the app tree, where it would be committed, pushed and shipped inside the app. It looks at
//! every file mmbrand wrote into the app (the only files a brand controls), as the lock file
//! reads them, so each byte is read once.
use std::path::Path;

use anyhow::Result;

use crate::fsutil;
use crate::key_material;
use crate::problems::Problems;

pub struct Scanner<'a> {
    /// The brand's credentials, found with memchr's SIMD memmem.
    finders: Vec<memchr::memmem::Finder<'a>>,
    problems: Problems,
    /// The last file reported: a large file arrives in overlapping windows, and one problem
    /// per file is enough.
    reported: Option<std::path::PathBuf>,
}

impl<'a> Scanner<'a> {
    pub fn new(secrets: &'a [Vec<u8>]) -> Self {
        Scanner {
            finders: secrets
                .iter()
                .filter(|s| s.len() >= 16)
                .map(memchr::memmem::Finder::new)
                .collect(),
            problems: Problems::new(),
            reported: None,
        }
    }

    /// Checks one written file (`rel` relative to the app), or one window of it, for key
    /// material and for the exact bytes of any credential.
    pub fn check(&mut self, rel: &Path, bytes: &[u8]) {
        if self.reported.as_deref() == Some(rel) {
            return;
        }
        let before = self.problems.items().len();
        self.search(rel, bytes);
        if self.problems.items().len() > before {
            self.reported = Some(rel.to_path_buf());
        }
    }

    fn search(&mut self, rel: &Path, bytes: &[u8]) {
        let shown = fsutil::rel_string(rel);
        if key_material::contains_key_material(bytes) {
            self.problems.push(format!(
                "app/{shown} contains a private key or service-account key; credentials belong in [push] as file:/env: references, never in the app (check the override tree)"
            ));
        } else if self.finders.iter().any(|f| f.find(bytes).is_some()) {
            self.problems.push(format!(
                "app/{shown} contains one of the brand's credentials; remove it from the override tree"
            ));
        }
    }

    pub fn finish(self) -> Result<()> {
        self.problems.into_result()
    }
}
