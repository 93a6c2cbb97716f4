//! `verify` breaks each check alone: the example brand is applied once, and for every row of
//! the table a copy of the output gets exactly one planted fault; `verify --json` must exit 1
//! and fail exactly the checks the row names, no more and no fewer. A check made to always
//! pass, or one that compares a value with itself, fails its row.
//!
//! Nearly every output file is in the lock, so a fault planted in a file also fails
//! "files unchanged since apply" ([`UNCHANGED`] in the rows); faults outside file contents
//! (a file mode, the lock's own records) fail their check alone.
//!
//! Checks no row can fail from outside, and why:
//! - "android.google_services file" (missing): android's facts read the same file first, so a
//!   missing google-services.json fails "app files readable" (row `google_services_missing`).
//! - "apple entry Type" when the proxy has no Apple entry *and* the lock records no Apple
//!   credential: then there is nothing to pair, and verify adds no check at all (by design).
use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use serde_json::Value;

use crate::common::*;

const UNCHANGED: &str = "files unchanged since apply";
const PROXY: &str = "push-proxy/mattermost-push-proxy.json";
const P8: &str = "push-proxy/AuthKey_KEY1234567.p8";
const SERVICE_ACCOUNT: &str = "push-proxy/fcm-service-account.json";
const GOOGLE_SERVICES: &str = "app/android/app/google-services.json";
const ENTITLEMENTS: &str = "app/ios/Mattermost/Mattermost.entitlements";
const PBXPROJ: &str = "app/ios/Mattermost.xcodeproj/project.pbxproj";
const LOCK: &str = "mmbrand.lock.json";

/// Every check verify runs on the example brand's output (token key), in its order: the
/// table must break each of them (see [`every_check_of_the_example_is_broken_by_a_row`]).
const EXAMPLE_CHECKS: [&str; 19] = [
    UNCHANGED,
    "lock lists the edited upstream files",
    "google-services has the app's package",
    "apple-app-site-association appID = team.bundle id",
    "assetlinks.json package = applicationId",
    "push proxy config is consistent",
    "apple entry Type",
    "ApplePushTopic = iOS bundle id",
    "ApplePushUseDevelopment = aps-environment",
    "AppleTeamID = Xcode DEVELOPMENT_TEAM",
    "AppleAuthKeyID = .p8 file name",
    "AppleAuthKeyFile is an ES256 key apns2 loads",
    "push.apple.auth_key fingerprint",
    "push.apple.auth_key mode",
    "android.google_services fingerprint",
    "android entry Type",
    "Firebase project_id (app = proxy)",
    "push.android.service_account fingerprint",
    "push.android.service_account mode",
];

/// One planted fault and the checks it must fail (all of them, exactly).
struct Fault {
    name: &'static str,
    plant: fn(&Path),
    fails: &'static [&'static str],
}

