//! mmbrand: brand the Mattermost mobile app and emit the matching push-proxy configuration
//! from one declarative brand file.
//!
//! The binary (`src/main.rs`) only parses arguments and maps errors to exit codes; every
//! command is a function of this library.

pub mod apply;
pub mod brand;
pub mod cli;
pub mod commands;
pub mod content;
pub mod depth;
pub mod did_you_mean;
pub mod doctor;
pub mod drift;
pub mod edits;
pub mod emit;
pub mod error;
pub mod format;
pub mod fsutil;
pub mod git_net;
pub mod google_services;
pub mod init;
pub mod inputs;
pub mod key_material;
pub mod layout;
pub mod lock;
pub mod native;
pub mod overlay;
pub mod plan;
pub mod problems;
pub mod proxy_target;
pub mod push;
pub mod reapply;
pub mod recorder;
pub mod report;
pub mod secret_scan;
pub mod source;
pub mod stage;
#[cfg(test)]
pub(crate) mod testing;
pub mod verify;

pub use commands::run;
