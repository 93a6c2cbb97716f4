//! Android: build.gradle's identifiers, the manifest's schemes, package and App Links,
//! strings.xml's app name, the managed-configuration defaults, the Play title and the
//! Firebase client config. The anchored text functions are in `native::android`.
use anyhow::{Context, Result};

use super::{Doc, Edit, EditCtx, Presence, When};
use crate::native::android::{
    self as native, APP_RESTRICTIONS, BUILD_GRADLE, GOOGLE_SERVICES, MANIFEST, PLAY_TITLE, STRINGS,
};

pub fn edits() -> Vec<Edit> {
    let edit = Edit::required;
    vec![
        edit(BUILD_GRADLE, "namespace and applicationId", gradle),
        edit(MANIFEST, "URL schemes", manifest_schemes),
        edit(MANIFEST, "package attribute", manifest_package),
        edit(MANIFEST, "App Links filter", app_links).when(When::DeepLinks),
        edit(STRINGS, "app name", app_name),
        edit(STRINGS, "managed-configuration titles", restriction_strings),
        edit(PLAY_TITLE, "Play listing title", play_title).presence(Presence::IfPresent),
        edit(GOOGLE_SERVICES, "Firebase client config", google_services)
            .presence(Presence::Replaced),
        edit(
            APP_RESTRICTIONS,
            "managed-configuration defaults",
            restriction_defaults,
        )
        .when(When::EmmDefaults),
    ]
}

fn gradle(text: &str, doc: &Doc, ctx: &EditCtx) -> Result<String> {
    native::gradle_package(text, doc.shown, &ctx.brand.android.package)
}

fn manifest_schemes(text: &str, doc: &Doc, ctx: &EditCtx) -> Result<String> {
    let schemes = &ctx.brand.schemes;
    native::manifest_schemes(text, doc.shown, &schemes.app, &schemes.auth)
}

fn manifest_package(text: &str, doc: &Doc, ctx: &EditCtx) -> Result<String> {
    native::manifest_package(text, doc.shown, &ctx.brand.android.package)
}

fn app_links(text: &str, doc: &Doc, ctx: &EditCtx) -> Result<String> {
    let Some(links) = ctx.deep_links else {
        return Ok(text.to_string());
    };
    let patterns = crate::emit::well_known::android_path_patterns();
    native::app_links(text, doc.shown, &links.domains, &patterns)
}

fn app_name(text: &str, doc: &Doc, ctx: &EditCtx) -> Result<String> {
    native::app_name(text, doc.shown, &ctx.brand.display_name)
}

/// Reads which strings app_restrictions.xml references; without that file, none.
fn restriction_strings(text: &str, _: &Doc, ctx: &EditCtx) -> Result<String> {
    let Some(restrictions) = (ctx.upstream)(APP_RESTRICTIONS) else {
        return Ok(text.to_string());
    };
    native::restriction_strings(text, &restrictions, &ctx.brand.display_name)
}

/// As the lane's `echo '<name>' > title.txt` writes it.
fn play_title(_: &str, _: &Doc, ctx: &EditCtx) -> Result<String> {
    Ok(format!("{}\n", ctx.brand.display_name))
}

/// The brand's file, whole (loading checked it is JSON, hence UTF-8).
fn google_services(_: &str, doc: &Doc, ctx: &EditCtx) -> Result<String> {
    String::from_utf8(ctx.google_services.to_vec()).with_context(|| {
        format!(
            "{}: the brand's google-services.json is not UTF-8",
            doc.shown
        )
    })
}

pub(super) fn restriction_defaults_of(ctx: &EditCtx) -> Vec<(&'static str, String)> {
    crate::emit::emm::values(ctx.brand)
        .into_iter()
        .filter(|(k, _)| k.android)
        .map(|(k, v)| (k.name, v))
        .collect()
}

/// What EMM consoles pre-fill for the app's managed configuration.
fn restriction_defaults(text: &str, doc: &Doc, ctx: &EditCtx) -> Result<String> {
    native::restriction_defaults(text, doc.shown, &restriction_defaults_of(ctx))
}
