//! Whole-output golden files, like just's `Test` builder: a run's exit code, stdout and stderr
//! (or any other text, such as the lock's file list) compared in full with
//! `tests/golden/<name>`, after [`Normaliser`] replaces what varies between runs.
//!
//! `MMBRAND_BLESS=1 cargo test --test it golden` rewrites the files instead of comparing;
//! review `git diff tests/golden` before committing them.
use std::fs;
use std::path::{Path, PathBuf};

use super::{repo_root, Run};

fn golden_dir() -> PathBuf {
    repo_root().join("tests/golden")
}

fn blessing() -> bool {
    std::env::var_os("MMBRAND_BLESS").is_some_and(|v| !v.is_empty() && v != "0")
}

/// Compares several outputs with their golden files and reports every mismatch at once, so
/// one failing run shows all that changed.
#[derive(Default)]
pub struct Goldens {
    mismatches: Vec<String>,
}

impl Goldens {
    /// Compares `actual` (already normalised) with `tests/golden/<name>`, or writes it there
    /// when blessing.
    pub fn check(&mut self, name: &str, actual: &str) {
        let path = golden_dir().join(name);
        if blessing() {
            fs::create_dir_all(golden_dir()).unwrap();
            fs::write(&path, actual).unwrap();
            return;
        }
        let Ok(expected) = fs::read_to_string(&path) else {
            self.mismatches.push(format!(
                "{}: missing; run with MMBRAND_BLESS=1 and review it\n{actual}",
                path.display()
            ));
            return;
        };
        if expected != actual {
            self.mismatches
                .push(format!("{}:\n{}", path.display(), diff(&expected, actual)));
        }
    }

    /// Panics with every mismatch found.
    pub fn finish(self) {
        assert!(
            self.mismatches.is_empty(),
            "output differs from the golden file (`-` golden, `+` actual); if the change is \
             intended, rerun with MMBRAND_BLESS=1 and review `git diff tests/golden`\n\n{}",
            self.mismatches.join("\n\n")
        );
    }
}

/// A unified diff of golden and actual text, with a few lines of context.
fn diff(expected: &str, actual: &str) -> String {
    similar::TextDiff::from_lines(expected, actual)
        .unified_diff()
        .context_radius(3)
        .header("golden", "actual")
        .to_string()
}

/// A run as one reviewable text: the command line, exit code, stdout and stderr.
pub fn transcript(command: &str, run: &Run, normaliser: &Normaliser) -> String {
    format!(
        "$ {command}\n--- exit {}\n--- stdout\n{}--- stderr\n{}",
        run.code,
        normaliser.apply(&run.stdout),
        normaliser.apply(&run.stderr)
    )
}

/// Replaces what differs between runs: temporary and checkout paths by placeholders,
/// commit ids of freshly built repositories by `[COMMIT]`, timestamps by `[TIME]`, random
/// parts of temporary names by `[ID]`.
pub struct Normaliser {
    paths: Vec<(String, String)>,
}

impl Default for Normaliser {
    fn default() -> Self {
        Normaliser::new()
    }
}

impl Normaliser {
    /// Knows the fixtures folder (`[FIXTURES]`) and the crate (`[ROOT]`).
    pub fn new() -> Normaliser {
        Normaliser { paths: Vec::new() }
            .path(&repo_root().join("fixtures"), "[FIXTURES]")
            .path(&repo_root(), "[ROOT]")
    }

    /// Shows `path` (as given and canonical) as `placeholder`. Longer paths are replaced
    /// first, so a folder inside another keeps its own name.
    pub fn path(mut self, path: &Path, placeholder: &str) -> Normaliser {
        let mut forms = vec![path.display().to_string()];
        if let Ok(canonical) = path.canonicalize() {
            forms.push(canonical.display().to_string());
        }
        for form in forms {
            self.paths.push((form, placeholder.to_string()));
        }
        self.paths.sort_by_key(|(p, _)| std::cmp::Reverse(p.len()));
        self
    }

    pub fn apply(&self, text: &str) -> String {
        let mut out = text.to_string();
        for (path, placeholder) in &self.paths {
            out = out.replace(path.as_str(), placeholder);
        }
        timestamps(&commit_ids(&super::case::random_names(&out)))
    }
}

/// Words of 10 or 40 lowercase hex digits (a short or full commit id) as `[COMMIT]`: the
/// commit apply makes of a plain upstream directory changes with any fixture file. Digests
/// shown by mmbrand are 16 or 64 digits and stay, as do upper-case ids such as a team id.
fn commit_ids(text: &str) -> String {
    map_words(text, |word| {
        let hex = word
            .chars()
            .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c));
        let is_id =
            hex && matches!(word.len(), 10 | 40) && word.chars().any(|c| c.is_ascii_digit());
        is_id.then(|| "[COMMIT]".to_string())
    })
}

/// RFC 3339 times (`2026-12-03T17:04:00Z`, with fractions or an offset) as `[TIME]`.
fn timestamps(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(len) = find_timestamp(rest) {
        let (start, end) = len;
        out.push_str(&rest[..start]);
        out.push_str("[TIME]");
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// The first timestamp in `text` as (start, end) byte offsets.
fn find_timestamp(text: &str) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let shape = b"dddd-dd-ddTdd:dd:dd";
    (0..bytes.len().saturating_sub(shape.len() - 1)).find_map(|start| {
        let fits = shape.iter().enumerate().all(|(i, s)| {
            let b = bytes[start + i];
            if *s == b'd' {
                b.is_ascii_digit()
            } else {
                b == *s
            }
        });
        if !fits {
            return None;
        }
        let mut end = start + shape.len();
        if bytes.get(end) == Some(&b'.') {
            end += 1;
            while bytes.get(end).is_some_and(u8::is_ascii_digit) {
                end += 1;
            }
        }
        match bytes.get(end) {
            Some(b'Z') => end += 1,
            Some(b'+' | b'-')
                if text
                    .get(end + 1..end + 6)
                    .is_some_and(|o| o.as_bytes()[2] == b':') =>
            {
                end += 6
            }
            _ => {}
        }
        Some((start, end))
    })
}

/// Applies `f` to every maximal run of ASCII alphanumerics, replacing it when `f` says so.
fn map_words(text: &str, f: impl Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        if !word.is_empty() {
            out.push_str(&f(word).unwrap_or_else(|| word.clone()));
            word.clear();
        }
    };
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

#[test]
fn normaliser_replaces_what_varies_and_keeps_the_rest() {
    let n = Normaliser::new().path(Path::new("/tmp/.tmpAb12/out"), "[OUT]");
    assert_eq!(
        n.apply("into /tmp/.tmpAb12/out @ 18c445fdef at 2026-12-03T17:04:00Z (sha256:593b316c9a3ea983, team AB12CD34EF)"),
        "into [OUT] @ [COMMIT] at [TIME] (sha256:593b316c9a3ea983, team AB12CD34EF)"
    );
    assert_eq!(n.apply("2026-12-03T17:04:00.123+01:00."), "[TIME].");
}
