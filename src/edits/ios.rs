//! iOS: the three targets' Info.plist and entitlements (edited in place through quick-xml
//! spans, `native::plist_edit`) and the Xcode project's bundle identifiers and team
//! (anchored line edits).
use anyhow::Result;

use super::{Doc, Edit, EditCtx, When};
use crate::error::AnchorError;
use crate::native::ios::{
    ASSOCIATED_DOMAINS, MAIN_ENTITLEMENTS, MAIN_PLIST, NOTIFICATION_ENTITLEMENTS,
    NOTIFICATION_PLIST, PBXPROJ, SHARE_ENTITLEMENTS, SHARE_PLIST, UPSTREAM_BUNDLE_ID,
    UPSTREAM_NOTIFICATION_ID, UPSTREAM_SHARE_ID,
};
use crate::native::plist_edit::{self, PlistValue};
use crate::native::text_edit;

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

pub fn edits() -> Vec<Edit> {
    let edit = Edit::required;
    vec![
        edit(PBXPROJ, "bundle identifiers and team", pbxproj),
        edit(MAIN_PLIST, "identity and URL schemes", main_plist),
        edit(SHARE_PLIST, "identity", share_plist),
        edit(NOTIFICATION_PLIST, "identity", notification_plist),
        edit(
            MAIN_ENTITLEMENTS,
            "groups, aps and iCloud",
            main_entitlements,
        ),
        edit(SHARE_ENTITLEMENTS, "app group", app_groups),
        edit(NOTIFICATION_ENTITLEMENTS, "app group", app_groups),
        edit(MAIN_ENTITLEMENTS, "associated domains", associated_domains).when(When::DeepLinks),
    ]
}

/// Every `PRODUCT_BUNDLE_IDENTIFIER` (exactly two per target) and `DEVELOPMENT_TEAM`.
fn pbxproj(text: &str, doc: &Doc, ctx: &EditCtx) -> Result<String> {
    let ios = &ctx.brand.ios;
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
            doc.shown,
        )?;
    }
    let (out, count) = text_edit::set_line_values(&out, "DEVELOPMENT_TEAM = ", ";", &ios.team_id);
    let wanted = 3 * CONFIGS_PER_TARGET;
    if count < wanted {
        let e = AnchorError::count(
            doc.shown,
            "DEVELOPMENT_TEAM = …;",
            wanted,
            usize::MAX,
            count,
        );
        return Err(e.into());
    }
    // `DevelopmentTeam = X;` in the project's TargetAttributes, which Xcode's signing pane
    // shows; upstream sets it on some targets only, and those are kept to that.
    Ok(text_edit::set_line_values(&out, "DevelopmentTeam = ", ";", &ios.team_id).0)
}

/// Sets top-level keys in place: only the values set change, byte for byte, so the brand
/// branch's diff shows branding and nothing else.
fn set_keys(text: &str, doc: &Doc, edits: &[(&str, PlistValue)]) -> Result<String> {
    let mut out = text.to_string();
    for (key, value) in edits {
        out = plist_edit::set_top_level(&out, key, value.clone(), doc.shown)?;
    }
    Ok(out)
}

/// `CFBundleIdentifier` is written literally even where upstream delegates it to
/// `$(PRODUCT_BUNDLE_IDENTIFIER)`: upstream's `update_settings` lane does the same, so the
/// lane finds nothing to change.
fn main_plist(text: &str, doc: &Doc, ctx: &EditCtx) -> Result<String> {
    let brand = ctx.brand;
    let out = set_keys(
        text,
        doc,
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
    plist_edit::set_in_array_dict(
        &out,
        "CFBundleURLTypes",
        "CFBundleURLName",
        URL_TYPE_NAME,
        "CFBundleURLSchemes",
        PlistValue::Strings(vec![&brand.schemes.app, &brand.schemes.auth]),
        doc.shown,
    )
}

fn share_plist(text: &str, doc: &Doc, ctx: &EditCtx) -> Result<String> {
    let ios = &ctx.brand.ios;
    set_keys(
        text,
        doc,
        &[
            (
                "CFBundleIdentifier",
                PlistValue::String(&ios.share_extension_id),
            ),
            ("AppGroupIdentifier", PlistValue::String(&ios.app_group)),
            (
                "CFBundleDisplayName",
                PlistValue::String(&ctx.brand.display_name),
            ),
        ],
    )
}

fn notification_plist(text: &str, doc: &Doc, ctx: &EditCtx) -> Result<String> {
    let ios = &ctx.brand.ios;
    set_keys(
        text,
        doc,
        &[
            (
                "CFBundleIdentifier",
                PlistValue::String(&ios.notification_service_id),
            ),
            ("AppGroupIdentifier", PlistValue::String(&ios.app_group)),
        ],
    )
}

fn main_entitlements(text: &str, doc: &Doc, ctx: &EditCtx) -> Result<String> {
    let ios = &ctx.brand.ios;
    let keychain = format!("$(AppIdentifierPrefix){}", ios.bundle_id);
    let out = set_keys(
        text,
        doc,
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
    plist_edit::upsert_top_level(
        &out,
        UBIQUITY_CONTAINERS,
        PlistValue::Strings(vec![&ios.icloud_container]),
        doc.shown,
    )
}

fn app_groups(text: &str, doc: &Doc, ctx: &EditCtx) -> Result<String> {
    let group = &ctx.brand.ios.app_group;
    set_keys(text, doc, &[(APP_GROUPS, PlistValue::Strings(vec![group]))])
}

/// Adds (or replaces) the associated-domains entitlement with one `applinks:` entry per
/// domain, in place: the rest of the file is untouched.
fn associated_domains(text: &str, doc: &Doc, ctx: &EditCtx) -> Result<String> {
    let Some(links) = ctx.deep_links else {
        return Ok(text.to_string());
    };
    let entries: Vec<String> = links
        .domains
        .iter()
        .map(|d| format!("applinks:{d}"))
        .collect();
    plist_edit::upsert_top_level(
        text,
        ASSOCIATED_DOMAINS,
        PlistValue::Strings(entries.iter().map(String::as_str).collect()),
        doc.shown,
    )
}
