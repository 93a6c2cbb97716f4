//! Validation of every identifier in a brand file, with messages that name the key and say
//! what is allowed.
use std::path::Path;

use super::choices::{ApsEnvironment, ExportMethod, MatchType, PushContents};
use super::{formats, BrandFile, CredentialKey};
use crate::did_you_mean as suggest;
use crate::problems::Problems;

/// Java keywords and literals, which cannot be segments of an Android package.
const JAVA_KEYWORDS: &[&str] = &[
    "abstract",
    "assert",
    "boolean",
    "break",
    "byte",
    "case",
    "catch",
    "char",
    "class",
    "const",
    "continue",
    "default",
    "do",
    "double",
    "else",
    "enum",
    "extends",
    "final",
    "finally",
    "float",
    "for",
    "goto",
    "if",
    "implements",
    "import",
    "instanceof",
    "int",
    "interface",
    "long",
    "native",
    "new",
    "package",
    "private",
    "protected",
    "public",
    "return",
    "short",
    "static",
    "strictfp",
    "super",
    "switch",
    "synchronized",
    "this",
    "throw",
    "throws",
    "transient",
    "try",
    "void",
    "volatile",
    "while",
    "true",
    "false",
    "null",
    "_",
];

/// Kotlin's hard keywords, which cannot be package segments either: upstream's Android
/// sources are Kotlin, and `package com.fun.chat` does not compile (Kotlin would need
/// backquotes, which upstream's files and the R class references do not have).
const KOTLIN_KEYWORDS: &[&str] = &[
    "as",
    "break",
    "class",
    "continue",
    "do",
    "else",
    "false",
    "for",
    "fun",
    "if",
    "in",
    "interface",
    "is",
    "null",
    "object",
    "package",
    "return",
    "super",
    "this",
    "throw",
    "true",
    "try",
    "typealias",
    "typeof",
    "val",
    "var",
    "when",
    "while",
];

/// Android's largest versionCode (Google Play rejects anything above it).
pub const MAX_BUILD_NUMBER: i64 = 2_100_000_000;

/// Checks every key of a parsed brand file; `file` names it in messages.
pub fn validate(raw: &BrandFile, file: &str, problems: &mut Problems) {
    let mut check = |key: &str, result: Result<(), String>| {
        if let Err(why) = result {
            problems.push(format!("{file}: {key}: {why}"));
        }
    };
    check("name", slug(&raw.name));
    check(
        "display_name",
        display_name(&raw.display_name).and_then(|()| formats::display_name(&raw.display_name)),
    );
    if let Some(branch) = &raw.source.branch {
        check("source.branch", formats::branch(branch));
    }
    if let Some(name) = &raw.server.name {
        check("server.name", formats::managed_text(name));
    }
    if let Some(v) = &raw.app_version {
        check("app_version", app_version(v));
    }
    if let Some(n) = raw.build_number {
        check("build_number", build_number(n));
    }
    check("server.url", https_url(&raw.server.url).map(drop));
    for (key, link) in [
        ("server.app_download_link", &raw.server.app_download_link),
        (
            "server.android_app_download_link",
            &raw.server.android_app_download_link,
        ),
        (
            "server.ios_app_download_link",
            &raw.server.ios_app_download_link,
        ),
    ] {
        if let Some(link) = link {
            check(key, https_url(link).map(drop));
        }
    }
    check("ios.bundle_id", bundle_id(&raw.ios.bundle_id));
    for (key, value) in [
        ("ios.share_extension_id", &raw.ios.share_extension_id),
        (
            "ios.notification_service_id",
            &raw.ios.notification_service_id,
        ),
    ] {
        if let Some(v) = value {
            check(
                key,
                bundle_id(v).and_then(|()| extension_id(v, &raw.ios.bundle_id)),
            );
        }
    }
    check(
        "ios.export_method",
        one_of(&raw.ios.export_method, ExportMethod::NAMES),
    );
    if let Some(m) = &raw.ios.match_type {
        check("ios.match_type", one_of(m, MatchType::NAMES));
    }
    if let Some(g) = &raw.ios.app_group {
        check("ios.app_group", prefixed_bundle_id(g, "group."));
    }
    if let Some(c) = &raw.ios.icloud_container {
        check("ios.icloud_container", prefixed_bundle_id(c, "iCloud."));
    }
    check("ios.team_id", apple_id(&raw.ios.team_id, "team"));
    check(
        "ios.aps_environment",
        one_of(&raw.ios.aps_environment, ApsEnvironment::NAMES),
    );
    check("android.package", android_package(&raw.android.package));
    check("schemes.app", app_scheme(&raw.schemes.app));
    check("schemes.auth", app_scheme(&raw.schemes.auth));
    if let Some(push) = &raw.push {
        check("push.contents", one_of(&push.contents, PushContents::NAMES));
        check("push.proxy_url", proxy_url(&push.proxy_url).map(drop));
        if let Some(key_id) = push.apple.as_ref().and_then(|a| a.key_id.as_ref()) {
            check("push.apple.key_id", apple_id(key_id, "key"));
        }
        if let Some(net) = &push.network {
            if let Some(p) = &net.https_proxy {
                check("push.network.https_proxy", http_proxy_url(p));
            }
            if net.https_proxy_password.is_some() {
                check(
                    CredentialKey::ProxyPassword.name(),
                    proxy_password_user(net.https_proxy.as_deref()),
                );
            }
            if let Some(r) = &net.apns_relay {
                check("push.network.apns_relay", relay_host(r));
            }
            if net.ca_bundle.is_some() && net.apns_relay.is_none() && net.https_proxy.is_none() {
                check(
                    CredentialKey::CaBundle.name(),
                    Err("is only used with apns_relay or https_proxy (the CA that relay or proxy presents); remove it or set one of them".into()),
                );
            }
        }
    }
    if let Some(links) = &raw.deep_links {
        if links.domains.is_empty() {
            check(
                "deep_links.domains",
                Err("is empty: list the host names whose links open the app, e.g. [\"chat.acme.example\"], or remove [deep_links]".into()),
            );
        }
        for (i, d) in links.domains.iter().enumerate() {
            check("deep_links.domains", link_domain(d));
            if links.domains[..i].contains(d) {
                check("deep_links.domains", Err(format!("{d:?} is listed twice")));
            }
        }
        for c in &links.android_cert_sha256 {
            check("deep_links.android_cert_sha256", cert_fingerprint(c));
        }
        if !links.domains.is_empty()
            && links.android_cert_sha256.is_empty()
            && links.android_cert.is_none()
        {
            check("deep_links", Err(NO_FINGERPRINT.into()));
        }
    }
    let emm = &raw.emm;
    if emm.in_app_session_auth.is_some() {
        check("emm.in_app_session_auth", Err("the app does not read inAppSessionAuth: upstream declares it in app_restrictions.xml, but no code uses it (v2.40 to v2.42), so it would change nothing; remove it".into()));
    }
    if let Some(url) = &emm.server_url {
        check("emm.server_url", https_url(url).map(drop));
    }
    for (key, value) in [
        ("emm.server_name", &emm.server_name),
        ("emm.username", &emm.username),
        ("emm.vendor", &emm.vendor),
    ] {
        if let Some(v) = value {
            check(key, managed_text(v).and_then(|()| formats::managed_text(v)));
        }
    }
    for (key, value) in [
        ("emm.timeout", emm.timeout),
        ("emm.timeout_vpn", emm.timeout_vpn),
    ] {
        if let Some(n) = value {
            check(key, millis(n));
        }
    }
}

