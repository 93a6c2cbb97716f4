//! The bad-input corpus: each case mutates the example brand or the upstream, runs one
//! command, and expects exit 1, the exact stderr in `corpus/<name>.stderr`, and no output
//! written (or an earlier output left byte-identical). See `common::case`.
use std::fs;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::common::case::Case;
use crate::common::*;

fn edit_file(path: &Path, from: &str, to: &str) {
    let text = fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{} lacks {from:?}", path.display());
    fs::write(path, text.replacen(from, to, 1)).unwrap();
}

fn nested(open: &str, close: &str, depth: usize) -> String {
    format!("{}{}", open.repeat(depth), close.repeat(depth))
}

// ---- The brand file ----

#[test]
fn brand_file_too_large() {
    Case::new("brand_file_too_large")
        .write("brand.toml", "# padding\n".repeat(1_100_000))
        .fails();
}

#[test]
fn brand_file_missing() {
    Case::new("brand_file_missing")
        .args(&["apply", "[BRAND]/nope.toml", "--out", "[OUT]"])
        .fails();
}

#[test]
fn brand_file_not_utf8() {
    Case::new("brand_file_not_utf8")
        .write("brand.toml", b"name = \"\xff\xfe\"\n")
        .fails();
}

#[test]
fn brand_file_syntax_error() {
    Case::new("brand_file_syntax_error")
        .edit("name = \"acme\"", "name = acme")
        .fails();
}

#[test]
fn brand_file_nested_100000_deep() {
    Case::new("brand_file_nested_100000_deep")
        .edit(
            "ShowOnboarding = true",
            &format!("ShowOnboarding = {}", nested("[", "]", 100_000)),
        )
        .fails();
}

#[test]
fn brand_file_missing_required_section() {
    let case = Case::new("brand_file_missing_required_section");
    case.brand.remove_section("ios");
    case.fails();
}

#[test]
fn unknown_brand_key_with_suggestion() {
    Case::new("unknown_brand_key_with_suggestion")
        .edit("bundle_id = ", "bundel_id = ")
        .fails();
}

#[test]
fn http_server_url() {
    Case::new("http_server_url")
        .edit("https://chat.acme.example\"", "http://chat.acme.example\"")
        .fails();
}

// ---- Passwords in URLs: refused, and never repeated ----

/// The password every case below types into a URL.
const URL_PASSWORD: &str = "Hunter2pw";

fn refused_without_the_password(case: Case) {
    let run = case.fails();
    assert!(
        !run.stderr.contains(URL_PASSWORD) && !run.stdout.contains(URL_PASSWORD),
        "{}",
        run.stderr
    );
}

#[test]
fn proxy_url_with_a_password() {
    refused_without_the_password(Case::new("proxy_url_with_a_password").edit(
        "https://push.acme.example",
        "https://push:Hunter2pw@push.acme.example",
    ));
}

#[test]
fn proxy_url_with_a_query() {
    Case::new("proxy_url_with_a_query")
        .edit(
            "https://push.acme.example",
            "https://push.acme.example/?token=abc",
        )
        .fails();
}

#[test]
fn proxy_url_with_a_fragment() {
    Case::new("proxy_url_with_a_fragment")
        .edit("https://push.acme.example", "https://push.acme.example/#x")
        .fails();
}

#[test]
fn https_proxy_with_a_password() {
    refused_without_the_password(Case::new("https_proxy_with_a_password").append(
        "[push.network]\nhttps_proxy = \"http://svc:Hunter2pw@proxy.corp.example:3128\"\n",
    ));
}

/// An invalid URL's error shows the value, but not what stands before its `@`.
#[test]
fn invalid_https_proxy_with_a_password() {
    refused_without_the_password(Case::new("invalid_https_proxy_with_a_password").append(
        "[push.network]\nhttps_proxy = \"http://svc:Hunter2pw@proxy corp.example:3128\"\n",
    ));
}

#[test]
fn invalid_server_url_with_a_password() {
    refused_without_the_password(Case::new("invalid_server_url_with_a_password").edit(
        "https://chat.acme.example\"",
        "https://me:Hunter2pw@chat acme.example\"",
    ));
}

#[test]
fn https_proxy_password_inline() {
    refused_without_the_password(Case::new("https_proxy_password_inline").append(
        "[push.network]\nhttps_proxy = \"http://svc@proxy.corp.example:3128\"\nhttps_proxy_password = \"Hunter2pw\"\n",
    ));
}

