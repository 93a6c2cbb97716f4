//! Values in systemd unit files (systemd.syntax(7), systemd.exec(5)): `Environment=`
//! assignments and `ExecStart=` arguments. Both take C-style escapes inside double quotes and
//! expand `%` specifiers; `ExecStart=` also expands `$VAR`. A newline would end the setting
//! (and start a new one), so control characters are refused.
use anyhow::{bail, Result};

/// `NAME=value` as one quoted word for `Environment=`.
pub fn environment(name: &str, value: &str) -> Result<String> {
    check(value)?;
    Ok(format!("\"{name}={}\"", escaped(value)))
}

/// `value` as one argument of `ExecStart=`: bare when every character is literal there,
/// otherwise double-quoted with `\`, `"`, `%` and `$` escaped.
pub fn exec_arg(value: &str) -> Result<String> {
    check(value)?;
    let bare = !value.is_empty()
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./:@+,=".contains(&b));
    if bare {
        return Ok(value.to_string());
    }
    Ok(format!("\"{}\"", escaped(value).replace('$', "$$")))
}

/// `value` as free text of a setting such as `Description=`: only `%` specifiers apply there.
pub fn text(value: &str) -> Result<String> {
    check(value)?;
    Ok(value.replace('%', "%%"))
}

/// C-style escapes for a double-quoted word, and `%%` for a literal `%`.
fn escaped(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('%', "%%")
}

fn check(value: &str) -> Result<()> {
    if let Some(c) = value.chars().find(|c| c.is_control()) {
        bail!("contains the control character {c:?}, which a systemd unit setting cannot hold");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// systemd's unquoting of one double-quoted word (extract_first_word with
    /// EXTRACT_UNQUOTE | EXTRACT_CUNESCAPE), then specifier and (for exec) `$$` expansion.
    fn unquote(word: &str, exec: bool) -> String {
        let inner = word
            .strip_prefix('"')
            .and_then(|w| w.strip_suffix('"'))
            .unwrap_or(word);
        let mut out = String::new();
        let mut chars = inner.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\\' => out.push(chars.next().unwrap()),
                '"' => panic!("unescaped quote in {word}"),
                '%' => assert_eq!(chars.next(), Some('%'), "{word}"),
                '$' if exec => assert_eq!(chars.next(), Some('$'), "{word}"),
                _ => {}
            }
            if !matches!(c, '\\') {
                out.push(c);
            }
        }
        out
    }

    const HOSTILE: &[&str] = &[
        "$(id) `id` ${HOME} $HOME",
        "100% %n %h",
        "say \"hi\" \\ back",
        "--config",
        "Ünïcödé 😀 ’",
        "a b",
    ];

    #[test]
    fn hostile_values_read_back_literally() {
        for v in HOSTILE {
            assert_eq!(unquote(&exec_arg(v).unwrap(), true), *v);
            let env = environment("V", v).unwrap();
            assert_eq!(unquote(&env, false), format!("V={v}"));
        }
    }

    #[test]
    fn paths_stay_bare() {
        assert_eq!(
            exec_arg("/opt/x/config.json").unwrap(),
            "/opt/x/config.json"
        );
        assert_eq!(exec_arg("/opt/my dir").unwrap(), "\"/opt/my dir\"");
        assert_eq!(
            environment("SSL_CERT_DIR", "/opt/x/ca").unwrap(),
            "\"SSL_CERT_DIR=/opt/x/ca\""
        );
    }

    #[test]
    fn text_escapes_specifiers_only() {
        assert_eq!(text("Acme 100% \"Chat\"").unwrap(), "Acme 100%% \"Chat\"");
    }

    #[test]
    fn control_characters_are_refused() {
        assert!(text("a\nb").is_err());
        assert!(exec_arg("a\nExecStartPre=/bin/sh").is_err());
        assert!(environment("V", "a\nb").is_err());
    }
}
