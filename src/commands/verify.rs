//! `mmbrand verify DIR`: runs every check of `crate::verify` and reports them; exit 1 when
//! any fails.
use anyhow::Result;
use serde_json::json;

use crate::cli::VerifyArgs;
use crate::problems::Problems;
use crate::report;
use crate::verify::{verify, Check, Verified};

pub fn run(args: &VerifyArgs) -> Result<()> {
    let Verified { checks, warnings } = verify(&args.dir)?;
    let failed: Vec<&Check> = checks.iter().filter(|c| !c.ok).collect();
    if failed.is_empty() {
        if args.json {
            report::print_json(
                &json!({"ok": true, "command": "verify", "checks": checks, "warnings": warnings}),
            );
        } else {
            report::print_warnings(&warnings);
            for c in &checks {
                println!("ok  {:<44} {}", c.check, c.detail);
            }
            println!(
                "{}: app and push proxy agree ({} checks)",
                args.dir.display(),
                checks.len()
            );
        }
        return Ok(());
    }
    let mut problems = Problems::new();
    for c in &failed {
        problems.push(format!("{}: {}", c.check, c.detail));
    }
    report::print_warnings(&warnings);
    Err(problems
        .detail("checks", json!(checks))
        .detail("command", json!("verify"))
        .into())
}