#[test]
fn https_proxy_password_without_a_user() {
    Case::new("https_proxy_password_without_a_user")
        .append(
            "[push.network]\nhttps_proxy = \"http://proxy.corp.example:3128\"\nhttps_proxy_password = \"env:ACME_PROXY_PASSWORD\"\n",
        )
        .env("ACME_PROXY_PASSWORD", "not-shown")
        .fails();
}

#[test]
fn https_proxy_password_env_unset() {
    Case::new("https_proxy_password_env_unset")
        .append(
            "[push.network]\nhttps_proxy = \"http://svc@proxy.corp.example:3128\"\nhttps_proxy_password = \"env:MMBRAND_TEST_UNSET_PROXY_PASSWORD\"\n",
        )
        .fails();
}

#[test]
fn invalid_bundle_id() {
    Case::new("invalid_bundle_id")
        .edit(
            "bundle_id = \"com.acme.chat\"",
            "bundle_id = \"com.acme_chat\"",
        )
        .fails();
}

#[test]
fn java_keyword_in_package() {
    Case::new("java_keyword_in_package")
        .edit("package = \"com.acme.chat\"", "package = \"com.acme.new\"")
        .fails();
}

#[test]
fn every_identifier_problem_at_once() {
    Case::new("every_identifier_problem_at_once")
        .edit("name = \"acme\"", "name = \"Acme Corp\"")
        .edit("app = \"acmechat\"", "app = \"acme://\"")
        .edit(
            "aps_environment = \"production\"",
            "aps_environment = \"prod\"",
        )
        .fails();
}

#[test]
fn release_flags_out_of_range() {
    Case::new("release_flags_out_of_range")
        .arg(&["--app-version", "2.x", "--build-number", "0"])
        .fails();
}

#[test]
fn brand_file_versions_and_display_name() {
    Case::new("brand_file_versions_and_display_name")
        .edit(
            "display_name = \"Acme Chat\"",
            "display_name = \"Acme's Chat\"\napp_version = \"2.42\"\nbuild_number = 2100000001",
        )
        .fails();
}

#[test]
fn misspelt_config_key_and_wrong_type() {
    Case::new("misspelt_config_key_and_wrong_type")
        .edit(
            "ShowOnboarding = true",
            "ShowOnbording = true\nAutoSelectServerUrl = \"yes\"",
        )
        .fails();
}

#[test]
fn push_without_fork() {
    Case::new("push_without_fork").arg(&["--push"]).fails();
}

// ---- Credentials and paths outside the brand ----

#[test]
fn literal_credential_is_not_echoed() {
    let run = Case::new("literal_credential_is_not_echoed")
        .edit(
            "google_services = \"file:secrets/google-services.json\"",
            "google_services = \"{\\\"project_info\\\": 1}\"",
        )
        .fails();
    assert!(!run.stderr.contains("project_info"));
}

#[test]
fn unset_env_reference() {
    Case::new("unset_env_reference")
        .edit(
            "\"file:secrets/google-services.json\"",
            "\"env:MMBRAND_TEST_SURELY_UNSET\"",
        )
        .fails();
}

#[test]
fn missing_credential_file() {
    Case::new("missing_credential_file")
        .edit(
            "file:secrets/AuthKey_KEY1234567.p8",
            "file:secrets/AuthKey_NOPE.p8",
        )
        .fails();
}

#[test]
fn credential_file_of_2_gb() {
    let case = Case::new("credential_file_of_2_gb");
    let path = case.brand.dir.join("secrets/fcm-service-account.json");
    let file = fs::OpenOptions::new().write(true).open(path).unwrap();
    file.set_len(2 << 30).unwrap();
    case.fails();
}

#[test]
fn garbage_apns_key() {
    Case::new("garbage_apns_key")
        .write("secrets/AuthKey_KEY1234567.p8", "hello")
        .fails();
}

#[test]
fn empty_service_account() {
    Case::new("empty_service_account")
        .write("secrets/fcm-service-account.json", "")
        .fails();
}

#[test]
fn binary_google_services() {
    Case::new("binary_google_services")
        .write("secrets/google-services.json", [0u8, 159, 146, 150, 255])
        .fails();
}

#[test]
fn google_services_for_another_package() {
    Case::new("google_services_for_another_package")
        .edit(
            "package = \"com.acme.chat\"",
            "package = \"com.acme.other\"",
        )
        .fails();
}

#[test]
fn credential_path_with_dotdot() {
    Case::new("credential_path_with_dotdot")
        .write("../elsewhere/AuthKey.p8", p8_pem())
        .edit(
            "file:secrets/AuthKey_KEY1234567.p8",
            "file:../elsewhere/AuthKey.p8",
        )
        .fails();
}

