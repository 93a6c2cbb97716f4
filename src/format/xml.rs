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

/// `value` inside `<!-- … -->`. Comments have no escapes and a comment only informs a
/// reader, so `--` (which would end it) becomes `- -` and a trailing `-` gets a space after
/// it, rather than refusing a legitimate name; characters XML forbids are refused.
pub fn comment(value: &str) -> Result<String> {
    check_chars(value)?;
    let mut out = value.to_string();
    while out.contains("--") {
        out = out.replace("--", "- -");
    }
    if out.ends_with('-') {
        out.push(' ');
    }
    Ok(out)
}

/// `value` as the text of an Android `<string>` resource: aapt2 reads backslash escapes,
/// quotes and a leading `@` or `?` (a reference) before XML escaping applies. A value aapt2
/// would reject as a format string is refused ([`check_java_format`]).
pub fn android_string(value: &str) -> Result<String> {
    check_chars(value)?;
    check_java_format(value)?;
    let android = aapt2_escaped(value);
    Ok(reference_escaped(
        quick_xml::escape::partial_escape(android.as_str()).into_owned(),
    ))
}

/// `value` as an attribute of an Android XML resource (app_restrictions.xml's defaults):
/// aapt2 runs attribute values through the same string builder as [`android_string`].
pub fn android_attribute(value: &str) -> Result<String> {
    let android = aapt2_escaped(value);
    Ok(reference_escaped(attribute(&android)?))
}

/// aapt2 checks every translatable `<string>` without `formatted="false"` as a Java format
/// string (`util::VerifyJavaStringFormat`, run on the text after its escapes are read) and
/// fails the build on two or more substitutions when any is non-positional: "Chat %s %d".
///
/// No escape in the text avoids that and still shows the name as typed: `\%` is not an
/// aapt2 escape (it reads as a plain `%`, so the check still sees `%s`), and `%%` passes the
/// check but the launcher shows a label literally, as `%%`. `formatted="false"` would work
/// but is an attribute of upstream's element, not of the value. So the writer refuses
/// exactly what aapt2 refuses (a single `%s`, `100%` or positional `%1$s %2$d` pass), with
/// aapt2's own rules: `%%` and `%n` are not arguments, and a time-format letter after the
/// flags (`%D`, `%k`, ...) makes aapt2 accept the string as a Time.format pattern.
pub fn check_java_format(value: &str) -> Result<()> {
    let c: Vec<char> = value.chars().collect();
    let (mut i, mut args, mut nonpositional) = (0, 0, false);
    while i < c.len() {
        if c[i] == '%' && i + 1 < c.len() {
            i += 1;
            if c[i] == '%' || c[i] == 'n' {
                i += 1;
                continue;
            }
            args += 1;
            let digits = c[i..].iter().take_while(|d| d.is_ascii_digit()).count();
            if digits > 0 {
                i += digits;
                if i < c.len() && c[i] != '$' {
                    nonpositional = true;
                }
            } else if c[i] == '<' {
                nonpositional = true;
                i += 1;
                if i < c.len() && c[i] == '$' {
                    i += 1;
                }
            } else {
                nonpositional = true;
            }
            while i < c.len() && (c[i].is_ascii_digit() || "-#+ ,(".contains(c[i])) {
                i += 1;
            }
            if i < c.len() && "DFKMWZkmwyz".contains(c[i]) {
                return Ok(());
            }
        }
        i += 1;
    }
    if args > 1 && nonpositional {
        bail!("has {args} '%' substitutions, which aapt2 refuses in an Android string resource (\"multiple substitutions specified in non-positional format\"); use at most one '%'");
    }
    Ok(())
}

/// aapt2's backslash escapes: the backslash itself, both quotes, and newline.
fn aapt2_escaped(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('\'', "\\'")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// A leading `@` or `?` would make aapt2 read the value as a reference.
fn reference_escaped(escaped: String) -> String {
    match escaped.chars().next() {
        Some('@') | Some('?') => format!("\\{escaped}"),
        _ => escaped,
    }
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
    fn comments_never_hold_double_dash() {
        assert_eq!(comment("Acme Chat").unwrap(), "Acme Chat");
        assert_eq!(comment("Acme -- Chat").unwrap(), "Acme - - Chat");
        assert_eq!(comment("a---b").unwrap(), "a- - -b");
        assert_eq!(comment("Acme-").unwrap(), "Acme- ");
        for v in ["--", "a---b", "-->", "x-"] {
            let doc = format!("<!--{}--><e/>", comment(v).unwrap());
            let mut reader = quick_xml::Reader::from_str(&doc);
            reader.config_mut().check_comments = true;
            while reader.read_event().unwrap() != Event::Eof {}
        }
    }

    /// aapt2's own cases (tools/aapt2/util/Util_test.cpp, VerifyJavaStringFormat).
    #[test]
    fn java_format_check_passes_aapt2s_tests() {
        for ok in ["%09.34f", "%9$.34f %8$", "%% %%"] {
            assert!(check_java_format(ok).is_ok(), "{ok}");
        }
        for bad in ["%09$f %f", "%09f %08s"] {
            assert!(check_java_format(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn java_format_check_matches_aapt2() {
        for ok in [
            "Acme Chat",
            "100% Chat",
            "Chat %s",
            "%1$s %2$d",
            "50%% off %s",
            "%n%n",
            "%s %D",
            "10% 20%",
        ] {
            assert!(check_java_format(ok).is_ok(), "{ok}");
        }
        for bad in ["Chat %s %d", "%1$s %s", "10% of %s", "%<s %s", "%2s %3d"] {
            assert!(check_java_format(bad).is_err(), "{bad}");
            assert!(android_string(bad).is_err(), "{bad}");
        }
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
        assert_eq!(
            android_attribute("@x \"y\"").unwrap(),
            r"\@x \&quot;y\&quot;"
        );
        assert!(android_attribute("bell\u{7}").is_err());
    }
}