const fn row(name: &'static str, plant: fn(&Path), fails: &'static [&'static str]) -> Fault {
    Fault { name, plant, fails }
}

/// Faults in the example's output (APNs token key).
#[rustfmt::skip]
fn token_key_faults() -> Vec<Fault> {
    vec![
        row("unrelated_locked_file_edited", |d| append(&d.join("push-proxy/README.md"), "\nedited\n"), &[UNCHANGED]),
        // dist/ is compared by content with the override or base file it was merged from.
        row("dist_config_value_changed", |d| edit_json(&d.join("app/dist/assets/config.json"), |c| c["ShowOnboarding"] = false.into()), &[UNCHANGED]),
        row("info_plist_missing", |d| remove(&d.join("app/ios/Mattermost/Info.plist")), &["app files readable", UNCHANGED]),
        row("google_services_missing", |d| remove(&d.join(GOOGLE_SERVICES)), &["app files readable", UNCHANGED]),
        row("google_services_names_another_package", |d| replace(&d.join(GOOGLE_SERVICES), "\"package_name\": \"com.acme.chat\"", "\"package_name\": \"com.acme.other\""),
            &["google-services has the app's package", "android.google_services fingerprint", UNCHANGED]),
        row("aasa_app_id_changed", |d| replace(&d.join("well-known/apple-app-site-association"), "AB12CD34EF.com.acme.chat", "AB12CD34EF.com.acme.other"),
            &["apple-app-site-association appID = team.bundle id", UNCHANGED]),
        row("assetlinks_package_changed", |d| replace(&d.join("well-known/assetlinks.json"), "\"com.acme.chat\"", "\"com.acme.other\""),
            &["assetlinks.json package = applicationId", UNCHANGED]),
        row("application_id_changed", |d| replace(&d.join("app/android/app/build.gradle"), "applicationId \"com.acme.chat\"", "applicationId \"com.acme.other\""),
            &["google-services has the app's package", "assetlinks.json package = applicationId", UNCHANGED]),
        row("proxy_config_missing", |d| remove(&d.join(PROXY)), &["push proxy config", UNCHANGED]),
        row("proxy_config_undecodable", |d| write_keeping_mode(&d.join(PROXY), "{\"ListenAddress\": 1}"), &["push proxy config decodes", UNCHANGED]),
        row("proxy_retry_exceeds_send_timeout", |d| proxy(d, |c| c["RetryTimeoutSec"] = 99.into()),
            &["push proxy config is consistent", UNCHANGED]),
        row("proxy_apple_type_changed", |d| proxy(d, |c| c["ApplePushSettings"][0]["Type"] = "apple_rnbeta".into()),
            &["apple entry Type", UNCHANGED]),
        // Also without the lock's record of an Apple credential: the proxy's entry alone asks
        // for the pairing.
        row("proxy_apple_type_changed_no_apple_credential_locked", |d| {
                proxy(d, |c| c["ApplePushSettings"][0]["Type"] = "apple_rnbeta".into());
                lock(d, |l| { l["credentials"].as_object_mut().unwrap().remove("push.apple.auth_key"); });
            },
            &["apple entry Type", UNCHANGED]),
        row("proxy_apple_entry_removed", |d| proxy(d, |c| c["ApplePushSettings"] = Value::Array(vec![])),
            &["apple entry Type", UNCHANGED]),
        row("proxy_topic_changed", |d| proxy(d, |c| c["ApplePushSettings"][0]["ApplePushTopic"] = "com.acme.other".into()),
            &["ApplePushTopic = iOS bundle id", UNCHANGED]),
        // The app side: the entitlements' aps-environment, which the proxy must follow.
        row("app_aps_environment_changed", |d| replace(&d.join(ENTITLEMENTS), "<string>production</string>", "<string>development</string>"),
            &["ApplePushUseDevelopment = aps-environment", UNCHANGED]),
        row("proxy_use_development_changed", |d| proxy(d, |c| c["ApplePushSettings"][0]["ApplePushUseDevelopment"] = true.into()),
            &["ApplePushUseDevelopment = aps-environment", UNCHANGED]),
        row("proxy_team_id_changed", |d| proxy(d, |c| c["ApplePushSettings"][0]["AppleTeamID"] = "ZZ99ZZ99ZZ".into()),
            &["AppleTeamID = Xcode DEVELOPMENT_TEAM", UNCHANGED]),
        // The app side of the team: the AASA appID is built from it too.
        row("app_team_id_changed", |d| replace_all(&d.join(PBXPROJ), "DEVELOPMENT_TEAM = AB12CD34EF;", "DEVELOPMENT_TEAM = ZZ99ZZ99ZZ;"),
            &["AppleTeamID = Xcode DEVELOPMENT_TEAM", "apple-app-site-association appID = team.bundle id", UNCHANGED]),
        row("proxy_key_id_changed", |d| proxy(d, |c| c["ApplePushSettings"][0]["AppleAuthKeyID"] = "OTHER12345".into()),
            &["AppleAuthKeyID = .p8 file name", UNCHANGED]),
        row("proxy_names_no_apple_credential", |d| proxy(d, |c| c["ApplePushSettings"][0]["AppleAuthKeyFile"] = "".into()),
            &["apple credentials", UNCHANGED]),
        row("p8_not_a_key", |d| write_keeping_mode(&d.join(P8), "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n"),
            &["AppleAuthKeyFile is an ES256 key apns2 loads", "push.apple.auth_key fingerprint", UNCHANGED]),
        row("p8_replaced_by_another_key", |d| write_keeping_mode(&d.join(P8), p8_pem()),
            &["push.apple.auth_key fingerprint", UNCHANGED]),
        row("p8_missing", |d| remove(&d.join(P8)), &["push.apple.auth_key file", UNCHANGED]),
        row("p8_readable_by_others", |d| chmod(&d.join(P8), 0o644), &["push.apple.auth_key mode"]),
        row("lock_records_another_p8", |d| lock(d, |l| l["credentials"]["push.apple.auth_key"] = "00".repeat(32).into()),
            &["push.apple.auth_key fingerprint"]),
        row("lock_forgets_an_edited_upstream_file", |d| lock(d, |l| { l["files"].as_object_mut().unwrap().remove("app/ios/Mattermost/Info.plist"); }),
            &["lock lists the edited upstream files"]),
        row("lock_records_no_p8", |d| lock(d, |l| { l["credentials"].as_object_mut().unwrap().remove("push.apple.auth_key"); }),
            &["push.apple.auth_key fingerprint"]),
        row("google_services_other_api_key", |d| replace(&d.join(GOOGLE_SERVICES), "example-not-a-real-key", "another-key"),
            &["android.google_services fingerprint", UNCHANGED]),
        row("proxy_android_type_changed", |d| proxy(d, |c| c["AndroidPushSettings"][0]["Type"] = "android".into()),
            &["android entry Type", UNCHANGED]),
        row("service_account_of_another_project", |d| edit_json(&d.join(SERVICE_ACCOUNT), |sa| sa["project_id"] = "another-project".into()),
            &["Firebase project_id (app = proxy)", "push.android.service_account fingerprint", UNCHANGED]),
        // The app side of the project: google-services.json's project_id.
        row("google_services_of_another_project", |d| replace(&d.join(GOOGLE_SERVICES), "\"project_id\": \"acme-chat-example\"", "\"project_id\": \"another-project\""),
            &["Firebase project_id (app = proxy)", "android.google_services fingerprint", UNCHANGED]),
        row("service_account_not_one", |d| write_keeping_mode(&d.join(SERVICE_ACCOUNT), "{}"),
            &["service account is valid", "push.android.service_account fingerprint", UNCHANGED]),
        row("service_account_missing", |d| remove(&d.join(SERVICE_ACCOUNT)), &["push.android.service_account file", UNCHANGED]),
        row("service_account_readable_by_others", |d| chmod(&d.join(SERVICE_ACCOUNT), 0o640), &["push.android.service_account mode"]),
        row("lock_records_another_service_account", |d| lock(d, |l| l["credentials"]["push.android.service_account"] = "00".repeat(32).into()),
            &["push.android.service_account fingerprint"]),
    ]
}

/// Faults in an output made with an APNs certificate instead of a token key.
#[rustfmt::skip]
fn certificate_faults() -> Vec<Fault> {
    vec![
        row("cert_for_another_topic", |d| write_keeping_mode(&d.join("push-proxy/apns.pem"), apns_cert_pem("com.acme.other", 365)),
            &["APNs certificate loads, matches the app, not expired", "push.apple.cert fingerprint", UNCHANGED]),
        row("cert_readable_by_others", |d| chmod(&d.join("push-proxy/apns.pem"), 0o604), &["push.apple.cert mode"]),
        row("cert_missing", |d| remove(&d.join("push-proxy/apns.pem")), &["push.apple.cert file", UNCHANGED]),
    ]
}

#[test]
fn each_planted_fault_fails_exactly_its_checks() {
    let brand = TempBrand::acme();
    brand.apply(&[]).expect(0);
    let (code, failed, all) = verify(&brand.out);
    assert_eq!((code, failed), (0, BTreeSet::new()), "the pristine output");
    assert_eq!(all, EXAMPLE_CHECKS, "verify's checks on the example");
    run_table(&brand, &token_key_faults());
}

#[test]
fn each_planted_fault_fails_exactly_its_checks_with_a_certificate() {
    let brand = TempBrand::acme();
    fs::write(
        brand.dir.join("secrets/apns.pem"),
        apns_cert_pem("com.acme.chat", 365),
    )
    .unwrap();
    brand.edit(
        "auth_key = \"file:secrets/AuthKey_KEY1234567.p8\"",
        "cert = \"file:secrets/apns.pem\"",
    );
    brand.edit("key_id = \"KEY1234567\"\n", "");
    brand.apply(&[]).expect(0);
    let (code, failed, all) = verify(&brand.out);
    assert_eq!((code, failed), (0, BTreeSet::new()), "the pristine output");
    for check in [
        "APNs certificate loads, matches the app, not expired",
        "push.apple.cert fingerprint",
        "push.apple.cert mode",
    ] {
        assert!(all.iter().any(|c| c == check), "{check:?} not run: {all:?}");
    }
    run_table(&brand, &certificate_faults());
}

/// A structured file re-serialised with the same content is no fault: verify passes and says
/// how many such files it found.
#[test]
fn a_reserialised_file_passes_and_is_counted() {
    let brand = TempBrand::acme();
    brand.apply(&[]).expect(0);
    let copy = brand.tmp.path().join("reserialised");
    link_tree(&brand.out, &copy);
    let app_json = copy.join("app/app.json");
    detach(&app_json);
    fs::write(&app_json, read_json(&app_json).to_string()).unwrap();
    // A file of dist/, compared with the file it was merged from rather than a digest.
    let dist_config = copy.join("app/dist/assets/config.json");
    detach(&dist_config);
    fs::write(&dist_config, read_json(&dist_config).to_string()).unwrap();
    let run = mmbrand(["verify".as_ref(), copy.as_os_str(), "--json".as_ref()]).expect(0);
    let files = read_json(&copy.join(LOCK))["files"]
        .as_object()
        .unwrap()
        .len();
    assert_eq!(
        run.json()["checks"][0]["detail"],
        format!("{files} files match mmbrand.lock.json (2 re-serialised with the same content)")
    );
}

/// The table covers verify: every check of the example output fails in some row.
#[test]
fn every_check_of_the_example_is_broken_by_a_row() {
    let broken: BTreeSet<&str> = token_key_faults()
        .iter()
        .flat_map(|f| f.fails.iter().copied())
        .collect();
    let missing: Vec<&str> = EXAMPLE_CHECKS
        .iter()
        .copied()
        .filter(|c| !broken.contains(c))
        .collect();
    assert!(missing.is_empty(), "no row breaks {missing:?}");
}

/// Plants each fault in a fresh copy of the output and collects every row whose failed
/// checks differ from the expected ones, so one run reports them all.
fn run_table(brand: &TempBrand, faults: &[Fault]) {
    let before = tree_digest(&brand.out);
    let mut wrong = Vec::new();
    for fault in faults {
        let copy = brand.tmp.path().join(format!("fault-{}", fault.name));
        link_tree(&brand.out, &copy);
        (fault.plant)(&copy);
        let (code, failed, _) = verify(&copy);
        let expected: BTreeSet<String> = fault.fails.iter().map(|c| c.to_string()).collect();
        if code != 1 || failed != expected {
            wrong.push(format!(
                "{}: exit {code}, failed {failed:?}, expected exit 1 and {expected:?}",
                fault.name
            ));
        }
        fs::remove_dir_all(&copy).unwrap();
    }
    assert!(wrong.is_empty(), "\n{}", wrong.join("\n"));
    assert_eq!(
        before,
        tree_digest(&brand.out),
        "a fault reached the applied output"
    );
}

/// `verify --json DIR`: exit code, the failed checks, every check's name in order.
fn verify(dir: &Path) -> (i32, BTreeSet<String>, Vec<String>) {
    let run = mmbrand(["verify".as_ref(), dir.as_os_str(), "--json".as_ref()]);
    let doc = run.json();
    let checks = doc["checks"]
        .as_array()
        .unwrap_or_else(|| panic!("no checks in {doc}"));
    let name = |c: &Value| c["check"].as_str().unwrap().to_string();
    let failed = checks
        .iter()
        .filter(|c| c["ok"] == false)
        .map(name)
        .collect();
    (run.code, failed, checks.iter().map(name).collect())
}

/// A copy of `from` whose files are hard links: cheap, and safe because every helper below
/// that changes a file first gives it its own inode ([`detach`]).
fn link_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from).into_iter().map(Result::unwrap) {
        let dst = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            fs::create_dir_all(&dst).unwrap();
        } else {
            fs::hard_link(entry.path(), &dst).unwrap();
        }
    }
}

