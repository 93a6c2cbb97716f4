//! Android: gradle identifiers, manifest schemes, app name, the Kotlin/Java package move and
//! the Firebase client config.
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use super::text_edit::{line_indent, newline, replace_counted};
use super::xml_spans;
use crate::content::Kind;
use crate::error::AnchorError;
use crate::fsutil;
use crate::recorder::Recorder;

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
const MAIN_ACTIVITY_NAME: &str = ".MainActivity";
const MAIN_ACTIVITY: &str = "android:name=\".MainActivity\"";
const INTENT_FILTER_CLOSE: &str = "</intent-filter>";
/// app_restrictions.xml: every `<restriction>` carries a default, which EMM consoles pre-fill.
const RESTRICTION_DEFAULT: &str = "android:defaultValue";
/// Folders whose sources import the app package (share/ exists in older versions only).
const HELPERS_DIR: &str = "com/mattermost/helpers";
const SHARE_DIR: &str = "com/mattermost/share";

/// Moves the app sources to the brand's package and rewrites the importers, as upstream's
/// `update_identifiers` lane does; the recorder lists the files moved or changed. (A
/// file-set step: which files it moves is upstream's, not a fixed path, so it is not a
/// registry edit.)
pub fn move_sources(rec: &mut Recorder, package: &str) -> Result<()> {
    move_package(rec, JAVA_ROOT, package, true)?;
    move_package(rec, TEST_JAVA_ROOT, package, false)?;
    edit_importers(rec, package)
}

/// build.gradle's `namespace` and `applicationId`.
pub fn gradle_package(text: &str, shown: &str, package: &str) -> Result<String> {
    let text = replace_counted(
        text,
        GRADLE_NAMESPACE,
        &format!("namespace \"{package}\""),
        1,
        1,
        shown,
    )?;
    replace_counted(
        &text,
        GRADLE_APPLICATION_ID,
        &format!("applicationId \"{package}\""),
        1,
        1,
        shown,
    )
}

/// The manifest's URL schemes (the app's and the login callback's).
pub fn manifest_schemes(
    text: &str,
    shown: &str,
    app_scheme: &str,
    auth_scheme: &str,
) -> Result<String> {
    let text = replace_counted(
        text,
        MANIFEST_APP_SCHEME,
        &format!("android:scheme=\"{app_scheme}\""),
        1,
        usize::MAX,
        shown,
    )?;
    replace_counted(
        &text,
        MANIFEST_AUTH_SCHEME,
        &format!("android:scheme=\"{auth_scheme}\""),
        1,
        usize::MAX,
        shown,
    )
}

/// `package="<id>"` on `<manifest>`, which upstream's `update_identifiers` lane adds through
/// android_change_package_identifier on every build (AGP 8 ignores it, with a warning, in
/// favour of build.gradle's namespace). Writing it here keeps the lane from changing the file.
/// The element is found by XML events, so comments and `>` in attribute values don't matter.
pub fn manifest_package(text: &str, shown: &str, package: &str) -> Result<String> {
    let root = xml_spans::parse(text, shown)?;
    if root.name != "manifest" {
        return Err(AnchorError::new(
            shown,
            "a <manifest> root element",
            format!("<{}>", root.name),
        )
        .into());
    }
    let value = quick_xml::escape::escape(package);
    if let Some(attr) = root
        .attributes(text)
        .into_iter()
        .find(|a| a.name == "package")
    {
        return Ok(splice(text, attr.span, &value));
    }
    // Before the tag's `>` (or `/>`), after whatever whitespace upstream left there.
    let mut at = root.tag.end - 1;
    if text[..at].ends_with('/') {
        at -= 1;
    }
    Ok(splice(text, at..at, &format!(" package=\"{value}\"")))
}

fn splice(text: &str, range: std::ops::Range<usize>, with: &str) -> String {
    format!("{}{with}{}", &text[..range.start], &text[range.end..])
}

