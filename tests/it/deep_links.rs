//! `[deep_links]`: the well-known files (parsed as JSON), the associated-domains entitlement
//! (plist) and the App Links intent filter (XML) read back from the branded tree, the
//! certificate fingerprints, and the brand mistakes that exit 1.

use std::fs;
use std::path::Path;

use crate::common::*;
use sha2::{Digest, Sha256};

const FINGERPRINT: &str =
    "14:6D:E9:83:C5:73:06:50:D8:EE:B9:95:2F:34:FC:64:16:A0:83:42:E6:1D:BE:A8:8A:04:96:B2:3F:CF:44:E5";
const DOMAINS_LINE: &str = "domains = [\"chat.acme.example\"]";

fn verify(out: &Path) -> Run {
    mmbrand(["verify".as_ref(), out.as_os_str()])
}

/// The `<intent-filter android:autoVerify="true">` elements of `.MainActivity`.
fn app_link_filters(manifest: &XmlNode) -> Vec<XmlNode> {
    let activities: Vec<&XmlNode> = manifest
        .descendants("activity")
        .into_iter()
        .filter(|a| a.attr("android:name") == Some(".MainActivity"))
        .collect();
    assert_eq!(activities.len(), 1);
    activities[0]
        .all("intent-filter")
        .into_iter()
        .filter(|f| f.attr("android:autoVerify") == Some("true"))
        .cloned()
        .collect()
}

/// (scheme, host, pathPattern) of each `<data>` of a filter.
fn data_of(filter: &XmlNode) -> Vec<(String, String, String)> {
    filter
        .all("data")
        .iter()
        .map(|d| {
            let get = |a: &str| d.attr(a).unwrap_or_default().to_string();
            (
                get("android:scheme"),
                get("android:host"),
                get("android:pathPattern"),
            )
        })
        .collect()
}

fn expected_data(domains: &[&str]) -> Vec<(String, String, String)> {
    domains
        .iter()
        .flat_map(|d| {
            ["pl", "channels", "messages"]
                .map(|s| ("https".to_string(), d.to_string(), format!("/.*/{s}/.*")))
        })
        .collect()
}

fn associated_domains(brand: &TempBrand) -> Option<Vec<String>> {
    let ent = plist_dict(&brand.app("ios/Mattermost/Mattermost.entitlements"));
    ent.get("com.apple.developer.associated-domains").map(|v| {
        v.as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_string().unwrap().to_string())
            .collect()
    })
}

/// Checks every output for the example brand's single domain.
fn assert_deep_links(brand: &TempBrand) {
    let aasa = read_json(&brand.out.join("well-known/apple-app-site-association"));
    assert_eq!(
        aasa,
        serde_json::json!({"applinks": {"apps": [], "details": [{
            "appID": "AB12CD34EF.com.acme.chat",
            "paths": ["**/pl/*", "**/channels/*", "**/messages/*"]
        }]}})
    );
    let links = read_json(&brand.out.join("well-known/assetlinks.json"));
    assert_eq!(
        links,
        serde_json::json!([{
            "relation": ["delegate_permission/common.handle_all_urls"],
            "target": {
                "namespace": "android_app",
                "package_name": "com.acme.chat",
                "sha256_cert_fingerprints": [FINGERPRINT]
            }
        }])
    );
    let readme = fs::read_to_string(brand.out.join("well-known/README.md")).unwrap();
    for line in [
        "curl -sI https://chat.acme.example/.well-known/apple-app-site-association",
        "curl -s https://chat.acme.example/.well-known/assetlinks.json",
        "Content-Type: application/json",
        "no redirect",
        "`applinks:chat.acme.example`",
    ] {
        assert!(readme.contains(line), "README lacks {line:?}:\n{readme}");
    }
    assert_eq!(
        associated_domains(brand),
        Some(vec!["applinks:chat.acme.example".to_string()])
    );
    let manifest = xml_tree(&brand.app("android/app/src/main/AndroidManifest.xml"));
    let filters = app_link_filters(&manifest);
    assert_eq!(filters.len(), 1);
    let filter = &filters[0];
    assert_eq!(
        filter.one("action").attr("android:name"),
        Some("android.intent.action.VIEW")
    );
    let categories: Vec<&str> = filter
        .all("category")
        .iter()
        .filter_map(|c| c.attr("android:name"))
        .collect();
    assert_eq!(
        categories,
        [
            "android.intent.category.DEFAULT",
            "android.intent.category.BROWSABLE"
        ]
    );
    assert_eq!(data_of(filter), expected_data(&["chat.acme.example"]));
}

