//! iOS: the three targets' Info.plist and entitlements (through the plist crate) and the
//! Xcode project's bundle identifiers and team (anchored line edits).
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use plist::{Dictionary, Value};

use super::text_edit;
use crate::brand::{Brand, Ios};

pub const PBXPROJ: &str = "ios/Mattermost.xcodeproj/project.pbxproj";
pub const MAIN_PLIST: &str = "ios/Mattermost/Info.plist";
pub const SHARE_PLIST: &str = "ios/MattermostShare/Info.plist";
pub const NOTIFICATION_PLIST: &str = "ios/NotificationService/Info.plist";
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
        replace_team(&out, &ios.team_id, &shown)
    })?;
    Ok(())
}

/// `DEVELOPMENT_TEAM = XXXXXXXXXX;` lines, whatever team upstream had.
fn replace_team(text: &str, team: &str, shown: &str) -> Result<String> {
    let mut count = 0;
    let lines: Vec<String> = text
        .split_inclusive('\n')
        .map(|line| {
            let trimmed = line.trim_start();
            match trimmed.strip_prefix("DEVELOPMENT_TEAM = ") {
                Some(rest) if rest.trim_end().ends_with(';') => {
                    count += 1;
                    let indent = &line[..line.len() - trimmed.len()];
                    let eol = if line.ends_with('\n') { "\n" } else { "" };
                    format!("{indent}DEVELOPMENT_TEAM = {team};{eol}")
                }
                _ => line.to_string(),
            }
        })
        .collect();
    if count < 3 * CONFIGS_PER_TARGET {
        bail!("{shown}: expected a DEVELOPMENT_TEAM line in each of the {} build configurations of the app targets, found {count}", 3 * CONFIGS_PER_TARGET);
    }
    Ok(lines.concat())
}

fn read_dict(path: &Path) -> Result<Dictionary> {
    let value = Value::from_file(path)
        .with_context(|| format!("{}: not a readable property list", path.display()))?;
    match value {
        Value::Dictionary(d) => Ok(d),
        _ => bail!(
            "{}: expected a dictionary at the top of the property list",
            path.display()
        ),
    }
}

/// XML plist with a final newline, as Xcode writes them.
fn write_dict(path: &Path, dict: Dictionary) -> Result<()> {
    let mut bytes = Vec::new();
    Value::Dictionary(dict)
        .to_writer_xml(&mut bytes)
        .with_context(|| format!("cannot serialize {}", path.display()))?;
    bytes.push(b'\n');
    crate::fsutil::write(path, bytes)
}

/// Sets `key` in `dict`, which must already have it (the anchor).
fn set_existing(dict: &mut Dictionary, key: &str, value: Value, path: &Path) -> Result<()> {
    match dict.get_mut(key) {
        Some(v) => {
            *v = value;
            Ok(())
        }
        None => bail!(
            "{}: expected the key {key}, which upstream has; upstream may have changed this file",
            path.display()
        ),
    }
}

fn strings(values: &[&str]) -> Value {
    Value::Array(
        values
            .iter()
            .map(|s| Value::String(s.to_string()))
            .collect(),
    )
}

/// `CFBundleIdentifier` is set unless upstream delegates it to the build setting
/// `$(PRODUCT_BUNDLE_IDENTIFIER)`, which the pbxproj edit already brands.
fn set_bundle_id(dict: &mut Dictionary, id: &str, path: &Path) -> Result<()> {
    let delegated = dict
        .get("CFBundleIdentifier")
        .and_then(Value::as_string)
        .is_some_and(|s| s.contains("$(PRODUCT_BUNDLE_IDENTIFIER)"));
    if delegated {
        return Ok(());
    }
    set_existing(dict, "CFBundleIdentifier", Value::String(id.into()), path)
}

pub fn edit_main_plist(path: &Path, brand: &Brand) -> Result<()> {
    let mut dict = read_dict(path)?;
    set_bundle_id(&mut dict, &brand.ios.bundle_id, path)?;
    set_existing(
        &mut dict,
        "CFBundleDisplayName",
        Value::String(brand.display_name.clone()),
        path,
    )?;
    set_existing(
        &mut dict,
        "AppGroupIdentifier",
        Value::String(brand.ios.app_group.clone()),
        path,
    )?;
    let url_type = dict
        .get_mut("CFBundleURLTypes")
        .and_then(Value::as_array_mut)
        .and_then(|types| {
            types
                .iter_mut()
                .filter_map(Value::as_dictionary_mut)
                .find(|t| {
                    t.get("CFBundleURLName").and_then(Value::as_string) == Some(URL_TYPE_NAME)
                })
        });
    let Some(url_type) = url_type else {
        bail!("{}: expected a CFBundleURLTypes entry named {URL_TYPE_NAME:?}; upstream may have changed this file", path.display());
    };
    url_type.insert(
        "CFBundleURLSchemes".into(),
        strings(&[&brand.schemes.app, &brand.schemes.auth]),
    );
    write_dict(path, dict)
}

pub fn edit_extension_plist(
    path: &Path,
    id: &str,
    display_name: Option<&str>,
    app_group: &str,
) -> Result<()> {
    let mut dict = read_dict(path)?;
    set_bundle_id(&mut dict, id, path)?;
    if let Some(name) = display_name {
        set_existing(
            &mut dict,
            "CFBundleDisplayName",
            Value::String(name.into()),
            path,
        )?;
    }
    set_existing(
        &mut dict,
        "AppGroupIdentifier",
        Value::String(app_group.into()),
        path,
    )?;
    write_dict(path, dict)
}

pub fn edit_main_entitlements(path: &Path, ios: &Ios) -> Result<()> {
    let mut dict = read_dict(path)?;
    set_existing(
        &mut dict,
        APS_ENVIRONMENT,
        Value::String(ios.aps_environment.clone()),
        path,
    )?;
    set_existing(&mut dict, APP_GROUPS, strings(&[&ios.app_group]), path)?;
    set_existing(
        &mut dict,
        KEYCHAIN_GROUPS,
        strings(&[&format!("$(AppIdentifierPrefix){}", ios.bundle_id)]),
        path,
    )?;
    set_existing(
        &mut dict,
        ICLOUD_CONTAINERS,
        strings(&[&ios.icloud_container]),
        path,
    )?;
    write_dict(path, dict)
}

pub fn edit_app_groups(path: &Path, app_group: &str) -> Result<()> {
    let mut dict = read_dict(path)?;
    set_existing(&mut dict, APP_GROUPS, strings(&[app_group]), path)?;
    write_dict(path, dict)
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
