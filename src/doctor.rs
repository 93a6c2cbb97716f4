//! `mmbrand doctor DIR --proxy URL [--device-id ID]`: asks a running mattermost-push-proxy
//! whether it answers and whether it delivers to this brand's app, and explains a failure in
//! terms of DIR: which entry of the proxy config the device's token selects and which of the
//! brand's identifiers to compare.
//!
//! What the proxy speaks (mattermost-push-proxy, server/server.go and friends):
//! - `GET /version` answers `{"hash": …, "version": …}` (internal/version); it exists since
//!   v5.28.0, older proxies only have `GET /` ("Mattermost Push Proxy").
//! - `POST /api/v1/send_push` takes a `model.PushNotification` and always answers HTTP 200 with
//!   a `PushResponse`: `{"status": "OK"}`, `{"status": "REMOVE"}` (APNs or FCM rejected the
//!   token) or `{"status": "FAIL", "error": …}`.
//! - It cuts the `platform` field at its first "-v" (`apple_rn-v2` → `apple_rn`, app version 2)
//!   and routes to the settings entry whose `Type` equals the rest; without one it answers
//!   FAIL "Did not send message because of missing platform property type=… serverId=…".
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Result;
use serde_json::{json, Map, Value};

use crate::brand::ApsEnvironment;
use crate::lock::Lock;
use crate::native::{android, ios};
use crate::problems::Problems;
pub use crate::proxy_target::{parse_device_id, parse_proxy_url, DeviceId};
use crate::push::proxy_config::{self, AndroidPushSettings, ApplePushSettings, ConfigPushProxy};
use crate::push::{credentials, PROXY_CONFIG, PROXY_DIR};
use crate::report;
use crate::verify::Check;

pub const VERSION_PATH: &str = "/version";
/// The proxy mounts its API under this prefix (`router.PathPrefix("/api/v1")`).
pub const SEND_PATH: &str = "/api/v1/send_push";
/// Sent as `server_id`, which the proxy requires but only logs; it tells a proxy operator
/// reading the log where the test push came from.
pub const SERVER_ID: &str = "mmbrand-doctor";
const DEFAULT_TIMEOUT_SECS: u64 = 10;
/// The proxy may spend up to `SendTimeoutSec` retrying APNs/FCM before it answers.
const SEND_MARGIN_SECS: u64 = 5;
/// The proxy's own answer when no settings entry has the token's Type (server.go).
const MISSING_PLATFORM: &str = "missing platform property";

/// The checks in order. In human mode each is shown as it is decided, since a check can wait
/// on the network for a while; failures are explained once, on stderr, at the end.
struct Checks {
    list: Vec<Check>,
    live: bool,
}

impl Checks {
    fn add(&mut self, check: impl Into<String>, ok: bool, detail: impl Into<String>) -> bool {
        let check = Check {
            check: check.into(),
            ok,
            detail: detail.into(),
        };
        if self.live {
            if ok {
                println!("ok    {:<36} {}", check.check, check.detail);
            } else {
                println!("FAIL  {}", check.check);
            }
        }
        self.list.push(check);
        ok
    }
}

/// What DIR says about the brand; each part is optional so the proxy can still be checked
/// when one is unreadable (that is reported as a failed check).
struct Brand {
    dir: PathBuf,
    config_path: PathBuf,
    config: Option<ConfigPushProxy>,
    ios: Option<ios::IosFacts>,
    android: Option<android::AndroidFacts>,
}

impl Brand {
    fn read(dir: &Path, checks: &mut Checks) -> Result<Brand> {
        // Refuses a directory that is not an apply output with apply's own wording.
        Lock::read(dir)?;
        let app = dir.join("app");
        let ios = ios::read_facts(&app)
            .map_err(|e| checks.add("iOS app files readable", false, format!("{e:#}")))
            .ok();
        let android = android::read_facts(&app)
            .map_err(|e| checks.add("Android app files readable", false, format!("{e:#}")))
            .ok();
        let config_path = dir.join(PROXY_DIR).join(PROXY_CONFIG);
        let config = proxy_config::read_output(dir)
            .map_err(|(check, detail)| checks.add(check, false, detail))
            .ok();
        Ok(Brand {
            dir: dir.to_path_buf(),
            config_path,
            config,
            ios,
            android,
        })
    }

