//! `fastlane/.env.<brand>`: the variables upstream's lanes read, so existing pipelines keep
//! working on the branded tree.
use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::brand::Brand;
use crate::fsutil;

const TEMPLATE: &str = include_str!("../../templates/fastlane.env.tera");

pub fn path(brand: &Brand) -> PathBuf {
    PathBuf::from(format!("fastlane/.env.{}", brand.name))
}

pub fn write(app: &Path, brand: &Brand) -> Result<PathBuf> {
    let ios = &brand.ios;
    let mut ctx = tera::Context::new();
    ctx.insert("name", &brand.name);
    ctx.insert("app_name", &quote(&brand.display_name));
    ctx.insert("main_app_identifier", &ios.bundle_id);
    ctx.insert("extension_app_identifier", &ios.share_extension_id);
    ctx.insert(
        "notification_service_identifier",
        &ios.notification_service_id,
    );
    ctx.insert("ios_app_group", &ios.app_group);
    ctx.insert("ios_icloud_container", &ios.icloud_container);
    ctx.insert("app_scheme", &brand.schemes.app);
    ctx.insert("app_auth_scheme", &brand.schemes.auth);
    ctx.insert("fastlane_team_id", &ios.team_id);
    ctx.insert("supply_package_name", &brand.android.package);
    ctx.insert(
        "match_app_identifier",
        &format!(
            "{},{},{}",
            ios.notification_service_id, ios.share_extension_id, ios.bundle_id
        ),
    );
    let text = super::render("fastlane.env", TEMPLATE, &ctx)?;
    let rel = path(brand);
    fsutil::write(&app.join(&rel), text)?;
    Ok(rel)
}

/// A dotenv value in double quotes, with `\` and `"` escaped.
fn quote(value: &str) -> String {
    format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
}
