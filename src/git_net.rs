//! Network timeouts for git: libgit2 waits for a silent server forever by default, so a
//! firewalled or wrong upstream URL would hang a pipeline instead of failing it.
use anyhow::{bail, Context, Result};

/// Seconds to wait for a git server to accept a connection and then for each answer.
pub const TIMEOUT_ENV: &str = "MMBRAND_GIT_TIMEOUT_SECS";
pub const DEFAULT_TIMEOUT_SECS: u64 = 30;

/// The timeout from the environment, or the default.
pub fn timeout_secs() -> Result<u64> {
    let Some(value) = std::env::var_os(TIMEOUT_ENV) else {
        return Ok(DEFAULT_TIMEOUT_SECS);
    };
    let text = value.to_string_lossy();
    match text.trim().parse::<u64>() {
        Ok(n) if (1..=3600).contains(&n) => Ok(n),
        _ => bail!("{TIMEOUT_ENV}={text:?}: give a number of seconds from 1 to 3600"),
    }
}

/// Sets libgit2's connect and read/write timeouts. Must run before any thread is started
/// (libgit2 keeps them in an unsynchronised global), so `main` calls it first.
pub fn set_timeouts() -> Result<()> {
    let ms = i32::try_from(timeout_secs()? * 1000).unwrap_or(i32::MAX);
    // SAFETY: called once from main before any thread exists (see above).
    unsafe {
        git2::opts::set_server_connect_timeout_in_milliseconds(ms)
            .context("cannot set the git connect timeout")?;
        git2::opts::set_server_timeout_in_milliseconds(ms)
            .context("cannot set the git server timeout")?;
    }
    Ok(())
}

/// A failed clone of `shown` (the URL as it may be printed, a token hidden), with libgit2's
/// reason `message` (already scrubbed of the token, without its class/code noise) and what
/// to check.
pub fn clone_error(shown: &str, message: &str, code: git2::ErrorCode) -> anyhow::Error {
    let waited = match code {
        git2::ErrorCode::Timeout => format!(
            " (no answer within {}s; {TIMEOUT_ENV} sets the wait)",
            timeout_secs().unwrap_or(DEFAULT_TIMEOUT_SECS)
        ),
        _ => String::new(),
    };
    anyhow::anyhow!(
        "cannot clone {shown}: {message}{waited}; check the URL (--source or [source] repo), the network and your git credentials"
    )
}
