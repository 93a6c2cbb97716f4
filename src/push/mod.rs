//! The push side: the proxy config that matches the branded app, its credential files, and
//! the Mattermost server settings that point at the proxy.
pub mod credentials;
pub mod deploy;
pub mod proxy_config;
pub mod server_settings;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::SystemTime;

use anyhow::{bail, Result};

use crate::brand::{Brand, CredentialKey, Push};
use crate::emit::Sink;
use crate::fsutil;
use crate::problems::Problems;
use credentials::CertInfo;
use proxy_config::{AndroidPushSettings, ApplePushSettings};

pub use crate::layout::{DEFAULT_PROXY_ROOT, PROXY_CONFIG, PROXY_DIR};

/// A credential read and checked, ready to be written.
struct Credential {
    kind: CredentialKey,
    file_name: String,
    bytes: Vec<u8>,
}

/// Everything the push side needs, validated before anything is cloned or written.
pub struct PreparedPush {
    credentials: Vec<Credential>,
    /// The proxy's top-level settings; the push entries are added when writing.
    config: proxy_config::ConfigPushProxy,
    /// Values the proxy would have replaced silently, now written as it uses them.
    pub notes: Vec<String>,
    apple: Option<AppleAuth>,
    cert_password: Option<String>,
    /// `[push.network] ca_bundle`, checked to be PEM certificates.
    ca_bundle: Option<Vec<u8>>,
    /// `[push.network] https_proxy_password`: written only into the 0600 proxy.env.
    proxy_password: Option<String>,
    cert_info: Option<CertInfo>,
    /// The service account's token endpoint, which the proxy contacts.
    token_uri: Option<String>,
}

enum AppleAuth {
    Token { key_file: String, key_id: String },
    Certificate { cert_file: String },
}

/// Runs one independent check; its failure (every item of it) joins `problems`.
fn collect<T>(problems: &mut Problems, result: Result<T>) -> Option<T> {
    match result {
        Ok(v) => Some(v),
        Err(e) => {
            match e.downcast_ref::<Problems>() {
                Some(many) => many.items().iter().for_each(|p| problems.push(p.clone())),
                None => problems.push(format!("{e:#}")),
            }
            None
        }
    }
}

/// Reads and checks every `[push]` credential the way the proxy will load it, and pairs the
/// service account with the app's Firebase project (`firebase` = (project id, where the
/// google-services.json came from), when that file could be read). Every problem found is
/// reported together. `None` when the brand has no `[push]`.
pub fn prepare(brand: &Brand, firebase: Option<(&str, &str)>) -> Result<Option<PreparedPush>> {
    let Some(push) = &brand.push else {
        return Ok(None);
    };
    let shown_brand = brand.file.display().to_string();
    let mut problems = Problems::new();
    // Read first: the certificate check decrypts its key with it, as the proxy will.
    let cert_password = collect(&mut problems, read_cert_password(brand)).flatten();
    let mut credentials = Vec::new();
    let mut cert_info = None;
    let apple = collect(
        &mut problems,
        prepare_apple(
            brand,
            push,
            &shown_brand,
            cert_password.as_deref(),
            &mut credentials,
            &mut cert_info,
        ),
    )
    .flatten();
    let token_uri = collect(
        &mut problems,
        prepare_android(brand, firebase, &mut credentials),
    )
    .flatten();
    if push.apple.is_none() && push.android.is_none() {
        problems.push(format!(
            "{shown_brand}: [push] needs [push.apple] and/or [push.android] credentials"
        ));
    }
    let overrides = collect(
        &mut problems,
        proxy_config::from_overrides(&push.proxy, &shown_brand),
    );
    let ca_bundle = collect(&mut problems, deploy::read_ca_bundle(brand)).flatten();
    for clash in name_clashes(&credentials) {
        problems.push(format!("{shown_brand}: {clash}"));
    }
    let proxy_password = collect(&mut problems, deploy::read_proxy_password(brand)).flatten();
    problems.into_result()?;
    let (config, notes) = overrides.expect("no problems, so the overrides were read");
    Ok(Some(PreparedPush {
        credentials,
        config,
        notes,
        ca_bundle,
        proxy_password,
        apple,
        cert_password,
        cert_info,
        token_uri,
    }))
}

