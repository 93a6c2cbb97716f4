//! The brand keys that name a credential or client-config file (`file:PATH` or `env:VAR`):
//! one list, one spelling of each key, and each reference parsed once, when the brand file is
//! validated. Reading what they hold is the inputs stage's work.
use std::collections::BTreeMap;

use super::{BrandFile, SecretRef};
use crate::problems::Problems;

/// A brand key whose value is a `file:`/`env:` reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CredentialKey {
    /// The app's Firebase client config: not secret, but its fingerprint pairs app and proxy.
    GoogleServices,
    AppleAuthKey,
    /// Certificate-based APNs: a PEM file with certificate and key.
    AppleCert,
    AppleCertPassword,
    FirebaseServiceAccount,
    /// The password of `push.network.https_proxy`'s user.
    ProxyPassword,
    /// The CA the APNs relay or HTTPS proxy presents.
    CaBundle,
    /// The Android signing certificate whose fingerprint App Links verify.
    DeepLinksCert,
}

impl CredentialKey {
    /// Every key, in the order the brand file lists them (and messages and CI jobs follow).
    pub const ALL: [CredentialKey; 8] = [
        CredentialKey::GoogleServices,
        CredentialKey::AppleAuthKey,
        CredentialKey::AppleCert,
        CredentialKey::AppleCertPassword,
        CredentialKey::FirebaseServiceAccount,
        CredentialKey::ProxyPassword,
        CredentialKey::CaBundle,
        CredentialKey::DeepLinksCert,
    ];

    /// The key as the brand file spells it; also its name in the lock file and in messages.
    pub fn name(self) -> &'static str {
        match self {
            CredentialKey::GoogleServices => "android.google_services",
            CredentialKey::AppleAuthKey => "push.apple.auth_key",
            CredentialKey::AppleCert => "push.apple.cert",
            CredentialKey::AppleCertPassword => "push.apple.cert_password",
            CredentialKey::FirebaseServiceAccount => "push.android.service_account",
            CredentialKey::ProxyPassword => "push.network.https_proxy_password",
            CredentialKey::CaBundle => "push.network.ca_bundle",
            CredentialKey::DeepLinksCert => "deep_links.android_cert",
        }
    }

    /// The key's value as written in `raw`, when given.
    pub(crate) fn value(self, raw: &BrandFile) -> Option<&str> {
        let push = raw.push.as_ref();
        let apple = push.and_then(|p| p.apple.as_ref());
        match self {
            CredentialKey::GoogleServices => Some(&raw.android.google_services),
            CredentialKey::AppleAuthKey => apple.and_then(|a| a.auth_key.as_deref()),
            CredentialKey::AppleCert => apple.and_then(|a| a.cert.as_deref()),
            CredentialKey::AppleCertPassword => apple.and_then(|a| a.cert_password.as_deref()),
            CredentialKey::FirebaseServiceAccount => push
                .and_then(|p| p.android.as_ref())
                .map(|a| a.service_account.as_str()),
            CredentialKey::ProxyPassword => push
                .and_then(|p| p.network.as_ref())
                .and_then(|n| n.https_proxy_password.as_deref()),
            CredentialKey::CaBundle => push
                .and_then(|p| p.network.as_ref())
                .and_then(|n| n.ca_bundle.as_deref()),
            CredentialKey::DeepLinksCert => raw
                .deep_links
                .as_ref()
                .and_then(|d| d.android_cert.as_deref()),
        }
    }
}

/// Every credential reference a brand gives, parsed. A key given with an invalid value is
/// absent (validation reported it).
#[derive(Debug, Clone, Default)]
pub struct Secrets(BTreeMap<CredentialKey, SecretRef>);

impl Secrets {
    /// Parses every reference of `raw`; each invalid one is a problem naming `brand_file`.
    pub(crate) fn parse(raw: &BrandFile, brand_file: &str, problems: &mut Problems) -> Secrets {
        let mut refs = BTreeMap::new();
        for key in CredentialKey::ALL {
            let Some(value) = key.value(raw) else {
                continue;
            };
            match SecretRef::parse(value, key.name()) {
                Ok(r) => {
                    refs.insert(key, r);
                }
                Err(e) => problems.push(format!("{brand_file}: {e}")),
            }
        }
        Secrets(refs)
    }

    /// The reference given for `key`, if valid.
    pub fn get(&self, key: CredentialKey) -> Option<&SecretRef> {
        self.0.get(&key)
    }

    /// Every valid reference, in [`CredentialKey::ALL`]'s order.
    pub fn iter(&self) -> impl Iterator<Item = (CredentialKey, &SecretRef)> {
        CredentialKey::ALL
            .into_iter()
            .filter_map(|k| Some((k, self.0.get(&k)?)))
    }
}