#[test]
fn credential_path_absolute() {
    Case::new("credential_path_absolute")
        .edit("file:secrets/google-services.json", "file:/etc/passwd")
        .fails();
}

#[test]
fn credential_symlink_outside_the_brand() {
    Case::new("credential_symlink_outside_the_brand")
        .brand_dir(|dir| {
            let vault = dir.parent().unwrap().join("vault");
            fs::create_dir_all(&vault).unwrap();
            fs::rename(
                dir.join("secrets/fcm-service-account.json"),
                vault.join("sa.json"),
            )
            .unwrap();
        })
        .symlink("secrets/fcm-service-account.json", "[TMP]/vault/sa.json")
        .fails();
}

#[test]
fn override_dir_outside_the_brand() {
    Case::new("override_dir_outside_the_brand")
        .edit(
            "override = \"override\"",
            "override = \"../shared-override\"",
        )
        .fails();
}

#[test]
fn override_dir_symlink_outside_the_brand() {
    Case::new("override_dir_symlink_outside_the_brand")
        .brand_dir(|dir| fs::rename(dir.join("override"), dir.join("../real-override")).unwrap())
        .symlink("override", "[TMP]/real-override")
        .fails();
}

#[test]
fn plan_refuses_paths_outside_the_brand_too() {
    Case::new("plan_refuses_paths_outside_the_brand_too")
        .edit("file:secrets/google-services.json", "file:/etc/hostname")
        .args(&["plan", "[BRAND]/brand.toml"])
        .fails();
}

#[test]
fn missing_override_dir() {
    Case::new("missing_override_dir")
        .edit("override = \"override\"", "override = \"overide\"")
        .fails();
}

// ---- The override tree ----

#[test]
fn override_symlink_to_a_system_file() {
    Case::new("override_symlink_to_a_system_file")
        .symlink("override/i18n/fr.json", "/etc/passwd")
        .fails();
}

#[test]
fn override_symlink_to_the_root_directory() {
    Case::new("override_symlink_to_the_root_directory")
        .symlink("override/images", "/")
        .fails();
}

#[test]
fn override_dangling_symlink() {
    Case::new("override_dangling_symlink")
        .symlink("override/images/logo.png", "[TMP]/gone.png")
        .fails();
}

#[test]
fn override_apple_push_key() {
    Case::new("override_apple_push_key")
        .write("override/AuthKey_KEY1234567.p8", p8_pem())
        .fails();
}

#[test]
fn override_pkcs12_bundle() {
    Case::new("override_pkcs12_bundle")
        .write("override/release/push.p12", [0x30u8, 0x82, 0x0a, 0x01])
        .fails();
}

/// A key made by an external tool (`openssl`, `ssh-keygen`) into a fresh temporary folder:
/// the file `out` after running `program args` there, or `None` (the test skips, saying
/// why) on a machine without the tool.
fn tool_key(program: &str, args: &[&str], out: &str) -> Option<Vec<u8>> {
    let dir = tempfile::tempdir().unwrap();
    match std::process::Command::new(program)
        .args(args)
        .current_dir(dir.path())
        .output()
    {
        Ok(o) if o.status.success() => Some(fs::read(dir.path().join(out)).unwrap()),
        Ok(o) => panic!("{program} {args:?}: {}", String::from_utf8_lossy(&o.stderr)),
        // CI installs the tools (.ci/run): there a missing one is a failure, not a skip.
        Err(e) if std::env::var_os("CI").is_some() => panic!("{program} is not available ({e})"),
        Err(e) => {
            eprintln!("SKIPPED: {program} is not available ({e})");
            None
        }
    }
}

/// An EC P-256 key in PKCS#8 PEM from openssl, which each case then converts.
const OPENSSL_KEY: &[&str] = &[
    "genpkey",
    "-algorithm",
    "EC",
    "-pkeyopt",
    "ec_paramgen_curve:P-256",
    "-out",
    "key.pem",
];

/// `openssl genpkey` then one conversion of its key, in the same folder.
fn openssl_key(convert: &[&str], out: &str) -> Option<Vec<u8>> {
    let script = format!(
        "openssl {} && openssl {}",
        OPENSSL_KEY.join(" "),
        convert.join(" ")
    );
    tool_key("sh", &["-c", &script], out)
}

#[test]
fn override_der_pkcs8_key() {
    use p256::pkcs8::EncodePrivateKey;
    let key = p256::SecretKey::random(&mut rand_core::OsRng);
    Case::new("override_der_pkcs8_key")
        .write(
            "override/release/signing.der",
            key.to_pkcs8_der().unwrap().as_bytes(),
        )
        .fails();
}