/// Every name mmbrand itself writes in `push-proxy/` (files, and the folder of the relay's CA),
/// which a credential copied there under its own file name must not take.
pub const GENERATED_NAMES: &[&str] = &[
    PROXY_CONFIG,
    "README.md",
    "docker-compose.yml",
    "mattermost-push-proxy.service",
    "ALLOWLIST.txt",
    deploy::PROXY_ENV,
    deploy::CA_DIR,
];

/// Credentials are copied into `push-proxy/` under their own file names (the proxy config
/// names them so): a name mmbrand generates there, or one two credentials share, would
/// overwrite a file. Compared ignoring case, as macOS and Windows file systems do.
fn name_clashes(credentials: &[Credential]) -> Vec<String> {
    let mut found = Vec::new();
    for (i, c) in credentials.iter().enumerate() {
        let key = c.kind.name();
        let name = &c.file_name;
        if let Some(generated) = GENERATED_NAMES
            .iter()
            .find(|g| g.eq_ignore_ascii_case(name))
        {
            found.push(format!(
                "{key}: the file is named {name:?}, like the {generated:?} mmbrand writes in {PROXY_DIR}/, where credentials are copied under their own names; rename the credential file"
            ));
        } else if let Some(other) = credentials[..i]
            .iter()
            .find(|o| o.file_name.eq_ignore_ascii_case(name))
        {
            found.push(format!(
                "{key}: the file is named {name:?}, like {}'s; both are copied into {PROXY_DIR}/ under their own names, so rename one of them",
                other.kind.name()
            ));
        }
    }
    found
}

fn read_cert_password(brand: &Brand) -> Result<Option<String>> {
    let key = CredentialKey::AppleCertPassword;
    let Some(r) = brand.secrets.get(key) else {
        return Ok(None);
    };
    let bytes = r.read(&brand.dir, key.name())?;
    let text =
        String::from_utf8(bytes).map_err(|_| anyhow::anyhow!("{}: not UTF-8 text", key.name()))?;
    Ok(Some(text.trim_end_matches(['\r', '\n']).to_string()))
}

/// The service account: readable by oauth2, and of the app's Firebase project. Returns its
/// token endpoint.
fn prepare_android(
    brand: &Brand,
    firebase: Option<(&str, &str)>,
    credentials: &mut Vec<Credential>,
) -> Result<Option<String>> {
    let kind = CredentialKey::FirebaseServiceAccount;
    // None without [push.android], or with an invalid reference (validation reported it).
    let Some(r) = brand.secrets.get(kind) else {
        return Ok(None);
    };
    let bytes = r.read(&brand.dir, kind.name())?;
    let shown = r.describe(&brand.dir);
    let account = credentials::parse_service_account(&bytes, &shown)?;
    if let Some((project, gs_shown)) = firebase {
        if account.project_id != project {
            bail!(
                "Firebase projects differ: the service account {shown} (push.android.service_account) is for project_id {:?}, but the app's {gs_shown} (android.google_services) is for {project:?}; the proxy could not deliver to this app. Use a service-account key of project {project:?}",
                account.project_id
            );
        }
    }
    credentials.push(Credential {
        kind,
        file_name: r.file_name("fcm-service-account.json"),
        bytes,
    });
    Ok(Some(account.token_uri))
}

