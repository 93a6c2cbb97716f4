//! `apply` over an earlier output keeps the user's git in app/ (refs, stashes, remotes,
//! tags, config, reflogs) across a re-apply and an upgrade, and stops, listing them, on
//! commits of the brand branch and files apply did not write.
use std::fs;
use std::path::Path;
use std::process::Command;

use crate::common::*;

/// `git -C <dir> <args>` as a user with an identity; its stdout, or a panic with stderr.
fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args([
            "-c",
            "user.name=Dev",
            "-c",
            "user.email=dev@example.invalid",
        ])
        .args(args)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The fixture upstream with tags v1 and v2 (v2 changes a config value).
fn two_releases(dir: &Path) -> String {
    let repo_dir = git_upstream(dir, "v1");
    let repo = git2::Repository::open(&repo_dir).unwrap();
    let config_path = repo_dir.join("assets/base/config.json");
    let mut config = read_json(&config_path);
    config["NewFeature"] = true.into();
    fs::write(&config_path, serde_json::to_string_pretty(&config).unwrap()).unwrap();
    let commit = commit_all(&repo, "v2");
    repo.tag_lightweight("v2", &repo.find_object(commit, None).unwrap(), false)
        .unwrap();
    repo_dir.display().to_string()
}

/// A side branch with a commit, a stash, a remote, a tag and a local config entry in app/,
/// leaving the work tree as apply wrote it.
fn do_some_git_work(app: &Path) {
    git(app, &["checkout", "-q", "-b", "side"]);
    fs::write(app.join("side.txt"), "side work\n").unwrap();
    git(app, &["add", "side.txt"]);
    git(app, &["commit", "-q", "-m", "Side work"]);
    git(app, &["tag", "my-tag"]);
    git(app, &["checkout", "-q", "-"]);
    let readme = app.join("package.json");
    let text = fs::read_to_string(&readme).unwrap();
    fs::write(&readme, format!("{text}\n")).unwrap();
    git(app, &["stash", "push", "-q", "-m", "my stash"]);
    git(
        app,
        &[
            "remote",
            "add",
            "mine",
            "https://git.example.invalid/me/mobile.git",
        ],
    );
    git(app, &["config", "user.name", "Release Dev"]);
}

fn assert_git_work_kept(app: &Path, brand_branch: &str) {
    assert!(git(app, &["log", "--all", "--format=%s"]).contains("Side work"));
    assert_eq!(
        git(app, &["log", "-1", "--format=%s", "side"]),
        "Side work\n"
    );
    assert!(git(app, &["stash", "list"]).contains("my stash"));
    assert!(git(app, &["remote", "-v"]).contains("mine\thttps://git.example.invalid/me/mobile.git"));
    assert!(git(app, &["tag"]).lines().any(|t| t == "my-tag"));
    assert_eq!(
        git(app, &["config", "--local", "user.name"]),
        "Release Dev\n"
    );
    assert!(git(app, &["reflog", "side"]).contains("Side work"));
    assert_eq!(
        git(app, &["symbolic-ref", "HEAD"]),
        format!("refs/heads/{brand_branch}\n")
    );
    // Git itself finds the repository whole.
    git(app, &["fsck", "--no-progress", "--connectivity-only"]);
}

#[test]
fn branches_stashes_remotes_and_tags_survive_a_re_apply_and_an_upgrade() {
    let brand = TempBrand::acme();
    let source = two_releases(brand.tmp.path());
    let base = ["--source", source.as_str(), "--commit"];
    brand
        .apply(&[&base[..], &["--ref", "v1"]].concat())
        .expect(0);
    let app = brand.out.join("app");
    let branch = git(&app, &["rev-parse", "--abbrev-ref", "HEAD"]);
    let branch = branch.trim().to_string();
    let first_brand_commit = git(&app, &["rev-parse", "HEAD"]);
    do_some_git_work(&app);

    brand.edit(
        "display_name = \"Acme Chat\"",
        "display_name = \"Acme Talk\"",
    );
    brand
        .apply(&[&base[..], &["--ref", "v1"]].concat())
        .expect(0);
    assert_git_work_kept(&app, &branch);
    let second_brand_commit = git(&app, &["rev-parse", "HEAD"]);
    assert_ne!(
        first_brand_commit, second_brand_commit,
        "the brand branch is the new one"
    );
    assert_eq!(
        git(&app, &["log", "-1", "--format=%s"]),
        "Brand acme (mmbrand)\n"
    );

    // Packed now (objects and refs), as after any `git gc` of a real checkout.
    git(&app, &["gc", "-q"]);
    let run = brand
        .apply(&[&base[..], &["--ref", "v2"]].concat())
        .expect(0);
    assert!(
        run.stderr.is_empty() || !run.stderr.contains("error"),
        "{}",
        run.stderr
    );
    assert_git_work_kept(&app, &branch);
    let config = read_json(&brand.app("assets/base/config.json"));
    assert_eq!(config["NewFeature"], true, "the upgrade took v2");
    mmbrand(["verify".into(), brand.out.clone().into_os_string()]).expect(0);
}

