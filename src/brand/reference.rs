//! Every brand-file key in one place: type, default, what it checks and what it writes. It
//! generates the README's brand-file reference, the commented `brand.toml` of `mmbrand init`,
//! and the "missing key" messages of the loader; a test fails when a key of the brand file's
//! types is missing here.

/// One key of the brand file.
pub struct Key {
    /// Dotted path: `ios.bundle_id`; top-level keys have no dot.
    pub path: &'static str,
    /// TOML type, as the user writes it.
    pub kind: &'static str,
    /// Required whenever its section is present (the sections of `REQUIRED_SECTIONS` always
    /// are).
    pub required: bool,
    /// What is used when the key is absent.
    pub default: &'static str,
    /// A TOML value, as written in `init`'s template.
    pub example: &'static str,
    /// What it means and what is checked.
    pub doc: &'static str,
    /// What it changes.
    pub writes: &'static str,
}

/// Sections every brand file has.
pub const REQUIRED_SECTIONS: &[&str] = &["server", "ios", "android", "schemes"];

const fn key(
    path: &'static str,
    kind: &'static str,
    required: bool,
    default: &'static str,
    example: &'static str,
    doc: &'static str,
    writes: &'static str,
) -> Key {
    Key {
        path,
        kind,
        required,
        default,
        example,
        doc,
        writes,
    }
}

const REF: &str = "`file:PATH` or `env:VAR`";