    /// The `project_id` of DIR's copy of the service account an Android entry names.
    fn project_of(&self, entry: &AndroidPushSettings) -> Option<String> {
        let path = local_copy(&self.dir, &entry.service_file_location);
        let bytes = std::fs::read(&path).ok()?;
        credentials::parse_service_account(&bytes, &path.display().to_string())
            .ok()
            .map(|sa| sa.project_id)
    }

    /// Every settings Type in DIR's proxy config, Apple first.
    fn types(&self) -> Vec<String> {
        let Some(c) = &self.config else {
            return Vec::new();
        };
        c.apple_push_settings
            .iter()
            .map(|a| a.kind.clone())
            .chain(c.android_push_settings.iter().map(|a| a.kind.clone()))
            .collect()
    }

    /// The Types this brand's app registers, each with the app that registers it.
    fn registered_types(&self) -> Vec<(String, String)> {
        let mut types = Vec::new();
        if let Some(i) = &self.ios {
            types.push((
                proxy_config::apple_type(&i.bundle_id).to_string(),
                format!("the iOS app {}", i.bundle_id),
            ));
        }
        if let Some(a) = &self.android {
            types.push((
                proxy_config::ANDROID_TYPE.to_string(),
                format!("the Android app {}", a.application_id),
            ));
        }
        types
    }

    fn entry(&self, kind: &str) -> Entry<'_> {
        let Some(c) = &self.config else {
            return Entry::None;
        };
        if let Some(a) = c.apple_push_settings.iter().find(|a| a.kind == kind) {
            return Entry::Apple(a);
        }
        match c.android_push_settings.iter().find(|a| a.kind == kind) {
            Some(a) => Entry::Android(a),
            None => Entry::None,
        }
    }
}

/// The settings entry of DIR's config that a Type selects.
enum Entry<'a> {
    Apple(&'a ApplePushSettings),
    Android(&'a AndroidPushSettings),
    None,
}

/// DIR's copy of a credential the config names: the same file name in DIR/push-proxy (the
/// config holds the path on the proxy host).
fn local_copy(dir: &Path, configured: &str) -> PathBuf {
    let name = Path::new(configured).file_name().unwrap_or_default();
    dir.join(PROXY_DIR).join(name)
}

/// What the proxy answered: every HTTP status is an answer here.
struct Answer {
    status: u16,
    body: String,
    location: Option<String>,
}

/// A client that reports every HTTP status itself (the proxy's errors are in the body) and
/// follows no redirect: the URL must be the one the Mattermost server will use.
fn agent(connect: Duration, answer: Duration) -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_resolve(Some(connect))
        .timeout_connect(Some(connect))
        .timeout_send_request(Some(connect))
        .timeout_send_body(Some(connect))
        .timeout_recv_response(Some(answer))
        .timeout_recv_body(Some(answer))
        .user_agent(format!("mmbrand-doctor/{}", env!("CARGO_PKG_VERSION")))
        .build()
        .into()
}

fn exchange(
    agent: &ureq::Agent,
    url: &str,
    body: Option<&str>,
) -> std::result::Result<Answer, ureq::Error> {
    let response = match body {
        None => agent.get(url).call(),
        Some(b) => agent
            .post(url)
            .header("Content-Type", "application/json")
            .send(b),
    };
    let mut response = response?;
    let location = response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    Ok(Answer {
        status: response.status().as_u16(),
        body: response.body_mut().read_to_string()?,
        location,
    })
}

