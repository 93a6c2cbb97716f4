//! Bad inputs that need more than one exact stderr: JSON error documents, several runs, a
//! foreign output directory. Single bad inputs with their exact message are in the corpus
//! (`corpus.rs`).

use std::fs;

use crate::common::*;

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
