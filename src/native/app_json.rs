//! `app.json`: since v2.42 upstream declares its deep-link scheme for expo-router as
//! `expo.scheme`; it must be the brand's app scheme or links open nothing.
use std::path::{Path, PathBuf};

use anyhow::Result;

use super::text_edit::{edit_file, replace_counted};
use crate::error::AnchorError;
use crate::fsutil;

pub const APP_JSON: &str = "app.json";

/// Sets `expo.scheme` when upstream has one; returns app.json when it changed.
pub fn set_expo_scheme(app: &Path, scheme: &str) -> Result<Option<PathBuf>> {
    let path = app.join(APP_JSON);
    if !path.is_file() {
        return Ok(None);
    }
    let shown = path.display().to_string();
    let current = read_scheme(&path)?;
    let Some(current) = current else {
        return Ok(None);
    };
    let changed = edit_file(&path, |text| {
        // A minimal edit keeps upstream's formatting; the parse below proves it hit the key.
        let out = replace_counted(
            text,
            &format!("\"scheme\": \"{current}\""),
            &format!("\"scheme\": \"{scheme}\""),
            1,
            1,
            &shown,
        )?;
        let parsed: serde_json::Value = serde_json::from_str(&out)?;
        if parsed.pointer("/expo/scheme").and_then(|v| v.as_str()) != Some(scheme) {
            return Err(AnchorError::new(
                &shown,
                format!("`\"scheme\": \"{current}\"` to be expo.scheme"),
                "it belongs to another object",
            )
            .into());
        }
        Ok(out)
    })?;
    Ok(changed.then(|| PathBuf::from(APP_JSON)))
}

fn read_scheme(path: &Path) -> Result<Option<String>> {
    let value: serde_json::Value = serde_json::from_slice(&fsutil::read(path)?)
        .map_err(|e| anyhow::anyhow!("{}: not valid JSON ({e})", path.display()))?;
    Ok(value
        .pointer("/expo/scheme")
        .and_then(|v| v.as_str())
        .map(str::to_string))
}