#[test]
fn override_der_sec1_key() {
    let key = p256::SecretKey::random(&mut rand_core::OsRng);
    Case::new("override_der_sec1_key")
        .write("override/images/key.bin", &*key.to_sec1_der().unwrap())
        .fails();
}

#[test]
fn override_der_pkcs1_key() {
    use rsa::pkcs1::EncodeRsaPrivateKey;
    let der = rsa_key().to_pkcs1_der().unwrap();
    Case::new("override_der_pkcs1_key")
        .write("override/release/rsa.key", der.as_bytes())
        .fails();
}

#[test]
fn override_encrypted_der_key() {
    let Some(der) = openssl_key(
        &[
            "pkcs8",
            "-topk8",
            "-in",
            "key.pem",
            "-outform",
            "DER",
            "-passout",
            "pass:secret",
            "-out",
            "key.der",
        ],
        "key.der",
    ) else {
        return;
    };
    Case::new("override_encrypted_der_key")
        .write("override/release/key.der", der)
        .fails();
}

/// A PKCS#12 bundle under a neutral name: found by its structure, not its extension.
#[test]
fn override_pkcs12_by_content() {
    let Some(p12) = openssl_key(
        &[
            "req",
            "-x509",
            "-new",
            "-key",
            "key.pem",
            "-subj",
            "/CN=acme",
            "-days",
            "1",
            "-out",
            "cert.pem",
            "&&",
            "openssl",
            "pkcs12",
            "-export",
            "-inkey",
            "key.pem",
            "-in",
            "cert.pem",
            "-passout",
            "pass:",
            "-out",
            "bundle.bin",
        ],
        "bundle.bin",
    ) else {
        return;
    };
    Case::new("override_pkcs12_by_content")
        .write("override/release/bundle.bin", p12)
        .fails();
}

fn ssh_keygen() -> Option<Vec<u8>> {
    tool_key(
        "ssh-keygen",
        &["-q", "-t", "ed25519", "-N", "", "-C", "test", "-f", "id"],
        "id",
    )
}

#[test]
fn override_openssh_key() {
    let Some(key) = ssh_keygen() else {
        return;
    };
    Case::new("override_openssh_key")
        .write("override/images/id_ed25519", key)
        .fails();
}

/// The binary `openssh-key-v1` form inside the armour, stored bare.
#[test]
fn override_openssh_binary_key() {
    let Some(key) = ssh_keygen() else {
        return;
    };
    let binary = pem::parse(key).unwrap().into_contents();
    Case::new("override_openssh_binary_key")
        .write("override/images/id.bin", binary)
        .fails();
}

/// A key pasted as bare base64 into a JSON file of the override.
#[test]
fn override_base64_key_in_json() {
    use p256::pkcs8::EncodePrivateKey;
    let der = p256::SecretKey::random(&mut rand_core::OsRng)
        .to_pkcs8_der()
        .unwrap();
    let armoured = pem::encode(&pem::Pem::new("PRIVATE KEY", der.as_bytes()));
    let body: String = armoured
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    Case::new("override_base64_key_in_json")
        .write(
            "override/i18n/fr.json",
            format!("{{\"mobile.signing.key\": \"{body}\"}}\n"),
        )
        .fails();
}

/// An obviously fake PuTTY key file (no puttygen needed): the header is what counts.
#[test]
fn override_putty_key() {
    Case::new("override_putty_key")
        .write(
            "override/release/deploy.ppk",
            "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: fake-for-tests\nPublic-Lines: 1\nAAAAC3NzaC1lZDI1NTE5AAAAIFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAK\nPrivate-Lines: 1\nAAAAIFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKE\nPrivate-MAC: 00\n",
        )
        .fails();
}

#[test]
fn override_service_account() {
    Case::new("override_service_account")
        .write(
            "override/i18n/fr.json",
            service_account("acme-chat-example"),
        )
        .fails();
}

#[test]
fn override_extra_file_in_apply_suggests_no_flag() {
    let run = Case::new("override_extra_file_in_apply_suggests_no_flag")
        .write("override/release/icons/ios/41@2x.png", "x")
        .fails();
    assert!(
        !run.stderr.contains("--allow-extra"),
        "apply has no --allow-extra"
    );
}

#[test]
fn merge_extra_file_suggests_allow_extra() {
    Case::new("merge_extra_file_suggests_allow_extra")
        .write("override/release/icons/ios/41@2x.png", "x")
        .args(&[
            "merge",
            "[FIXTURES]/mattermost-mobile/assets/base",
            "[BRAND]/override",
            "[OUT]",
        ])
        .fails();
}

