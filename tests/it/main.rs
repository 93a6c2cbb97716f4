//! The one integration-test binary: every test runs the built `mmbrand` binary on inputs made
//! in a temporary directory (see `common`), module by module.
mod apply;
mod apply_android;
mod apply_ios;
mod apply_real_files;
mod apply_release;
mod bad_inputs;
mod batch;
mod big_files;
mod common;
mod corpus;
mod deep_links;
mod doctor;
mod emm;
mod format_injection;
mod init;
mod interrupts;
mod lanes;
mod merge;
mod module_graph;
mod plan_sparse;
mod push_proxy;
mod reapply;
mod templates;
