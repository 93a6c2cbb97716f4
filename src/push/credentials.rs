//! Push credentials: read through their `file:`/`env:` references, checked for shape, copied
//! with mode 0600 and fingerprinted. Their content never reaches a message.
use std::path::Path;

use anyhow::{bail, Context, Result};
use serde_json::Value;

use crate::fsutil;

/// A PEM block tag that holds a private key ("PRIVATE KEY", "EC PRIVATE KEY", ...).
fn is_private_key_tag(tag: &str) -> bool {
    tag.ends_with("PRIVATE KEY")
}

/// An APNs token key (`.p8`): a PEM private key.
pub fn check_p8(bytes: &[u8], shown: &str) -> Result<()> {
    let blocks = pem::parse_many(bytes).unwrap_or_default();
    if blocks.iter().any(|b| is_private_key_tag(b.tag())) {
        return Ok(());
    }
    bail!("{shown}: not a PEM private key; push.apple.auth_key must be the AuthKey_<KEY ID>.p8 file downloaded from the Apple developer account")
}

/// An APNs certificate (ApplePushCertPrivate): PEM with a certificate and its private key.
pub fn check_apple_cert(bytes: &[u8], shown: &str) -> Result<()> {
    let blocks = pem::parse_many(bytes).unwrap_or_default();
    let cert = blocks.iter().any(|b| b.tag() == "CERTIFICATE");
    let key = blocks.iter().any(|b| is_private_key_tag(b.tag()));
    if cert && key {
        return Ok(());
    }
    bail!("{shown}: push.apple.cert must be a PEM file holding the APNs certificate and its private key (openssl pkcs12 -in cert.p12 -out cert.pem)")
}

/// The fields of a Firebase service-account JSON that the pairing depends on.
pub struct ServiceAccount {
    pub project_id: String,
}

pub fn parse_service_account(bytes: &[u8], shown: &str) -> Result<ServiceAccount> {
    // serde_json's errors carry positions only, never the text, so they are safe to show.
    let v: Value =
        serde_json::from_slice(bytes).with_context(|| format!("{shown}: not valid JSON"))?;
    let kind = v.get("type").and_then(Value::as_str).unwrap_or("");
    if kind != "service_account" {
        bail!("{shown}: \"type\" is {kind:?}, not \"service_account\"; push.android.service_account must be a Firebase service-account key (Project settings > Service accounts > Generate new private key), not google-services.json");
    }
    let key = v.get("private_key").and_then(Value::as_str).unwrap_or("");
    if pem::parse_many(key.as_bytes())
        .unwrap_or_default()
        .iter()
        .all(|b| !is_private_key_tag(b.tag()))
    {
        bail!("{shown}: has no PEM \"private_key\"; generate a new service-account key in the Firebase console");
    }
    let project_id = v
        .get("project_id")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .with_context(|| format!("{shown}: has no \"project_id\""))?
        .to_string();
    Ok(ServiceAccount { project_id })
}

/// The Apple key id a `.p8` file name announces (`AuthKey_ABC123DEFG.p8`), if it follows
/// Apple's naming.
pub fn key_id_from_file_name(name: &str) -> Option<&str> {
    name.strip_prefix("AuthKey_")?.strip_suffix(".p8")
}

/// Writes a credential readable by its owner only.
pub fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    fsutil::write(path, bytes)?;
    set_private(path)
}

#[cfg(unix)]
pub fn set_private(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
        .with_context(|| format!("cannot set mode 0600 on {}", path.display()))
}

#[cfg(not(unix))]
pub fn set_private(_path: &Path) -> Result<()> {
    Ok(())
}

/// Whether bytes look like key material: a PEM private key block or a service-account key.
pub fn contains_key_material(bytes: &[u8]) -> bool {
    let text = String::from_utf8_lossy(bytes);
    let pem_key = text.contains("-----BEGIN") && text.contains("PRIVATE KEY-----");
    let service_account = text.contains("\"service_account\"") && text.contains("\"private_key\"");
    pem_key || service_account
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_ids_are_read_from_apple_file_names() {
        assert_eq!(
            key_id_from_file_name("AuthKey_KEY1234567.p8"),
            Some("KEY1234567")
        );
        assert_eq!(key_id_from_file_name("apns.p8"), None);
    }

    #[test]
    fn key_material_is_recognised() {
        assert!(contains_key_material(
            b"x\n-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----\n"
        ));
        assert!(contains_key_material(
            br#"{"type": "service_account", "private_key": "k"}"#
        ));
        assert!(!contains_key_material(
            br#"{"project_info": {"project_id": "p"}}"#
        ));
    }

    #[test]
    fn literal_garbage_is_not_a_p8() {
        let err = check_p8(b"hello", "k.p8").unwrap_err().to_string();
        assert!(err.contains("not a PEM private key"));
        assert!(!err.contains("hello"));
    }
}