/// Replaces every URL of `raw` by its normalised form ([`https_url`], [`proxy_url`]), the
/// one every consumer writes; an invalid one (reported by [`validate`]) stays as written.
pub fn normalise(raw: &mut BrandFile) {
    fn set(value: &mut String, normal: fn(&str) -> Result<String, String>) {
        if let Ok(n) = normal(value) {
            *value = n;
        }
    }
    let server = &mut raw.server;
    set(&mut server.url, https_url);
    for link in [
        &mut server.app_download_link,
        &mut server.android_app_download_link,
        &mut server.ios_app_download_link,
        &mut raw.emm.server_url,
    ]
    .into_iter()
    .flatten()
    {
        set(link, https_url);
    }
    if let Some(push) = &mut raw.push {
        set(&mut push.proxy_url, proxy_url);
    }
}

/// Why `[deep_links]` needs a certificate, and where to get one.
const NO_FINGERPRINT: &str = "Android App Links cannot be verified without the SHA-256 fingerprint of the certificate the app is signed with: set android_cert_sha256 = [\"14:6D:…\"] (`keytool -list -v -keystore <keystore>`; with Play App Signing, the app signing key's from the Play Console, App integrity) or android_cert = \"file:<certificate.pem or .der>\"";

/// A managed-configuration string: one line, not blank.
fn managed_text(v: &str) -> Result<(), String> {
    if v.trim().is_empty() {
        return Err("must not be empty (leave the key out instead)".into());
    }
    if v.chars().any(char::is_control) {
        return Err(format!(
            "{v:?} contains a control character; use one line of text"
        ));
    }
    Ok(())
}

/// A managed-configuration timeout, which the app reads with parseInt as milliseconds.
pub fn millis(n: i64) -> Result<(), String> {
    if n < 1000 {
        return Err(format!("{n} is under a second: the value is in milliseconds (the app's own default for reaching the server is 5000), e.g. 30000 for 30 s"));
    }
    if n > i64::from(i32::MAX) {
        return Err(format!("{n} is too large (at most {} ms)", i32::MAX));
    }
    Ok(())
}

