//! `mmbrand verify DIR`: re-reads the branded app and the emitted push-proxy config and
//! credentials, and proves they still pair up, and that nothing changed since `apply`.
use std::path::Path;
use std::time::SystemTime;

use anyhow::Result;
use serde::Serialize;

use crate::brand::{ApsEnvironment, CredentialKey};
use crate::content;
use crate::edits;
use crate::emit::well_known;
use crate::fsutil;
use crate::layout;
use crate::lock::Lock;
use crate::native::{android, ios};
use crate::push::{credentials, proxy_config, PROXY_DIR};

#[derive(Debug, Serialize)]
pub struct Check {
    pub check: String,
    pub ok: bool,
    pub detail: String,
}

#[derive(Default)]
struct Checks {
    list: Vec<Check>,
    /// True today, but soon not (an expiring certificate).
    warnings: Vec<String>,
}

impl Checks {
    fn done(self) -> Verified {
        Verified {
            checks: self.list,
            warnings: self.warnings,
        }
    }

    fn add(&mut self, check: impl Into<String>, ok: bool, detail: impl Into<String>) -> bool {
        self.list.push(Check {
            check: check.into(),
            ok,
            detail: detail.into(),
        });
        ok
    }

    /// Records equality of what the app says and what the proxy says.
    fn pair(&mut self, check: &str, app: &str, proxy: &str) -> bool {
        let ok = app == proxy;
        let detail = if ok {
            app.to_string()
        } else {
            format!("app has {app:?}, push proxy has {proxy:?}")
        };
        self.add(check, ok, detail)
    }
}

/// What verify found: every check, passed or failed, and warnings about what holds today but
/// will not for long.
pub struct Verified {
    pub checks: Vec<Check>,
    pub warnings: Vec<String>,
}

/// Every check, passed or failed. An error only when DIR is not an apply output at all.
pub fn verify(dir: &Path) -> Result<Verified> {
    let lock = Lock::read(dir)?;
    let mut checks = Checks::default();
    check_hashes(dir, &lock, &mut checks);
    Ok(check_pairing(dir, &lock, checks))
}

/// Every check but the files' hashes, for a caller that has compared them already (the
/// up-to-date check of a re-apply, after [`edited_files`]).
pub fn verify_pairing(dir: &Path, lock: &Lock) -> Verified {
    check_pairing(dir, lock, Checks::default())
}

/// App and push proxy agree: identifiers, deep links, the proxy config, credentials.
fn check_pairing(dir: &Path, lock: &Lock, mut checks: Checks) -> Verified {
    let app = dir.join("app");
    let ios_facts = ios::read_facts(&app);
    let android_facts = android::read_facts(&app);
    let (ios_facts, android_facts) = match (ios_facts, android_facts) {
        (Ok(i), Ok(a)) => (i, a),
        (i, a) => {
            for e in [i.err(), a.err()].into_iter().flatten() {
                checks.add("app files readable", false, format!("{e:#}"));
            }
            return checks.done();
        }
    };
    checks.add(
        "google-services has the app's package",
        android_facts
            .firebase_packages
            .contains(&android_facts.application_id),
        format!(
            "applicationId {} in {:?}",
            android_facts.application_id, android_facts.firebase_packages
        ),
    );
    check_deep_links(dir, &ios_facts, &android_facts, &mut checks);
    let config = match proxy_config::read_output(dir) {
        Ok(c) => c,
        Err((check, detail)) => {
            checks.add(check, false, detail);
            return checks.done();
        }
    };
    let valid = proxy_config::validate(&config);
    checks.add(
        "push proxy config is consistent",
        valid.is_ok(),
        valid.err().unwrap_or_else(|| "types and timeouts".into()),
    );
    check_apple(dir, lock, &config, &ios_facts, &mut checks);
    check_android(dir, lock, &config, &android_facts, &mut checks);
    // The corporate proxy's password, when the brand has one, is in this file only.
    let proxy_env = dir.join(PROXY_DIR).join(crate::push::deploy::PROXY_ENV);
    if proxy_env.exists() {
        check_mode(&mut checks, CredentialKey::ProxyPassword.name(), &proxy_env);
    }
    checks.done()
}

