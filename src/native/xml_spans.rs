//! Element spans of an XML document (Android manifests and resources), found with quick-xml
//! events rather than `str::find`: a `>` inside an attribute value or a `<manifest` inside a
//! comment cannot mislead an edit. Edits splice text at these spans, so everything else stays
//! byte-identical (as `plist_edit` does for property lists).
use std::ops::Range;

use anyhow::{anyhow, bail, Result};
use quick_xml::events::Event;
use quick_xml::Reader;

/// An element: its name, its start tag's span, its whole span, and its children.
#[derive(Debug)]
pub struct Element {
    pub name: String,
    /// `<name …>` or `<name …/>`.
    pub tag: Range<usize>,
    /// From `<name` to the end of `</name>` (equal to `tag` when self-closing).
    pub outer: Range<usize>,
    /// The content between the tags (empty, at `outer.end`, when self-closing).
    pub inner: Range<usize>,
    pub children: Vec<Element>,
}

impl Element {
    pub fn self_closing(&self) -> bool {
        self.inner.start == self.outer.end
    }

    /// Depth-first, this element first.
    pub fn walk(&self) -> Vec<&Element> {
        let mut out = vec![self];
        for c in &self.children {
            out.extend(c.walk());
        }
        out
    }

    /// The attributes of its start tag in `text`: (name, value span, raw value).
    pub fn attributes<'t>(&self, text: &'t str) -> Vec<Attribute<'t>> {
        attributes(text, self.tag.clone())
    }

    /// The raw (unescaped-as-written) value of attribute `name`.
    pub fn attribute<'t>(&self, text: &'t str, name: &str) -> Option<&'t str> {
        self.attributes(text)
            .into_iter()
            .find(|a| a.name == name)
            .map(|a| a.value)
    }
}

pub struct Attribute<'t> {
    pub name: &'t str,
    pub value: &'t str,
    /// Where the value lies in the document (between the quotes).
    pub span: Range<usize>,
}

/// Parses `text` into its root element. Comments, declarations and text are skipped.
pub fn parse(text: &str, file: &str) -> Result<Element> {
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    let bom = text.len() - body.len();
    let mut reader = Reader::from_str(body);
    let mut open: Vec<Element> = Vec::new();
    let mut root = None;
    loop {
        let before = bom + reader.buffer_position() as usize;
        let event = reader.read_event().map_err(|e| {
            anyhow!(
                "{file}: not well-formed XML at byte {}: {e}",
                reader.error_position()
            )
        })?;
        let after = bom + reader.buffer_position() as usize;
        let name = |t: &quick_xml::events::BytesStart| t.name().as_ref().to_string();
        let closed = match event {
            Event::Start(t) => {
                open.push(Element {
                    name: name(&t),
                    tag: before..after,
                    outer: before..after,
                    inner: after..after,
                    children: Vec::new(),
                });
                if open.len() > crate::depth::MAX_DEPTH {
                    bail!("{file}: nested more than {} levels deep (at byte {before}); this is not a file mmbrand can brand: check the upstream checkout", crate::depth::MAX_DEPTH);
                }
                continue;
            }
            Event::Empty(t) => Element {
                name: name(&t),
                tag: before..after,
                outer: before..after,
                inner: after..after,
                children: Vec::new(),
            },
            Event::End(_) => {
                let Some(mut element) = open.pop() else {
                    bail!("{file}: unmatched end tag at byte {before}");
                };
                element.outer.end = after;
                element.inner.end = before;
                element
            }
            Event::Eof => match open.last() {
                Some(e) => bail!("{file}: <{}> is never closed", e.name),
                None => break,
            },
            _ => continue,
        };
        match open.last_mut() {
            Some(parent) => parent.children.push(closed),
            None if root.is_none() => root = Some(closed),
            None => bail!("{file}: more than one root element"),
        }
    }
    root.ok_or_else(|| anyhow!("{file}: no XML element"))
}

/// Tokenises a start tag quick-xml has already checked: name, then `name = "value"` pairs.
fn attributes(text: &str, tag: Range<usize>) -> Vec<Attribute<'_>> {
    let bytes = text.as_bytes();
    let end = tag.end;
    let mut i = tag.start + 1;
    let skip_name = |mut i: usize| {
        while i < end && !bytes[i].is_ascii_whitespace() && !b"=/>".contains(&bytes[i]) {
            i += 1;
        }
        i
    };
    let skip_space = |mut i: usize| {
        while i < end && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        i
    };
    i = skip_name(i);
    let mut out = Vec::new();
    loop {
        i = skip_space(i);
        if i >= end || bytes[i] == b'/' || bytes[i] == b'>' {
            return out;
        }
        let name_start = i;
        i = skip_name(i);
        let name = &text[name_start..i];
        i = skip_space(i);
        if i >= end || bytes[i] != b'=' {
            return out;
        }
        i = skip_space(i + 1);
        let Some(&quote) = bytes.get(i).filter(|q| **q == b'"' || **q == b'\'') else {
            return out;
        };
        let value_start = i + 1;
        let Some(len) = text[value_start..end].find(quote as char) else {
            return out;
        };
        let span = value_start..value_start + len;
        out.push(Attribute {
            name,
            value: &text[span.clone()],
            span: span.clone(),
        });
        i = span.end + 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_hold_gt_signs_and_comments_are_not_elements() {
        let text = "<!-- <manifest package=\"no\"> -->\n<manifest a=\"x > y\" b='2'><application/></manifest>";
        let root = parse(text, "m.xml").unwrap();
        assert_eq!(root.name, "manifest");
        assert_eq!(root.attribute(text, "a"), Some("x > y"));
        assert_eq!(root.attribute(text, "b"), Some("2"));
        assert_eq!(root.children[0].name, "application");
        assert_eq!(&text[root.tag.clone()], "<manifest a=\"x > y\" b='2'>");
    }
}
