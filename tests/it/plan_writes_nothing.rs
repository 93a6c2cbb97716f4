//! `plan` writes nothing anywhere: not in the brand, the upstream repository (objects, refs,
//! config, index), HOME or the working directory, and leaves no scratch in TMPDIR, on both
//! the sparse git path and a plain directory, with a brand that pushes (credential copies)
//! and ships release assets; and what it holds in memory holds a large asset by its path.
//!
//! Not yet asserted: that plan creates no scratch directory at all while it runs. It still
//! checks out the upstream files it reads into one (removed when it ends); what it builds
//! (edited files, moved sources, merged assets, generated outputs) is held in memory.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use crate::common::*;

/// Every file under each directory, by content.
fn snapshot(dirs: &[&Path]) -> Vec<BTreeMap<String, String>> {
    dirs.iter().map(|d| tree_digest(d)).collect()
}

/// Runs `plan --json` on `source` with TMPDIR, HOME and the working directory each an empty
/// folder of the test's, and checks that nothing anywhere changed.
fn plan_changes_nothing(brand: &TempBrand, source: &Path) -> serde_json::Value {
    let root = brand.tmp.path();
    let (tmp, home, cwd) = (root.join("tmp"), root.join("home"), root.join("cwd"));
    for d in [&tmp, &home, &cwd] {
        fs::create_dir_all(d).unwrap();
    }
    let watched = [brand.dir.as_path(), source, &home, &cwd, &tmp];
    let before = snapshot(&watched);
    let out = assert_cmd::Command::cargo_bin("mmbrand")
        .unwrap()
        .args(["plan".as_ref(), brand.file().as_os_str(), "--json".as_ref()])
        .args(["--source".as_ref(), source.as_os_str()])
        .env("TMPDIR", &tmp)
        .env("HOME", &home)
        .current_dir(&cwd)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(snapshot(&watched), before, "plan changed a file");
    for d in [&tmp, &home, &cwd] {
        assert_eq!(
            fs::read_dir(d).unwrap().count(),
            0,
            "plan left {}",
            d.display()
        );
    }
    assert!(!brand.out.exists());
    serde_json::from_str(&stdout).unwrap()
}

#[test]
fn plan_of_a_git_upstream_changes_no_file_anywhere() {
    let brand = TempBrand::acme();
    // The example pushes through both stores: its credentials are copied (0600) by apply.
    brand.fresh_credentials();
    let upstream = git_upstream(brand.tmp.path(), "v1.0.0");
    let plan = plan_changes_nothing(&brand, &upstream);
    assert_eq!(plan["upstream"]["method"], "shared-clone");
    let outputs = plan["outputs"].to_string();
    assert!(outputs.contains("push-proxy/"), "{outputs}");
    let changes = plan["changes"].as_array().unwrap();
    let has = |status: &str| changes.iter().any(|c| c["status"] == status);
    assert!(
        has("modified") && has("added") && has("removed"),
        "{changes:?}"
    );
}

#[test]
fn plan_of_a_plain_directory_changes_no_file_anywhere() {
    let brand = TempBrand::acme();
    let upstream = brand.tmp.path().join("upstream");
    copy_tree(&fixture("mattermost-mobile"), &upstream);
    let plan = plan_changes_nothing(&brand, &upstream);
    assert_eq!(plan["upstream"]["method"], "directory");
}

/// What plan holds in memory holds a large override by its path: merged into dist/, kept in
/// assets/override, hashed for the lock and listed, never read whole (the binary runs with
/// less address space than the file).
#[test]
fn plan_holds_a_large_override_by_its_path() {
    use crate::big_files::{mmbrand_limited, sparse_png, MEMORY_LIMIT_KIB};
    let brand = TempBrand::acme();
    let len = (MEMORY_LIMIT_KIB + 64 * 1024) * 1024;
    sparse_png(
        &brand.dir.join("override/images/logo.png"),
        &fixture("mattermost-mobile/assets/base/images/logo.png"),
        len,
    );
    let upstream = git_upstream(brand.tmp.path(), "v1.0.0");
    let run = mmbrand_limited(&[
        "plan".as_ref(),
        brand.file().as_os_str(),
        "--json".as_ref(),
        "--source".as_ref(),
        upstream.as_os_str(),
    ])
    .expect(0);
    let plan = run.json();
    assert_eq!(plan["upstream"]["method"], "shared-clone");
    let changes = plan["changes"].to_string();
    for path in [
        "dist/assets/images/logo.png",
        "assets/override/images/logo.png",
    ] {
        assert!(changes.contains(path), "{path} not in {changes}");
    }
}
