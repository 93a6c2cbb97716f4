//! `apply` over an earlier output: edits are never lost silently, build caches are carried
//! over, unchanged inputs write nothing, and an upgrade reports upstream's drift first.
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::common::*;

/// Modification time of every file under `dir` (the .git folder included).
fn mtimes(dir: &Path) -> BTreeMap<PathBuf, SystemTime> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .map(|e| {
            (
                e.path().to_path_buf(),
                e.metadata().unwrap().modified().unwrap(),
            )
        })
        .collect()
}

#[test]
fn an_edited_file_is_listed_and_kept_unless_force() {
    let brand = TempBrand::acme();
    brand.apply(&[]).expect(0);
    let env = brand.app("fastlane/.env.acme");
    let mut text = fs::read_to_string(&env).unwrap();
    text.push_str("MY_FIX=1\n");
    fs::write(&env, &text).unwrap();
    write(&brand.app("notes.txt"), "release notes\n");
    let before = tree_digest(&brand.out);

    let run = brand.apply(&[]).expect(1);
    let out = brand.out.display().to_string();
    assert_eq!(
        run.stderr,
        format!(
            "error: {out} was changed since the last apply, and applying again would lose it:\n  app/fastlane/.env.acme changed\n  app/notes.txt created since apply\nmove the changes into the brand (brand file or override tree) and re-run, or pass --force to apply anyway and discard them\n"
        )
    );
    assert_eq!(before, tree_digest(&brand.out), "nothing touched");

    brand.apply(&["--force"]).expect(0);
    assert!(!fs::read_to_string(&env).unwrap().contains("MY_FIX"));
    assert!(!brand.app("notes.txt").exists());
    mmbrand(["verify".into(), brand.out.clone().into_os_string()]).expect(0);
}

#[test]
fn git_ignored_build_caches_survive_a_re_apply() {
    let brand = TempBrand::acme();
    brand.apply(&[]).expect(0);
    write(
        &brand.app("node_modules/x/index.js"),
        "module.exports = 1;\n",
    );
    // The brand changes, so the re-apply really rebuilds the output.
    brand.edit("https://chat.acme.example", "https://chat2.acme.example");
    let run = brand.apply(&["--json"]).expect(0);
    let doc = run.json();
    assert_eq!(doc["up_to_date"], false);
    assert_eq!(doc["carried"], serde_json::json!(["node_modules"]));
    assert_eq!(
        fs::read_to_string(brand.app("node_modules/x/index.js")).unwrap(),
        "module.exports = 1;\n"
    );
    let config = read_json(&brand.app("dist/assets/config.json"));
    assert_eq!(config["DefaultServerUrl"], "https://chat2.acme.example");
    // Nothing of the old output is left beside the new one.
    let beside: Vec<_> = fs::read_dir(brand.tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with(".mmbrand"))
        .collect();
    assert!(beside.is_empty(), "{beside:?}");
}

#[test]
fn unchanged_inputs_are_up_to_date_and_nothing_is_touched() {
    let brand = TempBrand::acme();
    let upstream = git_upstream(brand.tmp.path(), "v1");
    let source = upstream.display().to_string();
    brand.apply(&["--source", &source, "--ref", "v1"]).expect(0);
    let before = mtimes(&brand.out);
    let run = brand.apply(&["--source", &source, "--ref", "v1"]).expect(0);
    assert!(
        run.stdout.starts_with("acme is up to date in "),
        "{}",
        run.stdout
    );
    assert_eq!(before, mtimes(&brand.out), "no file rewritten");

    // Each input counts: an override file, an option, a credential.
    let up_to_date = |extra: &[&str]| {
        let mut args = vec!["--source", &source, "--ref", "v1", "--json"];
        args.extend_from_slice(extra);
        brand.apply(&args).expect(0).json()["up_to_date"].clone()
    };
    write(&brand.dir.join("override/i18n/en.json"), "{}\n");
    assert_eq!(up_to_date(&[]), false, "override tree changed");
    let pp = ["--proxy-root", "/etc/pp"];
    assert_eq!(up_to_date(&pp), false, "--proxy-root changed");
    brand.fresh_credentials();
    assert_eq!(up_to_date(&pp), false, "credentials changed");
    assert_eq!(up_to_date(&pp), true);
}

#[test]
fn a_plain_directory_upstream_is_up_to_date_after_a_rebuild_that_matches() {
    let brand = TempBrand::acme();
    brand.apply(&[]).expect(0);
    let before = mtimes(&brand.out);
    let run = brand.apply(&["--json"]).expect(0);
    assert_eq!(run.json()["up_to_date"], true);
    assert_eq!(before, mtimes(&brand.out));
}

