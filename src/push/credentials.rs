//! Push credentials: read through their `file:`/`env:` references, checked the way the push
//! proxy will load them, copied with mode 0600 and fingerprinted. Their content never reaches
//! a message.
//!
//! What the proxy (mattermost-push-proxy) does with each, from its sources and its libraries':
//! - `AppleAuthKeyFile` (token auth): sideshow/apns2 `token.AuthKeyFromFile` decodes the first
//!   PEM block, parses it as PKCS#8 and requires an ECDSA key, or the proxy does not start;
//!   the tokens are ES256 (golang-jwt), whose signing fails for any curve but P-256.
//! - `ApplePushCertPrivate` + `ApplePushCertPassword`: apns2 `certificate.FromPemFile` collects
//!   the CERTIFICATE blocks (the first is the client certificate) and reads every block whose
//!   type ends in "PRIVATE KEY": legacy-encrypted ones (a `DEK-Info` header) are decrypted
//!   with the password by Go's `x509.DecryptPEMBlock`, then PKCS#1 or PKCS#8 is parsed. An
//!   encrypted PKCS#8 (`ENCRYPTED PRIVATE KEY`) or a SEC1 (`EC PRIVATE KEY`) key fails. It
//!   checks neither that the key belongs to the certificate nor the certificate's topic or
//!   dates: APNs refuses those at send time, so they are checked here.
//! - `ServiceFileLocation`: golang.org/x/oauth2 `google.JWTConfigFromJSON` requires `type`
//!   "service_account" and signs token requests as `client_email` to `token_uri` (Google's
//!   endpoint when absent) with `private_key`, which `internal.ParseKey` reads at every token
//!   fetch: the first PEM block, PKCS#8 or PKCS#1, and RSA only ("private key is invalid").
use std::path::Path;
use std::time::SystemTime;

use anyhow::{bail, Context, Result};
use const_oid::db::{rfc4519, rfc5912, rfc8410};
use const_oid::ObjectIdentifier;
use pkcs8::DecodePublicKey;
use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::RsaPrivateKey;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use x509_cert::der::{Decode, Encode, Tag, Tagged};
use x509_cert::Certificate;

/// Google's token endpoint, which oauth2 uses when a service account has no `token_uri`.
pub const GOOGLE_TOKEN_URI: &str = "https://oauth2.googleapis.com/token";

/// Days before a certificate's expiry from which [`expiry_warning`] speaks up.
pub const EXPIRY_WARNING_DAYS: i64 = 30;

/// A private key, decoded as far as the checks need.
enum Key {
    Rsa(Box<RsaPrivateKey>),
    P256(p256::SecretKey),
    P384(p384::SecretKey),
    /// An EC key on another curve (its OID, when the key names one).
    OtherEc(Option<ObjectIdentifier>),
    /// Another PKCS#8 algorithm (Ed25519, ...).
    Other(ObjectIdentifier),
}

/// A private key's DER, told apart the way Go's x509 parsers tell it.
enum KeyDer {
    /// PKCS#8 (`PRIVATE KEY`).
    Pkcs8(Key),
    /// PKCS#1 (`RSA PRIVATE KEY`).
    Pkcs1(Box<RsaPrivateKey>),
    /// SEC1 (`EC PRIVATE KEY`), with its curve when known.
    Sec1(Option<ObjectIdentifier>),
    /// A PKCS#8 structure whose key does not decode.
    Malformed,
    /// None of these (encrypted, or not a key).
    Unknown,
}

fn classify(der: &[u8]) -> KeyDer {
    if let Ok(info) = pkcs8::PrivateKeyInfo::try_from(der) {
        return match pkcs8_key(info) {
            Some(key) => KeyDer::Pkcs8(key),
            None => KeyDer::Malformed,
        };
    }
    if let Ok(key) = RsaPrivateKey::from_pkcs1_der(der) {
        return KeyDer::Pkcs1(Box::new(key));
    }
    if let Ok(key) = sec1::EcPrivateKey::try_from(der) {
        let named = key.parameters.and_then(|p| p.named_curve());
        // Without parameters the scalar's length tells the NIST curve.
        let by_length = match key.private_key.len() {
            32 => Some(rfc5912::SECP_256_R_1),
            48 => Some(rfc5912::SECP_384_R_1),
            66 => Some(rfc5912::SECP_521_R_1),
            _ => None,
        };
        return KeyDer::Sec1(named.or(by_length));
    }
    KeyDer::Unknown
}

fn pkcs8_key(info: pkcs8::PrivateKeyInfo<'_>) -> Option<Key> {
    match info.algorithm.oid {
        rfc5912::RSA_ENCRYPTION => RsaPrivateKey::try_from(info)
            .ok()
            .map(|k| Key::Rsa(Box::new(k))),
        rfc5912::ID_EC_PUBLIC_KEY => {
            // Like Go, take the curve from the PKCS#8 parameters, else from the inner SEC1 key.
            let curve = info.algorithm.parameters_oid().ok().or_else(|| {
                sec1::EcPrivateKey::try_from(info.private_key)
                    .ok()?
                    .parameters?
                    .named_curve()
            });
            match curve {
                Some(rfc5912::SECP_256_R_1) => p256::SecretKey::from_sec1_der(info.private_key)
                    .ok()
                    .map(Key::P256),
                Some(rfc5912::SECP_384_R_1) => p384::SecretKey::from_sec1_der(info.private_key)
                    .ok()
                    .map(Key::P384),
                other => Some(Key::OtherEc(other)),
            }
        }
        oid => Some(Key::Other(oid)),
    }
}

fn curve_name(curve: Option<ObjectIdentifier>) -> String {
    match curve {
        Some(rfc5912::SECP_256_R_1) => "P-256".to_string(),
        Some(rfc5912::SECP_384_R_1) => "P-384".to_string(),
        Some(rfc5912::SECP_521_R_1) => "P-521".to_string(),
        Some(rfc5912::SECP_224_R_1) => "P-224".to_string(),
        Some(oid) => format!("the curve {oid}"),
        None => "an unnamed curve".to_string(),
    }
}

/// "an RSA key", "an EC key on P-384", ...: what a key is, for messages.
fn key_kind(key: &Key) -> String {
    match key {
        Key::Rsa(_) => "an RSA key".to_string(),
        Key::P256(_) => "an EC key on P-256".to_string(),
        Key::P384(_) => "an EC key on P-384".to_string(),
        Key::OtherEc(curve) => format!("an EC key on {}", curve_name(*curve)),
        Key::Other(rfc8410::ID_ED_25519) => "an Ed25519 key".to_string(),
        Key::Other(rfc8410::ID_ED_448) => "an Ed448 key".to_string(),
        Key::Other(rfc8410::ID_X_25519) => "an X25519 key".to_string(),
        Key::Other(oid) => format!("a key of algorithm {oid}"),
    }
}