fn prepare_apple(
    brand: &Brand,
    push: &Push,
    shown_brand: &str,
    cert_password: Option<&str>,
    credentials: &mut Vec<Credential>,
    cert_info: &mut Option<CertInfo>,
) -> Result<Option<AppleAuth>> {
    let Some(apple) = &push.apple else {
        return Ok(None);
    };
    match (&apple.auth_key, &apple.cert) {
        (Some(_), None) => {
            let Some(key_id) = &apple.key_id else {
                bail!("{shown_brand}: push.apple.key_id is required with push.apple.auth_key (the 10-character Key ID shown next to the key in the Apple developer account)");
            };
            let key = CredentialKey::AppleAuthKey;
            // An invalid reference was reported by validation.
            let Some(r) = brand.secrets.get(key) else {
                return Ok(None);
            };
            let bytes = r.read(&brand.dir, key.name())?;
            let shown = r.describe(&brand.dir);
            credentials::check_p8(&bytes, &shown)?;
            let default_name = format!("AuthKey_{key_id}.p8");
            let file_name = r.file_name(&default_name);
            if let Some(named) = credentials::key_id_from_file_name(&file_name) {
                if named != key_id {
                    bail!("{shown}: the file name says key id {named:?} but push.apple.key_id is {key_id:?}; APNs rejects a token signed with the wrong key id");
                }
            }
            credentials.push(Credential {
                kind: key,
                file_name: file_name.clone(),
                bytes,
            });
            Ok(Some(AppleAuth::Token {
                key_file: file_name,
                key_id: key_id.clone(),
            }))
        }
        (None, Some(_)) => {
            let key = CredentialKey::AppleCert;
            // An invalid reference was reported by validation.
            let Some(r) = brand.secrets.get(key) else {
                return Ok(None);
            };
            let bytes = r.read(&brand.dir, key.name())?;
            *cert_info = Some(credentials::check_apple_cert(
                &bytes,
                cert_password,
                &brand.ios.bundle_id,
                &r.describe(&brand.dir),
                SystemTime::now(),
            )?);
            let file_name = r.file_name("apns-cert.pem");
            credentials.push(Credential {
                kind: key,
                file_name: file_name.clone(),
                bytes,
            });
            Ok(Some(AppleAuth::Certificate {
                cert_file: file_name,
            }))
        }
        (Some(_), Some(_)) => {
            bail!("{shown_brand}: [push.apple] takes either auth_key (+ key_id) or cert, not both")
        }
        (None, None) => bail!("{shown_brand}: [push.apple] needs auth_key (+ key_id) or cert"),
    }
}

impl PreparedPush {
    /// What the APNs certificate says of its expiry and topic, when Apple push uses one.
    pub fn cert_expiry(&self) -> Option<&CertInfo> {
        self.cert_info.as_ref()
    }

    /// Feeds everything the push side is made from (credentials, certificate password, CA
    /// bundle) to `hasher`, for the re-apply input digest; nothing of it is kept or shown.
    pub fn fingerprint(&self, hasher: &mut impl sha2::Digest) {
        for c in &self.credentials {
            hasher.update(c.file_name.as_bytes());
            hasher.update(fsutil::sha256_hex(&c.bytes));
        }
        if let Some(p) = &self.cert_password {
            hasher.update(fsutil::sha256_hex(p.as_bytes()));
        }
        if let Some(ca) = &self.ca_bundle {
            hasher.update(fsutil::sha256_hex(ca));
        }
        if let Some(p) = &self.proxy_password {
            hasher.update(fsutil::sha256_hex(p.as_bytes()));
        }
    }

    /// The raw credentials and the proxy password, for the secret scan of the app tree.
    pub fn secrets(&self) -> Vec<Vec<u8>> {
        self.credentials
            .iter()
            .map(|c| c.bytes.clone())
            .chain(self.proxy_password.iter().map(|p| p.as_bytes().to_vec()))
            .collect()
    }

