//! The registry, checked against the miniature upstream (fixtures/mattermost-mobile) and
//! the example brand (fixtures/brands/acme): every edit is still registered, applies to the
//! example, and changes its file; and apply's lock lists exactly the registry's files plus
//! the files it generates or moves.
use std::path::{Path, PathBuf};

use super::*;
use crate::brand::Brand;
use crate::inputs::Inputs;
use crate::layout::{self, Role};
use crate::native::{android, ios_strings};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn upstream() -> PathBuf {
    root().join("fixtures/mattermost-mobile")
}

/// The example brand, with a version and build number so the version edits apply too.
fn example() -> (Brand, Inputs) {
    let (mut brand, inputs) = crate::inputs::load(
        &root().join("fixtures/brands/acme/brand.toml"),
        Default::default(),
    )
    .unwrap_or_else(|e| panic!("{e:#}"));
    brand.version.version = Some("9.8.7".into());
    brand.version.build_number = Some(4321);
    (brand, inputs)
}

/// The edits' context for the example brand, reading upstream through `upstream`.
fn ctx_of<'a>(
    brand: &'a Brand,
    inputs: &'a Inputs,
    upstream: &'a dyn Fn(&str) -> Option<String>,
) -> EditCtx<'a> {
    EditCtx {
        brand,
        google_services: &inputs.google_services,
        deep_links: inputs.deep_links.as_ref(),
        upstream,
    }
}

/// Every edit, pinned: removing one from the registry (or adding one without a line here)
/// fails this test.
const EXPECTED: &[(&str, &str)] = &[
    (
        "ios/Mattermost.xcodeproj/project.pbxproj",
        "bundle identifiers and team",
    ),
    ("ios/Mattermost/Info.plist", "identity and URL schemes"),
    ("ios/MattermostShare/Info.plist", "identity"),
    ("ios/NotificationService/Info.plist", "identity"),
    (
        "ios/Mattermost/Mattermost.entitlements",
        "groups, aps and iCloud",
    ),
    (
        "ios/MattermostShare/MattermostShare.entitlements",
        "app group",
    ),
    (
        "ios/NotificationService/NotificationService.entitlements",
        "app group",
    ),
    (
        "ios/Mattermost/Mattermost.entitlements",
        "associated domains",
    ),
    ("android/app/build.gradle", "namespace and applicationId"),
    ("android/app/src/main/AndroidManifest.xml", "URL schemes"),
    (
        "android/app/src/main/AndroidManifest.xml",
        "package attribute",
    ),
    (
        "android/app/src/main/AndroidManifest.xml",
        "App Links filter",
    ),
    ("android/app/src/main/res/values/strings.xml", "app name"),
    (
        "android/app/src/main/res/values/strings.xml",
        "managed-configuration titles",
    ),
    (
        "fastlane/metadata/android/en-US/title.txt",
        "Play listing title",
    ),
    ("android/app/google-services.json", "Firebase client config"),
    (
        "android/app/src/main/res/xml/app_restrictions.xml",
        "managed-configuration defaults",
    ),
    ("package.json", "app version"),
    ("package-lock.json", "app version"),
    ("android/app/build.gradle", "app version"),
    ("ios/Mattermost.xcodeproj/project.pbxproj", "app version"),
    ("ios/Mattermost/Info.plist", "app version"),
    ("ios/MattermostShare/Info.plist", "app version"),
    ("ios/NotificationService/Info.plist", "app version"),
    ("android/app/build.gradle", "build number"),
    ("ios/Mattermost.xcodeproj/project.pbxproj", "build number"),
    ("ios/Mattermost/Info.plist", "build number"),
    ("ios/MattermostShare/Info.plist", "build number"),
    ("ios/NotificationService/Info.plist", "build number"),
    ("app.json", "expo.scheme"),
    ("fastlane/Fastfile", "guarded source move"),
];

