//! `mmbrand merge` end to end, on the real upstream assets/base and on small trees.

use std::fs;
use std::path::Path;

use crate::common::*;
use serde_json::json;

const MARKER: &str = ".mmbrand-merge.json";

/// An override like a real brand's: nested Sentry options, a deletion, partial i18n, and new
/// iOS icons of the right sizes.
fn brand_override(base: &Path, dir: &Path) {
    write(
        &dir.join("config.json"),
        r#"{"DefaultServerUrl": "https://chat.acme.example",
            "SentryOptions": {"autoBreadcrumbs": {"xhr": true}, "severityLevelFilter": ["fatal", "error"]},
            "TestServerUrl": null}"#,
    );
    write(
        &dir.join("i18n/en.json"),
        r#"{"about.date": "Built on:", "mobile.brand.extra": "Acme"}"#,
    );
    for entry in fs::read_dir(base.join("release/icons/ios")).unwrap() {
        let path = entry.unwrap().path();
        let (w, h) = png_size(&path);
        write_png(
            &dir.join("release/icons/ios")
                .join(path.file_name().unwrap()),
            w,
            h,
            [200, 30, 30, 255],
        );
    }
}

#[test]
fn merges_a_brand_over_the_real_assets_base() {
    let Some(upstream) = upstream_mobile() else {
        return;
    };
    let base = upstream.join("assets/base");
    let tmp = tempfile::tempdir().unwrap();
    let ovr = tmp.path().join("override");
    brand_override(&base, &ovr);
    let out = tmp.path().join("dist");

    let run = mmbrand([
        base.as_os_str(),
        ovr.as_os_str(),
        out.as_os_str(),
        "--json".as_ref(),
    ])
    .expect(0);
    let report = run.json();
    assert_eq!(report["ok"], true);
    assert_eq!(report["merged"], json!(["config.json", "i18n/en.json"]));
    assert_eq!(report["replaced"].as_array().unwrap().len(), 15);

    // config.json: nested merge, arrays replaced, null deletes, base key order kept.
    let config = read_json(&out.join("config.json"));
    let base_config = read_json(&base.join("config.json"));
    assert_eq!(config["DefaultServerUrl"], "https://chat.acme.example");
    assert_eq!(
        config["SentryOptions"]["autoBreadcrumbs"],
        json!({"xhr": true, "console": true})
    );
    assert_eq!(
        config["SentryOptions"]["severityLevelFilter"],
        json!(["fatal", "error"])
    );
    assert_eq!(config["SentryOptions"]["deactivateStacktraceMerging"], true);
    assert!(config.get("TestServerUrl").is_none());
    let keys: Vec<&String> = config.as_object().unwrap().keys().collect();
    let base_keys: Vec<&String> = base_config
        .as_object()
        .unwrap()
        .keys()
        .filter(|k| *k != "TestServerUrl")
        .collect();
    assert_eq!(keys, base_keys);

    // i18n: one string changed, one added, every other kept.
    let en = read_json(&out.join("i18n/en.json"));
    let base_en = read_json(&base.join("i18n/en.json"));
    assert_eq!(en["about.date"], "Built on:");
    assert_eq!(en["mobile.brand.extra"], "Acme");
    assert_eq!(
        en.as_object().unwrap().len(),
        base_en.as_object().unwrap().len() + 1
    );
    assert_eq!(en["about.hash"], base_en["about.hash"]);

    // Every other file: byte for byte from override or base.
    let out_files = tree_digest(&out);
    let base_files = tree_digest(&base);
    assert_eq!(
        out_files.len(),
        base_files.len() + 1,
        "173 files plus the marker"
    );
    for (rel, digest) in &base_files {
        if rel.starts_with("release/icons/ios/") {
            assert_eq!(&out_files[rel], &sha256(&ovr.join(rel)), "{rel}");
        } else if rel != "config.json" && rel != "i18n/en.json" {
            assert_eq!(&out_files[rel], digest, "{rel} copied unchanged");
        }
    }
}

