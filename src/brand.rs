//! The brand file: model, defaults, validation and secret references.
//!
//! Every key of the brand file is read here and nowhere else; later steps get a validated
//! `Brand` whose derived identifiers are already filled in.
pub mod choices;
pub mod containment;
pub mod credential;
pub mod formats;
pub mod identifiers;
pub mod owned_config;
#[cfg(test)]
mod properties;
pub mod reference;
pub mod secret;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::Deserialize;

use crate::fsutil;
use crate::problems::Problems;
pub use choices::{ApsEnvironment, ExportMethod, MatchType, PushContents};
pub use credential::{CredentialKey, Secrets};
pub use secret::SecretRef;

/// The brand file as written (TOML).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BrandFile {
    pub name: String,
    pub display_name: String,
    /// The app's version (X.Y.Z); `--app-version` wins.
    pub app_version: Option<String>,
    /// The app's build number; `--build-number` wins.
    pub build_number: Option<i64>,
    #[serde(default)]
    pub source: SourceSection,
    pub server: ServerSection,
    #[serde(default)]
    pub config: toml::Table,
    #[serde(default)]
    pub assets: AssetsSection,
    pub ios: IosSection,
    pub android: AndroidSection,
    pub schemes: SchemesSection,
    pub push: Option<PushSection>,
    pub deep_links: Option<DeepLinksSection>,
    #[serde(default)]
    pub emm: EmmSection,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceSection {
    pub repo: Option<String>,
    #[serde(rename = "ref")]
    pub git_ref: Option<String>,
    pub fork: Option<String>,
    pub branch: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSection {
    pub url: String,
    pub name: Option<String>,
    #[serde(default)]
    pub auto_select: bool,
    /// Keep the server's default SSO schemes (mmauth://, mmauthbeta://) next to the brand's
    /// in NativeAppSettings.AppCustomURLSchemes, so Mattermost's own apps keep logging in.
    #[serde(default = "default_true")]
    pub keep_default_url_schemes: bool,
    /// NativeAppSettings download links the server shows (https URLs).
    pub app_download_link: Option<String>,
    pub android_app_download_link: Option<String>,
    pub ios_app_download_link: Option<String>,
}

fn default_true() -> bool {
    true
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssetsSection {
    #[serde(rename = "override")]
    pub override_dir: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IosSection {
    pub bundle_id: String,
    pub team_id: String,
    #[serde(default = "default_aps")]
    pub aps_environment: String,
    pub share_extension_id: Option<String>,
    pub notification_service_id: Option<String>,
    pub app_group: Option<String>,
    pub icloud_container: Option<String>,
    /// How the lanes export the .ipa (gym's export_method).
    #[serde(default = "default_export_method")]
    pub export_method: String,
    /// Which match profiles the lanes sign with; derived from export_method unless given.
    pub match_type: Option<String>,
}

fn default_export_method() -> String {
    ExportMethod::AppStore.as_str().into()
}

fn default_aps() -> String {
    ApsEnvironment::Production.as_str().into()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AndroidSection {
    pub package: String,
    pub google_services: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SchemesSection {
    pub app: String,
    pub auth: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushSection {
    pub proxy_url: String,
    #[serde(default = "default_contents")]
    pub contents: String,
    pub apple: Option<PushAppleSection>,
    pub android: Option<PushAndroidSection>,
    /// Overrides of the push proxy's top-level settings (ListenAddress, SendTimeoutSec, ...).
    #[serde(default)]
    pub proxy: toml::Table,
    /// The proxy behind corporate IT.
    pub network: Option<PushNetworkSection>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushNetworkSection {
    /// http(s)://host:port of the HTTPS proxy FCM traffic goes through (HTTPS_PROXY).
    pub https_proxy: Option<String>,
    /// `file:`/`env:` reference to the password of https_proxy's user (written only into
    /// the 0600 `push-proxy/proxy.env`).
    pub https_proxy_password: Option<String>,
    /// Host or IP of a pre-proxy relay standing in for the APNs host.
    pub apns_relay: Option<String>,
    /// `file:` reference to the relay's CA certificate (PEM), trusted by the proxy.
    pub ca_bundle: Option<String>,
}

fn default_contents() -> String {
    PushContents::IdLoaded.as_str().into()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushAppleSection {
    pub auth_key: Option<String>,
    pub key_id: Option<String>,
    /// Certificate-based APNs instead of a token key: a PEM file with certificate and key.
    pub cert: Option<String>,
    pub cert_password: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushAndroidSection {
    pub service_account: String,
}

/// iOS Universal Links and Android App Links for the brand's server domains.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeepLinksSection {
    /// Host names (no scheme, port or path) whose links open the app.
    #[serde(default)]
    pub domains: Vec<String>,
    /// SHA-256 fingerprints of the certificates the Android app is signed with.
    #[serde(default)]
    pub android_cert_sha256: Vec<String>,
    /// `file:` (or `env:`) reference to a signing certificate (PEM or DER); its SHA-256 is
    /// added to the fingerprints.
    pub android_cert: Option<String>,
}

/// Defaults for the app's managed (EMM) configuration; each is the snake_case name of the
/// camelCase key the app reads.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmmSection {
    pub allow_other_servers: Option<bool>,
    pub copy_and_paste_protection: Option<bool>,
    pub in_app_pin_code: Option<bool>,
    /// Declared by upstream's app_restrictions.xml but read nowhere: refused.
    pub in_app_session_auth: Option<bool>,
    pub blur_application_screen: Option<bool>,
    pub jailbreak_protection: Option<bool>,
    pub vendor: Option<String>,
    /// Default: `[server] url`.
    pub server_url: Option<String>,
    /// Default: `[server] name`.
    pub server_name: Option<String>,
    pub username: Option<String>,
    /// Request timeout in milliseconds.
    pub timeout: Option<i64>,
    /// Resource timeout in milliseconds (iOS only: not in app_restrictions.xml).
    pub timeout_vpn: Option<i64>,
    /// Wait for connectivity (a VPN) instead of failing (iOS only).
    pub use_vpn: Option<bool>,
}

/// A validated brand with every derived identifier filled in.
#[derive(Debug)]
pub struct Brand {
    /// The brand file itself, and the directory relative paths are resolved against.
    pub file: PathBuf,
    pub dir: PathBuf,
    /// sha256 of the brand file's bytes.
    pub file_sha256: String,
    pub name: String,
    pub display_name: String,
    /// Version and build number to write into the app, if any.
    pub version: Version,
    pub source: SourceSection,
    pub branch: String,
    pub server: ServerSection,
    /// `[config]` as JSON, to be type-checked against the base config.json.
    pub config: serde_json::Map<String, serde_json::Value>,
    pub override_dir: Option<PathBuf>,
    pub ios: Ios,
    pub android: Android,
    pub schemes: SchemesSection,
    pub push: Option<Push>,
    pub deep_links: Option<DeepLinksSection>,
    pub emm: EmmSection,
    /// Every `file:`/`env:` reference the brand gives (android.google_services, push
    /// credentials, deep_links.android_cert), parsed; the raw sections keep them as written.
    pub secrets: Secrets,
}

/// `[push]`, validated.
#[derive(Debug)]
pub struct Push {
    pub proxy_url: String,
    pub contents: PushContents,
    pub apple: Option<PushAppleSection>,
    pub android: Option<PushAndroidSection>,
    /// Overrides of the push proxy's top-level settings (ListenAddress, SendTimeoutSec, ...).
    pub proxy: toml::Table,
    pub network: Option<PushNetworkSection>,
}

impl Push {
    /// `raw` with its choices parsed; an invalid one (reported by validation) holds the
    /// default.
    fn from_section(raw: PushSection) -> Push {
        Push {
            proxy_url: raw.proxy_url,
            contents: PushContents::parse(&raw.contents).unwrap_or(PushContents::IdLoaded),
            apple: raw.apple,
            android: raw.android,
            proxy: raw.proxy,
            network: raw.network,
        }
    }
}

/// The four iOS identifiers of the three targets, plus team and push environment.
#[derive(Debug, Clone)]
pub struct Ios {
    pub bundle_id: String,
    pub share_extension_id: String,
    pub notification_service_id: String,
    pub app_group: String,
    pub icloud_container: String,
    pub team_id: String,
    pub aps_environment: ApsEnvironment,
    pub export_method: ExportMethod,
    pub match_type: MatchType,
}

/// The app's marketing version and build number; unset parts keep upstream's values.
#[derive(Debug, Clone, Default)]
pub struct Version {
    pub version: Option<String>,
    pub build_number: Option<u64>,
}

#[derive(Debug, Clone)]
pub struct Android {
    pub package: String,
}

/// The largest brand file read: a real one is a few kilobytes, and the TOML parser holds the
/// whole document in memory several times over.
pub const MAX_BRAND_FILE_BYTES: u64 = 1 << 20;

/// How a brand file is loaded.
#[derive(Debug, Clone, Copy, Default)]
pub struct LoadOptions {
    /// Allow `file:` references and `[assets] override` outside the brand's folder
    /// (`--allow-outside-brand-dir`).
    pub allow_outside_brand_dir: bool,
}

/// A brand file parsed and validated, with every problem found in it. Reading the files it
/// names is a later stage (`crate::inputs`), which adds its problems to these so that one
/// run still reports every mistake at once.
#[derive(Debug)]
pub struct Checked {
    /// Complete even when `problems` is not empty (invalid values hold placeholders).
    pub brand: Brand,
    pub problems: Problems,
    /// No path leaves the brand's folder (or that is allowed): the named files may be read.
    pub contained: bool,
}

impl Brand {
    /// Reads, parses and validates a brand file; every problem is reported at once. Paths
    /// outside the brand's folder are refused.
    pub fn load(path: &Path) -> Result<Brand> {
        Brand::load_with(path, LoadOptions::default())
    }

    /// [`Brand::load`] with options. The files the brand names are not read (see
    /// `crate::inputs::load` for that).
    pub fn load_with(path: &Path, options: LoadOptions) -> Result<Brand> {
        let checked = Brand::check(path, options)?;
        checked.problems.into_result()?;
        Ok(checked.brand)
    }

    /// Reads, parses and validates a brand file, returning the brand with its problems. Fails
    /// outright only when there is no brand to speak of (unreadable, not TOML, keys missing).
    pub fn check(path: &Path, options: LoadOptions) -> Result<Checked> {
        let text = read_brand_text(path)?;
        // Every missing required key at once (serde stops at the first), with serde's own
        // message when it is about something else, such as a misspelt key.
        let missing = toml::from_str::<toml::Table>(&text)
            .map(|t| reference::missing_required(&t))
            .unwrap_or_default();
        let raw: BrandFile = match toml::from_str(&text) {
            Ok(raw) if missing.is_empty() => raw,
            result => {
                let mut problems = Problems::new();
                if let Err(e) = &result {
                    if missing.is_empty() || !e.message().starts_with("missing field") {
                        problems.push(identifiers::toml_error(path, &text, e));
                    }
                }
                for m in missing {
                    problems.push(format!("{}: {m}", path.display()));
                }
                return Err(problems.into());
            }
        };
        let dir = path
            .parent()
            .map(Path::to_path_buf)
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or_else(|| PathBuf::from("."));
        let mut problems = Problems::new();
        let shown = path.display().to_string();
        identifiers::validate(&raw, &shown, &mut problems);
        let mut raw = raw;
        // Consumers read the values as validated: URLs in their normalised form.
        identifiers::normalise(&mut raw);
        // Reported after the paths that leave the brand's folder, which are found among
        // the valid references.
        let mut invalid_refs = Problems::new();
        let secrets = Secrets::parse(&raw, &shown, &mut invalid_refs);
        let outside = if options.allow_outside_brand_dir {
            Vec::new()
        } else {
            containment::check(&secrets, raw.assets.override_dir.as_deref(), &dir, &shown)
        };
        let contained = outside.is_empty();
        outside.into_iter().for_each(|p| problems.push(p));
        invalid_refs
            .items()
            .iter()
            .for_each(|p| problems.push(p.clone()));
        let config = match serde_json::to_value(&raw.config) {
            Ok(serde_json::Value::Object(map)) => map,
            _ => serde_json::Map::new(),
        };
        for conflict in owned_config::conflicts(&config, &owned_config(&raw.server, &raw.schemes)) {
            problems.push(format!("{shown}: [config]: {conflict}"));
        }
        let ios = derive_ios(&raw.ios);
        let override_dir = raw.assets.override_dir.as_ref().map(|o| dir.join(o));
        let brand = Brand {
            file: path.to_path_buf(),
            file_sha256: fsutil::sha256_hex(text.as_bytes()),
            branch: raw
                .source
                .branch
                .clone()
                .unwrap_or_else(|| format!("brand/{}", raw.name)),
            dir,
            version: Version {
                version: raw.app_version.clone(),
                build_number: raw.build_number.map(|n| n as u64),
            },
            name: raw.name,
            display_name: raw.display_name,
            source: raw.source,
            server: raw.server,
            config,
            override_dir,
            ios,
            android: Android {
                package: raw.android.package,
            },
            secrets,
            schemes: raw.schemes,
            push: raw.push.map(Push::from_section),
            deep_links: raw.deep_links,
            emm: raw.emm,
        };
        Ok(Checked {
            brand,
            problems,
            contained,
        })
    }

    /// The values written into config.json: server and auth scheme first, then `[config]`
    /// (which validation keeps from changing the first: see [`owned_config`]).
    pub fn config_patch(&self) -> serde_json::Value {
        let mut patch = self.owned_config();
        for (k, v) in &self.config {
            patch.insert(k.clone(), v.clone());
        }
        serde_json::Value::Object(patch)
    }

    /// The config.json values `[server]` and `[schemes]` own ([`owned_config::OWNED_KEYS`]).
    pub fn owned_config(&self) -> serde_json::Map<String, serde_json::Value> {
        owned_config(&self.server, &self.schemes)
    }

    /// Applies `--app-version` / `--build-number`, which win over the brand file's keys;
    /// both are validated like the keys, naming the flag.
    pub fn override_version(&mut self, version: Option<&str>, build: Option<u64>) -> Result<()> {
        let mut problems = Problems::new();
        if let Some(v) = version {
            match identifiers::app_version(v) {
                Ok(()) => self.version.version = Some(v.to_string()),
                Err(why) => problems.push(format!("--app-version: {why}")),
            }
        }
        if let Some(n) = build {
            match identifiers::build_number(i64::try_from(n).unwrap_or(i64::MAX)) {
                Ok(()) => self.version.build_number = Some(n),
                Err(why) => problems.push(format!("--build-number: {why}")),
            }
        }
        problems.into_result()
    }

    /// Warnings about settings that are legal but do not do what the user likely wants.
    pub fn warnings(&self) -> Vec<String> {
        let mut w = Vec::new();
        for (key, id, marker) in [
            (
                "ios.share_extension_id",
                &self.ios.share_extension_id,
                "MattermostShare",
            ),
            (
                "ios.notification_service_id",
                &self.ios.notification_service_id,
                "NotificationService",
            ),
        ] {
            if !id.contains(marker) {
                w.push(format!(
                    "{}: {key} = {id:?} does not contain {marker:?}: upstream's signing step (setup_code_signing) picks the Xcode target by that word, so match would sign this extension with the main app's profile",
                    self.file.display()
                ));
            }
        }
        if self.ios.bundle_id.contains('-') {
            w.push(format!(
                "{}: ios.bundle_id = {:?} contains '-', which the AppConfig specfile schema does not allow in <bundleId>: an EMM console that validates emm/appconfig.xml may refuse it",
                self.file.display(),
                self.ios.bundle_id
            ));
        }
        if self.server.auto_select && self.server.name.as_deref().unwrap_or("").is_empty() {
            w.push(format!(
                "{}: server.auto_select = true without server.name does nothing: the app auto-connects only when both a server URL and a server name are set",
                self.file.display()
            ));
        }
        w
    }
}

/// The config.json values `[server]` and `[schemes]` set.
fn owned_config(
    server: &ServerSection,
    schemes: &SchemesSection,
) -> serde_json::Map<String, serde_json::Value> {
    let mut owned = serde_json::Map::new();
    owned.insert("DefaultServerUrl".into(), server.url.clone().into());
    if let Some(name) = &server.name {
        owned.insert("DefaultServerName".into(), name.clone().into());
    }
    owned.insert("AutoSelectServerUrl".into(), server.auto_select.into());
    // The app uses AuthUrlSchemeDev instead when its id contains "rnbeta" (isBetaApp);
    // both get the brand's scheme so SSO returns to the app either way.
    let auth = format!("{}://", schemes.auth);
    owned.insert("AuthUrlScheme".into(), auth.clone().into());
    owned.insert("AuthUrlSchemeDev".into(), auth.into());
    owned
}

/// The brand file's text, refused unread when it is larger than any brand file could be.
fn read_brand_text(path: &Path) -> Result<String> {
    let meta = std::fs::metadata(path)
        .with_context(|| format!("cannot read {}", path.display()))
        .context("cannot read the brand file")?;
    if !meta.is_file() {
        // A pipe would block the read forever.
        anyhow::bail!(
            "{}: not a regular file (a directory, pipe or device); give the path of the brand's TOML file",
            path.display()
        );
    }
    let size = meta.len();
    if size > MAX_BRAND_FILE_BYTES {
        anyhow::bail!(
            "{}: the brand file is {size} bytes, more than the limit of {MAX_BRAND_FILE_BYTES} bytes (1 MiB); a brand file is a few kilobytes of TOML: is it the right file?",
            path.display()
        );
    }
    let bytes = fsutil::read(path).context("cannot read the brand file")?;
    String::from_utf8(bytes).map_err(|e| {
        anyhow::anyhow!(
            "{}: not UTF-8 text (invalid byte at offset {}); a brand file is TOML saved as UTF-8",
            path.display(),
            e.utf8_error().valid_up_to()
        )
    })
}

fn derive_ios(raw: &IosSection) -> Ios {
    let id = &raw.bundle_id;
    let export_method = ExportMethod::parse(&raw.export_method).unwrap_or(ExportMethod::AppStore);
    Ios {
        bundle_id: id.clone(),
        share_extension_id: raw
            .share_extension_id
            .clone()
            .unwrap_or_else(|| format!("{id}.MattermostShare")),
        notification_service_id: raw
            .notification_service_id
            .clone()
            .unwrap_or_else(|| format!("{id}.NotificationService")),
        app_group: raw
            .app_group
            .clone()
            .unwrap_or_else(|| format!("group.{id}")),
        icloud_container: raw
            .icloud_container
            .clone()
            .unwrap_or_else(|| format!("iCloud.{id}")),
        team_id: raw.team_id.clone(),
        // An invalid choice (reported by validation) holds the default.
        aps_environment: ApsEnvironment::parse(&raw.aps_environment)
            .unwrap_or(ApsEnvironment::Production),
        export_method,
        match_type: raw
            .match_type
            .as_deref()
            .and_then(MatchType::parse)
            .unwrap_or_else(|| export_method.match_type()),
    }
}
