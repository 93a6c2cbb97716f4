//! The push proxy's `mattermost-push-proxy.json`: a typed model of its `ConfigPushProxy`
//! (server/config_push_proxy.go, exact field names), defaults from its sample config, the
//! values its loader silently substitutes, and the file serialised from the model.
use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use crate::overlay::config_check;
use crate::problems::Problems;

/// The token prefix the app registers on Android (app/constants/device.ts).
pub const ANDROID_TYPE: &str = "android_rn";

/// The token prefix the iOS app registers: `apple_rn`, or `apple_rnbeta` when the bundle id
/// contains "rnbeta" (app/init/push_notifications.ts, `isBetaApp`). The proxy routes a push
/// to the settings entry whose `Type` equals it.
pub fn apple_type(bundle_id: &str) -> &'static str {
    if bundle_id.contains("rnbeta") {
        "apple_rnbeta"
    } else {
        "apple_rn"
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct ConfigPushProxy {
    pub listen_address: String,
    pub throttle_per_sec: u32,
    pub throttle_memory_store_size: u32,
    pub throttle_vary_by_header: String,
    pub enable_metrics: bool,
    pub send_timeout_sec: u32,
    pub retry_timeout_sec: u32,
    pub apple_push_settings: Vec<ApplePushSettings>,
    pub android_push_settings: Vec<AndroidPushSettings>,
    pub enable_console_log: bool,
    pub enable_file_log: bool,
    pub log_file_location: String,
    pub log_format: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct ApplePushSettings {
    #[serde(rename = "Type")]
    pub kind: String,
    pub apple_push_use_development: bool,
    pub apple_push_cert_private: String,
    pub apple_push_cert_password: String,
    pub apple_push_topic: String,
    pub apple_auth_key_file: String,
    #[serde(rename = "AppleAuthKeyID")]
    pub apple_auth_key_id: String,
    #[serde(rename = "AppleTeamID")]
    pub apple_team_id: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct AndroidPushSettings {
    #[serde(rename = "Type")]
    pub kind: String,
    pub android_api_key: String,
    pub service_file_location: String,
}

/// The sample config's top-level settings, with no push entries: what mmbrand writes unless
/// `[push.proxy]` says otherwise.
impl Default for ConfigPushProxy {
    fn default() -> Self {
        ConfigPushProxy {
            listen_address: ":8066".into(),
            throttle_per_sec: 300,
            throttle_memory_store_size: 50000,
            throttle_vary_by_header: "X-Forwarded-For".into(),
            enable_metrics: false,
            send_timeout_sec: 30,
            retry_timeout_sec: 8,
            apple_push_settings: Vec::new(),
            android_push_settings: Vec::new(),
            enable_console_log: true,
            enable_file_log: false,
            log_file_location: String::new(),
            log_format: "plain".into(),
        }
    }
}

/// What the proxy's LoadConfig puts in place of these values (server/config_push_proxy.go).
const DEFAULT_SEND_TIMEOUT: u32 = 30;
const DEFAULT_RETRY_TIMEOUT: u32 = 8;
const DEFAULT_LOG_FILE: &str = "./logs/push_proxy.log";

/// The defaults with the brand's `[push.proxy]` overrides, each key and type checked, and
/// every value the proxy would silently replace replaced by the one it will use (returned as
/// notes for the user). The push entries come from `[push.apple]` and `[push.android]`.
pub fn from_overrides(
    overrides: &toml::Table,
    brand_file: &str,
) -> Result<(ConfigPushProxy, Vec<String>)> {
    let shown = format!("{brand_file} [push.proxy]");
    let mut problems = Problems::new();
    for entries in ["ApplePushSettings", "AndroidPushSettings"] {
        if overrides.contains_key(entries) {
            problems.push(format!(
                "{shown}: {entries} is generated from [push.apple] / [push.android]; set the credentials there"
            ));
        }
    }
    let base = serde_json::to_value(ConfigPushProxy::default())?;
    let patch = serde_json::to_value(overrides).context("[push.proxy] cannot be read")?;
    config_check::check_against(&base, &patch, &shown, "the push proxy's config")
        .into_iter()
        .for_each(|p| problems.push(p));
    problems.into_result()?;
    let merged = crate::overlay::json_merge::merge(&base, &patch);
    let mut config: ConfigPushProxy = serde_json::from_value(merged)
        .map_err(|e| anyhow::anyhow!("{shown}: {e} (numbers must be whole and not negative)"))?;
    let notes = config
        .make_effective()
        .into_iter()
        .map(|n| format!("{shown}: {n}"))
        .collect();
    validate(&config).map_err(|e| anyhow::anyhow!("{shown}: {e}"))?;
    Ok((config, notes))
}

impl ConfigPushProxy {
    /// Applies what the proxy's LoadConfig does silently, so the file says what the proxy
    /// really uses; returns one note per value replaced.
    pub fn make_effective(&mut self) -> Vec<String> {
        let mut notes = Vec::new();
        if self.send_timeout_sec == 0 {
            self.send_timeout_sec = DEFAULT_SEND_TIMEOUT;
            notes.push(format!("SendTimeoutSec = 0 means {DEFAULT_SEND_TIMEOUT} seconds to the proxy; wrote {DEFAULT_SEND_TIMEOUT}"));
        }
        if self.retry_timeout_sec == 0 {
            self.retry_timeout_sec = DEFAULT_RETRY_TIMEOUT;
            notes.push(format!("RetryTimeoutSec = 0 means {DEFAULT_RETRY_TIMEOUT} seconds to the proxy; wrote {DEFAULT_RETRY_TIMEOUT}"));
        }
        if !self.enable_console_log && !self.enable_file_log {
            self.enable_console_log = true;
            notes.push("with both EnableConsoleLog and EnableFileLog false the proxy logs to the console anyway; wrote EnableConsoleLog = true".into());
        }
        if self.enable_file_log && self.log_file_location.is_empty() {
            self.log_file_location = DEFAULT_LOG_FILE.into();
            notes.push(format!("EnableFileLog without LogFileLocation: the proxy writes {DEFAULT_LOG_FILE} (./push_proxy.log if it cannot create ./logs); wrote {DEFAULT_LOG_FILE}"));
        }
        notes
    }

    /// The config file's text, from this model (the one description of the format).
    pub fn to_json(&self) -> Result<String> {
        let mut text =
            serde_json::to_string_pretty(self).context("cannot serialize the proxy config")?;
        text.push('\n');
        Ok(text)
    }
}

/// The proxy config of an apply output `dir`, or the failed check's name and why: for
/// `verify` and `doctor`, which both report rather than stop.
pub fn read_output(
    dir: &std::path::Path,
) -> std::result::Result<ConfigPushProxy, (&'static str, String)> {
    let path = dir.join(super::PROXY_DIR).join(super::PROXY_CONFIG);
    if !path.exists() {
        return Err((
            "push proxy config",
            format!("{} is missing (no [push] in the brand?)", path.display()),
        ));
    }
    let shown = path.display().to_string();
    crate::fsutil::read_to_string(&path)
        .and_then(|text| parse(&text, &shown))
        .map_err(|e| ("push proxy config decodes", format!("{e:#}")))
}

/// Decodes a proxy config strictly: every field present, right types, nothing unknown.
pub fn parse(text: &str, shown: &str) -> Result<ConfigPushProxy> {
    serde_json::from_str(text).with_context(|| format!("{shown}: not a valid push-proxy config"))
}

/// The rules the proxy applies silently at start-up, made loud.
pub fn validate(c: &ConfigPushProxy) -> std::result::Result<(), String> {
    if c.retry_timeout_sec > c.send_timeout_sec {
        return Err(format!(
            "RetryTimeoutSec ({}) must not exceed SendTimeoutSec ({}); the proxy would silently cap it at {}",
            c.retry_timeout_sec, c.send_timeout_sec, c.send_timeout_sec
        ));
    }
    if c.send_timeout_sec == 0 || c.retry_timeout_sec == 0 {
        return Err(format!(
            "a timeout of 0 means {DEFAULT_SEND_TIMEOUT} (SendTimeoutSec) or {DEFAULT_RETRY_TIMEOUT} (RetryTimeoutSec) seconds to the proxy; write the value it uses"
        ));
    }
    if c.throttle_per_sec == 0 {
        return Err(
            "ThrottlePerSec must be at least 1 (requests per second from one client)".into(),
        );
    }
    if !matches!(c.log_format.as_str(), "plain" | "json") {
        return Err(format!(
            "LogFormat must be \"plain\" or \"json\", not {:?}",
            c.log_format
        ));
    }
    listen_address(&c.listen_address)
}

/// `ListenAddress` as Go's `net.Listen("tcp", …)` takes it and the deployment kit publishes
/// it (compose `ports:`, the unit): `[host]:port`, the port a number from 1 to 65535 (Go
/// would also take a service name, which compose cannot publish), an IPv6 host in brackets.
fn listen_address(v: &str) -> Result<(), String> {
    let example = "e.g. \":8066\" or \"127.0.0.1:8066\"";
    let Some((host, port)) = v.rsplit_once(':') else {
        return Err(format!("ListenAddress {v:?} has no port ({example})"));
    };
    if !port.bytes().all(|b| b.is_ascii_digit()) || !matches!(port.parse::<u16>(), Ok(1..)) {
        return Err(format!(
            "ListenAddress {v:?}: the port must be a number from 1 to 65535 ({example})"
        ));
    }
    let bracketed = host.starts_with('[') && host.ends_with(']');
    let host_ok = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-.:%_".contains(&b))
        && (bracketed || !host.contains(':'));
    if !host_ok {
        return Err(format!(
            "ListenAddress {v:?}: the host must be empty, a name or an IP address (an IPv6 address in [brackets]) ({example})"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    #[test]
    fn listen_addresses_are_what_go_and_compose_both_take() {
        for ok in [
            ":8066",
            "0.0.0.0:8066",
            "[::]:8066",
            "push.local:1",
            "127.0.0.1:65535",
        ] {
            assert_eq!(listen_address(ok), Ok(()), "{ok}");
        }
        for bad in [
            "",
            "8066",
            ":",
            ":0",
            ":65536",
            ":http",
            ": 8066",
            "::8066",
            "a b:8066",
            "0.0.0.0:8066\n- 22:22",
            "$(id):8066",
        ] {
            assert!(listen_address(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn beta_bundle_ids_register_as_apple_rnbeta() {
        assert_eq!(apple_type("com.acme.chat"), "apple_rn");
        assert_eq!(apple_type("com.mattermost.rnbeta"), "apple_rnbeta");
    }

    #[test]
    fn the_upstream_sample_decodes_with_our_field_names() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(
            "../shared/upstream/mattermost-push-proxy/config/mattermost-push-proxy.sample.json",
        );
        let Ok(text) = std::fs::read_to_string(&path) else {
            assert!(
                std::env::var_os("CI").is_none(),
                "{} is absent and CI is set",
                path.display()
            );
            eprintln!("SKIPPED: {} is absent", path.display());
            return;
        };
        // The sample omits AndroidApiKey (legacy), which Go fills with "".
        let mut v: Value = serde_json::from_str(&text).unwrap();
        for a in v["AndroidPushSettings"].as_array_mut().unwrap() {
            a.as_object_mut()
                .unwrap()
                .entry("AndroidApiKey")
                .or_insert(Value::from(""));
        }
        let c: ConfigPushProxy = serde_json::from_value(v).unwrap();
        assert_eq!(c.apple_push_settings[1].kind, "apple_rn");
        assert_eq!(c.android_push_settings[1].kind, "android_rn");
        let ours = ConfigPushProxy::default();
        assert_eq!(ours.send_timeout_sec, c.send_timeout_sec);
        assert_eq!(ours.listen_address, c.listen_address);
    }

    #[test]
    fn serialised_config_round_trips_and_retry_is_checked() {
        let apple = vec![ApplePushSettings {
            kind: "apple_rn".into(),
            apple_push_use_development: true,
            apple_push_cert_private: String::new(),
            apple_push_cert_password: String::new(),
            apple_push_topic: "com.acme.chat".into(),
            apple_auth_key_file: "./config/AuthKey_KEY1234567.p8".into(),
            apple_auth_key_id: "KEY1234567".into(),
            apple_team_id: "AB12CD34EF".into(),
        }];
        let config = ConfigPushProxy {
            apple_push_settings: apple.clone(),
            ..ConfigPushProxy::default()
        };
        let text = config.to_json().unwrap();
        assert_eq!(parse(&text, "t").unwrap().apple_push_settings, apple);
        assert!(text.contains("\"AppleAuthKeyID\": \"KEY1234567\""));
        let table: toml::Table = toml::from_str("RetryTimeoutSec = 60").unwrap();
        let err = from_overrides(&table, "b.toml").unwrap_err().to_string();
        assert!(
            err.contains("RetryTimeoutSec (60) must not exceed SendTimeoutSec (30); the proxy would silently cap it at 30"),
            "{err}"
        );
    }

    #[test]
    fn values_the_proxy_replaces_are_written_as_it_uses_them() {
        let table: toml::Table = toml::from_str(
            "SendTimeoutSec = 0\nRetryTimeoutSec = 0\nEnableConsoleLog = false\nEnableFileLog = true",
        )
        .unwrap();
        let (config, notes) = from_overrides(&table, "b.toml").unwrap();
        assert_eq!(config.send_timeout_sec, 30);
        assert_eq!(config.retry_timeout_sec, 8);
        assert_eq!(config.log_file_location, "./logs/push_proxy.log");
        assert!(!config.enable_console_log);
        assert_eq!(notes.len(), 3, "{notes:?}");
        assert!(notes[0].contains("SendTimeoutSec = 0 means 30 seconds to the proxy"));
        let quiet: toml::Table = toml::from_str("EnableConsoleLog = false").unwrap();
        let (config, notes) = from_overrides(&quiet, "b.toml").unwrap();
        assert!(config.enable_console_log);
        assert!(notes[0].contains("logs to the console anyway"), "{notes:?}");
        let bad: toml::Table =
            toml::from_str("ApplePushSettings = []\nThrottlePerSec = \"fast\"").unwrap();
        let err = from_overrides(&bad, "b.toml").unwrap_err().to_string();
        assert!(
            err.contains("ApplePushSettings is generated from [push.apple]"),
            "{err}"
        );
        assert!(err.contains("ThrottlePerSec"), "{err}");
    }
}