#[test]
fn override_json_nested_100000_deep() {
    Case::new("override_json_nested_100000_deep")
        .write("override/i18n/fr.json", nested("[", "]", 100_000))
        .fails();
}

#[test]
fn override_json_too_large() {
    let case = Case::new("override_json_too_large");
    let file = fs::File::create(case.brand.dir.join("override/i18n/fr.json")).unwrap();
    file.set_len(65 << 20).unwrap();
    case.fails();
}

#[test]
fn override_config_empty() {
    Case::new("override_config_empty")
        .write("override/config.json", "")
        .fails();
}

#[test]
fn override_config_binary() {
    Case::new("override_config_binary")
        .write("override/config.json", [0x89u8, b'P', b'N', b'G', 0, 0xff])
        .fails();
}

#[test]
fn override_config_not_an_object() {
    Case::new("override_config_not_an_object")
        .write("override/config.json", "[1, 2]")
        .fails();
}

#[test]
fn override_file_where_base_has_a_directory() {
    Case::new("override_file_where_base_has_a_directory")
        .write("override/images", "not a directory")
        .fails();
}

#[test]
fn override_directory_where_base_has_a_file() {
    Case::new("override_directory_where_base_has_a_file")
        .write("override/images/icon.png/inner.png", "x")
        .fails();
}

#[test]
fn override_file_name_not_utf8() {
    use std::os::unix::ffi::OsStrExt;
    Case::new("override_file_name_not_utf8")
        .brand_dir(|dir| {
            let name = std::ffi::OsStr::from_bytes(b"logo\xff.png");
            write(&dir.join("override/images").join(name), "x");
        })
        .fails();
}

#[test]
fn override_image_of_the_wrong_size() {
    let case = Case::new("override_image_of_the_wrong_size");
    write_png(
        &case.brand.dir.join("override/release/icons/ios/40@2x.png"),
        81,
        80,
        [0, 0, 0, 255],
    );
    case.fails();
}

#[test]
fn override_image_that_is_not_an_image() {
    Case::new("override_image_that_is_not_an_image")
        .write("override/images/logo.png", "not a png")
        .fails();
}

// ---- The upstream's assets ----

#[test]
fn base_config_empty() {
    Case::new("base_config_empty")
        .upstream(|up| fs::write(up.join("assets/base/config.json"), "").unwrap())
        .fails();
}

#[test]
fn base_config_binary() {
    Case::new("base_config_binary")
        .upstream(|up| fs::write(up.join("assets/base/config.json"), [0xffu8, 0, 1]).unwrap())
        .fails();
}

#[test]
fn base_json_nested_100000_deep() {
    Case::new("base_json_nested_100000_deep")
        .upstream(|up| {
            let deep =
                format!("{{\"a\": {}}}", nested("{\"a\":", "}", 100_000)).replace(":}", ":1}");
            fs::write(up.join("assets/base/i18n/fr.json"), deep).unwrap()
        })
        .fails();
}

#[test]
fn base_json_nested_100000_deep_under_an_override() {
    Case::new("base_json_nested_100000_deep_under_an_override")
        .write("override/i18n/fr.json", "{}")
        .upstream(|up| {
            let deep = nested("{\"a\":", "}", 100_000);
            fs::write(up.join("assets/base/i18n/fr.json"), deep).unwrap()
        })
        .fails();
}

// ---- Native files of the upstream ----

#[test]
fn upstream_moved_a_gradle_anchor() {
    Case::new("upstream_moved_a_gradle_anchor")
        .upstream(|up| {
            edit_file(
                &up.join("android/app/build.gradle"),
                "applicationId \"com.mattermost.rnbeta\"",
                "applicationId = \"com.mattermost.rnbeta\"",
            )
        })
        .fails();
}

#[test]
fn info_plist_without_the_bundle_identifier() {
    Case::new("info_plist_without_the_bundle_identifier")
        .upstream(|up| {
            edit_file(
                &up.join("ios/Mattermost/Info.plist"),
                "<key>CFBundleIdentifier</key>",
                "<key>CFBundleIdentifierX</key>",
            )
        })
        .fails();
}

#[test]
fn info_plist_that_is_not_a_plist() {
    Case::new("info_plist_that_is_not_a_plist")
        .upstream(|up| fs::write(up.join("ios/Mattermost/Info.plist"), "{ not xml").unwrap())
        .fails();
}