/// A domain for Universal Links and App Links: a lower-case host name, nothing else.
pub fn link_domain(v: &str) -> Result<(), String> {
    let example = "e.g. \"chat.acme.example\"";
    if let Some((scheme, rest)) = v.split_once("://") {
        let host = rest.split(['/', ':']).next().unwrap_or(rest);
        return Err(format!("{v:?} has a scheme ({scheme}://): give the host name only ({host:?}); links are verified over https"));
    }
    if let Some((host, path)) = v.split_once('/') {
        return Err(format!("{v:?} has a path (/{path}): give the host name only ({:?}); iOS and Android fetch the /.well-known/ files from the domain's root, and the link paths match under any server path", host.split(':').next().unwrap_or(host)));
    }
    if let Some((host, port)) = v.rsplit_once(':') {
        return Err(format!("{v:?} has a port (:{port}): give the host name only ({host:?}); iOS and Android verify links on https port 443 only"));
    }
    if v.contains('*') {
        return Err(format!("{v:?}: wildcards are not supported; list each host (each must serve the /.well-known/ files)"));
    }
    if v.parse::<std::net::IpAddr>().is_ok() {
        return Err(format!(
            "{v:?} is an IP address: Universal Links and App Links need a domain name, {example}"
        ));
    }
    if v != v.to_ascii_lowercase() {
        return Err(format!(
            "{v:?} must be lower case ({:?}): Android matches android:host case-sensitively",
            v.to_ascii_lowercase()
        ));
    }
    host_name(v)?;
    if !v.contains('.') || v.len() > 253 || v.split('.').any(|l| l.len() > 63) {
        return Err(format!(
            "{v:?} is not a fully qualified domain name, {example}"
        ));
    }
    Ok(())
}

pub fn slug(v: &str) -> Result<(), String> {
    // It names folders, branches, lock and staging files: file systems stop at 255 bytes.
    const MAX: usize = 64;
    if v.len() > MAX {
        return Err(format!(
            "is {} characters long; a brand name names folders and branches (limit {MAX})",
            v.len()
        ));
    }
    let ok = !v.is_empty()
        && !v.starts_with('-')
        && v.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    ok.then_some(()).ok_or_else(|| {
        format!("{v:?} must be a slug: lower-case letters, digits and '-', e.g. \"acme\"")
    })
}

/// The app name reaches places that do not escape it: upstream's Android lane writes it with
/// `sh "echo '<name>' > …title.txt"` and its iOS lane puts it unescaped between double quotes
/// in InfoPlist.strings, so a quote or backslash would break the build.
fn display_name(v: &str) -> Result<(), String> {
    if v.trim().is_empty() {
        return Err("must not be empty".to_string());
    }
    // The app name on a home screen: longer is a mistake (or something pasted by accident,
    // which is why the value is not echoed then).
    const MAX: usize = 64;
    if v.chars().count() > MAX {
        return Err(format!(
            "is {} characters long; an app name shows in about 12 to 30 characters on a home screen (limit {MAX})",
            v.chars().count()
        ));
    }
    if let Some(c) = v.chars().find(|c| is_invisible(*c)) {
        return Err(format!(
            "contains the invisible or direction-changing character U+{:04X}, which can make one app name look like another; remove it",
            u32::from(c)
        ));
    }
    if let Some(c) = v
        .chars()
        .find(|c| matches!(c, '\'' | '"' | '\\') || c.is_control())
    {
        let fix = match c {
            '\'' => "use a typographic apostrophe (\u{2019}) or leave it out",
            _ => "leave it out",
        };
        return Err(format!(
            "{v:?} contains {c:?}, which upstream's fastlane lanes write unescaped (a shell echo in single quotes on Android, InfoPlist.strings on iOS); {fix}"
        ));
    }
    Ok(())
}

/// Zero-width and bidirectional formatting characters: invisible, but they change how a
/// name reads (U+202E shows the rest of a name backwards).
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

/// A marketing version as both stores accept it: three dot-separated integers.
pub fn app_version(v: &str) -> Result<(), String> {
    let parts: Vec<&str> = v.split('.').collect();
    let ok = parts.len() == 3
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.len() <= 9
                && p.bytes().all(|b| b.is_ascii_digit())
                && (p.len() == 1 || !p.starts_with('0'))
        });
    ok.then_some(()).ok_or_else(|| {
        format!("{v:?} is not a version: use three numbers separated by dots, like \"2.42.3\"")
    })
}

/// A build number that is a valid Android versionCode and iOS CFBundleVersion.
pub fn build_number(n: i64) -> Result<(), String> {
    (1..=MAX_BUILD_NUMBER).contains(&n).then_some(()).ok_or_else(|| {
        format!("{n} is not a build number: it must be between 1 and {MAX_BUILD_NUMBER} (Android's largest versionCode)")
    })
}

/// Apple requires an extension's bundle id to be prefixed by its app's.
fn extension_id(v: &str, app: &str) -> Result<(), String> {
    v.strip_prefix(app)
        .is_some_and(|rest| rest.len() > 1 && rest.starts_with('.'))
        .then_some(())
        .ok_or_else(|| {
            format!("{v:?} must start with the app's bundle id followed by a dot ({app:?} + \".Name\"): Apple rejects an extension whose id is outside its app's")
        })
}

