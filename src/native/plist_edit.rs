//! In-place, textual edits of Xcode's XML property lists (Info.plist, .entitlements).
//!
//! Re-serialising with the `plist` crate rewrites lines nobody asked to change (`device's`
//! becomes `device&apos;s`, the final newline comes or goes), so a branded checkout's diff
//! drowns in noise. Here quick-xml only locates element spans; an edit splices the new value's
//! text over the old value's bytes, so everything else stays byte-identical.
use std::ops::Range;

use anyhow::{anyhow, bail, Result};
use quick_xml::escape::{partial_escape, unescape};

use super::text_edit::{line_indent, newline};
use super::xml_spans::{self, Element};
use crate::error::AnchorError;

/// A value to write: a string, or an array of strings, or a bool.
#[derive(Debug, Clone)]
pub enum PlistValue<'a> {
    String(&'a str),
    Strings(Vec<&'a str>),
    Bool(bool),
}

/// A `<key>` of a dict and the value element after it.
struct Entry<'e> {
    name: String,
    key: &'e Element,
    value: &'e Element,
}

/// Sets `key` in the top-level <dict> of the XML plist `text` to `value`, replacing only the
/// value element that follows `<key>key</key>`. Error (anyhow, message names `file` and the key)
/// if the key is absent, or the document is not an XML plist with a top-level dict.
pub fn set_top_level(text: &str, key: &str, value: PlistValue, file: &str) -> Result<String> {
    let root = parse(text, file)?;
    match find(text, top_dict(&root, file)?, key, file)? {
        Some(entry) => Ok(replace_value(text, &entry, &value)),
        None => Err(
            AnchorError::new(file, format!("the key {key} in the top-level dict"), "none").into(),
        ),
    }
}

/// Inserts `key` = `value` at the end of the top-level dict if absent, else like set_top_level.
pub fn upsert_top_level(text: &str, key: &str, value: PlistValue, file: &str) -> Result<String> {
    let root = parse(text, file)?;
    let dict = top_dict(&root, file)?;
    let entries = entries(text, dict, file)?;
    if let Some(entry) = entries.iter().find(|e| e.name == key) {
        return Ok(replace_value(text, entry, &value));
    }
    // Indent like the dict's other keys; an empty dict gets one tab more than its own line.
    let indent = match entries.last() {
        Some(last) => line_indent(text, last.key.outer.start).to_string(),
        None => format!("{}\t", line_indent(text, dict.outer.start)),
    };
    let nl = newline(text);
    let rendered = render(&value, &indent, nl);
    let entry = format!(
        "{nl}{indent}<key>{}</key>{nl}{indent}{rendered}",
        partial_escape(key)
    );
    Ok(match entries.last() {
        Some(last) => splice(text, last.value.outer.end..last.value.outer.end, &entry),
        None if dict.self_closing() => {
            let close = format!("{nl}{}</dict>", line_indent(text, dict.outer.start));
            splice(text, dict.outer.clone(), &format!("<dict>{entry}{close}"))
        }
        None => splice(text, dict.inner.start..dict.inner.start, &entry),
    })
}

/// In the top-level array `array_key` (e.g. CFBundleURLTypes), finds the <dict> element whose
/// `match_key` string equals `match_value` (e.g. CFBundleURLName = "com.mattermost") and sets
/// `key` inside that dict (must exist) to `value`.
pub fn set_in_array_dict(
    text: &str,
    array_key: &str,
    match_key: &str,
    match_value: &str,
    key: &str,
    value: PlistValue,
    file: &str,
) -> Result<String> {
    let root = parse(text, file)?;
    let array = match find(text, top_dict(&root, file)?, array_key, file)? {
        Some(entry) if entry.value.name == "array" => entry.value,
        _ => {
            return Err(AnchorError::new(
                file,
                format!("the key {array_key} with an <array> in the top-level dict"),
                "none",
            )
            .into())
        }
    };
    let mut matching = Vec::new();
    for item in array.children.iter().filter(|c| c.name == "dict") {
        if let Some(found) = find(text, item, match_key, file)? {
            if found.value.name == "string" && leaf_text(text, found.value, file)? == match_value {
                matching.push(item);
            }
        }
    }
    // Exactly one: two entries with the same name would make the edit ambiguous.
    let [item] = matching[..] else {
        return Err(AnchorError::new(
            file,
            format!("one {array_key} entry whose {match_key} is {match_value:?} (to set {key})"),
            format!("{}", matching.len()),
        )
        .into());
    };
    match find(text, item, key, file)? {
        Some(entry) => Ok(replace_value(text, &entry, &value)),
        None => Err(AnchorError::new(
            file,
            format!("the key {key} in the {array_key} entry {match_value:?}"),
            "none",
        )
        .into()),
    }
}