#[test]
fn info_plist_nested_100000_deep() {
    Case::new("info_plist_nested_100000_deep")
        .upstream(|up| {
            let deep = format!(
                "<dict>\n<key>Deep</key>{}",
                nested("<array>", "</array>", 100_000)
            );
            edit_file(&up.join("ios/Mattermost/Info.plist"), "<dict>", &deep)
        })
        .fails();
}

#[test]
fn manifest_nested_100000_deep() {
    Case::new("manifest_nested_100000_deep")
        .upstream(|up| {
            let deep = format!("{}</manifest>", nested("<a>", "</a>", 100_000));
            edit_file(
                &up.join("android/app/src/main/AndroidManifest.xml"),
                "</manifest>",
                &deep,
            )
        })
        .fails();
}

#[test]
fn xcode_project_nested_100000_deep() {
    Case::new("xcode_project_nested_100000_deep")
        .upstream(|up| {
            let deep = format!("deep = {};\n\tobjects = {{", nested("(", ")", 100_000));
            edit_file(
                &up.join("ios/Mattermost.xcodeproj/project.pbxproj"),
                "objects = {",
                &deep,
            )
        })
        .fails();
}

#[test]
fn xcode_project_without_team_lines() {
    Case::new("xcode_project_without_team_lines")
        .upstream(|up| {
            let path = up.join("ios/Mattermost.xcodeproj/project.pbxproj");
            let text = fs::read_to_string(&path).unwrap();
            fs::write(
                &path,
                text.replace("DEVELOPMENT_TEAM = ", "DEVELOPMENT_TEAM_X = "),
            )
            .unwrap();
        })
        .fails();
}

#[test]
fn strings_xml_without_app_name() {
    Case::new("strings_xml_without_app_name")
        .upstream(|up| {
            edit_file(
                &up.join("android/app/src/main/res/values/strings.xml"),
                "name=\"app_name\"",
                "name=\"app_title\"",
            )
        })
        .fails();
}

// ---- git ----

#[test]
fn unknown_ref() {
    let case = Case::new("unknown_ref");
    git_upstream(case.brand.tmp.path(), "v2.42.3");
    case.arg(&[
        "--source",
        "[TMP]/mattermost-mobile.git-src",
        "--ref",
        "v9.9.9",
    ])
    .fails();
}

#[test]
fn ref_on_a_plain_directory() {
    Case::new("ref_on_a_plain_directory")
        .arg(&[
            "--source",
            "[FIXTURES]/mattermost-mobile",
            "--ref",
            "v2.42.3",
        ])
        .fails();
}

#[test]
fn source_that_does_not_exist() {
    Case::new("source_that_does_not_exist")
        .arg(&["--source", "[TMP]/nothing-here"])
        .fails();
}

#[test]
fn file_url_that_is_not_a_repository() {
    Case::new("file_url_that_is_not_a_repository")
        .arg(&["--source", "file://[TMP]/nothing-here.git"])
        .fails();
}

#[test]
fn url_with_a_closed_port() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let run = Case::new("url_with_a_closed_port")
        .arg(&["--source", &format!("http://127.0.0.1:{port}/x.git")])
        .fails();
    assert!(run.stderr.contains(&format!("127.0.0.1:{port}")));
}

/// A port on which nothing listens, so a clone fails at once, offline.
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// CI passes a token in the URL (`https://user:TOKEN@host/…`): no message repeats it.
#[test]
fn url_with_a_token_is_not_shown() {
    let url = format!("http://ci-bot:tok3n@127.0.0.1:{}/x.git", closed_port());
    let run = Case::new("url_with_a_token_is_not_shown")
        .arg(&["--source", &url])
        .fails();
    assert!(!run.stderr.contains("tok3n") && !run.stderr.contains("ci-bot"));
}

#[test]
fn url_with_a_token_in_the_brand_file_is_not_shown() {
    let url = format!("https://ci-bot:tok3n@127.0.0.1:{}/x.git", closed_port());
    // The rest of the line (the fixture's path) becomes a comment.
    let run = Case::new("url_with_a_token_in_the_brand_file_is_not_shown")
        .edit("repo = \"", &format!("repo = {url:?} # \""))
        .fails();
    assert!(!run.stderr.contains("tok3n") && !run.stderr.contains("ci-bot"));
}

#[test]
fn url_with_a_token_is_not_shown_by_plan() {
    let url = format!("https://ci-bot:tok3n@127.0.0.1:{}/x.git", closed_port());
    let run = Case::new("url_with_a_token_is_not_shown_by_plan")
        .args(&["plan", "[BRAND]/brand.toml", "--source", &url])
        .fails();
    assert!(!run.stderr.contains("tok3n") && !run.stderr.contains("ci-bot"));
}