#[test]
fn the_registry_lists_every_edit() {
    let listed: Vec<(&str, &str)> = registry().iter().map(|e| (e.path, e.name)).collect();
    assert_eq!(listed, EXPECTED);
}

/// Each edit, run alone on upstream's text, applies to the example and changes its file.
#[test]
fn every_edit_changes_its_file_on_the_example() {
    let (brand, inputs) = example();
    let up = upstream();
    let reader = reader(&up);
    let ctx = ctx_of(&brand, &inputs, &reader);
    for edit in registry() {
        let what = format!("{} ({})", edit.path, edit.name);
        assert!(
            edit.when.holds(&ctx),
            "{what}: not exercised by the example"
        );
        let before = match std::fs::read_to_string(up.join(edit.path)) {
            Ok(text) => text,
            Err(_) if edit.presence == Presence::Replaced => String::new(),
            Err(e) => panic!("{what}: the fixture upstream lacks it: {e}"),
        };
        let doc = Doc {
            path: edit.path,
            shown: edit.path,
        };
        let after = (edit.edit)(&before, &doc, &ctx).unwrap_or_else(|e| panic!("{what}: {e:#}"));
        assert_ne!(after, before, "{what}: made no change");
    }
}

/// The lock's app files are the registry's files, plus what apply generates (merged assets,
/// fastlane env files) or moves and writes whole (Java sources, iOS .strings, release
/// assets): none of them is listed by hand beside an edit.
#[test]
fn the_lock_lists_the_registry_files_and_the_generated_ones() {
    let (brand, inputs) = example();
    let out = tempfile::tempdir().unwrap();
    let args = crate::source::Spec {
        source: Some(upstream().display().to_string()),
        git_ref: None,
        object_store: None,
    };
    let built = crate::apply::build(
        &brand,
        &inputs,
        &args,
        crate::push::DEFAULT_PROXY_ROOT,
        out.path(),
    )
    .unwrap_or_else(|e| panic!("{e:#}"));
    let edited: BTreeSet<String> = built
        .lock
        .files
        .keys()
        .filter(|k| layout::role_of(k) == Role::UpstreamEdited)
        .filter_map(|k| k.strip_prefix("app/").map(str::to_string))
        .collect();
    let registry: BTreeSet<String> = edited_paths().iter().map(|p| p.to_string()).collect();
    let missing: Vec<_> = registry.difference(&edited).collect();
    assert!(
        missing.is_empty(),
        "registry files not in the lock: {missing:?}"
    );
    let placed: BTreeSet<String> = built
        .placements
        .iter()
        .filter_map(|p| p.to.clone())
        .collect();
    let file_sets = [
        android::JAVA_ROOT,
        android::TEST_JAVA_ROOT,
        ios_strings::I18N_DIR,
    ];
    let stray: Vec<_> = edited
        .difference(&registry)
        .filter(|k| !file_sets.iter().any(|d| Path::new(k).starts_with(d)))
        .filter(|k| !placed.contains(*k))
        .collect();
    assert!(
        stray.is_empty(),
        "lock files neither in the registry nor generated: {stray:?}"
    );
}

/// The project's team is the brand's everywhere Xcode reads it: the build settings and the
/// TargetAttributes the signing pane shows (one edit, two anchors; the loop above would
/// not notice one of them dropped).
#[test]
fn the_project_team_is_the_brands_in_settings_and_target_attributes() {
    let (brand, inputs) = example();
    let up = upstream();
    let reader = reader(&up);
    let ctx = ctx_of(&brand, &inputs, &reader);
    let text = std::fs::read_to_string(up.join(crate::native::ios::PBXPROJ)).unwrap();
    let doc = Doc {
        path: crate::native::ios::PBXPROJ,
        shown: "project.pbxproj",
    };
    let out = (registry()[0].edit)(&text, &doc, &ctx).unwrap();
    for setting in ["DEVELOPMENT_TEAM = ", "DevelopmentTeam = "] {
        let values: Vec<&str> = out
            .lines()
            .filter_map(|l| l.trim().strip_prefix(setting))
            .collect();
        assert!(!values.is_empty(), "the fixture has no {setting}");
        let team = format!("{};", brand.ios.team_id);
        assert!(values.iter().all(|v| *v == team), "{setting}{values:?}");
    }
}

