//! Anchored text replacement for files without a usable parser (pbxproj, gradle, manifests):
//! every edit states how often its anchor must occur, so an upstream change is an error, not a
//! silent no-op.
use std::path::Path;

use anyhow::{bail, Result};

use crate::fsutil;

/// Replaces `anchor` with `replacement` in `text`, requiring between `min` and `max`
/// occurrences; `file` is named in the error.
pub fn replace_counted(
    text: &str,
    anchor: &str,
    replacement: &str,
    min: usize,
    max: usize,
    file: &str,
) -> Result<String> {
    let found = text.matches(anchor).count();
    if found < min || found > max {
        let expected = if min == max {
            format!("{min}")
        } else {
            format!("{min} to {max}")
        };
        bail!(
            "{file}: expected {expected} occurrence(s) of `{anchor}` but found {found}; upstream may have changed this file, so mmbrand does not know how to brand it"
        );
    }
    Ok(text.replace(anchor, replacement))
}

/// Reads a file, applies `edit`, writes it back only if it changed; returns whether it did.
pub fn edit_file(path: &Path, edit: impl FnOnce(&str) -> Result<String>) -> Result<bool> {
    let before = fsutil::read_to_string(path)?;
    let after = edit(&before)?;
    if after == before {
        return Ok(false);
    }
    fsutil::write(path, after)?;
    Ok(true)
}

/// The spaces and tabs that start the line containing byte `at`.
pub fn line_indent(text: &str, at: usize) -> &str {
    let line = &text[text[..at].rfind('\n').map_or(0, |i| i + 1)..at];
    &line[..line.len() - line.trim_start_matches([' ', '\t']).len()]
}

/// New lines follow the document's convention, so a CRLF file stays CRLF.
pub fn newline(text: &str) -> &'static str {
    if text.contains("\r\n") {
        "\r\n"
    } else {
        "\n"
    }
}

/// Rewrites every line that holds the setting `prefix` (e.g. `DEVELOPMENT_TEAM = `, or
/// `versionCode `) followed by a value and `suffix` (`;` in the Xcode project, "" in gradle),
/// keeping its indentation and line end; returns the text and how many lines it rewrote.
pub fn set_line_values(text: &str, prefix: &str, suffix: &str, value: &str) -> (String, usize) {
    let mut count = 0;
    let out = text
        .split_inclusive('\n')
        .map(|line| {
            let trimmed = line.trim_start();
            let body = trimmed.trim_end();
            let hit = body
                .strip_prefix(prefix)
                .is_some_and(|rest| !rest.is_empty() && rest.ends_with(suffix));
            if !hit {
                return line.to_string();
            }
            count += 1;
            let indent = &line[..line.len() - trimmed.len()];
            let eol = &line[line.trim_end().len()..];
            format!("{indent}{prefix}{value}{suffix}{eol}")
        })
        .collect();
    (out, count)
}