#[test]
fn example_brand_gets_well_known_files_entitlement_and_app_links() {
    let brand = TempBrand::acme();
    brand.apply(&[]).expect(0);
    assert_deep_links(&brand);
    // The App Links filter comes after the URL-scheme filters, which are unchanged.
    let manifest = xml_tree(&brand.app("android/app/src/main/AndroidManifest.xml"));
    let main = manifest
        .descendants("activity")
        .into_iter()
        .find(|a| a.attr("android:name") == Some(".MainActivity"))
        .unwrap()
        .clone();
    let filters = main.all("intent-filter");
    assert_eq!(filters.len(), 4);
    assert_eq!(filters[3].attr("android:autoVerify"), Some("true"));
    let lock = read_json(&brand.out.join("mmbrand.lock.json"));
    for file in [
        "well-known/apple-app-site-association",
        "well-known/assetlinks.json",
        "well-known/README.md",
    ] {
        assert!(lock["files"][file].is_string(), "{file} not in the lock");
    }
    verify(&brand.out).expect(0);
}

#[test]
fn deep_links_on_the_real_upstream_files() {
    let Some(real) = upstream_mobile() else {
        return;
    };
    let brand = TempBrand::acme();
    let source = brand.real_upstream(&real);
    brand.apply(&["--source", &source]).expect(0);
    assert_deep_links(&brand);
    // Only the filter was added to the real manifest: every other line is upstream's.
    let before = fs::read_to_string(real.join("android/app/src/main/AndroidManifest.xml")).unwrap();
    let after = fs::read_to_string(brand.app("android/app/src/main/AndroidManifest.xml")).unwrap();
    let diff = similar::TextDiff::from_lines(&before, &after);
    let added: Vec<String> = diff
        .iter_all_changes()
        .filter(|c| c.tag() == similar::ChangeTag::Insert)
        .map(|c| c.value().trim().to_string())
        .filter(|l| !l.contains("android:scheme=\"acme") && !l.contains("package=\"com.acme"))
        .collect();
    let mut added = added;
    added.sort();
    let mut expected: Vec<String> = [
        "<intent-filter android:autoVerify=\"true\">",
        "<action android:name=\"android.intent.action.VIEW\" />",
        "<category android:name=\"android.intent.category.DEFAULT\" />",
        "<category android:name=\"android.intent.category.BROWSABLE\" />",
        "</intent-filter>",
    ]
    .into_iter()
    .map(String::from)
    .chain(["pl", "channels", "messages"].map(|s| {
        format!("<data android:scheme=\"https\" android:host=\"chat.acme.example\" android:pathPattern=\"/.*/{s}/.*\" />")
    }))
    .collect();
    expected.sort();
    assert_eq!(added, expected);
    verify(&brand.out).expect(0);
}

