//! Android: gradle identifiers, manifest schemes, app name, the Kotlin/Java package move and
//! the Firebase client config.
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

use super::text_edit::{edit_file, line_indent, newline, replace_counted};
use crate::brand::Brand;
use crate::content::Kind;
use crate::fsutil;

pub const BUILD_GRADLE: &str = "android/app/build.gradle";
pub const MANIFEST: &str = "android/app/src/main/AndroidManifest.xml";
pub const STRINGS: &str = "android/app/src/main/res/values/strings.xml";
pub const GOOGLE_SERVICES: &str = "android/app/google-services.json";
pub const JAVA_ROOT: &str = "android/app/src/main/java";
pub const TEST_JAVA_ROOT: &str = "android/app/src/androidTest/java";
pub const APP_RESTRICTIONS: &str = "android/app/src/main/res/xml/app_restrictions.xml";
/// The Play Store listing title that upstream's `update_identifiers` lane writes.
pub const PLAY_TITLE: &str = "fastlane/metadata/android/en-US/title.txt";

pub const UPSTREAM_PACKAGE: &str = "com.mattermost.rnbeta";
const GRADLE_NAMESPACE: &str = "namespace \"com.mattermost.rnbeta\"";
const GRADLE_APPLICATION_ID: &str = "applicationId \"com.mattermost.rnbeta\"";
const MANIFEST_APP_SCHEME: &str = "android:scheme=\"mattermost\"";
const MANIFEST_AUTH_SCHEME: &str = "android:scheme=\"mmauthbeta\"";
const APP_NAME_OPEN: &str = "<string name=\"app_name\">";
/// The activity that receives links: `singleTask`, with the URL-scheme intent filters.
const MAIN_ACTIVITY: &str = "android:name=\".MainActivity\"";
const INTENT_FILTER_CLOSE: &str = "</intent-filter>";
/// app_restrictions.xml: every `<restriction>` carries a default, which EMM consoles pre-fill.
const RESTRICTION_DEFAULT: &str = "android:defaultValue=\"";
/// Folders whose sources import the app package (share/ exists in older versions only).
const HELPERS_DIR: &str = "com/mattermost/helpers";
const SHARE_DIR: &str = "com/mattermost/share";

/// Applies the brand to every Android file; returns the files written, relative to `app`.
pub fn apply(app: &Path, brand: &Brand, google_services: &[u8]) -> Result<Vec<PathBuf>> {
    let package = &brand.android.package;
    let mut changed = vec![
        PathBuf::from(BUILD_GRADLE),
        PathBuf::from(MANIFEST),
        PathBuf::from(STRINGS),
    ];
    edit_gradle(&app.join(BUILD_GRADLE), package)?;
    edit_manifest(&app.join(MANIFEST), &brand.schemes.app, &brand.schemes.auth)?;
    set_manifest_package(&app.join(MANIFEST), package)?;
    edit_app_name(&app.join(STRINGS), &brand.display_name)?;
    edit_restriction_strings(app, &brand.display_name)?;
    if app.join(PLAY_TITLE).is_file() {
        // As the lane's `echo '<name>' > title.txt` writes it.
        fsutil::write(&app.join(PLAY_TITLE), format!("{}\n", brand.display_name))?;
        changed.push(PathBuf::from(PLAY_TITLE));
    }
    changed.extend(move_package(app, JAVA_ROOT, package, true)?);
    changed.extend(move_package(app, TEST_JAVA_ROOT, package, false)?);
    changed.extend(edit_importers(app, package)?);
    fsutil::write(&app.join(GOOGLE_SERVICES), google_services)?;
    changed.push(PathBuf::from(GOOGLE_SERVICES));
    Ok(changed)
}

