//! `mmbrand init`: a brand to fill in, whose missing keys `plan` names one by one, and which
//! works once filled with the example's values.

use std::fs;

use crate::common::*;

#[test]
fn init_then_plan_names_what_is_missing_then_filled_it_applies() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("b");
    let upstream = fixture("mattermost-mobile");
    mmbrand([
        "init".as_ref(),
        dir.as_os_str(),
        "--source".as_ref(),
        upstream.as_os_str(),
    ])
    .expect(0);
    let toml_path = dir.join("brand.toml");
    let readme = fs::read_to_string(dir.join("override/README.md")).unwrap();
    assert!(
        readme.contains("| `release/icons/ios/40@2x.png` | 80 x 80 |"),
        "{readme}"
    );
    assert_eq!(
        fs::read_to_string(dir.join("override/config.json")).unwrap(),
        "{}\n"
    );
    assert!(fs::read_to_string(dir.join("secrets/.gitignore"))
        .unwrap()
        .contains("*\n!.gitignore"));

    let plan = mmbrand(["plan".as_ref(), toml_path.as_os_str()]).expect(1);
    for key in [
        "name",
        "display_name",
        "server.url",
        "ios.bundle_id",
        "ios.team_id",
        "android.package",
        "android.google_services",
        "schemes.app",
        "schemes.auth",
    ] {
        plan.stderr_has(&format!("brand.toml: {key} is required: "));
    }
    assert!(
        !plan.stderr.contains("push."),
        "optional sections are not required"
    );

    // Filled with the example's values (uncommenting the required keys), it applies.
    let mut text = fs::read_to_string(&toml_path).unwrap();
    for line in [
        "name = \"acme\"",
        "display_name = \"Acme Chat\"",
        "url = \"https://chat.acme.example\"",
        "bundle_id = \"com.acme.chat\"",
        "team_id = \"AB12CD34EF\"",
        "package = \"com.acme.chat\"",
        "google_services = \"file:secrets/google-services.json\"",
        "app = \"acmechat\"",
        "auth = \"acmeauth\"",
    ] {
        let commented = format!("# {line}\n");
        assert!(text.contains(&commented), "{line}");
        text = text.replacen(&commented, &format!("{line}\n"), 1);
    }
    fs::write(&toml_path, text).unwrap();
    fs::copy(
        fixture("brands/acme/secrets/google-services.json"),
        dir.join("secrets/google-services.json"),
    )
    .unwrap();
    let out = tmp.path().join("out");
    mmbrand([
        "apply".as_ref(),
        toml_path.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
        "--source".as_ref(),
        upstream.as_os_str(),
    ])
    .expect(0)
    .stderr_has("no [push] section");
    mmbrand(["verify".as_ref(), out.as_os_str()]).expect(1);

    // init never overwrites a brand.
    let before = fs::read(&toml_path).unwrap();
    mmbrand(["init".as_ref(), dir.as_os_str()])
        .expect(1)
        .stderr_has("brand.toml already exists; init never overwrites a brand");
    assert_eq!(fs::read(&toml_path).unwrap(), before);
}

#[test]
fn init_without_a_source_says_where_the_sizes_come_from() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("b");
    mmbrand(["init".as_ref(), dir.as_os_str()]).expect(0);
    let readme = fs::read_to_string(dir.join("override/README.md")).unwrap();
    assert!(readme.contains("--source <mattermost-mobile checkout>"));
    mmbrand([
        "init".as_ref(),
        tmp.path().join("c").as_os_str(),
        "--source".as_ref(),
        tmp.path().as_os_str(),
    ])
    .expect(1)
    .stderr_has("no assets/base here");
    assert!(!tmp.path().join("c").exists(), "nothing written on failure");
}