/// An https URL as the app, its EMM files and the server get it: parsed, and returned
/// re-serialised (scheme and host lower-cased, IDN host in punycode, default port dropped,
/// no trailing `/` on an empty path), which is the form every consumer writes.
pub fn https_url(v: &str) -> Result<String, String> {
    let url = literal_url(v)?;
    if has_userinfo(&url) {
        // The URL is shipped inside the app and in EMM files: a password there is public.
        // The value is not repeated, so the password is not printed either.
        return Err(format!(
            "must not contain a user name or password (https://user:password@host): it is written into the app and its EMM files; give https://{}",
            url.host_str().unwrap_or("host")
        ));
    }
    let shown = redacted(v);
    if url.scheme() != "https" {
        return Err(format!(
            "{shown:?} must use https:// (the app refuses to store credentials over {}://)",
            url.scheme()
        ));
    }
    if url.host_str().is_none_or(str::is_empty) || url.query().is_some() || url.fragment().is_some()
    {
        return Err(format!("{shown:?} must be a plain https://host[/path] URL"));
    }
    Ok(normalised(&url))
}

/// The push proxy's URL, normalised like [`https_url`]; http is allowed (a proxy on the
/// server's own network). It goes into the server's config patch (not a private file) and
/// the server appends `/api/v1/send_push` to it: no credentials, query or fragment.
pub fn proxy_url(v: &str) -> Result<String, String> {
    let url = literal_url(v)?;
    let plain = || {
        format!(
            "{}://{}{}",
            url.scheme(),
            url.host_str().unwrap_or("host"),
            url.port().map(|p| format!(":{p}")).unwrap_or_default()
        )
    };
    if has_userinfo(&url) {
        return Err(format!(
            "must not contain a user name or password: it is written into server/config-patch.json, which is not a private file; give {}",
            plain()
        ));
    }
    let shown = redacted(v);
    match url.scheme() {
        "https" | "http" if url.host_str().is_some_and(|h| !h.is_empty()) => {}
        _ => {
            return Err(format!(
                "{shown:?} must be an http(s):// URL of the push proxy"
            ))
        }
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(format!(
            "{shown:?} must not have a query or fragment: the server appends /api/v1/send_push to it; give {}",
            plain()
        ));
    }
    Ok(normalised(&url))
}

/// `v` parsed, refused where the URL standard would silently repair it: the url crate (like
/// a browser) strips surrounding whitespace, drops tabs and newlines anywhere, reads `\` as
/// `/` and `https:host` as `https://host`. Such input is ambiguous (what was typed is not
/// what the consumer reads, and other parsers differ), so it is refused rather than guessed.
fn literal_url(raw: &str) -> Result<url::Url, String> {
    let v = &*redacted(raw);
    if v.trim() != v {
        return Err(format!(
            "{v:?} has leading or trailing whitespace; write the URL without it"
        ));
    }
    if let Some(c) = v.chars().find(|c| c.is_control() || c.is_whitespace()) {
        return Err(format!(
            "{v:?} contains {c:?}; a URL has no spaces or control characters (percent-encode them in a path)"
        ));
    }
    if v.contains('\\') {
        return Err(format!(
            "{v:?} contains a backslash, which URL parsers read as '/' or refuse; use '/'"
        ));
    }
    let url = url::Url::parse(raw).map_err(|e| format!("{v:?} is not a valid URL ({e})"))?;
    if !raw[url.scheme().len()..].starts_with("://") {
        return Err(format!(
            "{v:?} lacks \"//\" after \"{}:\"; write {}://host",
            url.scheme(),
            url.scheme()
        ));
    }
    Ok(url)
}

/// Parses a URL; the error shows the value with any user name and password hidden.
fn parse_url(v: &str) -> Result<url::Url, String> {
    url::Url::parse(v).map_err(|e| format!("{:?} is not a valid URL ({e})", redacted(v)))
}

fn has_userinfo(url: &url::Url) -> bool {
    !url.username().is_empty() || url.password().is_some()
}

/// A URL as a message may show it: everything between the scheme and the last `@` hidden,
/// whether or not the value parses. A password may hold `/`, `?`, `#` or `@`, so the last
/// `@` of the whole value is taken: hiding a path is better than showing a password.
pub fn redacted(v: &str) -> String {
    let start = v.find("://").map_or(0, |i| i + 3);
    match v[start..].rfind('@') {
        Some(at) => format!("{}***{}", &v[..start], &v[start + at..]),
        None => v.to_string(),
    }
}

/// `url` serialised, without the `/` the URL standard adds to an empty path (the form brand
/// files and upstream's config.json use).
fn normalised(url: &url::Url) -> String {
    let s = url.as_str();
    match s.strip_suffix('/') {
        Some(bare) if url.path() == "/" => bare.to_string(),
        _ => s.to_string(),
    }
}

