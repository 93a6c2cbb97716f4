//! Issue 16: a brand value is validated once and every consumer writes it as validated.
//! URLs are normalised (the form config.json, the EMM files, app_restrictions.xml and the
//! server's patch all get), and `[config]` may repeat what `[server]`/`[schemes]` set.
use std::fs;

use crate::common::*;

#[test]
fn every_consumer_writes_the_normalised_urls() {
    let brand = TempBrand::acme();
    brand
        .edit(
            "url = \"https://chat.acme.example\"",
            "url = \"HTTPS://Chat.ACME.example:443/\"",
        )
        .edit(
            "proxy_url = \"https://push.acme.example\"",
            "proxy_url = \"https://Push.Acme.example/\"",
        );
    brand.apply(&[]).expect(0);
    let url = "https://chat.acme.example";
    let config = read_json(&brand.app("dist/assets/config.json"));
    assert_eq!(config["DefaultServerUrl"], url);
    let managed = read_json(&brand.out.join("emm/managed-config.json"));
    assert_eq!(managed["serverUrl"], url);
    let appconfig = fs::read_to_string(brand.out.join("emm/appconfig.xml")).unwrap();
    assert!(appconfig.contains(url), "{appconfig}");
    assert!(!appconfig.contains("ACME"), "{appconfig}");
    let restrictions =
        fs::read_to_string(brand.app("android/app/src/main/res/xml/app_restrictions.xml")).unwrap();
    assert!(
        restrictions.contains(&format!("\"{url}\"")),
        "{restrictions}"
    );
    let patch = read_json(&brand.out.join("server/config-patch.json"));
    assert_eq!(
        patch["EmailSettings"]["PushNotificationServer"],
        "https://push.acme.example"
    );
}

#[test]
fn config_may_repeat_the_values_server_and_schemes_own() {
    let brand = TempBrand::acme();
    brand.edit(
        "ShowOnboarding = true",
        "ShowOnboarding = true\nDefaultServerUrl = \"https://chat.acme.example\"\nAuthUrlScheme = \"acmeauth://\"\nAutoSelectServerUrl = true",
    );
    write(
        &brand.dir.join("override/config.json"),
        "{\"DefaultServerName\": \"Acme Chat\", \"AuthUrlSchemeDev\": \"acmeauth://\"}",
    );
    brand.apply(&[]).expect(0);
    let config = read_json(&brand.app("dist/assets/config.json"));
    assert_eq!(config["AuthUrlSchemeDev"], "acmeauth://");
    assert_eq!(config["DefaultServerName"], "Acme Chat");
}

#[test]
fn a_single_percent_in_the_app_name_is_kept() {
    let brand = TempBrand::acme();
    brand.edit(
        "display_name = \"Acme Chat\"",
        "display_name = \"Acme 100% Chat\"",
    );
    brand.apply(&[]).expect(0);
    let strings =
        fs::read_to_string(brand.app("android/app/src/main/res/values/strings.xml")).unwrap();
    assert!(strings.contains(">Acme 100% Chat<"), "{strings}");
}

/// Every file `push-proxy/` holds besides the credentials is in the list credential names
/// are checked against, so a new generated file cannot silently take a credential's name.
#[test]
fn generated_proxy_files_are_all_reserved_names() {
    let brand = TempBrand::acme();
    brand.append("\n[push.network]\napns_relay = \"10.0.0.5\"\n");
    brand.apply(&[]).expect(0);
    let credentials = ["AuthKey_KEY1234567.p8", "fcm-service-account.json"];
    for entry in fs::read_dir(brand.out.join("push-proxy")).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        assert!(
            credentials.contains(&name.as_str())
                || mmbrand::push::GENERATED_NAMES.contains(&name.as_str()),
            "push-proxy/{name} is generated but not in push::GENERATED_NAMES"
        );
    }
}