/// An upstream with two tagged commits: v2 adds, removes and retypes config.json keys
/// (one of them the brand sets) and doubles the base icon the brand overrides.
fn two_releases(dir: &Path) -> PathBuf {
    let repo_dir = git_upstream(dir, "v1");
    let repo = git2::Repository::open(&repo_dir).unwrap();
    let config_path = repo_dir.join("assets/base/config.json");
    let mut config = read_json(&config_path);
    let obj = config.as_object_mut().unwrap();
    obj.insert("NewFeature".into(), true.into());
    obj.remove("RudderApiKey");
    obj.insert("ShowOnboarding".into(), "yes".into());
    fs::write(&config_path, serde_json::to_string_pretty(&config).unwrap()).unwrap();
    let icon = repo_dir.join("assets/base/release/icons/android/mipmap-mdpi/ic_launcher.png");
    let (w, h) = png_size(&icon);
    write_png(&icon, w * 2, h * 2, [9, 9, 9, 255]);
    let commit = commit_all(&repo, "v2");
    repo.tag_lightweight("v2", &repo.find_object(commit, None).unwrap(), false)
        .unwrap();
    repo_dir
}

#[test]
fn an_upgrade_reports_the_changed_config_keys_and_icon_before_writing() {
    let brand = TempBrand::acme();
    let upstream = two_releases(brand.tmp.path());
    let source = upstream.display().to_string();
    brand.apply(&["--source", &source, "--ref", "v1"]).expect(0);
    let before = tree_digest(&brand.out);
    let icon = "release/icons/android/mipmap-mdpi/ic_launcher.png";
    let (w, h) = png_size(&upstream.join("assets/base").join(icon));

    // The drift explains the merge failure that follows: the override icon is too small.
    let run = brand.apply(&["--source", &source, "--ref", "v2"]).expect(1);
    let drift: Vec<&str> = run
        .stderr
        .lines()
        .take_while(|l| !l.starts_with("error"))
        .collect();
    assert!(drift[0].starts_with("upstream moved from "), "{drift:?}");
    assert_eq!(
        drift[1..5],
        [
            "  config.json /RudderApiKey removed (string)",
            "  config.json /ShowOnboarding type changed (boolean -> string, set by the brand)",
            "  config.json /NewFeature added (boolean)",
            &format!(
                "  override {icon}: the base image is now {w}x{h} (was {}x{}); the override is {}x{}",
                w / 2,
                h / 2,
                w / 2,
                h / 2
            ),
        ]
    );
    assert!(run.stderr.contains("error: "), "{}", run.stderr);
    assert_eq!(before, tree_digest(&brand.out), "nothing written");

    // --fail-on-drift stops before building, and --json carries the report.
    let run = brand
        .apply(&[
            "--source",
            &source,
            "--ref",
            "v2",
            "--fail-on-drift",
            "--json",
        ])
        .expect(1);
    let doc = run.json();
    let keys: Vec<(&str, &str, bool)> = doc["drift"]["config"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["key"].as_str().unwrap(),
                c["change"].as_str().unwrap(),
                c["set_by_brand"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        keys,
        [
            ("/RudderApiKey", "removed", false),
            ("/ShowOnboarding", "type changed", true),
            ("/NewFeature", "added", false)
        ]
    );
    assert_eq!(doc["drift"]["overrides"][0]["file"], icon);
    // Without --fail-on-drift the merge fails on the icon; the JSON failure keeps the drift.
    let failed = brand
        .apply(&["--source", &source, "--ref", "v2", "--json"])
        .expect(1)
        .json();
    assert_eq!(failed["drift"]["overrides"][0]["file"], icon);
    assert!(doc["errors"][0]
        .as_str()
        .unwrap()
        .contains("--fail-on-drift is set; nothing was written"));
    assert_eq!(before, tree_digest(&brand.out));
}

#[test]
fn an_upgrade_names_moved_anchors_of_edited_files() {
    let brand = TempBrand::acme();
    let upstream = git_upstream(brand.tmp.path(), "v1");
    let source = upstream.display().to_string();
    brand.apply(&["--source", &source, "--ref", "v1"]).expect(0);
    // Upstream inserts two lines at the top of build.gradle: every edited line moves by two.
    let gradle = upstream.join("android/app/build.gradle");
    let text = fs::read_to_string(&gradle).unwrap();
    fs::write(&gradle, format!("// one\n// two\n{text}")).unwrap();
    let repo = git2::Repository::open(&upstream).unwrap();
    commit_all(&repo, "move");
    let run = brand.apply(&["--source", &source, "--json"]).expect(0);
    let doc = run.json();
    let files = doc["drift"]["files"].as_array().unwrap();
    assert_eq!(files.len(), 1, "{files:?}");
    let gradle = &files[0];
    assert_eq!(gradle["path"], "app/android/app/build.gradle");
    assert_eq!(gradle["lines_added"], 2);
    let anchors = gradle["anchors"].as_array().unwrap();
    assert!(!anchors.is_empty());
    for a in anchors {
        assert_eq!(
            a["to_line"].as_u64().unwrap(),
            a["from_line"].as_u64().unwrap() + 2,
            "{a}"
        );
    }
}

#[test]
fn plan_ref_previews_the_drift_from_the_brand_files_ref_without_writing() {
    let brand = TempBrand::acme();
    let upstream = two_releases(brand.tmp.path());
    brand.edit(
        "# ref = \"v2.42.3\"",
        &format!("ref = \"v1\"\nrepo = {:?}", upstream.display().to_string()),
    );
    brand.edit("repo = ", "# repo = ");
    let run = mmbrand([
        "plan".into(),
        brand.file().into_os_string(),
        "--ref".into(),
        "v2".into(),
    ])
    .expect(1); // the resized base icon fails the merge, after the drift says why
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert!(
        lines[0].starts_with("upstream drift from "),
        "{}",
        run.stdout
    );
    assert_eq!(lines[1], "  config.json /RudderApiKey removed (string)");
    assert!(lines[4].starts_with(
        "  override release/icons/android/mipmap-mdpi/ic_launcher.png: the base image is now"
    ));
    assert!(run.stderr.contains("ic_launcher.png"), "{}", run.stderr);
    assert!(!brand.out.exists());
}

#[test]
fn a_url_source_is_up_to_date_by_listing_the_remote_without_cloning() {
    let brand = TempBrand::acme();
    let upstream = git_upstream(brand.tmp.path(), "v1");
    let url = format!("file://{}", upstream.display());
    brand.apply(&["--source", &url, "--ref", "v1"]).expect(0);
    let run = brand
        .apply(&["--source", &url, "--ref", "v1", "--json"])
        .expect(0);
    assert_eq!(run.json()["up_to_date"], true);
    // A new commit on the ref is seen through the listing.
    let repo = git2::Repository::open(&upstream).unwrap();
    let head = repo.head().unwrap().peel_to_commit().unwrap();
    repo.tag_lightweight("v1", head.as_object(), true).unwrap();
    let run = brand
        .apply(&["--source", &url, "--ref", "v1", "--json"])
        .expect(0);
    assert_eq!(run.json()["up_to_date"], false);
    assert_eq!(run.json()["upstream"]["commit"], head.id().to_string());
}

#[test]
fn files_upstreams_build_steps_rewrite_are_not_edits() {
    let brand = TempBrand::acme();
    let upstream = git_upstream(brand.tmp.path(), "v1");
    write(&upstream.join("fastlane/Gemfile.lock"), "GEM\n  specs:\n");
    let repo = git2::Repository::open(&upstream).unwrap();
    commit_all(&repo, "lock");
    let source = upstream.display().to_string();
    brand.apply(&["--source", &source]).expect(0);
    // bundle install on another platform adds it to the lock file.
    write(
        &brand.app("fastlane/Gemfile.lock"),
        "GEM\n  specs:\nPLATFORMS\n  x86_64-linux\n",
    );
    brand.apply(&["--source", &source]).expect(0);
    // The same change to a file the build does not touch is an edit.
    write(&brand.app("package.json"), "{}\n");
    let run = brand.apply(&["--source", &source]).expect(1);
    assert!(
        run.stderr
            .contains("  app/package.json changed since apply\n"),
        "{}",
        run.stderr
    );
}

#[test]
fn an_upgrade_names_files_apply_edits_only_at_the_new_commit() {
    let brand = TempBrand::acme();
    let upstream = git_upstream(brand.tmp.path(), "v0");
    let repo = git2::Repository::open(&upstream).unwrap();
    let app_json = upstream.join("app.json");
    let with_scheme = fs::read_to_string(&app_json).unwrap();
    let tag = |name: &str, message: &str| {
        let commit = commit_all(&repo, message);
        repo.tag_lightweight(name, &repo.find_object(commit, None).unwrap(), false)
            .unwrap();
    };
    // v1 has no expo.scheme for apply to brand; v2 adds it, as upstream did in v2.42.
    fs::write(
        &app_json,
        with_scheme.replace("\"scheme\": \"mattermost\",", ""),
    )
    .unwrap();
    tag("v1", "no scheme");
    fs::write(&app_json, &with_scheme).unwrap();
    tag("v2", "scheme");
    let source = upstream.display().to_string();
    brand.apply(&["--source", &source, "--ref", "v1"]).expect(0);
    let run = brand
        .apply(&["--source", &source, "--ref", "v2", "--json"])
        .expect(0);
    assert_eq!(
        run.json()["drift"]["newly_edited"],
        serde_json::json!(["app/app.json"])
    );
}

#[test]
fn an_output_of_an_earlier_mmbrand_is_re_applied_without_force() {
    let brand = TempBrand::acme();
    brand.apply(&[]).expect(0);
    // As an earlier mmbrand wrote it: no input digest, no list of deleted files (the moved
    // Java package shows as deleted in git status).
    let lock_path = brand.out.join("mmbrand.lock.json");
    let mut lock = read_json(&lock_path);
    let obj = lock.as_object_mut().unwrap();
    assert!(obj.remove("inputs").is_some());
    assert!(obj.remove("deleted").is_some());
    fs::write(&lock_path, serde_json::to_string_pretty(&lock).unwrap()).unwrap();
    let run = brand.apply(&["--json"]).expect(0);
    assert_eq!(run.json()["up_to_date"], false);
}