/// The well-known files name the app the tree builds: AASA's appID is `<team>.<bundle id>`,
/// assetlinks' package is the applicationId. A mismatch means links open the browser.
fn check_deep_links(
    dir: &Path,
    ios: &ios::IosFacts,
    android: &android::AndroidFacts,
    checks: &mut Checks,
) {
    let folder = dir.join(well_known::DIR);
    let read = |name: &str| -> Option<serde_json::Value> {
        serde_json::from_slice(&std::fs::read(folder.join(name)).ok()?).ok()
    };
    if let Some(aasa) = read(well_known::AASA) {
        let found: Vec<&str> = aasa
            .pointer("/applinks/details")
            .and_then(|d| d.as_array())
            .into_iter()
            .flatten()
            .filter_map(|d| d.get("appID").and_then(|a| a.as_str()))
            .collect();
        let wanted: Vec<String> = ios
            .team_ids
            .iter()
            .map(|t| format!("{t}.{}", ios.bundle_id))
            .collect();
        checks.add(
            "apple-app-site-association appID = team.bundle id",
            !found.is_empty() && found.iter().all(|f| wanted.iter().any(|w| w == f)),
            format!("file {found:?}, app {wanted:?}"),
        );
    }
    if let Some(links) = read(well_known::ASSETLINKS) {
        let found: Vec<&str> = links
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|l| l.pointer("/target/package_name").and_then(|p| p.as_str()))
            .collect();
        checks.add(
            "assetlinks.json package = applicationId",
            !found.is_empty() && found.iter().all(|f| *f == android.application_id),
            format!("file {found:?}, app {:?}", android.application_id),
        );
    }
}

/// The files of the lock whose content changed since apply (described by key path where
/// possible), and how many hold the same content in other bytes.
pub struct Edited {
    pub changed: Vec<String>,
    pub reformatted: usize,
}

/// Compares every file of the lock with what is on disk, by content for structured files.
pub fn edited_files(dir: &Path, lock: &Lock) -> Edited {
    let mut edited = Edited {
        changed: Vec::new(),
        reformatted: 0,
    };
    for (rel, digest) in &lock.files {
        let path = dir.join(rel);
        let Ok(bytes) = std::fs::read(&path) else {
            edited.changed.push(format!("{rel} is missing"));
            continue;
        };
        if &fsutil::sha256_hex(&bytes) == digest {
            continue;
        }
        match content_change(dir, lock, rel, &bytes) {
            None => edited.reformatted += 1,
            Some(what) => edited.changed.push(what),
        }
    }
    edited
}

fn check_hashes(dir: &Path, lock: &Lock, checks: &mut Checks) {
    let Edited {
        changed,
        reformatted,
    } = edited_files(dir, lock);
    let detail = if changed.is_empty() {
        let same = if reformatted > 0 {
            format!(" ({reformatted} re-serialised with the same content)")
        } else {
            String::new()
        };
        format!("{} files match mmbrand.lock.json{same}", lock.files.len())
    } else {
        format!("{} since apply: {}", changed.len(), changed.join("; "))
    };
    checks.add("files unchanged since apply", changed.is_empty(), detail);
    check_locked_edits(lock, checks);
}

/// The lock guards every upstream file apply always edits (the registry's list): a file
/// missing from it would escape this check, re-apply's protection and the drift report.
fn check_locked_edits(lock: &Lock, checks: &mut Checks) {
    let unlisted: Vec<&str> = edits::always_edited_paths()
        .into_iter()
        .filter(|p| !lock.files.contains_key(&format!("{}/{p}", layout::APP)))
        .collect();
    let detail = if unlisted.is_empty() {
        "every upstream file apply edits is listed".to_string()
    } else {
        format!("not listed: {}", unlisted.join(", "))
    };
    checks.add(
        "lock lists the edited upstream files",
        unlisted.is_empty(),
        detail,
    );
}

/// None when a structured file holds the content apply wrote in other bytes; otherwise what
/// changed, by key path where the expected content can be found.
fn content_change(dir: &Path, lock: &Lock, rel: &str, bytes: &[u8]) -> Option<String> {
    let changed = || Some(format!("{rel} changed"));
    let Some(kind) = content::kind_of(Path::new(rel)) else {
        return changed();
    };
    let found = match content::parse(kind, bytes, rel) {
        Ok(v) => v,
        Err(e) => return Some(format!("{e:#}")),
    };
    let expected = expected_content(dir, lock, rel, kind);
    // dist/ is merged from a file verify can read; other files have a digest in the lock.
    let same = match (layout::key_is_merged(rel), &expected) {
        (true, Some(expected)) => *expected == found,
        (true, None) => false,
        (false, _) => lock.content.get(rel) == Some(&content::digest(&found)),
    };
    if same {
        return None;
    }
    let differences = expected
        .map(|expected| content::differences(&expected, &found))
        .unwrap_or_default();
    if differences.is_empty() {
        return changed();
    }
    Some(format!("{rel} changed: {}", differences.join(", ")))
}

