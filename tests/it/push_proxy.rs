//! The push side end to end: proxy config, credentials, server settings, `verify`, and
//! secret hygiene, with credentials generated in the test.

use std::fs;
use std::os::unix::fs::PermissionsExt;

use crate::common::*;
use serde_json::Value;

fn proxy_config(brand: &TempBrand) -> Value {
    read_json(&brand.out.join("push-proxy/mattermost-push-proxy.json"))
}

fn mode(path: &std::path::Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// Every key-material marker and every credential's key data must be absent from `text`:
/// each base64 line of a PEM key, and each piece of a JSON `private_key` (one string with
/// `\n` escapes), is looked for on its own.
fn assert_no_secret(text: &str, secrets: &[&str], what: &str) {
    assert!(!text.contains("PRIVATE KEY"), "key material in {what}");
    let base64 = |p: &str| {
        p.len() >= 24
            && p.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/' || b == b'=')
    };
    for s in secrets {
        let pieces = s.lines().flat_map(|l| l.split("\\n")).map(str::trim);
        for piece in pieces.filter(|p| base64(p)) {
            assert!(!text.contains(piece), "credential in {what}");
        }
    }
}

#[test]
fn assert_no_secret_fires_on_a_planted_secret() {
    let sa = service_account("acme-chat-example");
    let key_line = sa
        .split("\\n")
        .find(|l| l.len() > 40 && !l.contains("-----"))
        .unwrap()
        .to_string();
    let p8 = p8_pem();
    let p8_line = p8.lines().nth(1).unwrap().to_string();
    for (leaked, secret) in [
        (format!("log: {key_line} end"), &sa),
        (format!("log:\n{p8_line}\n"), &p8),
    ] {
        let caught = std::panic::catch_unwind(|| assert_no_secret(&leaked, &[secret], "planted"));
        assert!(caught.is_err(), "not caught: {leaked}");
    }
    assert_no_secret("nothing to see", &[&sa], "clean");
}

#[test]
fn proxy_config_pairs_with_the_app_and_credentials_are_private() {
    let brand = TempBrand::acme();
    let (p8, sa) = brand.fresh_credentials();
    let run = brand.apply(&[]).expect(0);

    let config = proxy_config(&brand);
    let apple = &config["ApplePushSettings"];
    assert_eq!(apple.as_array().unwrap().len(), 1);
    assert_eq!(apple[0]["Type"], "apple_rn");
    assert_eq!(apple[0]["ApplePushTopic"], "com.acme.chat");
    assert_eq!(apple[0]["ApplePushUseDevelopment"], false);
    assert_eq!(
        apple[0]["AppleAuthKeyFile"],
        "./config/AuthKey_KEY1234567.p8"
    );
    assert_eq!(apple[0]["AppleAuthKeyID"], "KEY1234567");
    assert_eq!(apple[0]["AppleTeamID"], "AB12CD34EF");
    let android = &config["AndroidPushSettings"];
    assert_eq!(android[0]["Type"], "android_rn");
    assert_eq!(
        android[0]["ServiceFileLocation"],
        "./config/fcm-service-account.json"
    );
    assert_eq!(config["RetryTimeoutSec"], 8);
    assert_eq!(config["SendTimeoutSec"], 30);

    let key = brand.out.join("push-proxy/AuthKey_KEY1234567.p8");
    let account = brand.out.join("push-proxy/fcm-service-account.json");
    assert_eq!(fs::read_to_string(&key).unwrap(), p8);
    assert_eq!(fs::read_to_string(&account).unwrap(), sa);
    assert_eq!(mode(&key), 0o600);
    assert_eq!(mode(&account), 0o600);

    let patch = read_json(&brand.out.join("server/config-patch.json"));
    assert_eq!(patch["EmailSettings"]["SendPushNotifications"], true);
    assert_eq!(
        patch["EmailSettings"]["PushNotificationServer"],
        "https://push.acme.example"
    );
    assert_eq!(
        patch["EmailSettings"]["PushNotificationContents"],
        "id_loaded"
    );
    let readme = fs::read_to_string(brand.out.join("server/README.md")).unwrap();
    assert!(readme.contains(
        "mmctl config set EmailSettings.PushNotificationServer https://push.acme.example"
    ));

    let lock_text = fs::read_to_string(brand.out.join("mmbrand.lock.json")).unwrap();
    let lock: Value = serde_json::from_str(&lock_text).unwrap();
    assert_eq!(lock["credentials"]["push.apple.auth_key"], sha256(&key));
    assert_eq!(
        lock["credentials"]["push.android.service_account"],
        sha256(&account)
    );
    assert_no_secret(&lock_text, &[&p8, &sa], "the lock file");
    assert_no_secret(
        &format!("{}{}", run.stdout, run.stderr),
        &[&p8, &sa],
        "the output",
    );
    for entry in walkdir::WalkDir::new(brand.out.join("app"))
        .into_iter()
        .map(Result::unwrap)
    {
        if entry.file_type().is_file() {
            let text = String::from_utf8_lossy(&fs::read(entry.path()).unwrap()).into_owned();
            assert_no_secret(&text, &[&p8, &sa], &entry.path().display().to_string());
        }
    }
}

#[test]
fn beta_bundle_id_and_development_environment() {
    let brand = TempBrand::acme();
    brand.fresh_credentials();
    brand.edit(
        "bundle_id = \"com.acme.chat\"",
        "bundle_id = \"com.acme.rnbeta\"",
    );
    brand.edit(
        "aps_environment = \"production\"",
        "aps_environment = \"development\"",
    );
    brand.apply(&[]).expect(0);
    let config = proxy_config(&brand);
    assert_eq!(config["ApplePushSettings"][0]["Type"], "apple_rnbeta");
    assert_eq!(
        config["ApplePushSettings"][0]["ApplePushTopic"],
        "com.acme.rnbeta"
    );
    assert_eq!(
        config["ApplePushSettings"][0]["ApplePushUseDevelopment"],
        true
    );
    // A beta id makes the app use AuthUrlSchemeDev for SSO; it must be the brand's too.
    let app_config = read_json(&brand.app("dist/assets/config.json"));
    assert_eq!(app_config["AuthUrlSchemeDev"], "acmeauth://");
    mmbrand(["verify".as_ref(), brand.out.as_os_str()]).expect(0);
}

#[test]
fn env_references_and_proxy_root_and_overrides() {
    let brand = TempBrand::acme();
    let p8 = p8_pem();
    let sa = service_account("acme-chat-example");
    brand.edit(
        "auth_key = \"file:secrets/AuthKey_KEY1234567.p8\"",
        "auth_key = \"env:MMBRAND_TEST_P8\"",
    );
    brand.edit(
        "service_account = \"file:secrets/fcm-service-account.json\"",
        "service_account = \"env:MMBRAND_TEST_SA\"",
    );
    brand.append("[push.proxy]\nListenAddress = \":9066\"\nLogFormat = \"json\"\n");
    let args: Vec<std::ffi::OsString> = vec![
        "apply".into(),
        brand.file().into(),
        "--out".into(),
        brand.out.clone().into(),
        "--proxy-root".into(),
        "/etc/mattermost-push-proxy".into(),
    ];
    let run = mmbrand_env(
        args,
        &[
            ("MMBRAND_TEST_P8", p8.as_ref()),
            ("MMBRAND_TEST_SA", sa.as_ref()),
        ],
    )
    .expect(0);
    assert_no_secret(
        &format!("{}{}", run.stdout, run.stderr),
        &[&p8, &sa],
        "the output",
    );
    let config = proxy_config(&brand);
    assert_eq!(
        config["ApplePushSettings"][0]["AppleAuthKeyFile"],
        "/etc/mattermost-push-proxy/AuthKey_KEY1234567.p8"
    );
    assert_eq!(
        config["AndroidPushSettings"][0]["ServiceFileLocation"],
        "/etc/mattermost-push-proxy/fcm-service-account.json"
    );
    assert_eq!(config["ListenAddress"], ":9066");
    assert_eq!(config["LogFormat"], "json");
    assert_eq!(
        fs::read_to_string(brand.out.join("push-proxy/AuthKey_KEY1234567.p8")).unwrap(),
        p8
    );
    assert_eq!(
        mode(&brand.out.join("push-proxy/fcm-service-account.json")),
        0o600
    );
    mmbrand(["verify".as_ref(), brand.out.as_os_str()]).expect(0);
}

#[test]
fn certificate_based_apns_is_supported() {
    let brand = TempBrand::acme();
    brand.fresh_credentials();
    let cert = apns_cert_pem("com.acme.chat", 365);
    fs::write(brand.dir.join("secrets/apns.pem"), &cert).unwrap();
    brand.edit(
        "auth_key = \"file:secrets/AuthKey_KEY1234567.p8\"",
        "cert = \"file:secrets/apns.pem\"",
    );
    brand.edit(
        "key_id = \"KEY1234567\"",
        "cert_password = \"env:MMBRAND_TEST_CERT_PW\"",
    );
    let args: Vec<std::ffi::OsString> = vec![
        "apply".into(),
        brand.file().into(),
        "--out".into(),
        brand.out.clone().into(),
    ];
    let run = mmbrand_env(args, &[("MMBRAND_TEST_CERT_PW", "s3cret-pw".as_ref())]).expect(0);
    assert!(!run.stdout.contains("s3cret-pw") && !run.stderr.contains("s3cret-pw"));
    let config = proxy_config(&brand);
    assert_eq!(
        config["ApplePushSettings"][0]["ApplePushCertPrivate"],
        "./config/apns.pem"
    );
    assert_eq!(
        config["ApplePushSettings"][0]["ApplePushCertPassword"],
        "s3cret-pw"
    );
    assert_eq!(config["ApplePushSettings"][0]["AppleAuthKeyFile"], "");
    assert_eq!(
        mode(&brand.out.join("push-proxy/mattermost-push-proxy.json")),
        0o600,
        "holds the password"
    );
    mmbrand(["verify".as_ref(), brand.out.as_os_str()]).expect(0);
}

/// Switches the brand from the token key to the certificate `cert` (no password).
fn use_certificate(brand: &TempBrand, cert: &str) {
    fs::write(brand.dir.join("secrets/apns.pem"), cert).unwrap();
    brand.edit(
        "auth_key = \"file:secrets/AuthKey_KEY1234567.p8\"",
        "cert = \"file:secrets/apns.pem\"",
    );
    brand.edit("key_id = \"KEY1234567\"\n", "");
}

#[test]
fn certificate_must_be_for_the_bundle_id_and_unexpired() {
    let brand = TempBrand::acme();
    use_certificate(&brand, &apns_cert_pem("com.acme.other", 365));
    let run = fails(&brand);
    run.stderr_has("apns.pem: the certificate is for the topic \"com.acme.other\" (its subject UID), but ios.bundle_id is \"com.acme.chat\"");
    assert!(!run.stderr.contains("PRIVATE KEY"));

    let brand = TempBrand::acme();
    use_certificate(&brand, &apns_cert_pem("com.acme.chat", 0));
    let cert = fs::read_to_string(brand.dir.join("secrets/apns.pem")).unwrap();
    // Valid until now: expired by the time apply looks.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    fails(&brand).stderr_has("apns.pem: the APNs certificate for \"com.acme.chat\" expired on ");
    assert!(cert.contains("BEGIN CERTIFICATE"));
}

#[test]
fn ec_service_account_is_refused() {
    let brand = TempBrand::acme();
    let mut sa: Value = serde_json::from_str(&service_account("acme-chat-example")).unwrap();
    sa["private_key"] = p8_pem().into();
    fs::write(
        brand.dir.join("secrets/fcm-service-account.json"),
        sa.to_string(),
    )
    .unwrap();
    fails(&brand)
        .stderr_has("fcm-service-account.json: \"private_key\" is an EC key on P-256")
        .stderr_has("\"private key is invalid\"");
}

#[test]
fn verify_passes_then_catches_a_hand_edit_of_either_side() {
    let brand = TempBrand::acme();
    brand.fresh_credentials();
    brand.apply(&[]).expect(0);
    let verify = || mmbrand(["verify".as_ref(), brand.out.as_os_str(), "--json".as_ref()]);
    let ok = verify().expect(0).json();
    assert_eq!(ok["ok"], true);
    assert!(ok["checks"].as_array().unwrap().len() >= 12);

    let edits: [(&str, &str, &str, &str); 4] = [
        (
            "push-proxy/mattermost-push-proxy.json",
            "\"ApplePushTopic\": \"com.acme.chat\"",
            "\"ApplePushTopic\": \"com.acme.other\"",
            "ApplePushTopic = iOS bundle id",
        ),
        (
            "push-proxy/fcm-service-account.json",
            "\"project_id\": \"acme-chat-example\"",
            "\"project_id\": \"another-project\"",
            "Firebase project_id (app = proxy)",
        ),
        (
            "app/android/app/google-services.json",
            "\"project_id\": \"acme-chat-example\"",
            "\"project_id\": \"another-project\"",
            "Firebase project_id (app = proxy)",
        ),
        (
            "app/ios/Mattermost/Info.plist",
            "<string>com.acme.chat</string>",
            "<string>com.acme.chat2</string>",
            "ApplePushTopic = iOS bundle id",
        ),
    ];
    for (rel, from, to, check) in edits {
        let path = brand.out.join(rel);
        let original = fs::read_to_string(&path).unwrap();
        assert!(original.contains(from), "{rel} lacks {from}");
        fs::write(&path, original.replacen(from, to, 1)).unwrap();
        let run = verify().expect(1);
        let doc = run.json();
        assert_eq!(doc["ok"], false);
        let failed: Vec<String> = doc["checks"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["ok"] == false)
            .map(|c| c["check"].as_str().unwrap().to_string())
            .collect();
        assert!(failed.contains(&check.to_string()), "{rel}: {failed:?}");
        assert!(
            failed.contains(&"files unchanged since apply".to_string()),
            "{rel}: {failed:?}"
        );
        run.stderr_has(check).stderr_has(&format!("{rel} changed"));
        fs::write(&path, original).unwrap();
        verify().expect(0);
    }
    let human = mmbrand(["verify".as_ref(), brand.out.as_os_str()]).expect(0);
    assert!(human.stdout.contains("app and push proxy agree"));
}

#[test]
fn verify_of_a_directory_that_is_not_an_output() {
    let tmp = tempfile::tempdir().unwrap();
    mmbrand(["verify".as_ref(), tmp.path().as_os_str()])
        .expect(1)
        .stderr_has("is not an mmbrand apply output");
}

fn fails(brand: &TempBrand) -> Run {
    let run = brand.apply(&[]).expect(1);
    assert!(!brand.out.exists(), "nothing written");
    run
}

#[test]
fn firebase_projects_must_match() {
    let brand = TempBrand::acme();
    fs::write(
        brand.dir.join("secrets/fcm-service-account.json"),
        service_account("someone-else"),
    )
    .unwrap();
    fails(&brand)
        .stderr_has("fcm-service-account.json (push.android.service_account) is for project_id \"someone-else\"")
        .stderr_has("google-services.json (android.google_services) is for \"acme-chat-example\"");
}

#[test]
fn service_account_must_be_a_service_account_with_a_private_key() {
    let brand = TempBrand::acme();
    let gs = fs::read(brand.dir.join("secrets/google-services.json")).unwrap();
    fs::write(brand.dir.join("secrets/fcm-service-account.json"), gs).unwrap();
    fails(&brand).stderr_has("fcm-service-account.json: \"type\" is \"\", not \"service_account\"");

    let mut sa: Value = serde_json::from_str(&service_account("acme-chat-example")).unwrap();
    sa.as_object_mut().unwrap().remove("private_key");
    fs::write(
        brand.dir.join("secrets/fcm-service-account.json"),
        sa.to_string(),
    )
    .unwrap();
    fails(&brand).stderr_has("fcm-service-account.json: has no PEM \"private_key\"");
}

#[test]
fn p8_must_be_a_pem_private_key_named_for_its_key_id() {
    let brand = TempBrand::acme();
    fs::write(
        brand.dir.join("secrets/AuthKey_KEY1234567.p8"),
        "not a key at all",
    )
    .unwrap();
    let run = fails(&brand);
    run.stderr_has("AuthKey_KEY1234567.p8: not a PEM private key");
    assert!(!run.stderr.contains("not a key at all"));

    let brand = TempBrand::acme();
    let key = p256::SecretKey::random(&mut rand_core::OsRng);
    let sec1 = key.to_sec1_pem(p256::pkcs8::LineEnding::LF).unwrap();
    fs::write(
        brand.dir.join("secrets/AuthKey_KEY1234567.p8"),
        sec1.as_bytes(),
    )
    .unwrap();
    let run = fails(&brand);
    run.stderr_has("AuthKey_KEY1234567.p8: the key is in SEC1 form")
        .stderr_has("openssl pkcs8 -topk8 -nocrypt -in ");
    assert!(!run.stderr.contains("PRIVATE KEY-----"));

    let brand = TempBrand::acme();
    brand.edit("key_id = \"KEY1234567\"", "key_id = \"OTHER12345\"");
    fails(&brand).stderr_has(
        "the file name says key id \"KEY1234567\" but push.apple.key_id is \"OTHER12345\"",
    );

    let brand = TempBrand::acme();
    brand.edit("key_id = \"KEY1234567\"", "key_id = \"key\"");
    fails(&brand).stderr_has("push.apple.key_id: \"key\" is not an Apple key id");
}

#[test]
fn literal_key_in_the_brand_file_is_refused() {
    let brand = TempBrand::acme();
    let pem = p8_pem().replace('\n', "\\n");
    brand.edit(
        "auth_key = \"file:secrets/AuthKey_KEY1234567.p8\"",
        &format!("auth_key = \"{pem}\""),
    );
    let run = fails(&brand);
    run.stderr_has("push.apple.auth_key: credentials must be given as \"file:PATH\"");
    assert!(!run.stderr.contains("PRIVATE KEY"));
}

#[test]
fn key_material_in_the_override_tree_is_refused() {
    let brand = TempBrand::acme();
    let (p8, _) = brand.fresh_credentials();
    let leaked = serde_json::json!({"mobile.login.title": p8}).to_string();
    fs::write(brand.dir.join("override/i18n/en.json"), leaked).unwrap();
    let run = fails(&brand);
    run.stderr_has("override/i18n/en.json holds a PEM private key; credentials belong in the brand file's [push] section");
    assert_no_secret(
        &format!("{}{}", run.stdout, run.stderr),
        &[&p8],
        "the output",
    );
}

/// The last gate, the scan of every file written into the app, catches key material that
/// arrives by another way than the override tree: here a free-form config.json map.
#[test]
fn key_material_in_config_values_is_refused_by_the_last_gate() {
    let brand = TempBrand::acme();
    let (p8, _) = brand.fresh_credentials();
    let value = p8.replace('\n', "\\n");
    brand.append(&format!(
        "[config.CustomRequestHeaders]\nX-Key = \"{value}\"\n"
    ));
    let run = fails(&brand);
    run.stderr_has("app/assets/override/config.json contains a PEM private key");
    assert_no_secret(
        &format!("{}{}", run.stdout, run.stderr),
        &[&p8],
        "the output",
    );
}

#[test]
fn proxy_overrides_are_checked() {
    let brand = TempBrand::acme();
    brand.append("[push.proxy]\nRetryTimeoutSec = 60\n");
    fails(&brand).stderr_has("RetryTimeoutSec (60) must not exceed SendTimeoutSec (30)");

    let brand = TempBrand::acme();
    brand.append("[push.proxy]\nListenAdress = \":1\"\n");
    fails(&brand)
        .stderr_has("unknown key `ListenAdress`")
        .stderr_has("did you mean `ListenAddress`?");
}

#[test]
fn plan_lists_proxy_outputs_without_their_content() {
    let brand = TempBrand::acme();
    let (p8, sa) = brand.fresh_credentials();
    let run = mmbrand(["plan".as_ref(), brand.file().as_os_str()]).expect(0);
    assert!(
        run.stdout
            .contains("generated push-proxy/AuthKey_KEY1234567.p8"),
        "{}",
        run.stdout
    );
    assert!(run
        .stdout
        .contains("generated push-proxy/mattermost-push-proxy.json"));
    assert_no_secret(
        &format!("{}{}", run.stdout, run.stderr),
        &[&p8, &sa],
        "plan",
    );
}

#[test]
fn committed_branch_holds_no_credentials() {
    let brand = TempBrand::acme();
    let (p8, sa) = brand.fresh_credentials();
    brand.apply(&["--commit"]).expect(0);
    let repo = git2::Repository::open(brand.out.join("app")).unwrap();
    let tree = repo.head().unwrap().peel_to_tree().unwrap();
    tree.walk(git2::TreeWalkMode::PreOrder, |_, entry| {
        if let Some(blob) = entry.to_object(&repo).ok().and_then(|o| o.into_blob().ok()) {
            let text = String::from_utf8_lossy(blob.content()).into_owned();
            assert_no_secret(&text, &[&p8, &sa], entry.name().unwrap_or("?"));
        }
        git2::TreeWalkResult::Ok
    })
    .unwrap();
}

/// A syntactically valid PEM certificate block (its DER is not parsed by the kit).
fn fake_ca_pem() -> String {
    "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ2VydGlmaWNhdGVGb3JUZXN0c09ubHkwCgYIKoZIzj0E\n-----END CERTIFICATE-----\n".to_string()
}

fn yaml(path: &std::path::Path) -> yaml_rust2::Yaml {
    let text = fs::read_to_string(path).unwrap();
    let mut docs = yaml_rust2::YamlLoader::load_from_str(&text)
        .unwrap_or_else(|e| panic!("{}: not YAML: {e}\n{text}", path.display()));
    assert_eq!(docs.len(), 1);
    docs.remove(0)
}

#[test]
fn deployment_kit_for_a_proxy_behind_corporate_it() {
    let brand = TempBrand::acme();
    write(&brand.dir.join("secrets/relay-ca.pem"), fake_ca_pem());
    brand.edit(
        "aps_environment = \"production\"",
        "aps_environment = \"development\"",
    );
    brand.append(
        "[push.proxy]\nListenAddress = \":9066\"\n\n[push.network]\nhttps_proxy = \"http://proxy.corp.example:3128\"\napns_relay = \"10.0.0.5\"\nca_bundle = \"file:secrets/relay-ca.pem\"\n",
    );
    brand.apply(&[]).expect(0);
    let dir = brand.out.join("push-proxy");

    let compose = yaml(&dir.join("docker-compose.yml"));
    let svc = &compose["services"]["push-proxy"];
    assert_eq!(svc["user"].as_str(), Some("65534:65534"));
    assert_eq!(svc["restart"].as_str(), Some("unless-stopped"));
    assert_eq!(svc["ports"][0].as_str(), Some("9066:9066"));
    assert_eq!(
        svc["volumes"][0].as_str(),
        Some(".:/mattermost-push-proxy/config:ro")
    );
    assert_eq!(
        svc["command"][1].as_str(),
        Some("/mattermost-push-proxy/config/mattermost-push-proxy.json")
    );
    assert_eq!(
        svc["environment"]["HTTPS_PROXY"].as_str(),
        Some("http://proxy.corp.example:3128")
    );
    assert_eq!(
        svc["environment"]["SSL_CERT_DIR"].as_str(),
        Some("/mattermost-push-proxy/config/ca")
    );
    // A development entry talks to the sandbox host, which the relay stands in for.
    assert_eq!(
        svc["extra_hosts"][0].as_str(),
        Some("api.sandbox.push.apple.com:10.0.0.5")
    );
    assert_eq!(
        fs::read_to_string(dir.join("ca/relay-ca.pem")).unwrap(),
        fake_ca_pem()
    );

    let unit = fs::read_to_string(dir.join("mattermost-push-proxy.service")).unwrap();
    for section in ["[Unit]", "[Service]", "[Install]"] {
        assert!(unit.contains(&format!("\n{section}\n")), "{unit}");
    }
    assert!(unit.contains("\nExecStart=/opt/mattermost-push-proxy/bin/mattermost-push-proxy -config /opt/mattermost-push-proxy/config/mattermost-push-proxy.json\n"));
    assert!(unit.contains("\nEnvironment=\"HTTPS_PROXY=http://proxy.corp.example:3128\"\n"));
    assert!(unit.contains("\nEnvironment=\"SSL_CERT_DIR=/opt/mattermost-push-proxy/config/ca\"\n"));
    assert!(unit.contains("#   10.0.0.5 api.sandbox.push.apple.com\n"));

    let allow: Vec<String> = fs::read_to_string(dir.join("ALLOWLIST.txt"))
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| l.split_whitespace().next().unwrap().to_string())
        .collect();
    assert_eq!(allow, ["10.0.0.5:443", "proxy.corp.example:3128"]);
    mmbrand(["verify".as_ref(), brand.out.as_os_str()]).expect(0);
}

