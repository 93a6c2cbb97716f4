//! `mmbrand plan BRAND`: the clap arguments as `plan::Options`.
use anyhow::Result;

use crate::cli::PlanArgs;
use crate::plan::{plan, Options};

/// `mmbrand plan`.
pub fn run(args: &PlanArgs) -> Result<()> {
    plan(&Options {
        brand_file: args.brand_file.clone(),
        source: (&args.source).into(),
        app_version: args.version.app_version.clone(),
        build_number: args.version.build_number,
        from: args.from.clone(),
        allow_outside_brand_dir: args.access.allow_outside_brand_dir,
        json: args.json,
    })
}