/// A path as a shell word.
fn shell_word(s: &str) -> String {
    if !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/._-+=:,@%".contains(&b))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// The command that turns the key `shown` into an unencrypted PKCS#8 `.p8` (openssl asks for
/// the password of an encrypted one). Never writes over its own input.
fn p8_fix(shown: &str) -> String {
    if let Some(var) = shown.strip_prefix('$') {
        return format!("`printenv {var} | openssl pkcs8 -topk8 -nocrypt -out AuthKey_<KEYID>.p8`");
    }
    let path = Path::new(shown);
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let file = shell_word(shown);
    if key_id_from_file_name(name).is_some() {
        // Already named for its key id: keep the name, move the original aside.
        let orig = shell_word(&format!("{shown}.orig"));
        return format!(
            "`mv {file} {orig} && openssl pkcs8 -topk8 -nocrypt -in {orig} -out {file}`"
        );
    }
    let out = match path
        .parent()
        .and_then(|p| p.to_str())
        .filter(|p| !p.is_empty())
    {
        Some(dir) => format!("{}/AuthKey_<KEYID>.p8", shell_word(dir)),
        None => "AuthKey_<KEYID>.p8".to_string(),
    };
    format!("`openssl pkcs8 -topk8 -nocrypt -in {file} -out {out}`")
}

/// An APNs token key that cannot sign ES256 tokens.
fn not_es256(shown: &str, kind: &str, consequence: &str) -> anyhow::Error {
    anyhow::anyhow!("{shown}: the key is {kind}, but APNs token keys are ES256 keys (EC on P-256): {consequence}. Use the key created in the Apple developer account (Certificates, Identifiers & Profiles > Keys, with Apple Push Notifications service enabled) and downloaded as AuthKey_<KEYID>.p8")
}

/// An APNs token key (`.p8`), checked as apns2's `token.AuthKeyFromFile` loads it: the first
/// PEM block, PKCS#8, an EC key, and on P-256 (tokens are ES256).
pub fn check_p8(bytes: &[u8], shown: &str) -> Result<()> {
    let not_a_key = || {
        anyhow::anyhow!("{shown}: not a PEM private key; push.apple.auth_key must be the AuthKey_<KEY ID>.p8 file downloaded from the Apple developer account")
    };
    // Only the first block counts: the proxy decodes one.
    let Ok(block) = pem::parse(bytes) else {
        return Err(not_a_key());
    };
    let fix = || p8_fix(shown);
    let refuses = "the proxy refuses to start with it";
    let fails = "the proxy starts, then fails to sign every APNs token";
    match classify(block.contents()) {
        KeyDer::Pkcs8(Key::P256(_)) => Ok(()),
        KeyDer::Pkcs8(key @ (Key::P384(_) | Key::OtherEc(_))) => {
            Err(not_es256(shown, &key_kind(&key), fails))
        }
        KeyDer::Pkcs8(key) => Err(not_es256(shown, &key_kind(&key), refuses)),
        KeyDer::Pkcs1(_) => Err(not_es256(shown, "an RSA key", refuses)),
        KeyDer::Sec1(None | Some(rfc5912::SECP_256_R_1)) => bail!(
            "{shown}: the key is in SEC1 form (\"EC PRIVATE KEY\"), but the proxy reads PKCS#8 keys only (\"PRIVATE KEY\", as Apple delivers them); convert it: {}",
            fix()
        ),
        KeyDer::Sec1(curve) => Err(not_es256(
            shown,
            &format!("an EC key on {}", curve_name(curve)),
            refuses,
        )),
        KeyDer::Malformed => bail!("{shown}: the PKCS#8 key is malformed; download the key again from the Apple developer account, or create a new one"),
        KeyDer::Unknown => match block.tag() {
            "ENCRYPTED PRIVATE KEY" => bail!(
                "{shown}: the key is encrypted (\"ENCRYPTED PRIVATE KEY\"); the proxy has no password for a token key and cannot decrypt it; decrypt it (openssl asks for the password): {}",
                fix()
            ),
            _ if block.headers().get("DEK-Info").is_some() => bail!(
                "{shown}: the key is password-encrypted (Proc-Type: 4,ENCRYPTED); the proxy has no password for a token key and cannot decrypt it; decrypt it (openssl asks for the password): {}",
                fix()
            ),
            "EC PARAMETERS" => bail!(
                "{shown}: the file starts with an \"EC PARAMETERS\" block, but the proxy reads only the first PEM block, which must be the key; convert it: {}",
                fix()
            ),
            tag if tag.ends_with("PRIVATE KEY") => bail!(
                "{shown}: the \"{tag}\" block is not a PKCS#8 private key; push.apple.auth_key must be the AuthKey_<KEY ID>.p8 file downloaded from the Apple developer account"
            ),
            _ => Err(not_a_key()),
        },
    }
}

/// The fields of a Firebase service-account JSON that the proxy and the pairing depend on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceAccount {
    pub project_id: String,
    pub client_email: String,
    /// Where oauth2 sends the signed token request ([`GOOGLE_TOKEN_URI`] when the file has none).
    pub token_uri: String,
}

/// A string field: `Ok(None)` when absent, null or empty; an error when of another JSON type
/// (Go's `json.Unmarshal` refuses the whole file then).
fn string_field<'a>(v: &'a Value, field: &str, shown: &str) -> Result<Option<&'a str>> {
    match v.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.as_str()).filter(|s| !s.is_empty())),
        Some(_) => bail!("{shown}: \"{field}\" is not a string; the proxy cannot read this file"),
    }
}

