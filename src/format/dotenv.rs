//! Values of the `.env` files fastlane loads with `--env` (the `dotenv` gem, bkeepers/dotenv,
//! `Dotenv::Parser`), written so that both that parser and `sh -c '. file'` read them back
//! literally.
//!
//! The parser runs `$(…)` as a command and expands `$VAR` in unquoted and double-quoted
//! values, and drops backslashes there; a single-quoted value is taken as written. POSIX sh
//! also reads a single-quoted word literally. A single-quoted value therefore cannot hold a
//! `'` (neither reader has an escape inside single quotes), and control characters are
//! refused: the parser turns `\r` into a newline, and a newline would split the line for
//! every line-based reader of the file.
use std::borrow::Cow;

use anyhow::{bail, Result};

/// `value` as the right-hand side of `KEY=…`: bare when every character means itself to
/// both readers, otherwise in single quotes; refused when single quotes cannot hold it.
pub fn value(value: &str) -> Result<Cow<'_, str>> {
    if !value.is_empty() && value.bytes().all(is_bare) {
        return Ok(Cow::Borrowed(value));
    }
    check(value)?;
    Ok(Cow::Owned(format!("'{value}'")))
}

/// Whether `value` can be written at all (see [`value`]); an error says why not, for a
/// message that names the brand key.
pub fn check(value: &str) -> Result<()> {
    if value.contains('\'') {
        bail!("contains a single quote ('), which a .env value read by fastlane's dotenv and by sh cannot hold literally");
    }
    if let Some(c) = value.chars().find(|c| c.is_control()) {
        bail!("contains the control character {c:?}, which a .env value cannot hold");
    }
    // dotenv's single-quoted pattern accepts `\'` as an escaped quote: a value ending in a
    // backslash could swallow the closing quote.
    if value.ends_with('\\') {
        bail!("ends with a backslash (\\), which a single-quoted .env value cannot end with");
    }
    Ok(())
}

/// Characters that are literal unquoted to dotenv (no `$`, `\`, `#`, quote or space) and to sh.
fn is_bare(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-_./:@+,".contains(&b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    /// What `sh -c '. file; printf %s "$V"'` reads back for `V=<value>`.
    fn through_sh(value: &str) -> String {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(".env.test");
        std::fs::write(&file, format!("V={}\n", super::value(value).unwrap())).unwrap();
        let out = Command::new("sh")
            .arg("-c")
            .arg(r#". "$0"; printf %s "$V""#)
            .arg(&file)
            .output()
            .unwrap();
        assert!(out.status.success(), "{value:?}");
        String::from_utf8(out.stdout).unwrap()
    }

    /// The dotenv gem's rules for a value, as `Dotenv::Parser#parse_value` applies them to
    /// what this writer produces (bare or single-quoted, never double-quoted).
    fn as_dotenv_reads(written: &str) -> String {
        match written
            .strip_prefix('\'')
            .and_then(|v| v.strip_suffix('\''))
        {
            Some(inner) => inner.to_string(),
            None => {
                assert!(!written.contains(['$', '\\', '#', ' ', '"']), "{written}");
                written.to_string()
            }
        }
    }

    const LITERAL: &[&str] = &[
        "brand/$(touch /tmp/mmbrand-dotenv-pwn)",
        "`touch /tmp/mmbrand-dotenv-pwn`",
        "say \"hi\"",
        "--",
        "100% ${HOME} $HOME \\n \\$X",
        "back\\slash in the middle",
        "# not a comment",
        "Ünïcödé 😀 ’",
        "Acme Chat",
        "com.acme.chat",
        "",
    ];

    #[test]
    fn hostile_values_read_back_literally_and_run_nothing() {
        for v in LITERAL {
            assert_eq!(&through_sh(v), v);
            assert_eq!(&as_dotenv_reads(&value(v).unwrap()), v);
        }
        assert!(!std::path::Path::new("/tmp/mmbrand-dotenv-pwn").exists());
    }

    #[test]
    fn identifiers_stay_bare() {
        assert_eq!(value("com.acme.chat.share").unwrap(), "com.acme.chat.share");
        assert_eq!(value("brand/acme").unwrap(), "brand/acme");
        assert_eq!(value("a,b").unwrap(), "a,b");
        assert_eq!(value("").unwrap(), "''");
        assert_eq!(value("Acme Chat").unwrap(), "'Acme Chat'");
    }

    #[test]
    fn values_single_quotes_cannot_hold_are_refused() {
        for (v, why) in [
            ("it's", "single quote"),
            ("two\nlines", "control character"),
            ("cr\rhere", "control character"),
            ("tab\there", "control character"),
            ("nul\0", "control character"),
            ("ends\\", "backslash"),
        ] {
            let err = value(v).unwrap_err().to_string();
            assert!(err.contains(why), "{v:?}: {err}");
        }
    }
}