/// Apple bundle identifiers: letters, digits, '-' and '.', at least two segments.
pub fn bundle_id(v: &str) -> Result<(), String> {
    let segments_ok = v.split('.').count() >= 2 && v.split('.').all(|s| !s.is_empty());
    let chars_ok = v
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
    (segments_ok && chars_ok).then_some(()).ok_or_else(|| {
        format!("{v:?} is not a valid Apple bundle id: use letters, digits, '-' and '.', in reverse-DNS form like \"com.acme.chat\"")
    })
}

fn prefixed_bundle_id(v: &str, prefix: &str) -> Result<(), String> {
    match v.strip_prefix(prefix) {
        Some(rest) => bundle_id(rest),
        None => Err(format!("{v:?} must start with {prefix:?}")),
    }
}

/// Apple team and key ids: 10 upper-case letters or digits.
pub fn apple_id(v: &str, what: &str) -> Result<(), String> {
    let ok = v.len() == 10
        && v.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    ok.then_some(()).ok_or_else(|| {
        format!("{v:?} is not an Apple {what} id: it must be 10 upper-case letters or digits, e.g. \"AB12CD34EF\"")
    })
}

/// Android application ids: at least two segments, each a Java identifier starting with a
/// letter, none a Java or Kotlin keyword.
pub fn android_package(v: &str) -> Result<(), String> {
    let segments: Vec<&str> = v.split('.').collect();
    if segments.len() < 2 {
        return Err(format!(
            "{v:?} needs at least two segments, like \"com.acme.chat\""
        ));
    }
    for s in segments {
        if let Some(k) = JAVA_KEYWORDS.iter().find(|k| **k == s) {
            return Err(format!(
                "{v:?} contains the Java keyword {k:?}, which cannot be a package segment"
            ));
        }
        if let Some(k) = KOTLIN_KEYWORDS.iter().find(|k| **k == s) {
            return Err(format!(
                "{v:?} contains the Kotlin keyword {k:?}, which cannot be a package segment (upstream's Android sources are Kotlin)"
            ));
        }
        let mut chars = s.chars();
        let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
        if !first_ok || !chars.all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(format!(
                "{v:?} has the segment {s:?}: each segment must start with a letter and contain only letters, digits and '_'"
            ));
        }
    }
    Ok(())
}

/// URL schemes (RFC 3986): a letter, then letters, digits, '+', '-' or '.'; lower case
/// because iOS and Android match them case-insensitively and upstream uses lower case.
pub fn url_scheme(v: &str) -> Result<(), String> {
    let mut chars = v.chars();
    let ok = chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "+-.".contains(c));
    ok.then_some(()).ok_or_else(|| {
        format!("{v:?} is not a valid URL scheme: a lower-case letter, then lower-case letters, digits, '+', '-' or '.', without \"://\"")
    })
}

/// Schemes the OS, browsers or other apps already own, with why each cannot be the app's: an
/// intent filter or CFBundleURLSchemes entry for one of them hijacks (or is ignored for) every
/// link of that kind, and an SSO redirect to it never reaches the app.
pub const RESERVED_SCHEMES: &[(&str, &str)] = &[
    (
        "http",
        "web links: the app would offer to open every http link",
    ),
    (
        "https",
        "web links: the app would offer to open every https link",
    ),
    ("file", "local files"),
    ("content", "Android content providers"),
    (
        "intent",
        "Android intent URIs, which browsers interpret themselves",
    ),
    ("javascript", "script URLs, which browsers run"),
    ("data", "inline data URLs"),
    ("blob", "browser object URLs"),
    ("about", "browser-internal pages"),
    ("mailto", "the mail app"),
    ("tel", "the phone app"),
    ("sms", "the messages app"),
    ("facetime", "FaceTime"),
    ("ftp", "file transfer"),
    ("ws", "WebSocket connections"),
    ("wss", "WebSocket connections"),
    ("geo", "map apps"),
    ("market", "the Google Play store"),
    ("itms", "the Apple stores"),
    ("itms-apps", "the Apple App Store"),
    ("itms-services", "Apple's enterprise app installation"),
    ("mattermost", "the Mattermost app itself"),
    ("mmauth", "the Mattermost app's SSO"),
    ("mmauthbeta", "the Mattermost beta app's SSO"),
];

/// A URL scheme the app can own: valid ([`url_scheme`]) and not one the system or other apps
/// own ([`RESERVED_SCHEMES`]).
pub fn app_scheme(v: &str) -> Result<(), String> {
    url_scheme(v)?;
    match RESERVED_SCHEMES.iter().find(|(s, _)| *s == v) {
        Some((_, owner)) => Err(format!(
            "{v:?} belongs to {owner}; choose a scheme of the brand's own, e.g. \"acmechat\""
        )),
        None => Ok(()),
    }
}

