//! `[emm]`: the AppConfig specfile and key/value file (parsed as XML and JSON), the Android
//! restriction defaults read back with an XML parser, and the brand mistakes that exit 1.

use std::collections::BTreeMap;
use std::path::Path;

use crate::common::*;

/// Every managed-configuration key the app reads (v2.42.3), in the order of the outputs.
const APP_KEYS: [&str; 12] = [
    "inAppPinCode",
    "blurApplicationScreen",
    "jailbreakProtection",
    "copyAndPasteProtection",
    "serverUrl",
    "serverName",
    "allowOtherServers",
    "username",
    "timeout",
    "vendor",
    "timeoutVPN",
    "useVPN",
];
const SWITCHES: [&str; 6] = [
    "inAppPinCode",
    "blurApplicationScreen",
    "jailbreakProtection",
    "copyAndPasteProtection",
    "allowOtherServers",
    "useVPN",
];
const RESTRICTIONS: &str = "android/app/src/main/res/xml/app_restrictions.xml";

/// The values the example brand sets (its [emm] and [server]), by key.
fn example_values() -> BTreeMap<&'static str, &'static str> {
    BTreeMap::from([
        ("allowOtherServers", "false"),
        ("copyAndPasteProtection", "true"),
        ("serverName", "Acme Chat"),
        ("serverUrl", "https://chat.acme.example"),
        ("vendor", "Acme IT"),
    ])
}

fn verify(out: &Path) -> Run {
    mmbrand(["verify".as_ref(), out.as_os_str()])
}

/// The specfile's `<dict>`: key -> default value (None when the key has no default).
fn appconfig_defaults(out: &Path) -> Vec<(String, Option<String>)> {
    let root = xml_tree(&out.join("emm/appconfig.xml"));
    assert_eq!(root.name, "managedAppConfiguration");
    root.one("dict")
        .children
        .iter()
        .map(|s| {
            assert_eq!(
                s.name, "string",
                "all values are strings, as the app reads them"
            );
            let default = s
                .all("defaultValue")
                .first()
                .map(|d| d.one("value").text.clone());
            (s.attr("keyName").unwrap().to_string(), default)
        })
        .collect()
}

/// app_restrictions.xml: android:key -> android:defaultValue.
fn restriction_defaults(path: &Path) -> BTreeMap<String, String> {
    xml_tree(path)
        .all("restriction")
        .iter()
        .map(|r| {
            assert_eq!(r.attr("android:restrictionType"), Some("string"));
            (
                r.attr("android:key").unwrap().to_string(),
                r.attr("android:defaultValue").unwrap().to_string(),
            )
        })
        .collect()
}

fn strings(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn example_brand_writes_specfile_key_values_and_android_defaults() {
    let brand = TempBrand::acme();
    brand.apply(&[]).expect(0);

    let root = xml_tree(&brand.out.join("emm/appconfig.xml"));
    assert_eq!(root.one("version").text, "1");
    assert_eq!(root.one("bundleId").text, "com.acme.chat");
    let defaults = appconfig_defaults(&brand.out);
    let keys: Vec<&str> = defaults.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys, APP_KEYS);
    assert!(
        !keys.contains(&"inAppSessionAuth"),
        "the app never reads it"
    );
    let set: BTreeMap<&str, &str> = defaults
        .iter()
        .filter_map(|(k, v)| v.as_deref().map(|v| (k.as_str(), v)))
        .collect();
    assert_eq!(set, example_values());
    // Switches are string-typed with the two values the app compares against.
    for s in root.one("dict").all("string") {
        let key = s.attr("keyName").unwrap();
        let allowed: Vec<String> = s
            .all("constraint")
            .iter()
            .flat_map(|c| c.all("values"))
            .flat_map(|v| v.all("value"))
            .map(|v| v.text.clone())
            .collect();
        if SWITCHES.contains(&key) {
            assert_eq!(allowed, ["true", "false"], "{key}");
        } else {
            assert!(allowed.is_empty(), "{key}");
        }
    }
    let presentation = root.one("presentation");
    assert_eq!(presentation.attr("defaultLocale"), Some("en-US"));
    let fields = presentation.all("field");
    let field_keys: Vec<&str> = fields.iter().filter_map(|f| f.attr("keyName")).collect();
    assert_eq!(field_keys, APP_KEYS);
    for f in &fields {
        let key = f.attr("keyName").unwrap();
        let expected = if SWITCHES.contains(&key) {
            "select"
        } else {
            "input"
        };
        assert_eq!(f.attr("type"), Some(expected), "{key}");
        assert!(!f.one("label").one("language").text.is_empty());
        assert_eq!(
            f.one("description").one("language").attr("value"),
            Some("en-US")
        );
    }

    let json = read_json(&brand.out.join("emm/managed-config.json"));
    assert_eq!(
        json,
        serde_json::json!({
            "copyAndPasteProtection": "true",
            "serverUrl": "https://chat.acme.example",
            "serverName": "Acme Chat",
            "allowOtherServers": "false",
            "vendor": "Acme IT",
        })
    );
    let order: Vec<&String> = json.as_object().unwrap().keys().collect();
    assert_eq!(
        order,
        [
            "copyAndPasteProtection",
            "serverUrl",
            "serverName",
            "allowOtherServers",
            "vendor"
        ]
    );

    assert_eq!(
        restriction_defaults(&brand.app(RESTRICTIONS)),
        strings(&[
            ("inAppPinCode", "false"),
            ("inAppSessionAuth", "false"),
            ("blurApplicationScreen", "false"),
            ("jailbreakProtection", "false"),
            ("copyAndPasteProtection", "true"),
            ("serverUrl", "https://chat.acme.example"),
            ("serverName", "Acme Chat"),
            ("allowOtherServers", "false"),
            ("username", ""),
            ("timeout", "10000"),
            ("vendor", "Acme IT"),
        ])
    );
    let lock = read_json(&brand.out.join("mmbrand.lock.json"));
    for file in [
        "emm/appconfig.xml",
        "emm/managed-config.json",
        &format!("app/{RESTRICTIONS}"),
    ] {
        assert!(lock["files"][file].is_string(), "{file} not in the lock");
    }
    verify(&brand.out).expect(0);
}