/// Replaces the text of `<string name="app_name">`, escaped for XML and for Android's
/// resource compiler (which rejects bare apostrophes and quotes).
pub fn app_name(text: &str, shown: &str, name: &str) -> Result<String> {
    let root = xml_spans::parse(text, shown)?;
    let found: Vec<_> = root
        .walk()
        .into_iter()
        .filter(|e| e.name == "string" && e.attribute(text, "name") == Some("app_name"))
        .collect();
    let [element] = found[..] else {
        let found = if found.is_empty() {
            "none".to_string()
        } else {
            format!("{}", found.len())
        };
        return Err(AnchorError::new(shown, format!("`{APP_NAME_OPEN}`"), found).into());
    };
    let inner = element.tag.end..element.outer.end.saturating_sub("</string>".len());
    if element.tag == element.outer || !text[inner.end..element.outer.end].starts_with("</") {
        return Err(AnchorError::new(
            shown,
            format!("`{APP_NAME_OPEN}…</string>`"),
            "an empty element",
        )
        .into());
    }
    Ok(splice(text, inner, &android_string(name)?))
}

/// The managed-configuration titles and descriptions an EMM console shows (the strings that
/// app_restrictions.xml, given as `restrictions`, references) name the brand instead of
/// "Mattermost".
pub fn restriction_strings(text: &str, restrictions: &str, name: &str) -> Result<String> {
    let referenced: Vec<&str> = restrictions
        .split("@string/")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .collect();
    let replacement = android_string(name)?;
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
}

/// Android App Links: one `<intent-filter android:autoVerify="true">` on `.MainActivity`,
/// inserted after its last intent filter (the URL-scheme filters), with an https `<data>` per
/// domain and path pattern. Anchored: exactly one `.MainActivity`, whose last filter is a
/// VIEW/BROWSABLE scheme filter, found by XML events. Only these lines are added; upstream's
/// `update_identifiers` re-serialises the manifest through Nokogiri, which keeps them
/// (compared by content).
pub fn app_links(
    text: &str,
    shown: &str,
    domains: &[String],
    path_patterns: &[String],
) -> Result<String> {
    let root = xml_spans::parse(text, shown)?;
    let activities: Vec<_> = root
        .walk()
        .into_iter()
        .filter(|e| {
            e.name == "activity" && e.attribute(text, "android:name") == Some(MAIN_ACTIVITY_NAME)
        })
        .collect();
    let [activity] = activities[..] else {
        return Err(AnchorError::new(
            shown,
            format!("one `<activity {MAIN_ACTIVITY}>` (the activity that opens links)"),
            format!("{}", activities.len()),
        )
        .into());
    };
    let has = |f: &xml_spans::Element, child: &str, attr: &str, value: Option<&str>| {
        f.children.iter().any(|c| {
            c.name == child
                && c.attribute(text, attr)
                    .is_some_and(|v| value.is_none_or(|want| v == want))
        })
    };
    let scheme_filter = activity
        .children
        .iter()
        .rfind(|c| c.name == "intent-filter")
        .filter(|f| {
            has(f, "data", "android:scheme", None)
                && has(
                    f,
                    "action",
                    "android:name",
                    Some("android.intent.action.VIEW"),
                )
                && has(
                    f,
                    "category",
                    "android:name",
                    Some("android.intent.category.BROWSABLE"),
                )
        });
    let Some(filter_el) = scheme_filter else {
        return Err(AnchorError::new(
            shown,
            "the last intent filter of `.MainActivity` to be a URL-scheme filter (VIEW, BROWSABLE, android:scheme), to add the App Links filter after it",
            "another filter",
        )
        .into());
    };
    let (filter_start, insert_at) = (filter_el.outer.start, filter_el.outer.end);
    let nl = newline(text);
    let indent = line_indent(text, filter_start);
    let child = filter_el
        .children
        .first()
        .map(|c| line_indent(text, c.outer.start).to_string())
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
    let out = splice(text, insert_at..insert_at, &filter);
    crate::content::parse(Kind::Xml, out.as_bytes(), shown)
        .context("after adding the App Links intent filter")?;
    Ok(out)
}

