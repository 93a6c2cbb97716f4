//! `[deep_links]`: the files a domain serves under `/.well-known/` so iOS (Universal Links)
//! and Android (App Links) open its links in the branded app, plus a README saying where they
//! go and how to check them. The app's side (the associated-domains entitlement and the
//! verified intent filter) is written by `native::ios` and `native::android`.
//!
//! Which links: the app's link parser (`app/utils/deep_link/index.ts`, v2.40.0 to v2.42.3)
//! recognises `<server>/<team>/channels/<name>`, `<server>/<team>/messages/@user` (or a group
//! channel), `<server>/<team>/pl/<post id>`, Playbooks runs and magic-link logins. The first
//! three are claimed; Playbooks links mostly end in "use the web app" alerts and a one-time
//! login link must keep working in the browser, so those stay with the browser.
use std::path::Path;

use anyhow::{bail, Context, Result};
use serde::Serialize;
use sha2::{Digest, Sha256};
use x509_cert::der::Decode;

use super::Sink;
use crate::brand::{Brand, CredentialKey, DeepLinksSection, SecretRef};

pub const DIR: &str = "well-known";
pub const AASA: &str = "apple-app-site-association";
pub const ASSETLINKS: &str = "assetlinks.json";
const README: &str = include_str!("../../templates/well-known-README.md.tera");

/// The link kinds the app handles, by the path segment after the team name.
pub const LINK_SEGMENTS: [&str; 3] = ["pl", "channels", "messages"];

/// `apple-app-site-association` paths: `*` matches any characters, `/` included, so a
/// server under a sub-path matches too.
pub fn aasa_paths() -> Vec<String> {
    LINK_SEGMENTS.iter().map(|s| format!("**/{s}/*")).collect()
}

/// Android `pathPattern`s. The team name comes before the segment, so a `pathPrefix` of
/// `/pl/` would never match. Android's pattern matcher does not backtrack: `.*` stops at the
/// first occurrence of the character after it, hence the leading `/.*/` (one path segment,
/// the team) rather than `.*/`, which would stop at the path's first `/`.
pub fn android_path_patterns() -> Vec<String> {
    LINK_SEGMENTS
        .iter()
        .map(|s| format!("/.*/{s}/.*"))
        .collect()
}

/// `[deep_links]` as applied: domains and upper-case fingerprints (given and computed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeepLinks {
    pub domains: Vec<String>,
    pub fingerprints: Vec<String>,
}

/// Normalises the given fingerprints and adds the one of `android_cert`. The section was
/// validated (domains, fingerprint syntax, at least one certificate) before.
pub fn prepare(
    section: &DeepLinksSection,
    cert: Option<&SecretRef>,
    brand_dir: &Path,
) -> Result<DeepLinks> {
    let mut fingerprints: Vec<String> = section
        .android_cert_sha256
        .iter()
        .map(|f| f.to_ascii_uppercase())
        .collect();
    if let Some(reference) = cert {
        let key = CredentialKey::DeepLinksCert.name();
        let bytes = reference.read(brand_dir, key)?;
        let shown = format!("{key} ({})", reference.describe(brand_dir));
        fingerprints.push(cert_sha256(&bytes, &shown)?);
    }
    let mut unique = Vec::new();
    for f in fingerprints {
        if !unique.contains(&f) {
            unique.push(f);
        }
    }
    Ok(DeepLinks {
        domains: section.domains.clone(),
        fingerprints: unique,
    })
}

/// The SHA-256 of an X.509 certificate's DER encoding, as `AB:CD:…` — what `keytool -list -v`
/// prints and Digital Asset Links compares. Accepts PEM (`keytool -exportcert -rfc`) or DER
/// (`keytool -exportcert`, or the Play Console's `deployment_cert.der`).
pub fn cert_sha256(bytes: &[u8], shown: &str) -> Result<String> {
    if crate::key_material::contains_key_material(bytes) {
        bail!("{shown}: holds a private key; give the certificate only, e.g. `keytool -exportcert -rfc -keystore upload.jks -alias upload -file upload-cert.pem`");
    }
    let der = if bytes.starts_with(b"-----BEGIN")
        || String::from_utf8_lossy(bytes).contains("-----BEGIN")
    {
        let blocks =
            pem::parse_many(bytes).with_context(|| format!("{shown}: not a valid PEM file"))?;
        let certs: Vec<&pem::Pem> = blocks.iter().filter(|b| b.tag() == "CERTIFICATE").collect();
        match certs[..] {
            [one] => one.contents().to_vec(),
            [] => bail!("{shown}: no CERTIFICATE block; export the signing certificate with `keytool -exportcert -rfc`"),
            _ => bail!("{shown}: {} certificates; give the one the app is signed with (list more in deep_links.android_cert_sha256)", certs.len()),
        }
    } else {
        bytes.to_vec()
    };
    x509_cert::Certificate::from_der(&der)
        .with_context(|| format!("{shown}: not an X.509 certificate (PEM or DER)"))?;
    Ok(colon_hex(&Sha256::digest(&der)))
}

fn colon_hex(bytes: &[u8]) -> String {
    crate::format::hex::colon_upper(bytes)
}

#[derive(Serialize)]
struct SiteAssociation {
    applinks: AppLinks,
}

