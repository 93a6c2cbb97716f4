//! `plan` checks out only the upstream files the pipeline reads (`apply::upstream_reads`).
//! Its report must be the same as from a full copy of the same tree: a plain-directory
//! upstream is copied whole, a git upstream is checked out sparsely, so comparing the two
//! catches a step that reads a path the list lacks (it would see no file there).

use std::fs;
use std::path::Path;

use crate::common::*;

/// `plan --json` of `brand` on `source`.
fn plan_json(brand: &TempBrand, source: &Path) -> serde_json::Value {
    let run = mmbrand([
        "plan".as_ref(),
        brand.file().as_os_str(),
        "--json".as_ref(),
        "--source".as_ref(),
        source.as_os_str(),
    ])
    .expect(0);
    run.json()
}

/// The tree at `dir` committed in a git repository beside it.
fn as_git(dir: &Path) -> std::path::PathBuf {
    let git = dir.with_file_name("upstream-git");
    copy_tree(dir, &git);
    commit_all(&git2::Repository::init(&git).unwrap(), "upstream");
    git
}

fn assert_same_plan(brand: &TempBrand, dir: &Path) {
    let full = plan_json(brand, dir);
    let sparse = plan_json(brand, &as_git(dir));
    assert_eq!(sparse["upstream"]["method"], "shared-clone");
    for key in ["changes", "outputs", "release_assets", "warnings"] {
        assert_eq!(sparse[key], full[key], "plan's {key} differ");
    }
    let changes = full["changes"].as_array().unwrap();
    let has = |status: &str| changes.iter().any(|c| c["status"] == status);
    // The comparison covers every kind of change: edits, moved sources, copied assets.
    assert!(
        has("modified") && has("added") && has("removed"),
        "{changes:?}"
    );
}

#[test]
fn a_sparse_git_checkout_plans_like_a_full_copy_of_the_miniature() {
    let brand = TempBrand::acme();
    let dir = brand.tmp.path().join("upstream");
    copy_tree(&fixture("mattermost-mobile"), &dir);
    assert_same_plan(&brand, &dir);
}

#[test]
fn a_sparse_git_checkout_plans_like_a_full_copy_of_the_real_files() {
    let Some(real) = upstream_mobile() else {
        return;
    };
    let brand = TempBrand::acme();
    let dir = brand.real_upstream(&real);
    assert!(fs::metadata(Path::new(&dir).join("assets/base")).is_ok());
    assert_same_plan(&brand, Path::new(&dir));
}