#[test]
fn every_key_set_and_escaped() {
    let brand = TempBrand::acme();
    brand.remove_section("emm");
    brand.append(
        r#"[emm]
allow_other_servers = true
copy_and_paste_protection = false
in_app_pin_code = true
blur_application_screen = true
jailbreak_protection = true
vendor = "@Acme & Co's <IT>"
server_url = "https://other.acme.example"
server_name = "Acme \"Prod\""
username = "jdoe@acme.example"
timeout = 30000
timeout_vpn = 60000
use_vpn = true
"#,
    );
    brand.apply(&[]).expect(0);
    let expected = [
        ("inAppPinCode", "true"),
        ("blurApplicationScreen", "true"),
        ("jailbreakProtection", "true"),
        ("copyAndPasteProtection", "false"),
        ("serverUrl", "https://other.acme.example"),
        ("serverName", "Acme \"Prod\""),
        ("allowOtherServers", "true"),
        ("username", "jdoe@acme.example"),
        ("timeout", "30000"),
        ("vendor", "@Acme & Co's <IT>"),
        ("timeoutVPN", "60000"),
        ("useVPN", "true"),
    ];
    let defaults = appconfig_defaults(&brand.out);
    let got: Vec<(&str, &str)> = defaults
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_deref().expect("every key has a default")))
        .collect();
    assert_eq!(got, expected);
    let json = read_json(&brand.out.join("emm/managed-config.json"));
    let json_pairs: Vec<(&str, &str)> = json
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str().unwrap()))
        .collect();
    assert_eq!(json_pairs, expected);
    // Android: the keys its schema declares, escaped for aapt2 (backslash escapes, a leading
    // '@' would be a resource reference); timeoutVPN and useVPN reach the iOS app only.
    let android = restriction_defaults(&brand.app(RESTRICTIONS));
    assert_eq!(android["vendor"], "\\@Acme & Co\\'s <IT>");
    assert_eq!(android["serverName"], "Acme \\\"Prod\\\"");
    assert_eq!(android["timeout"], "30000");
    assert_eq!(android["inAppPinCode"], "true");
    assert_eq!(android["inAppSessionAuth"], "false");
    assert!(!android.contains_key("timeoutVPN") && !android.contains_key("useVPN"));
    verify(&brand.out).expect(0);
}

#[test]
fn server_defaults_come_from_the_server_section() {
    let brand = TempBrand::acme();
    brand.remove_section("emm");
    brand.apply(&[]).expect(0);
    assert_eq!(
        read_json(&brand.out.join("emm/managed-config.json")),
        serde_json::json!({"serverUrl": "https://chat.acme.example", "serverName": "Acme Chat"})
    );
    let android = restriction_defaults(&brand.app(RESTRICTIONS));
    assert_eq!(android["serverUrl"], "https://chat.acme.example");
    assert_eq!(
        android["allowOtherServers"], "true",
        "upstream's default kept"
    );
}