/// The element tree with byte spans (`xml_spans`): declaration, DOCTYPE, comments and
/// whitespace are skipped, so splicing keeps them as they are.
fn parse(text: &str, file: &str) -> Result<Element> {
    xml_spans::parse(text, file)
}

/// The `<dict>` directly under `<plist>`: the dict whose keys the edits address.
fn top_dict<'e>(root: &'e Element, file: &str) -> Result<&'e Element> {
    match root.children.as_slice() {
        [dict] if root.name == "plist" && dict.name == "dict" => Ok(dict),
        _ => Err(AnchorError::new(
            file,
            "an XML property list with a top-level <dict>",
            format!(
                "<{}> with {} child element(s)",
                root.name,
                root.children.len()
            ),
        )
        .into()),
    }
}

/// A dict's direct key/value pairs, so keys of nested dicts never match.
fn entries<'e>(text: &str, dict: &'e Element, file: &str) -> Result<Vec<Entry<'e>>> {
    dict.children
        .chunks(2)
        .map(|pair| match pair {
            [key, value] if key.name == "key" => Ok(Entry {
                name: leaf_text(text, key, file)?,
                key,
                value,
            }),
            _ => bail!(
                "{file}: malformed <dict> at byte {}: expected <key> then a value",
                pair[0].outer.start
            ),
        })
        .collect()
}

/// The direct entry named `key` of `dict`, if any.
fn find<'e>(text: &str, dict: &'e Element, key: &str, file: &str) -> Result<Option<Entry<'e>>> {
    Ok(entries(text, dict, file)?
        .into_iter()
        .find(|e| e.name == key))
}

/// The unescaped text of a `<key>` or `<string>` (these have no child elements).
fn leaf_text(text: &str, element: &Element, file: &str) -> Result<String> {
    let raw = &text[element.inner.clone()];
    if !element.children.is_empty() {
        bail!(
            "{file}: <{}> at byte {} has child elements",
            element.name,
            element.outer.start
        );
    }
    Ok(unescape(raw)
        .map_err(|e| anyhow!("{file}: bad escape in <{}> {raw:?}: {e}", element.name))?
        .into_owned())
}

/// Splices the rendered `value` over the entry's value, indented like its `<key>` line. An
/// identical rendering splices identical bytes, so the text comes back unchanged.
fn replace_value(text: &str, entry: &Entry, value: &PlistValue) -> String {
    let indent = line_indent(text, entry.key.outer.start);
    let rendered = render(value, indent, newline(text));
    splice(text, entry.value.outer.clone(), &rendered)
}

/// `text` with the bytes of `span` replaced by `new`; all other bytes are kept as they are.
fn splice(text: &str, span: Range<usize>, new: &str) -> String {
    format!("{}{new}{}", &text[..span.start], &text[span.end..])
}

