//! `mmbrand apply`: loads the brand and its inputs, applies it (`crate::apply`), and prints
//! what was done and the next steps, or one JSON document.
use anyhow::Result;
use serde_json::json;

use crate::apply::{apply, short, Applied, Flags, Options};
use crate::brand::{Brand, LoadOptions};
use crate::cli::{ApplyArgs, ApplyFlags};
use crate::emit;
use crate::fsutil;
use crate::inputs;
use crate::report;

/// The library's options for the command line's.
pub fn options(args: &ApplyArgs) -> Options {
    Options {
        out: args.out.clone(),
        source: crate::source::Spec::from(&args.source),
        flags: flags(&args.flags),
    }
}

pub fn flags(f: &ApplyFlags) -> Flags {
    Flags {
        commit: f.commit,
        push: f.push,
        proxy_root: f.proxy_root.clone(),
        force: f.force,
        fail_on_drift: f.fail_on_drift,
    }
}

/// `mmbrand apply`.
pub fn run(args: &ApplyArgs) -> Result<()> {
    let (mut brand, inputs) = inputs::load(
        &args.brand_file,
        LoadOptions {
            allow_outside_brand_dir: args.access.allow_outside_brand_dir,
        },
    )?;
    brand.override_version(
        args.version.app_version.as_deref(),
        args.version.build_number,
    )?;
    // Text mode reports drift on stderr as it is found; --json keeps stdout one document.
    let say = |line: &str| {
        if !args.json {
            eprintln!("{line}");
        }
    };
    let applied = apply(&brand, &inputs, &options(args), &say)?;
    print(&brand, &applied, args);
    Ok(())
}

fn print_up_to_date(brand: &Brand, applied: &Applied, args: &ApplyArgs) {
    let warnings = brand.warnings();
    if args.json {
        report::print_json(&json!({
            "ok": true, "command": "apply", "brand": brand.name,
            "out": args.out.display().to_string(), "up_to_date": true,
            "commit": applied.commit, "warnings": warnings,
        }));
        return;
    }
    report::print_warnings(&warnings);
    println!(
        "{} is up to date in {} (upstream {}, same brand, override tree and credentials, and it verifies): nothing rewritten",
        brand.name,
        args.out.display(),
        short(&applied.commit)
    );
}

fn print(brand: &Brand, applied: &Applied, args: &ApplyArgs) {
    let Some(built) = &applied.built else {
        print_up_to_date(brand, applied, args);
        return;
    };
    if args.json {
        report::print_json(&json!({
            "ok": true,
            "command": "apply",
            "brand": brand.name,
            "out": args.out.display().to_string(),
            "upstream": built.upstream,
            "branch": brand.branch,
            "brand_commit": built.lock.brand_commit,
            "files": built.lock.files.len(),
            "build": {
                "ios": emit::fastlane::build_command(brand, "ios"),
                "android": emit::fastlane::build_command(brand, "android"),
            },
            "release_assets": built.placements,
            "up_to_date": false,
            "drift": applied.drift,
            "carried": applied.carried,
            "warnings": built.warnings,
        }));
        return;
    }
    report::print_warnings(&built.warnings);
    if !applied.carried.is_empty() {
        let shown: Vec<String> = applied
            .carried
            .iter()
            .map(|p| fsutil::rel_string(p))
            .collect();
        println!(
            "kept from the previous output (git-ignored build caches): {}",
            shown.join(", ")
        );
    }
    let short = &built.upstream.commit[..built.upstream.commit.len().min(10)];
    println!(
        "branded {} from {} @ {short} into {} ({} files written, branch {})",
        brand.name,
        built.upstream.repo,
        args.out.display(),
        built.lock.files.len(),
        brand.branch
    );
    if !args.out.join("app/fastlane/Gemfile").is_file() {
        // A miniature such as the embedded example cannot be built; say so instead of
        // printing steps that would fail.
        println!(
            "next: this upstream has no fastlane/Gemfile, so it cannot be built (the embedded example is a miniature); apply a real mattermost-mobile checkout (--source <clone> --ref v2.42.3) to get the build steps"
        );
        println!(
            "check the outputs any time: mmbrand verify {}",
            args.out.display()
        );
        return;
    }
    println!("next, build it (iOS on macOS with Xcode; npm ci also installs the pods there):");
    println!("  cd {} && npm ci", args.out.join("app").display());
    println!("  cd fastlane && bundle install");
    println!("  {}", emit::fastlane::build_command(brand, "ios"));
    println!("  {}", emit::fastlane::build_command(brand, "android"));
    println!(
        "and prove the built tree still matches: mmbrand verify {}",
        args.out.display()
    );
}