/// Why a request got no answer, and what to do about it. `listen` is DIR's ListenAddress,
/// the likeliest fix when nothing listens at the URL.
fn unreachable(
    url: &str,
    err: &ureq::Error,
    (connect, answer): (Duration, Duration),
    listen: Option<&str>,
) -> String {
    use std::io::ErrorKind;
    let host = url::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_default();
    let dns = |detail: &str| {
        format!("the host name {host:?} does not resolve ({detail}): check the host in --proxy")
    };
    let tls = |detail: &str| {
        format!("TLS failed ({detail}): the proxy serves plain HTTP (use http://) unless a TLS reverse proxy is in front of it, whose certificate must then be trusted")
    };
    let why = match err {
        ureq::Error::Io(e) if e.kind() == ErrorKind::ConnectionRefused => {
            let listen = listen
                .map(|l| format!(" (DIR's config sets ListenAddress {l:?})"))
                .unwrap_or_default();
            format!("connection refused: nothing listens there. Start mattermost-push-proxy, or pass --proxy the URL it listens on{listen}, the same as the Mattermost server's EmailSettings.PushNotificationServer")
        }
        ureq::Error::HostNotFound => dns("DNS"),
        // std's resolver error: ureq passes it on as I/O, with this fixed prefix.
        ureq::Error::Io(e) if e.to_string().contains("lookup address") => dns(&e.to_string()),
        ureq::Error::Timeout(ureq::Timeout::Resolve) => {
            dns(&format!("no DNS answer within {} s", connect.as_secs()))
        }
        ureq::Error::Timeout(ureq::Timeout::Connect) => format!(
            "no connection within {} s: a firewall dropping the traffic, or the wrong host or port (--timeout-secs raises the wait)",
            connect.as_secs()
        ),
        ureq::Error::Timeout(_) => format!(
            "connected, but no answer within {} s: the proxy or something in front of it is stuck (--timeout-secs raises the wait)",
            answer.as_secs()
        ),
        // The proxy itself serves plain HTTP (ListenAndServe); https needs a TLS front.
        // rustls reports handshake and certificate failures as InvalidData I/O errors.
        ureq::Error::Io(e) if url.starts_with("https:") && e.kind() == ErrorKind::InvalidData => {
            tls(&e.to_string())
        }
        ureq::Error::Tls(_) | ureq::Error::Rustls(_) => tls(&err.to_string()),
        ureq::Error::Io(e) => e.to_string(),
        other => other.to_string(),
    };
    format!("{url}: {why}")
}

/// What `doctor` checks and how it reports.
#[derive(Debug, Clone)]
pub struct Options {
    /// A directory written by `mmbrand apply`.
    pub dir: PathBuf,
    /// The push proxy's base URL, without a trailing '/'.
    pub proxy: String,
    pub device_id: Option<DeviceId>,
    pub timeout_secs: Option<u64>,
    pub json: bool,
}

/// Checks the proxy of an output against it, and sends a test push when given a device.
pub fn diagnose(args: &Options) -> Result<()> {
    let mut checks = Checks {
        list: Vec::new(),
        live: !args.json,
    };
    let brand = Brand::read(&args.dir, &mut checks)?;
    let mut extra = Map::new();
    extra.insert("proxy".into(), json!(args.proxy));
    let connect = Duration::from_secs(args.timeout_secs.unwrap_or(DEFAULT_TIMEOUT_SECS));
    let version = check_version(&args.proxy, &brand, connect, &mut checks);
    extra.insert("version".into(), json!(version.clone().flatten()));
    if let (Some(_), Some(device)) = (&version, &args.device_id) {
        // Without an explicit --timeout-secs, wait as long as the proxy may retry.
        let answer = match (args.timeout_secs, &brand.config) {
            (Some(s), _) => Duration::from_secs(s),
            (None, Some(c)) => Duration::from_secs(
                DEFAULT_TIMEOUT_SECS.max(u64::from(c.send_timeout_sec) + SEND_MARGIN_SECS),
            ),
            (None, None) => connect,
        };
        let push = check_device(&args.proxy, device, &brand, connect, answer, &mut checks);
        extra.insert("push".into(), push);
    }
    finish(args, checks.list, extra)
}

