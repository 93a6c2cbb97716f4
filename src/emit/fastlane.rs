//! `fastlane/.env.<brand>` plus `.env.<brand>.ios` and `.env.<brand>.android`: the variables
//! upstream's lanes read, split by platform because `MAIN_APP_IDENTIFIER` means the iOS bundle
//! id to the iOS lanes and the Android package to the Android lanes.
use std::path::PathBuf;

use anyhow::Result;

use crate::brand::Brand;
use crate::edits::record::Recorder;

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
    let mut ctx = tera::Context::new();
    ctx.insert("name", &brand.name);
    // Single quotes: dotenv takes the value literally (no `$` expansion); the brand file
    // refuses names containing a quote.
    ctx.insert("app_name", &format!("'{}'", brand.display_name));
    ctx.insert("app_scheme", &brand.schemes.app);
    ctx.insert("app_auth_scheme", &brand.schemes.auth);
    ctx.insert("branch", &brand.branch);
    ctx.insert("bundle_id", &ios.bundle_id);
    ctx.insert("share_extension_id", &ios.share_extension_id);
    ctx.insert("notification_service_id", &ios.notification_service_id);
    ctx.insert("app_group", &ios.app_group);
    ctx.insert("icloud_container", &ios.icloud_container);
    ctx.insert("team_id", &ios.team_id);
    ctx.insert("export_method", &ios.export_method);
    ctx.insert("match_type", &ios.match_type);
    ctx.insert("package", &brand.android.package);
    for (suffix, template) in [("", COMMON), (".ios", IOS), (".android", ANDROID)] {
        let rel = PathBuf::from(format!("fastlane/.env.{}{suffix}", brand.name));
        let text = super::render(&format!("fastlane.env{suffix}"), template, &ctx)?;
        rec.write(&rel, text)?;
    }
    Ok(())
}