#[test]
fn config_and_all_of_release_overridden_is_correct_and_reproducible() {
    let Some(upstream) = upstream_mobile() else {
        return;
    };
    let base = upstream.join("assets/base");
    let tmp = tempfile::tempdir().unwrap();
    let ovr = tmp.path().join("override");
    write(
        &ovr.join("config.json"),
        r#"{"DefaultServerName": "Acme", "ShowOnboarding": true}"#,
    );
    let release = base.join("release");
    let mut expected = 0;
    for entry in walkdir::WalkDir::new(&release)
        .into_iter()
        .map(Result::unwrap)
    {
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = entry.path().strip_prefix(&base).unwrap();
        let target = ovr.join(rel);
        if rel.extension().is_some_and(|e| e == "png") {
            let (w, h) = png_size(entry.path());
            write_png(&target, w, h, [10, 20, 30, 255]);
        } else {
            let mut bytes = fs::read(entry.path()).unwrap();
            bytes.extend_from_slice(b"\n");
            write(&target, bytes);
        }
        expected += 1;
    }

    let out1 = tmp.path().join("one");
    let out2 = tmp.path().join("two");
    let run = mmbrand([
        base.as_os_str(),
        ovr.as_os_str(),
        out1.as_os_str(),
        "--json".as_ref(),
    ])
    .expect(0);
    mmbrand([base.as_os_str(), ovr.as_os_str(), out2.as_os_str()]).expect(0);
    let json_files = release_json_count(&release);
    assert_eq!(
        run.json()["replaced"].as_array().unwrap().len(),
        expected - json_files
    );

    let one = tree_digest(&out1);
    assert_eq!(
        one,
        tree_digest(&out2),
        "two runs give byte-identical trees"
    );
    for rel in one
        .keys()
        .filter(|r| r.starts_with("release/") && !r.ends_with(".json"))
    {
        assert_eq!(
            one[rel],
            sha256(&ovr.join(rel)),
            "{rel} replaced by the override"
        );
    }
    let config = read_json(&out1.join("config.json"));
    assert_eq!(config["DefaultServerName"], "Acme");
    assert_eq!(config["ShowOnboarding"], true);
}

fn release_json_count(release: &Path) -> usize {
    walkdir::WalkDir::new(release)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
        .count()
}