/// Xcode's rendering: tab indents, items one level deeper than the key, and only `&`, `<`, `>`
/// escaped (Xcode leaves quotes and apostrophes alone).
fn render(value: &PlistValue, indent: &str, nl: &str) -> String {
    let string = |s: &str| format!("<string>{}</string>", partial_escape(s));
    match value {
        PlistValue::String(s) => string(s),
        PlistValue::Bool(true) => "<true/>".into(),
        PlistValue::Bool(false) => "<false/>".into(),
        PlistValue::Strings(items) if items.is_empty() => "<array/>".into(),
        PlistValue::Strings(items) => {
            let lines: String = items
                .iter()
                .map(|s| format!("{indent}\t{}{nl}", string(s)))
                .collect();
            format!("<array>{nl}{lines}{indent}</array>")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use PlistValue::{Bool, String as Str, Strings};

    /// A realistic Info.plist (indented with 4 spaces here, tabs in the document): an
    /// apostrophe, a build-setting value, two URL types, a nested dict holding a top-level key
    /// name *before* the top-level key, a comment, self-closing values, no final newline.
    fn info() -> String {
        r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
    <key>CFBundleAlternateIcons</key>
    <dict>
        <key>CFBundleDisplayName</key>
        <string>nested</string>
    </dict>
    <key>CFBundleDisplayName</key>
    <string>Mattermost Beta</string>
    <key>CFBundleIdentifier</key>
    <string>$(PRODUCT_BUNDLE_IDENTIFIER)</string>
    <key>CFBundleURLTypes</key>
    <array>
        <dict>
            <key>CFBundleURLName</key>
            <string>com.mattermost</string>
            <key>CFBundleURLSchemes</key>
            <array>
                <string>mattermost</string>
                <string>mmauthbeta</string>
            </array>
        </dict>
        <dict>
            <key>CFBundleURLName</key>
            <string>other</string>
            <key>CFBundleURLSchemes</key>
            <array/>
        </dict>
    </array>
    <!-- a comment -->
    <key>NSMicrophoneUsageDescription</key>
    <string>Enabling access to your device's microphones</string>
    <key>UIFileSharingEnabled</key>
    <true/>
    <key>AppGroupIdentifier</key>
    <string/>
</dict>
</plist>"#
            .replace("    ", "\t")
    }

    /// `info()` with one exact `old` fragment (4-space indents) replaced by `new`.
    fn info_with(old: &str, new: &str) -> String {
        let (old, new) = (old.replace("    ", "\t"), new.replace("    ", "\t"));
        assert_eq!(info().matches(&old).count(), 1, "{old}");
        info().replacen(&old, &new, 1)
    }

    fn parsed(text: &str) -> plist::Dictionary {
        let value = plist::Value::from_reader_xml(text.as_bytes()).unwrap();
        value.into_dictionary().unwrap()
    }

    /// Sets the URL schemes of the URL type named `url_name`.
    fn set_schemes(text: &str, url_name: &str, schemes: Vec<&str>) -> Result<String> {
        let (array, name, key) = ("CFBundleURLTypes", "CFBundleURLName", "CFBundleURLSchemes");
        set_in_array_dict(text, array, name, url_name, key, Strings(schemes), "f")
    }

    fn scheme_count(dict: &plist::Dictionary, i: usize) -> usize {
        let url_type = dict["CFBundleURLTypes"].as_array().unwrap()[i].as_dictionary();
        url_type.unwrap()["CFBundleURLSchemes"]
            .as_array()
            .unwrap()
            .len()
    }

    #[test]
    fn sets_a_top_level_string_not_the_nested_one() {
        let out = set_top_level(&info(), "CFBundleDisplayName", Str("Acme"), "f").unwrap();
        let want = info_with("<string>Mattermost Beta</string>", "<string>Acme</string>");
        assert_eq!(out, want);
        let dict = parsed(&out);
        assert_eq!(dict["CFBundleDisplayName"].as_string(), Some("Acme"));
        let nested = dict["CFBundleAlternateIcons"].as_dictionary().unwrap();
        assert_eq!(nested["CFBundleDisplayName"].as_string(), Some("nested"));
    }

    #[test]
    fn sets_bools_and_self_closing_and_nested_values() {
        let out = set_top_level(&info(), "UIFileSharingEnabled", Bool(false), "f").unwrap();
        assert_eq!(out, info_with("<true/>", "<false/>"));
        let out = set_top_level(&info(), "AppGroupIdentifier", Str("group.acme"), "f").unwrap();
        assert_eq!(out, info_with("<string/>", "<string>group.acme</string>"));
        // A nested dict value is replaced whole, through its matching </dict>.
        let out = set_top_level(&info(), "CFBundleAlternateIcons", Bool(true), "f").unwrap();
        let old = "<dict>\n        <key>CFBundleDisplayName</key>\n        <string>nested</string>\n    </dict>";
        assert_eq!(out, info_with(old, "<true/>"));
        assert_eq!(
            parsed(&out)["CFBundleAlternateIcons"].as_boolean(),
            Some(true)
        );
    }

    #[test]
    fn sets_string_arrays_in_the_matching_url_type() {
        let out = set_schemes(&info(), "com.mattermost", vec!["acme", "acmeauth"]).unwrap();
        let want = info_with(
            "<string>mattermost</string>\n                <string>mmauthbeta</string>",
            "<string>acme</string>\n                <string>acmeauth</string>",
        );
        assert_eq!(out, want);
        // `<array/>` in the second entry becomes a full array at the key's indent.
        let out = set_schemes(&info(), "other", vec!["acme", "acmeauth"]).unwrap();
        let full = "<array>\n                <string>acme</string>\n                <string>acmeauth</string>\n            </array>";
        assert_eq!(out, info_with("<array/>\n", &format!("{full}\n")));
        let dict = parsed(&out);
        assert_eq!((scheme_count(&dict, 0), scheme_count(&dict, 1)), (2, 2));
        // And back to empty.
        assert_eq!(set_schemes(&out, "other", vec![]).unwrap(), info());
    }

    #[test]
    fn unchanged_values_return_identical_text() {
        let text = info();
        let same = set_top_level(&text, "CFBundleDisplayName", Str("Mattermost Beta"), "f");
        assert_eq!(same.unwrap(), text);
        let same = set_schemes(&text, "com.mattermost", vec!["mattermost", "mmauthbeta"]);
        assert_eq!(same.unwrap(), text);
        let same = upsert_top_level(&text, "UIFileSharingEnabled", Bool(true), "f").unwrap();
        assert_eq!(same, text);
    }

    #[test]
    fn missing_keys_and_non_plists_are_errors_naming_file_and_key() {
        let err = set_top_level(&info(), "NoSuchKey", Bool(true), "ios/Info.plist").unwrap_err();
        assert!(
            err.to_string().contains("ios/Info.plist") && err.to_string().contains("NoSuchKey")
        );
        // Only in a nested dict: still absent at the top level.
        let err = set_top_level(&info(), "CFBundleURLName", Bool(true), "x").unwrap_err();
        assert!(err.to_string().contains("CFBundleURLName"), "{err}");
        let err = set_schemes(&info(), "nope", vec![])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("nope") && err.contains("CFBundleURLSchemes"),
            "{err}"
        );
        for bad in [
            "",
            "bplist00",
            "<plist><array/></plist>",
            "<dict></dict>",
            "<plist><dict>",
        ] {
            let err = set_top_level(bad, "K", Bool(true), "bad.plist").unwrap_err();
            assert!(err.to_string().starts_with("bad.plist: "), "{bad}: {err}");
        }
    }

    #[test]
    fn upsert_inserts_at_the_end_of_the_top_level_dict() {
        // CFBundleURLName is only in nested dicts, Groups nowhere: both are added at the top.
        let out = upsert_top_level(&info(), "CFBundleURLName", Str("x"), "f").unwrap();
        let out = upsert_top_level(&out, "Groups", Strings(vec!["g"]), "f").unwrap();
        let want = info_with(
            "<string/>\n</dict>",
            "<string/>\n    <key>CFBundleURLName</key>\n    <string>x</string>\n    <key>Groups</key>\n    <array>\n        <string>g</string>\n    </array>\n</dict>",
        );
        assert_eq!(out, want);
        assert_eq!(parsed(&out)["CFBundleURLName"].as_string(), Some("x"));
        let out = upsert_top_level("<plist>\n<dict/>\n</plist>\n", "K", Bool(true), "f").unwrap();
        assert_eq!(
            out,
            "<plist>\n<dict>\n\t<key>K</key>\n\t<true/>\n</dict>\n</plist>\n"
        );
        let out =
            upsert_top_level("<plist>\n<dict>\n</dict>\n</plist>", "K", Bool(false), "f").unwrap();
        assert_eq!(
            out,
            "<plist>\n<dict>\n\t<key>K</key>\n\t<false/>\n</dict>\n</plist>"
        );
    }

    #[test]
    fn escapes_only_markup_and_round_trips() {
        let value = r#"A & B <C> 'd' "e""#;
        let out = set_top_level(&info(), "CFBundleDisplayName", Str(value), "f").unwrap();
        let line = r#"<string>A &amp; B &lt;C&gt; 'd' "e"</string>"#;
        assert_eq!(out, info_with("<string>Mattermost Beta</string>", line));
        assert_eq!(parsed(&out)["CFBundleDisplayName"].as_string(), Some(value));
        // Matching compares unescaped text.
        let out = set_top_level(&out, "CFBundleDisplayName", Str(value), "f").unwrap();
        assert!(out.contains(line));
    }

    #[test]
    fn keeps_crlf_line_endings_and_a_bom() {
        let crlf = format!("\u{feff}{}", info().replace('\n', "\r\n"));
        let out = set_top_level(&crlf, "UIFileSharingEnabled", Strings(vec!["a"]), "f").unwrap();
        let want = info_with(
            "<true/>",
            "<array>\n        <string>a</string>\n    </array>",
        );
        assert_eq!(out, format!("\u{feff}{}", want.replace('\n', "\r\n")));
    }

    /// The `n` lines after the line `\t<key>{key}</key>`, and all the other lines in order.
    fn split_value(text: &str, key: &str, n: usize) -> (Vec<String>, Vec<String>) {
        let mut lines: Vec<String> = text.split('\n').map(String::from).collect();
        let at = lines
            .iter()
            .position(|l| *l == format!("\t<key>{key}</key>"));
        let at = at.unwrap() + 1;
        (lines.drain(at..at + n).collect(), lines)
    }

    #[test]
    fn edits_only_the_value_lines_of_upstream_files() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/upstream/mattermost-mobile/ios");
        let Ok(targets) = std::fs::read_dir(&dir) else {
            assert!(
                std::env::var_os("CI").is_none(),
                "{} is absent and CI is set",
                dir.display()
            );
            eprintln!("SKIPPED: {} is absent", dir.display());
            return;
        };
        let files = targets.flat_map(|t| std::fs::read_dir(t.unwrap().path()).unwrap());
        for file in files.map(|f| f.unwrap().path()) {
            let name = file.display().to_string();
            let (key, new) = if name.ends_with("Info.plist") {
                ("CFBundleDisplayName", Str("Acme Chat"))
            } else if name.ends_with(".entitlements") {
                let groups = vec!["group.com.acme.chat"];
                ("com.apple.security.application-groups", Strings(groups))
            } else {
                continue;
            };
            let text = std::fs::read_to_string(&file).unwrap();
            let before = parsed(&text);
            let old = match &before[key] {
                plist::Value::String(s) => Str(s),
                plist::Value::Array(a) => {
                    Strings(a.iter().map(|v| v.as_string().unwrap()).collect())
                }
                other => panic!("{name}: {key} is {other:?}"),
            };
            // Xcode's own layout of the old value must be exactly what `render` writes.
            let lines = |v: &PlistValue| -> Vec<String> {
                let value = format!("\t{}", render(v, "\t", "\n"));
                value.split('\n').map(String::from).collect()
            };
            let (old_lines, new_lines) = (lines(&old), lines(&new));
            let out = set_top_level(&text, key, new, &name).unwrap();
            let (removed, rest_before) = split_value(&text, key, old_lines.len());
            let (added, rest_after) = split_value(&out, key, new_lines.len());
            assert_eq!((removed, added), (old_lines, new_lines), "{name}");
            assert_eq!(
                rest_before, rest_after,
                "{name}: other lines, final newline included"
            );
            let mut after = parsed(&out);
            after.insert(key.into(), before[key].clone());
            assert_eq!(after, before, "{name}: only {key} changed");
        }
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        /// Any string a plist can hold: XML 1.0 characters, with the specials likely.
        fn arb_text() -> impl Strategy<Value = String> {
            prop_oneof![
                "[<>&'\"a-z ]{0,12}",
                "\\PC{0,12}",
                "[\r\n\t a<&]{0,6}",
                Just("]]>&amp;<![CDATA[".to_string()),
            ]
            .prop_map(|s| s.chars().filter(|c| xml_char(*c)).collect())
        }

        fn xml_char(c: char) -> bool {
            // XML 1.0 forbids most control characters; \r is normalised by parsers.
            matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && !matches!(c, '\u{FFFE}' | '\u{FFFF}'))
        }

        proptest! {
            #![proptest_config(crate::testing::cases(128))]

            #[test]
            fn a_set_string_reads_back_exactly_and_nothing_else_changes(value in arb_text()) {
                let before = parsed(&info());
                let out = set_top_level(&info(), "CFBundleDisplayName", PlistValue::String(&value), "f").unwrap();
                let after = parsed(&out);
                prop_assert_eq!(after["CFBundleDisplayName"].as_string(), Some(value.as_str()));
                for (key, old) in &before {
                    if key != "CFBundleDisplayName" {
                        prop_assert_eq!(Some(old), after.get(key), "{}", key);
                    }
                }
            }

            #[test]
            fn an_inserted_key_and_strings_read_back_exactly(
                key in arb_text().prop_filter("a key", |k| !k.is_empty()),
                values in prop::collection::vec(arb_text(), 0..4),
            ) {
                let text = info();
                prop_assume!(!parsed(&text).contains_key(&key));
                let refs: Vec<&str> = values.iter().map(std::string::String::as_str).collect();
                let out = upsert_top_level(&text, &key, Strings(refs), "f").unwrap();
                let after = parsed(&out);
                let read: Vec<&str> = after[key.as_str()]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_string().unwrap())
                    .collect();
                prop_assert_eq!(read, values.iter().map(std::string::String::as_str).collect::<Vec<_>>());
                prop_assert_eq!(after.len(), parsed(&text).len() + 1);
            }
        }
    }
}