pub const KEYS: &[Key] = &[
    key("name", "string", true, "", "\"acme\"", "The brand's slug: lower-case letters, digits and `-`; names the branch, env files and folders.", "branch `brand/<name>`, `fastlane/.env.<name>*`"),
    key("display_name", "string", true, "", "\"Acme Chat\"", "The app name on the home screen; no `'`, `\"` or `\\` (upstream's lanes write it unescaped), at most one `%` (aapt2).", "Info.plists, strings.xml, .strings, title.txt, APP_NAME"),
    key("app_version", "string", false, "upstream's", "\"2.42.3\"", "Marketing version X.Y.Z; `--app-version` wins.", "package.json, package-lock.json, build.gradle, Info.plists, pbxproj"),
    key("build_number", "integer", false, "upstream's", "812", "Build number 1..2100000000 (Android's largest versionCode); `--build-number` wins.", "build.gradle versionCode, Info.plists, pbxproj"),
    key("source.repo", "string", false, "`--source`", "\"https://github.com/mattermost/mattermost-mobile\"", "Upstream: a git URL, a local git repository or a plain directory; relative paths are relative to the brand file. `--source` wins.", "DIR/app"),
    key("source.ref", "string", false, "the default branch", "\"v2.42.3\"", "Tag, branch or commit; the resolved commit goes in the lock. `--ref` wins.", "DIR/app, lock"),
    key("source.fork", "string", false, "", "\"ssh://git@git.acme.example/mobile/acme-mobile.git\"", "Where `--push` pushes the brand branch.", "the fork's branch"),
    key("source.branch", "string", false, "`brand/<name>`", "\"brand/acme\"", "The branch created on the checked-out ref.", "DIR/app's branch"),
    key("server.url", "string", true, "", "\"https://chat.acme.example\"", "The default server; https only, no query or fragment; written normalised (lower-case host, no trailing `/`).", "config.json DefaultServerUrl"),
    key("server.name", "string", false, "", "\"Acme Chat\"", "The default server's name; with auto_select the app connects without asking.", "config.json DefaultServerName"),
    key("server.auto_select", "bool", false, "false", "true", "Connect to the default server on first start (needs server.name).", "config.json AutoSelectServerUrl"),
    key("server.keep_default_url_schemes", "bool", false, "true", "true", "Keep `mmauth://` and `mmauthbeta://` next to the brand's SSO scheme on the server.", "server/config-patch.json"),
    key("server.app_download_link", "string", false, "", "\"https://acme.example/apps\"", "https URL the server shows for downloading the apps.", "server/config-patch.json NativeAppSettings"),
    key("server.android_app_download_link", "string", false, "", "\"https://play.google.com/store/apps/details?id=com.acme.chat\"", "https URL of the Android app.", "server/config-patch.json NativeAppSettings"),
    key("server.ios_app_download_link", "string", false, "", "\"https://apps.apple.com/app/id0000000000\"", "https URL of the iOS app.", "server/config-patch.json NativeAppSettings"),
    key("config", "table", false, "", "ShowOnboarding = true", "Any other key of upstream's assets/base/config.json; unknown keys and other JSON types are errors.", "config.json"),
    key("assets.override", "string", false, "no overrides", "\"override\"", "The brand's assets/override tree, relative to the brand file: JSON deep-merged, other files replaced, images of the base size.", "dist/assets, assets/override, native icons and splash screens"),
    key("ios.bundle_id", "string", true, "", "\"com.acme.chat\"", "The app's bundle id: letters, digits, `-` and `.`, reverse-DNS.", "pbxproj, Info.plists, entitlements, push topic"),
    key("ios.team_id", "string", true, "", "\"AB12CD34EF\"", "Apple developer team: 10 upper-case letters or digits.", "pbxproj DEVELOPMENT_TEAM, FASTLANE_TEAM_ID, AppleTeamID"),
    key("ios.aps_environment", "string", false, "\"production\"", "\"production\"", "`production` or `development`; must match the proxy's ApplePushUseDevelopment.", "entitlements, proxy config"),
    key("ios.share_extension_id", "string", false, "`<bundle_id>.MattermostShare`", "\"com.acme.chat.MattermostShare\"", "Must start with `<bundle_id>.`; without `MattermostShare` upstream's signing step picks the wrong target (warning).", "pbxproj, share Info.plist, env"),
    key("ios.notification_service_id", "string", false, "`<bundle_id>.NotificationService`", "\"com.acme.chat.NotificationService\"", "Must start with `<bundle_id>.`; should contain `NotificationService`.", "pbxproj, notification Info.plist, env"),
    key("ios.app_group", "string", false, "`group.<bundle_id>`", "\"group.com.acme.chat\"", "App group shared by the app and its extensions.", "Info.plists, entitlements, env"),
    key("ios.icloud_container", "string", false, "`iCloud.<bundle_id>`", "\"iCloud.com.acme.chat\"", "iCloud container.", "main entitlements, env"),
    key("ios.export_method", "string", false, "\"app-store\"", "\"app-store\"", "gym's export method: app-store, enterprise, ad-hoc, development.", "IOS_BUILD_EXPORT_METHOD"),
    key("ios.match_type", "string", false, "from export_method", "\"appstore\"", "match's profile type: appstore, enterprise, adhoc, development.", "MATCH_TYPE"),
    key("android.package", "string", true, "", "\"com.acme.chat\"", "applicationId: at least two segments, each a Java identifier, no Java or Kotlin keywords.", "build.gradle, manifest, sources, env"),
    key("android.google_services", "reference", true, "", "\"file:secrets/google-services.json\"", "The Firebase client config; must have a client for android.package.", "android/app/google-services.json"),
    key("schemes.app", "string", true, "", "\"acmechat\"", "Deep-link scheme (lower case, no `://`, none the system owns: http, https, mailto, …).", "Info.plist, manifest, app.json, APP_SCHEME"),
    key("schemes.auth", "string", true, "", "\"acmeauth\"", "SSO callback scheme; the server must list `<auth>://`.", "config.json AuthUrlScheme(Dev), Info.plist, manifest, server patch"),
    key("push.proxy_url", "string", true, "", "\"https://push.acme.example\"", "The push proxy the server sends to (http or https); no user name, password, query or fragment.", "server/config-patch.json"),
    key("push.contents", "string", false, "\"id_loaded\"", "\"id_loaded\"", "PushNotificationContents: generic_no_channel, generic, full, id_loaded.", "server/config-patch.json"),
    key("push.apple.auth_key", "reference", false, "", "\"file:secrets/AuthKey_KEY1234567.p8\"", "APNs token key (.p8): PKCS#8 EC P-256, as Apple issues it. Either this (+ key_id) or cert.", "push-proxy/AuthKey_<id>.p8 (0600)"),
    key("push.apple.key_id", "string", false, "", "\"KEY1234567\"", "The token key's id (10 characters); must match the file name AuthKey_<id>.p8.", "AppleAuthKeyID"),
    key("push.apple.cert", "reference", false, "", "\"file:secrets/apns.pem\"", "APNs certificate and its key (PEM): subject UID = bundle id, not expired, key unencrypted or legacy-encrypted.", "push-proxy/<file> (0600), ApplePushCertPrivate"),
    key("push.apple.cert_password", "reference", false, "", "\"env:ACME_APNS_CERT_PASSWORD\"", "Password of a legacy-encrypted certificate key.", "ApplePushCertPassword (config then mode 0600)"),
    key("push.android.service_account", "reference", true, "", "\"file:secrets/fcm-service-account.json\"", "Firebase service-account key: RSA private key, client_email, project_id = google-services.json's.", "push-proxy/<file> (0600), ServiceFileLocation"),
    key("push.proxy", "table", false, "the proxy's sample values", "ListenAddress = \":8066\"", "Top-level proxy settings (ListenAddress, SendTimeoutSec, …), type-checked; values the proxy would replace are written as it uses them.", "push-proxy/mattermost-push-proxy.json"),
    key("push.network.https_proxy", "string", false, "", "\"http://proxy.corp.example:3128\"", "HTTPS proxy for FCM and OAuth traffic: scheme, host, port and at most a user name (`http://USER@host:3128`); a password in the URL is refused.", "docker-compose.yml, .service, ALLOWLIST.txt"),
    key("push.network.https_proxy_password", "reference", false, "", "\"env:ACME_PROXY_PASSWORD\"", "Password of https_proxy's user (needs the user in the URL); written only into the 0600 `proxy.env`, which compose reads with `env_file:` and the unit with `EnvironmentFile=`.", "push-proxy/proxy.env (0600) HTTPS_PROXY"),
    key("push.network.apns_relay", "string", false, "", "\"10.0.0.5\"", "IP (or host) of a relay standing in for the APNs host.", "compose extra_hosts, /etc/hosts line, ALLOWLIST.txt"),
    key("push.network.ca_bundle", "reference", false, "", "\"file:secrets/relay-ca.pem\"", "PEM CA of the relay or proxy, trusted through SSL_CERT_DIR.", "push-proxy/ca/relay-ca.pem"),
    key("deep_links.domains", "list of strings", false, "[]", "[\"chat.acme.example\"]", "Lower-case host names whose permalinks, channel and message links open the app; a scheme, port, path, wildcard or IP address is refused. Needs a fingerprint or certificate below.", "DIR/well-known/, main entitlements (applinks:), manifest App Links filter"),
    key("deep_links.android_cert_sha256", "list of strings", false, "[]", "[\"14:6D:E9:…\"]", "SHA-256 fingerprints of the Android signing certificates (`keytool -list -v`; with Play App Signing also the Play Console's): 32 hex bytes separated by `:`, written upper case.", "DIR/well-known/assetlinks.json"),
    key("deep_links.android_cert", "reference", false, "", "\"file:secrets/upload-cert.pem\"", "A signing certificate (PEM or DER, no private key); the SHA-256 of its DER is added to the fingerprints.", "DIR/well-known/assetlinks.json"),
    key("emm.in_app_pin_code", "bool", false, "", "true", "EMM default inAppPinCode: passcode or biometrics when the app opens.", "DIR/emm/, app_restrictions.xml"),
    key("emm.blur_application_screen", "bool", false, "", "true", "EMM default blurApplicationScreen.", "DIR/emm/, app_restrictions.xml"),
    key("emm.jailbreak_protection", "bool", false, "", "true", "EMM default jailbreakProtection.", "DIR/emm/, app_restrictions.xml"),
    key("emm.copy_and_paste_protection", "bool", false, "", "true", "EMM default copyAndPasteProtection.", "DIR/emm/, app_restrictions.xml"),
    key("emm.server_url", "string", false, "`server.url`", "\"https://chat.acme.example\"", "EMM default serverUrl; https only.", "DIR/emm/, app_restrictions.xml"),
    key("emm.server_name", "string", false, "`server.name`", "\"Acme Chat\"", "EMM default serverName.", "DIR/emm/, app_restrictions.xml"),
    key("emm.allow_other_servers", "bool", false, "", "false", "EMM default allowOtherServers (false: the app connects to serverUrl only).", "DIR/emm/, app_restrictions.xml"),
    key("emm.username", "string", false, "", "\"jdoe@acme.example\"", "EMM default username, filled in on the login screen.", "DIR/emm/, app_restrictions.xml"),
    key("emm.timeout", "integer", false, "", "30000", "EMM default timeout: request timeout in milliseconds (at least 1000).", "DIR/emm/, app_restrictions.xml"),
    key("emm.vendor", "string", false, "", "\"Acme IT\"", "EMM default vendor, shown when the app asks for a passcode.", "DIR/emm/, app_restrictions.xml"),
    key("emm.timeout_vpn", "integer", false, "", "60000", "EMM default timeoutVPN: resource timeout in milliseconds (at least 1000); iOS only (not in Android's schema).", "DIR/emm/"),
    key("emm.use_vpn", "bool", false, "", "true", "EMM default useVPN: wait for connectivity instead of failing; iOS only.", "DIR/emm/"),
    key("emm.in_app_session_auth", "bool", false, "", "false", "Refused: upstream declares inAppSessionAuth but the app never reads it.", "nothing"),
];