pub fn edit_gradle(path: &Path, package: &str) -> Result<()> {
    let shown = path.display().to_string();
    edit_file(path, |text| {
        let text = replace_counted(
            text,
            GRADLE_NAMESPACE,
            &format!("namespace \"{package}\""),
            1,
            1,
            &shown,
        )?;
        replace_counted(
            &text,
            GRADLE_APPLICATION_ID,
            &format!("applicationId \"{package}\""),
            1,
            1,
            &shown,
        )
    })?;
    Ok(())
}

pub fn edit_manifest(path: &Path, app_scheme: &str, auth_scheme: &str) -> Result<()> {
    let shown = path.display().to_string();
    edit_file(path, |text| {
        let text = replace_counted(
            text,
            MANIFEST_APP_SCHEME,
            &format!("android:scheme=\"{app_scheme}\""),
            1,
            usize::MAX,
            &shown,
        )?;
        replace_counted(
            &text,
            MANIFEST_AUTH_SCHEME,
            &format!("android:scheme=\"{auth_scheme}\""),
            1,
            usize::MAX,
            &shown,
        )
    })?;
    Ok(())
}

/// `package="<id>"` on `<manifest>`, which upstream's `update_identifiers` lane adds through
/// android_change_package_identifier on every build (AGP 8 ignores it, with a warning, in
/// favour of build.gradle's namespace). Writing it here keeps the lane from changing the file.
pub fn set_manifest_package(path: &Path, package: &str) -> Result<()> {
    let shown = path.display().to_string();
    edit_file(path, |text| {
        let Some(start) = text.find("<manifest") else {
            bail!("{shown}: expected a <manifest> element; upstream may have changed this file");
        };
        let Some(len) = text[start..].find('>') else {
            bail!("{shown}: the <manifest> tag is not closed");
        };
        let tag = &text[start..start + len];
        let new_tag = match tag.find(" package=\"") {
            Some(i) => {
                let value_start = i + " package=\"".len();
                let value_len = tag[value_start..].find('"').unwrap_or(0);
                format!(
                    "{}{package}{}",
                    &tag[..value_start],
                    &tag[value_start + value_len..]
                )
            }
            None => format!("{tag} package=\"{package}\""),
        };
        Ok(format!(
            "{}{new_tag}{}",
            &text[..start],
            &text[start + len..]
        ))
    })?;
    Ok(())
}

/// Replaces the text of `<string name="app_name">`, escaped for XML and for Android's
/// resource compiler (which rejects bare apostrophes and quotes).
pub fn edit_app_name(path: &Path, name: &str) -> Result<()> {
    let shown = path.display().to_string();
    edit_file(path, |text| {
        let Some(start) = text.find(APP_NAME_OPEN).map(|i| i + APP_NAME_OPEN.len()) else {
            bail!("{shown}: expected `{APP_NAME_OPEN}`; upstream may have changed this file");
        };
        let Some(len) = text[start..].find("</string>") else {
            bail!("{shown}: `{APP_NAME_OPEN}` is not closed");
        };
        Ok(format!(
            "{}{}{}",
            &text[..start],
            android_string(name),
            &text[start + len..]
        ))
    })?;
    Ok(())
}

/// The managed-configuration titles and descriptions an EMM console shows (the strings that
/// app_restrictions.xml references) name the brand instead of "Mattermost".
fn edit_restriction_strings(app: &Path, name: &str) -> Result<()> {
    let Ok(restrictions) = fsutil::read_to_string(&app.join(APP_RESTRICTIONS)) else {
        return Ok(());
    };
    let referenced: Vec<&str> = restrictions
        .split("@string/")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .collect();
    let replacement = android_string(name);
    edit_file(&app.join(STRINGS), |text| {
        Ok(text
            .split_inclusive('\n')
            .map(|line| {
                let is_referenced = referenced.iter().any(|r| {
                    line.trim_start()
                        .starts_with(&format!("<string name=\"{r}\">"))
                });
                if is_referenced {
                    line.replace("Mattermost", &replacement)
                } else {
                    line.to_string()
                }
            })
            .collect())
    })?;
    Ok(())
}

