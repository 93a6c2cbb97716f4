//! iOS: the three targets' Info.plist and entitlements (through the plist crate) and the
//! Xcode project's bundle identifiers and team (anchored line edits).
use std::path::{Path, PathBuf};

use anyhow::{bail, Result};
use plist::{Dictionary, Value};

use super::plist_edit::{self, PlistValue};
use super::text_edit;
use crate::brand::{Brand, Ios};

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

/// The URL type in the main Info.plist whose schemes are the app's (fastlane's anchor).
const URL_TYPE_NAME: &str = "com.mattermost";
/// pbxproj: two build configurations (Debug, Release) per target.
const CONFIGS_PER_TARGET: usize = 2;

const APP_GROUPS: &str = "com.apple.security.application-groups";
const KEYCHAIN_GROUPS: &str = "keychain-access-groups";
const APS_ENVIRONMENT: &str = "aps-environment";
const ICLOUD_CONTAINERS: &str = "com.apple.developer.icloud-container-identifiers";
/// upstream's `update_icloud_container_identifiers` sets this one to the same list.
const UBIQUITY_CONTAINERS: &str = "com.apple.developer.ubiquity-container-identifiers";
/// Universal Links: `applinks:<domain>` per domain. Upstream has none; its lanes never touch
/// it (update_settings rewrites the whole file through the plist gem, which keeps it).
pub const ASSOCIATED_DOMAINS: &str = "com.apple.developer.associated-domains";

/// Applies the brand to every iOS file; returns the files changed, relative to `app`.
pub fn apply(app: &Path, brand: &Brand) -> Result<Vec<PathBuf>> {
    let ios = &brand.ios;
    edit_pbxproj(&app.join(PBXPROJ), ios)?;
    edit_main_plist(&app.join(MAIN_PLIST), brand)?;
    edit_extension_plist(
        &app.join(SHARE_PLIST),
        &ios.share_extension_id,
        Some(&brand.display_name),
        &ios.app_group,
    )?;
    edit_extension_plist(
        &app.join(NOTIFICATION_PLIST),
        &ios.notification_service_id,
        None,
        &ios.app_group,
    )?;
    edit_main_entitlements(&app.join(MAIN_ENTITLEMENTS), ios)?;
    edit_app_groups(&app.join(SHARE_ENTITLEMENTS), &ios.app_group)?;
    edit_app_groups(&app.join(NOTIFICATION_ENTITLEMENTS), &ios.app_group)?;
    Ok([
        PBXPROJ,
        MAIN_PLIST,
        SHARE_PLIST,
        NOTIFICATION_PLIST,
        MAIN_ENTITLEMENTS,
        SHARE_ENTITLEMENTS,
        NOTIFICATION_ENTITLEMENTS,
    ]
    .iter()
    .map(PathBuf::from)
    .collect())
}

/// Every `PRODUCT_BUNDLE_IDENTIFIER` (exactly two per target) and `DEVELOPMENT_TEAM`.
pub fn edit_pbxproj(path: &Path, ios: &Ios) -> Result<()> {
    let shown = path.display().to_string();
    text_edit::edit_file(path, |text| {
        let mut out = text.to_string();
        for (old, new) in [
            (UPSTREAM_SHARE_ID, &ios.share_extension_id),
            (UPSTREAM_NOTIFICATION_ID, &ios.notification_service_id),
            (UPSTREAM_BUNDLE_ID, &ios.bundle_id),
        ] {
            out = text_edit::replace_counted(
                &out,
                &format!("PRODUCT_BUNDLE_IDENTIFIER = {old};"),
                &format!("PRODUCT_BUNDLE_IDENTIFIER = {new};"),
                CONFIGS_PER_TARGET,
                CONFIGS_PER_TARGET,
                &shown,
            )?;
        }
        let out = replace_team(&out, &ios.team_id, &shown)?;
        Ok(replace_target_attribute_team(&out, &ios.team_id))
    })?;
    Ok(())
}

/// `DevelopmentTeam = X;` in the project's TargetAttributes, which Xcode's signing pane
/// shows; upstream sets it on some targets only, and those are kept to that.
fn replace_target_attribute_team(text: &str, team: &str) -> String {
    text_edit::set_line_values(text, "DevelopmentTeam = ", ";", team).0
}

