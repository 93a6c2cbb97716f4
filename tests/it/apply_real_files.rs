//! `apply` on the miniature upstream with every real upstream data file from ../shared laid
//! over it (all of assets/base, the iOS plists and entitlements, the Android manifest,
//! strings and google-services.json), so the edits are proven on upstream's actual files.

use std::fs;

use crate::common::*;

#[test]
fn real_upstream_files_are_branded() {
    let Some(real) = upstream_mobile() else {
        return;
    };
    let brand = TempBrand::acme();
    let source = brand.real_upstream(&real);
    brand.apply(&["--source", &source]).expect(0);

    let main = plist_dict(&brand.app("ios/Mattermost/Info.plist"));
    assert_eq!(
        main["CFBundleIdentifier"].as_string(),
        Some("com.acme.chat")
    );
    assert_eq!(main["CFBundleDisplayName"].as_string(), Some("Acme Chat"));
    assert_eq!(
        main["AppGroupIdentifier"].as_string(),
        Some("group.com.acme.chat")
    );
    let share = plist_dict(&brand.app("ios/MattermostShare/Info.plist"));
    assert_eq!(
        share["CFBundleIdentifier"].as_string(),
        Some("com.acme.chat.MattermostShare")
    );
    let ent = plist_dict(&brand.app("ios/Mattermost/Mattermost.entitlements"));
    assert_eq!(ent["aps-environment"].as_string(), Some("production"));
    let android = [
        "android/app/src/main/AndroidManifest.xml",
        "android/app/src/main/res/values/strings.xml",
    ];
    for rel in IOS_PLISTS.into_iter().chain(android) {
        let text = fs::read_to_string(brand.app(rel)).unwrap();
        assert!(!text.contains("com.mattermost.rnbeta"), "{rel}");
        assert!(!text.contains("mmauthbeta"), "{rel}");
    }
    let manifest =
        fs::read_to_string(brand.app("android/app/src/main/AndroidManifest.xml")).unwrap();
    assert!(manifest.contains("android:scheme=\"acmechat\""));
    assert!(manifest.contains("android:scheme=\"acmeauth\""));
    let strings =
        fs::read_to_string(brand.app("android/app/src/main/res/values/strings.xml")).unwrap();
    assert!(strings.contains("<string name=\"app_name\">Acme Chat</string>"));
    assert!(
        strings.contains("Copy&amp;Paste Protection"),
        "the rest of strings.xml is untouched"
    );

    let config = read_json(&brand.app("dist/assets/config.json"));
    assert_eq!(config["DefaultServerUrl"], "https://chat.acme.example");
    let en = read_json(&brand.app("dist/assets/i18n/en.json"));
    assert_eq!(en["about.date"], "Built on:");
    assert!(en.as_object().unwrap().len() > 1000);
    mmbrand(["verify".as_ref(), brand.out.as_os_str()]).expect(0);
}

/// Re-apply over an output of upstream's real files: a plist re-serialised by another tool
/// (as Xcode or fastlane rewrite them) is not an edit, a changed value is, named by key.
#[test]
fn re_apply_over_real_files_tells_reformatting_from_edits() {
    let Some(real) = upstream_mobile() else {
        return;
    };
    let brand = TempBrand::acme();
    let source = brand.real_upstream(&real);
    brand.apply(&["--source", &source]).expect(0);
    let info = brand.app("ios/Mattermost/Info.plist");
    let written = fs::read(&info).unwrap();
    let mut value = plist::Value::from_file(&info).unwrap();
    value.to_file_xml(&info).unwrap();
    assert_ne!(
        fs::read(&info).unwrap(),
        written,
        "other bytes, same content"
    );
    brand.apply(&["--source", &source]).expect(0);

    let dict = value.as_dictionary_mut().unwrap();
    dict.insert("CFBundleDisplayName".into(), "Mine".into());
    value.to_file_xml(&info).unwrap();
    let run = brand.apply(&["--source", &source]).expect(1);
    run.stderr_has("was changed since the last apply, and applying again would lose it")
        .stderr_has("app/ios/Mattermost/Info.plist changed: /CFBundleDisplayName");
}
