//! The proxy's deployment kit in `DIR/push-proxy/`: `docker-compose.yml`, a systemd unit for
//! a binary install, and `ALLOWLIST.txt`, including what `[push.network]` needs behind
//! corporate IT.
//!
//! Facts from the proxy's code: APNs goes through apns2's own HTTP/2 transport, which dials
//! directly and ignores HTTPS_PROXY, so a relay must stand in for the APNs host by name
//! (/etc/hosts, compose `extra_hosts`); FCM and the service account's token requests use Go's
//! default transport, which honours HTTPS_PROXY. apns2 talks to api.push.apple.com, or to
//! api.sandbox.push.apple.com for development entries.
use std::path::Path;

use anyhow::{anyhow, bail, Context, Result};
use serde::Serialize;

use super::proxy_config::ConfigPushProxy;
use crate::brand::{Brand, CredentialKey, PushNetworkSection};
use crate::emit::Sink;
use crate::format::{shell, systemd, yaml};

const COMPOSE: &str = include_str!("../../templates/docker-compose.yml.tera");
const UNIT: &str = include_str!("../../templates/mattermost-push-proxy.service.tera");
const ALLOWLIST: &str = include_str!("../../templates/ALLOWLIST.txt.tera");

pub const APNS_PRODUCTION: &str = "api.push.apple.com";
pub const APNS_DEVELOPMENT: &str = "api.sandbox.push.apple.com";
const FCM_HOST: &str = "fcm.googleapis.com";
/// The Docker image's working directory and config volume (docker/Dockerfile).
const IMAGE_HOME: &str = "/mattermost-push-proxy";
const INSTALL_DIR: &str = "/opt/mattermost-push-proxy";
/// Where the relay's CA goes in the proxy folder; SSL_CERT_DIR points at it.
pub const CA_DIR: &str = "ca";
const CA_FILE: &str = "relay-ca.pem";
/// The HTTPS proxy's URL with its password, in the proxy folder at mode 0600: compose reads
/// it with `env_file:`, the unit with `EnvironmentFile=`, so the password stays out of the
/// world-readable docker-compose.yml and unit.
pub const PROXY_ENV: &str = "proxy.env";

#[derive(Serialize)]
struct EnvVar {
    name: &'static str,
    value: String,
}

#[derive(Serialize)]
struct Host {
    host: &'static str,
    ip: String,
}

#[derive(Serialize)]
struct Allow {
    target: String,
    why: String,
}

/// The CA file of `[push.network] ca_bundle`, read and checked: PEM certificates only.
/// Nothing when the brand gives none (or an invalid one, which validation reported).
pub fn read_ca_bundle(brand: &Brand) -> Result<Option<Vec<u8>>> {
    let key = CredentialKey::CaBundle;
    let Some(r) = brand.secrets.get(key) else {
        return Ok(None);
    };
    let bytes = r.read(&brand.dir, key.name())?;
    let blocks = pem::parse_many(&bytes).unwrap_or_default();
    if blocks.is_empty() || blocks.iter().any(|b| b.tag() != "CERTIFICATE") {
        bail!(
            "{}: push.network.ca_bundle must hold only PEM certificates (-----BEGIN CERTIFICATE-----), the CA the relay or proxy presents",
            r.describe(&brand.dir)
        );
    }
    Ok(Some(bytes))
}

/// The password of `[push.network] https_proxy`'s user, read and checked: one line of UTF-8
/// text. Nothing when the brand gives none (or an invalid reference, which validation
/// reported).
pub fn read_proxy_password(brand: &Brand) -> Result<Option<String>> {
    let key = CredentialKey::ProxyPassword;
    let Some(r) = brand.secrets.get(key) else {
        return Ok(None);
    };
    let shown = r.describe(&brand.dir);
    let bytes = r.read(&brand.dir, key.name())?;
    let text = String::from_utf8(bytes)
        .map_err(|_| anyhow!("{}: {shown} is not UTF-8 text", key.name()))?;
    // An editor ends a file with a newline that is not part of the password.
    let password = text.trim_end_matches(['\r', '\n']);
    if password.is_empty() {
        bail!("{}: {shown} is empty", key.name());
    }
    if password.chars().any(char::is_control) {
        bail!(
            "{}: {shown} holds a control character (more than one line?); give the password alone",
            key.name()
        );
    }
    Ok(Some(password.to_string()))
}