/// The key's section (`push.apple` for `push.apple.key_id`, "" for top-level keys).
pub fn section(path: &str) -> &str {
    path.rsplit_once('.').map_or("", |(s, _)| s)
}

fn leaf(path: &str) -> &str {
    path.rsplit_once('.').map_or(path, |(_, k)| k)
}

/// The README's reference table.
pub fn markdown() -> String {
    let mut out = String::from(
        "| key | type | default | what it is, what is checked | what it changes |\n|---|---|---|---|---|\n",
    );
    for k in KEYS {
        let default = if k.required {
            "required".to_string()
        } else if k.default.is_empty() {
            "—".to_string()
        } else {
            k.default.to_string()
        };
        let kind = if k.kind == "reference" { REF } else { k.kind };
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} |\n",
            k.path,
            kind,
            default,
            k.doc.replace('|', "\\|"),
            k.writes
        ));
    }
    out
}

/// `init`'s brand.toml: every key, commented, with its documentation; the required sections'
/// headers are live so filling in a key is uncommenting it.
pub fn brand_toml(name: &str) -> String {
    let mut out = format!(
        "# Brand file created by `mmbrand init`. Every key is listed, commented out; fill in the\n\
         # ones marked REQUIRED (`mmbrand plan {name}/brand.toml` lists what is still missing).\n\
         # Credentials are never written here: give them as \"file:PATH\" (relative to this file)\n\
         # or \"env:VAR\" (the variable holds the content itself, not a path).\n"
    );
    let mut current = None;
    for k in KEYS {
        if k.kind == "table" {
            // A table of its own: header and an example entry, both commented.
            current = Some(k.path);
            out.push_str(&format!("\n# [{}]\n# {}\n# {}\n", k.path, k.doc, k.example));
            continue;
        }
        let sec = section(k.path);
        if current != Some(sec) {
            current = Some(sec);
            if !sec.is_empty() {
                let live = REQUIRED_SECTIONS.contains(&sec);
                out.push_str(&format!("\n{}[{sec}]\n", if live { "" } else { "# " }));
            } else {
                out.push('\n');
            }
        }
        let mark = if k.required { "REQUIRED. " } else { "" };
        let default = if k.default.is_empty() || k.required {
            String::new()
        } else {
            format!(" Default: {}.", k.default)
        };
        out.push_str(&format!("# {mark}{}{default}\n", k.doc));
        out.push_str(&format!("# {} = {}\n", leaf(k.path), k.example));
    }
    out
}

