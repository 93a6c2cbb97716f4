//! Structured files compared by what they say rather than by their bytes.
//!
//! The steps after `apply` rewrite files mmbrand wrote without changing their content:
//! upstream's postinstall re-generates `dist/assets/*.json` with Node's formatting, the
//! `configure` lane saves config.json with Ruby's, fastlane's plist actions re-serialise
//! Info.plists and entitlements, Xcodeproj re-writes the project. `verify` must accept those
//! and still name a real change by key path, with the value expected and the value found.
use std::path::Path;

use anyhow::{bail, Context, Result};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::format::hex::lower as hex;

/// How a file's content is read, by its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Json,
    /// XML (or binary) property lists: Info.plist, entitlements.
    Plist,
    /// The Xcode project, an OpenStep-style property list.
    Pbxproj,
    /// Android XML (manifest, resources): fastlane's Android actions re-serialise these
    /// through Nokogiri (XML declaration added, non-ASCII as character references).
    Xml,
}

pub fn kind_of(path: &Path) -> Option<Kind> {
    match path.extension()?.to_str()? {
        "json" => Some(Kind::Json),
        "plist" | "entitlements" => Some(Kind::Plist),
        "pbxproj" => Some(Kind::Pbxproj),
        "xml" => Some(Kind::Xml),
        _ => None,
    }
}

/// The content of a structured file as a JSON value (property lists converted).
pub fn parse(kind: Kind, bytes: &[u8], shown: &str) -> Result<Value> {
    match kind {
        Kind::Pbxproj => crate::depth::check_brackets(bytes, shown)?,
        Kind::Xml => crate::depth::check_xml(bytes, shown)?,
        // serde_json has its own limit; property lists are checked by plist_value.
        Kind::Json | Kind::Plist => {}
    }
    let value = match kind {
        Kind::Json => {
            serde_json::from_slice(bytes).with_context(|| format!("{shown}: not valid JSON"))?
        }
        Kind::Plist => plist_to_json(plist_value(bytes, shown)?),
        Kind::Pbxproj => plist_to_json(
            plist::Value::from_reader_ascii(bytes)
                .with_context(|| format!("{shown}: not a readable Xcode project"))?,
        ),
        Kind::Xml => xml_to_json(bytes).with_context(|| format!("{shown}: not well-formed XML"))?,
    };
    Ok(value)
}

/// A property list (XML or binary), its nesting bounded first: the plist crate builds and
/// drops its tree recursively.
pub fn plist_value(bytes: &[u8], shown: &str) -> Result<plist::Value> {
    crate::depth::check_xml(bytes, shown)?;
    plist::Value::from_reader(std::io::Cursor::new(bytes)).map_err(|e| {
        anyhow::anyhow!(
            "{shown}: not a readable property list ({e}); check the file in the upstream checkout"
        )
    })
}

/// [`plist_value`] of a file.
pub fn read_plist(path: &Path) -> Result<plist::Value> {
    plist_value(&crate::fsutil::read(path)?, &path.display().to_string())
}