#[derive(Serialize)]
struct AppLinks {
    apps: Vec<String>,
    details: Vec<AppLinksDetail>,
}

#[derive(Serialize)]
struct AppLinksDetail {
    #[serde(rename = "appID")]
    app_id: String,
    paths: Vec<String>,
}

#[derive(Serialize)]
struct Statement {
    relation: Vec<&'static str>,
    target: Target,
}

#[derive(Serialize)]
struct Target {
    namespace: &'static str,
    package_name: String,
    sha256_cert_fingerprints: Vec<String>,
}

/// `<team id>.<bundle id>`: the App ID iOS matches against the site's association file.
pub fn app_id(brand: &Brand) -> String {
    format!("{}.{}", brand.ios.team_id, brand.ios.bundle_id)
}

fn pretty(value: &impl Serialize) -> Result<Vec<u8>> {
    let mut out = serde_json::to_vec_pretty(value).context("cannot serialise a well-known file")?;
    out.push(b'\n');
    Ok(out)
}

/// Writes `DIR/well-known/` when the brand has `[deep_links]`.
pub fn write(sink: &mut dyn Sink, brand: &Brand, links: Option<&DeepLinks>) -> Result<()> {
    let Some(links) = links else {
        return Ok(());
    };
    let dir = Path::new(DIR);
    let aasa = SiteAssociation {
        applinks: AppLinks {
            apps: Vec::new(),
            details: vec![AppLinksDetail {
                app_id: app_id(brand),
                paths: aasa_paths(),
            }],
        },
    };
    sink.write(&dir.join(AASA), pretty(&aasa)?.as_ref())?;
    let statements = vec![Statement {
        relation: vec!["delegate_permission/common.handle_all_urls"],
        target: Target {
            namespace: "android_app",
            package_name: brand.android.package.clone(),
            sha256_cert_fingerprints: links.fingerprints.clone(),
        },
    }];
    sink.write(&dir.join(ASSETLINKS), pretty(&statements)?.as_ref())?;
    let mut ctx = tera::Context::new();
    ctx.insert("display_name", &brand.display_name);
    ctx.insert("domains", &links.domains);
    ctx.insert("app_id", &app_id(brand));
    ctx.insert("package", &brand.android.package);
    ctx.insert("fingerprints", &links.fingerprints);
    ctx.insert("aasa_paths", &aasa_paths());
    ctx.insert("android_patterns", &android_path_patterns());
    ctx.insert("segments", &LINK_SEGMENTS);
    sink.write(
        &dir.join("README.md"),
        super::render("well-known-README.md", README, &ctx)?.as_ref(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Android's PatternMatcher.matchGlobPattern (PATTERN_SIMPLE_GLOB), transcribed: `.*`
    /// consumes up to the first occurrence of the next pattern character, without backtracking.
    fn android_glob(pattern: &str, path: &str) -> bool {
        let (p, m): (Vec<char>, Vec<char>) = (pattern.chars().collect(), path.chars().collect());
        let (np, nm) = (p.len(), m.len());
        if np == 0 {
            return nm == 0;
        }
        let (mut ip, mut im) = (0, 0);
        let mut next = p[0];
        while ip < np && im < nm {
            let mut c = next;
            ip += 1;
            next = if ip < np { p[ip] } else { '\0' };
            let escaped = c == '\\';
            if escaped {
                c = next;
                ip += 1;
                next = if ip < np { p[ip] } else { '\0' };
            }
            if next == '*' {
                if !escaped && c == '.' {
                    if ip >= np - 1 {
                        return true;
                    }
                    ip += 1;
                    next = p[ip];
                    if next == '\\' {
                        ip += 1;
                        next = if ip < np { p[ip] } else { '\0' };
                    }
                    while im < nm && m[im] != next {
                        im += 1;
                    }
                    if im == nm {
                        return false;
                    }
                    ip += 1;
                    next = if ip < np { p[ip] } else { '\0' };
                    im += 1;
                } else {
                    while im < nm && m[im] == c {
                        im += 1;
                    }
                    ip += 1;
                    next = if ip < np { p[ip] } else { '\0' };
                }
            } else {
                if c != '.' && m[im] != c {
                    return false;
                }
                im += 1;
            }
        }
        if ip >= np && im >= nm {
            return true;
        }
        ip + 2 == np && p[ip] == '.' && p[ip + 1] == '*'
    }

    #[test]
    fn android_patterns_match_the_links_the_app_parses() {
        let [pl, channels, messages] = [0, 1, 2].map(|i| android_path_patterns()[i].clone());
        assert!(android_glob(&pl, "/acme/pl/8xk3qwe5ujf1tmnnkx7zfyzu5a"));
        assert!(android_glob(&channels, "/acme/channels/town-square"));
        assert!(android_glob(&messages, "/acme/messages/@alice"));
        assert!(!android_glob(&pl, "/acme/channels/town-square"));
        assert!(!android_glob(&pl, "/login"));
        // What a pathPrefix would have needed, and the pattern that does not work.
        assert!(!"/acme/pl/x".starts_with("/pl/"));
        assert!(!android_glob(".*/pl/.*", "/acme/pl/x"));
    }

    #[test]
    fn fingerprints_are_upper_case_colon_hex() {
        assert_eq!(colon_hex(&[0x0a, 0xff, 0x10]), "0A:FF:10");
    }
}