/// The proxy's password reaches only push-proxy/proxy.env (0600), which compose and the
/// unit read; no other output file, message or log line holds it, raw or percent-encoded.
#[test]
fn proxy_password_lives_only_in_the_private_env_file() {
    let brand = TempBrand::acme();
    let password = "Pr0xy pa$$word#1";
    let encoded = "Pr0xy%20pa%24%24word%231";
    write(
        &brand.dir.join("secrets/proxy-password"),
        format!("{password}\n"),
    );
    brand.append(
        "[push.network]\nhttps_proxy = \"http://svc-push@proxy.corp.example:3128\"\nhttps_proxy_password = \"file:secrets/proxy-password\"\n",
    );
    let run = brand.apply(&[]).expect(0);
    for text in [&run.stdout, &run.stderr] {
        assert!(
            !text.contains(password) && !text.contains(encoded),
            "{text}"
        );
    }
    let dir = brand.out.join("push-proxy");
    let env_file = dir.join("proxy.env");
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(&env_file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    let env = fs::read_to_string(&env_file).unwrap();
    let assignments: Vec<&str> = env.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(
        assignments,
        [format!(
            "HTTPS_PROXY=http://svc-push:{encoded}@proxy.corp.example:3128"
        )]
    );
    for entry in walkdir::WalkDir::new(&brand.out) {
        let entry = entry.unwrap();
        if !entry.file_type().is_file() || entry.path() == env_file {
            continue;
        }
        let bytes = fs::read(entry.path()).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains(password) && !text.contains(encoded),
            "{} holds the proxy password",
            entry.path().display()
        );
    }

    let compose = yaml(&dir.join("docker-compose.yml"));
    let svc = &compose["services"]["push-proxy"];
    assert_eq!(svc["env_file"][0].as_str(), Some("proxy.env"));
    assert!(svc["environment"]["HTTPS_PROXY"].is_badvalue());
    let unit = fs::read_to_string(dir.join("mattermost-push-proxy.service")).unwrap();
    assert!(
        unit.contains("\nEnvironmentFile=/opt/mattermost-push-proxy/config/proxy.env\n"),
        "{unit}"
    );
    assert!(!unit.contains("HTTPS_PROXY="), "{unit}");
    let allow = fs::read_to_string(dir.join("ALLOWLIST.txt")).unwrap();
    assert!(allow.contains("proxy.corp.example:3128"), "{allow}");
    mmbrand(["verify".as_ref(), brand.out.as_os_str()])
        .expect(0)
        .stdout_has("push.network.https_proxy_password mode");
    // verify guards the file's mode: readable by others, it fails exactly that check.
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&env_file, fs::Permissions::from_mode(0o644)).unwrap();
    }
    let run = mmbrand(["verify".as_ref(), "--json".as_ref(), brand.out.as_os_str()]).expect(1);
    let failed: Vec<String> = run.json()["checks"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["ok"] == false)
        .map(|c| c["check"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        failed,
        ["push.network.https_proxy_password mode"],
        "{}",
        run.stdout
    );
}