/// The whole registry, in memory, on the example as the golden run brands it (no version
/// or build number): every file it changes has, byte for byte, the digest that
/// tests/golden/lock_files.txt records for apply's output. A fast stand-in for the golden
/// run (no checkout, no binary), so that any edit writing other text than apply's fails here.
#[test]
fn the_registry_output_is_the_golden_apply_output() {
    let (mut brand, inputs) = example();
    brand.version = Default::default();
    let up = upstream();
    let upstream_reader = reader(&up);
    let ctx = ctx_of(&brand, &inputs, &upstream_reader);
    let read = |rel: &str| -> anyhow::Result<Option<String>> {
        Ok(std::fs::read_to_string(up.join(rel)).ok())
    };
    let outputs =
        run_in_memory(&read, &|rel| rel.to_string(), &ctx).unwrap_or_else(|e| panic!("{e:#}"));
    let golden = std::fs::read_to_string(root().join("tests/golden/lock_files.txt")).unwrap();
    let locked: BTreeMap<&str, &str> = golden
        .lines()
        .filter_map(|l| l.split_once("  "))
        .filter_map(|(digest, path)| Some((path.strip_prefix("app/")?, digest)))
        .collect();
    let mut wrong = Vec::new();
    for (path, output) in &outputs {
        let digest = fsutil::sha256_hex(output.text.as_bytes());
        if locked.get(path) != Some(&digest.as_str()) {
            wrong.push(format!("{path}: changed {}, {digest}", output.changed));
        }
    }
    assert!(wrong.is_empty(), "not as in lock_files.txt: {wrong:#?}");
    let unchanged: Vec<_> = outputs.iter().filter(|(_, o)| !o.changed).collect();
    assert!(
        unchanged.is_empty(),
        "edited files left as upstream's: {:?}",
        unchanged.iter().map(|(p, _)| p).collect::<Vec<_>>()
    );
    let applicable: BTreeSet<&str> = registry()
        .iter()
        .filter(|e| e.when.holds(&ctx))
        .map(|e| e.path)
        .collect();
    assert_eq!(outputs.keys().copied().collect::<BTreeSet<_>>(), applicable);
}

/// The version and build-number edits alone, on upstream's text: each file comes out as
/// upstream's with exactly the version lines' values replaced (the fixture's nested
/// package-lock versions and every other line untouched).
#[test]
fn the_version_edits_write_exactly_the_version_values() {
    let (brand, inputs) = example();
    let up = upstream();
    let upstream_reader = reader(&up);
    let ctx = ctx_of(&brand, &inputs, &upstream_reader);
    let mut files: BTreeMap<&str, String> = BTreeMap::new();
    for edit in registry()
        .iter()
        .filter(|e| matches!(e.when, When::AppVersion | When::BuildNumber))
    {
        let text = files
            .entry(edit.path)
            .or_insert_with(|| std::fs::read_to_string(up.join(edit.path)).unwrap());
        let doc = Doc {
            path: edit.path,
            shown: edit.path,
        };
        *text = (edit.edit)(text, &doc, &ctx).unwrap_or_else(|e| panic!("{e:#}"));
    }
    let plist = [
        ("<string>2.42.3</string>", "<string>9.8.7</string>"),
        ("<string>795</string>", "<string>4321</string>"),
    ];
    let package = [("  \"version\": \"2.42.3\"", "  \"version\": \"9.8.7\"")];
    let expected: &[(&str, &[(&str, &str)])] = &[
        ("package.json", &package),
        ("package-lock.json", &package),
        (
            "android/app/build.gradle",
            &[
                ("versionCode 795", "versionCode 4321"),
                ("versionName \"2.42.3\"", "versionName \"9.8.7\""),
            ],
        ),
        (
            "ios/Mattermost.xcodeproj/project.pbxproj",
            &[
                (
                    "CURRENT_PROJECT_VERSION = 795;",
                    "CURRENT_PROJECT_VERSION = 4321;",
                ),
                ("MARKETING_VERSION = 1.0;", "MARKETING_VERSION = 9.8.7;"),
            ],
        ),
        ("ios/Mattermost/Info.plist", &plist),
        ("ios/MattermostShare/Info.plist", &plist),
        ("ios/NotificationService/Info.plist", &plist),
    ];
    assert_eq!(
        files.keys().copied().collect::<BTreeSet<_>>(),
        expected.iter().map(|(p, _)| *p).collect::<BTreeSet<_>>()
    );
    for (path, swaps) in expected {
        let mut want = std::fs::read_to_string(up.join(path)).unwrap();
        for (from, to) in *swaps {
            assert!(want.contains(from), "{path}: the fixture has no {from}");
            want = want.replace(from, to);
        }
        assert_eq!(files[path], want, "{path}");
    }
}

