//! Whether bytes hold a private key: what apply's secret scan, the override tree's check and
//! the deep-link certificate check all refuse to let through. A leaf, so each of them can ask
//! without importing the push side.
//!
//! Two kinds of evidence: text markers, found anywhere in a file (PEM armour, OpenSSH's and
//! PuTTY's formats, a service-account key), and binary containers, which are whole files and
//! are recognised by their structure from the file's first byte (DER keys, PKCS#12, Java
//! keystores).
use pkcs8::der::{asn1::OctetStringRef, Decode, Reader, SliceReader};

/// Which kind of private key a file's bytes hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyMaterial {
    /// A Google service-account key (JSON with `private_key`).
    ServiceAccount,
    /// A PEM private key block (.p8, .pem, .key).
    Pem,
    /// An OpenSSH private key, armoured or binary (`openssh-key-v1`).
    OpenSsh,
    /// A PuTTY private key file (.ppk).
    Putty,
    /// An armoured OpenPGP secret key.
    Pgp,
    /// A bare DER private key.
    Der(DerKey),
    /// A DER private key in base64 without PEM armour, as pasted into JSON or a config.
    Base64Der,
    /// A PKCS#12 bundle (.p12, .pfx): certificates and, as a rule, their private key.
    Pkcs12,
    /// A Java keystore (JKS or JCEKS), such as an Android signing keystore.
    JavaKeystore,
}

/// The structures a bare DER private key comes in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DerKey {
    /// PKCS#8 `PrivateKeyInfo` (any algorithm).
    Pkcs8,
    /// PKCS#8 `EncryptedPrivateKeyInfo` (PBES2 or a PKCS#12 PBE).
    EncryptedPkcs8,
    /// PKCS#1 `RSAPrivateKey`.
    Pkcs1,
    /// SEC1 `ECPrivateKey`.
    Sec1,
}

impl KeyMaterial {
    /// The kind as a phrase for a message: "an OpenSSH private key".
    pub fn phrase(self) -> &'static str {
        match self {
            KeyMaterial::ServiceAccount => "a Google service-account key (private key material)",
            KeyMaterial::Pem => "a PEM private key",
            KeyMaterial::OpenSsh => "an OpenSSH private key",
            KeyMaterial::Putty => "a PuTTY private key",
            KeyMaterial::Pgp => "an OpenPGP secret key",
            KeyMaterial::Der(DerKey::Pkcs8) => "a DER private key (PKCS#8)",
            KeyMaterial::Der(DerKey::EncryptedPkcs8) => "an encrypted DER private key (PKCS#8)",
            KeyMaterial::Der(DerKey::Pkcs1) => "a DER RSA private key (PKCS#1)",
            KeyMaterial::Der(DerKey::Sec1) => "a DER EC private key (SEC1)",
            KeyMaterial::Base64Der => "a base64 private key without PEM armour",
            KeyMaterial::Pkcs12 => "a PKCS#12 certificate bundle (private key material)",
            KeyMaterial::JavaKeystore => "a Java keystore (Android signing key material)",
        }
    }
}

/// Text that marks key material wherever it appears, in the order they are tried.
const MARKERS: &[(&[u8], KeyMaterial)] = &[
    (b"-----BEGIN OPENSSH PRIVATE KEY-----", KeyMaterial::OpenSsh),
    // The binary form, as `ssh-keygen` keeps it inside the armour (and tools store it bare).
    (b"openssh-key-v1\0", KeyMaterial::OpenSsh),
    (b"PuTTY-User-Key-File-2:", KeyMaterial::Putty),
    (b"PuTTY-User-Key-File-3:", KeyMaterial::Putty),
    (b"-----BEGIN PGP PRIVATE KEY BLOCK-----", KeyMaterial::Pgp),
];

/// The key material in a whole file, or in the first window of a large one (which starts at
/// the file's first byte): text markers anywhere, binary containers by their structure.
pub fn key_material(bytes: &[u8]) -> Option<KeyMaterial> {
    marked(bytes).or_else(|| container(bytes))
}