/// A Firebase service-account key, checked as golang.org/x/oauth2 (`google.JWTConfigFromJSON`
/// and `internal.ParseKey`) uses it.
pub fn parse_service_account(bytes: &[u8], shown: &str) -> Result<ServiceAccount> {
    // serde_json's errors carry positions only, never the text, so they are safe to show.
    let v: Value =
        serde_json::from_slice(bytes).with_context(|| format!("{shown}: not valid JSON"))?;
    let kind = v.get("type").and_then(Value::as_str).unwrap_or("");
    if kind != "service_account" {
        bail!("{shown}: \"type\" is {kind:?}, not \"service_account\"; push.android.service_account must be a Firebase service-account key (Project settings > Service accounts > Generate new private key), not google-services.json");
    }
    let new_key = "generate a new key in the Firebase console > Project settings > Service accounts > Generate new private key";
    let key = string_field(&v, "private_key", shown)?.unwrap_or("");
    let Ok(block) = pem::parse(key) else {
        bail!("{shown}: has no PEM \"private_key\"; {new_key}");
    };
    let not_rsa = |kind: &str| {
        anyhow::anyhow!("{shown}: \"private_key\" is {kind}, but golang.org/x/oauth2, which the proxy uses to sign its FCM token requests, takes RSA keys only: every FCM send would fail with \"private key is invalid\". Google issues RSA-2048 service-account keys: {new_key}")
    };
    match classify(block.contents()) {
        KeyDer::Pkcs8(Key::Rsa(_)) | KeyDer::Pkcs1(_) => {}
        KeyDer::Pkcs8(key) => return Err(not_rsa(&key_kind(&key))),
        KeyDer::Sec1(curve) => return Err(not_rsa(&format!("an EC key on {}", curve_name(curve)))),
        KeyDer::Malformed => bail!("{shown}: \"private_key\" is a malformed PKCS#8 key; {new_key}"),
        KeyDer::Unknown if block.tag() == "ENCRYPTED PRIVATE KEY" => bail!("{shown}: \"private_key\" is encrypted, and golang.org/x/oauth2 reads unencrypted keys only; {new_key}"),
        KeyDer::Unknown => bail!("{shown}: \"private_key\" is not a PKCS#8 or PKCS#1 private key; {new_key}"),
    }
    let client_email = string_field(&v, "client_email", shown)?
        .with_context(|| format!("{shown}: has no \"client_email\"; the proxy signs its FCM token requests as this account; {new_key}"))?
        .to_string();
    let project_id = string_field(&v, "project_id", shown)?
        .with_context(|| format!("{shown}: has no \"project_id\""))?
        .to_string();
    let token_uri = string_field(&v, "token_uri", shown)?
        .unwrap_or(GOOGLE_TOKEN_URI)
        .to_string();
    Ok(ServiceAccount {
        project_id,
        client_email,
        token_uri,
    })
}

/// What an APNs certificate says about itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertInfo {
    /// The end of its validity, RFC 3339 (`2027-01-31T12:00:00Z`).
    pub not_after: String,
    /// Whole days from the check to `not_after`.
    pub expires_in_days: i64,
    /// The APNs topic it may push to: its subject's UID, the app's bundle id.
    pub topic: String,
}

