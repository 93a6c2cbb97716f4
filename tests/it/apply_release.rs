//! What release pipelines need from the branded tree: version and build number where
//! upstream's lanes write them, launch screens that take effect, and diffs that show
//! branding only.

use std::fs;
use std::path::Path;

use crate::common::*;

fn gradle_value(app: &Path, key: &str) -> String {
    let gradle = fs::read_to_string(app.join("android/app/build.gradle")).unwrap();
    let line = gradle
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with(&format!("{key} ")))
        .unwrap();
    line[key.len()..].trim().trim_matches('"').to_string()
}

fn pbx_values(app: &Path, key: &str) -> Vec<String> {
    let pbx = fs::read_to_string(app.join("ios/Mattermost.xcodeproj/project.pbxproj")).unwrap();
    pbx.lines()
        .filter_map(|l| l.trim().strip_prefix(&format!("{key} = ")))
        .map(|v| v.trim_end_matches(';').to_string())
        .collect()
}

#[test]
fn version_and_build_number_land_everywhere_the_lanes_write_them() {
    let brand = TempBrand::acme();
    brand.edit(
        "display_name = \"Acme Chat\"",
        "display_name = \"Acme Chat\"\napp_version = \"1.0.0\"\nbuild_number = 7",
    );
    // The flags win over the brand file's keys.
    brand
        .apply(&["--app-version", "3.1.4", "--build-number", "2100000000"])
        .expect(0);
    let app = brand.out.join("app");
    assert_eq!(read_json(&app.join("package.json"))["version"], "3.1.4");
    let lock = read_json(&app.join("package-lock.json"));
    assert_eq!(lock["version"], "3.1.4");
    assert_eq!(
        lock["packages"][""]["version"], "2.41.0",
        "as the lane: top level only"
    );
    assert_eq!(gradle_value(&app, "versionName"), "3.1.4");
    assert_eq!(gradle_value(&app, "versionCode"), "2100000000");
    assert_eq!(
        pbx_values(&app, "CURRENT_PROJECT_VERSION"),
        vec!["2100000000"; 4]
    );
    assert_eq!(pbx_values(&app, "MARKETING_VERSION"), vec!["3.1.4"; 2]);
    for plist in [
        "ios/Mattermost/Info.plist",
        "ios/MattermostShare/Info.plist",
        "ios/NotificationService/Info.plist",
    ] {
        let d = plist_dict(&app.join(plist));
        assert_eq!(
            d["CFBundleShortVersionString"].as_string(),
            Some("3.1.4"),
            "{plist}"
        );
        assert_eq!(
            d["CFBundleVersion"].as_string(),
            Some("2100000000"),
            "{plist}"
        );
    }
    // The package.json edit touched one line.
    let text = fs::read_to_string(app.join("package.json")).unwrap();
    let original = fs::read_to_string(fixture("mattermost-mobile/package.json")).unwrap();
    let changed: Vec<_> = text
        .lines()
        .zip(original.lines())
        .filter(|(a, b)| a != b)
        .collect();
    assert_eq!(
        changed,
        vec![("  \"version\": \"3.1.4\",", "  \"version\": \"2.42.3\",")]
    );
    mmbrand(["verify".as_ref(), brand.out.as_os_str()]).expect(0);
}

#[test]
fn without_a_version_upstreams_stays() {
    let brand = TempBrand::acme();
    brand.apply(&[]).expect(0);
    let app = brand.out.join("app");
    assert_eq!(gradle_value(&app, "versionName"), "2.42.3");
    assert_eq!(pbx_values(&app, "CURRENT_PROJECT_VERSION"), vec!["795"; 4]);
    assert_eq!(
        fs::read(app.join("package.json")).unwrap(),
        fs::read(fixture("mattermost-mobile/package.json")).unwrap()
    );
}

