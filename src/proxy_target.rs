//! What `doctor` is pointed at: a running push proxy's URL and a device id, parsed once
//! (clap calls these as value parsers, so a malformed value is a usage error). A leaf: the
//! command line imports it without importing the doctor.

/// A device id as the Mattermost server stores it (`Sessions.DeviceId`), split the way the
/// server splits it before calling the proxy (`PushNotification.SetDeviceIdAndPlatform`: at
/// the first ':') and the way the proxy splits the platform (at the first "-v").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceId {
    /// Sent as `platform`, e.g. `apple_rn-v2`.
    pub platform: String,
    /// The settings `Type` the proxy routes by, e.g. `apple_rn`.
    pub kind: String,
    /// Sent as `device_id`: the APNs or FCM token. Never printed.
    pub token: String,
}

/// clap value parser for `--device-id`: a malformed id is a usage error (exit 2).
pub fn parse_device_id(s: &str) -> std::result::Result<DeviceId, String> {
    let Some((platform, token)) = s.trim().split_once(':') else {
        return Err("expected <type>-v2:<token> as the Mattermost server stores it, e.g. apple_rn-v2:<APNs token> or android_rn-v2:<FCM token>".into());
    };
    if platform.is_empty() || token.is_empty() {
        return Err("both the prefix before ':' and the token after it must be non-empty".into());
    }
    let kind = match platform.find("-v") {
        Some(i) => &platform[..i],
        None => platform,
    };
    Ok(DeviceId {
        platform: platform.to_string(),
        kind: kind.to_string(),
        token: token.to_string(),
    })
}

/// clap value parser for `--proxy`: an http(s) URL; returned without a trailing '/' so the
/// proxy's paths can be appended.
pub fn parse_proxy_url(s: &str) -> std::result::Result<String, String> {
    let url =
        url::Url::parse(s).map_err(|e| format!("{e} (expected e.g. http://localhost:8066)"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err("expected an http:// or https:// URL, e.g. http://localhost:8066".into());
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err("the proxy's base URL takes no query or fragment".into());
    }
    Ok(s.trim_end_matches('/').to_string())
}
