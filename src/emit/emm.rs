//! `[emm]`: defaults for the app's managed configuration, for EMM consoles. The app reads
//! its managed configuration (iOS: `com.apple.configuration.managed`; Android: the
//! RestrictionsManager's application restrictions, through @mattermost/react-native-emm) as
//! string values only, `"true"`/`"false"` for switches. Written:
//!
//! - `DIR/emm/appconfig.xml`: an AppConfig Community specfile (`managedAppConfiguration`),
//!   which EMM consoles import to build their form for the iOS app;
//! - `DIR/emm/managed-config.json`: the same values as key/value pairs;
//! - in the app, `android:defaultValue` of each restriction in app_restrictions.xml (what
//!   Android EMM consoles pre-fill; the app only sees what the EMM then pushes).
use std::path::Path;

use anyhow::{Context, Result};
use serde::Serialize;

use super::Sink;
use crate::brand::Brand;
use crate::overlay::json_merge;

pub const DIR: &str = "emm";
pub const APPCONFIG: &str = "appconfig.xml";
pub const MANAGED_CONFIG: &str = "managed-config.json";
const APPCONFIG_TEMPLATE: &str = include_str!("../../templates/appconfig.xml.tera");

/// How a key's string value is read by the app.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    /// `=== 'true'` (or `!== 'false'`).
    Switch,
    Text,
    /// `parseInt(value, 10)`, in milliseconds.
    Millis,
}

/// A managed-configuration key the app reads (checked in v2.42.3's source).
pub struct ManagedKey {
    /// As the app reads it.
    pub name: &'static str,
    /// The brand's value (its `[emm]` key, or a default), as the string the app reads.
    pub value: fn(&Brand) -> Option<String>,
    pub kind: ValueKind,
    /// Declared in android/app/src/main/res/xml/app_restrictions.xml, so Android EMM
    /// consoles offer it; the others reach the iOS app only.
    pub android: bool,
    pub label: &'static str,
    pub description: &'static str,
}

const fn key(
    name: &'static str,
    value: fn(&Brand) -> Option<String>,
    kind: ValueKind,
    android: bool,
    label: &'static str,
    description: &'static str,
) -> ManagedKey {
    ManagedKey {
        name,
        value,
        kind,
        android,
        label,
        description,
    }
}

/// Every managed-configuration key the app reads, where (v2.42.3):
/// app/init/managed_app.ts (inAppPinCode, blurApplicationScreen, jailbreakProtection, vendor),
/// app/screens/server/index.tsx (serverUrl, serverName, allowOtherServers, timeout),
/// app/screens/login/form.tsx (username), app/managers/network_manager.ts (timeout,
/// timeoutVPN, useVPN), copyAndPasteProtection in the post input, markdown and gallery.
/// `inAppSessionAuth` is declared in app_restrictions.xml and the ManagedConfig type but read
/// nowhere, so it is not offered (and `emm.in_app_session_auth` is refused).
#[rustfmt::skip]
pub const KEYS: &[ManagedKey] = &[
    key("inAppPinCode", |b| switch(b.emm.in_app_pin_code), ValueKind::Switch, true,
        "In-app PIN code",
        "Require the device passcode or biometrics when the app opens and after 5 minutes in the background."),
    key("blurApplicationScreen", |b| switch(b.emm.blur_application_screen), ValueKind::Switch, true,
        "Blur application screen",
        "Hide the app's content in the app switcher and block screenshots."),
    key("jailbreakProtection", |b| switch(b.emm.jailbreak_protection), ValueKind::Switch, true,
        "Jailbreak / root detection",
        "Refuse to run on jailbroken or rooted devices."),
    key("copyAndPasteProtection", |b| switch(b.emm.copy_and_paste_protection), ValueKind::Switch, true,
        "Copy and paste protection",
        "Disable copying from and pasting into the app."),
    key("serverUrl", |b| Some(b.emm.server_url.clone().unwrap_or_else(|| b.server.url.clone())), ValueKind::Text, true,
        "Server URL",
        "The server the app connects to."),
    key("serverName", |b| b.emm.server_name.clone().or_else(|| b.server.name.clone()), ValueKind::Text, true,
        "Server name",
        "The name the app shows for the server."),
    key("allowOtherServers", |b| switch(b.emm.allow_other_servers), ValueKind::Switch, true,
        "Allow other servers",
        "false: the app connects to the server URL only, without asking."),
    key("username", |b| b.emm.username.clone(), ValueKind::Text, true,
        "Default username",
        "Username or email address filled in on the login screen."),
    key("timeout", |b| millis(b.emm.timeout), ValueKind::Millis, true,
        "Request timeout (ms)",
        "How long the app waits for the server to respond, in milliseconds."),
    key("vendor", |b| b.emm.vendor.clone(), ValueKind::Text, true,
        "EMM vendor or company name",
        "Named in the passcode and jailbreak prompts, so users know who protects the app."),
    key("timeoutVPN", |b| millis(b.emm.timeout_vpn), ValueKind::Millis, false,
        "Resource timeout (ms, iOS)",
        "How long a whole request may take, in milliseconds (iOS only)."),
    key("useVPN", |b| switch(b.emm.use_vpn), ValueKind::Switch, false,
        "Wait for connectivity (iOS)",
        "Wait for a connection (e.g. a per-app VPN) instead of failing requests (iOS only)."),
];

