//! The command layer: each command turns its clap arguments into the options of the library
//! code below it, runs it, and prints text or `--json`. Nothing below this layer imports
//! `cli`.
use anyhow::Result;

use crate::cli::{Cli, Command};

pub mod apply;
pub mod batch;
pub mod doctor;
pub mod init;
pub mod merge;
pub mod verify;

/// The library's description of upstream's source for the command line's.
pub fn source_spec(args: &crate::cli::SourceArgs) -> crate::source::Spec {
    crate::source::Spec {
        source: args.source.clone(),
        git_ref: args.git_ref.clone(),
        object_store: args.object_store.clone(),
    }
}

/// Runs one command. Every failure is an `Err`, which `main` maps to exit status 1.
pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Merge(args) => merge::run(&args),
        Command::Plan(args) => crate::plan::run(&args),
        Command::Apply(args) => apply::run(&args),
        Command::Verify(args) => verify::run(&args),
        Command::Doctor(args) => doctor::run(&args),
        Command::Init(args) => init::run(&args),
        Command::Batch(args) => batch::run(&args),
    }
}