/// Prints the outcome; failures go through `Problems` like every other command's.
fn finish(args: &Options, checks: Vec<Check>, extra: Map<String, Value>) -> Result<()> {
    let failed: Vec<&Check> = checks.iter().filter(|c| !c.ok).collect();
    if failed.is_empty() {
        if args.json {
            let mut doc = json!({"ok": true, "command": "doctor", "checks": checks});
            if let Some(obj) = doc.as_object_mut() {
                obj.extend(extra);
            }
            report::print_json(&doc);
        } else {
            println!(
                "{}: the push proxy at {} answers{}",
                args.dir.display(),
                args.proxy,
                if args.device_id.is_some() {
                    " and delivered the test push"
                } else {
                    " (pass --device-id to send a test push)"
                }
            );
        }
        return Ok(());
    }
    let mut problems = Problems::new();
    for c in &failed {
        problems.push(format!("{}: {}", c.check, c.detail));
    }
    let mut problems = problems
        .detail("checks", json!(checks))
        .detail("command", json!("doctor"));
    for (k, v) in extra {
        problems = problems.detail(&k, v);
    }
    Err(problems.into())
}

/// GET /version. `None` when the proxy cannot be talked to (the push is then skipped);
/// `Some(None)` for a proxy too old to tell its version.
fn check_version(
    base: &str,
    brand: &Brand,
    timeout: Duration,
    checks: &mut Checks,
) -> Option<Option<String>> {
    const CHECK: &str = "push proxy answers";
    let agent = agent(timeout, timeout);
    let url = format!("{base}{VERSION_PATH}");
    let answer = match exchange(&agent, &url, None) {
        Ok(a) => a,
        Err(e) => {
            let listen = brand.config.as_ref().map(|c| c.listen_address.as_str());
            checks.add(
                CHECK,
                false,
                format!(
                    "cannot reach the push proxy at {}",
                    unreachable(&url, &e, (timeout, timeout), listen)
                ),
            );
            return None;
        }
    };
    match answer.status {
        200 => match serde_json::from_str::<Value>(&answer.body) {
            Ok(v) if v.get("version").and_then(Value::as_str).is_some() => {
                let version = v["version"].as_str().unwrap_or_default().to_string();
                let hash = v.get("hash").and_then(Value::as_str).unwrap_or("unknown");
                checks.add(
                    CHECK,
                    true,
                    format!("mattermost-push-proxy {version} (build {hash})"),
                );
                Some(Some(version))
            }
            _ => {
                checks.add(
                    CHECK,
                    false,
                    format!(
                        "GET {url} answered 200 but not the proxy's {{\"version\", \"hash\"}} document ({}): is {base} a mattermost-push-proxy?",
                        excerpt(&answer.body)
                    ),
                );
                None
            }
        },
        404 if is_old_proxy(&agent, base) => {
            checks.add(
                CHECK,
                true,
                "mattermost-push-proxy older than v5.28.0 (it has no /version)",
            );
            Some(None)
        }
        404 => {
            checks.add(
                CHECK,
                false,
                format!("GET {url} answered HTTP 404 and {base}/ is not the push proxy's page: {base} is not a mattermost-push-proxy (the Mattermost server's own URL?)"),
            );
            None
        }
        300..=399 => {
            checks.add(
                CHECK,
                false,
                format!(
                    "GET {url} answered HTTP {} redirecting to {}: pass the URL the proxy really answers on",
                    answer.status,
                    answer.location.as_deref().unwrap_or("nowhere")
                ),
            );
            None
        }
        status => {
            checks.add(
                CHECK,
                false,
                format!(
                    "GET {url} answered HTTP {status}: {}",
                    excerpt(&answer.body)
                ),
            );
            None
        }
    }
}

/// Proxies before v5.28.0 have no /version but answer `GET /` with their name.
fn is_old_proxy(agent: &ureq::Agent, base: &str) -> bool {
    exchange(agent, &format!("{base}/"), None)
        .is_ok_and(|a| a.status == 200 && a.body.contains("Mattermost Push Proxy"))
}

/// The first line of a body, short enough for one message.
fn excerpt(body: &str) -> String {
    let line = body.lines().next().unwrap_or("").trim();
    let mut cut: String = line.chars().take(200).collect();
    if cut.len() < line.len() {
        cut.push('…');
    }
    if cut.is_empty() {
        "empty body".into()
    } else {
        format!("{cut:?}")
    }
}

