//! The app's Firebase client config (google-services.json): what the brand's file must hold,
//! read the same way when the brand's inputs are read and when `verify`/`doctor` read an
//! output. A leaf, so both sides use it without importing each other.
use anyhow::{bail, Context, Result};
use serde_json::Value;

/// The Firebase project id and the package names of a google-services.json.
pub struct GoogleServices {
    pub project_id: String,
    pub packages: Vec<String>,
}

pub fn parse(bytes: &[u8], shown: &str) -> Result<GoogleServices> {
    let v: Value =
        serde_json::from_slice(bytes).with_context(|| format!("{shown}: not valid JSON"))?;
    let project_id = v
        .pointer("/project_info/project_id")
        .and_then(Value::as_str)
        .with_context(|| format!("{shown}: missing project_info.project_id; is this a google-services.json from the Firebase console?"))?
        .to_string();
    let packages = v
        .get("client")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|c| {
            c.pointer("/client_info/android_client_info/package_name")
                .and_then(Value::as_str)
        })
        .map(str::to_string)
        .collect();
    Ok(GoogleServices {
        project_id,
        packages,
    })
}

/// Refuses a google-services.json that has no client for the app's package: Firebase would
/// fail at build time, or worse, register pushes under another app.
pub fn check(gs: &GoogleServices, package: &str, shown: &str) -> Result<()> {
    if gs.packages.iter().any(|p| p == package) {
        return Ok(());
    }
    bail!(
        "{shown}: no client has package_name {package:?} (android.package); it has {:?}. Download the google-services.json of the Firebase Android app registered for {package}",
        gs.packages
    )
}