/// Every file apply added or changed under ios/ and android/app/src/main/res is one the
/// project uses: an existing file, an asset-catalog entry its Contents.json names, a
/// resource variant of a name the project has, or a .lproj the Xcode project groups.
fn assert_all_written_files_are_referenced(app: &Path) {
    let lock = read_json(&app.parent().unwrap().join("mmbrand.lock.json"));
    let repo = git2::Repository::open(app).unwrap();
    let head = repo.head().unwrap().peel_to_tree().unwrap();
    let pbx = fs::read_to_string(app.join("ios/Mattermost.xcodeproj/project.pbxproj")).unwrap();
    for key in lock["files"].as_object().unwrap().keys() {
        let Some(rel) = key.strip_prefix("app/") else {
            continue;
        };
        let native = rel.starts_with("ios/") || rel.starts_with("android/app/src/main/res/");
        if !native || head.get_path(Path::new(rel)).is_ok() {
            continue;
        }
        let path = Path::new(rel);
        let dir = path.parent().unwrap();
        let name = path.file_name().unwrap().to_str().unwrap();
        let referenced = if let Some(lproj) = dir.to_str().unwrap().strip_prefix("ios/") {
            if lproj.contains(".lproj") {
                pbx.contains(&format!("path = {lproj};"))
                    || pbx.contains(&format!("path = \"{lproj}\";"))
            } else {
                let contents =
                    fs::read_to_string(app.join(dir).join("Contents.json")).unwrap_or_default();
                contents.contains(&format!("\"{name}\""))
            }
        } else {
            let stem = name.split('.').next().unwrap();
            let kind = dir
                .file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .split('-')
                .next()
                .unwrap()
                .to_string();
            let res = app.join("android/app/src/main/res");
            fs::read_dir(&res).unwrap().any(|d| {
                let d = d.unwrap();
                d.file_name().to_str().unwrap().split('-').next().unwrap() == kind
                    && head
                        .get_path(&Path::new("android/app/src/main/res").join(d.file_name()))
                        .ok()
                        .is_some()
                    && fs::read_dir(d.path()).unwrap().any(|f| {
                        f.unwrap()
                            .file_name()
                            .to_str()
                            .unwrap()
                            .split('.')
                            .next()
                            .unwrap()
                            == stem
                    })
            })
        };
        assert!(
            referenced,
            "{rel} is written but nothing in the project uses it"
        );
    }
}

#[test]
fn splash_overrides_land_where_the_project_looks() {
    let brand = TempBrand::acme();
    write(
        &brand
            .dir
            .join("override/release/splash_screen/ios/LaunchScreen.storyboard"),
        "<document>brand launch screen</document>\n",
    );
    write(
        &brand.dir.join("override/release/splash_screen/android/values/styles.xml"),
        "<resources><style name=\"AppTheme\"><item name=\"android:windowBackground\">@drawable/launch_screen</item></style></resources>\n",
    );
    let run = mmbrand(["plan".as_ref(), brand.file().as_os_str()]).expect(0);
    assert!(run.stdout.contains("brand release/splash_screen/ios/LaunchScreen.storyboard -> app/ios/SplashScreenResource/SplashScreen.storyboard"), "{}", run.stdout);
    brand.apply(&[]).expect(0);
    let app = brand.out.join("app");
    // v2.42 launches SplashScreen.storyboard (UILaunchStoryboardName): the brand's lands there.
    assert_eq!(
        fs::read_to_string(app.join("ios/SplashScreenResource/SplashScreen.storyboard")).unwrap(),
        "<document>brand launch screen</document>\n"
    );
    assert!(!app
        .join("ios/SplashScreenResource/LaunchScreen.storyboard")
        .exists());
    // The brand asked for its theme, so it replaces upstream's.
    let styles =
        fs::read_to_string(app.join("android/app/src/main/res/values/styles.xml")).unwrap();
    assert!(styles.contains("<style name=\"AppTheme\">"));
    assert_all_written_files_are_referenced(&app);
}

