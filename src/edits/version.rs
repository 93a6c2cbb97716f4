//! The app's version and build number, written where upstream's `set_app_version` and
//! `set_app_build_number` lanes write them: package.json and package-lock.json (top-level
//! `version`), build.gradle (`versionName`, `versionCode`), the three iOS targets'
//! Info.plist (`CFBundleShortVersionString`, `CFBundleVersion`, as agvtool sets them) and the
//! Xcode project's `MARKETING_VERSION` / `CURRENT_PROJECT_VERSION` build settings.
use anyhow::Result;

use super::{Doc, Edit, EditCtx, Presence, When};
use crate::error::AnchorError;
use crate::native::plist_edit::{self, PlistValue};
use crate::native::text_edit::set_line_values;
use crate::native::{android, ios};

pub const PACKAGE_JSON: &str = "package.json";
pub const PACKAGE_LOCK: &str = "package-lock.json";

pub fn edits() -> Vec<Edit> {
    let version = |path, presence, edit| {
        Edit::required(path, "app version", edit)
            .presence(presence)
            .when(When::AppVersion)
    };
    let build = |path, edit| Edit::required(path, "build number", edit).when(When::BuildNumber);
    let mut edits = vec![
        version(PACKAGE_JSON, Presence::IfPresent, package_version),
        version(PACKAGE_LOCK, Presence::IfPresent, package_version),
        version(
            android::BUILD_GRADLE,
            Presence::Required,
            gradle_version_name,
        ),
        version(ios::PBXPROJ, Presence::Required, marketing_version),
    ];
    edits.extend(ios::PLISTS.map(|p| version(p, Presence::Required, plist_short_version)));
    edits.push(build(android::BUILD_GRADLE, gradle_version_code));
    edits.push(build(ios::PBXPROJ, project_version));
    edits.extend(ios::PLISTS.map(|p| build(p, plist_build_version)));
    edits
}

fn version_of<'a>(ctx: &'a EditCtx) -> &'a str {
    ctx.brand.version.version.as_deref().unwrap_or_default()
}

fn build_number_of(ctx: &EditCtx) -> String {
    ctx.brand
        .version
        .build_number
        .map(|n| n.to_string())
        .unwrap_or_default()
}

/// The top-level `"version": "…"` line (two-space indent, as npm writes it); the lane sets
/// only that one in package-lock.json too.
fn package_version(text: &str, doc: &Doc, ctx: &EditCtx) -> Result<String> {
    let version = version_of(ctx);
    let out = replace_line_value(text, "  \"version\": \"", "\"", version, doc.shown)?;
    let parsed: serde_json::Value = serde_json::from_str(&out)
        .map_err(|e| anyhow::anyhow!("{}: not JSON after the version edit ({e})", doc.shown))?;
    if parsed.get("version").and_then(|v| v.as_str()) != Some(version) {
        return Err(AnchorError::new(
            doc.shown,
            "the first `\"version\"` line to be the package's top-level version",
            "it belongs to another object",
        )
        .into());
    }
    Ok(out)
}

fn gradle_version_name(text: &str, doc: &Doc, ctx: &EditCtx) -> Result<String> {
    set_gradle(
        text,
        doc,
        "versionName",
        &format!("\"{}\"", version_of(ctx)),
    )
}

fn gradle_version_code(text: &str, doc: &Doc, ctx: &EditCtx) -> Result<String> {
    set_gradle(text, doc, "versionCode", &build_number_of(ctx))
}

fn marketing_version(text: &str, doc: &Doc, ctx: &EditCtx) -> Result<String> {
    set_build_setting(text, doc, "MARKETING_VERSION", version_of(ctx), 0)
}

fn project_version(text: &str, doc: &Doc, ctx: &EditCtx) -> Result<String> {
    set_build_setting(
        text,
        doc,
        "CURRENT_PROJECT_VERSION",
        &build_number_of(ctx),
        1,
    )
}

fn plist_short_version(text: &str, doc: &Doc, ctx: &EditCtx) -> Result<String> {
    set_plist(text, doc, "CFBundleShortVersionString", version_of(ctx))
}

fn plist_build_version(text: &str, doc: &Doc, ctx: &EditCtx) -> Result<String> {
    set_plist(text, doc, "CFBundleVersion", &build_number_of(ctx))
}

/// `versionName "…"` / `versionCode N` in build.gradle's defaultConfig (exactly one line).
fn set_gradle(text: &str, doc: &Doc, key: &str, value: &str) -> Result<String> {
    let (out, hits) = set_line_values(text, &format!("{key} "), "", value);
    if hits != 1 {
        return Err(AnchorError::count(doc.shown, &format!("{key} …"), 1, 1, hits).into());
    }
    Ok(out)
}

/// Every `KEY = value;` line of the Xcode project; at least `min` of them.
fn set_build_setting(text: &str, doc: &Doc, key: &str, value: &str, min: usize) -> Result<String> {
    let (out, hits) = set_line_values(text, &format!("{key} = "), ";", value);
    if hits < min {
        let e = AnchorError::count(doc.shown, &format!("{key} = …;"), min, usize::MAX, hits);
        return Err(e.into());
    }
    Ok(out)
}

/// A version key of an Info.plist, unless it delegates to a build setting (`$(…)`), which
/// the project edit covers.
fn set_plist(text: &str, doc: &Doc, key: &str, value: &str) -> Result<String> {
    let current = crate::content::plist_value(text.as_bytes(), doc.shown)
        .ok()
        .and_then(|v| {
            v.as_dictionary()
                .and_then(|d| d.get(key))
                .and_then(|v| v.as_string().map(str::to_string))
        });
    if current.as_deref().is_some_and(|c| c.starts_with("$(")) {
        return Ok(text.to_string());
    }
    plist_edit::set_top_level(text, key, PlistValue::String(value), doc.shown)
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