/// Why a legacy-encrypted PEM block did not decrypt.
enum LegacyPemError {
    UnknownCipher(String),
    Malformed(&'static str),
    /// The padding is wrong: the password is.
    BadPassword,
}

fn hex_decode(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

/// OpenSSL's EVP_BytesToKey with MD5 and one round, as Go's `rfc1423Algo.deriveKey`.
fn derive_key(password: &[u8], salt: &[u8], len: usize) -> Vec<u8> {
    use md5::{Digest, Md5};
    let mut out = Vec::with_capacity(len + 16);
    let mut digest = Vec::new();
    while out.len() < len {
        let mut h = Md5::new();
        h.update(&digest);
        h.update(password);
        h.update(salt);
        digest = h.finalize().to_vec();
        out.extend_from_slice(&digest);
    }
    out.truncate(len);
    out
}

fn cbc_decrypt<C>(key: &[u8], iv: &[u8], data: &[u8]) -> Option<Vec<u8>>
where
    C: cbc::cipher::BlockDecryptMut + cbc::cipher::BlockCipher + cbc::cipher::KeyInit,
{
    use cbc::cipher::{block_padding::Pkcs7, BlockDecryptMut, KeyIvInit};
    let mut buf = data.to_vec();
    let decryptor = cbc::Decryptor::<C>::new_from_slices(key, iv).ok()?;
    let plain = decryptor.decrypt_padded_mut::<Pkcs7>(&mut buf).ok()?;
    Some(plain.to_vec())
}

/// Go's `x509.DecryptPEMBlock`: RFC 1423 PEM encryption as OpenSSL writes it
/// (`Proc-Type: 4,ENCRYPTED`, `DEK-Info: CIPHER,IV`).
fn decrypt_legacy_pem(
    dek_info: &str,
    data: &[u8],
    password: &[u8],
) -> Result<Vec<u8>, LegacyPemError> {
    let (mode, hex_iv) = dek_info
        .split_once(',')
        .ok_or(LegacyPemError::Malformed("DEK-Info has no IV"))?;
    let (key_len, block_len) = match mode {
        "DES-CBC" => (8, 8),
        "DES-EDE3-CBC" => (24, 8),
        "AES-128-CBC" => (16, 16),
        "AES-192-CBC" => (24, 16),
        "AES-256-CBC" => (32, 16),
        other => return Err(LegacyPemError::UnknownCipher(other.to_string())),
    };
    let iv = hex_decode(hex_iv).ok_or(LegacyPemError::Malformed("DEK-Info's IV is not hex"))?;
    if iv.len() != block_len {
        return Err(LegacyPemError::Malformed(
            "DEK-Info's IV has the wrong size",
        ));
    }
    if !data.len().is_multiple_of(block_len) {
        return Err(LegacyPemError::Malformed(
            "the encrypted key is not a whole number of cipher blocks",
        ));
    }
    // The salt is the IV's first 8 bytes.
    let key = derive_key(password, &iv[..8], key_len);
    let plain = match mode {
        "DES-CBC" => cbc_decrypt::<des::Des>(&key, &iv, data),
        "DES-EDE3-CBC" => cbc_decrypt::<des::TdesEde3>(&key, &iv, data),
        "AES-128-CBC" => cbc_decrypt::<aes::Aes128>(&key, &iv, data),
        "AES-192-CBC" => cbc_decrypt::<aes::Aes192>(&key, &iv, data),
        _ => cbc_decrypt::<aes::Aes256>(&key, &iv, data),
    };
    plain.ok_or(LegacyPemError::BadPassword)
}

/// Whether `key` is the private half of the certificate's public key.
fn key_matches(key: &Key, cert: &Certificate) -> bool {
    let Ok(spki) = cert.tbs_certificate.subject_public_key_info.to_der() else {
        return false;
    };
    match key {
        Key::Rsa(k) => rsa::RsaPublicKey::from_public_key_der(&spki)
            .is_ok_and(|public| public == k.to_public_key()),
        Key::P256(k) => {
            p256::PublicKey::from_public_key_der(&spki).is_ok_and(|public| public == k.public_key())
        }
        Key::P384(k) => {
            p384::PublicKey::from_public_key_der(&spki).is_ok_and(|public| public == k.public_key())
        }
        Key::OtherEc(_) | Key::Other(_) => false,
    }
}

/// The subject's UID (0.9.2342.19200300.100.1.1): the topic of an APNs certificate.
fn subject_uid(cert: &Certificate) -> Option<String> {
    let atv = cert
        .tbs_certificate
        .subject
        .0
        .iter()
        .flat_map(|rdn| rdn.0.iter())
        .find(|atv| atv.oid == rfc4519::UID)?;
    match atv.value.tag() {
        Tag::Utf8String | Tag::PrintableString | Tag::Ia5String | Tag::TeletexString => {
            std::str::from_utf8(atv.value.value())
                .ok()
                .map(str::to_string)
        }
        _ => None,
    }
}

/// An APNs certificate (`ApplePushCertPrivate`), loaded as apns2's `certificate.FromPemFile`
/// loads it with `password` (`ApplePushCertPassword`), then checked as APNs will check it: the
/// key belongs to the first certificate, whose subject UID (its topic) is `bundle_id`, and
/// which has not expired at `now`.
pub fn check_apple_cert(
    bytes: &[u8],
    password: Option<&str>,
    bundle_id: &str,
    shown: &str,
    now: SystemTime,
) -> Result<CertInfo> {
    let export = "`openssl pkcs12 -in cert.p12 -out cert.pem -nodes` on the .p12 exported from Keychain Access (add -legacy if OpenSSL 3 reports an unsupported algorithm)";
    let Ok(blocks) = pem::parse_many(bytes) else {
        bail!("{shown}: not a readable PEM file; push.apple.cert must hold the APNs certificate and its private key: {export}");
    };
    let certs: Vec<&pem::Pem> = blocks.iter().filter(|b| b.tag() == "CERTIFICATE").collect();
    let mut key = None;
    for block in blocks.iter().filter(|b| b.tag().ends_with("PRIVATE KEY")) {
        // Every key block is read, in order, and the last one wins, as in apns2.
        key = Some(cert_key(block, password, shown, export)?);
    }
    let Some(first) = certs.first() else {
        bail!("{shown}: has no CERTIFICATE block; push.apple.cert must hold the APNs certificate and its private key: {export}");
    };
    let Some(key) = key else {
        bail!("{shown}: has no private key block; push.apple.cert must hold the APNs certificate and its private key in one PEM file: {export}");
    };
    let Ok(cert) = Certificate::from_der(first.contents()) else {
        bail!("{shown}: the first CERTIFICATE block is not an X.509 certificate");
    };
    if !key_matches(&key, &cert) {
        bail!("{shown}: the private key does not belong to the first certificate, so APNs would refuse the TLS connection; the APNs certificate must come first, with its own key: {export}");
    }
    let Some(topic) = subject_uid(&cert) else {
        bail!("{shown}: the certificate's subject has no UID, so it is not an APNs certificate (an Apple Push Notification service SSL certificate names the app's bundle id as UID)");
    };
    if topic != bundle_id {
        bail!("{shown}: the certificate is for the topic {topic:?} (its subject UID), but ios.bundle_id is {bundle_id:?}; APNs accepts this certificate's pushes for {topic:?} only. Use the APNs certificate created for {bundle_id:?}");
    }
    let not_after = cert.tbs_certificate.validity.not_after;
    let date = not_after.to_date_time().to_string();
    let Ok(left) = not_after.to_system_time().duration_since(now) else {
        bail!("{shown}: the APNs certificate for {topic:?} expired on {date}; create a new Apple Push Notification service SSL certificate in the Apple developer account and export it with its key: {export}");
    };
    Ok(CertInfo {
        not_after: date,
        expires_in_days: i64::try_from(left.as_secs() / 86_400).unwrap_or(i64::MAX),
        topic,
    })
}

/// A legacy-encrypted key that the configured password (or its absence) does not open.
fn wrong_password(shown: &str, cipher: &str, password_set: bool) -> anyhow::Error {
    if password_set {
        anyhow::anyhow!("{shown}: push.apple.cert_password does not decrypt the private key ({cipher}); the proxy would fail to start with \"failed to decrypt private key\". Check the password")
    } else {
        anyhow::anyhow!("{shown}: the private key is encrypted ({cipher}) but push.apple.cert_password is not set; set it (file: or env:) to the key's password, which the proxy passes as ApplePushCertPassword")
    }
}

/// One private key block of an APNs certificate file, as apns2's `unencryptPrivateKey`.
fn cert_key(block: &pem::Pem, password: Option<&str>, shown: &str, export: &str) -> Result<Key> {
    let tag = block.tag();
    let dek_info = block.headers().get("DEK-Info");
    let cipher = dek_info.and_then(|d| d.split(',').next()).unwrap_or("");
    let bad_password = || wrong_password(shown, cipher, password.is_some());
    let decrypted;
    let der = match dek_info {
        Some(dek) => {
            // The proxy passes "" when no password is configured.
            match decrypt_legacy_pem(dek, block.contents(), password.unwrap_or("").as_bytes()) {
                Ok(der) => {
                    decrypted = der;
                    &decrypted[..]
                }
                Err(LegacyPemError::BadPassword) => return Err(bad_password()),
                Err(LegacyPemError::UnknownCipher(c)) => bail!("{shown}: the private key is encrypted with {c:?}, which the proxy cannot decrypt (it knows DES-CBC, DES-EDE3-CBC and AES-128/192/256-CBC); write the key unencrypted: `openssl rsa -in key.pem -out key-plain.pem`, or re-encrypt it: `openssl rsa -in key.pem -aes256 -traditional -out key-enc.pem`"),
                Err(LegacyPemError::Malformed(what)) => bail!("{shown}: the encrypted private key is malformed: {what}"),
            }
        }
        None => block.contents(),
    };
    match classify(der) {
        KeyDer::Pkcs1(key) => Ok(Key::Rsa(key)),
        KeyDer::Pkcs8(key @ (Key::Rsa(_) | Key::P256(_) | Key::P384(_))) => Ok(key),
        KeyDer::Pkcs8(key) => bail!("{shown}: the private key is {}, which mmbrand cannot match against the certificate; Apple issues APNs certificates for RSA keys", key_kind(&key)),
        KeyDer::Sec1(_) => bail!("{shown}: the private key is in SEC1 form (\"EC PRIVATE KEY\"), which the proxy cannot read (it takes PKCS#1 or PKCS#8); convert it: `openssl pkcs8 -topk8 -nocrypt -in key.pem -out key-pkcs8.pem`, then put it beside the certificate"),
        // The padding happened to fit, but what came out is no key: a wrong password too.
        KeyDer::Malformed | KeyDer::Unknown if dek_info.is_some() => Err(bad_password()),
        KeyDer::Unknown if tag == "ENCRYPTED PRIVATE KEY" => bail!("{shown}: the private key is an encrypted PKCS#8 block (\"ENCRYPTED PRIVATE KEY\", what OpenSSL 3 writes by default), which the proxy cannot decrypt: ApplePushCertPassword only opens legacy encryption (\"Proc-Type: 4,ENCRYPTED\"). Write the key unencrypted: from the .p12, {export}; from a separate key file, `openssl rsa -in key.pem -out key-plain.pem` and put key-plain.pem beside the certificate. To keep a password instead: `openssl rsa -in key.pem -aes256 -traditional -out key-enc.pem` and set push.apple.cert_password"),
        KeyDer::Malformed | KeyDer::Unknown => bail!("{shown}: the \"{tag}\" block is not a PKCS#1 or PKCS#8 private key; the proxy cannot load it"),
    }
}

/// A warning when the certificate expires within [`EXPIRY_WARNING_DAYS`].
pub fn expiry_warning(info: &CertInfo, shown: &str) -> Option<String> {
    (info.expires_in_days < EXPIRY_WARNING_DAYS).then(|| {
        format!(
            "{shown}: the APNs certificate for {:?} expires on {} (in {} days); iOS pushes stop then: renew it in the Apple developer account, or switch to a token key (push.apple.auth_key), which does not expire",
            info.topic, info.not_after, info.expires_in_days
        )
    })
}

/// The Apple key id a `.p8` file name announces (`AuthKey_ABC123DEFG.p8`), if it follows
/// Apple's naming.
pub fn key_id_from_file_name(name: &str) -> Option<&str> {
    name.strip_prefix("AuthKey_")?.strip_suffix(".p8")
}

#[cfg(test)]
mod tests {
    use super::*;

    use std::process::Command;
    use std::str::FromStr;
    use std::sync::OnceLock;
    use std::time::Duration;

    use p256::pkcs8::{EncodePrivateKey, LineEnding};
    use rand_core::OsRng;
    use rsa::pkcs1::EncodeRsaPrivateKey;
    use x509_cert::builder::{Builder, CertificateBuilder, Profile};
    use x509_cert::der::EncodePem;
    use x509_cert::name::Name;
    use x509_cert::serial_number::SerialNumber;
    use x509_cert::spki::SubjectPublicKeyInfoOwned;
    use x509_cert::time::{Time, Validity};

    const DAY: Duration = Duration::from_secs(86_400);

    /// Two RSA-2048 keys, generated once per test run.
    fn rsa_keys() -> &'static [RsaPrivateKey; 2] {
        static KEYS: OnceLock<[RsaPrivateKey; 2]> = OnceLock::new();
        KEYS.get_or_init(|| {
            let new = || RsaPrivateKey::new(&mut OsRng, 2048).expect("RSA key");
            [new(), new()]
        })
    }

    fn rsa_pkcs8_pem(key: &RsaPrivateKey) -> String {
        key.to_pkcs8_pem(LineEnding::LF).unwrap().to_string()
    }

    fn rsa_pkcs1_pem(key: &RsaPrivateKey) -> String {
        key.to_pkcs1_pem(LineEnding::LF).unwrap().to_string()
    }

    fn p256_key() -> p256::SecretKey {
        p256::SecretKey::random(&mut OsRng)
    }

    fn p256_pkcs8_pem(key: &p256::SecretKey) -> String {
        key.to_pkcs8_pem(LineEnding::LF).unwrap().to_string()
    }

    /// A PEM's base64 body, to prove that messages never carry it.
    fn body(pem: &str) -> String {
        pem.lines().filter(|l| !l.starts_with("-----")).collect()
    }

    fn assert_no_key(msg: &str, pem: &str) {
        let body = body(pem);
        assert!(!msg.contains("-----"), "PEM framing in {msg}");
        for chunk in body.as_bytes().chunks(24) {
            let chunk = std::str::from_utf8(chunk).unwrap();
            assert!(
                chunk.len() < 16 || !msg.contains(chunk),
                "key material in {msg}"
            );
        }
    }

    fn p8_err(pem: &str, shown: &str) -> String {
        let err = check_p8(pem.as_bytes(), shown).unwrap_err().to_string();
        assert_no_key(&err, pem);
        assert!(err.starts_with(&format!("{shown}: ")), "{err}");
        err
    }

    /// `openssl ARGS` with `input` on stdin; `None` (after saying why) when openssl is absent.
    fn openssl(args: &[&str], input: &str) -> Option<String> {
        use std::io::Write;
        let child = Command::new("openssl")
            .args(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn();
        let Ok(mut child) = child else {
            eprintln!("skipped: the openssl command is not installed");
            return None;
        };
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        if !out.status.success() {
            eprintln!(
                "skipped: openssl {args:?} failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            return None;
        }
        Some(String::from_utf8(out.stdout).unwrap())
    }

    #[test]
    fn key_ids_are_read_from_apple_file_names() {
        assert_eq!(
            key_id_from_file_name("AuthKey_KEY1234567.p8"),
            Some("KEY1234567")
        );
        assert_eq!(key_id_from_file_name("apns.p8"), None);
    }

    #[test]
    fn literal_garbage_is_not_a_p8() {
        let err = check_p8(b"hello", "k.p8").unwrap_err().to_string();
        assert!(err.contains("not a PEM private key"));
        assert!(!err.contains("hello"));
    }

    #[test]
    fn p256_pkcs8_key_is_an_apns_token_key() {
        check_p8(p256_pkcs8_pem(&p256_key()).as_bytes(), "AuthKey_A.p8").unwrap();
    }

    #[test]
    fn sec1_key_is_refused_with_the_conversion_command() {
        let sec1 = p256_key().to_sec1_pem(LineEnding::LF).unwrap().to_string();
        let err = p8_err(&sec1, "secrets/apns-key.pem");
        assert!(err.contains("SEC1"), "{err}");
        assert!(
            err.contains("`openssl pkcs8 -topk8 -nocrypt -in secrets/apns-key.pem -out secrets/AuthKey_<KEYID>.p8`"),
            "{err}"
        );
        // Named for its key id already: the original is moved aside, never overwritten.
        let err = p8_err(&sec1, "/b/secrets/AuthKey_KEY1234567.p8");
        assert!(
            err.contains("`mv /b/secrets/AuthKey_KEY1234567.p8 /b/secrets/AuthKey_KEY1234567.p8.orig && openssl pkcs8 -topk8 -nocrypt -in /b/secrets/AuthKey_KEY1234567.p8.orig -out /b/secrets/AuthKey_KEY1234567.p8`"),
            "{err}"
        );
        let err = p8_err(&sec1, "$APNS_KEY");
        assert!(
            err.contains(
                "`printenv APNS_KEY | openssl pkcs8 -topk8 -nocrypt -out AuthKey_<KEYID>.p8`"
            ),
            "{err}"
        );
        let err = p8_err(&sec1, "my keys/k.pem");
        assert!(
            err.contains("-in 'my keys/k.pem' -out 'my keys'/AuthKey_<KEYID>.p8"),
            "{err}"
        );
    }

    #[test]
    fn openssl_ecparam_output_is_refused_with_the_conversion_command() {
        let key = p256_key();
        let pem = format!(
            "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n{}",
            key.to_sec1_pem(LineEnding::LF).unwrap().as_str()
        );
        let err = p8_err(&pem, "k.pem");
        assert!(err.contains("\"EC PARAMETERS\""), "{err}");
        assert!(
            err.contains("openssl pkcs8 -topk8 -nocrypt -in k.pem"),
            "{err}"
        );
    }

    #[test]
    fn rsa_and_p384_keys_are_not_es256_keys() {
        let rsa = &rsa_keys()[0];
        for pem in [rsa_pkcs8_pem(rsa), rsa_pkcs1_pem(rsa)] {
            let err = p8_err(&pem, "k.p8");
            assert!(err.contains("the key is an RSA key"), "{err}");
            assert!(err.contains("ES256 keys (EC on P-256)"), "{err}");
            assert!(err.contains("refuses to start"), "{err}");
            assert!(err.contains("Apple developer account"), "{err}");
        }
        let p384 = p384::SecretKey::random(&mut OsRng)
            .to_pkcs8_pem(LineEnding::LF)
            .unwrap()
            .to_string();
        let err = p8_err(&p384, "k.p8");
        assert!(err.contains("the key is an EC key on P-384"), "{err}");
        assert!(err.contains("ES256 keys (EC on P-256)"), "{err}");
        assert!(err.contains("fails to sign every APNs token"), "{err}");
        let sec1_p384 = p384::SecretKey::random(&mut OsRng)
            .to_sec1_pem(LineEnding::LF)
            .unwrap()
            .to_string();
        let err = p8_err(&sec1_p384, "k.p8");
        assert!(err.contains("EC key on P-384"), "{err}");
    }

    #[test]
    fn encrypted_p8_is_refused() {
        let plain = p256_pkcs8_pem(&p256_key());
        let Some(enc) = openssl(
            &[
                "pkcs8",
                "-topk8",
                "-v2",
                "aes256",
                "-passout",
                "pass:s3cret",
            ],
            &plain,
        ) else {
            return;
        };
        assert!(enc.contains("ENCRYPTED PRIVATE KEY"));
        let err = p8_err(&enc, "k.p8");
        assert!(err.contains("encrypted"), "{err}");
        assert!(err.contains("cannot decrypt it"), "{err}");
        assert!(
            err.contains("openssl pkcs8 -topk8 -nocrypt -in k.p8"),
            "{err}"
        );
    }

    fn service_account_json(private_key: &str) -> Value {
        serde_json::json!({
            "type": "service_account",
            "project_id": "acme-chat-example",
            "private_key_id": "0000",
            "private_key": private_key,
            "client_email": "push@acme-chat-example.iam.gserviceaccount.com",
            "token_uri": "https://oauth2.googleapis.com/token",
        })
    }

    fn sa_result(v: &Value) -> Result<ServiceAccount> {
        parse_service_account(v.to_string().as_bytes(), "sa.json")
    }

    #[test]
    fn rsa_service_accounts_are_accepted_in_pkcs8_and_pkcs1() {
        let rsa = &rsa_keys()[0];
        for pem in [rsa_pkcs8_pem(rsa), rsa_pkcs1_pem(rsa)] {
            let sa = sa_result(&service_account_json(&pem)).unwrap();
            assert_eq!(
                sa,
                ServiceAccount {
                    project_id: "acme-chat-example".into(),
                    client_email: "push@acme-chat-example.iam.gserviceaccount.com".into(),
                    token_uri: "https://oauth2.googleapis.com/token".into(),
                }
            );
        }
    }

    #[test]
    fn ec_service_account_is_refused() {
        let pem = p256_pkcs8_pem(&p256_key());
        let err = sa_result(&service_account_json(&pem))
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("sa.json: \"private_key\" is an EC key on P-256"),
            "{err}"
        );
        assert!(err.contains("takes RSA keys only"), "{err}");
        assert!(err.contains("\"private key is invalid\""), "{err}");
        assert!(err.contains("RSA-2048"), "{err}");
        assert!(
            err.contains("Firebase console > Project settings > Service accounts"),
            "{err}"
        );
        assert_no_key(&err, &pem);
        let sec1 = p256_key().to_sec1_pem(LineEnding::LF).unwrap().to_string();
        let err = sa_result(&service_account_json(&sec1))
            .unwrap_err()
            .to_string();
        assert!(err.contains("is an EC key on P-256"), "{err}");
    }

    #[test]
    fn service_account_fields_the_proxy_uses_are_required() {
        let pem = rsa_pkcs8_pem(&rsa_keys()[0]);
        let mut v = service_account_json(&pem);
        v.as_object_mut().unwrap().remove("client_email");
        let err = sa_result(&v).unwrap_err().to_string();
        assert!(err.starts_with("sa.json: has no \"client_email\""), "{err}");

        // oauth2 falls back to Google's endpoint when token_uri is absent.
        let mut v = service_account_json(&pem);
        v.as_object_mut().unwrap().remove("token_uri");
        assert_eq!(sa_result(&v).unwrap().token_uri, GOOGLE_TOKEN_URI);
        let mut v = service_account_json(&pem);
        v["token_uri"] = serde_json::json!(7);
        let err = sa_result(&v).unwrap_err().to_string();
        assert!(err.contains("\"token_uri\" is not a string"), "{err}");

        let mut v = service_account_json(&pem);
        v["type"] = "authorized_user".into();
        let err = sa_result(&v).unwrap_err().to_string();
        assert!(err.contains("not \"service_account\""), "{err}");

        let v =
            service_account_json("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
        let err = sa_result(&v).unwrap_err().to_string();
        assert!(err.contains("not a PKCS#8 or PKCS#1 private key"), "{err}");
    }

    /// A certificate for `spki` with subject UID `uid`, valid until `not_after`, as an APNs
    /// certificate names its topic. Signed by a throwaway key: nothing here checks signatures.
    fn cert_pem(spki: SubjectPublicKeyInfoOwned, uid: &str, not_after: SystemTime) -> String {
        let signer = p256::ecdsa::SigningKey::random(&mut OsRng);
        let subject = Name::from_str(&format!(
            "UID={uid},CN=Apple Push Services: {uid},OU=AB12CD34EF,O=Acme Inc,C=US"
        ))
        .unwrap();
        let validity = Validity {
            not_before: Time::try_from(not_after - 400 * DAY).unwrap(),
            not_after: Time::try_from(not_after).unwrap(),
        };
        let builder = CertificateBuilder::new(
            Profile::Root,
            SerialNumber::from(42u32),
            validity,
            subject,
            spki,
            &signer,
        )
        .unwrap();
        let cert = builder.build::<p256::ecdsa::DerSignature>().unwrap();
        cert.to_pem(LineEnding::LF).unwrap()
    }

    fn rsa_spki(key: &RsaPrivateKey) -> SubjectPublicKeyInfoOwned {
        SubjectPublicKeyInfoOwned::from_key(key.to_public_key()).unwrap()
    }

    /// A fixed "now", 2026-06-01T00:00:00Z.
    fn now() -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_780_272_000)
    }

    /// `openssl pkcs12 -nodes` output: bag attributes, certificate, then the key.
    fn pkcs12_style(cert: &str, key: &str) -> String {
        format!("Bag Attributes\n    localKeyID: 01 02\nsubject=UID = com.acme.chat\n{cert}Bag Attributes\n    localKeyID: 01 02\nKey Attributes: <No Attributes>\n{key}")
    }

    fn cert_check(pem: &str, password: Option<&str>) -> Result<CertInfo> {
        check_apple_cert(pem.as_bytes(), password, "com.acme.chat", "apns.pem", now())
    }

    fn cert_err(pem: &str, password: Option<&str>) -> String {
        let err = cert_check(pem, password).unwrap_err().to_string();
        assert!(err.starts_with("apns.pem: "), "{err}");
        assert_no_key(&err, pem);
        if let Some(p) = password {
            assert!(!err.contains(p), "the password in {err}");
        }
        err
    }

    #[test]
    fn apns_certificate_with_its_key_passes_and_tells_its_expiry() {
        let rsa = &rsa_keys()[0];
        let cert = cert_pem(rsa_spki(rsa), "com.acme.chat", now() + 90 * DAY);
        for key in [rsa_pkcs8_pem(rsa), rsa_pkcs1_pem(rsa)] {
            let info = cert_check(&pkcs12_style(&cert, &key), None).unwrap();
            assert_eq!(
                info,
                CertInfo {
                    not_after: "2026-08-30T00:00:00Z".into(),
                    expires_in_days: 90,
                    topic: "com.acme.chat".into(),
                }
            );
            assert_eq!(expiry_warning(&info, "apns.pem"), None);
            // Key first works too: apns2 does not mind the order.
            cert_check(&format!("{key}{cert}"), Some("unused")).unwrap();
        }
        // An EC key works for the proxy as well.
        let ec = p256_key();
        let spki = SubjectPublicKeyInfoOwned::from_key(ec.public_key()).unwrap();
        let cert = cert_pem(spki, "com.acme.chat", now() + 90 * DAY);
        cert_check(&format!("{cert}{}", p256_pkcs8_pem(&ec)), None).unwrap();
    }

    #[test]
    fn expiry_warning_within_thirty_days() {
        let rsa = &rsa_keys()[0];
        let cert = cert_pem(
            rsa_spki(rsa),
            "com.acme.chat",
            now() + 12 * DAY + 3600 * Duration::from_secs(1),
        );
        let info = cert_check(&format!("{cert}{}", rsa_pkcs8_pem(rsa)), None).unwrap();
        assert_eq!(info.expires_in_days, 12);
        let warning = expiry_warning(&info, "apns.pem").unwrap();
        assert!(warning.starts_with("apns.pem: the APNs certificate for \"com.acme.chat\" expires on 2026-06-13T01:00:00Z (in 12 days)"), "{warning}");
    }

    #[test]
    fn certificate_for_another_topic_is_refused() {
        let rsa = &rsa_keys()[0];
        let cert = cert_pem(rsa_spki(rsa), "com.acme.other", now() + 90 * DAY);
        let err = cert_err(&format!("{cert}{}", rsa_pkcs8_pem(rsa)), None);
        assert!(err.contains("for the topic \"com.acme.other\" (its subject UID), but ios.bundle_id is \"com.acme.chat\""), "{err}");
    }

    #[test]
    fn expired_certificate_is_refused_with_its_date() {
        let rsa = &rsa_keys()[0];
        let cert = cert_pem(rsa_spki(rsa), "com.acme.chat", now() - 2 * DAY);
        let err = cert_err(&format!("{cert}{}", rsa_pkcs8_pem(rsa)), None);
        assert!(err.contains("expired on 2026-05-30T00:00:00Z"), "{err}");
    }

    #[test]
    fn key_of_another_certificate_is_refused() {
        let [a, b] = rsa_keys();
        let cert = cert_pem(rsa_spki(a), "com.acme.chat", now() + 90 * DAY);
        let err = cert_err(&format!("{cert}{}", rsa_pkcs8_pem(b)), None);
        assert!(
            err.contains("the private key does not belong to the first certificate"),
            "{err}"
        );
        let err = cert_err(&format!("{cert}{}", p256_pkcs8_pem(&p256_key())), None);
        assert!(err.contains("does not belong"), "{err}");
        // A chain with the wrong certificate first is the same mistake.
        let other = cert_pem(rsa_spki(b), "com.acme.chat", now() + 90 * DAY);
        let err = cert_err(&format!("{other}{cert}{}", rsa_pkcs8_pem(a)), None);
        assert!(err.contains("does not belong"), "{err}");
    }

    #[test]
    fn certificate_file_needs_both_halves_in_forms_the_proxy_reads() {
        let rsa = &rsa_keys()[0];
        let cert = cert_pem(rsa_spki(rsa), "com.acme.chat", now() + 90 * DAY);
        let err = cert_err(&cert, None);
        assert!(err.contains("has no private key block"), "{err}");
        assert!(
            err.contains("openssl pkcs12 -in cert.p12 -out cert.pem -nodes"),
            "{err}"
        );
        let err = cert_err(&rsa_pkcs8_pem(rsa), None);
        assert!(err.contains("has no CERTIFICATE block"), "{err}");
        let err = cert_err("hello", None);
        assert!(err.contains("has no CERTIFICATE block"), "{err}");

        let ec = p256_key();
        let spki = SubjectPublicKeyInfoOwned::from_key(ec.public_key()).unwrap();
        let cert = cert_pem(spki, "com.acme.chat", now() + 90 * DAY);
        let sec1 = ec.to_sec1_pem(LineEnding::LF).unwrap().to_string();
        let err = cert_err(&format!("{cert}{sec1}"), None);
        assert!(err.contains("SEC1"), "{err}");
        assert!(err.contains("openssl pkcs8 -topk8 -nocrypt"), "{err}");
    }

    #[test]
    fn legacy_encrypted_key_opens_with_the_right_password_only() {
        let rsa = &rsa_keys()[0];
        let cert = cert_pem(rsa_spki(rsa), "com.acme.chat", now() + 90 * DAY);
        let plain = rsa_pkcs1_pem(rsa);
        let ciphers: [(&str, &str, &[&str]); 5] = [
            ("-aes256", "AES-256-CBC", &[]),
            ("-aes192", "AES-192-CBC", &[]),
            ("-aes128", "AES-128-CBC", &[]),
            ("-des3", "DES-EDE3-CBC", &[]),
            // Single DES is in OpenSSL 3's legacy provider.
            (
                "-des",
                "DES-CBC",
                &["-provider", "legacy", "-provider", "default"],
            ),
        ];
        for (flag, dek, extra) in ciphers {
            let mut args = vec!["rsa", "-traditional", flag, "-passout", "pass:s3cret-pw"];
            args.extend_from_slice(extra);
            let Some(enc) = openssl(&args, &plain) else {
                continue;
            };
            assert!(enc.contains("Proc-Type: 4,ENCRYPTED"), "{enc}");
            assert!(enc.contains(&format!("DEK-Info: {dek},")), "{enc}");
            let file = format!("{cert}{enc}");
            let info = cert_check(&file, Some("s3cret-pw")).unwrap();
            assert_eq!(info.topic, "com.acme.chat");
            let err = cert_err(&file, Some("wrong-pw"));
            assert!(
                err.contains("push.apple.cert_password does not decrypt the private key"),
                "{err}"
            );
            assert!(err.contains(dek), "{err}");
            let err = cert_err(&file, None);
            assert!(err.contains("push.apple.cert_password is not set"), "{err}");
        }
    }

    #[test]
    fn encrypted_pkcs8_key_is_refused_with_the_fix() {
        let rsa = &rsa_keys()[0];
        let cert = cert_pem(rsa_spki(rsa), "com.acme.chat", now() + 90 * DAY);
        let Some(enc) = openssl(
            &[
                "pkcs8",
                "-topk8",
                "-v2",
                "aes256",
                "-passout",
                "pass:s3cret-pw",
            ],
            &rsa_pkcs8_pem(rsa),
        ) else {
            return;
        };
        assert!(enc.contains("ENCRYPTED PRIVATE KEY"));
        let err = cert_err(&format!("{cert}{enc}"), Some("s3cret-pw"));
        assert!(err.contains("encrypted PKCS#8"), "{err}");
        assert!(
            err.contains("openssl pkcs12 -in cert.p12 -out cert.pem -nodes"),
            "{err}"
        );
        assert!(
            err.contains("openssl rsa -in key.pem -out key-plain.pem"),
            "{err}"
        );
    }

    /// `openssl ARGS` run in `dir`; `None` (after saying why) when openssl is absent.
    fn openssl_in(dir: &Path, args: &[&str]) -> Option<String> {
        let out = match Command::new("openssl").args(args).current_dir(dir).output() {
            Ok(out) => out,
            // CI installs openssl (.ci/run): there a missing one is a failure, not a skip.
            Err(e) if std::env::var_os("CI").is_some() => panic!("openssl is not available ({e})"),
            Err(_) => {
                eprintln!("skipped: the openssl command is not installed");
                return None;
            }
        };
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Some(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    #[test]
    fn what_openssl_exports_from_a_p12_is_read_like_the_proxy_reads_it() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(d.join("key.pem"), rsa_pkcs1_pem(&rsa_keys()[0])).unwrap();
        let subject = "/UID=com.acme.chat/CN=Apple Push Services: com.acme.chat/OU=AB12CD34EF/O=Acme Inc/C=US";
        let steps: [&[&str]; 2] = [
            &[
                "req", "-x509", "-new", "-key", "key.pem", "-subj", subject, "-days", "20", "-out",
                "cert.pem",
            ],
            &[
                "pkcs12",
                "-export",
                "-in",
                "cert.pem",
                "-inkey",
                "key.pem",
                "-passout",
                "pass:p12pw",
                "-out",
                "cert.p12",
            ],
        ];
        for step in steps {
            if openssl_in(d, step).is_none() {
                return;
            }
        }
        // The documented export: certificate and unencrypted key in one file.
        let plain = openssl_in(
            d,
            &[
                "pkcs12",
                "-in",
                "cert.p12",
                "-passin",
                "pass:p12pw",
                "-nodes",
            ],
        )
        .unwrap();
        let info = check_apple_cert(
            plain.as_bytes(),
            None,
            "com.acme.chat",
            "apns.pem",
            SystemTime::now(),
        )
        .unwrap();
        assert_eq!(info.topic, "com.acme.chat");
        assert!((19..=20).contains(&info.expires_in_days), "{info:?}");
        assert!(expiry_warning(&info, "apns.pem").is_some());
        // Without -nodes, OpenSSL 3 encrypts the key as PKCS#8, which the proxy cannot open.
        let encrypted = openssl_in(
            d,
            &[
                "pkcs12",
                "-in",
                "cert.p12",
                "-passin",
                "pass:p12pw",
                "-passout",
                "pass:pw",
            ],
        )
        .unwrap();
        if encrypted.contains("ENCRYPTED PRIVATE KEY") {
            let err = check_apple_cert(
                encrypted.as_bytes(),
                Some("pw"),
                "com.acme.chat",
                "apns.pem",
                SystemTime::now(),
            )
            .unwrap_err()
            .to_string();
            assert!(err.contains("-nodes"), "{err}");
        }
    }

    #[test]
    fn legacy_key_derivation_is_openssls() {
        // `openssl enc -aes-256-cbc -P -md md5 -pass pass:s3cret -S 0102030405060708`
        let salt = [1, 2, 3, 4, 5, 6, 7, 8];
        let key = derive_key(b"s3cret", &salt, 32);
        assert_eq!(
            key,
            hex_decode("04D7471BA4A9314395A3FE2D5788E5B5CB8BA23A1DFD5F1D1DD4D950C54E7194").unwrap()
        );
        assert_eq!(derive_key(b"s3cret", &salt, 24), key[..24]);
        assert_eq!(hex_decode("0aFf"), Some(vec![10, 255]));
        assert_eq!(hex_decode("abc"), None);
        assert_eq!(hex_decode("zz"), None);
    }

    #[test]
    fn unknown_pem_cipher_is_named() {
        let pem = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: BF-CBC,0102030405060708\n\nAAAAAAAAAAA=\n-----END RSA PRIVATE KEY-----\n";
        let rsa = &rsa_keys()[0];
        let cert = cert_pem(rsa_spki(rsa), "com.acme.chat", now() + 90 * DAY);
        let err = cert_err(&format!("{cert}{pem}"), Some("pw"));
        assert!(
            err.contains("encrypted with \"BF-CBC\", which the proxy cannot decrypt"),
            "{err}"
        );
    }
}