/// The payload the Mattermost server sends for its own test notification
/// (`App.SendTestPushNotification`): type "test", version "2", badge -1 (leave the badge
/// alone). APNs gets a silent content-available push; FCM a data message.
pub fn test_push(device: &DeviceId) -> Value {
    json!({
        "platform": device.platform,
        "server_id": SERVER_ID,
        "device_id": device.token,
        "type": "test",
        "version": "2",
        "badge": -1,
    })
}

/// Checks the device id's prefix against the brand, sends the test push and explains the
/// answer. Returns what the proxy answered, for `--json`.
fn check_device(
    base: &str,
    device: &DeviceId,
    brand: &Brand,
    connect: Duration,
    answer_timeout: Duration,
    checks: &mut Checks,
) -> Value {
    let registered = brand.registered_types();
    if !registered.is_empty() {
        match registered.iter().find(|(t, _)| *t == device.kind) {
            Some((t, who)) => checks.add(
                "device id prefix is this brand's",
                true,
                format!("{t}: registered by {who}"),
            ),
            None => {
                let list: Vec<String> = registered
                    .iter()
                    .map(|(t, who)| format!("{who} registers {t}-v2"))
                    .collect();
                checks.add(
                    "device id prefix is this brand's",
                    false,
                    format!(
                        "{:?} is not a prefix this brand's app registers ({}): the device id comes from another app (apple_rnbeta is Mattermost's beta app) or another brand",
                        device.kind,
                        list.join(", ")
                    ),
                )
            }
        };
    }
    const CHECK: &str = "test push delivered";
    let url = format!("{base}{SEND_PATH}");
    let body = test_push(device).to_string();
    let mut outcome = json!({"platform": device.platform, "type": device.kind});
    let answer = match exchange(&agent(connect, answer_timeout), &url, Some(&body)) {
        Ok(a) => a,
        Err(e) => {
            checks.add(
                CHECK,
                false,
                format!(
                    "no answer to the test push: {}",
                    unreachable(&url, &e, (connect, answer_timeout), None)
                ),
            );
            return outcome;
        }
    };
    if answer.status != 200 {
        let hint = match answer.status {
            404 | 405 => format!(": {base} does not serve the proxy's API (a reverse proxy that does not forward {SEND_PATH}?)"),
            429 => ": the proxy throttled the request (ThrottlePerSec); try again".to_string(),
            _ => String::new(),
        };
        checks.add(
            CHECK,
            false,
            format!(
                "POST {url} answered HTTP {} ({}){hint}",
                answer.status,
                excerpt(&answer.body)
            ),
        );
        return outcome;
    }
    let reply: Map<String, Value> = match serde_json::from_str(&answer.body) {
        Ok(Value::Object(m)) => m,
        _ => {
            checks.add(
                CHECK,
                false,
                format!(
                    "POST {url} answered {} instead of the proxy's {{\"status\": …}}",
                    excerpt(&answer.body)
                ),
            );
            return outcome;
        }
    };
    let status = reply.get("status").and_then(Value::as_str).unwrap_or("");
    let error = reply.get("error").and_then(Value::as_str).unwrap_or("");
    outcome["status"] = json!(status);
    if !error.is_empty() {
        outcome["error"] = json!(error);
    }
    let entry = brand.entry(&device.kind);
    match status {
        "OK" => checks.add(CHECK, true, delivered(device, &entry, brand)),
        "REMOVE" => checks.add(CHECK, false, removed(device, &entry, brand)),
        "FAIL" if error.contains(MISSING_PLATFORM) => {
            checks.add(CHECK, false, no_entry(device, error, brand))
        }
        "FAIL" => checks.add(CHECK, false, failed(device, error, &entry, brand)),
        other => checks.add(
            CHECK,
            false,
            format!("the proxy answered status {other:?}, which is none of OK, REMOVE, FAIL"),
        ),
    };
    outcome
}

fn config_shown(brand: &Brand) -> String {
    brand.config_path.display().to_string()
}