#[test]
fn android_defaults_on_the_real_upstream_file() {
    let Some(real) = upstream_mobile() else {
        return;
    };
    let brand = TempBrand::acme();
    let source = brand.real_upstream(&real);
    brand.apply(&["--source", &source]).expect(0);
    let before = restriction_defaults(&real.join(RESTRICTIONS));
    let after = restriction_defaults(&brand.app(RESTRICTIONS));
    let changed: BTreeMap<&str, &str> = after
        .iter()
        .filter(|(k, v)| before.get(*k) != Some(v))
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(changed, example_values());
    // Every key the Android schema declares, except the unused inAppSessionAuth, is one the
    // specfile offers.
    let offered: Vec<String> = appconfig_defaults(&brand.out)
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    for key in before.keys().filter(|k| *k != "inAppSessionAuth") {
        assert!(offered.contains(key), "{key}");
    }
    verify(&brand.out).expect(0);
}

#[test]
fn unknown_emm_key_gets_a_suggestion() {
    let brand = TempBrand::acme();
    brand.edit("copy_and_paste_protection = true", "in_app_pincode = true");
    fails(&brand, &[])
        .stderr_has("unknown field `in_app_pincode`")
        .stderr_has("did you mean `in_app_pin_code`?");
    let brand = TempBrand::acme();
    brand.edit(
        "vendor = \"Acme IT\"",
        "serverUrl = \"https://chat.acme.example\"",
    );
    fails(&brand, &[]).stderr_has("did you mean `server_url`?");
}

#[test]
fn wrong_value_types_name_the_key() {
    let brand = TempBrand::acme();
    brand.edit(
        "copy_and_paste_protection = true",
        "in_app_pin_code = \"yes\"",
    );
    fails(&brand, &[]).stderr_has(
        "emm.in_app_pin_code: invalid type: string \"yes\", expected a boolean; write true or false, without quotes",
    );
    let brand = TempBrand::acme();
    brand.edit("vendor = \"Acme IT\"", "timeout = \"30000\"");
    fails(&brand, &[])
        .stderr_has("emm.timeout: invalid type: string \"30000\"")
        .stderr_has("write a whole number");
}

#[test]
fn values_the_app_cannot_use_are_refused() {
    for (line, message) in [
        (
            "timeout = 30",
            "emm.timeout: 30 is under a second: the value is in milliseconds",
        ),
        ("timeout_vpn = 0", "emm.timeout_vpn: 0 is under a second"),
        (
            "server_url = \"http://chat.acme.example\"",
            "emm.server_url: \"http://chat.acme.example\" must use https://",
        ),
        (
            "in_app_session_auth = true",
            "emm.in_app_session_auth: the app does not read inAppSessionAuth",
        ),
        ("username = \"\"", "emm.username: must not be empty"),
    ] {
        let brand = TempBrand::acme();
        brand.edit("vendor = \"Acme IT\"", line);
        fails(&brand, &[]).stderr_has(message);
    }
}

#[test]
fn plan_lists_the_emm_files_and_the_restriction_defaults() {
    let brand = TempBrand::acme();
    let run = mmbrand(["plan".as_ref(), brand.file().as_os_str()]).expect(0);
    for line in [
        "generated emm/appconfig.xml",
        "generated emm/managed-config.json",
        &format!("modified  app/{RESTRICTIONS}"),
        "+            android:defaultValue=\"Acme IT\" />",
    ] {
        assert!(
            run.stdout.contains(line),
            "plan lacks {line:?}:\n{}",
            run.stdout
        );
    }
}

/// What an Android EMM console shows for each restriction: the strings app_restrictions.xml
/// references (titles and descriptions) name the brand instead of "Mattermost"; strings it
/// does not reference are left as upstream has them.
#[test]
fn console_titles_of_the_restrictions_name_the_brand() {
    let brand = TempBrand::acme();
    brand.apply(&[]).expect(0);
    let strings_xml = "android/app/src/main/res/values/strings.xml";
    let read = |path: &Path| -> BTreeMap<String, String> {
        xml_tree(path)
            .all("string")
            .iter()
            .map(|s| (s.attr("name").unwrap().to_string(), s.text.clone()))
            .collect()
    };
    let branded = read(&brand.app(strings_xml));
    let upstream = read(&fixture("mattermost-mobile").join(strings_xml));
    assert_eq!(branded["serverUrl_title"], "Acme Chat Server URL");
    assert_eq!(branded["serverName_title"], "Acme Chat Server Name");
    let restrictions = std::fs::read_to_string(brand.app(RESTRICTIONS)).unwrap();
    for (name, text) in &branded {
        if restrictions.contains(&format!("\"@string/{name}\"")) {
            assert!(!text.contains("Mattermost"), "{name}: {text:?}");
            assert_eq!(text, &upstream[name].replace("Mattermost", "Acme Chat"));
        } else if name != "app_name" {
            assert_eq!(text, &upstream[name], "{name}: not an EMM string");
        }
    }
}