/// Android App Links: one `<intent-filter android:autoVerify="true">` on `.MainActivity`,
/// inserted after its last intent filter (the URL-scheme filters), with an https `<data>` per
/// domain and path pattern. Anchored: exactly one `.MainActivity`, whose last filter is a
/// VIEW/BROWSABLE scheme filter. Only these lines are added; upstream's `update_identifiers`
/// re-serialises the manifest through Nokogiri, which keeps them (compared by content).
pub fn add_app_links(path: &Path, domains: &[String], path_patterns: &[String]) -> Result<()> {
    let shown = path.display().to_string();
    edit_file(path, |text| {
        let found = text.matches(MAIN_ACTIVITY).count();
        if found != 1 {
            bail!("{shown}: expected one `{MAIN_ACTIVITY}` (the activity that opens links) but found {found}; upstream may have changed this file");
        }
        let at = text.find(MAIN_ACTIVITY).unwrap_or_default();
        let (Some(open), Some(close)) = (
            text[..at].rfind("<activity"),
            text[at..].find("</activity>").map(|i| at + i),
        ) else {
            bail!("{shown}: `{MAIN_ACTIVITY}` is not inside an <activity> element; upstream may have changed this file");
        };
        let activity = &text[open..close];
        let last = activity.rfind(INTENT_FILTER_CLOSE).and_then(|end| {
            activity[..end]
                .rfind("<intent-filter")
                .map(|start| (open + start, open + end + INTENT_FILTER_CLOSE.len()))
        });
        let scheme_filter = last.filter(|(start, end)| {
            let filter = &text[*start..*end];
            filter.contains("android:scheme=")
                && filter.contains("android.intent.action.VIEW")
                && filter.contains("android.intent.category.BROWSABLE")
        });
        let Some((filter_start, insert_at)) = scheme_filter else {
            bail!("{shown}: expected the last intent filter of `.MainActivity` to be a URL-scheme filter (VIEW, BROWSABLE, android:scheme), to add the App Links filter after it; upstream may have changed this file");
        };
        let nl = newline(text);
        let indent = line_indent(text, filter_start);
        let child = text[filter_start..]
            .split_once('\n')
            .map(|(_, rest)| {
                let line = rest.lines().next().unwrap_or_default();
                line[..line.len() - line.trim_start().len()].to_string()
            })
            .filter(|c| c.len() > indent.len())
            .unwrap_or_else(|| format!("{indent}  "));
        let mut filter = format!("{nl}{indent}<intent-filter android:autoVerify=\"true\">");
        for line in [
            "<action android:name=\"android.intent.action.VIEW\" />",
            "<category android:name=\"android.intent.category.DEFAULT\" />",
            "<category android:name=\"android.intent.category.BROWSABLE\" />",
        ] {
            filter.push_str(&format!("{nl}{child}{line}"));
        }
        for domain in domains {
            for pattern in path_patterns {
                filter.push_str(&format!(
                    "{nl}{child}<data android:scheme=\"https\" android:host=\"{}\" android:pathPattern=\"{}\" />",
                    quick_xml::escape::escape(domain.as_str()),
                    quick_xml::escape::escape(pattern.as_str())
                ));
            }
        }
        filter.push_str(&format!("{nl}{indent}{INTENT_FILTER_CLOSE}"));
        let out = format!("{}{filter}{}", &text[..insert_at], &text[insert_at..]);
        crate::content::parse(Kind::Xml, out.as_bytes(), &shown)
            .context("after adding the App Links intent filter")?;
        Ok(out)
    })?;
    Ok(())
}

