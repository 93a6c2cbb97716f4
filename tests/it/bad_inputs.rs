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

#[test]
fn a_private_key_pasted_into_a_field_is_never_printed() {
    let b = TempBrand::acme();
    let pem = p8_pem();
    let body = pem.lines().nth(1).unwrap().to_string();
    b.edit(
        "display_name = \"Acme Chat\"",
        &format!("display_name = {:?}", pem),
    );
    for extra in [&[][..], &["--json"][..]] {
        let run = fails(&b, extra);
        assert!(!run.stderr.contains(&body), "{}", run.stderr);
        assert!(!run.stdout.contains(&body), "{}", run.stdout);
        run.stderr_has("display_name:");
    }
}

#[test]
fn a_password_in_the_server_url_is_refused_unprinted() {
    let b = TempBrand::acme();
    b.edit(
        "url = \"https://chat.acme.example\"",
        "url = \"https://jdoe:TOPSECRET@chat.acme.example\"",
    );
    let run = fails(&b, &[]);
    assert!(!run.stderr.contains("TOPSECRET"), "{}", run.stderr);
    run.stderr_has("server.url: must not contain a user name or password");
    assert!(!b.out.exists());
}

#[test]
fn invisible_characters_in_the_app_name_are_refused() {
    let b = TempBrand::acme();
    b.edit(
        "display_name = \"Acme Chat\"",
        "display_name = \"Acme\u{202E}tahC\"",
    );
    fails(&b, &[]).stderr_has("U+202E");
}

#[test]
fn pipes_where_files_belong_are_refused_instead_of_blocking() {
    let b = TempBrand::acme();
    let fifo = |path: &std::path::Path| {
        let _ = fs::remove_file(path);
        let status = std::process::Command::new("mkfifo")
            .arg(path)
            .status()
            .unwrap();
        assert!(status.success());
    };
    fifo(&b.dir.join("secrets/google-services.json"));
    fails(&b, &[])
        .stderr_has("android.google_services: ")
        .stderr_has("google-services.json is not a regular file (a directory, pipe or device)");
    let b = TempBrand::acme();
    fifo(&b.dir.join("override/i18n/fr.json"));
    fails(&b, &[]).stderr_has("i18n/fr.json is not a regular file (a pipe, socket or device)");
}

#[test]
fn an_output_inside_a_tree_apply_reads_is_refused_and_inside_the_brand_warned() {
    let b = TempBrand::acme();
    let inside = b.dir.join("override/gen");
    let run = mmbrand([
        "apply".into(),
        b.file().into_os_string(),
        "--out".into(),
        inside.clone().into_os_string(),
    ])
    .expect(1);
    run.stderr_has("is inside the override tree ([assets] override)")
        .stderr_has("choose a directory outside it");
    assert!(!inside.exists());
    let beside = b.dir.join("build");
    let run = mmbrand([
        "apply".into(),
        b.file().into_os_string(),
        "--out".into(),
        beside.into_os_string(),
    ])
    .expect(0);
    run.stderr_has("is inside the brand's folder: its push-proxy/ holds copies of the credentials");
}

#[test]
fn control_characters_in_names_and_a_symlinked_output_are_refused() {
    let b = TempBrand::acme();
    write(&b.dir.join("override/i18n/e\nn.json"), "{}");
    fails(&b, &[]).stderr_has("the file name \"i18n/e\\nn.json\" contains a control character");

    let b = TempBrand::acme();
    let real = b.tmp.path().join("real-out");
    fs::create_dir_all(&real).unwrap();
    std::os::unix::fs::symlink(&real, &b.out).unwrap();
    b.apply(&[])
        .expect(1)
        .stderr_has("is a symbolic link; give the real directory");
    assert_eq!(
        fs::read_dir(&real).unwrap().count(),
        0,
        "nothing written through it"
    );

    let b = TempBrand::acme();
    b.edit(
        "name = \"acme\"",
        &format!("name = \"{}\"", "a".repeat(300)),
    );
    fails(&b, &[]).stderr_has("name: is 300 characters long");
}