#[test]
fn several_domains_and_a_lower_case_fingerprint() {
    let brand = TempBrand::acme();
    brand.edit(
        DOMAINS_LINE,
        "domains = [\"chat.acme.example\", \"acme.example\"]",
    );
    brand.edit(FINGERPRINT, &FINGERPRINT.to_lowercase());
    brand.apply(&[]).expect(0);
    assert_eq!(
        associated_domains(&brand),
        Some(vec![
            "applinks:chat.acme.example".to_string(),
            "applinks:acme.example".to_string()
        ])
    );
    let manifest = xml_tree(&brand.app("android/app/src/main/AndroidManifest.xml"));
    let filters = app_link_filters(&manifest);
    assert_eq!(
        data_of(&filters[0]),
        expected_data(&["chat.acme.example", "acme.example"])
    );
    let links = read_json(&brand.out.join("well-known/assetlinks.json"));
    assert_eq!(
        links[0]["target"]["sha256_cert_fingerprints"],
        serde_json::json!([FINGERPRINT])
    );
    let readme = fs::read_to_string(brand.out.join("well-known/README.md")).unwrap();
    assert!(readme.contains("curl -s https://acme.example/.well-known/assetlinks.json"));
}

/// A self-signed certificate like `keytool -exportcert` gives, as (PEM, DER).
fn signing_cert() -> (String, Vec<u8>) {
    let pem_text = apns_cert_pem("com.acme.chat", 365);
    let blocks = pem::parse_many(pem_text.as_bytes()).unwrap();
    let cert = blocks.iter().find(|b| b.tag() == "CERTIFICATE").unwrap();
    (pem::encode(cert), cert.contents().to_vec())
}

