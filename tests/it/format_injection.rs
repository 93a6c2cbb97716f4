//! Brand values in generated shell-read files run nothing: `[source] branch` reaches
//! `fastlane/.env.<name>` (read by fastlane's dotenv and by `sh -c '. file'`) as a literal
//! value, or is refused naming the key.
use std::process::Command;

use crate::common::lanes::parse_dotenv;
use crate::common::*;

/// `BRANCH_TO_BUILD` as `sh` reads it after sourcing `env`, run in `cwd`.
fn sourced_branch(env: &std::path::Path, cwd: &std::path::Path) -> String {
    let out = Command::new("sh")
        .arg("-c")
        .arg(r#". "$0" && printf %s "$BRANCH_TO_BUILD""#)
        .arg(env)
        .current_dir(cwd)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn a_command_in_the_branch_name_is_written_literally_and_runs_nothing() {
    let brand = TempBrand::acme();
    // Relative, so the command would write inside the test's folder (a ref component may
    // not start with the `.` of a temporary folder's name).
    let branch = "brand/$(id>pwned)`id>pwned2`";
    brand.edit("[source]\n", &format!("[source]\nbranch = {branch:?}\n"));
    brand.apply(&[]).expect(0);

    let env = brand.app("fastlane/.env.acme");
    let cwd = brand.tmp.path();
    assert_eq!(sourced_branch(&env, cwd), branch);
    assert!(!cwd.join("pwned").exists() && !cwd.join("pwned2").exists());

    let text = std::fs::read_to_string(&env).unwrap();
    let vars = parse_dotenv(&text);
    let read = vars.iter().find(|(k, _)| k == "BRANCH_TO_BUILD").unwrap();
    assert_eq!(
        read.1, branch,
        "dotenv's single quotes keep the value literal"
    );
}

#[test]
fn a_branch_that_single_quotes_cannot_hold_is_refused_naming_the_key() {
    let brand = TempBrand::acme();
    brand.edit("[source]\n", "[source]\nbranch = \"brand/it's\"\n");
    let run = brand.apply(&[]).expect(1);
    // Refused when the brand file loads (issue 16: values a format cannot hold).
    assert_eq!(
        run.stderr,
        format!(
            "error: {}: source.branch: cannot be written to fastlane's .env file: contains a single quote ('), which a .env value read by fastlane's dotenv and by sh cannot hold literally\n",
            brand.file().display()
        )
    );
    assert!(!brand.out.exists(), "nothing written");
}

#[test]
fn a_double_dash_in_the_app_name_keeps_the_appconfig_comment_well_formed() {
    let brand = TempBrand::acme();
    brand.edit(
        "display_name = \"Acme Chat\"",
        "display_name = \"Acme -- Chat\"",
    );
    brand.apply(&[]).expect(0);
    let text = std::fs::read_to_string(brand.out.join("emm/appconfig.xml")).unwrap();
    assert!(text.starts_with(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- Acme - - Chat: managed app configuration"
    ));
    let mut reader = quick_xml::Reader::from_str(&text);
    reader.config_mut().check_comments = true;
    while reader.read_event().unwrap() != quick_xml::events::Event::Eof {}
}

#[test]
fn a_control_character_in_the_server_name_is_refused_before_it_reaches_xml() {
    let brand = TempBrand::acme();
    brand.edit("\nname = \"Acme Chat\"", "\nname = \"Acme\\u0007Chat\"");
    brand
        .apply(&[])
        .expect(1)
        .stderr_has("brand.toml: server.name: cannot be written to the EMM appconfig.xml: contains the control character '\\u{7}', which XML cannot hold");
    assert!(!brand.out.exists(), "nothing written");
}

#[test]
fn a_proxy_root_with_shell_and_specifier_characters_is_quoted_per_format() {
    let brand = TempBrand::acme();
    brand.edit(
        "display_name = \"Acme Chat\"",
        "display_name = \"Acme 100% Chat\"",
    );
    brand.apply(&["--proxy-root", "./my $(id) dir"]).expect(0);
    let dir = brand.out.join("push-proxy");

    let unit = std::fs::read_to_string(dir.join("mattermost-push-proxy.service")).unwrap();
    for line in [
        "#   sudo chown -R mattermost-push-proxy '/opt/mattermost-push-proxy/my $(id) dir'\n",
        "\nDescription=Mattermost push proxy for Acme 100%% Chat\n",
        "\nExecStart=/opt/mattermost-push-proxy/bin/mattermost-push-proxy -config \"/opt/mattermost-push-proxy/my $$(id) dir/mattermost-push-proxy.json\"\n",
    ] {
        assert!(unit.contains(line), "{line}\n{unit}");
    }

    let compose = std::fs::read_to_string(dir.join("docker-compose.yml")).unwrap();
    let yaml = yaml_rust2::YamlLoader::load_from_str(&compose).unwrap();
    let svc = &yaml[0]["services"]["push-proxy"];
    assert_eq!(
        svc["command"][1].as_str(),
        Some("/mattermost-push-proxy/my $$(id) dir/mattermost-push-proxy.json"),
        "Compose reads `$$` as a literal `$`"
    );
    assert_eq!(
        svc["volumes"][0].as_str(),
        Some(".:/mattermost-push-proxy/my $$(id) dir:ro")
    );
}
