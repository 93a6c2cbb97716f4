//! Property tests of the brand-file loader: whatever the text, and whatever value a known key
//! holds, loading ends in `Ok` or an `Err` with a message, never a panic.
use std::path::{Path, PathBuf};

use proptest::prelude::*;

use super::Brand;

/// A copy of the example brand (its secrets and override), whose brand.toml each case
/// rewrites.
fn brand_dir() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/brands/acme");
    for entry in walkdir::WalkDir::new(&from) {
        let entry = entry.unwrap();
        let to = tmp.path().join(entry.path().strip_prefix(&from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&to).unwrap();
        } else {
            std::fs::copy(entry.path(), &to).unwrap();
        }
    }
    let file = tmp.path().join("brand.toml");
    (tmp, file)
}

fn example() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/brands/acme/brand.toml");
    std::fs::read_to_string(path).unwrap()
}

/// The `key = value` lines of the example, by key, whose values a case replaces.
const KEYS: &[&str] = &[
    "name",
    "display_name",
    "repo",
    "url",
    "name",
    "auto_select",
    "ShowOnboarding",
    "override",
    "bundle_id",
    "team_id",
    "aps_environment",
    "package",
    "google_services",
    "app",
    "auth",
    "proxy_url",
    "contents",
    "auth_key",
    "key_id",
    "service_account",
    "domains",
    "android_cert_sha256",
    "allow_other_servers",
    "copy_and_paste_protection",
    "vendor",
];

/// Any TOML value, written as TOML.
fn arb_value() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        any::<String>().prop_map(|s| toml::Value::String(s).to_string()),
        "[a-z:/.\\-]{0,20}".prop_map(|s| toml::Value::String(s).to_string()),
        any::<i64>().prop_map(|n| n.to_string()),
        any::<f64>().prop_map(|f| toml::Value::Float(f).to_string()),
        any::<bool>().prop_map(|b| b.to_string()),
    ];
    leaf.prop_recursive(3, 12, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(|v| format!("[{}]", v.join(", "))),
            prop::collection::vec(("[a-z]{1,5}", inner), 0..3).prop_map(|v| {
                let pairs: Vec<String> = v.into_iter().map(|(k, x)| format!("{k} = {x}")).collect();
                format!("{{ {} }}", pairs.join(", "))
            }),
        ]
    })
}

/// The example with the value of the `nth` line starting `key =` replaced.
fn with_value(text: &str, key: &str, value: &str) -> String {
    let prefix = format!("{key} = ");
    text.lines()
        .map(|line| match line.strip_prefix(&prefix) {
            Some(_) => format!("{prefix}{value}"),
            None => line.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn load(file: &Path, text: &str) {
    std::fs::write(file, text).unwrap();
    // Ok or Err are both fine; a panic fails the property.
    let _ = Brand::load(file);
}

proptest! {
    #![proptest_config(crate::testing::cases(64))]

    #[test]
    fn any_value_of_a_known_key_loads_or_is_refused(
        key in prop::sample::select(KEYS),
        value in arb_value(),
    ) {
        let (_tmp, file) = brand_dir();
        load(&file, &with_value(&example(), key, &value));
    }

    #[test]
    fn any_cut_or_insertion_loads_or_is_refused(
        at in 0usize..4000,
        insert in "\\PC{0,8}",
        cut in 0usize..40,
    ) {
        let (_tmp, file) = brand_dir();
        let text = example();
        let at = text.char_indices().map(|(i, _)| i).find(|i| *i >= at.min(text.len())).unwrap_or(text.len());
        let end = text[at..].char_indices().map(|(i, _)| at + i).nth(cut).unwrap_or(text.len());
        load(&file, &format!("{}{insert}{}", &text[..at], &text[end..]));
    }

    #[test]
    fn any_text_loads_or_is_refused(text in "\\PC{0,300}") {
        let (_tmp, file) = brand_dir();
        load(&file, &text);
    }
}