#[test]
fn allowlist_follows_aps_environment_without_network_settings() {
    let brand = TempBrand::acme();
    brand.apply(&[]).expect(0);
    let allow = fs::read_to_string(brand.out.join("push-proxy/ALLOWLIST.txt")).unwrap();
    let targets: Vec<&str> = allow
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(
        targets,
        [
            "api.push.apple.com:443",
            "fcm.googleapis.com:443",
            "oauth2.googleapis.com:443"
        ]
    );
    let compose = yaml(&brand.out.join("push-proxy/docker-compose.yml"));
    assert!(compose["services"]["push-proxy"]["extra_hosts"].is_badvalue());
}

#[test]
fn bad_network_settings_are_refused() {
    let brand = TempBrand::acme();
    write(
        &brand.dir.join("secrets/relay-ca.pem"),
        "not a certificate\n",
    );
    brand.append(
        "[push.network]\nhttps_proxy = \"proxy.corp.example\"\napns_relay = \"https://10.0.0.5:443\"\n",
    );
    fails(&brand)
        .stderr_has("push.network.https_proxy: \"proxy.corp.example\"")
        .stderr_has(
            "push.network.apns_relay: \"https://10.0.0.5:443\" must be the relay's IP address",
        );
    let brand = TempBrand::acme();
    write(
        &brand.dir.join("secrets/relay-ca.pem"),
        "not a certificate\n",
    );
    brand.append(
        "[push.network]\napns_relay = \"10.0.0.5\"\nca_bundle = \"file:secrets/relay-ca.pem\"\n",
    );
    fails(&brand).stderr_has("push.network.ca_bundle must hold only PEM certificates");
}

