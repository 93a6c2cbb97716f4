//! `mmbrand apply` and `plan`: the pipeline as a whole: config, assets, sources, lock file,
//! reproducibility, commit and push.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use crate::common::*;
use serde_json::{json, Value};

#[test]
fn config_json_gets_server_scheme_and_config_keys() {
    let brand = TempBrand::acme();
    let run = brand.apply(&["--json"]).expect(0);
    assert_eq!(run.json()["ok"], true);
    let config = read_json(&brand.app("dist/assets/config.json"));
    assert_eq!(config["DefaultServerUrl"], "https://chat.acme.example");
    assert_eq!(config["DefaultServerName"], "Acme Chat");
    assert_eq!(config["AutoSelectServerUrl"], true);
    assert_eq!(config["AuthUrlScheme"], "acmeauth://");
    assert_eq!(config["ShowOnboarding"], true);
    assert_eq!(
        config["SentryOptions"]["autoBreadcrumbs"],
        json!({"xhr": true, "console": true})
    );
}

/// scripts/generate-assets.js: for every base file, JSON present in override is merged with
/// `Object.assign({}, base, override)`, other overridden files are copied, the rest from base.
fn upstream_asset_script(base: &Path, overrides: &Path) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    for entry in walkdir::WalkDir::new(base).into_iter().map(Result::unwrap) {
        let rel = entry.path().strip_prefix(base).unwrap();
        if !entry.file_type().is_file() || rel.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let mut value = read_json(entry.path());
        if overrides.join(rel).is_file() {
            let over = read_json(&overrides.join(rel));
            for (k, v) in over.as_object().unwrap() {
                value.as_object_mut().unwrap().insert(k.clone(), v.clone());
            }
        }
        out.insert(rel.display().to_string(), value);
    }
    out
}

#[test]
fn upstream_regeneration_from_the_resolved_override_reproduces_dist() {
    let brand = TempBrand::acme();
    brand.apply(&[]).expect(0);
    let app = brand.out.join("app");
    let regenerated = upstream_asset_script(&app.join("assets/base"), &app.join("assets/override"));
    assert!(regenerated.len() >= 3);
    for (rel, value) in &regenerated {
        assert_eq!(
            value,
            &read_json(&app.join("dist/assets").join(rel)),
            "{rel}"
        );
    }
    // Binary overrides are in the resolved override too.
    let icon = "release/icons/ios/40@2x.png";
    assert_eq!(
        sha256(&app.join("assets/override").join(icon)),
        sha256(&app.join("dist/assets").join(icon))
    );
}

#[test]
fn lock_file_hashes_every_written_file_and_reruns_are_identical() {
    let brand = TempBrand::acme();
    brand.apply(&[]).expect(0);
    let lock = read_json(&brand.out.join("mmbrand.lock.json"));
    let files = lock["files"].as_object().unwrap();
    for (rel, digest) in files {
        assert_eq!(
            digest.as_str().unwrap(),
            sha256(&brand.out.join(rel)),
            "{rel}"
        );
    }
    for rel in [
        "app/ios/Mattermost/Info.plist",
        "app/android/app/build.gradle",
        "app/android/app/src/main/java/com/acme/chat/MainActivity.kt",
        "app/dist/assets/config.json",
        "app/assets/override/config.json",
        "app/fastlane/.env.acme",
    ] {
        assert!(files.contains_key(rel), "{rel} not in the lock file");
    }
    assert_eq!(lock["brand"]["sha256"], sha256(&brand.file()));
    assert_eq!(lock["branch"], "brand/acme");
    assert_eq!(lock["upstream"]["commit"].as_str().unwrap().len(), 40);

    let first = fs::read(brand.out.join("mmbrand.lock.json")).unwrap();
    let digest_before = tree_digest(&brand.out.join("app/dist"));
    // From scratch: a re-apply over the output would find it up to date and write nothing.
    fs::remove_dir_all(&brand.out).unwrap();
    brand.apply(&[]).expect(0);
    assert_eq!(
        first,
        fs::read(brand.out.join("mmbrand.lock.json")).unwrap(),
        "rerun gives the same lock"
    );
    assert_eq!(digest_before, tree_digest(&brand.out.join("app/dist")));
}