/// Writes the kit into the push-proxy folder.
pub fn write(
    sink: &mut dyn Sink,
    brand: &Brand,
    config: &ConfigPushProxy,
    proxy_root: &str,
    token_uri: Option<&str>,
    ca: Option<&[u8]>,
    proxy_password: Option<&str>,
) -> Result<()> {
    let dir = Path::new(super::PROXY_DIR);
    let net = brand.push.as_ref().and_then(|p| p.network.as_ref());
    let container_dir = inside(IMAGE_HOME, proxy_root);
    let config_dir = inside(INSTALL_DIR, proxy_root);
    if let Some(ca) = ca {
        sink.write(&dir.join(CA_DIR).join(CA_FILE), ca.as_ref())?;
    }
    // With a password, HTTPS_PROXY lives in proxy.env only.
    let secret_proxy = match (net.and_then(|n| n.https_proxy.as_deref()), proxy_password) {
        (Some(proxy), Some(password)) => {
            sink.write_private(&dir.join(PROXY_ENV), proxy_env(proxy, password)?.as_bytes())?;
            true
        }
        _ => false,
    };
    let env_for = |root: &str| environment(net, secret_proxy, ca.is_some(), root);
    let hosts = relay_hosts(config, net);

    let mut ctx = tera::Context::new();
    ctx.insert("name", &brand.name);
    ctx.insert("display_name", &brand.display_name);
    // Every value below reaches the YAML file as a quoted scalar, `$` escaped from
    // Compose's interpolation.
    let port = port(&config.listen_address);
    ctx.insert("ports", &yaml::compose_scalar(&format!("{port}:{port}")));
    ctx.insert(
        "volume",
        &yaml::compose_scalar(&format!(".:{container_dir}:ro")),
    );
    ctx.insert(
        "container_config",
        &yaml::compose_scalar(&format!("{container_dir}/{}", super::PROXY_CONFIG)),
    );
    let environment: Vec<EnvVar> = env_for(&container_dir)
        .into_iter()
        .map(|e| EnvVar {
            name: e.name,
            value: yaml::compose_scalar(&e.value),
        })
        .collect();
    ctx.insert("environment", &environment);
    let extra_hosts: Vec<String> = hosts
        .iter()
        .map(|h| yaml::compose_scalar(&format!("{}:{}", h.host, h.ip)))
        .collect();
    ctx.insert("extra_hosts", &extra_hosts);
    ctx.insert(
        "env_file",
        &secret_proxy.then(|| yaml::compose_scalar(PROXY_ENV)),
    );
    sink.write(
        &dir.join("docker-compose.yml"),
        crate::emit::render("docker-compose.yml", COMPOSE, &ctx)?.as_ref(),
    )?;
    // The unit lists the hosts in comments, field by field.
    ctx.insert("extra_hosts", &hosts);
    ctx.insert("install_dir", INSTALL_DIR);
    ctx.insert("config_dir", &config_dir);
    // Shell lines in the unit's comments, systemd syntax in its settings.
    ctx.insert("config_dir_sh", &shell::quote(&config_dir)?);
    ctx.insert(
        "unit_description",
        &systemd::text(&format!("Mattermost push proxy for {}", brand.display_name))
            .context("display_name: cannot be written to the systemd unit")?,
    );
    ctx.insert(
        "config_file_arg",
        &systemd::exec_arg(&format!("{config_dir}/{}", super::PROXY_CONFIG))
            .context("--proxy-root: cannot be written to the systemd unit")?,
    );
    let unit_env = env_for(&config_dir)
        .iter()
        .map(|e| {
            systemd::environment(e.name, &e.value)
                .with_context(|| format!("{}: cannot be written to the systemd unit", e.name))
        })
        .collect::<Result<Vec<_>>>()?;
    ctx.insert("unit_environment", &unit_env);
    let unit_env_file = secret_proxy
        .then(|| systemd::text(&format!("{config_dir}/{PROXY_ENV}")))
        .transpose()
        .context("--proxy-root: cannot be written to the systemd unit")?;
    ctx.insert("unit_env_file", &unit_env_file);
    sink.write(
        &dir.join("mattermost-push-proxy.service"),
        crate::emit::render("mattermost-push-proxy.service", UNIT, &ctx)?.as_ref(),
    )?;
    ctx.insert("allow", &allowlist(config, net, token_uri));
    sink.write(
        &dir.join("ALLOWLIST.txt"),
        crate::emit::render("ALLOWLIST.txt", ALLOWLIST, &ctx)?.as_ref(),
    )
}