fn colon_sha256(der: &[u8]) -> String {
    Sha256::digest(der)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

#[test]
fn fingerprint_computed_from_a_certificate_file() {
    let (pem_text, der) = signing_cert();
    let expected = colon_sha256(&der);
    for (name, bytes) in [
        ("upload-cert.pem", pem_text.as_bytes().to_vec()),
        ("upload-cert.der", der.clone()),
    ] {
        let brand = TempBrand::acme();
        write(&brand.dir.join("secrets").join(name), &bytes);
        brand.edit(
            &format!("android_cert_sha256 = [\"{FINGERPRINT}\"]"),
            &format!("android_cert = \"file:secrets/{name}\""),
        );
        brand.apply(&[]).expect(0);
        let links = read_json(&brand.out.join("well-known/assetlinks.json"));
        assert_eq!(
            links[0]["target"]["sha256_cert_fingerprints"],
            serde_json::json!([expected]),
            "{name}"
        );
    }
    // Both keys: the listed fingerprint and the certificate's, each once.
    let brand = TempBrand::acme();
    write(&brand.dir.join("secrets/upload-cert.pem"), &pem_text);
    brand.edit(
        DOMAINS_LINE,
        &format!("{DOMAINS_LINE}\nandroid_cert = \"file:secrets/upload-cert.pem\""),
    );
    brand.apply(&[]).expect(0);
    let links = read_json(&brand.out.join("well-known/assetlinks.json"));
    assert_eq!(
        links[0]["target"]["sha256_cert_fingerprints"],
        serde_json::json!([FINGERPRINT, expected])
    );
}

#[test]
fn without_deep_links_nothing_is_claimed() {
    let brand = TempBrand::acme();
    brand.remove_section("deep_links");
    brand.apply(&[]).expect(0);
    assert!(!brand.out.join("well-known").exists());
    assert_eq!(associated_domains(&brand), None);
    let manifest = xml_tree(&brand.app("android/app/src/main/AndroidManifest.xml"));
    assert!(app_link_filters(&manifest).is_empty());
    verify(&brand.out).expect(0);
}

#[test]
fn malformed_fingerprints_are_refused_naming_the_key() {
    for (bad, why) in [
        ("14:6D:E9", "32 hex bytes separated by ':'"),
        (
            "14:6D:E9:83:C5:73:06:50:D8:EE:B9:95:2F:34:FC:64:16:A0:83:42",
            "SHA-1 fingerprint",
        ),
        (&FINGERPRINT.replace(':', ""), "32 hex bytes"),
        (&FINGERPRINT.replacen("14", "XY", 1), "32 hex bytes"),
    ] {
        let brand = TempBrand::acme();
        brand.edit(FINGERPRINT, bad);
        fails(&brand, &[])
            .stderr_has("brand.toml: deep_links.android_cert_sha256:")
            .stderr_has(why);
    }
}

#[test]
fn domains_with_a_scheme_port_or_path_are_refused_naming_the_key() {
    for (bad, why) in [
        (
            "https://chat.acme.example",
            "has a scheme (https://): give the host name only (\"chat.acme.example\")",
        ),
        (
            "chat.acme.example:8065",
            "has a port (:8065): give the host name only (\"chat.acme.example\")",
        ),
        (
            "chat.acme.example/mattermost",
            "has a path (/mattermost): give the host name only (\"chat.acme.example\")",
        ),
        ("Chat.Acme.Example", "must be lower case"),
    ] {
        let brand = TempBrand::acme();
        brand.edit(DOMAINS_LINE, &format!("domains = [\"{bad}\"]"));
        fails(&brand, &[]).stderr_has(&format!("brand.toml: deep_links.domains: \"{bad}\" {why}"));
    }
}

#[test]
fn domains_without_a_certificate_are_refused() {
    let brand = TempBrand::acme();
    brand.edit(&format!("android_cert_sha256 = [\"{FINGERPRINT}\"]"), "");
    fails(&brand, &[])
        .stderr_has("brand.toml: deep_links: Android App Links cannot be verified without the SHA-256 fingerprint")
        .stderr_has("android_cert = \"file:");
    let brand = TempBrand::acme();
    brand.edit(DOMAINS_LINE, "domains = []");
    fails(&brand, &[]).stderr_has("deep_links.domains: is empty");
}

#[test]
fn certificate_files_that_are_not_one_certificate_are_refused() {
    let (pem_text, _) = signing_cert();
    for (content, why) in [
        (apns_cert_pem("com.acme.chat", 365), "holds a private key"),
        (format!("{pem_text}{pem_text}"), "2 certificates"),
        ("not a certificate".to_string(), "not an X.509 certificate"),
    ] {
        let brand = TempBrand::acme();
        write(&brand.dir.join("secrets/cert.pem"), &content);
        brand.edit(
            DOMAINS_LINE,
            &format!("{DOMAINS_LINE}\nandroid_cert = \"file:secrets/cert.pem\""),
        );
        fails(&brand, &[])
            .stderr_has("deep_links.android_cert (")
            .stderr_has(why);
    }
}

#[test]
fn plan_lists_the_well_known_files_and_the_app_edits() {
    let brand = TempBrand::acme();
    let run = mmbrand(["plan".as_ref(), brand.file().as_os_str()]).expect(0);
    for line in [
        "generated well-known/apple-app-site-association",
        "generated well-known/assetlinks.json",
        "generated well-known/README.md",
        "modified  app/ios/Mattermost/Mattermost.entitlements",
        "modified  app/android/app/src/main/AndroidManifest.xml",
        "+\t<key>com.apple.developer.associated-domains</key>",
        "+        <intent-filter android:autoVerify=\"true\">",
    ] {
        assert!(
            run.stdout.contains(line),
            "plan lacks {line:?}:\n{}",
            run.stdout
        );
    }
    assert!(!brand.out.exists(), "plan writes nothing");
}

#[test]
fn verify_pairs_the_well_known_files_with_the_app() {
    let brand = TempBrand::acme();
    brand.apply(&[]).expect(0);
    let run = mmbrand(["verify".as_ref(), brand.out.as_os_str()]).expect(0);
    assert!(
        run.stdout
            .contains("apple-app-site-association appID = team.bundle id"),
        "{}",
        run.stdout
    );
    assert!(run
        .stdout
        .contains("assetlinks.json package = applicationId"));
    let links = brand.out.join("well-known/assetlinks.json");
    let text = std::fs::read_to_string(&links).unwrap();
    std::fs::write(
        &links,
        text.replace("\"com.acme.chat\"", "\"com.acme.other\""),
    )
    .unwrap();
    mmbrand(["verify".as_ref(), brand.out.as_os_str()])
        .expect(1)
        .stderr_has("assetlinks.json package = applicationId: file [\"com.acme.other\"], app \"com.acme.chat\"");
}