/// An HTTP(S) proxy as Go's ProxyFromEnvironment reads HTTPS_PROXY: scheme, host and port,
/// and a user name when the proxy wants one. Its password is never in the URL: the URL is
/// written into the world-readable compose file and unit, the password only into the 0600
/// `proxy.env` (`https_proxy_password`).
fn http_proxy_url(v: &str) -> Result<(), String> {
    let url = parse_url(v)?;
    let user = match url.username() {
        "" => String::new(),
        u => format!("{u}@"),
    };
    let example = format!(
        "{}://{user}{}:{}",
        url.scheme(),
        url.host_str().unwrap_or("proxy.corp.example"),
        url.port_or_known_default().unwrap_or(3128)
    );
    if url.password().is_some() {
        return Err(format!(
            "must not contain a password: the URL is written into the world-readable docker-compose.yml and systemd unit; give {example:?} (a user name is fine) and the password as https_proxy_password = \"env:VAR\" or \"file:PATH\""
        ));
    }
    let ok = matches!(url.scheme(), "http" | "https")
        && url.host_str().is_some_and(|h| !h.is_empty())
        && url.port_or_known_default().is_some()
        && matches!(url.path(), "" | "/")
        && url.query().is_none()
        && url.fragment().is_none();
    ok.then_some(()).ok_or_else(|| {
        format!(
            "{:?} must be a proxy URL like \"http://proxy.corp.example:3128\"",
            redacted(v)
        )
    })
}

/// `https_proxy_password` is the password of `https_proxy`'s user: the URL must name one.
fn proxy_password_user(https_proxy: Option<&str>) -> Result<(), String> {
    let url = https_proxy.and_then(|p| url::Url::parse(p).ok());
    match (https_proxy, url) {
        (None, _) => Err("is only used with https_proxy (the proxy this password is for); remove it or set https_proxy".into()),
        (Some(_), Some(u)) if u.username().is_empty() => Err(format!(
            "needs the proxy's user name in https_proxy: give \"{}://USER@{}:{}\"",
            u.scheme(),
            u.host_str().unwrap_or("proxy.corp.example"),
            u.port_or_known_default().unwrap_or(3128)
        )),
        // An invalid https_proxy is reported on its own.
        _ => Ok(()),
    }
}

/// The relay is written into /etc/hosts and compose's extra_hosts, which take an IP address;
/// a host name is accepted too, for operators who resolve it themselves.
fn relay_host(v: &str) -> Result<(), String> {
    if v.parse::<std::net::IpAddr>().is_ok() || host_name(v).is_ok() {
        return Ok(());
    }
    Err(format!(
        "{v:?} must be the relay's IP address (or host name), e.g. \"10.0.0.5\", without a scheme or port"
    ))
}

fn host_name(v: &str) -> Result<(), String> {
    let ok = !v.is_empty()
        && v.split('.').all(|l| {
            !l.is_empty()
                && !l.starts_with('-')
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
    ok.then_some(())
        .ok_or_else(|| format!("{v:?} is not a host name like \"chat.acme.example\""))
}

fn cert_fingerprint(v: &str) -> Result<(), String> {
    let parts: Vec<&str> = v.split(':').collect();
    let hex = parts
        .iter()
        .all(|p| p.len() == 2 && p.bytes().all(|b| b.is_ascii_hexdigit()));
    if hex && parts.len() == 32 {
        return Ok(());
    }
    if hex && parts.len() == 20 {
        return Err(format!("{v:?} is a SHA-1 fingerprint (20 bytes); App Links need the certificate's SHA-256 (the \"SHA256:\" line of `keytool -list -v`)"));
    }
    Err(format!("{v:?} is not a SHA-256 certificate fingerprint: 32 hex bytes separated by ':', as `keytool -list -v` prints it (\"14:6D:E9:…:E5\")"))
}

fn one_of(v: &str, allowed: &[&str]) -> Result<(), String> {
    if allowed.contains(&v) {
        return Ok(());
    }
    let hint = suggest::closest(v, allowed.iter().copied())
        .map(|s| format!("; did you mean {s:?}?"))
        .unwrap_or_default();
    Err(format!("{v:?} is not one of {}{hint}", allowed.join(", ")))
}

/// A TOML parse error as "file:line:column: message", with a suggestion for unknown keys.
pub fn toml_error(path: &Path, text: &str, err: &toml::de::Error) -> String {
    let (line, col) = err
        .span()
        .map(|span| line_col(text, span.start))
        .unwrap_or((1, 1));
    let message = err.message().trim_end();
    // serde names the type but not the key: "invalid type: string \"yes\", expected a boolean".
    let key = (!message.starts_with("unknown field"))
        .then(|| err.span().and_then(|span| key_at(text, span.start)))
        .flatten()
        .map(|k| format!("{k}: "))
        .unwrap_or_default();
    format!(
        "{}:{line}:{col}: {key}{message}{}{}",
        path.display(),
        unknown_field_hint(message),
        type_hint(message)
    )
}

/// The dotted key (`emm.in_app_pin_code`) whose value starts at `offset`: the key before the
/// `=` on that line, under the nearest table header above it.
fn key_at(text: &str, offset: usize) -> Option<String> {
    let before = &text[..offset.min(text.len())];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let (key, _) = before[line_start..].split_once('=')?;
    let key = key.trim().trim_matches('"');
    if key.is_empty() || key.starts_with(['#', '[']) {
        return None;
    }
    let table = before[..line_start]
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| l.starts_with('['))
        .and_then(|l| l.trim_start_matches('[').split(']').next())
        .map(str::trim)
        .filter(|t| !t.is_empty());
    Some(match table {
        Some(t) => format!("{t}.{key}"),
        None => key.to_string(),
    })
}

/// How to write the value serde expected.
fn type_hint(message: &str) -> &'static str {
    if !message.starts_with("invalid type") {
        ""
    } else if message.ends_with("expected a boolean") {
        "; write true or false, without quotes"
    } else if message.ends_with("expected i64") || message.ends_with("expected u64") {
        "; write a whole number, without quotes"
    } else {
        ""
    }
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before
        .rfind('\n')
        .map_or(before.len(), |i| before.len() - i - 1)
        + 1;
    (line, col)
}