#[test]
fn server_patch_lets_sso_return_to_the_brand_app() {
    let brand = TempBrand::acme();
    brand.edit(
        "auto_select = true",
        "auto_select = true\nios_app_download_link = \"https://apps.apple.com/app/acme-chat/id1\"",
    );
    brand.apply(&[]).expect(0);
    let patch = read_json(&brand.out.join("server/config-patch.json"));
    assert_eq!(
        patch["NativeAppSettings"]["AppCustomURLSchemes"],
        serde_json::json!(["mmauth://", "mmauthbeta://", "acmeauth://"])
    );
    assert_eq!(
        patch["NativeAppSettings"]["IosAppDownloadLink"],
        "https://apps.apple.com/app/acme-chat/id1"
    );
    assert_eq!(
        patch["EmailSettings"]["PushNotificationServer"],
        "https://push.acme.example"
    );
    // The README's mmctl lines say exactly what the patch holds.
    let readme = fs::read_to_string(brand.out.join("server/README.md")).unwrap();
    let lines: Vec<&str> = readme
        .lines()
        .filter(|l| l.starts_with("mmctl config set "))
        .collect();
    assert_eq!(
        lines,
        [
            "mmctl config set NativeAppSettings.AppCustomURLSchemes mmauth:// mmauthbeta:// acmeauth://",
            "mmctl config set NativeAppSettings.IosAppDownloadLink https://apps.apple.com/app/acme-chat/id1",
            "mmctl config set EmailSettings.SendPushNotifications true",
            "mmctl config set EmailSettings.PushNotificationServer https://push.acme.example",
            "mmctl config set EmailSettings.PushNotificationContents id_loaded",
        ]
    );

    let brand = TempBrand::acme();
    brand.edit(
        "auto_select = true",
        "auto_select = true\nkeep_default_url_schemes = false",
    );
    brand.apply(&[]).expect(0);
    let patch = read_json(&brand.out.join("server/config-patch.json"));
    assert_eq!(
        patch["NativeAppSettings"]["AppCustomURLSchemes"],
        serde_json::json!(["acmeauth://"])
    );
}

