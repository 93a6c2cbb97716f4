//! `mmbrand init DIR [--source CHECKOUT]`.
use anyhow::Result;

use crate::cli::InitArgs;

pub fn run(args: &InitArgs) -> Result<()> {
    crate::init::create(&args.dir, args.source.as_deref())
}
