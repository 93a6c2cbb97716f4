//! POSIX shell words: a value as one argument of a `sh` command line.
use std::borrow::Cow;

use anyhow::{anyhow, Result};

/// `value` as a single shell word that `sh` reads back literally: left bare when it holds
/// only characters no shell treats specially, otherwise quoted (shlex). A NUL byte cannot be
/// passed to a command at all and is refused.
pub fn quote(value: &str) -> Result<Cow<'_, str>> {
    shlex::try_quote(value)
        .map_err(|_| anyhow!("contains a NUL byte, which no shell argument can hold"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    /// What `sh` reads back from `printf %s <quoted>`.
    fn through_sh(value: &str) -> String {
        let line = format!("printf %s {}", quote(value).unwrap());
        let out = Command::new("sh").arg("-c").arg(&line).output().unwrap();
        assert!(out.status.success(), "{line}");
        String::from_utf8(out.stdout).unwrap()
    }

    const HOSTILE: &[&str] = &[
        "$(touch /tmp/mmbrand-shell-pwn)",
        "`touch /tmp/mmbrand-shell-pwn`",
        "it's \"quoted\"",
        "--help",
        "-n",
        "100% \\ back\\slash",
        "tab\tbell\u{7}esc\u{1b}",
        "two\nlines\r\n",
        "Ünïcödé 😀 ’",
        "$HOME ${HOME} ~ * ? [a] {a,b} ; & | < > # !",
        "",
    ];

    #[test]
    fn hostile_values_read_back_literally_and_run_nothing() {
        for value in HOSTILE {
            assert_eq!(&through_sh(value), value);
        }
        assert!(!std::path::Path::new("/tmp/mmbrand-shell-pwn").exists());
    }

    #[test]
    fn plain_values_stay_bare() {
        assert_eq!(
            quote("https://push.acme.example").unwrap(),
            "https://push.acme.example"
        );
        assert_eq!(quote("mmauth://").unwrap(), "mmauth://");
        assert_eq!(quote("a b").unwrap(), "'a b'");
    }

    #[test]
    fn nul_is_refused() {
        let err = quote("a\0b").unwrap_err().to_string();
        assert!(err.contains("NUL"), "{err}");
    }
}
