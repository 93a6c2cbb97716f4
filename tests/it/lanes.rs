//! The branded tree is a fixed point of upstream's tree-modifying fastlane lanes: run with
//! the env files `apply` writes, they succeed and change nothing apply set (structured files
//! compared by content, which is what `verify` checks).

use std::fs;
use std::path::Path;

use crate::common::lanes::Lanes;
use crate::common::*;

fn verify(out: &Path) -> Run {
    mmbrand(["verify".as_ref(), out.as_os_str()])
}

fn run_all_lanes(app: &Path) {
    let ios = Lanes::new(app, &["acme", "acme.ios"]);
    ios.run_ios().unwrap_or_else(|e| panic!("iOS lanes: {e}"));
    let android = Lanes::new(app, &["acme", "acme.android"]);
    android
        .run_android()
        .unwrap_or_else(|e| panic!("Android lanes: {e}"));
}

#[test]
fn upstream_lanes_change_nothing_apply_set_on_real_files() {
    let Some(real) = upstream_mobile() else {
        return;
    };
    let brand = TempBrand::acme();
    let source = brand.real_upstream(&real);
    brand.apply(&["--source", &source]).expect(0);
    let app = brand.out.join("app");
    let plist_before = fs::read(app.join("ios/Mattermost/Info.plist")).unwrap();
    run_all_lanes(&app);
    // The replay really rewrote files (so verify had to compare them by content) ...
    assert_ne!(
        fs::read(app.join("ios/Mattermost/Info.plist")).unwrap(),
        plist_before
    );
    let strings =
        fs::read_to_string(app.join("android/app/src/main/res/values/strings.xml")).unwrap();
    assert!(strings.starts_with("<?xml version=\"1.0\"?>"), "{strings}");
    // ... and nothing apply set changed. A second round is still a no-op.
    let run = verify(&brand.out).expect(0);
    assert!(
        run.stdout.contains("re-serialised with the same content"),
        "{}",
        run.stdout
    );
    run_all_lanes(&app);
    verify(&brand.out).expect(0);
    // The lane's .strings equal apply's for the languages the project references.
    let info =
        fs::read_to_string(app.join("ios/Mattermost/i18n/en.lproj/InfoPlist.strings")).unwrap();
    assert!(!info.contains("{applicationName}"), "{info}");
    assert_deep_links_survive(&app);
}