/// The folder the credentials are read from, as seen from the proxy's working directory.
fn inside(home: &str, proxy_root: &str) -> String {
    let root = proxy_root.trim_end_matches('/');
    if root.starts_with('/') {
        root.to_string()
    } else {
        format!("{home}/{}", root.trim_start_matches("./"))
    }
}

/// The port of `ListenAddress` (":8066", "0.0.0.0:8066", "[::]:8066").
fn port(listen: &str) -> String {
    listen.rsplit(':').next().unwrap_or("8066").to_string()
}

/// The variables written into the compose file and the unit (`secret_proxy`: HTTPS_PROXY
/// carries a password, so it is in proxy.env instead).
fn environment(
    net: Option<&PushNetworkSection>,
    secret_proxy: bool,
    has_ca: bool,
    config_dir: &str,
) -> Vec<EnvVar> {
    let mut env = Vec::new();
    if let Some(proxy) = net
        .and_then(|n| n.https_proxy.as_ref())
        .filter(|_| !secret_proxy)
    {
        env.push(EnvVar {
            name: "HTTPS_PROXY",
            value: proxy.clone(),
        });
    }
    if has_ca {
        // SSL_CERT_DIR adds to the system roots; SSL_CERT_FILE would replace them, and FCM
        // through the proxy still needs Google's public CAs.
        env.push(EnvVar {
            name: "SSL_CERT_DIR",
            value: format!("{config_dir}/{CA_DIR}"),
        });
    }
    env
}

/// proxy.env's text: `HTTPS_PROXY=` the proxy URL with user and password. Both are
/// percent-encoded down to RFC 3986's unreserved characters, which Go's url.Parse decodes,
/// so the line holds no character that compose's env_file (`$` interpolation, `#` comments,
/// quotes) or systemd's EnvironmentFile (quotes, backslashes) would read specially.
fn proxy_env(https_proxy: &str, password: &str) -> Result<String> {
    // Validated when the brand loaded: scheme, host, optional port, user, no password.
    let url = url::Url::parse(https_proxy)
        .map_err(|_| anyhow!("push.network.https_proxy: not a valid URL"))?;
    let host = url
        .host_str()
        .ok_or_else(|| anyhow!("push.network.https_proxy: no host"))?;
    let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
    let user = strict_encode(&percent_decode(url.username()));
    let value = format!(
        "{}://{user}:{}@{host}{port}",
        url.scheme(),
        strict_encode(password.as_bytes())
    );
    let plain = |b: u8| b.is_ascii_alphanumeric() || b"-._~%:/@[]".contains(&b);
    if !value.bytes().all(plain) {
        bail!("push.network.https_proxy: the host cannot be written to {PROXY_ENV}");
    }
    Ok(format!(
        "# Generated by mmbrand: the HTTPS proxy with its password (push.network.https_proxy and\n\
         # https_proxy_password), for docker compose (env_file) and systemd (EnvironmentFile=).\n\
         # Keep it at mode 0600.\nHTTPS_PROXY={value}\n"
    ))
}