    /// Writes `push-proxy/` (config + credentials, 0600) through `sink`; returns the
    /// credential fingerprints for the lock file.
    pub fn write(
        &self,
        sink: &mut dyn Sink,
        brand: &Brand,
        proxy_root: &str,
    ) -> Result<BTreeMap<String, String>> {
        let dir = Path::new(PROXY_DIR);
        let at = |name: &str| format!("{}/{name}", proxy_root.trim_end_matches('/'));
        let mut fingerprints = BTreeMap::new();
        for c in &self.credentials {
            sink.write_private(&dir.join(&c.file_name), &c.bytes)?;
            fingerprints.insert(c.kind.name().to_string(), fsutil::sha256_hex(&c.bytes));
        }
        let ios = &brand.ios;
        let apple: Vec<ApplePushSettings> = self
            .apple
            .iter()
            .map(|auth| {
                let (key_file, key_id, cert) = match auth {
                    AppleAuth::Token { key_file, key_id } => {
                        (at(key_file), key_id.clone(), String::new())
                    }
                    AppleAuth::Certificate { cert_file } => {
                        (String::new(), String::new(), at(cert_file))
                    }
                };
                ApplePushSettings {
                    kind: proxy_config::apple_type(&ios.bundle_id).to_string(),
                    apple_push_use_development: ios.aps_environment.use_development(),
                    apple_push_cert_private: cert,
                    apple_push_cert_password: self.cert_password.clone().unwrap_or_default(),
                    apple_push_topic: ios.bundle_id.clone(),
                    apple_auth_key_file: key_file,
                    apple_auth_key_id: key_id,
                    apple_team_id: if key_id_is_set(auth) {
                        ios.team_id.clone()
                    } else {
                        String::new()
                    },
                }
            })
            .collect();
        let android: Vec<AndroidPushSettings> = self
            .credentials
            .iter()
            .filter(|c| c.kind == CredentialKey::FirebaseServiceAccount)
            .map(|c| AndroidPushSettings {
                kind: proxy_config::ANDROID_TYPE.to_string(),
                android_api_key: String::new(),
                service_file_location: at(&c.file_name),
            })
            .collect();
        let config = proxy_config::ConfigPushProxy {
            apple_push_settings: apple,
            android_push_settings: android,
            ..self.config.clone()
        };
        proxy_config::validate(&config).map_err(|e| anyhow::anyhow!("{PROXY_CONFIG}: {e}"))?;
        let config_path = dir.join(PROXY_CONFIG);
        let json = config.to_json()?;
        if self.cert_password.is_some() {
            // The certificate password is inside the config: it is a credential too.
            sink.write_private(&config_path, json.as_ref())?;
        } else {
            sink.write(&config_path, json.as_ref())?;
        }
        deploy::write(
            sink,
            brand,
            &config,
            proxy_root,
            self.token_uri.as_deref(),
            self.ca_bundle.as_deref(),
            self.proxy_password.as_deref(),
        )?;
        write_readme(sink, brand, proxy_root)?;
        Ok(fingerprints)
    }
}

const PROXY_README: &str = include_str!("../../templates/push-proxy-README.md.tera");

/// The proxy folder's deployment notes.
fn write_readme(sink: &mut dyn Sink, brand: &Brand, proxy_root: &str) -> Result<()> {
    let mut types = Vec::new();
    let push = brand.push.as_ref();
    if push.is_some_and(|p| p.apple.is_some()) {
        types.push(proxy_config::apple_type(&brand.ios.bundle_id));
    }
    if push.is_some_and(|p| p.android.is_some()) {
        types.push(proxy_config::ANDROID_TYPE);
    }
    let mut ctx = tera::Context::new();
    ctx.insert("display_name", &brand.display_name);
    ctx.insert("proxy_root", proxy_root);
    ctx.insert("types", &types.join(", "));
    sink.write(
        &Path::new(PROXY_DIR).join("README.md"),
        crate::emit::render("push-proxy-README.md", PROXY_README, &ctx)?.as_ref(),
    )
}

fn key_id_is_set(auth: &AppleAuth) -> bool {
    matches!(auth, AppleAuth::Token { .. })
}
