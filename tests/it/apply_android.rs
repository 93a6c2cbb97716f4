//! `mmbrand apply`: the Android identifiers, schemes, app name, package move and Firebase
//! config, read back with an XML parser where the file is XML.

use std::fs;

use crate::common::*;

/// The values of `attr` on every `element` of an XML file.
fn xml_attrs(path: &std::path::Path, element: &str, attr: &str) -> Vec<String> {
    let text = fs::read_to_string(path).unwrap();
    let mut reader = quick_xml::Reader::from_str(&text);
    let mut out = Vec::new();
    loop {
        match reader.read_event().unwrap() {
            quick_xml::events::Event::Empty(e) | quick_xml::events::Event::Start(e)
                if e.name().as_ref() == element =>
            {
                for a in e.attributes().map(Result::unwrap) {
                    if a.key.as_ref() == attr {
                        out.push(
                            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                                .unwrap()
                                .into_owned(),
                        );
                    }
                }
            }
            quick_xml::events::Event::Eof => break,
            _ => {}
        }
    }
    out
}

/// The decoded text of `<string name="...">`.
fn string_resource(path: &std::path::Path, name: &str) -> String {
    let text = fs::read_to_string(path).unwrap();
    let mut reader = quick_xml::Reader::from_str(&text);
    let mut inside = false;
    loop {
        match reader.read_event().unwrap() {
            quick_xml::events::Event::Start(e) if e.name().as_ref() == "string" => {
                inside = e
                    .attributes()
                    .map(Result::unwrap)
                    .any(|a| a.key.as_ref() == "name" && a.value.as_ref() == name);
            }
            quick_xml::events::Event::Text(t) if inside => return t.xml10_content().into_owned(),
            quick_xml::events::Event::GeneralRef(r) if inside => {
                return format!("&{};", r.xml10_content())
            }
            quick_xml::events::Event::Eof => panic!("no string {name}"),
            _ => {}
        }
    }
}

#[test]
fn android_identifiers_schemes_and_name_are_branded() {
    let brand = TempBrand::acme();
    brand.apply(&[]).expect(0);

    let gradle = fs::read_to_string(brand.app("android/app/build.gradle")).unwrap();
    assert!(gradle.contains("    namespace \"com.acme.chat\"\n"));
    assert!(gradle.contains("        applicationId \"com.acme.chat\"\n"));
    assert!(!gradle.contains("rnbeta"));

    let schemes = xml_attrs(
        &brand.app("android/app/src/main/AndroidManifest.xml"),
        "data",
        "android:scheme",
    );
    // The URL schemes, then the example brand's App Links filter (deep_links.rs).
    assert_eq!(schemes, ["acmechat", "acmeauth", "https", "https", "https"]);
    assert_eq!(
        string_resource(
            &brand.app("android/app/src/main/res/values/strings.xml"),
            "app_name"
        ),
        "Acme Chat"
    );

    let gs = read_json(&brand.app("android/app/google-services.json"));
    assert_eq!(
        gs["client"][0]["client_info"]["android_client_info"]["package_name"],
        "com.acme.chat"
    );
    assert_eq!(gs["project_info"]["project_id"], "acme-chat-example");
}

#[test]
fn sources_move_to_the_brand_package() {
    let brand = TempBrand::acme();
    brand.apply(&[]).expect(0);
    let java = brand.app("android/app/src/main/java");
    assert!(
        !java.join("com/mattermost/rnbeta").exists(),
        "old package folder removed"
    );
    let mut names: Vec<String> = fs::read_dir(java.join("com/acme/chat"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "CustomPushNotification.kt",
            "MainActivity.kt",
            "MainApplication.kt",
            "NotificationDismissService.java",
            "NotificationReplyBroadcastReceiver.java",
            "ReceiptDelivery.java"
        ]
    );
    for name in &names {
        let text = fs::read_to_string(java.join("com/acme/chat").join(name)).unwrap();
        let first = text.lines().next().unwrap();
        let expected = if name.ends_with(".java") {
            "package com.acme.chat;"
        } else {
            "package com.acme.chat"
        };
        assert_eq!(first, expected, "{name}");
    }
    let helper =
        fs::read_to_string(java.join("com/mattermost/helpers/CustomPushNotificationHelper.java"))
            .unwrap();
    assert!(helper.contains("import com.acme.chat.*;"));
    let detox = fs::read_to_string(
        brand.app("android/app/src/androidTest/java/com/acme/chat/DetoxTest.java"),
    )
    .unwrap();
    assert!(detox.starts_with("package com.acme.chat;"));

    // No upstream package left anywhere in the Android project.
    for entry in walkdir::WalkDir::new(brand.app("android"))
        .into_iter()
        .map(Result::unwrap)
    {
        if entry.file_type().is_file() && entry.path().extension().is_some_and(|e| e != "png") {
            let text = fs::read_to_string(entry.path()).unwrap();
            assert!(
                !text.contains("com.mattermost.rnbeta"),
                "{}",
                entry.path().display()
            );
        }
    }
}

#[test]
fn app_name_is_escaped_for_android() {
    let brand = TempBrand::acme();
    brand.edit(
        "display_name = \"Acme Chat\"",
        "display_name = \"Acme’s <Chat> & Co\"",
    );
    brand.apply(&[]).expect(0);
    let raw = fs::read_to_string(brand.app("android/app/src/main/res/values/strings.xml")).unwrap();
    assert!(
        raw.contains("<string name=\"app_name\">Acme’s &lt;Chat&gt; &amp; Co</string>"),
        "{raw}"
    );
    let main = plist_dict(&brand.app("ios/Mattermost/Info.plist"));
    assert_eq!(
        main["CFBundleDisplayName"].as_string(),
        Some("Acme’s <Chat> & Co")
    );
}

#[test]
fn release_icons_reach_the_android_resources() {
    let brand = TempBrand::acme();
    brand.apply(&[]).expect(0);
    let icon = brand.app("android/app/src/main/res/mipmap-mdpi/ic_launcher.png");
    assert_eq!(
        sha256(&icon),
        sha256(
            &brand
                .dir
                .join("override/release/icons/android/mipmap-mdpi/ic_launcher.png")
        )
    );
}