/// Every byte but RFC 3986's unreserved characters as `%XX`.
fn strict_encode(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// `%XX` escapes decoded; a `%` not followed by two hex digits is kept as it is.
fn percent_decode(s: &str) -> Vec<u8> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

/// The APNs host of each Apple entry, mapped to the relay.
fn relay_hosts(config: &ConfigPushProxy, net: Option<&PushNetworkSection>) -> Vec<Host> {
    let Some(relay) = net.and_then(|n| n.apns_relay.as_ref()) else {
        return Vec::new();
    };
    let mut hosts: Vec<Host> = Vec::new();
    for entry in &config.apple_push_settings {
        let host = apns_host(entry.apple_push_use_development);
        if !hosts.iter().any(|h| h.host == host) {
            hosts.push(Host {
                host,
                ip: relay.clone(),
            });
        }
    }
    hosts
}

pub fn apns_host(development: bool) -> &'static str {
    if development {
        APNS_DEVELOPMENT
    } else {
        APNS_PRODUCTION
    }
}

fn allowlist(
    config: &ConfigPushProxy,
    net: Option<&PushNetworkSection>,
    token_uri: Option<&str>,
) -> Vec<Allow> {
    let mut allow = Vec::new();
    let relay = net.and_then(|n| n.apns_relay.as_ref());
    for entry in &config.apple_push_settings {
        let host = apns_host(entry.apple_push_use_development);
        let target = match relay {
            Some(r) => format!("{r}:443"),
            None => format!("{host}:443"),
        };
        let why = match relay {
            Some(_) => format!("relay standing in for {host} (APNs), entry {}", entry.kind),
            None => format!("APNs, entry {}", entry.kind),
        };
        allow.push(Allow { target, why });
    }
    if !config.android_push_settings.is_empty() {
        let mut google = vec![(format!("{FCM_HOST}:443"), "FCM HTTP v1".to_string())];
        if let Some(host) = token_uri.and_then(|u| url::Url::parse(u).ok()) {
            if let (Some(h), Some(p)) = (host.host_str(), host.port_or_known_default()) {
                google.push((
                    format!("{h}:{p}"),
                    "OAuth tokens for the service account (token_uri)".into(),
                ));
            }
        }
        match net
            .and_then(|n| n.https_proxy.as_ref())
            .and_then(|p| url::Url::parse(p).ok())
        {
            Some(proxy) => {
                let via: Vec<String> = google.into_iter().map(|(t, _)| t).collect();
                allow.push(Allow {
                    target: format!(
                        "{}:{}",
                        proxy.host_str().unwrap_or_default(),
                        proxy.port_or_known_default().unwrap_or(3128)
                    ),
                    why: format!("HTTPS_PROXY, carrying {}", via.join(" and ")),
                });
            }
            None => allow.extend(
                google
                    .into_iter()
                    .map(|(target, why)| Allow { target, why }),
            ),
        }
    }
    allow
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_ports() {
        assert_eq!(
            inside(IMAGE_HOME, "./config"),
            "/mattermost-push-proxy/config"
        );
        assert_eq!(inside(INSTALL_DIR, "/srv/push/"), "/srv/push");
        assert_eq!(port(":8066"), "8066");
        assert_eq!(port("127.0.0.1:9000"), "9000");
    }

    #[test]
    fn proxy_env_percent_encodes_user_and_password() {
        let text = proxy_env(
            "http://j%20doe$@proxy.corp.example:3128",
            "p@ss:w/rd $x#\"'\\%",
        )
        .unwrap();
        let line = text.lines().last().unwrap();
        assert_eq!(
            line,
            "HTTPS_PROXY=http://j%20doe%24:p%40ss%3Aw%2Frd%20%24x%23%22%27%5C%25@proxy.corp.example:3128"
        );
        // Go's url.Parse reads the same user and password back.
        let url = url::Url::parse(line.strip_prefix("HTTPS_PROXY=").unwrap()).unwrap();
        assert_eq!(
            percent_decode(url.password().unwrap()),
            b"p@ss:w/rd $x#\"'\\%"
        );
        assert_eq!(percent_decode(url.username()), b"j doe$");
        // The default port stays implicit.
        let text = proxy_env("https://u@proxy.corp.example", "pw").unwrap();
        assert!(
            text.ends_with("\nHTTPS_PROXY=https://u:pw@proxy.corp.example\n"),
            "{text}"
        );
    }
}