/// An XML document as nested `{"<tag>": {"@attr": value, "#": [children]}}` objects. What
/// serialisers choose freely is dropped: the declaration, comments, whitespace between
/// elements, attribute order and quoting, and how characters are escaped.
fn xml_to_json(bytes: &[u8]) -> Result<Value> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_reader(bytes);
    // The open elements: (tag, attributes, children).
    let mut stack: Vec<(String, serde_json::Map<String, Value>, Vec<Value>)> =
        vec![(String::new(), serde_json::Map::new(), Vec::new())];
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf)? {
            Event::Start(e) => stack.push(open_element(&e)?),
            Event::Empty(e) => {
                let (tag, attrs, children) = open_element(&e)?;
                push_child(&mut stack, element(tag, attrs, children));
            }
            Event::End(_) => {
                let (tag, attrs, children) = stack.pop().context("unbalanced end tag")?;
                if stack.is_empty() {
                    bail!("unbalanced end tag");
                }
                push_child(&mut stack, element(tag, attrs, children));
            }
            Event::Text(t) => {
                let text = t.xml10_content();
                let text = quick_xml::escape::unescape(&text)?;
                if !text.trim().is_empty() {
                    push_child(&mut stack, Value::String(text.into_owned()));
                }
            }
            Event::GeneralRef(r) => {
                let name = r.xml10_content();
                let text = match r.resolve_char_ref()? {
                    Some(c) => c.to_string(),
                    None => quick_xml::escape::unescape(&format!("&{name};"))?.into_owned(),
                };
                push_child(&mut stack, Value::String(text));
            }
            Event::CData(c) => {
                push_child(&mut stack, Value::String(c.xml10_content().into_owned()))
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    let (_, _, children) = stack.pop().context("unbalanced document")?;
    if !stack.is_empty() {
        bail!("unclosed element");
    }
    Ok(Value::Array(children))
}

fn open_element(
    e: &quick_xml::events::BytesStart,
) -> Result<(String, serde_json::Map<String, Value>, Vec<Value>)> {
    let tag = e.name().as_ref().to_string();
    let mut attrs = serde_json::Map::new();
    for a in e.attributes() {
        let a = a?;
        let key = format!("@{}", a.key.as_ref());
        attrs.insert(
            key,
            Value::String(
                a.normalized_value(quick_xml::XmlVersion::Implicit1_0)?
                    .into_owned(),
            ),
        );
    }
    Ok((tag, attrs, Vec::new()))
}

/// Text split by character references is joined back, so `a&#x2F;b` equals `a/b`.
fn push_child(stack: &mut [(String, serde_json::Map<String, Value>, Vec<Value>)], child: Value) {
    let Some((_, _, children)) = stack.last_mut() else {
        return;
    };
    if let (Some(Value::String(prev)), Value::String(next)) = (children.last_mut(), &child) {
        prev.push_str(next);
        return;
    }
    children.push(child);
}

fn element(tag: String, mut attrs: serde_json::Map<String, Value>, children: Vec<Value>) -> Value {
    if !children.is_empty() {
        attrs.insert("#".into(), Value::Array(children));
    }
    let mut map = serde_json::Map::new();
    map.insert(tag, Value::Object(attrs));
    Value::Object(map)
}

fn plist_to_json(value: plist::Value) -> Value {
    match value {
        plist::Value::Dictionary(d) => {
            Value::Object(d.into_iter().map(|(k, v)| (k, plist_to_json(v))).collect())
        }
        plist::Value::Array(a) => Value::Array(a.into_iter().map(plist_to_json).collect()),
        plist::Value::Boolean(b) => Value::Bool(b),
        plist::Value::String(s) => Value::String(s),
        plist::Value::Integer(i) => i
            .as_signed()
            .map(Value::from)
            .or_else(|| i.as_unsigned().map(Value::from))
            .unwrap_or(Value::Null),
        plist::Value::Real(r) => serde_json::Number::from_f64(r).map_or(Value::Null, Value::Number),
        plist::Value::Date(d) => Value::String(d.to_xml_format()),
        plist::Value::Data(bytes) => Value::String(crate::fsutil::sha256_hex(&bytes)),
        plist::Value::Uid(u) => Value::from(u.get()),
        _ => Value::Null,
    }
}

/// sha256 of the content with object keys sorted: equal for equal content in any formatting.
pub fn digest(value: &Value) -> String {
    let mut hasher = Sha256::new();
    feed(value, &mut hasher);
    hex(&hasher.finalize())
}

fn feed(value: &Value, h: &mut Sha256) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            h.update(b"{");
            for k in keys {
                h.update(serde_json::to_string(k).unwrap_or_default().as_bytes());
                h.update(b":");
                feed(&map[k], h);
                h.update(b",");
            }
            h.update(b"}");
        }
        Value::Array(items) => {
            h.update(b"[");
            for v in items {
                feed(v, h);
                h.update(b",");
            }
            h.update(b"]");
        }
        scalar => h.update(scalar.to_string().as_bytes()),
    }
}

/// Digest of a structured file's content, or None when the name says it is not structured.
pub fn file_digest(path: &Path) -> Result<Option<String>> {
    let Some(kind) = kind_of(path) else {
        return Ok(None);
    };
    let bytes = crate::fsutil::read(path)?;
    let value = parse(kind, &bytes, &path.display().to_string())?;
    Ok(Some(digest(&value)))
}

