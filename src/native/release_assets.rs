//! Release icons and splash screens from the merged `dist/assets/release/` into the native
//! projects: the files upstream's `replace_assets` lanes copy, but each one only where the
//! checked-out project actually uses it.
//!
//! The lanes copy with `cp -R` whatever is there. Upstream's projects moved on since those
//! lanes were written: v2.42's launch screen is `SplashScreen.storyboard`, so a copied
//! `LaunchScreen.storyboard` is a file Xcode never reads, and the release `styles.xml` would
//! switch the Android theme to a layout that no longer exists. So, per file:
//! - images replace a file the project uses: one that exists, one an asset catalog's
//!   `Contents.json` names, or an Android resource of the same type and name (a density or
//!   night variant of a drawable the project has);
//! - any other file (storyboard, XML values, layouts) is copied only when the brand overrides
//!   it, and the launch storyboard lands on the one the main Info.plist names;
//! - a brand file that would land nowhere is an error: the user expects to see it in the app.
use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use anyhow::{bail, Result};
use serde::Serialize;

use crate::fsutil;
use crate::problems::Problems;
use crate::recorder::Recorder;

const IOS_ICONS: &str = "release/icons/ios";
const IOS_SPLASH: &str = "release/splash_screen/ios";
const LAUNCH_STORYBOARD: &str = "release/splash_screen/ios/LaunchScreen.storyboard";
const ANDROID_DIRS: &[&str] = &["release/icons/android", "release/splash_screen/android"];
const XCASSETS: &str = "ios/Mattermost/Images.xcassets";
const APP_ICONSET: &str = "ios/Mattermost/Images.xcassets/AppIcon.appiconset";
pub const ANDROID_RES: &str = "android/app/src/main/res";

/// Where one release file went, or why it stayed out.
#[derive(Debug, Clone, Serialize)]
pub struct Placement {
    /// Relative to dist/assets.
    pub asset: String,
    /// Relative to the app, when copied.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// The brand overrides this file.
    pub from_brand: bool,
    pub note: String,
}

/// Copies the release assets of `dist` (app-relative, read through the recorder) into the
/// native projects. `overridden` are the brand's override files, relative to its override
/// tree.
pub fn place(
    dist: &Path,
    rec: &mut Recorder,
    overridden: &BTreeSet<PathBuf>,
) -> Result<Vec<Placement>> {
    let mut out = Vec::new();
    let android = AndroidResources::scan(rec)?;
    for rel in release_files(rec, dist)? {
        let from_brand = overridden.contains(&rel);
        let (to, note) = destination(&rel, rec, &android, from_brand)?;
        if let Some(to) = &to {
            rec.copy_within(&dist.join(&rel), to)?;
        }
        out.push(Placement {
            asset: fsutil::rel_string(&rel),
            to: to.as_deref().map(fsutil::rel_string),
            from_brand,
            note,
        });
    }
    let mut problems = Problems::new();
    for p in out.iter().filter(|p| p.from_brand && p.to.is_none()) {
        problems.push(format!(
            "override {}: {}; this file would have no effect in the app",
            p.asset, p.note
        ));
    }
    problems.into_result()?;
    Ok(out)
}

fn release_files(rec: &Recorder, dist: &Path) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for dir in [IOS_ICONS, IOS_SPLASH].iter().chain(ANDROID_DIRS) {
        let full = dist.join(dir);
        if rec.is_dir(&full) {
            let listed = rec.files_under(&full, "release assets")?;
            files.extend(listed.into_iter().map(|r| Path::new(dir).join(r)));
        }
    }
    Ok(files)
}

/// The app path a release file replaces, or None with the reason.
fn destination(
    rel: &Path,
    app: &Recorder,
    android: &AndroidResources,
    from_brand: bool,
) -> Result<(Option<PathBuf>, String)> {
    let is_image = rel.extension().is_some_and(|e| e == "png");
    if rel == Path::new(LAUNCH_STORYBOARD) {
        if !from_brand {
            return Ok((None, "upstream's own launch screen stays".into()));
        }
        let target = launch_storyboard(app)?;
        return Ok((
            Some(target),
            "the launch screen the main Info.plist names".into(),
        ));
    }
    if let Ok(name) = rel.strip_prefix(IOS_ICONS) {
        return Ok(catalog_slot(
            app,
            Path::new(APP_ICONSET),
            name,
            is_image,
            from_brand,
        ));
    }
    if let Ok(inner) = rel.strip_prefix(IOS_SPLASH) {
        let mut parts = inner.components();
        let set = parts
            .next()
            .map(|c| c.as_os_str().to_string_lossy().into_owned());
        let name = parts.as_path();
        return Ok(match set {
            Some(set) if set.ends_with(".imageset") && !name.as_os_str().is_empty() => {
                catalog_slot(
                    app,
                    &Path::new(XCASSETS).join(set),
                    name,
                    is_image,
                    from_brand,
                )
            }
            _ => (
                None,
                "upstream's replace_assets lane does not copy it".into(),
            ),
        });
    }
    for dir in ANDROID_DIRS {
        if let Ok(inner) = rel.strip_prefix(dir) {
            return Ok(android.slot(inner, is_image, from_brand));
        }
    }
    Ok((None, "not a release asset".into()))
}

