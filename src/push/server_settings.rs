//! `server/config-patch.json`: the Mattermost server settings the branded app needs — the
//! brand's SSO scheme in `NativeAppSettings.AppCustomURLSchemes` (the server redirects SSO
//! logins only to listed schemes), its download links, and, with `[push]`, the push proxy —
//! with the equivalent mmctl commands in `server/README.md`.
use std::path::Path;

use anyhow::{Context, Result};
use serde_json::{json, Map, Value};

use crate::brand::{Brand, PushContents};
use crate::emit::Sink;
use crate::format::shell;
use crate::overlay::json_merge;

pub const SERVER_DIR: &str = "server";
pub const PATCH_FILE: &str = "config-patch.json";
/// The server's default `AppCustomURLSchemes` (model.GetDefaultAppCustomURLSchemes).
pub const DEFAULT_URL_SCHEMES: [&str; 2] = ["mmauth://", "mmauthbeta://"];
const SERVER_README: &str = include_str!("../../templates/server-README.md.tera");

/// What each `PushNotificationContents` value sends (Mattermost's System Console wording).
fn contents_help(contents: PushContents) -> &'static str {
    match contents {
        PushContents::GenericNoChannel => "the sender's name only, no channel name or message text.",
        PushContents::Generic => "the sender and channel names, no message text.",
        PushContents::Full => "sender, channel and message text, through Apple and Google.",
        PushContents::IdLoaded => "only ids go through Apple and Google; the app fetches the message from the server (needs a licensed server).",
    }
}

/// The schemes the server must accept: the brand's auth scheme, after the defaults unless
/// the brand drops them.
pub fn url_schemes(brand: &Brand) -> Vec<String> {
    let mut schemes: Vec<String> = if brand.server.keep_default_url_schemes {
        DEFAULT_URL_SCHEMES.iter().map(|s| s.to_string()).collect()
    } else {
        Vec::new()
    };
    let ours = format!("{}://", brand.schemes.auth);
    if !schemes.contains(&ours) {
        schemes.push(ours);
    }
    schemes
}

/// The patch as a JSON document, and the (setting, value) pairs for mmctl in the same order.
pub fn patch(brand: &Brand) -> (Value, Vec<(String, Value)>) {
    let mut native = Map::new();
    native.insert("AppCustomURLSchemes".into(), json!(url_schemes(brand)));
    let s = &brand.server;
    for (key, link) in [
        ("AppDownloadLink", &s.app_download_link),
        ("AndroidAppDownloadLink", &s.android_app_download_link),
        ("IosAppDownloadLink", &s.ios_app_download_link),
    ] {
        if let Some(link) = link {
            native.insert(key.into(), json!(link));
        }
    }
    let mut doc = Map::new();
    doc.insert("NativeAppSettings".into(), Value::Object(native));
    if let Some(push) = &brand.push {
        doc.insert(
            "EmailSettings".into(),
            json!({
                "SendPushNotifications": true,
                "PushNotificationServer": push.proxy_url,
                "PushNotificationContents": push.contents,
            }),
        );
    }
    let mut settings = Vec::new();
    for (section, values) in &doc {
        for (key, value) in values.as_object().into_iter().flatten() {
            settings.push((format!("{section}.{key}"), value.clone()));
        }
    }
    (Value::Object(doc), settings)
}

/// One `mmctl config set` line; arrays take one argument per element.
fn mmctl_line(setting: &str, value: &Value) -> Result<String> {
    let arg = |v: &Value| -> Result<String> {
        let text = match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        Ok(shell::quote(&text)
            .with_context(|| format!("{setting}: cannot be written as an mmctl argument"))?
            .into_owned())
    };
    let args: Vec<String> = match value {
        Value::Array(items) => items.iter().map(arg).collect::<Result<_>>()?,
        v => vec![arg(v)?],
    };
    Ok(format!("mmctl config set {setting} {}", args.join(" ")))
}

pub fn write(sink: &mut dyn Sink, brand: &Brand) -> Result<()> {
    let (doc, settings) = patch(brand);
    let dir = Path::new(SERVER_DIR);
    sink.write(&dir.join(PATCH_FILE), json_merge::to_pretty(&doc).as_ref())?;
    let lines: Vec<String> = settings
        .iter()
        .map(|(k, v)| mmctl_line(k, v))
        .collect::<Result<_>>()?;
    let mut ctx = tera::Context::new();
    ctx.insert("display_name", &brand.display_name);
    ctx.insert("mmctl", &lines);
    ctx.insert("auth_scheme", &format!("{}://", brand.schemes.auth));
    ctx.insert("keeps_defaults", &brand.server.keep_default_url_schemes);
    if let Some(push) = &brand.push {
        ctx.insert("proxy_url", &push.proxy_url);
        ctx.insert("contents", &push.contents);
        ctx.insert("contents_help", contents_help(push.contents));
    }
    sink.write(
        &dir.join("README.md"),
        crate::emit::render("server-README.md", SERVER_README, &ctx)?.as_ref(),
    )
}