fn delivered(device: &DeviceId, entry: &Entry, brand: &Brand) -> String {
    match entry {
        Entry::Apple(a) => format!(
            "APNs accepted it, through entry {} of {} (ApplePushTopic {:?}, {} APNs)",
            a.kind,
            config_shown(brand),
            a.apple_push_topic,
            ApsEnvironment::from_use_development(a.apple_push_use_development)
        ),
        Entry::Android(a) => format!(
            "FCM accepted it, through entry {} of {} (service account of project {})",
            a.kind,
            config_shown(brand),
            brand
                .project_of(a)
                .map_or_else(|| "unknown".to_string(), |p| format!("{p:?}"))
        ),
        Entry::None => format!(
            "accepted by the running proxy's {} entry, although {} has none: the running proxy does not use DIR's config",
            device.kind,
            config_shown(brand)
        ),
    }
}

/// One comparison of a proxy setting with the app's value, marked when they differ; a side
/// that could not be read is said so and not counted as a mismatch.
fn compare(what: &str, proxy: Option<&str>, app_what: &str, app: Option<&str>) -> (String, bool) {
    match (proxy, app) {
        (Some(p), Some(a)) if p == a => (format!("{what} {p:?} = {app_what} {a:?}"), true),
        (Some(p), Some(a)) => (
            format!("{what} {p:?} but {app_what} {a:?} (MISMATCH)"),
            false,
        ),
        (Some(p), None) => (format!("{what} {p:?} ({app_what} unreadable)"), true),
        (None, Some(a)) => (format!("{what} unreadable ({app_what} {a:?})"), true),
        (None, None) => (format!("{what} and {app_what} unreadable"), true),
    }
}

/// REMOVE: APNs or FCM said the token is not valid for what the proxy sent.
fn removed(device: &DeviceId, entry: &Entry, brand: &Brand) -> String {
    let shown = config_shown(brand);
    let (what, comparisons, otherwise) = match entry {
        Entry::Apple(a) => {
            let ios = brand.ios.as_ref();
            (
                // apple_notification_server.go answers REMOVE for exactly these reasons.
                format!("APNs rejected the token (BadDeviceToken, Unregistered, MissingDeviceToken or DeviceTokenNotForTopic) sent through entry {} of {shown}", a.kind),
                vec![
                    compare(
                        "ApplePushTopic",
                        Some(&a.apple_push_topic),
                        "the app's bundle id",
                        ios.map(|i| i.bundle_id.as_str()),
                    ),
                    compare(
                        "ApplePushUseDevelopment means",
                        Some(ApsEnvironment::from_use_development(a.apple_push_use_development).as_str()),
                        "the app's aps-environment",
                        ios.map(|i| i.aps_environment.as_str()),
                    ),
                ],
                "a token from a debug build (development provisioning profile) sent to production APNs or a TestFlight/App Store token sent to development, a token of another app, an uninstalled app, or a running proxy that does not use DIR's config",
            )
        }
        Entry::Android(a) => (
            // android_notification_server.go answers REMOVE for these two FCM errors.
            format!("FCM rejected the token (UNREGISTERED or SENDER_ID_MISMATCH) sent through entry {} of {shown}", a.kind),
            vec![compare(
                &format!("the service account {}'s project_id", a.service_file_location),
                brand.project_of(a).as_deref(),
                "google-services.json's project_id",
                brand.android.as_ref().map(|f| f.firebase_project_id.as_str()),
            )],
            "a token from an app of another Firebase project, an uninstalled app or a rotated token, or a running proxy that uses another service account than DIR's",
        ),
        Entry::None => {
            return format!(
                "the push service rejected the token, sent through the running proxy's {} entry, which {shown} does not have: the running proxy does not use DIR's config",
                device.kind
            );
        }
    };
    let mismatches = comparisons.iter().any(|(_, same)| !same);
    let list: Vec<String> = comparisons.into_iter().map(|(c, _)| c).collect();
    let conclusion = if mismatches {
        "fix the MISMATCH (apply the brand again and redeploy DIR/push-proxy, or rebuild the app)"
            .to_string()
    } else {
        format!("DIR agrees with itself, so the likely causes are {otherwise}")
    };
    format!("{what}. Compare: {}. {conclusion}", list.join("; "))
}

