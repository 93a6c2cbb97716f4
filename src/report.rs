//! What a command tells its user: short human text on stderr/stdout, or one JSON document on
//! stdout with `--json`. Nothing printed here may contain a secret: callers pass only paths,
//! identifiers and fingerprints.
use std::io::Write;

use serde_json::{json, Value};

use crate::problems;

/// Prints a JSON document on stdout, pretty and newline-terminated.
pub fn print_json(doc: &Value) {
    let mut out = std::io::stdout().lock();
    // A closed stdout (e.g. `| head`) is not a failure of the branding itself.
    let _ = serde_json::to_writer_pretty(&mut out, doc);
    let _ = writeln!(out);
}

/// Prints warnings on stderr, one per line.
pub fn print_warnings(warnings: &[String]) {
    for w in warnings {
        eprintln!("warning: {w}");
    }
}

/// Reports a failed command: the messages on stderr always, and with `--json` also a JSON
/// document `{"ok": false, "errors": [...]}` on stdout so pipelines can parse every failure.
pub fn print_failure(err: &anyhow::Error, json: bool) {
    let messages = problems::messages(err);
    if json {
        let mut doc = json!({ "ok": false, "errors": messages });
        if let Some(obj) = doc.as_object_mut() {
            obj.extend(problems::details(err));
        }
        print_json(&doc);
    }
    match messages.as_slice() {
        [one] => eprintln!("error: {one}"),
        many => {
            eprintln!("error: {} problems:", many.len());
            for m in many {
                eprintln!("  - {m}");
            }
        }
    }
}
