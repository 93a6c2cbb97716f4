//! Every text file mmbrand renders from templates/ parses as what it claims to be, with every
//! optional part switched on: a template that renders invalid output fails here.

use std::fs;
use std::path::Path;

use crate::common::*;

/// Checks one emitted file by its kind; returns the kind checked.
fn check(path: &Path) -> &'static str {
    let name = path.file_name().unwrap().to_str().unwrap();
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(
        !text.contains("{{") && !text.contains("{%"),
        "{}: unrendered template syntax",
        path.display()
    );
    if name.ends_with(".json") || name == "apple-app-site-association" {
        serde_json::from_str::<serde_json::Value>(&text)
            .unwrap_or_else(|e| panic!("{}: not JSON: {e}", path.display()));
        "json"
    } else if name.ends_with(".yml") || name.ends_with(".yaml") {
        yaml_rust2::YamlLoader::load_from_str(&text)
            .unwrap_or_else(|e| panic!("{}: not YAML: {e}", path.display()));
        "yaml"
    } else if name.ends_with(".xml") {
        let mut reader = quick_xml::Reader::from_str(&text);
        loop {
            match reader.read_event() {
                Ok(quick_xml::events::Event::Eof) => break,
                Ok(_) => {}
                Err(e) => panic!("{}: not XML: {e}", path.display()),
            }
        }
        "xml"
    } else if name.starts_with(".env.") {
        for line in text
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        {
            let (key, value) = line
                .split_once('=')
                .unwrap_or_else(|| panic!("{}: not KEY=VALUE: {line}", path.display()));
            assert!(
                key.chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'),
                "{}: bad key {key}",
                path.display()
            );
            // dotenv runs $(…) in unquoted and double-quoted values, and drops the whole file
            // when the command fails.
            assert!(!value.contains("$("), "{}: {line}", path.display());
        }
        "dotenv"
    } else if name.ends_with(".service") {
        let mut section = None;
        for line in text
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        {
            if line.starts_with('[') {
                assert!(line.ends_with(']'), "{}: {line}", path.display());
                section = Some(line.to_string());
            } else {
                assert!(
                    section.is_some(),
                    "{}: key outside a section: {line}",
                    path.display()
                );
                assert!(
                    line.contains('='),
                    "{}: not Key=Value: {line}",
                    path.display()
                );
            }
        }
        "systemd unit"
    } else if name == "ALLOWLIST.txt" {
        for line in text
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        {
            let target = line.split_whitespace().next().unwrap();
            let (host, port) = target.rsplit_once(':').unwrap();
            assert!(!host.is_empty() && port.parse::<u16>().is_ok(), "{line}");
        }
        "allowlist"
    } else if name.ends_with(".md") {
        assert!(text.starts_with("# "), "{}: no title", path.display());
        "markdown"
    } else {
        "other"
    }
}

#[test]
fn every_rendered_file_parses() {
    let brand = TempBrand::acme();
    write(
        &brand.dir.join("secrets/relay-ca.pem"),
        "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ2VydGlmaWNhdGVGb3JUZXN0c09ubHkwCgYIKoZIzj0E\n-----END CERTIFICATE-----\n",
    );
    brand.edit(
        "auto_select = true",
        "auto_select = true\nios_app_download_link = \"https://apps.apple.com/app/id1\"",
    );
    brand.append(
        "[push.network]\nhttps_proxy = \"http://proxy.corp.example:3128\"\napns_relay = \"10.0.0.5\"\nca_bundle = \"file:secrets/relay-ca.pem\"\n",
    );
    brand.apply(&[]).expect(0);
    let mut kinds = std::collections::BTreeSet::new();
    for entry in walkdir::WalkDir::new(&brand.out) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(&brand.out).unwrap();
        let in_app = rel.starts_with("app");
        let env_file = rel.starts_with("app/fastlane")
            && rel
                .file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with(".env.");
        if !entry.file_type().is_file() || (in_app && !env_file) {
            continue;
        }
        if rel.extension().is_some_and(|e| e == "pem" || e == "p8") {
            continue;
        }
        kinds.insert(check(entry.path()));
    }
    for kind in [
        "json",
        "yaml",
        "dotenv",
        "systemd unit",
        "allowlist",
        "markdown",
    ] {
        assert!(kinds.contains(kind), "no {kind} file checked: {kinds:?}");
    }
}