#[test]
fn values_the_proxy_would_replace_are_written_as_it_uses_them() {
    let brand = TempBrand::acme();
    brand.append("[push.proxy]\nRetryTimeoutSec = 0\nEnableConsoleLog = false\n");
    let run = brand.apply(&[]).expect(0);
    run.stderr_has("RetryTimeoutSec = 0 means 8 seconds to the proxy; wrote 8")
        .stderr_has("the proxy logs to the console anyway");
    let config = proxy_config(&brand);
    assert_eq!(config["RetryTimeoutSec"], 8);
    assert_eq!(config["EnableConsoleLog"], true);
}

#[test]
fn certificate_expiry_is_recorded_warned_and_rechecked_by_verify() {
    let brand = TempBrand::acme();
    brand.fresh_credentials();
    // Valid for a few seconds: apply warns, verify a little later fails.
    let cert = apns_cert_pem_valid_for("com.acme.chat", std::time::Duration::from_secs(3));
    use_certificate(&brand, &cert);
    let run = brand.apply(&[]).expect(0);
    run.stderr_has(
        "warning: push.apple.cert: the APNs certificate for \"com.acme.chat\" expires on ",
    )
    .stderr_has("(in 0 days)");
    let lock = read_json(&brand.out.join("mmbrand.lock.json"));
    assert_eq!(lock["apns_certificate"]["topic"], "com.acme.chat");
    assert!(lock["apns_certificate"]["not_after"]
        .as_str()
        .unwrap()
        .ends_with('Z'));
    std::thread::sleep(std::time::Duration::from_secs(4));
    mmbrand(["verify".as_ref(), brand.out.as_os_str()])
        .expect(1)
        .stderr_has("APNs certificate loads, matches the app, not expired:")
        .stderr_has("expired");
}

