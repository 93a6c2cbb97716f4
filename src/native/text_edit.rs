//! Anchored text replacement for files without a usable parser (pbxproj, gradle, manifests):
//! every edit states how often its anchor must occur, so an upstream change is an error, not a
//! silent no-op.
use anyhow::Result;

use crate::error::AnchorError;

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
        return Err(AnchorError::count(file, anchor, min, max, found).into());
    }
    Ok(text.replace(anchor, replacement))
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const PROJECT: &str = "a\n\t\tDEVELOPMENT_TEAM = OLD;\r\n\tother = 1;\n    DEVELOPMENT_TEAM = \"\";\nDEVELOPMENT_TEAM = X;";

    /// Proptest's first shrunk counterexample, kept as a case: an empty value still lands on
    /// every setting line.
    #[test]
    fn an_empty_value_is_set_on_every_setting_line() {
        let (out, count) = set_line_values(PROJECT, "DEVELOPMENT_TEAM = ", ";", "");
        assert_eq!(count, 3);
        assert_eq!(out.matches("DEVELOPMENT_TEAM = ;").count(), 3);
    }

    proptest! {
        #![proptest_config(crate::testing::cases(128))]

        /// Any one-line value lands on every setting line, with indentation and line ends
        /// kept, and no other line changes.
        #[test]
        fn set_line_values_rewrites_exactly_the_setting_lines(value in "[^\r\n]{0,16}") {
            let (out, count) = set_line_values(PROJECT, "DEVELOPMENT_TEAM = ", ";", &value);
            prop_assert_eq!(count, 3);
            let lines: Vec<&str> = out.split_inclusive('\n').collect();
            let before: Vec<&str> = PROJECT.split_inclusive('\n').collect();
            prop_assert_eq!(lines.len(), before.len());
            for (old, new) in before.iter().zip(&lines) {
                let body = old.trim();
                let hit = body.strip_prefix("DEVELOPMENT_TEAM = ").is_some_and(|r| !r.is_empty() && r.ends_with(';'));
                if hit {
                    let indent = &old[..old.len() - old.trim_start().len()];
                    let eol = &old[old.trim_end().len()..];
                    prop_assert_eq!(new.to_string(), format!("{indent}DEVELOPMENT_TEAM = {value};{eol}"));
                } else {
                    prop_assert_eq!(old, new);
                }
            }
        }

        /// A counted replacement either replaces every occurrence or changes nothing and
        /// names the file.
        #[test]
        fn replace_counted_is_all_or_nothing(text in "[ab\n]{0,20}", min in 0usize..3) {
            let found = text.matches("ab").count();
            match replace_counted(&text, "ab", "X", min, min + 1, "f.gradle") {
                Ok(out) => {
                    prop_assert!((min..=min + 1).contains(&found));
                    prop_assert_eq!(out.matches('X').count(), found);
                }
                Err(e) => {
                    prop_assert!(!(min..=min + 1).contains(&found));
                    prop_assert!(e.to_string().starts_with("f.gradle: expected"));
                }
            }
        }
    }
}
