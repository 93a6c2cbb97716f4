//! The output layout: what each path `apply` writes under its output directory is, so
//! lock, verify, re-apply, drift and plan answer "is this an edited upstream file?" the same
//! way. Which upstream files are edited is the registry's (`crate::edits`); this module names
//! the folders around them.
use std::path::Path;

/// The lock file at the output's root: upstream commit, input digest, every file's sha256.
pub const LOCK_FILE: &str = "mmbrand.lock.json";
/// The output's folder for the push proxy.
pub const PROXY_DIR: &str = "push-proxy";
pub const PROXY_CONFIG: &str = "mattermost-push-proxy.json";
/// Where credential paths in the config point by default: the proxy resolves them against
/// its working directory, and finds its config in `./config/`, so deploying `DIR/push-proxy`
/// as that folder works unchanged (the Docker image's `/mattermost-push-proxy/config` volume).
pub const DEFAULT_PROXY_ROOT: &str = "./config";

/// The branded checkout, relative to the output directory.
pub const APP: &str = "app";
/// The merged assets the app bundles (upstream git-ignores dist/), relative to `app/`.
pub const DIST: &str = "dist";
pub const DIST_ASSETS: &str = "dist/assets";
/// The brand's resolved override tree, committed on the brand branch, relative to `app/`.
pub const OVERRIDE: &str = "assets/override";
/// Upstream's assets the override is merged over, relative to `app/`.
pub const BASE: &str = "assets/base";

/// What a path of the output is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Role {
    /// An upstream file apply edited (or moved and edited): guarded against drift and
    /// diffed by plan.
    UpstreamEdited,
    /// Written wholesale from the brand or from other files (merged assets, the override
    /// tree, fastlane env files, the proxy and server configs): compared with its sources.
    Generated,
    /// A copy of a brand credential (push keys): 0600, never printed.
    Credential,
    /// Upstream files that upstream's own build steps rewrite (not edits to keep).
    BuildOwned,
    /// Git-ignored build caches (node_modules, Pods) carried from one output to the next.
    Cache,
    /// The lock file itself.
    Lock,
}

/// Tracked upstream files that upstream's own build steps rewrite (bundle install adds its
/// platform to Gemfile.lock, fastlane regenerates its README, pod install its lock file),
/// as lock keys.
pub const BUILD_OWNED: &[&str] = &[
    "app/fastlane/Gemfile.lock",
    "app/fastlane/README.md",
    "app/ios/Podfile.lock",
];

/// Folders of the app that apply writes itself although upstream git-ignores them
/// (relative to `app/`): anything else git-ignored in the app is a build cache.
pub const WRITTEN_IGNORED: &[&str] = &[DIST, OVERRIDE];

/// The one rule: an app file (relative to `app/`) is derived, not an edited upstream file,
/// when it lies in a folder apply fills wholesale from the merge (dist/, assets/override/).
/// Derived files are compared with the files they are merged from, never diffed or guarded
/// as upstream edits.
pub fn is_derived(app_rel: &Path) -> bool {
    WRITTEN_IGNORED.iter().any(|d| app_rel.starts_with(d))
}

/// An app file merged from one file of the override or base tree (dist/): compared with
/// that file's content rather than with a digest, and listed by plan but not diffed.
pub fn is_merged(app_rel: &Path) -> bool {
    app_rel.starts_with(DIST)
}

/// `is_merged` for a lock key (`app/<path>`).
pub fn key_is_merged(key: &str) -> bool {
    key.strip_prefix("app/")
        .is_some_and(|rel| is_merged(Path::new(rel)))
}

/// `is_derived` for a lock key (`app/<path>`); keys outside app/ are not upstream files.
pub fn key_is_upstream_file(key: &str) -> bool {
    key.strip_prefix("app/")
        .is_some_and(|rel| !is_derived(Path::new(rel)))
}

/// The role of a path relative to the output directory (a lock key).
pub fn role_of(key: &str) -> Role {
    if key == LOCK_FILE {
        return Role::Lock;
    }
    if BUILD_OWNED.contains(&key) {
        return Role::BuildOwned;
    }
    if let Some(rel) = key.strip_prefix("app/") {
        if is_derived(Path::new(rel)) || rel.starts_with("fastlane/.env.") {
            return Role::Generated;
        }
        return Role::UpstreamEdited;
    }
    // push-proxy/ holds the proxy config, its README and the credential copies.
    let in_proxy = key.split('/').next() == Some(PROXY_DIR);
    let proxy_text = key.ends_with(PROXY_CONFIG) || key.ends_with("README.md");
    if in_proxy && !proxy_text {
        return Role::Credential;
    }
    Role::Generated
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merged_assets_are_derived_and_native_files_are_upstream_edits() {
        assert!(is_derived(Path::new("dist/assets/config.json")));
        assert!(is_derived(Path::new("assets/override/x.png")));
        assert!(!is_derived(Path::new("assets/base/config.json")));
        assert!(!is_derived(Path::new("distance/x")));
        assert!(key_is_upstream_file("app/ios/Mattermost/Info.plist"));
        assert!(!key_is_upstream_file("app/dist/assets/config.json"));
        assert!(!key_is_upstream_file(
            "push-proxy/mattermost-push-proxy.json"
        ));
        assert_eq!(
            role_of("app/android/app/build.gradle"),
            Role::UpstreamEdited
        );
        assert_eq!(role_of("app/fastlane/.env.acme"), Role::Generated);
        assert_eq!(role_of("app/ios/Podfile.lock"), Role::BuildOwned);
        assert_eq!(role_of(LOCK_FILE), Role::Lock);
        assert_eq!(role_of("push-proxy/apns.p8"), Role::Credential);
        assert_eq!(role_of("push-proxy/README.md"), Role::Generated);
    }
}