/// Replaces a hard link by a copy with the same content and mode, so changing it leaves the
/// applied output alone.
fn detach(path: &Path) {
    let bytes = fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mode = fs::metadata(path).unwrap().permissions();
    fs::remove_file(path).unwrap();
    fs::write(path, bytes).unwrap();
    fs::set_permissions(path, mode).unwrap();
}

fn replace(path: &Path, from: &str, to: &str) {
    detach(path);
    let text = fs::read_to_string(path).unwrap();
    assert_eq!(
        text.matches(from).count(),
        1,
        "{}: {from:?}",
        path.display()
    );
    fs::write(path, text.replace(from, to)).unwrap();
}

fn replace_all(path: &Path, from: &str, to: &str) {
    detach(path);
    let text = fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{}: {from:?}", path.display());
    fs::write(path, text.replace(from, to)).unwrap();
}

fn append(path: &Path, more: &str) {
    detach(path);
    let text = fs::read_to_string(path).unwrap();
    fs::write(path, text + more).unwrap();
}

fn remove(path: &Path) {
    fs::remove_file(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

fn chmod(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    detach(path);
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

/// Overwrites a file's content, keeping its mode (0600 for a credential).
fn write_keeping_mode(path: &Path, contents: impl AsRef<[u8]>) {
    detach(path);
    fs::write(path, contents).unwrap();
}

/// Edits a JSON file as a value, written back pretty.
fn edit_json(path: &Path, f: impl FnOnce(&mut Value)) {
    detach(path);
    let mut value = read_json(path);
    f(&mut value);
    fs::write(path, serde_json::to_string_pretty(&value).unwrap()).unwrap();
}

fn proxy(dir: &Path, f: impl FnOnce(&mut Value)) {
    edit_json(&dir.join(PROXY), f)
}

fn lock(dir: &Path, f: impl FnOnce(&mut Value)) {
    edit_json(&dir.join(LOCK), f)
}
