//! `fastlane/.env.<brand>` plus `.env.<brand>.ios` and `.env.<brand>.android`: the variables
//! upstream's lanes read, split by platform because `MAIN_APP_IDENTIFIER` means the iOS bundle
//! id to the iOS lanes and the Android package to the Android lanes.
use std::path::PathBuf;

use anyhow::{Context, Result};

use crate::brand::Brand;
use crate::format::dotenv;
use crate::recorder::Recorder;

const COMMON: &str = include_str!("../../templates/fastlane.env.tera");
const IOS: &str = include_str!("../../templates/fastlane.env.ios.tera");
const ANDROID: &str = include_str!("../../templates/fastlane.env.android.tera");

/// The `--env` value that builds `platform` ("ios" or "android").
pub fn env_arg(brand: &Brand, platform: &str) -> String {
    format!("{0},{0}.{platform}", brand.name)
}

/// The exact build command for `platform`, run from the app's `fastlane/` directory after
/// `bundle install` there (upstream's Gemfile pins fastlane and its plugins).
pub fn build_command(brand: &Brand, platform: &str) -> String {
    format!(
        "bundle exec fastlane {platform} build --env {}",
        env_arg(brand, platform)
    )
}

/// Writes the three env files through the recorder (they are generated, not upstream files).
pub fn write(rec: &mut Recorder, brand: &Brand) -> Result<()> {
    let ios = &brand.ios;
    let match_ids = format!(
        "{},{},{}",
        ios.notification_service_id, ios.share_extension_id, ios.bundle_id
    );
    // (template variable, brand key it comes from, value): every value reaches the file
    // through the dotenv writer, which quotes it or refuses it naming the key.
    let values: [(&str, &str, &str); 14] = [
        ("app_name", "display_name", &brand.display_name),
        ("app_scheme", "schemes.app", &brand.schemes.app),
        ("app_auth_scheme", "schemes.auth", &brand.schemes.auth),
        ("branch", "source.branch", &brand.branch),
        ("bundle_id", "ios.bundle_id", &ios.bundle_id),
        (
            "share_extension_id",
            "ios.share_extension_id",
            &ios.share_extension_id,
        ),
        (
            "notification_service_id",
            "ios.notification_service_id",
            &ios.notification_service_id,
        ),
        ("app_group", "ios.app_group", &ios.app_group),
        (
            "icloud_container",
            "ios.icloud_container",
            &ios.icloud_container,
        ),
        ("team_id", "ios.team_id", &ios.team_id),
        (
            "export_method",
            "ios.export_method",
            ios.export_method.as_str(),
        ),
        ("match_type", "ios.match_type", ios.match_type.as_str()),
        ("match_app_identifier", "ios.bundle_id", &match_ids),
        ("package", "android.package", &brand.android.package),
    ];
    let mut ctx = tera::Context::new();
    // The brand's slug (validated: lower-case letters, digits, `-`) names the files and
    // appears only in comments.
    ctx.insert("name", &brand.name);
    for (var, key, value) in values {
        let written = dotenv::value(value).with_context(|| {
            format!(
                "{key}: {value:?} cannot be written to fastlane/.env.{}",
                brand.name
            )
        })?;
        ctx.insert(var, &written);
    }
    for (suffix, template) in [("", COMMON), (".ios", IOS), (".android", ANDROID)] {
        let rel = PathBuf::from(format!("fastlane/.env.{}{suffix}", brand.name));
        let text = super::render(&format!("fastlane.env{suffix}"), template, &ctx)?;
        rec.write(&rel, text)?;
    }
    Ok(())
}
