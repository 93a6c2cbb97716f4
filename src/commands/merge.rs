//! `mmbrand merge`: the overlay engine on its own, staged and atomic.
use anyhow::{Context, Result};
use serde_json::json;

use crate::cli::MergeArgs;
use crate::overlay::{json_merge, MergeOptions, MergePlan, MergeReport};
use crate::report;
use crate::stage::Stage;

/// Written into a merge output so a later run knows it may replace the directory.
pub const MARKER: &str = ".mmbrand-merge.json";

pub fn run(args: &MergeArgs) -> Result<()> {
    let options = MergeOptions {
        allow_extra: args.allow_extra,
        offer_allow_extra: true,
    };
    let plan = MergePlan::new(&args.base_dir, &args.override_dir, options)?;
    let stage = Stage::beside(&args.out_dir, MARKER)?;
    let report = plan.write(stage.path())?;
    let marker = json!({ "tool": "mmbrand merge", "report": &report });
    crate::fsutil::write(&stage.path().join(MARKER), json_merge::to_pretty(&marker))?;
    stage
        .commit()
        .with_context(|| format!("merge into {} failed", args.out_dir.display()))?;
    print(&report, args);
    Ok(())
}

fn print(report: &MergeReport, args: &MergeArgs) {
    if args.json {
        report::print_json(&json!({
            "ok": true,
            "command": "merge",
            "out": args.out_dir.display().to_string(),
            "merged": report.merged,
            "replaced": report.replaced,
            "extra": report.extra,
            "copied": report.copied,
            "warnings": report.warnings,
        }));
        return;
    }
    report::print_warnings(&report.warnings);
    println!(
        "merged {} JSON file(s), replaced {}, copied {} unchanged{} -> {}",
        report.merged.len(),
        report.replaced.len(),
        report.copied,
        if report.extra.is_empty() {
            String::new()
        } else {
            format!(", added {} extra", report.extra.len())
        },
        args.out_dir.display()
    );
}