/// The key material a later window of a large file shows: text markers only, since a
/// binary container starts at the file's first byte.
pub fn marked(bytes: &[u8]) -> Option<KeyMaterial> {
    // Byte search (memchr's SIMD memmem): apply scans every file it wrote, megabytes of them.
    let has = |needle: &[u8]| memchr::memmem::find(bytes, needle).is_some();
    if let Some((_, kind)) = MARKERS.iter().find(|(needle, _)| has(needle)) {
        return Some(*kind);
    }
    if has(b"\"service_account\"") && has(b"\"private_key\"") {
        Some(KeyMaterial::ServiceAccount)
    } else if has(b"PRIVATE KEY-----") && has(b"-----BEGIN") {
        Some(KeyMaterial::Pem)
    } else {
        BASE64
            .iter()
            .find(|(needle, _)| has(needle))
            .map(|(_, kind)| *kind)
    }
}

/// Key material in base64 without armour, tried after the armoured forms (whose bodies hold
/// the same text).
const BASE64: &[(&[u8], KeyMaterial)] = &[
    // The base64 of a DER key's fixed opening bytes, at the alignment its length header
    // gives. RSA PKCS#8 of 2048 bits and more: `02 01 00 30 0d 06 09 <rsaEncryption> 05 00 04`.
    (b"IBADANBgkqhkiG9w0BAQEFAAS", KeyMaterial::Base64Der),
    // EC P-256 PKCS#8 with its public key (Apple's .p8, openssl's default): `30 81 87 02 01
    // 00 30 13 06 07 <ecPublicKey> 06 08 <prime256v1>`, and without it (`30 41 …`).
    (b"AgEAMBMGByqGSM49AgEGCCqGSM49AwEH", KeyMaterial::Base64Der),
    (b"CAQAwEwYHKoZIzj0CAQYIKoZIzj0DAQc", KeyMaterial::Base64Der),
    // RSA PKCS#1 of 2048 and 4096 bits: version 0, then the modulus' 0x82 length (the
    // character before `IB` carries the key length's last bits, so it is left out).
    (b"IBAAKCAQEA", KeyMaterial::Base64Der),
    (b"IBAAKCAgEA", KeyMaterial::Base64Der),
];

/// Whether bytes (a whole file) look like key material.
pub fn contains_key_material(bytes: &[u8]) -> bool {
    key_material(bytes).is_some()
}

/// A binary key container starting at `bytes[0]`.
fn container(bytes: &[u8]) -> Option<KeyMaterial> {
    // JKS and JCEKS magic numbers (sun.security.provider.JavaKeyStore).
    if bytes.starts_with(&[0xFE, 0xED, 0xFE, 0xED]) || bytes.starts_with(&[0xCE, 0xCE, 0xCE, 0xCE])
    {
        return Some(KeyMaterial::JavaKeystore);
    }
    if bytes.first() != Some(&0x30) {
        return None;
    }
    if is_pkcs12(bytes) {
        return Some(KeyMaterial::Pkcs12);
    }
    der_key(first_element(bytes)?).map(KeyMaterial::Der)
}

/// The first DER element (a definite-length SEQUENCE): a key file may carry a trailing
/// newline, and a large file arrives as its first window.
fn first_element(bytes: &[u8]) -> Option<&[u8]> {
    let (start, len) = header(bytes, 0x30)?;
    bytes.get(..start + len?)
}

/// The tag's header at the start of `bytes`: where its content starts, and its length
/// (`None` for BER's indefinite length).
fn header(bytes: &[u8], tag: u8) -> Option<(usize, Option<usize>)> {
    if *bytes.first()? != tag {
        return None;
    }
    let first = *bytes.get(1)?;
    if first < 0x80 {
        return Some((2, Some(usize::from(first))));
    }
    if first == 0x80 {
        return Some((2, None));
    }
    let n = usize::from(first & 0x7F);
    if n > 4 {
        return None;
    }
    let len = bytes
        .get(2..2 + n)?
        .iter()
        .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
    Some((2 + n, Some(len)))
}