#[test]
fn a_git_tag_is_checked_out_on_the_brand_branch() {
    let brand = TempBrand::acme();
    let upstream = git_upstream(brand.tmp.path(), "v2.42.3");
    let source = upstream.display().to_string();
    brand
        .apply(&["--source", &source, "--ref", "v2.42.3"])
        .expect(0);
    let pkg = read_json(&brand.app("package.json"));
    assert_eq!(pkg["version"], "2.42.3", "the tag, not the newer HEAD");
    let repo = git2::Repository::open(brand.out.join("app")).unwrap();
    assert_eq!(repo.head().unwrap().shorthand(), Some("brand/acme"));
    let tagged = git2::Repository::open(&upstream)
        .unwrap()
        .revparse_single("v2.42.3")
        .unwrap()
        .peel_to_commit()
        .unwrap()
        .id();
    assert_eq!(repo.head().unwrap().peel_to_commit().unwrap().id(), tagged);
    // Shared clone: objects are borrowed, not copied.
    let alternates =
        fs::read_to_string(brand.out.join("app/.git/objects/info/alternates")).unwrap();
    assert!(alternates.trim_end().ends_with("objects"));
    let lock = read_json(&brand.out.join("mmbrand.lock.json"));
    assert_eq!(lock["upstream"]["commit"], tagged.to_string());
    assert_eq!(lock["upstream"]["ref"], "v2.42.3");
}

#[test]
fn a_file_url_is_cloned_and_the_branch_name_can_be_set() {
    let brand = TempBrand::acme();
    let upstream = git_upstream(brand.tmp.path(), "v1");
    brand.edit("[source]", "[source]\nbranch = \"release/acme\"");
    let url = format!("file://{}", upstream.display());
    brand.apply(&["--source", &url, "--ref", "v1"]).expect(0);
    let repo = git2::Repository::open(brand.out.join("app")).unwrap();
    assert_eq!(repo.head().unwrap().shorthand(), Some("release/acme"));
    assert!(repo.find_remote("upstream").is_ok());
    assert!(
        !brand.out.join("app/.git/objects/info/alternates").exists(),
        "a real clone"
    );
}

#[test]
fn commit_and_push_put_the_branded_tree_on_the_fork() {
    let brand = TempBrand::acme();
    let fork = brand.tmp.path().join("fork.git");
    git2::Repository::init_bare(&fork).unwrap();
    brand.edit(
        "[source]",
        &format!("[source]\nfork = {:?}", fork.display().to_string()),
    );
    let run = brand.apply(&["--push", "--json"]).expect(0);
    let commit = run.json()["brand_commit"].as_str().unwrap().to_string();
    let fork_repo = git2::Repository::open(&fork).unwrap();
    let pushed = fork_repo
        .find_reference("refs/heads/brand/acme")
        .unwrap()
        .peel_to_commit()
        .unwrap();
    assert_eq!(pushed.id().to_string(), commit);
    let tree = pushed.tree().unwrap();
    assert!(
        tree.get_path(Path::new("assets/override/config.json"))
            .is_ok(),
        "ignored upstream, committed anyway"
    );
    assert!(tree
        .get_path(Path::new(
            "android/app/src/main/java/com/acme/chat/MainActivity.kt"
        ))
        .is_ok());
    assert!(tree
        .get_path(Path::new(
            "android/app/src/main/java/com/mattermost/rnbeta/MainActivity.kt"
        ))
        .is_err());

    // Same inputs, same commit id.
    brand.apply(&["--commit", "--json"]).expect(0);
    let again = read_json(&brand.out.join("mmbrand.lock.json"));
    assert_eq!(again["brand_commit"], commit);
}

#[test]
fn auto_select_without_server_name_warns() {
    let brand = TempBrand::acme();
    brand.edit("name = \"Acme Chat\"\nauto_select", "auto_select");
    let run = brand.apply(&["--json"]).expect(0);
    let warnings = run.json()["warnings"].to_string();
    assert!(
        warnings.contains("auto_select = true without server.name does nothing"),
        "{warnings}"
    );
}