/// Sets `android:defaultValue` of the `<restriction>` with each `android:key` in
/// app_restrictions.xml (what EMM consoles pre-fill for the app's managed configuration).
/// Anchored: each key must occur exactly once and have a default already. Returns whether
/// the file changed.
pub fn set_restriction_defaults(path: &Path, defaults: &[(&str, String)]) -> Result<bool> {
    let shown = path.display().to_string();
    if defaults.is_empty() {
        return Ok(false);
    }
    if !path.is_file() {
        bail!("{shown}: expected the managed-configuration schema (app_restrictions.xml); upstream may have moved it");
    }
    edit_file(path, |text| {
        let mut out = text.to_string();
        for (key, value) in defaults {
            let anchor = format!("android:key=\"{key}\"");
            let found = out.matches(&anchor).count();
            if found != 1 {
                bail!("{shown}: expected one restriction with `{anchor}` but found {found}; upstream may have changed this file");
            }
            let at = out.find(&anchor).unwrap_or_default();
            let start = out[..at].rfind("<restriction").unwrap_or(at);
            let end = at + out[at..].find('>').unwrap_or(out.len() - at);
            let Some(value_start) = out[start..end]
                .find(RESTRICTION_DEFAULT)
                .map(|i| start + i + RESTRICTION_DEFAULT.len())
            else {
                bail!("{shown}: expected `{RESTRICTION_DEFAULT}…\"` on the restriction `{key}`; upstream may have changed this file");
            };
            let value_end = value_start + out[value_start..].find('"').unwrap_or_default();
            out.replace_range(value_start..value_end, &android_attr_value(value));
        }
        crate::content::parse(Kind::Xml, out.as_bytes(), &shown)
            .context("after setting the restriction defaults")?;
        Ok(out)
    })
}

/// A string for an attribute of an Android XML resource: aapt2 runs attribute values through
/// its string builder (backslash escapes, `@`/`?` at the start meaning a reference) before
/// XML escaping applies.
pub fn android_attr_value(value: &str) -> String {
    let android = value
        .replace('\\', "\\\\")
        .replace('\'', "\\'")
        .replace('"', "\\\"");
    let escaped = quick_xml::escape::escape(android.as_str()).into_owned();
    match escaped.chars().next() {
        Some('@') | Some('?') => format!("\\{escaped}"),
        _ => escaped,
    }
}

/// A value for an Android string resource.
pub fn android_string(value: &str) -> String {
    let android = value
        .replace('\\', "\\\\")
        .replace('\'', "\\'")
        .replace('"', "\\\"");
    let escaped = quick_xml::escape::partial_escape(&android).into_owned();
    match escaped.chars().next() {
        Some('@') | Some('?') => format!("\\{escaped}"),
        _ => escaped,
    }
}

fn package_dir(package: &str) -> PathBuf {
    package.split('.').collect()
}

/// Moves `<root>/com/mattermost/rnbeta/*` to the brand package's folder and rewrites the
/// `package` lines, as upstream's `update_identifiers` lane does. The main sources must exist;
/// the androidTest sources may not.
fn move_package(app: &Path, root: &str, package: &str, required: bool) -> Result<Vec<PathBuf>> {
    let from = app.join(root).join(package_dir(UPSTREAM_PACKAGE));
    if !from.is_dir() {
        if required {
            bail!("{}: expected the app sources of package {UPSTREAM_PACKAGE}; upstream may have moved them", from.display());
        }
        return Ok(Vec::new());
    }
    if package == UPSTREAM_PACKAGE {
        return Ok(Vec::new());
    }
    let to = app.join(root).join(package_dir(package));
    let mut moved = Vec::new();
    let entries =
        std::fs::read_dir(&from).with_context(|| format!("cannot read {}", from.display()))?;
    let mut names: Vec<_> = entries
        .map(|e| e.map(|e| e.file_name()))
        .collect::<std::io::Result<_>>()?;
    names.sort();
    fsutil::create_dir_all(&to)?;
    for name in names {
        let src = from.join(&name);
        let dst = to.join(&name);
        std::fs::rename(&src, &dst)
            .with_context(|| format!("cannot move {} to {}", src.display(), dst.display()))?;
        let rel = Path::new(root).join(package_dir(package)).join(&name);
        if dst.is_file() {
            rewrite_package_line(&dst, package)?;
        }
        moved.push(rel);
    }
    remove_empty_dirs(&from, &app.join(root))?;
    Ok(moved)
}