#[test]
fn every_push_problem_of_a_brand_is_reported_in_one_run() {
    let brand = TempBrand::acme();
    brand.fresh_credentials();
    brand.edit("team_id = \"AB12CD34EF\"", "team_id = \"ab12\"");
    let sec1 = "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBkg4LVWM9nuwNSk3yByxZpYRTBsVJqcM4bI/F6Qr5m/oAoGCCqGSM49\nAwEHoUQDQgAE4ET5Ch4u4tpq6v1Gq+YxNS4IB/DSLsZnW0Fxxc7Nh0ssBMyZVpDe\nqDvHJ/pRbbHoIRNVYgKTxwMmEcmg2/KdYA==\n-----END EC PRIVATE KEY-----\n";
    fs::write(brand.dir.join("secrets/AuthKey_KEY1234567.p8"), sec1).unwrap();
    let ec_account = serde_json::json!({
        "type": "service_account",
        "project_id": "acme-chat-example",
        "private_key": p8_pem(),
        "client_email": "push@acme-chat-example.iam.gserviceaccount.com",
        "token_uri": "https://oauth2.googleapis.com/token"
    });
    fs::write(
        brand.dir.join("secrets/fcm-service-account.json"),
        ec_account.to_string(),
    )
    .unwrap();
    brand.append("[push.proxy]\nRetryTimeoutSec = 99\n");
    let run = fails(&brand);
    run.stderr_has("ios.team_id: \"ab12\" is not an Apple team id")
        .stderr_has("EC PRIVATE KEY")
        .stderr_has("openssl pkcs8 -topk8 -nocrypt")
        .stderr_has("fcm-service-account.json")
        .stderr_has("RSA")
        .stderr_has("RetryTimeoutSec (99) must not exceed SendTimeoutSec (30)");
}

