//! The push proxy's `mattermost-push-proxy.json`: a typed model of its `ConfigPushProxy`
//! (server/config_push_proxy.go, exact field names), defaults from its sample config, and
//! rendering through `templates/mattermost-push-proxy.json.tera`.
use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::overlay::config_check;
use crate::problems::Problems;

const TEMPLATE: &str = include_str!("../../templates/mattermost-push-proxy.json.tera");

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

/// The top-level settings, as in the proxy's sample config.
pub fn defaults() -> Map<String, Value> {
    let v = serde_json::json!({
        "ListenAddress": ":8066",
        "ThrottlePerSec": 300,
        "ThrottleMemoryStoreSize": 50000,
        "ThrottleVaryByHeader": "X-Forwarded-For",
        "EnableMetrics": false,
        "SendTimeoutSec": 30,
        "RetryTimeoutSec": 8,
        "EnableConsoleLog": true,
        "EnableFileLog": false,
        "LogFileLocation": "",
        "LogFormat": "plain"
    });
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// The defaults with the brand's `[push.proxy]` overrides, each key and type checked.
pub fn top_level(overrides: &toml::Table, brand_file: &str) -> Result<Map<String, Value>> {
    let base = Value::Object(defaults());
    let patch = serde_json::to_value(overrides).context("[push.proxy] cannot be read")?;
    let shown = format!("{brand_file} [push.proxy]");
    let found = config_check::check(&base, &patch, &shown);
    let mut problems = Problems::new();
    found
        .into_iter()
        .for_each(|p| problems.push(p.replace("the base config.json", "the push proxy's config")));
    problems.into_result()?;
    match crate::overlay::json_merge::merge(&base, &patch) {
        Value::Object(m) => Ok(m),
        _ => bail!("{shown}: must be a table"),
    }
}

/// Renders the config file and proves it decodes into the typed model and is consistent.
pub fn render(
    top: &Map<String, Value>,
    apple: &[ApplePushSettings],
    android: &[AndroidPushSettings],
) -> Result<(String, ConfigPushProxy)> {
    let mut ctx = tera::Context::new();
    ctx.insert("top", top);
    ctx.insert("apple", apple);
    ctx.insert("android", android);
    let text = crate::emit::render("mattermost-push-proxy.json", TEMPLATE, &ctx)?;
    let config = parse(&text, "generated mattermost-push-proxy.json")?;
    validate(&config).map_err(|e| anyhow::anyhow!("mattermost-push-proxy.json: {e}"))?;
    Ok((text, config))
}

/// Decodes a proxy config strictly: every field present, right types, nothing unknown.
pub fn parse(text: &str, shown: &str) -> Result<ConfigPushProxy> {
    serde_json::from_str(text).with_context(|| format!("{shown}: not a valid push-proxy config"))
}

/// The rules the proxy applies silently at start-up, made loud.
pub fn validate(c: &ConfigPushProxy) -> std::result::Result<(), String> {
    if c.retry_timeout_sec > c.send_timeout_sec {
        return Err(format!(
            "RetryTimeoutSec ({}) must not exceed SendTimeoutSec ({}); the proxy would silently cap it",
            c.retry_timeout_sec, c.send_timeout_sec
        ));
    }
    if c.send_timeout_sec == 0 || c.throttle_per_sec == 0 {
        return Err("SendTimeoutSec and ThrottlePerSec must be positive".into());
    }
    if !matches!(c.log_format.as_str(), "plain" | "json") {
        return Err(format!(
            "LogFormat must be \"plain\" or \"json\", not {:?}",
            c.log_format
        ));
    }
    if c.listen_address.is_empty() {
        return Err("ListenAddress must not be empty (e.g. \":8066\")".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(
            serde_json::to_value(defaults()).unwrap()["SendTimeoutSec"],
            30
        );
    }

    #[test]
    fn rendered_config_round_trips_and_retry_is_checked() {
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
        let (text, parsed) = render(&defaults(), &apple, &[]).unwrap();
        assert_eq!(parsed.apple_push_settings, apple);
        assert!(text.contains("\"AppleAuthKeyID\": \"KEY1234567\""));
        let mut top = defaults();
        top.insert("RetryTimeoutSec".into(), Value::from(60));
        let err = render(&top, &apple, &[]).unwrap_err().to_string();
        assert!(
            err.contains("RetryTimeoutSec (60) must not exceed SendTimeoutSec (30)"),
            "{err}"
        );
    }
}
