//! The command layer: each command turns its clap arguments into the options of the library
//! code below it, runs it, and prints text or `--json`. Nothing below this layer imports
//! `cli`.
use anyhow::Result;

use crate::cli::{Cli, Command, SourceArgs};
use crate::source;

pub mod apply;
pub mod batch;
pub mod doctor;
pub mod init;
pub mod merge;
pub mod plan;
pub mod verify;

/// Runs one command. Every failure is an `Err`, which `main` maps to exit status 1.
pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Merge(args) => merge::run(&args),
        Command::Plan(args) => plan::run(&args),
        Command::Apply(args) => apply::run(&args),
        Command::Verify(args) => verify::run(&args),
        Command::Doctor(args) => doctor::run(&args),
        Command::Init(args) => init::run(&args),
        Command::Batch(args) => batch::run(&args),
    }
}

/// `--source`, `--ref` (and batch's object store) as the pipeline's plain options.
impl From<&SourceArgs> for source::Spec {
    fn from(args: &SourceArgs) -> Self {
        source::Spec {
            source: args.source.clone(),
            git_ref: args.git_ref.clone(),
            object_store: args.object_store.clone(),
        }
    }
}
