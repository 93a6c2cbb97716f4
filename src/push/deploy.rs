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

use anyhow::{bail, Context, Result};
use serde::Serialize;

use super::proxy_config::ConfigPushProxy;
use crate::brand::{Brand, CredentialKey, PushNetworkSection};
use crate::format::{shell, systemd, yaml};
use crate::fsutil;

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

/// Writes the kit into `dir` (the push-proxy folder).
pub fn write(
    dir: &Path,
    brand: &Brand,
    config: &ConfigPushProxy,
    proxy_root: &str,
    token_uri: Option<&str>,
    ca: Option<&[u8]>,
) -> Result<()> {
    let net = brand.push.as_ref().and_then(|p| p.network.as_ref());
    let container_dir = inside(IMAGE_HOME, proxy_root);
    let config_dir = inside(INSTALL_DIR, proxy_root);
    if let Some(ca) = ca {
        fsutil::write(&dir.join(CA_DIR).join(CA_FILE), ca)?;
    }
    let env_for = |root: &str| environment(net, ca.is_some(), root);
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
    fsutil::write(
        &dir.join("docker-compose.yml"),
        crate::emit::render("docker-compose.yml", COMPOSE, &ctx)?,
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
    fsutil::write(
        &dir.join("mattermost-push-proxy.service"),
        crate::emit::render("mattermost-push-proxy.service", UNIT, &ctx)?,
    )?;
    ctx.insert("allow", &allowlist(config, net, token_uri));
    fsutil::write(
        &dir.join("ALLOWLIST.txt"),
        crate::emit::render("ALLOWLIST.txt", ALLOWLIST, &ctx)?,
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

fn environment(net: Option<&PushNetworkSection>, has_ca: bool, config_dir: &str) -> Vec<EnvVar> {
    let mut env = Vec::new();
    if let Some(proxy) = net.and_then(|n| n.https_proxy.as_ref()) {
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
}
