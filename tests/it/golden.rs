//! The example brand's whole outputs against golden files in tests/golden/: `plan` (text and
//! `--json`), `apply`, `verify` (text and `--json`) and the lock's file list. Any change to
//! what a user sees fails here with a diff; an intended one is blessed with
//! `MMBRAND_BLESS=1 cargo test --test it golden` (see TESTING.md).
use std::ffi::OsString;

use crate::common::golden::{transcript, Goldens, Normaliser};
use crate::common::*;

/// Runs `mmbrand` with `args`, whose `[BRAND]` and `[OUT]` stand for the brand folder and the
/// output; returns the run's normalised transcript.
fn run(brand: &TempBrand, normaliser: &Normaliser, args: &[&str]) -> (Run, String) {
    let expand = |a: &str| -> OsString {
        a.replace("[BRAND]", &brand.dir.display().to_string())
            .replace("[OUT]", &brand.out.display().to_string())
            .into()
    };
    let run = mmbrand(args.iter().map(|a| expand(a)));
    let shown = format!("mmbrand {}", args.join(" "));
    let text = transcript(&shown, &run, normaliser);
    (run, text)
}

#[test]
fn example_brand_whole_outputs() {
    let brand = TempBrand::acme();
    let normaliser = Normaliser::new()
        .path(&brand.dir, "[BRAND]")
        .path(&brand.out, "[OUT]")
        .path(brand.tmp.path(), "[TMP]");
    let mut goldens = Goldens::default();

    // plan writes nothing: it runs before apply, and the output must not exist after it.
    let (plan, text) = run(&brand, &normaliser, &["plan", "[BRAND]/brand.toml"]);
    goldens.check("plan.txt", &text);
    let (plan_json, text) = run(
        &brand,
        &normaliser,
        &["plan", "[BRAND]/brand.toml", "--json"],
    );
    goldens.check("plan_json.txt", &text);
    assert!(!brand.out.exists(), "plan wrote the output");

    let apply_args = ["apply", "[BRAND]/brand.toml", "--out", "[OUT]"];
    let (apply, text) = run(&brand, &normaliser, &apply_args);
    goldens.check("apply.txt", &text);
    let (verify, text) = run(&brand, &normaliser, &["verify", "[OUT]"]);
    goldens.check("verify.txt", &text);
    let (verify_json, text) = run(&brand, &normaliser, &["verify", "[OUT]", "--json"]);
    goldens.check("verify_json.txt", &text);
    goldens.check("lock_files.txt", &lock_files(&brand));

    goldens.finish();
    for (name, run) in [
        ("plan", &plan),
        ("plan --json", &plan_json),
        ("apply", &apply),
        ("verify", &verify),
        ("verify --json", &verify_json),
    ] {
        assert_eq!(run.code, 0, "{name} failed:\n{}", run.stderr);
    }
    plan_json.json();
    verify_json.json();
}

/// The lock's files, one per line: each file's digest and path, then the credentials it
/// records by key and the upstream files apply deleted.
fn lock_files(brand: &TempBrand) -> String {
    let lock = read_json(&brand.out.join("mmbrand.lock.json"));
    let mut out = String::from("# files\n");
    for (path, digest) in lock["files"].as_object().unwrap() {
        out.push_str(&format!("{}  {path}\n", digest.as_str().unwrap()));
    }
    out.push_str("# credentials\n");
    for (key, digest) in lock["credentials"].as_object().unwrap() {
        out.push_str(&format!("{}  {key}\n", digest.as_str().unwrap()));
    }
    out.push_str("# deleted\n");
    for path in lock["deleted"].as_array().unwrap() {
        out.push_str(&format!("{}\n", path.as_str().unwrap()));
    }
    out
}