/// The content apply wrote: for dist/assets, the resolved override or base file it was
/// merged from; otherwise the copy apply stored in app/.git.
fn expected_content(
    dir: &Path,
    lock: &Lock,
    rel: &str,
    kind: content::Kind,
) -> Option<serde_json::Value> {
    let app = dir.join("app");
    let merged_from = rel
        .strip_prefix("app/")
        .and_then(|r| r.strip_prefix(layout::DIST_ASSETS))
        .and_then(|r| r.strip_prefix('/'));
    if let Some(asset) = merged_from {
        let source = [layout::OVERRIDE, layout::BASE]
            .iter()
            .map(|d| app.join(d).join(asset))
            .find(|p| p.is_file())?;
        return content::parse(kind, &std::fs::read(&source).ok()?, rel).ok();
    }
    let oid = git2::Oid::from_str(lock.expected.get(rel)?).ok()?;
    let repo = git2::Repository::open(&app).ok()?;
    let blob = repo.find_blob(oid).ok()?;
    content::parse(kind, blob.content(), rel).ok()
}

/// The local copy of a credential the config names: the same file name in DIR/push-proxy.
fn local_credential(dir: &Path, configured: &str) -> std::path::PathBuf {
    let name = Path::new(configured)
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    dir.join(PROXY_DIR).join(name)
}

fn check_fingerprint(
    checks: &mut Checks,
    lock: &Lock,
    kind: CredentialKey,
    path: &Path,
    private: bool,
) {
    let key = kind.name();
    let Ok(bytes) = std::fs::read(path) else {
        checks.add(
            format!("{key} file"),
            false,
            format!("{} is missing", path.display()),
        );
        return;
    };
    let found = fsutil::sha256_hex(&bytes);
    match lock.credentials.get(key) {
        Some(expected) if *expected == found => checks.add(
            format!("{key} fingerprint"),
            true,
            format!("sha256:{}", &found[..16]),
        ),
        Some(_) => checks.add(
            format!("{key} fingerprint"),
            false,
            format!("{} is not the credential apply recorded", path.display()),
        ),
        None => checks.add(
            format!("{key} fingerprint"),
            false,
            "the lock file records no such credential",
        ),
    };
    if private {
        check_mode(checks, key, path);
    }
}

#[cfg(unix)]
fn check_mode(checks: &mut Checks, key: &str, path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(meta) = std::fs::metadata(path) {
        let mode = meta.permissions().mode() & 0o777;
        checks.add(
            format!("{key} mode"),
            mode & 0o077 == 0,
            format!("{mode:o}"),
        );
    }
}

#[cfg(not(unix))]
fn check_mode(_checks: &mut Checks, _key: &str, _path: &Path) {}

/// The APNs certificate as apns2 will load it, today: key readable with the configured
/// password and matching, topic = the app's bundle id, not expired (a warning within 30 days).
fn check_certificate(
    checks: &mut Checks,
    entry: &proxy_config::ApplePushSettings,
    bundle_id: &str,
    path: &Path,
) {
    let Ok(bytes) = std::fs::read(path) else {
        return; // the fingerprint check reports the missing file
    };
    let shown = path.display().to_string();
    let password = Some(entry.apple_push_cert_password.as_str());
    match credentials::check_apple_cert(&bytes, password, bundle_id, &shown, SystemTime::now()) {
        Ok(info) => {
            if let Some(w) = credentials::expiry_warning(&info, &shown) {
                checks.warnings.push(w);
            }
            checks.add(
                "APNs certificate loads, matches the app, not expired",
                true,
                format!("topic {}, valid until {}", info.topic, info.not_after),
            );
        }
        Err(e) => {
            checks.add(
                "APNs certificate loads, matches the app, not expired",
                false,
                format!("{e:#}"),
            );
        }
    }
}

