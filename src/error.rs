//! The wording of error kinds that many modules raise, written once.
use std::fmt;

/// An upstream file lacks the text or key an edit anchors on: upstream changed it since
/// mmbrand learned how to brand it. Every edit of an upstream file fails with this, so the
/// user reads one message shape whichever file moved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnchorError {
    /// The file as the user can find it (the pipeline renames staging paths to
    /// `upstream <ref>:<path>`).
    pub file: String,
    /// What the edit looks for: the exact anchor text, key or element.
    pub expected: String,
    /// What the file holds instead: a count, or a short description.
    pub found: String,
}

impl AnchorError {
    pub fn new(file: &str, expected: impl Into<String>, found: impl Into<String>) -> Self {
        AnchorError {
            file: file.to_string(),
            expected: expected.into(),
            found: found.into(),
        }
    }

    /// An anchor that must occur `min..=max` times but occurs `found` times.
    pub fn count(file: &str, anchor: &str, min: usize, max: usize, found: usize) -> Self {
        let times = match (min, max) {
            (1, 1) => "once".to_string(),
            (n, m) if n == m => format!("{n} times"),
            (n, usize::MAX) => format!("at least {n} time(s)"),
            (n, m) => format!("{n} to {m} times"),
        };
        AnchorError::new(
            file,
            format!("`{anchor}` {times}"),
            format!("{found} occurrence(s)"),
        )
    }
}

impl fmt::Display for AnchorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: expected {} but found {}; upstream may have changed this file, so mmbrand does not know how to brand it: use an upstream version mmbrand supports ([source] ref / --ref) or update mmbrand",
            self.file, self.expected, self.found
        )
    }
}

impl std::error::Error for AnchorError {}

#[cfg(test)]
mod tests {
    use super::*;

    /// The one wording: file, anchor, what was found, and what to do.
    #[test]
    fn names_the_file_the_anchor_what_was_found_and_what_to_do() {
        let e = AnchorError::count("android/app/build.gradle", "applicationId \"x\"", 1, 1, 0);
        assert_eq!(
            e.to_string(),
            "android/app/build.gradle: expected `applicationId \"x\"` once but found 0 occurrence(s); upstream may have changed this file, so mmbrand does not know how to brand it: use an upstream version mmbrand supports ([source] ref / --ref) or update mmbrand"
        );
    }
}