/// `package com.mattermost.rnbeta;` (Java) or `package com.mattermost.rnbeta` (Kotlin).
fn rewrite_package_line(path: &Path, package: &str) -> Result<()> {
    let shown = path.display().to_string();
    edit_file(path, |text| {
        let anchor = format!("package {UPSTREAM_PACKAGE}");
        let lines: Vec<&str> = text.split_inclusive('\n').collect();
        let hit = lines.iter().position(|l| {
            let t = l.trim_end();
            t == anchor || t == format!("{anchor};")
        });
        let Some(i) = hit else {
            bail!("{shown}: expected the line `{anchor}`; upstream may have changed this file");
        };
        let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
        out[i] = lines[i].replacen(UPSTREAM_PACKAGE, package, 1);
        Ok(out.concat())
    })?;
    Ok(())
}

/// `import com.mattermost.rnbeta.*;` in helpers/ and `import com.mattermost.rnbeta.MainApplication;`
/// in share/ (older versions).
fn edit_importers(app: &Path, package: &str) -> Result<Vec<PathBuf>> {
    let mut changed = Vec::new();
    for dir in [HELPERS_DIR, SHARE_DIR] {
        let full = app.join(JAVA_ROOT).join(dir);
        if !full.is_dir() {
            continue;
        }
        for entry in walkdir::WalkDir::new(&full).sort_by_file_name() {
            let entry = entry.with_context(|| format!("cannot read {}", full.display()))?;
            let path = entry.path();
            let is_source = path.extension().is_some_and(|e| e == "java" || e == "kt");
            if !entry.file_type().is_file() || !is_source {
                continue;
            }
            let old = format!("import {UPSTREAM_PACKAGE}.");
            let new = format!("import {package}.");
            if edit_file(path, |t| Ok(t.replace(&old, &new)))? {
                changed.push(path.strip_prefix(app).unwrap_or(path).to_path_buf());
            }
        }
    }
    Ok(changed)
}

fn remove_empty_dirs(mut dir: &Path, stop: &Path) -> Result<()> {
    while dir != stop && dir.starts_with(stop) {
        match std::fs::remove_dir(dir) {
            Ok(()) => {}
            Err(_) => break, // not empty: something else lives there
        }
        match dir.parent() {
            Some(p) => dir = p,
            None => break,
        }
    }
    Ok(())
}

/// What the branded Android app says about itself (for `verify`).
#[derive(Debug, Clone, serde::Serialize)]
pub struct AndroidFacts {
    pub application_id: String,
    pub firebase_project_id: String,
    pub firebase_packages: Vec<String>,
}

