//! iOS: the files upstream ships (their edits are in `crate::edits::ios`) and what the
//! branded app says about itself, read back for `verify`.
use std::path::Path;

use anyhow::{bail, Result};
use plist::{Dictionary, Value};

pub const PBXPROJ: &str = "ios/Mattermost.xcodeproj/project.pbxproj";
pub const MAIN_PLIST: &str = "ios/Mattermost/Info.plist";
pub const SHARE_PLIST: &str = "ios/MattermostShare/Info.plist";
pub const NOTIFICATION_PLIST: &str = "ios/NotificationService/Info.plist";
/// The three targets' Info.plists.
pub const PLISTS: [&str; 3] = [MAIN_PLIST, SHARE_PLIST, NOTIFICATION_PLIST];
pub const MAIN_ENTITLEMENTS: &str = "ios/Mattermost/Mattermost.entitlements";
pub const SHARE_ENTITLEMENTS: &str = "ios/MattermostShare/MattermostShare.entitlements";
pub const NOTIFICATION_ENTITLEMENTS: &str =
    "ios/NotificationService/NotificationService.entitlements";

/// Upstream's identifiers as shipped.
pub const UPSTREAM_BUNDLE_ID: &str = "com.mattermost.rnbeta";
pub const UPSTREAM_SHARE_ID: &str = "com.mattermost.rnbeta.MattermostShare";
pub const UPSTREAM_NOTIFICATION_ID: &str = "com.mattermost.rnbeta.NotificationService";

pub const APS_ENVIRONMENT: &str = "aps-environment";
/// Universal Links: `applinks:<domain>` per domain. Upstream has none; its lanes never touch
/// it (update_settings rewrites the whole file through the plist gem, which keeps it).
pub const ASSOCIATED_DOMAINS: &str = "com.apple.developer.associated-domains";

fn read_dict(path: &Path) -> Result<Dictionary> {
    let value = crate::content::read_plist(path)?;
    match value {
        Value::Dictionary(d) => Ok(d),
        _ => bail!(
            "{}: expected a dictionary at the top of the property list",
            path.display()
        ),
    }
}

/// What the branded iOS app says about itself, read back from its files (for `verify`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct IosFacts {
    pub bundle_id: String,
    pub aps_environment: String,
    pub app_group: String,
    pub team_ids: Vec<String>,
}

/// Reads the main target's identity: bundle id (Info.plist, or the pbxproj when delegated),
/// aps-environment and app group.
pub fn read_facts(app: &Path) -> Result<IosFacts> {
    let plist = read_dict(&app.join(MAIN_PLIST))?;
    let ent = read_dict(&app.join(MAIN_ENTITLEMENTS))?;
    let bundle_id = plist
        .get("CFBundleIdentifier")
        .and_then(Value::as_string)
        .unwrap_or_default()
        .to_string();
    let pbx = crate::fsutil::read_to_string(&app.join(PBXPROJ))?;
    let mut team_ids: Vec<String> = pbx
        .lines()
        .filter_map(|l| l.trim().strip_prefix("DEVELOPMENT_TEAM = "))
        .map(|v| v.trim_end_matches(';').trim().to_string())
        .collect();
    team_ids.sort();
    team_ids.dedup();
    Ok(IosFacts {
        bundle_id,
        aps_environment: ent
            .get(APS_ENVIRONMENT)
            .and_then(Value::as_string)
            .unwrap_or_default()
            .to_string(),
        app_group: plist
            .get("AppGroupIdentifier")
            .and_then(Value::as_string)
            .unwrap_or_default()
            .to_string(),
        team_ids,
    })
}