#[test]
fn base_release_files_never_change_the_theme_or_add_unused_files() {
    let brand = TempBrand::acme();
    brand.apply(&[]).expect(0);
    let app = brand.out.join("app");
    assert_eq!(
        fs::read(app.join("android/app/src/main/res/values/styles.xml")).unwrap(),
        fs::read(fixture(
            "mattermost-mobile/android/app/src/main/res/values/styles.xml"
        ))
        .unwrap(),
        "upstream's base styles.xml (@layout/launch_screen) must not replace the project's theme"
    );
    assert!(!app.join("android/app/src/main/res/layout").exists());
    assert_all_written_files_are_referenced(&app);
}

#[test]
fn an_older_project_launching_launchscreen_gets_it_there() {
    // v2.40.0: UILaunchStoryboardName = LaunchScreen, file SplashScreenResource/LaunchScreen.storyboard.
    let brand = TempBrand::acme();
    let upstream = brand.tmp.path().join("upstream-2.40");
    copy_tree(&fixture("mattermost-mobile"), &upstream);
    let plist = upstream.join("ios/Mattermost/Info.plist");
    let text = fs::read_to_string(&plist).unwrap();
    fs::write(
        &plist,
        text.replace(
            "<string>SplashScreen</string>",
            "<string>LaunchScreen</string>",
        ),
    )
    .unwrap();
    let pbx = upstream.join("ios/Mattermost.xcodeproj/project.pbxproj");
    let text = fs::read_to_string(&pbx).unwrap();
    fs::write(
        &pbx,
        text.replace("SplashScreen.storyboard", "LaunchScreen.storyboard"),
    )
    .unwrap();
    fs::rename(
        upstream.join("ios/SplashScreenResource/SplashScreen.storyboard"),
        upstream.join("ios/SplashScreenResource/LaunchScreen.storyboard"),
    )
    .unwrap();
    write(
        &brand
            .dir
            .join("override/release/splash_screen/ios/LaunchScreen.storyboard"),
        "<document>brand</document>\n",
    );
    brand
        .apply(&["--source", upstream.to_str().unwrap()])
        .expect(0);
    assert_eq!(
        fs::read_to_string(brand.app("ios/SplashScreenResource/LaunchScreen.storyboard")).unwrap(),
        "<document>brand</document>\n"
    );
}

#[test]
fn plist_edits_touch_only_branded_keys_on_real_files() {
    let Some(real) = upstream_mobile() else {
        return;
    };
    let brand = TempBrand::acme();
    let upstream = brand.tmp.path().join("upstream");
    copy_tree(&fixture("mattermost-mobile"), &upstream);
    copy_tree(&real.join("ios"), &upstream.join("ios"));
    brand
        .apply(&["--source", upstream.to_str().unwrap()])
        .expect(0);
    let branded_keys = [
        "CFBundleIdentifier",
        "CFBundleDisplayName",
        "AppGroupIdentifier",
        "CFBundleURLSchemes",
        "aps-environment",
        "com.apple.security.application-groups",
        "keychain-access-groups",
        "com.apple.developer.icloud-container-identifiers",
        "com.apple.developer.ubiquity-container-identifiers",
        "com.apple.developer.associated-domains",
    ];
    for rel in IOS_PLISTS {
        let before = fs::read_to_string(real.join(rel)).unwrap();
        let after = fs::read_to_string(brand.app(rel)).unwrap();
        assert_eq!(
            before.ends_with('\n'),
            after.ends_with('\n'),
            "{rel}: final newline"
        );
        let diff = similar::TextDiff::from_lines(&before, &after);
        for op in diff.ops() {
            let (tag, old, _new) = op.as_tag_tuple();
            if tag == similar::DiffTag::Equal {
                continue;
            }
            // The key owning a changed line: the nearest <key> above it in the old text.
            let first_changed = old.start.min(before.lines().count().saturating_sub(1));
            let key = before
                .lines()
                .take(first_changed + 1)
                .filter_map(|l| {
                    l.trim()
                        .strip_prefix("<key>")
                        .and_then(|k| k.strip_suffix("</key>"))
                })
                .last()
                .unwrap_or("");
            assert!(
                branded_keys.contains(&key),
                "{rel}: a line under {key:?} changed"
            );
        }
        assert!(
            !after.contains("&apos;") && !after.contains("&#39;"),
            "{rel}"
        );
    }
}