/// serde words unknown keys as "unknown field `x`, expected one of `a`, `b`".
fn unknown_field_hint(message: &str) -> String {
    let Some(rest) = message.strip_prefix("unknown field `") else {
        return String::new();
    };
    let Some((field, expected)) = rest.split_once('`') else {
        return String::new();
    };
    let options: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
    suggest::closest(field, options.iter().copied())
        .map(|s| format!("; did you mean `{s}`?"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn android_packages() {
        assert!(android_package("com.acme.chat").is_ok());
        assert!(android_package("com.acme.new")
            .unwrap_err()
            .contains("Java keyword \"new\""));
        assert!(android_package("acme")
            .unwrap_err()
            .contains("two segments"));
        assert!(android_package("com.1acme").is_err());
        assert!(android_package("com.ac-me").is_err());
    }

    #[test]
    fn apple_identifiers() {
        assert!(bundle_id("com.acme.chat-beta").is_ok());
        assert!(bundle_id("com.acme_chat").is_err());
        assert!(bundle_id("com..acme").is_err());
        assert!(apple_id("AB12CD34EF", "team").is_ok());
        assert!(apple_id("ab12cd34ef", "team").is_err());
        assert!(apple_id("AB12CD34E", "team").is_err());
    }

    #[test]
    fn urls_and_schemes() {
        assert!(https_url("https://chat.acme.example").is_ok());
        assert!(https_url("http://chat.acme.example")
            .unwrap_err()
            .contains("https://"));
        assert!(url_scheme("acmechat").is_ok());
        assert!(url_scheme("acme://").is_err());
        assert!(url_scheme("Acme").is_err());
    }

    /// What the url crate (the WHATWG URL standard, as browsers) makes of input that is not
    /// what it means: each parses, to something other than what was typed.
    #[test]
    fn the_url_crate_repairs_what_is_refused() {
        for (typed, parsed) in [
            (" https://chat.acme.example", "https://chat.acme.example/"),
            ("https://chat.acme.example\n", "https://chat.acme.example/"),
            ("https:chat.acme.example", "https://chat.acme.example/"),
            (
                "https:\\\\chat.acme.example\\x",
                "https://chat.acme.example/x",
            ),
            ("https://chat.ac\tme.example", "https://chat.acme.example/"),
        ] {
            assert_eq!(
                url::Url::parse(typed).unwrap().as_str(),
                parsed,
                "{typed:?}"
            );
            assert!(https_url(typed).is_err(), "{typed:?}");
            assert!(proxy_url(typed).is_err(), "{typed:?}");
        }
        let err = https_url("https:chat.acme.example").unwrap_err();
        assert!(err.contains("lacks \"//\""), "{err}");
        let err = https_url("https:\\\\chat.acme.example").unwrap_err();
        assert!(err.contains("backslash"), "{err}");
    }

    #[test]
    fn urls_are_returned_normalised() {
        for (typed, normal) in [
            ("https://chat.acme.example", "https://chat.acme.example"),
            ("https://chat.acme.example/", "https://chat.acme.example"),
            ("HTTPS://Chat.ACME.example:443", "https://chat.acme.example"),
            (
                "https://chat.acme.example:8065/mm/",
                "https://chat.acme.example:8065/mm/",
            ),
            ("https://bücher.example", "https://xn--bcher-kva.example"),
        ] {
            assert_eq!(https_url(typed).unwrap(), normal, "{typed:?}");
        }
        assert_eq!(
            proxy_url("http://push.acme.example:8066/").unwrap(),
            "http://push.acme.example:8066"
        );
        for bad in [
            "https://push.acme.example/?a=b",
            "https://push.acme.example/#x",
        ] {
            assert!(proxy_url(bad).is_err(), "{bad}");
        }
        let err = proxy_url("https://user:hunter2@push.acme.example").unwrap_err();
        assert!(!err.contains("hunter2"), "{err}");
        let err = proxy_url("https://user:hunter2@push.acme.example /x").unwrap_err();
        assert!(!err.contains("hunter2"), "{err}");
    }

    #[test]
    fn schemes_of_the_system_are_refused() {
        for s in [
            "https",
            "http",
            "javascript",
            "intent",
            "itms-apps",
            "mailto",
        ] {
            let err = app_scheme(s).unwrap_err();
            assert!(err.contains("belongs to"), "{s}: {err}");
        }
        assert!(app_scheme("acmechat").is_ok());
    }

    #[test]
    fn kotlin_keywords_are_refused() {
        let err = android_package("com.fun.chat").unwrap_err();
        assert!(err.contains("Kotlin keyword \"fun\""), "{err}");
        assert!(android_package("com.val.chat").is_err());
        assert!(android_package("com.funny.chat").is_ok());
    }

    /// No message about a URL repeats what stands between `://` and `@`, parsed or not.
    #[test]
    fn url_errors_never_show_a_password() {
        for bad in [
            "http://user:s3cret@proxy.corp.example:3128",
            "http://user:s3cret@proxy corp:3128",
            "http://user:s3/cret@proxy.corp.example:3128",
            "http://user:s3#cret@proxy.corp.example:3128/x?y",
            "user:s3cret@proxy.corp.example",
            "https://user:s3cret@push.acme.example/?a=b",
        ] {
            for err in [
                http_proxy_url(bad).unwrap_err(),
                proxy_url(bad).unwrap_err(),
                https_url(bad).unwrap_err(),
            ] {
                assert!(!err.contains("s3"), "{bad}: {err}");
            }
        }
        assert_eq!(redacted("http://u:p@w@host:1/x"), "http://***@host:1/x");
        assert_eq!(
            redacted("https://chat.acme.example"),
            "https://chat.acme.example"
        );
    }

    #[test]
    fn proxy_urls() {
        assert!(http_proxy_url("http://proxy.corp.example:3128").is_ok());
        assert!(http_proxy_url("http://svc@proxy.corp.example:3128").is_ok());
        let err = http_proxy_url("http://svc:pw@proxy.corp.example:3128").unwrap_err();
        assert!(
            err.contains("\"http://svc@proxy.corp.example:3128\""),
            "{err}"
        );
        assert!(err.contains("https_proxy_password"), "{err}");
        assert!(http_proxy_url("http://proxy.corp.example:3128/#x").is_err());
        assert!(proxy_url("https://push.acme.example/base").is_ok());
        for (bad, why) in [
            ("https://push.acme.example/?token=x", "query or fragment"),
            ("https://push.acme.example/#x", "query or fragment"),
            ("https://u@push.acme.example", "user name or password"),
            ("ftp://push.acme.example", "http(s)://"),
        ] {
            let err = proxy_url(bad).unwrap_err();
            assert!(err.contains(why), "{bad}: {err}");
        }
        assert!(proxy_password_user(None).is_err());
        assert!(proxy_password_user(Some("http://proxy.corp.example:3128"))
            .unwrap_err()
            .contains("\"http://USER@proxy.corp.example:3128\""));
        assert!(proxy_password_user(Some("http://svc@proxy.corp.example:3128")).is_ok());
    }

    #[test]
    fn link_domains_say_what_is_wrong() {
        assert!(link_domain("chat.acme.example").is_ok());
        for (bad, why) in [
            ("https://chat.acme.example", "has a scheme"),
            ("chat.acme.example:8065", "has a port"),
            ("chat.acme.example/mattermost", "has a path"),
            ("*.acme.example", "wildcards"),
            ("10.0.0.5", "IP address"),
            ("Chat.Acme.example", "lower case"),
            ("localhost", "fully qualified"),
            ("chat_acme.example", "not a host name"),
        ] {
            let err = link_domain(bad).unwrap_err();
            assert!(err.contains(why), "{bad}: {err}");
        }
    }

    #[test]
    fn fingerprints_must_be_sha256() {
        let sha256 = vec!["AB"; 32].join(":");
        assert!(cert_fingerprint(&sha256).is_ok());
        assert!(cert_fingerprint(&sha256.to_lowercase()).is_ok());
        assert!(cert_fingerprint(&vec!["AB"; 20].join(":"))
            .unwrap_err()
            .contains("SHA-1"));
        assert!(cert_fingerprint("AB:CD")
            .unwrap_err()
            .contains("32 hex bytes"));
    }

    #[test]
    fn type_errors_name_the_key() {
        let text = "name = \"x\"\n[emm]\nin_app_pin_code = \"yes\"\n";
        let offset = text.find("\"yes\"").unwrap();
        assert_eq!(key_at(text, offset).as_deref(), Some("emm.in_app_pin_code"));
        assert_eq!(key_at(text, 0), None);
    }

    #[test]
    fn unknown_field_gets_a_suggestion() {
        let hint =
            unknown_field_hint("unknown field `bundel_id`, expected one of `bundle_id`, `team_id`");
        assert_eq!(hint, "; did you mean `bundle_id`?");
    }
}