#[test]
fn quick_start_brand_works_from_the_repository() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("acme");
    let brand = fixture("brands/acme/brand.toml");
    mmbrand([
        "apply".as_ref(),
        brand.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
    ])
    .expect(0);
    assert!(out.join("mmbrand.lock.json").is_file());
}

/// `plan` is what `apply` does: its changes (path and status) are exactly the difference
/// between the upstream tree and the applied app tree, its outputs exactly the files written
/// beside the app; and it writes nothing, not even a scratch directory. The whole text of both
/// forms is in tests/golden/plan.txt and plan_json.txt (tests/it/golden.rs).
#[test]
fn plan_is_what_apply_does_and_writes_nothing() {
    let brand = TempBrand::acme();
    let scratch = brand.tmp.path().join("tmp");
    fs::create_dir(&scratch).unwrap();
    let plan = mmbrand_env(
        ["plan".as_ref(), brand.file().as_os_str(), "--json".as_ref()],
        &[("TMPDIR", scratch.as_os_str())],
    )
    .expect(0)
    .json();
    assert!(!brand.out.exists());
    assert_eq!(
        fs::read_dir(&scratch).unwrap().count(),
        0,
        "no scratch directory left behind"
    );

    brand.apply(&[]).expect(0);
    let planned: BTreeMap<String, String> = plan["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let status = c["status"].as_str().unwrap().to_string();
            (c["path"].as_str().unwrap().to_string(), status)
        })
        .collect();
    let before = tree_digest(&fixture("mattermost-mobile"));
    let after: BTreeMap<String, String> = tree_digest(&brand.out.join("app"))
        .into_iter()
        .filter(|(path, _)| !path.starts_with(".git/"))
        .collect();
    let mut applied = BTreeMap::new();
    for (path, digest) in &after {
        match before.get(path) {
            None => applied.insert(path.clone(), "added".to_string()),
            Some(old) if old != digest => applied.insert(path.clone(), "modified".to_string()),
            Some(_) => None,
        };
    }
    for path in before.keys().filter(|p| !after.contains_key(*p)) {
        applied.insert(path.clone(), "removed".to_string());
    }
    assert_eq!(planned, applied, "plan's changes against apply's app tree");

    let outputs: Vec<&str> = plan["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o.as_str().unwrap())
        .collect();
    let written: Vec<String> = tree_digest(&brand.out)
        .into_keys()
        .filter(|p| !p.starts_with("app/") && p != "mmbrand.lock.json")
        .collect();
    assert_eq!(outputs, written, "plan's outputs against apply's");
}

#[test]
fn gitattributes_filters_still_apply_to_the_paths_they_name() {
    let brand = TempBrand::acme();
    let upstream = brand.tmp.path().join("with-attrs");
    copy_tree(&fixture("mattermost-mobile"), &upstream);
    fs::write(
        upstream.join(".gitattributes"),
        "# Windows files\n*.bat text eol=crlf\n",
    )
    .unwrap();
    fs::write(upstream.join("android/gradlew.bat"), "@echo off\nexit 0\n").unwrap();
    commit_all(&git2::Repository::init(&upstream).unwrap(), "c");
    let source = upstream.display().to_string();
    brand.apply(&["--source", &source]).expect(0);
    assert_eq!(
        fs::read(brand.app("android/gradlew.bat")).unwrap(),
        b"@echo off\r\nexit 0\r\n"
    );
    assert_eq!(
        fs::read(brand.app("package.json")).unwrap(),
        fs::read(upstream.join("package.json")).unwrap()
    );
}

/// `mmbrand plan … | head -1`: when the reader leaves, plan stops quietly with SIGPIPE's
/// status (141) instead of a panic message, and leaves no scratch directory behind.
#[test]
fn plan_into_a_closed_pipe_stops_quietly() {
    use std::process::{Command, Stdio};
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = tempfile::tempdir().unwrap();
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("mmbrand"))
        .arg("plan")
        .arg(root.join("fixtures/brands/acme/brand.toml"))
        .env("TMPDIR", tmp.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Closed before plan prints its first line (it builds first), so every run meets EPIPE.
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(141), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0);
}
