//! `mmbrand doctor` against a stub push proxy on 127.0.0.1 that answers the way
//! mattermost-push-proxy's handlers do (server/server.go, push_response.go): the version
//! document, `{"status": "OK" | "REMOVE"}`, and FAIL with the proxy's own error text.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::common::*;
use serde_json::Value;

/// One request the stub received.
#[derive(Debug, Clone)]
struct Request {
    method: String,
    path: String,
    body: String,
}

impl Request {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}

/// What the stub does with a request: answer (status, body), or hold the connection open
/// and never answer.
enum Reply {
    Answer(u16, String),
    Silence,
}

struct Stub {
    url: String,
    requests: Arc<Mutex<Vec<Request>>>,
}

impl Stub {
    /// A minimal HTTP/1.1 server on an ephemeral port, one connection at a time, in a
    /// thread that lives as long as the test process.
    fn start(reply: impl Fn(&Request) -> Reply + Send + 'static) -> Stub {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&requests);
        std::thread::spawn(move || {
            let mut held = Vec::new();
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let Some(request) = read_request(&mut stream) else {
                    continue;
                };
                seen.lock().unwrap().push(request.clone());
                match reply(&request) {
                    Reply::Answer(status, body) => {
                        let head = format!(
                            "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                            body.len()
                        );
                        let _ = stream.write_all(head.as_bytes());
                        let _ = stream.write_all(body.as_bytes());
                    }
                    // Keep the socket open so the client waits for an answer.
                    Reply::Silence => held.push(stream),
                }
            }
        });
        Stub { url, requests }
    }

    fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }

    /// The single send_push request the stub received.
    fn push(&self) -> Value {
        let pushes: Vec<Request> = self
            .requests()
            .into_iter()
            .filter(|r| r.path == "/api/v1/send_push")
            .collect();
        assert_eq!(pushes.len(), 1, "{:?}", self.requests());
        assert_eq!(pushes[0].method, "POST");
        pushes[0].json()
    }
}

fn read_request(stream: &mut TcpStream) -> Option<Request> {
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_string();
    let path = parts.next()?.to_string();
    let mut length = 0;
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).ok()?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().ok()?;
            }
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(Request {
        method,
        path,
        body: String::from_utf8(body).ok()?,
    })
}

/// The real proxy's answers (json.Encoder output: keys sorted, newline-terminated).
const VERSION: &str = "{\"hash\":\"0123abc\",\"version\":\"5.30.0\"}\n";
const OK: &str = "{\"status\":\"OK\"}\n";
const REMOVE: &str = "{\"status\":\"REMOVE\"}\n";

fn missing_platform(kind: &str) -> String {
    format!("{{\"error\":\"Did not send message because of missing platform property type={kind} serverId=mmbrand-doctor\",\"status\":\"FAIL\"}}\n")
}

/// A proxy whose /version answers and whose send_push answers `push`.
fn proxy(push: String) -> Stub {
    Stub::start(move |r| match (r.method.as_str(), r.path.as_str()) {
        ("GET", "/version") => Reply::Answer(200, VERSION.into()),
        ("POST", "/api/v1/send_push") => Reply::Answer(200, push.clone()),
        _ => Reply::Answer(404, "404 page not found\n".into()),
    })
}

/// The acme example brand applied to a temp dir.
fn applied() -> TempBrand {
    let brand = TempBrand::acme();
    brand.apply(&[]).expect(0);
    brand
}

