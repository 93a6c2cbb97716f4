//! `server/config-patch.json`: the Mattermost server settings that send pushes through the
//! brand's proxy, with the equivalent mmctl commands; and the proxy folder's deployment notes.
use std::path::Path;

use anyhow::Result;
use serde_json::json;

use crate::brand::Brand;
use crate::fsutil;
use crate::overlay::json_merge;

pub const SERVER_DIR: &str = "server";
pub const PATCH_FILE: &str = "config-patch.json";
const SERVER_README: &str = include_str!("../../templates/server-README.md.tera");
const PROXY_README: &str = include_str!("../../templates/push-proxy-README.md.tera");

/// What each `PushNotificationContents` value sends (Mattermost's System Console wording).
fn contents_help(contents: &str) -> &'static str {
    match contents {
        "generic_no_channel" => "the sender's name only, no channel name or message text.",
        "generic" => "the sender and channel names, no message text.",
        "full" => "sender, channel and message text, through Apple and Google.",
        _ => "only ids go through Apple and Google; the app fetches the message from the server (needs a licensed server).",
    }
}

pub fn write(root: &Path, brand: &Brand, proxy_root: &str) -> Result<()> {
    let Some(push) = &brand.push else {
        return Ok(());
    };
    let patch = json!({
        "EmailSettings": {
            "SendPushNotifications": true,
            "PushNotificationServer": push.proxy_url,
            "PushNotificationContents": push.contents,
        }
    });
    let dir = root.join(SERVER_DIR);
    fsutil::write(&dir.join(PATCH_FILE), json_merge::to_pretty(&patch))?;

    let mut ctx = tera::Context::new();
    ctx.insert("display_name", &brand.display_name);
    ctx.insert("proxy_url", &push.proxy_url);
    ctx.insert("contents", &push.contents);
    ctx.insert("contents_help", contents_help(&push.contents));
    ctx.insert("proxy_root", proxy_root);
    let mut types = Vec::new();
    if push.apple.is_some() {
        types.push(super::proxy_config::apple_type(&brand.ios.bundle_id));
    }
    if push.android.is_some() {
        types.push(super::proxy_config::ANDROID_TYPE);
    }
    ctx.insert("types", &types.join(", "));
    fsutil::write(
        &dir.join("README.md"),
        crate::emit::render("server-README.md", SERVER_README, &ctx)?,
    )?;
    fsutil::write(
        &root.join(super::PROXY_DIR).join("README.md"),
        crate::emit::render("push-proxy-README.md", PROXY_README, &ctx)?,
    )?;
    Ok(())
}
