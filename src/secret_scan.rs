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
    /// The file the last window belonged to: only a file's first window can show a binary
    /// key container (DER, PKCS#12, keystore), which starts at its first byte.
    current: Option<std::path::PathBuf>,
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
            current: None,
        }
    }

    /// Checks one written file (`rel` relative to the app), or one window of it, for key
    /// material and for the exact bytes of any credential.
    pub fn check(&mut self, rel: &Path, bytes: &[u8]) {
        let first = self.current.as_deref() != Some(rel);
        if first {
            self.current = Some(rel.to_path_buf());
        }
        if self.reported.as_deref() == Some(rel) {
            return;
        }
        let before = self.problems.items().len();
        self.search(rel, bytes, first);
        if self.problems.items().len() > before {
            self.reported = Some(rel.to_path_buf());
        }
    }

    fn search(&mut self, rel: &Path, bytes: &[u8], first: bool) {
        let shown = fsutil::rel_string(rel);
        let found = if first {
            key_material::key_material(bytes)
        } else {
            key_material::marked(bytes)
        };
        if let Some(kind) = found {
            self.problems.push(format!(
                "app/{shown} contains {}; credentials belong in [push] as file:/env: references, never in the app (check the override tree)",
                kind.phrase()
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A PKCS#12 header: SEQUENCE, version 3, ContentInfo with pkcs7-data.
    const PFX: &[u8] = &[
        0x30, 0x80, 0x02, 0x01, 0x03, 0x30, 0x80, 0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D,
        0x01, 0x07, 0x01,
    ];

    #[test]
    fn binary_containers_count_only_at_a_files_start() {
        let mut scanner = Scanner::new(&[]);
        scanner.check(Path::new("a.png"), b"\x89PNG");
        // A later window of a.png that happens to start like a PFX: not a file's start.
        scanner.check(Path::new("a.png"), PFX);
        scanner.finish().unwrap();

        let mut scanner = Scanner::new(&[]);
        scanner.check(Path::new("assets/push.bin"), PFX);
        let err = scanner.finish().unwrap_err().to_string();
        assert!(
            err.contains("app/assets/push.bin contains a PKCS#12"),
            "{err}"
        );
    }
}
