//! A brand reads only files inside its own folder unless told otherwise: a brand folder is
//! what gets reviewed, copied between machines and handed to CI, so a `file:../../` path or a
//! symlink out of it would read (and copy into the outputs) files nobody reviewed as part of
//! the brand. `--allow-outside-brand-dir` is the explicit opt-out.
use std::path::{Component, Path, PathBuf};

use super::{SecretRef, Secrets};
use crate::fsutil;

/// The flag that allows paths outside the brand's folder (apply and plan have it).
pub const FLAG: &str = "--allow-outside-brand-dir";

/// Every path the brand file names, as (key, value as written, path relative to the brand).
fn named_paths<'a>(
    secrets: &'a Secrets,
    override_dir: Option<&'a str>,
) -> Vec<(&'static str, String, &'a Path)> {
    let mut paths: Vec<(&'static str, String, &Path)> = secrets
        .iter()
        .filter_map(|(key, r)| match r {
            SecretRef::File(p) => Some((key.name(), format!("file:{}", p.display()), p.as_path())),
            SecretRef::Env(_) => None,
        })
        .collect();
    if let Some(dir) = override_dir {
        paths.push(("assets.override", dir.to_string(), Path::new(dir)));
    }
    paths
}

/// A message for every path of the brand file that leaves `dir` (the brand's folder), by
/// `..`, an absolute path, or a symlink. `brand_file` is shown in front of each.
pub fn check(
    secrets: &Secrets,
    override_dir: Option<&str>,
    dir: &Path,
    brand_file: &str,
) -> Vec<String> {
    let real_dir = dir.canonicalize().ok();
    named_paths(secrets, override_dir)
        .into_iter()
        .filter_map(|(key, value, rel)| {
            let problem = if leaves_lexically(rel) {
                format!(
                    "{key} = {value:?} names a path outside the brand's folder {}; move it into the brand's folder, or pass {FLAG} to read it from there",
                    dir.display()
                )
            } else {
                let target = escaping_symlink(dir, real_dir.as_deref(), rel)?;
                format!(
                    "{key} = {value:?}: {} is a symlink to {}, outside the brand's folder {}; copy the file into the brand's folder, or name the target itself and pass {FLAG}",
                    fsutil::normalize(&dir.join(rel)).display(),
                    target.display(),
                    dir.display()
                )
            };
            Some(format!("{brand_file}: {problem}"))
        })
        .collect()
}

/// Whether `rel` is absolute or climbs above its starting directory with `..`.
fn leaves_lexically(rel: &Path) -> bool {
    let mut depth = 0usize;
    for c in rel.components() {
        match c {
            Component::Prefix(_) | Component::RootDir => return true,
            Component::ParentDir if depth == 0 => return true,
            Component::ParentDir => depth -= 1,
            Component::Normal(_) => depth += 1,
            Component::CurDir => {}
        }
    }
    false
}

/// Where `dir/rel` really is, when a symlink on the way takes it out of `real_dir`.
fn escaping_symlink(dir: &Path, real_dir: Option<&Path>, rel: &Path) -> Option<PathBuf> {
    let target = dir.join(rel).canonicalize().ok()?;
    (!target.starts_with(real_dir?)).then_some(target)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parent_and_absolute_paths_leave() {
        assert!(leaves_lexically(Path::new("../x")));
        assert!(leaves_lexically(Path::new("a/../../x")));
        assert!(leaves_lexically(Path::new("/etc/passwd")));
        assert!(!leaves_lexically(Path::new("secrets/../secrets/x")));
        assert!(!leaves_lexically(Path::new("./secrets/x")));
    }
}