pub fn read_facts(app: &Path) -> Result<AndroidFacts> {
    let gradle = fsutil::read_to_string(&app.join(BUILD_GRADLE))?;
    let application_id = gradle
        .lines()
        .filter_map(|l| l.trim().strip_prefix("applicationId "))
        .map(|v| v.trim().trim_matches('"').to_string())
        .next()
        .with_context(|| format!("{BUILD_GRADLE}: no applicationId line"))?;
    let gs_path = app.join(GOOGLE_SERVICES);
    let gs =
        crate::google_services::parse(&fsutil::read(&gs_path)?, &gs_path.display().to_string())?;
    Ok(AndroidFacts {
        application_id,
        firebase_project_id: gs.project_id,
        firebase_packages: gs.packages,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const MANIFEST_TEXT: &str = r#"<manifest xmlns:android="http://schemas.android.com/apk/res/android">
  <application>
      <activity
        android:name=".MainActivity"
        android:exported="true"
      >
        <intent-filter>
            <action android:name="android.intent.action.MAIN" />
        </intent-filter>
        <intent-filter>
          <action android:name="android.intent.action.VIEW" />
          <category android:name="android.intent.category.BROWSABLE" />
          <data android:scheme="acmechat" />
        </intent-filter>
      </activity>
  </application>
</manifest>
"#;

    fn edited(text: &str, edit: impl FnOnce(&Path) -> Result<()>) -> Result<String> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("AndroidManifest.xml");
        std::fs::write(&path, text).unwrap();
        edit(&path)?;
        Ok(std::fs::read_to_string(&path).unwrap())
    }

    fn app_links(text: &str) -> Result<String> {
        edited(text, |p| {
            add_app_links(p, &["chat.acme.example".into()], &["/.*/pl/.*".into()])
        })
    }

    #[test]
    fn app_links_filter_follows_the_scheme_filter_indented_like_it() {
        let out = app_links(MANIFEST_TEXT).unwrap();
        let filter = r#"
        <intent-filter android:autoVerify="true">
          <action android:name="android.intent.action.VIEW" />
          <category android:name="android.intent.category.DEFAULT" />
          <category android:name="android.intent.category.BROWSABLE" />
          <data android:scheme="https" android:host="chat.acme.example" android:pathPattern="/.*/pl/.*" />
        </intent-filter>"#;
        let anchor = "</intent-filter>\n      </activity>";
        let expected = MANIFEST_TEXT.replace(
            anchor,
            &format!("</intent-filter>{filter}\n      </activity>"),
        );
        assert_eq!(out, expected);
    }

    #[test]
    fn app_links_anchors_that_moved_are_errors() {
        let renamed = MANIFEST_TEXT.replace(".MainActivity", ".LinkActivity");
        let err = app_links(&renamed).unwrap_err().to_string();
        assert!(
            err.contains("expected one `android:name=\".MainActivity\"`"),
            "{err}"
        );
        let no_scheme = MANIFEST_TEXT.replace("<data android:scheme=\"acmechat\" />", "");
        let err = app_links(&no_scheme).unwrap_err().to_string();
        assert!(err.contains("to be a URL-scheme filter"), "{err}");
    }

    const RESTRICTIONS_TEXT: &str = r#"<restrictions xmlns:android="http://schemas.android.com/apk/res/android">
    <restriction
            android:key="vendor"
            android:restrictionType="string"
            android:defaultValue="" />
    <restriction
            android:key="timeout"
            android:restrictionType="string" />
</restrictions>
"#;

    fn defaults(pairs: &[(&str, &str)]) -> Result<String> {
        let pairs: Vec<(&str, String)> = pairs.iter().map(|(k, v)| (*k, v.to_string())).collect();
        edited(RESTRICTIONS_TEXT, |p| {
            set_restriction_defaults(p, &pairs).map(|_| ())
        })
    }

    #[test]
    fn restriction_defaults_are_set_in_place_and_escaped() {
        let out = defaults(&[("vendor", "@Acme & Co's")]).unwrap();
        assert_eq!(
            out,
            RESTRICTIONS_TEXT.replace(
                "android:defaultValue=\"\"",
                "android:defaultValue=\"\\@Acme &amp; Co\\&apos;s\""
            )
        );
    }

    #[test]
    fn restriction_anchors_that_moved_are_errors() {
        let err = defaults(&[("serverUrl", "https://x.example")])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("expected one restriction with `android:key=\"serverUrl\"` but found 0"),
            "{err}"
        );
        let err = defaults(&[("timeout", "30000")]).unwrap_err().to_string();
        assert!(err.contains("on the restriction `timeout`"), "{err}");
    }

    #[test]
    fn app_names_are_escaped_for_android_resources() {
        assert_eq!(
            android_string("Acme's <Chat> & \"Co\""),
            "Acme\\'s &lt;Chat&gt; &amp; \\\"Co\\\""
        );
        assert_eq!(android_string("@home"), "\\@home");
    }
}