/// An Info.plist version that delegates to the build setting (`$(MARKETING_VERSION)`) is
/// left to the project edit.
#[test]
fn a_delegated_plist_version_is_left_to_the_build_setting() {
    let (brand, inputs) = example();
    let up = upstream();
    let upstream_reader = reader(&up);
    let ctx = ctx_of(&brand, &inputs, &upstream_reader);
    let path = "ios/Mattermost/Info.plist";
    let text = std::fs::read_to_string(up.join(path))
        .unwrap()
        .replace(
            "<string>2.42.3</string>",
            "<string>$(MARKETING_VERSION)</string>",
        )
        .replace(
            "<string>795</string>",
            "<string>$(CURRENT_PROJECT_VERSION)</string>",
        );
    let doc = Doc { path, shown: path };
    for edit in registry()
        .iter()
        .filter(|e| e.path == path && matches!(e.when, When::AppVersion | When::BuildNumber))
    {
        assert_eq!(
            (edit.edit)(&text, &doc, &ctx).unwrap(),
            text,
            "{}",
            edit.name
        );
    }
}

/// The files every lock must list (verify's "lock lists the edited upstream files"), pinned:
/// the edits that always apply to a file that must be there or is written whole; not the
/// conditional ones (versions, EMM defaults, the Fastfile guard) nor the optional ones
/// (the Play title, app.json).
#[test]
fn the_always_edited_paths_are_the_unconditional_required_files() {
    let expected: BTreeSet<&str> = [
        "ios/Mattermost.xcodeproj/project.pbxproj",
        "ios/Mattermost/Info.plist",
        "ios/MattermostShare/Info.plist",
        "ios/NotificationService/Info.plist",
        "ios/Mattermost/Mattermost.entitlements",
        "ios/MattermostShare/MattermostShare.entitlements",
        "ios/NotificationService/NotificationService.entitlements",
        "android/app/build.gradle",
        "android/app/src/main/AndroidManifest.xml",
        "android/app/src/main/res/values/strings.xml",
        "android/app/google-services.json",
    ]
    .into_iter()
    .collect();
    assert_eq!(always_edited_paths(), expected);
}

