//! Bad brand files and inputs: each exits 1 with a message naming the file and key, and
//! neither creates nor changes the output directory.

use std::fs;

use crate::common::*;

#[test]
fn http_server_url() {
    let b = TempBrand::acme();
    b.edit(
        "url = \"https://chat.acme.example\"",
        "url = \"http://chat.acme.example\"",
    );
    fails(&b, &[])
        .stderr_has("brand.toml: server.url: \"http://chat.acme.example\" must use https://");
}

#[test]
fn invalid_bundle_id() {
    let b = TempBrand::acme();
    b.edit(
        "bundle_id = \"com.acme.chat\"",
        "bundle_id = \"com.acme_chat\"",
    );
    fails(&b, &[]).stderr_has("ios.bundle_id: \"com.acme_chat\" is not a valid Apple bundle id");
}

#[test]
fn java_keyword_in_package() {
    let b = TempBrand::acme();
    b.edit("package = \"com.acme.chat\"", "package = \"com.acme.new\"");
    fails(&b, &[])
        .stderr_has("android.package: \"com.acme.new\" contains the Java keyword \"new\"");
}

#[test]
fn google_services_for_another_package() {
    let b = TempBrand::acme();
    b.edit(
        "package = \"com.acme.chat\"",
        "package = \"com.acme.other\"",
    );
    fails(&b, &[])
        .stderr_has("google-services.json: no client has package_name \"com.acme.other\"")
        .stderr_has("[\"com.acme.chat\"]");
}

#[test]
fn missing_override_dir() {
    let b = TempBrand::acme();
    b.edit("override = \"override\"", "override = \"overide\"");
    fails(&b, &[])
        .stderr_has("override directory (assets.override)")
        .stderr_has("overide does not exist");
}

#[test]
fn unknown_ref() {
    let b = TempBrand::acme();
    let upstream = git_upstream(b.tmp.path(), "v2.42.3");
    let source = upstream.display().to_string();
    let run = b.apply(&["--source", &source, "--ref", "v9.9.9"]).expect(1);
    run.stderr_has("ref \"v9.9.9\" not found in");
    assert!(!b.out.exists());
}

#[test]
fn unknown_brand_key_with_suggestion() {
    let b = TempBrand::acme();
    b.edit("bundle_id = ", "bundel_id = ");
    fails(&b, &[])
        .stderr_has("brand.toml:")
        .stderr_has("unknown field `bundel_id`")
        .stderr_has("did you mean `bundle_id`?");
}

#[test]
fn misspelt_config_key_and_wrong_type() {
    let b = TempBrand::acme();
    b.edit(
        "ShowOnboarding = true",
        "ShowOnbording = true\nAutoSelectServerUrl = \"yes\"",
    );
    fails(&b, &[])
        .stderr_has("unknown key `ShowOnbording`")
        .stderr_has("did you mean `ShowOnboarding`?")
        .stderr_has("`AutoSelectServerUrl` must be a boolean");
}

#[test]
fn literal_credential_is_refused_without_echo() {
    let b = TempBrand::acme();
    b.edit(
        "google_services = \"file:secrets/google-services.json\"",
        "google_services = \"{\\\"project_info\\\": 1}\"",
    );
    let run = fails(&b, &[]);
    run.stderr_has("android.google_services: credentials must be given as \"file:PATH\"");
    assert!(
        !run.stderr.contains("project_info"),
        "the literal was echoed"
    );
}

#[test]
fn unset_env_reference() {
    let b = TempBrand::acme();
    b.edit(
        "\"file:secrets/google-services.json\"",
        "\"env:MMBRAND_TEST_SURELY_UNSET\"",
    );
    fails(&b, &[]).stderr_has("environment variable MMBRAND_TEST_SURELY_UNSET is not set");
}

#[test]
fn existing_output_is_left_untouched_on_failure() {
    let b = TempBrand::acme();
    b.apply(&[]).expect(0);
    let before = tree_digest(&b.out);
    b.edit("team_id = \"AB12CD34EF\"", "team_id = \"ab12\"");
    b.apply(&[])
        .expect(1)
        .stderr_has("ios.team_id: \"ab12\" is not an Apple team id");
    assert_eq!(before, tree_digest(&b.out));
}