fn switch(value: Option<bool>) -> Option<String> {
    value.map(|b| b.to_string())
}

fn millis(value: Option<i64>) -> Option<String> {
    value.map(|n| n.to_string())
}

/// The values the brand sets, as the string the app reads, in [`KEYS`] order. `serverUrl`
/// and `serverName` default to `[server]`.
pub fn values(brand: &Brand) -> Vec<(&'static ManagedKey, String)> {
    KEYS.iter()
        .filter_map(|k| (k.value)(brand).map(|v| (k, v)))
        .collect()
}

#[derive(Serialize)]
struct Entry<'a> {
    key: &'a str,
    has_value: bool,
    /// XML-escaped.
    value: String,
    switch: bool,
    pattern: Option<&'a str>,
    label: String,
    description: String,
}

/// `s` as XML text; `what` names the brand key in the refusal.
fn xml(s: &str, what: &str) -> Result<String> {
    Ok(crate::format::xml::text(s)
        .with_context(|| format!("{what}: cannot be written to {DIR}/{APPCONFIG}"))?
        .into_owned())
}

/// Writes `DIR/emm/appconfig.xml` and `DIR/emm/managed-config.json`.
pub fn write(sink: &mut dyn Sink, brand: &Brand) -> Result<()> {
    let dir = Path::new(DIR);
    let set = values(brand);
    let entries: Vec<Entry> = KEYS
        .iter()
        .map(|k| {
            let value = set
                .iter()
                .find(|(s, _)| s.name == k.name)
                .map(|(_, v)| xml(v, k.name))
                .transpose()?;
            let platform = if k.android {
                ""
            } else {
                " Not sent to Android."
            };
            Ok(Entry {
                key: k.name,
                has_value: value.is_some(),
                value: value.unwrap_or_default(),
                switch: k.kind == ValueKind::Switch,
                pattern: (k.kind == ValueKind::Millis).then_some("[1-9][0-9]*"),
                label: xml(k.label, k.name)?,
                description: xml(&format!("{}{platform}", k.description), k.name)?,
            })
        })
        .collect::<Result<_>>()?;
    let mut ctx = tera::Context::new();
    ctx.insert("bundle_id", &xml(&brand.ios.bundle_id, "ios.bundle_id")?);
    // The name sits in the file's leading comment, where `--` would end it.
    let comment = crate::format::xml::comment(&brand.display_name)
        .context("display_name: cannot be written to the EMM appconfig.xml")?;
    ctx.insert("display_name", &xml(&comment, "display_name")?);
    ctx.insert("entries", &entries);
    sink.write(
        &dir.join(APPCONFIG),
        super::render("appconfig.xml", APPCONFIG_TEMPLATE, &ctx)?.as_ref(),
    )?;
    let map: serde_json::Map<String, serde_json::Value> = set
        .iter()
        .map(|(k, v)| (k.name.to_string(), serde_json::Value::String(v.clone())))
        .collect();
    sink.write(
        &dir.join(MANAGED_CONFIG),
        json_merge::to_pretty(&serde_json::Value::Object(map)).as_ref(),
    )
}
