//! Nesting limits for structured files. Parsers and the code walking their results recurse
//! once per level (and so does dropping the tree), so a file nested 100 000 deep would
//! overflow the stack and abort the process; real files nest a dozen levels. serde_json
//! stops at 128 by itself; XML, property lists and the Xcode project are checked here first.
use anyhow::{bail, Result};

/// The deepest nesting accepted, as serde_json's recursion limit.
pub const MAX_DEPTH: usize = 128;

/// An error when an XML document (Android XML, an XML property list) nests elements deeper
/// than [`MAX_DEPTH`]. Malformed XML is left to the real parser to report.
pub fn check_xml(bytes: &[u8], shown: &str) -> Result<()> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_reader(bytes);
    let mut buf = Vec::new();
    let mut depth = 0usize;
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(_)) => depth += 1,
            Ok(Event::End(_)) => depth = depth.saturating_sub(1),
            Ok(Event::Eof) | Err(_) => return Ok(()),
            Ok(_) => {}
        }
        if depth > MAX_DEPTH {
            bail!(too_deep(shown, reader.buffer_position()));
        }
        buf.clear();
    }
}

/// Like [`check_xml`] for an OpenStep property list (the Xcode project): `{` and `(` outside
/// quoted strings open a level.
pub fn check_brackets(bytes: &[u8], shown: &str) -> Result<()> {
    let mut depth = 0usize;
    let mut quoted = false;
    let mut escaped = false;
    for (at, &b) in bytes.iter().enumerate() {
        match (quoted, b) {
            (true, _) if escaped => escaped = false,
            (true, b'\\') => escaped = true,
            (_, b'"') => quoted = !quoted,
            (false, b'{' | b'(') => depth += 1,
            (false, b'}' | b')') => depth = depth.saturating_sub(1),
            _ => {}
        }
        if depth > MAX_DEPTH {
            bail!(too_deep(shown, at as u64));
        }
    }
    Ok(())
}

fn too_deep(shown: &str, at: u64) -> String {
    format!(
        "{shown}: nested more than {MAX_DEPTH} levels deep (at byte {at}); this is not a file mmbrand can brand: check the upstream checkout"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_documents_are_refused_and_normal_ones_pass() {
        let deep_xml = format!("{}{}", "<a>".repeat(200), "</a>".repeat(200));
        assert!(check_xml(deep_xml.as_bytes(), "x.xml").is_err());
        assert!(check_xml(
            b"<plist><dict><key>a</key><string>(</string></dict></plist>",
            "p"
        )
        .is_ok());
        let deep_brackets = "(".repeat(200);
        assert!(check_brackets(deep_brackets.as_bytes(), "p.pbxproj").is_err());
        assert!(check_brackets(b"{ a = \"((((\"; b = (1, 2); }", "p").is_ok());
    }
}