#[test]
fn commits_on_the_brand_branch_stop_a_re_apply_and_force_keeps_them_under_a_backup_ref() {
    for commit in [true, false] {
        let brand = TempBrand::acme();
        let source = git_upstream(brand.tmp.path(), "v1").display().to_string();
        let mut args = vec!["--source", source.as_str(), "--ref", "v1"];
        if commit {
            args.push("--commit");
        }
        brand.apply(&args).expect(0);
        let app = brand.out.join("app");
        let branch = git(&app, &["rev-parse", "--abbrev-ref", "HEAD"]);
        let branch = branch.trim();
        // Committing stages what apply left unstaged too: only the user's commits count.
        git(&app, &["add", "-A"]);
        git(
            &app,
            &["commit", "-q", "--allow-empty", "-m", "Local fix one"],
        );
        git(
            &app,
            &["commit", "-q", "--allow-empty", "-m", "Local fix two"],
        );
        let shas = git(&app, &["log", "-2", "--format=%h"]);
        let shas: Vec<&str> = shas.lines().collect();
        let before = tree_digest(&brand.out);

        let run = brand.apply(&args).expect(1);
        let out = brand.out.display().to_string();
        assert_eq!(
            run.stderr,
            format!(
                "error: {out} was changed since the last apply, and applying again would lose it:\n  app commit {} on {branch}: Local fix two\n  app commit {} on {branch}: Local fix one\nmove the changes into the brand (brand file or override tree) and re-run, or pass --force to apply anyway, discarding the files and keeping the commits under refs/mmbrand/backup/\n",
                shas[0], shas[1]
            ),
            "with --commit: {commit}"
        );
        assert_eq!(before, tree_digest(&brand.out), "nothing touched");

        args.push("--force");
        let run = brand.apply(&args).expect(0);
        let backup = git(
            &app,
            &[
                "for-each-ref",
                "--format=%(refname)",
                "refs/mmbrand/backup/",
            ],
        );
        let backup = backup.trim();
        assert!(backup.starts_with("refs/mmbrand/backup/20"), "{backup:?}");
        run.stderr_has(&format!(
            "warning: --force replaced the brand branch; its 2 commit(s) of your own are kept in app/.git as {backup} (git log {backup})"
        ));
        assert_eq!(
            git(&app, &["log", "-2", "--format=%s", backup]),
            "Local fix two\nLocal fix one\n"
        );
        assert!(!git(&app, &["log", "--format=%s", branch]).contains("Local fix"));
    }
}

#[test]
fn files_added_anywhere_in_the_output_stop_a_re_apply_and_force_names_them() {
    let brand = TempBrand::acme();
    brand.apply(&[]).expect(0);
    let added = [
        "push-proxy/extra.conf",
        "server/notes.md",
        "TODO.txt",
        "app/dist/extra.js",
    ];
    for rel in added {
        write(&brand.out.join(rel), "mine\n");
    }
    let before = tree_digest(&brand.out);
    let run = brand.apply(&[]).expect(1);
    let out = brand.out.display().to_string();
    // In the order of the output's walk (bytewise).
    let listed: String = [added[2], added[3], added[0], added[1]]
        .iter()
        .map(|r| format!("  {r} created since apply\n"))
        .collect();
    assert_eq!(
        run.stderr,
        format!(
            "error: {out} was changed since the last apply, and applying again would lose it:\n{listed}move the changes into the brand (brand file or override tree) and re-run, or pass --force to apply anyway and discard them\n"
        )
    );
    assert_eq!(before, tree_digest(&brand.out), "nothing touched");

    let run = brand.apply(&["--force"]).expect(0);
    for rel in added {
        run.stderr_has(&format!(
            "warning: --force discarded {rel} created since apply\n"
        ));
        assert!(!brand.out.join(rel).exists(), "{rel}");
    }
    // The next run has nothing to refuse.
    brand.apply(&[]).expect(0);
}

#[test]
fn a_comment_added_to_the_manifest_stops_a_re_apply() {
    let brand = TempBrand::acme();
    brand.apply(&[]).expect(0);
    let manifest = brand.app("android/app/src/main/AndroidManifest.xml");
    let text = fs::read_to_string(&manifest).unwrap();
    let noted = text.replacen(
        "<application",
        "<!-- keep: MDM needs this -->\n    <application",
        1,
    );
    assert_ne!(text, noted);
    fs::write(&manifest, &noted).unwrap();
    brand.edit(
        "display_name = \"Acme Chat\"",
        "display_name = \"Acme Talk\"",
    );
    brand
        .apply(&[])
        .expect(1)
        .stderr_has("  app/android/app/src/main/AndroidManifest.xml changed (a comment added)\n");
    assert_eq!(fs::read_to_string(&manifest).unwrap(), noted);
}
