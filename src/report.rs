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
        eprintln!("warning: {}", redact(w));
    }
}

/// A last line of defence for messages that quote a value from the brand: a private key
/// pasted into a field (PEM, possibly JSON-escaped) is never printed, whatever the message.
pub fn redact(message: &str) -> String {
    const BEGIN: &str = "-----BEGIN";
    const SHOWN: &str = "[private key material, not shown]";
    let mut out = String::new();
    let mut rest = message;
    while let Some(start) = rest.find(BEGIN) {
        out.push_str(&rest[..start]);
        let tail = &rest[start + BEGIN.len()..];
        // The block ends after the dashes that close its -----END ...----- line.
        let end = tail.find("-----END").and_then(|e| {
            let after = &tail[e + "-----END".len()..];
            after
                .find("-----")
                .map(|d| e + "-----END".len() + d + "-----".len())
        });
        out.push_str(SHOWN);
        match end {
            Some(end) => rest = &tail[end..],
            None => return out,
        }
    }
    out.push_str(rest);
    out
}

/// Reports a failed command: the messages on stderr always, and with `--json` also a JSON
/// document `{"ok": false, "errors": [...]}` on stdout so pipelines can parse every failure.
pub fn print_failure(err: &anyhow::Error, json: bool) {
    let messages: Vec<String> = problems::messages(err).iter().map(|m| redact(m)).collect();
    if err.downcast_ref::<Reported>().is_some() {
        eprintln!("error: {err}");
        return;
    }
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

/// A failure the command has already reported in full (its own JSON document, a summary):
/// only this one line is added on stderr, and exit status 1.
#[derive(Debug)]
pub struct Reported(pub String);

impl std::fmt::Display for Reported {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Reported {}

/// Whether a panic is `println!`'s on a closed stdout (EPIPE: `mmbrand plan … | head`).
pub fn is_closed_stdout(payload: &(dyn std::any::Any + Send)) -> bool {
    let text = payload
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| payload.downcast_ref::<&str>().copied());
    text.is_some_and(|t| t.starts_with("failed printing to stdout") && t.contains("Broken pipe"))
}

/// Keeps the panic hook from printing a panic that only means the reader of stdout left;
/// every other panic is reported as before.
pub fn quiet_on_closed_stdout() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !is_closed_stdout(info.payload()) {
            previous(info);
        }
    }));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_keys_in_messages_are_not_shown() {
        let pem = "-----BEGIN PRIVATE KEY-----\\nMIGHAgEAMBMG\\n-----END PRIVATE KEY-----\\n";
        assert_eq!(
            redact(&format!("display_name: \"{pem}\" contains '\\n'")),
            "display_name: \"[private key material, not shown]\\n\" contains '\\n'"
        );
        assert_eq!(
            redact("x -----BEGIN EC PRIVATE KEY-----\nAAAA"),
            "x [private key material, not shown]"
        );
        assert_eq!(redact("nothing here"), "nothing here");
    }
}