/// PKCS#12 (RFC 7292): `PFX ::= SEQUENCE { version INTEGER (3), authSafe ContentInfo, … }`,
/// whose ContentInfo starts with the OID pkcs7-data (1.2.840.113549.1.7.1) or, for
/// public-key integrity, pkcs7-signedData (…7.2). Some tools write BER, so indefinite
/// lengths are accepted.
fn is_pkcs12(bytes: &[u8]) -> bool {
    const PKCS7: &[u8] = &[0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07];
    let Some((at, _)) = header(bytes, 0x30) else {
        return false;
    };
    let Some(rest) = bytes
        .get(at..)
        .and_then(|r| r.strip_prefix(&[0x02, 0x01, 0x03]))
    else {
        return false;
    };
    let Some((at, _)) = header(rest, 0x30) else {
        return false;
    };
    rest.get(at..)
        .and_then(|r| r.strip_prefix(PKCS7))
        .is_some_and(|r| matches!(r.first(), Some(0x01 | 0x02)))
}

/// A bare DER private key, by trying each structure's parser.
fn der_key(der: &[u8]) -> Option<DerKey> {
    if pkcs8::PrivateKeyInfo::try_from(der).is_ok() {
        Some(DerKey::Pkcs8)
    } else if rsa::pkcs1::RsaPrivateKey::try_from(der).is_ok() {
        Some(DerKey::Pkcs1)
    } else if sec1::EcPrivateKey::try_from(der).is_ok() {
        Some(DerKey::Sec1)
    } else if encrypted_pkcs8(der) {
        Some(DerKey::EncryptedPkcs8)
    } else {
        None
    }
}

/// `EncryptedPrivateKeyInfo ::= SEQUENCE { AlgorithmIdentifier, OCTET STRING }` with a
/// password-based encryption algorithm. The algorithm is checked because a DigestInfo (a
/// hash and its algorithm) has the same shape.
fn encrypted_pkcs8(der: &[u8]) -> bool {
    /// 1.2.840.113549.1.5 (PKCS#5: PBES1, PBES2) and 1.2.840.113549.1.12.1 (PKCS#12 PBE).
    const PBE_ARCS: [&[u8]; 2] = [
        &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x05],
        &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x0C, 0x01],
    ];
    let Ok(mut reader) = SliceReader::new(der) else {
        return false;
    };
    let algorithm = reader.sequence(|r| {
        let algorithm = pkcs8::spki::AlgorithmIdentifierRef::decode(r)?;
        OctetStringRef::decode(r)?;
        Ok(algorithm)
    });
    let complete = reader.is_finished();
    algorithm
        .is_ok_and(|a| complete && PBE_ARCS.iter().any(|arc| a.oid.as_bytes().starts_with(arc)))
}

#[cfg(test)]
mod tests {
    use super::*;

    use p256::pkcs8::EncodePrivateKey;

    fn p256() -> p256::SecretKey {
        p256::SecretKey::random(&mut rand_core::OsRng)
    }

