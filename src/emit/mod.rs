//! Generated files rendered from the tera templates in `templates/` (compiled into the binary
//! so it works from any directory).
pub mod emm;
pub mod fastlane;
pub mod well_known;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::fsutil;

/// Renders one embedded template with a context.
pub fn render(name: &str, template: &str, context: &tera::Context) -> Result<String> {
    let mut tera = tera::Tera::default();
    tera.autoescape_on(vec![]);
    tera.add_raw_template(name, template)
        .with_context(|| format!("template {name} is invalid"))?;
    tera.render(name, context)
        .with_context(|| format!("cannot render template {name}"))
}

/// Where the generated files outside `app/` go: the staging folder for apply (`FsSink`),
/// memory for plan (`MemSink`), which writes nothing.
pub trait Sink {
    /// `bytes` as the file `rel`, relative to the output's root.
    fn write(&mut self, rel: &Path, bytes: &[u8]) -> Result<()>;
    /// The same, readable by its owner only (credentials, files holding a secret).
    fn write_private(&mut self, rel: &Path, bytes: &[u8]) -> Result<()>;
}

/// Writes under a directory.
pub struct FsSink<'a> {
    pub root: &'a Path,
}

impl Sink for FsSink<'_> {
    fn write(&mut self, rel: &Path, bytes: &[u8]) -> Result<()> {
        fsutil::write(&self.root.join(rel), bytes)
    }

    /// Created 0600: the file never exists with a wider mode.
    fn write_private(&mut self, rel: &Path, bytes: &[u8]) -> Result<()> {
        fsutil::write_private(&self.root.join(rel), bytes)
    }
}

/// Holds the files in memory (plan).
#[derive(Debug, Default)]
pub struct MemSink {
    /// Root-relative path -> content.
    pub files: BTreeMap<PathBuf, Vec<u8>>,
}

impl Sink for MemSink {
    fn write(&mut self, rel: &Path, bytes: &[u8]) -> Result<()> {
        self.files.insert(rel.to_path_buf(), bytes.to_vec());
        Ok(())
    }

    fn write_private(&mut self, rel: &Path, bytes: &[u8]) -> Result<()> {
        self.write(rel, bytes)
    }
}