/// The pipeline on a checkout that lacks files or leaves one as it is: a missing required
/// file is an error naming it; a missing optional one is skipped (not created); a missing
/// replaced one is written whole; an optional file no edit changed is not an output.
#[test]
fn run_in_memory_skips_absent_optional_files_and_fails_absent_required_ones() {
    let (brand, inputs) = example();
    let up = upstream();
    let upstream_reader = reader(&up);
    let ctx = ctx_of(&brand, &inputs, &upstream_reader);
    let shown = |rel: &str| rel.to_string();
    let read_with = |missing: Vec<&'static str>| {
        let up = up.clone();
        move |rel: &str| -> anyhow::Result<Option<String>> {
            Ok(match rel {
                _ if missing.contains(&rel) => None,
                app_json::APP_JSON => Some("{\"expo\": {\"name\": \"x\"}}\n".to_string()),
                _ => std::fs::read_to_string(up.join(rel)).ok(),
            })
        }
    };
    let strings = "android/app/src/main/res/values/strings.xml";
    let read = read_with(vec![strings]);
    let err = run_in_memory(&read, &shown, &ctx)
        .err()
        .expect("a missing strings.xml must fail");
    assert!(format!("{err:#}").contains(strings), "{err:#}");

    let title = "fastlane/metadata/android/en-US/title.txt";
    let google = "android/app/google-services.json";
    let read = read_with(vec![title, google]);
    let outputs = run_in_memory(&read, &shown, &ctx).unwrap_or_else(|e| panic!("{e:#}"));
    assert!(!outputs.contains_key(title), "created the absent {title}");
    assert!(
        !outputs.contains_key(app_json::APP_JSON),
        "app.json without expo.scheme is unchanged, not an output"
    );
    let written = outputs.get(google).expect("google-services.json written");
    assert!(written.changed);
    assert_eq!(written.text.as_bytes(), &inputs.google_services[..]);
}

/// A project with fewer `DEVELOPMENT_TEAM` settings than two per target (here one line
/// gone) fails: a target left with upstream's team would be signed by Mattermost's.
#[test]
fn a_project_missing_a_development_team_setting_fails() {
    let (brand, inputs) = example();
    let up = upstream();
    let upstream_reader = reader(&up);
    let ctx = ctx_of(&brand, &inputs, &upstream_reader);
    let text = std::fs::read_to_string(up.join(crate::native::ios::PBXPROJ)).unwrap();
    let line = text
        .lines()
        .find(|l| l.trim().starts_with("DEVELOPMENT_TEAM = "))
        .unwrap();
    let fewer = text.replacen(&format!("{line}\n"), "", 1);
    let doc = Doc {
        path: crate::native::ios::PBXPROJ,
        shown: "project.pbxproj",
    };
    let err = (registry()[0].edit)(&fewer, &doc, &ctx)
        .expect_err("five DEVELOPMENT_TEAM lines must fail");
    assert!(format!("{err:#}").contains("DEVELOPMENT_TEAM"), "{err:#}");
}

/// The version edits' edge cases: a project without `MARKETING_VERSION` (older upstreams)
/// is fine and left as it is; in package.json only the first top-level-indented
/// `"version"` line is the package's, even when a badly indented nested one follows.
#[test]
fn version_edits_tolerate_a_project_without_marketing_version_and_edit_one_package_line() {
    let (brand, inputs) = example();
    let up = upstream();
    let upstream_reader = reader(&up);
    let ctx = ctx_of(&brand, &inputs, &upstream_reader);
    let version_edit = |path: &str| {
        registry()
            .iter()
            .find(|e| e.path == path && e.when == When::AppVersion)
            .unwrap()
    };
    let pbxproj = crate::native::ios::PBXPROJ;
    let text: String = std::fs::read_to_string(up.join(pbxproj))
        .unwrap()
        .split_inclusive('\n')
        .filter(|l| !l.contains("MARKETING_VERSION = "))
        .collect();
    let doc = Doc {
        path: pbxproj,
        shown: pbxproj,
    };
    let out = (version_edit(pbxproj).edit)(&text, &doc, &ctx).unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(out, text);

    let package =
        "{\n  \"version\": \"1.0.0\",\n  \"nested\": {\n  \"version\": \"2.0.0\"\n  }\n}\n";
    let doc = Doc {
        path: version::PACKAGE_JSON,
        shown: version::PACKAGE_JSON,
    };
    let out = (version_edit(version::PACKAGE_JSON).edit)(package, &doc, &ctx)
        .unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(out, package.replacen("1.0.0", "9.8.7", 1));
}
