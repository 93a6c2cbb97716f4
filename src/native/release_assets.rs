//! Copies release icons and splash screens from the merged `dist/assets/release/` into the
//! native projects, as upstream's `replace_assets` lanes do with `cp -R`.
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use walkdir::WalkDir;

use crate::fsutil;

/// (source under dist/assets, destination under the app, copy the folder itself or its
/// contents). Mirrors fastlane/Fastfile `replace_assets` for iOS and Android.
const COPIES: &[(&str, &str, Mode)] = &[
    (
        "release/icons/ios",
        "ios/Mattermost/Images.xcassets/AppIcon.appiconset",
        Mode::Contents,
    ),
    (
        "release/splash_screen/ios/LaunchScreen.storyboard",
        "ios/SplashScreenResource/LaunchScreen.storyboard",
        Mode::File,
    ),
    (
        "release/splash_screen/ios/SplashBackground.imageset",
        "ios/Mattermost/Images.xcassets/SplashBackground.imageset",
        Mode::Contents,
    ),
    (
        "release/splash_screen/ios/SplashIcon.imageset",
        "ios/Mattermost/Images.xcassets/SplashIcon.imageset",
        Mode::Contents,
    ),
    (
        "release/icons/android",
        "android/app/src/main/res",
        Mode::Contents,
    ),
    (
        "release/splash_screen/android",
        "android/app/src/main/res",
        Mode::Contents,
    ),
];

#[derive(Clone, Copy)]
enum Mode {
    File,
    Contents,
}

/// Copies every release asset present in `dist`; returns the files written relative to `app`.
/// A source missing from dist is skipped (older upstreams lack some); a destination folder
/// missing from the app is an error, since the native project would not pick the file up.
pub fn copy_into_native(dist: &Path, app: &Path) -> Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    for (src, dst, mode) in COPIES {
        let from = dist.join(src);
        if !from.exists() {
            continue;
        }
        let to = app.join(dst);
        let parent = to.parent().unwrap_or(app);
        if !parent.is_dir() {
            bail!(
                "{}: the native project has no such folder for {src}; upstream may have moved it",
                parent.display()
            );
        }
        match mode {
            Mode::File => {
                fsutil::copy(&from, &to)?;
                written.push(PathBuf::from(dst));
            }
            Mode::Contents => {
                for entry in WalkDir::new(&from).sort_by_file_name() {
                    let entry = entry.with_context(|| format!("cannot read {}", from.display()))?;
                    if !entry.file_type().is_file() {
                        continue;
                    }
                    let rel = entry.path().strip_prefix(&from).unwrap_or(entry.path());
                    fsutil::copy(entry.path(), &to.join(rel))?;
                    written.push(Path::new(dst).join(rel));
                }
            }
        }
    }
    Ok(written)
}
