//! Free-text brand values checked, when the brand file loads, by the writer of every format
//! they reach, so that a value a format cannot hold is refused naming its brand key instead
//! of failing later (or being written broken). The writers themselves still refuse such a
//! value; this table is what makes the refusal happen before anything is cloned.
use crate::format::{dotenv, xml};

/// An output format a brand value is written in, with the writer that checks it.
#[derive(Debug, Clone, Copy)]
enum Format {
    /// fastlane/.env.<name> (and the lanes' shell use of it).
    Dotenv,
    /// Element text of XML files (the EMM appconfig.xml).
    XmlText,
    /// The leading comment of the EMM appconfig.xml.
    XmlComment,
    /// An Android `<string>` resource (strings.xml), checked like aapt2.
    AndroidString,
    /// An attribute of an Android XML resource (app_restrictions.xml's defaults).
    AndroidAttribute,
}

impl Format {
    fn check(self, value: &str) -> anyhow::Result<()> {
        match self {
            Format::Dotenv => dotenv::check(value),
            Format::XmlText => xml::text(value).map(drop),
            Format::XmlComment => xml::comment(value).map(drop),
            Format::AndroidString => xml::android_string(value).map(drop),
            Format::AndroidAttribute => xml::android_attribute(value).map(drop),
        }
    }

    fn target(self) -> &'static str {
        match self {
            Format::Dotenv => "fastlane's .env file",
            Format::XmlText | Format::XmlComment => "the EMM appconfig.xml",
            Format::AndroidString => "the Android string resources",
            Format::AndroidAttribute => "the Android app_restrictions.xml",
        }
    }
}

const DISPLAY_NAME: &[Format] = &[
    Format::Dotenv,
    Format::XmlText,
    Format::XmlComment,
    Format::AndroidString,
];
/// `server.name` and the EMM strings: the EMM files, and app_restrictions.xml's defaults.
const MANAGED: &[Format] = &[Format::XmlText, Format::AndroidAttribute];
const BRANCH: &[Format] = &[Format::Dotenv];

/// The first format of `formats` that cannot hold `value`, as the reason; the value is not
/// repeated (the caller's key names it).
fn first_refusal(value: &str, formats: &[Format]) -> Result<(), String> {
    for f in formats {
        if let Err(e) = f.check(value) {
            return Err(format!("cannot be written to {}: {e}", f.target()));
        }
    }
    Ok(())
}

/// `display_name` against every format it is written in.
pub fn display_name(value: &str) -> Result<(), String> {
    first_refusal(value, DISPLAY_NAME)
}

/// A server or EMM name against the EMM and Android XML files.
pub fn managed_text(value: &str) -> Result<(), String> {
    first_refusal(value, MANAGED)
}

/// The brand branch (`source.branch`, default `brand/<name>`) against fastlane's .env file.
pub fn branch(value: &str) -> Result<(), String> {
    first_refusal(value, BRANCH)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_value_meets_its_formats() {
        assert!(display_name("Acme -- Chat 100%").is_ok());
        let err = display_name("Chat %s %d").unwrap_err();
        assert!(err.contains("Android string resources"), "{err}");
        let err = managed_text("Acme\u{7}").unwrap_err();
        assert!(err.contains("EMM appconfig.xml"), "{err}");
        assert!(managed_text("Acme\tChat").is_ok());
        let err = branch("brand/it's").unwrap_err();
        assert!(err.contains(".env"), "{err}");
        assert!(branch("brand/$(id)").is_ok());
    }
}