/// Sets `android:defaultValue` of the `<restriction>` with each `android:key` in
/// app_restrictions.xml (what EMM consoles pre-fill for the app's managed configuration).
/// Anchored: each key must occur exactly once and have a default already.
pub fn restriction_defaults(
    text: &str,
    shown: &str,
    defaults: &[(&str, String)],
) -> Result<String> {
    let mut out = text.to_string();
    for (key, value) in defaults {
        let root = xml_spans::parse(&out, shown)?;
        let anchor = format!("android:key=\"{key}\"");
        let found: Vec<_> = root
            .walk()
            .into_iter()
            .filter(|e| e.name == "restriction" && e.attribute(&out, "android:key") == Some(key))
            .collect();
        let [restriction] = found[..] else {
            return Err(AnchorError::count(shown, &anchor, 1, 1, found.len()).into());
        };
        let Some(default) = restriction
            .attributes(&out)
            .into_iter()
            .find(|a| a.name == RESTRICTION_DEFAULT)
        else {
            return Err(AnchorError::new(
                shown,
                format!("`{RESTRICTION_DEFAULT}=\"…\"` on the restriction `{key}`"),
                "none",
            )
            .into());
        };
        let span = default.span;
        let escaped = android_attr_value(value)
            .with_context(|| format!("{shown}: the default of `{key}`"))?;
        out = splice(&out, span, &escaped);
    }
    crate::content::parse(Kind::Xml, out.as_bytes(), shown)
        .context("after setting the restriction defaults")?;
    Ok(out)
}

/// A string for an attribute of an Android XML resource: aapt2 runs attribute values through
/// its string builder (backslash escapes, `@`/`?` at the start meaning a reference) before
/// XML escaping applies.
pub fn android_attr_value(value: &str) -> Result<String> {
    crate::format::xml::android_attribute(value)
}

/// A value for an Android string resource.
pub fn android_string(value: &str) -> Result<String> {
    crate::format::xml::android_string(value)
}

fn package_dir(package: &str) -> PathBuf {
    package.split('.').collect()
}

/// Moves `<root>/com/mattermost/rnbeta/*` to the brand package's folder and rewrites the
/// `package` lines, as upstream's `update_identifiers` lane does. The main sources must exist;
/// the androidTest sources may not.
fn move_package(rec: &mut Recorder, root: &str, package: &str, required: bool) -> Result<()> {
    let app = rec.app();
    let from = app.join(root).join(package_dir(UPSTREAM_PACKAGE));
    if !from.is_dir() {
        if required {
            return Err(AnchorError::new(
                &from.display().to_string(),
                format!("the app sources of package {UPSTREAM_PACKAGE}"),
                "no such folder",
            )
            .into());
        }
        return Ok(());
    }
    if package == UPSTREAM_PACKAGE {
        return Ok(());
    }
    let to = app.join(root).join(package_dir(package));
    let entries =
        std::fs::read_dir(&from).with_context(|| format!("cannot read {}", from.display()))?;
    let mut names: Vec<_> = entries
        .map(|e| e.map(|e| e.file_name()))
        .collect::<std::io::Result<_>>()?;
    names.sort();
    for name in names {
        let src = Path::new(root)
            .join(package_dir(UPSTREAM_PACKAGE))
            .join(&name);
        let rel = Path::new(root).join(package_dir(package)).join(&name);
        rec.rename(&src, &rel)?;
        if rec.is_file(&rel) {
            let shown = to.join(&name).display().to_string();
            rec.edit(&rel, |text| rewrite_package_line(text, &shown, package))?;
        }
    }
    remove_empty_dirs(&from, &app.join(root))
}

