//! XML 1.0 text, attribute values and comments, and Android string resources.
use std::borrow::Cow;

use anyhow::{bail, Result};

/// `value` as element text: `<`, `>`, `&` and quotes escaped; characters XML 1.0 forbids
/// (control characters other than tab, newline and carriage return) refused, because no
/// escape makes them valid and the consumer's parser would reject the whole file.
pub fn text(value: &str) -> Result<Cow<'_, str>> {
    check_chars(value)?;
    Ok(quick_xml::escape::escape(value))
}

/// `value` as a double- or single-quoted attribute value: like [`text`], and tab, newline
/// and carriage return as character references, since a parser normalises them to spaces.
pub fn attribute(value: &str) -> Result<String> {
    Ok(text(value)?
        .replace('\t', "&#9;")
        .replace('\n', "&#10;")
        .replace('\r', "&#13;"))
}

/// `value` inside `<!-- … -->`: comments have no escapes, so `--` and a trailing `-` (which
/// would end or break the comment) are refused, as are characters XML forbids.
pub fn comment(value: &str) -> Result<&str> {
    check_chars(value)?;
    if value.contains("--") || value.ends_with('-') {
        bail!("contains `--` or ends with `-`, which an XML comment cannot hold");
    }
    Ok(value)
}

/// `value` as the text of an Android `<string>` resource: aapt2 reads backslash escapes,
/// quotes and a leading `@` or `?` (a reference) before XML escaping applies.
pub fn android_string(value: &str) -> Result<String> {
    let android = value
        .replace('\\', "\\\\")
        .replace('\'', "\\'")
        .replace('"', "\\\"")
        .replace('\n', "\\n");
    let escaped = quick_xml::escape::partial_escape(android.as_str()).into_owned();
    check_chars(&escaped)?;
    Ok(match escaped.chars().next() {
        Some('@') | Some('?') => format!("\\{escaped}"),
        _ => escaped,
    })
}

fn check_chars(value: &str) -> Result<()> {
    let forbidden = |c: char| matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}');
    if let Some(c) = value.chars().find(|&c| forbidden(c)) {
        bail!("contains the control character {c:?}, which XML cannot hold");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use quick_xml::events::Event;

    /// The text and the `v` attribute of `<e v="…">…</e>` as a parser reads them back.
    fn read_back(attr: &str, body: &str) -> (String, String) {
        let doc = format!("<!-- c --><e v=\"{attr}\">{body}</e>");
        let mut reader = quick_xml::Reader::from_str(&doc);
        let (mut a, mut t) = (String::new(), String::new());
        loop {
            match reader.read_event().unwrap() {
                Event::Start(e) => {
                    let v = e.try_get_attribute("v").unwrap().unwrap();
                    a = v
                        .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .unwrap()
                        .into_owned();
                }
                Event::Text(x) => {
                    t.push_str(&quick_xml::escape::unescape(&x.xml10_content()).unwrap())
                }
                Event::GeneralRef(r) => {
                    let name = r.xml10_content();
                    t.push_str(&quick_xml::escape::unescape(&format!("&{name};")).unwrap());
                }
                Event::Eof => break,
                _ => {}
            }
        }
        (a, t)
    }

    const HOSTILE: &[&str] = &[
        "$(id) `id` --",
        "<tag attr=\"x\">&amp;</tag> 'single'",
        "100% \\ back",
        "Ünïcödé 😀 ’",
        "a]]>b",
    ];

    #[test]
    fn hostile_values_read_back_literally() {
        for v in HOSTILE {
            let (a, t) = read_back(&attribute(v).unwrap(), &text(v).unwrap());
            assert_eq!((a.as_str(), t.as_str()), (*v, *v));
        }
    }

    #[test]
    fn attribute_keeps_whitespace_that_parsers_would_normalise() {
        assert_eq!(attribute("a\tb\nc").unwrap(), "a&#9;b&#10;c");
    }

    #[test]
    fn control_characters_are_refused() {
        for v in ["bell\u{7}", "nul\0", "esc\u{1b}[0m"] {
            assert!(text(v)
                .unwrap_err()
                .to_string()
                .contains("control character"));
            assert!(attribute(v).is_err());
            assert!(comment(v).is_err());
            assert!(android_string(v).is_err());
        }
    }

    #[test]
    fn comments_refuse_double_dash() {
        assert_eq!(comment("Acme Chat").unwrap(), "Acme Chat");
        assert!(comment("Acme -- Chat").is_err());
        assert!(comment("Acme-").is_err());
    }

    #[test]
    fn android_strings_escape_what_aapt2_reads() {
        assert_eq!(
            android_string("Acme's \"Chat\"").unwrap(),
            r#"Acme\'s \"Chat\""#
        );
        assert_eq!(android_string("@string/x").unwrap(), r"\@string/x");
        assert_eq!(android_string("?attr").unwrap(), r"\?attr");
        assert_eq!(
            android_string("a\\b\nc <&>").unwrap(),
            r"a\\b\nc &lt;&amp;&gt;"
        );
    }
}
