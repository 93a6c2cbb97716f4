//! `ios/Mattermost/i18n/<lang>.lproj/{InfoPlist,Localizable}.strings`, byte for byte as
//! upstream's iOS `replace_assets` lane writes them from `dist/assets/i18n/*.json`, so the
//! permission prompts carry the brand's name and the lane, run later, rewrites identical files.
use std::path::Path;

use anyhow::{Context, Result};
use serde_json::Value;

use crate::recorder::Recorder;

pub const I18N_DIR: &str = "ios/Mattermost/i18n";
const PLACEHOLDER: &str = "{applicationName}";

/// The two files of one language, as the lane renders them.
#[derive(Debug, PartialEq, Eq)]
pub struct Strings {
    pub info_plist: String,
    pub localizable: String,
}

/// Renders one language file. The lane treats keys matching the regular expression
/// `mobile.ios.plist` (any character for the dots) as Info.plist strings, written unescaped
/// under the last dotted segment; every other key is written quoted with `\` and `"` escaped.
/// Empty values are skipped; `{applicationName}` is replaced after escaping.
pub fn render(json: &serde_json::Map<String, Value>, app_name: &str) -> Strings {
    let mut info_plist = String::new();
    let mut localizable = String::new();
    for (key, value) in json {
        let Some(value) = value.as_str().filter(|v| !v.is_empty()) else {
            continue;
        };
        if is_plist_key(key) {
            // Ruby's split drops trailing empty fields.
            let last = key.trim_end_matches('.').rsplit('.').next().unwrap_or(key);
            info_plist.push_str(&format!("{last} = \"{value}\";\n"));
        } else {
            let escaped = value.replace('\\', "\\\\").replace('"', "\\\"");
            localizable.push_str(&format!("\"{key}\" = \"{escaped}\";\n"));
        }
    }
    Strings {
        info_plist: info_plist.replace(PLACEHOLDER, app_name),
        localizable: localizable.replace(PLACEHOLDER, app_name),
    }
}

/// Ruby's `key.match?('mobile.ios.plist')`: the string is a regular expression.
fn is_plist_key(key: &str) -> bool {
    let pattern = b"mobile.ios.plist";
    let key = key.as_bytes();
    key.windows(pattern.len())
        .any(|w| w.iter().zip(pattern).all(|(k, p)| *p == b'.' || k == p))
}

/// Whether the Xcode project has the `Mattermost/i18n/<lang>.lproj` group (the path is quoted
/// when it has characters such as `-`, as in `"Mattermost/i18n/pt-BR.lproj"`).
fn groups_language(pbxproj: &str, language: &str) -> bool {
    let path = format!("Mattermost/i18n/{language}.lproj");
    pbxproj.contains(&format!("path = {path};")) || pbxproj.contains(&format!("path = \"{path}\";"))
}

/// Writes the strings of every language in the app-relative `dist_i18n` whose `.lproj` group the Xcode project
/// has (path `Mattermost/i18n/<lang>.lproj`) (others would be files Xcode never reads),
/// through the recorder.
pub fn write(rec: &mut Recorder, dist_i18n: &Path, app_name: &str, pbxproj: &str) -> Result<()> {
    if !rec.is_dir(dist_i18n) {
        return Ok(());
    }
    for rel in rec.files_under(dist_i18n, "dist/assets/i18n")? {
        let Some(name) = rel
            .to_str()
            .filter(|n| !n.contains('/') && n.ends_with(".json"))
        else {
            continue;
        };
        let language = name.split('.').next().unwrap_or(name);
        if !groups_language(pbxproj, language) {
            continue;
        }
        let path = dist_i18n.join(&rel);
        let json: serde_json::Map<String, Value> =
            serde_json::from_slice(&rec.read_required(&path)?).with_context(|| {
                format!(
                    "{}: not a JSON object of strings",
                    rec.app().join(&path).display()
                )
            })?;
        let strings = render(&json, app_name);
        let dir = Path::new(I18N_DIR).join(format!("{language}.lproj"));
        for (file, text) in [
            ("InfoPlist.strings", &strings.info_plist),
            ("Localizable.strings", &strings.localizable),
        ] {
            rec.write(&dir.join(file), text)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_group_paths_count() {
        let pbx = "path = Mattermost/i18n/en.lproj;\npath = \"Mattermost/i18n/pt-BR.lproj\";";
        assert!(groups_language(pbx, "en"));
        assert!(groups_language(pbx, "pt-BR"));
        assert!(!groups_language(pbx, "de"));
    }

    #[test]
    fn renders_like_the_lane() {
        let json: serde_json::Map<String, Value> = serde_json::from_str(
            r#"{"mobile.ios.plist.NSCameraUsageDescription": "Let {applicationName} use \"it\"",
                "a.b": "say \"hi\" \\ to {applicationName}",
                "empty": "",
                "mobileXiosYplistZ.Odd": "regex dots"}"#,
        )
        .unwrap();
        let s = render(&json, "Acme Chat");
        assert_eq!(
            s.info_plist,
            "NSCameraUsageDescription = \"Let Acme Chat use \"it\"\";\nOdd = \"regex dots\";\n"
        );
        assert_eq!(
            s.localizable,
            "\"a.b\" = \"say \\\"hi\\\" \\\\ to Acme Chat\";\n"
        );
    }
}