#[test]
fn every_identifier_problem_is_reported_at_once() {
    let b = TempBrand::acme();
    b.edit("name = \"acme\"", "name = \"Acme Corp\"");
    b.edit("app = \"acmechat\"", "app = \"acme://\"");
    b.edit(
        "aps_environment = \"production\"",
        "aps_environment = \"prod\"",
    );
    let run = fails(&b, &["--json"]);
    let errors = run.json()["errors"].as_array().unwrap().len();
    assert_eq!(errors, 3, "{}", run.stdout);
    run.stderr_has("name: \"Acme Corp\" must be a slug")
        .stderr_has("schemes.app: \"acme://\" is not a valid URL scheme")
        .stderr_has("did you mean \"production\"?");
}

#[test]
fn upstream_that_moved_an_anchor_is_an_error() {
    let b = TempBrand::acme();
    let upstream = b.tmp.path().join("upstream");
    copy_tree(&fixture("mattermost-mobile"), &upstream);
    let gradle = upstream.join("android/app/build.gradle");
    let text = fs::read_to_string(&gradle).unwrap().replace(
        "applicationId \"com.mattermost.rnbeta\"",
        "applicationId = \"com.mattermost.rnbeta\"",
    );
    fs::write(&gradle, text).unwrap();
    let source = upstream.display().to_string();
    fails(&b, &["--source", &source])
        .stderr_has("build.gradle: expected 1 occurrence(s) of `applicationId \"com.mattermost.rnbeta\"` but found 0");
}

#[test]
fn output_not_written_by_mmbrand_is_refused() {
    let b = TempBrand::acme();
    fs::create_dir_all(&b.out).unwrap();
    fs::write(b.out.join("important.txt"), "x").unwrap();
    b.apply(&[])
        .expect(1)
        .stderr_has("was not written by mmbrand");
    assert_eq!(
        fs::read_to_string(b.out.join("important.txt")).unwrap(),
        "x"
    );
}

#[test]
fn push_without_fork_is_refused() {
    let b = TempBrand::acme();
    fails(&b, &["--push"]).stderr_has("--push needs [source] fork");
}

#[test]
fn release_keys_and_flags_are_checked() {
    let b = TempBrand::acme();
    let run = fails(&b, &["--app-version", "2.x", "--build-number", "0"]);
    run.stderr_has("--app-version: \"2.x\" is not a version: use three numbers separated by dots")
        .stderr_has("--build-number: 0 is not a build number: it must be between 1 and 2100000000");
    fails(&b, &["--build-number", "2100000001"])
        .stderr_has("--build-number: 2100000001 is not a build number");
    b.edit(
        "aps_environment = \"production\"",
        "aps_environment = \"production\"\nexport_method = \"appstore\"\nmatch_type = \"ad-hoc\"\nshare_extension_id = \"com.other.share\"",
    );
    fails(&b, &[])
        .stderr_has("ios.export_method: \"appstore\" is not one of app-store, enterprise, ad-hoc, development; did you mean \"app-store\"?")
        .stderr_has("ios.match_type: \"ad-hoc\" is not one of appstore, enterprise, adhoc, development; did you mean \"adhoc\"?")
        .stderr_has("ios.share_extension_id: \"com.other.share\" must start with the app's bundle id followed by a dot");
}

#[test]
fn brand_file_versions_are_checked_too() {
    let b = TempBrand::acme();
    b.edit(
        "display_name = \"Acme Chat\"",
        "display_name = \"Acme's Chat\"\napp_version = \"2.42\"\nbuild_number = 2100000001",
    );
    fails(&b, &[])
        .stderr_has("app_version: \"2.42\" is not a version")
        .stderr_has("build_number: 2100000001 is not a build number")
        .stderr_has("display_name: \"Acme's Chat\" contains '\\'', which upstream's fastlane lanes write unescaped");
}

#[test]
fn a_brand_splash_file_that_would_land_nowhere_is_refused() {
    let b = TempBrand::acme();
    // v2.42's theme draws @drawable/launch_screen: a layout override has no effect.
    write(
        &b.dir
            .join("override/release/splash_screen/android/layout/launch_screen.xml"),
        "<FrameLayout xmlns:android=\"http://schemas.android.com/apk/res/android\" />\n",
    );
    fails(&b, &[]).stderr_has(
        "override release/splash_screen/android/layout/launch_screen.xml: the project has no resource of that type and name, so nothing would use it; this file would have no effect in the app",
    );
}