/// The example brand's Universal Links entitlement and App Links filter are still there
/// after the lanes re-serialised the entitlements (plist gem) and the manifest (Nokogiri).
fn assert_deep_links_survive(app: &Path) {
    let ent = plist_dict(&app.join("ios/Mattermost/Mattermost.entitlements"));
    let domains: Vec<&str> = ent["com.apple.developer.associated-domains"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(plist::Value::as_string)
        .collect();
    assert_eq!(domains, ["applinks:chat.acme.example"]);
    let manifest = xml_tree(&app.join("android/app/src/main/AndroidManifest.xml"));
    let hosts: Vec<&str> = manifest
        .descendants("intent-filter")
        .into_iter()
        .filter(|f| f.attr("android:autoVerify") == Some("true"))
        .flat_map(|f| f.all("data"))
        .filter_map(|d| d.attr("android:host"))
        .collect();
    assert_eq!(hosts, ["chat.acme.example"; 3]);
}

#[test]
fn deep_links_and_emm_defaults_survive_the_lanes() {
    let brand = TempBrand::acme();
    brand.apply(&[]).expect(0);
    let app = brand.out.join("app");
    let manifest_before = fs::read(app.join("android/app/src/main/AndroidManifest.xml")).unwrap();
    run_all_lanes(&app);
    // The Android lane rewrote the manifest (Nokogiri), the iOS lane the entitlements.
    assert_ne!(
        fs::read(app.join("android/app/src/main/AndroidManifest.xml")).unwrap(),
        manifest_before
    );
    assert_deep_links_survive(&app);
    // No lane touches the managed-configuration schema; verify checks it with the rest.
    let restrictions =
        fs::read_to_string(app.join("android/app/src/main/res/xml/app_restrictions.xml")).unwrap();
    assert!(restrictions.contains("android:defaultValue=\"Acme IT\""));
    verify(&brand.out).expect(0);
    run_all_lanes(&app);
    verify(&brand.out).expect(0);
}

#[test]
fn a_miniature_upstream_gets_no_build_steps_it_could_not_run() {
    let brand = TempBrand::acme();
    let run = brand.apply(&[]).expect(0);
    assert!(
        run.stdout
            .contains("this upstream has no fastlane/Gemfile, so it cannot be built"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("bundle exec"), "{}", run.stdout);
}

#[test]
fn the_unguarded_source_move_is_what_breaks_the_android_lane() {
    let brand = TempBrand::acme();
    brand.apply(&[]).expect(0);
    let app = brand.out.join("app");
    let fastfile = app.join("fastlane/Fastfile");
    let guarded = fs::read_to_string(&fastfile).unwrap();
    let original = "sh \"mv .#{beta_dir}* .#{release_dir}\"";
    let line = guarded
        .lines()
        .find(|l| l.contains(original))
        .unwrap()
        .trim()
        .to_string();
    assert_ne!(line, original, "apply guards the move");
    fs::write(&fastfile, guarded.replace(&line, original)).unwrap();
    let lanes = Lanes::new(&app, &["acme", "acme.android"]);
    let err = lanes.android_update_identifiers().unwrap_err();
    assert!(
        err.contains("cannot stat") || err.contains("No such file"),
        "{err}"
    );
}

#[test]
fn an_env_without_the_beta_auth_scheme_would_be_caught_by_verify() {
    let brand = TempBrand::acme();
    brand.apply(&[]).expect(0);
    let app = brand.out.join("app");
    let env = app.join("fastlane/.env.acme");
    let text = fs::read_to_string(&env).unwrap();
    fs::write(&env, text.replace("APP_AUTH_SCHEME_BETA=acmeauth\n", "")).unwrap();
    Lanes::new(&app, &["acme", "acme.ios"]).configure().unwrap();
    verify(&brand.out)
        .expect(1)
        .stderr_has("app/dist/assets/config.json changed: /AuthUrlSchemeDev: expected \"acmeauth://\", found \"mmauthbeta://\"");
}

#[test]
fn android_package_other_than_the_bundle_id_builds_right_on_both_platforms() {
    let brand = TempBrand::acme();
    brand.edit(
        "package = \"com.acme.chat\"",
        "package = \"com.acme.android\"",
    );
    let gs = brand.dir.join("secrets/google-services.json");
    let text = fs::read_to_string(&gs).unwrap();
    fs::write(
        &gs,
        text.replace("\"com.acme.chat\"", "\"com.acme.android\""),
    )
    .unwrap();
    // A tree with upstream's fastlane Gemfile is buildable: apply prints the build steps.
    let upstream = brand.tmp.path().join("upstream");
    copy_tree(&fixture("mattermost-mobile"), &upstream);
    write(
        &upstream.join("fastlane/Gemfile"),
        "source \"https://rubygems.org\"\n",
    );
    let run = brand
        .apply(&["--source", upstream.to_str().unwrap()])
        .expect(0);
    assert!(
        run.stdout.contains("\n  cd fastlane && bundle install\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("bundle exec fastlane ios build --env acme,acme.ios\n"),
        "{}",
        run.stdout
    );
    assert!(run
        .stdout
        .contains("bundle exec fastlane android build --env acme,acme.android\n"));
    let app = brand.out.join("app");
    let env = |name: &str| {
        lanes::parse_dotenv(&fs::read_to_string(app.join("fastlane").join(name)).unwrap())
    };
    let get = |vars: &[(String, String)], key: &str| {
        vars.iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| panic!("{key} missing"))
    };
    let (ios, android, common) = (
        env(".env.acme.ios"),
        env(".env.acme.android"),
        env(".env.acme"),
    );
    assert_eq!(get(&ios, "MAIN_APP_IDENTIFIER"), "com.acme.chat");
    assert_eq!(get(&android, "MAIN_APP_IDENTIFIER"), "com.acme.android");
    assert_eq!(get(&android, "SUPPLY_PACKAGE_NAME"), "com.acme.android");
    assert_eq!(get(&common, "APP_NAME"), "Acme Chat");
    assert_eq!(get(&common, "BUILD_FOR_RELEASE"), "true");
    assert_eq!(get(&ios, "IOS_BUILD_EXPORT_METHOD"), "app-store");
    assert_eq!(get(&ios, "MATCH_TYPE"), "appstore");
    assert!(common.iter().all(|(k, _)| k != "MAIN_APP_IDENTIFIER"));

    run_all_lanes(&app);
    verify(&brand.out).expect(0);
    let gradle = fs::read_to_string(app.join("android/app/build.gradle")).unwrap();
    assert!(gradle.contains("applicationId \"com.acme.android\""));
    assert!(gradle.contains("namespace \"com.acme.android\""));
    assert!(app
        .join("android/app/src/main/java/com/acme/android/MainActivity.kt")
        .is_file());
    let pbx = fs::read_to_string(app.join("ios/Mattermost.xcodeproj/project.pbxproj")).unwrap();
    assert_eq!(
        pbx.matches("PRODUCT_BUNDLE_IDENTIFIER = com.acme.chat;")
            .count(),
        2
    );
    assert!(!pbx.contains("com.acme.android"));
    let main = plist_dict(&app.join("ios/Mattermost/Info.plist"));
    assert_eq!(
        main["CFBundleIdentifier"].as_string(),
        Some("com.acme.chat")
    );
}