/// A small base tree for the error cases, so they run without ../shared.
fn small_base(dir: &Path) {
    write(
        &dir.join("config.json"),
        r#"{"DefaultServerUrl": "", "AutoSelectServerUrl": false, "ShowOnboarding": false, "SentryOptions": {"severityLevelFilter": ["fatal"]}}"#,
    );
    write(&dir.join("i18n/en.json"), r#"{"a": "A", "b": "B"}"#);
    write_png(
        &dir.join("release/icons/ios/40@2x.png"),
        80,
        80,
        [0, 0, 0, 255],
    );
    write(
        &dir.join("release/splash_screen/ios/LaunchScreen.storyboard"),
        "<doc/>",
    );
}

struct Case {
    _tmp: tempfile::TempDir,
    base: std::path::PathBuf,
    ovr: std::path::PathBuf,
    out: std::path::PathBuf,
}

impl Case {
    /// A base, an empty override, and a previous good output in `out`.
    fn new() -> Case {
        let tmp = tempfile::tempdir().unwrap();
        let base = tmp.path().join("base");
        let ovr = tmp.path().join("override");
        let out = tmp.path().join("out");
        small_base(&base);
        fs::create_dir_all(&ovr).unwrap();
        mmbrand([base.as_os_str(), ovr.as_os_str(), out.as_os_str()]).expect(0);
        Case {
            _tmp: tmp,
            base,
            ovr,
            out,
        }
    }

    fn merge(&self, extra: &[&str]) -> Run {
        let mut args: Vec<&std::ffi::OsStr> = vec![
            self.base.as_os_str(),
            self.ovr.as_os_str(),
            self.out.as_os_str(),
        ];
        args.extend(extra.iter().map(std::ffi::OsStr::new));
        mmbrand(args)
    }

    /// Runs a merge that must fail, and proves the previous output is untouched and no
    /// staging directory is left behind.
    fn fails(&self) -> Run {
        let before = tree_digest(&self.out);
        let run = self.merge(&[]).expect(1);
        assert_eq!(before, tree_digest(&self.out), "OUT_DIR changed on failure");
        let names: Vec<String> = fs::read_dir(self.out.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(
            names.iter().all(|n| !n.starts_with(".mmbrand")),
            "leftovers: {names:?}"
        );
        run
    }
}

fn mmbrand_merge<I: IntoIterator<Item = S>, S: AsRef<std::ffi::OsStr>>(args: I) -> Run {
    let mut all: Vec<std::ffi::OsString> = vec!["merge".into()];
    all.extend(args.into_iter().map(|a| a.as_ref().to_owned()));
    crate::common::mmbrand(all)
}

// Shadow the harness function: every test here runs `mmbrand merge`.
use mmbrand_merge as mmbrand;

#[test]
fn file_only_in_override_is_rejected_with_a_suggestion() {
    let case = Case::new();
    write_png(
        &case.ovr.join("release/icon/ios/40@2x.png"),
        80,
        80,
        [1, 1, 1, 255],
    );
    let run = case.fails();
    run.stderr_has("release/icon/ios/40@2x.png")
        .stderr_has("rename it to release/icons/ios/40@2x.png or remove it")
        .stderr_has("--allow-extra");
}

#[test]
fn allow_extra_copies_and_reports_the_file() {
    let case = Case::new();
    write(&case.ovr.join("images/brand.svg"), "<svg/>");
    let run = case.merge(&["--allow-extra", "--json"]).expect(0);
    let report = run.json();
    assert_eq!(report["extra"], json!(["images/brand.svg"]));
    assert!(report["warnings"][0]
        .as_str()
        .unwrap()
        .contains("images/brand.svg"));
    assert_eq!(
        fs::read_to_string(case.out.join("images/brand.svg")).unwrap(),
        "<svg/>"
    );
}

#[test]
fn unknown_config_key_is_rejected_with_the_real_key() {
    let case = Case::new();
    write(
        &case.ovr.join("config.json"),
        r#"{"DefaultServerURL": "https://chat.acme.example"}"#,
    );
    case.fails()
        .stderr_has("config.json: unknown key `DefaultServerURL`")
        .stderr_has("did you mean `DefaultServerUrl`?");
}

#[test]
fn config_value_of_the_wrong_type_is_rejected() {
    let case = Case::new();
    write(
        &case.ovr.join("config.json"),
        r#"{"AutoSelectServerUrl": "true"}"#,
    );
    case.fails()
        .stderr_has("`AutoSelectServerUrl` must be a boolean")
        .stderr_has("not string \"true\"");
}

#[test]
fn image_of_the_wrong_size_is_rejected_with_both_sizes() {
    let case = Case::new();
    write_png(
        &case.ovr.join("release/icons/ios/40@2x.png"),
        100,
        90,
        [1, 1, 1, 255],
    );
    case.fails()
        .stderr_has("release/icons/ios/40@2x.png: image is 100x90 but the base image is 80x80");
}

#[test]
fn malformed_json_names_file_line_and_column() {
    let case = Case::new();
    write(
        &case.ovr.join("i18n/en.json"),
        "{\n  \"a\": \"x\",\n  \"b\" \"y\"\n}",
    );
    case.fails().stderr_has("i18n/en.json:3:7: invalid JSON");
}

#[test]
fn every_problem_is_reported_in_one_run_and_as_json() {
    let case = Case::new();
    write(
        &case.ovr.join("config.json"),
        r#"{"ShowOnbording": true, "AutoSelectServerUrl": 1}"#,
    );
    write(&case.ovr.join("extra.txt"), "x");
    let before = tree_digest(&case.out);
    let run = case.merge(&["--json"]).expect(1);
    assert_eq!(before, tree_digest(&case.out));
    let doc = run.json();
    assert_eq!(doc["ok"], false);
    assert_eq!(doc["errors"].as_array().unwrap().len(), 3, "{doc}");
    run.stderr_has("3 problems");
}

#[test]
fn failure_without_previous_output_creates_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let base = tmp.path().join("base");
    let ovr = tmp.path().join("override");
    small_base(&base);
    write(&ovr.join("config.json"), "not json");
    let out = tmp.path().join("out");
    mmbrand([&base, &ovr, &out])
        .expect(1)
        .stderr_has("invalid JSON");
    assert!(!out.exists());
}

#[test]
fn missing_override_dir_and_foreign_out_dir_are_errors() {
    let case = Case::new();
    let missing = case.ovr.with_file_name("nope");
    mmbrand([&case.base, &missing, &case.out])
        .expect(1)
        .stderr_has("override directory")
        .stderr_has("does not exist");

    let foreign = case.out.with_file_name("precious");
    write(&foreign.join("notes.txt"), "keep me");
    mmbrand([&case.base, &case.ovr, &foreign])
        .expect(1)
        .stderr_has("was not written by mmbrand");
    assert_eq!(
        fs::read_to_string(foreign.join("notes.txt")).unwrap(),
        "keep me"
    );
}

#[test]
fn merging_the_output_again_changes_nothing() {
    let case = Case::new();
    write(
        &case.ovr.join("config.json"),
        r#"{"SentryOptions": {"severityLevelFilter": []}, "ShowOnboarding": true}"#,
    );
    write(&case.ovr.join("i18n/en.json"), r#"{"a": null, "c": "C"}"#);
    case.merge(&[]).expect(0);
    let once = tree_digest(&case.out);
    let again = case.out.with_file_name("again");
    // The first output serves as the base of a second merge with the same override.
    let base2 = case.out.with_file_name("base2");
    fs::rename(&case.out, &base2).unwrap();
    fs::remove_file(base2.join(MARKER)).unwrap();
    mmbrand([&base2, &case.ovr, &again]).expect(0);
    let mut twice = tree_digest(&again);
    let mut once_files = once;
    once_files.remove(MARKER);
    twice.remove(MARKER);
    assert_eq!(once_files, twice);
}

#[test]
fn usage_errors_exit_2() {
    crate::common::mmbrand(["merge", "only-one-arg"]).expect(2);
    crate::common::mmbrand(["merge", "a", "b", "c", "--no-such-flag"]).expect(2);
    crate::common::mmbrand(["frobnicate"]).expect(2);
}