/// A server that accepts the connection and never answers: the clone must give up after the
/// timeout instead of hanging the pipeline.
#[test]
fn url_of_a_server_that_never_answers() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    // Accepts and holds every connection, saying nothing.
    std::thread::spawn(move || {
        let held: Vec<_> = listener.incoming().collect();
        drop(held);
    });
    let started = Instant::now();
    Case::new("url_of_a_server_that_never_answers")
        .arg(&["--source", &format!("http://127.0.0.1:{port}/x.git")])
        .env("MMBRAND_GIT_TIMEOUT_SECS", "2")
        .fails()
        .stderr_has("timed out");
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn git_timeout_that_is_not_a_number() {
    Case::new("git_timeout_that_is_not_a_number")
        .env("MMBRAND_GIT_TIMEOUT_SECS", "soon")
        .fails();
}

// ---- The output directory ----

#[test]
fn failure_leaves_an_existing_output_untouched() {
    Case::new("failure_leaves_an_existing_output_untouched")
        .existing_output()
        .edit("team_id = \"AB12CD34EF\"", "team_id = \"ab12\"")
        .fails();
}

#[test]
fn deep_json_leaves_an_existing_output_untouched() {
    Case::new("deep_json_leaves_an_existing_output_untouched")
        .existing_output()
        .write("override/i18n/fr.json", nested("{\"a\":", "}", 100_000))
        .fails();
}

/// Files apply did not write, outside app/'s git tree, would vanish in a re-apply.
#[test]
fn reapply_files_added_outside_the_app_tree() {
    Case::new("reapply_files_added_outside_the_app_tree")
        .existing_output()
        .in_output(|out| {
            write(&out.join("push-proxy/extra.conf"), "mine\n");
            write(&out.join("server/notes.md"), "mine\n");
            write(&out.join("app/dist/extra.js"), "mine\n");
        })
        .edit(
            "display_name = \"Acme Chat\"",
            "display_name = \"Acme Talk\"",
        )
        .fails();
}

/// A commit of the user on the brand branch would no longer be on it after a re-apply.
#[test]
fn reapply_commit_on_the_brand_branch() {
    Case::new("reapply_commit_on_the_brand_branch")
        .existing_output()
        .in_output(|out| {
            let repo = git2::Repository::open(out.join("app")).unwrap();
            let head = repo.head().unwrap().peel_to_commit().unwrap();
            let sig = git2::Signature::new(
                "Dev",
                "dev@example.invalid",
                &git2::Time::new(1_700_000_000, 0),
            )
            .unwrap();
            repo.commit(
                Some("HEAD"),
                &sig,
                &sig,
                "Local fix",
                &head.tree().unwrap(),
                &[&head],
            )
            .unwrap();
        })
        .edit(
            "display_name = \"Acme Chat\"",
            "display_name = \"Acme Talk\"",
        )
        .fails();
}

/// `--out <symlink>/`: the trailing slash must not make the link look like the directory it
/// points to (the swap would replace the link, not its target).
#[test]
fn out_symlink_with_a_trailing_slash() {
    Case::new("out_symlink_with_a_trailing_slash")
        .symlink("../out", "[TMP]/elsewhere")
        .args(&["apply", "[BRAND]/brand.toml", "--out", "[OUT]/"])
        .fails();
}

// ---- What the refusals above must not catch ----

/// `--allow-outside-brand-dir` lifts the refusal of `credential_path_with_dotdot` and
/// `credential_symlink_outside_the_brand`.
#[test]
fn the_flag_allows_paths_and_links_outside_the_brand() {
    let b = TempBrand::acme();
    let vault = b.tmp.path().join("vault");
    fs::create_dir_all(&vault).unwrap();
    fs::rename(
        b.dir.join("secrets/AuthKey_KEY1234567.p8"),
        vault.join("key.p8"),
    )
    .unwrap();
    fs::rename(
        b.dir.join("secrets/fcm-service-account.json"),
        vault.join("sa.json"),
    )
    .unwrap();
    std::os::unix::fs::symlink(
        vault.join("sa.json"),
        b.dir.join("secrets/fcm-service-account.json"),
    )
    .unwrap();
    b.edit("file:secrets/AuthKey_KEY1234567.p8", "file:../vault/key.p8");
    b.apply(&[]).expect(1);
    b.apply(&["--allow-outside-brand-dir"]).expect(0);
}