/// FAIL "missing platform property": the running proxy has no entry of the token's Type.
fn no_entry(device: &DeviceId, error: &str, brand: &Brand) -> String {
    let types = brand.types();
    let shown = config_shown(brand);
    let cause = if types.contains(&device.kind) {
        format!(
            "{shown} does have a {kind} entry, so the running proxy reads another config, or could not initialize that entry at start-up and skipped it (its log says \"Failed to initialize client\": e.g. a credential file missing at the path the entry names)",
            kind = device.kind
        )
    } else if device.kind.starts_with("apple") {
        format!("{shown} has the Types {types:?} and no {}: this device's app is not the one the brand's [push.apple] entry serves", device.kind)
    } else {
        format!("{shown} has the Types {types:?} and no {}: add the brand's [push.android] (or [push.apple]) credentials and apply again", device.kind)
    };
    format!(
        "the proxy has no settings entry of Type {:?} (it answered {error:?}). {cause}",
        device.kind
    )
}

/// FAIL with any other error: the proxy found the entry but the push service refused.
fn failed(device: &DeviceId, error: &str, entry: &Entry, brand: &Brand) -> String {
    let shown = config_shown(brand);
    let hint = match entry {
        // apple_notification_server.go: a transport error, or an APNs reason other than
        // the token ones; the reason itself is only in the proxy's log.
        Entry::Apple(a) if error.contains("transport") => format!(
            "the proxy could not reach APNs through entry {} of {shown} (network, firewall or HTTPS_PROXY on the proxy host; its log has the error)",
            a.kind
        ),
        Entry::Apple(a) => {
            let credential = if a.apple_auth_key_file.is_empty() {
                "an expired or revoked certificate ApplePushCertPrivate".to_string()
            } else {
                format!(
                    "InvalidProviderToken (AppleAuthKeyID {:?} or AppleTeamID {:?} do not belong to the .p8)",
                    a.apple_auth_key_id, a.apple_team_id
                )
            };
            format!(
                "APNs refused the push through entry {} of {shown} for a reason the proxy logs (\"Failed to send apple push with res\"): e.g. {credential}, or TopicDisallowed (the credential may not push to ApplePushTopic {:?})",
                a.kind, a.apple_push_topic
            )
        }
        Entry::Android(a) => format!(
            "FCM refused the push through entry {} of {shown}: check that the service account {} may send with the Firebase Cloud Messaging API of its project",
            a.kind, a.service_file_location
        ),
        Entry::None => format!(
            "{shown} has no {} entry, so the running proxy does not use DIR's config",
            device.kind
        ),
    };
    format!("the proxy answered FAIL ({error:?}): {hint}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_ids_split_like_the_server_and_the_proxy() {
        let d = parse_device_id("apple_rnbeta-v2:abc:def").unwrap();
        assert_eq!(d.platform, "apple_rnbeta-v2");
        assert_eq!(d.kind, "apple_rnbeta");
        assert_eq!(d.token, "abc:def");
        let d = parse_device_id("android_rn:tok").unwrap();
        assert_eq!(
            (d.platform.as_str(), d.kind.as_str()),
            ("android_rn", "android_rn")
        );
        assert!(parse_device_id("apple_rn-v2").is_err());
        assert!(parse_device_id(":tok").is_err());
        assert!(parse_device_id("apple_rn-v2:").is_err());
    }

    #[test]
    fn proxy_urls_must_be_http_and_lose_the_trailing_slash() {
        assert_eq!(
            parse_proxy_url("https://push.example.com/").unwrap(),
            "https://push.example.com"
        );
        assert!(parse_proxy_url("localhost:8066").is_err());
        assert!(parse_proxy_url("ftp://x").is_err());
        assert!(parse_proxy_url("http://x/?a=b").is_err());
    }

    #[test]
    fn the_test_push_is_the_servers_test_notification() {
        let d = parse_device_id("android_rn-v2:tok").unwrap();
        let v = test_push(&d);
        assert_eq!(v["platform"], "android_rn-v2");
        assert_eq!(v["device_id"], "tok");
        assert_eq!(v["type"], "test");
        assert_eq!(v["badge"], -1);
        assert_eq!(v["server_id"], SERVER_ID);
    }
}
