//! `mmbrand doctor DIR --proxy URL`: the clap arguments as `doctor::Options`.
use anyhow::Result;

use crate::cli::DoctorArgs;
use crate::doctor::{diagnose, Options};

/// `mmbrand doctor`.
pub fn run(args: &DoctorArgs) -> Result<()> {
    diagnose(&Options {
        dir: args.dir.clone(),
        proxy: args.proxy.clone(),
        device_id: args.device_id.clone(),
        timeout_secs: args.timeout_secs,
        json: args.json,
    })
}