/// An asset catalog entry: an image the catalog's Contents.json names (or that exists), any
/// other file only from the brand and only over an existing one.
fn catalog_slot(
    app: &Recorder,
    set: &Path,
    name: &Path,
    is_image: bool,
    from_brand: bool,
) -> (Option<PathBuf>, String) {
    let target = set.join(name);
    if !app.is_dir(set) {
        return (
            None,
            format!("the project has no {}", fsutil::rel_string(set)),
        );
    }
    let exists = app.is_file(&target);
    let named = is_image && catalog_names(app, set).contains(&fsutil::rel_string(name));
    if (is_image && (exists || named)) || (from_brand && exists) {
        return (Some(target), "replaces a file of the asset catalog".into());
    }
    let why = if is_image {
        format!("{}/Contents.json does not name it", fsutil::rel_string(set))
    } else {
        "only copied when the brand overrides it and the project has it".into()
    };
    (None, why)
}

/// The `filename`s an asset catalog folder's Contents.json lists.
fn catalog_names(app: &Recorder, set: &Path) -> HashSet<String> {
    let Ok(Some(bytes)) = app.read(&set.join("Contents.json")) else {
        return HashSet::new();
    };
    let Ok(json) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
        return HashSet::new();
    };
    json.get("images")
        .and_then(|v| v.as_array())
        .into_iter()
        .flatten()
        .filter_map(|i| i.get("filename").and_then(|f| f.as_str()))
        .map(str::to_string)
        .collect()
}

/// The storyboard the main Info.plist's `UILaunchStoryboardName` names, found by its file
/// reference in the Xcode project (relative to ios/). Both files are the registry's, so
/// they are in the checkout.
fn launch_storyboard(rec: &Recorder) -> Result<PathBuf> {
    let app = rec.app();
    let plist_path = app.join(super::ios::MAIN_PLIST);
    let plist = crate::content::plist_value(
        &rec.read_required(Path::new(super::ios::MAIN_PLIST))?,
        &plist_path.display().to_string(),
    )?;
    let Some(name) = plist
        .as_dictionary()
        .and_then(|d| d.get("UILaunchStoryboardName"))
        .and_then(plist::Value::as_string)
    else {
        bail!(
            "{}: no UILaunchStoryboardName, so the brand's {LAUNCH_STORYBOARD} has no launch screen to replace",
            plist_path.display()
        );
    };
    let pbx = rec.read_to_string(Path::new(super::ios::PBXPROJ))?;
    let file = format!("{name}.storyboard");
    let path = pbx
        .lines()
        .filter(|l| l.contains("isa = PBXFileReference") && l.contains(&file))
        .find_map(|l| {
            let rest = &l[l.find(" path = ")? + " path = ".len()..];
            let value = rest[..rest.find(';')?].trim_matches('"');
            value.ends_with(&file).then(|| value.to_string())
        });
    match path {
        Some(p) if rec.is_file(&Path::new("ios").join(&p)) => Ok(Path::new("ios").join(p)),
        _ => bail!(
            "{}: the launch screen {file} (UILaunchStoryboardName in {}) has no file reference with an existing file, so mmbrand cannot tell where the brand's {LAUNCH_STORYBOARD} belongs",
            super::ios::PBXPROJ,
            super::ios::MAIN_PLIST
        ),
    }
}

/// The Android resources of the project, as (type, name): `drawable-night-hdpi/splash.png`
/// is ("drawable", "splash").
struct AndroidResources {
    names: HashSet<(String, String)>,
    root: PathBuf,
}

impl AndroidResources {
    fn scan(rec: &Recorder) -> Result<Self> {
        let mut names = HashSet::new();
        if rec.is_dir(Path::new(ANDROID_RES)) {
            for rel in rec.files_under(Path::new(ANDROID_RES), "Android resources")? {
                if let Some(key) = resource_key(&rel) {
                    names.insert(key);
                }
            }
        }
        Ok(Self {
            names,
            root: PathBuf::from(ANDROID_RES),
        })
    }

    fn slot(&self, inner: &Path, is_image: bool, from_brand: bool) -> (Option<PathBuf>, String) {
        let target = self.root.join(inner);
        let known = resource_key(inner).is_some_and(|k| self.names.contains(&k));
        if is_image && known {
            return (Some(target), "replaces a resource the project uses".into());
        }
        if !is_image && from_brand && known {
            return (Some(target), "the brand replaces this resource".into());
        }
        let why = if is_image {
            "the project has no resource of that type and name".to_string()
        } else if from_brand {
            "the project has no resource of that type and name, so nothing would use it".to_string()
        } else {
            "upstream's resource stays (only copied when the brand overrides it)".to_string()
        };
        (None, why)
    }
}

fn resource_key(rel: &Path) -> Option<(String, String)> {
    let mut parts = rel.components();
    let dir = parts.next()?.as_os_str().to_str()?;
    let file = parts.next()?.as_os_str().to_str()?;
    if parts.next().is_some() {
        return None;
    }
    let kind = dir.split('-').next()?;
    // values files are merged by Android, so the file name is what identifies them.
    let name = if kind == "values" {
        file.to_string()
    } else {
        file.split('.').next()?.to_string()
    };
    Some((kind.to_string(), name))
}