/// `package com.mattermost.rnbeta;` (Java) or `package com.mattermost.rnbeta` (Kotlin).
fn rewrite_package_line(text: &str, shown: &str, package: &str) -> Result<String> {
    let anchor = format!("package {UPSTREAM_PACKAGE}");
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let hit = lines.iter().position(|l| {
        let t = l.trim_end();
        t == anchor || t == format!("{anchor};")
    });
    let Some(i) = hit else {
        return Err(AnchorError::new(shown, format!("the line `{anchor}`"), "none").into());
    };
    let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    out[i] = lines[i].replacen(UPSTREAM_PACKAGE, package, 1);
    Ok(out.concat())
}

/// `import com.mattermost.rnbeta.*;` in helpers/ and `import com.mattermost.rnbeta.MainApplication;`
/// in share/ (older versions).
fn edit_importers(rec: &mut Recorder, package: &str) -> Result<()> {
    let app = rec.app();
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
            let rel = path.strip_prefix(app).unwrap_or(path);
            rec.edit(rel, |t| Ok(t.replace(&old, &new)))?;
        }
    }
    Ok(())
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

    /// A `>` inside an attribute value ends no tag: `package` lands on `<manifest>` itself.
    #[test]
    fn manifest_package_with_a_gt_inside_an_attribute_value() {
        let text = "<manifest xmlns:android=\"http://schemas.android.com/apk/res/android\" xmlns:tools=\"t\" tools:note=\"a > b\">\n  <application/>\n</manifest>\n";
        let out = manifest_package(text, "AndroidManifest.xml", "com.acme.chat").unwrap();
        assert_eq!(
            out,
            text.replace("\"a > b\">", "\"a > b\" package=\"com.acme.chat\">")
        );
        let again = manifest_package(&out, "AndroidManifest.xml", "com.other").unwrap();
        assert_eq!(again, out.replace("com.acme.chat", "com.other"));
    }

    /// `<manifest` inside a comment is not the element: the comment stays as it was.
    #[test]
    fn manifest_package_with_manifest_inside_a_comment() {
        let text = "<?xml version=\"1.0\"?>\n<!-- <manifest package=\"old\"> was here -->\n<manifest xmlns:android=\"x\">\n  <application/>\n</manifest>\n";
        let out = manifest_package(text, "AndroidManifest.xml", "com.acme.chat").unwrap();
        assert_eq!(
            out,
            text.replace(
                "<manifest xmlns:android=\"x\">",
                "<manifest xmlns:android=\"x\" package=\"com.acme.chat\">"
            )
        );
        let links = super::app_links(
            &MANIFEST_TEXT.replace(
                "<application>",
                "<!-- <activity android:name=\".MainActivity\"> --><application>",
            ),
            "AndroidManifest.xml",
            &["chat.acme.example".into()],
            &["/.*/pl/.*".into()],
        );
        assert!(links.is_ok(), "{links:?}");
    }

    fn app_links(text: &str) -> Result<String> {
        super::app_links(
            text,
            "AndroidManifest.xml",
            &["chat.acme.example".into()],
            &["/.*/pl/.*".into()],
        )
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
            err.contains("expected one `<activity android:name=\".MainActivity\">`"),
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
        restriction_defaults(RESTRICTIONS_TEXT, "app_restrictions.xml", &pairs)
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
            err.contains("expected `android:key=\"serverUrl\"` once but found 0 occurrence(s)"),
            "{err}"
        );
        let err = defaults(&[("timeout", "30000")]).unwrap_err().to_string();
        assert!(err.contains("on the restriction `timeout`"), "{err}");
    }

    #[test]
    fn app_names_are_escaped_for_android_resources() {
        assert_eq!(
            android_string("Acme's <Chat> & \"Co\"").unwrap(),
            "Acme\\'s &lt;Chat&gt; &amp; \\\"Co\\\""
        );
        assert_eq!(android_string("@home").unwrap(), "\\@home");
    }
}
