//! `mmbrand apply`: every iOS identifier in every file, read back with a plist parser.

use crate::common::*;
use plist::Value;

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_string)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn every_ios_identifier_is_branded() {
    let brand = TempBrand::acme();
    brand.apply(&[]).expect(0);

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
    let url_type = main["CFBundleURLTypes"].as_array().unwrap()[0]
        .as_dictionary()
        .unwrap();
    assert_eq!(
        strings(url_type.get("CFBundleURLSchemes")),
        ["acmechat", "acmeauth"]
    );
    assert_eq!(
        main["BundleEntryFilename"].as_string(),
        Some("index.js"),
        "other keys kept"
    );

    let share = plist_dict(&brand.app("ios/MattermostShare/Info.plist"));
    assert_eq!(
        share["CFBundleIdentifier"].as_string(),
        Some("com.acme.chat.MattermostShare")
    );
    assert_eq!(share["CFBundleDisplayName"].as_string(), Some("Acme Chat"));
    assert_eq!(
        share["AppGroupIdentifier"].as_string(),
        Some("group.com.acme.chat")
    );

    let notification = plist_dict(&brand.app("ios/NotificationService/Info.plist"));
    assert_eq!(
        notification["CFBundleIdentifier"].as_string(),
        Some("com.acme.chat.NotificationService"),
        "literal, as upstream's update_settings lane writes it"
    );
    assert_eq!(
        notification["AppGroupIdentifier"].as_string(),
        Some("group.com.acme.chat")
    );

    let ent = plist_dict(&brand.app("ios/Mattermost/Mattermost.entitlements"));
    assert_eq!(ent["aps-environment"].as_string(), Some("production"));
    assert_eq!(
        strings(ent.get("com.apple.security.application-groups")),
        ["group.com.acme.chat"]
    );
    assert_eq!(
        strings(ent.get("keychain-access-groups")),
        ["$(AppIdentifierPrefix)com.acme.chat"]
    );
    assert_eq!(
        strings(ent.get("com.apple.developer.icloud-container-identifiers")),
        ["iCloud.com.acme.chat"]
    );
    for rel in [
        "ios/MattermostShare/MattermostShare.entitlements",
        "ios/NotificationService/NotificationService.entitlements",
    ] {
        let ent = plist_dict(&brand.app(rel));
        assert_eq!(
            strings(ent.get("com.apple.security.application-groups")),
            ["group.com.acme.chat"],
            "{rel}"
        );
    }

    let pbx =
        std::fs::read_to_string(brand.app("ios/Mattermost.xcodeproj/project.pbxproj")).unwrap();
    let ids: Vec<&str> = pbx
        .lines()
        .filter_map(|l| l.trim().strip_prefix("PRODUCT_BUNDLE_IDENTIFIER = "))
        .collect();
    assert_eq!(
        ids,
        [
            "com.acme.chat;",
            "com.acme.chat;",
            "com.acme.chat.NotificationService;",
            "com.acme.chat.NotificationService;",
            "com.acme.chat.MattermostShare;",
            "com.acme.chat.MattermostShare;"
        ]
    );
    let teams: Vec<&str> = pbx
        .lines()
        .filter_map(|l| l.trim().strip_prefix("DEVELOPMENT_TEAM = "))
        .collect();
    assert_eq!(teams, vec!["AB12CD34EF;"; 6]);

    for rel in [
        "ios/Mattermost/Info.plist",
        "ios/MattermostShare/Info.plist",
        "ios/Mattermost/Mattermost.entitlements",
        "ios/Mattermost.xcodeproj/project.pbxproj",
    ] {
        let text = std::fs::read_to_string(brand.app(rel)).unwrap();
        assert!(
            !text.contains("com.mattermost.rnbeta"),
            "{rel} still has the upstream id"
        );
    }
}

#[test]
fn derived_identifiers_can_be_overridden_and_development_is_kept() {
    let brand = TempBrand::acme();
    brand
        .edit("aps_environment = \"production\"", "aps_environment = \"development\"\napp_group = \"group.com.acme.shared\"\nshare_extension_id = \"com.acme.chat.share\"");
    brand.apply(&[]).expect(0);
    let ent = plist_dict(&brand.app("ios/Mattermost/Mattermost.entitlements"));
    assert_eq!(ent["aps-environment"].as_string(), Some("development"));
    assert_eq!(
        strings(ent.get("com.apple.security.application-groups")),
        ["group.com.acme.shared"]
    );
    let share = plist_dict(&brand.app("ios/MattermostShare/Info.plist"));
    assert_eq!(
        share["CFBundleIdentifier"].as_string(),
        Some("com.acme.chat.share")
    );
    let env = std::fs::read_to_string(brand.app("fastlane/.env.acme.ios")).unwrap();
    assert!(
        env.contains("EXTENSION_APP_IDENTIFIER=com.acme.chat.share\n"),
        "{env}"
    );
    assert!(env.contains("IOS_APP_GROUP=group.com.acme.shared\n"));
}

#[test]
fn release_icons_reach_the_xcode_asset_catalog() {
    let brand = TempBrand::acme();
    brand.apply(&[]).expect(0);
    let icon = brand.app("ios/Mattermost/Images.xcassets/AppIcon.appiconset/40@2x.png");
    assert_eq!(
        sha256(&icon),
        sha256(&brand.dir.join("override/release/icons/ios/40@2x.png"))
    );
    assert_eq!(png_size(&icon), (80, 80));
    // The brand does not override the launch screen: upstream's stays, and the lane's
    // unreferenced LaunchScreen.storyboard copy is not made.
    assert!(!brand
        .app("ios/SplashScreenResource/LaunchScreen.storyboard")
        .exists());
}

/// Xcode's signing pane shows the team of each target's `DevelopmentTeam = X;` in the
/// project's TargetAttributes (apart from the build settings' `DEVELOPMENT_TEAM`): every one
/// upstream has must name the brand's team, and none is added or lost.
#[test]
fn every_target_attributes_development_team_is_the_brands() {
    let brand = TempBrand::acme();
    brand.apply(&[]).expect(0);
    let pbxproj = "ios/Mattermost.xcodeproj/project.pbxproj";
    let values = |path: &std::path::Path, prefix: &str| -> Vec<String> {
        std::fs::read_to_string(path)
            .unwrap()
            .lines()
            .filter_map(|l| l.trim().strip_prefix(prefix))
            .map(|v| v.trim_end_matches(';').to_string())
            .collect()
    };
    let upstream = fixture("mattermost-mobile").join(pbxproj);
    for prefix in ["DevelopmentTeam = ", "DEVELOPMENT_TEAM = "] {
        let branded = values(&brand.app(pbxproj), prefix);
        assert!(!branded.is_empty(), "no {prefix:?} line");
        assert_eq!(branded.len(), values(&upstream, prefix).len(), "{prefix:?}");
        assert!(
            branded.iter().all(|t| t == "AB12CD34EF"),
            "{prefix:?}: {branded:?}"
        );
    }
}