/// Required keys absent from a parsed brand file, as "key: what it is" lines.
pub fn missing_required(table: &toml::Table) -> Vec<String> {
    KEYS.iter()
        .filter(|k| k.required)
        .filter(|k| {
            let sec = section(k.path);
            let holder = if sec.is_empty() {
                Some(table)
            } else {
                lookup(table, sec)
            };
            match holder {
                Some(t) => !t.contains_key(leaf(k.path)),
                // Absent section: only the always-required ones count.
                None => REQUIRED_SECTIONS.contains(&sec),
            }
        })
        .map(|k| {
            let under = match section(k.path) {
                "" => String::new(),
                sec => format!(" under [{sec}]"),
            };
            format!(
                "{} is required: {} (e.g. {} = {}{under})",
                k.path,
                k.doc,
                leaf(k.path),
                k.example
            )
        })
        .collect()
}

fn lookup<'a>(table: &'a toml::Table, dotted: &str) -> Option<&'a toml::Table> {
    dotted
        .split('.')
        .try_fold(table, |t, part| t.get(part)?.as_table())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::brand::*;
    use serde_aux::serde_introspection::serde_introspect;

    fn documented(section: &str) -> Vec<&'static str> {
        KEYS.iter()
            .filter(|k| super::section(k.path) == section)
            .map(|k| leaf(k.path))
            .collect()
    }

    /// The keys documented as `file:`/`env:` references are exactly the credential keys,
    /// in the same order.
    #[test]
    fn reference_keys_are_the_credential_keys() {
        let documented: Vec<&str> = KEYS
            .iter()
            .filter(|k| k.kind == "reference")
            .map(|k| k.path)
            .collect();
        let keys: Vec<&str> = CredentialKey::ALL.iter().map(|k| k.name()).collect();
        assert_eq!(documented, keys);
    }

    /// Fails when the brand file's types gain a key this reference does not describe.
    #[test]
    fn every_key_of_the_brand_file_is_documented() {
        let sections: Vec<(&str, &[&str])> = vec![
            ("source", serde_introspect::<SourceSection>()),
            ("server", serde_introspect::<ServerSection>()),
            ("assets", serde_introspect::<AssetsSection>()),
            ("ios", serde_introspect::<IosSection>()),
            ("android", serde_introspect::<AndroidSection>()),
            ("schemes", serde_introspect::<SchemesSection>()),
            ("push.apple", serde_introspect::<PushAppleSection>()),
            ("push.android", serde_introspect::<PushAndroidSection>()),
            ("push.network", serde_introspect::<PushNetworkSection>()),
            ("deep_links", serde_introspect::<DeepLinksSection>()),
            ("emm", serde_introspect::<EmmSection>()),
        ];
        let subtables = [
            "source",
            "server",
            "config",
            "assets",
            "ios",
            "android",
            "schemes",
            "push",
            "deep_links",
            "emm",
            "apple",
            "android",
            "proxy",
            "network",
        ];
        let mut missing = Vec::new();
        for field in serde_introspect::<BrandFile>() {
            if !subtables.contains(field) && !documented("").contains(field) {
                missing.push(field.to_string());
            }
        }
        for field in serde_introspect::<PushSection>() {
            let is_table = ["apple", "android", "proxy", "network"].contains(field);
            let path = format!("push.{field}");
            if !KEYS.iter().any(|k| k.path == path) && !is_table {
                missing.push(path);
            }
        }
        assert!(documented("push").contains(&"proxy"));
        for (section, fields) in sections {
            for field in fields {
                if !documented(section).contains(field) {
                    missing.push(format!("{section}.{field}"));
                }
            }
        }
        assert!(missing.is_empty(), "undocumented brand keys: {missing:?}");
    }

    #[test]
    fn init_template_parses_and_lists_every_key() {
        let text = brand_toml("b");
        let table: toml::Table = toml::from_str(&text).unwrap();
        for sec in REQUIRED_SECTIONS {
            assert!(table.contains_key(*sec));
        }
        for k in KEYS {
            let shown = match k.kind {
                "table" => format!("# [{}]\n", k.path),
                _ => format!("# {} = ", leaf(k.path)),
            };
            assert!(text.contains(&shown), "{}", k.path);
        }
        let missing = missing_required(&table);
        assert!(missing
            .iter()
            .any(|m| m.starts_with("ios.bundle_id is required")));
        assert!(
            !missing.iter().any(|m| m.starts_with("push.")),
            "{missing:?}"
        );
    }
}

#[cfg(test)]
mod readme {
    /// The README's reference section is exactly `markdown()`; with MMBRAND_BLESS=1 the test
    /// rewrites it instead.
    #[test]
    fn readme_reference_is_generated() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
        let text = std::fs::read_to_string(&path).unwrap();
        let (start, end) = ("<!-- reference:start -->\n", "<!-- reference:end -->");
        let a = text.find(start).expect("README has the reference markers") + start.len();
        let b = text.find(end).expect("README has the reference markers");
        let wanted = super::markdown();
        if std::env::var_os("MMBRAND_BLESS").is_some() {
            std::fs::write(&path, format!("{}{wanted}{}", &text[..a], &text[b..])).unwrap();
            return;
        }
        assert!(
            text[a..b] == wanted,
            "README.md's brand-file reference is out of date: run MMBRAND_BLESS=1 cargo test readme_reference"
        );
    }
}
