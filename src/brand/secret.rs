//! Secret references: credentials are named in the brand file as `file:PATH` or `env:VAR`,
//! never written in it. The value is read only when needed and never printed.
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretRef {
    /// A file, relative to the brand file's directory unless absolute.
    File(PathBuf),
    /// An environment variable holding the content itself.
    Env(String),
}

impl SecretRef {
    /// Parses `file:PATH` or `env:VAR`; anything else (a literal key, JSON, a password) is
    /// refused without echoing it.
    pub fn parse(value: &str, key: &str) -> Result<SecretRef, String> {
        if let Some(path) = value.strip_prefix("file:") {
            if path.is_empty() {
                return Err(format!(
                    "{key}: `file:` needs a path, e.g. \"file:secrets/key.p8\""
                ));
            }
            return Ok(SecretRef::File(PathBuf::from(path)));
        }
        if let Some(var) = value.strip_prefix("env:") {
            let ok = !var.is_empty() && var.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
            if !ok {
                return Err(format!(
                    "{key}: `env:` needs a variable name, e.g. \"env:ACME_APNS_KEY\""
                ));
            }
            return Ok(SecretRef::Env(var.to_string()));
        }
        Err(format!(
            "{key}: credentials must be given as \"file:PATH\" (relative to the brand file) or \"env:VAR\", not inline (value not shown)"
        ))
    }

    /// Reads the referenced content. `key` and the file path or variable name appear in
    /// errors; the content never does.
    pub fn read(&self, brand_dir: &Path, key: &str) -> Result<Vec<u8>> {
        match self {
            SecretRef::File(p) => {
                let path = brand_dir.join(p);
                refuse_oversized(&path, key)?;
                std::fs::read(&path).with_context(|| {
                    format!(
                        "{key}: cannot read {} (file: paths are relative to the brand file)",
                        path.display()
                    )
                })
            }
            SecretRef::Env(var) => match std::env::var_os(var) {
                Some(v) if !v.is_empty() => Ok(v.into_encoded_bytes()),
                _ => bail!("{key}: environment variable {var} is not set or empty"),
            },
        }
    }

    /// How the reference is shown to users: the path or variable, never the content.
    pub fn describe(&self, brand_dir: &Path) -> String {
        match self {
            SecretRef::File(p) => brand_dir.join(p).display().to_string(),
            SecretRef::Env(v) => format!("${v}"),
        }
    }

    /// A file name for the copy of this credential (the source's name, or a default).
    pub fn file_name(&self, default: &str) -> String {
        match self {
            SecretRef::File(p) => p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| default.to_string()),
            SecretRef::Env(_) => default.to_string(),
        }
    }
}

/// The largest credential file read: keys, certificates and service accounts are a few
/// kilobytes; anything bigger is the wrong file, and is not read into memory.
pub const MAX_CREDENTIAL_BYTES: u64 = 1 << 20;

fn refuse_oversized(path: &Path, key: &str) -> Result<()> {
    match std::fs::metadata(path) {
        // A pipe would block the read forever.
        Ok(m) if !m.is_file() => bail!(
            "{key}: {} is not a regular file (a directory, pipe or device); point the reference at the credential file",
            path.display()
        ),
        Ok(m) if m.len() > MAX_CREDENTIAL_BYTES => bail!(
            "{key}: {} is {} bytes, more than any credential file (limit {MAX_CREDENTIAL_BYTES} bytes); is it the right file?",
            path.display(),
            m.len()
        ),
        // A missing file is reported by the read, with its reason.
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_file_and_env_references_are_accepted() {
        assert_eq!(
            SecretRef::parse("file:secrets/a.p8", "k"),
            Ok(SecretRef::File("secrets/a.p8".into()))
        );
        assert_eq!(
            SecretRef::parse("env:APNS_KEY", "k"),
            Ok(SecretRef::Env("APNS_KEY".into()))
        );
        let err =
            SecretRef::parse("-----BEGIN PRIVATE KEY-----", "push.apple.auth_key").unwrap_err();
        assert!(err.contains("not inline"));
        assert!(!err.contains("BEGIN"), "the literal must not be echoed");
    }
}
