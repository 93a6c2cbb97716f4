//! The app's version and build number, written where upstream's `set_app_version` and
//! `set_app_build_number` lanes write them: package.json and package-lock.json (top-level
//! `version`), build.gradle (`versionName`, `versionCode`), the three iOS targets'
//! Info.plist (`CFBundleShortVersionString`, `CFBundleVersion`, as agvtool sets them) and the
//! Xcode project's `MARKETING_VERSION` / `CURRENT_PROJECT_VERSION` build settings.
use std::path::{Path, PathBuf};

use anyhow::Result;

use super::plist_edit::{self, PlistValue};
use super::text_edit::{edit_file, set_line_values};
use super::{android, ios};
use crate::brand::Version;
use crate::error::AnchorError;

pub const PACKAGE_JSON: &str = "package.json";
pub const PACKAGE_LOCK: &str = "package-lock.json";

/// Writes whatever `version` sets; returns the files it changed.
pub fn apply(app: &Path, version: &Version) -> Result<Vec<PathBuf>> {
    let mut changed = Vec::new();
    let mut track = |rel: &str, did: bool| {
        if did {
            changed.push(PathBuf::from(rel));
        }
    };
    if let Some(v) = &version.version {
        for rel in [PACKAGE_JSON, PACKAGE_LOCK] {
            if app.join(rel).is_file() {
                track(rel, set_package_version(&app.join(rel), v)?);
            }
        }
        track(
            android::BUILD_GRADLE,
            set_gradle(
                &app.join(android::BUILD_GRADLE),
                "versionName",
                &format!("\"{v}\""),
            )?,
        );
        track(
            ios::PBXPROJ,
            set_build_setting(&app.join(ios::PBXPROJ), "MARKETING_VERSION", v, 0)?,
        );
        for rel in ios::PLISTS {
            track(
                rel,
                set_plist(&app.join(rel), "CFBundleShortVersionString", v)?,
            );
        }
    }
    if let Some(n) = version.build_number {
        let n = n.to_string();
        track(
            android::BUILD_GRADLE,
            set_gradle(&app.join(android::BUILD_GRADLE), "versionCode", &n)?,
        );
        track(
            ios::PBXPROJ,
            set_build_setting(&app.join(ios::PBXPROJ), "CURRENT_PROJECT_VERSION", &n, 1)?,
        );
        for rel in ios::PLISTS {
            track(rel, set_plist(&app.join(rel), "CFBundleVersion", &n)?);
        }
    }
    changed.sort();
    changed.dedup();
    Ok(changed)
}

/// The top-level `"version": "…"` line (two-space indent, as npm writes it); the lane sets
/// only that one in package-lock.json too.
fn set_package_version(path: &Path, version: &str) -> Result<bool> {
    let shown = path.display().to_string();
    let changed = edit_file(path, |text| {
        let out = replace_line_value(text, "  \"version\": \"", "\"", version, &shown)?;
        let parsed: serde_json::Value = serde_json::from_str(&out)
            .map_err(|e| anyhow::anyhow!("{shown}: not JSON after the version edit ({e})"))?;
        if parsed.get("version").and_then(|v| v.as_str()) != Some(version) {
            return Err(AnchorError::new(
                &shown,
                "the first `\"version\"` line to be the package's top-level version",
                "it belongs to another object",
            )
            .into());
        }
        Ok(out)
    })?;
    Ok(changed)
}

/// `versionName "…"` / `versionCode N` in build.gradle's defaultConfig (exactly one line).
fn set_gradle(path: &Path, key: &str, value: &str) -> Result<bool> {
    let shown = path.display().to_string();
    edit_file(path, |text| {
        let (out, hits) = set_line_values(text, &format!("{key} "), "", value);
        if hits != 1 {
            return Err(AnchorError::count(&shown, &format!("{key} …"), 1, 1, hits).into());
        }
        Ok(out)
    })
}

/// Every `KEY = value;` line of the Xcode project; at least `min` of them.
fn set_build_setting(path: &Path, key: &str, value: &str, min: usize) -> Result<bool> {
    let shown = path.display().to_string();
    edit_file(path, |text| {
        let (out, hits) = set_line_values(text, &format!("{key} = "), ";", value);
        if hits < min {
            return Err(
                AnchorError::count(&shown, &format!("{key} = …;"), min, usize::MAX, hits).into(),
            );
        }
        Ok(out)
    })
}

/// A version key of an Info.plist, unless it delegates to a build setting (`$(…)`), which
/// the project edit covers.
fn set_plist(path: &Path, key: &str, value: &str) -> Result<bool> {
    let shown = path.display().to_string();
    edit_file(path, |text| {
        let current = crate::content::plist_value(text.as_bytes(), &shown)
            .ok()
            .and_then(|v| {
                v.as_dictionary()
                    .and_then(|d| d.get(key))
                    .and_then(|v| v.as_string().map(str::to_string))
            });
        if current.as_deref().is_some_and(|c| c.starts_with("$(")) {
            return Ok(text.to_string());
        }
        plist_edit::set_top_level(text, key, PlistValue::String(value), &shown)
    })
}

/// Replaces the value between `open` and `close` on the single line that starts with `open`.
fn replace_line_value(
    text: &str,
    open: &str,
    close: &str,
    value: &str,
    shown: &str,
) -> Result<String> {
    let mut hits = 0;
    let out: String = text
        .split_inclusive('\n')
        .map(|line| match line.strip_prefix(open) {
            Some(rest) if hits == 0 => match rest.find(close) {
                Some(end) => {
                    hits += 1;
                    format!("{open}{value}{}", &rest[end..])
                }
                None => line.to_string(),
            },
            _ => line.to_string(),
        })
        .collect();
    if hits != 1 {
        return Err(AnchorError::new(
            shown,
            format!("a line starting with `{}`", open.trim()),
            "none",
        )
        .into());
    }
    Ok(out)
}
