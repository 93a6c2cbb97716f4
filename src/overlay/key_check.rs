//! Key material in an override tree. Everything in the override ends up in the app tree
//! (committed, pushed, shipped inside the app), so a private key there is a leak, and saying
//! "no counterpart in base" about it would invite the user to force it in.
use std::path::Path;

use anyhow::Result;

use crate::fsutil;
use crate::key_material::{self, KeyMaterial};

/// Extensions that are key material whatever their content (binary containers).
const KEY_CONTAINERS: &[(&str, &str)] = &[
    ("p12", "a PKCS#12 certificate bundle (private key material)"),
    ("pfx", "a PKCS#12 certificate bundle (private key material)"),
    ("jks", "a Java keystore (Android signing key material)"),
    ("keystore", "a Java keystore (Android signing key material)"),
];

/// What kind of credential `path` holds, if any, as a phrase for a message ("an Apple push
/// key (private key material)"). The content is read in bounded windows, so a 2 GB asset
/// costs time, not memory.
pub fn credential_kind(path: &Path) -> Result<Option<&'static str>> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    if let Some((_, kind)) = KEY_CONTAINERS.iter().find(|(e, _)| *e == ext) {
        return Ok(Some(kind));
    }
    let mut found = None;
    let mut first = true;
    fsutil::read_windows(path, |_, window| {
        // Binary containers (DER, PKCS#12, keystores) start at the first byte; text markers
        // can be anywhere.
        let seen = if first {
            key_material::key_material(window)
        } else {
            key_material::marked(window)
        };
        first = false;
        found = found.or(seen);
    })?;
    Ok(found.map(|kind| match (kind, ext.as_str()) {
        (KeyMaterial::Pem, "p8") => "an Apple push key (private key material)",
        (kind, _) => kind.phrase(),
    }))
}

/// The message for an override file holding key material.
pub fn message(file: &Path, kind: &str) -> String {
    format!(
        "{} holds {kind}; credentials belong in the brand file's [push] section as file: references, never in the app tree: remove it from the override",
        file.display()
    )
}
