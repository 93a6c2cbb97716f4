//! `app.json`: since v2.42 upstream declares its deep-link scheme for expo-router as
//! `expo.scheme`; it must be the brand's app scheme or links open nothing.
use anyhow::Result;

use super::{Doc, Edit, EditCtx, Presence};
use crate::error::AnchorError;
use crate::native::text_edit::replace_counted;

pub const APP_JSON: &str = "app.json";

pub fn edits() -> Vec<Edit> {
    vec![Edit::required(APP_JSON, "expo.scheme", expo_scheme).presence(Presence::IfPresent)]
}

/// Sets `expo.scheme` when upstream has one (older versions have none: unchanged).
fn expo_scheme(text: &str, doc: &Doc, ctx: &EditCtx) -> Result<String> {
    let scheme = &ctx.brand.schemes.app;
    let value: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| anyhow::anyhow!("{}: not valid JSON ({e})", doc.shown))?;
    let Some(current) = value.pointer("/expo/scheme").and_then(|v| v.as_str()) else {
        return Ok(text.to_string());
    };
    // A minimal edit keeps upstream's formatting; the parse below proves it hit the key.
    let out = replace_counted(
        text,
        &format!("\"scheme\": \"{current}\""),
        &format!("\"scheme\": \"{scheme}\""),
        1,
        1,
        doc.shown,
    )?;
    let parsed: serde_json::Value = serde_json::from_str(&out)?;
    if parsed.pointer("/expo/scheme").and_then(|v| v.as_str()) != Some(scheme) {
        return Err(AnchorError::new(
            doc.shown,
            format!("`\"scheme\": \"{current}\"` to be expo.scheme"),
            "it belongs to another object",
        )
        .into());
    }
    Ok(out)
}