/// What differs between the expected and the found content, one line per key path
/// (`/CFBundleDisplayName: expected "Acme Chat", found "Mattermost"`).
pub fn differences(expected: &Value, found: &Value) -> Vec<String> {
    let patch = json_patch::diff(expected, found);
    patch
        .0
        .iter()
        .map(|op| match op {
            json_patch::PatchOperation::Add(a) => {
                format!("{}: not expected, found {}", a.path, short(&a.value))
            }
            json_patch::PatchOperation::Remove(r) => format!(
                "{}: expected {}, found nothing",
                r.path,
                short(expected.pointer(r.path.as_str()).unwrap_or(&Value::Null))
            ),
            json_patch::PatchOperation::Replace(r) => format!(
                "{}: expected {}, found {}",
                r.path,
                short(expected.pointer(r.path.as_str()).unwrap_or(&Value::Null)),
                short(&r.value)
            ),
            other => format!("{other:?}"),
        })
        .collect()
}

/// A value for a message, cut to a readable length.
fn short(value: &Value) -> String {
    let text = value.to_string();
    match text.char_indices().nth(80) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text,
    }
}

/// Parses `bytes` as the structured kind of `path`; an error if the name is not structured.
pub fn parse_as(path: &Path, bytes: &[u8]) -> Result<Value> {
    match kind_of(path) {
        Some(kind) => parse(kind, bytes, &path.display().to_string()),
        None => bail!("{}: not a structured file", path.display()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn formatting_and_key_order_do_not_matter() {
        let a = parse(Kind::Json, br#"{"a": 1, "b": [true, "x"]}"#, "a").unwrap();
        let b = parse(
            Kind::Json,
            b"{\n  \"b\": [ true, \"x\" ],\n  \"a\": 1\n}\n",
            "b",
        )
        .unwrap();
        assert_eq!(digest(&a), digest(&b));
        let c = parse(Kind::Json, br#"{"a": 2, "b": [true, "x"]}"#, "c").unwrap();
        assert_ne!(digest(&a), digest(&c));
    }

    #[test]
    fn differences_name_the_key_path() {
        let expected = json!({"AuthUrlScheme": "acmeauth://", "Nested": {"k": 1}});
        let found = json!({"AuthUrlScheme": "mmauthbeta://", "Nested": {}});
        assert_eq!(
            differences(&expected, &found),
            vec![
                "/AuthUrlScheme: expected \"acmeauth://\", found \"mmauthbeta://\"",
                "/Nested/k: expected 1, found nothing",
            ]
        );
    }

    #[test]
    fn xml_as_nokogiri_rewrites_it_is_the_same_content() {
        let ours = "<resources>\n    <!-- c -->\n    <string name='a'>Acme’s &amp; x&#x2F;y</string>\n    <empty  />\n</resources>";
        let theirs = "<?xml version=\"1.0\"?>\n<resources>\n    <string name=\"a\">Acme&#x2019;s &amp; x/y</string>\n    <empty/>\n</resources>\n";
        let a = parse(Kind::Xml, ours.as_bytes(), "a").unwrap();
        let b = parse(Kind::Xml, theirs.as_bytes(), "b").unwrap();
        assert_eq!(a, b);
        let changed = theirs.replace("Acme", "Other");
        let c = parse(Kind::Xml, changed.as_bytes(), "c").unwrap();
        assert_eq!(
            differences(&a, &c),
            vec!["/0/resources/#/0/string/#/0: expected \"Acme’s & x/y\", found \"Other’s & x/y\""]
        );
        assert!(parse(Kind::Xml, b"<a><b></a>", "d").is_err());
    }

    #[test]
    fn pbxproj_is_read_as_an_openstep_plist() {
        let text = b"// !$*UTF8*$!\n{\n\tobjects = {\n/* Begin */\n\t\tA1 /* x */ = {isa = PBXProject; name = \"My App\"; };\n\t};\n}\n";
        let v = parse(Kind::Pbxproj, text, "p").unwrap();
        assert_eq!(v.pointer("/objects/A1/name"), Some(&json!("My App")));
    }
}