fn check_apple(
    dir: &Path,
    lock: &Lock,
    config: &proxy_config::ConfigPushProxy,
    ios: &ios::IosFacts,
    checks: &mut Checks,
) {
    let wanted = proxy_config::apple_type(&ios.bundle_id);
    let types: Vec<&str> = config
        .apple_push_settings
        .iter()
        .map(|a| a.kind.as_str())
        .collect();
    let Some(entry) = config.apple_push_settings.iter().find(|a| a.kind == wanted) else {
        if !types.is_empty() || lock.credentials.keys().any(|k| k.starts_with("push.apple")) {
            checks.add(
                "apple entry Type",
                false,
                format!("the app ({}) registers {wanted}-v2 tokens but the proxy has ApplePushSettings types {types:?}", ios.bundle_id),
            );
        }
        return;
    };
    checks.add(
        "apple entry Type",
        true,
        format!("{wanted} (token prefix of {})", ios.bundle_id),
    );
    checks.pair(
        "ApplePushTopic = iOS bundle id",
        &ios.bundle_id,
        &entry.apple_push_topic,
    );
    checks.pair(
        "ApplePushUseDevelopment = aps-environment",
        &ios.aps_environment,
        ApsEnvironment::from_use_development(entry.apple_push_use_development).as_str(),
    );
    if !entry.apple_auth_key_file.is_empty() {
        checks.add(
            "AppleTeamID = Xcode DEVELOPMENT_TEAM",
            ios.team_ids == [entry.apple_team_id.clone()],
            format!(
                "app {:?}, push proxy {:?}",
                ios.team_ids, entry.apple_team_id
            ),
        );
        let path = local_credential(dir, &entry.apple_auth_key_file);
        let named = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(credentials::key_id_from_file_name)
            .map(str::to_string);
        if let Some(named) = named {
            checks.pair(
                "AppleAuthKeyID = .p8 file name",
                &named,
                &entry.apple_auth_key_id,
            );
        }
        if let Ok(bytes) = std::fs::read(&path) {
            let pem = credentials::check_p8(&bytes, &path.display().to_string());
            checks.add(
                "AppleAuthKeyFile is an ES256 key apns2 loads",
                pem.is_ok(),
                pem.err()
                    .map(|e| format!("{e:#}"))
                    .unwrap_or_else(|| format!("{}: PKCS#8, EC P-256", path.display())),
            );
        }
        check_fingerprint(checks, lock, CredentialKey::AppleAuthKey, &path, true);
    } else if !entry.apple_push_cert_private.is_empty() {
        let path = local_credential(dir, &entry.apple_push_cert_private);
        check_certificate(checks, entry, &ios.bundle_id, &path);
        check_fingerprint(checks, lock, CredentialKey::AppleCert, &path, true);
    } else {
        checks.add(
            "apple credentials",
            false,
            "neither AppleAuthKeyFile nor ApplePushCertPrivate is set",
        );
    }
}

fn check_android(
    dir: &Path,
    lock: &Lock,
    config: &proxy_config::ConfigPushProxy,
    android: &android::AndroidFacts,
    checks: &mut Checks,
) {
    let gs_path = dir.join("app").join(android::GOOGLE_SERVICES);
    // A client config shipped inside the app: its mode does not matter.
    check_fingerprint(checks, lock, CredentialKey::GoogleServices, &gs_path, false);
    let Some(entry) = config
        .android_push_settings
        .iter()
        .find(|a| a.kind == proxy_config::ANDROID_TYPE)
    else {
        if lock
            .credentials
            .contains_key(CredentialKey::FirebaseServiceAccount.name())
        {
            checks.add(
                "android entry Type",
                false,
                "the app registers android_rn-v2 tokens but the proxy has no android_rn entry",
            );
        }
        return;
    };
    checks.add("android entry Type", true, proxy_config::ANDROID_TYPE);
    let path = local_credential(dir, &entry.service_file_location);
    if let Ok(bytes) = std::fs::read(&path) {
        match credentials::parse_service_account(&bytes, &path.display().to_string()) {
            Ok(sa) => {
                checks.pair(
                    "Firebase project_id (app = proxy)",
                    &android.firebase_project_id,
                    &sa.project_id,
                );
            }
            Err(e) => {
                checks.add("service account is valid", false, format!("{e:#}"));
            }
        }
    }
    check_fingerprint(
        checks,
        lock,
        CredentialKey::FirebaseServiceAccount,
        &path,
        true,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example's lock lists every always-edited file; dropping one fails exactly the
    /// check that looks for them, naming the file.
    #[test]
    fn a_lock_missing_an_edited_file_fails_the_locked_edits_check() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let (brand, inputs) = crate::inputs::load(
            &root.join("fixtures/brands/acme/brand.toml"),
            Default::default(),
        )
        .unwrap_or_else(|e| panic!("{e:#}"));
        let args = crate::source::Spec {
            source: Some(
                root.join("fixtures/mattermost-mobile")
                    .display()
                    .to_string(),
            ),
            git_ref: None,
            object_store: None,
        };
        let out = tempfile::tempdir().unwrap();
        let mut lock = crate::apply::build(&brand, &inputs, &args, "./config", out.path())
            .unwrap_or_else(|e| panic!("{e:#}"))
            .lock;
        let mut checks = Checks::default();
        check_locked_edits(&lock, &mut checks);
        assert!(checks.list.iter().all(|c| c.ok), "{:?}", checks.list);

        lock.files.remove("app/ios/NotificationService/Info.plist");
        let mut checks = Checks::default();
        check_locked_edits(&lock, &mut checks);
        let failed: Vec<&Check> = checks.list.iter().filter(|c| !c.ok).collect();
        assert_eq!(failed.len(), 1, "{:?}", checks.list);
        assert_eq!(failed[0].check, "lock lists the edited upstream files");
        assert_eq!(
            failed[0].detail,
            "not listed: ios/NotificationService/Info.plist"
        );
    }
}