/// A symlink that stays inside the override tree is followed.
#[test]
fn a_symlink_inside_the_override_tree_is_followed() {
    let b = TempBrand::acme();
    let i18n = b.dir.join("override/i18n");
    std::os::unix::fs::symlink("en.json", i18n.join("fr.json")).unwrap();
    b.apply(&[]).expect(0);
    assert_eq!(
        read_json(&b.app("dist/assets/i18n/fr.json"))["mobile.login.title"],
        read_json(&b.app("dist/assets/i18n/en.json"))["mobile.login.title"]
    );
}

// ---- Validated once, used as validated (issue 16) ----

/// The url crate (like a browser) would strip the space, so the value checked and the value
/// written would differ.
#[test]
fn server_url_with_leading_space() {
    Case::new("server_url_with_leading_space")
        .edit(
            "url = \"https://chat.acme.example\"",
            "url = \" https://chat.acme.example\"",
        )
        .fails();
}

#[test]
fn server_url_without_slashes() {
    Case::new("server_url_without_slashes")
        .edit(
            "url = \"https://chat.acme.example\"",
            "url = \"https:chat.acme.example\"",
        )
        .fails();
}

#[test]
fn server_url_with_backslashes() {
    Case::new("server_url_with_backslashes")
        .edit(
            "url = \"https://chat.acme.example\"",
            r#"url = "https:\\\\chat.acme.example""#,
        )
        .fails();
}

#[test]
fn server_url_with_tab_in_host() {
    Case::new("server_url_with_tab_in_host")
        .edit(
            "url = \"https://chat.acme.example\"",
            r#"url = "https://chat.ac\tme.example""#,
        )
        .fails();
}

#[test]
fn proxy_url_with_trailing_space() {
    Case::new("proxy_url_with_trailing_space")
        .edit(
            "proxy_url = \"https://push.acme.example\"",
            "proxy_url = \"https://push.acme.example \"",
        )
        .fails();
}

#[test]
fn config_overrides_server_and_scheme_keys() {
    Case::new("config_overrides_server_and_scheme_keys")
        .edit(
            "ShowOnboarding = true",
            "ShowOnboarding = true\nDefaultServerUrl = \"javascript:alert(1)\"\nAuthUrlScheme = \"evil://\"",
        )
        .fails();
}

#[test]
fn override_config_overrides_auth_scheme() {
    Case::new("override_config_overrides_auth_scheme")
        .write(
            "override/config.json",
            "{\"AuthUrlSchemeDev\": \"evil://\", \"DefaultServerUrl\": \"https://chat.acme.example\"}",
        )
        .fails();
}

#[test]
fn app_scheme_owned_by_browsers() {
    Case::new("app_scheme_owned_by_browsers")
        .edit("app = \"acmechat\"", "app = \"https\"")
        .edit("auth = \"acmeauth\"", "auth = \"javascript\"")
        .fails();
}

#[test]
fn kotlin_keyword_in_package() {
    Case::new("kotlin_keyword_in_package")
        .edit("package = \"com.acme.chat\"", "package = \"com.fun.chat\"")
        .fails();
}

#[test]
fn server_name_with_control_character() {
    Case::new("server_name_with_control_character")
        .edit(
            "name = \"Acme Chat\"\nauto_select",
            "name = \"Acme\\u0007Chat\"\nauto_select",
        )
        .fails();
}

#[test]
fn display_name_with_format_substitutions() {
    Case::new("display_name_with_format_substitutions")
        .edit(
            "display_name = \"Acme Chat\"",
            "display_name = \"Chat %s %d\"",
        )
        .fails();
}

#[test]
fn credential_named_like_a_generated_file() {
    Case::new("credential_named_like_a_generated_file")
        .brand_dir(|d| {
            fs::copy(
                d.join("secrets/fcm-service-account.json"),
                d.join("secrets/README.md"),
            )
            .unwrap();
        })
        .existing_output()
        .edit(
            "file:secrets/fcm-service-account.json",
            "file:secrets/README.md",
        )
        .fails();
}

#[test]
fn override_config_with_wrong_type_for_an_owned_key() {
    // The type check words it (the owned-key check leaves other types to it).
    Case::new("override_config_with_wrong_type_for_an_owned_key")
        .write(
            "override/config.json",
            "{\"AutoSelectServerUrl\": \"true\"}",
        )
        .fails();
}

/// A ListenAddress that would add a line to the compose file's `ports:` (or that compose
/// cannot publish) is refused naming the key.
#[test]
fn listen_address_not_a_port() {
    Case::new("listen_address_not_a_port")
        .edit(
            "# [push.proxy]",
            "[push.proxy]\nListenAddress = \":8066\\n      - 2222:22\"\n#",
        )
        .fails();
}
