//! `mmbrand init DIR`: a new brand to fill in. The brand.toml lists every key from the
//! reference, commented out, so `plan` then names each required key still missing.
use std::path::Path;

use anyhow::{bail, Result};

use crate::brand::reference;
use crate::fsutil;

/// Release files a brand usually replaces (under assets/base): the app icons and the
/// launch-screen images.
const USUAL: &[&str] = &[
    "release/icons/ios",
    "release/icons/android",
    "release/splash_screen",
];

/// Creates the brand folder `dir`; `source` is a local checkout whose assets/base lists the
/// icon and splash files to replace.
pub fn create(dir: &Path, source: Option<&Path>) -> Result<()> {
    let brand_file = dir.join("brand.toml");
    if brand_file.exists() {
        bail!(
            "{} already exists; init never overwrites a brand (edit it, or choose another directory)",
            brand_file.display()
        );
    }
    let name = dir
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("brand")
        .to_string();
    let readme = override_readme(source)?;
    fsutil::write(
        &brand_file,
        reference::brand_toml(&dir.display().to_string()),
    )?;
    fsutil::write(&dir.join("override/config.json"), "{}\n")?;
    fsutil::write(&dir.join("override/README.md"), readme)?;
    fsutil::write(
        &dir.join("secrets/.gitignore"),
        "# Credentials stay out of git.\n*\n!.gitignore\n",
    )?;
    println!("created brand {name:?} in {}", dir.display());
    println!(
        "next: fill in brand.toml, then `mmbrand plan {}`",
        brand_file.display()
    );
    Ok(())
}

/// What to put in override/, with the pixel size each image must keep.
fn override_readme(source: Option<&Path>) -> Result<String> {
    let mut out = String::from(
        "# Overrides\n\nFiles here replace or merge over upstream's `assets/base` at the same path\n\
         (JSON files are deep-merged: give only the keys you change, e.g. config.json or\n\
         i18n/en.json). Images must keep the base image's pixel size.\n\n",
    );
    let Some(source) = source else {
        out.push_str(
            "The icons and splash screens a brand usually replaces live under `release/icons/ios`,\n\
             `release/icons/android` and `release/splash_screen`. Run\n\
             `mmbrand init <dir> --source <mattermost-mobile checkout>` to list them here with their\n\
             sizes, or see `assets/base/release` in the upstream checkout.\n",
        );
        return Ok(out);
    };
    let base = source.join("assets/base");
    if !base.is_dir() {
        bail!(
            "{}: no assets/base here; --source must be a mattermost-mobile checkout",
            source.display()
        );
    }
    out.push_str(&format!(
        "The icons and splash screens a brand usually replaces (from {}):\n\n| file | pixels |\n|---|---|\n",
        source.display()
    ));
    for dir in USUAL {
        let root = base.join(dir);
        if !root.is_dir() {
            continue;
        }
        for rel in crate::overlay::walk::files(&root, "assets/base")? {
            let path = root.join(&rel);
            let size = imagesize::size(&path)
                .map(|s| format!("{} x {}", s.width, s.height))
                .unwrap_or_else(|_| "(not an image)".into());
            let shown = Path::new(dir).join(&rel);
            out.push_str(&format!("| `{}` | {size} |\n", fsutil::rel_string(&shown)));
        }
    }
    Ok(out)
}