/// `DEVELOPMENT_TEAM = XXXXXXXXXX;` lines, whatever team upstream had.
fn replace_team(text: &str, team: &str, shown: &str) -> Result<String> {
    let (out, count) = text_edit::set_line_values(text, "DEVELOPMENT_TEAM = ", ";", team);
    if count < 3 * CONFIGS_PER_TARGET {
        bail!("{shown}: expected a DEVELOPMENT_TEAM line in each of the {} build configurations of the app targets, found {count}", 3 * CONFIGS_PER_TARGET);
    }
    Ok(out)
}

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

/// Edits a property list in place: only the values set change, byte for byte, so the brand
/// branch's diff shows branding and nothing else. `CFBundleIdentifier` is written literally
/// even where upstream delegates it to `$(PRODUCT_BUNDLE_IDENTIFIER)`: upstream's
/// `update_settings` lane does the same, so the lane finds nothing to change.
fn edit_plist(path: &Path, edits: &[(&str, PlistValue)]) -> Result<()> {
    let shown = path.display().to_string();
    read_dict(path)?;
    text_edit::edit_file(path, |text| {
        let mut out = text.to_string();
        for (key, value) in edits {
            out = plist_edit::set_top_level(&out, key, value.clone(), &shown)?;
        }
        Ok(out)
    })?;
    Ok(())
}

pub fn edit_main_plist(path: &Path, brand: &Brand) -> Result<()> {
    edit_plist(
        path,
        &[
            (
                "CFBundleIdentifier",
                PlistValue::String(&brand.ios.bundle_id),
            ),
            (
                "CFBundleDisplayName",
                PlistValue::String(&brand.display_name),
            ),
            (
                "AppGroupIdentifier",
                PlistValue::String(&brand.ios.app_group),
            ),
        ],
    )?;
    let shown = path.display().to_string();
    text_edit::edit_file(path, |text| {
        plist_edit::set_in_array_dict(
            text,
            "CFBundleURLTypes",
            "CFBundleURLName",
            URL_TYPE_NAME,
            "CFBundleURLSchemes",
            PlistValue::Strings(vec![&brand.schemes.app, &brand.schemes.auth]),
            &shown,
        )
    })?;
    Ok(())
}

pub fn edit_extension_plist(
    path: &Path,
    id: &str,
    display_name: Option<&str>,
    app_group: &str,
) -> Result<()> {
    let mut edits = vec![
        ("CFBundleIdentifier", PlistValue::String(id)),
        ("AppGroupIdentifier", PlistValue::String(app_group)),
    ];
    if let Some(name) = display_name {
        edits.push(("CFBundleDisplayName", PlistValue::String(name)));
    }
    edit_plist(path, &edits)
}

pub fn edit_main_entitlements(path: &Path, ios: &Ios) -> Result<()> {
    let keychain = format!("$(AppIdentifierPrefix){}", ios.bundle_id);
    edit_plist(
        path,
        &[
            (
                APS_ENVIRONMENT,
                PlistValue::String(ios.aps_environment.as_str()),
            ),
            (APP_GROUPS, PlistValue::Strings(vec![&ios.app_group])),
            (KEYCHAIN_GROUPS, PlistValue::Strings(vec![&keychain])),
            (
                ICLOUD_CONTAINERS,
                PlistValue::Strings(vec![&ios.icloud_container]),
            ),
        ],
    )?;
    let shown = path.display().to_string();
    text_edit::edit_file(path, |text| {
        plist_edit::upsert_top_level(
            text,
            UBIQUITY_CONTAINERS,
            PlistValue::Strings(vec![&ios.icloud_container]),
            &shown,
        )
    })?;
    Ok(())
}

/// Adds (or replaces) the associated-domains entitlement with one `applinks:` entry per
/// domain, in place: the rest of the file is untouched.
pub fn add_associated_domains(path: &Path, domains: &[String]) -> Result<()> {
    let entries: Vec<String> = domains.iter().map(|d| format!("applinks:{d}")).collect();
    let shown = path.display().to_string();
    read_dict(path)?;
    text_edit::edit_file(path, |text| {
        plist_edit::upsert_top_level(
            text,
            ASSOCIATED_DOMAINS,
            PlistValue::Strings(entries.iter().map(String::as_str).collect()),
            &shown,
        )
    })?;
    Ok(())
}

pub fn edit_app_groups(path: &Path, app_group: &str) -> Result<()> {
    edit_plist(path, &[(APP_GROUPS, PlistValue::Strings(vec![app_group]))])
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
