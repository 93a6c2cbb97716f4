//! Where the push side's files go: named here, in a leaf, so the command line can show the
//! default without importing the push code.

/// The output's folder for the push proxy.
pub const PROXY_DIR: &str = "push-proxy";
pub const PROXY_CONFIG: &str = "mattermost-push-proxy.json";
/// Where credential paths in the config point by default: the proxy resolves them against
/// its working directory, and finds its config in `./config/`, so deploying `DIR/push-proxy`
/// as that folder works unchanged (the Docker image's `/mattermost-push-proxy/config` volume).
pub const DEFAULT_PROXY_ROOT: &str = "./config";