/// `openssl <args>` with `input` on stdin; None (with the reason printed) when openssl is absent.
fn openssl(args: &[&str], input: &str) -> Option<String> {
    use std::io::Write;
    let mut child = match std::process::Command::new("openssl")
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
    {
        Ok(c) => c,
        // CI installs openssl (.ci/run): there a missing one is a failure, not a skip.
        Err(e) if std::env::var_os("CI").is_some() => panic!("openssl is not available ({e})"),
        Err(e) => {
            eprintln!("SKIPPED: openssl is not available ({e})");
            return None;
        }
    };
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(String::from_utf8(out.stdout).unwrap())
}

fn apply_with_cert_password(brand: &TempBrand, password: &str) -> Run {
    let args: Vec<std::ffi::OsString> = vec![
        "apply".into(),
        brand.file().into(),
        "--out".into(),
        brand.out.clone().into(),
    ];
    mmbrand_env(args, &[("MMBRAND_TEST_CERT_PW", password.as_ref())])
}

#[test]
fn encrypted_certificate_keys_as_apns2_reads_them() {
    let cert_pem = apns_cert_pem("com.acme.chat", 365);
    let cert_only: String = cert_pem
        .split_inclusive('\n')
        .skip_while(|l| !l.starts_with("-----BEGIN CERTIFICATE"))
        .take_while(|l| !l.starts_with("-----BEGIN PRIVATE KEY"))
        .collect();
    // A legacy-encrypted PEM (Proc-Type/DEK-Info), which apns2 decrypts with the password.
    let Some(legacy) = openssl(
        &[
            "rsa",
            "-aes256",
            "-traditional",
            "-passout",
            "pass:s3cret-pw",
        ],
        &rsa_pem(),
    ) else {
        return;
    };
    assert!(legacy.contains("DEK-Info: AES-256-CBC"));
    let brand = TempBrand::acme();
    use_certificate(&brand, &format!("{cert_only}{legacy}"));
    brand.edit(
        "cert = \"file:secrets/apns.pem\"",
        "cert = \"file:secrets/apns.pem\"\ncert_password = \"env:MMBRAND_TEST_CERT_PW\"",
    );
    apply_with_cert_password(&brand, "wrong-pw")
        .expect(1)
        .stderr_has("apns.pem: push.apple.cert_password does not decrypt the private key");
    assert!(!brand.out.exists());
    apply_with_cert_password(&brand, "s3cret-pw").expect(0);
    mmbrand(["verify".as_ref(), brand.out.as_os_str()]).expect(0);

    // OpenSSL 3's default export: a PKCS#8 ENCRYPTED PRIVATE KEY, which apns2 cannot read.
    let Some(pkcs8) = openssl(
        &[
            "pkcs8",
            "-topk8",
            "-v2",
            "aes-256-cbc",
            "-passout",
            "pass:s3cret-pw",
        ],
        &rsa_pem(),
    ) else {
        return;
    };
    let brand = TempBrand::acme();
    use_certificate(&brand, &format!("{cert_only}{pkcs8}"));
    brand.edit(
        "cert = \"file:secrets/apns.pem\"",
        "cert = \"file:secrets/apns.pem\"\ncert_password = \"env:MMBRAND_TEST_CERT_PW\"",
    );
    let run = apply_with_cert_password(&brand, "s3cret-pw").expect(1);
    run.stderr_has("ENCRYPTED PRIVATE KEY").stderr_has("-nodes");
}

#[test]
fn token_keys_that_are_not_es256_are_refused() {
    for (what, args) in [
        (
            "P-384",
            vec![
                "genpkey",
                "-algorithm",
                "EC",
                "-pkeyopt",
                "ec_paramgen_curve:P-384",
            ],
        ),
        (
            "RSA",
            vec![
                "genpkey",
                "-algorithm",
                "RSA",
                "-pkeyopt",
                "rsa_keygen_bits:2048",
            ],
        ),
    ] {
        let Some(key) = openssl(&args, "") else {
            return;
        };
        let brand = TempBrand::acme();
        fs::write(brand.dir.join("secrets/AuthKey_KEY1234567.p8"), &key).unwrap();
        let run = fails(&brand);
        run.stderr_has("AuthKey_KEY1234567.p8").stderr_has("P-256");
        assert!(
            !run.stderr.contains(key.lines().nth(1).unwrap()),
            "{what}: key material shown"
        );
    }
}