    #[test]
    fn key_material_is_recognised() {
        use p256::pkcs8::EncodePrivateKey;
        let pem = p256().to_pkcs8_pem(Default::default()).unwrap();
        assert_eq!(key_material(pem.as_bytes()), Some(KeyMaterial::Pem));
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
    fn der_keys_of_every_structure() {
        let key = p256();
        let pkcs8 = key.to_pkcs8_der().unwrap();
        let sec1 = key.to_sec1_der().unwrap();
        assert_eq!(
            key_material(pkcs8.as_bytes()),
            Some(KeyMaterial::Der(DerKey::Pkcs8))
        );
        assert_eq!(key_material(&sec1), Some(KeyMaterial::Der(DerKey::Sec1)));
        // A trailing newline, or the first window of a longer file.
        let mut padded = pkcs8.as_bytes().to_vec();
        padded.extend_from_slice(b"\n\0\0");
        assert_eq!(key_material(&padded), Some(KeyMaterial::Der(DerKey::Pkcs8)));
        // PBES2 (1.2.840.113549.1.5.13) with empty parameters and a stand-in ciphertext:
        // the shape `openssl pkcs8 -topk8 -outform DER` writes (the corpus runs openssl).
        let encrypted = [
            0x30, 0x17, 0x30, 0x0F, 0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x05,
            0x0D, 0x30, 0x02, 0x05, 0x00, 0x04, 0x04, 0xDE, 0xAD, 0xBE, 0xEF,
        ];
        assert_eq!(
            key_material(&encrypted),
            Some(KeyMaterial::Der(DerKey::EncryptedPkcs8))
        );
    }

    /// The DER's base64, one line, as a key pasted into JSON looks.
    fn bare_base64(der: &[u8]) -> Vec<u8> {
        let armoured = pem::encode(&pem::Pem::new("X", der));
        let body: String = armoured
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .collect();
        format!("{{\"privateKey\": \"{body}\"}}").into_bytes()
    }

    #[test]
    fn base64_keys_without_armour() {
        use p256::pkcs8::EncodePrivateKey;
        use rsa::pkcs1::EncodeRsaPrivateKey;
        let ec = p256().to_pkcs8_der().unwrap();
        assert_eq!(
            key_material(&bare_base64(ec.as_bytes())),
            Some(KeyMaterial::Base64Der)
        );
        let rsa = rsa::RsaPrivateKey::new(&mut rand_core::OsRng, 2048).unwrap();
        let pkcs8 = rsa.to_pkcs8_der().unwrap();
        let pkcs1 = rsa.to_pkcs1_der().unwrap();
        for der in [pkcs8.as_bytes(), pkcs1.as_bytes()] {
            let text = bare_base64(der);
            assert_eq!(
                key_material(&text),
                Some(KeyMaterial::Base64Der),
                "{}",
                String::from_utf8_lossy(&text[..80])
            );
        }
        // A certificate and public keys in base64 are not keys.
        use p256::pkcs8::EncodePublicKey;
        let public = rsa.to_public_key().to_public_key_der().unwrap();
        assert_eq!(key_material(&bare_base64(public.as_bytes())), None);
        let public = p256().public_key().to_public_key_der().unwrap();
        assert_eq!(key_material(&bare_base64(public.as_bytes())), None);
    }

    #[test]
    fn der_rsa_pkcs1() {
        use rsa::pkcs1::EncodeRsaPrivateKey;
        // Small and fast; the structure is what is detected, not the strength.
        let key = rsa::RsaPrivateKey::new(&mut rand_core::OsRng, 512).unwrap();
        let der = key.to_pkcs1_der().unwrap();
        assert_eq!(
            key_material(der.as_bytes()),
            Some(KeyMaterial::Der(DerKey::Pkcs1))
        );
    }

    #[test]
    fn containers_by_structure() {
        // PFX header: SEQUENCE, version 3, ContentInfo with pkcs7-data (BER lengths too).
        let pfx = [
            0x30, 0x80, 0x02, 0x01, 0x03, 0x30, 0x80, 0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7,
            0x0D, 0x01, 0x07, 0x01, 0xA0, 0x80,
        ];
        assert_eq!(key_material(&pfx), Some(KeyMaterial::Pkcs12));
        assert_eq!(
            key_material(&[0xFE, 0xED, 0xFE, 0xED, 0, 0, 0, 2]),
            Some(KeyMaterial::JavaKeystore)
        );
        assert_eq!(
            key_material(b"x\0openssh-key-v1\0\0\0\0\x04none"),
            Some(KeyMaterial::OpenSsh)
        );
        assert_eq!(
            key_material(b"PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\n"),
            Some(KeyMaterial::Putty)
        );
        // The binary containers are whole files: not found inside a later window.
        assert_eq!(marked(&pfx), None);
    }

    #[test]
    fn look_alikes_are_not_keys() {
        // A public key (SubjectPublicKeyInfo) and a DigestInfo-shaped structure.
        use p256::pkcs8::EncodePublicKey;
        let public = p256().public_key().to_public_key_der().unwrap();
        assert_eq!(key_material(public.as_bytes()), None);
        let digest_info = [
            0x30, 0x31, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
            0x01, 0x05, 0x00, 0x04, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        ];
        assert_eq!(key_material(&digest_info), None);
        assert_eq!(key_material(b"\x89PNG\r\n\x1a\n0000"), None);
        assert_eq!(key_material(&[0x30]), None);
        assert_eq!(key_material(&[0x30, 0x84, 0xFF, 0xFF, 0xFF, 0xFF]), None);
    }
}
