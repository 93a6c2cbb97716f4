//! "Did you mean" suggestions for misspelt keys and misplaced files.
use std::path::{Path, PathBuf};

use crate::fsutil;

pub use crate::did_you_mean::closest;

/// The message for a file that exists only in the override tree.
/// `offer_flag`: the command has `--allow-extra` (only `merge` does).
pub fn extra_file_message(
    overrides: &Path,
    shown: &str,
    base_files: &[PathBuf],
    offer_flag: bool,
) -> String {
    let candidates: Vec<String> = base_files.iter().map(|p| fsutil::rel_string(p)).collect();
    let rename = closest_path(shown, &candidates)
        .map(|p| format!("rename it to {p}"))
        .unwrap_or_else(|| "rename it".to_string());
    let flag = if offer_flag {
        " (or pass --allow-extra to copy it anyway)"
    } else {
        ""
    };
    format!(
        "{shown} (in {}) has no counterpart in the base assets, so the app would never use it; {rename} or remove it{flag}",
        overrides.display()
    )
}

/// Same file name elsewhere in the tree wins; otherwise the nearest whole path.
fn closest_path<'a>(wanted: &str, candidates: &'a [String]) -> Option<&'a str> {
    let name = wanted.rsplit('/').next().unwrap_or(wanted);
    let same_name: Vec<&str> = candidates
        .iter()
        .map(String::as_str)
        .filter(|c| c.rsplit('/').next() == Some(name))
        .collect();
    if !same_name.is_empty() {
        return same_name
            .into_iter()
            .min_by_key(|c| strsim::levenshtein(wanted, c));
    }
    closest(wanted, candidates.iter().map(String::as_str))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_case_and_typo_fixes() {
        let keys = ["DefaultServerUrl", "DefaultServerName", "ShowOnboarding"];
        assert_eq!(
            closest("DefaultServerURL", keys.iter().copied()),
            Some("DefaultServerUrl")
        );
        assert_eq!(
            closest("ShowOnbording", keys.iter().copied()),
            Some("ShowOnboarding")
        );
        assert_eq!(closest("Completely", keys.iter().copied()), None);
    }

    #[test]
    fn suggests_paths() {
        let files: Vec<String> = [
            "release/icons/ios/40@2x.png",
            "release/icons/ios/20.png",
            "config.json",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(
            closest_path("release/icon/ios/40@2x.png", &files),
            Some("release/icons/ios/40@2x.png")
        );
        assert_eq!(
            closest_path("release/icons/ios/40@2X.png", &files),
            Some("release/icons/ios/40@2x.png")
        );
    }
}