fn doctor(brand: &TempBrand, url: &str, extra: &[&str]) -> Run {
    let mut args = vec![
        "doctor".to_string(),
        brand.out.display().to_string(),
        "--proxy".to_string(),
        url.to_string(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    mmbrand(args)
}

#[test]
fn healthy_proxy_reports_its_version_and_delivers_the_test_push() {
    let brand = applied();
    let stub = proxy(OK.into());
    let run = doctor(&brand, &stub.url, &["--device-id", "apple_rn-v2:f00dcafe"]).expect(0);
    assert!(
        run.stdout.contains("mattermost-push-proxy 5.30.0"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("APNs accepted it, through entry apple_rn"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("ApplePushTopic \"com.acme.chat\""));

    let requests = stub.requests();
    assert_eq!(requests[0].method, "GET");
    assert_eq!(requests[0].path, "/version");
    // What the Mattermost server sends for a test notification, split at the first ':'.
    let push = stub.push();
    assert_eq!(push["platform"], "apple_rn-v2");
    assert_eq!(push["device_id"], "f00dcafe");
    assert_eq!(push["type"], "test");
    assert_eq!(push["server_id"], "mmbrand-doctor");
    assert_eq!(push["badge"], -1);
    // The token is not echoed.
    assert!(!run.stdout.contains("f00dcafe") && !run.stderr.contains("f00dcafe"));
}

#[test]
fn json_output_lists_the_checks_and_the_proxy_answer() {
    let brand = applied();
    let stub = proxy(OK.into());
    let run = doctor(
        &brand,
        &format!("{}/", stub.url),
        &["--device-id", "android_rn-v2:tok", "--json"],
    )
    .expect(0);
    let doc = run.json();
    assert_eq!(doc["ok"], true);
    assert_eq!(doc["command"], "doctor");
    assert_eq!(doc["version"], "5.30.0");
    assert_eq!(doc["push"]["status"], "OK");
    assert_eq!(doc["push"]["type"], "android_rn");
    let checks = doc["checks"].as_array().unwrap();
    assert_eq!(checks.len(), 3, "{checks:?}");
    assert!(checks.iter().all(|c| c["ok"] == true));
    assert!(checks[2]["detail"]
        .as_str()
        .unwrap()
        .contains("FCM accepted it, through entry android_rn"));
    // The trailing '/' of --proxy is not doubled.
    assert_eq!(stub.push()["platform"], "android_rn-v2");
}

#[test]
fn version_only_without_a_device_id() {
    let brand = applied();
    let stub = proxy(OK.into());
    let run = doctor(&brand, &stub.url, &[]).expect(0);
    assert!(run.stdout.contains("pass --device-id"), "{}", run.stdout);
    assert_eq!(stub.requests().len(), 1);
}

#[test]
fn remove_names_the_entry_and_what_to_compare() {
    let brand = applied();
    let stub = proxy(REMOVE.into());
    let run = doctor(&brand, &stub.url, &["--device-id", "apple_rn-v2:tok"]).expect(1);
    run.stderr_has("APNs rejected the token")
        .stderr_has("entry apple_rn of")
        .stderr_has("mattermost-push-proxy.json")
        .stderr_has("ApplePushTopic \"com.acme.chat\" = the app's bundle id \"com.acme.chat\"")
        .stderr_has("ApplePushUseDevelopment means \"production\" = the app's aps-environment \"production\"")
        .stderr_has("a token from a debug build");
    assert!(
        run.stdout.contains("FAIL  test push delivered"),
        "{}",
        run.stdout
    );

    // A proxy config that disagrees with the app: the mismatch is named as the cause.
    let config = brand.out.join("push-proxy/mattermost-push-proxy.json");
    let text = std::fs::read_to_string(&config).unwrap();
    let edited = text.replacen(
        "\"ApplePushUseDevelopment\": false",
        "\"ApplePushUseDevelopment\": true",
        1,
    );
    assert_ne!(text, edited);
    std::fs::write(&config, edited).unwrap();
    doctor(&brand, &stub.url, &["--device-id", "apple_rn-v2:tok"])
        .expect(1)
        .stderr_has("ApplePushUseDevelopment means \"development\" but the app's aps-environment \"production\" (MISMATCH)")
        .stderr_has("fix the MISMATCH");
}

#[test]
fn remove_on_android_compares_the_firebase_projects() {
    let brand = applied();
    let stub = proxy(REMOVE.into());
    doctor(&brand, &stub.url, &["--device-id", "android_rn-v2:tok"])
        .expect(1)
        .stderr_has("FCM rejected the token (UNREGISTERED or SENDER_ID_MISMATCH)")
        .stderr_has("entry android_rn")
        .stderr_has("= google-services.json's project_id");
}

#[test]
fn a_foreign_prefix_is_flagged_before_sending_and_missing_platform_lists_the_types() {
    let brand = applied();
    let stub = proxy(missing_platform("apple_rnbeta"));
    let run = doctor(&brand, &stub.url, &["--device-id", "apple_rnbeta-v2:tok"]).expect(1);
    run.stderr_has("\"apple_rnbeta\" is not a prefix this brand's app registers")
        .stderr_has("the iOS app com.acme.chat registers apple_rn-v2")
        .stderr_has("the proxy has no settings entry of Type \"apple_rnbeta\"")
        .stderr_has("missing platform property type=apple_rnbeta")
        .stderr_has("has the Types [\"apple_rn\", \"android_rn\"]");
    let prefix = run.stdout.find("FAIL  device id prefix").unwrap();
    let push = run.stdout.find("FAIL  test push delivered").unwrap();
    assert!(prefix < push, "{}", run.stdout);
    assert_eq!(stub.push()["platform"], "apple_rnbeta-v2");
}

#[test]
fn missing_platform_for_a_type_dir_has_points_at_the_running_proxy() {
    let brand = applied();
    let stub = proxy(missing_platform("android_rn"));
    doctor(&brand, &stub.url, &["--device-id", "android_rn-v2:tok"])
        .expect(1)
        .stderr_has("does have a android_rn entry")
        .stderr_has("Failed to initialize client");
}

#[test]
fn unreachable_proxy_fails_fast_naming_the_url() {
    let brand = applied();
    // A port that was just free: nothing listens on it.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let start = Instant::now();
    let run = doctor(
        &brand,
        &url,
        &[
            "--device-id",
            "apple_rn-v2:tok",
            "--timeout-secs",
            "2",
            "--json",
        ],
    )
    .expect(1);
    assert!(start.elapsed() < Duration::from_secs(10));
    run.stderr_has(&format!("cannot reach the push proxy at {url}/version"))
        .stderr_has("connection refused")
        .stderr_has("ListenAddress \":8066\"");
    let doc = run.json();
    assert_eq!(doc["ok"], false);
    assert_eq!(doc["command"], "doctor");
    assert_eq!(doc["proxy"], url);
    // No push is attempted once the proxy cannot be reached.
    assert_eq!(doc["checks"].as_array().unwrap().len(), 1);
    assert!(doc["errors"][0]
        .as_str()
        .unwrap()
        .contains("connection refused"));
}

#[test]
fn an_unknown_host_is_a_dns_error() {
    let brand = applied();
    // .invalid never resolves (RFC 6761).
    doctor(
        &brand,
        "http://push-proxy.invalid:8066",
        &["--timeout-secs", "2"],
    )
    .expect(1)
    .stderr_has("the host name \"push-proxy.invalid\" does not resolve")
    .stderr_has("check the host in --proxy");
}

#[test]
fn a_proxy_that_never_answers_times_out() {
    let brand = applied();
    let stub = Stub::start(|_| Reply::Silence);
    let start = Instant::now();
    doctor(&brand, &stub.url, &["--timeout-secs", "1"])
        .expect(1)
        .stderr_has("connected, but no answer within 1 s")
        .stderr_has(&stub.url);
    assert!(start.elapsed() < Duration::from_secs(10));
    assert_eq!(stub.requests()[0].path, "/version");
}

#[test]
fn a_push_that_never_answers_times_out() {
    let brand = applied();
    let stub = Stub::start(|r| match r.path.as_str() {
        "/version" => Reply::Answer(200, VERSION.into()),
        _ => Reply::Silence,
    });
    doctor(
        &brand,
        &stub.url,
        &["--device-id", "apple_rn-v2:tok", "--timeout-secs", "1"],
    )
    .expect(1)
    .stderr_has("no answer to the test push")
    .stderr_has("/api/v1/send_push");
}

#[test]
fn not_a_push_proxy() {
    let brand = applied();
    let stub = Stub::start(|_| Reply::Answer(404, "Not found".into()));
    doctor(&brand, &stub.url, &["--device-id", "apple_rn-v2:tok"])
        .expect(1)
        .stderr_has("is not a mattermost-push-proxy");
    assert!(stub.requests().iter().all(|r| r.method == "GET"));
}

#[test]
fn a_proxy_older_than_the_version_endpoint_still_passes() {
    let brand = applied();
    // Before v5.28.0 the proxy had only `GET /`, answering its name.
    let stub = Stub::start(|r| match (r.method.as_str(), r.path.as_str()) {
        ("GET", "/") => Reply::Answer(
            200,
            "<html><body>Mattermost Push Proxy</body></html>".into(),
        ),
        ("POST", "/api/v1/send_push") => Reply::Answer(200, OK.into()),
        _ => Reply::Answer(404, "404 page not found\n".into()),
    });
    let run = doctor(
        &brand,
        &stub.url,
        &["--device-id", "apple_rn-v2:tok", "--json"],
    )
    .expect(0);
    let doc = run.json();
    assert_eq!(doc["version"], Value::Null);
    assert!(doc["checks"][0]["detail"]
        .as_str()
        .unwrap()
        .contains("older than v5.28.0"));
}

#[test]
fn usage_errors_exit_2() {
    let brand = applied();
    doctor(&brand, "localhost:8066", &[])
        .expect(2)
        .stderr_has("http://");
    doctor(&brand, "http://127.0.0.1:9", &["--device-id", "f00dcafe"])
        .expect(2)
        .stderr_has("apple_rn-v2:");
    mmbrand(["doctor", "somewhere"]).expect(2);
}

#[test]
fn dir_must_be_an_apply_output() {
    let tmp = tempfile::tempdir().unwrap();
    mmbrand([
        "doctor",
        tmp.path().to_str().unwrap(),
        "--proxy",
        "http://127.0.0.1:9",
    ])
    .expect(1)
    .stderr_has("is not an mmbrand apply output");
}
