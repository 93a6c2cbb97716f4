//! Whether bytes hold a private key: what apply's secret scan, the override tree's check and
//! the deep-link certificate check all refuse to let through. A leaf, so each of them can ask
//! without importing the push side.

/// Which kind of private key a file's bytes hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyMaterial {
    /// A Google service-account key (JSON with `private_key`).
    ServiceAccount,
    /// A PEM private key block (.p8, .pem, .key).
    Pem,
}

/// The key material in bytes, if any: a service-account key or a PEM private key block.
pub fn key_material(bytes: &[u8]) -> Option<KeyMaterial> {
    // Byte search (memchr's SIMD memmem): apply scans every file it wrote, megabytes of them.
    let has = |needle: &[u8]| memchr::memmem::find(bytes, needle).is_some();
    if has(b"\"service_account\"") && has(b"\"private_key\"") {
        Some(KeyMaterial::ServiceAccount)
    } else if has(b"PRIVATE KEY-----") && has(b"-----BEGIN") {
        Some(KeyMaterial::Pem)
    } else {
        None
    }
}

/// Whether bytes look like key material: a PEM private key block or a service-account key.
pub fn contains_key_material(bytes: &[u8]) -> bool {
    key_material(bytes).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
